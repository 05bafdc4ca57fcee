"""Formal transfer of a child victim's custody to a shelter: recorded with its legal basis, the
official who authorised it and the family's consent, or why it was done without."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import ServiceCode
from accounts.models import Agency, AgencyService, User
from audit import services as audit
from cases.models import Case
from cases.policy import CaseAccess, case_get
from cases.services.common import require_open
from referrals.choices import ReferralStatus
from referrals.models import CustodyTransfer, Referral

# A child's custody goes only to an agency that can house them.
CUSTODY_SERVICES = frozenset({ServiceCode.SHELTER, ServiceCode.ALTERNATIVE_CARE})


def _may_record(actor: User, case: Case, access: CaseAccess, to_agency: Agency) -> bool:
    """The case's owner or her supervisor; or the receiving shelter itself, when it holds the
    child through an accepted referral of this case."""
    if access.manage:
        return True
    return (
        actor.agency_id is not None
        and actor.agency_id == to_agency.pk
        and Referral.objects.filter(
            case=case, to_agency_id=to_agency.pk, status=ReferralStatus.ACCEPTED
        ).exists()
    )


def may_record_custody(actor: User, case: Case, access: CaseAccess) -> bool:
    """Whether ``actor`` may record a custody transfer of ``case`` to some agency: the case's
    owner or her supervisor, or an agency holding the child through an accepted referral of
    the case (which records transfers to itself alone). The page offers its form by this."""
    if access.manage:
        return True
    return (
        actor.agency_id is not None
        and Referral.objects.filter(
            case=case, to_agency_id=actor.agency_id, status=ReferralStatus.ACCEPTED
        ).exists()
    )


def _input_errors(
    *,
    case: Case,
    to_agency: Agency,
    date: datetime.date,
    family_consent: bool,
    no_consent_reason: str,
    referral: Referral | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    houses_children = AgencyService.objects.filter(
        agency_id=to_agency.pk, service_id__in=CUSTODY_SERVICES
    ).exists()
    if not to_agency.is_active or not houses_children:
        errors["to_agency"] = [_("Custody goes only to an active agency offering shelter or care.")]
    if date > timezone.localdate():
        errors["date"] = [_("This date is in the future.")]
    if not family_consent and not no_consent_reason.strip():
        errors["no_consent_reason"] = [_("Say why custody is transferred without consent.")]
    if referral is not None and (
        referral.case_id != case.pk or referral.to_agency_id != to_agency.pk
    ):
        errors["referral"] = [_("The referral must be of this case and to this agency.")]
    return errors


def _snapshot(transfer: CustodyTransfer) -> dict[str, Any]:
    return {
        "to_agency": transfer.to_agency_id,
        "referral": transfer.referral_id,
        "legal_basis": transfer.legal_basis,
        "authorising_official": transfer.authorising_official,
        "authorising_official_title": transfer.authorising_official_title,
        "date": transfer.date,
        "family_consent": transfer.family_consent,
        "no_consent_reason": transfer.no_consent_reason,
    }


@transaction.atomic(durable=True)
def custody_transfer_record(
    *,
    actor: User,
    case: Case,
    to_agency: Agency,
    legal_basis: str,
    authorising_official: str,
    authorising_official_title: str = "",
    date: datetime.date,
    family_consent: bool,
    no_consent_reason: str = "",
    referral: Referral | None = None,
) -> CustodyTransfer:
    # Re-read under a lock, through the caller's reach: a case out of reach is missing (404).
    locked, access = case_get(actor, case.pk, lock=True)
    if not _may_record(actor, locked, access, to_agency):
        raise PermissionDenied(
            _("Only the case owner, their supervisor or the receiving shelter records custody.")
        )
    require_open(locked)
    errors = _input_errors(
        case=locked,
        to_agency=to_agency,
        date=date,
        family_consent=family_consent,
        no_consent_reason=no_consent_reason,
        referral=referral,
    )
    if errors:
        raise ValidationError(errors)
    transfer = CustodyTransfer(
        case=locked,
        referral=referral,
        to_agency=to_agency,
        legal_basis=legal_basis,
        authorising_official=authorising_official,
        authorising_official_title=authorising_official_title,
        date=date,
        family_consent=family_consent,
        no_consent_reason=no_consent_reason,
        recorded_by=actor,
    )
    transfer.full_clean()
    transfer.save()
    audit.record(
        actor=actor,
        action="custody.record",
        obj=transfer,
        case_id=locked.pk,
        changes=_snapshot(transfer),
        # Why a family did not consent can describe the family; the trail keeps that it was said.
        masked=("no_consent_reason",),
    )
    return transfer
