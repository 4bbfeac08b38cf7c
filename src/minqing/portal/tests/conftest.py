import re

import pytest

from minqing.notifications.models import Message


def last_code(recipient: str | None = None) -> str:
    """The code from the newest login-code message (the outbox is where the demo shows it)."""
    messages = Message.objects.filter(event="login_code").order_by("-id")
    if recipient is not None:
        messages = [m for m in messages if m.recipient == recipient]
    return re.search(r"\b(\d{6})\b", messages[0].body).group(1)


def ask_code(client, contact, community, **extra):
    return client.post("/r/login/", {"contact": contact, "community": community.pk}, **extra)


def enter_code(client, code, **extra):
    return client.post("/r/login/code/", {"code": code}, **extra)


@pytest.fixture
def signed_up(client, world):
    """A newcomer (not in the registry) who signed up with their phone in 热电社区; the client is theirs."""

    def _sign_up(phone="13611112222", name="新住户", community=None, c=None):
        c = c or client
        assert ask_code(c, phone, community or world.community).status_code == 302
        assert enter_code(c, last_code(phone)).status_code == 302
        response = c.post("/r/welcome/", {"name": name, "accept": "on"})
        assert response.status_code == 302, response.content.decode()[:2000]
        from minqing.portal.models import PortalAccount

        return PortalAccount.objects.get(phone_digest__isnull=False, user__first_name=name).user

    return _sign_up
