"""The import as a cadre uses it, through HTTP: upload → columns → dry run → confirm."""

from django.db import connection
from django.utils import timezone

from minqing.cases.models import Case, Channel, Reporter, Status
from minqing.core.errors import InvalidInput
from minqing.core.models import AuditEvent
from minqing.directory.models import Category
from minqing.hotline import actions
from minqing.hotline.models import BatchStatus, WorkOrder, WorkOrderImport

from .orders import codes, confirm, english, order, upload_and_check, xlsx_bytes

GOOD = [
    order("GD20260302001"),
    order(
        "GD20260302002",
        "7号楼门口路灯不亮",
        name="李先生",
        phone="0431-88886666",
        nature="投诉",
        category="路灯不亮",
        address="热电小区7栋",
        deadline="2026-03-10 18:00",
    ),
    order("GD20260302003", "咨询养老保险资格认证怎么办", nature="咨询", category="", address="", phone=""),
]


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (fixed names)
        return cursor.fetchone()[0]


def _hotline_cases():
    return Case.objects.filter(channel=Channel.HOTLINE).order_by("external_reference")


def test_work_orders_become_cases_on_their_buildings(world, login):
    client = english(login(world.community_admin))
    batch, report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(GOOD))
    assert batch.status == BatchStatus.VALIDATED
    assert batch.bad_row_count == 0
    assert batch.report["counts"] == {
        "new": 3,
        "skipped": 0,
        "on_buildings": 2,
        "dispatch": 0,
        "masked_phones": 0,
    }
    page = report.content.decode()
    assert "Every row is correct. Nothing has been saved yet." in page
    assert not Case.objects.exists()  # the dry run saves nothing
    # The payload waits encrypted: the caller's phone is not in the database in clear.
    assert world.phone1 not in _raw("hotline_workorderimport", "payload", batch.pk)

    page = confirm(client, batch).content.decode()
    assert batch.status == BatchStatus.APPLIED
    assert (batch.created_count, batch.skipped_count, batch.dispatched_count) == (3, 0, 0)
    assert batch.payload == ""
    assert "3 cases created from 12345 work orders" in page

    first, second, third = _hotline_cases()
    assert first.external_reference == "GD20260302001"
    assert (first.building, first.area) == (world.building1, world.grid1)
    assert first.status == Status.REGISTERED
    assert first.nature == "help"
    assert first.category.code == "C23"
    assert first.address == "热电小区3号楼2单元"
    assert first.registered_by is None
    # "7栋" is 7号楼, a building of grid 2 of the same community: the case goes there.
    assert (second.building, second.area) == (world.building2, world.grid2)
    assert (second.nature, second.category.code) == ("complaint", "C19")
    # No address, no category: the chosen grid, for staff to route.
    assert (third.building, third.area, third.category) == (None, world.grid1, None)
    assert third.nature == "enquiry"

    reporter = Reporter.objects.get(case=first)
    assert (reporter.name, reporter.phone, reporter.wants_news) == ("王女士", world.phone1, False)
    assert world.phone1 not in _raw("cases_reporter", "phone", reporter.pk)
    assert Reporter.objects.get(case=second).phone == "043188886666"
    assert Reporter.objects.get(case=third).phone == ""

    work_order = WorkOrder.objects.get(case=first)
    received = timezone.localtime(work_order.received_at)
    assert (received.date().isoformat(), received.hour, received.minute) == ("2026-03-02", 9, 15)
    assert timezone.localtime(work_order.due_at).isoformat().startswith("2026-03-09T23:59:59")
    assert first.external_due_at == work_order.due_at
    assert work_order.batch == batch
    assert timezone.localtime(second.external_due_at).hour == 18

    event = AuditEvent.objects.get(action="cases.case.register", target_id=str(first.pk))
    assert event.reason == "12345: 工单.xlsx"
    assert event.actor == world.community_admin
    assert AuditEvent.objects.filter(action="hotline.import", target_id=str(batch.pk)).count() == 1


def test_an_imported_case_is_in_the_staff_case_list_as_a_12345_case(world, login):
    client = english(login(world.community_admin))
    batch, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(GOOD[:1]))
    confirm(client, batch)
    case = Case.objects.get(external_reference="GD20260302001")
    worker = english(login(world.grid_worker))
    listing = worker.get("/cases/")
    assert case in list(listing.context["page"])
    assert worker.get("/cases/?status=registered").context["page"].object_list[0] == case
    detail = worker.get(f"/cases/{case.pk}/").content.decode()
    assert "12345 hotline" in detail
    assert case.get_channel_display() == "12345 hotline"


def test_the_dry_run_reports_bad_rows_in_the_users_language_and_saves_nothing(world, login):
    client = english(login(world.community_admin))
    rows = [
        order("GD1"),
        order("GD2", phone="1391234"),
        order("GD3", category="Qwerty"),
        order("", "没有编号"),
        order("GD1", "同一个编号又来了"),
        order("GD6", nature="催办"),
        order("GD7", deadline="下周一"),
        order("GD8", ""),
        order("GD9", received="2099-01-01 10:00"),
        order("GD10", phone="139****5678"),  # withheld by the platform: not a problem
    ]
    batch, report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(rows))
    assert codes(batch) == {
        2: {"repeated_later"},
        3: {"bad_phone"},
        4: {"unknown_category"},
        5: {"missing_number"},
        6: {"duplicate_in_file"},
        7: {"unknown_nature"},
        8: {"bad_deadline"},
        9: {"missing_description"},
        10: {"future_received_at"},
    }
    assert batch.report["counts"]["masked_phones"] == 1
    assert not batch.can_apply
    page = report.content.decode()
    for text in (
        "9 rows have problems.",
        "The same work order number appears again in row 6 of this file.",
        "The same work order number is already in row 2 of this file.",
        "Phone: enter an 11-digit mobile number",
        "no category matches “Qwerty”",
        "The work order number (工单编号) is missing.",
        "“催办” is not understood",
        "Time limit (办理时限): not a date that can be read.",
        "The request (诉求内容) is empty.",
        "it is in the future",
    ):
        assert text in page, text
    assert 'id="row-3"' in page
    # The report outlives the rows: it holds no caller's name or phone.
    assert "王女士" not in str(batch.report)
    assert "1391234" not in str(batch.report)
    assert f"/hotline/import/{batch.pk}/confirm/" not in page  # no button to import

    response = client.post(f"/hotline/import/{batch.pk}/confirm/", follow=True)
    assert "Correct the rows with problems" in response.content.decode()
    assert not Case.objects.exists()
    assert not WorkOrder.objects.exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED


def test_one_failing_row_saves_nothing(world, login, monkeypatch):
    """All or nothing: the third case fails while being created; the first two are rolled back with it."""
    client = english(login(world.community_admin))
    batch, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(GOOD))
    real = actions.intake_case
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["external_reference"])
        if len(calls) == 3:
            raise InvalidInput("Simulated refusal.")
        return real(**kwargs)

    monkeypatch.setattr(actions, "intake_case", failing)
    page = confirm(client, batch).content.decode()
    assert "Row 4 could not be saved: Simulated refusal. Nothing was saved." in page
    assert len(calls) == 3
    assert not Case.objects.exists()
    assert not Reporter.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.case.register").exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert batch.payload  # still there to try again


def test_importing_the_same_file_twice_changes_nothing(world, login):
    client = english(login(world.community_admin))
    data = xlsx_bytes(GOOD)
    first, _report = upload_and_check(client, area=world.grid1, data=data)
    confirm(client, first)
    before = list(Case.objects.values_list("pk", "version", "status", "description", "area_id"))
    events = AuditEvent.objects.count()

    second, report = upload_and_check(client, area=world.grid1, data=data, name="工单-再次.xlsx")
    assert second.bad_row_count == 0
    assert second.report["counts"]["new"] == 0
    assert second.report["counts"]["skipped"] == 3
    page = report.content.decode()
    assert "Every work order in this file was imported before" in page
    case = Case.objects.get(external_reference="GD20260302001")
    assert f"Already imported as case {case.reference}: skipped." in page
    assert second.can_apply

    page = confirm(client, second).content.decode()
    assert second.status == BatchStatus.APPLIED
    assert (second.created_count, second.skipped_count) == (0, 3)
    assert (
        "0 cases created from 12345 work orders (0 dispatched); 3 work orders were already imported" in page
    )
    assert list(Case.objects.values_list("pk", "version", "status", "description", "area_id")) == before
    assert WorkOrder.objects.count() == 3
    # Only the upload's own steps were recorded.
    assert {e.action for e in AuditEvent.objects.order_by("id")[events:]} == {
        "hotline.import.upload",
        "hotline.import.check",
        "hotline.import",
    }

    # A later file with one new work order among the old ones adds just that one.
    third, _report = upload_and_check(
        client, area=world.grid1, data=xlsx_bytes([*GOOD, order("GD20260303009", "楼道灯坏了")])
    )
    assert (third.report["counts"]["new"], third.report["counts"]["skipped"]) == (1, 3)
    confirm(client, third)
    assert _hotline_cases().count() == 4


def test_a_work_order_imported_between_dry_run_and_confirm_is_skipped(world, login):
    client = english(login(world.community_admin))
    batch, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(GOOD))
    # Someone else imports one of them meanwhile.
    other, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(GOOD[:1]), name="b.xlsx")
    confirm(client, other)
    confirm(client, batch)
    assert (batch.created_count, batch.skipped_count) == (2, 1)
    assert _hotline_cases().count() == 3


def test_the_unique_number_is_the_last_guard(world, login, monkeypatch):
    """Two imports racing past the check: the database refuses the second number, and nothing is saved."""
    client = english(login(world.community_admin))
    batch, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(GOOD))
    other, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(GOOD[1:2]), name="b.xlsx")
    confirm(client, other)
    from minqing.hotline import validation

    monkeypatch.setattr(validation._Checker, "_known", lambda self, numbers: ({}, {}))
    page = confirm(client, batch).content.decode()
    assert "imported by someone else at the same moment. Nothing was saved." in page
    assert _hotline_cases().count() == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED


def test_a_problem_that_appears_after_the_dry_run_stops_the_import(world, login):
    """The save re-checks every row: a category retired since the dry run stops everything."""
    client = english(login(world.community_admin))
    rows = [order("GD1"), order("GD2", "路灯不亮", category="C19")]
    batch, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(rows))
    assert batch.bad_row_count == 0
    Category.objects.filter(code="C19").update(active=False)
    page = confirm(client, batch).content.decode()
    assert "Something changed since the dry run: 1 rows now have problems" in page
    assert not Case.objects.exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert codes(batch) == {3: {"unknown_category"}}
    assert "no category matches “C19”" in page


def test_dispatching_to_the_handling_unit_named_in_the_file(world, login):
    client = english(login(world.community_admin))
    rows = [
        order("GD1", unit="热电物业公司"),
        order("GD2", "7号楼改造什么时候开始", address="7号楼", unit="旧改办"),
        order("GD3", unit=""),
    ]
    batch, report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(rows), dispatch=True)
    assert batch.bad_row_count == 0
    assert batch.report["counts"]["dispatch"] == 2
    page = report.content.decode()
    assert "二道区旧改办" in page
    assert "热电物业公司" in page
    confirm(client, batch)
    assert batch.dispatched_count == 2
    one, two, three = _hotline_cases()
    assert (one.status, one.organisation) == (Status.DISPATCHED, world.property)
    assert (two.status, two.organisation, two.area) == (Status.DISPATCHED, world.renovation, world.grid2)
    assert (three.status, three.organisation) == (Status.REGISTERED, None)
    assert one.due_at is not None  # the accept clock runs
    event = AuditEvent.objects.get(action="cases.case.dispatch", target_id=str(one.pk))
    assert event.actor == world.community_admin
    assert "GD1" in event.reason


def test_dispatch_refuses_unknown_handling_units_and_needs_the_column(world, login):
    client = english(login(world.community_admin))
    rows = [order("GD1", unit="不存在的单位"), order("GD2", unit="阙里社区居委会")]
    batch, report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(rows), dispatch=True)
    assert codes(batch) == {2: {"unknown_organisation"}, 3: {"unknown_organisation"}}
    assert "none of your organisations is called “不存在的单位”" in report.content.decode()
    # Without the option the column is not used, and nothing is wrong.
    batch, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(rows))
    assert batch.bad_row_count == 0
    # With the option, the column must be mapped.
    from .orders import accept_guessed_columns, upload

    upload(client, area=world.grid1, data=xlsx_bytes(rows), dispatch=True)
    batch = WorkOrderImport.objects.latest("id")
    response = accept_guessed_columns(client, batch, col_9="")
    assert response.status_code == 200
    assert "Choose the columns that hold: Handling unit." in response.content.decode()


def test_csv_in_gb18030_imports_too(world, login):
    from .orders import csv_bytes

    client = english(login(world.grid_leader))
    batch, _report = upload_and_check(
        client, area=world.grid1, data=csv_bytes(GOOD, encoding="gb18030"), name="工单.csv"
    )
    assert batch.bad_row_count == 0
    confirm(client, batch)
    assert _hotline_cases().count() == 3


def test_discarding_deletes_the_rows(world, login):
    client = english(login(world.community_admin))
    batch, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(GOOD))
    response = client.post(f"/hotline/import/{batch.pk}/discard/", follow=True)
    assert "The upload was discarded and its rows deleted." in response.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.payload) == (BatchStatus.DISCARDED, "")
    assert client.post(f"/hotline/import/{batch.pk}/confirm/", follow=True).status_code == 200
    assert not Case.objects.exists()


def test_unfinished_uploads_expire(world, login):
    import datetime

    from django.core.management import call_command

    client = english(login(world.community_admin))
    batch, _report = upload_and_check(client, area=world.grid1, data=xlsx_bytes(GOOD))
    WorkOrderImport.objects.filter(pk=batch.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    call_command("expire_hotline_uploads", "--hours", "48")
    batch.refresh_from_db()
    assert (batch.status, batch.payload) == (BatchStatus.DISCARDED, "")
