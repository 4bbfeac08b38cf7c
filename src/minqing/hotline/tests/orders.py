"""12345 work order files built in memory, and the import driven through HTTP as a cadre would click it."""

import csv
import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from minqing.hotline.models import WorkOrderImport

# Headers as one platform writes them: synonyms rather than the export's spelling, plus a serial number.
HEADERS = [
    "序号",
    "工单号",
    "受理时间",
    "来电人",
    "电话",
    "问题描述",
    "诉求类型",
    "问题分类",
    "事发地址",
    "承办单位",
    "办结时限",
    "办理结果",
    "回访结果",
]


def order(number, description="3号楼下水道堵了，污水返到一楼", **cells):
    """One row under HEADERS; keyword arguments by column: received, name, phone, nature, category,
    address, unit, deadline."""
    return [
        "1",
        number,
        cells.get("received", "2026-03-02 09:15"),
        cells.get("name", "王女士"),
        cells.get("phone", "13912345678"),
        description,
        cells.get("nature", "求助"),
        cells.get("category", "排水/下水道堵塞/化粪池"),
        cells.get("address", "热电小区3号楼2单元"),
        cells.get("unit", ""),
        cells.get("deadline", "2026-03-09"),
        "",
        "",
    ]


def xlsx_bytes(rows, *, headers=HEADERS, title: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, headers=HEADERS, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return buffer.getvalue().encode(encoding)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(client, *, area, data: bytes, name: str = "工单.xlsx", dispatch: bool = False):
    form = {"file": SimpleUploadedFile(name, data), "area": area.pk}
    if dispatch:
        form["dispatch"] = "on"
    return client.post("/hotline/import/", form)


def accept_guessed_columns(client, batch: WorkOrderImport, **overrides):
    """Post the mapping page as shown (the guessed columns), with some selects changed."""
    page = client.get(f"/hotline/import/{batch.pk}/columns/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].initial or "" for name in form.fields}
    data.update(overrides)
    return client.post(f"/hotline/import/{batch.pk}/columns/", data)


def upload_and_check(client, *, area, data: bytes, name: str = "工单.xlsx", dispatch: bool = False):
    """Upload → mapping (guessed columns accepted) → dry run. Returns the upload and the report page."""
    response = upload(client, area=area, data=data, name=name, dispatch=dispatch)
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = WorkOrderImport.objects.latest("id")
    assert response["Location"] == f"/hotline/import/{batch.pk}/columns/"
    response = accept_guessed_columns(client, batch)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == f"/hotline/import/{batch.pk}/"
    report = client.get(f"/hotline/import/{batch.pk}/")
    assert report.status_code == 200
    batch.refresh_from_db()
    return batch, report


def confirm(client, batch: WorkOrderImport):
    response = client.post(f"/hotline/import/{batch.pk}/confirm/")
    assert response.status_code == 302
    batch.refresh_from_db()
    return client.get(response["Location"])


def codes(batch: WorkOrderImport) -> dict[int, set[str]]:
    return {e["row"]: {p["code"] for p in e["problems"]} for e in batch.report["bad_rows"]}
