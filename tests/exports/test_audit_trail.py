"""The bulk append the exports write each exported case's event with
(``audit.services.record_many``): rows chained one to the next in batches, under the chain's
lock, so the trail verifies as if each had been recorded alone."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction

from audit import services as audit
from audit.models import AuditEvent


def test_events_appended_in_batches_chain_as_one_by_one_and_the_chain_verifies(db: None) -> None:
    with transaction.atomic():
        before = audit.record(actor=None, action="step.before")
        written = audit.record_many(
            actor=None,
            action="case.export",
            case_ids=[11, 12, 13, 14, 15],
            changes={"export": 7, "password": "never"},
            batch_size=2,
        )
        after = audit.record(actor=None, action="step.after")
    assert written == 5
    events = list(AuditEvent.objects.order_by("id"))
    assert [event.case_id for event in events] == [None, 11, 12, 13, 14, 15, None]
    assert events[1].prev_hash == before.hash
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(events))
    assert after.prev_hash == events[5].hash
    assert events[3].changes == {"export": 7, "password": audit.MASK}
    assert audit.verify_chain() is None
    call_command("verify_audit")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_append_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        audit.record_many(actor=None, action="case.export", case_ids=[1])
