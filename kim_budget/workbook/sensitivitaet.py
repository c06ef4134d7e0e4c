"""Sheet "Sensitivität": how the Eigenanteil moves when one assumption turns out otherwise.

One row per variant (the base first): its description, its assumption, the Eigenanteil over
the horizon (the defined names Sens_Basis, Sens_Start_3, …), its difference to the base and the
Eigenanteil per Haushaltsjahr. Below, the differences ranked by size (the tornado chart beside
them, largest on top) and by increase (the two largest risks, which the cover names). Every
figure is a formula on "Haushalt" and "Varianten", so the sheet follows any change on
"Annahmen" or "Tarif"; the rankings too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kim_budget import lines, variant_lines
from kim_budget.formula import Expr, Range, Ref, column_letter
from kim_budget.workbook import formats, haushalt, monate, spec
from kim_budget.workbook.grid import Chart, Sheet
from kim_budget.workbook.varianten import Variant, VariantRows

NAME = spec.SENSITIVITAET
LABEL, PARAMETER, TOTAL, DIFFERENCE, FIRST_YEAR = 1, 2, 3, 4, 5
HEADER_ROW = 4
NOTE = (
    "Eigenanteil in € (Aufwand − Ertrag), wenn eine Annahme anders eintritt. Jede Variante ist "
    "auf „Varianten“ Monat für Monat mit den Formeln von „Monate“ gerechnet; Differenz = "
    "Variante − Basis (positiv: eine höhere Belastung des Haushalts)."
)
CHART_TITLE = "Differenz zur Basis über den Zeitraum"
CHART_ALT_TEXT = (
    "Balkendiagramm (Tornado): die Differenz jeder Variante zum Eigenanteil der Basis über den "
    "Betrachtungszeitraum in Euro, die größte oben; die Werte stehen in der Tabelle links."
)
CHART_FIRST_COL = DIFFERENCE  # beside the ranked tables (A to C)
LEAST_COLUMNS = FIRST_YEAR + 5
"""The sheet prints columns A to J at least: the chart beside the rankings takes D to J, on
the first page also when the years continue on a second."""
CHART_CM_PER_ROW = 0.5
RISKS = 2


@dataclass(frozen=True)
class Laid:
    """Where the results of "Sensitivität" are: the defined names' cells and the two largest
    risks (their descriptions joined into one text, for the cover)."""

    names: dict[str, Ref]
    risks: Expr
    variants: tuple[Variant, ...]
    differences: dict[str, Ref]
    """Each variant's difference to the base over the horizon (rounded to the cent); none for
    the base itself."""


def lay_out(
    sheet: Sheet,
    title: str,
    variants: Sequence[Variant],
    rows: VariantRows,
    years: haushalt.YearRows,
) -> Laid:
    """Write the sheet and return where its results are."""
    sheet.put(1, LABEL, f"Sensitivität – {title}", role="title")
    sheet.put(2, LABEL, NOTE, role="note")
    sheet.title_rows = (1, 2)
    periods = years.last_col - years.first_col + 1
    _header(sheet, years, periods)
    totals = _variant_rows(sheet, variants, rows, years, periods)
    row = totals[-1] + 2
    by_size, by_increase, row = _ranking(sheet, row, totals[1:])
    chart_top = row
    sorted_rows, row = _ranked_table(
        sheet, row, "Nach Größe der Differenz (Diagramm)", by_size, len(totals) - 1
    )
    risk_rows, row = _ranked_table(
        sheet, row + 1, "Größte Risiken (stärkste Erhöhung)", by_increase, RISKS
    )
    _chart(sheet, chart_top, row - chart_top, sorted_rows)
    sheet.print_columns = max(LEAST_COLUMNS, FIRST_YEAR + periods - 1)
    sheet.break_rows = (chart_top,)
    pairs = list(zip(variants, totals, strict=True))
    names = {v.name: Ref(sheet.name, row, TOTAL) for v, row in pairs}
    differences = {v.name: Ref(sheet.name, row, DIFFERENCE) for v, row in pairs[1:]}
    first, second = (Ref(sheet.name, row, LABEL) for row in risk_rows)
    risks = variant_lines.named_risks(first, second)
    return Laid(names, risks, tuple(variants), differences)


def _header(sheet: Sheet, years: haushalt.YearRows, periods: int) -> None:
    headers = ("Variante", "Annahme", "Eigenanteil gesamt", "Differenz zur Basis")
    for col, text in enumerate(headers, start=LABEL):
        sheet.put(HEADER_ROW, col, text, role="header")
    for offset in range(periods):
        year = Ref(years.sheet, haushalt.YEAR_ROW, years.first_col + offset)
        sheet.put(HEADER_ROW, FIRST_YEAR + offset, year, formats.YEAR, role="header")


def _variant_rows(
    sheet: Sheet,
    variants: Sequence[Variant],
    rows: VariantRows,
    years: haushalt.YearRows,
    periods: int,
) -> list[int]:
    """The Eigenanteil of each variant per year (the base's from "Haushalt", the others summed
    from their months on "Varianten"), its total and its difference to the base."""
    made: list[int] = []
    for row, variant in enumerate(variants, start=HEADER_ROW + 1):
        sheet.put(row, LABEL, variant.label, role="label")
        if variant.parameter is not None:
            sheet.put(row, PARAMETER, variant.parameter, variant.number_format)
        yearly = _yearly(variant, rows, years, HEADER_ROW)
        for col in range(FIRST_YEAR, FIRST_YEAR + periods):
            sheet.put(row, col, yearly(sheet, col), formats.EURO)
        span = sheet.row_range(row, FIRST_YEAR, FIRST_YEAR + periods - 1)
        total = sheet.put(row, TOTAL, lines.sum_of(span), formats.EURO, role="total")
        if made:  # the base differs from nothing
            base = Ref(sheet.name, made[0], TOTAL)
            difference = variant_lines.to_cent(lines.difference(total, base))
            sheet.put(row, DIFFERENCE, difference, formats.EURO, role="total")
        made.append(row)
    letter = column_letter(TOTAL)  # an Eigenanteil below 0: the grant exceeds the cost
    sheet.conditional.append((f"{letter}{made[0]}:{letter}{made[-1]}", "negative"))
    return made


def _yearly(
    variant: Variant, rows: VariantRows, years: haushalt.YearRows, header: int
) -> Callable[[Sheet, int], Expr]:
    """A variant's Eigenanteil in the year of a column."""
    if variant.name not in rows.eigenanteil:  # the base: its row on "Haushalt"
        eigenanteil = years.rows["Eigenanteil"]
        shift = years.first_col - FIRST_YEAR
        return lambda sheet, col: Ref(years.sheet, eigenanteil, col + shift, True, False)
    months = rows.row_range(rows.eigenanteil[variant.name])
    month_years = rows.row_range(monate.YEAR_ROW)
    return lambda sheet, col: lines.sum_of_year(
        month_years, sheet.ref(header, col, fix_row=True, fix_col=False), months
    )


@dataclass(frozen=True)
class _Ranked:
    """A ranking of the variants: their descriptions, differences and ranks (1, 2, …)."""

    labels: Range
    differences: Range
    ranks: Range


def _ranking(sheet: Sheet, row: int, totals: Sequence[int]) -> tuple[_Ranked, _Ranked, int]:
    """Each variant's rank by the size of its difference and by its increase (the differences
    of the table above, rounded to the cent); returns both rankings and the next free row."""
    sheet.put(row, LABEL, "Rangfolge der Differenzen", role="section")
    headers = ("Variante", "Rang nach Größe", "Rang nach Erhöhung")
    for col, text in enumerate(headers, start=LABEL):
        sheet.put(row + 1, col, text, role="header")
    first, last = row + 2, row + 1 + len(totals)
    labels = sheet.column_range(LABEL, totals[0], totals[-1])
    differences = sheet.column_range(DIFFERENCE, totals[0], totals[-1])
    for row, total in enumerate(totals, start=first):
        sheet.put(row, LABEL, Ref(sheet.name, total, LABEL, False), role="label")
        here = sheet.ref(total, DIFFERENCE, fix_row=False)
        before = Range(differences.first, here)
        by_size = variant_lines.rank_by_size(differences, here, before)
        sheet.put(row, PARAMETER, by_size, formats.COUNT)
        by_increase = variant_lines.rank_by_increase(differences, here, before)
        sheet.put(row, TOTAL, by_increase, formats.COUNT)
    return (
        _Ranked(labels, differences, sheet.column_range(PARAMETER, first, last)),
        _Ranked(labels, differences, sheet.column_range(TOTAL, first, last)),
        last + 2,
    )


def _ranked_table(
    sheet: Sheet, row: int, title: str, ranked: _Ranked, count: int
) -> tuple[list[int], int]:
    """The first `count` variants of a ranking, in its order; returns their rows and the next
    free row."""
    sheet.put(row, LABEL, title, role="section")
    for col, text in enumerate(("Variante", "Differenz", "Rang"), start=LABEL):
        sheet.put(row + 1, col, text, role="header")
    made: list[int] = []
    first = row + 2
    for row in range(first, first + count):
        if made:
            rank = variant_lines.next_rank(sheet.ref(row - 1, TOTAL, fix_row=False))
        else:
            rank = variant_lines.first_rank(ranked.ranks)
        sheet.put(row, TOTAL, rank, formats.COUNT)
        wanted = sheet.ref(row, TOTAL, fix_row=False)
        sheet.put(row, LABEL, variant_lines.ranked(ranked.labels, ranked.ranks, wanted))
        value = variant_lines.ranked(ranked.differences, ranked.ranks, wanted)
        sheet.put(row, PARAMETER, value, formats.EURO)
        made.append(row)
    return made, made[-1] + 1


def _chart(sheet: Sheet, top: int, height: int, rows: Sequence[int]) -> None:
    """The tornado: each variant's difference to the base as a bar, the largest on top, beside
    the rankings."""
    sheet.charts.append(
        Chart(
            title=CHART_TITLE,
            alt_text=CHART_ALT_TEXT,
            categories=LABEL,
            series=(PARAMETER,),
            series_titles=("Differenz zur Basis",),
            first_col=rows[0],
            last_col=rows[-1],
            anchor_row=top,
            down_columns=True,
            height_cm=height * CHART_CM_PER_ROW,
            area=(CHART_FIRST_COL, LEAST_COLUMNS),
            horizontal=True,
        )
    )
