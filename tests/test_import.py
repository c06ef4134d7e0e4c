"""`kim-budget import`: a treasurer's edits on "Annahmen" come back into the scenario file.

Expected figures are calculated by hand here: the 1,0 VZÄ scenario from October 2024 with
57,000 € funding per VZÄ and year and 2024 covered by the personnel budget.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from helpers import EngineWorkbooks, Recalculated, formualizer_values, input_cell
from resave import resave_gnumeric, resave_libreoffice
from tvoed_expected import CASES

from kim_budget.cli import main
from kim_budget.importer import convert, german_number
from kim_budget.loader import load_scenario
from kim_budget.measures import BOOLEAN, FTE, MONEY, MONTH, PEOPLE
from kim_budget.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "vzae-1.000-ab-2024-10.toml"
COST = "cost.annual_cost_per_fte"
FTE_KEY = "positions[0] (Stelle 1).fte"
START = "positions[0] (Stelle 1).start"
OFFSET_2024 = "offset.years (2024)"
OFFSET_2025 = "offset.years (2025)"
FUNDED = "positions[0] (Stelle 1).funded"
CAP_AT_COST = "funding.cap_at_cost"
COUNT_LABEL = "Eingaben gegenüber der Szenariodatei geändert"


def _built(folder: Path, name: str = SCENARIO.name) -> tuple[Path, Path]:
    """The scenario file copied into `folder` (as `name`) and its workbook built beside it."""
    scenario = folder / name
    shutil.copy(SCENARIO, scenario)
    (workbook,) = [o.path for o in build([scenario], folder) if o.path.suffix == ".xlsx"]
    return scenario, workbook


def _edit(workbook: Path, edits: dict[str, object]) -> None:
    book = openpyxl.load_workbook(workbook)
    for key, value in edits.items():
        book["Annahmen"][input_cell(book, key)] = value
    book.save(workbook)


def _import(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["import", *(str(arg) for arg in args)])


def _comments(text: str) -> list[str]:
    return [line[line.index("#") :].strip() for line in text.splitlines() if "#" in line]


def _count_cell(workbook: Path) -> str:
    sheet = openpyxl.load_workbook(workbook)["Übersicht"]
    for row in range(1, 20):
        if sheet.cell(row, 1).value == COUNT_LABEL:
            return f"B{row}"
    raise AssertionError("the cover shows no count of changed inputs")


def _years(workbook: Path, line: str) -> list[float]:
    sheet = openpyxl.load_workbook(workbook, data_only=True)["Haushalt"]
    for row in sheet.iter_rows(min_row=1):
        if isinstance(row[0].value, str) and row[0].value.startswith(line):
            return [cell.value for cell in row[3:8]]  # type: ignore[misc]
    raise AssertionError(f"no line {line} on Haushalt")


# --- the workbook shows its edits ---------------------------------------------------------


def test_fresh_workbook_says_no_input_changed(tmp_path: Path) -> None:
    _, workbook = _built(tmp_path)
    book = openpyxl.load_workbook(workbook, data_only=True)
    cover = book["Übersicht"]
    assert cover[_count_cell(workbook)].value == 0
    annahmen = book["Annahmen"]
    assert annahmen["F4"].value == "laut Szenariodatei"
    cost = input_cell(book, COST)
    assert annahmen[cost.replace("B", "F")].value == 80000
    assert annahmen[cost.replace("B", "G")].value == 0
    rules = openpyxl.load_workbook(workbook)["Annahmen"].conditional_formatting
    assert any(str(format.sqref).startswith("G5:G") for format in rules)


def test_marker_count_is_the_number_of_edited_inputs(tmp_path: Path) -> None:
    _, workbook = _built(tmp_path)
    _edit(workbook, {COST: 82000, OFFSET_2025: True, START: datetime(2025, 1, 1)})
    book = openpyxl.load_workbook(workbook)
    cost = input_cell(book, COST)
    cells = [("Übersicht", _count_cell(workbook)), ("Annahmen", cost.replace("B", "G"))]
    values = formualizer_values(workbook, cells)
    assert values[cells[0]] == 3
    assert values[cells[1]] == 1


# --- importing -----------------------------------------------------------------------------


def test_import_writes_the_edits_keeping_every_comment(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    before = scenario.read_text(encoding="utf-8")
    _edit(workbook, {COST: 82000, FTE_KEY: "1,173", OFFSET_2025: "WAHR"})
    result = _import(workbook)
    assert result.exit_code == 0, result.output
    assert "cost.annual_cost_per_fte: 80000 → 82000" in result.output
    assert f"{FTE_KEY}: 1 → 1.173" in result.output
    assert f"{OFFSET_2025}: false → true" in result.output
    after = scenario.read_text(encoding="utf-8")
    assert _comments(after) == _comments(before)
    assert re.search(r"^annual_cost_per_fte = 82000 ", after, re.MULTILINE)
    assert re.search(r"^fte = 1.173 ", after, re.MULTILINE)
    assert re.search(r"^years = \[2024, 2025\]", after, re.MULTILINE)
    loaded = load_scenario(scenario)
    assert loaded.cost.annual_cost_per_fte == 82000
    assert loaded.offset_years == (2024, 2025)


def test_rebuild_after_import_gives_the_hand_calculated_figures(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    _edit(workbook, {COST: 82000, OFFSET_2025: True})
    assert _import(workbook).exit_code == 0
    rebuilt = tmp_path / "rebuilt"
    (new,) = [o.path for o in build([scenario], rebuilt) if o.path.suffix == ".xlsx"]
    # 2024: October to December, 3 × 82,000 / 12 = 20,500 € cost, 3 × 57,000 / 12 = 14,250 €
    # funding; from 2025 a full year: 82,000 − 57,000 = 25,000 €. 2024 and 2025 covered.
    assert _years(new, "Personalaufwand") == pytest.approx([20500, 82000, 82000, 82000, 82000])
    assert _years(new, "Eigenanteil") == pytest.approx([6250, 25000, 25000, 25000, 25000])
    assert _years(new, "Haushaltsbelastung") == pytest.approx([0, 0, 25000, 25000, 25000])
    assert _import(new, "--scenario", scenario).output.endswith("nothing changed\n")


def test_dry_run_prints_and_writes_nothing(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    before = scenario.read_bytes()
    _edit(workbook, {START: "01.01.2025"})
    result = _import(workbook, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"{START}: 2024-10 → 2025-01" in result.output
    assert scenario.read_bytes() == before


def test_unedited_workbook_changes_nothing(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    before = scenario.read_bytes()
    result = _import(workbook)
    assert result.exit_code == 0
    assert "nothing changed" in result.output
    assert scenario.read_bytes() == before


def test_invalid_edit_names_cell_and_key_and_leaves_the_file(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    before = scenario.read_bytes()
    book = openpyxl.load_workbook(workbook)
    cell = input_cell(book, COST)
    _edit(workbook, {COST: -5})
    result = _import(workbook)
    assert result.exit_code == 1
    assert f"Annahmen!{cell} (cost.annual_cost_per_fte): must be" in result.output
    assert "got -5" in result.output
    assert scenario.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("1.5", "no number as written in German"), ("viel", "no number as written in German")],
)
def test_unreadable_text_is_rejected_not_guessed(tmp_path: Path, typed: str, problem: str) -> None:
    scenario, workbook = _built(tmp_path)
    before = scenario.read_bytes()
    _edit(workbook, {FTE_KEY: typed})
    result = _import(workbook)
    assert result.exit_code == 1
    assert problem in result.output and FTE_KEY in result.output
    assert scenario.read_bytes() == before


def test_text_read_the_way_a_german_treasurer_means_it() -> None:
    assert german_number("82.000") == 82000
    assert german_number("82.000,50 €") == 82000.5
    assert german_number("1,173") == 1.173
    assert german_number("3 %") == 3
    for text in ("WAHR", "ja", "TRUE", "wahr"):
        assert convert(text, BOOLEAN) is True
    for text in ("FALSCH", "nein", "FALSE"):
        assert convert(text, BOOLEAN) is False
    assert convert("01.10.2024", MONTH) == datetime(2024, 10, 1).date()
    assert convert("10.2024", MONTH) == datetime(2024, 10, 1).date()
    assert convert("82.000", MONEY) == 82000
    assert convert("41.978", PEOPLE) == 41978
    for value, measure in (("1.5", FTE), ("vielleicht", BOOLEAN), ("31.02.2024", MONTH)):
        with pytest.raises(ValueError):
            convert(value, measure)
    with pytest.raises(ValueError, match="whole number"):
        convert(2.5, PEOPLE)


# --- yes/no inputs: 1 or 0 in the workbook, true or false in the file -------------------------


@pytest.mark.parametrize(
    ("cell", "answer"),
    [
        (1, True),  # as the workbook holds it now
        (0, False),
        (1.0, True),  # a number as LibreOffice or a script saves it
        (0.0, False),
        (True, True),  # a boolean typed in Excel or LibreOffice, in any language
        (False, False),
        ("WAHR", True),  # text, from a workbook built before, or typed as text
        ("wahr", True),
        ("ja", True),
        ("TRUE", True),
        ("1", True),
        ("FALSCH", False),
        ("nein", False),
        ("FALSE", False),
        (" 0 ", False),
    ],
)
def test_yes_no_is_read_in_every_form(cell: object, answer: bool) -> None:
    assert convert(cell, BOOLEAN) is answer


@pytest.mark.parametrize(
    ("cell", "shown"),
    [(2, "2"), (0.5, "0.5"), (-1, "-1"), ("2", "„2“"), ("vielleicht", "„vielleicht“")],
)
def test_other_yes_no_values_are_refused_naming_the_forms(cell: object, shown: str) -> None:
    with pytest.raises(ValueError) as raised:
        convert(cell, BOOLEAN)
    assert str(raised.value) == (
        f"must be 1 (ja) or 0 (nein), got {shown}; also read: WAHR/FALSCH, TRUE/FALSE, ja/nein"
    )


def test_yes_no_numbers_come_back_as_true_and_false(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    _edit(workbook, {FUNDED: 0, OFFSET_2024: 1, OFFSET_2025: 1, CAP_AT_COST: False})
    result = _import(workbook)
    assert result.exit_code == 0, result.output
    # two changes: OFFSET_2024 and CAP_AT_COST keep their values, in another form
    assert result.output.splitlines() == [
        f"{FUNDED}: true → false",
        f"{OFFSET_2025}: false → true",
        f"{scenario}: 2 changes written",
    ]
    after = scenario.read_text(encoding="utf-8")
    assert re.search(r"^funded = false$", after, re.MULTILINE)
    assert re.search(r"^years = \[2024, 2025\]", after, re.MULTILINE)
    assert "cap_at_cost" not in after


def test_yes_no_other_than_1_or_0_is_refused_with_cell_and_key(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    before = scenario.read_bytes()
    cell = input_cell(openpyxl.load_workbook(workbook), FUNDED)
    _edit(workbook, {FUNDED: 2})
    result = _import(workbook)
    assert result.exit_code == 1
    assert f"Annahmen!{cell} ({FUNDED}): must be 1 (ja) or 0 (nein), got 2;" in result.output
    assert scenario.read_bytes() == before


def test_changed_scenario_file_is_refused_without_force(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text.replace("= 80000 ", "= 81000 "), encoding="utf-8")
    _edit(workbook, {COST: 82000, FTE_KEY: 0.5})
    result = _import(workbook)
    assert result.exit_code == 1
    assert "changed since" in result.output
    assert "keys changed on both sides: cost.annual_cost_per_fte" in result.output
    assert "81000" in scenario.read_text(encoding="utf-8")
    forced = _import(workbook, "--force")
    assert forced.exit_code == 0, forced.output
    assert "cost.annual_cost_per_fte: 81000 → 82000" in forced.output
    assert load_scenario(scenario).positions[0].fte == 0.5


def test_workbook_with_a_deleted_row_is_refused(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    before = scenario.read_bytes()
    book = openpyxl.load_workbook(workbook)
    book["Annahmen"].delete_rows(int(input_cell(book, COST)[1:]))
    book.save(workbook)
    result = _import(workbook)
    assert result.exit_code == 1
    assert "no longer matches its scenario file" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert scenario.read_bytes() == before


def test_other_files_get_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("vzae-1.000-ab-2024-10.toml", "vzae-1.173-ab-2025-01.toml"):
        shutil.copy(ROOT / "scenarios" / name, folder / name)
    build([folder], folder)
    comparison = _import(folder / "Szenarienvergleich.xlsx")
    assert comparison.exit_code == 1 and "comparison workbook" in comparison.output
    text = tmp_path / "notes.xlsx"
    text.write_text("no workbook", encoding="utf-8")
    other = _import(text)
    assert other.exit_code == 1 and "not an xlsx workbook (no zip archive)" in other.output
    missing = _import(tmp_path / "none.xlsx")
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_missing_scenario_file_is_named(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path, "eigene-option.toml")
    scenario.unlink()
    result = _import(workbook)
    assert result.exit_code == 1
    assert "its scenario file eigene-option.toml is not at" in result.output
    assert "--scenario" in result.output


def test_a_scenario_file_in_the_current_folder_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """init writes szenario.toml here, build leaves out/szenario.xlsx: import finds the file."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(SCENARIO, tmp_path / "szenario.toml")
    (workbook,) = [
        o.path for o in build([Path("szenario.toml")], Path("out")) if o.path.suffix == ".xlsx"
    ]
    _edit(workbook, {COST: 82000})
    result = _import("out/szenario.xlsx")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "cost.annual_cost_per_fte: 80000 → 82000",
        "szenario.toml: 1 change written",
    ]
    assert "annual_cost_per_fte = 82000" in (tmp_path / "szenario.toml").read_text(encoding="utf-8")


def test_pay_rules_edited_on_tarif_go_into_the_tvoed_section(tmp_path: Path) -> None:
    case = next(case for case in CASES if "[[tvoed.pay_tables]]" in case.toml)
    scenario = tmp_path / f"{case.name}.toml"
    scenario.write_text(case.toml, encoding="utf-8")
    (workbook,) = [o.path for o in build([scenario], tmp_path) if o.path.suffix == ".xlsx"]
    book = openpyxl.load_workbook(workbook)
    tarif = book["Tarif"]
    rows = {tarif.cell(row, 10).value: row for row in range(5, tarif.max_row + 1)}
    own = rows["tvoed.pay_tables (S 12, 2027-04)"]  # the file's own table: Stufe 2 = 4,364.62
    shipped = rows["tvoed.pay_tables (S 12, 2024-03)"]
    bonus = rows["tvoed.bonus[1]"]
    tarif.cell(own, 4).value = 4400
    tarif.cell(shipped, 3).value = "3.800,00"
    tarif.cell(bonus, 3).value = 90
    book.save(workbook)
    result = _import(workbook)
    assert result.exit_code == 0, result.output
    assert "tvoed.bonus[1].percent: 85 → 90" in result.output
    text = scenario.read_text(encoding="utf-8")
    assert "steps = [4087.00, 4400.0, 4728.47, 5050.64, 5449.53, 5618.29]" in text
    pay = load_scenario(scenario).pay
    assert [rate.percent for rate in pay.bonus] == [70.28, 90]
    tables = {table.valid_from.isoformat()[:7]: table.steps for table in pay.tables("S 12")}
    assert tables["2024-03"][0] == 3800
    assert tables["2024-03"][1:] == (4002.01, 4335.64, 4631.04, 4996.8, 5151.53)
    assert tables["2027-04"][1] == 4400


# --- workbooks re-saved by other programs ---------------------------------------------------


@pytest.mark.engine
def test_edits_resaved_by_libreoffice_come_back(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    before = scenario.read_text(encoding="utf-8")
    _edit(workbook, {COST: 82000, OFFSET_2025: True, START: datetime(2025, 1, 1)})
    (saved,) = resave_libreoffice([workbook], tmp_path / "saved")
    result = _import(saved, "--scenario", scenario)
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 4  # three changes and the summary
    after = scenario.read_text(encoding="utf-8")
    assert _comments(after) == _comments(before)
    rebuilt = tmp_path / "rebuilt"
    (new,) = [o.path for o in build([scenario], rebuilt) if o.path.suffix == ".xlsx"]
    # from January 2025: nothing in 2024; a full year 82,000 − 57,000 = 25,000 €, 2025 covered
    assert _years(new, "Eigenanteil") == pytest.approx([0, 25000, 25000, 25000, 25000])
    assert _years(new, "Haushaltsbelastung") == pytest.approx([0, 0, 25000, 25000, 25000])


@pytest.mark.engine
def test_unedited_workbook_resaved_by_gnumeric_changes_nothing(tmp_path: Path) -> None:
    scenario, workbook = _built(tmp_path)
    (saved,) = resave_gnumeric([workbook], tmp_path / "saved")
    result = _import(saved, "--scenario", scenario)
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output


@pytest.mark.engine
def test_libreoffice_counts_the_changed_inputs(
    engine_workbooks: EngineWorkbooks, recalculated: Recalculated
) -> None:
    values = recalculated("LibreOffice")
    fresh = next(p for p in engine_workbooks.generated if p.stem == "vzae-1.000-ab-2024-10")
    cell = ("Übersicht", _count_cell(fresh))
    assert values[fresh][cell] == 0
    assert values[engine_workbooks.changed][cell] == 4  # changed_inputs_workbook: four inputs
