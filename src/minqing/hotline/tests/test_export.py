"""Export: the hotline columns, phones masked unless asked for with a reason, always audited, constant
queries, and a sheet that re-imports without creating anything."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from minqing.cases import actions as cases
from minqing.cases.models import Case
from minqing.core.models import AuditEvent
from minqing.directory.models import Category
from minqing.hotline.columns import EXPORT_HEADERS

from .orders import confirm, english, order, upload_and_check, xlsx_bytes


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]


def _export(client, **data):
    return client.post("/hotline/export/", {"date_from": "", "date_to": "", **data})


def _by_number(rows) -> dict[str, dict[str, str]]:
    return {row[0]: dict(zip(EXPORT_HEADERS, row, strict=True)) for row in rows[1:]}


def _closed_case(world, *, description="3号楼晾衣杆什么时候装", rating="satisfied") -> Case:
    """A concern taken through the whole loop: dispatched, answered, verified, closed, called back."""
    case = cases.register_case(
        acting_user=world.grid_worker,
        description=description,
        household=world.household1,
        resident=world.resident1,
        nature="complaint",
        category=Category.objects.get(code="C40"),
    )
    step = lambda user, name, **kw: cases.transition(  # noqa: E731
        acting_user=user, case=case, name=name, expected_version=Case.objects.get(pk=case.pk).version, **kw
    )
    step(world.grid_worker, "dispatch", organisation=world.renovation)
    step(world.handler, "accept")
    step(world.handler, "answer", note="已列入二期改造，4月安装。")
    step(world.grid_worker, "verify")
    step(world.grid_worker, "close")
    cases.record_feedback(
        acting_user=world.grid_worker,
        case=Case.objects.get(pk=case.pk),
        reporter=case.reporters.first(),
        contacted=True,
        rating=rating,
        note="" if rating != "unsatisfied" else "还没装",
    )
    return Case.objects.get(pk=case.pk)


def test_export_has_the_hotline_columns_masked_and_is_audited(world, login):
    client = english(login(world.community_admin))
    batch, _report = upload_and_check(
        client, area=world.grid1, data=xlsx_bytes([order("GD20260302001", nature="投诉")])
    )
    confirm(client, batch)
    ours = _closed_case(world)

    rows = _rows(_export(client))
    assert rows[0] == EXPORT_HEADERS
    assert rows[0][:5] == ["工单编号", "来电时间", "诉求人", "联系电话", "诉求内容"]
    by_number = _by_number(rows)
    assert set(by_number) == {"GD20260302001", ours.reference}

    imported = by_number["GD20260302001"]
    assert imported["来电时间"] == "2026-03-02 09:15"
    assert imported["诉求人"] == "王女士"
    assert imported["联系电话"] == "139****5678"
    assert imported["诉求内容"] == "3号楼下水道堵了，污水返到一楼"
    assert imported["诉求类型"] == "投诉"
    assert imported["问题分类"].startswith("排水")
    assert imported["诉求地址"] == "热电小区3号楼2单元"
    assert imported["所属网格"] == "第一网格"
    assert imported["办理时限"] == "2026-03-09 23:59"
    assert imported["办理状态"] == "待派单"
    assert imported["办理结果"] == imported["回访结果"] == ""

    mine = by_number[ours.reference]
    assert mine["诉求人"] == "王秀兰"
    assert mine["联系电话"] == "139****5678"
    assert mine["诉求类型"] == "投诉"
    assert mine["承办单位"] == "二道区旧改办"
    assert mine["办理状态"] == "已办结"
    assert mine["办理结果"] == "已列入二期改造，4月安装。"
    assert mine["回访结果"] == "满意"
    assert world.phone1 not in str(rows)

    event = AuditEvent.objects.get(action="hotline.export")
    assert event.actor == world.community_admin
    assert event.changes["rows"] == 2
    assert event.changes["unmasked_phone"] is False
    assert event.reason == ""


def test_full_phone_numbers_need_the_capability_and_a_reason(world, login):
    _closed_case(world)
    client = english(login(world.grid_leader))
    response = _export(client, full_phone="on", reason="")
    assert response.status_code == 200
    assert "Say why the export needs full phone numbers." in response.content.decode()
    assert not AuditEvent.objects.filter(action="hotline.export").exists()

    rows = _rows(_export(client, full_phone="on", reason="12345平台要求回访核实"))
    assert rows[1][3] == world.phone1
    event = AuditEvent.objects.get(action="hotline.export")
    assert event.changes["unmasked_phone"] is True
    assert event.reason == "12345平台要求回访核实"


def test_filters_by_period_status_area_and_channel(world, login):
    closed = _closed_case(world)
    open_case = cases.register_case(
        acting_user=world.grid_worker2, description="7号楼漏水", building=world.building2
    )
    Case.objects.filter(pk=open_case.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    client = english(login(world.community_admin))
    numbers = lambda **data: set(_by_number(_rows(_export(client, **data))))  # noqa: E731

    assert numbers() == {closed.reference, open_case.reference}
    assert numbers(status="open") == {open_case.reference}
    assert numbers(status="closed") == {closed.reference}
    old = (timezone.localdate() - datetime.timedelta(days=45)).isoformat()
    month_ago = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert numbers(date_from=old, date_to=month_ago) == {open_case.reference}
    assert numbers(area=world.grid2.pk) == {open_case.reference}
    assert numbers(hotline_only="on") == set()
    # An area outside the user's scope is not a choice.
    response = _export(client, area=world.grid3.pk)
    assert "Choose an area of yours." in response.content.decode()
    response = _export(client, date_from="2026-03-10", date_to="2026-03-01")
    assert "The period ends before it starts." in response.content.decode()
    # Another community's admin exports none of these.
    other = english(login(world.other_admin))
    assert set(_by_number(_rows(_export(other)))) == set()


def test_a_reopened_case_has_no_result_until_answered_again(world, login):
    case = _closed_case(world, rating="unsatisfied")
    assert case.status == "registered"
    row = _by_number(_rows(_export(english(login(world.community_admin)))))[case.reference]
    assert row["办理结果"] == ""
    assert row["办理状态"] == "待派单"


def test_the_export_runs_a_constant_number_of_queries(world, login):
    client = login(world.community_admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _rows(_export(client))
        return len(ctx.captured_queries)

    _closed_case(world)
    one = count()
    for i in range(49):
        case = cases.register_case(
            acting_user=world.grid_worker,
            description=f"第{i}件",
            household=world.household1,
            reporter_name=f"居民{i}",
            reporter_phone=f"1380000{i:04d}",
        )
        cases.transition(
            acting_user=world.grid_worker,
            case=case,
            name="resolve_on_spot",
            expected_version=1,
            note=f"已处理{i}",
        )
    assert Case.objects.count() == 50
    assert count() == one


def test_formulas_are_never_written(world, login):
    cases.register_case(
        acting_user=world.grid_worker, description='=HYPERLINK("http://x","点")', building=world.building1
    )
    response = _export(login(world.community_admin))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    assert _rows(response)[1][4] == '\'=HYPERLINK("http://x","点")'


@pytest.mark.parametrize("masked", [True, False])
def test_an_export_re_imports_without_creating_anything(world, login, masked):
    client = english(login(world.community_admin))
    batch, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes([order("GD9")]))
    confirm(client, batch)
    ours = _closed_case(world)
    data = {} if masked else {"full_phone": "on", "reason": "迁移"}
    exported = _export(client, **data).content
    before = Case.objects.count()
    batch, report = upload_and_check(client, area=world.grid1, data=exported, name="export.xlsx")
    assert batch.bad_row_count == 0
    assert batch.report["counts"]["new"] == 0
    assert {e["code"] for e in batch.report["skipped"]} == {"already_imported", "own_case"}
    assert f"This is Minqing case {ours.reference}, not a new work order: skipped." in report.content.decode()
    confirm(client, batch)
    assert Case.objects.count() == before
