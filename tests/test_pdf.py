"""PDFs for the council paper's annex: the right pages, German figures, header and footer."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import SHIPPED, require_engine

from kim_budget import pdf
from kim_budget.errors import InternalError, OutputError
from kim_budget.libreoffice import libreoffice_available
from kim_budget.loader import load_scenario
from kim_budget.pipeline import build, workbook_bytes


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_engine("LibreOffice", libreoffice_available())
    require_engine("poppler-utils", shutil.which("pdftotext") is not None)
    out = tmp_path_factory.mktemp("pdf")
    build([SHIPPED], out, pdf=True)
    return out


@pytest.mark.engine
def test_scenario_pdf_has_cover_and_budget_page(printed: Path) -> None:
    path = printed / "vzae-1.000-ab-2024-10.pdf"
    assert _pages(path) == 2  # Übersicht on one page, Haushalt on one page
    pages = _text(path).split("\f")
    assert "Personalkosten und Förderung" in pages[0]
    assert "Haushalt – 1,0 VZÄ Case Management KIM ab Oktober 2024" in pages[1]
    for page, number in zip(pages, (1, 2), strict=False):
        assert "Stadt Siegburg – 3360/VIII" in page  # header
        assert f"Seite {number} von 2" in page  # footer
        assert "vzae-1.000-ab-2024-10.xlsx" in page


@pytest.mark.engine
@pytest.mark.parametrize(
    ("stem", "figures"),
    [
        # 3/12 × (80,000 − 57,000) in 2024, then 23,000 a year.
        ("vzae-1.000-ab-2024-10", ["5.750,00 €", "23.000,00 €"]),
        # 3/12 × 1.173 × 23,000 = 6,744.75 in 2024, then 26,979 a year.
        ("vzae-1.173-ab-2024-10", ["6.744,75 €", "26.979,00 €"]),
    ],
)
def test_eigenanteil_in_german_format(printed: Path, stem: str, figures: list[str]) -> None:
    text = _text(printed / f"{stem}.pdf")
    eigenanteil = next(line for line in text.splitlines() if line.startswith("Eigenanteil"))
    for figure in figures:
        assert figure in eigenanteil


@pytest.mark.engine
def test_comparison_pdf_shows_all_options_one_page_wide(printed: Path) -> None:
    path = printed / "Szenarienvergleich.pdf"
    assert _pages(path) == 2  # one page would shrink the text below 7 pt: one wide, two tall
    text = _text(path)
    for title in (
        "1,0 VZÄ Case Management KIM ab Oktober 2024",
        "1,0 VZÄ Case Management KIM ab Januar 2025",
        "1,173 VZÄ Case Management KIM ab Oktober 2024",
        "1,173 VZÄ Case Management KIM ab Januar 2025",
    ):
        assert title in text
    assert "26.979,00 €" in text and "23.000,00 €" in text


def test_without_libreoffice_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "libreoffice_available", lambda: False)
    with pytest.raises(OutputError) as raised:
        build([SHIPPED], tmp_path / "out", pdf=True)
    assert str(raised.value) == (
        "--pdf needs LibreOffice to print the workbooks; install the Debian package "
        "libreoffice-calc-nogui (apt-get install libreoffice-calc-nogui)"
    )
    assert not (tmp_path / "out").exists()


def _sheet_states(xlsx: bytes) -> dict[str, str | None]:
    """Sheet name → state (absent means visible), from xl/workbook.xml."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    root = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/workbook.xml"))
    return {sheet.get("name", ""): sheet.get("state") for sheet in root.iter(f"{main}sheet")}


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return workbook_bytes(load_scenario(SHIPPED / "vzae-1.000-ab-2024-10.toml"))


def test_print_copy_hides_only_the_other_sheets(workbook: bytes) -> None:
    assert set(_sheet_states(workbook).values()) == {"visible"}
    assert _sheet_states(pdf.print_copy(workbook, ("Übersicht", "Haushalt"))) == {
        "Übersicht": "visible",
        "Annahmen": "hidden",
        "Monate": "hidden",
        "Haushalt": "visible",
        "Sensitivität": "hidden",
        "Varianten": "hidden",
        "Prüfungen": "hidden",
    }


def test_print_copy_keeps_the_declared_prefixes(workbook: bytes) -> None:
    """The sheets' r:id references still name a declared prefix after the edit."""
    xml = zipfile.ZipFile(io.BytesIO(pdf.print_copy(workbook, ("Haushalt",)))).read(
        "xl/workbook.xml"
    )
    assert b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"' in xml
    assert xml.count(b' r:id="rId') == 7  # every sheet


def test_printing_a_sheet_the_workbook_lacks_is_an_internal_error(workbook: bytes) -> None:
    with pytest.raises(InternalError) as raised:
        pdf.print_copy(workbook, ("Übersicht", "Deckblatt"))
    assert str(raised.value) == "xl/workbook.xml: no sheet Deckblatt to print"


@pytest.mark.engine
def test_same_input_same_pdf_bytes(printed: Path, tmp_path: Path) -> None:
    build([SHIPPED], tmp_path, pdf=True)
    for name in ("vzae-1.000-ab-2024-10.pdf", "Szenarienvergleich.pdf"):
        assert (tmp_path / name).read_bytes() == (printed / name).read_bytes(), name


def test_reproducible_fixes_date_and_id_without_moving_offsets() -> None:
    trailer = (
        b"/CreationDate(D:20261125101500Z')\n"
        b"/ID [ <E86908F1C19B912A61B30ADF00750D43>\n<E86908F1C19B912A61B30ADF00750D43> ]\n"
        b"/DocChecksum /F9975B2FA32A60600B54DDD85D5828ED\nstartxref\n123\n%%EOF\n"
    )
    fixed = pdf.reproducible(trailer, 1704067200)  # 2024-01-01
    assert len(fixed) == len(trailer)
    assert b"/CreationDate(D:20240101000000Z')" in fixed
    ids = re.findall(rb"[0-9A-F]{32}", fixed)
    assert len(ids) == 3 and len(set(ids)) == 1  # both IDs and the checksum: one content hash
    later = trailer.replace(b"20261125101500", b"20271231235959").replace(b"E869", b"AAAA")
    assert pdf.reproducible(later, 1704067200) == fixed
