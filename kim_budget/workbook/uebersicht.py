"""Sheet "Übersicht": the cover and summary that fits one A4 landscape page.

Title, municipality, reference, the key assumptions and the per-year table — every figure a
reference to "Annahmen" or "Haushalt", so the summary follows any change of an input.
"""

from __future__ import annotations

from kim_budget import __version__
from kim_budget.formula import Ref
from kim_budget.scenario import Scenario
from kim_budget.workbook import formats, haushalt
from kim_budget.workbook.annahmen import Inputs
from kim_budget.workbook.grid import Sheet

NAME = "Übersicht"
LABEL, UNIT, TOTAL, FIRST_YEAR = 1, 2, 3, 4

PURPOSE = (
    "Diese Arbeitsmappe berechnet je Haushaltsjahr den Eigenanteil der Kommune an den "
    "Personalkosten für Stellen des Kommunalen Integrationsmanagements (KIM): "
    "Personalaufwand abzüglich Landesförderung."
)
RESULT_LABELS = (
    ("Personalaufwand", "Personalaufwand (Aufwand)"),
    ("Foerderung", "Förderung (Ertrag)"),
    ("Eigenanteil", "Eigenanteil (Aufwand − Ertrag)"),
    ("Deckung", "Deckung im laufenden Personalhaushalt"),
    ("Haushaltsbelastung", "Haushaltsbelastung (Eigenanteil − Deckung)"),
)


def _assumptions(sheet: Sheet, row: int, inputs: Inputs, cap: Ref | None) -> int:
    sheet.put(row, LABEL, "Wesentliche Annahmen", role="section")
    row += 1
    entries: list[tuple[str, Ref, str, str]] = []
    for position in inputs.positions:
        entries.append((f"{position.name}: Stellenanteil", position.fte, "VZÄ", formats.VZAE_PLAIN))
        entries.append((f"{position.name}: besetzt ab", position.start, "Monat", formats.MONTH))
        if position.end is not None:
            entries.append((f"{position.name}: besetzt bis", position.end, "Monat", formats.MONTH))
    if inputs.annual_cost_per_fte is not None:
        entries.append(
            ("Jahreskosten je VZÄ", inputs.annual_cost_per_fte, "€/VZÄ/Jahr", formats.EURO)
        )
    entries.append(
        ("Förderpauschale je VZÄ und Jahr", inputs.rate_per_fte, "€/VZÄ/Jahr", formats.EURO)
    )
    if cap is not None:
        entries.append(("Förderfähige VZÄ höchstens", cap, "VZÄ", formats.VZAE_PLAIN))
    for label, ref, unit, number_format in entries:
        sheet.put(row, LABEL, label, role="label")
        sheet.put(row, UNIT, unit, role="unit")
        sheet.put(row, TOTAL, ref, number_format)
        row += 1
    return row + 1


def _results(sheet: Sheet, row: int, scenario: Scenario, years: haushalt.YearRows) -> int:
    sheet.put(row, LABEL, "Ergebnis je Haushaltsjahr", role="section")
    row += 1
    for col, header in ((LABEL, "Zeile"), (UNIT, "Einheit"), (TOTAL, "Summe")):
        sheet.put(row, col, header, role="header")
    for index in range(len(scenario.years)):
        year = Ref(haushalt.NAME, haushalt.YEAR_ROW, years.first_col + index)
        sheet.put(row, FIRST_YEAR + index, year, formats.YEAR, role="header")
    row += 1
    for key, label in RESULT_LABELS:
        sheet.put(row, LABEL, label, role="label")
        sheet.put(row, UNIT, "€", role="unit")
        total = Ref(haushalt.NAME, years.rows[key], haushalt.TOTAL)
        sheet.put(row, TOTAL, total, formats.EURO, role="total")
        for index in range(len(scenario.years)):
            sheet.put(row, FIRST_YEAR + index, years.cell(key, index), formats.EURO)
        row += 1
    return row + 1


def lay_out(
    sheet: Sheet, scenario: Scenario, inputs: Inputs, years: haushalt.YearRows, cap: Ref | None
) -> None:
    """Write the cover and summary."""
    sheet.put(
        1,
        LABEL,
        "Kommunales Integrationsmanagement (KIM): Personalkosten und Förderung",
        role="title",
    )
    sheet.put(2, LABEL, inputs.title, role="subtitle")
    row = 4
    for label, ref in (("Kommune", inputs.municipality), ("Vorlagen-Nr.", inputs.reference)):
        if ref is not None:
            sheet.put(row, LABEL, label, role="label")
            sheet.put(row, UNIT, ref, role="text")
            row += 1
    sheet.put(row, LABEL, PURPOSE, role="note")
    row = _assumptions(sheet, row + 2, inputs, cap)
    row = _results(sheet, row, scenario, years)
    notes = (
        "Beträge in €, positiv; Eigenanteil und Haushaltsbelastung als Aufwand − Ertrag "
        "(negativ, wenn die Förderung die Kosten übersteigt).",
        "Alle Zahlen sind Formeln: Eingaben stehen auf dem Blatt „Annahmen“, "
        "die Monatsrechnung auf „Monate“, die Jahressummen auf „Haushalt“.",
        f"Szenariodatei: {scenario.path.name} (SHA-256 {scenario.sha256})",
        f"Erzeugt mit kim-budget {__version__}",
    )
    for note in notes:
        sheet.put(row, LABEL, note, role="note")
        row += 1
