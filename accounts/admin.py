"""The admin site holds configuration data only (service types here; concerns and risk
instruments in cases.admin). People, agencies and locations are managed through the API's
services, and case data never appears in the admin.

The admins that django-otp and django-axes bring are replaced: their pages would show
two-factor secrets, and deleting a device or a lockout there would turn off someone's second
factor, or unlock an account, with nothing in the audit trail."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.choices import Role
from accounts.models import ServiceType, User
from audit import services as audit


def is_system_admin(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.is_active and user.role == Role.SYSTEM_ADMIN


class ConfigurationAdmin(admin.ModelAdmin):
    """For system admins only, whatever Django permissions say; every save and delete is
    written to the audit trail in the same transaction."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,  # type: ignore[arg-type]
            action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
            obj=obj,
            changes={field: form.cleaned_data.get(field) for field in form.changed_data},
        )

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit.record(actor=request.user, action=f"{obj._meta.model_name}.delete", obj=obj)  # type: ignore[arg-type]
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit.record(actor=request.user, action=f"{obj._meta.model_name}.delete", obj=obj)  # type: ignore[arg-type]
        super().delete_queryset(request, queryset)


@admin.register(ServiceType)
class ServiceTypeAdmin(ConfigurationAdmin):
    list_display = ["code", "label_en", "label_km", "is_active", "order"]
    list_editable = ["is_active", "order"]
    search_fields = ["code", "label_en", "label_km"]


class ReadOnlyForSystemAdmins(admin.ModelAdmin):
    """Seen by system admins only, and changed by nobody here: changes to these records go
    through audited services. Only the listed fields can be filtered on through the address
    (Django otherwise allows any field, a secret's included)."""

    filterable_fields: frozenset[str] = frozenset()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup.split("__", 1)[0] in self.filterable_fields and super().lookup_allowed(
            lookup, value, request
        )


class TwoFactorDeviceAdmin(ReadOnlyForSystemAdmins):
    """Who has turned on two-factor sign-in, and since when; never the secret. Turning it off is
    done by its owner, with a current code (accounts.two_factor)."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    fields = readonly_fields
    filterable_fields = frozenset({"confirmed", "created_at", "last_used_at"})


class LockoutAdmin(ReadOnlyForSystemAdmins, AccessAttemptAdmin):
    """Failed sign-ins and lockouts. Unlocking goes through the audited service, never through
    deleting the records."""

    actions = ["unlock"]
    # locked_out: axes' own "locked out" filter.
    filterable_fields = frozenset({"attempt_time", "path_info", "locked_out"})

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        usernames = sorted(
            set(queryset.exclude(username__isnull=True).values_list("username", flat=True)) - {""}
        )
        # One transaction per account, each the service's own.
        for username in usernames:
            services.account_unlock(actor=request.user, username=username)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(count)d account unlocked.", "%(count)d accounts unlocked.", len(usernames))
            % {"count": len(usernames)},
            messages.SUCCESS,
        )


class SignInLogAdmin(ReadOnlyForSystemAdmins):
    list_display = ["attempt_time", "username", "ip_address", "path_info"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    filterable_fields = frozenset({"attempt_time", "path_info"})


for _model, _model_admin in (
    (TOTPDevice, TwoFactorDeviceAdmin),
    (AccessAttempt, LockoutAdmin),
    (AccessLog, SignInLogAdmin),
    (AccessFailureLog, SignInLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _model_admin)
