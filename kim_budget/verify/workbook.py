"""Checking workbooks: each one opened once, its sheets, cells and names checked, then all
readable ones recalculated by LibreOffice in one run (E1)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kim_budget.verify.cells import Styles, check_cells, input_rules
from kim_budget.verify.collect import collect
from kim_budget.verify.engine import ToConfirm, cached_formula_values, engine_findings
from kim_budget.verify.names import check_master, check_names
from kim_budget.verify.package_xml import Opened, Unreadable, open_workbook
from kim_budget.verify.report import (
    ENGINE_MISSING,
    NO_CACHED_VALUES,
    CellKey,
    Finding,
    Findings,
    Report,
    describe_error,
)
from kim_budget.verify.sheet_rules import check_sheet_order, workbook_kind
from kim_budget.verify.sheets import check_sheet


def verify_workbooks(
    paths: Sequence[Path], *, require_engine: bool = False, use_engine: bool = True
) -> Report:
    """Check workbooks (files, or folders: every ``*.xlsx`` directly inside) against `RULES`.

    Never raises for a broken or missing workbook: that is a finding (W0). With
    ``use_engine`` and LibreOffice installed, all readable workbooks are recalculated in one
    LibreOffice run (E1); without LibreOffice the report says ``engine_skipped``, and with
    ``require_engine`` the missing engine is also a finding (E0, once, filed under the first
    path given). ``use_engine=False`` skips the engine check, whatever ``require_engine``
    says. Findings come per workbook in the order checked, then those about the paths.
    """
    files, findings = collect(paths)
    per_file: dict[Path, list[Finding]] = {}
    to_confirm: dict[Path, ToConfirm] = {}
    for path in files:
        per_file[path], confirm = _check_workbook(path)
        if confirm is not None:
            to_confirm[path] = confirm
    engine_skipped = True
    recalculated: list[Path] = []
    confirmed: list[Path] = []
    if use_engine:
        from kim_budget import libreoffice as engine

        if engine.libreoffice_available():
            engine_skipped = False
            found, recalculated = engine_findings(to_confirm)
            for finding in found:
                per_file[finding.path].append(finding)
            unconfirmed = {finding.path for finding in found}
            confirmed = [path for path in recalculated if path not in unconfirmed]
        elif require_engine:
            findings.append(Finding(paths[0] if paths else Path("."), "", "", "E0", ENGINE_MISSING))
    ordered = [finding for path in files for finding in per_file[path]]
    return Report(
        tuple(ordered + findings),
        engine_skipped,
        tuple(files),
        tuple(recalculated),
        tuple(confirmed),
    )


def _check_workbook(path: Path) -> tuple[list[Finding], ToConfirm | None]:
    """The findings of one workbook and what LibreOffice is to confirm.

    None instead when the workbook cannot be read or has no cached values.
    Never raises for a bad file: what cannot be read or checked is a finding (W0).
    """
    out = Findings(path)
    try:
        opened = open_workbook(path)
    except Unreadable as error:
        out.add("W0", str(error))
        return out.items, None
    try:
        cells = _check_contents(out, path, opened)
        if cells is None:
            return out.items, None
        return out.items, ToConfirm(opened.checked.data, cached_formula_values(opened, cells))
    except Exception as error:  # a file some program wrote oddly must not end the run
        out.add(
            "W0",
            f"the workbook could not be checked completely ({describe_error(error)}); "
            "the findings above are all that was found",
        )
        return out.items, None


def _check_contents(out: Findings, path: Path, opened: Opened) -> list[CellKey] | None:
    package, book = opened.package, opened.book
    kind = workbook_kind(book.sheetnames)
    for problem in check_sheet_order(book.sheetnames):
        out.add("S1", problem)
    check_names(out, book)
    for part in package.external_parts:
        out.add("F3", f"link to another file: the package has the part {part}")
    if not package.full_calc_on_load and package.written_by_openpyxl:
        out.add("E1", "the workbook does not force recalculation on load (calcPr fullCalcOnLoad)")
    inputs = input_rules(out, package)
    styles = Styles()
    cells: list[CellKey] = []
    uncached = 0
    for ws in book.worksheets:
        header, footer = package.headers.get(ws.title, ("", ""))
        check_sheet(out, ws, header, footer, path.name, styles)
        cached = opened.cached[ws.title]
        sheet_cells, sheet_uncached = check_cells(out, ws, cached, inputs, kind, styles)
        cells += sheet_cells
        uncached += sheet_uncached
    check_master(out, opened)
    if cells and uncached == len(cells):
        out.add("E1", NO_CACHED_VALUES.format(count=len(cells)))
        return None
    return cells
