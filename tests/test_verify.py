"""Tests of kim_budget.verify: the model standard, rule by rule.

`compliant_workbook` builds a small workbook that keeps every rule (five sheets, protection,
an unlocked and validated input style, print setup, number formats, a master check and
consistent timeline rows); `save` writes it with cached values. Each case of `BROKEN` then
breaks one thing, and verify must name exactly that rule.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

import engines
import openpyxl
import pytest
from helpers import SHIPPED, require_engine, scenario_files
from openpyxl import Workbook
from openpyxl.styles import NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from resave import resave_gnumeric, resave_libreoffice

from kim_budget import libreoffice as engine_module
from kim_budget.excel_names import check_defined_name, check_sheet_name
from kim_budget.finish import MAIN, parse_part, serialise_part
from kim_budget.loader import load_scenario, load_scenarios
from kim_budget.pipeline import comparison_bytes, workbook_bytes
from kim_budget.verify import ENGINE_MISSING, TYPED_VALUE, Finding, Report, verify_workbooks
from kim_budget.verify import workbook as verify_module
from kim_budget.verify.formula_rules import (
    function_problems,
    lower_row_references,
    name_target,
    numeric_constants,
    row_deviations,
    to_r1c1,
    tokenize,
    typed_value_allowed,
)
from kim_budget.verify.sheet_rules import (
    check_sheet_order,
    footer_problems,
    header_problems,
    is_timeline,
)
from kim_budget.xml_text import value_text

SHEETS = ("Übersicht", "Annahmen", "Monate", "Haushalt", "Prüfungen")
EURO = '#,##0.00 "€";[Red]-#,##0.00 "€"'
BOOLEAN = '"WAHR";"WAHR";"FALSCH"'
YES_NO = '"ja";"ja";"nein"'
MONTH = "mm.yyyy"
MONTHLY = 80000 / 12

Cached = Mapping[str, Mapping[str, float | int | bool]]


def serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


CACHED: Cached = {
    "Übersicht": {"B3": 3 * MONTHLY, "B4": True},
    "Monate": {
        "C5": serial(date(2024, 12, 1)),
        "D5": serial(date(2025, 1, 1)),
        "E5": serial(date(2025, 2, 1)),
        "F5": serial(date(2025, 3, 1)),
        "D6": 2025,
        "E6": 2025,
        "F6": 2025,
        "C7": 3 * MONTHLY,
        "D7": MONTHLY,
        "E7": MONTHLY,
        "F7": MONTHLY,
    },
    "Haushalt": {"C5": 2024, "D5": 2025, "E5": 2026, "C6": 3 * MONTHLY, "D6": 3 * MONTHLY, "E6": 0},
    "Prüfungen": {"B3": True, "B5": True},
}


# --- the compliant workbook -----------------------------------------------------------------


def _put(ws: Worksheet, coordinate: str, value: object, number_format: str | None = None) -> None:
    cell = ws[coordinate]
    cell.value = value
    if number_format is not None:
        cell.number_format = number_format
    elif isinstance(value, str) and not value.startswith("="):
        cell.number_format = "@"


def _input(ws: Worksheet, coordinate: str, value: float, number_format: str, kind: str) -> None:
    _put(ws, coordinate, value, number_format)
    cell = ws[coordinate]
    cell.style = "Eingabe"
    cell.number_format = number_format
    cell.protection = Protection(locked=False)
    validation = DataValidation(
        type=kind,
        operator="between",
        formula1="0",
        formula2="1000000",
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle="Eingabe",
        prompt="Bitte einen Wert zwischen 0 und 1.000.000 eingeben.",
        errorTitle="Ungültiger Wert",
        error="Der Wert muss zwischen 0 und 1.000.000 liegen.",
    )
    validation.add(coordinate)
    ws.add_data_validation(validation)


def _print_setup(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    assert ws.oddHeader is not None and ws.oddFooter is not None
    ws.oddHeader.center.text = "KIM – Testmappe"
    ws.oddFooter.left.text = "&F"
    ws.oddFooter.center.text = "&A"
    ws.oddFooter.right.text = "Seite &P von &N"


def compliant_workbook() -> Workbook:
    """A small workbook that keeps every rule of the standard."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    style = NamedStyle(name="Eingabe")
    style.fill = PatternFill("solid", fgColor="FFF2CC")
    style.protection = Protection(locked=False)
    wb.add_named_style(style)
    ws = {name: wb.create_sheet(name) for name in SHEETS}

    u = ws["Übersicht"]
    _put(u, "A1", "KIM – Testmappe")
    _put(u, "A3", "Personalaufwand 2025")
    _put(u, "B3", "=Haushalt!$D$6", EURO)
    _put(u, "A4", "Alle Prüfungen bestanden")
    _put(u, "B4", "=Pruefung_OK", BOOLEAN)

    a = ws["Annahmen"]
    _put(a, "A1", "Annahmen")
    _put(a, "A3", "Jahreskosten je VZÄ")
    _input(a, "B3", 80000, EURO, "decimal")
    _put(a, "A4", "Erstes Haushaltsjahr")
    _input(a, "B4", 2025, "0", "whole")

    m = ws["Monate"]
    _put(m, "A1", "Monatsrechnung")
    _put(m, "A5", "Monat")
    _put(m, "C5", "=DATE(Annahmen!$B$4-1,12,1)", MONTH)
    _put(m, "A6", "Haushaltsjahr")
    _put(m, "A7", "Personalaufwand")
    _put(m, "C7", "=SUM($D$7:$F$7)", EURO)
    for col, previous in zip("DEF", "CDE", strict=True):
        _put(m, f"{col}5", f"=EDATE({previous}$5,1)", MONTH)
        _put(m, f"{col}6", f"=YEAR({col}$5)", "0")
        _put(m, f"{col}7", "=Annahmen!$B$3/12", EURO)
    m.print_title_rows = "1:6"
    m.print_title_cols = "A:C"

    h = ws["Haushalt"]
    _put(h, "A1", "Haushalt")
    _put(h, "A5", "Haushaltsjahr")
    _put(h, "C5", "=Annahmen!$B$4-1", '"Vorjahr "0')
    _put(h, "A6", "Personalaufwand")
    _put(h, "C6", "=SUM($D$6:$E$6)", EURO)
    for col, previous in zip("DE", "CD", strict=True):
        _put(h, f"{col}5", f"={previous}$5+1", "0")
        _put(h, f"{col}6", f"=SUMIF(Monate!$D$6:$F$6,{col}$5,Monate!$D$7:$F$7)", EURO)
    h.print_title_rows = "1:5"
    h.print_title_cols = "A:C"

    p = ws["Prüfungen"]
    _put(p, "A1", "Prüfungen")
    _put(p, "A3", "Monate und Haushalt stimmen überein")
    _put(p, "B3", "=Monate!$C$7=Haushalt!$C$6", BOOLEAN)
    _put(p, "A5", "Alle Prüfungen bestanden")
    _put(p, "B5", "=AND(B3)", BOOLEAN)

    for sheet in ws.values():
        _print_setup(sheet)
    wb.defined_names["Pruefung_OK"] = DefinedName("Pruefung_OK", attr_text="'Prüfungen'!$B$5")
    return wb


def cache_value(cell: Element, value: float | int | bool) -> None:
    """Give a formula cell (<c> with <f>) its cached value: type and <v>, made when missing."""
    formula = cell.find(f"{MAIN}f")
    assert formula is not None
    kind, text = value_text(value)
    if kind is None:
        cell.attrib.pop("t", None)
    else:
        cell.set("t", kind)
    cached = cell.find(f"{MAIN}v")
    if cached is None:
        cached = Element(f"{MAIN}v")
        cell.insert(list(cell).index(formula) + 1, cached)
    cached.text = text


def _with_cached(name: str, data: bytes, values: Mapping[str, float | int | bool]) -> bytes:
    """The sheet part with the given cached values, edited as XML like the finishing step does
    (openpyxl writes an empty value as <v/> or <v></v>, depending on lxml)."""
    part = parse_part(name, data)
    for cell in part.root.iter(f"{MAIN}c"):
        coordinate = cell.get("r", "")
        if cell.find(f"{MAIN}f") is not None and coordinate in values:
            cache_value(cell, values[coordinate])
    return serialise_part(part)


def save(
    wb: Workbook,
    path: Path,
    cached: Cached | None = None,
    extra_parts: Mapping[str, str] | None = None,
) -> Path:
    """Write the workbook with cached values (openpyxl writes formulas without them)."""
    values = {sheet: dict(cells) for sheet, cells in CACHED.items()}
    for sheet, cells in (cached or {}).items():
        values.setdefault(sheet, {}).update(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    parts = {f"xl/worksheets/sheet{n}.xml": name for n, name in enumerate(wb.sheetnames, 1)}
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename in parts:
                data = _with_cached(entry.filename, data, values.get(parts[entry.filename], {}))
            target.writestr(entry, data)
        for name, text in (extra_parts or {}).items():
            target.writestr(name, text)
    return path


def findings_of(path: Path) -> list[Finding]:
    report = verify_workbooks([path], use_engine=False)
    assert report.checked == (path,)
    assert report.engine_skipped
    return list(report.findings)


def test_compliant_workbook_has_no_findings(tmp_path: Path) -> None:
    path = save(compliant_workbook(), tmp_path / "ok.xlsx")
    assert findings_of(path) == []


# --- one broken thing per case --------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    rule: str
    change: Callable[[Workbook], object] = lambda wb: None
    cached: Cached = field(default_factory=dict)
    extra_parts: Mapping[str, str] = field(default_factory=dict)
    cell: str | None = None
    """Sheet!A1 of the finding, when it has one."""
    also: tuple[str, ...] = ()
    """Further rules the same change breaks."""
    message: str | None = None
    """Part of a finding's message, when it matters which check of the rule fired."""


def formula(sheet: str, coordinate: str, text: str | float | date) -> Callable[[Workbook], object]:
    """Put a formula (or, to break F6, a typed-in value) into one cell."""

    def change(wb: Workbook) -> None:
        wb[sheet][coordinate].value = text

    return change


def setting(sheet: str, action: Callable[[Worksheet], object]) -> Callable[[Workbook], object]:
    return lambda wb: action(wb[sheet])


def _validation(wb: Workbook) -> DataValidation:
    return wb["Annahmen"].data_validations.dataValidation[0]


def _drop_validation(ws: Worksheet) -> None:
    ws.data_validations.dataValidation = ws.data_validations.dataValidation[:1]


def _name(name: str, target: str) -> Callable[[Workbook], object]:
    def change(wb: Workbook) -> None:
        wb.defined_names[name] = DefinedName(name, attr_text=target)

    return change


def _footer(ws: Worksheet) -> None:
    assert ws.oddFooter is not None
    ws.oddFooter.right.text = None


def _header(ws: Worksheet) -> None:
    assert ws.oddHeader is not None
    ws.oddHeader.center.text = None


def _no_print_titles(ws: Worksheet) -> None:
    ws._print_rows = None  # openpyxl's setter ignores None; there is no public way to clear them


def _fixed_scale(ws: Worksheet, scale: int) -> None:
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    ws.page_setup.scale = scale


def _wide_columns(ws: Worksheet) -> None:
    # Five columns of width 70 print 5 × 70 × 5.6 = 1960 pt wide; between margins of 0.75 inch
    # A4 landscape has 842 − 108 = 734 pt (131 columns of width 1), so one page wide shrinks
    # 11 pt text to 11 × 734 / 1960 = 4.1 pt.
    for letter in "ABCDE":
        ws.column_dimensions[letter].width = 70


def _month_break(ws: Worksheet) -> None:
    ws.col_breaks.append(Break(id=5))  # after March, in the middle of a Haushaltsjahr


def _long_header(ws: Worksheet) -> None:
    assert ws.oddHeader is not None
    ws.oddHeader.center.text = "KIM – " + "x" * 250


def _long_footer(ws: Worksheet) -> None:
    assert ws.oddFooter is not None
    ws.oddFooter.center.text = "&A " + "y" * 250


def _lock(ws: Worksheet) -> None:
    ws["B3"].protection = Protection(locked=True)


def _unlock(ws: Worksheet) -> None:
    ws["A1"].protection = Protection(locked=False)


BROKEN = {
    "constant 57000 in a formula": Broken(
        "F1", formula("Übersicht", "B3", "=Haushalt!$D$6+57000*0"), cell="Übersicht!B3"
    ),
    "constant 2024 in DATE": Broken(
        "F1", formula("Monate", "C5", "=DATE(2024,12,1)"), cell="Monate!C5"
    ),
    "different formula in one month": Broken(
        "F2", formula("Monate", "E7", "=Annahmen!$B$3/12+0"), cell="Monate!E7"
    ),
    "constant in one month": Broken(
        "F2", formula("Monate", "E7", MONTHLY), cell="Monate!E7", also=("F6",)
    ),
    "different formula in one year": Broken(
        "F2", formula("Haushalt", "E5", "=D5+1"), cell="Haushalt!E5"
    ),
    "OFFSET": Broken("F3", formula("Übersicht", "B3", "=OFFSET(Haushalt!$D$6,0,0)")),
    "TODAY": Broken("F3", formula("Übersicht", "B3", "=Haushalt!$D$6+0*YEAR(TODAY())")),
    "function not allowed": Broken("F3", formula("Übersicht", "B3", "=ROUND(Haushalt!$D$6,0)")),
    "nested IF": Broken(
        "F3", formula("Übersicht", "B3", "=IF(Pruefung_OK,IF(Haushalt!$D$6>0,Haushalt!$D$6,0),0)")
    ),
    "link to another file": Broken("F3", formula("Übersicht", "B3", "=[1]Haushalt!$D$6")),
    "quoted link to another file": Broken(
        "F3", formula("Übersicht", "B3", "='[andere.xlsx]Haushalt'!$D$6")
    ),
    "external link part": Broken("F3", extra_parts={"xl/externalLinks/externalLink1.xml": "<x/>"}),
    "130-character formula": Broken(
        "F4", formula("Übersicht", "B3", "=Haushalt!$D$6*1" + "+0" * 58), cell="Übersicht!B3"
    ),
    "reference to a lower row": Broken(
        "F5", formula("Übersicht", "B3", "=Haushalt!$D$6+B4*0"), cell="Übersicht!B3"
    ),
    "value instead of a formula on Haushalt": Broken(
        "F6", formula("Haushalt", "C6", 3 * MONTHLY), cell="Haushalt!C6"
    ),
    "value instead of a formula on Übersicht": Broken(
        "F6", formula("Übersicht", "B3", 3 * MONTHLY), cell="Übersicht!B3"
    ),
    "year typed in on Haushalt": Broken("F6", formula("Haushalt", "C5", 2024), cell="Haushalt!C5"),
    "date typed in on Monate": Broken(
        "F6", formula("Monate", "C5", date(2024, 12, 1)), cell="Monate!C5"
    ),
    "boolean typed in on Prüfungen": Broken(
        "F6", formula("Prüfungen", "B3", True), cell="Prüfungen!B3"
    ),
    "number on Annahmen outside column B": Broken(
        "F6",
        setting("Annahmen", lambda ws: _put(ws, "C3", 12, "0")),
        cell="Annahmen!C3",
    ),
    "wrong sheet order": Broken("S1", lambda wb: wb.move_sheet("Haushalt", offset=-1)),
    "hidden sheet": Broken(
        "S2", setting("Haushalt", lambda ws: setattr(ws, "sheet_state", "hidden"))
    ),
    "very hidden sheet": Broken(
        "S2", setting("Prüfungen", lambda ws: setattr(ws, "sheet_state", "veryHidden"))
    ),
    "hidden row": Broken(
        "S2",
        setting("Monate", lambda ws: setattr(ws.row_dimensions[6], "hidden", True)),
        cell="Monate!6:6",
    ),
    "hidden column": Broken(
        "S2",
        setting("Monate", lambda ws: setattr(ws.column_dimensions["E"], "hidden", True)),
        cell="Monate!E:E",
    ),
    "unprotected sheet": Broken(
        "S3", setting("Haushalt", lambda ws: setattr(ws.protection, "sheet", False))
    ),
    "unlocked cell without input style": Broken(
        "S4", setting("Übersicht", _unlock), cell="Übersicht!A1"
    ),
    "locked input": Broken("S4", setting("Annahmen", _lock), cell="Annahmen!B3"),
    "input holds a formula": Broken("S4", formula("Annahmen", "B4", "=B3"), cell="Annahmen!B4"),
    "input without validation": Broken(
        "S5", setting("Annahmen", _drop_validation), cell="Annahmen!B4"
    ),
    "validation prompt title too long": Broken(
        "S5", lambda wb: setattr(_validation(wb), "promptTitle", "x" * 33), cell="Annahmen!B3"
    ),
    "validation without error message": Broken(
        "S5", lambda wb: setattr(_validation(wb), "showErrorMessage", False), cell="Annahmen!B3"
    ),
    "portrait orientation": Broken(
        "S6", setting("Monate", lambda ws: setattr(ws.page_setup, "orientation", "portrait"))
    ),
    "letter paper": Broken(
        "S6", setting("Übersicht", lambda ws: setattr(ws.page_setup, "paperSize", 1))
    ),
    "not fit to page": Broken(
        "S6",
        setting(
            "Annahmen", lambda ws: setattr(ws.sheet_properties.pageSetUpPr, "fitToPage", False)
        ),
    ),
    "no print titles on a timeline": Broken("S6", setting("Haushalt", _no_print_titles)),
    # 11 pt (openpyxl's default font) at 60 % prints at 6.6 pt.
    "printed too small at a fixed scale": Broken(
        "S6", setting("Monate", lambda ws: _fixed_scale(ws, 60)), message="comes out at 6.6 pt"
    ),
    "printed too small to fit one page wide": Broken(
        "S6", setting("Haushalt", _wide_columns), message="comes out at 4.1 pt"
    ),
    "page wider than the paper at a fixed scale": Broken(
        "S6",
        setting("Annahmen", lambda ws: (_wide_columns(ws), _fixed_scale(ws, 100))),
        message="page 1 across is 140 wide at 100%, only 131 fit",
    ),
    "Monate breaks a Haushaltsjahr": Broken(
        "S6", setting("Monate", _month_break), message="column breaks after E; expected after"
    ),
    "footer without page numbers": Broken("S6", setting("Haushalt", _footer)),
    "empty header": Broken("S6", setting("Prüfungen", _header)),
    "header over 255 characters": Broken(
        "S6", setting("Prüfungen", _long_header), message="header has 258 characters"
    ),
    "footer over 255 characters": Broken(
        "S6", setting("Monate", _long_footer), message="footer has 276 characters"
    ),
    "number in General format": Broken(
        "S7",
        setting("Haushalt", lambda ws: setattr(ws["D5"], "number_format", "General")),
        cell="Haushalt!D5",
    ),
    "input number in General format": Broken(
        "S7",
        setting("Annahmen", lambda ws: setattr(ws["B3"], "number_format", "General")),
        cell="Annahmen!B3",
    ),
    "defined name A1": Broken("S8", _name("A1", "Annahmen!$B$3")),
    "defined name R1C1": Broken("S8", _name("R1C1", "Annahmen!$B$3")),
    "defined name on a missing sheet": Broken("S8", _name("Kosten", "Nirgends!$B$3")),
    "master check FALSE": Broken(
        "M1",
        cached={"Prüfungen": {"B3": False, "B5": False}, "Übersicht": {"B4": False}},
        cell="Prüfungen!B5",
    ),
    "no master check": Broken("M1", lambda wb: wb.defined_names.pop("Pruefung_OK")),
}


@pytest.mark.parametrize("case", list(BROKEN.values()), ids=list(BROKEN))
def test_broken_workbook_is_rejected_with_its_rule(case: Broken, tmp_path: Path) -> None:
    wb = compliant_workbook()
    case.change(wb)
    path = save(wb, tmp_path / "broken.xlsx", case.cached, case.extra_parts)
    findings = findings_of(path)
    assert findings, "verify accepted a broken workbook"
    rules = {finding.rule for finding in findings}
    assert rules == {case.rule, *case.also}, [str(f) for f in findings]
    if case.cell is not None:
        assert case.cell in {f"{finding.sheet}!{finding.cell}" for finding in findings}
    if case.message is not None:
        assert any(case.message in finding.message for finding in findings), findings


def test_typed_value_names_the_rule(tmp_path: Path) -> None:
    wb = compliant_workbook()
    wb["Haushalt"]["D6"].value = 3 * MONTHLY  # a period column: F2 sees it too
    findings = findings_of(save(wb, tmp_path / "typed.xlsx"))
    assert [(f.rule, f.cell, f.message) for f in findings if f.rule == "F6"] == [
        ("F6", "D6", TYPED_VALUE)
    ]


def test_locked_constant_in_the_value_column_of_annahmen_is_allowed(tmp_path: Path) -> None:
    """Like the horizon years and the checks' tolerance: locked, not an input, column B."""
    wb = compliant_workbook()
    _put(wb["Annahmen"], "A5", "Toleranz der Prüfungen")
    _put(wb["Annahmen"], "B5", 0.005, EURO)
    assert wb["Annahmen"]["B5"].protection.locked and wb["Annahmen"]["B5"].style == "Normal"
    assert findings_of(save(wb, tmp_path / "constant.xlsx")) == []


def test_renamed_input_style_is_rejected(tmp_path: Path) -> None:
    """The inputs carry another named style: one finding, not one per input cell."""
    wb = compliant_workbook()
    wb._named_styles["Eingabe"].name = "Input"  # the cells keep their style, renamed
    findings = findings_of(save(wb, tmp_path / "no-style.xlsx"))
    assert [(f.rule, f.sheet, f.cell, f.message) for f in findings] == [
        ("S4", "", "", "the workbook has no named cell style Eingabe (its own styles: Input)")
    ]


def patched(path: Path, part: str, change: Callable[[str], str], target: Path) -> Path:
    """A copy of the workbook with one part's XML text changed."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as copy:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == part:
                changed = change(data.decode())
                assert changed != data.decode(), f"{part} did not change"
                data = changed.encode()
            copy.writestr(entry, data)
    return target


def _styles_like_libreoffice(xml: str) -> str:
    """Three more cell-style formats before the input style's, as LibreOffice writes them
    (its built-in styles come first): the cells' xfId then exceeds the number of names."""
    plain = r'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"\s*/>'
    xml = re.sub(f'<cellStyleXfs count="2">({plain})', r'<cellStyleXfs count="5">' + r"\1" * 4, xml)
    return xml.replace('xfId="1"', 'xfId="4"')


def test_input_style_stored_as_libreoffice_stores_it(tmp_path: Path) -> None:
    """openpyxl's own style lookup fails on such a file; verify reads the styles itself."""
    saved = save(compliant_workbook(), tmp_path / "ok.xlsx")
    path = patched(saved, "xl/styles.xml", _styles_like_libreoffice, tmp_path / "lo.xlsx")
    cell = engine_module.load_workbook(path, data_only=False)["Annahmen"]["B3"]
    with pytest.raises(IndexError):
        _ = cell.style
    assert findings_of(path) == []
    wb = compliant_workbook()
    _lock(wb["Annahmen"])
    saved = save(wb, tmp_path / "locked.xlsx")
    path = patched(saved, "xl/styles.xml", _styles_like_libreoffice, tmp_path / "lo-locked.xlsx")
    assert [(f.rule, f.cell) for f in findings_of(path)] == [("S4", "B3")]


def _without_input_style(xml: str) -> str:
    xml = re.sub(r'<cellStyle name="Eingabe" xfId="1" hidden="0"\s*/>', "", xml)
    return xml.replace('<cellStyles count="2">', '<cellStyles count="1">')


def test_without_named_styles_inputs_are_the_unlocked_cells_of_column_b(tmp_path: Path) -> None:
    """Gnumeric keeps no named styles: unlocked, validated cells in Annahmen!B are inputs."""
    saved = save(compliant_workbook(), tmp_path / "ok.xlsx")
    path = patched(saved, "xl/styles.xml", _without_input_style, tmp_path / "gone.xlsx")
    assert findings_of(path) == []

    wb = compliant_workbook()
    _drop_validation(wb["Annahmen"])  # B4 loses its validation
    _unlock(wb["Übersicht"])  # A1 of the cover becomes editable
    _put(wb["Annahmen"], "C3", "Notiz")
    wb["Annahmen"]["C3"].protection = Protection(locked=False)
    saved = save(wb, tmp_path / "broken.xlsx")
    path = patched(saved, "xl/styles.xml", _without_input_style, tmp_path / "broken-gone.xlsx")
    assert [(f.rule, f.sheet, f.cell) for f in findings_of(path)] == [
        ("S4", "Übersicht", "A1"),
        ("S4", "Annahmen", "C3"),
        ("S5", "Annahmen", "B4"),
    ]


def test_boolean_formulas_are_constants(tmp_path: Path) -> None:
    """LibreOffice saves a typed-in TRUE as =TRUE(): still a constant, never a formula."""
    wb = compliant_workbook()
    _put(wb["Annahmen"], "A5", "Deckung im ersten Jahr")
    _input(wb["Annahmen"], "B5", 0, BOOLEAN, "whole")
    wb["Annahmen"]["B5"].value = "=TRUE()"
    _put(wb["Annahmen"], "B6", "=FALSE()", BOOLEAN)
    cached = {"Annahmen": {"B5": True, "B6": False}}
    assert findings_of(save(wb, tmp_path / "ok.xlsx", cached)) == []
    wb["Prüfungen"]["B3"].value = "=TRUE()"  # a check replaced by a constant
    findings = findings_of(save(wb, tmp_path / "typed.xlsx", cached))
    assert [(f.rule, f.cell, f.message) for f in findings] == [("F6", "B3", TYPED_VALUE)]


@pytest.mark.parametrize("answer", [1, 0, True, False])
def test_yes_no_input_as_number_or_typed_boolean(tmp_path: Path, answer: int) -> None:
    """A yes/no input holds 1 or 0, shown as ja or nein, guarded as a whole number from 0 to 1;
    a boolean a user typed in its place (WAHR, TRUE) is a constant too."""
    wb = compliant_workbook()
    _put(wb["Annahmen"], "A5", "Deckung im ersten Jahr")
    _input(wb["Annahmen"], "B5", answer, YES_NO, "whole")
    (rule,) = [v for v in wb["Annahmen"].data_validations.dataValidation if "B5" in v.sqref]
    rule.formula2 = "1"
    assert findings_of(save(wb, tmp_path / "ja.xlsx")) == []


def test_master_check_without_cached_value(tmp_path: Path) -> None:
    wb = compliant_workbook()
    _put(wb["Prüfungen"], "B6", "=B5", BOOLEAN)  # save() caches no value for B6
    wb.defined_names["Pruefung_OK"] = DefinedName("Pruefung_OK", attr_text="'Prüfungen'!$B$6")
    findings = findings_of(save(wb, tmp_path / "uncached.xlsx"))
    assert [(f.rule, f.sheet, f.cell, f.message) for f in findings] == [
        (
            "M1",
            "Prüfungen",
            "B6",
            "the master check Pruefung_OK has no cached value; open and save the workbook in "
            "a spreadsheet program, or rebuild it",
        )
    ]


def test_workbook_saved_by_openpyxl_has_no_cached_values(tmp_path: Path) -> None:
    """openpyxl drops every cached value when it saves: two findings, not one per formula."""
    built = tmp_path / "built.xlsx"
    built.write_bytes(workbook_bytes(load_scenario(SHIPPED / "vzae-1.000-ab-2024-10.toml")))
    book = openpyxl.load_workbook(built)
    formulas = sum(1 for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f")
    book.save(tmp_path / "resaved.xlsx")
    findings = findings_of(tmp_path / "resaved.xlsx")
    assert [(f.rule, f.cell != "") for f in findings] == [("M1", True), ("E1", False)]
    assert "Pruefung_OK has no cached value" in findings[0].message
    assert findings[1].message.startswith(f"none of its {formulas} formulas has a cached value")
    assert findings[1].message.endswith(
        "open and save the workbook in a spreadsheet program, or rebuild it"
    )


def test_deleted_sheet(tmp_path: Path) -> None:
    """Formulas that still name the sheet are left to the engine; the order is a finding."""
    wb = compliant_workbook()
    wb.remove(wb["Haushalt"])
    wb.defined_names["Kosten_2025"] = DefinedName("Kosten_2025", attr_text="Haushalt!$D$6")
    findings = findings_of(save(wb, tmp_path / "deleted.xlsx"))
    assert [(f.rule, f.message) for f in findings] == [
        (
            "S1",
            "sheets are Übersicht, Annahmen, Monate, Prüfungen; "
            "expected Übersicht, Annahmen, Monate, Haushalt, Prüfungen",
        ),
        ("S8", "defined name Kosten_2025 refers to the missing sheet Haushalt"),
    ]


def test_file_saved_by_a_spreadsheet_program_need_not_force_recalculation(
    tmp_path: Path,
) -> None:
    """Its cached values are the program's own calculation (and E1 checks them)."""
    saved = save(compliant_workbook(), tmp_path / "ok.xlsx")
    no_recalc = patched(
        saved,
        "xl/workbook.xml",
        lambda xml: xml.replace('fullCalcOnLoad="1"', ""),
        tmp_path / "no-recalc.xlsx",
    )
    assert [f.rule for f in findings_of(no_recalc)] == ["E1"]
    libreoffice = patched(
        no_recalc,
        "docProps/app.xml",
        lambda xml: re.sub(r"<Application>[^<]*<", "<Application>LibreOffice/7.4.7.2<", xml),
        tmp_path / "libreoffice.xlsx",
    )
    assert findings_of(libreoffice) == []


# --- files verify cannot read ---------------------------------------------------------------


def _zip(parts: Mapping[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _without_part(data: bytes, part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as copy:
        for entry in source.infolist():
            if entry.filename != part:
                copy.writestr(entry, source.read(entry.filename))
    return buffer.getvalue()


def _with_part(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as copy:
        for entry in source.infolist():
            content = source.read(entry.filename)
            copy.writestr(entry, change(content) if entry.filename == part else content)
    return buffer.getvalue()


def _corrupted(data: bytes, part: str) -> bytes:
    """The bytes with one byte of the stored (uncompressed) part flipped: its CRC fails."""
    stored = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(stored, "w") as copy:
        for entry in source.infolist():
            copy.writestr(entry.filename, source.read(entry.filename), zipfile.ZIP_STORED)
    raw = bytearray(stored.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0x01
    return bytes(raw)


ODS = {
    "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
    "content.xml": "<office:document-content/>",
}
UNREADABLE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "text": (lambda _: b"Personalaufwand;80000\n", "not an xlsx workbook (no zip archive)"),
    "empty": (lambda _: b"", "not an xlsx workbook: the file is empty (0 bytes)"),
    "ods renamed": (
        lambda _: _zip(ODS),
        "not an xlsx workbook: an OpenDocument file (.ods); save it as Excel 2007-365 (.xlsx)",
    ),
    "xls renamed": (
        lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "not an xlsx workbook: an Excel 97-2003 file (.xls) or a password-protected "
        "workbook; save it as Excel 2007-365 (.xlsx) without a password",
    ),
    "other zip": (
        lambda _: _zip({"notes.txt": "x"}),
        "not an xlsx workbook: a zip archive without the parts of a workbook",
    ),
    "truncated": (
        lambda data: data[: len(data) // 2],
        "truncated or damaged: the zip archive is incomplete",
    ),
    "last bytes cut off": (
        lambda data: data[:-10],
        "truncated or damaged: the zip archive is incomplete",
    ),
    "corrupt part": (
        lambda data: _corrupted(data, "xl/worksheets/sheet3.xml"),
        "truncated or damaged: the part xl/worksheets/sheet3.xml is corrupt (CRC check failed)",
    ),
    "sheet part missing": (
        lambda data: _without_part(data, "xl/worksheets/sheet3.xml"),
        "damaged: the sheet Monate is listed, but its part xl/worksheets/sheet3.xml is missing",
    ),
    "styles missing": (
        lambda data: _without_part(data, "xl/styles.xml"),
        "damaged: the part with the cell formats (styles) is missing",
    ),
    "broken XML": (
        lambda data: _with_part(data, "xl/worksheets/sheet3.xml", lambda xml: xml[:-20]),
        "damaged: the part xl/worksheets/sheet3.xml is not well-formed XML",
    ),
}


@pytest.mark.parametrize("case", list(UNREADABLE.values()), ids=list(UNREADABLE))
def test_unreadable_file_is_one_finding(
    case: tuple[Callable[[bytes], bytes], str], tmp_path: Path
) -> None:
    make, message = case
    good = save(compliant_workbook(), tmp_path / "ok.xlsx")
    path = tmp_path / "kaputt.xlsx"
    path.write_bytes(make(good.read_bytes()))
    findings = findings_of(path)
    assert [(f.rule, f.sheet, f.cell) for f in findings] == [("W0", "", "")], findings
    assert findings[0].message.startswith(message), findings[0].message
    assert "Error" not in findings[0].message


def test_a_failing_check_is_a_finding_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(*_: object) -> None:
        raise ValueError("unexpected value in the file")

    monkeypatch.setattr(verify_module, "check_names", fails)
    path = save(compliant_workbook(), tmp_path / "ok.xlsx")
    findings = findings_of(path)
    assert [(f.rule, f.message) for f in findings] == [
        (
            "W0",
            "the workbook could not be checked completely (unexpected value in the file); "
            "the findings above are all that was found",
        )
    ]


def test_comparison_workbook_sheet_order(tmp_path: Path) -> None:
    wb = compliant_workbook()
    renamed = {"Übersicht": "Vergleich"} | {s: f"{s} 1" for s in SHEETS[1:]}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    for old, new in renamed.items():
                        cell.value = re.sub(rf"'?\b{old}'?!", f"'{new}'!", cell.value)
        ws.title = renamed[ws.title]
    wb.defined_names["Pruefung_OK"] = DefinedName("Pruefung_OK", attr_text="'Prüfungen 1'!$B$5")
    cached = {renamed[sheet]: cells for sheet, cells in CACHED.items()}
    assert wb["Haushalt 1"]["D6"].value == ("=SUMIF('Monate 1'!$D$6:$F$6,D$5,'Monate 1'!$D$7:$F$7)")
    assert findings_of(save(wb, tmp_path / "vergleich.xlsx", cached)) == []
    wb.move_sheet("Haushalt 1", offset=-1)
    findings = findings_of(save(wb, tmp_path / "vergleich-falsch.xlsx", cached))
    assert [finding.rule for finding in findings] == ["S1"]


# --- engine ---------------------------------------------------------------------------------


@pytest.mark.engine
def test_engine_confirms_cached_values_and_rejects_a_wrong_one(tmp_path: Path) -> None:
    require_engine("LibreOffice", engine_module.libreoffice_available())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    good = save(compliant_workbook(), tmp_path / "a" / "ok.xlsx")
    bad = save(compliant_workbook(), tmp_path / "b" / "ok.xlsx", {"Haushalt": {"D6": 12345}})
    report = verify_workbooks([good, bad], require_engine=True)
    assert not report.engine_skipped
    assert report.checked == (good, bad)
    assert [(f.path, f.sheet, f.cell, f.rule) for f in report.findings] == [
        (bad, "Haushalt", "D6", "E1")
    ]
    assert "12345" in report.findings[0].message
    assert report.recalculated == (good, bad)
    assert report.confirmed == (good,)


def test_missing_engine_is_skipped_or_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(compliant_workbook(), tmp_path / "ok.xlsx")
    monkeypatch.setattr(engine_module, "libreoffice_available", lambda: False)
    report = verify_workbooks([path])
    assert report.engine_skipped and report.findings == ()
    report = verify_workbooks([path], require_engine=True)
    assert report.engine_skipped
    assert [(f.rule, f.message) for f in report.findings] == [("E0", ENGINE_MISSING)]
    assert verify_workbooks([path], require_engine=True, use_engine=False).findings == ()


def test_workbook_without_recalculation_on_load(tmp_path: Path) -> None:
    path = save(compliant_workbook(), tmp_path / "ok.xlsx")
    patched = tmp_path / "no-recalc.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/workbook.xml":
                data = data.replace(b'fullCalcOnLoad="1"', b"")
            target.writestr(entry, data)
    assert [f.rule for f in findings_of(patched)] == ["E1"]


# --- re-saved by LibreOffice and Gnumeric -----------------------------------------------------


@dataclass(frozen=True)
class Resaved:
    built: list[Path]
    libreoffice: list[Path]
    gnumeric: list[Path]


def typed_booleans(source: Path, target: Path) -> Path:
    """The scenario workbook with every yes/no input on Annahmen typed as a boolean, as a user
    leaves it who types WAHR in a German program or TRUE in an English one (t="b"), its answer
    kept. The cached values stay right: every formula reads TRUE as 1."""
    cells = list(_yes_no(source))
    assert cells

    def retype(xml: str) -> str:
        for coordinate in cells:
            pattern = rf'(<c r="{coordinate}" s="\d+") t="n">(<v>[01]</v>)'
            xml, count = re.subn(pattern, r'\1 t="b">\2', xml)
            assert count == 1, coordinate
        return xml

    return patched(source, "xl/worksheets/sheet2.xml", retype, target)  # Annahmen


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> Resaved:
    """A shipped scenario, the comparison of all of them and the scenario with its yes/no inputs
    typed as booleans, built, then opened and saved unedited (the comparison holds every
    scenario's sheets)."""
    require_engine("LibreOffice", engine_module.libreoffice_available())
    require_engine("Gnumeric", engines.gnumeric_available())
    root = tmp_path_factory.mktemp("resaved")
    (root / "built").mkdir()
    scenario = root / "built" / "vzae-1.173-ab-2024-10.xlsx"
    scenario.write_bytes(workbook_bytes(load_scenario(SHIPPED / f"{scenario.stem}.toml")))
    built = [scenario]
    comparison = root / "built" / "Szenarienvergleich.xlsx"
    comparison.write_bytes(comparison_bytes(load_scenarios([SHIPPED])))
    built.append(comparison)
    built.append(typed_booleans(scenario, root / "built" / "wahrheitswerte.xlsx"))
    return Resaved(
        built,
        resave_libreoffice(built, root / "libreoffice"),
        resave_gnumeric(built, root / "gnumeric"),
    )


def _part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode()


@dataclass(frozen=True)
class SheetFacts:
    """What re-saving a sheet should keep."""

    protected: bool
    unlocked: frozenset[str]
    validated: frozenset[str]
    print_titles: tuple[str | None, str | None]


def _facts(path: Path) -> tuple[dict[str, str], dict[str, SheetFacts]]:
    """The workbook-scope names (sheet names unquoted) and each sheet's facts."""
    book = engine_module.load_workbook(path, data_only=False)
    names = {name: str(d.attr_text).replace("'", "") for name, d in book.defined_names.items()}
    sheets = {}
    for ws in book.worksheets:
        cells = [cell for row in ws.iter_rows() for cell in row if cell.value is not None]
        validated = {
            f"{get_column_letter(col)}{row}"
            for dv in ws.data_validations.dataValidation
            for cell_range in dv.sqref.ranges
            for row, col in cell_range.cells
        }
        sheets[ws.title] = SheetFacts(
            bool(ws.protection.sheet),
            frozenset(c.coordinate for c in cells if not c.protection.locked),
            frozenset(validated),
            (ws.print_title_rows, ws.print_title_cols),
        )
    return names, sheets


def _annahmen(path: Path) -> Worksheet:
    book = engine_module.load_workbook(path, data_only=False)
    return book[next(name for name in book.sheetnames if name.startswith("Annahmen"))]


def _yes_no(path: Path) -> dict[str, object]:
    """The yes/no inputs of (the first) Annahmen: cell → value."""
    sheet = _annahmen(path)
    return {
        cell.coordinate: cell.value
        for row in sheet.iter_rows(min_col=2, max_col=2)
        for cell in row
        if cell.number_format == YES_NO
    }


def _booleans(path: Path) -> dict[str, bool]:
    """The cells of (the first) Annahmen that hold TRUE or FALSE as a value."""
    sheet = _annahmen(path)
    return {
        cell.coordinate: cell.value
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, bool)
    }


def _same_cached_values(original: Path, resaved: Path) -> list[engine_module.Mismatch]:
    cells = list(engines.formula_cells(original))
    return engine_module.compare(
        engine_module.cached_values(original), engine_module.cached_values(resaved), cells
    )


@pytest.mark.engine
def test_what_libreoffice_changes_when_it_saves(resaved: Resaved) -> None:
    for original, saved in zip(resaved.built, resaved.libreoffice, strict=True):
        assert 'fullCalcOnLoad="1"' in _part(original, "xl/workbook.xml")
        assert "fullCalcOnLoad" not in _part(saved, "xl/workbook.xml")
        assert "<Application>LibreOffice/" in _part(saved, "docProps/app.xml")
        # The input style survives, but behind LibreOffice's built-in styles: openpyxl's own
        # lookup of a cell's style fails on it (the crash verify once had).
        book = engine_module.load_workbook(saved, data_only=False)
        assert "Eingabe" in book.named_styles
        inputs = _annahmen(saved)
        first_input = next(c for row in inputs.iter_rows() for c in row if not c.protection.locked)
        with pytest.raises(IndexError):
            _ = first_input.style
        # Yes/no inputs are numbers and stay numbers; a typed-in TRUE becomes the formula
        # =TRUE().
        booleans = _booleans(original)
        annahmen = _annahmen(saved)
        assert {cell: annahmen[cell].value for cell in booleans} == {
            cell: "=TRUE()" if value else "=FALSE()" for cell, value in booleans.items()
        }
        numbers = {cell: v for cell, v in _yes_no(original).items() if cell not in booleans}
        assert {cell: annahmen[cell].value for cell in numbers} == numbers
        # Kept: protection, unlocked and validated cells, print titles, names, cached values.
        assert _facts(saved) == _facts(original)
        assert _same_cached_values(original, saved) == []
    assert _booleans(resaved.built[0]) == {}  # as built: 1 and 0
    typed = _booleans(resaved.built[-1]).values()
    assert True in typed and False in typed


@pytest.mark.engine
def test_what_gnumeric_changes_when_it_saves(resaved: Resaved) -> None:
    for original, saved in zip(resaved.built, resaved.gnumeric, strict=True):
        assert "fullCalcOnLoad" not in _part(saved, "xl/workbook.xml")
        assert "<Application>gnumeric</Application>" in _part(saved, "docProps/app.xml")
        assert "<cellStyle " not in _part(saved, "xl/styles.xml")  # no named style at all
        # Print titles become names Excel and LibreOffice do not know ("Print_Titles" instead
        # of "_xlnm.Print_Titles", rows and columns together as ERROR("…")): they are lost.
        workbook = _part(saved, "xl/workbook.xml")
        assert 'name="Print_Titles"' in workbook and "_xlnm.Print_Titles" not in workbook
        names, sheets = _facts(original)
        assert _facts(saved) == (
            names,
            {title: replace(facts, print_titles=(None, None)) for title, facts in sheets.items()},
        )
        assert _booleans(saved) == _booleans(original)
        assert _same_cached_values(original, saved) == []


@pytest.mark.engine
def test_workbook_resaved_by_libreoffice_passes(resaved: Resaved) -> None:
    report = verify_workbooks(resaved.libreoffice, require_engine=True)
    assert [str(finding) for finding in report.findings] == []
    assert report.recalculated == report.confirmed == tuple(resaved.libreoffice)


@pytest.mark.engine
def test_workbook_resaved_by_gnumeric_loses_only_its_print_titles(resaved: Resaved) -> None:
    report = verify_workbooks(resaved.gnumeric, require_engine=True)
    assert report.recalculated == report.confirmed == tuple(resaved.gnumeric)
    timelines = {
        (path, sheet)
        for path in resaved.gnumeric
        for sheet in engine_module.load_workbook(path, data_only=True).sheetnames
        if sheet.startswith(("Monate", "Haushalt", "Varianten"))
    }
    shipped = len(list(SHIPPED.glob("*.toml")))
    # Monate, Haushalt and Varianten of the scenario and of its typed copy, and the comparison's
    # Monate and Haushalt of each
    assert len(timelines) == 3 + 3 + shipped * 2
    assert {(f.rule, "print title" in f.message) for f in report.findings} == {("S6", True)}
    assert {(f.path, f.sheet) for f in report.findings} == timelines


@pytest.mark.engine
def test_opendocument_file_renamed_to_xlsx(resaved: Resaved, tmp_path: Path) -> None:
    (ods,) = resave_libreoffice(resaved.built[:1], tmp_path, "ods")
    renamed = ods.rename(tmp_path / "Haushalt.xlsx")
    assert [(f.rule, f.message) for f in findings_of(renamed)] == [
        (
            "W0",
            "not an xlsx workbook: an OpenDocument file (.ods); save it as Excel 2007-365 (.xlsx)",
        )
    ]


@pytest.mark.engine
def test_workbook_saved_by_openpyxl_is_not_recalculated(tmp_path: Path) -> None:
    require_engine("LibreOffice", engine_module.libreoffice_available())
    built = tmp_path / "built.xlsx"
    built.write_bytes(workbook_bytes(load_scenario(SHIPPED / "vzae-1.000-ab-2025-01.toml")))
    openpyxl.load_workbook(built).save(tmp_path / "resaved.xlsx")
    report = verify_workbooks([built, tmp_path / "resaved.xlsx"], require_engine=True)
    assert [(f.path.name, f.rule) for f in report.findings] == [
        ("resaved.xlsx", "M1"),
        ("resaved.xlsx", "E1"),
    ]
    assert report.recalculated == report.confirmed == (built,)


# --- files and folders ----------------------------------------------------------------------


def test_folders_are_expanded_and_problems_reported(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    wb = compliant_workbook()
    for name in ("b.xlsx", "a.xlsx", ".hidden.xlsx", "~$a.xlsx"):
        save(wb, folder / name)
    (folder / "notes.txt").write_text("no workbook")
    (folder / "c.xlsx").write_text("not a zip file")
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = tmp_path / "missing.xlsx"
    report = verify_workbooks([folder, empty, missing], use_engine=False)
    assert report.checked == (folder / "a.xlsx", folder / "b.xlsx", folder / "c.xlsx")
    assert [(f.path, f.rule) for f in report.findings] == [
        (folder / "c.xlsx", "W0"),
        (empty, "W0"),
        (missing, "W0"),
    ]
    assert not report.ok
    assert report.counts() == {"W0": 3}
    assert verify_workbooks([], use_engine=False).findings[0].rule == "W0"


def test_finding_text() -> None:
    path = Path("out/a.xlsx")
    assert str(Finding(path, "Monate", "D7", "F1", "x")) == "out/a.xlsx: Monate!D7: [F1] x"
    assert str(Finding(path, "Monate", "", "S3", "x")) == "out/a.xlsx: Monate: [S3] x"
    assert str(Finding(path, "", "", "M1", "x")) == "out/a.xlsx: [M1] x"


def test_report_counts_follow_rule_order() -> None:
    path = Path("a.xlsx")
    findings = tuple(Finding(path, "", "", rule, "x") for rule in ("M1", "F2", "F2", "S3"))
    assert Report(findings, False, (path,)).counts() == {"F2": 2, "S3": 1, "M1": 1}


@pytest.mark.parametrize("module", ["kim_budget.excel_names", "kim_budget.verify"])
def test_import_without_openpyxl(module: str) -> None:
    """The writer's name rules (and verify, until it checks) need no openpyxl."""
    code = f"import sys, {module}; assert 'openpyxl' not in sys.modules, 'openpyxl was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_generated_workbooks_keep_the_standard(tmp_path: Path) -> None:
    """Every workbook the build writes, the comparison included, passes (engine: see E1)."""
    scenarios = load_scenarios(scenario_files())
    paths = []
    for scenario in scenarios:
        path = tmp_path / f"{scenario.stem}.xlsx"
        path.write_bytes(workbook_bytes(scenario))
        paths.append(path)
    comparison = tmp_path / "Szenarienvergleich.xlsx"
    comparison.write_bytes(comparison_bytes(load_scenarios([SHIPPED])))
    report = verify_workbooks([*paths, comparison], use_engine=False)
    assert [str(finding) for finding in report.findings] == []


# --- formula text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "row", "col", "r1c1"),
    [
        ("=EDATE(C$5,1)", 5, 4, "=EDATE(R5C[-1],1)"),
        ("=D17*Annahmen!$B$22", 20, 4, "=R[-3]C*Annahmen!R22C2"),
        ("=SUM($D$20:$AA$20)", 20, 3, "=SUM(R20C4:R20C27)"),
        ("=SUM(D20:D24)", 25, 4, "=SUM(R[-5]C:R[-1]C)"),
        ("='Übersicht'!A1+Übersicht!$A1", 5, 4, "='Übersicht'!R[-4]C[-3]+Übersicht!R[-4]C1"),
        ("='Kim''s Plan'!B$2", 1, 1, "='Kim''s Plan'!R2C[1]"),
        ("=SUM(A:A)+SUM($3:$5)", 4, 2, "=SUM(C[-1]:C[-1])+SUM(R3:R5)"),
        ('="A1"&B1', 1, 1, '="A1"&RC[1]'),
        ("=Pruefung_OK", 9, 9, "=Pruefung_OK"),
    ],
)
def test_to_r1c1(formula: str, row: int, col: int, r1c1: str) -> None:
    assert to_r1c1(formula, row, col) == r1c1


@pytest.mark.parametrize(
    ("sheet", "col", "allowed"),
    [
        ("Annahmen", 2, True),
        ("Annahmen 1", 2, True),
        ("Annahmen 12", 2, True),
        ("Annahmen", 1, False),
        ("Annahmen", 3, False),
        ("Annahmenliste", 2, False),
        ("Übersicht", 2, False),
        ("Monate", 2, False),
        ("Haushalt", 4, False),
        ("Prüfungen", 2, False),
        ("Vergleich", 2, False),
    ],
)
def test_typed_value_allowed(sheet: str, col: int, allowed: bool) -> None:
    assert typed_value_allowed(sheet, col) is allowed


def test_same_row_formula_in_r1c1_is_the_same() -> None:
    assert to_r1c1("=IF(Annahmen!$B$15<EDATE(D$5,1),1,0)", 9, 4) == to_r1c1(
        "=IF(Annahmen!$B$15<EDATE(E$5,1),1,0)", 9, 5
    )


@pytest.mark.parametrize(
    ("formula", "constants"),
    [
        ("=Annahmen!$B$12-1", []),
        ("=A12*$B$100+AA1048576", []),
        ("=DATE(Annahmen!$B$10-1,12,1)", []),
        ("=1+Annahmen!$B$16/100*D9", []),
        ("=A1*1.5", ["1.5"]),
        ("=DATE(2024,1,1)", ["2024"]),
        ("=A1*57000", ["57000"]),
        ('="Stand 2024: "&A1', []),
        ("='Monate 2024'!A1*2", ["2"]),
        ("=1E3+.25+0.5+0.0", ["1E3", ".25"]),
        ("=KIM2025+LOG10(A1)", []),
    ],
)
def test_numeric_constants(formula: str, constants: list[str]) -> None:
    assert numeric_constants(formula) == constants


def test_tokens_of_references_and_names() -> None:
    tokens = [
        t for t in tokenize("='Kim''s Plan'!B$2+[1]Daten!A1+Foerderung_2025") if t.text != "+"
    ]
    assert [(t.kind.value, t.sheet, t.external) for t in tokens] == [
        ("ref", "Kim's Plan", False),
        ("ref", "Daten", True),
        ("name", None, False),
    ]


@pytest.mark.parametrize(
    ("formula", "problem"),
    [
        ("=SUM(A1:A3)+IF(A1,MIN(A2,A3),0)", None),
        ("=_xlfn.DAYS(A1,B1)", "function DAYS is not allowed"),
        ("=offset(A1,0,0)", "volatile function OFFSET"),
        ("=RAND()", "volatile function RAND"),
        ("=IF(A1,MIN(IF(B1,1,0)),0)", "nested IF"),
        ("=IF(A1,1,0)+IF(B1,1,0)", None),
        ('="[1]"&A1', None),
        ("='C:\\x\\[b.xlsx]S'!A1", "link to another file"),
    ],
)
def test_function_problems(formula: str, problem: str | None) -> None:
    problems = function_problems(formula)
    if problem is None:
        assert problems == []
    else:
        assert any(p.startswith(problem) for p in problems), problems


def test_lower_row_references() -> None:
    assert lower_row_references("=D7+D5+Haushalt!D9", "Monate", 6) == ["D7"]
    assert lower_row_references("=SUM(D3:D8)+'monate'!A9", "Monate", 6) == ["D3:D8", "'monate'!A9"]
    assert lower_row_references("=SUM(A:A)", "Monate", 6) == ["A:A"]
    assert lower_row_references("=SUM($D$6:$AA$6)", "Monate", 6) == []


def test_row_deviations() -> None:
    usual = "=R[-1]C*2"
    forms = {4: usual, 5: "=R[-1]C[-1]*2", 7: usual}
    assert row_deviations(9, forms, 7) == [
        (5, f"formula =R[-1]C[-1]*2 differs from the row's {usual} (R1C1, as in D9)"),
        (6, f"no formula, but the row's formula is {usual} (R1C1, as in D9)"),
    ]
    assert row_deviations(9, {4: "=a", 5: "=b"}, 5)[0][0] == 5  # ties: the leftmost wins


def test_name_target() -> None:
    refs = name_target("'Prüfungen'!$B$5, Haushalt!$D$6:$E$6")
    assert refs is not None
    assert [(r.sheet, r.text) for r in refs] == [
        ("Prüfungen", "'Prüfungen'!$B$5"),
        ("Haushalt", "Haushalt!$D$6:$E$6"),
    ]
    for text in ("$B$5", "=1", "#REF!", "[1]Daten!$A$1", "Haushalt!$D$6+1", ""):
        assert name_target(text) is None, text


# --- names, sheets, headers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Pruefung_OK", "Eigenanteil_2025", "_x", "\\x", "XFE1", "Übersicht2", "a.b"]
)
def test_good_defined_names(name: str) -> None:
    assert check_defined_name(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty"),
        ("A1", "A1 notation"),
        ("AB12", "A1 notation"),
        ("XFD1048576", "A1 notation"),
        ("KIM2025", "A1 notation"),
        ("R1C1", "R1C1 notation"),
        ("R", "R1C1 notation"),
        ("C", "R1C1 notation"),
        ("rc", "R1C1 notation"),
        ("1Jahr", "must start with"),
        ("Kosten je VZÄ", "contains ' '"),
        ("Kosten-2025", "contains '-'"),
        ("x" * 256, "256 characters"),
    ],
)
def test_bad_defined_names(name: str, problem: str) -> None:
    message = check_defined_name(name)
    assert message is not None and problem in message


@pytest.mark.parametrize("name", ["Übersicht", "Prüfungen 1", "Kim's Plan", "x" * 31])
def test_good_sheet_names(name: str) -> None:
    assert check_sheet_name(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty"),
        ("x" * 32, "32 characters"),
        ("Plan[1]", "contains '[]'"),
        ("a/b", "contains '/'"),
        ("Was?", "contains '?'"),
        ("History", "reserved"),
        ("HISTORY", "reserved"),
        ("'Plan", "apostrophe"),
        ("Plan'", "apostrophe"),
    ],
)
def test_bad_sheet_names(name: str, problem: str) -> None:
    message = check_sheet_name(name)
    assert message is not None and problem in message


COMPARED_1 = ("Annahmen 1", "Monate 1", "Haushalt 1", "Prüfungen 1")


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        (SHEETS, None),
        (("Übersicht", "Annahmen", "Monate", "Haushalt"), "expected Übersicht"),
        (
            ("Vergleich", *COMPARED_1, "Annahmen 2", "Monate 2", "Haushalt 2", "Prüfungen 2"),
            None,
        ),
        (("Vergleich", "Annahmen 1", "Monate 1", "Haushalt 1"), "missing sheets: Prüfungen 1"),
        (
            ("Vergleich", "Annahmen 1", "Haushalt 1", "Monate 1", "Prüfungen 1"),
            "expected Annahmen 1, Monate 1, Haushalt 1, Prüfungen 1",
        ),
        (("Vergleich", "Notizen"), "unexpected sheet Notizen"),
        (("Vergleich", "Notizen"), "no scenario sheets"),
        (("Vergleich",), None),  # a results-only comparison of many scenarios
    ],
)
def test_sheet_order(names: tuple[str, ...], problem: str | None) -> None:
    problems = check_sheet_order(names)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_timeline_sheets() -> None:
    assert [is_timeline(n) for n in ("Monate", "Monate 1", "Haushalt 2", "Haushaltsplan")] == [
        True,
        True,
        True,
        False,
    ]


def test_header_and_footer() -> None:
    assert header_problems("&L&RKIM") == []
    assert header_problems("&L&C&R") == ["header is empty"]
    assert footer_problems("&La.xlsx&C&A&RSeite &P von &N", "a.xlsx") == []
    assert footer_problems('&L&"Arial,Bold"&F&C&A&R&P/&N', "b.xlsx") == []
    (problem,) = footer_problems("&La.xlsx&C&A&RSeite &&P", "a.xlsx")
    assert "&P, &N" in problem
    (problem,) = footer_problems("&C&A&RSeite &P von &N", "a.xlsx")
    assert "&F or the file name a.xlsx" in problem


def test_header_and_footer_length() -> None:
    footer = "&L&F&C&A&RSeite &P von &N"
    assert header_problems("&C" + "x" * 253) == []
    assert header_problems("&C" + "x" * 254) == [
        "header has 256 characters; at most 255 allowed (Excel's limit)"
    ]
    assert footer_problems(footer + " " * (255 - len(footer)), "a.xlsx") == []
    (problem,) = footer_problems(footer + " " * (256 - len(footer)), "a.xlsx")
    assert problem.startswith("footer has 256 characters")
