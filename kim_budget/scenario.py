"""Scenario files: TOML in, validated frozen dataclasses out.

A scenario describes one staffing option. Months are `datetime.date` values on the first day of
the month; a TOML date given for a month counts as its month.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kim_budget import keys
from kim_budget.errors import ScenarioError, ScenarioErrors
from kim_budget.files import hidden, path_kind
from kim_budget.pay import Grading, PayRules, read_overrides, shipped_rules, unknown_grade
from kim_budget.validate import (
    Checker,
    Limits,
    ScenarioWarning,
    Table,
    describe,
    display_key,
    load_checked,
    month_text,
    show,
)


@dataclass(frozen=True)
class Increase:
    """A percentage increase that applies from `start` (first day of a month) on, compounding.

    `index` is its place in the file's list (from 0), which names it in messages and in the
    workbook ("Kostensteigerung 1") even when the file does not list the increases by month.
    """

    start: date
    percent: float
    index: int


@dataclass(frozen=True)
class Position:
    """One post (Stelle) with its VZÄ, occupancy period and cost."""

    name: str
    fte: float
    start: date
    end: date | None
    annual_cost: float | None
    funded: bool
    grading: Grading | None = None
    """Set when the position is priced from the TVöD pay tables instead of an annual cost."""


@dataclass(frozen=True)
class Share:
    """The municipality's share of a district's funded posts, distributed by population."""

    population: int
    district_population: int
    district_fte: float

    @property
    def max_fte(self) -> float:
        """district_fte × population / district_population."""
        return self.district_fte * self.population / self.district_population


@dataclass(frozen=True)
class Cost:
    """Personnel cost assumptions ([cost])."""

    annual_cost_per_fte: float | None
    increases: tuple[Increase, ...]


@dataclass(frozen=True)
class Funding:
    """Funding assumptions ([funding])."""

    rate_per_fte: float
    max_fte: float | None
    share: Share | None
    cap_at_cost: bool
    increases: tuple[Increase, ...]

    @property
    def fte_cap(self) -> float | None:
        """The funded VZÄ limit, given directly or derived from the share; None when open."""
        if self.share is not None:
            return self.share.max_fte
        return self.max_fte


@dataclass(frozen=True)
class Budget:
    """Where the figures are booked ([budget]); all optional, for the council-paper texts.

    Account numbers are text of digits (as written in the file, leading zeros kept).
    """

    product: str | None = None
    expense_account: str | None = None
    income_account: str | None = None


@dataclass(frozen=True)
class Scenario:
    """One validated scenario file.

    `budget` and `warnings` come last and have defaults, so constructors written before them
    still work. `warnings` are values that are allowed but probably not meant (a percentage of
    0.03); they do not stop a build.
    """

    path: Path
    sha256: str
    title: str
    municipality: str | None
    reference: str | None
    description: str | None
    first_year: int
    last_year: int
    positions: tuple[Position, ...]
    cost: Cost
    funding: Funding
    offset_years: tuple[int, ...]
    budget: Budget = Budget()
    warnings: tuple[ScenarioWarning, ...] = ()
    pay: PayRules = field(default_factory=shipped_rules)
    """The TVöD rules graded positions are priced with (shipped, with the file's [tvoed])."""

    @property
    def graded(self) -> bool:
        """Whether a position is priced from the pay tables."""
        return any(position.grading is not None for position in self.positions)

    @property
    def stem(self) -> str:
        """The file stem that names every output of this scenario."""
        return self.path.stem

    @property
    def years(self) -> tuple[int, ...]:
        """The Haushaltsjahre of the horizon, in order."""
        return tuple(range(self.first_year, self.last_year + 1))

    def annual_cost(self, position: Position) -> float:
        """The position's own annual cost per VZÄ, else the scenario's (not for a graded one)."""
        if position.annual_cost is not None:
            return position.annual_cost
        assert self.cost.annual_cost_per_fte is not None  # guaranteed by validation
        return self.cost.annual_cost_per_fte


# ---------------------------------------------------------------------------------------------
# Loading

_TEXT_KEYS = ("title", "municipality", "reference", "description")


def _length(path: str) -> int:
    """The most characters a text key may hold (the key table's, which the workbook checks too)."""
    most = keys.key(path).max_length
    assert most is not None
    return most


def _limits(measure: keys.Measure) -> Limits:
    assert measure.limits is not None
    return measure.limits


_TEXT_LENGTHS = {key: _length(key) for key in _TEXT_KEYS}
_NAME_LENGTH = _length("positions[].name")
_PRODUCT_LENGTH = _length("budget.product")
_TOP_KEYS = (*_TEXT_KEYS, "horizon", "positions", "cost", "funding", "offset", "budget", "tvoed")
_GRADE_KEYS = ("grade", "step", "step_since", "allowance")
_POSITION_KEYS = ("name", "fte", "start", "end", "annual_cost", "funded", *_GRADE_KEYS)
_COST_KEYS = ("annual_cost_per_fte", "increases")
_FUNDING_KEYS = ("rate_per_fte", "max_fte", "cap_at_cost", "increases", "share")
_SHARE_KEYS = ("population", "district_population", "district_fte")
_INCREASE_KEYS = ("from", "percent")
_ACCOUNT_KEYS = ("expense_account", "income_account")
_BUDGET_KEYS = ("product", *_ACCOUNT_KEYS)
_ACCOUNT = re.compile(r"[0-9]{3,10}")

_YEAR = _limits(keys.YEAR)
_MAX_SPAN = 15
_FTE = _limits(keys.FTE)
_MONEY = _limits(keys.MONEY)
"""€ per VZÄ and year."""
_POPULATION = _limits(keys.PEOPLE)
_DISTRICT_FTE = _limits(keys.DISTRICT_FTE)
_PERCENT = _limits(keys.PERCENT)
_STEP = _limits(keys.STEP)
_ALLOWANCE = _limits(keys.MONEY_MONTH)
_EMPTY = "file is empty; a scenario needs at least title, [horizon], [[positions]] and [funding]"


def load_scenario(path: Path, display: str | None = None, raw: bytes | None = None) -> Scenario:
    """Read and validate one scenario file.

    `display` names the file in messages (default: the path as given); `raw`, when given, is
    the file's content, checked without reading or writing any file. Raises `ScenarioErrors`
    with every problem found in the file.
    """
    return load_checked(path, display, _EMPTY, _scenario, raw)


def load_scenarios(paths: Sequence[Path]) -> tuple[Scenario, ...]:
    """Read and validate scenario files and folders (every *.toml directly inside, by name).

    Validates everything before raising one `ScenarioErrors` with the problems of all files,
    including missing paths, folders without scenarios and files that would write the same
    workbook.
    """
    errors: list[ScenarioError] = []
    if not paths:
        errors.append(ScenarioError("scenarios", "", "none given; name a *.toml file or a folder"))
    files = _expand(paths, errors)
    scenarios = []
    for file in files:
        try:
            scenarios.append(load_scenario(file))
        except ScenarioErrors as error:
            errors.extend(error.errors)
    errors.extend(_same_workbook(files))
    if errors:
        raise ScenarioErrors(errors)
    return tuple(scenarios)


def _expand(paths: Sequence[Path], errors: list[ScenarioError]) -> list[Path]:
    """Files as given and folders' *.toml files, each file once."""
    files: list[Path] = []
    for path in paths:
        kind = path_kind(path)
        if kind == "folder":
            files.extend(_folder(path, errors))
        elif kind == "missing":
            errors.append(ScenarioError(str(path), "", "no such file or folder"))
        else:
            files.append(path)  # the loader says what is wrong with anything but a file
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(Path(os.path.realpath(file)), file)
    return list(unique.values())


def _folder(folder: Path, errors: list[ScenarioError]) -> list[Path]:
    """The scenario files of a folder: *.toml, not hidden (temporary files and editors' copies
    are), by name; a *.toml that is no regular file is an error."""
    try:
        found = [p for p in folder.iterdir() if p.suffix.lower() == ".toml" and not hidden(p)]
    except OSError as error:
        errors.append(ScenarioError(str(folder), "", f"folder cannot be read: {error.strerror}"))
        return []
    if not found:
        errors.append(ScenarioError(str(folder), "", "no scenario files (*.toml) in this folder"))
    return sorted(found, key=lambda p: p.name)


def _same_workbook(files: Sequence[Path]) -> list[ScenarioError]:
    """Files whose stems differ only in case or folder would overwrite each other's outputs."""
    first: dict[str, Path] = {}
    errors = []
    for file in files:
        other = first.setdefault(file.stem.casefold(), file)
        if other is not file:
            problem = (
                f"would write the same workbook as {other} (file names are compared "
                "ignoring case and folder); rename one of them"
            )
            errors.append(ScenarioError(str(file), "", problem))
    return errors


def _scenario(path: Path, data: Table, sha256: str, check: Checker) -> Scenario | None:
    check.keys(data, "", _TOP_KEYS)
    title = check.text(data, "title", "", required=True, max_length=_TEXT_LENGTHS["title"])
    texts = [
        check.text(
            data,
            key,
            "",
            required=False,
            max_length=_TEXT_LENGTHS[key],
            multiline=key == "description",
        )
        for key in _TEXT_KEYS[1:]
    ]
    horizon = _horizon(data, check)
    positions = _positions(data, check, horizon)
    cost = _cost(data, check)
    funding = _funding(data, check)
    offset = _offset(data, check, horizon)
    budget = _budget(data, check)
    pay = read_overrides(data, check)
    if title is None or horizon is None or positions is None or cost is None or funding is None:
        return None
    _check_pay(positions, pay, cost, horizon, check)
    return Scenario(
        path=path,
        sha256=sha256,
        title=title,
        municipality=texts[0],
        reference=texts[1],
        description=texts[2],
        first_year=horizon[0],
        last_year=horizon[1],
        positions=positions,
        cost=cost,
        funding=funding,
        offset_years=offset,
        budget=budget,
        warnings=tuple(check.warnings),
        pay=pay,
    )


def _filled_months(position: Position, horizon: tuple[int, int]) -> tuple[date, date]:
    """The first and last month the position is filled inside the horizon."""
    first = max(position.start, date(horizon[0], 1, 1))
    last = (
        date(horizon[1], 12, 1)
        if position.end is None
        else min(position.end, date(horizon[1], 12, 1))
    )
    return first, last


def _check_pay(
    positions: tuple[Position, ...],
    pay: PayRules,
    cost: Cost,
    horizon: tuple[int, int],
    check: Checker,
) -> None:
    """A graded position needs a pay table in every month it is filled, a rate in every year,
    and no cost increase that repeats a pay deal its tables already hold."""
    needed_year: dict[str, tuple[int, str]] = {}
    for number, position in enumerate(positions):
        if position.grading is None:
            continue
        path = f"positions[{number}]"
        first, last = _filled_months(position, horizon)
        tables = [t for t in pay.tables(position.grading.grade) if t.valid_from <= last]
        if not tables or tables[0].valid_from > first:
            _no_table(path, position, first, pay, check)
            continue
        for name in ("bonus", "social_insurance", "pension_fund"):
            if name not in needed_year or needed_year[name][0] > first.year:
                needed_year[name] = (first.year, path)
        for increase in cost.increases:
            if increase.start <= tables[-1].valid_from:
                _pay_deal_twice(increase, tables[-1].valid_from, position.grading.grade, check)
    for name, (year, path) in needed_year.items():
        rates = getattr(pay, name)
        if rates and rates[0].start > year:
            problem = (
                f"no rate for {year} (the list starts in {rates[0].start}), but "
                f"{display_key(path)} is filled then; add {{ from = {year}, percent = … }}"
            )
            check.error(f"tvoed.{name}", problem)


def _no_table(path: str, position: Position, first: date, pay: PayRules, check: Checker) -> None:
    assert position.grading is not None
    grade = position.grading.grade
    tables = pay.tables(grade)
    since = f" before {month_text(tables[0].valid_from)}" if tables else ""
    month = month_text(first)
    problem = (
        f"no pay table for {grade}{since}, but the position is filled from {month}; "
        f'add one under [[tvoed.pay_tables]] (grade = "{grade}", valid_from = "{month}")'
    )
    check.error(f"{path}.grade", problem)


def _pay_deal_twice(increase: Increase, last_table: date, grade: str, check: Checker) -> None:
    path = f"cost.increases[{increase.index}].from"
    problem = (
        f"{month_text(increase.start)} is not after the pay table {grade} of "
        f"{month_text(last_table)}, which already holds the pay deals up to then, so the increase "
        f"would count a pay deal twice; let it start after {month_text(last_table)} or leave it out"
    )
    if not any(error.key == path for error in check.errors):
        check.error(path, problem)


def _horizon(data: Table, check: Checker) -> tuple[int, int] | None:
    expected = "a table [horizon] with first_year and last_year"
    table = check.table(data, "horizon", "", required=True, expected=expected)
    if table is None:
        return None
    check.keys(table, "horizon", ("first_year", "last_year"))
    first = check.integer(table, "first_year", "horizon", _YEAR, required=True)
    last = check.integer(table, "last_year", "horizon", _YEAR, required=True)
    if first is None or last is None:
        return None
    if not first <= last <= first + _MAX_SPAN:
        allowed = f"≥ first_year and ≤ first_year + {_MAX_SPAN} ({first}–{first + _MAX_SPAN})"
        check.error("horizon.last_year", f"must be {allowed}, got {last}")
        return None
    return first, last


def _positions(
    data: Table, check: Checker, horizon: tuple[int, int] | None
) -> tuple[Position, ...] | None:
    items = check.tables(data, "positions", "", required=True, most=keys.MOST_ITEMS["positions"])
    if items is None:
        return None
    if not data["positions"]:
        check.error("positions", "must list at least one position ([[positions]])")
        return None
    positions = [_position(item, path, check, horizon) for _, path, item in items]
    return tuple(p for p in positions if p is not None) if all(positions) else None


def _position(
    item: Table, path: str, check: Checker, horizon: tuple[int, int] | None
) -> Position | None:
    check.keys(item, path, _POSITION_KEYS)
    name = check.text(item, "name", path, required=True, max_length=_NAME_LENGTH)
    fte = check.number(item, "fte", path, _FTE, required=True)
    start = check.month(item, "start", path, required=True)
    end = check.month(item, "end", path, required=False)
    annual_cost = check.amount(item, "annual_cost", path, _MONEY, required=False)
    funded = check.boolean(item, "funded", path, default=True)
    grading = _grading(item, path, check, start)
    if start is not None and not _period_ok(item, path, check, (start, end), horizon):
        return None
    if name is None or fte is None or start is None:
        return None
    return Position(name, fte, start, end, annual_cost, funded, grading)


def _grading(item: Table, path: str, check: Checker, start: date | None) -> Grading | None:
    """grade, step, step_since and allowance of a position priced from the pay tables."""
    if "grade" not in item:
        for key in _GRADE_KEYS[1:]:
            if key in item:
                check.error(f"{path}.{key}", 'belongs to a position with a grade (grade = "S 12")')
        return None
    rules = shipped_rules()
    grade = check.text(item, "grade", path, required=True, max_length=20)
    if grade is not None and grade not in rules.grades:
        check.error(f"{path}.grade", unknown_grade(grade, rules))
        grade = None
    if "annual_cost" in item:
        problem = "cannot be combined with grade: a position is priced either from the pay "
        check.error(f"{path}.annual_cost", problem + "tables (grade) or by an annual cost")
    step = check.integer(item, "step", path, _STEP, required=True)
    since = check.month(item, "step_since", path, required=False) or start
    if since is not None and start is not None and since > start:
        problem = f"must not be after start {show(item['start'])}, got {show(item['step_since'])}"
        check.error(f"{path}.step_since", problem)
        return None
    allowance = check.number(item, "allowance", path, _ALLOWANCE, required=False)
    if grade is None or step is None or since is None:
        return None
    return Grading(grade, step, since, rules.allowance(grade) if allowance is None else allowance)


def _period_ok(
    item: Table,
    path: str,
    check: Checker,
    period: tuple[date, date | None],
    horizon: tuple[int, int] | None,
) -> bool:
    start, end = period
    if end is not None and end < start:
        problem = f"must not be before start {show(item['start'])}, got {show(item['end'])}"
        check.error(f"{path}.end", problem)
        return False
    if horizon is not None and not _overlaps(start, end, horizon):
        months = f"{month_text(start)} to {month_text(end)}" if end else f"from {month_text(start)}"
        check.error(path, f"lies entirely outside the horizon {horizon[0]}–{horizon[1]} ({months})")
        return False
    return True


def _overlaps(start: date, end: date | None, horizon: tuple[int, int]) -> bool:
    return start <= date(horizon[1], 12, 1) and (end is None or end >= date(horizon[0], 1, 1))


def _cost(data: Table, check: Checker) -> Cost | None:
    # Whether a scenario-wide cost is needed is judged from the raw positions, so that a missing
    # [cost] is reported even while a position has other problems.
    items = data.get("positions")
    own_costs = isinstance(items, list) and all(
        isinstance(item, dict) and ("annual_cost" in item or "grade" in item) for item in items
    )
    needed = (
        "" if own_costs else " (required unless every position has its own annual_cost or a grade)"
    )
    expected = f"a table [cost] with annual_cost_per_fte{needed}"
    table = check.table(data, "cost", "", required=bool(needed), expected=expected)
    if table is None:
        return None if "cost" in data or needed else Cost(None, ())
    check.keys(table, "cost", _COST_KEYS)
    per_fte = check.amount(
        table, "annual_cost_per_fte", "cost", _MONEY, required=bool(needed), note=needed
    )
    increases = _increases(table, "cost", check)
    return Cost(per_fte, increases)


def _funding(data: Table, check: Checker) -> Funding | None:
    expected = "a table [funding] with rate_per_fte"
    table = check.table(data, "funding", "", required=True, expected=expected)
    if table is None:
        return None
    check.keys(table, "funding", _FUNDING_KEYS)
    rate = check.amount(table, "rate_per_fte", "funding", _MONEY, required=True)
    max_fte = check.number(table, "max_fte", "funding", _FTE, required=False)
    cap_at_cost = check.boolean(table, "cap_at_cost", "funding", default=False)
    increases = _increases(table, "funding", check)
    share = _share(table, check)
    if "max_fte" in table and "share" in table:
        problem = "cannot be combined with funding.max_fte; give either max_fte or [funding.share]"
        check.error("funding.share", problem)
    if rate is None:
        return None
    return Funding(rate, max_fte, share, cap_at_cost, increases)


def _share(funding: Table, check: Checker) -> Share | None:
    table = check.table(funding, "share", "funding", required=False)
    if table is None:
        return None
    path = "funding.share"
    check.keys(table, path, _SHARE_KEYS)
    population = check.integer(table, "population", path, _POPULATION, required=True)
    district = check.integer(table, "district_population", path, _POPULATION, required=True)
    district_fte = check.number(table, "district_fte", path, _DISTRICT_FTE, required=True)
    if population is not None and district is not None and population > district:
        allowed = f"≤ district_population ({district})"
        check.error(f"{path}.population", f"must be {allowed}, got {population}")
    if population is None or district is None or district_fte is None:
        return None
    return Share(population, district, district_fte)


def _increases(table: Table, parent: str, check: Checker) -> tuple[Increase, ...]:
    """[cost] or [funding] increases, sorted by month; one increase per month."""
    increases: list[Increase] = []
    seen: dict[date, str] = {}
    most = keys.MOST_ITEMS[f"{parent}.increases"]
    items = check.tables(table, "increases", parent, required=False, most=most) or []
    for index, path, item in items:
        check.keys(item, path, _INCREASE_KEYS)
        start = check.month(item, "from", path, required=True)
        percent = check.percent(item, "percent", path, _PERCENT)
        if start is None:
            continue
        if start in seen:
            problem = f"two increases in the same month {month_text(start)} (also {seen[start]})"
            check.error(f"{path}.from", f"{problem}; combine them into one")
            continue
        seen[start] = display_key(path)
        if percent is not None:
            increases.append(Increase(start, percent, index))
    return tuple(sorted(increases, key=lambda increase: increase.start))


def _offset(data: Table, check: Checker, horizon: tuple[int, int] | None) -> tuple[int, ...]:
    table = check.table(data, "offset", "", required=False)
    if table is None:
        return ()
    check.keys(table, "offset", ("years",))
    value = check.get(table, "years", "offset", "an array of years", required=False)
    if value is None:
        return ()
    if not isinstance(value, list):
        check.error("offset.years", f"must be an array of years, got {describe(value)}")
        return ()
    years: set[int] = set()
    for index, item in enumerate(value):
        year = check.integer_value(item, f"offset.years[{index}]", _YEAR)
        if year is not None and _offset_year_ok(year, index, years, check, horizon):
            years.add(year)
    return tuple(sorted(years))


def _offset_year_ok(
    year: int, index: int, years: set[int], check: Checker, horizon: tuple[int, int] | None
) -> bool:
    path = f"offset.years[{index}]"
    if year in years:
        check.error(path, f"{year} is listed twice; list each year once")
        return False
    if horizon is not None and not horizon[0] <= year <= horizon[1]:
        inside = f"a year inside the horizon {horizon[0]}–{horizon[1]}"
        check.error(path, f"must be {inside}, got {year}")
        return False
    return True


def _budget(data: Table, check: Checker) -> Budget:
    table = check.table(data, "budget", "", required=False)
    if table is None:
        return Budget()
    check.keys(table, "budget", _BUDGET_KEYS)
    product = check.text(table, "product", "budget", required=False, max_length=_PRODUCT_LENGTH)
    accounts = [_account(table, key, check) for key in _ACCOUNT_KEYS]
    return Budget(product, accounts[0], accounts[1])


def _account(table: Table, key: str, check: Checker) -> str | None:
    """An account number: text of 3–10 digits (text, so that leading zeros survive)."""
    path = f"budget.{key}"
    expected = "text of 3–10 digits"
    value = check.get(table, key, "budget", expected, required=False)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        hint = f"write it in quotes: {key} = {show(str(value))}"
        check.error(path, f"must be {expected}, got {describe(value)}; {hint}")
    elif not isinstance(value, str):
        check.error(path, f'must be {expected} in quotes, e.g. "5012", got {describe(value)}')
    elif not _ACCOUNT.fullmatch(value.strip()):
        check.error(path, f'must be {expected}, e.g. "5012", got {show(value)}')
    else:
        return value.strip()
    return None
