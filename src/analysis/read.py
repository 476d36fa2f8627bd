"""Read a data folder's CSV files as raw text tables, with structural checks.

Every cell stays a string here, so that the validator can report a bad value exactly as
it stands in the file. Line numbers are physical lines of the file (the header is line 1).
Structural faults stop the reading of that file and come back as `Problem`s: an empty
file, a byte-order mark, bytes that are not UTF-8, a delimiter other than the comma, a
header with missing, extra or repeated columns, a header with no rows, ragged rows, and
cells that hold a line break (a quoted newline) -- each a common way a spreadsheet export
goes wrong.

Before reading, `read_bytes` checks with `os.stat` (which never blocks) that the path is a
regular file of at most `MAX_BYTES`: a folder, a named pipe (FIFO), a device (say
/dev/zero behind a symbolic link) or a socket is reported as a Problem naming the file,
and so is a file too large to be a ledger, instead of hanging or filling the memory.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as it can be."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column}"
        elif self.line is not None:
            where += " (whole row)"
        else:
            where += " (whole file)"
        return f"{where}: {self.message}"


@dataclass
class RawTable:
    """A CSV file as strings: header, rows (dicts) and each row's line number."""

    name: str
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: Path, label: str | None = None, limit: int = MAX_BYTES) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a data file, or None and a Problem: not found, not a regular file
    (checked with os.stat first, so a FIFO never blocks), larger than `limit`, unreadable."""
    label = label or str(path)

    def problem(message):
        return None, [Problem(label, None, None, message)]

    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return problem("file not found")
    except OSError as exc:
        return problem(f"cannot read: {exc.strerror}")
    kind = _kind(info.st_mode)
    if kind:
        return problem(f"is {kind}, not a regular file: a data file must be an ordinary file")
    if info.st_size > limit:
        return problem(f"is {info.st_size / 2**20:.0f} MB, larger than the {limit / 2**20:.0f} MB a data file may be")
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO after the check, opening it
        # still returns at once, and the second check below refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            kind = _kind(os.fstat(fh.fileno()).st_mode)
            if kind:
                return problem(f"is {kind}, not a regular file: a data file must be an ordinary file")
            data = fh.read(limit + 1)
    except OSError as exc:
        return problem(f"cannot read: {exc.strerror}")
    if len(data) > limit:
        return problem(f"is larger than the {limit / 2**20:.0f} MB a data file may be")
    return data, []


def read_table(
    path: Path, expected: list[str], label: str | None = None, *, allow_empty: bool = False
) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV; return (table or None, problems). `expected` is the column list.
    A header with no rows is a problem unless `allow_empty` (a table a new event may not
    have filled in yet)."""
    label = label or str(path)
    data, found = read_bytes(path, label)
    if data is None:
        return None, found
    if not data.strip():
        return None, [Problem(label, 1, None, "file is empty: expected a header and rows")]
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(label, 1, None, "file starts with a byte-order mark: save it as UTF-8 without BOM")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(label, line, None, f"byte 0x{data[exc.start]:02x} is not UTF-8: save the file as UTF-8")]

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        return None, [Problem(label, 1, None, f"header is not valid CSV: {exc}")]
    problems: list[Problem] = []
    if len(header) == 1 and len(expected) > 1:
        for sep, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if sep in header[0]:
                return None, [
                    Problem(label, 1, None, f"the header is {name}-separated: columns must be separated by commas")
                ]
    stripped = [h.strip() for h in header]
    for h, s in zip(header, stripped):
        if h != s:
            problems.append(Problem(label, 1, s, "column name has leading or trailing spaces"))
    dupes = sorted({h for h in stripped if stripped.count(h) > 1})
    for h in dupes:
        problems.append(Problem(label, 1, h, "column appears more than once in the header"))
    missing = [c for c in expected if c not in stripped]
    extra = [c for c in stripped if c not in expected]
    for c in missing:
        hint = f" (found unexpected column {extra[0]!r}: renamed?)" if len(extra) == 1 and len(missing) == 1 else ""
        problems.append(Problem(label, 1, c, f"required column is missing{hint}"))
    for c in extra:
        problems.append(Problem(label, 1, c, "unexpected column: not in the schema"))
    if problems:
        return None, problems

    table = RawTable(label, stripped)
    line = 1
    while True:
        start = line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(label, reader.line_num, None, f"row is not valid CSV: {exc}"))
            break
        line = reader.line_num
        if not record:
            problems.append(Problem(label, start, None, "blank line inside the table"))
            continue
        if line != start or any("\n" in cell or "\r" in cell for cell in record):
            problems.append(Problem(label, start, None, "a quoted cell holds a line break: keep each row on one line"))
            continue
        if len(record) != len(stripped):
            problems.append(Problem(label, start, None, f"row has {len(record)} cells, the header has {len(stripped)}"))
            continue
        table.rows.append(dict(zip(stripped, record)))
        table.lines.append(start)
    if not table.rows and not problems and not allow_empty:
        problems.append(Problem(label, 2, None, "the file has a header but no rows"))
    return (None if problems else table), problems
