"""Rows of "Monate" that price a graded position from the sheet "Tarif" (TVöD).

Per position: its Stufe, the pay table in force, Tabellenentgelt, Zulage, Leistungsentgelt,
Jahressonderzahlung (with the rows that give its base), Entgelte, Sozialversicherung,
Versorgungskasse and the cost. Scenario-wide: the month's calendar number and the rates of its
year. Every row is one formula across the months; the lines themselves are in `lines.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kim_budget import lines
from kim_budget.formula import Expr, Range, Ref
from kim_budget.workbook import formats, spec
from kim_budget.workbook.tarif import PayRefs, RateRows
from kim_budget.workbook.timeline import Timeline

ACCOUNTS = {line.key: line.label for line in spec.ACCOUNT_LINES}
"""The account lines' labels, "Entgelte (Konto 5012)" …"""


@dataclass(frozen=True)
class Axis:
    """The rows every graded position reads: month, year, calendar month, rates, cost index."""

    month_row: int
    year_row: int
    month_number_row: int
    bonus_rate: int
    social_rate: int
    pension_rate: int
    cost_index: int


@dataclass(frozen=True)
class GradedRefs:
    """A graded position's inputs on "Annahmen"."""

    name: str
    fte: Ref
    step: Ref
    step_since: Ref
    allowance: Ref
    grade: str


@dataclass(frozen=True)
class GradedRows:
    """The result rows of one graded position."""

    table_number: int
    entgelte: int
    sozialversicherung: int
    versorgungskasse: int
    kosten: int


def rate_rows(t: Timeline, pay: PayRefs, year_row: int) -> tuple[int, int, int]:
    """The rates of each month's year: Jahressonderzahlung, social insurance, pension fund."""

    def row(label: str, rates: RateRows) -> int:
        def rate(col: int) -> Expr:
            year = t.sheet.ref(year_row, col, fix_col=False)
            return lines.rate_of_year(year, rates.years, rates.percents)

        return t.add(f"{label}: Satz des Jahres", "%", formats.PERCENT, rate)

    return (
        row("Jahressonderzahlung", pay.bonus),
        row("Sozialversicherung", pay.social_insurance),
        row("Zusatzversorgung", pay.pension_fund),
    )


def position_rows(
    t: Timeline, position: GradedRefs, active: int, pay: PayRefs, axis: Axis
) -> GradedRows:
    """The rows that price one graded position, each month from the tables on "Tarif"."""
    here = t.here
    name = position.name

    def month(col: int) -> Ref:
        return t.sheet.ref(axis.month_row, col, fix_col=False)

    def year(col: int) -> Ref:
        return t.sheet.ref(axis.year_row, col, fix_col=False)

    def calendar_month(col: int) -> Ref:
        return t.sheet.ref(axis.month_number_row, col, fix_col=False)

    def of_year(values: int, col: int) -> Expr:
        return lines.sum_of_year(t.periods(axis.year_row), year(col), t.periods(values))

    tables = pay.grades[position.grade]
    since = t.add(
        f"Monate seit „Stufe seit“: {name}",
        "Monate",
        formats.COUNT,
        lambda col: lines.months_between(position.step_since, month(col)),
    )
    step = t.add(
        f"Stufe: {name}",
        "Stufe",
        formats.COUNT,
        lambda col: lines.step_in_month(position.step, here(since, col), pay.step_starts),
    )
    number = t.add(
        f"Entgelttabelle {position.grade} in Kraft (Nr., 0 = keine): {name}",
        "Nr.",
        formats.COUNT,
        lambda col: lines.table_in_force(month(col), tables.valid_from),
    )
    amount = t.add(
        f"Tabellenwert bei Vollzeit: {name}",
        "€",
        formats.EURO,
        lambda col: lines.table_amount(tables.amounts, here(number, col), here(step, col)),
    )
    tabelle = t.add(
        f"Tabellenentgelt: {name}",
        "€",
        formats.EURO,
        lambda col: lines.tabellenentgelt(
            here(active, col), position.fte, here(amount, col), here(axis.cost_index, col)
        ),
        total=True,
    )
    zulage = t.add(
        f"Zulage: {name}",
        "€",
        formats.EURO,
        lambda col: lines.zulage(here(active, col), position.fte, position.allowance),
        total=True,
    )
    leistung = t.add(
        f"Leistungsentgelt: {name}",
        "€",
        formats.EURO,
        lambda col: lines.share_of(here(tabelle, col), pay.performance_pay),
        total=True,
    )
    base_month = t.add(
        f"Jahressonderzahlung: Bemessungsmonat besetzt: {name}",
        "Flag",
        formats.FLAG,
        lambda col: lines.bonus_base_month(
            here(active, col), calendar_month(col), pay.bonus_first_month, pay.bonus_last_month
        ),
    )
    monthly = t.add(
        f"Jahressonderzahlung: Monatswert (Tabellenentgelt + Zulage): {name}",
        "€",
        formats.EURO,
        lambda col: here(tabelle, col) + here(zulage, col),
    )
    base_count = t.add(
        f"Jahressonderzahlung: besetzte Bemessungsmonate im Jahr: {name}",
        "Monate",
        formats.COUNT,
        lambda col: of_year(base_month, col),
    )
    base_sum = t.add(
        f"Jahressonderzahlung: Summe der Bemessungsmonate: {name}",
        "€",
        formats.EURO,
        lambda col: lines.sum_of_months_where(
            t.periods(monthly), t.periods(axis.year_row), year(col), t.periods(base_month), 1
        ),
    )
    in_payment_month = t.add(
        f"Jahressonderzahlung: Monatswert im Auszahlungsmonat: {name}",
        "€",
        formats.EURO,
        lambda col: lines.sum_of_months_where(
            t.periods(monthly),
            t.periods(axis.year_row),
            year(col),
            t.periods(axis.month_number_row),
            pay.bonus_month,
        ),
    )
    base = t.add(
        f"Jahressonderzahlung: Bemessungsgrundlage: {name}",
        "€",
        formats.EURO,
        lambda col: lines.bonus_base(
            here(base_count, col), here(base_sum, col), here(in_payment_month, col)
        ),
    )
    months_filled = t.add(
        f"Besetzte Monate im Jahr: {name}",
        "Monate",
        formats.COUNT,
        lambda col: of_year(active, col),
    )
    december = t.add(
        f"Im Dezember besetzt: {name}",
        "Flag",
        formats.FLAG,
        lambda col: lines.sum_of_months_where(
            t.periods(active),
            t.periods(axis.year_row),
            year(col),
            t.periods(axis.month_number_row),
            12,
        ),
    )
    bonus = t.add(
        f"Jahressonderzahlung: {name}",
        "€",
        formats.EURO,
        lambda col: lines.jahressonderzahlung(
            lines.equal_flag(calendar_month(col), pay.bonus_month)
            * here(active, col)
            * here(december, col),
            here(axis.bonus_rate, col),
            here(base, col),
            here(months_filled, col),
        ),
        total=True,
    )
    entgelte = t.add(
        f"{ACCOUNTS['Entgelte']}: {name}",
        "€",
        formats.EURO,
        lambda col: lines.sum_of(
            [here(tabelle, col), here(zulage, col), here(leistung, col), here(bonus, col)]
        ),
        total=True,
    )
    social = t.add(
        f"{ACCOUNTS['Sozialversicherung']}: {name}",
        "€",
        formats.EURO,
        lambda col: lines.share_of(here(entgelte, col), here(axis.social_rate, col)),
        total=True,
    )
    pension = t.add(
        f"{ACCOUNTS['Versorgungskasse']}: {name}",
        "€",
        formats.EURO,
        lambda col: lines.share_of(here(entgelte, col), here(axis.pension_rate, col)),
        total=True,
    )
    kosten = t.add(
        f"Kosten nach TVöD: {name}",
        "€",
        formats.EURO,
        lambda col: lines.sum_of([here(entgelte, col), here(social, col), here(pension, col)]),
        total=True,
    )
    return GradedRows(number, entgelte, social, pension, kosten)


__all__ = ["Axis", "GradedRefs", "GradedRows", "Range", "position_rows", "rate_rows"]
