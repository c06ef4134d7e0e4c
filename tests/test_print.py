"""Printed workbooks stay readable and whole: every sheet's text at 7 pt or more on A4, one year
per page on "Monate", every word inside the printable area, no text cut by its neighbour, no
"###", and the cover on one page up to the stated size.

Every sheet of the shipped scenarios' workbooks, of their comparison, of a 16-year horizon, of a
generated corpus of scenarios nobody picked for their looks (positions, increases, horizons,
graded and flat, full cost, long texts), of the district workbooks and of a results-only
comparison is printed by LibreOffice to PDF; `pdftotext -bbox` gives each word's box. A word's
box is taller than its font size by the font's ascent and descent, so a reference sheet printed
at 100 % with 10 pt text in the same run gives the factor.
"""

from __future__ import annotations

import html
import io
import itertools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import SHIPPED, require_engine
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.properties import PageSetupProperties

from kim_budget.district import load_district
from kim_budget.libreoffice import export_pdfs_libreoffice, libreoffice_available
from kim_budget.loader import load_scenario
from kim_budget.pipeline import (
    calculated_workbook,
    comparison_bytes,
    distribution_workbook,
    workbook_bytes,
)
from kim_budget.workbook import spec

MIN_PT = 7.0
DISTRICTS = SHIPPED.parent / "districts"
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


@dataclass(frozen=True)
class Case:
    """A generated scenario: its shape, and whether its cover must print on one page."""

    name: str
    positions: int = 1
    graded: bool = False
    cost_increases: int = 0
    funding_increases: int = 0
    years: int = 5
    full_cost: bool = False
    long_texts: bool = False
    one_page: bool = True
    sensitivity: bool = True
    """Whether the workbook has "Sensitivität" and "Varianten": left out of the largest cases,
    whose Varianten alone would print hundreds of pages like those of "Monate"."""


CORPUS = (
    Case("zwei-steigerungen", cost_increases=2),  # printed its cover on four pages once
    Case("vier-stellen-sechs-steigerungen-16-jahre", 4, False, 3, 3, 16),
    Case("vier-stellen-tvoed-sechs-steigerungen-8-jahre", 4, True, 3, 3, 8),
    Case("tvoed-3-jahre", graded=True, years=3),
    Case("lange-texte", long_texts=True),
    Case(
        "vollkosten-tvoed-16-jahre",
        4,
        True,
        1,
        0,
        16,
        full_cost=True,
        one_page=False,
        sensitivity=False,
    ),
    Case("zwanzig-stellen", 20, years=8, cost_increases=1, one_page=False, sensitivity=False),
)
"""Up to four positions, six increases and eight years (sixteen with annual costs), without
Sachkosten and Gemeinkosten, the cover prints on one page; beyond, on further titled pages."""


def _scenario_text(case: Case) -> str:
    first = 2024
    long = "Sehr langer Titel einer Stellenbesetzung " * 5
    title = long[:200].strip() if case.long_texts else case.name
    lines = [f'title = "{title}"', 'reference = "3360/VIII"']
    place = "Kreisstadt Siegburg im Rhein-Sieg-Kreis und Gemeinden des Umlands" * case.long_texts
    lines.append(f'municipality = "{place or "Siegburg"}"')
    if case.long_texts:
        lines.append(f'description = "{("Beschreibung mit vielen Wörtern, " * 30)[:1000].strip()}"')
    lines += ["[horizon]", f"first_year = {first}", f"last_year = {first + case.years - 1}"]
    for number in range(1, case.positions + 1):
        name = ("Fallmanagement Integration " * 4).strip() if case.long_texts else "Stelle"
        lines += ["[[positions]]", f'name = "{name} {number}"', "fte = 1.0", 'start = "2024-10"']
        if case.graded:
            lines += ['grade = "S 12"', "step = 1", 'step_since = "2024-10"']
    start = 2027 if case.graded else 2025  # after the last shipped pay table
    increases = ", ".join(
        f'{{ from = "{start + n}-04", percent = 3.0 }}' for n in range(case.cost_increases)
    )
    lines += ["[cost]", f"increases = [{increases}]"]
    if not case.graded:
        lines.append("annual_cost_per_fte = 80000")
    if case.full_cost:
        lines += ["material_per_fte = 9700", "overhead_percent = 20.0"]
    funding = ", ".join(
        f'{{ from = "{2026 + n}-01", percent = 2.0 }}' for n in range(case.funding_increases)
    )
    lines += ["[funding]", "rate_per_fte = 57000", f"increases = [{funding}]"]
    if case.full_cost:
        lines.append(f'end = "{first + 3}-12"')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_engine("LibreOffice", libreoffice_available())
    require_engine("poppler-utils", shutil.which("pdftotext") is not None)
    tmp = tmp_path_factory.mktemp("print")
    shipped = [load_scenario(path) for path in sorted(SHIPPED.glob("*.toml"))]
    books = {s.path.stem: workbook_bytes(s) for s in shipped}
    books["Szenarienvergleich"] = comparison_bytes(shipped)
    books["sechzehn-jahre"] = workbook_bytes(load_scenario(_long_horizon(tmp)))
    corpus = []
    for case in CORPUS:
        path = tmp / f"{case.name}.toml"
        path.write_text(_scenario_text(case), encoding="utf-8")
        corpus.append(load_scenario(path))
        books[case.name] = calculated_workbook(corpus[-1], case.sensitivity)[1]
    books["ergebnisvergleich"] = comparison_bytes([*shipped, *corpus])  # results only
    for path in sorted(DISTRICTS.glob("*.toml")):
        books[path.stem] = distribution_workbook(load_district(path))[1]
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
EVERY_BOOK = [
    *BOOKS,
    *(case.name for case in CORPUS),
    "ergebnisvergleich",
    *(p.stem for p in sorted(DISTRICTS.glob("*.toml"))),
]


@pytest.mark.engine
@pytest.mark.parametrize("book", BOOKS)
def test_every_sheet_prints_at_least_7_pt(
    printed: dict[str, Path], box_per_pt: float, book: str
) -> None:
    smallest: dict[str, float] = {}
    for sheet, _, heights in _pages(printed[book]):
        size = min(heights) / box_per_pt
        smallest[sheet] = min(smallest.get(sheet, size), size)
    expected = set(spec.scenario_sheets(book.endswith("-tvoed"), sensitivity=True))
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
    # 16 years: two blocks of 8 years, one below the other, on the one page.
    long = [text for sheet, text, _ in _pages(printed["sechzehn-jahre"]) if sheet == "Übersicht"]
    assert len(long) == 1
    headers = [line.split() for line in long[0].splitlines() if line.startswith("Zeile")]
    assert headers == [
        ["Zeile", "Einheit", "Summe", *map(str, range(2024, 2032))],
        ["Zeile", "Einheit", *map(str, range(2032, 2040))],
    ]


# --- any scenario prints whole ---------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT, SIDE_MARGIN = 842.0, 595.0, 36.0
_BOX = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def _words(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, every word with its box (left, top, right, bottom in points)."""
    pages = _run("pdftotext", "-bbox", str(path), "-").split("<page ")[1:]
    return [
        [
            (float(a), float(b), float(c), float(d), html.unescape(w))
            for a, b, c, d, w in _BOX.findall(page)
        ]
        for page in pages
    ]


@pytest.mark.engine
@pytest.mark.parametrize("book", EVERY_BOOK)
def test_every_word_prints_inside_the_page_and_whole(printed: dict[str, Path], book: str) -> None:
    """Inside the side margins and the paper; no word box overlaps another on its line (a text
    cut by the cell beside it prints under that cell's text); no "###"."""
    for number, words in enumerate(_words(printed[book]), start=1):
        outside = [
            w[4]
            for w in words
            if w[0] < SIDE_MARGIN - 2 or w[2] > PAGE_WIDTH - SIDE_MARGIN + 2 or w[3] > PAGE_HEIGHT
        ]
        assert not outside, f"page {number}: beyond the printable area: {outside[:5]}"
        lines: dict[int, list[tuple[float, float, str]]] = {}
        for left, top, right, _, word in words:
            lines.setdefault(round(top), []).append((left, right, word))
        for line in lines.values():
            line.sort()
            cut = [(a[2], b[2]) for a, b in itertools.pairwise(line) if b[0] < a[1] - 1.0]
            assert not cut, f"page {number}: overlapping text: {cut[:5]}"
        assert not [w for w in words if "###" in w[4]], f"page {number}: ###"


@pytest.mark.engine
@pytest.mark.parametrize("book", [case.name for case in CORPUS] + ["ergebnisvergleich"])
def test_any_scenario_prints_at_least_7_pt(
    printed: dict[str, Path], box_per_pt: float, book: str
) -> None:
    small = [
        (sheet, round(min(heights) / box_per_pt, 2))
        for sheet, _, heights in _pages(printed[book])
        if min(heights) / box_per_pt < MIN_PT
    ]
    assert not small, f"text below {MIN_PT} pt: {small[:5]}"


@pytest.mark.engine
@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_the_cover_prints_on_one_page_up_to_the_stated_size(
    printed: dict[str, Path], case: Case
) -> None:
    """Beyond the stated size the cover continues on pages that repeat its title, and each of
    its blocks stays whole: the chart on the page of the assumptions."""
    covers = [text for sheet, text, _ in _pages(printed[case.name]) if sheet == "Übersicht"]
    if case.one_page:
        assert len(covers) == 1
    else:
        assert 2 <= len(covers) <= 3
    title = "Kommunales Integrationsmanagement (KIM): Personalkosten und Förderung"
    for text in covers:  # below the page header (municipality, Vorlage, title of the scenario)
        first = [line.strip() for line in text.splitlines() if line.strip()][:3]
        assert title in first
    assert sum("Wesentliche Annahmen" in text for text in covers) == 1
