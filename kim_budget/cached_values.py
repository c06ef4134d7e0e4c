"""The cached values of a workbook's formula cells, read beside its formulas in one load.

openpyxl reads a workbook either with its formulas or with their cached results; loading it
twice costs twice. Here the sheets' parts, already checked by `package.read_package`, are
parsed a second time by openpyxl's own sheet parser in its data_only mode — the same reading
of dates, shared strings, booleans and errors — keeping only the formula cells' values.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from kim_budget.package import Package, PackageError

if TYPE_CHECKING:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

CachedValues = dict[str, dict[tuple[int, int], Any]]
"""Sheet name → (row, column) → the cached value of each formula cell."""


def cached_values(reader: ExcelReader, checked: Package) -> CachedValues:
    """The cached values of the formula cells of a workbook openpyxl read with its formulas,
    as its data_only load reads them: openpyxl's own sheet parser in data_only mode over the
    same checked parts (dates by the cell's format, shared strings, booleans, errors), without
    building a second workbook."""
    book = reader.wb
    parts = [
        rel.target
        for _, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]
    if len(parts) != len(book.worksheets):
        raise PackageError(checked.path, "damaged: its sheets cannot be matched with their parts")
    values: CachedValues = {}
    with checked.archive() as archive:
        for ws, part in zip(book.worksheets, parts, strict=True):
            values[ws.title] = _formula_values(book, ws, archive.open(part), reader.shared_strings)
    return values


def _formula_values(
    book: Workbook, ws: Worksheet, part: IO[bytes], shared_strings: list[Any]
) -> dict[tuple[int, int], Any]:
    """The cached values of one sheet's formula cells, parsed from its part."""
    from openpyxl.worksheet._reader import WorkSheetParser

    stored: dict[tuple[int, int], Any] = getattr(ws, "_cells")  # noqa: B009
    found: dict[tuple[int, int], Any] = {}
    with part:
        parser = WorkSheetParser(
            part,
            shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=getattr(book, "_date_formats"),  # noqa: B009
            timedelta_formats=getattr(book, "_timedelta_formats"),  # noqa: B009
        )
        for _, cells in parser.parse():
            for cell in cells:
                where = (cell["row"], cell["column"])
                if getattr(stored.get(where), "data_type", None) == "f":
                    found[where] = cell["value"]
    return found
