"""The standard reports (docs/reports.md): each a fixed list of tables that a ministry officer
recognises, for a year or a quarter, in the reader's language.

Every figure comes from :func:`reporting.statistics.statistics_answer`: a table's cells are one
answer, and the totals of its rows and columns are the one-way answers on each of its two
dimensions, exactly as the statistics API gives them. So a report suppresses what the API
suppresses, no more and no less, and holds nothing the API would not show the same person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Location, User
from cases.models import ConcernType
from core.web import localized
from reporting.statistics import (
    Answer,
    Question,
    Scope,
    dimension_values,
    labels_of,
    month_end,
    question_from,
    require_scope,
    statistics_answer,
)

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)
# The first year a report may be asked for: the system holds nothing older.
FIRST_YEAR = 2000
# The row and column dimension that a report counts by place: provinces across the country,
# districts within a province (chosen, or the caller's territory).
PLACE = "place"
SEX_TRAFFICKING = "sex_trafficking"
LABOUR_TRAFFICKING = "labour_trafficking"


# --- Definitions ------------------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    code: str
    title: Promise
    topic: str
    rows: str
    columns: str | None = None
    concern: str | None = None
    notes: tuple[Promise, ...] = ()


@dataclass(frozen=True)
class ReportSpec:
    code: str
    title: Promise
    description: Promise
    # "required", "optional" or "none": whether the report covers a quarter or a whole year.
    quarter: str
    tables: tuple[TableSpec, ...]


_SEVERAL_CONCERNS = gettext_lazy(
    "A case with several concerns counts under each of them; the totals count it once."
)
_VISITS = gettext_lazy(
    "Visits made in the period (with the outcome recorded) and visits missed; months after "
    "reintegration is the visit's place in the follow-up schedule."
)
_RESPONSE = gettext_lazy(
    "Answered on time: answered (accepted or declined) by the deadline set when the referral "
    "was sent, from its urgency. Waiting and overdue are as of the time the report was made."
)
_REINTEGRATED = gettext_lazy("Reintegrated: the case was closed with the reason “reintegrated”.")
_IDENTIFIED = gettext_lazy(
    "Identified victims: children whose case records this trafficking concern."
)


def _trafficking_tables(concern: str) -> tuple[TableSpec, ...]:
    """The tables of one trafficking concern; ``%(concern)s`` in a title is the concern's
    configured name."""
    tables = [
        TableSpec(
            f"{concern}_by_age_and_sex",
            gettext_lazy("%(concern)s: victims identified, by age band and sex"),
            "cases",
            "age_band",
            "sex",
            concern=concern,
            notes=(_IDENTIFIED,),
        ),
        TableSpec(
            f"{concern}_by_place",
            gettext_lazy("%(concern)s: victims identified, by place"),
            "cases",
            PLACE,
            "sex",
            concern=concern,
        ),
    ]
    if concern == LABOUR_TRAFFICKING:
        tables.append(
            TableSpec(
                f"{concern}_by_sector",
                gettext_lazy("%(concern)s: victims identified, by labour sector"),
                "cases",
                "labour_sector",
                "sex",
                concern=concern,
            )
        )
    tables += [
        TableSpec(
            f"{concern}_referrals",
            gettext_lazy("%(concern)s: referrals, by receiving agency and response"),
            "referrals",
            "to_agency_type",
            "response",
            concern=concern,
            notes=(_RESPONSE,),
        ),
        TableSpec(
            f"{concern}_visits",
            gettext_lazy(
                "%(concern)s: follow-up visits, by months after reintegration and outcome"
            ),
            "reintegration",
            "months_since_reintegration",
            "outcome",
            concern=concern,
            notes=(_VISITS,),
        ),
        TableSpec(
            f"{concern}_identifications",
            gettext_lazy("%(concern)s: victim identifications, by status and identifying agency"),
            "identifications",
            "victim_status",
            "identifying_agency_type",
            concern=concern,
        ),
        TableSpec(
            f"{concern}_repatriations",
            gettext_lazy("%(concern)s: repatriations, by country and where they stand"),
            "repatriations",
            "country",
            "repatriation_status",
            concern=concern,
        ),
        TableSpec(
            f"{concern}_prosecutions",
            gettext_lazy("%(concern)s: court cases, by the defendant's status and restitution"),
            "prosecutions",
            "defendant_status",
            "restitution",
            concern=concern,
        ),
    ]
    return tuple(tables)


REPORTS: dict[str, ReportSpec] = {
    spec.code: spec
    for spec in (
        ReportSpec(
            "quarterly_cases",
            gettext_lazy("Quarterly case report"),
            gettext_lazy(
                "Cases opened in the quarter by concern, age band, place and source; cases "
                "open at the quarter's end by risk level; cases closed by reason."
            ),
            "required",
            (
                TableSpec(
                    "opened_by_concern",
                    gettext_lazy("Cases opened, by concern and sex"),
                    "cases",
                    "concern",
                    "sex",
                    notes=(_SEVERAL_CONCERNS,),
                ),
                TableSpec(
                    "opened_by_age",
                    gettext_lazy("Cases opened, by age band and sex"),
                    "cases",
                    "age_band",
                    "sex",
                ),
                TableSpec(
                    "opened_by_place",
                    gettext_lazy("Cases opened, by place and sex"),
                    "cases",
                    PLACE,
                    "sex",
                ),
                TableSpec(
                    "opened_by_source",
                    gettext_lazy("Cases opened, by source"),
                    "cases",
                    "source",
                ),
                TableSpec(
                    "open_by_risk",
                    gettext_lazy("Cases open at the end of the quarter, by risk level"),
                    "open_cases",
                    "risk_level",
                ),
                TableSpec(
                    "closed_by_reason",
                    gettext_lazy("Cases closed, by reason"),
                    "closures",
                    "closure_reason",
                    notes=(_REINTEGRATED,),
                ),
            ),
        ),
        ReportSpec(
            "trafficking_annual",
            gettext_lazy("Annual trafficking report"),
            gettext_lazy(
                "Child victims of sex trafficking and of labour trafficking identified in the "
                "year, by age band, sex, place and labour sector; their referrals and how they "
                "were answered; their follow-up visits after reintegration; identifications, "
                "repatriations and court cases, with convictions and restitution paid."
            ),
            "none",
            (
                *_trafficking_tables(SEX_TRAFFICKING),
                *_trafficking_tables(LABOUR_TRAFFICKING),
            ),
        ),
        ReportSpec(
            "reintegration_outcomes",
            gettext_lazy("Reintegration outcomes"),
            gettext_lazy(
                "Follow-up visits after reintegration and their outcomes, by months after "
                "reintegration and by place; cases closed, reintegrated among them."
            ),
            "optional",
            (
                TableSpec(
                    "visits_by_month",
                    gettext_lazy("Follow-up visits, by months after reintegration and outcome"),
                    "reintegration",
                    "months_since_reintegration",
                    "outcome",
                    notes=(_VISITS,),
                ),
                TableSpec(
                    "visits_by_place",
                    gettext_lazy("Follow-up visits, by place and outcome"),
                    "reintegration",
                    PLACE,
                    "outcome",
                    notes=(_VISITS,),
                ),
                TableSpec(
                    "closed_by_reason",
                    gettext_lazy("Cases closed, by reason"),
                    "closures",
                    "closure_reason",
                    notes=(_REINTEGRATED,),
                ),
            ),
        ),
        ReportSpec(
            "referral_performance",
            gettext_lazy("Referral performance"),
            gettext_lazy(
                "Referrals made in the period: how they were answered against their deadline, "
                "by urgency and by the type of the receiving agency; where they stand now."
            ),
            "optional",
            (
                TableSpec(
                    "by_urgency",
                    gettext_lazy("Referrals, by urgency and response"),
                    "referrals",
                    "urgency",
                    "response",
                    notes=(_RESPONSE,),
                ),
                TableSpec(
                    "by_agency_type",
                    gettext_lazy("Referrals, by receiving agency and response"),
                    "referrals",
                    "to_agency_type",
                    "response",
                    notes=(_RESPONSE,),
                ),
                TableSpec(
                    "by_status",
                    gettext_lazy("Referrals, by status"),
                    "referrals",
                    "referral_status",
                ),
            ),
        ),
    )
}


def _dimension_titles() -> dict[str, str]:
    return {
        "province": _("Province"),
        "district": _("District"),
        "sex": _("Sex"),
        "age_band": _("Age band"),
        "concern": _("Concern"),
        "source": _("Source"),
        "risk_level": _("Risk level"),
        "labour_sector": _("Labour sector"),
        "closure_reason": _("Reason for closing"),
        "urgency": _("Urgency"),
        "to_agency_type": _("Receiving agency"),
        "response": _("Response"),
        "referral_status": _("Status"),
        "outcome": _("Outcome"),
        "months_since_reintegration": _("Time after reintegration"),
        "victim_status": _("Identified as"),
        "identifying_agency_type": _("Identifying agency"),
        "direction": _("Direction"),
        "country": _("Other country"),
        "repatriation_status": _("Where it stands"),
        "child_role": _("The child's part"),
        "defendant_status": _("Defendant"),
        "restitution": _("Restitution"),
    }


def _counted() -> dict[str, str]:
    """What a one-way table counts, by topic."""
    return {
        "cases": _("Cases"),
        "open_cases": _("Cases"),
        "closures": _("Cases"),
        "referrals": _("Referrals"),
        "reintegration": _("Visits"),
        "identifications": _("Identifications"),
        "repatriations": _("Repatriations"),
        "prosecutions": _("Court cases"),
    }


def report_spec(code: str) -> ReportSpec:
    spec = REPORTS.get(code)
    if spec is None:
        raise Http404(_("No such report."))
    return spec


def report_parameters(spec: ReportSpec) -> list[dict[str, Any]]:
    """What a report takes, as the report list shows it."""
    parameters: list[dict[str, Any]] = [
        {"name": "year", "required": True, "description": _("The year, e.g. 2026.")}
    ]
    if spec.quarter != "none":
        parameters.append(
            {
                "name": "quarter",
                "required": spec.quarter == "required",
                "description": _("The quarter, 1 to 4.")
                if spec.quarter == "required"
                else _("The quarter, 1 to 4; without it, the whole year."),
            }
        )
    parameters += [
        {
            "name": "location",
            "required": False,
            "description": _(
                "Id of a province or district within your territory; without it, all of it."
            ),
        },
        {"name": "format", "required": False, "description": _("json (default), csv or xlsx.")},
    ]
    return parameters


# --- The report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    columns: list[str]
    # Each row: its label, then one count per column after the first (None: suppressed).
    rows: list[list[str | int | None]]
    notes: list[str]


@dataclass(frozen=True)
class Report:
    code: str
    title: str
    date_from: date
    date_to: date
    location: Location | None
    covers: str
    as_of: datetime | None
    min_cell: int
    suppressed_note: str
    tables: list[Table]


def report_build(
    *,
    user: User,
    code: str,
    year: int,
    quarter: int | None = None,
    location: int | None = None,
) -> Report:
    """The report ``code`` for ``year`` (and ``quarter``), within the caller's scope and, when
    given, a province or district of it. 404 for an unknown code, 403 for people statistics are
    not for, 400 for a period or place that does not fit."""
    spec, scope, (date_from, date_to), place = _checked(
        user=user, code=code, year=year, quarter=quarter, location=location
    )
    place_dimension = _place_dimension(scope, place)
    concerns = {table.concern for table in spec.tables if table.concern}
    concern_names = labels_of("concern", concerns) if concerns else {}
    answers: list[Answer] = []
    tables = []
    for table in spec.tables:
        title = str(table.title)
        if table.concern:
            title %= {"concern": concern_names[table.concern]}
        built, asked = _table(
            table,
            title=title,
            user=user,
            question=Question(table.topic, (), date_from, date_to, place, table.concern),
            place_dimension=place_dimension,
        )
        tables.append(built)
        answers += asked
    min_cell = answers[0].min_cell if answers else int(settings.STATISTICS_MIN_CELL)
    territory = place or _territory(scope)
    return Report(
        code=spec.code,
        title=str(spec.title),
        date_from=date_from,
        date_to=date_to,
        location=territory,
        covers=_covers(scope, territory, user),
        as_of=answers[0].as_of if answers else None,
        min_cell=min_cell,
        # The dashboard's footnote, word for word (reporting/_footnote.html).
        suppressed_note=_(
            "Fewer than %(min_cell)s children, or hidden so that a small count cannot be "
            "worked out by subtraction."
        )
        % {"min_cell": min_cell},
        tables=tables,
    )


def report_check(
    *, user: User, code: str, year: int, quarter: int | None = None, location: int | None = None
) -> None:
    """Refuses what :func:`report_build` would refuse (404, 403, 400), without counting: the
    report page checks a choice before it sends the reader to the file."""
    _checked(user=user, code=code, year=year, quarter=quarter, location=location)


def _checked(
    *, user: User, code: str, year: int, quarter: int | None, location: int | None
) -> tuple[ReportSpec, Scope, tuple[date, date], Location | None]:
    spec = report_spec(code)
    scope = require_scope(user)
    period = _period(spec, year=year, quarter=quarter)
    return spec, scope, period, _place(scope, location)


def _period(spec: ReportSpec, *, year: int, quarter: int | None) -> tuple[date, date]:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not FIRST_YEAR <= year <= today.year:
        errors["year"] = _("Choose a year from %(first)d to %(last)d.") % {
            "first": FIRST_YEAR,
            "last": today.year,
        }
    if spec.quarter == "required" and quarter is None:
        errors["quarter"] = _("This report covers a quarter: choose one, 1 to 4.")
    elif spec.quarter == "none" and quarter is not None:
        errors["quarter"] = _("This report covers a whole year: leave out the quarter.")
    elif quarter is not None and not 1 <= quarter <= 4:
        errors["quarter"] = _("Choose a quarter from 1 to 4.")
    if errors:
        raise ValidationError(errors)
    if quarter is None:
        return date(year, 1, 1), date(year, 12, 31)
    start = date(year, 3 * quarter - 2, 1)
    if start > today:
        raise ValidationError({"quarter": _("This quarter has not begun.")})
    return start, month_end(date(year, 3 * quarter, 1))


def _place(scope: Scope, location: int | None) -> Location | None:
    """The province or district asked for, which must lie within the caller's territory (an
    agency's scope may be narrowed to any place)."""
    if location is None:
        return None
    place = question_from(topic="cases", location=location).location
    if place is not None and scope.path and not place.path.startswith(scope.path):
        raise ValidationError({"location": _("Choose a place within your territory.")})
    return place


def _place_dimension(scope: Scope, place: Location | None) -> str:
    """Provinces across the country; districts within one province."""
    narrowed = place.path if place is not None else scope.path
    return "district" if narrowed else "province"


def _territory(scope: Scope) -> Location | None:
    if not scope.path:
        return None
    return Location.objects.filter(path=scope.path).first()


def _covers(scope: Scope, territory: Location | None, user: User) -> str:
    """What the counts cover, in words."""
    if scope.agency_id is not None and user.agency is not None:
        agency = _("The cases of %(agency)s") % {"agency": user.agency.name}
        if territory is None:
            return agency
        return f"{agency}: {localized(territory.name_en, territory.name_km)}"
    if territory is not None:
        return localized(territory.name_en, territory.name_km)
    return _("Cambodia")


def _table(
    spec: TableSpec, *, title: str, user: User, question: Question, place_dimension: str
) -> tuple[Table, list[Answer]]:
    """A table and the answers it was made of: a one-way table is one answer with its total; a
    two-way table is the two-way answer, with the one-way answers on its rows and its columns
    as the totals of each row and each column."""
    rows = place_dimension if spec.rows == PLACE else spec.rows
    cells = _ask(user, question, (rows, spec.columns) if spec.columns else (rows,))
    notes = [str(note) for note in spec.notes]
    if spec.columns is None:
        by_row = _counts(cells)
        row_values = _ordered(rows, [row[rows] for row in cells.rows])
        row_labels = labels_of(rows, set(row_values))
        return (
            Table(
                code=spec.code,
                title=title,
                columns=[_dimension_titles()[rows], _counted()[spec.topic]],
                rows=[
                    *([row_labels[value], by_row.get((value,), 0)] for value in row_values),
                    [_("Total"), cells.total],
                ],
                notes=notes,
            ),
            [cells],
        )
    columns = spec.columns
    # The totals of the rows and of the columns: the one-way answers, suppressed on their own,
    # as the API gives them (the two-way answer's suppression already reckons with them).
    row_totals = _ask(user, question, (rows,))
    column_totals = _ask(user, question, (columns,))
    row_values = _ordered(rows, [row[rows] for row in row_totals.rows])
    column_values = _ordered(columns, [row[columns] for row in column_totals.rows])
    row_labels = labels_of(rows, set(row_values))
    column_labels = labels_of(columns, set(column_values))
    counts = _counts(cells)
    by_row, by_column = _counts(row_totals), _counts(column_totals)
    # The same total three times: shown only where every answer shows it.
    totals = (cells.total, row_totals.total, column_totals.total)
    total = None if None in totals else cells.total
    total_label = _("Total (each case once)") if "concern" in (rows, columns) else _("Total")
    return (
        Table(
            code=spec.code,
            title=title,
            columns=[
                _dimension_titles()[rows],
                *(column_labels[value] for value in column_values),
                _("Total"),
            ],
            rows=[
                *(
                    [
                        row_labels[row],
                        *(counts.get((row, column), 0) for column in column_values),
                        by_row.get((row,), 0),
                    ]
                    for row in row_values
                ),
                [total_label, *(by_column.get((column,), 0) for column in column_values), total],
            ],
            notes=notes,
        ),
        [cells, row_totals, column_totals],
    )


def _ask(user: User, question: Question, group_by: Sequence[str]) -> Answer:
    """One answer of the engine; question_from checks the topic, the dimensions and the period
    (the place and the concern were checked once for the whole report)."""
    checked = question_from(
        topic=question.topic,
        group_by=group_by,
        date_from=question.date_from,
        date_to=question.date_to,
    )
    return statistics_answer(
        user=user, question=replace(checked, location=question.location, concern=question.concern)
    )


def _counts(answer: Answer) -> dict[tuple[str, ...], int | None]:
    return {tuple(str(row[name]) for name in answer.group_by): row["count"] for row in answer.rows}


def _ordered(dimension: str, seen: Sequence[str]) -> list[str]:
    """The values of a dimension in the order a reader expects. A fixed list is shown whole
    (a value absent from the answer counted nothing, so its zero tells nothing new), save the
    "not recorded" value, shown only when something counts there; concerns in their configured
    order, the active ones whole; the months of the follow-up schedule whole, in order."""
    seen = [str(value) for value in seen]
    if dimension == "months_since_reintegration":
        schedule = {str(months) for months in settings.FOLLOW_UP_SCHEDULE_MONTHS}
        return sorted(schedule | set(seen), key=int)
    if dimension == "concern":
        configured = list(ConcernType.objects.values_list("code", "is_active"))
        order = [code for code, active in configured if active or code in seen]
        return order + [value for value in seen if value not in order]
    fixed = dimension_values(dimension)
    if fixed is None:
        return list(dict.fromkeys(seen))
    order = [str(value) for value in fixed if value or value in seen]
    return order + [value for value in seen if value not in order]


def report_file_name(report: Report, *, quarter: int | None, extension: str) -> str:
    """quarterly_cases-2026-Q3.xlsx, with the code of the place it covers (if not the whole
    country): quarterly_cases-2026-Q3-12.xlsx."""
    parts = [report.code, str(report.date_from.year)]
    if quarter is not None:
        parts.append(f"Q{quarter}")
    if report.location is not None:
        parts.append(
            "".join(char for char in report.location.code if char.isascii() and char.isalnum())
        )
    return "-".join(part for part in parts if part) + f".{extension}"
