"""The rules of defined names (S8) and the master check (M1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kim_budget.excel_names import check_defined_name
from kim_budget.formula import column_letter
from kim_budget.verify.formula_rules import name_target
from kim_budget.verify.report import MASTER_CHECK, Findings

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

    from kim_budget.verify.package_xml import Opened


def check_names(out: Findings, book: Workbook) -> None:
    """S8: workbook-scope names obey Excel's rules and refer to existing sheets."""
    sheets = {name.casefold() for name in book.sheetnames}
    for name, defined in book.defined_names.items():
        if name.startswith("_xlnm."):
            continue
        problem = check_defined_name(name)
        if problem:
            out.add("S8", problem)
        refs = name_target(defined.attr_text)
        if refs is None:
            out.add("S8", f"defined name {name} does not refer to cells ({defined.attr_text})")
            continue
        for ref in refs:
            if (ref.sheet or "").casefold() not in sheets:
                out.add("S8", f"defined name {name} refers to the missing sheet {ref.sheet}")


def check_master(out: Findings, opened: Opened) -> None:
    """M1: the master check exists and its cached value is TRUE."""
    book = opened.book
    defined = book.defined_names.get(MASTER_CHECK)
    if defined is None:
        out.add("M1", f"no master check: the workbook has no defined name {MASTER_CHECK}")
        return
    refs = name_target(defined.attr_text)
    titles = {title.casefold(): title for title in book.sheetnames}
    ref = refs[0] if refs and len(refs) == 1 else None
    if ref is None or ref.last is not None or (ref.sheet or "").casefold() not in titles:
        out.add("M1", f"no master check: {MASTER_CHECK} must name one cell ({defined.attr_text})")
        return
    assert ref.first is not None and ref.first.row is not None and ref.first.col is not None
    sheet = titles[(ref.sheet or "").casefold()]
    coordinate = f"{column_letter(ref.first.col)}{ref.first.row}"
    value = opened.cached_value(sheet, ref.first.row, ref.first.col)
    if value is None:
        out.add(
            "M1",
            f"the master check {MASTER_CHECK} has no cached value; open and save the workbook "
            "in a spreadsheet program, or rebuild it",
            sheet,
            coordinate,
        )
        return
    if value is True or (not isinstance(value, bool) and value == 1):
        return
    detail = "" if value is False else f" (cached value {value!r})"
    out.add("M1", f"master check is FALSE{detail}", sheet, coordinate)
