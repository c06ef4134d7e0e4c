"""The monthly calculation of a scenario: pure functions, no I/O, no rounding.

The figures come from the line definitions in `lines.py`, the same ones the workbook renders
as formulas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kim_budget import lines
from kim_budget.scenario import Increase, Scenario


@dataclass(frozen=True)
class Month:
    """The figures of one month, € and VZÄ."""

    month: date
    cost_index: float
    funding_index: float
    position_costs: tuple[float, ...]
    personalaufwand: float
    funded_fte: float
    foerderung: float
    eigenanteil: float


@dataclass(frozen=True)
class Year:
    """The figures of one Haushaltsjahr in € (amounts positive, differences Aufwand − Ertrag)."""

    year: int
    personalaufwand: float
    foerderung: float
    eigenanteil: float
    deckung: float
    haushaltsbelastung: float


@dataclass(frozen=True)
class Result:
    """The calculated scenario."""

    scenario: Scenario
    months: tuple[Month, ...]
    years: tuple[Year, ...]

    def year(self, year: int) -> Year:
        """The figures of one Haushaltsjahr."""
        return next(entry for entry in self.years if entry.year == year)


def number(value: object) -> float:
    """A line's value in the model, where operands are numbers."""
    assert isinstance(value, int | float), value
    return float(value)


def horizon_months(scenario: Scenario) -> list[date]:
    """Every month of the horizon, January of first_year to December of last_year."""
    months: list[date] = [lines.timeline_anchor(scenario.first_year)]
    for _ in range(12 * len(scenario.years)):
        months.append(lines.month_after(months[-1]))
    return months[1:]


def index(increases: tuple[Increase, ...], month: date) -> float:
    """The compounded index of a month after all increases in force."""
    value: float = 1
    for increase in increases:
        in_force = lines.in_effect(month, increase.start)
        value = number(lines.index_after(value, increase.percent, in_force))
    return value


def compute_month(scenario: Scenario, month: date) -> Month:
    """The figures of one month."""
    cost_index = index(scenario.cost.increases, month)
    funding_index = index(scenario.funding.increases, month)
    flags = [lines.active(month, p.start, p.end) for p in scenario.positions]
    costs = [
        lines.position_cost(flag, p.fte, scenario.annual_cost(p), cost_index)
        for flag, p in zip(flags, scenario.positions, strict=True)
    ]
    funded = [p.funded for p in scenario.positions]
    funded_fte = lines.capped_fte(
        lines.sum_of(
            [
                lines.funded_share(lines.filled_fte(flag, p.fte), p.funded)
                for flag, p in zip(flags, scenario.positions, strict=True)
            ]
        ),
        scenario.funding.fte_cap,
    )
    before_cap = lines.foerderung_before_cap(
        funded_fte, scenario.funding.rate_per_fte, funding_index
    )
    funded_cost = lines.sum_of(
        [lines.funded_share(cost, f) for cost, f in zip(costs, funded, strict=True)]
    )
    foerderung = lines.foerderung(before_cap, scenario.funding.cap_at_cost, funded_cost)
    personalaufwand = lines.sum_of(costs)
    return Month(
        month=month,
        cost_index=cost_index,
        funding_index=funding_index,
        position_costs=tuple(number(cost) for cost in costs),
        personalaufwand=number(personalaufwand),
        funded_fte=number(funded_fte),
        foerderung=number(foerderung),
        eigenanteil=number(lines.difference(personalaufwand, foerderung)),
    )


def compute_year(
    scenario: Scenario, year: int, months: tuple[Month, ...], month_years: list[int]
) -> Year:
    """The figures of one Haushaltsjahr: sums over its months, then Deckung and Belastung.

    `month_years` holds the Haushaltsjahr of each month.
    """
    personalaufwand = lines.sum_of_year(month_years, year, [m.personalaufwand for m in months])
    foerderung = lines.sum_of_year(month_years, year, [m.foerderung for m in months])
    eigenanteil = lines.difference(personalaufwand, foerderung)
    covered = lines.covered(year in scenario.offset_years)
    deckung = lines.deckung(eigenanteil, covered)
    return Year(
        year=year,
        personalaufwand=number(personalaufwand),
        foerderung=number(foerderung),
        eigenanteil=number(eigenanteil),
        deckung=number(deckung),
        haushaltsbelastung=number(lines.difference(eigenanteil, deckung)),
    )


def compute(scenario: Scenario) -> Result:
    """Calculate a scenario month by month and per Haushaltsjahr."""
    months = tuple(compute_month(scenario, month) for month in horizon_months(scenario))
    month_years = [lines.haushaltsjahr(m.month) for m in months]
    years = tuple(compute_year(scenario, year, months, month_years) for year in scenario.years)
    return Result(scenario=scenario, months=months, years=years)
