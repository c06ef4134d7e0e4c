"""Re-save workbooks unedited with LibreOffice or Gnumeric, as a treasurer without Excel does.

`resave_libreoffice` opens and saves as .xlsx (or another format LibreOffice writes) in one
headless soffice run, with a fresh private profile left at LibreOffice's defaults (as a user
has it; kim_budget.libreoffice forces recalculation on load instead). `resave_gnumeric` does the
same with Gnumeric's ssconvert, one file at a time, without ``--recalc`` (Gnumeric does not
recalculate a file when it opens it either).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kim_budget.libreoffice import soffice_command

TIMEOUT = 180.0
ENVIRONMENT = {**os.environ, "GSETTINGS_BACKEND": "memory"}


def _run(command: list[str]) -> None:
    done = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        env=ENVIRONMENT,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{command[0]} failed: {done.stderr}{done.stdout}"


def resave_libreoffice(
    paths: Sequence[Path], out: Path, target: str = "xlsx:Calc MS Excel 2007 XML"
) -> list[Path]:
    """Each workbook opened and saved by LibreOffice into the folder `out` (same stem)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None, "LibreOffice (soffice) is not installed"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="resave-profile-") as profile:
        _run(soffice_command(soffice, Path(profile), target, out, paths))
    suffix = "." + target.split(":")[0]
    saved = [out / f"{path.stem}{suffix}" for path in paths]
    missing = [str(path) for path in saved if not path.is_file()]
    assert not missing, f"LibreOffice did not save {missing}"
    return saved


def resave_gnumeric(paths: Sequence[Path], out: Path) -> list[Path]:
    """Each workbook opened and saved as .xlsx by Gnumeric into the folder `out`."""
    ssconvert = shutil.which("ssconvert")
    assert ssconvert is not None, "Gnumeric (ssconvert) is not installed"
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    for path in paths:
        target = out / f"{path.stem}.xlsx"
        _run(
            [
                ssconvert,
                "--import-type=Gnumeric_Excel:xlsx",
                "--export-type=Gnumeric_Excel:xlsx2",
                str(path.resolve()),
                str(target),
            ]
        )
        assert target.is_file(), f"Gnumeric did not save {path}"
        saved.append(target)
    return saved
