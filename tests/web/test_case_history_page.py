"""The case history tab reads as a history: people's names, what an edit changed, and a run of
readings folded into one line."""

from __future__ import annotations

import re

import pytest

from cases.services.case import case_record_view, case_update
from tests.conftest import World
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[1:]
    ]


def test_history_names_people_and_what_changed_and_folds_readings(world: World) -> None:
    case = world.own_case
    for _ in range(4):
        case_record_view(actor=world.supervisor, case=case)
    case_update(actor=world.worker, case=case, changes={"summary": "Found at the market."})
    page = signed_in(world.worker).get(f"/cases/{case.pk}/history/").content.decode()
    rows = _rows(page)
    readings = [row for row in rows if "Case file read" in row]
    assert len(readings) == 1, rows
    assert world.supervisor.full_name in readings[0]
    assert "(4 times)" in readings[0]
    edits = [row for row in rows if "Case edited" in row]
    assert edits
    assert edits[0].endswith("Case edited: Summary")
    assert world.worker.full_name in edits[0]
    assert world.worker.username not in page.split("<tbody>", 1)[1]
    assert "Found at the market." not in page, "the history names what changed, not the value"
