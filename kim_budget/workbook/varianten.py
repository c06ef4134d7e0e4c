"""Sheet "Varianten": the monthly calculation of each sensitivity variant.

A variant is the scenario with one assumption changed: every position starts later, the
personnel cost or the funding rate is scaled, the grant ends after the first year, graded
positions start a Stufe higher. Its rows are those of "Monate" (`monate.calculation`) over
changed inputs; each changed input is a formula in the constant column (C) at the top of its
variant's block, on the inputs of "Annahmen" and the variants' fixed parameters there. So a
treasurer's change on "Annahmen" or "Tarif" moves every variant, as it moves "Monate".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from kim_budget import variant_lines
from kim_budget.formula import Expr, Range, Ref, Term
from kim_budget.scenario import Scenario
from kim_budget.workbook import annahmen, formats, monate, spec
from kim_budget.workbook.annahmen import Inputs, PositionRefs, SensitivityRefs
from kim_budget.workbook.grid import Sheet
from kim_budget.workbook.monate import Indices
from kim_budget.workbook.tarif import PayRefs
from kim_budget.workbook.timeline import LABEL, TOTAL, UNIT, Timeline

NAME = spec.VARIANTEN
NOTE = (
    "Jede Variante rechnet die Zeilen von „Monate“ mit einer geänderten Annahme (Spalte C am "
    "Anfang ihres Blocks); Ergebnis je Haushaltsjahr auf „Sensitivität“. Beträge in €."
)
BASIS = "Sens_Basis"
MONTHS, STEPS = '0 "Monate"', '"+"0 "Stufe"'
PLUS, MINUS = '"+"0.00 "%"', '"−"0.00 "%"'
"""How "Sensitivität" shows a variant's parameter: 3 Monate, +5,00 %, −10,00 %, +1 Stufe."""


@dataclass(frozen=True)
class Variant:
    """One "what if": its defined name, its plain-German description and the cell of its
    parameter on "Annahmen" (None when it has none)."""

    name: str
    label: str
    parameter: Ref | None = None
    number_format: str | None = None


@dataclass(frozen=True)
class VariantRows:
    """Where each variant's monthly Eigenanteil is (by name), with the sheet's year row."""

    sheet: str
    first_col: int
    last_col: int
    eigenanteil: dict[str, int]

    def row_range(self, row: int) -> Range:
        """The month columns of one row."""
        return Range(Ref(self.sheet, row, self.first_col), Ref(self.sheet, row, self.last_col))


@dataclass(frozen=True)
class _Base:
    """What every variant starts from: the sheet's timeline, the scenario's inputs and the
    shared index rows."""

    t: Timeline
    scenario: Scenario
    inputs: Inputs
    pay: PayRefs | None
    indices: Indices


@dataclass(frozen=True)
class _Changed:
    """A variant's inputs and index rows, and the changed input "Sensitivität" shows (when it
    is a cell of this sheet, not a parameter on "Annahmen")."""

    inputs: Inputs
    indices: Indices
    shown: Ref | None = None


Change = Callable[[_Base], _Changed]


def variants(scenario: Scenario, params: SensitivityRefs) -> tuple[Variant, ...]:
    """The variants of a scenario, in the order of "Sensitivität" (the base first)."""
    short, long = params.delays
    cost, funding = params.cost_percent, params.funding_percent
    months = annahmen.DELAYS
    percent = f"{annahmen.COST_PERCENT:g} %"
    found = [
        Variant(BASIS, "Basis: das Szenario wie angenommen"),
        Variant("Sens_Start_3", f"Besetzung {months[0]} Monate später", short, MONTHS),
        Variant("Sens_Start_6", f"Besetzung {months[1]} Monate später", long, MONTHS),
        Variant("Sens_Kosten_plus_5", f"Personalkosten {percent} höher", cost, PLUS),
        Variant("Sens_Kosten_minus_5", f"Personalkosten {percent} niedriger", cost, MINUS),
        Variant(
            "Sens_Foerderung_minus_10",
            f"Förderung je VZÄ {annahmen.FUNDING_PERCENT:g} % niedriger",
            funding,
            MINUS,
        ),
        Variant("Sens_Foerderende", f"Förderung endet nach Dezember {scenario.first_year}"),
    ]
    if params.steps is not None:
        found.append(Variant("Sens_Stufe_plus_1", "Einstieg eine Stufe höher", params.steps, STEPS))
    return tuple(found)


def lay_out(
    sheet: Sheet, scenario: Scenario, inputs: Inputs, pay: PayRefs | None
) -> tuple[tuple[Variant, ...], VariantRows]:
    """Write every variant's monthly calculation; return the variants and where their results
    are."""
    assert inputs.sensitivity is not None
    t = monate.lay_out_frame(sheet, scenario, inputs, "Varianten", NOTE)
    base = _Base(t, scenario, inputs, pay, monate.index_rows(t, inputs, pay))
    changes = _changes(inputs.sensitivity)
    found = variants(scenario, inputs.sensitivity)
    rows = {}
    shown = []
    for variant in found:
        if variant.name == BASIS:
            shown.append(variant)
            continue
        t.section(f"Variante {variant.name}: {variant.label}")
        changed = changes[variant.name](base)
        rows[variant.name] = monate.calculation(t, changed.inputs, pay, changed.indices).eigenanteil
        if changed.shown is not None:
            variant = replace(variant, parameter=changed.shown, number_format=formats.MONTH)
        shown.append(variant)
    return tuple(shown), VariantRows(sheet.name, t.first_col, t.last_col, rows)


def _changes(params: SensitivityRefs) -> dict[str, Change]:
    short, long = params.delays
    return {
        "Sens_Start_3": lambda base: _later(base, short),
        "Sens_Start_6": lambda base: _later(base, long),
        "Sens_Kosten_plus_5": lambda base: _cost(base, variant_lines.raised, params.cost_percent),
        "Sens_Kosten_minus_5": lambda base: _cost(base, variant_lines.lowered, params.cost_percent),
        "Sens_Foerderung_minus_10": lambda base: _funding(base, params.funding_percent),
        "Sens_Foerderende": _grant_end,
        "Sens_Stufe_plus_1": lambda base: _higher_step(base, params.steps),
    }


def _constant(t: Timeline, label: str, unit: str, number_format: str, value: Expr) -> Ref:
    """A changed input: a formula in the constant column (C) of a row of its own."""
    row = t.row
    t.sheet.put(row, LABEL, label, role="label")
    t.sheet.put(row, UNIT, unit, role="unit")
    t.row += 1
    return t.sheet.put(row, TOTAL, value, number_format, role="total")


def _later(base: _Base, months: Ref) -> _Changed:
    """Every position starts `months` later; a Stufe counted from the start moves along."""
    t = base.t
    positions = []
    for p, position in zip(base.inputs.positions, base.scenario.positions, strict=True):
        start = _constant(
            t,
            f"Beginn der Besetzung: {p.name}",
            "Monat",
            formats.MONTH,
            variant_lines.later_start(p.start, months),
        )
        grading = p.grading
        if grading is not None and position.grading is not None and position.grading.since_start:
            since = variant_lines.later_start(grading.step_since, months)
            label = f"Stufe seit (mit der Besetzung): {p.name}"
            grading = replace(
                grading, step_since=_constant(t, label, "Monat", formats.MONTH, since)
            )
        positions.append(replace(p, start=start, grading=grading))
    return _Changed(replace(base.inputs, positions=tuple(positions)), base.indices)


def _scaled_index(
    base: _Base, label: str, row: int, scale: Callable[[Expr, Expr], Expr], percent: Ref
) -> int:
    t = base.t

    def scaled(col: int) -> Term:
        return scale(t.here(row, col), percent)

    return t.add(label, "Faktor", formats.INDEX, scaled)


def _cost(base: _Base, scale: Callable[[Expr, Expr], Expr], percent: Ref) -> _Changed:
    """The cost index scaled: every annual cost and pay-table amount changes by `percent`."""
    row = _scaled_index(base, "Kostenindex der Variante", base.indices.cost, scale, percent)
    axis = base.indices.axis
    indices = replace(
        base.indices, cost=row, axis=None if axis is None else replace(axis, cost_index=row)
    )
    return _Changed(base.inputs, indices)


def _funding(base: _Base, percent: Ref) -> _Changed:
    """The funding index lowered: the lump sum per VZÄ (with a funding share: its maximum)."""
    row = _scaled_index(
        base, "Förderindex der Variante", base.indices.funding, variant_lines.lowered, percent
    )
    return _Changed(base.inputs, replace(base.indices, funding=row))


def _grant_end(base: _Base) -> _Changed:
    """The grant's last month is December of the first year, unless it ends earlier."""
    terms = base.inputs.funding_terms
    end = _constant(
        base.t,
        "Letzter geförderter Monat",
        "Monat",
        formats.MONTH,
        variant_lines.end_after_first_year(base.inputs.first_year, terms.end),
    )
    return _Changed(replace(base.inputs, funding_terms=replace(terms, end=end)), base.indices, end)


def _higher_step(base: _Base, steps: Ref | None) -> _Changed:
    """Every graded position starts `steps` Stufen higher (at most the highest)."""
    assert steps is not None and base.pay is not None
    starts = base.pay.step_starts
    positions: list[PositionRefs] = []
    for p in base.inputs.positions:
        grading = p.grading
        if grading is not None:
            higher = variant_lines.higher_step(grading.step, steps, starts)
            step = _constant(base.t, f"Stufe: {p.name}", "Stufe", formats.COUNT, higher)
            grading = replace(grading, step=step)
        positions.append(replace(p, grading=grading))
    return _Changed(replace(base.inputs, positions=tuple(positions)), base.indices)
