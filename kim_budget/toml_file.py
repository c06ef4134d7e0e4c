"""Reading a TOML file from outside: bounded, decoded, parsed, with hints for German habits.

`load_checked` is the skeleton every loader (scenario and district files) uses: read the file
(a regular file of at most `MAX_TOML_BYTES`), report an empty one, parse it (tables and arrays
nested at most `MAX_DEPTH` deep), hand the tables to the loader's build function, and raise
every problem found at once. A TOML syntax error caused by a German habit (a decimal comma, a
thousands point, a unit) is shown with the line corrected.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kim_budget.errors import ScenarioErrors
from kim_budget.files import UnreadableFile, read_regular
from kim_budget.messages import shorten
from kim_budget.validate import Checker, Table

T = TypeVar("T")

MAX_TOML_BYTES = 1 << 20
"""Most bytes of a scenario or district file read (the shipped ones have 2–5 KiB)."""

MAX_DEPTH = 8
"""Most levels tables and arrays may nest (a scenario file needs 4: [tvoed], pay_tables, one
table, its steps)."""

_TOO_DEEP = (
    f"tables and arrays nest too deep: at most {MAX_DEPTH} levels are read "
    "(a scenario file needs 4)"
)

_TOML_POSITION = re.compile(r"(.*) \(at line (\d+), column (\d+)\)", re.DOTALL)

_GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{3})+(?=,\d|[ \t]*(?:€|EUR\b|Euro\b))", re.I)
"""A number with thousands points before a decimal comma or a euro sign: "80.000,00 €"."""

_DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d{1,3})(?![\d,])")
"""A decimal comma: "1,0", "1,173"; not a list of numbers such as "[2024,2025]"."""

_UNIT = re.compile(r"(?<=\d)[ \t]*(?:€|EUR\b|Euro\b|%)", re.I)

_STRING = re.compile(r""""(?:[^"\\]|\\.)*"?|'[^']*'?""")
"""Quoted text on one line (possibly unterminated), which a syntax hint leaves alone."""


def load_checked(
    path: Path,
    display: str | None,
    empty: str,
    build: Callable[[Path, Table, str, Checker], T | None],
    raw: bytes | None = None,
) -> T:
    """Read a TOML file and turn it into `build(path, data, sha256, check)`, collecting every
    problem; raises `ScenarioErrors` with all of them. `display` names the file in messages
    (default: the path as given); `empty` is the problem of an empty file; `raw`, when given,
    is the file's content (the file itself is then not read)."""
    check = Checker(str(path) if display is None else display)
    built = None
    read = read_toml(path, check, raw)
    if read is not None and not read[0]:
        check.error("", empty)
    elif read is not None:
        built = build(path, read[0], read[1], check)
    if built is None or check.errors:
        raise ScenarioErrors(check.errors)
    return built


def read_toml(path: Path, check: Checker, raw: bytes | None = None) -> tuple[Table, str] | None:
    """The parsed file (possibly empty) and the hex SHA-256 of its bytes; None after a problem.

    Only a regular file of at most `MAX_TOML_BYTES` is read, and tables and arrays may nest
    at most `MAX_DEPTH` deep."""
    if raw is None:
        try:
            raw = read_regular(path, MAX_TOML_BYTES)
        except UnreadableFile as error:
            check.error("", error.reason)
            return None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # tolerate a BOM (Windows editors)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        where = f"byte 0x{raw[error.start]:02x} at position {error.start}, line {line}"
        check.error("", f"file is not UTF-8 text ({where}); save it as UTF-8")
        return None
    check.source = text
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        check.error("", _syntax_error(str(error), text))
        return None
    except RecursionError:
        check.error("", _TOO_DEEP)
        return None
    if _depth(data) > MAX_DEPTH:
        check.error("", _TOO_DEEP)
        return None
    return data, hashlib.sha256(raw).hexdigest()


def _depth(data: Table) -> int:
    """How deep tables and arrays nest in `data` (the file itself is level 0), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        children: list[object] = []
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _syntax_error(message: str, text: str) -> str:
    match = _TOML_POSITION.fullmatch(message)
    if match:
        where = f"TOML syntax error at line {match[2]}, column {match[3]}: {match[1]}"
        lines = text.splitlines()
        number = int(match[2])
        fixed = _without_habits(lines[number - 1]) if 1 <= number <= len(lines) else None
        return f"{where}; use a decimal point and no unit: {shorten(fixed)}" if fixed else where
    end = " (at end of document)"
    if message.endswith(end):
        return f"TOML syntax error at the end of the file: {message.removesuffix(end)}"
    return f"TOML syntax error: {message}"


def _without_habits(line: str) -> str | None:
    """The line (without its comment) with decimal commas, thousands points and units made
    TOML; None when it holds none of them. Quoted text is left alone."""
    parts: list[str] = []
    last = 0
    for string in _STRING.finditer(line):
        parts += [line[last : string.start()], string[0]]
        last = string.end()
    parts.append(line[last:])
    code = parts[0::2]
    comment = next((i for i, part in enumerate(code) if "#" in part), None)
    if comment is not None:
        code[comment] = code[comment].split("#", 1)[0]
        parts = parts[: 2 * comment + 1]
        code = code[: comment + 1]
    fixed = [_fix_numbers(part) for part in code]
    if fixed == code:
        return None
    parts[0::2] = fixed
    return "".join(parts).strip()


def _fix_numbers(code: str) -> str:
    code = _GROUPED.sub(lambda match: match[0].replace(".", ""), code)
    code = _DECIMAL_COMMA.sub(r"\1.\2", code)
    return _UNIT.sub("", code)
