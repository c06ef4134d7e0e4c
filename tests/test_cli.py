"""The command line as a user meets it: `kim-budget build`, `validate` and `verify`.

Every test runs `kim_budget.cli.main` through click's CliRunner in a temporary project folder
and checks the exit status, the exact lines printed and what ended up on disk. Figures are the
council paper's (Vorlage 3360/VIII): 1,0 VZÄ × 80.000 € cost against 57.000 € funding a year,
October–December 2024 = 3/12 of a year.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner, Result
from helpers import require_engine

from kim_budget.cli import main
from kim_budget.libreoffice import libreoffice_available

TESTS = Path(__file__).parent
ROOT = TESTS.parent
SHIPPED = TESTS.parent / "scenarios"
INVALID = TESTS / "cases" / "invalid"
CLI_CASES = TESTS / "cases" / "cli"
EXPECT = b"# expect: FILE"

OLD = b"old workbook from an earlier build (not even a zip file)"

# The line `build` prints per workbook after the path, figures by hand from the council paper.
EIGENANTEIL = {
    "vzae-1.000-ab-2024-10": "Eigenanteil 2024: 5.750,00 €, 2025: 23.000,00 €, 2026: 23.000,00 €, "
    "2027: 23.000,00 €, 2028: 23.000,00 €",
    "vzae-1.000-ab-2025-01": "Eigenanteil 2024: 0,00 €, 2025: 23.000,00 €, 2026: 23.000,00 €, "
    "2027: 23.000,00 €, 2028: 23.000,00 €",
    "vzae-1.173-ab-2024-10": "Eigenanteil 2024: 6.744,75 €, 2025: 26.979,00 €, 2026: 26.979,00 €, "
    "2027: 26.979,00 €, 2028: 26.979,00 €",
    "vzae-1.173-ab-2025-01": "Eigenanteil 2024: 0,00 €, 2025: 26.979,00 €, 2026: 26.979,00 €, "
    "2027: 26.979,00 €, 2028: 26.979,00 €",
}
STEMS = sorted(EIGENANTEIL)
TEXTS = ("finanzielle-auswirkungen.html", "finanzielle-auswirkungen.txt")
TEXT_LINES = ("Finanzielle Auswirkungen (HTML)", "Finanzielle Auswirkungen (Text)")


def outputs_of(stem: str) -> list[str]:
    """The files one scenario builds: its workbook and its two council texts."""
    return [f"{stem}.xlsx", *(f"{stem}.{text}" for text in TEXTS)]


def printed(out: str, stems: list[str], eigenanteil: dict[str, str]) -> list[str]:
    """The lines `build` prints: per scenario its workbook and texts, then the comparison."""
    lines = []
    for stem in stems:
        lines.append(f"{out}/{stem}.xlsx: {eigenanteil[stem]}")
        lines += [f"{out}/{stem}.{t}: {what}" for t, what in zip(TEXTS, TEXT_LINES, strict=True)]
    if len(stems) > 1:
        lines.append(f"{out}/Szenarienvergleich.xlsx: Vergleich von {len(stems)} Szenarien")
    return lines


ALL_OUTPUTS = sorted(["Szenarienvergleich.xlsx", *(n for stem in STEMS for n in outputs_of(stem))])


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="kim-budget")


def files(folder: Path) -> dict[str, bytes]:
    """Every file directly in `folder` (hidden and temporary ones included) with its bytes."""
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def copy_case(case: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case, target)
    return target


def expected_errors(case: Path, shown_as: str) -> list[str]:
    """The hand-written `# expect: FILE: …` lines of a case, as `Error: …` lines."""
    lines = []
    for line in case.read_bytes().splitlines():
        if not line.startswith(EXPECT):
            break
        lines.append(f"Error: {shown_as}{line.removeprefix(EXPECT).decode('utf-8')}")
    assert lines, f"{case.name} states no expected messages"
    return lines


def assert_failed(result: Result, lines: list[str]) -> None:
    """Exit status 1, exactly these lines, no traceback, nothing on stdout."""
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.output.splitlines() == lines
    assert result.stdout == ""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder, the working directory, with the four shipped scenarios in scenarios/."""
    (tmp_path / "scenarios").mkdir()
    for stem in STEMS:
        shutil.copyfile(SHIPPED / f"{stem}.toml", tmp_path / "scenarios" / f"{stem}.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def old_out(project: Path) -> Path:
    """out/ holding an earlier build of every shipped scenario (any bytes)."""
    out = project / "out"
    out.mkdir()
    for stem in STEMS:
        (out / f"{stem}.xlsx").write_bytes(OLD)
    return out


# --- build -------------------------------------------------------------------------------------


def test_build_defaults_to_scenarios_folder_and_out(project: Path) -> None:
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert result.output.splitlines() == printed("out", STEMS, EIGENANTEIL)
    assert list(files(project / "out")) == ALL_OUTPUTS
    for stem in STEMS:
        assert zipfile.is_zipfile(project / "out" / f"{stem}.xlsx")


@pytest.mark.parametrize("option", ["-o", "--out"])
def test_build_folder_into_chosen_out(project: Path, option: str) -> None:
    result = run("build", "scenarios", option, "berichte/2025")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == printed("berichte/2025", STEMS, EIGENANTEIL)
    assert list(files(project / "berichte" / "2025")) == ALL_OUTPUTS
    assert not (project / "out").exists()


def test_build_explicit_files_in_given_order(project: Path) -> None:
    result = run(
        "build",
        "scenarios/vzae-1.173-ab-2024-10.toml",
        "scenarios/vzae-1.000-ab-2024-10.toml",
        "-o",
        "out",
    )
    assert result.exit_code == 0, result.output
    given = ["vzae-1.173-ab-2024-10", "vzae-1.000-ab-2024-10"]
    assert result.output.splitlines() == printed("out", given, EIGENANTEIL)
    assert result.output.splitlines()[0] == (
        "out/vzae-1.173-ab-2024-10.xlsx: Eigenanteil 2024: 6.744,75 €, 2025: 26.979,00 €, "
        "2026: 26.979,00 €, 2027: 26.979,00 €, 2028: 26.979,00 €"
    )
    assert list(files(project / "out")) == sorted(
        ["Szenarienvergleich.xlsx", *outputs_of(given[0]), *outputs_of(given[1])]
    )


def test_build_replaces_an_earlier_workbook(old_out: Path) -> None:
    result = run("build", "scenarios/vzae-1.000-ab-2024-10.toml")
    assert result.exit_code == 0, result.output
    after = files(old_out)
    # one scenario: its workbook and texts, no comparison; the other workbooks stay as they were
    assert list(after) == sorted(
        [*outputs_of("vzae-1.000-ab-2024-10"), *(f"{s}.xlsx" for s in STEMS[1:])]
    )
    assert after["vzae-1.000-ab-2024-10.xlsx"] != OLD
    assert zipfile.is_zipfile(old_out / "vzae-1.000-ab-2024-10.xlsx")
    assert [name for name, data in after.items() if data == OLD] == [
        f"{stem}.xlsx" for stem in STEMS if stem != "vzae-1.000-ab-2024-10"
    ]


def test_build_without_scenarios_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert_failed(
        result,
        ["Error: scenarios: no such file or folder", "1 problem found; nothing was written."],
    )
    assert os.listdir(tmp_path) == []


# --- validate ----------------------------------------------------------------------------------


def test_validate_defaults_to_scenarios_and_writes_nothing(project: Path) -> None:
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "scenarios/vzae-1.000-ab-2024-10.toml: OK (1,0 VZÄ Case Management KIM ab Oktober 2024)",
        "scenarios/vzae-1.000-ab-2025-01.toml: OK (1,0 VZÄ Case Management KIM ab Januar 2025)",
        "scenarios/vzae-1.173-ab-2024-10.toml: OK (1,173 VZÄ Case Management KIM ab Oktober 2024)",
        "scenarios/vzae-1.173-ab-2025-01.toml: OK (1,173 VZÄ Case Management KIM ab Januar 2025)",
    ]
    assert not (project / "out").exists()
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_validate_explicit_file(project: Path) -> None:
    result = run("validate", "scenarios/vzae-1.173-ab-2025-01.toml")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "scenarios/vzae-1.173-ab-2025-01.toml: OK (1,173 VZÄ Case Management KIM ab Januar 2025)\n"
    )
    assert not (project / "out").exists()


def test_validate_reports_problems(project: Path) -> None:
    copy_case(INVALID / "fte_negative.toml", project / "scenarios" / "kaputt.toml")
    result = run("validate")
    assert_failed(
        result,
        [
            "Error: scenarios/kaputt.toml: positions[0] (Stelle 1).fte: must be > 0 and ≤ 20, "
            "got -1",
            "1 problem found; nothing was written.",
        ],
    )
    assert not (project / "out").exists()


# --- warnings: printed, exit 0, the build goes on ----------------------------------------------

# 1,0 VZÄ through 2025; the clerk meant 3 % from July but wrote 0.03, which is 0.03 %.
FRACTION = """\
title = "Steigerung als Bruchteil"
[horizon]
first_year = 2025
last_year = 2025
[[positions]]
name = "Case Management"
fte = 1.0
start = "2025-01"
[cost]
annual_cost_per_fte = 80000
increases = [{ from = "2025-07", percent = 0.03 }]
[funding]
rate_per_fte = 57000
"""
FRACTION_WARNING = (
    "Warning: scenarios/bruchteil.toml: cost.increases[0] (Kostensteigerung 1).percent: "
    "0.03 means 0.03 %; for 3 % write 3.0"
)


def test_build_prints_warnings_and_writes_the_files(project: Path) -> None:
    (project / "scenarios" / "bruchteil.toml").write_text(FRACTION, encoding="utf-8")
    result = run("build", "scenarios/bruchteil.toml")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [FRACTION_WARNING]
    # Built as written: 6 months of 80,000 €/12 and 6 of 80,000 € × 1.0003/12 is 80,012 € cost,
    # less 57,000 € funding.
    assert result.stdout.splitlines() == [
        "out/bruchteil.xlsx: Eigenanteil 2025: 23.012,00 €",
        *(f"out/bruchteil.{t}: {what}" for t, what in zip(TEXTS, TEXT_LINES, strict=True)),
    ]
    assert list(files(project / "out")) == sorted(outputs_of("bruchteil"))


def test_validate_prints_warnings_and_succeeds(project: Path) -> None:
    (project / "scenarios" / "bruchteil.toml").write_text(FRACTION, encoding="utf-8")
    result = run("validate", "scenarios/bruchteil.toml", "scenarios/vzae-1.000-ab-2025-01.toml")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [FRACTION_WARNING]
    assert result.stdout.splitlines() == [
        "scenarios/bruchteil.toml: OK (Steigerung als Bruchteil)",
        "scenarios/vzae-1.000-ab-2025-01.toml: OK (1,0 VZÄ Case Management KIM ab Januar 2025)",
    ]
    assert not (project / "out").exists()


def test_warnings_are_not_printed_when_a_file_has_errors(project: Path) -> None:
    text = FRACTION.replace("fte = 1.0", "fte = -1")
    (project / "scenarios" / "bruchteil.toml").write_text(text, encoding="utf-8")
    result = run("build", "scenarios/bruchteil.toml")
    assert_failed(
        result,
        [
            "Error: scenarios/bruchteil.toml: positions[0] (Stelle 1).fte: must be > 0 and ≤ 20, "
            "got -1",
            "1 problem found; nothing was written.",
        ],
    )
    assert not (project / "out").exists()


# --- bad input: exit 1, exact message, nothing written -----------------------------------------

# One case per failure kind; the expected message is the case's own `# expect:` line.
FAILURE_KINDS = {
    "wrong_value": "fte_negative.toml",
    "unknown_key_did_you_mean": "unknown_key_typo.toml",
    "toml_syntax_error_line": "syntax_decimal_comma.toml",
    "thousands_point": "rate_thousands_point.toml",
    "wrong_type": "wrong_type_text_rate.toml",
    "nan": "nan_fte.toml",
    "inf": "inf_rate.toml",
    "empty_file": "empty.toml",
    "not_utf8": "not_utf8.toml",
}


@pytest.mark.parametrize("case", FAILURE_KINDS.values(), ids=FAILURE_KINDS.keys())
def test_bad_file_next_to_good_one_writes_nothing(old_out: Path, case: str) -> None:
    bad = copy_case(INVALID / case, old_out.parent / "eingang" / case)
    (old_out / f"{bad.stem}.xlsx").write_bytes(OLD)
    before = files(old_out)
    result = run("build", "scenarios/vzae-1.000-ab-2024-10.toml", f"eingang/{case}")
    assert_failed(
        result,
        [*expected_errors(bad, f"eingang/{case}"), "1 problem found; nothing was written."],
    )
    assert files(old_out) == before


def test_zero_byte_file(old_out: Path) -> None:
    (old_out.parent / "scenarios" / "leer.toml").write_bytes(b"")
    result = run("build")
    assert_failed(
        result,
        [
            "Error: scenarios/leer.toml: file is empty; a scenario needs at least title, "
            "[horizon], [[positions]] and [funding]",
            "1 problem found; nothing was written.",
        ],
    )
    assert files(old_out) == {f"{stem}.xlsx": OLD for stem in STEMS}


def test_two_files_writing_the_same_workbook(project: Path) -> None:
    shipped = SHIPPED / "vzae-1.000-ab-2024-10.toml"
    copy_case(shipped, project / "a" / "x.toml")
    copy_case(shipped, project / "b" / "x.toml")
    (project / "out").mkdir()
    (project / "out" / "x.xlsx").write_bytes(OLD)
    result = run("build", "a/x.toml", "b/x.toml")
    assert_failed(
        result,
        [
            "Error: b/x.toml: would write the same workbook as a/x.toml (file names are compared "
            "ignoring case and folder); rename one of them",
            "1 problem found; nothing was written.",
        ],
    )
    assert files(project / "out") == {"x.xlsx": OLD}


def test_empty_folder(old_out: Path) -> None:
    (old_out.parent / "leer").mkdir()
    result = run("build", "scenarios", "leer")
    assert_failed(
        result,
        [
            "Error: leer: no scenario files (*.toml) in this folder",
            "1 problem found; nothing was written.",
        ],
    )
    assert files(old_out) == {f"{stem}.xlsx": OLD for stem in STEMS}


def test_path_that_does_not_exist(old_out: Path) -> None:
    result = run("build", "scenarios", "scenarios/vzae-2.000.toml")
    assert_failed(
        result,
        [
            "Error: scenarios/vzae-2.000.toml: no such file or folder",
            "1 problem found; nothing was written.",
        ],
    )
    assert files(old_out) == {f"{stem}.xlsx": OLD for stem in STEMS}


def test_good_and_bad_files_report_every_problem_and_write_nothing(old_out: Path) -> None:
    scenarios = old_out.parent / "scenarios"
    copy_case(INVALID / "many_problems.toml", scenarios / "kaputt.toml")
    copy_case(INVALID / "wrong_type_bool_fte.toml", scenarios / "zz-kaputt.toml")
    result = run("build", "scenarios", "fehlt.toml")
    assert_failed(
        result,
        [
            "Error: fehlt.toml: no such file or folder",
            "Error: scenarios/kaputt.toml: positions[0] (Stelle 1).ftee: unknown key; "
            'did you mean "fte"?',
            "Error: scenarios/kaputt.toml: positions[0] (Stelle 1).start: must be a month "
            '"YYYY-MM" or a TOML date, got "2024-13"',
            "Error: scenarios/kaputt.toml: funding.rate_per_fte: "
            "must be ≥ 0 and ≤ 10,000,000, got -1",
            "Error: scenarios/zz-kaputt.toml: positions[0] (Stelle 1).fte: must be a number, "
            "got boolean true",
            "5 problems found; nothing was written.",
        ],
    )
    assert files(old_out) == {f"{stem}.xlsx": OLD for stem in STEMS}


# --- output folder that cannot be written ------------------------------------------------------


def test_out_below_a_regular_file(project: Path) -> None:
    (project / "notiz.txt").write_bytes(b"keep me")
    result = run("build", "scenarios/vzae-1.000-ab-2024-10.toml", "-o", "notiz.txt/out")
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.output == (
        "Error: notiz.txt/out/vzae-1.000-ab-2024-10.xlsx: cannot write: Not a directory\n"
    )
    assert (project / "notiz.txt").read_bytes() == b"keep me"
    assert sorted(os.listdir(project)) == ["notiz.txt", "scenarios"]


def test_out_is_a_regular_file(project: Path) -> None:
    (project / "notiz.txt").write_bytes(b"keep me")
    result = run("build", "scenarios/vzae-1.000-ab-2024-10.toml", "-o", "notiz.txt")
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.output == (
        "Error: notiz.txt: is a file, not a folder; name a folder for the workbooks\n"
    )
    assert (project / "notiz.txt").read_bytes() == b"keep me"
    assert sorted(os.listdir(project)) == ["notiz.txt", "scenarios"]


# --- formula-looking text stays text -----------------------------------------------------------

INJECTED = (
    '=HYPERLINK("http://example.invalid","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-1+2",
)


def test_formula_looking_text_stays_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    copy_case(CLI_CASES / "formula_text.toml", tmp_path / "formula_text.toml")
    result = run("build", "formula_text.toml")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == printed(
        "out", ["formula_text"], {"formula_text": EIGENANTEIL["vzae-1.000-ab-2024-10"]}
    )

    path = tmp_path / "out" / "formula_text.xlsx"
    formulas = openpyxl.load_workbook(path, data_only=False)
    literal: dict[str, list[str]] = {text: [] for text in INJECTED}
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                where = f"{ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str) and cell.value in literal:
                    assert cell.data_type == "s", f"{where} is {cell.data_type!r}: {cell.value}"
                    literal[cell.value].append(where)
                if cell.data_type == "f":
                    formula = str(cell.value)
                    assert "HYPERLINK" not in formula, where
                    assert "cmd|" not in formula, where
                    assert "SUM(1)" not in formula, where
    assert [text for text, where in literal.items() if not where] == []

    # Where the summary sheet repeats a text by formula, the shown (cached) value is the text.
    values = openpyxl.load_workbook(path, data_only=True)
    shown = {c.value for ws in values.worksheets for row in ws.iter_rows() for c in row}
    assert set(INJECTED) <= shown
    cover = {c.value for row in values["Übersicht"].iter_rows() for c in row}
    assert {INJECTED[0], INJECTED[1], INJECTED[2]} <= cover


# --- version and help --------------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"kim-budget, version {metadata.version('kim-budget')}\n"
    assert metadata.version("kim-budget") == "0.1.0"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_group_help(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == 0
    assert result.output.startswith("Usage: kim-budget [OPTIONS] COMMAND [ARGS]...\n")
    assert "Budget workbooks for KIM case-management posts" in result.output
    assert main.help and main.help.strip()
    commands = result.output.split("Commands:\n", 1)[1]
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help text"
        assert f"  {name}  " in commands
        assert command.get_short_help_str().split()[0] in commands


COMMANDS = ("build", "distribute", "import", "init", "validate", "verify")


def test_every_command_exists() -> None:
    assert sorted(main.commands) == sorted(COMMANDS)


def test_command_list_shows_each_summary_whole() -> None:
    """click cuts a long first sentence with "..."; every command's summary is short."""
    result = run("--help")
    listing = result.output.split("Commands:\n", 1)[1].splitlines()
    summaries = {line.split()[0]: " ".join(line.split()[1:]) for line in listing if line.strip()}
    assert summaries == {
        "build": "Build workbooks and council texts from scenario files.",
        "distribute": "Distribute a district's posts by population.",
        "import": "Bring a workbook's edited inputs back into its scenario file.",
        "init": "Write a commented starter scenario file.",
        "validate": "Check scenario files; write nothing.",
        "verify": "Check generated workbooks against the model rules.",
    }
    assert not [summary for summary in summaries.values() if summary.endswith("...")]


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_and_option_has_help(name: str) -> None:
    command = main.commands[name]
    assert command.help and command.help.strip(), f"command {name} has no help text"
    undocumented = [
        param.name
        for param in command.params
        if isinstance(param, click.Option) and not (param.help and param.help.strip())
    ]
    assert undocumented == []
    result = run(name, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: kim-budget {name} [OPTIONS]")
    first_words = " ".join(command.help.split()[:4])
    assert first_words in " ".join(result.output.split())


HELP_SCRIPT = """
import sys
from kim_budget.cli import main
code = main(sys.argv[1:], prog_name="kim-budget", standalone_mode=False)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("openpyxl", "jinja2"))
print("EXIT", code)
print("HEAVY", heavy)
"""


@pytest.mark.parametrize("args", [["--help"], *([name, "--help"] for name in COMMANDS)])
def test_help_does_not_import_openpyxl(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELP_SCRIPT, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    usage = " ".join(["Usage: kim-budget", *args[:-1], "[OPTIONS]"])
    assert usage in done.stdout
    assert done.stdout.splitlines()[-2:] == ["EXIT 0", "HEAVY []"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["validate", "scenarios"], ": OK ("),
        (["validate", "scenarios/weitere"], ": OK ("),
        (["init", "{folder}/neu.toml"], "Szenario geschrieben"),
    ],
)
def test_checking_and_starting_a_file_import_no_writer(
    args: list[str], said: str, tmp_path: Path
) -> None:
    """validate and init read TOML only: neither openpyxl nor Jinja2 is loaded for them."""
    args = [arg.format(folder=tmp_path) for arg in args]
    done = subprocess.run(
        [sys.executable, "-c", HELP_SCRIPT, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert said in done.stdout
    assert done.stdout.splitlines()[-2:] == ["EXIT None", "HEAVY []"]


def test_broken_template_writes_nothing(project: Path) -> None:
    shutil.copytree(ROOT / "templates", project / "vorlagen")
    broken = project / "vorlagen" / "finanzielle-auswirkungen.txt.j2"
    broken.write_text("Haushalt\n{% for y in years %}\n{{ y.year }\n", encoding="utf-8")
    result = run("build", "scenarios", "--templates", "vorlagen")
    assert_failed(result, [f"Error: {Path('vorlagen') / broken.name}: line 3: unexpected '}}'"])
    assert not (project / "out").exists()


def test_pdf_without_libreoffice_names_the_package(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kim_budget.pdf.libreoffice_available", lambda: False)
    result = run("build", "--pdf")
    assert_failed(
        result,
        [
            "Error: --pdf needs LibreOffice to print the workbooks; install the Debian package "
            "libreoffice-calc-nogui (apt-get install libreoffice-calc-nogui)"
        ],
    )
    assert not (project / "out").exists()


# --- verify ------------------------------------------------------------------------------------


def _with_wrong_cached_value(path: Path) -> None:
    """Replace the first cached formula value on the Haushalt sheet by 12345."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as source:
        entries = [(entry, source.read(entry.filename)) for entry in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry, content in entries:
            if entry.filename == "xl/worksheets/sheet4.xml":
                content = re.sub(rb"(</f><v>)[^<]+(</v>)", rb"\g<1>12345\g<2>", content, count=1)
            target.writestr(entry, content)
    assert path.read_bytes() != data


@pytest.mark.engine
def test_verify_says_that_libreoffice_recalculated(project: Path) -> None:
    require_engine("LibreOffice", libreoffice_available())
    assert run("build").exit_code == 0
    result = run("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "LibreOffice recalculated 5 workbooks: every cached value confirmed.",
        "5 workbooks checked: OK",
    ]
    _with_wrong_cached_value(project / "out" / "vzae-1.000-ab-2025-01.xlsx")
    result = run("verify", "out/vzae-1.000-ab-2025-01.xlsx", "out/vzae-1.173-ab-2025-01.xlsx")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and "[E1] cached value 12345, but LibreOffice computed" in lines[0]
    assert lines[1] == (
        "LibreOffice recalculated 2 workbooks: 1 workbook with cached values it did not "
        "confirm (E1)."
    )


def test_verify_without_the_engine_says_nothing_about_it(project: Path) -> None:
    assert run("build", "scenarios/vzae-1.000-ab-2024-10.toml").exit_code == 0
    result = run("verify", "--no-engine")
    assert result.exit_code == 0
    assert result.output.splitlines() == ["1 workbook checked: OK"]


def test_verify_reports_a_file_it_cannot_read(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / "Haushalt.xlsx").write_text("Personalaufwand;80000\n")
    (project / "out" / "leer.xlsx").write_bytes(b"")
    result = run("verify", "--no-engine")
    assert "Traceback" not in result.output
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "out/Haushalt.xlsx: [W0] not an xlsx workbook (no zip archive)",
        "out/leer.xlsx: [W0] not an xlsx workbook: the file is empty (0 bytes)",
        "2 findings in 2 workbooks.",
    ]
