"""The outbox: one row per message Minqing sends, whatever the channel (ADR-style notes in actions.py).

A row is written in the caller's transaction with its text already rendered, so what was sent is what the
outbox shows. Delivery state is a small state machine driven only by notifications.actions:

    pending ──claim──▶ sending ──ok──▶ sent
       ▲                  │
       │ retry now        ├──error, attempts < 6──▶ retrying ──due──▶ sending …
       │                  └──error, 6th attempt───▶ dead
       └── retrying / dead / unconfigured (staff "retry now")
    pending ──no gateway configured──▶ unconfigured (kept, visible in the outbox)
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.fields import EncryptedTextField
from minqing.core.identity import mask_phone


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    INAPP = "inapp", _("In Minqing")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    DEAD = "dead", _("Failed, given up")
    UNCONFIGURED = "unconfigured", _("Not sent: no SMS gateway configured")


# Statuses a delivery worker may still pick up (the retry scan's partial index covers exactly these).
OPEN_STATUSES = (MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.RETRYING)
# Statuses staff may send again with "retry now".
RETRYABLE_STATUSES = (MessageStatus.RETRYING, MessageStatus.DEAD, MessageStatus.UNCONFIGURED)


class Message(models.Model):
    event = models.CharField(_("event"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Phone or email address, AES-GCM at rest; empty for in-app messages.
    recipient = EncryptedTextField(_("recipient address"), blank=True, default="")
    subject = models.CharField(_("subject"), max_length=200)
    # Encrypted too: answers and case descriptions may name people, and login codes are secrets.
    body = EncryptedTextField(_("text"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    about_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about_id = models.CharField(max_length=64, blank=True)
    area_path = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a worker may next try: the retry time, or the end of a sending worker's lease.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The retry scan: open rows by due time, and nothing else.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending", "retrying"]),
                name="notif_due_idx",
            ),
            # The inbox (newest first) and its unread badge.
            models.Index(fields=["recipient_user", "channel", "-created_at"], name="notif_inbox_idx"),
            models.Index(
                fields=["recipient_user"],
                condition=models.Q(channel="inapp", read_at__isnull=True),
                name="notif_unread_idx",
            ),
            # The case page's list of messages about it.
            models.Index(fields=["about_type", "about_id", "created_at"], name="notif_about_idx"),
            models.Index(fields=["status", "-created_at"], name="notif_status_idx"),
        ]

    def __str__(self):
        return f"{self.event} · {self.channel} #{self.pk}"

    @property
    def masked_recipient(self) -> str:
        if self.channel == MessageChannel.SMS:
            return mask_phone(self.recipient)
        if self.channel == MessageChannel.EMAIL:
            return mask_email(self.recipient)
        return ""

    @property
    def event_label(self) -> str:
        from .rendering import event_label

        return event_label(self.event)

    @property
    def is_unread(self) -> bool:
        return self.channel == MessageChannel.INAPP and self.read_at is None


def mask_email(address: str) -> str:
    """w***@example.com: enough to tell two addresses apart, not enough to write to."""
    if not address:
        return ""
    local, at, domain = address.partition("@")
    if not at:
        return local[:1] + "***"
    return f"{local[:1]}***@{domain}"
