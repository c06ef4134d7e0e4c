"""Command line: `kim-budget init`, `build`, `distribute`, `validate`, `verify`, `import`.

Parses, calls the library, prints. Every failure becomes a message in one place (`_reported`):
a user's mistake or an unusable file "Error: …" and exit status 1, a defect "Error: internal
error: …; please report …" and exit status 2 — never a traceback. Every line printed is one
line: control characters in file names and texts from files are shown escaped (`printable`).

Heavy modules are imported inside the commands so that `--help` stays fast.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kim_budget import __version__
from kim_budget.errors import EngineError, InternalError, KimBudgetError, ScenarioErrors
from kim_budget.messages import printable, shorten

if TYPE_CHECKING:
    from kim_budget.scenario import Scenario

T = TypeVar("T")
DESCRIPTIONS = {
    ".html": "Finanzielle Auswirkungen (HTML)",
    ".txt": "Finanzielle Auswirkungen (Text)",
    ".pdf": "PDF",
}
REPORT = "please report this, with the scenario files and the command you ran"
PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
SHOWN_PROBLEMS = 100
"""Problems listed one by one; beyond them, their number."""
_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
}


def out_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The -o/--out option of the commands that write files (default out/)."""
    return click.option(
        "-o",
        "--out",
        type=click.Path(path_type=Path),
        default=Path("out"),
        show_default=True,
        help=help_text,
    )


def _count(number: int, noun: str) -> str:
    """2, "workbook" → "2 workbooks"."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _say(text: str, *, err: bool = False) -> None:
    """Print one line; a text from a file can neither break it nor hide part of it."""
    click.echo(printable(text), err=err)


def _fail(text: str, status: int = 1) -> None:
    _say(f"Error: {text}", err=True)
    raise SystemExit(status)


def _warn(scenarios: Iterable[Scenario]) -> None:
    """Print each scenario's warnings (allowed values that are probably not meant) once."""
    seen: set[Path] = set()
    for scenario in scenarios:
        if scenario.path not in seen:
            seen.add(scenario.path)
            for warning in scenario.warnings:
                _say(f"Warning: {warning}", err=True)


def _report_problems(errors: ScenarioErrors) -> None:
    for error in errors.errors[:SHOWN_PROBLEMS]:
        _say(f"Error: {error}", err=True)
    hidden = len(errors.errors) - SHOWN_PROBLEMS
    if hidden > 0:
        _say(f"Error: … and {_count(hidden, 'more problem')}", err=True)
    _say(f"{_count(len(errors.errors), 'problem')} found; nothing was written.", err=True)


def _engine_output(error: KimBudgetError) -> None:
    """The first line of an error's message, then the output of the program it quotes (a
    spreadsheet engine's), each line indented and escaped."""
    first, *rest = str(error).split("\n")
    _say(f"Error: {first}", err=True)
    for line in rest:
        _say(f"  {shorten(line, 500)}", err=True)


def _os_error(error: OSError) -> str:
    reason = _OS_REASONS.get(error.errno or 0) or error.strerror or str(error)
    where = error.filename if error.filename is not None else ""
    return f"{where}: {reason}" if where else str(reason)


@contextlib.contextmanager
def _reported() -> Iterator[None]:
    """Turn every failure into a message and an exit status (see the module's docstring)."""
    try:
        yield
    except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
        raise
    except InternalError as defect:
        _fail(f"internal error: {defect}; {REPORT}", 2)
    except ScenarioErrors as errors:
        _report_problems(errors)
        raise SystemExit(1) from None
    except EngineError as error:
        _engine_output(error)
        raise SystemExit(1) from None
    except KimBudgetError as error:
        _fail(str(error))
    except BrokenPipeError:  # the reader of the output went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as error:
        _fail(_os_error(error))
    except MemoryError:
        _fail("out of memory; the input is larger than this machine can handle")
    except KeyboardInterrupt:
        _say("Interrupted; files already written are complete, nothing is half-written.", err=True)
        raise SystemExit(130) from None
    except Exception as error:
        reason = shorten(f"{type(error).__name__}: {error}", 300)
        _fail(f"internal error: {reason}; {REPORT}", 2)


def _run(action: Callable[[], T]) -> T:
    """Call the library; failures become messages (`_reported`)."""
    with _reported():
        return action()
    raise AssertionError("unreachable")  # pragma: no cover - _reported raises or returns


class _Commands(click.Group):
    """The command group; whatever escapes a command is reported, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from kim_budget.files import remove_left_behind_work

        with _reported():
            remove_left_behind_work()
            return super().invoke(ctx)
        raise AssertionError("unreachable")  # pragma: no cover


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kim-budget")
def main() -> None:
    """Budget workbooks for KIM case-management posts (Kommunales Integrationsmanagement NRW).

    Reads scenario files (TOML, one staffing option each) and writes formula-backed Excel
    workbooks with personnel cost, funding and the municipality's share per budget year.
    """


@main.command(short_help="Write a commented starter scenario file.")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--municipality", help="The municipality (Kommune), e.g. 'Stadt Siegburg'.")
@click.option("--fte", type=float, help="VZÄ of the post, 0 < fte ≤ 20 (default 1.0).")
@click.option(
    "--start", metavar="YYYY-MM", help="First month the post is filled (default: next January)."
)
@click.option(
    "--grade", help="Price the post from the TVöD pay tables in this grade (e.g. 'S 12')."
)
@click.option("--step", type=int, help="With --grade: the Stufe at the start, 1–6 (default 1).")
@click.option(
    "--annual-cost",
    type=float,
    help="€ per VZÄ and year, the employer's total (default 80000, the council paper's "
    "ca. 80 T€); not with --grade.",
)
@click.option("--first-year", type=int, help="First Haushaltsjahr (default: the start's year).")
@click.option("--last-year", type=int, help="Last Haushaltsjahr (default: first year + 4).")
def init(
    file: Path | None,
    municipality: str | None,
    fte: float | None,
    start: str | None,
    grade: str | None,
    step: int | None,
    annual_cost: float | None,
    first_year: int | None,
    last_year: int | None,
) -> None:
    """Write a starter scenario FILE (default szenario.toml), every key commented in German.

    Without options: 1,0 VZÄ from January of next year, 80,000 € cost and 57,000 € KIM funding
    per VZÄ and year, five Haushaltsjahre. The file is checked like any scenario file before it
    is written; an existing file is never replaced.
    """
    from kim_budget.starter import DEFAULT_FILE, Starter, write_starter

    target = file if file is not None else DEFAULT_FILE
    options = Starter(municipality, fte, start, grade, step, annual_cost, first_year, last_year)
    scenario = _run(lambda: write_starter(target, options))
    _say(f"{target}: Szenario geschrieben ({scenario.title})")
    _say(f"Weiter: kim-budget build {shlex.quote(str(target))}")


@main.command(short_help="Build workbooks and council texts from scenario files.")
@PATHS
@out_option("Folder for the workbooks.")
@click.option("--pdf", is_flag=True, help="Also print each workbook to PDF (needs LibreOffice).")
@click.option(
    "--templates",
    type=click.Path(path_type=Path),
    help="Folder with your own finanzielle-auswirkungen.html.j2 and .txt.j2 templates.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes for the workbooks (default: the number of cores); same files.",
)
@click.option(
    "--no-sensitivity",
    is_flag=True,
    help="Leave out the sheets Sensitivität and Varianten (smaller, faster workbooks).",
)
def build(
    paths: tuple[Path, ...],
    out: Path,
    pdf: bool,
    templates: Path | None,
    jobs: int | None,
    no_sensitivity: bool,
) -> None:
    """Build a workbook and council texts per scenario file (PATHS: files or folders;
    default scenarios/).

    Writes <name>.xlsx and <name>.finanzielle-auswirkungen.html/.txt per scenario; with two or
    more scenarios also Szenarienvergleich.xlsx, the options side by side.
    """
    from kim_budget import german, pipeline

    def run_build() -> list[pipeline.Output]:
        scenarios = paths or (Path("scenarios"),)
        workers = pipeline.default_jobs() if jobs is None else jobs
        return pipeline.build(
            scenarios,
            out,
            pdf=pdf,
            templates=templates,
            jobs=workers,
            sensitivity=not no_sensitivity,
        )

    outputs = _run(run_build)
    _warn(output.result.scenario for output in outputs if output.result is not None)
    for output in outputs:
        if output.path.suffix != ".xlsx":
            _say(f"{output.path}: {DESCRIPTIONS.get(output.path.suffix, 'geschrieben')}")
            continue
        if output.result is None:
            count = sum(1 for o in outputs if o.result is not None and o.path.suffix == ".xlsx")
            _say(f"{output.path}: Vergleich von {count} Szenarien")
            continue
        shares = ", ".join(f"{y.year}: {german.euro(y.eigenanteil)}" for y in output.result.years)
        _say(f"{output.path}: Eigenanteil {shares}")


def _month(text: str | None) -> date | None:
    """--start YYYY-MM as the first day of that month."""
    if text is None:
        return None
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise click.BadParameter(f"must be a month YYYY-MM, got {text!r}") from None


@main.command(short_help="Distribute a district's posts by population.")
@click.argument("district", type=click.Path(path_type=Path))
@out_option("Folder for the workbook.")
@click.option(
    "--scenarios",
    type=click.Path(path_type=Path),
    help="Also write one scenario file per municipality into this folder (never replaced).",
)
@click.option("--start", help="Month the municipalities' posts start (YYYY-MM; default: January).")
@click.option("--first-year", type=click.IntRange(2000, 2100), help="First Haushaltsjahr.")
@click.option("--last-year", type=click.IntRange(2000, 2100), help="Last Haushaltsjahr.")
@click.option(
    "--annual-cost",
    type=click.FloatRange(min=1000, max=10_000_000),
    default=80_000.0,
    show_default=True,
    help="Annual cost per VZÄ in the scenario files (the council paper's ca. 80 T€).",
)
def distribute(
    district: Path,
    out: Path,
    scenarios: Path | None,
    start: str | None,
    first_year: int | None,
    last_year: int | None,
    annual_cost: float,
) -> None:
    """Write Verteilung-<name>.xlsx for a DISTRICT file: each municipality's share of the
    district's posts by population, the funding passed on and the refund for unfilled posts.
    """
    from kim_budget import german, pipeline
    from kim_budget.district import ScenarioPlan, load_district

    begin = _month(start)

    def run() -> pipeline.Distributed:
        plan = None
        if scenarios is not None:
            loaded = load_district(district)
            default = pipeline.default_plan(loaded, begin)
            first = first_year if first_year is not None else default.first_year
            last = last_year if last_year is not None else max(first, default.last_year)
            plan = ScenarioPlan(default.start, first, last, annual_cost)
        return pipeline.distribute(district, out, scenarios=scenarios, plan=plan)

    done = _run(run)
    figures = done.distribution
    _say(
        f"{done.workbook}: {german.vzae(figures.posts)}, Förderung {german.euro(figures.funding)}, "
        f"weitergeleitet {german.euro(figures.passed_on)}, "
        f"Erstattung {german.euro(figures.refund)}"
    )
    for path in done.scenarios:
        _say(f"{path}: Szenario geschrieben")
    for path in done.skipped:
        _say(f"{path}: exists; left alone", err=True)
    for name in done.no_share:
        _say(f"{name}: rounded share 0 VZÄ; no scenario file written", err=True)


@main.command(short_help="Check scenario files; write nothing.")
@PATHS
def validate(paths: tuple[Path, ...]) -> None:
    """Check scenario files, write nothing (PATHS: files or folders; default scenarios/)."""
    from kim_budget.loader import validate

    scenarios = _run(lambda: validate(paths or (Path("scenarios"),)))
    _warn(scenarios)
    for scenario in scenarios:
        _say(f"{scenario.path}: OK ({scenario.title})")


@main.command(short_help="Check generated workbooks against the model rules.")
@PATHS
@click.option(
    "--require-engine",
    is_flag=True,
    help="Fail when LibreOffice is missing instead of skipping the recalculation check.",
)
@click.option("--no-engine", is_flag=True, help="Skip the LibreOffice recalculation (faster).")
def verify(paths: tuple[Path, ...], require_engine: bool, no_engine: bool) -> None:
    """Check generated workbooks against the model rules (PATHS: .xlsx files or folders;
    default out/).

    Formula rules, structure, protection, validation, print setup, the master check and, with
    LibreOffice, a forced recalculation that must reproduce every cached value.
    """
    from kim_budget.verify import verify_workbooks

    report = verify_workbooks(
        paths or (Path("out"),), require_engine=require_engine, use_engine=not no_engine
    )
    for finding in report.findings:
        _say(str(finding))
    if report.engine_skipped and not no_engine:
        _say("LibreOffice is not installed: the recalculation check was skipped.", err=True)
    if report.recalculated:
        recalculated = _count(len(report.recalculated), "workbook")
        unconfirmed = len(report.recalculated) - len(report.confirmed)
        outcome = (
            "every cached value confirmed"
            if not unconfirmed
            else f"{_count(unconfirmed, 'workbook')} with cached values it did not confirm (E1)"
        )
        click.echo(f"LibreOffice recalculated {recalculated}: {outcome}.")
    checked = _count(len(report.checked), "workbook")
    if report.ok:
        click.echo(f"{checked} checked: OK")
        return
    click.echo(f"{_count(len(report.findings), 'finding')} in {checked}.", err=True)
    raise SystemExit(1)


@main.command("import", short_help="Bring a workbook's edited inputs back into its scenario file.")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option(
    "--scenario",
    type=click.Path(path_type=Path),
    help="The scenario file to update (default: the one named on the workbook's cover).",
)
@click.option("--dry-run", is_flag=True, help="Print the changes; write nothing.")
@click.option(
    "--force", is_flag=True, help="Import even if the scenario file changed since the build."
)
def import_(workbook: Path, scenario: Path | None, dry_run: bool, force: bool) -> None:
    """Write the inputs changed on "Annahmen" of WORKBOOK into its scenario file, keeping the
    file's comments and layout; prints one line per change.

    The new values are checked with the rules of `validate` first; nothing is written when one
    is invalid, and the file is replaced atomically.
    """
    from kim_budget.importer import import_workbook

    result = _run(lambda: import_workbook(workbook, scenario, dry_run=dry_run, force=force))
    for change in result.changes:
        _say(str(change))
    if not result.changes:
        _say(f"{result.scenario}: nothing changed")
    elif result.written:
        _say(f"{result.scenario}: {_count(len(result.changes), 'change')} written")
    else:
        _say(f"{result.scenario}: dry run, nothing written")
