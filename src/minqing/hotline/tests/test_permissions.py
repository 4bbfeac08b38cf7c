"""Who may import into where, who may export, and whose uploads they see. Denials change nothing."""

import pytest

from minqing.cases.models import Case
from minqing.core.errors import Forbidden, InvalidInput
from minqing.core.models import AuditEvent
from minqing.hotline import actions
from minqing.hotline.models import WorkOrderImport

from .orders import accept_guessed_columns, confirm, english, order, upload, upload_and_check, xlsx_bytes

FILE = xlsx_bytes([order("GD1"), order("GD2", "阙里1号楼楼道灯坏了", address="阙里1号楼")])


def _snapshot():
    return Case.objects.count(), WorkOrderImport.objects.count()


@pytest.mark.parametrize("role", ["grid_worker", "street_officer", "org_handler", "volunteer", "resident"])
def test_roles_without_the_import_capability_get_403_and_nothing_changes(world, login, role):
    client = login(world.by_role()[role])
    before = _snapshot()
    response = upload(client, area=world.grid1, data=FILE)
    assert response.status_code == 403
    assert _snapshot() == before
    with pytest.raises(Forbidden):
        actions.upload_work_orders(
            acting_user=world.by_role()[role], area=world.grid1, file_name="a.xlsx", data=FILE
        )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("grid_worker", 403),
        ("org_handler", 403),
        ("volunteer", 403),
        ("resident", 403),
        ("street_officer", 200),
        ("grid_leader", 200),
        ("community_admin", 200),
    ],
)
def test_the_page_is_for_roles_that_import_or_export(world, login, role, status):
    response = login(world.by_role()[role]).get("/hotline/")
    assert response.status_code == status
    if role == "street_officer":  # exports, does not import
        assert response.context["upload_form"] is None
        assert response.context["export_form"] is not None


def test_another_communitys_admin_cannot_import_into_grid1(world, login):
    client = english(login(world.other_admin))
    before = _snapshot()
    response = upload(client, area=world.grid1, data=FILE)
    assert response.status_code == 200
    assert "Choose a grid in your area." in response.content.decode()
    assert _snapshot() == before
    with pytest.raises(Forbidden):
        actions.upload_work_orders(
            acting_user=world.other_admin, area=world.grid1, file_name="a.xlsx", data=FILE
        )
    assert _snapshot() == before


def test_only_grids_are_offered_and_accepted(world, login):
    client = login(world.community_admin)
    choices = {a.pk for a in client.get("/hotline/").context["upload_form"].fields["area"].queryset}
    assert choices == {world.grid1.pk, world.grid2.pk}
    with pytest.raises(InvalidInput):
        actions.upload_work_orders(
            acting_user=world.community_admin, area=world.community, file_name="a.xlsx", data=FILE
        )


def test_addresses_find_buildings_only_inside_the_users_area(world, login):
    """阙里1号楼 is a building of another community: the work order lands in the chosen grid, unplaced."""
    client = english(login(world.grid_leader))
    batch, _report = upload_and_check(client, area=world.grid2, data=FILE)
    assert batch.report["grids"] == [["第一网格", 1], ["第二网格", 1]]
    confirm(client, batch)
    outside = Case.objects.get(external_reference="GD2")
    assert (outside.area, outside.building) == (world.grid2, None)
    assert Case.objects.get(external_reference="GD1").building == world.building1


def test_a_number_imported_in_another_area_is_skipped_without_saying_where(world, login):
    other = english(login(world.other_admin))
    batch, _report = upload_and_check(other, area=world.grid3, data=xlsx_bytes([order("GD1", address="")]))
    confirm(other, batch)
    theirs = Case.objects.get(external_reference="GD1")
    client = english(login(world.community_admin))
    batch, report = upload_and_check(client, area=world.grid1, data=FILE)
    page = report.content.decode()
    assert "Already imported, in an area outside yours: skipped." in page
    assert theirs.reference not in page


def test_another_users_upload_is_404(world, login):
    owner = english(login(world.community_admin))
    batch, _report = upload_and_check(owner, area=world.grid1, data=FILE)
    before = _snapshot()
    for other in (world.grid_leader, world.other_admin):
        client = login(other)
        assert client.get(f"/hotline/import/{batch.pk}/").status_code == 404
        assert client.get(f"/hotline/import/{batch.pk}/columns/").status_code == 404
        assert client.post(f"/hotline/import/{batch.pk}/columns/", {"col_1": "number"}).status_code == 404
        assert client.post(f"/hotline/import/{batch.pk}/confirm/").status_code == 404
        assert client.post(f"/hotline/import/{batch.pk}/discard/").status_code == 404
        assert "工单.xlsx" not in client.get("/hotline/").content.decode()
    assert _snapshot() == before


def test_an_importer_who_lost_the_grid_cannot_confirm(world, login):
    client = english(login(world.grid_leader))
    upload(client, area=world.grid1, data=FILE)
    batch = WorkOrderImport.objects.latest("id")
    accept_guessed_columns(client, batch)
    world.grid_leader.areas.set([world.grid2])
    response = client.post(f"/hotline/import/{batch.pk}/confirm/")
    assert response.status_code == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize("role", ["grid_worker", "org_handler", "volunteer", "resident"])
def test_roles_without_the_export_capability_get_403(world, login, role):
    client = login(world.by_role()[role])
    response = client.post("/hotline/export/", {"full_phone": "on", "reason": "想看"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="hotline.export").exists()
