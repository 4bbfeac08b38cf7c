from django.core.management.base import BaseCommand

from minqing.core.calendar_data import load_shipped
from minqing.core.models import CalendarDay


class Command(BaseCommand):
    help = (
        "Add the official holiday schedules shipped in core/data/calendar/ (days already entered are kept)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{load_shipped(CalendarDay)} calendar day(s) added")
