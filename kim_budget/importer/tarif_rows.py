"""The pay rules on "Tarif": read back and written into the file's [tvoed] the way that section
works (a rate list as a whole, a pay table as the file's entry of its grade and month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Float as TomlFloat

from kim_budget.errors import ScenarioError, ScenarioErrors
from kim_budget.formula import column_letter
from kim_budget.importer.book import Book, Change, WorkbookError, check_column
from kim_budget.importer.values import convert, same
from kim_budget.measures import CEILING, MONEY_MONTH, MONTH, RATE, YEAR, Measure
from kim_budget.pay import CEILING_LISTS, RATE_LISTS, STEPS
from kim_budget.scenario import Scenario
from kim_budget.validate import month_text
from kim_budget.workbook import spec, tarif
from kim_budget.workbook.grid import Sheet

_TABLE_KEY = re.compile(r"tvoed\.pay_tables \((.+), (\d{4}-\d{2})\)")
_RATE_KEY = re.compile(rf"tvoed\.({'|'.join((*RATE_LISTS, *CEILING_LISTS))})\[(\d+)\]")
_PERFORMANCE = "tvoed.performance_pay_percent"


@dataclass(frozen=True)
class TarifRow:
    """One input row of "Tarif": its key, the cells read and their values in the file."""

    key: str
    row: int
    values: tuple[object, ...]
    """As read from the workbook, column B on."""
    expected: tuple[object, ...]
    """As the scenario file (with the shipped rules) has them."""


def _tarif_measures(key_text: str) -> tuple[Measure, ...] | None:
    if _TABLE_KEY.fullmatch(key_text):
        return (MONTH, *([MONEY_MONTH] * STEPS))
    if found := _RATE_KEY.fullmatch(key_text):
        return (YEAR, CEILING if found[1] in CEILING_LISTS else RATE)
    if key_text == _PERFORMANCE:
        return (RATE,)
    return None


def read_tarif(book: Book, scenario: Scenario, path: Path) -> list[TarifRow]:
    """The input rows of "Tarif", checked to sit where the scenario puts them."""
    if not scenario.graded:
        return []
    sheet = Sheet(spec.TARIF)
    tarif.lay_out(sheet, scenario)
    book.sheet(spec.TARIF)
    keys = {row: cell.content for (row, col), cell in sheet.cells.items() if col == tarif.KEY}
    check_column(book, spec.TARIF, tarif.KEY, keys, tarif.FIRST_ROW, path)
    rows: list[TarifRow] = []
    errors: list[ScenarioError] = []
    for row, key_text in sorted(keys.items()):
        measures = _tarif_measures(str(key_text))
        if measures is None:
            continue
        values: list[object] = []
        for offset, measure in enumerate(measures):
            col = tarif.VALUE + offset
            cell = f"{spec.TARIF}!{column_letter(col)}{row}"
            try:
                values.append(convert(book.value(spec.TARIF, row, col), measure))
            except ValueError as problem:
                errors.append(ScenarioError(f"{cell} ({key_text})", "", str(problem)))
        expected = tuple(sheet.cells[(row, tarif.VALUE + n)].content for n in range(len(measures)))
        rows.append(TarifRow(str(key_text), row, tuple(values), expected))
    if errors:
        raise ScenarioErrors(errors)
    return rows


def tarif_changes(rows: list[TarifRow]) -> list[Change]:
    changes = []
    for entry in rows:
        for n, (old, new) in enumerate(zip(entry.expected, entry.values, strict=True)):
            if same(old, new):
                continue
            cell = f"{spec.TARIF}!{column_letter(tarif.VALUE + n)}{entry.row}"
            changes.append(Change(f"{entry.key}{_tarif_part(entry.key, n)}", cell, old, new))
    return changes


def _tarif_part(key_text: str, n: int) -> str:
    if _TABLE_KEY.fullmatch(key_text):
        return " gültig ab" if n == 0 else f" Stufe {n}"
    if found := _RATE_KEY.fullmatch(key_text):
        return ".from" if n == 0 else f".{_value_key(found[1])}"
    return ""


def _value_key(name: str) -> str:
    """The key of a list entry's value: "amount" for ceilings, else "percent"."""
    return "amount" if name in CEILING_LISTS else "percent"


def _edited(entry: TarifRow) -> bool:
    return not all(same(old, new) for old, new in zip(entry.expected, entry.values, strict=True))


def apply_tarif(document: Any, rows: list[TarifRow]) -> dict[str, str]:
    """Write the changed pay rules into [tvoed]: a rate list as a whole, a pay table as the
    file's entry for its grade and month; returns the cells of the keys written."""
    edited = [entry for entry in rows if _edited(entry)]
    if not edited:
        return {}
    if "tvoed" not in document:
        document["tvoed"] = tomlkit.table()
    tvoed = document["tvoed"]
    cells: dict[str, str] = {}
    for entry in edited:
        table = _TABLE_KEY.fullmatch(entry.key)
        if table is not None:
            _set_table(tvoed, table[1], entry)
        elif entry.key == _PERFORMANCE:
            tvoed[_PERFORMANCE.split(".")[1]] = entry.values[0]
            cells[_PERFORMANCE] = f"{spec.TARIF}!{column_letter(tarif.VALUE)}{entry.row}"
    for name in {m[1] for e in edited if (m := _RATE_KEY.fullmatch(e.key)) is not None}:
        listed = [e for e in rows if e.key.startswith(f"tvoed.{name}[")]
        array = tomlkit.array()
        value = _value_key(name)
        for number, entry in enumerate(listed):
            array.append(tomlkit.inline_table())
            array[-1].update({"from": entry.values[0], value: entry.values[1]})
            for part, col in (("from", tarif.VALUE), (value, tarif.FIRST_STEP)):
                cells[f"tvoed.{name}[{number}].{part}"] = (
                    f"{spec.TARIF}!{column_letter(col)}{entry.row}"
                )
        tvoed[name] = array
    return cells


def _set_table(tvoed: Any, grade: str, entry: TarifRow) -> None:
    valid_from = entry.expected[0]
    assert isinstance(valid_from, date)
    if not same(entry.values[0], valid_from):
        raise WorkbookError(
            f"{spec.TARIF}!{column_letter(tarif.VALUE)}{entry.row} ({entry.key}): the month a pay "
            "table starts is not changed here; add a [[tvoed.pay_tables]] entry to the scenario "
            "file for the new month"
        )
    steps = [whole(amount) for amount in entry.values[1:]]
    tables = tvoed.get("pay_tables")
    if tables is None:
        tables = tomlkit.aot()
        tvoed["pay_tables"] = tables
    for item in tables:
        written = item.get("valid_from")
        same_month = written is not None and str(written)[:7] == month_text(valid_from)
        if item.get("grade") == grade and same_month:
            _set_steps(item["steps"], steps)
            return
    added = tomlkit.table()
    added.update({"grade": grade, "valid_from": month_text(valid_from), "steps": steps})
    tables.append(added)


def _set_steps(written: Any, steps: list[object]) -> None:
    """Change only the amounts that differ, each in the form the file writes it."""
    for n, amount in enumerate(steps):
        old = written[n]
        if isinstance(amount, int | float) and not same(float(old), amount):
            written[n] = float(amount) if isinstance(old, TomlFloat) else amount


def whole(amount: object) -> object:
    return int(amount) if isinstance(amount, float) and amount.is_integer() else amount
