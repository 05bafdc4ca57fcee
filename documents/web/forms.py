"""The documents tab's forms: they read what was typed and sent; the services decide (the
file's type and size, the right to add or withdraw, the record a document is attached to)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from cases.choices import Section
from cases.models import Case, Consent
from cases.policy import CaseAccess
from cases.selectors.records import consents_of
from documents.choices import DocumentKind
from referrals.models import CustodyTransfer
from referrals.selectors import custody_transfers_of
from reintegration.models import Placement
from reintegration.selectors import placements_of

# What the file input offers to pick; the service tells a file by its content, not its name.
ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class ConsentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        consent = cast(Consent, obj)
        return f"{consent.get_given_by_display()} · {consent.date:%d/%m/%Y}"


class CustodyTransferChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        transfer = cast(CustodyTransfer, obj)
        return f"{transfer.to_agency.name} · {transfer.date:%d/%m/%Y}"


class PlacementChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        placement = cast(Placement, obj)
        return f"{placement.get_type_display()} · {placement.start_date:%d/%m/%Y}"


# Each record a document may be attached to: its field, the section that shows it (a record the
# reader may not see is not offered), and the case's records of it.
LINKS: dict[str, tuple[str, Any]] = {
    "consent": (Section.NOTES, consents_of),
    "custody_transfer": (
        Section.PLACEMENTS,
        lambda case: custody_transfers_of(case).select_related("to_agency"),
    ),
    "placement": (Section.PLACEMENTS, placements_of),
}


class DocumentUploadForm(forms.Form):
    prefix = "document"
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A PDF, JPEG or PNG file."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )
    kind = forms.ChoiceField(choices=DocumentKind.choices, label=gettext_lazy("Kind of document"))
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    consent = ConsentChoice(
        queryset=Consent.objects.none(),
        required=False,
        label=gettext_lazy("The consent it records"),
        help_text=gettext_lazy("For a signed consent form."),
        empty_label=gettext_lazy("None"),
    )
    custody_transfer = CustodyTransferChoice(
        queryset=CustodyTransfer.objects.none(),
        required=False,
        label=gettext_lazy("The custody transfer it authorises"),
        help_text=gettext_lazy("For a custody order."),
        empty_label=gettext_lazy("None"),
    )
    placement = PlacementChoice(
        queryset=Placement.objects.none(),
        required=False,
        label=gettext_lazy("The placement it decides"),
        help_text=gettext_lazy("For a gatekeeping decision."),
        empty_label=gettext_lazy("None"),
    )

    def __init__(self, *args: Any, case: Case, access: CaseAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, (section, records_of) in LINKS.items():
            if access.sees(section):
                choice = cast(forms.ModelChoiceField, self.fields[field])
                choice.queryset = cast(QuerySet[Any], records_of(case))
            else:
                del self.fields[field]

    def links(self) -> dict[str, int | None]:
        """The records chosen, by id, as the service takes them."""
        return {
            field: (record.pk if (record := self.cleaned_data.get(field)) else None)
            for field in LINKS
            if field in self.fields
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Why it is withdrawn"),
    )

    def __init__(self, *args: Any, document_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"withdraw-{document_id}")
        super().__init__(*args, **kwargs)
