"""Writes to the outbox: creating messages (the public interface other apps call), delivering them, retrying,
and the inbox's read marks.

Concurrency rule: a worker *claims* a message with one conditional UPDATE (status pending/retrying → sending,
attempts + 1) and only the worker whose UPDATE changed the row sends it; the result is written with another
conditional UPDATE. No transaction is held open while talking to SMTP or a gateway (SQLite's write lock is
database-wide). A message marked sent is never sent again. A worker that dies mid-send leaves the row in
`sending` until its lease ends; it is then tried again (at most once more per lease), which can repeat a
message the gateway had already accepted: the webhook carries the message id so a gateway can drop repeats.
"""

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import audit
from minqing.core.errors import Forbidden, InvalidInput, NotFound
from minqing.core.identity import PHONE_RE, normalise_phone

from . import rendering
from .channels import DeliveryError, get_channel
from .models import OPEN_STATUSES, RETRYABLE_STATUSES, Message, MessageChannel, MessageStatus
from .selectors import can_see_outbox, in_outbox_scope

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Wait after the n-th failed attempt (minutes). The 6th failure is final, so the last step is only used if
# MAX_ATTEMPTS is raised.
BACKOFF_MINUTES = (1, 2, 4, 8, 16, 32)
# How long a worker may hold a message in `sending` before another may take it over.
SENDING_LEASE = datetime.timedelta(minutes=5)
# A new message whose on-commit task never ran (lost enqueue) is picked up by the retry scan after this.
PENDING_GRACE = datetime.timedelta(minutes=2)
RETRY_SCAN_LIMIT = 500

audit.register_labels({"notifications.message.retry": gettext_lazy("Message sent again")})


# --- creating messages: the public interface ----------------------------------------------------------


def notify_user(
    user, event: str, context: dict, *, link: str = "", about=None, area_path: str = ""
) -> list[Message]:
    """Tell an account holder: always in their Minqing inbox, and by email when they have an address.

    Rows are written in the caller's transaction; email goes out after it commits."""
    language = getattr(user, "language", "") or None
    subject, body = rendering.render(event, context, language)
    common = _common(event, subject, body, link, about, area_path)
    messages = [_create(channel=MessageChannel.INAPP, recipient_user=user, **common)]
    if user.email:
        messages.append(
            _create(channel=MessageChannel.EMAIL, recipient_user=user, recipient=user.email, **common)
        )
    return messages


def notify_contact(
    *,
    event: str,
    context: dict,
    phone: str = "",
    email: str = "",
    language: str | None = None,
    link: str = "",
    about=None,
    area_path: str = "",
) -> list[Message]:
    """Tell someone without an account (a resident who reported a concern): SMS through the gateway when a
    mobile number is given (a landline cannot take one and is skipped), email when an address is given."""
    subject, body = rendering.render(event, context, language)
    common = _common(event, subject, body, link, about, area_path)
    messages = []
    phone = normalise_phone(phone) if phone else ""
    if phone and PHONE_RE.match(phone):
        messages.append(_create(channel=MessageChannel.SMS, recipient=phone, **common))
    if email.strip():
        messages.append(_create(channel=MessageChannel.EMAIL, recipient=email.strip(), **common))
    return messages


def _common(event, subject, body, link, about, area_path) -> dict:
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"A notification link must be a relative URL, not {link!r}")
    return {
        "event": event,
        "subject": subject,
        "body": body,
        "link": link,
        "about_type": ContentType.objects.get_for_model(about) if about is not None else None,
        "about_id": str(about.pk) if about is not None else "",
        "area_path": area_path,
    }


def _create(*, channel: str, **fields) -> Message:
    now = timezone.now()
    if get_channel(channel).immediate:
        return Message.objects.create(channel=channel, status=MessageStatus.SENT, sent_at=now, **fields)
    message = Message.objects.create(
        channel=channel, status=MessageStatus.PENDING, next_attempt_at=now + PENDING_GRACE, **fields
    )
    _enqueue_on_commit(message.pk)
    return message


def _enqueue_on_commit(message_id: int) -> None:
    # robust: a failed enqueue must not break the caller's page; the retry scan picks the message up.
    transaction.on_commit(lambda: _enqueue(message_id), robust=True)


def _enqueue(message_id: int) -> None:
    from .tasks import deliver

    deliver.enqueue(message_id)


# --- delivering ----------------------------------------------------------------------------------------


def _claimable(now) -> Q:
    return Q(status=MessageStatus.PENDING) | Q(
        status__in=[MessageStatus.RETRYING, MessageStatus.SENDING],
        next_attempt_at__lte=now,
        attempts__lt=MAX_ATTEMPTS,
    )


def deliver_message(message_id: int) -> str:
    """Try to send one message now, if it is still due and nobody else is sending it. Returns its status."""
    now = timezone.now()
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "missing"
    channel = get_channel(message.channel)
    if not channel.is_configured():
        Message.objects.filter(_claimable(now), pk=message_id).update(
            status=MessageStatus.UNCONFIGURED, next_attempt_at=None, last_error=""
        )
        return Message.objects.values_list("status", flat=True).get(pk=message_id)
    claimed = (
        Message.objects.filter(_claimable(now), pk=message_id)
        .exclude(channel=MessageChannel.INAPP)
        .update(status=MessageStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE)
    )
    if not claimed:
        return message.status  # sent, being sent by another worker, not due yet, or given up
    message.refresh_from_db()
    try:
        channel.send(message)
    except Exception as error:  # any failure is one failed attempt; a bug must not leave it `sending`
        if not isinstance(error, DeliveryError):
            logger.exception("Delivery of message %s failed unexpectedly", message_id)
        return _record_failure(message, str(error) or error.__class__.__name__)
    Message.objects.filter(pk=message_id, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return MessageStatus.SENT


def _record_failure(message: Message, error: str) -> str:
    now = timezone.now()
    if message.recipient:  # errors (e.g. SMTP "recipient refused") may quote the address
        error = error.replace(message.recipient, message.masked_recipient)
    if message.attempts >= MAX_ATTEMPTS:
        status, next_at = MessageStatus.DEAD, None
    else:
        minutes = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
        status, next_at = MessageStatus.RETRYING, now + datetime.timedelta(minutes=minutes)
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=status, next_attempt_at=next_at, last_error=error[:1000]
    )
    return status


def retry_due(now=None) -> int:
    """Enqueue delivery of every message that is due: retries whose wait is over, new messages whose task was
    lost, deliveries interrupted past their lease. Returns how many were enqueued. Run every minute."""
    now = now or timezone.now()
    # An interrupted delivery that was already the last attempt is given up, not tried a 7th time.
    Message.objects.filter(
        status=MessageStatus.SENDING, next_attempt_at__lte=now, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=MessageStatus.DEAD,
        next_attempt_at=None,
        last_error="Delivery was interrupted (worker stopped) on the last attempt.",
    )
    due = list(
        Message.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:RETRY_SCAN_LIMIT]
    )
    for message_id in due:
        _enqueue(message_id)
    return len(due)


# --- staff: "retry now" ---------------------------------------------------------------------------------


@transaction.atomic
def retry_message(*, acting_user, message: Message) -> Message:
    """Send a failed, given-up or unconfigured message again now (one more attempt), recorded in the audit."""
    if not can_see_outbox(acting_user):
        raise Forbidden()
    if not in_outbox_scope(acting_user, message.area_path):
        raise NotFound()
    old_status = message.status
    updated = Message.objects.filter(pk=message.pk, status__in=RETRYABLE_STATUSES).update(
        status=MessageStatus.PENDING, next_attempt_at=timezone.now() + PENDING_GRACE
    )
    if not updated:
        raise InvalidInput(_("This message is not waiting to be sent again."))
    message.refresh_from_db()
    audit.record(
        actor=acting_user,
        action="notifications.message.retry",
        target=message,
        area_path=message.area_path,
        changes={"status": [old_status, MessageStatus.PENDING]},
    )
    _enqueue_on_commit(message.pk)
    return message


# --- the inbox -----------------------------------------------------------------------------------------


def mark_read(*, acting_user, message_id: int) -> None:
    """Mark one of the user's own in-app messages read (someone else's is not found)."""
    mine = Message.objects.filter(pk=message_id, recipient_user=acting_user, channel=MessageChannel.INAPP)
    if not mine.exists():
        raise NotFound()
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, acting_user) -> int:
    return Message.objects.filter(
        recipient_user=acting_user, channel=MessageChannel.INAPP, read_at__isnull=True
    ).update(read_at=timezone.now())
