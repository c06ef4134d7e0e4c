"""The rules that check a key against other keys, each named beside its key in `keys.py`.

The walk (`walk.py`) reads every key on its own — type, limits, required — and records the
valid values in a `Walked`; a key's rule runs right after the key is read (when the file has
it), a table's rule after the table's keys (for an array, after each element's). A rule records
its problems with the `Checker` and returns False when the table or element it belongs to
cannot be used (a position that ends before it starts), so that nothing is built from it.

The rule that needs whole positions and pay rules — a pay table for every month a graded
position is filled — runs after the scenario is built (`loader.pay_covers_positions`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from kim_budget.messages import display_key
from kim_budget.pay import shipped_rules, unknown_grade
from kim_budget.validate import Checker, Table, month_text, show

MAX_SPAN = 15
"""The most years a horizon may span beyond its first (sixteen Haushaltsjahre)."""
COMPARISON = "Szenarienvergleich"
"""The comparison workbook's name; no scenario file may take it, in any case."""
RESERVED_STEM = COMPARISON.casefold()
MAX_SLUG = 80
"""Most characters of a generated scenario file's stem (file systems allow 255 bytes)."""
_SLUG_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_COST_NOTE = " (required unless every position has its own annual_cost or a grade)"
_RATE_NOTE = " (required unless percent_of_cost gives the funding as a share of the cost)"


@dataclass
class Walked:
    """What the walk of one file found: the valid value at each concrete key path, the tables
    and array elements present, and what a rule found unusable."""

    root: Table
    values: dict[str, object] = field(default_factory=dict)
    tables: set[str] = field(default_factory=set)
    """Concrete paths of the tables present ("funding", "funding.share")."""
    elements: dict[str, list[int]] = field(default_factory=dict)
    """Concrete path of an array of tables → the indices of its tables."""
    invalid: set[str] = field(default_factory=set)
    """Tables and elements a rule found unusable ("positions[1]")."""
    state: dict[str, dict[str, str]] = field(default_factory=dict)
    """What rules remember while walking an array (names seen so far)."""

    def horizon(self) -> tuple[int, int] | None:
        """First and last Haushaltsjahr, when both are valid."""
        first = self.values.get("horizon.first_year")
        last = self.values.get("horizon.last_year")
        if "horizon" in self.invalid or not isinstance(first, int) or not isinstance(last, int):
            return None
        return first, last


Rule = Callable[[Checker, Walked, str, Table], bool]
"""(check, walked, path, table) → whether the table or element may be used. For a key's rule
`path` is the key's and `table` the one holding it; for a table's rule both are the table's."""


# --- scenario files ----------------------------------------------------------------------------


def horizon_span(check: Checker, walked: Walked, path: str, table: Table) -> bool:
    """last_year lies from first_year to first_year + `MAX_SPAN`."""
    first = walked.values.get("horizon.first_year")
    last = walked.values.get("horizon.last_year")
    if not isinstance(first, int) or not isinstance(last, int):
        return True
    if first <= last <= first + MAX_SPAN:
        return True
    allowed = f"≥ first_year and ≤ first_year + {MAX_SPAN} ({first}–{first + MAX_SPAN})"
    check.error("horizon.last_year", f"must be {allowed}, got {last}")
    return False


def position_period(check: Checker, walked: Walked, path: str, item: Table) -> bool:
    """A position ends not before it starts and is filled inside the horizon."""
    start = walked.values.get(f"{path}.start")
    end = walked.values.get(f"{path}.end")
    if not isinstance(start, date):
        return True
    if isinstance(end, date) and end < start:
        problem = f"must not be before start {show(item['start'])}, got {show(item['end'])}"
        check.error(f"{path}.end", problem)
        return False
    horizon = walked.horizon()
    last = end if isinstance(end, date) else None
    if horizon is not None and not _overlaps(start, last, horizon):
        months = (
            f"{month_text(start)} to {month_text(last)}" if last else f"from {month_text(start)}"
        )
        check.error(path, f"lies entirely outside the horizon {horizon[0]}–{horizon[1]} ({months})")
        return False
    return True


def _overlaps(start: date, end: date | None, horizon: tuple[int, int]) -> bool:
    return start <= date(horizon[1], 12, 1) and (end is None or end >= date(horizon[0], 1, 1))


def position_grade(check: Checker, walked: Walked, path: str, item: Table) -> bool:
    """A known grade, and a position priced either from the pay tables or by an annual cost."""
    usable = True
    grade = walked.values.get(path)
    rules = shipped_rules()
    if isinstance(grade, str) and grade not in rules.grades:
        check.error(path, unknown_grade(grade, rules))
        del walked.values[path]
        usable = False
    if "annual_cost" in item:
        problem = "cannot be combined with grade: a position is priced either from the pay "
        check.error(
            path.replace(".grade", ".annual_cost"),
            problem + "tables (grade) or by an annual cost",
        )
    return usable


def step_since_not_after_start(check: Checker, walked: Walked, path: str, item: Table) -> bool:
    """The Stufe is counted from a month not after the position starts."""
    since = walked.values.get(path)
    start = walked.values.get(path.replace(".step_since", ".start"))
    if isinstance(since, date) and isinstance(start, date) and since > start:
        problem = f"must not be after start {show(item['start'])}, got {show(item['step_since'])}"
        check.error(path, problem)
        return False
    return True


def cost_needed(root: Table) -> str:
    """[cost] and its annual_cost_per_fte are needed unless every position has its own annual
    cost or a grade: judged from the file as written, so that a missing [cost] is reported
    even while a position has other problems."""
    items = root.get("positions")
    own_costs = isinstance(items, list) and all(
        isinstance(item, dict) and ("annual_cost" in item or "grade" in item) for item in items
    )
    return (
        "" if own_costs else " (required unless every position has its own annual_cost or a grade)"
    )


def rate_needed(root: Table) -> str:
    """A lump sum per VZÄ is needed unless the funding is a share of the cost."""
    funding = root.get("funding")
    share = isinstance(funding, dict) and "percent_of_cost" in funding
    return "" if share else _RATE_NOTE


def one_increase_a_month(check: Checker, walked: Walked, path: str, item: Table) -> bool:
    """Two increases of one list may not share a month."""
    start = walked.values.get(f"{path}.from")
    if not isinstance(start, date):
        return True
    array, index = _element(path)
    for earlier in walked.elements.get(array, []):
        if earlier >= index:
            break
        if walked.values.get(f"{array}[{earlier}].from") == start:
            also = display_key(f"{array}[{earlier}]")
            problem = f"two increases in the same month {month_text(start)} (also {also})"
            check.error(f"{path}.from", f"{problem}; combine them into one")
            return False
    return True


def _element(path: str) -> tuple[str, int]:
    """ "cost.increases[2]" → ("cost.increases", 2)."""
    array, _, index = path[:-1].rpartition("[")
    return array, int(index)


def max_fte_or_share(check: Checker, walked: Walked, path: str, table: Table) -> bool:
    """The funded VZÄ are capped either directly or by the population share, not both."""
    if "max_fte" in table and "share" in table:
        problem = "cannot be combined with funding.max_fte; give either max_fte or [funding.share]"
        check.error("funding.share", problem)
    return True


def share_within_district(check: Checker, walked: Walked, path: str, table: Table) -> bool:
    """The municipality's population is part of the district's."""
    population = walked.values.get(f"{path}.population")
    district = walked.values.get(f"{path}.district_population")
    if isinstance(population, int) and isinstance(district, int) and population > district:
        allowed = f"≤ district_population ({district})"
        check.error(f"{path}.population", f"must be {allowed}, got {population}")
        return False
    return True


def offset_years(check: Checker, walked: Walked, path: str, table: Table) -> bool:
    """One covered year (offset.years[i]): listed once, inside the horizon."""
    year = walked.values.get(path)
    array, index = _element(path)
    earlier = [walked.values.get(f"{array}[{n}]") for n in range(index)]
    if year in earlier:
        check.error(path, f"{year} is listed twice; list each year once")
        return False
    horizon = walked.horizon()
    if isinstance(year, int) and horizon is not None and not horizon[0] <= year <= horizon[1]:
        inside = f"a year inside the horizon {horizon[0]}–{horizon[1]}"
        check.error(path, f"must be {inside}, got {year}")
        return False
    return True


def one_rate_a_year(check: Checker, walked: Walked, path: str, item: Table) -> bool:
    """A rate list names each year once."""
    start = walked.values.get(f"{path}.from")
    if start is None:
        return True
    array, index = _element(path)
    for earlier in walked.elements.get(array, []):
        if earlier >= index:
            break
        other = f"{array}[{earlier}]"
        value = walked.values.get(f"{other}.percent", walked.values.get(f"{other}.amount"))
        listed = other not in walked.invalid and value is not None
        if listed and walked.values.get(f"{other}.from") == start:
            check.error(f"{path}.from", f"{start} is listed twice; list each year once")
            return False
    return True


def pay_table_grade(check: Checker, walked: Walked, path: str, item: Table) -> bool:
    """A pay table of the file is of a known grade."""
    grade = walked.values.get(f"{path}.grade")
    rules = shipped_rules()
    if isinstance(grade, str) and grade not in rules.grades:
        check.error(f"{path}.grade", unknown_grade(grade, rules))
        return False
    return True


# --- district files ----------------------------------------------------------------------------


def thousandths(check: Checker, walked: Walked, path: str, table: Table) -> bool:
    """VZÄ to 0.001."""
    value = walked.values.get(path)
    if isinstance(value, float) and not math.isclose(
        value * 1000, round(value * 1000), abs_tol=1e-6
    ):
        check.error(path, f"must have at most 3 decimals (VZÄ to 0.001), got {show(value)}")
    return True


def slug(name: str) -> str:
    """The stem of a municipality's scenario file: lower-case ASCII letters and digits joined by
    hyphens, umlauts spelt out, accents dropped, at most `MAX_SLUG` characters.

    "Sankt Augustin" → "sankt-augustin", "Übach-Palenberg" → "uebach-palenberg",
    "../../etc/evil" → "etc-evil": never a path, never empty unless the name has no letter.
    """
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_SLUG_LETTERS))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_only).strip("-")[:MAX_SLUG].rstrip("-")


def municipality_names(check: Checker, walked: Walked, path: str, item: Table) -> bool:
    """Names are unique, and so are the scenario file names made from them: two names that
    differ only in umlauts, accents, punctuation or case would write the same file."""
    name = walked.values.get(f"{path}.name")
    if not isinstance(name, str):
        return True
    names = walked.state.setdefault("names", {})
    earlier = names.setdefault(name.casefold(), path)
    if earlier != path:
        check.error(f"{path}.name", f"{show(name)} is already the name of {earlier}")
        return True
    if walked.values.get(f"{path}.remainder") is True:
        return True
    stem = slug(name)
    if not stem or stem == RESERVED_STEM:
        check.error(f"{path}.name", f"{show(name)} gives no usable scenario file name")
        return True
    stems = walked.state.setdefault("stems", {})
    first = stems.setdefault(stem, path)
    if first != path:
        other = walked.values.get(f"{first}.name")
        check.error(
            f"{path}.name",
            f"{show(name)} gives the scenario file name {stem}.toml, as {first}.name "
            f"{show(other)} does; rename one of them so that the names differ in more than "
            "umlauts, accents, punctuation or case",
        )
    return True
