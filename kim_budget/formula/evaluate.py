"""Evaluate expression trees as Excel does: the cached values and the model's figures.

`evaluate(expr, env)` computes an expression from the values of the cells it reads; `Env` is
anything that knows a cell's value (`workbook.grid.BookEnv` evaluates a whole laid-out book,
each formula once). Excel's rules that matter here: an empty cell is 0 in arithmetic and "" in
a comparison with "=", TRUE is 1 in arithmetic but never equals a number (=TRUE=1 is FALSE),
text in arithmetic is an error, SUM/MIN/MAX skip text, booleans and blanks inside references.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Protocol

from dateutil.relativedelta import relativedelta

from kim_budget.formula.a1 import date_to_serial, serial_to_date
from kim_budget.formula.tree import BinOp, Call, Expr, Neg, Num, Range, Ref, Text

Scalar = float | int | bool | str | None
"""A cell's value: number, boolean, text, or None for an empty cell."""


class Env(Protocol):
    """What evaluation needs: the value of any cell."""

    def value(self, sheet: str, row: int, col: int) -> Scalar: ...


def evaluate(expr: Expr, env: Env) -> Scalar:
    """The value Excel computes for an expression, given the values of the cells it reads.

    Nodes are told apart by their exact type, the most frequent first (no node type has
    subclasses): half a million nodes a workbook."""
    if type(expr) is Ref:
        return env.value(expr.sheet, expr.row, expr.col)
    if type(expr) is Num or type(expr) is Text:
        return expr.value
    if type(expr) is BinOp:
        return apply_operator(expr.op, evaluate(expr.left, env), evaluate(expr.right, env))
    if type(expr) is Call:
        return FUNCTIONS[expr.name](env, expr.args)
    if type(expr) is Neg:
        return -as_number(evaluate(expr.operand, env))
    raise TypeError(f"{type(expr).__name__} has no single value")


def range_values(area: Range, env: Env) -> list[Scalar]:
    """The values of a range, row by row (from the env's own memo when it keeps one, as
    `BookEnv` does: a month row's SUMIF reads the same ranges in every column)."""
    memo = getattr(env, "range_values", None)
    if memo is not None:
        found: list[Scalar] = memo(area)
        return found
    return [env.value(cell.sheet, cell.row, cell.col) for cell in area.cells()]


def matching_positions(area: Range, wanted: Scalar, env: Env) -> Sequence[int]:
    """The positions (0-based, row by row, ascending) of the range's cells whose value equals
    `wanted` as SUMIF and SUMIFS compare it, from an index of the range (from the env's own
    memo when it keeps one, as `BookEnv` does: a year's sum looks up its months instead of
    scanning every month, so the yearly sums grow linearly with the horizon)."""
    memo = getattr(env, "criteria_index", None)
    index: Mapping[Scalar, Sequence[int]] = (
        memo(area) if memo is not None else criteria_index(range_values(area, env))
    )
    return index.get(wanted, ())


def criteria_index(values: Sequence[Scalar]) -> dict[Scalar, list[int]]:
    """Each value of a range → the positions holding an equal value, ascending. A dict looks a
    value up by hash and ==, so a position is found exactly when `value == wanted`: the
    comparison of a scan over the range (2024 finds 2024.0; TRUE finds 1, see the expected
    failures of tests/test_formula.py)."""
    index: dict[Scalar, list[int]] = {}
    for position, value in enumerate(values):
        index.setdefault(value, []).append(position)
    return index


def as_number(value: Scalar) -> float:
    """A scalar in arithmetic, as Excel treats it (empty → 0, TRUE → 1)."""
    if value is None:
        return 0
    if isinstance(value, bool | int | float):
        return value
    raise ValueError(f"text {value!r} used in arithmetic")


_OPERATIONS: dict[str, Callable[[float, float], Scalar]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "<>": operator.ne,
}


_PLAIN_NUMBERS = frozenset((int, float))


def apply_operator(op: str, left: Scalar, right: Scalar) -> Scalar:
    """One operator on two evaluated operands."""
    if op == "=":
        return _equal(left, right)
    if op == "&":
        return _as_text(left) + _as_text(right)
    if type(left) not in _PLAIN_NUMBERS:  # most operands are numbers already
        left = as_number(left)
    if type(right) not in _PLAIN_NUMBERS:
        right = as_number(right)
    return _OPERATIONS[op](left, right)  # type: ignore[arg-type]


def _as_text(value: Scalar) -> str:
    """A text operand of &: an empty cell is ""; numbers and booleans are not joined here."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"& joins texts only, got {value!r}")
    return value


def _equal(left: Scalar, right: Scalar) -> bool:
    """left = right as Excel compares: an empty cell is "", and a boolean equals only a boolean
    (Python's True == 1 is not Excel's: =TRUE=1 is FALSE)."""
    if left is None or right is None:
        return (left if left is not None else "") == (right if right is not None else "")
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return left == right


def _numbers(env: Env, args: Sequence[Expr]) -> list[float]:
    """Numbers of the arguments; in references (ranges and cells) text, booleans and blanks are
    skipped, as Excel's SUM, MIN and MAX do."""
    found: list[float] = []
    for arg in args:
        if isinstance(arg, Range | Ref):
            values = range_values(arg, env) if isinstance(arg, Range) else [evaluate(arg, env)]
            found += [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        else:
            found.append(as_number(evaluate(arg, env)))
    return found


def _logicals(env: Env, args: Sequence[Expr]) -> list[Scalar]:
    """Arguments of AND/OR; ranges contribute every non-empty cell."""
    found: list[Scalar] = []
    for arg in args:
        if isinstance(arg, Range):
            found += [value for value in range_values(arg, env) if value is not None]
        else:
            found.append(evaluate(arg, env))
    return found


def _sumif(env: Env, args: Sequence[Expr]) -> Scalar:
    criteria_range, criterion, sum_range = args
    assert isinstance(criteria_range, Range) and isinstance(sum_range, Range)
    values = range_values(sum_range, env)
    assert len(values) == len(range_values(criteria_range, env))
    found = (values[p] for p in matching_positions(criteria_range, evaluate(criterion, env), env))
    return sum(as_number(v) for v in found if isinstance(v, int | float))


def _sumifs(env: Env, args: Sequence[Expr]) -> Scalar:
    """SUMIFS(values, keys1, wanted1, keys2, wanted2, …): every criterion is an equality. The
    positions come from the criterion that matches fewest; the others are checked there."""
    values, *criteria = args
    assert isinstance(values, Range)
    areas = [area for area in criteria[::2] if isinstance(area, Range)]
    wanted = [evaluate(criterion, env) for criterion in criteria[1::2]]
    assert len(areas) == len(wanted)
    keys = [range_values(area, env) for area in areas]
    amounts = range_values(values, env)
    assert all(len(key) == len(amounts) for key in keys)
    found = [matching_positions(area, want, env) for area, want in zip(areas, wanted, strict=True)]
    fewest = min(range(len(found)), key=lambda n: len(found[n]))
    others = [(keys[n], wanted[n]) for n in range(len(keys)) if n != fewest]
    total = 0.0
    for position in found[fewest]:
        value = amounts[position]
        if type(value) in _PLAIN_NUMBERS and all(key[position] == want for key, want in others):
            total += value  # type: ignore[operator]
    return total


def _index(env: Env, args: Sequence[Expr]) -> Scalar:
    """INDEX(area, n) on a row or column, INDEX(area, row, column) on a rectangle (1-based)."""
    area, *position = args
    assert isinstance(area, Range)
    numbers = [int(as_number(evaluate(arg, env))) for arg in position]
    values = range_values(area, env)
    if len(numbers) == 1:  # a row or a column
        return values[numbers[0] - 1]
    row, col = numbers
    return values[(row - 1) * (area.last.col - area.first.col + 1) + col - 1]


def _match(env: Env, args: Sequence[Expr]) -> Scalar:
    """MATCH(x, ascending range, 1): the position of the largest value ≤ x (1-based);
    MATCH(x, range, 0): the position of the first value equal to x."""
    wanted, area, kind = args
    assert isinstance(area, Range) and as_number(evaluate(kind, env)) in (0, 1)
    if as_number(evaluate(kind, env)) == 0:
        return _exact_match(evaluate(wanted, env), range_values(area, env))
    x = as_number(evaluate(wanted, env))
    found = [n for n, v in enumerate(range_values(area, env), start=1) if as_number(v) <= x]
    if not found:
        raise ValueError(f"MATCH found no value ≤ {x} (#N/A)")
    return found[-1]


def _exact_match(wanted: Scalar, values: Sequence[Scalar]) -> Scalar:
    for position, value in enumerate(values, start=1):
        if _equal(value, wanted):
            return position
    raise ValueError(f"MATCH found no value equal to {wanted!r} (#N/A)")


def _serial(env: Env, arg: Expr) -> date:
    return serial_to_date(as_number(evaluate(arg, env)))


def _edate(env: Env, args: Sequence[Expr]) -> Scalar:
    start, months = args
    return date_to_serial(
        _serial(env, start) + relativedelta(months=int(as_number(evaluate(months, env))))
    )


def _date(env: Env, args: Sequence[Expr]) -> Scalar:
    year, month, day = (int(as_number(evaluate(arg, env))) for arg in args)
    first = date(year, 1, 1) + relativedelta(months=month - 1)
    return date_to_serial(first) + day - 1


def _if(env: Env, args: Sequence[Expr]) -> Scalar:
    condition, if_true, if_false = args
    chosen = if_true if as_number(evaluate(condition, env)) else if_false
    return evaluate(chosen, env)


def _array(expr: Expr, env: Env) -> list[Scalar] | Scalar:
    """An argument of SUMPRODUCT: a range's values, or operators applied element by element
    (a scalar operand stands beside every element)."""
    if isinstance(expr, Range):
        return range_values(expr, env)
    if isinstance(expr, BinOp):
        left, right = _array(expr.left, env), _array(expr.right, env)
        if not isinstance(left, list) and not isinstance(right, list):
            return apply_operator(expr.op, left, right)
        size = len(left) if isinstance(left, list) else len(right)  # type: ignore[arg-type]
        lefts = left if isinstance(left, list) else [left] * size
        rights = right if isinstance(right, list) else [right] * size
        return [apply_operator(expr.op, a, b) for a, b in zip(lefts, rights, strict=True)]
    return evaluate(expr, env)


def _sumproduct(env: Env, args: Sequence[Expr]) -> Scalar:
    """SUMPRODUCT(array, …): the sum of the element-wise products; in an array, anything but a
    number counts as 0 (multiply a comparison by 1 to count it)."""
    arrays = [_array(arg, env) for arg in args]
    columns = [a if isinstance(a, list) else [a] for a in arrays]
    total = 0.0
    for values in zip(*columns, strict=True):
        product = 1.0
        for value in values:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            product *= value if numeric else 0
        total += product
    return total


def _int(env: Env, args: Sequence[Expr]) -> Scalar:
    """INT: rounded down to a whole number."""
    return math.floor(as_number(evaluate(args[0], env)))


FUNCTIONS: dict[str, Callable[[Env, Sequence[Expr]], Scalar]] = {
    "SUM": lambda env, args: sum(_numbers(env, args)),
    "MIN": lambda env, args: min(_numbers(env, args), default=0),
    "MAX": lambda env, args: max(_numbers(env, args), default=0),
    "AND": lambda env, args: all(as_number(value) for value in _logicals(env, args)),
    "OR": lambda env, args: any(as_number(value) for value in _logicals(env, args)),
    "IF": _if,
    "SUMIF": _sumif,
    "SUMIFS": _sumifs,
    "SUMPRODUCT": _sumproduct,
    "INT": _int,
    "INDEX": _index,
    "MATCH": _match,
    "DATE": _date,
    "EDATE": _edate,
    "YEAR": lambda env, args: _serial(env, args[0]).year,
    "MONTH": lambda env, args: _serial(env, args[0]).month,
}
"""The worksheet functions the evaluator knows, by name."""
