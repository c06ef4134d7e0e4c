"""Sheet "Monate": the monthly calculation, one column per month of the horizon.

Fixed column roles: label | unit | constant or total | one column per month. Each row has one
formula, the same in every month column; timing comes from flag rows (1 = in force).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kim_budget import lines
from kim_budget.formula import Range, Ref, Term, column_letter
from kim_budget.scenario import Scenario
from kim_budget.workbook import entgelt, foerderung, formats, spec
from kim_budget.workbook.annahmen import IncreaseRefs, Inputs, PositionRefs
from kim_budget.workbook.foerderung import FundingRows
from kim_budget.workbook.grid import Sheet
from kim_budget.workbook.tarif import PayRefs
from kim_budget.workbook.timeline import FIRST_PERIOD, LABEL, TOTAL, UNIT, Timeline, fitting_groups

NAME = spec.MONATE
CONSTANT, FIRST_MONTH = TOTAL, FIRST_PERIOD
MONTH_ROW, YEAR_ROW = 5, 6
NOTE = (
    "Beträge in € (positiv); Eigenanteil = Personalaufwand + Sachaufwand − Förderung "
    "(Aufwand − Ertrag). "
    "Flags: 1 = in Kraft, 0 = nicht. Spalte C: Anker der Zeitachse bzw. Summe der Monate."
)


@dataclass(frozen=True)
class MonthRows:
    """Rows of the results that the annual sheet sums up."""

    sheet: str
    first_col: int
    last_col: int
    personalaufwand: int
    foerderung: int
    eigenanteil: int
    funded_fte: int
    fte_cap: Ref | None
    active: tuple[int, ...]
    """The "Besetzt" flag row of each position."""
    accounts: dict[str, int] | None = None
    """With graded positions: the total row of each account line (spec.RESULT_LINES key) and
    of the positions priced by an annual cost ("Pauschal")."""
    graded: tuple[tuple[int, int], ...] = ()
    """Each graded position's "Besetzt" row and its row of the pay table in force (0 = none)."""
    year_row: int = YEAR_ROW
    sachaufwand: int = 0
    funding: FundingRows | None = None

    def row_range(self, row: int) -> Range:
        """The month columns of one row."""
        return Range(Ref(self.sheet, row, self.first_col), Ref(self.sheet, row, self.last_col))


def _month(sheet: Sheet, col: int) -> Ref:
    """The month of a column (row fixed, column relative)."""
    return sheet.ref(MONTH_ROW, col, fix_row=True, fix_col=False)


def _axis(sheet: Sheet, inputs: Inputs, last_col: int) -> None:
    sheet.put(MONTH_ROW, LABEL, "Monat", role="label")
    sheet.put(MONTH_ROW, UNIT, "Monat", role="unit")
    sheet.put(
        MONTH_ROW,
        CONSTANT,
        lines.timeline_anchor(inputs.first_year),
        formats.PREVIOUS_MONTH,
        role="total",
    )
    sheet.put(YEAR_ROW, LABEL, "Haushaltsjahr", role="label")
    sheet.put(YEAR_ROW, UNIT, "Jahr", role="unit")
    for col in range(FIRST_MONTH, last_col + 1):
        previous = sheet.ref(MONTH_ROW, col - 1, fix_col=False)
        month = sheet.ref(MONTH_ROW, col, fix_col=False)
        sheet.put(MONTH_ROW, col, lines.month_after(previous), formats.MONTH, role="header")
        sheet.put(YEAR_ROW, col, lines.haushaltsjahr(month), formats.YEAR, role="header")


def _index_rows(t: Timeline, increases: tuple[IncreaseRefs, ...], what: str) -> int:
    """Flag and cumulative index rows of a list of increases; returns the final index row."""
    if not increases:
        return t.add(f"{what} (keine Steigerung)", "Faktor", formats.INDEX, lambda col: 1)
    index_row: int | None = None
    for number, increase in enumerate(increases, start=1):

        def in_force(col: int, start: Ref = increase.start) -> Term:
            return lines.in_effect(_month(t.sheet, col), start)

        flag_row = t.add(f"{what}: Steigerung {number} in Kraft", "Flag", formats.FLAG, in_force)

        def index(
            col: int,
            percent: Ref = increase.percent,
            previous: int | None = index_row,
            flag: int = flag_row,
        ) -> Term:
            before = None if previous is None else t.here(previous, col)
            return lines.index_after(before, percent, t.here(flag, col))

        label = what if number == len(increases) else f"{what} nach Steigerung {number}"
        index_row = t.add(label, "Faktor", formats.INDEX, index)
    assert index_row is not None
    return index_row


def _each_position(
    t: Timeline,
    positions: tuple[PositionRefs, ...],
    line: tuple[str, str, str],
    formula: Callable[[int, PositionRefs, int], Term],
    rows: list[int] | None = None,
    total: bool = False,
) -> list[int]:
    """One row per position; formula(column, position, the position's row in `rows`)."""
    label, unit, number_format = line
    made = []
    for index, position in enumerate(positions):
        row = rows[index] if rows else 0

        def cell(col: int, position: PositionRefs = position, row: int = row) -> Term:
            return formula(col, position, row)

        made.append(t.add(f"{label}: {position.name}", unit, number_format, cell, total=total))
    return made


def _header(sheet: Sheet, title: str, note: str) -> None:
    sheet.put(1, LABEL, title, role="title")
    sheet.put(2, LABEL, note, role="note")
    for col, header in ((LABEL, "Zeile"), (UNIT, "Einheit"), (CONSTANT, "Konstante / Summe")):
        sheet.put(4, col, header, role="header")


def _pay_axis(t: Timeline, pay: PayRefs, cost_index: int) -> entgelt.Axis:
    """The calendar month and the rates of each month's year, for graded positions."""
    month_number = t.add(
        "Kalendermonat",
        "Monat",
        formats.COUNT,
        lambda col: lines.calendar_month(_month(t.sheet, col)),
    )
    bonus, social, pension = entgelt.rate_rows(t, pay, YEAR_ROW)
    ceilings = entgelt.ceiling_rows(t, pay, YEAR_ROW, month_number)
    return entgelt.Axis(
        MONTH_ROW, YEAR_ROW, month_number, bonus, social, pension, cost_index, ceilings
    )


def _graded(
    t: Timeline, inputs: Inputs, active: list[int], pay: PayRefs, axis: entgelt.Axis
) -> dict[int, entgelt.GradedRows]:
    """The pay rows of every graded position, by its index."""
    found = {}
    for index, p in enumerate(inputs.positions):
        if p.grading is None:
            continue
        t.section(f"Entgelt nach TVöD: {p.name}")
        refs = entgelt.GradedRefs(
            p.name,
            p.fte,
            p.grading.step,
            p.grading.step_since,
            p.grading.allowance,
            p.grading.grade,
        )
        found[index] = entgelt.position_rows(t, refs, active[index], pay, axis)
    return found


def _cost_rows(
    t: Timeline,
    inputs: Inputs,
    active: list[int],
    cost_index: int,
    graded: dict[int, entgelt.GradedRows],
) -> list[int]:
    """Personalaufwand per position: from the pay rows, or VZÄ × annual cost × index / 12."""
    rows = []
    for index, p in enumerate(inputs.positions):

        def cost(col: int, index: int = index, p: PositionRefs = p) -> Term:
            if index in graded:
                return t.here(graded[index].kosten, col)
            assert p.annual_cost is not None
            return lines.position_cost(
                t.here(active[index], col), p.fte, p.annual_cost, t.here(cost_index, col)
            )

        rows.append(t.add(f"Personalaufwand: {p.name}", "€", formats.EURO, cost, total=True))
    return rows


def _account_rows(
    t: Timeline, graded: dict[int, entgelt.GradedRows], costs: list[int]
) -> dict[str, int]:
    """The graded positions' totals per account, and the cost of the others ("Pauschal")."""
    t.section("Personalaufwand nach Konten")
    parts = {
        "Entgelte": [g.entgelte for g in graded.values()],
        "Versorgungskasse": [g.versorgungskasse for g in graded.values()],
        "Sozialversicherung": [g.sozialversicherung for g in graded.values()],
        "Pauschal": [row for index, row in enumerate(costs) if index not in graded],
    }
    labels = {line.key: line.label for line in spec.RESULT_LINES}
    labels["Pauschal"] = spec.FLAT_COST_LABEL
    found = {}
    for key, rows in parts.items():
        if rows:
            found[key] = _sum_rows(t, labels[key], rows)
    return found


def _sum_rows(t: Timeline, label: str, rows: list[int]) -> int:
    """A row summing `rows`; through partial sums ("Teilsumme 1", …) when one formula over all
    of them would be too long to read."""
    last = [t.here(row, t.last_col) for row in rows]
    groups = fitting_groups(last, lines.sum_of, t.sheet.name)
    if len(groups) > 1:
        partial = [
            _sum_rows(t, f"{label}, Teilsumme {number}", [rows[i] for i in group])
            for number, group in enumerate(groups, start=1)
        ]
        return t.add(label, "€", formats.EURO, lambda col: lines.sum_of(t.span(partial, col)), True)

    def total(col: int) -> Term:
        return lines.sum_of([t.here(row, col) for row in rows])

    return t.add(label, "€", formats.EURO, total, total=True)


@dataclass(frozen=True)
class Indices:
    """The rows every calculation of a month sheet reads: the cost and funding indices and,
    with graded positions, the pay axis."""

    cost: int
    funding: int
    axis: entgelt.Axis | None


@dataclass(frozen=True)
class Calculation:
    """Where one calculation's rows are, from "Besetzung" to the Eigenanteil."""

    active: list[int]
    graded: dict[int, entgelt.GradedRows]
    costs: list[int]
    personalaufwand: int
    sachaufwand: int
    funding: FundingRows
    eigenanteil: int


def lay_out_frame(
    sheet: Sheet, scenario: Scenario, inputs: Inputs, title: str, note: str
) -> Timeline:
    """Title, note, column headers and the time axis of a month sheet; returns its timeline."""
    t = Timeline(sheet, 12 * len(scenario.years), YEAR_ROW + 1)
    _header(sheet, f"{title} – {scenario.title}", note)
    _axis(sheet, inputs, t.last_col)
    sheet.freeze = (MONTH_ROW + 2, FIRST_MONTH)
    return t


def index_rows(t: Timeline, inputs: Inputs, pay: PayRefs | None) -> Indices:
    """The section "Indizes": cost and funding index, and the pay axis of graded positions."""
    t.section("Indizes")
    cost_index = _index_rows(t, inputs.cost_increases, "Kostenindex")
    funding_index = _index_rows(t, inputs.funding_increases, "Förderindex")
    axis = None if pay is None else _pay_axis(t, pay, cost_index)
    return Indices(cost_index, funding_index, axis)


def calculation(t: Timeline, inputs: Inputs, pay: PayRefs | None, indices: Indices) -> Calculation:
    """The monthly rows from the positions' filling to the Eigenanteil."""
    here = t.here
    positions = inputs.positions
    t.section("Besetzung")
    active = _each_position(
        t,
        positions,
        ("Besetzt", "Flag", formats.FLAG),
        lambda col, p, _: lines.active(_month(t.sheet, col), p.start, p.end),
    )
    axis = indices.axis
    graded = {} if pay is None or axis is None else _graded(t, inputs, active, pay, axis)

    t.section("Personalaufwand")
    costs = _cost_rows(t, inputs, active, indices.cost, graded)
    personalaufwand = t.add(
        "Personalaufwand gesamt",
        "€",
        formats.EURO,
        lambda col: lines.sum_of(t.span(costs, col)),
        total=True,
    )

    t.section("Sachaufwand")
    material_index = _index_rows(t, inputs.material.increases, "Sachkostenindex")
    materials = _each_position(
        t,
        positions,
        ("Sachaufwand", "€", formats.EURO),
        lambda col, p, flag: lines.sachaufwand(
            here(flag, col), p.fte, inputs.material.per_fte, here(material_index, col)
        ),
        rows=active,
        total=True,
    )
    sachaufwand = t.add(
        "Sachaufwand gesamt",
        "€",
        formats.EURO,
        lambda col: lines.sum_of(t.span(materials, col)),
        total=True,
    )

    funding = foerderung.lay_out(
        t, inputs, foerderung.MonthInputs(MONTH_ROW, active, indices.funding, costs, materials)
    )
    foerderung_row = funding.foerderung

    t.section("Ergebnis")
    eigenanteil = t.add(
        "Eigenanteil (Personalaufwand + Sachaufwand − Förderung)",
        "€",
        formats.EURO,
        lambda col: lines.eigenanteil(
            here(personalaufwand, col), here(sachaufwand, col), here(foerderung_row, col)
        ),
        total=True,
    )
    last = column_letter(t.last_col)
    t.sheet.conditional.append(
        (f"{column_letter(CONSTANT)}{eigenanteil}:{last}{eigenanteil}", "negative")
    )
    return Calculation(active, graded, costs, personalaufwand, sachaufwand, funding, eigenanteil)


def lay_out(
    sheet: Sheet, scenario: Scenario, inputs: Inputs, pay: PayRefs | None = None
) -> MonthRows:
    """Write the monthly calculation and return where its results are (`pay`: the Tarif
    sheet, when positions are priced from the pay tables)."""
    t = lay_out_frame(sheet, scenario, inputs, "Monatsrechnung", NOTE)
    done = calculation(t, inputs, pay, index_rows(t, inputs, pay))
    graded = done.graded
    return MonthRows(
        sheet.name,
        FIRST_MONTH,
        t.last_col,
        done.personalaufwand,
        done.funding.foerderung,
        done.eigenanteil,
        done.funding.funded_fte,
        done.funding.cap,
        tuple(done.active),
        _account_rows(t, graded, done.costs) if graded else None,
        tuple((done.active[index], rows.table_number) for index, rows in graded.items()),
        sachaufwand=done.sachaufwand,
        funding=done.funding,
    )
