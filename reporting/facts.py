"""Keeps the statistics store current (docs/statistics.md, "The store").

The store is derived data: each refresh rewrites the facts of every case that changed since the
last one (a case, one of its referrals or one of its visits has a newer ``updated_at``), and a
full refresh rewrites them all. Beat runs the incremental refresh every few minutes and the full
one each night, which also catches what no ``updated_at`` shows (a child's details edited
through another of her cases). Answers say how current they are (``as_of``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import PATH_SEPARATOR
from cases.models import Case, CaseConcern
from intake.models import HelplineCall
from legal.models import LegalProceeding
from referrals.models import Referral
from reintegration.choices import FollowUpStatus
from reintegration.models import FollowUp
from reporting.models import (
    AgeBand,
    CallFact,
    CaseConcernFact,
    CaseFact,
    CaseFields,
    FactsRefresh,
    IdentificationFact,
    ProsecutionFact,
    ReferralFact,
    RepatriationFact,
    VisitFact,
)
from trafficking.models import Repatriation, VictimIdentification

# A change committed after the refresh read its ``since`` may carry an earlier ``updated_at``
# (set when the row was saved, not when its transaction committed): each refresh looks back this
# far before the last one began. Rewriting a case twice is harmless.
REFRESH_OVERLAP = timedelta(minutes=10)
CHUNK = 2000
_VISIT_STATUSES = (FollowUpStatus.COMPLETED, FollowUpStatus.MISSED)


@dataclass(frozen=True)
class RefreshResult:
    cases: int
    as_of: datetime
    full: bool


def age_band(age: int | None) -> str:
    """The band of an age in whole years. An age of 18 or more at opening is a disputed age
    (the child is under 18, or the case would not exist) and counts as unknown."""
    if age is None or age < 0 or age >= 18:
        return AgeBand.UNKNOWN
    if age < 6:
        return AgeBand.UNDER_6
    if age < 12:
        return AgeBand.FROM_6
    if age < 15:
        return AgeBand.FROM_12
    return AgeBand.FROM_15


def _place(path: str) -> tuple[str, str]:
    codes = path.split(PATH_SEPARATOR)
    return codes[0], codes[1] if len(codes) > 2 else ""


def _months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month)


def facts_refresh(*, full: bool = False) -> RefreshResult | None:
    """Brings the store up to date, in one transaction (readers see the old facts or the new,
    never half); returns None when another refresh holds the store."""
    started = timezone.now()
    with transaction.atomic(durable=True):
        FactsRefresh.objects.get_or_create(id=1)
        state = FactsRefresh.objects.select_for_update(skip_locked=True).filter(id=1).first()
        if state is None:
            return None
        since = None if full or state.as_of is None else state.as_of - REFRESH_OVERLAP
        full = since is None
        ids = _all_case_ids() if since is None else _changed_case_ids(since)
        count = 0
        for chunk in _chunks(ids):
            _rewrite(chunk)
            count += len(chunk)
        _rewrite_calls(since)
        state.as_of = started
        if full:
            state.full_at = started
        state.save()
    return RefreshResult(cases=count, as_of=started, full=full)


def facts_as_of() -> datetime | None:
    return FactsRefresh.objects.filter(id=1).values_list("as_of", flat=True).first()


def _all_case_ids() -> Iterator[int]:
    last = 0
    while True:
        batch = list(
            Case.objects.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:CHUNK]
        )
        yield from batch
        if len(batch) < CHUNK:
            return
        last = batch[-1]


def _changed_case_ids(since: datetime) -> Iterator[int]:
    changed = set(Case.objects.filter(updated_at__gte=since).values_list("id", flat=True))
    changed.update(Referral.objects.filter(updated_at__gte=since).values_list("case_id", flat=True))
    changed.update(FollowUp.objects.filter(updated_at__gte=since).values_list("case_id", flat=True))
    changed.update(
        LegalProceeding.objects.filter(updated_at__gte=since).values_list("case_id", flat=True)
    )
    return iter(sorted(changed))


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    chunk: list[int] = []
    for case_id in ids:
        chunk.append(case_id)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rewrite(case_ids: Sequence[int]) -> None:
    """Replaces every fact of these cases: deleting first makes a referral or visit that no
    longer counts (a visit cancelled, a case gone) drop out as well."""
    cases = list(
        Case.objects.filter(id__in=case_ids)
        .select_related("child")
        .only(
            "id",
            "agency_id",
            "owner_id",
            "location_path",
            "source",
            "risk_level",
            "stage",
            "labour_sector",
            "created_at",
            "closed_at",
            "closure_reason",
            "child__sex",
            "child__date_of_birth",
            "child__estimated_age",
            "child__age_estimated_on",
        )
    )
    ReferralFact.objects.filter(case_id__in=case_ids).delete()
    VisitFact.objects.filter(case_id__in=case_ids).delete()
    IdentificationFact.objects.filter(case_id__in=case_ids).delete()
    RepatriationFact.objects.filter(case_id__in=case_ids).delete()
    ProsecutionFact.objects.filter(case_id__in=case_ids).delete()
    CaseConcernFact.objects.filter(case_id__in=case_ids).delete()
    CaseFact.objects.filter(case_id__in=case_ids).delete()
    place: dict[int, dict[str, Any]] = {}
    facts = []
    for case in cases:
        opened_on = timezone.localdate(case.created_at)
        province, district = _place(case.location_path)
        place[case.pk] = {
            "agency_id": case.agency_id,
            "location_path": case.location_path,
            "province": province,
            "district": district,
            "sex": case.child.sex,
            "age_band": age_band(case.child.age_on(opened_on)),
        }
        facts.append(
            CaseFact(
                case_id=case.pk,
                owner_id=case.owner_id,
                source=case.source,
                risk_level=case.risk_level,
                stage=case.stage,
                labour_sector=case.labour_sector,
                opened_on=opened_on,
                closed_on=timezone.localdate(case.closed_at) if case.closed_at else None,
                closure_reason=case.closure_reason,
                **place[case.pk],
            )
        )
    CaseFact.objects.bulk_create(facts)
    fields_of = {fact.case_id: _case_fields(fact) for fact in facts}
    concerns = list(
        CaseConcern.objects.filter(case_id__in=case_ids).values_list("case_id", "concern_id")
    )
    # A case with no concern recorded counts once under "" (not recorded), so questions by
    # concern still count every case.
    without = set(fields_of) - {case_id for case_id, _concern in concerns}
    CaseConcernFact.objects.bulk_create(
        CaseConcernFact(case_id=case_id, concern=concern, **fields_of[case_id])
        for case_id, concern in [*concerns, *((case_id, "") for case_id in sorted(without))]
        if case_id in fields_of
    )
    ReferralFact.objects.bulk_create(_referral_facts(case_ids, place))
    VisitFact.objects.bulk_create(_visit_facts(case_ids, place))
    IdentificationFact.objects.bulk_create(_identification_facts(case_ids, place))
    RepatriationFact.objects.bulk_create(_repatriation_facts(case_ids, place))
    ProsecutionFact.objects.bulk_create(_prosecution_facts(case_ids, place))


_CASE_FIELDS = [field.attname for field in CaseFields._meta.concrete_fields]


def _case_fields(fact: CaseFact) -> dict[str, Any]:
    return {name: getattr(fact, name) for name in _CASE_FIELDS}


def _referral_facts(
    case_ids: Sequence[int], place: dict[int, dict[str, Any]]
) -> list[ReferralFact]:
    rows = Referral.objects.filter(case_id__in=case_ids).values_list(
        "id",
        "case_id",
        "from_agency_id",
        "to_agency_id",
        "to_agency__type",
        "urgency",
        "status",
        "created_at",
        "respond_by",
        "answered_at",
    )
    return [
        ReferralFact(
            referral_id=referral_id,
            case_id=case_id,
            from_agency_id=from_agency_id,
            to_agency_id=to_agency_id,
            to_agency_type=to_agency_type,
            urgency=urgency,
            status=status,
            made_on=timezone.localdate(created_at),
            respond_by=respond_by,
            answered_at=answered_at,
            **place[case_id],
        )
        for (
            referral_id,
            case_id,
            from_agency_id,
            to_agency_id,
            to_agency_type,
            urgency,
            status,
            created_at,
            respond_by,
            answered_at,
        ) in rows
        if case_id in place
    ]


def _visit_facts(case_ids: Sequence[int], place: dict[int, dict[str, Any]]) -> list[VisitFact]:
    rows = FollowUp.objects.filter(case_id__in=case_ids, status__in=_VISIT_STATUSES).values_list(
        "id",
        "case_id",
        "status",
        "outcome",
        "visit_date",
        "scheduled_date",
        "sequence",
        "reintegration__date",
        "reintegration__schedule_months",
    )
    facts = []
    for follow_up_id, case_id, status, outcome, visited, scheduled, sequence, began, months in rows:
        if case_id not in place:
            continue
        # The visit's place in the schedule (1, 3, 6, 12 months): a rescheduled visit keeps
        # its sequence, so it still counts as the 3-month visit when made in month four.
        schedule = months or []
        since = (
            schedule[sequence - 1]
            if 0 < sequence <= len(schedule)
            else _months_between(began, scheduled)
        )
        facts.append(
            VisitFact(
                follow_up_id=follow_up_id,
                case_id=case_id,
                visited_on=visited or scheduled,
                outcome=outcome if status == FollowUpStatus.COMPLETED else FollowUpStatus.MISSED,
                months_since_reintegration=since,
                **place[case_id],
            )
        )
    return facts


def _identification_facts(
    case_ids: Sequence[int], place: dict[int, dict[str, Any]]
) -> list[IdentificationFact]:
    rows = VictimIdentification.objects.filter(case_id__in=case_ids).values_list(
        "id", "case_id", "date", "status", "identifying_agency__type"
    )
    return [
        IdentificationFact(
            identification_id=pk,
            case_id=case_id,
            identified_on=on,
            victim_status=status,
            identifying_agency_type=agency_type or "",
            **place[case_id],
        )
        for pk, case_id, on, status, agency_type in rows
        if case_id in place
    ]


def _repatriation_facts(
    case_ids: Sequence[int], place: dict[int, dict[str, Any]]
) -> list[RepatriationFact]:
    rows = Repatriation.objects.filter(case_id__in=case_ids).values_list(
        "id", "case_id", "created_at", "direction", "country", "status"
    )
    return [
        RepatriationFact(
            repatriation_id=pk,
            case_id=case_id,
            started_on=timezone.localdate(created_at),
            direction=direction,
            country=country,
            repatriation_status=status,
            **place[case_id],
        )
        for pk, case_id, created_at, direction, country, status in rows
        if case_id in place
    ]


def restitution_state(ordered: int | None, paid: int | None) -> str:
    """``none`` (none ordered), ``unpaid``, ``part_paid`` or ``paid``."""
    if not ordered:
        return "none"
    if not paid:
        return "unpaid"
    return "paid" if paid >= ordered else "part_paid"


def _prosecution_facts(
    case_ids: Sequence[int], place: dict[int, dict[str, Any]]
) -> list[ProsecutionFact]:
    rows = LegalProceeding.objects.filter(case_id__in=case_ids).values_list(
        "id",
        "case_id",
        "filed_on",
        "created_at",
        "child_role",
        "defendant_status",
        "restitution_ordered",
        "restitution_paid",
    )
    return [
        ProsecutionFact(
            proceeding_id=pk,
            case_id=case_id,
            # A case not yet filed counts from the day it was recorded.
            filed_on=filed_on or timezone.localdate(created_at),
            child_role=child_role,
            defendant_status=defendant_status,
            restitution=restitution_state(ordered, paid),
            **place[case_id],
        )
        for pk, case_id, filed_on, created_at, child_role, defendant_status, ordered, paid in rows
        if case_id in place
    ]


def _rewrite_calls(since: datetime | None) -> None:
    """Replaces the facts of the calls recorded since ``since`` and of those whose case changed
    (it may have moved); all of them when None. A call is never edited once recorded."""
    calls = HelplineCall.objects.all()
    if since is None:
        CallFact.objects.all().delete()
    else:
        calls = calls.filter(Q(recorded_at__gte=since) | Q(case__updated_at__gte=since))
    last = 0
    while True:
        rows = list(
            calls.filter(id__gt=last)
            .order_by("id")
            .values_list(
                "id",
                "agency_id",
                "case_id",
                "case__location_path",
                "concern_report__location__path",
                "received_at",
                "caller_type",
                "reason",
                "action",
            )[:CHUNK]
        )
        if since is not None:
            CallFact.objects.filter(call_id__in=[row[0] for row in rows]).delete()
        CallFact.objects.bulk_create(_call_fact(row) for row in rows)
        if len(rows) < CHUNK:
            return
        last = rows[-1][0]


def _call_fact(row: tuple[Any, ...]) -> CallFact:
    """A call's facts from its row as _rewrite_calls reads it."""
    (
        call_id,
        agency_id,
        case_id,
        case_path,
        report_path,
        received_at,
        caller_type,
        reason,
        action,
    ) = row
    path = case_path or report_path or ""
    province, district = _place(path) if path else ("", "")
    return CallFact(
        call_id=call_id,
        agency_id=agency_id,
        case_id=case_id,
        location_path=path,
        province=province,
        district=district,
        received_on=timezone.localdate(received_at),
        caller_type=caller_type,
        call_reason=reason,
        call_action=action,
    )
