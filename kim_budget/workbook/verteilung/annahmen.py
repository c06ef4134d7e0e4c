""" "Annahmen" of the district workbook: every input of the district file, one per row (label |
value | unit | key | note), the populations in one block so that their sum is one range."""

from __future__ import annotations

from kim_budget.district import District, district_key
from kim_budget.formula import Ref
from kim_budget.keys import Key
from kim_budget.measures import FILLED_FTE
from kim_budget.workbook import formats, spec
from kim_budget.workbook.grid import Content, Sheet, Validation
from kim_budget.workbook.validation import number_format, rule_for, stored
from kim_budget.workbook.verteilung.refs import (
    EURO_TOLERANCE,
    FIRST_ROW,
    VZAE_TOLERANCE,
    DistrictInputs,
    MunicipalityRefs,
)


def _rule(key: Key) -> Validation:
    if key.measure is FILLED_FTE:
        return Validation(
            "decimal",
            "between",
            "0",
            "1000",
            "Besetzte VZÄ",
            "VZÄ, die die Kommune im Jahresdurchschnitt besetzt hat: von 0 bis 1000.",
            "Bitte eine Zahl von 0 bis 1000 eingeben (VZÄ).",
        )
    return rule_for(key)


def _format(key: Key) -> str | None:
    return formats.VZAE_PLAIN if key.measure is FILLED_FTE else number_format(key.measure)


class _Rows:
    """Writes input rows of "Annahmen" one below the other."""

    def __init__(self, sheet: Sheet, source: str) -> None:
        self.sheet = sheet
        self.source = source
        self.row = FIRST_ROW

    def section(self, title: str) -> None:
        self.row += 1
        self.sheet.put(self.row, spec.INPUT_LABEL, title, role="section")
        self.row += 1

    def add(self, path: str, value: Content, n: int | None = None) -> Ref:
        described = district_key(path)
        role = "structure" if described.structure else "input"
        rule = _rule(described) if role == "input" else None
        row = self.row
        self.sheet.put(row, spec.INPUT_LABEL, described.label_for(n), role="label")
        cell = stored(described.measure, value)
        ref = self.sheet.put(
            row, spec.INPUT_VALUE, cell, _format(described), role=role, validation=rule
        )
        self.sheet.put(row, spec.INPUT_UNIT, described.measure.unit, role="unit")
        self.sheet.put(row, spec.INPUT_KEY, path, role="key")
        note = f"Verteilungsdatei {self.source}"
        note = f"{note}; {described.note}" if described.note else note
        self.sheet.put(row, spec.INPUT_NOTE, note, role="note")
        self.row += 1
        return ref

    def fixed(self, label: str, value: float, number_format: str, unit: str, note: str) -> Ref:
        row = self.row
        self.sheet.put(row, spec.INPUT_LABEL, label, role="label")
        ref = self.sheet.put(row, spec.INPUT_VALUE, value, number_format, role="structure")
        self.sheet.put(row, spec.INPUT_UNIT, unit, role="unit")
        self.sheet.put(row, spec.INPUT_KEY, "–", role="key")
        self.sheet.put(row, spec.INPUT_NOTE, f"vom Programm vorgegeben; {note}", role="note")
        self.row += 1
        return ref


def lay_out_annahmen(sheet: Sheet, district: District) -> DistrictInputs:
    sheet.put(1, 1, f"Annahmen – Verteilung {district.name} {district.year}", role="title")
    sheet.put(
        2,
        1,
        "Eingaben sind farbig hinterlegt; alle Berechnungen beziehen sich auf diese Zellen.",
        role="note",
    )
    headers = ("Annahme", "Wert", "Einheit", "Schlüssel in der Verteilungsdatei", "Quelle")
    for col, header in enumerate(headers, start=1):
        sheet.put(4, col, header, role="header")
    sheet.title_rows = (1, 4)
    rows = _Rows(sheet, district.path.name)
    rows.section("Kreis")
    name = rows.add("district", district.name)
    reference = None if district.reference is None else rows.add("reference", district.reference)
    posts = rows.add("posts", district.posts)
    rate = rows.add("rate_per_fte", district.rate_per_fte)
    year = rows.add("year", district.year)
    date = district.population_date
    population_date = None if date is None else rows.add("population_date", date)
    places = district.municipalities
    rows.section("Kommunen")
    names = [rows.add(f"municipalities[{m.index}].name", m.name, m.index + 1) for m in places]
    rows.section("Einwohner")
    first = rows.row
    populations = [
        rows.add(f"municipalities[{m.index}].population", m.population, m.index + 1) for m in places
    ]
    area = sheet.column_range(spec.INPUT_VALUE, first, rows.row - 1)
    filled: list[Ref | None] = [None] * len(places)
    if any(m.filled_fte is not None for m in places):
        rows.section("Besetzte Stellen (für die Erstattung)")
        for number, m in enumerate(places):
            if m.filled_fte is not None:
                path = f"municipalities[{m.index}].filled_fte"
                filled[number] = rows.add(path, m.filled_fte, m.index + 1)
    if any(m.remainder for m in places):
        rows.section("Sammelzeilen")
        for m in places:
            if m.remainder:
                rows.add(f"municipalities[{m.index}].remainder", True, m.index + 1)
    rows.section("Rundung und Prüfungen")
    units = rows.fixed(
        "Rundungseinheiten je VZÄ",
        spec.ROUNDING_UNITS,
        formats.COUNT,
        "je VZÄ",
        "Anteile auf Tausendstel VZÄ gerundet (drei Nachkommastellen)",
    )
    tolerance = rows.fixed(
        "Toleranz der Prüfungen (€)", EURO_TOLERANCE, formats.EURO, "€", "Rundungsdifferenzen"
    )
    vzae_tolerance = rows.fixed(
        "Toleranz der Prüfungen (VZÄ)",
        VZAE_TOLERANCE,
        "0.000000",
        "VZÄ",
        "Rundungsdifferenzen der Gleitkommarechnung",
    )
    refs = tuple(
        MunicipalityRefs(m, n, p, f)
        for m, n, p, f in zip(places, names, populations, filled, strict=True)
    )
    return DistrictInputs(
        name,
        reference,
        posts,
        rate,
        year,
        population_date,
        refs,
        area,
        units,
        tolerance,
        vzae_tolerance,
    )
