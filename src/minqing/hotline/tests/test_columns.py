"""Column names, values and the header row, as 12345 platforms write them."""

import datetime

import pytest
from django.utils import timezone

from minqing.hotline.columns import (
    EXPORT_HEADERS,
    guess_mapping,
    parse_moment,
    parse_nature,
    place_key,
)
from minqing.hotline.reading import read_work_orders
from minqing.registry_io.reading import LedgerUnreadable

from .orders import HEADERS, csv_bytes, order, xlsx_bytes


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("工单编号", "number"),
        ("工单号", "number"),
        ("* 工单编号", "number"),
        ("来电时间", "received_at"),
        ("受理时间", "received_at"),
        ("诉求人", "reporter_name"),
        ("来电人", "reporter_name"),
        ("联系人", "reporter_name"),
        ("联系电话", "phone"),
        ("电话", "phone"),
        ("联系电话（手机）", "phone"),
        ("诉求内容", "description"),
        ("问题描述", "description"),
        ("诉求类型", "nature"),
        ("问题分类", "category"),
        ("承办单位", "organisation"),
        ("办理时限", "deadline"),
        ("诉求地址", "address"),
    ],
)
def test_header_synonyms(header, key):
    assert guess_mapping(["序号", header]) == {key: 1}


def test_the_platform_headers_map_and_the_result_columns_are_not_imported():
    mapping = guess_mapping(HEADERS)
    assert mapping == {
        "number": 1,
        "received_at": 2,
        "reporter_name": 3,
        "phone": 4,
        "description": 5,
        "nature": 6,
        "category": 7,
        "address": 8,
        "organisation": 9,
        "deadline": 10,
    }
    # The export's own headers map to the same fields: an export re-imports.
    exported = guess_mapping(EXPORT_HEADERS)
    assert set(exported) == set(mapping)
    assert "result" not in guess_mapping(EXPORT_HEADERS)
    assert "feedback" not in exported


def test_header_row_is_found_below_a_title_and_never_among_work_orders():
    data = xlsx_bytes([order("GD001")], title="二道区12345工单明细 2026年3月")
    ledger = read_work_orders("a.xlsx", data)
    assert ledger.headers[:3] == ["序号", "工单号", "受理时间"]
    assert [n for n, _c in ledger.rows] == [3]
    # A work order whose request says 电话 and whose address has 单元 is a row, not the header.
    rows = [order("GD001", "电话打不通，楼栋单元门坏了", address="3号楼2单元")]
    ledger = read_work_orders("a.csv", csv_bytes(rows))
    assert ledger.headers == HEADERS
    assert len(ledger.rows) == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.xlsx", b"", "The file is empty."),
        ("a.xls", b"\xd0\xcf\x11\xe0", "Old Excel files (.xls) cannot be read."),
        ("a.pdf", b"%PDF", "Upload an Excel file (.xlsx) or a CSV file (.csv)."),
        ("a.csv", "工单编号,诉求内容\n".encode(), "no work orders below it"),
    ],
)
def test_unreadable_files_say_what_to_do(name, data, message):
    with pytest.raises(LedgerUnreadable) as error:
        read_work_orders(name, data)
    assert message in str(error.value.message)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("咨询", "enquiry"),
        ("求助", "help"),
        ("求决", "help"),
        ("投诉", "complaint"),
        ("投诉类", "complaint"),
        ("投诉举报", "complaint"),
        ("举报", "report"),
        ("建议", "suggestion"),
        ("意见建议", "suggestion"),
        ("表扬", "praise"),
        ("", ""),
        ("催办", None),
    ],
)
def test_nature_values(value, code):
    assert parse_nature(value) == code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02 09:15", (2026, 3, 2, 9, 15, 0)),
        ("2026-03-02 09:15:30", (2026, 3, 2, 9, 15, 30)),
        ("2026/3/2 9:15", (2026, 3, 2, 9, 15, 0)),
        ("2026年3月2日 9时15分", (2026, 3, 2, 9, 15, 0)),
        ("2026年3月2日9点", (2026, 3, 2, 9, 0, 0)),
        ("2026-03-02T09:15:00", (2026, 3, 2, 9, 15, 0)),
        ("2026-03-02", (2026, 3, 2, 0, 0, 0)),
        ("２０２６－０３－０２", (2026, 3, 2, 0, 0, 0)),
    ],
)
def test_moments(value, expected):
    moment = parse_moment(value)
    assert timezone.localtime(moment).timetuple()[:6] == expected


def test_a_time_limit_given_as_a_date_is_the_end_of_that_day():
    moment = timezone.localtime(parse_moment("2026-03-09", end_of_day=True))
    assert (moment.date(), moment.time()) == (datetime.date(2026, 3, 9), datetime.time(23, 59, 59))
    assert timezone.localtime(parse_moment("2026-03-09 18:00", end_of_day=True)).hour == 18
    for bad in ("下周一", "2026-13-01", "2026-03-02 25:00", "3月2日"):
        assert parse_moment(bad) is None, bad


def test_building_names_compare_alike():
    assert place_key("热电小区 3栋2单元") == "热电小区3号楼2单元"
    assert place_key("３幢") == place_key("3#楼") == "3号楼"
