"""Case events to webhook subscribers: creating deliveries (in the caller's transaction), sending them signed,
retrying with backoff.

Emission: `emit_case_event(case, event)`, called through `cases.notices.changed` inside the action that changed
the case. It writes one `WebhookDelivery` per active subscription that wants the event and whose areas contain
the case's grid, and enqueues their sending once the transaction commits (a rolled-back step sends nothing).

Sending: `deliver(delivery_id)` *claims* a delivery with one conditional UPDATE (pending/retrying → sending,
attempts + 1) and only the worker whose UPDATE changed the row posts it; no transaction is held open while
talking to the receiver. The body is JSON, signed as `notifications.webhooks` signs the SMS gateway's
(`X-Minqing-Signature: sha256=HMAC-SHA256(secret, "<X-Minqing-Timestamp>.<body>")`); a receiver checks it
with `notifications.webhooks.verify_signature` and drops a payload `id` it has already seen. A failure waits
BACKOFF_MINUTES before the next attempt; after MAX_ATTEMPTS the delivery is failed (an admin may retry it).
`retry_due()` (task `minqing.api.tasks.retry_due_webhooks`, every minute) enqueues what is due, including
deliveries whose enqueue was lost and deliveries whose worker died mid-send.
"""

import datetime
import logging
import re

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from minqing.notifications import webhooks as signed

from .models import OPEN_STATUSES, DeliveryStatus, Event, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Wait after the n-th failed attempt (minutes): about 22 hours from the first try to the last.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
SENDING_LEASE = datetime.timedelta(minutes=5)
# A new delivery whose on-commit task never ran (lost enqueue) is picked up by the retry scan after this.
PENDING_GRACE = datetime.timedelta(minutes=2)
RETRY_SCAN_LIMIT = 500

# The transitions of cases/workflow.py that subscribers hear of; the others (refer, return, verify,
# send_back) are internal steps.
TRANSITION_EVENTS = {
    "register": Event.CREATED,
    "dispatch": Event.DISPATCHED,
    "reassign": Event.DISPATCHED,
    "accept": Event.ACCEPTED,
    "answer": Event.ANSWERED,
    "close": Event.CLOSED,
    "resolve_on_spot": Event.CLOSED,
    "close_referral": Event.CLOSED,
    "merged_into": Event.CLOSED,
    "reopen": Event.REOPENED,
    "escalated_yellow": Event.ESCALATED,
    "escalated_red": Event.ESCALATED,
}


def event_for(name: str) -> str | None:
    """The webhook event of `name`: an event itself ("case.closed") or a transition name ("close")."""
    if name in Event.values:
        return name
    return TRANSITION_EVENTS.get(name)


# --- emission: in the caller's transaction ------------------------------------------------------------


def emit_case_event(case, event: str, *, now=None) -> list[WebhookDelivery]:
    """One delivery per active subscription that wants `event` and whose areas contain the case's grid."""
    if event not in Event.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    now = now or timezone.now()
    ancestors = case.area.ancestor_ids()
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(
            active=True,
            pk__in=WebhookSubscription.areas.through.objects.filter(area_id__in=ancestors).values(
                "webhooksubscription_id"
            ),
        ).only("pk", "events")
        if event in subscription.events
    ]
    if not subscriptions:
        return []
    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery(
            subscription=subscription, event=event, next_attempt_at=now + PENDING_GRACE, payload={}
        )
        delivery.payload = payload(case, event, delivery_id=str(delivery.uuid), occurred_at=now)
        deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in deliveries if d.pk is not None]
    # robust: a failed enqueue must not break the caller's step; the retry scan picks the deliveries up.
    transaction.on_commit(lambda: _enqueue_all(ids), robust=True)
    return deliveries


def payload(case, event: str, *, delivery_id: str, occurred_at) -> dict:
    """What a subscriber learns: the case's ids, state, category, place and times. No personal data: not the
    text (it may name people), not the reporters, not the household."""
    return {
        "id": delivery_id,
        "event": event,
        "occurred_at": _iso(occurred_at),
        "case": {
            "id": case.pk,
            "reference": case.reference,
            "status": case.status,
            "nature": case.nature,
            "channel": case.channel,
            "urgent": case.urgent,
            "escalation": case.escalation,
            "category": (
                {"id": case.category_id, "code": case.category.code, "name": case.category.name}
                if case.category_id
                else None
            ),
            "area": {"id": case.area_id, "code": case.area.code, "name": case.area.name},
            "organisation": (
                {"id": case.organisation_id, "name": case.organisation.name} if case.organisation_id else None
            ),
            "created_at": _iso(case.created_at),
            "updated_at": _iso(case.updated_at),
            "dispatched_at": _iso(case.dispatched_at),
            "accepted_at": _iso(case.accepted_at),
            "answered_at": _iso(case.answered_at),
            "closed_at": _iso(case.closed_at),
            "due_at": _iso(case.due_at),
        },
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _enqueue_all(ids) -> None:
    for delivery_id in ids:
        _enqueue(delivery_id)


def _enqueue(delivery_id: int) -> None:
    from .tasks import deliver_webhook

    deliver_webhook.enqueue(delivery_id)


def enqueue_on_commit(delivery_id: int) -> None:
    transaction.on_commit(lambda: _enqueue(delivery_id), robust=True)


# --- sending: outside any transaction -----------------------------------------------------------------


def _claimable(now) -> Q:
    return Q(status=DeliveryStatus.PENDING) | Q(
        status__in=[DeliveryStatus.RETRYING, DeliveryStatus.SENDING],
        next_attempt_at__lte=now,
        attempts__lt=MAX_ATTEMPTS,
    )


def deliver(delivery_id: int) -> str:
    """Post one delivery now if it is still due and nobody else is posting it. Returns its status."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=DeliveryStatus.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + SENDING_LEASE,
        updated_at=now,
    )
    if not claimed:
        status = WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        return status or "missing"  # delivered, being sent by another worker, not due yet, or given up
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.active:
        return _finish(delivery, DeliveryStatus.FAILED, error="The webhook was switched off.")
    try:
        code = signed.post_signed_json(subscription.url, subscription.secret, delivery.payload)
    except signed.WebhookError as error:
        return _record_failure(delivery, str(error))
    except Exception as error:  # a bug must not leave the delivery `sending`
        logger.exception("Webhook delivery %s failed unexpectedly", delivery_id)
        return _record_failure(delivery, str(error) or error.__class__.__name__)
    return _finish(delivery, DeliveryStatus.DELIVERED, code=code)


HTTP_STATUS = re.compile(r"^HTTP (\d{3})\b")


def _record_failure(delivery: WebhookDelivery, error: str) -> str:
    now = timezone.now()
    match = HTTP_STATUS.match(error)
    if delivery.attempts >= MAX_ATTEMPTS:
        status, next_at = DeliveryStatus.FAILED, None
    else:
        minutes = BACKOFF_MINUTES[min(delivery.attempts, len(BACKOFF_MINUTES)) - 1]
        status, next_at = DeliveryStatus.RETRYING, now + datetime.timedelta(minutes=minutes)
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=status,
        next_attempt_at=next_at,
        last_status_code=int(match.group(1)) if match else None,
        last_error=error[:1000],
        updated_at=now,
    )
    return status


def _finish(delivery: WebhookDelivery, status: str, *, code: int | None = None, error: str = "") -> str:
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=status,
        next_attempt_at=None,
        last_status_code=code,
        last_error=error,
        delivered_at=now if status == DeliveryStatus.DELIVERED else None,
        updated_at=now,
    )
    return status


def retry_due(now=None) -> int:
    """Enqueue every delivery that is due: retries whose wait is over, new deliveries whose task was lost,
    deliveries interrupted past their lease. Returns how many were enqueued. Run every minute."""
    now = now or timezone.now()
    # An interrupted delivery that was already the last attempt is given up, not tried once more.
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING, next_attempt_at__lte=now, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        last_error="Delivery was interrupted (worker stopped) on the last attempt.",
        updated_at=now,
    )
    due = list(
        WebhookDelivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:RETRY_SCAN_LIMIT]
    )
    for delivery_id in due:
        _enqueue(delivery_id)
    return len(due)
