"""Write a laid-out `Book` as an .xlsx file with openpyxl: cells, styles, names, print setup.

openpyxl writes formulas without results; `finish.py` adds the cached values afterwards.
"""

from __future__ import annotations

import io
import math
import zipfile
from copy import copy
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from kim_budget.errors import OutputError
from kim_budget.excel_names import check_defined_name, check_sheet_name
from kim_budget.formula import Expr, column_letter, quote_sheet
from kim_budget.workbook import spec as layout_spec
from kim_budget.workbook.grid import Book, Cell, Chart, Sheet, Validation
from kim_budget.workbook.page import (
    MIN_TEXT_PT,
    MONTHS_PER_PAGE,
    POINTS_PER_WIDTH_UNIT,
    page_widths,
    printable_width,
)

INPUT_STYLE = layout_spec.INPUT_STYLE
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
    "note": Font(name="Arial", size=10, italic=True, color="595959"),
    "key": Font(name="Consolas", size=10, color="595959"),
    "unit": Font(name="Arial", size=10, color="595959"),
}
_PLAIN = Font(name="Arial", size=10)
_STRUCTURE = PatternFill("solid", fgColor="EDEDED")
_WARN = PatternFill("solid", fgColor="FCE4D6")
_FAIL = PatternFill("solid", fgColor="FFC7CE")
_WARN_FONT = Font(color="9C0006")
_WIDTHS = {
    layout_spec.UEBERSICHT: (48, 12, 16),
    layout_spec.ANNAHMEN: (38, 30, 11, 30, 50, 20, 9),
    layout_spec.MONATE: (34, 6, 15),
    layout_spec.HAUSHALT: (46, 8, 16),
    layout_spec.PRUEFUNGEN: (52, 14, 14),
    layout_spec.VERGLEICH: (52, 12, 16),
    layout_spec.VERTEILUNG: (34, 14, 13, 8, 12, 15, 12, 15, 15),
    layout_spec.RUNDUNG: (34, 16, 14, 12, 16),
    layout_spec.TARIF: (40, 12, 11, 11, 11, 11, 11, 11, 8, 30, 24),
}
_PERIOD_WIDTHS = {layout_spec.MONATE: 11}  # a month of amounts up to 999.999,99 €; a year gets 12
_PERIOD_WIDTH = 12
# Columns whose cells wrap (top-aligned) from the header row on, so long texts stay readable.
_WRAPPED = {"Annahmen": (1, 2, 5), "Monate": (1,), "Verteilung": (1,), "Rundung": (1,)}
_WRAP_FROM_ROW = 4
# Sheets with the column roles of a timeline (label | unit | total | one column per period):
# their period columns are split into pages of whole years, columns A:C repeated.
_PAGED = ("Übersicht", "Monate", "Haushalt", "Prüfungen", "Vergleich")
_TITLE_COLUMNS = 3
_SIDE_MARGIN = 0.5  # inch, left and right
_SMALLEST_FONT = min(font.size or 11 for font in (*_ROLE_FONTS.values(), _PLAIN))
_LOWEST_SCALE = 0.72  # plans pages so that the smallest font prints above MIN_TEXT_PT
assert _SMALLEST_FONT * _LOWEST_SCALE >= MIN_TEXT_PT


def _input_style() -> NamedStyle:
    """The one style of input cells (FAST: inputs look different from calculations); unlocked."""
    style = NamedStyle(name=INPUT_STYLE)
    style.font = Font(name="Arial", size=10, color="1F3B8C")
    style.fill = PatternFill("solid", fgColor="FFF2CC")
    style.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    style.protection = Protection(locked=False)
    return style


def _data_validations(ws: Worksheet, sheet: Sheet) -> None:
    """One data validation per rule, covering every input cell with that rule."""
    cells: dict[Validation, list[str]] = {}
    for (row, col), cell in sorted(sheet.cells.items()):
        if cell.validation is not None:
            cells.setdefault(cell.validation, []).append(f"{column_letter(col)}{row}")
    for rule, coordinates in cells.items():
        validation = DataValidation(
            type=rule.kind,
            operator=rule.operator,
            formula1=rule.first,
            formula2=rule.second,
            allow_blank=False,
            showInputMessage=True,
            showErrorMessage=True,
            promptTitle=rule.title,
            prompt=rule.prompt,
            errorTitle=rule.title,
            error=rule.error,
            errorStyle="stop",
        )
        validation.sqref = MultiCellRange(" ".join(coordinates))
        ws.add_data_validation(validation)


def _conditional_formats(ws: Worksheet, sheet: Sheet) -> None:
    """Negative amounts (funding above cost) and failed checks stand out."""
    for area, kind in sheet.conditional:
        if kind == "changed":  # an input differs from the scenario file (marker 1)
            rule = CellIsRule(  # type: ignore[no-untyped-call]
                operator="equal", formula=["1"], fill=_WARN, font=_WARN_FONT
            )
        elif kind == "negative":
            rule = CellIsRule(  # type: ignore[no-untyped-call]
                operator="lessThan", formula=["0"], fill=_WARN, font=_WARN_FONT
            )
        else:
            failed = "FALSE" if kind == "false" else '"FEHLER"'
            rule = CellIsRule(  # type: ignore[no-untyped-call]
                operator="equal", formula=[failed], fill=_FAIL, font=_WARN_FONT
            )
        ws.conditional_formatting.add(area, rule)


def _charts(ws: Worksheet, sheet: Sheet, page_width: float) -> None:
    """Bar charts; their alternative text and cached data are added when the file is finished.

    A chart grows with the number of years but stays within the first page (`page_width` in
    Excel's unit); its axis shows € in the numbers, so no text on it runs vertically.
    """
    widest = math.floor(page_width * POINTS_PER_WIDTH_UNIT / 72 * 2.54)  # cm
    for spec in sheet.charts:
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = spec.title
        chart.y_axis.numFmt = spec.number_format
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.height = spec.height_cm  # cm
        years = spec.last_col - spec.first_col + 1
        chart.width = min(max(24, 4 + 3 * years), widest)  # cm
        for line, title in zip(spec.series, spec.series_titles, strict=True):
            chart.series.append(Series(_line(ws, spec, line), title_from_data=False, title=title))
        categories = _line(ws, spec, spec.categories)
        if spec.down_columns:  # names, not numbers, as categories
            for series in chart.series:
                series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
        else:
            chart.set_categories(categories)
        ws.add_chart(chart, f"A{spec.anchor_row}")


def _line(ws: Worksheet, spec: Chart, line: int) -> Reference:
    """One row (or, down columns, one column) of a chart's table."""
    if spec.down_columns:
        return Reference(ws, min_col=line, min_row=spec.first_col, max_row=spec.last_col)
    return Reference(ws, min_col=spec.first_col, max_col=spec.last_col, min_row=line)


_LINE_HEIGHT = 13.0  # pt, one line of wrapped 10 pt Arial
_CHARACTER_WIDTH = 5.6  # pt, a generous average for 10 pt Arial, so wrapped text never clips
_CELL_PADDING = 6.0  # pt, inside a cell's borders


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column of `width` (Excel's unit)."""
    per_line = max(1, int((width * POINTS_PER_WIDTH_UNIT - _CELL_PADDING) // _CHARACTER_WIDTH))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _wrapped(sheet_name: str, row: int, col: int) -> bool:
    return row >= _WRAP_FROM_ROW and col in _WRAPPED.get(_kind(sheet_name), ())


def _row_heights(ws: Worksheet, sheet: Sheet, widths: list[float]) -> None:
    """Rows with wrapped text get the height of their longest text. Set explicitly: LibreOffice
    does not grow rows of an .xlsx file on loading it."""
    lines: dict[int, int] = {}
    for (row, col), cell in sheet.cells.items():
        if isinstance(cell.content, str) and _wrapped(sheet.name, row, col):
            lines[row] = max(lines.get(row, 1), _lines(cell.content, widths[col - 1]))
    for row, count in sorted(lines.items()):
        if count > 1:
            ws.row_dimensions[row].height = count * _LINE_HEIGHT


_StyleKey = tuple[str, str | None, bool, bool | None]
"""What a cell's style depends on: role, number format, text or not, and its wrapping (None:
none set; True or False: a row of wrapped text, wrapped in this column or not)."""
_Styles = dict[_StyleKey, StyleArray]


def _style_key(cell: Cell, row: int, col: int, sheet_name: str) -> _StyleKey:
    wrapping = None
    if row >= _WRAP_FROM_ROW and _kind(sheet_name) in _WRAPPED:  # rows of wrapped text
        wrapping = _wrapped(sheet_name, row, col)
    return (cell.role, cell.number_format, isinstance(cell.content, str), wrapping)


def _apply_style(target: Any, key: _StyleKey) -> None:
    """Set the style of `key` on a cell (once per key and workbook; then it is copied)."""
    role, number_format, text, wrapping = key
    if role == "input":
        target.style = INPUT_STYLE
    else:
        target.font = _ROLE_FONTS.get(role, _PLAIN)
        if role in ("header", "section", "structure"):
            target.fill = {"header": _GREY, "section": _LIGHT, "structure": _STRUCTURE}[role]
        if role == "header":
            target.border = Border(bottom=_THIN)
    if number_format is not None:
        target.number_format = number_format
    elif text:
        target.number_format = TEXT_FORMAT
    if role == "note":
        target.alignment = Alignment(wrap_text=False, vertical="top")
    if wrapping is not None:
        target.alignment = Alignment(wrap_text=wrapping, vertical="top")


def _write_cell(
    ws: Worksheet, row: int, col: int, cell: Cell, sheet_name: str, styles: _Styles
) -> None:
    target: Any = ws.cell(row=row, column=col)
    content = cell.content
    if isinstance(content, Expr):
        target.value = "=" + content.render(sheet_name)
    elif isinstance(content, date) and not isinstance(content, datetime):
        target.value = datetime(content.year, content.month, content.day)
    else:
        target.value = content
        if isinstance(content, str):
            target.data_type = "s"  # text from a scenario never becomes a formula
    key = _style_key(cell, row, col, sheet_name)
    built = styles.get(key)
    if built is None:
        _apply_style(target, key)
        styles[key] = copy(target._style)
    else:
        target._style = copy(built)


HEADER_LEFT, HEADER_TEXT = 110, 251  # Excel: ≤ 255 characters with the codes &L and &R


def _header_text(text: str, limit: int) -> str:
    """A header part: "&" doubled (Excel's code character), shortened to `limit` with "…"."""
    escaped = text.replace("&", "&&")
    while len(escaped) > limit:
        text = text[:-1]
        escaped = text.rstrip().replace("&", "&&") + "…"
    return escaped


def _kind(sheet_name: str) -> str:
    """The sheet's kind: "Monate" for "Monate 2" of a comparison."""
    return sheet_name.split(" ")[0]


def _column_widths(sheet: Sheet) -> list[float]:
    """The width (Excel's unit) of every column from A to the last used one."""
    kind = _kind(sheet.name)
    widths = _WIDTHS.get(kind, ())
    period = _PERIOD_WIDTHS.get(kind, _PERIOD_WIDTH)
    last_col = max((col for _, col in sheet.cells), default=1)
    default = [widths[col - 1] if col <= len(widths) else period for col in range(1, last_col + 1)]
    return [sheet.column_widths.get(col, width) for col, width in enumerate(default, start=1)]


def _column_breaks(sheet: Sheet, widths: list[float]) -> list[int]:
    """Columns after which a page starts: after each December on "Monate"; elsewhere after
    as many whole years as print at `_LOWEST_SCALE` or larger, pages of equal year counts."""
    kind = _kind(sheet.name)
    periods = len(widths) - _TITLE_COLUMNS
    if kind not in _PAGED or periods <= 0:
        return []
    if kind == "Monate":
        per_page = MONTHS_PER_PAGE
    else:
        room = printable_width(_margins_pt()) / (POINTS_PER_WIDTH_UNIT * _LOWEST_SCALE)
        fitting = (room - sum(widths[:_TITLE_COLUMNS])) // _PERIOD_WIDTH
        pages = math.ceil(periods / max(1, int(fitting)))
        per_page = math.ceil(periods / pages)
    return list(range(_TITLE_COLUMNS + per_page, len(widths), per_page))


def _margins_pt() -> float:
    return 2 * _SIDE_MARGIN * 72


def _scale(widths: list[float], breaks: list[int]) -> int:
    """The largest scale (percent, at most 100) at which every page across fits the paper."""
    widest = max(page_widths(widths, breaks, _TITLE_COLUMNS))
    fitting = printable_width(_margins_pt()) / (widest * POINTS_PER_WIDTH_UNIT)
    return min(100, math.floor(100 * fitting))


_TOP_BOTTOM_MARGIN = 0.6  # inch, the header and footer print inside
_PAPER_HEIGHT_PT = 595.0  # A4 landscape


def _one_page_is_readable(ws: Worksheet, sheet: Sheet, widths: list[float]) -> bool:
    """Whether the whole sheet fits one page with its smallest text at MIN_TEXT_PT or more;
    otherwise it prints one page wide and continues on further pages."""
    last_row = max((row for row, _ in sheet.cells), default=1)
    default = float(ws.sheet_format.defaultRowHeight or 15)
    height = sum(ws.row_dimensions[row].height or default for row in range(1, last_row + 1))
    across = printable_width(_margins_pt()) / (sum(widths) * POINTS_PER_WIDTH_UNIT)
    down = (_PAPER_HEIGHT_PT - 2 * _TOP_BOTTOM_MARGIN * 72) / height
    return _SMALLEST_FONT * min(1.0, across, down) >= MIN_TEXT_PT + 0.2  # room for rounding


def _page_setup(ws: Worksheet, sheet: Sheet, book: Book, widths: list[float]) -> None:
    """A4 landscape. A one-page sheet fits its page; every other sheet prints at a fixed scale
    with column breaks between whole years, because Excel ignores manual breaks when fitting."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_margins = PageMargins(
        left=_SIDE_MARGIN,
        right=_SIDE_MARGIN,
        top=_TOP_BOTTOM_MARGIN,
        bottom=_TOP_BOTTOM_MARGIN,
        header=0.25,
        footer=0.25,
    )
    breaks = _column_breaks(sheet, widths)
    if sheet.one_page and not breaks and _one_page_is_readable(ws, sheet, widths):
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        ws.page_setup.scale = _scale(widths, breaks)
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
        for col in breaks:
            ws.col_breaks.append(Break(id=col))
    ws.print_options.gridLines = False
    _header_footer(ws, book)
    if sheet.freeze is not None:
        row, col = sheet.freeze
        ws.freeze_panes = f"{column_letter(col)}{row}"
        ws.print_title_rows = f"1:{row - 1}"
        ws.print_title_cols = f"A:{column_letter(col - 1)}"
    else:
        if breaks:
            ws.print_title_cols = f"A:{column_letter(_TITLE_COLUMNS)}"
        if sheet.title_rows is not None:
            ws.print_title_rows = f"{sheet.title_rows[0]}:{sheet.title_rows[1]}"


def _header_footer(ws: Worksheet, book: Book) -> None:
    place = [book.properties.get(key, "") for key in ("municipality", "reference")]
    left = _header_text(" – ".join(part for part in place if part), HEADER_LEFT)
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None
    header.left.text = left
    header.right.text = _header_text(book.properties.get("title", ""), HEADER_TEXT - len(left))
    footer.left.text = "&F"
    footer.center.text = "&A"
    footer.right.text = "Seite &P von &N"


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[column_letter(col)].width = width


def check_names(book: Book) -> None:
    """Sheet and defined names must obey Excel's rules before anything is written."""
    problems = [
        f"sheet name {sheet.name!r}: {problem}"
        for sheet in book.sheets
        if (problem := check_sheet_name(sheet.name))
    ]
    problems += [
        f"defined name {name!r}: {problem}"
        for name in book.names
        if (problem := check_defined_name(name))
    ]
    if problems:
        raise OutputError("cannot write the workbook: " + "; ".join(problems))


def write_workbook(book: Book) -> bytes:
    """The workbook as .xlsx bytes, formulas without cached values."""
    check_names(book)
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    # The default font sets the unit of column widths: Arial 10 (as in every cell) measures the
    # same in Excel and LibreOffice; openpyxl's Calibri is replaced by wider fonts where missing.
    workbook: Any = wb  # openpyxl has no public setting for the default font
    workbook._fonts = IndexedList([_PLAIN])
    workbook._named_styles["Normal"].font = _PLAIN
    wb.add_named_style(_input_style())
    styles: _Styles = {}  # each cell style is built once, then copied
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for (row, col), cell in sorted(sheet.cells.items()):
            _write_cell(ws, row, col, cell, sheet.name, styles)
        widths = _column_widths(sheet)
        _widths(ws, widths)
        _row_heights(ws, sheet, widths)
        _page_setup(ws, sheet, book, widths)
        _data_validations(ws, sheet)
        _conditional_formats(ws, sheet)
        _charts(ws, sheet, page_widths(widths, _column_breaks(sheet, widths), _TITLE_COLUMNS)[0])
        ws.protection.sheet = True  # no password: a treasurer can lift it knowingly
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
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _InMemory(wb, archive).save()
    return buffer.getvalue()


class _InMemory(ExcelWriter):
    """openpyxl's writer with each sheet written to memory, not to a temporary file on disk
    (which a killed process would leave behind, and which costs time to make and remove)."""

    def write_worksheet(self, ws: Worksheet) -> None:
        sheet: Any = ws  # openpyxl's writer sets these private attributes; so does this one
        sheet._drawing = SpreadsheetDrawing()
        sheet._drawing.charts = sheet._charts
        sheet._drawing.images = sheet._images
        out = io.BytesIO()
        writer: Any = WorksheetWriter(ws, out=out)
        writer.write()
        sheet._rels = writer._rels
        archive: zipfile.ZipFile = getattr(self, "_archive")  # noqa: B009
        archive.writestr(sheet.path[1:], out.getvalue())
        self.manifest.append(ws)
