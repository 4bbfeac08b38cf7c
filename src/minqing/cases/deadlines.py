"""Time limits (时限) and supervision (督办), on the working-day calendar of core.workcal.

Each category says: accept within N working hours, finish within N working days, verify within N working
days. Urgent cases get one working hour and one working day. The clock of the current step is kept on the
case (`due_at`); the background scan (`scan`, run every minute by the worker) then, without anyone pressing a
button:

- warns the people who must act when 80 % of the time is used (`warn_at`), once;
- flags the case yellow and tells the community when the limit passes (`due_at`), once;
- flags it red and tells the street office when the limit has passed twice over (`red_at`), once.

Every change the scan makes is a conditional UPDATE, so two scans running at once fire each step once.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core import audit, workcal

from .models import OPEN_STATUSES, Case, Escalation

URGENT_ACCEPT_HOURS = 1
URGENT_FINISH_DAYS = 1
WARN_SHARE = 0.8

STAGE_LABELS = {
    "accept": _("accept"),
    "finish": _("finish"),
    "verify": _("verify"),
}

audit.register_labels(
    {
        "cases.case.deadline_warning": _("Time limit close: warned"),
        "cases.case.escalated_yellow": _("Overdue: yellow supervision"),
        "cases.case.escalated_red": _("Long overdue: red supervision"),
    }
)


def limit_hours(case: Case, stage: str) -> float:
    """The working hours allowed for a step of this case."""
    category = case.category
    if stage == "accept":
        return URGENT_ACCEPT_HOURS if case.urgent else (category.accept_hours if category else 4)
    if stage == "finish":
        days = URGENT_FINISH_DAYS if case.urgent else (category.finish_days if category else 5)
    else:
        days = category.verify_days if category else 2
    return days * workcal.workday_hours()


@dataclass(frozen=True)
class Clock:
    due_at: datetime.datetime
    warn_at: datetime.datetime
    red_at: datetime.datetime


def clock(
    case: Case, stage: str, start: datetime.datetime, *, due_at: datetime.datetime | None = None
) -> Clock:
    hours = limit_hours(case, stage)
    if due_at is None:
        due_at = workcal.add_working_hours(start, hours)
        given = hours
    else:  # a limit set elsewhere (kept after a send-back, extended, or a 12345 work order's 办理时限)
        given = workcal.working_seconds_between(start, due_at) / 3600
    return Clock(
        due_at=due_at,
        warn_at=workcal.add_working_hours(start, given * WARN_SHARE) if due_at > start else due_at,
        red_at=workcal.add_working_hours(due_at, hours),
    )


def start_clock(case: Case, stage: str, now: datetime.datetime, *, due_at=None) -> None:
    """Set the running clock for `stage` on the (unsaved) case; the caller saves it."""
    running = clock(case, stage, now, due_at=due_at)
    case.due_at, case.warn_at, case.red_at = running.due_at, running.warn_at, running.red_at
    case.warned, case.escalation = False, Escalation.NONE
    setattr(case, f"{stage}_due_at", running.due_at)


def stop_clock(case: Case) -> None:
    case.due_at = case.warn_at = case.red_at = None
    case.warned, case.escalation = False, Escalation.NONE


def scan(now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass over the running clocks. Returns how many warnings and escalations fired."""
    now = now or timezone.now()
    fired = {"warned": 0, "yellow": 0, "red": 0}
    open_ = Q(status__in=OPEN_STATUSES, due_at__isnull=False)
    for case in _due(Case.objects.filter(open_, warned=False, warn_at__lte=now, due_at__gt=now)):
        if _fire(case, now, {"warned": False}, {"warned": True}):
            fired["warned"] += 1
            _tell(case, "deadline_warning")
    for case in _due(Case.objects.filter(open_, escalation=Escalation.NONE, due_at__lte=now)):
        if _fire(
            case,
            now,
            {"escalation": Escalation.NONE},
            {"escalation": Escalation.YELLOW, "overdue": True, "warned": True},
        ):
            fired["yellow"] += 1
            _tell(case, "escalated_yellow")
    for case in _due(Case.objects.filter(open_, escalation=Escalation.YELLOW, red_at__lte=now)):
        if _fire(case, now, {"escalation": Escalation.YELLOW}, {"escalation": Escalation.RED}):
            fired["red"] += 1
            _tell(case, "escalated_red")
    return fired


def _due(queryset):
    return list(queryset.select_related("area", "organisation", "category").order_by("due_at")[:500])


def _fire(case: Case, now, expected: dict, changes: dict) -> bool:
    """Fire a step once: the UPDATE only matches if nobody fired it (or moved the clock) meanwhile."""
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, due_at=case.due_at, **expected).update(**changes)
        if updated:
            for name, value in changes.items():
                setattr(case, name, value)
    return bool(updated)


def _tell(case: Case, what: str) -> None:
    from . import notices

    with transaction.atomic():
        audit.record(
            actor=None,
            action=f"cases.case.{what}",
            target=case,
            area_path=case.area.path,
            changes={"due_at": [None, timezone.localtime(case.due_at).isoformat(timespec="minutes")]},
        )
        if what == "deadline_warning":
            notices.deadline_warning(case)
        else:
            notices.escalated(case, "yellow" if what == "escalated_yellow" else "red")
            notices.changed(case, what)
