"""`kim-budget distribute`: a district's posts split by population, funding passed on, refunds
for unfilled posts, the rounded shares, and scenario files per municipality.

Expected figures are calculated by hand here, from the district files' numbers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import engine

from kim_budget.cli import main
from kim_budget.libreoffice import cached_values, compare
from kim_budget.verify import verify_workbooks

DISTRICTS = Path(__file__).parent.parent / "districts"
TIES = """\
district = "Kreis mit gleichen Kommunen"
posts = 2
rate_per_fte = 57000
year = 2025

[[municipalities]]
name = "Aheim"
population = 1000

[[municipalities]]
name = "Bedorf"
population = 1000
filled_fte = 0.5

[[municipalities]]
name = "Ceburg"
population = 1000
filled_fte = 2
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def names(path: Path) -> dict[str, object]:
    """The cached values behind the workbook's defined names."""
    book = openpyxl.load_workbook(path, data_only=True)
    values = {}
    for name, defined in book.defined_names.items():
        sheet, cell = next(iter(defined.destinations))
        values[name] = book[sheet][cell.replace("$", "")].value
    return values


def column(path: Path, sheet: str, col: str, rows: range) -> list[object]:
    book = openpyxl.load_workbook(path, data_only=True)
    return [book[sheet][f"{col}{row}"].value for row in rows]


def test_the_2023_file_reproduces_the_papers_refund(tmp_path: Path) -> None:
    code, output = run("distribute", str(DISTRICTS / "rhein-sieg-2023.toml"), "-o", str(tmp_path))

    workbook = tmp_path / "Verteilung-rhein-sieg-2023.xlsx"
    assert code == 0, output
    # 18 × 57,000 = 1,026,000 granted; 10 filled: 570,000 used, 8 × 57,000 = 456,000 refunded.
    assert output == (
        f"{workbook}: 18,0 VZÄ, Förderung 1.026.000,00 €, weitergeleitet 570.000,00 €, "
        "Erstattung 456.000,00 €\n"
    )
    values = names(workbook)
    assert values["Stellen_gesamt"] == pytest.approx(18)
    assert values["Foerderung_gesamt"] == pytest.approx(1_026_000)
    assert values["Weitergeleitet_gesamt"] == pytest.approx(570_000)
    assert values["Erstattung_gesamt"] == pytest.approx(456_000)
    assert values["Pruefung_OK"] is True


def test_the_2025_file_gives_siegburg_the_papers_share(tmp_path: Path) -> None:
    code, output = run("distribute", str(DISTRICTS / "rhein-sieg-2025.toml"), "-o", str(tmp_path))

    assert code == 0, output
    workbook = tmp_path / "Verteilung-rhein-sieg-2025.xlsx"
    exact = column(workbook, "Verteilung", "C", range(9, 11))
    rounded = column(workbook, "Verteilung", "E", range(9, 12))
    funding = column(workbook, "Verteilung", "F", range(9, 10))
    # 17 × 41,978 / 608,335 = 713,626 / 608,335 = 1.1730806…; the rest 17 − 1.1730806…
    assert exact == [pytest.approx(1.1730806), pytest.approx(15.8269194)]
    assert rounded == [pytest.approx(1.173), pytest.approx(15.827), pytest.approx(17.0)]
    assert funding == [
        pytest.approx(66_865.60, abs=0.01)
    ]  # 1.1730806 × 57,000: the paper's 66,865 €


def test_equal_remainders_go_to_the_upper_rows_first(tmp_path: Path) -> None:
    district = tmp_path / "gleich.toml"
    district.write_text(TIES, encoding="utf-8")

    code, output = run("distribute", str(district), "-o", str(tmp_path))

    assert code == 0, output
    workbook = tmp_path / "Verteilung-gleich.xlsx"
    # 2 × 1000 / 3000 = 0.6666… VZÄ each: 666 thousandths, 2 left over for the first two rows.
    assert column(workbook, "Verteilung", "E", range(9, 13)) == [
        pytest.approx(0.667),
        pytest.approx(0.667),
        pytest.approx(0.666),
        pytest.approx(2.0),
    ]
    # Aheim: no filled_fte, passes its whole share on. Bedorf: 0.5 of 0.6666… filled, refunds
    # 0.1666… × 57,000 = 9,500. Ceburg: more filled than its share, refunds nothing.
    assert column(workbook, "Verteilung", "H", range(9, 12)) == [
        pytest.approx(38_000),
        pytest.approx(28_500),
        pytest.approx(38_000),
    ]
    assert column(workbook, "Verteilung", "I", range(9, 13)) == [
        pytest.approx(0),
        pytest.approx(9_500),
        pytest.approx(0),
        pytest.approx(9_500),
    ]


def test_invalid_district_file_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    district = tmp_path / "falsch.toml"
    district.write_text(
        'district = "Kreis"\nposts = -1\nrate_per_fte = 57.000\nyear = 2025\nsize = 3\n'
        '[[municipalities]]\nname = "A"\npopulation = 0\n'
        '[[municipalities]]\nname = "a"\npopulation = 10\nfilled_fte = -1\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"

    code, output = run("distribute", str(district), "-o", str(out))

    assert code == 1
    assert output.splitlines() == [
        f"Error: {district}: size: unknown key; allowed keys: district, reference, posts, "
        "rate_per_fte, year, population_date, municipalities",
        f"Error: {district}: posts: must be > 0 and ≤ 1000, got -1",
        f"Error: {district}: rate_per_fte: 57.000 reads as 57 €; TOML has no thousands "
        "separator: write 57000 or 57_000",
        f"Error: {district}: municipalities[0].population: must be > 0 and ≤ 100,000,000, got 0",
        f"Error: {district}: municipalities[1].filled_fte: must be ≥ 0 and ≤ 1000, got -1",
        f'Error: {district}: municipalities[1].name: "a" is already the name of municipalities[0]',
        "6 problems found; nothing was written.",
    ]
    assert not out.exists()


def test_scenarios_per_municipality_build_and_are_never_replaced(tmp_path: Path) -> None:
    scenarios, out = tmp_path / "szenarien", tmp_path / "out"
    district = str(DISTRICTS / "rhein-sieg-2025.toml")
    args = ("distribute", district, "-o", str(out), "--scenarios", str(scenarios))

    code, output = run(*args, "--start", "2025-04")

    assert code == 0, output
    siegburg = scenarios / "siegburg.toml"
    assert output.splitlines()[1:] == [f"{siegburg}: Szenario geschrieben"]
    assert sorted(p.name for p in scenarios.iterdir()) == ["siegburg.toml"]  # no remainder row
    text = siegburg.read_text(encoding="utf-8")
    assert "fte = 1.173 " in text and 'start = "2025-04"' in text
    assert "population = 41978 " in text and "district_population = 608335" in text

    code, output = run("build", str(scenarios), "-o", str(out))
    assert code == 0, output
    # April to December 2025: 9/12 × 1.173 × (80,000 − 57,000) = 20,234.25 €.
    assert output.splitlines()[0] == (
        f"{out / 'siegburg.xlsx'}: Eigenanteil 2025: 20.234,25 €, 2026: 26.979,00 €, "
        "2027: 26.979,00 €, 2028: 26.979,00 €, 2029: 26.979,00 €"
    )

    siegburg.write_text(text + "# eigene Notiz\n", encoding="utf-8")
    code, output = run(*args)
    assert code == 0
    assert f"{siegburg}: exists; left alone" in output.splitlines()
    assert siegburg.read_text(encoding="utf-8").endswith("# eigene Notiz\n")


def test_verify_knows_the_distribution_workbook(tmp_path: Path) -> None:
    for name in ("rhein-sieg-2023", "rhein-sieg-2025"):
        run("distribute", str(DISTRICTS / f"{name}.toml"), "-o", str(tmp_path))

    report = verify_workbooks([tmp_path], use_engine=False)

    assert [str(f) for f in report.findings] == []
    assert len(report.checked) == 2


@pytest.fixture(scope="module")
def district_workbooks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("districts")
    (out / "gleich.toml").write_text(TIES, encoding="utf-8")
    for path in (*sorted(DISTRICTS.glob("*.toml")), out / "gleich.toml"):
        assert run("distribute", str(path), "-o", str(out))[0] == 0
    return sorted(out.glob("*.xlsx"))


@pytest.mark.engine
@pytest.mark.parametrize("name", ["LibreOffice", "Gnumeric"])
def test_engines_confirm_every_cached_value(name: str, district_workbooks: list[Path]) -> None:
    values = engine(name)(district_workbooks)

    for path in district_workbooks:
        cached = cached_values(path)
        formulas = [cell for cell in cached if cell[0] != "Annahmen"]
        assert compare(cached, values[path], formulas) == [], path.name
    refund = next(p for p in district_workbooks if p.stem.endswith("2023"))
    assert values[refund][("Verteilung", "I10")] == pytest.approx(456_000)
    assert values[refund][("Verteilung", "F10")] == pytest.approx(1_026_000)


CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def chart_caches(path: Path) -> list[tuple[str, str, list[str]]]:
    """(kind of cache, its range, the cached texts) of every data range of every chart."""
    import zipfile
    from xml.etree import ElementTree

    found = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart")):
            root = ElementTree.fromstring(archive.read(name))
            for kind in ("strRef", "numRef"):
                for reference in root.iter(f"{CHART}{kind}"):
                    cache = reference.find(f"{CHART}{kind[:3]}Cache")
                    assert cache is not None, f"{name}: {kind} without its cache"
                    texts = [v.text or "" for v in cache.iter(f"{CHART}v")]
                    count = cache.find(f"{CHART}ptCount")
                    assert count is not None and int(count.get("val", "-1")) == len(texts)
                    found.append((kind, reference.findtext(f"{CHART}f") or "", texts))
    return found


def test_the_chart_of_the_distribution_names_the_municipalities_in_the_file(
    tmp_path: Path,
) -> None:
    """A viewer that draws from the file alone (no recalculation) shows the names."""
    run("distribute", str(DISTRICTS / "rhein-sieg-2025.toml"), "-o", str(tmp_path))
    (workbook,) = tmp_path.glob("Verteilung-*.xlsx")
    names = [kind for kind in chart_caches(workbook) if kind[0] == "strRef"]
    assert names  # the categories are texts
    sheet = openpyxl.load_workbook(workbook, data_only=True)["Verteilung"]
    for _, area, texts in names:
        cells = sheet[area.split("!")[1].replace("$", "")]
        assert texts == [row[0].value for row in cells]
        assert "Siegburg" in texts
