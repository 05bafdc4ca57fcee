"""The analyst's dashboard on a 360 px phone, in Khmer: the charts are drawn, titled in the
reader's language, nothing is wider than the screen, and the browser refuses nothing under the
Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from reporting.web.dashboard import CHARTS
from tests.browser.conftest import DESKTOP, PHONE, Photographer
from tests.browser.test_content_security_policy import _watch_refusals
from tests.browser.test_journeys import sign_in
from tests.conftest import World
from tests.reporting.test_dashboard import scene

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

KHMER = {
    "opened": "ការជួញដូរផ្លូវភេទ",  # sex trafficking, in the legend
    "risk": "ខ្ពស់",  # high
    "referrals": "បន្ទាន់",  # urgent
    "follow_ups": "មានស្ថិរភាព",  # stable
}


def test_the_analysts_dashboard_on_a_phone_in_khmer_shows_its_charts(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    scene(world)
    page = open_page(viewport=PHONE)
    refusals = _watch_refusals(page)
    page.goto("/accounts/login/")
    page.locator("button[name=language][value=km]").click()
    expect(page.locator("html")).to_have_attribute("lang", "km")

    sign_in(page, world.analyst.username)

    # The analyst's home is the dashboard.
    expect(page).to_have_url(f"{page.url.split('/statistics/')[0]}/statistics/")
    charts = page.locator("svg.chart[role=img]")
    expect(charts).to_have_count(len(CHARTS))
    photograph(page, "dashboard-phone-km")
    with translation.override("km"):
        titles = {chart.key: translation.gettext(str(chart.title)) for chart in CHARTS}
    for chart in CHARTS:
        svg = page.locator(f"#panel-{chart.key} svg.chart")
        expect(svg).to_be_visible()
        title_id = svg.get_attribute("aria-labelledby", timeout=1000)
        assert title_id is not None
        title = page.locator(f"[id='{title_id.split()[0]}']")
        expect(title).to_have_text(titles[chart.key])
        expect(svg).to_contain_text(KHMER[chart.key])
        box = svg.bounding_box()
        assert box is not None
        assert box["width"] > 300  # full width on a phone
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.fonts.check('12px \"Noto Sans Khmer\"', 'ក')")
    expect(page.locator("#panel-places table")).to_contain_text(world.phnom_penh.name_km)

    # Nothing wider than the screen: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert refusals == []


def test_on_a_wide_screen_each_chart_stands_beside_its_table(
    world: World, open_page: Any, photograph: Photographer
) -> None:
    scene(world)
    page = open_page(viewport=DESKTOP)
    refusals = _watch_refusals(page)
    sign_in(page, world.analyst.username)

    risk = page.locator("#panel-risk")
    chart = risk.locator("svg.chart").bounding_box()
    table = risk.locator("table").bounding_box()
    photograph(page, "dashboard-desktop")

    assert chart is not None
    assert table is not None
    assert table["x"] >= chart["x"] + chart["width"]  # beside, not below
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert refusals == []
