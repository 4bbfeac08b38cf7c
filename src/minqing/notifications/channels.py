"""How a message leaves Minqing. One small interface; delivery state and retries are not the channels' job
(notifications.actions.deliver_message keeps them)."""

import smtplib

from django.conf import settings
from django.core.mail import get_connection, send_mail

from .models import Message, MessageChannel
from .webhooks import WebhookError, post_signed_json

EMAIL_TIMEOUT_SECONDS = 30


class DeliveryError(Exception):
    """This attempt failed; the text is kept as the message's last error (never include the address)."""


class Channel:
    # Delivered the moment the row exists (nothing leaves the server).
    immediate = False

    def is_configured(self) -> bool:
        return True

    def send(self, message: Message) -> None:
        """Deliver once, or raise DeliveryError."""
        raise NotImplementedError


class InAppChannel(Channel):
    """The inbox is the outbox row itself: nothing to send."""

    immediate = True

    def send(self, message: Message) -> None:
        return None


class EmailChannel(Channel):
    """Django's mail backend: SMTP when MINQING_EMAIL_HOST is set, the console otherwise (locmem in tests)."""

    def send(self, message: Message) -> None:
        try:
            connection = get_connection(timeout=EMAIL_TIMEOUT_SECONDS)
            send_mail(message.subject, message.body, None, [message.recipient], connection=connection)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"Email not accepted: {error.__class__.__name__}: {error}"[:500]) from None


class WebhookChannel(Channel):
    """SMS (or WeChat) through a gateway that takes a signed JSON POST: {id, to, text, event}.

    `id` is the message's id: a gateway should drop an id it has already sent (see actions.deliver_message
    on interrupted deliveries)."""

    def is_configured(self) -> bool:
        return bool(settings.MINQING_SMS_WEBHOOK_URL)

    def send(self, message: Message) -> None:
        secret = settings.MINQING_SMS_WEBHOOK_SECRET
        if not secret:
            raise DeliveryError("MINQING_SMS_WEBHOOK_SECRET is not set: refusing to send unsigned.")
        payload = {"id": message.pk, "to": message.recipient, "text": message.body, "event": message.event}
        try:
            post_signed_json(settings.MINQING_SMS_WEBHOOK_URL, secret, payload)
        except WebhookError as error:
            raise DeliveryError(str(error)[:500]) from None


CHANNELS: dict[str, Channel] = {
    MessageChannel.EMAIL: EmailChannel(),
    MessageChannel.SMS: WebhookChannel(),
    MessageChannel.INAPP: InAppChannel(),
}


def get_channel(name: str) -> Channel:
    return CHANNELS[name]
