"""The import page (upload, my imports with their progress, the errors table) and
``manage.py import_cases``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from cases.models import Case
from imports.models import CaseImport
from imports.running import import_run
from tests.conftest import World
from tests.imports.conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


def _signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_page_takes_a_file_and_shows_its_errors_by_row_and_column(world: World) -> None:
    client = _signed_in(world.supervisor)
    content = csv_bytes([row(1, world.pp_village), row(2, world.pp_village, sex="girl")])

    sent = client.post(
        "/imports/", {"file": SimpleUploadedFile("cases.csv", content), "dry_run": "on"}
    )

    assert sent.status_code == 302
    case_import = CaseImport.objects.get()
    assert case_import.dry_run
    queued = client.get("/imports/")
    # Waiting: the bar at 0 and htmx asking again.
    assert 'hx-trigger="every 2s"' in queued.content.decode()
    assert f'id="import-{case_import.pk}-progress"' in queued.content.decode()
    import_run(import_id=case_import.pk)

    page = client.get(f"/imports/{case_import.pk}/").content.decode()

    assert 'value="100"' in page
    assert "every 2s" not in page
    assert "<td>3</td><td><code>sex</code></td>" in page
    assert "<script" not in page.split("<main", 1)[-1]


def test_a_dry_run_says_nothing_was_saved_apart_from_an_import(world: World) -> None:
    client = _signed_in(world.supervisor)
    content = csv_bytes([row(1, world.pp_village), row(2, world.pp_village)])
    for dry_run in ("on", ""):
        client.post(
            "/imports/", {"file": SimpleUploadedFile("cases.csv", content), "dry_run": dry_run}
        )
    dry, real = CaseImport.objects.order_by("pk")
    for case_import in (dry, real):
        import_run(import_id=case_import.pk)

    dry_page = client.get(f"/imports/{dry.pk}/").content.decode()
    real_page = client.get(f"/imports/{real.pk}/").content.decode()

    assert "Nothing was saved (dry run)" in dry_page
    assert "would add 2 new cases" in dry_page
    assert "Nothing was saved" not in real_page
    assert "New cases: 2" in real_page


def test_a_social_worker_cannot_open_the_page(world: World) -> None:
    assert _signed_in(world.worker).get("/imports/").status_code == 403


def test_the_template_downloads_from_the_page(world: World) -> None:
    answer = _signed_in(world.supervisor).get("/imports/template/csv/")

    assert answer.status_code == 200
    assert answer.content.decode("utf-8-sig").startswith("external_system (")


def test_the_command_imports_a_file_and_prints_the_summary(world: World, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes([row(n, world.pp_village) for n in range(1, 4)]))
    before = Case.objects.count()
    out = StringIO()

    call_command(
        "import_cases",
        str(path),
        agency=world.ngo.pk,
        owner=world.worker.pk,
        stdout=out,
    )

    assert "done: 3 rows, 3 created" in out.getvalue()
    assert Case.objects.count() == before + 3
    assert set(
        Case.objects.filter(external_ids__system="ngo-sheet").values_list("owner", flat=True)
    ) == {world.worker.pk}


def test_the_command_prints_every_error_and_saves_nothing(world: World, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(
        csv_bytes([row(1, world.pp_village, location_code="nowhere"), row(2, world.pp_village)])
    )
    before = Case.objects.count()
    out = StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_cases", str(path), agency=world.ngo.pk, owner=world.worker.pk, stdout=out
        )

    assert "row 2, location_code:" in out.getvalue()
    assert Case.objects.count() == before


def test_the_import_benchmark_runs(world: World) -> None:
    out = StringIO()

    call_command("benchmark_import", rows=20, stdout=out)

    assert "import of 20 rows:" in out.getvalue()
    assert "20 created, 0 errors" in out.getvalue()
