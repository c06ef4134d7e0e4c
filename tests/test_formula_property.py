"""Random formulas and random scenarios, recalculated by formualizer, an in-process engine.

formualizer recalculates a workbook in milliseconds, so it can check far more cases than
LibreOffice and Gnumeric (which stay the final judges, see test_workbook_engines.py):

* random expression trees of the node types and functions the workbooks use, over input
  cells holding numbers, booleans, dates and nothing, written with openpyxl as "=" + render:
  Python's evaluation must give what formualizer computes (an error where it reports one);
* random small scenarios built into workbooks: every cached value must be what formualizer
  computes, and no formula may be an error.

Hypothesis runs derandomized and without an example database, so every run checks the same
cases and CI is reproducible.
"""

from __future__ import annotations

import io
import math
import re
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import formualizer
import openpyxl
from engines import formula_cells
from helpers import formualizer_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kim_budget.formula import (
    BinOp,
    Call,
    Expr,
    Num,
    Range,
    Ref,
    Scalar,
    date_to_serial,
    evaluate,
    serial_to_date,
)
from kim_budget.libreoffice import cached_values, compare, is_error_value
from kim_budget.loader import load_scenario
from kim_budget.pipeline import workbook_bytes

REPRODUCIBLE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# --- (a) random expressions ----------------------------------------------------------------

INPUTS = "Eingaben"  # A1:F1 hold the inputs
RESULTS = "Ergebnis"  # A1, A2, ... hold the formulas
WIDTH = 6
ROW = Range(Ref(INPUTS, 1, 1), Ref(INPUTS, 1, WIDTH))
EXPRESSIONS_PER_BOOK = 4

# An input cell: a number, a boolean, a date or nothing.
numbers = st.one_of(
    st.integers(-1000, 1000),
    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)),
)
days = st.dates(date(2000, 1, 1), date(2040, 12, 31))
inputs = st.one_of(numbers, st.booleans(), days, st.none())


def as_env_value(cell: int | float | bool | date | None) -> Scalar:
    """How the workbook's evaluator sees the cell: dates as serial numbers."""
    return date_to_serial(cell) if isinstance(cell, date) else cell


class Cells:
    """The input cells as an evaluation environment; every other cell is empty."""

    def __init__(self, row: list[Scalar]) -> None:
        self.row = row

    def value(self, sheet: str, row: int, col: int) -> Scalar:
        if sheet == INPUTS and row == 1 and col <= len(self.row):
            return self.row[col - 1]
        return None


Input = int | float | bool | date | None


def expressions(row: list[Input]) -> st.SearchStrategy[Expr]:
    """Expressions over the given input row, typed so that they avoid the cases where our
    evaluator is known to differ from Excel (the expected failures of test_formula.py):
    comparisons, MIN/MAX arguments and SUMIF criteria are numbers, never booleans or empty
    cells; arithmetic, IF, AND and OR take anything; date functions get dates."""
    refs = [Ref(INPUTS, 1, col, fix_row=col % 2 == 0, fix_col=col % 3 == 0) for col in range(1, 7)]
    kinds = list(zip(refs, row, strict=True))
    date_refs = [ref for ref, cell in kinds if isinstance(cell, date)]
    number_refs = [
        ref
        for ref, cell in kinds
        if isinstance(cell, int | float | date) and not isinstance(cell, bool)
    ]
    number_constants = st.one_of(
        st.integers(-100, 100).map(Num), st.sampled_from([0.5, 1.5, 12.0, 0.25, 2.8]).map(Num)
    )
    number_leaves = (
        st.one_of(number_constants, st.sampled_from(number_refs))
        if number_refs
        else number_constants
    )
    any_leaves = st.one_of(number_constants, st.booleans().map(Num), st.sampled_from(refs))
    sub_ranges = st.tuples(st.integers(1, WIDTH), st.integers(1, WIDTH)).map(
        lambda ends: Range(Ref(INPUTS, 1, min(ends)), Ref(INPUTS, 1, max(ends)))
    )
    keys = Range(Ref(INPUTS, 1, 1), Ref(INPUTS, 1, 3))
    amounts = Range(Ref(INPUTS, 1, 4), Ref(INPUTS, 1, 6))
    # Criteria that match some keys, avoiding what test_formula.py marks as known differences
    # from Excel: neither 0 nor 1 (TRUE and FALSE keys), no key whose amount is a boolean.
    pairs = list(zip(row[:3], row[3:], strict=True))
    avoided = {0, 1} | {as_env_value(key) for key, amount in pairs if isinstance(amount, bool)}
    key_values = sorted(
        {
            value
            for value in (as_env_value(key) for key, _ in pairs)
            if isinstance(value, int | float)
            and not isinstance(value, bool)
            and value not in avoided
        }
    )
    criteria = st.integers(2, 100).filter(lambda n: n not in avoided).map(Num)
    if key_values:
        criteria = st.one_of(criteria, st.sampled_from(key_values).map(Num))
    made_dates = st.builds(
        lambda y, m, d: Call("DATE", (Num(y), Num(m), Num(d))),
        st.integers(2000, 2040),
        st.integers(-2, 14),
        st.integers(0, 31),
    )
    base_dates = st.one_of(made_dates, st.sampled_from(date_refs)) if date_refs else made_dates
    dates = st.one_of(
        base_dates,
        st.builds(lambda d, k: Call("EDATE", (d, Num(k))), base_dates, st.integers(-30, 30)),
    )

    numbers: dict[int, st.SearchStrategy[Expr]] = {}
    anything: dict[int, st.SearchStrategy[Expr]] = {}
    conditions: dict[int, st.SearchStrategy[Expr]] = {}

    def condition(depth: int) -> st.SearchStrategy[Expr]:
        if depth not in conditions:
            compared = st.builds(
                BinOp,
                st.sampled_from(["=", "<", ">", "<=", ">=", "<>"]),
                number(depth - 1),
                number(depth - 1),
            )
            conditions[depth] = st.one_of(
                compared,
                st.builds(lambda x, y: Call("AND", (x, y)), compared, any_(depth - 1)),
                st.builds(lambda x, y: Call("OR", (x, y)), any_(depth - 1), compared),
            )
        return conditions[depth]

    def number(depth: int) -> st.SearchStrategy[Expr]:
        """Always a number (or an error)."""
        if depth <= 0:
            return number_leaves
        if depth not in numbers:
            operand = any_(depth - 1)
            numbers[depth] = st.one_of(
                number_leaves,
                st.builds(BinOp, st.sampled_from(["+", "-", "*", "/"]), operand, operand),
                operand.map(lambda x: -x),
                st.builds(
                    lambda name, args: Call(name, tuple(args)),
                    st.sampled_from(["SUM", "MIN", "MAX"]),
                    st.lists(st.one_of(number(depth - 1), sub_ranges), min_size=1, max_size=3),
                ),
                st.builds(
                    lambda c, x, y: Call("IF", (c, x, y)),
                    condition(depth - 1) if depth > 1 else operand,
                    number(depth - 1),
                    number(depth - 1),
                ),
                criteria.map(lambda wanted: Call("SUMIF", (keys, wanted, amounts))),
                dates,
                dates.map(lambda d: Call("YEAR", (d,))),
                dates.map(lambda d: Call("MONTH", (d,))),
            )
        return numbers[depth]

    def any_(depth: int) -> st.SearchStrategy[Expr]:
        """A number, a boolean or an empty cell."""
        if depth <= 0:
            return any_leaves
        if depth not in anything:
            anything[depth] = st.one_of(
                any_leaves,
                number(depth),
                condition(depth),
                st.builds(
                    lambda c, x, y: Call("IF", (c, x, y)),
                    any_(depth - 1),
                    any_(depth - 1),
                    any_(depth - 1),
                ),
                st.integers(1, WIDTH).map(lambda i: Call("INDEX", (ROW, Num(i)))),
            )
        return anything[depth]

    return any_(3)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[int | float | bool | date | None], list[Expr]]:
    row = draw(st.lists(inputs, min_size=WIDTH, max_size=WIDTH))
    exprs = draw(st.lists(expressions(row), min_size=1, max_size=EXPRESSIONS_PER_BOOK))
    return row, exprs


def formualizer_results(row: list[int | float | bool | date | None], exprs: list[Expr]) -> list:
    """The workbook as openpyxl writes it, recalculated by formualizer: each formula's value."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = INPUTS
    for col, cell in enumerate(row, start=1):
        if cell is not None:
            sheet.cell(1, col, cell)
            if isinstance(cell, date):
                sheet.cell(1, col).number_format = "dd.mm.yyyy"
    results = book.create_sheet(RESULTS)
    for number, expr in enumerate(exprs, start=1):
        results.cell(number, 1, "=" + expr.render(RESULTS))
    data = io.BytesIO()
    book.save(data)
    engine = formualizer.Workbook.from_bytes(data.getvalue())
    engine.evaluate_all()
    return [engine.get_value(RESULTS, number, 1) for number in range(1, len(exprs) + 1)]


def python_result(expr: Expr, env: Cells) -> Scalar | Exception:
    try:
        return evaluate(expr, env)
    except (ValueError, ZeroDivisionError, IndexError) as error:  # Excel: an error value
        return error


def engine_number(value: object) -> float | None:
    if isinstance(value, datetime | date):
        return date_to_serial(value if isinstance(value, date) else value.date())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def disagreement(ours: Scalar | Exception, theirs: object) -> str | None:
    """Why formualizer's value is not the one Python computed (None: they agree)."""
    if isinstance(theirs, dict) and theirs.get("type") == "Error":
        return None if isinstance(ours, Exception) else "formualizer: error"
    if isinstance(ours, Exception):
        return f"Python: {ours!r}"
    if ours is None:
        ours = 0  # a formula that yields an empty cell shows 0 (see test_formula.py)
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return None if ours is theirs else "booleans differ"
    if isinstance(ours, str) or isinstance(theirs, str):
        return None if ours == theirs else "texts differ"
    number = engine_number(theirs)
    if number is None:
        return f"formualizer returned {theirs!r}"
    if math.isclose(float(ours), number, rel_tol=1e-9, abs_tol=1e-9):
        return None
    return "numbers differ"


@settings(REPRODUCIBLE, max_examples=200)
@given(cases())
def test_python_evaluation_agrees_with_formualizer(
    case: tuple[list[int | float | bool | date | None], list[Expr]],
) -> None:
    row, exprs = case
    env = Cells([as_env_value(cell) for cell in row])
    theirs = formualizer_results(row, exprs)
    problems = []
    for expr, value in zip(exprs, theirs, strict=True):
        ours = python_result(expr, env)
        reason = disagreement(ours, value)
        if reason:
            problems.append(f"={expr.render(RESULTS)}: Python {ours!r}, formualizer {value!r}")
    assert problems == [], f"inputs {row}"


def test_serial_numbers_survive_the_round_trip_through_formualizer() -> None:
    """Control for the date handling above: formualizer's DATE is our serial number."""
    expr = Call("DATE", (Num(2025), Num(1), Num(31)))
    (theirs,) = formualizer_results([None] * WIDTH, [expr])
    assert engine_number(theirs) == 45688
    assert serial_to_date(45688) == date(2025, 1, 31)


# --- (b) random scenarios ------------------------------------------------------------------


def month(year: int, number: int) -> str:
    return f'"{year:04d}-{number:02d}"'


bool_text = st.sampled_from(["true", "false"])


@st.composite
def scenario_files(draw: st.DrawFn) -> str:
    """The text of a valid scenario file: 1–6 years, 1–3 positions, optional caps and offsets,
    Sachkosten and Gemeinkosten, a funding share and the grant's end."""
    first = draw(st.integers(2024, 2030))
    last = first + draw(st.integers(0, 5))
    lines = ['title = "Zufallsszenario"', "[horizon]", f"first_year = {first}"]
    lines.append(f"last_year = {last}")
    every_position_has_cost = True
    for _ in range(draw(st.integers(1, 3))):
        start_year = draw(st.integers(first - 1, last))
        start_month = draw(st.integers(1, 12))
        lines += ["[[positions]]", 'name = "Stelle"']
        fte = draw(st.sampled_from([0.25, 0.5, 0.75, 1.0, 1.173, 1.5, 2.0]))
        lines += [f"fte = {fte}", f"start = {month(start_year, start_month)}"]
        if draw(st.booleans()):  # the last month: not before the start, inside the horizon or later
            end_year = draw(st.integers(max(start_year, first), last + 1))
            end_month = draw(st.integers(start_month if end_year == start_year else 1, 12))
            lines.append(f"end = {month(end_year, end_month)}")
        if draw(st.booleans()):
            lines.append(f"annual_cost = {draw(st.integers(40_000, 120_000))}")
        else:
            every_position_has_cost = False
        if draw(st.booleans()):
            lines.append(f"funded = {str(draw(st.booleans())).lower()}")

    def increases() -> str:
        months = draw(
            st.lists(
                st.tuples(st.integers(first, last), st.integers(1, 12)), max_size=2, unique=True
            )
        )
        percents = st.sampled_from([-5.0, 1.5, 2.8, 3.0, 10.0])
        items = [f"{{ from = {month(y, m)}, percent = {draw(percents)} }}" for y, m in months]
        return f"increases = [{', '.join(items)}]"

    lines.append("[cost]")
    if not every_position_has_cost or draw(st.booleans()):
        lines.append(f"annual_cost_per_fte = {draw(st.integers(40_000, 120_000))}")
    lines.append(increases())
    if draw(st.booleans()):  # the workplace and overheads
        lines.append(f"material_per_fte = {draw(st.integers(1_000, 20_000))}")
        lines.append("material_" + increases())
        lines.append(f"overhead_percent = {draw(st.sampled_from([0.0, 15.0, 20.0, 39.5]))}")
    share = draw(st.sampled_from([None, 50.0, 80.0, 100.0]))
    lines.append("[funding]")
    if share is None or draw(st.booleans()):  # a share may stand without a maximum
        rate = draw(st.one_of(st.just(0), st.integers(1_000, 100_000)))  # 1–999 € is an error
        lines.append(f"rate_per_fte = {rate}")
    if share is not None:
        lines += [f"percent_of_cost = {share}", f"covers_material = {draw(bool_text)}"]
    if draw(st.booleans()):  # the grant's last month, before, inside or after the horizon
        lines.append(
            f"end = {month(draw(st.integers(first - 1, last + 1)), draw(st.integers(1, 12)))}"
        )
    lines.append(increases())
    cap = draw(st.sampled_from(["none", "max_fte", "share"]))
    if cap == "max_fte":
        lines.append(f"max_fte = {draw(st.sampled_from([0.5, 1.0, 1.173, 2.5]))}")
    if draw(st.booleans()):
        lines.append("cap_at_cost = true")
    if cap == "share":
        lines += ["[funding.share]", f"population = {draw(st.integers(10_000, 200_000))}"]
        lines += ["district_population = 608335", f"district_fte = {draw(st.integers(1, 30))}"]
    years = draw(st.lists(st.integers(first, last), max_size=2, unique=True))
    if years:
        lines += ["[offset]", f"years = [{', '.join(map(str, sorted(years)))}]"]
    return "\n".join(lines) + "\n"


def check_with_formualizer(path: Path) -> list[str]:
    """Every cached value of the workbook against formualizer's recalculation."""
    cells = formula_cells(path)
    values = formualizer_values(path, list(cells))
    problems = [str(m) for m in compare(cached_values(path), values, cells, tolerance=1e-9)]
    problems += [f"{s}!{c} is an error" for (s, c), v in values.items() if is_error_value(v)]
    return problems


def built(text: str, folder: Path) -> Path:
    """The scenario file with this text, loaded, validated and built into a workbook."""
    source = folder / "zufall.toml"
    source.write_text(text, encoding="utf-8")
    target = folder / "zufall.xlsx"
    target.write_bytes(workbook_bytes(load_scenario(source)))
    return target


@settings(REPRODUCIBLE, max_examples=30)
@given(scenario_files())
def test_random_scenarios_cache_what_formualizer_computes(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = built(text, Path(folder))
        assert check_with_formualizer(path) == [], text


def test_generated_workbooks_cache_what_formualizer_computes(
    generated_workbooks: tuple[Path, ...],
) -> None:
    """The shipped scenarios, the valid test cases and their comparison workbook."""
    problems = [f"{p.name}: {m}" for p in generated_workbooks for m in check_with_formualizer(p)]
    assert problems == []


def test_formualizer_ignores_a_wrong_cached_value(tmp_path: Path) -> None:
    """Control: formualizer recalculates instead of echoing the cache, so the checks above
    mean something."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Blatt"
    sheet["A1"] = 2
    sheet["A2"] = "=A1*3"
    plain = io.BytesIO()
    book.save(plain)
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(stale, "w") as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(
                    rb"<f>A1\*3</f><v\s*(/>|></v>)", b"<f>A1*3</f><v>999</v>", data
                )
                assert count == 1
            target.writestr(entry, data)
    assert cached_values(stale)[("Blatt", "A2")] == 999
    assert check_with_formualizer(stale) == ["Blatt!A2: cached 999, engine computed 6.0"]
