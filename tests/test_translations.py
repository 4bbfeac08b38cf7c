"""Chinese is the default language: the catalogue must be complete, and cover every string in the code."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "minqing"
CATALOGUE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries():
    return polib.pofile(str(CATALOGUE))


def test_catalogue_is_complete():
    catalogue = _entries()
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|%[sd]")
    for entry in _entries():
        if entry.obsolete:
            continue
        wanted = sorted(pattern.findall(entry.msgid_plural or entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            found = sorted(pattern.findall(text))
            # Chinese plural forms may drop the count where the sentence reads better without it.
            assert set(found) <= set(wanted), f"unknown placeholder in {entry.msgid!r}: {found} vs {wanted}"
            assert found or not wanted or entry.msgid_plural, f"placeholders lost in {entry.msgid!r}"


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("CI needs GNU gettext (apt-get install -y gettext) to check the catalogue.")
        pytest.skip("GNU gettext is not installed: cannot extract strings (apt-get install -y gettext).")
    copy = tmp_path / "minqing"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo", "tests"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "minqing.settings.test"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in _entries() if e.translated()}
    missing = [e.msgid for e in extracted if (e.msgctxt, e.msgid) not in known]
    assert not missing, f"{len(missing)} strings missing from the zh_Hans catalogue, e.g. {missing[:8]}"
