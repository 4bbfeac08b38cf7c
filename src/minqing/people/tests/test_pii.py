"""Personal data: encrypted at rest, found by keyed hash, masked by default, every reveal recorded."""

from django.db import connection

from minqing.core.models import AuditEvent
from minqing.people.models import Resident


def _raw_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_resident")
        return [" ".join(str(v) for v in row) for row in cursor.fetchall()]


def test_raw_rows_hold_no_plaintext_phone_or_id(world):
    rows = " ".join(_raw_rows())
    assert world.phone1 not in rows
    assert world.id1 not in rows
    assert world.phone1[-4:] + " " not in rows  # not even a suffix column
    assert Resident.objects.get(pk=world.resident1.pk).phone == world.phone1


def test_created_through_the_page_is_encrypted_too(world, client):
    client.force_login(world.grid_worker)
    response = client.post(
        f"/people/residents/new/?household={world.household1.pk}",
        {
            "household": world.household1.pk,
            "name": "赵桂芳",
            "phone": "139 0000 1234",
            "id_number": "",
            "residence_type": "registered",
        },
    )
    assert response.status_code == 302
    assert "13900001234" not in " ".join(_raw_rows())
    assert Resident.objects.get(name="赵桂芳").phone == "13900001234"


def test_lookup_by_phone_and_id_still_works(world, client):
    client.force_login(world.grid_worker)
    body = client.get("/search/", {"q": "139-1234-5678"}).content.decode()
    assert "王秀兰" in body
    assert "139****5678" in body
    assert world.phone1 not in body
    body = client.get("/search/", {"q": world.id1}).content.decode()
    assert "王秀兰" in body


def test_pages_show_masked_values(world, client):
    client.force_login(world.grid_leader)
    body = client.get(f"/people/residents/{world.resident1.pk}/").content.decode()
    assert "139****5678" in body
    assert world.phone1 not in body  # not even in a tel: link
    assert world.id1 not in body
    assert world.id1[:3] + "***" in body


def test_reveal_is_recorded_with_reason(world, client):
    client.force_login(world.grid_leader)
    url = f"/people/residents/{world.resident1.pk}/reveal/"
    response = client.post(url, {"field": "id_number", "reason": "办理养老认证"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert world.id1 in response.content.decode()
    event = AuditEvent.objects.get(action="people.resident.reveal.id_number")
    assert event.actor == world.grid_leader
    assert event.target_id == str(world.resident1.pk)
    assert event.reason == "办理养老认证"


def test_reveal_needs_a_reason(world, client):
    client.force_login(world.grid_leader)
    response = client.post(
        f"/people/residents/{world.resident1.pk}/reveal/", {"field": "phone", "reason": ""}
    )
    assert response.status_code == 400
    assert world.phone1 not in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="people.resident.reveal").exists()


def test_grid_worker_may_reveal_phone_but_not_id(world, client):
    client.force_login(world.grid_worker)
    url = f"/people/residents/{world.resident1.pk}/reveal/"
    assert client.post(url, {"field": "phone", "reason": "回访"}).status_code == 200
    response = client.post(url, {"field": "id_number", "reason": "回访"})
    assert response.status_code == 403
    assert world.id1 not in response.content.decode()
    assert AuditEvent.objects.filter(action__startswith="people.resident.reveal").count() == 1


def test_audit_trail_never_holds_the_values(world, client):
    client.force_login(world.grid_worker)
    client.post(
        f"/people/residents/{world.resident1.pk}/edit/",
        {
            "version": world.resident1.version,
            "name": "王秀兰",
            "phone": "13811112222",
            "residence_type": "registered",
        },
    )
    event = AuditEvent.objects.get(action="people.resident.update")
    assert event.changes["phone"] == ["***", "***"]
    assert "13811112222" not in str(event.changes)
