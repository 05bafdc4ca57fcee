"""GET /api/v1/reports/ and /api/v1/reports/{code}/: the standard reports, as JSON, CSV and XLSX,
with the engine's suppression in every format, in the reader's language, within her scope."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import Location, User
from cases.choices import ClosureReason, LabourSector, RiskLevel, Sex, Source, Status
from cases.models import Case, CaseConcern
from referrals.choices import ReferralStatus, ReferralType, Urgency
from referrals.models import Referral
from reintegration.choices import FollowUpOutcome, FollowUpStatus
from reintegration.models import FollowUp
from reporting.facts import facts_refresh
from reporting.renderers import SUPPRESSED_MARK
from reporting.statistics import question_from, statistics_answer
from tests.api.schema_check import check_answer
from tests.conftest import World, api_client
from tests.factories import PASSWORD, CaseFactory, ChildFactory, UserFactory
from tests.reintegration.helpers import reintegrate

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
QUARTER = 3  # July to September of last year: every case below is opened then
REPORT_PARAMS: dict[str, dict[str, str]] = {
    "quarterly_cases": {"year": str(YEAR), "quarter": str(QUARTER)},
    "trafficking_annual": {"year": str(YEAR)},
    "reintegration_outcomes": {"year": str(YEAR)},
    "referral_performance": {"year": str(YEAR), "quarter": str(QUARTER)},
}
SCHEDULE = ["1 month", "3 months", "6 months", "12 months", "Total"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _cases(
    n: int,
    *,
    owner: User,
    village: Location,
    sex: str,
    age: int,
    concern: str,
    opened: date,
    **fields: Any,
) -> list[Case]:
    made = []
    for _ in range(n):
        case = CaseFactory.create(
            owner=owner,
            location=village,
            created_at=_at(opened),
            child=ChildFactory.create(
                location=village, sex=sex, estimated_age=age, age_estimated_on=opened
            ),
            **fields,
        )
        CaseConcern.objects.create(case=case, concern_id=concern)
        made.append(case)
    return made


def _refer(case: Case, *, to: Any, urgency: str, hours: int, answered_after: int) -> Referral:
    made = _at(date(YEAR, 8, 20))
    assert case.owner.agency is not None
    return Referral.objects.create(
        case=case,
        from_agency=case.owner.agency,
        to_agency=to,
        type=ReferralType.SERVICE,
        urgency=urgency,
        reason="Needs shelter.",
        status=ReferralStatus.ACCEPTED,
        created_by=case.owner,
        created_at=made,
        sent_at=made,
        respond_by=made + timedelta(hours=hours),
        answered_at=made + timedelta(hours=answered_after),
        answered_by=case.owner,
    )


@pytest.fixture
def scene(world: World) -> None:
    """Last year's third quarter, in Phnom Penh and Banteay Meanchey.

    Phnom Penh: 8 girls of 15 trafficked for sex (5 reintegrated and closed; 6 referred to the
    DoSVY and answered on time; 6 back home, visited at 1 month, 2 of them at risk at 3 months),
    2 boys of 16 trafficked for sex (referred to the police in an emergency and answered late),
    6 boys of 13 trafficked to brick kilns (one transferred away). Banteay Meanchey: 7 girls of
    10 trafficked to fishing boats. The small groups (2 boys, 1 transfer, 2 late answers, 2
    children at risk) must never show as numbers."""
    girls = _cases(
        8,
        owner=world.worker,
        village=world.pp_village,
        sex=Sex.FEMALE,
        age=15,
        concern="sex_trafficking",
        opened=date(YEAR, 7, 10),
        source=Source.POLICE,
        risk_level=RiskLevel.HIGH,
    )
    boys = _cases(
        2,
        owner=world.worker,
        village=world.pp_village,
        sex=Sex.MALE,
        age=16,
        concern="sex_trafficking",
        opened=date(YEAR, 8, 12),
        source=Source.POLICE,
        risk_level=RiskLevel.HIGH,
    )
    kilns = _cases(
        6,
        owner=world.worker,
        village=world.pp_village,
        sex=Sex.MALE,
        age=13,
        concern="labour_trafficking",
        opened=date(YEAR, 7, 5),
        source=Source.LABOUR_INSPECTION,
        risk_level=RiskLevel.MEDIUM,
        labour_sector=LabourSector.BRICK_KILN,
    )
    _cases(
        7,
        owner=world.bmc_worker,
        village=world.bmc_village,
        sex=Sex.FEMALE,
        age=10,
        concern="labour_trafficking",
        opened=date(YEAR, 9, 3),
        source=Source.COMMUNITY,
        labour_sector=LabourSector.FISHING,
    )
    for case in girls[:6]:
        _refer(case, to=world.dosvy_pp, urgency=Urgency.URGENT, hours=72, answered_after=20)
    for case in boys:
        _refer(case, to=world.police_agency, urgency=Urgency.EMERGENCY, hours=24, answered_after=30)
    for position, case in enumerate(girls[:6]):
        back_home = reintegrate(world, on=date(YEAR, 7, 25), case=case, months=[1, 3])
        first, second = FollowUp.objects.filter(reintegration=back_home).order_by("sequence")
        for visit, outcome in (
            (first, FollowUpOutcome.STABLE),
            (second, FollowUpOutcome.AT_RISK if position < 2 else FollowUpOutcome.STABLE),
        ):
            visit.status = FollowUpStatus.COMPLETED
            visit.visit_date = visit.scheduled_date
            visit.outcome = outcome
            visit.save()
    closed = [(case, ClosureReason.REINTEGRATED) for case in girls[:5]]
    for case, reason in [*closed, (kilns[0], ClosureReason.TRANSFERRED)]:
        case.status = Status.CLOSED
        case.closure_reason = reason
        case.closed_at = _at(date(YEAR, 9, 20))
        case.save()
    facts_refresh(full=True)


def _get(user: User, code: str, *, language: str = "", **params: str) -> Any:
    client = api_client(user)
    if language:
        client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client.get(f"/api/v1/reports/{code}/", params)


def _json(user: User, code: str, **params: str) -> dict[str, Any]:
    response = _get(user, code, **{**REPORT_PARAMS[code], **params})
    assert response.status_code == 200, response.content
    return dict(check_answer(response))


def _table(report: dict[str, Any], code: str) -> dict[str, Any]:
    return next(table for table in report["tables"] if table["code"] == code)


def _row(table: dict[str, Any], label: str) -> list[Any]:
    return next(row for row in table["rows"] if row[0] == label)


def _csv_tables(content: bytes) -> dict[str, list[list[str]]]:
    """Each table of a CSV report, by title: its header row and its rows."""
    assert content.startswith(b"\xef\xbb\xbf")  # the byte order mark
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    tables: dict[str, list[list[str]]] = {}
    blocks: list[list[list[str]]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        else:
            blocks.append([])
    for block in blocks[1:]:  # the first block is the report's heading
        if block:
            tables[block[0][0]] = block[1:]
    return tables


def _xlsx_sheets(content: bytes) -> list[list[list[Any]]]:
    """Each sheet's rows from its header row (the fourth) on, up to the blank line."""
    workbook = load_workbook(io.BytesIO(content))
    sheets = []
    for sheet in workbook.worksheets:
        rows = []
        for row in sheet.iter_rows(min_row=4, values_only=True):
            if all(value is None for value in row):
                break
            rows.append(list(row))
        sheets.append(rows)
    return sheets


# --- The list ---------------------------------------------------------------------------------


def test_the_list_names_the_four_reports_and_what_each_takes(world: World) -> None:
    response = api_client(world.analyst).get("/api/v1/reports/")
    assert response.status_code == 200
    body = check_answer(response)
    reports = {report["code"]: report for report in body["results"]}
    assert list(reports) == [
        "quarterly_cases",
        "trafficking_annual",
        "reintegration_outcomes",
        "referral_performance",
    ]
    parameters = {
        code: {p["name"]: p["required"] for p in report["parameters"]}
        for code, report in reports.items()
    }
    assert parameters["quarterly_cases"]["quarter"] is True
    assert "quarter" not in parameters["trafficking_annual"]
    assert parameters["referral_performance"]["quarter"] is False
    assert all(report["title"] and report["description"] for report in reports.values())


@pytest.mark.parametrize("person", ["worker", "commune_member", "police", "system_admin"])
def test_people_statistics_are_not_for_get_403_for_the_list_and_every_report(
    world: World, person: str
) -> None:
    user = getattr(world, person)
    assert api_client(user).get("/api/v1/reports/").status_code == 403
    for code, params in REPORT_PARAMS.items():
        assert _get(user, code, **params).status_code == 403
    # Even with parameters that are wrong: who asks is checked first.
    assert _get(user, "quarterly_cases", year="nonsense").status_code == 403


def test_without_credentials_the_reports_answer_401(db: None) -> None:
    assert api_client().get("/api/v1/reports/").status_code == 401
    report = api_client().get("/api/v1/reports/quarterly_cases/", {"year": "2025", "quarter": "1"})
    assert report.status_code == 401


# --- What the reports count --------------------------------------------------------------------


@pytest.mark.parametrize("code", list(REPORT_PARAMS))
def test_each_report_as_json_has_its_period_and_tables_of_one_width(
    world: World, scene: None, code: str
) -> None:
    report = _json(world.analyst, code)
    assert report["code"] == code
    quarterly = "quarter" in REPORT_PARAMS[code]
    assert report["period"] == (
        {"from": f"{YEAR}-07-01", "to": f"{YEAR}-09-30"}
        if quarterly
        else {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}
    )
    assert report["location"] is None  # the national analyst: the whole country
    assert report["min_cell"] == 5
    assert report["as_of"] is not None
    assert report["tables"]
    for table in report["tables"]:
        assert table["rows"][-1][0].startswith("Total")
        assert all(len(row) == len(table["columns"]) for row in table["rows"])


def test_the_quarterly_report_counts_what_the_engine_counts_and_hides_what_it_hides(
    world: World, scene: None
) -> None:
    report = _json(world.analyst, "quarterly_cases")
    by_concern = _table(report, "opened_by_concern")
    assert by_concern["columns"][:3] == ["Concern", "Female", "Male"]
    answer = statistics_answer(
        user=world.analyst,
        question=question_from(
            topic="cases",
            group_by=("concern", "sex"),
            date_from=date(YEAR, 7, 1),
            date_to=date(YEAR, 9, 30),
        ),
    )
    engine = {(row["concern"], row["sex"]): row["count"] for row in answer.rows}
    sex_trafficking = _row(by_concern, "Sex trafficking")
    labour_trafficking = _row(by_concern, "Labour trafficking")
    assert sex_trafficking[1:3] == [engine["sex_trafficking", "female"], None]  # 2 boys: hidden
    assert labour_trafficking[1:3] == [
        engine["labour_trafficking", "female"],
        engine["labour_trafficking", "male"],
    ]
    assert sex_trafficking[-1] == 10  # the rows' totals
    assert labour_trafficking[-1] == 13
    total = by_concern["rows"][-1]
    assert total[0] == "Total (each case once)"
    assert total[-1] == 23
    # A concern nobody was counted under still has its row, of zeros.
    assert _row(by_concern, "Physical abuse")[1:] == [0] * (len(by_concern["columns"]) - 1)

    by_age = _table(report, "opened_by_age")
    assert [row[0] for row in by_age["rows"]] == [
        "0-5",
        "6-11",
        "12-14",
        "15-17",
        "Unknown",
        "Total",
    ]
    by_place = _table(report, "opened_by_place")
    assert by_place["columns"][0] == "Province"
    assert {row[0] for row in by_place["rows"]} == {"Phnom Penh", "Banteay Meanchey", "Total"}
    risk = _table(report, "open_by_risk")
    assert _row(risk, "High")[1] == 10 - 5  # five girls were closed before the quarter's end
    closed = _table(report, "closed_by_reason")
    assert _row(closed, "Reintegrated")[1] is None  # 5, but the transfer beside it is 1
    assert _row(closed, "Transferred")[1] is None
    assert any(note.startswith("Reintegrated:") for note in closed["notes"])


def test_the_trafficking_report_counts_each_concern_its_referrals_and_its_visits(
    world: World, scene: None
) -> None:
    report = _json(world.analyst, "trafficking_annual")
    codes = [table["code"] for table in report["tables"]]
    assert codes == [
        "sex_trafficking_by_age_and_sex",
        "sex_trafficking_by_place",
        "sex_trafficking_referrals",
        "sex_trafficking_visits",
        "sex_trafficking_identifications",
        "sex_trafficking_repatriations",
        "sex_trafficking_prosecutions",
        "labour_trafficking_by_age_and_sex",
        "labour_trafficking_by_place",
        "labour_trafficking_by_sector",
        "labour_trafficking_referrals",
        "labour_trafficking_visits",
        "labour_trafficking_identifications",
        "labour_trafficking_repatriations",
        "labour_trafficking_prosecutions",
    ]
    assert _table(report, "sex_trafficking_by_age_and_sex")["title"].startswith("Sex trafficking")
    sectors = _table(report, "labour_trafficking_by_sector")
    assert _row(sectors, "Brick kiln")[1:3] == [0, 6]
    assert _row(sectors, "Fishing")[1:3] == [7, 0]
    visits = _table(report, "sex_trafficking_visits")
    assert visits["columns"][1:4] == ["Stable", "At risk", "Breakdown"]
    # The whole schedule, in number order (not as text: 12 after 6).
    assert [row[0] for row in visits["rows"]] == SCHEDULE
    assert _row(visits, "1 month")[1] == 6
    assert _row(visits, "3 months")[2] is None  # two children at risk
    referrals = _table(report, "sex_trafficking_referrals")
    assert referrals["rows"][-1][-1] == 8


def test_reintegration_and_referral_reports_hide_the_small_groups(
    world: World, scene: None
) -> None:
    outcomes = _json(world.analyst, "reintegration_outcomes")
    by_month = _table(outcomes, "visits_by_month")
    assert [row[0] for row in by_month["rows"]] == SCHEDULE
    assert _row(by_month, "3 months")[2] is None
    assert by_month["rows"][-1][-1] == 12
    referrals = _json(world.analyst, "referral_performance")
    by_urgency = _table(referrals, "by_urgency")
    assert by_urgency["columns"][1:3] == ["Answered on time", "Answered late"]
    assert _row(by_urgency, "Emergency")[2] is None  # two answered late
    assert _row(by_urgency, "Urgent")[1] is None  # hidden beside them
    assert by_urgency["rows"][-1][-1] == 8
    assert _row(_table(referrals, "by_status"), "Accepted")[1] == 8


def _engine_table(
    user: User, topic: str, rows: str, columns: str, *, concern: str | None = None
) -> dict[str, dict[str, int | None]]:
    """What the engine answers to the same three questions: each cell, each row's total (under
    "total") and each column's total (under the row "total")."""

    def ask(*group_by: str) -> Any:
        question = question_from(
            topic=topic,
            group_by=group_by,
            date_from=date(YEAR, 1, 1),
            date_to=date(YEAR, 12, 31),
        )
        return statistics_answer(user=user, question=replace(question, concern=concern))

    table: dict[str, dict[str, int | None]] = {}
    for row in ask(rows, columns).rows:
        table.setdefault(row[rows], {})[row[columns]] = row["count"]
    for row in ask(rows).rows:
        table.setdefault(row[rows], {})["total"] = row["count"]
    by_column = ask(columns)
    table["total"] = {row[columns]: row["count"] for row in by_column.rows}
    table["total"]["total"] = by_column.total
    return table


def test_every_figure_of_a_table_is_the_engines_and_the_rest_are_zeros(
    world: World, scene: None
) -> None:
    report = _json(world.analyst, "trafficking_annual")
    table = _table(report, "sex_trafficking_by_age_and_sex")
    engine = _engine_table(world.analyst, "cases", "age_band", "sex", concern="sex_trafficking")
    codes = {"Female": "female", "Male": "male", "Other": "other", "Unknown": "unknown"}
    columns = [codes.get(label, "total") for label in table["columns"][1:]]
    bands = {"Unknown": "unknown", "Total": "total"}
    for row in table["rows"]:
        expected = engine.get(bands.get(row[0], row[0]), {})
        assert row[1:] == [expected.get(column, 0) for column in columns], row[0]
    assert engine["15-17"]["male"] is None  # the two boys, hidden by the engine and so here


def _suppressed_figures(report: dict[str, Any]) -> list[tuple[int, int, int]]:
    return [
        (number, row_number, position)
        for number, table in enumerate(report["tables"])
        for row_number, row in enumerate(table["rows"])
        for position, value in enumerate(row)
        if position and value is None
    ]


@pytest.mark.parametrize("code", list(REPORT_PARAMS))
def test_csv_and_xlsx_hold_the_json_figures_and_hide_the_same_cells(
    world: World, scene: None, code: str
) -> None:
    report = _json(world.analyst, code)
    assert _suppressed_figures(report)  # each report has something to hide
    params = REPORT_PARAMS[code]

    as_csv = _get(world.analyst, code, format="csv", **params)
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    name = f"{code}-{YEAR}" + (f"-Q{QUARTER}" if "quarter" in params else "")
    assert as_csv["Content-Disposition"] == f'attachment; filename="{name}.csv"'
    tables = _csv_tables(as_csv.content)
    assert list(tables) == [table["title"] for table in report["tables"]]

    as_xlsx = _get(world.analyst, code, format="xlsx", **params)
    assert as_xlsx.status_code == 200
    assert as_xlsx["Content-Type"] == XLSX
    assert as_xlsx["Content-Disposition"] == f'attachment; filename="{name}.xlsx"'
    sheets = _xlsx_sheets(as_xlsx.content)
    assert len(sheets) == len(report["tables"])

    for table, csv_rows, sheet in zip(report["tables"], tables.values(), sheets, strict=True):
        assert csv_rows[0] == table["columns"]
        assert sheet[0] == table["columns"]
        for row, csv_row, sheet_row in zip(table["rows"], csv_rows[1:], sheet[1:], strict=False):
            expected = [SUPPRESSED_MARK if value is None else value for value in row]
            assert csv_row == [str(value) for value in expected]
            assert sheet_row == expected
        # After the rows: the footnote (where something is hidden) and the notes.
        footnotes = [line[0] for line in csv_rows[1 + len(table["rows"]) :]]
        hidden = any(value is None for row in table["rows"] for value in row[1:])
        assert (
            footnotes
            == ([f"{SUPPRESSED_MARK} suppressed: {report['suppressed_note']}"] if hidden else [])
            + table["notes"]
        )


def test_a_small_count_is_in_no_format(world: World, scene: None) -> None:
    """The two boys trafficked for sex: their row's cells are the mark, in every format, and no
    table of the report holds a 2 that the engine hid."""
    params = REPORT_PARAMS["trafficking_annual"]
    report = _json(world.analyst, "trafficking_annual")
    by_age = _table(report, "sex_trafficking_by_age_and_sex")
    assert _row(by_age, "15-17")[1:3] == [None, None]
    as_csv = _get(world.analyst, "trafficking_annual", format="csv", **params).content
    csv_row = next(row for row in _csv_tables(as_csv)[by_age["title"]] if row[0] == "15-17")
    assert csv_row[1:3] == [SUPPRESSED_MARK, SUPPRESSED_MARK]
    as_xlsx = _get(world.analyst, "trafficking_annual", format="xlsx", **params).content
    sheet = _xlsx_sheets(as_xlsx)[0]
    assert next(row for row in sheet if row[0] == "15-17")[1:3] == [SUPPRESSED_MARK] * 2


# --- The reader's language ---------------------------------------------------------------------


def _khmer_headers(content: bytes) -> list[Any]:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    return [cell.value for cell in sheet[4]]


def test_the_xlsx_file_has_khmer_headers_when_the_request_asks_for_khmer(
    world: World, scene: None
) -> None:
    response = _get(
        world.analyst,
        "quarterly_cases",
        language="km",
        format="xlsx",
        **REPORT_PARAMS["quarterly_cases"],
    )
    assert response.status_code == 200
    assert response["Content-Language"] == "km"
    headers = _khmer_headers(response.content)
    assert headers[1:3] == ["ស្រី", "ប្រុស"]  # Female, Male
    workbook = load_workbook(io.BytesIO(response.content))
    labels = [row[0].value for row in workbook.worksheets[0].iter_rows(min_row=5)]
    assert "ការជួញដូរផ្លូវភេទ" in labels  # the concern's Khmer name
    english = _get(
        world.analyst, "quarterly_cases", format="xlsx", **REPORT_PARAMS["quarterly_cases"]
    )
    assert _khmer_headers(english.content)[1:3] == ["Female", "Male"]


def test_a_person_who_prefers_khmer_gets_khmer_whatever_her_client_sends(
    world: World, scene: None
) -> None:
    """Signed in with a token, as a partner system is: the token is read after the language
    middleware has run, and her preference still wins over the client's Accept-Language."""
    world.analyst.preferred_language = "km"
    world.analyst.save(update_fields=["preferred_language"])
    signed_in = APIClient().post(
        "/api/v1/auth/token/",
        {"username": world.analyst.username, "password": PASSWORD},
        format="json",
    )
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {signed_in.json()['token']}", HTTP_ACCEPT_LANGUAGE="en"
    )
    params = REPORT_PARAMS["quarterly_cases"]
    as_xlsx = client.get("/api/v1/reports/quarterly_cases/", {**params, "format": "xlsx"})
    assert as_xlsx["Content-Language"] == "km"
    assert _khmer_headers(as_xlsx.content)[1:3] == ["ស្រី", "ប្រុស"]
    as_json = client.get("/api/v1/reports/quarterly_cases/", params).json()
    places = _table(as_json, "opened_by_place")
    assert {row[0] for row in places["rows"][:-1]} == {
        world.phnom_penh.name_km,
        world.banteay_meanchey.name_km,
    }


# --- Scope -------------------------------------------------------------------------------------


def test_an_analyst_of_a_province_gets_nothing_of_another(world: World, scene: None) -> None:
    provincial = UserFactory.create(
        username="pp_analyst",
        role=Role.DATA_ANALYST,
        agency=world.dosvy_pp,
        location=world.phnom_penh,
    )
    report = _json(provincial, "quarterly_cases")
    assert report["location"]["code"] == "12"
    assert report["covers"] == "Phnom Penh"
    by_place = _table(report, "opened_by_place")
    commune = world.pp_commune
    district = commune.parent
    assert district is not None
    assert by_place["columns"][0] == "District"
    assert [row[0] for row in by_place["rows"]] == [district.name_en, "Total"]
    by_concern = _table(report, "opened_by_concern")
    assert _row(by_concern, "Labour trafficking")[-1] == 6  # the 7 girls of Banteay Meanchey: no
    assert by_concern["rows"][-1][-1] == 16
    sectors = _table(_json(provincial, "trafficking_annual"), "labour_trafficking_by_sector")
    assert _row(sectors, "Fishing")[1:] == [0, 0, 0, 0, 0]
    as_csv = _get(provincial, "quarterly_cases", format="csv", **REPORT_PARAMS["quarterly_cases"])
    assert "Banteay Meanchey" not in as_csv.content.decode("utf-8-sig")
    # Nor by asking for it.
    response = _get(
        provincial,
        "quarterly_cases",
        location=str(world.banteay_meanchey.pk),
        **REPORT_PARAMS["quarterly_cases"],
    )
    assert response.status_code == 400
    assert "location" in response.json()


def test_a_national_analyst_narrows_a_report_to_a_province_by_district(
    world: World, scene: None
) -> None:
    report = _json(world.analyst, "quarterly_cases", location=str(world.banteay_meanchey.pk))
    assert report["location"]["code"] == "01"
    by_place = _table(report, "opened_by_place")
    assert by_place["columns"][0] == "District"
    assert by_place["rows"][-1][-1] == 7
    response = _get(
        world.analyst,
        "quarterly_cases",
        location=str(world.banteay_meanchey.pk),
        format="csv",
        **REPORT_PARAMS["quarterly_cases"],
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="quarterly_cases-{YEAR}-Q{QUARTER}-01.csv"'
    )


def test_an_ngo_supervisor_gets_her_agencys_cases(world: World, scene: None) -> None:
    report = _json(world.supervisor, "quarterly_cases")
    assert report["location"] is None
    assert report["covers"] == "The cases of Hope Shelter"
    assert _table(report, "opened_by_concern")["rows"][-1][-1] == 16


# --- Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "params", "field"),
    [
        ("quarterly_cases", {"quarter": "1"}, "year"),
        ("quarterly_cases", {"year": "last", "quarter": "1"}, "year"),
        ("quarterly_cases", {"year": "1999", "quarter": "1"}, "year"),
        ("quarterly_cases", {"year": str(YEAR + 2), "quarter": "1"}, "year"),
        ("quarterly_cases", {"year": str(YEAR)}, "quarter"),
        ("quarterly_cases", {"year": str(YEAR), "quarter": "5"}, "quarter"),
        ("quarterly_cases", {"year": str(YEAR), "quarter": "0"}, "quarter"),
        ("trafficking_annual", {"year": str(YEAR), "quarter": "2"}, "quarter"),
        ("referral_performance", {"year": str(YEAR), "format": "pdf"}, "format"),
        ("referral_performance", {"year": str(YEAR), "location": "999999999"}, "location"),
        ("referral_performance", {"year": str(YEAR), "location": "x"}, "location"),
    ],
)
def test_a_bad_parameter_gets_400_naming_it(
    world: World, code: str, params: dict[str, str], field: str
) -> None:
    response = _get(world.analyst, code, **params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in check_answer(response)


def test_a_place_finer_than_a_district_gets_400(world: World) -> None:
    response = _get(
        world.analyst, "referral_performance", year=str(YEAR), location=str(world.pp_village.pk)
    )
    assert response.status_code == 400
    assert "location" in response.json()


def test_a_refusal_of_a_file_is_json(world: World) -> None:
    response = _get(world.analyst, "quarterly_cases", year=str(YEAR), format="xlsx")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "Content-Disposition" not in response


def test_an_unknown_report_gets_404(world: World) -> None:
    response = _get(world.analyst, "monthly_gossip", year=str(YEAR))
    assert response.status_code == 404
    check_answer(response)


# --- Cost --------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["json", "xlsx"])
def test_a_report_runs_a_bounded_number_of_queries(
    world: World, scene: None, file_format: str, django_assert_max_num_queries: Any
) -> None:
    """The largest report: fifteen tables of one to three answers each (a grouped count, the
    freshness of the store, the names of places), whatever the number of cases."""
    with django_assert_max_num_queries(125):
        response = _get(world.analyst, "trafficking_annual", format=file_format, year=str(YEAR))
    assert response.status_code == 200
