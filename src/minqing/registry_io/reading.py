"""Reading an uploaded ledger (.xlsx or .csv) into a header row and data rows of plain strings.

Every refusal is an InvalidInput whose message says what to do about it.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from minqing.core.errors import InvalidInput

from .columns import header_score

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
# A 5 MB .xlsx is compressed XML; refuse archives that would unpack to more than this (zip bombs).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Physical rows looked at, blank ones included, before giving up on a sheet.
MAX_SCANNED_ROWS = 200_000
HEADER_SEARCH_ROWS = 10
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


class LedgerUnreadable(InvalidInput):
    pass


@dataclass
class Ledger:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)


def read_ledger(file_name: str, data: bytes) -> Ledger:
    name = file_name.lower()
    if not data:
        raise LedgerUnreadable(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise LedgerUnreadable(
            _("The file is larger than 5 MB. Split the ledger into several files and import them one by one.")
        )
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
    """Find the header row (ledgers often start with a title row), then keep the non-blank rows below it."""
    header_number, headers = None, None
    candidates = []
    rows: list[tuple[int, list[str]]] = []
    for number, cells in raw_rows:
        if header_number is None:
            if not any(cells):
                continue
            candidates.append((number, cells))
            if header_score(cells) >= 2:
                header_number, headers = number, cells
                rows = [(n, c) for n, c in candidates if n > number]
            elif len(candidates) >= HEADER_SEARCH_ROWS:
                header_number, headers = candidates[0]
                rows = candidates[1:]
            continue
        if not any(cells):
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise LedgerUnreadable(
                _("The file has more than %(max)s rows. Split it into several files.")
                % {"max": f"{MAX_ROWS:,}"}
            )
    if header_number is None:
        if not candidates:
            raise LedgerUnreadable(_("The file has no rows."))
        header_number, headers = candidates[0]
        rows = candidates[1:]
    if not rows:
        raise LedgerUnreadable(_("The file has a header row but no rows of people below it."))
    width = max(len(headers), *(len(c) for _n, c in rows))
    headers = [*headers, *[""] * (width - len(headers))]
    rows = [(n, [*c, *[""] * (width - len(c))]) for n, c in rows]
    return Ledger(headers=headers, rows=rows)


def _trim(cells: list[str]) -> list[str]:
    cells = cells[:MAX_COLUMNS]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _unescape(text: str) -> str:
    """Undo the export's protection against formulas ("'=…" back to "=…"), so an export re-imports."""
    text = text.strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_CHARS:
        return text[1:]
    return text


# --- Excel ----------------------------------------------------------------------------------------------


def xlsx_rows(data: bytes):
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise LedgerUnreadable(_("This Excel file is too large once unpacked."))
    except zipfile.BadZipFile:
        raise LedgerUnreadable(
            _(
                "This is not an Excel workbook (.xlsx), or the file is damaged. Open it in Excel and save it again."
            )
        ) from None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for damaged or foreign files
        raise LedgerUnreadable(
            _("This Excel file could not be read. Open it in Excel, save it again as .xlsx and upload it.")
        ) from None
    try:
        if not workbook.worksheets:
            raise LedgerUnreadable(_("The workbook has no sheets."))
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if number > MAX_SCANNED_ROWS:
                raise LedgerUnreadable(
                    _("The file has more than %(max)s rows. Split it into several files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            rows.append((number, _trim([_cell_text(v) for v in values])))
        return rows
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if abs(value) >= 1e15:
            # Beyond Excel's 15 significant digits: an ID number typed into a number cell has lost its
            # last digits. Keep Excel's own spelling so the check can say so.
            return f"{value:.15G}"
        return str(int(value)) if value.is_integer() else str(value)
    return _unescape(str(value))


# --- CSV ------------------------------------------------------------------------------------------------


def csv_rows(data: bytes):
    if data[:2] == b"PK":
        raise LedgerUnreadable(_("This file is an Excel workbook: rename it to .xlsx, or save it as CSV."))
    # Excel's "Unicode text" is UTF-16 with a byte-order mark: readable. Other NUL bytes mean binary data.
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in data[:4096]:
        raise LedgerUnreadable(
            _("This is not a text CSV file. Save the ledger from Excel as “CSV UTF-8” and upload that.")
        )
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LedgerUnreadable(
            _("The text of this CSV file is neither UTF-8 nor GB18030. Save it from Excel as “CSV UTF-8”.")
        )
    # Excel writes commas; "Unicode text" and some tools write tabs. Count both at the start of the file
    # (csv.Sniffer guesses wrongly on short Chinese files).
    start = text[:8192]
    delimiter = "\t" if start.count("\t") > start.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_SCANNED_ROWS:
                raise LedgerUnreadable(
                    _("The file has more than %(max)s rows. Split it into several files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            rows.append((number, _trim([_unescape(c) for c in cells])))
    except csv.Error:
        raise LedgerUnreadable(
            _("This CSV file could not be read (a quote is not closed?). Save it from Excel again.")
        ) from None
    return rows
