"""The laid-out workbook before it becomes a file: sheets of cells, defined names, properties.

A cell holds a value (text, number, boolean, date) or an `Expr`. The writer turns this into an
.xlsx file; the finisher evaluates the same expressions for the cached values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from kim_budget.formula import (
    Expr,
    Range,
    Ref,
    Scalar,
    criteria_index,
    date_to_serial,
    evaluate,
)

Content = Expr | Scalar | date


@dataclass(frozen=True)
class Cell:
    """One cell: its content, number format (None for text) and role (drives the cell style)."""

    content: Content
    number_format: str | None
    role: str
    validation: Validation | None = None


@dataclass(frozen=True)
class Validation:
    """Data validation of an input cell, with German prompt and error texts."""

    kind: Literal["decimal", "whole", "date", "list", "textLength"]
    operator: Literal["between", "greaterThan", "greaterThanOrEqual", "lessThanOrEqual"]
    first: str
    second: str | None
    title: str
    prompt: str
    error: str


@dataclass(frozen=True)
class Chart:
    """A clustered bar chart of some rows of a table, years as categories.

    With `down_columns`, `categories` and `series` are columns instead, and `first_col` and
    `last_col` the first and last row (a table with one row per municipality).
    """

    title: str
    alt_text: str
    categories: int
    series: tuple[int, ...]
    series_titles: tuple[str, ...]
    first_col: int
    last_col: int
    anchor_row: int
    down_columns: bool = False
    number_format: str = '#,##0 "€"'
    height_cm: float = 7.5
    """The chart's height; the layout keeps that many rows free below `anchor_row`."""
    source: str | None = None
    """The sheet whose rows the chart draws (None: its own)."""
    area: tuple[int, int] | None = None
    """The first and last column the chart covers, from `anchor_row` on (None: from column A,
    as wide as its years need within the first page)."""
    horizontal: bool = False
    """Bars across, the first category on top (a tornado chart) instead of columns."""


@dataclass
class Sheet:
    """One worksheet being laid out."""

    name: str
    one_page: bool = False
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    column_widths: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None
    title_rows: tuple[int, int] | None = None
    # (A1 range, kind): "negative" amounts and "false" checks are highlighted.
    conditional: list[tuple[str, str]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    print_columns: int = 0
    """Columns A to this one print, used or not (room for a chart beside a table)."""
    break_rows: tuple[int, ...] = ()
    """Rows a printed page may start with when the sheet does not fit one page; between them
    the rows stay on one page (a table and the chart beside it)."""
    _refs: dict[tuple[int, int, bool, bool], Ref] = field(
        default_factory=dict, repr=False, compare=False
    )

    def put(
        self,
        row: int,
        col: int,
        content: Content,
        number_format: str | None = None,
        role: str = "calc",
        validation: Validation | None = None,
    ) -> Ref:
        """Place a cell and return an absolute reference to it."""
        self.cells[(row, col)] = Cell(content, number_format, role, validation)
        return Ref(self.name, row, col)

    def ref(self, row: int, col: int, fix_row: bool = True, fix_col: bool = True) -> Ref:
        """A reference to a cell of this sheet (made once: references are immutable, and a
        large sheet asks for the same ones hundreds of thousands of times)."""
        key = (row, col, fix_row, fix_col)
        found = self._refs.get(key)
        if found is None:
            found = self._refs[key] = Ref(self.name, row, col, fix_row, fix_col)
        return found

    def row_range(self, row: int, first_col: int, last_col: int) -> Range:
        """An absolute range along one row."""
        return Range(self.ref(row, first_col), self.ref(row, last_col))

    def column_range(self, col: int, first_row: int, last_row: int) -> Range:
        """An absolute range down one column."""
        return Range(self.ref(first_row, col), self.ref(last_row, col))


@dataclass
class Book:
    """A workbook being laid out: sheets in order, workbook-scope names, document properties."""

    sheets: list[Sheet]
    names: dict[str, Ref] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)

    def sheet(self, name: str) -> Sheet:
        """The sheet of that name."""
        return next(sheet for sheet in self.sheets if sheet.name == name)


_UNKNOWN = object()
"""A cell not evaluated yet (None is an empty cell's value)."""


class BookEnv:
    """Evaluates the cells of a book, each formula once (memoized)."""

    def __init__(self, book: Book) -> None:
        self._sheets = {sheet.name: sheet for sheet in book.sheets}
        self._values: dict[tuple[str, int, int], Scalar] = {}
        self._ranges: dict[tuple[str, int, int, int, int], list[Scalar]] = {}
        self._indexes: dict[tuple[str, int, int, int, int], dict[Scalar, list[int]]] = {}

    def value(self, sheet: str, row: int, col: int) -> Scalar:
        """The value of a cell; formulas are evaluated on first use."""
        key = (sheet, row, col)
        found = self._values.get(key, _UNKNOWN)  # not try/except: every cell misses once
        if found is _UNKNOWN:
            cell = self._sheets[sheet].cells.get((row, col))
            found = self._values[key] = None if cell is None else self._evaluate(cell.content)
        return found  # type: ignore[return-value]

    def range_values(self, area: Range) -> list[Scalar]:
        """The values of a range, row by row, each range read once (callers must not change
        the list)."""
        first, last = area.first, area.last
        key = _range_key(area)
        if key not in self._ranges:
            self._ranges[key] = [
                self.value(first.sheet, row, col)
                for row in range(first.row, last.row + 1)
                for col in range(first.col, last.col + 1)
            ]
        return self._ranges[key]

    def criteria_index(self, area: Range) -> dict[Scalar, list[int]]:
        """A range's values → their positions, built once per range (the SUMIF and SUMIFS
        criteria: a year's sum finds its months without scanning the horizon)."""
        key = _range_key(area)
        if key not in self._indexes:
            self._indexes[key] = criteria_index(self.range_values(area))
        return self._indexes[key]

    def _evaluate(self, content: Content) -> Scalar:
        if isinstance(content, Expr):
            return evaluate(content, self)
        if isinstance(content, date):
            return date_to_serial(content)
        return content


def _range_key(area: Range) -> tuple[str, int, int, int, int]:
    """A range by its sheet and corners (whether its references are fixed does not matter)."""
    first, last = area.first, area.last
    return (first.sheet, first.row, first.col, last.row, last.col)
