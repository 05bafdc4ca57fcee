"""The life of each case, from first contact to today: the child and family, the case, its
concerns, assessments, plan, notes, services, consent, referrals (referral_history), care and
reintegration (care_history), the notifications people received and the audit trail.

Each case gets a timeline (when it was assessed, planned, referred, reintegrated, closed) and
the dataset's reference moment cuts it: what happened before it is recorded, in the state it
would be in now. Deadlines still to come carry their reminder time after the reference moment,
so a reminder sweep at that moment finds nothing due, as on a day when the sweep has kept up.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from itertools import pairwise
from typing import Any

from accounts.choices import AgencyType, Role
from benchmarks.dataset import spreads, texts
from benchmarks.dataset.care_history import CareHistory
from benchmarks.dataset.gazetteer import Gazetteer, Place
from benchmarks.dataset.names import (
    FAMILY_NAMES,
    FEMALE_GIVEN_NAMES,
    LATIN_VARIANTS,
    MALE_GIVEN_NAMES,
)
from benchmarks.dataset.organisations import REFERRERS, Directory, Org
from benchmarks.dataset.referral_history import APPROVAL_WAIT, ReferralHistory
from benchmarks.dataset.rows import Instrument
from benchmarks.dataset.story import DAY, Context, Story
from benchmarks.dataset.tables import Table
from benchmarks.dataset.trail import Trail
from cases.models import (
    CONTRIBUTE_PERMISSION,
    SECTION_PERMISSIONS,
    district_of,
    khmer_search_key,
    latin_search_key,
)
from trafficking.choices import TRAFFICKING_CONCERNS

NO_CONTACT_PERIOD = timedelta(days=14)
REFER_ON = timedelta(hours=24)
RELATIVES = (
    ("mother", 85),
    ("father", 55),
    ("grandparent", 30),
    ("sibling", 20),
    ("aunt_uncle", 12),
)
NATIONALITIES = ("Vietnamese", "Thai", "")
ETHNICITIES = ("Cham", "Vietnamese", "Kuy", "Tampuan", "Jarai")
DISABILITIES = ("Hearing impairment", "Uses a wheelchair", "Learning disability")


@dataclass
class _Agencies:
    """The agencies of one province a case may start at or be managed by."""

    dosvy: Org
    police: list[Org]
    labour: list[Org]
    ngos: spreads.Weighted[Org] | None
    mowa: Org | None


def _closing_days(rng: random.Random) -> float | None:
    """How long a case stays open, following the shares closed by age (None: still open)."""
    shares = spreads.CLOSED_SHARE_BY_AGE
    points = [(0, 0.0), *shares[:-1], (1825, shares[-1][1])]
    u = rng.random()
    for (days_before, share_before), (days_after, share_after) in pairwise(points):
        if u < share_after:
            reached = (u - share_before) / (share_after - share_before)
            return days_before + reached * (days_after - days_before)
    return None


@cache
def _latin_key(given: str, family: str) -> str:
    return latin_search_key(given, family)


@cache
def _khmer_key(family: str, given: str) -> str:
    return khmer_search_key(family, given)


class CaseHistories:
    """Generates cases in the order they were opened, block by block; each block has its own
    random stream, so the same seed gives the same dataset whatever happens around it."""

    BLOCK = 2000

    def __init__(
        self,
        *,
        tables: dict[str, Table],
        trail: Trail,
        gazetteer: Gazetteer,
        directory: Directory,
        instrument: Instrument,
        reference: datetime,
        total: int,
        seed: str,
    ) -> None:
        self.c = Context(
            tables=tables,
            trail=trail,
            gazetteer=gazetteer,
            directory=directory,
            reference=reference,
        )
        self.referrals = ReferralHistory(self.c)
        self.care = CareHistory(self.c)
        self.instrument = instrument
        self.total = total
        self.seed = seed
        self.numbers: dict[str, int] = defaultdict(int)
        # Recent children per commune: a few come back with a new case.
        self.recent_children: dict[int, deque[int]] = defaultdict(lambda: deque(maxlen=30))
        self.agencies = {p.place.code: self._agencies_of(p.place.code) for p in gazetteer.provinces}

    def _agencies_of(self, province: str) -> _Agencies:
        directory = self.c.directory
        ngos = {
            org.id: org
            for service in ("psychosocial", "family_tracing", "shelter")
            for org in directory.providers_of(service, province)
            if org.type == AgencyType.NGO
        }
        mowa = directory.in_province(AgencyType.MOWA, province)
        provincial = [
            org
            for org in directory.in_province(AgencyType.DOSVY, province)
            if org.seat is not None and org.seat.level == "province"
        ]
        return _Agencies(
            dosvy=provincial[0],
            police=directory.in_province(AgencyType.POLICE, province),
            labour=directory.in_province(AgencyType.LABOUR_INSPECTORATE, province),
            ngos=spreads.Weighted([(org, org.size) for org in ngos.values()]) if ngos else None,
            mowa=mowa[0] if mowa and self.c.people_of[mowa[0].id]["workers"] else None,
        )

    def take_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """The rows generated since the last call, by table name."""
        return {table.name: table.take() for table in self.c.t.values()}

    def opened_at(self, index: int) -> datetime:
        """When case ``index`` was opened: spread over the history, busier every year."""
        a = (spreads.GROWTH - 1) / 2
        u = (index + self.c.rng.random()) / self.total
        elapsed = (-1 + (1 + 4 * a * u * (1 + a)) ** 0.5) / (2 * a)  # inverse of the CDF
        history = timedelta(days=365.25 * spreads.HISTORY_YEARS)
        return self.c.reference - history * (1 - elapsed) - timedelta(seconds=1)

    def generate(self, block: int) -> datetime:
        """Generates the cases of ``block``; returns when its last case was opened (no later
        case can have an event before that moment)."""
        self.c.rng = random.Random(f"{self.seed}:cases:{block}")  # noqa: S311 - synthetic data
        first = block * self.BLOCK
        opened = self.c.reference
        for index in range(first, min(first + self.BLOCK, self.total)):
            opened = self.opened_at(index)
            self.case(opened)
        return opened

    # --- a case -------------------------------------------------------------------------------

    def case(self, opened: datetime) -> None:
        c, rng = self.c, self.c.rng
        province = c.gazetteer.province_choice.pick(rng)
        district = province.district_choice.pick(rng)
        commune = province.commune_choice[district.code].pick(rng)
        home = province.home_choice[commune.code].pick(rng)
        source = spreads.SOURCES.pick(rng)
        picks = spreads.CONCERN_COUNT.pick(rng)
        concerns = list(dict.fromkeys(spreads.CONCERNS.pick(rng) for _ in range(picks)))
        removal = any(concern in spreads.REMOVAL_CONCERNS for concern in concerns)
        agencies = self.agencies[province.place.code]
        managing = self._managing_agency(agencies, district, removal=removal)
        people = c.people_of[managing.id]
        if people[Role.SUPERVISOR] and rng.random() < 0.08:
            holder = c.pick(people[Role.SUPERVISOR])
        else:
            holder = c.pick(people[Role.SOCIAL_WORKER] or people["workers"])
        intake = self._intake_agency(source, agencies)
        days_open = _closing_days(rng)
        if intake is not None and days_open is not None:
            days_open = max(days_open, 7 + 30 * rng.random())  # handed over before it closes
        closing = opened + timedelta(days=days_open) if days_open is not None else None
        closed = closing is not None and closing < c.reference
        prefix = f"{province.place.code}-{c.local_date(opened).year}"
        self.numbers[prefix] += 1
        story = Story(
            id=c.t["case"].new_id(),
            number=f"{prefix}-{self.numbers[prefix]:05d}",
            opened=opened,
            end=closing if closed and closing else c.reference,
            closed=closed,
            province=province,
            district=district,
            commune=commune,
            home=home,
            owner=holder,
            agency=managing,
            creator=holder,
            concerns=concerns,
            severity=(0.48 if removal else 0.32) * (0.6 + 0.8 * rng.random()),
            updated=opened,
        )
        child_id = self._child(story)
        handed_over = self.referrals.transfer(story, intake) if intake else opened
        c.event(
            story,
            opened,
            story.creator,
            "case.create",
            changes={
                "case_number": story.number,
                "source": source,
                "concerns": concerns,
                "restricted": False,
            },
        )
        if story.owner.role not in REFERRERS:
            self._casework(story, handed_over, removal=removal)
        if story.closed:
            self._close(story)
        elif story.stage == "implementation" and rng.random() < 0.02:
            story.closure_requested = c.reference - timedelta(hours=1 + 40 * rng.random())
        self._write_case(story, child_id, source)

    def _managing_agency(self, agencies: _Agencies, district: Place, *, removal: bool) -> Org:
        """The district office, the provincial department, an NGO (more often for a child who
        needs a shelter) or women's affairs."""
        draw = self.c.rng.random()
        office = self.c.directory.district_offices.get(district.code)
        if office is not None and draw < 0.3:
            return office
        if agencies.ngos is not None and (draw > 0.7 or (removal and draw > 0.45)):
            return agencies.ngos.pick(self.c.rng)
        if agencies.mowa is not None and draw > 0.66:
            return agencies.mowa
        return agencies.dosvy

    def _intake_agency(self, source: str, agencies: _Agencies) -> Org | None:
        """Who registered the child first, when it is not the managing agency."""
        if source == "police":
            national = self.c.directory.in_province(AgencyType.POLICE, None)
            return national[0] if national and self.c.rng.random() < 0.1 else agencies.police[0]
        if source == "labour_inspection" and agencies.labour:
            return agencies.labour[0]
        if source == "helpline":
            return self.c.directory.helpline
        return None

    # --- the child ----------------------------------------------------------------------------

    def _child(self, story: Story) -> int:
        c, rng, table = self.c, self.c.rng, self.c.t["child"]
        recent = self.recent_children[story.commune.id]
        if recent and rng.random() < 0.05:
            return c.pick(recent)
        sex = spreads.SEXES.pick(rng)
        female = sex == "female" or (sex == "unknown" and rng.random() < 0.5)
        given, given_km = c.pick(FEMALE_GIVEN_NAMES if female else MALE_GIVEN_NAMES)
        family, family_km = c.pick(FAMILY_NAMES)
        if rng.random() < 0.15:
            given = rng.choice(LATIN_VARIANTS.get(given, (given,)))
        if rng.random() < 0.1:
            family = rng.choice(LATIN_VARIANTS.get(family, (family,)))
        script = rng.random()
        if script < 0.12:  # met through Khmer-only paperwork
            given = family = ""
        elif script < 0.22:  # recorded by someone without a Khmer keyboard
            given_km = family_km = ""
        age = spreads.AGES.pick(rng)
        met_on = c.local_date(story.opened)
        known_birth = rng.random() < 0.6
        born = met_on - timedelta(days=365 * age + rng.randrange(365)) if known_birth else None
        if "no_birth_registration" in story.concerns:
            registered = "not_registered"
        else:
            registered = (
                "registered" if rng.random() < 0.7 else rng.choice(["not_registered", "unknown"])
            )
        certificate = f"{story.province.place.code}{rng.randrange(10**8):08d}"
        house = f"House {rng.randrange(1, 300)}, {story.home.name_en}"
        identity_card = age >= 15 and rng.random() < 0.3
        child_id = table.new_id()
        table.add(
            id=child_id,
            given_name=given,
            family_name=family,
            given_name_km=given_km,
            family_name_km=family_km,
            sex=sex,
            date_of_birth=born,
            estimated_age=None if known_birth else age,
            age_estimated_on=None if known_birth else met_on,
            age_disputed=rng.random() < 0.02,
            nationality="Cambodian" if rng.random() < 0.96 else rng.choice(NATIONALITIES),
            ethnicity="Khmer" if rng.random() < 0.9 else rng.choice(ETHNICITIES),
            birth_registration=registered,
            disability="" if rng.random() < 0.96 else rng.choice(DISABILITIES),
            languages=json.dumps(["km"] if rng.random() < 0.93 else ["km", "vi"]),
            location_id=story.home.id,
            location_path=story.home.path,
            district_path=district_of(story.home.path),
            address="" if rng.random() < 0.4 else house,
            birth_certificate_number=certificate if registered == "registered" else "",
            national_id_number=f"{rng.randrange(10**9):09d}" if identity_card else "",
            id_poor_number=f"IDP-{rng.randrange(10**7):07d}" if rng.random() < 0.2 else "",
            search_name=_latin_key(given, family),
            search_name_km=_khmer_key(family_km, given_km),
            created_at=story.opened,
        )
        self._family(child_id, family or FAMILY_NAMES[0][0], family_km or FAMILY_NAMES[0][1])
        recent.append(child_id)
        return child_id

    def _family(self, child_id: int, family: str, family_km: str) -> None:
        c, rng, table = self.c, self.c.rng, self.c.t["family"]
        caregiver = True
        for relation, share in RELATIVES:
            if rng.random() * 100 >= share:
                continue
            women = relation in {"mother", "grandparent"}
            given, given_km = c.pick(FEMALE_GIVEN_NAMES if women else MALE_GIVEN_NAMES)
            phone = f"0{rng.choice('16789')}{rng.randrange(10**7):07d}"
            table.add(
                id=table.new_id(),
                child_id=child_id,
                name=f"{family} {given}",
                name_km=f"{family_km} {given_km}",
                relation=relation,
                contact="" if rng.random() < 0.3 else phone,
                lives_with_child=rng.random() < 0.7,
                is_caregiver=caregiver,
            )
            caregiver = False

    # --- casework -----------------------------------------------------------------------------

    def _casework(self, story: Story, start: datetime, *, removal: bool) -> None:
        """Consent, assessment, the plan, notes; once the plan is approved, services,
        referrals and, for some children, care away from home."""
        rng, end = self.c.rng, story.end
        self._consent(story, start + timedelta(hours=1 + 48 * rng.random()))
        assessed = start + timedelta(days=0.3 + 9 * rng.random())
        if assessed >= end:
            return
        story.stage = "assessment"
        self._assess(story, assessed)
        planned = assessed + timedelta(days=3 + 27 * rng.random())
        approved = planned + timedelta(days=1 + 9 * rng.random())
        if planned < end:
            story.stage = "case_plan"
            self._plan(story, planned, approved)
        reassessed = assessed
        for _ in range(2):
            reassessed += timedelta(days=30 + 150 * rng.random())
            if reassessed >= end or rng.random() < 0.5:
                break
            self._assess(story, reassessed)
        self._notes(story, start)
        if approved >= end:
            return
        story.stage = "implementation"
        self._services(story, approved)
        self.referrals.services(story, approved, removal=removal)
        if removal and rng.random() < 0.45:
            self.care.care(story, start)

    def _consent(self, story: Story, at: datetime) -> None:
        c, rng = self.c, self.c.rng
        if at >= story.end or rng.random() < 0.1:
            return
        scope = ["data_sharing", "referral", "services"] if rng.random() < 0.85 else ["referral"]
        consent_id = c.t["consent"].new_id()
        c.t["consent"].add(
            id=consent_id,
            case_id=story.id,
            scope=json.dumps(scope),
            date=c.local_date(at),
            given_by="caregiver" if rng.random() < 0.7 else "child",
            recorded_by_id=story.owner.id,
            recorded_at=at,
        )
        c.event(
            story,
            at,
            story.owner,
            "consent.create",
            subject=("cases.consent", consent_id),
            changes={"scope": scope},
        )

    def _assess(self, story: Story, at: datetime) -> None:
        c = self.c
        answers, score, level, hours, days = self.instrument.assess(c.rng, story.severity)
        respond_by, reassess_by = (
            at + timedelta(hours=hours),
            c.local_date(at) + timedelta(days=days),
        )
        assessment_id = c.t["assessment"].new_id()
        c.t["assessment"].add(
            id=assessment_id,
            case_id=story.id,
            instrument_id=self.instrument.id,
            answers=json.dumps(answers),
            score=score,
            max_score=self.instrument.max_score,
            risk_level=level,
            respond_within_hours=hours,
            respond_by=respond_by,
            reassess_by=reassess_by,
            assessed_by_id=story.owner.id,
            assessed_at=at,
        )
        if level in {"high", "critical"}:  # recorded with the assessment, as the service does
            c.note(story, at, "safety_plan", "Immediate safety plan agreed with the family.")
        story.risk = (level, respond_by, reassess_by)
        story.touch(at)
        changes = {"score": score, "risk_level": level, "reassess_by": reassess_by.isoformat()}
        c.event(
            story,
            at,
            story.owner,
            "risk_assessment.create",
            subject=("cases.riskassessment", assessment_id),
            changes=changes,
        )
        due = c.midnight(reassess_by)
        c.notify(
            story,
            "reassessment_due",
            story.owner,
            due - c.lead,
            subject=f"case:{story.id}",
            period=reassess_by.isoformat(),
            due_at=due,
        )

    def _plan(self, story: Story, created: datetime, approved: datetime) -> None:
        c, rng, owner = self.c, self.c.rng, story.owner
        supervisor = c.supervisor_of(owner)
        if supervisor is None:  # the owner supervises: another supervisor of the agency decides
            others = [p for p in c.people_of[story.agency.id][Role.SUPERVISOR] if p.id != owner.id]
            supervisor = c.pick(others) if others else None
        submitted = created + (approved - created) * 0.5
        decided = approved < story.end and supervisor is not None
        status = "approved" if decided else ("submitted" if submitted < story.end else "draft")
        plan_id = c.t["plan"].new_id()
        c.t["plan"].add(
            id=plan_id,
            case_id=story.id,
            status=status,
            created_by_id=owner.id,
            created_at=created,
            submitted_by_id=owner.id if status != "draft" else None,
            submitted_at=submitted if status != "draft" else None,
            decided_by_id=supervisor.id if decided and supervisor else None,
            decided_at=approved if decided else None,
        )
        if status != "draft":
            c.event(story, submitted, owner, "plan.submit", subject=("cases.caseplan", plan_id))
            c.notify(
                story,
                "approval_requested",
                supervisor,
                submitted,
                subject=f"plan:{plan_id}",
                period=submitted.isoformat(),
            )
        if decided:
            level = story.risk[0] if story.risk else ""
            story.review_by = c.local_date(approved) + c.review_after[level]
            story.touch(approved)
            c.event(
                story,
                approved,
                supervisor,
                "plan.approve",
                subject=("cases.caseplan", plan_id),
                changes={"review_by": story.review_by.isoformat()},
            )
        for goal_order in range(rng.choice([1, 1, 2])):
            goal_id = c.t["goal"].new_id()
            c.t["goal"].add(
                id=goal_id, plan_id=plan_id, order=goal_order, description=rng.choice(texts.GOALS)
            )
            for action_order in range(rng.choice([1, 2])):
                due = c.local_date(approved) + timedelta(days=14 + int(rng.random() * 140))
                done = c.midnight(due) - timedelta(days=int(rng.random() * 10))
                c.t["action"].add(
                    id=c.t["action"].new_id(),
                    goal_id=goal_id,
                    order=action_order,
                    description=rng.choice(texts.ACTIONS),
                    responsible_id=owner.id if rng.random() < 0.8 else None,
                    due_date=due,
                    done_at=done if done < story.end and rng.random() < 0.85 else None,
                )

    def _notes(self, story: Story, start: datetime) -> None:
        c, rng = self.c, self.c.rng
        count = min(6, int((story.end - start) / timedelta(days=180) * rng.random() * 1.5))
        for _ in range(count):
            author = story.owner
            if rng.random() < 0.1:
                author = c.supervisor_of(story.owner) or author
            c.note(
                story,
                c.within(start, story.end),
                spreads.NOTE_KINDS.pick(rng),
                rng.choice(texts.NOTE_TEXTS),
                author=author,
            )
        if rng.random() < 0.3:
            reader = c.supervisor_of(story.owner) or story.owner
            c.event(story, c.within(start, story.end), reader, "case.view_file")

    def _services(self, story: Story, start: datetime) -> None:
        c, rng = self.c, self.c.rng
        offered = story.agency.services
        for _ in range(rng.choice([0, 1, 1, 2]) if offered else 0):
            at = c.within(start, story.end)
            started = c.local_date(at)
            ended = started + timedelta(days=10 + int(rng.random() * 110))
            finished = c.midnight(ended) < story.end
            c.t["service"].add(
                id=c.t["service"].new_id(),
                case_id=story.id,
                service_id=rng.choice(offered),
                provider_agency_id=story.agency.id,
                status="delivered" if finished else "in_progress",
                start_date=started,
                end_date=ended if finished else None,
                agency_id=story.agency.id,
                recorded_by_id=story.owner.id,
                recorded_at=at,
            )

    # --- the end of the story -----------------------------------------------------------------

    def _close(self, story: Story) -> None:
        """The owner asked for closure and her supervisor approved it."""
        c, rng = self.c, self.c.rng
        reintegrated = story.stage in {"reintegration", "follow_up"}
        story.closure_reason = "reintegrated" if reintegrated else spreads.CLOSURE_REASONS.pick(rng)
        story.stage, story.follow_up_pending = "closure", False
        story.closure_requested = max(
            story.opened, story.end - timedelta(days=1 + 4 * rng.random())
        )
        story.touch(story.end)
        c.event(
            story,
            story.end,
            c.supervisor_of(story.owner) or story.owner,
            "case.close",
            changes={"reason": story.closure_reason},
        )

    def _write_case(self, story: Story, child_id: int, source: str) -> None:
        c, rng = self.c, self.c.rng
        level, respond_by, reassess_by = story.risk or ("", None, None)
        restricted = rng.random() < 0.005
        labour = "child_labour" in story.concerns
        c.t["case"].add(
            id=story.id,
            case_number=story.number,
            child_id=child_id,
            status="closed" if story.closed else "open",
            stage=story.stage,
            source=source,
            summary=texts.SUMMARIES[story.concerns[0]].format(place=story.commune.name_en),
            labour_sector=spreads.LABOUR_SECTORS.pick(rng) if labour else "",
            agency_id=story.agency.id,
            owner_id=story.owner.id,
            location_id=story.home.id,
            location_path=story.home.path,
            restricted=restricted,
            risk_level=level,
            respond_by=respond_by,
            reassess_by=reassess_by,
            review_by=story.review_by,
            last_contact_at=story.last_contact,
            follow_up_pending=story.follow_up_pending,
            reminder_at=None if story.closed else self._next_reminder(story),
            closure_reason=story.closure_reason,
            closure_requested_by_id=story.owner.id if story.closure_requested else None,
            closure_requested_at=story.closure_requested,
            closed_at=story.end if story.closed else None,
            created_by_id=story.creator.id,
            created_at=story.opened,
            updated_at=story.updated or story.opened,
            version=story.version,
        )
        for concern in story.concerns:
            c.t["concern"].add(id=c.t["concern"].new_id(), case_id=story.id, concern_id=concern)
        if set(story.concerns) & set(TRAFFICKING_CONCERNS):
            # The worker records the child as a presumed victim when she opens the case, so no
            # identification reminder is due.
            identification = c.t["identification"].new_id()
            indicators = ["deception", "moved_across_border"]
            c.t["identification"].add(
                id=identification,
                case_id=story.id,
                date=c.local_date(story.opened),
                indicators=json.dumps(indicators),
                status="presumed",
                recorded_by_id=story.creator.id,
                recorded_at=story.opened,
            )
            c.event(
                story,
                story.opened,
                story.creator,
                "identification.create",
                subject=("trafficking.victimidentification", identification),
                changes={"status": "presumed", "indicators": indicators},
            )
        if restricted:  # only the people named on it see it: its owner and her supervisor
            named = sorted({story.owner.id, story.owner.supervisor_id or story.owner.id})
            for user_id in named:
                c.t["named"].add(
                    id=c.t["named"].new_id(),
                    case_id=story.id,
                    user_id=user_id,
                    named_at=story.opened,
                )
        for user_id, sections in story.granted.items():
            codenames = {SECTION_PERMISSIONS[s] for s in sections} | {CONTRIBUTE_PERMISSION}
            for codename in sorted(codenames):
                c.t["grant"].add(
                    id=c.t["grant"].new_id(),
                    user_id=user_id,
                    permission_id=c.permission_ids[codename],
                    content_object_id=story.id,
                )
        self._write_notices(story)

    def _next_reminder(self, story: Story) -> datetime | None:
        """The case's next reminder moment after the reference moment, as the sweep leaves it
        (cases.reminders): the earliest deadline not yet reminded."""
        c = self.c
        moments: list[datetime] = []
        if story.risk is not None:
            moments.append(c.midnight(story.risk[2]) - c.lead)
            if story.risk[0] in {"high", "critical"}:  # no_recent_contact, every period
                first = (story.last_contact or story.opened) + NO_CONTACT_PERIOD
                periods = max(0, (c.reference - first) // NO_CONTACT_PERIOD + 1)
                moments.append(first + periods * NO_CONTACT_PERIOD)
        if story.review_by is not None:
            moments.append(c.midnight(story.review_by) - c.lead)
        if story.closure_requested is not None:
            moments.append(story.closure_requested + APPROVAL_WAIT)
        if story.owner.role in REFERRERS:
            moments.append(story.opened + REFER_ON)
        return min((moment for moment in moments if moment > c.reference), default=None)

    def _write_notices(self, story: Story) -> None:
        c, rng, table = self.c, self.c.rng, self.c.t["notification"]
        for key, (person, kind, at, links) in story.notices.items():
            read = at < c.reference - 3 * DAY and rng.random() < 0.92
            # Digests went out every morning; the last day's wait for the next one.
            digest = "digest" if at > c.reference - DAY else "sent"
            status = {"immediate": "sent", "none": "skipped", "digest": digest}[
                person.email_delivery
            ]
            table.add(
                id=table.new_id(),
                recipient_id=person.id,
                kind=kind,
                key=key,
                case_id=story.id,
                case_number=story.number,
                created_at=at,
                batch=f"{rng.getrandbits(128):032x}",
                read_at=at + timedelta(hours=1 + 70 * rng.random()) if read else None,
                email_status=status,
                email_attempts=1 if status == "sent" else 0,
                emailed_at=at + timedelta(seconds=5) if status == "sent" else None,
                **links,
            )
