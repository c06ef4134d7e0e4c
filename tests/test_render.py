"""Council texts ("Finanzielle Auswirkungen") as HTML and plain text.

The generated texts are parsed back: every amount in the table must equal the model's figure to
the cent, every "rund" amount in the sentences the figure rounded to the nearest 100 € (as the
texts state), every VZÄ figure a position's VZÄ or the funding limit. The model's figures are
checked by hand elsewhere (test_model.py); a few sentences here are also checked by hand.
"""

from __future__ import annotations

import html
import math
import re
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from helpers import scenario_files

from kim_budget import german, render
from kim_budget.errors import OutputError, ScenarioErrors, TemplateError
from kim_budget.loader import load_scenario
from kim_budget.model import Result, Year, compute
from kim_budget.pipeline import workbook_bytes
from kim_budget.render import CONTEXT_KEYS, DEFAULT_TEMPLATES, check_templates, render_texts
from kim_budget.scenario import Budget

ROOT = Path(__file__).parent.parent
SHIPPED = ROOT / "scenarios"
VALID = Path(__file__).parent / "cases" / "valid"
HTML_NAME = "finanzielle-auswirkungen.html"
TXT_NAME = "finanzielle-auswirkungen.txt"
AMOUNTS = ("personalaufwand", "foerderung", "eigenanteil", "deckung", "haushaltsbelastung")
TABLE_AMOUNTS = ("aufwand", *AMOUNTS[1:])
FULL_COST_AMOUNTS = (
    "personalaufwand",
    "sachaufwand",
    "gemeinkosten",
    "vollkosten",
    "eigenanteil_vollkosten",
)

AMOUNT = r"-?\d{1,3}(?:\.\d{3})*(?:,\d{2})?"
EURO = re.compile(rf"(rund )?({AMOUNT})[ \u00a0]€")
VZAE = re.compile(r"(\d+,\d+)[ \u00a0]VZÄ")
FOOTNOTE = "Beträge im Text gerundet auf volle 100 € (ab 50 € aufgerundet)"
SMALL = ", Beträge unter 50 € genau; die Tabelle zeigt alle Beträge genau."
"""Follows FOOTNOTE when an amount under 50 € is shown exactly, else ALL_ROUNDED does."""
ALL_ROUNDED = "; die Tabelle zeigt sie genau."
ROUNDING_NOTE = (
    " (Summe der genauen Jahresbeträge; die Summe der gerundeten Jahresbeträge weicht "
    "rundungsbedingt ab)"
)
GRANT_NOTICE = (
    "Ob die Förderung die tatsächlichen Kosten übersteigen darf, richtet sich nach dem "
    "Zuwendungsbescheid."
)

MINIMAL = """\
title = "KIM"

[horizon]
first_year = 2024
last_year = 2026

[[positions]]
name = "Case Management"
fte = 1.0
start = "2024-10"

[cost]
annual_cost_per_fte = 80000

[funding]
rate_per_fte = 57000
"""


# --- parsing the texts back --------------------------------------------------------------------


def amount(text: str) -> Decimal:
    """ "-1.234,56" → Decimal("-1234.56")."""
    return Decimal(text.replace(".", "").replace(",", "."))


def cents(value: float) -> Decimal:
    return Decimal(repr(round(value, 2))).quantize(Decimal("0.01"))


def hundred(value: float) -> Decimal:
    """The stated rule, computed independently: to the cent, then to 100 €, halves up."""
    return Decimal(math.floor(abs(round(value, 2)) / 100 + 0.5) * 100)


def plain(text: str) -> str:
    """No-break spaces as spaces, runs of layout whitespace as one space."""
    return re.sub(r"[ \t\r\n]+", " ", text.replace("\u00a0", " ")).strip()


class Page(HTMLParser):
    """The rows (cell texts) of every table, the paragraphs and list items after the first."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.paragraphs: list[str] = []
        self.caption = ""
        self._cell: list[str] | None = None
        self._paragraph: list[str] | None = None
        self._caption: list[str] | None = None
        self._in_table = False

    @property
    def rows(self) -> list[list[str]]:
        """The rows of the first table, its header row included."""
        return self.tables[0] if self.tables else []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
            self._in_table = True
        elif tag == "tr" and self._in_table:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self._in_table:
            self._cell = []
        elif tag == "caption" and len(self.tables) == 1:
            self._caption = []
        elif tag in ("p", "li") and self.tables:
            self._paragraph = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(plain("".join(self._cell)))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.caption = plain("".join(self._caption))
            self._caption = None
        elif tag == "table":
            self._in_table = False
        elif tag in ("p", "li") and self._paragraph is not None:
            self.paragraphs.append(plain("".join(self._paragraph)))
            self._paragraph = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._caption, self._paragraph):
            if part is not None:
                part.append(data)


def html_parts(text: str) -> tuple[list[list[str]], list[str]]:
    """(table rows below the header, paragraphs after the table) of the HTML text."""
    page = html_page(text)
    return page.rows[1:], page.paragraphs


def html_page(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def txt_parts(text: str) -> tuple[list[list[str]], list[str]]:
    """(rows of the first table, paragraphs after the tables) of the plain text."""
    tables, last = txt_tables(text)
    after = "\n".join(text.split("\n")[last + 1 :])
    blocks = re.split(r"\n\s*\n|\n(?=- )", after)  # paragraphs and list items
    return tables[0] if tables else [], [plain(block) for block in blocks if block.strip()]


def txt_tables(text: str) -> tuple[list[list[list[str]]], int]:
    """(the rows of each table with five amounts a row, the index of the last line of any
    table) of the plain text; a line that is neither a row nor a rule ends a table."""
    row = re.compile(rf"^(\d{{4}}|Summe) +((?:{AMOUNT}\u00a0€ *){{5}})$")
    accounts = re.compile(rf"^\d{{4}} +(?:{AMOUNT}\u00a0€ *){{3}}$")  # a graded post's accounts
    tables: list[list[list[str]]] = []
    last, in_table = 0, False
    for index, line in enumerate(text.split("\n")):
        if match := row.match(line):
            if not in_table:
                tables.append([])
            cells = re.findall(rf"{AMOUNT}\u00a0€", line)
            tables[-1].append([match[1], *(plain(cell) for cell in cells)])
            last, in_table = index, True
        elif accounts.match(line):
            last = index
        elif not re.fullmatch(r"-+", line):
            in_table = False
    return tables, last


YEARS = re.compile(r"^Für (\d{4})(?:( und | bis )(\d{4}))? ")
"""A year sentence names its years: "Für 2024 …", "Für 2025 und 2026 …", "Für 2025 bis 2028 …"."""


def year_paragraphs(paragraphs: list[str], result: Result) -> dict[int, str]:
    """The sentence of each Haushaltsjahr: the one paragraph "Für …" whose years include it."""
    found: dict[int, str] = {}
    for paragraph in paragraphs:
        if not (match := YEARS.match(paragraph)):
            continue
        first = int(match[1])
        last = int(match[3]) if match[3] else first
        assert last == first + 1 if match[2] == " und " else last >= first, paragraph
        assert last != first + 1 or match[2] == " und ", paragraph  # never "2025 bis 2026"
        # several years share one amount "jährlich"; "keine Kosten" needs no such word
        assert ("jährlich" in paragraph) == (last > first and "keine Kosten" not in paragraph)
        for year in range(first, last + 1):
            assert year not in found, (year, paragraphs)
            found[year] = paragraph
    assert sorted(found) == [year.year for year in result.years], paragraphs
    return found


def filled(result: Result, year: int) -> int:
    """Posts filled in some month of the year, from their start and end (not from the cost)."""
    return sum(
        p.start.year <= year and (p.end is None or p.end.year >= year)
        for p in result.scenario.positions
    )


def shown(value: float) -> Decimal:
    """An amount as the sentences state it, signed: under 50 € to the cent, else to 100 €."""
    exact = cents(value)
    return exact if abs(exact) < 50 else hundred(value).copy_sign(exact)


def sentence_key(year: Year, covered: bool, posts: int) -> tuple[object, ...]:
    """What a year's sentence says besides the year, from the stated rules: the kind (from the
    Eigenanteil in cents), the Deckung, the amount as shown and, for a year without cost,
    whether none, one or several posts are filled."""
    exact = cents(year.eigenanteil)
    kind = "mehrkosten" if exact > 0 else "ueberschuss" if exact < 0 else "keine"
    if kind != "keine":
        return kind, covered, shown(year.eigenanteil), None
    if cents(year.personalaufwand) > 0:
        return kind, covered, shown(year.personalaufwand), None
    return kind, covered, None, min(posts, 2)


def check_grouping(paragraphs: list[str], result: Result) -> None:
    """Two consecutive years share a sentence exactly when their sentences would be equal."""
    sentences = year_paragraphs(paragraphs, result)
    offset = result.scenario.offset_years
    keys = [
        sentence_key(year, year.year in offset, filled(result, year.year)) for year in result.years
    ]
    for before, after, key_before, key_after in zip(
        result.years, result.years[1:], keys, keys[1:], strict=False
    ):
        together = sentences[before.year] == sentences[after.year]
        assert together == (key_before == key_after), (before.year, after.year, paragraphs)


# --- checking the figures ----------------------------------------------------------------------


def check_table(rows: list[list[str]], result: Result) -> None:
    """The budget table: Aufwand (Personal- und Sachaufwand), Förderung, Eigenanteil, Deckung,
    Haushaltsbelastung per year, and their sums."""
    check_rows(rows, result, TABLE_AMOUNTS)


def check_full_cost_table(rows: list[list[str]], result: Result) -> None:
    """The full-cost table: Personalaufwand, Sachaufwand, Gemeinkosten, Vollkosten and the
    Eigenanteil at full cost per year, and their sums."""
    check_rows(rows, result, FULL_COST_AMOUNTS)


def check_rows(rows: list[list[str]], result: Result, columns: tuple[str, ...]) -> None:
    expected = [
        [str(year.year), *(cents(year_amount(year, key)) for key in columns)]
        for year in result.years
    ]
    if len(result.years) > 1:
        totals = [cents(sum(year_amount(year, key) for year in result.years)) for key in columns]
        expected.append(["Summe", *totals])
    got = [[row[0], *(amount(cell.removesuffix(" €")) for cell in row[1:])] for row in rows]
    assert got == expected


def year_amount(year: Year, key: str) -> float:
    """A year's amount by name; "aufwand" is Personal- plus Sachaufwand."""
    if key == "aufwand":
        return year.personalaufwand + year.sachaufwand
    return float(getattr(year, key))


def expected_rund(kind: str, year_amounts: dict[str, float]) -> float:
    """The amount a year's sentence rounds: the Eigenanteil, or the cost when funding covers it."""
    if kind == "keine":
        return year_amounts["personalaufwand"] + year_amounts["sachaufwand"]
    return year_amounts["eigenanteil"]


def check_sentences(paragraphs: list[str], result: Result) -> None:
    sentences = year_paragraphs(paragraphs, result)
    context = render.context(result)
    for row in context["years"]:
        sentence = sentences[row["year"]]
        figures = EURO.findall(sentence)
        value = expected_rund(row["kind"], row)
        assert "Zuwendungsbescheid" not in sentence  # said once, after the years
        if row["kind"] == "keine" and round(value, 2) == 0:
            assert figures == [] and "keine Kosten" in sentence
            # occupancy comes from the posts' months, never from a cost of 0 €
            posts = filled(result, row["year"])
            assert ("keine Stelle besetzt" in sentence) == (posts == 0), sentence
            assert ("keine Personalkosten angesetzt" in sentence) == (posts > 0), sentence
            continue
        if abs(round(value, 2)) < 50:  # too small to round to hundreds: shown exactly
            assert figures == [("", german.number(abs(value)))], sentence
        else:
            assert [(word, amount(figure)) for word, figure in figures] == [
                ("rund ", hundred(value))
            ], sentence
        if row["kind"] == "mehrkosten" and row["covered"]:
            assert "durch unterjährig nicht besetzte Stellen gedeckt" in sentence
        elif row["kind"] == "mehrkosten":
            assert "im Haushalt veranschlagt" in sentence
        elif row["kind"] == "ueberschuss":
            assert "Überschuss" in sentence
        else:
            assert "vollständig durch die Förderung gedeckt" in sentence


def check_all_prose_figures(paragraphs: list[str], result: Result) -> None:
    """Every amount, VZÄ and other number after the table comes from the model or the scenario."""
    scenario = result.scenario
    figures = [year_amount(year, key) for year in result.years for key in ("aufwand", *AMOUNTS)]
    figures += [sum(year_amount(year, key) for year in result.years) for key in AMOUNTS]
    figures += [variant.differenz for variant in result.sensitivity]  # "Sensitivität"
    rounded = {hundred(value) for value in figures}
    exact = {cents(abs(value)) for value in figures}
    fte = {german.vzae(position.fte) for position in scenario.positions}
    if scenario.funding.fte_cap is not None:
        fte.add(german.vzae(scenario.funding.fte_cap))
    text = "\n".join(paragraphs)
    assert FOOTNOTE in text  # the rounding rule is stated beside the sentences
    small = FOOTNOTE + SMALL in text
    assert small or FOOTNOTE + ALL_ROUNDED in text
    text = text.replace(FOOTNOTE + (SMALL if small else ALL_ROUNDED), "")
    # the exception for amounts under 50 € is stated exactly when such an amount is shown
    assert small == any(not word for word, _ in EURO.findall(text)), text
    for name in sorted({position.name for position in scenario.positions}, key=len, reverse=True):
        text = text.replace(plain(name), "")
    for variant in result.sensitivity:  # a variant's name: "Förderung je VZÄ 10 % niedriger"
        text = text.replace(plain(variant.label), "")
    for word, figure in EURO.findall(text):
        if word:
            assert amount(figure) in rounded, figure
        else:
            assert "," in figure and amount(figure) in exact, figure
    for figure in VZAE.findall(text):
        assert f"{figure} VZÄ" in fte
    rest = VZAE.sub("", EURO.sub("", text))
    years = {str(year) for year in range(scenario.first_year, scenario.last_year + 1)}
    months = {str(p.start.year) for p in scenario.positions}
    months |= {str(p.end.year) for p in scenario.positions if p.end}
    # a graded post names its grade and the Stufe it holds from a month ("S 12, Stufe 1 ab …")
    for p in (p for p in scenario.positions if p.grading):
        months |= {*re.findall(r"\d+", p.grading.grade), str(p.grading.step)}
        months.add(str(p.grading.step_since.year))
    assert set(re.findall(r"\d+", rest)) <= years | months, rest


def check_total_and_notice(paragraphs: list[str], result: Result) -> None:
    """The total says it is the exact sum, rounded, when the rounded years add up otherwise;
    the Zuwendungsbescheid is mentioned once, in a paragraph of its own, if a year has a surplus.
    """
    surplus = any(round(year.eigenanteil, 2) < 0 for year in result.years)
    assert paragraphs.count(GRANT_NOTICE) == surplus
    assert sum("Zuwendungsbescheid" in p for p in paragraphs) == surplus
    total = [p for p in paragraphs if p.startswith("Im Zeitraum ")]
    if len(result.years) == 1:
        assert total == []
        return
    (sentence,) = total
    exact = sum(year.haushaltsbelastung for year in result.years)
    differs = sum(shown(year.haushaltsbelastung) for year in result.years) != shown(exact)
    assert (ROUNDING_NOTE in sentence) == (differs and cents(exact) != 0), sentence


def texts(path: Path, templates: Path | None = None) -> tuple[Result, str, str]:
    result = compute(load_scenario(path))
    rendered = render_texts(result, templates)
    assert sorted(rendered) == [f"{path.stem}.{HTML_NAME}", f"{path.stem}.{TXT_NAME}"]
    return result, rendered[f"{path.stem}.{HTML_NAME}"], rendered[f"{path.stem}.{TXT_NAME}"]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- every shipped scenario and valid case -----------------------------------------------------


SCENARIOS = scenario_files()


def test_there_are_scenarios_to_check() -> None:
    assert len(SCENARIOS) >= 15


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_html_figures_equal_the_model(path: Path) -> None:
    result, text, _ = texts(path)
    rows, paragraphs = html_parts(text)
    check_table(rows, result)
    if result.scenario.full_cost:
        check_full_cost_table(html_page(text).tables[1][1:], result)
    check_sentences(paragraphs, result)
    check_grouping(paragraphs, result)
    check_all_prose_figures(paragraphs, result)
    check_total_and_notice(paragraphs, result)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_txt_figures_equal_the_model(path: Path) -> None:
    result, _, text = texts(path)
    rows, paragraphs = txt_parts(text)
    check_table(rows, result)
    tables, _ = txt_tables(text)
    assert len(tables) == 1 + result.scenario.full_cost
    if result.scenario.full_cost:
        check_full_cost_table(tables[1], result)
    check_sentences(paragraphs, result)
    check_grouping(paragraphs, result)
    check_all_prose_figures(paragraphs, result)
    check_total_and_notice(paragraphs, result)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_txt_lines_fit_and_the_table_is_aligned(path: Path) -> None:
    _, _, text = texts(path)
    lines = text.split("\n")
    assert max(len(line) for line in lines) <= 100
    table = [line for line in lines if re.match(r"^(\d{4}|Summe) ", line)]
    assert table and len({len(line) for line in table}) == 1  # right-aligned columns
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in lines)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_html_is_a_german_document_with_a_table(path: Path) -> None:
    result, text, _ = texts(path)
    assert text.startswith('<!DOCTYPE html>\n<html lang="de">')
    assert '<meta charset="utf-8">' in text
    graded = result.scenario.graded  # then a table of the Personalaufwand by account
    full_cost = result.scenario.full_cost  # then a table of the full cost
    for tag in ("<caption", "<thead>", "<tbody>", "</table>"):
        assert text.count(tag) == 1 + graded + full_cost, tag
    cells = re.findall(r"<td style=\"([^\"]*)\">", text)
    accounts = 3 * len(result.years) if graded else 0
    rows = len(result.years) + (len(result.years) > 1)
    assert len(cells) == 5 * rows * (1 + full_cost) + accounts
    assert all("text-align: right" in style for style in cells)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_stellenplan_names_every_position(path: Path) -> None:
    result, text, plain_text = texts(path)
    _, paragraphs = html_parts(text)
    items = [p for p in paragraphs if " VZÄ ab " in p]
    assert len(items) == len(result.scenario.positions)
    for item, position in zip(items, result.scenario.positions, strict=True):
        funded = "gefördert" if position.funded else "nicht gefördert"
        end = f" bis {german.month(position.end)}" if position.end else ""
        vzae = german.vzae(position.fte)
        grading = position.grading
        pay = (
            f", TVöD {grading.grade}, Stufe {grading.step} ab {german.month(grading.step_since)}"
            if grading
            else ""
        )
        start = german.month(position.start)
        expected = f"{position.name}: {vzae} ab {start}{end}{pay}, {funded}"
        assert item == plain(expected)
        assert f"- {plain(expected)}" in plain(plain_text)


# --- by hand -----------------------------------------------------------------------------------


def test_one_vzae_from_january_2025_by_hand() -> None:
    _, text, plain_text = texts(SHIPPED / "vzae-1.000-ab-2025-01.toml")
    for paragraphs in (html_parts(text)[1], txt_parts(plain_text)[1]):
        # 80.000 € cost − 57.000 € funding = 23.000 € in each of 2025–2028, said once;
        # no post filled in 2024
        assert (
            "Für 2025 bis 2028 entstehen jährlich Mehrkosten von rund 23.000 €, die im Haushalt "
            "veranschlagt werden." in paragraphs
        )
        assert "Für 2024 entstehen keine Kosten, da in diesem Jahr keine Stelle besetzt ist." in (
            paragraphs
        )
        assert (
            "Im Zeitraum 2024–2028 belastet die Maßnahme den Haushalt insgesamt mit rund "
            "92.000 €." in paragraphs
        )
        item = "Case Management KIM: 1,0 VZÄ ab Januar 2025, gefördert"
        assert item in paragraphs or f"- {item}" in paragraphs


def test_one_vzae_from_october_2024_by_hand() -> None:
    _, text, plain_text = texts(SHIPPED / "vzae-1.000-ab-2024-10.toml")
    rows, paragraphs = txt_parts(plain_text)
    # 2024: three months of 80.000 € and 57.000 € a year; the Eigenanteil is covered
    assert rows[0] == ["2024", "20.000,00 €", "14.250,00 €", "5.750,00 €", "5.750,00 €", "0,00 €"]
    total = ["Summe", "340.000,00 €", "242.250,00 €", "97.750,00 €", "5.750,00 €", "92.000,00 €"]
    assert rows[-1] == total
    expected = (
        "Für 2024 entstehen Mehrkosten von rund 5.800 €; sie werden im laufenden "
        "Personalhaushalt durch unterjährig nicht besetzte Stellen gedeckt und belasten den "
        "Haushalt nicht zusätzlich."
    )
    assert expected in paragraphs  # 5.750 € rounds half up to 5.800 €
    assert expected in html_parts(text)[1]


def test_share_of_1173_vzae_by_hand() -> None:
    _, _, plain_text = texts(SHIPPED / "vzae-1.173-ab-2024-10.toml")
    paragraphs = txt_parts(plain_text)[1]
    # 1,173 × (80.000 − 57.000) € = 26.979 € a year; 2024 a quarter of it, 6.744,75 €
    assert [p for p in paragraphs if p.startswith("Für ")] == [
        "Für 2024 entstehen Mehrkosten von rund 6.700 €; sie werden im laufenden "
        "Personalhaushalt durch unterjährig nicht besetzte Stellen gedeckt und belasten den "
        "Haushalt nicht zusätzlich.",
        "Für 2025 bis 2028 entstehen jährlich Mehrkosten von rund 27.000 €, die im Haushalt "
        "veranschlagt werden.",
    ]
    assert "Gefördert werden höchstens 1,173 VZÄ." in paragraphs


def test_funding_above_cost_is_a_surplus_by_hand() -> None:
    result, _, plain_text = texts(VALID / "funding_above_cost.toml")
    rows, paragraphs = txt_parts(plain_text)
    assert rows == [["2025", "48.000,00 €", "57.000,00 €", "-9.000,00 €", "0,00 €", "-9.000,00 €"]]
    assert year_paragraphs(paragraphs, result)[2025].startswith(
        "Für 2025 übersteigt die Förderung den Personalaufwand um rund 9.000 € (Überschuss); "
        "der Haushalt wird insoweit entlastet."
    )


def test_funding_capped_at_cost_has_no_extra_cost_by_hand() -> None:
    _, _, plain_text = texts(VALID / "cap_at_cost.toml")
    assert (
        "Für 2025 wird der Personalaufwand von rund 48.000 € vollständig durch die Förderung "
        "gedeckt; Mehrkosten entstehen nicht." in txt_parts(plain_text)[1]
    )


def test_small_amount_is_shown_exactly(tmp_path: Path) -> None:
    text = MINIMAL.replace("annual_cost_per_fte = 80000", "annual_cost_per_fte = 57120")
    _, page, plain_text = texts(write(tmp_path / "small.toml", text))
    for paragraphs in (html_parts(page)[1], txt_parts(plain_text)[1]):
        # 3 months × 120 € / 12 = 30 €: "rund 0 €" would mislead
        assert (
            "Für 2024 entstehen Mehrkosten von 30,00 €, die im Haushalt veranschlagt werden."
            in paragraphs
        )
        # … and the footnote must not claim that every amount is rounded to 100 €
        assert (
            "Beträge im Text gerundet auf volle 100 € (ab 50 € aufgerundet), Beträge unter 50 € "
            "genau; die Tabelle zeigt alle Beträge genau." in paragraphs
        )


def test_footnote_without_small_amounts_states_only_the_rounding() -> None:
    _, page, plain_text = texts(SHIPPED / "vzae-1.000-ab-2024-10.toml")
    expected = (
        "Beträge im Text gerundet auf volle 100 € (ab 50 € aufgerundet); die Tabelle zeigt sie "
        "genau."
    )
    assert expected in html_parts(page)[1]
    assert expected in txt_parts(plain_text)[1]
    assert "volle 100\u00a0€ (ab 50\u00a0€" in plain_text  # never "100 / €" when wrapped


def test_total_says_it_is_rounded_from_the_exact_sum_by_hand() -> None:
    _, page, plain_text = texts(SHIPPED / "vzae-1.173-ab-2025-01.toml")
    for paragraphs in (html_parts(page)[1], txt_parts(plain_text)[1]):
        # 1,173 × 23.000 € = 26.979 € a year, "rund 27.000 €" each; 4 × 26.979 € = 107.916 €
        assert (
            "Für 2025 bis 2028 entstehen jährlich Mehrkosten von rund 27.000 €, die im Haushalt "
            "veranschlagt werden." in paragraphs
        )
        assert (
            "Im Zeitraum 2024–2028 belastet die Maßnahme den Haushalt insgesamt mit rund "
            "107.900 € (Summe der genauen Jahresbeträge; die Summe der gerundeten Jahresbeträge "
            "weicht rundungsbedingt ab)." in paragraphs
        )


# --- consecutive years with the same sentence, said once --------------------------------------


def year_row(
    year: int,
    eigenanteil: float,
    *,
    covered: bool = False,
    personalaufwand: float = 80000.0,
    filled: int = 1,
) -> dict[str, object]:
    """A `years` entry as the templates get it, written by hand."""
    kind = "mehrkosten" if eigenanteil > 0 else "ueberschuss" if eigenanteil < 0 else "keine"
    return {
        "year": year,
        "personalaufwand": personalaufwand,
        "aufwand": personalaufwand,
        "foerderung": personalaufwand - eigenanteil,
        "eigenanteil": eigenanteil,
        "deckung": eigenanteil if covered else 0.0,
        "haushaltsbelastung": 0.0 if covered else eigenanteil,
        "covered": covered,
        "kind": kind,
        "filled": filled,
    }


def spans(years: list[dict[str, object]]) -> list[tuple[object, object]]:
    """(first_year, last_year) of each group; each group holds exactly its years, in order."""
    groups = render.group_years(years)
    assert [row for group in groups for row in group["years"]] == years
    for group in groups:
        assert [row["year"] for row in group["years"]] == list(
            range(group["first_year"], group["last_year"] + 1)
        )
    return [(group["first_year"], group["last_year"]) for group in groups]


def test_group_years_joins_consecutive_years_with_the_same_rounded_amount() -> None:
    years = [
        year_row(2024, 6744.75, covered=True),  # rund 6.700 €, covered
        year_row(2025, 26979.0),  # rund 27.000 €
        year_row(2026, 26979.0),
        year_row(2027, 27040.0),  # 27.040 € is still "rund 27.000 €"
        year_row(2028, 27050.0),  # 27.050 € rounds up to 27.100 €
    ]
    assert spans(years) == [(2024, 2024), (2025, 2027), (2028, 2028)]


def test_group_years_keeps_apart_what_the_sentence_says_differently() -> None:
    assert spans([]) == []
    # the same amount, once covered and once not
    assert spans([year_row(2025, 23000.0, covered=True), year_row(2026, 23000.0)]) == [
        (2025, 2025),
        (2026, 2026),
    ]
    # Mehrkosten and a surplus of the same size
    assert spans([year_row(2025, 9000.0), year_row(2026, -9000.0)]) == [(2025, 2025), (2026, 2026)]
    # a gap in the calendar
    assert spans([year_row(2025, 23000.0), year_row(2027, 23000.0)]) == [
        (2025, 2025),
        (2027, 2027),
    ]
    # under 50 € the sentence shows cents: 30,00 € and 30,01 € differ, 30,004 € is 30,00 €
    small = [year_row(2025, 30.0), year_row(2026, 30.004), year_row(2027, 30.01)]
    assert spans(small) == [(2025, 2026), (2027, 2027)]


def test_group_years_without_cost_by_the_posts_filled() -> None:
    years = [
        year_row(2024, 0.0, personalaufwand=0.0, filled=0),  # no post filled
        year_row(2025, 0.0, personalaufwand=0.0, filled=0),
        year_row(2026, 0.0, personalaufwand=0.0, filled=1),  # "die … besetzte Stelle"
        year_row(2027, 0.0, personalaufwand=0.0, filled=2),  # "die … besetzten Stellen"
        year_row(2028, 0.0, personalaufwand=0.0, filled=3),
        year_row(2029, 0.0, personalaufwand=48000.0),  # cost fully funded: rund 48.000 €
        year_row(2030, 0.0, personalaufwand=48020.0),
        year_row(2031, 0.0, personalaufwand=48060.0),  # rund 48.100 €
    ]
    assert spans(years) == [(2024, 2025), (2026, 2026), (2027, 2028), (2029, 2030), (2031, 2031)]


def year_sentences(page: str, plain_text: str) -> list[str]:
    """The year sentences ("Für …"), the same in the HTML and the plain text."""
    found = [
        [p for p in paragraphs if p.startswith("Für ")]
        for paragraphs in (html_parts(page)[1], txt_parts(plain_text)[1])
    ]
    assert found[0] == found[1]
    return found[0]


def test_two_years_with_the_same_amount_share_a_sentence(tmp_path: Path) -> None:
    _, page, plain_text = texts(write(tmp_path / "two.toml", MINIMAL))
    # 2024: three months of 80.000 − 57.000 €, 5.750 €; 2025 and 2026: 23.000 € each
    assert year_sentences(page, plain_text) == [
        "Für 2024 entstehen Mehrkosten von rund 5.800 €, die im Haushalt veranschlagt werden.",
        "Für 2025 und 2026 entstehen jährlich Mehrkosten von rund 23.000 €, die im Haushalt "
        "veranschlagt werden.",
    ]


def test_only_the_same_rounded_amount_joins(tmp_path: Path) -> None:
    text = MINIMAL.replace("last_year = 2026", "last_year = 2027")
    text = text.replace(
        "annual_cost_per_fte = 80000",
        "annual_cost_per_fte = 80000\nincreases = [\n"
        '  { from = "2026-01", percent = 0.05 },\n  { from = "2027-01", percent = 0.1 },\n]',
    )
    _, page, plain_text = texts(write(tmp_path / "steps.toml", text))
    # cost 2026: 80.000 × 1,0005 = 80.040 €, Eigenanteil 23.040 € (rund 23.000 €, as 2025);
    # 2027: 80.040 × 1,001 = 80.120,04 €, Eigenanteil 23.120,04 € (rund 23.100 €)
    rows = txt_parts(plain_text)[0]
    assert [row[3] for row in rows] == [
        "5.750,00 €",
        "23.000,00 €",
        "23.040,00 €",
        "23.120,04 €",
        "74.910,04 €",
    ]
    assert year_sentences(page, plain_text) == [
        "Für 2024 entstehen Mehrkosten von rund 5.800 €, die im Haushalt veranschlagt werden.",
        "Für 2025 und 2026 entstehen jährlich Mehrkosten von rund 23.000 €, die im Haushalt "
        "veranschlagt werden.",
        "Für 2027 entstehen Mehrkosten von rund 23.100 €, die im Haushalt veranschlagt werden.",
    ]
    # 5.800 + 2 × 23.000 + 23.100 = 74.900 €, as the exact sum rounds: no rounding note
    assert (
        "Im Zeitraum 2024–2027 belastet die Maßnahme den Haushalt insgesamt mit rund 74.900 €."
        in txt_parts(plain_text)[1]
    )


def test_covered_and_uncovered_years_are_said_apart(tmp_path: Path) -> None:
    text = MINIMAL.replace('start = "2024-10"', 'start = "2024-01"')
    text += "\n[offset]\nyears = [2025]\n"
    _, page, plain_text = texts(write(tmp_path / "covered.toml", text))
    # 23.000 € in every year; only 2025 is covered
    assert year_sentences(page, plain_text) == [
        "Für 2024 entstehen Mehrkosten von rund 23.000 €, die im Haushalt veranschlagt werden.",
        "Für 2025 entstehen Mehrkosten von rund 23.000 €; sie werden im laufenden "
        "Personalhaushalt durch unterjährig nicht besetzte Stellen gedeckt und belasten den "
        "Haushalt nicht zusätzlich.",
        "Für 2026 entstehen Mehrkosten von rund 23.000 €, die im Haushalt veranschlagt werden.",
    ]


def test_covered_years_share_a_sentence(tmp_path: Path) -> None:
    text = MINIMAL.replace('start = "2024-10"', 'start = "2025-01"')
    text += "\n[offset]\nyears = [2025, 2026]\n"
    _, page, plain_text = texts(write(tmp_path / "covered.toml", text))
    assert year_sentences(page, plain_text) == [
        "Für 2024 entstehen keine Kosten, da in diesem Jahr keine Stelle besetzt ist.",
        "Für 2025 und 2026 entstehen jährlich Mehrkosten von rund 23.000 €; sie werden im "
        "laufenden Personalhaushalt durch unterjährig nicht besetzte Stellen gedeckt und "
        "belasten den Haushalt nicht zusätzlich.",
    ]


def test_years_without_a_post_share_a_sentence(tmp_path: Path) -> None:
    text = MINIMAL.replace('start = "2024-10"', 'start = "2026-01"')
    _, page, plain_text = texts(write(tmp_path / "late.toml", text))
    assert year_sentences(page, plain_text) == [
        "Für 2024 und 2025 entstehen keine Kosten, da in diesen Jahren keine Stelle besetzt ist.",
        "Für 2026 entstehen Mehrkosten von rund 23.000 €, die im Haushalt veranschlagt werden.",
    ]


def test_years_of_a_post_without_cost_share_a_sentence(tmp_path: Path) -> None:
    text = MINIMAL.replace('start = "2024-10"', 'start = "2024-01"')
    text = text.replace("annual_cost_per_fte = 80000", "annual_cost_per_fte = 0")
    text = text.replace("rate_per_fte = 57000", "rate_per_fte = 57000\ncap_at_cost = true")
    _, page, plain_text = texts(write(tmp_path / "free.toml", text))
    assert year_sentences(page, plain_text) == [
        "Für 2024 bis 2026 entstehen keine Kosten, da für die in diesen Jahren besetzte Stelle "
        "keine Personalkosten angesetzt sind."
    ]


def test_years_with_cost_covered_by_funding_share_a_sentence(tmp_path: Path) -> None:
    text = MINIMAL.replace('start = "2024-10"', 'start = "2024-01"')
    text = text.replace("annual_cost_per_fte = 80000", "annual_cost_per_fte = 48000")
    text = text.replace("rate_per_fte = 57000", "rate_per_fte = 57000\ncap_at_cost = true")
    _, page, plain_text = texts(write(tmp_path / "capped.toml", text))
    # funding capped at the cost of 48.000 € a year: no Eigenanteil
    assert year_sentences(page, plain_text) == [
        "Für 2024 bis 2026 wird der Personalaufwand von jährlich rund 48.000 € vollständig durch "
        "die Förderung gedeckt; Mehrkosten entstehen nicht."
    ]


def test_filled_post_without_cost_is_not_called_vacant(tmp_path: Path) -> None:
    text = MINIMAL.replace('start = "2024-10"', 'start = "2025-01"')
    text = text.replace("annual_cost_per_fte = 80000", "annual_cost_per_fte = 0")
    text = text.replace("rate_per_fte = 57000", "rate_per_fte = 57000\ncap_at_cost = true")
    text += '\n[[positions]]\nname = "Verwaltung"\nfte = 0.5\nstart = "2026-11"\n'
    result, page, plain_text = texts(write(tmp_path / "free.toml", text))
    assert all(year.personalaufwand == 0 for year in result.years)
    for paragraphs in (html_parts(page)[1], txt_parts(plain_text)[1]):
        sentences = year_paragraphs(paragraphs, result)
        assert sentences[2024] == (
            "Für 2024 entstehen keine Kosten, da in diesem Jahr keine Stelle besetzt ist."
        )
        assert sentences[2025] == (
            "Für 2025 entstehen keine Kosten, da für die in diesem Jahr besetzte Stelle keine "
            "Personalkosten angesetzt sind."
        )
        assert sentences[2026] == (
            "Für 2026 entstehen keine Kosten, da für die in diesem Jahr besetzten Stellen keine "
            "Personalkosten angesetzt sind."
        )


def test_grant_notice_is_given_once_for_several_surplus_years(tmp_path: Path) -> None:
    text = MINIMAL.replace("annual_cost_per_fte = 80000", "annual_cost_per_fte = 48000")
    _, page, plain_text = texts(write(tmp_path / "surplus.toml", text))
    # 48.000 − 57.000 € = −9.000 € a year; 2024 three months of it, −2.250 €
    assert [row[3] for row in txt_parts(plain_text)[0]] == [
        "-2.250,00 €",
        "-9.000,00 €",
        "-9.000,00 €",
        "-20.250,00 €",
    ]
    for paragraphs in (html_parts(page)[1], txt_parts(plain_text)[1]):
        assert [p for p in paragraphs if p.startswith("Für ")] == [
            "Für 2024 übersteigt die Förderung den Personalaufwand um rund 2.300 € (Überschuss); "
            "der Haushalt wird insoweit entlastet.",
            "Für 2025 und 2026 übersteigt die Förderung den Personalaufwand jährlich um rund "
            "9.000 € (Überschuss); der Haushalt wird insoweit entlastet.",
        ]
        assert sum("Zuwendungsbescheid" in p for p in paragraphs) == 1
        assert GRANT_NOTICE in paragraphs


def test_month_and_year_are_never_split_across_lines(tmp_path: Path) -> None:
    # the name puts "Dezember" at the end of a 96-character line: a plain space breaks there
    name = "Case Management " + "x" * 37
    text = MINIMAL.replace('name = "Case Management"', f'name = "{name}"')
    text = text.replace('start = "2024-10"', 'start = "2024-10"\nend = "2033-12"')
    line = f"- {name}: 1,0 VZÄ ab Oktober 2024 bis Dezember 2033, gefördert"
    assert line.index(" 2033") <= 96 < line.index(" 2033") + len(" 2033,")
    _, page, plain_text = texts(write(tmp_path / "long.toml", text))
    assert "\n  Dezember\u00a02033, gefördert\n" in plain_text  # wrapped before the month
    assert not any(line.endswith("Dezember") for line in plain_text.split("\n"))
    item = f"<li>{name}: 1,0\u00a0VZÄ ab Oktober\u00a02024 bis Dezember\u00a02033, gefördert</li>"
    assert item in page


def test_ended_and_unfunded_positions(tmp_path: Path) -> None:
    text = MINIMAL + (
        '\n[[positions]]\nname = "Verwaltung"\nfte = 0.25\nstart = "2025-02"\nend = "2026-06"\n'
        "funded = false\n"
    )
    _, _, plain_text = texts(write(tmp_path / "two.toml", text))
    paragraphs = txt_parts(plain_text)[1]
    assert "- Case Management: 1,0 VZÄ ab Oktober 2024, gefördert" in paragraphs
    assert "- Verwaltung: 0,25 VZÄ ab Februar 2025 bis Juni 2026, nicht gefördert" in paragraphs


# --- escaping ----------------------------------------------------------------------------------


def test_html_escapes_scenario_text(tmp_path: Path) -> None:
    title = '<script>alert("x")</script> & Co'
    text = MINIMAL.replace('title = "KIM"', f'title = """{title}"""\nreference = "<b>1</b>"')
    text = text.replace('name = "Case Management"', 'name = "<i>Case</i>"')
    _, page, plain_text = texts(write(tmp_path / "script.toml", text))
    assert "<script" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in page
    assert f"<strong>{html.escape(title, quote=True).replace('&quot;', '&#34;')}</strong>" in page
    assert "<li>&lt;i&gt;Case&lt;/i&gt;: 1,0\u00a0VZÄ" in page
    # plain text is not HTML: the title stays as written
    assert f"\n{title}\n" in plain_text
    assert "- <i>Case</i>: 1,0\u00a0VZÄ" in plain_text


def test_formula_looking_text_stays_literal() -> None:
    path = VALID / "formula_looking_text.toml"
    result, page, plain_text = texts(path)
    title = result.scenario.title
    assert title.startswith("=HYPERLINK(")
    assert f"\n{title}\n" in plain_text
    assert "+cmd|' /C calc'!A0, Vorlage @SUM(1)" in plain_text
    assert f"<strong>{html.escape(title)}</strong>".replace("&quot;", "&#34;") in page
    assert "- -1+2: 1,0\u00a0VZÄ ab Januar\u00a02025, gefördert" in plain_text


# --- [budget] ----------------------------------------------------------------------------------


BUDGET = """
[budget]
product = "05.01.01 Hilfen für Flüchtlinge"
expense_account = "5012"
income_account = "04143"
"""


def test_budget_keys_parse_and_show(tmp_path: Path) -> None:
    result, page, plain_text = texts(write(tmp_path / "budget.toml", MINIMAL + BUDGET))
    assert result.scenario.budget == Budget("05.01.01 Hilfen für Flüchtlinge", "5012", "04143")
    assert "\nProdukt:        05.01.01 Hilfen für Flüchtlinge\n" in plain_text
    assert "\nAufwandskonto:  5012 (Personalaufwand)\n" in plain_text
    assert "\nErtragskonto:   04143 (Förderung)\n" in plain_text
    assert "Produkt: 05.01.01 Hilfen für Flüchtlinge<br>" in page
    assert "Ertragskonto: 04143 (Förderung)<br>" in page


def test_budget_is_optional(tmp_path: Path) -> None:
    result, page, plain_text = texts(write(tmp_path / "none.toml", MINIMAL))
    assert result.scenario.budget == Budget(None, None, None)
    assert "Produkt" not in page + plain_text and "konto" not in page + plain_text


def test_budget_keys_each_optional(tmp_path: Path) -> None:
    text = MINIMAL + '\n[budget]\nexpense_account = " 5012 "\n'
    result, _, plain_text = texts(write(tmp_path / "one.toml", text))
    assert result.scenario.budget == Budget(expense_account="5012")
    assert "Produkt" not in plain_text and "Ertragskonto" not in plain_text


def test_budget_account_as_number_says_to_quote_it(tmp_path: Path) -> None:
    path = write(tmp_path / "n.toml", MINIMAL + "\n[budget]\nincome_account = 4143\n")
    with pytest.raises(ScenarioErrors) as raised:
        load_scenario(path, display="n.toml")
    assert str(raised.value) == (
        "n.toml: budget.income_account: must be text of 3–10 digits, got number 4143; write it "
        'in quotes: income_account = "4143"'
    )


# --- the context -------------------------------------------------------------------------------


def test_context_has_exactly_the_documented_variables() -> None:
    result = compute(load_scenario(SHIPPED / "vzae-1.000-ab-2024-10.toml"))
    context = render.context(result)
    assert set(context) == CONTEXT_KEYS
    assert context["years"][0] == {
        "year": 2024,
        "personalaufwand": 20000.0,
        "foerderung": 14250.0,
        "eigenanteil": 5750.0,
        "deckung": 5750.0,
        "haushaltsbelastung": 0.0,
        "sachaufwand": 0.0,
        "aufwand": 20000.0,
        "gemeinkosten": 0.0,
        "vollkosten": 20000.0,
        "eigenanteil_vollkosten": 5750.0,
        "covered": True,
        "kind": "mehrkosten",
        "filled": 1,
        "accounts": [],
    }
    assert context["positions"] == [
        {
            "name": "Case Management KIM",
            "fte": 1.0,
            "start": date(2024, 10, 1),
            "end": None,
            "funded": True,
            "annual_cost": 80000.0,
            "grade": None,
            "step": None,
            "step_since": None,
        }
    ]
    assert context["funding"] == {
        "rate_per_fte": 57000.0,
        "max_fte": 1.173,
        "cap_at_cost": False,
        "percent_of_cost": None,
        "covers_material": False,
        "end": None,
    }
    assert context["full_cost"] is False
    assert context["without_funding"] is None
    assert context["continues_after_horizon"] is True


def documented(text: str) -> Iterator[str]:
    """Variables named in a documentation text, as words."""
    yield from (key for key in sorted(CONTEXT_KEYS) if re.search(rf"\b{key}\b", text))


@pytest.mark.parametrize("name", render.TEMPLATE_NAMES)
def test_every_variable_is_documented_in_each_template(name: str) -> None:
    text = (DEFAULT_TEMPLATES / name).read_text(encoding="utf-8")
    header = text[: text.index("#}")]
    assert list(documented(header)) == sorted(CONTEXT_KEYS)
    assert render.__doc__ is not None
    assert list(documented(render.__doc__)) == sorted(CONTEXT_KEYS)


# --- replacing the templates -------------------------------------------------------------------


@pytest.fixture
def custom(tmp_path: Path) -> Path:
    """A copy of the shipped templates to change."""
    folder = tmp_path / "vorlagen"
    shutil.copytree(DEFAULT_TEMPLATES, folder)
    return folder


def replace(folder: Path, name: str, text: str) -> Path:
    return write(folder / f"finanzielle-auswirkungen.{name}.j2", text)


def test_shipped_templates_check() -> None:
    check_templates(None)
    check_templates(DEFAULT_TEMPLATES)


def test_custom_templates_are_used(custom: Path) -> None:
    wording = "{% for y in years %}\n{{ y.year }}: ca. {{ y.eigenanteil|rund }}\n{% endfor %}"
    replace(custom, "txt", wording)
    replace(custom, "html", "<p>{{ title }}: {{ years[1].eigenanteil|euro }}</p>\n")
    check_templates(custom)
    _, page, plain_text = texts(SHIPPED / "vzae-1.000-ab-2024-10.toml", custom)
    assert plain_text == (
        "2024: ca. 5.800\u00a0€\n2025: ca. 23.000\u00a0€\n2026: ca. 23.000\u00a0€\n"
        "2027: ca. 23.000\u00a0€\n2028: ca. 23.000\u00a0€\n"
    )
    assert page == "<p>1,0 VZÄ Case Management KIM ab Oktober 2024: 23.000,00\u00a0€</p>\n"


def error(folder: Path, check: bool = False) -> TemplateError:
    """The error of checking or of rendering with `folder`; rendering returns nothing."""
    result = compute(load_scenario(SHIPPED / "vzae-1.000-ab-2024-10.toml"))
    with pytest.raises(TemplateError) as raised:
        if check:
            check_templates(folder)
        else:
            render_texts(result, folder)
    assert isinstance(raised.value, OutputError)
    return raised.value


@pytest.mark.parametrize("check", [True, False], ids=["check", "render"])
def test_syntax_error_names_template_and_line(custom: Path, check: bool) -> None:
    path = replace(custom, "html", "<p>\n{{ title }}\n{% if years %}\n<p>{{ title }</p>\n")
    raised = error(custom, check)
    assert (raised.template, raised.line) == (str(path), 4)
    assert str(raised) == f"{path}: line 4: unexpected '}}'"


@pytest.mark.parametrize("check", [True, False], ids=["check", "render"])
def test_unknown_variable_names_template_and_line(custom: Path, check: bool) -> None:
    path = replace(custom, "txt", "Haushalt\n{% if false %}\n{{ titel }}\n{% endif %}\n")
    raised = error(custom, check)
    assert str(raised) == f'{path}: line 3: unknown variable "titel"; did you mean "title"?'


def test_unknown_key_names_template_and_line(custom: Path) -> None:
    path = replace(custom, "txt", "{% for y in years %}\n\n{{ y.jahr }}\n{% endfor %}\n")
    check_templates(custom)  # a key of a row is known only when rendering
    raised = error(custom)
    assert (raised.template, raised.line) == (str(path), 3)
    assert str(raised) == (
        f"{path}: line 3: unknown variable or key: 'dict object' has no attribute 'jahr' "
        f"(rendering {SHIPPED / 'vzae-1.000-ab-2024-10.toml'})"
    )


def test_filter_misuse_names_template_and_line(custom: Path) -> None:
    path = replace(custom, "html", "<p>\n{{ title|euro }}\n</p>\n")
    raised = error(custom)
    assert (raised.template, raised.line) == (str(path), 2)
    assert "TypeError" in raised.problem


def test_sandbox_refuses_python_internals(custom: Path) -> None:
    path = replace(custom, "txt", "{{ title.__class__.__mro__ }}\n")
    raised = error(custom)
    assert (raised.template, raised.line) == (str(path), 1)
    assert "unsafe" in raised.problem


def test_missing_template(custom: Path) -> None:
    (custom / "finanzielle-auswirkungen.txt.j2").unlink()
    raised = error(custom, check=True)
    assert raised.template == str(custom / "finanzielle-auswirkungen.txt.j2")
    assert raised.problem.startswith(
        "missing; a templates folder needs finanzielle-auswirkungen.html.j2 and "
        "finanzielle-auswirkungen.txt.j2"
    )


def test_missing_folder(tmp_path: Path) -> None:
    raised = error(tmp_path / "nope", check=True)
    assert str(raised) == f"{tmp_path / 'nope'}: no such folder; expected a templates folder"


def test_template_not_utf8(custom: Path) -> None:
    (custom / "finanzielle-auswirkungen.html.j2").write_bytes(b"<p>Gr\xfc\xdfe</p>\n")
    raised = error(custom)
    assert raised.problem == "not UTF-8 text; save it as UTF-8"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_table_figures_equal_the_workbook_cache(path: Path, tmp_path: Path) -> None:
    """The texts' table shows, to the cent, what the workbook caches for each year."""
    workbook = tmp_path / "book.xlsx"
    workbook.write_bytes(workbook_bytes(load_scenario(path)))
    book = openpyxl.load_workbook(workbook, data_only=True)

    def cached(name: str) -> float:
        ((sheet, cell),) = book.defined_names[name].destinations
        value = book[sheet][cell.replace("$", "")].value
        assert isinstance(value, int | float), name
        return value

    def shown(row: list[str]) -> list[Decimal]:
        return [amount(cell.removesuffix(" €")) for cell in row[1:]]

    _, _, plain_text = texts(path)
    tables, _ = txt_tables(plain_text)
    for row in (row for row in tables[0] if row[0] != "Summe"):
        year = row[0]
        eigenanteil = cached(f"Eigenanteil_{year}")
        belastung = cached(f"Haushaltsbelastung_{year}")
        workbook_figures = [
            cached(f"Personalaufwand_{year}") + cached(f"Sachaufwand_{year}"),  # Aufwand
            cached(f"Foerderung_{year}"),
            eigenanteil,
            eigenanteil - belastung,  # Deckung
            belastung,
        ]
        assert shown(row) == [cents(figure) for figure in workbook_figures], year
    for row in (row for table in tables[1:] for row in table if row[0] != "Summe"):
        names = ("Personalaufwand", "Sachaufwand", "Gemeinkosten", "Vollkosten")
        workbook_figures = [cached(f"{name}_{row[0]}") for name in names]
        workbook_figures.append(cached(f"Eigenanteil_Vollkosten_{row[0]}"))
        assert shown(row) == [cents(figure) for figure in workbook_figures], row[0]


def test_graded_scenario_states_its_accounts_and_grade(tmp_path: Path) -> None:
    """S 12, Stufe 3 since 2024-01, 1.0 VZÄ in 2025 (the worked check in test_tvoed): per
    account, by hand, Entgelte 59,730.48 €, Versorgungskasse 7.75 % = 4,629.11 €,
    Sozialversicherung 20.95 % = 12,513.54 €."""
    text = (
        'title = "S 12"\n[horizon]\nfirst_year = 2025\nlast_year = 2025\n'
        '[[positions]]\nname = "Case Management"\nfte = 1.0\nstart = "2025-01"\n'
        'grade = "S 12"\nstep = 3\nstep_since = "2024-01"\n[funding]\nrate_per_fte = 57000\n'
    )
    result, page, plain_text = texts(write(tmp_path / "s12.toml", text))
    accounts = render.context(result)["years"][0]["accounts"]
    assert [(a["name"], a["account"]) for a in accounts] == [
        ("Entgelte", "5012"),
        ("Versorgungskasse", "5022"),
        ("Sozialversicherung", "5032"),
    ]
    assert [a["amount"] for a in accounts] == pytest.approx([59730.48, 4629.11, 12513.54], abs=0.01)
    amounts = ("59.730,48\u00a0€", "4.629,11\u00a0€", "12.513,54\u00a0€")
    assert "2025 " + "".join(f"{amount:>30}" for amount in amounts) + "\n" in plain_text
    assert "TVöD S 12, Stufe 3 ab Januar\u00a02024" in plain_text
    assert "(Konto 5022)" in page
