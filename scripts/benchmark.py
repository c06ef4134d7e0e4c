"""Benchmark: building the shipped scenarios, one workbook against bare openpyxl, 400 scenarios,
and how light `kim-budget --help` is.

Run with `.venv/bin/python scripts/benchmark.py`. Targets, on a 2-core machine:
- the shipped scenarios build in under a quarter of a second each (the whole command, start-up
  and comparison included): 2 s for the eight of scenarios/ (four flat, four priced from the
  pay tables), the rate the four flat ones were held to before;
- writing one scenario workbook takes at most 1.5 times as long as bare openpyxl writing the
  same cells with the same styles (style objects made in advance, set on each cell);
- 400 generated scenarios build with `--jobs 2` in under 30 s of wall time, comparison
  included, and no process of that run grows beyond 1 GiB (peak resident memory);
- `--help` does not import openpyxl or jinja2.
Exits 1 when a target is missed. Not part of the test suite: timings belong here, not in tests.
"""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from copy import copy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kim_budget.formula import Expr  # noqa: E402
from kim_budget.loader import load_scenarios  # noqa: E402
from kim_budget.workbook import lay_out_workbook  # noqa: E402
from kim_budget.workbook.grid import Book  # noqa: E402
from kim_budget.workbook.writer import write_workbook  # noqa: E402

BUILD_TARGET_SECONDS_PER_SCENARIO = 0.25
BUILD_TARGET_SECONDS = BUILD_TARGET_SECONDS_PER_SCENARIO * len(
    list((ROOT / "scenarios").glob("*.toml"))
)
WRITER_TARGET_RATIO = 1.5
MANY = 400
MANY_JOBS = 2
MANY_TARGET_SECONDS = 30.0
MANY_TARGET_MEMORY = 1024**3  # bytes
RUNS = 5
WORKBOOK = "vzae-1.000-ab-2024-10"
HELP_PROBE = (
    "import sys\n"
    "from kim_budget.cli import main\n"
    "try:\n"
    "    main(['--help'])\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('openpyxl' in sys.modules, 'jinja2' in sys.modules, file=sys.stderr)\n"
)
MANY_SCENARIO = """title = "Szenario {number}: {fte:.3f} VZÄ ab {start}"
[horizon]
first_year = 2024
last_year = 2028
[[positions]]
name = "Case Management KIM"
fte = {fte:.3f}
start = "{start}"
[cost]
annual_cost_per_fte = 80000
[funding]
rate_per_fte = 57000
"""


def _script() -> str:
    return str(Path(sys.executable).parent / "kim-budget")


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def build_seconds() -> list[float]:
    """Wall time of `kim-budget build scenarios/` as a fresh process, several runs."""
    with tempfile.TemporaryDirectory() as out:
        return [_timed([_script(), "build", "scenarios", "-o", out]) for _ in range(RUNS)]


def _best(run: Callable[[], object]) -> float:
    """The median wall time of several runs of `run`, after one to warm up."""
    run()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _bare_cells(book: Book) -> dict[str, list[tuple[int, int, Any, dict[str, Any]]]]:
    """The book's cells as bare openpyxl sets them: value, and the style attributes our writer
    gives the cell (read from a workbook it wrote)."""
    import openpyxl

    written = openpyxl.load_workbook(io.BytesIO(write_workbook(book)))
    cells: dict[str, list[tuple[int, int, Any, dict[str, Any]]]] = {}
    for sheet in book.sheets:
        ws = written[sheet.name]
        rows = cells.setdefault(sheet.name, [])
        for (row, col), cell in sorted(sheet.cells.items()):
            target = ws.cell(row=row, column=col)
            content = cell.content
            value = "=" + content.render(sheet.name) if isinstance(content, Expr) else content
            style = {
                "font": copy(target.font),
                "fill": copy(target.fill),
                "border": copy(target.border),
                "alignment": copy(target.alignment),
                "protection": copy(target.protection),
                "number_format": target.number_format,
            }
            rows.append((row, col, value, style))
    return cells


def _bare_write(cells: dict[str, list[tuple[int, int, Any, dict[str, Any]]]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    for name, rows in cells.items():
        ws = wb.create_sheet(name)
        for row, col, value, style in rows:
            target = ws.cell(row=row, column=col, value=value)
            for attribute, setting in style.items():
                setattr(target, attribute, setting)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def writer_against_openpyxl() -> tuple[float, float]:
    """Seconds to write one scenario workbook: kim-budget's writer, and bare openpyxl."""
    (scenario,) = load_scenarios([ROOT / "scenarios" / f"{WORKBOOK}.toml"])
    book = lay_out_workbook(scenario).book
    cells = _bare_cells(book)
    return _best(lambda: write_workbook(book)), _best(lambda: _bare_write(cells))


def many_scenarios() -> tuple[float, int]:
    """Wall time and peak memory (bytes, the largest process) of building MANY generated
    scenarios with `--jobs MANY_JOBS`, as a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "szenarien"
        source.mkdir()
        for number in range(1, MANY + 1):
            fte = 0.25 + (number % 12) * 0.125
            start = f"{2024 + number % 2}-{1 + number % 12:02}"
            text = MANY_SCENARIO.format(number=number, fte=fte, start=start)
            (source / f"szenario-{number:03}.toml").write_text(text, encoding="utf-8")
        out = str(Path(folder) / "out")
        command = [_script(), "build", str(source), "-o", out, "--jobs", str(MANY_JOBS)]
        seconds = _timed(command)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
        assert (Path(out) / "Szenarienvergleich.xlsx").exists()
    return seconds, peak


def help_imports() -> tuple[bool, bool, float]:
    """Whether `--help` imports openpyxl or jinja2, and how long it takes."""
    start = time.perf_counter()
    probe = subprocess.run(
        [sys.executable, "-c", HELP_PROBE], cwd=ROOT, check=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    openpyxl, jinja2 = (word == "True" for word in probe.stderr.split())
    return openpyxl, jinja2, elapsed


def main() -> int:
    """Print the measurements, each with its target; 1 when a target is missed."""
    missed = []
    many_seconds, peak = many_scenarios()  # first: the peak memory is this run's
    runs = build_seconds()
    median = statistics.median(runs)
    what = "build scenarios/ (workbooks, texts, comparison)"
    print(
        f"{what}: median {median:.3f} s, best {min(runs):.3f} s "
        f"(target < {BUILD_TARGET_SECONDS:g} s)"
    )
    if median >= BUILD_TARGET_SECONDS:
        missed.append("build scenarios/")
    ours, bare = writer_against_openpyxl()
    ratio = ours / bare
    print(
        f"write one workbook ({WORKBOOK}): {ours * 1000:.0f} ms; bare openpyxl, same cells and "
        f"styles: {bare * 1000:.0f} ms; {ratio:.2f}x (target <= {WRITER_TARGET_RATIO:g}x)"
    )
    if ratio > WRITER_TARGET_RATIO:
        missed.append("writer against openpyxl")
    print(
        f"build {MANY} generated scenarios with --jobs {MANY_JOBS} (comparison included): "
        f"{many_seconds:.1f} s (target < {MANY_TARGET_SECONDS:g} s)"
    )
    if many_seconds >= MANY_TARGET_SECONDS:
        missed.append(f"{MANY} scenarios")
    print(
        f"peak memory of that build (largest process): {peak / 1024**2:.0f} MiB "
        f"(target < {MANY_TARGET_MEMORY / 1024**3:g} GiB)"
    )
    if peak >= MANY_TARGET_MEMORY:
        missed.append("peak memory")
    openpyxl, jinja2, help_time = help_imports()
    print(
        f"--help: {help_time:.3f} s; imports openpyxl: {openpyxl}; imports jinja2: {jinja2} "
        "(target: neither)"
    )
    if openpyxl or jinja2:
        missed.append("--help imports")
    print("targets missed: " + ", ".join(missed) if missed else "targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
