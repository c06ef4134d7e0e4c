"""District files: a Kreis's posts, split among its municipalities by population.

`load_district` reads and checks a district file with the same standard as scenario files
(every problem with file, key, what is wrong and what is allowed; nothing built on any error).
`scenario_text` writes one municipality's scenario file from the distribution's figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kim_budget import german, rules
from kim_budget.keys import MOST_ITEMS, Key, Schema, Section, generic
from kim_budget.measures import BOOLEAN, DISTRICT_FTE, FILLED_FTE, MONEY, PEOPLE, TEXT, YEAR
from kim_budget.messages import printable
from kim_budget.rules import RESERVED_STEM, slug
from kim_budget.toml_file import load_checked
from kim_budget.validate import Checker, Table
from kim_budget.walk import walk

__all__ = ["RESERVED_STEM", "District", "Municipality", "ScenarioPlan", "load_district", "slug"]

DISTRICT = Schema(
    (
        Key("district", TEXT, "Kreis", max_length=100, required=True),
        Key("reference", TEXT, "Vorlagen-Nr.", max_length=50),
        Key(
            "posts",
            DISTRICT_FTE,
            "Geförderte VZÄ des Kreises",
            "werden nach Einwohnern auf die Kommunen verteilt",
            required=True,
            rule=rules.thousandths,
        ),
        Key(
            "rate_per_fte",
            MONEY,
            "Förderpauschale je VZÄ",
            "Landesförderung KIM, Pauschale je gefördertem VZÄ und Jahr",
            required=True,
            read="amount",
        ),
        Key("year", YEAR, "Haushaltsjahr der Verteilung", structure=True, required=True),
        Key("population_date", TEXT, "Stand der Einwohnerzahlen", max_length=50, read="date"),
        Section(
            "municipalities",
            array=True,
            required=True,
            most=MOST_ITEMS["municipalities"],
            at_least_one="must hold at least one [[municipalities]] table",
            rule=rules.municipality_names,
        ),
        Key("municipalities[].name", TEXT, "Kommune {n}: Name", max_length=100, required=True),
        Key("municipalities[].population", PEOPLE, "Kommune {n}: Einwohner", required=True),
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
            default=False,
        ),
    )
)
"""Every key of a district file, in the order of its "Annahmen"."""

DISTRICT_KEYS = DISTRICT.keys
_DISTRICT_BY_PATH = {key.path: key for key in DISTRICT_KEYS}


def district_key(path: str) -> Key:
    """The key of a (concrete or generic) path of a district file."""
    return _DISTRICT_BY_PATH[generic(path)]


_EMPTY = (
    "file is empty; a district file needs district, posts, rate_per_fte, year and "
    "[[municipalities]]"
)
_TOML_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_TOML_SPECIAL = re.compile('[\\\\"\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Municipality:
    """One municipality of the district: its population and the VZÄ it filled (if known).

    `remainder`: the row stands for several municipalities whose figures are not known
    (it gets its share, but no scenario file).
    """

    index: int
    name: str
    population: int
    filled_fte: float | None
    remainder: bool = False

    @property
    def slug(self) -> str:
        """The stem of the municipality's scenario file (see `slug`)."""
        return slug(self.name)


@dataclass(frozen=True)
class District:
    """A validated district file."""

    path: Path
    sha256: str
    name: str
    reference: str | None
    posts: float
    rate_per_fte: float
    year: int
    population_date: str | None
    municipalities: tuple[Municipality, ...]

    @property
    def stem(self) -> str:
        """The file's name without its suffix."""
        return self.path.stem

    @property
    def population(self) -> int:
        """The district's population: the sum over its municipalities."""
        return sum(m.population for m in self.municipalities)


def load_district(path: Path) -> District:
    """Read and validate a district file; raises ScenarioErrors listing every problem."""
    return load_checked(path, None, _EMPTY, _district)


def _district(path: Path, data: Table, sha256: str, check: Checker) -> District | None:
    found = walk(data, check, DISTRICT)
    values: dict[str, Any] = found.values
    municipalities = tuple(
        Municipality(
            index,
            values[f"{element}.name"],
            values[f"{element}.population"],
            values.get(f"{element}.filled_fte"),
            bool(values.get(f"{element}.remainder", False)),
        )
        for index in found.elements.get("municipalities", [])
        if f"{(element := f'municipalities[{index}]')}.name" in values
        and f"{element}.population" in values
    )
    name, posts, rate, year = (
        values.get(key) for key in ("district", "posts", "rate_per_fte", "year")
    )
    if name is None or posts is None or rate is None or year is None or not municipalities:
        return None
    reference, population_date = values.get("reference"), values.get("population_date")
    return District(
        path, sha256, name, reference, posts, rate, year, population_date, municipalities
    )


# ---------------------------------------------------------------- scenario files


@dataclass(frozen=True)
class ScenarioPlan:
    """What a municipality's scenario file says: the horizon, the start and the cost."""

    start: date
    first_year: int
    last_year: int
    annual_cost: float


def scenario_text(
    district: District, municipality: Municipality, rounded_share: float, plan: ScenarioPlan
) -> str:
    """The scenario file of one municipality: one post of its rounded share from the start
    month, its funding share from the district file, commented like the shipped scenarios."""
    fte = f"{rounded_share:.3f}"
    shown = german.vzae(rounded_share)
    source = printable(district.path.name)  # in comments: a line break would start a key
    date_note = (
        f" (Stand {printable(district.population_date)})" if district.population_date else ""
    )
    reference = f"reference = {_string(district.reference)}\n" if district.reference else ""
    return f"""\
# Szenario aus der Verteilungsdatei {source} ({printable(district.name)}),
# erzeugt mit "kim-budget distribute --scenarios": eine Stelle in Höhe des gerundeten Anteils
# der Kommune an den Stellen des Kreises (Verteilung nach Einwohnern, docs/sources.md,
# "The Rhein-Sieg distribution"). Kosten und Zeitraum vor der Vorlage prüfen.

title = "{shown} Case Management KIM ab {german.month(plan.start)}"
municipality = {_string(municipality.name)}
{reference}
[horizon]
first_year = {plan.first_year}
last_year = {plan.last_year}

[[positions]]
name = "Case Management KIM"
fte = {fte}                          # gerundeter Anteil (größte Reste, 3 Nachkommastellen)
start = "{plan.start:%Y-%m}"

[cost]
annual_cost_per_fte = {plan.annual_cost:.0f}          # Arbeitgeber-Gesamtkosten je VZÄ und Jahr:
                                     # anpassen (Vorgabe: "ca. 80 T€" der Vorlage 3360/VIII,
                                     # docs/sources.md)

[funding]
rate_per_fte = {district.rate_per_fte:.0f}               # Förderpauschale je VZÄ und Jahr
                                     # laut {source}

[funding.share]                      # Anteil an den Stellen des Kreises laut {source}
population = {municipality.population}                 # Einwohner der Kommune{date_note}
district_population = {district.population}
district_fte = {district.posts:g}
"""


def _string(text: str) -> str:
    """`text` as a TOML basic string: quoted, with backslash, quote and control characters
    escaped, so that no text from a district file can become a line or key of its own."""
    return f'"{_TOML_SPECIAL.sub(_toml_escape, text)}"'


def _toml_escape(match: re.Match[str]) -> str:
    character = match[0]
    return _TOML_ESCAPES.get(character) or f"\\u{ord(character):04X}"
