"""Writes to the working-day calendar: the State Council's schedule for a year, entered as data by the
street office when it is published (every time limit counts on it)."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import Cap, can

from . import audit
from .errors import Forbidden, InvalidInput
from .models import CalendarDay

audit.register_labels(
    {
        "core.calendar.set": gettext_lazy("Calendar day set"),
        "core.calendar.remove": gettext_lazy("Calendar day removed"),
    }
)


def _require(user) -> None:
    if not can(user, Cap.MANAGE_CATEGORIES):
        raise Forbidden()


@transaction.atomic
def set_day(*, acting_user, date: datetime.date, is_workday: bool, name: str) -> CalendarDay:
    """A holiday on a weekday, or a make-up workday (调休) on a weekend. Setting a day again changes it."""
    _require(acting_user)
    if not name.strip():
        raise InvalidInput(_("Name the day, e.g. 春节 or 春节调休."))
    weekend = date.weekday() >= 5
    if is_workday and not weekend:
        raise InvalidInput(_("%(date)s is a weekday: it is a working day anyway.") % {"date": date})
    if not is_workday and weekend:
        raise InvalidInput(_("%(date)s is a weekend day: it is a day off anyway.") % {"date": date})
    before = CalendarDay.objects.filter(date=date).first()
    day, _created = CalendarDay.objects.update_or_create(
        date=date, defaults={"is_workday": is_workday, "name": name.strip()}
    )
    audit.record(
        actor=acting_user,
        action="core.calendar.set",
        target=day,
        changes={
            "is_workday": [before.is_workday if before else None, is_workday],
            "name": [before.name if before else None, day.name],
        },
    )
    return day


@transaction.atomic
def remove_day(*, acting_user, day: CalendarDay) -> None:
    _require(acting_user)
    audit.record(actor=acting_user, action="core.calendar.remove", target=day, reason=str(day))
    day.delete()
