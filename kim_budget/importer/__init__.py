"""Bringing a treasurer's edits back: the inputs of an edited workbook into its scenario file.

`import_workbook` reads every input cell of "Annahmen" by the scenario key its row shows,
(and of "Tarif", the pay rules of graded positions), compares it with the scenario file and
writes the changed values into that file with tomlkit,
which keeps the file's comments, order and layout. The new text is validated by the loader
(`scenario.load_scenario`, the rules of `validate`) before anything is written, and the file is
replaced atomically. A yes/no is 1 or 0 (or a boolean, from a workbook of any language). Values
typed as text are read the way a German treasurer means them ("82.000" is 82,000; "WAHR", "ja";
"01.10.2024") or rejected; nothing is read by guessing.

Where each input must be is known from laying out the scenario file again: a workbook whose rows
were inserted, deleted or moved, or another kind of workbook, is refused with the cell that
differs. The cover names the scenario file and its SHA-256 at the build; when the file changed
since, the import refuses unless forced, naming the keys changed on both sides.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from kim_budget.errors import ScenarioError, ScenarioErrors
from kim_budget.files import read_regular, real_target, write_atomically
from kim_budget.importer.book import (
    SHA_LABEL,
    Book,
    Change,
    Cover,
    Reading,
    WorkbookError,
    check_structure,
    conflicts,
    expected_rows,
    find_scenario,
    read_cover,
    read_inputs,
)
from kim_budget.importer.tarif_rows import apply_tarif, read_tarif, tarif_changes
from kim_budget.importer.toml_edits import apply_inputs
from kim_budget.importer.values import cell_text, convert, german_number, same
from kim_budget.loader import load_scenario
from kim_budget.messages import display_key
from kim_budget.scenario import Scenario
from kim_budget.toml_file import MAX_TOML_BYTES

__all__ = [
    "Change",
    "ImportResult",
    "WorkbookError",
    "convert",
    "find_scenario",
    "german_number",
    "import_workbook",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ImportResult:
    """What an import found and whether it wrote the scenario file."""

    scenario: Path
    changes: tuple[Change, ...]
    written: bool


def _validate(text: str, path: Path, cells: dict[str, str]) -> None:
    """Load the new text with the loader's rules, in memory (nothing is written, so a dry run
    needs no permission to write); its errors name the workbook's cells."""
    try:
        load_scenario(path, display=str(path), raw=text.encode("utf-8"))
    except ScenarioErrors as found:
        raise ScenarioErrors(_located(error, path, cells) for error in found.errors) from None


def _located(error: ScenarioError, path: Path, cells: dict[str, str]) -> ScenarioError:
    where = cells.get(error.key) or cells.get(re.sub(r"\[\d+\]$", "", error.key))
    if where is None:
        return ScenarioError(str(path), error.key, error.problem)
    return ScenarioError(f"{where} ({display_key(error.key)})", "", error.problem)


def import_workbook(
    workbook: Path, scenario_file: Path | None = None, *, dry_run: bool = False, force: bool = False
) -> ImportResult:
    """Write the inputs changed in `workbook` into its scenario file (the one on the cover, or
    `scenario_file`), keeping the file's comments and layout; with `dry_run` only report them.

    Without `force`, only a workbook whose cover holds the SHA-256 of that very file is
    imported. Raises `WorkbookError` for a workbook that cannot be read back or whose cover
    does not vouch for the file, and `ScenarioErrors` naming the cells of values the rules of
    `validate` reject; the file is then untouched. The file is written through a link to the
    file it points to, keeping its permissions.
    """
    book = Book(workbook)
    cover = read_cover(book)
    path = scenario_file if scenario_file is not None else find_scenario(workbook, cover.file)
    raw = read_regular(path, MAX_TOML_BYTES)
    scenario = load_scenario(path, raw=raw)
    layout, rows = expected_rows(scenario, book)
    check_structure(book, layout, path)
    readings, errors = read_inputs(book, rows)
    if errors:
        raise ScenarioErrors(errors)
    for reading in readings:
        if reading.row.structure and not same(reading.value, reading.row.value):
            raise WorkbookError(
                f"{reading.cell} ({reading.row.key}) shapes the workbook and is locked; change it "
                f"in {path} and build again"
            )
    if not force:
        _require_cover_vouches(cover, scenario, workbook, readings)
    edited = [
        r
        for r in readings
        if not r.row.structure
        and not same(r.value, r.row.value)
        and (r.built is None or not same(r.value, r.built))
    ]
    tarif_rows = read_tarif(book, scenario, path)
    tarif_changed = tarif_changes(tarif_rows)
    changes = tuple(Change(r.row.key, r.cell, r.row.value, r.value) for r in edited)
    changes += tuple(tarif_changed)
    if not changes:
        return ImportResult(path, (), written=False)
    document = tomlkit.parse(raw.decode("utf-8").removeprefix("\ufeff"))
    apply_inputs(document, edited, scenario.offset_years)
    cells = {r.row.path: r.cell for r in edited}
    cells.update(apply_tarif(document, tarif_rows))
    new_text = tomlkit.dumps(document)
    _validate(new_text, path, cells)
    if not dry_run:
        _write(path, new_text.encode("utf-8"))
    return ImportResult(path, changes, written=not dry_run)


def _require_cover_vouches(
    cover: Cover, scenario: Scenario, workbook: Path, readings: list[Reading]
) -> None:
    """The cover's SHA-256 must be there, well-formed and that of the file to be written."""
    path = scenario.path
    force = "--force imports the workbook's edits anyway"
    if not cover.sha256:
        raise WorkbookError(
            f"{workbook}: its cover holds no SHA-256 of the scenario file (the row „{SHA_LABEL}“ "
            f"is missing or blank), so nothing shows that {path} is the file it was built from; "
            f"{force}"
        )
    if _SHA256.fullmatch(cover.sha256) is None:
        raise WorkbookError(
            f"{workbook}: the SHA-256 on its cover ({cell_text(cover.sha256)}) is no SHA-256 "
            f"(64 hexadecimal digits), so nothing shows that {path} is the file it was built "
            f"from; {force}"
        )
    if cover.sha256 != scenario.sha256:
        both = conflicts(readings)
        sides = ", ".join(both) if both else "none"
        raise WorkbookError(
            f"{path} is not the file {workbook.name} was built from, or it changed since (its "
            f"SHA-256 is not the one on the cover); keys changed on both sides: {sides}; {force}"
        )


def _write(path: Path, data: bytes) -> None:
    """Replace the scenario file atomically: through a link, the file it points to (the link
    stays); with the permissions the file had."""
    target = real_target(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o644
    write_atomically(target, data, mode=mode)
