"""The changed inputs written into the scenario file's TOML with tomlkit, each in the form the
file already uses for its key (a TOML date stays a date, an integer an integer)."""

from __future__ import annotations

from datetime import date
from typing import Any

import tomlkit
from tomlkit.items import Date as TomlDate
from tomlkit.items import Float as TomlFloat
from tomlkit.items import Integer as TomlInteger

from kim_budget.importer.book import Reading
from kim_budget.keys import key
from kim_budget.measures import Measure
from kim_budget.validate import month_text


def _tokens(path: str) -> list[str | int]:
    tokens: list[str | int] = []
    for part in path.split("."):
        name, *indices = part.split("[")
        tokens.append(name)
        tokens += [int(index.rstrip("]")) for index in indices]
    return tokens


def _toml_value(old: object, new: object, measure: Measure) -> object:
    """The new value in the form the file already uses for the key."""
    if measure.type == "month":
        assert isinstance(new, date)
        if isinstance(old, TomlDate):
            return new
        return month_text(new)
    if measure.type in ("number", "integer") and isinstance(new, int | float):
        if isinstance(old, TomlFloat):
            return float(new)
        if (isinstance(old, TomlInteger) or measure.type == "integer") and float(new).is_integer():
            return int(new)
        return int(new) if old is None and float(new).is_integer() else new
    return new


def set_value(document: Any, path: str, new: object, measure: Measure) -> None:
    tokens = _tokens(path)
    container = document
    for token in tokens[:-1]:
        if isinstance(token, str) and token not in container:
            container[token] = tomlkit.table()
        container = container[token]
    last = tokens[-1]
    old = container.get(last) if hasattr(container, "get") else container[last]
    container[last] = _toml_value(old, new, measure)


def apply_inputs(document: Any, readings: list[Reading], offset_years: tuple[int, ...]) -> None:
    years = set(offset_years)
    offset_changed = False
    for reading in readings:
        entry = reading.row
        if entry.path == "offset.years":
            assert entry.year is not None and isinstance(reading.value, bool)
            offset_changed = True
            (years.add if reading.value else years.discard)(entry.year)
            continue
        set_value(document, entry.path, reading.value, key(entry.path).measure)
    if offset_changed:
        if "offset" not in document:
            document["offset"] = tomlkit.table()
        document["offset"]["years"] = sorted(years)
