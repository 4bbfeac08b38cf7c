"""Ledger files built in memory, and the import flow driven through HTTP as a cadre would click it."""

import csv
import datetime
import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from minqing.registry_io.models import ImportBatch
from tests.factories import make_id_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows, *, title: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def new_id(year: int, seq: int) -> str:
    return make_id_number(datetime.date(year, 2, 3), region="220102", seq=seq)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(client, *, area, data: bytes, name: str, create_buildings: bool = False):
    form = {"file": SimpleUploadedFile(name, data), "area": area.pk}
    if create_buildings:
        form["create_buildings"] = "on"
    return client.post("/registry/import/", form)


def accept_guessed_columns(client, batch: ImportBatch, **overrides):
    """Post the mapping page as shown (the guessed columns), with some selects changed."""
    page = client.get(f"/registry/import/{batch.pk}/columns/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].initial or "" for name in form.fields}
    data.update(overrides)
    return client.post(f"/registry/import/{batch.pk}/columns/", data)


def upload_and_check(client, *, area, data: bytes, name: str, create_buildings: bool = False):
    """Upload → mapping (guessed columns accepted) → dry run. Returns the batch and the report page."""
    response = upload(client, area=area, data=data, name=name, create_buildings=create_buildings)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("id")
    assert response["Location"] == f"/registry/import/{batch.pk}/columns/"
    response = accept_guessed_columns(client, batch)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == f"/registry/import/{batch.pk}/"
    report = client.get(f"/registry/import/{batch.pk}/")
    assert report.status_code == 200
    batch.refresh_from_db()
    return batch, report
