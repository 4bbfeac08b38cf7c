"""The import as a cadre uses it, through HTTP: upload → columns → dry run → confirm."""

import pytest
from django.db import connection

from minqing.core import crypto
from minqing.core.models import AuditEvent
from minqing.people.models import Resident
from minqing.people.selectors import search_residents
from minqing.places.models import Building, Household
from minqing.registry_io.models import BatchStatus, ImportBatch

from .ledgers import csv_bytes, english, new_id, upload_and_check, xlsx_bytes

ZHANG_ID = new_id(1960, 11)
LI_ID = new_id(1962, 12)

# Headers as one community writes them: none is the standard spelling, plus a serial-number column.
# fmt: off
HEADERS = ["序号", "名字", "性别", "公民身份号码", "手机号", "楼号", "单元号", "房号", "户主关系", "出生日期", "人口类型", "备注"]
GOOD_ROWS = [
    [1, "张三", "男", ZHANG_ID, "13800138000", "3", "1", "402", "户主", "1960-02-03", "户籍", ""],
    [2, "李四", "女", LI_ID, "", "3号楼", "1单元", "402", "配偶", "", "常住", "新搬入"],
    [3, "王五", "男", "", "138 0013 8001", "9号楼", "2", "101", "户主", "1985/5/6", "流动", ""],
]
# fmt: on


def _counts():
    return Resident.objects.count(), Household.objects.count(), Building.objects.count()


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (fixed names)
        return cursor.fetchone()[0]


def _assert_good_ledger_imported(world, user, batch):
    zhang = Resident.objects.get(name="张三")
    li = Resident.objects.get(name="李四")
    wang = Resident.objects.get(name="王五")
    # "3" and "3号楼" are the existing building of grid 1; unit "1" is 1单元: one new household for both.
    assert zhang.household == li.household
    assert zhang.household.building == world.building1
    assert str(zhang.household) == "3号楼1单元402"
    assert zhang.relation == "head"
    assert li.relation == "spouse"
    assert li.residence_type == "permanent"
    assert wang.residence_type == "floating"
    assert str(wang.household) == "9号楼2单元101"
    assert wang.household.building.area == world.grid1
    assert wang.birth_date.isoformat() == "1985-05-06"
    assert li.note == "新搬入"
    assert li.birth_date.isoformat() == "1962-02-03"  # from the ID number
    # Personal data is encrypted at rest, found by its keyed digest.
    assert zhang.id_number == ZHANG_ID
    assert zhang.phone == "13800138000"
    assert _raw("people_resident", "id_number", zhang.pk).startswith("v1:")
    assert ZHANG_ID not in _raw("people_resident", "id_number", zhang.pk)
    assert _raw("people_resident", "phone", zhang.pk).startswith("v1:")
    assert wang.phone_digest == crypto.digest("13800138001")
    assert [r.name for r in search_residents(user, "13800138000")] == ["张三"]
    assert [r.name for r in search_residents(user, ZHANG_ID)] == ["张三"]
    # One import event with counts, and each record audited by its own action.
    event = AuditEvent.objects.get(action="registry.import")
    assert event.actor == user
    assert event.changes["residents"] == 3
    assert event.changes["households"] == 2
    assert event.changes["buildings"] == 1
    assert AuditEvent.objects.filter(action="people.resident.create").count() == 3
    assert AuditEvent.objects.filter(action="places.household.create").count() == 2
    assert AuditEvent.objects.filter(action="places.building.create").count() == 1
    # The rows are gone from the batch once imported.
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    assert batch.payload == ""
    assert _raw("registry_io_importbatch", "payload", batch.pk) == ""
    assert (batch.residents_created, batch.households_created, batch.buildings_created) == (3, 2, 1)


def test_good_xlsx_ledger_with_title_row_imports_through_the_flow(world, login):
    client = english(login(world.grid_leader))
    before = _counts()
    data = xlsx_bytes([HEADERS, *GOOD_ROWS], title="热电社区第一网格居民台账")
    batch, report = upload_and_check(
        client, area=world.grid1, data=data, name="第一网格台账.xlsx", create_buildings=True
    )
    # The guessed mapping skipped the title row and the 序号 column.
    assert batch.mapping == {
        "name": 1,
        "sex": 2,
        "id_number": 3,
        "phone": 4,
        "building": 5,
        "unit": 6,
        "room": 7,
        "relation": 8,
        "birth_date": 9,
        "residence_type": 10,
        "note": 11,
    }
    assert batch.status == BatchStatus.VALIDATED
    assert batch.bad_row_count == 0
    assert batch.report["counts"] == {"buildings": 1, "households": 2, "residents": 3}
    body = report.content.decode()
    assert "Every row is correct" in body
    assert batch.can_apply
    # The dry run saved nothing but the batch.
    assert _counts() == before
    # The stored rows are ciphertext.
    raw = _raw("registry_io_importbatch", "payload", batch.pk)
    assert raw.startswith("v1:")
    assert ZHANG_ID not in raw
    assert "13800138000" not in raw

    response = client.post(f"/registry/import/{batch.pk}/confirm/")
    assert response.status_code == 302
    assert _counts() == (before[0] + 3, before[1] + 2, before[2] + 1)
    _assert_good_ledger_imported(world, world.grid_leader, batch)
    page = client.get(response["Location"])
    assert "Ledger imported" in page.content.decode()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_good_csv_ledger_into_a_community_names_the_grids(world, login, encoding):
    client = english(login(world.community_admin))
    before = _counts()
    headers = [
        "姓名",
        "所属网格",
        "身份证号码",
        "联系电话",
        "楼栋",
        "单元",
        "门牌号",
        "与户主关系",
        "出生日期",
        "居住类型",
    ]
    rows = [
        ["张三", "第一网格", ZHANG_ID, "13800138000", "3号楼", "1单元", "402", "户主", "1960-02-03", "户籍"],
        ["李四", "第一网格", LI_ID, "", "3号楼", "1单元", "402", "配偶", "", "常住"],
        ["王五", "第一网格", "", "13800138001", "9号楼", "2单元", "101", "户主", "1985年5月6日", "流动"],
        ["赵六", "第二网格", "", "", "7号楼", "", "502", "租户", "", ""],
    ]
    data = csv_bytes([headers, *rows], encoding=encoding)
    batch, _report = upload_and_check(
        client, area=world.community, data=data, name="ledger.csv", create_buildings=True
    )
    assert batch.bad_row_count == 0, batch.report
    assert batch.mapping["grid"] == 1
    # 赵六 joins the existing household 7号楼502 of grid 2.
    assert batch.report["counts"] == {"buildings": 1, "households": 2, "residents": 4}
    assert client.post(f"/registry/import/{batch.pk}/confirm/").status_code == 302
    assert _counts() == (before[0] + 4, before[1] + 2, before[2] + 1)
    zhao = Resident.objects.get(name="赵六")
    assert zhao.household == world.household2
    assert zhao.area == world.grid2
    assert zhao.residence_type == "registered"  # an empty cell is the default
    assert Resident.objects.get(name="王五").birth_date.isoformat() == "1985-05-06"


def test_mapping_can_be_corrected_by_the_user(world, login):
    client = english(login(world.grid_leader))
    headers = ["住户", "楼栋", "门牌号", "联系人电话"]  # 住户 is not recognised as the name column
    data = csv_bytes([headers, ["钱七", "3号楼", "305", "13800138009"]])
    from .ledgers import accept_guessed_columns, upload

    upload(client, area=world.grid1, data=data, name="x.csv")
    batch = ImportBatch.objects.latest("id")
    assert "name" not in batch.mapping
    assert batch.mapping["phone"] == 3
    response = accept_guessed_columns(client, batch)
    assert response.status_code == 200
    assert "Choose the columns that hold: Full name." in response.content.decode()
    response = accept_guessed_columns(client, batch, col_0="name", col_3="name")
    assert response.status_code == 200
    assert "is chosen for more than one column" in response.content.decode()
    response = accept_guessed_columns(client, batch, col_0="name")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.mapping == {"name": 0, "building": 1, "room": 2, "phone": 3}
    assert batch.bad_row_count == 0
    client.post(f"/registry/import/{batch.pk}/confirm/")
    assert Resident.objects.get(name="钱七").household.building == world.building1


def test_community_import_requires_the_grid_column(world, login):
    client = english(login(world.community_admin))
    from .ledgers import accept_guessed_columns, upload

    upload(
        client,
        area=world.community,
        data=csv_bytes([["姓名", "楼栋", "门牌号"], ["甲", "3号楼", "1"]]),
        name="a.csv",
    )
    batch = ImportBatch.objects.latest("id")
    response = accept_guessed_columns(client, batch)
    assert response.status_code == 200
    assert "Grid" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UPLOADED


def test_discard_deletes_the_rows(world, login):
    client = english(login(world.grid_leader))
    batch, _ = upload_and_check(
        client, area=world.grid1, data=csv_bytes([HEADERS, *GOOD_ROWS]), name="a.csv", create_buildings=True
    )
    before = _counts()
    response = client.post(f"/registry/import/{batch.pk}/discard/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED
    assert batch.payload == ""
    assert _raw("registry_io_importbatch", "payload", batch.pk) == ""
    assert AuditEvent.objects.filter(action="registry.import.discard").count() == 1
    # A discarded batch cannot be imported any more.
    response = client.post(f"/registry/import/{batch.pk}/confirm/")
    assert _counts() == before
    page = client.get(response["Location"])
    assert "discarded" in page.content.decode()


def test_confirm_twice_imports_once(world, login):
    client = english(login(world.grid_leader))
    batch, _ = upload_and_check(
        client, area=world.grid1, data=csv_bytes([HEADERS, *GOOD_ROWS]), name="a.csv", create_buildings=True
    )
    client.post(f"/registry/import/{batch.pk}/confirm/")
    count = Resident.objects.count()
    response = client.post(f"/registry/import/{batch.pk}/confirm/", follow=True)
    assert "already been imported" in response.content.decode()
    assert Resident.objects.count() == count
    assert AuditEvent.objects.filter(action="registry.import").count() == 1


def test_confirm_without_a_dry_run_is_refused(world, login):
    client = english(login(world.grid_leader))
    from .ledgers import upload

    upload(
        client, area=world.grid1, data=csv_bytes([HEADERS, *GOOD_ROWS]), name="a.csv", create_buildings=True
    )
    batch = ImportBatch.objects.latest("id")
    before = _counts()
    response = client.post(f"/registry/import/{batch.pk}/confirm/", follow=True)
    assert "Run the dry run first" in response.content.decode()
    assert _counts() == before


def test_registry_changed_since_the_dry_run_saves_nothing_and_reports_the_row(world, login):
    from minqing.people.actions import create_resident

    client = english(login(world.grid_leader))
    batch, _ = upload_and_check(
        client, area=world.grid1, data=csv_bytes([HEADERS, *GOOD_ROWS]), name="a.csv", create_buildings=True
    )
    # Meanwhile a colleague registers 李四 by hand.
    create_resident(acting_user=world.grid_worker, name="李四", household=world.household1, id_number=LI_ID)
    before = _counts()
    response = client.post(f"/registry/import/{batch.pk}/confirm/", follow=True)
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert "already registered" in body
    assert 'id="row-3"' in body
    assert _counts() == before
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert batch.bad_row_count == 1
    assert not AuditEvent.objects.filter(action="registry.import").exists()


def test_a_failure_half_way_saves_nothing(world, login, monkeypatch):
    from minqing.core.errors import InvalidInput
    from minqing.registry_io import actions

    client = english(login(world.grid_leader))
    batch, _ = upload_and_check(
        client, area=world.grid1, data=csv_bytes([HEADERS, *GOOD_ROWS]), name="a.csv", create_buildings=True
    )
    real = actions.create_residents

    def flaky(*, acting_user, residents):
        for index, resident in enumerate(residents):
            if resident["name"] == "王五":
                raise InvalidInput("Disk full.", extra={"index": index})
        return real(acting_user=acting_user, residents=residents)

    monkeypatch.setattr(actions, "create_residents", flaky)
    before = _counts()
    events = AuditEvent.objects.count()
    response = client.post(f"/registry/import/{batch.pk}/confirm/", follow=True)
    body = response.content.decode()
    assert "Row 4 could not be saved: Disk full. Nothing was saved." in body
    assert _counts() == before
    assert AuditEvent.objects.count() == events
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert batch.payload


def test_unfinished_uploads_expire_and_lose_their_rows(world, login):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    client = english(login(world.grid_leader))
    batch, _ = upload_and_check(client, area=world.grid1, data=csv_bytes([HEADERS, *GOOD_ROWS]), name="a.csv")
    fresh, _ = upload_and_check(client, area=world.grid1, data=csv_bytes([HEADERS, *GOOD_ROWS]), name="b.csv")
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    call_command("expire_ledger_uploads", "--hours", "48")
    batch.refresh_from_db()
    fresh.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED
    assert batch.payload == ""
    assert fresh.status == BatchStatus.VALIDATED
    assert fresh.payload
    assert AuditEvent.objects.filter(action="registry.import.expire").count() == 1
