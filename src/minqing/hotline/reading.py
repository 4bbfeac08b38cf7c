"""Reading an uploaded work order file (.xlsx or .csv) into a header row and data rows of plain strings.

The file checks and the cell readers are the ledger import's (registry_io.reading: size, zip bombs, old .xls,
encodings, formula escapes). Only the search for the header row is our own, because it must score headers
against the work order columns: scored against the ledger's columns, a work order row whose request
mentions 电话 and whose address has 单元 would pass for a header.
"""

from django.utils.translation import gettext as _

from minqing.registry_io.reading import (
    HEADER_SEARCH_ROWS,
    MAX_BYTES,
    Ledger,
    LedgerUnreadable,
    csv_rows,
    xlsx_rows,
)

from .columns import header_score

MAX_ROWS = 5_000  # each work order becomes a case, one by one, in one transaction


def read_work_orders(file_name: str, data: bytes) -> Ledger:
    name = file_name.lower()
    if not data:
        raise LedgerUnreadable(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise LedgerUnreadable(_("The file is larger than 5 MB. Split it into several files."))
    if name.endswith(".xls"):
        raise LedgerUnreadable(
            _(
                "Old Excel files (.xls) cannot be read. In Excel choose “Save as” → “Excel workbook (.xlsx)”, "
                "then upload that file."
            )
        )
    if name.endswith(".xlsx"):
        raw_rows = xlsx_rows(data)
    elif name.endswith(".csv"):
        raw_rows = csv_rows(data)
    else:
        raise LedgerUnreadable(_("Upload an Excel file (.xlsx) or a CSV file (.csv)."))
    return _to_ledger(raw_rows)


def _to_ledger(raw_rows) -> Ledger:
    """The header is the first row naming two work order columns among the first non-blank rows (platform
    exports often start with a title row); failing that, the first non-blank row. Blank rows are dropped."""
    filled = [(number, cells) for number, cells in raw_rows if any(cells)]
    if not filled:
        raise LedgerUnreadable(_("The file has no rows."))
    head = next(
        (i for i, (_n, cells) in enumerate(filled[:HEADER_SEARCH_ROWS]) if header_score(cells) >= 2), 0
    )
    headers, rows = filled[head][1], filled[head + 1 :]
    if not rows:
        raise LedgerUnreadable(_("The file has a header row but no work orders below it."))
    if len(rows) > MAX_ROWS:
        raise LedgerUnreadable(
            _("The file has more than %(max)s work orders. Split it into several files.")
            % {"max": f"{MAX_ROWS:,}"}
        )
    width = max(len(headers), *(len(c) for _n, c in rows))
    headers = [*headers, *[""] * (width - len(headers))]
    rows = [(n, [*c, *[""] * (width - len(c))]) for n, c in rows]
    return Ledger(headers=headers, rows=rows)
