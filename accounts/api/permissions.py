"""Who may call which people and organisation endpoints, decided before the request body is
read, so a caller without the right gets a 403 whatever they send. The services check again,
with the objects at hand (an agency admin's own agency, for instance)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts import selectors
from accounts.choices import Role
from accounts.models import User


class ManagesUsers(BasePermission):
    """Listing, creating and editing people is for system and agency admins; anybody may read
    the records within their reach (their own)."""

    message = "Only system and agency admins manage users."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not isinstance(user, User):
            return False
        return getattr(view, "action", None) == "retrieve" or selectors.can_manage_users(user)


class EditsDirectoryOrReadOnly(BasePermission):
    """Everybody signed in reads the directory (referrals are built from it); system admins
    write to it."""

    message = "Only a system admin can do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not isinstance(user, User):
            return False
        return request.method in SAFE_METHODS or selectors.can_edit_directory(user)


class EditsAgencies(BasePermission):
    """Everybody signed in reads the directory; system admins add agencies, and an agency admin
    may also edit her own agency's entry (what it offers and where: the service checks which
    agency and which fields)."""

    message = "Only a system admin, or the agency's own admin, can do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not isinstance(user, User):
            return False
        if request.method in SAFE_METHODS or selectors.can_edit_directory(user):
            return True
        return getattr(view, "action", None) == "partial_update" and user.role == Role.AGENCY_ADMIN
