"""Read a data folder's CSV files as raw text tables, with structural checks.

Every cell stays a string here, so that the validator can report a bad value exactly as
it stands in the file. Line numbers are physical lines of the file (the header is line 1).
Structural faults stop the reading of that file and come back as `Problem`s: an empty
file, bytes that are not UTF-8, a delimiter other than the comma, a header with missing,
extra or repeated columns, a header with no rows, ragged rows, a blank line between rows,
and cells that hold a line break (a quoted newline) -- each a common way a spreadsheet
export goes wrong. Two things spreadsheets also write are accepted: a UTF-8 byte-order
mark at the very start of the file (Excel's "CSV UTF-8"; the file is decoded as
utf-8-sig, as pandas reads it), and blank lines at the very end of the file.

Before reading, `open_regular` checks with `os.stat` (which never blocks) that the path is
a regular file of at most `MAX_BYTES`: a folder, a named pipe (FIFO), a device (say
/dev/zero behind a symbolic link) or a socket is reported as a Problem naming the file,
and so is a file too large to be a ledger, instead of hanging or filling the memory.

A table is streamed, never held whole: `read_table` decodes the file as it goes, hands
each chunk of `CHUNK_ROWS` rows, column by column, to an optional `check`, and keeps only
the columns asked for (repeated values share one string). A byte that is not UTF-8 is
still reported with its line, found by decoding the bytes again up to it.

`read_json` reads a JSON file of the folder (battle.json, datapackage.json) with the same
care: a byte-order mark, a byte that is not UTF-8 (by its line, as in a table), an empty
file and a syntax error (by line and character, in plain words) are each a Problem.

`ProblemLog` collects problems without letting a broken file fill the memory or the
screen: a file's column (or its whole-row problems) with more than `TOO_MANY` problems
lists its first `LISTED`, by line, then one problem saying how many more there are.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any, BinaryIO

MAX_BYTES = 1024 * 1024 * 1024
BLOCK = 1024 * 1024  # bytes read at a time
CHUNK_ROWS = 512  # rows handed to a table's check at a time: few enough that their cells stay in the cache
SHARED = 65536  # a kept column shares the strings of at most this many distinct values
TOO_MANY = 1000  # a column with more problems than this ...
LISTED = 100  # ... lists only its first LISTED
JSON_LIMIT = 16 * 1024 * 1024  # a battle.json or datapackage.json larger than this is not one
BOM = b"\xef\xbb\xbf"

Check = Callable[[Mapping[str, Sequence[str]], Sequence[int]], None]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as it can be. `file` may be a
    folder (`folder` true): the folder given is not one. In a JSON file (`file` ends in
    .json) the place is a key, such as `resources[1].schema`, and a line has no rows: it
    reads `data/battle.json, key about_band: ...`, `data/battle.json, line 3: ...`."""

    file: str
    line: int | None
    column: str | None
    message: str
    folder: bool = False

    @property
    def json(self) -> bool:
        """Whether the file is a JSON file, whose places are keys, not columns."""
        return self.file.lower().endswith(".json")

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", {'key' if self.json else 'column'} {self.column}"
        elif self.line is not None:
            if not self.json:
                where += " (whole row)"
        elif not self.folder:
            where += " (whole file)"
        return f"{where}: {self.message}"


def problem_order(p: Problem) -> tuple[str, int, str, str]:
    """The order problems are kept in within one file's column: file, line, column, message."""
    return (p.file, p.line or 0, p.column or "", p.message)


class ProblemLog:
    """Problems as they are found, in bounded memory. Problems with a line are grouped by
    file and column (None: whole rows); a group with more than `TOO_MANY` lists its first
    `LISTED` by line and one more problem, on the first line left out, saying how many
    more there are. Problems of a whole file are all kept. They are reported by file and
    line, and on one line in the order of the file's columns where `columns` gave it (a
    bad date in period_start before one in period_end), then whole-row problems."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str | None], list[Problem]] = {}
        self._counts: Counter[tuple[str, str | None]] = Counter()
        self._whole: list[Problem] = []
        self._columns: dict[str, dict[str, int]] = {}

    def columns(self, file: str, names: Sequence[str]) -> None:
        """The order of `file`'s columns, for the order problems on one line are reported in."""
        self._columns[file] = {name: i for i, name in enumerate(names)}

    def _order(self, p: Problem) -> tuple[str, int, int, str, str]:
        place = self._columns.get(p.file, {})
        return (p.file, p.line or 0, place.get(p.column or "", len(place)), p.column or "", p.message)

    def add(self, problem: Problem) -> None:
        if problem.line is None:
            self._whole.append(problem)
            return
        key = (problem.file, problem.column)
        group = self._groups.setdefault(key, [])
        group.append(problem)
        self._counts[key] += 1
        if len(group) >= 2 * (TOO_MANY + 1):  # keep the first TOO_MANY + 1 by line
            group.sort(key=problem_order)
            del group[TOO_MANY + 1 :]

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def merge(self, other: ProblemLog) -> None:
        """Add everything `other` holds, as if each had been added here."""
        self._whole += other._whole
        self._columns.update(other._columns)
        for key, group in other._groups.items():
            for problem in group:
                self.add(problem)
            self._counts[key] += other._counts[key] - len(group)

    def sorted(self) -> list[Problem]:
        """The problems to report, each once, in `problem_order`."""
        found = set(self._whole)
        for (file, column), group in self._groups.items():
            listed = sorted(set(group), key=problem_order)
            count = self._counts[(file, column)]
            if count == len(group):  # nothing dropped: duplicates count once
                count = len(listed)
            if count <= TOO_MANY:
                found.update(listed)
                continue
            found.update(listed[:LISTED])
            what = "problems in this column" if column else "row problems"
            found.add(
                Problem(
                    file,
                    listed[LISTED].line,
                    column,
                    f"{count - LISTED:,} more {what} from this line on are not listed: "
                    f"only the first {LISTED} are, when there are more than {TOO_MANY:,}",
                )
            )
        return sorted(found, key=self._order)


@dataclass
class RawTable:
    """A CSV file as strings, column by column: `columns` maps each column kept (all of
    them unless `read_table` was asked for fewer) to its cells in row order, and `lines`
    holds each row's line number. `distinct` holds the set of values of a column once
    asked for (`values`)."""

    name: str
    header: list[str]
    columns: dict[str, list[str]] = field(default_factory=dict)
    lines: Sequence[int] = field(default_factory=list)
    distinct: dict[str, Collection[str]] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def rows(self) -> list[dict[str, str]]:
        """The kept columns row by row, as dicts (for small tables)."""
        names = list(self.columns)
        return [dict(zip(names, values)) for values in zip(*self.columns.values())] if names else []

    def values(self, column: str) -> Collection[str]:
        """The values of a column, as a set."""
        found = self.distinct.get(column)
        if found is None:
            found = self.distinct[column] = set(self.columns[column])
        return found

    def positions(self, column: str, wanted: Collection[str]) -> dict[str, int]:
        """Each of the `wanted` values of a kept column -> the position of the last row holding it."""
        cells = self.columns[column]
        if not wanted:
            return {}
        return {cells[i]: i for i in compress(range(len(cells)), map(wanted.__contains__, cells))}


@contextmanager
def paused_gc() -> Iterator[None]:
    """Bulk reading makes millions of objects and no reference cycles: the cyclic garbage
    collector would walk every kept cell again and again, for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def kind_of(mode: int) -> str | None:
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


def _too_large(label: str, limit: int) -> Problem:
    return Problem(label, None, None, f"is larger than the {limit / 2**20:.0f} MB a data file may be")


def open_regular(path: Path, label: str, limit: int = MAX_BYTES) -> tuple[io.FileIO | None, list[Problem]]:
    """An open (unbuffered) data file, or None and a Problem: not found, not a regular file
    (checked with os.stat first, so a FIFO never blocks), larger than `limit`, unreadable."""

    def problem(message):
        return None, [Problem(label, None, None, message)]

    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return problem("file not found")
    except OSError as exc:
        return problem(f"cannot read: {exc.strerror}")
    kind = kind_of(info.st_mode)
    if kind:
        return problem(f"is {kind}, not a regular file: a data file must be an ordinary file")
    if info.st_size > limit:
        return problem(f"is {info.st_size / 2**20:.0f} MB, larger than the {limit / 2**20:.0f} MB a data file may be")
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO after the check, opening it
        # still returns at once, and the second check below refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        fh = io.FileIO(fd, "rb")
    except OSError as exc:
        return problem(f"cannot read: {exc.strerror}")
    try:
        kind = kind_of(os.fstat(fh.fileno()).st_mode)
    except OSError as exc:
        fh.close()
        return problem(f"cannot read: {exc.strerror}")
    if kind:
        fh.close()
        return problem(f"is {kind}, not a regular file: a data file must be an ordinary file")
    return fh, []


def read_bytes(path: Path, label: str | None = None, limit: int = MAX_BYTES) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a data file, or None and a Problem (see `open_regular`)."""
    label = label or str(path)
    fh, found = open_regular(path, label, limit)
    if fh is None:
        return None, found
    try:
        with io.BufferedReader(fh) as buffered:
            data = buffered.read(limit + 1)
    except OSError as exc:
        return None, [Problem(label, None, None, f"cannot read: {exc.strerror}")]
    if len(data) > limit:
        return None, [_too_large(label, limit)]
    return data, []


_NOT_UTF8 = "some bytes are not UTF-8: save the file as UTF-8"


class _TooLarge(Exception):
    pass


class _Bounded(io.RawIOBase):
    """A file's bytes that refuse to go past `limit` (a file that grows as it is read)."""

    def __init__(self, raw: io.FileIO, limit: int):
        super().__init__()
        self._raw, self._left = raw, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer) or 0
        self._left -= n
        if self._left < 0:
            raise _TooLarge
        return n


def _first_bad_byte(fh: BinaryIO) -> tuple[int, int] | None:
    """(line, value) of the first byte of the file that is not UTF-8; None if all are."""
    fh.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    while True:
        block = fh.read(BLOCK) or b""
        pending = decoder.getstate()[0]  # the start of a character cut by the last block
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            data = pending + block
            return newlines + data[: exc.start].count(b"\n") + 1, data[exc.start]
        if not block:
            return None
        newlines += block.count(b"\n")


def _blank(fh: io.FileIO, label: str, limit: int) -> Problem | None:
    """A file of nothing but white space (after a byte-order mark, if it has one)."""
    block = fh.read(BLOCK) or b""
    block = block.removeprefix(BOM)
    size = len(block)
    while block and not block.strip() and size <= limit:
        block = fh.read(BLOCK) or b""
        size += len(block)
    fh.seek(0)
    if size > limit:
        return _too_large(label, limit)
    if not block.strip():
        return Problem(label, 1, None, "file is empty: expected at least its header row")
    return None


THOUSANDS = re.compile(r"[0-9]{1,3}")
THREE_DIGITS = re.compile(r"[0-9]{3}")


def _split_number(record: list[str], header: list[str]) -> str | None:
    """The column whose number an unquoted thousands comma split in two ("1,200" read as
    "1" and "200", pushing every later cell one column on), where one is plain to see:
    the first cell of one to three digits followed by one of exactly three."""
    for i in range(min(len(record) - 1, len(header))):
        if THOUSANDS.fullmatch(record[i]) and THREE_DIGITS.fullmatch(record[i + 1]):
            return header[i]
    return None


def read_table(
    path: Path,
    expected: list[str],
    label: str | None = None,
    *,
    allow_empty: bool = False,
    keep: Iterable[str] | None = None,
    check: Check | None = None,
) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV; return (table or None, problems). `expected` is the column list.
    A header with no rows is a problem unless `allow_empty` (a table a new event may not
    have filled in yet). Only the columns in `keep` (default: all) are kept; `check`, if
    given, is called with each chunk of rows as {column: cells} and their line numbers,
    until the first structural problem."""
    label = label or str(path)
    fh, found = open_regular(path, label)
    if fh is None:
        return None, found
    with fh, paused_gc():
        try:
            first = _blank(fh, label, MAX_BYTES)
            if first:
                return None, [first]
            # utf-8-sig: a byte-order mark at the very start (Excel's "CSV UTF-8") is dropped
            text = io.TextIOWrapper(
                io.BufferedReader(_Bounded(fh, MAX_BYTES), BLOCK), encoding="utf-8-sig", errors="strict", newline=""
            )
            text._CHUNK_SIZE = min(BLOCK, 65536)  # type: ignore[attr-defined]  # read at a time, not 8 KB
            try:
                table, problems, stopped = _parse(text, expected, label, allow_empty, keep, check)
            except UnicodeDecodeError:
                table, problems, stopped = None, [Problem(label, None, None, _NOT_UTF8)], True
            # bytes that are not UTF-8 come first, wherever they are: the rest of a file
            # whose reading stopped early is decoded too
            bad = _first_bad_byte(fh) if stopped else None
        except _TooLarge:
            return None, [_too_large(label, MAX_BYTES)]
        except OSError as exc:
            return None, [Problem(label, None, None, f"cannot read: {exc.strerror}")]
    if bad:
        return None, [_bad_byte(label, *bad)]
    return table, problems


def _bad_byte(label: str, line: int, byte: int) -> Problem:
    return Problem(label, line, None, f"byte 0x{byte:02x} is not UTF-8: save the file as UTF-8")


# json's messages, in plain words
_JSON_WORDS = {
    "Expecting value": "expected a value (a number, a text in double quotes, true, false, null, a list or an object)",
    "Expecting property name enclosed in double quotes": "expected a key in double quotes",
    "Expecting ':' delimiter": "expected a colon after the key",
    "Expecting ',' delimiter": "expected a comma, or the end of the list or object",
    "Extra data": "more text after the end of the JSON data",
    "Unterminated string starting at": "a text in double quotes is not closed",
    "Invalid control character at": "a text in double quotes holds a control character (a tab?): write it as \\t",
    "Invalid \\escape": "a backslash starts no escape JSON knows: write a backslash as \\\\",
    "Invalid \\uXXXX escape": "\\u is not followed by four hexadecimal digits",
}


def _innermost(text: str) -> str:
    """The innermost bracket or brace still open at the end of `text` ("" if none)."""
    stack, quoted, escaped = [], False, False
    for ch in text:
        if quoted:
            quoted, escaped = (ch != '"' or escaped), (ch == "\\" and not escaped)
        elif ch == '"':
            quoted = True
        elif ch in "[{":
            stack.append(ch)
        elif ch in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def _next_item(before: str, rest: str) -> bool:
    """Whether `rest` opens the next item of the list or object open at the end of
    `before`: a key and its colon in an object, a value (not a key) in a list."""
    key = re.match(r'"(?:[^"\\]|\\.)*"\s*:', rest)
    if _innermost(before) == "{":
        return key is not None
    return _innermost(before) == "[" and key is None and re.match(r'["\-0-9\[{]|true|false|null', rest) is not None


def _json_syntax(label: str, exc: json.JSONDecodeError) -> Problem:
    """A JSON syntax error, by line and character, in plain words."""
    words = _JSON_WORDS.get(exc.msg, exc.msg)
    before, rest = exc.doc[: exc.pos], exc.doc[exc.pos :]
    if not rest.strip():
        words = "the file ends before the JSON data does: a bracket, brace or quote is not closed"
    elif rest[0] in "]}" and before.rstrip().endswith(","):
        words = "a comma too many before the closing bracket or brace"
    elif exc.msg == "Invalid control character at" and rest[0] in "\r\n":
        words = "a text in double quotes breaks across lines: close it on its line (write a line break as \\n)"
    elif exc.msg == "Expecting ',' delimiter" and not before.split("\n")[-1].strip() and _next_item(before, rest):
        # the next item of the list or object opens its line: the comma belongs on the line before
        line = before.rstrip().count("\n") + 1
        return Problem(label, line, None, "not valid JSON: a comma is missing at the end of this line")
    return Problem(label, exc.lineno, None, f"not valid JSON, at character {exc.colno} of the line: {words}")


def read_json(path: Path, label: str | None = None, limit: int = JSON_LIMIT) -> tuple[Any, list[Problem]]:
    """The parsed content of a JSON file of the folder, and no problems; or None and the
    Problem that stops its reading (see `open_regular`): a byte-order mark (the JSON files
    are read elsewhere too, as UTF-8 without one: `analysis.load`, `analysis.outputs`), a
    byte that is not UTF-8 (by its line), an empty file, a syntax error."""
    label = label or str(path)
    data, found = read_bytes(path, label, limit)
    if data is None:
        return None, found
    if data.startswith(BOM):
        return None, [Problem(label, 1, None, "file starts with a byte-order mark: save it as UTF-8 without BOM")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        bad = _first_bad_byte(io.BytesIO(data))
        assert bad is not None
        return None, [_bad_byte(label, *bad)]
    if not text.strip():
        return None, [Problem(label, None, None, "file is empty: expected a JSON object")]
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                repeated.append(key)
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        return None, [_json_syntax(label, exc)]
    except RecursionError:
        return None, [Problem(label, None, None, "not valid JSON: lists or objects nested too deep")]
    except ValueError as exc:  # a number of more than 4,300 digits
        return None, [Problem(label, None, None, f"not valid JSON: {exc}")]
    if repeated:  # JSON readers keep one of the values, most the last: which was meant?
        return None, [
            Problem(label, _second_line(text, key), key, "key given twice in one object: keep one of its values")
            for key in dict.fromkeys(repeated)
        ]
    return data, []


def _second_line(text: str, key: str) -> int | None:
    """The line of an object's repeated key where the file shows it unambiguously: the
    quoted key appears exactly twice, the second time on that line (None otherwise: the
    same key in other objects, or written with escapes)."""
    quoted = json.dumps(key, ensure_ascii=False)
    places = [m.start() for m in re.finditer(re.escape(quoted), text)]
    return text.count("\n", 0, places[1]) + 1 if len(places) == 2 else None


def _parse(
    text: Iterable[str],
    expected: list[str],
    label: str,
    allow_empty: bool,
    keep: Iterable[str] | None,
    check: Check | None,
) -> tuple[RawTable | None, list[Problem], bool]:
    """(table, problems, whether reading stopped before the end of the file)."""
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        return None, [Problem(label, 1, None, f"header is not valid CSV: {exc}")], True
    problems: list[Problem] = []
    if len(header) == 1 and len(expected) > 1:
        for sep, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if sep in header[0]:
                return (
                    None,
                    [Problem(label, 1, None, f"the header is {name}-separated: columns must be separated by commas")],
                    True,
                )
    stripped = [h.strip() for h in header]
    for h, s in zip(header, stripped):
        if h != s:
            problems.append(Problem(label, 1, s, "column name has leading or trailing spaces"))
    dupes = sorted({h for h in stripped if stripped.count(h) > 1})
    for h in dupes:
        problems.append(Problem(label, 1, h, "column appears more than once in the header"))
    missing = [c for c in expected if c not in stripped]
    extra = [c for c in stripped if c not in expected]
    renamed = len(extra) == 1 and len(missing) == 1  # one problem, the rename, not two
    for c in missing:
        hint = f" (found unexpected column {extra[0]!r}: renamed?)" if renamed else ""
        problems.append(Problem(label, 1, c, f"required column is missing{hint}"))
    for c in extra if not renamed else ():
        problems.append(Problem(label, 1, c, "unexpected column: not in the schema"))
    if problems:
        return None, problems, True

    wanted = set(stripped if keep is None else keep)
    kept: dict[str, list[str]] = {c: [] for c in stripped if c in wanted}
    shared: dict[str, dict[str, str]] = {c: {} for c in kept}
    width = len(stripped)
    rows: list[list[str]] = []
    count = 0  # rows read while the table is sound (they lie on lines 2, 3, ...)

    def flush() -> None:
        nonlocal count
        columns = dict(zip(stripped, zip(*rows)))
        if check is not None:
            check(columns, range(count + 2, count + 2 + len(rows)))
        for name, cells in kept.items():
            values, same = columns[name], shared.get(name)
            if same is None:
                cells.extend(values)
                continue
            cells.extend(map(same.setdefault if len(same) < SHARED else same.get, values, values))
            if len(same) > (count + len(rows)) // 2:  # values that hardly repeat: sharing does not pay
                del shared[name]
        count += len(rows)
        rows.clear()

    def unsound() -> bool:
        """The table cannot be read whole: stop keeping its rows (its faults are still listed)."""
        rows.clear()
        kept.clear()
        return False

    log = ProblemLog()
    sound = True
    stopped = False
    line = 1
    # Blank lines at the very end of the file are no part of the table; others are. The
    # blank lines read last (consecutive) are judged once what follows them is known.
    blanks = range(0)
    inside = "blank line inside the table"
    try:
        for record in reader:
            start = line + 1
            line = reader.line_num
            if not record and line == start:
                blanks = range(blanks.start if blanks else start, start + 1)
                continue
            if blanks:  # a row follows them: they lie inside the table
                log.extend(Problem(label, blank, None, inside) for blank in blanks)
                blanks = range(0)
                sound = unsound()
            if line != start or len(record) != width:
                if line != start:
                    log.add(Problem(label, start, None, "a quoted cell holds a line break: keep each row on one line"))
                else:
                    column = _split_number(record, stripped) if len(record) > width else None
                    log.add(
                        Problem(
                            label,
                            start,
                            column,
                            f"row has {len(record)} cells, the header has {width}"
                            + (
                                ": a number written with a thousands comma (1,200)? quote it or drop the comma"
                                if column
                                else ""
                            ),
                        )
                    )
                sound = unsound()
                continue
            if sound:
                rows.append(record)
                if len(rows) >= CHUNK_ROWS:
                    flush()
    except csv.Error as exc:
        log.extend(Problem(label, blank, None, inside) for blank in blanks)  # a row follows them
        start = line + 1  # the line the failing row begins on
        if reader.line_num > start:  # only an open quote carries a row past its line end
            log.add(
                Problem(
                    label,
                    start,
                    None,
                    f"row is not valid CSV: a quote opened on this line is not closed where it should be "
                    f"(read on to line {reader.line_num}: {exc})",
                )
            )
        else:
            log.add(Problem(label, reader.line_num, None, f"row is not valid CSV: {exc}"))
        sound, stopped = False, True
    if not sound:
        return None, log.sorted(), stopped
    if rows:
        flush()
    if not count and not allow_empty:
        return None, [Problem(label, 2, None, "the file has a header but no rows")], False
    return RawTable(label, stripped, kept, range(2, 2 + count)), [], False
