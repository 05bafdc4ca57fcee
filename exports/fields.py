"""The fields an export may hold: the case detail's (``GET /api/v1/cases/{id}/``), dotted for
the child's (``child.given_name``). Each is shown to whom the case detail shows it: the rule is
read from the case serializer itself (its ``CasePart`` fields and the child's identity and
profile fields), never written again here, so the export cannot drift from the detail.

A cell is written for people: choices as their labels, people, agencies and places by name,
in the requester's language (the caller wraps the build in ``translation.override``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.api.serializers import (
    PROFILE_FIELDS,
    CaseChildSerializer,
    CasePart,
    CaseSerializer,
)
from cases.choices import Section
from cases.models import Case, Child
from cases.policy import CaseAccess
from cases.prefetched import concern_codes_of
from core.web import place_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Field groups: the administrative fields every access shows, and the child's identity; the
# other groups are the case's sections.
ADMINISTRATIVE = "case"
IDENTITY = "identity"

GROUP_LABELS: dict[str, StrOrPromise] = {
    ADMINISTRATIVE: _("Case"),
    IDENTITY: _("The child"),
    Section.PROFILE: _("The child's profile"),
    Section.CONCERNS: _("Concerns and what happened"),
}

# Parts of the case detail that are no column: what the caller may do, their access, the
# closure (an object), the version (the ETag's), the child as a whole (its fields are) and
# the family (a list of people), the external ids (a list, for partner systems' sync).
_NOT_COLUMNS = frozenset(
    {"actions", "access", "closure", "version", "child", "family", "external_ids"}
)

_CASE_LABELS: dict[str, StrOrPromise] = {
    "id": _("Case id"),
    "case_number": _("Case number"),
    "status": _("Status"),
    "stage": _("Stage"),
    "risk_level": _("Risk level"),
    "respond_by": _("Respond by"),
    "reassess_by": _("Reassess by"),
    "owner": _("Case worker"),
    "agency": _("Agency"),
    "location": _("Place"),
    "restricted": _("Restricted"),
    "created_at": _("Registered"),
    "updated_at": _("Last changed"),
    "concerns": _("Concerns"),
    "labour_sector": _("Labour sector"),
    "source": _("Source"),
    "summary": _("Summary"),
}
# The child's labels are the model's, but where the model's speaks to the person entering.
_CHILD_LABELS: dict[str, StrOrPromise] = {
    "id": _("Child id"),
    "age": _("Age"),
    "estimated_age": _("Estimated age (years)"),
}


class Cells:
    """What a cell needs beyond the case: the concerns' labels, read once for the export."""

    def __init__(self, concern_labels: Mapping[str, str]) -> None:
        self.concern_labels = concern_labels


Value = Callable[[Case, Cells], Any]


@dataclass(frozen=True)
class ExportField:
    name: str
    label: StrOrPromise
    group: str
    shown: Callable[[CaseAccess], bool]
    value: Value


def _always(access: CaseAccess) -> bool:
    return True


def _identity(access: CaseAccess) -> bool:
    return access.identity


def _profile(access: CaseAccess) -> bool:
    return access.sees(Section.PROFILE)


def _group_of(shown: Callable[[CaseAccess], bool]) -> str:
    """The group a case part's rule opens: the identity, or the one section it asks for."""
    if shown(CaseAccess(identity=True)):
        return IDENTITY
    for section in Section.values:
        if shown(CaseAccess(sections=frozenset({section}))):
            return section
    raise ValueError("A part of the case that no access shows.")


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _cell(instance: models.Model, name: str, value: Any) -> Any:
    """``value`` of ``instance``'s ``name`` as a reader takes it."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and getattr(field, "choices", None):
        return getattr(instance, f"get_{name}_display")() if value else ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else value


def _model_value(name: str, of: Callable[[Case], models.Model]) -> Value:
    def value(case: Case, cells: Cells) -> Any:
        instance = of(case)
        return _cell(instance, name, getattr(instance, name))

    return value


def _case_of(case: Case) -> Case:
    return case


def _child_of(case: Case) -> Child:
    return case.child


# The case's fields whose cell is not the field's own value.
_CASE_VALUES: dict[str, Value] = {
    "id": lambda case, cells: case.pk,
    "owner": lambda case, cells: case.owner.get_full_name(),
    "agency": lambda case, cells: case.agency.name,
    "location": lambda case, cells: place_name(case.location),
    "concerns": lambda case, cells: "; ".join(
        cells.concern_labels.get(code, code) for code in concern_codes_of(case)
    ),
}
_CHILD_VALUES: dict[str, Value] = {
    "id": lambda case, cells: case.child_id,
    "location": lambda case, cells: place_name(case.child.location),
}


def _child_label(name: str) -> StrOrPromise:
    if name in _CHILD_LABELS:
        return _CHILD_LABELS[name]
    field = Child._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 - the child's own columns
    return field.verbose_name


@cache
def catalogue() -> dict[str, ExportField]:
    """Every field an export may hold, by name, in the case detail's order."""
    fields: dict[str, ExportField] = {}
    for name, part in CaseSerializer().fields.items():
        if name in _NOT_COLUMNS:
            continue
        shown = part.seen if isinstance(part, CasePart) else _always
        fields[name] = ExportField(
            name=name,
            label=_CASE_LABELS[name],
            group=_group_of(shown) if isinstance(part, CasePart) else ADMINISTRATIVE,
            shown=shown,
            value=_CASE_VALUES.get(name) or _model_value(name, _case_of),
        )
    for name in CaseChildSerializer().fields.keys():  # noqa: SIM118 - BindingDict
        if name in _NOT_COLUMNS:
            continue
        # The case detail shows the child's profile fields with the profile section, and
        # the rest of the child (names, sex, age, place) to anyone who sees the child.
        profile = name in PROFILE_FIELDS
        dotted = f"child.{name}"
        fields[dotted] = ExportField(
            name=dotted,
            label=_child_label(name),
            group=Section.PROFILE if profile else IDENTITY,
            shown=_profile if profile else _identity,
            value=_CHILD_VALUES.get(name) or _model_value(name, _child_of),
        )
    return fields


def cell_text(value: Any) -> Any:
    """A cell as written: text from labels, dates kept as dates and numbers as numbers."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, date | int):
        return value
    return str(value)
