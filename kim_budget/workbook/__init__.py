"""Lay out a scenario's workbook: Übersicht, Annahmen, Monate, Haushalt."""

from __future__ import annotations

from kim_budget.formula import Ref
from kim_budget.scenario import Scenario
from kim_budget.workbook import annahmen, haushalt, monate, uebersicht
from kim_budget.workbook.grid import Book, Sheet


def lay_out_workbook(scenario: Scenario) -> Book:
    """Every sheet, name and property of the scenario's workbook, before it becomes a file."""
    book = Book(
        [Sheet(uebersicht.NAME), Sheet(annahmen.NAME), Sheet(monate.NAME), Sheet(haushalt.NAME)]
    )
    inputs = annahmen.lay_out(book.sheet(annahmen.NAME), scenario)
    months = monate.lay_out(book.sheet(monate.NAME), scenario, inputs)
    years = haushalt.lay_out(book.sheet(haushalt.NAME), scenario, inputs, months)
    uebersicht.lay_out(book.sheet(uebersicht.NAME), scenario, inputs, years, months.fte_cap)
    haushalt.define_names(book.names, scenario, years)
    book.names["Foerderpauschale"] = inputs.rate_per_fte
    if inputs.annual_cost_per_fte is not None:
        book.names["Jahreskosten_VZAE"] = inputs.annual_cost_per_fte
    book.properties.update(
        title=scenario.title,
        subject="Kommunales Integrationsmanagement: Personalkosten, Förderung, Eigenanteil",
        creator=scenario.municipality or "kim-budget",
        keywords="KIM; Haushalt; Eigenanteil; Förderung; VZÄ",
        municipality=scenario.municipality or "",
        reference=scenario.reference or "",
    )
    return book


__all__ = ["Book", "Ref", "lay_out_workbook"]
