"""Writing outputs: what killed runs left in a folder is cleared once per write, not per file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kim_budget import files
from kim_budget.files import TEMP_PREFIX, TEMP_SUFFIX, write_all


def test_a_folder_is_cleared_of_left_behind_files_once_not_once_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build of 400 scenarios writes 1,200 files into one folder: looking there for files of
    killed runs before each of them looked at every temporary file staged before it."""
    out, other = tmp_path / "out", tmp_path / "other"
    out.mkdir()
    left = out / f"{TEMP_PREFIX}0123456789abcdef{TEMP_SUFFIX}"  # a killed run's, lock free
    left.write_bytes(b"half a workbook")
    looked: list[Path] = []
    clear = files.remove_left_behind

    def counted(folder: Path) -> None:
        looked.append(folder)
        clear(folder)

    monkeypatch.setattr(files, "remove_left_behind", counted)
    targets = [out / f"s{n}.xlsx" for n in range(30)] + [other / "Vergleich.xlsx"]
    written = write_all([(target, target.name.encode()) for target in targets])
    assert written == targets
    assert sorted(looked) == sorted([out, other])
    assert not left.exists()
    assert sorted(os.listdir(out)) == sorted(f"s{n}.xlsx" for n in range(30))
    assert (out / "s7.xlsx").read_bytes() == b"s7.xlsx"
