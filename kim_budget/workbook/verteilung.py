"""The district's distribution workbook: Übersicht, Annahmen, Verteilung, Rundung, Prüfungen.

- "Annahmen": every input of the district file, one per row (label | value | unit | key | note),
  the populations in one block so that their sum is one range.
- "Verteilung": one row per municipality: population, exact share (posts × population / total),
  the rank of its rounding remainder, the rounded share, funding, filled VZÄ, funding passed on
  and the refund for unfilled posts; totals below; a chart of the shares.
- "Rundung": the largest-remainder rounding to thousandths of a VZÄ, step by step. The ranks
  stand on "Verteilung" and the remainders here, so that no formula refers to a lower row of
  its own sheet.
- "Prüfungen": the totals add up; master check `Pruefung_OK`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kim_budget import __version__, lines
from kim_budget.district import District, Municipality
from kim_budget.formula import Expr, Range, Ref, Term, column_letter, evaluate
from kim_budget.keys import FILLED_FTE, Key, district_key
from kim_budget.workbook import formats, spec
from kim_budget.workbook.grid import Book, BookEnv, Chart, Content, Sheet, Validation
from kim_budget.workbook.validation import number_format, rule_for

SHARE_EXACT = "#,##0.00000"
"""Exact shares show five decimals (1,17307), so that the rounding step can be followed."""
VZAE_TOLERANCE = 0.000001
EURO_TOLERANCE = 0.01
SUBJECT = "Kommunales Integrationsmanagement: Verteilung der Stellen des Kreises"
KEYWORDS = "KIM; Verteilung; Einwohner; Förderung; Erstattung; VZÄ"
PURPOSE = (
    "Diese Arbeitsmappe verteilt die geförderten Stellen (VZÄ) des Kreises nach Einwohnern auf "
    "die Kommunen, berechnet die weiterzuleitende Förderung und die Erstattung für nicht "
    "besetzte Stellen."
)
NOTES = (
    "Anteil = VZÄ des Kreises × Einwohner der Kommune / Einwohner des Kreises; Förderung = "
    "Anteil × Pauschale; weitergeleitet = min(Anteil, besetzte VZÄ) × Pauschale; Erstattung = "
    "max(0, Anteil − besetzte VZÄ) × Pauschale. Ohne Angabe besetzter VZÄ gilt der volle Anteil "
    "als besetzt.",
    "Gerundeter Anteil: auf Tausendstel VZÄ nach dem Verfahren der größten Reste (Blatt "
    "„Rundung“); bei gleichen Resten zuerst die weiter oben stehende Kommune. Die gerundeten "
    "Anteile ergeben zusammen die VZÄ des Kreises.",
    "Die Blätter sind ohne Kennwort geschützt, nur die Eingabezellen auf „Annahmen“ sind "
    "freigegeben (Überprüfen › Blattschutz aufheben).",
)
FIRST_ROW = 5


@dataclass(frozen=True)
class MunicipalityRefs:
    """Where one municipality's inputs are on "Annahmen"."""

    municipality: Municipality
    name: Ref
    population: Ref
    filled: Ref | None


@dataclass(frozen=True)
class DistrictInputs:
    """Where the district's inputs are."""

    name: Ref
    reference: Ref | None
    posts: Ref
    rate: Ref
    year: Ref
    population_date: Ref | None
    municipalities: tuple[MunicipalityRefs, ...]
    populations: Range
    units: Ref
    tolerance: Ref
    vzae_tolerance: Ref


@dataclass(frozen=True)
class Row:
    """One municipality's figures, as evaluated."""

    name: str
    population: int
    share: float
    rounded: float
    funding: float
    passed_on: float
    refund: float


@dataclass(frozen=True)
class Distribution:
    """The distribution's figures: one row per municipality and the totals."""

    district: District
    rows: tuple[Row, ...]
    posts: float
    funding: float
    passed_on: float
    refund: float


@dataclass(frozen=True)
class DistrictBook:
    """The laid-out workbook and where its figures are."""

    book: Book
    cells: tuple[tuple[Ref, ...], ...]
    """Per municipality: name, population, share, rounded, funding, passed on, refund."""
    totals: tuple[Ref, Ref, Ref, Ref]


# ---------------------------------------------------------------- Annahmen


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
        ref = self.sheet.put(
            row, spec.INPUT_VALUE, value, _format(described), role=role, validation=rule
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


def _annahmen(sheet: Sheet, district: District) -> DistrictInputs:
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


# ---------------------------------------------------------------- Verteilung and Rundung

NAME, PEOPLE, SHARE, RANK, ROUNDED, FUNDING, FILLED, PASSED, REFUND = range(1, 10)
EXACT_UNITS, WHOLE, REST, DEVIATION = 2, 3, 4, 5
SUMMARY_ROWS = 4  # posts, population, funding of the district: rows 4 to 6
TABLE_HEADER = 8
ROUNDING_HEADER = 4


@dataclass(frozen=True)
class _Table:
    first: int
    last: int
    total: int
    posts: Ref
    population: Ref
    funding: Ref
    leftover: Ref


def _summary(sheet: Sheet, inputs: DistrictInputs) -> tuple[Ref, Ref, Ref]:
    entries: list[tuple[str, Term, str]] = [
        ("Geförderte VZÄ des Kreises", inputs.posts, formats.VZAE_DISTRICT),
        ("Einwohner des Kreises (Summe der Kommunen)", lines.sum_of(inputs.populations), "#,##0"),
        (
            "Förderung des Kreises (VZÄ × Pauschale)",
            lines.share_funding(inputs.posts, inputs.rate),
            formats.EURO,
        ),
    ]
    refs = []
    for offset, (label, formula, fmt) in enumerate(entries):
        sheet.put(SUMMARY_ROWS + offset, NAME, label, role="label")
        refs.append(sheet.put(SUMMARY_ROWS + offset, PEOPLE, formula, fmt))
    return refs[0], refs[1], refs[2]


def _verteilung(
    sheet: Sheet, rounding: Sheet, inputs: DistrictInputs
) -> tuple[_Table, list[tuple[Ref, ...]]]:
    sheet.put(1, NAME, "Verteilung der geförderten Stellen nach Einwohnern", role="title")
    sheet.put(2, NAME, inputs.name, role="subtitle")
    posts, population, funding = _summary(sheet, inputs)
    headers = (
        "Kommune",
        "Einwohner",
        "Anteil exakt (VZÄ)",
        "Rang des Rests",
        "Anteil gerundet (VZÄ)",
        "Förderung (€)",
        "Besetzt (VZÄ)",
        "Weitergeleitet (€)",
        "Erstattung (€)",
    )
    for col, header in enumerate(headers, start=1):
        sheet.put(TABLE_HEADER, col, header, role="header")
    count = len(inputs.municipalities)
    first, last = TABLE_HEADER + 1, TABLE_HEADER + count
    r_first, r_last = ROUNDING_HEADER + 1, ROUNDING_HEADER + count
    leftover_row = r_last + 2
    leftover = rounding.ref(leftover_row, WHOLE)
    remainders = rounding.column_range(REST, r_first, r_last)
    cells: list[tuple[Ref, ...]] = []
    for number, m in enumerate(inputs.municipalities):
        row, r_row = first + number, r_first + number
        here = sheet.ref
        name = sheet.put(row, NAME, m.name, role="label")
        people = sheet.put(row, PEOPLE, m.population, "#,##0")
        share = sheet.put(
            row, SHARE, lines.district_share(posts, here(row, PEOPLE), population), SHARE_EXACT
        )
        before = Range(rounding.ref(r_first, REST), rounding.ref(r_row, REST))
        rank = lines.remainder_rank(remainders, rounding.ref(r_row, REST), before)
        sheet.put(row, RANK, rank, formats.COUNT)
        rounded = sheet.put(
            row,
            ROUNDED,
            lines.rounded_share(
                rounding.ref(r_row, WHOLE), here(row, RANK), leftover, inputs.units
            ),
            formats.VZAE_PLAIN,
        )
        money = sheet.put(row, FUNDING, lines.share_funding(share, inputs.rate), formats.EURO)
        filled = m.filled if m.filled is not None else share
        sheet.put(row, FILLED, filled, SHARE_EXACT)
        passed = sheet.put(
            row, PASSED, lines.passed_on(share, here(row, FILLED), inputs.rate), formats.EURO
        )
        refund = sheet.put(
            row, REFUND, lines.refund(share, here(row, FILLED), inputs.rate), formats.EURO
        )
        cells.append((name, people, share, rounded, money, passed, refund))
    total = last + 1
    sheet.put(total, NAME, "Summe", role="total")
    for col in (PEOPLE, SHARE, ROUNDED, FUNDING, FILLED, PASSED, REFUND):
        fmt = "#,##0" if col == PEOPLE else formats.EURO
        if col in (SHARE, FILLED):
            fmt = SHARE_EXACT
        if col == ROUNDED:
            fmt = formats.VZAE_PLAIN
        sheet.put(total, col, lines.sum_of(sheet.column_range(col, first, last)), fmt, "total")
    sheet.conditional.append(
        (f"{column_letter(REFUND)}{first}:{column_letter(REFUND)}{last}", "negative")
    )
    sheet.charts.append(
        Chart(
            title="Gerundeter Anteil je Kommune (VZÄ)",
            alt_text=(
                "Säulendiagramm: gerundeter Anteil jeder Kommune an den geförderten Stellen "
                "des Kreises in VZÄ; die Werte stehen in der Tabelle darüber."
            ),
            categories=NAME,
            series=(ROUNDED,),
            series_titles=("Anteil gerundet (VZÄ)",),
            first_col=first,
            last_col=last,
            anchor_row=total + 2,
            down_columns=True,
            number_format="0.000",
        )
    )
    sheet.title_rows = (1, TABLE_HEADER)
    return _Table(first, last, total, posts, population, funding, leftover), cells


def _rundung(
    sheet: Sheet, verteilung: Sheet, inputs: DistrictInputs, table: _Table
) -> tuple[Range, Ref]:
    sheet.put(1, 1, "Rundung der Anteile auf Tausendstel VZÄ (größte Reste)", role="title")
    sheet.put(
        2,
        1,
        "Jede Kommune erhält ihre abgerundeten Tausendstel; die übrigen Tausendstel gehen an die "
        "Kommunen mit den größten Resten (Rang auf „Verteilung“), bei gleichen Resten an die "
        "weiter oben stehende.",
        role="note",
    )
    headers = ("Kommune", "Tausendstel exakt", "abgerundet", "Rest", "gerundet − exakt (VZÄ)")
    for col, header in enumerate(headers, start=1):
        sheet.put(ROUNDING_HEADER, col, header, role="header")
    first = ROUNDING_HEADER + 1
    for number, m in enumerate(inputs.municipalities):
        row, source = first + number, table.first + number
        sheet.put(row, 1, m.name, role="label")
        exact = lines.share_units(
            table.posts, inputs.units, verteilung.ref(source, PEOPLE), table.population
        )
        sheet.put(row, EXACT_UNITS, exact, "#,##0.000000")
        sheet.put(row, WHOLE, lines.whole_units(sheet.ref(row, EXACT_UNITS)), "#,##0")
        rest = lines.difference(sheet.ref(row, EXACT_UNITS), sheet.ref(row, WHOLE))
        sheet.put(row, REST, rest, "0.000000")
        deviation = lines.difference(verteilung.ref(source, ROUNDED), verteilung.ref(source, SHARE))
        sheet.put(row, DEVIATION, deviation, "0.000000")
    last = first + len(inputs.municipalities) - 1
    sheet.put(last + 1, 1, "Summe der abgerundeten Tausendstel", role="total")
    whole = sheet.column_range(WHOLE, first, last)
    sheet.put(last + 1, WHOLE, lines.sum_of(whole), "#,##0", role="total")
    sheet.put(last + 2, 1, "Verbleibende Tausendstel (an die größten Reste)", role="label")
    leftover = sheet.put(
        last + 2, WHOLE, lines.leftover_units(table.posts, inputs.units, whole), "#,##0"
    )
    assert (leftover.row, leftover.col) == (table.leftover.row, table.leftover.col)
    sheet.title_rows = (1, ROUNDING_HEADER)
    return sheet.column_range(DEVIATION, first, last), leftover


# ---------------------------------------------------------------- Prüfungen


def _pruefungen(
    sheet: Sheet,
    verteilung: Sheet,
    inputs: DistrictInputs,
    table: _Table,
    deviations: Range,
) -> Ref:
    sheet.put(1, 1, "Prüfungen – Verteilung", role="title")
    sheet.put(
        2, 1, "Jede Prüfung muss WAHR ergeben; das Gesamtergebnis steht auf der Übersicht.", "note"
    )
    for col, header in ((1, "Prüfung"), (2, "Einheit"), (3, "Ergebnis")):
        sheet.put(4, col, header, role="header")
    checks: list[Ref] = []
    row = 6

    def value(label: str, unit: str, fmt: str, formula: Term) -> Ref:
        nonlocal row
        sheet.put(row, 1, label, role="label")
        sheet.put(row, 2, unit, role="unit")
        ref = sheet.put(row, 3, formula, fmt)
        row += 1
        return ref

    def check(label: str, formula: Term) -> None:
        ref = value(label, "WAHR/FALSCH", formats.BOOLEAN, formula)
        checks.append(ref)
        sheet.conditional.append((ref.coordinate(), "false"))

    def total(col: int) -> Ref:
        return verteilung.ref(table.total, col)

    sheet.put(5, 1, "Summen", role="section")
    for col, what in ((SHARE, "exakten"), (ROUNDED, "gerundeten")):
        gap = value(
            f"Summe der {what} Anteile − VZÄ des Kreises",
            "VZÄ",
            "0.000000",
            lines.difference(total(col), table.posts),
        )
        check(
            f"Die {what} Anteile ergeben die VZÄ des Kreises",
            lines.within(gap, inputs.vzae_tolerance),
        )
    highest = value(
        "Größte Abweichung gerundet − exakt", "VZÄ", "0.000000", lines.largest_of(deviations)
    )
    check("Gerundet höchstens ein Tausendstel über exakt", lines.at_most(highest, 1 / inputs.units))
    lowest = value(
        "Kleinste Abweichung gerundet − exakt", "VZÄ", "0.000000", lines.smallest_of(deviations)
    )
    check(
        "Gerundet höchstens ein Tausendstel unter exakt",
        lines.at_most(-lowest, 1 / inputs.units),
    )
    gap = value(
        "Summe der Förderung − VZÄ × Pauschale",
        "€",
        formats.EURO,
        lines.difference(total(FUNDING), table.funding),
    )
    check(
        "Die Förderung der Kommunen ergibt die Förderung des Kreises",
        lines.within(gap, inputs.tolerance),
    )
    gap = value(
        "Weitergeleitet + Erstattung − Förderung",
        "€",
        formats.EURO,
        lines.difference(lines.sum_of([total(PASSED), total(REFUND)]), total(FUNDING)),
    )
    check(
        "Weitergeleitet und erstattet wird genau die Förderung", lines.within(gap, inputs.tolerance)
    )
    smallest = value(
        "Niedrigste Erstattung einer Kommune",
        "€",
        formats.EURO,
        lines.smallest_of(verteilung.column_range(REFUND, table.first, table.last)),
    )
    check("Keine negative Erstattung", lines.not_negative(smallest))
    row += 1
    sheet.put(row - 1, 1, "Gesamtergebnis", role="section")
    master = value(
        "Alle Prüfungen bestanden", "WAHR/FALSCH", formats.BOOLEAN, lines.all_passed(checks)
    )
    sheet.conditional.append((master.coordinate(), "false"))
    sheet.title_rows = (1, 4)
    return master


# ---------------------------------------------------------------- Übersicht


def _cover(
    sheet: Sheet, district: District, inputs: DistrictInputs, table: _Table, master: Ref
) -> None:
    sheet.put(1, 1, "Kommunales Integrationsmanagement (KIM): Verteilung der Stellen", "title")
    sheet.put(2, 1, inputs.name, role="subtitle")
    sheet.put(3, 1, PURPOSE, role="note")
    facts: list[tuple[str, Content, str | None]] = [("Kreis", inputs.name, None)]
    if inputs.reference is not None:
        facts.append(("Vorlagen-Nr.", inputs.reference, None))
    facts.append(("Haushaltsjahr", inputs.year, formats.YEAR))
    if inputs.population_date is not None:
        facts.append(("Stand der Einwohnerzahlen", inputs.population_date, None))
    facts += [
        ("Verteilungsdatei", district.path.name, None),
        ("SHA-256 der Verteilungsdatei", district.sha256, None),
        ("Erzeugt mit", f"kim-budget {__version__}", None),
        ("Prüfungen (Blatt „Prüfungen“)", lines.status(master), None),
    ]
    row = 5
    for label, content, fmt in facts:
        sheet.put(row, 1, label, role="label")
        sheet.put(row, 2, content, fmt, role="text")
        row += 1
    sheet.conditional.append((f"B{row - 1}", "fehler"))
    row += 1
    sheet.put(row, 1, "Ergebnis", role="section")
    row += 1
    for col, header in ((1, "Kennzahl"), (2, "Einheit"), (3, "Wert")):
        sheet.put(row, col, header, role="header")
    row += 1

    def total(col: int) -> Ref:
        return Ref(spec.VERTEILUNG, table.total, col)

    entries: list[tuple[str, str, Expr, str]] = [
        ("Geförderte VZÄ des Kreises", "VZÄ", inputs.posts, formats.VZAE_DISTRICT),
        ("Förderpauschale je VZÄ und Jahr", "€/VZÄ/Jahr", inputs.rate, formats.EURO),
        ("Förderung des Kreises", "€", table.funding, formats.EURO),
        ("An die Kommunen weitergeleitet", "€", total(PASSED), formats.EURO),
        ("Erstattung für nicht besetzte Stellen", "€", total(REFUND), formats.EURO),
    ]
    for label, unit, formula, fmt in entries:
        sheet.put(row, 1, label, role="label")
        sheet.put(row, 2, unit, role="unit")
        sheet.put(row, 3, formula, fmt)
        row += 1
    row += 1
    for note in NOTES:
        sheet.put(row, 1, note, role="note")
        row += 1


# ---------------------------------------------------------------- the workbook


def lay_out_district(district: District) -> DistrictBook:
    """Every sheet, name and property of the district's distribution workbook."""
    cover = Sheet(spec.UEBERSICHT, one_page=True)
    annahmen = Sheet(spec.ANNAHMEN)
    verteilung = Sheet(spec.VERTEILUNG)
    rundung = Sheet(spec.RUNDUNG)
    pruefungen = Sheet(spec.PRUEFUNGEN)
    book = Book([cover, annahmen, verteilung, rundung, pruefungen])
    inputs = _annahmen(annahmen, district)
    table, cells = _verteilung(verteilung, rundung, inputs)
    deviations, _ = _rundung(rundung, verteilung, inputs, table)
    master = _pruefungen(pruefungen, verteilung, inputs, table, deviations)
    _cover(cover, district, inputs, table, master)
    totals = tuple(verteilung.ref(table.total, col) for col in (SHARE, FUNDING, PASSED, REFUND))
    for name, ref in zip(spec.DISTRICT_NAMES, totals, strict=True):
        book.names[name] = ref
    book.names[spec.MASTER_NAME] = master
    book.properties.update(
        title=f"Verteilung der KIM-Stellen {district.year}",
        subject=SUBJECT,
        creator=district.name,
        keywords=KEYWORDS,
        municipality=district.name,
        reference=district.reference or "",
    )
    return DistrictBook(book, tuple(cells), (totals[0], totals[1], totals[2], totals[3]))


def read_distribution(district: District, laid: DistrictBook, env: BookEnv) -> Distribution:
    """The distribution's figures, from the evaluated layout."""

    def number(ref: Ref) -> float:
        value = evaluate(ref, env)
        assert isinstance(value, int | float)
        return float(value)

    rows = tuple(
        Row(
            m.name,
            m.population,
            *(number(ref) for ref in refs[2:]),
        )
        for m, refs in zip(district.municipalities, laid.cells, strict=True)
    )
    posts, funding, passed, refund = (number(ref) for ref in laid.totals)
    return Distribution(district, rows, posts, funding, passed, refund)


def rounded_shares(distribution: Distribution) -> Sequence[float]:
    """Each municipality's rounded share, in the order of the file."""
    return [row.rounded for row in distribution.rows]
