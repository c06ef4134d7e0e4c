"""What a scenario is: one staffing option, as validated frozen dataclasses.

`loader.py` reads a scenario file into these. Months are `datetime.date` values on the first day of
the month; a TOML date given for a month counts as its month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kim_budget.pay import Grading, PayRules, shipped_rules
from kim_budget.validate import ScenarioWarning

DEFAULT_ANNUAL_COST = 80_000.0
"""€ per VZÄ and year in generated scenario files unless told: the council paper's "ca. 80 T€"
(docs/sources.md, "What 'ca. 80 T€' means"); a starting point to adjust."""


@dataclass(frozen=True)
class Increase:
    """A percentage increase that applies from `start` (first day of a month) on, compounding.

    `index` is its place in the file's list (from 0), which names it in messages and in the
    workbook ("Kostensteigerung 1") even when the file does not list the increases by month.
    """

    start: date
    percent: float
    index: int


@dataclass(frozen=True)
class Position:
    """One post (Stelle) with its VZÄ, occupancy period and cost."""

    name: str
    fte: float
    start: date
    end: date | None
    annual_cost: float | None
    funded: bool
    grading: Grading | None = None
    """Set when the position is priced from the TVöD pay tables instead of an annual cost."""


@dataclass(frozen=True)
class Share:
    """The municipality's share of a district's funded posts, distributed by population."""

    population: int
    district_population: int
    district_fte: float

    @property
    def max_fte(self) -> float:
        """district_fte × population / district_population."""
        return self.district_fte * self.population / self.district_population


@dataclass(frozen=True)
class Cost:
    """Cost assumptions ([cost]): personnel cost, the workplace's Sachkosten and the overhead
    surcharge (Gemeinkosten, a calculated figure for the full cost, no expense)."""

    annual_cost_per_fte: float | None
    increases: tuple[Increase, ...]
    material_per_fte: float = 0.0
    """Sachkosten in € per VZÄ and year while a position is filled (0 when not given)."""
    material_increases: tuple[Increase, ...] = ()
    overhead_percent: float = 0.0
    """Gemeinkostenzuschlag in % of the Personalaufwand (0 when not given)."""


@dataclass(frozen=True)
class Funding:
    """Funding assumptions ([funding])."""

    rate_per_fte: float | None
    """The lump sum per funded VZÄ and year; with `percent_of_cost` the most per VZÄ (None:
    no most)."""
    max_fte: float | None
    share: Share | None
    cap_at_cost: bool
    increases: tuple[Increase, ...]
    percent_of_cost: float | None = None
    """Funding as this share of the eligible cost of the funded positions (None: a lump sum)."""
    covers_material: bool = False
    """Whether the Sachkosten count as eligible cost (with `percent_of_cost`)."""
    end: date | None = None
    """The last funded month (the grant's period); no funding after it."""

    @property
    def fte_cap(self) -> float | None:
        """The funded VZÄ limit, given directly or derived from the share; None when open."""
        if self.share is not None:
            return self.share.max_fte
        return self.max_fte


@dataclass(frozen=True)
class Budget:
    """Where the figures are booked ([budget]); all optional, for the council-paper texts.

    Account numbers are text of digits (as written in the file, leading zeros kept).
    """

    product: str | None = None
    expense_account: str | None = None
    income_account: str | None = None


@dataclass(frozen=True)
class Scenario:
    """One validated scenario file.

    `budget` and `warnings` come last and have defaults, so constructors written before them
    still work. `warnings` are values that are allowed but probably not meant (a percentage of
    0.03); they do not stop a build.
    """

    path: Path
    sha256: str
    title: str
    municipality: str | None
    reference: str | None
    description: str | None
    first_year: int
    last_year: int
    positions: tuple[Position, ...]
    cost: Cost
    funding: Funding
    offset_years: tuple[int, ...]
    budget: Budget = Budget()
    warnings: tuple[ScenarioWarning, ...] = ()
    pay: PayRules = field(default_factory=shipped_rules)
    """The TVöD rules graded positions are priced with (shipped, with the file's [tvoed])."""

    @property
    def full_cost(self) -> bool:
        """Whether the scenario gives Sachkosten or Gemeinkosten (the full cost of the posts)."""
        return bool(self.cost.material_per_fte or self.cost.overhead_percent)

    @property
    def graded(self) -> bool:
        """Whether a position is priced from the pay tables."""
        return any(position.grading is not None for position in self.positions)

    @property
    def stem(self) -> str:
        """The file stem that names every output of this scenario."""
        return self.path.stem

    @property
    def years(self) -> tuple[int, ...]:
        """The Haushaltsjahre of the horizon, in order."""
        return tuple(range(self.first_year, self.last_year + 1))

    def annual_cost(self, position: Position) -> float:
        """The position's own annual cost per VZÄ, else the scenario's (not for a graded one)."""
        if position.annual_cost is not None:
            return position.annual_cost
        assert self.cost.annual_cost_per_fte is not None  # guaranteed by validation
        return self.cost.annual_cost_per_fte


# ---------------------------------------------------------------------------------------------
