"""The build: load and validate every scenario, compute, lay out, write, finish.

Everything is checked and produced in memory before the first file is written, so invalid
input writes nothing; each file is then replaced atomically.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

from kim_budget.district import District, ScenarioPlan, load_district, scenario_text
from kim_budget.errors import (
    InternalError,
    KimBudgetError,
    OutputError,
    ScenarioErrors,
)
from kim_budget.files import path_kind, write_all
from kim_budget.finish import Package
from kim_budget.loader import load_scenario, validate
from kim_budget.messages import printable
from kim_budget.model import Result, compute, read_result
from kim_budget.pdf import COMPARISON_SHEETS, SCENARIO_SHEETS, render_pdfs, require_printer
from kim_budget.render import check_templates, render_texts
from kim_budget.rules import COMPARISON
from kim_budget.scenario import DEFAULT_ANNUAL_COST, Scenario
from kim_budget.workbook import (
    Book,
    lay_out_comparison,
    lay_out_results_comparison,
    lay_out_workbook,
)
from kim_budget.workbook.grid import BookEnv
from kim_budget.workbook.spec import SIDE_BY_SIDE_LIMIT
from kim_budget.workbook.verteilung import Distribution, lay_out_district, read_distribution
from kim_budget.workbook.writer import write_workbook

T = TypeVar("T")


@dataclass(frozen=True)
class Output:
    """One file the build wrote, with the result it shows (None for the comparison)."""

    path: Path
    result: Result | None


def finished_bytes(book: Book, env: BookEnv | None = None) -> bytes:
    """The finished .xlsx file of a laid-out book, written in one pass."""
    env = env or BookEnv(book)  # one evaluation for the widths and the cached values
    with Package(book, env) as package:
        write_workbook(book, env, package)
    return package.getvalue()


def without_cycle_collection(work: Callable[..., T], *args: object) -> T:
    """`work(*args)` with reference counting alone, the cyclic collector resumed after.

    Laying out and evaluating a book allocates hundreds of thousands of small expression
    nodes, none in a cycle; the collector's passes over the growing heap made the time per
    cell grow with the size of the book (a third of the layout of one graded position, half
    of twenty). `work` returns before the collector resumes, so its nodes are freed first:
    resumed over a heap that still held them, the collector's first pass would walk them all.
    The few cycles `work` leaves (openpyxl's sheets and their workbook) are collected right
    away: the next build would switch the collector off again before it ran, and workbooks
    built one after the other would pile up theirs (400 scenarios with one job: 250 MiB).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return work(*args)
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)


def calculated_workbook(scenario: Scenario, sensitivity: bool = True) -> tuple[Result, bytes]:
    """A scenario's figures and its finished .xlsx file, from one layout evaluated once
    (without `sensitivity`: no "Sensitivität" and "Varianten")."""
    return without_cycle_collection(_calculated_workbook, scenario, sensitivity)


def _calculated_workbook(scenario: Scenario, sensitivity: bool) -> tuple[Result, bytes]:
    layout = lay_out_workbook(scenario, sensitivity)
    env = BookEnv(layout.book)
    return read_result(layout.sheets, env), finished_bytes(layout.book, env)


def workbook_bytes(scenario: Scenario) -> bytes:
    """The finished .xlsx file of one scenario."""
    return calculated_workbook(scenario)[1]


def comparison_bytes(scenarios: Sequence[Scenario], results: Sequence[Result] = ()) -> bytes:
    """The finished comparison workbook of several scenarios: each scenario's sheets inside up
    to `spec.SIDE_BY_SIDE_LIMIT` scenarios, else results-only (from `results`, the scenarios'
    figures in the same order, computed when not given)."""
    return without_cycle_collection(_comparison_bytes, scenarios, results)


def _comparison_bytes(scenarios: Sequence[Scenario], results: Sequence[Result]) -> bytes:
    if len(scenarios) <= SIDE_BY_SIDE_LIMIT:
        return finished_bytes(lay_out_comparison(scenarios))
    if len(results) != len(scenarios):
        results = [compute(scenario) for scenario in scenarios]
    return finished_bytes(lay_out_results_comparison(results))


def default_jobs() -> int:
    """The number of worker processes a build uses unless told: the machine's cores."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class _Built:
    """Each scenario's figures and workbook, in order, and the comparison workbook (None for a
    single scenario)."""

    workbooks: list[tuple[Result, bytes]]
    comparison: bytes | None


def _built(scenarios: Sequence[Scenario], jobs: int, sensitivity: bool) -> _Built:
    """Every workbook of the build; with jobs > 1 in worker processes, the side-by-side
    comparison among them (it needs no scenario's results, so it starts first, as the largest
    piece of work, instead of waiting for the others).

    The workers run the same pure functions, so the bytes are those of a build with one job.
    """
    several = len(scenarios) > 1
    if jobs <= 1 or not several:
        workbooks = [calculated_workbook(scenario, sensitivity) for scenario in scenarios]
        results = [result for result, _ in workbooks]
        return _Built(workbooks, comparison_bytes(scenarios, results) if several else None)
    side_by_side = len(scenarios) <= SIDE_BY_SIDE_LIMIT
    workers = min(jobs, len(scenarios) + side_by_side)
    with ProcessPoolExecutor(max_workers=workers, initializer=end_with_parent) as pool:
        comparison = pool.submit(_in_worker, comparison_bytes, scenarios) if side_by_side else None
        one = partial(calculated_workbook, sensitivity=sensitivity)
        workbooks = list(pool.map(_in_worker, [one] * len(scenarios), scenarios))
        if comparison is not None:
            return _Built(workbooks, comparison.result())
    results = [result for result, _ in workbooks]
    return _Built(workbooks, comparison_bytes(scenarios, results))


def _in_worker(work: Callable[..., T], *args: object) -> T:
    """`work` in a worker process, whose failure must cross back to the parent: as an error of
    kim-budget's own kinds, which carry nothing but their message."""
    try:
        return work(*args)
    except InternalError as defect:
        raise InternalError(str(defect)) from None
    except KimBudgetError as error:
        raise KimBudgetError(str(error)) from None
    except Exception as error:
        raise InternalError(f"{type(error).__name__}: {error}") from None


def end_with_parent() -> None:
    """In a worker process: end it when the process that started it is gone (killed), instead
    of living on; a watch that looks every half second."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def build(
    paths: Sequence[Path],
    out: Path,
    *,
    pdf: bool = False,
    templates: Path | None = None,
    jobs: int = 1,
    sensitivity: bool = True,
) -> list[Output]:
    """Build into `out` a workbook and the "Finanzielle Auswirkungen" texts per scenario,
    and a comparison workbook when there are several.

    `templates`: a folder with a city's own wording (default: the shipped templates). With
    `pdf`, also a PDF of each workbook for the council paper's annex. `jobs`: worker processes
    for the workbooks (outputs and their order do not depend on it). Without `sensitivity`, the
    workbooks leave out "Sensitivität" and "Varianten" (for the largest builds). Everything is
    produced in memory first: nothing is written if any input is invalid or any output fails.
    """
    scenarios = validate(paths)
    if path_kind(out) == "file":
        raise OutputError(
            f"{printable(str(out))}: is a file, not a folder; name a folder for the workbooks"
        )
    if pdf:
        require_printer()
    compiled = check_templates(templates)
    prepared: list[tuple[Output, bytes]] = []
    built = _built(scenarios, jobs, sensitivity)
    for scenario, (result, workbook) in zip(scenarios, built.workbooks, strict=True):
        prepared.append((Output(out / f"{scenario.stem}.xlsx", result), workbook))
        prepared += [
            (Output(out / name, result), text.encode("utf-8"))
            for name, text in render_texts(result, compiled).items()
        ]
    if built.comparison is not None:
        prepared.append((Output(out / f"{COMPARISON}.xlsx", None), built.comparison))
    if pdf:
        prepared += _pdfs([(o, data) for o, data in prepared if o.path.suffix == ".xlsx"])
    write_all([(output.path, data) for output, data in prepared])
    return [output for output, _ in prepared]


def _pdfs(workbooks: list[tuple[Output, bytes]]) -> list[tuple[Output, bytes]]:
    """A PDF beside each workbook: Übersicht and Haushalt, or the Vergleich sheet."""
    books = {
        output.path.stem: (data, SCENARIO_SHEETS if output.result else COMPARISON_SHEETS)
        for output, data in workbooks
    }
    pdfs = render_pdfs(books)
    return [
        (Output(output.path.with_suffix(".pdf"), output.result), pdfs[output.path.stem])
        for output, _ in workbooks
    ]


# ---------------------------------------------------------------- a district's distribution


@dataclass(frozen=True)
class Distributed:
    """What `distribute` wrote: the workbook, its figures, the scenario files written, the
    existing ones it left alone and the municipalities whose rounded share is 0 VZÄ (no file)."""

    workbook: Path
    distribution: Distribution
    scenarios: tuple[Path, ...] = ()
    skipped: tuple[Path, ...] = ()
    no_share: tuple[str, ...] = ()


def distribution_workbook(district: District) -> tuple[Distribution, bytes]:
    """A district's figures and its finished distribution workbook, from one layout."""
    return without_cycle_collection(_distribution_workbook, district)


def _distribution_workbook(district: District) -> tuple[Distribution, bytes]:
    laid = lay_out_district(district)
    env = BookEnv(laid.book)
    return read_distribution(district, laid, env), finished_bytes(laid.book, env)


def distribute(
    path: Path,
    out: Path,
    *,
    scenarios: Path | None = None,
    plan: ScenarioPlan | None = None,
) -> Distributed:
    """Write `out/Verteilung-<stem>.xlsx` for a district file; with `scenarios`, also one
    scenario file per municipality there (never replacing an existing file; none for a
    municipality whose rounded share is 0 VZÄ).

    Everything is checked and produced in memory first, every generated scenario file with the
    loader's rules: nothing is written on any error, and the workbook and the scenario files
    are written together or not at all.
    """
    district = load_district(path)
    for folder in (out, scenarios):
        if folder is not None and path_kind(folder) == "file":
            raise OutputError(f"{printable(str(folder))}: is a file, not a folder; name a folder")
    distribution, data = distribution_workbook(district)
    files: list[tuple[Path, bytes]] = []
    no_share: list[str] = []
    if scenarios is not None:
        plan = plan or default_plan(district)
        for municipality, row in zip(district.municipalities, distribution.rows, strict=True):
            if municipality.remainder:
                continue
            if row.rounded == 0:
                no_share.append(municipality.name)
                continue
            target = scenarios / f"{municipality.slug}.toml"
            text = scenario_text(district, municipality, row.rounded, plan).encode("utf-8")
            _require_valid(target, text)
            files.append((target, text))
    workbook = out / f"Verteilung-{district.stem}.xlsx"
    kept = {target for target, _ in files}
    written = write_all([(workbook, data), *files], keep=kept)
    made = tuple(target for target, _ in files if target in written)
    skipped = tuple(target for target, _ in files if target not in written)
    return Distributed(workbook, distribution, made, skipped, tuple(no_share))


def _require_valid(target: Path, text: bytes) -> None:
    """A generated scenario file must pass the loader; if not, kim-budget has a defect."""
    try:
        load_scenario(target, raw=text)
    except ScenarioErrors as errors:
        raise InternalError(f"the generated scenario file {target} is invalid: {errors}") from None


def default_plan(district: District, start: date | None = None) -> ScenarioPlan:
    """The scenario files' defaults: from January of the district's year (or `start`), five
    Haushaltsjahre, the council paper's annual cost of about 80,000 € per VZÄ."""
    start = start or date(district.year, 1, 1)
    return ScenarioPlan(start, start.year, start.year + 4, DEFAULT_ANNUAL_COST)
