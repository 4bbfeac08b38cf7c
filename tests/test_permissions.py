"""Who may open what: every role against every registry page, in and out of their area.

Denied answers are 403 (role may never) or 404 (outside the area: we do not confirm the record exists),
and a denied answer never contains the protected data.
"""

import pytest

ROLES = [
    "grid_worker",
    "grid_leader",
    "community_admin",
    "street_officer",
    "org_handler",
    "volunteer",
    "resident",
]
STAFF = {"grid_worker", "grid_leader", "community_admin", "street_officer"}
PLACE_EDITORS = {"grid_leader", "community_admin", "street_officer"}
REGISTRY_EDITORS = {"grid_worker", "grid_leader", "community_admin"}


def _expect(allowed: set[str], role: str, denied: int = 404) -> int:
    return 200 if role in allowed else denied


# (page name, url builder, roles allowed, status when denied, text that must not leak)
PAGES = [
    ("home", lambda w: "/", set(ROLES), 200, None),
    ("search", lambda w: "/search/?q=王秀兰", STAFF, 403, "王秀兰"),
    ("grid1", lambda w: f"/places/areas/{w.grid1.pk}/", STAFF, 404, "3号楼"),
    ("grid1 residents", lambda w: f"/places/areas/{w.grid1.pk}/residents/", STAFF, 404, "王秀兰"),
    (
        "community",
        lambda w: f"/places/areas/{w.community.pk}/",
        {"community_admin", "street_officer"},
        404,
        None,
    ),
    ("building1", lambda w: f"/places/buildings/{w.building1.pk}/", STAFF, 404, "3号楼"),
    ("building1 edit", lambda w: f"/places/buildings/{w.building1.pk}/edit/", PLACE_EDITORS, None, "1985"),
    ("household1", lambda w: f"/places/households/{w.household1.pk}/", STAFF, 404, "王秀兰"),
    (
        "household1 add",
        lambda w: f"/places/buildings/{w.building1.pk}/households/new/",
        REGISTRY_EDITORS,
        None,
        None,
    ),
    ("resident1", lambda w: f"/people/residents/{w.resident1.pk}/", STAFF, 404, "王秀兰"),
    (
        "resident1 edit",
        lambda w: f"/people/residents/{w.resident1.pk}/edit/",
        REGISTRY_EDITORS,
        None,
        "王秀兰",
    ),
    (
        "resident1 status",
        lambda w: f"/people/residents/{w.resident1.pk}/status/",
        REGISTRY_EDITORS,
        None,
        "王秀兰",
    ),
    (
        "resident1 tag",
        lambda w: f"/people/residents/{w.resident1.pk}/tags/new/",
        REGISTRY_EDITORS,
        None,
        "王秀兰",
    ),
    (
        "resident new",
        lambda w: f"/people/residents/new/?household={w.household1.pk}",
        REGISTRY_EDITORS,
        None,
        None,
    ),
    ("organisations", lambda w: "/organisations/", STAFF | {"org_handler"}, 403, "旧改办"),
    (
        "renovation office",
        lambda w: f"/organisations/{w.renovation.pk}/",
        STAFF | {"org_handler"},
        404,
        "旧改办",
    ),
    ("property company", lambda w: f"/organisations/{w.property.pk}/", STAFF, 404, "热电物业"),
    ("organisation new", lambda w: "/organisations/new/", {"community_admin", "street_officer"}, 403, None),
    ("merchants", lambda w: "/organisations/merchants/", STAFF, 403, None),
    (
        "merchant in 阙里",
        lambda w: f"/organisations/merchants/{w.merchant.pk}/",
        {"street_officer"},
        404,
        "孔府面馆",
    ),
    (
        "area new",
        lambda w: f"/places/areas/{w.community.pk}/new/",
        {"community_admin", "street_officer"},
        None,
        None,
    ),
    ("building new", lambda w: f"/places/areas/{w.grid1.pk}/buildings/new/", PLACE_EDITORS, None, None),
    (
        "grid1 residents by tag",
        lambda w: f"/places/areas/{w.grid1.pk}/residents/?tag=party",
        STAFF,
        404,
        "王秀兰",
    ),
    ("tag types", lambda w: "/people/tag-types/", {"community_admin", "street_officer"}, 403, None),
    (
        "tag type edit",
        lambda w: f"/people/tag-types/{w.plain_tag.pk}/",
        {"community_admin", "street_officer"},
        403,
        None,
    ),
    ("who handles what", lambda w: "/directory/?q=下水道", STAFF, 403, None),
    (
        "directory entries",
        lambda w: "/directory/responsibilities/",
        {"community_admin", "street_officer"},
        403,
        None,
    ),
    ("concerns", lambda w: "/cases/", set(ROLES), 200, None),
    ("record a concern", lambda w: "/cases/new/", STAFF, 403, None),
    ("import", lambda w: "/registry/import/", {"grid_leader", "community_admin"}, 403, None),
    (
        "export",
        lambda w: "/registry/export/",
        {"grid_leader", "community_admin", "street_officer"},
        403,
        None,
    ),
]


def _denied_status(role: str, default: int | None) -> set[int]:
    # A role that may never do a thing gets 403; asking for a record outside one's area gets 404.
    return {403, 404} if default is None else {default}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "url", "allowed", "denied", "secret"), PAGES, ids=[p[0] for p in PAGES])
def test_role_matrix(world, client, role, page, url, allowed, denied, secret):
    client.force_login(world.by_role()[role])
    response = client.get(url(world))
    if role in allowed:
        assert response.status_code == 200, f"{role} should open {page}"
    else:
        assert response.status_code in _denied_status(role, denied), (
            f"{role} got {response.status_code} on {page}"
        )
        if secret:
            assert secret not in response.content.decode(), f"{page} leaked to {role}"


OTHER_GRID = [
    ("building", lambda w: f"/places/buildings/{w.building2.pk}/", "7号楼"),
    ("household", lambda w: f"/places/households/{w.household2.pk}/", "李建国"),
    ("resident", lambda w: f"/people/residents/{w.resident2.pk}/", "李建国"),
    ("resident edit", lambda w: f"/people/residents/{w.resident2.pk}/edit/", "李建国"),
    ("area", lambda w: f"/places/areas/{w.grid2.pk}/", "第二网格"),
    ("area residents", lambda w: f"/places/areas/{w.grid2.pk}/residents/", "李建国"),
    ("search by phone", lambda w: "/search/?q=13987654321", "李建国"),
    ("search by name", lambda w: "/search/?q=李建国", "/people/residents/"),
]


@pytest.mark.parametrize(("what", "url", "secret"), OTHER_GRID, ids=[o[0] for o in OTHER_GRID])
def test_grid_worker_cannot_reach_another_grid(world, client, what, url, secret):
    client.force_login(world.grid_worker)
    response = client.get(url(world))
    assert response.status_code in (200, 404)
    if response.status_code == 200:  # search pages answer, but find nothing from the other grid
        assert what.startswith("search")
    assert secret not in response.content.decode().split("<main", 1)[-1]


def test_grid_worker_cannot_edit_another_grid_by_post(world, client):
    client.force_login(world.grid_worker)
    before = world.resident2.version
    response = client.post(
        f"/people/residents/{world.resident2.pk}/edit/",
        {
            "version": before,
            "name": "改名",
            "residence_type": "registered",
        },
    )
    assert response.status_code == 404
    world.resident2.refresh_from_db()
    assert world.resident2.name == "李建国"
    assert world.resident2.version == before


def test_grid_worker_cannot_reveal_in_another_grid(world, client):
    from minqing.core.models import AuditEvent

    client.force_login(world.grid_worker)
    response = client.post(
        f"/people/residents/{world.resident2.pk}/reveal/", {"field": "phone", "reason": "x" * 5}
    )
    assert response.status_code == 404
    assert "13987654321" not in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="people.resident.reveal").exists()


def test_handler_sees_only_own_organisation(world, client):
    client.force_login(world.handler)
    body = client.get("/organisations/").content.decode()
    assert "二道区旧改办" in body
    assert "热电物业公司" not in body


def test_sensitive_tags_only_for_roles_that_need_them(world, client):
    from minqing.people.models import ResidentTag

    ResidentTag.objects.create(
        resident=world.resident1, tag_type=world.sensitive_tag, legal_basis="低保证 2023-17"
    )
    ResidentTag.objects.create(resident=world.resident1, tag_type=world.plain_tag)
    url = f"/people/residents/{world.resident1.pk}/"

    client.force_login(world.grid_worker)
    body = client.get(url).content.decode()
    assert "党员" in body
    assert "低保" not in body

    client.force_login(world.grid_leader)
    body = client.get(url).content.decode()
    assert "低保" in body
