"""Every write about where a child lives, their return to a family and the visits after it.

Each service is one transaction that checks access through the case's policy, validates its
input completely before writing anything, and writes the audit trail."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import LocationLevel, Role
from accounts.models import Agency, Location, User
from accounts.reach import reach_of
from audit import services as audit
from cases.choices import Section
from cases.models import Case
from cases.policy import case_get, may_record_in_section
from cases.reminders import case_reschedule_reminders
from cases.services.access import case_set_area_grants, case_set_grants
from cases.services.common import require_open
from cases.services.follow_up import (
    case_contact_record,
    case_follow_up_begin,
    case_reassess_by,
)
from core.errors import StateConflictError
from notifications.models import FOLLOW_UP_RECORDED, NotificationKind
from notifications.outbox import Notice, notifications_settle, notify
from notifications.webhooks import webhook_emit, webhook_listeners
from reintegration import reminders
from reintegration.choices import (
    CONCERNING_OUTCOMES,
    FAMILY_PLACEMENTS,
    INSTITUTIONAL_PLACEMENTS,
    SCORE_MAX,
    SCORE_MIN,
    FollowUpOutcome,
    FollowUpStatus,
    PlacementType,
    WellbeingDomain,
)
from reintegration.models import FollowUp, Placement, Reintegration

# What the worker who follows a reintegration up sees of the case when it is not theirs.
FOLLOW_UP_WORKER_SECTIONS = frozenset({Section.PROFILE, Section.PLACEMENTS, Section.FOLLOW_UPS})
# What a commune committee sees of a child reintegrated into its commune (with the identity).
COMMUNE_SECTIONS = frozenset({Section.FOLLOW_UPS})
MAX_SCHEDULE_MONTHS = 36
# Who follows a child up for an agency: commune committees come in as focal points, through
# the area grant, and never see the case file.
FOLLOW_UP_WORKER_ROLES = frozenset({Role.SOCIAL_WORKER, Role.SUPERVISOR})


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- Placements --------------------------------------------------------------------------------


def _may_approve_care(approver: Any, case: Case) -> bool:
    """A supervisor of the case's agency, or of a social-affairs office overseeing its place."""
    if not isinstance(approver, User) or not approver.is_active:
        return False
    if approver.role != Role.SUPERVISOR:
        return False
    if approver.agency_id == case.agency_id:
        return True
    territory = reach_of(approver).jurisdiction_path
    return territory is not None and case.location_path.startswith(territory)


def _check_gatekeeping(
    type: str, gatekeeping: Mapping[str, Any] | None, case: Case
) -> dict[str, Any]:
    if not gatekeeping:
        if type == PlacementType.RESIDENTIAL_CARE:
            raise ValidationError(
                {
                    "gatekeeping": [
                        _(
                            "Residential care needs a gatekeeping decision: the reason, the "
                            "alternatives considered and who approved it."
                        )
                    ]
                }
            )
        return {}
    errors: list[str] = []
    reason = str(gatekeeping.get("reason") or "").strip()
    alternatives = str(gatekeeping.get("alternatives_considered") or "").strip()
    approver = gatekeeping.get("approved_by")
    if not reason:
        errors.append(_("reason: say why care away from a family is needed."))
    if not alternatives:
        errors.append(_("alternatives_considered: say which family-based options were considered."))
    if not _may_approve_care(approver, case):
        errors.append(
            _(
                "approved_by: the decision is approved by an active supervisor of the case's "
                "agency or of the social affairs office of its place."
            )
        )
    if errors:
        raise ValidationError({"gatekeeping": errors})
    return {
        "gatekeeping_reason": reason,
        "gatekeeping_alternatives": alternatives,
        "gatekeeping_approved_by": approver,
    }


def _check_no_overlap(
    case: Case, start_date: date, end_date: date | None, current: Placement | None
) -> None:
    """A placement's period may not overlap another's: the history says where the child was
    on any day. The current one is the exception a new current placement ends."""
    others = Placement.objects.filter(case=case, end_date__isnull=False, end_date__gt=start_date)
    if end_date is not None:
        others = others.filter(start_date__lt=end_date)
    clash = others.order_by("start_date").first()
    if clash is None and end_date is not None and current is not None:
        clash = current if current.start_date < end_date else None
    if clash is not None:
        raise ValidationError(
            {
                "start_date": [
                    _("This period overlaps the placement from %(start)s: correct the dates.")
                    % {"start": clash.start_date.isoformat()}
                ]
            }
        )


@transaction.atomic(durable=True)
def placement_create(
    *,
    actor: User,
    case: Case,
    type: str,
    start_date: date,
    end_date: date | None = None,
    location: Location | None = None,
    caregiver: str = "",
    agency: Agency | None = None,
    gatekeeping: Mapping[str, Any] | None = None,
) -> Placement:
    """Records where the child lives from ``start_date``. A current placement (no end date)
    ends the one before it on that date, so the history has no gaps and no overlaps."""
    case, _access = case_get(actor, case.pk, action="place", lock=True)
    if type not in PlacementType.values:
        raise ValidationError({"type": [_("Unknown placement type.")]})
    gatekept = _check_gatekeeping(type, gatekeeping, case)
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": [_("The end date is before the start date.")]})
    current = Placement.objects.select_for_update().filter(case=case, end_date__isnull=True).first()
    _check_no_overlap(case, start_date, end_date, current)
    if end_date is None and current is not None:
        if start_date < current.start_date:
            raise ValidationError(
                {
                    "start_date": [
                        _(
                            "The current placement began on %(date)s: a new one starts on or "
                            "after it."
                        )
                        % {"date": current.start_date.isoformat()}
                    ]
                }
            )
        current.end_date = start_date
        current.save(update_fields=["end_date"])
    placement = Placement.objects.create(
        case=case,
        type=type,
        start_date=start_date,
        end_date=end_date,
        location=location,
        caregiver=caregiver.strip(),
        agency=agency,
        recorded_by=actor,
        **gatekept,
    )
    audit.record(
        actor=actor,
        action="placement.create",
        obj=placement,
        case_id=case.pk,
        changes={
            "type": type,
            "start_date": start_date,
            "end_date": end_date,
            "ended_previous": current.pk if current and end_date is None else None,
            "gatekeeping_approved_by": gatekept.get("gatekeeping_approved_by")
            and gatekept["gatekeeping_approved_by"].pk,
        },
    )
    return placement


# --- Reintegration -----------------------------------------------------------------------------


def _commune_of(location: Location | None) -> Location:
    if location is not None and location.level == LocationLevel.VILLAGE:
        location = location.parent
    if location is None or location.level != LocationLevel.COMMUNE:
        raise ValidationError(
            {
                "placement": [
                    _(
                        "The family's placement needs its commune or village, so the commune "
                        "committee can follow the child up."
                    )
                ]
            }
        )
    return location


def _check_schedule(months: Sequence[int] | None) -> list[int]:
    schedule = list(settings.FOLLOW_UP_SCHEDULE_MONTHS if months is None else months)
    if (
        not schedule
        or any(not isinstance(m, int) or not 0 < m <= MAX_SCHEDULE_MONTHS for m in schedule)
        or schedule != sorted(set(schedule))
    ):
        raise ValidationError(
            {
                "schedule_months": [
                    _("Give the months of the visits in increasing order, between 1 and %(max)d.")
                    % {"max": MAX_SCHEDULE_MONTHS}
                ]
            }
        )
    return schedule


def _check_people(follow_up_worker: User, focal_point: User | None, commune: Location) -> None:
    errors: dict[str, list[str]] = {}
    if (
        not follow_up_worker.is_active
        or follow_up_worker.agency_id is None
        or follow_up_worker.role not in FOLLOW_UP_WORKER_ROLES
    ):
        errors["follow_up_worker"] = [
            _("The follow-up worker is an active social worker or supervisor of an agency.")
        ]
    if focal_point is not None and not (
        focal_point.is_active
        and focal_point.role == Role.COMMUNE_COMMITTEE
        and focal_point.location is not None
        and focal_point.location.path.startswith(commune.path)
    ):
        errors["commune_focal_point"] = [
            _("The focal point is an active commune committee member of the family's commune.")
        ]
    if errors:
        raise ValidationError(errors)


def _institutional_placement_before(case: Case, family: Placement) -> Placement | None:
    return (
        Placement.objects.filter(
            case=case, type__in=INSTITUTIONAL_PLACEMENTS, start_date__lte=family.start_date
        )
        .exclude(pk=family.pk)
        .order_by("-start_date", "-id")
        .first()
    )


def _withdraw_earlier(
    actor: User, case: Case, *, keep_worker: User, keep_commune: Location
) -> None:
    """A new reintegration replaces the earlier ones: their visits still scheduled are
    cancelled, and their follow-up workers and communes lose the sight of the case they had
    for them (another reason to see it, such as a referral, stays)."""
    FollowUp.objects.filter(case=case, status=FollowUpStatus.SCHEDULED).update(
        status=FollowUpStatus.CANCELLED, reminder_at=None, updated_at=timezone.now()
    )
    earlier = Reintegration.objects.filter(case=case).select_related("follow_up_worker", "commune")
    for previous in earlier:
        if previous.follow_up_worker_id not in {keep_worker.pk, case.owner_id}:
            case_set_grants(
                actor=actor,
                case=case,
                grantee=previous.follow_up_worker,
                sections=(),
                contribute=False,
                reason="reintegration",
            )
        if previous.commune_id != keep_commune.pk:
            case_set_area_grants(
                actor=actor,
                case=case,
                location=previous.commune,
                sections=(),
                reason="reintegration",
            )


@transaction.atomic(durable=True)
def reintegration_create(
    *,
    actor: User,
    case: Case,
    date: date,
    placement: Placement,
    follow_up_worker: User,
    commune_focal_point: User | None = None,
    readiness_assessment: str = "",
    family_assessment: str = "",
    preparation_visits: Sequence[Mapping[str, Any]] = (),
    schedule_months: Sequence[int] | None = None,
) -> Reintegration:
    """Records a child's return to a family and schedules the follow-up visits (months after
    ``date``). The commune committee of the family's commune, and the follow-up worker when
    the case is not theirs, are given the follow-ups (cases.services.access). Visits still
    scheduled from an earlier reintegration are cancelled: this one replaces it."""
    case, _access = case_get(actor, case.pk, action="reintegrate", lock=True)
    if placement.case_id != case.pk:
        raise ValidationError({"placement": [_("This placement belongs to another case.")]})
    if placement.type not in FAMILY_PLACEMENTS:
        raise ValidationError(
            {
                "placement": [
                    _(
                        "A child is reintegrated into a family placement "
                        "(parents, kinship or foster care)."
                    )
                ]
            }
        )
    commune = _commune_of(placement.location)
    schedule = _check_schedule(schedule_months)
    _check_people(follow_up_worker, commune_focal_point, commune)
    visits = [
        {"date": str(visit.get("date") or ""), "notes": str(visit.get("notes") or "")}
        for visit in preparation_visits
    ]
    if date < placement.start_date:
        raise ValidationError(
            {"date": [_("The child is reintegrated on or after the family placement begins.")]}
        )
    _withdraw_earlier(actor, case, keep_worker=follow_up_worker, keep_commune=commune)
    reintegration = Reintegration.objects.create(
        case=case,
        date=date,
        placement=placement,
        from_placement=_institutional_placement_before(case, placement),
        commune=commune,
        readiness_assessment=readiness_assessment,
        family_assessment=family_assessment,
        preparation_visits=visits,
        follow_up_worker=follow_up_worker,
        commune_focal_point=commune_focal_point,
        schedule_months=schedule,
        created_by=actor,
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                reintegration=reintegration,
                case=case,
                sequence=number,
                scheduled_date=add_months(date, months),
                reminder_at=reminders.first_reminder_at(add_months(date, months)),
            )
            for number, months in enumerate(schedule, start=1)
        ]
    )
    if follow_up_worker.pk != case.owner_id:
        case_set_grants(
            actor=actor,
            case=case,
            grantee=follow_up_worker,
            sections=FOLLOW_UP_WORKER_SECTIONS,
            contribute=True,
            reason="reintegration",
        )
    case_set_area_grants(
        actor=actor,
        case=case,
        location=commune,
        sections=COMMUNE_SECTIONS,
        reason="reintegration",
    )
    case_follow_up_begin(actor=actor, case=case)
    audit.record(
        actor=actor,
        action="reintegration.create",
        obj=reintegration,
        case_id=case.pk,
        changes={
            "date": date,
            "placement": placement.pk,
            "commune": commune.pk,
            "follow_up_worker": follow_up_worker.pk,
            "commune_focal_point": commune_focal_point.pk if commune_focal_point else None,
            "schedule_months": schedule,
        },
    )
    return reintegration


# --- Follow-up visits --------------------------------------------------------------------------


def _recordable(actor: User, follow_up: FollowUp) -> FollowUp:
    """The visit re-read under a lock, once ``actor`` may record it (403), it is still
    scheduled (409) and its case open (409). Visibility (404) is the caller's selector. The
    case is locked first, as every case service does, so two writers never wait on each other
    in opposite orders."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=follow_up.case_id)
    )
    locked = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("reintegration")
        .get(pk=follow_up.pk)
    )
    locked.case = case
    if not may_record_in_section(actor, locked.case, Section.FOLLOW_UPS):
        raise PermissionDenied(_("You cannot record visits on this case."))
    require_open(locked.case)
    if locked.status != FollowUpStatus.SCHEDULED:
        raise StateConflictError(
            _("This visit is %(status)s already.") % {"status": FollowUpStatus(locked.status).label}
        )
    return locked


def _check_scores(scores: Mapping[str, Any]) -> dict[str, int]:
    errors = []
    unknown = sorted(set(scores) - set(WellbeingDomain.values))
    if unknown:
        errors.append(_("Unknown wellbeing domain: %s.") % ", ".join(unknown))
    missing = [domain for domain in WellbeingDomain.values if domain not in scores]
    if missing:
        errors.append(_("Score every domain; missing: %s.") % ", ".join(missing))
    for domain, score in scores.items():
        if domain in WellbeingDomain.values and (
            isinstance(score, bool)
            or not isinstance(score, int)
            or not SCORE_MIN <= score <= SCORE_MAX
        ):
            errors.append(
                _("%(domain)s: a score from %(min)d (very poor) to %(max)d (good).")
                % {"domain": domain, "min": SCORE_MIN, "max": SCORE_MAX}
            )
    if errors:
        raise ValidationError({"scores": errors})
    return {domain: int(scores[domain]) for domain in WellbeingDomain.values}


def _schedule_settled(case: Case) -> bool:
    """Whether the latest reintegration's visits are all done with the last two stable."""
    latest = Reintegration.objects.filter(case=case).order_by("-date", "-id").first()
    if latest is None:
        return True
    visits = list(
        FollowUp.objects.filter(reintegration=latest)
        .exclude(status__in=[FollowUpStatus.MISSED, FollowUpStatus.CANCELLED])
        .order_by("scheduled_date", "id")
        .values_list("status", "outcome")
    )
    if any(status == FollowUpStatus.SCHEDULED for status, _outcome in visits):
        return False
    last_two = [outcome for _status, outcome in visits[-2:]]
    return len(last_two) == 2 and all(outcome == FollowUpOutcome.STABLE for outcome in last_two)


def _raise_concern(actor: User, follow_up: FollowUp, case: Case) -> None:
    """An at-risk or broken-down visit: the owner (and their supervisor) hear of it at once,
    and a risk reassessment falls due today."""
    people = {case.owner_id, *([case.owner.supervisor_id] if case.owner.supervisor_id else [])}
    notify(
        Notice(
            kind=NotificationKind.FOLLOW_UP_CONCERN,
            recipient_id=person,
            subject=f"follow_up:{follow_up.pk}",
            case_id=case.pk,
            case_number=case.case_number,
            follow_up_id=follow_up.pk,
        )
        for person in people - {actor.pk}
    )
    case_reassess_by(actor=actor, case=case, day=timezone.localdate())


# The reminders of a visit, settled for everyone once it is recorded or marked missed (the
# visit that replaces a missed one has reminders of its own).
_VISIT_NOTICES = (NotificationKind.FOLLOW_UP_DUE, NotificationKind.FOLLOW_UP_OVERDUE)


@transaction.atomic(durable=True)
def follow_up_complete(
    *,
    actor: User,
    follow_up: FollowUp,
    visit_date: date,
    outcome: str,
    scores: Mapping[str, Any],
    notes: str = "",
) -> FollowUp:
    """Records a visit. ``at_risk`` or ``breakdown`` notifies the owner and asks for a
    reassessment; the schedule ending with two stable visits lets the owner ask for closure."""
    follow_up = _recordable(actor, follow_up)
    if visit_date > timezone.localdate():
        raise ValidationError({"visit_date": [_("This date is in the future.")]})
    if visit_date < follow_up.reintegration.date:
        raise ValidationError({"visit_date": [_("The visit is before the reintegration.")]})
    if outcome not in FollowUpOutcome.values:
        raise ValidationError({"outcome": [_("Choose stable, at risk or breakdown.")]})
    checked_scores = _check_scores(scores)
    follow_up.status, follow_up.visit_date, follow_up.outcome = (
        FollowUpStatus.COMPLETED,
        visit_date,
        outcome,
    )
    follow_up.scores, follow_up.notes, follow_up.visited_by = checked_scores, notes, actor
    follow_up.completed_at, follow_up.reminder_at = timezone.now(), None
    follow_up.save()
    notifications_settle(kinds=_VISIT_NOTICES, follow_up_id=follow_up.pk)
    case = follow_up.case
    case_contact_record(
        actor=actor, case=case, at=timezone.now(), visits_due=not _schedule_settled(case)
    )
    if outcome in CONCERNING_OUTCOMES:
        _raise_concern(actor, follow_up, case)
    case_reschedule_reminders(case)
    # Notes and scores stay out of the trail, like a case note's text.
    audit.record(
        actor=actor,
        action="follow_up.complete",
        obj=follow_up,
        case_id=case.pk,
        changes={"visit_date": visit_date, "outcome": outcome},
    )
    # Partner systems of the case's agency learn that the visit happened and its outcome code,
    # under their own ids for the case; never notes, scores or anything of the child. A
    # restricted case is not announced, as for case.updated.
    listening = (
        set()
        if case.restricted
        else webhook_listeners(event=FOLLOW_UP_RECORDED, agency_ids=[case.agency_id])
    )
    if listening:
        webhook_emit(
            event=FOLLOW_UP_RECORDED,
            agency_ids=listening,
            payload={
                "follow_up": {
                    "id": follow_up.pk,
                    "visit_date": visit_date.isoformat(),
                    "outcome": outcome,
                },
                "case": {
                    "id": case.pk,
                    "external_ids": [
                        {"system": external.system, "id": external.external_id}
                        for external in case.external_ids.all()
                    ],
                },
            },
        )
    return follow_up


@transaction.atomic(durable=True)
def follow_up_reschedule(
    *, actor: User, follow_up: FollowUp, new_date: date, reason: str
) -> FollowUp:
    """A visit that did not happen is marked missed, with why, and a new one is scheduled in
    its place. Returns the new visit."""
    follow_up = _recordable(actor, follow_up)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the visit did not happen.")]})
    if new_date < timezone.localdate():
        raise ValidationError({"new_date": [_("The new date is in the past.")]})
    follow_up.status, follow_up.missed_reason, follow_up.reminder_at = (
        FollowUpStatus.MISSED,
        reason.strip(),
        None,
    )
    follow_up.save(update_fields=["status", "missed_reason", "reminder_at", "updated_at"])
    notifications_settle(kinds=_VISIT_NOTICES, follow_up_id=follow_up.pk)
    replacement = FollowUp.objects.create(
        reintegration=follow_up.reintegration,
        case=follow_up.case,
        sequence=follow_up.sequence,
        scheduled_date=new_date,
        rescheduled_from=follow_up,
        reminder_at=reminders.first_reminder_at(new_date),
    )
    audit.record(
        actor=actor,
        action="follow_up.reschedule",
        obj=follow_up,
        case_id=follow_up.case_id,
        changes={"missed": follow_up.scheduled_date, "new_date": new_date, "new": replacement.pk},
    )
    return replacement
