"""Every write of the trafficking pathway: checked through the door, validated, audited, one
transaction each."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from audit import services as audit
from cases.choices import Section
from cases.models import Case
from cases.policy import case_get
from cases.services.common import case_changed
from core.errors import StateConflictError
from trafficking.choices import (
    COMPETENT_AGENCY_TYPES,
    REPATRIATION_CHAIN,
    REPATRIATION_ENDED,
    CrossingKind,
    Indicator,
    RepatriationStatus,
    VictimStatus,
)
from trafficking.models import (
    Crossing,
    IdentificationWatch,
    Repatriation,
    RepatriationStep,
    VictimIdentification,
)
from trafficking.reminders import stall_wait

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


def _not_in_future(field: str, value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: [_("This date is in the future.")]})


@transaction.atomic(durable=True)
def identification_record(
    *,
    actor: User,
    case: Case,
    date: date,
    status: str,
    indicators: Sequence[str] = (),
    identifying_agency: Agency | None = None,
    reference: str = "",
    notes: str = "",
) -> VictimIdentification:
    """Records an identification of the child. ``identified`` is a formal identification:
    only by a competent agency (the police, MoSVY or DoSVY), named as the identifying agency
    and being the recorder's own. Earlier identifications stay as the history."""
    case, _access = case_get(
        actor, case.pk, section=Section.CONCERNS, action="identify_victim", lock=True
    )
    _not_in_future("date", date)
    errors: dict[str, list[str]] = {}
    unknown = set(indicators) - set(Indicator.values)
    if unknown:
        errors["indicators"] = [_("Unknown indicator: %s.") % ", ".join(sorted(unknown))]
    if status == VictimStatus.IDENTIFIED:
        if identifying_agency is None:
            errors["identifying_agency"] = [_("Name the agency that identified the child.")]
        elif identifying_agency.type not in COMPETENT_AGENCY_TYPES:
            errors["identifying_agency"] = [
                _("Only the police, MoSVY or DoSVY identify a victim formally.")
            ]
    if errors:
        raise ValidationError(errors)
    if (
        status == VictimStatus.IDENTIFIED
        and identifying_agency is not None
        and identifying_agency.pk != actor.agency_id
    ):
        raise PermissionDenied(_("A formal identification is recorded by the identifying agency."))
    identification = VictimIdentification(
        case=case,
        date=date,
        status=status,
        indicators=sorted(set(indicators)),
        identifying_agency=identifying_agency,
        reference=reference,
        notes=notes,
        recorded_by=actor,
    )
    identification.full_clean()
    identification.save()
    # Identified (or found not to be a victim): the case no longer waits for it.
    IdentificationWatch.objects.filter(case=case).update(remind_at=None)
    case_changed(case)
    audit.record(
        actor=actor,
        action="identification.create",
        obj=identification,
        case_id=case.pk,
        changes={
            "status": status,
            "indicators": identification.indicators,
            "identifying_agency": identifying_agency.pk if identifying_agency else None,
            "date": date,
        },
    )
    return identification


def _crossing(value: Crossing | None, kind: str, field: str) -> None:
    if value is not None and (value.kind != kind or not value.is_active):
        raise ValidationError({field: [_("Choose a place of this kind from the list.")]})


@transaction.atomic(durable=True)
def repatriation_start(
    *,
    actor: User,
    case: Case,
    direction: str,
    country: str,
    found_at: str = "",
    border_point: Crossing | None = None,
    transit_centre: Crossing | None = None,
    foreign_reference: str = "",
    notes: str = "",
) -> Repatriation:
    """Opens a repatriation at ``requested``, its first step recorded."""
    case, _access = case_get(
        actor, case.pk, section=Section.REPATRIATION, action="repatriate", lock=True
    )
    if not COUNTRY_CODE.match(country or ""):
        raise ValidationError(
            {"country": [_("Give the country as its two-letter code (TH, VN, MY...).")]}
        )
    if country == "KH":
        raise ValidationError({"country": [_("Give the other country, not Cambodia.")]})
    _crossing(border_point, CrossingKind.BORDER_POINT, "border_point")
    _crossing(transit_centre, CrossingKind.TRANSIT_CENTRE, "transit_centre")
    if Repatriation.objects.filter(case=case).exclude(status__in=REPATRIATION_ENDED).exists():
        raise StateConflictError(_("A repatriation of this child is already under way."))
    now = timezone.now()
    repatriation = Repatriation(
        case=case,
        direction=direction,
        country=country,
        found_at=found_at,
        border_point=border_point,
        transit_centre=transit_centre,
        foreign_reference=foreign_reference,
        notes=notes,
        created_by=actor,
        created_at=now,
        stall_remind_at=now + stall_wait(),
    )
    repatriation.full_clean()
    repatriation.save()
    RepatriationStep.objects.create(
        repatriation=repatriation,
        status=RepatriationStatus.REQUESTED,
        date=timezone.localdate(),
        moved_by=actor,
        moved_at=now,
    )
    case_changed(case)
    audit.record(
        actor=actor,
        action="repatriation.create",
        obj=repatriation,
        case_id=case.pk,
        changes={"direction": direction, "country": country},
    )
    return repatriation


@transaction.atomic(durable=True)
def repatriation_advance(
    *, actor: User, repatriation: Repatriation, status: str, date: date, note: str = ""
) -> Repatriation:
    """Moves a repatriation to the next status of the chain, or cancels it before it ends. A
    skip, a step back, or any move once it ended is a conflict (409)."""
    case, _access = case_get(
        actor,
        repatriation.case_id,
        section=Section.REPATRIATION,
        action="repatriate",
        lock=True,
    )
    repatriation = Repatriation.objects.select_for_update().get(pk=repatriation.pk, case=case)
    _not_in_future("date", date)
    if status not in RepatriationStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    current = repatriation.status
    if current in REPATRIATION_ENDED:
        raise StateConflictError(_("This repatriation has ended."))
    if status != RepatriationStatus.CANCELLED:
        following = REPATRIATION_CHAIN[REPATRIATION_CHAIN.index(RepatriationStatus(current)) + 1]
        if status != following:
            raise StateConflictError(
                _("The next step is “%(next)s”: a repatriation moves one step at a time.")
                % {"next": RepatriationStatus(following).label}
            )
    last = repatriation.steps.order_by("-date").values_list("date", flat=True).first()
    if last is not None and date < last:
        raise ValidationError({"date": [_("This date is before the previous step's.")]})
    RepatriationStep.objects.create(
        repatriation=repatriation, status=status, date=date, note=note, moved_by=actor
    )
    repatriation.status = status
    repatriation.stall_remind_at = (
        None if status in REPATRIATION_ENDED else timezone.now() + stall_wait()
    )
    repatriation.save(update_fields=["status", "stall_remind_at"])
    case_changed(case)
    audit.record(
        actor=actor,
        action="repatriation.advance",
        obj=repatriation,
        case_id=case.pk,
        changes={"status": [current, status], "date": date},
    )
    return repatriation
