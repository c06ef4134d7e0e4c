"""Number formats and data validation of input cells, derived from each key's measure.

What a treasurer may type follows from the key's measure in `kim_budget.keys` (type and limits),
so the workbook allows exactly what the loader allows. A yes/no is the whole number 1 or 0 (a
boolean's name depends on the spreadsheet's language; a number does not). Excel's limits: title
≤ 32 characters, prompt and error ≤ 255. Excel's validation has no exclusive bounds: "greater
than 0" becomes "at least" the smallest step a value is shown with (0.001 VZÄ, 0.01 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kim_budget import german
from kim_budget.formula import date_to_serial
from kim_budget.keys import Key
from kim_budget.measures import Measure
from kim_budget.workbook import formats
from kim_budget.workbook.grid import Content, Validation

FIRST_DAY = str(date_to_serial(date(2000, 1, 1)))
LAST_DAY = str(date_to_serial(date(2100, 12, 31)))


@dataclass(frozen=True)
class _Shown:
    """How the workbook shows and guards values of one measure."""

    number_format: str | None
    title: str
    prompt: str
    error: str
    step: float = 1
    """The smallest step a value is shown with; an exclusive lower bound becomes low + step."""


_SHOWN = {
    "year": _Shown(
        formats.YEAR, "Haushaltsjahr", "Ein Jahr, z. B. 2025.", "Bitte ein Jahr eingeben."
    ),
    "fte": _Shown(
        formats.VZAE_PLAIN,
        "Stellenanteil (VZÄ)",
        "Vollzeitäquivalente: größer als 0 und höchstens 20, z. B. 1 oder 1,173.",
        "Bitte eine Zahl größer als 0 und höchstens 20 eingeben (VZÄ).",
        step=0.001,
    ),
    "money": _Shown(
        formats.EURO,
        "Betrag in €",
        "Betrag in Euro je Jahr, von 0 bis 10.000.000.",
        "Bitte einen Betrag von 0 € bis 10.000.000 € eingeben.",
        step=0.01,
    ),
    "percent": _Shown(
        formats.PERCENT,
        "Steigerung in %",
        "Prozentsatz, z. B. 3 für 3 %; erlaubt: größer als −50 bis 100.",
        "Bitte einen Prozentsatz größer als −50 und höchstens 100 eingeben (3 bedeutet 3 %).",
        step=0.01,
    ),
    "people": _Shown(
        formats.PEOPLE,
        "Einwohnerzahl",
        "Einwohner: eine ganze Zahl von 1 bis 100.000.000.",
        "Bitte eine ganze Zahl von 1 bis 100.000.000 eingeben.",
    ),
    "district_fte": _Shown(
        formats.VZAE_DISTRICT,
        "VZÄ des Kreises",
        "Geförderte Vollzeitäquivalente des Kreises, größer als 0 und höchstens 1000.",
        "Bitte eine Zahl größer als 0 und höchstens 1000 eingeben (VZÄ).",
        step=0.001,
    ),
    "step": _Shown(
        formats.COUNT,
        "Stufe (TVöD)",
        "Die Stufe im Monat „Stufe seit“: eine ganze Zahl von 1 bis 6.",
        "Bitte eine Stufe von 1 bis 6 eingeben.",
    ),
    "money_month": _Shown(
        formats.EURO,
        "Betrag je Monat in €",
        "Betrag in Euro je Monat bei Vollzeit, von 0 bis 10.000.",
        "Bitte einen Betrag von 0 € bis 10.000 € eingeben.",
        step=0.01,
    ),
    "rate": _Shown(
        formats.PERCENT,
        "Satz in %",
        "Prozent des Entgelts, von 0 bis 100.",
        "Bitte einen Prozentsatz von 0 bis 100 eingeben.",
        step=0.01,
    ),
    "share": _Shown(
        formats.PERCENT,
        "Förderquote in %",
        "Anteil der förderfähigen Kosten in %, größer als 0 und höchstens 100.",
        "Bitte einen Prozentsatz größer als 0 und höchstens 100 eingeben (80 bedeutet 80 %).",
        step=0.01,
    ),
    "ceiling": _Shown(
        formats.EURO,
        "Betrag je Jahr in €",
        "Beitragsbemessungsgrenze in Euro je Jahr, größer als 0 und höchstens 1.000.000.",
        "Bitte einen Betrag größer als 0 € und höchstens 1.000.000 € eingeben.",
        step=0.01,
    ),
    "month": _Shown(
        formats.MONTH,
        "Monat",
        "Ein Datum; es zählt sein Monat (z. B. 01.10.2024 für Oktober 2024).",
        "Bitte ein Datum zwischen 2000 und 2100 eingeben, z. B. 01.10.2024.",
    ),
    "boolean": _Shown(
        formats.YES_NO,
        "ja oder nein",
        "1 = ja, 0 = nein. Bitte die Zahl eingeben; angezeigt wird „ja“ oder „nein“. "
        "Eine Zahl gilt in jeder Sprachversion von Excel und LibreOffice.",
        "Bitte 1 für ja oder 0 für nein eingeben.",
    ),
    "text": _Shown(None, "Text", "", ""),
    "account": _Shown(
        None,
        "Kontonummer",
        "Konto des NKF-Kontenrahmens: 3 bis 10 Ziffern, z. B. 5012.",
        "Bitte 3 bis 10 Ziffern eingeben, z. B. 5012.",
    ),
}


def number_format(measure: Measure) -> str | None:
    """The number format of values of this measure (None: text)."""
    return _SHOWN[measure.name].number_format


def stored(measure: Measure, value: Content) -> Content:
    """A value as its input cell holds it: a yes/no as the number 1 or 0 (`formats.YES_NO`
    shows ja or nein), every other value as it is."""
    if measure.type == "boolean":
        return 1 if value else 0
    return value


def _number(value: float) -> str:
    """A bound as the validation stores it: 20, 10000000, 0.001, -49.99."""
    return str(int(value)) if float(value).is_integer() else repr(round(value, 6))


MONTH_RULE = Validation(
    "date",
    "between",
    FIRST_DAY,
    LAST_DAY,
    _SHOWN["month"].title,
    _SHOWN["month"].prompt,
    _SHOWN["month"].error,
)


def money_rule(title: str, prompt: str, high: float) -> Validation:
    """An amount in € from above 0 to `high`."""
    limit = german.number(high, 0)
    error = f"Bitte einen Betrag größer als 0 € und höchstens {limit} € eingeben."
    return Validation("decimal", "between", "0.01", _number(high), title, prompt, error)


def percent_rule(title: str, prompt: str, low: float) -> Validation:
    """A percentage from `low` to 100."""
    error = f"Bitte einen Prozentsatz von {german.number(low, 0)} bis 100 eingeben."
    return Validation("decimal", "between", _number(low), "100", title, prompt, error)


def integer_rule(title: str, prompt: str, low: int, high: int) -> Validation:
    """A whole number from `low` to `high`."""
    error = f"Bitte eine ganze Zahl von {low} bis {high} eingeben."
    return Validation("whole", "between", str(low), str(high), title, prompt, error)


def rule_for(key: Key) -> Validation:
    """The data validation of the key's input cell."""
    measure = key.measure
    shown = _SHOWN[measure.name]
    if measure.type == "month":
        return Validation(
            "date", "between", FIRST_DAY, LAST_DAY, shown.title, shown.prompt, shown.error
        )
    if measure.type == "boolean":
        return Validation("whole", "between", "0", "1", shown.title, shown.prompt, shown.error)
    if measure.type == "account":
        return Validation(
            "textLength", "between", "3", "10", shown.title, shown.prompt, shown.error
        )
    if measure.type == "text":
        most = key.max_length or 1000
        count = german.number(most, 0)
        prompt = f"Freier Text, höchstens {count} Zeichen."
        error = f"Bitte höchstens {count} Zeichen eingeben."
        return Validation("textLength", "lessThanOrEqual", str(most), None, "Text", prompt, error)
    limits = measure.limits
    assert limits is not None and limits.low is not None and limits.high is not None
    low = limits.low + shown.step if limits.low_open else limits.low
    return Validation(
        "whole" if measure.type == "integer" else "decimal",
        "between",
        _number(low),
        _number(limits.high),
        shown.title,
        shown.prompt,
        shown.error,
    )
