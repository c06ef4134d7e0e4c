"""Many scenarios: beyond eight, the comparison is results-only (one row per scenario)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from kim_budget.loader import load_scenario
from kim_budget.model import compute
from kim_budget.pipeline import build
from kim_budget.verify import verify_workbooks
from kim_budget.verify.formula_rules import typed_value_allowed

EIGENANTEIL = "Eigenanteil je Haushaltsjahr (Aufwand − Ertrag)"
HAUSHALTSBELASTUNG = "Haushaltsbelastung je Haushaltsjahr (Eigenanteil − Deckung)"


def scenario(title: str, first_year: int = 2025, last_year: int = 2027) -> str:
    """1.0 VZÄ at 80,000 € a year against 57,000 € funding, filled from January."""
    return f"""title = "{title}"
[horizon]
first_year = {first_year}
last_year = {last_year}
[[positions]]
name = "Case Management"
fte = 1.0
start = "{first_year}-01"
[cost]
annual_cost_per_fte = 80000
[funding]
rate_per_fte = 57000
"""


def write_scenarios(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for number in range(1, count + 1):
        path = folder / f"kopie-{number:02}.toml"
        path.write_text(scenario(f"Kopie {number}"), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine copies of the same scenario and a tenth with a later horizon (2027–2028)."""
    root = tmp_path_factory.mktemp("many")
    paths = write_scenarios(root / "in", 9)
    late = root / "in" / "spaet.toml"
    late.write_text(scenario("Später", 2027, 2028), encoding="utf-8")
    build([*paths, late], root / "out", jobs=2)
    return root / "out" / "Szenarienvergleich.xlsx"


def table(sheet: Worksheet, title: str) -> dict[str, list[object]]:
    """Rows of the table below a section title: scenario title → [Datei, Summe, years …]."""
    start = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == title)
    rows: dict[str, list[object]] = {}
    row = start + 2
    while sheet.cell(row, 1).value != "Summe aller Szenarien":
        values = [sheet.cell(row, c).value for c in range(2, sheet.max_column + 1)]
        rows[str(sheet.cell(row, 1).value)] = values
        row += 1
    rows["Summe aller Szenarien"] = [sheet.cell(row, c).value for c in range(2, 8)]
    return rows


def test_one_sheet_not_one_group_per_scenario(many: Path) -> None:
    assert openpyxl.load_workbook(many).sheetnames == ["Vergleich"]


def test_one_row_per_scenario_with_its_yearly_results(many: Path) -> None:
    sheet = openpyxl.load_workbook(many, data_only=True)["Vergleich"]
    header = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "Szenario")
    assert [sheet.cell(header, c).value for c in range(1, 8)] == [
        "Szenario",
        "Datei",
        "Summe",
        2025,
        2026,
        2027,
        2028,
    ]
    # 80,000 − 57,000 = 23,000 € a year; three years 2025–2027 make 69,000 €.
    for title in ("Eigenanteil", "Haushaltsbelastung"):
        rows = table(sheet, EIGENANTEIL if title == "Eigenanteil" else HAUSHALTSBELASTUNG)
        for number in range(1, 10):
            assert rows[f"Kopie {number}"] == [
                f"kopie-{number:02}.toml",
                pytest.approx(69_000),
                pytest.approx(23_000),
                pytest.approx(23_000),
                pytest.approx(23_000),
                None,  # 2028 lies outside its horizon: empty, not 0
            ]
        # The later scenario covers 2027–2028 only.
        assert rows["Später"] == [
            "spaet.toml",
            pytest.approx(46_000),
            None,
            None,
            pytest.approx(23_000),
            pytest.approx(23_000),
        ]
        # 9 × 23,000 in 2025 and 2026, 10 × 23,000 in 2027, 23,000 in 2028.
        assert rows["Summe aller Szenarien"] == [
            "€",
            pytest.approx(9 * 69_000 + 46_000),
            pytest.approx(207_000),
            pytest.approx(207_000),
            pytest.approx(230_000),
            pytest.approx(23_000),
        ]


def test_totals_are_formulas_over_the_row(many: Path) -> None:
    sheet = openpyxl.load_workbook(many)["Vergleich"]
    row = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "Kopie 1")
    assert sheet.cell(row, 3).value == f"=SUM($D${row}:$G${row})"


def test_master_check_and_verify(many: Path) -> None:
    book = openpyxl.load_workbook(many, data_only=True)
    ((sheet, cell),) = book.defined_names["Pruefung_OK"].destinations
    assert book[sheet][cell.replace("$", "")].value is True
    report = verify_workbooks([many], use_engine=False)
    assert report.findings == ()


def test_values_from_other_files_only_in_the_year_columns() -> None:
    assert typed_value_allowed("Vergleich", 4, "results")
    assert typed_value_allowed("Vergleich", 9, "results")
    assert not typed_value_allowed("Vergleich", 3, "results")  # the totals are formulas
    assert not typed_value_allowed("Vergleich", 4, "comparison")  # side by side: all formulas
    assert not typed_value_allowed("Vergleich", 4)


def test_a_typed_total_is_still_a_finding(many: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(many)
    sheet = book["Vergleich"]
    row = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "Kopie 1")
    sheet.cell(row, 3).value = 69_000
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    findings = verify_workbooks([edited], use_engine=False).findings
    assert [(f.rule, f.sheet, f.cell) for f in findings if f.rule == "F6"] == [
        ("F6", "Vergleich", f"C{row}")
    ]


def test_eight_scenarios_stay_side_by_side(tmp_path: Path) -> None:
    paths = write_scenarios(tmp_path / "in", 8)
    build(paths, tmp_path / "out", jobs=2)
    names = openpyxl.load_workbook(tmp_path / "out" / "Szenarienvergleich.xlsx").sheetnames
    assert names[0] == "Vergleich"
    assert names[-4:] == ["Annahmen 8", "Monate 8", "Haushalt 8", "Prüfungen 8"]
    assert len(names) == 1 + 8 * 4


def test_twenty_graded_positions_keep_every_formula_short(tmp_path: Path) -> None:
    """The most positions a file may hold, each priced from the pay tables: the accounts' sums
    over twenty posts and the master check over their checks come in readable parts, and the
    file still passes every rule."""
    posts = "".join(
        f'[[positions]]\nname = "Case Management {number}"\nfte = 1.0\nstart = "2025-01"\n'
        'grade = "S 12"\nstep = 1\nstep_since = "2025-01"\n'
        for number in range(1, 21)
    )
    source = tmp_path / "zwanzig.toml"
    source.write_text(
        f'title = "Zwanzig Stellen"\n[horizon]\nfirst_year = 2025\nlast_year = 2026\n{posts}'
        "[funding]\nrate_per_fte = 57000\n",
        encoding="utf-8",
    )
    # without "Sensitivität": its eight calculations of twenty posts would pass the 100,000
    # formulas that verify checks (the README suggests --no-sensitivity for such builds)
    outputs = build([source], tmp_path / "out", sensitivity=False)
    (workbook,) = [o.path for o in outputs if o.path.suffix == ".xlsx"]
    assert not verify_workbooks([workbook], use_engine=False).findings
    book = openpyxl.load_workbook(workbook, data_only=True)
    labels = [cell.value for cell in book["Monate"]["A"] if cell.value]
    assert "Entgelte (Konto 5012), Teilsumme 2" in labels
    checks = book["Prüfungen"]
    results = {row[0].value: row[2].value for row in checks.iter_rows() if row[0].value}
    assert results["Alle Prüfungen bestanden, Teil 1"] is True
    assert results["Alle Prüfungen bestanden"] is True
    # 20 equal posts: the accounts add up to twenty times one post's Personalaufwand
    one = compute_one_post(tmp_path)
    ((sheet, cell),) = book.defined_names["Personalaufwand_2025"].destinations
    assert book[sheet][cell.replace("$", "")].value == pytest.approx(20 * one, abs=0.01)


def compute_one_post(folder: Path) -> float:
    """The 2025 Personalaufwand of one such post, S 12 Stufe 1 from January 2025."""
    source = folder / "eine.toml"
    source.write_text(
        'title = "Eine Stelle"\n[horizon]\nfirst_year = 2025\nlast_year = 2025\n'
        '[[positions]]\nname = "Case Management"\nfte = 1.0\nstart = "2025-01"\n'
        'grade = "S 12"\nstep = 1\nstep_since = "2025-01"\n[funding]\nrate_per_fte = 57000\n',
        encoding="utf-8",
    )
    return compute(load_scenario(source)).year(2025).personalaufwand
