"""Sheet "Übersicht": the cover and summary, on one A4 landscape page where it fits.

Title, facts, the results per Haushaltsjahr (in blocks of at most eight years, so the page stays
readable for any horizon), the key assumptions with the chart beside them, and notes — every
figure a reference to "Annahmen" or "Haushalt", so the summary follows any change of an input.
A cover too long for one readable page continues on a second page that repeats the title; pages
break only between these blocks (`Sheet.break_rows`), never through a table or the chart.
"""

from __future__ import annotations

from kim_budget import __version__, lines
from kim_budget.formula import Expr, Range, Ref, column_letter
from kim_budget.measures import BOOLEAN
from kim_budget.scenario import Scenario
from kim_budget.workbook import formats, haushalt, spec, timeline
from kim_budget.workbook.annahmen import Inputs
from kim_budget.workbook.grid import Chart, Content, Sheet
from kim_budget.workbook.timeline import FIRST_PERIOD, LABEL, TOTAL, UNIT

NAME = spec.UEBERSICHT
FIRST_YEAR = FIRST_PERIOD  # the column roles of a timeline sheet, years from D

PURPOSE = (
    "Diese Arbeitsmappe berechnet je Haushaltsjahr den Eigenanteil der Kommune an den "
    "Personalkosten für Stellen des Kommunalen Integrationsmanagements (KIM): "
    "Personalaufwand abzüglich Landesförderung."
)
CHANGED_LABEL = "Eingaben gegenüber der Szenariodatei geändert"
"""The cover line counting the inputs on "Annahmen" that differ from the named scenario file."""
RISKS_LABEL = "Größte Risiken (Blatt „Sensitivität“)"
"""The cover line naming the two variants that raise the Eigenanteil most."""
CHART_ROWS = 14
"""The chart's least height in rows; beside a longer table of assumptions it grows with it."""
CHART_CM_PER_ROW = 7.5 / 16
YEARS_PER_BLOCK = 8
"""The results show at most eight years side by side; more continue in a block below."""
CHART_FIRST_COL = FIRST_PERIOD + 2  # the assumptions' table takes A to E
COVER_COLUMNS = FIRST_PERIOD + YEARS_PER_BLOCK - 1
"""The cover prints columns A to K at least: room for the chart beside the assumptions."""
CHART_ALT_TEXT = (
    "Säulendiagramm: Personalaufwand, Förderung und Eigenanteil in Euro je Haushaltsjahr; "
    "die Werte stehen in der Tabelle darüber."
)
NOTES = (
    "Beträge in €, positiv; Eigenanteil und Haushaltsbelastung als Aufwand − Ertrag "
    "(negativ, wenn die Förderung die Kosten übersteigt).",
    "Alle Zahlen sind Formeln auf die Eingaben von „Annahmen“ (Monate, Haushalt, Prüfungen); "
    "die Blätter sind ohne Kennwort geschützt, nur die Eingaben sind freigegeben.",
    "Grenzen des Modells: Kosten je VZÄ als Jahreswert oder nach TVöD; Förderung ab "
    "Besetzung monatsanteilig; Gemeinkosten nur kalkulatorisch; ganze Monate; Steigerungen "
    "ab ihrem Monat.",
)


def _assumptions(sheet: Sheet, row: int, inputs: Inputs, cap: Ref | None, full_cost: bool) -> int:
    """The key assumptions as a small table: Annahme | Einheit | Wert | ab | bis."""
    sheet.put(row, LABEL, "Wesentliche Annahmen", role="section")
    row += 1
    for col, header in enumerate(("Annahme", "Einheit", "Wert", "ab", "bis"), start=LABEL):
        sheet.put(row, col, header, role="header")
    row += 1
    # (label, unit, value, number format, from, until)
    entries: list[tuple[str, str, Expr, str, Ref | None, Ref | None]] = []
    for p in inputs.positions:
        entries.append((f"Stelle: {p.name}", "VZÄ", p.fte, formats.VZAE_PLAIN, p.start, p.end))
    if inputs.annual_cost_per_fte is not None:
        cost = inputs.annual_cost_per_fte
        entries.append(("Jahreskosten je VZÄ", "€/VZÄ/Jahr", cost, formats.EURO, None, None))
    for p in inputs.positions:
        if p.grading is not None:
            label = f"TVöD {p.grading.grade}, Stufe ab: {p.name}"
            step = p.grading.step
            entries.append((label, "Stufe", step, formats.COUNT, p.grading.step_since, None))
        elif p.annual_cost is not None and p.annual_cost != inputs.annual_cost_per_fte:
            label = f"Jahreskosten je VZÄ: {p.name}"
            entries.append((label, "€/VZÄ/Jahr", p.annual_cost, formats.EURO, None, None))
    for increase in inputs.cost_increases:
        entries.append(
            ("Kostensteigerung", "%", increase.percent, formats.PERCENT, increase.start, None)
        )
    material = inputs.material
    if full_cost:
        entries.append(
            ("Sachkosten je VZÄ und Jahr", "€/VZÄ/Jahr", material.per_fte, formats.EURO, None, None)
        )
        for increase in material.increases:
            entries.append(
                (
                    "Sachkostensteigerung",
                    "%",
                    increase.percent,
                    formats.PERCENT,
                    increase.start,
                    None,
                )
            )
        entries.append(
            (
                "Gemeinkostenzuschlag (kalkulatorisch)",
                "%",
                material.overhead_percent,
                formats.PERCENT,
                None,
                None,
            )
        )
    terms = inputs.funding_terms
    if terms.percent_of_cost is not None:
        entries.append(
            (
                "Förderquote der förderfähigen Kosten",
                "%",
                terms.percent_of_cost,
                formats.PERCENT,
                None,
                None,
            )
        )
    rate = inputs.rate_per_fte
    if rate is not None:
        label = (
            "Förderpauschale je VZÄ und Jahr"
            if terms.percent_of_cost is None
            else "Förderung höchstens je VZÄ und Jahr"
        )
        entries.append((label, "€/VZÄ/Jahr", rate, formats.EURO, None, terms.end))
    elif terms.end is not None:
        entries.append(
            ("Förderung bis einschließlich", "Monat", terms.end, formats.MONTH, None, None)
        )
    for increase in inputs.funding_increases:
        entries.append(
            ("Förderanpassung", "%", increase.percent, formats.PERCENT, increase.start, None)
        )
    if cap is not None:
        entries.append(("Förderfähige VZÄ höchstens", "VZÄ", cap, formats.VZAE_PLAIN, None, None))
    entries.append(
        (
            "Förderung höchstens in Höhe der Kosten",
            BOOLEAN.unit,
            lines.as_yes_no(inputs.cap_at_cost),
            formats.YES_NO,
            None,
            None,
        )
    )
    for label, unit, value, number_format, start, end in entries:
        sheet.put(row, LABEL, label, role="label")
        sheet.put(row, UNIT, unit, role="unit")
        sheet.put(row, TOTAL, value, number_format)
        for col, month in ((FIRST_YEAR, start), (FIRST_YEAR + 1, end)):
            if month is not None:
                sheet.put(row, col, month, formats.MONTH)
        row += 1
    return row + 1


def _results(
    sheet: Sheet, row: int, scenario: Scenario, years: haushalt.YearRows
) -> tuple[int, list[int]]:
    """The results per Haushaltsjahr, in blocks of at most `YEARS_PER_BLOCK` years; the sum
    over the horizon stands in the first block. Returns the row after the last block and the
    first row of each block after the first (where a page may break)."""
    sheet.put(row, LABEL, "Ergebnis je Haushaltsjahr", role="section")
    row += 1
    count = len(scenario.years)
    starts = []
    for first in range(0, count, YEARS_PER_BLOCK):
        if first:
            row += 1  # a blank row between blocks
            starts.append(row)
        block = range(first, min(first + YEARS_PER_BLOCK, count))
        row = _result_block(sheet, row, scenario, years, block)
    return row, starts


def _result_block(
    sheet: Sheet, row: int, scenario: Scenario, years: haushalt.YearRows, block: range
) -> int:
    """One block of the results: a header row of years, then one row per result line."""
    headers = ((LABEL, "Zeile"), (UNIT, "Einheit"), (TOTAL, "Summe" if block.start == 0 else ""))
    for col, header in headers:
        sheet.put(row, col, header, role="header")
    for col, index in enumerate(block, start=FIRST_YEAR):
        year = _same_column(years, haushalt.YEAR_ROW, years.first_col + index)
        sheet.put(row, col, year, formats.YEAR, role="header")
    row += 1
    last = column_letter(FIRST_YEAR + len(block) - 1)
    for line in spec.result_lines(scenario.graded, scenario.full_cost):
        if line.key not in years.rows:
            continue
        sheet.put(row, LABEL, line.label, role="label")
        sheet.put(row, UNIT, line.unit, role="unit")
        if block.start == 0:
            total = Ref(years.sheet, years.rows[line.key], timeline.TOTAL)
            sheet.put(row, TOTAL, total, formats.EURO, role="total")
        for col, index in enumerate(block, start=FIRST_YEAR):
            cell = _same_column(years, years.rows[line.key], years.first_col + index)
            sheet.put(row, col, cell, formats.EURO)
        if line.key in spec.NEGATIVE_HIGHLIGHTED:
            sheet.conditional.append((f"{column_letter(TOTAL)}{row}:{last}{row}", "negative"))
        row += 1
    return row


def _chart(sheet: Sheet, row: int, rows: int, scenario: Scenario, years: haushalt.YearRows) -> None:
    """The chart of Personalaufwand, Förderung and Eigenanteil over every year (drawn from
    "Haushalt"), beside the assumptions: `rows` rows from `row` on."""
    charted = [
        line
        for line in spec.result_lines(scenario.graded, scenario.full_cost)
        if line.charted and line.key in years.rows
    ]
    sheet.charts.append(
        Chart(
            title="Personalaufwand, Förderung und Eigenanteil je Haushaltsjahr",
            alt_text=CHART_ALT_TEXT,
            categories=haushalt.YEAR_ROW,
            series=tuple(years.rows[line.key] for line in charted),
            series_titles=tuple(line.label for line in charted),
            first_col=years.first_col,
            last_col=years.last_col,
            anchor_row=row,
            height_cm=rows * CHART_CM_PER_ROW,
            source=years.sheet,
            area=(CHART_FIRST_COL, max(COVER_COLUMNS, FIRST_YEAR + _widest_block(scenario) - 1)),
        )
    )


def _widest_block(scenario: Scenario) -> int:
    return min(len(scenario.years), YEARS_PER_BLOCK)


def _same_column(years: haushalt.YearRows, row: int, col: int) -> Ref:
    """A cell of "Haushalt" in the same column: one formula shape across the year columns."""
    return Ref(years.sheet, row, col, fix_row=True, fix_col=False)


END_LABEL = "Förderung bis einschließlich"
WITHOUT_LABEL = "Erstes volles Haushaltsjahr ohne Förderung"
WITHOUT_AMOUNT_LABEL = "Eigenanteil in diesem Jahr"
FACT_FORMATS = {
    CHANGED_LABEL: formats.COUNT,
    END_LABEL: formats.MONTH,
    WITHOUT_LABEL: formats.YEAR,
    WITHOUT_AMOUNT_LABEL: formats.EURO,
}


def _without_funding(
    inputs: Inputs, years: haushalt.YearRows, year_cell: Ref
) -> list[tuple[str, Content]]:
    """With a grant end: its month, the first full year without funding (in `year_cell`) and
    its Eigenanteil."""
    end = inputs.funding_terms.end
    if end is None:
        return []
    year = lines.first_year_without_funding(end, inputs.first_year)
    row = years.rows["Eigenanteil"]
    values = Range(Ref(years.sheet, row, years.first_col), Ref(years.sheet, row, years.last_col))
    amount = lines.in_horizon(year_cell, inputs.last_year, values, inputs.first_year)
    return [(END_LABEL, end), (WITHOUT_LABEL, year), (WITHOUT_AMOUNT_LABEL, amount)]


def _cover(
    sheet: Sheet,
    scenario: Scenario,
    inputs: Inputs,
    master: Ref,
    years: haushalt.YearRows,
    risks: Expr | None,
) -> int:
    sheet.put(
        1,
        LABEL,
        "Kommunales Integrationsmanagement (KIM): Personalkosten und Förderung",
        role="title",
    )
    sheet.put(2, LABEL, inputs.title, role="subtitle")
    sheet.put(3, LABEL, PURPOSE, role="note")
    facts: list[tuple[str, Content]] = []
    if inputs.municipality is not None:
        facts.append(("Kommune", inputs.municipality))
    if inputs.reference is not None:
        facts.append(("Vorlagen-Nr.", inputs.reference))
    facts += [
        ("Szenariodatei", scenario.path.name),
        ("SHA-256 der Szenariodatei", scenario.sha256),
        (CHANGED_LABEL, lines.changed_inputs(inputs.changed)),
    ]
    year_cell = Ref(sheet.name, 5 + len(facts) + 1, UNIT)  # the second of these facts
    facts += _without_funding(inputs, years, year_cell)
    if risks is not None:
        facts.append((RISKS_LABEL, risks))
    facts += [
        ("Erzeugt mit", f"kim-budget {__version__}"),
        ("Prüfungen (Blatt „Prüfungen“)", lines.status(master)),
    ]
    for row, (label, value) in enumerate(facts, start=5):
        sheet.put(row, LABEL, label, role="label")
        fmt = FACT_FORMATS.get(label)
        sheet.put(row, UNIT, value, fmt, role="calc" if fmt else "text")
    status_row = 5 + len(facts) - 1
    sheet.conditional.append((f"{column_letter(UNIT)}{status_row}", "fehler"))
    return status_row + 1  # no blank row before the (filled) section title: one page still


def lay_out(
    sheet: Sheet,
    scenario: Scenario,
    inputs: Inputs,
    years: haushalt.YearRows,
    cap: Ref | None,
    master: Ref,
    risks: Expr | None = None,
) -> None:
    """Write the cover and summary (`risks`: the two largest risks on "Sensitivität")."""
    row = _cover(sheet, scenario, inputs, master, years, risks)
    results = row
    row, blocks = _results(sheet, row, scenario, years)
    row += 1
    beside = row
    row = _assumptions(sheet, row, inputs, cap, scenario.full_cost)
    # beside the assumptions' table, as tall as it, below its section title (a chart that
    # starts on a page's first row is also drawn, cut, at the foot of the page before)
    chart_rows = max(CHART_ROWS, row - beside - 2)
    _chart(sheet, beside + 1, chart_rows, scenario, years)
    row = max(row, beside + 1 + chart_rows + 1)
    notes = row
    for note in NOTES:
        sheet.put(row, LABEL, note, role="note")
        row += 1
    sheet.print_columns = max(COVER_COLUMNS, FIRST_YEAR + _widest_block(scenario) - 1)
    sheet.break_rows = (results, *blocks, beside, notes)
    sheet.title_rows = (1, 2)  # a second page repeats the title
