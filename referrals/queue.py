"""A supervisor's referral queue: what waits for them or their agency.

Three short lists, each one query: referrals their team wants sent (waiting for their approval),
referrals sent to their agency and not yet answered, and referrals of their agency, either way,
left unanswered past their deadline. Each list is drawn from the referrals the user may open
(referrals.selectors), so the queue never shows one that its detail page would hide."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from referrals.choices import ReferralStatus
from referrals.models import Referral
from referrals.selectors import referrals_visible_to

QUEUE_ROLES = frozenset({Role.SUPERVISOR, Role.AGENCY_ADMIN})
# Each list shows the most pressing referrals first; the full lists are under /referrals/.
QUEUE_LENGTH = 50


@dataclass(frozen=True)
class Queue:
    pending_approval: list[Referral]
    awaiting_answer: list[Referral]
    overdue: list[Referral]


def can_see_queue(user: User) -> bool:
    return user.is_active and user.role in QUEUE_ROLES and user.agency_id is not None


def _most_pressing(referrals: QuerySet[Referral]) -> list[Referral]:
    return list(
        referrals.select_related("from_agency", "to_agency")
        # The case number is all the queue says of the case: no child data is read.
        .annotate(case_number=F("case__case_number"))
        .order_by(F("respond_by").asc(nulls_last=True), "created_at", "id")[:QUEUE_LENGTH]
    )


def supervisor_queue(*, user: User) -> Queue:
    if not can_see_queue(user):
        raise PermissionDenied(_("Only supervisors and agency admins have a referral queue."))
    visible = referrals_visible_to(user)
    agency_id = user.agency_id
    sent = visible.filter(status=ReferralStatus.SENT)
    return Queue(
        pending_approval=_most_pressing(
            visible.filter(
                status=ReferralStatus.PENDING_APPROVAL, created_by__supervisor_id=user.pk
            )
        ),
        awaiting_answer=_most_pressing(sent.filter(to_agency_id=agency_id)),
        overdue=_most_pressing(
            sent.filter(Q(from_agency_id=agency_id) | Q(to_agency_id=agency_id)).filter(
                respond_by__lt=timezone.now()
            )
        ),
    )
