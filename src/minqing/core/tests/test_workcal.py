"""Working time across weekends, public holidays and make-up workdays (the shipped 2026 schedule)."""

import datetime
import zoneinfo

import pytest

from minqing.core import workcal
from minqing.core.models import CalendarDay

D = datetime.date
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=TZ)


pytestmark = pytest.mark.django_db


def test_the_2026_schedule_is_shipped():
    assert CalendarDay.objects.filter(date__year=2026, is_workday=False).count() == 33
    assert set(CalendarDay.objects.filter(is_workday=True).values_list("date", flat=True)) == {
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    }


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (D(2026, 3, 2), True),  # an ordinary Monday
        (D(2026, 3, 7), False),  # an ordinary Saturday
        (D(2026, 1, 1), False),  # 元旦, a Thursday
        (D(2026, 1, 4), True),  # Sunday made a workday
        (D(2026, 2, 23), False),  # last day of 春节, a Monday
        (D(2026, 2, 28), True),  # Saturday made a workday
        (D(2026, 10, 10), True),
    ],
)
def test_is_workday(day, workday):
    assert workcal.is_workday(day) is workday


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 3, 6), 1, D(2026, 3, 9)),  # Friday + 1 → Monday
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday + 1 → the make-up Saturday
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # across the nine days of 春节
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # across 国庆
        (D(2026, 9, 30), 2, D(2026, 10, 9)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # the make-up Saturday counts
        (D(2026, 4, 30), 5, D(2026, 5, 11)),  # 劳动节 and the 5-09 make-up day: 5-6, 5-7, 5-8, 5-9, 5-11
        (D(2026, 3, 2), 0, D(2026, 3, 2)),
    ],
)
def test_add_working_days(start, days, due):
    assert workcal.add_working_days(start, days) == due


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2026, 3, 2, 9, 0), 2, at(2026, 3, 2, 11, 0)),
        (at(2026, 3, 2, 11, 0), 2, at(2026, 3, 2, 14, 30)),  # the lunch break does not count
        (at(2026, 3, 2, 20, 10), 1, at(2026, 3, 3, 9, 30)),  # a call at 20:10 counts from the next morning
        (at(2026, 3, 6, 16, 30), 2, at(2026, 3, 9, 9, 30)),  # Friday afternoon → Monday morning
        (at(2026, 5, 8, 16, 30), 4, at(2026, 5, 9, 11, 30)),  # into the make-up Saturday
        (at(2026, 9, 30, 17, 0), 1, at(2026, 10, 8, 9, 0)),  # across 国庆
        (at(2026, 3, 2, 12, 30), 0.5, at(2026, 3, 2, 14, 0)),
    ],
)
def test_add_working_hours(start, hours, due):
    assert workcal.add_working_hours(start, hours) == due


def test_working_time_between_is_the_inverse():
    start = at(2026, 2, 13, 16, 0)
    due = workcal.add_working_hours(start, 10)
    assert workcal.working_seconds_between(start, due) == 10 * 3600
    assert workcal.working_seconds_between(due, start) == 0


def test_an_admin_can_add_a_day():
    CalendarDay.objects.create(date=D(2026, 12, 31), is_workday=False, name="演练停工")
    assert not workcal.is_workday(D(2026, 12, 31))
    assert workcal.add_working_days(D(2026, 12, 30), 1) == D(2027, 1, 1)  # 2027 is not entered yet: a Friday


def test_utc_input_is_read_in_local_time():
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)  # 09:00 in 长春
    assert workcal.add_working_hours(start, 1) == at(2026, 3, 2, 10, 0)
