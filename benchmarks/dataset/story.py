"""What the parts of a case's history share: the case being written (:class:`Story`) and the
generation's context (:class:`Context`: random stream, tables, trail, people, clock)."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.choices import Role
from benchmarks.dataset import spreads
from benchmarks.dataset.gazetteer import Gazetteer, Place, Province
from benchmarks.dataset.organisations import CASE_WORKERS, REFERRERS, Directory, Org, Person
from benchmarks.dataset.tables import Table
from benchmarks.dataset.trail import Trail
from cases.choices import RiskLevel
from cases.models import CONTRIBUTE_PERMISSION, SECTION_PERMISSIONS, Case
from cases.reminders import review_interval
from notifications.timing import lead_time
from referrals.services import response_time

T = TypeVar("T")
DAY = timedelta(days=1)
CONTACT_KINDS = frozenset({"home_visit", "office_visit", "phone", "meeting"})
# Only the last year's notifications are kept: older ones would weigh on the generation and
# on no measure.
NOTICES_KEPT = timedelta(days=365)


@dataclass
class Story:
    """One case as it is generated."""

    id: int
    number: str
    opened: datetime
    end: datetime  # its closure, or the reference moment
    closed: bool
    province: Province
    district: Place
    commune: Place
    home: Place
    owner: Person
    agency: Org
    creator: Person
    concerns: list[str]
    severity: float  # the chance of each risk answer being a worrying one
    stage: str = "intake"
    risk: tuple[str, datetime, date] | None = None  # level, respond by, reassess by
    review_by: date | None = None
    last_contact: datetime | None = None
    follow_up_pending: bool = False
    closure_requested: datetime | None = None
    closure_reason: str = ""
    version: int = 1
    updated: datetime | None = None
    agencies_referred: set[int] = field(default_factory=set)
    granted: dict[int, set[str]] = field(default_factory=dict)  # person -> sections
    # key -> (recipient, kind, when, links): the notifications people received about it
    notices: dict[str, tuple[Person, str, datetime, dict[str, Any]]] = field(default_factory=dict)

    def touch(self, at: datetime) -> None:
        """A change to the case row: its version (ETag) moves on."""
        self.version += 1
        self.updated = max(self.updated or at, at)


class Context:
    def __init__(
        self,
        *,
        tables: dict[str, Table],
        trail: Trail,
        gazetteer: Gazetteer,
        directory: Directory,
        reference: datetime,
    ) -> None:
        self.t = tables
        self.trail = trail
        self.gazetteer = gazetteer
        self.directory = directory
        self.reference = reference
        self.rng = random.Random()  # noqa: S311 - synthetic data (reseeded for each block)
        self.tz = timezone.get_current_timezone()
        self.people_of = {org.id: _people_by_role(org) for org in directory.agencies}
        self.person = {person.id: person for person in directory.people}
        self.permission_ids = dict(
            Permission.objects.filter(
                content_type=ContentType.objects.get_for_model(Case)
            ).values_list("codename", "id")
        )
        # Settings read once: looked up for every row they cost more than the row.
        self.lead = lead_time()
        self.window = {urgency: response_time(urgency) for urgency in spreads.URGENCIES.values}
        self.review_after = {level: review_interval(level) for level in ["", *RiskLevel.values]}
        self.notices_from = reference - NOTICES_KEPT

    # --- time and chance ----------------------------------------------------------------------

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def midnight(self, day: date) -> datetime:
        """The first moment of ``day`` where the system runs (notifications.timing.start_of
        without its time zone lookup)."""
        return datetime.combine(day, time.min, tzinfo=self.tz)

    def within(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rng.random() * len(items))]

    # --- people -------------------------------------------------------------------------------

    def supervisor_of(self, person: Person) -> Person | None:
        return self.person.get(person.supervisor_id) if person.supervisor_id else None

    def answerer(self, org: Org) -> Person:
        """A case worker of ``org``, who answers its referrals and is given the child."""
        return self.pick(self.people_of[org.id]["workers"])

    # --- what happens to a case ---------------------------------------------------------------

    def event(
        self,
        story: Story,
        at: datetime,
        actor: Person | None,
        action: str,
        *,
        subject: tuple[str, int] | None = None,
        changes: dict[str, Any] | None = None,
    ) -> None:
        """An audit event of the case; ``subject`` is (object type, id) when not the case."""
        object_type, object_id = subject or ("cases.case", story.id)
        self.trail.add(
            at,
            actor,
            action,
            object_type=object_type,
            object_id=object_id,
            case_id=story.id,
            changes=changes,
        )

    def notify(
        self,
        story: Story,
        kind: str,
        person: Person | None,
        at: datetime,
        *,
        subject: str,
        period: str = "",
        **links: Any,
    ) -> None:
        """A notification as notifications.outbox.notify keys it (kind, subject, person,
        period), kept when it falls in the last year."""
        if person is None or not self.notices_from <= at < self.reference:
            return
        story.notices[f"{kind}|{subject}|{person.id}|{period}"] = (person, kind, at, links)

    def note(
        self,
        story: Story,
        at: datetime,
        kind: str,
        text: str,
        *,
        author: Person | None = None,
        agency: Org | None = None,
    ) -> None:
        author = author or story.owner
        self.t["note"].add(
            id=self.t["note"].new_id(),
            case_id=story.id,
            kind=kind,
            date=self.local_date(at),
            text=text,
            agency_id=(agency or story.agency).id,
            author_id=author.id,
            created_at=at,
        )
        if kind in CONTACT_KINDS:
            story.last_contact = max(story.last_contact or at, at)

    def grant(
        self,
        story: Story,
        person: Person,
        sections: set[str],
        *,
        reason: str,
        at: datetime,
        actor: Person,
    ) -> None:
        """Grants as cases.services.access.case_set_grants gives them: a basis row per
        reason, and the union of the sections (with the right to contribute)."""
        granted = story.granted.setdefault(person.id, set())
        granted.update(sections)
        self.t["grant_basis"].add(
            id=self.t["grant_basis"].new_id(),
            case_id=story.id,
            user_id=person.id,
            reason=reason,
            sections=json.dumps(sorted(sections)),
            contribute=True,
        )
        codenames = sorted({SECTION_PERMISSIONS[s] for s in granted} | {CONTRIBUTE_PERMISSION})
        changes = {"grantee": person.id, "granted": codenames, "reason": reason}
        self.event(story, at, actor, "case.grants", changes=changes)


def _people_by_role(org: Org) -> dict[str, list[Person]]:
    """An agency's people by role, and as "workers" (who hold cases and answer referrals) and
    "referrers" (who register children and refer them on)."""
    found: dict[str, list[Person]] = defaultdict(list)
    for person in org.people:
        found[person.role].append(person)
        if person.role in CASE_WORKERS:
            found["workers"].append(person)
        if person.role in REFERRERS:
            found["referrers"].append(person)
    found.setdefault(Role.SUPERVISOR, [])
    return found
