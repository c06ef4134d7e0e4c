"""verify reads each workbook with openpyxl once: the formulas as openpyxl loads them, the
cached values of the formula cells by openpyxl's own sheet parser over the same checked parts.

Every cell must read as openpyxl's second, data_only load would read it — numbers, dates (by
the cell's format), booleans, text, shared strings, errors, cells without a cached value —
and a workbook must be loaded once.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers import SHIPPED

from kim_budget.loader import load_scenario
from kim_budget.pipeline import workbook_bytes
from kim_budget.verify import verify_workbooks
from kim_budget.verify.package_xml import open_workbook

SHEET = "xl/worksheets/sheet1.xml"
SHARED = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>Geteilt</t></si></sst>'
)
SHARED_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
SHARED_RELATIONSHIP = (
    '<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
# Formula cells of a hand-made sheet: A1 coordinate → (number format, t attribute, <v> text).
CACHED = {
    "A1": ("0.00", None, "2.5"),
    "A2": ("0", "n", "42"),
    "A3": ("DD.MM.YYYY", None, "45658"),
    "A4": ("[h]:mm", None, "1.25"),
    "A5": ("General", "b", "1"),
    "A6": ("General", "b", "0"),
    "A7": ("General", "str", "Haushalt"),
    "A8": ("General", "e", "#DIV/0!"),
    "A9": ("General", "s", "0"),
    "A10": ("0.00", None, None),
    "A11": ("0.00", None, ""),
}


def every_value(book: openpyxl.Workbook) -> dict[tuple[str, int, int], Any]:
    """(sheet, row, column) → value of every cell a sheet stores."""
    return {
        (ws.title, row, col): cell.value
        for ws in book.worksheets
        for (row, col), cell in getattr(ws, "_cells").items()  # noqa: B009
    }


def read_once(path: Path) -> dict[tuple[str, int, int], Any]:
    opened = open_workbook(path)
    cells = every_value(opened.book)
    return {key: opened.cached_value(*key) for key in cells}


def hand_made(path: Path) -> Path:
    """A workbook whose formula cells carry the cached values of CACHED; A9's is the shared
    string "Geteilt"."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for number, (coordinate, (number_format, _, _)) in enumerate(CACHED.items(), start=1):
        ws[coordinate] = f"={number}+0"
        ws[coordinate].number_format = number_format
        ws[f"B{number}"] = f"Text {number}"
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == SHEET:
                data = _with_cached(data.decode()).encode()
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SHARED_TYPE.encode())
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", SHARED_RELATIONSHIP.encode())
            target.writestr(item, data)
        target.writestr("xl/sharedStrings.xml", SHARED)
    return path


def _with_cached(xml: str) -> str:
    for coordinate, (_, kind, text) in CACHED.items():
        cell = re.search(rf'<c r="{coordinate}"([^>]*)><f>([^<]*)</f><v\s*/?>(</v>)?</c>', xml)
        assert cell is not None, coordinate
        kind_attribute = f' t="{kind}"' if kind else ""
        cached = "" if text is None else f"<v>{text}</v>"
        replaced = f'<c r="{coordinate}"{cell[1]}{kind_attribute}><f>{cell[2]}</f>{cached}</c>'
        xml = xml.replace(cell[0], replaced)
    return xml


def test_cached_values_are_openpyxls_data_only_values(tmp_path: Path) -> None:
    path = hand_made(tmp_path / "zwischenspeicher.xlsx")
    expected = every_value(openpyxl.load_workbook(io.BytesIO(path.read_bytes()), data_only=True))
    assert read_once(path) == expected
    shown = {key[1]: value for key, value in expected.items() if key[2] == 1}
    assert shown[9] == "Geteilt"
    assert [type(shown[row]).__name__ for row in (1, 2, 3, 4, 5, 7, 9, 10)] == [
        "float",
        "int",
        "datetime",
        "timedelta",
        "bool",
        "str",
        "str",
        "NoneType",
    ]


@pytest.mark.parametrize("stem", ["vzae-1.000-ab-2024-10", "vzae-1.000-ab-2024-10-tvoed"])
def test_a_built_workbook_reads_as_twice(stem: str, tmp_path: Path) -> None:
    path = tmp_path / f"{stem}.xlsx"
    path.write_bytes(workbook_bytes(load_scenario(SHIPPED / f"{stem}.toml")))
    expected = every_value(openpyxl.load_workbook(io.BytesIO(path.read_bytes()), data_only=True))
    assert read_once(path) == expected
    assert sum(isinstance(value, float) for value in expected.values()) > 200


def test_verify_loads_each_workbook_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl.reader.excel import ExcelReader

    for stem in ("vzae-1.000-ab-2024-10", "vzae-1.173-ab-2025-01"):
        scenario = load_scenario(SHIPPED / f"{stem}.toml")
        (tmp_path / f"{stem}.xlsx").write_bytes(workbook_bytes(scenario))
    loads: list[bool] = []
    original = ExcelReader.read

    def counted(reader: ExcelReader) -> None:
        loads.append(reader.data_only)
        original(reader)

    monkeypatch.setattr(ExcelReader, "read", counted)
    report = verify_workbooks([tmp_path], use_engine=False)
    assert report.ok, report
    assert loads == [False, False]
