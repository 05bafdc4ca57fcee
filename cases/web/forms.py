"""The case pages' forms. They check the shape of what was typed and show every problem beside
its field; the services decide, and their refusals are placed beside the fields they name
(:func:`adopt`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.forms import formset_factory
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import active_agencies, homes, service_types
from cases.choices import (
    STAGE_TRANSITIONS,
    SYSTEM_NOTE_KINDS,
    ClosureReason,
    ConsentGiver,
    ConsentScope,
    LabourSector,
    NoteKind,
    Relation,
    RiskLevel,
    ServiceStatus,
    Source,
    Stage,
    Status,
)
from cases.models import Case, CasePlan, Child, ConcernType, RiskInstrument
from cases.selectors.case import case_assignees
from cases.services.plan import ActionDraft, GoalDraft
from core.web import DateField, adopt, localized


def _any(label: Any, choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", label), *choices]


# --- The case list ----------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    """What the list can be narrowed by; the filtering itself is the API's (CaseFilter)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("The child's name, in Khmer or Latin letters, or the case number."),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    risk_level = forms.ChoiceField(label=_("Risk level"), required=False)
    concern = forms.ChoiceField(label=_("Concern"), required=False)

    def __init__(self, *args: Any, concerns: Iterable[ConcernType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = _("Any")
        self.fields["stage"].choices = _any(anything, Stage.choices)  # type: ignore[attr-defined]
        self.fields["status"].choices = _any(anything, Status.choices)  # type: ignore[attr-defined]
        self.fields["risk_level"].choices = _any(anything, RiskLevel.choices)  # type: ignore[attr-defined]
        self.fields["concern"].choices = _any(  # type: ignore[attr-defined]
            anything, [(c.code, localized(c.label_en, c.label_km)) for c in concerns]
        )


# --- Registration -----------------------------------------------------------------------------


class FamilyMemberForm(forms.Form):
    name = forms.CharField(label=_("Name (Latin letters)"), required=False, max_length=200)
    name_km = forms.CharField(label=_("Name (Khmer)"), required=False, max_length=200)
    relation = forms.ChoiceField(
        label=_("Relation to the child"),
        required=False,
        choices=_any("—", Relation.choices),
    )
    contact = forms.CharField(label=_("Phone or contact"), required=False, max_length=100)
    lives_with_child = forms.BooleanField(label=_("Lives with the child"), required=False)
    is_caregiver = forms.BooleanField(label=_("Caregiver"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_changed():
            return data
        if not (data.get("name", "").strip() or data.get("name_km", "").strip()):
            self.add_error("name", _("A name, in Latin letters or Khmer."))
        if not data.get("relation"):
            self.add_error("relation", _("Say how this person is related to the child."))
        return data


FamilyFormSet = formset_factory(FamilyMemberForm, extra=1, max_num=12)


def add_family_row(data: QueryDict) -> None:
    """One more row in the posted family formset, up to its maximum; a row count that is not
    a number counts as one row."""
    rows = _count(data, "family-TOTAL_FORMS", 1, FamilyFormSet.max_num - 1)
    data["family-TOTAL_FORMS"] = str(rows + 1)


class CommaSeparatedField(forms.CharField):
    """A list typed on one line, its items separated by commas."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("Separated by commas."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        return [part.strip() for part in text.split(",") if part.strip()]


def _form_field(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """The form field a model field makes, as the pages show it: a list kept as JSON is typed
    on one line, the bound a validator sets on a number is the input's bound too, and radio
    buttons offer no blank choice for what must be answered."""
    if isinstance(field, models.JSONField):
        return CommaSeparatedField(label=capfirst(field.verbose_name), required=not field.blank)
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        # Typed day first, as every date of the pages (core.web.DateField).
        kwargs["form_class"] = DateField
    if isinstance(field, models.IntegerField):
        kwargs["max_value"] = next(
            (v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)), None
        )
    if kwargs.get("widget") is forms.RadioSelect and not field.blank:
        kwargs["choices"] = field.get_choices(include_blank=False)
    return field.formfield(**kwargs)


def _child_fields() -> dict[str, forms.Field]:
    fields = forms.fields_for_model(
        Child,
        fields=Child.INPUT_FIELDS,
        widgets={"sex": forms.RadioSelect},
        formfield_callback=_form_field,
    )
    # A child lives in a commune or a village, chosen with the place picker.
    fields["location"].queryset = homes()
    fields["location"].error_messages["required"] = _("Find and choose the commune or village.")
    return fields


class ChildFields:
    """The child's fields, made from the model: which fields, their labels, help texts and
    limits are Child's (Child.INPUT_FIELDS). A form inheriting this has them before its own
    (the form's metaclass gathers ``declared_fields`` from every base)."""

    declared_fields: ClassVar[dict[str, forms.Field]] = _child_fields()


class CaseIntakeForm(ChildFields, forms.Form):
    """The first information about a child, as the API's registration takes it."""

    concerns = forms.MultipleChoiceField(
        label=_("Protection concerns"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one concern.")},
    )
    labour_sector = forms.ChoiceField(
        label=_("Sector of child labour"),
        required=False,
        choices=_any("—", LabourSector.choices),
        help_text=_("Only with the child labour concern."),
    )
    source = forms.ChoiceField(label=_("Who reported it"), choices=_any("—", Source.choices))
    summary = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Sensitive: seen only by the people working on the case."),
    )
    restricted = forms.BooleanField(
        label=_("Restricted case"),
        required=False,
        help_text=_(
            "Only the people named on the case will see it (for instance when an "
            "official is implicated)."
        ),
    )
    # The fingerprint of the child the worker was warned about and still registered.
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, concerns: Iterable[ConcernType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["concerns"].choices = [  # type: ignore[attr-defined]
            (c.code, localized(c.label_en, c.label_km)) for c in concerns
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(field in data for field in Child.INPUT_FIELDS):
            # The child's own invariants, beside the fields, before anything is checked against
            # the children already known (as the API's input does); a field that is itself
            # wrong already has its error, and the child cannot be put together without it.
            try:
                self.unsaved_child().clean()
            except ValidationError as error:
                adopt(self, error)
        return data

    def child_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {field: data[field] for field in Child.INPUT_FIELDS}

    def unsaved_child(self) -> Child:
        """The child as typed, for the checks that come before saving: its invariants and the
        duplicate check (which compares normalised names, as saving would compute them)."""
        return Child.from_input(self.child_values())

    def fingerprint(self) -> str:
        """Changes when anything the duplicate check looks at changes."""
        data = self.cleaned_data
        parts = [
            data.get(field) or ""
            for field in ("given_name", "family_name", "given_name_km", "family_name_km", "sex")
        ]
        parts += [
            str(data.get("date_of_birth") or ""),
            str(data.get("estimated_age") or ""),
            str(data["location"].pk) if data.get("location") else "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


class CaseEditForm(CaseIntakeForm):
    """The case and its child as they are, to correct; saved only if nobody else saved the case
    in between (``version``, the case's ETag)."""

    stage = forms.ChoiceField(label=_("Stage"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["restricted"], self.fields["confirmed"]
        # Where the case may move from here; closure has its own request and approval.
        moves = [stage for stage in Stage if stage in STAGE_TRANSITIONS[case.stage]]
        self.fields["stage"].choices = [  # type: ignore[attr-defined]
            (case.stage, case.get_stage_display()),
            *((stage.value, stage.label) for stage in moves if stage != Stage.CLOSURE),
        ]

    @staticmethod
    def initial_of(case: Case) -> dict[str, Any]:
        initial = forms.model_to_dict(case.child, fields=Child.INPUT_FIELDS)
        initial.update(
            concerns=[row.concern_id for row in case.concern_rows.all()],
            labour_sector=case.labour_sector,
            source=case.source,
            summary=case.summary,
            stage=case.stage,
            version=case.version,
        )
        return initial

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "child": self.child_values(),
            "concerns": data["concerns"],
            "source": data["source"],
            "summary": data["summary"],
            "labour_sector": data["labour_sector"],
            "stage": data["stage"],
        }


def family_values(formset: Any) -> list[dict[str, Any]]:
    """The family rows that were filled in, as the registration service takes them."""
    return [
        {
            "name": form.cleaned_data["name"],
            "name_km": form.cleaned_data["name_km"],
            "relation": form.cleaned_data["relation"],
            "contact": form.cleaned_data["contact"],
            "lives_with_child": form.cleaned_data["lives_with_child"],
            "is_caregiver": form.cleaned_data["is_caregiver"],
        }
        for form in formset.forms
        if form.has_changed() and form.cleaned_data
    ]


# --- Risk assessment --------------------------------------------------------------------------


class RiskAssessmentForm(forms.Form):
    """One question per field, its options as choices, in the reader's language."""

    instrument = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("Notes on the assessment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    safety_plan = forms.CharField(
        label=_("Immediate safety plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the risk comes out high or critical."),
    )

    def __init__(
        self,
        *args: Any,
        instrument: RiskInstrument,
        from_case_file: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``from_case_file``: answers the case file gives (the child's age band), filled in and
        left to change."""
        super().__init__(*args, **kwargs)
        self.fields["instrument"].initial = instrument.pk
        self.question_fields: list[tuple[str, str]] = []
        for question in instrument.questions.all():
            name = f"q_{question.code}"
            known = (from_case_file or {}).get(question.code)
            self.fields[name] = forms.ChoiceField(
                label=localized(question.text_en, question.text_km),
                choices=[
                    (o.code, localized(o.label_en, o.label_km)) for o in question.options.all()
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
                initial=known,
                help_text=_("Filled in from the case file; change it if it is wrong.")
                if known
                else "",
            )
            self.question_fields.append((name, question.domain))
        # The notes come after the questions, as on paper.
        self.order_fields([name for name, _domain in self.question_fields])

    def mark_safety_plan_required(self) -> None:
        """The answers so far call for a safety plan: the field says so (the service decides,
        on saving; the form posts without the browser's own check)."""
        self.fields["safety_plan"].widget.attrs.update({"required": True, "aria-required": "true"})

    def answers_so_far(self) -> dict[str, str]:
        """The answers as they stand, chosen or filled in, checked or not: what the level shown
        before saving is worked out from."""
        given = {}
        for name, _domain in self.question_fields:
            value = self[name].value()
            if isinstance(value, str) and value:
                given[name.removeprefix("q_")] = value
        return given

    def questions(self) -> list[forms.BoundField]:
        return [self[name] for name, _domain in self.question_fields]

    def answers(self) -> dict[str, str]:
        return {
            name.removeprefix("q_"): self.cleaned_data[name]
            for name, _domain in self.question_fields
        }


# --- Notes ------------------------------------------------------------------------------------


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of note"),
        choices=[
            (kind, label) for kind, label in NoteKind.choices if kind not in SYSTEM_NOTE_KINDS
        ],
        initial=NoteKind.HOME_VISIT,
    )
    date = DateField(label=_("Date"))
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 5}),
        strip=False,
        error_messages={"required": _("A note needs some text.")},
    )


# --- Case plan --------------------------------------------------------------------------------

EXTRA_ACTIONS = 1
MAX_GOALS = 20
MAX_ACTIONS = 20


@dataclass
class ActionRow:
    description: forms.BoundField
    responsible: forms.BoundField
    due_date: forms.BoundField


@dataclass
class GoalRow:
    index: int
    description: forms.BoundField
    actions: list[ActionRow]


def _count(data: Any, name: str, default: int, ceiling: int) -> int:
    try:
        return max(1, min(int(data.get(name, default)), ceiling))
    except (TypeError, ValueError):
        return default


class PlanForm(forms.Form):
    """Goals, each with its actions (what, who, by when). Rows left empty are ignored; "add a
    goal" and "add an action" post the form back with one more row, keeping what was typed.
    Editing ``plan``, the form carries the version it was opened at (``version``), so a save
    is refused when somebody saved the plan in between."""

    def __init__(
        self,
        data: Any = None,
        *,
        responsible: Iterable[User],
        initial_goals: Any = None,
        plan: CasePlan | None = None,
    ) -> None:
        initial: dict[str, Any] = {}
        for g, goal in enumerate(initial_goals or []):
            initial[f"goal-{g}-description"] = goal.description
            existing = list(goal.actions.all())
            initial[f"goal-{g}-actions"] = len(existing) + EXTRA_ACTIONS
            for a, action in enumerate(existing):
                initial[f"goal-{g}-action-{a}-description"] = action.description
                initial[f"goal-{g}-action-{a}-responsible"] = action.responsible_id
                initial[f"goal-{g}-action-{a}-due_date"] = action.due_date
        initial["goals"] = len(initial_goals or []) or 1
        super().__init__(data, initial=initial)
        source = data if data is not None else initial
        add = (data or {}).get("add", "")
        goals = _count(source, "goals", 1, MAX_GOALS) + (add == "goal")
        people = [("", "—"), *((str(user.pk), str(user)) for user in responsible)]
        self.shape: list[int] = []
        self.fields["goals"] = forms.IntegerField(widget=forms.HiddenInput, initial=goals)
        if plan is not None:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=plan.version
            )
        for g in range(min(goals, MAX_GOALS)):
            actions = _count(source, f"goal-{g}-actions", EXTRA_ACTIONS, MAX_ACTIONS)
            actions += add == f"action-{g}"
            actions = min(actions, MAX_ACTIONS)
            self.shape.append(actions)
            self.fields[f"goal-{g}-description"] = forms.CharField(
                label=_("Goal %(number)s") % {"number": g + 1},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"goal-{g}-actions"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=actions
            )
            for a in range(actions):
                where = f"goal-{g}-action-{a}"
                self.fields[f"{where}-description"] = forms.CharField(
                    label=_("Action"), required=False
                )
                self.fields[f"{where}-responsible"] = forms.TypedChoiceField(
                    label=_("Who is responsible"),
                    required=False,
                    choices=people,
                    coerce=int,
                    empty_value=None,
                )
                self.fields[f"{where}-due_date"] = DateField(label=_("Due by"), required=False)
        if data is not None:
            # The counts shown are the counts after adding a row.
            mutable = data.copy()
            mutable["goals"] = str(len(self.shape))
            for g, actions in enumerate(self.shape):
                mutable[f"goal-{g}-actions"] = str(actions)
            self.data = mutable
        self._index: list[tuple[int, list[int]]] = []

    def rows(self) -> list[GoalRow]:
        return [
            GoalRow(
                index=g,
                description=self[f"goal-{g}-description"],
                actions=[
                    ActionRow(
                        description=self[f"goal-{g}-action-{a}-description"],
                        responsible=self[f"goal-{g}-action-{a}-responsible"],
                        due_date=self[f"goal-{g}-action-{a}-due_date"],
                    )
                    for a in range(actions)
                ],
            )
            for g, actions in enumerate(self.shape)
        ]

    def goals(self) -> list[GoalDraft]:
        """The goals typed, rows left empty dropped; remembers where each came from so the
        service's problems can be shown beside the right row."""
        data = self.cleaned_data
        drafts: list[GoalDraft] = []
        self._index = []
        for g, actions in enumerate(self.shape):
            kept: list[int] = []
            action_drafts: list[ActionDraft] = []
            for a in range(actions):
                where = f"goal-{g}-action-{a}"
                description = data.get(f"{where}-description") or ""
                responsible = data.get(f"{where}-responsible")
                due: date | None = data.get(f"{where}-due_date")
                if description.strip() or responsible or due:
                    kept.append(a)
                    action_drafts.append(ActionDraft(description, responsible, due))
            goal_text = data.get(f"goal-{g}-description") or ""
            if goal_text.strip() or action_drafts:
                self._index.append((g, kept))
                drafts.append(GoalDraft(description=goal_text, actions=action_drafts))
        return drafts

    def adopt(self, error: ValidationError) -> None:
        """``goals.0.actions.1.due_date`` from the service, beside the row it is about."""
        for key, messages in error.message_dict.items():
            parts = key.split(".")
            field = None
            if len(parts) >= 3 and parts[0] == "goals" and int(parts[1]) < len(self._index):
                g, kept = self._index[int(parts[1])]
                if len(parts) == 3:  # the goal's description, or its missing actions
                    field = f"goal-{g}-description"
                elif len(parts) == 5 and int(parts[3]) < len(kept):
                    field = f"goal-{g}-action-{kept[int(parts[3])]}-{parts[4]}"
            self.add_error(field if field in self.fields else None, messages)


class PlanDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject the plan: say what to put right."),
    )


# --- Services and consent ---------------------------------------------------------------------


class ServiceForm(forms.Form):
    """A service the case receives, as the API's service record takes it."""

    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=service_types(active_only=True),
        empty_label=_("Choose a service"),
    )
    provider_agency = forms.ModelChoiceField(
        label=_("Provided by"),
        required=False,
        queryset=active_agencies(),
        empty_label=_("My agency"),
        help_text=_("Leave empty when your agency provides it."),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ServiceStatus.choices, initial=ServiceStatus.PLANNED
    )
    start_date = DateField(label=_("Start date"), required=False)
    end_date = DateField(label=_("End date"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        field.label_from_instance = lambda service: localized(  # type: ignore[attr-defined]
            service.label_en, service.label_km
        )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["service"] = data["service"].code
        return data


class ServiceStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices)


class ConsentForm(forms.Form):
    given_by = forms.ChoiceField(
        label=_("Given by"), choices=ConsentGiver.choices, widget=forms.RadioSelect
    )
    giver_name = forms.CharField(label=_("Name of the person"), required=False, max_length=200)
    scope = forms.MultipleChoiceField(
        label=_("Consent to"),
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one thing consented to.")},
    )
    date = DateField(label=_("Date given"))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConsentWithdrawForm(forms.Form):
    date = DateField(
        label=_("Withdrawn on"),
        required=False,
        help_text=_("Today if left empty."),
    )


# --- Case actions: assignment, closure, reopening ----------------------------------------------


class CaseActionForm(forms.Form):
    """An action on the case as the reader saw it: refused if the case changed since."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(CaseActionForm):
    owner = forms.ModelChoiceField(
        label=_("New case worker"),
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = case_assignees(case)  # type: ignore[attr-defined]


class ClosureRequestForm(CaseActionForm):
    reason = forms.ChoiceField(
        label=_("Why close the case"), choices=_any("—", ClosureReason.choices)
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ClosureDecisionForm(CaseActionForm):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to refuse the closure: say why."),
    )


class ReopenForm(CaseActionForm):
    reason = forms.CharField(
        label=_("Why reopen the case"), widget=forms.Textarea(attrs={"rows": 3}), strip=False
    )
