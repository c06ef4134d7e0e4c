"""PDFs for the council paper's annex, printed by LibreOffice from the finished workbooks.

A scenario's PDF shows its "Übersicht" and "Haushalt"; the comparison's PDF its "Vergleich".
The other sheets are hidden in a print copy only (the workbooks themselves hide nothing).
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import zipfile
from collections.abc import Mapping, Sequence

from kim_budget.errors import InternalError, OutputError
from kim_budget.finish import MAIN, XmlPart, build_epoch, parse_part, serialise_part
from kim_budget.libreoffice import EngineError, export_pdfs_libreoffice, libreoffice_available
from kim_budget.workbook.spec import PRINTED_COMPARISON_SHEETS, PRINTED_SHEETS

SCENARIO_SHEETS = PRINTED_SHEETS
COMPARISON_SHEETS = PRINTED_COMPARISON_SHEETS
INSTALL_HINT = (
    "--pdf needs LibreOffice to print the workbooks; install the Debian package "
    "libreoffice-calc-nogui (apt-get install libreoffice-calc-nogui)"
)
_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\(D:)\d{14}")
_PDF_HASH = re.compile(rb"(/ID \[ <)[0-9A-F]{32}(>\s<)[0-9A-F]{32}|(/DocChecksum /)[0-9A-F]{32}")


def require_printer() -> None:
    """Raise a clear error, before anything is written, when LibreOffice is missing."""
    if not libreoffice_available():
        raise OutputError(INSTALL_HINT)


def print_copy(xlsx: bytes, sheets: Sequence[str]) -> bytes:
    """The workbook with every sheet but `sheets` hidden, for printing."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/workbook.xml":
                part = parse_part(entry.filename, data)
                _hide_others(part, sheets)
                data = serialise_part(part)
            target.writestr(entry, data)
    return output.getvalue()


def _hide_others(workbook: XmlPart, sheets: Sequence[str]) -> None:
    """Hide every sheet of xl/workbook.xml but `sheets`, which must all be there."""
    entries = workbook.root.findall(f"{MAIN}sheets/{MAIN}sheet")
    missing = [name for name in sheets if name not in [e.get("name") for e in entries]]
    if missing:
        raise InternalError(f"{workbook.name}: no sheet {', '.join(missing)} to print")
    hidden = set()
    for index, entry in enumerate(entries):
        if entry.get("name") not in sheets:
            entry.set("state", "hidden")
            hidden.add(str(index))
    names = workbook.root.find(f"{MAIN}definedNames")
    if names is None:
        return
    for name in list(names):
        # LibreOffice prints a hidden sheet's print area all the same: drop it from the copy
        if name.get("name") == "_xlnm.Print_Area" and name.get("localSheetId") in hidden:
            names.remove(name)


def reproducible(pdf: bytes, epoch: int) -> bytes:
    """The PDF with its creation date set to `epoch` and its ID derived from its content.

    LibreOffice stamps the current time and a time-based ID; both are replaced by strings of the
    same length, so the cross-reference offsets stay valid and the same input gives the same
    bytes.
    """
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)).encode("ascii")
    dated = _PDF_DATE.sub(lambda match: match.group(1) + stamp, pdf)

    def hashed(text: bytes, value: bytes) -> bytes:
        def replace(match: re.Match[bytes]) -> bytes:
            if match.group(3):  # /DocChecksum
                return match.group(3) + value
            return match.group(1) + value + match.group(2) + value

        return _PDF_HASH.sub(replace, text)

    neutral = hashed(dated, b"0" * 32)
    digest = hashlib.md5(neutral, usedforsecurity=False).hexdigest().upper().encode("ascii")
    return hashed(dated, digest)


def render_pdfs(books: Mapping[str, tuple[bytes, Sequence[str]]]) -> dict[str, bytes]:
    """PDF bytes per name, each from (workbook bytes, sheets to print)."""
    copies = {name: print_copy(data, sheets) for name, (data, sheets) in books.items()}
    try:
        pdfs = export_pdfs_libreoffice(copies)
    except EngineError as error:
        raise OutputError(f"printing the PDFs failed: {error}") from error
    epoch = build_epoch()
    return {name: reproducible(pdf, epoch) for name, pdf in pdfs.items()}
