"""The comparison workbook: several scenarios side by side, formula-backed inside one file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from helpers import SHIPPED, VALID_CASES

from kim_budget.errors import ScenarioErrors
from kim_budget.pipeline import build

TITLES = {
    "vzae-1.000-ab-2024-10": "1,0 VZÄ Case Management KIM ab Oktober 2024",
    "vzae-1.173-ab-2025-01": "1,173 VZÄ Case Management KIM ab Januar 2025",
    "mid_year_start_end": "Befristet April bis September 2025",
}


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vergleich")
    paths = [
        SHIPPED / "vzae-1.000-ab-2024-10.toml",
        SHIPPED / "vzae-1.173-ab-2025-01.toml",
        VALID_CASES / "mid_year_start_end.toml",
    ]
    outputs = build(paths, out)
    assert [o.path.name for o in outputs][-1] == "Szenarienvergleich.xlsx"
    return out / "Szenarienvergleich.xlsx"


def _table(sheet: openpyxl.worksheet.worksheet.Worksheet, title: str) -> dict[str, list[object]]:
    """Rows of the table below a section title: scenario title → [Summe, 2024, …, 2028]."""
    start = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == title)
    rows: dict[str, list[object]] = {}
    for row in range(start + 2, start + 2 + len(TITLES)):
        rows[str(sheet.cell(row, 1).value)] = [sheet.cell(row, c).value for c in range(3, 9)]
    return rows


def test_sheets_hold_every_scenario(comparison: Path) -> None:
    book = openpyxl.load_workbook(comparison)
    assert book.sheetnames == [
        "Vergleich",
        *(
            f"{kind} {n}"
            for n in (1, 2, 3)
            for kind in ("Annahmen", "Monate", "Haushalt", "Prüfungen")
        ),
    ]


def test_eigenanteil_per_scenario_and_year(comparison: Path) -> None:
    sheet = openpyxl.load_workbook(comparison, data_only=True)["Vergleich"]
    table = _table(sheet, "Eigenanteil je Haushaltsjahr (Aufwand − Ertrag)")
    one, share, short = (TITLES[k] for k in TITLES)
    # Summe, 2024, 2025, 2026, 2027, 2028 — worked out by hand:
    # 1.0 VZÄ from Oct 2024: 3/12 × 23,000 = 5,750 in 2024, then 23,000 a year.
    assert table[one] == pytest.approx([5_750 + 4 * 23_000, 5_750, 23_000, 23_000, 23_000, 23_000])
    # 1.173 VZÄ from Jan 2025: nothing in 2024, then 1.173 × 23,000 = 26,979 a year.
    assert table[share] == pytest.approx([4 * 26_979, 0, 26_979, 26_979, 26_979, 26_979])
    # April–September 2025 only (horizon 2025–2026): 6 × (5,000 − 4,000); 2024, 2027, 2028
    # lie outside its horizon and stay empty, not 0.
    assert table[short] == [pytest.approx(6_000), None, pytest.approx(6_000), 0, None, None]


def test_haushaltsbelastung_leaves_out_covered_years(comparison: Path) -> None:
    sheet = openpyxl.load_workbook(comparison, data_only=True)["Vergleich"]
    table = _table(sheet, "Haushaltsbelastung je Haushaltsjahr (Eigenanteil − Deckung)")
    # 2024 is covered by vacancies in the October scenario: no burden that year.
    assert table[TITLES["vzae-1.000-ab-2024-10"]][:2] == pytest.approx([4 * 23_000, 0])


def test_differing_assumptions_side_by_side(comparison: Path) -> None:
    book = openpyxl.load_workbook(comparison, data_only=True)
    sheet = book["Vergleich"]
    labels = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    fte = labels["Stelle 1: Stellenanteil"]
    assert [sheet.cell(fte, c).value for c in (3, 4, 5)] == [1, 1.173, 1]
    # The third scenario names its post differently: the names stand side by side.
    names = labels["Stelle 1: Bezeichnung"]
    assert [sheet.cell(names, c).value for c in (3, 4, 5)] == [
        "Case Management KIM",
        "Case Management KIM",
        "Case Management",
    ]
    assert "Stelle 1: Besetzt bis einschließlich" in labels  # only the third ends
    assert "Förderung: Förderpauschale je VZÄ" in labels  # 57,000 vs 48,000 € differ
    assert "Förderung: Förderfähige VZÄ höchstens" in labels  # only two scenarios cap
    assert not any(str(label).startswith("Personalkosten: Kostensteigerung") for label in labels)


def test_every_figure_is_a_formula_on_this_file(comparison: Path) -> None:
    book = openpyxl.load_workbook(comparison)
    sheet = book["Vergleich"]
    numbers = [
        cell
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "n" and cell.value is not None
    ]
    assert numbers == []  # no figure typed in
    formulas = [c.value for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and not any("[" in str(f) for f in formulas)  # no links to other files


def test_master_check_covers_all_scenarios(comparison: Path) -> None:
    book = openpyxl.load_workbook(comparison, data_only=True)
    ((sheet, cell),) = book.defined_names["Pruefung_OK"].destinations
    assert sheet == "Vergleich"
    assert book[sheet][cell.replace("$", "")].value is True


def test_one_scenario_builds_no_comparison(tmp_path: Path) -> None:
    outputs = build([SHIPPED / "vzae-1.000-ab-2024-10.toml"], tmp_path)
    assert [o.path.name for o in outputs if o.path.suffix == ".xlsx"] == [
        "vzae-1.000-ab-2024-10.xlsx"
    ]


def test_scenario_may_not_take_the_comparison_name(tmp_path: Path) -> None:
    reserved = tmp_path / "Szenarienvergleich.toml"
    reserved.write_bytes((SHIPPED / "vzae-1.000-ab-2024-10.toml").read_bytes())
    with pytest.raises(ScenarioErrors) as raised:
        build([reserved, SHIPPED / "vzae-1.173-ab-2025-01.toml"], tmp_path / "out")
    assert str(raised.value) == (
        f"{reserved}: the name Szenarienvergleich.toml is reserved for the comparison workbook "
        "Szenarienvergleich.xlsx; rename the file"
    )
    assert not (tmp_path / "out").exists()


def test_horizons_with_a_gap_between_them(tmp_path: Path) -> None:
    """2024–2025 and 2027–2030: no scenario covers 2026, so it gets no column."""
    early = (VALID_CASES / "mid_year_start_end.toml").read_text(encoding="utf-8")
    early = early.replace("first_year = 2025", "first_year = 2024").replace(
        "last_year = 2026", "last_year = 2025"
    )
    late = (
        early.replace("first_year = 2024", "first_year = 2027")
        .replace("last_year = 2025", "last_year = 2030")
        .replace('start = "2025-04"', 'start = "2027-04"')
        .replace('end = "2025-09"', 'end = "2027-09"')
    )
    (tmp_path / "a.toml").write_text(early, encoding="utf-8")
    (tmp_path / "b.toml").write_text(late, encoding="utf-8")
    build([tmp_path / "a.toml", tmp_path / "b.toml"], tmp_path / "out")
    sheet = openpyxl.load_workbook(tmp_path / "out" / "Szenarienvergleich.xlsx", data_only=True)[
        "Vergleich"
    ]
    header = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "Szenario")
    years = [sheet.cell(header, c).value for c in range(4, 11)]
    assert years == [2024, 2025, 2027, 2028, 2029, 2030, None]
    # Six months of (60,000 − 48,000)/12 in 2025 for the first, in 2027 for the second.
    assert [sheet.cell(header + 1, c).value for c in range(4, 10)] == [
        0,
        pytest.approx(6_000),
        None,
        None,
        None,
        None,
    ]
    assert [sheet.cell(header + 2, c).value for c in range(4, 10)] == [
        None,
        None,
        pytest.approx(6_000),
        0,
        0,
        0,
    ]
