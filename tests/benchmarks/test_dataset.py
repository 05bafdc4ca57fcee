"""The synthetic national dataset: deterministic, and a history the application itself could
have written (valid audit chain, nothing due at its reference moment, consistent risk levels,
grants that open what they should)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F

from accounts.choices import AgencyType, Role
from accounts.models import Agency, User
from audit.services import verify_chain
from benchmarks.dataset.generate import dataset_reference
from cases.choices import Section
from cases.models import Case, CaseAreaGrant, RiskAssessment
from cases.policy import section_readable, visible_cases
from cases.selectors.risk import risk_instrument_current
from cases.services.case import next_case_number
from cases.services.risk import risk_score
from notifications.reminders import run_sweep
from reintegration.models import FollowUp

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
DIGESTED = [
    "accounts_location",
    "accounts_agency",
    "accounts_user",
    "cases_child",
    "cases_case",
    "cases_riskassessment",
    "referrals_referral",
    "reintegration_followup",
    "notifications_notification",
    "cases_caseuserobjectpermission",
]


def _generate(cases: int, seed: str = "7") -> None:
    call_command(
        "generate_dataset", cases=cases, seed=seed, users=400, as_of=AS_OF, stdout=io.StringIO()
    )


def _sequences() -> list[tuple[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = current_schema()"
        )
        return cursor.fetchall()


def _restore(sequences: list[tuple[str, Any]]) -> None:
    """Sequences ignore rollbacks: put them back where a fresh database had them."""
    with connection.cursor() as cursor:
        for name, last_value in sequences:
            cursor.execute(
                "SELECT setval(%s, %s, %s)", [name, last_value or 1, last_value is not None]
            )


def _digest() -> dict[str, str]:
    digests = {}
    with connection.cursor() as cursor:
        for table in DIGESTED:
            cursor.execute(f"SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {table} t")  # noqa: S608 - a fixed list
            digests[table] = cursor.fetchone()[0]
        # Every event but the one recording the generation itself (stamped with the clock).
        cursor.execute(
            "SELECT md5(string_agg(hash, '|' ORDER BY id)) FROM audit_auditevent "
            "WHERE action <> 'dataset.generate'"
        )
        digests["audit_auditevent"] = cursor.fetchone()[0]
    return digests


def _generated_digest(seed: str) -> dict[str, str]:
    sequences = _sequences()
    with transaction.atomic():
        _generate(150, seed)
        digest = _digest()
        transaction.set_rollback(True)
    _restore(sequences)
    return digest


def test_the_same_seed_gives_the_same_dataset_and_another_seed_another() -> None:
    first = _generated_digest("7")
    assert _generated_digest("7") == first
    other = _generated_digest("8")
    assert other["cases_case"] != first["cases_case"]


def test_the_generated_history_is_one_the_application_could_have_written() -> None:
    _generate(600)
    reference = dataset_reference()
    assert reference is not None

    assert verify_chain() is None
    assert run_sweep(now=reference) == 0, "a sweep at the reference moment finds nothing due"

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(Agency.objects.values_list("type", flat=True)) == set(AgencyType.values)
    assert (
        not User.objects.exclude(supervisor=None).exclude(supervisor__agency=F("agency")).exists()
    )

    instrument = risk_instrument_current()
    for assessment in RiskAssessment.objects.order_by("id")[:200]:
        scored = risk_score(instrument=instrument, answers=assessment.answers)
        assert (scored.score, scored.level) == (assessment.score, assessment.risk_level)

    case = Case.objects.order_by("-id").first()
    assert case is not None
    province, year, _number = case.case_number.split("-")
    latest = max(
        int(n.rsplit("-", 1)[1])
        for n in Case.objects.filter(case_number__startswith=f"{province}-{year}-").values_list(
            "case_number", flat=True
        )
    )
    assert next_case_number(province_code=province, year=int(year)) == (
        f"{province}-{year}-{latest + 1:05d}"
    )


def test_area_grants_show_a_commune_member_the_follow_ups_and_nothing_of_the_file() -> None:
    _generate(600)
    grant = (
        CaseAreaGrant.objects.filter(
            location_id__in=User.objects.filter(role=Role.COMMUNE_COMMITTEE).values("location_id")
        )
        .order_by("id")
        .first()
    )
    if grant is None:
        pytest.skip("no child of this small dataset was reintegrated where a committee sits")
    member = User.objects.filter(role=Role.COMMUNE_COMMITTEE, location_id=grant.location_id)[0]
    readable = section_readable(member, Section.FOLLOW_UPS)
    assert Case.objects.filter(readable, pk=grant.case_id).exists()
    assert FollowUp.objects.filter(
        section_readable(member, Section.FOLLOW_UPS, through="case")
    ).exists()
    assert not visible_cases(member).exists()
