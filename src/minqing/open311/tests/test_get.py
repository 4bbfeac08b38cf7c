"""GET requests, GET requests/{id} and GET servicerequestupdates: which cases are published, the filters, the
default window and limits, what each field says, constant queries, and no personal data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.cases import actions as case_actions
from minqing.cases.models import Case, Nature
from minqing.open311 import actions

from .helpers import VALID_ANSWERS, close, intake, step

pytestmark = pytest.mark.django_db

J = {"jurisdiction_id": "redian.example"}


def listed(get, **params) -> list[str]:
    response = get("requests.json", **{**J, **params})
    assert response.status_code == 200, response.content
    return [request["service_request_id"] for request in response.json()]


def one(get, reference, **params) -> dict:
    response = get(f"requests/{reference}.json", **{**J, **params})
    assert response.status_code == 200, response.content
    return response.json()[0]


def age(case, days: float) -> Case:
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    case.refresh_from_db()
    return case


def test_only_offered_categories_of_the_community_are_published(o311, get):
    drains = intake(o311, category=o311.drains)
    private = intake(o311, category=o311.private, description="家暴求助")
    whistle = intake(o311, category=o311.drains, nature=Nature.REPORT, description="举报")
    uncategorised = case_actions.intake_case(
        submitted_by=None, source="x", channel="portal", description="不知道算什么", area=o311.grid1
    )
    elsewhere = intake(o311, category=o311.drains, building=o311.building3)
    assert listed(get) == [drains.reference]
    for case in (private, whistle, uncategorised, elsewhere):
        assert get(f"requests/{case.reference}.json", **J).status_code == 404


def test_a_request_posted_here_stays_published_when_staff_change_its_category(o311, get, post):
    reference = post(**J, **VALID_ANSWERS, api_key=o311.key, service_code="C23", address_string="x").json()[
        0
    ]["service_request_id"]
    case = Case.objects.get(reference=reference)
    step(case, o311.grid_worker2, "dispatch", organisation=o311.renovation, category=o311.private)
    assert one(get, reference)["service_code"] == "C31"


def test_newest_first_within_the_last_90_days_by_default(o311, get):
    old = age(intake(o311, category=o311.drains), 100)
    older = age(intake(o311, category=o311.drains), 25)
    newer = age(intake(o311, category=o311.drains), 1)
    assert listed(get) == [newer.reference, older.reference]
    start = (timezone.now() - datetime.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed(get, start_date=start) == [old.reference]  # 90 days from the start
    assert listed(get, end_date=(timezone.now() - datetime.timedelta(days=20)).isoformat()) == [
        older.reference,
        old.reference,
    ]


def test_dates_are_w3c_and_the_range_at_most_90_days(o311, get):
    case = age(intake(o311, category=o311.drains), 2)
    day = timezone.localdate(case.created_at)
    assert listed(get, start_date=f"{day}", end_date=f"{day + datetime.timedelta(days=1)}") == [
        case.reference
    ]
    # A '+' that was not URL-encoded arrives as a space: read as the '+' it was.
    assert (
        get(f"requests.json?jurisdiction_id=redian.example&start_date={day}T00:00:00+08:00").status_code
        == 200
    )
    for params, words in [
        ({"start_date": "2026-01-01T00:00:00"}, "time zone"),  # no time zone
        ({"start_date": "01/02/2026"}, "start_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90 days"),
        ({"start_date": "2026-03-01", "end_date": "2026-02-01"}, "before"),
    ]:
        response = get("requests.json", **J, **params)
        assert response.status_code == 400
        assert words in response.json()[0]["description"]


def test_status_and_service_code_filters(o311, get):
    open_drain = intake(o311, category=o311.drains)
    closed_light = close(intake(o311, category=o311.lights), o311)
    rubbish = intake(o311, category=o311.jurisdiction.services.get(code="C09"))
    assert listed(get, status="open") == [rubbish.reference, open_drain.reference]
    assert listed(get, status="closed") == [closed_light.reference]
    assert len(listed(get, status="open,closed")) == 3
    assert len(listed(get, status=["open", "closed"])) == 3
    assert listed(get, service_code="C23,C19") == [closed_light.reference, open_drain.reference]
    assert get("requests.json", **J, status="fixed").status_code == 400


def test_service_request_id_overrides_every_other_argument(o311, get):
    old = age(close(intake(o311, category=o311.drains), o311), 200)
    new = intake(o311, category=o311.lights)
    found = listed(
        get, service_request_id=f"{old.reference}, {new.reference},MQ0", status="open", service_code="C09"
    )
    assert found == [new.reference, old.reference]


def test_pages_and_the_1000_limit(o311, get, settings):
    cases = [intake(o311, category=o311.drains) for _ in range(5)]
    newest_first = [case.reference for case in reversed(cases)]
    assert listed(get, page_size="2") == newest_first[:2]
    assert listed(get, page_size="2", page="3") == newest_first[4:]
    assert listed(get, page_size="2", page="4") == []
    for bad in ({"page": "0"}, {"page_size": "1001"}, {"page": "two"}):
        assert get("requests.json", **J, **bad).status_code == 400


def test_the_fields_of_an_open_and_a_closed_request(o311, get):
    case = intake(o311, category=o311.drains, household=o311.household1)
    step(case, o311.grid_worker, "dispatch", organisation=o311.renovation)
    case.refresh_from_db()
    open_request = one(get, case.reference)
    assert open_request["status"] == "open"
    assert open_request["agency_responsible"] == "二道区旧改办"
    assert open_request["expected_datetime"] == timezone.localtime(case.due_at).isoformat(timespec="seconds")
    assert open_request["address"] == "热电路12号"  # the building's address, never the room
    assert open_request["address_id"] == o311.building1.code
    assert open_request["lat"] == 43.876
    assert "description" not in open_request  # staff wrote it: not published

    step(case, o311.handler, "accept")
    step(case, o311.handler, "answer", note="已疏通下水道")
    step(case, o311.grid_worker, "verify")
    closed = step(case, o311.grid_worker, "close")
    closed_request = one(get, case.reference)
    assert closed_request["status"] == "closed"
    assert closed_request["updated_datetime"] == timezone.localtime(closed.closed_at).isoformat(
        timespec="seconds"
    )
    assert "expected_datetime" not in closed_request
    assert closed_request["status_notes"] == "已疏通下水道"

    fresh = intake(o311, category=o311.drains, area=o311.grid1)
    request = one(get, fresh.reference)
    assert request["agency_responsible"] == "热电社区"  # not dispatched yet: the community has it
    assert request["address"] == "第一网格, 热电社区"
    assert "lat" not in request
    assert "address_id" not in request


def test_status_notes_are_public_notes_only(o311, get):
    case = intake(o311, category=o311.drains)
    step(case, o311.grid_worker, "dispatch", organisation=o311.renovation)
    step(case, o311.handler, "return", note="不归我们管，内部备注")
    assert "status_notes" not in one(get, case.reference)
    step(case, o311.grid_worker, "dispatch", organisation=o311.renovation)
    step(case, o311.handler, "accept")
    step(case, o311.handler, "answer", note="已疏通")
    assert one(get, case.reference)["status_notes"] == "已疏通"
    step(case, o311.grid_worker, "verify")
    step(case, o311.grid_worker, "close")
    step(case, o311.grid_worker, "reopen", note="居民说又堵了")
    reopened = one(get, case.reference, extensions="true")
    assert reopened["status"] == "open"
    assert "status_notes" not in reopened  # the old answer no longer explains the state
    texts = " ".join(note["description"] for note in reopened["notes"])
    assert "已疏通" in texts
    assert "内部备注" not in texts
    assert "又堵了" not in texts
    assert reopened["notes"][-1]["type"] == "opened"


def test_a_merged_duplicate_names_the_case_it_joined(o311, get):
    kept = intake(o311, category=o311.drains)
    duplicate = intake(o311, category=o311.drains)
    case_actions.merge_cases(acting_user=o311.grid_leader, keep=kept, duplicate=duplicate, note="同一处")
    request = one(get, duplicate.reference)
    assert request["status"] == "closed"
    assert kept.reference in request["status_notes"]


def test_no_personal_data_in_any_get(o311, get, post):
    post(
        **J,
        **VALID_ANSWERS,
        api_key=o311.key,
        service_code="C23",
        address_string="热电路",
        first_name="秀兰",
        last_name="王",
        phone="13912345678",
        email="wang@example.com",
    )
    case = case_actions.register_case(
        acting_user=o311.grid_worker,
        description="王秀兰家楼上漏水 13912345678",
        household=o311.household1,
        resident=o311.resident1,
        reporter_phone="13912345678",
        category=o311.drains,
    )
    close(case, o311)
    bodies = [
        get(path, **J, **extra).content.decode()
        for path in (
            "requests.json",
            "requests.xml",
            f"requests/{case.reference}.json",
            "servicerequestupdates.xml",
        )
        for extra in ({}, {"extensions": "true"})
    ]
    for body in bodies:
        for personal in ("王秀兰", "秀兰", "13912345678", "wang@example.com", "301", o311.household1.code):
            assert personal not in body, personal


def test_constant_queries(o311, get):
    def count(**params) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get("requests.json", **J, **params).status_code == 200
        return len(queries)

    intake(o311, category=o311.drains)
    few, few_extended = count(), count(extensions="true")
    for _ in range(12):
        case = intake(o311, category=o311.drains, household=o311.household2)
        step(case, o311.grid_worker2, "dispatch", organisation=o311.renovation)
    assert count() == few
    assert count(extensions="true") == few_extended
    assert few <= 4


def test_service_request_updates(o311, get):
    case = intake(o311, category=o311.drains)
    step(case, o311.grid_worker, "dispatch", organisation=o311.renovation)
    step(case, o311.handler, "return", note="内部备注")
    close_case = close(intake(o311, category=o311.lights), o311)
    intake(o311, category=o311.private)
    response = get("servicerequestupdates.json", **J)
    assert response.status_code == 200
    updates = response.json()
    assert {u["service_request_id"] for u in updates} == {case.reference, close_case.reference}
    assert [u["status"] for u in updates if u["service_request_id"] == close_case.reference][-1] == "closed"
    assert "内部备注" not in response.content.decode()
    assert [int(u["update_id"]) for u in updates] == sorted(int(u["update_id"]) for u in updates)
    later = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert get("servicerequestupdates.json", **J, start_date=later).json() == []


def test_jurisdiction_id_is_optional_while_one_community_answers(o311, get, world):
    case = intake(o311, category=o311.drains)
    assert [r["service_request_id"] for r in get("requests.json").json()] == [case.reference]
    actions.save_jurisdiction(
        acting_user=world.street_officer,
        jurisdiction_id="queli.example",
        community=world.other_community,
        default_grid=world.grid3,
        services=[],
    )
    assert get("requests.json").status_code == 400
    actions.save_jurisdiction(
        acting_user=world.street_officer,
        jurisdiction=o311.jurisdiction,
        jurisdiction_id="redian.example",
        default_grid=world.grid2,
        services=[],
        active=False,
    )
    assert get("requests.json", **J).status_code == 404
