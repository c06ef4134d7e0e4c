"""Sheet "Annahmen": every input of the scenario in its own cell, one row per input.

Columns: label | value | unit | scenario key | source or note | the value the scenario file held
at the build (locked) | 1 where the input differs from it. Every calculation of the workbook leads
back to the value cells of this sheet; the last two columns show the treasurer's own edits.
A yes/no input holds the number 1 or 0, shown as ja or nein (see `validation.stored`).
"""

from __future__ import annotations

from dataclasses import dataclass

from kim_budget import lines
from kim_budget.formula import Expr, Range, Ref
from kim_budget.keys import Key, key
from kim_budget.pay import Grading
from kim_budget.scenario import Increase, Scenario
from kim_budget.validate import display_key
from kim_budget.workbook import formats, spec
from kim_budget.workbook.grid import Content, Sheet
from kim_budget.workbook.validation import number_format, rule_for, stored

NAME = spec.ANNAHMEN
LABEL, VALUE, UNIT, KEY, NOTE = (
    spec.INPUT_LABEL,
    spec.INPUT_VALUE,
    spec.INPUT_UNIT,
    spec.INPUT_KEY,
    spec.INPUT_NOTE,
)
BUILT, CHANGED = spec.INPUT_BUILT, spec.INPUT_CHANGED
NO_KEY = "–"
TOLERANCE = 0.01
FIRST_ROW = 5


@dataclass(frozen=True)
class InputRow:
    """One input as the comparison workbook sees it: where it is and what it holds."""

    key: str  # the scenario key; for offset.years with the year
    label: str
    ref: Ref
    value: Content
    number_format: str | None
    path: str = ""
    """The concrete key path ("positions[0].fte"; "offset.years" for every offset year)."""
    year: int | None = None
    """The Haushaltsjahr of an offset row."""
    structure: bool = False
    """Shown but locked: it shapes the workbook's columns."""

    def shown(self) -> Expr:
        """The input as another sheet shows it: a yes/no as 1 or 0 (ja or nein in
        `number_format`), also when its cell holds a boolean; else the cell itself."""
        if self.path and key(self.path).measure.type == "boolean":
            return lines.as_yes_no(self.ref)
        return self.ref


@dataclass(frozen=True)
class IncreaseRefs:
    """The cells of one increase."""

    start: Ref
    percent: Ref


@dataclass(frozen=True)
class GradingRefs:
    """The cells of a graded position's grade, step, step_since and allowance."""

    grade: str
    step: Ref
    step_since: Ref
    allowance: Ref


@dataclass(frozen=True)
class PositionRefs:
    """The cells of one position; `annual_cost` is its own or the scenario's (None when the
    position is priced from the pay tables: then `grading`)."""

    name: str
    fte: Ref
    start: Ref
    end: Ref | None
    annual_cost: Ref | None
    funded: Ref
    grading: GradingRefs | None = None


@dataclass(frozen=True)
class ShareRefs:
    """The cells of the population share."""

    population: Ref
    district_population: Ref
    district_fte: Ref


@dataclass(frozen=True)
class Inputs:
    """Where every input lives, for the formulas of the other sheets."""

    title: Ref
    municipality: Ref | None
    reference: Ref | None
    first_year: Ref
    last_year: Ref
    annual_cost_per_fte: Ref | None
    cost_increases: tuple[IncreaseRefs, ...]
    positions: tuple[PositionRefs, ...]
    rate_per_fte: Ref | None
    """The lump sum per funded VZÄ (with a funding share: its maximum); None when not given."""
    max_fte: Ref | None
    share: ShareRefs | None
    cap_at_cost: Ref
    funding_increases: tuple[IncreaseRefs, ...]
    offset_flags: Range
    tolerance: Ref
    rows: tuple[InputRow, ...]
    changed: Range
    """The markers of every input (1 where it differs from the scenario file)."""
    material: MaterialRefs
    funding_terms: FundingTerms
    sensitivity: SensitivityRefs | None = None
    """The fixed parameters of the variants on "Sensitivität" (None without that sheet)."""


@dataclass(frozen=True)
class MaterialRefs:
    """The cells of the workplace's Sachkosten and the overhead surcharge."""

    per_fte: Ref
    increases: tuple[IncreaseRefs, ...]
    overhead_percent: Ref


@dataclass(frozen=True)
class FundingTerms:
    """The cells of a funding share and of the grant's end, when the scenario has them."""

    percent_of_cost: Ref | None = None
    covers_material: Ref | None = None
    end: Ref | None = None


@dataclass(frozen=True)
class SensitivityRefs:
    """The cells of the variants' fixed parameters: the two delays of the start, the change of
    the personnel cost and of the funding rate, and (with graded positions) the Stufen more."""

    delays: tuple[Ref, Ref]
    cost_percent: Ref
    funding_percent: Ref
    steps: Ref | None


SENSITIVITY_NOTE = "Annahme der Variante {name} auf „Sensitivität“"
DELAYS = (3, 6)
"""Months a start slips in the variants Sens_Start_3 and Sens_Start_6."""
COST_PERCENT, FUNDING_PERCENT, STEPS_MORE = 5.0, 10.0, 1


class _Rows:
    """Writes input rows one below the other."""

    def __init__(self, sheet: Sheet, source: str) -> None:
        self.sheet = sheet
        self.source = source
        self.row = FIRST_ROW
        self.heading = ""
        self.entries: list[InputRow] = []
        self.last_marker = FIRST_ROW

    def section(self, title: str, heading: str | None = None) -> None:
        """A section title; `heading` names its inputs in the comparison (default: title)."""
        self.row += 1
        self.sheet.put(self.row, LABEL, title, role="section")
        self.heading = title if heading is None else heading
        self.row += 1

    def add(self, path: str, value: Content, n: int | None = None, year: int | None = None) -> Ref:
        """The row of one scenario key (`path` concrete: "positions[0].fte"), as the key table
        describes it; `n` and `year` fill in the label."""
        described = key(path)
        shown = display_key(path) if year is None else f"{path} ({year})"
        return self._put(described, described.label_for(n, year), value, shown, path, year)

    def fixed(self, label: str, value: float, number_format: str, unit: str, note: str) -> Ref:
        """A row with a value the program sets (no scenario key), shown but locked."""
        row = self.row
        self.sheet.put(row, LABEL, label, role="label")
        ref = self.sheet.put(row, VALUE, value, number_format, role="structure")
        self.sheet.put(row, UNIT, unit, role="unit")
        self.sheet.put(row, KEY, NO_KEY, role="key")
        self.sheet.put(row, NOTE, f"vom Programm vorgegeben; {note}", role="note")
        self.row += 1
        return ref

    def _put(
        self, described: Key, label: str, value: Content, shown: str, path: str, year: int | None
    ) -> Ref:
        row = self.row
        role = "structure" if described.structure else "input"
        fmt = number_format(described.measure)
        rule = rule_for(described) if role == "input" else None
        cell = stored(described.measure, value)
        self.sheet.put(row, LABEL, label, role="label")
        ref = self.sheet.put(row, VALUE, cell, fmt, role=role, validation=rule)
        self.sheet.put(row, UNIT, described.measure.unit, role="unit")
        self.sheet.put(row, KEY, shown, role="key")
        source = f"Szenariodatei {self.source}"
        note = f"{source}; {described.note}" if described.note else source
        self.sheet.put(row, NOTE, note, role="note")
        if role == "input":
            built = self.sheet.put(row, BUILT, cell, fmt, role="structure")
            self.sheet.put(row, CHANGED, _differs(described, ref, built), formats.FLAG)
            self.last_marker = row
        heading = f"{self.heading}: {label}"
        structure = described.structure
        self.entries.append(InputRow(shown, heading, ref, value, fmt, path, year, structure))
        self.row += 1
        return ref


def _differs(described: Key, ref: Ref, built: Ref) -> Expr:
    """The marker of an input: a yes/no compared as a number, since its cell may hold TRUE."""
    if described.measure.type == "boolean":
        return lines.answer_differs(ref, built)
    return lines.differs(ref, built)


def _increases(
    rows: _Rows, increases: tuple[Increase, ...], key: str, what: str
) -> tuple[IncreaseRefs, ...]:
    refs = []
    for increase in increases:  # by month; named by their place in the file
        path = f"{key}[{increase.index}]"
        start = rows.add(f"{path}.from", increase.start, n=increase.index + 1)
        percent = rows.add(f"{path}.percent", increase.percent, n=increase.index + 1)
        refs.append(IncreaseRefs(start, percent))
    if not increases:
        rows.sheet.put(rows.row, LABEL, f"{what}: keine angenommen", role="label")
        rows.sheet.put(rows.row, KEY, key, role="key")
        rows.row += 1
    return tuple(refs)


def _text(rows: _Rows, path: str, value: str | None) -> Ref | None:
    return None if value is None else rows.add(path, value)


def _positions(
    rows: _Rows, scenario: Scenario, general_cost: Ref | None
) -> tuple[PositionRefs, ...]:
    refs = []
    for number, position in enumerate(scenario.positions):
        path = f"positions[{number}]"
        rows.section(f"Stelle {number + 1}: {position.name}", f"Stelle {number + 1}")
        rows.add(f"{path}.name", position.name)
        fte = rows.add(f"{path}.fte", position.fte)
        start = rows.add(f"{path}.start", position.start)
        end = None if position.end is None else rows.add(f"{path}.end", position.end)
        cost = general_cost
        if position.annual_cost is not None:
            cost = rows.add(f"{path}.annual_cost", position.annual_cost)
        grading = _grading(rows, path, position.grading)
        if grading is not None:
            cost = None
        assert cost is not None or grading is not None  # validation requires one of them
        funded = rows.add(f"{path}.funded", position.funded)
        refs.append(PositionRefs(position.name, fte, start, end, cost, funded, grading))
    return tuple(refs)


def _grading(rows: _Rows, path: str, grading: Grading | None) -> GradingRefs | None:
    if grading is None:
        return None
    rows.add(f"{path}.grade", grading.grade)
    return GradingRefs(
        grading.grade,
        rows.add(f"{path}.step", grading.step),
        rows.add(f"{path}.step_since", grading.step_since),
        rows.add(f"{path}.allowance", grading.allowance),
    )


def _funding_cap(rows: _Rows, scenario: Scenario) -> tuple[Ref | None, ShareRefs | None]:
    funding = scenario.funding
    if funding.max_fte is not None:
        return rows.add("funding.max_fte", funding.max_fte), None
    if funding.share is None:
        return None, None
    share = funding.share
    return None, ShareRefs(
        rows.add("funding.share.population", share.population),
        rows.add("funding.share.district_population", share.district_population),
        rows.add("funding.share.district_fte", share.district_fte),
    )


def _material(rows: _Rows, scenario: Scenario) -> MaterialRefs:
    """Sachkosten (always shown, 0 when the file has none, so that they can be entered here)
    and the overhead surcharge for the full cost."""
    cost = scenario.cost
    rows.section("Sachkosten und Gemeinkosten")
    per_fte = rows.add("cost.material_per_fte", cost.material_per_fte)
    increases = _increases(
        rows, cost.material_increases, "cost.material_increases", "Sachkostensteigerung"
    )
    overhead = rows.add("cost.overhead_percent", cost.overhead_percent)
    return MaterialRefs(per_fte, increases, overhead)


def _funding_terms(rows: _Rows, scenario: Scenario) -> FundingTerms:
    funding = scenario.funding
    percent = covers = end = None
    if funding.percent_of_cost is not None:
        percent = rows.add("funding.percent_of_cost", funding.percent_of_cost)
        covers = rows.add("funding.covers_material", funding.covers_material)
    if funding.end is not None:
        end = rows.add("funding.end", funding.end)
    return FundingTerms(percent, covers, end)


def _offset(rows: _Rows, scenario: Scenario) -> Range:
    rows.section("Deckung des Eigenanteils im laufenden Personalhaushalt")
    first = rows.row
    for year in scenario.years:
        rows.add("offset.years", year in scenario.offset_years, year=year)
    return rows.sheet.column_range(VALUE, first, rows.row - 1)


def _budget(rows: _Rows, scenario: Scenario) -> None:
    """Product and accounts for the council texts: shown with their keys, used by no formula."""
    budget = scenario.budget
    values = (
        ("budget.product", budget.product),
        ("budget.expense_account", budget.expense_account),
        ("budget.income_account", budget.income_account),
    )
    if all(value is None for _, value in values):
        return
    rows.section("Haushaltsstellen (für die Texte der Vorlage)")
    for path, value in values:
        _text(rows, path, value)


def lay_out(sheet: Sheet, scenario: Scenario, sensitivity: bool = False) -> Inputs:
    """Write every input of the scenario onto the sheet and return where each one lives; with
    `sensitivity`, also the fixed parameters of the variants on "Sensitivität"."""
    sheet.put(1, LABEL, f"Annahmen – {scenario.title}", role="title")
    sheet.put(
        2,
        LABEL,
        "Eingaben sind farbig hinterlegt; alle Berechnungen beziehen sich auf diese Zellen.",
        role="note",
    )
    for col, header in enumerate(
        (
            "Annahme",
            "Wert",
            "Einheit",
            "Schlüssel in der Szenariodatei",
            "Quelle / Hinweis",
            spec.BUILT_HEADER,
            "geändert",
        ),
        start=1,
    ):
        sheet.put(4, col, header, role="header")
    sheet.title_rows = (1, 4)  # printed on every page
    rows = _Rows(sheet, scenario.path.name)
    rows.section("Szenario")
    title = rows.add("title", scenario.title)
    municipality = _text(rows, "municipality", scenario.municipality)
    reference = _text(rows, "reference", scenario.reference)
    _text(rows, "description", scenario.description)
    rows.section("Betrachtungszeitraum (Haushaltsjahre)")
    first_year = rows.add("horizon.first_year", scenario.first_year)
    last_year = rows.add("horizon.last_year", scenario.last_year)
    rows.section("Personalkosten")
    general_cost = None
    if scenario.cost.annual_cost_per_fte is not None:
        general_cost = rows.add("cost.annual_cost_per_fte", scenario.cost.annual_cost_per_fte)
    cost_increases = _increases(rows, scenario.cost.increases, "cost.increases", "Kostensteigerung")
    positions = _positions(rows, scenario, general_cost)
    material = _material(rows, scenario)
    rows.section("Förderung")
    funding = scenario.funding
    rate = (
        None
        if funding.rate_per_fte is None
        else rows.add("funding.rate_per_fte", funding.rate_per_fte)
    )
    terms = _funding_terms(rows, scenario)
    max_fte, share = _funding_cap(rows, scenario)
    cap_at_cost = rows.add("funding.cap_at_cost", scenario.funding.cap_at_cost)
    funding_increases = _increases(
        rows, scenario.funding.increases, "funding.increases", "Förderanpassung"
    )
    offset = _offset(rows, scenario)
    _budget(rows, scenario)
    rows.section("Prüfungen")
    tolerance = rows.fixed(
        "Toleranz der Prüfungen",
        TOLERANCE,
        formats.EURO,
        "€",
        "Rundungsdifferenzen bis zu diesem Betrag gelten als bestanden",
    )
    variants = _sensitivity(rows, scenario) if sensitivity else None
    changed = sheet.column_range(CHANGED, FIRST_ROW, rows.last_marker)
    sheet.conditional.append(
        (f"{changed.first.coordinate()}:{changed.last.coordinate()}", "changed")
    )
    return Inputs(
        title,
        municipality,
        reference,
        first_year,
        last_year,
        general_cost,
        cost_increases,
        positions,
        rate,
        max_fte,
        share,
        cap_at_cost,
        funding_increases,
        offset,
        tolerance,
        tuple(rows.entries),
        changed,
        material,
        terms,
        variants,
    )


def _sensitivity(rows: _Rows, scenario: Scenario) -> SensitivityRefs:
    """The fixed parameters of the variants: set by the program, since the variants' names
    (Sens_Start_3, …) state them."""
    rows.section("Sensitivität (Varianten)")
    short, long = (
        rows.fixed(
            f"Besetzung später um ({name})",
            months,
            formats.COUNT,
            "Monate",
            SENSITIVITY_NOTE.format(name=name),
        )
        for months, name in zip(DELAYS, ("Sens_Start_3", "Sens_Start_6"), strict=True)
    )
    cost = rows.fixed(
        "Personalkosten höher bzw. niedriger um",
        COST_PERCENT,
        formats.PERCENT,
        "%",
        SENSITIVITY_NOTE.format(name="Sens_Kosten_plus_5 und Sens_Kosten_minus_5"),
    )
    funding = rows.fixed(
        "Förderpauschale niedriger um",
        FUNDING_PERCENT,
        formats.PERCENT,
        "%",
        SENSITIVITY_NOTE.format(name="Sens_Foerderung_minus_10"),
    )
    steps = None
    if scenario.graded:
        steps = rows.fixed(
            "Stufe höher um",
            STEPS_MORE,
            formats.COUNT,
            "Stufen",
            SENSITIVITY_NOTE.format(name="Sens_Stufe_plus_1") + "; höchstens Stufe 6",
        )
    return SensitivityRefs((short, long), cost, funding, steps)
