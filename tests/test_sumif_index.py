"""SUMIF and SUMIFS look their criteria up in an index of the range instead of scanning it.

The index must give exactly what a scan over the range gives: the same matches (2024 finds
2024.0, an empty criterion finds empty cells, and the comparisons the expected failures of
test_formula.py name), the same order of addition and the same type (an int stays an int).
`scan_sumif` and `scan_sumifs` below are that scan; random rows of mixed cells are evaluated
both ways, through a book (`BookEnv`, one index per range for all of its formulas) and through
an environment without a memo.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kim_budget.formula import Call, Expr, Range, Ref, Scalar, as_number, evaluate
from kim_budget.workbook.grid import Book, BookEnv, Sheet

S = "Werte"
WIDTH = 12
KEYS, OTHER_KEYS, AMOUNTS, WANTED = 1, 2, 3, 4  # rows of sheet S
REPRODUCIBLE = settings(derandomize=True, database=None, deadline=None, max_examples=300)

# Few distinct values, so that rows match often; numbers, booleans, text and empty cells mixed.
keys = st.sampled_from([2024, 2024.0, 2025, 1, 1.0, 0, 0.0, True, False, None, "x", "X", "2024"])
amounts = st.one_of(
    st.integers(-1000, 1000),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1, 0.2, 0.3, 1e16, -1e16]),  # sums that depend on the order of addition
    st.sampled_from([True, False, None, "x"]),
)


def scan_sumif(keys: list[Scalar], wanted: Scalar, values: list[Scalar]) -> Scalar:
    """SUMIF as a scan over every position."""
    pairs = zip(keys, values, strict=True)
    return sum(as_number(v) for key, v in pairs if key == wanted and isinstance(v, int | float))


def scan_sumifs(values: list[Scalar], criteria: list[tuple[list[Scalar], Scalar]]) -> Scalar:
    """SUMIFS as a scan over every position."""
    total = 0.0
    for position, value in enumerate(values):
        matches = all(keys[position] == wanted for keys, wanted in criteria)
        if matches and isinstance(value, int | float) and not isinstance(value, bool):
            total += value
    return total


class Cells:
    """An environment without a range memo or index: every call builds its own."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet

    def value(self, sheet: str, row: int, col: int) -> Scalar:
        cell = self.sheet.cells.get((row, col))
        return None if cell is None or isinstance(cell.content, Expr) else cell.content  # type: ignore[return-value]


def area(row: int) -> Range:
    return Range(Ref(S, row, 1), Ref(S, row, WIDTH))


def sheet_of(rows: dict[int, list[Scalar]]) -> Sheet:
    sheet = Sheet(S)
    for number, values in rows.items():
        for col, content in enumerate(values, start=1):
            if content is not None:
                sheet.put(number, col, content)
    return sheet


def formulas(wanted: int) -> list[tuple[Call, int, int]]:
    """SUMIF and SUMIFS over the rows, one pair per wanted cell (column `col` of row WANTED),
    each with the column whose wanted value the second criterion uses."""
    found = []
    for col in range(1, wanted + 1):
        other = wanted + 1 - col
        sumif = Call("SUMIF", (area(KEYS), Ref(S, WANTED, col), area(AMOUNTS)))
        sumifs = Call(
            "SUMIFS",
            (
                area(AMOUNTS),
                area(KEYS),
                Ref(S, WANTED, col),
                area(OTHER_KEYS),
                Ref(S, WANTED, other),
            ),
        )
        found += [(sumif, col, other), (sumifs, col, other)]
    return found


@REPRODUCIBLE
@given(
    st.lists(keys, min_size=WIDTH, max_size=WIDTH),
    st.lists(keys, min_size=WIDTH, max_size=WIDTH),
    st.lists(amounts, min_size=WIDTH, max_size=WIDTH),
    st.lists(keys, min_size=1, max_size=6),
)
def test_indexed_sums_are_the_scans(
    first: list[Scalar], second: list[Scalar], values: list[Scalar], wanted: list[Scalar]
) -> None:
    sheet = sheet_of({KEYS: first, OTHER_KEYS: second, AMOUNTS: values, WANTED: wanted})
    book_env, plain = BookEnv(Book([sheet])), Cells(sheet)
    for formula, col, other in formulas(len(wanted)):
        if formula.name == "SUMIF":
            expected = scan_sumif(first, wanted[col - 1], values)
        else:
            criteria = [(first, wanted[col - 1]), (second, wanted[other - 1])]
            expected = scan_sumifs(values, criteria)
        for env in (book_env, plain):
            assert repr(evaluate(formula, env)) == repr(expected), formula.render(S)


def test_one_index_per_range_serves_every_year() -> None:
    """Years 2024–2026 of a month row: each year's sum finds its own twelve months, in order,
    from one index of the row."""
    years = [2024 + month // 12 for month in range(36)]
    amounts = [0.1 * month for month in range(36)]
    sheet = sheet_of({KEYS: list(years), AMOUNTS: list(amounts), WANTED: [2024, 2025, 2026, 2027]})
    env = BookEnv(Book([sheet]))
    months = Range(Ref(S, KEYS, 1), Ref(S, KEYS, 36))
    values = Range(Ref(S, AMOUNTS, 1), Ref(S, AMOUNTS, 36))
    for col, year in enumerate((2024, 2025, 2026, 2027), start=1):
        got = evaluate(Call("SUMIF", (months, Ref(S, WANTED, col), values)), env)
        assert repr(got) == repr(scan_sumif(list(years), year, list(amounts)))
    assert sorted(env.criteria_index(months)) == [2024, 2025, 2026]  # type: ignore[type-var]
    assert env.criteria_index(months)[2025] == list(range(12, 24))
