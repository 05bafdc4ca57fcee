"""Every string of the project shown to people has its Khmer translation, and the compiled
catalogue that ships (the run profile has no gettext) says the same as the translations.

The strings are extracted afresh, by makemessages over a copy of the code, so a string added
anywhere without its translation fails here. To update the translations, see the README."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "km" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What is not the project's own code, or is never shown to people.
NOT_EXTRACTED = {".git", ".venv", "var", "locale", "tests", "node_modules", "build", "docs"}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} (gettext) is missing: run scripts/bootstrap test.")
    return path


def _compile(po: Path, mo: Path) -> dict[object, str]:
    """The catalogue msgfmt makes of ``po``: translated entries only, fuzzy ones left out."""
    subprocess.run(  # noqa: S603 - a fixed tool on files this test made
        [_tool("msgfmt"), "--check-format", "-o", str(mo), str(po)], check=True
    )
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def _extracted_catalogue(workdir: Path) -> dict[object, str]:
    """Every msgid of the code as it is now: makemessages on a copy of the project, so the
    committed files are not touched; then each msgid translated to itself (msgen), so that
    compiling it lists them all."""
    copy = workdir / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_EXTRACTED, "__pycache__"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale=km", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = copy / "locale" / "km" / "LC_MESSAGES" / "django.po"
    english = workdir / "extracted.po"
    subprocess.run(  # noqa: S603 - a fixed tool on files this test made
        [_tool("msgen"), "--no-wrap", "-o", str(english), str(extracted)], check=True
    )
    return _compile(english, workdir / "extracted.mo")


def _msgids(catalogue: dict[object, str]) -> set[str]:
    """The msgids of a catalogue; a plural entry is keyed (msgid, form) once per form, and
    Khmer has one form where English has two."""
    return {str(key[0] if isinstance(key, tuple) else key) for key in catalogue if key}


def test_every_string_of_the_project_has_a_khmer_translation(tmp_path: Path) -> None:
    extracted = _extracted_catalogue(tmp_path)
    translated = _compile(PO, tmp_path / "committed.mo")

    missing = sorted(_msgids(extracted) - _msgids(translated))

    assert not missing, (
        f"{len(missing)} strings have no Khmer translation in {PO.relative_to(ROOT)} "
        "(README: updating the translations):\n"
        + "\n".join(msgid.replace("\x04", " | ") for msgid in missing[:40])
    )


def test_the_compiled_catalogue_matches_the_translations(tmp_path: Path) -> None:
    with MO.open("rb") as handle:
        shipped = dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]

    assert shipped == _compile(PO, tmp_path / "fresh.mo"), (
        f"{MO.relative_to(ROOT)} is older than the .po: run compilemessages (README)."
    )
