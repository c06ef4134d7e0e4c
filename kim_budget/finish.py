"""Finish an .xlsx file after openpyxl saved it: cached values, fixed stamps, atomic replace.

- Cached values: openpyxl writes every formula with an empty result. Here each formula is
  evaluated from the same `Expr` that rendered it, and the result is written into the cell,
  so Protected View, previews, pandas and other readers show the figures without recalculating.
  fullCalcOnLoad stays set, so Excel recalculates anyway. Charts get their cached data
  (numCache) and chart frames their alternative text the same way.
- Same input, same bytes: document timestamps and zip entry times are fixed
  (SOURCE_DATE_EPOCH when set, else 2024-01-01).

The parts are edited as XML trees (`parse_part` / `serialise_part`), never as text, so the
result does not depend on how openpyxl serialises them: with or without lxml, `<v/>`,
`<v></v>` or no `<v>` at all, any attribute order or whitespace. What the finishing step does
not find (a part, a formula cell, a chart frame) is a defect of kim-budget: `InternalError`.
"""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, SubElement

from kim_budget.errors import InternalError
from kim_budget.formula import Expr, Scalar, cell_position, column_letter
from kim_budget.workbook.grid import Book, BookEnv
from kim_budget.workbook.pruefungen import MASTER_NAME

DEFAULT_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
ZIP_EPOCHS = (315532800, 4354819198)  # zip entry times run from 1980 to 2107
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
DCTERMS = "{http://purl.org/dc/terms/}"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_DECLARATION = re.compile(rb"<\?xml[^>]*\?>\s*")
_UTF8_OR_NONE = re.compile(rb"^(?!.*encoding)|encoding=[\"'](?i:utf-8)[\"']", re.DOTALL)
_EDITED_FAMILY = re.compile(r"xl/(?:worksheets/sheet|charts/chart|drawings/drawing)\d+\.xml")
_ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


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


def _escape_text(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return text.translate(_TEXT_ESCAPES)
    return text


def _escape_attribute(value: str) -> str:
    return value.translate(_ATTRIBUTE_ESCAPES) if _ATTRIBUTE_SPECIAL.search(value) else value


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
            f' xmlns{":" if prefix else ""}{prefix}="{_escape_attribute(uri)}"'
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
        f' {names.qualified(key, attribute=True)}="{_escape_attribute(value)}"'
        for key, value in element.attrib.items()
    )
    if len(element) == 0 and not element.text:
        out.append(f"<{tag}{declarations}{attributes}/>")
    else:
        out.append(f"<{tag}{declarations}{attributes}>")
        if element.text:
            out.append(_escape_text(element.text))
        for child in element:
            _write(child, names, out)
        out.append(f"</{tag}>")
    if element.tail:
        out.append(_escape_text(element.tail))


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
        raise InternalError(
            f"{title}: the workbook's own checks (sheet Prüfungen) fail, so it was not written"
        )


def _value_text(value: Scalar) -> tuple[str | None, str]:
    """The cell type (t) and the <v> text of a cached value."""
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, str):
        return "str", value
    if value is None:
        return None, "0"
    if isinstance(value, float) and value.is_integer():
        return None, str(int(value))
    return None, repr(value)


def cache_value(cell: Element, value: Scalar) -> None:
    """Write a formula cell's (<c> with <f>) cached value: its type and its <v>, made when
    missing."""
    formula = cell.find(f"{MAIN}f")
    if formula is None:
        raise InternalError(f"cell {cell.get('r', '(no r)')} has no formula")
    kind, text = _value_text(value)
    if kind is None:
        cell.attrib.pop("t", None)
    else:
        cell.set("t", kind)
    cached = cell.find(f"{MAIN}v")
    if cached is None:
        cached = Element(f"{MAIN}v")
        cell.insert(list(cell).index(formula) + 1, cached)
    cached.text = text


def fill_sheet(part: XmlPart, sheet: str, values: Mapping[str, Scalar]) -> None:
    """Give every formula cell of a worksheet part its value from `values` (by A1 coordinate);
    each formula cell of the layout must be found, and no other."""
    where = f"{part.name} (sheet {sheet})"
    filled: list[str] = []
    for cell in part.root.iter(f"{MAIN}c"):
        formula = cell.find(f"{MAIN}f")
        if formula is None:
            continue
        coordinate = cell.get("r", "")
        if coordinate not in values:
            raise InternalError(
                f"{where}: formula cell {coordinate or '(no r)'} is not in the layout"
            )
        cache_value(cell, values[coordinate])
        filled.append(coordinate)
    found = set(filled)  # a set: a list would make this check quadratic in the formulas
    missing = [coordinate for coordinate in values if coordinate not in found]
    if missing:
        shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
        raise InternalError(
            f"{where}: found {len(filled)} formula cells, expected {len(values)}; missing {shown}"
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
        SubElement(point, f"{CHART}v").text = _value_text(env.value(sheet, row, col))[1]


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
    """What to do to which part. openpyxl numbers worksheets in sheet order, charts across the
    workbook and drawings per sheet that has charts."""
    values = formula_values(book, env)
    names = [sheet.name for sheet in book.sheets]
    edits: dict[str, Edit] = {"docProps/core.xml": partial(stamp_times, epoch=epoch)}
    for number, sheet in enumerate(book.sheets, start=1):
        edits[f"xl/worksheets/sheet{number}.xml"] = partial(
            fill_sheet, sheet=sheet.name, values=values[sheet.name]
        )
    charted = [sheet for sheet in book.sheets if sheet.charts]
    for number, sheet in enumerate(charted, start=1):
        texts = [chart.alt_text for chart in sheet.charts]
        edits[f"xl/drawings/drawing{number}.xml"] = partial(alt_texts, texts=texts)
    for number in range(1, sum(len(sheet.charts) for sheet in charted) + 1):
        edits[f"xl/charts/chart{number}.xml"] = partial(chart_cache, env=env, sheets=names)
    return edits


def _check_parts(present: Sequence[str], edits: Mapping[str, Edit]) -> None:
    """Every part to edit is there, and no worksheet, chart or drawing the layout lacks."""
    missing = [name for name in edits if name not in present]
    unknown = [name for name in present if _EDITED_FAMILY.fullmatch(name) and name not in edits]
    if missing:
        raise InternalError(f"the workbook lacks the part(s) {', '.join(missing)}")
    if unknown:
        raise InternalError(f"the workbook has part(s) the layout lacks: {', '.join(unknown)}")


def finish(xlsx: bytes, book: Book, env: BookEnv | None = None) -> bytes:
    """The file with cached values in every formula cell, fixed stamps and fixed zip metadata.

    `env` is the book's evaluation when the caller has one already (it evaluates each cell once).
    """
    env = env or BookEnv(book)
    _require_checks_pass(book, env)
    epoch = build_epoch()
    edits = _edits(book, env, epoch)
    date_time = time.gmtime(epoch)[:6]
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    _check_parts(source.namelist(), edits)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            edit = edits.get(entry.filename)
            if edit is not None:
                part = parse_part(entry.filename, data)
                edit(part)
                data = serialise_part(part)
            info = zipfile.ZipInfo(entry.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return output.getvalue()
