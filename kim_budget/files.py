"""Files on disk: reading outside files within bounds, writing files whole or not at all.

Reading (`read_regular`): scenario, district and workbook files come from outside — a colleague,
an e-mail — and are read only when they are regular files (a FIFO would block, a link to
``/dev/zero`` would never end, a folder named ``x.toml`` is a mistake), and only up to a size
limit, checked before and while reading.

Writing: every file is first written completely to a temporary file beside its target, then
renamed over it (`write_atomically`); a set of files is first staged completely, then renamed
one by one (`write_all`), so an error while writing any of them writes none. Temporary files are
named ``.kim-budget-<random>.tmp``: hidden, and without the suffix of any file kim-budget reads,
so no loader ever takes one for a scenario or workbook. Each is locked (``flock``) while its
writer lives; one that a killed process left behind is unlocked, and the next write into the
same folder removes it. Work folders outside the output (`scratch`) follow the same rule in the
system's temporary folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kim_budget.errors import KimBudgetError, OutputError
from kim_budget.messages import printable

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; then nothing is locked or cleaned
    fcntl = None  # type: ignore[assignment]

TEMP_PREFIX = ".kim-budget-"
TEMP_SUFFIX = ".tmp"
_FRESH_SUFFIX = ".new"
"""A temporary file's suffix for the instant before its writer holds the lock on it."""
_FRESH_AGE = 3600.0
"""Seconds after which an unlocked ``.new`` file counts as left behind."""
SCRATCH_PREFIX = "kim-budget-"
_LOCK_NAME = ".lock"
_CHUNK = 1 << 16


class UnreadableFile(KimBudgetError):
    """An outside file that is not read: missing, no regular file, too large, not permitted."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{printable(str(path))}: {reason}")


def size_text(size: int) -> str:
    """A size in bytes as messages give it: "1 MiB (1,048,576 bytes)", "900 bytes"."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            amount = size / factor
            number = f"{amount:.0f}" if amount == int(amount) else f"{amount:.1f}"
            return f"{number} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "no regular file"


def _not_regular(mode: int) -> str:
    return f"is {_kind(mode)}, not a regular file; name a file"


def _too_large(size: int | str, limit: int) -> str:
    shown = size if isinstance(size, str) else size_text(size)
    return f"is too large: {shown}; at most {size_text(limit)} is read"


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; `UnreadableFile` says why not.

    The file is checked before it is opened and again on the open handle (it may have been
    swapped in between), opened without blocking (a FIFO) and read no further than the limit.
    """
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(path, _not_regular(mode))
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableFile(path, "no such file") from None
    except OSError as error:
        raise UnreadableFile(path, f"cannot be read: {error.strerror or error}") from None
    try:
        return _read_handle(path, handle, limit)
    except OSError as error:
        raise UnreadableFile(path, f"cannot be read: {error.strerror or error}") from None
    finally:
        os.close(handle)


def _read_handle(path: Path, handle: int, limit: int) -> bytes:
    status = os.fstat(handle)
    if not stat.S_ISREG(status.st_mode):
        raise UnreadableFile(path, _not_regular(status.st_mode))
    if status.st_size > limit:
        raise UnreadableFile(path, _too_large(status.st_size, limit))
    chunks: list[bytes] = []
    total = 0
    while chunk := os.read(handle, _CHUNK):
        total += len(chunk)
        if total > limit:
            raise UnreadableFile(path, _too_large(f"more than {size_text(limit)}", limit))
        chunks.append(chunk)
    return b"".join(chunks)


def path_kind(path: Path) -> str:
    """ "folder", "file" (anything else that exists, links followed) or "missing"; never raises
    (a name too long for the file system is missing)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return "missing"
    return "folder" if stat.S_ISDIR(mode) else "file"


def hidden(path: Path) -> bool:
    """Whether a file found in a folder is hidden: a dot file (temporary files, editors' backup
    copies) or an Office lock file (``~$name``); folder scans skip them."""
    return path.name.startswith((".", "~$"))


def regular_file_problem(path: Path) -> str | None:
    """Why `path` is no regular file to read (None when it is one); follows links."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"
    return None if stat.S_ISREG(mode) else _not_regular(mode)


# --- writing -----------------------------------------------------------------------------------


def _lock(handle: int) -> bool:
    """Take the lock that marks a temporary file as being written; False when another has it."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


_TEMP_FILE = re.compile(rf"{re.escape(TEMP_PREFIX)}[0-9a-f]{{16}}\.(?:tmp|new)")
_SCRATCH_FOLDER = re.compile(rf"{re.escape(SCRATCH_PREFIX)}[a-z]+-[a-z0-9_]{{8}}(?:\.new)?")


def _left_behind(path: Path) -> bool:
    """Whether a temporary file or work folder of kim-budget belongs to no living process:
    its lock is free (or, for one made an instant before its lock or one without a lock, it is
    an hour old)."""
    if path.name.endswith(_FRESH_SUFFIX):
        with contextlib.suppress(OSError):
            return time.time() - path.lstat().st_mtime > _FRESH_AGE
        return False
    lock = path / _LOCK_NAME if path.is_dir() else path
    try:
        handle = os.open(lock, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:  # a work folder whose lock is gone: what a program still running there
        with contextlib.suppress(OSError):  # after its kim-budget was killed put back
            return path.is_dir() and time.time() - path.lstat().st_mtime > _FRESH_AGE
        return False
    try:
        return _lock(handle)
    finally:
        os.close(handle)


def remove_left_behind(folder: Path, *, scratch: bool = False) -> None:
    """Remove what killed kim-budget processes left in `folder`: temporary files
    (``.kim-budget-<random>.tmp``) or, with `scratch`, work folders. Only names kim-budget
    makes are looked at, and only entries whose lock no living process holds are removed."""
    if fcntl is None:  # pragma: no cover
        return
    pattern = _SCRATCH_FOLDER if scratch else _TEMP_FILE
    try:
        entries = [entry for entry in folder.iterdir() if pattern.fullmatch(entry.name)]
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.is_symlink() or entry.is_dir() != scratch or not _left_behind(entry):
                continue
            if scratch:
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()


@dataclass
class _Staged:
    """A complete temporary file beside its target, locked, waiting to be renamed."""

    target: Path
    temporary: Path
    handle: int
    done: bool = False

    def commit(self, replace: bool) -> bool:
        """Rename onto the target (or, without `replace`, link it only when there is none);
        False when the target appeared meanwhile and `replace` is False."""
        if replace:
            os.replace(self.temporary, self.target)
            written = True
        else:
            written = self._link()
        self.done = True
        self.close()
        return written

    def _link(self) -> bool:
        try:
            os.link(self.temporary, self.target)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            if self.target.exists():
                return False
            os.rename(self.temporary, self.target)
            return True
        self.temporary.unlink()
        return True

    def discard(self) -> None:
        """Remove the temporary file (unless it became the target) and release it."""
        if not self.done:
            with contextlib.suppress(OSError):
                self.temporary.unlink()
        self.done = True
        self.close()

    def close(self) -> None:
        if self.handle >= 0:
            with contextlib.suppress(OSError):
                os.close(self.handle)
            self.handle = -1


def _longest_name(folder: Path) -> int:
    """The most bytes a file name may have in `folder` (255 on common file systems)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _cannot_write(path: Path, error: OSError) -> OutputError:
    return OutputError(f"{printable(str(path))}: cannot write: {error.strerror or error}")


def _stage(target: Path, data: bytes, mode: int, cleaned: set[Path]) -> _Staged:
    """Write `data` completely to a locked temporary file in the target's folder; the
    first time a folder is met (it is added to `cleaned`), what killed runs left there goes.
    Once per folder, not per file: a file looked at every temporary file staged before it,
    and a build of 400 scenarios spent a fifth of its time listing its own output folder."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if folder not in cleaned:
            remove_left_behind(folder)
            cleaned.add(folder)
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "it is a folder")
        if len(os.fsencode(target.name)) > _longest_name(folder):
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))
        fresh = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{_FRESH_SUFFIX}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        handle = os.open(fresh, flags, 0o600)
    except OSError as error:
        raise _cannot_write(target, error) from error
    temporary = fresh.with_suffix(TEMP_SUFFIX)
    staged = _Staged(target, fresh, handle)
    try:
        _lock(handle)
        os.rename(fresh, temporary)
        staged.temporary = temporary
        with os.fdopen(os.dup(handle), "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
    except OSError as error:
        staged.discard()
        raise _cannot_write(target, error) from error
    except BaseException:
        staged.discard()
        raise
    return staged


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write a file so that it is either the complete new file or untouched."""
    write_all([(path, data)], mode=mode)


def write_all(
    files: Sequence[tuple[Path, bytes]],
    *,
    keep: Collection[Path] = frozenset(),
    mode: int = 0o644,
) -> list[Path]:
    """Write every file or none: all are staged completely before the first is renamed.

    A target in `keep` is never replaced: when it exists it is left alone (and not returned).
    Returns the files written. Raises `OutputError` naming the file that could not be written.
    """
    staged: list[_Staged] = []
    written: list[Path] = []
    made = _missing_folders([path.parent for path, _ in files])
    cleaned: set[Path] = set()
    try:
        for path, data in files:
            staged.append(_stage(path, data, mode, cleaned))
        for item in staged:
            try:
                if item.commit(replace=item.target not in keep):
                    written.append(item.target)
            except OSError as error:
                raise _cannot_write(item.target, error) from error
    finally:
        for item in staged:
            item.discard()
        if not written:
            _remove_empty(made)
    return written


def _missing_folders(folders: Sequence[Path]) -> list[Path]:
    """The folders (and their parents) that do not exist yet, deepest first."""
    missing: set[Path] = set()
    for folder in folders:
        for level in (folder, *folder.parents):
            if path_kind(level) != "missing":
                break
            missing.add(level)
    return sorted(missing, key=lambda path: len(path.parts), reverse=True)


def _remove_empty(folders: Sequence[Path]) -> None:
    """Remove the folders a failed write made, when they are still empty."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def real_target(path: Path) -> Path:
    """The file a write to `path` should replace: the end of its chain of links, so that the
    link stays a link and the file it points to gets the new content."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextlib.contextmanager
def scratch(label: str) -> Iterator[Path]:
    """A private work folder in the system's temporary folder, removed afterwards.

    Locked while in use, so that one a killed process left behind is removed by the next run
    (the work folders of living runs are left alone).
    """
    base = Path(tempfile.gettempdir())
    remove_left_behind(base, scratch=True)
    fresh = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{label}-", suffix=_FRESH_SUFFIX))
    folder = fresh.with_name(fresh.name.removesuffix(_FRESH_SUFFIX))
    handle = os.open(fresh / _LOCK_NAME, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0))
    try:
        _lock(handle)
        os.rename(fresh, folder)
        yield folder
    finally:
        os.close(handle)
        shutil.rmtree(folder if folder.exists() else fresh, ignore_errors=True)


def remove_left_behind_work() -> None:
    """Remove the work folders of killed kim-budget processes from the system's temporary
    folder (every command does so when it starts)."""
    remove_left_behind(Path(tempfile.gettempdir()), scratch=True)
