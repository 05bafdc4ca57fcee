"""A page whose action the case's state refuses answers 409 with the reason, as the API does,
never a server error (core.middleware.ConflictPageMiddleware)."""

from __future__ import annotations

from django.utils import timezone

from cases.choices import ClosureReason, Status
from cases.models import Case
from tests.conftest import World
from tests.web.conftest import signed_in


def test_editing_a_closed_case_is_refused_with_the_reason(world: World) -> None:
    Case.objects.filter(pk=world.own_case.pk).update(
        status=Status.CLOSED, closed_at=timezone.now(), closure_reason=ClosureReason.REINTEGRATED
    )

    answer = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/edit/")

    assert answer.status_code == 409
    assert b"reopen it first" in answer.content


def test_a_reader_who_may_not_edit_at_all_gets_403_whatever_the_state(world: World) -> None:
    """The provincial office sees the case but never edits it: it learns that, not the state."""
    Case.objects.filter(pk=world.own_case.pk).update(
        status=Status.CLOSED, closed_at=timezone.now(), closure_reason=ClosureReason.REINTEGRATED
    )

    answer = signed_in(world.dosvy_officer).get(f"/cases/{world.own_case.pk}/edit/")

    assert answer.status_code == 403
