"""Configuration of case management for system admins: protection concerns here, risk
instruments in cases.admin_risk. Case data itself is never shown in the admin: it is reached
only through the access policy."""

from django.contrib import admin

from accounts.admin import ConfigurationAdmin
from cases import admin_risk  # noqa: F401 - registers the risk instrument admin
from cases.models import ConcernType


@admin.register(ConcernType)
class ConcernTypeAdmin(ConfigurationAdmin):
    list_display = ["code", "label_en", "label_km", "is_active", "order"]
    list_editable = ["is_active", "order"]
    search_fields = ["code", "label_en", "label_km"]
