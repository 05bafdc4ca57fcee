"""The call log page: an operator records a call from a phone in a few taps, and sees the
helpline's calls of the day with their counts by action."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from intake.models import HelplineCall
from tests.conftest import World
from tests.factories import CaseFactory
from tests.intake.test_calls_api import Helplines, make_helplines
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

URL = "/calls/"


@pytest.fixture
def helplines(world: World) -> Helplines:
    return make_helplines()


def _form(**changes: str) -> dict[str, str]:
    now = timezone.localtime() - timedelta(minutes=5)
    return {
        "caller_type": "teacher",
        "reason": "abuse",
        "action": "advice",
        "duration_minutes": "12",
        "received_on": now.strftime("%d/%m/%Y"),
        "received_time": now.strftime("%H:%M"),
        "case_number": "",
        "concern_report": "",
        "note": "",
        **changes,
    }


def _counts(html: str) -> dict[str, int]:
    block = html.split('id="call-counts"', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(\d+)</dd>", block)
    return {label: int(count) for label, count in pairs}


def test_the_operator_records_a_call_and_sees_it_counted(helplines: Helplines) -> None:
    client = signed_in(helplines.operator)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="radio" name="caller_type"' in html
    assert 'type="radio" name="action"' in html
    assert '<select name="reason"' in html
    # The time defaults to now, typed day first.
    assert timezone.localdate().strftime("%d/%m/%Y") in html

    saved = client.post(URL, _form(note="ឪពុកម្តាយមិននៅផ្ទះ"), follow=True)
    assert saved.status_code == 200
    call = HelplineCall.objects.get()
    assert (call.caller_type, call.reason, call.action, call.duration_minutes) == (
        "teacher",
        "abuse",
        "advice",
        12,
    )
    assert call.operator == helplines.operator
    assert call.note == "ឪពុកម្តាយមិននៅផ្ទះ"
    assert AuditEvent.objects.filter(action="helpline_call.create").count() == 1
    client.post(URL, _form(action="referral", caller_type="child"))
    html = client.get(URL).content.decode()
    assert "ឪពុកម្តាយមិននៅផ្ទះ" in html
    counts = _counts(html)
    assert counts["All calls"] == 2
    assert counts["Advice given"] == 1
    assert counts["Referred"] == 1
    assert counts["No action"] == 0


def test_the_page_speaks_khmer(helplines: Helplines) -> None:
    html = signed_in(helplines.operator, language="km").get(URL).content.decode()
    assert 'lang="km"' in html


def test_a_case_number_out_of_reach_is_refused_and_nothing_saved(
    world: World, helplines: Helplines
) -> None:
    client = signed_in(helplines.operator)
    answer = client.post(URL, _form(action="case_opened", case_number=world.own_case.case_number))
    assert answer.status_code == 400
    assert "No such case." in answer.content.decode()
    assert not HelplineCall.objects.exists()


def test_a_case_number_the_operator_holds_links_the_case(
    world: World, helplines: Helplines
) -> None:
    case = CaseFactory.create(owner=helplines.operator, location=world.pp_village)
    client = signed_in(helplines.operator)
    answer = client.post(URL, _form(action="case_opened", case_number=case.case_number))
    assert answer.status_code == 302
    assert HelplineCall.objects.get().case == case


def test_case_opened_without_a_case_is_refused_beside_the_field(helplines: Helplines) -> None:
    answer = signed_in(helplines.operator).post(URL, _form(action="case_opened"))
    assert answer.status_code == 400
    assert "Name the case the call opened." in answer.content.decode()
    assert not HelplineCall.objects.exists()


def test_the_log_is_the_helplines_own(world: World, helplines: Helplines) -> None:
    signed_in(helplines.operator).post(URL, _form(note="first call"))
    other = signed_in(helplines.other_operator).get(URL).content.decode()
    assert "first call" not in other
    # The supervisor reads the log without the form; a social worker is refused.
    supervisor = signed_in(helplines.supervisor).get(URL).content.decode()
    assert "first call" in supervisor
    assert 'name="caller_type"' not in supervisor
    assert signed_in(world.worker).get(URL).status_code == 403


def test_the_operators_menu_and_home_lead_to_the_page(helplines: Helplines) -> None:
    html = signed_in(helplines.operator).get("/").content.decode()
    assert html.count(f'href="{URL}"') == 2
