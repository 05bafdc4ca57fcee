"""The documents tab on a phone, in Khmer (and in English at a desk): the owner keeps a scanned
birth certificate through the file input, finds it listed, downloads the very bytes she
uploaded, and withdraws it, saying why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Page, expect

from documents.models import Document
from tests.browser.conftest import DESKTOP, PHONE, Photographer
from tests.browser.test_phone_layout import LANGUAGES, assert_no_sideways_scroll, open_signed_in
from tests.conftest import World
from tests.documents.helpers import PDF

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE_KM = "សំបុត្រកំណើតរបស់កុមារ"


@pytest.fixture(autouse=True)
def vault_dir(settings: Any, tmp_path: Path) -> Path:
    """The documents of this test in a folder of its own, encrypted with a key of its own."""
    folder = tmp_path / "documents"
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        },
    }
    return folder


def _submit(page: Page, form: str) -> None:
    page.locator(f"{form} button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("language", "locale", "viewport"),
    [(*LANGUAGES[1], PHONE), (*LANGUAGES[0], DESKTOP)],
    ids=["km-phone", "en-desk"],
)
def test_a_scanned_certificate_is_kept_downloaded_and_withdrawn(
    world: World,
    *,
    open_page: Any,
    photograph: Photographer,
    language: str,
    locale: str,
    viewport: Any,
    tmp_path: Path,
) -> None:
    case = world.own_case
    width = viewport["width"]
    owner = open_signed_in(open_page, world.worker, language, locale, viewport)
    owner.goto(f"/cases/{case.pk}/documents/")
    owner.locator("a[href$='?record=document']").click()
    form = "form[action$='/documents/add/']"
    expect(owner.locator(form)).to_be_visible()
    scan = tmp_path / "certificate.pdf"
    scan.write_bytes(PDF)
    owner.locator("input[name=document-file]").set_input_files(scan)
    owner.locator("select[name=document-kind]").select_option("birth_certificate")
    owner.locator("input[name=document-title]").fill(TITLE_KM)
    assert_no_sideways_scroll(owner)
    photograph(owner, f"upload-{language}-{width}")
    _submit(owner, form)

    expect(owner.locator("#documents > li")).to_have_count(1)
    expect(owner.locator("#documents")).to_contain_text(TITLE_KM)
    document = Document.objects.get(case=case)
    assert_no_sideways_scroll(owner)
    photograph(owner, f"listed-{language}-{width}")

    with owner.expect_download() as download:
        owner.locator(f"a[href$='/documents/{document.pk}/file/']").click()
    assert Path(download.value.path()).read_bytes() == PDF

    item = owner.locator(f"#document-{document.pk}")
    item.locator("summary").click()
    item.locator(f"textarea[name=withdraw-{document.pk}-reason]").fill("ឯកសារខុសកុមារ")
    _submit(owner, f"form[action$='/documents/{document.pk}/withdraw/']")
    expect(owner.locator(f"#document-{document.pk} .badge")).to_be_visible()
    document.refresh_from_db()
    assert document.withdrawn
    assert_no_sideways_scroll(owner)
    photograph(owner, f"withdrawn-{language}-{width}")
