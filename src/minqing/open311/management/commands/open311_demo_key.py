"""Issue the demo's Open311 key (MINQING_DEMO_OPEN311_KEY, or --key) for the communities in the database."""

from django.core.management.base import BaseCommand, CommandError

from minqing.core.errors import ApplicationError
from minqing.open311.actions import ensure_demo_client


class Command(BaseCommand):
    help = (
        "Make every community an Open311 jurisdiction (if it is not one) and issue the demo key "
        "(MINQING_DEMO_OPEN311_KEY, or --key) to a 'Demo client' that may post to all of them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--key", default=None, help="The key to issue (default: $MINQING_DEMO_OPEN311_KEY)."
        )

    def handle(self, *args, key, **options):
        try:
            client = ensure_demo_client(key=key)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        if client is None:
            raise CommandError("No key: set MINQING_DEMO_OPEN311_KEY or pass --key.")
        ids = ", ".join(
            client.jurisdictions.order_by("jurisdiction_id").values_list("jurisdiction_id", flat=True)
        )
        self.stdout.write(self.style.SUCCESS(f"Open311 key issued to '{client.name}' for: {ids or '-'}"))
