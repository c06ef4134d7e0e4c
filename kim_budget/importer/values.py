"""A cell's value as its key's type, read the way a German treasurer writes it.

"82.000" is 82,000, "1,173" is 1.173, "01.10.2024" and "10.2024" are months. A yes/no is the
number 1 or 0 as the workbook holds it, a boolean (typed in a spreadsheet of any language, or
from a workbook built before yes/no inputs were numbers), or a text: "WAHR"/"ja"/"TRUE"/"1" are
true, "FALSCH"/"nein"/"FALSE"/"0" false. Anything else is refused with the reason, never
guessed. A text is checked for its length and control characters before anything else is done
with it."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

from kim_budget.keys import Key
from kim_budget.measures import Measure
from kim_budget.messages import printable, quoted
from kim_budget.validate import month_text

_TRUE = frozenset({"wahr", "true", "ja", "yes", "1"})
_FALSE = frozenset({"falsch", "false", "nein", "no", "0"})
YES_NO = "1 (ja) or 0 (nein)"
YES_NO_ALSO = "also read: WAHR/FALSCH, TRUE/FALSE, ja/nein"
"""The allowed forms of a yes/no, as a message names them."""
_UNITS = re.compile(r"\s*(€|eur|euro|%|vzä|vzae)\s*$", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+")
_GERMAN_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[./](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_EPOCH_1900 = date(1899, 12, 30)
_SHA256 = re.compile(r"[0-9a-f]{64}")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LONGEST_CELL_TEXT = 1000
"""Most characters of a text read from a cell (the longest text key, the description, has as
many); a longer text is refused before anything else is done with it."""

GERMAN_QUOTES = ("„", "“")


def cell_text(value: object) -> str:
    """A cell's content for a message: in German quotes, escaped, long text cut."""
    return quoted(str(value), quotes=GERMAN_QUOTES)


def check_text(value: object, entry: Key) -> None:
    """A text for a text key: no longer than the key allows, no control characters (but tabs
    and line breaks in a text of several lines) — checked before it is escaped or written."""
    if not isinstance(value, str) or entry.measure.type != "text":
        return
    text = value.strip()
    if entry.max_length is not None and len(text) > entry.max_length:
        raise ValueError(f"must be at most {entry.max_length} characters, got {len(text):,}")
    bad = (_LINE_CONTROL if entry.multiline else CONTROL).search(text)
    if bad is not None:
        allowed = " other than tab and line breaks" if entry.multiline else ""
        raise ValueError(
            f"must not contain control characters{allowed}, got {cell_text(text)} "
            f"(character U+{ord(bad[0]):04X} at position {bad.start() + 1})"
        )


def convert(value: Any, measure: Measure) -> object:
    """A cell's value as the key's type, reading text the German way; ValueError says why not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("is empty; to drop an optional key, delete it in the scenario file")
    if isinstance(value, str) and len(value) > LONGEST_CELL_TEXT:
        raise ValueError(
            f"holds a text of {len(value):,} characters; at most {LONGEST_CELL_TEXT:,} are read"
        )
    if measure.type == "boolean":
        return _boolean(value)
    if measure.type in ("number", "integer"):
        number = _number(value)
        if measure.type == "integer":
            if not float(number).is_integer():
                raise ValueError(f"must be a whole number, got {show_value(number)}")
            return int(number)
        return number
    if measure.type == "month":
        return _month(value)
    if isinstance(value, bool):
        raise ValueError(f"must be text, got {'WAHR' if value else 'FALSCH'}")
    if isinstance(value, int | float):
        if measure.type == "account" or float(value).is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, datetime | date):
        raise ValueError(f"must be text, got the date {value:%d.%m.%Y}")
    return str(value)


def _boolean(value: Any) -> bool:
    """A yes/no: 1 or 0, a boolean, or one of the words; any other number is refused."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    shown = cell_text(value) if isinstance(value, str) else show_value(value)
    raise ValueError(f"must be {YES_NO}, got {shown}; {YES_NO_ALSO}")


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {'WAHR' if value else 'FALSCH'}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"must be a finite number, got {value}")
        return value
    if isinstance(value, datetime | date):
        raise ValueError(f"must be a number, got the date {value:%d.%m.%Y}")
    return german_number(str(value))


def german_number(text: str) -> float | int:
    """A number typed as text, read as a German writes it: "82.000" → 82000, "1,173" → 1.173,
    "82.000,50 €" → 82000.5; ValueError for anything else ("1.5": a decimal point)."""
    plain = _UNITS.sub("", text.strip().replace("\u00a0", " ")).replace(" ", "")
    if _INTEGER.fullmatch(plain):
        return int(plain)
    if _GERMAN_GROUPED.fullmatch(plain) or _DECIMAL_COMMA.fullmatch(plain):
        digits = plain.replace(".", "")
        return float(digits.replace(",", ".")) if "," in digits else int(digits)
    raise ValueError(
        f"text {cell_text(text)} is no number as written in German (thousands with a point, "
        "decimals with a comma: 82.000 or 1,173); type the number into the cell"
    )


def _month(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"must be a month, got {'WAHR' if value else 'FALSCH'}")
    if isinstance(value, int | float):
        if not 1 <= value < 2958466:
            raise ValueError(f"must be a month, got the number {show_value(value)}")
        return _EPOCH_1900 + timedelta(days=int(value))
    text = str(value).strip()
    parts = _month_parts(text)
    if parts is not None:
        try:
            return date(*parts)
        except ValueError:
            pass
    raise ValueError(
        f"text {cell_text(text)} is no month: write it as 01.10.2024, 10.2024 or 2024-10, "
        "or type a date"
    )


def _month_parts(text: str) -> tuple[int, int, int] | None:
    """Year, month and day of "01.10.2024", "10.2024" or "2024-10(-01)"."""
    if found := _DAY_MONTH_YEAR.fullmatch(text):
        return int(found[3]), int(found[2]), int(found[1])
    if found := _MONTH_YEAR.fullmatch(text):
        return int(found[2]), int(found[1]), 1
    if found := _ISO.fullmatch(text):
        return int(found[1]), int(found[2]), int(found[3] or 1)
    return None


def same(first: object, second: object) -> bool:
    if isinstance(first, date) and isinstance(second, date):
        return (first.year, first.month) == (second.year, second.month)
    if isinstance(first, bool) or isinstance(second, bool):
        return first is second
    if isinstance(first, int | float) and isinstance(second, int | float):
        return math.isclose(first, second, rel_tol=1e-12, abs_tol=1e-12)
    return first == second


def show_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return month_text(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, str):
        return f'"{printable(value)}"'  # printed as written, every control character visible
    return str(value)
