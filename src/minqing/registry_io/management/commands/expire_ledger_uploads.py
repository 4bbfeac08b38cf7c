"""Delete the rows of ledger uploads left unfinished (PIPL: personal data is not kept longer than needed).

Run daily, e.g. from cron: `manage.py expire_ledger_uploads --hours 48`.
"""

import datetime

from django.core.management.base import BaseCommand

from minqing.registry_io.actions import expire_stale_batches


class Command(BaseCommand):
    help = "Discard ledger uploads that were neither imported nor discarded in time, deleting their rows."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=48)

    def handle(self, *args, hours, **options):
        count = expire_stale_batches(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(f"{count} unfinished upload(s) discarded.")
