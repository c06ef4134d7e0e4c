"""The standard's rules and what a check found: `RULES`, `Finding`, `Report`.

`Findings` collects the findings of one workbook: of one rule on one sheet the first
`MAX_LISTED`, then their number (a damaged or hostile sheet may break a rule in every cell).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kim_budget.verify.sheet_rules import MAX_HEADER_FOOTER_LENGTH
from kim_budget.workbook.page import MIN_TEXT_PT
from kim_budget.workbook.spec import INPUT_SHEET, INPUT_STYLE, MASTER_NAME, MAX_FORMULA_LENGTH

MASTER_CHECK = MASTER_NAME
ENGINE_MISSING = "LibreOffice (soffice) is not installed; install libreoffice-calc-nogui"
MAX_PROMPT = 255
MAX_TITLE = 32
TYPED_VALUE = "number typed in as a value; derived figures must be formulas"
NO_CACHED_VALUES = (
    "none of its {count} formulas has a cached value (it was saved by a program that does "
    "not calculate), so previews, Protected View and pandas show no figures; open and save "
    "the workbook in a spreadsheet program, or rebuild it"
)

RULES = {
    "W0": "the workbook exists and can be read",
    "F1": "no numeric constants in formulas except 0, 0.5, 1, 12 and 100",
    "F2": "one formula per timeline row (same R1C1 formula in every period column)",
    "F3": "only allowed functions; no nested IF, nothing volatile, no links to other files",
    "F4": f"formulas at most {MAX_FORMULA_LENGTH} characters",
    "F5": "no formula refers to a lower row of its own sheet",
    "F6": (
        f"derived figures are formulas: typed-in numbers only in column B of {INPUT_SHEET} "
        "(and the table columns B–H of Tarif; in a results-only comparison, the year columns "
        "of Vergleich: values from the scenarios' workbooks)"
    ),
    "S1": "sheet order",
    "S2": "nothing hidden (sheets, rows, columns)",
    "S3": "every sheet protected",
    "S4": (
        f"inputs: unlocked, in the style {INPUT_STYLE} (where the workbook keeps named "
        f"styles), constants, only on {INPUT_SHEET}"
    ),
    "S5": "data validation with prompt and error message on every input cell",
    "S6": (
        "print setup: A4 landscape, print titles, text printed at least "
        f"{MIN_TEXT_PT:g} pt, pages that fit the paper, one Haushaltsjahr per page on Monate, "
        f"header and footer (each at most {MAX_HEADER_FOOTER_LENGTH} characters)"
    ),
    "S7": "no number, date or boolean cell in the General number format",
    "S8": "defined names and sheet names obey Excel's rules; names refer to existing sheets",
    "M1": f"the master check {MASTER_CHECK} is TRUE",
    "E0": "LibreOffice is installed (when the engine check is required)",
    "E1": "recalculation on load; LibreOffice confirms every cached value, no error cells",
}
"""Rule id → what it requires."""

CellKey = tuple[str, str]


@dataclass(frozen=True)
class Finding:
    """One breach of the standard; sheet and cell are "" for workbook- or sheet-wide ones."""

    path: Path
    sheet: str
    cell: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        place = f"{where}: " if where else ""
        return f"{self.path}: {place}[{self.rule}] {self.message}"


@dataclass(frozen=True)
class Report:
    """What `verify_workbooks` found."""

    findings: tuple[Finding, ...]
    engine_skipped: bool
    """True when LibreOffice did not recalculate (not installed, or use_engine=False)."""
    checked: tuple[Path, ...]
    """The workbook files looked at, in order."""
    recalculated: tuple[Path, ...] = ()
    """The workbooks LibreOffice recalculated (E1), in order."""
    confirmed: tuple[Path, ...] = ()
    """Those of `recalculated` whose every cached value LibreOffice confirmed."""

    @property
    def ok(self) -> bool:
        """Whether no rule was broken."""
        return not self.findings

    def counts(self) -> dict[str, int]:
        """Number of findings per rule id, in the order of `RULES`."""
        counter = Counter(finding.rule for finding in self.findings)
        order = list(RULES)
        return dict(sorted(counter.items(), key=lambda item: order.index(item[0])))


def describe_error(error: Exception) -> str:
    """An error's own words, for a finding (the exception's class means nothing to a user)."""
    text = str(error).strip().strip("'\"")
    return text or "unexpected content"


MAX_LISTED = 100
"""Findings of one rule on one sheet listed one by one; beyond them, their number."""


class Findings:
    """Collects the findings of one workbook: of one rule on one sheet the first `MAX_LISTED`,
    then their number (a damaged or hostile sheet may break a rule in every cell)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._items: list[Finding] = []
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, rule: str, message: str, sheet: str = "", cell: str = "") -> None:
        self._counts[(rule, sheet)] += 1
        if self._counts[(rule, sheet)] <= MAX_LISTED:
            self._items.append(Finding(self.path, sheet, cell, rule, message))

    @property
    def items(self) -> list[Finding]:
        """The findings listed, and per rule and sheet with more a line saying how many."""
        more = [
            Finding(
                self.path,
                sheet,
                "",
                rule,
                f"… and {count - MAX_LISTED:,} more cells breaking this rule on this sheet "
                f"(the first {MAX_LISTED} are listed)",
            )
            for (rule, sheet), count in self._counts.items()
            if count > MAX_LISTED
        ]
        return self._items + more
