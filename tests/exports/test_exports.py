"""Case exports as the services, the build and the API give them: who may export, what an
export holds (only visible cases, only the fields of the sections the requester sees), the
refusals, the download kept to the requester until it expires, and the audit trail.

The build runs here in the test's own process (exports.build is what the worker runs);
tests/exports/test_worker.py runs it through a real Celery worker."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from audit.models import AuditEvent
from audit.services import verify_chain
from cases.choices import Stage
from cases.models import Case
from cases.policy import case_actions, case_get
from cases.services.access import case_set_grants
from exports import build
from exports.build import export_build, export_sweep
from exports.models import CaseExport, ExportStatus
from exports.services import export_request
from tests.conftest import World, api_client
from tests.exports.conftest import REASON, built, csv_rows
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

EXPORTS = "/api/v1/exports/"
FIELDS = ["id", "case_number", "stage", "child.given_name", "summary"]


def _ask(user: Any, **body: Any) -> Any:
    request = {"filters": {}, "fields": FIELDS, "reason": REASON, "format": "csv", **body}
    return api_client(user).post(EXPORTS, request, format="json")


def _asked(user: Any, export_format: str = "csv") -> CaseExport:
    """An export asked for, not built yet."""
    return export_request(
        actor=user, filters={}, fields=FIELDS, reason=REASON, format=export_format
    )


def _numbered(case: Case, number: str = "12-2026-00042") -> str:
    """Gives ``case`` a real case number, for the filters to find it by (q)."""
    Case.objects.filter(pk=case.pk).update(case_number=number)
    return number


def _ids(export: CaseExport) -> set[int]:
    header, *rows = csv_rows(export)
    column = header.index("Case id")
    return {int(row[column]) for row in rows}


# --- Who may export ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor", "dosvy_officer", "bmc_worker"])
def test_supervisors_and_social_affairs_case_workers_may_ask_for_an_export(
    world: World, persona: str
) -> None:
    answer = _ask(getattr(world, persona))
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "queued"
    assert answer.json()["download"] is None


@pytest.mark.parametrize(
    "persona", ["worker", "agency_admin", "police", "commune_member", "analyst", "system_admin"]
)
def test_everyone_else_is_refused_an_export(world: World, persona: str) -> None:
    assert _ask(getattr(world, persona)).status_code == 403
    assert not CaseExport.objects.exists()


def test_the_case_carries_the_export_action_for_those_who_may_export_it(world: World) -> None:
    def actions(persona: str) -> frozenset[str]:
        user = getattr(world, persona)
        case, access = case_get(user, world.own_case.pk)
        return case_actions(user, case, access)

    assert "export" in actions("supervisor")
    assert "export" in actions("dosvy_officer")
    assert "export" not in actions("worker")
    assert "export" not in actions("agency_admin")


# --- What an export holds ---------------------------------------------------------------------


def test_a_provincial_office_exports_its_province_never_another_nor_a_restricted_case(
    world: World,
) -> None:
    export = built(world.dosvy_officer, FIELDS)

    assert export.status == ExportStatus.DONE
    assert _ids(export) == {
        world.own_case.pk,
        world.teammates_case.pk,
        world.other_agency_case.pk,
    }
    assert world.other_province_case.pk not in _ids(export)
    assert world.restricted_case.pk not in _ids(export)


def test_an_export_finds_exactly_what_the_case_list_finds_with_the_same_filters(
    world: World,
) -> None:
    Case.objects.filter(pk=world.teammates_case.pk).update(stage=Stage.ASSESSMENT)
    listed = api_client(world.dosvy_officer).get("/api/v1/cases/?stage=assessment").json()

    export = built(world.dosvy_officer, FIELDS, filters={"stage": "assessment"})

    assert _ids(export) == {row["id"] for row in listed["results"]} == {world.teammates_case.pk}
    assert export.filters == {"stage": "assessment"}


def test_a_field_of_a_section_the_requester_does_not_see_is_left_empty(world: World) -> None:
    # The Banteay Meanchey office's worker owns her case and was given the profile of a Phnom
    # Penh case (a referral): she reads that child, not how the case came to be.
    case_set_grants(
        actor=world.worker,
        case=world.own_case,
        grantee=world.bmc_worker,
        sections={"profile"},
        contribute=False,
        reason="referral",
    )
    Case.objects.filter(pk__in=[world.own_case.pk, world.other_province_case.pk]).update(
        summary="Found at the border."
    )

    export = built(world.bmc_worker, ["id", "child.given_name", "child.estimated_age", "summary"])

    _header, *rows = csv_rows(export)
    by_case = {int(row[0]): row for row in rows}
    assert set(by_case) == {world.own_case.pk, world.other_province_case.pk}
    granted = by_case[world.own_case.pk]
    assert granted[1] == world.own_case.child.given_name
    assert granted[2] == "12"
    assert granted[3] == ""  # the concerns section, with the summary, is not hers there
    assert by_case[world.other_province_case.pk][3] == "Found at the border."


def test_the_header_row_names_each_field_and_cells_read_as_the_case_file_shows_them(
    world: World,
) -> None:
    number = _numbered(world.own_case)
    export = built(
        world.supervisor,
        ["case_number", "stage", "child.sex", "owner", "child.languages"],
        filters={"q": number},
    )
    assert csv_rows(export) == [
        ["Case number", "Stage", "Sex", "Case worker", "Languages spoken"],
        [number, "Intake", "Female", world.worker.get_full_name(), ""],
    ]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_stays_text(world: World) -> None:
    Case.objects.filter(pk=world.own_case.pk).update(summary='=HYPERLINK("http://x.test")')
    export = built(world.supervisor, ["summary"], filters={"q": _numbered(world.own_case)})
    assert csv_rows(export)[1] == ['\'=HYPERLINK("http://x.test")']


# --- Refusals -----------------------------------------------------------------------------------


def test_a_missing_or_blank_reason_is_refused(world: World) -> None:
    client = api_client(world.supervisor)
    missing = client.post(EXPORTS, {"fields": FIELDS, "format": "csv"}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()
    assert _ask(world.supervisor, reason="   ").status_code == 400
    with pytest.raises(ValidationError) as refused:
        export_request(actor=world.supervisor, filters={}, fields=FIELDS, reason=" ", format="csv")
    assert refused.value.message_dict == {"reason": ["Say why you need this export."]}
    assert not CaseExport.objects.exists()


def test_an_unknown_field_is_refused(world: World) -> None:
    answer = _ask(world.supervisor, fields=["case_number", "child.favourite_colour"])
    assert answer.status_code == 400
    assert "fields" in answer.json()
    with pytest.raises(ValidationError, match=r"child\.favourite_colour"):
        export_request(
            actor=world.supervisor,
            filters={},
            fields=["child.favourite_colour"],
            reason=REASON,
            format="csv",
        )


def test_an_unknown_filter_or_a_filter_value_the_case_list_refuses_is_refused(
    world: World,
) -> None:
    unknown = _ask(world.supervisor, filters={"colour": "red"})
    assert unknown.status_code == 400
    assert "colour" in unknown.json()["filters"][0]
    wrong = _ask(world.supervisor, filters={"stage": "somewhere"})
    assert wrong.status_code == 400
    assert wrong.json()["filters"][0].startswith("stage: ")
    assert not CaseExport.objects.exists()


def test_more_matching_cases_than_the_cap_are_refused_until_the_filters_narrow(
    world: World, settings: Any
) -> None:
    settings.EXPORT_MAX_ROWS = 2  # the Phnom Penh office sees three cases
    refused = _ask(world.dosvy_officer)
    assert refused.status_code == 400
    assert "More than 2 cases match" in refused.json()["filters"][0]
    narrowed = _ask(world.dosvy_officer, filters={"q": _numbered(world.own_case)})
    assert narrowed.status_code == 202


def test_an_export_that_grew_past_the_cap_before_it_was_built_fails_and_leaves_no_file(
    world: World, settings: Any, exports_dir: Path
) -> None:
    export = _asked(world.dosvy_officer, "xlsx")
    settings.EXPORT_MAX_ROWS = 2
    export_build(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "More than 2 cases match now" in export.error
    assert list(exports_dir.iterdir()) == []


def test_a_requester_who_may_no_longer_export_gets_a_failed_export_and_no_file(
    world: World, exports_dir: Path
) -> None:
    export = _asked(world.supervisor)
    world.supervisor.role = Role.AGENCY_ADMIN
    world.supervisor.save(update_fields=["role"])

    export_build(export_id=export.pk)

    export.refresh_from_db()
    assert (export.status, export.file_name) == (ExportStatus.FAILED, "")
    assert export.error == "You may no longer export cases."
    assert list(exports_dir.iterdir()) == []
    with pytest.raises(PermissionDenied):
        _asked(world.supervisor)


# --- The download: the requester's alone, until it expires --------------------------------------


def test_only_the_requester_reads_and_downloads_the_export(world: World) -> None:
    export = built(world.dosvy_officer, FIELDS)
    detail = api_client(world.dosvy_officer).get(f"{EXPORTS}{export.pk}/").json()
    assert detail["status"] == "done"
    assert (detail["progress"], detail["rows"]) == (100, 3)
    assert detail["download"].endswith(f"/api/v1/exports/{export.pk}/download/")

    download = api_client(world.dosvy_officer).get(detail["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="cases-export-{export.pk}.csv"' in download["Content-Disposition"]
    assert download.getvalue().startswith("\ufeffCase id".encode())

    for persona in ("supervisor", "bmc_worker", "worker", "system_admin"):
        other = api_client(getattr(world, persona))
        assert other.get(f"{EXPORTS}{export.pk}/").status_code == 404
        assert other.get(f"{EXPORTS}{export.pk}/download/").status_code == 404
        assert other.get(EXPORTS).json()["results"] == []


def test_an_export_not_ready_yet_has_no_download(world: World) -> None:
    pk = _ask(world.dosvy_officer).json()["id"]
    assert api_client(world.dosvy_officer).get(f"{EXPORTS}{pk}/download/").status_code == 404


def test_after_expiry_the_download_is_gone_and_the_sweep_deletes_the_file(
    world: World,
) -> None:
    export = built(world.dosvy_officer, FIELDS)
    path = export.path
    assert path.exists()
    CaseExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = api_client(world.dosvy_officer)
    assert client.get(f"{EXPORTS}{export.pk}/").json()["download"] is None
    assert client.get(f"{EXPORTS}{export.pk}/download/").status_code == 404

    assert export_sweep().deleted == 1

    assert not path.exists()
    assert CaseExport.objects.get(pk=export.pk).file_name == ""
    assert export_sweep().deleted == 0


def test_an_export_expires_after_the_configured_hours(world: World, settings: Any) -> None:
    settings.EXPORT_EXPIRY_HOURS = 2
    export = built(world.supervisor, FIELDS)
    assert export.finished_at is not None
    assert export.expires_at == export.finished_at + timedelta(hours=2)


def test_the_sweep_queues_again_what_waited_too_long_and_fails_what_ran_too_long(
    world: World, exports_dir: Path
) -> None:
    waiting = _asked(world.supervisor)
    running = _asked(world.supervisor)
    long_ago = timezone.now() - timedelta(hours=3)
    CaseExport.objects.filter(pk=waiting.pk).update(created_at=long_ago)
    CaseExport.objects.filter(pk=running.pk).update(status="running", started_at=long_ago)
    exports_dir.mkdir()
    left = exports_dir / f"{running.pk}-abc.part"
    left.write_text("half a file")

    sweep = export_sweep()

    assert sweep.requeue == [waiting.pk]
    assert CaseExport.objects.get(pk=running.pk).status == ExportStatus.FAILED
    assert not left.exists()


# --- The audit trail ----------------------------------------------------------------------------


def test_the_export_its_reason_and_count_are_in_the_trail_and_in_each_cases_history(
    world: World,
) -> None:
    export = built(world.dosvy_officer, FIELDS)

    requested = AuditEvent.objects.get(action="export.request")
    assert requested.changes["reason"] == REASON
    assert requested.changes["fields"] == FIELDS
    created = AuditEvent.objects.get(action="export.create")
    assert (created.actor_id, created.object_id) == (world.dosvy_officer.pk, str(export.pk))
    assert created.changes["reason"] == REASON
    assert created.changes["rows"] == 3
    per_case = AuditEvent.objects.filter(action="case.export")
    assert per_case.count() == 3
    assert set(per_case.values_list("case_id", flat=True)) == _ids(export)

    history = api_client(world.supervisor).get(f"/api/v1/cases/{world.own_case.pk}/history/")
    exported = [event for event in history.json()["results"] if event["action"] == "case.export"]
    assert exported[0]["changes"] == {"export": export.pk, "reason": REASON}
    assert verify_chain() is None


def test_a_download_is_in_the_trail(world: World) -> None:
    export = built(world.supervisor, FIELDS)
    api_client(world.supervisor).get(f"{EXPORTS}{export.pk}/download/")
    event = AuditEvent.objects.get(action="export.download")
    assert (event.actor_id, event.object_id) == (world.supervisor.pk, str(export.pk))


# --- The build: progress, and a fixed cost per chunk ---------------------------------------------


def test_progress_is_saved_after_each_chunk_and_reaches_100(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "CHUNK", 1)
    export = _asked(world.dosvy_officer)
    with CaptureQueriesContext(connection) as queries:
        export_build(export_id=export.pk)
    saved = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('UPDATE "exports_caseexport" SET "progress"')
    ]
    assert len(saved) == 3  # one case a chunk
    export.refresh_from_db()
    assert (export.progress, export.rows, export.status) == (100, 3, ExportStatus.DONE)


@pytest.mark.parametrize("more", [0, 12])
def test_the_build_reads_a_fixed_number_of_queries_whatever_the_number_of_cases(
    world: World, more: int, django_assert_num_queries: Any
) -> None:
    for _ in range(more):
        CaseFactory.create(owner=world.worker, location=world.pp_village)
    export = export_request(
        actor=world.dosvy_officer,
        filters={},
        fields=[*FIELDS, "concerns", "owner", "agency", "location", "child.location"],
        reason=REASON,
        format="xlsx",
    )
    # Per chunk: the cases and access deciding them, then the rows' content (a replica's, when
    # there is one) with their concerns.
    with django_assert_num_queries(21):
        export_build(export_id=export.pk)
    assert CaseExport.objects.get(pk=export.pk).rows == 3 + more


# --- The list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_my_exports_are_listed_in_a_fixed_number_of_queries(
    world: World, count: int, django_assert_max_num_queries: Any
) -> None:
    for _ in range(count):
        _asked(world.supervisor)
    _asked(world.dosvy_officer)
    client = api_client(world.supervisor)
    with django_assert_max_num_queries(2):
        answer = client.get(f"{EXPORTS}?page_size=50")
    assert len(answer.json()["results"]) == count
