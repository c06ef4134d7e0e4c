"""Benchmark: how fast kim-budget builds, against a floor measured in the same run.

Run with `.venv/bin/python scripts/benchmark.py`. Not part of the test suite: timings belong
here, not in tests. It measures, on whatever machine runs it (say whether it was loaded:
the load average is printed),

1. the full build (load, validate, lay out, evaluate, write and finish in one pass, texts,
   comparison, files) of the shipped scenarios and of 60 generated ones, in CPU seconds, as
   a ratio to the floor: bare openpyxl writing the same cells with the same styles the fast way (one
   named style per role, one prototype cell per role and number format whose style array is
   copied to every cell), formulas without cached values. XlsxWriter writing the same cells
   with their values is a second reference when it is installed;
2. the same builds split into their stages, from one run;
3. linearity: one graded scenario with 1, 5 and 20 positions (five years) and with 5, 10 and
   16 years (one position); the CPU time per cell may grow by at most LINEARITY_TARGET from a
   smaller book to a larger one;
4. 400 generated scenarios built by the command line with `--jobs 2` and with `--jobs 1`:
   wall and CPU time (children included), the speed-up, and the peak memory of any process.

Every figure is printed with its target. Exits 1 when a target is missed, naming the stage
that grew or weighs most.
"""

from __future__ import annotations

import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark_floor import FloorBook, floor_book, write_floor, write_xlsxwriter  # noqa: E402

from kim_budget import loader  # noqa: E402
from kim_budget.files import write_all  # noqa: E402
from kim_budget.finish import Package  # noqa: E402
from kim_budget.formula import Expr  # noqa: E402
from kim_budget.model import Result, read_result  # noqa: E402
from kim_budget.pipeline import (  # noqa: E402
    build,
    comparison_bytes,
    without_cycle_collection,
)
from kim_budget.render import check_templates, render_texts  # noqa: E402
from kim_budget.scenario import Scenario  # noqa: E402
from kim_budget.workbook import (  # noqa: E402
    Book,
    lay_out_comparison,
    lay_out_results_comparison,
    lay_out_workbook,
)
from kim_budget.workbook.grid import BookEnv  # noqa: E402
from kim_budget.workbook.spec import SIDE_BY_SIDE_LIMIT  # noqa: E402
from kim_budget.workbook.writer import write_workbook  # noqa: E402

BUILD_RATIO_TARGET = 1.5
"""The full build's CPU time at most this many times the floor's."""
SHIPPED_CPU_PER_FOUR_TARGET = 1.0
"""CPU seconds per four shipped scenarios (the issue's "done when")."""
GRADED_20_TARGET = 1.0
"""Seconds (CPU) to build one scenario with 20 graded positions."""
LINEARITY_TARGET = 1.3
JOBS_SPEEDUP_TARGET = 1.7
MANY_WALL_TARGET = 30.0
MEMORY_TARGET = 1024**3
GENERATED = 60
MANY = 400
ROUNDS = 2
"""Each in-process measurement is repeated and its best (least CPU) run kept."""
STAGES = (
    "load",
    "validate",
    "lay out",
    "evaluate",
    "write",
    "texts",
    "comparison",
    "files",
)
SERIAL = ("load", "validate", "texts", "comparison", "files")
"""The stages the build of many scenarios runs in its main process, before or after the pool
of workers: their comparison is results-only (it reads their figures). The side-by-side
comparison of up to eight scenarios runs in the pool."""
FLAT = """title = "Szenario {number}: {fte:.3f} VZÄ ab {start}"
[horizon]
first_year = 2024
last_year = {last_year}
{positions}
[cost]
annual_cost_per_fte = 80000
[funding]
rate_per_fte = 57000
"""
GRADED = """title = "Szenario {number}: {count} Stellen nach TVöD über {years} Jahre"
[horizon]
first_year = 2024
last_year = {last_year}
{positions}
[cost]
increases = []
[funding]
rate_per_fte = 57000
"""
POSITION = """[[positions]]
name = "Stelle {index}"
fte = {fte:.3f}
start = "{start}"
{grade}
"""


# --- scenario files ----------------------------------------------------------------------------


def _positions(count: int, graded: bool, number: int) -> str:
    grade = 'grade = "S 12"\nstep = 1' if graded else ""
    return "".join(
        POSITION.format(
            index=index + 1,
            fte=0.5 + ((number + index) % 3) * 0.25,
            start=f"2024-{3 + (number + index) % 10:02}",
            grade=grade,
        )
        for index in range(count)
    )


def scenario_text(number: int, count: int = 1, years: int = 5, graded: bool = False) -> str:
    """A valid scenario file: `count` positions over `years` Haushaltsjahre from 2024."""
    template = GRADED if graded else FLAT
    fte = 0.25 + (number % 12) * 0.125
    return template.format(
        number=number,
        fte=fte,
        start=f"{2024 + number % 2}-{1 + number % 12:02}",
        count=count,
        years=years,
        last_year=2023 + years,
        positions=_positions(count, graded, number),
    )


def write_scenarios(folder: Path, texts: Sequence[str]) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for number, text in enumerate(texts, start=1):
        path = folder / f"szenario-{number:03}.toml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def generated_texts(count: int) -> list[str]:
    """A mix like a district's: mostly flat posts, some priced from the pay tables, one to
    three positions, five or ten years."""
    return [
        scenario_text(n, count=1 + n % 3, years=5 + 5 * (n % 4 == 0), graded=n % 3 == 0)
        for n in range(1, count + 1)
    ]


# --- stages ------------------------------------------------------------------------------------


@dataclass
class Clock:
    """CPU seconds per stage, each stage's own (a nested stage's time is not its parent's)."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    _nested: list[float] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.process_time()
        self._nested.append(0.0)
        try:
            yield
        finally:
            spent = time.process_time() - start
            inner = self._nested.pop()
            self.seconds[name] += spent - inner
            if self._nested:
                self._nested[-1] += spent

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


@contextmanager
def validation_timed(clock: Clock) -> Iterator[None]:
    """Time the loader's walk over the key table (validation) apart from reading the TOML."""
    original = loader._scenario  # the one seam between reading and validating

    def timed(*args: object) -> Scenario | None:
        with clock.stage("validate"):
            return original(*args)  # type: ignore[arg-type]

    loader._scenario = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        loader._scenario = original


@dataclass(frozen=True)
class Staged:
    """One staged build: CPU seconds per stage, the books it wrote and their cells."""

    seconds: dict[str, float]
    books: tuple[Book, ...]
    cells: int


def staged_build(paths: Sequence[Path], out: Path) -> Staged:
    """The build of `pipeline.build` (one job, no PDF), step by step with a clock per stage.
    Every formula is evaluated before writing, so "write" (the cells with their cached values,
    the other parts, the finished package in one pass) shows its own work."""
    clock = Clock()
    with validation_timed(clock), clock.stage("load"):
        scenarios = loader.validate(paths)
    with clock.stage("texts"):
        templates = check_templates(None)
    files: list[tuple[Path, bytes]] = []
    books: list[Book] = []
    results = []
    for scenario in scenarios:
        # as `pipeline.calculated_workbook` builds
        book, result, data = without_cycle_collection(_staged_workbook, scenario, clock)
        files.append((out / f"{scenario.stem}.xlsx", data))
        with clock.stage("texts"):
            texts = render_texts(result, templates)
        files += [(out / name, text.encode()) for name, text in texts.items()]
        books.append(book)
        results.append(result)
    if len(scenarios) > 1:
        with clock.stage("comparison"):
            files.append((out / "Szenarienvergleich.xlsx", comparison_bytes(scenarios, results)))
        books.append(_comparison_book(scenarios, results))
    with clock.stage("files"):
        write_all(files)
    cells = sum(len(sheet.cells) for book in books for sheet in book.sheets)
    return Staged(clock.seconds, tuple(books), cells)


def _staged_workbook(scenario: Scenario, clock: Clock) -> tuple[Book, Result, bytes]:
    with clock.stage("lay out"):
        layout = lay_out_workbook(scenario)
    env = BookEnv(layout.book)
    with clock.stage("evaluate"):
        evaluate_all(layout.book, env)
        result = read_result(layout.sheets, env)
    with clock.stage("write"), Package(layout.book, env) as package:
        write_workbook(layout.book, env, package)
    return layout.book, result, package.getvalue()


def evaluate_all(book: Book, env: BookEnv) -> None:
    """Every formula of the book, evaluated (and kept in `env` for the writer)."""
    for sheet in book.sheets:
        for (row, col), cell in sheet.cells.items():
            if isinstance(cell.content, Expr):
                env.value(sheet.name, row, col)


def _comparison_book(scenarios: Sequence[Scenario], results: Sequence[object]) -> Book:
    """The comparison's layout (for the floor; not timed)."""
    if len(scenarios) <= SIDE_BY_SIDE_LIMIT:
        return lay_out_comparison(scenarios)
    return lay_out_results_comparison(results)  # type: ignore[arg-type]


# --- measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    cpu: float
    wall: float


def timed(run: Callable[[], object]) -> Timing:
    """The best (least CPU) of ROUNDS runs, with that run's wall time."""
    best: Timing | None = None
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        timing = Timing(time.process_time() - cpu, time.perf_counter() - wall)
        best = timing if best is None or timing.cpu < best.cpu else best
    assert best is not None
    return best


def best_staged(paths: Sequence[Path], folder: Path) -> Staged:
    runs = [staged_build(paths, folder / f"staged-{n}") for n in range(ROUNDS)]
    return min(runs, key=lambda run: sum(run.seconds.values()))


@dataclass(frozen=True)
class BuildRun:
    """A set of scenarios: the build, its stages, and the floor, all in one run."""

    name: str
    count: int
    build: Timing
    stages: Staged
    floor: Timing
    xlsxwriter: Timing | None

    @property
    def ratio(self) -> float:
        return self.build.cpu / self.floor.cpu


def measure_set(name: str, paths: Sequence[Path], folder: Path) -> BuildRun:
    stages = best_staged(paths, folder)
    floors: list[FloorBook] = [floor_book(book) for book in stages.books]
    out = folder / "build"
    ours = timed(lambda: build(paths, out, jobs=1))
    floor = timed(lambda: [_like_ours(write_floor, book) for book in floors])
    reference = None
    if write_xlsxwriter is not None:
        writer = write_xlsxwriter
        reference = timed(lambda: [_like_ours(writer, book) for book in floors])
    return BuildRun(name, len(paths), ours, stages, floor, reference)


def _like_ours(write: Callable[[FloorBook], object], book: FloorBook) -> object:
    """A floor's workbook written as kim-budget writes its own: without the cyclic garbage
    collector's passes (the same advantage for both sides of the ratio)."""
    return without_cycle_collection(write, book)


def linearity(folder: Path) -> dict[str, list[tuple[str, Staged]]]:
    """Per-cell CPU of single graded scenarios growing in positions, and in years."""
    series = {
        "positions": [
            (f"{n} positions", scenario_text(1, count=n, graded=True)) for n in (1, 5, 20)
        ],
        "years": [(f"{n} years", scenario_text(1, years=n, graded=True)) for n in (5, 10, 16)],
    }
    found: dict[str, list[tuple[str, Staged]]] = {}
    for kind, points in series.items():
        for label, text in points:
            paths = write_scenarios(folder / kind / label.replace(" ", "-"), [text])
            found.setdefault(kind, []).append((label, best_staged(paths, folder / "runs")))
    return found


FILE_COUNTS = (150, 600, 2400)
"""Files written into one folder, as a build of 50, 200 and 800 scenarios writes them."""


def files_linearity(folder: Path) -> list[tuple[int, float]]:
    """CPU per file of writing FILE_COUNTS files of 20 kB into one folder (the best of
    ROUNDS), each set into a fresh folder."""
    found = []
    for count in FILE_COUNTS:
        best = math.inf
        for round_ in range(ROUNDS):
            out = folder / f"files-{count}-{round_}"
            payload = [(out / f"szenario-{n:04}.xlsx", bytes(20_000)) for n in range(count)]
            cpu = time.process_time()
            write_all(payload)
            best = min(best, time.process_time() - cpu)
            shutil.rmtree(out)
        found.append((count, best / count))
    return found


def report_files(found: list[tuple[int, float]], verdict: Verdict) -> None:
    print("\nlinearity (CPU per file written into one folder):")
    for count, per_file in found:
        print(f"  {count:,} files: {per_file * 1e3:.3f} ms per file")
    values = [per_file for _, per_file in found]
    pairs = [(i, j) for i in range(len(values)) for j in range(i + 1, len(values))]
    grown = max(values[j] / values[i] for i, j in pairs)
    verdict.check("per-file growth over files written", grown, LINEARITY_TARGET)


@dataclass(frozen=True)
class ManyRun:
    jobs: int
    wall: float
    cpu: float
    peak: int
    """The largest resident memory of the build's processes (bytes)."""


PEAK = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
"""A small process that runs a command and prints the peak memory (KiB) of it and its workers.
Measured from this benchmark's own process, a child's peak would count the pages it shares
with this large process between fork and exec."""


def many(folder: Path, jobs: int) -> ManyRun:
    """`kim-budget build` of MANY generated scenarios as a fresh process."""
    source = folder / "many"
    if not source.exists():
        write_scenarios(source, [scenario_text(n) for n in range(1, MANY + 1)])
    script = str(Path(sys.executable).parent / "kim-budget")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [script, "build", str(source), "-o", str(folder / f"out-{jobs}"), "--jobs", str(jobs)]
    measured = [sys.executable, "-c", PEAK, *command]
    done = subprocess.run(measured, cwd=ROOT, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return ManyRun(jobs, wall, cpu, int(done.stdout) * 1024)


# --- report ------------------------------------------------------------------------------------


@dataclass
class Verdict:
    """The targets checked so far and those missed."""

    missed: list[str] = field(default_factory=list)

    def check(
        self, what: str, value: float, target: float, unit: str = "×", at_least: bool = False
    ) -> bool:
        """Print a figure with its target (at most, or `at_least`); remember a miss."""
        ok = value >= target if at_least else value <= target
        relation = "≥" if at_least else "≤"
        mark = "ok" if ok else "MISSED"
        print(f"  {what}: {value:.2f}{unit} (target {relation} {target:g}{unit}) {mark}")
        if not ok:
            self.missed.append(what)
        return ok


def split_line(seconds: dict[str, float], per: float, unit: str) -> str:
    return ", ".join(f"{name} {value / per:.3g}{unit}" for name, value in seconds.items() if value)


def largest(seconds: dict[str, float]) -> str:
    return max(seconds, key=lambda name: seconds[name])


def report_set(run: BuildRun, verdict: Verdict) -> None:
    cells = run.stages.cells
    print(f"\n{run.name}: {run.count} scenarios, {cells:,} cells in the workbooks written")
    print(f"  build: {run.build.cpu:.2f} s CPU, {run.build.wall:.2f} s wall (one job)")
    print(
        f"  floor (bare openpyxl, fast path): {run.floor.cpu:.2f} s CPU, "
        f"{run.floor.wall:.2f} s wall"
    )
    if run.xlsxwriter is not None:
        print(
            f"  XlsxWriter with values: {run.xlsxwriter.cpu:.2f} s CPU "
            f"(build / XlsxWriter {run.build.cpu / run.xlsxwriter.cpu:.2f}×)"
        )
    else:
        print("  XlsxWriter is not installed: no second reference")
    print("  stages (CPU s): " + split_line(run.stages.seconds, 1, ""))
    print("  stages (× floor): " + split_line(run.stages.seconds, run.floor.cpu, "×"))
    verdict.check(
        f"{run.name}: full build / floor",
        run.ratio,
        BUILD_RATIO_TARGET,
    )
    if run.ratio > BUILD_RATIO_TARGET:
        print(f"    weighs most: {largest(run.stages.seconds)}")


def growth(points: list[tuple[str, Staged]], stage: str | None = None) -> float:
    """The most the per-cell CPU grows from a smaller book to a larger one."""

    def per_cell(run: Staged) -> float:
        value = run.seconds[stage] if stage else sum(run.seconds.values())
        return value / run.cells

    values = [per_cell(run) for _, run in points]
    return max(
        (
            values[j] / values[i]
            for i in range(len(values))
            for j in range(i + 1, len(values))
            if values[i]
        ),
        default=1.0,
    )


def report_linearity(found: dict[str, list[tuple[str, Staged]]], verdict: Verdict) -> None:
    print("\nlinearity (CPU per cell, one graded scenario):")
    for kind, points in found.items():
        for label, run in points:
            total = sum(run.seconds.values())
            print(
                f"  {label}: {run.cells:,} cells, {total:.2f} s CPU, "
                f"{total / run.cells * 1e6:.1f} µs per cell"
            )
        value = growth(points)
        verdict.check(f"per-cell growth over {kind}", value, LINEARITY_TARGET)
        grown = {stage: growth(points, stage) for stage in STAGES if points[-1][1].seconds[stage]}
        worst = max(grown, key=lambda stage: grown[stage])
        print(
            f"    grew most: {worst} ({grown[worst]:.2f}×); "
            + ", ".join(f"{s} {g:.2f}×" for s, g in grown.items())
        )
    twenty = sum(found["positions"][-1][1].seconds.values())
    verdict.check("20 graded positions, one build (CPU)", twenty, GRADED_20_TARGET, " s")


def report_many(runs: dict[int, ManyRun], generated: BuildRun, verdict: Verdict) -> None:
    print(f"\n{MANY} generated scenarios, command line (start-up and comparison included):")
    for run in runs.values():
        print(f"  --jobs {run.jobs}: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU (children)")
    speedup = runs[1].wall / runs[2].wall
    verdict.check(
        "--jobs 2 speed-up over --jobs 1",
        speedup,
        JOBS_SPEEDUP_TARGET,
        at_least=True,
    )
    serial = sum(generated.stages.seconds[s] for s in SERIAL)
    share = serial / sum(generated.stages.seconds.values())
    bound = 1 / (share + (1 - share) / 2)
    print(
        f"    in the main process, outside the pool: {share:.0%} of the CPU "
        f"({', '.join(SERIAL)}) → at most {bound:.2f}× with two workers"
    )
    verdict.check(
        f"{MANY} scenarios with --jobs 2, wall",
        runs[2].wall,
        MANY_WALL_TARGET,
        " s",
    )
    peak = max(run.peak for run in runs.values())
    verdict.check(
        "peak memory of any process",
        peak / 1024**2,
        MEMORY_TARGET / 1024**2,
        " MiB",
    )


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    print(f"load average before: {_load()} on {os.cpu_count()} cores")
    verdict = Verdict()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        shipped = sorted((ROOT / "scenarios").glob("*.toml"))
        generated = write_scenarios(folder / "generated", generated_texts(GENERATED))
        runs = [
            measure_set("shipped scenarios", shipped, folder / "a"),
            measure_set(f"{GENERATED} generated scenarios", generated, folder / "b"),
        ]
        for run in runs:
            report_set(run, verdict)
        per_four = runs[0].build.cpu / runs[0].count * 4
        verdict.check(
            "shipped build, CPU per four scenarios",
            per_four,
            SHIPPED_CPU_PER_FOUR_TARGET,
            " s",
        )
        report_linearity(linearity(folder / "c"), verdict)
        report_files(files_linearity(folder / "e"), verdict)
        report_many({jobs: many(folder / "d", jobs) for jobs in (2, 1)}, runs[1], verdict)
    print(f"\nload average after: {_load()}")
    print("targets missed: " + ", ".join(verdict.missed) if verdict.missed else "targets met")
    return 1 if verdict.missed else 0


if __name__ == "__main__":
    sys.exit(main())
