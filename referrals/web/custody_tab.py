"""The case file's custody tab (the case file itself is cases.web.case_file): the formal
transfers of the child's custody to a shelter, the custody orders kept with each, and the form
that records one through referrals.custody, as the API has them."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from cases.choices import Section
from cases.models import Case
from cases.policy import CaseAccess, case_get
from cases.web.case_file import (
    Bound,
    CaseFile,
    Tab,
    case_file_of,
    register_tab,
    render_case_page,
    submit_on_tab,
)
from core.web import DateField, user_of
from referrals.custody import custody_transfer_record, may_record_custody
from referrals.models import Referral
from referrals.selectors import custody_agencies, custody_transfers_of, referrals_of

TAB = "custody"

CONSENT_CHOICES = [
    ("yes", gettext_lazy("With the family's consent")),
    ("no", gettext_lazy("Without the family's consent")),
]


class ReferralChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        referral = cast(Referral, obj)
        return f"{referral.to_agency.name} · {timezone.localdate(referral.created_at):%d/%m/%Y}"


class CustodyTransferForm(forms.Form):
    prefix = "custody"
    to_agency = forms.ModelChoiceField(
        queryset=custody_agencies().none(),
        label=gettext_lazy("Custody goes to"),
        help_text=gettext_lazy("An agency offering shelter or alternative care."),
    )
    legal_basis = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Legal basis")
    )
    authorising_official = forms.CharField(
        max_length=200, label=gettext_lazy("Authorising official")
    )
    authorising_official_title = forms.CharField(
        max_length=200, required=False, label=gettext_lazy("Their title")
    )
    date = DateField(label=gettext_lazy("Date"))
    family_consent = forms.TypedChoiceField(
        choices=CONSENT_CHOICES,
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        label=gettext_lazy("The family's consent"),
    )
    no_consent_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=gettext_lazy("Why without consent"),
    )
    referral = ReferralChoice(
        queryset=Referral.objects.none(),
        required=False,
        label=gettext_lazy("The referral it follows"),
        empty_label=gettext_lazy("None"),
    )

    def __init__(self, *args: Any, case: Case, user: User, access: CaseAccess, **kwargs: Any):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        agencies = custody_agencies()
        if not access.manage:
            # A receiving shelter records custody given to itself alone (the service's rule).
            agencies = agencies.filter(members=user)
        cast(forms.ModelChoiceField, self.fields["to_agency"]).queryset = agencies
        cast(ReferralChoice, self.fields["referral"]).queryset = referrals_of(case).select_related(
            "to_agency"
        )


def custody_tab(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    transfers = custody_transfers_of(file.case).select_related("to_agency", "recorded_by")
    sees_documents = file.access.sees(Section.DOCUMENTS)
    if sees_documents:
        # The custody orders kept with each transfer (documents.models.Document, through its
        # reverse relation: this app sits below the documents app and does not import it).
        transfers = transfers.prefetch_related("documents")
    listed = list(transfers)
    if sees_documents:
        for transfer in listed:
            # As documents.selectors.documents_of: a withdrawn document only to the managers.
            transfer.orders = [  # type: ignore[attr-defined]
                document
                for document in transfer.documents.all()
                if file.access.manage or document.withdrawn_at is None
            ]
    context: dict[str, Any] = {
        "transfers": listed,
        "sees_documents": sees_documents,
        "can_attach": "add_document" in file.actions,
    }
    if file.is_open and may_record_custody(user, file.case, file.access):
        context["can_record_custody"] = True
        if "custody_form" in bound or request.GET.get("record") == "custody":
            context["custody_form"] = bound.get("custody_form") or CustodyTransferForm(
                case=file.case, user=user, access=file.access
            )
    return context


@login_required
@require_POST
def custody_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    # The tab's section, then the service's rule, before the form is read.
    case, access = case_get(user, pk, section=Section.PLACEMENTS)
    if not may_record_custody(user, case, access):
        raise PermissionDenied(
            _("Only the case owner, their supervisor or the receiving shelter records custody.")
        )
    form = CustodyTransferForm(request.POST, case=case, user=user, access=access)
    done = submit_on_tab(
        request,
        form,
        pk=pk,
        tab=TAB,
        success=_("The custody transfer is recorded."),
        write=lambda: custody_transfer_record(actor=user, case=case, **form.cleaned_data),
    )
    return done or render_case_page(
        request, case_file_of(user, pk), TAB, {"custody_form": form}, 400
    )


register_tab(
    Tab(
        TAB,
        gettext_lazy("Custody"),
        (Section.PLACEMENTS,),
        order=85,
        template="referrals/_case_custody.html",
    ),
    custody_tab,
)
