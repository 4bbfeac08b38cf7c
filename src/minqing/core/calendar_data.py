"""The official holiday schedules shipped with Minqing (core/data/calendar/<year>.csv)."""

import csv
import datetime
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "calendar"


def shipped_days() -> list[tuple[datetime.date, bool, str]]:
    days = []
    for path in sorted(DATA_DIR.glob("*.csv")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        for row in csv.DictReader(lines):
            days.append((datetime.date.fromisoformat(row["date"]), row["is_workday"] == "1", row["name"]))
    return days


def load_shipped(calendar_day_model) -> int:
    """Create the shipped days that are not in the table yet (an admin's own edits are kept)."""
    existing = set(calendar_day_model.objects.values_list("date", flat=True))
    new = [
        calendar_day_model(date=date, is_workday=workday, name=name)
        for date, workday, name in shipped_days()
        if date not in existing
    ]
    calendar_day_model.objects.bulk_create(new)
    return len(new)
