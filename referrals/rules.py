"""What may be done on a referral now, by whom: one rule per action, which the services check
(referral_require), the referral page draws its forms from and the API returns as ``actions``.
The state is checked first (409), then the person (403): of two people racing, the loser learns
that the referral moved on, whoever they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import StateConflictError
from referrals.choices import ANSWERING_ROLES, ReferralStatus, ReferralType
from referrals.models import Referral


@dataclass(frozen=True)
class ReferralRule:
    statuses: frozenset[str]  # the states the action is taken from
    who: Callable[[User, Referral], bool]
    refusal: Any  # why the person may not (403)


def _receiver(user: User, referral: Referral) -> bool:
    return user.agency_id == referral.to_agency_id and user.role in ANSWERING_ROLES


def _approver(user: User, referral: Referral) -> bool:
    return referral.created_by.supervisor_id == user.pk


def _canceller(user: User, referral: Referral) -> bool:
    creator = referral.created_by
    return user.agency_id == referral.from_agency_id and user.pk in {
        creator.pk,
        creator.supervisor_id,
        referral.case.owner_id,
    }


_ANSWERERS = gettext_lazy("Only the receiving agency's case workers answer a referral.")

REFERRAL_ACTIONS: dict[str, ReferralRule] = {
    "approve": ReferralRule(
        frozenset({ReferralStatus.PENDING_APPROVAL}),
        _approver,
        gettext_lazy("Only the sender's supervisor approves the referral."),
    ),
    "accept": ReferralRule(frozenset({ReferralStatus.SENT}), _receiver, _ANSWERERS),
    "decline": ReferralRule(frozenset({ReferralStatus.SENT}), _receiver, _ANSWERERS),
    "complete": ReferralRule(frozenset({ReferralStatus.ACCEPTED}), _receiver, _ANSWERERS),
    # Once the receiver has accepted, the referral is theirs to complete: a cancel racing an
    # accept loses with 409 rather than undoing it.
    "cancel": ReferralRule(
        frozenset({ReferralStatus.PENDING_APPROVAL, ReferralStatus.SENT}),
        _canceller,
        gettext_lazy("Only the sender, her supervisor or the case owner cancels."),
    ),
}


def _state_allows(referral: Referral, action: str) -> bool:
    if referral.status not in REFERRAL_ACTIONS[action].statuses:
        return False
    # A transfer is done once accepted: there is nothing to complete.
    return not (action == "complete" and referral.type != ReferralType.SERVICE)


def referral_actions(user: User, referral: Referral) -> frozenset[str]:
    """What ``user`` may do on ``referral`` now (its creator and case loaded with it)."""
    if not user.is_active:
        return frozenset()
    return frozenset(
        action
        for action, rule in REFERRAL_ACTIONS.items()
        if _state_allows(referral, action) and rule.who(user, referral)
    )


def referral_require(user: User, referral: Referral, action: str) -> None:
    """409 when the referral's state does not allow ``action``, 403 when ``user`` may not."""
    if not _state_allows(referral, action):
        if action == "complete" and referral.status == ReferralStatus.ACCEPTED:
            raise StateConflictError(_("A transfer is done once accepted: the case is yours."))
        raise StateConflictError(
            _("The referral is %(status)s: this cannot be done now.")
            % {"status": referral.get_status_display()}
        )
    if not (user.is_active and REFERRAL_ACTIONS[action].who(user, referral)):
        raise PermissionDenied(str(REFERRAL_ACTIONS[action].refusal))
