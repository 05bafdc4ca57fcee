"""The access policy for case data: the one place that decides who sees which case.

A user sees a case when it is not restricted and it lies in one of their scopes (own, team,
agency, jurisdiction; see accounts.reach) or they hold an object grant on it (a guardian row,
given by a referral or a reintegration); a restricted case is seen only by the people named on
it, whatever their scope.

The answer is one SQL query whose shape follows the breadth of the user's reach. Narrow
scopes (own, team, agency, grants, named) are ``id IN (<one indexed id subquery per scope>
UNION ALL ...)``: each branch is served by its own index (owner, agency, grant and named-user
tables), which an OR of the same conditions would not allow. A territory (a provincial office's
supervisor sees a sixth of the country, the ministry all of it) is a condition on the case row
itself, ORed with the narrow scopes' ids, read first in their own query when there are at most
RESOLVED_IDS of them (else with that union): a list ordered by date then walks the date index
and stops at the page's end, where a union would first gather every id of the province. No
per-row checks run in Python.

Anything outside the result is answered as missing (404), exactly like a case that does not
exist.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import OVERSIGHT_AGENCY_TYPES, Role
from accounts.models import Agency, User
from accounts.reach import NATIONAL, Reach, reach_of, supervisee_ids
from audit import services as audit
from cases.choices import Section, Status
from cases.models import (
    CONTRIBUTE_PERMISSION,
    SECTION_PERMISSIONS,
    Case,
    CaseAreaGrant,
    CaseGroupObjectPermission,
    CaseNamedUser,
    CaseUserObjectPermission,
)
from cases.prefetched import load_details
from core.compiled import CompiledQuery
from core.errors import StateConflictError
from core.ids import as_id
from core.lookups import IdList
from core.versions import check_version

ALL_SECTIONS = frozenset(Section.values)
# Up to how many cases of the narrow scopes are listed by id beside a territory (_visibility).
RESOLVED_IDS = 1000
_SECTION_OF_PERMISSION = {codename: section for section, codename in SECTION_PERMISSIONS.items()}


@dataclass(frozen=True)
class _Scopes:
    """Which narrow scopes a visibility condition unites, one indexed id subquery each: the
    statement's shape. Each shape is compiled once a process (core.compiled), its values (the
    user, their agency, the permission codenames, the places of area grants) bound at each
    call: building the union anew was a millisecond and a half of every list's Python."""

    own: bool = False
    team: bool = False
    agency: bool = False
    # Object grants: all of them, or those of some permissions (``codenames``).
    grants: Literal["all", "some"] = "all"
    named: bool = True  # the restricted cases the user is named on
    area: bool = False  # area grants of one section to the user's places

    def kinds(self) -> dict[str, Any]:
        """The values the statement binds, by name and type."""
        kinds: dict[str, Any] = {"user_id": int}
        if self.agency:
            kinds["agency_id"] = int
        if self.grants == "some":
            kinds["codenames"] = list[str]
        if self.area:
            kinds.update(area_paths=list[str], section=str)
        return kinds

    def values(self, reach: Reach, codenames: list[str], section: str) -> dict[str, Any]:
        known = {
            "user_id": reach.user_id,
            "agency_id": reach.agency_id,
            "codenames": codenames,
            "area_paths": list(reach.area_paths),
            "section": section,
        }
        return {name: known[name] for name in self.kinds()}

    def union(self, **values: Any) -> QuerySet[Any, Any]:
        """The ids of the cases in these scopes, as one UNION ALL."""
        user_id = values["user_id"]
        unrestricted = Case.objects.filter(restricted=False).order_by()
        branches: list[QuerySet[Any, Any]] = []
        if self.own:
            branches.append(unrestricted.filter(owner_id=user_id))
        if self.team:
            branches.append(unrestricted.filter(owner_id__in=supervisee_ids(user_id)))
        if self.agency:
            branches.append(unrestricted.filter(agency_id=values["agency_id"]))
        branches = [branch.values("id") for branch in branches]
        user_grants = CaseUserObjectPermission.objects.filter(
            user_id=user_id, content_object__restricted=False
        )
        group_grants = CaseGroupObjectPermission.objects.filter(
            group__user=user_id, content_object__restricted=False
        )
        if self.grants == "some":
            user_grants = user_grants.filter(permission__codename__any_of=values["codenames"])
            group_grants = group_grants.filter(permission__codename__any_of=values["codenames"])
        branches += [
            user_grants.order_by().values("content_object_id"),
            group_grants.order_by().values("content_object_id"),
        ]
        if self.named:
            branches.append(
                CaseNamedUser.objects.filter(user_id=user_id, case__restricted=True)
                .order_by()
                .values("case_id")
            )
        if self.area:
            branches.append(
                CaseAreaGrant.objects.filter(
                    location_path__any_of=values["area_paths"],
                    section=values["section"],
                    case__restricted=False,
                )
                .order_by()
                .values("case_id")
            )
        first, *rest = branches
        return first.union(*rest, all=True)


# Each shape's union, and the statement reading its first ids (_visibility), by shape and limit.
_UNIONS: dict[tuple[_Scopes, int | None], CompiledQuery] = {}


def _compiled(scopes: _Scopes, first: int | None = None) -> CompiledQuery:
    """The union of ``scopes``, or its ``first`` ids, compiled once a process."""
    key = (scopes, first)
    compiled = _UNIONS.get(key)
    if compiled is None:

        def build(**values: Any) -> QuerySet[Any, Any]:
            union = scopes.union(**values)
            return union if first is None else union[:first]

        compiled = _UNIONS[key] = CompiledQuery(build, **scopes.kinds())
    return compiled


def _territory(path: str | None, prefix: str) -> Q | None:
    """The cases in the territory of ``path``, as a condition on the case row (None without
    one); ``prefix`` leads from the queried model to the case ("case__" from a follow-up)."""
    if path is None:
        return None
    if path == NATIONAL:
        return Q(**{f"{prefix}restricted": False})
    return Q(**{f"{prefix}restricted": False, f"{prefix}location_path__startswith": path})


@dataclass(frozen=True)
class Visibility:
    """The shape of a visibility condition: the narrow scopes, the territory's path (None
    without one) and whether the narrow scopes' ids are given as a list beside it (see
    :func:`_visibility`). :meth:`condition` builds it with a call's values, as
    :func:`visibility_of` gives them; a statement that holds it is compiled once a shape
    (core.compiled), the territory's path a constant of it."""

    scopes: _Scopes
    territory: str | None
    resolved: bool = False

    def kinds(self) -> dict[str, Any]:
        """The values the condition binds: the narrow scopes' ids when resolved (the scopes'
        own values are then spent), else the scopes' values."""
        return {"case_ids": IdList} if self.resolved else self.scopes.kinds()

    def condition(self, through: str = "", **values: Any) -> Q:
        """The condition on a model whose foreign key ``through`` names the case (on the case
        itself when empty). Through a join, the territory is a condition on the joined case
        row, so a list of follow-ups by date walks its own index and looks each case up by
        key."""
        key = f"{through}_id__in" if through else "pk__in"
        territory = _territory(self.territory, f"{through}__" if through else "")
        if self.resolved:
            # One array parameter, not one per id (core.lookups).
            listed = Q(**{key.replace("__in", "__any_of"): values["case_ids"]})
        else:
            listed = Q(**{key: _compiled(self.scopes).subquery(**values)})
        return listed if territory is None else territory | listed


# Whose narrow scopes held more than RESOLVED_IDS cases when last read (by user and set of
# branches), until when (time.monotonic()): their ids are not read again on every request only
# to be dropped, 1.8 ms of CPU on each list of a provincial supervisor. The note chooses the
# statement's shape, never its answer: an outdated one costs a slower plan for a while, not a
# wrong list. Each worker process keeps its own.
LARGE_SCOPE_SECONDS = 300.0
_large_scopes: dict[tuple[int, _Scopes, str], float] = {}


def forget_scope_sizes() -> None:
    _large_scopes.clear()


def _known_large(key: tuple[int, _Scopes, str]) -> bool:
    until = _large_scopes.get(key)
    if until is None:
        return False
    if until < time.monotonic():
        del _large_scopes[key]
        return False
    return True


def visibility_of(
    reach: Reach,
    scopes: _Scopes,
    *,
    codenames: list[str] | None = None,
    section: str = "",
    resolve: bool = True,
) -> tuple[Visibility, dict[str, Any]]:
    """The shape of the condition on the cases of the narrow ``scopes`` and of the user's
    territory (see the module's docstring for why the territory is not one more branch), and
    its values.

    Beside a territory, the narrow scopes' ids are read first, when few (and ``resolve``):
    ORed with a subquery, they would be costed per row the plan reads, and the planner would
    as soon read every case as walk the list's index (a plan that flips with the statistics);
    a list of ids is a cheap, well-estimated test on the row."""
    values = scopes.values(reach, codenames or [], section)
    territory = reach.jurisdiction_path
    listed = Visibility(scopes, territory)
    noted = (reach.user_id, scopes, section)
    if territory is None or not resolve or _known_large(noted):
        return listed, values
    ids = [row[0] for row in _compiled(scopes, first=RESOLVED_IDS + 1).rows(**values)]
    if len(ids) > RESOLVED_IDS:
        _large_scopes[noted] = time.monotonic() + LARGE_SCOPE_SECONDS
        return listed, values
    return Visibility(scopes, territory, resolved=True), {"case_ids": IdList(ids)}


def _visibility(
    reach: Reach,
    scopes: _Scopes,
    through: str = "",
    *,
    codenames: list[str] | None = None,
    section: str = "",
    resolve: bool = True,
) -> Q:
    """The condition of :func:`visibility_of`, as a filter on a model whose foreign key
    ``through`` names the case (on the case itself when empty)."""
    shape, values = visibility_of(
        reach, scopes, codenames=codenames, section=section, resolve=resolve
    )
    return shape.condition(through, **values)


def case_visibility(user: User) -> tuple[Visibility, dict[str, Any]] | None:
    """The shape and values of :func:`visible_cases`' condition; None for a user who sees no
    case (signed out, or inactive)."""
    if not user.is_authenticated or not user.is_active:
        return None
    reach = reach_of(user)
    return visibility_of(reach, _Scopes(own=reach.own, team=reach.team, agency=reach.agency))


def visible_cases(user: User, *, by_key: bool = False) -> QuerySet[Case]:
    """Every case ``user`` may see (before any section filtering). ``by_key``: the caller
    narrows them by an indexed key first (one case, a team's owners), so no plan can go wrong
    and the narrow scopes' ids are not read first (see _visibility)."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    reach = reach_of(user)
    scopes = _Scopes(own=reach.own, team=reach.team, agency=reach.agency)
    return Case.objects.filter(_visibility(reach, scopes, resolve=not by_key))


# How much of a case the door loads: the row alone (False), with what the case file's header
# shows in the same statement ("header"), or also the family and concerns (True).
Detail = bool | Literal["header"]


def _case_row(user: User, case_id: int | str, *, lock: bool, detail: Detail) -> Case:
    """The case if ``user`` may see it; otherwise Http404, as for a case that does not exist."""
    pk = as_id(case_id)
    if pk is None:
        raise Http404("No such case.")
    cases = visible_cases(user, by_key=True)
    if lock:
        # Only the case row: the rows joined for reading are not locked with it.
        cases = cases.select_for_update(of=("self",))
    if detail:
        # The place with the commune, district and province above it, as the file names it.
        cases = cases.select_related(
            "child__location", "location__parent__parent__parent", "agency", "owner"
        )
    one = cases.filter(pk=pk)
    case = _by_key_planned_once(one) if detail else one.first()
    if case is None:
        raise Http404("No such case.")
    if detail is True:
        load_details([case], concerns=True, family=True)
    return case


def _by_key_planned_once(cases: QuerySet[Case]) -> Case | None:
    """The case of a lookup by key, with the generic plan of its prepared statement (one case,
    its place and their parents: ten tables). PostgreSQL, finding the generic plan dearer than
    one planned for the values, planned every run again: 2 to 3 ms, for 0.1 ms of running, the
    same rows either way. A lookup by key cannot go wrong so. Inside a transaction already (a
    service locking the case), the setting would outlive the read: planned as usual there."""
    alias = cases.db
    database = connections[alias]
    if (
        database.vendor != "postgresql"
        or database.in_atomic_block
        or cases.query.select_for_update
        or settings.DATABASE_PLAN_CACHE_MODE != "auto"
    ):
        return cases.first()
    with transaction.atomic(using=alias):
        with database.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        return cases.first()


@dataclass(frozen=True)
class CaseAccess:
    """What one user may see and do on one case they can see.

    ``identity`` is the child's name, age, sex and address; ``sections`` the rest of the file
    by part. Administrative fields (number, status, stage, risk level, owner, agency) go with
    any access."""

    identity: bool = False
    sections: frozenset[str] = frozenset()
    history: bool = False
    manage: bool = False  # edit the case, its plan, request closure
    contribute: bool = False  # add notes and services
    assign: bool = False  # give the case to another worker
    approve: bool = False  # decide closures and plans submitted by the owner

    def sees(self, section: str) -> bool:
        return section in self.sections


# Read on every request of a supervisor (a list's page, a case): compiled once.
_SUPERVISEES = CompiledQuery(
    lambda supervisor_id: supervisee_ids(supervisor_id).values_list("id"),
    supervisor_id=int,
)


def _supervised_by(reach: Reach) -> set[int]:
    if not reach.team:
        return set()
    return {person_id for (person_id,) in _SUPERVISEES.rows(supervisor_id=reach.user_id)}


# Stands for "named on the case" among the codenames of the permissions granted on it, which
# are never empty.
_NAMED = ""


# Every page of every list runs it, one shape for all: compiled once (core.compiled). The ids
# go as one array parameter (core.lookups): a page's fifty, three times over, were a hundred
# and fifty parameters to bind.
_GRANTS_AND_NAMES = CompiledQuery(
    lambda user_id, ids: (
        CaseUserObjectPermission.objects.filter(user_id=user_id, content_object_id__any_of=ids)
        .values_list("content_object_id", "permission__codename")
        .union(
            CaseGroupObjectPermission.objects.filter(
                group__user=user_id, content_object_id__any_of=ids
            ).values_list("content_object_id", "permission__codename"),
            CaseNamedUser.objects.filter(user_id=user_id, case_id__any_of=ids)
            .annotate(code=Value(_NAMED, output_field=CharField()))
            .values_list("case_id", "code"),
            all=True,
        )
    ),
    user_id=int,
    ids=IdList,
)


def _grants_and_names(user: User, case_ids: list[int]) -> tuple[dict[int, set[str]], set[int]]:
    """The permissions granted to ``user`` on each of ``case_ids`` (to them or to a group of
    theirs) and the cases they are named on: one statement, whatever the number of cases."""
    granted: dict[int, set[str]] = defaultdict(set)
    named: set[int] = set()
    if not case_ids:
        return granted, named
    rows = _GRANTS_AND_NAMES.rows(user_id=user.pk, ids=IdList(case_ids))
    for case_id, codename in rows:
        if codename == _NAMED:
            named.add(case_id)
        else:
            granted[case_id].add(codename)
    return granted, named


def case_accesses(user: User, cases: Iterable[Case]) -> dict[int, CaseAccess]:
    """Access to each of ``cases`` (already filtered by :func:`visible_cases`), computed with
    a fixed number of queries whatever their number: for a page of a list as for one case."""
    cases = list(cases)
    reach = reach_of(user)
    supervised = _supervised_by(reach)
    ids = [case.pk for case in cases]
    granted, named = _grants_and_names(user, ids)
    result: dict[int, CaseAccess] = {}
    for case in cases:
        owner = case.owner_id == user.pk
        supervises = case.owner_id in supervised
        territorial = reach.jurisdiction_path is not None and case.location_path.startswith(
            reach.jurisdiction_path
        )
        agency_admin = reach.agency and case.agency_id == reach.agency_id
        full = (case.pk in named) or (
            not case.restricted and ((reach.own and owner) or supervises or territorial)
        )
        permissions = granted.get(case.pk, set())
        if full or "view_case" in permissions:
            sections = ALL_SECTIONS
        else:
            sections = frozenset(
                _SECTION_OF_PERMISSION[code]
                for code in permissions
                if code in _SECTION_OF_PERMISSION
            )
        result[case.pk] = CaseAccess(
            identity=full or bool(permissions),
            sections=sections,
            history=full,
            manage=owner or supervises,
            contribute=owner or supervises or CONTRIBUTE_PERMISSION in permissions,
            assign=supervises or agency_admin,
            approve=supervises,
        )
    return result


def case_access(user: User, case: Case) -> CaseAccess:
    return case_accesses(user, [case])[case.pk]


def section_readable(user: User, section: str, *, through: str = "") -> Q:
    """A filter for the cases whose ``section`` ``user`` may read (or, with ``through``
    naming a foreign key to the case, for the rows of those cases): the cases they see in full,
    those granted that section, and those whose section is open to their place (area grants to
    a commune committee). An area grant opens the section alone: the case file stays out of
    :func:`visible_cases`, so everything else of it answers 404."""
    visibility = section_visibility(user, section)
    if visibility is None:
        return Q(pk__in=[])
    shape, values = visibility
    return shape.condition(through, **values)


def section_visibility(user: User, section: str) -> tuple[Visibility, dict[str, Any]] | None:
    """The shape and values of :func:`section_readable`'s condition; None for a user who
    reads no case (signed out, or inactive)."""
    if not user.is_authenticated or not user.is_active:
        return None
    reach = reach_of(user)
    scopes = _Scopes(own=reach.own, team=reach.team, grants="some", area=bool(reach.area_paths))
    codenames = ["view_case", SECTION_PERMISSIONS[section]]
    return visibility_of(reach, scopes, codenames=codenames, section=section)


def readable_filter(user: User, section: str | None = None) -> Q | None:
    """A condition narrowing :func:`visible_cases` to the cases whose child's identity (with
    no ``section``) or whose ``section`` ``user`` reads, as :func:`case_accesses` decides it;
    None when every case they see is read so and no condition is needed. A filter or a search
    on a field uses it: finding cases by a field one may not read would reveal the field (an
    agency admin searching a name among cases she sees by number only)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    reach = reach_of(user)
    if section is None:
        # Everything visible shows the child, but for what an agency scope alone opens.
        if not reach.agency:
            return None
        return _visibility(reach, _Scopes(own=reach.own, team=reach.team))
    partly_granted = (
        CaseUserObjectPermission.objects.filter(user_id=user.pk).exists()
        or CaseGroupObjectPermission.objects.filter(group__user=user).exists()
    )
    if not reach.agency and not partly_granted:
        return None
    return section_readable(user, section)


def may_record_in_section(user: User, case: Case, section: str) -> bool:
    """Whether ``user`` may record in ``section`` of ``case`` (a follow-up visit, say): its
    owner and their supervisor, and the people it was opened to for that work (a grant or an
    area grant of the section). Oversight from a territory reads; it does not record."""
    if not user.is_active:
        return False
    if case.restricted and not case.named_user_rows.filter(user_id=user.pk).exists():
        return False  # only the people named on a restricted case work on it
    if case.owner_id == user.pk or case.owner_id in _supervised_by(reach_of(user)):
        return True
    reach = reach_of(user)
    scopes = _Scopes(grants="some", named=False, area=bool(reach.area_paths))
    values = scopes.values(reach, [SECTION_PERMISSIONS[section]], section)
    granted = _compiled(scopes).subquery(**values)
    return Case.objects.filter(pk=case.pk, pk__in=granted).exists()


# --- The one door to a case, and what may be done on it -------------------------------------

Need = Literal["manage", "contribute", "assign", "approve", "history"]

_NEED_REFUSALS = {
    "manage": gettext_lazy("Only the case owner or their supervisor can do this."),
    "contribute": gettext_lazy("You cannot add to this case."),
    "assign": gettext_lazy("Only the owner's supervisor or an agency admin assigns cases."),
    "approve": gettext_lazy("Only the case owner's supervisor can decide this."),
    "history": gettext_lazy("Your access to this case does not include its history."),
}


def case_get(
    user: User,
    case_id: int | str,
    *,
    need: Need | None = None,
    section: str | None = None,
    action: str | None = None,
    lock: bool = False,
    expected_version: int | None = None,
    detail: Detail = False,
    read: str | None = None,
) -> tuple[Case, CaseAccess]:
    """The one way to a single case: the case and what ``user`` may see and do on it.

    404 when the case is not visible to ``user`` (exactly as a missing one); 403 when it is but
    ``section`` is not open to them or they lack ``need``; with ``action`` (a code of
    :data:`CASE_ACTIONS`), 403 when the person may not take it and 409 when only the case's
    state forbids it now. ``lock`` holds the case row until the transaction ends (services that
    change the case); with ``expected_version`` (an ETag's, a form's), StaleVersionError (412)
    when the case changed since the caller read it, checked under that lock. ``detail`` loads
    what the case file shows (child, family, concerns; ``"header"``: the child, the place, the
    agency and the owner, in the same statement, for a page that loads the rest itself).
    ``read`` names what the caller is about to show (``file``, a section, ``history``,
    ``print``): that reading goes into the audit trail, once, here; a request that changes the
    case records its change instead."""
    case = _case_row(user, case_id, lock=lock or expected_version is not None, detail=detail)
    access = case_access(user, case)
    if section is not None and not access.sees(section):
        raise PermissionDenied(
            _("Your access to this case does not include its %(section)s.")
            % {"section": Section(section).label}
        )
    if need is not None and not getattr(access, need):
        raise PermissionDenied(str(_NEED_REFUSALS[need]))
    if action is not None:
        case_require(user, case, access, action)
    check_version(case, expected_version)
    if read is not None:
        with transaction.atomic():
            audit.record(
                actor=user, action=f"case.view_{read}", obj=case, case_id=case.pk, reading=True
            )
    return case, access


def case_ref(case_id: int | str) -> Case:
    """A reference to a case by its id (404 for what is no id), for a service that opens it
    through the door itself: no query, nothing of the case read before the service does."""
    pk = as_id(case_id)
    if pk is None:
        raise Http404("No such case.")
    return Case(pk=pk)


@dataclass(frozen=True)
class ActionRule:
    """Who may take an action (from their access to the case) and when the case allows it."""

    who: Callable[[User, Case, CaseAccess], bool]
    when: Callable[[Case, CaseAccess], bool]
    refusal: Any  # why the person may not (403)
    not_now: Any  # why the case does not allow it now (409)


def _is_open(case: Case, access: CaseAccess | None = None) -> bool:
    return case.status == Status.OPEN


def _asks_closure(user: User, case: Case, access: CaseAccess) -> bool:
    # While a follow-up schedule runs, the owner's supervisor closes at once instead.
    return case.owner_id == user.pk or (case.follow_up_pending and access.approve)


def _closure_askable(case: Case, access: CaseAccess) -> bool:
    """Open, not asked yet, and no follow-up schedule running that only the owner's
    supervisor may cut short."""
    return (
        _is_open(case)
        and not case.closure_pending
        and (not case.follow_up_pending or access.approve)
    )


def _manages(user: User, case: Case, access: CaseAccess) -> bool:
    return access.manage


def _contributes(user: User, case: Case, access: CaseAccess) -> bool:
    return access.contribute


# The actions of each kind share their tests (the same functions), so that a case's actions
# test each once (case_actions).
def _managed(refusal: Any = _NEED_REFUSALS["manage"]) -> ActionRule:
    return ActionRule(_manages, _is_open, refusal, _CLOSED)


def _contributed() -> ActionRule:
    return ActionRule(_contributes, _is_open, _NEED_REFUSALS["contribute"], _CLOSED)


_CLOSED = gettext_lazy("The case is closed: reopen it first.")


def may_export_cases(user: User, *, agency: Agency | None = None) -> bool:
    """Whether ``user`` may export cases (those they see, the fields of the sections they
    see): supervisors of any agency and the case workers of the social-affairs offices (MoSVY,
    DoSVY). The one rule the export service, its pages and the ``export`` action ask.
    ``agency``: the person's agency, when the caller holds it already (no query then)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role == Role.SUPERVISOR:
        return True
    if user.role != Role.SOCIAL_WORKER or user.agency_id is None:
        return False
    own = agency if agency is not None and agency.pk == user.agency_id else user.agency
    return own is not None and own.type in OVERSIGHT_AGENCY_TYPES


def _exports(user: User, case: Case, access: CaseAccess) -> bool:
    # The case file reads the case with its agency: when that is the person's own, the rule
    # takes it from there, so computing the actions costs no query.
    held = case.agency if Case.agency.is_cached(case) else None
    return may_export_cases(user, agency=held)


# The codes of docs/api.md ("What a caller may do"), each with its one rule: services check it
# (case_get(action=...)), pages draw their buttons from it, the API returns it as ``actions``.
CASE_ACTIONS: dict[str, ActionRule] = {
    "edit": _managed(),
    "assign": ActionRule(lambda u, c, a: a.assign, _is_open, _NEED_REFUSALS["assign"], _CLOSED),
    "request_closure": ActionRule(
        _asks_closure,
        _closure_askable,
        gettext_lazy("Only the case's owner asks for its closure."),
        gettext_lazy(
            "Closure cannot be asked for now: the case is closed, its closure is already "
            "asked for, or its follow-up visits are not complete with the last two stable "
            "(only the owner's supervisor can close it then)."
        ),
    ),
    "approve_closure": ActionRule(
        lambda u, c, a: a.approve and c.closure_requested_by_id != u.pk,
        lambda c, a: c.closure_pending,
        gettext_lazy("Only the owner's supervisor decides on closure, never on her own request."),
        gettext_lazy("No closure is waiting for a decision."),
    ),
    "reopen": ActionRule(
        lambda u, c, a: a.manage,
        lambda c, a: not _is_open(c),
        gettext_lazy("Only the case's owner and her supervisor reopen it."),
        gettext_lazy("Only a closed case can be reopened."),
    ),
    "assess_risk": _managed(),
    "write_plan": _managed(),
    "approve_plan": ActionRule(
        lambda u, c, a: a.approve, _is_open, _NEED_REFUSALS["approve"], _CLOSED
    ),
    "add_note": _contributed(),
    "add_service": _contributed(),
    "add_document": ActionRule(
        lambda u, c, a: a.contribute and a.sees(Section.DOCUMENTS),
        _is_open,
        _NEED_REFUSALS["contribute"],
        _CLOSED,
    ),
    "record_consent": _managed(),
    "refer": ActionRule(
        lambda u, c, a: a.manage and u.agency_id is not None,
        _is_open,
        gettext_lazy("Only the case's owner and her supervisor refer it."),
        _CLOSED,
    ),
    "place": _managed(),
    "reintegrate": _managed(),
    # Whoever works on the case, and the oversight office's supervisor who sees it in her
    # territory: identifying a victim is the one thing oversight records (the service lets only
    # a competent agency make an identification formal).
    "identify_victim": ActionRule(
        lambda u, c, a: (
            a.sees(Section.CONCERNS) and (a.contribute or (a.history and u.role == Role.SUPERVISOR))
        ),
        _is_open,
        gettext_lazy("Only those working on the case, or the oversight office, identify a victim."),
        _CLOSED,
    ),
    "repatriate": _managed(),
    # Any case the person sees, whatever its state: the export holds what they may read of it.
    "export": ActionRule(
        _exports,
        lambda c, a: True,
        gettext_lazy("Only supervisors and the social workers of MoSVY and DoSVY export cases."),
        _CLOSED,  # never given: no state of the case forbids an export
    ),
}


_Who = Callable[[User, Case, CaseAccess], bool]
_When = Callable[[Case, CaseAccess], bool]


def _by_tests(actions: dict[str, ActionRule]) -> list[tuple[_Who, _When, frozenset[str]]]:
    """The actions grouped by the pair of tests they share (seven are "manages it, and the
    case is open"): a page of fifty cases tested every rule of each, 1.4 ms of its Python."""
    groups: dict[tuple[Any, Any], set[str]] = {}
    for code, rule in actions.items():
        groups.setdefault((rule.who, rule.when), set()).add(code)
    return [(who, when, frozenset(codes)) for (who, when), codes in groups.items()]


_CASE_ACTIONS_BY_TESTS = _by_tests(CASE_ACTIONS)


def case_actions(user: User, case: Case, access: CaseAccess | None = None) -> frozenset[str]:
    """What ``user`` may do on ``case`` now; no query beyond the access (given, or computed)."""
    access = access if access is not None else case_access(user, case)
    if not user.is_active:
        return frozenset()
    allowed: set[str] = set()
    for who, when, codes in _CASE_ACTIONS_BY_TESTS:
        if who(user, case, access) and when(case, access):
            allowed |= codes
    return frozenset(allowed)


def case_require(user: User, case: Case, access: CaseAccess, action: str) -> None:
    """403 when ``user`` may not take ``action`` on ``case``, 409 when only its state forbids
    it now: the check every service makes, by the rule the pages and the API show."""
    rule = CASE_ACTIONS[action]
    if not (user.is_active and rule.who(user, case, access)):
        raise PermissionDenied(str(rule.refusal))
    if not rule.when(case, access):
        raise StateConflictError(str(rule.not_now))
