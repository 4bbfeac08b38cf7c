"""Compile the .po catalogues to .mo with polib, so set-up needs no GNU gettext on the machine."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po of the project to .mo (no gettext needed)."

    def handle(self, *args, **options):
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(mo_path))
                compiled += 1
        self.stdout.write(f"compiled {compiled} catalogue(s)")
