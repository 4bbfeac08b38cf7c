"""Cases through the API: list filters, capture, every step of the workflow, and the timeline."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.cases.models import Case, Status
from minqing.cases.workflow import TRANSITIONS
from minqing.directory.models import Category

from .helpers import all_ids, assert_error, dispatch, register


@pytest.fixture
def category(db):
    return Category.objects.get(code="C23")  # seeded with the default taxonomy


def step(client, case_id, name, **data):
    version = client.get(f"/api/v1/cases/{case_id}/").json()["version"]
    return client.post(
        f"/api/v1/cases/{case_id}/transitions/", {"name": name, "version": version, **data}, format="json"
    )


def test_capture_then_the_whole_loop(world, api, category):
    staff, handler = api(world.grid_worker), api(world.handler)

    response = staff.post(
        "/api/v1/cases/",
        {
            "description": "3号楼下水道堵了",
            "resident": world.resident1.pk,
            "reporter_phone": "13911112222",
            "urgent": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "registered"
    assert created["building"]["id"] == world.building1.pk  # the resident's household placed it
    assert created["household"]["id"] == world.household1.pk
    assert created["reporters"][0]["phone"] == "139****2222"
    assert {t["name"] for t in created["transitions"]} == {"dispatch", "resolve_on_spot", "refer"}
    case_id = created["id"]

    response = step(staff, case_id, "dispatch", organisation=world.renovation.pk, category=category.pk)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispatched"
    assert response.json()["category"]["code"] == "C23"
    assert [t["name"] for t in handler.get(f"/api/v1/cases/{case_id}/transitions/").json()] == [
        "accept",
        "return",
    ]
    assert step(handler, case_id, "accept").json()["status"] == "accepted"
    assert step(handler, case_id, "answer", note="已疏通").json()["status"] == "answered"
    assert step(staff, case_id, "verify").json()["status"] == "verified"
    assert step(staff, case_id, "close").json()["status"] == "closed"
    assert step(staff, case_id, "reopen", note="又堵了").json()["status"] == "registered"

    timeline = staff.get(f"/api/v1/cases/{case_id}/timeline/").json()
    assert [e["action"] for e in timeline] == [
        "cases.case.register",
        "cases.case.dispatch",
        "cases.case.accept",
        "cases.case.answer",
        "cases.case.verify",
        "cases.case.close",
        "cases.case.reopen",
    ]
    assert timeline[3]["note"] == "已疏通"
    assert timeline[0]["actor"] == world.grid_worker.display_name


def test_every_transition_is_reachable_through_the_api(world, api):
    """Each named step of cases/workflow.py, taken through POST …/transitions/."""
    staff, handler = api(world.grid_worker), api(world.handler)
    taken = set()

    def new_case():
        return register(world.grid_worker, building=world.building1).pk

    def take(client, case_id, name, **data):
        response = step(client, case_id, name, note="备注", **data)
        assert response.status_code == 200, (name, response.content)
        taken.add(name)

    a = new_case()
    take(staff, a, "resolve_on_spot")
    take(staff, a, "reopen")
    take(staff, a, "refer")
    take(staff, a, "close_referral")
    b = new_case()
    take(staff, b, "dispatch", organisation=world.renovation.pk)
    take(staff, b, "reassign", organisation=world.property.pk)
    take(staff, b, "reassign", organisation=world.renovation.pk)
    take(handler, b, "return")
    take(staff, b, "dispatch", organisation=world.renovation.pk)
    take(handler, b, "accept")
    take(handler, b, "answer")
    take(staff, b, "send_back")
    take(handler, b, "answer")
    take(staff, b, "verify")
    take(staff, b, "close")

    assert taken == set(TRANSITIONS)


def test_a_stale_version_is_409_and_changes_nothing(world, cases, api):
    case = cases["grid1"]
    client = api(world.grid_worker)
    first = client.post(
        f"/api/v1/cases/{case.pk}/transitions/",
        {"name": "dispatch", "version": case.version, "organisation": world.renovation.pk},
        format="json",
    )
    assert first.status_code == 200
    second = client.post(
        f"/api/v1/cases/{case.pk}/transitions/",
        {"name": "refer", "version": case.version, "note": "找物业"},
        format="json",
    )
    assert_error(second, 409, "conflict")
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def test_dispatch_needs_a_visible_organisation(world, cases, api):
    from minqing.organisations.models import Organisation

    elsewhere = Organisation.objects.create(name="外区物业", kind="property")
    case = cases["grid1"]
    client = api(world.grid_worker)
    error = assert_error(
        client.post(
            f"/api/v1/cases/{case.pk}/transitions/",
            {"name": "dispatch", "version": case.version, "organisation": elsewhere.pk},
            format="json",
        ),
        400,
        "invalid",
    )
    assert set(error["fields"]) == {"organisation"}
    error = assert_error(
        client.post(
            f"/api/v1/cases/{case.pk}/transitions/",
            {"name": "dispatch", "version": case.version},
            format="json",
        ),
        400,
        "invalid",
    )
    assert error["message"] == "Choose who handles it."


def test_a_handler_who_returns_a_case_gets_it_back_without_its_reporters(world, cases, api):
    case = cases["grid1_dispatched"]
    response = step(api(world.handler), case.pk, "return", note="不归我们管")
    assert response.status_code == 200
    assert response.json()["status"] == "registered"
    assert response.json()["reporters"] == []
    assert response.json()["transitions"] == []
    assert_error(api(world.handler).get(f"/api/v1/cases/{case.pk}/"), 404, "not_found")


def test_list_filters(world, cases, api, category):
    client = api(world.community_admin)
    Case.objects.filter(pk=cases["grid2"].pk).update(category=category)
    assert all_ids(client, "/api/v1/cases/?status=dispatched") == {
        cases["grid1_dispatched"].pk,
        cases["grid2_dispatched"].pk,
    }
    assert all_ids(client, f"/api/v1/cases/?area={world.grid2.pk}") == {
        cases["grid2"].pk,
        cases["grid2_dispatched"].pk,
    }
    assert all_ids(client, f"/api/v1/cases/?area={world.community.pk}&status=registered") == {
        cases["grid1"].pk,
        cases["grid2"].pk,
    }
    assert all_ids(client, f"/api/v1/cases/?category={category.pk}") == {cases["grid2"].pk}
    assert all_ids(client, f"/api/v1/cases/?q={cases['grid1'].reference.lower()}") == {cases["grid1"].pk}
    assert all_ids(client, "/api/v1/cases/?q=下水道") == {
        cases["grid1"].pk,
        cases["grid1_dispatched"].pk,
        cases["grid2"].pk,
        cases["grid2_dispatched"].pk,
    }
    Case.objects.filter(pk=cases["grid1"].pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    week_ago = (timezone.now() - datetime.timedelta(days=7)).isoformat()
    assert cases["grid1"].pk not in all_ids(
        client, f"/api/v1/cases/?created_after={week_ago}".replace("+", "%2B")
    )
    assert all_ids(client, f"/api/v1/cases/?created_before={week_ago}".replace("+", "%2B")) == {
        cases["grid1"].pk
    }
    Case.objects.filter(pk=cases["grid2_dispatched"].pk).update(escalation=1)
    assert all_ids(client, "/api/v1/cases/?clock=overdue") == {cases["grid2_dispatched"].pk}
    assert all_ids(client, "/api/v1/cases/?clock=open") == {
        cases["grid1"].pk,
        cases["grid1_dispatched"].pk,
        cases["grid2"].pk,
        cases["grid2_dispatched"].pk,
    }


def test_a_handler_filters_by_area_within_their_cases(world, cases, api):
    client = api(world.handler)
    assert all_ids(client, f"/api/v1/cases/?area={world.grid2.pk}") == {cases["grid2_dispatched"].pk}
    assert all_ids(client, f"/api/v1/cases/?area={world.grid3.pk}") == set()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/",
        "/api/v1/cases/?status=dispatched&q=下水道",
        "/api/v1/residents/",
        "/api/v1/residents/?q=王",
        "/api/v1/buildings/",
        "/api/v1/households/",
        "/api/v1/diary/",
        "/api/v1/areas/",
    ],
)
def test_lists_take_a_constant_number_of_queries(world, api, category, url):
    from minqing.diary.actions import write_entry
    from tests.factories import BuildingFactory, HouseholdFactory, ResidentFactory

    def grow(n):
        for i in range(n):
            building = BuildingFactory(area=world.grid1)
            household = HouseholdFactory(building=building)
            resident = ResidentFactory(name=f"王{i}号", household=household, phone=f"1390000{i:04d}")
            case = register(world.grid_worker, building=building, resident=resident, category=category)
            dispatch(world.grid_worker, case, world.renovation)
            write_entry(acting_user=world.grid_worker, text="下水道又堵了", resident=resident)

    client = api(world.street_officer)
    grow(2)
    few = _count(client, url)
    grow(8)
    assert _count(client, url) == few


def test_me_too_extension_merge_and_feedback(world, cases, api):
    staff, handler, leader = api(world.grid_worker), api(world.handler), api(world.grid_leader)
    case = cases["grid1_dispatched"]

    response = staff.post(
        f"/api/v1/cases/{case.pk}/reporters/", {"resident": world.resident1.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert [r["resident"] for r in response.json()["reporters"]] == [world.resident1.pk]
    error = assert_error(
        staff.post(f"/api/v1/cases/{case.pk}/reporters/", {"resident": world.resident2.pk}, format="json"),
        400,
        "invalid",
    )
    assert set(error["fields"]) == {"resident"}  # not in the grid worker's scope

    assert step(handler, case.pk, "accept").status_code == 200
    response = handler.post(
        f"/api/v1/cases/{case.pk}/extensions/", {"days": 3, "reason": "等配件"}, format="json"
    )
    assert response.status_code == 201, response.content
    extension = response.json()
    assert extension["state"] == "pending"
    assert_error(
        staff.post(f"/api/v1/extensions/{extension['id']}/decision/", {"grant": True}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(
        api(world.other_admin).post(
            f"/api/v1/extensions/{extension['id']}/decision/", {"grant": True}, format="json"
        ),
        404,
        "not_found",
    )
    response = leader.post(f"/api/v1/extensions/{extension['id']}/decision/", {"grant": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "granted"
    assert_error(
        leader.post(
            f"/api/v1/extensions/{extension['id']}/decision/", {"grant": False, "note": "x"}, format="json"
        ),
        409,
        "conflict",
    )

    duplicate = cases["grid1"]
    response = leader.post(
        f"/api/v1/cases/{duplicate.pk}/merge/", {"keep": case.reference, "note": "同一件事"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["id"] == case.pk
    assert Case.objects.get(pk=duplicate.pk).merged_into_id == case.pk

    for name in ("answer", "verify", "close"):
        assert step(handler if name == "answer" else staff, case.pk, name, note="好了").status_code == 200
    reporter = staff.get(f"/api/v1/cases/{case.pk}/").json()["reporters"][0]["id"]
    response = staff.post(
        f"/api/v1/cases/{case.pk}/feedback/",
        {"reporter": reporter, "contacted": True, "rating": "unsatisfied", "note": "还是堵"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "registered"  # not satisfied reopens it
