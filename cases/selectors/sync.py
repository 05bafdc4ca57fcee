"""What a partner system asks to keep in step: the cases that left the caller's reach."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from accounts.models import User
from cases.models import CaseDeparture
from cases.policy import visible_cases


def cases_gone(*, user: User, since: datetime) -> QuerySet[CaseDeparture]:
    """The cases that left ``user``'s reach at or after ``since``, in the order they left, with
    their external ids when the page is given to cases.prefetched.load_details: two queries a
    page. A case back in reach since (a new referral) is left
    out: the changed-cases list shows it again."""
    return (
        CaseDeparture.objects.filter(user_id=user.pk, at__gte=since)
        .exclude(case_id__in=visible_cases(user).values("pk"))
        .select_related("case")
        .only("id", "at", "case_id", "case__id")
        .order_by("at", "id")
    )
