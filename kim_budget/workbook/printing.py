"""How each sheet prints on A4 landscape: column widths, wrapped text and row heights that show
every cell whole (`fitting.py`), page breaks between whole years, the print scale, print titles,
header and footer.

A one-page sheet (the cover, the Haushalt) fits its page when its smallest text stays readable;
every other sheet prints at a fixed scale with column breaks between whole years, because Excel
ignores manual breaks when fitting.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from kim_budget.formula import column_letter
from kim_budget.workbook import spec as layout_spec
from kim_budget.workbook.fitting import Fit, Page, fit_sheet, text_width_pt
from kim_budget.workbook.grid import Book, BookEnv, Sheet
from kim_budget.workbook.page import (
    MIN_TEXT_PT,
    MONTHS_PER_PAGE,
    POINTS_PER_WIDTH_UNIT,
    page_widths,
    printable_width,
)

_WIDTHS = {
    layout_spec.UEBERSICHT: (48, 12, 16),
    layout_spec.ANNAHMEN: (38, 30, 11, 30, 50, 20, 9),
    layout_spec.MONATE: (34, 6, 15),
    layout_spec.VARIANTEN: (34, 6, 15),
    layout_spec.SENSITIVITAET: (40, 12, 16, 16),
    layout_spec.HAUSHALT: (46, 8, 16),
    layout_spec.PRUEFUNGEN: (52, 14, 14),
    layout_spec.VERGLEICH: (52, 12, 16),
    layout_spec.VERTEILUNG: (34, 14, 13, 8, 12, 15, 12, 15, 15),
    layout_spec.RUNDUNG: (34, 16, 14, 12, 16),
    layout_spec.TARIF: (40, 12, 11, 11, 11, 11, 11, 11, 8, 30, 24),
}
"""The planned width (Excel's unit) of the first columns of each kind of sheet."""
_PERIOD_WIDTHS = {
    layout_spec.MONATE: 11,
    layout_spec.VARIANTEN: 11,
}  # a month of amounts up to 999.999,99 €; a year gets 12
_PERIOD_WIDTH = 12
# Columns whose cells wrap (top-aligned) from the header row on, so long texts stay readable.
_WRAPPED = {
    "Annahmen": (1, 2, 5),
    "Monate": (1,),
    "Varianten": (1,),
    "Sensitivität": (1,),
    "Verteilung": (1,),
    "Rundung": (1,),
}
_WRAP_FROM_ROW = 4
# Sheets with the column roles of a timeline (label | unit | total | one column per period):
# their period columns are split into pages of whole years, columns A:C repeated. (The cover
# shows its years in blocks of eight, one below the other, and needs no such break.)
_PAGED = ("Monate", "Varianten", "Haushalt", "Sensitivität", "Prüfungen", "Vergleich")
_MONTHLY = ("Monate", "Varianten")
_WHOLE_IF_FITTING = ("Sensitivität",)  # columns of unequal width: across pages only when needed
TITLE_COLUMNS = 3
_SIDE_MARGIN = 0.5  # inch, left and right
_TOP_BOTTOM_MARGIN = 0.6  # inch, the header and footer print inside
_PAPER_HEIGHT_PT = 595.0  # A4 landscape
SMALLEST_FONT = 10.0
"""The smallest font of any cell (Arial 10; notes are italic, not smaller)."""
_LOWEST_SCALE = 0.72  # plans pages so that the smallest font prints above MIN_TEXT_PT
assert SMALLEST_FONT * _LOWEST_SCALE >= MIN_TEXT_PT
_HEADER_FONT_PT = 10.0  # header and footer print unscaled
HEADER_LEFT, HEADER_TEXT = 110, 251  # Excel: ≤ 255 characters with the codes &L and &R


def kind(sheet_name: str) -> str:
    """The sheet's kind: "Monate" for "Monate 2" of a comparison."""
    return sheet_name.split(" ")[0]


def _planned_widths(sheet: Sheet) -> list[float]:
    """The planned width (Excel's unit) of every column from A to the last used one."""
    widths = _WIDTHS.get(kind(sheet.name), ())
    period = _PERIOD_WIDTHS.get(kind(sheet.name), _PERIOD_WIDTH)
    last_col = max((col for _, col in sheet.cells), default=1)
    last_col = max(last_col, sheet.print_columns)
    default = [widths[col - 1] if col <= len(widths) else period for col in range(1, last_col + 1)]
    return [sheet.column_widths.get(col, width) for col, width in enumerate(default, start=1)]


def _always_wrapped(sheet: Sheet) -> tuple[int, ...]:
    return _WRAPPED.get(kind(sheet.name), ())


def fit(sheet: Sheet, env: BookEnv) -> Fit:
    """Widths, wrapping and row heights that print every cell of `sheet` whole."""
    columns = _always_wrapped(sheet)

    def wraps(row: int, col: int) -> bool:
        return row >= _WRAP_FROM_ROW and col in columns

    def page_ends(widths: Sequence[float]) -> list[int]:
        return [*column_breaks(sheet, widths), len(widths)]

    def widest(widths: Sequence[float]) -> float:
        return max(page_widths(widths, column_breaks(sheet, widths), TITLE_COLUMNS))

    budget = printable_width(_margins_pt()) / (POINTS_PER_WIDTH_UNIT * _LOWEST_SCALE)
    return fit_sheet(
        sheet,
        _planned_widths(sheet),
        lambda row, col: env.value(sheet.name, row, col),
        wraps,
        Page(page_ends, widest, budget),
    )


def column_breaks(sheet: Sheet, widths: Sequence[float]) -> list[int]:
    """Columns after which a page starts: after each December on "Monate"; elsewhere after
    as many whole years as print at `_LOWEST_SCALE` or larger, pages of equal year counts
    ("Varianten" as "Monate"; "Sensitivität" only when its columns do not fit one page)."""
    periods = len(widths) - TITLE_COLUMNS
    if kind(sheet.name) not in _PAGED or periods <= 0:
        return []
    room = printable_width(_margins_pt()) / (POINTS_PER_WIDTH_UNIT * _LOWEST_SCALE)
    if kind(sheet.name) in _WHOLE_IF_FITTING and sum(widths) <= room:
        return []
    if kind(sheet.name) in _MONTHLY:
        per_page = MONTHS_PER_PAGE
    else:
        fitting = (room - sum(widths[:TITLE_COLUMNS])) // max(widths[TITLE_COLUMNS:])
        pages = math.ceil(periods / max(1, int(fitting)))
        per_page = math.ceil(periods / pages)
    return list(range(TITLE_COLUMNS + per_page, len(widths), per_page))


def first_page_width(sheet: Sheet, widths: Sequence[float]) -> float:
    """The width (Excel's unit) of the first page across."""
    return page_widths(widths, column_breaks(sheet, widths), TITLE_COLUMNS)[0]


def _margins_pt() -> float:
    return 2 * _SIDE_MARGIN * 72


def _scale(widths: list[float], breaks: list[int]) -> int:
    """The largest scale (percent, at most 100) at which every page across fits the paper."""
    widest = max(page_widths(widths, breaks, TITLE_COLUMNS))
    fitting = printable_width(_margins_pt()) / (widest * POINTS_PER_WIDTH_UNIT)
    return min(100, math.floor(100 * fitting))


def _one_page_is_readable(ws: Worksheet, sheet: Sheet, widths: list[float]) -> bool:
    """Whether the whole sheet fits one page with its smallest text at MIN_TEXT_PT or more;
    otherwise it prints one page wide and continues on further pages."""
    last_row = max((row for row, _ in sheet.cells), default=1)
    default = float(ws.sheet_format.defaultRowHeight or 15)
    height = sum(ws.row_dimensions[row].height or default for row in range(1, last_row + 1))
    across = printable_width(_margins_pt()) / (sum(widths) * POINTS_PER_WIDTH_UNIT)
    down = (_PAPER_HEIGHT_PT - 2 * _TOP_BOTTOM_MARGIN * 72) / height
    return SMALLEST_FONT * min(1.0, across, down) >= MIN_TEXT_PT + 0.2  # room for rounding


def _row_height(ws: Worksheet, row: int) -> float:
    return float(ws.row_dimensions[row].height or ws.sheet_format.defaultRowHeight or 15)


def _page_starts(ws: Worksheet, sheet: Sheet, scale: float) -> list[int]:
    """The rows that start a new page: at the sheet's `break_rows`, as late as the blocks
    between them fit the page at `scale`; the title rows repeat on every page."""
    if not sheet.break_rows:
        return []
    room = (_PAPER_HEIGHT_PT - 2 * _TOP_BOTTOM_MARGIN * 72) / scale
    titles = sum(_row_height(ws, row) for row in range(1, (sheet.title_rows or (0, 0))[1] + 1))
    last_row = max(row for row, _ in sheet.cells)
    edges = [*sheet.break_rows, last_row + 1]
    starts: list[int] = []
    used = sum(_row_height(ws, row) for row in range(1, edges[0]))
    for start, end in itertools.pairwise(edges):
        block = sum(_row_height(ws, row) for row in range(start, end))
        if used + block > room and used > titles:
            starts.append(start)
            used = titles
        used += block
    return starts


def set_up(ws: Worksheet, sheet: Sheet, book: Book, fitted: Fit) -> None:
    """Column widths, row heights, lines across the page, and the page setup."""
    widths = list(fitted.widths)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[column_letter(col)].width = round(width, 2)
    for row, height in sorted(fitted.heights.items()):
        ws.row_dimensions[row].height = height
    for row, first, last in fitted.spans:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    _page_setup(ws, sheet, book, widths)


def _page_setup(ws: Worksheet, sheet: Sheet, book: Book, widths: list[float]) -> None:
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
    breaks = column_breaks(sheet, widths)
    if sheet.one_page and not breaks and _one_page_is_readable(ws, sheet, widths):
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        scale = _scale(widths, breaks)
        ws.page_setup.scale = scale
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
        for col in breaks:
            ws.col_breaks.append(Break(id=col))
        for row in _page_starts(ws, sheet, scale / 100):
            ws.row_breaks.append(Break(id=row - 1))
    if sheet.print_columns:
        last_row = max(row for row, _ in sheet.cells)
        ws.print_area = f"A1:{column_letter(len(widths))}{last_row}"
    ws.print_options.gridLines = False
    _header_footer(ws, book)
    if sheet.freeze is not None:
        row, col = sheet.freeze
        ws.freeze_panes = f"{column_letter(col)}{row}"
        ws.print_title_rows = f"1:{row - 1}"
        ws.print_title_cols = f"A:{column_letter(col - 1)}"
    else:
        if breaks:
            ws.print_title_cols = f"A:{column_letter(TITLE_COLUMNS)}"
        if sheet.title_rows is not None:
            ws.print_title_rows = f"{sheet.title_rows[0]}:{sheet.title_rows[1]}"


def header_text(text: str, limit: int, room_pt: float = math.inf) -> str:
    """A header part: "&" doubled (Excel's code character), shortened with "…" to `limit`
    characters and to `room_pt` points of printed width."""
    escaped = text.replace("&", "&&")
    while len(escaped) > limit or text_width_pt(escaped.replace("&&", "&")) > room_pt:
        text = text[:-1]
        escaped = text.rstrip().replace("&", "&&") + "…"
    return escaped


def _header_footer(ws: Worksheet, book: Book) -> None:
    """Municipality and Vorlage on the left, the title on the right, together within the
    page's width (the header prints unscaled); file, sheet and page in the footer."""
    room = printable_width(_margins_pt()) - 3 * _HEADER_FONT_PT  # a gap between the parts
    place = [book.properties.get(key, "") for key in ("municipality", "reference")]
    left = header_text(" – ".join(part for part in place if part), HEADER_LEFT, room * 0.45)
    title = book.properties.get("title", "")
    left_width = text_width_pt(left.replace("&&", "&"))
    right = header_text(title, HEADER_TEXT - len(left), room - left_width)
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None
    header.left.text = left
    header.right.text = right
    footer.left.text = "&F"
    footer.center.text = "&A"
    footer.right.text = "Seite &P von &N"
