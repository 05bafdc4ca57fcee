"""The case pages' forms. They check the shape of what was typed and show every problem beside
its field; the services decide, and their refusals are placed beside the fields they name
(:func:`adopt`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.choices import LocationLevel
from accounts.models import Agency, Location, ServiceType, User
from cases.choices import (
    STAGE_TRANSITIONS,
    SYSTEM_NOTE_KINDS,
    BirthRegistration,
    ClosureReason,
    ConsentGiver,
    ConsentScope,
    LabourSector,
    NoteKind,
    Relation,
    RiskLevel,
    ServiceStatus,
    Sex,
    Source,
    Stage,
    Status,
)
from cases.models import (
    Case,
    Child,
    ConcernType,
    RiskInstrument,
    khmer_search_key,
    latin_search_key,
)
from cases.services.case import CASE_HOLDER_ROLES
from cases.services.plan import ActionDraft, GoalDraft


def in_khmer() -> bool:
    return (get_language() or "").startswith("km")


def localized(english: str, khmer: str) -> str:
    """The reader's language where the data has it (configuration kept in both)."""
    return (khmer or english) if in_khmer() else (english or khmer)


def place_name(location: Location) -> str:
    return localized(location.name_en, location.name_km)


def adopt(
    form: forms.Form,
    error: ValidationError,
    *,
    prefix: str = "",
    aliases: dict[str, str] | None = None,
) -> None:
    """Shows a service's refusal beside the fields it names (``child.given_name`` beside
    ``given_name``; ``aliases`` names the field for a key the form spells differently); what
    names no field of the form goes on top of it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        field = (aliases or {}).get(key, key.removeprefix(prefix))
        form.add_error(field if field in form.fields else None, messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


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


CHILD_TEXT_FIELDS = (
    "given_name",
    "family_name",
    "given_name_km",
    "family_name_km",
    "nationality",
    "ethnicity",
    "disability",
    "address",
    "birth_certificate_number",
    "national_id_number",
    "id_poor_number",
)
CHILD_FIELDS = (
    *CHILD_TEXT_FIELDS,
    "sex",
    "date_of_birth",
    "estimated_age",
    "age_disputed",
    "birth_registration",
    "languages",
    "location",
)


class CaseIntakeForm(forms.Form):
    """The first information about a child, as the API's registration takes it."""

    family_name_km = forms.CharField(label=_("Family name (Khmer)"), required=False, max_length=100)
    given_name_km = forms.CharField(label=_("Given name (Khmer)"), required=False, max_length=100)
    family_name = forms.CharField(
        label=_("Family name (Latin letters)"), required=False, max_length=100
    )
    given_name = forms.CharField(
        label=_("Given name (Latin letters)"), required=False, max_length=100
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    estimated_age = forms.IntegerField(
        label=_("Or estimated age (years)"), required=False, min_value=0, max_value=120
    )
    age_disputed = forms.BooleanField(label=_("The child's age is disputed"), required=False)
    location = forms.ModelChoiceField(
        label=_("Where the child lives (commune or village)"),
        queryset=Location.objects.filter(
            level__in=[LocationLevel.COMMUNE, LocationLevel.VILLAGE]
        ).select_related("parent__parent__parent"),
        error_messages={"required": _("Find and choose the commune or village.")},
    )
    address = forms.CharField(label=_("Address (house, street)"), required=False, max_length=255)
    nationality = forms.CharField(label=_("Nationality"), required=False, max_length=64)
    ethnicity = forms.CharField(label=_("Ethnicity"), required=False, max_length=64)
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        max_length=200,
        help_text=_("Separated by commas."),
    )
    birth_registration = forms.ChoiceField(
        label=_("Birth registration"),
        choices=BirthRegistration.choices,
        initial=BirthRegistration.UNKNOWN,
    )
    disability = forms.CharField(
        label=_("Disability"),
        required=False,
        max_length=255,
        help_text=_("Describe any disability; leave empty if none."),
    )
    birth_certificate_number = forms.CharField(
        label=_("Birth certificate number"), required=False, max_length=64
    )
    national_id_number = forms.CharField(
        label=_("National ID number"), required=False, max_length=64
    )
    id_poor_number = forms.CharField(label=_("IDPoor number"), required=False, max_length=64)
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

    def clean_languages(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["languages"].split(",") if part.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(field in data for field in CHILD_FIELDS):
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
        return {field: data[field] for field in CHILD_FIELDS}

    def unsaved_child(self) -> Child:
        """The child as typed, for the checks that come before saving: its invariants and the
        duplicate check (which compares normalised names, as saving would compute them)."""
        child = Child(**self.child_values())
        if child.estimated_age is not None:
            child.age_estimated_on = timezone.localdate()
        child.location_path = child.location.path
        child.search_name = latin_search_key(child.given_name, child.family_name)
        child.search_name_km = khmer_search_key(child.family_name_km, child.given_name_km)
        return child

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
        child = case.child
        initial: dict[str, Any] = {field: getattr(child, field) for field in CHILD_TEXT_FIELDS}
        initial.update(
            sex=child.sex,
            date_of_birth=child.date_of_birth,
            estimated_age=child.estimated_age,
            age_disputed=child.age_disputed,
            birth_registration=child.birth_registration,
            languages=", ".join(child.languages or []),
            location=child.location_id,
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

    def __init__(self, *args: Any, instrument: RiskInstrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].initial = instrument.pk
        self.question_fields: list[tuple[str, str]] = []
        for question in instrument.questions.all():
            name = f"q_{question.code}"
            self.fields[name] = forms.ChoiceField(
                label=localized(question.text_en, question.text_km),
                choices=[
                    (o.code, localized(o.label_en, o.label_km)) for o in question.options.all()
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )
            self.question_fields.append((name, question.domain))
        # The notes come after the questions, as on paper.
        self.order_fields([name for name, _domain in self.question_fields])

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
    date = forms.DateField(label=_("Date"), widget=DateInput)
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
    goal" and "add an action" post the form back with one more row, keeping what was typed."""

    def __init__(
        self, data: Any = None, *, responsible: Iterable[User], initial_goals: Any = None
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
                self.fields[f"{where}-due_date"] = forms.DateField(
                    label=_("Due by"), required=False, widget=DateInput
                )
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
        label=_("Service"), queryset=ServiceType.objects.filter(is_active=True)
    )
    provider_agency = forms.ModelChoiceField(
        label=_("Provided by"),
        required=False,
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        help_text=_("Leave empty when your agency provides it."),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ServiceStatus.choices, initial=ServiceStatus.PLANNED
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DateInput)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DateInput)
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
    date = forms.DateField(label=_("Date given"), widget=DateInput)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConsentWithdrawForm(forms.Form):
    date = forms.DateField(
        label=_("Withdrawn on"),
        required=False,
        widget=DateInput,
        help_text=_("Today if left empty."),
    )


def active_people(users: Any) -> Any:
    """People who can be chosen in a form: active, by name."""
    return users.filter(is_active=True).select_related("agency").order_by("full_name", "username")


# --- Case actions: assignment, closure, reopening ----------------------------------------------


class CaseActionForm(forms.Form):
    """An action on the case as the reader saw it: refused if the case changed since."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(CaseActionForm):
    owner = forms.ModelChoiceField(label=_("New case worker"), queryset=User.objects.none())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service's rule: an active colleague of the case's agency who handles cases.
        self.fields["owner"].queryset = active_people(  # type: ignore[attr-defined]
            User.objects.filter(agency_id=case.agency_id, role__in=CASE_HOLDER_ROLES).exclude(
                pk=case.owner_id
            )
        )


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
