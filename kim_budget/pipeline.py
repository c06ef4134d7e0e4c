"""The build: load and validate every scenario, compute, lay out, write, finish.

Everything is checked and produced in memory before the first file is written, so invalid
input writes nothing; each file is then replaced atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kim_budget.errors import OutputError
from kim_budget.finish import finish, write_atomically
from kim_budget.model import Result, compute
from kim_budget.scenario import Scenario, load_scenarios
from kim_budget.workbook import lay_out_workbook
from kim_budget.workbook.writer import write_workbook


@dataclass(frozen=True)
class Output:
    """One file the build wrote, with the result it shows."""

    path: Path
    result: Result


def workbook_bytes(scenario: Scenario) -> bytes:
    """The finished .xlsx file of one scenario."""
    book = lay_out_workbook(scenario)
    return finish(write_workbook(book, f"{scenario.stem}.xlsx"), book)


def validate(paths: Sequence[Path]) -> tuple[Scenario, ...]:
    """Load and check scenario files; raises ScenarioErrors listing every problem."""
    return load_scenarios(paths)


def build(paths: Sequence[Path], out: Path) -> list[Output]:
    """Build a workbook per scenario into `out`; nothing is written if any input is invalid."""
    scenarios = load_scenarios(paths)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: is a file, not a folder; name a folder for the workbooks")
    prepared = [
        (out / f"{scenario.stem}.xlsx", compute(scenario), workbook_bytes(scenario))
        for scenario in scenarios
    ]
    for path, _, data in prepared:
        write_atomically(path, data)
    return [Output(path, result) for path, result, _ in prepared]
