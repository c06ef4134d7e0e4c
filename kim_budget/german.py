"""German number and date formatting for messages and council texts."""

from __future__ import annotations

from datetime import date

MONTH_NAMES = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def number(value: float, decimals: int = 2) -> str:
    """1234.5 → "1.234,50" (thousands dot, decimal comma; −0 shows as 0)."""
    text = f"{abs(value):,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    negative = round(value, decimals) < 0
    return ("-" if negative else "") + text


def euro(value: float, decimals: int = 2) -> str:
    """1234.5 → "1.234,50 €"."""
    return f"{number(value, decimals)} €"


def month(day: date) -> str:
    """date(2024, 10, 1) → "Oktober 2024"."""
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"
