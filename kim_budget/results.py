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
class Variante:
    """One variant of "Sensitivität": the Eigenanteil over the horizon if one assumption turns
    out otherwise, and its difference to the base (Variante − Basis, rounded to the cent)."""

    name: str
    """The defined name: Sens_Start_6, …; Sens_Basis for the scenario as it is."""
    label: str
    """"Besetzung 6 Monate später", …"""
    eigenanteil: float
    differenz: float


@dataclass(frozen=True)
class Result:
    """The calculated scenario."""

    scenario: Scenario
    years: tuple[Year, ...]
    sensitivity: tuple[Variante, ...] = ()
    """The base and the variants of "Sensitivität" (empty when the workbook leaves it out)."""

    def widest(self) -> Variante | None:
        """The variant whose Eigenanteil differs most from the base's (either way)."""
        variants = self.sensitivity[1:]
        return max(variants, key=lambda v: abs(v.differenz)) if variants else None

    def year(self, year: int) -> Year:
        """The figures of one Haushaltsjahr."""
        return next(entry for entry in self.years if entry.year == year)
