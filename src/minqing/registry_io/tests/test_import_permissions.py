"""Who may import, into where, and whose uploads they may see. Denials change nothing."""

import pytest

from minqing.core.errors import Forbidden
from minqing.people.models import Resident
from minqing.places.models import Building, Household
from minqing.registry_io import actions
from minqing.registry_io.models import BatchStatus, ImportBatch

from .ledgers import csv_bytes, english, upload, upload_and_check

LEDGER = csv_bytes([["姓名", "楼栋", "门牌号"], ["新居民", "3号楼", "909"], ["新居民二", "99号楼", "1"]])


def _snapshot():
    return (
        Resident.objects.count(),
        Household.objects.count(),
        Building.objects.count(),
        ImportBatch.objects.count(),
    )


@pytest.mark.parametrize("role", ["grid_worker", "street_officer", "org_handler", "volunteer", "resident"])
def test_roles_without_import_capability_get_403_and_nothing_changes(world, login, role):
    user = world.by_role()[role]
    client = login(user)
    before = _snapshot()
    assert client.get("/registry/import/").status_code == 403
    response = upload(client, area=world.grid1, data=LEDGER, name="a.csv", create_buildings=True)
    assert response.status_code == 403
    assert _snapshot() == before


def test_grid_worker_cannot_upload_through_the_action_either(world):
    with pytest.raises(Forbidden):
        actions.upload_ledger(acting_user=world.grid_worker, area=world.grid1, file_name="a.csv", data=LEDGER)
    assert not ImportBatch.objects.exists()


def test_target_area_outside_scope_is_rejected(world, login):
    client = english(login(world.grid_leader))  # grids 1 and 2 only
    before = _snapshot()
    response = upload(client, area=world.grid3, data=LEDGER, name="a.csv")
    assert response.status_code == 200
    assert "Choose a grid or a community in your area." in response.content.decode()
    # Nor the community above their grids.
    response = upload(client, area=world.community, data=LEDGER, name="a.csv")
    assert response.status_code == 200
    assert _snapshot() == before
    with pytest.raises(Forbidden):
        actions.upload_ledger(acting_user=world.grid_leader, area=world.grid3, file_name="a.csv", data=LEDGER)


def test_upload_page_offers_only_areas_in_scope(world, login):
    client = login(world.grid_leader)
    choices = {a.pk for a in client.get("/registry/import/").context["form"].fields["area"].queryset}
    assert choices == {world.grid1.pk, world.grid2.pk}
    client = login(world.community_admin)
    choices = {a.pk for a in client.get("/registry/import/").context["form"].fields["area"].queryset}
    assert choices == {world.community.pk, world.grid1.pk, world.grid2.pk}


def test_another_users_batch_is_404(world, login):
    owner = english(login(world.community_admin))
    batch, _ = upload_and_check(owner, area=world.grid1, data=LEDGER, name="a.csv", create_buildings=True)
    assert batch.can_apply
    before = _snapshot()
    for other in (world.grid_leader, world.other_admin):
        client = login(other)
        assert client.get(f"/registry/import/{batch.pk}/").status_code == 404
        assert client.get(f"/registry/import/{batch.pk}/columns/").status_code == 404
        assert client.post(f"/registry/import/{batch.pk}/columns/", {"col_0": "name"}).status_code == 404
        assert client.post(f"/registry/import/{batch.pk}/confirm/").status_code == 404
        assert client.post(f"/registry/import/{batch.pk}/discard/").status_code == 404
        body = client.get("/registry/import/").content.decode()
        assert "a.csv" not in body
    assert _snapshot() == before
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert batch.payload


def test_actions_refuse_another_users_batch(world, login):
    owner = login(world.community_admin)
    batch, _ = upload_and_check(owner, area=world.grid1, data=LEDGER, name="a.csv", create_buildings=True)
    from minqing.core.errors import NotFound

    with pytest.raises(NotFound):
        actions.apply_batch(acting_user=world.grid_leader, batch=batch)
    with pytest.raises(NotFound):
        actions.discard_batch(acting_user=world.grid_leader, batch=batch)
    assert not Resident.objects.filter(name="新居民").exists()


def test_create_buildings_needs_the_box_ticked(world, login):
    client = english(login(world.grid_leader))
    batch, report = upload_and_check(client, area=world.grid1, data=LEDGER, name="a.csv")
    assert batch.bad_row_count == 1
    assert "There is no building “99号楼” in 第一网格" in report.content.decode()


def test_anonymous_is_sent_to_login(client, world):
    for url in (
        "/registry/import/",
        "/registry/export/",
        "/registry/import/1/",
        "/registry/import/1/confirm/",
    ):
        response = client.post(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
