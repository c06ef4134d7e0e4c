"""The build: load and validate every scenario, compute, lay out, write, finish.

Everything is checked and produced in memory before the first file is written, so invalid
input writes nothing; each file is then replaced atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kim_budget.errors import OutputError, ScenarioError, ScenarioErrors
from kim_budget.finish import finish, write_atomically
from kim_budget.model import Result, compute
from kim_budget.scenario import Scenario, load_scenarios
from kim_budget.workbook import Book, lay_out_comparison, lay_out_workbook
from kim_budget.workbook.writer import write_workbook

COMPARISON = "Szenarienvergleich"


@dataclass(frozen=True)
class Output:
    """One file the build wrote, with the result it shows (None for the comparison)."""

    path: Path
    result: Result | None


def _finished(book: Book, file_name: str) -> bytes:
    return finish(write_workbook(book, file_name), book)


def workbook_bytes(scenario: Scenario) -> bytes:
    """The finished .xlsx file of one scenario."""
    return _finished(lay_out_workbook(scenario), f"{scenario.stem}.xlsx")


def comparison_bytes(scenarios: Sequence[Scenario]) -> bytes:
    """The finished comparison workbook of several scenarios."""
    return _finished(lay_out_comparison(scenarios), f"{COMPARISON}.xlsx")


def validate(paths: Sequence[Path]) -> tuple[Scenario, ...]:
    """Load and check scenario files; raises ScenarioErrors listing every problem."""
    scenarios = load_scenarios(paths)
    reserved = [s for s in scenarios if s.stem.casefold() == COMPARISON.casefold()]
    if reserved:
        raise ScenarioErrors(
            ScenarioError(
                str(s.path),
                "",
                f"the name {s.path.name} is reserved for the "
                f"comparison workbook {COMPARISON}.xlsx; rename the file",
            )
            for s in reserved
        )
    return scenarios


def build(paths: Sequence[Path], out: Path) -> list[Output]:
    """Build a workbook per scenario into `out`, and a comparison when there are several.

    Nothing is written if any input is invalid.
    """
    scenarios = validate(paths)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: is a file, not a folder; name a folder for the workbooks")
    prepared: list[tuple[Output, bytes]] = [
        (Output(out / f"{s.stem}.xlsx", compute(s)), workbook_bytes(s)) for s in scenarios
    ]
    if len(scenarios) > 1:
        prepared.append((Output(out / f"{COMPARISON}.xlsx", None), comparison_bytes(scenarios)))
    for output, data in prepared:
        write_atomically(output.path, data)
    return [output for output, _ in prepared]
