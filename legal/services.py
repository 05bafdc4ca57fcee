"""Writes to a case's legal proceedings and their hearings.

Who writes: the people who may add to the case (its owner, her supervisor, and those working on
it through an accepted referral, such as a legal aid organisation), provided they see its legal
section; the door (cases.policy.case_get) decides both. A change of the defendant's status is
kept as a row of its own, never overwritten, so the file shows the whole course of the case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from cases.choices import Section
from cases.models import Case
from cases.policy import case_get
from core.versions import check_version, save_versioned
from legal.choices import ChildRole, DefendantStatus, HearingKind
from legal.models import DefendantStatusChange, Hearing, LegalProceeding
from legal.reminders import hearing_remind_at

# Recording in the legal section is adding to the case: the rule of notes and services (the
# right to contribute, on an open case), asked together with the section.
WRITE_ACTION = "add_note"

PROCEEDING_EDITABLE_FIELDS = frozenset(
    {
        "court",
        "reference",
        "child_role",
        "offence",
        "filed_on",
        "defendant_status",
        "outcome",
        "sentence",
        "restitution_ordered",
        "restitution_paid",
    }
)


def _open_legal(actor: User, case_id: int) -> Case:
    case, _access = case_get(actor, case_id, section=Section.LEGAL, action=WRITE_ACTION, lock=True)
    return case


def _check_proceeding(proceeding: LegalProceeding) -> None:
    errors: dict[str, list[str]] = {}
    if not proceeding.court.strip():
        errors["court"] = [_("Name the court.")]
    if proceeding.child_role not in ChildRole.values:
        errors["child_role"] = [_("Unknown role of the child.")]
    if proceeding.defendant_status and proceeding.defendant_status not in DefendantStatus.values:
        errors["defendant_status"] = [_("Unknown status of the defendant.")]
    if proceeding.filed_on is not None and proceeding.filed_on > timezone.localdate():
        errors["filed_on"] = [_("This date is in the future.")]
    for field in ("restitution_ordered", "restitution_paid"):
        amount: Decimal | None = getattr(proceeding, field)
        if amount is not None and amount < 0:
            errors[field] = [_("An amount cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    proceeding.full_clean(exclude=["case", "created_by"])


def _snapshot(proceeding: LegalProceeding) -> dict[str, Any]:
    return {field: getattr(proceeding, field) for field in sorted(PROCEEDING_EDITABLE_FIELDS)}


def _status_change(
    *, proceeding: LegalProceeding, before: str, actor: User
) -> DefendantStatusChange:
    return DefendantStatusChange.objects.create(
        proceeding=proceeding,
        from_status=before,
        to_status=proceeding.defendant_status,
        date=timezone.localdate(),
        changed_by=actor,
    )


@transaction.atomic(durable=True)
def legal_proceeding_create(
    *,
    actor: User,
    case: Case,
    court: str,
    child_role: str,
    reference: str = "",
    offence: str = "",
    filed_on: date | None = None,
    defendant_status: str = "",
    outcome: str = "",
    sentence: str = "",
    restitution_ordered: Decimal | None = None,
    restitution_paid: Decimal | None = None,
) -> LegalProceeding:
    case = _open_legal(actor, case.pk)
    proceeding = LegalProceeding(
        case=case,
        court=court,
        reference=reference,
        child_role=child_role,
        offence=offence,
        filed_on=filed_on,
        defendant_status=defendant_status,
        outcome=outcome,
        sentence=sentence,
        restitution_ordered=restitution_ordered,
        restitution_paid=restitution_paid,
        created_by=actor,
    )
    _check_proceeding(proceeding)
    proceeding.save()
    if defendant_status:
        # The first status known starts the history.
        _status_change(proceeding=proceeding, before="", actor=actor)
    audit.record(
        actor=actor,
        action="legal_proceeding.create",
        obj=proceeding,
        case_id=case.pk,
        changes=_snapshot(proceeding),
        masked=("outcome", "sentence"),
    )
    return proceeding


@transaction.atomic(durable=True)
def legal_proceeding_update(
    *,
    actor: User,
    proceeding: LegalProceeding,
    expected_version: int | None = None,
    **changes: Any,
) -> LegalProceeding:
    """Changes a proceeding of the case (``proceeding`` names it: its id and its case's),
    refused (412) when ``expected_version`` is given and it changed since the caller read it. A
    new defendant status appends a row to the status history."""
    case = _open_legal(actor, proceeding.case_id)
    unknown = set(changes) - PROCEEDING_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    locked = LegalProceeding.objects.select_for_update().filter(pk=proceeding.pk, case=case).first()
    if locked is None:
        raise Http404("No such legal proceeding.")
    check_version(locked, expected_version)
    before = _snapshot(locked)
    if (
        "defendant_status" in changes
        and not changes["defendant_status"]
        and before["defendant_status"]
    ):
        # A status once known is changed, not taken back: the history would lose its end.
        raise ValidationError({"defendant_status": [_("Give the defendant's new status.")]})
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.case = case
    _check_proceeding(locked)
    changed = audit.diff(before, _snapshot(locked))
    if not changed:
        # Nothing changed: the version stays, so other clients' ETags stay good.
        return locked
    save_versioned(locked, [*sorted(changed), "updated_at"])
    if "defendant_status" in changed:
        _status_change(proceeding=locked, before=before["defendant_status"], actor=actor)
    audit.record(
        actor=actor,
        action="legal_proceeding.update",
        obj=locked,
        case_id=case.pk,
        changes=changed,
        masked=("outcome", "sentence"),
    )
    return locked


def _proceeding_in(case: Case, proceeding_id: int) -> LegalProceeding:
    proceeding = LegalProceeding.objects.filter(pk=proceeding_id, case=case).first()
    if proceeding is None:
        raise Http404("No such legal proceeding.")
    proceeding.case = case
    return proceeding


@transaction.atomic(durable=True)
def hearing_create(
    *,
    actor: User,
    proceeding: LegalProceeding,
    date: date,
    kind: str,
    child_testified: bool = False,
    video_link: bool = False,
    other_protection: str = "",
    note: str = "",
) -> Hearing:
    """Records a hearing of a proceeding of the case (``proceeding`` names it: its id and its
    case's). One still to come reminds the case's owner REMINDER_LEAD_DAYS before it."""
    case = _open_legal(actor, proceeding.case_id)
    proceeding = _proceeding_in(case, proceeding.pk)
    if kind not in HearingKind.values:
        raise ValidationError({"kind": [_("Unknown kind of hearing.")]})
    hearing = Hearing(
        proceeding=proceeding,
        date=date,
        kind=kind,
        child_testified=child_testified,
        video_link=video_link,
        other_protection=other_protection,
        note=note,
        created_by=actor,
        remind_at=hearing_remind_at(date),
    )
    hearing.full_clean(exclude=["proceeding", "created_by"])
    hearing.save()
    # What the child said or how she was protected stays out of the trail.
    audit.record(
        actor=actor,
        action="hearing.create",
        obj=hearing,
        case_id=case.pk,
        changes={
            "proceeding": proceeding.pk,
            "date": hearing.date,
            "kind": hearing.kind,
            "child_testified": hearing.child_testified,
            "video_link": hearing.video_link,
        },
    )
    return hearing


@transaction.atomic(durable=True)
def hearing_reschedule(*, actor: User, hearing: Hearing, date: date) -> Hearing:
    """Moves a hearing to another date (a court postponed it): its reminder comes again for the
    new date. ``hearing`` names it: its id and its proceeding's."""
    proceeding = LegalProceeding.objects.filter(pk=hearing.proceeding_id).first()
    if proceeding is None:
        raise Http404("No such hearing.")
    case = _open_legal(actor, proceeding.case_id)
    locked = (
        Hearing.objects.select_for_update()
        .filter(pk=hearing.pk, proceeding_id=proceeding.pk, proceeding__case=case)
        .first()
    )
    if locked is None:
        raise Http404("No such hearing.")
    if locked.date == date:
        return locked
    before = locked.date
    locked.date = date
    locked.remind_at = hearing_remind_at(date)
    locked.save(update_fields=["date", "remind_at"])
    audit.record(
        actor=actor,
        action="hearing.reschedule",
        obj=locked,
        case_id=case.pk,
        changes={"date": [before, date]},
    )
    return locked
