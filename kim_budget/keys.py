"""The keys of a scenario file, each described once.

Every key has a `Measure` (what kind of value it holds: its type, limits and unit) and the
German label and note that the sheet "Annahmen" shows beside its value. The loader checks values
against the measure, the workbook derives each input's number format and data validation from
it, the README's key table is generated from it, and reading an edited workbook back maps each
input cell to its key here. A new key means one new row below.

Paths use `[]` for "every element of an array of tables": `positions[].fte` stands for
`positions[0].fte`, `positions[1].fte`, … (see `generic`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from kim_budget.validate import Limits

ValueType = Literal["text", "number", "integer", "month", "boolean", "account"]


@dataclass(frozen=True)
class Measure:
    """What kind of value a key holds: type, allowed range and the unit "Annahmen" shows."""

    name: str
    type: ValueType
    unit: str
    limits: Limits | None = None


YEAR = Measure("year", "integer", "Jahr", Limits(2000, 2100))
FTE = Measure("fte", "number", "VZÄ", Limits(0, 20, low_open=True))
MONEY = Measure("money", "number", "€/VZÄ/Jahr", Limits(0, 10_000_000))
"""€ per VZÄ and year."""
PERCENT = Measure("percent", "number", "%", Limits(-50, 100, low_open=True))
PEOPLE = Measure("people", "integer", "Einwohner", Limits(0, 100_000_000, low_open=True))
DISTRICT_FTE = Measure("district_fte", "number", "VZÄ", Limits(0, 1000, low_open=True))
STEP = Measure("step", "integer", "Stufe", Limits(1, 6))
"""A TVöD Stufe."""
MONEY_MONTH = Measure("money_month", "number", "€/Monat", Limits(0, 10_000))
"""€ per month at full time (an allowance)."""
RATE = Measure("rate", "number", "%", Limits(0, 100))
"""A percentage of pay."""
MONTH = Measure("month", "month", "Monat")
BOOLEAN = Measure("boolean", "boolean", "WAHR/FALSCH")
TEXT = Measure("text", "text", "Text")
ACCOUNT = Measure("account", "account", "Konto")

MEASURES = (
    YEAR,
    FTE,
    MONEY,
    PERCENT,
    PEOPLE,
    DISTRICT_FTE,
    STEP,
    MONEY_MONTH,
    RATE,
    MONTH,
    BOOLEAN,
    TEXT,
    ACCOUNT,
)


@dataclass(frozen=True)
class Key:
    """One key of a scenario file and how "Annahmen" shows it.

    `label` may hold `{n}` (the element's number counted from 1, as the workbook counts posts
    and increases) or `{year}` (offset years: one row per Haushaltsjahr).
    """

    path: str
    measure: Measure
    label: str
    note: str = ""
    max_length: int | None = None
    """Most characters of a text."""
    multiline: bool = False
    """A text that may hold tabs and line breaks."""
    structure: bool = False
    """The value shapes the workbook's structure (columns); it is shown but locked."""

    def label_for(self, n: int | None = None, year: int | None = None) -> str:
        """The label of one row, with its element number or year filled in."""
        return self.label.format(n=n, year=year)


INCREASE_NOTE = "gilt ab diesem Monat, kumulativ zu früheren Steigerungen"
STRUCTURE_NOTE = (
    "bestimmt die Spalten der Zeitachse; zum Ändern die Szenariodatei anpassen und neu erzeugen"
)

KEYS = (
    Key("title", TEXT, "Titel", max_length=200),
    Key("municipality", TEXT, "Kommune", max_length=100),
    Key("reference", TEXT, "Vorlagen-Nr.", max_length=50),
    Key("description", TEXT, "Beschreibung", max_length=1000, multiline=True),
    Key("horizon.first_year", YEAR, "Erstes Haushaltsjahr", STRUCTURE_NOTE, structure=True),
    Key("horizon.last_year", YEAR, "Letztes Haushaltsjahr", STRUCTURE_NOTE, structure=True),
    Key("positions[].name", TEXT, "Bezeichnung", max_length=200),
    Key("positions[].fte", FTE, "Stellenanteil"),
    Key("positions[].start", MONTH, "Besetzt ab"),
    Key("positions[].end", MONTH, "Besetzt bis einschließlich"),
    Key("positions[].annual_cost", MONEY, "Jahreskosten je VZÄ (abweichend)"),
    Key("positions[].funded", BOOLEAN, "Förderfähig", "zählt zu den geförderten VZÄ"),
    Key(
        "positions[].grade",
        TEXT,
        "Entgeltgruppe (TVöD)",
        "bestimmt die Tabellen auf „Tarif“; zum Ändern die Szenariodatei anpassen",
        max_length=20,
        structure=True,
    ),
    Key("positions[].step", STEP, "Stufe im Monat „Stufe seit“", "Stufe 1–6"),
    Key(
        "positions[].step_since", MONTH, "Stufe seit", "von hier an steigt die Stufe nach § 16 TVöD"
    ),
    Key("positions[].allowance", MONEY_MONTH, "Zulage je Monat bei Vollzeit", "nicht dynamisiert"),
    Key(
        "cost.annual_cost_per_fte",
        MONEY,
        "Jahreskosten je VZÄ",
        "Arbeitgeber-Gesamtkosten je Vollzeitstelle und Jahr",
    ),
    Key("cost.increases[].from", MONTH, "Kostensteigerung {n}: wirksam ab", INCREASE_NOTE),
    Key("cost.increases[].percent", PERCENT, "Kostensteigerung {n}: Steigerung"),
    Key(
        "funding.rate_per_fte",
        MONEY,
        "Förderpauschale je VZÄ",
        "Landesförderung KIM, Pauschale je gefördertem VZÄ und Jahr",
    ),
    Key(
        "funding.max_fte",
        FTE,
        "Förderfähige VZÄ höchstens",
        "Anteil der Kommune an den geförderten Stellen",
    ),
    Key("funding.share.population", PEOPLE, "Einwohner der Kommune"),
    Key("funding.share.district_population", PEOPLE, "Einwohner des Kreises"),
    Key(
        "funding.share.district_fte",
        DISTRICT_FTE,
        "Geförderte VZÄ des Kreises",
        "werden nach Einwohnern auf die Kommunen verteilt",
    ),
    Key(
        "funding.cap_at_cost",
        BOOLEAN,
        "Förderung höchstens in Höhe der Kosten",
        "je Monat höchstens der Personalaufwand geförderter Stellen",
    ),
    Key("funding.increases[].from", MONTH, "Förderanpassung {n}: wirksam ab", INCREASE_NOTE),
    Key("funding.increases[].percent", PERCENT, "Förderanpassung {n}: Steigerung"),
    Key(
        "offset.years",
        BOOLEAN,
        "Haushaltsjahr {year}: Eigenanteil gedeckt",
        "z. B. durch unterjährig nicht besetzte Stellen",
    ),
    Key("tvoed.pay_tables[].grade", TEXT, "Entgeltgruppe", max_length=20),
    Key("tvoed.pay_tables[].valid_from", MONTH, "Entgelttabelle gültig ab"),
    Key(
        "tvoed.pay_tables[].steps", MONEY_MONTH, "Tabellenentgelt Stufe 1–6", "€ je Monat, Vollzeit"
    ),
    Key("tvoed.bonus[].from", YEAR, "Jahressonderzahlung ab"),
    Key("tvoed.bonus[].percent", RATE, "Jahressonderzahlung"),
    Key("tvoed.social_insurance[].from", YEAR, "Sozialversicherung ab"),
    Key("tvoed.social_insurance[].percent", RATE, "Sozialversicherung (Arbeitgeber)"),
    Key("tvoed.pension_fund[].from", YEAR, "Zusatzversorgung ab"),
    Key("tvoed.pension_fund[].percent", RATE, "Zusatzversorgung (RZVK)"),
    Key("tvoed.performance_pay_percent", RATE, "Leistungsentgelt"),
    Key("budget.product", TEXT, "Produkt", max_length=200),
    Key("budget.expense_account", ACCOUNT, "Aufwandskonto"),
    Key("budget.income_account", ACCOUNT, "Ertragskonto"),
)
"""Every key of a scenario file, in the order of "Annahmen"."""

MOST_ITEMS = {
    "positions": 20,
    "cost.increases": 50,
    "funding.increases": 50,
    "tvoed.pay_tables": 100,
    "tvoed.bonus": 50,
    "tvoed.social_insurance": 50,
    "tvoed.pension_fund": 50,
    "municipalities": 500,
}
"""Most elements of each array of tables: far above any real scenario (a KIM post is one to a
few positions) or district (a Kreis has up to some 20 municipalities), and a bound on the time
and memory a build takes."""

_BY_PATH = {key.path: key for key in KEYS}
_INDEX = re.compile(r"\[\d+\]")


def generic(path: str) -> str:
    """A concrete key path in the form of the table: "positions[1].fte" → "positions[].fte"."""
    return _INDEX.sub("[]", path)


def key(path: str) -> Key:
    """The key of a (concrete or generic) path; KeyError for a path that is no key."""
    return _BY_PATH[generic(path)]


# ---------------------------------------------------------------- district files

FILLED_FTE = Measure("filled_fte", "number", "VZÄ", Limits(0, 1000))
"""VZÄ a municipality filled on average in a year (0 allowed: none filled)."""

DISTRICT_KEYS = (
    Key("district", TEXT, "Kreis", max_length=100),
    Key("reference", TEXT, "Vorlagen-Nr.", max_length=50),
    Key(
        "posts",
        DISTRICT_FTE,
        "Geförderte VZÄ des Kreises",
        "werden nach Einwohnern auf die Kommunen verteilt",
    ),
    Key(
        "rate_per_fte",
        MONEY,
        "Förderpauschale je VZÄ",
        "Landesförderung KIM, Pauschale je gefördertem VZÄ und Jahr",
    ),
    Key("year", YEAR, "Haushaltsjahr der Verteilung", structure=True),
    Key("population_date", TEXT, "Stand der Einwohnerzahlen", max_length=50),
    Key("municipalities[].name", TEXT, "Kommune {n}: Name", max_length=100),
    Key("municipalities[].population", PEOPLE, "Kommune {n}: Einwohner"),
    Key(
        "municipalities[].filled_fte",
        FILLED_FTE,
        "Kommune {n}: besetzte VZÄ im Jahresdurchschnitt",
        "für die Erstattung nicht besetzter Stellen",
    ),
    Key(
        "municipalities[].remainder",
        BOOLEAN,
        "Kommune {n}: Sammelzeile",
        "steht für mehrere Kommunen ohne bekannte Einzelzahl; keine Szenariodatei",
        structure=True,
    ),
)
"""Every key of a district file, in the order of its "Annahmen"."""

_DISTRICT_BY_PATH = {key.path: key for key in DISTRICT_KEYS}


def district_key(path: str) -> Key:
    """The key of a (concrete or generic) path of a district file."""
    return _DISTRICT_BY_PATH[generic(path)]
