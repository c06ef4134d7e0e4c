"""The rules of a sheet as a whole: its name, nothing hidden, protection, print setup (S2, S3,
S6, S8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kim_budget.excel_names import check_sheet_name
from kim_budget.formula import column_letter, column_number
from kim_budget.verify.cells import Styles, stored_cells
from kim_budget.verify.report import Findings
from kim_budget.verify.sheet_rules import (
    footer_problems,
    header_problems,
    is_timeline,
    month_break_problems,
    print_size_problems,
    sheet_kind,
)
from kim_budget.workbook.page import DEFAULT_COLUMN_WIDTH, PrintLayout
from kim_budget.workbook.spec import MONATE, VARIANTEN

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


def check_sheet(
    out: Findings, ws: Worksheet, header: str, footer: str, file_name: str, styles: Styles
) -> None:
    sheet = ws.title
    problem = check_sheet_name(sheet)
    if problem:
        out.add("S8", problem, sheet)
    if ws.sheet_state != "visible":
        out.add("S2", f"the sheet is {ws.sheet_state}", sheet)
    for index, row in sorted(ws.row_dimensions.items()):
        if row.hidden:
            out.add("S2", "the row is hidden", sheet, f"{index}:{index}")
    for key, col in sorted(ws.column_dimensions.items()):
        if col.hidden:
            first = col.min or column_number(key)
            last = max(col.max or first, first)
            span = f"{column_letter(first)}:{column_letter(last)}"
            what = "the columns are" if last > first else "the column is"
            out.add("S2", f"{what} hidden", sheet, span)
    if not ws.protection.sheet:
        out.add("S3", "the sheet is not protected", sheet)
    for problem in _print_problems(ws, styles) + header_problems(header):
        out.add("S6", problem, sheet)
    for problem in footer_problems(footer, file_name):
        out.add("S6", problem, sheet)


def _print_problems(ws: Worksheet, styles: Styles) -> list[str]:
    setup = ws.page_setup
    problems = []
    if setup.orientation != "landscape":
        problems.append(f"orientation is {setup.orientation or 'not set'}; expected landscape")
    if str(setup.paperSize) != "9":
        problems.append(f"paper size is {setup.paperSize or 'not set'}; expected A4 (9)")
    fit = ws.sheet_properties.pageSetUpPr
    fitting = fit is not None and bool(fit.fitToPage)
    if fitting and setup.fitToWidth is not None and int(setup.fitToWidth) != 1:
        problems.append(f"fitToWidth is {setup.fitToWidth}; expected 1 (one page wide)")
    if not fitting and setup.scale is None:
        problems.append("neither fit to page (pageSetUpPr fitToPage) nor a print scale is set")
    if is_timeline(ws.title):
        if not ws.print_title_rows:
            problems.append("no print title rows (rows to repeat on every page)")
        if not ws.print_title_cols:
            problems.append("no print title columns (columns to repeat on every page)")
    layout, smallest = _print_layout(ws, fitting, styles)
    problems += print_size_problems(layout, smallest)
    if sheet_kind(ws.title, (MONATE, VARIANTEN)) is not None:
        problems += month_break_problems(layout.breaks, len(layout.widths))
    return problems


def _print_layout(ws: Worksheet, fitting: bool, styles: Styles) -> tuple[PrintLayout, float]:
    """The sheet's print geometry and the size of its smallest font (pt) in a used cell."""
    last_col, smallest = 1, 0.0
    for cell in stored_cells(ws):
        if cell.value is not None:
            last_col = max(last_col, cell.column)
            size = styles.font_size(cell)
            smallest = size if not smallest else min(smallest, size)
    widths = []
    for col in range(1, last_col + 1):
        dimension = ws.column_dimensions.get(column_letter(col))
        width = dimension.width if dimension is not None and dimension.customWidth else None
        widths.append(float(width or DEFAULT_COLUMN_WIDTH))
    titles = ws.print_title_cols or ""
    title_columns = column_number(titles.split(":")[-1].replace("$", "")) if titles else 0
    margins = ws.page_margins
    layout = PrintLayout(
        widths=tuple(widths),
        breaks=tuple(int(brk.id) for brk in ws.col_breaks.brk if brk.id),
        title_columns=title_columns,
        margins_pt=72 * (float(margins.left or 0.75) + float(margins.right or 0.75)),
        fit_width=int(ws.page_setup.fitToWidth or 1) if fitting else None,
        scale=float(ws.page_setup.scale or 100),
    )
    return layout, smallest or 11.0
