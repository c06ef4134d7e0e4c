"""Excel's rules for defined names and sheet names: `check_defined_name`, `check_sheet_name`.

Pure functions over strings, without openpyxl. The workbook writer calls them before it
writes, and `kim_budget.verify` (rule S8) on the names of a finished workbook; keeping them
here means the writer does not depend on the verify package.
"""

from __future__ import annotations

import re

from kim_budget.formula import column_number

__all__ = [
    "MAX_COLUMN",
    "MAX_NAME_LENGTH",
    "MAX_ROW",
    "MAX_SHEET_NAME_LENGTH",
    "check_defined_name",
    "check_sheet_name",
]

MAX_COLUMN = 16384  # XFD
MAX_ROW = 1048576
MAX_NAME_LENGTH = 255
MAX_SHEET_NAME_LENGTH = 31

_SHEET_NAME_FORBIDDEN = frozenset("[]:*?/\\")
_A1_LIKE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")
_R1C1_LIKE = re.compile(r"[Rr][0-9]*(?:[Cc][0-9]*)?|[Cc][0-9]*")


def _looks_like_a1(name: str) -> bool:
    match = _A1_LIKE.fullmatch(name)
    return match is not None and column_number(match.group(1)) <= MAX_COLUMN


def check_defined_name(name: str) -> str | None:
    """What makes `name` unusable as an Excel defined name, or None when it is fine.

    Excel's rules: 1–255 characters; starts with a letter, "_" or "\\"; then only letters,
    digits, "_" and "."; and no name that reads as a cell reference in A1 (``AB12``,
    ``KIM2025``) or R1C1 notation (``R1C1``, ``R``, ``C``).
    """
    if not name:
        return "a defined name must not be empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"defined name has {len(name)} characters; at most {MAX_NAME_LENGTH} allowed"
    first = name[0]
    if not (first.isalpha() or first in "_\\"):
        return f"defined name {name!r} must start with a letter, '_' or '\\'"
    bad = sorted({c for c in name[1:] if not (c.isalnum() or c in "_.")})
    if bad:
        return (
            f"defined name {name!r} contains {''.join(bad)!r}; "
            "only letters, digits, '_' and '.' are allowed"
        )
    if _looks_like_a1(name):
        return f"defined name {name!r} looks like a cell reference (A1 notation)"
    if _R1C1_LIKE.fullmatch(name):
        return f"defined name {name!r} looks like a cell reference (R1C1 notation)"
    return None


def check_sheet_name(name: str) -> str | None:
    """What makes `name` unusable as an Excel sheet name, or None when it is fine.

    Excel's rules: 1–31 characters, none of ``[ ] : * ? / \\``, not starting or ending with an
    apostrophe, and not "History" (reserved, in any case).
    """
    if not name:
        return "a sheet name must not be empty"
    if len(name) > MAX_SHEET_NAME_LENGTH:
        return (
            f"sheet name {name!r} has {len(name)} characters; "
            f"at most {MAX_SHEET_NAME_LENGTH} allowed"
        )
    bad = sorted(set(name) & _SHEET_NAME_FORBIDDEN)
    if bad:
        return f"sheet name {name!r} contains {''.join(bad)!r}; none of []:*?/\\ is allowed"
    if name.startswith("'") or name.endswith("'"):
        return f"sheet name {name!r} must not start or end with an apostrophe"
    if name.casefold() == "history":
        return f"sheet name {name!r} is reserved by Excel"
    return None
