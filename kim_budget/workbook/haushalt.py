"""Sheet "Haushalt": one column per Haushaltsjahr, summed from the monthly calculation.

Rows: Personalaufwand, Förderung, Eigenanteil, Deckung, Haushaltsbelastung. The defined names
`Personalaufwand_Y`, `Foerderung_Y`, `Eigenanteil_Y` and `Haushaltsbelastung_Y` point here.
"""

from __future__ import annotations

from dataclasses import dataclass

from kim_budget import lines
from kim_budget.formula import Ref, column_letter, pick
from kim_budget.scenario import Scenario
from kim_budget.workbook import formats, monate
from kim_budget.workbook.annahmen import Inputs
from kim_budget.workbook.grid import Sheet

NAME = "Haushalt"
LABEL, UNIT, TOTAL, FIRST_YEAR = 1, 2, 3, 4
YEAR_ROW = 4  # the header row: its year columns count up from the first Haushaltsjahr

# Defined-name stem per result row (a contract: other workbooks and the tests rely on them).
RESULT_NAMES = ("Personalaufwand", "Foerderung", "Eigenanteil", "Deckung", "Haushaltsbelastung")
PUBLISHED_NAMES = ("Personalaufwand", "Foerderung", "Eigenanteil", "Haushaltsbelastung")


@dataclass(frozen=True)
class YearRows:
    """Where the annual results are: one row per result, one column per year."""

    sheet: str
    first_col: int
    last_col: int
    rows: dict[str, int]

    def cell(self, result: str, year_index: int) -> Ref:
        """The cell of one result (a RESULT_NAMES entry) in the n-th year of the horizon."""
        return Ref(self.sheet, self.rows[result], self.first_col + year_index)


def lay_out(sheet: Sheet, scenario: Scenario, inputs: Inputs, months: monate.MonthRows) -> YearRows:
    """Write the annual results and return where they are."""
    last_col = FIRST_YEAR + len(scenario.years) - 1
    sheet.put(1, LABEL, f"Haushalt – {scenario.title}", role="title")
    sheet.put(
        2,
        LABEL,
        "Beträge in € je Haushaltsjahr (positiv); Differenzen als Aufwand − Ertrag.",
        role="note",
    )
    for col, header in ((LABEL, "Haushaltsjahr"), (UNIT, "Einheit"), (TOTAL, "Summe")):
        sheet.put(YEAR_ROW, col, header, role="header")
    month_years = months.row_range(monate.YEAR_ROW)
    rows: dict[str, int] = {}
    row = YEAR_ROW + 1

    def add(
        key: str, label: str, unit: str, number_format: str, formula: object, total: bool = True
    ) -> None:
        nonlocal row
        sheet.put(row, LABEL, label, role="label")
        sheet.put(row, UNIT, unit, role="unit")
        for col in range(FIRST_YEAR, last_col + 1):
            sheet.put(row, col, formula(col), number_format)  # type: ignore[operator]
        if total:
            sheet.put(
                row,
                TOTAL,
                lines.sum_of(sheet.row_range(row, FIRST_YEAR, last_col)),
                number_format,
                role="total",
            )
        rows[key] = row
        row += 1

    def here(key: str, col: int) -> Ref:
        return sheet.ref(rows[key], col, fix_row=False, fix_col=False)

    def year(col: int) -> Ref:
        return sheet.ref(YEAR_ROW, col, fix_col=False)

    for col in range(FIRST_YEAR, last_col + 1):
        sheet.put(
            YEAR_ROW,
            col,
            lines.year_after(sheet.ref(YEAR_ROW, col - 1, fix_col=False), inputs.first_year),
            formats.YEAR,
            role="header",
        )
    add(
        "Personalaufwand",
        "Personalaufwand (Aufwand)",
        "€",
        formats.EURO,
        lambda col: lines.sum_of_year(
            month_years, year(col), months.row_range(months.personalaufwand)
        ),
    )
    add(
        "Foerderung",
        "Förderung (Ertrag)",
        "€",
        formats.EURO,
        lambda col: lines.sum_of_year(month_years, year(col), months.row_range(months.foerderung)),
    )
    add(
        "Eigenanteil",
        "Eigenanteil (Aufwand − Ertrag)",
        "€",
        formats.EURO,
        lambda col: lines.difference(here("Personalaufwand", col), here("Foerderung", col)),
    )
    add(
        "Gedeckt",
        "Eigenanteil im Personalhaushalt gedeckt (1 = ja)",
        "Flag",
        formats.FLAG,
        lambda col: lines.covered(pick(inputs.offset_flags, year(col) - inputs.first_year + 1)),
        total=False,
    )
    add(
        "Deckung",
        "Deckung im laufenden Personalhaushalt",
        "€",
        formats.EURO,
        lambda col: lines.deckung(here("Eigenanteil", col), here("Gedeckt", col)),
    )
    add(
        "Haushaltsbelastung",
        "Haushaltsbelastung (Eigenanteil − Deckung)",
        "€",
        formats.EURO,
        lambda col: lines.difference(here("Eigenanteil", col), here("Deckung", col)),
    )
    for key in ("Eigenanteil", "Haushaltsbelastung"):
        area = f"{column_letter(TOTAL)}{rows[key]}:{column_letter(last_col)}{rows[key]}"
        sheet.conditional.append((area, "negative"))
    sheet.freeze = (YEAR_ROW + 1, FIRST_YEAR)
    return YearRows(sheet.name, FIRST_YEAR, last_col, rows)


def define_names(names: dict[str, Ref], scenario: Scenario, years: YearRows) -> None:
    """Workbook-scope names for every year's results, e.g. Eigenanteil_2025."""
    for index, year in enumerate(scenario.years):
        for result in PUBLISHED_NAMES:
            names[f"{result}_{year}"] = years.cell(result, index)
