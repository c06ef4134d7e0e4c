"""kim-budget as someone installs it: a wheel built from the checkout, installed into a fresh
virtual environment outside it, run in an empty folder.

Nothing may come from the checkout: the wheel is built from a copy of it, the environment is
made in the system's temporary folder, and the commands run there with no PYTHONPATH. The run
is the newcomer's path from the README: init → build → verify → a treasurer changes the annual
cost on "Annahmen" → import → build again.

Figures by hand: 1,0 VZÄ × (80.000 € − 57.000 €) = 23.000 € a year; after the change to
82.000 €, 25.000 € a year.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from helpers import input_cell

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 180
"""Most seconds any one step may take (building the wheel installs its build backend)."""
_NOT_PACKAGED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "out", "*.egg-info", "__pycache__", ".*_cache"
)


@dataclass(frozen=True)
class Installed:
    """A fresh environment with the wheel installed, and an empty folder to work in."""

    venv: Path
    work: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A program of the environment (`kim-budget`, `python`) run in the work folder."""
        return _run([str(self.venv / "bin" / args[0]), *args[1:]], self.work)


def _environment() -> dict[str, str]:
    """This process's environment without what would point Python at the checkout."""
    hidden = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH"}
    return {name: value for name, value in os.environ.items() if name not in hidden}


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=SECONDS,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _checked(command: list[str], cwd: Path) -> None:
    done = _run(command, cwd)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """The wheel built from a copy of the checkout and installed with its dependencies (pip
    resolves them from the package index) into a fresh environment made without pip."""
    base = tmp_path_factory.mktemp("installed")
    assert ROOT not in base.parents, "the environment must be outside the checkout"
    source, wheels, venv, work = (base / name for name in ("source", "wheels", "venv", "work"))
    shutil.copytree(ROOT, source, ignore=_NOT_PACKAGED)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _checked([*pip, "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(source)], base)
    (wheel,) = wheels.glob("kim_budget-*.whl")
    _checked([sys.executable, "-m", "venv", "--without-pip", str(venv)], base)
    python = str(venv / "bin" / "python")
    _checked([*pip, "--python", python, "install", "--quiet", str(wheel)], base)
    shutil.rmtree(source)  # from here on, only the environment holds kim-budget
    _stray_templates(venv)
    work.mkdir()
    yield Installed(venv, work)


def _stray_templates(venv: Path) -> None:
    """Another distribution's top-level `templates` folder beside kim_budget in site-packages
    (some put one there): kim-budget must keep to its own."""
    (site,) = venv.glob("lib/python*/site-packages")
    (site / "templates").mkdir()
    for name in ("finanzielle-auswirkungen.html.j2", "finanzielle-auswirkungen.txt.j2"):
        (site / "templates" / name).write_text("{{ fremd }", encoding="utf-8")


def test_the_package_comes_from_the_environment(installed: Installed) -> None:
    code = (
        "import kim_budget, kim_budget.render as r, kim_budget.pay as p; "
        "print(kim_budget.__file__); print(r.DEFAULT_TEMPLATES); "
        "print(len(p.shipped_rules().pay_tables))"
    )
    done = installed.run("python", "-c", code)
    assert done.returncode == 0, done.stderr
    module, templates, tables = done.stdout.splitlines()
    package = Path(module).resolve().parent
    assert package.is_relative_to(installed.venv.resolve()), module
    assert not package.is_relative_to(ROOT), module
    assert Path(templates).resolve() == package / "templates"  # not another templates/
    assert sorted(p.name for p in Path(templates).iterdir()) == [
        "finanzielle-auswirkungen.html.j2",
        "finanzielle-auswirkungen.txt.j2",
    ]
    assert int(tables) > 0  # kim_budget/data/tvoed.toml came along
    version = installed.run("kim-budget", "--version")
    assert version.stdout == "kim-budget, version 0.1.0\n"


def test_init_build_verify_import_build(installed: Installed) -> None:
    work = installed.work
    first = date.today().year + 1
    years = range(first, first + 5)

    done = installed.run("kim-budget", "init")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "Weiter: kim-budget build szenario.toml"

    done = installed.run("kim-budget", "build", "szenario.toml")
    assert done.returncode == 0, done.stderr
    shares = ", ".join(f"{year}: 23.000,00 €" for year in years)  # 80.000 € − 57.000 €
    assert done.stdout.splitlines()[0] == f"out/szenario.xlsx: Eigenanteil {shares}"
    html = (work / "out" / "szenario.finanzielle-auswirkungen.html").read_text(encoding="utf-8")
    assert "Eigenanteil" in html and "23.000" in html  # the shipped template, rendered

    done = installed.run("kim-budget", "verify", "--no-engine", "out/szenario.xlsx")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "1 workbook checked: OK"

    workbook = work / "out" / "szenario.xlsx"
    book = openpyxl.load_workbook(workbook)
    book["Annahmen"][input_cell(book, "cost.annual_cost_per_fte")] = 82000
    book.save(workbook)
    done = installed.run("kim-budget", "import", "out/szenario.xlsx")
    assert done.returncode == 0, done.stderr
    assert "cost.annual_cost_per_fte: 80000 → 82000" in done.stdout
    text = (work / "szenario.toml").read_text(encoding="utf-8")
    assert "annual_cost_per_fte = 82000" in text
    assert "# Personalkosten in € je VZÄ und Jahr" in text  # the comments stay

    done = installed.run("kim-budget", "build", "szenario.toml")
    assert done.returncode == 0, done.stderr
    shares = ", ".join(f"{year}: 25.000,00 €" for year in years)  # 82.000 € − 57.000 €
    assert done.stdout.splitlines()[0] == f"out/szenario.xlsx: Eigenanteil {shares}"
