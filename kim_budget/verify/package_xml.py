"""Opening a workbook to check: the checked package (`package.read_package`), what openpyxl
reads of it, and what it reads lossily, from the package's XML: headers and footers,
external-link parts, ``calcPr``, named cell styles, the program that saved the file.

Every XML part has passed `package.read_package` (no DTD, bounded) before it is parsed here.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from kim_budget.cached_values import CachedValues, cached_values
from kim_budget.package import Package, PackageError, read_package, read_workbook
from kim_budget.verify.report import describe_error

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook


class Unreadable(Exception):
    """The file is no workbook verify can read; the message says what it is instead."""


@dataclass(frozen=True)
class PackageXml:
    """What is read from the package's XML rather than through openpyxl."""

    headers: dict[str, tuple[str, str]]
    """Sheet name → (odd header, odd footer) as stored (openpyxl splits them lossily)."""
    external_parts: tuple[str, ...]
    full_calc_on_load: bool
    application: str
    """The program that saved the file, as docProps/app.xml names it ("" when it does not)."""
    style_names: dict[int, str]
    """Index in cellStyleXfs → name of the named cell style (cellStyles) it belongs to."""
    custom_styles: tuple[str, ...]
    """The named cell styles that are not built in (no builtinId), in file order."""

    @property
    def written_by_openpyxl(self) -> bool:
        """Whether the cached values come from a program that does not calculate."""
        return not self.application or "openpyxl" in self.application.casefold()


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml(archive: zipfile.ZipFile, part: str) -> Element:
    try:
        return ElementTree.fromstring(archive.read(part))
    except ElementTree.ParseError as error:
        raise Unreadable(f"damaged: the part {part} is not well-formed XML ({error})") from None


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of a package part ("" for the package)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.namelist():
        return {}
    targets: dict[str, tuple[str, str]] = {}
    for element in _xml(archive, rels):
        target = element.get("Target", "")
        if element.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            target = posixpath.normpath(target)
        targets[element.get("Id", "")] = (element.get("Type", ""), target)
    return targets


def _header_footer(archive: zipfile.ZipFile, part: str) -> tuple[str, str]:
    texts = {"oddHeader": "", "oddFooter": ""}
    try:
        with archive.open(part) as stream:
            for _, element in ElementTree.iterparse(stream):
                tag = _local(element.tag)
                if tag in texts:
                    texts[tag] = element.text or ""
                elif tag == "headerFooter":
                    break
    except ElementTree.ParseError as error:
        raise Unreadable(f"damaged: the part {part} is not well-formed XML ({error})") from None
    return texts["oddHeader"], texts["oddFooter"]


def _styles(archive: zipfile.ZipFile, part: str) -> tuple[dict[int, str], tuple[str, ...]]:
    """The named cell styles: cellStyleXfs index → name, and the names not built in."""
    names: dict[int, str] = {}
    custom: list[str] = []
    for element in _xml(archive, part).iter():
        if _local(element.tag) != "cellStyle":
            continue
        name = element.get("name", "")
        xf = element.get("xfId", "")
        if xf.isdigit():
            names.setdefault(int(xf), name)
        if element.get("builtinId") is None:
            custom.append(name)
    return names, tuple(custom)


def _application(archive: zipfile.ZipFile) -> str:
    for kind, target in _relationships(archive, "").values():
        if kind.endswith("/extended-properties") and target in archive.namelist():
            element = next(
                (e for e in _xml(archive, target).iter() if _local(e.tag) == "Application"), None
            )
            return (element.text or "").strip() if element is not None else ""
    return ""


def read_package_xml(checked: Package) -> PackageXml:
    """Reads the package's XML; raises `Unreadable` when a part is missing or damaged."""
    with checked.archive() as archive:
        names = set(archive.namelist())
        office = next(
            (
                target
                for kind, target in _relationships(archive, "").values()
                if kind.endswith("/officeDocument")
            ),
            None,
        )
        if office is None or office not in names:
            raise Unreadable("not an xlsx workbook: the package has no workbook part")
        workbook = _xml(archive, office)
        if _local(workbook.tag) != "workbook":
            raise Unreadable(f"not an xlsx workbook: its main part {office} is no workbook")
        parts = _relationships(archive, office)
        headers: dict[str, tuple[str, str]] = {}
        full_calc = False
        for element in workbook.iter():
            tag = _local(element.tag)
            if tag == "calcPr":
                full_calc = element.get("fullCalcOnLoad") in ("1", "true")
            elif tag == "sheet":
                sheet = element.get("name", "")
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                target = parts.get(rid, ("", ""))[1]
                if target not in names:
                    raise Unreadable(
                        f"damaged: the sheet {sheet} is listed, but its part "
                        f"{target or '(none)'} is missing"
                    )
                headers[sheet] = _header_footer(archive, target)
        styles = next((target for kind, target in parts.values() if kind.endswith("/styles")), "")
        if styles not in names:
            raise Unreadable("damaged: the part with the cell formats (styles) is missing")
        style_names, custom = _styles(archive, styles)
        external = tuple(name for name in names if name.lower().startswith("xl/externallinks/"))
        application = _application(archive)
    return PackageXml(headers, tuple(sorted(external)), full_calc, application, style_names, custom)


@dataclass(frozen=True)
class Opened:
    """A readable workbook: its checked bytes, package XML, formulas and cached values."""

    checked: Package
    package: PackageXml
    book: Workbook
    cached: CachedValues

    def cached_value(self, sheet: str, row: int, column: int) -> Any:
        """What openpyxl's data_only load reads in a cell: a formula cell's cached value, any
        other stored cell's value (None for a cell the sheet does not store)."""
        formulas = self.cached[sheet]
        if (row, column) in formulas:
            return formulas[(row, column)]
        cell = getattr(self.book[sheet], "_cells").get((row, column))  # noqa: B009
        return getattr(cell, "value", None)


def open_workbook(path: Path) -> Opened:
    """The workbook, read within the bounds of `package.read_package`, or `Unreadable` saying
    what the file is instead. openpyxl reads it once, with its formulas."""
    try:
        checked = read_package(path)
    except PackageError as error:
        raise Unreadable(error.reason) from None
    try:
        xml = read_package_xml(checked)
        reader = read_workbook(checked, data_only=False)
        return Opened(checked, xml, reader.wb, cached_values(reader, checked))
    except Unreadable:
        raise
    except PackageError as error:
        raise Unreadable(error.reason) from None
    except Exception as error:  # zipfile's and openpyxl's errors on damaged files share no type
        raise Unreadable(
            f"damaged: the workbook cannot be read ({describe_error(error)})"
        ) from None
