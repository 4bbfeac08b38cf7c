"""Webhooks: subscriptions in the admin's scope, deliveries made in the step's transaction, signed, retried
with backoff, and their log."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from minqing.api import actions, webhooks
from minqing.api.models import DeliveryStatus, WebhookDelivery
from minqing.cases import notices
from minqing.notifications.webhooks import verify_signature

from .helpers import dispatch, register


class Receiver:
    """A subscriber's endpoint on 127.0.0.1: records what it receives, answers with `status`."""

    def __init__(self):
        self.requests = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def subscribe(user, url, events=("case.created", "case.dispatched", "case.closed")):
    return actions.create_subscription(acting_user=user, url=url, events=list(events))


def test_events_reach_the_subscriptions_whose_scope_and_events_match(world, receiver):
    community, _ = subscribe(world.community_admin, receiver.url)
    street, _ = subscribe(world.street_officer, receiver.url, events=["case.dispatched"])
    other, _ = subscribe(world.other_admin, receiver.url)
    off, _ = subscribe(world.community_admin, receiver.url)
    actions.update_subscription(acting_user=world.community_admin, subscription=off, active=False)
    assert list(community.areas.all()) == [world.community]

    case = register(world.grid_worker, building=world.building1)
    dispatched = dispatch(world.grid_worker, case, world.renovation)
    notices.changed(dispatched, "refer")  # an internal step: nobody hears of it

    sent = {(d.subscription_id, d.event) for d in WebhookDelivery.objects.all()}
    assert sent == {
        (community.pk, "case.created"),
        (community.pk, "case.dispatched"),
        (street.pk, "case.dispatched"),
    }
    assert other.pk not in {s for s, _ in sent}


def test_a_delivery_is_signed_and_carries_no_personal_data(
    world, receiver, django_capture_on_commit_callbacks
):
    _subscription, secret = subscribe(world.community_admin, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        case = register(
            world.grid_worker,
            building=world.building1,
            resident=world.resident1,
            reporter_phone="13911112222",
            description="王秀兰家楼上漏水",
        )

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert verify_signature(secret, headers["X-Minqing-Timestamp"], body, headers["X-Minqing-Signature"])
    assert not verify_signature(
        "another secret", headers["X-Minqing-Timestamp"], body, headers["X-Minqing-Signature"]
    )
    payload = json.loads(body)
    delivery = WebhookDelivery.objects.get()
    assert payload["id"] == str(delivery.uuid)
    assert payload["event"] == "case.created"
    assert payload["case"]["reference"] == case.reference
    assert payload["case"]["area"]["id"] == world.grid1.pk
    text = body.decode()
    for personal in ("王秀兰", "13911112222", "漏水", world.phone1, "3号楼"):
        assert personal not in text
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200


def test_nothing_is_sent_when_the_step_is_rolled_back(world, receiver, django_capture_on_commit_callbacks):
    from django.db import transaction

    def step_that_fails():
        with transaction.atomic():
            register(world.grid_worker, building=world.building1)
            raise RuntimeError

    subscribe(world.community_admin, receiver.url)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        step_that_fails()
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_failures_are_retried_with_backoff_then_given_up(world, receiver, clock):
    receiver.status = 503
    subscribe(world.community_admin, receiver.url)
    register(world.grid_worker, building=world.building1)
    delivery = WebhookDelivery.objects.get()

    assert webhooks.deliver(delivery.pk) == DeliveryStatus.RETRYING
    delivery.refresh_from_db()
    assert delivery.last_status_code == 503
    assert delivery.next_attempt_at == clock.now + datetime.timedelta(minutes=webhooks.BACKOFF_MINUTES[0])
    assert webhooks.deliver(delivery.pk) == DeliveryStatus.RETRYING  # not due yet: not sent again
    assert len(receiver.requests) == 1

    waits = []
    for _attempt in range(2, webhooks.MAX_ATTEMPTS + 1):
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - clock.now)
        clock.now = delivery.next_attempt_at
        assert webhooks.retry_due() == 1  # the scan enqueues it (immediate backend: sent now)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == len(receiver.requests)
    assert waits == sorted(waits)  # each wait at least as long as the one before
    assert webhooks.retry_due() == 0

    receiver.status = 204
    actions.retry_delivery(acting_user=world.community_admin, delivery=delivery)
    clock.advance(minutes=3)
    assert webhooks.retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_lost_enqueue_is_picked_up_by_the_scan(world, receiver, clock):
    subscribe(world.community_admin, receiver.url)
    register(world.grid_worker, building=world.building1)  # on_commit never runs
    assert webhooks.retry_due() == 0  # within the grace period the task may still come
    clock.advance(minutes=3)
    assert webhooks.retry_due() == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_switched_off_webhook_does_not_send_what_waits(world, receiver):
    subscription, _ = subscribe(world.community_admin, receiver.url)
    register(world.grid_worker, building=world.building1)
    actions.update_subscription(acting_user=world.community_admin, subscription=subscription, active=False)
    assert webhooks.deliver(WebhookDelivery.objects.get().pk) == DeliveryStatus.FAILED
    assert receiver.requests == []


def test_the_retry_task_is_a_task(world):
    from minqing.api.tasks import deliver_webhook, retry_due_webhooks

    assert retry_due_webhooks.enqueue().return_value == 0
    assert deliver_webhook.enqueue(999999).return_value == "missing"


# --- the pages --------------------------------------------------------------------------------------------


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(world, client):
    client.force_login(world.community_admin)
    response = client.post(
        reverse("api:webhooks"),
        {
            "url": "https://example.org/minqing",
            "events": ["case.created", "case.closed"],
            "description": "区平台",
        },
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret
    assert secret in response.content.decode()
    page = client.get(reverse("api:webhooks"))
    assert "https://example.org/minqing" in page.content.decode()
    assert secret not in page.content.decode()
    subscription = response.context["created"]
    assert subscription.events == ["case.created", "case.closed"]
    assert subscription.secret == secret


def test_the_delivery_log_is_visible_to_admins_of_the_area_only(world, client, receiver):
    subscription, _ = subscribe(world.community_admin, receiver.url)
    register(world.grid_worker, building=world.building1)
    delivery = WebhookDelivery.objects.get()
    url = reverse("api:webhook", args=[subscription.pk])

    client.force_login(world.community_admin)
    page = client.get(url)
    assert page.status_code == 200
    assert delivery.case_reference in page.content.decode()

    client.force_login(world.street_officer)  # above the community: sees it
    assert client.get(url).status_code == 200
    client.force_login(world.other_admin)  # another community: not found
    assert client.get(url).status_code == 404
    client.force_login(world.grid_worker)  # no capability
    assert client.get(url).status_code == 403
    assert client.get(reverse("api:webhooks")).status_code == 403


def test_switching_a_webhook_off_and_retrying_from_the_page(world, client, receiver):
    subscription, _ = subscribe(world.community_admin, receiver.url)
    register(world.grid_worker, building=world.building1)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=8)
    client.force_login(world.community_admin)

    response = client.post(reverse("api:delivery_retry", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING

    response = client.post(reverse("api:webhook", args=[subscription.pk]), {"events": ["case.closed"]})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.active is False
    assert subscription.events == ["case.closed"]


def test_a_webhook_needs_an_http_address_and_an_event(world):
    from minqing.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        subscribe(world.community_admin, "ftp://example.org/")
    with pytest.raises(InvalidInput):
        subscribe(world.community_admin, "https://example.org/", events=[])
    with pytest.raises(InvalidInput):
        subscribe(world.community_admin, "https://example.org/", events=["case.deleted"])
