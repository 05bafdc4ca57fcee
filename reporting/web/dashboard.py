"""The statistics dashboard (/statistics/): the charts an analyst or a supervisor reads at a
glance, each with its table, for a period and a place. Every number comes from
``statistics_answer``, scoped to the reader and with small counts suppressed; this page only
lays the answers out. A fixed number of queries whatever the data (tested)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import LocationLevel, Role
from accounts.models import Location
from accounts.selectors import location_list
from core.ids import as_id
from core.web import adopt, place_name, user_of
from reporting.charts import Cell, Grid, answer_grid, bar_chart
from reporting.statistics import (
    Answer,
    Question,
    Scope,
    question_from,
    require_scope,
    statistics_answer,
)
from reporting.web.forms import PlaceChoices, StatisticsFilterForm

# The roles whose people also have a team caseload page.
CASELOAD_ROLES = (Role.SUPERVISOR, Role.AGENCY_ADMIN)


@dataclass(frozen=True)
class Chart:
    """One panel: a question of one or two dimensions drawn as bars, with its table."""

    key: str
    topic: str
    rows: str
    columns: str | None
    title: Promise
    counted: Promise  # what a bar's length counts: the value axis
    note: Promise
    horizontal: bool = False


CHARTS = (
    Chart(
        "opened",
        "cases",
        "month",
        "concern",
        gettext_lazy("Cases opened per month, by concern"),
        gettext_lazy("Cases"),
        gettext_lazy("A case with several concerns counts under each of them."),
    ),
    Chart(
        "risk",
        "open_cases",
        "risk_level",
        None,
        gettext_lazy("Open caseload by risk level"),
        gettext_lazy("Open cases"),
        gettext_lazy("Cases open on the last day of the period, by their latest risk level."),
        horizontal=True,
    ),
    Chart(
        "referrals",
        "referrals",
        "urgency",
        "response",
        gettext_lazy("Referral responses against their deadlines"),
        gettext_lazy("Referrals"),
        gettext_lazy("Referrals made in the period, by urgency and how they were answered."),
        horizontal=True,
    ),
    Chart(
        "follow_ups",
        "reintegration",
        "months_since_reintegration",
        "outcome",
        gettext_lazy("Follow-up outcomes by months since reintegration"),
        gettext_lazy("Visits"),
        gettext_lazy(
            "Follow-up visits made in the period, by outcome; a missed visit counts in the "
            "month it was due."
        ),
    ),
)

DIMENSION_NAMES = {
    "month": gettext_lazy("Month"),
    "concern": gettext_lazy("Concern"),
    "risk_level": gettext_lazy("Risk level"),
    "urgency": gettext_lazy("Urgency"),
    "response": gettext_lazy("Response"),
    "months_since_reintegration": gettext_lazy("Months since reintegration"),
    "outcome": gettext_lazy("Outcome"),
    "province": gettext_lazy("Province"),
    "district": gettext_lazy("District"),
}


@dataclass(frozen=True)
class Panel:
    chart: Chart
    grid: Grid
    svg: SafeString
    total: int | None
    total_suppressed: bool
    row_name: str

    @property
    def has_suppressed(self) -> bool:
        return self.grid.has_suppressed or self.total_suppressed


@dataclass(frozen=True)
class PlaceRow:
    label: str
    opened: Cell
    open: Cell


@dataclass(frozen=True)
class PlaceTable:
    """Cases opened in the period and cases open at its end, place by place."""

    title: str
    dimension_name: str
    rows: list[PlaceRow]
    opened_total: Cell
    open_total: Cell

    @property
    def has_suppressed(self) -> bool:
        cells = [self.opened_total, self.open_total]
        cells += [cell for row in self.rows for cell in (row.opened, row.open)]
        return any(cell.suppressed for cell in cells)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    scope = require_scope(user)  # 403 for people statistics are not for
    form = StatisticsFilterForm(request.GET or None, places=_place_choices(scope))
    if form.is_bound and not form.is_valid():
        return _render(request, form, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    try:
        questions = _questions(
            scope,
            date_from=filters.get("from_month"),
            date_to=filters.get("to_month"),
            location=as_id(filters.get("place")),
        )
    except ValidationError as error:
        adopt(form, error, aliases={"from": "from_month", "to": "to_month", "location": "place"})
        return _render(request, form, status=400)
    answers = {key: statistics_answer(user=user, question=q) for key, q in questions.items()}
    first = answers[CHARTS[0].key]
    if not form.is_bound:
        # The form shows the period the engine chose.
        form.initial = {"from_month": first.date_from, "to_month": first.date_to}
    return _render(
        request,
        form,
        panels=[_panel(chart, answers[chart.key]) for chart in CHARTS],
        places=_place_table(answers["places_opened"], answers["places_open"]),
        period=(first.date_from, first.date_to),
        place=questions[CHARTS[0].key].location,
        as_of=first.as_of,
        min_cell=first.min_cell,
    )


def _render(
    request: HttpRequest,
    form: StatisticsFilterForm,
    *,
    status: int = 200,
    panels: list[Panel] | None = None,
    places: PlaceTable | None = None,
    period: tuple[date, date] | None = None,
    place: Location | None = None,
    as_of: datetime | None = None,
    min_cell: int | None = None,
) -> HttpResponse:
    user = user_of(request)
    return render(
        request,
        "reporting/dashboard.html",
        {
            "form": form,
            "panels": panels or [],
            "places": places,
            "period": period,
            "place": place_name(place) if place else None,
            "as_of": as_of,
            "min_cell": min_cell,
            "has_caseload": user.role in CASELOAD_ROLES,
        },
        status=status,
    )


def _questions(
    scope: Scope, *, date_from: date | None, date_to: date | None, location: int | None
) -> dict[str, Question]:
    """Each panel's question, and the place table's two: by province for the whole country,
    by district for a province, a district or an agency's cases."""

    def ask(topic: str, *group_by: str) -> Question:
        return question_from(
            topic=topic,
            group_by=group_by,
            date_from=date_from,
            date_to=date_to,
            location=location,
        )

    questions = {
        chart.key: ask(chart.topic, chart.rows, *([chart.columns] if chart.columns else []))
        for chart in CHARTS
    }
    national = scope.agency_id is None and not scope.path and location is None
    place = "province" if national else "district"
    questions["places_opened"] = ask("cases", place)
    questions["places_open"] = ask("open_cases", place)
    return questions


def _panel(chart: Chart, answer: Answer) -> Panel:
    grid = answer_grid(answer, rows=chart.rows, columns=chart.columns)
    row_name = str(DIMENSION_NAMES[chart.rows])
    return Panel(
        chart=chart,
        grid=grid,
        svg=bar_chart(
            grid,
            chart_id=f"chart-{chart.key}",
            title=str(chart.title),
            value_axis=str(chart.counted),
            category_axis=row_name,
            horizontal=chart.horizontal,
        ),
        total=answer.total,
        total_suppressed=answer.total is None,
        row_name=row_name,
    )


def _place_table(opened: Answer, still_open: Answer) -> PlaceTable:
    dimension = opened.group_by[0]
    labels = {**opened.labels[dimension], **still_open.labels[dimension]}
    cells: dict[str, dict[str, Cell]] = {}
    for key, answer in (("opened", opened), ("open", still_open)):
        for row in answer.rows:
            place = cells.setdefault(str(row[dimension]), {})
            place[key] = Cell(count=row["count"], suppressed=row["suppressed"])
    # A place missing from one answer has nothing to count there.
    nothing = Cell(count=0, suppressed=False)
    return PlaceTable(
        title=_("Cases by province") if dimension == "province" else _("Cases by district"),
        dimension_name=str(DIMENSION_NAMES[dimension]),
        rows=[
            PlaceRow(
                label=labels.get(code, code),
                opened=place.get("opened", nothing),
                open=place.get("open", nothing),
            )
            for code, place in sorted(cells.items())
        ],
        opened_total=_total(opened),
        open_total=_total(still_open),
    )


def _total(answer: Answer) -> Cell:
    return Cell(count=answer.total, suppressed=answer.total is None)


def _place_choices(scope: Scope) -> PlaceChoices:
    """The provinces and districts within the reader's territory (the statistics go no finer
    than a district), each province with its districts."""
    places = location_list().filter(level__in=[LocationLevel.PROVINCE, LocationLevel.DISTRICT])
    if scope.path:
        places = places.filter(path__startswith=scope.path)
    choices: PlaceChoices = []
    group: list[tuple[str, str]] | None = None
    group_path = ""
    for place in places.only("id", "path", "level", "name_en", "name_km").order_by("path"):
        name = place_name(place)
        if place.level == LocationLevel.PROVINCE:
            group_path = place.path
            group = [(str(place.pk), _("%(province)s, all districts") % {"province": name})]
            choices.append((name, group))
        elif group is not None and place.path.startswith(group_path):
            group.append((str(place.pk), name))
        else:
            choices.append((str(place.pk), name))
    return choices
