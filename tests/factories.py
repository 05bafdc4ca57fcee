"""factory_boy factories: one per model, no chained fixture webs. Passwords are set with the
fast hasher the test settings use, and every factory-made user can log in with PASSWORD."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.choices import AgencyType, LocationLevel, Role
from accounts.models import Agency, Location, User
from cases.choices import Sex, Source
from cases.models import Case, Child

PASSWORD = "correct horse battery staple"


def _letters(number: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "BA": a sequence number written in letters."""
    letters = ""
    while True:
        number, rest = divmod(number, 26)
        letters = chr(ord("A") + rest) + letters
        if number == 0:
            return letters


class LocationFactory(DjangoModelFactory[Location]):
    class Meta:
        model = Location

    code = factory.Sequence(lambda n: f"T{n:05d}")
    # Names without digits, so a search by code never finds a made-up place by its name.
    name_en = factory.Sequence(lambda n: f"Place {_letters(n)}")
    name_km = factory.Sequence(lambda n: f"ភូមិ {_letters(n)}")
    level = LocationLevel.PROVINCE
    parent = None
    path = factory.LazyAttribute(lambda o: Location.path_for(parent=o.parent, code=o.code))

    @classmethod
    def village_in(cls, province: Location) -> Location:
        """A district > commune > village chain under ``province``; returns the village."""
        district = cls.create(level=LocationLevel.DISTRICT, parent=province)
        commune = cls.create(level=LocationLevel.COMMUNE, parent=district)
        return cls.create(level=LocationLevel.VILLAGE, parent=commune)


def province(code: str) -> Location:
    """One of the 25 provinces loaded by the migrations."""
    return Location.objects.get(code=code, level=LocationLevel.PROVINCE)


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    type = AgencyType.NGO
    location = None


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.SOCIAL_WORKER
    agency = factory.SubFactory(AgencyFactory)
    location = None
    supervisor = None

    @factory.post_generation
    def password(user: User, create: bool, extracted: str | None, **kwargs: object) -> None:  # noqa: N805 - factory_boy passes the built object
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])


class ChildFactory(DjangoModelFactory[Child]):
    class Meta:
        model = Child

    given_name = factory.Sequence(lambda n: f"Child{n}")
    family_name = "Sok"
    given_name_km = factory.Sequence(lambda n: f"កុមារ{n}")
    family_name_km = "សុខ"
    sex = Sex.FEMALE
    estimated_age = 12
    location = factory.LazyFunction(lambda: LocationFactory.village_in(province("12")))


class CaseFactory(DjangoModelFactory[Case]):
    class Meta:
        model = Case

    case_number = factory.Sequence(lambda n: f"T-{n:06d}")
    source = Source.COMMUNITY
    owner = factory.SubFactory(UserFactory)
    agency = factory.LazyAttribute(lambda o: o.owner.agency)
    created_by = factory.LazyAttribute(lambda o: o.owner)
    location = factory.LazyFunction(lambda: LocationFactory.village_in(province("12")))
    child = factory.SubFactory(ChildFactory, location=factory.SelfAttribute("..location"))
