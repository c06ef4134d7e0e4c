"""The lines of the sensitivity variants ("Sensitivität"), each defined exactly once.

A variant is the scenario with one assumption changed; its monthly calculation is the lines of
`lines.py` over changed inputs. These functions give the changed inputs (a later start, a
higher Stufe, a scaled index, an earlier end of the grant) and the figures that compare the
variants (their difference to the base, its size, the ranking the chart and the cover use).
"""

from __future__ import annotations

from kim_budget import lines
from kim_budget.formula import (
    Expr,
    Range,
    Text,
    call,
    equals,
    floor,
    joined,
    maximum,
    minimum,
    pick,
    position_at_most,
    position_of,
    sum_of_products,
)


def later_start(start: Expr, months: Expr) -> Expr:
    """A position's start `months` months later (EDATE)."""
    return call("EDATE", start, months)


def raised(index: Expr, percent: Expr) -> Expr:
    """An index raised by `percent` %: every amount it scales grows by that share."""
    return index * (1 + percent / 100)


def lowered(index: Expr, percent: Expr) -> Expr:
    """An index lowered by `percent` %."""
    return index * (1 - percent / 100)


def higher_step(step: Expr, more: Expr, step_starts: Range) -> Expr:
    """A Stufe `more` steps higher, at most the highest Stufe of the step rules (the position of
    the latest step start)."""
    return minimum(step + more, position_at_most(maximum(step_starts), step_starts))


def end_after_first_year(first_year: Expr, end: Expr | None) -> Expr:
    """The grant's last month when it ends after December of the horizon's first year: that
    December, or the grant's own end when it is earlier."""
    december = call("DATE", first_year, 12, 1)
    return december if end is None else minimum(end, december)


def ranked(values: Range, ranks: Range, rank: Expr) -> Expr:
    """The entry of `values` whose rank is `rank` (the ranks are 1, 2, … without gaps)."""
    return pick(values, position_of(rank, ranks))


def to_cent(amount: Expr) -> Expr:
    """An amount rounded to the cent (half a cent up): INT(amount × 100 + 0.5) / 100. Rankings
    compare rounded amounts, so that engines that sum in different order (and differ in the
    last binary digit) rank alike, and equal amounts are equal."""
    return floor(amount * 100 + 0.5) / 100


def rank_by_size(differences: Range, difference: Expr, before: Range) -> Expr:
    """The rank of a difference by its size, whatever its sign (compared as squares), largest
    first; equal sizes in the order of the table (`before`: the table's rows up to this one)."""
    squares = differences * differences
    square = difference * difference
    return sum_of_products((squares > square) * 1) + sum_of_products(
        equals(before * before, square) * 1
    )


def rank_by_increase(differences: Range, difference: Expr, before: Range) -> Expr:
    """The rank of a difference, largest increase first; equal ones in the order of the table
    (the district's ranking of remainders)."""
    return lines.remainder_rank(differences, difference, before)


def first_rank(ranks: Range) -> Expr:
    """The first of the ranks 1, 2, …: their smallest."""
    return minimum(ranks)


def next_rank(previous: Expr) -> Expr:
    """The rank after the previous one."""
    return previous + 1


def named_risks(first: Expr, second: Expr) -> Expr:
    """The descriptions of the two largest risks in one text."""
    return joined(first, Text("; "), second)
