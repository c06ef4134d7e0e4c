"""Checks for values read from TOML: types, limits, months and key names.

A `Checker` collects every problem of one file instead of stopping at the first, so the user can
fix a file in one pass. Each read returns None when the value is absent or wrong (and, when
wrong, records why); the caller builds nothing once any problem was recorded. Values that are
allowed but probably not meant (a percentage of 0.03) become warnings, which do not stop a build.

Messages name keys by their TOML path; `display_key` adds the workbook's name of a position or
increase ("positions[0] (Stelle 1).fte"), counting from 1 as the workbook does.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar

from kim_budget.errors import ScenarioError
from kim_budget.messages import ARRAY_NAMES, SHOWN_CHARACTERS, display_key, shorten

__all__ = ["ARRAY_NAMES", "Checker", "Limits", "display_key", "show"]

T = TypeVar("T")

Table = dict[str, Any]
"""A TOML table as tomllib returns it."""

MONTH_FORMAT = 'a month "YYYY-MM" or a TOML date'
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_ESCAPE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)
"""Characters that `show` escapes besides those JSON escapes (U+0000–U+001F, quote, backslash):
C1 controls, line separators, bidirectional controls, BOM and noncharacters."""
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
"""Control characters (Unicode category Cc): C0, DEL and C1."""
_LINE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab, line feed and carriage return."""
_NONCHARACTER = re.compile("[\ufffe\uffff]")
_ACCOUNT = re.compile(r"[0-9]{3,10}")
"""Noncharacters that XML 1.0 forbids (besides control characters) and TOML allows."""

_LONGEST_KEY = 100
"""Longer unknown keys get no "did you mean" (they are no typo of a key)."""

LOWEST_AMOUNT = 1000
"""Amounts in € per VZÄ and year other than 0 start here: less is a thousands amount mistyped."""
_THOUSANDS_HABIT = r"[1-9][0-9]{0,2}\.[0-9]{3}"
"""A number written with a point and exactly three decimals, as "57.000" for 57,000 €."""
_SMALL_PERCENT = 0.5
"""A percentage below this (in absolute value, above 0) probably is a fraction: 0.03 for 3 %."""


@dataclass(frozen=True)
class Limits:
    """An allowed range for a number; `low_open` excludes `low` itself."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False

    def allows(self, value: float) -> bool:
        """Whether `value` lies inside the range."""
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or value <= self.high

    def __str__(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '≥'} {_bound(self.low)}")
        if self.high is not None:
            parts.append(f"≤ {_bound(self.high)}")
        return " and ".join(parts)


def _bound(value: float) -> str:
    """A limit as text: whole numbers without ".0", from 10,000 on with thousands separators."""
    number: float = int(value) if value == int(value) else value
    return f"{number:,}" if abs(number) >= 10_000 else str(number)


def key_path(parent: str, key: str | int) -> str:
    """`parent.key`, or `parent[index]` for an array element."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


@dataclass(frozen=True)
class ScenarioWarning:
    """A value that is allowed but probably not meant, at one key path of one file."""

    file: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {display_key(self.key)}: {self.problem}"


def show(value: object) -> str:
    """A value as the user wrote it in TOML: text quoted, booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = _ESCAPE.sub(_escape, json.dumps(shorten(value), ensure_ascii=False))
        return shown if len(value) <= SHOWN_CHARACTERS else f"{shown} ({len(value):,} characters)"
    if isinstance(value, date | time):
        return value.isoformat()
    return repr(value)


def describe(value: object) -> str:
    """A value with its type in plain words, for messages about a wrong type."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, int | float):
        kind = "number"
    elif isinstance(value, str):
        kind = "text"
    elif isinstance(value, datetime):
        kind = "date and time"
    elif isinstance(value, date):
        kind = "date"
    else:
        kind = "time"
    return f"{kind} {show(value)}"


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def month_text(month: date) -> str:
    """A month as "YYYY-MM"."""
    return f"{month:%Y-%m}"


class Checker:
    """Reads typed values from the TOML tables of one file and collects its problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.source = ""
        """The file's text, once read: how a number was written, for the messages."""
        self.errors: list[ScenarioError] = []
        self.warnings: list[ScenarioWarning] = []
        self._suggested: set[str] = set()

    def error(self, key: str, problem: str) -> None:
        """Record a problem at a key path ("" for the whole file)."""
        self.errors.append(ScenarioError(self.file, key, problem))

    def warn(self, key: str, problem: str) -> None:
        """Record a value at a key path that is allowed but probably not meant."""
        self.warnings.append(ScenarioWarning(self.file, key, problem))

    def keys(self, table: Table, parent: str, allowed: Sequence[str]) -> None:
        """Report every key of `table` not in `allowed`, suggesting a close one."""
        for key in table:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1) if len(key) <= _LONGEST_KEY else []
            if close:
                # The typo stands for the suggested key, so do not also call that one missing.
                self._suggested.add(key_path(parent, close[0]))
                hint = f"did you mean {show(close[0])}?"
            else:
                hint = "allowed keys: " + ", ".join(allowed)
            self.error(key_path(parent, key), f"unknown key; {hint}")

    def get(self, table: Table, key: str, parent: str, expected: str, required: bool) -> object:
        """The raw value at `key`; None when absent (a problem when `required`)."""
        if key in table:
            return table[key]
        path = key_path(parent, key)
        if required and path not in self._suggested:
            self.error(path, f"missing; expected {expected}")
        return None

    def table(
        self, table: Table, key: str, parent: str, *, required: bool, expected: str = ""
    ) -> Table | None:
        """A sub-table such as [horizon]."""
        path = key_path(parent, key)
        expected = expected or f"a table [{path}]"
        value = self.get(table, key, parent, expected, required)
        if value is None or isinstance(value, dict):
            return value
        self.error(path, f"must be a table [{path}], got {describe(value)}")
        return None

    def tables(
        self, table: Table, key: str, parent: str, *, required: bool, most: int
    ) -> list[tuple[int, str, Table]] | None:
        """An array of at most `most` tables such as [[positions]]: (index, key path, table) of
        each table in it; the index counts every element of the array, from 0."""
        path = key_path(parent, key)
        expected = f"an array of tables [[{path}]]"
        value = self.get(table, key, parent, expected, required)
        if value is None:
            return None
        if not isinstance(value, list):
            self.error(path, f"must be {expected}, got {describe(value)}")
            return None
        if len(value) > most:
            self.error(path, f"must hold at most {most:,} tables, got {len(value):,}")
            return None
        found = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found.append((index, key_path(path, index), item))
            else:
                self.error(key_path(path, index), f"must be a table, got {describe(item)}")
        return found

    def text(
        self,
        table: Table,
        key: str,
        parent: str,
        *,
        required: bool,
        max_length: int = 200,
        multiline: bool = False,
    ) -> str | None:
        """Text, stripped, at most `max_length` characters; required text must not be empty,
        optional empty text is None.

        Control characters are refused (they break one-line cells, headers and texts, and most
        are not allowed in the workbook's XML); `multiline` text may hold tabs and line breaks.
        """
        expected = f"text, 1–{max_length} characters" if required else "text"
        value = self.get(table, key, parent, expected, required)
        path = key_path(parent, key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(path, f"must be {expected}, got {describe(value)}")
            return None
        value = value.strip()
        bad = (_LINE_CONTROL if multiline else _CONTROL).search(value)
        odd = _NONCHARACTER.search(value)
        if required and not value:
            self.error(path, "must not be empty")
        elif bad is not None:
            allowed = " other than tab and line breaks" if multiline else ""
            where = _character(value, bad)
            self.error(path, f"must not contain control characters{allowed}, got {where}")
        elif odd is not None:
            where = _character(value, odd)
            self.error(path, f"must not contain the noncharacters U+FFFE and U+FFFF, got {where}")
        elif len(value) > max_length:
            self.error(
                path, f"must be at most {max_length} characters, got {len(value)} characters"
            )
        return value or None

    def number(
        self, table: Table, key: str, parent: str, limits: Limits, *, required: bool, note: str = ""
    ) -> float | None:
        """A finite int or float inside `limits` (never a boolean); `note` explains when missing."""
        value = self.get(table, key, parent, f"a number {limits}{note}", required)
        return None if value is None else self.number_value(value, key_path(parent, key), limits)

    def number_value(self, value: object, path: str, limits: Limits) -> float | None:
        """`value` checked as a finite number inside `limits`."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"must be a number, got {describe(value)}")
        elif not math.isfinite(value):
            self.error(path, f"must be a finite number, got {show(value)}")
        elif not limits.allows(value):
            self.error(path, f"must be {limits}, got {show(value)}")
        else:
            return float(value)
        return None

    def amount(
        self, table: Table, key: str, parent: str, limits: Limits, *, required: bool, note: str = ""
    ) -> float | None:
        """An amount in € per VZÄ and year: a number inside `limits`, 0 or from 1,000 € on.

        Less than 1,000 € a year is no real cost or funding of a post; it is a thousands amount
        written the German way (57.000 is 57 in TOML) or in thousands of euros.
        """
        value = self.number(table, key, parent, limits, required=required, note=note)
        if value is None or value == 0 or value >= LOWEST_AMOUNT:
            return value
        path = key_path(parent, key)
        written = _written_as(self.source, key, value)
        if written is not None:
            whole, decimals = written.split(".")
            fix = f"write {whole}{decimals} or {whole}_{decimals}"
            problem = (
                f"{written} reads as {_bound(value)} €; TOML has no thousands separator: {fix}"
            )
        else:
            problem = (
                f"must be 0 or at least {LOWEST_AMOUNT:,} € per VZÄ and year, "
                f"got {show(table[key])}; "
                "write the whole amount in euros, e.g. 80000"
            )
        self.error(path, problem)
        return None

    def percent(self, table: Table, key: str, parent: str, limits: Limits) -> float | None:
        """A required percentage inside `limits`; a warning when it looks like a fraction."""
        value = self.number(table, key, parent, limits, required=True)
        if value is not None and 0 < abs(value) < _SMALL_PERCENT:
            meant = round(value * 100, 10)
            problem = f"{show(value)} means {show(value)} %; for {_bound(meant)} % write {meant!r}"
            self.warn(key_path(parent, key), problem)
        return value

    def integer(
        self, table: Table, key: str, parent: str, limits: Limits, *, required: bool
    ) -> int | None:
        """An integer inside `limits`."""
        value = self.get(table, key, parent, f"an integer {limits}", required)
        return None if value is None else self.integer_value(value, key_path(parent, key), limits)

    def integer_value(self, value: object, path: str, limits: Limits) -> int | None:
        """`value` checked as an integer inside `limits`."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, f"must be an integer, got {describe(value)}")
        elif not limits.allows(value):
            self.error(path, f"must be {limits}, got {show(value)}")
        else:
            return value
        return None

    def boolean(self, table: Table, key: str, parent: str, *, default: bool) -> bool:
        """true or false; `default` when absent or wrong."""
        value = self.get(table, key, parent, "true or false", required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key_path(parent, key), f"must be true or false, got {describe(value)}")
            return default
        return value

    def account(self, table: Table, key: str, parent: str, *, required: bool) -> str | None:
        """An account number: text of 3–10 digits (text, so that leading zeros survive)."""
        path = key_path(parent, key)
        expected = "text of 3–10 digits"
        value = self.get(table, key, parent, expected, required)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            hint = f"write it in quotes: {key} = {show(str(value))}"
            self.error(path, f"must be {expected}, got {describe(value)}; {hint}")
        elif not isinstance(value, str):
            self.error(path, f'must be {expected} in quotes, e.g. "5012", got {describe(value)}')
        elif not _ACCOUNT.fullmatch(value.strip()):
            self.error(path, f'must be {expected}, e.g. "5012", got {show(value)}')
        else:
            return value.strip()
        return None

    def iso_date(self, table: Table, key: str, parent: str, *, required: bool) -> str | None:
        """A date "YYYY-MM-DD" or a TOML date, as "YYYY-MM-DD"."""
        path = key_path(parent, key)
        value = self.get(table, key, parent, "a date YYYY-MM-DD", required)
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        self.error(path, f"must be a date YYYY-MM-DD, got {show(value)}")
        return None

    def amounts(
        self, table: Table, key: str, parent: str, limits: Limits, *, count: int
    ) -> tuple[float, ...] | None:
        """An array of exactly `count` numbers inside `limits` (the Stufe 1–6 of a pay table)."""
        path = key_path(parent, key)
        value = self.get(table, key, parent, f"an array of {count} amounts in €", required=True)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != count:
            got = f"{len(value)} values" if isinstance(value, list) else "no array"
            self.error(path, f"must be {count} positive amounts (Stufe 1–{count}), got {got}")
            return None
        found = [self.number_value(v, f"{path}[{n}]", limits) for n, v in enumerate(value)]
        return None if any(a is None for a in found) else tuple(a for a in found if a is not None)

    def month(self, table: Table, key: str, parent: str, *, required: bool) -> date | None:
        """A month "YYYY-MM" or a TOML date (its month counts), as the first day of the month."""
        value = self.get(table, key, parent, MONTH_FORMAT, required)
        path = key_path(parent, key)
        if value is None:
            return None
        parsed = _parse_month(value)
        if parsed is None:
            got = show(value) if isinstance(value, str) else describe(value)
            hint = "; leave out the time" if isinstance(value, datetime) else ""
            self.error(path, f"must be {MONTH_FORMAT}, got {got}{hint}")
        elif not 2000 <= parsed[0] <= 2100:
            self.error(path, f"must be a month from 2000-01 to 2100-12, got {show(value)}")
        else:
            return date(parsed[0], parsed[1], 1)
        return None


def _written_as(source: str, key: str, value: float) -> str | None:
    """How the file wrote `value` at `key` when it used a point and three decimals ("57.000").

    Any assignment of `key` in the file counts (as a line of its own, in an inline table or as
    a dotted key), so among several positions the one with that value is found.
    """
    assignment = rf"(?:^|[{{,.])[ \t]*{re.escape(key)}[ \t]*=[ \t]*\+?({_THOUSANDS_HABIT})(?![\w.])"
    for found in re.finditer(assignment, source, re.MULTILINE):
        if float(found[1]) == value:
            return found[1]
    return None


def _character(text: str, found: re.Match[str]) -> str:
    """The text, quoted, and which of its characters is wrong (counting from 1)."""
    return f"{show(text)} (character U+{ord(found[0]):04X} at position {found.start() + 1})"


def _parse_month(value: object) -> tuple[int, int] | None:
    """(year, month) of a "YYYY-MM" text or a TOML date; None for anything else."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value.year, value.month
    if isinstance(value, str) and (match := _MONTH.fullmatch(value)):
        year, month = int(match[1]), int(match[2])
        return (year, month) if 1 <= month <= 12 else None
    return None
