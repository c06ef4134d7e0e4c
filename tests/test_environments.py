"""The build with both of openpyxl's writers: lxml and its pure-Python writer.

openpyxl serialises differently with lxml installed (an empty formula result is <v></v>
instead of <v/>, namespaces are declared where they are used), and pandas users nearly always
have lxml. The suite itself runs with lxml; here the shipped scenarios are also built in a
subprocess with each writer, and every check runs on both builds: the build succeeds, every
formula cell carries a cached value, LibreOffice and Gnumeric reproduce every cached value.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl.xml
import pytest
from click.testing import CliRunner
from engines import formula_cells
from helpers import ENGINES, SHIPPED, engine

import kim_budget
from kim_budget.cli import main
from kim_budget.libreoffice import cached_values, compare, is_error_value

# openpyxl.xml reads OPENPYXL_LXML once, on import: "True" (its default) uses lxml when it is
# installed, anything else the pure-Python writer.
WRITERS = {"lxml": "True", "pure-Python": "False"}
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
FLAT = (
    "vzae-1.000-ab-2024-10",
    "vzae-1.000-ab-2025-01",
    "vzae-1.173-ab-2024-10",
    "vzae-1.173-ab-2025-01",
)
STEMS = (
    *FLAT,
    *(f"{stem}-tvoed" for stem in FLAT),  # the same options priced from the TVöD tables
)
WORKBOOKS = sorted([f"{stem}.xlsx" for stem in STEMS] + ["Szenarienvergleich.xlsx"])
BUILD = (
    "import sys, openpyxl.xml\n"
    "print('openpyxl.xml.LXML =', openpyxl.xml.LXML, file=sys.stderr)\n"
    "from kim_budget.cli import main\n"
    "main(sys.argv[1:], prog_name='kim-budget')\n"
)


def build_with(writer: str, out: Path) -> subprocess.CompletedProcess[str]:
    """`kim-budget build scenarios/ -o out` in a fresh interpreter using `writer`."""
    source = str(Path(kim_budget.__file__).parents[1])  # this checkout, as in the test process
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH", "")) if p)
    environment = {**os.environ, "OPENPYXL_LXML": WRITERS[writer], "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-c", BUILD, "build", str(SHIPPED), "-o", str(out)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped scenarios built once per writer; each build must succeed."""
    folders = {}
    for writer in WRITERS:
        out = tmp_path_factory.mktemp(writer)
        done = build_with(writer, out)
        assert done.returncode == 0, done.stderr
        assert done.stderr == f"openpyxl.xml.LXML = {writer == 'lxml'}\n"
        folders[writer] = out
    return folders


def test_the_suite_runs_with_lxml() -> None:
    """With lxml installed (test extras) openpyxl really writes with it in this process."""
    import lxml.etree

    assert lxml.etree.LXML_VERSION >= (3, 3, 1, 0)
    assert openpyxl.xml.LXML is True


@pytest.mark.parametrize("writer", list(WRITERS))
def test_build_succeeds(builds: dict[str, Path], writer: str) -> None:
    written = sorted(path.name for path in builds[writer].glob("*.xlsx"))
    assert written == sorted(WORKBOOKS)
    result = CliRunner().invoke(main, ["verify", "--no-engine", str(builds[writer])])
    assert result.exit_code == 0, result.output
    assert result.output == f"{len(WORKBOOKS)} workbooks checked: OK\n"


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("name", WORKBOOKS)
def test_every_formula_cell_has_a_cached_value(
    builds: dict[str, Path], writer: str, name: str
) -> None:
    formulas = 0
    missing = []
    with zipfile.ZipFile(builds[writer] / name) as archive:
        for part in archive.namelist():
            if not part.startswith("xl/worksheets/sheet"):
                continue
            for cell in ElementTree.fromstring(archive.read(part)).iter(f"{MAIN}c"):
                if cell.find(f"{MAIN}f") is None:
                    continue
                formulas += 1
                if not (cell.findtext(f"{MAIN}v") or "").strip():
                    missing.append(f"{part}:{cell.get('r')}")
    assert missing == []
    assert formulas > 100


@pytest.mark.parametrize("name", WORKBOOKS)
def test_both_writers_give_the_same_workbook(builds: dict[str, Path], name: str) -> None:
    """Same formulas, same cached values; only the XML's spelling may differ."""
    lxml_book, pure_book = (builds[writer] / name for writer in WRITERS)
    assert formula_cells(lxml_book) == formula_cells(pure_book)
    assert cached_values(lxml_book) == cached_values(pure_book)


@pytest.mark.parametrize("name", WORKBOOKS)
def test_both_writers_give_the_same_worksheets_byte_for_byte(
    builds: dict[str, Path], name: str
) -> None:
    """The cells are kim-budget's own XML and the rest of each worksheet is brought into one
    written form, so the worksheets are the same whichever writer openpyxl used (the other
    parts keep the namespace order of the writer that wrote them)."""
    sheets = {}
    for writer in WRITERS:
        with zipfile.ZipFile(builds[writer] / name) as archive:
            sheets[writer] = {
                part: archive.read(part)
                for part in archive.namelist()
                if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", part)
            }
    lxml_sheets, pure_sheets = (sheets[writer] for writer in WRITERS)
    assert len(lxml_sheets) >= 5
    assert lxml_sheets == pure_sheets


def test_the_pure_python_build_is_reproducible(builds: dict[str, Path], tmp_path: Path) -> None:
    done = build_with("pure-Python", tmp_path)
    assert done.returncode == 0, done.stderr
    for name in WORKBOOKS:
        assert (tmp_path / name).read_bytes() == (builds["pure-Python"] / name).read_bytes()


@pytest.mark.engine
@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("name", list(ENGINES))
def test_engine_confirms_every_cached_value(
    builds: dict[str, Path], writer: str, name: str
) -> None:
    workbooks = [builds[writer] / workbook for workbook in WORKBOOKS]
    recalculated = engine(name)(workbooks)
    problems = []
    for path in workbooks:
        cells = formula_cells(path)
        assert len(cells) > 100, path.name
        mismatches = compare(cached_values(path), recalculated[path], cells)
        problems += [f"{path.name}: {mismatch}" for mismatch in mismatches]
        errors = [key for key, value in recalculated[path].items() if is_error_value(value)]
        problems += [f"{path.name}: {sheet}!{cell} is an error" for sheet, cell in errors]
    assert problems == []
