"""Light pages for cheap phones on weak connections: the visit list and the visit page, with
every stylesheet and script they load and the service worker they register, weigh under 100 KB
uncompressed on a first load (the fonts are not counted)."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.utils import timezone

from tests.conftest import World
from tests.notifications.scenarios import reintegrate, visits

BUDGET = 100_000  # bytes


class LoadedFiles(HTMLParser):
    """The addresses of the stylesheets and scripts a page loads, and of its service worker."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.addresses.append(str(found["src"]))
        if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.addresses.append(str(found["href"]))
        if found.get("data-worker"):
            self.addresses.append(str(found["data-worker"]))


def weight(client: Client, address: str) -> tuple[int, list[str]]:
    page = client.get(address)
    assert page.status_code == 200
    parser = LoadedFiles()
    parser.feed(page.content.decode())
    total = len(page.content)
    for loaded in parser.addresses:
        if loaded.startswith(static("")):
            found = finders.find(loaded.removeprefix(static("")))
            assert isinstance(found, str), loaded
            total += Path(found).stat().st_size
        else:
            answer = client.get(loaded)
            assert answer.status_code == 200, loaded
            total += len(answer.content)
    return total, parser.addresses


@pytest.mark.django_db
def test_the_visit_list_and_visit_page_weigh_under_100_kb_with_their_css_and_scripts(
    world: World,
) -> None:
    visit = visits(reintegrate(world, on=timezone.localdate() - timedelta(days=60)))[0]
    client = Client()
    client.force_login(world.commune_member)

    for address in ["/follow-ups/", f"/follow-ups/{visit.pk}/"]:
        total, loaded = weight(client, address)
        assert any(name.endswith("visits-offline.js") for name in loaded), loaded
        assert any(name.endswith("/follow-ups/sw.js") for name in loaded), loaded
        # htmx alone is half the budget, and these pages do not use it.
        assert not any("htmx" in name for name in loaded), loaded
        assert total < BUDGET, (address, total)


@pytest.mark.django_db
def test_the_service_worker_is_served_as_javascript_revalidated_at_each_visit(
    world: World,
) -> None:
    answer = Client().get("/follow-ups/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Cache-Control"] == "no-cache"
    assert b'addEventListener("fetch"' in answer.content


@pytest.mark.django_db
def test_signing_out_asks_the_browser_to_clear_what_it_kept(world: World) -> None:
    client = Client()
    client.force_login(world.commune_member)
    answer = client.post("/accounts/logout/")
    assert answer.status_code == 302
    assert answer["Clear-Site-Data"] == '"cache", "storage"'
