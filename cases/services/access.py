"""Writes to cases. Object grants are how higher apps (referrals, reintegration) open a case to
people outside its scope: they call these, never write guardian rows themselves."""

from __future__ import annotations

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from audit import services as audit
from cases.models import Case

VIEW_CASE = "cases.view_case"


@transaction.atomic
def case_grant_access(*, actor: User, case: Case, grantee: User, reason: str) -> None:
    """Lets ``grantee`` see ``case`` although it lies outside their scope. The caller (a
    referral or reintegration service) has already checked that ``actor`` may open it."""
    assign_perm(VIEW_CASE, grantee, case)
    audit.record(
        actor=actor,
        action="case.grant",
        obj=case,
        case_id=case.pk,
        changes={"grantee": grantee.pk, "reason": reason},
    )


@transaction.atomic
def case_revoke_access(*, actor: User, case: Case, grantee: User, reason: str) -> None:
    remove_perm(VIEW_CASE, grantee, case)
    audit.record(
        actor=actor,
        action="case.revoke",
        obj=case,
        case_id=case.pk,
        changes={"grantee": grantee.pk, "reason": reason},
    )
