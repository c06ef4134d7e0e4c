"""The writer: what reaches the file beyond the cells (headers, names)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kim_budget.errors import OutputError
from kim_budget.pipeline import build
from kim_budget.workbook.grid import Book, Sheet
from kim_budget.workbook.writer import write_workbook

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
        write_workbook(book)
    assert str(raised.value).startswith(f"cannot write the workbook: {problem}: ")
