"""The sheets of one scenario, in a workbook of its own or among others in a comparison."""

from __future__ import annotations

from dataclasses import dataclass

from kim_budget.formula import Ref
from kim_budget.scenario import Scenario
from kim_budget.workbook import (
    annahmen,
    haushalt,
    monate,
    pruefungen,
    sensitivitaet,
    spec,
    tarif,
    varianten,
)
from kim_budget.workbook.grid import Book, Sheet


@dataclass(frozen=True)
class ScenarioSheets:
    """Where one scenario's inputs, results and master check are."""

    scenario: Scenario
    inputs: annahmen.Inputs
    months: monate.MonthRows
    years: haushalt.YearRows
    master: Ref
    pay: tarif.PayRefs | None = None
    sensitivity: sensitivitaet.Laid | None = None
    """Where "Sensitivität" has its results (None when the workbook leaves it out)."""


def add_scenario_sheets(
    book: Book, scenario: Scenario, suffix: str = "", sensitivity: bool = False
) -> ScenarioSheets:
    """Append the sheets of one scenario: Annahmen, Tarif (when positions are priced from the
    pay tables), Monate, Haushalt, with `sensitivity` Sensitivität and Varianten, and
    Prüfungen."""
    names = list(spec.scenario_group(scenario.graded))
    if sensitivity:
        after = names.index(spec.HAUSHALT) + 1
        names[after:after] = spec.SENSITIVITY_SHEETS
    sheets = {name: Sheet(name + suffix, one_page=name == spec.SENSITIVITAET) for name in names}
    book.sheets += sheets.values()
    inputs = annahmen.lay_out(sheets[spec.ANNAHMEN], scenario, sensitivity)
    pay = tarif.lay_out(sheets[spec.TARIF], scenario) if scenario.graded else None
    months = monate.lay_out(sheets[spec.MONATE], scenario, inputs, pay)
    years = haushalt.lay_out(sheets[spec.HAUSHALT], scenario, inputs, months)
    laid = None
    if sensitivity:
        variants, rows = varianten.lay_out(sheets[spec.VARIANTEN], scenario, inputs, pay)
        sheet = sheets[spec.SENSITIVITAET]
        laid = sensitivitaet.lay_out(sheet, scenario.title, variants, rows, years)
    master = pruefungen.lay_out(sheets[spec.PRUEFUNGEN], scenario, inputs, months, years, pay)
    return ScenarioSheets(scenario, inputs, months, years, master, pay, laid)
