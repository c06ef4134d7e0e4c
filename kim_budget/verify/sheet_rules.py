"""The sheet rules over names and numbers: sheet order (S1), F2's one formula per row, headers
and footers and the printed size (S6). No workbook needed."""

from __future__ import annotations

from collections.abc import Sequence

from kim_budget.formula import column_letter
from kim_budget.workbook.page import (
    MIN_TEXT_PT,
    MONTHS_PER_PAGE,
    POINTS_PER_WIDTH_UNIT,
    PrintLayout,
    page_widths,
    printable_width,
)
from kim_budget.workbook.spec import (
    DISTRICT_SHEETS,
    GRADED_GROUP,
    RESULTS_ONLY_SHEETS,
    SCENARIO_GROUP,
    SENSITIVITAET,
    TARIF,
    TIMELINE_SHEETS,
    scenario_sheets,
)
from kim_budget.workbook.spec import FIRST_PERIOD as FIRST_PERIOD_COLUMN
from kim_budget.workbook.spec import VERGLEICH as COMPARISON_SHEET

MAX_HEADER_FOOTER_LENGTH = 255  # Excel's limit for each header and footer string


# --- S1 sheet order -------------------------------------------------------------------------


def sheet_kind(name: str, kinds: Sequence[str]) -> tuple[str, str] | None:
    """(kind, suffix) when the name is one of `kinds` plus an optional suffix like " 1"."""
    for kind in kinds:
        if name.startswith(kind):
            suffix = name[len(kind) :]
            if not suffix or not suffix[0].isalpha():
                return kind, suffix
    return None


def is_timeline(name: str) -> bool:
    """Whether a sheet has one column per period ("Monate", "Haushalt 2", …)."""
    return sheet_kind(name, TIMELINE_SHEETS) is not None


def _listing(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "(none)"


def workbook_kind(names: Sequence[str]) -> str:
    """Which kind of workbook the sheet names show: "comparison", "results" (a results-only
    comparison of many scenarios: the sheet "Vergleich" alone), "district" (a district's
    distribution: it has a sheet "Verteilung") or "scenario"."""
    if tuple(names) == RESULTS_ONLY_SHEETS:
        return "results"
    if names and names[0] == COMPARISON_SHEET:
        return "comparison"
    if DISTRICT_SHEETS[2] in names:
        return "district"
    return "scenario"


def check_sheet_order(names: Sequence[str]) -> list[str]:
    """Problems with the order of sheets (S1), for scenario, comparison and district
    workbooks."""
    kind = workbook_kind(names)
    if kind == "results":
        return []
    if kind == "comparison":
        return _comparison_order(names[1:])
    if kind == "district":
        if tuple(names) == DISTRICT_SHEETS:
            return []
        return [f"sheets are {_listing(names)}; expected {_listing(DISTRICT_SHEETS)}"]
    graded, sensitivity = TARIF in names, SENSITIVITAET in names
    expected = scenario_sheets(graded, sensitivity)
    if tuple(names) == expected:
        return []
    return [f"sheets are {_listing(names)}; expected {_listing(expected)}"]


def _comparison_order(names: Sequence[str]) -> list[str]:
    problems: list[str] = []
    suffixes: list[str] = []
    known: list[str] = []
    for name in names:
        parsed = sheet_kind(name, GRADED_GROUP)
        if parsed is None:
            problems.append(
                f"unexpected sheet {name} in a comparison workbook "
                f"(expected {_listing(SCENARIO_GROUP)} per scenario)"
            )
            continue
        known.append(name)
        if parsed[1] not in suffixes:
            suffixes.append(parsed[1])
    expected = [
        kind + suffix
        for suffix in suffixes
        for kind in (GRADED_GROUP if f"{TARIF}{suffix}" in known else SCENARIO_GROUP)
    ]
    missing = [name for name in expected if name not in known]
    if not suffixes:
        problems.append(f"no scenario sheets after {COMPARISON_SHEET}")
    elif missing:
        problems.append(f"missing sheets: {_listing(missing)}")
    elif known != expected:
        problems.append(
            f"scenario sheets are {_listing(known)}; expected {_listing(expected)} "
            f"(after {COMPARISON_SHEET})"
        )
    return problems


# --- S6 headers and footers -----------------------------------------------------------------


def header_footer_parts(text: str) -> tuple[frozenset[str], str]:
    """The codes (``P`` for ``&P``, …) and the literal text of a header or footer string.

    Section codes (``&L``, ``&C``, ``&R``), fonts (``&"Arial,Bold"``) and font sizes
    (``&12``) are dropped; ``&&`` is a literal ampersand.
    """
    codes: set[str] = set()
    literal: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "&" or i + 1 >= len(text):
            literal.append(char)
            i += 1
            continue
        following = text[i + 1]
        if following == "&":
            literal.append("&")
            i += 2
        elif following == '"':
            end = text.find('"', i + 2)
            i = len(text) if end < 0 else end + 1
        elif following.isdigit():
            i += 2
            while i < len(text) and text[i].isdigit():
                i += 1
        else:
            codes.add(following.upper())
            i += 2
    return frozenset(codes - {"L", "C", "R"}), "".join(literal)


def _length_problems(label: str, text: str) -> list[str]:
    if len(text) <= MAX_HEADER_FOOTER_LENGTH:
        return []
    return [
        f"{label} has {len(text)} characters; at most {MAX_HEADER_FOOTER_LENGTH} allowed "
        "(Excel's limit)"
    ]


def header_problems(header: str) -> list[str]:
    """S6: the header must show something and fit Excel's 255 characters."""
    problems = _length_problems("header", header)
    codes, literal = header_footer_parts(header)
    if not (literal.strip() or codes & set("PNDTFAZG")):
        problems.append("header is empty")
    return problems


def footer_problems(footer: str, file_name: str) -> list[str]:
    """S6: the footer shows page X of Y (&P, &N), the sheet (&A) and the file (name or &F).

    Like the header, it must fit Excel's 255 characters.
    """
    problems = _length_problems("footer", footer)
    codes, literal = header_footer_parts(footer)
    missing = [f"&{code}" for code in "PNA" if code not in codes]
    if "F" not in codes and file_name not in literal:
        missing.append(f"&F or the file name {file_name}")
    if missing:
        problems.append(f"footer lacks {', '.join(missing)} (has {footer!r})")
    return problems


def printed_scale(layout: PrintLayout) -> float:
    """The factor the sheet prints at (1.0 = 100 %) across its width."""
    if layout.fit_width is None:
        return layout.scale / 100
    total = sum(page_widths(layout.widths, layout.breaks, layout.title_columns))
    needed = total * POINTS_PER_WIDTH_UNIT
    return min(1.0, layout.fit_width * printable_width(layout.margins_pt) / needed)


def print_size_problems(layout: PrintLayout, smallest_font_pt: float) -> list[str]:
    """S6: the smallest text must print at MIN_TEXT_PT or more, each page must fit the paper."""
    scale = printed_scale(layout)
    problems = []
    printed = smallest_font_pt * scale
    if printed < MIN_TEXT_PT - 0.05:
        problems.append(
            f"prints at {scale:.0%}: its smallest text ({smallest_font_pt:g} pt) comes out at "
            f"{printed:.1f} pt; at least {MIN_TEXT_PT:g} pt needed (fewer columns per page)"
        )
    if layout.fit_width is None:
        room = printable_width(layout.margins_pt) / (POINTS_PER_WIDTH_UNIT * scale)
        pages = page_widths(layout.widths, layout.breaks, layout.title_columns)
        for number, width in enumerate(pages, start=1):
            if width > room + 0.5:
                problems.append(
                    f"page {number} across is {width:g} wide at {scale:.0%}, only {room:.0f} fit "
                    "the paper (add column breaks or lower the scale)"
                )
    return problems


def month_break_problems(breaks: Sequence[int], last_col: int) -> list[str]:
    """S6: "Monate" breaks the columns after each December, one Haushaltsjahr per page."""
    first = FIRST_PERIOD_COLUMN - 1
    expected = list(range(first + MONTHS_PER_PAGE, last_col, MONTHS_PER_PAGE))
    if sorted(breaks) == expected:
        return []
    shown = ", ".join(column_letter(col) for col in expected) or "none"
    found = ", ".join(column_letter(col) for col in sorted(breaks)) or "none"
    return [
        f"column breaks after {found}; expected after every December ({shown}): "
        f"one Haushaltsjahr ({MONTHS_PER_PAGE} months) per page"
    ]
