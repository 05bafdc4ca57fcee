"""Reads of case data, always through the access policy."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from cases.models import Case
from cases.policy import get_visible_case, visible_cases


def case_list(*, user: User) -> QuerySet[Case]:
    return visible_cases(user)


def case_detail(*, user: User, case_id: int | str) -> Case:
    return get_visible_case(user, case_id)
