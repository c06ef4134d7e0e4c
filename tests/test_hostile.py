"""Files from outside, as a hostile or careless sender makes them (corpus: tests/hostile.py).

Each case runs the installed `kim-budget` in a child process, as a user would, and asserts
what the user sees and what is left on disk: the exit status, a one-line reason naming the
bound or the problem, no traceback, nothing changed outside the target, and the run within
30 seconds and 500 MB. Read-only folders are tried as a user without root's rights (root writes
into them), a full disk on a small tmpfs where one can be mounted, kills at random moments.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hostile import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    PARAMETER_ENTITY,
    SHEET,
    Run,
    as_user_prefix,
    bomb,
    compressed_with,
    deep_sheet,
    encrypted,
    far_cell,
    huge_merge,
    kim_budget,
    lying_size,
    many_cells,
    many_rows,
    replace_part,
    rezip,
    run,
    small_disk,
    snapshot,
    with_entity,
)

from kim_budget.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "vzae-1.000-ab-2024-10.toml"
NAME = SCENARIO.name
WORKBOOK = "b.xlsx"
SECONDS = 30.0
MEGABYTES = 500.0
FILE_LABEL = "Szenariodatei"
SHA_LABEL = "SHA-256 der Szenariodatei"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The workbook of the shipped 1,0 VZÄ scenario."""
    folder = tmp_path_factory.mktemp("built")
    shutil.copy(SCENARIO, folder / NAME)
    (workbook,) = [o.path for o in build([folder / NAME], folder) if o.path.suffix == ".xlsx"]
    return workbook.read_bytes()


@pytest.fixture
def case(tmp_path: Path, built: bytes) -> Path:
    """A folder with the scenario file and its workbook (as b.xlsx), and a private TMPDIR."""
    folder = tmp_path / "case"
    folder.mkdir()
    shutil.copy(SCENARIO, folder / NAME)
    (folder / WORKBOOK).write_bytes(built)
    (tmp_path / "tmp").mkdir()
    return folder


def kim(args: list[str], cwd: Path, **options: object) -> Run:
    """Run the command with TMPDIR inside the test's folder; check the bounds every run keeps."""
    env = {"TMPDIR": str(cwd.parent / "tmp")}
    done = run(args, cwd, env=env, **options)  # type: ignore[arg-type]
    assert "Traceback" not in done.output, done.output
    assert done.seconds < SECONDS, f"{args}: {done.seconds:.1f} s"
    assert done.peak_mb < MEGABYTES, f"{args}: {done.peak_mb:.0f} MB"
    assert list((cwd.parent / "tmp").iterdir()) == [], "work folders left behind"
    return done


def assert_refused(done: Run, reason: str) -> None:
    """Exit status 1 and the reason in one line of its own, starting with "Error: "."""
    assert done.status == 1, done.output
    lines = [line for line in done.output.splitlines() if re.search(reason, line)]
    assert lines and all(line.startswith("Error: ") for line in lines), done.output


def edited(workbook: Path, sheet: str, edits: dict[str, object]) -> None:
    """Change cells as a treasurer (or a forger) would, by label in column A or by key in D."""
    book = openpyxl.load_workbook(workbook)
    ws = book[sheet]
    for label, value in edits.items():
        row = next(
            r
            for r in range(1, ws.max_row + 1)
            if label in (ws.cell(r, 1).value, ws.cell(r, 4).value)
        )
        ws.cell(row, 2).value = value
    book.save(workbook)


# --- workbooks: import and verify -----------------------------------------------------------

MB = 1 << 20
WORKBOOKS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "billion laughs": (
        lambda wb: with_entity(wb, SHEET, BILLION_LAUGHS),
        r"the part xl/worksheets/sheet1\.xml declares a document type \(DTD\)",
    ),
    "external entity": (
        lambda wb: with_entity(wb, SHEET, EXTERNAL_ENTITY),
        r"declares a document type \(DTD\)",
    ),
    "parameter entity": (
        lambda wb: with_entity(wb, SHEET, PARAMETER_ENTITY),
        r"declares a document type \(DTD\)",
    ),
    "entity in the content types": (
        lambda wb: with_entity(wb, "[Content_Types].xml", EXTERNAL_ENTITY),
        r"part \[Content_Types\]\.xml declares a document type",
    ),
    "entity in the relationships": (
        lambda wb: with_entity(wb, "_rels/.rels", BILLION_LAUGHS),
        r"part _rels/\.rels declares a document type",
    ),
    "nested 100,000 deep": (
        lambda wb: replace_part(wb, SHEET, deep_sheet(100_000)),
        r"nests elements more than 64 deep",
    ),
    "zip bomb": (
        lambda wb: bomb(wb, 100 * MB),
        r"unpacks to 100 MiB .*; at most 64 MiB .* per part",
    ),
    "zip bomb below the part size": (lambda wb: bomb(wb, 20 * MB), r"times its packed size"),
    "zip directory that lies": (
        lambda wb: lying_size(bomb(wb, 20 * MB), "xl/media/zeros.bin", 1000),
        r"the part xl/media/zeros\.bin is corrupt \(CRC check failed\)",
    ),
    "encrypted part": (lambda wb: encrypted(wb, SHEET), r"the part .* is encrypted"),
    "LZMA part": (lambda wb: compressed_with(wb, SHEET, 14), r"compressed with method 14"),
    "AES part": (lambda wb: compressed_with(wb, SHEET, 99), r"compressed with method 99"),
    "300,000 rows": (lambda wb: replace_part(wb, SHEET, many_rows(300_000)), r"too large"),
    "600,000 cells": (
        lambda wb: replace_part(wb, SHEET, many_cells(600_000)),
        r"more than 200,000 cells",
    ),
    "a cell in the last row and column": (
        lambda wb: replace_part(wb, SHEET, far_cell()),
        r"span more than 300,000 cells",
    ),
    "merged over the whole sheet": (
        lambda wb: replace_part(wb, SHEET, huge_merge()),
        r"span more than 300,000 cells",
    ),
    "3,000 parts": (
        lambda wb: rezip(wb, add={f"x/{n}.bin": b"" for n in range(3000)}),
        r"the archive has 3,\d\d\d parts; at most 2,000",
    ),
    "not a zip archive": (lambda _: b"Personalaufwand;80000\n" * 1000, r"no zip archive"),
}


@pytest.mark.parametrize("make", list(WORKBOOKS.values()), ids=list(WORKBOOKS))
def test_hostile_workbook_import(case: Path, make: tuple[Callable[[bytes], bytes], str]) -> None:
    change, reason = make
    workbook = case / WORKBOOK
    workbook.write_bytes(change(workbook.read_bytes()))
    before = snapshot(case.parent)
    for args in (["import", WORKBOOK], ["import", WORKBOOK, "--scenario", NAME, "--force"]):
        done = kim(args, case)
        assert_refused(done, reason)
        assert snapshot(case.parent) == before


@pytest.mark.parametrize("make", list(WORKBOOKS.values()), ids=list(WORKBOOKS))
def test_hostile_workbook_verify(case: Path, make: tuple[Callable[[bytes], bytes], str]) -> None:
    change, reason = make
    workbook = case / WORKBOOK
    workbook.write_bytes(change(workbook.read_bytes()))
    before = snapshot(case.parent)
    done = kim(["verify", "--no-engine", WORKBOOK], case)
    assert done.status == 1, done.output
    (finding,) = [line for line in done.output.splitlines() if "[W0]" in line]
    assert finding.startswith(f"{WORKBOOK}: [W0] ") and re.search(reason, finding), finding
    assert snapshot(case.parent) == before


def test_verify_recalculates_only_what_it_checked(case: Path) -> None:
    """With LibreOffice, a hostile workbook among good ones: the good ones are recalculated,
    the hostile one is one finding, and LibreOffice never sees it."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    shutil.copy(case / WORKBOOK, case / "a.xlsx")
    hostile = with_entity((case / WORKBOOK).read_bytes(), SHEET, BILLION_LAUGHS)
    (case / WORKBOOK).write_bytes(hostile)
    done = kim(["verify", "a.xlsx", WORKBOOK], case)
    assert done.status == 1
    assert "LibreOffice recalculated 1 workbook: every cached value confirmed." in done.output


# --- what the cover vouches for ------------------------------------------------------------


def test_import_refuses_a_cover_without_sha(case: Path) -> None:
    edited(case / WORKBOOK, "Übersicht", {SHA_LABEL: None})
    edited(case / WORKBOOK, "Annahmen", {"cost.annual_cost_per_fte": 82000})
    before = snapshot(case)
    assert_refused(kim(["import", WORKBOOK], case), r"holds no SHA-256 .*--force imports")
    assert snapshot(case) == before
    forced = kim(["import", WORKBOOK, "--force"], case)
    assert forced.status == 0, forced.output
    assert "annual_cost_per_fte = 82000" in (case / NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize("sha", ["abc", "A" * 64, " "])
def test_import_refuses_a_malformed_sha(case: Path, sha: str) -> None:
    edited(case / WORKBOOK, "Übersicht", {SHA_LABEL: sha})
    before = snapshot(case)
    reason = r"holds no SHA-256" if not sha.strip() else r"is no SHA-256 \(64 hexadecimal digits\)"
    assert_refused(kim(["import", WORKBOOK], case), reason)
    assert snapshot(case) == before


@pytest.mark.parametrize("sha", ["keep", "blank"])
def test_import_never_writes_another_file_the_cover_names(case: Path, sha: str) -> None:
    victim = case / "victim.toml"
    victim.write_text(SCENARIO.read_text(encoding="utf-8").replace("2024-10", "2024-11"), "utf-8")
    cover: dict[str, object] = {FILE_LABEL: "victim.toml"}
    if sha == "blank":
        cover[SHA_LABEL] = ""
    edited(case / WORKBOOK, "Übersicht", cover)
    edited(case / WORKBOOK, "Annahmen", {"cost.annual_cost_per_fte": 99000})
    before = snapshot(case)
    assert_refused(kim(["import", WORKBOOK], case), r"SHA-256")
    assert snapshot(case) == before


@pytest.mark.parametrize(
    "name",
    ["x" * 296 + ".toml", "../victim.toml", "/etc/victim.toml", "a\nError: forged.toml", ".b.toml"],
    ids=["300 characters", "parent folder", "absolute", "line break", "hidden"],
)
def test_import_refuses_a_cover_naming_no_plain_file(case: Path, name: str) -> None:
    edited(case / WORKBOOK, "Übersicht", {FILE_LABEL: name})
    before = snapshot(case.parent)
    done = kim(["import", WORKBOOK], case)
    assert_refused(done, r"which is no scenario file name")
    assert len(done.output.splitlines()) == 1, done.output
    assert snapshot(case.parent) == before


# --- texts from cells ----------------------------------------------------------------------


def test_dry_run_shows_control_characters_as_written(case: Path) -> None:
    hidden = "Stellen\rNeuer Text \u202eFDP"
    edited(case / WORKBOOK, "Annahmen", {"description": hidden})
    done = kim(["import", WORKBOOK, "--dry-run"], case)
    assert done.status == 0, done.output
    change = next(line for line in done.output.splitlines() if line.startswith("description:"))
    assert change.endswith('→ "Stellen\\rNeuer Text \\u202eFDP"'), change
    written = kim(["import", WORKBOOK], case)
    assert written.status == 0
    assert tomllib.loads((case / NAME).read_text(encoding="utf-8"))["description"] == hidden


MARKER = "@@marker@@"


def crafted(workbook: Path, key: str, text: str) -> None:
    """Put `text` into the input cell of `key` as only a hand-made file can: openpyxl (like
    Excel) writes at most 32,767 characters into a cell, so the marker it writes is replaced
    in the XML."""
    edited(workbook, "Annahmen", {key: MARKER})
    data = workbook.read_bytes()
    encoded = text.encode()
    workbook.write_bytes(rezip(data, lambda _, part: part.replace(MARKER.encode(), encoded)))


RANDOM = "".join(random.Random(7).choices("0123456789", k=10 * (1 << 20)))
"""Ten million digits that do not compress well (a repeated digit would be refused as a bomb)."""


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("title", "Titel\rneu", r"must not contain control characters, got .*U\+000[AD]"),
        ("title", "Titel\x9b31m", r"must not contain control characters, got .*U\+009B"),
        ("title", "T" * 300, r"must be at most 200 characters, got 300"),
        ("title", RANDOM, r"holds a text of 10,485,760 characters; at most 1,000"),
        ("cost.annual_cost_per_fte", RANDOM, r"holds a text of 10,485,760"),
    ],
    ids=["carriage return", "escape sequence", "300 characters", "10 MB title", "10 MB number"],
)
def test_texts_from_cells_are_checked_before_anything_is_written(
    case: Path, key: str, value: str, reason: str
) -> None:
    crafted(case / WORKBOOK, key, value)
    before = snapshot(case)
    done = kim(["import", WORKBOOK], case)
    assert_refused(done, reason)
    assert max(len(line) for line in done.output.splitlines()) < 400
    assert snapshot(case) == before


# --- where import writes --------------------------------------------------------------------


def test_import_writes_through_a_link_and_keeps_permissions(case: Path) -> None:
    real = case.parent / "real"
    real.mkdir()
    (case / NAME).rename(real / NAME)
    (real / NAME).chmod(0o600)
    (case / NAME).symlink_to(real / NAME)
    edited(case / WORKBOOK, "Annahmen", {"cost.annual_cost_per_fte": 82000})
    done = kim(["import", WORKBOOK], case)
    assert done.status == 0, done.output
    assert (case / NAME).is_symlink()
    assert "annual_cost_per_fte = 82000" in (real / NAME).read_text(encoding="utf-8")
    assert (real / NAME).stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in real.iterdir()) == [NAME]


def test_read_only_folder(case: Path) -> None:
    edited(case / WORKBOOK, "Annahmen", {"cost.annual_cost_per_fte": 82000})
    case.chmod(0o555)
    try:
        before = snapshot(case)
        dry = kim(["import", WORKBOOK, "--dry-run"], case, as_user=True)
        assert dry.status == 0, dry.output
        assert "cost.annual_cost_per_fte: 80000 → 82000" in dry.output
        assert_refused(kim(["import", WORKBOOK], case, as_user=True), r"Permission denied")
        assert_refused(kim(["build", NAME, "-o", "."], case, as_user=True), r"Permission denied")
        assert snapshot(case) == before
    finally:
        case.chmod(0o755)


def test_root_is_really_kept_out_of_read_only_folders(tmp_path: Path) -> None:
    """The read-only cases mean something only if the child cannot write there."""
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    try:
        done = subprocess.run(
            [*as_user_prefix(), "touch", str(folder / "x")], capture_output=True, check=False
        )
        assert done.returncode != 0 and not (folder / "x").exists()
    finally:
        folder.chmod(0o755)


# --- scenario files -------------------------------------------------------------------------

TOML_CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "arrays nested 10,000 deep": (
        lambda f: (f / "x.toml").write_text("title = " + "[" * 10_000 + "]" * 10_000),
        r"x\.toml: tables and arrays nest too deep: at most 8 levels",
    ),
    "tables nested 10,000 deep": (
        lambda f: (f / "x.toml").write_text(".".join(["a"] * 10_000) + " = 1\n"),
        r"x\.toml: tables and arrays nest too deep",
    ),
    "inline tables nested 10,000 deep": (
        lambda f: (f / "x.toml").write_text("a = " + "{b = " * 10_000 + "1" + "}" * 10_000),
        r"x\.toml: tables and arrays nest too deep",
    ),
    "2 MB": (
        lambda f: (f / "x.toml").write_text("# " + "x" * (2 << 20)),
        r"x\.toml: is too large: 2\.0 MiB .*; at most 1 MiB",
    ),
    "FIFO": (lambda f: os.mkfifo(f / "x.toml"), r"x\.toml: is a FIFO \(named pipe\), not a"),
    "link to /dev/zero": (
        lambda f: (f / "x.toml").symlink_to("/dev/zero"),
        r"x\.toml: is a character device, not a regular file",
    ),
    "folder named x.toml": (lambda f: (f / "x.toml").mkdir(), r"x\.toml: is a folder"),
    "1,000 positions": (
        lambda f: (f / "x.toml").write_text(
            SCENARIO.read_text(encoding="utf-8")
            + '[[positions]]\nname = "P"\nfte = 1.0\nstart = "2025-01"\n' * 1000,
            encoding="utf-8",
        ),
        r"positions: must hold at most 20 tables, got 1,001",
    ),
    "a key of 900,000 characters": (
        lambda f: (f / "x.toml").write_text("k" * 900_000 + " = 1\n"),
        r"x\.toml: k{10}.*… \(900,000 characters\): unknown key",
    ),
    "a title of 900,000 characters": (
        lambda f: (f / "x.toml").write_text('title = "' + "1" * 900_000 + '"\n'),
        r"title: must be at most 200 characters, got 900000 characters",
    ),
}


@pytest.mark.parametrize("make", list(TOML_CASES.values()), ids=list(TOML_CASES))
@pytest.mark.parametrize("command", ["validate", "build", "import", "distribute"])
def test_hostile_scenario_and_district_files(
    case: Path, make: tuple[Callable[[Path], None], str], command: str
) -> None:
    setup, reason = make
    folder = case / "in"
    folder.mkdir()
    setup(folder)
    args = {
        "validate": ["validate", "in"],
        "build": ["build", "in", "-o", "out"],
        "import": ["import", WORKBOOK, "--scenario", "in/x.toml"],
        "distribute": ["distribute", "in/x.toml", "-o", "out", "--scenarios", "kreis"],
    }[command]
    if command == "validate" and "title" in reason:
        args = ["validate", "in/x.toml"]
    before = snapshot(case)
    done = kim(args, case, timeout=40)
    if command in ("import", "distribute") and "positions" in reason:
        reason = r"x\.toml"  # a district or the import names what is wrong in its own terms
    if command == "distribute" and "title" in reason:
        reason = r"x\.toml: title: unknown key"
    assert_refused(done, reason)
    assert max(len(line) for line in done.output.splitlines()) < 400
    assert snapshot(case) == before


def test_hidden_files_in_a_scenarios_folder_are_not_scenarios(case: Path) -> None:
    folder = case / "in"
    folder.mkdir()
    shutil.copy(SCENARIO, folder / NAME)
    (folder / ".b.toml.kim-budget-0123456789abcdef.tmp").write_text("broken")
    (folder / f".{NAME}").write_text("title = 1")  # an editor's copy
    (folder / "~$b.toml").write_text("lock")
    done = kim(["build", "in", "-o", "out"], case)
    assert done.status == 0, done.output
    texts = [f"{SCENARIO.stem}.finanzielle-auswirkungen.{kind}" for kind in ("html", "txt")]
    assert sorted(p.name for p in (case / "out").iterdir()) == sorted(
        [f"{SCENARIO.stem}.xlsx", *texts]
    )


def test_a_line_break_in_a_file_name_forges_no_line(case: Path) -> None:
    folder = case / "in"
    folder.mkdir()
    forged = "a\nforged.xlsx: Eigenanteil 2024: 0,00 €.toml"
    shutil.copy(SCENARIO, folder / forged)
    done = kim(["build", f"in/{forged}", "-o", "out"], case)
    assert done.status == 0, done.output
    assert len(done.output.splitlines()) == 3, done.output  # workbook and two texts
    assert all(line.startswith("out/a\\nforged.xlsx") for line in done.output.splitlines())


# --- districts ------------------------------------------------------------------------------

DISTRICT = """\
district = "Kreis"
posts = 17
rate_per_fte = 57000
year = 2025
"""


def municipalities(*rows: tuple[str, int]) -> str:
    return "".join(
        f'\n[[municipalities]]\nname = "{name}"\npopulation = {population}\n'
        for name, population in rows
    )


@pytest.mark.parametrize(
    ("first", "second", "file"),
    [
        ("Übach", "Uebach", "uebach.toml"),
        ("Sankt Augustin", "Sankt-Augustin", "sankt-augustin.toml"),
        ("../../etc/evil", "etc evil", "etc-evil.toml"),
        ("Bad Münstereifel", "BAD MÜNSTEREIFEL!", "bad-muenstereifel.toml"),
        ("Erftstadt", "Érftstadt", "erftstadt.toml"),
    ],
)
def test_distribute_refuses_names_that_write_one_file(
    case: Path, first: str, second: str, file: str
) -> None:
    (case / "k.toml").write_text(DISTRICT + municipalities((first, 1000), (second, 2000)), "utf-8")
    before = snapshot(case)
    done = kim(["distribute", "k.toml", "-o", "out", "--scenarios", "kreis"], case)
    assert_refused(done, rf"gives the scenario file name {re.escape(file)}, as ")
    assert snapshot(case) == before


def test_distribute_writes_text_only_as_toml_strings(case: Path) -> None:
    name = 'evil\n[funding]\nrate_per_fte = 1\n"x'
    district = case / f"{name}.toml"
    rows = municipalities(('Bonn \\"2\\"', 300_000), ("Köln", 1_000_000))
    district.write_text(DISTRICT + 'reference = "a\\"b"\n' + rows, "utf-8")
    done = kim(["distribute", district.name, "-o", "out", "--scenarios", "kreis"], case)
    assert done.status == 0, done.output
    for generated in sorted((case / "kreis").iterdir()):
        data = tomllib.loads(generated.read_text(encoding="utf-8"))
        keys = {"title", "municipality", "reference", "horizon", "positions", "cost", "funding"}
        assert set(data) == keys
        assert data["funding"]["rate_per_fte"] == 57000
        assert data["reference"] == 'a"b'
    bonn = tomllib.loads((case / "kreis" / "bonn-2.toml").read_text("utf-8"))
    assert bonn["municipality"] == 'Bonn "2"'


def test_distribute_writes_no_file_for_a_share_of_zero(case: Path) -> None:
    rows = municipalities(("Groß", 10_000_000), ("Klein", 100))
    (case / "k.toml").write_text(DISTRICT + rows, "utf-8")
    done = kim(["distribute", "k.toml", "-o", "out", "--scenarios", "kreis"], case)
    assert done.status == 0, done.output
    assert "Klein: rounded share 0 VZÄ; no scenario file written" in done.output
    assert [p.name for p in (case / "kreis").iterdir()] == ["gross.toml"]
    assert kim(["validate", "kreis"], case).status == 0


def test_distribute_writes_nothing_when_one_file_fails(case: Path) -> None:
    (case / "k.toml").write_text(DISTRICT + municipalities(("Bonn", 300_000)), "utf-8")
    (case / "kreis").mkdir(mode=0o555)
    try:
        before = snapshot(case)
        args = ["distribute", "k.toml", "-o", "out", "--scenarios", "kreis"]
        done = kim(args, case, as_user=True)
        assert_refused(done, r"kreis/bonn\.toml: cannot write: Permission denied")
        assert snapshot(case) == before  # the Verteilung workbook neither
    finally:
        (case / "kreis").chmod(0o755)
    long_name = "k" * 240 + ".toml"
    (case / long_name).write_text(DISTRICT + municipalities(("Bonn", 300_000)), "utf-8")
    before = snapshot(case)
    done = kim(["distribute", long_name, "-o", "out", "--scenarios", "kreis2"], case)
    assert_refused(done, r"cannot write: File name too long")
    assert snapshot(case) == before


# --- full disks and kills -------------------------------------------------------------------


def test_a_full_disk_writes_nothing(case: Path) -> None:
    shutil.copy(SCENARIO, case / "c.toml")
    with small_disk(case / "out") as disk:
        if disk is None:
            pytest.skip("no tmpfs can be mounted here (the file size limit case still runs)")
        done = kim(["build", NAME, "c.toml", "-o", "out"], case)
        assert_refused(done, r"cannot write: No space left on device")
        assert list(disk.iterdir()) == []


def test_a_write_that_fails_writes_nothing(case: Path) -> None:
    shutil.copy(SCENARIO, case / "c.toml")
    done = kim(["build", NAME, "c.toml", "-o", "out"], case, file_size_limit=20_000)
    assert_refused(done, r"cannot write: File too large")
    assert not (case / "out").exists()  # not even the folder it made for them


def _living(marker: str) -> list[int]:
    """Processes whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def killed(args: list[str], case: Path, after: float) -> None:
    """Start `kim-budget ARGS` and kill it (SIGKILL) `after` seconds."""
    env = {**os.environ, "TMPDIR": str(case.parent / "tmp")}
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(
        [*kim_budget(), *args], cwd=case, env=env, stdout=quiet, stderr=quiet
    )
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_killed_builds_leave_nothing_that_counts(case: Path) -> None:
    folder = case / "in"
    folder.mkdir()
    for n in range(4):
        shutil.copy(SCENARIO, folder / f"s{n}.toml")
    out = case / "out-killed"
    chance = random.Random(20)
    for _ in range(6):
        killed(["build", "in", "-o", out.name, "--jobs", "2"], case, chance.uniform(0.3, 3.0))
        deadline = time.monotonic() + 5
        while _living(out.name) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _living(out.name) == [], "workers outlived the killed build"
    done = kim(["build", "in", "-o", out.name], case)
    assert done.status == 0, done.output
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    stems = ("s0", "s1", "s2", "s3", "Szenarienvergleich")
    assert all(p.name.startswith(stems) for p in out.iterdir())


def test_a_killed_import_leaves_no_scenario_behind(case: Path) -> None:
    edited(case / WORKBOOK, "Annahmen", {"cost.annual_cost_per_fte": 82000})
    chance = random.Random(14)
    for _ in range(5):
        killed(["import", WORKBOOK, "--force"], case, chance.uniform(0.2, 2.0))
        text = (case / NAME).read_text(encoding="utf-8")
        assert "annual_cost_per_fte = 8" in text  # old or new, never a part
    done = kim(["validate", "."], case)
    assert done.status == 0, done.output
    assert len([line for line in done.output.splitlines() if ": OK" in line]) == 1
    kim(["import", WORKBOOK, "--force"], case)
    assert sorted(p.name for p in case.iterdir()) == sorted([NAME, WORKBOOK])
