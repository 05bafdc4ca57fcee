"""Under the strict Content-Security-Policy every page still works: the browser refuses nothing
on a case file, its print page, the case search (htmx) or the API documentation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.test_journeys import sign_in
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _watch_refusals(page: Page) -> list[str]:
    """What the browser refused under the policy, as Chromium reports it on the console."""
    refusals: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refusals.append(f"{page.url}: {message.text}")

    page.on("console", note)
    return refusals


def test_a_case_file_its_print_page_and_the_search_load_with_nothing_refused(
    world: World, open_page: Any
) -> None:
    page = open_page()
    refusals = _watch_refusals(page)
    sign_in(page, "worker")
    case = world.own_case

    answer = page.goto(f"/cases/{case.pk}/")
    assert answer is not None
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    expect(page.get_by_text(case.case_number).first).to_be_visible()
    page.goto(f"/cases/{case.pk}/print/")
    expect(page.get_by_text(case.case_number).first).to_be_visible()
    page.goto("/cases/")
    # The search answers as one types (htmx): the script and its requests run under the policy.
    with page.expect_response(lambda response: "/cases/" in response.url):
        page.locator("#id_q").fill(case.child.given_name)
    expect(page.get_by_text(case.case_number).first).to_be_visible()

    assert refusals == []


def test_the_api_documentation_loads_with_nothing_refused(world: World, open_page: Any) -> None:
    page = open_page()
    refusals = _watch_refusals(page)
    sign_in(page, "worker")

    page.goto("/api/v1/docs/")

    # Swagger UI draws the page from the schema it fetched, all under the site's own policy.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CPIMS API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert refusals == []
