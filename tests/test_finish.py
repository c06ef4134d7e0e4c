"""The finished .xlsx file: same bytes for the same input, cached values, atomic replacement.

Figures are the council paper's (Vorlage 3360/VIII), calculated by hand: 80.000 € cost and
57.000 € funding per VZÄ and year; October–December 2024 is 3/12 of a year; 2024 is an offset
year (Deckung im laufenden Personalhaushalt) in the October-2024 scenarios.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import stat
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner

from kim_budget import pipeline
from kim_budget.cli import main
from kim_budget.errors import InternalError, KimBudgetError, OutputError
from kim_budget.files import write_atomically
from kim_budget.finish import Package, alt_texts, parse_part, serialise_part, stamp_times
from kim_budget.formula import Ref, Text, when
from kim_budget.loader import load_scenario
from kim_budget.workbook import lay_out_workbook
from kim_budget.workbook.grid import Book, BookEnv, Sheet

SHIPPED = Path(__file__).parents[1] / "scenarios"
STEMS = (
    "vzae-1.000-ab-2024-10",
    "vzae-1.000-ab-2025-01",
    "vzae-1.173-ab-2024-10",
    "vzae-1.173-ab-2025-01",
)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DCTERMS = "{http://purl.org/dc/terms/}"
OLD = b"old workbook from an earlier build"
YEARS = (2024, 2025, 2026, 2027, 2028)

# Per scenario and name: the values for 2024..2028, by hand.
#   1,0 VZÄ:   cost 80.000, funding 57.000, Eigenanteil 23.000 per full year
#   1,173 VZÄ: cost 93.840, funding 66.861, Eigenanteil 26.979 per full year
#   from October 2024: 3/12 of that in 2024; Haushaltsbelastung 2024 = 0 (offset year)
EXPECTED: dict[str, dict[str, tuple[float, ...]]] = {
    "vzae-1.000-ab-2024-10": {
        "Personalaufwand": (20000, 80000, 80000, 80000, 80000),
        "Foerderung": (14250, 57000, 57000, 57000, 57000),
        "Eigenanteil": (5750, 23000, 23000, 23000, 23000),
        "Haushaltsbelastung": (0, 23000, 23000, 23000, 23000),
    },
    "vzae-1.000-ab-2025-01": {
        "Personalaufwand": (0, 80000, 80000, 80000, 80000),
        "Foerderung": (0, 57000, 57000, 57000, 57000),
        "Eigenanteil": (0, 23000, 23000, 23000, 23000),
        "Haushaltsbelastung": (0, 23000, 23000, 23000, 23000),
    },
    "vzae-1.173-ab-2024-10": {
        "Personalaufwand": (23460, 93840, 93840, 93840, 93840),
        "Foerderung": (16715.25, 66861, 66861, 66861, 66861),
        "Eigenanteil": (6744.75, 26979, 26979, 26979, 26979),
        "Haushaltsbelastung": (0, 26979, 26979, 26979, 26979),
    },
    "vzae-1.173-ab-2025-01": {
        "Personalaufwand": (0, 93840, 93840, 93840, 93840),
        "Foerderung": (0, 66861, 66861, 66861, 66861),
        "Eigenanteil": (0, 26979, 26979, 26979, 26979),
        "Haushaltsbelastung": (0, 26979, 26979, 26979, 26979),
    },
}


@pytest.fixture(autouse=True)
def no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default stamps unless a test sets SOURCE_DATE_EPOCH itself."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def build(stem: str, out: Path) -> Path:
    output, *texts = pipeline.build([SHIPPED / f"{stem}.toml"], out)
    assert output.path == out / f"{stem}.xlsx"
    assert [t.path.suffix for t in texts] == [".html", ".txt"]
    return output.path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every shipped scenario built once with the default stamps."""
    out = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        return {stem: build(stem, out) for stem in STEMS}


def zip_stamps(path: Path) -> tuple[set[tuple[int, ...]], list[str]]:
    """The zip entries' date_times, and docProps/core.xml's created and modified texts."""
    with zipfile.ZipFile(path) as archive:
        times = {tuple(info.date_time) for info in archive.infolist()}
        core = ElementTree.fromstring(archive.read("docProps/core.xml"))
    stamps = [core.findtext(f"{DCTERMS}{tag}") or "" for tag in ("created", "modified")]
    return times, stamps


def named_value(book: Any, name: str) -> Any:
    """The cached value of the cell a workbook-scope defined name points at."""
    defined = book.defined_names[name]
    assert defined.localSheetId is None, f"{name} is not at workbook scope"
    [(sheet, coordinate)] = list(defined.destinations)
    return book[sheet][coordinate.replace("$", "")].value


def no_temporary_files(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.startswith(".") or "tmp" in name]


# --- same input, same bytes --------------------------------------------------------------------


def test_same_input_gives_same_bytes(tmp_path: Path) -> None:
    first = build("vzae-1.000-ab-2024-10", tmp_path / "a")
    time.sleep(1.1)  # a timestamp taken from the clock would now differ
    moved = tmp_path / "elsewhere" / "vzae-1.000-ab-2024-10.toml"
    moved.parent.mkdir()
    shutil.copyfile(SHIPPED / "vzae-1.000-ab-2024-10.toml", moved)
    second, *_ = pipeline.build([moved], tmp_path / "b")
    assert first.read_bytes() == second.path.read_bytes()


def test_default_stamps_are_2024_01_01(built: dict[str, Path]) -> None:
    times, stamps = zip_stamps(built["vzae-1.000-ab-2024-10"])
    assert times == {(2024, 1, 1, 0, 0, 0)}
    assert stamps == ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"]


def test_source_date_epoch_sets_the_stamps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: dict[str, Path]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718236800")  # 2024-06-13 00:00:00 UTC
    path = build("vzae-1.000-ab-2024-10", tmp_path)
    times, stamps = zip_stamps(path)
    assert times == {(2024, 6, 13, 0, 0, 0)}
    assert stamps == ["2024-06-13T00:00:00Z", "2024-06-13T00:00:00Z"]
    assert path.read_bytes() != built["vzae-1.000-ab-2024-10"].read_bytes()
    assert build("vzae-1.000-ab-2024-10", tmp_path / "again").read_bytes() == path.read_bytes()


def test_source_date_epoch_beyond_zip_times_is_clamped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zip entry times end in 2107; a later SOURCE_DATE_EPOCH builds with the last one."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "5000000000")  # 2128
    times, stamps = zip_stamps(build("vzae-1.000-ab-2024-10", tmp_path))
    assert {entry[0] for entry in times} == {2107}
    assert stamps == ["2107-12-31T23:59:58Z", "2107-12-31T23:59:58Z"]


# --- cached values and recalculation -----------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_every_formula_cell_has_a_cached_value(built: dict[str, Path], stem: str) -> None:
    formulas = 0
    missing = []
    with zipfile.ZipFile(built[stem]) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 7  # the five sheets, Sensitivität and Varianten
        for name in sheets:
            root = ElementTree.fromstring(archive.read(name))
            for cell in root.iter(f"{MAIN}c"):
                if cell.find(f"{MAIN}f") is None:
                    continue
                formulas += 1
                if not (cell.findtext(f"{MAIN}v") or "").strip():
                    missing.append(f"{name}:{cell.get('r')}")
    assert missing == []
    assert formulas > 100


def test_full_calc_on_load(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["vzae-1.000-ab-2024-10"]) as archive:
        root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    [calc] = root.iter(f"{MAIN}calcPr")
    assert calc.get("fullCalcOnLoad") == "1"


def test_figures_readable_without_recalculation(built: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(built["vzae-1.000-ab-2024-10"], data_only=True)
    assert named_value(book, "Eigenanteil_2025") == 23000
    rows = {
        row[0].value: [cell.value for cell in row[2:8]]
        for row in book["Übersicht"].iter_rows()
        if row[0].value is not None
    }
    # label on the cover: Summe, 2024 … 2028
    assert rows["Eigenanteil (Aufwand − Ertrag)"] == [97750, 5750, 23000, 23000, 23000, 23000]
    assert rows["Haushaltsbelastung (Eigenanteil − Deckung)"] == [
        92000,
        0,
        23000,
        23000,
        23000,
        23000,
    ]


# --- defined names -----------------------------------------------------------------------------


@pytest.mark.parametrize("stem", STEMS)
def test_defined_names_point_at_the_figures(built: dict[str, Path], stem: str) -> None:
    book = openpyxl.load_workbook(built[stem], data_only=True)
    found = {
        f"{result}_{year}": named_value(book, f"{result}_{year}")
        for result in EXPECTED[stem]
        for year in YEARS
    }
    expected = {
        f"{result}_{year}": pytest.approx(value, abs=1e-6)
        for result, values in EXPECTED[stem].items()
        for year, value in zip(YEARS, values, strict=True)
    }
    assert found == expected
    assert named_value(book, "Foerderpauschale") == 57000
    assert named_value(book, "Jahreskosten_VZAE") == 80000


# --- atomic writes -----------------------------------------------------------------------------


def test_write_atomically_creates_a_readable_file(tmp_path: Path) -> None:
    target = tmp_path / "neu" / "x.xlsx"
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(target.parent) == ["x.xlsx"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_failed_replace_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(OLD)

    def full_disk(source: Any, destination: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)  # as used by files.py
    with pytest.raises(OutputError) as raised:
        write_atomically(target, b"new")
    assert str(raised.value) == f"{target}: cannot write: No space left on device"
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["x.xlsx"]


def test_interrupted_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(OLD)

    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)  # as used by files.py
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, b"new")
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["x.xlsx"]


def on_second_call(real: Callable[..., Any], error: BaseException) -> Callable[..., Any]:
    calls = []

    def wrapper(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:
            raise error
        return real(*args)

    return wrapper


@pytest.fixture
def old_and_new(tmp_path: Path, built: dict[str, Path]) -> tuple[Path, dict[str, bytes]]:
    """out/ with old bytes for every shipped workbook, and the new bytes of each."""
    out = tmp_path / "out"
    out.mkdir()
    flat = tmp_path / "scenarios"  # the four flat options, whose workbooks `built` holds
    flat.mkdir()
    for stem in STEMS:
        (out / f"{stem}.xlsx").write_bytes(OLD)
        shutil.copyfile(SHIPPED / f"{stem}.toml", flat / f"{stem}.toml")
    return out, {f"{stem}.xlsx": path.read_bytes() for stem, path in built.items()}


def assert_old_or_new(out: Path, new: dict[str, bytes]) -> None:
    assert sorted(os.listdir(out)) == sorted(new)
    for name, data in new.items():
        assert (out / name).read_bytes() in (OLD, data), f"{name} is neither old nor new"


def test_build_failing_at_second_file_writes_none(
    old_and_new: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, new = old_and_new
    monkeypatch.chdir(out.parent)
    full_disk = OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", on_second_call(os.fsync, full_disk))
    result = CliRunner().invoke(main, ["build", "scenarios", "-o", "out"])
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    # Every file is staged before the first is replaced: the disk filling up while the second
    # file (the first scenario's HTML text) is staged leaves every old file as it was.
    first = "vzae-1.000-ab-2024-10"
    assert result.output == (
        f"Error: out/{first}.finanzielle-auswirkungen.html: cannot write: No space left on device\n"
    )
    assert_old_or_new(out, new)
    assert all((out / name).read_bytes() == OLD for name in new)
    assert no_temporary_files(out) == []


def test_build_interrupted_while_writing_writes_none(
    old_and_new: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, new = old_and_new
    monkeypatch.setattr(os, "fsync", on_second_call(os.fsync, KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        pipeline.build([out.parent / "scenarios"], out)
    assert_old_or_new(out, new)
    assert all((out / name).read_bytes() == OLD for name in new)
    assert no_temporary_files(out) == []


def test_a_workbook_failing_its_own_checks_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A defect that makes the master check FALSE stops the build before any file is written."""
    from kim_budget import lines

    monkeypatch.setattr(lines, "not_negative", lambda value: value < 0)  # a broken check
    with pytest.raises(InternalError) as raised:
        pipeline.build([SHIPPED / "vzae-1.000-ab-2024-10.toml"], tmp_path / "out")
    assert str(raised.value) == (
        "1,0 VZÄ Case Management KIM ab Oktober 2024: the workbook's own checks (sheet "
        "Prüfungen) fail, so it was not written"
    )
    assert not (tmp_path / "out").exists()


# --- one pass: the cells come with their cached values --------------------------------------


def _one_sheet(put: Callable[[Sheet], None]) -> bytes:
    """The worksheet part of a one-sheet book, finished."""
    book = Book([Sheet("Monate")])
    put(book.sheets[0])
    data = pipeline.finished_bytes(book)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def _cells(part: bytes) -> bytes:
    """The <c> elements of a worksheet part, styles left out (their numbers are openpyxl's)."""
    data = part.split(b"<sheetData>")[1].split(b"</sheetData>")[0]
    return re.sub(rb' s="\d+"', b"", re.sub(rb"</?row[^>]*>", b"", data))


def test_formulas_carry_their_typed_values_in_the_same_cell() -> None:
    """B1 = A1*2 (4), C1 = A1>1 (TRUE), D1 = a text with & and <, E1 = A1/4 (0.5), F1 = a
    text formula giving an empty text: numbers untyped, booleans b, texts str, escaped."""
    a1 = Ref("Monate", 1, 1)

    def put(sheet: Sheet) -> None:
        sheet.put(1, 1, 2, "0")
        sheet.put(1, 2, a1 * 2, "0")
        sheet.put(1, 3, a1 > 1)
        sheet.put(1, 4, when(a1 > 1, Text("a&b<c"), Text("")))
        sheet.put(1, 5, a1 / 4, "0.00")
        sheet.put(1, 6, when(a1 > 5, Text("x"), Text("")))

    assert _cells(_one_sheet(put)) == (
        b'<c r="A1" t="n"><v>2</v></c>'
        b'<c r="B1"><f>$A$1*2</f><v>4</v></c>'
        b'<c r="C1" t="b"><f>$A$1&gt;1</f><v>1</v></c>'
        b'<c r="D1" t="str"><f>IF($A$1&gt;1,"a&amp;b&lt;c","")</f><v>a&amp;b&lt;c</v></c>'
        b'<c r="E1"><f>$A$1/4</f><v>0.5</v></c>'
        b'<c r="F1" t="str"><f>IF($A$1&gt;5,"x","")</f><v/></c>'
    )


def test_texts_dates_and_truth_values_take_excels_forms() -> None:
    """A text is an inline string (spaces at its ends kept, never a formula), a date its
    serial number (1 October 2024 = 45566), a truth value 1 or 0."""

    def put(sheet: Sheet) -> None:
        sheet.put(1, 1, "=SUMME(A2) & mehr", role="plain")
        sheet.put(1, 2, " eingerueckt", role="plain")
        sheet.put(1, 3, date(2024, 10, 1), "DD.MM.YYYY")
        sheet.put(1, 4, True)
        sheet.put(2, 1, "", role="plain")

    assert _cells(_one_sheet(put)) == (
        b'<c r="A1" t="inlineStr"><is><t>=SUMME(A2) &amp; mehr</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t xml:space="preserve"> eingerueckt</t></is></c>'
        b'<c r="C1" t="n"><v>45566</v></c>'
        b'<c r="D1" t="b"><v>1</v></c>'
        b'<c r="A2" t="inlineStr"/>'
    )


def test_a_control_character_in_a_text_is_refused_before_writing() -> None:
    with pytest.raises(OutputError) as raised:
        _one_sheet(lambda sheet: sheet.put(1, 1, "Titel\x07", role="plain"))
    assert str(raised.value) == (
        "sheet Monate: the text 'Titel\\x07' holds a control character that a workbook cannot store"
    )


def test_a_finished_sheet_reads_the_same_after_a_parse_and_serialise() -> None:
    """The cells are written in the form the finishing step writes every part in."""
    a1 = Ref("Monate", 1, 1)
    written = _one_sheet(lambda sheet: sheet.put(1, 2, a1 * 2, "0"))
    assert serialise_part(parse_part("xl/worksheets/sheet1.xml", written)) == written


def test_nested_namespace_declarations_keep_their_prefixes() -> None:
    """lxml declares dc, dcterms and xsi on each element; they move to the root, unrenamed."""
    core = (
        b'<cp:coreProperties xmlns:cp="urn:cp"><dc:title xmlns:dc="urn:dc">T</dc:title>'
        b'<dcterms:created xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="urn:xsi"'
        b' xsi:type="dcterms:W3CDTF">2026-11-25T10:15:00Z</dcterms:created>'
        b'<dcterms:modified xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="urn:xsi"'
        b' xsi:type="dcterms:W3CDTF">2026-11-25T10:15:00Z</dcterms:modified></cp:coreProperties>'
    )
    part = parse_part("docProps/core.xml", core)
    stamp_times(part, 1704067200)  # 2024-01-01
    assert serialise_part(part) == (
        b'<cp:coreProperties xmlns:cp="urn:cp" xmlns:dc="urn:dc"'
        b' xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="urn:xsi">'
        b"<dc:title>T</dc:title>"
        b'<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
        b'<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>'
        b"</cp:coreProperties>"
    )


def test_chart_frames_get_their_alternative_text_escaped() -> None:
    drawing = (
        b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">'
        b'<xdr:graphicFrame><xdr:nvGraphicFramePr><xdr:cNvPr name="Chart 1" id="1"/>'
        b"</xdr:nvGraphicFramePr></xdr:graphicFrame></xdr:wsDr>"
    )
    part = parse_part("xl/drawings/drawing1.xml", drawing)
    alt_texts(part, ['Eigenanteil "2025" & <mehr>\nje Jahr'])
    assert (
        b'<xdr:cNvPr name="Chart 1" id="1" descr="Eigenanteil &quot;2025&quot; &amp; '
        b'&lt;mehr&gt;&#10;je Jahr"/>' in serialise_part(part)
    )
    with pytest.raises(InternalError) as raised:
        alt_texts(parse_part("xl/drawings/drawing1.xml", drawing), ["a", "b"])
    assert str(raised.value) == "xl/drawings/drawing1.xml: found 1 chart frames, expected 2"


def expect_a_ninth_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    """A defect: the finishing step expects a chart part the writer never writes."""
    from kim_budget import finish as finish_module

    real = finish_module._edits

    def with_a_ninth_chart(*args: Any) -> dict[str, Any]:
        return {**real(*args), "xl/charts/chart9.xml": lambda part: None}

    monkeypatch.setattr(finish_module, "_edits", with_a_ninth_chart)


def test_a_missing_part_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    expect_a_ninth_chart(monkeypatch)
    book = lay_out_workbook(load_scenario(SHIPPED / "vzae-1.000-ab-2024-10.toml")).book
    with pytest.raises(InternalError) as raised:
        pipeline.finished_bytes(book)
    assert str(raised.value) == "the workbook lacks the part(s) xl/charts/chart9.xml"


def test_a_part_the_layout_lacks_is_an_internal_error() -> None:
    book = Book([Sheet("Monate")])
    book.sheets[0].put(1, 1, 2, "0")
    with pytest.raises(InternalError) as raised, Package(book, BookEnv(book)) as package:
        package.writestr("xl/charts/chart1.xml", b"<chartSpace/>")
    assert str(raised.value) == "the workbook has a part the layout lacks: xl/charts/chart1.xml"
    assert not isinstance(raised.value, KimBudgetError)  # never passed off as the user's fault


def test_cli_reports_an_internal_error_with_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A defect in the finishing step: one line asking for a report, no traceback, no file."""
    expect_a_ninth_chart(monkeypatch)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", str(SHIPPED / "vzae-1.000-ab-2024-10.toml"), "-o", str(out)]
    )
    assert result.exit_code == 2
    assert result.output == (
        "Error: internal error: the workbook lacks the part(s) xl/charts/chart9.xml; please "
        "report this, with the scenario files and the command you ran\n"
    )
    assert "Traceback" not in result.output
    assert not out.exists()
