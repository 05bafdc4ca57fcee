"""Writes of community and helpline intake: a child reported at risk, the office's answer to
it (a case opened from it, or closed with a reason), and the helpline's calls. Each checks who
may, runs in its own transaction and writes the audit trail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import AgencyType, Role
from accounts.models import Agency, Location, User
from audit import services as audit
from cases.choices import Source
from cases.models import Case, ConcernType
from cases.models.child import CHILD_LOCATION_LEVELS
from cases.services import case as case_services
from core.errors import StateConflictError
from intake.choices import REPORTER_ROLES, TRIAGE_ROLES, ReportStatus
from intake.models import ConcernReport
from notifications.models import NotificationKind
from notifications.outbox import Notice, notifications_settle, notify

# What a report says of the child, and who reported: kept out of the audit trail's values.
MASKED = ("child_name", "description", "reporter_contact")

# The source of a case opened from a report, by the reporter's role.
SOURCE_OF_ROLE: dict[str, str] = {
    Role.HELPLINE_OPERATOR: Source.HELPLINE,
    Role.COMMUNE_COMMITTEE: Source.CCWC,
    Role.VILLAGE_CHIEF: Source.COMMUNITY,
    Role.POLICE: Source.POLICE,
    Role.LABOUR_INSPECTOR: Source.LABOUR_INSPECTION,
}

# The settled notices of a report: once it is answered, nobody is asked to answer it.
ASKING = (NotificationKind.TRIAGE_OVERDUE, NotificationKind.REPORT_RECEIVED)


def triage_time(urgency: str) -> timedelta:
    return timedelta(hours=settings.TRIAGE_HOURS[urgency])


def office_for(location: Location) -> Agency | None:
    """The social services office covering ``location``: the nearest active social affairs
    office whose seat holds the place (a district office before the provincial department),
    else the ministry. One query."""
    codes = location.path.split("/")[:-1]
    seats = ["/".join(codes[: depth + 1]) + "/" for depth in range(len(codes))]
    offices = Agency.objects.filter(is_active=True).filter(
        type__in=(AgencyType.DOSVY, AgencyType.MOSVY)
    )
    nearest = (
        offices.filter(type=AgencyType.DOSVY, location__path__in=seats)
        .order_by("-location__path", "pk")
        .first()
    )
    if nearest is not None:
        return nearest
    return offices.filter(type=AgencyType.MOSVY, location__isnull=True).order_by("pk").first()


def triages(user: User, report: ConcernReport) -> bool:
    """Whether ``user`` answers ``report``: a social worker or supervisor of its office."""
    return (
        user.is_active
        and user.role in TRIAGE_ROLES
        and user.agency_id is not None
        and user.agency_id == report.office_id
    )


def office_supervisors(office_id: int) -> list[int]:
    return list(
        User.objects.filter(agency_id=office_id, role=Role.SUPERVISOR, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def concern_report_create(
    *,
    actor: User,
    location: Location,
    concern: ConcernType,
    urgency: str,
    description: str,
    child_name: str = "",
    age: int | None = None,
    sex: str = "unknown",
    reporter_contact: str = "",
) -> ConcernReport:
    """Records a child reported at risk and sends it to the office covering the place, whose
    supervisors hear of it at once."""
    if not actor.is_active or actor.role not in REPORTER_ROLES:
        raise PermissionDenied(_("Your role does not report children at risk."))
    errors: dict[str, list[str]] = {}
    if location.level not in CHILD_LOCATION_LEVELS:
        errors["location"] = [_("Name the commune or the village where the child is.")]
    if not concern.is_active:
        errors["concern"] = [_("This concern is no longer in use.")]
    if not description.strip():
        errors["description"] = [_("Say what was seen or heard.")]
    office = office_for(location) if not errors else None
    if office is None:
        errors.setdefault("location", [_("No social services office covers this place yet.")])
        raise ValidationError(errors)
    now = timezone.now()
    report = ConcernReport(
        child_name=child_name.strip(),
        age=age,
        sex=sex,
        location=location,
        concern=concern,
        urgency=urgency,
        description=description,
        reporter_contact=reporter_contact.strip(),
        reporter=actor,
        office=office,
        created_at=now,
        triage_by=now + triage_time(urgency),
    )
    report.remind_at = report.triage_by
    report.full_clean()
    report.save()
    audit.record(
        actor=actor,
        action="concern_report.create",
        obj=report,
        changes=_snapshot(report),
        masked=MASKED,
    )
    notify(
        Notice(
            kind=NotificationKind.REPORT_RECEIVED,
            recipient_id=supervisor,
            subject=f"concern_report:{report.pk}",
            concern_report_id=report.pk,
            due_at=report.triage_by,
        )
        for supervisor in office_supervisors(office.pk)
    )
    return report


def _snapshot(report: ConcernReport) -> dict[str, Any]:
    return {
        "child_name": report.child_name,
        "age": report.age,
        "sex": report.sex,
        "location": report.location_id,
        "concern": report.concern_id,
        "urgency": report.urgency,
        "description": report.description,
        "reporter_contact": report.reporter_contact,
        "office": report.office_id,
        "triage_by": report.triage_by,
    }


def _locked_for_triage(actor: User, report: ConcernReport) -> ConcernReport:
    """The report under a lock, once the actor is known to answer it and it still waits."""
    locked = ConcernReport.objects.select_for_update().get(pk=report.pk)
    if not triages(actor, locked):
        raise PermissionDenied(_("Only the social services of the report's office answer it."))
    if locked.status != ReportStatus.NEW:
        raise StateConflictError(_("This report has already been answered."))
    return locked


def _answered(actor: User, report: ConcernReport) -> None:
    """Tells the reporter that the office acted (not what it did: the case is not theirs), and
    settles what asked the office to act."""
    notifications_settle(kinds=ASKING, concern_report_id=report.pk)
    notify(
        [
            Notice(
                kind=NotificationKind.REPORT_ANSWERED,
                recipient_id=report.reporter_id,
                subject=f"concern_report:{report.pk}",
                concern_report_id=report.pk,
            )
        ]
        if report.reporter_id != actor.pk
        else []
    )


def report_case_input(report: ConcernReport) -> dict[str, Any]:
    """What the report already says of the child, in the shape a case is opened with; the
    office completes or corrects it."""
    khmer = any("\u1780" <= letter <= "\u17ff" for letter in report.child_name)
    child: dict[str, Any] = {
        ("given_name_km" if khmer else "given_name"): report.child_name,
        "sex": report.sex,
        "location": report.location_id,
    }
    if report.age is not None:
        child["estimated_age"] = report.age
    return {
        "child": child,
        "concerns": [report.concern_id],
        "source": SOURCE_OF_ROLE.get(report.reporter.role, Source.COMMUNITY),
        "summary": report.description,
    }


@transaction.atomic(durable=True)
def concern_report_open_case(
    *,
    actor: User,
    report: ConcernReport,
    child: Mapping[str, Any],
    concerns: Sequence[str],
    source: str,
    family: Sequence[Mapping[str, Any]] = (),
    summary: str = "",
    labour_sector: str = "",
    restricted: bool = False,
    external_ids: Sequence[Mapping[str, str]] = (),
) -> Case:
    """Opens a case from the report, owned by the actor, and links them; 409 when the report
    was answered meanwhile."""
    locked = _locked_for_triage(actor, report)
    case = case_services.case_register(
        actor=actor,
        child=child,
        family=family,
        concerns=concerns,
        source=source,
        summary=summary,
        labour_sector=labour_sector,
        restricted=restricted,
        external_ids=external_ids,
    )
    now = timezone.now()
    locked.status = ReportStatus.CASE_OPENED
    locked.case = case
    locked.triaged_by = actor
    locked.triaged_at = now
    locked.remind_at = None
    locked.save(update_fields=["status", "case", "triaged_by", "triaged_at", "remind_at"])
    audit.record(
        actor=actor,
        action="concern_report.open_case",
        obj=locked,
        case_id=case.pk,
        changes={"status": ReportStatus.CASE_OPENED, "case": case.pk},
    )
    _answered(actor, locked)
    return case


@transaction.atomic(durable=True)
def concern_report_close(*, actor: User, report: ConcernReport, reason: str) -> ConcernReport:
    """Closes the report without a case, saying why (kept from the reporter)."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the report is closed without a case.")]})
    locked = _locked_for_triage(actor, report)
    now = timezone.now()
    locked.status = ReportStatus.CLOSED
    locked.close_reason = reason.strip()
    locked.triaged_by = actor
    locked.triaged_at = now
    locked.remind_at = None
    locked.save(update_fields=["status", "close_reason", "triaged_by", "triaged_at", "remind_at"])
    audit.record(
        actor=actor,
        action="concern_report.close",
        obj=locked,
        changes={"status": ReportStatus.CLOSED, "close_reason": locked.close_reason},
        masked=("close_reason",),
    )
    _answered(actor, locked)
    return locked
