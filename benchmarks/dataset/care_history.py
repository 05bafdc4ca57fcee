"""Care in a case's history: a child taken into a shelter or residential care (with the
gatekeeping decision, and for trafficked children the custody transfer), and perhaps returned
to a family, with the follow-up visits after it."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from benchmarks.dataset import spreads, texts
from benchmarks.dataset.organisations import Person
from benchmarks.dataset.story import DAY, Context, Story
from reintegration.services import COMMUNE_SECTIONS, FOLLOW_UP_WORKER_SECTIONS, add_months

SCHEDULE_MONTHS = [1, 3, 6, 12]
WELLBEING = (
    "safety",
    "care",
    "health",
    "education",
    "family_relationships",
    "economic",
    "child_view",
)
OUTCOME_SCORE = {"stable": 4, "at_risk": 3, "breakdown": 2}


class CareHistory:
    def __init__(self, context: Context) -> None:
        self.c = context

    def care(self, story: Story, start: datetime) -> None:
        """The child is taken into care, and perhaps returned to a family."""
        c, rng, owner = self.c, self.c.rng, story.owner
        away_at = start + timedelta(hours=2 + 24 * 7 * rng.random())
        if away_at >= story.end:
            return
        kind = spreads.PLACEMENT_AWAY.pick(rng)
        shelters = c.directory.providers_of("shelter", story.province.place.code)
        facility = c.pick(shelters) if shelters else story.agency
        returned = away_at + timedelta(days=45 + 355 * rng.random())
        reintegrated = rng.random() < 0.6 and returned < story.end
        gatekeeping: dict[str, Any] = {}
        if kind == "residential_care":
            gatekeeping = {
                "gatekeeping_reason": "No safe family-based care available now.",
                "gatekeeping_alternatives": "Kinship care with the aunt; foster care.",
                "gatekeeping_approved_by_id": (c.supervisor_of(owner) or owner).id,
            }
        away_id = c.t["placement"].new_id()
        c.t["placement"].add(
            id=away_id,
            case_id=story.id,
            type=kind,
            start_date=c.local_date(away_at),
            end_date=c.local_date(returned) if reintegrated else None,
            location_id=facility.seat.id if facility.seat else None,
            caregiver=facility.name,
            agency_id=facility.id if kind in {"shelter", "residential_care"} else None,
            recorded_by_id=owner.id,
            recorded_at=away_at,
            **gatekeeping,
        )
        c.event(
            story,
            away_at,
            owner,
            "placement.create",
            subject=("reintegration.placement", away_id),
            changes={"type": kind},
        )
        if "trafficking" in " ".join(story.concerns) and rng.random() < 0.5:
            consent = rng.random() < 0.6
            custody_id = c.t["custody"].new_id()
            c.t["custody"].add(
                id=custody_id,
                case_id=story.id,
                to_agency_id=facility.id,
                legal_basis="Order of the provincial prosecutor to protect a child victim.",
                authorising_official="Deputy Prosecutor",
                authorising_official_title="Deputy Prosecutor",
                date=c.local_date(away_at),
                family_consent=consent,
                no_consent_reason="" if consent else "The family is suspected of involvement.",
                recorded_by_id=owner.id,
                recorded_at=away_at,
            )
            c.event(
                story,
                away_at,
                owner,
                "custody.record",
                subject=("referrals.custodytransfer", custody_id),
            )
        if reintegrated:
            self._reintegrate(story, away_id, returned)

    def _reintegrate(self, story: Story, away_id: int, returned: datetime) -> None:
        """As reintegration.services.reintegration_create: the family placement, the schedule,
        the follow-up worker's grants and the commune's area grant."""
        c, rng, owner, home = self.c, self.c.rng, story.owner, story.home
        commune = c.gazetteer.commune_of[home.id]
        day = c.local_date(returned)
        home_id = c.t["placement"].new_id()
        c.t["placement"].add(
            id=home_id,
            case_id=story.id,
            type=spreads.PLACEMENT_HOME.pick(rng),
            start_date=day,
            end_date=None,
            location_id=home.id,
            caregiver="The child's family",
            agency_id=None,
            recorded_by_id=owner.id,
            recorded_at=returned,
        )
        worker = owner
        office = c.directory.district_offices.get(story.district.code)
        if office is not None and office.id != story.agency.id and rng.random() < 0.3:
            worker = c.answerer(office)
        committee = c.directory.ccwc_by_commune.get(commune.id)
        focal_point = c.pick(committee.people) if committee and committee.people else None
        reintegration_id = c.t["reintegration"].new_id()
        c.t["reintegration"].add(
            id=reintegration_id,
            case_id=story.id,
            date=day,
            placement_id=home_id,
            from_placement_id=away_id,
            commune_id=commune.id,
            readiness_assessment="The child wants to go home; counselling completed.",
            family_assessment="Parents willing and able; income support arranged.",
            preparation_visits=json.dumps(
                [{"date": (day - 14 * DAY).isoformat(), "notes": "Family visit with the child."}]
            ),
            follow_up_worker_id=worker.id,
            commune_focal_point_id=focal_point.id if focal_point else None,
            schedule_months=json.dumps(SCHEDULE_MONTHS),
            created_by_id=owner.id,
            created_at=returned,
        )
        c.event(
            story,
            returned,
            owner,
            "reintegration.create",
            subject=("reintegration.reintegration", reintegration_id),
            changes={
                "date": day.isoformat(),
                "commune": commune.id,
                "follow_up_worker": worker.id,
                "schedule_months": SCHEDULE_MONTHS,
            },
        )
        if worker.id != owner.id:
            sections = {str(section) for section in FOLLOW_UP_WORKER_SECTIONS}
            c.grant(story, worker, sections, reason="reintegration", at=returned, actor=owner)
        area_sections = sorted(str(section) for section in COMMUNE_SECTIONS)
        for section in area_sections:
            c.t["area_grant"].add(
                id=c.t["area_grant"].new_id(),
                case_id=story.id,
                location_id=commune.id,
                location_path=commune.path,
                section=section,
                reason="reintegration",
                created_at=returned,
            )
        changes = {"location": commune.id, "sections": area_sections, "reason": "reintegration"}
        c.event(story, returned, owner, "case.area_grants", changes=changes)
        story.stage = "reintegration"
        story.touch(returned)
        outcomes = self._visits(
            story, reintegration_id, day, created=returned, worker=worker, focal_point=focal_point
        )
        # The schedule is settled when every visit is done and the last two were stable.
        settled = len(outcomes) == len(SCHEDULE_MONTHS) and outcomes[-2:] == ["stable", "stable"]
        story.follow_up_pending = not settled
        if outcomes:
            story.stage = "follow_up"

    def _visits(
        self,
        story: Story,
        reintegration_id: int,
        day: date,
        *,
        created: datetime,
        worker: Person,
        focal_point: Person | None,
    ) -> list[str]:
        """The scheduled visits; returns the outcomes of those completed, in order."""
        c, rng = self.c, self.c.rng
        table = c.t["follow_up"]
        outcomes: list[str] = []
        for sequence, months in enumerate(SCHEDULE_MONTHS, start=1):
            scheduled = add_months(day, months)
            missed_id = None
            if c.midnight(scheduled) < story.end and rng.random() < 0.06:
                missed_id = table.new_id()
                table.add(
                    id=missed_id,
                    reintegration_id=reintegration_id,
                    case_id=story.id,
                    sequence=sequence,
                    scheduled_date=scheduled,
                    status="missed",
                    missed_reason=rng.choice(texts.MISSED_REASONS),
                    created_at=created,
                    updated_at=c.midnight(scheduled),
                )
                scheduled += timedelta(days=7 + int(rng.random() * 14))
            visit_id = table.new_id()
            due = c.midnight(scheduled)
            for person in (worker, focal_point):
                c.notify(
                    story,
                    "follow_up_due",
                    person,
                    due - c.lead,
                    subject=f"follow_up:{visit_id}",
                    period=scheduled.isoformat(),
                    follow_up_id=visit_id,
                    due_at=due,
                )
            visited = due + timedelta(hours=8 + 8 * rng.random())
            if visited < story.end and rng.random() < 0.95:
                visitor = focal_point if focal_point and rng.random() < 0.3 else worker
                values = self._completed(story, visit_id, visited, visitor)
                outcomes.append(values["outcome"])
            elif story.closed:
                values = {"status": "cancelled"}
            elif due < c.reference:  # overdue and reminded already; nobody has recorded it
                values = {"status": "scheduled"}
            else:  # as reintegration.reminders leaves it: the "due" reminder, then "overdue"
                first = due - c.lead
                values = {
                    "status": "scheduled",
                    "reminder_at": first if first > c.reference else due + DAY,
                }
            table.add(
                id=visit_id,
                reintegration_id=reintegration_id,
                case_id=story.id,
                sequence=sequence,
                scheduled_date=scheduled,
                rescheduled_from_id=missed_id,
                created_at=created,
                **{"updated_at": created, **values},
            )
        return outcomes

    def _completed(
        self, story: Story, visit_id: int, visited: datetime, visitor: Person
    ) -> dict[str, Any]:
        c, rng = self.c, self.c.rng
        outcome = spreads.FOLLOW_UP_OUTCOMES.pick(rng)
        base = OUTCOME_SCORE[outcome]
        scores = {domain: max(1, min(5, base + rng.choice([-1, 0, 0, 1]))) for domain in WELLBEING}
        day = c.local_date(visited)
        story.last_contact = max(story.last_contact or visited, visited)
        c.event(
            story,
            visited,
            visitor,
            "follow_up.complete",
            subject=("reintegration.followup", visit_id),
            changes={"visit_date": day.isoformat(), "outcome": outcome},
        )
        return {
            "status": "completed",
            "updated_at": visited,
            "visit_date": day,
            "visited_by_id": visitor.id,
            "outcome": outcome,
            "scores": json.dumps(scores),
            "completed_at": visited,
            "notes": rng.choice(texts.FOLLOW_UP_NOTES),
        }
