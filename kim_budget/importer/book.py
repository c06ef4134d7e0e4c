"""The edited workbook as import reads it: read once within the package's bounds, its cover
(the scenario file it names and that file's SHA-256 at the build), and the input cells of
"Annahmen", each checked to sit where laying out the scenario file again puts it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from kim_budget.cached_values import cached_values
from kim_budget.errors import KimBudgetError, ScenarioError
from kim_budget.files import path_kind
from kim_budget.formula import boolean_literal, column_letter
from kim_budget.importer.values import (
    CONTROL,
    GERMAN_QUOTES,
    cell_text,
    check_text,
    convert,
    same,
    show_value,
)
from kim_budget.keys import key
from kim_budget.messages import printable, quoted
from kim_budget.package import PackageError, read_package, read_workbook
from kim_budget.scenario import Scenario
from kim_budget.workbook import annahmen, spec
from kim_budget.workbook.annahmen import InputRow
from kim_budget.workbook.grid import Sheet

FILE_LABEL = "Szenariodatei"
SHA_LABEL = "SHA-256 der Szenariodatei"
SCENARIO_FOLDER = Path("scenarios")

LONGEST_FILE_NAME = 255
"""Most bytes of a file name on common file systems."""


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
        return f"{self.key}: {show_value(self.old)} → {show_value(self.new)}"


@dataclass(frozen=True)
class Reading:
    """One input row of the workbook: its layout entry, cell, value and built value."""

    row: InputRow
    cell: str
    value: object
    built: object | None


@dataclass(frozen=True)
class Cover:
    file: str
    sha256: str


class Book:
    """The workbook as typed (formulas) and its formulas' cached values, from one load within
    the bounds of `package.read_package` (a file that breaks them is refused, saying how)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            package = read_package(path)
        except PackageError as error:
            raise WorkbookError(str(error)) from None
        try:
            reader = read_workbook(package, data_only=False)
            self.typed = reader.wb
            self.cached = cached_values(reader, package)
        except PackageError as error:
            raise WorkbookError(str(error)) from None
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
        return self.cached[sheet].get((row, col))


# --- the cover --------------------------------------------------------------------------------


def read_cover(book: Book) -> Cover:
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
    return Cover(found[FILE_LABEL], found.get(SHA_LABEL, ""))


def find_scenario(workbook: Path, name: str) -> Path:
    """The scenario file the cover names: beside the workbook, else in scenarios/ (of the current
    folder or beside the workbook's folder), else in the current folder (where `init` writes
    it and `build FILE` leaves the workbook in out/). The name must be a plain, visible file
    name."""
    plain = (
        Path(name).name == name
        and name.endswith(".toml")
        and not name.startswith(".")
        and len(name.encode("utf-8", "replace")) <= LONGEST_FILE_NAME
        and CONTROL.search(name) is None
    )
    if not plain:
        raise WorkbookError(
            f"{workbook}: the cover names {quoted(name, quotes=GERMAN_QUOTES)}, which is no "
            "scenario file name; name the file with --scenario FILE"
        )
    places = (
        workbook.parent / name,
        SCENARIO_FOLDER / name,
        workbook.parent.parent / SCENARIO_FOLDER / name,
        Path(name),
    )
    for place in places:
        if path_kind(place) == "file":
            return place
    looked = ", ".join(str(place) for place in dict.fromkeys(places))
    raise WorkbookError(
        f"{workbook}: its scenario file {name} is not at {looked}; name it with --scenario FILE"
    )


# --- reading the inputs -------------------------------------------------------------------------


def expected_rows(scenario: Scenario, book: Book) -> tuple[Sheet, tuple[InputRow, ...]]:
    """The Annahmen the scenario file makes, as built for this workbook: with the variants'
    parameters when it has "Sensitivität" (a build without it has no such rows)."""
    sheet = Sheet(spec.ANNAHMEN)
    sensitivity = spec.SENSITIVITAET in book.typed.sheetnames
    inputs = annahmen.lay_out(sheet, scenario, sensitivity)
    return sheet, inputs.rows


def check_structure(book: Book, expected: Sheet, scenario: Path) -> None:
    """Every row of column D (the scenario keys) must be where the scenario file puts it."""
    book.sheet(spec.ANNAHMEN)
    keys = {row: cell.content for (row, col), cell in expected.cells.items() if col == annahmen.KEY}
    check_column(book, spec.ANNAHMEN, annahmen.KEY, keys, annahmen.FIRST_ROW, scenario)


def check_column(
    book: Book, name: str, col: int, keys: Mapping[int, object], first: int, scenario: Path
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
        shows = "is empty" if found in (None, "") else f"shows {cell_text(found)}"
        expects = f"„{wanted}“" if wanted is not None else "nothing"
        raise WorkbookError(
            f"{book.path}: {where} {shows}, but {scenario} puts {expects} there: the workbook no "
            "longer matches its scenario file (a row inserted, deleted or moved, or positions or "
            "increases changed in the file); build the workbook again and repeat the edit there"
        )


def _built_column(book: Book) -> bool:
    header = book.value(spec.ANNAHMEN, 4, annahmen.BUILT)
    return isinstance(header, str) and header.strip() == spec.BUILT_HEADER


def read_inputs(
    book: Book, rows: tuple[InputRow, ...]
) -> tuple[list[Reading], list[ScenarioError]]:
    readings: list[Reading] = []
    errors: list[ScenarioError] = []
    built_column = _built_column(book)
    for entry in rows:
        ref = entry.ref
        cell = f"{spec.ANNAHMEN}!{column_letter(ref.col)}{ref.row}"
        measure = key(entry.path).measure
        try:
            value = convert(book.value(spec.ANNAHMEN, ref.row, ref.col), measure)
            check_text(value, key(entry.path))
        except ValueError as problem:
            errors.append(ScenarioError(f"{cell} ({entry.key})", "", str(problem)))
            continue
        built = None
        if built_column and not entry.structure:
            try:
                built = convert(book.value(spec.ANNAHMEN, ref.row, annahmen.BUILT), measure)
            except ValueError:
                built = None
        readings.append(Reading(entry, cell, value, built))
    return readings, errors


def conflicts(readings: list[Reading]) -> list[str]:
    """Keys changed both in the workbook and in the file since the build."""
    return [
        r.row.key
        for r in readings
        if r.built is not None and not same(r.value, r.built) and not same(r.row.value, r.built)
    ]
