"""The formula rules (F1–F6) and defined-name targets, over formula text: no workbook needed.

Formulas are split into tokens by `tokenize` (strings, references, names, functions, numbers,
operators); every formula rule works on those tokens, so digits inside references (``A12``,
``$B$100``), sheet names (``'Monate 2024'!A1``) and strings never count as constants.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from enum import StrEnum
from typing import NamedTuple

from kim_budget.excel_names import MAX_COLUMN, MAX_ROW
from kim_budget.formula import column_letter, column_number
from kim_budget.verify.sheet_rules import sheet_kind
from kim_budget.workbook.spec import (
    ALLOWED_CONSTANTS,
    ALLOWED_FUNCTIONS,
    FOREIGN_VALUE_COLUMNS,
    INPUT_SHEETS,
    TYPED_COLUMNS,
    VOLATILE_FUNCTIONS,
)
from kim_budget.workbook.spec import FIRST_PERIOD as FIRST_PERIOD_COLUMN

_FUNCTION_PREFIXES = ("_xlfn.", "_xlws.", "_xludf.")


class Kind(StrEnum):
    """What a token of a formula is."""

    SPACE = "space"
    STRING = "string"
    ERROR = "error"
    REF = "ref"
    NAME = "name"
    FUNCTION = "function"
    NUMBER = "number"
    OPERATOR = "operator"
    OTHER = "other"


class Point(NamedTuple):
    """One end of a reference; row None for whole columns, col None for whole rows."""

    row: int | None
    col: int | None
    row_absolute: bool = False
    col_absolute: bool = False


class Token(NamedTuple):
    """A piece of formula text; references and names also carry their parsed parts.

    (A named tuple: a formula has dozens of tokens, and verify reads every formula of a
    workbook; it is made several times faster than a frozen dataclass.)"""

    kind: Kind
    text: str
    prefix: str = ""
    """The sheet part of a reference or name as written, with its "!" ("" when none)."""
    first: Point | None = None
    last: Point | None = None
    """The end of a range (None for a single cell)."""

    @property
    def sheet(self) -> str | None:
        """The sheet a reference or name is qualified with (unquoted), None when none."""
        if not self.prefix:
            return None
        name = self.prefix[:-1]
        if name.startswith("'") and name.endswith("'") and len(name) >= 2:
            name = name[1:-1].replace("''", "'")
        return name.rpartition("]")[2]

    @property
    def external(self) -> bool:
        """Whether the reference points into another file (``[1]Sheet!A1``)."""
        return "[" in self.prefix

    def points(self) -> tuple[Point, ...]:
        """The ends of a reference."""
        return tuple(p for p in (self.first, self.last) if p is not None)


_SHEET = r"(?:'(?:[^']|'')*'|\[[^\]]*\][\w.]*|[^\W\d][\w.]*)!"
_CELL = r"\$?[A-Za-z]{1,3}\$?[0-9]+"
_AREA = rf"(?:{_CELL}(?::{_CELL})?|\$?[A-Za-z]{{1,3}}:\$?[A-Za-z]{{1,3}}|\$?[0-9]+:\$?[0-9]+)"
_IDENTIFIER = r"(?:[^\W\d]|\\)[\w.\\]*"
_TOKEN = re.compile(
    rf"""(?P<space>\s+)
    |(?P<string>"(?:[^"]|"")*"?)
    |(?P<error>\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!))
    |(?P<ref>(?:{_SHEET})?{_AREA}(?![\w.(!\[]))
    |(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    |(?P<function>{_IDENTIFIER}(?=\s*\())
    |(?P<name>(?:{_SHEET})?{_IDENTIFIER})
    |(?P<operator><>|<=|>=|[-+*/^&=<>%,;(){{}}:@])
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_PREFIX = re.compile(_SHEET)
_KINDS = {kind.value: kind for kind in Kind}
_POINT = re.compile(r"(\$?)([A-Za-z]{1,3})?(\$?)([0-9]+)?")


def _point(text: str) -> Point | None:
    match = _POINT.fullmatch(text)
    if match is None:
        return None
    col_dollar, letters, row_dollar, digits = match.groups()
    col = column_number(letters) if letters else None
    row = int(digits) if digits else None
    if (col is not None and col > MAX_COLUMN) or (row is not None and not 1 <= row <= MAX_ROW):
        return None
    if not letters:  # whole row: "$5" has its "$" in the column group
        return Point(row, None, row_absolute=bool(col_dollar or row_dollar))
    return Point(row, col, row_absolute=bool(row_dollar), col_absolute=bool(col_dollar))


@functools.lru_cache(maxsize=65_536)  # the same references recur in many formulas
def _reference(text: str) -> Token:
    prefix_match = _PREFIX.match(text)
    prefix = prefix_match.group(0) if prefix_match else ""
    ends = [_point(part) for part in text[len(prefix) :].split(":")]
    if any(end is None for end in ends):  # e.g. XFZ1 (beyond the last column) is a name
        return Token(Kind.NAME, text, prefix)
    first = ends[0]
    last = ends[1] if len(ends) > 1 else None
    return Token(Kind.REF, text, prefix, first, last)


def tokenize(formula: str) -> list[Token]:
    """The tokens of a formula (with or without its leading "=")."""
    return list(_tokens(formula[1:] if formula.startswith("=") else formula))


@functools.lru_cache(maxsize=1024)  # each rule tokenizes the same formula again
def _tokens(text: str) -> tuple[Token, ...]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = _KINDS[match.lastgroup or "other"]
        piece = match.group(0)
        if kind is Kind.REF:
            tokens.append(_reference(piece))
        elif kind is Kind.NAME:
            prefix = _PREFIX.match(piece)
            tokens.append(Token(kind, piece, prefix.group(0) if prefix else ""))
        else:
            tokens.append(Token(kind, piece))
    return tuple(tokens)


# --- F1 constants ---------------------------------------------------------------------------


def numeric_constants(formula: str) -> list[str]:
    """The numbers written in a formula other than 0, 0.5, 1, 12 and 100, as written."""
    return [
        token.text
        for token in tokenize(formula)
        if token.kind is Kind.NUMBER and float(token.text) not in ALLOWED_CONSTANTS
    ]


# --- F2 one formula per row -----------------------------------------------------------------


def _r1c1_part(letter: str, value: int, absolute: bool, here: int) -> str:
    if absolute:
        return f"{letter}{value}"
    offset = value - here
    return letter if offset == 0 else f"{letter}[{offset}]"


def _r1c1_point(point: Point, row: int, col: int) -> str:
    text = ""
    if point.row is not None:
        text += _r1c1_part("R", point.row, point.row_absolute, row)
    if point.col is not None:
        text += _r1c1_part("C", point.col, point.col_absolute, col)
    return text


def to_r1c1(formula: str, row: int, col: int) -> str:
    """The formula in R1C1 notation as seen from the cell at (row, col).

    ``=EDATE(C$5,1)`` in D5 becomes ``=EDATE(R5C[-1],1)``; ``$`` anchors become absolute
    numbers, everything else an offset in brackets (omitted when 0). Sheet prefixes are kept
    as written. Whole columns and rows become ``C1:C2`` and ``R5:R7``.
    """
    parts = ["=" if formula.startswith("=") else ""]
    for token in tokenize(formula):
        if token.kind is Kind.REF:
            parts.append(token.prefix + ":".join(_r1c1_point(p, row, col) for p in token.points()))
        else:
            parts.append(token.text)
    return "".join(parts)


def row_deviations(row: int, forms: dict[int, str], last_col: int) -> list[tuple[int, str]]:
    """F2: the period columns of a row whose R1C1 formula is not the row's usual one.

    `forms` maps the row's period columns that hold formulas to their R1C1 text; the usual
    formula is the most frequent (ties: the leftmost). Columns D to `last_col` without a
    formula deviate too.
    """
    counts = Counter(forms[col] for col in sorted(forms))
    usual = max(counts, key=lambda form: counts[form])  # max keeps the first of equals
    example = f"{column_letter(min(c for c, f in forms.items() if f == usual))}{row}"
    deviations: list[tuple[int, str]] = []
    for col in range(FIRST_PERIOD_COLUMN, last_col + 1):
        form = forms.get(col)
        if form is None:
            deviations.append(
                (col, f"no formula, but the row's formula is {usual} (R1C1, as in {example})")
            )
        elif form != usual:
            deviations.append(
                (col, f"formula {form} differs from the row's {usual} (R1C1, as in {example})")
            )
    return deviations


# --- F3 functions ---------------------------------------------------------------------------


def function_name(text: str) -> str:
    """A function token's name, upper case, without Excel's ``_xlfn.`` style prefixes."""
    name = text.upper()
    for prefix in _FUNCTION_PREFIXES:
        if name.startswith(prefix.upper()):
            return name[len(prefix) :]
    return name


def function_problems(formula: str) -> list[str]:
    """What breaks the function rule (F3): functions off the list, nested IF, other files."""
    problems: list[str] = []
    tokens = tokenize(formula)
    open_calls: list[str | None] = []  # one entry per open parenthesis: its function or None
    pending: str | None = None
    nested_if = False
    for token in tokens:
        if token.kind is Kind.SPACE:
            continue
        if token.kind is Kind.FUNCTION:
            name = function_name(token.text)
            if name in VOLATILE_FUNCTIONS:
                problems.append(f"volatile function {name}")
            elif name not in ALLOWED_FUNCTIONS:
                problems.append(
                    f"function {name} is not allowed (allowed: {', '.join(ALLOWED_FUNCTIONS)})"
                )
            if name == "IF" and "IF" in open_calls:
                nested_if = True
            pending = name
            continue
        if token.text == "(":
            open_calls.append(pending)
        elif token.text == ")" and open_calls:
            open_calls.pop()
        pending = None
        if token.kind is not Kind.STRING and "[" in token.text:
            problems.append(f"link to another file: {token.text}")
    if nested_if:
        problems.append("nested IF (an IF inside another IF's arguments)")
    return list(dict.fromkeys(problems))


# --- F5 references to lower rows ------------------------------------------------------------


def lower_row_references(formula: str, sheet: str, row: int) -> list[str]:
    """References to rows below `row` on the formula's own sheet (whole columns included)."""
    found: list[str] = []
    for token in tokenize(formula):
        if token.kind is not Kind.REF or token.external:
            continue
        if token.sheet is not None and token.sheet.casefold() != sheet.casefold():
            continue
        rows = [MAX_ROW if p.row is None else p.row for p in token.points()]
        if max(rows) > row:
            found.append(token.text)
    return found


# --- F6 typed-in numbers --------------------------------------------------------------------


def typed_value_allowed(sheet: str, col: int, workbook: str = "scenario") -> bool:
    """F6: whether a number, date or boolean may be typed in (not a formula) at this place.

    Only in the value columns of an input sheet ("Annahmen 1", "Tarif", …; see
    `spec.TYPED_COLUMNS`): the inputs, and locked constants such as the horizon years and the
    checks' tolerance; and, in a results-only comparison (`workbook` "results", see
    `workbook_kind`), the columns of values from other files (`spec.FOREIGN_VALUE_COLUMNS`).
    Every other figure is derived and must be a formula.
    """
    if workbook == "results" and sheet in FOREIGN_VALUE_COLUMNS:
        return col >= FOREIGN_VALUE_COLUMNS[sheet]
    kind = sheet_kind(sheet, INPUT_SHEETS)
    return kind is not None and col in TYPED_COLUMNS[kind[0]]


# --- S8 and M1 defined names ---------------------------------------------------------------


def name_target(text: str | None) -> list[Token] | None:
    """The sheet-qualified references a defined name's text lists, or None if it is other."""
    tokens = [token for token in tokenize(text or "") if token.kind is not Kind.SPACE]
    refs, commas = tokens[::2], tokens[1::2]
    if not refs or any(t.kind is not Kind.REF or t.sheet is None or t.external for t in refs):
        return None
    if any(t.text != "," for t in commas):
        return None
    return refs
