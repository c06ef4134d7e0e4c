"""Positions priced from the TVöD pay tables: figures worked out by hand (tests/tvoed_expected.py)
against the model and the finished workbook's cached values.

LibreOffice and Gnumeric recalculate the same workbooks in test_workbook_engines.py (the shared
fixture builds these cases too); verify checks them in test_verify's build tests.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from tvoed_expected import CASES, LINES, PARTS, TvoedCase

from kim_budget.loader import load_scenario
from kim_budget.model import Year, compute
from kim_budget.pipeline import workbook_bytes

YEAR_FIELDS = {
    "Entgelte": "entgelte",
    "Sozialversicherung": "sozialversicherung",
    "Versorgungskasse": "versorgungskasse",
    "Personalaufwand": "personalaufwand",
    "Förderung": "foerderung",
    "Eigenanteil": "eigenanteil",
}


def scenario_file(case: TvoedCase, folder: Path) -> Path:
    path = folder / f"{case.name}.toml"
    path.write_text(case.toml, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_yearly_figures_match_the_hand_calculation(case: TvoedCase, tmp_path: Path) -> None:
    result = compute(load_scenario(scenario_file(case, tmp_path)))
    assert [year.year for year in result.years] == sorted(case.expected)
    for year in result.years:
        for line in LINES:
            got = getattr(year, YEAR_FIELDS[line])
            assert got == pytest.approx(case.expected[year.year][line], abs=0.005), (year, line)


def _monate_rows(sheet: openpyxl.worksheet.worksheet.Worksheet, name: str) -> dict[str, int]:
    """The row of each part of a position's pay on Monate, labelled "Tabellenentgelt: <name>"."""
    labels = {str(sheet.cell(row, 1).value): row for row in range(1, sheet.max_row + 1)}
    return {part: labels[f"{part}: {name}"] for part in PARTS}


def _month_columns(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    return {
        f"{value:%Y-%m}": col
        for col in range(4, sheet.max_column + 1)
        if isinstance(value := sheet.cell(5, col).value, datetime)
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_monate_caches_the_hand_calculated_months(case: TvoedCase, tmp_path: Path) -> None:
    scenario = load_scenario(scenario_file(case, tmp_path))
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes(scenario)), data_only=True)["Monate"]
    rows, columns = _monate_rows(sheet, scenario.positions[0].name), _month_columns(sheet)
    assert case.monthly, "every case explains itself by some months"
    for month, figures in case.monthly.items():
        for part in PARTS:
            cached = sheet.cell(rows[part], columns[month]).value
            assert cached == pytest.approx(figures[part], abs=0.005), (month, part)


def test_worked_check_of_the_pay_model(tmp_path: Path) -> None:
    """S 12, Stufe 3 since 2024-01, 1.0 VZÄ, all of 2025, shipped defaults, by hand:
    Tabellenentgelt 3 × 4,335.64 + 9 × 4,465.71 = 53,198.31; Zulage 12 × 180 = 2,160;
    Leistungsentgelt 2 % of Tabellenentgelt and Zulage = 1,107.17; Jahressonderzahlung 70.28 % ×
    (4,465.71 + 180) = 3,265.00; Entgelte 59,730.48; Sozialversicherung 20.95 % = 12,513.54 (below
    both ceilings); Versorgungskasse 7.75 % = 4,629.11; Personalaufwand 76,873.13; Eigenanteil
    against 57,000 = 19,873.13."""
    year: Year = compute(load_scenario(scenario_file(CASES[0], tmp_path))).year(2025)
    tabelle = 3 * 4335.64 + 9 * 4465.71
    entgelte = tabelle + 12 * 180 + (tabelle + 12 * 180) * 0.02 + 0.7028 * (4465.71 + 180)
    assert year.entgelte == pytest.approx(entgelte, abs=0.005)
    assert year.entgelte == pytest.approx(59730.48, abs=0.01)
    assert year.sozialversicherung == pytest.approx(entgelte * 0.2095, abs=0.005)
    assert year.versorgungskasse == pytest.approx(entgelte * 0.0775, abs=0.005)
    assert year.personalaufwand == pytest.approx(76873.13, abs=0.01)
    assert year.eigenanteil == pytest.approx(19873.13, abs=0.01)


def test_flat_scenarios_have_no_account_lines(tmp_path: Path) -> None:
    shipped = Path(__file__).parent.parent / "scenarios" / "vzae-1.000-ab-2025-01.toml"
    year = compute(load_scenario(shipped)).year(2025)
    assert (year.entgelte, year.versorgungskasse, year.sozialversicherung) == (None, None, None)
    assert year.personalaufwand == pytest.approx(80_000)
