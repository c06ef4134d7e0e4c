"""The figures of a calculated scenario, per Haushaltsjahr: what the model reads from the
evaluated workbook (`model.read_result`) and the council texts and comparisons show."""

from __future__ import annotations

from dataclasses import dataclass

from kim_budget.scenario import Scenario


@dataclass(frozen=True)
class Year:
    """The figures of one Haushaltsjahr in € (amounts positive, differences Aufwand − Ertrag)."""

    year: int
    personalaufwand: float
    foerderung: float
    eigenanteil: float
    deckung: float
    haushaltsbelastung: float
    filled: int
    """How many posts are filled in at least one month of the year (whatever they cost)."""
    entgelte: float | None = None
    """With positions priced from the pay tables: their pay (account 5012); else None."""
    versorgungskasse: float | None = None
    """Their pension fund contributions (account 5022)."""
    sozialversicherung: float | None = None
    """Their employer's social insurance (account 5032)."""
    sachaufwand: float = 0.0
    """The workplaces' Sachkosten (account 543), part of the Eigenanteil."""
    gemeinkosten: float = 0.0
    """The overhead surcharge: calculated for the full cost, no expense."""
    vollkosten: float = 0.0
    """Personalaufwand + Sachaufwand + Gemeinkosten."""
    eigenanteil_vollkosten: float = 0.0
    """Vollkosten − Förderung."""


@dataclass(frozen=True)
class Result:
    """The calculated scenario."""

    scenario: Scenario
    years: tuple[Year, ...]

    def year(self, year: int) -> Year:
        """The figures of one Haushaltsjahr."""
        return next(entry for entry in self.years if entry.year == year)
