"""The helpline's call log: each call recorded while it happens by the operator who took it,
with the case or the concern report it led to. Calls are counted in the statistics (topic
``calls``); what the caller said stays in the note, kept out of the audit trail's values."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import AgencyType, Role
from accounts.models import User
from audit import services as audit
from cases.models import Case
from cases.policy import case_get
from intake.choices import CallAction
from intake.models import ConcernReport, HelplineCall
from intake.selectors import reports_visible

# A call is logged during it or soon after: older than this, it is a mistyped date.
OLDEST_CALL = timedelta(days=30)
# A phone's clock a little ahead of the server's is not a call from the future.
CLOCK_SKEW = timedelta(minutes=5)


def _of_a_helpline(user: User) -> bool:
    return (
        user.is_active
        and user.agency is not None
        and user.agency.is_active
        and user.agency.type == AgencyType.HELPLINE
    )


def takes_calls(user: User) -> bool:
    """Whether ``user`` records the helpline's calls: an active operator of a helpline."""
    return user.role == Role.HELPLINE_OPERATOR and _of_a_helpline(user)


def reads_call_log(user: User) -> bool:
    """Whether ``user`` reads a helpline's call log: its operators and supervisors (the rows
    are those of intake.selectors.calls_visible)."""
    return user.role in (Role.HELPLINE_OPERATOR, Role.SUPERVISOR) and _of_a_helpline(user)


def _case_for(actor: User, case: Case | int) -> Case | None:
    """The case through the access policy's door; None for one out of reach as for a missing
    one, so the refusal tells nothing of cases the operator may not see."""
    try:
        found, _access = case_get(actor, case.pk if isinstance(case, Case) else case)
    except Http404:
        return None
    return found


def _report_for(actor: User, report: ConcernReport | int) -> ConcernReport | None:
    report_id = report.pk if isinstance(report, ConcernReport) else report
    return reports_visible(actor).filter(pk=report_id).first()


@transaction.atomic(durable=True)
def helpline_call_record(
    *,
    actor: User,
    received_at: datetime,
    caller_type: str,
    reason: str,
    action: str,
    duration_minutes: int,
    case: Case | int | None = None,
    concern_report: ConcernReport | int | None = None,
    note: str = "",
) -> HelplineCall:
    """Logs one call taken by ``actor`` for their helpline (403 for anybody but its active
    operators). ``case_opened`` names the case, ``concern_report`` the report made."""
    helpline = actor.agency
    if helpline is None or not takes_calls(actor):
        raise PermissionDenied(_("Only the helpline's operators record its calls."))
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if received_at > now + CLOCK_SKEW:
        errors["received_at"] = [_("A call cannot be received in the future.")]
    elif received_at < now - OLDEST_CALL:
        errors["received_at"] = [_("Record calls of the last 30 days only.")]
    linked_case = _case_for(actor, case) if case is not None else None
    linked_report = _report_for(actor, concern_report) if concern_report is not None else None
    if case is not None and linked_case is None:
        errors["case"] = [_("No such case.")]
    elif action == CallAction.CASE_OPENED and case is None:
        errors["case"] = [_("Name the case the call opened.")]
    if concern_report is not None and linked_report is None:
        errors["concern_report"] = [_("No such concern report.")]
    elif action == CallAction.CONCERN_REPORT and concern_report is None:
        errors["concern_report"] = [_("Name the concern report made for the call.")]
    if errors:
        raise ValidationError(errors)
    call = HelplineCall(
        received_at=received_at,
        caller_type=caller_type,
        reason=reason,
        action=action,
        duration_minutes=duration_minutes,
        case=linked_case,
        concern_report=linked_report,
        note=note.strip(),
        operator=actor,
        agency=helpline,
        recorded_at=now,
    )
    call.full_clean()
    call.save()
    audit.record(
        actor=actor,
        action="helpline_call.create",
        obj=call,
        case_id=call.case_id,
        changes=_snapshot(call),
        masked=("note",),
    )
    return call


def _snapshot(call: HelplineCall) -> dict[str, Any]:
    return {
        "received_at": call.received_at,
        "caller_type": call.caller_type,
        "reason": call.reason,
        "action": call.action,
        "duration_minutes": call.duration_minutes,
        "case": call.case_id,
        "concern_report": call.concern_report_id,
        "note": call.note,
    }
