import pytest

from minqing.core.models import AuditEvent
from minqing.places import actions
from minqing.places.models import Area, Building, Household
from minqing.places.selectors import buildings_in
from tests.factories import BuildingFactory, HouseholdFactory


def test_paths_make_subtrees(world):
    assert world.grid1.path == f"{world.community.path}{world.grid1.pk}/"
    assert set(Area.objects.filter(path__startswith=world.community.path)) == {
        world.community,
        world.grid1,
        world.grid2,
    }
    assert world.grid1.depth == 3


def test_area_kinds_must_nest(world):
    from minqing.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        actions.create_area(
            acting_user=world.street_officer, parent=world.grid1, kind="grid", name="x", code="X1"
        )


def test_building_page_shows_infrastructure_facts(world, client):
    Building.objects.filter(pk=world.building1.pk).update(
        drain_type="combined", ground_floor_own_drain=True, extra_facts={"化粪池": "2个"}
    )
    client.force_login(world.grid_worker)
    body = client.get(f"/places/buildings/{world.building1.pk}/").content.decode()
    for text in ("1984", "1985", "化粪池", "2个", "301"):
        assert text in body


def test_building_edit_saves_and_audits(world, client):
    client.force_login(world.grid_leader)
    response = client.post(
        f"/places/buildings/{world.building1.pk}/edit/",
        {
            "version": 1,
            "name": "3号楼",
            "year_built": 1984,
            "water_pipe_year": 2022,
            "drain_type": "separate",
            "ground_floor_own_drain": "false",
            "has_elevator": "false",
            "extra_facts": "化粪池：2个\n雨水井: 4",
        },
    )
    assert response.status_code == 302
    building = Building.objects.get(pk=world.building1.pk)
    assert building.water_pipe_year == 2022
    assert building.ground_floor_own_drain is False
    assert building.extra_facts == {"化粪池": "2个", "雨水井": "4"}
    event = AuditEvent.objects.get(action="places.building.update")
    assert event.changes["water_pipe_year"] == [1985, 2022]


def test_building_edit_rejects_bad_input_and_changes_nothing(world, client):
    client.force_login(world.grid_leader)
    response = client.post(
        f"/places/buildings/{world.building1.pk}/edit/",
        {
            "version": 1,
            "name": "3号楼",
            "year_built": 1984,
            "water_pipe_year": 1970,
            "extra_facts": "no colon here",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "before the building was built" in body or "建成" in body
    building = Building.objects.get(pk=world.building1.pk)
    assert building.water_pipe_year == 1985
    assert building.version == 1


def test_duplicate_household_is_refused_with_a_message(world, client):
    client.force_login(world.grid_worker)
    url = f"/places/buildings/{world.building1.pk}/households/new/"
    assert client.post(url, {"unit_name": "1单元", "room": "402"}).status_code == 302
    response = client.post(url, {"unit_name": "1单元", "room": "402"})
    assert response.status_code == 200
    assert Household.objects.filter(building=world.building1, room="402").count() == 1


def test_list_pages_run_a_constant_number_of_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.community_admin)

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [
        f"/places/areas/{world.grid1.pk}/",
        f"/places/areas/{world.grid1.pk}/residents/",
        f"/places/buildings/{world.building1.pk}/",
        f"/places/households/{world.household1.pk}/",
        "/search/?q=王",
        "/organisations/",
        "/organisations/merchants/",
    ]
    before = [count(u) for u in urls]
    for i in range(15):
        building = BuildingFactory(area=world.grid1)
        for j in range(3):
            household = HouseholdFactory(building=building, room=f"{i}{j}")
            from tests.factories import ResidentFactory

            ResidentFactory(household=household, name=f"王{i}{j}", phone=f"1390000{i:02d}{j:02d}")
    for j in range(12):
        HouseholdFactory(building=world.building1, room=f"6{j:02d}")
    after = [count(u) for u in urls]
    assert before == after, list(zip(urls, before, after, strict=True))


def test_buildings_in_is_scoped(world):
    assert list(buildings_in(world.grid_worker, world.community)) == [world.building1]


def test_community_admin_adds_a_grid_and_a_building(world, client):
    client.force_login(world.community_admin)
    response = client.post(
        f"/places/areas/{world.community.pk}/new/", {"kind": "grid", "name": "第三网格", "code": "RD-G3"}
    )
    assert response.status_code == 302
    grid = Area.objects.get(code="RD-G3")
    assert grid.path.startswith(world.community.path)
    assert grid.parent == world.community

    response = client.post(
        f"/places/areas/{grid.pk}/buildings/new/", {"name": "12号楼", "code": "RD-B12", "year_built": 1987}
    )
    assert response.status_code == 302
    assert Building.objects.get(code="RD-B12").area == grid
    # the same code again is refused with a message, nothing created
    response = client.post(f"/places/areas/{grid.pk}/buildings/new/", {"name": "13号楼", "code": "RD-B12"})
    assert response.status_code == 200
    assert not Building.objects.filter(name="13号楼").exists()


def test_a_grid_cannot_hold_areas_below_it(world, client):
    client.force_login(world.community_admin)
    response = client.post(
        f"/places/areas/{world.grid1.pk}/new/", {"kind": "grid", "name": "子网格", "code": "X9"}
    )
    assert response.status_code == 200
    assert not Area.objects.filter(code="X9").exists()


def test_residents_filtered_by_tag(world, client):
    from minqing.people.models import ResidentTag

    ResidentTag.objects.create(resident=world.resident1, tag_type=world.plain_tag)
    client.force_login(world.grid_leader)
    body = client.get(f"/places/areas/{world.community.pk}/residents/", {"tag": "party"})
    assert body.status_code == 404  # the grid leader's scope is two grids, not the community
    body = client.get(f"/places/areas/{world.grid1.pk}/residents/", {"tag": "party"}).content.decode()
    assert "王秀兰" in body
    body = client.get(f"/places/areas/{world.grid2.pk}/residents/", {"tag": "party"}).content.decode()
    assert "李建国" not in body


def test_bulk_households_refuse_a_room_twice_and_save_nothing(world):
    from minqing.core.errors import InvalidInput

    made = actions.create_households(
        acting_user=world.grid_worker,
        rooms=[(world.building1, "2单元", "101"), (world.building1, "2单元", "102")],
    )
    assert [h.room for h in made] == ["101", "102"]
    assert made[0].area == world.grid1
    with pytest.raises(InvalidInput) as info:
        actions.create_households(
            acting_user=world.grid_worker,
            rooms=[(world.building1, "3单元", "101"), (world.building1, "3单元", "101")],
        )
    assert info.value.extra["index"] == 1
    assert not Household.objects.filter(unit__name="3单元").exists()


def test_building_cannot_get_a_property_company_from_elsewhere(world, client):
    from tests.factories import OrganisationFactory

    elsewhere = OrganisationFactory(name="新余江畔物业服务有限公司", short_name="物业", kind="property")
    elsewhere.areas.set([world.other_community])
    client.force_login(world.grid_leader)
    body = client.get(f"/places/buildings/{world.building1.pk}/edit/").content.decode()
    assert "热电物业公司" in body
    assert "新余江畔" not in body
    response = client.post(
        f"/places/buildings/{world.building1.pk}/edit/",
        {
            "version": 1,
            "name": "3号楼",
            "property_company": elsewhere.pk,
        },
    )
    assert response.status_code == 200
    assert Building.objects.get(pk=world.building1.pk).property_company is None
    from minqing.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        actions.update_building(
            acting_user=world.grid_leader,
            building=world.building1,
            expected_version=1,
            property_company=elsewhere,
        )


def test_extra_facts_keep_what_was_typed(world, client):
    client.force_login(world.grid_leader)
    client.post(
        f"/places/buildings/{world.building1.pk}/edit/",
        {
            "version": 1,
            "name": "3号楼",
            "extra_facts": "改造：2021–2023年已完成：外墙保温",
        },
    )
    assert Building.objects.get(pk=world.building1.pk).extra_facts == {"改造": "2021–2023年已完成：外墙保温"}


def test_future_years_and_impossible_rooms_are_refused(world, client):
    client.force_login(world.grid_leader)
    response = client.post(
        f"/places/buildings/{world.building1.pk}/edit/",
        {
            "version": 1,
            "name": "3号楼",
            "water_pipe_year": 2090,
        },
    )
    assert response.status_code == 200
    Building.objects.filter(pk=world.building1.pk).update(floors=5)
    url = f"/places/buildings/{world.building1.pk}/households/new/"
    assert client.post(url, {"unit_name": "1", "room": "ab#$%"}).status_code == 200
    assert client.post(url, {"unit_name": "1", "room": "601"}).status_code == 200
    assert client.post(url, {"unit_name": "1", "room": "501"}).status_code == 302
    assert Household.objects.get(building=world.building1, room="501").unit.name == "1单元"


def test_codes_are_made_when_left_empty(world, client):
    client.force_login(world.community_admin)
    client.post(f"/places/areas/{world.community.pk}/new/", {"kind": "grid", "name": "第三网格", "code": ""})
    grid = Area.objects.get(name="第三网格")
    assert grid.code.startswith(world.community.code)
    client.post(f"/places/areas/{grid.pk}/buildings/new/", {"name": "9号楼", "code": ""})
    assert Building.objects.get(name="9号楼").code.startswith(grid.code)
