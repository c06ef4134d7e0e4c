"""Timeline rows, shared by "Monate", "Haushalt" and "Prüfungen".

Column roles: label | unit | constant or total | one column per period. Each row has one formula,
the same in every period column (FAST: one formula per row).
"""

from __future__ import annotations

from collections.abc import Callable

from kim_budget import lines
from kim_budget.formula import Range, Ref, Term, lift
from kim_budget.workbook.grid import Sheet
from kim_budget.workbook.spec import FIRST_PERIOD, LABEL, TOTAL, UNIT

__all__ = ["FIRST_PERIOD", "LABEL", "TOTAL", "UNIT", "Timeline"]


class Timeline:
    """Writes rows one below the other: label, unit, optional total, one formula per period."""

    def __init__(self, sheet: Sheet, periods: int, first_row: int) -> None:
        self.sheet = sheet
        self.first_col = FIRST_PERIOD
        self.last_col = FIRST_PERIOD + periods - 1
        self.row = first_row

    def section(self, title: str) -> None:
        """A blank row, then a section title."""
        self.row += 1
        self.sheet.put(self.row, LABEL, title, role="section")
        self.row += 1

    def here(self, row: int, col: int) -> Ref:
        """A cell of another row in the same period column (relative references)."""
        return self.sheet.ref(row, col, fix_row=False, fix_col=False)

    def span(self, rows: list[int], col: int) -> Range:
        """Consecutive rows in one period column, as a relative range."""
        return Range(self.here(rows[0], col), self.here(rows[-1], col))

    def periods(self, row: int) -> Range:
        """The period columns of one row (absolute)."""
        return self.sheet.row_range(row, self.first_col, self.last_col)

    def add(
        self,
        label: str,
        unit: str,
        number_format: str,
        formula: Callable[[int], Term],
        total: bool = False,
    ) -> int:
        """A row with `formula(column)` in every period column; with `total`, their sum."""
        row = self.row
        self.sheet.put(row, LABEL, label, role="label")
        self.sheet.put(row, UNIT, unit, role="unit")
        for col in range(self.first_col, self.last_col + 1):
            self.sheet.put(row, col, lift(formula(col)), number_format)
        if total:
            self.sheet.put(row, TOTAL, lines.sum_of(self.periods(row)), number_format, role="total")
        self.row += 1
        return row
