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
from xml.sax.saxutils import escape

from kim_budget.errors import OutputError
from kim_budget.formula import Expr, Scalar, column_letter
from kim_budget.workbook.grid import Book, BookEnv

DEFAULT_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/></c>')
_STAMP = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def build_epoch() -> int:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the fixed default."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    if value.strip().isdigit():
        return max(int(value), 315532800)  # zip times start in 1980
    return DEFAULT_EPOCH


def cached_values(book: Book) -> dict[str, dict[str, Scalar]]:
    """The value of every formula cell, per sheet name and A1 coordinate."""
    env = BookEnv(book)
    values: dict[str, dict[str, Scalar]] = {}
    for sheet in book.sheets:
        values[sheet.name] = {
            f"{column_letter(col)}{row}": env.value(sheet.name, row, col)
            for (row, col), cell in sheet.cells.items()
            if isinstance(cell.content, Expr)
        }
    return values


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


def _stamp_text(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def finish(xlsx: bytes, book: Book) -> bytes:
    """The file with cached values in every formula cell, fixed stamps and fixed zip metadata."""
    values = cached_values(book)
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
