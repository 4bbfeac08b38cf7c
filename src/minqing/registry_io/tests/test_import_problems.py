"""A ledger with bad rows imports nothing, and the dry run names every bad row and why."""

import pytest

from minqing.core.models import AuditEvent
from minqing.people.models import Resident
from minqing.places.models import Building, Household
from minqing.registry_io.models import BatchStatus

from .ledgers import csv_bytes, english, new_id, upload_and_check, xlsx_bytes

GOOD_ID = new_id(1970, 21)
DUP_ID = new_id(1971, 22)
BAD_CHECKSUM = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")

# fmt: off
HEADERS = ["姓名", "性别", "身份证号", "联系电话", "网格", "楼栋", "单元", "门牌号", "与户主关系", "出生日期", "居住类型"]


def _bad_ledger(world):
    # Row numbers as the spreadsheet shows them: the header is row 1.
    return [
        HEADERS,
        ["好人", "女", GOOD_ID, "13800138000", "第一网格", "3号楼", "1单元", "501", "户主", "1970-02-03", "户籍"],  # 2
        ["校验错", "男", BAD_CHECKSUM, "", "", "3号楼", "1单元", "502", "户主", "", ""],  # 3
        ["短号", "男", "2201021970", "", "", "3号楼", "1单元", "503", "户主", "", ""],  # 4
        ["电话错", "男", "", "1380013", "", "3号楼", "1单元", "504", "户主", "", ""],  # 5
        ["无楼", "男", "", "", "", "88号楼", "1单元", "505", "户主", "", ""],  # 6
        ["错网格", "男", "", "", "第九网格", "3号楼", "1单元", "506", "户主", "", ""],  # 7
        ["", "男", "", "", "", "3号楼", "1单元", "507", "户主", "", ""],  # 8: no name
        ["日期错", "男", "", "", "", "3号楼", "1单元", "508", "户主", "1950-13-45", ""],  # 9
        ["性别错", "未知", "", "", "", "3号楼", "1单元", "509", "户主", "", ""],  # 10
        ["关系错", "女", "", "", "", "3号楼", "1单元", "510", "表叔", "", ""],  # 11
        ["类型错", "女", "", "", "", "3号楼", "1单元", "511", "户主", "", "暂住"],  # 12
        ["重复甲", "女", DUP_ID, "", "", "3号楼", "1单元", "512", "户主", "", ""],  # 13
        ["重复甲", "女", DUP_ID, "", "", "3号楼", "1单元", "512", "", "", ""],  # 14: same person again
        ["王秀兰", "女", world.id1, "", "", "3号楼", "", "301", "户主", "", ""],  # 15: already registered
        ["李建国", "男", "", "", "", "3号楼", "", "301", "", "", ""],  # 16: fine: 李建国 lives in grid 2
        ["", "", "", "", "", "", "", "", "", "", ""],  # blank rows are skipped, not errors
        ["无门牌", "男", "", "", "", "3号楼", "1单元", "", "", "", ""],  # 18
        ["屏蔽号", "男", "220***********1234", "139****5678", "", "3号楼", "1单元", "519", "", "", ""],  # 19
    ]
# fmt: on


EXPECTED = {
    3: {"id_checksum"},
    4: {"id_format"},
    5: {"bad_phone"},
    6: {"unknown_building"},
    7: {"unknown_grid"},
    8: {"missing_name"},
    9: {"bad_date"},
    10: {"unknown_sex"},
    11: {"unknown_relation"},
    12: {"unknown_residence_type"},
    13: {"repeated_later"},
    14: {"duplicate_in_file"},
    15: {"already_registered"},
    18: {"missing_room"},
    19: {"id_masked", "phone_masked"},
}

REASONS = {
    3: "ID number: the check digit is wrong",
    4: "ID number: it must have 18 characters",
    5: "Phone: enter an 11-digit mobile number",
    6: "There is no building “88号楼” in 第一网格",
    7: "There is no grid “第九网格” in 第一网格",
    8: "The name is missing.",
    9: "Birth date: not a date that can be read",
    10: "Sex: “未知” is not understood",
    11: "Relation to head of household: “表叔” is not understood",
    12: "Residence type: “暂住” is not understood",
    13: "The same person appears again in row 14",
    14: "The same person (same ID number) is already in row 13",
    15: "A resident with this ID number is already registered",
    18: "The door number is missing.",
    19: "ID number: it is masked",
}


def _codes(batch):
    return {entry["row"]: {p["code"] for p in entry["problems"]} for entry in batch.report["bad_rows"]}


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_bad_rows_are_each_reported_and_nothing_is_imported(world, login, kind):
    client = english(login(world.grid_leader))
    rows = _bad_ledger(world)
    data = xlsx_bytes(rows) if kind == "xlsx" else csv_bytes(rows)
    counts = (Resident.objects.count(), Household.objects.count(), Building.objects.count())

    batch, report = upload_and_check(client, area=world.grid1, data=data, name=f"bad.{kind}")

    assert _codes(batch) == EXPECTED
    assert batch.bad_row_count == len(EXPECTED)
    assert not batch.can_apply
    body = report.content.decode()
    assert f"{len(EXPECTED)} rows have problems" in body
    for row, reason in REASONS.items():
        assert f'id="row-{row}"' in body, row
        assert reason in body, (row, reason)
    assert 'id="row-2"' not in body
    assert 'id="row-16"' not in body
    assert "校验错" in body  # the name helps find the row
    # No ID or phone number ever reaches the page or the stored report.
    for secret in (GOOD_ID, BAD_CHECKSUM, DUP_ID, world.id1, "13800138000"):
        assert secret not in body
        assert secret not in str(batch.report)
    assert "Import all" not in body  # no confirm button

    response = client.post(f"/registry/import/{batch.pk}/confirm/", follow=True)
    assert "Correct the rows with problems" in response.content.decode()
    assert (Resident.objects.count(), Household.objects.count(), Building.objects.count()) == counts
    assert not Resident.objects.filter(name="好人").exists()
    assert not AuditEvent.objects.filter(action="registry.import").exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED


def test_duplicates_without_id_numbers_and_two_heads(world, login):
    client = english(login(world.grid_leader))
    rows = [
        ["姓名", "楼栋", "门牌号", "与户主关系"],
        ["甲", "3号楼", "601", "户主"],  # 2
        ["乙", "3号楼", "601", "户主"],  # 3: a second head for 601
        ["甲", "3号楼", "601", "子女"],  # 4: same name, same address, no ID numbers: the same person
        ["王秀兰", "3号楼", "301", ""],  # 5: already lives in 3号楼301
        ["新人", "3号楼", "301", "户主"],  # 6: 3号楼301 already has a head
    ]
    world.resident1.relation = "head"
    world.resident1.save()
    batch, report = upload_and_check(client, area=world.grid1, data=csv_bytes(rows), name="d.csv")
    assert _codes(batch) == {
        2: {"repeated_later"},
        3: {"two_heads"},
        4: {"duplicate_name_in_file"},
        5: {"already_registered_name"},
        6: {"head_exists"},
    }
    body = report.content.decode()
    assert "Row 2 already names a head of household for the same address." in body
    assert "The same name at the same address is already in row 2 of this file." in body
    assert "A resident with this name is already registered at this address." in body


def test_id_number_typed_as_a_number_in_excel_is_explained(world, login):
    client = english(login(world.grid_leader))
    rows = [["姓名", "身份证号", "楼栋", "门牌号"], ["数字", float(GOOD_ID[:17] + "0"), "3号楼", "601"]]
    batch, report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(rows), name="n.xlsx")
    assert _codes(batch) == {2: {"id_as_number"}}
    assert "Excel stored it as a number" in report.content.decode()


def test_values_too_long_are_reported(world, login):
    client = english(login(world.grid_leader))
    rows = [["姓名", "楼栋", "门牌号"], ["长" * 61, "3号楼", "1" * 21]]
    batch, report = upload_and_check(client, area=world.grid1, data=csv_bytes(rows), name="l.csv")
    assert _codes(batch) == {2: {"too_long"}}
    body = report.content.decode()
    assert "Full name is longer than 60 characters." in body
    assert "Door number is longer than 20 characters." in body


def test_future_birth_date(world, login):
    client = english(login(world.grid_leader))
    rows = [["姓名", "楼栋", "门牌号", "出生日期"], ["未来", "3号楼", "601", "2999-01-01"]]
    batch, _ = upload_and_check(client, area=world.grid1, data=csv_bytes(rows), name="f.csv")
    assert _codes(batch) == {2: {"future_date"}}


def test_community_import_reports_missing_and_unknown_grids(world, login):
    client = english(login(world.community_admin))
    rows = [
        ["姓名", "网格", "楼栋", "门牌号"],
        ["甲", "", "3号楼", "1"],
        ["乙", "阙里第一网格", "阙里1号楼", "1"],  # a grid of another community
        ["丙", "第二网格", "3号楼", "1"],  # 3号楼 is in grid 1, not grid 2
    ]
    batch, report = upload_and_check(client, area=world.community, data=csv_bytes(rows), name="g.csv")
    assert _codes(batch) == {2: {"missing_grid"}, 3: {"unknown_grid"}, 4: {"unknown_building"}}
    assert "There is no building “3号楼” in 第二网格" in report.content.decode()


def test_a_wrongly_mapped_number_column_does_not_leak_into_the_report(world, login):
    from .ledgers import accept_guessed_columns, upload

    client = english(login(world.grid_leader))
    rows = [["姓名", "身份证号", "楼栋", "门牌号"], ["甲", GOOD_ID, "3号楼", "601"]]
    upload(client, area=world.grid1, data=csv_bytes(rows), name="m.csv")
    from minqing.registry_io.models import ImportBatch

    batch = ImportBatch.objects.get()
    response = accept_guessed_columns(client, batch, col_1="sex")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert _codes(batch) == {2: {"unknown_sex"}}
    assert GOOD_ID not in str(batch.report)
    body = client.get(f"/registry/import/{batch.pk}/").content.decode()
    assert GOOD_ID not in body
    assert f"{GOOD_ID[:3]}***********{GOOD_ID[-4:]}" in body
