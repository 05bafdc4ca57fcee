"""The agencies (about 500, of every type) and their people (5,000 by default, of every role),
with coverage, the services each agency offers and who supervises whom."""

from __future__ import annotations

import random
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from accounts.choices import AgencyType, LocationLevel, Role, ServiceCode
from accounts.models import Agency, AgencyService, User
from benchmarks.dataset.gazetteer import Gazetteer, Place
from benchmarks.dataset.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from benchmarks.dataset.spreads import EMAIL_DELIVERY, LANGUAGES, Weighted

S = ServiceCode
# Roles that hold cases and answer referrals, and those that register children then refer them.
CASE_WORKERS = frozenset({Role.SOCIAL_WORKER, Role.SUPERVISOR})
REFERRERS = frozenset({Role.POLICE, Role.LABOUR_INSPECTOR, Role.HELPLINE_OPERATOR})
UNSUPERVISED_ROLES = frozenset(
    {
        Role.SUPERVISOR,
        Role.AGENCY_ADMIN,
        Role.DATA_ANALYST,
        Role.COMMUNE_COMMITTEE,
        Role.VILLAGE_CHIEF,
        Role.SYSTEM_ADMIN,
    }
)
SYSTEM_ADMINS = 3

# The kinds of NGO: what they offer, and how many of each in a hundred.
NGO_KINDS = Weighted(
    [
        (("Children's Shelter", (S.SHELTER, S.PSYCHOSOCIAL, S.MEDICAL, S.EDUCATION)), 22),
        (
            (
                "Family Support",
                (S.FAMILY_TRACING, S.CASH_SUPPORT, S.LIVELIHOOD, S.FOLLOW_UP, S.ALTERNATIVE_CARE),
            ),
            22,
        ),
        (("Psychosocial Centre", (S.PSYCHOSOCIAL, S.MEDICAL)), 15),
        (("Legal Aid", (S.LEGAL_AID,)), 12),
        (
            (
                "Education and Vocational Training",
                (S.EDUCATION, S.VOCATIONAL_TRAINING, S.LIVELIHOOD),
            ),
            17,
        ),
        (("Foster Care Network", (S.ALTERNATIVE_CARE, S.FOLLOW_UP, S.FAMILY_TRACING)), 6),
        (("Street Children Outreach", (S.SHELTER, S.EDUCATION, S.FAMILY_TRACING)), 6),
    ]
)
NGO_NAME_WORDS = (
    "Hope",
    "Friends",
    "Bright Future",
    "Safe Haven",
    "New Life",
    "Light",
    "Sunrise",
    "Harmony",
    "Care",
    "Lotus",
    "Mekong",
    "Tonle",
    "Angkor",
    "Smile",
)
# The main role of an agency's staff, by its type (social workers elsewhere).
MAIN_ROLE = {
    AgencyType.POLICE: Role.POLICE,
    AgencyType.LABOUR_INSPECTORATE: Role.LABOUR_INSPECTOR,
    AgencyType.HELPLINE: Role.HELPLINE_OPERATOR,
}


@dataclass
class Person:
    id: int
    username: str
    full_name: str
    role: str
    agency: Org | None
    supervisor_id: int | None = None
    location_id: int | None = None
    email_delivery: str = "immediate"


@dataclass
class Org:
    id: int
    name: str
    type: str
    seat: Place | None
    services: tuple[str, ...]
    size: float  # relative headcount
    requires_referral_approval: bool = False
    coverage: list[Place] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)

    @property
    def province_code(self) -> str | None:
        return self.seat.path.split("/", 1)[0] if self.seat else None

    def with_role(self, *roles: str) -> list[Person]:
        return [person for person in self.people if person.role in roles]


@dataclass
class Directory:
    """The agencies and people the case generator draws from."""

    agencies: list[Org]
    people: list[Person]
    helpline: Org
    by_type_and_province: dict[tuple[str, str | None], list[Org]]
    district_offices: dict[str, Org]
    ccwc_by_commune: dict[int, Org]
    # Service code -> province code -> agencies offering it there (national bodies under None).
    providers: dict[str, dict[str | None, list[Org]]]

    def in_province(self, type: str, province: str | None) -> list[Org]:
        return self.by_type_and_province.get((type, province), [])

    def providers_of(self, service: str, province: str) -> list[Org]:
        by_province = self.providers.get(service, {})
        return by_province.get(province, []) or by_province.get(None, [])


def _plan_agencies(rng: random.Random, gazetteer: Gazetteer) -> list[Org]:
    """Every agency with its type, seat, services and relative size (not yet saved)."""
    orgs: list[Org] = []

    def add(
        name: str,
        type: str,
        seat: Place | None,
        services: tuple[str, ...],
        size: float,
        *,
        approval: bool = False,
    ) -> Org:
        orgs.append(
            Org(
                id=0,
                name=name,
                type=type,
                seat=seat,
                services=services,
                size=size,
                requires_referral_approval=approval,
            )
        )
        return orgs[-1]

    capital = max(gazetteer.provinces, key=lambda province: province.weight).place
    add(
        "Ministry of Social Affairs, Veterans and Youth Rehabilitation",
        AgencyType.MOSVY,
        None,
        (S.ALTERNATIVE_CARE, S.REPATRIATION),
        45,
    )
    add("Child Helpline 1288", AgencyType.HELPLINE, capital, (), 60)
    add(
        "Anti-Human Trafficking and Juvenile Protection Department",
        AgencyType.POLICE,
        None,
        (S.INVESTIGATION,),
        30,
    )
    add("Department of Child Labour, MOLVT", AgencyType.LABOUR_INSPECTORATE, None, (), 12)
    add("Ministry of Women's Affairs", AgencyType.MOWA, None, (S.PSYCHOSOCIAL,), 10)
    for name in ("UNICEF Cambodia", "IOM Cambodia", "UNODC Cambodia", "ILO Cambodia"):
        add(name, AgencyType.UN_AGENCY, None, (), 4)
    for province in gazetteer.provinces:
        place, weight, name = province.place, province.weight, province.place.name_en
        add(
            f"DoSVY {name}",
            AgencyType.DOSVY,
            place,
            (S.ALTERNATIVE_CARE, S.FAMILY_TRACING, S.FOLLOW_UP, S.REPATRIATION),
            8 + 2.2 * weight,
            approval=rng.random() < 0.4,
        )
        add(f"AHTJP Police {name}", AgencyType.POLICE, place, (S.INVESTIGATION,), 5 + 0.8 * weight)
        add(
            f"Labour Inspectorate {name}",
            AgencyType.LABOUR_INSPECTORATE,
            place,
            (),
            3 + 0.3 * weight,
        )
        add(
            f"Department of Women's Affairs {name}",
            AgencyType.MOWA,
            place,
            (S.PSYCHOSOCIAL,),
            3 + 0.2 * weight,
        )
        add(f"Provincial Court of {name}", AgencyType.JUSTICE, place, (S.LEGAL_AID,), 2)
    seat_of = {province.place.code: province.place for province in gazetteer.provinces}
    for name, code in (
        ("Poipet Transit Centre", "01"),
        ("Bavet Transit Centre", "20"),
        ("Department of Immigration", ""),
    ):
        add(name, AgencyType.IMMIGRATION, seat_of.get(code), (S.REPATRIATION, S.SHELTER), 6)
    # District social affairs offices in the busiest districts.
    busiest = sorted(
        (
            (province.weight * district.weight, district)
            for province in gazetteer.provinces
            for district in province.districts
        ),
        key=lambda pair: -pair[0],
    )[:40]
    for _weight, district in busiest:
        add(
            f"District Office of Social Affairs {district.name_en} ({district.code})",
            AgencyType.DOSVY,
            district,
            (S.FOLLOW_UP, S.FAMILY_TRACING),
            6,
        )
    for number in range(50):
        place = gazetteer.province_choice.pick(rng).place
        add(f"{place.name_en} School {number + 1}", AgencyType.SCHOOL, place, (S.EDUCATION,), 1.5)
    for number in range(30):
        place = gazetteer.province_choice.pick(rng).place
        add(
            f"{place.name_en} Referral Hospital {number + 1}",
            AgencyType.HEALTH,
            place,
            (S.MEDICAL, S.PSYCHOSOCIAL),
            3,
        )
    communes = gazetteer.communes()
    for commune in rng.sample(communes, min(110, len(communes))):
        add(
            f"CCWC {commune.name_en} ({commune.code})",
            AgencyType.COMMUNE_COMMITTEE,
            commune,
            (S.FOLLOW_UP,),
            3,
        )
    for number in range(125):
        kind, services = NGO_KINDS.pick(rng)
        province = gazetteer.province_choice.pick(rng)
        size = 3 + 37 * rng.random() ** 3  # a few large NGOs, many small ones
        name = f"{NGO_NAME_WORDS[number % len(NGO_NAME_WORDS)]} {kind} {number + 1}"
        ngo = add(name, AgencyType.NGO, province.place, services, size, approval=rng.random() < 0.5)
        others = rng.sample(gazetteer.provinces, rng.choice([0, 0, 0, 1, 2]))
        ngo.coverage = [province.place, *(p.place for p in others if p is not province)]
    for org in orgs:
        if not org.coverage and org.seat is not None:
            org.coverage = [org.seat]
    return orgs


def _roles_of(org: Org, headcount: int) -> list[Role]:
    """The roles of an agency's people: a supervisor for about eight, an admin, an analyst in
    each provincial department."""
    if org.type == AgencyType.MOSVY:
        fixed = [Role.AGENCY_ADMIN] * 2 + [Role.SUPERVISOR] * 6 + [Role.DATA_ANALYST] * 18
        return fixed + [Role.SOCIAL_WORKER] * max(1, headcount - len(fixed))
    if org.type == AgencyType.COMMUNE_COMMITTEE:
        # The committee's members, and the chief of one of the commune's villages.
        return [Role.COMMUNE_COMMITTEE] * max(2, headcount) + [Role.VILLAGE_CHIEF]
    if org.type == AgencyType.UN_AGENCY:
        return [Role.AGENCY_ADMIN] + [Role.DATA_ANALYST] * max(1, headcount - 1)
    supervisors = max(1, round(headcount * 0.12))
    admins = 1 if headcount >= 4 else 0
    provincial = (
        org.type == AgencyType.DOSVY and org.seat and org.seat.level == LocationLevel.PROVINCE
    )
    analysts = 1 if provincial else 0
    rest = max(1, headcount - supervisors - admins - analysts)
    main = MAIN_ROLE.get(AgencyType(org.type), Role.SOCIAL_WORKER)
    return (
        [Role.AGENCY_ADMIN] * admins
        + [Role.DATA_ANALYST] * analysts
        + [Role.SUPERVISOR] * supervisors
        + [main] * rest
    )


def _person_name(rng: random.Random) -> str:
    family = FAMILY_NAMES[int(rng.random() * len(FAMILY_NAMES))][0]
    given_names = FEMALE_GIVEN_NAMES if rng.random() < 0.55 else MALE_GIVEN_NAMES
    return f"{family} {given_names[int(rng.random() * len(given_names))][0]}"


def _username(full_name: str, taken: set[str]) -> str:
    base = "".join(char for char in full_name.lower() if char in string.ascii_lowercase)
    number = 1
    while f"{base}{number}" in taken:
        number += 1
    taken.add(f"{base}{number}")
    return f"{base}{number}"


def build_directory(
    *, rng: random.Random, gazetteer: Gazetteer, users: int, founded: datetime
) -> Directory:
    """Saves the agencies, their services and coverage, and their people; returns them."""
    orgs = _plan_agencies(rng, gazetteer)
    saved = Agency.objects.bulk_create(
        Agency(
            name=org.name,
            type=org.type,
            location_id=org.seat.id if org.seat else None,
            requires_referral_approval=org.requires_referral_approval,
            created_at=founded,
        )
        for org in orgs
    )
    for org, agency in zip(orgs, saved, strict=True):
        org.id = agency.pk
    AgencyService.objects.bulk_create(
        AgencyService(agency_id=org.id, service_id=code) for org in orgs for code in org.services
    )
    coverage = Agency.coverage.through
    coverage.objects.bulk_create(
        coverage(agency_id=org.id, location_id=place.id) for org in orgs for place in org.coverage
    )
    return _index(orgs, _save_people(rng, orgs, users, founded))


def _save_people(
    rng: random.Random, orgs: list[Org], users: int, founded: datetime
) -> list[Person]:
    """About ``users`` people; each agency's workers are shared out between its supervisors
    (saved first, so the others can name them)."""
    scale = (users - SYSTEM_ADMINS) / sum(org.size for org in orgs)
    planned: list[tuple[Org | None, str]] = [(None, Role.SYSTEM_ADMIN)] * SYSTEM_ADMINS
    for org in orgs:
        planned += [(org, role) for role in _roles_of(org, max(1, round(org.size * scale)))]
    taken: set[str] = set()
    people: list[Person] = []
    for agency, role in planned:
        full_name = _person_name(rng)
        seat = agency.seat if agency else None
        if role == Role.VILLAGE_CHIEF and seat is not None and seat.children:
            seat = rng.choice(seat.children)
        person = Person(
            id=0,
            username=_username(full_name, taken),
            full_name=full_name,
            role=role,
            agency=agency,
            location_id=seat.id if seat else None,
            email_delivery=EMAIL_DELIVERY.pick(rng),
        )
        people.append(person)
        if agency is not None:
            agency.people.append(person)
    supervisor_of: dict[int, Person] = {}
    for org in orgs:
        supervisors = org.with_role(Role.SUPERVISOR)
        supervised = [p for p in org.people if p.role not in UNSUPERVISED_ROLES]
        for number, person in enumerate(supervised if supervisors else []):
            supervisor_of[id(person)] = supervisors[number % len(supervisors)]
    for batch in (
        [person for person in people if id(person) not in supervisor_of],
        [person for person in people if id(person) in supervisor_of],
    ):
        rows = []
        for person in batch:
            supervisor = supervisor_of.get(id(person))
            person.supervisor_id = supervisor.id if supervisor else None
            rows.append(
                User(
                    username=person.username,
                    full_name=person.full_name,
                    role=person.role,
                    email=f"{person.username}@example.org",
                    agency_id=person.agency.id if person.agency else None,
                    location_id=person.location_id,
                    supervisor_id=person.supervisor_id,
                    # Unusable (nobody signs in to a synthetic account), yet deterministic.
                    password="!" + "".join(rng.choices(string.ascii_letters, k=40)),
                    is_staff=person.role == Role.SYSTEM_ADMIN,
                    date_joined=founded,
                    preferred_language=LANGUAGES.pick(rng),
                    email_delivery=person.email_delivery,
                )
            )
        for person, user in zip(
            batch, User.objects.bulk_create(rows, batch_size=2000), strict=True
        ):
            person.id = user.pk
    return people


def _index(orgs: list[Org], people: list[Person]) -> Directory:
    by_type_and_province: dict[tuple[str, str | None], list[Org]] = defaultdict(list)
    district_offices: dict[str, Org] = {}
    ccwc_by_commune: dict[int, Org] = {}
    providers: dict[str, dict[str | None, list[Org]]] = defaultdict(lambda: defaultdict(list))
    for org in orgs:
        by_type_and_province[(org.type, org.province_code)].append(org)
        level = org.seat.level if org.seat else None
        if org.type == AgencyType.DOSVY and level == LocationLevel.DISTRICT and org.seat:
            district_offices[org.seat.code] = org
        if org.type == AgencyType.COMMUNE_COMMITTEE and org.seat:
            ccwc_by_commune[org.seat.id] = org
        if not org.with_role(*CASE_WORKERS):
            continue  # nobody there could answer a referral
        # National bodies (no coverage) are filed under None: they serve every province.
        covered: set[str | None] = {place.path.split("/", 1)[0] for place in org.coverage}
        covered = covered or {None}
        for service in org.services:
            for province in covered:
                providers[service][province].append(org)
    return Directory(
        agencies=orgs,
        people=people,
        helpline=next(org for org in orgs if org.type == AgencyType.HELPLINE),
        by_type_and_province=dict(by_type_and_province),
        district_offices=district_offices,
        ccwc_by_commune=ccwc_by_commune,
        providers={service: dict(by_province) for service, by_province in providers.items()},
    )
