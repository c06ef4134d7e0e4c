"""Golden dumps: every cell of two shipped workbooks as text, reviewed as diffs.

A change to the layout, a formula, a number format or a cached value shows up here as a
readable diff. After reviewing it, update the dumps with:

    KIM_BUDGET_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py

That run never passes: a dump that changed fails with "updated, review the diff", one that
did not is skipped. Only a later run without the variable compares.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import openpyxl
import pytest
from helpers import SHIPPED

from kim_budget.loader import load_scenario
from kim_budget.pipeline import workbook_bytes

GOLDEN = Path(__file__).parent / "golden"
STEMS = ("vzae-1.000-ab-2024-10", "vzae-1.173-ab-2025-01")


def dump(path: Path) -> str:
    """One line per non-empty cell: sheet!cell | formula or value | cached value | format."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    lines = [f"names: {', '.join(sorted(formulas.defined_names))}"]
    for sheet in formulas.worksheets:
        lines.append(f"== {sheet.title}")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                cached = values[sheet.title][cell.coordinate].value
                shown = repr(round(cached, 6)) if isinstance(cached, float) else repr(cached)
                content = repr(cell.value) if cell.data_type != "f" else cell.value
                lines.append(f"{cell.coordinate} | {content} | {shown} | {cell.number_format}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("stem", STEMS)
def test_workbook_matches_golden_dump(stem: str, tmp_path: Path) -> None:
    path = tmp_path / f"{stem}.xlsx"
    path.write_bytes(workbook_bytes(load_scenario(SHIPPED / f"{stem}.toml")))
    actual = dump(path)
    golden = GOLDEN / f"{stem}.txt"
    if os.environ.get("KIM_BUDGET_UPDATE_GOLDEN") == "1":
        # Writing the dump and then comparing with it would pass whatever was built.
        changed = not golden.exists() or golden.read_text(encoding="utf-8") != actual
        golden.write_text(actual, encoding="utf-8")
        if changed:
            pytest.fail(f"{golden.name} updated, review the diff", pytrace=False)
        pytest.skip(f"{golden.name} unchanged; run without KIM_BUDGET_UPDATE_GOLDEN to compare")
    expected = golden.read_text(encoding="utf-8")
    diff = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), "golden", "built", lineterm="", n=1
    )
    assert actual == expected, "\n".join(list(diff)[:60])
