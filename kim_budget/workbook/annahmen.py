"""Sheet "Annahmen": every input of the scenario in its own cell, one row per input.

Columns: label | value | unit | scenario key | source or note. Every calculation of the workbook
leads back to the value cells of this sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from kim_budget.formula import Range, Ref
from kim_budget.scenario import Increase, Scenario
from kim_budget.workbook import formats, spec
from kim_budget.workbook.grid import Content, Sheet
from kim_budget.workbook.validation import rule_for

NAME = spec.ANNAHMEN
LABEL, VALUE, UNIT, KEY, NOTE = (
    spec.INPUT_LABEL,
    spec.INPUT_VALUE,
    spec.INPUT_UNIT,
    spec.INPUT_KEY,
    spec.INPUT_NOTE,
)
NO_KEY = "–"
STRUCTURE_NOTE = (
    "bestimmt die Spalten der Zeitachse; zum Ändern die Szenariodatei anpassen und neu erzeugen"
)
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


@dataclass(frozen=True)
class IncreaseRefs:
    """The cells of one increase."""

    start: Ref
    percent: Ref


@dataclass(frozen=True)
class PositionRefs:
    """The cells of one position; `annual_cost` is its own or the scenario's."""

    name: str
    fte: Ref
    start: Ref
    end: Ref | None
    annual_cost: Ref
    funded: Ref


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
    rate_per_fte: Ref
    max_fte: Ref | None
    share: ShareRefs | None
    cap_at_cost: Ref
    funding_increases: tuple[IncreaseRefs, ...]
    offset_flags: Range
    tolerance: Ref
    rows: tuple[InputRow, ...]


class _Rows:
    """Writes input rows one below the other."""

    def __init__(self, sheet: Sheet, source: str) -> None:
        self.sheet = sheet
        self.source = source
        self.row = FIRST_ROW
        self.heading = ""
        self.entries: list[InputRow] = []

    def section(self, title: str, heading: str | None = None) -> None:
        """A section title; `heading` names its inputs in the comparison (default: title)."""
        self.row += 1
        self.sheet.put(self.row, LABEL, title, role="section")
        self.heading = title if heading is None else heading
        self.row += 1

    def add(
        self,
        label: str,
        value: Content,
        number_format: str | None,
        unit: str,
        key: str,
        note: str = "",
        role: str = "input",
    ) -> Ref:
        """An input row; the note says where the value comes from."""
        row = self.row
        rule = rule_for(number_format) if role == "input" else None
        self.sheet.put(row, LABEL, label, role="label")
        ref = self.sheet.put(row, VALUE, value, number_format, role=role, validation=rule)
        self.sheet.put(row, UNIT, unit, role="unit")
        self.sheet.put(row, KEY, key, role="key")
        source = f"Szenariodatei {self.source}" if key != NO_KEY else "vom Programm vorgegeben"
        self.sheet.put(row, NOTE, f"{source}; {note}" if note else source, role="note")
        identity = f"{key} {label}" if key == "offset.years" else key  # one key, a row per year
        entry = InputRow(identity, f"{self.heading}: {label}", ref, value, number_format)
        self.entries.append(entry)
        self.row += 1
        return ref


def _increases(
    rows: _Rows, increases: tuple[Increase, ...], key: str, what: str
) -> tuple[IncreaseRefs, ...]:
    refs = []
    for number, increase in enumerate(increases):
        start = rows.add(
            f"{what} {number + 1}: wirksam ab",
            increase.start,
            formats.MONTH,
            "Monat",
            f"{key}[{number}].from",
            "gilt ab diesem Monat, kumulativ zu früheren Steigerungen",
        )
        percent = rows.add(
            f"{what} {number + 1}: Steigerung",
            increase.percent,
            formats.PERCENT,
            "%",
            f"{key}[{number}].percent",
        )
        refs.append(IncreaseRefs(start, percent))
    if not increases:
        rows.sheet.put(rows.row, LABEL, f"{what}: keine angenommen", role="label")
        rows.sheet.put(rows.row, KEY, key, role="key")
        rows.row += 1
    return tuple(refs)


def _text(rows: _Rows, label: str, value: str | None, key: str) -> Ref | None:
    if value is None:
        return None
    return rows.add(label, value, None, "Text", key)


def _positions(
    rows: _Rows, scenario: Scenario, general_cost: Ref | None
) -> tuple[PositionRefs, ...]:
    refs = []
    for number, position in enumerate(scenario.positions):
        key = f"positions[{number}]"
        rows.section(f"Stelle {number + 1}: {position.name}", f"Stelle {number + 1}")
        rows.add("Bezeichnung", position.name, None, "Text", f"{key}.name")
        fte = rows.add("Stellenanteil", position.fte, formats.VZAE_PLAIN, "VZÄ", f"{key}.fte")
        start = rows.add("Besetzt ab", position.start, formats.MONTH, "Monat", f"{key}.start")
        end = None
        if position.end is not None:
            end = rows.add(
                "Besetzt bis einschließlich", position.end, formats.MONTH, "Monat", f"{key}.end"
            )
        cost = general_cost
        if position.annual_cost is not None:
            cost = rows.add(
                "Jahreskosten je VZÄ (abweichend)",
                position.annual_cost,
                formats.EURO,
                "€/VZÄ/Jahr",
                f"{key}.annual_cost",
            )
        assert cost is not None  # validation requires one of both
        funded = rows.add(
            "Förderfähig",
            position.funded,
            formats.BOOLEAN,
            "WAHR/FALSCH",
            f"{key}.funded",
            "zählt zu den geförderten VZÄ",
        )
        refs.append(PositionRefs(position.name, fte, start, end, cost, funded))
    return tuple(refs)


def _funding_cap(rows: _Rows, scenario: Scenario) -> tuple[Ref | None, ShareRefs | None]:
    funding = scenario.funding
    if funding.max_fte is not None:
        cap = rows.add(
            "Förderfähige VZÄ höchstens",
            funding.max_fte,
            formats.VZAE_PLAIN,
            "VZÄ",
            "funding.max_fte",
            "Anteil der Kommune an den geförderten Stellen",
        )
        return cap, None
    if funding.share is None:
        return None, None
    share = funding.share
    return None, ShareRefs(
        rows.add(
            "Einwohner der Kommune",
            share.population,
            formats.PEOPLE,
            "Einwohner",
            "funding.share.population",
        ),
        rows.add(
            "Einwohner des Kreises",
            share.district_population,
            formats.PEOPLE,
            "Einwohner",
            "funding.share.district_population",
        ),
        rows.add(
            "Geförderte VZÄ des Kreises",
            share.district_fte,
            formats.VZAE_DISTRICT,
            "VZÄ",
            "funding.share.district_fte",
            "werden nach Einwohnern auf die Kommunen verteilt",
        ),
    )


def _offset(rows: _Rows, scenario: Scenario) -> Range:
    rows.section("Deckung des Eigenanteils im laufenden Personalhaushalt")
    first = rows.row
    for year in scenario.years:
        rows.add(
            f"Haushaltsjahr {year}: Eigenanteil gedeckt",
            year in scenario.offset_years,
            formats.BOOLEAN,
            "WAHR/FALSCH",
            "offset.years",
            "z. B. durch unterjährig nicht besetzte Stellen",
        )
    return rows.sheet.column_range(VALUE, first, rows.row - 1)


def lay_out(sheet: Sheet, scenario: Scenario) -> Inputs:
    """Write every input of the scenario onto the sheet and return where each one lives."""
    sheet.put(1, LABEL, f"Annahmen – {scenario.title}", role="title")
    sheet.put(
        2,
        LABEL,
        "Eingaben sind farbig hinterlegt; alle Berechnungen beziehen sich auf diese Zellen.",
        role="note",
    )
    for col, header in enumerate(
        ("Annahme", "Wert", "Einheit", "Schlüssel in der Szenariodatei", "Quelle / Hinweis"),
        start=1,
    ):
        sheet.put(4, col, header, role="header")
    sheet.title_rows = (1, 4)  # printed on every page
    rows = _Rows(sheet, scenario.path.name)
    rows.section("Szenario")
    title = rows.add("Titel", scenario.title, None, "Text", "title")
    municipality = _text(rows, "Kommune", scenario.municipality, "municipality")
    reference = _text(rows, "Vorlagen-Nr.", scenario.reference, "reference")
    _text(rows, "Beschreibung", scenario.description, "description")
    rows.section("Betrachtungszeitraum (Haushaltsjahre)")
    first_year = rows.add(
        "Erstes Haushaltsjahr",
        scenario.first_year,
        formats.YEAR,
        "Jahr",
        "horizon.first_year",
        STRUCTURE_NOTE,
        role="structure",
    )
    last_year = rows.add(
        "Letztes Haushaltsjahr",
        scenario.last_year,
        formats.YEAR,
        "Jahr",
        "horizon.last_year",
        STRUCTURE_NOTE,
        role="structure",
    )
    rows.section("Personalkosten")
    general_cost = None
    if scenario.cost.annual_cost_per_fte is not None:
        general_cost = rows.add(
            "Jahreskosten je VZÄ",
            scenario.cost.annual_cost_per_fte,
            formats.EURO,
            "€/VZÄ/Jahr",
            "cost.annual_cost_per_fte",
            "Arbeitgeber-Gesamtkosten je Vollzeitstelle und Jahr",
        )
    cost_increases = _increases(rows, scenario.cost.increases, "cost.increases", "Kostensteigerung")
    positions = _positions(rows, scenario, general_cost)
    rows.section("Förderung")
    rate = rows.add(
        "Förderpauschale je VZÄ",
        scenario.funding.rate_per_fte,
        formats.EURO,
        "€/VZÄ/Jahr",
        "funding.rate_per_fte",
        "Landesförderung KIM, Pauschale je gefördertem VZÄ und Jahr",
    )
    max_fte, share = _funding_cap(rows, scenario)
    cap_at_cost = rows.add(
        "Förderung höchstens in Höhe der Kosten",
        scenario.funding.cap_at_cost,
        formats.BOOLEAN,
        "WAHR/FALSCH",
        "funding.cap_at_cost",
        "je Monat höchstens der Personalaufwand geförderter Stellen",
    )
    funding_increases = _increases(
        rows, scenario.funding.increases, "funding.increases", "Förderanpassung"
    )
    offset = _offset(rows, scenario)
    rows.section("Prüfungen")
    tolerance = rows.add(
        "Toleranz der Prüfungen",
        TOLERANCE,
        formats.EURO,
        "€",
        NO_KEY,
        "Rundungsdifferenzen bis zu diesem Betrag gelten als bestanden",
        role="structure",
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
    )
