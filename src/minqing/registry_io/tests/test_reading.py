"""Reading files: encodings, header rows, and the refusals (type, size, rows, empty) with clear messages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from minqing.registry_io.columns import guess_mapping, normalise_header, parse_date
from minqing.registry_io.models import ImportBatch
from minqing.registry_io.reading import MAX_ROWS, LedgerUnreadable, read_ledger

from .ledgers import csv_bytes, english, upload, xlsx_bytes


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["姓名", "身份证号", "联系电话", "楼栋", "单元", "门牌号"],
            ["name", "id_number", "phone", "building", "unit", "room"],
        ),
        (
            ["名字", "证件号码", "手机", "楼栋号", "单元号", "房间号"],
            ["name", "id_number", "phone", "building", "unit", "room"],
        ),
        (
            ["居民姓名", "公民身份号码", "电话", "楼号", "单元", "室"],
            ["name", "id_number", "phone", "building", "unit", "room"],
        ),
        (
            ["* 姓名", "身份证号码（18位）", "联系电话(手机)", "楼栋", "与户主关系", "人口类型"],
            ["name", "id_number", "phone", "building", "relation", "residence_type"],
        ),
        (["户籍类型", "居住类型"], ["residence_type", None]),  # each column at most once
        (
            ["序号", "户主关系", "出生日期", "网格", "备注", "性别"],
            [None, "relation", "birth_date", "grid", "note", "sex"],
        ),
        (
            ["Name", "ID number", "Phone", "Building", "Unit", "Room"],
            ["name", "id_number", "phone", "building", "unit", "room"],
        ),
    ],
)
def test_headers_communities_use_are_recognised(headers, expected):
    mapping = guess_mapping(headers)
    by_index = {index: key for key, index in mapping.items()}
    assert [by_index.get(i) for i in range(len(headers))] == expected


def test_normalise_header():
    assert normalise_header(" *联系电话（手机） ") == "联系电话"
    assert normalise_header("ＩＤ Number") == "idnumber"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1950-03-07", "1950-03-07"),
        ("1950/3/7", "1950-03-07"),
        ("1950.3.7", "1950-03-07"),
        ("1950年3月7日", "1950-03-07"),
        ("19500307", "1950-03-07"),
        ("1950-03-07 00:00:00", "1950-03-07"),
        ("1950-02-30", None),
        ("三月", None),
    ],
)
def test_dates(text, iso):
    value = parse_date(text)
    assert (value.isoformat() if value else None) == iso


def test_csv_in_gb18030_with_a_title_row_and_tabs():
    text = "热电社区台账\n姓名\t楼栋\t门牌号\n张三\t3号楼\t301\n\n李四\t3号楼\t302\n"
    ledger = read_ledger("a.csv", text.encode("gb18030"))
    assert ledger.headers == ["姓名", "楼栋", "门牌号"]
    assert ledger.rows == [(3, ["张三", "3号楼", "301"]), (5, ["李四", "3号楼", "302"])]


def test_excel_unicode_text_is_read():
    text = "姓名\t楼栋\t门牌号\r\n张三\t3号楼\t301\r\n"
    ledger = read_ledger("a.csv", text.encode("utf-16"))
    assert ledger.rows == [(2, ["张三", "3号楼", "301"])]


def test_xlsx_reads_dates_numbers_and_the_first_sheet_only():
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "出生日期", "联系电话", "门牌号"])
    sheet.append(["张三", datetime.datetime(1950, 3, 7), 13800138000, 301.0])
    workbook.create_sheet("其他").append(["不读"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    ledger = read_ledger("a.xlsx", buffer.getvalue())
    assert ledger.rows == [(2, ["张三", "1950-03-07", "13800138000", "301"])]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.csv", b"", "The file is empty."),
        ("a.xlsx", b"", "The file is empty."),
        ("a.txt", b"x", "Upload an Excel file (.xlsx) or a CSV file (.csv)."),
        ("a.xls", b"\xd0\xcf\x11\xe0", "Old Excel files (.xls) cannot be read."),
        ("a.xlsx", b"not a zip", "This is not an Excel workbook (.xlsx)"),
        ("a.csv", b"PK\x03\x04", "This file is an Excel workbook"),
        ("a.csv", "name,room".encode("utf-16-le"), "This is not a text CSV file"),
        ("a.csv", b"\x80\x80,\xff\xff", "neither UTF-8 nor GB18030"),
        ("a.csv", "姓名,楼栋\n".encode(), "a header row but no rows of people"),
        ("a.csv", b"\n\n", "The file has no rows."),
    ],
)
def test_refusals(name, data, message):
    with pytest.raises(LedgerUnreadable) as caught:
        read_ledger(name, data)
    assert message in str(caught.value.message)


def test_too_many_rows():
    rows = [["姓名", "楼栋", "门牌号"]] + [[f"人{i}", "3号楼", str(i)] for i in range(MAX_ROWS + 1)]
    with pytest.raises(LedgerUnreadable) as caught:
        read_ledger("a.csv", csv_bytes(rows))
    assert "more than 20,000 rows" in str(caught.value.message)
    rows.pop()
    assert len(read_ledger("a.csv", csv_bytes(rows)).rows) == MAX_ROWS


def test_formula_escape_is_undone_on_reading():
    ledger = read_ledger("a.csv", csv_bytes([["姓名", "备注"], ["张三", "'=1+1"], ["李四", "'不是公式"]]))
    assert [cells for _n, cells in ledger.rows] == [["张三", "=1+1"], ["李四", "'不是公式"]]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.csv", b"a" * (5 * 1024 * 1024 + 1), "The file is larger than 5 MB."),
        ("empty.csv", b"", "The file is empty."),
        ("ledger.xls", b"\xd0\xcf\x11\xe0", "Old Excel files (.xls) cannot be read."),
        ("ledger.pdf", b"%PDF", "Upload an Excel file (.xlsx) or a CSV file (.csv)."),
        ("broken.xlsx", b"PK\x03\x04broken", "This is not an Excel workbook"),
        (
            "rows.csv",
            csv_bytes([["姓名", "楼栋", "门牌号"]] + [["x", "1", "1"]] * 20_001),
            "more than 20,000 rows",
        ),
    ],
)
def test_upload_page_says_why_a_file_is_refused(world, login, name, data, message):
    client = english(login(world.grid_leader))
    response = client.post(
        "/registry/import/", {"file": SimpleUploadedFile(name, data), "area": world.grid1.pk}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_mapping_page_masks_sample_numbers(world, login):
    client = english(login(world.grid_leader))
    data = xlsx_bytes([["姓名", "联系电话", "楼栋", "门牌号"], ["张三", "13800138000", "3号楼", "301"]])
    upload(client, area=world.grid1, data=data, name="a.xlsx")
    batch = ImportBatch.objects.get()
    body = client.get(f"/registry/import/{batch.pk}/columns/").content.decode()
    assert "138****8000" in body
    assert "13800138000" not in body
    assert 'value="phone" selected' in body
