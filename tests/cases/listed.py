"""Cases made for the tests of lists, each older than the last, so a list's order is known."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases.choices import Status
from cases.models import Case
from tests.factories import CaseFactory

_minutes = count(1)


def listed_case(owner: User, location: object, *, status: str = Status.OPEN, **fields: Any) -> Case:
    closed_at = timezone.now() if status == Status.CLOSED else None
    case = CaseFactory.create(
        owner=owner, location=location, status=status, closed_at=closed_at, **fields
    )
    Case.objects.filter(pk=case.pk).update(
        created_at=timezone.now() - timedelta(minutes=next(_minutes))
    )
    return case
