"""Test-only engine support: Gnumeric as a second engine beside LibreOffice, and the formula
text of every cell.

Gnumeric (``ssconvert --recalc``) converts one file per process (``--merge-to`` merges
sheets of several files into one workbook, which is not wanted), so the files run on a small
thread pool. The importer is forced (``-I Gnumeric_Excel:xlsx``): without it ssconvert
guesses, and happily "converts" a damaged file as text with exit status 0. Without
``--recalc`` Gnumeric also keeps the cached values. Engines run with
``GSETTINGS_BACKEND=memory`` (no writes to the user's dconf) in their own process group, which
is killed as a whole on timeout.

Findings (LibreOffice 7.4.7, Gnumeric 1.12.55, read back with openpyxl 3.1.5)
------------------------------------------------------------------------------
* Both engines computed SUM, SUMIF, SUMIFS, SUMPRODUCT (also over ``(range<EDATE(..))*range``
  and ``--(range="x")``), MIN, MAX, IF, AND, OR, INDEX, MATCH, DATE (``DATE(2025,2,29)`` rolls
  over to 1 March), YEAR, MONTH, EDATE (31 Jan + 1 month = 28 Feb), EOMONTH, DATEDIF,
  NETWORKDAYS, ROUND, IFERROR, COUNTIF, date comparison ``A1<EDATE(B1,1)``, ``TRUE*5``,
  references to ``Annahmen!`` and ``'Übersicht'!`` and workbook-scope defined names exactly
  like Excel.
* Functions newer than Excel 2007 must be written with their ``_xlfn.`` prefix, as Excel
  itself stores them: ``_xlfn.DAYS(...)`` works in both, a bare ``DAYS(...)`` is ``#NAME?`` in
  LibreOffice (Gnumeric accepts both).
* Errors come back as real error cells (``t="e"``) in both engines, which openpyxl returns as
  the strings ``"#DIV/0!"``, ``"#NAME?"``, ``"#REF!"``, ``"#N/A"``, ``"#VALUE!"`` ... (see
  `is_error_value`). LibreOffice maps its own error codes that have no Excel equivalent
  (``Err:502`` invalid argument, ``Err:522`` circular reference, ...) to ``#VALUE!`` when it
  writes xlsx; so ``SQRT(-1)`` is ``#VALUE!`` (Gnumeric: ``#NUM!``) and ``INDEX`` or
  ``VLOOKUP`` out of range is ``#VALUE!`` (Gnumeric: ``#REF!``). The exact error code is
  therefore not comparable across engines; `compare` reports any error as an error.
* Circular references: LibreOffice gives ``#VALUE!`` (Err:522). Gnumeric silently iterates
  them (100 steps, even with ``<calcPr iterate="0">``) and returns a number. Only LibreOffice
  detects them.
* LibreOffice writes numbers with 15 significant digits (``0.333333333333333``,
  ``1.15292150460685E+018``), so `compare` also accepts a relative difference of 1e-12.
* A formula returning ``""`` reads back as ``None`` from LibreOffice and as ``""`` from
  Gnumeric; `compare` treats both as empty.
* Dates: both engines work in the 1900 date system, but the number format of a formula
  result differs: LibreOffice keeps ``=EDATE(..)`` in a "General" cell as a number and gives
  ``=A1`` the date format of A1; Gnumeric formats DATE/EDATE results as dates and ``=A1`` as a
  number. openpyxl returns a `datetime` for date-formatted cells and a number otherwise, so
  `compare` converts dates to Excel serial numbers. LibreOffice has no 1900 leap-year bug:
  dates before 1 March 1900 are one serial number off from Excel (irrelevant for budgets).
* Booleans come back as booleans (``t="b"``) from both engines; `compare` also accepts 1/0.
* Sheet names (``Übersicht``, ``Kim's Plan``) and workbook-scope defined names survive both
  round trips. Gnumeric adds sheet-scope names ``_xlnm.Sheet_Title`` and
  ``_xlnm.Print_Area`` (= ``#REF!``) and writes no default cell style, which makes openpyxl
  warn "Workbook contains no default style"; this module silences openpyxl's warnings while
  reading. LibreOffice rewrites formula text (``TRUE*5`` becomes ``TRUE()*5``, unknown
  functions are lower-cased, ``'Übersicht'!A1`` loses its quotes); only the values of the
  converted files are used.
* Speed on the development machine: soffice start-up about 0.85 s, then about 0.07 s per
  small workbook; ssconvert about 0.06 s per workbook.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kim_budget.libreoffice import (
    DEFAULT_TIMEOUT,
    EngineError,
    Values,
    load_workbook,
    output_of,
    read_values,
    run_engine,
)

_GNUMERIC_WORKERS = 2


def _ssconvert() -> str | None:
    return shutil.which("ssconvert")


def gnumeric_available() -> bool:
    """Whether Gnumeric's ``ssconvert`` is on the PATH."""
    return _ssconvert() is not None


def recalculate_gnumeric(
    paths: Sequence[Path], *, timeout: float = DEFAULT_TIMEOUT
) -> dict[Path, Values]:
    """Let Gnumeric recalculate every formula of each workbook; return the values.

    One ``ssconvert --recalc`` per file, two at a time. Raises `EngineError` when ssconvert
    is missing, fails, times out or does not produce a file. Warnings on its stderr are
    ignored.
    """
    if not paths:
        return {}
    ssconvert = _ssconvert()
    if ssconvert is None:
        raise EngineError("Gnumeric (ssconvert) is not installed or not on the PATH")
    with tempfile.TemporaryDirectory(
        prefix="kim-budget-gnumeric-", ignore_cleanup_errors=True
    ) as temp:
        root = Path(temp)
        outputs = [root / f"book{index}.xlsx" for index in range(len(paths))]

        def convert(source: Path, target: Path) -> None:
            if not source.is_file():
                raise EngineError(f"cannot recalculate {source}: no such file")
            command = [
                ssconvert,
                "--recalc",
                "--import-type=Gnumeric_Excel:xlsx",
                "--export-type=Gnumeric_Excel:xlsx2",
                str(source.resolve()),
                str(target),
            ]
            result = run_engine(command, timeout, f"Gnumeric on {source}")
            if not target.is_file():
                raise EngineError(f"Gnumeric did not convert {source}" + output_of(result))

        with ThreadPoolExecutor(max_workers=_GNUMERIC_WORKERS) as pool:
            futures = [
                pool.submit(convert, source, target)
                for source, target in zip(paths, outputs, strict=True)
            ]
            for future in futures:
                future.result()
        return {path: read_values(output) for path, output in zip(paths, outputs, strict=True)}


def formula_cells(path: Path) -> dict[tuple[str, str], str]:
    """The formula text (with its leading ``=``) of every formula cell of the workbook."""
    workbook = load_workbook(path, data_only=False)
    formulas: dict[tuple[str, str], str] = {}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                value = cell.value
                text = value if isinstance(value, str) else str(getattr(value, "text", value))
                formulas[(sheet.title, cell.coordinate)] = (
                    text if text.startswith("=") else f"={text}"
                )
    return formulas


# --- comparing -----------------------------------------------------------------------------
