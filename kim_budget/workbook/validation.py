"""Data validation of input cells: what a treasurer may type, with German prompts.

Excel's limits: title ≤ 32 characters, prompt and error ≤ 255. The rule of an input follows from
its number format, so every input of a kind is guarded alike.
"""

from __future__ import annotations

from datetime import date

from kim_budget.formula import date_to_serial
from kim_budget.workbook import formats
from kim_budget.workbook.grid import Validation

FIRST_DAY = str(date_to_serial(date(2000, 1, 1)))
LAST_DAY = str(date_to_serial(date(2100, 12, 31)))

RULES: dict[str | None, Validation] = {
    formats.VZAE_PLAIN: Validation(
        "decimal",
        "between",
        "0.001",
        "20",
        "Stellenanteil (VZÄ)",
        "Vollzeitäquivalente: größer als 0 und höchstens 20, z. B. 1 oder 1,173.",
        "Bitte eine Zahl größer als 0 und höchstens 20 eingeben (VZÄ).",
    ),
    formats.EURO: Validation(
        "decimal",
        "between",
        "0",
        "10000000",
        "Betrag in €",
        "Betrag in Euro je Jahr, von 0 bis 10.000.000.",
        "Bitte einen Betrag von 0 € bis 10.000.000 € eingeben.",
    ),
    formats.PERCENT: Validation(
        "decimal",
        "between",
        "-49.99",
        "100",
        "Steigerung in %",
        "Prozentsatz, z. B. 3 für 3 %; erlaubt: größer als −50 bis 100.",
        "Bitte einen Prozentsatz größer als −50 und höchstens 100 eingeben (3 bedeutet 3 %).",
    ),
    formats.MONTH: Validation(
        "date",
        "between",
        FIRST_DAY,
        LAST_DAY,
        "Monat",
        "Ein Datum; es zählt sein Monat (z. B. 01.10.2024 für Oktober 2024).",
        "Bitte ein Datum zwischen 2000 und 2100 eingeben, z. B. 01.10.2024.",
    ),
    formats.BOOLEAN: Validation(
        "list",
        "between",
        '"WAHR,FALSCH"',
        None,
        "WAHR oder FALSCH",
        "WAHR = ja, FALSCH = nein.",
        "Bitte WAHR oder FALSCH wählen.",
    ),
    formats.PEOPLE: Validation(
        "whole",
        "between",
        "1",
        "100000000",
        "Einwohnerzahl",
        "Einwohner: eine ganze Zahl von 1 bis 100.000.000.",
        "Bitte eine ganze Zahl von 1 bis 100.000.000 eingeben.",
    ),
    formats.VZAE_DISTRICT: Validation(
        "decimal",
        "between",
        "0.001",
        "1000",
        "VZÄ des Kreises",
        "Geförderte Vollzeitäquivalente des Kreises, größer als 0 und höchstens 1000.",
        "Bitte eine Zahl größer als 0 und höchstens 1000 eingeben (VZÄ).",
    ),
    None: Validation(
        "textLength",
        "lessThanOrEqual",
        "1000",
        None,
        "Text",
        "Freier Text, höchstens 1000 Zeichen.",
        "Bitte höchstens 1000 Zeichen eingeben.",
    ),
}


def rule_for(number_format: str | None) -> Validation:
    """The validation of an input with this number format."""
    return RULES[number_format]
