"""Writing outputs without ever losing a byte of anyone's work.

**Owned folders.** The tool replaces a folder only if it made it. Every folder it writes
carries a marker file, `.analysis-output`: a first line saying what the folder is, the
event whose outputs it holds (see below), then one line per file written
(`<sha256>  <path>`). A folder may be replaced when it does not
exist, is empty, or carries the marker and holds only the files listed, unchanged.
`check_target` refuses anything else, and always: the data folder, anything inside it or
holding it, and the repository root or a folder holding it. A refusal is `UnsafeOutput`
(exit status 2 at the command line) naming the folder and the reason, raised before
anything is written. An output *root* (the folder `build --out OUT` fills with
notebooks/, figures/, derived/) carries a marker listing no file, and may
hold only output folders that carry theirs (each checked whole when it is replaced).

**One event per folder.** A run that knows its data folder (`data=`) records the event's
`battle_id` (from battle.json) in every marker it writes, as a second line
`event: "<battle_id>"`, and refuses, before writing, a folder whose marker, or the marker
of a folder holding it, names another event. A marker without that line (written before
it existed) is accepted as before. The project's own output folders (`project_outputs`:
derived/, figures/ and notebooks/ for data/, events/NAME/output for events/NAME/data)
belong to their event by their place, marker or not: a run of another event may not
write them, anything inside them, or a folder holding them. Their markers record no event
(their place does), so they stay byte for byte what the tests compare them with.

**One atomic publish.** A run stages its whole output set (say notebooks, figures and
tables) in one folder, `.analysis.staging-*`, inside the output root, and `Publication`
switches it in at the end: it writes a journal, `.analysis.journal` (atomically: temporary
file, fsync, rename), listing the renames with the identity (inode, size, mtime) of each
old and new item; moves the old items to `.analysis.old-*`; moves the new ones in; and
deletes the journal, which is the commit. A run killed in between leaves the journal
behind, and the next run in that root rolls the publication back (old outputs restored,
whole) before it does anything else. The rollback moves only items whose identity is
the one recorded, so a file someone changed since is left alone (the run stops and says
so, keeping the journal). Stale staging and old folders of killed runs are removed next.

**One run at a time.** A run holds an exclusive `fcntl.flock` on `.analysis.lock` in the
output root from start to end; a second run writing to the same root says that it is
waiting, then waits. The lock file is removed when the run ends.

Folders are created with the permissions the umask allows (not the 0700 of
`tempfile.mkdtemp`), files likewise (not the 0600 of `tempfile.mkstemp`).

`write_bytes` and `write_text` write one file whole or not at all (temporary file beside
it, then a rename). `output_dir` publishes a single folder, checked, through a `Publication`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any

from analysis import paths

MARKER = ".analysis-output"
LOCK = ".analysis.lock"
JOURNAL = ".analysis.journal"
EVENT_LINE = "event: "
STAGE_PREFIX = ".analysis.staging-"
OLD_PREFIX = ".analysis.old-"
EXPLANATION = (
    "Written by `python -m analysis`: each run replaces this folder whole, so keep your "
    "own files elsewhere (the tool refuses to replace a folder holding files it did not "
    "write, or files changed since)."
)
STAGING_NOTE = "Staging area of a run of `python -m analysis`: removed when the run ends, or by the next run."
# Files an operating system or Jupyter drops into any folder a person browses.
JUNK = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".ipynb_checkpoints"})
# Staging and old folders of the build before publications were journalled.
LEGACY_NAMES = ("figures", "derived", "notebooks", "html")

_umask_lock = threading.Lock()


class OutputError(Exception):
    """An output could not be written or published; the message says where and why."""


class UnsafeOutput(OutputError):
    """Refused before writing: the folder is not the tool's to replace."""

    def __init__(self, path, reason: str):
        self.path = Path(path)
        super().__init__(f"refusing to write to {path}: {reason}")


# -- files and folders ---------------------------------------------------------------


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def fresh_dir(parent: Path, prefix: str) -> Path:
    """A new, uniquely named folder in `parent`, with the umask's permissions."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, 0o777 & ~current_umask())
    return folder


def write_bytes(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename.
    `durable` also flushes it to the disk before the rename."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name.lstrip('.')}.staging-", dir=path.parent)
    except OSError as err:
        err.filename = err.filename or str(path)
        raise
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError) and not err.filename:
            err.filename = str(path)
        raise


def write_text(path: Path, text: str) -> None:
    """`write_bytes` of UTF-8 text with '\\n' line ends."""
    write_bytes(path, text.encode("utf-8"))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _lstat(path: Path):
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def ident(path: Path) -> list | None:
    """What identifies an item across renames: (device, inode) of a folder, plus size and
    modification time of a file. None if there is nothing at `path`."""
    st = _lstat(path)
    if st is None:
        return None
    if stat.S_ISDIR(st.st_mode):
        return ["dir", st.st_dev, st.st_ino]
    return ["file", st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _walk(folder: Path, prefix: str = ""):
    """(relative path, DirEntry) of everything under `folder`, folders before their content."""
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        rel = prefix + entry.name
        yield rel, entry
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), rel + "/")


# -- markers and ownership ------------------------------------------------------------


def write_marker(folder: Path, *, root: bool = False, event: str | None = None) -> None:
    """Mark `folder` as written by the tool, listing every file in it with its SHA-256
    (an output root lists none: it holds output folders with their own markers), and
    the event whose outputs these are, if given."""
    folder = Path(folder)
    lines = [EXPLANATION]
    if event is not None:
        lines.append(EVENT_LINE + json.dumps(event, ensure_ascii=False))
    if not root:
        for rel, entry in _walk(folder):
            if rel != MARKER and entry.is_file(follow_symlinks=False):
                lines.append(f"{_digest(Path(entry.path))}  {rel}")
    write_text(folder / MARKER, "\n".join(lines) + "\n")


def _marker_lines(folder: Path) -> list[str] | None:
    """The lines of `folder`'s marker after its first, or None: no marker (or not one the
    tool could have written: a link, unreadable, not UTF-8)."""
    path = Path(folder) / MARKER
    try:
        if not path.is_file() or path.is_symlink():
            return None
        return path.read_text(encoding="utf-8").splitlines()[1:]
    except (OSError, UnicodeDecodeError):  # a folder it may not look into included
        return None


def read_marker(folder: Path) -> dict[str, str] | None:
    """The files a marker lists ({path: sha256}), or None if `folder` has no marker."""
    lines = _marker_lines(folder)
    if lines is None:
        return None
    listed = {}
    for line in lines:
        if line.startswith(EVENT_LINE):
            continue
        digest, sep, rel = line.partition("  ")
        if sep:
            listed[rel] = digest
    return listed


def read_event(folder: Path) -> str | None:
    """The event (battle_id) `folder`'s marker names, or None: no marker, or one written
    before markers named their event."""
    for line in _marker_lines(folder) or []:
        if line.startswith(EVENT_LINE):
            with contextlib.suppress(ValueError):
                event = json.loads(line[len(EVENT_LINE) :])
                if isinstance(event, str) and event:
                    return event
            return None
    return None


def event_of(data: Path | None) -> str | None:
    """The event (`battle_id` of battle.json) of a data folder, or None if it cannot be read
    (validation says why, before anything is written)."""
    if data is None:
        return None
    try:
        raw = json.loads((Path(data) / "battle.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    event = raw.get("battle_id") if isinstance(raw, dict) else None
    return event if isinstance(event, str) and event.strip() else None


def project_outputs() -> list[tuple[Path, Path]]:
    """The project's own output folders, each with the data folder of its event: derived/,
    figures/ and notebooks/ for data/ (built in place), and events/NAME/output for every
    events/NAME/data (`paths.events`)."""
    places = [(paths.DERIVED, paths.DATA), (paths.FIGURES, paths.DATA), (paths.NOTEBOOKS, paths.DATA)]
    return places + [(out, data) for data, out in paths.events()[1:]]


def _same_event(data: Path, other: Path) -> bool:
    mine, theirs = event_of(data), event_of(other)
    if mine is not None and theirs is not None:
        return mine == theirs
    return _real(data) == _real(other)


def _event_words(data: Path) -> str:
    event = event_of(data)
    return f"event '{event}'" if event is not None else f"the event of {data}"


_RELATION_WORDS = {"is": "it is", "inside": "it is inside", "holds": "it holds"}


def _relation(real: Path, other: Path) -> str | None:
    """Where the resolved path `real` stands to the resolved path `other`: "is" (the same
    path), "inside" (`other` holds it), "holds" (it holds `other`), or None (apart)."""
    if real == other:
        return "is"
    if other in real.parents:
        return "inside"
    if real in other.parents:
        return "holds"
    return None


def recorded_event(path: Path, data: Path | None) -> str | None:
    """The event a marker written at `path` records: the one of `data`, except in the
    project's own output folders, whose event is their place."""
    if data is None:
        return None
    real = _real(path)
    if any(_relation(real, _real(place)) in ("is", "inside") for place, _ in project_outputs()):
        return None
    return event_of(data)


def check_event(path: Path, data: Path) -> None:
    """Raise UnsafeOutput if writing the outputs of the event in `data` at `path` would put
    them where another event's are: a project output folder of another event (by place:
    the folder, inside it or holding it), or a folder whose marker, or the marker of a
    folder holding it, names another event. Reads only."""
    real = _real(path)
    mine = _event_words(data)
    for place, place_data in project_outputs():
        if _same_event(data, place_data):
            continue
        other = _real(place)
        relation = _relation(real, other)
        if relation is None:
            continue
        where = _RELATION_WORDS[relation] + ("" if relation == "is" else f" {other},")
        raise UnsafeOutput(
            path,
            f"{where} the project's output folder of {_event_words(place_data)}, and this run writes {mine}; "
            "choose another --out",
        )
    event = event_of(data)
    if event is None:
        return
    for folder in (real, *real.parents):
        held_event = read_event(folder)
        if held_event is None or held_event == event:
            continue
        where = "it holds" if folder == real else f"it is inside {folder}, which holds"
        raise UnsafeOutput(
            path,
            f"{where} the outputs of event '{held_event}' (named in its {MARKER}), and this run writes "
            f"event '{event}'; choose another --out, or remove {folder} if you no longer need them",
        )


def _transient(name: str) -> bool:
    """Items a run keeps in an output root while it runs (or a killed run left)."""
    return name in (LOCK, JOURNAL) or (name.startswith(".analysis") and (".staging-" in name or ".old-" in name))


def _listing(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_owned(folder: Path, *, root: bool = False) -> None:
    """Raise UnsafeOutput unless `folder` is absent, empty, or the tool's own, whole."""
    folder = Path(folder)
    st = _lstat(folder)
    if st is None:
        return
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeOutput(folder, "it is a symbolic link; give the folder it points to, or a new one")
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeOutput(folder, "it is a file, not a folder")
    names = sorted(n for n in os.listdir(folder) if n not in JUNK and not (root and _transient(n)))
    if not names:
        return
    listed = read_marker(folder)
    if listed is None:
        raise UnsafeOutput(
            folder,
            f"it holds files this tool did not write ({_listing(names)}) and no {MARKER} "
            "marker; choose a new or empty folder",
        )
    foreign, changed = [], []
    skip: set[str] = set()
    for rel, entry in _walk(folder):
        top = rel.split("/", 1)[0]
        if top in skip or rel == MARKER or top in JUNK:
            continue
        if root:
            if _transient(top):
                skip.add(top)
            elif entry.is_dir(follow_symlinks=False) and read_marker(Path(entry.path)) is not None:
                skip.add(top)  # an output folder: checked whole when it is replaced
            else:
                foreign.append(rel)
                skip.add(top)
            continue
        if entry.is_dir(follow_symlinks=False):
            continue
        if not entry.is_file(follow_symlinks=False) or rel not in listed:
            foreign.append(rel)
        elif _digest(Path(entry.path)) != listed[rel]:
            changed.append(rel)
    if root and any(rel in listed for rel in foreign):
        raise UnsafeOutput(
            folder,
            f"it is an output folder of files this tool wrote (listed in its {MARKER}), not a folder of "
            "output folders like the notebooks/, figures/ and derived/ of `build --out`; choose a new or empty folder",
        )
    nested = sorted({rel.split("/", 1)[0] for rel in foreign if "/" in rel})
    nested = [name for name in nested if read_marker(folder / name) is not None]
    if not root and nested:
        raise UnsafeOutput(
            folder,
            f"it holds output folders this tool wrote ({_listing(nested)}), as a `build --out` folder does, "
            "not files of its own; choose a new or empty folder, or one of those folders",
        )
    if foreign:
        raise UnsafeOutput(
            folder,
            f"it holds {_listing(foreign)}, which this tool did not write; move "
            f"{'it' if len(foreign) == 1 else 'them'} elsewhere or choose another folder",
        )
    if changed:
        raise UnsafeOutput(
            folder,
            f"{_listing(changed)} changed after this tool wrote "
            f"{'it' if len(changed) == 1 else 'them'}; move your version elsewhere and run again",
        )


def _real(path: Path) -> Path:
    return Path(os.path.realpath(os.path.abspath(path)))


def protected(*data_dirs: Path) -> list[tuple[Path, str, bool]]:
    """The places no output may be: (path, what it is, whether its inside is refused too).
    The given data folders and every data folder of the project's events (inside
    included), the notebook templates, and the repository root."""
    places = [(Path(d), "the data folder", True) for d in data_dirs if d is not None]
    places.append((paths.DATA, "the project's data folder", True))
    places += [
        (data, f"the data folder of the project's event {data.parent.name}", True) for data, _ in paths.events()[1:]
    ]
    places.append((paths.NOTEBOOKS, "the project's notebook templates", True))
    places.append((paths.ROOT, "the repository root", False))
    return places


def check_protected(path: Path, protect=()) -> None:
    """Raise UnsafeOutput if `path` is, is inside (where refused) or holds a protected
    place. Being a place is told first, then being inside one, then holding one: the
    repository root is "the repository root", though it holds the data folder too."""
    real = _real(path)
    found = []
    for place, label, inside in protect:
        other = _real(place)
        relation = _relation(real, other)
        if relation is not None and (inside or relation != "inside"):
            found.append((relation, other, label))
    for wanted in _RELATION_WORDS:  # "is", then "inside", then "holds"
        for relation, other, label in found:
            if relation == wanted:
                raise UnsafeOutput(
                    path, f"{_RELATION_WORDS[relation]} {label}" + ("" if relation == "is" else f" ({other})")
                )


def check_target(path: Path, protect=(), *, root: bool = False, data: Path | None = None) -> None:
    """Everything that must hold before a folder is written: not a protected place, not
    another event's (`check_event`, given the `data` folder of the run), and absent, empty
    or the tool's own. Reads only."""
    check_protected(path, protect)
    if data is not None:
        check_event(path, data)
    check_owned(path, root=root)


def absolute(path: Path) -> Path:
    """`path` made absolute with '.' and '..' resolved, so that `.` has a parent and a name."""
    return Path(os.path.abspath(path))


# -- the lock ---------------------------------------------------------------------------


class RootLock:
    """An exclusive flock on `root/.analysis.lock`, removed on release."""

    def __init__(self, root: Path, log=None):
        self.path = Path(root) / LOCK
        self.log = log or (lambda message: None)
        self.fd: int | None = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # no flock on this system: one run at a time is up to the user
            return
        said = False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if not said:
                        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                        self.log(
                            f"waiting: another run (pid {holder}) is writing in {self.path.parent}; "
                            "this one starts when it ends (Ctrl-C to give up)"
                        )
                        said = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
                if not same:  # the holder removed the file as we queued: lock the new one
                    os.close(fd)
                    continue
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except BaseException:
                os.close(fd)
                raise
            self.fd = fd
            return

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = None


# -- publication ------------------------------------------------------------------------


def _same(current, recorded) -> bool:
    return current is not None and recorded is not None and list(current) == list(recorded)


def rollback(root: Path, journal: dict) -> None:
    """Undo a journalled publication: every new item back to staging, every old one back
    in place. Checks first that every item is the one recorded (a new folder also still
    as written, to its marker): if any was changed since, moves nothing and raises
    OutputError naming it (the caller keeps the journal)."""
    root = Path(root)
    stage, backup = root / journal["stage"], root / journal["backup"]
    problems = []
    for move in journal["moves"]:
        target, old = root / move["path"], backup / move["path"]
        current = ident(target)
        if current is not None and _same(current, move["new"]):
            if current[0] == "dir":
                try:
                    check_owned(target)
                except UnsafeOutput:  # someone wrote into the new folder since: keep it
                    problems.append(f"{target} (changed since)")
        elif current is None:
            if move["old"] is not None and _lstat(old) is None:
                problems.append(f"{target} (its previous version is gone)")
        elif not _same(current, move["old"]):
            problems.append(f"{target} (changed since)")
    if problems:
        raise OutputError(
            f"an interrupted publication in {root} cannot be undone safely: {'; '.join(problems)}; "
            f"compare with {stage} and {backup}, then delete {root / JOURNAL}"
        )
    for move in reversed(journal["moves"]):
        target, staged, old = root / move["path"], stage / move["path"], backup / move["path"]
        if _same(ident(target), move["new"]):
            staged.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, staged)
        if ident(target) is None and _lstat(old) is not None:
            os.replace(old, target)


def recover(root: Path, log=None) -> bool:
    """Roll back a publication a killed run left in `root` (call with the lock held)."""
    path = Path(root) / JOURNAL
    if _lstat(path) is None:
        return False
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(journal, dict) or not {"stage", "backup", "moves"} <= journal.keys():
            raise ValueError("not a journal of this tool")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise OutputError(f"cannot read {path} ({err}): check the folder {root}, then delete it") from None
    rollback(root, journal)
    os.unlink(path)
    _fsync_dir(Path(root))
    if log:
        pid = journal.get("pid", "?")
        log(f"restored the previous outputs in {root}: a run (pid {pid}) was interrupted while publishing")
    return True


def clean_stale(root: Path) -> list[Path]:
    """Remove what killed runs left in `root`: staging and old folders, and temporary
    files of the marker and journal (call with the lock held, after `recover`)."""
    removed: list[Path] = []
    root = Path(root)
    if not root.is_dir():
        return removed
    legacy = tuple(f".{name}.{kind}-" for name in LEGACY_NAMES for kind in ("staging", "old"))
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        name = entry.name
        if name in (LOCK, JOURNAL):
            continue
        if _transient(name) or name.startswith(legacy):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


class Publication:
    """Stage a set of outputs inside `root` and switch them in with one journalled commit.

    >>> with Publication(out, owned_root=True) as pub:
    ...     figures = pub.add_dir("figures")   # write into it
    ...     pub.commit()

    Entering takes the lock, rolls back what a killed run left, removes stale staging,
    and (for an `owned_root`) creates and marks the root. Given the `data` folder of the
    run, every folder is checked to hold no other event's outputs (`check_event`), and
    every marker written names the event (`recorded_event`). Leaving without `commit` (an
    exception, Ctrl-C) removes the staging folder and leaves every output as it was.
    """

    def __init__(self, root: Path, *, owned_root: bool = False, protect=(), log=None, data: Path | None = None):
        self.root = absolute(root)
        self.owned_root = owned_root
        self.protect = protect
        self.log = log
        self.data = data
        self._stage: Path | None = None
        self.targets: list[tuple[str, str, list | None]] = []
        self._lock = RootLock(self.root, log)
        self._pending = False
        self._backup: Path | None = None

    @property
    def stage(self) -> Path:
        """The staging folder (inside the root) of this run."""
        if self._stage is None:
            raise RuntimeError("a Publication stages only inside its `with` block")
        return self._stage

    def __enter__(self) -> Publication:
        if self.owned_root:
            check_target(self.root, self.protect, root=True, data=self.data)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock.acquire()
        try:
            if self.owned_root:
                if self.data is not None:
                    check_event(self.root, self.data)
                check_owned(self.root, root=True)
                event = recorded_event(self.root, self.data)
                if read_marker(self.root) is None or (event is not None and read_event(self.root) != event):
                    write_marker(self.root, root=True, event=event)
            recover(self.root, self.log)
            clean_stale(self.root)
            self._stage = fresh_dir(self.root, STAGE_PREFIX)
            write_text(self._stage / MARKER, STAGING_NOTE + "\n")
        except BaseException:
            if self._stage is not None:
                shutil.rmtree(self._stage, ignore_errors=True)
            self._lock.release()
            raise
        return self

    def add_dir(self, rel: str) -> Path:
        """A folder `root/rel` replaced whole on commit; returns its staging folder.
        Checked (`check_target`) now and (`check_owned`) at the commit."""
        check_target(self.root / rel, self.protect, data=self.data)
        staged = self.stage / rel
        staged.mkdir(parents=True)
        self.targets.append((rel, "dir", None))
        return staged

    def add_file(self, rel: str, expect: list | None) -> Path:
        """A file `root/rel` replaced on commit, provided it is still `expect` (its
        `ident` when the run read it); returns where to write the new version."""
        staged = self.stage / rel
        staged.parent.mkdir(parents=True, exist_ok=True)
        self.targets.append((rel, "file", expect))
        return staged

    def commit(self) -> None:
        """Switch every staged item in, all or none."""
        root, stage = self.root, self.stage
        for rel, kind, expect in self.targets:
            if kind == "dir":
                check_owned(root / rel)
                write_marker(stage / rel, event=recorded_event(root / rel, self.data))
            elif not _same(ident(root / rel), expect):
                raise OutputError(f"{root / rel} changed while this run was working; not replaced: run again")
        backup = self._backup = fresh_dir(root, OLD_PREFIX)
        moves: list[dict[str, Any]] = []
        for rel, _, _ in self.targets:
            old = ident(root / rel)
            if old is not None:
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
            moves.append({"path": rel, "old": old, "new": ident(stage / rel)})
        journal = {"pid": os.getpid(), "stage": stage.name, "backup": backup.name, "moves": moves}
        write_bytes(root / JOURNAL, (json.dumps(journal, indent=1) + "\n").encode(), durable=True)
        _fsync_dir(root)
        self._pending = True
        try:
            for move in moves:
                rel = move["path"]
                if move["old"] is not None:
                    os.replace(root / rel, backup / rel)
                os.replace(stage / rel, root / rel)
        except BaseException as err:
            try:
                rollback(root, journal)
                os.unlink(root / JOURNAL)
                self._pending = False
            except BaseException as second:
                raise OutputError(
                    f"publishing in {root} failed ({err}) and so did undoing it ({second}); "
                    "the next run will restore the previous outputs"
                ) from err
            raise
        os.unlink(root / JOURNAL)
        self._pending = False
        _fsync_dir(root)
        self.targets = []

    def __exit__(self, *exc) -> None:
        try:
            if not self._pending:
                for folder in (self._stage, self._backup):
                    if folder is not None:
                        shutil.rmtree(folder, ignore_errors=True)
        finally:
            self._lock.release()


def _translate(err: OSError, where: Path) -> OutputError:
    detail = err.strerror or str(err)
    name = f" ({err.filename})" if err.filename and str(err.filename) != str(where) else ""
    return OutputError(f"cannot write {where}: {detail}{name}")


@contextlib.contextmanager
def output_dir(target: Path, *, protect=(), owned_root: bool = False, log=None, data: Path | None = None):
    """Stage the folder `target`, checked (`check_target`, with the run's `data` folder
    if given), and publish it whole when the block succeeds. An OSError becomes an
    OutputError naming `target`."""
    target = absolute(target)
    root = target.parent
    if owned_root:
        check_target(root, protect, root=True, data=data)
    check_target(target, protect, data=data)
    try:
        with Publication(root, owned_root=owned_root, protect=protect, log=log, data=data) as pub:
            stage = pub.add_dir(target.name)
            yield stage
            pub.commit()
    except (BrokenPipeError, KeyboardInterrupt):
        raise
    except OSError as err:
        raise _translate(err, target) from err
