"""An API user sees exactly what the same user sees on the pages: same selectors, same scope, same masks."""

import pytest
from django.urls import reverse

from minqing.accounts.roles import Cap, can
from minqing.cases.selectors import cases_for
from minqing.people.selectors import residents_for
from minqing.places.selectors import buildings_for, households_for, visible_areas

from .helpers import all_ids, assert_error

ROLES = [
    "grid_worker",
    "grid_leader",
    "community_admin",
    "street_officer",
    "org_handler",
    "volunteer",
    "resident",
]


@pytest.mark.parametrize("role", ROLES)
def test_the_api_lists_the_cases_the_case_list_page_shows(world, cases, api, client, role):
    user = world.by_role()[role]
    client.force_login(user)
    page = client.get(reverse("cases:list"))
    shown_on_page = (
        {case.pk for case in page.context["page"].object_list} if page.status_code == 200 else set()
    )

    listed = all_ids(api(user), "/api/v1/cases/?page_size=100")

    assert listed == shown_on_page == set(cases_for(user).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_the_api_lists_the_registry_the_selectors_give_the_pages(world, cases, api, role):
    user = world.by_role()[role]
    client = api(user)

    assert all_ids(client, "/api/v1/areas/") == set(visible_areas(user).values_list("pk", flat=True))
    assert all_ids(client, "/api/v1/buildings/") == set(buildings_for(user).values_list("pk", flat=True))
    assert all_ids(client, "/api/v1/households/") == set(households_for(user).values_list("pk", flat=True))
    assert all_ids(client, "/api/v1/residents/") == set(residents_for(user).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_detail_is_found_exactly_when_the_page_finds_it(world, cases, api, client, role):
    user = world.by_role()[role]
    client.force_login(user)
    token_client = api(user)
    for case in cases.values():
        page = client.get(reverse("cases:detail", args=[case.pk])).status_code
        response = token_client.get(f"/api/v1/cases/{case.pk}/")
        assert (page == 200) == (response.status_code == 200), (role, case.reference)
        if response.status_code != 200:
            assert_error(response, 404, "not_found")
    for resident in (world.resident1, world.resident2, world.resident3):
        page = client.get(reverse("people:resident", args=[resident.pk])).status_code
        response = token_client.get(f"/api/v1/residents/{resident.pk}/")
        assert (page == 200) == (response.status_code == 200), (role, resident.name)


def test_a_grid_workers_token_sees_only_their_grid(world, cases, api):
    w = world
    client = api(w.grid_worker)

    assert all_ids(client, "/api/v1/cases/") == {cases["grid1"].pk, cases["grid1_dispatched"].pk}
    assert all_ids(client, "/api/v1/buildings/") == {w.building1.pk}
    assert all_ids(client, "/api/v1/households/") == {w.household1.pk}
    assert all_ids(client, "/api/v1/residents/") == {w.resident1.pk}
    assert all_ids(client, "/api/v1/areas/") == {w.grid1.pk}
    for url in (
        f"/api/v1/cases/{cases['grid2'].pk}/",
        f"/api/v1/cases/{cases['grid2'].pk}/timeline/",
        f"/api/v1/cases/{cases['grid2'].pk}/transitions/",
        f"/api/v1/buildings/{w.building2.pk}/",
        f"/api/v1/households/{w.household2.pk}/",
        f"/api/v1/residents/{w.resident2.pk}/",
        f"/api/v1/areas/{w.grid2.pk}/",
    ):
        assert_error(client.get(url), 404, "not_found")
    # Filtering by the other grid shows nothing rather than saying anything about it.
    assert all_ids(client, f"/api/v1/cases/?area={w.grid2.pk}") == set()
    assert_error(client.get(f"/api/v1/buildings/?area={w.grid2.pk}"), 404, "not_found")
    # Nor can it act there.
    response = client.post(
        f"/api/v1/cases/{cases['grid2'].pk}/transitions/",
        {"name": "dispatch", "version": cases["grid2"].version, "organisation": w.property.pk},
        format="json",
    )
    assert_error(response, 404, "not_found")
    response = client.post(
        "/api/v1/cases/", {"description": "路灯坏了", "building": w.building2.pk}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"building"}


def test_an_out_of_scope_id_is_indistinguishable_from_a_missing_one(world, api):
    client = api(world.grid_worker)
    outside = client.get(f"/api/v1/residents/{world.resident2.pk}/").json()
    missing = client.get("/api/v1/residents/999999/").json()
    assert outside == missing


def test_residents_are_masked_as_on_the_pages(world, api):
    response = api(world.grid_leader).get(f"/api/v1/residents/{world.resident1.pk}/")
    body = response.json()
    assert body["phone_masked"] == world.resident1.phone_masked
    assert body["id_number_masked"] == world.resident1.id_number_masked
    text = response.content.decode()
    assert world.phone1 not in text
    assert world.id1 not in text
    assert world.id1[6:14] not in text  # the birth-date digits of the ID number


def test_sensitive_tags_only_for_roles_that_see_them_on_the_pages(world, api):
    from minqing.people.models import ResidentTag

    ResidentTag.objects.create(resident=world.resident1, tag_type=world.sensitive_tag, legal_basis="民政认定")
    ResidentTag.objects.create(resident=world.resident1, tag_type=world.plain_tag)
    for user in (world.grid_worker, world.grid_leader):
        tags = {t["code"] for t in api(user).get(f"/api/v1/residents/{world.resident1.pk}/").json()["tags"]}
        expected = {"party", "dibao"} if can(user, Cap.VIEW_SENSITIVE_TAGS) else {"party"}
        assert tags == expected


def test_handlers_see_reporters_as_the_case_page_shows_them(world, cases, api):
    from minqing.cases.actions import add_reporter

    case = cases["grid1_dispatched"]
    add_reporter(
        acting_user=world.grid_worker, case=case, name="张三", phone="13900001111", confidential=True
    )
    add_reporter(acting_user=world.grid_worker, case=case, name="李四", phone="13900002222", share_phone=True)

    handler_view = api(world.handler).get(f"/api/v1/cases/{case.pk}/").json()["reporters"]
    staff_view = api(world.grid_worker).get(f"/api/v1/cases/{case.pk}/").json()["reporters"]

    by_phone = sorted(handler_view, key=lambda r: r["phone"])  # the page lists them unordered too
    assert [(r["name"], r["phone"]) for r in by_phone] == [(None, "139****1111"), ("李四", "13900002222")]
    assert all(r["resident"] is None and r["id"] is None for r in handler_view)
    assert [(r["name"], r["phone"]) for r in staff_view] == [("张三", "139****1111"), ("李四", "139****2222")]


def test_registry_lists_are_empty_for_those_without_a_registry(world, api):
    client = api(world.handler)
    assert all_ids(client, "/api/v1/residents/") == set()
    assert_error(client.get("/api/v1/categories/"), 403, "permission_denied")
    assert all_ids(client, "/api/v1/diary/") == set()
