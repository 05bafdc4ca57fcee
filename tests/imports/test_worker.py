"""An import end to end through a real Celery worker thread on the Redis broker: sent through
the API, checked and saved by the worker, followed to 100 percent."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from cases.models import Case
from imports.models import CaseImport
from tests.conftest import World, api_client
from tests.imports.conftest import IMPORTS, csv_bytes, row, send
from tests.notifications.conftest import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("celery_worker_thread"),
]


def test_the_worker_imports_a_file_sent_through_the_api(world: World) -> None:
    before = Case.objects.count()
    content = csv_bytes([row(n, world.pp_village) for n in range(1, 51)])

    answer = send(world.supervisor, content)

    assert answer.status_code == 202
    pk = answer.json()["id"]
    wait_until(lambda: CaseImport.objects.get(pk=pk).status in {"done", "failed"})
    detail = api_client(world.supervisor).get(f"{IMPORTS}{pk}/").json()
    assert (detail["status"], detail["progress"], detail["created"], detail["errors"]) == (
        "done",
        100,
        50,
        [],
    )
    assert Case.objects.count() == before + 50
    assert AuditEvent.objects.filter(action="import.done", object_id=str(pk)).exists()
    # The file's content is not kept once read: it holds children's details.
    assert bytes(CaseImport.objects.get(pk=pk).content) == b""
