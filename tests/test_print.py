"""Printed workbooks stay readable: every sheet's text at 7 pt or more on A4, one year per page.

Every sheet of the shipped scenarios' workbooks, of their comparison and of a 16-year horizon is
printed by LibreOffice to PDF; `pdftotext -bbox` gives each word's box. A word's box is taller
than its font size by the font's ascent and descent, so a reference sheet printed at 100 % with
10 pt text in the same run gives the factor.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import SHIPPED, require_engine
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.properties import PageSetupProperties

from kim_budget.libreoffice import export_pdfs_libreoffice, libreoffice_available
from kim_budget.loader import load_scenario
from kim_budget.pipeline import comparison_bytes, workbook_bytes
from kim_budget.workbook import spec

MIN_PT = 7.0
REFERENCE_PT = 10.0
_WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">')
_MONTH = re.compile(r"(?<!Vormonat )\b(\d\d)\.(\d{4})\b")


def _reference() -> bytes:
    """One line of 10 pt Arial printed at 100 %."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "Referenz"
    ws["A1"].font = Font(name="Arial", size=REFERENCE_PT)
    ws.page_setup.scale = 100
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _long_horizon(tmp: Path) -> Path:
    """A shipped scenario over the longest horizon allowed: 16 Haushaltsjahre."""
    text = (SHIPPED / "vzae-1.000-ab-2024-10.toml").read_text(encoding="utf-8")
    path = tmp / "sechzehn-jahre.toml"
    path.write_text(text.replace("last_year = 2028", "last_year = 2039"), encoding="utf-8")
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _heights(path: Path) -> list[list[float]]:
    """Per page, the height of every word box."""
    boxes = _run("pdftotext", "-bbox", str(path), "-").split("<page ")[1:]
    return [[float(bottom) - float(top) for top, bottom in _WORD.findall(box)] for box in boxes]


def _pages(path: Path) -> list[tuple[str, str, list[float]]]:
    """Per page: the sheet named in its footer, its text, and the height of every word box."""
    texts = _run("pdftotext", "-layout", str(path), "-").split("\f")
    # The footer band alone (A4 landscape is 595 pt tall): file name, sheet, "Seite X von Y".
    # A chart legend near the bottom can stand on the footer's line in the page text.
    band = ("-x", "0", "-y", "560", "-W", "842", "-H", "35")
    footers = _run("pdftotext", "-layout", *band, str(path), "-").split("\f")
    pages = []
    for text, footer, heights in zip(texts, footers, _heights(path), strict=False):
        line = [line for line in footer.splitlines() if "Seite " in line][-1]
        sheet = re.split(r"\s{2,}", line.strip())[-2]
        pages.append((sheet, text, heights))
    return pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_engine("LibreOffice", libreoffice_available())
    require_engine("poppler-utils", shutil.which("pdftotext") is not None)
    tmp = tmp_path_factory.mktemp("print")
    shipped = [load_scenario(path) for path in sorted(SHIPPED.glob("*.toml"))]
    books = {s.path.stem: workbook_bytes(s) for s in shipped}
    books["Szenarienvergleich"] = comparison_bytes(shipped)
    books["sechzehn-jahre"] = workbook_bytes(load_scenario(_long_horizon(tmp)))
    books["referenz"] = _reference()
    paths = {}
    for name, pdf in export_pdfs_libreoffice(books).items():
        paths[name] = tmp / f"{name}.pdf"
        paths[name].write_bytes(pdf)
    return paths


@pytest.fixture(scope="module")
def box_per_pt(printed: dict[str, Path]) -> float:
    """How tall a word box is per point of font size."""
    (heights,) = _heights(printed["referenz"])
    return max(heights) / REFERENCE_PT


BOOKS = [p.stem for p in sorted(SHIPPED.glob("*.toml"))] + ["Szenarienvergleich", "sechzehn-jahre"]


@pytest.mark.engine
@pytest.mark.parametrize("book", BOOKS)
def test_every_sheet_prints_at_least_7_pt(
    printed: dict[str, Path], box_per_pt: float, book: str
) -> None:
    smallest: dict[str, float] = {}
    for sheet, _, heights in _pages(printed[book]):
        size = min(heights) / box_per_pt
        smallest[sheet] = min(smallest.get(sheet, size), size)
    expected = set(spec.GRADED_SHEETS if book.endswith("-tvoed") else spec.SCENARIO_SHEETS)
    if book == "Szenarienvergleich":  # the shipped files by name: graded first, then flat
        groups = [spec.scenario_group(stem.endswith("-tvoed")) for stem in BOOKS[:-2]]
        expected = {"Vergleich"} | {
            f"{name} {n}" for n, group in enumerate(groups, start=1) for name in group
        }
    assert set(smallest) == expected  # every sheet printed
    too_small = {sheet: round(size, 2) for sheet, size in smallest.items() if size < MIN_PT}
    assert not too_small, f"text below {MIN_PT} pt: {too_small}"


@pytest.mark.engine
@pytest.mark.parametrize(("book", "years"), [("vzae-1.000-ab-2024-10", 5), ("sechzehn-jahre", 16)])
def test_monate_prints_one_haushaltsjahr_per_page_width(
    printed: dict[str, Path], book: str, years: int
) -> None:
    first_year = 2024
    seen: list[int] = []
    for sheet, text, _ in _pages(printed[book]):
        if sheet != "Monate":
            continue
        months = [(int(year), int(month)) for month, year in _MONTH.findall(text)]
        year = months[0][0]
        assert months == [(year, month) for month in range(1, 13)], months  # January … December
        assert "Personalaufwand gesamt" in text  # the row labels are repeated on every page
        if year not in seen:
            seen.append(year)
    assert seen == list(range(first_year, first_year + years))


@pytest.mark.engine
def test_one_page_sheets(printed: dict[str, Path]) -> None:
    for book in BOOKS[:-2]:  # every shipped scenario, flat and graded
        assert [sheet for sheet, _, _ in _pages(printed[book])].count("Übersicht") == 1
    # 16 years do not fit one readable page: two pages across, 8 years each.
    long = [text for sheet, text, _ in _pages(printed["sechzehn-jahre"]) if sheet == "Übersicht"]
    headers = [
        line.split() for text in long for line in text.splitlines() if line.startswith("Zeile")
    ]
    assert headers == [
        ["Zeile", "Einheit", "Summe", *map(str, range(2024, 2032))],
        ["Zeile", "Einheit", "Summe", *map(str, range(2032, 2040))],
    ]
