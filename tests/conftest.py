"""Workbooks shared across test modules, and each engine's recalculation of them, done once.

Starting LibreOffice or Gnumeric costs more than recalculating a workbook, so every workbook
that an engine test wants recalculated is built here and goes through each engine in a single
run per test session: every generated workbook (shipped scenarios, valid test cases and both
kinds of comparison workbook) and the small workbooks of `helpers` that exercise the engines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    SHIPPED,
    EngineWorkbooks,
    Recalculated,
    changed_inputs_workbook,
    coverage_workbook,
    engine,
    errors_workbook,
    scenario_files,
)
from tvoed_expected import CASES

from kim_budget.libreoffice import Values
from kim_budget.pipeline import build
from kim_budget.workbook.spec import SIDE_BY_SIDE_LIMIT


@pytest.fixture(scope="session")
def generated_workbooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ...]:
    """Every shipped scenario and valid test case, built once: the shipped ones (at most eight)
    with their side-by-side comparison, the valid cases (more than eight) with their
    results-only comparison; and the hand-calculated pay-table cases with theirs."""
    shipped = [path for path in scenario_files() if path.parent == SHIPPED]
    cases = [path for path in scenario_files() if path.parent != SHIPPED]
    assert len(shipped) <= SIDE_BY_SIDE_LIMIT < len(cases)  # both kinds of comparison
    built = [
        o.path
        for paths, folder in ((shipped, "built"), (cases, "built-cases"))
        for o in build(paths, tmp_path_factory.mktemp(folder))
        if o.path.suffix == ".xlsx"
    ]
    tvoed = tmp_path_factory.mktemp("tvoed-cases")
    for case in CASES:
        (tvoed / f"{case.name}.toml").write_text(case.toml, encoding="utf-8")
    graded = build([tvoed], tmp_path_factory.mktemp("tvoed-built"))
    return tuple(built + [o.path for o in graded if o.path.suffix == ".xlsx"])


@pytest.fixture(scope="session")
def engine_workbooks(
    generated_workbooks: tuple[Path, ...], tmp_path_factory: pytest.TempPathFactory
) -> EngineWorkbooks:
    """The generated workbooks and the small engine workbooks (in a folder of their own)."""
    folder = tmp_path_factory.mktemp("engine-cases")
    source = next(p for p in generated_workbooks if p.stem == "vzae-1.000-ab-2024-10")
    return EngineWorkbooks(
        generated=generated_workbooks,
        coverage=coverage_workbook(folder / "coverage.xlsx"),
        errors=errors_workbook(folder / "errors.xlsx"),
        changed=changed_inputs_workbook(source, folder / "changed.xlsx"),
    )


@pytest.fixture(scope="session")
def recalculated(engine_workbooks: EngineWorkbooks) -> Recalculated:
    """`recalculated("LibreOffice")`: that engine's values of every engine workbook.

    The engine runs on first use only; a missing engine skips the test (fails it on CI).
    """
    done: dict[str, dict[Path, Values]] = {}

    def of(name: str) -> dict[Path, Values]:
        recalculate = engine(name)
        if name not in done:
            done[name] = recalculate(engine_workbooks.all())
        return done[name]

    return of
