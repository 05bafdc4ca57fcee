"""Referrals in a case's history: the transfer from the police, labour inspector or helpline
who met the child to the agency that manages the case, and the service referrals it sends,
each in the state it would be in now, with the grants an accepted one gives."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from accounts.choices import Role
from benchmarks.dataset import spreads, texts
from benchmarks.dataset.organisations import Org, Person
from benchmarks.dataset.story import DAY, Context, Story
from cases.choices import Section

APPROVAL_WAIT = timedelta(hours=48)
TRANSFER_SECTIONS = sorted(Section.values)
SERVICE_SHARED_SECTIONS = (["profile", "concerns"], ["profile", "concerns", "risk"], ["profile"])
SERVICE_NEEDS = spreads.Weighted(
    [
        ("psychosocial", 24),
        ("medical", 14),
        ("education", 16),
        ("legal_aid", 10),
        ("family_tracing", 8),
        ("cash_support", 8),
        ("livelihood", 8),
        ("vocational_training", 7),
        ("alternative_care", 3),
        ("follow_up", 2),
    ]
)
REFERRALS_PER_CASE = spreads.Weighted([(0, 40), (1, 32), (2, 18), (3, 10)])


class ReferralHistory:
    def __init__(self, context: Context) -> None:
        self.c = context

    def transfer(self, story: Story, intake: Org) -> datetime:
        """The officer who met the child registers the case and transfers it to the agency
        that will manage it. Returns when it was handed over (the reference moment if not
        yet, and the officer still holds the case)."""
        c, rng = self.c, self.c.rng
        people = c.people_of[intake.id]
        officer = c.pick(people["referrers"] or people["workers"])
        holder, managing = story.owner, story.agency
        story.creator, story.owner, story.agency = officer, officer, intake
        created = story.opened + timedelta(hours=2 + 70 * rng.random())
        if created >= story.end:
            return c.reference
        urgency = spreads.URGENCIES.pick(rng)
        window = c.window[urgency]
        answered = created + window * (0.02 + 0.8 * rng.random())
        override = officer.role == Role.POLICE and rng.random() < 0.3
        referral_id = c.t["referral"].new_id()
        subject = ("referrals.referral", referral_id)
        accepted = answered < story.end
        values: dict[str, Any]
        if accepted:
            values = {
                "status": "accepted",
                "answered_by_id": holder.id,
                "answered_at": answered,
                "assigned_to_id": holder.id,
            }
        elif story.closed:
            values = {
                "status": "cancelled",
                "cancelled_by_id": officer.id,
                "closed_at": story.end,
                "cancel_reason": texts.CANCEL_REASONS[0],
            }
        else:
            values = {"status": "sent", "reminder_at": self._deadline_ahead(created + window)}
        c.t["referral"].add(
            id=referral_id,
            case_id=story.id,
            from_agency_id=intake.id,
            to_agency_id=managing.id,
            type="transfer",
            urgency=urgency,
            services="[]",
            reason=texts.TRANSFER_REASON,
            shared_sections=json.dumps(TRANSFER_SECTIONS),
            consent_override_reason=texts.OVERRIDE_REASON if override else "",
            respond_by=created + window,
            created_by_id=officer.id,
            created_at=created,
            sent_at=created,
            updated_at=answered if accepted else created,
            **values,
        )
        c.event(
            story,
            created,
            officer,
            "referral.create",
            subject=subject,
            changes={
                "to_agency": managing.id,
                "type": "transfer",
                "urgency": urgency,
                "status": "sent",
                "consent_override": override,
            },
        )
        for supervisor in c.people_of[managing.id][Role.SUPERVISOR]:
            c.notify(
                story,
                "referral_received",
                supervisor,
                created,
                subject=f"referral:{referral_id}",
                referral_id=referral_id,
            )
        if not accepted:
            return c.reference
        c.event(
            story,
            answered,
            holder,
            "referral.accept",
            subject=subject,
            changes={"assigned_to": holder.id, "type": "transfer"},
        )
        c.notify(
            story,
            "referral_accepted",
            officer,
            answered,
            subject=f"referral:{referral_id}",
            referral_id=referral_id,
        )
        story.owner, story.agency = holder, managing
        story.agencies_referred.add(managing.id)
        story.touch(answered)
        return answered

    def services(self, story: Story, start: datetime, *, removal: bool) -> None:
        """The service referrals of the case, to agencies offering what the child needs."""
        c = self.c
        province = story.province.place.code
        for number in range(REFERRALS_PER_CASE.pick(c.rng) + (1 if removal else 0)):
            need = "shelter" if removal and number == 0 else SERVICE_NEEDS.pick(c.rng)
            providers = [
                org
                for org in c.directory.providers_of(need, province)
                if org.id != story.agency.id and org.id not in story.agencies_referred
            ]
            if providers:
                provider = c.pick(providers)
                story.agencies_referred.add(provider.id)
                created = c.within(start, start + (story.end - start) * 0.7)
                self._service_referral(story, provider, need, created)

    def _deadline_ahead(self, moment: datetime) -> datetime | None:
        """A reminder time the sweep has not reached yet; a passed one was reminded already."""
        return moment if moment > self.c.reference else None

    def _service_referral(self, story: Story, to: Org, need: str, created: datetime) -> None:
        c, rng, owner = self.c, self.c.rng, story.owner
        referral_id = c.t["referral"].new_id()
        urgency = spreads.URGENCIES.pick(rng)
        sections = rng.choice(SERVICE_SHARED_SECTIONS)
        also = [s for s in to.services if s != need][:1] if rng.random() < 0.3 else []
        services = [need, *also]
        needs_approval = story.agency.requires_referral_approval and owner.role != Role.SUPERVISOR
        c.event(
            story,
            created,
            owner,
            "referral.create",
            subject=("referrals.referral", referral_id),
            changes={
                "to_agency": to.id,
                "type": "service",
                "urgency": urgency,
                "services": services,
                "shared_sections": sections,
                "status": "pending_approval" if needs_approval else "sent",
            },
        )
        row = {
            "id": referral_id,
            "case_id": story.id,
            "from_agency_id": story.agency.id,
            "to_agency_id": to.id,
            "type": "service",
            "urgency": urgency,
            "services": json.dumps(services),
            "reason": texts.REFERRAL_REASONS[need],
            "shared_sections": json.dumps(sections),
            "created_by_id": owner.id,
            "created_at": created,
        }
        sent = created
        if needs_approval:
            approved = self._approval(story, referral_id, created)
            if approved is None:
                c.t["referral"].add(**row, **self._waiting_for_approval(story, created))
                return
            sent, row["approved_by_id"] = approved
        row.update(
            self._answer(
                story,
                to,
                referral_id=referral_id,
                sent=sent,
                window=c.window[urgency],
                sections=set(sections),
            )
        )
        c.t["referral"].add(**row, sent_at=sent, respond_by=sent + c.window[urgency])

    def _approval(
        self, story: Story, referral_id: int, created: datetime
    ) -> tuple[datetime, int] | None:
        """When the sender's supervisor approved it, and who; None while it waits."""
        c = self.c
        supervisor = c.supervisor_of(story.owner)
        c.notify(
            story, "approval_requested", supervisor, created, subject=f"referral:{referral_id}"
        )
        approved = created + timedelta(hours=1 + 40 * c.rng.random())
        if approved >= story.end or supervisor is None:
            return None
        c.event(
            story,
            approved,
            supervisor,
            "referral.approve",
            subject=("referrals.referral", referral_id),
        )
        return approved, supervisor.id

    def _waiting_for_approval(self, story: Story, created: datetime) -> dict[str, Any]:
        if story.closed:
            return {
                "status": "cancelled",
                "cancelled_by_id": story.owner.id,
                "cancel_reason": texts.CANCEL_REASONS[1],
                "closed_at": story.end,
                "sent_at": None,
                "respond_by": None,
                "updated_at": story.end,
            }
        return {
            "status": "pending_approval",
            "sent_at": None,
            "respond_by": None,
            "reminder_at": self._deadline_ahead(created + APPROVAL_WAIT),
            "updated_at": created,
        }

    def _answer(
        self,
        story: Story,
        to: Org,
        *,
        referral_id: int,
        sent: datetime,
        window: timedelta,
        sections: set[str],
    ) -> dict[str, Any]:
        """What became of a sent referral: its fields as they are now."""
        c, rng, owner, end = self.c, self.c.rng, story.owner, story.end
        subject = ("referrals.referral", referral_id)
        for supervisor in c.people_of[to.id][Role.SUPERVISOR]:
            c.notify(
                story,
                "referral_received",
                supervisor,
                sent,
                subject=f"referral:{referral_id}",
                referral_id=referral_id,
            )
        answered = sent + window * (0.02 + 1.2 * rng.random())
        ending = spreads.REFERRAL_ENDINGS.pick(rng)
        cancelled = sent + (answered - sent) * 0.5
        if ending == "cancelled" and cancelled < end:
            reason = rng.choice(texts.CANCEL_REASONS)
            c.event(
                story,
                cancelled,
                owner,
                "referral.cancel",
                subject=subject,
                changes={"reason": reason},
            )
            return {
                "status": "cancelled",
                "cancelled_by_id": owner.id,
                "cancel_reason": reason,
                "closed_at": cancelled,
                "updated_at": cancelled,
            }
        if ending == "expired" and sent + window + 3 * DAY < end:
            expired = sent + window + 3 * DAY
            return {"status": "expired", "closed_at": expired, "updated_at": expired}
        if answered >= end:
            if story.closed:  # closing the case withdrew it
                return {
                    "status": "cancelled",
                    "cancelled_by_id": owner.id,
                    "closed_at": end,
                    "cancel_reason": texts.CANCEL_REASONS[1],
                    "updated_at": end,
                }
            return {
                "status": "sent",
                "reminder_at": self._deadline_ahead(sent + window),
                "updated_at": sent,
            }
        receiver = c.answerer(to)
        if ending == "declined":
            reason = rng.choice(texts.DECLINE_REASONS)
            c.event(
                story,
                answered,
                receiver,
                "referral.decline",
                subject=subject,
                changes={"reason": reason},
            )
            c.notify(
                story,
                "referral_declined",
                owner,
                answered,
                subject=f"referral:{referral_id}",
                referral_id=referral_id,
            )
            return {
                "status": "declined",
                "answered_by_id": receiver.id,
                "answered_at": answered,
                "decline_reason": reason,
                "closed_at": answered,
                "updated_at": answered,
            }
        c.event(
            story,
            answered,
            receiver,
            "referral.accept",
            subject=subject,
            changes={"assigned_to": receiver.id, "type": "service"},
        )
        c.notify(
            story,
            "referral_accepted",
            owner,
            answered,
            subject=f"referral:{referral_id}",
            referral_id=referral_id,
        )
        accepted = {
            "answered_by_id": receiver.id,
            "answered_at": answered,
            "assigned_to_id": receiver.id,
        }
        return {
            **accepted,
            **self._worked_on(
                story, to, receiver, referral_id=referral_id, answered=answered, sections=sections
            ),
        }

    def _worked_on(
        self,
        story: Story,
        to: Org,
        receiver: Person,
        *,
        referral_id: int,
        answered: datetime,
        sections: set[str],
    ) -> dict[str, Any]:
        """An accepted referral: still worked on (the receiver holds the shared sections) or
        completed, its outcome written into the case as a note of the receiving agency."""
        c = self.c
        completed = answered + timedelta(days=14 + 136 * c.rng.random())
        if story.closed:
            completed = min(completed, story.end)
        elif completed >= story.end:
            c.grant(story, receiver, sections, reason="referral", at=answered, actor=receiver)
            return {"status": "accepted", "updated_at": answered}
        outcome = c.rng.choice(texts.OUTCOMES)
        c.note(story, completed, "referral_outcome", outcome, author=receiver, agency=to)
        c.event(
            story,
            completed,
            receiver,
            "referral.complete",
            subject=("referrals.referral", referral_id),
        )
        return {
            "status": "completed",
            "outcome": outcome,
            "completed_at": completed,
            "closed_at": completed,
            "updated_at": completed,
        }
