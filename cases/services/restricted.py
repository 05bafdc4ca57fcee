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
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from cases.models import Case, CaseNamedUser, DepartureReason
from cases.policy import case_get
from cases.selectors.case import case_nameable_people
from cases.services.sync import departures_record, who_sees
from core.errors import StateConflictError


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


@transaction.atomic(durable=True)
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


@transaction.atomic(durable=True)
def case_unname_person(*, actor: User, case: Case, person: User) -> None:
    """Takes ``person`` off the restricted ``case``: from then on it is missing to them. The
    owner stays named (give the case to someone else first)."""
    case = _for_naming(actor, case)
    if person.pk == case.owner_id:
        raise StateConflictError(
            _("The case's owner stays named: assign the case to someone else first.")
        )
    saw = who_sees(case, [person])
    removed, _by_model = CaseNamedUser.objects.filter(case=case, user=person).delete()
    if not removed:
        raise ValidationError({"user": [_("This person is not named on the case.")]})
    departures_record(case=case, people=[person], saw=saw, reason=DepartureReason.UNNAMED)
    audit.record(
        actor=actor,
        action="case.unname_person",
        obj=case,
        case_id=case.pk,
        changes={"unnamed": person.pk},
    )
