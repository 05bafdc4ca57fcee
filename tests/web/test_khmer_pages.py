"""Khmer that reads right: every page a person of each role reaches, rendered in Khmer, has no
English words left in it, only names, codes and numbers; and the fixes that made it so (the
language switch, the risk level's name, a plan's due date, the selects' empty choice)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.test import Client
from django.utils import timezone, translation
from django.utils.dates import MONTHS

from accounts.models import Agency, Location, User
from cases.choices import RiskLevel
from cases.models import CasePlan, Child
from tests.conftest import World
from tests.web.conftest import signed_in
from tests.web.test_case_pages import LOW_ANSWERS

# Words that are Latin in Khmer too: the system's, the ministries', programmes' and partner
# systems' names, file formats, the program that opens them, and the web's protocol.
LATIN_IN_KHMER = {
    *("CPIMS", "MoSVY", "DoSVY", "IDPoor", "Primero", "OSCaR"),
    *("CSV", "XLSX", "Excel", "JSON", "PDF", "API", "https"),
}
# A word of Latin letters (an English word, once codes and numbers are left out).
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
# Case numbers, references, dates and such: letters and digits run together.
CODE = re.compile(r"\S*\d\S*")
# What a select offers for no choice unless told otherwise: not a word, but not Khmer either.
DJANGO_EMPTY_CHOICE = "---------"
# Pages that are not pages: downloads, the sign-out, addresses only forms post to.
NOT_CRAWLED = ("/api/", "/admin/", "/static/", "/i18n/", "/accounts/logout/", "/download/")
PAGES_PER_PERSON = 60


class _Text(HTMLParser):
    """The text a reader sees in Khmer: the content of elements, not tags, attributes or
    scripts, nor what is marked as written in another language (the switch's "English")."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden: list[str] = []  # the elements, still open, whose text is not read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in {"script", "style", "template"} or (attributes.get("lang") or "km") != "km":
            self._hidden.append(tag)
        if tag == "a":
            href = attributes.get("href") or ""
            if href.startswith("/"):
                self.links.append(urlsplit(href).path)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


def _typed_by_the_fixture() -> set[str]:
    """The words of the data the tests typed: people's, children's, agencies' and places'
    names, usernames and case numbers, which stay as they were written."""
    written: list[str] = []
    for user in User.objects.all():
        written += [user.username, user.get_full_name(), user.get_short_name(), user.email]
    written += list(Agency.objects.values_list("name", flat=True))
    written += [str(name) for name in Location.objects.values_list("name_en", flat=True)]
    for child in Child.objects.all():
        written += [child.given_name, child.family_name]
    written += ["Back to school", "Enrol her"]  # the plan this test writes
    return {word for text in written for word in LATIN_WORD.findall(text or "")}


def _english_left(text: str, allowed: set[str]) -> set[str]:
    """The English words of a page's text, and Django's untranslated empty choice."""
    words = CODE.sub(" ", text)
    left = {word for word in LATIN_WORD.findall(words) if word not in allowed}
    return left | ({DJANGO_EMPTY_CHOICE} if DJANGO_EMPTY_CHOICE in text else set())


def _crawl(client: Client, allowed: set[str]) -> dict[str, set[str]]:
    """Each page reachable by following the links from the home page (addresses without their
    query), with the English words left on it."""
    found: dict[str, set[str]] = {}
    to_visit, seen = ["/"], {"/"}
    while to_visit and len(seen) <= PAGES_PER_PERSON:
        path = to_visit.pop(0)
        answer = client.get(path)
        if not answer["Content-Type"].startswith("text/html"):
            continue
        page = _read(answer.content.decode())
        left = _english_left(" ".join(page.parts), allowed)
        if left:
            found[path] = left
        for link in page.links:
            if link not in seen and not link.startswith(NOT_CRAWLED):
                seen.add(link)
                to_visit.append(link)
    return found


def _write_a_plan(world: World) -> None:
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    written = signed_in(world.worker).post(
        f"/cases/{world.own_case.pk}/plan/new/",
        {
            "goals": "1",
            "goal-0-actions": "1",
            "goal-0-description": "Back to school",
            "goal-0-action-0-description": "Enrol her",
            "goal-0-action-0-responsible": world.worker.pk,
            "goal-0-action-0-due_date": due,
        },
    )
    assert written.status_code == 302


def test_every_page_of_every_role_reads_in_khmer(world: World) -> None:
    _write_a_plan(world)
    people = [
        world.worker,
        world.supervisor,
        world.dosvy_officer,
        world.agency_admin,
        world.commune_member,
        world.police,
        world.analyst,
        world.system_admin,
    ]
    User.objects.filter(pk__in=[person.pk for person in people]).update(preferred_language="km")
    allowed = LATIN_IN_KHMER | _typed_by_the_fixture()

    english = {
        f"{person.username} {path}": sorted(words)
        for person in people
        for path, words in _crawl(signed_in(person), allowed).items()
    }

    assert not english, "English words on Khmer pages:\n" + "\n".join(
        f"{page}: {' '.join(words)}" for page, words in sorted(english.items())
    )


def test_the_language_switch_names_each_language_in_its_own_script(world: World) -> None:
    in_english = signed_in(world.worker, language="en").get("/cases/").content.decode()
    in_khmer = signed_in(world.worker, language="km").get("/cases/").content.decode()

    assert 'value="km" lang="km" class="secondary">ខ្មែរ</button>' in in_english
    assert 'value="en" lang="en" class="secondary">English</button>' in in_khmer
    assert ">Khmer<" not in in_english


def test_a_plans_due_date_is_translated_as_a_date_not_a_person(world: World) -> None:
    _write_a_plan(world)
    action = CasePlan.objects.get().goals.get().actions.get()
    day = action.due_date
    assert day is not None
    with translation.override("km"):
        due_by = translation.pgettext("due date", "by")
        person_by = translation.gettext("by")
        month = str(MONTHS[day.month])

    page = signed_in(world.worker, language="km").get(f"/cases/{world.own_case.pk}/plan/")

    # The day first and the month by its Khmer name, as every date of the pages in Khmer.
    assert f"{due_by} {day.day} {month} {day.year}" in page.content.decode()
    assert not LATIN_WORD.search(month)
    assert not LATIN_WORD.search(due_by), "the date sense needs its own Khmer translation"
    assert due_by != person_by, "a due date is not done by a person"


def test_the_safety_plan_refusal_names_the_risk_level_in_khmer(world: World) -> None:
    client = signed_in(world.worker, language="km")
    url = f"/cases/{world.own_case.pk}/risk/new/"
    instrument = client.get(url).context["form"]["instrument"].value()
    answers = {**LOW_ANSWERS, "q_confinement": "yes", "q_immediate_danger": "yes"}

    answer = client.post(url, {"instrument": instrument, **answers})

    assert answer.status_code == 400
    errors = " ".join(answer.context["form"].errors["safety_plan"])
    with translation.override("km"):
        assert str(RiskLevel.CRITICAL.label) in errors
    assert not LATIN_WORD.search(errors), errors


def test_no_select_offers_djangos_untranslated_empty_choice(world: World) -> None:
    pages = [
        (world.worker, f"/cases/{world.own_case.pk}/services/"),
        (world.supervisor, f"/cases/{world.own_case.pk}/"),
        (world.worker, "/cases/new/"),
    ]

    for person, path in pages:
        answer = signed_in(person, language="km").get(path, follow=True)
        assert answer.status_code == 200, path
        assert DJANGO_EMPTY_CHOICE not in answer.content.decode(), path
