"""Sheet "Prüfungen": checks that must all hold, each a formula, and one master check.

Columns: label | unit | result | one column per Haushaltsjahr (aligned with "Haushalt").
The master check is named `Pruefung_OK` and shown on the cover.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from kim_budget import lines
from kim_budget.formula import Range, Ref, Term, coordinate, pick
from kim_budget.scenario import Scenario
from kim_budget.workbook import formats, haushalt, monate, spec, timeline
from kim_budget.workbook.annahmen import Inputs
from kim_budget.workbook.grid import Sheet
from kim_budget.workbook.tarif import PayRefs
from kim_budget.workbook.timeline import FIRST_PERIOD, LABEL, UNIT, Timeline, fitting_groups

NAME = spec.PRUEFUNGEN
MASTER_NAME = spec.MASTER_NAME
RESULT, FIRST_YEAR = 3, FIRST_PERIOD
HEADER_ROW = 4
CHECK_UNIT = "WAHR/FALSCH"
NOTE = (
    "Jede Prüfung muss WAHR ergeben; das Gesamtergebnis steht auf der Übersicht. "
    "Differenzen bis zur Toleranz auf „Annahmen“ gelten als Rundung."
)


class _Checks:
    """Writes check rows and remembers every check cell for the master check."""

    def __init__(self, sheet: Sheet, years: int) -> None:
        self.sheet = sheet
        self.timeline = Timeline(sheet, years, HEADER_ROW + 1)
        self.checks: list[Ref] = []

    def section(self, title: str) -> None:
        self.timeline.section(title)

    def value(self, label: str, unit: str, number_format: str, formula: Term) -> Ref:
        """A row with one figure that a check compares."""
        row = self.timeline.row
        self.sheet.put(row, LABEL, label, role="label")
        self.sheet.put(row, UNIT, unit, role="unit")
        self.timeline.row += 1
        return self.sheet.put(row, RESULT, formula, number_format)

    def check(self, label: str, formula: Term) -> Ref:
        """A row with one check."""
        ref = self.value(label, CHECK_UNIT, formats.BOOLEAN, formula)
        self.checks.append(ref)
        self.sheet.conditional.append((ref.coordinate(), "false"))
        return ref

    def all_passed(self, label: str, checks: Sequence[Ref]) -> Ref:
        """A row that holds when every check holds; through partial results ("Teil 1", …)
        when one formula over all of them would be too long to read."""
        groups = fitting_groups(checks, lines.all_passed, self.sheet.name)
        if len(groups) == 1:
            passed = lines.all_passed(checks)
        else:
            parts = [
                self.all_passed(f"{label}, Teil {number}", [checks[i] for i in group])
                for number, group in enumerate(groups, start=1)
            ]
            passed = lines.all_passed(Range(parts[0], parts[-1]))
        ref = self.value(label, CHECK_UNIT, formats.BOOLEAN, passed)
        self.sheet.conditional.append((ref.coordinate(), "false"))
        return ref

    def per_year(
        self, label: str, unit: str, number_format: str, formula: Callable[[int], Term]
    ) -> int:
        """A row with one formula per year."""
        return self.timeline.add(label, unit, number_format, formula)

    def check_per_year(self, label: str, formula: Callable[[int], Term]) -> int:
        """A check in every year; the result column holds whether all years pass."""
        row = self.per_year(label, CHECK_UNIT, formats.BOOLEAN, formula)
        years = self.timeline.periods(row)
        ref = self.sheet.put(row, RESULT, lines.all_passed(years), formats.BOOLEAN)
        self.checks.append(ref)
        self.sheet.conditional.append((f"{ref.coordinate()}:{years.last.coordinate()}", "false"))
        return row


def _account_checks(
    checks: _Checks,
    sheet: Sheet,
    months: monate.MonthRows,
    years: haushalt.YearRows,
    tolerance: Ref,
) -> None:
    """The accounts (and the positions priced by annual cost) add up to Personalaufwand."""
    assert months.accounts is not None
    parts = list(months.accounts)

    def gap(col: int) -> Term:
        total = lines.sum_of([_in_year(years, col, years.rows[key]) for key in parts])
        return lines.difference(total, _in_year(years, col, years.rows["Personalaufwand"]))

    difference = checks.per_year("Summe der Konten − Personalaufwand", "€", formats.EURO, gap)
    checks.check_per_year(
        "Konten 5012 + 5022 + 5032 (und Jahreskosten-Stellen) = Personalaufwand",
        lambda col: lines.within(
            sheet.ref(difference, col, fix_row=False, fix_col=False), tolerance
        ),
    )


def _full_cost_checks(
    checks: _Checks,
    sheet: Sheet,
    inputs: Inputs,
    months: monate.MonthRows,
    years: haushalt.YearRows,
    tolerance: Ref,
) -> None:
    """Vollkosten add up: recomputed from the months' Personal- and Sachaufwand and the
    surcharge on "Annahmen"."""
    month_years = months.row_range(monate.YEAR_ROW)

    def year(col: int) -> Ref:
        return sheet.ref(HEADER_ROW, col, fix_col=False)

    def of_months(row: int) -> Callable[[int], Term]:
        return lambda col: lines.sum_of_year(month_years, year(col), months.row_range(row))

    def here(row: int, col: int) -> Ref:
        return sheet.ref(row, col, fix_row=False, fix_col=False)

    personal = checks.per_year(
        "Personalaufwand laut Monaten", "€", formats.EURO, of_months(months.personalaufwand)
    )
    material = checks.per_year(
        "Sachaufwand laut Monaten", "€", formats.EURO, of_months(months.sachaufwand)
    )

    def gap(col: int) -> Term:
        expected = lines.vollkosten(
            here(personal, col),
            here(material, col),
            lines.gemeinkosten(here(personal, col), inputs.material.overhead_percent),
        )
        return lines.difference(_in_year(years, col, years.rows["Vollkosten"]), expected)

    difference = checks.per_year(
        "Vollkosten − (Monate + Gemeinkostenzuschlag)", "€", formats.EURO, gap
    )
    checks.check_per_year(
        "Vollkosten = Personal- und Sachaufwand der Monate + Gemeinkosten",
        lambda col: lines.within(here(difference, col), tolerance),
    )


def _funding_checks(checks: _Checks, months: monate.MonthRows, tolerance: Ref) -> None:
    """With a funding share, the funding never exceeds the eligible cost; with a grant end,
    nothing is funded after it."""
    funding = months.funding
    if funding is None:
        return
    foerderung = months.row_range(months.foerderung)
    if funding.eligible is not None:
        above = checks.value(
            "Förderung über den förderfähigen Kosten (größte Differenz eines Monats)",
            "€",
            formats.EURO,
            lines.largest_of(months.row_range(funding.above_eligible)),
        )
        checks.check("Förderung nie über den förderfähigen Kosten", lines.at_most(above, tolerance))
    if funding.in_period is not None:
        after = checks.value(
            "Förderung nach dem letzten geförderten Monat",
            "€",
            formats.EURO,
            lines.outside_period(months.row_range(funding.in_period), foerderung),
        )
        checks.check("Keine Förderung nach dem Förderende", lines.within(after, tolerance))


def _pay_checks(checks: _Checks, months: monate.MonthRows, pay: PayRefs) -> None:
    """Every month a graded position is filled has a pay table; tables and rates run forward."""
    checks.section("Tarif")
    for active, table in months.graded:
        missing = checks.value(
            f"Monate ohne Entgelttabelle, in denen besetzt ({months.sheet} Zeile {table})",
            "Monate",
            formats.COUNT,
            lines.months_without_table(months.row_range(active), months.row_range(table)),
        )
        checks.check(
            "Jede besetzte Stelle hat eine gültige Entgelttabelle", lines.equal_to_zero(missing)
        )
    ranges = [tables.valid_from for tables in pay.grades.values()]
    listed = (
        pay.bonus,
        pay.social_insurance,
        pay.pension_fund,
        pay.pension_unemployment,
        pay.health_ceiling,
        pay.pension_ceiling,
    )
    ranges += [rates.years for rates in listed]
    for area in ranges:
        cells = area.cells()
        for earlier, later in itertools.pairwise(cells):
            where = (
                f"{coordinate(later.row, later.col)} nach {coordinate(earlier.row, earlier.col)}"
            )
            checks.check(f"Tarif: {where} (zeitliche Reihenfolge)", lines.after(later, earlier))


def _in_year(years: haushalt.YearRows, col: int, row: int) -> Ref:
    """A cell of "Haushalt" in the same year column (relative column)."""
    return Ref(years.sheet, row, col, fix_row=False, fix_col=False)


def lay_out(
    sheet: Sheet,
    scenario: Scenario,
    inputs: Inputs,
    months: monate.MonthRows,
    years: haushalt.YearRows,
    pay: PayRefs | None = None,
) -> Ref:
    """Write the checks and return the master check's cell."""
    sheet.put(1, LABEL, f"Prüfungen – {scenario.title}", role="title")
    sheet.put(2, LABEL, NOTE, role="note")
    for col, header in ((LABEL, "Prüfung"), (UNIT, "Einheit"), (RESULT, "Ergebnis")):
        sheet.put(HEADER_ROW, col, header, role="header")
    for index in range(len(scenario.years)):
        year = Ref(years.sheet, haushalt.YEAR_ROW, years.first_col + index, fix_col=False)
        sheet.put(HEADER_ROW, FIRST_YEAR + index, year, formats.YEAR, role="header")
    checks = _Checks(sheet, len(scenario.years))

    def _year(col: int) -> Ref:
        return sheet.ref(HEADER_ROW, col, fix_col=False)

    tolerance = inputs.tolerance

    checks.section("Summe der Haushaltsjahre gegen Summe der Monate")
    month_rows = {
        "Personalaufwand": months.personalaufwand,
        "Sachaufwand": months.sachaufwand,
        "Foerderung": months.foerderung,
        "Eigenanteil": months.eigenanteil,
    }
    for line in spec.RESULT_LINES:
        if not line.checked_against_months:
            continue
        key, label = line.key, line.name
        year_total = Ref(years.sheet, years.rows[key], timeline.TOTAL)
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

    def here(row: int, col: int) -> Ref:
        return sheet.ref(row, col, fix_row=False, fix_col=False)

    from_months = checks.per_year(
        "Eigenanteil laut Monaten",
        "€",
        formats.EURO,
        lambda col: lines.sum_of_year(
            month_years, _year(col), months.row_range(months.eigenanteil)
        ),
    )
    gap = checks.per_year(
        "Eigenanteil laut Monaten − (Personalaufwand + Sachaufwand − Förderung)",
        "€",
        formats.EURO,
        lambda col: lines.difference(
            here(from_months, col),
            lines.eigenanteil(
                _in_year(years, col, rows["Personalaufwand"]),
                _in_year(years, col, rows["Sachaufwand"]),
                _in_year(years, col, rows["Foerderung"]),
            ),
        ),
    )
    checks.check_per_year(
        "Eigenanteil = Personalaufwand + Sachaufwand − Förderung",
        lambda col: lines.within(here(gap, col), tolerance),
    )
    _full_cost_checks(checks, sheet, inputs, months, years, tolerance)
    # Deckung recomputed from the inputs: the Eigenanteil of the months where "Annahmen" marks
    # the year as covered, else 0. Fails when "Haushalt" covers a wrong year or amount.
    expected = checks.per_year(
        "Deckung laut Annahmen (Eigenanteil gedeckter Jahre, sonst 0)",
        "€",
        formats.EURO,
        lambda col: lines.deckung(
            here(from_months, col),
            lines.covered(pick(inputs.offset_flags, _year(col) - inputs.first_year + 1)),
        ),
    )
    checks.check_per_year(
        "Deckung = Eigenanteil gedeckter Jahre, sonst 0",
        lambda col: lines.within(
            lines.difference(_in_year(years, col, rows["Deckung"]), here(expected, col)),
            tolerance,
        ),
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
    if months.accounts is not None:
        _account_checks(checks, sheet, months, years, tolerance)
    _funding_checks(checks, months, tolerance)
    if pay is not None:
        _pay_checks(checks, months, pay)

    checks.section("Gesamtergebnis")
    master = checks.all_passed("Alle Prüfungen bestanden", checks.checks)
    sheet.title_rows = (1, HEADER_ROW)
    return master
