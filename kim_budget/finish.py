"""Finish an .xlsx file after openpyxl saved it: cached values, fixed stamps, atomic replace.

- Cached values: openpyxl writes every formula with an empty result. Here each formula is
  evaluated from the same `Expr` that rendered it, and the result is written into the cell,
  so Protected View, previews, pandas and other readers show the figures without recalculating.
  fullCalcOnLoad stays set, so Excel recalculates anyway.
- Same input, same bytes: document timestamps and zip entry times are fixed
  (SOURCE_DATE_EPOCH when set, else 2024-01-01).
- Atomic replace: the file is written to a temporary file in the target folder, then renamed.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape, unescape

from kim_budget.errors import OutputError
from kim_budget.formula import Expr, Scalar, cell_position, column_letter
from kim_budget.workbook.grid import Book, BookEnv
from kim_budget.workbook.pruefungen import MASTER_NAME

DEFAULT_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
ZIP_EPOCHS = (315532800, 4354819198)  # zip entry times run from 1980 to 2107
_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/></c>')
_CHART_RANGE = re.compile(r"<numRef><f>([^<]*)</f></numRef>")
_FRAME_NAME = re.compile(r'<cNvPr id="(\d+)" name="([^"]*)" />')
_STAMP = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def build_epoch() -> int:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the fixed default."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    if value.strip().isdigit():
        return min(max(int(value), ZIP_EPOCHS[0]), ZIP_EPOCHS[1])
    return DEFAULT_EPOCH


def range_cells(area: str) -> list[tuple[int, int]]:
    """The (row, column) cells of an A1 range such as D20:H20, row by row."""
    first, _, last = area.partition(":")
    (row1, col1), (row2, col2) = cell_position(first), cell_position(last or first)
    return [(row, col) for row in range(row1, row2 + 1) for col in range(col1, col2 + 1)]


def formula_values(book: Book, env: BookEnv | None = None) -> dict[str, dict[str, Scalar]]:
    """The value of every formula cell, per sheet name and A1 coordinate."""
    env = env or BookEnv(book)
    values: dict[str, dict[str, Scalar]] = {}
    for sheet in book.sheets:
        values[sheet.name] = {
            f"{column_letter(col)}{row}": env.value(sheet.name, row, col)
            for (row, col), cell in sheet.cells.items()
            if isinstance(cell.content, Expr)
        }
    return values


def _require_checks_pass(book: Book, env: BookEnv) -> None:
    """A workbook whose own master check fails is never written."""
    master = book.names.get(MASTER_NAME)
    if master is not None and env.value(master.sheet, master.row, master.col) is not True:
        title = book.properties.get("title", "")
        raise OutputError(
            f"{title}: the workbook's own checks (sheet Prüfungen) fail, so it was not written; "
            "please report this with the scenario file"
        )


def _value_xml(value: Scalar) -> tuple[str, str]:
    """The type attribute and <v> text of a cached value."""
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, str):
        return ' t="str"', escape(value)
    if value is None:
        return "", "0"
    if isinstance(value, float) and value.is_integer():
        return "", str(int(value))
    return "", repr(value)


def _fill_sheet(xml: str, values: Mapping[str, Scalar]) -> str:
    def fill(match: re.Match[str]) -> str:
        coordinate, attributes, formula = match.groups()
        kind, text = _value_xml(values[coordinate])
        return f'<c r="{coordinate}"{attributes}{kind}><f>{formula}</f><v>{text}</v></c>'

    filled, count = _FORMULA_CELL.subn(fill, xml)
    if count != len(values):
        raise OutputError(f"found {count} formula cells, expected {len(values)}")
    return filled


def _chart_cache(xml: str, env: BookEnv) -> str:
    """Add each chart range's current values (numCache), so previews draw the chart."""

    def cache(match: re.Match[str]) -> str:
        reference = match.group(1)
        quoted_sheet, area = unescape(reference).rsplit("!", 1)
        sheet = quoted_sheet.strip("'").replace("''", "'")
        cells = range_cells(area)
        points = "".join(
            f'<pt idx="{index}"><v>{_value_xml(env.value(sheet, row, col))[1]}</v></pt>'
            for index, (row, col) in enumerate(cells)
        )
        return (
            f"<numRef><f>{reference}</f><numCache><formatCode>General</formatCode>"
            f'<ptCount val="{len(cells)}"/>{points}</numCache></numRef>'
        )

    return _CHART_RANGE.sub(cache, xml)


def _alt_texts(xml: str, texts: list[str]) -> str:
    """Give each chart frame of a drawing its alternative text (descr), in order."""
    remaining = iter(texts)

    def describe(match: re.Match[str]) -> str:
        text = escape(next(remaining), {'"': "&quot;"})
        return f'<cNvPr id="{match.group(1)}" name="{match.group(2)}" descr="{text}" />'

    return _FRAME_NAME.sub(describe, xml)


def _stamp_text(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def finish(xlsx: bytes, book: Book, env: BookEnv | None = None) -> bytes:
    """The file with cached values in every formula cell, fixed stamps and fixed zip metadata.

    `env` is the book's evaluation when the caller has one already (it evaluates each cell once).
    """
    env = env or BookEnv(book)
    values = formula_values(book, env)
    _require_checks_pass(book, env)
    alt_texts = [chart.alt_text for sheet in book.sheets for chart in sheet.charts]
    sheet_files = {
        f"xl/worksheets/sheet{n}.xml": s.name for n, s in enumerate(book.sheets, start=1)
    }
    epoch = build_epoch()
    date_time = time.gmtime(epoch)[:6]
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename in sheet_files:
                data = _fill_sheet(
                    data.decode("utf-8"), values[sheet_files[entry.filename]]
                ).encode("utf-8")
            elif entry.filename.startswith("xl/charts/chart"):
                data = _chart_cache(data.decode("utf-8"), env).encode("utf-8")
            elif entry.filename == "xl/drawings/drawing1.xml":
                data = _alt_texts(data.decode("utf-8"), alt_texts).encode("utf-8")
            elif entry.filename == "docProps/core.xml":
                stamp = _stamp_text(epoch)
                data = _STAMP.sub(rf"\g<1>{stamp}\g<2>", data.decode("utf-8")).encode("utf-8")
            info = zipfile.ZipInfo(entry.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return output.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that it is either the complete new file or untouched."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise OutputError(f"{path}: cannot write: {error.strerror or error}") from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {error.strerror or error}") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
