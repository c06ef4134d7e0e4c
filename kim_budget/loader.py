"""Reading scenario files: one walk over the key table, then the frozen dataclasses.

`load_scenario` reads one file (`toml_file.load_checked`: bounded, parsed), walks it against
the key table (`keys.SCENARIO`, `walk.walk`: unknown keys, types, limits, required keys and
every rule of `rules.py`) and builds the `Scenario` from the valid values; the one rule that
needs built positions and pay rules (`pay_covers_positions`) runs last. Every problem of a file
is collected and raised at once; `load_scenarios` does the same for files and folders.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from kim_budget import rules
from kim_budget.errors import ScenarioError, ScenarioErrors
from kim_budget.files import hidden, path_kind
from kim_budget.keys import SCENARIO
from kim_budget.messages import display_key
from kim_budget.pay import (
    CEILING_LISTS,
    RATE_LISTS,
    Ceiling,
    Grading,
    PayRules,
    PayTable,
    Rate,
    shipped_rules,
)
from kim_budget.rules import COMPARISON, RESERVED_STEM, Walked
from kim_budget.scenario import Budget, Cost, Funding, Increase, Position, Scenario, Share
from kim_budget.toml_file import load_checked
from kim_budget.validate import Checker, Table, month_text
from kim_budget.walk import walk

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


def validate(paths: Sequence[Path]) -> tuple[Scenario, ...]:
    """Load and check the scenario files of a build; raises ScenarioErrors listing every
    problem. Imports nothing that writes workbooks or texts: `kim-budget validate` stays light."""
    scenarios = load_scenarios(paths)
    reserved = [s for s in scenarios if s.stem.casefold() == RESERVED_STEM]
    if reserved:
        raise ScenarioErrors(
            ScenarioError(
                str(s.path),
                "",
                f"the name {s.path.name} is reserved for the "
                f"comparison workbook {COMPARISON}.xlsx; rename the file",
            )
            for s in reserved
        )
    return scenarios


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


# --- building the dataclasses from the walked file ------------------------------------------


def _scenario(path: Path, data: Table, sha256: str, check: Checker) -> Scenario | None:
    found = walk(data, check, SCENARIO)
    values = found.values
    title = values.get("title")
    horizon = found.horizon()
    positions = _positions(found)
    cost = _cost(found)
    funding = _funding(found)
    pay = _pay(found)
    if not isinstance(title, str) or horizon is None or positions is None:
        return None
    if cost is None or funding is None:
        return None
    pay_covers_positions(positions, pay, cost, horizon, check)
    return Scenario(
        path=path,
        sha256=sha256,
        title=title,
        municipality=_text(values.get("municipality")),
        reference=_text(values.get("reference")),
        description=_text(values.get("description")),
        first_year=horizon[0],
        last_year=horizon[1],
        positions=positions,
        cost=cost,
        funding=funding,
        offset_years=_years(values.get("offset.years")),
        budget=Budget(
            _text(values.get("budget.product")),
            _text(values.get("budget.expense_account")),
            _text(values.get("budget.income_account")),
        ),
        warnings=tuple(check.warnings),
        pay=pay,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _years(value: object) -> tuple[int, ...]:
    return (
        tuple(year for year in value if isinstance(year, int)) if isinstance(value, tuple) else ()
    )


def _usable(found: Walked, array: str) -> list[tuple[int, str]]:
    """(index, path) of the elements of an array that no rule found unusable."""
    return [
        (index, f"{array}[{index}]")
        for index in found.elements.get(array, [])
        if f"{array}[{index}]" not in found.invalid
    ]


def _positions(found: Walked) -> tuple[Position, ...] | None:
    indices = found.elements.get("positions")
    if not indices:
        return None
    usable = _usable(found, "positions")
    built = [_position(found, path) for _, path in usable]
    if len(usable) < len(indices) or any(p is None for p in built):
        return None
    return tuple(p for p in built if p is not None)


def _position(found: Walked, path: str) -> Position | None:
    values: dict[str, Any] = found.values
    name, fte, start = (values.get(f"{path}.{key}") for key in ("name", "fte", "start"))
    if name is None or fte is None or start is None:
        return None
    return Position(
        name,
        fte,
        start,
        values.get(f"{path}.end"),
        values.get(f"{path}.annual_cost"),
        bool(values.get(f"{path}.funded", True)),
        _grading(values, path, start),
    )


def _grading(values: dict[str, Any], path: str, start: date) -> Grading | None:
    grade, step = values.get(f"{path}.grade"), values.get(f"{path}.step")
    if grade is None or step is None:
        return None
    given = values.get(f"{path}.step_since")
    allowance = values.get(f"{path}.allowance")
    if allowance is None:
        allowance = shipped_rules().allowance(grade)
    return Grading(grade, step, given or start, allowance, since_start=given is None)


def _increases(found: Walked, array: str) -> tuple[Increase, ...]:
    """The valid increases of a list, by month."""
    values = found.values
    increases = [
        Increase(values[f"{path}.from"], values[f"{path}.percent"], index)  # type: ignore[arg-type]
        for index, path in _usable(found, array)
        if f"{path}.from" in values and f"{path}.percent" in values
    ]
    return tuple(sorted(increases, key=lambda increase: increase.start))


def _cost(found: Walked) -> Cost | None:
    if "cost" not in found.tables:
        needed = "cost" in found.root or rules.cost_needed(found.root)
        return None if needed else Cost(None, ())
    values: dict[str, Any] = found.values
    per_fte = values.get("cost.annual_cost_per_fte")
    return Cost(
        per_fte if isinstance(per_fte, float) else None,
        _increases(found, "cost.increases"),
        values.get("cost.material_per_fte", 0.0),
        _increases(found, "cost.material_increases"),
        values.get("cost.overhead_percent", 0.0),
    )


def _funding(found: Walked) -> Funding | None:
    values: dict[str, Any] = found.values
    rate, percent = values.get("funding.rate_per_fte"), values.get("funding.percent_of_cost")
    if "funding" not in found.tables or (rate is None and percent is None):
        return None
    return Funding(
        rate,
        values.get("funding.max_fte"),
        _share(found),
        bool(values.get("funding.cap_at_cost", False)),
        _increases(found, "funding.increases"),
        percent,
        bool(values.get("funding.covers_material", False)),
        values.get("funding.end"),
    )


def _share(found: Walked) -> Share | None:
    path = "funding.share"
    if path not in found.tables or path in found.invalid:
        return None
    parts = [found.values.get(f"{path}.{key}") for key in Share.__dataclass_fields__]
    if any(part is None for part in parts):
        return None
    population, district, district_fte = parts
    return Share(population, district, district_fte)  # type: ignore[arg-type]


def _pay(found: Walked) -> PayRules:
    """The shipped pay rules with the file's [tvoed]: a rate list replaces the shipped one as a
    whole, a pay table adds one or replaces the shipped one of the same grade and month."""
    shipped = shipped_rules()
    if "tvoed" not in found.tables:
        return shipped
    values: dict[str, Any] = found.values
    changes: dict[str, Any] = {}
    listed: dict[str, tuple[type[Rate] | type[Ceiling], str]] = {
        **{name: (Rate, "percent") for name in RATE_LISTS},
        **{name: (Ceiling, "amount") for name in CEILING_LISTS},
    }
    for name, (entry, value) in listed.items():
        array = f"tvoed.{name}"
        if array in found.elements:
            entries = [
                entry(values[f"{path}.from"], values[f"{path}.{value}"])
                for _, path in _usable(found, array)
                if f"{path}.from" in values and f"{path}.{value}" in values
            ]
            changes[name] = tuple(sorted(entries, key=lambda listed: listed.start))
    if "tvoed.performance_pay_percent" in values:
        changes["performance_pay_percent"] = values["tvoed.performance_pay_percent"]
    tables = {(t.grade, t.valid_from): t for t in shipped.pay_tables}
    for _, path in _usable(found, "tvoed.pay_tables"):
        grade, valid_from = values.get(f"{path}.grade"), values.get(f"{path}.valid_from")
        steps = values.get(f"{path}.steps")
        if grade is not None and valid_from is not None and steps is not None:
            tables[(grade, valid_from)] = PayTable(grade, valid_from, steps, "Szenariodatei")
    changes["pay_tables"] = tuple(tables.values())
    return replace(shipped, **changes)


# --- the rule over built positions ------------------------------------------------------


def pay_covers_positions(
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
        for name in (*RATE_LISTS, *CEILING_LISTS):
            if name not in needed_year or needed_year[name][0] > first.year:
                needed_year[name] = (first.year, path)
        for increase in cost.increases:
            if increase.start <= tables[-1].valid_from:
                _pay_deal_twice(increase, tables[-1].valid_from, position.grading.grade, check)
    for name, (year, path) in needed_year.items():
        rates = getattr(pay, name)
        if rates and rates[0].start > year:
            value = "amount" if name in CEILING_LISTS else "percent"
            problem = (
                f"no rate for {year} (the list starts in {rates[0].start}), but "
                f"{display_key(path)} is filled then; add {{ from = {year}, {value} = … }}"
            )
            check.error(f"tvoed.{name}", problem)


def _filled_months(position: Position, horizon: tuple[int, int]) -> tuple[date, date]:
    """The first and last month the position is filled inside the horizon."""
    first = max(position.start, date(horizon[0], 1, 1))
    last = (
        date(horizon[1], 12, 1)
        if position.end is None
        else min(position.end, date(horizon[1], 12, 1))
    )
    return first, last


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
