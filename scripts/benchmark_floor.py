"""The floor scripts/benchmark.py measures a build against: the same cells written by bare
openpyxl the fast way, and by XlsxWriter with their values when it is installed.

Fast means openpyxl's own fast path: one named style per role, made once per workbook; the
first cell of each role and number format gets it, and every other cell a copy of that
prototype's style array. Formulas are written without cached values (openpyxl has none to
write), with openpyxl's ordinary save. What the floor writes is prepared before it is timed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side

from kim_budget.formula import Expr, Scalar
from kim_budget.workbook.grid import Book, BookEnv

StyleKey = tuple[str, str | None, bool]
"""Role, number format, text or not."""
FloorCell = tuple[int, int, Any, Scalar, StyleKey]
"""Row, column, what openpyxl is given, the cached value, the style."""
BOLD = frozenset({"title", "header", "section", "total", "structure"})
FILLS = {"header": "D9D9D9", "section": "F2F2F2", "structure": "E7EEF7", "input": "FFF2CC"}


@dataclass(frozen=True)
class FloorBook:
    """A laid-out book as the floor writes it: sheets of prepared cells."""

    sheets: tuple[tuple[str, tuple[FloorCell, ...]], ...]


def floor_book(book: Book) -> FloorBook:
    """The book's cells, values rendered (formulas as "=" text, dates as datetimes)."""
    env = BookEnv(book)
    sheets = []
    for sheet in book.sheets:
        cells = []
        for (row, col), cell in sorted(sheet.cells.items()):
            content = cell.content
            cached: Scalar = env.value(sheet.name, row, col)
            if isinstance(content, Expr):
                given: Any = "=" + content.render(sheet.name)
            elif isinstance(content, date) and not isinstance(content, datetime):
                given = datetime(content.year, content.month, content.day)
            else:
                given = content
            key = (cell.role, cell.number_format, isinstance(content, str))
            cells.append((row, col, given, cached, key))
        sheets.append((sheet.name, tuple(cells)))
    return FloorBook(tuple(sheets))


def _named_style(role: str) -> NamedStyle:
    fill = FILLS.get(role)
    return NamedStyle(
        name=f"floor {role}",
        font=Font(name="Arial", size=10, bold=role in BOLD),
        fill=PatternFill("solid", fgColor=fill) if fill else PatternFill(),
        border=Border(bottom=Side(style="thin")) if role == "header" else Border(),
        alignment=Alignment(vertical="top"),
        protection=Protection(locked=role != "input"),
    )


def write_floor(book: FloorBook) -> bytes:
    """Bare openpyxl, fast path: one style per role, copied from a prototype cell."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    roles: set[str] = set()
    prototypes: dict[StyleKey, Any] = {}
    for name, cells in book.sheets:
        ws = wb.create_sheet(name)
        for row, col, given, _, key in cells:
            target: Any = ws.cell(row=row, column=col, value=given)
            prototype = prototypes.get(key)
            if prototype is not None:
                target._style = copy(prototype)
                continue
            role, number_format, text = key
            if role not in roles:
                wb.add_named_style(_named_style(role))
                roles.add(role)
            target.style = f"floor {role}"
            target.number_format = number_format or ("@" if text else "General")
            prototypes[key] = copy(target._style)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsxwriter() -> Callable[[FloorBook], bytes] | None:
    """XlsxWriter writing the same cells with their cached values, when it is installed."""
    try:
        import xlsxwriter  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None

    def write(book: FloorBook) -> bytes:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        formats: dict[StyleKey, Any] = {}
        for name, cells in book.sheets:
            ws = workbook.add_worksheet(name)
            for row, col, given, cached, key in cells:
                role, number_format, text = key
                if key not in formats:
                    formats[key] = workbook.add_format(
                        {
                            "font_name": "Arial",
                            "font_size": 10,
                            "bold": role in BOLD,
                            "num_format": number_format or ("@" if text else "General"),
                            "valign": "top",
                            "locked": role != "input",
                        }
                    )
                style = formats[key]
                if isinstance(given, str) and given.startswith("="):
                    ws.write_formula(row - 1, col - 1, given, style, cached)
                else:
                    ws.write(row - 1, col - 1, given, style)
        workbook.close()
        return buffer.getvalue()

    return write


write_xlsxwriter = _xlsxwriter()
