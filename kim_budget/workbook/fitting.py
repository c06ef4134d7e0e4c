"""What a sheet needs to print whole, for any scenario: every value shown in full (never "###"),
every text inside its page and readable (never cut by a neighbouring cell or the page edge).

`fit_sheet` takes a laid-out sheet, its columns' planned widths and the value of each cell, and
returns the columns' widths, the cells to wrap, the lines that span the page and the rows'
heights. Widths of printed text are estimated from Arial's (and Consolas') character widths
with a margin, so the estimate errs on the wide side: a column is a little wider, a row a
little taller than needed, never too narrow.

The same table of text styles (`ROLE_TEXT`) gives the writer its fonts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

from kim_budget.formula import Scalar
from kim_budget.workbook.grid import Sheet
from kim_budget.workbook.page import POINTS_PER_WIDTH_UNIT


@dataclass(frozen=True)
class TextStyle:
    """How a cell's text prints: size in points, weight, slant, fixed width, grey or not."""

    size: float = 10.0
    bold: bool = False
    italic: bool = False
    mono: bool = False
    grey: bool = False


PLAIN = TextStyle()
ROLE_TEXT = {
    "title": TextStyle(14, bold=True),
    "subtitle": TextStyle(12, bold=True),
    "section": TextStyle(bold=True),
    "header": TextStyle(bold=True),
    "total": TextStyle(bold=True),
    "note": TextStyle(italic=True, grey=True),
    "key": TextStyle(mono=True, grey=True),
    "unit": TextStyle(grey=True),
}
"""The text style of each cell role; other roles print plain."""

LINE_ROLES = ("title", "subtitle", "note")
"""Roles of the free-standing lines (a title, a note) that may span the whole page."""

PADDING_PT = 4.0
"""Room inside a cell's borders, left and right together."""
LINE_SPACING = 1.3
"""A wrapped line's height per point of font size."""
WIDEST_GROWTH = 1.6
"""A column grows to at most this multiple of its planned width for a text without spaces (a
unit, a file name); a key (fixed width) shows whole."""
TEXT_GROWTH = 1.25
"""… and to this multiple for a text with spaces while the page keeps within its budget; a
longer one wraps."""
NARROWEST = 0.7
"""A column of wrapped text narrows to at least this share of its planned width to keep the
page within its budget."""

# Arial's advance widths in 1/1000 em (the metrics of Helvetica, which Arial shares); a
# character not listed counts as 0.65 em, wider than most.
_NARROW = dict.fromkeys("iljI.,:;'!|", 278) | dict.fromkeys("ftr()[]-/ ", 333)
_WIDE = dict.fromkeys("mwMW%", 889) | dict.fromkeys("ABCDEGHKNOQRSUVXY&", 722)
_DIGITS = dict.fromkeys("0123456789€#$–", 556) | dict.fromkeys("+=<>~−", 584)
_LOWER = dict.fromkeys("abdeghnopquäöüßck", 556) | dict.fromkeys("svxyzJ", 500)
_UPPER = dict.fromkeys("FLPTZÄÖÜ", 667)
_ARIAL = _NARROW | _WIDE | _DIGITS | _LOWER | _UPPER
_UNKNOWN = 650
_BOLD = 1.08
_MONO = 610  # Consolas is 550; where it is missing, LibreOffice prints Liberation Mono (600)
_MARGIN = 1.03


def text_width_pt(text: str, style: TextStyle = PLAIN) -> float:
    """The printed width of one line of text, in points, estimated on the wide side."""
    units: float
    if style.mono:
        units = _MONO * len(text)
    else:
        units = sum(map(_ARIAL.get, text, repeat(_UNKNOWN))) * (_BOLD if style.bold else 1)
    return units / 1000 * style.size * _MARGIN


def width_units(points: float) -> float:
    """Points as Excel's column width unit."""
    return points / POINTS_PER_WIDTH_UNIT


def needed_units(text: str, style: TextStyle = PLAIN) -> float:
    """The column width (Excel's unit) that shows `text` on one line."""
    return width_units(text_width_pt(text, style) + PADDING_PT)


def line_count(text: str, width: float, style: TextStyle = PLAIN) -> int:
    """How many lines `text` takes wrapped at word boundaries in a column of `width` units."""
    room = width * POINTS_PER_WIDTH_UNIT - PADDING_PT
    count = 0
    for paragraph in text.split("\n"):
        line = ""
        lines = 1
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width_pt(trial, style) > room:
                lines += 1 + int(text_width_pt(word, style) // room)
                line = word
            else:
                line = trial
        count += lines
    return count


def line_height(style: TextStyle) -> float:
    """The height of one printed line, in points."""
    return round(style.size * LINE_SPACING, 1)


# --- how values show -------------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"')


def shown(value: Scalar, number_format: str | None) -> str:
    """The text a cell shows for `value` under `number_format` (German separators), as wide as
    or wider than what Excel and LibreOffice show."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    sections = (number_format or "General").split(";")
    literal_only = [s for s in sections if not re.sub(_QUOTED, "", s).strip()]
    if isinstance(value, bool) or (literal_only and len(literal_only) == len(sections)):
        return max((text for s in sections for text in _QUOTED.findall(s)), key=len, default="")
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    literals = "".join(_QUOTED.findall(section))
    pattern = re.sub(r"\[[^\]]*\]", "", re.sub(_QUOTED, "", section))
    if "yy" in pattern:
        return literals + "00.0000"
    if pattern.strip() in ("", "General"):
        return literals + f"{value:.10g}".replace(".", ",")
    decimals = len(pattern.split(".")[1].strip("- ")) if "." in pattern else 0
    number = f"{abs(value):,.{decimals}f}" if "," in pattern else f"{abs(value):.{decimals}f}"
    german = number.replace(",", " ").replace(".", ",").replace(" ", ".")
    sign = "-" if value < 0 and ("-" in pattern or len(sections) == 1) else ""
    return f"{sign}{german}{' ' if literals else ''}{literals.strip()}"


# --- fitting a sheet -------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """How a sheet prints whole."""

    widths: tuple[float, ...]
    """Every column's width, from A to the last used column (Excel's unit)."""
    wrapped: frozenset[tuple[int, int]]
    """Cells (row, column) whose text wraps."""
    spans: tuple[tuple[int, int, int], ...]
    """(row, first column, last column) of the lines merged across their page, wrapped."""
    heights: Mapping[int, float]
    """Rows taller than one line: their height in points."""


ValueOf = Callable[[int, int], Scalar]
"""The value of a cell (row, column): its text, number, date serial or boolean."""
PageEnds = Callable[[Sequence[float]], Sequence[int]]
"""The last column of each page across, for the given widths."""
Wraps = Callable[[int, int], bool]
"""Whether the layout wraps a cell (row, column) in any case (labels and notes of "Annahmen", …)."""
_Largest = dict[tuple[int, str | None, str], tuple[float, bool]]
"""(column, number format, role) → the largest magnitude of its numbers, and whether any is
negative."""


@dataclass(frozen=True)
class _Text:
    row: int
    col: int
    text: str
    style: TextStyle
    role: str
    need: float
    """The column width (Excel's unit) that shows the text on one line."""


def _scan(sheet: Sheet, value_of: ValueOf) -> tuple[_Largest, list[_Text]]:
    """One pass over the cells: the largest magnitude of each column's numbers per number
    format and style (and whether any is negative), and the texts, row by row."""
    largest: _Largest = {}
    texts = []
    for (row, col), cell in sheet.cells.items():
        value = value_of(row, col)
        if isinstance(value, str):
            if value:
                style = ROLE_TEXT.get(cell.role, PLAIN)
                texts.append(_Text(row, col, value, style, cell.role, needed_units(value, style)))
        elif isinstance(value, (int, float)):  # a tuple: faster than int | float
            key = (col, cell.number_format, cell.role)  # booleans too: they show their words
            magnitude, negative = largest.get(key, (0.0, False))
            largest[key] = (max(magnitude, abs(value)), negative or value < 0)
    texts.sort(key=lambda text: (text.row, text.col))
    return largest, texts


def _number_widths(largest: _Largest, widths: list[float]) -> None:
    """Numbers never wrap: each column becomes as wide as its widest number, measured on the
    largest magnitude of each number format and style (negative when any value is)."""
    for (col, number_format, role), (magnitude, negative) in largest.items():
        text = shown(-magnitude if negative else magnitude, number_format)
        widths[col - 1] = max(widths[col - 1], needed_units(text, ROLE_TEXT.get(role, PLAIN)))


def _page_end(col: int, ends: Sequence[int]) -> int:
    return next((end for end in ends if end >= col), ends[-1])


@dataclass(frozen=True)
class Page:
    """The sheet's pages across: where they end and how wide the widest may be."""

    ends: PageEnds
    """The last column of each page across, for given widths."""
    widest: Callable[[Sequence[float]], float]
    """The widest page across (Excel's unit), for given widths."""
    budget: float
    """The widest page that still prints its text readably (Excel's unit)."""


def fit_sheet(
    sheet: Sheet, planned: Sequence[float], value_of: ValueOf, always_wrapped: Wraps, page: Page
) -> Fit:
    """Widths, wrapping and heights that show every cell of `sheet` in full on its page.

    `planned`: the planned width of every column from A to the last used one. Numbers widen
    their column; a blocked text without spaces widens it a little, a key fully; other texts
    wrap. Columns of wrapped text give back width (down to `NARROWEST`) to keep the widest
    page within its budget.
    """
    widths = list(planned)
    largest, texts = _scan(sheet, value_of)
    _number_widths(largest, widths)
    columns: dict[int, set[int]] = {}
    for row, col in sheet.cells:
        columns.setdefault(row, set()).add(col)
    lines = {t.row for t in texts if t.col == 1 and t.role in LINE_ROLES and columns[t.row] == {1}}
    candidates = [t for t in texts if not always_wrapped(t.row, t.col) and t.row not in lines]
    numbers = list(widths)
    for growth in (TEXT_GROWTH, 1.0):  # texts of words grow only while the page has room
        widths = list(numbers)
        ends = page.ends(widths)
        for t in candidates:
            if t.need > widths[t.col - 1] and _blocked(t, columns[t.row], widths, ends):
                widest = _widest(t, planned, growth)
                widths[t.col - 1] = max(widths[t.col - 1], min(t.need, widest))
        if page.widest(widths) <= page.budget:
            break
    _within_budget(widths, planned, {t.col for t in texts if always_wrapped(t.row, t.col)}, page)
    ends = page.ends(widths)
    wrapped = {
        (t.row, t.col)
        for t in candidates
        if t.need > widths[t.col - 1] and _blocked(t, columns[t.row], widths, ends)
    }
    wrapped |= {(t.row, t.col) for t in texts if always_wrapped(t.row, t.col)}
    first_page = _page_end(1, ends)
    spans = tuple(
        (t.row, 1, first_page)
        for t in texts
        if t.row in lines and t.need > sum(widths[:first_page])
    )
    return Fit(tuple(widths), frozenset(wrapped), spans, _heights(texts, widths, wrapped, spans))


def _widest(text: _Text, planned: Sequence[float], growth: float) -> float:
    """How wide a blocked text may make its column: a key whole, a word a little wider, a text
    of words somewhat (a title just over its column stays on one line), beyond that it wraps."""
    if text.style.mono:
        return math.inf
    if " " not in text.text.strip():
        return planned[text.col - 1] * WIDEST_GROWTH
    return planned[text.col - 1] * growth


def _within_budget(
    widths: list[float], planned: Sequence[float], wrapping: set[int], page: Page
) -> None:
    """Narrow the columns of wrapped text, widest first, while the widest page is over budget."""
    for col in sorted(wrapping, key=lambda col: -widths[col - 1]):
        excess = page.widest(widths) - page.budget
        if excess <= 0:
            return
        widths[col - 1] = max(planned[col - 1] * NARROWEST, widths[col - 1] - excess)


def _blocked(text: _Text, used: set[int], widths: Sequence[float], ends: Sequence[int]) -> bool:
    """Whether a text cannot run on to the right: a cell to its right holds something before
    the text's end, or its page ends first."""
    room = 0.0
    for col in range(text.col, _page_end(text.col, ends) + 1):
        if col > text.col and col in used:
            return True
        room += widths[col - 1]
        if room >= text.need:
            return False
    return True


def _heights(
    texts: Sequence[_Text],
    widths: Sequence[float],
    wrapped: set[tuple[int, int]],
    spans: Sequence[tuple[int, int, int]],
) -> dict[int, float]:
    span_width = {row: sum(widths[first - 1 : last]) for row, first, last in spans}
    heights: dict[int, float] = {}
    for t in texts:
        if t.row in span_width:
            width = span_width[t.row]
        elif (t.row, t.col) in wrapped:
            width = widths[t.col - 1]
        else:
            continue
        lines = line_count(t.text, width, t.style)
        if lines > 1:
            heights[t.row] = max(heights.get(t.row, 0.0), lines * line_height(t.style))
    return heights
