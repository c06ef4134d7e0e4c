"""Write a laid-out `Book` as an .xlsx file with openpyxl: cells, styles, names, print setup.

openpyxl writes every part but the worksheets' cells, which `cells_xml` writes with their
cached values; the parts go into a `Package` (the finishing step: fixed stamps, chart caches).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from copy import copy
from datetime import date, datetime
from functools import partial
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as OpenpyxlCell
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
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from kim_budget.errors import OutputError
from kim_budget.excel_names import check_defined_name, check_sheet_name
from kim_budget.formula import Ref, column_letter, quote_sheet
from kim_budget.workbook import cells_xml, printing
from kim_budget.workbook import spec as layout_spec
from kim_budget.workbook.fitting import PLAIN, ROLE_TEXT, Fit, TextStyle
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
_Placed = dict[tuple[int, int], StyleArray]


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


def _cell_styles(ws: Worksheet, sheet: Sheet, fitted: Fit, styles: _Styles) -> _Placed:
    """Each layout cell's style, built once per kind on a cell of its own (a date's value sets
    its format first, as it would on the sheet) and shared by every cell of that kind."""
    spanned = {(row, first) for row, first, _ in fitted.spans}
    found: _Placed = {}
    for (row, col), cell in sorted(sheet.cells.items()):
        wraps = (row, col) in fitted.wrapped or (row, col) in spanned
        key = _style_key(cell, wraps)
        built = styles.get(key)
        if built is None:
            scratch: Any = OpenpyxlCell(ws, row=1, column=1)  # never placed on the sheet
            if isinstance(cell.content, date):  # as written: a date and time
                day = cell.content
                scratch.value = datetime(day.year, day.month, day.day)
            _apply_style(scratch, key)
            built = styles[key] = copy(scratch._style)
        found[row, col] = built
    return found


def _place_spanned(ws: Worksheet, fitted: Fit, found: _Placed) -> None:
    """The layout's cells on lines merged across their page become openpyxl's own, so the
    merge gives the cells it covers the borders it gives them on any sheet."""
    for row, first, last in fitted.spans:
        for col in range(first, last + 1):
            if (row, col) in found:
                placed: Any = ws.cell(row=row, column=col)
                placed._style = copy(found[row, col])


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


def write_workbook(book: Book, env: BookEnv, package: Package) -> None:
    """Write the workbook's parts into `package`, each formula with its cached value from `env`
    (the book's evaluation; the values also decide how wide the columns print)."""
    check_names(book)
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    # The default font sets the unit of column widths: Arial 10 (as in every cell) measures the
    # same in Excel and LibreOffice; openpyxl's Calibri is replaced by wider fonts where missing.
    workbook: Any = wb  # openpyxl has no public setting for the default font
    workbook._fonts = IndexedList([_PLAIN])
    workbook._named_styles["Normal"].font = _PLAIN
    wb.add_named_style(_input_style())
    styles: _Styles = {}  # each cell style is built once, then shared
    cells: dict[str, Callable[[], tuple[str, bytes]]] = {}
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        fitted = printing.fit(sheet, env)
        found = _cell_styles(ws, sheet, fitted, styles)
        _place_spanned(ws, fitted, found)
        printing.set_up(ws, sheet, book, fitted)
        cells[sheet.name] = partial(_sheet_data, sheet, ws, env, found)
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
    _Writer(wb, package, cells).save()


def _sheet_data(sheet: Sheet, ws: Worksheet, env: BookEnv, found: _Placed) -> tuple[str, bytes]:
    cells = cells_xml.positions(list(found), ws)  # `found` is in sheet order
    return cells_xml.dimension(cells), cells_xml.sheet_data(sheet, ws, env, found, cells)


class Package(Protocol):
    """Where the parts go: openpyxl's archive calls, and the worksheets with their cells."""

    def writestr(self, name: str, data: bytes | str) -> None: ...

    def namelist(self) -> list[str]: ...

    def write_sheet(self, name: str, skeleton: bytes, sheet_data: bytes) -> None: ...

    def close(self) -> None: ...


class _Writer(ExcelWriter):
    """openpyxl's writer, each worksheet written in memory (no temporary file on disk, which a
    killed process would leave behind and which costs time to make and remove) and without its
    cells: the package puts the rows of `cells_xml` into its <sheetData>."""

    def __init__(
        self, wb: Workbook, package: Package, cells: Mapping[str, Callable[[], tuple[str, bytes]]]
    ) -> None:
        super().__init__(wb, package)  # type: ignore[arg-type]
        self._cells = cells

    def write_worksheet(self, ws: Worksheet) -> None:
        sheet: Any = ws  # openpyxl's writer sets these private attributes; so does this one
        sheet._drawing = SpreadsheetDrawing()
        sheet._drawing.charts = sheet._charts
        sheet._drawing.images = sheet._images
        used, rows = self._cells[ws.title]()
        out = io.BytesIO()
        writer: Any = _SkeletonWriter(ws, out, used)
        writer.write()
        sheet._rels = writer._rels
        package: Package = getattr(self, "_archive")  # noqa: B009
        package.write_sheet(sheet.path[1:], out.getvalue(), rows)
        self.manifest.append(ws)


class _SkeletonWriter(WorksheetWriter):
    """openpyxl's worksheet writer for all but the cells: the used range as given, an empty
    <sheetData>."""

    def __init__(self, ws: Worksheet, out: io.BytesIO, used: str) -> None:
        super().__init__(ws, out=out)
        self._used = used

    def write_dimensions(self) -> None:
        self.xf.send(SheetDimension(self._used).to_tree())

    def write_rows(self) -> None:
        stream: Any = self.xf.send(True)
        with stream.element("sheetData"):
            pass
        self.xf.send(None)
