"""The site's own error pages: a missing page or a failure answers with the project's page (in
the reader's language) and the API with JSON, never Django's debug page listing the addresses;
the run command serves them too; and every page names its icon."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from tests.conftest import World
from tests.test_run_command import ROOT, START_TIMEOUT, STOP_TIMEOUT, _free_port, _group_alive
from tests.web.conftest import signed_in


def _fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a defect")


# This module is the address book of the 500 tests: the site's, and two addresses that fail.
urlpatterns = [
    path("fails/", _fails),
    path("api/v1/fails/", _fails),
    path("", include("cpims.urls")),
]
handler404 = "core.api.exceptions.not_found"
handler500 = "core.api.exceptions.server_error"


def test_a_missing_case_answers_the_sites_own_page_in_the_readers_language(
    world: World,
) -> None:
    english = signed_in(world.worker, language="en").get("/cases/999999/")
    khmer = signed_in(world.worker, language="km").get("/cases/999999/")

    assert english.status_code == khmer.status_code == 404
    assert "<h1>Not found</h1>" in english.content.decode()
    assert '<html lang="km">' in khmer.content.decode()
    assert "<h1>Not found</h1>" not in khmer.content.decode()
    assert 'href="/"' in english.content.decode()  # back to my work


def test_an_unknown_address_answers_the_sites_page_listing_no_addresses(world: World) -> None:
    answer = signed_in(world.worker).get("/no-such-page/")

    page = answer.content.decode()
    assert answer.status_code == 404
    assert "<h1>Not found</h1>" in page
    assert "URLconf" not in page
    assert "cases/" not in page.split("<main", 1)[1]  # no URL patterns in the content


def test_under_the_api_a_missing_address_answers_json(world: World) -> None:
    answer = Client().get("/api/v1/no-such-endpoint/")

    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not found."}


@pytest.mark.urls("tests.web.test_error_pages")
def test_a_failure_answers_the_sites_own_500_page(world: World) -> None:
    client = signed_in(world.worker)
    client.raise_request_exception = False

    answer = client.get("/fails/")

    page = answer.content.decode()
    assert answer.status_code == 500
    assert "<h1>Something went wrong</h1>" in page
    assert "a defect" not in page
    assert "Traceback" not in page


@pytest.mark.urls("tests.web.test_error_pages")
def test_under_the_api_a_failure_answers_json(world: World) -> None:
    client = Client(raise_request_exception=False)

    answer = client.get("/api/v1/fails/")

    assert answer.status_code == 500
    assert answer.json() == {"detail": "A server error occurred."}


def test_every_page_names_its_icon_and_the_icon_is_served(world: World) -> None:
    page = signed_in(world.worker).get("/cases/").content.decode()
    login = Client().get("/accounts/login/").content.decode()

    icon = '<link rel="icon" href="/static/cpims/favicon.svg" type="image/svg+xml">'
    assert icon in page
    assert icon in login
    assert Client().get("/static/cpims/favicon.svg").status_code == 200


@pytest.mark.slow
def test_the_run_command_shows_the_sites_404_page_not_djangos_debug_page(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG"}
    }
    env.update({"PORT": str(port), "CPIMS_VAR_DIR": str(tmp_path / "var")})
    process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        [str(ROOT / "scripts" / "run")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(1)

        missing = requests.get(f"{base}/no-such-page/", timeout=10)
        icon = requests.get(f"{base}/static/cpims/favicon.svg", timeout=10)

        assert missing.status_code == 404
        assert "<h1>Not found</h1>" in missing.text
        assert "URLconf" not in missing.text
        assert icon.status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
