"""The figures of a scenario, read from its evaluated workbook layout.

The layout (`kim_budget.workbook`) is the one place where the calculated lines of `lines.py` are
connected. Evaluating it (`workbook.grid.BookEnv`) gives every cell's value — the values the
file caches — and the figures here are read from those cells, so the CLI, the council texts and
the workbook cannot disagree. Pure: no I/O.
"""

from __future__ import annotations

from kim_budget.formula import Env, Ref, Scalar
from kim_budget.results import Result, Variante, Year
from kim_budget.scenario import Scenario
from kim_budget.workbook import ScenarioSheets, lay_out_workbook
from kim_budget.workbook.grid import BookEnv

__all__ = ["Result", "Year", "compute", "read_result"]


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
            sachaufwand=cell("Sachaufwand", index),
            gemeinkosten=cell("Gemeinkosten", index),
            vollkosten=cell("Vollkosten", index),
            eigenanteil_vollkosten=cell("Eigenanteil_Vollkosten", index),
        )
        for index, year in enumerate(scenario.years)
    )
    return Result(scenario, years, _sensitivity(laid, env))


def _sensitivity(laid: ScenarioSheets, env: Env) -> tuple[Variante, ...]:
    """The base and variants of "Sensitivität", from its evaluated cells."""
    if laid.sensitivity is None:
        return ()
    sens = laid.sensitivity

    def value(ref: Ref) -> float:
        return _number(env.value(ref.sheet, ref.row, ref.col))

    def difference(name: str) -> float:  # the base has none: 0
        ref = sens.differences.get(name)
        return 0.0 if ref is None else value(ref)

    return tuple(
        Variante(v.name, v.label, value(sens.names[v.name]), difference(v.name))
        for v in sens.variants
    )


def compute(scenario: Scenario) -> Result:
    """Calculate a scenario: lay out its workbook, evaluate it, read the yearly figures."""
    layout = lay_out_workbook(scenario)
    return read_result(layout.sheets, BookEnv(layout.book))
