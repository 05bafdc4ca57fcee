"""Writes to what happens on a case day to day: services delivered, notes and consent.

Notes are append-only (a correction is a new note), and a consent is withdrawn on its own row,
never deleted, so the file shows what was agreed when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from audit import services as audit
from cases.choices import ConsentGiver, ConsentScope, NoteKind, Section, ServiceStatus
from cases.models import Case, CaseNote, CaseService, Consent
from cases.policy import case_get
from cases.reminders import CONTACT_NOTE_KINDS, case_reschedule_reminders
from cases.services.common import case_changed
from core.errors import StateConflictError
from core.versions import check_version, save_versioned


def _not_in_future(field: str, value: date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError({field: [_("This date is in the future.")]})


def _recording_agency(actor: User) -> Agency:
    if actor.agency is None:
        raise PermissionDenied(_("Only a member of an agency records work on a case."))
    return actor.agency


def _check_period(start_date: date | None, end_date: date | None) -> None:
    if start_date is not None and end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": [_("The end date is before the start date.")]})


def _service_snapshot(record: CaseService) -> dict[str, Any]:
    return {
        "service": record.service_id,
        "provider_agency": record.provider_agency_id,
        "status": record.status,
        "start_date": record.start_date,
        "end_date": record.end_date,
        "notes": record.notes,
    }


@transaction.atomic(durable=True)
def case_service_create(
    *,
    actor: User,
    case: Case,
    service: str,
    provider_agency: Agency | None = None,
    status: str = ServiceStatus.PLANNED,
    start_date: date | None = None,
    end_date: date | None = None,
    notes: str = "",
) -> CaseService:
    case, _access = case_get(actor, case.pk, action="add_service", lock=True)
    _check_period(start_date, end_date)
    record = CaseService(
        case=case,
        service_id=service,
        provider_agency=provider_agency,
        status=status,
        start_date=start_date,
        end_date=end_date,
        notes=notes,
        agency=_recording_agency(actor),
        recorded_by=actor,
    )
    record.full_clean()
    record.save()
    audit.record(
        actor=actor,
        action="service.create",
        obj=record,
        case_id=case.pk,
        changes=_service_snapshot(record),
        masked=("notes",),
    )
    return record


SERVICE_EDITABLE_FIELDS = frozenset({"status", "start_date", "end_date", "notes"})


@transaction.atomic(durable=True)
def case_service_update(
    *, actor: User, record: CaseService, expected_version: int | None = None, **changes: Any
) -> CaseService:
    """Edits a service record of the case (``record`` names it: its id and its case's), refused
    (412) when ``expected_version`` is given and it changed since the caller read it. Another
    agency's record (a referral receiver's contribution, or the owner's seen by a receiver) is
    edited only by the people who manage the case; nobody edits what they may not read."""
    case, access = case_get(
        actor, record.case_id, section=Section.NOTES, action="add_service", lock=True
    )
    unknown = set(changes) - SERVICE_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    locked = CaseService.objects.select_for_update().filter(pk=record.pk, case=case).first()
    if locked is None:
        raise Http404("No such service record.")
    if not access.manage and locked.agency_id != actor.agency_id:
        raise PermissionDenied(_("Only the recording agency or the case's managers edit this."))
    check_version(locked, expected_version)
    before = _service_snapshot(locked)
    for field, value in changes.items():
        setattr(locked, field, value)
    _check_period(locked.start_date, locked.end_date)
    locked.full_clean()
    changed = audit.diff(before, _service_snapshot(locked))
    if not changed:
        # Nothing changed: the version stays, so other clients' ETags stay good.
        return locked
    save_versioned(locked, SERVICE_EDITABLE_FIELDS)
    audit.record(
        actor=actor,
        action="service.update",
        obj=locked,
        case_id=case.pk,
        changes=changed,
        masked=("notes",),
    )
    return locked


@transaction.atomic(durable=True)
def case_note_create(
    *, actor: User, case: Case, kind: str = NoteKind.OTHER, date: date, text: str
) -> CaseNote:
    case, _access = case_get(actor, case.pk, action="add_note", lock=True)
    _not_in_future("date", date)
    if not text.strip():
        raise ValidationError({"text": [_("A note needs some text.")]})
    note = CaseNote(
        case=case, kind=kind, date=date, text=text, agency=_recording_agency(actor), author=actor
    )
    note.full_clean()
    note.save()
    if kind in CONTACT_NOTE_KINDS:
        case.last_contact_at = timezone.now()
        case_changed(case, "last_contact_at")
        case_reschedule_reminders(case)
    # The text stays out of the trail: it is the most sensitive part of the file.
    audit.record(
        actor=actor,
        action="note.create",
        obj=note,
        case_id=case.pk,
        changes={"kind": note.kind, "date": note.date},
    )
    return note


# Not durable: it runs inside the transaction of the referral completed (referral_complete).
@transaction.atomic
def case_note_referral_outcome(*, actor: User, case: Case, agency: Agency, text: str) -> CaseNote:
    """The outcome a receiving agency reports when it completes a referral, kept in the case as
    its note, with the audit event every note has. The referral workflow decided that ``actor``
    answers for the receiving ``agency`` (referrals.services.referral_complete): after this, that
    agency sees no more of the case than what it recorded."""
    note = CaseNote.objects.create(
        case=case,
        kind=NoteKind.REFERRAL_OUTCOME,
        date=timezone.localdate(),
        text=text,
        agency=agency,
        author=actor,
    )
    audit.record(
        actor=actor,
        action="note.create",
        obj=note,
        case_id=case.pk,
        changes={"kind": note.kind, "date": note.date},
    )
    return note


def _check_scope(scope: Sequence[str]) -> list[str]:
    if not scope:
        raise ValidationError({"scope": [_("Name at least one thing consented to.")]})
    unknown = [value for value in scope if value not in ConsentScope.values]
    if unknown:
        raise ValidationError({"scope": [_("Unknown scope: %s.") % ", ".join(map(str, unknown))]})
    if len(set(scope)) != len(scope):
        raise ValidationError({"scope": [_("Each scope is named once.")]})
    return list(scope)


def _check_withdrawal(given_on: date, withdrawn_on: date) -> None:
    _not_in_future("withdrawn_on", withdrawn_on)
    if withdrawn_on < given_on:
        raise ValidationError({"withdrawn_on": [_("Consent is withdrawn after it is given.")]})


@transaction.atomic(durable=True)
def consent_create(
    *,
    actor: User,
    case: Case,
    given_by: str,
    scope: Sequence[str],
    date: date,
    giver_name: str = "",
    withdrawn: bool = False,
    withdrawn_on: date | None = None,
    notes: str = "",
) -> Consent:
    """Records a consent. One recorded after it was already withdrawn carries the withdrawal
    date (today unless given)."""
    case, _access = case_get(actor, case.pk, action="record_consent", lock=True)
    if given_by not in ConsentGiver.values:
        raise ValidationError({"given_by": [_("Consent is given by the child or a caregiver.")]})
    scope = _check_scope(scope)
    _not_in_future("date", date)
    if withdrawn:
        withdrawn_on = withdrawn_on or timezone.localdate()
        _check_withdrawal(date, withdrawn_on)
    else:
        withdrawn_on = None
    consent = Consent(
        case=case,
        given_by=given_by,
        giver_name=giver_name,
        scope=scope,
        date=date,
        withdrawn=withdrawn,
        withdrawn_on=withdrawn_on,
        notes=notes,
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    audit.record(
        actor=actor,
        action="consent.create",
        obj=consent,
        case_id=case.pk,
        changes={
            "given_by": given_by,
            "scope": scope,
            "date": date,
            "withdrawn": withdrawn,
            "withdrawn_on": withdrawn_on,
        },
    )
    return consent


@transaction.atomic(durable=True)
def consent_withdraw(*, actor: User, consent: Consent, date: date | None = None) -> Consent:
    case, _access = case_get(actor, consent.case_id, action="record_consent", lock=True)
    consent = Consent.objects.select_for_update().get(pk=consent.pk, case=case)
    if consent.withdrawn:
        raise StateConflictError(_("This consent is already withdrawn."))
    withdrawn_on = date or timezone.localdate()
    _check_withdrawal(consent.date, withdrawn_on)
    consent.withdrawn = True
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn", "withdrawn_on"])
    audit.record(
        actor=actor,
        action="consent.withdraw",
        obj=consent,
        case_id=case.pk,
        changes={"withdrawn": [False, True], "withdrawn_on": withdrawn_on},
    )
    return consent
