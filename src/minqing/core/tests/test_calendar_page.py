"""The working-day calendar is data a street officer edits; every change is audited and moves deadlines."""

import datetime

from minqing.core import workcal
from minqing.core.models import AuditEvent, CalendarDay


def test_street_officer_enters_next_years_holiday(world, client):
    client.force_login(world.street_officer)
    page = client.get("/calendar/?year=2027").content.decode()
    assert "2027" in page
    response = client.post("/calendar/", {"date": "2027-01-01", "is_workday": "0", "name": "元旦"})
    assert response.status_code == 302
    assert not workcal.is_workday(datetime.date(2027, 1, 1))
    assert AuditEvent.objects.filter(action="core.calendar.set").count() == 1


def test_a_weekday_cannot_be_a_make_up_day_and_nothing_changes(world, client):
    client.force_login(world.street_officer)
    before = CalendarDay.objects.count()
    response = client.post("/calendar/", {"date": "2027-01-05", "is_workday": "1", "name": "调休"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert CalendarDay.objects.count() == before


def test_others_read_but_do_not_edit(world, client):
    client.force_login(world.grid_worker)
    assert client.get("/calendar/").status_code == 200
    assert (
        client.post("/calendar/", {"date": "2027-01-01", "is_workday": "0", "name": "元旦"}).status_code
        == 403
    )
    day = CalendarDay.objects.first()
    assert client.post(f"/calendar/{day.pk}/remove/").status_code == 403
    client.force_login(world.handler)
    assert client.get("/calendar/").status_code == 403


def test_removing_a_day_is_audited(world, client):
    client.force_login(world.street_officer)
    day = CalendarDay.objects.get(date=datetime.date(2026, 10, 1))
    assert client.post(f"/calendar/{day.pk}/remove/").status_code == 302
    assert workcal.is_workday(datetime.date(2026, 10, 1))
    assert AuditEvent.objects.filter(action="core.calendar.remove").exists()
