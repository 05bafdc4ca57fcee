"""The people the benchmark acts as, picked from the dataset where the load is heaviest for
their role, and signed in through the real token endpoint."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.test import Client

from accounts.choices import AgencyType, LocationLevel, Role
from accounts.models import Agency, User
from cases.models import CaseAreaGrant, Child
from cases.policy import visible_cases

# How many different cases and names a measurement cycles through.
SAMPLE = 40


@dataclass
class Persona:
    key: str
    label: str
    user: User
    token: str = ""
    case_ids: list[int] = field(default_factory=list)
    latin_names: list[str] = field(default_factory=list)
    khmer_names: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _commune_member() -> User | None:
    """A member of the commune committee with the most children reintegrated in its commune."""
    members = User.objects.filter(role=Role.COMMUNE_COMMITTEE, is_active=True)
    busiest = (
        CaseAreaGrant.objects.filter(location_id__in=members.values("location_id"))
        .values("location_id")
        .annotate(children=Count("id"))
        .order_by("-children", "location_id")
        .first()
    )
    if busiest is not None:
        members = members.filter(location_id=busiest["location_id"])
    return members.order_by("id").first()


def _provincial_office() -> Agency:
    """The social affairs department of the province with the most cases."""
    offices = Agency.objects.filter(
        type=AgencyType.DOSVY, location__level=LocationLevel.PROVINCE
    ).annotate(cases_held=Count("cases"))
    return offices.order_by("-cases_held", "id")[0]


def _busiest(users: QuerySet[User]) -> User:
    return users.annotate(held=Count("owned_cases")).order_by("-held", "id")[0]


def pick_personas() -> list[Persona]:
    """The commune committee member, the provincial social worker and supervisor, the national
    supervisor (MoSVY, the whole country) and the national data analyst."""
    office = _provincial_office()
    personas = [
        Persona("commune", "commune committee member", _commune_member()),  # type: ignore[arg-type]
        Persona(
            "provincial_worker",
            "provincial social worker",
            _busiest(office.members.filter(role=Role.SOCIAL_WORKER)),
        ),
        Persona(
            "provincial_supervisor",
            "provincial supervisor (DoSVY)",
            office.members.filter(role=Role.SUPERVISOR).order_by("id")[0],
        ),
        Persona(
            "national",
            "national supervisor (MoSVY)",
            User.objects.filter(role=Role.SUPERVISOR, agency__type=AgencyType.MOSVY).order_by("id")[
                0
            ],
        ),
        Persona(
            "analyst",
            "national data analyst",
            User.objects.filter(role=Role.DATA_ANALYST, agency__type=AgencyType.MOSVY).order_by(
                "id"
            )[0],
        ),
    ]
    return [persona for persona in personas if persona.user is not None]


def sign_in(client: Client, persona: Persona) -> None:
    """A fresh password, then a token from POST /api/v1/auth/token/, as a partner system
    gets one."""
    password = secrets.token_urlsafe(24)
    persona.user.set_password(password)
    persona.user.save(update_fields=["password"])
    response = client.post(
        "/api/v1/auth/token/",
        {"username": persona.user.username, "password": password},
        content_type="application/json",
    )
    if response.status_code != 200:
        raise RuntimeError(f"Could not sign in {persona.label}: {response.status_code}")
    persona.token = response.json()["token"]


def sample_cases(persona: Persona, seed: str) -> None:
    """Cases the persona may open, and the names of their children in each script, to cycle
    through (empty for people who see no case file)."""
    rng = random.Random(f"{seed}:{persona.key}")  # noqa: S311 - a sample, not a secret
    # The ids of the persona's most recent cases: a random sample of a large scope would be
    # one slow scan of it, and recent cases are what people open.
    ids = list(
        visible_cases(persona.user)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[: SAMPLE * 25]
    )
    persona.case_ids = rng.sample(ids, min(SAMPLE, len(ids)))
    children = Child.objects.filter(cases__id__in=persona.case_ids)
    for given, family, given_km, family_km in children.values_list(
        "given_name", "family_name", "given_name_km", "family_name_km"
    ):
        if given:
            persona.latin_names.append(f"{given} {family}".strip())
        if given_km:
            persona.khmer_names.append(f"{family_km}{given_km}")
