"""/statistics/reports/: choosing a standard report in the browser, and getting its file."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from reporting.facts import facts_refresh
from tests.conftest import World
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_page_lists_the_reports_and_is_linked_from_the_dashboard(world: World) -> None:
    client = signed_in(world.analyst)
    page = client.get("/statistics/reports/").content.decode()
    for title in (
        "Quarterly case report",
        "Annual trafficking report",
        "Reintegration outcomes",
        "Referral performance",
    ):
        assert title in page
    assert 'href="/statistics/reports/"' in client.get("/statistics/").content.decode()


@pytest.mark.parametrize("person", ["worker", "commune_member", "police"])
def test_people_statistics_are_not_for_get_403(world: World, person: str) -> None:
    assert signed_in(getattr(world, person)).get("/statistics/reports/").status_code == 403


def test_a_choice_sends_the_reader_to_the_file_in_her_language(world: World) -> None:
    facts_refresh(full=True)
    client = signed_in(world.analyst)
    year = timezone.localdate().year
    choice: dict[str, str | int] = {
        "report": "quarterly_cases",
        "year": year,
        "quarter": 1,
        "format": "xlsx",
    }
    chosen = client.get("/statistics/reports/", choice)
    assert chosen.status_code == 302
    target = urlparse(chosen["Location"])
    assert target.path == "/api/v1/reports/quarterly_cases/"
    assert parse_qs(target.query) == {"year": [str(year)], "quarter": ["1"], "format": ["xlsx"]}
    client.post("/i18n/setlang/", {"language": "km", "next": "/"})
    file = client.get(chosen["Location"])
    assert file.status_code == 200
    assert file["Content-Disposition"].startswith('attachment; filename="quarterly_cases-')
    workbook = load_workbook(io.BytesIO(file.content))
    cells = {cell.value for row in workbook.worksheets[0].iter_rows() for cell in row}
    assert "សរុប" in cells  # "Total" in Khmer


def test_a_choice_the_report_refuses_is_shown_on_the_page(world: World) -> None:
    client = signed_in(world.analyst)
    year = timezone.localdate().year
    choice: dict[str, str | int] = {
        "report": "trafficking_annual",
        "year": year,
        "quarter": 2,
        "format": "csv",
    }
    refused = client.get("/statistics/reports/", choice)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "The report cannot be made" in page
    assert "This report covers a whole year: leave out the quarter." in page
