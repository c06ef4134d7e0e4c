"""The calculated lines of the model, each defined exactly once.

Every function here is called twice: by `model.py` with numbers and dates, to compute the
figures, and by the workbook layout with cell references, to build the formula of each cell
(whose cached value is then evaluated from that same formula). Signs follow the budget: amounts
are positive, Eigenanteil = Personalaufwand − Förderung (Aufwand − Ertrag).
"""

from __future__ import annotations

from collections.abc import Sequence

from kim_budget.formula import (
    Range,
    Term,
    Text,
    all_of,
    both,
    either,
    equals,
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


def timeline_anchor(first_year: Term) -> Term:
    """The month before the horizon (December of the previous year): the axis' starting point."""
    return month_before_year(first_year)


def month_after(previous_month: Term) -> Term:
    """Each month of the time axis is the month after the previous one."""
    return next_month(previous_month)


def haushaltsjahr(month: Term) -> Term:
    """The budget year of a month (the calendar year)."""
    return year_of(month)


def year_after(previous_year: Term, first_year: Term) -> Term:
    """Each budget year column is the year after the previous column, starting at first_year.

    In the workbook the first year column's "previous" is the header "Summe": MAX ignores text
    in a reference, so MAX(previous, first_year − 1) + 1 gives first_year there.
    """
    return maximum(previous_year, first_year - 1) + 1


def in_effect(month: Term, start: Term) -> Term:
    """1 from the month containing `start` on, else 0 (start may be any day of its month)."""
    return flag(start < next_month(month))


def active(month: Term, start: Term, end: Term | None) -> Term:
    """1 while a position is filled: from its start month to its end month inclusive."""
    if end is None:
        return in_effect(month, start)
    return flag(both(start < next_month(month), month <= end))


def index_after(previous: Term | None, percent: Term, in_force: Term) -> Term:
    """An index after one more increase: previous × (1 + percent/100 × in_force)."""
    factor = 1 + percent / 100 * in_force
    return factor if previous is None else previous * factor


def position_cost(is_active: Term, fte: Term, annual_cost: Term, cost_index: Term) -> Term:
    """Personalaufwand of one position in one month: active × VZÄ × annual cost × index / 12."""
    return is_active * fte * annual_cost * cost_index / 12


def funded_share(amount: Term, funded: Term) -> Term:
    """The part of a position's amount (VZÄ or cost) that counts towards funding."""
    return amount * funded


def filled_fte(is_active: Term, fte: Term) -> Term:
    """VZÄ of a position that are filled in a month."""
    return is_active * fte


def sum_of(parts: Sequence[Term] | Range) -> Term:
    """A total of several lines (e.g. Personalaufwand over all positions)."""
    return total(parts)


def sum_of_year(years: Sequence[Term] | Range, year: Term, values: Sequence[Term] | Range) -> Term:
    """The sum of a monthly line over the months of one Haushaltsjahr (SUMIF)."""
    if isinstance(years, Range) or isinstance(values, Range):
        assert isinstance(years, Range) and isinstance(values, Range)
        return sum_where(years, year, values)
    return sum(value for key, value in zip(years, values, strict=True) if key == year)


def covered(is_offset_year: Term) -> Term:
    """1 when the year's Eigenanteil is covered inside the existing personnel budget, else 0."""
    return flag(is_offset_year)


def share_cap(district_fte: Term, population: Term, district_population: Term) -> Term:
    """The municipality's share of the district's posts: district VZÄ × population / district's."""
    return district_fte * population / district_population


def capped_fte(fte: Term, cap: Term | None) -> Term:
    """Funded VZÄ, never above the cap (when there is one)."""
    return fte if cap is None else minimum(fte, cap)


def foerderung_before_cap(funded_fte: Term, rate: Term, funding_index: Term) -> Term:
    """Förderung of a month: funded VZÄ × rate per VZÄ and year × index / 12."""
    return funded_fte * rate * funding_index / 12


def foerderung(before_cap: Term, cap_at_cost: Term, funded_cost: Term) -> Term:
    """Förderung, with cap_at_cost never above the month's cost of the funded positions."""
    return when(cap_at_cost, minimum(before_cap, funded_cost), before_cap)


def difference(aufwand: Term, ertrag: Term) -> Term:
    """Aufwand − Ertrag (Eigenanteil = Personalaufwand − Förderung; Belastung likewise)."""
    return aufwand - ertrag


def deckung(eigenanteil: Term, covered: Term) -> Term:
    """The part of the Eigenanteil covered inside the existing personnel budget (offset years)."""
    return eigenanteil * covered


# ---------------------------------------------------------------- checks ("Prüfungen")


def within(difference: Term, tolerance: Term) -> Term:
    """A check: the difference lies within ± tolerance (rounding noise, not an error)."""
    return both(difference <= tolerance, difference >= -tolerance)


def covered_only_in_offset_years(is_offset_year: Term, deckung_amount: Term) -> Term:
    """A check: there is Deckung only in a year marked as covered."""
    return either(equals(is_offset_year, 1), equals(deckung_amount, 0))


def at_most(value: Term, limit: Term) -> Term:
    """A check: value ≤ limit."""
    return value <= limit


def largest_of(values: Range) -> Term:
    """The largest value of a line (MAX)."""
    return largest(values)


def smallest_of(values: Range) -> Term:
    """The smallest value of a line (MIN)."""
    return smallest(values)


def not_negative(value: Term) -> Term:
    """A check: value ≥ 0."""
    return value >= 0


def all_passed(checks: Sequence[Term] | Range) -> Term:
    """The master check: every check holds."""
    return all_of(checks)


def status(passed: Term) -> Term:
    """The master check's status as the cover shows it."""
    return when(passed, Text("OK"), Text("FEHLER"))
