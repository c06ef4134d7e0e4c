"""The writer: what reaches the file beyond the cells (headers, names)."""

from __future__ import annotations

import gc
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from helpers import SHIPPED
from openpyxl.worksheet.worksheet import Worksheet

from kim_budget.errors import OutputError
from kim_budget.loader import load_scenario
from kim_budget.pipeline import build, finished_bytes, workbook_bytes
from kim_budget.workbook.grid import Book, Sheet

LONG = """\
title = "{title}"
municipality = "{municipality}"
reference = "{reference}"
[horizon]
first_year = 2025
last_year = 2025
[[positions]]
name = "Case Management"
fte = 1
start = "2025-01"
[cost]
annual_cost_per_fte = 80000
[funding]
rate_per_fte = 57000
"""


def test_long_texts_are_shortened_to_excels_header_limit(tmp_path: Path) -> None:
    scenario = tmp_path / "lang.toml"
    title, municipality, reference = "Ä&" * 100, "Gemeinde " + "M" * 91, "R&" * 25
    scenario.write_text(
        LONG.format(title=title, municipality=municipality, reference=reference), encoding="utf-8"
    )
    build([scenario], tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "out" / "lang.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    header = sheet.split("<oddHeader>")[1].split("</oddHeader>")[0].replace("&amp;", "&")
    assert len(header) <= 255  # Excel refuses longer headers
    assert header.startswith("&LGemeinde MMM")
    assert "…&R" in header  # municipality and reference were shortened
    assert header.endswith("…")  # and so was the title
    assert "&&" in header  # "&" stays a literal ampersand


@pytest.mark.parametrize(
    ("sheet", "name", "problem"),
    [
        ("Blatt[1]", "Gut", "sheet name 'Blatt[1]'"),
        ("Blatt", "A1", "defined name 'A1'"),
    ],
)
def test_names_are_checked_before_writing(sheet: str, name: str, problem: str) -> None:
    book = Book([Sheet(sheet)])
    book.names[name] = book.sheets[0].put(1, 1, 1.0, "0")
    with pytest.raises(OutputError) as raised:
        finished_bytes(book)
    assert str(raised.value).startswith(f"cannot write the workbook: {problem}: ")


def _sheets(data: bytes) -> dict[str, Worksheet]:
    import io

    from openpyxl import load_workbook

    return {ws.title: ws for ws in load_workbook(io.BytesIO(data)).worksheets}


def test_monate_breaks_after_every_december_with_labels_repeated() -> None:
    sheets = _sheets(workbook_bytes(load_scenario(SHIPPED / "vzae-1.000-ab-2024-10.toml")))
    monate = sheets["Monate"]
    # Months run from column D (4) for 2024…2028; each December ends 12 columns later: O, AA, …
    assert [brk.id for brk in monate.col_breaks.brk] == [15, 27, 39, 51]
    assert monate.print_title_cols == "$A:$C"
    assert not monate.sheet_properties.pageSetUpPr.fitToPage  # Excel ignores breaks when fitting
    # A page: columns A:C and 12 months; A4 landscape holds 842 − 72 pt between its half-inch
    # margins, a column of width 1 prints 5.6 pt wide: the largest scale that fits, and 10 pt
    # text stays at 7 pt or more.
    widths = [monate.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNO"]
    assert monate.page_setup.scale == int(100 * 770 / (sum(widths) * 5.6))
    assert monate.page_setup.scale >= 70


def test_long_texts_on_annahmen_wrap_in_taller_rows(tmp_path: Path) -> None:
    scenario = tmp_path / "text.toml"
    description = "Wort " * 60  # 300 characters
    text = LONG.format(title="T", municipality="M", reference="R")
    scenario.write_text(f'description = "{description}"\n' + text, encoding="utf-8")
    annahmen = _sheets(workbook_bytes(load_scenario(scenario)))["Annahmen"]
    row = next(c.row for c in annahmen["D"] if c.value == "description")
    value = annahmen.cell(row, 2)
    assert value.alignment.wrap_text and value.alignment.vertical == "top"
    # "Wort" is 21.1 pt wide in Arial 10 (W .944, o .556, r .333, t .278 em), a space 2.8 pt;
    # with 3 % to spare a line of n words takes 21.7 + (n − 1) × 24.6 pt. Column B is 30 wide
    # (168 pt, 164 pt of text): six words a line, 10 lines. The file's copy in column F, 20
    # wide (112 pt, 108 pt of text), wraps as well: four words a line, 15 lines of 13 pt.
    copy = annahmen.cell(row, 6)
    assert copy.alignment.wrap_text
    assert annahmen.row_dimensions[row].height == 15 * 13.0


def _cyclic_garbage(modules: tuple[str, ...]) -> Counter[str]:
    """What a full collection finds unreachable now, by type, of objects from `modules`."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return Counter(
            type(item).__name__ for item in gc.garbage if type(item).__module__.startswith(modules)
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_a_built_workbook_leaves_no_cycle_holding_its_layout() -> None:
    """Reference counting frees a book's cells and expressions as soon as it is written: a
    cycle through them would leave hundreds of thousands of objects for the cyclic collector
    to walk after every workbook."""
    scenario = load_scenario(SHIPPED / "vzae-1.173-ab-2024-10-tvoed.toml")
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        workbook_bytes(scenario)
        ours = _cyclic_garbage(("kim_budget",))
    finally:
        if enabled:
            gc.enable()
    assert ours == Counter()


def test_workbooks_built_one_after_another_leave_no_garbage_behind() -> None:
    """The collector is off while a workbook is built; the cycles a build leaves (openpyxl's
    workbook and sheets) must go before the next build switches it off again, or a build of
    400 scenarios with one job piles up every workbook's. The collector's own passes are held
    off here: any allocation between two builds could start one and hide the pile."""
    scenario = load_scenario(SHIPPED / "vzae-1.000-ab-2025-01.toml")
    gc.collect()
    assert gc.isenabled()
    thresholds = gc.get_threshold()
    gc.set_threshold(1 << 30)
    try:
        for _ in range(3):
            workbook_bytes(scenario)
        left = _cyclic_garbage(("openpyxl", "kim_budget"))
    finally:
        gc.set_threshold(*thresholds)
    assert left == Counter()
