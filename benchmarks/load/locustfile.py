"""The mixed workload, run by locust in its own process (never imported by Django: locust
patches the standard library for gevent). Read by ``manage.py benchmark_load``; the plan it
writes (CPIMS_LOAD_PLAN) gives each simulated user a persona, in turn, with its token, its cases
and the names of their children.

Mostly reads, as people work: lists and case files, searches, incoming referrals, follow-ups
due and notifications; a few writes that are cheap and valid on any generated dataset: a note
of a phone call on a case the persona may write on, and a follow-up visit recorded (each visit
once). Users send their next request as soon as the answer arrives (no think time): N users
are N requests in flight, a measure of throughput rather than a count of people."""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]
from locust import FastHttpUser, constant, events, task
from locust.env import Environment

PLAN = json.loads(Path(os.environ["CPIMS_LOAD_PLAN"]).read_text(encoding="utf-8"))
MAX_REQUESTS = int(os.environ.get("CPIMS_LOAD_MAX_REQUESTS", "0"))
PERSONAS: list[dict[str, Any]] = PLAN["personas"]
# Who has no name of their own to look for searches with those of someone who has.
ANY_LATIN = next((p["latin_names"] for p in PERSONAS if p["latin_names"]), ["Sok Dara"])
ANY_KHMER = next((p["khmer_names"] for p in PERSONAS if p["khmer_names"]), ["សុខតារា"])
CASE_FILTERS = (
    "status=open",
    "status=open&risk_level=high",
    "status=open&stage=case_plan",
    "status=open&concern=neglect",
)
VISIT = {
    "visit_date": PLAN["today"],
    "outcome": "stable",
    "scores": dict.fromkeys(PLAN["wellbeing_domains"], 4),
    "notes": "Child at home and at school.",
}
_next_user = itertools.count()
# Each visit is recorded once, whichever user of the persona records it.
_visits = {persona["key"]: iter(persona["follow_up_ids"]) for persona in PERSONAS}
_sent = itertools.count(1)


_environment: Environment | None = None


@events.init.add_listener
def _keep_environment(environment: Environment, **_kwargs: Any) -> None:
    global _environment  # noqa: PLW0603 - locust hands the environment over once, at start
    _environment = environment


@events.request.add_listener
def _stop_after_max_requests(**_kwargs: Any) -> None:
    """The run is bounded in count as well as in time."""
    if (
        MAX_REQUESTS
        and next(_sent) == MAX_REQUESTS
        and _environment is not None
        and _environment.runner is not None
    ):
        # Not from this user's own greenlet, which stopping the runner ends.
        gevent.spawn(_environment.runner.quit)


class Person(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.persona = PERSONAS[next(_next_user) % len(PERSONAS)]
        self.rng = random.Random(f"{self.persona['key']}:{id(self)}")  # noqa: S311 - a sample
        self.headers = {
            "Authorization": f"Bearer {self.persona['token']}",
            # As the reference proxy sends it: the server's settings trust it for HTTPS.
            "X-Forwarded-Proto": "https",
        }

    def _get(self, path: str, name: str) -> None:
        self.client.get(path, headers=self.headers, name=name)

    def _post(self, path: str, body: dict[str, Any], name: str) -> None:
        self.client.post(path, json=body, headers=self.headers, name=name)

    @task(20)
    def case_list(self) -> None:
        self._get(f"/api/v1/cases/?{self.rng.choice(CASE_FILTERS)}", "case list")

    @task(20)
    def case_detail(self) -> None:
        if not self.persona["case_ids"]:
            self.case_list()
            return
        self._get(f"/api/v1/cases/{self.rng.choice(self.persona['case_ids'])}/", "case detail")

    @task(8)
    def search_latin(self) -> None:
        name = self.rng.choice(self.persona["latin_names"] or ANY_LATIN)
        self.client.get(
            "/api/v1/cases/", params={"q": name}, headers=self.headers, name="search, Latin"
        )

    @task(8)
    def search_khmer(self) -> None:
        name = self.rng.choice(self.persona["khmer_names"] or ANY_KHMER)
        self.client.get(
            "/api/v1/cases/", params={"q": name}, headers=self.headers, name="search, Khmer"
        )

    @task(8)
    def incoming_referrals(self) -> None:
        self._get("/api/v1/referrals/?direction=incoming&status=sent", "incoming referrals")

    @task(4)
    def incoming_referrals_all(self) -> None:
        self._get("/api/v1/referrals/?direction=incoming", "incoming referrals, all")

    @task(8)
    def follow_ups_due(self) -> None:
        self._get(
            f"/api/v1/follow-ups/?status=scheduled&due_before={PLAN['due_before']}",
            "follow-ups due",
        )

    @task(8)
    def notifications(self) -> None:
        self._get("/api/v1/notifications/", "notifications")

    @task(4)
    def unread_count(self) -> None:
        self._get("/api/v1/notifications/unread-count/", "notifications, unread count")

    @task(4)
    def write_note(self) -> None:
        if not self.persona["note_case_ids"]:
            self.case_list()
            return
        case_id = self.rng.choice(self.persona["note_case_ids"])
        note = {"kind": "phone", "date": PLAN["today"], "text": "Called the caregiver."}
        self._post(f"/api/v1/cases/{case_id}/notes/", note, "write: case note")

    @task(2)
    def record_visit(self) -> None:
        visit_id = next(_visits[self.persona["key"]], None)
        if visit_id is None:
            self.write_note()
            return
        self._post(f"/api/v1/follow-ups/{visit_id}/complete/", VISIT, "write: follow-up visit")
