"""Writing cases as a 12345 work order sheet, with the columns the platforms use (columns.EXPORT_HEADERS), so
that the sheet can be sent back to the hotline and re-imported here without creating anything.

Cells are escaped against formula injection by the ledger export's own `escape`.
"""

import io

from django.utils import timezone

from minqing.cases.models import Case
from minqing.core.identity import mask_phone
from minqing.registry_io.exporting import escape

from .columns import EXPORT_HEADERS, NATURE_LABELS, RATING_LABELS, STATUS_LABELS

CONFIDENTIAL = "（保密）"


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def case_row(case: Case, *, answer: str, full_phone: bool) -> list[str]:
    """One work order. The number is the 12345 one when the case came from the hotline, else our reference;
    the caller is the first reporter (a confidential name stays confidential in a file that leaves the
    system); the result is the answer the reporter reads; the phone is masked unless `full_phone`."""
    work_order = getattr(case, "work_order", None)
    reporters = list(case.reporters.all())  # prefetched, first reporter first
    reporter = reporters[0] if reporters else None
    phone = reporter.contact_phone if reporter else ""
    status = STATUS_LABELS.get(case.status, "")
    if case.merged_into_id:
        status = f"{status}（并入{case.merged_into.reference}）"
    row = [
        case.external_reference or case.reference,
        _moment(work_order.received_at if work_order and work_order.received_at else case.created_at),
        "" if reporter is None else CONFIDENTIAL if reporter.confidential else str(reporter),
        phone if full_phone else mask_phone(phone),
        case.description,
        NATURE_LABELS.get(case.nature, ""),
        case.category.name if case.category_id else "",
        case.address or (case.building.name if case.building_id else ""),
        case.area.name,
        case.organisation.name if case.organisation_id else "",
        _moment(
            work_order.due_at
            if work_order and work_order.due_at
            else case.finish_due_at or case.external_due_at
        ),
        status,
        answer,
        RATING_LABELS.get(case.rating, ""),
    ]
    return [escape(value) for value in row]


def to_xlsx(rows) -> bytes:
    """Text cells only: never a formula, and long work order numbers keep every digit."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("12345工单")
    sheet.append(EXPORT_HEADERS)
    for row in rows:
        cells = []
        for value in row:
            if not value:
                cells.append(None)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
