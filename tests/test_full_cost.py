"""The full cost and the grant's risk: Sachkosten, Gemeinkosten, a funding share and its end.

Every expected figure is calculated by hand in the comments beside it. The engines' agreement with
the cached values of these workbooks is checked where every valid case is
(test_workbook_engines); here the model, the cached defined names, the cover, a treasurer's edit
and its way back into the scenario file.
"""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import VALID_CASES, formualizer_values, input_cell

from kim_budget.cli import main
from kim_budget.loader import load_scenario
from kim_budget.model import compute
from kim_budget.pipeline import build, workbook_bytes

ROOT = Path(__file__).resolve().parent.parent
WEITERE = ROOT / "scenarios" / "weitere"
SHIPPED = ROOT / "scenarios" / "vzae-1.000-ab-2024-10.toml"

Figures = dict[str, float]
"""A year's figures by the defined name's stem: "Sachaufwand" → Sachaufwand_2025."""

HAND: dict[Path, dict[int, Figures]] = {
    # 0.5 VZÄ from July 2025, 80,000 € a VZÄ, 9,600 € Sachkosten (+5 % from April 2026), 20 %
    # Gemeinkosten, 57,000 € lump sum.
    # 2025: 0.5 × 80,000 × 6/12 = 20,000; Sachkosten 0.5 × 9,600 × 6/12 = 2,400; Förderung
    # 0.5 × 57,000 × 6/12 = 14,250; Eigenanteil 20,000 + 2,400 − 14,250 = 8,150; Gemeinkosten
    # 20 % × 20,000 = 4,000; Vollkosten 26,400; at full cost 26,400 − 14,250 = 12,150.
    # 2026: Sachkosten 0.5 × 800 × 3 + 0.5 × 840 × 9 = 1,200 + 3,780 = 4,980; Eigenanteil
    # 40,000 + 4,980 − 28,500 = 16,480; Vollkosten 40,000 + 4,980 + 8,000 = 52,980.
    VALID_CASES / "full_cost_material_overhead.toml": {
        2025: {
            "Personalaufwand": 20000,
            "Sachaufwand": 2400,
            "Foerderung": 14250,
            "Eigenanteil": 8150,
            "Gemeinkosten": 4000,
            "Vollkosten": 26400,
            "Eigenanteil_Vollkosten": 12150,
        },
        2026: {
            "Personalaufwand": 40000,
            "Sachaufwand": 4980,
            "Foerderung": 28500,
            "Eigenanteil": 16480,
            "Gemeinkosten": 8000,
            "Vollkosten": 52980,
            "Eigenanteil_Vollkosten": 24480,
        },
    },
    # Two posts of 1.0 VZÄ (80,000 € and 50,000 €), 12,000 € Sachkosten each, eligible; 80 % of
    # the eligible cost, at most 57,000 € a VZÄ: 80 % × (130,000 + 24,000) / 12 = 10,266.67 a
    # month is above 2 × 4,750 = 9,500, so 9,500 × 12 = 114,000; Eigenanteil 154,000 − 114,000.
    VALID_CASES / "funding_share_capped.toml": {
        2025: {
            "Personalaufwand": 130000,
            "Sachaufwand": 24000,
            "Foerderung": 114000,
            "Eigenanteil": 40000,
        },
    },
    # 0.75 VZÄ from April 2025: 0.75 × 80,000 × 9/12 = 45,000; Sachkosten 0.75 × 8,000 × 9/12 =
    # 4,500, not eligible; 90 % × 45,000 = 40,500 without a maximum; 45,000 + 4,500 − 40,500.
    VALID_CASES / "funding_share_uncapped.toml": {
        2025: {
            "Personalaufwand": 45000,
            "Sachaufwand": 4500,
            "Foerderung": 40500,
            "Eigenanteil": 9000,
        },
    },
    # 1.0 VZÄ from October 2024, funding until June 2025: 2024 3 × (6,666.67 − 4,750) = 5,750;
    # 2025 80,000 − 6 × 4,750 = 51,500; 2026 no funding, 80,000.
    VALID_CASES / "grant_end_mid_year.toml": {
        2024: {"Foerderung": 14250, "Eigenanteil": 5750},
        2025: {"Foerderung": 28500, "Eigenanteil": 51500},
        2026: {"Foerderung": 0, "Eigenanteil": 80000},
    },
    # 1.0 VZÄ from January 2025, 9,700 € Sachkosten (+2 % from 2026: 9,894), 20 % Gemeinkosten.
    WEITERE / "vollkosten-1.000-ab-2025-01.toml": {
        2024: {"Personalaufwand": 0, "Sachaufwand": 0, "Eigenanteil": 0, "Vollkosten": 0},
        2025: {
            "Sachaufwand": 9700,
            "Eigenanteil": 32700,  # 80,000 + 9,700 − 57,000
            "Gemeinkosten": 16000,
            "Vollkosten": 105700,
            "Eigenanteil_Vollkosten": 48700,
        },
        2028: {"Sachaufwand": 9894, "Eigenanteil": 32894, "Eigenanteil_Vollkosten": 48894},
    },
    # The same post, funded until December 2026: 23,000 € a year, then the whole 80,000 €.
    WEITERE / "vzae-1.000-ab-2025-01-foerderende-2026.toml": {
        2026: {"Foerderung": 57000, "Eigenanteil": 23000},
        2027: {"Foerderung": 0, "Eigenanteil": 80000},
        2028: {"Foerderung": 0, "Eigenanteil": 80000, "Haushaltsbelastung": 80000},
    },
}

FIELDS = {
    "Personalaufwand": "personalaufwand",
    "Sachaufwand": "sachaufwand",
    "Foerderung": "foerderung",
    "Eigenanteil": "eigenanteil",
    "Haushaltsbelastung": "haushaltsbelastung",
    "Gemeinkosten": "gemeinkosten",
    "Vollkosten": "vollkosten",
    "Eigenanteil_Vollkosten": "eigenanteil_vollkosten",
}


def cached_names(workbook: bytes | Path, names: list[str]) -> dict[str, object]:
    """The values the file caches for defined names (as Protected View shows them)."""
    source = io.BytesIO(workbook) if isinstance(workbook, bytes) else workbook
    book = openpyxl.load_workbook(source, data_only=True)
    values = {}
    for name in names:
        ((sheet, cell),) = book.defined_names[name].destinations
        values[name] = book[sheet][cell.replace("$", "")].value
    return values


def name_cells(workbook: Path, names: list[str]) -> dict[str, tuple[str, str]]:
    book = openpyxl.load_workbook(workbook)
    cells = {}
    for name in names:
        ((sheet, cell),) = book.defined_names[name].destinations
        cells[name] = (sheet, cell.replace("$", ""))
    return cells


@pytest.mark.parametrize("path", HAND, ids=lambda path: path.stem)
def test_the_model_gives_the_hand_figures(path: Path) -> None:
    result = compute(load_scenario(path))
    for year, figures in HAND[path].items():
        got = {name: getattr(result.year(year), FIELDS[name]) for name in figures}
        assert got == pytest.approx(figures, abs=0.005), year


@pytest.mark.parametrize("path", HAND, ids=lambda path: path.stem)
def test_the_workbook_caches_the_hand_figures(path: Path) -> None:
    expected = {f"{name}_{year}": v for year, f in HAND[path].items() for name, v in f.items()}
    cached = cached_names(workbook_bytes(load_scenario(path)), list(expected))
    assert cached == pytest.approx(expected, abs=0.005)


def test_every_check_holds_with_full_cost_and_a_funding_share() -> None:
    for path in HAND:
        assert cached_names(workbook_bytes(load_scenario(path)), ["Pruefung_OK"]) == {
            "Pruefung_OK": True
        }, path.name


@pytest.mark.parametrize(
    ("path", "end", "year", "eigenanteil"),
    [
        (VALID_CASES / "grant_end_mid_year.toml", date(2025, 6, 1), 2026, 80000),
        (WEITERE / "vzae-1.000-ab-2025-01-foerderende-2026.toml", date(2026, 12, 1), 2027, 80000),
    ],
    ids=["june-2025", "december-2026"],
)
def test_the_cover_says_when_the_funding_ends_and_what_follows(
    path: Path, end: date, year: int, eigenanteil: float
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(load_scenario(path))), data_only=True)
    cover = book["Übersicht"]
    facts = {row[0].value: row[1].value for row in cover.iter_rows(max_col=2) if row[0].value}
    assert facts["Förderung bis einschließlich"] == datetime(end.year, end.month, 1)
    assert facts["Erstes volles Haushaltsjahr ohne Förderung"] == year
    assert facts["Eigenanteil in diesem Jahr"] == pytest.approx(eigenanteil)


def test_a_scenario_without_full_cost_keeps_the_personnel_view() -> None:
    """The shipped option has no Sachkosten: every full-cost line equals the personnel one."""
    result = compute(load_scenario(SHIPPED))
    for year in result.years:
        assert (year.sachaufwand, year.gemeinkosten) == (0, 0)
        assert year.vollkosten == year.personalaufwand
        assert year.eigenanteil_vollkosten == year.eigenanteil


def test_sachkosten_entered_in_the_workbook_flow_through(tmp_path: Path) -> None:
    """A treasurer enters 12,000 € Sachkosten and 20 % Gemeinkosten in the shipped 1.0 VZÄ
    option from October 2024. 2024 (three months): Sachaufwand 3,000, Eigenanteil 5,750 +
    3,000 = 8,750, Gemeinkosten 4,000, Vollkosten 20,000 + 3,000 + 4,000 = 27,000; 2025:
    Sachaufwand 12,000, Eigenanteil 23,000 + 12,000 = 35,000, Vollkosten 108,000, at full cost
    108,000 − 57,000 = 51,000."""
    (workbook,) = [o.path for o in build([SHIPPED], tmp_path) if o.path.suffix == ".xlsx"]
    book = openpyxl.load_workbook(workbook)
    book["Annahmen"][input_cell(book, "cost.material_per_fte")] = 12000
    book["Annahmen"][input_cell(book, "cost.overhead_percent")] = 20
    book.save(workbook)
    expected = {
        "Sachaufwand_2024": 3000,
        "Eigenanteil_2024": 8750,
        "Gemeinkosten_2024": 4000,
        "Vollkosten_2024": 27000,
        "Sachaufwand_2025": 12000,
        "Eigenanteil_2025": 35000,
        "Vollkosten_2025": 108000,
        "Eigenanteil_Vollkosten_2025": 51000,
    }
    cells = name_cells(workbook, list(expected))
    values = formualizer_values(workbook, list(cells.values()))
    assert {name: values[cells[name]] for name in expected} == pytest.approx(expected)


def test_sachkosten_edited_in_the_workbook_come_back_into_the_file(tmp_path: Path) -> None:
    scenario = tmp_path / SHIPPED.name
    shutil.copy(SHIPPED, scenario)
    (workbook,) = [o.path for o in build([scenario], tmp_path) if o.path.suffix == ".xlsx"]
    book = openpyxl.load_workbook(workbook)
    book["Annahmen"][input_cell(book, "cost.material_per_fte")] = "9.700"
    book["Annahmen"][input_cell(book, "cost.overhead_percent")] = "20 %"
    book.save(workbook)
    result = CliRunner().invoke(main, ["import", str(workbook)])
    assert result.exit_code == 0, result.output
    assert "cost.material_per_fte: 0 → 9700" in result.output
    assert "cost.overhead_percent: 0 → 20" in result.output
    cost = load_scenario(scenario).cost
    assert (cost.material_per_fte, cost.overhead_percent) == (9700, 20)
    # rebuilt: 2025 Eigenanteil 80,000 + 9,700 − 57,000 = 32,700
    rebuilt = compute(load_scenario(scenario)).year(2025)
    assert rebuilt.eigenanteil == pytest.approx(32700)
