"""The keys of scenario and district files, each described once.

Every key has a `Measure` (what kind of value it holds: its type, limits and unit), how it is
read (`read`: a plain number, an amount in € per VZÄ and year, a percentage, a month, …),
whether it is required, the rule that checks it against other keys (`rule`, in `rules.py`), and
the German label and note that the sheet "Annahmen" shows beside its value. Tables and arrays of
tables are `Section`s: whether they are required, how many elements they may hold, and their
rules. From these rows

- the loader walks a file (`walk.py`: one generic walk checks unknown keys, types, limits,
  required keys and every rule, in the order of the rows),
- the workbook derives each input's number format and data validation,
- the README's example is checked to show every key,
- and reading an edited workbook back maps each input cell to its key.

A new key with a limit means one new row below (and, if it is calculated, its line).

Paths use `[]` for "every element of an array of tables": `positions[].fte` stands for
`positions[0].fte`, `positions[1].fte`, … (see `generic`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from kim_budget import rules
from kim_budget.measures import (
    ACCOUNT,
    BOOLEAN,
    CEILING,
    DISTRICT_FTE,
    FTE,
    MONEY,
    MONEY_MONTH,
    MONTH,
    PEOPLE,
    PERCENT,
    RATE,
    SHARE,
    STEP,
    TABLE_AMOUNT,
    TEXT,
    YEAR,
    Measure,
)
from kim_budget.validate import Limits, Table

Reading = Literal[
    "text",
    "number",
    "amount",
    "percent",
    "integer",
    "month",
    "boolean",
    "account",
    "date",
    "amounts",
    "years",
]
Condition = Callable[[Table], str]
"""Whether a key or table is required, judged from the whole file: "" when not, else the note
that says when it is (appended to the message about a missing value)."""


@dataclass(frozen=True)
class Key:
    """One key of a file: how it is read and checked, and how "Annahmen" shows it.

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
    required: bool | Condition = False
    read: Reading | None = None
    """How the value is read; by default as its measure's type."""
    limits: Limits | None = None
    """The limits the loader checks, when they differ from the measure's."""
    default: object = None
    """The value of an absent (or wrong) boolean."""
    needs: tuple[str, str] | None = None
    """A sibling key this one belongs to, and the problem when that one is absent."""
    rule: rules.Rule | None = None
    """Checks the value against other keys, right after it is read."""

    def label_for(self, n: int | None = None, year: int | None = None) -> str:
        """The label of one row, with its element number or year filled in."""
        return self.label.format(n=n, year=year)

    @property
    def name(self) -> str:
        """The key's own name ("fte" of "positions[].fte")."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def reading(self) -> Reading:
        return self.read or self.measure.type

    @property
    def checked_limits(self) -> Limits:
        return self.limits or self.measure.limits or Limits()


@dataclass(frozen=True)
class Section:
    """A table (`[horizon]`) or an array of tables (`[[positions]]`) of a file."""

    path: str
    array: bool = False
    required: bool | Condition = False
    expected: str = ""
    """What a missing or wrong value should be; `{note}` takes the `required` condition's note."""
    most: int | None = None
    """Most elements of an array: far above any real file, and a bound on work and memory."""
    at_least_one: str = ""
    """The problem of an array that is present but empty."""
    rule: rules.Rule | None = None
    """Checks the table (each element of an array) after its keys are read."""

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Schema:
    """The keys and sections of one kind of file, in the order they are read."""

    entries: tuple[Key | Section, ...]

    @cached_property
    def children(self) -> dict[str, tuple[Key | Section, ...]]:
        """Generic path of a table ("" for the file) → its keys and sections, in order."""
        found: dict[str, list[Key | Section]] = {}
        for entry in self.entries:
            parent = entry.path.rsplit(".", 1)[0] if "." in entry.path else ""
            found.setdefault(parent.replace("[]", ""), []).append(entry)
        return {parent: tuple(entries) for parent, entries in found.items()}

    def names(self, parent: str) -> tuple[str, ...]:
        """The keys allowed in a table, in order."""
        return tuple(entry.name for entry in self.children.get(parent, ()))

    @cached_property
    def keys(self) -> tuple[Key, ...]:
        return tuple(entry for entry in self.entries if isinstance(entry, Key))


INCREASE_NOTE = "gilt ab diesem Monat, kumulativ zu früheren Steigerungen"
STRUCTURE_NOTE = (
    "bestimmt die Spalten der Zeitachse; zum Ändern die Szenariodatei anpassen und neu erzeugen"
)
_GRADE_FIRST = ("grade", 'belongs to a position with a grade (grade = "S 12")')

MOST_ITEMS = {
    "positions": 20,
    "cost.increases": 50,
    "cost.material_increases": 50,
    "funding.increases": 50,
    "tvoed.pay_tables": 100,
    "tvoed.bonus": 50,
    "tvoed.social_insurance": 50,
    "tvoed.pension_fund": 50,
    "tvoed.pension_unemployment": 50,
    "tvoed.health_ceiling": 50,
    "tvoed.pension_ceiling": 50,
    "municipalities": 500,
}
"""Most elements of each array of tables: far above any real scenario (a KIM post is one to a
few positions) or district (a Kreis has up to some 20 municipalities), and a bound on the time
and memory a build takes."""


def _increases(parent: str, name: str, array: str = "increases") -> tuple[Key | Section, ...]:
    path = f"{parent}.{array}"
    return (
        Section(path, array=True, most=MOST_ITEMS[path], rule=rules.one_increase_a_month),
        Key(f"{path}[].from", MONTH, f"{name} {{n}}: wirksam ab", INCREASE_NOTE, required=True),
        Key(
            f"{path}[].percent", PERCENT, f"{name} {{n}}: Steigerung", required=True, read="percent"
        ),
    )


def _rate_list(name: str, label: str, value: str = "percent") -> tuple[Key | Section, ...]:
    """A list of yearly values ({ from = YEAR, percent = … } or, for ceilings, amount = …)."""
    path = f"tvoed.{name}"
    measure = RATE if value == "percent" else CEILING
    return (
        Section(
            path,
            array=True,
            most=MOST_ITEMS[path],
            at_least_one=f"must list at least one {{ from = YEAR, {value} = … }}",
            rule=rules.one_rate_a_year,
        ),
        Key(f"{path}[].from", YEAR, f"{label} ab", required=True),
        Key(f"{path}[].{value}", measure, label, required=True),
    )


SCENARIO = Schema(
    (
        Key("title", TEXT, "Titel", max_length=200, required=True),
        Key("municipality", TEXT, "Kommune", max_length=100),
        Key("reference", TEXT, "Vorlagen-Nr.", max_length=50),
        Key("description", TEXT, "Beschreibung", max_length=1000, multiline=True),
        Section(
            "horizon",
            required=True,
            expected="a table [horizon] with first_year and last_year",
            rule=rules.horizon_span,
        ),
        Key(
            "horizon.first_year",
            YEAR,
            "Erstes Haushaltsjahr",
            STRUCTURE_NOTE,
            structure=True,
            required=True,
        ),
        Key(
            "horizon.last_year",
            YEAR,
            "Letztes Haushaltsjahr",
            STRUCTURE_NOTE,
            structure=True,
            required=True,
        ),
        Section(
            "positions",
            array=True,
            required=True,
            most=MOST_ITEMS["positions"],
            at_least_one="must list at least one position ([[positions]])",
            rule=rules.position_period,
        ),
        Key("positions[].name", TEXT, "Bezeichnung", max_length=200, required=True),
        Key("positions[].fte", FTE, "Stellenanteil", required=True),
        Key("positions[].start", MONTH, "Besetzt ab", required=True),
        Key("positions[].end", MONTH, "Besetzt bis einschließlich"),
        Key("positions[].annual_cost", MONEY, "Jahreskosten je VZÄ (abweichend)", read="amount"),
        Key(
            "positions[].funded",
            BOOLEAN,
            "Förderfähig",
            "zählt zu den geförderten VZÄ",
            default=True,
        ),
        Key(
            "positions[].grade",
            TEXT,
            "Entgeltgruppe (TVöD)",
            "bestimmt die Tabellen auf „Tarif“; zum Ändern die Szenariodatei anpassen",
            max_length=20,
            structure=True,
            rule=rules.position_grade,
        ),
        Key(
            "positions[].step",
            STEP,
            "Stufe im Monat „Stufe seit“",
            "Stufe 1–6",
            required=True,
            needs=_GRADE_FIRST,
        ),
        Key(
            "positions[].step_since",
            MONTH,
            "Stufe seit",
            "von hier an steigt die Stufe nach § 16 TVöD",
            needs=_GRADE_FIRST,
            rule=rules.step_since_not_after_start,
        ),
        Key(
            "positions[].allowance",
            MONEY_MONTH,
            "Zulage je Monat bei Vollzeit",
            "nicht dynamisiert",
            needs=_GRADE_FIRST,
        ),
        Section(
            "cost",
            required=rules.cost_needed,
            expected="a table [cost] with annual_cost_per_fte{note}",
        ),
        Key(
            "cost.annual_cost_per_fte",
            MONEY,
            "Jahreskosten je VZÄ",
            "Arbeitgeber-Gesamtkosten je Vollzeitstelle und Jahr",
            required=rules.cost_needed,
            read="amount",
        ),
        *_increases("cost", "Kostensteigerung"),
        Key(
            "cost.material_per_fte",
            MONEY,
            "Sachkosten je VZÄ",
            "Arbeitsplatz (Büro, IT, Telefon, Reisen): tatsächlicher Aufwand je VZÄ und Jahr; "
            "ohne Angabe 0",
            read="amount",
        ),
        *_increases("cost", "Sachkostensteigerung", "material_increases"),
        Key(
            "cost.overhead_percent",
            RATE,
            "Gemeinkostenzuschlag",
            "kalkulatorisch, % des Personalaufwands (KGSt: 20 % bei Büroarbeitsplätzen); "
            "ohne Angabe 0",
        ),
        Section(
            "funding",
            required=True,
            expected="a table [funding] with rate_per_fte",
            rule=rules.max_fte_or_share,
        ),
        Key(
            "funding.rate_per_fte",
            MONEY,
            "Förderpauschale je VZÄ",
            "Landesförderung KIM, Pauschale je gefördertem VZÄ und Jahr (bei Förderquote: "
            "Höchstbetrag)",
            required=rules.rate_needed,
            read="amount",
        ),
        Key(
            "funding.percent_of_cost",
            SHARE,
            "Förderquote",
            "Anteil der förderfähigen Kosten geförderter Stellen, höchstens die Pauschale",
        ),
        Key(
            "funding.covers_material",
            BOOLEAN,
            "Sachkosten förderfähig",
            "zählen bei der Förderquote zu den förderfähigen Kosten",
            default=False,
            needs=("percent_of_cost", "belongs to a funding share (funding.percent_of_cost)"),
        ),
        Key(
            "funding.end",
            MONTH,
            "Förderung bis einschließlich",
            "letzter geförderter Monat (Förderzeitraum); danach keine Förderung",
        ),
        Key(
            "funding.max_fte",
            FTE,
            "Förderfähige VZÄ höchstens",
            "Anteil der Kommune an den geförderten Stellen",
        ),
        Key(
            "funding.cap_at_cost",
            BOOLEAN,
            "Förderung höchstens in Höhe der Kosten",
            "je Monat höchstens der Personalaufwand geförderter Stellen",
            default=False,
        ),
        *_increases("funding", "Förderanpassung"),
        Section("funding.share", rule=rules.share_within_district),
        Key("funding.share.population", PEOPLE, "Einwohner der Kommune", required=True),
        Key("funding.share.district_population", PEOPLE, "Einwohner des Kreises", required=True),
        Key(
            "funding.share.district_fte",
            DISTRICT_FTE,
            "Geförderte VZÄ des Kreises",
            "werden nach Einwohnern auf die Kommunen verteilt",
            required=True,
        ),
        Section("offset"),
        Key(
            "offset.years",
            BOOLEAN,
            "Haushaltsjahr {year}: Eigenanteil gedeckt",
            "z. B. durch unterjährig nicht besetzte Stellen",
            read="years",
            limits=YEAR.limits,
            rule=rules.offset_years,
        ),
        Section("budget"),
        Key("budget.product", TEXT, "Produkt", max_length=200),
        Key("budget.expense_account", ACCOUNT, "Aufwandskonto"),
        Key("budget.income_account", ACCOUNT, "Ertragskonto"),
        Section("tvoed"),
        *_rate_list("bonus", "Jahressonderzahlung"),
        *_rate_list("social_insurance", "Sozialversicherung (Arbeitgeber)"),
        *_rate_list("pension_fund", "Zusatzversorgung (RZVK)"),
        *_rate_list("pension_unemployment", "davon Renten- und Arbeitslosenversicherung"),
        *_rate_list(
            "health_ceiling", "Beitragsbemessungsgrenze Kranken-/Pflegeversicherung", "amount"
        ),
        *_rate_list(
            "pension_ceiling", "Beitragsbemessungsgrenze Renten-/Arbeitslosenversicherung", "amount"
        ),
        Key("tvoed.performance_pay_percent", RATE, "Leistungsentgelt"),
        Section(
            "tvoed.pay_tables",
            array=True,
            most=MOST_ITEMS["tvoed.pay_tables"],
            rule=rules.pay_table_grade,
        ),
        Key("tvoed.pay_tables[].grade", TEXT, "Entgeltgruppe", max_length=20, required=True),
        Key("tvoed.pay_tables[].valid_from", MONTH, "Entgelttabelle gültig ab", required=True),
        Key(
            "tvoed.pay_tables[].steps",
            MONEY_MONTH,
            "Tabellenentgelt Stufe 1–6",
            "€ je Monat, Vollzeit",
            required=True,
            read="amounts",
            limits=TABLE_AMOUNT,
        ),
    )
)
"""Every key of a scenario file, in the order the loader reads them."""

KEYS = SCENARIO.keys
_BY_PATH = {key.path: key for key in KEYS}
_INDEX = re.compile(r"\[\d+\]")


def generic(path: str) -> str:
    """A concrete key path in the form of the table: "positions[1].fte" → "positions[].fte"."""
    return _INDEX.sub("[]", path)


def key(path: str) -> Key:
    """The key of a (concrete or generic) path; KeyError for a path that is no key."""
    return _BY_PATH[generic(path)]
