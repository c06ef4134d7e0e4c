"""German formatting: numbers, euros, "rund" (nearest hundred), VZÄ and months, by hand."""

from __future__ import annotations

from datetime import date

import pytest

from kim_budget import german
from kim_budget.german import NBSP


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234.5, 2, "1.234,50"),
        (1234567.891, 2, "1.234.567,89"),
        (0, 2, "0,00"),
        (-1234.5, 2, "-1.234,50"),
        (-0.001, 2, "0,00"),  # rounds to zero: no minus sign
        (1234.5, 0, "1.234"),  # Python rounds the binary value half to even: 1234.5 → 1234
        (1.17307, 3, "1,173"),
        (999.995, 2, "1.000,00"),
    ],
)
def test_number(value: float, decimals: int, text: str) -> None:
    assert german.number(value, decimals) == text


def test_euro() -> None:
    assert german.euro(24849.5) == "24.849,50 €"
    assert german.euro(-9000) == "-9.000,00 €"
    assert german.euro(24900, 0) == "24.900 €"
    assert german.euro(5750, space=NBSP) == "5.750,00\u00a0€"


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (24850, 24900),  # a half rounds up
        (24849.99, 24800),
        (24849.9999999, 24900),  # 24.850,00 € to the cent, so up
        (24849.994, 24800),
        (24800, 24800),
        (5750, 5800),  # 1,0 VZÄ from October 2024: 3 × 23.000 € / 12
        (6744.75, 6700),  # 1,173 VZÄ from October 2024: 3 × 26.979 € / 12
        (26979, 27000),
        (49.99, 0),
        (50, 100),
        (0, 0),
        (-24850, -24900),  # negative halves round away from zero, like their positive twins
        (-24849.99, -24800),
        (-49.99, 0),
        (-9000, -9000),
        (1234567.5, 1234600),
    ],
)
def test_round_hundred(value: float, rounded: int) -> None:
    assert german.round_hundred(value) == rounded


def test_rund() -> None:
    assert german.rund(24850) == "24.900 €"
    assert german.rund(24849.99) == "24.800 €"
    assert german.rund(-24850) == "-24.900 €"
    assert german.rund(-10) == "0 €"
    assert german.rund(1234567.5) == "1.234.600 €"
    assert german.rund(23000, space=NBSP) == "23.000\u00a0€"


@pytest.mark.parametrize(
    ("fte", "text"),
    [
        (1.0, "1,0 VZÄ"),
        (1.173, "1,173 VZÄ"),
        (0.5, "0,5 VZÄ"),
        (0.25, "0,25 VZÄ"),
        (1.17307, "1,173 VZÄ"),  # at most three decimals
        (1.9999, "2,0 VZÄ"),
        (20, "20,0 VZÄ"),
        (2.1, "2,1 VZÄ"),
    ],
)
def test_vzae(fte: float, text: str) -> None:
    assert german.vzae(fte) == text


def test_vzae_with_no_break_space() -> None:
    assert german.vzae(1.173, space=NBSP) == "1,173\u00a0VZÄ"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2024, 10, 1), "Oktober 2024"),
        (date(2025, 1, 1), "Januar 2025"),
        (date(2026, 3, 15), "März 2026"),
        (date(2026, 12, 1), "Dezember 2026"),
    ],
)
def test_month(day: date, text: str) -> None:
    assert german.month(day) == text


def test_month_with_no_break_space() -> None:
    # the council texts join month and year like number and unit: "Dezember 2033" stays whole
    assert german.month(date(2033, 12, 1), space=NBSP) == "Dezember\u00a02033"
