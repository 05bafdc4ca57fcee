"""The admin site holds configuration data only (service types here; concerns and risk
instruments in cases.admin). People, agencies and locations are managed through the API's
services, and case data never appears in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

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
