"""The case pages: the list, registration, the case file with its tabs, and a printable summary.

They read through the same selectors and write through the same services as the API, so a case
outside the reader's reach answers 404 here as there, and each tab shows only a section the
policy opens to the reader (403 otherwise). Tabs load as fragments when htmx asks for them and
as whole pages otherwise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.api.filters import LocationFilter
from accounts.choices import LocationLevel
from accounts.models import Location, User
from cases import selectors, selectors_records, selectors_risk
from cases.api.filters import CaseFilter
from cases.choices import ConsentScope, Section, Status
from cases.forms import (
    AssignForm,
    CaseActionForm,
    CaseEditForm,
    CaseFilterForm,
    CaseIntakeForm,
    ClosureDecisionForm,
    ClosureRequestForm,
    ConsentForm,
    ConsentWithdrawForm,
    FamilyFormSet,
    NoteForm,
    PlanDecisionForm,
    PlanForm,
    ReopenForm,
    RiskAssessmentForm,
    ServiceForm,
    ServiceStatusForm,
    add_family_row,
    adopt,
    family_values,
    localized,
)
from cases.models import Case, CasePlan, CaseService, ConcernType, Consent, RiskInstrument
from cases.policy import (
    CaseAccess,
    case_accesses,
    case_actions,
    case_get,
    case_ref,
    case_require,
    visible_cases,
)
from cases.services import plan as plan_services
from cases.services.case import (
    CASE_HOLDER_ROLES,
    case_approve_closure,
    case_assign,
    case_open,
    case_record_list_read,
    case_reject_closure,
    case_reopen,
    case_request_closure,
    case_update,
)
from cases.services.records import (
    case_note_create,
    case_service_create,
    case_service_update,
    consent_create,
    consent_withdraw,
)
from cases.services.risk import risk_assessment_record
from core.errors import StaleVersionError, StateConflictError
from core.ids import as_id
from core.pagination import LookAheadPaginator

PAGE_SIZE = 25
NOTES_PAGE_SIZE = 30
HISTORY_PAGE_SIZE = 50
PLACE_RESULTS = 15


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _wants_fragment(request: HttpRequest) -> bool:
    """htmx asks for a part of the page; its history restore asks for the whole page."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _render(
    request: HttpRequest,
    full: str,
    fragment: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    response = render(
        request, fragment if _wants_fragment(request) else full, context, status=status
    )
    # The same address answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _concern_labels(concerns: list[ConcernType] | None = None) -> dict[str, str]:
    return {
        concern.code: localized(concern.label_en, concern.label_km)
        for concern in (ConcernType.objects.all() if concerns is None else concerns)
    }


def _concerns_of(case: Case, labels: dict[str, str]) -> list[str]:
    return [labels.get(row.concern_id, row.concern_id) for row in case.concern_rows.all()]


# --- The list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    case: Case
    access: CaseAccess
    concerns: list[str]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    concern_types = list(ConcernType.objects.all())
    labels = _concern_labels(concern_types)
    chosen = request.GET.get("concern")
    form = CaseFilterForm(
        request.GET or None,
        # A retired concern stays offered while it is the one filtered by.
        concerns=[c for c in concern_types if c.is_active or c.code == chosen],
    )
    # The API's own filters, so the page and GET /api/v1/cases/ always agree.
    cases = CaseFilter(request.GET, queryset=selectors.case_list(user=user), request=request).qs
    page = LookAheadPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    case_record_list_read(
        actor=user,
        what="case",
        query=request.GET.dict(),
        case_ids=[case.pk for case in page.object_list],
    )
    accesses = case_accesses(user, page.object_list)
    rows = [
        CaseRow(
            case=case,
            access=accesses[case.pk],
            concerns=[
                labels.get(row.concern_id, row.concern_id) for row in case.concern_rows.all()
            ],
        )
        for case in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
        "can_register": user.role in CASE_HOLDER_ROLES and user.agency_id is not None,
    }
    return _render(request, "cases/case_list.html", "cases/_case_results.html", context)


# --- Registration -----------------------------------------------------------------------------


def _require_registrar(user: User) -> None:
    if user.role not in CASE_HOLDER_ROLES or user.agency_id is None:
        raise PermissionDenied(_("Your role does not register children."))


def places_matching(query: str, chosen: Location | None) -> list[Location]:
    """Communes and villages matching ``query`` (the API's location search), the chosen place
    first."""
    places: list[Location] = [chosen] if chosen is not None else []
    if query.strip():
        found = LocationFilter(
            {"q": query},
            queryset=Location.objects.filter(
                level__in=[LocationLevel.COMMUNE, LocationLevel.VILLAGE]
            ).select_related("parent__parent__parent"),
        ).qs
        places += [place for place in found[:PLACE_RESULTS] if place not in places]
    return places


def chosen_place(value: str | None) -> Location | None:
    pk = as_id(value)
    if pk is None:
        return None
    return (
        Location.objects.filter(pk=pk, level__in=[LocationLevel.COMMUNE, LocationLevel.VILLAGE])
        .select_related("parent__parent__parent")
        .first()
    )


@login_required
def case_places(request: HttpRequest) -> HttpResponse:
    """The place picker's choices, for the registration form (htmx)."""
    chosen = chosen_place(request.GET.get("location"))
    places = places_matching(request.GET.get("place_q", ""), chosen)
    return render(
        request,
        "cases/_places.html",
        {"places": places, "chosen": chosen, "searched": True},
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_registrar(user)
    concerns = ConcernType.objects.filter(is_active=True)
    if request.method != "POST":
        form = CaseIntakeForm(concerns=concerns)
        family = FamilyFormSet(prefix="family")
        return _intake_page(request, form, family, chosen=None)

    data = request.POST.copy()
    if "add_family" in data:
        add_family_row(data)
    form = CaseIntakeForm(data, concerns=concerns)
    family = FamilyFormSet(data, prefix="family")
    chosen = chosen_place(data.get("location"))
    if "find_place" in data or "add_family" in data:
        # A step within the form (find a place, one more family row): nothing is saved yet,
        # and nothing is reported as missing either.
        for part in (form, *family.forms):
            part.errors.clear()
        return _intake_page(request, form, family, chosen=chosen, searched="find_place" in data)
    if not (form.is_valid() and family.is_valid()):
        return _intake_page(request, form, family, chosen=chosen, status=400)

    fingerprint = form.fingerprint()
    if form.cleaned_data["confirmed"] != fingerprint:
        duplicates = selectors.possible_duplicates(user=user, child=form.unsaved_child())
        if duplicates:
            return _intake_page(
                request,
                form,
                family,
                chosen=chosen,
                duplicates=duplicates,
                fingerprint=fingerprint,
            )
    try:
        case = case_open(
            actor=user,
            child=form.child_values(),
            family=family_values(family),
            concerns=form.cleaned_data["concerns"],
            source=form.cleaned_data["source"],
            summary=form.cleaned_data["summary"],
            labour_sector=form.cleaned_data["labour_sector"],
            restricted=form.cleaned_data["restricted"],
        )
    except ValidationError as error:
        adopt(form, error, prefix="child.")
        return _intake_page(request, form, family, chosen=chosen, status=400)
    messages.success(request, _("Case %(number)s is open.") % {"number": case.case_number})
    return redirect("case-page", pk=case.pk)


def _intake_page(
    request: HttpRequest,
    form: CaseIntakeForm,
    family: Any,
    *,
    chosen: Location | None,
    searched: bool = False,
    duplicates: list[selectors.PossibleDuplicate] | None = None,
    fingerprint: str = "",
    status: int = 200,
) -> HttpResponse:
    query = form.data.get("place_q", "") if form.is_bound else ""
    return render(
        request,
        "cases/case_new.html",
        {
            "form": form,
            "family": family,
            "chosen": chosen,
            "places": places_matching(query, chosen),
            "searched": searched,
            "duplicates": duplicates,
            "fingerprint": fingerprint,
        },
        status=status,
    )


# --- The case file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    slug: str
    label: Any
    sections: tuple[str, ...]  # any one opens the tab; none: the history, with full access
    template: str = ""  # default: cases/tabs/<slug>.html

    @property
    def template_name(self) -> str:
        return self.template or f"cases/tabs/{self.slug}.html"

    def open_to(self, access: CaseAccess) -> bool:
        if not self.sections:
            return access.history
        return any(access.sees(section) for section in self.sections)


TABS = [
    Tab("profile", gettext_lazy("Profile and family"), (Section.PROFILE,)),
    Tab("concerns", gettext_lazy("Concerns"), (Section.CONCERNS,)),
    Tab("risk", gettext_lazy("Risk"), (Section.RISK,)),
    Tab("plan", gettext_lazy("Case plan"), (Section.CASE_PLAN,)),
    Tab("services", gettext_lazy("Services"), (Section.NOTES,)),
    Tab("notes", gettext_lazy("Notes"), (Section.NOTES,)),
    Tab("consent", gettext_lazy("Consent"), (Section.NOTES,)),
    Tab(
        "placements",
        gettext_lazy("Placements and follow-ups"),
        (Section.PLACEMENTS, Section.FOLLOW_UPS),
    ),
    Tab("history", gettext_lazy("History"), ()),
]
TAB_BY_SLUG = {tab.slug: tab for tab in TABS}


@dataclass
class CaseFile:
    """The case as the reader may see it, and what they may do on it."""

    case: Case
    access: CaseAccess
    # What the reader may do now (cases.policy.case_actions): the buttons and forms shown.
    actions: frozenset[str]

    @property
    def is_open(self) -> bool:
        return self.case.status == Status.OPEN

    @property
    def can_assess(self) -> bool:
        return "assess_risk" in self.actions

    @property
    def can_add_notes(self) -> bool:
        return "add_note" in self.actions

    @property
    def can_plan(self) -> bool:
        return "write_plan" in self.actions

    @property
    def can_manage(self) -> bool:
        return "edit" in self.actions


# Forms posted back with errors, shown in place of the blank ones: a tab's own form under its
# context name, and one per record (a service's status, a consent's withdrawal) by record id.
Bound = dict[str, Any]


def _file_to_write(user: User, pk: int, action: str) -> CaseFile:
    """The case file for a request that changes it: through the door, refused before its form
    is read when ``action`` is not the reader's to take, and not recorded as a reading (the
    change records itself)."""
    case, access = case_get(user, pk, action=action, detail=True)
    return CaseFile(case=case, access=access, actions=case_actions(user, case, access))


def case_file_of(user: User, pk: int, *, read: str = "file") -> CaseFile:
    """The case through the door (404 outside the reader's reach); each reading of the file is
    recorded, once, naming the part read (``read``), as the API records it."""
    case, access = case_get(user, pk, detail=True, read=read)
    return CaseFile(case=case, access=access, actions=case_actions(user, case, access))


def _profile(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    return {}


def _concerns(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    labels = _concern_labels()
    return {
        "concerns": [labels.get(r.concern_id, r.concern_id) for r in file.case.concern_rows.all()]
    }


def _risk(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    assessments = selectors_risk.risk_assessments_of(file.case)
    return {"assessments": list(assessments.select_related("assessed_by"))}


def _plan(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    plans = list(
        selectors_records.plans_of(file.case).select_related(
            "created_by", "submitted_by", "decided_by"
        )
    )
    _name_the_responsible(plans)
    return {
        "plans": plans,
        "in_the_making": any(plan.status in plan_services.IN_THE_MAKING for plan in plans),
        "decision": PlanDecisionForm(),
        "editable": plan_services.EDITABLE,
    }


def _name_the_responsible(plans: list[CasePlan]) -> None:
    """Loads the people responsible for the plans' actions in one query."""
    actions = [
        action for plan in plans for goal in plan.goals.all() for action in goal.actions.all()
    ]
    people = User.objects.in_bulk({a.responsible_id for a in actions if a.responsible_id})
    for action in actions:
        if action.responsible_id is not None:
            action.responsible = people.get(action.responsible_id)


@dataclass(frozen=True)
class ServiceRow:
    record: CaseService
    label: str
    status_form: ServiceStatusForm | None  # None: the reader may not change it


def _services(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    services = selectors_records.services_of(file.case).select_related(
        "service", "provider_agency", "agency", "recorded_by"
    )
    status_forms = bound.get("status_forms", {})

    def status_form(record: CaseService) -> ServiceStatusForm | None:
        # The service's rule: the recording agency, or the people who manage the case.
        if not (file.can_add_notes and (file.access.manage or record.agency_id == user.agency_id)):
            return None
        return status_forms.get(record.pk) or ServiceStatusForm(
            initial={"status": record.status}, prefix=f"service-{record.pk}"
        )

    return {
        "services": [
            ServiceRow(
                record,
                localized(record.service.label_en, record.service.label_km),
                status_form(record),
            )
            for record in services
        ],
        "service_form": bound.get("service_form") or ServiceForm(),
    }


def _notes(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    notes = selectors_records.notes_of(file.case).select_related("agency", "author")
    page = Paginator(notes, NOTES_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "note_form": bound.get("note_form") or NoteForm(initial={"date": timezone.localdate()}),
    }


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    scopes: list[str]
    withdraw_form: ConsentWithdrawForm | None  # None: withdrawn, or not the reader's to withdraw


def _consent(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    consents = selectors_records.consents_of(file.case).select_related("recorded_by")
    withdraw_forms = bound.get("withdraw_forms", {})
    return {
        "consents": [
            ConsentRow(
                consent,
                [
                    str(ConsentScope(scope).label)
                    for scope in consent.scope
                    if scope in ConsentScope.values
                ],
                None
                if consent.withdrawn or not file.can_manage
                else withdraw_forms.get(consent.pk)
                or ConsentWithdrawForm(prefix=f"consent-{consent.pk}"),
            )
            for consent in consents
        ],
        "consent_form": bound.get("consent_form")
        or ConsentForm(initial={"date": timezone.localdate()}),
    }


def _history(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    page = Paginator(selectors.case_history(case=file.case), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    events = [(event, str(HISTORY_LABELS.get(event.action, event.action))) for event in page]
    return {"page": page, "events": events}


# What the history says for each kind of event on a case; a kind not named shows its code.
HISTORY_LABELS = {
    "case.create": gettext_lazy("Case registered"),
    "case.update": gettext_lazy("Case edited"),
    "case.assign": gettext_lazy("Case given to another worker"),
    "case.closure_request": gettext_lazy("Closure requested"),
    "case.closure_reject": gettext_lazy("Closure refused"),
    "case.close": gettext_lazy("Case closed"),
    "case.reopen": gettext_lazy("Case reopened"),
    "case.grants": gettext_lazy("Access given or taken away"),
    "case.area_grants": gettext_lazy("Follow-ups opened to a commune"),
    "case.view_file": gettext_lazy("Case file read"),
    "case.view_history": gettext_lazy("History read"),
    "case.view_print": gettext_lazy("Summary printed"),
    "case.view_profile": gettext_lazy("Profile read"),
    "case.view_concerns": gettext_lazy("Concerns read"),
    "case.view_risk": gettext_lazy("Risk assessments read"),
    "case.view_case_plan": gettext_lazy("Case plan read"),
    "case.view_notes": gettext_lazy("Notes, services or consent read"),
    "case.view_placements": gettext_lazy("Placements read"),
    "case.view_follow_ups": gettext_lazy("Follow-ups read"),
    "risk_assessment.create": gettext_lazy("Risk assessed"),
    "plan.create": gettext_lazy("Plan written"),
    "plan.update": gettext_lazy("Plan edited"),
    "plan.submit": gettext_lazy("Plan sent for approval"),
    "plan.approve": gettext_lazy("Plan approved"),
    "plan.reject": gettext_lazy("Plan sent back"),
    "service.create": gettext_lazy("Service recorded"),
    "service.update": gettext_lazy("Service updated"),
    "note.create": gettext_lazy("Note added"),
    "consent.create": gettext_lazy("Consent recorded"),
    "consent.withdraw": gettext_lazy("Consent withdrawn"),
    "referral.create": gettext_lazy("Referral made"),
    "referral.approve": gettext_lazy("Referral approved"),
    "referral.accept": gettext_lazy("Referral accepted"),
    "referral.decline": gettext_lazy("Referral declined"),
    "referral.complete": gettext_lazy("Referral completed"),
    "referral.cancel": gettext_lazy("Referral cancelled"),
    "custody.record": gettext_lazy("Custody transfer recorded"),
    "placement.create": gettext_lazy("Placement recorded"),
    "reintegration.create": gettext_lazy("Reintegration recorded"),
    "follow_up.complete": gettext_lazy("Follow-up visit recorded"),
    "follow_up.reschedule": gettext_lazy("Follow-up visit rescheduled"),
}


TabLoader = Callable[[HttpRequest, User, CaseFile, Bound], dict[str, Any]]

TAB_LOADERS: dict[str, TabLoader] = {
    "profile": _profile,
    "concerns": _concerns,
    "risk": _risk,
    "plan": _plan,
    "services": _services,
    "notes": _notes,
    "consent": _consent,
    "history": _history,
}


def register_tab_loader(slug: str, loader: TabLoader) -> None:
    """Apps above cases supply the tabs of what they own (reintegration: the placements tab),
    so the case file shows them without importing those apps."""
    TAB_LOADERS[slug] = loader


def register_tab(tab: Tab, loader: TabLoader) -> None:
    """A whole tab from an app above cases (referrals), placed before the history."""
    if tab.slug in TAB_BY_SLUG:
        return
    TABS.insert(len(TABS) - 1, tab)
    TAB_BY_SLUG[tab.slug] = tab
    TAB_LOADERS[tab.slug] = loader


def render_case_page(
    request: HttpRequest,
    file: CaseFile,
    slug: str | None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    tabs = [tab for tab in TABS if tab.open_to(file.access)]
    if slug is None:
        tab = tabs[0] if tabs else None
    else:
        if slug not in TAB_BY_SLUG:
            raise Http404("No such page.")
        tab = TAB_BY_SLUG[slug]
        if not tab.open_to(file.access):
            raise PermissionDenied(
                _("Your access to this case does not include this part of the file.")
            )
    context: dict[str, Any] = {"file": file, "case": file.case, "tabs": tabs, "tab": tab}
    context["actions"] = _action_forms(user, file, extra or {})
    if tab is not None:
        context.update(TAB_LOADERS[tab.slug](request, user, file, extra or {}))
    context.update(extra or {})
    return _render(request, "cases/case_file.html", "cases/_case_body.html", context, status)


@login_required
def case_file(request: HttpRequest, pk: int, tab: str | None = None) -> HttpResponse:
    return render_case_page(request, case_file_of(_user(request), pk, read=_reading(tab)), tab)


def _reading(slug: str | None) -> str:
    """What opening a tab reads, as the trail names it: its section (the API's name for the
    same reading), the history, or the file itself."""
    tab = TAB_BY_SLUG.get(slug or "")
    if tab is None:
        return "file"
    return tab.sections[0] if tab.sections else "history"


@login_required
@require_POST
def case_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            case_note_create(actor=user, case=case_ref(pk), **form.cleaned_data)
        except ValidationError as error:
            adopt(form, error)
        else:
            messages.success(request, _("The note is saved."))
            return redirect("case-tab", pk=pk, tab="notes")
    file = case_file_of(user, pk)
    return render_case_page(request, file, "notes", {"note_form": form}, status=400)


# --- Editing the case, assignment, closure, reopening -----------------------------------------

STALE = gettext_lazy(
    "Someone else saved this case after you opened it, so nothing was saved. Check the case "
    "as it is now and try again."
)
STALE_EDIT = gettext_lazy(
    "Someone else saved this case after you opened it, so nothing was saved. What you typed is "
    "below: check the case as it is now, and save again to replace their changes."
)


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The case and its child, corrected; the API's PATCH, with its version check."""
    user = _user(request)
    # Showing the form is a reading of the file; saving it is the edit, recorded as such.
    file = case_file_of(user, pk) if request.method != "POST" else _file_to_write(user, pk, "edit")
    if "edit" not in file.actions:
        raise PermissionDenied(_("Only the case owner or their supervisor can do this."))
    concerns = ConcernType.objects.filter(is_active=True)
    if request.method != "POST":
        form = CaseEditForm(
            initial=CaseEditForm.initial_of(file.case), concerns=concerns, case=file.case
        )
        return _edit_page(request, file, form, chosen=file.case.child.location)
    form = CaseEditForm(request.POST, concerns=concerns, case=file.case)
    chosen = chosen_place(request.POST.get("location"))
    if "find_place" in request.POST:
        form.is_valid()
        form.errors.clear()
        return _edit_page(request, file, form, chosen=chosen, searched=True)
    status = _save_case_edit(request, user, pk, form) if form.is_valid() else 400
    if status == 302:
        return redirect("case-page", pk=pk)
    return _edit_page(request, file, form, chosen=chosen, status=status)


def _save_case_edit(request: HttpRequest, user: User, pk: int, form: CaseEditForm) -> int:
    """Saves the edit under the case's lock; answers the status of the page to show: 302 saved,
    400 refused (beside the fields), 409 a move the case cannot make, 412 stale (the form,
    kept as typed, now carries the current version so that saving again replaces the other
    person's changes knowingly)."""
    try:
        case_update(
            actor=user,
            case=case_ref(pk),
            changes=form.changes(),
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersionError:
        current = request.POST.copy()
        current["version"] = str(case_get(user, pk)[0].version)
        form.data = current
        messages.error(request, str(STALE_EDIT))
        return 412
    except ValidationError as error:
        adopt(form, error, prefix="child.")
        return 400
    except StateConflictError as conflict:
        messages.error(request, str(conflict))
        return 409
    messages.success(request, _("The case is saved."))
    return 302


def _edit_page(
    request: HttpRequest,
    file: CaseFile,
    form: CaseEditForm,
    *,
    chosen: Location | None,
    searched: bool = False,
    status: int = 200,
) -> HttpResponse:
    query = form.data.get("place_q", "") if form.is_bound else ""
    return render(
        request,
        "cases/case_edit.html",
        {
            "file": file,
            "case": file.case,
            "form": form,
            "chosen": chosen,
            "places": places_matching(query, chosen),
            "searched": searched,
        },
        status=status,
    )


@dataclass(frozen=True)
class CaseAction:
    """An action on the whole case: its form, who may take it, the service, what it says."""

    form: type[CaseActionForm]
    context_name: str
    code: str  # the action's code in cases.policy.CASE_ACTIONS: who may take it, and when
    perform: Callable[[User, Case, int, dict[str, Any]], Case]  # reader, case, version, form
    done: Any


PAGE_ACTIONS: dict[str, CaseAction] = {
    "assign": CaseAction(
        AssignForm,
        "assign_form",
        "assign",
        lambda user, case, version, data: case_assign(
            actor=user, case=case, owner=data["owner"], expected_version=version
        ),
        gettext_lazy("The case is given to another worker."),
    ),
    "close": CaseAction(
        ClosureRequestForm,
        "closure_form",
        "request_closure",
        lambda user, case, version, data: case_request_closure(
            actor=user,
            case=case,
            reason=data["reason"],
            note=data["note"],
            expected_version=version,
        ),
        gettext_lazy("Closure is requested."),
    ),
    "approve-closure": CaseAction(
        ClosureDecisionForm,
        "closure_decision_form",
        "approve_closure",
        lambda user, case, version, data: case_approve_closure(
            actor=user, case=case, comment=data["comment"], expected_version=version
        ),
        gettext_lazy("The case is closed."),
    ),
    "reject-closure": CaseAction(
        ClosureDecisionForm,
        "closure_decision_form",
        "approve_closure",
        lambda user, case, version, data: case_reject_closure(
            actor=user, case=case, comment=data["comment"], expected_version=version
        ),
        gettext_lazy("The closure is refused."),
    ),
    "reopen": CaseAction(
        ReopenForm,
        "reopen_form",
        "reopen",
        lambda user, case, version, data: case_reopen(
            actor=user, case=case, reason=data["reason"], expected_version=version
        ),
        gettext_lazy("The case is reopened."),
    ),
}


def _action_forms(user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    """A blank form for each action the reader may take on the case (the one posted back with
    errors instead of its blank one)."""
    forms: dict[str, Any] = {}
    for action in PAGE_ACTIONS.values():
        if action.code in file.actions and action.context_name not in forms:
            forms[action.context_name] = bound.get(action.context_name) or _action_form(
                action, file.case
            )
    return forms


def _action_form(action: CaseAction, case: Case, data: Any = None) -> CaseActionForm:
    if action.form is AssignForm:
        return AssignForm(data, case=case, initial={"version": case.version})
    return action.form(data, initial={"version": case.version})


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Assigns, asks for or decides closure, or reopens the case: the API's case actions, each
    under the case's lock and refused when the case changed since the reader saw it."""
    if action not in PAGE_ACTIONS:
        raise Http404("No such action.")
    chosen = PAGE_ACTIONS[action]
    user = _user(request)
    case, access = case_get(user, pk)
    try:
        case_require(user, case, access, chosen.code)  # 403 for the person, here the state
    except StateConflictError as conflict:
        messages.error(request, str(conflict))
        return redirect("case-page", pk=pk)
    form = _action_form(chosen, case, request.POST)
    if form.is_valid():
        try:
            chosen.perform(user, case, form.cleaned_data["version"], form.cleaned_data)
        except StaleVersionError:
            messages.error(request, str(STALE))
            return redirect("case-page", pk=pk)
        except ValidationError as error:
            adopt(form, error)
        except StateConflictError as conflict:
            messages.error(request, str(conflict))
            return redirect("case-page", pk=pk)
        else:
            messages.success(request, str(chosen.done))
            if not visible_cases(user).filter(pk=pk).exists():
                # Given to a worker outside the reader's reach: done, and no longer hers to see.
                return redirect("case-list-page")
            return redirect("case-page", pk=pk)
    file = case_file_of(user, pk)
    return render_case_page(request, file, None, {chosen.context_name: form}, status=400)


# --- Services and consent ---------------------------------------------------------------------


def case_to_write(user: User, pk: int, *, action: str) -> Case:
    """The case (404 outside reach), refused before its form is read when the reader may not
    take ``action`` on it (403, or 409 when only its state forbids it); the service checks
    the same rule again under its lock."""
    case, _access = case_get(user, pk, action=action)
    return case


def submit_on_tab(
    request: HttpRequest,
    form: forms.Form,
    *,
    pk: int,
    tab: str,
    write: Callable[[], object],
    success: str,
    aliases: dict[str, str] | None = None,
) -> HttpResponse | None:
    """Runs ``write`` (a service) for a valid form of a tab: afterwards, a message and back to
    the tab; when the case's state refuses it, the refusal as a message and back to the tab.
    None when the input is refused (beside its fields): the caller shows the tab again with
    the form as typed."""
    if not form.is_valid():
        return None
    try:
        write()
    except ValidationError as error:
        adopt(form, error, aliases=aliases)
        return None
    except StateConflictError as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, success)
    return redirect("case-tab", pk=pk, tab=tab)


@login_required
@require_POST
def case_service_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = case_to_write(user, pk, action="add_service")
    form = ServiceForm(request.POST)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab="services",
        success=_("The service is recorded."),
        write=lambda: case_service_create(actor=user, case=case, **form.values()),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), "services", {"service_form": form}, 400
    )


@login_required
@require_POST
def case_service_status(request: HttpRequest, pk: int, service_id: int) -> HttpResponse:
    user = _user(request)
    form = ServiceStatusForm(request.POST, prefix=f"service-{service_id}")

    @transaction.atomic
    def update() -> None:
        # Locked as the API locks it, so two changes of one record never cross.
        record = selectors_records.service_detail(
            user=user, case_id=pk, service_id=service_id, for_update=True
        )
        case_service_update(actor=user, record=record, status=form.cleaned_data["status"])

    done = submit_on_tab(
        request, form, pk=pk, tab="services", write=update, success=_("The service is updated.")
    )
    return done or render_case_page(
        request, case_file_of(user, pk), "services", {"status_forms": {service_id: form}}, 400
    )


@login_required
@require_POST
def case_consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = case_to_write(user, pk, action="record_consent")
    form = ConsentForm(request.POST)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab="consent",
        success=_("The consent is recorded."),
        write=lambda: consent_create(actor=user, case=case, **form.cleaned_data),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), "consent", {"consent_form": form}, 400
    )


@login_required
@require_POST
def case_consent_withdraw(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    user = _user(request)
    case_to_write(user, pk, action="record_consent")
    consent = selectors_records.consent_detail(user=user, case_id=pk, consent_id=consent_id)
    form = ConsentWithdrawForm(request.POST, prefix=f"consent-{consent_id}")
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab="consent",
        success=_("The consent is withdrawn."),
        write=lambda: consent_withdraw(actor=user, consent=consent, date=form.cleaned_data["date"]),
        aliases={"withdrawn_on": "date"},
    )
    return done or render_case_page(
        request, case_file_of(user, pk), "consent", {"withdraw_forms": {consent_id: form}}, 400
    )


# --- Risk assessment --------------------------------------------------------------------------


@login_required
def case_risk_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    file = case_file_of(user, pk)
    if not file.access.sees(Section.RISK):
        raise PermissionDenied(_("Your access to this case does not include its risk."))
    instrument = selectors_risk.risk_instrument_current()
    if request.method != "POST":
        form = RiskAssessmentForm(instrument=instrument)
        return _risk_page(request, file, form)
    form = RiskAssessmentForm(request.POST, instrument=instrument)
    if form.is_valid():
        chosen = RiskInstrument.objects.filter(pk=form.cleaned_data["instrument"]).first()
        try:
            assessment = risk_assessment_record(
                actor=user,
                case=file.case,
                instrument=chosen or instrument,
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
                safety_plan=form.cleaned_data["safety_plan"],
            )
        except ValidationError as error:
            adopt(form, error)
        except StateConflictError as conflict:
            messages.error(request, str(conflict))
            return redirect("case-tab", pk=pk, tab="risk")
        else:
            messages.success(
                request,
                _("Risk assessed: %(level)s.") % {"level": assessment.get_risk_level_display()},
            )
            return redirect("case-risk-page", pk=pk, assessment_id=assessment.pk)
    return _risk_page(request, file, form, status=400)


def _risk_page(
    request: HttpRequest, file: CaseFile, form: RiskAssessmentForm, status: int = 200
) -> HttpResponse:
    if not file.can_assess:
        raise PermissionDenied(_("Only the case owner or their supervisor assesses risk."))
    return render(
        request,
        "cases/risk_new.html",
        {"file": file, "case": file.case, "form": form},
        status=status,
    )


@login_required
def case_risk_result(request: HttpRequest, pk: int, assessment_id: int) -> HttpResponse:
    user = _user(request)
    file = case_file_of(user, pk)
    assessment = selectors_risk.risk_assessment_detail(
        user=user, case_id=pk, assessment_id=assessment_id
    )
    instrument = (
        selectors_risk.risk_instrument_with_content().filter(pk=assessment.instrument_id).get()
    )
    answers = [
        (
            localized(question.text_en, question.text_km),
            next(
                (
                    localized(option.label_en, option.label_km)
                    for option in question.options.all()
                    if option.code == assessment.answers.get(question.code)
                ),
                assessment.answers.get(question.code, ""),
            ),
        )
        for question in instrument.questions.all()
    ]
    return render(
        request,
        "cases/risk_result.html",
        {
            "file": file,
            "case": file.case,
            "assessment": assessment,
            "answers": answers,
        },
    )


# --- Case plan --------------------------------------------------------------------------------


def _plan_people(case: Case) -> QuerySet[User]:
    """Who may be made responsible for an action: the service checks the same rule."""
    return User.objects.filter(is_active=True, agency_id=case.agency_id).order_by(
        "full_name", "username"
    )


@login_required
def case_plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    file = case_file_of(user, pk)
    if not (file.access.sees(Section.CASE_PLAN) and file.can_plan):
        raise PermissionDenied(_("Only the case owner or their supervisor can do this."))
    people = _plan_people(file.case)
    if request.method != "POST":
        return _plan_page(request, file, PlanForm(responsible=people), None)
    form = PlanForm(request.POST, responsible=people)
    if "add" not in request.POST and form.is_valid():
        try:
            plan_services.plan_create(actor=user, case=case_ref(pk), goals=form.goals())
        except ValidationError as error:
            form.adopt(error)
        except StateConflictError as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("The plan is saved as a draft."))
            return redirect("case-tab", pk=pk, tab="plan")
        return _plan_page(request, file, form, None, status=400)
    return _plan_page(request, file, form, None)


@login_required
def case_plan_edit(request: HttpRequest, pk: int, plan_id: int) -> HttpResponse:
    user = _user(request)
    if request.method != "POST":
        file = case_file_of(user, pk)
        if not file.can_plan:
            raise PermissionDenied(_("Only the case owner or their supervisor can do this."))
        plan = selectors_records.plan_in_case(case=file.case, plan_id=plan_id)
        form = PlanForm(responsible=_plan_people(file.case), initial_goals=list(plan.goals.all()))
        return _plan_page(request, file, form, plan)
    file = _file_to_write(user, pk, "write_plan")
    plan = selectors_records.plan_in_case(case=file.case, plan_id=plan_id)
    form = PlanForm(request.POST, responsible=_plan_people(file.case))
    if "add" not in request.POST and form.is_valid():
        try:
            plan_services.plan_update(actor=user, plan=plan, goals=form.goals())
        except ValidationError as error:
            form.adopt(error)
        except StateConflictError as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("case-tab", pk=pk, tab="plan")
        return _plan_page(request, file, form, plan, status=400)
    return _plan_page(request, file, form, plan)


def _plan_page(
    request: HttpRequest, file: CaseFile, form: PlanForm, plan: CasePlan | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "cases/plan_form.html",
        {"file": file, "case": file.case, "form": form, "plan": plan},
        status=status,
    )


PLAN_DECISIONS: dict[str, tuple[Callable[..., CasePlan], Any]] = {
    "submit": (plan_services.plan_submit, gettext_lazy("The plan is sent for approval.")),
    "approve": (plan_services.plan_approve, gettext_lazy("The plan is approved.")),
    "reject": (plan_services.plan_reject, gettext_lazy("The plan is sent back.")),
}


@login_required
@require_POST
def case_plan_decide(request: HttpRequest, pk: int, plan_id: int, decision: str) -> HttpResponse:
    """Submits, approves or rejects a plan, as its service allows."""
    if decision not in PLAN_DECISIONS:
        raise Http404("No such action.")
    user = _user(request)
    plan = selectors_records.plan_detail(user=user, case_id=pk, plan_id=plan_id)
    service, done = PLAN_DECISIONS[decision]
    form = PlanDecisionForm(request.POST)
    form.is_valid()
    arguments: dict[str, Any] = {"actor": user, "plan": plan}
    if decision != "submit":
        arguments["comment"] = form.cleaned_data.get("comment", "")
    try:
        service(**arguments)
    except ValidationError as error:
        adopt(form, error)
        return render_case_page(
            request,
            case_file_of(user, pk),
            "plan",
            {"decision": form, "decided_plan": plan.pk},
            status=400,
        )
    except StateConflictError as conflict:
        # The reader may decide, but not now: said on the page. Who may not at all gets 403.
        messages.error(request, str(conflict))
    else:
        messages.success(request, str(done))
    return redirect("case-tab", pk=pk, tab="plan")


# --- Printable summary ------------------------------------------------------------------------


@login_required
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    """What the reader may see of the case on paper; nothing more than the screen shows them."""
    user = _user(request)
    case, access = case_get(user, pk, detail=True, read="print")
    file = CaseFile(case=case, access=access, actions=case_actions(user, case, access))
    context: dict[str, Any] = {
        "file": file,
        "case": case,
        "printed_at": timezone.now(),
        "printing": True,
    }
    for slug in ("concerns", "risk", "plan", "services", "consent", "placements"):
        if TAB_BY_SLUG[slug].open_to(file.access):
            context.update(TAB_LOADERS[slug](request, user, file, {}))
    context["shows"] = {tab.slug for tab in TABS if tab.open_to(file.access)}
    return render(request, "cases/case_print.html", context)
