"""Failed-login throttle, counted in the database so every app server sees the same numbers."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import FailedLogin


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def is_throttled(username: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = FailedLogin.objects.filter(at__gte=since)
    by_user = recent.filter(username=username.lower()).count()
    by_ip = recent.filter(ip=ip).count() if ip else 0
    # An address gets more room than one username: a service centre shares one address.
    return by_user >= settings.LOGIN_FAILURE_LIMIT or by_ip >= settings.LOGIN_FAILURE_LIMIT * 4


def record_failure(username: str, ip: str | None) -> None:
    FailedLogin.objects.create(username=username.lower()[:150], ip=ip)


def clear_failures(username: str) -> None:
    FailedLogin.objects.filter(Q(username=username.lower())).delete()
