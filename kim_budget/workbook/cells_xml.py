"""A worksheet's cells as the XML of its <sheetData>: each formula with its cached value.

One pass: every cell of the layout is written once, a formula together with the value the
book's evaluation gives it, so nothing has to find the cells again afterwards to fill in
their results. openpyxl writes the rest of the worksheet (columns, print setup, validations);
the cells take the form openpyxl gives them (an inline string for a text, a date as its serial
number, a style by its index), written as `xml_text` writes every part.

Lines merged across their page are openpyxl's own cells (`ws._cells`): the merge replaces the
cells it covers and may give them the first cell's borders, so they are taken from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.compat import safe_string
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet

from kim_budget.errors import OutputError
from kim_budget.formula import Expr, column_letter
from kim_budget.workbook.grid import BookEnv, Cell, Sheet
from kim_budget.xml_text import escape_attribute, escape_text, value_text

MOST_TEXT = 32767
"""Characters a cell's text may have in Excel; openpyxl cuts a longer text there."""

Position = tuple[int, int]


def positions(in_order: Sequence[Position], ws: Worksheet) -> Sequence[Position]:
    """Every cell the worksheet has, row by row: the layout's (`in_order`, already in that
    order) and the merged lines' cells."""
    placed: Mapping[Position, Any] = getattr(ws, "_cells")  # noqa: B009
    extra = placed.keys() - set(in_order)
    return sorted([*in_order, *extra]) if extra else in_order


def dimension(cells: Iterable[Position]) -> str:
    """The used range (as openpyxl computes it): A1:A1 for an empty sheet."""
    rows, cols = set(), set()
    for row, col in cells:
        rows.add(row)
        cols.add(col)
    if not rows:
        return "A1:A1"
    return f"{column_letter(min(cols))}{min(rows)}:{column_letter(max(cols))}{max(rows)}"


class _StyleIndex:
    """A cell style's index in the workbook's list of cell formats (cellXfs), added on first
    use like openpyxl does while it writes: the same styles get the same numbers."""

    def __init__(self, ws: Worksheet) -> None:
        self._styles: Any = getattr(ws.parent, "_cell_styles")  # noqa: B009
        self._known: dict[int, str] = {}

    def attribute(self, style: StyleArray | None) -> str:
        """The s attribute of a cell with `style` ("" for an unstyled cell)."""
        if style is None or not any(style):
            return ""
        known = self._known.get(id(style))
        if known is None:
            known = self._known[id(style)] = f' s="{self._styles.add(style)}"'
        return known


def sheet_data(
    sheet: Sheet,
    ws: Worksheet,
    env: BookEnv,
    styles: Mapping[Position, StyleArray],
    cells: Sequence[Position],
) -> bytes:
    """The rows of <sheetData> (without the element itself): `cells` (from `positions`), row
    by row, with each row's height; `styles` the layout cells' styles."""
    placed: Mapping[Position, Any] = getattr(ws, "_cells")  # noqa: B009
    by_row: dict[int, list[int]] = {}
    for row, col in cells:
        by_row.setdefault(row, []).append(col)
    for row in ws.row_dimensions.keys() - by_row.keys():
        by_row[row] = []
    index = _StyleIndex(ws)
    write = _CellWriter(sheet, env, index)
    out: list[str] = []
    for row in sorted(by_row):
        attributes = {"r": str(row)}
        attributes.update(ws.row_dimensions.get(row, {}))
        opening = "<row" + "".join(f' {k}="{escape_attribute(v)}"' for k, v in attributes.items())
        written = []
        for col in by_row[row]:
            own = placed.get((row, col))
            if isinstance(own, MergedCell):
                written.append(write.merged(row, col, getattr(own, "_style")))  # noqa: B009
            elif (row, col) in sheet.cells:  # not a cell openpyxl made empty for a merge
                style = styles[row, col] if own is None else own._style
                written.append(write.cell(row, col, sheet.cells[row, col], style))
        content = "".join(written)
        out.append(f"{opening}>{content}</row>" if content else f"{opening}/>")
    return "".join(out).encode("utf-8")


class _CellWriter:
    """One cell's <c> element."""

    def __init__(self, sheet: Sheet, env: BookEnv, index: _StyleIndex) -> None:
        self.sheet = sheet
        self.env = env
        self.index = index

    def merged(self, row: int, col: int, style: StyleArray | None) -> str:
        """A cell a merged line covers: written only when it carries a style (a border)."""
        return self._empty(row, col, self.index.attribute(style))

    def cell(self, row: int, col: int, cell: Cell, style: StyleArray | None) -> str:
        attribute = self.index.attribute(style)
        content = cell.content
        if content is None:
            return self._empty(row, col, attribute)
        opening = f'<c r="{column_letter(col)}{row}"{attribute}'
        if isinstance(content, Expr):
            return self._formula(opening, content, self.env.value(self.sheet.name, row, col))
        if isinstance(content, date):
            if not isinstance(content, datetime):
                content = datetime(content.year, content.month, content.day)
            return self._number(opening, to_excel(content))  # type: ignore[no-untyped-call]
        if isinstance(content, str):
            return self._text(opening, content)
        if isinstance(content, bool):  # before int, of which bool is a kind
            return self._boolean(opening, content)
        if isinstance(content, int | float):
            return self._number(opening, content)
        raise OutputError(f"sheet {self.sheet.name}: a cell holds {type(content).__name__}")

    @staticmethod
    def _empty(row: int, col: int, attribute: str) -> str:
        """A cell without content: its style, or nothing at all when it has none."""
        return f'<c r="{column_letter(col)}{row}"{attribute} t="n"/>' if attribute else ""

    def _formula(self, opening: str, formula: Expr, value: Any) -> str:
        kind, text = value_text(value)
        typed = f' t="{kind}"' if kind else ""
        cached = f"<v>{escape_text(text)}</v>" if text else "<v/>"
        return f"{opening}{typed}><f>{escape_text(formula.render(self.sheet.name))}</f>{cached}</c>"

    def _text(self, opening: str, text: str) -> str:
        text = text[:MOST_TEXT]
        if ILLEGAL_CHARACTERS_RE.search(text):
            raise OutputError(
                f"sheet {self.sheet.name}: the text {text[:40]!r} holds a control character "
                "that a workbook cannot store"
            )
        if not text:
            return f'{opening} t="inlineStr"/>'
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'{opening} t="inlineStr"><is><t{space}>{escape_text(text)}</t></is></c>'

    @staticmethod
    def _boolean(opening: str, value: bool) -> str:
        return f'{opening} t="b"><v>{1 if value else 0}</v></c>'

    @staticmethod
    def _number(opening: str, value: float) -> str:
        text = safe_string(value)
        return f'{opening} t="n"><v>{text}</v></c>' if text else f'{opening} t="n"><v/></c>'
