from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import LocationLevel
from accounts.models import Location
from cases.choices import BirthRegistration, Relation, Sex
from core.rows import ColumnsWrittenAtOnce

ADULT_AGE = 18
MAX_ESTIMATED_AGE = 120
CHILD_LOCATION_LEVELS = frozenset({LocationLevel.COMMUNE, LocationLevel.VILLAGE})


def _without_invisibles(text: str) -> str:
    """Drops format characters (zero-width space, joiners): Khmer keyboards insert them as
    invisible word breaks, so the same name may be stored with or without them."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def latin_search_key(*parts: str) -> str:
    """Lower case, accents stripped, single spaces: "Sreÿ  MOM" and "srey mom" meet."""
    text = unicodedata.normalize("NFKD", _without_invisibles(" ".join(parts)))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.lower().split())


def khmer_search_key(*parts: str) -> str:
    """Khmer in its canonical composition, spaces and invisible breaks removed: Khmer names are
    often written with and without a space between family and given name."""
    return unicodedata.normalize("NFC", "".join(_without_invisibles("".join(parts)).split()))


def district_of(location_path: str) -> str:
    """The path of the district a place lies in ("12/1203/120304/" is in "12/1203/"); a path
    of fewer levels is its own."""
    return "".join(f"{code}/" for code in location_path.split("/")[:2] if code)


def age_on(
    day: date, date_of_birth: date | None, estimated_age: int | None, estimated_on: date | None
) -> int | None:
    """A child's age on ``day``: from the date of birth, or else from the estimate, which grows
    a year older every 365 days after it was made."""
    if date_of_birth is not None:
        born = date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if estimated_age is not None:
        return estimated_age + max(0, (day - (estimated_on or day)).days // 365)
    return None


class Child(ColumnsWrittenAtOnce):
    """The child a case is about. Names are kept in Latin letters and in Khmer script; either
    may be missing when a child is first met, but not both."""

    # What the child's names, initials, age and sex are read from: a list showing only those
    # reads no other column of the child.
    NAME_AGE_AND_SEX: ClassVar[tuple[str, ...]] = (
        "given_name",
        "family_name",
        "given_name_km",
        "family_name_km",
        "sex",
        "date_of_birth",
        "estimated_age",
        "age_estimated_on",
    )
    # What a person enters about the child, in this order: the web form and the API's input
    # are made from it, so a field added here reaches both.
    INPUT_FIELDS: ClassVar[tuple[str, ...]] = (
        "given_name",
        "family_name",
        "given_name_km",
        "family_name_km",
        "sex",
        "date_of_birth",
        "estimated_age",
        "age_disputed",
        "nationality",
        "ethnicity",
        "birth_registration",
        "disability",
        "languages",
        "location",
        "address",
        "birth_certificate_number",
        "national_id_number",
        "id_poor_number",
    )
    # Identifiers that could locate a child: kept out of the audit trail's values.
    MASKED_FIELDS: ClassVar[tuple[str, ...]] = (
        "birth_certificate_number",
        "national_id_number",
        "id_poor_number",
    )

    given_name = models.CharField(_("Given name (Latin letters)"), max_length=100, blank=True)
    family_name = models.CharField(_("Family name (Latin letters)"), max_length=100, blank=True)
    given_name_km = models.CharField(_("Given name (Khmer)"), max_length=100, blank=True)
    family_name_km = models.CharField(_("Family name (Khmer)"), max_length=100, blank=True)
    sex = models.CharField(_("Sex"), max_length=8, choices=Sex.choices)
    date_of_birth = models.DateField(_("Date of birth"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(
        _("Or estimated age (years)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_ESTIMATED_AGE)],
    )
    age_estimated_on = models.DateField(null=True, blank=True)
    age_disputed = models.BooleanField(_("The child's age is disputed"), default=False)
    nationality = models.CharField(_("Nationality"), max_length=64, blank=True)
    ethnicity = models.CharField(_("Ethnicity"), max_length=64, blank=True)
    birth_registration = models.CharField(
        _("Birth registration"),
        max_length=16,
        choices=BirthRegistration.choices,
        default=BirthRegistration.UNKNOWN,
    )
    disability = models.CharField(
        _("Disability"),
        max_length=255,
        blank=True,
        help_text=_("Describe any disability; leave empty if none."),
    )
    languages = models.JSONField(_("Languages spoken"), default=list, blank=True)
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Where the child lives (commune or village)"),
    )
    # Copy of location.path, and of its district's: the duplicate check looks for namesakes
    # within the district, nearest names first (a trigram index led by district_path).
    location_path = models.CharField(max_length=255, editable=False)
    district_path = models.CharField(max_length=32, editable=False, default="")
    address = models.CharField(_("Address (house, street)"), max_length=255, blank=True)
    birth_certificate_number = models.CharField(
        _("Birth certificate number"), max_length=64, blank=True
    )
    national_id_number = models.CharField(_("National ID number"), max_length=64, blank=True)
    id_poor_number = models.CharField(_("IDPoor number"), max_length=64, blank=True)
    # Normalised names for search and duplicate matching (trigram indexes on PostgreSQL).
    search_name = models.CharField(max_length=220, blank=True, editable=False)
    search_name_km = models.CharField(max_length=220, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "children"
        constraints = [
            models.CheckConstraint(
                condition=~Q(given_name="") | ~Q(given_name_km=""),
                name="child_has_a_name",
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(estimated_age__isnull=False),
                name="child_has_birth_date_or_estimated_age",
            ),
        ]
        indexes = [
            # Duplicate check: children in the same district.
            models.Index(
                fields=["location_path"],
                name="child_location_path_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # A Khmer name written exactly (cases.search); the words of the Latin name have a
            # GIN index of their own on PostgreSQL (migration 0017).
            models.Index(fields=["search_name_km"], name="child_search_name_km_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: object, **kwargs: object) -> None:
        # Derived data kept in step with what it derives from.
        self.derive()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_input(cls, values: Mapping[str, Any]) -> Child:
        """A new child from what a person entered (some of INPUT_FIELDS), not yet saved."""
        child = cls()
        child.enter(values)
        return child

    def enter(self, values: Mapping[str, Any]) -> None:
        """Takes what a person entered: a new or changed estimate of the age is made today (the
        child grows older from then on), and what is derived follows."""
        unknown = sorted(set(values) - set(self.INPUT_FIELDS))
        if unknown:
            raise TypeError(f"Not entered about a child: {', '.join(unknown)}")
        estimate = self.estimated_age
        for field, value in values.items():
            setattr(self, field, value)
        if self.estimated_age != estimate:
            self.age_estimated_on = timezone.localdate() if self.estimated_age is not None else None
        self.derive()

    def derive(self) -> None:
        """Sets what is derived from the entered values: the location's path and the search
        keys of the names. Without a location (not chosen yet) there is no path."""
        self.location_path = self.location.path if self.location_id is not None else ""
        self.district_path = district_of(self.location_path)
        self.search_name = latin_search_key(self.given_name, self.family_name)
        self.search_name_km = khmer_search_key(self.family_name_km, self.given_name_km)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        today = timezone.localdate()
        if not (self.given_name.strip() or self.given_name_km.strip()):
            errors["given_name"] = _("A name is needed, in Latin letters or in Khmer script.")
        if self.date_of_birth is None and self.estimated_age is None:
            errors["date_of_birth"] = _("Give the date of birth or an estimated age.")
        elif self.date_of_birth is not None and self.date_of_birth > today:
            errors["date_of_birth"] = _("The date of birth cannot be in the future.")
        elif not self.age_disputed and (self.age_on(today) or 0) >= ADULT_AGE:
            field = "date_of_birth" if self.date_of_birth else "estimated_age"
            errors[field] = _(
                "This person is 18 or older. If the age is contested, set age_disputed."
            )
        if self.location_id is not None and self.location.level not in CHILD_LOCATION_LEVELS:
            errors["location"] = _("The child's location is a commune or a village.")
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        latin = " ".join(part for part in (self.family_name, self.given_name) if part)
        khmer = " ".join(part for part in (self.family_name_km, self.given_name_km) if part)
        return latin or khmer

    def age_on(self, day: date) -> int | None:
        return age_on(day, self.date_of_birth, self.estimated_age, self.age_estimated_on)

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    @property
    def initials(self) -> str:
        """What a receiving agency sees of the name before it accepts a referral."""
        names = (
            [self.given_name, self.family_name]
            if self.given_name
            else [self.given_name_km, self.family_name_km]
        )
        return "".join(f"{name[0]}." for name in names if name)


class FamilyMember(ColumnsWrittenAtOnce):
    """A caregiver or relative of the child."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="family")
    name = models.CharField(max_length=200, blank=True)
    name_km = models.CharField(max_length=200, blank=True)
    relation = models.CharField(max_length=16, choices=Relation.choices)
    contact = models.CharField(max_length=100, blank=True)
    lives_with_child = models.BooleanField(default=False)
    is_caregiver = models.BooleanField(default=False)
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") | ~Q(name_km=""), name="family_member_has_a_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.name_km
