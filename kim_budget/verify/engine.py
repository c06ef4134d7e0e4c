"""The engine check (E1): LibreOffice recalculates the checked bytes of every readable workbook
in one run and must confirm each formula's cached value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kim_budget.formula import cell_position
from kim_budget.verify.report import CellKey, Finding, describe_error

if TYPE_CHECKING:
    from kim_budget.libreoffice import Values
    from kim_budget.verify.package_xml import Opened


@dataclass(frozen=True)
class ToConfirm:
    """What LibreOffice is to confirm of one workbook: its checked bytes and the cached value
    of each formula cell, in the order of the cells."""

    data: bytes
    cached: Values


def cached_formula_values(opened: Opened, cells: list[CellKey]) -> Values:
    """The cached value of each of the formula cells, as the engine check compares them."""
    from kim_budget.libreoffice import cell_value

    return {
        (sheet, cell): cell_value(opened.cached_value(sheet, *cell_position(cell)))
        for sheet, cell in cells
    }


def engine_findings(
    to_confirm: dict[Path, ToConfirm],
) -> tuple[list[Finding], list[Path]]:
    """E1: LibreOffice, recalculating on load, confirms every cached formula value.

    LibreOffice gets the bytes that were checked, not the files again. Returns the findings
    and the workbooks LibreOffice recalculated.
    """
    from kim_budget import libreoffice as engine

    paths = list(to_confirm)
    try:
        results = engine.recalculate_libreoffice(
            paths, contents={path: confirm.data for path, confirm in to_confirm.items()}
        )
    except Exception as error:  # EngineError, or openpyxl failing on what LibreOffice wrote
        reason = str(error) if isinstance(error, engine.EngineError) else describe_error(error)
        message = f"LibreOffice could not recalculate: {reason}"
        return [Finding(path, "", "", "E1", message) for path in paths], []
    findings: list[Finding] = []
    for path, confirm in to_confirm.items():
        for mismatch in engine.compare(confirm.cached, results[path], confirm.cached):
            old, new = mismatch.cached, mismatch.recalculated
            if mismatch.reason is engine.Reason.ERROR:
                message = f"LibreOffice computed the error {new} (cached {old!r})"
            elif mismatch.reason is engine.Reason.MISSING:
                message = f"LibreOffice computed nothing (cached {old!r})"
            else:
                message = f"cached value {old!r}, but LibreOffice computed {new!r}"
            findings.append(Finding(path, mismatch.sheet, mismatch.cell, "E1", message))
    return findings, paths
