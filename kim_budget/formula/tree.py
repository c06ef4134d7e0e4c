"""Expression trees that render as Excel formulas.

Every calculated line of a workbook is written once, as a Python function over expressions
(see `lines.py`). The layout calls it with cell references; the result renders as the cell's
Excel formula (`Expr.render`) and evaluates in Python (`formula.evaluate`) to the value the file
caches and the figures the council texts use. Formula and figure therefore cannot drift.

Only operators and functions that Excel, LibreOffice 7.4 and Gnumeric all compute are offered
(`kim_budget.workbook.spec.ALLOWED_FUNCTIONS`). Dates inside expressions are Excel serial numbers
(1900 date system).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kim_budget.formula.a1 import column_letter, date_to_serial, quote_sheet

Constant = int | float | bool | date
"""A constant operand; dates become serial numbers."""

# Excel operator precedence, higher binds tighter.
PRECEDENCE = {
    **dict.fromkeys(("=", "<", ">", "<=", ">=", "<>"), 1),
    "&": 2,
    **dict.fromkeys(("+", "-"), 3),
    **dict.fromkeys(("*", "/"), 4),
}


class Expr:
    """A node of a formula. Arithmetic and comparison operators build larger formulas."""

    precedence = 9

    def render(self, sheet: str) -> str:
        """The formula text (without "="), as seen from a cell on `sheet`."""
        raise NotImplementedError

    def __add__(self, other: Expr | Constant) -> Expr:
        return BinOp("+", self, lift(other))

    def __radd__(self, other: Expr | Constant) -> Expr:
        return BinOp("+", lift(other), self)

    def __sub__(self, other: Expr | Constant) -> Expr:
        return BinOp("-", self, lift(other))

    def __rsub__(self, other: Expr | Constant) -> Expr:
        return BinOp("-", lift(other), self)

    def __mul__(self, other: Expr | Constant) -> Expr:
        return BinOp("*", self, lift(other))

    def __rmul__(self, other: Expr | Constant) -> Expr:
        return BinOp("*", lift(other), self)

    def __truediv__(self, other: Expr | Constant) -> Expr:
        return BinOp("/", self, lift(other))

    def __rtruediv__(self, other: Expr | Constant) -> Expr:
        return BinOp("/", lift(other), self)

    def __neg__(self) -> Expr:
        return Neg(self)

    def __lt__(self, other: Expr | Constant) -> Expr:
        return BinOp("<", self, lift(other))

    def __le__(self, other: Expr | Constant) -> Expr:
        return BinOp("<=", self, lift(other))

    def __gt__(self, other: Expr | Constant) -> Expr:
        return BinOp(">", self, lift(other))

    def __ge__(self, other: Expr | Constant) -> Expr:
        return BinOp(">=", self, lift(other))


Term = Expr | Constant
"""What a line's formula may be: an expression, or a constant the writer puts in as it is."""


def lift(value: Expr | Constant) -> Expr:
    """An operand as an expression node."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, date):
        return Num(date_to_serial(value))
    return Num(value)


@dataclass(frozen=True, eq=False)
class Num(Expr):
    """A numeric or boolean constant."""

    value: float | int | bool

    def render(self, sheet: str) -> str:
        if isinstance(self.value, bool):
            return "TRUE" if self.value else "FALSE"
        if float(self.value).is_integer():
            return str(int(self.value))
        return repr(float(self.value))


@dataclass(frozen=True, eq=False)
class Text(Expr):
    """A text constant written by the program (never text from a scenario file)."""

    value: str

    def render(self, sheet: str) -> str:
        return '"' + self.value.replace('"', '""') + '"'


@dataclass(frozen=True, eq=False)
class Ref(Expr):
    """A reference to one cell; `fix_row`/`fix_col` render as $ anchors."""

    sheet: str
    row: int
    col: int
    fix_row: bool = True
    fix_col: bool = True

    def coordinate(self) -> str:
        """The A1 coordinate with its anchors, without the sheet (made once per reference:
        a sheet shares its references, and a row's formulas name the same cells)."""
        known: dict[str, str] = self.__dict__
        text = known.get("_a1")
        if text is None:
            col = ("$" if self.fix_col else "") + column_letter(self.col)
            text = known["_a1"] = col + ("$" if self.fix_row else "") + str(self.row)
        return text

    def render(self, sheet: str) -> str:
        if sheet == self.sheet:
            return self.coordinate()
        known: dict[str, str] = self.__dict__  # from another sheet: made once, like the A1 text
        text = known.get("_qualified")
        if text is None:
            text = known["_qualified"] = quote_sheet(self.sheet) + "!" + self.coordinate()
        return text


@dataclass(frozen=True, eq=False)
class Range(Expr):
    """A rectangular range of cells; only valid as a function argument."""

    first: Ref
    last: Ref

    def render(self, sheet: str) -> str:
        return self.first.render(sheet) + ":" + self.last.coordinate()

    def cells(self) -> list[Ref]:
        """The cells of the range, row by row."""
        return [
            Ref(self.first.sheet, row, col)
            for row in range(self.first.row, self.last.row + 1)
            for col in range(self.first.col, self.last.col + 1)
        ]


@dataclass(frozen=True, eq=False)
class BinOp(Expr):
    """An arithmetic operation or a comparison."""

    op: str
    left: Expr
    right: Expr

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return PRECEDENCE[self.op]

    def render(self, sheet: str) -> str:
        own = PRECEDENCE[self.op]
        left = self.left.render(sheet)
        if self.left.precedence < own:
            left = f"({left})"
        right = self.right.render(sheet)
        tighter = self.op in "-/" or own == 1
        theirs = self.right.precedence
        if theirs < own or (tighter and theirs == own):
            right = f"({right})"
        return f"{left}{self.op}{right}"


@dataclass(frozen=True, eq=False)
class Neg(Expr):
    """Unary minus."""

    operand: Expr

    def render(self, sheet: str) -> str:
        inner = self.operand.render(sheet)
        return "-" + (inner if self.operand.precedence > PRECEDENCE["*"] else f"({inner})")


@dataclass(frozen=True, eq=False)
class Call(Expr):
    """A call of one of the allowed worksheet functions."""

    name: str
    args: tuple[Expr, ...]

    def render(self, sheet: str) -> str:
        return f"{self.name}({','.join([arg.render(sheet) for arg in self.args])})"


# ---------------------------------------------------------------- worksheet functions


def call(name: str, *args: Expr | Constant) -> Expr:
    """A call of a worksheet function with lifted arguments."""
    return Call(name, tuple(map(lift, args)))


def maximum(*operands: Expr | Constant) -> Expr:
    """MAX."""
    return call("MAX", *operands)


def minimum(*operands: Expr | Constant) -> Expr:
    """MIN."""
    return call("MIN", *operands)


def total(operands: Sequence[Expr] | Range) -> Expr:
    """SUM over a range, or over several expressions."""
    return call("SUM", operands) if isinstance(operands, Range) else call("SUM", *operands)


def when(condition: Expr, if_true: Expr | Constant, if_false: Expr | Constant) -> Expr:
    """IF."""
    return call("IF", condition, if_true, if_false)


def flag(condition: Expr) -> Expr:
    """1 when the condition holds, else 0 (IF(condition,1,0))."""
    return when(condition, 1, 0)


def both(first: Expr, second: Expr) -> Expr:
    """AND of two conditions."""
    return call("AND", first, second)


def either(first: Expr, second: Expr) -> Expr:
    """OR of two conditions."""
    return call("OR", first, second)


def equals(first: Expr | Constant, second: Expr | Constant) -> Expr:
    """first = second."""
    return BinOp("=", lift(first), lift(second))


def all_of(conditions: Sequence[Expr] | Range) -> Expr:
    """AND over several conditions or a range of them."""
    return call("AND", conditions) if isinstance(conditions, Range) else call("AND", *conditions)


def largest(values: Range) -> Expr:
    """MAX over a range."""
    return call("MAX", values)


def smallest(values: Range) -> Expr:
    """MIN over a range."""
    return call("MIN", values)


def next_month(month: Expr) -> Expr:
    """EDATE(month,1): the first day of the following month."""
    return call("EDATE", month, 1)


def year_of(day: Expr) -> Expr:
    """YEAR."""
    return call("YEAR", day)


def month_before_year(year: Expr) -> Expr:
    """DATE(year-1,12,1): December before the year, the anchor of a monthly time axis."""
    return call("DATE", year - 1, 12, 1)


def sum_where(keys: Range, wanted: Expr | Constant, values: Range) -> Expr:
    """SUMIF(keys,wanted,values): the sum of the values whose key equals `wanted`."""
    return call("SUMIF", keys, wanted, values)


def sum_where_all(values: Range, *criteria: tuple[Range, Expr | Constant]) -> Expr:
    """SUMIFS(values, keys, wanted, …): the sum of the values whose keys all equal their wanted."""
    args: list[Expr | Constant] = [values]
    for keys, wanted in criteria:
        args += [keys, wanted]
    return call("SUMIFS", *args)


def position_at_most(value: Expr, ascending: Range) -> Expr:
    """MATCH(value, ascending, 1): the position of the last entry ≤ value (1-based)."""
    return call("MATCH", value, ascending, 1)


def position_of(value: Expr, area: Range) -> Expr:
    """MATCH(value, area, 0): the position of the first entry equal to value (1-based)."""
    return call("MATCH", value, area, 0)


def joined(*texts: Expr) -> Expr:
    """texts joined with &: one text of several (only texts: a number would be written in the
    spreadsheet program's own way)."""
    result = texts[0]
    for text in texts[1:]:
        result = BinOp("&", result, text)
    return result


def pick_cell(area: Range, row: Expr | Constant, col: Expr | Constant) -> Expr:
    """INDEX(area,row,column) on a rectangle (1-based)."""
    return call("INDEX", area, row, col)


def pick(area: Range, position: Expr | Constant) -> Expr:
    """INDEX(area,position) on a one-dimensional range (1-based).

    A one-cell area is the cell itself: Gnumeric answers INDEX on a single cell with #REF!. On a
    row, the position is the column (INDEX(area,1,position)): Gnumeric reads INDEX(row,n) as
    row n and answers #REF!.
    """
    if len(area.cells()) == 1:
        return area.first
    if area.first.row == area.last.row:
        return call("INDEX", area, 1, position)
    return call("INDEX", area, position)


def floor(value: Expr) -> Expr:
    """INT(value): the largest whole number ≤ value."""
    return call("INT", value)


def sum_of_products(*arrays: Expr) -> Expr:
    """SUMPRODUCT over arrays (ranges, or element-wise arithmetic and comparisons on them)."""
    return call("SUMPRODUCT", *arrays)
