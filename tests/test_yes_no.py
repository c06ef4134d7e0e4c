"""Yes/no inputs: the number 1 or 0 in the input cell, shown as ja or nein, read alike by every
engine in every locale.

A boolean is typed by its name in the spreadsheet's language: a German user's WAHR and an English
user's TRUE are both stored as a real boolean, but a name of another language (or a pick from a
list of German names in an English program) is text, which breaks every formula on it. So the
cells hold 1 or 0, and every formula that reads one also works when a user stored a boolean
there. Here three workbooks, their side-by-side comparison and the district workbook get every
yes/no input set once as numbers and once as booleans; formualizer, LibreOffice (en-US and
de-DE) and Gnumeric recalculate them. Expected figures are calculated by hand below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from engines import formula_cells, gnumeric_available, recalculate_gnumeric
from helpers import formualizer_values, require_engine
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kim_budget.keys import key
from kim_budget.libreoffice import (
    Values,
    is_error_value,
    libreoffice_available,
    recalculate_libreoffice,
)
from kim_budget.measures import BOOLEAN, MONEY
from kim_budget.pipeline import build, distribute
from kim_budget.workbook.validation import number_format, rule_for, stored

ROOT = Path(__file__).resolve().parent.parent
VALID = Path(__file__).parent / "cases" / "valid"
SCENARIOS = (
    ROOT / "scenarios" / "vzae-1.000-ab-2024-10.toml",
    VALID / "funding_share_capped.toml",
    VALID / "cap_at_cost.toml",
)
DISTRICT = ROOT / "districts" / "rhein-sieg-2025.toml"
YES_NO = '"ja";"ja";"nein"'
UNIT = "1=ja, 0=nein"
CAP_LABEL = "Förderung höchstens in Höhe der Kosten"
COUNT_LABEL = "Eingaben gegenüber der Szenariodatei geändert"
FUNDED = "positions[0] (Stelle 1).funded"

Form = Mapping[bool, int | bool]
FORMS: dict[str, Form] = {
    "zahlen": {True: 1, False: 0},  # as the workbook asks: 1 = ja, 0 = nein
    "wahrheitswerte": {True: True, False: False},  # WAHR typed in German, TRUE in English
}


@dataclass(frozen=True)
class Case:
    """A built workbook, the answer set for each of its yes/no inputs, and what follows."""

    stem: str
    title: str
    answers: dict[str, bool]
    """Every yes/no input of "Annahmen" (its key as column D shows it) → the answer set."""
    changed: tuple[str, ...]
    """The answers that differ from the scenario file (the others are set to its value)."""
    figures: dict[str, float]
    """Defined name → value, by hand."""
    totals: tuple[float, float] = (0, 0)
    """Eigenanteil and Haushaltsbelastung over the horizon, as the comparison sums them."""


CASES = (
    # October to December 2024 at 80,000 € a year: 3 × 80,000 / 12 = 20,000 €. Not funded: no
    # Förderung at all, the Eigenanteil is the whole cost; 2024 stays covered, 2025 is covered
    # now, so both years burden the budget with 0.
    Case(
        "vzae-1.000-ab-2024-10",
        "1,0 VZÄ Case Management KIM ab Oktober 2024",
        {
            FUNDED: False,
            "funding.cap_at_cost": False,
            "offset.years (2024)": True,
            "offset.years (2025)": True,
            "offset.years (2026)": False,
            "offset.years (2027)": False,
            "offset.years (2028)": False,
        },
        (FUNDED, "offset.years (2025)"),
        {
            "Personalaufwand_2024": 20_000,
            "Foerderung_2024": 0,
            "Eigenanteil_2024": 20_000,
            "Haushaltsbelastung_2024": 0,
            "Personalaufwand_2025": 80_000,
            "Foerderung_2025": 0,
            "Eigenanteil_2025": 80_000,
            "Haushaltsbelastung_2025": 0,
            "Haushaltsbelastung_2026": 80_000,
        },
        # 20,000 + 4 × 80,000; without 2024 and 2025: 3 × 80,000
        (340_000, 240_000),
    ),
    # 80,000 € and 50,000 € cost, 2 × 12,000 € Sachkosten, 80 % funded, at most 2 × 57,000 =
    # 114,000 €. Sachkosten no longer eligible: 80 % of 130,000 = 104,000 €, below the lump sum.
    Case(
        "funding_share_capped",
        "Förderquote 80 % mit Sachkosten, höchstens 57.000 € je VZÄ",
        {
            FUNDED: True,
            "positions[1] (Stelle 2).funded": True,
            "funding.covers_material": False,
            "funding.cap_at_cost": False,
            "offset.years (2025)": False,
        },
        ("funding.covers_material",),
        {
            "Personalaufwand_2025": 130_000,
            "Sachaufwand_2025": 24_000,
            "Foerderung_2025": 104_000,
            "Eigenanteil_2025": 50_000,  # 130,000 + 24,000 − 104,000
        },
        (50_000, 50_000),
    ),
    # 48,000 € cost, 57,000 € lump sum: without the cap the funding exceeds the cost.
    Case(
        "cap_at_cost",
        "Förderung höchstens in Höhe der Kosten",
        {FUNDED: True, "funding.cap_at_cost": False, "offset.years (2025)": False},
        ("funding.cap_at_cost",),
        {"Personalaufwand_2025": 48_000, "Foerderung_2025": 57_000, "Eigenanteil_2025": -9_000},
        (-9_000, -9_000),
    ),
)
# 17 posts at 57,000 €, all passed on (no filled VZÄ given); the Sammelzeile's own yes/no.
DISTRICT_ANSWERS = {"municipalities[1].remainder": True}
DISTRICT_FIGURES = {
    "Stellen_gesamt": 17,
    "Foerderung_gesamt": 969_000,
    "Weitergeleitet_gesamt": 969_000,
    "Erstattung_gesamt": 0,
}


# --- the layout -----------------------------------------------------------------------------


def test_a_yes_no_is_a_whole_number_from_0_to_1_shown_as_ja_or_nein() -> None:
    assert BOOLEAN.unit == UNIT
    funded = key("positions[0].funded")
    assert number_format(funded.measure) == YES_NO
    rule = rule_for(funded)
    assert (rule.kind, rule.operator, rule.first, rule.second) == ("whole", "between", "0", "1")
    assert rule.title == "ja oder nein"
    assert rule.prompt.startswith("1 = ja, 0 = nein.")
    assert rule.error == "Bitte 1 für ja oder 0 für nein eingeben."
    assert len(rule.prompt) <= 255


def test_a_yes_no_is_stored_as_the_number_1_or_0() -> None:
    for answer, number in ((True, 1), (False, 0)):
        cell = stored(BOOLEAN, answer)
        assert cell == number and type(cell) is int
    assert stored(MONEY, 80_000.0) == 80_000.0


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three scenarios' workbooks, their comparison and the district's, by stem."""
    out = tmp_path_factory.mktemp("built")
    paths = [o.path for o in build(list(SCENARIOS), out) if o.path.suffix == ".xlsx"]
    paths.append(distribute(DISTRICT, out).workbook)
    return {path.stem: path for path in paths}


def _rows(sheet: Worksheet, col: int = 2) -> dict[str, int]:
    """Key (column D) → row, of the rows whose column `col` shows ja or nein."""
    return {
        str(sheet.cell(row, 4).value): row
        for row in range(1, sheet.max_row + 1)
        if sheet.cell(row, col).number_format == YES_NO
    }


def _validation(sheet: Worksheet, coordinate: str) -> DataValidation:
    found: list[DataValidation] = [
        v for v in sheet.data_validations.dataValidation if coordinate in v.sqref
    ]
    assert len(found) == 1, coordinate
    return found[0]


def test_annahmen_holds_1_or_0_guarded_and_marked_as_a_number(built: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(built["vzae-1.000-ab-2024-10"])
    sheet = book["Annahmen"]
    file_values = {  # the scenario file: funded (default true), 2024 covered
        FUNDED: 1,
        "funding.cap_at_cost": 0,
        "offset.years (2024)": 1,
        "offset.years (2025)": 0,
        "offset.years (2026)": 0,
        "offset.years (2027)": 0,
        "offset.years (2028)": 0,
    }
    rows = _rows(sheet)
    assert set(rows) == set(file_values)
    for name, row in rows.items():
        value, built_value = sheet.cell(row, 2).value, sheet.cell(row, 6).value
        assert value == built_value == file_values[name] and type(value) is int, name
        assert sheet.cell(row, 6).number_format == YES_NO
        assert sheet.cell(row, 3).value == UNIT
        assert sheet.cell(row, 7).value == f"=IF($B${row}*1=$F${row}*1,0,1)"
        rule = _validation(sheet, f"B{row}")
        limits = (rule.type, rule.operator, rule.formula1, rule.formula2)
        assert limits == ("whole", "between", "0", "1")
        assert rule.errorStyle == "stop" and rule.showErrorMessage
    assert all(v.type != "list" for v in sheet.data_validations.dataValidation)
    cover = book["Übersicht"]
    (row,) = [r for r in range(1, cover.max_row + 1) if cover.cell(r, 1).value == CAP_LABEL]
    assert cover.cell(row, 2).value == UNIT
    assert cover.cell(row, 3).value == f"=Annahmen!$B${rows['funding.cap_at_cost']}*1"
    assert cover.cell(row, 3).number_format == YES_NO


def test_the_comparison_shows_differing_answers_as_ja_or_nein(built: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(built["Szenarienvergleich"])
    cached = openpyxl.load_workbook(built["Szenarienvergleich"], data_only=True)["Vergleich"]
    sheet = book["Vergleich"]
    (row,) = [
        r
        for r in range(1, sheet.max_row + 1)
        if sheet.cell(r, 1).value == f"Förderung: {CAP_LABEL}"
    ]
    cap_rows = [_rows(book[f"Annahmen {n}"])["funding.cap_at_cost"] for n in (1, 2, 3)]
    for n, (col, cap_row) in enumerate(zip("CDE", cap_rows, strict=True), start=1):
        assert sheet[f"{col}{row}"].value == f"='Annahmen {n}'!$B${cap_row}*1"
        assert sheet[f"{col}{row}"].number_format == YES_NO
    assert [cached[f"{col}{row}"].value for col in "CDE"] == [0, 0, 1]  # only the third caps


def test_the_district_marks_its_sammelzeile_with_1(built: dict[str, Path]) -> None:
    sheet = openpyxl.load_workbook(built["Verteilung-rhein-sieg-2025"])["Annahmen"]
    (row,) = _rows(sheet).values()
    assert sheet.cell(row, 4).value == "municipalities[1].remainder"
    assert sheet.cell(row, 2).value == 1 and type(sheet.cell(row, 2).value) is int
    assert sheet.cell(row, 3).value == UNIT


# --- every engine, numbers and booleans -------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A built workbook with its yes/no inputs set in one form, and what must follow."""

    path: Path
    cases: tuple[tuple[str, Case], ...] = ()
    """"Annahmen" sheet → its case (the comparison has three)."""
    names: dict[str, float | bool] = field(default_factory=dict)
    """Defined name → value, by hand."""


def _answer(sheet: Worksheet, answers: Mapping[str, bool], form: Form) -> None:
    """Every yes/no input of the sheet set to its answer in the form (exactly those inputs)."""
    rows = _rows(sheet)
    assert set(rows) == set(answers), sheet.title
    for name, row in rows.items():
        sheet.cell(row, 2).value = form[answers[name]]


def _sheets(book: openpyxl.Workbook) -> list[tuple[str, Case]]:
    """The "Annahmen" sheets of a scenario or comparison workbook with their cases, by title."""
    by_title = {case.title: case for case in CASES}
    found = []
    for sheet in book.worksheets:
        if sheet.title.startswith("Annahmen"):
            title = str(sheet["A1"].value).removeprefix("Annahmen – ")
            found.append((sheet.title, by_title[title]))
    return found


def _variant(source: Path, target: Path, form: Form) -> Variant:
    book = openpyxl.load_workbook(source)
    if source.stem.startswith("Verteilung"):
        _answer(book["Annahmen"], DISTRICT_ANSWERS, form)
        book.save(target)
        return Variant(target, names={**DISTRICT_FIGURES, "Pruefung_OK": True})
    cases = _sheets(book)
    for sheet, case in cases:
        _answer(book[sheet], case.answers, form)
    book.save(target)
    names: dict[str, float | bool] = {"Pruefung_OK": True}
    if len(cases) == 1:
        names.update(cases[0][1].figures)
    return Variant(target, tuple(cases), names)


@pytest.fixture(scope="module")
def variants(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> list[Variant]:
    """Each built workbook twice: yes/no as numbers, and as booleans (openpyxl drops the cached
    values, so every figure below comes from the engine)."""
    out = tmp_path_factory.mktemp("answered")
    return [
        _variant(path, out / f"{stem}-{form}.xlsx", FORMS[form])
        for form in FORMS
        for stem, path in built.items()
    ]


def _named(book: openpyxl.Workbook, name: str) -> tuple[str, str]:
    ((sheet, cell),) = book.defined_names[name].destinations
    return sheet, cell.replace("$", "")


def _labelled(sheet: Worksheet, label: str, col: str) -> str:
    (row,) = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == label]
    return f"{col}{row}"


def _expected(variant: Variant) -> dict[tuple[str, str], float | bool]:
    """Cell → value, by hand: defined names, the "geändert" markers and their count, the
    cover's cap, the comparison's totals."""
    book = openpyxl.load_workbook(variant.path)
    expected = {_named(book, name): value for name, value in variant.names.items()}
    for sheet, case in variant.cases:
        rows = _rows(book[sheet])
        for name, row in rows.items():
            expected[(sheet, f"G{row}")] = int(name in case.changed)
    if len(variant.cases) == 1:  # a scenario's workbook: its cover
        cover = book["Übersicht"]
        changed = len(variant.cases[0][1].changed)
        expected[("Übersicht", _labelled(cover, COUNT_LABEL, "B"))] = changed
        expected[("Übersicht", _labelled(cover, CAP_LABEL, "C"))] = 0
    if len(variant.cases) > 1:
        expected.update(_totals(book["Vergleich"], [case for _, case in variant.cases]))
    return expected


def _totals(sheet: Worksheet, cases: Sequence[Case]) -> dict[tuple[str, str], float | bool]:
    """The comparison's "Summe" of each scenario in its Eigenanteil and Haushaltsbelastung
    tables: a table's title, its header, then a row per scenario in the order of the sheets."""
    expected: dict[tuple[str, str], float | bool] = {}
    titles = [str(sheet.cell(r, 1).value) for r in range(1, sheet.max_row + 1)]
    for index, line in enumerate(("Eigenanteil je Haushaltsjahr", "Haushaltsbelastung je")):
        (start,) = [n for n, title in enumerate(titles, start=1) if title.startswith(line)]
        for number, case in enumerate(cases, start=1):
            expected[("Vergleich", f"C{start + 1 + number}")] = case.totals[index]
    return expected


def _problems(variant: Variant, values: Values) -> list[str]:
    """Error cells, and cells whose value is not the one calculated by hand."""
    name = variant.path.name
    problems = [
        f"{name}: {sheet}!{cell} is {value}"
        for (sheet, cell), value in values.items()
        if is_error_value(value)
    ]
    for (sheet, cell), wanted in _expected(variant).items():
        found = values.get((sheet, cell))
        # LibreOffice writes a check's result as 1 or 0 (the cell's format is no boolean one)
        same = found == wanted if isinstance(wanted, bool) else found == pytest.approx(wanted)
        if not same or isinstance(found, str):
            problems.append(f"{name}: {sheet}!{cell} is {found!r}, by hand {wanted!r}")
    return problems


def test_formualizer_reads_numbers_and_booleans_alike(variants: list[Variant]) -> None:
    problems = []
    for variant in variants:
        cells = sorted(set(formula_cells(variant.path)) | set(_expected(variant)))
        problems += _problems(variant, formualizer_values(variant.path, cells))
    assert problems == []


Recalculate = Callable[[Sequence[Path]], dict[Path, Values]]
ENGINES: dict[str, tuple[str, Callable[[], bool], Recalculate]] = {
    "LibreOffice en-US": (
        "LibreOffice",
        libreoffice_available,
        lambda paths: recalculate_libreoffice(paths, locale="en-US"),
    ),
    "LibreOffice de-DE": (
        "LibreOffice",
        libreoffice_available,
        lambda paths: recalculate_libreoffice(paths, locale="de-DE"),
    ),
    "Gnumeric": ("Gnumeric", gnumeric_available, recalculate_gnumeric),
}


@pytest.mark.engine
@pytest.mark.parametrize("name", list(ENGINES))
def test_engines_read_numbers_and_booleans_alike(name: str, variants: list[Variant]) -> None:
    program, available, recalculate = ENGINES[name]
    require_engine(program, available())
    recalculated = recalculate([variant.path for variant in variants])
    problems = []
    for variant in variants:
        problems += _problems(variant, recalculated[variant.path])
    assert problems == []
