"""Start the demo again from nothing: delete the SQLite database, migrate, load the demo data, print logins.

Only for the embedded SQLite demo database. On any other database (or in production) it refuses unless
--force is given; with --force it empties that database (flush) instead of deleting a file.
"""

import time
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from minqing.core.errors import ApplicationError
from minqing.demo.seed import format_accounts, seed

from ._common import DEMO_ENV, demo_password, demo_url

SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def sqlite_database_file(settings_dict: dict) -> Path:
    """The file behind a SQLite connection, or CommandError when there is none (an in-memory database)."""
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise CommandError("The database is in memory: there is no demo database file to delete.")
    return Path(name)


def delete_sqlite_database(path: Path) -> list[Path]:
    """Delete the database file and its write-ahead log, shared-memory and journal files, if present.

    Processes that still have the file open (a running server) keep their old copy until they reconnect.
    """
    removed = []
    for suffix in SQLITE_SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        try:
            candidate.unlink()
        except FileNotFoundError:
            continue
        removed.append(candidate)
    return removed


class Command(BaseCommand):
    help = (
        "Delete the SQLite demo database, migrate, load the demo data and print the login accounts. "
        f"Every account gets the password in ${DEMO_ENV} if it is set, otherwise a random one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also run on a non-SQLite database or in production: empties that database (flush).",
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Share of the residents to create (0 < scale ≤ 1)."
        )

    def handle(self, *args, force, scale, **options):
        started = time.monotonic()
        connection = connections[DEFAULT_DB_ALIAS]
        if settings.ENV == "production" and not force:
            raise CommandError("Refusing to reset a production database (use --force if you really mean it).")
        if connection.vendor == "sqlite":
            path = sqlite_database_file(connection.settings_dict)
            connections.close_all()
            for removed in delete_sqlite_database(path):
                self.stdout.write(f"Deleted {removed}")
            path.parent.mkdir(parents=True, exist_ok=True)
            self.stdout.write("Creating the database …")
            call_command("migrate", interactive=False, verbosity=0)
        else:
            if not force:
                raise CommandError(
                    f"demo_reset deletes the SQLite demo database; this is {connection.vendor}. "
                    "Use --force to empty this database and load the demo data into it."
                )
            self.stdout.write(f"Emptying the {connection.vendor} database …")
            call_command("migrate", interactive=False, verbosity=0)
            call_command("flush", interactive=False, verbosity=0)
        # Content type ids may have changed under us (new file, or flush): forget the cached ones.
        ContentType.objects.clear_cache()

        self.stdout.write("Loading the demo data …")
        try:
            accounts = seed(scale=scale, password=demo_password(), stdout=self.stdout)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write("")
        self.stdout.write(format_accounts(accounts))
        self.stdout.write("")
        if demo_password() is None:
            self.stdout.write(f"(Random passwords: set {DEMO_ENV} to choose one password for all.)")
        self.stdout.write(self.style.SUCCESS(f"Open {demo_url()}"))
