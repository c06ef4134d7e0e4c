"""The workbook's contract, stated once: sheets, column roles, styles, result lines, functions.

The layout, the writer, the finishing step, `verify`, the PDF export, the council texts and the
README's tables all take these facts from here, so the producer and the checker cannot drift.
Pure data, no imports beyond the standard library: importing it is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- sheets, in the order of a scenario workbook -------------------------------------------

UEBERSICHT = "Übersicht"
ANNAHMEN = "Annahmen"
TARIF = "Tarif"
MONATE = "Monate"
HAUSHALT = "Haushalt"
PRUEFUNGEN = "Prüfungen"
VERGLEICH = "Vergleich"
SENSITIVITAET = "Sensitivität"
VARIANTEN = "Varianten"

SCENARIO_SHEETS = (UEBERSICHT, ANNAHMEN, MONATE, HAUSHALT, PRUEFUNGEN)
"""The sheets of a scenario workbook, in order."""
GRADED_SHEETS = (UEBERSICHT, ANNAHMEN, TARIF, MONATE, HAUSHALT, PRUEFUNGEN)
"""The sheets of a scenario workbook whose positions are priced from the pay tables."""
SCENARIO_GROUP = (ANNAHMEN, MONATE, HAUSHALT, PRUEFUNGEN)
"""One scenario's sheets inside the comparison workbook (each name followed by " <n>")."""
GRADED_GROUP = (ANNAHMEN, TARIF, MONATE, HAUSHALT, PRUEFUNGEN)
"""The same for a scenario priced from the pay tables: "Tarif" follows "Annahmen"."""


def scenario_group(graded: bool) -> tuple[str, ...]:
    """A scenario's own sheets, in order."""
    return GRADED_GROUP if graded else SCENARIO_GROUP


SENSITIVITY_SHEETS = (SENSITIVITAET, VARIANTEN)
"""A scenario workbook's "what if" sheets, after "Haushalt" (left out with --no-sensitivity and
in the side-by-side comparison)."""


def scenario_sheets(graded: bool, sensitivity: bool) -> tuple[str, ...]:
    """The sheets of a scenario workbook, in order."""
    sheets = GRADED_SHEETS if graded else SCENARIO_SHEETS
    if not sensitivity:
        return sheets
    after = sheets.index(HAUSHALT) + 1
    return (*sheets[:after], *SENSITIVITY_SHEETS, *sheets[after:])


TIMELINE_SHEETS = (MONATE, HAUSHALT, VARIANTEN)
"""Sheets with one column per period (one formula per row)."""
INPUT_SHEET = ANNAHMEN
"""The sheet with the scenario's inputs."""
INPUT_SHEETS = (ANNAHMEN, TARIF)
"""The sheets with input cells (Tarif: the pay rules of graded positions)."""
PRINTED_SHEETS = (UEBERSICHT, HAUSHALT)
"""The sheets of a scenario's PDF (the council paper's annex)."""
PRINTED_COMPARISON_SHEETS = (VERGLEICH,)
"""The sheets of the comparison's PDF."""

VERTEILUNG = "Verteilung"
RUNDUNG = "Rundung"
DISTRICT_SHEETS = (UEBERSICHT, ANNAHMEN, VERTEILUNG, RUNDUNG, PRUEFUNGEN)
"""The sheets of a district's distribution workbook, in order."""
PRINTED_DISTRICT_SHEETS = (UEBERSICHT, VERTEILUNG)
"""The sheets of a distribution workbook a council paper's annex shows."""
DISTRICT_NAMES = (
    "Stellen_gesamt",
    "Foerderung_gesamt",
    "Weitergeleitet_gesamt",
    "Erstattung_gesamt",
)
"""The distribution workbook's defined names: the totals of posts, funding, funding passed on
and refund (a contract, like Eigenanteil_2025)."""
ROUNDING_UNITS = 1000
"""Shares are rounded to thousandths of a VZÄ (three decimals)."""

# --- column roles ---------------------------------------------------------------------------

LABEL, UNIT, TOTAL, FIRST_PERIOD = 1, 2, 3, 4
"""Timeline-shaped sheets: label | unit | constant or total | one column per period."""
INPUT_LABEL, INPUT_VALUE, INPUT_UNIT, INPUT_KEY, INPUT_NOTE = 1, 2, 3, 4, 5
"""Annahmen: label | value | unit | scenario key | source or note."""
INPUT_BUILT, INPUT_CHANGED = 6, 7
"""Annahmen: the value the scenario file held at the build (locked) | 1 where the input differs."""
BUILT_HEADER = "laut Szenariodatei"
"""The header of the built values' column (reading an edited workbook back looks for it)."""
TARIF_VALUE, TARIF_FIRST_STEP, TARIF_STEPS = 2, 3, 6  # Stufe 1–6 (pay.STEPS)
"""Tarif: label | value or valid from | Stufe 1 … Stufe 6 | unit | scenario key | source."""
TYPED_COLUMNS = {
    ANNAHMEN: (INPUT_VALUE, INPUT_BUILT),
    TARIF: tuple(range(TARIF_VALUE, TARIF_FIRST_STEP + TARIF_STEPS)),
}
"""Where numbers may be typed in rather than computed: the value columns of the input sheets
(on Annahmen also the locked built values beside them)."""

SIDE_BY_SIDE_LIMIT = 8
"""Up to this many scenarios, the comparison workbook holds each scenario's own sheets and its
"Vergleich" is formulas on them; beyond, it is results-only: the one sheet "Vergleich"."""
RESULTS_ONLY_SHEETS = (VERGLEICH,)
"""The sheets of a results-only comparison."""
FOREIGN_VALUE_COLUMNS = {VERGLEICH: FIRST_PERIOD}
"""Values from other files: in a results-only comparison, the year columns of "Vergleich" (from
column D on) hold each scenario's yearly results as values, read from its own workbook's
evaluated "Haushalt" and named by file in column B; the totals and checks beside them are
formulas. A derived figure typed in anywhere else is still a finding (F6)."""

# --- styles and names -----------------------------------------------------------------------

INPUT_STYLE = "Eingabe"
"""The named cell style of input cells: the only unlocked cells of the workbook."""
MASTER_NAME = "Pruefung_OK"
"""The defined name of the master check (a contract, like Eigenanteil_2025)."""
RATE_NAME = "Foerderpauschale"
"""The defined name of the funding rate per VZÄ and year."""
COST_NAME = "Jahreskosten_VZAE"
"""The defined name of the annual cost per VZÄ (when the scenario has one)."""


@dataclass(frozen=True)
class ResultLine:
    """One result per Haushaltsjahr, as "Haushalt", "Übersicht", "Vergleich" and the texts show it.

    `key` is the row's key in the layout and the stem of its defined names (`Eigenanteil_2025`)
    when `published`; `name` and `explanation` make the label ("Eigenanteil (Aufwand − Ertrag)").
    """

    key: str
    name: str
    explanation: str | None = None
    unit: str = "€"
    published: bool = True
    charted: bool = False
    compared: bool = False
    checked_against_months: bool = False
    graded_only: bool = False
    """Shown only when positions are priced from the pay tables."""
    account: str | None = None
    """The NKF account the line is booked on, where it is one account."""
    full_cost: bool = False
    """Part of the full cost (Sachkosten, Gemeinkosten): on the cover, in the comparison and
    the texts only when a scenario gives Sachkosten or a Gemeinkostenzuschlag."""

    @property
    def label(self) -> str:
        """The row label: name and, in parentheses, how it is formed."""
        return f"{self.name} ({self.explanation})" if self.explanation else self.name

    @property
    def field(self) -> str:
        """The attribute of `model.Year` and the key of the council texts' year dicts."""
        return self.key.lower()


ACCOUNT_LINES = (
    ResultLine("Entgelte", "Entgelte", "Konto 5012", graded_only=True, account="5012"),
    ResultLine(
        "Versorgungskasse", "Versorgungskasse", "Konto 5022", graded_only=True, account="5022"
    ),
    ResultLine(
        "Sozialversicherung", "Sozialversicherung", "Konto 5032", graded_only=True, account="5032"
    ),
)
"""Personalaufwand by NKF account, when positions are priced from the pay tables."""
FLAT_COST_LABEL = "Personalaufwand der Stellen mit Jahreskosten je VZÄ"
"""The part of Personalaufwand of positions priced by an annual cost, beside the accounts."""

RESULT_LINES = (
    *ACCOUNT_LINES,
    ResultLine(
        "Personalaufwand", "Personalaufwand", "Aufwand", charted=True, checked_against_months=True
    ),
    ResultLine(
        "Sachaufwand",
        "Sachaufwand",
        "Aufwand, Konto 543",
        account="543",
        checked_against_months=True,
        full_cost=True,
    ),
    ResultLine("Foerderung", "Förderung", "Ertrag", charted=True, checked_against_months=True),
    ResultLine(
        "Eigenanteil",
        "Eigenanteil",
        "Aufwand − Ertrag",
        charted=True,
        compared=True,
        checked_against_months=True,
    ),
    ResultLine("Deckung", "Deckung im laufenden Personalhaushalt", published=False),
    ResultLine("Haushaltsbelastung", "Haushaltsbelastung", "Eigenanteil − Deckung", compared=True),
    ResultLine(
        "Gemeinkosten",
        "Gemeinkosten",
        "kalkulatorisch, Zuschlag auf den Personalaufwand",
        full_cost=True,
    ),
    ResultLine(
        "Vollkosten",
        "Vollkosten",
        "Personal- und Sachaufwand + Gemeinkosten",
        compared=True,
        full_cost=True,
    ),
    ResultLine(
        "Eigenanteil_Vollkosten",
        "Eigenanteil bei Vollkosten",
        "Vollkosten − Förderung",
        full_cost=True,
    ),
)
"""The results per Haushaltsjahr, in the order of the sheets."""


def result_lines(graded: bool, full_cost: bool = True) -> tuple[ResultLine, ...]:
    """The result lines of a scenario: the account lines only when it is priced by grade, the
    full-cost lines only when it gives Sachkosten or Gemeinkosten."""
    return tuple(
        line
        for line in RESULT_LINES
        if (graded or not line.graded_only) and (full_cost or not line.full_cost)
    )


NEGATIVE_HIGHLIGHTED = ("Eigenanteil", "Haushaltsbelastung")
"""Result lines whose negative amounts (funding above cost) are highlighted."""

# --- formulas -------------------------------------------------------------------------------

ALLOWED_FUNCTIONS = (
    "SUM",
    "SUMIF",
    "SUMIFS",
    "SUMPRODUCT",
    "MIN",
    "MAX",
    "IF",
    "AND",
    "OR",
    "INDEX",
    "MATCH",
    "DATE",
    "YEAR",
    "MONTH",
    "EDATE",
    "INT",
)
"""Worksheet functions that Excel, LibreOffice 7.4 and Gnumeric all compute alike.

INT (rounding down, no digits argument, so no constant in the formula) serves the district
workbook's largest-remainder rounding only; see docs/sources.md, "Rounding the shares"."""
VOLATILE_FUNCTIONS = frozenset({"OFFSET", "INDIRECT", "TODAY", "NOW", "RAND", "RANDBETWEEN"})
ALLOWED_CONSTANTS = frozenset({0.0, 0.5, 1.0, 12.0, 100.0})
"""The only numbers that may stand inside a formula; every other number is an input. 0.5 rounds
to the cent with INT (`variant_lines.to_cent`): a half, no assumption."""
MAX_FORMULA_LENGTH = 120
