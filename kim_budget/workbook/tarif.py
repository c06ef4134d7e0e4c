"""Sheet "Tarif": the TVöD rules a graded position is priced with, every figure an input.

Columns: label | value or valid from | Stufe 1 … Stufe 6 | unit | scenario key | source. The
pay tables of the grades the positions use (one block of rows per grade, by the month they
start), the rates per year (Jahressonderzahlung, social insurance and its pension part,
pension fund), the contribution ceilings per year, the
Leistungsentgelt, the step progression and the bonus months. Monate looks every figure up here,
so a changed table amount or rate on this sheet moves every figure of the workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kim_budget import lines
from kim_budget.formula import Range, Ref
from kim_budget.pay import STEPS, Ceiling, PayRules, Rate
from kim_budget.scenario import Scenario
from kim_budget.workbook import formats, spec
from kim_budget.workbook.grid import Content, Sheet, Validation
from kim_budget.workbook.validation import MONTH_RULE, integer_rule, money_rule, percent_rule

NAME = spec.TARIF
LABEL, VALUE, FIRST_STEP = spec.INPUT_LABEL, spec.TARIF_VALUE, spec.TARIF_FIRST_STEP
UNIT, KEY, SOURCE = FIRST_STEP + STEPS, FIRST_STEP + STEPS + 1, FIRST_STEP + STEPS + 2
FIRST_ROW = 5
SOURCES = (
    "Quelle je Zeile: „Szenariodatei“, sonst die mit kim-budget gelieferten Tariftabellen "
    "(Nachweise und Konfidenz: docs/sources.md in kim-budget)."
)
LIMITS = (
    "Grenzen: das Leistungsentgelt (§ 18 TVöD: 2 % der ständigen Monatsentgelte des Vorjahres) "
    "ist monatlich auf Tabellenentgelt und Zulage verteilt; die Beitragsbemessungsgrenzen gelten "
    "je Stelle wie für eine Person (über 1 VZÄ: wie für Vollzeitstellen)."
)

AMOUNT_RULE = money_rule("Tabellenentgelt", "€ je Monat bei Vollzeit, größer als 0.", 100_000)
RATE_RULE = percent_rule("Satz in %", "Prozent des Entgelts, von 0 bis 100.", 0)
CEILING_RULE = money_rule("Betrag je Jahr", "Beitragsbemessungsgrenze in € je Jahr.", 1_000_000)
YEAR_RULE = integer_rule("Jahr", "Das Jahr, ab dem der Satz gilt (2000 bis 2100).", 2000, 2100)


@dataclass(frozen=True)
class GradeTables:
    """The rows of one grade's pay tables: when each starts and its amounts per Stufe."""

    grade: str
    valid_from: Range
    """Column B of the grade's rows, ascending."""
    amounts: Range
    """Stufe 1–6 of the grade's rows."""


@dataclass(frozen=True)
class RateRows:
    """One rate list: the years (ascending) and their percentages."""

    years: Range
    percents: Range


@dataclass(frozen=True)
class PayRefs:
    """Where the pay rules are, for the formulas of "Monate"."""

    grades: dict[str, GradeTables]
    bonus: RateRows
    social_insurance: RateRows
    pension_fund: RateRows
    pension_unemployment: RateRows
    health_ceiling: RateRows
    pension_ceiling: RateRows
    performance_pay: Ref
    step_starts: Range
    """The month of the career at which each Stufe begins (Stufe 1 at 0)."""
    bonus_first_month: Ref
    bonus_last_month: Ref
    bonus_month: Ref


class _Rows:
    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.row = FIRST_ROW

    def section(self, title: str) -> None:
        self.row += 1
        self.sheet.put(self.row, LABEL, title, role="section")
        self.row += 1

    def put(
        self,
        label: str,
        values: list[tuple[int, Content, str | None, Validation | None]],
        unit: str,
        key: str,
        source: str,
        role: str = "input",
    ) -> int:
        """A row: label, values in their columns; input cells carry their validation, a
        "structure" row is shown but locked, a "calc" row holds formulas."""
        row = self.row
        self.sheet.put(row, LABEL, label, role="label")
        for col, value, number_format, rule in values:
            validation = rule if role == "input" else None
            self.sheet.put(row, col, value, number_format, role=role, validation=validation)
        self.sheet.put(row, UNIT, unit, role="unit")
        self.sheet.put(row, KEY, key, role="key")
        self.sheet.put(row, SOURCE, source, role="note")
        self.row += 1
        return row


def _tables(rows: _Rows, rules: PayRules, grades: list[str]) -> dict[str, GradeTables]:
    rows.section("Entgelttabellen TVöD (€ je Monat, Vollzeit; Spalte B: gültig ab)")
    found = {}
    for grade in grades:
        first = rows.row
        for table in rules.tables(grade):
            values: list[tuple[int, Content, str | None, Validation | None]] = [
                (VALUE, table.valid_from, formats.MONTH, MONTH_RULE)
            ]
            values += [
                (FIRST_STEP + n, amount, formats.EURO, AMOUNT_RULE)
                for n, amount in enumerate(table.steps)
            ]
            key = f"tvoed.pay_tables ({grade}, {table.valid_from:%Y-%m})"
            rows.put(f"Entgeltgruppe {grade}", values, "€/Monat", key, table.source)
        last = rows.row - 1
        found[grade] = GradeTables(
            grade,
            rows.sheet.column_range(VALUE, first, last),
            Range(rows.sheet.ref(first, FIRST_STEP), rows.sheet.ref(last, FIRST_STEP + STEPS - 1)),
        )
    return found


def _rates(rows: _Rows, label: str, key: str, rates: Sequence[Rate | Ceiling]) -> RateRows:
    """One list of yearly values: rates in %, or ceilings in € per year."""
    first = rows.row
    for number, rate in enumerate(rates):
        if isinstance(rate, Ceiling):
            value, fmt, rule, unit, what = (
                rate.amount,
                formats.EURO,
                CEILING_RULE,
                "€/Jahr",
                "Betrag",
            )
        else:
            value, fmt, rule, unit, what = rate.percent, formats.PERCENT, RATE_RULE, "%", "Satz"
        values: list[tuple[int, Content, str | None, Validation | None]] = [
            (VALUE, rate.start, formats.YEAR, YEAR_RULE),
            (FIRST_STEP, value, fmt, rule),
        ]
        source = rate.source or "Szenariodatei"
        rows.put(f"{label} ab (Jahr) / {what}", values, unit, f"{key}[{number}]", source)
    last = rows.row - 1
    return RateRows(
        rows.sheet.column_range(VALUE, first, last),
        rows.sheet.column_range(FIRST_STEP, first, last),
    )


def _steps(rows: _Rows, rules: PayRules) -> Range:
    """Months in each Stufe (inputs) and the career month each Stufe starts at (formulas)."""
    durations = rows.put(
        "Stufenlaufzeit: Monate in der Stufe bis zum Aufstieg",
        [
            (FIRST_STEP + n, months, formats.COUNT, None)
            for n, months in enumerate(rules.months_in_step)
        ],
        "Monate",
        "–",
        "§ 16 TVöD-VKA",
        role="structure",
    )
    sheet = rows.sheet
    starts: list[tuple[int, Content, str | None, Validation | None]] = []
    for n in range(STEPS):
        col = FIRST_STEP + n
        previous = None if n == 0 else (sheet.ref(rows.row, col - 1), sheet.ref(durations, col - 1))
        starts.append((col, lines.step_start(previous), formats.COUNT, None))
    row = rows.put(
        "Beginn der Stufe (Monat der Laufbahn)", starts, "Monate", "–", "berechnet", role="calc"
    )
    return sheet.row_range(row, FIRST_STEP, FIRST_STEP + STEPS - 1)


def lay_out(sheet: Sheet, scenario: Scenario) -> PayRefs:
    """Write the pay rules the scenario's graded positions use and return where they are."""
    rules = scenario.pay
    sheet.put(1, LABEL, f"Tarif – {scenario.title}", role="title")
    sheet.put(
        2,
        LABEL,
        "Eingaben sind farbig hinterlegt; Monate rechnet mit diesen Tabellen und Sätzen. "
        + SOURCES,
        role="note",
    )
    sheet.put(3, LABEL, LIMITS, role="note")
    headers = ["Regel", "Wert / gültig ab", *(f"Stufe {n}" for n in range(1, STEPS + 1))]
    for col, header in enumerate([*headers, "Einheit", "Schlüssel", "Quelle"], start=1):
        sheet.put(4, col, header, role="header")
    sheet.title_rows = (1, 4)
    rows = _Rows(sheet)
    grades = sorted({p.grading.grade for p in scenario.positions if p.grading is not None})
    tables = _tables(rows, rules, grades)
    rows.section("Sätze je Jahr (gelten ab dem Jahr in Spalte B)")
    bonus = _rates(rows, "Jahressonderzahlung", "tvoed.bonus", rules.bonus)
    social = _rates(
        rows, "Sozialversicherung (Arbeitgeber)", "tvoed.social_insurance", rules.social_insurance
    )
    pension = _rates(rows, "Zusatzversorgung (RZVK)", "tvoed.pension_fund", rules.pension_fund)
    pension_part = _rates(
        rows,
        "davon Renten- und Arbeitslosenversicherung",
        "tvoed.pension_unemployment",
        rules.pension_unemployment,
    )
    rows.section("Beitragsbemessungsgrenzen (€ je Jahr; gelten ab dem Jahr in Spalte B)")
    health_ceiling = _rates(
        rows, "Kranken- und Pflegeversicherung", "tvoed.health_ceiling", rules.health_ceiling
    )
    pension_ceiling = _rates(
        rows, "Renten- und Arbeitslosenversicherung", "tvoed.pension_ceiling", rules.pension_ceiling
    )
    rows.section("Weitere Regeln")
    performance = rows.put(
        "Leistungsentgelt (§ 18 TVöD)",
        [(VALUE, rules.performance_pay_percent, formats.PERCENT, RATE_RULE)],
        "%",
        "tvoed.performance_pay_percent",
        "§ 18 TVöD-VKA",
    )
    step_starts = _steps(rows, rules)
    first, last = rules.bonus_base_months
    base = rows.put(
        "Jahressonderzahlung: Bemessungsmonate von / bis",
        [(VALUE, first, formats.COUNT, None), (FIRST_STEP, last, formats.COUNT, None)],
        "Monat",
        "–",
        "§ 20 TVöD-VKA: Durchschnitt Juli bis September",
        role="structure",
    )
    paid = rows.put(
        "Jahressonderzahlung: ausgezahlt im Monat",
        [(VALUE, rules.bonus_month, formats.COUNT, None)],
        "Monat",
        "–",
        "§ 20 TVöD-VKA: mit dem Entgelt für November",
        role="structure",
    )
    return PayRefs(
        tables,
        bonus,
        social,
        pension,
        pension_part,
        health_ceiling,
        pension_ceiling,
        sheet.ref(performance, VALUE),
        step_starts,
        sheet.ref(base, VALUE),
        sheet.ref(base, FIRST_STEP),
        sheet.ref(paid, VALUE),
    )
