"""Sheet "Haushalt": one column per Haushaltsjahr, summed from the monthly calculation.

Rows: Personalaufwand, Sachaufwand, Förderung, Eigenanteil, Deckung, Haushaltsbelastung, and
for comparison the full cost (Gemeinkosten, Vollkosten, Eigenanteil bei Vollkosten). The
defined names `Personalaufwand_Y`, `Sachaufwand_Y`, `Foerderung_Y`, `Eigenanteil_Y`,
`Haushaltsbelastung_Y`, `Gemeinkosten_Y`, `Vollkosten_Y` and `Eigenanteil_Vollkosten_Y` point
here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kim_budget import lines
from kim_budget.formula import Ref, Term, column_letter, pick
from kim_budget.scenario import Scenario
from kim_budget.workbook import formats, monate, spec
from kim_budget.workbook.annahmen import Inputs
from kim_budget.workbook.grid import Sheet
from kim_budget.workbook.timeline import FIRST_PERIOD, LABEL, TOTAL, UNIT, Timeline

NAME = spec.HAUSHALT
FIRST_YEAR = FIRST_PERIOD
NOTE = "Beträge in € je Haushaltsjahr (positiv); Differenzen als Aufwand − Ertrag."
YEAR_ROW = 4  # the header row: its year columns count up from the first Haushaltsjahr
LINES = {line.key: line for line in spec.RESULT_LINES}


@dataclass(frozen=True)
class YearRows:
    """Where the annual results are: one row per result, one column per year."""

    sheet: str
    first_col: int
    last_col: int
    rows: dict[str, int]

    def cell(self, result: str, year_index: int) -> Ref:
        """The cell of one result (a key of `rows`) in the n-th year of the horizon."""
        return Ref(self.sheet, self.rows[result], self.first_col + year_index)


def lay_out(sheet: Sheet, scenario: Scenario, inputs: Inputs, months: monate.MonthRows) -> YearRows:
    """Write the annual results and return where they are."""
    t = Timeline(sheet, len(scenario.years), YEAR_ROW + 1)
    sheet.put(1, LABEL, f"Haushalt – {scenario.title}", role="title")
    sheet.put(2, LABEL, NOTE, role="note")
    for col, header in ((LABEL, "Haushaltsjahr"), (UNIT, "Einheit"), (TOTAL, "Summe")):
        sheet.put(YEAR_ROW, col, header, role="header")
    for col in range(t.first_col, t.last_col + 1):
        previous = sheet.ref(YEAR_ROW, col - 1, fix_col=False)
        year_after = lines.year_after(previous, inputs.first_year)
        sheet.put(YEAR_ROW, col, year_after, formats.YEAR, role="header")

    def year(col: int) -> Ref:
        return sheet.ref(YEAR_ROW, col, fix_col=False)

    def summed(row: int) -> Callable[[int], Term]:
        month_years = months.row_range(monate.YEAR_ROW)
        return lambda col: lines.sum_of_year(month_years, year(col), months.row_range(row))

    rows: dict[str, int] = {}

    def result(key: str, formula: Callable[[int], Term]) -> None:
        line = LINES[key]
        rows[key] = t.add(line.label, line.unit, formats.EURO, formula, total=True)

    for key, row in (months.accounts or {}).items():
        if key == "Pauschal":
            rows[key] = t.add(spec.FLAT_COST_LABEL, "€", formats.EURO, summed(row), total=True)
        else:
            result(key, summed(row))
    result("Personalaufwand", summed(months.personalaufwand))
    result("Sachaufwand", summed(months.sachaufwand))
    result("Foerderung", summed(months.foerderung))
    result(
        "Eigenanteil",
        lambda col: lines.eigenanteil(
            t.here(rows["Personalaufwand"], col),
            t.here(rows["Sachaufwand"], col),
            t.here(rows["Foerderung"], col),
        ),
    )
    rows["Gedeckt"] = t.add(
        "Eigenanteil im Personalhaushalt gedeckt (1 = ja)",
        "Flag",
        formats.FLAG,
        lambda col: lines.covered(pick(inputs.offset_flags, year(col) - inputs.first_year + 1)),
    )
    result(
        "Deckung",
        lambda col: lines.deckung(t.here(rows["Eigenanteil"], col), t.here(rows["Gedeckt"], col)),
    )
    result(
        "Haushaltsbelastung",
        lambda col: lines.difference(
            t.here(rows["Eigenanteil"], col), t.here(rows["Deckung"], col)
        ),
    )
    _full_cost(t, inputs, rows, result)
    for key in spec.NEGATIVE_HIGHLIGHTED:
        area = f"{column_letter(TOTAL)}{rows[key]}:{column_letter(t.last_col)}{rows[key]}"
        sheet.conditional.append((area, "negative"))
    sheet.freeze = (YEAR_ROW + 1, t.first_col)
    return YearRows(sheet.name, t.first_col, t.last_col, rows)


def _full_cost(
    t: Timeline,
    inputs: Inputs,
    rows: dict[str, int],
    result: Callable[[str, Callable[[int], Term]], None],
) -> None:
    """The full cost, for comparison only: Gemeinkosten are calculated, no expense."""
    t.section("Vollkosten (kalkulatorisch, für den Vergleich der Kosten)")
    result(
        "Gemeinkosten",
        lambda col: lines.gemeinkosten(
            t.here(rows["Personalaufwand"], col), inputs.material.overhead_percent
        ),
    )
    result(
        "Vollkosten",
        lambda col: lines.vollkosten(
            t.here(rows["Personalaufwand"], col),
            t.here(rows["Sachaufwand"], col),
            t.here(rows["Gemeinkosten"], col),
        ),
    )
    result(
        "Eigenanteil_Vollkosten",
        lambda col: lines.difference(
            t.here(rows["Vollkosten"], col), t.here(rows["Foerderung"], col)
        ),
    )


def define_names(names: dict[str, Ref], scenario: Scenario, years: YearRows) -> None:
    """Workbook-scope names for every year's results, e.g. Eigenanteil_2025."""
    for index, year in enumerate(scenario.years):
        for line in spec.RESULT_LINES:
            if line.published and line.key in years.rows:
                names[f"{line.key}_{year}"] = years.cell(line.key, index)
