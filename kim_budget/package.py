"""Reading a workbook from outside: the .xlsx package checked within bounds before any use.

A workbook that comes back by e-mail goes to `import` and `verify`; it may be damaged, another
kind of file, or made to harm (a zip bomb, an XML entity bomb, an external entity, a sheet of
a million rows). `read_package` reads it once, within these bounds, before openpyxl or any
other reader sees it:

- the file: a regular file of at most `MAX_WORKBOOK_BYTES`;
- the zip archive: at most `MAX_PARTS` parts, none encrypted, each stored or deflated (the
  only methods of xlsx), each part at most `MAX_PART_BYTES` and all of them at most
  `MAX_UNPACKED_BYTES` when unpacked, a large part compressed no more than `MAX_RATIO` : 1.
  The sizes are read from the zip directory and then enforced while inflating (zipfile reads
  no more than the directory says, and the CRC check fails when the directory lies);
- every XML part: parsed by expat with no document type declaration (DTD) and so no entity
  at all — one is refused before it could be expanded or fetched —, elements nested at most
  `MAX_XML_DEPTH` deep, at most `MAX_ELEMENTS` in all;
- the sheets: at most `MAX_CELLS` cells, `MAX_FORMULAS` formulas of `MAX_FORMULA_TEXT`
  characters in all, `MAX_ROWS` rows, and at most `MAX_AREA` cells in the rectangles from A1
  to each sheet's last cell (what a reader going row by row visits, merged ranges and
  validated ranges included).

The limits lie far above a real scenario workbook (five years and two positions: some 10,000
cells and 3,000 formulas; sixteen years and twenty graded positions, the most a scenario file
may hold: some 100,000 cells and formulas of 40 characters each) and keep reading and checking
any workbook below 500 MB of memory and 30 seconds. A side-by-side comparison of several long
scenarios can exceed them; its scenarios' own workbooks hold the same formulas and can be
checked one by one. `read_workbook` then gives openpyxl the checked bytes — never the file
again, which might have changed meanwhile.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.parsers import expat

from kim_budget.errors import KimBudgetError
from kim_budget.files import UnreadableFile, read_regular, size_text
from kim_budget.messages import printable, quoted

if TYPE_CHECKING:
    from openpyxl.reader.excel import ExcelReader

MAX_WORKBOOK_BYTES = 20 << 20
MAX_PARTS = 2_000
MAX_PART_BYTES = 64 << 20
MAX_UNPACKED_BYTES = 128 << 20
MAX_RATIO = 100
"""Most a part larger than `_RATIO_FROM` may be compressed (sheet XML: 5–20 : 1)."""
_RATIO_FROM = 1 << 20
MAX_XML_DEPTH = 64
MAX_ELEMENTS = 2_000_000
MAX_CELLS = 200_000
MAX_FORMULAS = 100_000
MAX_FORMULA_TEXT = 6_000_000
"""Most characters of all formulas together (checking a formula costs by its length)."""
MAX_ROWS = 100_000
MAX_AREA = 300_000
_EXCEL_ROWS = 1_048_576
_EXCEL_COLUMNS = 16_384
_CHUNK = 1 << 16
_XML_CHUNK = 1 << 20
MAX_RANGES = 100_000
"""Most merged and validated ranges in all sheets."""

_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OPENDOCUMENT = b"application/vnd.oasis.opendocument"
_END_OF_DIRECTORY = b"PK\x05\x06"
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_SHEET_ROOTS = frozenset({"worksheet", "dialogsheet"})


class PackageError(KimBudgetError):
    """A file that is no workbook to read: what it is instead, or the bound it breaks."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{printable(str(path))}: {reason}")


@dataclass(frozen=True)
class Package:
    """A workbook file's bytes, checked by `read_package`."""

    path: Path
    data: bytes

    def archive(self) -> zipfile.ZipFile:
        """The zip archive (its parts are checked: safe to read whole)."""
        return zipfile.ZipFile(io.BytesIO(self.data))


def read_package(path: Path) -> Package:
    """The file's bytes once every bound above is checked; `PackageError` says why not."""
    try:
        data = read_regular(path, MAX_WORKBOOK_BYTES)
    except UnreadableFile as error:
        raise PackageError(path, error.reason) from None
    problem = _what_else(data)
    if problem is not None:
        raise PackageError(path, problem)
    try:
        _check_parts(data)
    except _Refused as refused:
        raise PackageError(path, str(refused)) from None
    return Package(path, data)


def read_workbook(package: Package, *, data_only: bool) -> ExcelReader:
    """openpyxl's reader once it has read the checked bytes: the workbook (`wb`), its shared
    strings and sheet parts. Quietly: openpyxl's warnings about parts it drops (Gnumeric's
    output has no default style, say) affect no value or formula."""
    from openpyxl.reader.excel import ExcelReader

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        reader = ExcelReader(io.BytesIO(package.data), data_only=data_only)
        reader.read()
    return reader


class _Refused(Exception):
    """A part breaks a bound or is damaged; the message says which and how."""


# --- what the file is ---------------------------------------------------------------------------


def _what_else(data: bytes) -> str | None:
    """What the file is when it is no xlsx workbook (empty, text, .xls, .ods, truncated)."""
    if not data:
        return "not an xlsx workbook: the file is empty (0 bytes)"
    if data.startswith(_OLE2_SIGNATURE):
        return (
            "not an xlsx workbook: an Excel 97-2003 file (.xls) or a password-protected "
            "workbook; save it as Excel 2007-365 (.xlsx) without a password"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK"):
            return f"truncated or damaged: the zip archive is incomplete ({len(data)} bytes)"
        return "not an xlsx workbook (no zip archive)"
    directory = _directory_problem(data)
    if directory is not None:
        return directory
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {info.filename for info in archive.infolist()}
            if "mimetype" in names and _starts(archive, "mimetype", _OPENDOCUMENT):
                return (
                    "not an xlsx workbook: an OpenDocument file (.ods); "
                    "save it as Excel 2007-365 (.xlsx)"
                )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        return f"truncated or damaged: {_describe(error)}"
    except NotImplementedError as error:
        return f"not an xlsx workbook: {_describe(error)}"
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        return "not an xlsx workbook: a zip archive without the parts of a workbook"
    return None


def _directory_problem(data: bytes) -> str | None:
    """Bounds of the zip directory, read from its end record before zipfile lists it."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return f"truncated or damaged: the zip archive is incomplete ({len(data)} bytes)"
    parts = int.from_bytes(data[end + 10 : end + 12], "little")
    size = int.from_bytes(data[end + 12 : end + 16], "little")
    if parts == 0xFFFF or size == 0xFFFF_FFFF:
        return "not an xlsx workbook: a zip64 archive, larger than any workbook"
    if parts > MAX_PARTS:
        return f"too large: the archive has {parts:,} parts; at most {MAX_PARTS:,} are read"
    return None


def _starts(archive: zipfile.ZipFile, name: str, prefix: bytes) -> bool:
    with archive.open(name) as stream:
        return stream.read(len(prefix)) == prefix


def _describe(error: BaseException) -> str:
    text = str(error).strip().strip("'\"")
    return text or "unexpected content"


# --- the parts ----------------------------------------------------------------------------------


@dataclass
class _Budget:
    """What the parts read so far have used of the bounds shared by the whole workbook."""

    unpacked: int = 0
    elements: int = 0
    cells: int = 0
    formulas: int = 0
    formula_text: int = 0
    rows: int = 0
    area: int = 0
    ranges: int = 0


def _check_parts(data: bytes) -> None:
    budget = _Budget()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_directory(infos)
            for info in infos:
                _check_part(archive, info, budget)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _Refused(f"truncated or damaged: {_describe(error)}") from None


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_PARTS:
        raise _Refused(f"too large: the archive has {len(infos):,} parts; at most {MAX_PARTS:,}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = _part_name(info)
        if info.filename in seen:
            raise _Refused(f"damaged: the archive holds the part {name} twice")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise _Refused(
                f"not an xlsx workbook: the part {name} is encrypted; "
                "save the workbook without a password"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused(
                f"not an xlsx workbook: the part {name} is compressed with method "
                f"{info.compress_type}; workbooks use only stored or deflated parts"
            )
        if info.file_size > MAX_PART_BYTES:
            raise _Refused(
                f"too large: the part {name} unpacks to {size_text(info.file_size)}; "
                f"at most {size_text(MAX_PART_BYTES)} per part"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FROM and ratio > MAX_RATIO:
            raise _Refused(
                f"too large: the part {name} unpacks {ratio:,.0f} times its packed size "
                f"(a zip bomb?); at most {MAX_RATIO} times"
            )
        total += info.file_size
    if total > MAX_UNPACKED_BYTES:
        raise _Refused(
            f"too large: the parts unpack to {size_text(total)}; "
            f"at most {size_text(MAX_UNPACKED_BYTES)} in all"
        )


def _part_name(info: zipfile.ZipInfo) -> str:
    return quoted(info.filename, 80, ("", ""))


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    """The part's bytes, inflated chunk by chunk within the bounds; its CRC checked."""
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                budget.unpacked += len(chunk)
                if size > MAX_PART_BYTES or budget.unpacked > MAX_UNPACKED_BYTES:
                    raise _Refused(
                        f"too large: the part {_part_name(info)} unpacks beyond the bounds"
                    )
                chunks.append(chunk)
    except zipfile.BadZipFile as error:
        if "CRC" in str(error):
            raise _Refused(
                f"truncated or damaged: the part {_part_name(info)} is corrupt (CRC check failed)"
            ) from None
        raise
    return b"".join(chunks)


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> None:
    data = _inflate(archive, info, budget)
    xml = info.filename.lower().endswith(_XML_SUFFIXES)
    if not (xml or data[:64].lstrip().startswith(_XML_STARTS)):
        return
    scan = _XmlScan(_part_name(info), budget)
    try:
        for start in range(0, len(data), _XML_CHUNK):
            scan.feed(data[start : start + _XML_CHUNK], final=False)
        scan.feed(b"", final=True)
    except expat.ExpatError as error:
        raise _Refused(
            f"damaged: the part {_part_name(info)} is not well-formed XML ({error})"
        ) from None
    scan.finish()


# --- XML ----------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    """Where a worksheet's cells reach, as a reader going row by row sees them."""

    row: int = 0
    column: int = 0
    last_row: int = 0
    last_column: int = 0
    ranges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def reach(self, row: int, column: int) -> None:
        self.last_row = max(self.last_row, row)
        self.last_column = max(self.last_column, column)


class _XmlScan:
    """One XML part through expat: no DTD, bounded depth and elements; sheets' cells counted."""

    def __init__(self, name: str, budget: _Budget) -> None:
        self.name = name
        self.budget = budget
        self.depth = 0
        self.sheet: _Sheet | None = None
        self.root = True
        self.in_formula = False
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.UnparsedEntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._external
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.buffer_text = True
        self.parser = parser

    def feed(self, data: bytes, *, final: bool) -> None:
        self.parser.Parse(data, final)

    def _doctype(self, *_: object) -> None:
        raise _Refused(
            f"not an xlsx workbook: the part {self.name} declares a document type (DTD), "
            "which no workbook does and which could define XML entities; it is not read"
        )

    def _entity(self, *_: object) -> None:
        raise _Refused(f"not an xlsx workbook: the part {self.name} declares an XML entity")

    def _external(self, *_: object) -> int:
        raise _Refused(f"not an xlsx workbook: the part {self.name} refers to an external entity")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.budget.elements += 1
        if self.depth > MAX_XML_DEPTH:
            raise _Refused(
                f"damaged: the part {self.name} nests elements more than {MAX_XML_DEPTH} deep"
            )
        if self.budget.elements > MAX_ELEMENTS:
            raise _Refused(f"too large: more than {MAX_ELEMENTS:,} XML elements in all")
        local = name.rpartition(" ")[2]
        if self.root:
            self.root = False
            if local in _SHEET_ROOTS:
                self.sheet = _Sheet()
        elif self.sheet is not None:
            self._sheet_element(self.sheet, local, attributes)

    def _end(self, _: str) -> None:
        self.depth -= 1
        self.in_formula = False

    def _text(self, data: str) -> None:
        if self.in_formula:
            self.budget.formula_text += len(data)
            if self.budget.formula_text > MAX_FORMULA_TEXT:
                raise _Refused(
                    f"too large: the formulas hold more than {MAX_FORMULA_TEXT:,} characters; "
                    f"at most {MAX_FORMULA_TEXT:,} are checked"
                )

    def _sheet_element(self, sheet: _Sheet, local: str, attributes: dict[str, str]) -> None:
        if local == "c":
            self.budget.cells += 1
            if self.budget.cells > MAX_CELLS:
                raise _Refused(
                    f"too large: the sheets hold more than {MAX_CELLS:,} cells; "
                    f"at most {MAX_CELLS:,} are read"
                )
            place = _cell(attributes.get("r"))
            sheet.column = place[1] if place else sheet.column + 1
            sheet.reach(sheet.row, sheet.column)
        elif local == "f":
            self.in_formula = True
            self.budget.formulas += 1
            if self.budget.formulas > MAX_FORMULAS:
                raise _Refused(
                    f"too large: the sheets hold more than {MAX_FORMULAS:,} formulas; "
                    f"at most {MAX_FORMULAS:,} are checked"
                )
        elif local == "row":
            self.budget.rows += 1
            if self.budget.rows > MAX_ROWS:
                raise _Refused(
                    f"too large: the sheets have more than {MAX_ROWS:,} rows; "
                    f"at most {MAX_ROWS:,} are read"
                )
            number = attributes.get("r", "")
            sheet.row = int(number) if number.isdigit() else sheet.row + 1
            sheet.column = 0
            if not 1 <= sheet.row <= _EXCEL_ROWS:
                raise _Refused(f"damaged: the part {self.name} has a row number {sheet.row}")
        elif local == "mergeCell":
            merged = _ranges(attributes.get("ref", ""))
            self._count_ranges(len(merged))
            for first_row, first_col, last_row, last_col in merged:
                sheet.reach(last_row, last_col)  # a reader makes a cell of every merged one
                self.budget.area += (last_row - first_row + 1) * (last_col - first_col + 1)
        elif local == "dataValidation":
            validated = _ranges(attributes.get("sqref", ""))
            self._count_ranges(len(validated))
            sheet.ranges += validated

    def _count_ranges(self, count: int) -> None:
        self.budget.ranges += count
        if self.budget.ranges > MAX_RANGES:
            raise _Refused(
                f"too large: more than {MAX_RANGES:,} merged or validated ranges; "
                f"at most {MAX_RANGES:,} are read"
            )

    def finish(self) -> None:
        """After the whole part: the area its cells reach, and its validated ranges inside it
        (verify looks up each input cell's validation there)."""
        sheet = self.sheet
        if sheet is None:
            return
        for first_row, first_col, last_row, last_col in sheet.ranges:
            rows = min(last_row, sheet.last_row) - first_row + 1
            columns = min(last_col, sheet.last_column) - first_col + 1
            self.budget.area += max(rows, 0) * max(columns, 0)
        self.budget.area += sheet.last_row * sheet.last_column
        if self.budget.area > MAX_AREA:
            raise _Refused(
                f"too large: the sheets span more than {MAX_AREA:,} cells from A1 to their "
                f"last cells (the part {self.name} reaches row {sheet.last_row:,}, column "
                f"{sheet.last_column:,}); at most {MAX_AREA:,} are read"
            )


def _cell(reference: str | None) -> tuple[int, int] | None:
    """(row, column) of "B12"; None when absent; `_Refused` when outside a sheet."""
    if not reference:
        return None
    match = _CELL.fullmatch(reference)
    if match is None:
        raise _Refused(f"damaged: a cell reference {quoted(reference)} is no cell")
    column = 0
    for letter in match[1].upper():
        column = column * 26 + ord(letter) - 64
    row = int(match[2])
    if not (1 <= row <= _EXCEL_ROWS and 1 <= column <= _EXCEL_COLUMNS):
        raise _Refused(f"damaged: the cell reference {quoted(reference)} lies outside a sheet")
    return row, column


def _ranges(text: str) -> list[tuple[int, int, int, int]]:
    """The rectangles (first row, first column, last row, last column) of "A1:B3 D5";
    what is no range is left out (the reader then ignores it too)."""
    found = []
    for part in text.split():
        first, _, last = part.partition(":")
        try:
            start = _cell(first)
            end = _cell(last) if last else start
        except _Refused:
            continue
        if start is not None and end is not None:
            rows = sorted((start[0], end[0]))
            columns = sorted((start[1], end[1]))
            found.append((rows[0], columns[0], rows[1], columns[1]))
    return found
