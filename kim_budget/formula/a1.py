"""The spreadsheet's coordinates: A1 cell addresses, sheet names in references, serial dates.

Pure helpers without openpyxl, shared by the layout, the writer, the finishing step and verify.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of the 1900 date system as every engine counts after 1900-03-01."""

_SAFE_SHEET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def date_to_serial(day: date) -> int:
    """The Excel serial number of a date (1900 date system, valid after 1900-03-01)."""
    return (day - EXCEL_EPOCH).days


def serial_to_date(serial: float) -> date:
    """The date of an Excel serial number."""
    return date.fromordinal(EXCEL_EPOCH.toordinal() + int(serial))


@lru_cache(maxsize=16384)  # every column Excel has; a pure function, remembered
def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """A → 1, AA → 27."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def cell_position(coordinate: str) -> tuple[int, int]:
    """ "D20" (or "$D$20") → (row 20, column 4)."""
    plain = coordinate.replace("$", "")
    letters = plain.rstrip("0123456789")
    return int(plain[len(letters) :]), column_number(letters)


def coordinate(row: int, col: int) -> str:
    """(20, 4) → "D20"."""
    return f"{column_letter(col)}{row}"


def quote_sheet(sheet: str) -> str:
    """A sheet name as it must appear in a reference."""
    if _SAFE_SHEET_NAME.match(sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


_BOOLEAN_LITERAL = re.compile(r"=\s*(TRUE|FALSE)\s*(?:\(\s*\))?\s*", re.IGNORECASE)


def boolean_literal(formula: str) -> bool | None:
    """The value of a formula that is only a boolean (``=TRUE()``, ``=FALSE``), else None.

    LibreOffice saves a boolean typed into a cell as such a formula; it is still a constant.
    """
    match = _BOOLEAN_LITERAL.fullmatch(formula)
    return None if match is None else match.group(1).upper() == "TRUE"
