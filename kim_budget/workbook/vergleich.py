"""Sheet "Vergleich": several scenarios side by side, inside one workbook.

Each scenario's own sheets ("Annahmen 1", "Monate 1", …) are in the same file; every figure here
is a formula on them, so the comparison follows any change of an input. Years that a scenario's
horizon does not cover stay empty, not 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kim_budget import lines
from kim_budget.formula import Ref, column_letter
from kim_budget.workbook import formats, haushalt, spec, timeline
from kim_budget.workbook.annahmen import NO_KEY, InputRow
from kim_budget.workbook.grid import Chart, Sheet
from kim_budget.workbook.timeline import FIRST_PERIOD, LABEL, TOTAL, UNIT

if TYPE_CHECKING:
    from kim_budget.workbook import ScenarioSheets

NAME = spec.VERGLEICH
FIRST_YEAR = FIRST_PERIOD  # the column roles of a timeline sheet, years from D
PURPOSE = (
    "Eigenanteil und Haushaltsbelastung der Szenarien je Haushaltsjahr. Jede Zahl ist eine "
    "Formel auf die Blätter des jeweiligen Szenarios in dieser Datei (z. B. „Haushalt 1“)."
)
CHART_ROWS = 16
TABLES = tuple(
    (line.key, f"{line.name} je Haushaltsjahr ({line.explanation})")
    for line in spec.RESULT_LINES
    if line.compared
)


def _years(laid: Sequence[ScenarioSheets]) -> list[int]:
    """Every Haushaltsjahr that at least one scenario covers, in order (gaps left out)."""
    return sorted({year for s in laid for year in s.scenario.years})


def _year_cell(laid: ScenarioSheets, year: int, row: int) -> Ref | None:
    """A scenario's "Haushalt" cell of a year, or None outside its horizon."""
    if year not in laid.scenario.years:
        return None
    col = laid.years.first_col + laid.scenario.years.index(year)
    return Ref(laid.years.sheet, row, col)


def _scenarios(sheet: Sheet, row: int, laid: Sequence[ScenarioSheets]) -> int:
    sheet.put(row, LABEL, "Szenarien", role="section")
    row += 1
    for number, scenario in enumerate(laid, start=1):
        sheet.put(row, LABEL, scenario.inputs.title, role="label")
        sheet.put(row, UNIT, f"Nr. {number}", role="unit")
        sheet.put(row, TOTAL, scenario.scenario.path.name, role="note")
        row += 1
    return row + 1


def _table(
    sheet: Sheet, row: int, laid: Sequence[ScenarioSheets], key: str, title: str, years: list[int]
) -> tuple[int, int, list[int]]:
    """One result per scenario and year; returns the header row, next row and scenario rows."""
    sheet.put(row, LABEL, title, role="section")
    row += 1
    for col, text in ((LABEL, "Szenario"), (UNIT, "Einheit"), (TOTAL, "Summe")):
        sheet.put(row, col, text, role="header")
    for index, year in enumerate(years):
        source = next(c for s in laid if (c := _year_cell(s, year, haushalt.YEAR_ROW)))
        sheet.put(row, FIRST_YEAR + index, source, formats.YEAR, role="header")
    header = row
    scenario_rows = []
    for scenario in laid:
        row += 1
        scenario_rows.append(row)
        sheet.put(row, LABEL, scenario.inputs.title, role="label")
        sheet.put(row, UNIT, "€", role="unit")
        total = Ref(scenario.years.sheet, scenario.years.rows[key], timeline.TOTAL)
        sheet.put(row, TOTAL, total, formats.EURO, role="total")
        for index, year in enumerate(years):
            cell = _year_cell(scenario, year, scenario.years.rows[key])
            if cell is not None:
                sheet.put(row, FIRST_YEAR + index, cell, formats.EURO)
    last = column_letter(FIRST_YEAR + len(years) - 1)
    sheet.conditional.append((f"C{scenario_rows[0]}:{last}{row}", "negative"))
    return header, row + 2, scenario_rows


def _differences(sheet: Sheet, row: int, laid: Sequence[ScenarioSheets]) -> int:
    """The inputs whose values differ between scenarios, side by side."""
    sheet.put(row, LABEL, "Annahmen, die sich unterscheiden", role="section")
    row += 1
    sheet.put(row, LABEL, "Annahme", role="header")
    for number in range(1, len(laid) + 1):
        sheet.put(row, TOTAL + number - 1, f"Szenario {number}", role="header")
    row += 1
    found = False
    for identity, label, number_format in _input_identities(laid):
        entries = [_entry(s, identity) for s in laid]
        values = {repr(e.value) if e else None for e in entries}
        if len(values) < 2:
            continue
        found = True
        sheet.put(row, LABEL, label, role="label")
        for number, entry in enumerate(entries):
            if entry is not None:
                sheet.put(row, TOTAL + number, entry.ref, number_format)
        row += 1
    if not found:
        sheet.put(row, LABEL, "keine – die Szenarien haben dieselben Annahmen", role="note")
        row += 1
    return row + 1


def _input_identities(laid: Sequence[ScenarioSheets]) -> list[tuple[str, str, str | None]]:
    """Every input key of any scenario once, in order of first appearance (not the tolerance)."""
    seen: dict[str, tuple[str, str | None]] = {}
    for scenario in laid:
        for entry in scenario.inputs.rows:
            if entry.key != NO_KEY and entry.key != "title":
                seen.setdefault(entry.key, (entry.label, entry.number_format))
    return [(key, label, fmt) for key, (label, fmt) in seen.items()]


def _entry(laid: ScenarioSheets, key: str) -> InputRow | None:
    return next((e for e in laid.inputs.rows if e.key == key), None)


def _checks(sheet: Sheet, row: int, laid: Sequence[ScenarioSheets]) -> Ref:
    sheet.put(row, LABEL, "Prüfungen", role="section")
    row += 1
    masters = []
    for number, scenario in enumerate(laid, start=1):
        sheet.put(row, LABEL, f"Szenario {number}: alle Prüfungen bestanden", role="label")
        masters.append(sheet.put(row, TOTAL, scenario.master, formats.BOOLEAN))
        row += 1
    sheet.put(row, LABEL, "Alle Prüfungen aller Szenarien bestanden", role="label")
    every = sheet.column_range(TOTAL, masters[0].row, masters[-1].row)  # short for any number
    master = sheet.put(row, TOTAL, lines.all_passed(every), formats.BOOLEAN, role="total")
    sheet.conditional.append((f"C{masters[0].row}:C{row}", "false"))
    return master


def lay_out(sheet: Sheet, laid: Sequence[ScenarioSheets]) -> Ref:
    """Write the comparison and return its master check (all scenarios' checks)."""
    sheet.put(1, LABEL, "Szenarienvergleich: Kommunales Integrationsmanagement (KIM)", role="title")
    sheet.put(2, LABEL, PURPOSE, role="note")
    years = _years(laid)
    row = _scenarios(sheet, 4, laid)
    charted: tuple[int, list[int]] | None = None
    for key, title in TABLES:
        header, row, scenario_rows = _table(sheet, row, laid, key, title, years)
        charted = charted or (header, scenario_rows)
    assert charted is not None
    sheet.charts.append(
        Chart(
            title="Eigenanteil je Haushaltsjahr und Szenario",
            alt_text="Säulendiagramm: Eigenanteil in Euro je Haushaltsjahr für jedes Szenario; "
            "die Werte stehen in der ersten Tabelle.",
            categories=charted[0],
            series=tuple(charted[1]),
            series_titles=tuple(s.scenario.title for s in laid),
            first_col=FIRST_YEAR,
            last_col=FIRST_YEAR + len(years) - 1,
            anchor_row=row,
        )
    )
    row = _differences(sheet, row + CHART_ROWS, laid)
    return _checks(sheet, row, laid)
