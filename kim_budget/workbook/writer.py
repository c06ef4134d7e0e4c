"""Write a laid-out `Book` as an .xlsx file with openpyxl: cells, styles, names, print setup.

openpyxl writes formulas without results; `finish.py` adds the cached values afterwards.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Sequence
from copy import copy
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from kim_budget.errors import OutputError
from kim_budget.excel_names import check_defined_name, check_sheet_name
from kim_budget.formula import Expr, Ref, column_letter, quote_sheet
from kim_budget.workbook import printing
from kim_budget.workbook import spec as layout_spec
from kim_budget.workbook.fitting import PLAIN, ROLE_TEXT, TextStyle
from kim_budget.workbook.grid import Book, BookEnv, Cell, Chart, Sheet, Validation
from kim_budget.workbook.page import (
    POINTS_PER_WIDTH_UNIT,
)

INPUT_STYLE = layout_spec.INPUT_STYLE
TEXT_FORMAT = "@"
FIXED_STAMP = datetime(2024, 1, 1)

_GREY = PatternFill("solid", fgColor="D9D9D9")
_LIGHT = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="808080")


def _font(style: TextStyle) -> Font:
    return Font(
        name="Consolas" if style.mono else "Arial",
        size=style.size,
        bold=style.bold or None,
        italic=style.italic or None,
        color="595959" if style.grey else None,
    )


_ROLE_FONTS = {role: _font(style) for role, style in ROLE_TEXT.items()}
_PLAIN = _font(PLAIN)
_STRUCTURE = PatternFill("solid", fgColor="EDEDED")
_WARN = PatternFill("solid", fgColor="FCE4D6")
_FAIL = PatternFill("solid", fgColor="FFC7CE")
_WARN_FONT = Font(color="9C0006")


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


def _charts(ws: Worksheet, sheet: Sheet, widths: Sequence[float]) -> None:
    """Bar charts; their alternative text and cached data are added when the file is finished.

    A chart covers its area of columns, or grows with the number of years but stays within
    the first page; its axis shows € in the numbers, so no text on it runs vertically.
    """
    for spec in sheet.charts:
        chart = BarChart()
        chart.type = "bar" if spec.horizontal else "col"
        if spec.horizontal:  # the first category on top, as the table lists them, and the
            chart.x_axis.scaling.orientation = "maxMin"  # names left of the plot, not on
            chart.x_axis.tickLblPos = "low"  # the zero line among the bars
        chart.grouping = "clustered"
        chart.title = _chart_title(spec.title)
        chart.x_axis.txPr = _axis_text()
        chart.y_axis.txPr = _axis_text()
        chart.legend.position = "b"  # below the bars: the plot keeps the chart's width
        chart.y_axis.numFmt = spec.number_format
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.height = spec.height_cm  # cm
        first, last = spec.area or (1, len(widths))
        first_page = printing.first_page_width(sheet, widths) - sum(widths[: first - 1])
        room = _cm(min(sum(widths[first - 1 : last]), first_page) if spec.area else first_page)
        years = spec.last_col - spec.first_col + 1
        chart.width = room if spec.area else min(max(24, 4 + 3 * years), room)  # cm
        source = quote_sheet(spec.source or sheet.name)
        for line, title in zip(spec.series, spec.series_titles, strict=True):
            data = _line(source, spec, line)
            chart.series.append(Series(data, title_from_data=False, title=title))
        categories = _line(source, spec, spec.categories)
        if spec.down_columns:  # names, not numbers, as categories
            for series in chart.series:
                series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
        else:
            chart.set_categories(categories)
        ws.add_chart(chart, f"{column_letter(first)}{spec.anchor_row}")


def _chart_title(text: str) -> Title:
    """A chart title in 11 pt bold (the default, 18 pt, takes a small chart's room)."""
    font = CharacterProperties(sz=1100, b=True)
    run = RegularTextRun(rPr=font, t=text)
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=font), r=[run])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _axis_text() -> RichText:
    """Axis labels in 10 pt, the size of the sheet's text: printed at the sheet's scale they
    stay at 7 pt or more."""
    font = CharacterProperties(sz=1000)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=font), endParaRPr=font)])


def _cm(width: float) -> int:
    """A width in Excel's unit as whole centimetres, rounded down."""
    return math.floor(width * POINTS_PER_WIDTH_UNIT / 72 * 2.54)


def _line(source: str, spec: Chart, line: int) -> Reference:
    """One row (or, down columns, one column) of a chart's table on sheet `source`."""
    if spec.down_columns:
        first, last = Ref(source, spec.first_col, line), Ref(source, spec.last_col, line)
    else:
        first, last = Ref(source, line, spec.first_col), Ref(source, line, spec.last_col)
    return Reference(range_string=f"{source}!{first.coordinate()}:{last.coordinate()}")


_StyleKey = tuple[str, str | None, bool, bool | None]
"""What a cell's style depends on: role, number format, text or not, and whether it wraps (None:
not set)."""
_Styles = dict[_StyleKey, StyleArray]


def _style_key(cell: Cell, wraps: bool) -> _StyleKey:
    return (cell.role, cell.number_format, isinstance(cell.content, str), wraps or None)


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
    # top-aligned everywhere: in a row made taller by a wrapped text, every cell starts on its
    # first line
    target.alignment = Alignment(wrap_text=wrapping, vertical="top")


def _write_cell(
    ws: Worksheet, row: int, col: int, cell: Cell, sheet_name: str, styles: _Styles, wraps: bool
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
    key = _style_key(cell, wraps)
    built = styles.get(key)
    if built is None:
        _apply_style(target, key)
        styles[key] = copy(target._style)
    else:
        target._style = copy(built)


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


def write_workbook(book: Book, env: BookEnv | None = None) -> bytes:
    """The workbook as .xlsx bytes, formulas without cached values (`env`: the book's
    evaluation, when the caller has one; the values decide how wide the columns print)."""
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
    env = env or BookEnv(book)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        fitted = printing.fit(sheet, env)
        spanned = {(row, first) for row, first, _ in fitted.spans}
        for (row, col), cell in sorted(sheet.cells.items()):
            wraps = (row, col) in fitted.wrapped or (row, col) in spanned
            _write_cell(ws, row, col, cell, sheet.name, styles, wraps)
        printing.set_up(ws, sheet, book, fitted)
        _data_validations(ws, sheet)
        _conditional_formats(ws, sheet)
        _charts(ws, sheet, fitted.widths)
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
