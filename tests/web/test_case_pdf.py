"""The case summary as PDF: what the reader may see and nothing more, in Khmer with the
vendored font, audited, and laid out without reaching for anything outside the project."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from audit.models import AuditEvent
from cases.choices import Section
from cases.models import Case, CaseConcern
from cases.services.access import case_set_grants
from core.pdf import OwnFilesOnly, html_to_pdf
from legal.services import legal_proceeding_create
from tests.conftest import World
from tests.web.conftest import signed_in
from trafficking.services import identification_record

pytestmark = pytest.mark.django_db

KHMER_NAME = "សុខា"
COURT = "Banteay Meanchey Provincial Court"


def _pdf_of(reader: User, case: Case, language: str = "km") -> pypdf.PdfReader:
    answer = signed_in(reader).get(f"/cases/{case.pk}/print/pdf/?language={language}")
    assert answer.status_code == 200, answer.content[:300]
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment;")
    assert "no-store" in answer["Cache-Control"]
    return pypdf.PdfReader(io.BytesIO(answer.content))


def _text(pdf: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


def _fonts(pdf: pypdf.PdfReader) -> set[str]:
    names = set()
    for page in pdf.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _trafficking_case(world: World) -> Case:
    """The worker's case, with a trafficking concern and a presumed victim recorded on it."""
    case = world.own_case
    CaseConcern.objects.create(case=case, concern_id="sex_trafficking")
    case.child.given_name_km = KHMER_NAME
    case.child.save(update_fields=["given_name_km"])
    identification_record(
        actor=world.worker,
        case=case,
        date=timezone.localdate(),
        status="presumed",
        indicators=["deception"],
        notes="រកឃើញនៅច្រកព្រំដែនប៉ោយប៉ែត",
    )
    legal_proceeding_create(
        actor=world.worker, case=case, court=COURT, child_role="victim", offence="Trafficking"
    )
    return case


def test_the_owner_downloads_the_summary_in_khmer_with_the_vendored_font(world: World) -> None:
    case = _trafficking_case(world)

    pdf = _pdf_of(world.worker, case, "km")

    text = _text(pdf)
    assert case.case_number in text
    assert KHMER_NAME in text
    # Shaped Khmer does not always read back in order from a PDF; a word without stacked
    # letters does, and no English heading is left.
    with translation.override("km"):
        assert f"{gettext('Case')}  {case.case_number}" in text
    for heading in ("Case ", "Profile and family", "Concerns", "Victim identification"):
        assert heading not in text
    # Khmer is drawn with the font shipped in the project, never a font of the server.
    assert any("Noto-Sans-Khmer" in name or "NotoSansKhmer" in name for name in _fonts(pdf))
    reading = AuditEvent.objects.filter(case_id=case.pk, action="case.view_print_pdf")
    assert list(reading.values_list("actor_id", flat=True)) == [world.worker.pk]


def test_the_same_summary_comes_in_english_when_asked(world: World) -> None:
    case = _trafficking_case(world)

    text = _text(_pdf_of(world.worker, case, "en"))

    assert "Profile and family" in text
    assert "Presumed victim" in text
    assert COURT in text
    assert "Deceived about the work or the journey" in text


def test_the_print_page_offers_both_pdfs(world: World) -> None:
    page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/print/").content.decode()

    assert f"/cases/{world.own_case.pk}/print/pdf/?language=km" in page
    assert f"/cases/{world.own_case.pk}/print/pdf/?language=en" in page


def test_a_reader_shown_only_the_concerns_gets_no_other_section(
    world: World,
) -> None:
    case = _trafficking_case(world)
    with transaction.atomic():
        case_set_grants(
            actor=world.worker,
            case=case,
            grantee=world.other_worker,
            sections=[Section.CONCERNS],
            contribute=False,
            reason="referral",
        )

    text = _text(_pdf_of(world.other_worker, case, "en"))

    assert case.case_number in text
    assert "Presumed victim" in text
    for hidden in (
        "Profile and family",
        "Risk",
        "Case plan",
        "Consent",
        COURT,
    ):
        assert hidden not in text


def test_a_case_out_of_reach_answers_404_and_nothing_is_recorded(world: World) -> None:
    answer = signed_in(world.other_worker).get(f"/cases/{world.own_case.pk}/print/pdf/")

    assert answer.status_code == 404
    assert not AuditEvent.objects.filter(action="case.view_print_pdf").exists()


def test_an_unknown_language_falls_back_to_the_readers_own(world: World) -> None:
    text = _text(_pdf_of(world.worker, world.own_case, "xx"))

    assert "Profile and family" in text


class _Counting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def listening() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Counting.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_renderer_fetches_nothing_outside_the_project(listening: str, tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red; }")
    html = (
        f'<link rel="stylesheet" href="{listening}/style.css">'
        f'<img src="{listening}/tracker.png">'
        f'<link rel="stylesheet" href="file://{secret}">'
        f'<p style="background: url({listening}/background.png)">សួស្តី</p>'
    )

    pdf = html_to_pdf(html)

    assert pdf.startswith(b"%PDF")
    assert _Counting.hits == []
    fetcher = OwnFilesOnly([tmp_path / "fonts"])
    refused = "Only the project's own print files are read."
    with pytest.raises(ValueError, match=refused):
        fetcher.fetch(f"file://{secret}")
    with pytest.raises(ValueError, match=refused):
        fetcher.fetch(f"file://{tmp_path}/fonts/../secret.css")
    with pytest.raises(ValueError, match=refused):
        fetcher.fetch(f"{listening}/style.css")
