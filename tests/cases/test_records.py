"""Services, notes and consent services called directly, and the consent selector the referral
app relies on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import ConsentScope, NoteKind
from cases.models import CaseNote, Consent
from cases.selectors.records import consent_covers
from cases.services.records import (
    case_note_create,
    case_service_create,
    consent_create,
    consent_withdraw,
)
from core.errors import StateConflictError
from tests.conftest import World

TODAY = timezone.localdate


def test_consent_covers_a_scope_it_names_and_no_other(world: World) -> None:
    consent_create(
        actor=world.worker,
        case=world.own_case,
        given_by="child",
        scope=[ConsentScope.REFERRAL],
        date=TODAY(),
    )

    assert consent_covers(world.own_case, ConsentScope.REFERRAL) is True
    assert consent_covers(world.own_case, ConsentScope.DATA_SHARING) is False
    assert consent_covers(world.teammates_case, ConsentScope.REFERRAL) is False


def test_withdrawn_consent_covers_nothing(world: World) -> None:
    consent = consent_create(
        actor=world.worker,
        case=world.own_case,
        given_by="caregiver",
        scope=[ConsentScope.REFERRAL, ConsentScope.SERVICES],
        date=TODAY() - timedelta(days=3),
    )

    consent_withdraw(actor=world.worker, consent=consent, date=TODAY())

    assert consent_covers(world.own_case, ConsentScope.REFERRAL) is False
    assert consent_covers(world.own_case, ConsentScope.SERVICES) is False
    with pytest.raises(StateConflictError):
        consent_withdraw(actor=world.worker, consent=consent)


def test_a_consent_recorded_as_withdrawn_carries_its_withdrawal_date(world: World) -> None:
    consent = consent_create(
        actor=world.worker,
        case=world.own_case,
        given_by="child",
        scope=[ConsentScope.SERVICES],
        date=TODAY(),
        withdrawn=True,
    )

    assert (consent.withdrawn, consent.withdrawn_on) == (True, TODAY())
    assert consent_covers(world.own_case, ConsentScope.SERVICES) is False


def test_consent_covers_refuses_an_unknown_scope(world: World) -> None:
    with pytest.raises(ValueError, match="Unknown consent scope"):
        consent_covers(world.own_case, "everything")


def test_withdrawal_cannot_precede_the_consent(world: World) -> None:
    consent = consent_create(
        actor=world.worker,
        case=world.own_case,
        given_by="child",
        scope=[ConsentScope.SERVICES],
        date=TODAY(),
    )

    with pytest.raises(ValidationError) as raised:
        consent_withdraw(actor=world.worker, consent=consent, date=TODAY() - timedelta(days=1))

    assert "withdrawn_on" in raised.value.message_dict
    assert Consent.objects.get().withdrawn is False


def test_note_services_check_access_and_keep_the_text_out_of_the_trail(world: World) -> None:
    with pytest.raises(Http404):
        case_note_create(actor=world.other_worker, case=world.own_case, date=TODAY(), text="x")
    with pytest.raises(PermissionDenied):
        case_note_create(actor=world.dosvy_officer, case=world.own_case, date=TODAY(), text="x")

    note = case_note_create(
        actor=world.worker,
        case=world.own_case,
        kind=NoteKind.PHONE,
        date=TODAY(),
        text="She is afraid of her uncle",
    )

    assert (note.agency_id, note.author_id) == (world.ngo.pk, world.worker.pk)
    event = AuditEvent.objects.get(action="note.create")
    assert event.case_id == world.own_case.pk
    assert "uncle" not in str(event.changes)
    assert CaseNote.objects.count() == 1


def test_service_notes_are_masked_in_the_trail(world: World) -> None:
    case_service_create(
        actor=world.worker,
        case=world.own_case,
        service="legal_aid",
        notes="Court date for the trafficker",
    )

    event = AuditEvent.objects.get(action="service.create")
    assert event.case_id == world.own_case.pk
    assert "trafficker" not in str(event.changes)
    assert event.changes["service"] == "legal_aid"
