"""Rows of "Monate" that give the funding of each month (Förderung).

The funded VZÄ (at most the cap), the lump sum per funded VZÄ; with a funding share
(`percent_of_cost`) the eligible cost of the funded positions (their Personalaufwand, and their
Sachaufwand when it counts) and its share, at most the lump sum; never above the funded
positions' Personalaufwand when `cap_at_cost`; nothing after the grant's last month (`end`).
Rows that a scenario's keys do not call for are left out, so that a scenario with a lump sum
and no end keeps the rows it always had.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kim_budget import lines
from kim_budget.formula import Ref, Term
from kim_budget.workbook import formats
from kim_budget.workbook.annahmen import Inputs, PositionRefs, ShareRefs
from kim_budget.workbook.timeline import LABEL, TOTAL, UNIT, Timeline


@dataclass(frozen=True)
class FundingRows:
    """Where the funding of each month and its parts are."""

    funded_fte: int
    cap: Ref | None
    foerderung: int
    eligible: int | None = None
    """The eligible cost a funding share applies to (with `percent_of_cost`)."""
    above_eligible: int = 0
    """Förderung − the eligible cost, each month (with `percent_of_cost`; never above 0)."""
    in_period: int | None = None
    """1 in the months of the grant's period (with `end`)."""


@dataclass(frozen=True)
class MonthInputs:
    """The rows the funding reads: month, filled flags, indices, costs."""

    month_row: int
    active: list[int]
    funding_index: int
    costs: list[int]
    materials: list[int]


CellFormula = Callable[[int, int, PositionRefs], Term]
"""A per-position row's formula: (column, the position's index, its cells) → the cell."""


def _share_cap(t: Timeline, share: ShareRefs) -> Ref:
    """The funded-VZÄ cap derived from the population share, in the constant column."""
    row = t.row
    t.sheet.put(row, LABEL, "Förderfähige VZÄ höchstens (Anteil nach Einwohnern)", role="label")
    t.sheet.put(row, UNIT, "VZÄ", role="unit")
    cap = lines.share_cap(share.district_fte, share.population, share.district_population)
    t.row += 1
    return t.sheet.put(row, TOTAL, cap, formats.VZAE_PLAIN, role="total")


def _per_position(
    t: Timeline, inputs: Inputs, label: str, unit: str, fmt: str, cell: CellFormula
) -> list[int]:
    made = []
    for index, position in enumerate(inputs.positions):

        def formula(col: int, index: int = index, position: PositionRefs = position) -> Term:
            return cell(col, index, position)

        made.append(t.add(f"{label}: {position.name}", unit, fmt, formula))
    return made


def lay_out(t: Timeline, inputs: Inputs, months: MonthInputs) -> FundingRows:
    """Write the funding rows of "Monate" and return where the results are."""
    here = t.here
    terms = inputs.funding_terms
    t.section("Förderung")
    fte_rows = _per_position(
        t,
        inputs,
        "Geförderte VZÄ",
        "VZÄ",
        formats.VZAE_PLAIN,
        lambda col, index, p: lines.funded_share(
            lines.filled_fte(here(months.active[index], col), p.fte), p.funded
        ),
    )
    cap: Ref | None = inputs.max_fte if inputs.share is None else _share_cap(t, inputs.share)
    funded_fte = t.add(
        "Geförderte VZÄ" + (" (höchstens Obergrenze)" if cap is not None else ""),
        "VZÄ",
        formats.VZAE_PLAIN,
        lambda col: lines.capped_fte(lines.sum_of(t.span(fte_rows, col)), cap),
    )
    lump: int | None = None
    rate = inputs.rate_per_fte
    if rate is not None:
        lump = t.add(
            "Förderung nach Pauschale",
            "€",
            formats.EURO,
            lambda col: lines.foerderung_before_cap(
                here(funded_fte, col), rate, here(months.funding_index, col)
            ),
            total=True,
        )
    funded_cost = _funded_total(
        t, inputs, months.costs, "Personalaufwand gefördert", "Personalaufwand geförderter Stellen"
    )
    eligible = None
    if terms.percent_of_cost is not None and terms.covers_material is not None:
        eligible, lump = _share_rows(t, inputs, months, funded_cost, lump)
    assert lump is not None  # a lump sum, a funding share, or both
    foerderung = t.add(
        "Förderung (Ertrag)" if terms.end is None else "Förderung ohne Förderende",
        "€",
        formats.EURO,
        lambda col: lines.foerderung(here(lump, col), inputs.cap_at_cost, here(funded_cost, col)),
        total=True,
    )
    in_period = None
    if terms.end is not None:
        end = terms.end
        in_period = t.add(
            "Im Förderzeitraum (bis zum letzten geförderten Monat)",
            "Flag",
            formats.FLAG,
            lambda col: lines.funded_period(t.sheet.ref(months.month_row, col, fix_col=False), end),
        )
        before = foerderung
        foerderung = t.add(
            "Förderung (Ertrag)",
            "€",
            formats.EURO,
            lambda col: lines.in_period(here(before, col), here(in_period, col)),
            total=True,
        )
    above = 0
    if eligible is not None:
        final, cost = foerderung, eligible
        above = t.add(
            "Förderung − förderfähige Kosten (Prüfung: nie über 0)",
            "€",
            formats.EURO,
            lambda col: lines.difference(here(final, col), here(cost, col)),
        )
    return FundingRows(funded_fte, cap, foerderung, eligible, above, in_period)


def _funded_total(
    t: Timeline, inputs: Inputs, costs: list[int], label: str, total_label: str
) -> int:
    """The funded positions' part of a cost line, per position and in all."""
    rows = _per_position(
        t,
        inputs,
        label,
        "€",
        formats.EURO,
        lambda col, index, p: lines.funded_share(t.here(costs[index], col), p.funded),
    )
    return t.add(
        total_label, "€", formats.EURO, lambda col: lines.sum_of(t.span(rows, col)), total=True
    )


def _share_rows(
    t: Timeline, inputs: Inputs, months: MonthInputs, funded_cost: int, lump: int | None
) -> tuple[int, int]:
    """The eligible cost, its funded share and (with a lump sum) the share at most the lump
    sum; returns the eligible row and the row of the funding before the caps."""
    here = t.here
    terms = inputs.funding_terms
    percent, covers = terms.percent_of_cost, terms.covers_material
    assert percent is not None and covers is not None
    funded_material = _funded_total(
        t, inputs, months.materials, "Sachaufwand gefördert", "Sachaufwand geförderter Stellen"
    )
    eligible = t.add(
        "Förderfähige Kosten",
        "€",
        formats.EURO,
        lambda col: lines.eligible_cost(here(funded_cost, col), covers, here(funded_material, col)),
        total=True,
    )
    by_share = t.add(
        "Förderung nach Förderquote",
        "€",
        formats.EURO,
        lambda col: lines.foerderung_by_share(here(eligible, col), percent),
        total=True,
    )
    if lump is None:
        return eligible, by_share
    capped = t.add(
        "Förderung nach Förderquote, höchstens Pauschale",
        "€",
        formats.EURO,
        lambda col: lines.at_most_lump_sum(here(by_share, col), here(lump, col)),
        total=True,
    )
    return eligible, capped
