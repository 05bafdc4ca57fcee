"""Khmer and English: the switch, the choice remembered on the account, Khmer pages."""

from __future__ import annotations

from django.test import Client

from tests.conftest import World
from tests.web.conftest import signed_in


def test_a_signed_in_persons_language_choice_is_remembered_on_the_account(world: World) -> None:
    client = signed_in(world.worker)

    answer = client.post("/i18n/setlang/", {"language": "km", "next": "/cases/"})

    assert answer.status_code == 302
    assert answer["Location"] == "/cases/"
    world.worker.refresh_from_db()
    assert world.worker.preferred_language == "km"


def test_the_remembered_language_follows_the_person_to_a_new_browser(world: World) -> None:
    world.worker.preferred_language = "km"
    world.worker.save(update_fields=["preferred_language"])

    page = signed_in(world.worker, language="en").get("/cases/").content.decode()

    assert '<html lang="km">' in page
    assert "ករណី" in page  # "Cases"


def test_before_signing_in_the_browsers_language_decides(world: World) -> None:
    page = Client(headers={"accept-language": "km"}).get("/accounts/login/").content.decode()

    assert '<html lang="km">' in page


def test_an_unknown_language_is_not_stored(world: World) -> None:
    signed_in(world.worker).post("/i18n/setlang/", {"language": "fr", "next": "/"})

    world.worker.refresh_from_db()
    assert world.worker.preferred_language == ""


def test_the_case_file_reads_in_khmer_with_khmer_choices(world: World) -> None:
    world.worker.preferred_language = "km"
    world.worker.save(update_fields=["preferred_language"])

    page = signed_in(world.worker).get(f"/cases/{world.own_case.pk}/").content.decode()

    assert "ប្រវត្តិរូប និងគ្រួសារ" in page  # the "Profile and family" tab
    assert "ស្រី" in page  # the child's sex, a model choice
    assert "Profile and family" not in page


def test_the_layout_has_a_skip_link_a_main_landmark_and_the_language_switch(
    world: World,
) -> None:
    page = signed_in(world.worker).get("/cases/").content.decode()

    assert 'href="#main"' in page
    assert '<main id="main"' in page
    assert 'action="/i18n/setlang/"' in page
    assert 'name="language" value="km"' in page
    assert "{% block bell %}" not in page
