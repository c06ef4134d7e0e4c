"""Loading scenario files.

Every failure kind has one file under `cases/invalid/`; its first lines are comments
`# expect: FILE: <message>`, one for each message the file must produce, in order, with FILE
standing for the file's name. A file under `cases/valid/` states the warnings it must give the
same way (`# warning: FILE: <message>`); one without such lines must give none.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from kim_budget.errors import ScenarioErrors
from kim_budget.loader import load_scenario, load_scenarios
from kim_budget.scenario import (
    Cost,
    Funding,
    Increase,
    Position,
    Scenario,
    Share,
)
from kim_budget.validate import display_key

INVALID = Path(__file__).parent / "cases" / "invalid"
INVALID_CASES = sorted(INVALID.glob("*.toml"))
VALID = Path(__file__).parent / "cases" / "valid"
VALID_CASES = sorted(VALID.glob("*.toml"))
EXPECT = b"# expect: FILE"
WARNING = b"# warning: FILE"

MINIMAL = """\
title = "KIM"

[horizon]
first_year = 2024
last_year = 2028

[[positions]]
name = "Case Management"
fte = 1.0
start = "2024-10"

[cost]
annual_cost_per_fte = 80000

[funding]
rate_per_fte = 57000
"""

FULL = """\
title = "  1,0 VZÄ ab Oktober 2024  "
municipality = "Stadt Siegburg"
reference = "3360/VIII"
description = "Zwei Stellen, eine davon ohne Förderung."

[horizon]
first_year = 2024
last_year = 2028

[[positions]]
name = "Case Management KIM"
fte = 1
start = "2024-10"
end = 2026-12-31

[[positions]]
name = "Verwaltung"
fte = 0.5
start = 2023-01-15
annual_cost = 60000.5
funded = false

[cost]
annual_cost_per_fte = 80000
increases = [
  { from = "2026-03", percent = 2.5 },
  { from = 2025-04-01, percent = 3 },
]

[funding]
rate_per_fte = 57000
cap_at_cost = true
increases = [{ from = "2025-01", percent = -1.5 }]

[funding.share]
population = 41978
district_population = 608335
district_fte = 17

[offset]
years = [2026, 2024]
"""


def expected_lines(case: Path, prefix: bytes = EXPECT) -> list[str]:
    """The `# expect: ` (or other `prefix`) lines at the top of a case, with the case's file
    name for FILE."""
    lines = []
    for line in case.read_bytes().splitlines():
        if not line.startswith(prefix):
            break
        lines.append(case.name + line.removeprefix(prefix).decode("utf-8"))
    return lines


def messages(error: pytest.ExceptionInfo[ScenarioErrors]) -> list[str]:
    return str(error.value).splitlines()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- invalid files -----------------------------------------------------------------------------


def test_every_invalid_case_states_its_messages() -> None:
    assert len(INVALID_CASES) > 40
    assert [case.name for case in INVALID_CASES if not expected_lines(case)] == []


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda case: case.stem)
def test_invalid_case(case: Path) -> None:
    with pytest.raises(ScenarioErrors) as raised:
        load_scenario(case, display=case.name)
    assert messages(raised) == expected_lines(case)


def test_error_carries_file_key_and_problem() -> None:
    with pytest.raises(ScenarioErrors) as raised:
        load_scenario(INVALID / "fte_negative.toml", display="scenarios/b.toml")
    [error] = raised.value.errors
    assert (error.file, error.key, error.problem) == (
        "scenarios/b.toml",
        "positions[0].fte",
        "must be > 0 and ≤ 20, got -1",
    )
    assert (
        str(error) == "scenarios/b.toml: positions[0] (Stelle 1).fte: must be > 0 and ≤ 20, got -1"
    )


def test_file_is_named_as_given_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "scenarios" / "b.toml", MINIMAL.replace("fte = 1.0", "fte = -1"))
    with pytest.raises(ScenarioErrors) as raised:
        load_scenario(Path("scenarios/b.toml"))
    assert messages(raised) == [
        "scenarios/b.toml: positions[0] (Stelle 1).fte: must be > 0 and ≤ 20, got -1"
    ]


# --- number habits --------------------------------------------------------------------------


def load_problems(tmp_path: Path, text: str) -> list[str]:
    """The messages of a scenario file with `text`, named x.toml."""
    with pytest.raises(ScenarioErrors) as raised:
        load_scenario(write(tmp_path / "x.toml", text), display="x.toml")
    return messages(raised)


@pytest.mark.parametrize(
    ("line", "written", "fix"),
    [
        ("rate_per_fte = 1.500", "1.500 reads as 1.5 €", "write 1500 or 1_500"),
        ("rate_per_fte = +999.999", "999.999 reads as 999.999 €", "write 999999 or 999_999"),
        ("rate_per_fte=57.000#Pauschale", "57.000 reads as 57 €", "write 57000 or 57_000"),
    ],
)
def test_thousands_point_is_named_with_the_fix(
    tmp_path: Path, line: str, written: str, fix: str
) -> None:
    text = MINIMAL.replace("rate_per_fte = 57000", line)
    assert load_problems(tmp_path, text) == [
        f"x.toml: funding.rate_per_fte: {written}; TOML has no thousands separator: {fix}"
    ]


def test_thousands_point_in_a_dotted_key(tmp_path: Path) -> None:
    text = MINIMAL.replace("[funding]\nrate_per_fte = 57000\n", "").replace(
        "[horizon]", "funding.rate_per_fte = 57.000\n\n[horizon]"
    )
    assert load_problems(tmp_path, text) == [
        "x.toml: funding.rate_per_fte: 57.000 reads as 57 €; TOML has no thousands separator: "
        "write 57000 or 57_000"
    ]


@pytest.mark.parametrize(
    ("written", "read"),
    [("57", "57"), ("57.0", "57.0"), ("57.00", "57.0"), ("5.7e1", "57.0"), ("0.500", "0.5")],
)
def test_small_amount_without_three_decimals_names_the_limit(
    tmp_path: Path, written: str, read: str
) -> None:
    text = MINIMAL.replace("annual_cost_per_fte = 80000", f"annual_cost_per_fte = {written}")
    assert load_problems(tmp_path, text) == [
        "x.toml: cost.annual_cost_per_fte: must be 0 or at least 1,000 € per VZÄ and year, "
        f"got {read}; write the whole amount in euros, e.g. 80000"
    ]


def test_each_position_is_judged_by_how_it_was_written(tmp_path: Path) -> None:
    second = '\n[[positions]]\nname = "B"\nfte = 1.0\nstart = "2024-10"\nannual_cost = 78.000\n'
    text = MINIMAL.replace('start = "2024-10"', 'start = "2024-10"\nannual_cost = 500', 1).replace(
        "\n[cost]", second + "\n[cost]"
    )
    assert load_problems(tmp_path, text) == [
        "x.toml: positions[0] (Stelle 1).annual_cost: must be 0 or at least 1,000 € per VZÄ and "
        "year, got 500; write the whole amount in euros, e.g. 80000",
        "x.toml: positions[1] (Stelle 2).annual_cost: 78.000 reads as 78 €; TOML has no "
        "thousands separator: write 78000 or 78_000",
    ]


def test_amounts_of_0_and_from_1000_are_allowed(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("annual_cost_per_fte = 80000", "annual_cost_per_fte = 1000")
        .replace("rate_per_fte = 57000", "rate_per_fte = 0.000")
        .replace('start = "2024-10"', 'start = "2024-10"\nannual_cost = 1_000.000')
    )
    scenario = load_scenario(write(tmp_path / "edge.toml", text))
    assert (scenario.cost.annual_cost_per_fte, scenario.funding.rate_per_fte) == (1000.0, 0.0)
    assert (scenario.positions[0].annual_cost, scenario.warnings) == (1000.0, ())


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        ("fte = 1,173", "fte = 1.173"),
        ("annual_cost = 80.000,00 €", "annual_cost = 80000.00"),
        ("annual_cost = 57000 EUR  # laut Vorlage, 1,0 VZÄ", "annual_cost = 57000"),
        ("annual_cost = 57.000 Euro", "annual_cost = 57000"),
        ('name = "1,0 VZÄ für 80 %" fte = 1,0', 'name = "1,0 VZÄ für 80 %" fte = 1.0'),
    ],
)
def test_syntax_error_with_a_german_number_shows_the_line_fixed(
    tmp_path: Path, line: str, fixed: str
) -> None:
    text = MINIMAL.replace("fte = 1.0", line)
    [problem] = load_problems(tmp_path, text)
    assert problem.startswith("x.toml: TOML syntax error at line 9, column ")
    assert problem.endswith(f"; use a decimal point and no unit: {fixed}")


def test_syntax_error_with_a_percent_sign_in_an_increase(tmp_path: Path) -> None:
    increases = 'increases = [\n  { from = "2025-04", percent = 3 % },\n]\n'
    text = MINIMAL.replace(
        "annual_cost_per_fte = 80000\n", "annual_cost_per_fte = 80000\n" + increases
    )
    [problem] = load_problems(tmp_path, text)
    assert problem.startswith("x.toml: TOML syntax error at line 15, column 35: ")
    assert problem.endswith('; use a decimal point and no unit: { from = "2025-04", percent = 3 },')


def test_syntax_error_without_a_german_number_has_no_hint(tmp_path: Path) -> None:
    text = MINIMAL.replace('title = "KIM"', 'title = "KIM 1,0 VZÄ 80 %')
    assert load_problems(tmp_path, text) == [
        "x.toml: TOML syntax error at line 1, column 26: Illegal character '\\n'"
    ]


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("positions[0].fte", "positions[0] (Stelle 1).fte"),
        ("positions[11]", "positions[11] (Stelle 12)"),
        ("cost.increases[1].from", "cost.increases[1] (Kostensteigerung 2).from"),
        ("funding.increases[0].percent", "funding.increases[0] (Förderanpassung 1).percent"),
        ("offset.years[0]", "offset.years[0]"),
        ("positions", "positions"),
        ("funding.share.population", "funding.share.population"),
        ("", ""),
    ],
)
def test_display_key_counts_positions_and_increases_from_1(path: str, shown: str) -> None:
    assert display_key(path) == shown


def test_zero_byte_file_is_empty(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_bytes(b"")
    with pytest.raises(ScenarioErrors) as raised:
        load_scenario(tmp_path / "x.toml", display="x.toml")
    assert messages(raised) == [
        "x.toml: file is empty; a scenario needs at least title, [horizon], [[positions]] and "
        "[funding]"
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioErrors) as raised:
        load_scenario(tmp_path, display="folder.toml")
    assert messages(raised) == ["folder.toml: is a folder, not a regular file; name a file"]


# --- valid files -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VALID_CASES, ids=lambda case: case.stem)
def test_valid_case_gives_its_warnings(case: Path) -> None:
    scenario = load_scenario(case, display=case.name)
    assert [str(warning) for warning in scenario.warnings] == expected_lines(case, WARNING)


def test_some_valid_case_states_warnings() -> None:
    assert [case.name for case in VALID_CASES if expected_lines(case, WARNING)] != []


def test_position_without_cost_is_built_at_0() -> None:
    scenario = load_scenario(VALID / "zero_cost_and_fraction_percent.toml")
    position = scenario.positions[1]
    assert (position.name, position.annual_cost, scenario.annual_cost(position)) == (
        "Abordnung vom Kreis",
        0.0,
        0.0,
    )


def test_percent_below_half_a_percent_is_a_warning_at_its_plain_key(tmp_path: Path) -> None:
    increases = (
        'increases = [{ from = "2025-01", percent = 0.5 }, { from = "2026-01", percent = -0.49 }]\n'
    )
    text = MINIMAL.replace("rate_per_fte = 57000\n", "rate_per_fte = 57000\n" + increases)
    scenario = load_scenario(write(tmp_path / "w.toml", text), display="w.toml")
    [warning] = scenario.warnings
    assert (warning.file, warning.key) == ("w.toml", "funding.increases[1].percent")
    assert warning.problem == "-0.49 means -0.49 %; for -49 % write -49.0"
    assert [i.percent for i in scenario.funding.increases] == [0.5, -0.49]


def test_full_scenario(tmp_path: Path) -> None:
    path = write(tmp_path / "full.toml", FULL)
    assert load_scenario(path) == Scenario(
        path=path,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        title="1,0 VZÄ ab Oktober 2024",
        municipality="Stadt Siegburg",
        reference="3360/VIII",
        description="Zwei Stellen, eine davon ohne Förderung.",
        first_year=2024,
        last_year=2028,
        positions=(
            Position("Case Management KIM", 1.0, date(2024, 10, 1), date(2026, 12, 1), None, True),
            Position("Verwaltung", 0.5, date(2023, 1, 1), None, 60000.5, False),
        ),
        # Sorted by month; each keeps its place in the file's list.
        cost=Cost(
            80000.0, (Increase(date(2025, 4, 1), 3.0, 1), Increase(date(2026, 3, 1), 2.5, 0))
        ),
        funding=Funding(
            rate_per_fte=57000.0,
            max_fte=None,
            share=Share(41978, 608335, 17.0),
            cap_at_cost=True,
            increases=(Increase(date(2025, 1, 1), -1.5, 0),),
        ),
        offset_years=(2024, 2026),
    )


def test_minimal_scenario_defaults(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path / "minimal.toml", MINIMAL))
    assert (scenario.municipality, scenario.reference, scenario.description) == (None, None, None)
    assert scenario.positions == (
        Position("Case Management", 1.0, date(2024, 10, 1), None, None, funded=True),
    )
    assert scenario.cost == Cost(80000.0, ())
    assert scenario.funding == Funding(57000.0, None, None, cap_at_cost=False, increases=())
    assert scenario.offset_years == ()
    assert scenario.stem == "minimal"


def test_toml_date_counts_as_its_month(tmp_path: Path) -> None:
    text = MINIMAL.replace('start = "2024-10"', "start = 2024-10-15\nend = 2025-02-28")
    [position] = load_scenario(write(tmp_path / "d.toml", text)).positions
    assert (position.start, position.end) == (date(2024, 10, 1), date(2025, 2, 1))


def test_cost_table_optional_when_every_position_has_annual_cost(tmp_path: Path) -> None:
    text = MINIMAL.replace("[cost]\nannual_cost_per_fte = 80000\n", "").replace(
        'start = "2024-10"', 'start = "2024-10"\nannual_cost = 78000'
    )
    scenario = load_scenario(write(tmp_path / "own_cost.toml", text))
    assert scenario.cost == Cost(None, ())
    assert scenario.annual_cost(scenario.positions[0]) == 78000.0


def test_position_may_extend_beyond_the_horizon(tmp_path: Path) -> None:
    text = MINIMAL.replace('start = "2024-10"', 'start = "2020-01"\nend = "2035-12"')
    [position] = load_scenario(write(tmp_path / "long.toml", text)).positions
    assert (position.start, position.end) == (date(2020, 1, 1), date(2035, 12, 1))


def test_max_fte_and_limits_are_inclusive(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("fte = 1.0", "fte = 20")
        .replace("last_year = 2028", "last_year = 2039")
        .replace("rate_per_fte = 57000", "rate_per_fte = 0\nmax_fte = 1.173")
        + "\n[offset]\nyears = [2039]\n"
    )
    scenario = load_scenario(write(tmp_path / "edge.toml", text))
    assert scenario.positions[0].fte == 20.0
    assert (scenario.last_year, scenario.offset_years) == (2039, (2039,))
    assert scenario.funding.fte_cap == 1.173


def test_text_and_number_limits_are_inclusive(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace('title = "KIM"', 'title = "{}"'.format("t" * 200))
        .replace(
            'name = "Case Management"', 'name = "{}"\nannual_cost = 10_000_000'.format("n" * 200)
        )
        .replace("annual_cost_per_fte = 80000", "annual_cost_per_fte = 1e7")
        .replace("rate_per_fte = 57000", "rate_per_fte = 10_000_000")
        + "\n[funding.share]\npopulation = 100_000_000\ndistrict_population = 100_000_000\n"
        + "district_fte = 1000\n"
        + '\n[budget]\nproduct = "{}"\n'.format("p" * 200)
    )
    top = 'municipality = "{}"\nreference = "{}"\ndescription = "{}"\n'.format(
        "m" * 100, "r" * 50, "d" * 1000
    )
    scenario = load_scenario(write(tmp_path / "limits.toml", top + text))
    assert [len(t or "") for t in (scenario.municipality, scenario.reference)] == [100, 50]
    assert len(scenario.description or "") == 1000
    assert (len(scenario.title), len(scenario.positions[0].name)) == (200, 200)
    assert len(scenario.budget.product or "") == 200
    assert scenario.positions[0].annual_cost == scenario.cost.annual_cost_per_fte == 1e7
    assert scenario.funding.rate_per_fte == 1e7
    assert scenario.funding.share == Share(100_000_000, 100_000_000, 1000.0)


def test_description_may_hold_tabs_and_line_breaks(tmp_path: Path) -> None:
    text = 'description = """\nErste Zeile\\r\n\tzweite Zeile\n"""\n' + MINIMAL  # \\r: a CR
    scenario = load_scenario(write(tmp_path / "lines.toml", text))
    assert scenario.description == "Erste Zeile\r\n\tzweite Zeile"


def test_surrounding_whitespace_of_one_line_text_is_stripped(tmp_path: Path) -> None:
    text = MINIMAL.replace('title = "KIM"', 'title = """\n\tKIM\n"""')
    assert load_scenario(write(tmp_path / "strip.toml", text)).title == "KIM"


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_scenario(path).title == "KIM"


# --- several files -----------------------------------------------------------------------------


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path, so paths in messages are short and relative as a user would type them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_folder_expands_to_its_toml_files_by_name(in_tmp: Path) -> None:
    for name in ("b.toml", "a.toml", "c.TOML", "sub/d.toml"):
        write(in_tmp / "scenarios" / name, MINIMAL)
    write(in_tmp / "scenarios" / "notes.txt", "not a scenario")
    scenarios = load_scenarios([Path("scenarios")])
    assert [str(s.path) for s in scenarios] == [
        "scenarios/a.toml",
        "scenarios/b.toml",
        "scenarios/c.TOML",
    ]


def test_files_keep_the_given_order(in_tmp: Path) -> None:
    write(in_tmp / "b.toml", MINIMAL)
    write(in_tmp / "folder" / "a.toml", MINIMAL)
    write(in_tmp / "c.toml", MINIMAL)
    scenarios = load_scenarios([Path("c.toml"), Path("folder"), Path("b.toml")])
    assert [s.stem for s in scenarios] == ["c", "a", "b"]


def test_same_file_twice_is_read_once(in_tmp: Path) -> None:
    write(in_tmp / "scenarios" / "a.toml", MINIMAL)
    scenarios = load_scenarios([Path("scenarios"), Path("scenarios/a.toml")])
    assert [str(s.path) for s in scenarios] == ["scenarios/a.toml"]


def test_all_problems_of_all_files_are_reported_together(in_tmp: Path) -> None:
    write(in_tmp / "scenarios" / "a.toml", MINIMAL.replace("fte = 1.0", "fte = true"))
    write(in_tmp / "scenarios" / "b.toml", MINIMAL)
    write(
        in_tmp / "scenarios" / "c.toml",
        MINIMAL.replace("rate_per", "rtae_per").replace("fte = 1.0", ""),
    )
    write(in_tmp / "empty" / "readme.txt", "")
    with pytest.raises(ScenarioErrors) as raised:
        load_scenarios([Path("scenarios"), Path("missing.toml"), Path("empty")])
    assert messages(raised) == [
        "missing.toml: no such file or folder",
        "empty: no scenario files (*.toml) in this folder",
        "scenarios/a.toml: positions[0] (Stelle 1).fte: must be a number, got boolean true",
        "scenarios/c.toml: positions[0] (Stelle 1).fte: missing; expected a number > 0 and ≤ 20",
        'scenarios/c.toml: funding.rtae_per_fte: unknown key; did you mean "rate_per_fte"?',
    ]


def test_files_writing_the_same_workbook(in_tmp: Path) -> None:
    write(in_tmp / "a" / "x.toml", MINIMAL)
    write(in_tmp / "b" / "X.toml", MINIMAL)
    with pytest.raises(ScenarioErrors) as raised:
        load_scenarios([Path("a/x.toml"), Path("b")])
    assert messages(raised) == [
        "b/X.toml: would write the same workbook as a/x.toml (file names are compared ignoring "
        "case and folder); rename one of them"
    ]


def test_missing_path(in_tmp: Path) -> None:
    with pytest.raises(ScenarioErrors) as raised:
        load_scenarios([Path("scenarios/nope.toml")])
    assert messages(raised) == ["scenarios/nope.toml: no such file or folder"]


def test_empty_folder(in_tmp: Path) -> None:
    (in_tmp / "scenarios").mkdir()
    with pytest.raises(ScenarioErrors) as raised:
        load_scenarios([Path("scenarios")])
    assert messages(raised) == ["scenarios: no scenario files (*.toml) in this folder"]


def test_no_paths() -> None:
    with pytest.raises(ScenarioErrors) as raised:
        load_scenarios([])
    assert messages(raised) == ["scenarios: none given; name a *.toml file or a folder"]
