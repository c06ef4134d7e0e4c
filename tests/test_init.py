"""`kim-budget init`: a starter scenario file that is valid, builds, and never replaces a file.

Figures by hand: 1,0 VZÄ × 80.000 € cost against 57.000 € KIM funding a year leaves an
Eigenanteil of 23.000 € for every full year; 1,173 VZÄ × (82.000 € − 57.000 €) = 29.325 € a
year, October–December = 3/12 of it = 7.331,25 €.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hostile import run

from kim_budget.cli import main
from kim_budget.loader import load_scenario
from kim_budget.pipeline import build

NAME = "szenario.toml"
ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "docs" / "sources.md"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, the current one."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def init(*args: str) -> Result:
    return CliRunner().invoke(main, ["init", *args])


def eigenanteil(scenario: Path, out: Path) -> dict[int, float]:
    """The Eigenanteil per Haushaltsjahr of the scenario's built workbook, in cents."""
    (workbook,) = [o for o in build([scenario], out) if o.path.suffix == ".xlsx"]
    assert workbook.result is not None
    return {year.year: round(year.eigenanteil, 2) for year in workbook.result.years}


def test_default_file_validates_and_builds(folder: Path) -> None:
    done = init()
    assert done.exit_code == 0, done.output
    start = date.today().year + 1
    assert done.output == (
        f"{NAME}: Szenario geschrieben (1,0 VZÄ Case Management KIM ab Januar {start})\n"
        f"Weiter: kim-budget build {NAME}\n"
    )
    scenario = load_scenario(folder / NAME)
    assert (scenario.first_year, scenario.last_year) == (start, start + 4)
    assert scenario.municipality is None
    # a full year at 1,0 VZÄ: 80.000 € − 57.000 € = 23.000 €, five Haushaltsjahre
    assert eigenanteil(folder / NAME, folder / "out") == {
        year: 23_000.0 for year in range(start, start + 5)
    }
    built = sorted(path.name for path in (folder / "out").iterdir())
    assert built == [
        "szenario.finanzielle-auswirkungen.html",
        "szenario.finanzielle-auswirkungen.txt",
        "szenario.xlsx",
    ]


def test_every_key_is_explained_in_german(folder: Path) -> None:
    assert init().exit_code == 0
    text = (folder / NAME).read_text(encoding="utf-8")
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"[a-z_]+ = ", line):  # a key: its note beside it or just above it
            assert "#" in line or lines[number - 1].startswith("#"), line
    assert "mit der Kämmerei" in text and "Annahmen" in text
    assert "Vorlage 3360/VIII" in text
    assert {"What 'ca. 80 T€' means", "Funding per VZÄ"} <= cited_sections(text)
    assert not re.search(r"(^|[\s(\"'])/[a-z]", text), "no path of a machine"
    assert max(len(line) for line in lines) <= 100


def cited_sections(text: str) -> set[str]:
    """The sections of docs/sources.md the comments cite; each must be one of its headings."""
    comments = " ".join(line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line)
    cited = {
        section
        for group in re.findall(r'docs/sources\.md, ((?:"[^"]+",? ?)+)', comments)
        for section in re.findall(r'"([^"]+)"', group)
    }
    headings = re.findall(r"^#+ (.+)$", SOURCES.read_text(encoding="utf-8"), re.MULTILINE)
    known = {heading.replace('"', "'") for heading in headings}  # quoted inside a quote
    assert cited <= known, cited - known
    return cited


def test_options_are_honoured(folder: Path) -> None:
    done = init(
        "kim.toml",
        "--municipality",
        "Stadt Siegburg",
        "--fte",
        "1.173",
        "--start",
        "2024-10",
        "--annual-cost",
        "82000",
        "--first-year",
        "2024",
        "--last-year",
        "2026",
    )
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0] == (
        "kim.toml: Szenario geschrieben (1,173 VZÄ Case Management KIM ab Oktober 2024)"
    )
    scenario = load_scenario(folder / "kim.toml")
    assert scenario.municipality == "Stadt Siegburg"
    (position,) = scenario.positions
    assert (position.fte, position.start) == (1.173, date(2024, 10, 1))
    assert scenario.cost.annual_cost_per_fte == 82_000
    # 1,173 × (82.000 € − 57.000 €) = 29.325 € a year; October–December 3/12 of it
    assert eigenanteil(folder / "kim.toml", folder / "out") == {
        2024: 7_331.25,
        2025: 29_325.0,
        2026: 29_325.0,
    }


def test_graded_post_is_priced_from_the_pay_tables(folder: Path) -> None:
    """The same post as scenarios/vzae-1.000-ab-2024-10-tvoed.toml (S 12, Stufe 1 from October
    2024), so the Eigenanteil is the README's table of that scenario."""
    args = ["--grade", "S 12", "--step", "1", "--start", "2024-10", "--first-year", "2024"]
    done = init(*args)
    assert done.exit_code == 0, done.output
    text = (folder / NAME).read_text(encoding="utf-8")
    assert "annual_cost_per_fte" not in text
    assert {"Pay tables (TVöD VKA)", "Employer on-costs"} <= cited_sections(text)
    data = tomllib.loads(text)
    assert data["positions"][0]["grade"] == "S 12" and data["positions"][0]["step"] == 1
    shares = eigenanteil(folder / NAME, folder / "out")
    rounded = {year: round(amount) for year, amount in shares.items()}
    assert rounded == {2024: 2_040, 2025: 10_879, 2026: 16_929, 2027: 18_930, 2028: 23_497}


def test_grade_without_step_starts_in_stufe_1(folder: Path) -> None:
    assert init("--grade", "S 11b").exit_code == 0
    (position,) = load_scenario(folder / NAME).positions
    assert position.grading is not None
    assert (position.grading.grade, position.grading.step) == ("S 11b", 1)


def test_municipality_text_stays_one_string(folder: Path) -> None:
    name = 'Stadt "Süd" \\ Nord'
    done = init("--municipality", name)
    assert done.exit_code == 0, done.output
    text = (folder / NAME).read_text(encoding="utf-8")
    assert "municipality = " + r'"Stadt \"Süd\" \\ Nord"' in text
    data = tomllib.loads(text)
    assert data["municipality"] == name
    keys = ["cost", "funding", "horizon", "municipality", "offset", "positions", "title"]
    assert sorted(data) == keys


def test_characters_that_turn_a_line_are_written_escaped(folder: Path) -> None:
    name = "Stadt \u202eNord\u2028Süd"  # a right-to-left override and a line separator
    assert init("--municipality", name).exit_code == 0
    text = (folder / NAME).read_text(encoding="utf-8")
    assert 'municipality = "Stadt \\u202ENord\\u2028Süd"' in text
    assert "\u202e" not in text and "\u2028" not in text
    assert load_scenario(folder / NAME).municipality == name


@pytest.mark.parametrize(
    "name",
    ["Neu\nstadt", 'X"\n[funding]\nrate_per_fte = 99000\n#', "Bonn\\\n[cost]"],
    ids=["line break", "a table after a quote", "a backslash and a table"],
)
def test_a_line_break_in_the_municipality_is_refused(folder: Path, name: str) -> None:
    done = init("--municipality", name)
    assert done.exit_code == 1
    lines = done.output.splitlines()
    assert lines[0].startswith(f"Error: {NAME}: --municipality: must not contain control")
    assert lines[-1] == "1 problem found; nothing was written."
    assert list(folder.iterdir()) == []


def test_an_existing_file_is_never_replaced(folder: Path) -> None:
    before = b"title = 'mein Szenario'\n# von Hand geschrieben\n"
    (folder / NAME).write_bytes(before)
    done = init("--fte", "2.0")
    assert done.exit_code == 1
    assert done.output == (
        f"Error: {NAME}: exists; not replaced (choose another name or remove the file)\n"
    )
    assert (folder / NAME).read_bytes() == before
    assert sorted(path.name for path in folder.iterdir()) == [NAME]


def test_a_link_by_that_name_is_left_alone(folder: Path) -> None:
    (folder / NAME).symlink_to(folder / "nirgends.toml")
    assert init().exit_code == 1
    assert (folder / NAME).is_symlink() and not (folder / "nirgends.toml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fte", "-1"], "--fte: must be > 0 and ≤ 20, got -1.0"),
        (["--fte", "25"], "--fte: must be > 0 and ≤ 20, got 25.0"),
        (
            ["--start", "2026-13"],
            '--start: must be a month "YYYY-MM" or a TOML date, got "2026-13"',
        ),
        (["--grade", "S12"], '--grade: unknown grade "S12"; known grades: S 11b, S 12, S 14, '),
        (["--grade", "S 12", "--step", "7"], "--step: must be ≥ 1 and ≤ 6, got 7"),
        (["--step", "3"], "--step: only with --grade"),
        (["--grade", "S 12", "--annual-cost", "78000"], "--annual-cost: not with --grade"),
        (["--annual-cost", "80.000"], "--annual-cost: must be 0 or at least 1,000 €"),
        (["--first-year", "1999"], "--first-year: must be ≥ 2000 and ≤ 2100, got 1999"),
        (["--first-year", "2030", "--last-year", "2029"], "--last-year: must be ≥ first_year"),
        (["--municipality", "M" * 101], "--municipality: must be at most 100 characters"),
        (["--start", "2040-01", "--first-year", "2030"], "--start: lies entirely outside"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_an_invalid_option_is_named_and_nothing_is_written(
    folder: Path, args: list[str], message: str
) -> None:
    done = init(NAME, *args)
    assert done.exit_code == 1, done.output
    first, *_, last = done.output.splitlines()
    assert first.startswith(f"Error: {NAME}: {message}"), done.output
    assert last == "1 problem found; nothing was written."
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("szenario.txt", "a scenario file's name ends in .toml"),
        ("Szenarienvergleich.toml", "the name Szenarienvergleich.toml is reserved"),
    ],
)
def test_a_name_build_cannot_use_is_refused(folder: Path, name: str, message: str) -> None:
    done = init(name)
    assert done.exit_code == 1
    assert done.output.startswith(f"Error: {name}: {message}")
    assert list(folder.iterdir()) == []


def test_a_new_folder_is_made(folder: Path) -> None:
    assert init("kreis/bonn.toml").exit_code == 0
    assert load_scenario(folder / "kreis" / "bonn.toml").title.startswith("1,0 VZÄ")


def test_a_read_only_folder_gives_one_message(tmp_path: Path) -> None:
    """As a user without root's rights: the message says why, nothing is left behind."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        done = run(["init"], locked, as_user=True)
        assert done.status == 1, done.output
        assert done.output == f"Error: {NAME}: cannot write: Permission denied\n"
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_the_readmes_examples_work(folder: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = list(  # each once: `kim-budget init` shows twice, and the second would refuse
        dict.fromkeys(
            tuple(shlex.split(line.split(" # ")[0]))
            for line in readme.splitlines()
            if line.startswith("kim-budget init")
        )
    )
    assert len(commands) >= 4
    for command in commands:
        done = init(*command[2:])
        assert done.exit_code == 0, f"{command}: {done.output}"
        load_scenario(folder / (command[2] if len(command) > 2 else NAME))
    refused = init("noch-eine.toml", "--fte", "25")
    shown = refused.output.splitlines()[0].replace("noch-eine.toml", "bonn.toml")
    assert f"({shown})" in readme.replace("`", "").replace("\n", " ")
