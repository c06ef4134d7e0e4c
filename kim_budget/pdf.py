"""PDFs for the council paper's annex, printed by LibreOffice from the finished workbooks.

A scenario's PDF shows its "Übersicht" and "Haushalt"; the comparison's PDF its "Vergleich".
The other sheets are hidden in a print copy only (the workbooks themselves hide nothing).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence

from kim_budget.engine import EngineError, export_pdfs_libreoffice, libreoffice_available
from kim_budget.errors import OutputError

SCENARIO_SHEETS = ("Übersicht", "Haushalt")
COMPARISON_SHEETS = ("Vergleich",)
INSTALL_HINT = (
    "--pdf needs LibreOffice to print the workbooks; install the Debian package "
    "libreoffice-calc-nogui (apt-get install libreoffice-calc-nogui)"
)
_SHEET = re.compile(r'<sheet name="([^"]*)" sheetId="(\d+)" state="visible"')


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
                data = _hide_others(data.decode("utf-8"), sheets).encode("utf-8")
            target.writestr(entry, data)
    return output.getvalue()


def _hide_others(xml: str, sheets: Sequence[str]) -> str:
    def state(match: re.Match[str]) -> str:
        visible = match.group(1) in sheets
        return match.group(0) if visible else match.group(0).replace('"visible"', '"hidden"')

    return _SHEET.sub(state, xml)


def render_pdfs(books: Mapping[str, tuple[bytes, Sequence[str]]]) -> dict[str, bytes]:
    """PDF bytes per name, each from (workbook bytes, sheets to print)."""
    copies = {name: print_copy(data, sheets) for name, (data, sheets) in books.items()}
    try:
        return export_pdfs_libreoffice(copies)
    except EngineError as error:
        raise OutputError(f"printing the PDFs failed: {error}") from error
