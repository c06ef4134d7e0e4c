"""What kind of value a key holds: its type, allowed range and the unit "Annahmen" shows.

Shared by the key table (`keys.py`), the workbook's number formats and data validation, and
the reading of edited cells (`importer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kim_budget.validate import Limits

ValueType = Literal["text", "number", "integer", "month", "boolean", "account"]


@dataclass(frozen=True)
class Measure:
    """What kind of value a key holds: type, allowed range and the unit "Annahmen" shows."""

    name: str
    type: ValueType
    unit: str
    limits: Limits | None = None


YEAR = Measure("year", "integer", "Jahr", Limits(2000, 2100))
FTE = Measure("fte", "number", "VZÄ", Limits(0, 20, low_open=True))
MONEY = Measure("money", "number", "€/VZÄ/Jahr", Limits(0, 10_000_000))
"""€ per VZÄ and year."""
PERCENT = Measure("percent", "number", "%", Limits(-50, 100, low_open=True))
PEOPLE = Measure("people", "integer", "Einwohner", Limits(0, 100_000_000, low_open=True))
DISTRICT_FTE = Measure("district_fte", "number", "VZÄ", Limits(0, 1000, low_open=True))
STEP = Measure("step", "integer", "Stufe", Limits(1, 6))
"""A TVöD Stufe."""
MONEY_MONTH = Measure("money_month", "number", "€/Monat", Limits(0, 10_000))
"""€ per month at full time (an allowance)."""
RATE = Measure("rate", "number", "%", Limits(0, 100))
"""A percentage of pay."""
MONTH = Measure("month", "month", "Monat")
BOOLEAN = Measure("boolean", "boolean", "1=ja, 0=nein")
"""A yes/no input: 1 for ja, 0 for nein in the workbook; true/false in the file."""
TEXT = Measure("text", "text", "Text")
ACCOUNT = Measure("account", "account", "Konto")
FILLED_FTE = Measure("filled_fte", "number", "VZÄ", Limits(0, 1000))
"""VZÄ a municipality filled on average in a year (0 allowed: none filled)."""
SHARE = Measure("share", "number", "%", Limits(0, 100, low_open=True))
"""A share of a cost that is funded (Förderquote)."""
CEILING = Measure("ceiling", "number", "€/Jahr", Limits(0, 1_000_000, low_open=True))
"""A contribution ceiling (Beitragsbemessungsgrenze) in € per year."""

MEASURES = (
    YEAR,
    FTE,
    MONEY,
    PERCENT,
    PEOPLE,
    DISTRICT_FTE,
    STEP,
    MONEY_MONTH,
    RATE,
    MONTH,
    BOOLEAN,
    TEXT,
    ACCOUNT,
    SHARE,
    CEILING,
)

TABLE_AMOUNT = Limits(0, 100_000, low_open=True)
"""A monthly amount of a pay table in € (the file may hold any real table; Annahmen's
validation of a Tarif cell is `MONEY_MONTH`)."""
