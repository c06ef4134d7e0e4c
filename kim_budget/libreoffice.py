"""LibreOffice, driven headless: recalculation of finished workbooks (for `verify`) and PDFs
(for `build --pdf`), and the reading and comparing of cell values that both need.

The workbooks kim-budget writes carry a formula *and* a cached value in every formula cell.
`recalculate_libreoffice` returns the values LibreOffice computes after a forced recalculation,
`cached_values` the values stored in the file, and `compare` lists the cells where they
disagree. The tests use the same pieces with a second engine (tests/engines.py: Gnumeric), and
describe there what both engines do with our formulas.

How the engines are driven
--------------------------
LibreOffice (``soffice``) runs headless with a private, throw-away profile
(``-env:UserInstallation=file:///tmp/...``) whose ``user/registrymodifications.xcu`` sets
``/org.openoffice.Office.Calc/Formula/Load`` ``OOXMLRecalcMode`` and ``ODFRecalcMode`` to 0
("always recalculate"). The default for OOXML is "never recalculate": LibreOffice then keeps
the cached ``<v>`` values, even when the file says ``<calcPr fullCalcOnLoad="1">`` (which
openpyxl always writes). The private profile also keeps a LibreOffice the user has open out of
the way: without it soffice hands the job to the running instance, with *its* settings. All
files go to one soffice invocation (``--convert-to xlsx``); they are first copied to
``book<i>.<suffix>`` so inputs with the same file name cannot overwrite each other's output.
soffice exits with status 0 even when a file cannot be loaded; a missing output is the only
sign, so each one is checked.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import signal
import subprocess
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook

from kim_budget.errors import EngineError
from kim_budget.files import scratch

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOLERANCE",
    "CellValue",
    "EngineError",
    "Mismatch",
    "Reason",
    "Values",
    "cached_values",
    "cell_value",
    "compare",
    "is_error_value",
    "libreoffice_available",
    "load_workbook",
    "output_of",
    "read_values",
    "recalculate_libreoffice",
    "run_engine",
    "soffice_command",
]

CellValue = float | int | str | bool | datetime | None
"""A cell's value as openpyxl reads it (times and durations become serial numbers)."""

Values = dict[tuple[str, str], CellValue]
"""(sheet name, "A1" coordinate) -> value; empty cells are left out."""

DEFAULT_TIMEOUT = 180.0
"""Seconds one engine run may take before it is killed."""

DEFAULT_TOLERANCE = 0.005
"""Largest absolute difference of two numbers that `compare` still calls equal."""

_RELATIVE_TOLERANCE = 1e-12

_EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#EXTERNAL!",
        "#PYTHON!",
    }
)
# LibreOffice's own codes as shown in a cell ("Err:502") and as some filters write them
# ("#ERR502!", "#ERR:502").
_OTHER_ERROR = re.compile(r"Err:\d+|#ERR:?\d*!?")

_PROFILE_SETTINGS = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">\
<prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Setup/Office">\
<prop oor:name="ooSetupInstCompleted" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
</oor:items>
"""


_LOCALE_SETTING = """\
<item oor:path="/org.openoffice.Setup/L10N">\
<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
</oor:items>
"""


class Reason(StrEnum):
    """Why a cell's cached value was not confirmed by the engine."""

    DIFFERS = "differs"
    """The values differ (numbers: beyond the tolerance; strings: at all)."""
    ERROR = "error"
    """The engine computed an error value (whatever was cached)."""
    MISSING = "missing"
    """The engine left the cell empty, or the sheet is missing, but a value was cached."""


@dataclass(frozen=True)
class Mismatch:
    """One cell whose cached value the engine did not confirm."""

    sheet: str
    cell: str
    cached: CellValue
    recalculated: CellValue
    reason: Reason

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}"
        if self.reason is Reason.ERROR:
            return f"{where}: engine computed {self.recalculated!r} (cached {self.cached!r})"
        if self.reason is Reason.MISSING:
            return f"{where}: engine computed nothing (cached {self.cached!r})"
        return f"{where}: cached {self.cached!r}, engine computed {self.recalculated!r}"


# --- engines -------------------------------------------------------------------------------


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_available() -> bool:
    """Whether LibreOffice (``soffice``) is on the PATH."""
    return _soffice() is not None


def recalculate_libreoffice(
    paths: Sequence[Path],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    contents: Mapping[Path, bytes] | None = None,
    locale: str | None = None,
) -> dict[Path, Values]:
    """Let LibreOffice recalculate every formula of each workbook; return the values.

    All files go to one soffice process (start-up is the slow part); `contents`, when given,
    holds the bytes to recalculate for each path (the file is then not read again); `locale`
    ("de-DE", "en-US") is the profile's locale, as a user's installation in that language has
    it (default: the system's). Raises `EngineError` when soffice is missing, fails, times out
    or does not produce a file.
    """
    if not paths:
        return {}
    contents = contents or {}
    with _libreoffice("lo", locale) as (soffice, profile, inbox, outbox):
        inputs = [
            _copy_input(path, inbox / f"book{index}{path.suffix or '.xlsx'}", contents.get(path))
            for index, path in enumerate(paths)
        ]
        command = soffice_command(soffice, profile, "xlsx:Calc MS Excel 2007 XML", outbox, inputs)
        result = run_engine(command, timeout, "LibreOffice")
        missing = [
            f"{path} (copied as {copy.name})"
            for path, copy in zip(paths, inputs, strict=True)
            if not (outbox / f"{copy.stem}.xlsx").is_file()
        ]
        if missing:
            raise EngineError(
                "LibreOffice did not convert " + ", ".join(missing) + output_of(result)
            )
        return {
            path: read_values(outbox / f"{copy.stem}.xlsx")
            for path, copy in zip(paths, inputs, strict=True)
        }


def export_pdfs_libreoffice(
    books: Mapping[str, bytes], *, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, bytes]:
    """PDFs of workbooks (file stem → .xlsx bytes), printed by LibreOffice after recalculating.

    One soffice process for all; the profile forces recalculation on load and formats numbers
    for the German locale (1.234,56 €). Hidden sheets are not printed. Raises `EngineError`.
    """
    if not books:
        return {}
    with _libreoffice("pdf", locale="de-DE") as (soffice, profile, inbox, outbox):
        inputs = [inbox / f"{name}.xlsx" for name in books]  # the footer prints the name
        for path, data in zip(inputs, books.values(), strict=True):
            path.write_bytes(data)
        command = soffice_command(soffice, profile, "pdf:calc_pdf_Export", outbox, inputs)
        result = run_engine(command, timeout, "LibreOffice")
        pdfs: dict[str, bytes] = {}
        for name, path in zip(books, inputs, strict=True):
            pdf = outbox / f"{path.stem}.pdf"
            if not pdf.is_file():
                raise EngineError(f"LibreOffice did not print {name}" + output_of(result))
            pdfs[name] = pdf.read_bytes()
        return pdfs


@contextlib.contextmanager
def _libreoffice(label: str, locale: str | None = None) -> Iterator[tuple[str, Path, Path, Path]]:
    """soffice, a fresh private profile, and empty in and out folders in a work folder that is
    removed afterwards (or, after a kill, by the next run: `files.scratch`)."""
    soffice = _soffice()
    if soffice is None:
        raise EngineError("LibreOffice (soffice) is not installed or not on the PATH")
    with scratch(label) as root:
        profile = root / "profile"
        _write_profile(profile, locale)
        inbox, outbox = root / "in", root / "out"
        inbox.mkdir()
        outbox.mkdir()
        yield soffice, profile, inbox, outbox


def soffice_command(
    soffice: str, profile: Path, target: str, outbox: Path, inputs: Sequence[Path]
) -> list[str]:
    """A headless soffice conversion of several files with a private profile."""
    return [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nologo",
        "--nodefault",
        "--convert-to",
        target,
        "--outdir",
        str(outbox),
        *(str(path) for path in inputs),
    ]


def _write_profile(profile: Path, locale: str | None = None) -> None:
    """A fresh LibreOffice user profile that always recalculates on load."""
    user = profile / "user"
    user.mkdir(parents=True)
    settings = _PROFILE_SETTINGS
    if locale is not None:
        settings = settings.replace("</oor:items>", _LOCALE_SETTING.format(locale=locale))
    (user / "registrymodifications.xcu").write_text(settings, encoding="utf-8")


def _copy_input(source: Path, target: Path, data: bytes | None = None) -> Path:
    try:
        if data is not None:
            target.write_bytes(data)
        else:
            shutil.copyfile(source, target)
    except OSError as error:
        raise EngineError(f"cannot recalculate {source}: {error.strerror or error}") from error
    return target


def run_engine(command: list[str], timeout: float, what: str) -> subprocess.CompletedProcess[str]:
    """Run an engine in its own process group, so a timeout kills all its processes."""
    env = {**os.environ, "GSETTINGS_BACKEND": "memory"}
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env=env,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            stdout, stderr = process.communicate()
            raise EngineError(
                f"{what} did not finish within {timeout:g} s"
                + output_of(subprocess.CompletedProcess(command, -9, stdout, stderr))
            ) from None
        except BaseException:
            _kill_group(process)
            raise
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if result.returncode != 0:
        raise EngineError(f"{what} failed with exit status {result.returncode}" + output_of(result))
    return result


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    text = "\n".join(part.strip() for part in (result.stderr, result.stdout) if part.strip())
    return f":\n{text}" if text else ""


# --- reading workbooks ---------------------------------------------------------------------


def load_workbook(path: Path, *, data_only: bool) -> Workbook:
    """Open a workbook with openpyxl, quietly: its warnings about dropped parts don't matter."""
    # openpyxl warns about things it drops (e.g. Gnumeric's output has no default style);
    # none of it affects values or formulas.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        return openpyxl.load_workbook(path, data_only=data_only)


def cell_value(value: Any) -> CellValue:
    """A value as openpyxl reads it, made comparable: dates as datetimes, times as serials."""
    if value is None or isinstance(value, bool | int | float | str | datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, time | timedelta):
        return _excel_serial(value)
    return str(value)


_EPOCH_1900 = datetime(1899, 12, 30)


def _excel_serial(value: datetime | time | timedelta) -> float:
    """The serial number of the 1900 date system, as Excel and openpyxl count it.

    Day 1 is 1 January 1900 and day 60 the 29 February 1900 that never was (Excel's leap-year
    bug), so dates before 1 March 1900 count one day less than a plain difference.
    """
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400 + (
            value.microsecond / 86400e6
        )
    offset = value.replace(tzinfo=None) - _EPOCH_1900
    days = offset.days - 1 if 0 < offset.days <= 60 else offset.days
    return days + offset.seconds / 86400 + offset.microseconds / 86400e6


def read_values(path: Path) -> Values:
    workbook = load_workbook(path, data_only=True)
    values: Values = {}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell_value(cell.value)
                if value is not None:
                    values[(sheet.title, cell.coordinate)] = value
    return values


def cached_values(path: Path) -> Values:
    """The value of every non-empty cell as stored in the file (formula cells: cached value)."""
    return read_values(path)


def is_error_value(value: CellValue) -> bool:
    """Whether the value is a spreadsheet error (``#DIV/0!``, ``#N/A``, ``Err:502``, ...)."""
    if not isinstance(value, str):
        return False
    return value in _EXCEL_ERRORS or _OTHER_ERROR.fullmatch(value) is not None


def _is_empty(value: CellValue) -> bool:
    return value is None or value == ""


def _as_number(value: CellValue) -> float | None:
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, datetime):
        return _excel_serial(value)
    return None


def _equal(cached: CellValue, recalculated: CellValue, tolerance: float) -> bool:
    if _is_empty(cached) or _is_empty(recalculated):
        return _is_empty(cached) and _is_empty(recalculated)
    if isinstance(cached, str) or isinstance(recalculated, str):
        return cached == recalculated
    left, right = _as_number(cached), _as_number(recalculated)
    if left is None or right is None:
        return cached == recalculated
    return abs(left - right) <= tolerance or math.isclose(left, right, rel_tol=_RELATIVE_TOLERANCE)


def compare(
    cached: Values,
    recalculated: Values,
    cells: Iterable[tuple[str, str]],
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[Mismatch]:
    """The cells (in the given order) whose recalculated value does not confirm the cached one.

    Numbers are equal within ``tolerance`` (absolute) or a relative 1e-12; dates compare as
    Excel serial numbers (1900 system), also against plain numbers; booleans equal 1 and 0;
    strings compare exactly; ``None`` and ``""`` are both empty. A recalculated error value
    is always a mismatch (`Reason.ERROR`), even when the same error was cached.
    """
    mismatches: list[Mismatch] = []
    for sheet, cell in cells:
        old = cached.get((sheet, cell))
        new = recalculated.get((sheet, cell))
        if is_error_value(new):
            reason: Reason | None = Reason.ERROR
        elif _equal(old, new, tolerance):
            reason = None
        elif _is_empty(new):
            reason = Reason.MISSING
        else:
            reason = Reason.DIFFERS
        if reason is not None:
            mismatches.append(Mismatch(sheet, cell, old, new, reason))
    return mismatches
