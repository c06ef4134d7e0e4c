"""Real spreadsheet engines as the oracle for every generated workbook.

LibreOffice (forced to recalculate on load) and Gnumeric (ssconvert --recalc) recalculate each
workbook; every formula cell's result must equal the value the file caches, and no cell may be
an error. Then the model must be live: change an input, recalculate, the figures follow.
"""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from engines import formula_cells
from helpers import ENGINES, EngineWorkbooks, Recalculated

from kim_budget.cli import main
from kim_budget.libreoffice import cached_values, compare, is_error_value

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("name", list(ENGINES))
def test_engine_agrees_with_cached_values(
    name: str, generated_workbooks: tuple[Path, ...], recalculated: Recalculated
) -> None:
    values = recalculated(name)
    problems = []
    for path in generated_workbooks:
        cells = formula_cells(path)
        assert cells, path.name
        mismatches = compare(cached_values(path), values[path], cells)
        problems += [f"{path.name}: {mismatch}" for mismatch in mismatches]
        errors = [key for key, value in values[path].items() if is_error_value(value)]
        problems += [f"{path.name}: {sheet}!{cell} is an error" for sheet, cell in errors]
    assert problems == []


def _named(values: dict[tuple[str, str], object], book: openpyxl.Workbook, name: str) -> object:
    ((sheet, cell),) = book.defined_names[name].destinations
    return values[(sheet, cell.replace("$", ""))]


@pytest.mark.parametrize("name", list(ENGINES))
def test_changed_inputs_flow_through(
    name: str, engine_workbooks: EngineWorkbooks, recalculated: Recalculated
) -> None:
    """The 1,0 VZÄ workbook at 60,000 € funding, 90,000 € cost, from July 2024, 2026 covered."""
    changed = engine_workbooks.changed
    book = openpyxl.load_workbook(changed)
    values = recalculated(name)[changed]
    # July–December 2024: 6 × 90,000/12 = 45,000 cost, 6 × 60,000/12 = 30,000 funding.
    assert _named(values, book, "Personalaufwand_2024") == pytest.approx(45_000)
    assert _named(values, book, "Foerderung_2024") == pytest.approx(30_000)
    assert _named(values, book, "Eigenanteil_2024") == pytest.approx(15_000)
    assert _named(values, book, "Haushaltsbelastung_2024") == pytest.approx(0)  # offset year
    # A full year: 90,000 − 60,000 = 30,000; 2026 is now covered as well.
    assert _named(values, book, "Eigenanteil_2025") == pytest.approx(30_000)
    assert _named(values, book, "Haushaltsbelastung_2025") == pytest.approx(30_000)
    assert _named(values, book, "Eigenanteil_2026") == pytest.approx(30_000)
    assert _named(values, book, "Haushaltsbelastung_2026") == pytest.approx(0)
    # The cover follows too: its year table refers to "Haushalt".
    cover = [v for (sheet, _), v in values.items() if sheet == "Übersicht"]
    assert 30_000 in [pytest.approx(v) for v in cover if isinstance(v, int | float)]


def test_verify_passes_every_generated_workbook(generated_workbooks: tuple[Path, ...]) -> None:
    """`kim-budget verify` over everything the suite builds; CI insists on the engine."""
    workbooks = generated_workbooks
    folders = sorted({path.parent for path in workbooks})
    assert all((folder / "Szenarienvergleich.xlsx") in workbooks for folder in folders)
    arguments = ["verify", *map(str, folders)]
    if os.environ.get("CI") == "true":
        arguments.append("--require-engine")
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"{len(workbooks)} workbooks checked: OK"


def test_verify_reports_a_broken_workbook(
    generated_workbooks: tuple[Path, ...], tmp_path: Path
) -> None:
    source = next(p for p in generated_workbooks if p.stem == "vzae-1.000-ab-2024-10")
    book = openpyxl.load_workbook(source)
    monate = book["Monate"]
    row = next(r for r in range(1, 60) if monate.cell(r, 1).value == "Personalaufwand gesamt")
    monate[f"E{row}"] = f"=E{row - 1}*1.5"  # a constant, and unlike the row's other months
    broken = tmp_path / "kaputt.xlsx"
    book.save(broken)
    result = CliRunner().invoke(main, ["verify", "--no-engine", str(broken)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith(f"{broken}: Monate!E{row}: [F1] ") for line in lines), lines
    assert any(line.startswith(f"{broken}: Monate!E{row}: [F2] ") for line in lines), lines
    # openpyxl drops every cached value when it saves: the master check cannot be read.
    assert any("[M1]" in line for line in lines)
    assert lines[-1].endswith("findings in 1 workbook.")
