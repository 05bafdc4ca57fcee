"""The import page on a phone, with a real Celery worker: a supervisor downloads the template,
checks a filled-in copy with two bad rows (in Khmer) and reads every error by row and column;
then imports the corrected file for real (in English), imports it again and changes nothing;
a supervisor of another agency sees none of it."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.utils import translation
from django.utils.translation import gettext, ngettext
from openpyxl import load_workbook
from playwright.sync_api import FilePayload, Page, expect

from accounts.models import Location
from cases.models import Case
from cpims.celery import app as cpims_celery_app
from imports.columns import COLUMNS, template_header
from imports.models import CaseImport
from tests.browser.conftest import PHONE, Photographer
from tests.browser.test_phone_layout import LANGUAGES, assert_no_sideways_scroll, open_signed_in
from tests.conftest import World, _close_worker_connections
from tests.imports.conftest import row

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

KHMER_SCRIPT = re.compile(r"[\u1780-\u17ff]")
FILE_NAME = "hope_shelter_cases_from_the_old_spreadsheet_2026.csv"
ROWS = 4


class HeldWorker:
    """A Celery worker on a queue of its own that starts only when the test says so: the
    page can then be seen with the import still waiting, before htmx follows it to the end."""

    def __init__(self, stack: ExitStack, queue: str) -> None:
        self.stack = stack
        self.queue = queue

    def start(self) -> None:
        self.stack.enter_context(
            start_worker(
                cpims_celery_app,
                pool="solo",
                perform_ping_check=False,
                queues=[self.queue],
                shutdown_timeout=10,
            )
        )


@pytest.fixture
def held_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldWorker]:
    """As the suite's ``celery_worker_thread``, except that the worker starts on demand; the
    tasks sent before wait for it in the Redis queue."""
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    conf = cpims_celery_app.conf
    queue = f"cpims-test-{uuid.uuid4().hex}"
    previous = (conf.task_default_queue, conf.worker_hijack_root_logger)
    conf.task_default_queue = queue  # the live server's thread reads it when it sends the task
    conf.worker_hijack_root_logger = False
    task_postrun.connect(_close_worker_connections)
    try:
        with ExitStack() as stack:
            yield HeldWorker(stack, queue)
    finally:
        task_postrun.disconnect(_close_worker_connections)
        conf.task_default_queue, conf.worker_hijack_root_logger = previous
        with cpims_celery_app.connection_for_write() as connection:
            declared = cpims_celery_app.amqp.queues[queue].bind(connection.default_channel)
            declared.declare()
            declared.delete()


def download(page: Page, template_format: str) -> tuple[str, bytes]:
    """Clicks the page's template link; the file's name (from Content-Disposition) and bytes."""
    with page.expect_download() as started:
        page.locator(f"a[href='/imports/template/{template_format}/']").click()
    downloaded = started.value
    return downloaded.suggested_filename, Path(downloaded.path()).read_bytes()


def downloaded_csv_header(page: Page) -> list[str]:
    name, content = download(page, "csv")
    assert name == "cases-import-template.csv"
    assert content.startswith(b"\xef\xbb\xbf")  # spreadsheet programs then read Khmer as UTF-8
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(lines) == 1
    return lines[0]


def filled_in(header: list[str], rows: list[dict[str, str]]) -> bytes:
    """The downloaded template with ``rows`` under its header, as a spreadsheet saves it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[values[name] for name in COLUMNS] for values in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def children(village: Location, **bad: dict[str, str]) -> list[dict[str, str]]:
    """``ROWS`` children; ``bad`` spoils a cell of some: {"row3": {"sex": "girl"}} is the
    third line of the file (the header is line 1), the second child."""
    return [
        row(number, village, **bad.get(f"row{number + 1}", {})) for number in range(1, ROWS + 1)
    ]


def send(page: Page, content: bytes, *, dry_run: bool) -> CaseImport:
    upload: FilePayload = {"name": FILE_NAME, "mimeType": "text/csv", "buffer": content}
    page.locator("input[name=file]").set_input_files(files=upload)
    page.locator("input[name=dry_run]").set_checked(dry_run)
    before = set(CaseImport.objects.values_list("pk", flat=True))
    page.locator("form[action='/imports/'] .actions button[type=submit]").click()
    page.wait_for_url("**/imports/")
    sent = CaseImport.objects.exclude(pk__in=before).get()
    assert sent.dry_run is dry_run
    return sent


def card(page: Page, case_import: CaseImport) -> Any:
    return page.locator(f"#import-{case_import.pk}")


def expect_waiting_then_followed_to_the_end(
    page: Page, case_import: CaseImport, worker: HeldWorker
) -> None:
    """The bar is shown at 0 while nobody runs the import; once the worker runs it, htmx
    brings the bar to 100 without reloading the page."""
    bar = card(page, case_import).locator("progress")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("value", "0")
    expect(card(page, case_import)).to_have_attribute("hx-trigger", "every 2s")
    page.evaluate("window.notReloaded = true")
    worker.start()
    expect(bar).to_have_attribute("value", "100", timeout=20_000)
    expect(card(page, case_import)).not_to_have_attribute("hx-trigger", "every 2s")
    assert page.evaluate("window.notReloaded") is True


def test_a_dry_run_in_khmer_lists_every_error_by_row_and_column_and_saves_nothing(
    world: World, *, open_page: Any, photograph: Photographer, held_worker: HeldWorker
) -> None:
    language, locale = LANGUAGES[1]
    page = open_signed_in(open_page, world.supervisor, language, locale, PHONE)
    page.goto("/imports/")
    with translation.override(language):
        expect(page.locator("h1")).to_have_text(gettext("Import cases"))
    assert_no_sideways_scroll(page)
    photograph(page, "import-page")

    # The template's header reads the same in both languages: each column's machine name, by
    # which the file is read back, and its Khmer label for the person filling it in.
    header = downloaded_csv_header(page)
    assert header == template_header()
    assert header[COLUMNS.index("sex")] == "sex (ភេទ)"
    name, workbook_bytes = download(page, "xlsx")
    assert name == "cases-import-template.xlsx"
    sheet = load_workbook(io.BytesIO(workbook_bytes), read_only=True).worksheets[0]
    assert list(next(sheet.iter_rows(values_only=True))) == header

    cases_before = Case.objects.count()
    content = filled_in(
        header,
        children(world.pp_village, row3={"sex": "girl"}, row5={"concerns": "witchcraft"}),
    )
    case_import = send(page, content, dry_run=True)
    photograph(page, "dry-run-waiting")
    expect_waiting_then_followed_to_the_end(page, case_import, held_worker)

    errors = card(page, case_import).locator("table.import-errors tbody tr")
    expect(errors).to_have_count(2)
    found = [
        [errors.nth(index).locator("td").nth(cell).inner_text() for cell in range(3)]
        for index in range(2)
    ]
    assert [(line, column) for line, column, _problem in found] == [
        ("3", "sex"),
        ("5", "concerns"),
    ]
    # The problems are told in the language of the person who sent the file.
    assert all(KHMER_SCRIPT.search(problem) for _line, _column, problem in found), found
    with translation.override(language):
        nothing_saved = ngettext(
            "%(errors)s error: nothing was saved.", "%(errors)s errors: nothing was saved.", 2
        ) % {"errors": 2}
    expect(card(page, case_import).locator("p.error")).to_have_text(nothing_saved)
    assert_no_sideways_scroll(page)
    photograph(page, "dry-run-errors")

    case_import.refresh_from_db()
    assert (case_import.status, case_import.progress, case_import.created) == ("done", 100, 0)
    assert Case.objects.count() == cases_before


def test_the_corrected_file_imports_once_and_another_agency_sees_nothing_of_it(
    world: World, *, open_page: Any, photograph: Photographer, held_worker: HeldWorker
) -> None:
    language, locale = LANGUAGES[0]
    page = open_signed_in(open_page, world.supervisor, language, locale, PHONE)
    page.goto("/imports/")
    content = filled_in(downloaded_csv_header(page), children(world.pp_village))
    cases_before = Case.objects.count()

    first = send(page, content, dry_run=False)
    expect_waiting_then_followed_to_the_end(page, first, held_worker)
    with translation.override(language):
        counts = gettext("New cases: %(created)s · updated: %(updated)s · unchanged: %(unchanged)s")
    expect(card(page, first)).to_contain_text(
        counts % {"created": ROWS, "updated": 0, "unchanged": 0}
    )
    assert_no_sideways_scroll(page)
    photograph(page, "imported")
    imported = Case.objects.filter(external_ids__system="ngo-sheet")
    assert Case.objects.count() == cases_before + ROWS
    assert sorted(imported.values_list("external_ids__external_id", flat=True)) == [
        f"S-{number}" for number in range(1, ROWS + 1)
    ]
    assert set(imported.values_list("agency", "owner")) == {(world.ngo.pk, world.supervisor.pk)}

    again = send(page, content, dry_run=False)
    expect(card(page, again).locator("progress")).to_have_attribute("value", "100", timeout=20_000)
    expect(card(page, again)).to_contain_text(
        counts % {"created": 0, "updated": 0, "unchanged": ROWS}
    )
    photograph(page, "imported-again")
    assert Case.objects.count() == cases_before + ROWS

    stranger = open_signed_in(open_page, world.dosvy_officer, language, locale, PHONE)
    stranger.goto("/imports/")
    with translation.override(language):
        expect(stranger.locator("main")).to_contain_text(
            gettext("You have not imported any cases.")
        )
    expect(stranger.locator("main")).not_to_contain_text(FILE_NAME)
    expect(stranger.locator("[id^=import-]")).to_have_count(0)
    photograph(stranger, "another-agency")
    for case_import in (first, again):
        answer = stranger.goto(f"/imports/{case_import.pk}/")
        assert answer is not None
        assert answer.status == 404
