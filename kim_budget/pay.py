"""TVöD pay rules: the shipped tables and rates, and a scenario's [tvoed] overrides.

The shipped defaults live in `kim_budget/data/tvoed.toml`, each table and rate with its source
and validity (documented in docs/sources.md). A scenario's [tvoed] section replaces a rate list
as a whole, and a [[tvoed.pay_tables]] entry adds a table or replaces the shipped one of the
same grade and month. The workbook shows the effective rules on the sheet "Tarif", where a
treasurer can check and change every figure.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from typing import Any

from kim_budget import keys
from kim_budget.errors import InternalError
from kim_budget.validate import Checker, Limits, Table

STEPS = 6
"""Stufe 1–6 of every TVöD pay group."""
AMOUNT = Limits(0, 100_000, low_open=True)
"""A monthly table amount in €."""
RATE = keys.RATE.limits or Limits()
FIRST_YEAR = keys.YEAR.limits or Limits()
_OVERRIDE_KEYS = (
    "bonus",
    "social_insurance",
    "pension_fund",
    "performance_pay_percent",
    "pay_tables",
)
RATE_LISTS = ("bonus", "social_insurance", "pension_fund")


@dataclass(frozen=True)
class PayTable:
    """The monthly amounts of Stufe 1–6 of one grade, valid from a month until the next table."""

    grade: str
    valid_from: date
    steps: tuple[float, ...]
    source: str = ""


@dataclass(frozen=True)
class Rate:
    """A percentage that applies from a year on, until the next entry of its list."""

    start: int
    percent: float
    source: str = ""


@dataclass(frozen=True)
class PayRules:
    """The effective rules a graded position is priced with."""

    pay_tables: tuple[PayTable, ...]
    bonus: tuple[Rate, ...]
    """Jahressonderzahlung, % of the base (§ 20 TVöD)."""
    social_insurance: tuple[Rate, ...]
    """The employer's share of social insurance, % of pay."""
    pension_fund: tuple[Rate, ...]
    """Zusatzversorgung (RZVK), % of pay."""
    performance_pay_percent: float
    """Leistungsentgelt, % of the Tabellenentgelt (§ 18 TVöD)."""
    allowances: tuple[tuple[str, float], ...]
    """Each grade's allowance in € per month at full time."""
    months_in_step: tuple[int, ...]
    """Months in Stufe 1–5 before the next (§ 16 TVöD)."""
    bonus_base_months: tuple[int, int]
    """The months whose average pay is the bonus base (July to September)."""
    bonus_month: int
    """The month the bonus is paid in (November)."""
    accounts: tuple[str, str, str]
    """NKF accounts of pay, pension fund and social insurance."""

    @property
    def grades(self) -> tuple[str, ...]:
        """The known grades, in the order of the data file."""
        return tuple(grade for grade, _ in self.allowances)

    def tables(self, grade: str) -> tuple[PayTable, ...]:
        """The pay tables of one grade, by the month they start."""
        found = [table for table in self.pay_tables if table.grade == grade]
        return tuple(sorted(found, key=lambda table: table.valid_from))

    def allowance(self, grade: str) -> float:
        """The grade's allowance in € per month at full time (0 when it has none)."""
        return dict(self.allowances).get(grade, 0.0)


@dataclass(frozen=True)
class Grading:
    """How a position is priced from the pay tables: its grade, step and allowance."""

    grade: str
    step: int
    """The Stufe held in the month `step_since`."""
    step_since: date
    allowance: float
    """€ per month at full time."""


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def _rates(items: list[dict[str, Any]]) -> tuple[Rate, ...]:
    return tuple(Rate(int(i["from"]), float(i["percent"]), str(i.get("source", ""))) for i in items)


@functools.cache
def shipped_rules() -> PayRules:
    """The defaults shipped in kim_budget/data/tvoed.toml."""
    try:
        text = resources.files("kim_budget.data").joinpath("tvoed.toml").read_text("utf-8")
        data = tomllib.loads(text)
        return PayRules(
            pay_tables=tuple(
                PayTable(
                    t["grade"], _month(t["valid_from"]), tuple(map(float, t["steps"])), t["source"]
                )
                for t in data["pay_tables"]
            ),
            bonus=_rates(data["bonus"]),
            social_insurance=_rates(data["social_insurance"]),
            pension_fund=_rates(data["pension_fund"]),
            performance_pay_percent=float(data["performance_pay_percent"]),
            allowances=tuple((a["grade"], float(a["per_month"])) for a in data["allowances"]),
            months_in_step=tuple(int(m) for m in data["step_rules"]["months_in_step"]),
            bonus_base_months=(
                int(data["bonus_rules"]["base_months"][0]),
                int(data["bonus_rules"]["base_months"][1]),
            ),
            bonus_month=int(data["bonus_rules"]["payment_month"]),
            accounts=(
                str(data["accounts"]["pay"]),
                str(data["accounts"]["pension_fund"]),
                str(data["accounts"]["social_insurance"]),
            ),
        )
    except (OSError, KeyError, TypeError, ValueError, IndexError) as error:
        raise InternalError(
            f"the shipped pay tables (kim_budget/data/tvoed.toml): {error}"
        ) from error


def read_overrides(data: Table, check: Checker) -> PayRules:
    """The effective pay rules of a scenario: the shipped ones with its [tvoed] overrides."""
    rules = shipped_rules()
    table = check.table(data, "tvoed", "", required=False)
    if table is None:
        return rules
    check.keys(table, "tvoed", _OVERRIDE_KEYS)
    changes: dict[str, Any] = {}
    for name in RATE_LISTS:
        rates = _rate_list(table, name, check)
        if rates is not None:
            changes[name] = rates
    percent = check.number(table, "performance_pay_percent", "tvoed", RATE, required=False)
    if percent is not None:
        changes["performance_pay_percent"] = percent
    changes["pay_tables"] = _pay_tables(table, check, rules)
    return replace(rules, **changes)


def _rate_list(table: Table, name: str, check: Checker) -> tuple[Rate, ...] | None:
    """One rate list, by year; each year once; None when absent or wrong."""
    items = check.tables(
        table, name, "tvoed", required=False, most=keys.MOST_ITEMS[f"tvoed.{name}"]
    )
    if items is None:
        return None
    rates: list[Rate] = []
    for _, path, item in items:
        check.keys(item, path, ("from", "percent"))
        start = check.integer(item, "from", path, FIRST_YEAR, required=True)
        percent = check.number(item, "percent", path, RATE, required=True)
        if start is not None and any(rate.start == start for rate in rates):
            check.error(f"{path}.from", f"{start} is listed twice; list each year once")
        elif start is not None and percent is not None:
            rates.append(Rate(start, percent))
    if not rates and not items:
        check.error(f"tvoed.{name}", "must list at least one { from = YEAR, percent = … }")
    return tuple(sorted(rates, key=lambda rate: rate.start))


def _pay_tables(table: Table, check: Checker, rules: PayRules) -> tuple[PayTable, ...]:
    """The shipped tables with the scenario's: same grade and month replaces, else adds."""
    tables = {(t.grade, t.valid_from): t for t in rules.pay_tables}
    most = keys.MOST_ITEMS["tvoed.pay_tables"]
    for _, path, item in (
        check.tables(table, "pay_tables", "tvoed", required=False, most=most) or []
    ):
        check.keys(item, path, ("grade", "valid_from", "steps"))
        grade = check.text(item, "grade", path, required=True, max_length=20)
        valid_from = check.month(item, "valid_from", path, required=True)
        steps = _steps(item, path, check)
        if grade is not None and grade not in rules.grades:
            check.error(f"{path}.grade", unknown_grade(grade, rules))
        elif grade is not None and valid_from is not None and steps is not None:
            tables[(grade, valid_from)] = PayTable(grade, valid_from, steps, "Szenariodatei")
    return tuple(tables.values())


def _steps(item: Table, path: str, check: Checker) -> tuple[float, ...] | None:
    value = check.get(item, "steps", path, f"an array of {STEPS} amounts in €", required=True)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != STEPS:
        got = f"{len(value)} values" if isinstance(value, list) else "no array"
        check.error(f"{path}.steps", f"must be {STEPS} positive amounts (Stufe 1–6), got {got}")
        return None
    amounts = [check.number_value(v, f"{path}.steps[{n}]", AMOUNT) for n, v in enumerate(value)]
    return None if any(a is None for a in amounts) else tuple(a for a in amounts if a is not None)


def unknown_grade(grade: str, rules: PayRules) -> str:
    """The message for a grade without pay tables, with the closest known one."""
    import difflib

    known = ", ".join(rules.grades)
    close = difflib.get_close_matches(grade, rules.grades, n=1, cutoff=0.5)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return f'unknown grade "{grade}"; known grades: {known}{hint}'
