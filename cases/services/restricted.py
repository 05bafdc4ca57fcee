"""Who is named on a restricted case, and so sees it (cases.policy): a case is restricted when,
for instance, an official is implicated, and then nobody's scope opens it.

The case's registrar and each later owner are named by the services that make them so. Beyond
them, a named manager of the case (its owner, or the owner's supervisor once named) names the
people the work needs: the supervisor who approves its plan and its referrals, a colleague who
stands in, the worker of another agency who took the child on a referral, the provincial office
overseeing it. Nobody else can be named: people who never handle cases (agency and system admins,
analysts, commune committees) never see a case file, restricted or not.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.choices import OVERSIGHT_AGENCY_TYPES, AgencyType, Role
from accounts.models import PATH_SEPARATOR, User
from audit import services as audit
from cases.models import Case, CaseGrantBasis, CaseNamedUser
from cases.policy import case_get
from cases.services.case import CASE_HOLDER_ROLES
from core.errors import StateConflictError


def case_named_people(*, case: Case) -> QuerySet[CaseNamedUser]:
    """The people named on ``case``, first named first. The caller has checked it sees it."""
    return (
        CaseNamedUser.objects.filter(case=case)
        .select_related("user__agency", "named_by")
        .order_by("named_at", "id")
    )


def _for_naming(actor: User, case: Case) -> Case:
    """The case, locked so that a change of owner cannot race a change of names, once
    ``actor`` may change who is named on it: a restricted case is visible only to the people
    named on it, and of them its managers (the owner, her supervisor) name others."""
    case, access = case_get(actor, case.pk, lock=True)
    if not access.manage:
        raise PermissionDenied(
            _("Only the case's owner and her supervisor, named on it, say who else is named.")
        )
    if not case.restricted:
        raise StateConflictError(
            _("Only a restricted case has people named on it: everyone in its scope sees this one.")
        )
    return case


def case_nameable_people(*, case: Case) -> QuerySet[User]:
    """Who may be named on ``case``: active people who handle cases, of the case's agency, of
    the office overseeing its place (a supervisor whose territory holds it, as accounts.reach
    gives it), or working on it through a referral (holding grants on it). One query."""
    codes = case.location_path.split(PATH_SEPARATOR)[:-1]
    ancestors = [
        PATH_SEPARATOR.join(codes[: depth + 1]) + PATH_SEPARATOR for depth in range(len(codes))
    ]
    overseeing = Q(role=Role.SUPERVISOR, agency__type__in=sorted(OVERSIGHT_AGENCY_TYPES)) & (
        Q(territory__in=ancestors) | Q(territory__isnull=True, agency__type=AgencyType.MOSVY)
    )
    working_on = CaseGrantBasis.objects.filter(case=case).values("user_id")
    return (
        User.objects.filter(is_active=True, role__in=sorted(CASE_HOLDER_ROLES))
        .annotate(territory=Coalesce("location__path", "agency__location__path"))
        .filter(Q(agency_id=case.agency_id) | overseeing | Q(pk__in=working_on))
        .select_related("agency")
        .order_by("full_name", "username")
    )


@transaction.atomic
def case_name_person(*, actor: User, case: Case, person: User) -> CaseNamedUser:
    """Names ``person`` on the restricted ``case``; naming someone already named changes
    nothing."""
    case = _for_naming(actor, case)
    existing = CaseNamedUser.objects.filter(case=case, user=person).first()
    if existing is not None:
        return existing
    if not case_nameable_people(case=case).filter(pk=person.pk).exists():
        raise ValidationError(
            {
                "user": [
                    _(
                        "Only an active case worker, supervisor, police officer, labour "
                        "inspector or helpline operator of the case's agency, of the office "
                        "overseeing its place, or working on it through a referral can be named."
                    )
                ]
            }
        )
    row = CaseNamedUser.objects.create(case=case, user=person, named_by=actor)
    audit.record(
        actor=actor,
        action="case.name_person",
        obj=case,
        case_id=case.pk,
        changes={"named": person.pk},
    )
    return row


@transaction.atomic
def case_unname_person(*, actor: User, case: Case, person: User) -> None:
    """Takes ``person`` off the restricted ``case``: from then on it is missing to them. The
    owner stays named (give the case to someone else first)."""
    case = _for_naming(actor, case)
    if person.pk == case.owner_id:
        raise StateConflictError(
            _("The case's owner stays named: assign the case to someone else first.")
        )
    removed, _by_model = CaseNamedUser.objects.filter(case=case, user=person).delete()
    if not removed:
        raise ValidationError({"user": [_("This person is not named on the case.")]})
    audit.record(
        actor=actor,
        action="case.unname_person",
        obj=case,
        case_id=case.pk,
        changes={"unnamed": person.pk},
    )
