"""Finish the .xlsx file while its parts are written: the `Package` the writer writes into.

- Cached values: the worksheets' cells come with them (`workbook.cells_xml`: each formula
  evaluated from the same `Expr` that rendered it), so Protected View, previews, pandas and
  other readers show the figures without recalculating; fullCalcOnLoad stays set, so Excel
  recalculates anyway. Charts get their cached data (numCache, strCache) and chart frames their
  alternative text here.
- Same input, same bytes: document timestamps and zip entry times are fixed
  (SOURCE_DATE_EPOCH when set, else 2024-01-01), and every part openpyxl writes around the
  cells is brought into one written form (`serialise_part`).

One pass: each part is stored once, as it arrives, not unpacked and packed again. The parts
that are edited are edited as XML trees (`parse_part` / `serialise_part`), never as text, so
the result does not depend on how openpyxl serialises them: with or without lxml, any
attribute order or whitespace. What the finishing step does not find (a part, a chart frame)
is a defect of kim-budget: `InternalError`.
"""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, SubElement

from kim_budget.errors import InternalError
from kim_budget.formula import cell_position
from kim_budget.workbook.grid import Book, BookEnv
from kim_budget.workbook.pruefungen import MASTER_NAME
from kim_budget.xml_text import escape_attribute, escape_text, value_text

DEFAULT_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
ZIP_EPOCHS = (315532800, 4354819198)  # zip entry times run from 1980 to 2107
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
DCTERMS = "{http://purl.org/dc/terms/}"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_DECLARATION = re.compile(rb"<\?xml[^>]*\?>\s*")
_UTF8_OR_NONE = re.compile(rb"^(?!.*encoding)|encoding=[\"'](?i:utf-8)[\"']", re.DOTALL)
_EMPTY_SHEET_DATA = b"<sheetData/>"
_EDITED_FAMILY = re.compile(r"xl/(?:worksheets/sheet|charts/chart|drawings/drawing)\d+\.xml")


# --- XML parts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class XmlPart:
    """One XML part of the package, parsed for editing.

    `declaration` is the XML declaration exactly as the source has it (or empty);
    `namespaces` every (prefix, URI) the source declares, in order ("" is the default
    namespace). `root` is edited in place.
    """

    name: str
    declaration: bytes
    root: Element
    namespaces: tuple[tuple[str, str], ...]


def parse_part(name: str, data: bytes) -> XmlPart:
    """Parse a part, keeping its declaration and its namespace prefixes."""
    declaration = _DECLARATION.match(data)
    if declaration and not _UTF8_OR_NONE.search(declaration.group(0)):
        raise InternalError(f"{name}: not encoded as UTF-8")
    namespaces: list[tuple[str, str]] = []
    root: Element | None = None
    try:
        for event, item in ElementTree.iterparse(io.BytesIO(data), events=("start-ns", "start")):
            if event == "start-ns" and item not in namespaces:
                namespaces.append(item)
            elif event == "start" and root is None:
                root = item
    except ElementTree.ParseError as error:
        raise InternalError(f"{name}: not well-formed XML: {error}") from error
    if root is None:
        raise InternalError(f"{name}: no root element")
    bound: dict[str, str] = {}
    for prefix, uri in namespaces:
        if bound.setdefault(prefix, uri) != uri:
            raise InternalError(f"{name}: the prefix {prefix or '(default)'} names two namespaces")
    return XmlPart(name, declaration.group(0) if declaration else b"", root, tuple(namespaces))


class _Names:
    """Qualified names in the part's own prefixes; every declaration goes on the root element."""

    def __init__(self, part: XmlPart) -> None:
        self.part = part
        self.elements: dict[str, str] = {XML_NAMESPACE: "xml"}
        self.attributes: dict[str, str] = {XML_NAMESPACE: "xml"}
        for prefix, uri in part.namespaces:
            self.elements.setdefault(uri, prefix)
            if prefix:
                self.attributes.setdefault(uri, prefix)
        self.has_default = any(not prefix for prefix, _ in part.namespaces)
        self.seen: dict[tuple[str, bool], str] = {}

    def declarations(self) -> str:
        return "".join(
            f' xmlns{":" if prefix else ""}{prefix}="{escape_attribute(uri)}"'
            for prefix, uri in self.part.namespaces
        )

    def qualified(self, name: str, attribute: bool = False) -> str:
        """`{uri}local` in the part's prefix for `uri`; attributes never take the default."""
        key = (name, attribute)
        if key not in self.seen:
            self.seen[key] = self._qualified(name, attribute)
        return self.seen[key]

    def _qualified(self, name: str, attribute: bool) -> str:
        if not name.startswith("{"):
            if self.has_default and not attribute:
                raise InternalError(
                    f"{self.part.name}: element {name} outside the default namespace"
                )
            return name
        uri, local = name[1:].split("}", 1)
        prefixes = self.attributes if attribute else self.elements
        if uri not in prefixes:
            raise InternalError(f"{self.part.name}: no prefix declared for {uri}")
        prefix = prefixes[uri]
        return f"{prefix}:{local}" if prefix else local


def _write(element: Element, names: _Names, out: list[str], declarations: str = "") -> None:
    tag = names.qualified(element.tag)
    attributes = "".join(
        f' {names.qualified(key, attribute=True)}="{escape_attribute(value)}"'
        for key, value in element.attrib.items()
    )
    if len(element) == 0 and not element.text:
        out.append(f"<{tag}{declarations}{attributes}/>")
    else:
        out.append(f"<{tag}{declarations}{attributes}>")
        if element.text:
            out.append(escape_text(element.text))
        for child in element:
            _write(child, names, out)
        out.append(f"</{tag}>")
    if element.tail:
        out.append(escape_text(element.tail))


def serialise_part(part: XmlPart) -> bytes:
    """The part as UTF-8 bytes: its own declaration and prefixes, every namespace it declared
    (so attributes such as mc:Ignorable keep naming declared prefixes), the same bytes for the
    same tree."""
    names = _Names(part)
    out: list[str] = []
    _write(part.root, names, out, names.declarations())
    return part.declaration + "".join(out).encode("utf-8")


# --- the finishing step ------------------------------------------------------------------------


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


def _require_checks_pass(book: Book, env: BookEnv) -> None:
    """A workbook whose own master check fails is never written."""
    master = book.names.get(MASTER_NAME)
    if master is not None and env.value(master.sheet, master.row, master.col) is not True:
        title = book.properties.get("title", "")
        raise InternalError(
            f"{title}: the workbook's own checks (sheet Prüfungen) fail, so it was not written"
        )


def chart_cache(part: XmlPart, env: BookEnv, sheets: Sequence[str]) -> None:
    """Add each chart range's current values — numbers (numCache) and texts such as the
    municipalities' names (strCache) — so previews and viewers draw the chart from the file."""
    references = list(part.root.iter(f"{CHART}numRef"))
    if not references:
        raise InternalError(f"{part.name}: no data range (numRef) found")
    for reference in references:
        _cache(part, reference, env, sheets, "numCache")
    for reference in list(part.root.iter(f"{CHART}strRef")):
        _cache(part, reference, env, sheets, "strCache")


def _cache(
    part: XmlPart, reference: Element, env: BookEnv, sheets: Sequence[str], kind: str
) -> None:
    formula = reference.find(f"{CHART}f")
    if formula is None or not formula.text:
        raise InternalError(f"{part.name}: a data range without its reference")
    quoted_sheet, area = formula.text.rsplit("!", 1)
    sheet = quoted_sheet.strip("'").replace("''", "'")
    if sheet not in sheets:
        raise InternalError(f"{part.name}: {formula.text} names a sheet the layout lacks")
    for old in reference.findall(f"{CHART}{kind}"):
        reference.remove(old)
    cache = Element(f"{CHART}{kind}")
    reference.insert(list(reference).index(formula) + 1, cache)
    if kind == "numCache":
        SubElement(cache, f"{CHART}formatCode").text = "General"
    cells = range_cells(area)
    SubElement(cache, f"{CHART}ptCount", val=str(len(cells)))
    for index, (row, col) in enumerate(cells):
        point = SubElement(cache, f"{CHART}pt", idx=str(index))
        SubElement(point, f"{CHART}v").text = value_text(env.value(sheet, row, col))[1]


def alt_texts(part: XmlPart, texts: Sequence[str]) -> None:
    """Give each chart frame of a drawing its alternative text (descr), in order."""
    frames = [
        frame.find(f"{DRAWING}nvGraphicFramePr/{DRAWING}cNvPr")
        for frame in part.root.iter(f"{DRAWING}graphicFrame")
    ]
    named = [frame for frame in frames if frame is not None]
    if len(named) != len(frames) or len(named) != len(texts):
        raise InternalError(f"{part.name}: found {len(named)} chart frames, expected {len(texts)}")
    for frame, text in zip(named, texts, strict=True):
        frame.set("descr", text)


def stamp_times(part: XmlPart, epoch: int) -> None:
    """Set the document's created and modified times (docProps/core.xml) to `epoch`."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    for tag in ("created", "modified"):
        element = part.root.find(f"{DCTERMS}{tag}")
        if element is None:
            raise InternalError(f"{part.name}: no dcterms:{tag} found")
        element.text = stamp


Edit = Callable[[XmlPart], None]


def _edits(book: Book, env: BookEnv, epoch: int) -> dict[str, Edit]:
    """What to do to which part besides the worksheets. openpyxl numbers charts across the
    workbook and drawings per sheet that has charts."""
    names = [sheet.name for sheet in book.sheets]
    edits: dict[str, Edit] = {"docProps/core.xml": partial(stamp_times, epoch=epoch)}
    charted = [sheet for sheet in book.sheets if sheet.charts]
    for number, sheet in enumerate(charted, start=1):
        texts = [chart.alt_text for chart in sheet.charts]
        edits[f"xl/drawings/drawing{number}.xml"] = partial(alt_texts, texts=texts)
    for number in range(1, sum(len(sheet.charts) for sheet in charted) + 1):
        edits[f"xl/charts/chart{number}.xml"] = partial(chart_cache, env=env, sheets=names)
    return edits


class Package:
    """The finished .xlsx file, written part by part as openpyxl's writer hands them over (it
    takes the place of openpyxl's zip archive): edited parts edited, every part stored once
    with fixed zip metadata. `write_sheet` takes a worksheet as openpyxl wrote it without its
    cells, and the cells. A workbook whose own master check fails is refused at the start.
    Used as a context manager, so a failed write leaves nothing open."""

    def __init__(self, book: Book, env: BookEnv) -> None:
        _require_checks_pass(book, env)
        epoch = build_epoch()
        self._edits = _edits(book, env, epoch)
        self._sheets = {f"xl/worksheets/sheet{n}.xml" for n in range(1, len(book.sheets) + 1)}
        self._date_time = time.gmtime(epoch)[:6]
        self._buffer = io.BytesIO()
        self._archive = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED)

    def writestr(self, name: str, data: bytes | str) -> None:
        """Store a part; a worksheet, chart or drawing the layout lacks is a defect."""
        if name in self._sheets:
            raise InternalError(f"{name}: a worksheet written without its cells")
        if _EDITED_FAMILY.fullmatch(name) and name not in self._edits:
            raise InternalError(f"the workbook has a part the layout lacks: {name}")
        raw = data.encode("utf-8") if isinstance(data, str) else data
        edit = self._edits.get(name)
        if edit is not None:
            part = parse_part(name, raw)
            edit(part)
            raw = serialise_part(part)
        self._store(name, raw)

    def write_sheet(self, name: str, skeleton: bytes, sheet_data: bytes) -> None:
        """Store a worksheet: `skeleton` in the written form, its empty <sheetData> holding the
        rows `sheet_data`."""
        if name not in self._sheets:
            raise InternalError(f"the workbook has a part the layout lacks: {name}")
        written = serialise_part(parse_part(name, skeleton))
        if written.count(_EMPTY_SHEET_DATA) != 1:
            raise InternalError(f"{name}: no single empty sheetData for the cells")
        if sheet_data:
            written = written.replace(
                _EMPTY_SHEET_DATA, b"<sheetData>" + sheet_data + b"</sheetData>"
            )
        self._store(name, written)

    def namelist(self) -> list[str]:
        return self._archive.namelist()

    def close(self) -> None:
        """Every part to edit must have come."""
        present = set(self._archive.namelist())
        missing = [name for name in [*self._sheets, *self._edits] if name not in present]
        if missing:
            raise InternalError(f"the workbook lacks the part(s) {', '.join(sorted(missing))}")
        self._archive.close()

    def getvalue(self) -> bytes:
        """The file's bytes, after `close`."""
        return self._buffer.getvalue()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, kind: type[BaseException] | None, *details: object) -> None:
        """After a failure, let go of the half-written file (openpyxl's `save` closes the
        package when it succeeds)."""
        if kind is not None:
            self._archive.close()

    def _store(self, name: str, data: bytes) -> None:
        if name in self._archive.NameToInfo:
            raise InternalError(f"the part {name} was written twice")
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 0
        info.external_attr = 0o644 << 16
        self._archive.writestr(info, data)
