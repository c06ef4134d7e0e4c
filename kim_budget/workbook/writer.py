"""Write a laid-out `Book` as an .xlsx file with openpyxl: cells, styles, names, print setup.

openpyxl writes formulas without results; `finish.py` adds the cached values afterwards.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from kim_budget.errors import OutputError
from kim_budget.excel_names import check_defined_name, check_sheet_name
from kim_budget.formula import Expr, column_letter, quote_sheet
from kim_budget.workbook.grid import Book, Cell, Sheet, Validation

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
_STRUCTURE = PatternFill("solid", fgColor="EDEDED")
_WARN = PatternFill("solid", fgColor="FCE4D6")
_FAIL = PatternFill("solid", fgColor="FFC7CE")
_WARN_FONT = Font(color="9C0006")
_WIDTHS = {
    "Übersicht": (48, 12, 16),
    "Annahmen": (44, 36, 12, 28, 70),
    "Monate": (46, 8, 16),
    "Haushalt": (46, 8, 16),
    "Prüfungen": (52, 14, 14),
    "Vergleich": (52, 12, 16),
}


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
        if kind == "negative":
            rule = CellIsRule(  # type: ignore[no-untyped-call]
                operator="lessThan", formula=["0"], fill=_WARN, font=_WARN_FONT
            )
        else:
            failed = "FALSE" if kind == "false" else '"FEHLER"'
            rule = CellIsRule(  # type: ignore[no-untyped-call]
                operator="equal", formula=[failed], fill=_FAIL, font=_WARN_FONT
            )
        ws.conditional_formatting.add(area, rule)


def _charts(ws: Worksheet, sheet: Sheet) -> None:
    """Bar charts; their alternative text and cached data are added when the file is finished."""
    for spec in sheet.charts:
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = spec.title
        chart.y_axis.title = "€"
        chart.y_axis.numFmt = "#,##0"
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.height = 7.5  # cm
        chart.width = max(24, 4 + 3 * (spec.last_col - spec.first_col + 1))  # cm, per year
        for row, title in zip(spec.series, spec.series_titles, strict=True):
            values = Reference(ws, min_col=spec.first_col, max_col=spec.last_col, min_row=row)
            chart.series.append(Series(values, title_from_data=False, title=title))
        chart.set_categories(
            Reference(ws, min_col=spec.first_col, max_col=spec.last_col, min_row=spec.categories)
        )
        ws.add_chart(chart, f"A{spec.anchor_row}")


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
        if cell.role in ("header", "section", "structure"):
            target.fill = {"header": _GREY, "section": _LIGHT, "structure": _STRUCTURE}[cell.role]
        if cell.role == "header":
            target.border = Border(bottom=_THIN)
    if cell.number_format is not None:
        target.number_format = cell.number_format
    elif isinstance(content, str):
        target.number_format = TEXT_FORMAT
    if cell.role == "note":
        target.alignment = Alignment(wrap_text=False, vertical="top")


HEADER_LEFT, HEADER_TEXT = 110, 251  # Excel: ≤ 255 characters with the codes &L and &R


def _header_text(text: str, limit: int) -> str:
    """A header part: "&" doubled (Excel's code character), shortened to `limit` with "…"."""
    escaped = text.replace("&", "&&")
    while len(escaped) > limit:
        text = text[:-1]
        escaped = text.rstrip().replace("&", "&&") + "…"
    return escaped


def _page_setup(ws: Worksheet, sheet: Sheet, book: Book) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if sheet.one_page else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False
    place = [book.properties.get(key, "") for key in ("municipality", "reference")]
    left = _header_text(" – ".join(part for part in place if part), HEADER_LEFT)
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None
    header.left.text = left
    header.right.text = _header_text(book.properties.get("title", ""), HEADER_TEXT - len(left))
    footer.left.text = "&F"
    footer.center.text = "&A"
    footer.right.text = "Seite &P von &N"
    if sheet.freeze is not None:
        row, col = sheet.freeze
        ws.freeze_panes = f"{column_letter(col)}{row}"
        ws.print_title_rows = f"1:{row - 1}"
        ws.print_title_cols = f"A:{column_letter(col - 1)}"
    elif sheet.title_rows is not None:
        ws.print_title_rows = f"{sheet.title_rows[0]}:{sheet.title_rows[1]}"


def _widths(ws: Worksheet, sheet: Sheet) -> None:
    widths = _WIDTHS.get(sheet.name.split(" ")[0], ())
    last_col = max((col for _, col in sheet.cells), default=1)
    for col in range(1, last_col + 1):
        width = widths[col - 1] if col <= len(widths) else 12
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
    wb.add_named_style(_input_style())
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for (row, col), cell in sorted(sheet.cells.items()):
            _write_cell(ws, row, col, cell, sheet.name)
        _widths(ws, sheet)
        _page_setup(ws, sheet, book)
        _data_validations(ws, sheet)
        _conditional_formats(ws, sheet)
        _charts(ws, sheet)
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
    wb.save(buffer)
    return buffer.getvalue()
