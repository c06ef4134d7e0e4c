"""Write a laid-out `Book` as an .xlsx file with openpyxl: cells, styles, names, print setup.

openpyxl writes formulas without results; `finish.py` adds the cached values afterwards.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from kim_budget.formula import Expr, column_letter, quote_sheet
from kim_budget.workbook.grid import Book, Cell, Sheet

INPUT_STYLE = "Eingabe"
TEXT_FORMAT = "@"
FIXED_STAMP = datetime(2024, 1, 1)

_GREY = PatternFill("solid", fgColor="D9D9D9")
_LIGHT = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="808080")
_ROLE_FONTS = {
    "title": Font(name="Arial", size=14, bold=True),
    "subtitle": Font(name="Arial", size=12, bold=True),
    "section": Font(name="Arial", size=10, bold=True),
    "header": Font(name="Arial", size=10, bold=True),
    "total": Font(name="Arial", size=10, bold=True),
    "note": Font(name="Arial", size=9, italic=True, color="595959"),
    "key": Font(name="Consolas", size=9, color="595959"),
    "unit": Font(name="Arial", size=9, color="595959"),
}
_PLAIN = Font(name="Arial", size=10)
_WIDTHS = {
    "Übersicht": (48, 12, 16),
    "Annahmen": (44, 18, 14, 30, 60),
    "Monate": (46, 8, 16),
    "Haushalt": (46, 8, 16),
}


def _input_style() -> NamedStyle:
    """The one style of input cells (FAST: inputs look different from calculations)."""
    style = NamedStyle(name=INPUT_STYLE)
    style.font = Font(name="Arial", size=10, color="1F3B8C")
    style.fill = PatternFill("solid", fgColor="FFF2CC")
    style.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    return style


def _write_cell(ws: Worksheet, row: int, col: int, cell: Cell, sheet_name: str) -> None:
    target = ws.cell(row=row, column=col)
    content = cell.content
    if isinstance(content, Expr):
        target.value = "=" + content.render(sheet_name)
    elif isinstance(content, date) and not isinstance(content, datetime):
        target.value = datetime(content.year, content.month, content.day)
    else:
        target.value = content
        if isinstance(content, str):
            target.data_type = "s"  # text from a scenario never becomes a formula
    if cell.role == "input":
        target.style = INPUT_STYLE
    else:
        target.font = _ROLE_FONTS.get(cell.role, _PLAIN)
        if cell.role in ("header", "section"):
            target.fill = _GREY if cell.role == "header" else _LIGHT
        if cell.role == "header":
            target.border = Border(bottom=_THIN)
    if cell.number_format is not None:
        target.number_format = cell.number_format
    elif isinstance(content, str):
        target.number_format = TEXT_FORMAT
    if cell.role == "note":
        target.alignment = Alignment(wrap_text=False, vertical="top")


def _header_text(text: str) -> str:
    return text.replace("&", "&&")


def _page_setup(ws: Worksheet, sheet: Sheet, book: Book, file_name: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if sheet.name == "Übersicht" else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False
    left = " – ".join(
        _header_text(v)
        for v in (book.properties.get("municipality", ""), book.properties.get("reference", ""))
        if v
    )
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None
    header.left.text = left
    header.right.text = _header_text(book.properties.get("title", ""))
    footer.left.text = _header_text(file_name)
    footer.center.text = "&A"
    footer.right.text = "Seite &P von &N"
    if sheet.freeze is not None:
        row, col = sheet.freeze
        ws.freeze_panes = f"{column_letter(col)}{row}"
        ws.print_title_rows = f"1:{row - 1}"
        ws.print_title_cols = f"A:{column_letter(col - 1)}"


def _widths(ws: Worksheet, sheet: Sheet) -> None:
    widths = _WIDTHS.get(sheet.name, ())
    last_col = max((col for _, col in sheet.cells), default=1)
    for col in range(1, last_col + 1):
        width = widths[col - 1] if col <= len(widths) else 12
        ws.column_dimensions[column_letter(col)].width = width


def write_workbook(book: Book, file_name: str) -> bytes:
    """The workbook as .xlsx bytes, formulas without cached values."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    wb.add_named_style(_input_style())
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for (row, col), cell in sorted(sheet.cells.items()):
            _write_cell(ws, row, col, cell, sheet.name)
        _widths(ws, sheet)
        _page_setup(ws, sheet, book, file_name)
    for name, ref in book.names.items():
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{quote_sheet(ref.sheet)}!{ref.coordinate()}"
        )
    props = wb.properties
    props.title = book.properties.get("title")
    props.subject = book.properties.get("subject")
    props.creator = book.properties.get("creator")
    props.keywords = book.properties.get("keywords")
    props.language = "de-DE"
    props.lastModifiedBy = "kim-budget"
    props.created = props.modified = FIXED_STAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
