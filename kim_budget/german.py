"""German number and date formatting for messages and council texts.

These functions are also the filters of the text templates (see `render.py`), where number and
unit are joined by a no-break space (`space=NBSP`) so that a line never breaks inside "24.800 €"
(nor between month name and year: "Dezember 2033").

Rounding rules:

- `number` and `euro` round to the given decimals (default: the cent).
- `round_hundred` and `rund` round to the nearest 100 €: first to the cent, as the table shows
  the amount, then halves away from zero — 24.850 € → 24.900 €, 24.849,99 € → 24.800 €,
  −24.850 € → −24.900 € — so that a negative amount rounds like its positive counterpart.
- `vzae` shows up to three decimals, without trailing zeros but with at least one decimal.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

NBSP = "\u00a0"
"""No-break space: joins a number and its unit in the council texts."""

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


def euro(value: float, decimals: int = 2, *, space: str = " ") -> str:
    """1234.5 → "1.234,50 €"."""
    return f"{number(value, decimals)}{space}€"


def round_hundred(value: float) -> int:
    """The amount rounded to the cent, then to the nearest 100 (halves away from zero).

    24850 → 24900, 24849.99 → 24800, -24850 → -24900, 49.99 → 0. Rounding to the cent first
    makes the rounded figure agree with the exact figure shown beside it, even when binary
    floating point puts the amount a hair below a half (24849.9999999 → 24.850,00 → 24900).
    """
    with localcontext() as context:
        context.prec = 400  # exact for every finite float
        cents = Decimal(repr(round(value, 2)))
        hundreds = (cents / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(hundreds) * 100


def rund(value: float, *, space: str = " ") -> str:
    """The amount rounded to the nearest 100 € (see `round_hundred`): 24850.0 → "24.900 €".

    The word "rund" itself is left to the text, so a template may write "ca." instead.
    """
    return euro(round_hundred(value), 0, space=space)


def vzae(value: float, *, space: str = " ") -> str:
    """Full-time equivalents: 1.173 → "1,173 VZÄ", 1.0 → "1,0 VZÄ", 0.5 → "0,5 VZÄ".

    At most three decimals (1.17307 → "1,173 VZÄ"), trailing zeros dropped, at least one kept.
    """
    text = number(value, 3).rstrip("0")
    if text.endswith(","):
        text += "0"
    return f"{text}{space}VZÄ"


def month(day: date, *, space: str = " ") -> str:
    """date(2024, 10, 1) → "Oktober 2024" (`space` between month name and year)."""
    return f"{MONTH_NAMES[day.month - 1]}{space}{day.year}"
