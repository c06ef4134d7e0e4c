"""Helpers shared by the test modules: spreadsheet engines, generated workbooks."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from kim_budget.engine import (
    Values,
    gnumeric_available,
    libreoffice_available,
    recalculate_gnumeric,
    recalculate_libreoffice,
)

ROOT = Path(__file__).parent.parent
SHIPPED = ROOT / "scenarios"
VALID_CASES = Path(__file__).parent / "cases" / "valid"


def scenario_files() -> list[Path]:
    """Every shipped scenario and every valid test case."""
    return sorted(SHIPPED.glob("*.toml")) + sorted(VALID_CASES.glob("*.toml"))


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


def engine(name: str) -> Recalculate:
    """The engine's recalculate function, after skipping (or failing on CI) when it is missing."""
    available, recalculate = ENGINES[name]
    require_engine(name, available())
    return recalculate
