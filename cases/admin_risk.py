"""The risk instrument in the admin, for system admins, every change audited.

Assessments point at the version they were made with. A change of questions, scores or bands is
made on a copy published as a new version, then made current; the switch retires the previous
version in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.forms.models import model_to_dict
from django.http import HttpRequest

from accounts.admin import ConfigurationAdmin, is_system_admin
from accounts.models import User
from audit import services as audit
from cases.models import RiskAssessment, RiskBand, RiskInstrument, RiskOption, RiskQuestion
from cases.services.risk import risk_instrument_make_current, risk_instrument_publish_copy


def _actor(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def in_use(obj: RiskInstrument | RiskQuestion | None) -> bool:
    """Whether assessments were made with this instrument (or the question's). Their answers
    point at its questions and options, so it is read-only: changes go on a published copy."""
    if obj is None:
        return False
    instrument = obj if isinstance(obj, RiskInstrument) else obj.instrument
    return RiskAssessment.objects.filter(instrument=instrument).exists()


class ConfigurationInline(admin.TabularInline):
    """Rows edited on their parent's page, by whoever may edit the parent: the system admins,
    while no assessment uses the instrument."""

    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request) and not in_use(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request) and not in_use(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request) and not in_use(obj)


class AuditedInlinesAdmin(ConfigurationAdmin):
    """Writes the rows added, changed and deleted through the inlines to the audit trail, in the
    transaction the admin saves the page in."""

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        actor = _actor(request)
        # Recorded before saving: a deleted row has no id afterwards.
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                self._record(actor, "delete", deleted.instance, model_to_dict(deleted.instance))
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._record(actor, "create", obj, model_to_dict(obj))
        for obj, fields in formset.changed_objects:
            values = model_to_dict(obj)
            self._record(actor, "update", obj, {field: values.get(field) for field in fields})

    @staticmethod
    def _record(actor: User, verb: str, obj: Model, changes: dict[str, Any]) -> None:
        audit.record(actor=actor, action=f"{obj._meta.model_name}.{verb}", obj=obj, changes=changes)


class RiskBandInline(ConfigurationInline):
    model = RiskBand


class RiskQuestionInline(ConfigurationInline):
    model = RiskQuestion
    fields = ["order", "code", "domain", "text_en", "text_km"]
    show_change_link = True  # options are edited on the question's page


class RiskOptionInline(ConfigurationInline):
    model = RiskOption
    fields = ["order", "code", "label_en", "label_km", "score", "minimum_level"]


@admin.register(RiskInstrument)
class RiskInstrumentAdmin(AuditedInlinesAdmin):
    list_display = ["name", "version", "is_current", "created_at"]
    # Switched only by the action, which retires the previous version in the same transaction.
    readonly_fields = ["is_current", "created_at"]
    inlines = [RiskBandInline, RiskQuestionInline]
    actions = ["publish_copy", "make_current"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not in_use(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # New assessments need a current instrument; one used by assessments is protected by the
        # database.
        return super().has_delete_permission(request, obj) and not (obj and obj.is_current)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Deleting in bulk would skip the per-instrument check above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Publish a copy as a new version", permissions=["add"])
    def publish_copy(self, request: HttpRequest, queryset: QuerySet[RiskInstrument]) -> None:
        for instrument in queryset:
            copy = risk_instrument_publish_copy(actor=_actor(request), instrument=instrument)
            self.message_user(
                request, f"Published {copy} as a copy of {instrument}; it is not current yet."
            )

    @admin.action(description="Make current", permissions=["change"])
    def make_current(self, request: HttpRequest, queryset: QuerySet[RiskInstrument]) -> None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, "Choose exactly one instrument.", messages.ERROR)
            return
        try:
            instrument = risk_instrument_make_current(actor=_actor(request), instrument=chosen[0])
        except ValidationError as error:
            self.message_user(
                request,
                f"{chosen[0]} was not made current: {' '.join(error.messages)}",
                messages.ERROR,
            )
            return
        self.message_user(request, f"{instrument} is now the current risk instrument.")


@admin.register(RiskQuestion)
class RiskQuestionAdmin(AuditedInlinesAdmin):
    list_display = ["code", "instrument", "domain", "order"]
    list_filter = ["instrument"]
    list_select_related = ["instrument"]
    inlines = [RiskOptionInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not in_use(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not in_use(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A question is added on its instrument's page, where the instrument is known.
        return False
