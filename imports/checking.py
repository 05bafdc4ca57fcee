"""Checking every row of an import before anything is saved: each cell against the contract's
codes and the gazetteer, the child's invariants (Child.clean), the external ids, and the
duplicate check against the database and within the file. Everything a check needs from the
database is read once for the whole file (places, concerns, people, known ids, namesakes per
district), so the time grows with the rows, not the queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, Location, User
from cases.choices import Sex, Source
from cases.models import Case, Child, ConcernType, district_of
from cases.models.child import CHILD_LOCATION_LEVELS
from cases.models.external import SYSTEM_CODE, CaseExternalId
from cases.policy import visible_cases
from cases.prefetched import concern_codes_of, load_details
from cases.search import namesakes_of_each
from cases.selectors.case import could_be_same_child
from cases.services.case import CASE_HOLDER_ROLES
from core.web import KHMER_DIGITS, typed_date
from imports.columns import COLUMNS, from_primero, is_primero
from imports.files import Sheet

DATE_SHAPES = ("%Y-%m-%d", "%d/%m/%Y")
# The child's invariants reported under the file's columns.
CHILD_COLUMNS = {"location": "location_code"}


# How often checking reports its progress, and the share of it the cells take.
PROGRESS_ROWS = 250
CELLS_SHARE = 0.8


@dataclass
class Row:
    """One row as it will be saved: a new case, or changes to the case its external id names."""

    number: int
    child: dict[str, Any]
    concerns: list[str]
    source: str
    summary: str
    owner: User | None
    system: str
    external_id: str
    case: Case | None = None  # the case the external id names already
    keys: tuple[str, str, str] = ("", "", "")  # district, Latin name, Khmer name
    age: int | None = None


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "field": column, "message": message})


def _date(text: str) -> datetime.date:
    shaped = typed_date(text)
    for shape in DATE_SHAPES:
        try:
            return datetime.datetime.strptime(shaped, shape).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class _Lookups:
    locations: dict[str, Location]
    concerns: frozenset[str]
    holders: dict[str, User]
    known_ids: dict[tuple[str, str], Case]


def _lookups(agency: Agency, sheet_rows: list[dict[str, str]]) -> _Lookups:
    codes = {row.get("location_code", "") for row in sheet_rows} - {""}
    pairs = {(row.get("external_system", ""), row.get("external_id", "")) for row in sheet_rows}
    pairs = {(system, ext) for system, ext in pairs if system and ext}
    known: dict[tuple[str, str], Case] = {}
    if pairs:
        query = Q()
        for system in {system for system, _ext in pairs}:
            query |= Q(system=system, external_id__in=[e for s, e in pairs if s == system])
        known = {
            (row.system, row.external_id): row.case
            for row in CaseExternalId.objects.filter(query).select_related(
                "case__child__location", "case__owner"
            )
        }
    return _Lookups(
        locations={place.code: place for place in Location.objects.filter(code__in=codes)},
        concerns=frozenset(
            ConcernType.objects.filter(is_active=True).values_list("code", flat=True)
        ),
        holders={
            person.username: person
            for person in User.objects.filter(
                agency=agency, is_active=True, role__in=CASE_HOLDER_ROLES
            ).select_related("agency")
        },
        known_ids=known,
    )


class _RowChecker:
    """Checks rows cell by cell against what was read once for the file; the errors go into
    ``checked``."""

    def __init__(
        self, *, lookups: _Lookups, agency: Agency, default_owner: User | None, checked: Checked
    ) -> None:
        self.lookups = lookups
        self.agency = agency
        self.default_owner = default_owner
        self.checked = checked

    def _child(self, number: int, text: dict[str, str]) -> dict[str, Any]:
        add = self.checked.add
        child: dict[str, Any] = {
            name: text[name]
            for name in ("given_name", "family_name", "given_name_km", "family_name_km")
        }
        child["sex"] = text["sex"].lower()
        if child["sex"] not in Sex.values:
            add(number, "sex", _("Use one of: %s.") % ", ".join(Sex.values))
        child["date_of_birth"] = None
        if text["date_of_birth"]:
            try:
                child["date_of_birth"] = _date(text["date_of_birth"])
            except ValueError:
                add(
                    number,
                    "date_of_birth",
                    _(
                        "Write the date as year-month-day (2014-03-25) or day/month/year "
                        "(25/03/2014)."
                    ),
                )
        child["estimated_age"] = None
        if text["estimated_age"]:
            try:
                child["estimated_age"] = int(text["estimated_age"].translate(KHMER_DIGITS))
            except ValueError:
                add(number, "estimated_age", _("Write the age in years, as a number."))
        return child

    def _place(self, number: int, text: dict[str, str]) -> Location | None:
        place = self.lookups.locations.get(text["location_code"])
        if place is None or place.level not in CHILD_LOCATION_LEVELS:
            self.checked.add(
                number, "location_code", _("Give the gazetteer code of a commune or a village.")
            )
            return None
        return place

    def _concerns(self, number: int, text: dict[str, str]) -> list[str]:
        concerns = [code.strip().lower() for code in text["concerns"].split(";") if code.strip()]
        unknown = [code for code in concerns if code not in self.lookups.concerns]
        if unknown:
            self.checked.add(number, "concerns", _("Unknown concern: %s.") % ", ".join(unknown))
        if text["source"] not in Source.values:
            self.checked.add(number, "source", _("Use one of: %s.") % ", ".join(Source.values))
        return list(dict.fromkeys(concerns))

    def _owner(self, number: int, text: dict[str, str]) -> User | None:
        if text["owner"]:
            owner = self.lookups.holders.get(text["owner"])
            if owner is None:
                self.checked.add(
                    number,
                    "owner",
                    _("Not an active case worker of %(agency)s.") % {"agency": self.agency},
                )
            return owner
        owner = self.default_owner
        if owner is None or owner.username not in self.lookups.holders:
            self.checked.add(
                number, "owner", _("Name the case worker of your agency who holds this case.")
            )
        return owner

    def _external(self, number: int, text: dict[str, str]) -> tuple[str, str, Case | None]:
        system, external_id = text["external_system"].lower(), text["external_id"]
        if bool(system) != bool(external_id):
            self.checked.add(
                number,
                "external_id",
                _("Give both the external system and the external id, or neither."),
            )
            return system, external_id, None
        if not system:
            return system, external_id, None
        try:
            SYSTEM_CODE(system)
        except ValidationError as error:
            self.checked.add(number, "external_system", " ".join(error.messages))
        case = self.lookups.known_ids.get((system, external_id))
        if case is not None and case.agency_id != self.agency.pk:
            self.checked.add(number, "external_id", _("This id names a case of another agency."))
        return system, external_id, case

    def _invariants(self, number: int, child: Child, already: set[str]) -> None:
        """Child.clean and the fields' own checks; a column already reported is not again."""
        try:
            # The location was checked against the places read once; its field is left out
            # so the check costs no query per row.
            child.clean_fields(
                exclude=["location", "location_path", "search_name", "search_name_km"]
            )
            child.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = CHILD_COLUMNS.get(name, name)
                if column not in already:
                    for message in messages:
                        self.checked.add(number, column, message)

    def row(self, number: int, cells: dict[str, str]) -> Row | None:
        """The row, checked; None when it has an error."""
        errors_before = len(self.checked.errors)
        text = {name: cells.get(name, "").strip() for name in COLUMNS}
        child = self._child(number, text)
        place = self._place(number, text)
        concerns = self._concerns(number, text)
        owner = self._owner(number, text)
        system, external_id, case = self._external(number, text)
        new_child = Child(**child)
        if place is not None:
            new_child.location = place
            new_child.derive()
        if child["estimated_age"] is not None:
            new_child.age_estimated_on = timezone.localdate()
        already = {error["field"] for error in self.checked.errors[errors_before:]}
        self._invariants(number, new_child, already)
        if len(self.checked.errors) > errors_before or place is None:
            return None
        child["location"] = place
        return Row(
            number=number,
            child=child,
            concerns=concerns,
            source=text["source"],
            summary=text["summary"],
            owner=owner,
            system=system,
            external_id=external_id,
            case=case,
            keys=(_district(place), new_child.search_name, new_child.search_name_km),
            age=new_child.age_on(timezone.localdate()),
        )


def _district(place: Location) -> str:
    return district_of(place.path)


def _name_keys(row: Row) -> list[str]:
    _district, latin, khmer = row.keys
    return [key for key in (f"l:{latin}" if latin else "", f"k:{khmer}" if khmer else "") if key]


def _twins_in_file(rows: list[Row], checked: Checked) -> None:
    """A row whose child is one of an earlier row's (same district, name, sex and age)."""
    seen: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        keys = _name_keys(row)
        earlier = next(
            (
                other
                for key in keys
                for other in seen[key]
                if could_be_same_child(row.child["sex"], row.age, other.child["sex"], other.age)
            ),
            None,
        )
        if earlier is not None:
            checked.add(
                row.number,
                "given_name",
                _("The same child as row %(row)d? Same name, sex, age and district.")
                % {"row": earlier.number},
            )
        for key in keys:
            seen[key].append(row)


def _known_children(district: str, rows: list[Row]) -> dict[int, list[Child]]:
    """The children already in ``district`` who may be a row's: named like it (the search of
    the registration form's duplicate check), of a compatible sex and age."""
    today = timezone.localdate()
    found = namesakes_of_each(district=district, names=[(row.keys[1], row.keys[2]) for row in rows])
    return {
        row.number: matches
        for row, children in zip(rows, found, strict=True)
        if (
            matches := [
                known
                for known in children
                if could_be_same_child(row.child["sex"], row.age, known.sex, known.age_on(today))
            ]
        )
    }


def _report_known(found: dict[int, list[Child]], importer: User, checked: Checked) -> None:
    """Each row's possible duplicates: the case's number where the importer sees the case,
    else only the agency that holds it (cases.selectors.case.possible_duplicates' rule)."""
    child_ids = {child.pk for children in found.values() for child in children}
    cases = {
        case.child_id: case
        for case in Case.objects.filter(child_id__in=child_ids).select_related("agency")
    }
    visible = set(
        visible_cases(importer).filter(child_id__in=child_ids).values_list("pk", flat=True)
    )
    for number, children in found.items():
        for known in children:
            case = cases.get(known.pk)
            # A restricted case is not even hinted at to those not named on it.
            if case is None or (case.restricted and case.pk not in visible):
                continue
            if case.pk in visible:
                message = _("Possibly the child of case %(number)s (%(agency)s).") % {
                    "number": case.case_number,
                    "agency": case.agency.name,
                }
            else:
                message = _("Possibly a child already known to %(agency)s.") % {
                    "agency": case.agency.name
                }
            checked.add(number, "given_name", message)


def _duplicates(rows: list[Row], importer: User, checked: Checked) -> None:
    """New rows whose child may be known already: in the database, named like the row's
    child (as at registration), or earlier in the file, with the same normalised name; both of
    a compatible sex, ages within the tolerance of cases.selectors.case, in the same district.
    Rows naming a known case by external id are updates, not checked."""
    by_district: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.case is None:
            by_district[row.keys[0]].append(row)
    found: dict[int, list[Child]] = {}
    for district, district_rows in by_district.items():
        _twins_in_file(district_rows, checked)
        found.update(_known_children(district, district_rows))
    if found:
        _report_known(found, importer, checked)


def check_rows(
    *,
    sheet: Sheet,
    agency: Agency,
    importer: User,
    default_owner: User | None,
    progress: Callable[[float], None] = lambda share: None,
) -> Checked:
    """Every row checked, every error listed (sorted by row, then by the column's place).
    ``progress`` hears the share of the work done, from 0 to 1, every PROGRESS_ROWS rows."""
    cells_rows = sheet.rows
    if is_primero(sheet.header):
        holders = frozenset(
            User.objects.filter(
                agency=agency, is_active=True, role__in=CASE_HOLDER_ROLES
            ).values_list("username", flat=True)
        )
        cells_rows = [(number, from_primero(cells, holders)) for number, cells in cells_rows]
    checked = Checked()
    missing = [name for name in ("given_name", "sex", "location_code") if name not in sheet.header]
    if missing and not is_primero(sheet.header):
        for name in missing:
            checked.add(1, name, _("This column is missing."))
        return checked
    lookups = _lookups(agency, [cells for _number, cells in cells_rows])
    seen_ids: dict[tuple[str, str], int] = {}
    checker = _RowChecker(
        lookups=lookups, agency=agency, default_owner=default_owner, checked=checked
    )
    for done, (number, cells) in enumerate(cells_rows):
        if done and done % PROGRESS_ROWS == 0:
            # The cells take most of the time; the duplicate check the last part.
            progress(CELLS_SHARE * done / len(cells_rows))
        row = checker.row(number, cells)
        if row is None:
            continue
        if row.system:
            first = seen_ids.setdefault((row.system, row.external_id), number)
            if first != number:
                checked.add(
                    number,
                    "external_id",
                    _("Row %(row)d has this external id already.") % {"row": first},
                )
                continue
        checked.rows.append(row)
    progress(CELLS_SHARE)
    _duplicates(checked.rows, importer, checked)
    order = {name: index for index, name in enumerate(COLUMNS)}
    checked.errors.sort(key=lambda e: (e["row"], order.get(e["field"], len(order))))
    return checked


def unchanged(row: Row) -> bool:
    """Whether the case the row's external id names holds what the row says already."""
    case = row.case
    if case is None:
        return False
    child = case.child
    same_child = (
        all(
            getattr(child, name) == value
            for name, value in row.child.items()
            if name not in {"location", "estimated_age"}
        )
        and child.location_id == row.child["location"].pk
    )
    # An estimated age is compared as the child's age today: it was estimated some time ago.
    if row.child["estimated_age"] is not None and child.date_of_birth is None:
        same_child = same_child and child.age_on(timezone.localdate()) == row.child["estimated_age"]
    concerns = concern_codes_of(case)
    return (
        same_child
        and concerns == sorted(set(row.concerns))
        and case.source == row.source
        and case.summary == row.summary
    )


def prefetch_known(rows: Iterable[Row]) -> None:
    """The concerns of the cases the rows update, read at once (unchanged() reads them)."""
    cases = [row.case for row in rows if row.case is not None]
    load_details(cases, concerns=True)
