"""The registry, the directory and the diary through the API."""

from minqing.diary.models import Entry
from minqing.directory.models import Category, Duty, Responsibility

from .helpers import all_ids, assert_error


def test_resident_search_is_the_registrys_search(world, api):
    client = api(world.street_officer)
    assert all_ids(client, "/api/v1/residents/?q=王秀兰") == {world.resident1.pk}
    assert all_ids(client, f"/api/v1/residents/?q={world.phone1}") == {world.resident1.pk}
    assert all_ids(client, f"/api/v1/residents/?q={world.id1}") == {world.resident1.pk}
    assert all_ids(client, "/api/v1/residents/?q=3号楼 301") == {world.resident1.pk}
    # … within scope only: the grid worker of grid 1 does not find grid 2's resident by phone.
    assert all_ids(api(world.grid_worker), "/api/v1/residents/?q=13987654321") == set()


def test_residents_of_an_area_and_by_status(world, api):
    from minqing.people.models import Resident

    client = api(world.community_admin)
    assert all_ids(client, f"/api/v1/residents/?area={world.grid2.pk}") == {world.resident2.pk}
    Resident.objects.filter(pk=world.resident2.pk).update(status="moved_out")
    assert all_ids(client, "/api/v1/residents/?status=moved_out") == {world.resident2.pk}
    assert all_ids(client, "/api/v1/residents/?status=active") == {world.resident1.pk}


def test_areas_buildings_households_filters(world, api):
    client = api(world.street_officer)
    assert all_ids(client, "/api/v1/areas/?kind=grid") == {world.grid1.pk, world.grid2.pk, world.grid3.pk}
    assert all_ids(client, f"/api/v1/areas/?parent={world.community.pk}") == {world.grid1.pk, world.grid2.pk}
    assert all_ids(client, f"/api/v1/buildings/?area={world.community.pk}") == {
        world.building1.pk,
        world.building2.pk,
    }
    assert all_ids(client, f"/api/v1/households/?building={world.building3.pk}") == {world.household3.pk}
    body = client.get(f"/api/v1/households/{world.household1.pk}/").json()
    assert body["label"] == "3号楼301"
    body = client.get(f"/api/v1/buildings/{world.building1.pk}/").json()
    assert body["water_pipe_year"] == 1985
    assert body["area"] == {"id": world.grid1.pk, "name": world.grid1.name, "kind": "grid"}


def test_categories_and_who_handles_what(world, api):
    drain = Category.objects.get(code="C23")
    Responsibility.objects.create(category=drain, area=world.community, organisation=world.property)
    Responsibility.objects.create(
        category=drain, area=world.district, organisation=world.renovation, duty=Duty.ESCALATION
    )
    client = api(world.grid_worker)
    matched = client.get("/api/v1/categories/?q=下水道堵了").json()["results"]
    assert matched[0]["code"] == "C23"
    assert client.get(f"/api/v1/categories/{drain.pk}/").json()["finish_days"] == drain.finish_days

    handlers = client.get(f"/api/v1/directory/handlers/?category={drain.pk}&area={world.grid1.pk}").json()
    assert [(h["organisation"]["id"], h["duty"]) for h in handlers] == [
        (world.property.pk, "first"),
        (world.renovation.pk, "escalation"),
    ]
    assert handlers[0]["reason"] == f"C23 · {world.community.name}"
    error = assert_error(
        client.get(f"/api/v1/directory/handlers/?category={drain.pk}&area={world.grid2.pk}"), 400, "invalid"
    )
    assert set(error["fields"]) == {"area"}
    assert_error(client.get("/api/v1/directory/handlers/"), 400, "invalid")

    # The responsibility directory: for those who edit it, as its page.
    assert_error(client.get("/api/v1/directory/responsibilities/"), 403, "permission_denied")
    rules = all_ids(api(world.community_admin), "/api/v1/directory/responsibilities/")
    assert rules == set(Responsibility.objects.filter(area=world.community).values_list("pk", flat=True))


def test_organisations_as_the_user_sees_them(world, api):
    assert all_ids(api(world.grid_worker), "/api/v1/organisations/") == {
        world.renovation.pk,
        world.property.pk,
    }
    assert all_ids(api(world.handler), "/api/v1/organisations/") == {world.renovation.pk}
    assert_error(api(world.handler).get(f"/api/v1/organisations/{world.property.pk}/"), 404, "not_found")


def test_diary_write_search_edit_and_turn_into_a_case(world, api):
    client = api(world.grid_worker)
    response = client.post(
        "/api/v1/diary/",
        {"text": "王奶奶说楼道灯坏了", "subject": f"resident:{world.resident1.pk}"},
        format="json",
    )
    assert response.status_code == 201, response.content
    note = response.json()
    assert note["subject"] == {"kind": "resident", "id": world.resident1.pk, "name": "王秀兰"}
    assert note["area"]["id"] == world.grid1.pk

    assert all_ids(client, "/api/v1/diary/?q=楼道") == {note["id"]}
    assert all_ids(client, f"/api/v1/diary/?resident={world.resident1.pk}") == {note["id"]}
    assert all_ids(client, "/api/v1/diary/?q=路灯") == set()
    assert_error(client.get("/api/v1/diary/?q=灯"), 400, "invalid")  # one character matches everything
    assert all_ids(api(world.grid_worker2), "/api/v1/diary/") == set()
    assert_error(api(world.grid_worker2).get(f"/api/v1/diary/{note['id']}/"), 404, "not_found")

    response = client.put(
        f"/api/v1/diary/{note['id']}/",
        {"version": note["version"], "text": "王奶奶说三楼楼道灯坏了", "occurred_on": note["occurred_on"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == note["version"] + 1
    stale = client.put(
        f"/api/v1/diary/{note['id']}/",
        {"version": note["version"], "text": "改", "occurred_on": note["occurred_on"]},
        format="json",
    )
    assert_error(stale, 409, "conflict")

    response = client.post(f"/api/v1/diary/{note['id']}/case/")
    assert response.status_code == 201, response.content
    assert response.json()["household"]["id"] == world.household1.pk
    assert Entry.objects.get(pk=note["id"]).case_id == response.json()["id"]
    assert_error(client.post(f"/api/v1/diary/{note['id']}/case/"), 400, "invalid")


def test_a_diary_note_about_someone_out_of_scope_is_refused(world, api):
    response = api(world.grid_worker).post(
        "/api/v1/diary/", {"text": "看看", "subject": f"resident:{world.resident2.pk}"}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"subject"}
