"""Tests of the engines: LibreOffice (kim_budget.libreoffice), Gnumeric (tests/engines.py),
compare()."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.etree.ElementTree import SubElement

import openpyxl
import pytest
from engines import formula_cells, recalculate_gnumeric
from helpers import (
    COVERAGE,
    ENGINES,
    EngineWorkbooks,
    Recalculated,
    coverage_expected,
    coverage_workbook,
    engine,
    first_sheet,
)

from kim_budget.finish import MAIN, parse_part, serialise_part
from kim_budget.libreoffice import (
    CellValue,
    EngineError,
    Mismatch,
    Reason,
    Values,
    cached_values,
    compare,
    is_error_value,
    recalculate_libreoffice,
)

both_engines = pytest.mark.parametrize("name", list(ENGINES))


# --- workbooks -----------------------------------------------------------------------------------


def simple_workbook(path: Path) -> Path:
    """A1 = 2, A2 = A1*3; openpyxl writes A2 without a cached value."""
    workbook = openpyxl.Workbook()
    sheet = first_sheet(workbook, "Übersicht")
    sheet["A1"] = 2
    sheet["A2"] = "=A1*3"
    workbook.save(path)
    return path


def inject_cached_value(path: Path, cached: str = "999") -> Path:
    """Give A2 of the simple workbook a wrong cached value and drop fullCalcOnLoad.

    Rewrites the zip, so the only way an engine gets 6 is by recalculating.
    """
    parts: dict[zipfile.ZipInfo, bytes] = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            parts[info] = archive.read(info)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                part = parse_part(info.filename, data)
                [cell] = [c for c in part.root.iter(f"{MAIN}c") if c.get("r") == "A2"]
                assert cell.findtext(f"{MAIN}f") == "A1*3"
                assert not cell.findtext(f"{MAIN}v")  # openpyxl: <v/>, <v></v> or none
                for value in cell.findall(f"{MAIN}v"):
                    cell.remove(value)
                SubElement(cell, f"{MAIN}v").text = cached
                data = serialise_part(part)
            elif info.filename == "xl/workbook.xml":
                part = parse_part(info.filename, data)
                [calculation] = part.root.iter(f"{MAIN}calcPr")
                assert calculation.attrib.pop("fullCalcOnLoad") == "1"
                data = serialise_part(part)
            archive.writestr(info, data)
    return path


def stale_workbook(path: Path) -> Path:
    path = inject_cached_value(simple_workbook(path))
    assert cached_values(path) == {("Übersicht", "A1"): 2, ("Übersicht", "A2"): 999}
    return path


# --- forced recalculation ------------------------------------------------------------------------


@pytest.mark.engine
@both_engines
def test_wrong_cached_value_is_recalculated(name: str, tmp_path: Path) -> None:
    recalculate = engine(name)
    # Two inputs with the same file name: their outputs must not overwrite each other.
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = stale_workbook(tmp_path / "one" / "budget.xlsx")
    second = simple_workbook(tmp_path / "two" / "budget.xlsx")
    inject_cached_value(second, cached="-1")

    values = recalculate([first, second])

    assert set(values) == {first, second}
    for path in (first, second):
        assert values[path][("Übersicht", "A2")] == 6
        assert values[path][("Übersicht", "A1")] == 2
    mismatches = compare(cached_values(first), values[first], [("Übersicht", "A2")])
    assert mismatches == [Mismatch("Übersicht", "A2", 999, 6, Reason.DIFFERS)]


@pytest.mark.engine
def test_libreoffice_without_recalc_settings_keeps_injected_value(tmp_path: Path) -> None:
    """Control: the injected value survives a default profile, so the proof above means it."""
    engine("LibreOffice")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None
    stale = stale_workbook(tmp_path / "stale.xlsx")
    out = tmp_path / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(stale),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert cached_values(out / "stale.xlsx")[("Übersicht", "A2")] == 999


@pytest.mark.engine
def test_gnumeric_without_recalc_keeps_injected_value(tmp_path: Path) -> None:
    """Control: without --recalc ssconvert keeps the cached value."""
    engine("Gnumeric")
    ssconvert = shutil.which("ssconvert")
    assert ssconvert is not None
    stale = stale_workbook(tmp_path / "stale.xlsx")
    out = tmp_path / "out.xlsx"
    subprocess.run(
        [ssconvert, str(stale), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert cached_values(out)[("Übersicht", "A2")] == 999


# --- function coverage and errors ----------------------------------------------------------------


@pytest.mark.engine
@both_engines
def test_functions_used_by_budget_workbooks(
    name: str, engine_workbooks: EngineWorkbooks, recalculated: Recalculated
) -> None:
    path = engine_workbooks.coverage
    expected = coverage_expected()

    values = recalculated(name)[path]

    assert compare(expected, values, expected) == [], {cell: values.get(cell) for cell in expected}
    # Values the engine gives back keep their types where the cell format allows it.
    assert values[("Berechnung", "A6")] == "gross"
    assert values[("Berechnung", "A8")] is True
    assert values[("Berechnung", "A14")] == datetime(2025, 2, 28)
    # Sheet names survive.
    assert {sheet for sheet, _ in values} == {"Übersicht", "Annahmen", "Berechnung"}


@pytest.mark.engine
@both_engines
def test_errors_come_back_as_error_values(
    name: str, engine_workbooks: EngineWorkbooks, recalculated: Recalculated
) -> None:
    path = engine_workbooks.errors

    values = recalculated(name)[path]

    cells = [("Fehler", f"A{row}") for row in range(1, 8)]
    assert all(is_error_value(values.get(cell)) for cell in cells), values
    assert values[("Fehler", "A1")] == "#DIV/0!"
    assert values[("Fehler", "A2")] == "#NAME?"
    assert values[("Fehler", "A3")] == "#N/A"
    assert values[("Fehler", "A5")] == "#NAME?"
    mismatches = compare(cached_values(path), values, cells)
    assert [m.reason for m in mismatches] == [Reason.ERROR] * len(cells)


# --- failures ------------------------------------------------------------------------------------


@pytest.mark.engine
@both_engines
def test_damaged_file_raises(name: str, tmp_path: Path) -> None:
    recalculate = engine(name)
    good = simple_workbook(tmp_path / "good.xlsx")
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_text("this is not a workbook", encoding="utf-8")

    with pytest.raises(EngineError, match=r"damaged\.xlsx"):
        recalculate([good, damaged])


@pytest.mark.engine
@both_engines
def test_missing_file_raises(name: str, tmp_path: Path) -> None:
    recalculate = engine(name)
    with pytest.raises(EngineError, match=r"nowhere\.xlsx"):
        recalculate([tmp_path / "nowhere.xlsx"])


@pytest.mark.engine
def test_libreoffice_timeout_raises(tmp_path: Path) -> None:
    engine("LibreOffice")
    path = simple_workbook(tmp_path / "book.xlsx")
    with pytest.raises(EngineError, match="did not finish"):
        recalculate_libreoffice([path], timeout=0.01)


def test_no_files_no_engine_run() -> None:
    assert recalculate_libreoffice([]) == {}
    assert recalculate_gnumeric([]) == {}


# --- reading workbooks ---------------------------------------------------------------------------


def test_formula_cells_and_cached_values(tmp_path: Path) -> None:
    path = stale_workbook(tmp_path / "stale.xlsx")
    assert formula_cells(path) == {("Übersicht", "A2"): "=A1*3"}
    coverage = coverage_workbook(tmp_path / "coverage.xlsx")
    formulas = formula_cells(coverage)
    assert formulas[("Berechnung", "A20")] == "='Übersicht'!A1*2"
    assert len(formulas) == len(COVERAGE) + 1
    values = cached_values(coverage)
    assert values[("Annahmen", "B1")] == datetime(2025, 1, 31)
    assert ("Berechnung", "A1") not in values  # openpyxl writes no cached values


def test_cached_times_and_durations_become_serial_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = first_sheet(workbook, "Zeiten")
    sheet["A1"] = time(6, 0)
    sheet["A2"] = timedelta(hours=36)
    sheet["A3"] = date(2025, 1, 31)
    workbook.save(tmp_path / "times.xlsx")
    values = cached_values(tmp_path / "times.xlsx")
    assert values[("Zeiten", "A1")] == 0.25
    assert values[("Zeiten", "A2")] == 1.5
    assert values[("Zeiten", "A3")] == datetime(2025, 1, 31)


# --- compare -------------------------------------------------------------------------------------

S = "Blatt"


def check(cached: CellValue, recalculated: CellValue, tolerance: float = 0.005) -> Reason | None:
    mismatches = compare({(S, "A1"): cached}, {(S, "A1"): recalculated}, [(S, "A1")], tolerance)
    assert len(mismatches) <= 1
    return mismatches[0].reason if mismatches else None


@pytest.mark.parametrize(
    ("cached", "recalculated"),
    [
        (1.0, 1),
        (100.0, 100.004),
        (100.004, 100.0),
        (-3.333, -3.3333333),
        (1152921504606846976, 1.15292150460685e18),  # LibreOffice's 15 significant digits
        ("Personal", "Personal"),
        (None, ""),
        ("", None),
        (None, None),
        (True, True),
        (True, 1),
        (0, False),
        (datetime(2025, 2, 28), datetime(2025, 2, 28)),
        (datetime(2025, 2, 28), 45716),
        (45716.0, datetime(2025, 2, 28)),
        (datetime(2025, 3, 1), 45717),
        (datetime(2025, 2, 28, 12), 45716.5),
        (datetime(1900, 2, 28), 59),  # Excel's phantom 29 Feb 1900 is serial 60
        (datetime(1900, 3, 1), 61),
    ],
)
def test_compare_equal(cached: CellValue, recalculated: CellValue) -> None:
    assert check(cached, recalculated) is None


@pytest.mark.parametrize(
    ("cached", "recalculated"),
    [
        (100.0, 100.006),
        (100, 101),
        (0.1, -0.1),
        ("Personal", "personal"),
        ("Personal", "Personal "),
        ("1", 1),
        (True, False),
        (True, 0),
        (False, "FALSE"),
        (datetime(2025, 2, 28), datetime(2025, 3, 1)),
        (datetime(2025, 2, 28), 45717),
        (None, 0),
        ("", 0),
        (None, "x"),
    ],
)
def test_compare_differs(cached: CellValue, recalculated: CellValue) -> None:
    assert check(cached, recalculated) is Reason.DIFFERS


def test_compare_tolerance_is_configurable() -> None:
    assert check(100.0, 100.4, tolerance=0.5) is None
    assert check(100.0, 100.004, tolerance=0.001) is Reason.DIFFERS
    assert check(100.0, 100.0, tolerance=0) is None


@pytest.mark.parametrize("error", ["#DIV/0!", "#NAME?", "#VALUE!", "Err:502"])
@pytest.mark.parametrize("cached", [1, None, "#DIV/0!", "#NAME?"])
def test_compare_recalculated_error(cached: CellValue, error: str) -> None:
    assert check(cached, error) is Reason.ERROR


@pytest.mark.parametrize("cached", [0, 1.5, "x", True, datetime(2025, 1, 1)])
@pytest.mark.parametrize("recalculated", [None, ""])
def test_compare_missing(cached: CellValue, recalculated: CellValue) -> None:
    assert check(cached, recalculated) is Reason.MISSING


def test_compare_absent_cells_and_order() -> None:
    cached: Values = {(S, "A1"): 1, (S, "A2"): 2, (S, "A3"): None, ("Andere", "A1"): 5}
    recalculated: Values = {(S, "A1"): 1, (S, "A2"): 3}
    cells = [("Andere", "A1"), (S, "A3"), (S, "A2"), (S, "A1"), (S, "Z9")]
    assert compare(cached, recalculated, cells) == [
        Mismatch("Andere", "A1", 5, None, Reason.MISSING),
        Mismatch(S, "A2", 2, 3, Reason.DIFFERS),
    ]


def test_compare_accepts_any_iterable_of_cells() -> None:
    cached: Values = {(S, "A1"): 1}
    assert compare(cached, {}, iter(cached)) == [Mismatch(S, "A1", 1, None, Reason.MISSING)]
    assert compare(cached, {}, cached.keys()) == compare(cached, {}, [(S, "A1")])


def test_mismatch_str() -> None:
    assert str(Mismatch(S, "B2", 1, 2, Reason.DIFFERS)) == "Blatt!B2: cached 1, engine computed 2"
    assert "#NAME?" in str(Mismatch(S, "B2", 1, "#NAME?", Reason.ERROR))
    assert "computed nothing" in str(Mismatch(S, "B2", 1, None, Reason.MISSING))


# --- is_error_value ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "#NAME?",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#N/A",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "Err:502",
        "Err:522",
        "#ERR502!",
    ],
)
def test_is_error_value(value: str) -> None:
    assert is_error_value(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        0,
        1.5,
        True,
        datetime(2025, 1, 1),
        "NAME?",
        "#name?",
        "#N/A ",
        "Personal #1",
        "Err:",
        "Fehler: 502",
        "#",
    ],
)
def test_is_not_error_value(value: CellValue) -> None:
    assert not is_error_value(value)
