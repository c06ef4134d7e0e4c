"""Sheet "Prüfungen": checks that must all hold, each a formula, and one master check.

Columns: label | unit | result | one column per Haushaltsjahr (aligned with "Haushalt").
The master check is named `Pruefung_OK` and shown on the cover.
"""

from __future__ import annotations

from kim_budget import lines
from kim_budget.formula import Range, Ref, Term, pick
from kim_budget.scenario import Scenario
from kim_budget.workbook import formats, haushalt, monate
from kim_budget.workbook.annahmen import Inputs
from kim_budget.workbook.grid import Sheet

NAME = "Prüfungen"
LABEL, UNIT, RESULT, FIRST_YEAR = 1, 2, 3, 4
HEADER_ROW = 4
CHECK_UNIT = "WAHR/FALSCH"
NOTE = (
    "Jede Prüfung muss WAHR ergeben; das Gesamtergebnis steht auf der Übersicht. "
    "Differenzen bis zur Toleranz auf „Annahmen“ gelten als Rundung."
)
SUMMED = (
    ("Personalaufwand", "Personalaufwand"),
    ("Foerderung", "Förderung"),
    ("Eigenanteil", "Eigenanteil"),
)


class _Checks:
    """Writes check rows and remembers every check cell for the master check."""

    def __init__(self, sheet: Sheet, years: haushalt.YearRows) -> None:
        self.sheet = sheet
        self.years = years
        self.row = HEADER_ROW + 1
        self.checks: list[Ref] = []

    def section(self, title: str) -> None:
        self.row += 1
        self.sheet.put(self.row, LABEL, title, role="section")
        self.row += 1

    def value(self, label: str, unit: str, number_format: str, formula: Term) -> Ref:
        """A row with one figure that a check compares."""
        self.sheet.put(self.row, LABEL, label, role="label")
        self.sheet.put(self.row, UNIT, unit, role="unit")
        ref = self.sheet.put(self.row, RESULT, formula, number_format)
        self.row += 1
        return ref

    def check(self, label: str, formula: Term) -> Ref:
        """A row with one check."""
        ref = self.value(label, CHECK_UNIT, formats.BOOLEAN, formula)
        self.checks.append(ref)
        self.sheet.conditional.append((ref.coordinate(), "false"))
        return ref

    def per_year(
        self, label: str, unit: str, number_format: str, formula: object, is_check: bool = False
    ) -> int:
        """A row with one formula per year; a check row also combines its years in RESULT."""
        row = self.row
        self.sheet.put(row, LABEL, label, role="label")
        self.sheet.put(row, UNIT, unit, role="unit")
        for col in range(FIRST_YEAR, FIRST_YEAR + self.years.last_col - self.years.first_col + 1):
            self.sheet.put(row, col, formula(col), number_format)  # type: ignore[operator]
        if is_check:
            years = Range(self.sheet.ref(row, FIRST_YEAR), self.sheet.ref(row, col))
            ref = self.sheet.put(row, RESULT, lines.all_passed(years), formats.BOOLEAN)
            self.checks.append(ref)
            self.sheet.conditional.append(
                (f"{ref.coordinate()}:{years.last.coordinate()}", "false")
            )
        self.row += 1
        return row


def _in_year(years: haushalt.YearRows, col: int, row: int) -> Ref:
    """A cell of "Haushalt" in the same year column (relative column)."""
    return Ref(years.sheet, row, col, fix_row=False, fix_col=False)


def lay_out(
    sheet: Sheet,
    scenario: Scenario,
    inputs: Inputs,
    months: monate.MonthRows,
    years: haushalt.YearRows,
) -> Ref:
    """Write the checks and return the master check's cell."""
    sheet.put(1, LABEL, f"Prüfungen – {scenario.title}", role="title")
    sheet.put(2, LABEL, NOTE, role="note")
    for col, header in ((LABEL, "Prüfung"), (UNIT, "Einheit"), (RESULT, "Ergebnis")):
        sheet.put(HEADER_ROW, col, header, role="header")
    for index in range(len(scenario.years)):
        year = Ref(years.sheet, haushalt.YEAR_ROW, years.first_col + index, fix_col=False)
        sheet.put(HEADER_ROW, FIRST_YEAR + index, year, formats.YEAR, role="header")
    checks = _Checks(sheet, years)

    def _year(col: int) -> Ref:
        return sheet.ref(HEADER_ROW, col, fix_col=False)

    tolerance = inputs.tolerance

    checks.section("Summe der Haushaltsjahre gegen Summe der Monate")
    month_rows = {
        "Personalaufwand": months.personalaufwand,
        "Foerderung": months.foerderung,
        "Eigenanteil": months.eigenanteil,
    }
    for key, label in SUMMED:
        year_total = Ref(years.sheet, years.rows[key], haushalt.TOTAL)
        month_total = Ref(months.sheet, month_rows[key], monate.CONSTANT)
        difference = checks.value(
            f"{label}: Jahre − Monate", "€", formats.EURO, lines.difference(year_total, month_total)
        )
        checks.check(
            f"{label}: Summe der Jahre = Summe der Monate", lines.within(difference, tolerance)
        )

    checks.section("Je Haushaltsjahr")
    rows = years.rows
    month_years = months.row_range(monate.YEAR_ROW)
    gap = checks.per_year(
        "Eigenanteil der Monate − (Personalaufwand − Förderung)",
        "€",
        formats.EURO,
        lambda col: lines.difference(
            lines.sum_of_year(month_years, _year(col), months.row_range(months.eigenanteil)),
            lines.difference(
                _in_year(years, col, rows["Personalaufwand"]),
                _in_year(years, col, rows["Foerderung"]),
            ),
        ),
    )
    checks.per_year(
        "Eigenanteil = Personalaufwand − Förderung",
        CHECK_UNIT,
        formats.BOOLEAN,
        lambda col: lines.within(sheet.ref(gap, col, fix_row=False, fix_col=False), tolerance),
        is_check=True,
    )
    checks.per_year(
        "Deckung nur in Jahren mit Deckung",
        CHECK_UNIT,
        formats.BOOLEAN,
        lambda col: lines.covered_only_in_offset_years(
            lines.covered(pick(inputs.offset_flags, _year(col) - inputs.first_year + 1)),
            _in_year(years, col, rows["Deckung"]),
        ),
        is_check=True,
    )

    checks.section("Monate")
    if months.fte_cap is not None:
        highest = checks.value(
            "Höchste geförderte VZÄ eines Monats",
            "VZÄ",
            formats.VZAE_PLAIN,
            lines.largest_of(months.row_range(months.funded_fte)),
        )
        checks.check(
            "Geförderte VZÄ nie über der Obergrenze", lines.at_most(highest, months.fte_cap)
        )
    lowest = checks.value(
        "Niedrigster Personalaufwand eines Monats",
        "€",
        formats.EURO,
        lines.smallest_of(months.row_range(months.personalaufwand)),
    )
    checks.check("Kein negativer Personalaufwand", lines.not_negative(lowest))

    checks.section("Gesamtergebnis")
    master = checks.value(
        "Alle Prüfungen bestanden", CHECK_UNIT, formats.BOOLEAN, lines.all_passed(checks.checks)
    )
    sheet.conditional.append((master.coordinate(), "false"))
    sheet.title_rows = (1, HEADER_ROW)
    return master
