"""The administration forms: a person's account and an agency's directory entry. They read
and check what was typed; the services decide who may change what."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import selectors
from accounts.choices import AgencyType, LocationLevel, Role
from accounts.models import Agency, Location, User
from accounts.web.account import LanguageSelect
from core.web import localized, place_name


class PlaceField(forms.CharField):
    """A place typed by its gazetteer code or its exact English or Khmer name, as admins know
    places by either; a name several places share asks for the code."""

    def __init__(self, *, levels: tuple[str, ...], **kwargs: Any) -> None:
        self.levels = levels
        super().__init__(max_length=120, required=False, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            value = selectors.location(value)
        if isinstance(value, Location):
            return value.code
        return value

    def clean(self, value: Any) -> Location | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        found = selectors.places_typed(text, self.levels)
        if not found:
            raise forms.ValidationError(_("No place has this code or name."))
        exact = [place for place in found if place.code == text]
        if exact:
            return exact[0]
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several places have this name: type the code of the one you mean (%(codes)s).")
                % {"codes": ", ".join(f"{place.code} {place_name(place)}" for place in found)}
            )
        return found[0]


class SupervisorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        agency = obj.agency.name if obj.agency is not None else ""
        return f"{obj} · {agency}" if agency else str(obj)


class CoverageField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        indent = "— " if obj.level == LocationLevel.DISTRICT else ""
        return f"{indent}{place_name(obj)}"


def _language_choices() -> list[tuple[str, str]]:
    # Each language in its own name and script, as the language button shows them.
    return [("", _("The site's default")), *settings.LANGUAGES]


SEND_LINK = "email"
GIVE_TEMPORARY = "temporary"


class UserForm(forms.Form):
    """Creating or editing a person's account. An agency admin's people belong to her agency
    and are never system admins, so she is not offered either."""

    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        label=gettext_lazy("Username"),
        help_text=gettext_lazy("Letters, digits and . @ + - _ only; it cannot be changed later."),
    )
    full_name = forms.CharField(max_length=200, label=gettext_lazy("Full name"))
    email = forms.EmailField(required=False, label=gettext_lazy("Email"))
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label=gettext_lazy("Agency"),
        empty_label=gettext_lazy("None (system admins only)"),
    )
    location = PlaceField(
        levels=(LocationLevel.PROVINCE, LocationLevel.DISTRICT, LocationLevel.COMMUNE),
        label=gettext_lazy("Place"),
        help_text=gettext_lazy(
            "The gazetteer code or name of the province or district a provincial or district "
            "office covers, or of a commune committee member's commune; empty for others."
        ),
    )
    supervisor = SupervisorField(
        queryset=User.objects.none(),
        required=False,
        label=gettext_lazy("Supervisor"),
        empty_label=gettext_lazy("Nobody"),
    )
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Language"), required=False, widget=LanguageSelect
    )
    password_by = forms.ChoiceField(
        label=gettext_lazy("How the person gets a password"),
        widget=forms.RadioSelect,
        choices=[
            (SEND_LINK, gettext_lazy("Email them a link to choose one")),
            (GIVE_TEMPORARY, gettext_lazy("Show me a temporary password to pass on")),
        ],
        initial=GIVE_TEMPORARY,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: User, editing: User | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.editing = editing
        # Every role is read, so that a role the actor may not give is refused by the service
        # (403, as the API answers), but only those she may give are offered.
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = Role.choices
        if actor.role != Role.SYSTEM_ADMIN:
            role.widget.choices = [
                (code, label) for code, label in Role.choices if code != Role.SYSTEM_ADMIN
            ]
        cast(forms.ChoiceField, self.fields["preferred_language"]).choices = _language_choices()
        agency_field = cast(forms.ModelChoiceField, self.fields["agency"])
        if actor.role == Role.SYSTEM_ADMIN:
            agency_field.queryset = selectors.active_agencies()
            agency_id = self._chosen_agency_id()
        else:
            del self.fields["agency"]
            agency_id = actor.agency_id
        supervisor_field = cast(forms.ModelChoiceField, self.fields["supervisor"])
        supervisors = selectors.supervisors_for(actor, agency_id)
        if editing is not None:
            supervisors = supervisors.exclude(pk=editing.pk)
        supervisor_field.queryset = supervisors
        if editing is not None:
            del self.fields["username"]
            del self.fields["password_by"]

    def _chosen_agency_id(self) -> int | None:
        """The agency typed in, else the account's: its supervisors are the ones offered."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("agency"))
            return int(value) if value and str(value).isdigit() else None
        initial = self.initial.get("agency")
        return initial.pk if isinstance(initial, Agency) else initial

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if selectors.username_taken(username):
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password_by") == SEND_LINK and not cleaned.get("email"):
            self.add_error("email", _("Give an email address to send the link to."))
        return cleaned

    def account_fields(self) -> dict[str, Any]:
        """What the services take, from what was typed."""
        fields = {
            name: self.cleaned_data[name]
            for name in (
                "full_name",
                "email",
                "role",
                "location",
                "supervisor",
                "preferred_language",
            )
        }
        fields["agency"] = (
            self.cleaned_data.get("agency") if "agency" in self.fields else self.actor.agency
        )
        return fields

    @staticmethod
    def initial_of(user: User) -> dict[str, Any]:
        return {
            "full_name": user.full_name,
            "email": user.email,
            "role": user.role,
            "agency": user.agency,
            "location": user.location,
            "supervisor": user.supervisor,
            "preferred_language": user.preferred_language,
            "version": user.version,
        }


class UserFilterForm(forms.Form):
    """The list's filters, read from the address."""

    q = forms.CharField(required=False, label=gettext_lazy("Name, username or email"))
    role = forms.ChoiceField(required=False, label=gettext_lazy("Role"))
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label=gettext_lazy("Agency"),
        empty_label=gettext_lazy("All agencies"),
    )
    status = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Accounts"),
        choices=[
            ("active", gettext_lazy("Active")),
            ("inactive", gettext_lazy("Deactivated")),
            ("all", gettext_lazy("All")),
        ],
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", _("All roles")), *Role.choices]
        if actor.role == Role.SYSTEM_ADMIN:
            cast(forms.ModelChoiceField, self.fields["agency"]).queryset = selectors.all_agencies()
        else:
            del self.fields["agency"]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        agency = self.cleaned_data.get("agency")
        return {
            "text": self.cleaned_data["q"],
            "role": self.cleaned_data["role"],
            "agency_id": agency.pk if agency is not None else None,
            "status": self.cleaned_data["status"] or "active",
        }


class AgencyForm(forms.Form):
    """An agency's directory entry. An agency admin edits only what her agency offers and where
    (services, coverage, the approval rule); the other fields are not offered to her."""

    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    type = forms.ChoiceField(choices=AgencyType.choices, label=gettext_lazy("Kind of agency"))
    location = PlaceField(
        levels=(LocationLevel.PROVINCE, LocationLevel.DISTRICT, LocationLevel.COMMUNE),
        label=gettext_lazy("Seat"),
        help_text=gettext_lazy(
            "The gazetteer code or name of the province, district or commune where it sits; "
            "empty for a national body."
        ),
    )
    services = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Services offered"),
    )
    coverage = CoverageField(
        queryset=Location.objects.none(),
        required=False,
        label=gettext_lazy("Places covered"),
        help_text=gettext_lazy("Provinces and districts where it works."),
    )
    requires_referral_approval = forms.BooleanField(
        required=False,
        label=gettext_lazy("Outgoing referrals wait for a supervisor's approval"),
    )
    is_active = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Active (takes referrals and has accounts)"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    SYSTEM_ADMIN_ONLY = ("name", "type", "location", "is_active")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["services"]).choices = [
            (service.code, localized(service.label_en, service.label_km))
            for service in selectors.service_types(active_only=True)
        ]
        cast(CoverageField, self.fields["coverage"]).queryset = selectors.coverage_choices()
        if actor.role != Role.SYSTEM_ADMIN:
            for name in self.SYSTEM_ADMIN_ONLY:
                del self.fields[name]

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    @staticmethod
    def initial_of(agency: Agency) -> dict[str, Any]:
        return {
            "name": agency.name,
            "type": agency.type,
            "location": agency.location,
            "services": list(agency.service_rows.values_list("service_id", flat=True)),
            "coverage": list(agency.coverage.all()),
            "requires_referral_approval": agency.requires_referral_approval,
            "is_active": agency.is_active,
            "version": agency.version,
        }
