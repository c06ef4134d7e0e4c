"""The figures of a scenario, read from its evaluated workbook layout.

The layout (`kim_budget.workbook`) is the one place where the calculated lines of `lines.py` are
connected. Evaluating it (`workbook.grid.BookEnv`) gives every cell's value — the values the
file caches — and the figures here are read from those cells, so the CLI, the council texts and
the workbook cannot disagree. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from kim_budget.formula import Env, Scalar
from kim_budget.scenario import Scenario
from kim_budget.workbook import ScenarioSheets, lay_out_workbook
from kim_budget.workbook.grid import BookEnv


@dataclass(frozen=True)
class Year:
    """The figures of one Haushaltsjahr in € (amounts positive, differences Aufwand − Ertrag)."""

    year: int
    personalaufwand: float
    foerderung: float
    eigenanteil: float
    deckung: float
    haushaltsbelastung: float
    filled: int
    """How many posts are filled in at least one month of the year (whatever they cost)."""
    entgelte: float | None = None
    """With positions priced from the pay tables: their pay (account 5012); else None."""
    versorgungskasse: float | None = None
    """Their pension fund contributions (account 5022)."""
    sozialversicherung: float | None = None
    """Their employer's social insurance (account 5032)."""


@dataclass(frozen=True)
class Result:
    """The calculated scenario."""

    scenario: Scenario
    years: tuple[Year, ...]

    def year(self, year: int) -> Year:
        """The figures of one Haushaltsjahr."""
        return next(entry for entry in self.years if entry.year == year)


def _number(value: Scalar) -> float:
    assert isinstance(value, int | float), value
    return float(value)


def read_result(laid: ScenarioSheets, env: Env) -> Result:
    """The yearly figures of a laid-out scenario, from the evaluated cells of "Haushalt"."""
    scenario, rows, months = laid.scenario, laid.years, laid.months

    def cell(key: str, index: int) -> float:
        ref = rows.cell(key, index)
        return _number(env.value(ref.sheet, ref.row, ref.col))

    def account(key: str, index: int) -> float | None:
        return cell(key, index) if key in rows.rows else None

    def filled(year: int) -> int:
        columns = [
            col
            for col in range(months.first_col, months.last_col + 1)
            if env.value(months.sheet, months.year_row, col) == year
        ]
        return sum(
            any(env.value(months.sheet, row, col) for col in columns) for row in months.active
        )

    years = tuple(
        Year(
            year=year,
            personalaufwand=cell("Personalaufwand", index),
            foerderung=cell("Foerderung", index),
            eigenanteil=cell("Eigenanteil", index),
            deckung=cell("Deckung", index),
            haushaltsbelastung=cell("Haushaltsbelastung", index),
            filled=filled(year),
            entgelte=account("Entgelte", index),
            versorgungskasse=account("Versorgungskasse", index),
            sozialversicherung=account("Sozialversicherung", index),
        )
        for index, year in enumerate(scenario.years)
    )
    return Result(scenario, years)


def compute(scenario: Scenario) -> Result:
    """Calculate a scenario: lay out its workbook, evaluate it, read the yearly figures."""
    layout = lay_out_workbook(scenario)
    return read_result(layout.sheets, BookEnv(layout.book))
