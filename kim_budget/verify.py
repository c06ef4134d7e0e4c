"""Check generated workbooks against the model standard: `verify_workbooks`.

The standard follows the FAST Standard and the ICAEW Financial Modelling Code where a program
can see it. Each finding names the file, sheet, cell and rule (see `RULES`). Formula rules
live in `verify_rules.py`, Excel's name rules in `excel_names.py` (both pure, no openpyxl);
this module applies them to the cells, sheets and names of each workbook, read with openpyxl
and, for what openpyxl reads lossily (headers and footers, external-link parts, ``calcPr``,
named cell styles, the program that saved the file), from the package's XML.

Any file is read without an exception escaping: what is no readable workbook is one W0
finding saying what it is, and a workbook re-saved by LibreOffice or Gnumeric is judged by
what re-saving really changes (see README, "Checking a workbook").

LibreOffice recalculates all workbooks in one run (rule E1), when it is installed.

Importing this module does not import openpyxl; `verify_workbooks` does.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from kim_budget.excel_names import check_defined_name, check_sheet_name
from kim_budget.files import hidden, path_kind
from kim_budget.formula import column_letter, column_number
from kim_budget.package import Package, PackageError, load_workbook, read_package
from kim_budget.verify_rules import (
    DEFAULT_COLUMN_WIDTH,
    FIRST_PERIOD_COLUMN,
    INPUT_SHEET,
    INPUT_SHEETS,
    MAX_FORMULA_LENGTH,
    MAX_HEADER_FOOTER_LENGTH,
    MIN_TEXT_PT,
    PrintLayout,
    boolean_literal,
    check_sheet_order,
    footer_problems,
    function_problems,
    header_problems,
    is_timeline,
    lower_row_references,
    month_break_problems,
    name_target,
    numeric_constants,
    print_size_problems,
    row_deviations,
    sheet_kind,
    to_r1c1,
    typed_value_allowed,
    workbook_kind,
)
from kim_budget.workbook.spec import INPUT_STYLE, MASTER_NAME, MONATE

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    from kim_budget.libreoffice import Values

__all__ = [
    "ENGINE_MISSING",
    "INPUT_STYLE",
    "MASTER_CHECK",
    "RULES",
    "TYPED_VALUE",
    "Finding",
    "Report",
    "verify_workbooks",
]

MASTER_CHECK = MASTER_NAME
ENGINE_MISSING = "LibreOffice (soffice) is not installed; install libreoffice-calc-nogui"
MAX_PROMPT = 255
MAX_TITLE = 32
TYPED_VALUE = "number typed in as a value; derived figures must be formulas"
NO_CACHED_VALUES = (
    "none of its {count} formulas has a cached value (it was saved by a program that does "
    "not calculate), so previews, Protected View and pandas show no figures; open and save "
    "the workbook in a spreadsheet program, or rebuild it"
)

RULES = {
    "W0": "the workbook exists and can be read",
    "F1": "no numeric constants in formulas except 0, 1, 12 and 100",
    "F2": "one formula per timeline row (same R1C1 formula in every period column)",
    "F3": "only allowed functions; no nested IF, nothing volatile, no links to other files",
    "F4": f"formulas at most {MAX_FORMULA_LENGTH} characters",
    "F5": "no formula refers to a lower row of its own sheet",
    "F6": (
        f"derived figures are formulas: typed-in numbers only in column B of {INPUT_SHEET} "
        "(and the table columns B–H of Tarif; in a results-only comparison, the year columns "
        "of Vergleich: values from the scenarios' workbooks)"
    ),
    "S1": "sheet order",
    "S2": "nothing hidden (sheets, rows, columns)",
    "S3": "every sheet protected",
    "S4": (
        f"inputs: unlocked, in the style {INPUT_STYLE} (where the workbook keeps named "
        f"styles), constants, only on {INPUT_SHEET}"
    ),
    "S5": "data validation with prompt and error message on every input cell",
    "S6": (
        "print setup: A4 landscape, print titles, text printed at least "
        f"{MIN_TEXT_PT:g} pt, pages that fit the paper, one Haushaltsjahr per page on Monate, "
        f"header and footer (each at most {MAX_HEADER_FOOTER_LENGTH} characters)"
    ),
    "S7": "no number, date or boolean cell in the General number format",
    "S8": "defined names and sheet names obey Excel's rules; names refer to existing sheets",
    "M1": f"the master check {MASTER_CHECK} is TRUE",
    "E0": "LibreOffice is installed (when the engine check is required)",
    "E1": "recalculation on load; LibreOffice confirms every cached value, no error cells",
}
"""Rule id → what it requires."""

_CellKey = tuple[str, str]


@dataclass(frozen=True)
class Finding:
    """One breach of the standard; sheet and cell are "" for workbook- or sheet-wide ones."""

    path: Path
    sheet: str
    cell: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        place = f"{where}: " if where else ""
        return f"{self.path}: {place}[{self.rule}] {self.message}"


@dataclass(frozen=True)
class Report:
    """What `verify_workbooks` found."""

    findings: tuple[Finding, ...]
    engine_skipped: bool
    """True when LibreOffice did not recalculate (not installed, or use_engine=False)."""
    checked: tuple[Path, ...]
    """The workbook files looked at, in order."""
    recalculated: tuple[Path, ...] = ()
    """The workbooks LibreOffice recalculated (E1), in order."""
    confirmed: tuple[Path, ...] = ()
    """Those of `recalculated` whose every cached value LibreOffice confirmed."""

    @property
    def ok(self) -> bool:
        """Whether no rule was broken."""
        return not self.findings

    def counts(self) -> dict[str, int]:
        """Number of findings per rule id, in the order of `RULES`."""
        counter = Counter(finding.rule for finding in self.findings)
        order = list(RULES)
        return dict(sorted(counter.items(), key=lambda item: order.index(item[0])))


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
    files, findings = _collect(paths)
    per_file: dict[Path, list[Finding]] = {}
    to_confirm: dict[Path, _ToConfirm] = {}
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
            engine_findings, recalculated = _engine_findings(to_confirm)
            for finding in engine_findings:
                per_file[finding.path].append(finding)
            unconfirmed = {finding.path for finding in engine_findings}
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


def _collect(paths: Sequence[Path]) -> tuple[list[Path], list[Finding]]:
    """The workbook files named or found in the folders named, and what was not found.

    A folder's workbooks are its ``*.xlsx`` entries that are not hidden (temporary files, Office
    lock files ``~$…``); one that is no regular file is read, and so reported, like any other."""
    files: list[Path] = []
    findings: list[Finding] = []
    if not paths:
        findings.append(Finding(Path("."), "", "", "W0", "no workbook given"))
    for path in paths:
        kind = path_kind(path)
        if kind == "folder":
            try:
                found = sorted(
                    entry
                    for entry in path.iterdir()
                    if entry.suffix.lower() == ".xlsx" and not hidden(entry)
                )
            except OSError as error:
                findings.append(
                    Finding(path, "", "", "W0", f"cannot list the folder: {error.strerror}")
                )
                continue
            if not found:
                findings.append(Finding(path, "", "", "W0", "no workbook (*.xlsx) in this folder"))
            files.extend(found)
        elif kind == "file":
            files.append(path)
        else:
            findings.append(Finding(path, "", "", "W0", "no such file or folder"))
    return list(dict.fromkeys(files)), findings


# --- reading --------------------------------------------------------------------------------


class _Unreadable(Exception):
    """The file is no workbook verify can read; the message says what it is instead."""


@dataclass(frozen=True)
class _Package:
    """What is read from the package's XML rather than through openpyxl."""

    headers: dict[str, tuple[str, str]]
    """Sheet name → (odd header, odd footer) as stored (openpyxl splits them lossily)."""
    external_parts: tuple[str, ...]
    full_calc_on_load: bool
    application: str
    """The program that saved the file, as docProps/app.xml names it ("" when it does not)."""
    style_names: dict[int, str]
    """Index in cellStyleXfs → name of the named cell style (cellStyles) it belongs to."""
    custom_styles: tuple[str, ...]
    """The named cell styles that are not built in (no builtinId), in file order."""

    @property
    def written_by_openpyxl(self) -> bool:
        """Whether the cached values come from a program that does not calculate."""
        return not self.application or "openpyxl" in self.application.casefold()


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml(archive: zipfile.ZipFile, part: str) -> Element:
    try:
        return ElementTree.fromstring(archive.read(part))
    except ElementTree.ParseError as error:
        raise _Unreadable(f"damaged: the part {part} is not well-formed XML ({error})") from None


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of a package part ("" for the package)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.namelist():
        return {}
    targets: dict[str, tuple[str, str]] = {}
    for element in _xml(archive, rels):
        target = element.get("Target", "")
        if element.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            target = posixpath.normpath(target)
        targets[element.get("Id", "")] = (element.get("Type", ""), target)
    return targets


def _header_footer(archive: zipfile.ZipFile, part: str) -> tuple[str, str]:
    texts = {"oddHeader": "", "oddFooter": ""}
    try:
        with archive.open(part) as stream:
            for _, element in ElementTree.iterparse(stream):
                tag = _local(element.tag)
                if tag in texts:
                    texts[tag] = element.text or ""
                elif tag == "headerFooter":
                    break
    except ElementTree.ParseError as error:
        raise _Unreadable(f"damaged: the part {part} is not well-formed XML ({error})") from None
    return texts["oddHeader"], texts["oddFooter"]


def _styles(archive: zipfile.ZipFile, part: str) -> tuple[dict[int, str], tuple[str, ...]]:
    """The named cell styles: cellStyleXfs index → name, and the names not built in."""
    names: dict[int, str] = {}
    custom: list[str] = []
    for element in _xml(archive, part).iter():
        if _local(element.tag) != "cellStyle":
            continue
        name = element.get("name", "")
        xf = element.get("xfId", "")
        if xf.isdigit():
            names.setdefault(int(xf), name)
        if element.get("builtinId") is None:
            custom.append(name)
    return names, tuple(custom)


def _application(archive: zipfile.ZipFile) -> str:
    for kind, target in _relationships(archive, "").values():
        if kind.endswith("/extended-properties") and target in archive.namelist():
            element = next(
                (e for e in _xml(archive, target).iter() if _local(e.tag) == "Application"), None
            )
            return (element.text or "").strip() if element is not None else ""
    return ""


def _read_package(checked: Package) -> _Package:
    """Reads the package's XML; raises `_Unreadable` when a part is missing or damaged."""
    with checked.archive() as archive:
        names = set(archive.namelist())
        office = next(
            (
                target
                for kind, target in _relationships(archive, "").values()
                if kind.endswith("/officeDocument")
            ),
            None,
        )
        if office is None or office not in names:
            raise _Unreadable("not an xlsx workbook: the package has no workbook part")
        workbook = _xml(archive, office)
        if _local(workbook.tag) != "workbook":
            raise _Unreadable(f"not an xlsx workbook: its main part {office} is no workbook")
        parts = _relationships(archive, office)
        headers: dict[str, tuple[str, str]] = {}
        full_calc = False
        for element in workbook.iter():
            tag = _local(element.tag)
            if tag == "calcPr":
                full_calc = element.get("fullCalcOnLoad") in ("1", "true")
            elif tag == "sheet":
                sheet = element.get("name", "")
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                target = parts.get(rid, ("", ""))[1]
                if target not in names:
                    raise _Unreadable(
                        f"damaged: the sheet {sheet} is listed, but its part "
                        f"{target or '(none)'} is missing"
                    )
                headers[sheet] = _header_footer(archive, target)
        styles = next((target for kind, target in parts.values() if kind.endswith("/styles")), "")
        if styles not in names:
            raise _Unreadable("damaged: the part with the cell formats (styles) is missing")
        style_names, custom = _styles(archive, styles)
        external = tuple(name for name in names if name.lower().startswith("xl/externallinks/"))
        application = _application(archive)
    return _Package(headers, tuple(sorted(external)), full_calc, application, style_names, custom)


def _describe(error: Exception) -> str:
    """An error's own words, for a finding (the exception's class means nothing to a user)."""
    text = str(error).strip().strip("'\"")
    return text or "unexpected content"


MAX_LISTED = 100
"""Findings of one rule on one sheet listed one by one; beyond them, their number."""


class _Findings:
    """Collects the findings of one workbook: of one rule on one sheet the first `MAX_LISTED`,
    then their number (a damaged or hostile sheet may break a rule in every cell)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._items: list[Finding] = []
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, rule: str, message: str, sheet: str = "", cell: str = "") -> None:
        self._counts[(rule, sheet)] += 1
        if self._counts[(rule, sheet)] <= MAX_LISTED:
            self._items.append(Finding(self.path, sheet, cell, rule, message))

    @property
    def items(self) -> list[Finding]:
        """The findings listed, and per rule and sheet with more a line saying how many."""
        more = [
            Finding(
                self.path,
                sheet,
                "",
                rule,
                f"… and {count - MAX_LISTED:,} more cells breaking this rule on this sheet "
                f"(the first {MAX_LISTED} are listed)",
            )
            for (rule, sheet), count in self._counts.items()
            if count > MAX_LISTED
        ]
        return self._items + more


@dataclass(frozen=True)
class _Opened:
    """A readable workbook: its checked bytes, package XML, formulas and cached values."""

    checked: Package
    package: _Package
    book: Workbook
    cached: Workbook


def _open(path: Path) -> _Opened:
    """The workbook, read within the bounds of `package.read_package`, or `_Unreadable` saying
    what the file is instead."""
    try:
        checked = read_package(path)
    except PackageError as error:
        raise _Unreadable(error.reason) from None
    try:
        return _Opened(
            checked,
            _read_package(checked),
            load_workbook(checked, data_only=False),
            load_workbook(checked, data_only=True),
        )
    except _Unreadable:
        raise
    except Exception as error:  # zipfile's and openpyxl's errors on damaged files share no type
        raise _Unreadable(f"damaged: the workbook cannot be read ({_describe(error)})") from None


@dataclass(frozen=True)
class _ToConfirm:
    """What LibreOffice is to confirm of one workbook: its checked bytes and the cached value
    of each formula cell, in the order of the cells."""

    data: bytes
    cached: Values


def _check_workbook(path: Path) -> tuple[list[Finding], _ToConfirm | None]:
    """The findings of one workbook and what LibreOffice is to confirm.

    None instead when the workbook cannot be read or has no cached values.
    Never raises for a bad file: what cannot be read or checked is a finding (W0).
    """
    out = _Findings(path)
    try:
        opened = _open(path)
    except _Unreadable as error:
        out.add("W0", str(error))
        return out.items, None
    try:
        cells = _check_contents(out, path, opened)
        if cells is None:
            return out.items, None
        return out.items, _ToConfirm(opened.checked.data, _cached_values(opened.cached, cells))
    except Exception as error:  # a file some program wrote oddly must not end the run
        out.add(
            "W0",
            f"the workbook could not be checked completely ({_describe(error)}); "
            "the findings above are all that was found",
        )
        return out.items, None


def _cached_values(cached: Workbook, cells: list[_CellKey]) -> Values:
    from kim_budget.libreoffice import cell_value

    return {(sheet, cell): cell_value(cached[sheet][cell].value) for sheet, cell in cells}


def _check_contents(out: _Findings, path: Path, opened: _Opened) -> list[_CellKey] | None:
    package, book, cached = opened.package, opened.book, opened.cached
    kind = workbook_kind(book.sheetnames)
    for problem in check_sheet_order(book.sheetnames):
        out.add("S1", problem)
    _check_names(out, book)
    for part in package.external_parts:
        out.add("F3", f"link to another file: the package has the part {part}")
    if not package.full_calc_on_load and package.written_by_openpyxl:
        out.add("E1", "the workbook does not force recalculation on load (calcPr fullCalcOnLoad)")
    inputs = _input_rules(out, package)
    styles = _Styles()
    cells: list[_CellKey] = []
    uncached = 0
    for ws in book.worksheets:
        header, footer = package.headers.get(ws.title, ("", ""))
        _check_sheet(out, ws, header, footer, path.name, styles)
        sheet_cells, sheet_uncached = _check_cells(out, ws, cached[ws.title], inputs, kind, styles)
        cells += sheet_cells
        uncached += sheet_uncached
    _check_master(out, cached)
    if cells and uncached == len(cells):
        out.add("E1", NO_CACHED_VALUES.format(count=len(cells)))
        return None
    return cells


# --- sheets ---------------------------------------------------------------------------------


def _check_sheet(
    out: _Findings, ws: Worksheet, header: str, footer: str, file_name: str, styles: _Styles
) -> None:
    sheet = ws.title
    problem = check_sheet_name(sheet)
    if problem:
        out.add("S8", problem, sheet)
    if ws.sheet_state != "visible":
        out.add("S2", f"the sheet is {ws.sheet_state}", sheet)
    for index, row in sorted(ws.row_dimensions.items()):
        if row.hidden:
            out.add("S2", "the row is hidden", sheet, f"{index}:{index}")
    for key, col in sorted(ws.column_dimensions.items()):
        if col.hidden:
            first = col.min or column_number(key)
            last = max(col.max or first, first)
            span = f"{column_letter(first)}:{column_letter(last)}"
            what = "the columns are" if last > first else "the column is"
            out.add("S2", f"{what} hidden", sheet, span)
    if not ws.protection.sheet:
        out.add("S3", "the sheet is not protected", sheet)
    for problem in _print_problems(ws, styles) + header_problems(header):
        out.add("S6", problem, sheet)
    for problem in footer_problems(footer, file_name):
        out.add("S6", problem, sheet)


def _print_problems(ws: Worksheet, styles: _Styles) -> list[str]:
    setup = ws.page_setup
    problems = []
    if setup.orientation != "landscape":
        problems.append(f"orientation is {setup.orientation or 'not set'}; expected landscape")
    if str(setup.paperSize) != "9":
        problems.append(f"paper size is {setup.paperSize or 'not set'}; expected A4 (9)")
    fit = ws.sheet_properties.pageSetUpPr
    fitting = fit is not None and bool(fit.fitToPage)
    if fitting and setup.fitToWidth is not None and int(setup.fitToWidth) != 1:
        problems.append(f"fitToWidth is {setup.fitToWidth}; expected 1 (one page wide)")
    if not fitting and setup.scale is None:
        problems.append("neither fit to page (pageSetUpPr fitToPage) nor a print scale is set")
    if is_timeline(ws.title):
        if not ws.print_title_rows:
            problems.append("no print title rows (rows to repeat on every page)")
        if not ws.print_title_cols:
            problems.append("no print title columns (columns to repeat on every page)")
    layout, smallest = _print_layout(ws, fitting, styles)
    problems += print_size_problems(layout, smallest)
    if sheet_kind(ws.title, (MONATE,)) is not None:
        problems += month_break_problems(layout.breaks, len(layout.widths))
    return problems


def _print_layout(ws: Worksheet, fitting: bool, styles: _Styles) -> tuple[PrintLayout, float]:
    """The sheet's print geometry and the size of its smallest font (pt) in a used cell."""
    last_col, smallest = 1, 0.0
    for cell in stored_cells(ws):
        if cell.value is not None:
            last_col = max(last_col, cell.column)
            size = styles.font_size(cell)
            smallest = size if not smallest else min(smallest, size)
    widths = []
    for col in range(1, last_col + 1):
        dimension = ws.column_dimensions.get(column_letter(col))
        width = dimension.width if dimension is not None and dimension.customWidth else None
        widths.append(float(width or DEFAULT_COLUMN_WIDTH))
    titles = ws.print_title_cols or ""
    title_columns = column_number(titles.split(":")[-1].replace("$", "")) if titles else 0
    margins = ws.page_margins
    layout = PrintLayout(
        widths=tuple(widths),
        breaks=tuple(int(brk.id) for brk in ws.col_breaks.brk if brk.id),
        title_columns=title_columns,
        margins_pt=72 * (float(margins.left or 0.75) + float(margins.right or 0.75)),
        fit_width=int(ws.page_setup.fitToWidth or 1) if fitting else None,
        scale=float(ws.page_setup.scale or 100),
    )
    return layout, smallest or 11.0


# --- cells ----------------------------------------------------------------------------------


def _formula_text(cell: Cell) -> str | None:
    if cell.data_type != "f":
        return None
    value: Any = cell.value
    text = value if isinstance(value, str) else str(getattr(value, "text", value))
    return text if text.startswith("=") else f"={text}"


@dataclass(frozen=True)
class _InputRules:
    """How input cells are recognised in one workbook."""

    style_names: dict[int, str]
    """cellStyleXfs index → named style (read from the XML: openpyxl's lookup fails on
    files other programs wrote)."""
    by_style: bool
    """True: inputs carry the style Eingabe. False: the workbook keeps no such style
    (Gnumeric keeps no named styles), inputs are the unlocked cells in column B of Annahmen."""


def _input_rules(out: _Findings, package: _Package) -> _InputRules:
    by_style = INPUT_STYLE in package.style_names.values()
    if not by_style and package.custom_styles:
        own = ", ".join(package.custom_styles)
        out.add("S4", f"the workbook has no named cell style {INPUT_STYLE} (its own styles: {own})")
    return _InputRules(package.style_names, by_style)


_LOOKUP_ERRORS = (IndexError, KeyError, AttributeError, TypeError, ValueError)
"""What openpyxl raises on a style id of a file another program wrote."""


def _style_name(cell: Cell, inputs: _InputRules) -> str | None:
    xf = getattr(getattr(cell, "_style", None), "xfId", None)
    return inputs.style_names.get(xf) if isinstance(xf, int) else None


def _style_id(cell: Any, part: str) -> int | None:
    return getattr(getattr(cell, "_style", None), part, None)


class _Styles:
    """A cell's protection, number format and font size, looked up once per style id (openpyxl
    builds a proxy object on every access, which costs more than all the checks of a cell)."""

    def __init__(self) -> None:
        self._locked: dict[int | None, bool] = {}
        self._formats: dict[int | None, str | None] = {}
        self._sizes: dict[int | None, float] = {}

    def locked(self, cell: Cell) -> bool:
        """Whether the cell is locked; Excel's default (locked) when its protection is
        unreadable."""
        key = _style_id(cell, "protectionId")
        if key not in self._locked:
            try:
                self._locked[key] = cell.protection.locked is not False
            except _LOOKUP_ERRORS:
                self._locked[key] = True
        return self._locked[key]

    def number_format(self, cell: Any) -> str | None:
        key = _style_id(cell, "numFmtId")
        if key not in self._formats:
            try:
                self._formats[key] = str(cell.number_format)
            except _LOOKUP_ERRORS:
                self._formats[key] = None
        return self._formats[key]

    def font_size(self, cell: Cell) -> float:
        key = _style_id(cell, "fontId")
        if key not in self._sizes:
            font = cell.font
            self._sizes[key] = float(font.sz or 11) if font is not None else 11.0
        return self._sizes[key]


def stored_cells(ws: Worksheet) -> list[Cell]:
    """The sheet's cells as stored, row by row (not the empty cells of the rectangle up to the
    last one, which openpyxl would make for each), without the parts of merged ranges."""
    from openpyxl.cell.cell import Cell

    cells: dict[tuple[int, int], Any] = getattr(ws, "_cells")  # noqa: B009
    return [cell for _, cell in sorted(cells.items()) if isinstance(cell, Cell)]


def _stored(ws: Worksheet, row: int, col: int) -> Any:
    """A stored cell, or None (without making one)."""
    cells: dict[tuple[int, int], Any] = getattr(ws, "_cells")  # noqa: B009
    return cells.get((row, col))


def _check_cells(
    out: _Findings,
    ws: Worksheet,
    cached: Worksheet,
    inputs: _InputRules,
    kind: str,
    styles: _Styles,
) -> tuple[list[_CellKey], int]:
    """Formula, input and number-format rules for every cell (`kind`: the workbook's kind).

    Returns the formula cells and how many of them have no cached value.
    """
    sheet = ws.title
    timeline = is_timeline(sheet)
    validations = _validation_index(ws)
    forms: dict[int, dict[int, str]] = {}  # F2: row → period column → R1C1 formula
    last_col = 0
    formulas: list[_CellKey] = []
    uncached = 0
    for cell in stored_cells(ws):
        if cell.value is not None:
            last_col = max(last_col, cell.column)
        text = _formula_text(cell)
        value = cell.value if text is None else boolean_literal(text)
        if value is not None:  # =TRUE() is how LibreOffice saves a typed-in TRUE
            text = None
        result = _stored(cached, cell.row, cell.column)
        if text is not None:
            formulas.append((sheet, cell.coordinate))
            uncached += result is None or result.value is None
            _check_formula(out, sheet, cell, text)
            if timeline and cell.column >= FIRST_PERIOD_COLUMN:
                forms.setdefault(cell.row, {})[cell.column] = to_r1c1(text, cell.row, cell.column)
        elif _is_number(value) and not typed_value_allowed(sheet, cell.column, kind):
            out.add("F6", TYPED_VALUE, sheet, cell.coordinate)
        _check_input(out, sheet, cell, text, validations, inputs, styles)
        if result is not None:
            _check_number_format(out, sheet, result, styles)
    for row_number, row_forms in sorted(forms.items()):
        _check_row(out, sheet, row_number, row_forms, last_col)
    return formulas, uncached


def _check_formula(out: _Findings, sheet: str, cell: Cell, text: str) -> None:
    where = (sheet, cell.coordinate)
    constants = numeric_constants(text)
    if constants:
        out.add(
            "F1",
            f"numeric constant{'s' if len(constants) > 1 else ''} {', '.join(constants)} in "
            f"{text}; only 0, 1, 12 and 100 may stand in a formula (use an input cell)",
            *where,
        )
    for problem in function_problems(text):
        out.add("F3", problem, *where)
    if len(text) - 1 > MAX_FORMULA_LENGTH:
        out.add(
            "F4",
            f"formula has {len(text) - 1} characters; at most {MAX_FORMULA_LENGTH} allowed",
            *where,
        )
    lower = lower_row_references(text, sheet, cell.row)
    if lower:
        out.add("F5", f"{text} refers to a lower row of its own sheet: {', '.join(lower)}", *where)


def _check_row(out: _Findings, sheet: str, row: int, forms: dict[int, str], last_col: int) -> None:
    """F2: every period column of a formula row holds the same R1C1 formula."""
    for col, message in row_deviations(row, forms, last_col):
        out.add("F2", message, sheet, f"{column_letter(col)}{row}")


def _check_input(
    out: _Findings,
    sheet: str,
    cell: Cell,
    formula: str | None,
    validations: dict[str, DataValidation],
    inputs: _InputRules,
    styles: _Styles,
) -> None:
    """S4 and S5 for cells with the input style or without cell protection."""
    unlocked = not styles.locked(cell)
    where = (sheet, cell.coordinate)
    on_input_sheet = sheet_kind(sheet, INPUT_SHEETS) is not None
    if inputs.by_style:
        styled = _style_name(cell, inputs) == INPUT_STYLE
        if not (styled or unlocked):
            return
        if not styled:
            out.add("S4", f"the cell is unlocked but lacks the input style {INPUT_STYLE}", *where)
        if not unlocked:
            out.add("S4", f"input cell (style {INPUT_STYLE}) is locked; unlock it", *where)
        validated = styled
    else:
        if not unlocked:
            return
        validated = typed_value_allowed(sheet, cell.column)
        if on_input_sheet and not validated:
            out.add(
                "S4", f"the cell is unlocked; inputs stand in the value columns of {sheet}", *where
            )
    if not on_input_sheet:
        places = " and ".join(INPUT_SHEETS)
        out.add("S4", f"input cell on {sheet}; inputs belong on {places}", *where)
    if formula is not None:
        out.add("S4", f"input cell holds the formula {formula}; inputs are constants", *where)
    if validated:
        problems = _validation_problems(cell.coordinate, validations)
        if problems:
            out.add("S5", "; ".join(problems), *where)


def _validation_index(ws: Worksheet) -> dict[str, DataValidation]:
    """Cell → the first data validation that covers it, for the cells of the sheet's used area
    (a validated range may reach beyond it; the package's bounds limit this area)."""
    index: dict[str, DataValidation] = {}
    last_row, last_col = ws.max_row, ws.max_column
    for validation in ws.data_validations.dataValidation:
        for area in validation.sqref.ranges:
            for row in range(area.min_row, min(area.max_row, last_row) + 1):
                for col in range(area.min_col, min(area.max_col, last_col) + 1):
                    index.setdefault(f"{column_letter(col)}{row}", validation)
    return index


def _validation_problems(coordinate: str, validations: dict[str, DataValidation]) -> list[str]:
    validation = validations.get(coordinate)
    if validation is None:
        return ["input cell has no data validation"]
    problems = []
    for label, text, limit in (
        ("prompt", validation.prompt, MAX_PROMPT),
        ("prompt title", validation.promptTitle, MAX_TITLE),
        ("error message", validation.error, MAX_PROMPT),
        ("error title", validation.errorTitle, MAX_TITLE),
    ):
        if not text:
            problems.append(f"the validation has no {label}")
        elif len(text) > limit:
            problems.append(
                f"the validation's {label} has {len(text)} characters; at most {limit} allowed"
            )
    if not validation.showInputMessage:
        problems.append("the validation does not show its prompt (showInputMessage)")
    if not validation.showErrorMessage:
        problems.append("the validation does not show its error message (showErrorMessage)")
    return problems


def _is_number(value: object) -> bool:
    """Whether a cell value is a number, date, time or boolean (bool is an int)."""
    return isinstance(value, int | float | date | time | timedelta)


def _check_number_format(out: _Findings, sheet: str, cell: Any, styles: _Styles) -> None:
    """S7: a cell whose (cached) value is a number, date or boolean has a number format."""
    value = cell.value
    if _is_number(value) and styles.number_format(cell) == "General":
        out.add("S7", f"{value!r} is shown in the General number format", sheet, cell.coordinate)


# --- names ----------------------------------------------------------------------------------


def _check_names(out: _Findings, book: Workbook) -> None:
    """S8: workbook-scope names obey Excel's rules and refer to existing sheets."""
    sheets = {name.casefold() for name in book.sheetnames}
    for name, defined in book.defined_names.items():
        if name.startswith("_xlnm."):
            continue
        problem = check_defined_name(name)
        if problem:
            out.add("S8", problem)
        refs = name_target(defined.attr_text)
        if refs is None:
            out.add("S8", f"defined name {name} does not refer to cells ({defined.attr_text})")
            continue
        for ref in refs:
            if (ref.sheet or "").casefold() not in sheets:
                out.add("S8", f"defined name {name} refers to the missing sheet {ref.sheet}")


def _check_master(out: _Findings, cached: Workbook) -> None:
    """M1: the master check exists and its cached value is TRUE."""
    defined = cached.defined_names.get(MASTER_CHECK)
    if defined is None:
        out.add("M1", f"no master check: the workbook has no defined name {MASTER_CHECK}")
        return
    refs = name_target(defined.attr_text)
    titles = {title.casefold(): title for title in cached.sheetnames}
    ref = refs[0] if refs and len(refs) == 1 else None
    if ref is None or ref.last is not None or (ref.sheet or "").casefold() not in titles:
        out.add("M1", f"no master check: {MASTER_CHECK} must name one cell ({defined.attr_text})")
        return
    assert ref.first is not None and ref.first.row is not None and ref.first.col is not None
    sheet = titles[(ref.sheet or "").casefold()]
    coordinate = f"{column_letter(ref.first.col)}{ref.first.row}"
    value = cached[sheet][coordinate].value
    if value is None:
        out.add(
            "M1",
            f"the master check {MASTER_CHECK} has no cached value; open and save the workbook "
            "in a spreadsheet program, or rebuild it",
            sheet,
            coordinate,
        )
        return
    if value is True or (not isinstance(value, bool) and value == 1):
        return
    detail = "" if value is False else f" (cached value {value!r})"
    out.add("M1", f"master check is FALSE{detail}", sheet, coordinate)


# --- engine ---------------------------------------------------------------------------------


def _engine_findings(
    to_confirm: dict[Path, _ToConfirm],
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
        reason = str(error) if isinstance(error, engine.EngineError) else _describe(error)
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
