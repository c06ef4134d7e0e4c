"""`kim-budget build --jobs N`: workbooks built in worker processes are the same files, printed
in the same order, as those of a build with one job."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from kim_budget.cli import main

SHIPPED = Path(__file__).parent.parent / "scenarios"


def build(out: Path, *options: str) -> tuple[int, str, dict[str, bytes]]:
    """Exit code, printed lines (with the folder blanked) and the files of one build."""
    result = CliRunner().invoke(main, ["build", str(SHIPPED), "-o", str(out), *options])
    written = {name: (out / name).read_bytes() for name in sorted(os.listdir(out))}
    return result.exit_code, result.output.replace(str(out), "OUT"), written


def test_parallel_build_writes_the_same_bytes_and_lines_as_one_job(tmp_path: Path) -> None:
    one = build(tmp_path / "one", "--jobs", "1")
    two = build(tmp_path / "two", "--jobs", "2")
    default = build(tmp_path / "default")
    assert one[0] == two[0] == default[0] == 0, one[1] + two[1]
    assert len(one[2]) == 8 * 3 + 1  # workbook and two texts per scenario, the comparison
    assert two == one
    assert default == one


def test_jobs_must_be_a_positive_number(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(SHIPPED), "-o", str(tmp_path), "--jobs", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '-j' / '--jobs': 0 is not in the range x>=1." in result.output
    assert not any(tmp_path.iterdir())
