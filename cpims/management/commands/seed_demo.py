"""Loads a small demonstration dataset into an empty installation: a sample of the gazetteer,
a handful of agencies, one login per role and a few cases. Passwords are made at random for
each installation and kept (readable only by its owner) in the data folder, so no password is
ever shared between installations or committed."""

from __future__ import annotations

import csv
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.choices import AgencyType, LocationLevel, Role, ServiceCode
from accounts.gazetteer import gazetteer_import
from accounts.models import Agency, Location, User
from accounts.services import agency_create, user_create
from cases.models import Case
from cases.services.case import case_open
from reintegration.choices import PlacementType
from reintegration.services import placement_create, reintegration_create

SAMPLE_GAZETTEER = Path(settings.BASE_DIR) / "accounts" / "data" / "gazetteer_sample.csv"
LOGINS_FILE = "demo-logins.txt"

AGENCIES: list[dict[str, Any]] = [
    {
        "key": "mosvy",
        "name": "Ministry of Social Affairs, Veterans and Youth Rehabilitation",
        "type": AgencyType.MOSVY,
        "province": None,
        "services": [],
    },
    {
        "key": "dosvy_pp",
        "name": "DoSVY Phnom Penh",
        "type": AgencyType.DOSVY,
        "province": "12",
        "services": [
            ServiceCode.ALTERNATIVE_CARE,
            ServiceCode.FAMILY_TRACING,
            ServiceCode.FOLLOW_UP,
        ],
    },
    {
        "key": "dosvy_bmc",
        "name": "DoSVY Banteay Meanchey",
        "type": AgencyType.DOSVY,
        "province": "01",
        "services": [ServiceCode.REPATRIATION, ServiceCode.FAMILY_TRACING],
    },
    {
        "key": "police",
        "name": "Anti-Human Trafficking and Juvenile Protection, Phnom Penh",
        "type": AgencyType.POLICE,
        "province": "12",
        "services": [ServiceCode.INVESTIGATION],
    },
    {
        "key": "labour",
        "name": "Labour Inspectorate, Phnom Penh",
        "type": AgencyType.LABOUR_INSPECTORATE,
        "province": "12",
        "services": [],
    },
    {
        "key": "helpline",
        "name": "Child Helpline 1288",
        "type": AgencyType.HELPLINE,
        "province": "12",
        "services": [],
    },
    {
        "key": "shelter",
        "name": "Safe Haven Children's Shelter (demo NGO)",
        "type": AgencyType.NGO,
        "province": "12",
        "services": [
            ServiceCode.SHELTER,
            ServiceCode.PSYCHOSOCIAL,
            ServiceCode.MEDICAL,
            ServiceCode.EDUCATION,
        ],
    },
    {
        "key": "ccwc",
        "name": "Commune Committee for Women and Children (demo commune)",
        "type": AgencyType.COMMUNE_COMMITTEE,
        "province": "12",
        "services": [ServiceCode.FOLLOW_UP],
    },
]

# username (= role code), full name, agency key
PEOPLE: list[tuple[str, str, str | None]] = [
    (Role.SUPERVISOR, "Sok Chanthy", "dosvy_pp"),
    (Role.SOCIAL_WORKER, "Chea Sreymom", "dosvy_pp"),
    (Role.AGENCY_ADMIN, "Lim Dara", "shelter"),
    (Role.COMMUNE_COMMITTEE, "Keo Sophea", "ccwc"),
    (Role.POLICE, "Vann Rithy", "police"),
    (Role.LABOUR_INSPECTOR, "Heng Bopha", "labour"),
    (Role.HELPLINE_OPERATOR, "Ouk Vanna", "helpline"),
    (Role.DATA_ANALYST, "Pich Sokha", "mosvy"),
]


# Invented children for the demonstration: (child, concerns, source).
DEMO_CHILDREN: list[tuple[dict[str, Any], list[str], str]] = [
    (
        {
            "given_name": "Sreymom",
            "family_name": "Chea",
            "given_name_km": "ស្រីមុំ",
            "family_name_km": "ជា",
            "sex": "female",
            "estimated_age": 14,
        },
        ["child_labour", "labour_trafficking"],
        "labour_inspection",
    ),
    (
        {
            "given_name": "Dara",
            "family_name": "Sok",
            "given_name_km": "តារា",
            "family_name_km": "សុខ",
            "sex": "male",
            "estimated_age": 9,
        },
        ["neglect", "left_behind"],
        "ccwc",
    ),
    (
        {
            "given_name": "Bopha",
            "family_name": "Keo",
            "given_name_km": "បុប្ផា",
            "family_name_km": "កែវ",
            "sex": "female",
            "estimated_age": 16,
        },
        ["online_sexual_exploitation"],
        "helpline",
    ),
    (
        {
            "given_name": "Vuthy",
            "family_name": "Lim",
            "given_name_km": "វុទ្ធី",
            "family_name_km": "លឹម",
            "sex": "male",
            "estimated_age": 13,
        },
        ["street_connected"],
        "police",
    ),
]


class Command(BaseCommand):
    help = "Loads the demo dataset into an empty installation and prints the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins_file = Path(settings.VAR_DIR) / LOGINS_FILE
        if User.objects.exists():
            self.stdout.write("Demo dataset: the installation already has users; left as is.")
        else:
            logins = self._load()
            logins_file.parent.mkdir(parents=True, exist_ok=True)
            logins_file.write_text("".join(f"{user} {password}\n" for user, password in logins))
            logins_file.chmod(0o600)
        if logins_file.exists():
            self.stdout.write("Demo logins (username password), one per role:")
            self.stdout.write(logins_file.read_text())

    def _load(self) -> list[tuple[str, str]]:
        """Each step goes through a service, in that service's own transaction (they are never
        nested): a load that fails half-way keeps what it made, and runs again on an emptied
        database."""
        with SAMPLE_GAZETTEER.open(encoding="utf-8") as sample:
            gazetteer_import(rows=list(csv.DictReader(sample)), actor=None)
        passwords = {role: secrets.token_urlsafe(9) for role in Role.values}
        admin = User.objects.create_superuser(
            username=Role.SYSTEM_ADMIN,
            password=passwords[Role.SYSTEM_ADMIN],
            full_name="System administrator",
        )
        agencies = self._agencies(admin)
        commune = (
            Location.objects.filter(level=LocationLevel.COMMUNE, path__startswith="12/")
            .order_by("code")
            .first()
        )
        people: dict[str, User] = {}
        for role, full_name, agency_key in PEOPLE:
            people[role] = user_create(
                actor=admin,
                username=role,
                password=passwords[role],
                full_name=full_name,
                agency=agencies[agency_key] if agency_key else None,
                role=role,
                location=commune if role == Role.COMMUNE_COMMITTEE else None,
                supervisor=people.get(Role.SUPERVISOR) if role == Role.SOCIAL_WORKER else None,
            )
        cases = self._cases([people[Role.SOCIAL_WORKER]] * 3 + [people[Role.POLICE]])
        if commune is not None:
            self._reintegration(
                cases[0],
                people[Role.SOCIAL_WORKER],
                people[Role.COMMUNE_COMMITTEE],
                commune,
                agencies["shelter"],
            )
        return [(role, passwords[role]) for role in Role.values]

    def _agencies(self, admin: User) -> dict[str, Agency]:
        created = {}
        for spec in AGENCIES:
            province = Location.objects.get(code=spec["province"]) if spec["province"] else None
            created[spec["key"]] = agency_create(
                actor=admin,
                name=spec["name"],
                type=spec["type"],
                location=province,
                services=spec["services"],
                coverage=[province] if province else [],
            )
        return created

    def _cases(self, owners: list[User]) -> list[Case]:
        villages = Location.objects.filter(
            level=LocationLevel.VILLAGE, path__startswith="12/"
        ).order_by("code")[: len(owners)]
        return [
            case_open(
                actor=owner,
                child={**child, "location": village},
                concerns=concerns,
                source=source,
                summary="Demonstration case: no real child.",
                labour_sector="brick_kiln" if "child_labour" in concerns else "",
            )
            for owner, (child, concerns, source), village in zip(
                owners, DEMO_CHILDREN, villages, strict=True
            )
        ]

    def _reintegration(
        self, case: Case, worker: User, commune_member: User, commune: Location, shelter: Agency
    ) -> None:
        """The first child went home from the shelter two months ago: her first follow-up
        visit is overdue, the next ones are scheduled, and the commune committee sees them."""
        home_village = Location.objects.filter(parent=commune).order_by("code").first()
        returned = timezone.localdate() - timedelta(days=60)
        placement_create(
            actor=worker,
            case=case,
            type=PlacementType.SHELTER,
            start_date=returned - timedelta(days=120),
            agency=shelter,
            caregiver=shelter.name,
        )
        home = placement_create(
            actor=worker,
            case=case,
            type=PlacementType.PARENTS,
            start_date=returned,
            location=home_village or commune,
            caregiver="Demonstration family",
        )
        reintegration_create(
            actor=worker,
            case=case,
            date=returned,
            placement=home,
            follow_up_worker=worker,
            commune_focal_point=commune_member,
            readiness_assessment="Demonstration: the child wants to go home.",
            family_assessment="Demonstration: the family is ready and supported.",
        )
