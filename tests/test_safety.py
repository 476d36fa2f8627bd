"""Never lose a byte: the tool writes only into folders it owns, publishes a whole output
set in one journalled step (proved by faults injected at every rename, and by killing
the process there), takes one run at a time, and on the command line fails with one line
naming the place (no traceback) on bad folders, full or unwritable disks, closed pipes,
Ctrl-C, odd data files and ASCII-only terminals. Also `new`, and the suite's hygiene.

Builds here use a one-cell stand-in notebook (nbval runs the real ones): the machinery is
the same and a build takes a second or two. The command line runs in this process through
its entry point (`analysis.cli.main`, what `python -m analysis` calls) wherever exit
status and messages are the point, and in a process of its own (`cli`) where the process
is: signals, closed pipes, two runs and their lock, the locale, a hang to stop, and
`python -m analysis` itself."""

import argparse
import errno
import hashlib
import inspect
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analysis import outputs, paths
from analysis.build import BuildError, Layout, build
from analysis.cli import build_parser, main
from analysis.outputs import MARKER, OutputError, Publication, ident
from analysis.read import MAX_BYTES, read_table
from conftest import DATA, ROOT, STUB, claim, make_event, notebook, quiet, rows_of, set_claim

PROJECT = ("data", "notebooks", "figures", "derived")
OWN_FILES = ["outputs", "build", "cli", "html", "paths", "read", "scaffold", "__main__"]


# -- helpers ----------------------------------------------------------------------------


def tree(folder: Path) -> dict:
    """Every item under `folder` (hidden ones too): files by content hash, folders and
    links by kind. Equal trees mean no byte changed."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        rel, mode = str(path.relative_to(folder)), path.lstat().st_mode
        if stat.S_ISLNK(mode):
            found[rel] = f"link:{os.readlink(path)}"
        elif stat.S_ISREG(mode):
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:  # a folder, or a FIFO that must not be opened
            found[rel] = stat.S_IFMT(mode)
    return found


def project_state() -> dict:
    """The project's data and output folders, and the names at its root and above it."""
    state = {name: tree(ROOT / name) for name in PROJECT}
    for place in (ROOT, ROOT.parent):
        state[str(place)] = sorted(n for n in os.listdir(place) if ".staging" in n or n.startswith(".analysis"))
    return state


def leftovers(*folders: Path) -> list[str]:
    """Staging, old, lock and journal items anywhere under `folders`."""
    return [
        str(p)
        for folder in folders
        for p in Path(folder).rglob("*")
        if ".staging" in p.name or p.name.startswith(".analysis.")
    ]


def cli(*args, env=None, **kwargs):
    """`python -m analysis ARGS` in a process of its own: for what needs the process
    boundary (signals, pipes, locks between runs, the locale, a hang to stop)."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env, **kwargs
    )


@pytest.fixture
def run_main(capsys, monkeypatch):
    """The command line's entry point (`analysis.cli.main`, what `python -m analysis`
    runs) called in this process from the repository root: exit status, stdout and
    stderr as `cli` gives them, without the imports of a new process per call."""
    monkeypatch.chdir(ROOT)

    def run(*args) -> subprocess.CompletedProcess:
        capsys.readouterr()
        try:
            status = main([str(a) for a in args])
        except SystemExit as end:  # argparse: --help, --version, usage errors
            status = end.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["python", "-m", "analysis", *map(str, args)], status, out, err)

    return run


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def small_event(folder: Path, sides=("army", "militia")) -> Path:
    return make_event(
        folder,
        [
            claim("M1", "Monitor", "2020-03-01", "2020-03-01", sides[0], 5),
            claim("M2", "Monitor", "2020-03-01", "2020-03-03", "all", 20),
            claim("M3", "Monitor", "2020-03-01", "2020-03-03", sides[1], 8),
        ],
        sides=sides,
    )


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    notebook(STUB, name="01-stub.ipynb", folder=folder)
    return folder


@pytest.fixture(scope="session")
def event(tmp_path_factory):
    return small_event(tmp_path_factory.mktemp("event") / "data")


@pytest.fixture(scope="session")
def stub_build(tmp_path_factory, templates):
    """One `python -m analysis build --out OUT` (the command line's entry point, in this
    process) of the project's data, its templates the project's notebooks/ but with the
    stand-in notebook found there in place of the real ones (nbval runs those), shared:
    tests that change it work on a copy. Returns OUT and the project's state before."""
    import analysis.build

    out = tmp_path_factory.mktemp("stub-build") / "out"
    real = analysis.build.notebook_files

    def stand_in(folder):
        return real(templates if Path(folder) == paths.NOTEBOOKS else folder)

    before = project_state()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analysis.build, "notebook_files", stand_in)
        assert main(["build", "--out", str(out)]) == 0
    return out, before


@pytest.fixture
def built(stub_build, tmp_path):
    """A private copy of the shared build's output folder."""
    out = tmp_path / "out"
    shutil.copytree(stub_build[0], out)
    return out


@pytest.fixture
def refused_only(monkeypatch):
    """For commands that must be refused before anything is written: should the refusal
    ever fail, the test fails where the build would start or a table folder be written
    (in the project's own output folders too), not after."""

    def went_on(*args, **kwargs):
        pytest.fail("not refused: the command went on to write")

    import analysis.build

    monkeypatch.setattr(analysis.build, "main", went_on)
    monkeypatch.setattr(outputs, "output_dir", went_on)


def with_battle(data: Path, **values) -> Path:
    """`data` with these values set in its battle.json (another battle_id: another event)."""
    battle = json.loads((data / "battle.json").read_text(encoding="utf-8"))
    battle.update(values)
    (data / "battle.json").write_text(json.dumps(battle), encoding="utf-8")
    return data


@pytest.fixture
def draft(tmp_path):
    folder = tmp_path / "paper"
    folder.mkdir()
    (folder / "draft.tex").write_text("\\section{Results}\nOur own words.\n")
    return folder


# -- 1. outputs are owned ------------------------------------------------------------------

PLACES = {  # where --out points, and the reason the refusal gives
    "data": (lambda draft: DATA, "it is the project's data folder"),
    "inside data": (lambda draft: DATA / "tables", "it is inside the project's data folder"),
    "inside another event's data": (
        lambda draft: ROOT / "events" / "al-qubeir" / "data" / "x",
        "it is inside the data folder of the project's event al-qubeir",
    ),
    "repository root": (lambda draft: Path("."), "it is the repository root"),
    "parent of the root": (lambda draft: Path(".."), "it holds"),
    "a user's folder": (lambda draft: draft, "it holds files this tool did not write (draft.tex)"),
}


@pytest.mark.parametrize("command", ["reconcile", "build", "html"])
@pytest.mark.parametrize("place", list(PLACES))
def test_refuses_folders_it_does_not_own(run_main, command, place, draft, tmp_path):
    """Refused before anything is read: should the refusal ever fail, the command stops
    at the invalid (empty) data folder instead of writing there."""
    out, reason = PLACES[place]
    out = out(draft)
    (tmp_path / "no-data").mkdir()
    before, draft_before = project_state(), tree(draft.parent)
    run = run_main(command, "--out", out, *(["--data-dir", tmp_path / "no-data"] if command != "html" else []))
    assert run.returncode == 2, run.stderr
    line = one_line(run.stderr)
    assert f"refusing to write to {outputs.absolute(ROOT / out)}" in line and reason in line
    assert project_state() == before and tree(draft.parent) == draft_before
    assert not leftovers(draft.parent) and not (DATA / "tables").exists()


def test_refuses_a_folder_of_its_own_with_a_users_file_in_it(run_main, built):
    (built / "derived" / "draft.tex").write_text("mine\n")
    before = tree(built)
    for args in (["reconcile", "--data-dir", DATA, "--out", built / "derived"], ["build", "--out", built]):
        run = run_main(*args)
        assert run.returncode == 2
        line = one_line(run.stderr)
        assert str(built / "derived") in line and "draft.tex" in line and "did not write" in line
    assert tree(built) == before


def test_refuses_an_output_changed_by_hand(run_main, built):
    table = next((built / "derived").glob("*.csv"))
    table.write_text(table.read_text() + "my note\n")
    before = tree(built)
    run = run_main("build", "--out", built)
    assert run.returncode == 2 and table.name in one_line(run.stderr) and "changed" in run.stderr
    assert tree(built) == before


def test_refuses_an_output_root_holding_a_users_file(run_main, built):
    (built / "notes.txt").write_text("mine\n")
    before = tree(built)
    run = run_main("html", "--out", built)
    assert run.returncode == 2 and "notes.txt" in one_line(run.stderr)
    assert tree(built) == before


def test_refuses_links_files_and_a_folder_holding_the_data(run_main, tmp_path, event):
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "target")
    (tmp_path / "file.csv").write_text("a,b\n")
    before = tree(tmp_path)
    for out, words in (("link", "symbolic link"), ("file.csv", "is a file")):
        run = run_main("reconcile", "--out", tmp_path / out)
        assert run.returncode == 2 and words in one_line(run.stderr)
    run = run_main("build", "--data-dir", event, "--out", event.parent)
    assert run.returncode == 2 and "holds the data folder" in one_line(run.stderr)
    assert tree(tmp_path) == before


def test_another_events_data_needs_an_output_folder(run_main, tmp_path):
    """(An empty data folder: should the refusal ever fail, validation stops the run.)"""
    before = project_state()
    for command in ("reconcile", "build"):
        run = run_main(command, "--data-dir", tmp_path)
        assert run.returncode == 2 and "give --out" in one_line(run.stderr)
    assert project_state() == before


def test_an_own_folder_is_replaced_and_stale_staging_cleaned(run_main, tmp_path, event):
    out = tmp_path / "tables"
    assert run_main("reconcile", "--data-dir", event, "--out", out).returncode == 0
    listed = outputs.read_marker(out)
    assert listed and set(listed) == {p.name for p in out.iterdir()} - {MARKER}
    # What killed runs leave behind (and a user's look-alike, which stays).
    (tmp_path / ".analysis.staging-x1").mkdir()
    (tmp_path / ".analysis.staging-x1" / "half.csv").write_text("1\n")
    (tmp_path / ".analysis.old-x2").mkdir()
    (tmp_path / ".analysis.journal.staging-x3").write_text("{")
    (tmp_path / ".derived.old-123").mkdir()
    (tmp_path / ".mine.staging-1").mkdir()
    with outputs.output_dir(out) as stage:  # what the next run does
        (stage / "t.csv").write_text("a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".mine.staging-1", "tables"]
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "t.csv"]


def test_outputs_respect_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        with outputs.output_dir(tmp_path / "tables") as stage:
            outputs.write_text(stage / "t.csv", "a\n")
        with Publication(tmp_path / "root", owned_root=True) as pub:
            (pub.add_dir("figures") / "f.svg").write_text("<svg/>")
            pub.commit()
    finally:
        os.umask(old)
    for folder in (tmp_path / "tables", tmp_path / "root", tmp_path / "root" / "figures"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o750, folder
    for file in (tmp_path / "tables" / "t.csv", tmp_path / "tables" / MARKER):
        assert stat.S_IMODE(file.stat().st_mode) == 0o640, file


def test_a_marker_the_tool_may_not_look_at_is_no_marker(tmp_path, monkeypatch):
    """A folder whose marker cannot be examined (permission denied) holds no marker of the
    tool's: read as such, not a crash."""
    folder = tmp_path / "out"
    folder.mkdir()
    outputs.write_marker(folder, event="e")
    assert outputs.read_event(folder) == "e"
    real = Path.is_file

    def denied(self):
        if self.name == MARKER:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "is_file", denied)
    assert outputs.read_marker(folder) is None and outputs.read_event(folder) is None


def test_the_projects_output_folders_are_marked():
    for name in ("figures", "derived"):
        outputs.check_owned(ROOT / name)
        assert outputs.read_marker(ROOT / name), name


def test_an_output_folder_holds_the_outputs_of_one_event(
    run_main, refused_only, no_kernel, built, templates, event, tmp_path
):
    """Every marker names the event (battle_id) that wrote it; a run of another event into
    the folder, a folder in it or a new one inside it is refused in one line naming the
    folder, both events and what to do, and nothing changes."""
    flagship, other = outputs.event_of(DATA), outputs.event_of(event)
    assert flagship and other and flagship != other
    out = tmp_path / "other"
    build(Layout.into(out, data=event, templates=templates), log=quiet)
    for folder, held in ((built, flagship), (out, other)):
        assert {outputs.read_event(m.parent) for m in folder.rglob(MARKER)} == {held}
    before, tables = tree(tmp_path), built / "derived"
    for args, target, holder, held, writes in (
        (["reconcile", "--out", out / "derived"], out / "derived", out / "derived", other, flagship),
        (["build", "--out", out], out, out, other, flagship),
        (["reconcile", "--data-dir", event, "--out", tables], tables, tables, flagship, other),
        (["reconcile", "--data-dir", event, "--out", built / "tables"], built / "tables", built, flagship, other),
        (["build", "--data-dir", event, "--out", built], built, built, flagship, other),
    ):
        run = run_main(*args)
        assert run.returncode == 2, args
        line = one_line(run.stderr)
        assert f"refusing to write to {target}: " in line and f"the outputs of event '{held}'" in line, line
        assert f"this run writes event '{writes}'; choose another --out, or remove {holder} " in line, line
    assert tree(tmp_path) == before


def test_a_marker_naming_no_event_is_accepted_and_then_names_the_event(no_kernel, built, templates, event):
    """Markers written before they named their event: the folder is taken as before."""
    markers = list(built.rglob(MARKER))
    for marker in markers:
        lines = marker.read_text(encoding="utf-8").splitlines(keepends=True)
        marker.write_text("".join(x for x in lines if not x.startswith(outputs.EVENT_LINE)), encoding="utf-8")
        assert outputs.read_event(marker.parent) is None and outputs.read_marker(marker.parent) is not None
    build(Layout.into(built, data=event, templates=templates), log=quiet)
    assert {outputs.read_event(m.parent) for m in markers} == {outputs.event_of(event)}


def test_the_projects_output_folders_take_their_own_events_outputs_only(run_main, refused_only):
    """The user trial's commands: another event's outputs into the project's derived/ or
    into events/al-qubeir/output (also inside one, and build --out derived: the reason
    given is the event, not files "this tool did not write"); make build's two commands
    pass the rule (checked only: nothing is built)."""
    qubeir = ROOT / "events" / "al-qubeir"
    flagship, second = outputs.event_of(DATA), outputs.event_of(qubeir / "data")
    before, qubeir_before = project_state(), tree(qubeir)
    for args, target, where, held, writes in (
        (["build", "--out", qubeir / "output"], qubeir / "output", "it is", second, flagship),
        (["reconcile", "--data-dir", qubeir / "data", "--out", "derived"], ROOT / "derived", "it is", flagship, second),
        (["build", "--data-dir", qubeir / "data", "--out", "derived"], ROOT / "derived", "it is", flagship, second),
        (
            ["reconcile", "--data-dir", qubeir / "data", "--out", "figures/tables"],
            ROOT / "figures" / "tables",
            f"it is inside {ROOT / 'figures'},",
            flagship,
            second,
        ),
    ):
        run = run_main(*args)
        assert run.returncode == 2, args
        line = one_line(run.stderr)
        assert line.endswith(
            f"refusing to write to {target}: {where} the project's output folder of event '{held}', "
            f"and this run writes event '{writes}'; choose another --out"
        ), line
    assert project_state() == before and tree(qubeir) == qubeir_before
    for layout in (Layout(), Layout.into(qubeir / "output", data=qubeir / "data")):
        for folder in (layout.root / name for name in ("figures", "derived", "notebooks")):
            outputs.check_event(folder, layout.data)
    outputs.check_event(qubeir / "output", qubeir / "data")


def test_the_projects_output_folders_are_their_events_by_place(run_main, monkeypatch, event, templates, tmp_path):
    """A checkout where no output exists yet: the place alone decides. Each event's own
    folders take its outputs, and their markers name no event (their place does)."""
    project = tmp_path / "project"
    shutil.copytree(event, project / "data")
    second = with_battle(Path(shutil.copytree(event, project / "events" / "b" / "data")), battle_id="event-b")
    for name, folder in (("ROOT", "."), ("DATA", "data"), ("DERIVED", "derived"), ("FIGURES", "figures")):
        monkeypatch.setattr(paths, name, (project / folder).resolve())
    monkeypatch.setattr(paths, "NOTEBOOKS", tmp_path / "templates-elsewhere")
    output, flagship = project / "events" / "b" / "output", outputs.event_of(event)
    before = tree(project)
    for data, target, words in (
        (second, project / "derived", f"it is the project's output folder of event '{flagship}'"),
        (second, project / "figures" / "tables", f"it is inside {project / 'figures'}, the project's output folder"),
        (project / "data", output, "it is the project's output folder of event 'event-b'"),
        (project / "data", project / "events" / "b", "it holds the data folder of the project's event b"),
    ):
        run = run_main("reconcile", "--data-dir", data, "--out", target)
        assert run.returncode == 2, target
        assert words in one_line(run.stderr)
    with pytest.raises(outputs.UnsafeOutput, match="output folder of event 'event-b'"):
        build(Layout.into(output, data=project / "data", templates=templates), log=quiet)
    assert tree(project) == before
    for data, target in ((second, output / "derived"), (project / "data", project / "derived")):
        assert run_main("reconcile", "--data-dir", data, "--out", target).returncode == 0
        assert outputs.read_marker(target) and outputs.read_event(target) is None


def test_a_folder_of_the_wrong_kind_is_refused_for_what_it_is(run_main, refused_only, built):
    """A folder of tables given to `build --out`, and a `build --out` folder given to
    `reconcile --out`: every file is listed in the tool's markers, so the reason is the
    kind of folder, not files "this tool did not write"."""
    before = tree(built)
    run = run_main("build", "--out", built / "derived")
    assert run.returncode == 2
    assert one_line(run.stderr).endswith(
        f"refusing to write to {built / 'derived'}: it is an output folder of files this tool wrote (listed in "
        f"its {MARKER}), not a folder of output folders like the notebooks/, figures/ and derived/ of "
        "`build --out`; choose a new or empty folder"
    )
    run = run_main("reconcile", "--out", built)
    assert run.returncode == 2
    assert one_line(run.stderr).endswith(
        f"refusing to write to {built}: it holds output folders this tool wrote (derived, figures, notebooks), "
        "as a `build --out` folder does, not files of its own; choose a new or empty folder, or one of those folders"
    )
    assert tree(built) == before


# -- 2. build --out --------------------------------------------------------------------------


def test_build_out_writes_the_events_outputs_and_nothing_of_the_project(stub_build):
    """`build --out` of the project's data: OUT gets the outputs, each folder with its
    marker (the root's lists no file), and not one byte of the project's data, notebooks,
    figures or tables changes, nor anything appears beside them."""
    out, before = stub_build
    assert project_state() == before
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "derived", "figures", "notebooks"]
    assert outputs.read_marker(out) == {}
    for name in ("derived", "figures", "notebooks"):
        assert (out / name / MARKER).is_file()
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == [MARKER, "01-stub.ipynb"]
    executed = (out / "notebooks" / "01-stub.ipynb").read_text(encoding="utf-8")
    assert f"event: {json.loads((DATA / 'battle.json').read_text(encoding='utf-8'))['name']}" in executed
    assert {p.stem for p in (out / "figures").glob("*.svg")} == set(paths.FIGURE_NAMES)
    assert (out / "derived" / "battle_totals-hierarchy.csv").is_file()
    outputs.check_owned(out, root=True)
    assert not [p for p in ROOT.iterdir() if p.name.startswith(".analysis")]


def test_a_second_build_replaces_the_first_whole(no_kernel, built, templates, data_copy):
    """The same event (its battle_id), from another data folder and renamed."""
    other = with_battle(data_copy, name="Renamed event")
    build(Layout.into(built, data=other, templates=templates), log=quiet)
    assert "event: Renamed event" in (built / "notebooks" / "01-stub.ipynb").read_text()
    outputs.check_owned(built, root=True)
    assert not leftovers(built)


def test_a_failed_publish_in_a_build_keeps_the_old_outputs(no_kernel, built, templates, monkeypatch):
    before = tree(built)
    real, failed = os.replace, []

    def fail_on_derived(src, dst):
        if Path(dst) == built / "derived" and not failed:
            failed.append(dst)
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_derived)
    with pytest.raises(BuildError, match="Input/output error"):
        build(Layout.into(built, data=DATA, templates=templates), log=quiet)
    monkeypatch.undo()
    assert tree(built) == before


def test_a_notebook_edited_during_an_in_place_build_is_kept(tmp_path, event):
    """The project's layout replaces notebooks/ files in place: one edited while the
    build ran (here by its own first cell) is not overwritten, and nothing is published."""
    nb = tmp_path / "notebooks" / "01-stub.ipynb"
    notebook(f"open({str(nb)!r}, 'a').write(' ')", STUB, name=nb.name, folder=nb.parent)
    before = tree(tmp_path)
    with pytest.raises(BuildError, match="01-stub.ipynb changed while this run was working"):
        build(Layout(data=event, root=tmp_path), log=quiet)
    after = tree(tmp_path)
    assert after.pop("notebooks/01-stub.ipynb") != before.pop("notebooks/01-stub.ipynb")
    assert after == before


def test_html_out_renders_an_output_folders_notebooks(run_main, built):
    run = run_main("html", "--out", built)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (built / "html").iterdir()) == [MARKER, "01-stub.html", "index.html"]
    event = outputs.read_event(built / "notebooks")
    assert event and f"<h1>{event}: notebooks</h1>" in (built / "html" / "index.html").read_text(encoding="utf-8")
    assert f"<title>{event}: notebooks</title>" in (built / "html" / "index.html").read_text(encoding="utf-8")
    outputs.check_owned(built, root=True)
    assert run_main("html", "--out", built).returncode == 0  # a second run replaces the first
    outputs.check_owned(built, root=True)


def test_html_out_without_notebooks_fails_and_writes_nothing(run_main, tmp_path):
    run = run_main("html", "--out", tmp_path / "empty")
    assert run.returncode == 1 and "no notebooks" in one_line(run.stderr)
    assert list(tmp_path.iterdir()) == []


# -- 3. one atomic publish -------------------------------------------------------------------


def publish_set(root, version, in_place):
    """Publish output set `version` into `root`: figures/ and derived/, plus notebooks/
    as a folder of its own (an output root) or as files replaced in place."""
    from pathlib import Path

    from analysis.outputs import Publication, ident

    root = Path(root)
    with Publication(root, owned_root=not in_place) as pub:
        for name in ("figures", "derived") if in_place else ("figures", "derived", "notebooks"):
            folder = pub.add_dir(name)
            for i in range(2):
                (folder / f"{name}-{i}.txt").write_text(f"{name} {i} version {version}\n")
        if in_place:
            for nb in ("01.ipynb", "02.ipynb"):
                target = root / "notebooks" / nb
                pub.add_file(f"notebooks/{nb}", ident(target)).write_text(f"{nb} version {version}\n")
        pub.commit()


def old_and_new(tmp_path, in_place):
    """A root holding set 1, and the tree it has once set 2 is published."""
    root = tmp_path / "root"
    if in_place:
        (root / "notebooks").mkdir(parents=True)
        (root / "notebooks" / "README.md").write_text("templates\n")
        for nb in ("01.ipynb", "02.ipynb"):
            (root / "notebooks" / nb).write_text(f"{nb} template\n")
    publish_set(root, 1, in_place)
    probe = tmp_path / "probe"
    shutil.copytree(root, probe)
    publish_set(probe, 2, in_place)
    new = tree(probe)
    shutil.rmtree(probe)
    return root, tree(root), new


def count_renames(tmp_path, in_place):
    root, _, _ = old_and_new(tmp_path / "count", in_place)
    calls = []
    real = os.replace

    def counting(src, dst):
        calls.append((src, dst))
        real(src, dst)

    os.replace = counting
    try:
        publish_set(root, 2, in_place)
    finally:
        os.replace = real
    return len(calls)


def recover(root, in_place):
    """What the next run does first: lock, roll back, clean."""
    with Publication(root, owned_root=not in_place):
        pass


@pytest.mark.parametrize("in_place", [False, True], ids=["output-root", "in-place"])
def test_a_rename_that_fails_once_leaves_the_old_outputs_whole(tmp_path, in_place, monkeypatch):
    n = count_renames(tmp_path, in_place)
    assert n >= 8
    for k in range(1, n + 1):
        root, old, _ = old_and_new(tmp_path / f"k{k}", in_place)
        calls, real = [], os.replace

        def flaky(src, dst, k=k, calls=calls, real=real):
            calls.append(dst)
            if len(calls) == k:
                raise OSError(errno.EIO, "Input/output error", str(dst))
            real(src, dst)

        monkeypatch.setattr(os, "replace", flaky)
        with pytest.raises(OSError):
            publish_set(root, 2, in_place)
        monkeypatch.undo()
        assert tree(root) == old, f"rename {k} of {n}"
        assert not leftovers(root), f"rename {k} of {n}"


@pytest.mark.parametrize("in_place", [False, True], ids=["output-root", "in-place"])
def test_a_disk_that_fails_for_good_is_rolled_back_by_the_next_run(tmp_path, in_place, monkeypatch):
    n = count_renames(tmp_path, in_place)
    for k in range(1, n + 1):
        root, old, _ = old_and_new(tmp_path / f"k{k}", in_place)
        calls, real = [], os.replace

        def broken(src, dst, k=k, calls=calls, real=real):
            calls.append(dst)
            if len(calls) >= k:
                raise OSError(errno.EIO, "Input/output error", str(dst))
            real(src, dst)

        monkeypatch.setattr(os, "replace", broken)
        with pytest.raises((OSError, OutputError)):
            publish_set(root, 2, in_place)
        monkeypatch.undo()
        recover(root, in_place)
        assert tree(root) == old, f"rename {k} of {n}"
        assert not leftovers(root), f"rename {k} of {n}"


KILL = """
import os, sys
sys.path[:0] = {path!r}
real, calls = os.replace, []
def kill(src, dst):
    calls.append(dst)
    if len(calls) == {k}:
        os._exit(137)  # no cleanup at all, as with SIGKILL or a power cut
    real(src, dst)
os.replace = kill
{source}
publish_set({root!r}, 2, {in_place})
"""


def killed_at(root, k, in_place):
    script = KILL.format(path=sys.path, k=k, source=inspect.getsource(publish_set), root=str(root), in_place=in_place)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True).returncode


@pytest.mark.parametrize("in_place", [False, True], ids=["output-root", "in-place"])
def test_a_run_killed_at_any_rename_leaves_old_or_new_outputs_whole(tmp_path, in_place):
    n = count_renames(tmp_path, in_place)
    seen = set()
    for k in range(1, n + 2):
        root, old, new = old_and_new(tmp_path / f"k{k}", in_place)
        status = killed_at(root, k, in_place)
        assert status == (137 if k <= n else 0), f"rename {k} of {n}"
        recover(root, in_place)
        state = tree(root)
        assert state in (old, new), f"rename {k} of {n}: neither the old nor the new outputs"
        seen.add("old" if state == old else "new")
        assert not leftovers(root), f"rename {k} of {n}"
    assert seen == {"old", "new"}


def test_recovery_leaves_alone_what_changed_after_a_kill(tmp_path):
    root, _, _ = old_and_new(tmp_path, False)
    n = count_renames(tmp_path / "n", False)
    assert killed_at(root, n, False) == 137  # killed at the last rename: journal left
    assert (root / outputs.JOURNAL).exists()
    (root / "figures" / "my-notes.txt").write_text("mine\n")
    (root / outputs.LOCK).unlink()  # the killed run's lock file: each run removes its own
    before = tree(root)
    with pytest.raises(OutputError, match="figures .changed since"):
        recover(root, False)
    assert tree(root) == before and (root / "figures" / "my-notes.txt").read_text() == "mine\n"


def test_a_file_changed_while_staging_is_not_replaced(tmp_path):
    root, old, _ = old_and_new(tmp_path, True)
    nb = root / "notebooks" / "01.ipynb"
    with pytest.raises(OutputError, match="changed while this run was working"), Publication(root) as pub:
        (pub.add_dir("figures") / "x.txt").write_text("new\n")
        pub.add_file("notebooks/01.ipynb", ident(nb)).write_text("new\n")
        nb.write_text("edited by hand meanwhile\n")
        pub.commit()
    assert nb.read_text() == "edited by hand meanwhile\n"
    state = tree(root)
    state.pop("notebooks/01.ipynb")
    old.pop("notebooks/01.ipynb")
    assert state == old and not leftovers(root)


def reconcile_process(event, out) -> subprocess.Popen:
    """`reconcile --data-dir EVENT --out OUT` in a process of its own, its stderr readable
    line by line. Ctrl-C reaches it as from a terminal: a suite started in the background
    (`make test &`) ignores SIGINT, and the child would inherit that and never stop."""
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", "reconcile", "--data-dir", str(event), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def test_a_second_run_waits_for_the_first_then_runs(tmp_path, event):
    out = tmp_path / "tables"
    lock = outputs.RootLock(tmp_path)
    lock.acquire()
    proc = reconcile_process(event, out)
    try:
        line = proc.stderr.readline()  # blocks until the second run says it waits
        assert "waiting" in line and str(tmp_path) in line, line
        assert not out.exists()
    finally:
        lock.release()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert (out / MARKER).is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["tables"]


def test_ctrl_c_exits_130_with_a_message_and_writes_nothing(tmp_path, event):
    out = tmp_path / "tables"
    lock = outputs.RootLock(tmp_path)
    lock.acquire()
    try:
        proc = reconcile_process(event, out)
        assert "waiting" in proc.stderr.readline()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=300)
    finally:
        lock.release()
    assert proc.returncode == 130
    assert "interrupted" in one_line(err)
    assert list(tmp_path.iterdir()) == []


# -- 4. command-line robustness ------------------------------------------------------------


def test_a_closed_pipe_ends_quietly():
    with subprocess.Popen(
        [sys.executable, "-m", "analysis", "validate"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    ) as proc:
        proc.stdout.close()  # like `| head -0`: every write to stdout meets a closed pipe
        err = proc.stderr.read().decode()
        proc.wait(timeout=300)
    assert proc.returncode == 141, err
    assert err == ""


def test_reconcile_through_head_shows_no_traceback(tmp_path, event):
    run = subprocess.run(
        f"set -o pipefail; {sys.executable} -m analysis reconcile --data-dir {event} --out {tmp_path}/tables | head -1",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode in (0, 141) and run.stdout.count("\n") == 1
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr


def no_space(path, data, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", str(path))


@pytest.mark.parametrize("where", ["reconcile", "html"])
@pytest.mark.parametrize("fault", ["full disk", "unwritable"])
def test_a_full_or_unwritable_disk_gives_one_line_naming_the_folder(where, fault, built, monkeypatch, capsys):
    if where == "reconcile":
        args, target = ["reconcile", "--out", str(built.parent / "tables")], built.parent / "tables"
    else:
        args, target = ["html", "--out", str(built)], built / "html"
    before = tree(built.parent)
    if fault == "full disk":
        monkeypatch.setattr(outputs, "write_bytes", no_space)
        words = "No space left on device"
    else:

        def refuse(parent, prefix):
            raise PermissionError(errno.EACCES, "Permission denied", str(parent))

        monkeypatch.setattr(outputs, "fresh_dir", refuse)
        words = "Permission denied"
    assert main(args) == 1
    line = one_line(capsys.readouterr().err)
    assert str(target) in line and words in line
    assert tree(built.parent) == before


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_whole_number(run_main, refused_only, jobs):
    run = run_main("build", "--jobs", jobs)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    words = "'two' is not a whole number" if jobs == "two" else f"{jobs} is not a positive whole number: give 1 or more"
    assert run.stderr.splitlines()[-1].endswith(f"error: argument --jobs: {words}")
    assert build_parser().parse_args(["build", "--jobs", "1"]).jobs == 1


@pytest.mark.parametrize(
    "args",
    [
        ["validate", ""],
        ["validate", "--data-dir", " "],
        ["reconcile", "--data-dir", ""],
        ["reconcile", "--out", ""],
        ["build", "--out", ""],
        ["html", "--out", ""],
        ["new", ""],
    ],
)
def test_an_empty_folder_name_is_refused_not_read_as_the_current_folder(capsys, args):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(args)
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(": an empty name: give a folder")


def test_an_unwritable_place_from_the_command_line(run_main, tmp_path):
    (tmp_path / "file").write_text("x\n")
    run = run_main("reconcile", "--out", tmp_path / "file" / "tables")
    assert run.returncode == 1
    line = one_line(run.stderr)
    assert str(tmp_path / "file" / "tables") in line and ("Not a directory" in line or "File exists" in line)


def test_non_ascii_names_under_an_ascii_locale(tmp_path):
    data = small_event(tmp_path / "data", sides=("armée", "ميليشيا"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIO", "PYTHONUTF8"))}
    env.update(LC_ALL="C", PYTHONUTF8="0")  # ASCII streams: Python's UTF-8 mode off
    run = cli("reconcile", "--data-dir", data, "--out", tmp_path / "out", env=env)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "arm\\xe9e" in run.stdout
    set_claim(data, "M1", side="légion")
    run = cli("validate", data, env=env)
    assert run.returncode == 1 and "Traceback" not in run.stderr and "gion" in run.stderr


def test_version():
    from importlib.metadata import PackageNotFoundError, version

    from analysis import __version__

    try:
        expected = version("casualty-claims")
    except PackageNotFoundError:
        expected = __version__
    run = cli("--version")
    assert run.returncode == 0 and run.stdout.split() == ["python", "-m", "analysis", expected]


def test_every_option_has_help_showing_its_default(run_main, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # the width help gets when not printed to a terminal
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        formatter = sub.formatter_class(prog=name)
        assert isinstance(formatter, argparse.ArgumentDefaultsHelpFormatter)
        for action in sub._actions:
            if action.dest == "help":
                continue
            text = formatter._get_help_string(action) or ""
            assert "default" in text.lower(), (name, action.dest)
        assert run_main(name, "--help").returncode == 0
    assert "(default: hierarchy)" in run_main("reconcile", "--help").stdout


# -- 5. special data files ----------------------------------------------------------------------

HEADER = ["a", "b"]


def test_a_folder_a_device_or_a_huge_file_is_a_problem_not_a_hang(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    with open(tmp_path / "huge.csv", "wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: no disk used
    for name, words in (("folder.csv", "is a folder"), ("zero.csv", "is a device"), ("huge.csv", "MB")):
        table, problems = read_table(tmp_path / name, HEADER)
        assert table is None and len(problems) == 1, name
        assert problems[0].file == str(tmp_path / name) and words in problems[0].message, problems


def test_a_header_only_table_is_a_problem_unless_allowed(tmp_path):
    (tmp_path / "t.csv").write_text("a,b\n")
    table, problems = read_table(tmp_path / "t.csv", HEADER)
    assert table is None and "header but no rows" in problems[0].message
    table, problems = read_table(tmp_path / "t.csv", HEADER, allow_empty=True)
    assert table is not None and table.rows == [] and problems == []


def test_a_fifo_in_the_data_folder_is_a_problem_not_a_hang(data_copy):
    (data_copy / "casualties.csv").unlink()
    os.mkfifo(data_copy / "casualties.csv")
    before = tree(data_copy)
    run = cli("validate", data_copy, timeout=120)  # the timeout only stops a hang
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"{data_copy / 'casualties.csv'} (whole file): is a named pipe (FIFO)" in run.stderr
    assert tree(data_copy) == before


# -- 6. new ------------------------------------------------------------------------------------------


def test_new_writes_an_empty_data_folder_to_fill_in(run_main, tmp_path):
    from analysis.battle import parse_battle

    folder = tmp_path / "al-new"
    run = run_main("new", folder)
    assert run.returncode == 0, run.stderr
    template = json.loads((ROOT / "src" / "analysis" / "templates" / "datapackage.json").read_bytes())
    package = json.loads((folder / "datapackage.json").read_bytes())
    assert package["resources"] == template["resources"]  # the canonical schema, under the new event's name
    assert package["name"] == "al-new-casualty-claims" and package["title"].startswith("al-new:")
    assert "created" not in package  # not the template's date
    assert all("Haffah" not in p.read_text() for p in folder.iterdir())  # nothing of the flagship event
    for resource in package["resources"]:
        if "schema" in resource:
            assert rows_of(folder / resource["path"]) == [[f["name"] for f in resource["schema"]["fields"]]]
    raw = json.loads((folder / "battle.json").read_text())
    battle, problems = parse_battle(raw)
    assert not problems and battle.period_start == battle.period_end
    assert raw["side_groups"] == {"all": raw["sides"]} and raw["claimant_hierarchy"] == []
    assert raw["language_preference"] == ["en"] and raw["about_band"] == 0.1 and raw["accepted_exceptions"] == []
    readme = (folder / "README.md").read_text()
    assert str(DATA / "README.md") in readme and f"validate {folder}" in readme
    assert "README is published as its data dictionary page by `make html`" in readme  # the site shows it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["al-new"]


def test_a_new_event_inside_the_project_gets_no_machines_paths_in_its_readme(tmp_path):
    from analysis.scaffold import readme

    text = readme(ROOT / "events" / "my-event" / "data")
    assert str(ROOT) not in text
    assert "(data/README.md)" in text and "validate events/my-event/data" in text
    (tmp_path / "project").symlink_to(ROOT)  # the project reached through a link
    assert readme(tmp_path / "project" / "events" / "my-event" / "data") == text


def test_new_accepts_an_empty_folder_and_refuses_anything_else(run_main, tmp_path, draft):
    (tmp_path / "empty").mkdir()
    assert run_main("new", tmp_path / "empty").returncode == 0
    before = tree(tmp_path)
    for folder, words in ((draft, "not empty"), (tmp_path / "empty", "not empty"), (DATA / "new", "inside")):
        run = run_main("new", folder)
        assert run.returncode == 2 and words in one_line(run.stderr) and str(folder) in run.stderr
    assert tree(tmp_path) == before and not (DATA / "new").exists()


def test_new_inside_a_file_names_the_file(run_main, tmp_path):
    """`new notes.txt/event`: the cause is the file in the way, said as such (mkdir would
    say "File exists"), and nothing is written."""
    (tmp_path / "notes.txt").write_text("x")
    run = run_main("new", tmp_path / "notes.txt" / "event")
    assert run.returncode == 2
    assert f"{tmp_path / 'notes.txt'}: it is a file, not a folder" in one_line(run.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_new_names_the_folder_asked_for_when_its_scratch_folder_cannot_be_made(tmp_path, monkeypatch):
    """A place where no folder can be made (/proc): the error names the event's folder, not
    the scratch folder beside it that `new` tried first."""
    import errno

    from analysis import outputs, scaffold

    def refuse(parent, prefix):
        raise OSError(errno.ENOENT, "No such file or directory", str(parent / f"{prefix}x1y2"))

    monkeypatch.setattr(outputs, "fresh_dir", refuse)
    with pytest.raises(OSError) as err:
        scaffold.new_event(tmp_path / "event")
    assert err.value.filename == str(tmp_path / "event")


def test_new_names_the_event_after_its_folder_or_the_one_holding_data(run_main, tmp_path):
    """README's form, `new my-event/data`: the event is my-event, not "data"."""
    for folder, name in ((tmp_path / "my-event" / "data", "my-event"), (tmp_path / "al-new", "al-new")):
        assert run_main("new", folder).returncode == 0
        raw = json.loads((folder / "battle.json").read_text(encoding="utf-8"))
        assert (raw["battle_id"], raw["name"]) == (name, name)
        assert (folder / "README.md").read_text(encoding="utf-8").startswith(f"# {name}: ")


def test_a_new_folder_validates_and_reconciles(run_main, tmp_path):
    assert run_main("new", tmp_path / "e").returncode == 0
    run = run_main("validate", tmp_path / "e")
    assert run.returncode == 0, run.stderr
    run = run_main("reconcile", "--data-dir", tmp_path / "e", "--out", tmp_path / "tables")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr


# -- 7. suite hygiene ----------------------------------------------------------------------------


def test_notebooks_run_by_hand_draw_into_a_scratch_folder(monkeypatch, tmp_path):
    import tempfile

    monkeypatch.delenv("ANALYSIS_FIGURES", raising=False)
    monkeypatch.delenv("ANALYSIS_DATA", raising=False)
    scratch = paths.figures_dir()
    assert scratch.is_dir() and Path(tempfile.gettempdir()) in scratch.parents
    assert ROOT not in scratch.parents and paths.data_dir() == paths.DATA
    monkeypatch.setenv("ANALYSIS_FIGURES", str(tmp_path))
    monkeypatch.setenv("ANALYSIS_DATA", str(tmp_path / "d"))
    assert paths.figures_dir() == tmp_path and paths.data_dir() == tmp_path / "d"


def test_no_event_name_in_generic_code():
    """No module, template, tool or benchmark names a project event: the place names in each
    event's battle_id (al-haffah-2012: haffah, also in its place), whatever events the
    project holds (a generic word of an id, "event" or "massacre", is not a place)."""
    words = set()
    for data, _ in paths.events(ROOT):
        battle = json.loads((data / "battle.json").read_text(encoding="utf-8"))
        place = battle["place"].lower()
        words |= {w for w in re.split(r"[^a-z]+", battle["battle_id"].lower()) if len(w) >= 4 and w in place}
    assert {"haffah", "qubeir"} <= words
    generic = [*(ROOT / "src" / "analysis").rglob("*.py"), *(ROOT / "src" / "analysis" / "templates").iterdir()]
    generic += [*(ROOT / "tools").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    for path in generic:
        text = path.read_text(encoding="utf-8").lower()
        assert not [w for w in words if w in text], path


def test_make_test_bounds_each_notebook_cell():
    assert "--nbval-cell-timeout=300" in (ROOT / "Makefile").read_text()


def test_ci_runs_make_test_in_a_fresh_copy_and_fails_when_it_fails(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "make.log"
    fake = bin_dir / "make"
    fake.write_text(
        textwrap.dedent(f"""\
        #!/bin/sh
        {{ pwd; echo "$@"; ls -A ..; test -e Makefile && echo has-makefile; test -e .venv && echo has-venv; }} > {log}
        exit "${{FAKE_STATUS:-0}}"
        """)
    )
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "TMPDIR": str(tmp_path)}
    run = subprocess.run([str(ROOT / ".ci" / "run")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    where, args, beside, *checks = log.read_text().splitlines()
    assert Path(where) != ROOT and Path(where).parent.parent == tmp_path
    assert args == "test" and beside == Path(where).name and checks == ["has-makefile"]
    assert not Path(where).exists()  # removed afterwards
    run = subprocess.run([str(ROOT / ".ci" / "run")], capture_output=True, text=True, env={**env, "FAKE_STATUS": "3"})
    assert run.returncode != 0
