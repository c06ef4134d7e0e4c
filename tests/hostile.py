"""A corpus of hostile and damaged inputs, generated (no binary blobs in the repository).

Workbooks are made from a real, freshly built workbook by changing its zip archive: parts
replaced or added (entity bombs, external entities, deep nesting, sheets too large), and headers
patched (sizes that lie, encryption flags, unknown compression). Scenario and district files are
written as text. `run` calls the installed `kim-budget` command in a child process, as a user
would, and measures its exit status, output, time and peak memory.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kim_budget.formula import column_letter

SHEET = "xl/worksheets/sheet1.xml"
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def kim_budget() -> list[str]:
    """The command as installed beside this Python (the test environment's)."""
    return [str(Path(sys.executable).parent / "kim-budget")]


# --- zip archives ---------------------------------------------------------------------------


def rezip(
    data: bytes,
    change: Callable[[str, bytes], bytes | None] = lambda _, part: part,
    add: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """The archive with each part passed through `change` (None drops it) and `add` appended."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            changed = change(info.filename, source.read(info))
            if changed is not None:
                target.writestr(info.filename, changed, compression)
        for name, part in (add or {}).items():
            target.writestr(name, part, compression)
    return out.getvalue()


def replace_part(data: bytes, name: str, new: bytes) -> bytes:
    return rezip(data, lambda part, old: new if part == name else old)


def _headers(data: bytes, name: str) -> tuple[int, int]:
    """Offsets of a part's local header and of its entry in the central directory."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(name).header_offset
    encoded = name.encode()
    central = 0
    while True:
        central = data.index(b"PK\x01\x02", central + 1)
        length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + length] == encoded:
            return local, central


def patch(data: bytes, name: str, local: int, central: int, fmt: str, value: int) -> bytes:
    """Write `value` at the offsets `local` and `central` of a part's two headers."""
    raw = bytearray(data)
    at_local, at_central = _headers(data, name)
    struct.pack_into(fmt, raw, at_local + local, value)
    struct.pack_into(fmt, raw, at_central + central, value)
    return bytes(raw)


def lying_size(data: bytes, name: str, size: int) -> bytes:
    """The directory and local header claim the part unpacks to `size` bytes."""
    return patch(data, name, 22, 24, "<I", size)


def encrypted(data: bytes, name: str) -> bytes:
    """The part is flagged as encrypted (general purpose bit 0)."""
    flags = _flags(data, name)
    return patch(data, name, 6, 8, "<H", flags | 0x1)


def _flags(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.getinfo(name).flag_bits


def compressed_with(data: bytes, name: str, method: int) -> bytes:
    """The part claims a compression method (14: LZMA, 99: AES, 12: bzip2)."""
    return patch(data, name, 8, 10, "<H", method)


def bomb(data: bytes, size: int) -> bytes:
    """An extra part of `size` zero bytes: a few KB packed, `size` unpacked."""
    out = io.BytesIO(data[:])
    deflated = zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED)
    with deflated as archive, archive.open("xl/media/zeros.bin", "w") as part:
        block = bytes(1 << 20)
        for _ in range(size >> 20):
            part.write(block)
    return out.getvalue()


# --- XML --------------------------------------------------------------------------------------

LAUGHS = "".join(
    f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
    for n in range(1, 10)
)
BILLION_LAUGHS = (f'<!DOCTYPE worksheet [<!ENTITY lol "lol">{LAUGHS}]>', "&lol9;")
EXTERNAL_ENTITY = ('<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;")
PARAMETER_ENTITY = (
    '<!DOCTYPE worksheet [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>',
    "",
)


def with_doctype(xml: bytes, entity: tuple[str, str]) -> bytes:
    """The part with a document type declaration before its root and the entity's reference
    in its first text."""
    doctype, reference = entity
    text = xml.decode("utf-8")
    if text.startswith("<?xml"):
        end = text.index("?>") + 2
        head, body = text[:end], text[end:]
    else:
        head, body = "", text
    body = body.replace("<t>", f"<t>{reference}", 1)
    return f"{head}{doctype}{body}".encode()


def with_entity(data: bytes, part: str, entity: tuple[str, str]) -> bytes:
    return rezip(data, lambda name, xml: with_doctype(xml, entity) if name == part else xml)


def deep_sheet(depth: int) -> bytes:
    return (
        f"<worksheet {_MAIN}><sheetData/>" + "<x>" * depth + "</x>" * depth + "</worksheet>"
    ).encode()


def sheet_with(body: str, after: str = "") -> bytes:
    return f"<worksheet {_MAIN}><sheetData>{body}</sheetData>{after}</worksheet>".encode()


def many_rows(count: int) -> bytes:
    return sheet_with("".join(f'<row r="{n}"/>' for n in range(1, count + 1)))


def many_cells(count: int) -> bytes:
    per_row = 100
    rows = [
        f'<row r="{r}">'
        + "".join(f'<c r="{column_letter(c)}{r}"><v>1</v></c>' for c in range(1, per_row + 1))
        + "</row>"
        for r in range(1, count // per_row + 1)
    ]
    return sheet_with("".join(rows))


def far_cell() -> bytes:
    return sheet_with('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def huge_merge() -> bytes:
    return sheet_with(
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
    )


# --- running the command ------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """What one run of the command did."""

    status: int
    output: str
    seconds: float
    peak_mb: float


def as_user_prefix() -> list[str]:
    """Run as a user without root's right to write anywhere: as root, drop the capabilities that
    override file permissions (setpriv); as anyone else, nothing to do."""
    if os.geteuid() != 0:
        return []
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


def run(
    args: list[str],
    cwd: Path,
    *,
    as_user: bool = False,
    file_size_limit: int | None = None,
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
) -> Run:
    """Run `kim-budget ARGS` in `cwd`; its output, exit status, wall time and peak memory."""
    command = (as_user_prefix() if as_user else []) + kim_budget() + args
    log = cwd.parent / f".{cwd.name}.output"

    def limits() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    started = time.monotonic()
    with log.open("wb") as stream:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            preexec_fn=limits,
        )
        timer = threading.Timer(timeout, lambda: _kill(process.pid))
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    output = log.read_text(encoding="utf-8", errors="replace")
    log.unlink()
    return Run(process.returncode, output, seconds, usage.ru_maxrss / 1024)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# --- what a folder holds ------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every entry below `folder`: its kind, permissions and content (a link's target)."""
    found: dict[str, tuple[str, int, bytes]] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        info = path.lstat()
        mode = info.st_mode & 0o7777
        if path.is_symlink():
            found[name] = ("link", mode, os.readlink(path).encode())
        elif path.is_file():
            found[name] = ("file", mode, path.read_bytes())
        elif path.is_dir():
            found[name] = ("folder", mode, b"")
        else:
            found[name] = ("other", mode, b"")
    return found


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "96k") -> Iterator[Path | None]:
    """A tmpfs of `size` mounted at `folder` when this process may mount one (as root in most
    containers), else None."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = (
        shutil.which("mount") is not None
        and os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    try:
        yield folder if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], capture_output=True, check=False)
