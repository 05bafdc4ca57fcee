"""The export pages, without a browser: the case list's Export link carries its filters to the
form, the form asks for the export, my exports show a progress bar that htmx refreshes while
the file is written, and the download link once it is ready."""

from __future__ import annotations

import re
from html import escape

import pytest

from cases.choices import Stage
from cases.models import Case
from exports.build import export_build
from exports.models import CaseExport
from tests.conftest import World
from tests.exports.conftest import REASON, built
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_case_list_offers_an_export_of_its_filtered_cases_to_those_who_may_export(
    world: World,
) -> None:
    page = signed_in(world.dosvy_officer).get("/cases/?stage=intake&q=Sok")
    assert page.status_code == 200
    assert 'href="/exports/new/?stage=intake&amp;q=Sok"' in page.content.decode()
    assert "/exports/new/" not in signed_in(world.worker).get("/cases/").content.decode()


def test_the_form_opens_with_the_case_lists_filters_and_is_refused_to_others(
    world: World,
) -> None:
    page = signed_in(world.dosvy_officer).get("/exports/new/?stage=assessment&page=2")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="assessment" selected>' in html
    assert re.search(r'value="child\.given_name_km"[^>]* checked>', html)  # a default field
    assert re.search(r'value="summary"[^>]*>', html)
    assert not re.search(r'value="summary"[^>]* checked>', html)
    assert signed_in(world.worker).get("/exports/new/").status_code == 403
    assert signed_in(world.agency_admin).get("/exports/new/").status_code == 403


def test_posting_the_form_asks_for_the_export_with_its_filters_fields_and_reason(
    world: World,
) -> None:
    Case.objects.filter(pk=world.own_case.pk).update(stage=Stage.ASSESSMENT)
    client = signed_in(world.dosvy_officer)
    answer = client.post(
        "/exports/new/",
        {
            "stage": "assessment",
            "fields_case": ["case_number", "stage"],
            "fields_identity": ["child.given_name"],
            "reason": REASON,
            "format": "xlsx",
        },
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/exports/"
    export = CaseExport.objects.get()
    assert export.filters == {"stage": "assessment"}
    assert export.fields == ["case_number", "stage", "child.given_name"]
    assert (export.reason, export.format, export.requested_by) == (
        REASON,
        "xlsx",
        world.dosvy_officer,
    )

    listed = client.get("/exports/").content.decode()
    assert '<progress id="export-' in listed
    assert f'hx-get="/exports/{export.pk}/" hx-trigger="every 2s"' in listed

    export_build(export_id=export.pk)
    fragment = client.get(f"/exports/{export.pk}/", headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert html.lstrip().startswith("<li")  # the row alone, swapped in place
    assert "hx-trigger" not in html  # done: no more asking
    assert 'value="100"' in html
    download = client.get(f"/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_form_keeps_what_was_typed_and_says_what_is_missing(world: World) -> None:
    client = signed_in(world.supervisor)
    no_reason = client.post("/exports/new/", {"fields_case": ["case_number"], "format": "csv"})
    assert no_reason.status_code == 400
    assert 'id="id_reason_error"' in no_reason.content.decode()
    no_field = client.post("/exports/new/", {"reason": REASON, "format": "csv"})
    assert no_field.status_code == 400
    assert "Choose at least one field." in no_field.content.decode()
    assert escape(REASON) in no_field.content.decode()  # kept as typed
    assert not CaseExport.objects.exists()


def test_another_persons_export_page_and_download_are_not_found(world: World) -> None:
    export = built(world.dosvy_officer, ["case_number"])
    client = signed_in(world.supervisor)
    assert client.get(f"/exports/{export.pk}/").status_code == 404
    assert client.get(f"/exports/{export.pk}/download/").status_code == 404
    assert f"/exports/{export.pk}/" not in client.get("/exports/").content.decode()
