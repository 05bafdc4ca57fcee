"""The names other systems give a case (Primero, OSCaR, a partner's own database): one
(system, id) names one case, so a partner that says "my case 123" finds ours, and an import
that meets the same id again updates rather than duplicates."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from core.rows import ColumnsWrittenAtOnce

# A system's code: short, lower case, no separator that would break ``?external_id=system:id``.
SYSTEM_CODE = RegexValidator(
    r"^[a-z0-9][a-z0-9_.-]{0,39}$",
    _("A system code is lower-case letters, digits, '.', '_' or '-', at most 40."),
)


class CaseExternalId(ColumnsWrittenAtOnce):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="external_ids")
    system = models.CharField(max_length=40, validators=[SYSTEM_CODE])
    external_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["system", "external_id"]
        constraints = [
            # The lookup ?external_id=system:id and the import's "seen before?" use it too.
            models.UniqueConstraint(
                fields=["system", "external_id"], name="case_external_id_unique_per_system"
            ),
            models.UniqueConstraint(fields=["case", "system"], name="case_one_id_per_system"),
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.external_id}"
