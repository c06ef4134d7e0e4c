"""The district workbook's constants and the cells each sheet hands to the next."""

from __future__ import annotations

from dataclasses import dataclass

from kim_budget.district import District, Municipality
from kim_budget.formula import Range, Ref
from kim_budget.workbook.grid import Book

SHARE_EXACT = "#,##0.00000"
"""Exact shares show five decimals (1,17307), so that the rounding step can be followed."""
VZAE_TOLERANCE = 0.000001
EURO_TOLERANCE = 0.01
SUBJECT = "Kommunales Integrationsmanagement: Verteilung der Stellen des Kreises"
KEYWORDS = "KIM; Verteilung; Einwohner; Förderung; Erstattung; VZÄ"
PURPOSE = (
    "Diese Arbeitsmappe verteilt die geförderten Stellen (VZÄ) des Kreises nach Einwohnern auf "
    "die Kommunen, berechnet die weiterzuleitende Förderung und die Erstattung für nicht "
    "besetzte Stellen."
)
NOTES = (
    "Anteil = VZÄ des Kreises × Einwohner der Kommune / Einwohner des Kreises; Förderung = "
    "Anteil × Pauschale; weitergeleitet = min(Anteil, besetzte VZÄ) × Pauschale; Erstattung = "
    "max(0, Anteil − besetzte VZÄ) × Pauschale. Ohne Angabe besetzter VZÄ gilt der volle Anteil "
    "als besetzt.",
    "Gerundeter Anteil: auf Tausendstel VZÄ nach dem Verfahren der größten Reste (Blatt "
    "„Rundung“); bei gleichen Resten zuerst die weiter oben stehende Kommune. Die gerundeten "
    "Anteile ergeben zusammen die VZÄ des Kreises.",
    "Die Blätter sind ohne Kennwort geschützt, nur die Eingabezellen auf „Annahmen“ sind "
    "freigegeben (Überprüfen › Blattschutz aufheben).",
)
FIRST_ROW = 5
NAME, PEOPLE, SHARE, RANK, ROUNDED, FUNDING, FILLED, PASSED, REFUND = range(1, 10)
"""The columns of "Verteilung"."""
EXACT_UNITS, WHOLE, REST, DEVIATION = 2, 3, 4, 5
"""The columns of "Rundung"."""


@dataclass(frozen=True)
class MunicipalityRefs:
    """Where one municipality's inputs are on "Annahmen"."""

    municipality: Municipality
    name: Ref
    population: Ref
    filled: Ref | None


@dataclass(frozen=True)
class DistrictInputs:
    """Where the district's inputs are."""

    name: Ref
    reference: Ref | None
    posts: Ref
    rate: Ref
    year: Ref
    population_date: Ref | None
    municipalities: tuple[MunicipalityRefs, ...]
    populations: Range
    units: Ref
    tolerance: Ref
    vzae_tolerance: Ref


@dataclass(frozen=True)
class Row:
    """One municipality's figures, as evaluated."""

    name: str
    population: int
    share: float
    rounded: float
    funding: float
    passed_on: float
    refund: float


@dataclass(frozen=True)
class Distribution:
    """The distribution's figures: one row per municipality and the totals."""

    district: District
    rows: tuple[Row, ...]
    posts: float
    funding: float
    passed_on: float
    refund: float


@dataclass(frozen=True)
class DistrictBook:
    """The laid-out workbook and where its figures are."""

    book: Book
    cells: tuple[tuple[Ref, ...], ...]
    """Per municipality: name, population, share, rounded, funding, passed on, refund."""
    totals: tuple[Ref, Ref, Ref, Ref]
