"""One walk over a file's tables, driven by its key table (`keys.Schema`).

For each table, in the order of the key table: unknown keys (with "did you mean"), then every
key — read as its row says (type, limits, required, its default), checked against other keys by
its rule —, every table and array of tables (required, at most so many elements, at least one),
and the table's rule after its keys. Problems are collected in the `Checker`; the valid values
end up in the `Walked` by concrete key path, from which the loaders build their dataclasses.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from kim_budget.keys import Condition, Key, Reading, Schema, Section
from kim_budget.pay import STEPS
from kim_budget.rules import Walked
from kim_budget.validate import Checker, Table, describe, key_path

_Reader = Callable[[Checker, Table, Key, str, bool, str], object]


def walk(data: Table, check: Checker, schema: Schema) -> Walked:
    """Check `data` (a parsed file) against `schema`; the valid values found."""
    walked = Walked(data)
    _table(schema, "", "", data, check, walked)
    return walked


def _table(
    schema: Schema, generic: str, path: str, table: Table, check: Checker, walked: Walked
) -> None:
    check.keys(table, path, schema.names(generic))
    for entry in schema.children.get(generic, ()):
        if isinstance(entry, Key):
            _key(entry, path, table, check, walked)
        elif entry.array:
            _array(schema, entry, path, table, check, walked)
        else:
            _subtable(schema, entry, path, table, check, walked)


def _required(required: bool | Condition, root: Table) -> tuple[bool, str]:
    """Whether a key or table is required, and the note saying when."""
    if isinstance(required, bool):
        return required, ""
    note = required(root)
    return bool(note), note


def _subtable(
    schema: Schema, section: Section, parent: str, table: Table, check: Checker, walked: Walked
) -> None:
    required, note = _required(section.required, walked.root)
    expected = section.expected.format(note=note)
    found = check.table(table, section.name, parent, required=required, expected=expected)
    if found is None:
        return
    path = key_path(parent, section.name)
    walked.tables.add(path)
    _table(schema, section.path, path, found, check, walked)
    if section.rule is not None and not section.rule(check, walked, path, found):
        walked.invalid.add(path)


def _array(
    schema: Schema, section: Section, parent: str, table: Table, check: Checker, walked: Walked
) -> None:
    required, _ = _required(section.required, walked.root)
    most = section.most if section.most is not None else sys.maxsize
    items = check.tables(table, section.name, parent, required=required, most=most)
    if items is None:
        return
    path = key_path(parent, section.name)
    if not table[section.name] and section.at_least_one:
        check.error(path, section.at_least_one)
    walked.elements[path] = [index for index, _, _ in items]
    for _, element, item in items:
        _table(schema, section.path, element, item, check, walked)
        if section.rule is not None and not section.rule(check, walked, element, item):
            walked.invalid.add(element)


def _key(key: Key, parent: str, table: Table, check: Checker, walked: Walked) -> None:
    path = key_path(parent, key.name)
    if key.needs is not None and key.needs[0] not in table:
        if key.name in table:
            check.error(path, key.needs[1])
        return
    if key.reading == "years":
        _years(key, path, table, check, walked)
        return
    required, note = _required(key.required, walked.root)
    value = _READERS[key.reading](check, table, key, parent, required, note)
    if value is not None:
        walked.values[path] = value
    if key.rule is not None and key.name in table and not key.rule(check, walked, path, table):
        walked.invalid.add(parent)


def _years(key: Key, path: str, table: Table, check: Checker, walked: Walked) -> None:
    """An array of years, each checked on its own and by the key's rule; the valid ones, in
    order, as one tuple."""
    value = check.get(table, key.name, path.rpartition(".")[0], "an array of years", False)
    if value is None:
        return
    if not isinstance(value, list):
        check.error(path, f"must be an array of years, got {describe(value)}")
        return
    years: list[int] = []
    for index, item in enumerate(value):
        element = f"{path}[{index}]"
        year = check.integer_value(item, element, key.checked_limits)
        if year is None:
            continue
        walked.values[element] = year
        if key.rule is None or key.rule(check, walked, element, table):
            years.append(year)
    walked.values[path] = tuple(sorted(years))


_READERS: dict[Reading, _Reader] = {
    "text": lambda check, table, key, parent, required, _: check.text(
        table,
        key.name,
        parent,
        required=required,
        max_length=key.max_length or 200,
        multiline=key.multiline,
    ),
    "number": lambda check, table, key, parent, required, note: check.number(
        table, key.name, parent, key.checked_limits, required=required, note=note
    ),
    "amount": lambda check, table, key, parent, required, note: check.amount(
        table, key.name, parent, key.checked_limits, required=required, note=note
    ),
    "percent": lambda check, table, key, parent, _, __: check.percent(
        table, key.name, parent, key.checked_limits
    ),
    "integer": lambda check, table, key, parent, required, _: check.integer(
        table, key.name, parent, key.checked_limits, required=required
    ),
    "month": lambda check, table, key, parent, required, _: check.month(
        table, key.name, parent, required=required
    ),
    "boolean": lambda check, table, key, parent, _, __: check.boolean(
        table, key.name, parent, default=bool(key.default)
    ),
    "account": lambda check, table, key, parent, required, _: check.account(
        table, key.name, parent, required=required
    ),
    "date": lambda check, table, key, parent, required, _: check.iso_date(
        table, key.name, parent, required=required
    ),
    "amounts": lambda check, table, key, parent, _, __: check.amounts(
        table, key.name, parent, key.checked_limits, count=STEPS
    ),
}
"""How each kind of key is read (`Key.read`, by default the measure's type)."""
