"""The period a dashboard counts over: whole days in local time, from the first to the last day inclusive."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Longer than this is a typing slip (a year 20226), not a question anyone asks of a dashboard.
MAX_DAYS = 3660
FIRST_YEAR, LAST_YEAR = 1949, 2999


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def since(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def until(self) -> datetime.datetime:
        """Midnight after the last day (exclusive), so the last day counts whole."""
        return timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        )

    def q(self, field: str) -> Q:
        """`field` (a datetime column) falls in the period: a plain range, so an index on it serves."""
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})

    def params(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def this_month(today: datetime.date) -> Period:
    return Period(today.replace(day=1), _month_end(today))


def last_month(today: datetime.date) -> Period:
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return Period(end.replace(day=1), end)


def this_year(today: datetime.date) -> Period:
    return Period(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))


def _month_end(day: datetime.date) -> datetime.date:
    first_next = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_next - datetime.timedelta(days=1)


PRESETS = (
    ("month", gettext_lazy("This month"), this_month),
    ("last_month", gettext_lazy("Last month"), last_month),
    ("year", gettext_lazy("This year"), this_year),
)


def presets(today: datetime.date, current: Period) -> list[dict]:
    out = []
    for code, label, make in PRESETS:
        period = make(today)
        out.append({"code": code, "label": label, "period": period, "active": period == current})
    return out


def parse(params, today: datetime.date) -> tuple[Period, str]:
    """The period asked for in `from`/`to` (YYYY-MM-DD), or this month with a message saying why not.

    Either date may be left out: it then comes from this month. Returns (period, message); the message is
    empty when the input was used as given."""
    default = this_month(today)
    raw_start, raw_end = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if not raw_start and not raw_end:
        return default, ""
    try:
        start = datetime.date.fromisoformat(raw_start) if raw_start else default.start
        end = datetime.date.fromisoformat(raw_end) if raw_end else default.end
    except ValueError:
        start = end = None
    if start is None or not (start.year >= FIRST_YEAR and end.year <= LAST_YEAR):
        return default, _("The dates must look like 2026-03-31. Showing this month instead.")
    if start > end:
        return default, _("The period ends before it starts. Showing this month instead.")
    if (end - start).days > MAX_DAYS:
        return default, _("The period is longer than ten years. Showing this month instead.")
    return Period(start, end), ""
