"""The case file: the tabs that apps register into it, the actions in its header, and the
case reached through the door for a page that reads or writes it.

This is the one module of the case pages that other apps import: the referrals and
reintegration apps register their tabs here and answer their own forms through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases.choices import Status
from cases.models import Case, ConcernType
from cases.policy import (
    CaseAccess,
    Detail,
    case_actions,
    case_get,
)
from cases.selectors.case import concern_types
from cases.services.case import (
    case_approve_closure,
    case_assign,
    case_reject_closure,
    case_reopen,
    case_request_closure,
)
from cases.web.forms import (
    AssignForm,
    CaseActionForm,
    ClosureDecisionForm,
    ClosureRequestForm,
    ReopenForm,
)
from core.errors import StateConflictError
from core.web import adopt, localized, render_page, user_of


def concern_labels(concerns: list[ConcernType] | None = None) -> dict[str, str]:
    return {
        concern.code: localized(concern.label_en, concern.label_km)
        for concern in (concern_types() if concerns is None else concerns)
    }


@dataclass(frozen=True)
class Tab:
    """A tab of the case file: shown to a reader who sees any of its ``sections``."""

    slug: str
    label: Any
    sections: tuple[str, ...]  # any one opens the tab; none: the history, with full access
    order: int  # where it stands among the tabs, left to right
    template: str = ""  # default: cases/tabs/<slug>.html

    @property
    def template_name(self) -> str:
        return self.template or f"cases/tabs/{self.slug}.html"

    def open_to(self, access: CaseAccess) -> bool:
        if not self.sections:
            return access.history
        return any(access.sees(section) for section in self.sections)


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


def file_to_write(user: User, pk: int, action: str) -> CaseFile:
    """The case file for a request that changes it: through the door, refused before its form
    is read when ``action`` is not the reader's to take, and not recorded as a reading (the
    change records itself)."""
    case, access = case_get(user, pk, action=action, detail=True)
    return CaseFile(case=case, access=access, actions=case_actions(user, case, access))


def case_file_of(
    user: User,
    pk: int,
    *,
    read: str = "file",
    action: str | None = None,
    detail: Detail = True,
) -> CaseFile:
    """The case through the door (404 outside the reader's reach; 403 or 409 when ``action``
    is not the reader's to take now); each reading of the file is recorded, once, naming the
    part read (``read``), as the API records it. ``detail`` as the door takes it: a tab loads
    what it shows itself."""
    case, access = case_get(user, pk, detail=detail, read=read, action=action)
    return CaseFile(case=case, access=access, actions=case_actions(user, case, access))


TabLoader = Callable[[HttpRequest, User, CaseFile, Bound], dict[str, Any]]

# The case file's tabs by slug, each with what loads it. The case's own tabs (cases.web.tabs)
# and those of the apps above cases (referrals, reintegration) register here alike, so the
# case file shows them all without importing those apps.
_TABS: dict[str, tuple[Tab, TabLoader]] = {}


def register_tab(tab: Tab, loader: TabLoader) -> None:
    _TABS[tab.slug] = (tab, loader)


def tabs_open_to(access: CaseAccess) -> list[Tab]:
    """The tabs the reader sees, in their order."""
    tabs = sorted((tab for tab, _loader in _TABS.values()), key=lambda tab: tab.order)
    return [tab for tab in tabs if tab.open_to(access)]


def load_tab(
    tab: Tab, request: HttpRequest, user: User, file: CaseFile, bound: Bound
) -> dict[str, Any]:
    """What the tab shows, from the app that registered it."""
    return _TABS[tab.slug][1](request, user, file, bound)


def render_case_page(
    request: HttpRequest,
    file: CaseFile,
    slug: str | None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    tabs = tabs_open_to(file.access)
    if slug is None:
        tab = tabs[0] if tabs else None
    else:
        if slug not in _TABS:
            raise Http404("No such page.")
        tab = _TABS[slug][0]
        if not tab.open_to(file.access):
            raise PermissionDenied(
                _("Your access to this case does not include this part of the file.")
            )
    context: dict[str, Any] = {"file": file, "case": file.case, "tabs": tabs, "tab": tab}
    context["actions"] = action_forms(user, file, extra or {})
    if tab is not None:
        context.update(load_tab(tab, request, user, file, extra or {}))
    context.update(extra or {})
    return render_page(request, "cases/case_file.html", "cases/_case_body.html", context, status)


@login_required
def case_file(request: HttpRequest, pk: int, tab: str | None = None) -> HttpResponse:
    file = case_file_of(user_of(request), pk, read=_reading(tab), detail="header")
    return render_case_page(request, file, tab)


def _reading(slug: str | None) -> str:
    """What opening a tab reads, as the trail names it: its section (the API's name for the
    same reading), the history, or the file itself."""
    if slug not in _TABS:
        return "file"
    tab = _TABS[slug][0]
    return tab.sections[0] if tab.sections else "history"


STALE = gettext_lazy(
    "Someone else saved this case after you opened it, so nothing was saved. Check the case "
    "as it is now and try again."
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


def action_forms(user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    """A blank form for each action the reader may take on the case (the one posted back with
    errors instead of its blank one)."""
    forms: dict[str, Any] = {}
    for action in PAGE_ACTIONS.values():
        if action.code in file.actions and action.context_name not in forms:
            forms[action.context_name] = bound.get(action.context_name) or action_form(
                action, file.case
            )
    return forms


def action_form(action: CaseAction, case: Case, data: Any = None) -> CaseActionForm:
    if action.form is AssignForm:
        return AssignForm(data, case=case, initial={"version": case.version})
    return action.form(data, initial={"version": case.version})


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
