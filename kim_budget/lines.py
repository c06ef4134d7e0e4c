"""The calculated lines of the model, each defined exactly once.

Every function here takes expressions (cell references, or formulas built from them) and
returns the expression of one cell. The workbook layout calls them, which is the only place
where lines are connected; the cell renders as its Excel formula, and the same expression,
evaluated in Python, gives the value the file caches and the figures of the council texts.
Signs follow the budget: amounts are positive, Eigenanteil = Personalaufwand − Förderung
(Aufwand − Ertrag).
"""

from __future__ import annotations

from collections.abc import Sequence

from kim_budget.formula import (
    Expr,
    Range,
    Text,
    all_of,
    both,
    flag,
    largest,
    maximum,
    minimum,
    month_before_year,
    next_month,
    smallest,
    sum_where,
    total,
    when,
    year_of,
)


def timeline_anchor(first_year: Expr) -> Expr:
    """The month before the horizon (December of the previous year): the axis' starting point."""
    return month_before_year(first_year)


def month_after(previous_month: Expr) -> Expr:
    """Each month of the time axis is the month after the previous one."""
    return next_month(previous_month)


def haushaltsjahr(month: Expr) -> Expr:
    """The budget year of a month (the calendar year)."""
    return year_of(month)


def year_after(previous_year: Expr, first_year: Expr) -> Expr:
    """Each budget year column is the year after the previous column, starting at first_year.

    In the workbook the first year column's "previous" is the header "Summe": MAX ignores text
    in a reference, so MAX(previous, first_year − 1) + 1 gives first_year there.
    """
    return maximum(previous_year, first_year - 1) + 1


def in_effect(month: Expr, start: Expr) -> Expr:
    """1 from the month containing `start` on, else 0 (start may be any day of its month)."""
    return flag(start < next_month(month))


def active(month: Expr, start: Expr, end: Expr | None) -> Expr:
    """1 while a position is filled: from its start month to its end month inclusive."""
    if end is None:
        return in_effect(month, start)
    return flag(both(start < next_month(month), month <= end))


def index_after(previous: Expr | None, percent: Expr, in_force: Expr) -> Expr:
    """An index after one more increase: previous × (1 + percent/100 × in_force)."""
    factor = 1 + percent / 100 * in_force
    return factor if previous is None else previous * factor


def position_cost(is_active: Expr, fte: Expr, annual_cost: Expr, cost_index: Expr) -> Expr:
    """Personalaufwand of one position in one month: active × VZÄ × annual cost × index / 12."""
    return is_active * fte * annual_cost * cost_index / 12


def funded_share(amount: Expr, funded: Expr) -> Expr:
    """The part of a position's amount (VZÄ or cost) that counts towards funding."""
    return amount * funded


def filled_fte(is_active: Expr, fte: Expr) -> Expr:
    """VZÄ of a position that are filled in a month."""
    return is_active * fte


def sum_of(parts: Sequence[Expr] | Range) -> Expr:
    """A total of several lines (e.g. Personalaufwand over all positions)."""
    return total(parts)


def sum_of_year(years: Range, year: Expr, values: Range) -> Expr:
    """The sum of a monthly line over the months of one Haushaltsjahr (SUMIF)."""
    return sum_where(years, year, values)


def covered(is_offset_year: Expr) -> Expr:
    """1 when the year's Eigenanteil is covered inside the existing personnel budget, else 0."""
    return flag(is_offset_year)


def share_cap(district_fte: Expr, population: Expr, district_population: Expr) -> Expr:
    """The municipality's share of the district's posts: district VZÄ × population / district's."""
    return district_fte * population / district_population


def capped_fte(fte: Expr, cap: Expr | None) -> Expr:
    """Funded VZÄ, never above the cap (when there is one)."""
    return fte if cap is None else minimum(fte, cap)


def foerderung_before_cap(funded_fte: Expr, rate: Expr, funding_index: Expr) -> Expr:
    """Förderung of a month: funded VZÄ × rate per VZÄ and year × index / 12."""
    return funded_fte * rate * funding_index / 12


def foerderung(before_cap: Expr, cap_at_cost: Expr, funded_cost: Expr) -> Expr:
    """Förderung, with cap_at_cost never above the month's cost of the funded positions."""
    return when(cap_at_cost, minimum(before_cap, funded_cost), before_cap)


def difference(aufwand: Expr, ertrag: Expr) -> Expr:
    """Aufwand − Ertrag (Eigenanteil = Personalaufwand − Förderung; Belastung likewise)."""
    return aufwand - ertrag


def deckung(eigenanteil: Expr, covered: Expr) -> Expr:
    """The part of the Eigenanteil covered inside the existing personnel budget (offset years)."""
    return eigenanteil * covered


# ---------------------------------------------------------------- checks ("Prüfungen")


def within(difference: Expr, tolerance: Expr) -> Expr:
    """A check: the difference lies within ± tolerance (rounding noise, not an error)."""
    return both(difference <= tolerance, difference >= -tolerance)


def at_most(value: Expr, limit: Expr) -> Expr:
    """A check: value ≤ limit."""
    return value <= limit


def largest_of(values: Range) -> Expr:
    """The largest value of a line (MAX)."""
    return largest(values)


def smallest_of(values: Range) -> Expr:
    """The smallest value of a line (MIN)."""
    return smallest(values)


def not_negative(value: Expr) -> Expr:
    """A check: value ≥ 0."""
    return value >= 0


def all_passed(checks: Sequence[Expr] | Range) -> Expr:
    """The master check: every check holds."""
    return all_of(checks)


def status(passed: Expr) -> Expr:
    """The master check's status as the cover shows it."""
    return when(passed, Text("OK"), Text("FEHLER"))
