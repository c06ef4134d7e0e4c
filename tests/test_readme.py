"""The README states what the code does: its tables and lists are checked against the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kim_budget.keys import KEYS
from kim_budget.loader import load_scenario
from kim_budget.model import compute
from kim_budget.workbook import spec

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(start: str, end: str) -> str:
    return README[README.index(start) : README.index(end, README.index(start))]


def test_readme_lists_the_allowed_functions_of_the_spec() -> None:
    sentence = _section("Only functions that", "Text from scenario files")
    listed = re.findall(r"\b[A-Z]{2,}\b", sentence.split(":", 1)[1].split(";")[0])
    assert tuple(listed) == spec.ALLOWED_FUNCTIONS


def test_readme_describes_every_sheet_in_order() -> None:
    table = _section("## Reading a workbook", "Amounts are positive")
    described = re.findall(r"^\| \*\*([^*]+)\*\* \|", table, re.MULTILINE)
    assert tuple(described) == spec.scenario_sheets(graded=True, sensitivity=True)


def test_readme_example_file_shows_every_scenario_key() -> None:
    example = _section("## Scenario files", "A scenario file may not be called")
    missing = [key.path for key in KEYS if not _shown(key.path, example)]
    assert missing == []


def _shown(path: str, example: str) -> bool:
    """Whether the example names the key's last part as a key ("fte =", "{ from =", "[offset]")."""
    leaf = path.replace("[]", "").rsplit(".", 1)[-1]
    if path == "offset.years":
        return "years = [" in example
    return re.search(rf"(^|[{{ ]){re.escape(leaf)} =", example, re.MULTILINE) is not None


def _row(year: int) -> list[str]:
    table = _section("<!-- tvoed-table", "<!-- /tvoed-table -->")
    line = next(line for line in table.splitlines() if line.startswith(f"| {year} |"))
    return [cell.strip() for cell in line.strip("|").split("|")][1:]


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027, 2028])
def test_readme_flat_against_table_based_eigenanteil(year: int) -> None:
    files = [
        "vzae-1.000-ab-2024-10",
        "vzae-1.000-ab-2024-10-tvoed",
        "vzae-1.173-ab-2024-10",
        "vzae-1.173-ab-2024-10-tvoed",
    ]
    built = [
        compute(load_scenario(ROOT / "scenarios" / f"{stem}.toml")).year(year).eigenanteil
        for stem in files
    ]
    assert _row(year) == [f"{round(amount):,} €" for amount in built]
