""" "Verteilung" (a row per municipality: population, exact share, rank of its remainder,
rounded share, funding, filled VZÄ, passed on, refund; totals; a chart) and "Rundung" (the
largest-remainder rounding to thousandths of a VZÄ, step by step)."""

from __future__ import annotations

from dataclasses import dataclass

from kim_budget import lines
from kim_budget.formula import Range, Ref, Term, column_letter
from kim_budget.workbook import formats
from kim_budget.workbook.grid import Chart, Sheet
from kim_budget.workbook.verteilung.refs import (
    DEVIATION,
    EXACT_UNITS,
    FILLED,
    FUNDING,
    NAME,
    PASSED,
    PEOPLE,
    RANK,
    REFUND,
    REST,
    ROUNDED,
    SHARE,
    SHARE_EXACT,
    WHOLE,
    DistrictInputs,
)

SUMMARY_ROWS = 4  # posts, population, funding of the district: rows 4 to 6
TABLE_HEADER = 8
ROUNDING_HEADER = 4


@dataclass(frozen=True)
class Table:
    first: int
    last: int
    total: int
    posts: Ref
    population: Ref
    funding: Ref
    leftover: Ref


def lay_out_summary(sheet: Sheet, inputs: DistrictInputs) -> tuple[Ref, Ref, Ref]:
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


def lay_out_verteilung(
    sheet: Sheet, rounding: Sheet, inputs: DistrictInputs
) -> tuple[Table, list[tuple[Ref, ...]]]:
    sheet.put(1, NAME, "Verteilung der geförderten Stellen nach Einwohnern", role="title")
    sheet.put(2, NAME, inputs.name, role="subtitle")
    posts, population, funding = lay_out_summary(sheet, inputs)
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
    return Table(first, last, total, posts, population, funding, leftover), cells


def lay_out_rundung(
    sheet: Sheet, verteilung: Sheet, inputs: DistrictInputs, table: Table
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
