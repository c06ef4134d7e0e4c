"""Benchmark: building the shipped scenarios, and how light `kim-budget --help` is.

Run with `.venv/bin/python scripts/benchmark.py`. Targets: the four shipped scenarios build in
under a second of wall time (the whole command, start-up included) on a 2-core machine, and
`--help` does not import openpyxl. Exits 1 when a target is missed. Not part of the test suite:
timings belong here, not in tests.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_TARGET_SECONDS = 1.0
RUNS = 5
HELP_PROBE = (
    "import sys\n"
    "from kim_budget.cli import main\n"
    "try:\n"
    "    main(['--help'])\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('openpyxl' in sys.modules, 'jinja2' in sys.modules, file=sys.stderr)\n"
)


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def build_seconds() -> list[float]:
    """Wall time of `kim-budget build scenarios/` as a fresh process, several runs."""
    script = str(Path(sys.executable).parent / "kim-budget")
    with tempfile.TemporaryDirectory() as out:
        return [_timed([script, "build", "scenarios", "-o", out]) for _ in range(RUNS)]


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
    """Print the measurements; 1 when a target is missed."""
    runs = build_seconds()
    median = statistics.median(runs)
    what = "build scenarios/ (workbooks, texts, comparison)"
    print(f"{what}: median {median:.3f} s, best {min(runs):.3f} s")
    openpyxl, jinja2, help_time = help_imports()
    print(f"--help: {help_time:.3f} s; imports openpyxl: {openpyxl}; imports jinja2: {jinja2}")
    missed = median >= BUILD_TARGET_SECONDS or openpyxl or jinja2
    print("targets missed" if missed else "targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
