"""The rules of every cell: formulas (F1–F5), typed-in numbers (F6), inputs and their
validation (S4, S5), number formats (S7).

Only the cells a sheet stores are visited (not the empty rectangle up to its last cell), and a
cell's style is looked up once per style id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from kim_budget.formula import boolean_literal, column_letter
from kim_budget.verify.formula_rules import (
    function_problems,
    lower_row_references,
    numeric_constants,
    row_deviations,
    to_r1c1,
    typed_value_allowed,
)
from kim_budget.verify.package_xml import PackageXml
from kim_budget.verify.report import TYPED_VALUE, CellKey, Findings
from kim_budget.verify.sheet_rules import is_timeline, sheet_kind
from kim_budget.workbook.spec import (
    FIRST_PERIOD as FIRST_PERIOD_COLUMN,
)
from kim_budget.workbook.spec import (
    INPUT_SHEETS,
    INPUT_STYLE,
    MAX_FORMULA_LENGTH,
)

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

MAX_PROMPT = 255
MAX_TITLE = 32


def _formula_text(cell: Cell) -> str | None:
    if cell.data_type != "f":
        return None
    value: Any = cell.value
    text = value if isinstance(value, str) else str(getattr(value, "text", value))
    return text if text.startswith("=") else f"={text}"


@dataclass(frozen=True)
class InputRules:
    """How input cells are recognised in one workbook."""

    style_names: dict[int, str]
    """cellStyleXfs index → named style (read from the XML: openpyxl's lookup fails on
    files other programs wrote)."""
    by_style: bool
    """True: inputs carry the style Eingabe. False: the workbook keeps no such style
    (Gnumeric keeps no named styles), inputs are the unlocked cells in column B of Annahmen."""


def input_rules(out: Findings, package: PackageXml) -> InputRules:
    by_style = INPUT_STYLE in package.style_names.values()
    if not by_style and package.custom_styles:
        own = ", ".join(package.custom_styles)
        out.add("S4", f"the workbook has no named cell style {INPUT_STYLE} (its own styles: {own})")
    return InputRules(package.style_names, by_style)


_LOOKUP_ERRORS = (IndexError, KeyError, AttributeError, TypeError, ValueError)
"""What openpyxl raises on a style id of a file another program wrote."""


def _style_name(cell: Cell, inputs: InputRules) -> str | None:
    xf = getattr(getattr(cell, "_style", None), "xfId", None)
    return inputs.style_names.get(xf) if isinstance(xf, int) else None


def _style_id(cell: Any, part: str) -> int | None:
    return getattr(getattr(cell, "_style", None), part, None)


class Styles:
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


def check_cells(
    out: Findings,
    ws: Worksheet,
    cached: Mapping[tuple[int, int], Any],
    inputs: InputRules,
    kind: str,
    styles: Styles,
) -> tuple[list[CellKey], int]:
    """Formula, input and number-format rules for every cell (`kind`: the workbook's kind;
    `cached`: the cached value of each formula cell by row and column).

    Returns the formula cells and how many of them have no cached value.
    """
    sheet = ws.title
    timeline = is_timeline(sheet)
    validations = _validation_index(ws)
    forms: dict[int, dict[int, str]] = {}  # F2: row → period column → R1C1 formula
    last_col = 0
    formulas: list[CellKey] = []
    uncached = 0
    for cell in stored_cells(ws):
        if cell.value is not None:
            last_col = max(last_col, cell.column)
        text = _formula_text(cell)
        value = cell.value if text is None else boolean_literal(text)
        if value is not None:  # =TRUE() is how LibreOffice saves a typed-in TRUE
            text = None
        result = cached.get((cell.row, cell.column)) if cell.data_type == "f" else cell.value
        if text is not None:
            formulas.append((sheet, cell.coordinate))
            uncached += result is None
            _check_formula(out, sheet, cell, text)
            if timeline and cell.column >= FIRST_PERIOD_COLUMN:
                forms.setdefault(cell.row, {})[cell.column] = to_r1c1(text, cell.row, cell.column)
        elif _is_number(value) and not typed_value_allowed(sheet, cell.column, kind):
            out.add("F6", TYPED_VALUE, sheet, cell.coordinate)
        _check_input(out, sheet, cell, text, validations, inputs, styles)
        _check_number_format(out, sheet, cell, result, styles)
    for row_number, row_forms in sorted(forms.items()):
        _check_row(out, sheet, row_number, row_forms, last_col)
    return formulas, uncached


def _check_formula(out: Findings, sheet: str, cell: Cell, text: str) -> None:
    where = (sheet, cell.coordinate)
    constants = numeric_constants(text)
    if constants:
        out.add(
            "F1",
            f"numeric constant{'s' if len(constants) > 1 else ''} {', '.join(constants)} in "
            f"{text}; only 0, 0.5, 1, 12 and 100 may stand in a formula (use an input cell)",
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


def _check_row(out: Findings, sheet: str, row: int, forms: dict[int, str], last_col: int) -> None:
    """F2: every period column of a formula row holds the same R1C1 formula."""
    for col, message in row_deviations(row, forms, last_col):
        out.add("F2", message, sheet, f"{column_letter(col)}{row}")


def _check_input(
    out: Findings,
    sheet: str,
    cell: Cell,
    formula: str | None,
    validations: dict[str, DataValidation],
    inputs: InputRules,
    styles: Styles,
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


def _check_number_format(out: Findings, sheet: str, cell: Any, value: Any, styles: Styles) -> None:
    """S7: a cell whose (cached) value is a number, date or boolean has a number format."""
    if _is_number(value) and styles.number_format(cell) == "General":
        out.add("S7", f"{value!r} is shown in the General number format", sheet, cell.coordinate)
