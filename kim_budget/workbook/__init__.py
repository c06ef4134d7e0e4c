"""Lay out a scenario's workbook: Übersicht, Annahmen, Monate, Haushalt."""

from __future__ import annotations

from kim_budget.formula import Ref
from kim_budget.scenario import Scenario
from kim_budget.workbook import annahmen, haushalt, monate, pruefungen, uebersicht
from kim_budget.workbook.grid import Book, Sheet


def lay_out_workbook(scenario: Scenario) -> Book:
    """Every sheet, name and property of the scenario's workbook, before it becomes a file."""
    names = (uebersicht.NAME, annahmen.NAME, monate.NAME, haushalt.NAME, pruefungen.NAME)
    book = Book([Sheet(name) for name in names])
    inputs = annahmen.lay_out(book.sheet(annahmen.NAME), scenario)
    months = monate.lay_out(book.sheet(monate.NAME), scenario, inputs)
    years = haushalt.lay_out(book.sheet(haushalt.NAME), scenario, inputs, months)
    master = pruefungen.lay_out(book.sheet(pruefungen.NAME), scenario, inputs, months, years)
    uebersicht.lay_out(book.sheet(uebersicht.NAME), scenario, inputs, years, months.fte_cap, master)
    book.names["Pruefung_OK"] = master
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
