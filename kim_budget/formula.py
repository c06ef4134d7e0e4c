"""Formulas that are both Excel text and Python arithmetic.

Every calculated line of a workbook is written once, as a Python function over operands
(see `lines.py`). Called with plain numbers and dates it computes the model; called with `Expr`
operands (cell references) it builds an expression tree that renders as an Excel formula and
evaluates in Python to the value the file caches. Formula and value therefore cannot drift.

Only operators and functions that Excel, LibreOffice 7.4 and Gnumeric all compute are offered.
Dates inside expressions are Excel serial numbers (1900 date system).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, Union

from dateutil.relativedelta import relativedelta

Scalar = float | int | bool | str | None
Operand = Union["Expr", float, int, bool, date]
# A line definition's operand: a number or date (model) or an Expr (workbook). Duck-typed on
# purpose, so that one definition serves both.
Term = Any

EXCEL_EPOCH = date(1899, 12, 30)

# Excel operator precedence, higher binds tighter.
_PRECEDENCE = {"=": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "<>": 1, "+": 2, "-": 2, "*": 3, "/": 3}
_SAFE_SHEET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def date_to_serial(day: date) -> int:
    """The Excel serial number of a date (1900 date system, valid after 1900-03-01)."""
    return (day - EXCEL_EPOCH).days


def serial_to_date(serial: float) -> date:
    """The date of an Excel serial number."""
    return date.fromordinal(EXCEL_EPOCH.toordinal() + int(serial))


def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """A → 1, AA → 27."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def cell_position(coordinate: str) -> tuple[int, int]:
    """ "D20" (or "$D$20") → (row 20, column 4)."""
    plain = coordinate.replace("$", "")
    letters = plain.rstrip("0123456789")
    return int(plain[len(letters) :]), column_number(letters)


def quote_sheet(sheet: str) -> str:
    """A sheet name as it must appear in a reference."""
    if _SAFE_SHEET_NAME.match(sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


class Env(Protocol):
    """What evaluation needs: the value of any cell."""

    def value(self, sheet: str, row: int, col: int) -> Scalar: ...


class Expr:
    """A node of a formula. Arithmetic and comparison operators build larger formulas."""

    precedence = 9

    def render(self, sheet: str) -> str:
        """The formula text (without "="), as seen from a cell on `sheet`."""
        raise NotImplementedError

    def evaluate(self, env: Env) -> Scalar:
        """The value Excel would compute."""
        raise NotImplementedError

    def __add__(self, other: Operand) -> Expr:
        return BinOp("+", self, lift(other))

    def __radd__(self, other: Operand) -> Expr:
        return BinOp("+", lift(other), self)

    def __sub__(self, other: Operand) -> Expr:
        return BinOp("-", self, lift(other))

    def __rsub__(self, other: Operand) -> Expr:
        return BinOp("-", lift(other), self)

    def __mul__(self, other: Operand) -> Expr:
        return BinOp("*", self, lift(other))

    def __rmul__(self, other: Operand) -> Expr:
        return BinOp("*", lift(other), self)

    def __truediv__(self, other: Operand) -> Expr:
        return BinOp("/", self, lift(other))

    def __rtruediv__(self, other: Operand) -> Expr:
        return BinOp("/", lift(other), self)

    def __neg__(self) -> Expr:
        return Neg(self)

    def __lt__(self, other: Operand) -> Expr:
        return BinOp("<", self, lift(other))

    def __le__(self, other: Operand) -> Expr:
        return BinOp("<=", self, lift(other))

    def __gt__(self, other: Operand) -> Expr:
        return BinOp(">", self, lift(other))

    def __ge__(self, other: Operand) -> Expr:
        return BinOp(">=", self, lift(other))


def lift(value: Operand) -> Expr:
    """An operand as an expression node."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, date):
        return Num(date_to_serial(value))
    return Num(value)


@dataclass(frozen=True, eq=False)
class Num(Expr):
    """A numeric constant."""

    value: float | int | bool

    def render(self, sheet: str) -> str:
        if isinstance(self.value, bool):
            return "TRUE" if self.value else "FALSE"
        if float(self.value).is_integer():
            return str(int(self.value))
        return repr(float(self.value))

    def evaluate(self, env: Env) -> Scalar:
        return self.value


@dataclass(frozen=True, eq=False)
class Text(Expr):
    """A text constant written by the program (never text from a scenario file)."""

    value: str

    def render(self, sheet: str) -> str:
        return '"' + self.value.replace('"', '""') + '"'

    def evaluate(self, env: Env) -> Scalar:
        return self.value


@dataclass(frozen=True, eq=False)
class Ref(Expr):
    """A reference to one cell; `fix_row`/`fix_col` render as $ anchors."""

    sheet: str
    row: int
    col: int
    fix_row: bool = True
    fix_col: bool = True

    def coordinate(self) -> str:
        """The A1 coordinate with its anchors, without the sheet."""
        col = ("$" if self.fix_col else "") + column_letter(self.col)
        return col + ("$" if self.fix_row else "") + str(self.row)

    def render(self, sheet: str) -> str:
        prefix = "" if sheet == self.sheet else quote_sheet(self.sheet) + "!"
        return prefix + self.coordinate()

    def evaluate(self, env: Env) -> Scalar:
        return env.value(self.sheet, self.row, self.col)


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

    def values(self, env: Env) -> list[Scalar]:
        """The values of the range, row by row."""
        return [cell.evaluate(env) for cell in self.cells()]

    def evaluate(self, env: Env) -> Scalar:
        raise TypeError("a range has no single value")


@dataclass(frozen=True, eq=False)
class BinOp(Expr):
    """An arithmetic operation or a comparison."""

    op: str
    left: Expr
    right: Expr

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return _PRECEDENCE[self.op]

    def render(self, sheet: str) -> str:
        left = self.left.render(sheet)
        if self.left.precedence < self.precedence:
            left = f"({left})"
        right = self.right.render(sheet)
        tighter = self.op in "-/" or self.precedence == 1
        if self.right.precedence < self.precedence or (
            tighter and self.right.precedence == self.precedence
        ):
            right = f"({right})"
        return f"{left}{self.op}{right}"

    def evaluate(self, env: Env) -> Scalar:
        return apply_operator(self.op, self.left.evaluate(env), self.right.evaluate(env))


@dataclass(frozen=True, eq=False)
class Neg(Expr):
    """Unary minus."""

    operand: Expr

    def render(self, sheet: str) -> str:
        inner = self.operand.render(sheet)
        return "-" + (inner if self.operand.precedence > 3 else f"({inner})")

    def evaluate(self, env: Env) -> Scalar:
        return -as_number(self.operand.evaluate(env))


@dataclass(frozen=True, eq=False)
class Call(Expr):
    """A call of one of the allowed worksheet functions."""

    name: str
    args: tuple[Expr, ...]

    def render(self, sheet: str) -> str:
        return f"{self.name}({','.join(arg.render(sheet) for arg in self.args)})"

    def evaluate(self, env: Env) -> Scalar:
        return FUNCTIONS[self.name](env, self.args)


# ---------------------------------------------------------------- evaluation


def evaluate(expr: Expr, env: Env) -> Scalar:
    """The value Excel computes for an expression, given the values of the cells it reads."""
    return expr.evaluate(env)


def as_number(value: Scalar) -> float:
    """A scalar in arithmetic, as Excel treats it (empty → 0, TRUE → 1)."""
    if value is None:
        return 0
    if isinstance(value, bool | int | float):
        return value
    raise ValueError(f"text {value!r} used in arithmetic")


def apply_operator(op: str, left: Scalar, right: Scalar) -> Scalar:
    """One operator on two evaluated operands."""
    if op == "=":
        return (left if left is not None else "") == (right if right is not None else "")
    a, b = as_number(left), as_number(right)
    operations: dict[str, Callable[[float, float], Scalar]] = {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
        "/": lambda x, y: x / y,
        "<": lambda x, y: x < y,
        "<=": lambda x, y: x <= y,
        ">": lambda x, y: x > y,
        ">=": lambda x, y: x >= y,
        "<>": lambda x, y: x != y,
    }
    return operations[op](a, b)


def _numbers(env: Env, args: Sequence[Expr]) -> list[float]:
    """Numbers of the arguments; in references (ranges and cells) text, booleans and blanks are
    skipped, as Excel's SUM, MIN and MAX do."""
    found: list[float] = []
    for arg in args:
        if isinstance(arg, Range | Ref):
            values = arg.values(env) if isinstance(arg, Range) else [arg.evaluate(env)]
            found += [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        else:
            found.append(as_number(arg.evaluate(env)))
    return found


def _logicals(env: Env, args: Sequence[Expr]) -> list[Scalar]:
    """Arguments of AND/OR; ranges contribute every non-empty cell."""
    found: list[Scalar] = []
    for arg in args:
        if isinstance(arg, Range):
            found += [value for value in arg.values(env) if value is not None]
        else:
            found.append(arg.evaluate(env))
    return found


def _sumif(env: Env, args: Sequence[Expr]) -> Scalar:
    criteria_range, criterion, sum_range = args
    assert isinstance(criteria_range, Range) and isinstance(sum_range, Range)
    wanted = criterion.evaluate(env)
    pairs = zip(criteria_range.values(env), sum_range.values(env), strict=True)
    return sum(as_number(v) for key, v in pairs if key == wanted and isinstance(v, int | float))


def _index(env: Env, args: Sequence[Expr]) -> Scalar:
    area, position = args
    assert isinstance(area, Range)
    return area.values(env)[int(as_number(position.evaluate(env))) - 1]


def _edate(env: Env, args: Sequence[Expr]) -> Scalar:
    start, months = (as_number(arg.evaluate(env)) for arg in args)
    return date_to_serial(serial_to_date(start) + relativedelta(months=int(months)))


def _date(env: Env, args: Sequence[Expr]) -> Scalar:
    year, month, day = (int(as_number(arg.evaluate(env))) for arg in args)
    first = date(year, 1, 1) + relativedelta(months=month - 1)
    return date_to_serial(first) + day - 1


def _if(env: Env, args: Sequence[Expr]) -> Scalar:
    condition, if_true, if_false = args
    return if_true.evaluate(env) if as_number(condition.evaluate(env)) else if_false.evaluate(env)


FUNCTIONS: dict[str, Callable[[Env, Sequence[Expr]], Scalar]] = {
    "SUM": lambda env, args: sum(_numbers(env, args)),
    "MIN": lambda env, args: min(_numbers(env, args), default=0),
    "MAX": lambda env, args: max(_numbers(env, args), default=0),
    "AND": lambda env, args: all(as_number(value) for value in _logicals(env, args)),
    "OR": lambda env, args: any(as_number(value) for value in _logicals(env, args)),
    "IF": _if,
    "SUMIF": _sumif,
    "INDEX": _index,
    "DATE": _date,
    "EDATE": _edate,
    "YEAR": lambda env, args: serial_to_date(as_number(args[0].evaluate(env))).year,
    "MONTH": lambda env, args: serial_to_date(as_number(args[0].evaluate(env))).month,
}


# ---------------------------------------------------------------- operand-generic helpers
# Each helper computes directly on numbers and dates, and builds a formula on expressions.


def _symbolic(*operands: object) -> bool:
    return any(isinstance(operand, Expr) for operand in operands)


def maximum(*operands: Operand) -> Term:
    """MAX."""
    if _symbolic(*operands):
        return Call("MAX", tuple(lift(o) for o in operands))
    return max(float(o) for o in operands)  # type: ignore[arg-type]


def minimum(*operands: Operand) -> Term:
    """MIN."""
    if _symbolic(*operands):
        return Call("MIN", tuple(lift(o) for o in operands))
    return min(float(o) for o in operands)  # type: ignore[arg-type]


def total(operands: Sequence[Operand] | Range) -> Operand:
    """SUM over a range, or over a list of numbers."""
    if isinstance(operands, Range):
        return Call("SUM", (operands,))
    return sum(operands)  # type: ignore[arg-type]


def when(condition: Operand, if_true: Operand, if_false: Operand) -> Operand:
    """IF."""
    if _symbolic(condition, if_true, if_false):
        return Call("IF", (lift(condition), lift(if_true), lift(if_false)))
    return if_true if condition else if_false


def flag(condition: Operand) -> Operand:
    """1 when the condition holds, else 0 (IF(condition,1,0))."""
    return when(condition, 1, 0)


def both(first: Operand, second: Operand) -> Operand:
    """AND of two conditions."""
    if _symbolic(first, second):
        return Call("AND", (lift(first), lift(second)))
    return bool(first) and bool(second)


def either(first: Operand, second: Operand) -> Operand:
    """OR of two conditions."""
    if _symbolic(first, second):
        return Call("OR", (lift(first), lift(second)))
    return bool(first) or bool(second)


def equals(first: Operand, second: Operand) -> Operand:
    """first = second."""
    if _symbolic(first, second):
        return BinOp("=", lift(first), lift(second))
    return first == second


def all_of(conditions: Sequence[Operand] | Range) -> Operand:
    """AND over several conditions or a range of them."""
    if isinstance(conditions, Range):
        return Call("AND", (conditions,))
    if _symbolic(*conditions):
        return Call("AND", tuple(lift(c) for c in conditions))
    return all(bool(c) for c in conditions)


def largest(values: Range) -> Expr:
    """MAX over a range."""
    return Call("MAX", (values,))


def smallest(values: Range) -> Expr:
    """MIN over a range."""
    return Call("MIN", (values,))


def next_month(month: Operand) -> Operand:
    """EDATE(month,1): the first day of the following month."""
    if isinstance(month, Expr):
        return Call("EDATE", (month, Num(1)))
    assert isinstance(month, date)
    return month + relativedelta(months=1)


def year_of(day: Operand) -> Operand:
    """YEAR."""
    if isinstance(day, Expr):
        return Call("YEAR", (day,))
    assert isinstance(day, date)
    return day.year


def month_before_year(year: Operand) -> Operand:
    """DATE(year-1,12,1): December before the year, the anchor of a monthly time axis."""
    if isinstance(year, Expr):
        return Call("DATE", (year - 1, Num(12), Num(1)))
    assert isinstance(year, int)
    return date(year - 1, 12, 1)


def sum_where(keys: Range, wanted: Operand, values: Range) -> Expr:
    """SUMIF(keys,wanted,values): the sum of the values whose key equals `wanted`."""
    return Call("SUMIF", (keys, lift(wanted), values))


def pick(area: Range, position: Operand) -> Expr:
    """INDEX(area,position) on a one-dimensional range (1-based).

    A one-cell area is the cell itself: Gnumeric answers INDEX on a single cell with #REF!.
    """
    if len(area.cells()) == 1:
        return area.first
    return Call("INDEX", (area, lift(position)))


def as_datetime(serial: float) -> datetime:
    """A serial as a datetime (for writers that want one)."""
    day = serial_to_date(serial)
    return datetime(day.year, day.month, day.day)
