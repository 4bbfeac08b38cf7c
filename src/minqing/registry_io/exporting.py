"""Writing residents as a ledger file with the import's own headers, so that an export re-imports.

Every text cell is protected against formula injection: a value a spreadsheet would run as a formula
(starting with = + - @, a tab or a carriage return) is written with a leading apostrophe.
"""

import csv
import io

from minqing.core.identity import mask_id_number, mask_phone

from .columns import EXPORT_HEADERS, RELATION_LABELS, RESIDENCE_LABELS, SEX_LABELS
from .reading import FORMULA_CHARS

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def escape(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_CHARS):
        return "'" + text
    return text


def resident_row(resident, *, full_phone: bool, full_id: bool, show_sensitive: bool) -> list[str]:
    household = resident.household
    tags = [
        t.tag_type.name
        for t in getattr(resident, "visible_tags", [])
        if show_sensitive or not t.tag_type.sensitive
    ]
    row = [
        resident.name,
        SEX_LABELS.get(resident.sex, ""),
        resident.id_number if full_id else mask_id_number(resident.id_number),
        resident.phone if full_phone else mask_phone(resident.phone),
        resident.birth_date.isoformat() if resident.birth_date else "",
        resident.area.name,
        household.building.name if household else "",
        household.unit.name if household and household.unit_id else "",
        household.room if household else "",
        RELATION_LABELS.get(resident.relation, ""),
        RESIDENCE_LABELS.get(resident.residence_type, ""),
        resident.note,
        "、".join(tags),
    ]
    return [escape(value) for value in row]


def to_csv(rows) -> bytes:
    """UTF-8 with a byte-order mark: without it, Excel on a Chinese Windows reads the file as GBK."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADERS)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows, *, sheet_title: str = "居民") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append(EXPORT_HEADERS)
    for row in rows:
        cells = []
        for value in row:
            if not value:
                cells.append(None)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, always: never a formula, and ID numbers keep all 18 digits
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
