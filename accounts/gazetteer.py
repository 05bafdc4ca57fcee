"""Importing the national gazetteer: the rows of its CSV export (``code, parent_code, level,
name_en, name_km``) are all checked first, then written in bulk in one transaction.

New codes are created and known ones get their names updated, so importing the same file twice
changes nothing the second time. A location never moves to another parent or level through an
import: that would silently re-home every case and jurisdiction under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import LEVEL_ORDER, LocationLevel, Role
from accounts.models import PATH_SEPARATOR, Location, User
from audit import services as audit

COLUMNS = ("code", "parent_code", "level", "name_en", "name_km")
# The header is line 1 of the file, so the first row is line 2.
FIRST_ROW_LINE = 2
# Rows per INSERT or UPDATE statement: a whole national file takes a handful of statements.
BATCH_SIZE = 2000
# The same rule as the location API, so the import accepts no code the API would refuse.
CODE_PATTERN = re.compile(r"[0-9A-Za-z-]+")
CODE_MAX_LENGTH = Location._meta.get_field("code").max_length or 0
NAME_MAX_LENGTH = Location._meta.get_field("name_en").max_length or 0


@dataclass(frozen=True)
class GazetteerImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass
class _Row:
    line: int
    code: str
    parent_code: str
    level: str
    name_en: str
    name_km: str
    problems: list[str] = field(default_factory=list)


def _parent_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(LocationLevel(level))
    return LEVEL_ORDER[index - 1] if index else None


def _parent_code_in(path: str) -> str:
    """The parent's code in a materialised path: ``"12/1201/"`` gives ``"12"``."""
    codes = path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)
    return codes[-2] if len(codes) > 1 else ""


def _code_problems(code: str, line: int, first_line_of: dict[str, int]) -> list[str]:
    if not code:
        return [_("code is missing")]
    if PATH_SEPARATOR in code:
        return [_("a code cannot contain '/' (%(code)s)") % {"code": code}]
    if not CODE_PATTERN.fullmatch(code) or len(code) > CODE_MAX_LENGTH:
        return [
            _("code %(code)s is not 1 to %(max)d letters, digits or '-'")
            % {"code": code, "max": CODE_MAX_LENGTH}
        ]
    if code in first_line_of:
        return [
            _("code %(code)s is already on line %(line)d")
            % {"code": code, "line": first_line_of[code]}
        ]
    first_line_of[code] = line
    return []


def _level_problems(level: str, parent_code: str) -> list[str]:
    if level not in LocationLevel.values:
        return [
            _("unknown level %(level)r (expected one of: %(levels)s)")
            % {"level": level, "levels": ", ".join(LocationLevel.values)}
        ]
    if level == LocationLevel.PROVINCE and parent_code:
        return [_("a province has no parent_code")]
    if level != LocationLevel.PROVINCE and not parent_code:
        return [_("a %(level)s needs a parent_code") % {"level": level}]
    return []


def _name_problems(column: str, name: str) -> list[str]:
    if not name:
        return [_("%(column)s is missing") % {"column": column}]
    if len(name) > NAME_MAX_LENGTH:
        return [
            _("%(column)s is longer than %(max)d characters")
            % {"column": column, "max": NAME_MAX_LENGTH}
        ]
    return []


def _read(rows: Iterable[Mapping[str, str]]) -> list[_Row]:
    """Each row with the problems that can be seen without the database."""
    read: list[_Row] = []
    first_line_of: dict[str, int] = {}
    for line, raw in enumerate(rows, start=FIRST_ROW_LINE):
        # csv.DictReader leaves a short row's missing values as None.
        value = {column: (raw.get(column) or "").strip() for column in COLUMNS}
        row = _Row(
            line=line,
            code=value["code"],
            parent_code=value["parent_code"],
            level=value["level"].lower(),
            name_en=value["name_en"],
            name_km=value["name_km"],
        )
        if None in raw:
            row.problems.append(_("the row has more values than the header has columns"))
        row.problems += _code_problems(row.code, line, first_line_of)
        row.problems += _level_problems(row.level, row.parent_code)
        row.problems += _name_problems("name_en", row.name_en)
        row.problems += _name_problems("name_km", row.name_km)
        read.append(row)
    return read


@dataclass
class _Plan:
    new: list[Location] = field(default_factory=list)
    renamed: list[Location] = field(default_factory=list)
    unchanged: int = 0


def _plan(rows: list[_Row], known: dict[str, Location]) -> _Plan:
    """What to create and rename; adds to each row the problems that need the database.

    Rows are taken parents first, so a parent from the same file is planned before its
    children. A child of a row that has problems is skipped without a problem of its own: the
    parent's line already says what is wrong.
    """
    in_file = {row.code: row for row in reversed(rows) if row.code}
    planned: dict[str, Location] = {}
    plan = _Plan()
    for row in sorted(
        (row for row in rows if not row.problems),
        key=lambda row: LEVEL_ORDER.index(LocationLevel(row.level)),
    ):
        parent: Location | None = None
        expected_parent_level = _parent_level(row.level)
        if expected_parent_level is not None:
            parent_row = in_file.get(row.parent_code)
            if parent_row is not None and parent_row.problems:
                continue
            parent_level = parent_row.level if parent_row else None
            if parent_row is None and row.parent_code in known:
                parent_level = known[row.parent_code].level
            if parent_level is None:
                row.problems.append(
                    _("parent_code %(parent)s is neither in the file nor in the gazetteer")
                    % {"parent": row.parent_code}
                )
                continue
            if parent_level != expected_parent_level:
                row.problems.append(
                    _(
                        "the parent of a %(level)s must be a %(expected)s, "
                        "but %(parent)s is a %(found)s"
                    )
                    % {
                        "level": row.level,
                        "expected": expected_parent_level,
                        "parent": row.parent_code,
                        "found": parent_level,
                    }
                )
                continue
            parent = planned[row.parent_code] if parent_row else known[row.parent_code]
        path = Location.path_for(parent=parent, code=row.code)
        location = known.get(row.code)
        if location is None:
            location = Location(
                code=row.code,
                name_en=row.name_en,
                name_km=row.name_km,
                level=row.level,
                parent=parent,
                path=path,
            )
            plan.new.append(location)
        elif location.level != row.level:
            row.problems.append(
                _("%(code)s is a %(known)s in the gazetteer; its level cannot change to %(level)s")
                % {"code": row.code, "known": location.level, "level": row.level}
            )
            continue
        elif location.path != path:
            row.problems.append(
                _(
                    "%(code)s is in %(current)s in the gazetteer; moving a location to another "
                    "parent (%(parent)s) is not allowed"
                )
                % {
                    "code": row.code,
                    "current": _parent_code_in(location.path),
                    "parent": row.parent_code,
                }
            )
            continue
        elif (location.name_en, location.name_km) != (row.name_en, row.name_km):
            location.name_en, location.name_km = row.name_en, row.name_km
            plan.renamed.append(location)
        else:
            plan.unchanged += 1
        planned[row.code] = location
    return plan


@transaction.atomic(durable=True)
def gazetteer_import(
    *, rows: Iterable[Mapping[str, str]], actor: User | None
) -> GazetteerImportResult:
    """Creates and renames locations from gazetteer rows, all or nothing.

    Every problem of every row is raised together as one ValidationError of messages
    ``"line N: ..."`` (the header being line 1), and then nothing is saved. ``actor`` is None only
    for the operator's import command.
    """
    if actor is not None and actor.role != Role.SYSTEM_ADMIN:
        raise PermissionDenied(_("Only a system admin can import the gazetteer."))
    read = _read(rows)
    if not read:
        raise ValidationError(_("The file has no rows below its header."))
    codes = {code for row in read for code in (row.code, row.parent_code) if code}
    known = {location.code: location for location in Location.objects.filter(code__in=codes)}
    plan = _plan(read, known)
    errors = [
        _("line %(line)d: %(problem)s") % {"line": row.line, "problem": problem}
        for row in read
        for problem in row.problems
    ]
    if errors:
        raise ValidationError(errors)
    for level in LEVEL_ORDER:
        # Children are inserted after their parents, whose ids the INSERT has just returned.
        Location.objects.bulk_create(
            [location for location in plan.new if location.level == level], batch_size=BATCH_SIZE
        )
    Location.objects.bulk_update(plan.renamed, ["name_en", "name_km"], batch_size=BATCH_SIZE)
    audit.record(
        actor=actor,
        action="gazetteer.import",
        changes={"created": len(plan.new), "updated": len(plan.renamed), "file_rows": len(read)},
    )
    return GazetteerImportResult(
        created=len(plan.new), updated=len(plan.renamed), unchanged=plan.unchanged
    )
