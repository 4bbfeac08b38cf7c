"""Load the demo data into the current, migrated and empty database (nothing is deleted)."""

import time

from django.core.management.base import BaseCommand, CommandError

from minqing.core.errors import ApplicationError
from minqing.demo.seed import format_accounts, seed

from ._common import DEMO_ENV, demo_password, demo_url


class Command(BaseCommand):
    help = "Load the demo data (three field-study communities, fictional people) into the current database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Share of the residents to create (0 < scale ≤ 1)."
        )
        parser.add_argument(
            "--password",
            default=None,
            help=f"One password for every demo account (default: ${DEMO_ENV}, else a random one each).",
        )

    def handle(self, *args, scale, password, **options):
        started = time.monotonic()
        try:
            accounts = seed(scale=scale, password=password or demo_password(), stdout=self.stdout)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s."))
        self.stdout.write("")
        self.stdout.write(format_accounts(accounts))
        self.stdout.write("")
        self.stdout.write(f"Open {demo_url()}")
