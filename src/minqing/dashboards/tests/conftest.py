import datetime

import pytest
from django.conf import settings
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def _english(client):
    """Pages and messages in English (the source language); the interface default is Chinese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


class Clock:
    """timezone.now() under the test's control: auto_now_add (registered at, call-back recorded at) and the
    actions both read it."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def at(self, day: str, time: str = "09:00") -> datetime.datetime:
        self.now = timezone.make_aware(datetime.datetime.fromisoformat(f"{day} {time}"))
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock
