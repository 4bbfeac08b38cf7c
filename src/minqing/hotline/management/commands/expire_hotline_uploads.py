"""Delete the rows of 12345 work order uploads left unfinished (PIPL: callers' data is not kept longer than
needed). Run daily, e.g. from cron beside expire_ledger_uploads: `manage.py expire_hotline_uploads --hours 48`.
"""

import datetime

from django.core.management.base import BaseCommand

from minqing.hotline.actions import expire_stale_imports


class Command(BaseCommand):
    help = "Discard 12345 work order uploads that were neither imported nor discarded in time."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=48)

    def handle(self, *args, hours, **options):
        count = expire_stale_imports(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(f"{count} unfinished upload(s) discarded.")
