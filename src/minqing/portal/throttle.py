"""The portal's abuse guard, without a CAPTCHA: per phone, per account and per address limits, counted in the
database (SQLite and PostgreSQL alike, every app server sees the same numbers).

A hit is written in the caller's transaction: a request that fails later (a bad photo) is not counted. Two
requests at the very same moment may both pass the last free place; the limits are a guard against floods,
not a quota, so that is accepted rather than serialising every request on one row.
"""

import datetime
import math
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import ngettext

from minqing.core import crypto
from minqing.core.errors import ApplicationError

from .models import ThrottleHit

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# kind → (window, most hits allowed in it), every pair must hold.
LIMITS: dict[str, tuple[tuple[datetime.timedelta, int], ...]] = {
    # Codes to one phone or email address: 3 in 10 minutes, 10 a day.
    "code_contact": ((10 * MINUTE, 3), (DAY, 10)),
    # Codes asked from one address (a service centre may share one): 20 an hour.
    "code_ip": ((HOUR, 20),),
    # Wrong codes typed from one address: 30 an hour (each code also dies after 5 wrong tries).
    "wrong_code_ip": ((HOUR, 30),),
    # Concerns reported by one account: 10 a day; from one address: 30 a day.
    "report_account": ((DAY, 10),),
    "report_ip": ((DAY, 30),),
    # The public "who handles what" search, per address: lightly.
    "lookup_ip": ((10 * MINUTE, 120),),
}
KEEP = 2 * DAY  # longest window, and a margin


class Throttled(ApplicationError):
    status = 429

    def __init__(self, message, *, retry_after: datetime.timedelta):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Key:
    kind: str
    key: str


def contact_key(digest: str) -> Key:
    return Key("code_contact", digest)


def ip_key(kind: str, ip: str | None) -> Key | None:
    """Addresses are personal data too: only a keyed hash is counted."""
    return Key(kind, crypto.digest(f"ip:{ip}")) if ip else None


def account_key(kind: str, user) -> Key:
    return Key(kind, crypto.digest(f"user:{user.pk}"))


def wait_for(key: Key, now=None) -> datetime.timedelta | None:
    """How long until `key` may be used again, or None when it may be used now."""
    now = now or timezone.now()
    longest = datetime.timedelta(0)
    for window, limit in LIMITS[key.kind]:
        recent = ThrottleHit.objects.filter(kind=key.kind, key=key.key, at__gt=now - window)
        if recent.count() >= limit:
            # Free again when the oldest hit that still counts leaves the window.
            oldest = recent.order_by("-at").values_list("at", flat=True)[limit - 1]
            longest = max(longest, oldest + window - now)
    return longest or None


def hit(*keys: Key | None, now=None) -> None:
    now = now or timezone.now()
    ThrottleHit.objects.bulk_create([ThrottleHit(kind=k.kind, key=k.key, at=now) for k in keys if k])


def guard(*keys: Key | None, message, now=None) -> None:
    """Raise Throttled with `message` (a function of the wait, in minutes) when any key is over its limit;
    otherwise count one hit for each."""
    now = now or timezone.now()
    waits = [w for k in keys if k and (w := wait_for(k, now))]
    if waits:
        wait = max(waits)
        raise Throttled(message(minutes_of(wait)), retry_after=wait)
    hit(*keys, now=now)


def minutes_of(wait: datetime.timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def wait_message(minutes: int) -> str:
    if minutes >= 90:
        hours = math.ceil(minutes / 60)
        return ngettext(
            "Too many requests. Please try again in %(n)d hour.",
            "Too many requests. Please try again in %(n)d hours.",
            hours,
        ) % {"n": hours}
    return ngettext(
        "Too many requests. Please try again in %(n)d minute.",
        "Too many requests. Please try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def prune(now=None) -> int:
    """Forget hits older than every window (called when codes are sent: rare enough, often enough)."""
    now = now or timezone.now()
    deleted, _rows = ThrottleHit.objects.filter(at__lt=now - KEEP).delete()
    return deleted
