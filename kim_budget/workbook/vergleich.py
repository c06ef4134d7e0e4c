"""Sheet "Vergleich": several scenarios side by side, inside one workbook.

Up to `spec.SIDE_BY_SIDE_LIMIT` scenarios, each scenario's own sheets ("Annahmen 1", "Monate 1",
…) are in the same file; every figure here is a formula on them, so the comparison follows any
change of an input. Beyond, the comparison is results-only (`lay_out_results`): one row per
scenario with its yearly results as values from its own evaluated workbook, so 400 scenarios
make one readable sheet, not 1,600. Years that a scenario's horizon does not cover stay empty,
not 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from kim_budget import lines
from kim_budget.formula import Expr, Num, Ref, column_letter
from kim_budget.results import Result
from kim_budget.workbook import formats, haushalt, spec, timeline
from kim_budget.workbook.annahmen import NO_KEY, InputRow
from kim_budget.workbook.grid import Chart, Sheet
from kim_budget.workbook.scenario_sheets import ScenarioSheets
from kim_budget.workbook.timeline import FIRST_PERIOD, LABEL, TOTAL, UNIT

NAME = spec.VERGLEICH
FIRST_YEAR = FIRST_PERIOD  # the column roles of a timeline sheet, years from D
PURPOSE = (
    "Eigenanteil und Haushaltsbelastung der Szenarien je Haushaltsjahr. Jede Zahl ist eine "
    "Formel auf die Blätter des jeweiligen Szenarios in dieser Datei (z. B. „Haushalt 1“)."
)
CHART_ROWS = 16


def _tables(full_cost: bool) -> list[tuple[str, str, str]]:
    """The compared result lines (field, key, table title); the full cost only when a scenario
    gives Sachkosten or a Gemeinkostenzuschlag."""
    return [
        (line.field, line.key, f"{line.name} je Haushaltsjahr ({line.explanation})")
        for line in spec.result_lines(graded=False, full_cost=full_cost)
        if line.compared
    ]


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
                sheet.put(row, TOTAL + number, entry.shown(), number_format)
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
    tables = row
    charted: tuple[int, list[int]] | None = None
    for _, key, title in _tables(any(s.scenario.full_cost for s in laid)):
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
    # Printed pages break between the blocks, never through a table or the chart; the chart
    # stands below the blank row that ends the tables (a chart on a page's first row is also
    # drawn, cut, at the foot of the page before).
    chart = row - 1
    differences = row + CHART_ROWS
    row = _differences(sheet, differences, laid)
    sheet.break_rows = (tables, chart, differences, row)
    sheet.title_rows = (1, 1)
    return _checks(sheet, row, laid)


# ---------------------------------------------------------------- results only, for many scenarios

RESULTS_PURPOSE = (
    "Eigenanteil und Haushaltsbelastung der Szenarien je Haushaltsjahr, eine Zeile je Szenario.",
    "Die Jahreswerte stammen aus der Arbeitsmappe des Szenarios (Spalte „Datei“: seine "
    "Szenariodatei); Summen und Prüfungen sind Formeln.",
)
"""Two short lines, so that they print within the width of the tables."""
RESULTS_WIDTHS = {LABEL: 52.0, UNIT: 30.0, TOTAL: 16.0}
"""Column B holds file names, wider than the unit column of the side-by-side comparison."""
SENSITIVITY_TITLE = (
    "Sensitivität: Eigenanteil über den Zeitraum, wie angenommen (Basis) und in der Variante, "
    "die ihn am stärksten ändert"
)
TOLERANCE_CENTS = 100
"""The checks allow a difference of 1/100 € (one cent): sums of amounts in cents."""


def _cover(sheet: Sheet, row: int, results: Sequence[Result], years: list[int]) -> int:
    """The facts of the comparison: how many scenarios, which years, where the figures come from."""
    sheet.put(row, LABEL, "Überblick", role="section")
    municipalities = sorted({r.scenario.municipality for r in results if r.scenario.municipality})
    facts = [
        ("Szenarien", f"{len(results)} (eine Zeile je Szenario und Tabelle)"),
        ("Haushaltsjahre", f"{years[0]}–{years[-1]}" if years else "keine"),
        ("Kommunen", ", ".join(municipalities) if municipalities else "nicht angegeben"),
        ("Herkunft der Jahreswerte", "Arbeitsmappen der Szenarien, gebaut von kim-budget"),
    ]
    for label, text in facts:
        row += 1
        sheet.put(row, LABEL, label, role="label")
        sheet.put(row, UNIT, text, role="note")
    return row + 2


def _result_table(
    sheet: Sheet, row: int, results: Sequence[Result], field: str, title: str, years: list[int]
) -> tuple[int, Expr]:
    """One row per scenario: title, file, total (formula) and the yearly values; then the sums.

    Returns the next row and the table's check: the row totals add up to the yearly sums.
    """
    last_col = FIRST_YEAR + len(years) - 1
    sheet.put(row, LABEL, title, role="section")
    row += 1
    for col, text in ((LABEL, "Szenario"), (UNIT, "Datei"), (TOTAL, "Summe")):
        sheet.put(row, col, text, role="header")
    for index, year in enumerate(years):
        sheet.put(row, FIRST_YEAR + index, year, formats.YEAR, role="header")
    first = row + 1
    for result in results:
        row += 1
        sheet.put(row, LABEL, result.scenario.title, role="label")
        sheet.put(row, UNIT, result.scenario.path.name, role="note")
        sheet.put(
            row, TOTAL, lines.sum_of(sheet.row_range(row, FIRST_YEAR, last_col)), formats.EURO
        )
        for entry in result.years:
            sheet.put(
                row, FIRST_YEAR + years.index(entry.year), getattr(entry, field), formats.EURO
            )
    last = row
    row += 1
    sheet.put(row, LABEL, "Summe aller Szenarien", role="total")
    sheet.put(row, UNIT, "€", role="unit")
    for col in range(TOTAL, last_col + 1):
        column = sheet.column_range(col, first, last)
        sheet.put(row, col, lines.sum_of(column), formats.EURO, role="total")
    sheet.conditional.append((f"C{first}:{column_letter(last_col)}{row}", "negative"))
    rows_total = Ref(sheet.name, row, TOTAL)
    years_total = lines.sum_of(sheet.row_range(row, FIRST_YEAR, last_col))
    check = lines.within(rows_total - years_total, Num(1) / Num(TOLERANCE_CENTS))
    return row + 2, check


def _sensitivity_table(sheet: Sheet, row: int, results: Sequence[Result]) -> int:
    """Per scenario with a "Sensitivität": the Eigenanteil over the horizon as it is and under
    the variant that moves it most (values from its workbook), and their difference."""
    shown = [(result, widest) for result in results if (widest := result.widest()) is not None]
    if not shown:
        return row
    sheet.put(row, LABEL, SENSITIVITY_TITLE, role="section")
    headers = ("Szenario", "Datei", "Differenz", "Basis", "Variante", "Größte Abweichung")
    for col, text in enumerate(headers, start=LABEL):
        sheet.put(row + 1, col, text, role="header")
    row += 1
    for result, widest in shown:
        row += 1
        sheet.put(row, LABEL, result.scenario.title, role="label")
        sheet.put(row, UNIT, result.scenario.path.name, role="note")
        base, variant = Ref(sheet.name, row, FIRST_YEAR), Ref(sheet.name, row, FIRST_YEAR + 1)
        sheet.put(row, TOTAL, lines.difference(variant, base), formats.EURO)
        sheet.put(row, FIRST_YEAR, result.sensitivity[0].eigenanteil, formats.EURO)
        sheet.put(row, FIRST_YEAR + 1, widest.eigenanteil, formats.EURO)
        sheet.put(row, FIRST_YEAR + 2, widest.label, role="text")
    return row + 2


def lay_out_results(sheet: Sheet, results: Sequence[Result]) -> Ref:
    """The results-only comparison of many scenarios; returns its master check."""
    sheet.put(1, LABEL, "Szenarienvergleich: Kommunales Integrationsmanagement (KIM)", role="title")
    for row, text in enumerate(RESULTS_PURPOSE, start=2):
        sheet.put(row, LABEL, text, role="note")
    sheet.column_widths.update(RESULTS_WIDTHS)
    years = sorted({entry.year for result in results for entry in result.years})
    row = _cover(sheet, 2 + len(RESULTS_PURPOSE) + 1, results, years)
    checks: list[tuple[str, Expr]] = []
    for field, key, title in _tables(any(r.scenario.full_cost for r in results)):
        row, check = _result_table(sheet, row, results, field, title, years)
        checks.append((key, check))
    row = _sensitivity_table(sheet, row, results)
    sheet.put(row, LABEL, "Prüfungen", role="section")
    first = row + 1
    for key, check in checks:
        row += 1
        sheet.put(row, LABEL, f"{key}: Summe der Zeilen = Summe der Jahre", role="label")
        sheet.put(row, TOTAL, check, formats.BOOLEAN)
    row += 1
    sheet.put(row, LABEL, "Alle Prüfungen bestanden", role="label")
    passed = lines.all_passed(sheet.column_range(TOTAL, first, row - 1))
    master = sheet.put(row, TOTAL, passed, formats.BOOLEAN, role="total")
    sheet.conditional.append((f"C{first}:C{row}", "false"))
    return master
