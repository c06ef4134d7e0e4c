"""Helpers shared by the test modules: spreadsheet engines, generated workbooks."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import formualizer
import openpyxl
import pytest
from engines import gnumeric_available, recalculate_gnumeric
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kim_budget.libreoffice import (
    CellValue,
    Values,
    libreoffice_available,
    recalculate_libreoffice,
)

ROOT = Path(__file__).parent.parent
SHIPPED = ROOT / "scenarios"
VALID_CASES = Path(__file__).parent / "cases" / "valid"


def scenario_files() -> list[Path]:
    """Every shipped scenario (the options and the variants in scenarios/weitere) and every
    valid test case."""
    shipped = sorted(SHIPPED.glob("*.toml")) + sorted(SHIPPED.glob("weitere/*.toml"))
    return shipped + sorted(VALID_CASES.glob("*.toml"))


def require_engine(name: str, available: bool) -> None:
    """Skip the test when the engine is missing; fail it instead when CI is "true"."""
    if available:
        return
    reason = f"{name} is not installed (needed by @pytest.mark.engine tests)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires every engine", pytrace=False)
    pytest.skip(reason)


Recalculate = Callable[[Sequence[Path]], dict[Path, Values]]

ENGINES: dict[str, tuple[Callable[[], bool], Recalculate]] = {
    "LibreOffice": (libreoffice_available, recalculate_libreoffice),
    "Gnumeric": (gnumeric_available, recalculate_gnumeric),
}


@dataclass(frozen=True)
class EngineWorkbooks:
    """The workbooks every engine recalculates once."""

    generated: tuple[Path, ...]  # what `build` writes for scenario_files(), in one folder
    coverage: Path  # COVERAGE: every function the budget workbooks may use
    errors: Path  # error cells of several kinds
    changed: Path  # changed_inputs_workbook of the 1,0 VZÄ workbook

    def all(self) -> list[Path]:
        """Every workbook, in a fixed order."""
        return [*self.generated, self.coverage, self.errors, self.changed]


# The `recalculated` fixture (conftest.py): an engine's name → its values of every workbook.
Recalculated = Callable[[str], dict[Path, Values]]


def engine(name: str) -> Recalculate:
    """The engine's recalculate function, after skipping (or failing on CI) when it is missing."""
    available, recalculate = ENGINES[name]
    require_engine(name, available())
    return recalculate


# --- formualizer: a third, in-process engine ------------------------------------------------

# formualizer reports an error cell as {"type": "Error", "kind": ...}; these are Excel's names.
_FORMUALIZER_ERRORS = {
    "Div": "#DIV/0!",
    "Value": "#VALUE!",
    "Name": "#NAME?",
    "Ref": "#REF!",
    "Na": "#N/A",
    "Num": "#NUM!",
    "Null": "#NULL!",
}


def _from_formualizer(value: object) -> CellValue:
    """A value formualizer computed, read as kim_budget.libreoffice reads cells (dates as
    datetimes)."""
    if isinstance(value, dict) and value.get("type") == "Error":
        kind = str(value.get("kind"))
        return _FORMUALIZER_ERRORS.get(kind, f"#{kind.upper()}!")
    if isinstance(value, datetime):
        return value
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return datetime(value.year, value.month, value.day)  # a date
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise AssertionError(f"formualizer returned {value!r}, which no cell can hold")


def formualizer_values(path: Path, cells: Sequence[tuple[str, str]]) -> Values:
    """formualizer's values of the given cells after it evaluated the whole workbook.

    formualizer ignores the values the file caches: `evaluate_all` computes every formula.
    """
    book = formualizer.Workbook.from_path(str(path))
    book.evaluate_all()
    values: Values = {}
    for sheet, coordinate in cells:
        row, col = _position(coordinate)
        values[(sheet, coordinate)] = _from_formualizer(book.get_value(sheet, row, col))
    return values


def _position(coordinate: str) -> tuple[int, int]:
    letters = coordinate.rstrip("0123456789")
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return int(coordinate[len(letters) :]), col


# --- small workbooks that exercise the engines ----------------------------------------------


def first_sheet(workbook: Workbook, title: str) -> Worksheet:
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = title
    return sheet


# Berechnung!<cell>: (formula, number format or None, expected value). Annahmen holds
# A2:A5 = 10, 20, 30, 40; D2:D5 = x, y, x, z; E2:E5 = 1 Feb, 1 Apr, 1 Jun, 1 Aug 2025;
# B1 = 31 Jan 2025; C10 = 1500 (defined name Foerderpauschale). Übersicht!A1 = 7.
DATE_FORMAT = "dd.mm.yyyy"
COVERAGE: dict[str, tuple[str, str | None, CellValue]] = {
    "A1": ("=SUM(Annahmen!A2:A5)", None, 100),
    "A2": ('=SUMIF(Annahmen!D2:D5,"x",Annahmen!A2:A5)', None, 40),
    "A3": ("=SUMPRODUCT(Annahmen!A2:A5,Annahmen!A2:A5)", None, 3000),
    "A4": ("=MIN(Annahmen!A2:A5)", None, 10),
    "A5": ("=MAX(Annahmen!A2:A5)", None, 40),
    "A6": ('=IF(Annahmen!A2>5,"gross","klein")', None, "gross"),
    "A7": ("=AND(Annahmen!A2>5,Annahmen!A3>25)", None, False),
    "A8": ("=OR(Annahmen!A2>5,Annahmen!A3>25)", None, True),
    "A9": ("=INDEX(Annahmen!A2:A5,3)", None, 30),
    "A10": ('=MATCH("z",Annahmen!D2:D5,0)', None, 4),
    "A11": ("=DATE(2025,2,29)", DATE_FORMAT, datetime(2025, 3, 1)),
    "A12": ("=YEAR(Annahmen!B1)", None, 2025),
    "A13": ("=MONTH(Annahmen!B1)", None, 1),
    "A14": ("=EDATE(Annahmen!B1,1)", DATE_FORMAT, datetime(2025, 2, 28)),
    "A15": ("=EDATE(Annahmen!B1,13)", None, datetime(2026, 2, 28)),  # General: a number
    "A16": ("=Annahmen!E2<EDATE(Annahmen!B1,1)", None, True),
    "A17": ("=Annahmen!E3<EDATE(Annahmen!B1,1)", None, False),
    "A18": ("=TRUE*5", None, 5),
    "A19": ("=(Annahmen!A2>5)*Foerderpauschale", None, 1500),
    "A20": ("='Übersicht'!A1*2", None, 14),
    "A21": ("=Foerderpauschale*12", None, 18000),
    "A22": ("=SUM(Werte)", None, 100),
    "A23": ("=SUMPRODUCT((Annahmen!E2:E5<EDATE(Annahmen!B1,3))*Annahmen!A2:A5)", None, 30),
    "A24": ('=INDEX(Annahmen!A2:A5,MATCH("y",Annahmen!D2:D5,0))', None, 20),
    "A25": ("=MAX(Annahmen!E2:E5)", DATE_FORMAT, datetime(2025, 8, 1)),
    "A26": ("=MIN(Annahmen!E2:E5,DATE(2024,12,31))", DATE_FORMAT, datetime(2024, 12, 31)),
    "A27": ("=ROUND(Foerderpauschale/7,2)", None, 214.29),
    "A28": ("=EOMONTH(Annahmen!B1,1)", DATE_FORMAT, datetime(2025, 2, 28)),
    "A29": ('=SUMIFS(Annahmen!A2:A5,Annahmen!D2:D5,"x",Annahmen!A2:A5,">15")', None, 30),
    "A30": ("=IFERROR(1/0,-1)", None, -1),
    "A31": ('=COUNTIF(Annahmen!D2:D5,"x")', None, 2),
    "A32": ('=DATEDIF(Annahmen!B1,DATE(2025,12,31),"m")', None, 11),
    "A33": ("=Annahmen!B1+1", DATE_FORMAT, datetime(2025, 2, 1)),
    "A34": ('=SUMIF(Annahmen!E2:E5,"<"&DATE(2025,5,1),Annahmen!A2:A5)', None, 30),
    "A35": ("=Annahmen!B1=DATE(2025,1,31)", None, True),
    "A36": ("=_xlfn.DAYS(DATE(2025,3,1),DATE(2025,1,1))", None, 59),
    "A37": ('=SUMPRODUCT(--(Annahmen!D2:D5="x"),Annahmen!A2:A5)', None, 40),
    "A38": ("=IF(AND(Annahmen!B1>=DATE(2025,1,1),TRUE),Foerderpauschale,0)", None, 1500),
}


def coverage_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    overview = first_sheet(workbook, "Übersicht")
    assumptions = workbook.create_sheet("Annahmen")
    calculation = workbook.create_sheet("Berechnung")
    overview["A1"] = 7
    overview["A2"] = "=Berechnung!A21+Annahmen!A2"  # a sheet that refers back
    assumptions["B1"] = datetime(2025, 1, 31)
    assumptions["B1"].number_format = DATE_FORMAT
    assumptions["C10"] = 1500
    for row, (amount, key, month) in enumerate(
        [(10, "x", 2), (20, "y", 4), (30, "x", 6), (40, "z", 8)], start=2
    ):
        assumptions[f"A{row}"] = amount
        assumptions[f"D{row}"] = key
        assumptions[f"E{row}"] = datetime(2025, month, 1)
        assumptions[f"E{row}"].number_format = DATE_FORMAT
    workbook.defined_names["Foerderpauschale"] = DefinedName(
        "Foerderpauschale", attr_text="Annahmen!$C$10"
    )
    workbook.defined_names["Werte"] = DefinedName("Werte", attr_text="Annahmen!$A$2:$A$5")
    for cell, (formula, number_format, _) in COVERAGE.items():
        calculation[cell] = formula
        if number_format:
            calculation[cell].number_format = number_format
    workbook.save(path)
    return path


def coverage_expected() -> Values:
    expected: Values = {("Berechnung", cell): value for cell, (_, _, value) in COVERAGE.items()}
    expected[("Übersicht", "A2")] = 18010
    return expected


def errors_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = first_sheet(workbook, "Fehler")
    sheet["A1"] = "=1/0"
    sheet["A2"] = "=NICHTDA(1)"
    sheet["A3"] = "=NA()"
    sheet["A4"] = '="x"+1'
    sheet["A5"] = "=UnbekannterName*2"
    sheet["A6"] = '=MATCH("q",B1:B2,0)'
    sheet["A7"] = "=A1+1"
    workbook.save(path)
    return path


def changed_inputs_workbook(source: Path, target: Path) -> Path:
    """The 1,0 VZÄ workbook with four inputs changed on "Annahmen" (openpyxl drops its cache).

    60,000 € funding and 90,000 € cost per VZÄ and year, the post from July 2024, and 2026
    covered as well.
    """
    book = openpyxl.load_workbook(source)
    annahmen = book["Annahmen"]
    ((_, rate),) = book.defined_names["Foerderpauschale"].destinations
    annahmen[rate.replace("$", "")] = 60_000
    ((_, cost),) = book.defined_names["Jahreskosten_VZAE"].destinations
    annahmen[cost.replace("$", "")] = 90_000
    annahmen[input_cell(book, "positions[0] (Stelle 1).start")] = datetime(2024, 7, 1)
    annahmen[input_cell(book, "offset.years (2026)")] = True
    book.save(target)
    return target


def input_cell(book: Workbook, key: str, label_part: str = "") -> str:
    """The value cell on "Annahmen" of a scenario key (column D names the key)."""
    sheet = book["Annahmen"]
    for row in range(1, sheet.max_row + 1):
        label = str(sheet.cell(row, 1).value or "")
        if sheet.cell(row, 4).value == key and label_part in label:
            return f"B{row}"
    raise AssertionError(f"no input row for {key} {label_part}")
