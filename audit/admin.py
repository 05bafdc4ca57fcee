from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent

# What the list may be filtered on through the address. Django allows any field of the model
# by default, which would make `changes` (a child's name, address, concerns) searchable.
FILTERABLE_FIELDS = frozenset(
    {
        "id",
        "created_at",
        "actor_id",
        "actor_username",
        "agency_id",
        "action",
        "object_type",
        "object_id",
        "request_id",
    }
)


def changed_field_names(changes: Any) -> str:
    """The names of the changed fields, with those of a nested record ("child: address, ..."),
    never their values."""
    if not isinstance(changes, dict):
        return ""
    names = []
    for key in sorted(changes):
        value = changes[key]
        names.append(f"{key} ({', '.join(sorted(value))})" if isinstance(value, dict) else key)
    return ", ".join(names)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is appended to by services, never edited by hand. The events of a
    case carry the child's details in their changes; for those the admin names the fields that
    changed and shows no value, and no search or filter reaches into the changes at all."""

    list_display = ["created_at", "actor_username", "action", "object_type", "object_id"]
    list_filter = ["action"]
    # Who, what object, which request: never the changes.
    search_fields = ["actor_username", "object_id", "request_id"]
    readonly_fields = (
        "created_at",
        "actor_username",
        "actor_id",
        "agency_id",
        "action",
        "object_type",
        "object_id",
        "request_id",
        "ip",
        "changed",
    )
    fields = readonly_fields

    @admin.display(description=_("Changes"))
    def changed(self, event: AuditEvent) -> str:
        if event.case_id is not None:
            return changed_field_names(event.changes)
        return json.dumps(event.changes, ensure_ascii=False, sort_keys=True)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup.split("__", 1)[0] in FILTERABLE_FIELDS and super().lookup_allowed(
            lookup, value, request
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
