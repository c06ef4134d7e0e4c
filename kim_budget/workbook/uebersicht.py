"""Sheet "Übersicht": the cover and summary that fits one A4 landscape page.

Title, municipality, reference, the key assumptions and the per-year table — every figure a
reference to "Annahmen" or "Haushalt", so the summary follows any change of an input.
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
CHART_ROWS = 16
GRADED_CHART_ROWS = 10
"""A graded scenario's cover has three account lines more: a lower chart keeps it on one page."""
CHART_CM_PER_ROW = 7.5 / CHART_ROWS
CHART_ALT_TEXT = (
    "Säulendiagramm: Personalaufwand, Förderung und Eigenanteil in Euro je Haushaltsjahr; "
    "die Werte stehen in der Tabelle darüber."
)
NOTES = (
    "Beträge in €, positiv; Eigenanteil und Haushaltsbelastung als Aufwand − Ertrag "
    "(negativ, wenn die Förderung die Kosten übersteigt).",
    "Alle Zahlen sind Formeln: Eingaben stehen auf „Annahmen“, die Monatsrechnung auf "
    "„Monate“, die Jahressummen auf „Haushalt“, die Prüfungen auf „Prüfungen“.",
    "Grenzen des Modells: Kosten je VZÄ als Jahreswert oder nach TVöD; Förderung ab "
    "Besetzung monatsanteilig; Gemeinkosten nur kalkulatorisch; ganze Monate; Steigerungen "
    "ab ihrem Monat.",
    "Die Blätter sind ohne Kennwort geschützt, nur die Eingabezellen auf „Annahmen“ sind "
    "freigegeben; der Schutz lässt sich bewusst aufheben (Überprüfen › Blattschutz aufheben).",
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


def _results(sheet: Sheet, row: int, scenario: Scenario, years: haushalt.YearRows) -> int:
    sheet.put(row, LABEL, "Ergebnis je Haushaltsjahr", role="section")
    row += 1
    for col, header in ((LABEL, "Zeile"), (UNIT, "Einheit"), (TOTAL, "Summe")):
        sheet.put(row, col, header, role="header")
    header_row = row
    for index in range(len(scenario.years)):
        year = _same_column(years, haushalt.YEAR_ROW, years.first_col + index)
        sheet.put(row, FIRST_YEAR + index, year, formats.YEAR, role="header")
    row += 1
    series: list[int] = []
    titles: list[str] = []
    for line in spec.result_lines(scenario.graded, scenario.full_cost):
        key = line.key
        if key not in years.rows:
            continue
        sheet.put(row, LABEL, line.label, role="label")
        sheet.put(row, UNIT, line.unit, role="unit")
        total = Ref(years.sheet, years.rows[key], timeline.TOTAL)
        sheet.put(row, TOTAL, total, formats.EURO, role="total")
        for index in range(len(scenario.years)):
            cell = _same_column(years, years.rows[key], years.first_col + index)
            sheet.put(row, FIRST_YEAR + index, cell, formats.EURO)
        if line.charted:
            series.append(row)
            titles.append(line.label)
        if key in spec.NEGATIVE_HIGHLIGHTED:
            last = column_letter(FIRST_YEAR + len(scenario.years) - 1)
            sheet.conditional.append((f"{column_letter(TOTAL)}{row}:{last}{row}", "negative"))
        row += 1
    last_col = FIRST_YEAR + len(scenario.years) - 1
    chart_rows = GRADED_CHART_ROWS if scenario.graded else CHART_ROWS
    sheet.charts.append(
        Chart(
            title="Personalaufwand, Förderung und Eigenanteil je Haushaltsjahr",
            alt_text=CHART_ALT_TEXT,
            categories=header_row,
            series=tuple(series),
            series_titles=tuple(titles),
            first_col=FIRST_YEAR,
            last_col=last_col,
            anchor_row=row + 1,
            height_cm=chart_rows * CHART_CM_PER_ROW,
        )
    )
    return row + 1 + chart_rows


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
    sheet: Sheet, scenario: Scenario, inputs: Inputs, master: Ref, years: haushalt.YearRows
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
) -> None:
    """Write the cover and summary."""
    row = _cover(sheet, scenario, inputs, master, years)
    row = _assumptions(sheet, row, inputs, cap, scenario.full_cost)
    row = _results(sheet, row, scenario, years)
    for note in NOTES:
        sheet.put(row, LABEL, note, role="note")
        row += 1
