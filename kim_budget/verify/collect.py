"""Finding the workbooks to check: files as given, folders' visible *.xlsx files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kim_budget.files import hidden, path_kind
from kim_budget.verify.report import Finding


def collect(paths: Sequence[Path]) -> tuple[list[Path], list[Finding]]:
    """The workbook files named or found in the folders named, and what was not found.

    A folder's workbooks are its ``*.xlsx`` entries that are not hidden (temporary files, Office
    lock files ``~$…``); one that is no regular file is read, and so reported, like any other."""
    files: list[Path] = []
    findings: list[Finding] = []
    if not paths:
        findings.append(Finding(Path("."), "", "", "W0", "no workbook given"))
    for path in paths:
        kind = path_kind(path)
        if kind == "folder":
            try:
                found = sorted(
                    entry
                    for entry in path.iterdir()
                    if entry.suffix.lower() == ".xlsx" and not hidden(entry)
                )
            except OSError as error:
                findings.append(
                    Finding(path, "", "", "W0", f"cannot list the folder: {error.strerror}")
                )
                continue
            if not found:
                findings.append(Finding(path, "", "", "W0", "no workbook (*.xlsx) in this folder"))
            files.extend(found)
        elif kind == "file":
            files.append(path)
        else:
            findings.append(Finding(path, "", "", "W0", "no such file or folder"))
    return list(dict.fromkeys(files)), findings
