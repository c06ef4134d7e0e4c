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

from kim_budget.district import District
from kim_budget.formula import Ref, evaluate
from kim_budget.workbook import spec
from kim_budget.workbook.grid import Book, BookEnv, Sheet
from kim_budget.workbook.verteilung.annahmen import lay_out_annahmen
from kim_budget.workbook.verteilung.checks import lay_out_cover, lay_out_pruefungen
from kim_budget.workbook.verteilung.refs import (
    FUNDING,
    KEYWORDS,
    PASSED,
    REFUND,
    SHARE,
    SUBJECT,
    Distribution,
    DistrictBook,
    Row,
)
from kim_budget.workbook.verteilung.tables import lay_out_rundung, lay_out_verteilung

__all__ = [
    "Distribution",
    "DistrictBook",
    "lay_out_district",
    "read_distribution",
    "rounded_shares",
]


def lay_out_district(district: District) -> DistrictBook:
    """Every sheet, name and property of the district's distribution workbook."""
    cover = Sheet(spec.UEBERSICHT, one_page=True)
    annahmen = Sheet(spec.ANNAHMEN)
    verteilung = Sheet(spec.VERTEILUNG)
    rundung = Sheet(spec.RUNDUNG)
    pruefungen = Sheet(spec.PRUEFUNGEN)
    book = Book([cover, annahmen, verteilung, rundung, pruefungen])
    inputs = lay_out_annahmen(annahmen, district)
    table, cells = lay_out_verteilung(verteilung, rundung, inputs)
    deviations, _ = lay_out_rundung(rundung, verteilung, inputs, table)
    master = lay_out_pruefungen(pruefungen, verteilung, inputs, table, deviations)
    lay_out_cover(cover, district, inputs, table, master)
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
