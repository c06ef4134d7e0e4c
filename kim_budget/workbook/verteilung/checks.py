""" "Prüfungen" (the totals add up; the master check) and "Übersicht" (the cover) of the
district workbook."""

from __future__ import annotations

from kim_budget import __version__, lines
from kim_budget.district import District
from kim_budget.formula import Expr, Range, Ref, Term
from kim_budget.workbook import formats, spec
from kim_budget.workbook.grid import Content, Sheet
from kim_budget.workbook.verteilung.refs import (
    FUNDING,
    NOTES,
    PASSED,
    PURPOSE,
    REFUND,
    ROUNDED,
    SHARE,
    DistrictInputs,
)
from kim_budget.workbook.verteilung.tables import (
    Table,
)


def lay_out_pruefungen(
    sheet: Sheet,
    verteilung: Sheet,
    inputs: DistrictInputs,
    table: Table,
    deviations: Range,
) -> Ref:
    sheet.put(1, 1, "Prüfungen – Verteilung", role="title")
    sheet.put(
        2, 1, "Jede Prüfung muss WAHR ergeben; das Gesamtergebnis steht auf der Übersicht.", "note"
    )
    for col, header in ((1, "Prüfung"), (2, "Einheit"), (3, "Ergebnis")):
        sheet.put(4, col, header, role="header")
    checks: list[Ref] = []
    row = 6

    def value(label: str, unit: str, fmt: str, formula: Term) -> Ref:
        nonlocal row
        sheet.put(row, 1, label, role="label")
        sheet.put(row, 2, unit, role="unit")
        ref = sheet.put(row, 3, formula, fmt)
        row += 1
        return ref

    def check(label: str, formula: Term) -> None:
        ref = value(label, "WAHR/FALSCH", formats.BOOLEAN, formula)
        checks.append(ref)
        sheet.conditional.append((ref.coordinate(), "false"))

    def total(col: int) -> Ref:
        return verteilung.ref(table.total, col)

    sheet.put(5, 1, "Summen", role="section")
    for col, what in ((SHARE, "exakten"), (ROUNDED, "gerundeten")):
        gap = value(
            f"Summe der {what} Anteile − VZÄ des Kreises",
            "VZÄ",
            "0.000000",
            lines.difference(total(col), table.posts),
        )
        check(
            f"Die {what} Anteile ergeben die VZÄ des Kreises",
            lines.within(gap, inputs.vzae_tolerance),
        )
    highest = value(
        "Größte Abweichung gerundet − exakt", "VZÄ", "0.000000", lines.largest_of(deviations)
    )
    check("Gerundet höchstens ein Tausendstel über exakt", lines.at_most(highest, 1 / inputs.units))
    lowest = value(
        "Kleinste Abweichung gerundet − exakt", "VZÄ", "0.000000", lines.smallest_of(deviations)
    )
    check(
        "Gerundet höchstens ein Tausendstel unter exakt",
        lines.at_most(-lowest, 1 / inputs.units),
    )
    gap = value(
        "Summe der Förderung − VZÄ × Pauschale",
        "€",
        formats.EURO,
        lines.difference(total(FUNDING), table.funding),
    )
    check(
        "Die Förderung der Kommunen ergibt die Förderung des Kreises",
        lines.within(gap, inputs.tolerance),
    )
    gap = value(
        "Weitergeleitet + Erstattung − Förderung",
        "€",
        formats.EURO,
        lines.difference(lines.sum_of([total(PASSED), total(REFUND)]), total(FUNDING)),
    )
    check(
        "Weitergeleitet und erstattet wird genau die Förderung", lines.within(gap, inputs.tolerance)
    )
    smallest = value(
        "Niedrigste Erstattung einer Kommune",
        "€",
        formats.EURO,
        lines.smallest_of(verteilung.column_range(REFUND, table.first, table.last)),
    )
    check("Keine negative Erstattung", lines.not_negative(smallest))
    row += 1
    sheet.put(row - 1, 1, "Gesamtergebnis", role="section")
    master = value(
        "Alle Prüfungen bestanden", "WAHR/FALSCH", formats.BOOLEAN, lines.all_passed(checks)
    )
    sheet.conditional.append((master.coordinate(), "false"))
    sheet.title_rows = (1, 4)
    return master


# ---------------------------------------------------------------- Übersicht


def lay_out_cover(
    sheet: Sheet, district: District, inputs: DistrictInputs, table: Table, master: Ref
) -> None:
    sheet.put(1, 1, "Kommunales Integrationsmanagement (KIM): Verteilung der Stellen", "title")
    sheet.put(2, 1, inputs.name, role="subtitle")
    sheet.put(3, 1, PURPOSE, role="note")
    facts: list[tuple[str, Content, str | None]] = [("Kreis", inputs.name, None)]
    if inputs.reference is not None:
        facts.append(("Vorlagen-Nr.", inputs.reference, None))
    facts.append(("Haushaltsjahr", inputs.year, formats.YEAR))
    if inputs.population_date is not None:
        facts.append(("Stand der Einwohnerzahlen", inputs.population_date, None))
    facts += [
        ("Verteilungsdatei", district.path.name, None),
        ("SHA-256 der Verteilungsdatei", district.sha256, None),
        ("Erzeugt mit", f"kim-budget {__version__}", None),
        ("Prüfungen (Blatt „Prüfungen“)", lines.status(master), None),
    ]
    row = 5
    for label, content, fmt in facts:
        sheet.put(row, 1, label, role="label")
        sheet.put(row, 2, content, fmt, role="text")
        row += 1
    sheet.conditional.append((f"B{row - 1}", "fehler"))
    row += 1
    sheet.put(row, 1, "Ergebnis", role="section")
    row += 1
    for col, header in ((1, "Kennzahl"), (2, "Einheit"), (3, "Wert")):
        sheet.put(row, col, header, role="header")
    row += 1

    def total(col: int) -> Ref:
        return Ref(spec.VERTEILUNG, table.total, col)

    entries: list[tuple[str, str, Expr, str]] = [
        ("Geförderte VZÄ des Kreises", "VZÄ", inputs.posts, formats.VZAE_DISTRICT),
        ("Förderpauschale je VZÄ und Jahr", "€/VZÄ/Jahr", inputs.rate, formats.EURO),
        ("Förderung des Kreises", "€", table.funding, formats.EURO),
        ("An die Kommunen weitergeleitet", "€", total(PASSED), formats.EURO),
        ("Erstattung für nicht besetzte Stellen", "€", total(REFUND), formats.EURO),
    ]
    for label, unit, formula, fmt in entries:
        sheet.put(row, 1, label, role="label")
        sheet.put(row, 2, unit, role="unit")
        sheet.put(row, 3, formula, fmt)
        row += 1
    row += 1
    for note in NOTES:
        sheet.put(row, 1, note, role="note")
        row += 1
