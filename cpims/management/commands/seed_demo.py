"""Loads a small demonstration dataset into an empty installation: a sample of the gazetteer,
a handful of agencies, one login per role (and a case worker and supervisor of the NGO, so a
referral to it can be answered) and a few cases. Passwords are made at random for
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
from cases.choices import ConsentGiver, ConsentScope, Section
from cases.models import Case
from cases.services.case import case_open
from cases.services.records import consent_create
from referrals.choices import ReferralType, Urgency
from referrals.services import referral_create
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

# username, role, full name, agency key, supervisor's username. The username is the role's
# code for the provincial office and the other agencies, and says "ngo_" for the NGO's staff.
PEOPLE: list[tuple[str, str, str, str, str | None]] = [
    (Role.SUPERVISOR, Role.SUPERVISOR, "Sok Chanthy", "dosvy_pp", None),
    (Role.SOCIAL_WORKER, Role.SOCIAL_WORKER, "Chea Sreymom", "dosvy_pp", Role.SUPERVISOR),
    ("ngo_supervisor", Role.SUPERVISOR, "Meas Sothea", "shelter", None),
    ("ngo_social_worker", Role.SOCIAL_WORKER, "Chan Rotha", "shelter", "ngo_supervisor"),
    (Role.AGENCY_ADMIN, Role.AGENCY_ADMIN, "Lim Dara", "shelter", None),
    (Role.COMMUNE_COMMITTEE, Role.COMMUNE_COMMITTEE, "Keo Sophea", "ccwc", None),
    (Role.VILLAGE_CHIEF, Role.VILLAGE_CHIEF, "Ros Vuthy", "ccwc", None),
    (Role.POLICE, Role.POLICE, "Vann Rithy", "police", None),
    (Role.LABOUR_INSPECTOR, Role.LABOUR_INSPECTOR, "Heng Bopha", "labour", None),
    (Role.HELPLINE_OPERATOR, Role.HELPLINE_OPERATOR, "Ouk Vanna", "helpline", None),
    (Role.DATA_ANALYST, Role.DATA_ANALYST, "Pich Sokha", "mosvy", None),
]


# Invented children for the demonstration, named unlike any of the staff: (child, concerns,
# source).
DEMO_CHILDREN: list[tuple[dict[str, Any], list[str], str]] = [
    (
        {
            "given_name": "Leakena",
            "family_name": "Yim",
            "given_name_km": "លក្ខិណា",
            "family_name_km": "យឹម",
            "sex": "female",
            "estimated_age": 14,
        },
        ["child_labour", "labour_trafficking"],
        "labour_inspection",
    ),
    (
        {
            "given_name": "Piseth",
            "family_name": "Mao",
            "given_name_km": "ពិសិដ្ឋ",
            "family_name_km": "ម៉ៅ",
            "sex": "male",
            "estimated_age": 9,
        },
        ["neglect", "left_behind"],
        "ccwc",
    ),
    (
        {
            "given_name": "Sreyneang",
            "family_name": "Nhem",
            "given_name_km": "ស្រីនាង",
            "family_name_km": "ញ៉ែម",
            "sex": "female",
            "estimated_age": 16,
        },
        ["online_sexual_exploitation"],
        "helpline",
    ),
    (
        {
            "given_name": "Kosal",
            "family_name": "Touch",
            "given_name_km": "កុសល",
            "family_name_km": "ទូច",
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
            self.stdout.write("Demo logins (username password), one per role and the NGO's staff:")
            self.stdout.write(logins_file.read_text())

    def _load(self) -> list[tuple[str, str]]:
        """Each step goes through a service, in that service's own transaction (they are never
        nested): a load that fails half-way keeps what it made, and runs again on an emptied
        database."""
        with SAMPLE_GAZETTEER.open(encoding="utf-8") as sample:
            gazetteer_import(rows=list(csv.DictReader(sample)), actor=None)
        usernames = [Role.SYSTEM_ADMIN, *(person[0] for person in PEOPLE)]
        passwords = {username: secrets.token_urlsafe(9) for username in usernames}
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
        village = (
            Location.objects.filter(parent=commune).order_by("code").first() if commune else None
        )
        # Community members live in the commune (a village chief in a village of it).
        places: dict[str, Location | None] = {
            Role.COMMUNE_COMMITTEE: commune,
            Role.VILLAGE_CHIEF: village,
        }
        people: dict[str, User] = {}
        for username, role, full_name, agency_key, supervisor in PEOPLE:
            people[username] = user_create(
                actor=admin,
                username=username,
                password=passwords[username],
                full_name=full_name,
                agency=agencies[agency_key],
                role=role,
                location=places.get(role),
                supervisor=people[supervisor] if supervisor else None,
            )
        worker = people[Role.SOCIAL_WORKER]
        cases = self._cases([worker] * 3 + [people[Role.POLICE]])
        if commune is not None:
            self._reintegration(
                cases[0], worker, people[Role.COMMUNE_COMMITTEE], commune, agencies["shelter"]
            )
        self._referral(cases[1], people[Role.SUPERVISOR], agencies["shelter"])
        return [(username, passwords[username]) for username in usernames]

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

    def _referral(self, case: Case, supervisor: User, shelter: Agency) -> None:
        """The second child is referred to the NGO for psychosocial support, waiting for its
        answer: the NGO's supervisor or case worker can accept it in the demo. The family's
        consent is on file."""
        consent_create(
            actor=supervisor,
            case=case,
            given_by=ConsentGiver.CAREGIVER,
            scope=[ConsentScope.REFERRAL, ConsentScope.DATA_SHARING],
            date=timezone.localdate(),
            giver_name="Demonstration caregiver",
        )
        referral_create(
            actor=supervisor,
            case=case,
            to_agency=shelter,
            type=ReferralType.SERVICE,
            urgency=Urgency.URGENT,
            services=[ServiceCode.PSYCHOSOCIAL],
            reason="Demonstration: the child needs counselling after neglect at home.",
            shared_sections=[Section.PROFILE, Section.CONCERNS],
        )

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
