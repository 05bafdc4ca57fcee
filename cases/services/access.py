"""Writes to cases. Object grants are how higher apps (referrals, reintegration) open a case to
people outside its scope: they call these, never write guardian rows themselves."""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from audit import services as audit
from cases.models import (
    CONTRIBUTE_PERMISSION,
    SECTION_PERMISSIONS,
    Case,
    CaseUserObjectPermission,
)

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


@transaction.atomic
def case_set_grants(
    *,
    actor: User,
    case: Case,
    grantee: User,
    sections: Collection[str],
    contribute: bool,
    reason: str,
) -> None:
    """Makes ``grantee``'s grants on ``case`` exactly ``sections`` (plus the right to add notes
    and services when ``contribute``); an empty set with no contribution removes them all.
    Callers recompute the whole set from what still justifies it (every accepted referral the
    person works on), so ending one referral never strips what another still grants."""
    unknown = set(sections) - set(SECTION_PERMISSIONS)
    if unknown:
        raise ValueError(f"Unknown sections: {sorted(unknown)}")
    wanted = {SECTION_PERMISSIONS[section] for section in sections}
    if contribute:
        wanted.add(CONTRIBUTE_PERMISSION)
    held = set(
        CaseUserObjectPermission.objects.filter(content_object=case, user=grantee).values_list(
            "permission__codename", flat=True
        )
    )
    if held == wanted:
        return
    CaseUserObjectPermission.objects.filter(content_object=case, user=grantee).exclude(
        permission__codename__in=wanted
    ).delete()
    for codename in sorted(wanted - held):
        assign_perm(f"cases.{codename}", grantee, case)
    audit.record(
        actor=actor, action="case.grants", obj=case, case_id=case.pk,
        changes={"grantee": grantee.pk, "granted": sorted(wanted), "reason": reason},
    )  # fmt: skip
