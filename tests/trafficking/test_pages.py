"""The case file's trafficking tab: the identifications and repatriations as the reader may
see them, and the forms that record them through the same services as the API."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import Case, CaseConcern
from tests.conftest import World
from tests.factories import CaseFactory
from tests.web.conftest import signed_in
from trafficking.models import Crossing, Repatriation, VictimIdentification

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().strftime("%d/%m/%Y")


def _case(world: World) -> Case:
    case = CaseFactory.create(owner=world.police, location=world.pp_village)
    CaseConcern.objects.create(case=case, concern_id="sex_trafficking")
    return case


def _tab(case: Case) -> str:
    return f"/cases/{case.pk}/trafficking/"


def test_the_police_record_a_presumed_victim_from_the_tab(world: World) -> None:
    case = _case(world)
    police = signed_in(world.police)
    page = police.get(_tab(case) + "?record=identification")
    assert page.status_code == 200
    assert 'name="identification-indicators"' in page.content.decode()
    answer = police.post(
        f"/cases/{case.pk}/identifications/add/",
        {
            "identification-status": "presumed",
            "identification-date": TODAY,
            "identification-indicators": ["deception", "moved_across_border"],
            "identification-notes": "រកឃើញនៅព្រំដែន",
        },
    )
    assert answer.status_code == 302
    (recorded,) = VictimIdentification.objects.filter(case=case)
    assert recorded.indicators == ["deception", "moved_across_border"]
    shown = police.get(_tab(case)).content.decode()
    assert "Presumed victim" in shown
    assert "Moved across a border" in shown


def test_the_oversight_office_identifies_and_a_bad_form_keeps_what_was_typed(
    world: World,
) -> None:
    case = _case(world)
    oversight = signed_in(world.dosvy_officer)
    refused = oversight.post(
        f"/cases/{case.pk}/identifications/add/",
        {
            "identification-status": "identified",
            "identification-date": TODAY,
            "identification-reference": "DoSVY/17",
        },
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "data-error-summary" in body
    assert 'value="DoSVY/17"' in body
    assert not VictimIdentification.objects.filter(case=case).exists()
    done = oversight.post(
        f"/cases/{case.pk}/identifications/add/",
        {
            "identification-status": "identified",
            "identification-date": TODAY,
            "identification-identifying_agency": world.dosvy_pp.pk,
            "identification-reference": "DoSVY/17",
        },
    )
    assert done.status_code == 302
    assert VictimIdentification.objects.get(case=case).status == "identified"
    # Oversight does not move a repatriation.
    assert oversight.post(f"/cases/{case.pk}/repatriations/add/", {}).status_code == 403


def test_a_repatriation_is_opened_and_moved_on_from_the_tab(world: World) -> None:
    case = _case(world)
    police = signed_in(world.police)
    opened = police.post(
        f"/cases/{case.pk}/repatriations/add/",
        {
            "repatriation-direction": "to_cambodia",
            "repatriation-country": "TH",
            "repatriation-border_point": Crossing.objects.get(code="poipet").pk,
        },
    )
    assert opened.status_code == 302
    repatriation = Repatriation.objects.get(case=case)
    prefix = f"advance-{repatriation.pk}"
    page = police.get(_tab(case)).content.decode()
    assert f'name="{prefix}-status"' in page
    assert "Poipet" in page
    moved = police.post(
        f"/cases/{case.pk}/repatriations/{repatriation.pk}/advance/",
        {f"{prefix}-status": "documents_ready", f"{prefix}-date": TODAY},
    )
    assert moved.status_code == 302
    repatriation.refresh_from_db()
    assert repatriation.status == "documents_ready"
    skipped = police.post(
        f"/cases/{case.pk}/repatriations/{repatriation.pk}/advance/",
        {f"{prefix}-status": "handed_over", f"{prefix}-date": TODAY},
    )
    assert skipped.status_code == 400  # not a choice the form offers
    repatriation.refresh_from_db()
    assert repatriation.status == "documents_ready"
    cancelled = police.post(
        f"/cases/{case.pk}/repatriations/{repatriation.pk}/advance/",
        {f"{prefix}-status": "cancelled", f"{prefix}-date": TODAY},
    )
    assert cancelled.status_code == 302
    # Once it ended, a late form is refused as a conflict, not a failure.
    late = police.post(
        f"/cases/{case.pk}/repatriations/{repatriation.pk}/advance/",
        {f"{prefix}-status": "documents_ready", f"{prefix}-date": TODAY},
    )
    assert late.status_code == 409


def test_the_tab_answers_as_the_door_does(world: World) -> None:
    case = _case(world)
    assert signed_in(world.commune_member).get(_tab(case)).status_code == 404
    assert signed_in(world.other_worker).get(_tab(case)).status_code == 404
    other = CaseFactory.create(owner=world.police, location=world.pp_village)
    repatriation = Repatriation.objects.create(
        case=other, direction="to_cambodia", country="TH", created_by=world.police
    )
    # A repatriation of another case is not reached through this one.
    answer = signed_in(world.police).post(
        f"/cases/{case.pk}/repatriations/{repatriation.pk}/advance/", {}
    )
    assert answer.status_code == 404
