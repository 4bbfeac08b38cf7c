"""Working time on China's official calendar: weekends, public holidays and make-up workdays (调休).

Deadlines (sign within 2 working hours, finish within 5 working days …) are counted here and nowhere else.
Monday–Friday are working days unless a `CalendarDay` says otherwise; a `CalendarDay` can also make a
Saturday or Sunday a working day. Working hours are settings.WORKING_HOURS (morning and afternoon spans).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .models import CalendarDay


@dataclass(frozen=True)
class Span:
    start: datetime.time
    end: datetime.time


def working_spans() -> list[Span]:
    return [
        Span(datetime.time.fromisoformat(a), datetime.time.fromisoformat(b))
        for a, b in settings.WORKING_HOURS
    ]


class WorkCalendar:
    """The calendar's exceptions for a range of dates, read in one query."""

    def __init__(self, exceptions: dict[datetime.date, bool] | None = None):
        self.exceptions = exceptions if exceptions is not None else {}

    @classmethod
    def load(cls, start: datetime.date, end: datetime.date) -> "WorkCalendar":
        rows = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
        return cls(dict(rows))

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5


# A holiday is never longer than a few weeks: loading this far ahead covers any deadline we set.
HORIZON = datetime.timedelta(days=120)


def _calendar_from(day: datetime.date) -> WorkCalendar:
    return WorkCalendar.load(day - datetime.timedelta(days=7), day + HORIZON)


def workday_hours() -> float:
    """The length of a working day in hours (7.5 with the default 08:30–12:00, 13:30–17:30)."""
    return sum(_seconds(span.end) - _seconds(span.start) for span in working_spans()) / 3600


def is_workday(day: datetime.date) -> bool:
    return WorkCalendar.load(day, day).is_workday(day)


def add_working_days(day: datetime.date, days: int, *, calendar: WorkCalendar | None = None) -> datetime.date:
    """The date `days` working days after `day` (the end of that day is the deadline)."""
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = calendar or _calendar_from(day)
    current = day
    while days:
        current += datetime.timedelta(days=1)
        if calendar.is_workday(current):
            days -= 1
    return current


def add_working_hours(
    moment: datetime.datetime, hours: float, *, calendar: WorkCalendar | None = None
) -> datetime.datetime:
    """The moment after `hours` of working time from `moment` (an aware datetime), in local time.

    Time outside working hours does not count: a call at 20:10 starts counting the next working morning.
    """
    if hours < 0:
        raise ValueError("hours must not be negative")
    local = timezone.localtime(moment)
    calendar = calendar or _calendar_from(local.date())
    remaining = round(hours * 3600)
    day, spans, tz = local.date(), working_spans(), local.tzinfo
    position = local.time()
    while True:
        if calendar.is_workday(day):
            for span in spans:
                start = max(span.start, position)
                if start >= span.end:
                    continue
                available = _seconds(span.end) - _seconds(start)
                if remaining <= available:
                    return datetime.datetime.combine(day, start, tzinfo=tz) + datetime.timedelta(
                        seconds=remaining
                    )
                remaining -= available
        day += datetime.timedelta(days=1)
        position = datetime.time(0, 0)


def working_seconds_between(
    start: datetime.datetime, end: datetime.datetime, *, calendar: WorkCalendar | None = None
) -> int:
    """Working time from `start` to `end` (0 if end is not after start): how long a case really waited."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    if end <= start:
        return 0
    calendar = calendar or WorkCalendar.load(start.date(), end.date())
    total, spans, day = 0, working_spans(), start.date()
    while day <= end.date():
        if calendar.is_workday(day):
            for span in spans:
                lo = max(span.start, start.time()) if day == start.date() else span.start
                hi = min(span.end, end.time()) if day == end.date() else span.end
                if hi > lo:
                    total += _seconds(hi) - _seconds(lo)
        day += datetime.timedelta(days=1)
    return total


def _seconds(moment: datetime.time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second
