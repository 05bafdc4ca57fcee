"""The case file's referrals tab (the case file itself is cases.web.case_file): the case's
referrals the reader may see, and the way to refer the child again."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases.web.case_file import Bound, CaseFile, Tab, register_tab
from referrals.selectors import referrals_visible_to


def referrals_tab(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    referrals = (
        referrals_visible_to(user)
        .filter(case=file.case)
        .select_related("from_agency", "to_agency")
        .order_by("-created_at", "-id")
    )
    return {"referrals": list(referrals), "can_refer": file.can_manage}


# With full access to the file (its owner, her supervisor, the territory's office): the
# referrals themselves then answer to referrals_visible_to, as their own pages do.
register_tab(
    Tab(
        "referrals",
        gettext_lazy("Referrals"),
        (),
        order=90,
        template="referrals/_case_referrals.html",
    ),
    referrals_tab,
)
