"""Bringing a treasurer's edits back: the inputs of an edited workbook into its scenario file.

`import_workbook` reads every input cell of "Annahmen" by the scenario key its row shows,
(and of "Tarif", the pay rules of graded positions), compares it with the scenario file and
writes the changed values into that file with tomlkit,
which keeps the file's comments, order and layout. The new text is validated by the loader
(`scenario.load_scenario`, the rules of `validate`) before anything is written, and the file is
replaced atomically. Values typed as text are read the way a German treasurer means them
("82.000" is 82,000; "WAHR", "ja"; "01.10.2024") or rejected; nothing is read by guessing.

Where each input must be is known from laying out the scenario file again: a workbook whose rows
were inserted, deleted or moved, or another kind of workbook, is refused with the cell that
differs. The cover names the scenario file and its SHA-256 at the build; when the file changed
since, the import refuses unless forced, naming the keys changed on both sides.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import tomlkit
from openpyxl.worksheet.worksheet import Worksheet
from tomlkit.items import Date as TomlDate
from tomlkit.items import Float as TomlFloat
from tomlkit.items import Integer as TomlInteger

from kim_budget.errors import KimBudgetError, ScenarioError, ScenarioErrors
from kim_budget.files import path_kind, read_regular, real_target, write_atomically
from kim_budget.formula import column_letter
from kim_budget.keys import MONEY_MONTH, MONTH, RATE, YEAR, Key, Measure, key
from kim_budget.messages import display_key, printable, quoted
from kim_budget.package import PackageError, load_workbook, read_package
from kim_budget.pay import STEPS
from kim_budget.scenario import Scenario, load_scenario
from kim_budget.toml_file import MAX_TOML_BYTES
from kim_budget.validate import month_text
from kim_budget.verify_rules import boolean_literal
from kim_budget.workbook import annahmen, spec, tarif
from kim_budget.workbook.annahmen import InputRow
from kim_budget.workbook.grid import Sheet

FILE_LABEL = "Szenariodatei"
SHA_LABEL = "SHA-256 der Szenariodatei"
SCENARIO_FOLDER = Path("scenarios")

_TRUE = frozenset({"wahr", "true", "ja", "yes"})
_FALSE = frozenset({"falsch", "false", "nein", "no"})
_UNITS = re.compile(r"\s*(€|eur|euro|%|vzä|vzae)\s*$", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+")
_GERMAN_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[./](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_EPOCH_1900 = date(1899, 12, 30)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LONGEST_CELL_TEXT = 1000
"""Most characters of a text read from a cell (the longest text key, the description, has as
many); a longer text is refused before anything else is done with it."""
_LONGEST_FILE_NAME = 255
"""Most bytes of a file name on common file systems."""
_GERMAN_QUOTES = ("„", "“")


class WorkbookError(KimBudgetError):
    """An edited workbook cannot be read back: not a scenario workbook, its structure changed,
    its scenario file is missing or changed since the build."""


@dataclass(frozen=True)
class Change:
    """One input whose workbook value differs from the scenario file."""

    key: str
    """As "Annahmen" shows it: "positions[0] (Stelle 1).fte", "offset.years (2025)"."""
    cell: str
    """Where the new value is: "Annahmen!B17"."""
    old: object
    new: object

    def __str__(self) -> str:
        return f"{self.key}: {_show(self.old)} → {_show(self.new)}"


@dataclass(frozen=True)
class ImportResult:
    """What an import found and whether it wrote the scenario file."""

    scenario: Path
    changes: tuple[Change, ...]
    written: bool


@dataclass(frozen=True)
class _Reading:
    """One input row of the workbook: its layout entry, cell, value and built value."""

    row: InputRow
    cell: str
    value: object
    built: object | None


@dataclass(frozen=True)
class _Cover:
    file: str
    sha256: str


class _Book:
    """The workbook twice: as typed (formulas) and with cached values; read once, within the
    bounds of `package.read_package` (a file that breaks them is refused, saying how)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            package = read_package(path)
        except PackageError as error:
            raise WorkbookError(str(error)) from None
        try:
            self.typed = load_workbook(package, data_only=False)
            self.cached = load_workbook(package, data_only=True)
        except Exception as error:  # openpyxl's errors on damaged files share no type
            raise WorkbookError(
                f"{printable(str(path))}: cannot be read as an xlsx workbook "
                f"({quoted(str(error), 200, ('', ''))})"
            ) from None

    def sheet(self, name: str) -> Worksheet:
        """A sheet by name; a clear error for another kind of workbook."""
        if name in self.typed.sheetnames:
            return self.typed[name]
        names = ", ".join(self.typed.sheetnames)
        if spec.VERGLEICH in self.typed.sheetnames:
            raise WorkbookError(
                f"{self.path}: a comparison workbook (Szenarienvergleich); import the workbook of "
                "each scenario instead"
            )
        raise WorkbookError(
            f"{self.path}: not a kim-budget scenario workbook: it has no sheet „{name}“ "
            f"(its sheets: {names})"
        )

    def value(self, sheet: str, row: int, col: int) -> object:
        """A cell as the user typed it; a formula's cached result (LibreOffice saves a typed
        boolean as =TRUE())."""
        cell = self.typed[sheet].cell(row=row, column=col)
        if cell.data_type != "f":
            return cell.value
        text = cell.value if isinstance(cell.value, str) else ""
        literal = boolean_literal(text)
        if literal is not None:
            return literal
        return self.cached[sheet].cell(row=row, column=col).value


# --- the cover --------------------------------------------------------------------------------


def _cover(book: _Book) -> _Cover:
    sheet = book.sheet(spec.UEBERSICHT)
    found: dict[str, str] = {}
    for row in range(1, min(sheet.max_row, 40) + 1):
        label = sheet.cell(row=row, column=1).value
        value = sheet.cell(row=row, column=2).value
        if isinstance(label, str) and label in (FILE_LABEL, SHA_LABEL) and isinstance(value, str):
            found[label] = value.strip()
    if FILE_LABEL not in found:
        raise WorkbookError(
            f"{book.path}: the cover („{spec.UEBERSICHT}“) names no scenario file "
            f"(no row „{FILE_LABEL}“); not a kim-budget scenario workbook, or its cover was edited"
        )
    return _Cover(found[FILE_LABEL], found.get(SHA_LABEL, ""))


def find_scenario(workbook: Path, name: str) -> Path:
    """The scenario file the cover names: beside the workbook, else in scenarios/ (of the current
    folder or beside the workbook's folder). The name must be a plain, visible file name."""
    plain = (
        Path(name).name == name
        and name.endswith(".toml")
        and not name.startswith(".")
        and len(name.encode("utf-8", "replace")) <= _LONGEST_FILE_NAME
        and _CONTROL.search(name) is None
    )
    if not plain:
        raise WorkbookError(
            f"{workbook}: the cover names {quoted(name, quotes=_GERMAN_QUOTES)}, which is no "
            "scenario file name; name the file with --scenario FILE"
        )
    places = (
        workbook.parent / name,
        SCENARIO_FOLDER / name,
        workbook.parent.parent / SCENARIO_FOLDER / name,
    )
    for place in places:
        if path_kind(place) == "file":
            return place
    looked = ", ".join(str(place) for place in dict.fromkeys(places))
    raise WorkbookError(
        f"{workbook}: its scenario file {name} is not at {looked}; name it with --scenario FILE"
    )


# --- reading the inputs -------------------------------------------------------------------------


def _expected(scenario: Scenario) -> tuple[Sheet, tuple[InputRow, ...]]:
    sheet = Sheet(spec.ANNAHMEN)
    inputs = annahmen.lay_out(sheet, scenario)
    return sheet, inputs.rows


def _check_structure(book: _Book, expected: Sheet, scenario: Path) -> None:
    """Every row of column D (the scenario keys) must be where the scenario file puts it."""
    book.sheet(spec.ANNAHMEN)
    keys = {row: cell.content for (row, col), cell in expected.cells.items() if col == annahmen.KEY}
    _check_column(book, spec.ANNAHMEN, annahmen.KEY, keys, annahmen.FIRST_ROW, scenario)


def _check_column(
    book: _Book, name: str, col: int, keys: Mapping[int, object], first: int, scenario: Path
) -> None:
    """The key column of a sheet must show, row by row, the keys the layout puts there."""
    last = max(max(keys), book.typed[name].max_row)
    for row in range(first, last + 1):
        wanted = keys.get(row)
        found = book.value(name, row, col)
        found = found.strip() if isinstance(found, str) else found
        if found == wanted or (wanted is None and found in (None, "")):
            continue
        where = f"{name}!{column_letter(col)}{row}"
        shows = "is empty" if found in (None, "") else f"shows {_cell_text(found)}"
        expects = f"„{wanted}“" if wanted is not None else "nothing"
        raise WorkbookError(
            f"{book.path}: {where} {shows}, but {scenario} puts {expects} there: the workbook no "
            "longer matches its scenario file (a row inserted, deleted or moved, or positions or "
            "increases changed in the file); build the workbook again and repeat the edit there"
        )


def _built_column(book: _Book) -> bool:
    header = book.value(spec.ANNAHMEN, 4, annahmen.BUILT)
    return isinstance(header, str) and header.strip() == spec.BUILT_HEADER


def _read(book: _Book, rows: tuple[InputRow, ...]) -> tuple[list[_Reading], list[ScenarioError]]:
    readings: list[_Reading] = []
    errors: list[ScenarioError] = []
    built_column = _built_column(book)
    for entry in rows:
        ref = entry.ref
        cell = f"{spec.ANNAHMEN}!{column_letter(ref.col)}{ref.row}"
        measure = key(entry.path).measure
        try:
            value = convert(book.value(spec.ANNAHMEN, ref.row, ref.col), measure)
            _check_text(value, key(entry.path))
        except ValueError as problem:
            errors.append(ScenarioError(f"{cell} ({entry.key})", "", str(problem)))
            continue
        built = None
        if built_column and not entry.structure:
            try:
                built = convert(book.value(spec.ANNAHMEN, ref.row, annahmen.BUILT), measure)
            except ValueError:
                built = None
        readings.append(_Reading(entry, cell, value, built))
    return readings, errors


def _cell_text(value: object) -> str:
    """A cell's content for a message: in German quotes, escaped, long text cut."""
    return quoted(str(value), quotes=_GERMAN_QUOTES)


def _check_text(value: object, entry: Key) -> None:
    """A text for a text key: no longer than the key allows, no control characters (but tabs
    and line breaks in a text of several lines) — checked before it is escaped or written."""
    if not isinstance(value, str) or entry.measure.type != "text":
        return
    text = value.strip()
    if entry.max_length is not None and len(text) > entry.max_length:
        raise ValueError(f"must be at most {entry.max_length} characters, got {len(text):,}")
    bad = (_LINE_CONTROL if entry.multiline else _CONTROL).search(text)
    if bad is not None:
        allowed = " other than tab and line breaks" if entry.multiline else ""
        raise ValueError(
            f"must not contain control characters{allowed}, got {_cell_text(text)} "
            f"(character U+{ord(bad[0]):04X} at position {bad.start() + 1})"
        )


def convert(value: Any, measure: Measure) -> object:
    """A cell's value as the key's type, reading text the German way; ValueError says why not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("is empty; to drop an optional key, delete it in the scenario file")
    if isinstance(value, str) and len(value) > LONGEST_CELL_TEXT:
        raise ValueError(
            f"holds a text of {len(value):,} characters; at most {LONGEST_CELL_TEXT:,} are read"
        )
    if measure.type == "boolean":
        return _boolean(value)
    if measure.type in ("number", "integer"):
        number = _number(value)
        if measure.type == "integer":
            if not float(number).is_integer():
                raise ValueError(f"must be a whole number, got {_show(number)}")
            return int(number)
        return number
    if measure.type == "month":
        return _month(value)
    if isinstance(value, bool):
        raise ValueError(f"must be text, got {'WAHR' if value else 'FALSCH'}")
    if isinstance(value, int | float):
        if measure.type == "account" or float(value).is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, datetime | date):
        raise ValueError(f"must be text, got the date {value:%d.%m.%Y}")
    return str(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    shown = _cell_text(value) if isinstance(value, str) else _show(value)
    raise ValueError(f"must be WAHR or FALSCH (also read: ja/nein, TRUE/FALSE), got {shown}")


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {'WAHR' if value else 'FALSCH'}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"must be a finite number, got {value}")
        return value
    if isinstance(value, datetime | date):
        raise ValueError(f"must be a number, got the date {value:%d.%m.%Y}")
    return german_number(str(value))


def german_number(text: str) -> float | int:
    """A number typed as text, read as a German writes it: "82.000" → 82000, "1,173" → 1.173,
    "82.000,50 €" → 82000.5; ValueError for anything else ("1.5": a decimal point)."""
    plain = _UNITS.sub("", text.strip().replace("\u00a0", " ")).replace(" ", "")
    if _INTEGER.fullmatch(plain):
        return int(plain)
    if _GERMAN_GROUPED.fullmatch(plain) or _DECIMAL_COMMA.fullmatch(plain):
        digits = plain.replace(".", "")
        return float(digits.replace(",", ".")) if "," in digits else int(digits)
    raise ValueError(
        f"text {_cell_text(text)} is no number as written in German (thousands with a point, "
        "decimals with a comma: 82.000 or 1,173); type the number into the cell"
    )


def _month(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"must be a month, got {'WAHR' if value else 'FALSCH'}")
    if isinstance(value, int | float):
        if not 1 <= value < 2958466:
            raise ValueError(f"must be a month, got the number {_show(value)}")
        return _EPOCH_1900 + timedelta(days=int(value))
    text = str(value).strip()
    parts = _month_parts(text)
    if parts is not None:
        try:
            return date(*parts)
        except ValueError:
            pass
    raise ValueError(
        f"text {_cell_text(text)} is no month: write it as 01.10.2024, 10.2024 or 2024-10, "
        "or type a date"
    )


def _month_parts(text: str) -> tuple[int, int, int] | None:
    """Year, month and day of "01.10.2024", "10.2024" or "2024-10(-01)"."""
    if found := _DAY_MONTH_YEAR.fullmatch(text):
        return int(found[3]), int(found[2]), int(found[1])
    if found := _MONTH_YEAR.fullmatch(text):
        return int(found[2]), int(found[1]), 1
    if found := _ISO.fullmatch(text):
        return int(found[1]), int(found[2]), int(found[3] or 1)
    return None


# --- comparing and writing ----------------------------------------------------------------------


def _same(first: object, second: object) -> bool:
    if isinstance(first, date) and isinstance(second, date):
        return (first.year, first.month) == (second.year, second.month)
    if isinstance(first, bool) or isinstance(second, bool):
        return first is second
    if isinstance(first, int | float) and isinstance(second, int | float):
        return math.isclose(first, second, rel_tol=1e-12, abs_tol=1e-12)
    return first == second


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return month_text(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, str):
        return f'"{printable(value)}"'  # printed as written, every control character visible
    return str(value)


def _tokens(path: str) -> list[str | int]:
    tokens: list[str | int] = []
    for part in path.split("."):
        name, *indices = part.split("[")
        tokens.append(name)
        tokens += [int(index.rstrip("]")) for index in indices]
    return tokens


def _toml_value(old: object, new: object, measure: Measure) -> object:
    """The new value in the form the file already uses for the key."""
    if measure.type == "month":
        assert isinstance(new, date)
        if isinstance(old, TomlDate):
            return new
        return month_text(new)
    if measure.type in ("number", "integer") and isinstance(new, int | float):
        if isinstance(old, TomlFloat):
            return float(new)
        if (isinstance(old, TomlInteger) or measure.type == "integer") and float(new).is_integer():
            return int(new)
        return int(new) if old is None and float(new).is_integer() else new
    return new


def _set(document: Any, path: str, new: object, measure: Measure) -> None:
    tokens = _tokens(path)
    container = document
    for token in tokens[:-1]:
        if isinstance(token, str) and token not in container:
            container[token] = tomlkit.table()
        container = container[token]
    last = tokens[-1]
    old = container.get(last) if hasattr(container, "get") else container[last]
    container[last] = _toml_value(old, new, measure)


def _apply(document: Any, readings: list[_Reading], offset_years: tuple[int, ...]) -> None:
    years = set(offset_years)
    offset_changed = False
    for reading in readings:
        entry = reading.row
        if entry.path == "offset.years":
            assert entry.year is not None and isinstance(reading.value, bool)
            offset_changed = True
            (years.add if reading.value else years.discard)(entry.year)
            continue
        _set(document, entry.path, reading.value, key(entry.path).measure)
    if offset_changed:
        if "offset" not in document:
            document["offset"] = tomlkit.table()
        document["offset"]["years"] = sorted(years)


def _validate(text: str, path: Path, cells: dict[str, str]) -> None:
    """Load the new text with the loader's rules, in memory (nothing is written, so a dry run
    needs no permission to write); its errors name the workbook's cells."""
    try:
        load_scenario(path, display=str(path), raw=text.encode("utf-8"))
    except ScenarioErrors as found:
        raise ScenarioErrors(_located(error, path, cells) for error in found.errors) from None


def _located(error: ScenarioError, path: Path, cells: dict[str, str]) -> ScenarioError:
    where = cells.get(error.key) or cells.get(re.sub(r"\[\d+\]$", "", error.key))
    if where is None:
        return ScenarioError(str(path), error.key, error.problem)
    return ScenarioError(f"{where} ({display_key(error.key)})", "", error.problem)


def _conflicts(readings: list[_Reading]) -> list[str]:
    """Keys changed both in the workbook and in the file since the build."""
    return [
        r.row.key
        for r in readings
        if r.built is not None and not _same(r.value, r.built) and not _same(r.row.value, r.built)
    ]


# --- the pay rules on "Tarif" ----------------------------------------------------------------

_TABLE_KEY = re.compile(r"tvoed\.pay_tables \((.+), (\d{4}-\d{2})\)")
_RATE_KEY = re.compile(r"tvoed\.(bonus|social_insurance|pension_fund)\[(\d+)\]")
_PERFORMANCE = "tvoed.performance_pay_percent"


@dataclass(frozen=True)
class _TarifRow:
    """One input row of "Tarif": its key, the cells read and their values in the file."""

    key: str
    row: int
    values: tuple[object, ...]
    """As read from the workbook, column B on."""
    expected: tuple[object, ...]
    """As the scenario file (with the shipped rules) has them."""


def _tarif_measures(key_text: str) -> tuple[Measure, ...] | None:
    if _TABLE_KEY.fullmatch(key_text):
        return (MONTH, *([MONEY_MONTH] * STEPS))
    if _RATE_KEY.fullmatch(key_text):
        return (YEAR, RATE)
    if key_text == _PERFORMANCE:
        return (RATE,)
    return None


def _read_tarif(book: _Book, scenario: Scenario, path: Path) -> list[_TarifRow]:
    """The input rows of "Tarif", checked to sit where the scenario puts them."""
    if not scenario.graded:
        return []
    sheet = Sheet(spec.TARIF)
    tarif.lay_out(sheet, scenario)
    book.sheet(spec.TARIF)
    keys = {row: cell.content for (row, col), cell in sheet.cells.items() if col == tarif.KEY}
    _check_column(book, spec.TARIF, tarif.KEY, keys, tarif.FIRST_ROW, path)
    rows: list[_TarifRow] = []
    errors: list[ScenarioError] = []
    for row, key_text in sorted(keys.items()):
        measures = _tarif_measures(str(key_text))
        if measures is None:
            continue
        values: list[object] = []
        for offset, measure in enumerate(measures):
            col = tarif.VALUE + offset
            cell = f"{spec.TARIF}!{column_letter(col)}{row}"
            try:
                values.append(convert(book.value(spec.TARIF, row, col), measure))
            except ValueError as problem:
                errors.append(ScenarioError(f"{cell} ({key_text})", "", str(problem)))
        expected = tuple(sheet.cells[(row, tarif.VALUE + n)].content for n in range(len(measures)))
        rows.append(_TarifRow(str(key_text), row, tuple(values), expected))
    if errors:
        raise ScenarioErrors(errors)
    return rows


def _tarif_changes(rows: list[_TarifRow]) -> list[Change]:
    changes = []
    for entry in rows:
        for n, (old, new) in enumerate(zip(entry.expected, entry.values, strict=True)):
            if _same(old, new):
                continue
            cell = f"{spec.TARIF}!{column_letter(tarif.VALUE + n)}{entry.row}"
            changes.append(Change(f"{entry.key}{_tarif_part(entry.key, n)}", cell, old, new))
    return changes


def _tarif_part(key_text: str, n: int) -> str:
    if _TABLE_KEY.fullmatch(key_text):
        return " gültig ab" if n == 0 else f" Stufe {n}"
    if _RATE_KEY.fullmatch(key_text):
        return ".from" if n == 0 else ".percent"
    return ""


def _edited(entry: _TarifRow) -> bool:
    return not all(_same(old, new) for old, new in zip(entry.expected, entry.values, strict=True))


def _apply_tarif(document: Any, rows: list[_TarifRow]) -> dict[str, str]:
    """Write the changed pay rules into [tvoed]: a rate list as a whole, a pay table as the
    file's entry for its grade and month; returns the cells of the keys written."""
    edited = [entry for entry in rows if _edited(entry)]
    if not edited:
        return {}
    if "tvoed" not in document:
        document["tvoed"] = tomlkit.table()
    tvoed = document["tvoed"]
    cells: dict[str, str] = {}
    for entry in edited:
        table = _TABLE_KEY.fullmatch(entry.key)
        if table is not None:
            _set_table(tvoed, table[1], entry)
        elif entry.key == _PERFORMANCE:
            tvoed[_PERFORMANCE.split(".")[1]] = entry.values[0]
            cells[_PERFORMANCE] = f"{spec.TARIF}!{column_letter(tarif.VALUE)}{entry.row}"
    for name in {m[1] for e in edited if (m := _RATE_KEY.fullmatch(e.key)) is not None}:
        listed = [e for e in rows if e.key.startswith(f"tvoed.{name}[")]
        array = tomlkit.array()
        for number, entry in enumerate(listed):
            array.append(tomlkit.inline_table())
            array[-1].update({"from": entry.values[0], "percent": entry.values[1]})
            for part, col in (("from", tarif.VALUE), ("percent", tarif.FIRST_STEP)):
                cells[f"tvoed.{name}[{number}].{part}"] = (
                    f"{spec.TARIF}!{column_letter(col)}{entry.row}"
                )
        tvoed[name] = array
    return cells


def _set_table(tvoed: Any, grade: str, entry: _TarifRow) -> None:
    valid_from = entry.expected[0]
    assert isinstance(valid_from, date)
    if not _same(entry.values[0], valid_from):
        raise WorkbookError(
            f"{spec.TARIF}!{column_letter(tarif.VALUE)}{entry.row} ({entry.key}): the month a pay "
            "table starts is not changed here; add a [[tvoed.pay_tables]] entry to the scenario "
            "file for the new month"
        )
    steps = [_whole(amount) for amount in entry.values[1:]]
    tables = tvoed.get("pay_tables")
    if tables is None:
        tables = tomlkit.aot()
        tvoed["pay_tables"] = tables
    for item in tables:
        written = item.get("valid_from")
        same_month = written is not None and str(written)[:7] == month_text(valid_from)
        if item.get("grade") == grade and same_month:
            _set_steps(item["steps"], steps)
            return
    added = tomlkit.table()
    added.update({"grade": grade, "valid_from": month_text(valid_from), "steps": steps})
    tables.append(added)


def _set_steps(written: Any, steps: list[object]) -> None:
    """Change only the amounts that differ, each in the form the file writes it."""
    for n, amount in enumerate(steps):
        old = written[n]
        if isinstance(amount, int | float) and not _same(float(old), amount):
            written[n] = float(amount) if isinstance(old, TomlFloat) else amount


def _whole(amount: object) -> object:
    return int(amount) if isinstance(amount, float) and amount.is_integer() else amount


def import_workbook(
    workbook: Path, scenario_file: Path | None = None, *, dry_run: bool = False, force: bool = False
) -> ImportResult:
    """Write the inputs changed in `workbook` into its scenario file (the one on the cover, or
    `scenario_file`), keeping the file's comments and layout; with `dry_run` only report them.

    Without `force`, only a workbook whose cover holds the SHA-256 of that very file is
    imported. Raises `WorkbookError` for a workbook that cannot be read back or whose cover
    does not vouch for the file, and `ScenarioErrors` naming the cells of values the rules of
    `validate` reject; the file is then untouched. The file is written through a link to the
    file it points to, keeping its permissions.
    """
    book = _Book(workbook)
    cover = _cover(book)
    path = scenario_file if scenario_file is not None else find_scenario(workbook, cover.file)
    raw = read_regular(path, MAX_TOML_BYTES)
    scenario = load_scenario(path, raw=raw)
    layout, rows = _expected(scenario)
    _check_structure(book, layout, path)
    readings, errors = _read(book, rows)
    if errors:
        raise ScenarioErrors(errors)
    for reading in readings:
        if reading.row.structure and not _same(reading.value, reading.row.value):
            raise WorkbookError(
                f"{reading.cell} ({reading.row.key}) shapes the workbook and is locked; change it "
                f"in {path} and build again"
            )
    if not force:
        _require_cover_vouches(cover, scenario, workbook, readings)
    edited = [
        r
        for r in readings
        if not r.row.structure
        and not _same(r.value, r.row.value)
        and (r.built is None or not _same(r.value, r.built))
    ]
    tarif_rows = _read_tarif(book, scenario, path)
    tarif_changed = _tarif_changes(tarif_rows)
    changes = tuple(Change(r.row.key, r.cell, r.row.value, r.value) for r in edited)
    changes += tuple(tarif_changed)
    if not changes:
        return ImportResult(path, (), written=False)
    document = tomlkit.parse(raw.decode("utf-8").removeprefix("\ufeff"))
    _apply(document, edited, scenario.offset_years)
    cells = {r.row.path: r.cell for r in edited}
    cells.update(_apply_tarif(document, tarif_rows))
    new_text = tomlkit.dumps(document)
    _validate(new_text, path, cells)
    if not dry_run:
        _write(path, new_text.encode("utf-8"))
    return ImportResult(path, changes, written=not dry_run)


def _require_cover_vouches(
    cover: _Cover, scenario: Scenario, workbook: Path, readings: list[_Reading]
) -> None:
    """The cover's SHA-256 must be there, well-formed and that of the file to be written."""
    path = scenario.path
    force = "--force imports the workbook's edits anyway"
    if not cover.sha256:
        raise WorkbookError(
            f"{workbook}: its cover holds no SHA-256 of the scenario file (the row „{SHA_LABEL}“ "
            f"is missing or blank), so nothing shows that {path} is the file it was built from; "
            f"{force}"
        )
    if _SHA256.fullmatch(cover.sha256) is None:
        raise WorkbookError(
            f"{workbook}: the SHA-256 on its cover ({_cell_text(cover.sha256)}) is no SHA-256 "
            f"(64 hexadecimal digits), so nothing shows that {path} is the file it was built "
            f"from; {force}"
        )
    if cover.sha256 != scenario.sha256:
        both = _conflicts(readings)
        sides = ", ".join(both) if both else "none"
        raise WorkbookError(
            f"{path} is not the file {workbook.name} was built from, or it changed since (its "
            f"SHA-256 is not the one on the cover); keys changed on both sides: {sides}; {force}"
        )


def _write(path: Path, data: bytes) -> None:
    """Replace the scenario file atomically: through a link, the file it points to (the link
    stays); with the permissions the file had."""
    target = real_target(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o644
    write_atomically(target, data, mode=mode)
