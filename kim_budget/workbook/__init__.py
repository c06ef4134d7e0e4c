"""Lay out workbooks: one per scenario, and the comparison of several scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kim_budget.results import Result
from kim_budget.scenario import Scenario
from kim_budget.workbook import haushalt, spec, uebersicht, vergleich
from kim_budget.workbook.grid import Book, Sheet
from kim_budget.workbook.scenario_sheets import ScenarioSheets, add_scenario_sheets

SUBJECT = "Kommunales Integrationsmanagement: Personalkosten, Förderung, Eigenanteil"
KEYWORDS = "KIM; Haushalt; Eigenanteil; Förderung; VZÄ"


@dataclass(frozen=True)
class ScenarioBook:
    """A scenario's laid-out workbook and where its sheets' inputs and results are."""

    book: Book
    sheets: ScenarioSheets


def lay_out_workbook(scenario: Scenario, sensitivity: bool = True) -> ScenarioBook:
    """Every sheet, name and property of the scenario's workbook, before it becomes a file;
    without `sensitivity`, no "Sensitivität" and "Varianten"."""
    book = Book([Sheet(spec.UEBERSICHT, one_page=True)])
    laid = add_scenario_sheets(book, scenario, sensitivity=sensitivity)
    risks = None if laid.sensitivity is None else laid.sensitivity.risks
    uebersicht.lay_out(
        book.sheets[0], scenario, laid.inputs, laid.years, laid.months.fte_cap, laid.master, risks
    )
    haushalt.define_names(book.names, scenario, laid.years)
    if laid.sensitivity is not None:
        book.names.update(laid.sensitivity.names)
    if laid.inputs.rate_per_fte is not None:
        book.names[spec.RATE_NAME] = laid.inputs.rate_per_fte
    if laid.inputs.annual_cost_per_fte is not None:
        book.names[spec.COST_NAME] = laid.inputs.annual_cost_per_fte
    book.names[spec.MASTER_NAME] = laid.master
    book.properties.update(
        title=scenario.title,
        subject=SUBJECT,
        creator=scenario.municipality or "kim-budget",
        keywords=KEYWORDS,
        municipality=scenario.municipality or "",
        reference=scenario.reference or "",
    )
    return ScenarioBook(book, laid)


def lay_out_comparison(scenarios: Sequence[Scenario]) -> Book:
    """The comparison workbook: a "Vergleich" sheet over every scenario's own sheets."""
    book = Book([Sheet(spec.VERGLEICH, one_page=True)])
    laid = [add_scenario_sheets(book, s, f" {n}") for n, s in enumerate(scenarios, start=1)]
    book.names[spec.MASTER_NAME] = vergleich.lay_out(book.sheets[0], laid)
    _comparison_properties(book, scenarios)
    return book


def lay_out_results_comparison(results: Sequence[Result]) -> Book:
    """The results-only comparison of many scenarios: one "Vergleich" sheet, one row per
    scenario, its yearly results taken from its already evaluated layout."""
    book = Book([Sheet(spec.VERGLEICH)])
    book.names[spec.MASTER_NAME] = vergleich.lay_out_results(book.sheets[0], results)
    _comparison_properties(book, [result.scenario for result in results])
    return book


def _comparison_properties(book: Book, scenarios: Sequence[Scenario]) -> None:
    municipalities = {s.municipality for s in scenarios if s.municipality}
    municipality = municipalities.pop() if len(municipalities) == 1 else ""
    book.properties.update(
        title="Szenarienvergleich",
        subject=SUBJECT,
        creator=municipality or "kim-budget",
        keywords=KEYWORDS + "; Szenarienvergleich",
        municipality=municipality,
        reference=", ".join(sorted({s.reference for s in scenarios if s.reference})),
    )


__all__ = [
    "Book",
    "ScenarioBook",
    "ScenarioSheets",
    "add_scenario_sheets",
    "lay_out_comparison",
    "lay_out_results_comparison",
    "lay_out_workbook",
]
