"""Print geometry of A4 landscape, shared by the writer (which chooses print scale and column
breaks) and verify (which checks them)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

# --- S6 print layout --------------------------------------------------------------------------
# Shared with the writer, which chooses the print scale and page breaks by the same geometry.

PAPER_WIDTH_PT = 842.0  # A4 landscape
POINTS_PER_WIDTH_UNIT = (
    5.6  # a column of width 1 (Excel's unit: digits of Arial 10) prints 5.6 pt wide
)
MIN_TEXT_PT = 7.0  # the smallest printed text that stays readable
MONTHS_PER_PAGE = 12  # "Monate" prints one Haushaltsjahr per page width
DEFAULT_COLUMN_WIDTH = 8.43  # Excel's width of a column without its own width


@dataclass(frozen=True)
class PrintLayout:
    """What decides how wide a sheet prints: columns, breaks, margins and scaling."""

    widths: tuple[float, ...]  # column widths (Excel's unit) from column A to the last used one
    breaks: tuple[int, ...]  # columns after which a new page starts
    title_columns: int  # columns repeated on every page (print titles), 0 for none
    margins_pt: float  # left plus right margin
    fit_width: int | None  # pages wide when "fit to page" is on, else None
    scale: float  # the fixed scale in percent, when "fit to page" is off


def page_widths(widths: Sequence[float], breaks: Sequence[int], title_columns: int) -> list[float]:
    """The width (Excel's unit) of each page across; pages after the first repeat the titles."""
    titles = sum(widths[:title_columns])
    edges = [0, *sorted(b for b in breaks if 0 < b < len(widths)), len(widths)]
    pages = []
    for number, (first, last) in enumerate(itertools.pairwise(edges)):
        repeated = titles if number > 0 and first >= title_columns else 0.0
        pages.append(repeated + sum(widths[first:last]))
    return pages


def printable_width(margins_pt: float) -> float:
    """The width of A4 landscape between the margins, in points."""
    return PAPER_WIDTH_PT - margins_pt
