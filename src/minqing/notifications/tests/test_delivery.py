"""Delivery: channels, retries with backoff, dead after 6, idempotence, the no-gateway state, encryption."""

import hashlib
import hmac
import json
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation

from minqing.notifications import actions, channels
from minqing.notifications.actions import notify_contact, notify_user, retry_due
from minqing.notifications.models import Message, MessageChannel, MessageStatus
from minqing.notifications.selectors import messages_about
from minqing.notifications.webhooks import sign, verify_signature

PHONE = "13912345678"
CODE = {"code": "482913", "minutes": 10}


def send_code(capture, **kwargs):
    with capture(execute=True):
        return notify_contact(event="login_code", context=CODE, language="en", **kwargs)


# --- creating messages -------------------------------------------------------------------------------


def test_a_user_gets_an_inbox_message_and_an_email(world, django_capture_on_commit_callbacks):
    world.handler.email = "handler@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        messages = notify_user(
            world.handler,
            "case_returned",
            {"reference": "MQ1", "organisation": "旧改办", "reason": "不归我们"},
            link="/cases/1/",
            about=world.building1,
            area_path=world.grid1.path,
        )
    inapp, email = messages
    assert inapp.channel == MessageChannel.INAPP
    assert inapp.status == MessageStatus.SENT
    assert inapp.sent_at is not None
    assert inapp.read_at is None
    email.refresh_from_db()
    assert email.status == MessageStatus.SENT
    assert email.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["handler@example.org"]
    assert mail.outbox[0].subject == email.subject
    assert "MQ1" in mail.outbox[0].body
    assert [m.pk for m in messages_about(world.building1)] == [email.pk, inapp.pk]


def test_a_user_without_email_gets_only_the_inbox_message(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        messages = notify_user(world.grid_worker, "login_code", CODE)
    assert [m.channel for m in messages] == ["inapp"]
    assert callbacks == []  # nothing to send later
    assert mail.outbox == []


def test_a_contact_gets_sms_and_email_and_a_landline_is_skipped(
    world, gateway, django_capture_on_commit_callbacks
):
    messages = send_code(django_capture_on_commit_callbacks, phone="+86 139-1234-5678", email="r@example.org")
    assert [m.channel for m in messages] == ["sms", "email"]
    assert Message.objects.get(channel="sms").recipient == PHONE
    assert send_code(django_capture_on_commit_callbacks, phone="0431-88881234") == []


def test_unknown_events_and_absolute_links_are_refused_and_write_nothing(world):
    with pytest.raises(ValueError, match="Unknown notification event"):
        notify_user(world.grid_worker, "case_exploded", {})
    with pytest.raises(ValueError, match="Unknown notification event"):
        notify_contact(event="no_such_event", context={}, phone=PHONE)
    with pytest.raises(ValueError, match="relative URL"):
        notify_user(world.grid_worker, "login_code", CODE, link="https://evil.example/")
    assert not Message.objects.exists()


def test_nothing_is_sent_if_the_callers_transaction_rolls_back(world, gateway):
    from django.db import transaction

    def caller():
        with transaction.atomic():
            notify_contact(event="login_code", context=CODE, phone=PHONE)
            raise RuntimeError("the caller failed after notifying")

    with pytest.raises(RuntimeError, match="caller failed"):
        caller()
    assert not Message.objects.exists()
    assert gateway.requests == []


def test_addresses_and_texts_are_encrypted_at_rest(world, no_gateway, django_capture_on_commit_callbacks):
    send_code(django_capture_on_commit_callbacks, phone=PHONE, email="resident@example.org")
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, body, subject FROM notifications_message")
        rows = cursor.fetchall()
    raw = " ".join(str(value) for row in rows for value in row)
    assert PHONE not in raw
    assert "resident@example.org" not in raw
    assert "482913" not in raw  # the login code is in the body, encrypted
    assert Message.objects.get(channel="sms").recipient == PHONE


# --- the webhook channel (SMS gateway) -----------------------------------------------------------------


def test_sms_goes_to_the_gateway_signed(world, gateway, django_capture_on_commit_callbacks):
    (message,) = send_code(django_capture_on_commit_callbacks, phone=PHONE, area_path=world.grid1.path)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    (request,) = gateway.requests
    payload = json.loads(request["body"])
    assert payload == {"id": message.pk, "to": PHONE, "text": message.body, "event": "login_code"}
    assert "482913" in payload["text"]
    timestamp = request["headers"]["X-Minqing-Timestamp"]
    signature = request["headers"]["X-Minqing-Signature"]
    expected = hmac.new(
        b"gateway-shared-secret", timestamp.encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    assert signature == f"sha256={expected}"
    assert verify_signature("gateway-shared-secret", timestamp, request["body"], signature)
    assert not verify_signature("another-secret", timestamp, request["body"], signature)
    assert not verify_signature("gateway-shared-secret", timestamp, request["body"] + b" ", signature)
    assert not verify_signature("gateway-shared-secret", timestamp, request["body"], signature, now=10**10)


def test_signature_is_over_timestamp_dot_body():
    assert sign("k", "1700000000", b"{}") == (
        "sha256=" + hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    )


def test_a_gateway_error_is_a_failed_attempt_with_the_reason(
    world, gateway, clock, django_capture_on_commit_callbacks
):
    gateway.status = 500
    (message,) = send_code(django_capture_on_commit_callbacks, phone=PHONE)
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRYING
    assert message.attempts == 1
    assert message.last_error.startswith("HTTP 500")
    assert message.next_attempt_at == clock.now + actions.datetime.timedelta(minutes=1)
    assert PHONE not in message.last_error


def test_an_unreachable_gateway_is_a_failed_attempt(world, settings, django_capture_on_commit_callbacks):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.MINQING_SMS_WEBHOOK_URL = f"http://127.0.0.1:{port}/sms"
    settings.MINQING_SMS_WEBHOOK_SECRET = "x"
    (message,) = send_code(django_capture_on_commit_callbacks, phone=PHONE)
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRYING
    assert "unreachable" in message.last_error


def test_a_gateway_without_secret_is_refused_not_sent_unsigned(
    world, gateway, settings, django_capture_on_commit_callbacks
):
    settings.MINQING_SMS_WEBHOOK_SECRET = ""
    (message,) = send_code(django_capture_on_commit_callbacks, phone=PHONE)
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRYING
    assert "SECRET" in message.last_error
    assert gateway.requests == []


def test_without_a_gateway_sms_wait_visibly_in_the_outbox(
    world, no_gateway, clock, django_capture_on_commit_callbacks
):
    (message,) = send_code(django_capture_on_commit_callbacks, phone=PHONE, area_path=world.grid1.path)
    message.refresh_from_db()
    assert message.status == MessageStatus.UNCONFIGURED
    assert message.attempts == 0
    with translation.override("en"):
        assert message.get_status_display() == "Not sent: no SMS gateway configured"
    clock.advance(hours=1)
    assert retry_due() == 0  # not retried behind anyone's back; staff use "retry now"


# --- retries -------------------------------------------------------------------------------------------


def test_backoff_then_dead_after_six_attempts(
    world, clock, failing_email, django_capture_on_commit_callbacks
):
    (message,) = send_code(django_capture_on_commit_callbacks, email="r@example.org")
    waits = []
    for attempt in range(1, 7):
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt < 6:
            assert message.status == MessageStatus.RETRYING
            wait = message.next_attempt_at - clock.now
            waits.append(int(wait.total_seconds() // 60))
            clock.advance(seconds=wait.total_seconds() - 1)
            assert retry_due() == 0  # not yet
            clock.advance(seconds=1)
            assert retry_due() == 1
    assert waits == [1, 2, 4, 8, 16]
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert message.next_attempt_at is None
    assert message.last_error == "gateway said no (6)"
    assert failing_email.calls == 6
    clock.advance(days=1)
    assert retry_due() == 0
    assert failing_email.calls == 6


def test_retry_due_accepts_an_explicit_now(world, clock, failing_email, django_capture_on_commit_callbacks):
    send_code(django_capture_on_commit_callbacks, email="r@example.org")
    assert retry_due(now=clock.now) == 0
    assert retry_due(now=clock.now + actions.datetime.timedelta(minutes=1)) == 1


def test_the_retry_task_runs_through_the_task_backend(
    world, clock, failing_email, django_capture_on_commit_callbacks
):
    from minqing.notifications.tasks import retry_due_messages

    send_code(django_capture_on_commit_callbacks, email="r@example.org")
    clock.advance(minutes=1)
    result = retry_due_messages.enqueue()
    assert result.return_value == 1
    assert failing_email.calls == 2


def test_a_lost_enqueue_is_picked_up_by_the_retry_scan(world, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the task was never enqueued
        (message,) = notify_contact(event="login_code", context=CODE, email="r@example.org")
    assert retry_due() == 0  # give the queued task its grace period first
    clock.advance(minutes=2)
    assert retry_due() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mail.outbox) == 1


def test_an_interrupted_delivery_is_taken_over_after_its_lease(
    world, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        (message,) = notify_contact(event="login_code", context=CODE, email="r@example.org")
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, next_attempt_at=clock.now + actions.SENDING_LEASE
    )
    assert actions.deliver_message(message.pk) == MessageStatus.SENDING  # someone else holds it
    assert mail.outbox == []
    clock.advance(minutes=5)
    assert retry_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    # On the last attempt an interruption is final.
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=6, next_attempt_at=clock.now
    )
    assert retry_due() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD


# --- idempotence ---------------------------------------------------------------------------------------


def test_a_sent_message_is_never_sent_again(world, django_capture_on_commit_callbacks):
    (message,) = send_code(django_capture_on_commit_callbacks, email="r@example.org")
    assert len(mail.outbox) == 1
    assert actions.deliver_message(message.pk) == MessageStatus.SENT
    assert retry_due() == 0
    Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
    assert actions.deliver_message(message.pk) == MessageStatus.SENT
    assert len(mail.outbox) == 1


def test_a_second_worker_picking_the_same_message_sends_nothing(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []

    class ReentrantChannel(channels.EmailChannel):
        def send(self, message):
            # While this worker sends, another worker runs the same task.
            seen.append(actions.deliver_message(message.pk))
            super().send(message)

    monkeypatch.setitem(channels.CHANNELS, "email", ReentrantChannel())
    (message,) = send_code(django_capture_on_commit_callbacks, email="r@example.org")
    assert seen == [MessageStatus.SENDING]
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(monkeypatch):
    sends = []
    started = threading.Barrier(2, timeout=10)

    class CountingChannel(channels.Channel):
        def send(self, message):
            sends.append(message.pk)

    monkeypatch.setitem(channels.CHANNELS, "email", CountingChannel())
    monkeypatch.setattr(actions, "_enqueue", lambda message_id: None)  # the workers below pick it up
    (message,) = notify_contact(event="login_code", context=CODE, email="r@example.org")  # autocommit
    results = []

    def worker():
        from django.db import connection as conn

        try:
            started.wait()
            results.append(actions.deliver_message(message.pk))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(sends) == 1
    assert sorted(results).count(MessageStatus.SENT) >= 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
