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
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from kim_budget.errors import InternalError

STEPS = 6
"""Stufe 1–6 of every TVöD pay group."""
RATE_LISTS = ("bonus", "social_insurance", "pension_fund", "pension_unemployment")
CEILING_LISTS = ("health_ceiling", "pension_ceiling")


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
class Ceiling:
    """A contribution ceiling in € per year that applies from a year on, until the next entry."""

    start: int
    amount: float
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
    pension_unemployment: tuple[Rate, ...]
    """The part of `social_insurance` that is assessed up to the pension ceiling (pension and
    unemployment insurance); the rest (health and care) up to the health ceiling."""
    health_ceiling: tuple[Ceiling, ...]
    """Beitragsbemessungsgrenze of health and care insurance, € per year."""
    pension_ceiling: tuple[Ceiling, ...]
    """Beitragsbemessungsgrenze of pension and unemployment insurance, € per year."""
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
    since_start: bool = False
    """Whether `step_since` is the position's start because the file did not give one: a later
    start then moves it along."""


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def _rates(items: list[dict[str, Any]]) -> tuple[Rate, ...]:
    return tuple(Rate(int(i["from"]), float(i["percent"]), str(i.get("source", ""))) for i in items)


def _ceilings(items: list[dict[str, Any]]) -> tuple[Ceiling, ...]:
    return tuple(
        Ceiling(int(i["from"]), float(i["amount"]), str(i.get("source", ""))) for i in items
    )


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
            pension_unemployment=_rates(data["pension_unemployment"]),
            health_ceiling=_ceilings(data["health_ceiling"]),
            pension_ceiling=_ceilings(data["pension_ceiling"]),
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


def unknown_grade(grade: str, rules: PayRules) -> str:
    """The message for a grade without pay tables, with the closest known one."""
    import difflib

    known = ", ".join(rules.grades)
    close = difflib.get_close_matches(grade, rules.grades, n=1, cutoff=0.5)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return f'unknown grade "{grade}"; known grades: {known}{hint}'
