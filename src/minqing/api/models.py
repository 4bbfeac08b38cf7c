"""Webhooks of the REST API: an admin subscribes a URL to case events of their area; each event makes one
delivery per matching subscription, signed and retried (minqing.api.webhooks).

A delivery's state is a small machine driven only by minqing.api.webhooks:

    pending ──claim──▶ sending ──2xx──▶ delivered
                          │
                          ├──error, attempts < MAX──▶ retrying ──due──▶ sending …
                          └──error, last attempt────▶ failed ──(admin: retry now)──▶ pending
"""

import json
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.fields import EncryptedTextField


class Event(models.TextChoices):
    CREATED = "case.created", _("Case registered")
    DISPATCHED = "case.dispatched", _("Case dispatched")
    ACCEPTED = "case.accepted", _("Case accepted by the handler")
    ANSWERED = "case.answered", _("Case answered by the handler")
    CLOSED = "case.closed", _("Case closed")
    REOPENED = "case.reopened", _("Case reopened")
    ESCALATED = "case.escalated", _("Case overdue: supervision")


class WebhookSubscription(models.Model):
    url = models.URLField(_("address"), max_length=500)
    # The shared secret the receiver checks signatures with: shown once, kept encrypted.
    secret = EncryptedTextField(editable=False)
    events = models.JSONField(_("events"), default=list)
    # The subscriber hears of cases in these areas and below: the scope of the admin who subscribed.
    areas = models.ManyToManyField("places.Area", verbose_name=_("areas"), related_name="+")
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.url

    def event_labels(self) -> list[str]:
        return [str(Event(e).label) for e in self.events if e in Event.values]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Failed, will retry")
    FAILED = "failed", _("Failed, given up")


# What a worker may still pick up, and what an admin may send again.
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.RETRYING)
RETRYABLE_STATUSES = (DeliveryStatus.RETRYING, DeliveryStatus.FAILED)


class WebhookDelivery(models.Model):
    # Sent in the payload as "id": a receiver drops a delivery it has already seen (retries can repeat one).
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    # What is sent, fixed when the event happened: ids, reference, status, category, area, organisation and
    # times of the case; never personal data.
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a worker may next try: the retry time, or the end of a sending worker's lease.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} {self.uuid}"

    @property
    def payload_json(self) -> str:
        return json.dumps(self.payload, ensure_ascii=False, indent=2)

    @property
    def case_reference(self) -> str:
        return (self.payload.get("case") or {}).get("reference", "")
