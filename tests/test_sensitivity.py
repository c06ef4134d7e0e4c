"""Sensitivität: every variant equals its scenario file, changed by hand and built on its own.

The hand case (flat): 1,0 VZÄ from January 2025, 80.000 € a year, a lump sum of 57.000 €,
Haushaltsjahre 2025–2028, no increases. Eigenanteil over the horizon:
- Sens_Basis: 4 × (80.000 − 57.000) = 92.000 €
- Sens_Start_3 (April 2025): 9/12 × 23.000 + 3 × 23.000 = 17.250 + 69.000 = 86.250 €
- Sens_Start_6 (July 2025): 6/12 × 23.000 + 69.000 = 80.500 €
- Sens_Kosten_plus_5: 4 × (84.000 − 57.000) = 108.000 €
- Sens_Kosten_minus_5: 4 × (76.000 − 57.000) = 76.000 €
- Sens_Foerderung_minus_10: 4 × (80.000 − 51.300) = 114.800 €
- Sens_Foerderende (after December 2025): 23.000 + 3 × 80.000 = 263.000 €
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import SHIPPED, engine, input_cell

from kim_budget.cli import main
from kim_budget.loader import load_scenario
from kim_budget.model import compute
from kim_budget.pay import shipped_rules
from kim_budget.pipeline import build, calculated_workbook
from kim_budget.results import Result
from kim_budget.workbook import lay_out_results_comparison

HAND = """title = "Hand"
[horizon]
first_year = 2025
last_year = 2028
[[positions]]
name = "Case Management"
fte = 1.0
start = "2025-01"
[cost]
annual_cost_per_fte = 80000
[funding]
rate_per_fte = 57000
"""
HAND_FIGURES = {
    "Sens_Basis": 92_000.0,
    "Sens_Start_3": 86_250.0,
    "Sens_Start_6": 80_500.0,
    "Sens_Kosten_plus_5": 108_000.0,
    "Sens_Kosten_minus_5": 76_000.0,
    "Sens_Foerderung_minus_10": 114_800.0,
    "Sens_Foerderende": 263_000.0,
}
GRADED = (SHIPPED / "vzae-1.000-ab-2025-01-tvoed.toml").read_text(encoding="utf-8")
SHARE_AND_END = """title = "Förderquote, Sachkosten, Ende, zwei Stellen"
[horizon]
first_year = 2025
last_year = 2029
[[positions]]
name = "Verwaltung"
fte = 0.5
start = "2025-01"
end = "2025-05"
annual_cost = 62000
funded = false
[[positions]]
name = "Case Management"
fte = 0.8
start = "2025-03"
grade = "S 12"
step = 3
step_since = "2024-07"
[cost]
increases = [ { from = "2027-03", percent = 3.0 } ]
material_per_fte = 9700
overhead_percent = 20.0
[funding]
rate_per_fte = 57000
percent_of_cost = 80.0
covers_material = true
end = "2028-06"
increases = [ { from = "2026-01", percent = 2.0 } ]
"""
"""Two posts (one ends before a six months' delay would start it: not filled), a Stufe held
since before the start (it does not move with the start), a funding share with its maximum,
Sachkosten, an increase and the grant's own end (later than the variant's)."""


def _later(text: str, months: int) -> str:
    """Every start `months` later; a post that would start after its end is left out (none
    of the cases has it last)."""

    def shift(match: re.Match[str]) -> str:
        year, month = int(match[1]), int(match[2]) + months
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        return f'start = "{year}-{month:02d}"'

    shifted = re.sub(r'start = "(\d{4})-(\d{2})"', shift, text)
    posts = shifted.split("[[positions]]")
    kept = [posts[0]] + [p for p in posts[1:] if not _ends_before_start(p)]
    return "[[positions]]".join(kept)


def _ends_before_start(post: str) -> bool:
    start = re.search(r'start = "([\d-]+)"', post)
    end = re.search(r'end = "([\d-]+)"', post.split("[", 1)[0])
    return bool(start and end and end[1] < start[1])


def _cost(text: str, factor: float) -> str:
    """Annual costs × factor; graded posts: every shipped pay table of their grades × factor."""
    text = re.sub(
        r"(?m)^(annual_cost(?:_per_fte)?) = (\d+)",
        lambda m: f"{m[1]} = {int(m[2]) * factor!r}",
        text,
    )
    grades = set(re.findall(r'grade = "([^"]+)"', text))
    tables = [t for t in shipped_rules().pay_tables if t.grade in grades]
    lines = [
        f'[[tvoed.pay_tables]]\ngrade = "{t.grade}"\nvalid_from = "{t.valid_from:%Y-%m}"\n'
        f"steps = [{', '.join(repr(step * factor) for step in t.steps)}]\n"
        for t in tables
    ]
    return text + "\n" + "\n".join(lines)


def _rate(text: str, factor: float) -> str:
    return re.sub(
        r"(?m)^rate_per_fte = (\d+)", lambda m: f"rate_per_fte = {int(m[1]) * factor!r}", text
    )


def _grant_end(text: str, first_year: int) -> str:
    december = f"{first_year}-12"
    found = re.search(r'(?m)^end = "([\d-]+)"', text.split("[funding]")[1])
    if found and found[1] <= december:
        return text
    funding = text.split("[funding]")
    tail = re.sub(r'(?m)^end = "[\d-]+"\n', "", funding[1])
    return f'{funding[0]}[funding]\nend = "{december}"{tail}'


def _step_up(text: str) -> str:
    return re.sub(r"(?m)^step = (\d)", lambda m: f"step = {min(int(m[1]) + 1, 6)}", text)


def _first_year(text: str) -> int:
    found = re.search(r"(?m)^first_year = (\d{4})", text)
    assert found
    return int(found[1])


CHANGES: dict[str, Callable[[str], str]] = {
    "Sens_Basis": lambda text: text,
    "Sens_Start_3": lambda text: _later(text, 3),
    "Sens_Start_6": lambda text: _later(text, 6),
    "Sens_Kosten_plus_5": lambda text: _cost(text, 1.05),
    "Sens_Kosten_minus_5": lambda text: _cost(text, 0.95),
    "Sens_Foerderung_minus_10": lambda text: _rate(text, 0.9),
    "Sens_Foerderende": lambda text: _grant_end(text, _first_year(text)),
    "Sens_Stufe_plus_1": _step_up,
}


def _result(folder: Path, name: str, text: str) -> Result:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return compute(load_scenario(path))


def _total(result: Result) -> float:
    return sum(year.eigenanteil for year in result.years)


def _names(path: Path) -> dict[str, float]:
    """The cached values of the workbook's Sens_* names."""
    book = openpyxl.load_workbook(path, data_only=True)
    return {name: book[sheet][cell].value for name, (sheet, cell) in _name_cells(path).items()}


@pytest.mark.parametrize("text", [HAND, GRADED, SHARE_AND_END], ids=["hand", "graded", "share"])
def test_every_variant_equals_its_changed_file_built_alone(tmp_path: Path, text: str) -> None:
    base = _result(tmp_path, "basis", text)
    variants = {v.name: v for v in base.sensitivity}
    graded = "grade =" in text
    assert len(variants) == (8 if graded else 7)
    for name, variant in variants.items():
        alone = _result(tmp_path, name, CHANGES[name](text))
        assert variant.eigenanteil == pytest.approx(_total(alone), abs=0.005), name
        assert variant.differenz == pytest.approx(_total(alone) - _total(base), abs=0.01), name


def test_hand_figures_in_the_workbook(tmp_path: Path) -> None:
    (tmp_path / "hand.toml").write_text(HAND, encoding="utf-8")
    build([tmp_path / "hand.toml"], tmp_path / "out")
    names = _names(tmp_path / "out" / "hand.xlsx")
    assert names == pytest.approx(HAND_FIGURES, abs=0.005)
    cover = openpyxl.load_workbook(tmp_path / "out" / "hand.xlsx", data_only=True)["Übersicht"]
    risks = {row[0]: row[1] for row in cover.iter_rows(max_col=2, values_only=True) if row[0]}
    # the largest increases: the grant's end (+171.000 €), then 10 % less funding (+22.800 €)
    assert risks["Größte Risiken (Blatt „Sensitivität“)"] == (
        "Förderung endet nach Dezember 2025; Förderung je VZÄ 10 % niedriger"
    )


def test_the_texts_cite_the_delay_and_the_strongest_variant(tmp_path: Path) -> None:
    (tmp_path / "hand.toml").write_text(HAND, encoding="utf-8")
    build([tmp_path / "hand.toml"], tmp_path / "out")
    text = (tmp_path / "out" / "hand.finanzielle-auswirkungen.txt").read_text(encoding="utf-8")
    sentence = " ".join(text.split())
    # 80.500 − 92.000 = −11.500; 263.000 − 92.000 = +171.000
    assert (
        "Verzögert sich die Besetzung um sechs Monate, sinkt der Eigenanteil über den Zeitraum "
        "um rund 11.500 €; am stärksten wirkt „Förderung endet nach Dezember 2025“: der "
        "Eigenanteil steigt dann um rund 171.000 €" in sentence.replace("\u00a0", " ")
    )


def test_without_sensitivity_no_sheets_names_or_sentence(tmp_path: Path) -> None:
    (tmp_path / "hand.toml").write_text(HAND, encoding="utf-8")
    done = CliRunner().invoke(
        main, ["build", "--no-sensitivity", str(tmp_path / "hand.toml"), "-o", str(tmp_path)]
    )
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(tmp_path / "hand.xlsx")
    assert book.sheetnames == ["Übersicht", "Annahmen", "Monate", "Haushalt", "Prüfungen"]
    assert not [name for name in book.defined_names if name.startswith("Sens_")]
    assert not any(
        "Sensitivität" in str(c.value) for row in book["Annahmen"].iter_rows() for c in row
    )
    text = (tmp_path / "hand.finanzielle-auswirkungen.txt").read_text(encoding="utf-8")
    assert "Verzögert" not in text


def test_a_workbook_without_sensitivity_imports(tmp_path: Path) -> None:
    scenario = tmp_path / "hand.toml"
    scenario.write_text(HAND, encoding="utf-8")
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--no-sensitivity", str(scenario), "-o", str(tmp_path)])
    assert built.exit_code == 0, built.output
    book = openpyxl.load_workbook(tmp_path / "hand.xlsx")
    book["Annahmen"][input_cell(book, "cost.annual_cost_per_fte")] = 82000
    book.save(tmp_path / "hand.xlsx")
    done = runner.invoke(main, ["import", str(tmp_path / "hand.xlsx")])
    assert done.exit_code == 0, done.output
    assert "annual_cost_per_fte = 82000" in scenario.read_text(encoding="utf-8")


def test_the_results_only_comparison_shows_base_and_widest(tmp_path: Path) -> None:
    base = _result(tmp_path, "hand", HAND)
    sheet = lay_out_results_comparison([base]).sheets[0]
    texts = {cell.content: (row, col) for (row, col), cell in sheet.cells.items()}
    row, _ = texts["Förderung endet nach Dezember 2025"]
    assert sheet.cells[(row, 4)].content == pytest.approx(92_000.0)  # Basis
    assert sheet.cells[(row, 5)].content == pytest.approx(263_000.0)  # the widest variant


@pytest.mark.engine
@pytest.mark.parametrize("name", ["LibreOffice", "Gnumeric"])
def test_engines_agree_and_follow_an_edit(tmp_path: Path, name: str) -> None:
    recalculate = engine(name)
    scenario = tmp_path / "hand.toml"
    scenario.write_text(HAND, encoding="utf-8")
    _, data = calculated_workbook(load_scenario(scenario))
    workbook = tmp_path / "hand.xlsx"
    workbook.write_bytes(data)
    book = openpyxl.load_workbook(workbook)
    book["Annahmen"][input_cell(book, "cost.annual_cost_per_fte")] = 90000
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    cells = _name_cells(workbook)
    values = recalculate([workbook, edited])
    for sens, cell in cells.items():
        assert values[workbook][cell] == pytest.approx(HAND_FIGURES[sens], abs=0.005), sens
    # 90.000 € a year: the base 4 × 33.000 = 132.000; +5 %: 4 × (94.500 − 57.000) = 150.000;
    # the grant ends after 2025: 33.000 + 3 × 90.000 = 303.000
    assert values[edited][cells["Sens_Basis"]] == pytest.approx(132_000.0, abs=0.005)
    assert values[edited][cells["Sens_Kosten_plus_5"]] == pytest.approx(150_000.0, abs=0.005)
    assert values[edited][cells["Sens_Foerderende"]] == pytest.approx(303_000.0, abs=0.005)


def _name_cells(path: Path) -> dict[str, tuple[str, str]]:
    """The sheet and cell each of the workbook's Sens_* names points to."""
    book = openpyxl.load_workbook(path)
    found = {}
    for name, defined in book.defined_names.items():
        if name.startswith("Sens_"):
            ((sheet, cell),) = defined.destinations
            found[name] = (sheet, cell.replace("$", ""))
    return found
