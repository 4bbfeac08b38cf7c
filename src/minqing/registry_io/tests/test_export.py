"""Export: masked by default, full values only with the capability and a reason, always audited, safe to open."""

import csv
import io

import pytest
from openpyxl import load_workbook

from minqing.core.models import AuditEvent
from minqing.people.models import ResidentTag
from minqing.registry_io.columns import EXPORT_HEADERS, guess_mapping
from minqing.registry_io.exporting import escape, resident_row
from minqing.registry_io.models import ImportBatch
from tests.factories import ResidentFactory

from .ledgers import english, upload_and_check


def _csv(response) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]


def _export(client, **data):
    return client.post("/registry/export/", {"file_format": "csv", **data})


def test_export_is_masked_by_default_and_audited(world, login):
    client = login(world.grid_leader)
    assert client.get("/registry/export/").status_code == 200
    response = _export(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == EXPORT_HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"王秀兰", "李建国"}  # grids 1 and 2; not 孔繁华 of 阙里
    wang = by_name["王秀兰"]
    assert wang[3] == "139****5678"
    assert wang[2] == world.id1[:3] + "*" * 11 + world.id1[-4:]
    assert world.phone1 not in response.content.decode("utf-8-sig")
    assert world.id1 not in response.content.decode("utf-8-sig")
    assert wang[5:9] == ["第一网格", "3号楼", "", "301"]
    event = AuditEvent.objects.get(action="registry.export")
    assert event.actor == world.grid_leader
    assert event.changes["rows"] == 2
    assert event.changes["unmasked"] is False
    assert event.reason == ""


def test_full_values_need_a_reason_and_are_audited(world, login):
    client = english(login(world.grid_leader))
    response = _export(client, full_values="on", reason="")
    assert response.status_code == 200
    assert "Say why the export needs full phone and ID numbers." in response.content.decode()
    assert not AuditEvent.objects.filter(action="registry.export").exists()

    response = _export(client, full_values="on", reason="民政局低保复核", file_format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _xlsx(response)
    assert rows[0] == EXPORT_HEADERS
    wang = next(r for r in rows if r[0] == "王秀兰")
    assert wang[2] == world.id1
    assert wang[3] == world.phone1
    event = AuditEvent.objects.get(action="registry.export")
    assert event.changes["unmasked"] is True
    assert event.changes["unmasked_phone"] is True
    assert event.changes["unmasked_id"] is True
    assert event.changes["format"] == "xlsx"
    assert event.reason == "民政局低保复核"


def test_one_area_only_and_area_outside_scope_refused(world, login):
    client = english(login(world.grid_leader))
    rows = _csv(_export(client, area=world.grid2.pk))
    assert [r[0] for r in rows[1:]] == ["李建国"]
    response = _export(client, area=world.grid3.pk)
    assert response.status_code == 200
    assert "Choose an area of yours." in response.content.decode()
    assert AuditEvent.objects.filter(action="registry.export").count() == 1
    assert AuditEvent.objects.get(action="registry.export").target_id == str(world.grid2.pk)


@pytest.mark.parametrize("role", ["grid_worker", "org_handler", "volunteer", "resident"])
def test_roles_without_export_capability_get_403(world, login, role):
    client = login(world.by_role()[role])
    assert client.get("/registry/export/").status_code == 403
    response = _export(client, full_values="on", reason="想看")
    assert response.status_code == 403
    assert world.phone1 not in response.content.decode()
    assert not AuditEvent.objects.filter(action="registry.export").exists()


def test_sensitive_tags_only_for_roles_that_may_see_them(world, login):
    ResidentTag.objects.create(
        resident=world.resident1, tag_type=world.sensitive_tag, legal_basis="低保证 17"
    )
    ResidentTag.objects.create(resident=world.resident1, tag_type=world.plain_tag)
    client = login(world.grid_leader)
    wang = next(r for r in _csv(_export(client)) if r[0] == "王秀兰")
    assert set(wang[12].split("、")) == {"低保", "党员"}
    # A role without the capability never gets them (every exporting role has it today; the row writer checks).
    world.resident1.visible_tags = list(world.resident1.tags.select_related("tag_type"))
    row = resident_row(world.resident1, full_phone=False, full_id=False, show_sensitive=False)
    assert row[12] == "党员"


def test_formula_injection_is_escaped(world, login):
    ResidentFactory(
        name='=HYPERLINK("http://evil","点我")',
        household=world.household1,
        note="+1+cmd|' /C calc'!A0",
    )
    ResidentFactory(name="@SUM(A1)", household=world.household1, note="-2+3")
    client = login(world.grid_leader)
    rows = _csv(_export(client))
    cells = [c for r in rows for c in r]
    assert '\'=HYPERLINK("http://evil","点我")' in cells
    assert "'+1+cmd|' /C calc'!A0" in cells
    assert "'@SUM(A1)" in cells
    assert "'-2+3" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)

    response = _export(client, file_format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@"))
    assert escape("\t=1") == "'\t=1"
    assert escape("普通") == "普通"


def test_export_headers_re_import_and_residents_are_found_already_registered(world, login):
    """An export re-imports: every column is recognised, and the same people are recognised as registered."""
    assert set(guess_mapping(EXPORT_HEADERS)) == {
        "name", "sex", "id_number", "phone", "birth_date", "grid", "building", "unit", "room",
        "relation", "residence_type", "note",
    }  # fmt: skip
    client = english(login(world.community_admin))
    exported = _export(
        client, full_values="on", reason="迁移系统", file_format="xlsx", area=world.community.pk
    )
    batch, report = upload_and_check(client, area=world.community, data=exported.content, name="export.xlsx")
    codes = {e["row"]: {p["code"] for p in e["problems"]} for e in batch.report["bad_rows"]}
    # 王秀兰 has an ID number; 李建国 has none and is recognised by name at his address.
    assert codes == {2: {"already_registered"}, 3: {"already_registered_name"}}

    masked = _export(client, file_format="csv", area=world.community.pk)
    batch, report = upload_and_check(client, area=world.community, data=masked.content, name="masked.csv")
    wang = next(e for e in batch.report["bad_rows"] if e["row"] == 2)
    assert {p["code"] for p in wang["problems"]} >= {"id_masked", "phone_masked"}
    assert "it is masked" in report.content.decode()
    assert ImportBatch.objects.count() == 2
