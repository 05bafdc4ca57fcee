"""The referral workflow: create, approve, accept, decline, complete, cancel. Each action locks
the referral row, checks its state (409), who acts (403) and the input (400), writes the audit
trail, moves the receiver's grants on the case to match, and tells partner systems by webhook
once the transaction commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import AgencyType, Role
from accounts.models import Agency, ServiceType, User
from audit import services as audit
from cases.choices import Section
from cases.models import Case, CaseNamedUser
from cases.policy import case_get
from cases.prefetched import external_ids_of
from cases.selectors.records import consent_covers
from cases.services.access import case_set_grants
from cases.services.case import case_transfer
from cases.services.records import case_note_referral_outcome
from core.errors import StateConflictError
from notifications.models import NotificationKind
from notifications.outbox import notifications_settle, notify
from notifications.webhooks import webhook_emit
from referrals import reminders
from referrals.choices import (
    ANSWERING_ROLES,
    DEFAULT_RESPONSE_TIME,
    LIVE_STATUSES,
    ReferralStatus,
    ReferralType,
    Urgency,
)
from referrals.models import Referral
from referrals.rules import referral_require

# Who may share a child's data without a recorded consent, giving the reason: supervisors, and
# the anti-trafficking police who must move a child victim to safety at once.
CONSENT_OVERRIDE_ROLES = frozenset({Role.SUPERVISOR, Role.POLICE})


def response_time(urgency: str) -> timedelta:
    configured: dict[str, int] = settings.REFERRAL_RESPONSE_HOURS
    if urgency in configured:
        return timedelta(hours=configured[urgency])
    return DEFAULT_RESPONSE_TIME[Urgency(urgency)]


def _locked(referral: Referral) -> Referral:
    """The referral re-read under a row lock: of two people acting at once on it, the second
    waits and then sees what the first did."""
    return (
        Referral.objects.select_for_update(of=("self", "case"))
        .select_related("case", "created_by")
        .get(pk=referral.pk)
    )


def _event_payload(referral: Referral) -> dict[str, Any]:
    """What partner systems are told: the referral's state and how their systems name the
    case (its external ids), nothing of the child. They read the rest through the API, which
    shows each agency what it may see. Of a restricted case nothing says which case it is: the
    receiving side learns that only once named on it."""
    case: dict[str, Any] = {}
    if not referral.case.restricted:
        case = {"case": {"external_ids": external_ids_of(referral.case)}}
    return {
        **case,
        "referral": {
            "id": referral.pk,
            "status": referral.status,
            "type": referral.type,
            "urgency": referral.urgency,
            "services": referral.services,
            "from_agency": referral.from_agency_id,
            "to_agency": referral.to_agency_id,
            "respond_by": referral.respond_by.isoformat() if referral.respond_by else None,
        },
    }


def _announce(referral: Referral, event: str) -> None:
    """Tells partner systems (webhooks) and the people concerned (notifications)."""
    agencies = [referral.from_agency_id]
    if referral.status != ReferralStatus.PENDING_APPROVAL:
        agencies.append(referral.to_agency_id)
    webhook_emit(event=event, agency_ids=agencies, payload=_event_payload(referral))
    kind, people = reminders.people_to_tell(referral, event)
    if kind:
        notify(reminders.notices((referral, kind, person, "") for person in people))


def _send(referral: Referral) -> None:
    now = timezone.now()
    referral.status = ReferralStatus.SENT
    referral.sent_at = now
    referral.respond_by = now + response_time(referral.urgency)
    referral.reminder_at = referral.respond_by


def _sync_receiver_grants(*, actor: User, case: Case, person: User) -> None:
    """``person``'s grants on ``case`` become the union of what their accepted service
    referrals share with them: a person working on two referrals of one case keeps the first's
    sections when the second ends."""
    working_on = Referral.objects.filter(
        case=case,
        type=ReferralType.SERVICE,
        status=ReferralStatus.ACCEPTED,
        assigned_to=person,
    ).values_list("shared_sections", flat=True)
    sections = {section for shared in working_on for section in shared}
    case_set_grants(
        actor=actor,
        case=case,
        grantee=person,
        sections=sections,
        contribute=working_on.exists(),
        reason="referral",
    )


def _check_services(codes: Sequence[str]) -> list[str]:
    known = set(ServiceType.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError({"services": [_("Unknown service: %s.") % ", ".join(unknown)]})
    return list(dict.fromkeys(codes))


def _check_consent(actor: User, case: Case, override_reason: str) -> bool:
    """Whether a recorded consent covers the referral; without one, the reason for referring
    anyway is required, from a role that may give it."""
    if consent_covers(case, "referral"):
        return True
    if not override_reason.strip():
        raise ValidationError(
            {
                "consent_override_reason": [
                    _(
                        "No recorded consent covers referral: record the child's or caregiver's "
                        "consent, or give the reason for referring without it."
                    )
                ]
            }
        )
    if actor.role not in CONSENT_OVERRIDE_ROLES:
        raise PermissionDenied(_("Your role cannot refer a child without recorded consent."))
    return False


def _check_approver_sees(actor: User, case: Case) -> None:
    """Of a restricted case, the supervisor who approves a referral must be named on it: she
    could otherwise neither see the referral nor approve it."""
    if case.restricted and (
        actor.supervisor_id is None
        or not CaseNamedUser.objects.filter(case=case, user_id=actor.supervisor_id).exists()
    ):
        raise StateConflictError(
            _("Name your supervisor on this restricted case first: she approves the referral.")
        )


@transaction.atomic(durable=True)
def referral_create(
    *,
    actor: User,
    case: Case,
    to_agency: Agency,
    type: str,
    urgency: str,
    services: Sequence[str],
    reason: str,
    shared_sections: Sequence[str],
    consent_override_reason: str = "",
) -> Referral:
    # Referrals of one case are made one at a time: of two requests racing to refer it to the
    # same agency, the second waits on the case's lock and then finds the first (409).
    case, _access = case_get(actor, case.pk, action="refer", lock=True)
    sender = actor.agency
    if sender is None:  # the rule of "refer" asks for one; this tells the type checker
        raise PermissionDenied(_("Only the case's owner and her supervisor refer it."))
    errors: dict[str, list[str]] = {}
    if not to_agency.is_active:
        errors["to_agency"] = [_("This agency no longer takes referrals.")]
    elif to_agency.pk == actor.agency_id:
        errors["to_agency"] = [_("A referral goes to another agency.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the child is referred.")]
    if type == ReferralType.SERVICE and not services:
        errors["services"] = [_("Name the services asked for.")]
    unknown_sections = set(shared_sections) - set(Section.values)
    if unknown_sections:
        errors["shared_sections"] = [
            _("Unknown section: %s.") % ", ".join(sorted(unknown_sections))
        ]
    elif Section.LEGAL in shared_sections and to_agency.type == AgencyType.COMMUNE_COMMITTEE:
        # Court proceedings are never a commune committee's to read.
        errors["shared_sections"] = [_("The legal proceedings are not shared with a commune.")]
    if errors:
        raise ValidationError(errors)
    services = _check_services(services)
    consented = _check_consent(actor, case, consent_override_reason)
    if Referral.objects.filter(case=case, to_agency=to_agency, status__in=LIVE_STATUSES).exists():
        raise StateConflictError(_("This case is already referred to this agency."))
    referral = Referral(
        case=case,
        from_agency=sender,
        to_agency=to_agency,
        type=type,
        urgency=urgency,
        services=services,
        reason=reason,
        shared_sections=list(dict.fromkeys(shared_sections)),
        consent_override_reason="" if consented else consent_override_reason,
        created_by=actor,
        status=ReferralStatus.PENDING_APPROVAL,
    )
    needs_approval = sender.requires_referral_approval and actor.role != Role.SUPERVISOR
    if needs_approval:
        _check_approver_sees(actor, case)
    # Waiting for approval, its supervisor is reminded after a while; once sent, its sender
    # is, at the answer's deadline (_send).
    referral.reminder_at = referral.created_at + reminders.approval_wait()
    if not needs_approval:
        _send(referral)
    referral.full_clean(exclude=["case", "from_agency", "to_agency", "created_by"])
    referral.save()
    audit.record(
        actor=actor,
        action="referral.create",
        obj=referral,
        case_id=case.pk,
        changes={
            "to_agency": to_agency.pk,
            "type": type,
            "urgency": urgency,
            "services": services,
            "shared_sections": referral.shared_sections,
            "status": referral.status,
            "consent_override": not consented,
            "consent_override_reason": referral.consent_override_reason,
        },
    )
    _announce(referral, "referral.created")
    return referral


# The notices a referral's answer (or its cancelling) settles for everyone: the receiver's
# "received" and "overdue", and the approval asked of a supervisor.
_APPROVAL = (NotificationKind.APPROVAL_REQUESTED, NotificationKind.APPROVAL_WAITING)
_ANSWERED = (NotificationKind.REFERRAL_RECEIVED, NotificationKind.REFERRAL_OVERDUE, *_APPROVAL)


@transaction.atomic(durable=True)
def referral_approve(*, actor: User, referral: Referral) -> Referral:
    referral = _locked(referral)
    referral_require(actor, referral, "approve")
    referral.approved_by = actor
    _send(referral)
    referral.save()
    notifications_settle(kinds=_APPROVAL, referral_id=referral.pk)
    audit.record(actor=actor, action="referral.approve", obj=referral, case_id=referral.case_id)
    _announce(referral, "referral.created")
    return referral


@transaction.atomic(durable=True)
def referral_accept(*, actor: User, referral: Referral, assigned_to: User) -> Referral:
    referral = _locked(referral)
    referral_require(actor, referral, "accept")
    if (
        not assigned_to.is_active
        or assigned_to.agency_id != referral.to_agency_id
        or assigned_to.role not in ANSWERING_ROLES
    ):
        raise ValidationError(
            {"assigned_to": [_("Give the child to an active case worker of your agency.")]}
        )
    now = timezone.now()
    referral.status = ReferralStatus.ACCEPTED
    referral.reminder_at = None  # answered: nothing more to remind
    referral.answered_by, referral.answered_at, referral.assigned_to = actor, now, assigned_to
    referral.save()
    notifications_settle(kinds=_ANSWERED, referral_id=referral.pk)
    case = referral.case
    if referral.type == ReferralType.TRANSFER:
        case = case_transfer(
            actor=actor,
            case=case,
            owner=assigned_to,
            agency=referral.to_agency,
            reason=f"referral:{referral.pk}",
        )
    else:
        _sync_receiver_grants(actor=actor, case=case, person=assigned_to)
    audit.record(
        actor=actor,
        action="referral.accept",
        obj=referral,
        case_id=case.pk,
        changes={"assigned_to": assigned_to.pk, "type": referral.type},
    )
    _announce(referral, "referral.accepted")
    return referral


@transaction.atomic(durable=True)
def referral_decline(*, actor: User, referral: Referral, reason: str) -> Referral:
    referral = _locked(referral)
    referral_require(actor, referral, "decline")
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the referral is declined.")]})
    now = timezone.now()
    referral.status = ReferralStatus.DECLINED
    referral.reminder_at = None  # answered: nothing more to remind
    referral.answered_by, referral.answered_at, referral.closed_at = actor, now, now
    referral.decline_reason = reason
    referral.save()
    notifications_settle(kinds=_ANSWERED, referral_id=referral.pk)
    audit.record(
        actor=actor,
        action="referral.decline",
        obj=referral,
        case_id=referral.case_id,
        changes={"reason": reason},
    )
    _announce(referral, "referral.declined")
    return referral


@transaction.atomic(durable=True)
def referral_complete(*, actor: User, referral: Referral, outcome: str) -> Referral:
    """The receiver reports back: the outcome goes into the sender's case as a note (the
    services it recorded are on the case already), and its access ends."""
    referral = _locked(referral)
    referral_require(actor, referral, "complete")
    if not outcome.strip():
        raise ValidationError({"outcome": [_("Report what was done and how the child is.")]})
    now = timezone.now()
    referral.status = ReferralStatus.COMPLETED
    referral.outcome, referral.completed_at, referral.closed_at = outcome, now, now
    referral.save()
    case = referral.case
    case_note_referral_outcome(actor=actor, case=case, agency=referral.to_agency, text=outcome)
    if referral.assigned_to is not None:
        _sync_receiver_grants(actor=actor, case=case, person=referral.assigned_to)
    audit.record(actor=actor, action="referral.complete", obj=referral, case_id=case.pk)
    _announce(referral, "referral.completed")
    return referral


@transaction.atomic(durable=True)
def referral_cancel(*, actor: User, referral: Referral, reason: str) -> Referral:
    referral = _locked(referral)
    referral_require(actor, referral, "cancel")
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the referral is cancelled.")]})
    now = timezone.now()
    referral.status, referral.closed_at = ReferralStatus.CANCELLED, now
    referral.reminder_at = None  # answered: nothing more to remind
    referral.cancelled_by, referral.cancel_reason = actor, reason
    referral.save()
    notifications_settle(kinds=_ANSWERED, referral_id=referral.pk)
    audit.record(
        actor=actor,
        action="referral.cancel",
        obj=referral,
        case_id=referral.case_id,
        changes={"reason": reason},
    )
    _announce(referral, "referral.cancelled")
    return referral
