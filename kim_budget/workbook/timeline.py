"""Timeline rows, shared by "Monate", "Haushalt" and "Prüfungen".

Column roles: label | unit | constant or total | one column per period. Each row has one formula,
the same in every period column (FAST: one formula per row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kim_budget import lines
from kim_budget.formula import Expr, Range, Ref, Term, lift
from kim_budget.workbook.grid import Sheet
from kim_budget.workbook.spec import FIRST_PERIOD, LABEL, MAX_FORMULA_LENGTH, TOTAL, UNIT

__all__ = ["FIRST_PERIOD", "LABEL", "TOTAL", "UNIT", "Timeline", "fitting_groups"]


def fitting_groups(
    parts: Sequence[Expr], formula: Callable[[Sequence[Expr]], Expr], sheet: str
) -> list[list[int]]:
    """The indices of `parts` cut into consecutive groups whose `formula(group)`, as seen from
    `sheet`, has at most MAX_FORMULA_LENGTH characters; one group when the whole fits.

    A total over many non-adjacent rows (20 positions' accounts, 40 checks) then becomes
    partial rows and a total of them, each formula short enough to read.
    """

    def fits(group: list[int]) -> bool:
        return len(formula([parts[i] for i in group]).render(sheet)) <= MAX_FORMULA_LENGTH

    greedy: list[list[int]] = [[]]
    for index in range(len(parts)):
        if greedy[-1] and not fits([*greedy[-1], index]):
            greedy.append([])
        greedy[-1].append(index)
    size = -(-len(parts) // len(greedy))  # the same number of groups, evenly filled
    even = [
        list(range(start, min(start + size, len(parts))))
        for start in range(0, len(parts), size or 1)
    ]
    return even if len(even) == len(greedy) and all(fits(group) for group in even) else greedy


class Timeline:
    """Writes rows one below the other: label, unit, optional total, one formula per period."""

    def __init__(self, sheet: Sheet, periods: int, first_row: int) -> None:
        self.sheet = sheet
        self.first_col = FIRST_PERIOD
        self.last_col = FIRST_PERIOD + periods - 1
        self.row = first_row
        self._periods: dict[int, Range] = {}

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
        """The period columns of one row (absolute; made once per row)."""
        found = self._periods.get(row)
        if found is None:
            found = self._periods[row] = self.sheet.row_range(row, self.first_col, self.last_col)
        return found

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
