"""A starter scenario file for `kim-budget init`: one post, every key commented in German.

`starter_text` writes the text from the options (`Starter`); without any, the council paper's
option: 1,0 VZÄ from January of next year, 80,000 € annual cost and 57,000 € KIM funding per VZÄ
and year, five Haushaltsjahre from the start's year. `write_starter` checks the text with the
loader's rules in memory and writes it only when it is valid and no file of that name exists.

Text from the options enters the file only as TOML values written by tomlkit (strings quoted
and escaped), never inside a comment, so no option can add a key, a table or a line of its own.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import tomlkit

from kim_budget import german
from kim_budget.errors import OutputError, ScenarioError, ScenarioErrors
from kim_budget.files import write_all
from kim_budget.loader import load_scenario
from kim_budget.pay import shipped_rules
from kim_budget.rules import RESERVED_STEM
from kim_budget.scenario import DEFAULT_ANNUAL_COST, Scenario

DEFAULT_FILE = Path("szenario.toml")
DEFAULT_FTE = 1.0
DEFAULT_RATE = 57_000.0
"""The KIM lump sum per VZÄ and year (docs/sources.md, "Funding per VZÄ")."""
DEFAULT_STEP = 1
"""A new hire without recognised experience starts in Stufe 1 (§ 16 TVöD)."""
YEARS = 5
"""Haushaltsjahre of the default horizon, from the start's year."""
OPTIONS = {
    "municipality": "--municipality",
    "positions[0].fte": "--fte",
    "positions[0].start": "--start",
    "positions[0]": "--start",
    "positions[0].grade": "--grade",
    "positions[0].step": "--step",
    "cost.annual_cost_per_fte": "--annual-cost",
    "horizon.first_year": "--first-year",
    "horizon.last_year": "--last-year",
}
"""The option that sets each key the loader may find wrong in a starter file."""
COLUMN = 36
"""Where the comments beside the values start."""
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_INVISIBLE = re.compile("[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
"""Line and paragraph separators, the bidirectional controls and the byte-order mark."""


@dataclass(frozen=True)
class Starter:
    """The options of `kim-budget init`; None means the default."""

    municipality: str | None = None
    fte: float | None = None
    """VZÄ of the post; default 1.0."""
    start: str | None = None
    """The first month the post is filled, "YYYY-MM"; default: January of next year."""
    grade: str | None = None
    """A TVöD Entgeltgruppe: the post is priced from the pay tables, not by an annual cost."""
    step: int | None = None
    annual_cost: float | None = None
    first_year: int | None = None
    last_year: int | None = None


@dataclass(frozen=True)
class Plan:
    """The starter's figures with the defaults filled in."""

    fte: float
    start: str
    month: date | None
    """`start` as a date when it reads as one (else the loader reports it)."""
    first_year: int
    last_year: int
    annual_cost: float


def plan(starter: Starter, today: date) -> Plan:
    """The options with their defaults: start January of next year, five years from its year."""
    start = starter.start if starter.start is not None else f"{today.year + 1}-01"
    month = _month(start)
    first = starter.first_year
    if first is None:
        first = month.year if month is not None else today.year + 1
    last = starter.last_year if starter.last_year is not None else first + YEARS - 1
    cost = starter.annual_cost if starter.annual_cost is not None else DEFAULT_ANNUAL_COST
    fte = starter.fte if starter.fte is not None else DEFAULT_FTE
    return Plan(fte, start, month, first, last, cost)


def _month(text: str) -> date | None:
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    return date(int(match[1]), int(match[2]), 1)


def _value(value: str | float | int) -> str:
    """A value as TOML writes it; a whole amount without decimals (80000, not 80000.0)."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, float) and _whole_amount(value):
        return str(int(value))
    return tomlkit.item(value).as_string()


def _string(text: str) -> str:
    """A TOML basic string: tomlkit escapes quotes, backslashes and control characters; the
    characters that would turn or break the line in an editor are escaped too (the value read
    back is the same)."""
    written = tomlkit.string(text).as_string()
    return _INVISIBLE.sub(lambda match: f"\\u{ord(match[0]):04X}", written)


def _whole_amount(value: float) -> bool:
    return math.isfinite(value) and value.is_integer() and abs(value) >= 1000


def _line(key: str, value: str | float | int, *notes: str) -> str:
    """`key = value` with the first note beside it and the others aligned below."""
    return _commented(f"{key} = {_value(value)}", *notes)


def _empty_list(key: str, *notes: str) -> str:
    return _commented(f"{key} = []", *notes)


def _commented(text: str, *notes: str) -> str:
    """A line with its notes beside it, aligned; above it when the line is too long for that."""
    if not notes:
        return text + "\n"
    if len(text) >= COLUMN:
        return "".join(f"# {note}\n" for note in notes) + text + "\n"
    lines = [f"{text:<{COLUMN}} # {notes[0]}"]
    lines += [f"{'':<{COLUMN}} # {note}" for note in notes[1:]]
    return "\n".join(lines) + "\n"


def _title(starter: Starter, figures: Plan) -> str:
    fte, month = figures.fte, figures.month
    shown = german.vzae(fte) + " " if math.isfinite(fte) and 0 < fte <= 1000 else ""
    since = f" ab {german.month(month)}" if month is not None else ""
    grade = f", TVöD {starter.grade}" if starter.grade is not None else ""
    return f"{shown}Case Management KIM{since}{grade}"[:200]


def starter_text(starter: Starter, today: date) -> str:
    """The commented scenario file of the options (not yet checked: see `write_starter`)."""
    figures = plan(starter, today)
    return "".join(
        (
            _header(),
            _texts(starter, figures),
            _horizon(figures),
            _position(starter, figures),
            _cost(starter, figures),
            _funding(),
            _offset(figures),
            _budget(),
        )
    )


def _header() -> str:
    return """\
# Szenario: eine Stelle Case Management im Kommunalen Integrationsmanagement (KIM NRW),
# angelegt mit "kim-budget init". Alle Zahlen sind Annahmen: vor der Vorlage mit der Kämmerei
# abstimmen. Die Vorgaben folgen der Vorlage 3360/VIII der Stadt Siegburg (Juni 2024): ca.
# 80.000 € Personalkosten und 57.000 € KIM-Förderung je Vollzeitstelle (VZÄ) und Jahr.
# Jeder Schlüssel mit Grenzen und Einheit: README von kim-budget, Abschnitt "Scenario files";
# Quellen und Konfidenz der Zahlen: docs/sources.md von kim-budget (Abschnitte in Anführungs-
# zeichen). Zahlen ohne Tausenderpunkt und mit Dezimalpunkt: 80000 oder 80_000, 1.0.
# Prüfen: kim-budget validate DATEI; rechnen: kim-budget build DATEI (Arbeitsmappe und Texte
# für die Vorlage in out/).

"""


def _texts(starter: Starter, figures: Plan) -> str:
    title = _line(
        "title",
        _title(starter, figures),
        "Titel des Szenarios (Text, 1–200 Zeichen): Deckblatt,",
        "Szenarienvergleich und Texte der Vorlage",
    )
    municipality_notes = (
        "Kommune (Text, höchstens 100 Zeichen): Kopfzeile",
        "jeder Seite und Texte der Vorlage",
    )
    if starter.municipality is None:
        municipality = _commented('# municipality = "Stadt Musterstadt"', *municipality_notes)
    else:
        municipality = _line("municipality", starter.municipality, *municipality_notes)
    reference = _commented('# reference = "123/2027"', "Vorlagen-Nr. (Text, höchstens 50 Zeichen)")
    description = _commented(
        '# description = "…"', "Zweck der Stelle (Text, höchstens 1.000 Zeichen): Deckblatt"
    )
    return title + municipality + reference + description + "\n"


def _horizon(figures: Plan) -> str:
    return (
        _commented("[horizon]", "Betrachtungszeitraum in Haushaltsjahren (= Kalenderjahre)")
        + _line(
            "first_year",
            figures.first_year,
            "erstes Haushaltsjahr (2000–2100); für den Haushalt mit dem",
            "Ansatz des laufenden Jahres ein Jahr früher (§ 84 GO NRW;",
            'docs/sources.md, "Budget law and accounts")',
        )
        + _line(
            "last_year",
            figures.last_year,
            "letztes Haushaltsjahr (höchstens first_year + 15); Vorgabe:",
            "fünf Haushaltsjahre wie in der Vorlage 3360/VIII",
        )
        + "\n"
    )


def _position(starter: Starter, figures: Plan) -> str:
    text = (
        _commented("[[positions]]", "eine Stelle; für weitere den Block wiederholen")
        + _line("name", "Case Management KIM", "Bezeichnung der Stelle (Text)")
        + _line(
            "fte",
            figures.fte,
            "Stellenanteil in VZÄ (Vollzeitäquivalente, 0 < fte ≤ 20):",
            "1.0 = eine Vollzeitstelle; Vorlage 3360/VIII: 1,0 oder bis",
            'zu 1,173 VZÄ (docs/sources.md, "The council paper")',
        )
        + _line(
            "start",
            figures.start,
            'besetzt ab (Monat "JJJJ-MM", zählt voll): angenommener',
            "Monat der Einstellung",
        )
        + _commented(
            f'# end = "{figures.last_year}-12"',
            "optional: letzter besetzter Monat (einschließlich)",
        )
    )
    if starter.grade is not None:
        text += _grading(starter)
    return text + "\n"


def _grading(starter: Starter) -> str:
    grades = ", ".join(shipped_rules().grades)
    step = starter.step if starter.step is not None else DEFAULT_STEP
    return _line(
        "grade",
        starter.grade or "",
        "Entgeltgruppe TVöD: die Personalkosten kommen aus den",
        'mitgelieferten Tariftabellen (Blatt "Tarif"), bekannt:',
        f"{grades}; im Case Management meist",
        'S 11b oder S 12 (docs/sources.md, "Personnel cost of a post")',
    ) + _line(
        "step",
        step,
        "Stufe (1–6) bei Beginn: Neueinstellung ohne anerkannte",
        "Berufserfahrung: Stufe 1 (§ 16 TVöD); steigt nach 12, 24, …",
        "Monaten; mit Erfahrung höher, dazu step_since = Monat,",
        "seit dem die Stufe gilt",
    )


def _cost(starter: Starter, figures: Plan) -> str:
    if starter.grade is not None:
        return _graded_cost(starter, figures)
    source = (
        'Vorlage 3360/VIII: "ca. 80 T€", d. h. TVöD S 12, Stufe 3–4'
        if starter.annual_cost is None
        else 'Annahme; zum Vergleich Vorlage 3360/VIII: "ca. 80 T€"'
    )
    return (
        "[cost]\n"
        + _line(
            "annual_cost_per_fte",
            figures.annual_cost,
            "Personalkosten in € je VZÄ und Jahr (Arbeitgeber-",
            "Gesamtkosten: Entgelt, Sonderzahlung, Sozialversicherung,",
            "Zusatzversorgung); 0 oder ab 1.000; ganze Euro ohne",
            "Tausenderpunkt (80000, nie 80.000).",
            source,
            "(docs/sources.md, \"What 'ca. 80 T€' means\")",
        )
        + _increases(figures, "die Vorlage rechnet ohne Tarifsteigerung")
        + "\n"
    )


def _graded_cost(starter: Starter, figures: Plan) -> str:
    tables = shipped_rules().tables(starter.grade or "")
    last = f" bis {german.month(tables[-1].valid_from)}" if tables else ""
    return (
        _commented(
            "[cost]",
            "keine Pauschale: die Stelle wird aus den Tariftabellen",
            f"bewertet; sie enthalten die Tarifabschlüsse{last}",
            '(docs/sources.md, "Pay tables (TVöD VKA)",',
            '"Employer on-costs")',
        )
        + _increases(figures, "nach den Tabellen angenommene Abschlüsse hier eintragen")
        + "\n"
    )


def _increases(figures: Plan, why: str) -> str:
    example = f"{figures.first_year + 1}-04"
    return _empty_list(
        "increases",
        "Steigerungen in % ab einem Monat, aufeinander aufbauend,",
        f'z. B. [{{ from = "{example}", percent = 3.0 }}];',
        why,
    )


def _funding() -> str:
    return (
        "[funding]\n"
        + _line(
            "rate_per_fte",
            DEFAULT_RATE,
            "KIM-Förderung des Landes NRW in € je gefördertem VZÄ und",
            'Jahr (Pauschale); Vorlage 3360/VIII: "18 VZÄ a´57.000,-- €"',
            '(docs/sources.md, "Funding per VZÄ", Konfidenz H)',
        )
        + _commented(
            "# max_fte = 1.173",
            "optional: höchstens so viele VZÄ werden gefördert, der",
            "Anteil der Kommune an den Stellen des Kreises (Siegburg:",
            '1,173 VZÄ; docs/sources.md, "Siegburg\'s share")',
        )
        + "\n"
    )


def _offset(figures: Plan) -> str:
    return (
        "[offset]\n"
        + _empty_list(
            "years",
            "Haushaltsjahre, deren Eigenanteil im Personalbudget gedeckt",
            f"wird (Deckung), z. B. [{figures.first_year}]; sonst belastet er den Haushalt",
        )
        + "\n"
    )


def _budget() -> str:
    return (
        _commented(
            "# [budget]",
            "optional: Produkt und NKF-Konten für die Texte der Vorlage;",
            "mit der Kämmerei abstimmen",
            '(docs/sources.md, "Budget law and accounts")',
        )
        + '# product = "…"\n'
        + _commented('# expense_account = "5012"', "Dienstaufwendungen tariflich Beschäftigte")
        + _commented('# income_account = "4143"', "Zuweisungen von Gemeinden/GV (Kreis)")
    )


def write_starter(path: Path, starter: Starter, today: date | None = None) -> Scenario:
    """Write the starter file to `path` when it is valid and no file of that name exists.

    The text is checked with the loader's rules first (a problem names the option that set the
    value); nothing is written on any problem. Returns the scenario as the loader read it.
    """
    _check_name(path)
    text = starter_text(starter, today or date.today()).encode("utf-8")
    problems = _option_problems(path, starter)
    try:
        scenario = load_scenario(path, raw=text)
    except ScenarioErrors as errors:
        problems += [_by_option(path, error) for error in errors.errors]
    if problems:
        raise ScenarioErrors(_given_first(problems, starter))
    if not write_all([(path, text)], keep={path}):
        raise _exists(path)
    return scenario


def _check_name(path: Path) -> None:
    if os.path.lexists(path):
        raise _exists(path)
    problem = ""
    if path.suffix.lower() != ".toml":
        problem = "a scenario file's name ends in .toml (build reads *.toml)"
    elif path.stem.casefold() == RESERVED_STEM:
        problem = f"the name {path.name} is reserved for the comparison workbook; choose another"
    if problem:
        raise ScenarioErrors([ScenarioError(str(path), "", problem)])


def _exists(path: Path) -> OutputError:
    return OutputError(f"{path}: exists; not replaced (choose another name or remove the file)")


def _option_problems(path: Path, starter: Starter) -> list[ScenarioError]:
    """What the loader cannot see: options that only make sense together."""
    problems = []
    if starter.grade is not None and starter.annual_cost is not None:
        problem = "not with --grade: a post priced from the TVöD pay tables has no annual cost"
        problems.append(ScenarioError(str(path), "--annual-cost", problem))
    if starter.grade is None and starter.step is not None:
        problem = "only with --grade: the Stufe of a post priced from the TVöD pay tables"
        problems.append(ScenarioError(str(path), "--step", problem))
    return problems


def _by_option(path: Path, error: ScenarioError) -> ScenarioError:
    """The loader's problem, named by the option that set the value."""
    option = OPTIONS.get(error.key)
    return error if option is None else ScenarioError(str(path), option, error.problem)


def _given_first(problems: list[ScenarioError], starter: Starter) -> list[ScenarioError]:
    """The problems of the options given; those of defaults only when there are no others (a
    wrong --first-year also puts the default --last-year out of range)."""
    given = {
        f"--{name.replace('_', '-')}" for name, value in vars(starter).items() if value is not None
    }
    return [problem for problem in problems if problem.key in given] or problems
