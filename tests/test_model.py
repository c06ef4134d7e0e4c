"""The calculation, checked against figures worked out by hand.

Each expectation is written as the arithmetic a treasurer would do on paper, so a reader can
check it without running the code. The same figures must appear as the workbook's cached values
(read through the defined names, as another workbook or a reader would).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from kim_budget.loader import load_scenario
from kim_budget.model import compute
from kim_budget.pipeline import workbook_bytes

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases" / "valid"
SHIPPED = ROOT / "scenarios"

# Per year: Personalaufwand, Förderung, Eigenanteil, Deckung, Haushaltsbelastung (€).
Figures = tuple[float, float, float, float, float]


def _plain(cost: float, funding: float) -> Figures:
    """A year without Deckung."""
    return (cost, funding, cost - funding, 0.0, cost - funding)


def _covered(cost: float, funding: float) -> Figures:
    """An offset year: the Eigenanteil is covered, nothing burdens the budget."""
    return (cost, funding, cost - funding, cost - funding, 0.0)


ONE_VZAE = _plain(80_000, 57_000)  # council paper: 80 T€ cost, 57 T€ funding → 23 T€
FULL_SHARE = _plain(1.173 * 80_000, 1.173 * 57_000)  # 93,840 − 66,861 = 26,979
NOTHING = _plain(0, 0)

EXPECTED: dict[Path, dict[int, Figures]] = {
    # Oct–Dec 2024 = 3/12 of a year, covered by vacancies in 2024 (offset).
    SHIPPED / "vzae-1.000-ab-2024-10.toml": {
        2024: _covered(3 / 12 * 80_000, 3 / 12 * 57_000),
        **dict.fromkeys(range(2025, 2029), ONE_VZAE),
    },
    SHIPPED / "vzae-1.000-ab-2025-01.toml": {
        2024: NOTHING,
        **dict.fromkeys(range(2025, 2029), ONE_VZAE),
    },
    SHIPPED / "vzae-1.173-ab-2024-10.toml": {
        2024: _covered(3 / 12 * 1.173 * 80_000, 3 / 12 * 1.173 * 57_000),
        **dict.fromkeys(range(2025, 2029), FULL_SHARE),
    },
    SHIPPED / "vzae-1.173-ab-2025-01.toml": {
        2024: NOTHING,
        **dict.fromkeys(range(2025, 2029), FULL_SHARE),
    },
    # April to September 2025: six months of 60,000/12 cost and 48,000/12 funding.
    CASES / "mid_year_start_end.toml": {2025: _plain(6 * 5_000, 6 * 4_000), 2026: NOTHING},
    # A: 1.0 VZÄ all year at 80,000; B: 0.5 VZÄ from July at its own 72,000 → 6 × 3,000.
    # Funded VZÄ: 1.0 for six months, 1.5 for six months; 57,000 / 12 = 4,750 per VZÄ-month.
    CASES / "several_positions.toml": {2025: _plain(80_000 + 18_000, 4_750 * (6 * 1.0 + 6 * 1.5))},
    # As before, but funded VZÄ never above 1.2: 4,750 × (6 × 1.0 + 6 × 1.2).
    CASES / "max_fte_cap.toml": {2025: _plain(98_000, 4_750 * (6 * 1.0 + 6 * 1.2))},
    # 2.0 VZÄ hired, funded only the share 17 × 41,978 / 608,335 ≈ 1.17308 VZÄ.
    CASES / "share_cap.toml": {2025: _plain(160_000, 17 * 41_978 / 608_335 * 57_000)},
    # Cost 48,000 a year: funding 57,000 is capped at the cost → Eigenanteil 0 …
    CASES / "cap_at_cost.toml": {2025: _plain(48_000, 48_000)},
    # … and without the cap the funding exceeds the cost: Eigenanteil −9,000.
    CASES / "funding_above_cost.toml": {2025: _plain(48_000, 57_000)},
    # Cost +3 % from April 2025, a further +2.8 % from May 2026; funding +2 % from 2026.
    CASES / "increases.toml": {
        2025: _plain(3 / 12 * 80_000 + 9 / 12 * 82_400, 57_000),
        2026: _plain(4 / 12 * 82_400 + 8 / 12 * 82_400 * 1.028, 57_000 * 1.02),
    },
    CASES / "offset_years.toml": {2025: _covered(80_000, 57_000), 2026: ONE_VZAE},
    # Two posts cost 160,000; only the funded one brings 57,000.
    CASES / "unfunded_position.toml": {2025: _plain(160_000, 57_000)},
    # Start 15 Oct 2024 counts as October, end 31 Mar 2025 as March; +5 % from February 2025.
    CASES / "toml_dates.toml": {
        2024: _plain(3 / 12 * 80_000, 3 / 12 * 57_000),
        2025: _plain(1 / 12 * 80_000 + 2 / 12 * 84_000, 3 / 12 * 57_000),
    },
    CASES / "formula_looking_text.toml": {2025: ONE_VZAE},
}

NAMES = ("Personalaufwand", "Foerderung", "Eigenanteil", None, "Haushaltsbelastung")
CASE_IDS = [path.stem for path in EXPECTED]


@pytest.mark.parametrize("path", EXPECTED, ids=CASE_IDS)
def test_model_matches_hand_calculation(path: Path) -> None:
    result = compute(load_scenario(path))
    assert [y.year for y in result.years] == list(EXPECTED[path])
    for year in result.years:
        got = (
            year.personalaufwand,
            year.foerderung,
            year.eigenanteil,
            year.deckung,
            year.haushaltsbelastung,
        )
        assert got == pytest.approx(EXPECTED[path][year.year], abs=0.005), year.year


@pytest.mark.parametrize("path", EXPECTED, ids=CASE_IDS)
def test_workbook_caches_hand_calculated_figures(path: Path, tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(workbook_bytes(load_scenario(path)))
    book = openpyxl.load_workbook(target, data_only=True)
    for year, figures in EXPECTED[path].items():
        for name, expected in zip(NAMES, figures, strict=True):
            if name is None:
                continue
            ((sheet, cell),) = book.defined_names[f"{name}_{year}"].destinations
            assert book[sheet][cell.replace("$", "")].value == pytest.approx(expected, abs=0.005), (
                f"{name}_{year}"
            )


def test_paper_figures_per_full_year() -> None:
    """The council paper: 57,000 € and 66,861 € funding, 23,000 € and 26,979 € Eigenanteil."""
    one = compute(load_scenario(SHIPPED / "vzae-1.000-ab-2025-01.toml")).year(2025)
    share = compute(load_scenario(SHIPPED / "vzae-1.173-ab-2025-01.toml")).year(2025)
    assert round(one.foerderung, 2) == 57_000.00
    assert round(share.foerderung, 2) == 66_861.00
    assert round(one.eigenanteil, 2) == 23_000.00
    assert round(share.eigenanteil, 2) == 26_979.00
