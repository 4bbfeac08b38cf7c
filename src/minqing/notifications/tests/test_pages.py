"""The inbox (everyone's own in-app messages) and the staff outbox (scoped, with retry now)."""

import pytest
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from minqing.core.models import AuditEvent
from minqing.notifications.actions import notify_contact, notify_user
from minqing.notifications.context_processors import unread
from minqing.notifications.models import Message, MessageStatus
from minqing.notifications.selectors import unread_count

PHONE = "13912345678"
CODE = {"code": "482913", "minutes": 10}


def inbox_message(user, reference="MQ1", **kwargs):
    (message,) = notify_user(user, "case_answered", {"reference": reference, "answer": "已修好"}, **kwargs)
    return message


def outbox_message(area, *, status=MessageStatus.DEAD, error="HTTP 502 bad gateway"):
    (message,) = notify_contact(event="login_code", context=CODE, phone=PHONE, area_path=area.path)
    Message.objects.filter(pk=message.pk).update(status=status, attempts=6, last_error=error)
    message.refresh_from_db()
    return message


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- inbox ---------------------------------------------------------------------------------------------


def test_the_inbox_shows_my_messages_newest_first_with_unread_marked(world, client):
    first = inbox_message(world.grid_worker, "MQ-OLD", link="/cases/1/")
    inbox_message(world.grid_worker, "MQ-NEW")
    inbox_message(world.grid_worker2, "MQ-NOT-MINE")
    Message.objects.filter(pk=first.pk).update(read_at=first.created_at)
    client.force_login(world.grid_worker)
    body = client.get("/notifications/").content.decode()
    assert body.index("MQ-NEW") < body.index("MQ-OLD")
    assert "MQ-NOT-MINE" not in body
    assert body.count("notif-unread") == 1
    assert 'href="/cases/1/"' in body
    assert unread_count(world.grid_worker) == 1


def test_mark_one_and_all_read(world, client):
    mine = [inbox_message(world.resident_user, f"MQ{i}") for i in range(3)]
    theirs = inbox_message(world.grid_worker)
    client.force_login(world.resident_user)
    assert client.post(f"/notifications/{mine[0].pk}/read/").status_code == 302
    assert unread_count(world.resident_user) == 2
    response = client.post(f"/notifications/{mine[1].pk}/read/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="notif-{mine[1].pk}"' in response.content.decode()
    assert "notif-unread" not in response.content.decode()
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post("/notifications/read/", {"page": "1"})["Location"] == "/notifications/?page=1"
    assert unread_count(world.resident_user) == 0
    assert unread_count(world.grid_worker) == 1
    assert client.get("/notifications/read/").status_code == 405


def test_the_inbox_takes_the_same_queries_for_few_or_many_messages(world, client):
    client.force_login(world.grid_worker)
    for i in range(2):
        inbox_message(world.grid_worker, f"MQ{i}")
    few = count_queries(client, "/notifications/")
    for i in range(40):
        inbox_message(world.grid_worker, f"MQ{i}")
    assert count_queries(client, "/notifications/") == few
    assert count_queries(client, "/notifications/?page=2") == few


def test_the_unread_context_processor_is_lazy_and_counts(world, django_assert_num_queries):
    inbox_message(world.grid_worker)
    request = RequestFactory().get("/")
    request.user = world.grid_worker
    with django_assert_num_queries(0):
        context = unread(request)
    with django_assert_num_queries(1):
        rendered = (
            engines["django"]
            .from_string("{% if unread_notifications %}{{ unread_notifications }} new{% endif %}")
            .render(context)
        )
    assert rendered == "1 new"
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert unread(request) == {"unread_notifications": 0}


# --- outbox --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["grid_worker", "grid_leader", "org_handler", "volunteer", "resident"])
def test_the_outbox_is_for_community_admins_and_street_officers(world, client, role, no_gateway):
    message = outbox_message(world.grid1)
    client.force_login(world.by_role()[role])
    assert client.get("/notifications/outbox/").status_code == 403
    assert client.post(f"/notifications/outbox/{message.pk}/retry/").status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert not AuditEvent.objects.filter(action="notifications.message.retry").exists()


def test_the_outbox_is_scoped_and_masks_recipients(world, client, no_gateway):
    ours = outbox_message(world.grid1, error="HTTP 502 bad gateway")
    theirs = outbox_message(world.grid3, error="HTTP 401 other community")
    client.force_login(world.community_admin)
    body = client.get("/notifications/outbox/").content.decode()
    assert "HTTP 502 bad gateway" in body
    assert "HTTP 401 other community" not in body
    assert "139****5678" in body
    assert PHONE not in body
    assert "Retry now" in body or "重试" in body
    client.force_login(world.other_admin)
    body = client.get("/notifications/outbox/").content.decode()
    assert "HTTP 401 other community" in body
    assert "HTTP 502 bad gateway" not in body
    assert client.post(f"/notifications/outbox/{ours.pk}/retry/").status_code == 404
    ours.refresh_from_db()
    assert ours.status == MessageStatus.DEAD
    client.force_login(world.street_officer)  # the whole street
    body = client.get("/notifications/outbox/").content.decode()
    assert "HTTP 502 bad gateway" in body
    assert "HTTP 401 other community" in body
    assert theirs.pk


def test_the_outbox_filters_by_status(world, client, no_gateway):
    outbox_message(world.grid1, status=MessageStatus.DEAD, error="dead one")
    outbox_message(world.grid1, status=MessageStatus.RETRYING, error="retrying one")
    client.force_login(world.community_admin)
    body = client.get("/notifications/outbox/?status=dead").content.decode()
    assert "dead one" in body
    assert "retrying one" not in body
    body = client.get("/notifications/outbox/?status=nonsense").content.decode()
    assert "dead one" in body
    assert "retrying one" in body


def test_no_gateway_messages_show_their_state_to_staff(
    world, client, no_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_contact(
            event="login_code", context=CODE, phone=PHONE, area_path=world.grid1.path, language="en"
        )
    client.force_login(world.community_admin)
    body = client.get("/notifications/outbox/?status=unconfigured").content.decode()
    assert "482913" in body  # the demo reads login codes here
    assert str(MessageStatus.UNCONFIGURED.label) in body or "no SMS gateway configured" in body


def test_retry_now_sends_again_and_is_audited(world, client, gateway, django_capture_on_commit_callbacks):
    message = outbox_message(world.grid1)
    client.force_login(world.community_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/notifications/outbox/{message.pk}/retry/", {"status": "dead"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/outbox/?status=dead"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(gateway.requests) == 1
    event = AuditEvent.objects.get(action="notifications.message.retry")
    assert event.actor == world.community_admin
    assert event.area_path == world.grid1.path
    assert event.changes == {"status": ["dead", "pending"]}
    # A sent message is not sent again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/notifications/outbox/{message.pk}/retry/")
    assert len(gateway.requests) == 1
    assert AuditEvent.objects.filter(action="notifications.message.retry").count() == 1


def test_the_outbox_takes_the_same_queries_for_few_or_many_messages(world, client, no_gateway):
    client.force_login(world.community_admin)
    for _ in range(2):
        outbox_message(world.grid1)
    inbox_message(world.grid_worker, area_path=world.grid1.path)
    few = count_queries(client, "/notifications/outbox/")
    for _ in range(40):
        outbox_message(world.grid2)
    for i in range(5):
        inbox_message(world.grid_leader, f"MQ{i}", area_path=world.grid2.path)
    assert count_queries(client, "/notifications/outbox/") == few
    assert count_queries(client, "/notifications/outbox/?page=2") == few
