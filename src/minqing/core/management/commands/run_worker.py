import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from minqing.core.periodic import enqueue_due


class Command(BaseCommand):
    help = "Run the background worker: periodic jobs (deadline scan, message retries) and the task queue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Enqueue the periodic jobs once, work the queue empty, exit."
        )

    def handle(self, *args, once=False, **options):
        if once:
            enqueue_due({}, time.monotonic())
            call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
            return
        threading.Thread(target=self._clock, daemon=True, name="minqing-clock").start()
        call_command("db_worker", reload=False, verbosity=options["verbosity"])

    def _clock(self):
        last_run: dict[str, float] = {}
        while True:
            try:
                enqueue_due(last_run, time.monotonic())
            except Exception as error:  # keep the clock alive; the next minute tries again
                self.stderr.write(f"periodic enqueue failed: {error}")
            time.sleep(5)
