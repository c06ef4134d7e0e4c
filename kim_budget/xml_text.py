"""The one written form of XML text in the package parts kim-budget writes.

The cells writer produces a worksheet's cells in this form directly, the finishing step
serialises the parts it edits in it, so a part's bytes do not depend on who wrote which
piece: the same escapes for element text and attribute values, the same text for a value.
"""

from __future__ import annotations

import re

from kim_budget.formula import Scalar

_ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def escape_text(text: str) -> str:
    """Element text: &, <, > and carriage returns escaped (a parser would turn a raw one into
    a line feed)."""
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return text.translate(_TEXT_ESCAPES)
    return text


def escape_attribute(value: str) -> str:
    """An attribute value in double quotes; line breaks and tabs escaped, so they survive."""
    return value.translate(_ATTRIBUTE_ESCAPES) if _ATTRIBUTE_SPECIAL.search(value) else value


def value_text(value: Scalar) -> tuple[str | None, str]:
    """A formula's cached value as a cell type (t; None for a number) and the <v> text."""
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, str):
        return "str", value
    if value is None:
        return None, "0"
    if isinstance(value, float) and value.is_integer():
        return None, str(int(value))
    return None, repr(value)
