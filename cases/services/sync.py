"""Keeping partner systems in step with the cases: their external ids, the ``case.updated``
and ``case.gone`` webhooks, and the record of who lost sight of a case and when (the gone feed,
``GET /api/v1/cases/gone/``).

Payloads name a case by its id and external ids only: never the child."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import Case, CaseDeparture, CaseExternalId, CaseGrantBasis
from cases.models.external import SYSTEM_CODE
from cases.policy import visible_cases
from cases.prefetched import external_ids_of
from notifications.models import CASE_GONE, CASE_UPDATED, WebhookEndpoint
from notifications.webhooks import webhook_emit

EXTERNAL_ID_MAX_LENGTH = 100


def _refusal(message: str) -> ValidationError:
    return ValidationError({"external_ids": [message]})


def _checked(wanted: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """The list as ``{system: id}``, refused when a system comes twice or a value is malformed:
    a case has one id in each system."""
    by_system: dict[str, str] = {}
    for entry in wanted:
        system, external_id = str(entry["system"]), str(entry["id"]).strip()
        try:
            SYSTEM_CODE(system)
        except ValidationError as error:
            raise _refusal(error.messages[0]) from error
        if not external_id or len(external_id) > EXTERNAL_ID_MAX_LENGTH:
            raise _refusal(_("An external id is 1 to 100 characters."))
        if system in by_system:
            raise _refusal(
                _("The system %(system)s is given twice: a case has one id in each system.")
                % {"system": system}
            )
        by_system[system] = external_id
    return by_system


def _conflict(actor: User, system: str, external_id: str, other: int) -> ValidationError:
    """Which case already holds the id, said only to someone who may see that case."""
    seen = visible_cases(actor).filter(pk=other).values_list("case_number", flat=True).first()
    if seen is not None:
        return _refusal(
            _("%(system)s:%(id)s already names case %(number)s.")
            % {"system": system, "id": external_id, "number": seen}
        )
    return _refusal(
        _("%(system)s:%(id)s already names another case.") % {"system": system, "id": external_id}
    )


# Not durable: it runs inside the transaction of the service that registers or edits the case.
@transaction.atomic
def case_set_external_ids(
    *, actor: User, case: Case, wanted: Sequence[Mapping[str, str]]
) -> list[list[str]] | None:
    """Makes ``case``'s external ids exactly ``wanted`` (a PATCH replaces the list). Returns
    ``[before, after]`` as ``system:id`` strings for the caller's audit event, None when nothing
    changed. A (system, id) that already names another case is refused (400 on
    ``external_ids``); the unique constraint settles a race between two requests."""
    by_system = _checked(wanted)
    current = {row.system: row for row in CaseExternalId.objects.filter(case=case)}
    before = sorted(f"{system}:{row.external_id}" for system, row in current.items())
    after = sorted(f"{system}:{external_id}" for system, external_id in by_system.items())
    if before == after:
        return None
    taken = CaseExternalId.objects.exclude(case=case).filter(
        system__in=list(by_system), external_id__in=list(by_system.values())
    )
    for row in taken:
        if by_system.get(row.system) == row.external_id:
            raise _conflict(actor, row.system, row.external_id, row.case_id)
    stale = [row.pk for system, row in current.items() if by_system.get(system) != row.external_id]
    CaseExternalId.objects.filter(pk__in=stale).delete()
    kept = {system for system, row in current.items() if row.pk not in stale}
    try:
        with transaction.atomic():
            CaseExternalId.objects.bulk_create(
                CaseExternalId(case=case, system=system, external_id=external_id)
                for system, external_id in by_system.items()
                if system not in kept
            )
    except IntegrityError as error:
        # Another request gave the same id to another case between our check and our insert.
        raise _refusal(_("One of these external ids was just given to another case.")) from error
    return [before, after]


# --- Webhooks -------------------------------------------------------------------------------


def case_announce_update(case: Case) -> None:
    """Tells the case's agency, and the agencies working on it through a grant (an accepted
    referral, a reintegration), that the case changed: its id, external ids and ``updated_at``.
    One query when no partner system listens. A restricted case is not announced: its
    existence is for the people named on it."""
    if case.restricted:
        return
    working_on = CaseGrantBasis.objects.filter(case=case).values("user__agency_id")
    listening = WebhookEndpoint.objects.filter(
        Q(agency_id=case.agency_id) | Q(agency_id__in=working_on), is_active=True
    ).values_list("agency_id", "events")
    agencies = {agency_id for agency_id, events in listening if CASE_UPDATED in events}
    if not agencies:
        return
    payload = {
        "case": {
            "id": case.pk,
            "external_ids": external_ids_of(case),
            "updated_at": case.updated_at.isoformat(),
        }
    }
    webhook_emit(event=CASE_UPDATED, agency_ids=agencies, payload=payload)


# --- Who lost sight of a case ---------------------------------------------------------------


def who_sees(case: Case, people: Iterable[User]) -> set[int]:
    """The ids of ``people`` who see ``case`` now, by the access policy: one query each, for
    the handful of people a change can take the case from."""
    return {person.pk for person in people if visible_cases(person).filter(pk=case.pk).exists()}


def departures_record(
    *, case: Case, people: Sequence[User], saw: set[int], reason: str
) -> list[int]:
    """After a change, records that ``case`` left those of ``people`` who saw it before
    (``saw``, from :func:`who_sees`) and no longer do, and tells the agencies left without
    anybody seeing it (``case.gone``). Returns the ids of the people who lost it."""
    candidates = [person for person in people if person.pk in saw]
    if not candidates:
        return []
    still = who_sees(case, candidates)
    lost = [person for person in candidates if person.pk not in still]
    if not lost:
        return []
    now = timezone.now()
    CaseDeparture.objects.bulk_create(
        CaseDeparture(user=person, case=case, at=now, reason=reason) for person in lost
    )
    keeping = {person.agency_id for person in candidates if person.pk in still}
    keeping.add(case.agency_id)
    gone_from = {
        person.agency_id
        for person in lost
        if person.agency_id is not None and person.agency_id not in keeping
    }
    if gone_from:
        payload: dict[str, Any] = {
            "case": {"id": case.pk, "external_ids": external_ids_of(case), "at": now.isoformat()}
        }
        webhook_emit(event=CASE_GONE, agency_ids=gone_from, payload=payload)
    return [person.pk for person in lost]
