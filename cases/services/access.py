"""Object grants: how higher apps (referrals, reintegration) open a case to people outside its
scope. They call this, never write guardian rows themselves."""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from guardian.shortcuts import assign_perm

from accounts.models import User
from audit import services as audit
from cases.models import (
    CONTRIBUTE_PERMISSION,
    SECTION_PERMISSIONS,
    Case,
    CaseUserObjectPermission,
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
