"""The shipped TVöD pay tables and employer rates (kim_budget/data/tvoed.toml).

What a reader checks by hand: every table has six rising amounts, the derived tables follow
their stated rule to the cent, every table and rate names its source and confidence, and the
rates are those of the sources. The hand-calculated cases in tvoed_expected.py must agree with
these tables.
"""

from __future__ import annotations

import tomllib
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from tvoed_expected import CASES, WORKED_CHECK, TvoedCase, differences

ROOT = Path(__file__).parent.parent
TVOED: dict[str, Any] = tomllib.loads(
    resources.files("kim_budget.data").joinpath("tvoed.toml").read_text(encoding="utf-8")
)
TABLES: list[dict[str, Any]] = TVOED["pay_tables"]
S_GRADES = ["S 11b", "S 12", "S 14"]
E_GRADES = ["E 9c", "E 10", "E 11"]
CENT = Decimal("0.01")


def _table(grade: str, valid_from: str) -> list[Decimal]:
    (table,) = [t for t in TABLES if t["grade"] == grade and t["valid_from"] == valid_from]
    return [Decimal(str(amount)) for amount in table["steps"]]


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def test_the_shipped_grades_each_have_the_three_tables() -> None:
    assert TVOED["grades"] == [*S_GRADES, *E_GRADES]
    for grade in TVOED["grades"]:
        valid_from = [t["valid_from"] for t in TABLES if t["grade"] == grade]
        assert valid_from == ["2024-03", "2025-04", "2026-05"], grade
    assert {t["grade"] for t in TABLES} == set(TVOED["grades"])


@pytest.mark.parametrize("table", TABLES, ids=lambda t: f"{t['grade']} {t['valid_from']}")
def test_a_table_has_six_rising_amounts_in_euro_and_cent(table: dict[str, Any]) -> None:
    steps = [Decimal(str(amount)) for amount in table["steps"]]
    assert len(steps) == 6
    assert all(amount > 0 for amount in steps)
    assert steps == sorted(steps) and len(set(steps)) == 6
    assert all(amount == _cents(amount) for amount in steps)


def test_the_worked_check_reads_the_published_s12_amounts() -> None:
    # S 12 Stufe 3: 4,335.64 € (table of 1.3.2024), 4,465.71 € (table of 1.4.2025).
    assert _table("S 12", "2024-03")[2] == Decimal("4335.64")
    assert _table("S 12", "2025-04")[2] == Decimal("4465.71")


@pytest.mark.parametrize("grade", [*S_GRADES, *E_GRADES])
def test_the_2026_table_is_the_2025_table_times_1_028_to_the_cent(grade: str) -> None:
    expected = [_cents(x * Decimal("1.028")) for x in _table(grade, "2025-04")]
    assert _table(grade, "2026-05") == expected


@pytest.mark.parametrize("grade", [*S_GRADES, *E_GRADES])
def test_the_2025_table_is_3_percent_but_at_least_110_euro_more(grade: str) -> None:
    # Derived this way for the E grades; for the S grades the published table, which the rule
    # reproduces to the cent.
    expected = [_cents(max(x * Decimal("1.03"), x + 110)) for x in _table(grade, "2024-03")]
    assert _table(grade, "2025-04") == expected


def test_the_minimum_of_110_euro_raises_no_shipped_amount() -> None:
    # 3 % is more than 110 € from 3,666.67 € on (110 / 0.03); the lowest shipped amount is
    # S 11b Stufe 1 = 3,697.55 € (3 % = 110.93 €). So every 2025 amount is x × 1.03 to the cent.
    assert min(x for g in TVOED["grades"] for x in _table(g, "2024-03")) == Decimal("3697.55")
    assert Decimal("3697.55") * Decimal("0.03") > 110


def _sourced() -> list[tuple[str, dict[str, Any]]]:
    """Every table, allowance and rate entry of the file with a readable id."""
    entries = [(f"pay_tables {t['grade']} {t['valid_from']}", t) for t in TABLES]
    entries += [(f"allowances {a['grade']}", a) for a in TVOED["allowances"]]
    for key in ("bonus", "social_insurance", "pension_fund"):
        entries += [(f"{key} {e['from']}", e) for e in TVOED[key]]
    entries += [(key, TVOED[key]) for key in ("step_rules", "accounts")]
    performance = {
        "source": TVOED["performance_pay_source"],
        "confidence": TVOED["performance_pay_confidence"],
    }
    return [*entries, ("performance_pay", performance)]


@pytest.mark.parametrize(("where", "entry"), _sourced(), ids=[w for w, _ in _sourced()])
def test_every_table_and_rate_names_its_source_and_confidence(
    where: str, entry: dict[str, Any]
) -> None:
    assert isinstance(entry["source"], str) and len(entry["source"]) > 10, where
    assert entry["confidence"] in ("H", "M", "open"), where


def test_derived_tables_say_they_are_derived() -> None:
    derived = [t for t in TABLES if t["valid_from"] == "2026-05"]
    derived += [t for t in TABLES if t["valid_from"] == "2025-04" and t["grade"] in E_GRADES]
    assert len(derived) == 9
    for table in derived:
        assert table["confidence"] == "M"
        assert table["source"].startswith("abgeleitet: ")
        assert "mit einer veröffentlichten Tabelle abgeglichen" in table["source"]
    for table in TABLES:
        if table not in derived:
            assert table["confidence"] == "H"


def test_the_sue_allowance_is_180_euro_for_the_s_grades_only() -> None:
    allowances = {a["grade"]: a["per_month"] for a in TVOED["allowances"]}
    assert allowances == {"S 11b": 180, "S 12": 180, "S 14": 180, "E 9c": 0, "E 10": 0, "E 11": 0}


def _percents(key: str) -> list[tuple[int, float]]:
    return [(e["from"], e["percent"]) for e in TVOED[key]]


def test_the_rates_and_the_years_they_apply_from() -> None:
    assert _percents("bonus") == [(2024, 70.28), (2026, 85.0)]
    assert _percents("social_insurance") == [(2024, 20.45), (2025, 20.95), (2026, 21.15)]
    assert _percents("pension_fund") == [(2024, 7.75)]
    assert TVOED["performance_pay_percent"] == 2.0


def test_social_insurance_is_the_sum_of_its_parts() -> None:
    # Pension 9.3 + unemployment 1.3 + health 7.3, plus the employer half of the health top-up
    # and the employer's long-term care share.
    parts = {2024: ("0.85", "1.70"), 2025: ("1.25", "1.80"), 2026: ("1.45", "1.80")}
    for year, percent in _percents("social_insurance"):
        top_up, care = parts[year]
        total = Decimal("9.3") + Decimal("1.3") + Decimal("7.3") + Decimal(top_up) + Decimal(care)
        assert Decimal(str(percent)) == total, year


def test_the_pension_fund_is_levy_plus_restructuring_charge() -> None:
    assert Decimal(str(TVOED["pension_fund"][0]["percent"])) == Decimal("4.25") + Decimal("3.5")


def test_step_progression_and_accounts() -> None:
    # Stufe 2 after 1 year, 3 after 2 more, 4 after 3, 5 after 4, 6 after 5.
    assert TVOED["step_rules"]["months_in_step"] == [12, 24, 36, 48, 60]
    accounts = {k: v for k, v in TVOED["accounts"].items() if k not in ("source", "confidence")}
    assert accounts == {"pay": "5012", "pension_fund": "5022", "social_insurance": "5032"}


def test_the_data_file_ships_in_the_wheel() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    assert "kim_budget.data" in setuptools["packages"]
    assert setuptools["package-data"]["kim_budget.data"] == ["*.toml"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_hand_calculated_figures_agree_with_the_shipped_tables(case: TvoedCase) -> None:
    # Each figure in tvoed_expected.py is written over literal amounts; recomputed month by
    # month in decimal arithmetic from the scenario text and this data file it must agree.
    assert differences(case) == []


def test_the_first_case_reproduces_the_worked_check_to_the_cent() -> None:
    (case,) = [c for c in CASES if c.name == "worked_check_s12_stufe3_2025"]
    figures = {**case.parts[2025], **case.expected[2025]}
    assert {line: _cents(Decimal(str(figures[line]))) for line in WORKED_CHECK} == {
        line: _cents(Decimal(str(amount))) for line, amount in WORKED_CHECK.items()
    }
