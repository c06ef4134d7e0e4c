"""Rows of "Monate" that price a graded position from the sheet "Tarif" (TVöD).

Per position: its Stufe, the pay table in force, Tabellenentgelt, Zulage, Leistungsentgelt,
Jahressonderzahlung (with the rows that give its base), Entgelte, Sozialversicherung,
Versorgungskasse and the cost. Scenario-wide: the month's calendar number and the rates of its
year. Every row is one formula across the months; the lines themselves are in `lines.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kim_budget import lines
from kim_budget.formula import Expr, Range, Ref
from kim_budget.workbook import formats, spec
from kim_budget.workbook.tarif import PayRefs, RateRows
from kim_budget.workbook.timeline import Timeline

ACCOUNTS = {line.key: line.label for line in spec.ACCOUNT_LINES}
"""The account lines' labels, "Entgelte (Konto 5012)" …"""


@dataclass(frozen=True)
class Ceilings:
    """The rows of the contribution ceilings: the pension part of the social-insurance rate, the
    monthly ceilings of each month's year, and the months up to the bonus's payment month."""

    pension_part_rate: int
    health_month: int
    pension_month: int
    up_to_bonus: int


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
    ceilings: Ceilings


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
    return (
        _of_year(
            t, "Jahressonderzahlung: Satz des Jahres", "%", formats.PERCENT, pay.bonus, year_row
        ),
        _of_year(
            t,
            "Sozialversicherung: Satz des Jahres",
            "%",
            formats.PERCENT,
            pay.social_insurance,
            year_row,
        ),
        _of_year(
            t, "Zusatzversorgung: Satz des Jahres", "%", formats.PERCENT, pay.pension_fund, year_row
        ),
    )


def _of_year(t: Timeline, label: str, unit: str, fmt: str, rates: RateRows, year_row: int) -> int:
    def rate(col: int) -> Expr:
        year = t.sheet.ref(year_row, col, fix_col=False)
        return lines.rate_of_year(year, rates.years, rates.percents)

    return t.add(label, unit, fmt, rate)


def _per_month(t: Timeline, yearly: int) -> Callable[[int], Expr]:
    return lambda col: lines.monthly_ceiling(t.here(yearly, col))


def ceiling_rows(t: Timeline, pay: PayRefs, year_row: int, month_number_row: int) -> Ceilings:
    """The rows that apply the contribution ceilings (§ 223 SGB V, § 23a SGB IV)."""
    part = _of_year(
        t,
        "Sozialversicherung: davon Renten- und Arbeitslosenversicherung",
        "%",
        formats.PERCENT,
        pay.pension_unemployment,
        year_row,
    )
    yearly = [
        _of_year(
            t, f"Beitragsbemessungsgrenze {what}: Jahr", "€/Jahr", formats.EURO, rates, year_row
        )
        for what, rates in (
            ("Kranken-/Pflegeversicherung", pay.health_ceiling),
            ("Renten-/Arbeitslosenversicherung", pay.pension_ceiling),
        )
    ]
    names = ("Kranken-/Pflegeversicherung", "Renten-/Arbeitslosenversicherung")
    monthly = [
        t.add(f"Beitragsbemessungsgrenze {what}: Monat", "€", formats.EURO, _per_month(t, row))
        for what, row in zip(names, yearly, strict=True)
    ]
    up_to = t.add(
        "Bis zum Auszahlungsmonat der Jahressonderzahlung",
        "Flag",
        formats.FLAG,
        lambda col: lines.up_to_month(
            t.sheet.ref(month_number_row, col, fix_col=False), pay.bonus_month
        ),
    )
    return Ceilings(part, monthly[0], monthly[1], up_to)


def _assessed(t: Timeline, pay: int, ceiling: int, fte: Ref) -> Callable[[int], Expr]:
    return lambda col: lines.assessed_pay(t.here(pay, col), t.here(ceiling, col), fte)


def _assessed_bonus(
    t: Timeline, bonus: int, ceiling: int, fte: Ref, so_far: tuple[int, int]
) -> Callable[[int], Expr]:
    months, used = so_far
    return lambda col: lines.assessed_bonus(
        t.here(bonus, col), t.here(ceiling, col), fte, t.here(months, col), t.here(used, col)
    )


def _social_insurance(
    t: Timeline,
    position: GradedRefs,
    active: int,
    axis: Axis,
    ongoing_parts: tuple[int, int, int],
    bonus: int,
) -> int:
    """The employer's social insurance: the monthly pay assessed up to each ceiling, the
    Jahressonderzahlung up to what the pro-rata ceiling of the months so far leaves."""
    here, name, c = t.here, position.name, axis.ceilings

    def year(col: int) -> Ref:
        return t.sheet.ref(axis.year_row, col, fix_col=False)

    def so_far(row: int) -> Callable[[int], Expr]:
        return lambda col: lines.sum_of_months_where(
            t.periods(row), t.periods(axis.year_row), year(col), t.periods(c.up_to_bonus), 1
        )

    ongoing = t.add(
        f"Laufendes Entgelt (ohne Jahressonderzahlung): {name}",
        "€",
        formats.EURO,
        lambda col: lines.sum_of([here(row, col) for row in ongoing_parts]),
    )
    months = t.add(
        f"Besetzte Monate bis zum Auszahlungsmonat: {name}", "Monate", formats.COUNT, so_far(active)
    )
    bases = []
    for what, ceiling in (("KV/PV", c.health_month), ("RV/AV", c.pension_month)):
        assessed = t.add(
            f"Beitragspflichtiges laufendes Entgelt {what}: {name}",
            "€",
            formats.EURO,
            _assessed(t, ongoing, ceiling, position.fte),
        )
        used = t.add(
            f"Beitragspflichtiges Entgelt {what} bis zum Auszahlungsmonat: {name}",
            "€",
            formats.EURO,
            so_far(assessed),
        )
        bonus_part = t.add(
            f"Beitragspflichtige Jahressonderzahlung {what}: {name}",
            "€",
            formats.EURO,
            _assessed_bonus(t, bonus, ceiling, position.fte, (months, used)),
        )
        bases.append((assessed, bonus_part))
    (health, health_bonus), (pension, pension_bonus) = bases
    return t.add(
        f"{ACCOUNTS['Sozialversicherung']}: {name}",
        "€",
        formats.EURO,
        lambda col: lines.social_insurance(
            here(health, col) + here(health_bonus, col),
            here(pension, col) + here(pension_bonus, col),
            here(axis.social_rate, col),
            here(c.pension_part_rate, col),
        ),
        total=True,
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
        lambda col: lines.share_of(here(tabelle, col) + here(zulage, col), pay.performance_pay),
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
    social = _social_insurance(t, position, active, axis, (tabelle, zulage, leistung), bonus)
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
