"""pytest for the whole repository: the notebooks of every event run under nbval in the
same session as the library tests (`make test`: `pytest events/*/output/notebooks
notebooks tests --nbval -n 2 --dist loadfile ...`, each notebook on one worker).

Each notebook's kernel gets the environment a build gives it (see `analysis.paths`):

- ANALYSIS_DATA: an event's executed notebooks, `events/NAME/output/notebooks/*.ipynb`,
  read that event's data, `events/NAME/data`, whatever the environment says. The
  flagship's notebooks (`notebooks/`) read $ANALYSIS_DATA when it is set, else `data/`.
- ANALYSIS_FIGURES: unless the environment sets it, a scratch folder of the notebook's
  own, removed after the notebook, so that two notebooks running at once (one per worker)
  never draw into one folder, and no tracked folder is written.

The variables are set only while nbval starts the notebook's kernel (the kernel keeps its
own copy of the environment) and restored at once: the tests in tests/ never see them.

A notebook that saves the event's figures (`plots.save_all`) gets one more test after its
cells, "committed figures": the files it wrote are the event's committed figures
(`figures/`, `events/NAME/output/figures/`), byte for byte and marker included, as a build
would publish them. That is the check that no committed figure is stale and that the
figures are byte-identical from run to run, at no cost beyond the notebook's own run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
EVENTS = ROOT / "events"
SAVES_FIGURES = "save_all("

# One BLAS thread per process (unless the environment says otherwise): the two workers,
# the notebooks' kernels and the tests' subprocesses share the cores, and OpenBLAS threads
# on the model's small matrices only spin (measured: about a sixth of the suite's CPU
# time). Read when numpy loads, so set here, before the workers start: they, their
# kernels and their subprocesses inherit it.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def start_twice(start):
    """nbval's kernel start, tried once more when the kernel dies before it replies: the
    two workers can start kernels at the same moment and pick the same free port
    (jupyter_client chooses it, then the kernel binds it), and the loser dies."""

    from analysis.build import KERNEL_DIED

    def start_new_kernel(*args, **kwargs):
        try:
            return start(*args, **kwargs)
        except RuntimeError as err:
            if not str(err).startswith(KERNEL_DIED):
                raise
            return start(*args, **kwargs)

    return start_new_kernel


def pytest_configure(config):
    try:
        from nbval import kernel
    except ImportError:  # pragma: no cover - nbval is a test requirement
        return
    if kernel.start_new_kernel.__module__ == kernel.__name__:  # nbval's own, not yet wrapped
        kernel.start_new_kernel = start_twice(kernel.start_new_kernel)


def _notebook_file(item):
    """The nbval collector (one notebook) an item belongs to, or None."""
    try:
        from nbval.plugin import IPyNbFile
    except ImportError:  # pragma: no cover - nbval is a test requirement
        return None
    parent = getattr(item, "parent", None)
    return parent if isinstance(parent, IPyNbFile) else None


def event_folders(notebook: Path) -> tuple[Path | None, Path]:
    """For an executed notebook: the data folder its kernel must read (None for the
    flagship's notebooks: $ANALYSIS_DATA or data/) and the event's committed figures."""
    folder = Path(notebook).resolve().parent
    output = folder.parent
    if output.name == "output" and output.parent.parent == EVENTS and (output.parent / "data").is_dir():
        return output.parent / "data", output / "figures"
    return None, output / "figures"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    """nbval starts a notebook's kernel in the setup of its first cell: start it with
    ANALYSIS_DATA and ANALYSIS_FIGURES set, then restore the environment."""
    collector = _notebook_file(item)
    if collector is None or collector.kernel is not None:
        return (yield)
    data, _ = event_folders(collector.path)
    wanted = {}
    if data is not None:
        wanted["ANALYSIS_DATA"] = str(data)
    scratch = None
    if not os.environ.get("ANALYSIS_FIGURES"):
        scratch = Path(tempfile.mkdtemp(prefix=f"analysis-nbval-{Path(collector.path).stem}-"))
        wanted["ANALYSIS_FIGURES"] = str(scratch)
    collector.analysis_figures = Path(wanted.get("ANALYSIS_FIGURES") or os.environ["ANALYSIS_FIGURES"])
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        result = yield
    except BaseException:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    else:
        if scratch is not None:  # the notebook is set up now: its folder goes with it
            collector.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
        return result
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class CommittedFigures(pytest.Item):
    """After the cells of a notebook that saves the figures: every figure file a build
    makes (each figure in each format) is what the notebook wrote, and the committed file
    is the same, byte for byte; so is the folder's marker (names and hashes)."""

    def __init__(self, *, committed: Path, **kwargs):
        super().__init__(**kwargs)
        self.committed = committed

    def runtest(self):
        from analysis import outputs
        from analysis.paths import FIGURE_NAMES
        from analysis.plots import FORMATS

        expected = {f"{stem}.{fmt}" for stem in FIGURE_NAMES for fmt in FORMATS}
        drawn_in = self.parent.analysis_figures
        drawn = {p.name: p.read_bytes() for p in drawn_in.iterdir() if p.is_file() and p.name in expected}
        committed = {p.name: p.read_bytes() for p in self.committed.iterdir() if p.is_file()}
        assert sorted(expected - set(drawn)) == [], f"the notebook did not write these figures into {drawn_in}"
        extra = sorted(set(committed) - expected - {outputs.MARKER})
        assert extra == [], f"committed figures a build does not make (rerun `make build`): {extra}"
        changed = sorted(name for name in expected if committed.get(name) != drawn[name])
        assert changed == [], (
            f"{self.committed}: stale or not byte-identical from run to run (rerun `make build`): {changed}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            for name in expected:
                (Path(tmp) / name).write_bytes(drawn[name])
            outputs.write_marker(Path(tmp))
            marker = (Path(tmp) / outputs.MARKER).read_bytes()
        assert committed.get(outputs.MARKER) == marker, f"{self.committed / outputs.MARKER} is not what a build writes"
        listed = outputs.read_marker(self.committed) or {}
        assert listed == {name: hashlib.sha256(drawn[name]).hexdigest() for name in expected}

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, AssertionError):
            return f"{self.name}: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, self.name


# `make test` runs `--dist loadfile --no-loadscope-reorder`: xdist hands whole files to the
# two workers in collection order, the next one to whichever worker is free. The longest
# go first so that the short ones even out the end. Rough seconds of CPU on the project's
# 2-core machine; files not listed are short and keep their order, after these.
SLOW_FILES = {
    "test_safety.py": 17,
    "05-draw-figures.ipynb": 9,
    "test_edge_event.py": 8,
    "test_reference.py": 7,
    "test_build.py": 6,
    "test_validate.py": 4,
    "test_html.py": 3,
    "test_model.py": 2.5,
    "test_latex.py": 2.2,
    "test_project.py": 2.2,
    "test_publish.py": 2.2,
    "test_checks.py": 2,
    "test_story.py": 1.8,
}


def pytest_collection_modifyitems(session, config, items):
    """Longest files first (SLOW_FILES), and a CommittedFigures test right after the last
    cell of each notebook that saves the figures."""
    items.sort(key=lambda item: -SLOW_FILES.get(Path(item.path).name, 0))  # stable: files stay whole
    last: dict = {}
    for index, item in enumerate(items):
        collector = _notebook_file(item)
        if collector is not None and SAVES_FIGURES in item.cell.source:
            last.setdefault(collector, index)
        if collector in last:
            last[collector] = index
    for collector, index in sorted(last.items(), key=lambda pair: -pair[1]):
        _, figures = event_folders(collector.path)
        items.insert(index + 1, CommittedFigures.from_parent(collector, name="committed figures", committed=figures))
