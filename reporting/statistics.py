"""Counts from the statistics store, scoped to who asks and with small counts suppressed
(docs/statistics.md). Every figure the API, the reports and the dashboards show comes from
:func:`statistics_answer`; nothing here reads a case table or returns anything about one child.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import LEVEL_ORDER, OVERSIGHT_AGENCY_TYPES, AgencyType, LocationLevel, Role
from accounts.models import PATH_SEPARATOR, Location, User
from accounts.reach import NATIONAL, reach_of
from cases.choices import ClosureReason, LabourSector, RiskLevel, Sex, Source, Stage
from cases.models import ConcernType
from core.replica import reading_from_replica
from core.web import localized
from intake.choices import CallAction, CallerType, CallReason
from legal.choices import ChildRole, DefendantStatus
from referrals.choices import ReferralStatus, Urgency
from reintegration.choices import FollowUpOutcome, FollowUpStatus
from reporting.facts import facts_as_of
from reporting.models import (
    AgeBand,
    CallFact,
    CaseConcernFact,
    CaseFact,
    IdentificationFact,
    ProsecutionFact,
    ReferralFact,
    RepatriationFact,
    VisitFact,
)
from reporting.suppression import suppress
from trafficking.choices import COUNTRIES, Direction, RepatriationStatus, VictimStatus

MAX_DIMENSIONS = 2
# Statistics go no finer than a district: below it, two answers a commune apart would tell
# about a handful of children (docs/statistics.md, "Answers compared").
FINEST_LEVEL = LocationLevel.DISTRICT


# --- Who may ask, over what -------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the caller's statistics count: the cases of a territory (a location path prefix,
    NATIONAL for the country) or of one agency."""

    path: str | None = None
    agency_id: int | None = None


def statistics_scope(user: User) -> Scope | None:
    """None for people statistics are not for (they get 403)."""
    if not user.is_active:
        return None
    if user.role == Role.DATA_ANALYST:
        return Scope(path=user.location.path if user.location is not None else NATIONAL)
    if user.role == Role.SUPERVISOR:
        territory = reach_of(user).jurisdiction_path
        if territory is not None:
            return Scope(path=territory)
        # An office with no place configured sees nothing rather than everything.
        oversight = user.agency is not None and user.agency.type in OVERSIGHT_AGENCY_TYPES
        return None if oversight else Scope(agency_id=user.agency_id)
    if user.role == Role.AGENCY_ADMIN and user.agency_id is not None:
        return Scope(agency_id=user.agency_id)
    return None


def require_scope(user: User) -> Scope:
    scope = statistics_scope(user)
    if scope is None:
        raise PermissionDenied(_("Statistics are for analysts, supervisors and agency admins."))
    return scope


# --- Topics and dimensions ----------------------------------------------------------------

_PLACE_AND_CHILD = ("province", "district", "sex", "age_band", "concern")
_CASE = (*_PLACE_AND_CHILD, "source", "risk_level", "stage", "labour_sector")


@dataclass(frozen=True)
class Topic:
    code: str
    model: type[
        CaseFact
        | ReferralFact
        | VisitFact
        | IdentificationFact
        | RepatriationFact
        | ProsecutionFact
        | CallFact
    ]
    dimensions: tuple[str, ...]
    # The date a row counts on in the period (None: open on the period's last day).
    date_field: str | None
    # How a row reaches its case's concerns: a table of the same rows once per concern, or a
    # path through the case to that table.
    concerns: type[CaseConcernFact] | str
    # The rows of one agency's scope.
    agency_condition: Callable[[int], Q] = field(default=lambda agency_id: Q(agency_id=agency_id))


def _response(now: datetime) -> Case:
    """How a referral was answered against its deadline, as of ``now``."""
    answered = Q(answered_at__isnull=False)
    return Case(
        When(answered & Q(respond_by__isnull=True), then=Value("on_time")),
        When(answered & Q(answered_at__lte=F("respond_by")), then=Value("on_time")),
        When(answered, then=Value("late")),
        When(status=ReferralStatus.PENDING_APPROVAL, then=Value("awaiting_approval")),
        When(~Q(status=ReferralStatus.SENT), then=Value("withdrawn")),
        When(respond_by__lt=now, then=Value("overdue")),
        default=Value("waiting"),
        output_field=CharField(),
    )


TOPICS: dict[str, Topic] = {
    "cases": Topic("cases", CaseFact, (*_CASE, "month"), "opened_on", CaseConcernFact),
    "open_cases": Topic("open_cases", CaseFact, _CASE, None, CaseConcernFact),
    "closures": Topic(
        "closures", CaseFact, (*_CASE, "closure_reason", "month"), "closed_on", CaseConcernFact
    ),
    "referrals": Topic(
        "referrals",
        ReferralFact,
        (*_PLACE_AND_CHILD, "urgency", "referral_status", "to_agency_type", "response", "month"),
        "made_on",
        "case__concern_facts__concern",
        agency_condition=lambda agency_id: (
            Q(agency_id=agency_id) | Q(from_agency_id=agency_id) | Q(to_agency_id=agency_id)
        ),
    ),
    "reintegration": Topic(
        "reintegration",
        VisitFact,
        (*_PLACE_AND_CHILD, "outcome", "months_since_reintegration", "month"),
        "visited_on",
        "case__concern_facts__concern",
    ),
    "identifications": Topic(
        "identifications",
        IdentificationFact,
        (*_PLACE_AND_CHILD, "victim_status", "identifying_agency_type", "month"),
        "identified_on",
        "case__concern_facts__concern",
    ),
    "repatriations": Topic(
        "repatriations",
        RepatriationFact,
        (*_PLACE_AND_CHILD, "direction", "country", "repatriation_status", "month"),
        "started_on",
        "case__concern_facts__concern",
    ),
    "prosecutions": Topic(
        "prosecutions",
        ProsecutionFact,
        (*_PLACE_AND_CHILD, "child_role", "defendant_status", "restitution", "month"),
        "filed_on",
        "case__concern_facts__concern",
    ),
    # Calls to a helpline. Their place is the linked case's or concern report's (empty
    # otherwise): a territory's scope counts the linked calls alone, the helpline's own
    # agency scope and the nation all of them. No child, so no sex, age band or concern
    # dimension; ?concern= keeps the calls linked to a case of that concern.
    "calls": Topic(
        "calls",
        CallFact,
        ("province", "district", "caller_type", "call_reason", "call_action", "month"),
        "received_on",
        "case__concern_facts__concern",
    ),
}

ALL_DIMENSIONS = sorted({dimension for topic in TOPICS.values() for dimension in topic.dimensions})
_COLUMN = {"referral_status": "status"}


def dimension_values(dimension: str) -> list[str] | None:
    """The values a dimension takes, in display order (None: whatever the data holds)."""
    fixed: dict[str, Sequence[str]] = {
        "sex": Sex.values,
        "age_band": AgeBand.values,
        "source": Source.values,
        "risk_level": [*RiskLevel.values, ""],
        "stage": Stage.values,
        "labour_sector": [*LabourSector.values, ""],
        "closure_reason": ClosureReason.values,
        "urgency": Urgency.values,
        "referral_status": ReferralStatus.values,
        "to_agency_type": AgencyType.values,
        "outcome": [*FollowUpOutcome.values, FollowUpStatus.MISSED],
        "response": ["on_time", "late", "waiting", "overdue", "awaiting_approval", "withdrawn"],
        "victim_status": VictimStatus.values,
        "direction": Direction.values,
        "repatriation_status": RepatriationStatus.values,
        "child_role": ChildRole.values,
        "defendant_status": [*DefendantStatus.values, ""],
        "restitution": list(RESTITUTION_STATES),
        "caller_type": CallerType.values,
        "call_reason": CallReason.values,
        "call_action": CallAction.values,
    }
    values = fixed.get(dimension)
    return list(values) if values is not None else None


# --- The question and the answer ----------------------------------------------------------


@dataclass(frozen=True)
class Question:
    topic: str
    group_by: tuple[str, ...]
    date_from: date
    date_to: date
    location: Location | None = None
    concern: str | None = None


@dataclass(frozen=True)
class Answer:
    topic: str
    group_by: tuple[str, ...]
    date_from: date
    date_to: date
    min_cell: int
    rows: list[dict[str, Any]]
    total: int | None
    as_of: datetime | None
    labels: dict[str, dict[str, str]]


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def question_from(
    *,
    topic: str,
    group_by: Sequence[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    location: int | None = None,
    concern: str | None = None,
) -> Question:
    """Checks a question and brings its period to whole months (an answer for a narrower
    period, compared with its neighbour, would single out the few children between them)."""
    errors: dict[str, str] = {}
    spec = TOPICS.get(topic)
    if spec is None:
        raise ValidationError({"topic": _("Unknown topic. Topics: %s.") % ", ".join(TOPICS)})
    dimensions = tuple(group_by)
    unknown = [name for name in dimensions if name not in spec.dimensions]
    if unknown:
        errors["group_by"] = _(
            "Unknown dimension for %(topic)s: %(names)s. Dimensions: %(all)s."
        ) % {
            "topic": topic,
            "names": ", ".join(unknown),
            "all": ", ".join(spec.dimensions),
        }
    elif len(set(dimensions)) != len(dimensions):
        errors["group_by"] = _("A dimension is named twice.")
    elif len(dimensions) > MAX_DIMENSIONS:
        errors["group_by"] = _("Group by at most two dimensions.")
    today = timezone.localdate()
    end = month_end(date_to or today)
    start = month_start(date_from) if date_from else _a_year_before(end)
    if start > end:
        errors["from"] = _("The period starts after it ends.")
    place = None
    if location is not None:
        place = Location.objects.filter(pk=location).first()
        if place is None:
            errors["location"] = _("Unknown place.")
        elif LEVEL_ORDER.index(LocationLevel(place.level)) > LEVEL_ORDER.index(FINEST_LEVEL):
            errors["location"] = _("Statistics go no finer than a district.")
    if concern is not None and not ConcernType.objects.filter(code=concern).exists():
        errors["concern"] = _("Unknown concern.")
    if errors:
        raise ValidationError(errors)
    return Question(topic, dimensions, start, end, place, concern)


def _a_year_before(end: date) -> date:
    """The first day of the twelve months ending with ``end``'s month."""
    if end.month == 12:
        return date(end.year, 1, 1)
    return date(end.year - 1, end.month + 1, 1)


def statistics_answer(*, user: User, question: Question) -> Answer:
    """Counts for ``question`` within the caller's scope, suppressed (403 outside the roles)."""
    scope = require_scope(user)
    # Counts may be seconds old: they come from the replica when there is one (core.replica).
    with reading_from_replica(user_id=user.pk):
        return _answer(scope, question)


def _answer(scope: Scope, question: Question) -> Answer:
    spec = TOPICS[question.topic]
    min_cell = settings.STATISTICS_MIN_CELL
    by_concern = "concern" in question.group_by
    rows, concern = _scoped(spec, scope, question, by_concern=by_concern)
    grid = (
        _grid(_grouped(spec, rows, question.group_by, concern), question)
        if question.group_by
        else {}
    )
    if by_concern:
        # A case counts under each of its concerns, and once in the total.
        total = _scoped(spec, scope, question, by_concern=False)[0].count()
    else:
        total = sum(grid.values()) if grid else rows.count()
    hidden = suppress(grid, total=total, min_cell=min_cell) if grid else None
    total_hidden = hidden.total if hidden else 0 < total < min_cell
    answer_rows = [
        {
            **dict(zip(question.group_by, cell, strict=True)),
            "count": None if hidden and cell in hidden.cells else count,
            "suppressed": bool(hidden and cell in hidden.cells),
        }
        for cell, count in grid.items()
    ]
    return Answer(
        topic=question.topic,
        group_by=question.group_by,
        date_from=question.date_from,
        date_to=question.date_to,
        min_cell=min_cell,
        rows=answer_rows,
        total=None if total_hidden else total,
        as_of=facts_as_of(),
        labels={
            name: labels_of(name, {str(row[name]) for row in answer_rows})
            for name in question.group_by
        },
    )


def _scoped(
    spec: Topic, scope: Scope, question: Question, *, by_concern: bool
) -> tuple[QuerySet[Any], str]:
    """The rows the question counts within the scope, and the field of their concern. Grouped
    by concern, or for one concern, a case topic reads its rows once per concern."""
    on_concerns = not isinstance(spec.concerns, str) and (by_concern or bool(question.concern))
    model = spec.concerns if on_concerns and not isinstance(spec.concerns, str) else spec.model
    concern = "concern" if on_concerns else str(spec.concerns)
    rows: QuerySet[Any] = model.objects.all()
    if scope.agency_id is not None:
        rows = rows.filter(spec.agency_condition(scope.agency_id))
    for path in (scope.path, question.location.path if question.location else None):
        if path:
            rows = rows.filter(_within(path))
    if spec.date_field is None:
        rows = rows.filter(opened_on__lte=question.date_to).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=question.date_to)
        )
    else:
        rows = rows.filter(
            **{
                f"{spec.date_field}__gte": question.date_from,
                f"{spec.date_field}__lte": question.date_to,
            }
        )
    if question.concern and on_concerns:
        rows = rows.filter(concern=question.concern)
    elif question.concern:
        # The cases of one concern, looked up once by the concern's index (a join would pair
        # each of the period's rows with every concern of its case).
        rows = rows.filter(
            case_id__in=CaseConcernFact.objects.filter(concern=question.concern).values("case_id")
        )
    return rows, concern


def _within(path: str) -> Q:
    """A territory as an equality where the store has one (province, district), so the
    scope and the period are read from one index."""
    codes = path.split(PATH_SEPARATOR)[:-1]
    if len(codes) == 1:
        return Q(province=codes[0])
    if len(codes) == 2:
        return Q(district=codes[1])
    return Q(location_path__startswith=path)


def _grouped(
    spec: Topic, rows: QuerySet[Any], group_by: Sequence[str], concern: str
) -> dict[tuple[str, ...], int]:
    annotations: dict[str, Any] = {}
    for name in group_by:
        if name == "month":
            annotations["g_month"] = TruncMonth(spec.date_field or "opened_on")
        elif name == "concern":
            annotations["g_concern"] = F(concern)
        elif name == "response":
            annotations["g_response"] = _response(timezone.now())
        else:
            annotations[f"g_{name}"] = F(_COLUMN.get(name, name))
    keys = list(annotations)
    counted = rows.annotate(**annotations).values(*keys).annotate(n=Count("pk")).order_by()
    result: dict[tuple[str, ...], int] = {}
    for row in counted:
        cell = tuple(_as_text(row[key]) for key in keys)
        result[cell] = result.get(cell, 0) + row["n"]
    return result


def _as_text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m")
    return "" if value is None else str(value)


def _grid(counted: dict[tuple[str, ...], int], question: Question) -> dict[tuple[str, ...], int]:
    """Every combination of the values of the dimensions, zeros included: a zero is a cell
    like any other, which complementary suppression may hide, and its absence from the answer
    would tell as much as its count."""
    axes = []
    for position, name in enumerate(question.group_by):
        seen = {cell[position] for cell in counted}
        if name == "month":
            values = _months(question.date_from, question.date_to)
        else:
            fixed = dimension_values(name)
            values = [value for value in fixed or () if value in seen]
            values += sorted(seen - set(values), key=_display_order)
        axes.append(values)
    return {cell: counted.get(cell, 0) for cell in itertools.product(*axes)}


def _display_order(value: str) -> tuple[int, int, str]:
    """Numbers as numbers (a 12-month visit after the 3-month one), then words, then "not
    recorded" last."""
    if value.isdigit():
        return (0, int(value), "")
    return (1 if value else 2, 0, value)


def _months(start: date, end: date) -> list[str]:
    months = []
    day = month_start(start)
    while day <= end:
        months.append(day.strftime("%Y-%m"))
        day = (day.replace(day=28) + (date.resolution * 4)).replace(day=1)
    return months


# --- Labels -------------------------------------------------------------------------------

_CHOICE_LABELS: dict[str, Mapping[str, Any]] = {
    "sex": dict(Sex.choices),
    "source": dict(Source.choices),
    "risk_level": dict(RiskLevel.choices),
    "stage": dict(Stage.choices),
    "labour_sector": dict(LabourSector.choices),
    "closure_reason": dict(ClosureReason.choices),
    "urgency": dict(Urgency.choices),
    "referral_status": dict(ReferralStatus.choices),
    "to_agency_type": dict(AgencyType.choices),
    "outcome": {
        **dict(FollowUpOutcome.choices),
        FollowUpStatus.MISSED: FollowUpStatus.MISSED.label,
    },
    "victim_status": dict(VictimStatus.choices),
    "identifying_agency_type": dict(AgencyType.choices),
    "direction": dict(Direction.choices),
    "country": dict(COUNTRIES),
    "repatriation_status": dict(RepatriationStatus.choices),
    "child_role": dict(ChildRole.choices),
    "defendant_status": dict(DefendantStatus.choices),
    "caller_type": dict(CallerType.choices),
    "call_reason": dict(CallReason.choices),
    "call_action": dict(CallAction.choices),
}

# Restitution ordered by a court, and how much of it was paid (reporting.facts).
RESTITUTION_STATES = ("none", "unpaid", "part_paid", "paid")


def _response_labels() -> dict[str, str]:
    return {
        "on_time": _("Answered on time"),
        "late": _("Answered late"),
        "waiting": _("Waiting, not yet due"),
        "overdue": _("Waiting, overdue"),
        "awaiting_approval": _("Awaiting approval"),
        "withdrawn": _("Cancelled or expired unanswered"),
    }


def _restitution_labels() -> dict[str, str]:
    return {
        "none": _("No restitution ordered"),
        "unpaid": _("Ordered, not paid"),
        "part_paid": _("Ordered, partly paid"),
        "paid": _("Ordered and paid"),
    }


def labels_of(dimension: str, values: set[str]) -> dict[str, str]:
    """Each value's label in the active language; an empty value (a case with no concern, a
    case placed at province level) is "Not recorded" whatever the dimension."""
    labels = _labels(dimension, values - {""})
    if "" in values:
        labels[""] = _("Not recorded")
    return labels


def _labels(dimension: str, values: set[str]) -> dict[str, str]:
    if dimension in ("province", "district"):
        places = Location.objects.filter(
            code__in=values,
            level=LocationLevel.PROVINCE if dimension == "province" else LocationLevel.DISTRICT,
        ).values_list("code", "name_en", "name_km")
        names = {code: localized(name_en, name_km) for code, name_en, name_km in places}
        return {value: names.get(value, value) for value in values}
    if dimension == "concern":
        concerns = ConcernType.objects.filter(code__in=values).values_list(
            "code", "label_en", "label_km"
        )
        names = {code: localized(label_en, label_km) for code, label_en, label_km in concerns}
        return {value: names.get(value, value) for value in values}
    if dimension in ("response", "restitution"):
        names = _response_labels() if dimension == "response" else _restitution_labels()
        return {value: names.get(value, value) for value in values}
    if dimension == "months_since_reintegration":
        return {
            value: ngettext("%(months)s month", "%(months)s months", int(value)) % {"months": value}
            for value in values
        }
    if dimension == "age_band":
        return {value: _("Unknown") if value == AgeBand.UNKNOWN else value for value in values}
    choices = _CHOICE_LABELS.get(dimension, {})
    return {value: str(choices.get(value, value)) for value in values}
