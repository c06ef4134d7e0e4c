"""District files: a Kreis's posts, split among its municipalities by population.

`load_district` reads and checks a district file with the same standard as scenario files
(every problem with file, key, what is wrong and what is allowed; nothing built on any error).
`scenario_text` writes one municipality's scenario file from the distribution's figures.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kim_budget import german, keys
from kim_budget.messages import printable
from kim_budget.validate import Checker, Limits, Table, load_checked, show

_TOP_KEYS = ("district", "reference", "posts", "rate_per_fte", "year", "population_date")
_MUNICIPALITY_KEYS = ("name", "population", "filled_fte", "remainder")
_EMPTY = (
    "file is empty; a district file needs district, posts, rate_per_fte, year and "
    "[[municipalities]]"
)
_SLUG_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
RESERVED_STEM = "szenarienvergleich"
MAX_SLUG = 80
"""Most characters of a generated scenario file's stem (file systems allow 255 bytes)."""
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


def slug(name: str) -> str:
    """The stem of a municipality's scenario file: lower-case ASCII letters and digits joined by
    hyphens, umlauts spelt out, accents dropped, at most `MAX_SLUG` characters.

    "Sankt Augustin" → "sankt-augustin", "Übach-Palenberg" → "uebach-palenberg",
    "../../etc/evil" → "etc-evil": never a path, never empty unless the name has no letter.
    """
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_SLUG_LETTERS))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_only).strip("-")[:MAX_SLUG].rstrip("-")


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


def _limits(measure: keys.Measure) -> Limits:
    assert measure.limits is not None
    return measure.limits


def _length(path: str) -> int:
    most = keys.district_key(path).max_length
    assert most is not None
    return most


def load_district(path: Path) -> District:
    """Read and validate a district file; raises ScenarioErrors listing every problem."""
    return load_checked(path, None, _EMPTY, _district)


def _district(path: Path, data: Table, sha256: str, check: Checker) -> District | None:
    check.keys(data, "", (*_TOP_KEYS, "municipalities"))
    name = check.text(data, "district", "", required=True, max_length=_length("district"))
    reference = check.text(data, "reference", "", required=False, max_length=_length("reference"))
    posts = check.number(data, "posts", "", _limits(keys.DISTRICT_FTE), required=True)
    if posts is not None and not _thousandths(posts):
        check.error("posts", f"must have at most 3 decimals (VZÄ to 0.001), got {show(posts)}")
    rate = check.amount(data, "rate_per_fte", "", _limits(keys.MONEY), required=True)
    year = check.integer(data, "year", "", _limits(keys.YEAR), required=True)
    population_date = _population_date(data, check)
    municipalities = _municipalities(data, check)
    if name is None or posts is None or rate is None or year is None or not municipalities:
        return None
    return District(
        path, sha256, name, reference, posts, rate, year, population_date, municipalities
    )


def _thousandths(value: float) -> bool:
    return math.isclose(value * 1000, round(value * 1000), abs_tol=1e-6)


def _population_date(data: Table, check: Checker) -> str | None:
    value = check.get(data, "population_date", "", "a date YYYY-MM-DD", required=False)
    if value is None:
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    check.error("population_date", f"must be a date YYYY-MM-DD, got {show(value)}")
    return None


def _municipalities(data: Table, check: Checker) -> tuple[Municipality, ...]:
    most = keys.MOST_ITEMS["municipalities"]
    items = check.tables(data, "municipalities", "", required=True, most=most)
    if items is None:
        return ()
    if not items and isinstance(data.get("municipalities"), list):
        check.error("municipalities", "must hold at least one [[municipalities]] table")
    found: list[Municipality] = []
    names: dict[str, str] = {}
    stems: dict[str, tuple[str, str]] = {}
    for index, path, item in items:
        check.keys(item, path, _MUNICIPALITY_KEYS)
        name = check.text(
            item, "name", path, required=True, max_length=_length("municipalities[].name")
        )
        population = check.integer(item, "population", path, _limits(keys.PEOPLE), required=True)
        filled = check.number(item, "filled_fte", path, _limits(keys.FILLED_FTE), required=False)
        remainder = check.boolean(item, "remainder", path, default=False)
        if name is not None:
            earlier = names.setdefault(name.casefold(), path)
            if earlier != path:
                check.error(f"{path}.name", f"{show(name)} is already the name of {earlier}")
            elif not remainder:
                _unique_stem(name, path, stems, check)
        if name is not None and population is not None:
            found.append(Municipality(index, name, population, filled, remainder))
    return tuple(found)


def _unique_stem(name: str, path: str, stems: dict[str, tuple[str, str]], check: Checker) -> None:
    """A municipality's scenario file name must be usable and its own: two names that differ
    only in umlauts, accents, punctuation or case would write the same file."""
    stem = slug(name)
    if not stem or stem == RESERVED_STEM:
        check.error(f"{path}.name", f"{show(name)} gives no usable scenario file name")
        return
    earlier = stems.setdefault(stem, (path, name))
    if earlier[0] != path:
        check.error(
            f"{path}.name",
            f"{show(name)} gives the scenario file name {stem}.toml, as {earlier[0]}.name "
            f"{show(earlier[1])} does; rename one of them so that the names differ in more than "
            "umlauts, accents, punctuation or case",
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
