"""How values, keys and texts from files appear in messages: on one line, escaped, cut short.

The lowest layer of the package (it imports nothing of kim-budget), so that errors, the loaders,
the importer and the command line all show a key, a value or a file name the same way:

- `printable`: control characters, line and paragraph separators and the bidirectional
  controls are escaped (a line break as ``\\n``, U+202E as ``\\u202e``), so that a file name or a
  cell can neither start a line of its own in the output nor hide what follows it;
- `shorten`: a long text is cut, with its length (``"1111…" (10,485,760 characters)``);
- `display_key`: a key path with the workbook's name of a position or increase.
"""

from __future__ import annotations

import re

ARRAY_NAMES = {
    "positions": "Stelle",
    "cost.increases": "Kostensteigerung",
    "funding.increases": "Förderanpassung",
}
"""The workbook's name of an element of these arrays, numbered from 1 ("Stelle 1")."""
_NAMED_ELEMENT = re.compile(r"(positions|cost\.increases|funding\.increases)\[(\d+)\]")

SHOWN_CHARACTERS = 60
"""Characters of a value a message shows before cutting it."""
SHOWN_KEY_CHARACTERS = 120
"""Characters of a key path a message shows before cutting it."""

_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)
"""Control characters (C0, DEL, C1), line and paragraph separators, bidirectional controls,
the byte-order mark and the noncharacters U+FFFE and U+FFFF."""
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    character = match[0]
    return _NAMED_ESCAPES.get(character) or f"\\u{ord(character):04x}"


def printable(text: str) -> str:
    """`text` on one line: every character that could break or disguise a line escaped."""
    return _UNPRINTABLE.sub(_escape, text)


def shorten(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """`text` cut to `limit` characters with "…"; the caller adds the length (`quoted`)."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def quoted(text: str, limit: int = SHOWN_CHARACTERS, quotes: tuple[str, str] = ('"', '"')) -> str:
    """A text for a message: quoted, escaped, and when long cut with its length in characters.

    "Bonn" → '"Bonn"'; ten million ones → '"1111…" (10,000,000 characters)'.
    """
    shown = f"{quotes[0]}{printable(shorten(text, limit))}{quotes[1]}"
    return shown if len(text) <= limit else f"{shown} ({len(text):,} characters)"


def display_key(path: str) -> str:
    """A key path as messages show it: positions and increases also by the workbook's name.

    "positions[0].fte" → "positions[0] (Stelle 1).fte"; other paths stay as they are. A path
    holding odd characters (an unknown key of a hostile file) is escaped and cut.
    """
    path = printable(path)
    if len(path) > SHOWN_KEY_CHARACTERS:
        return f"{shorten(path, SHOWN_KEY_CHARACTERS)} ({len(path):,} characters)"
    match = _NAMED_ELEMENT.match(path)
    if match is None:
        return path
    name = f"{ARRAY_NAMES[match[1]]} {int(match[2]) + 1}"
    return f"{match[0]} ({name}){path[match.end() :]}"
