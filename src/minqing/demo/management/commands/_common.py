"""What the two demo commands share: the password and the address, both from settings."""

from django.conf import settings

DEMO_ENV = "MINQING_DEMO_PASSWORD"


def demo_password() -> str | None:
    return settings.DEMO_PASSWORD or None


def demo_url() -> str:
    return f"http://127.0.0.1:{settings.DEMO_PORT}/"
