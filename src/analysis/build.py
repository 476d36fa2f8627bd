"""The build: validate the data, write the derived tables, execute every notebook in a
fresh kernel (two at a time on two cores), and only when every step has succeeded put
the new notebooks, figures and tables in place of the old, in one journalled step.

Two layouts (`Layout`):

- the project's own (the default): the notebooks in notebooks/ are executed and replaced
  by their executed versions, figures/ and derived/ at the repository root are replaced
  whole; a notebook edited while the build ran is not overwritten (the build stops);
- an output folder (`build --data-dir DIR --out OUT`): the notebooks in notebooks/ are
  the templates; the executed notebooks, figures and tables of the event in DIR go to
  OUT/notebooks, OUT/figures and OUT/derived, and nothing of the project's is touched.

Notebooks find the data and the figures folder through `analysis.paths.data_dir()` and
`figures_dir()`, which the build points (ANALYSIS_DATA, ANALYSIS_FIGURES) at the data
folder and at the figures folder inside its staging area. See `analysis.outputs` for what
may be written where, the lock, and the atomic publication.

A failure anywhere (bad data, a notebook that raises, a full disk, Ctrl-C) stops the build
with the notebook, cell and message, and leaves every previous output as it was.
Notebooks are written without execution timing metadata, so two builds give identical
files.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from analysis import outputs, paths
from analysis.fastimport import defer_rfc3987

TIMEOUT = 600
OUTPUT_FOLDERS = ("notebooks", "figures", "derived")
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
defer_rfc3987()


class BuildError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass
class Layout:
    """What a build reads and where it writes.

    `root` holds notebooks/, figures/ and derived/. With `templates` None (the default)
    the notebooks in root/notebooks are executed and updated in place: the project's
    layout. With a `templates` folder (`Layout.into`, `build --out`), `root` is an output
    folder of the tool's own, and root/notebooks receives the executed templates."""

    data: Path = paths.DATA
    root: Path = paths.ROOT
    templates: Path | None = None

    @classmethod
    def into(cls, out: Path, data: Path = paths.DATA, templates: Path = paths.NOTEBOOKS) -> Layout:
        """The layout of `build --data-dir DATA --out OUT`."""
        return cls(data=Path(data), root=Path(out), templates=Path(templates))

    @property
    def in_place(self) -> bool:
        return self.templates is None

    @property
    def template_dir(self) -> Path:
        return Path(self.root) / "notebooks" if self.templates is None else Path(self.templates)

    @property
    def notebooks(self) -> Path:
        return Path(self.root) / "notebooks"

    @property
    def figures(self) -> Path:
        return Path(self.root) / "figures"

    @property
    def derived(self) -> Path:
        return Path(self.root) / "derived"


def notebook_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("[0-9][0-9]-*.ipynb"))


def clean_metadata(nb) -> None:
    """Drop what changes from run to run: execution timing, widget state, and the way the
    kernel happened to split printed text into stream messages (merged into one)."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        merged: list = []
        for out in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                out.get("output_type") == "stream"
                and last is not None
                and last.get("output_type") == "stream"
                and last.get("name") == out.get("name")
            ):
                last["text"] += out["text"]
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)


def kernel_environment(base: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    """A notebook kernel's environment: the build's own, one linear-algebra thread unless
    it sets another count (kernels run side by side on the cores, and threaded BLAS on
    small matrices only spins), then `extra`."""
    single = {name: "1" for name in BLAS_THREADS if name not in base}
    return {**base, **single, **extra}


KERNEL_DIED = "Kernel died before replying to kernel_info"  # jupyter_client's words


def execute(path: Path, env: dict[str, str], cwd: Path | None = None):
    """Run one notebook top to bottom in a fresh kernel (working folder `cwd`, by default
    the notebook's); return the executed notebook. A kernel that dies before it replies
    is started once more."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    for attempt in (1, 2):
        nb = nbformat.read(path, as_version=4)
        # The kernel app's own log goes to the build's stderr, not to the notebook; its
        # warning about plain TCP on localhost would be noise there.
        client = NotebookClient(
            nb,
            timeout=TIMEOUT,
            kernel_name="python3",
            record_timing=False,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            resources={"metadata": {"path": str(cwd or path.parent)}},
            # a graceful shutdown of ipykernel sometimes waits seconds for nothing
            shutdown_kernel="immediate",
        )
        try:
            asyncio.run(client.async_execute(env=kernel_environment(dict(os.environ), env)))
            break
        except RuntimeError as err:
            # two kernels started at once can pick the same free port (jupyter_client chooses
            # it, then the kernel binds it): the loser dies before it replies; start it again
            if attempt == 2 or not str(err).startswith(KERNEL_DIED):
                raise
        except CellExecutionError as err:
            index = next(
                (
                    i
                    for i, c in enumerate(nb.cells)
                    if any(o.get("output_type") == "error" for o in c.get("outputs", []))
                ),
                None,
            )
            cell = f"cell {index + 1}" if index is not None else "a cell"
            raise BuildError(f"{path.name}, {cell}: {err.ename}: {err.evalue}") from None
    clean_metadata(nb)
    return nb


def check_layout(layout: Layout) -> list:
    """Refuse (outputs.UnsafeOutput) a layout that would write where it must not (another
    event's outputs included), before anything is read or written; return the protected
    places."""
    protect = outputs.protected(layout.data)
    if not layout.in_place:
        protect.append((layout.template_dir, "the folder of the notebooks to execute", True))
        outputs.check_target(layout.root, protect, root=True, data=layout.data)
        for name in OUTPUT_FOLDERS:
            outputs.check_target(Path(layout.root) / name, protect, data=layout.data)
    else:
        for name in ("figures", "derived"):
            outputs.check_target(Path(layout.root) / name, protect, data=layout.data)
    return protect


def build(layout: Layout | None = None, jobs: int = 2, log=print) -> None:
    """Run every step and publish the outputs together; raise BuildError if a step fails
    (nothing published), outputs.UnsafeOutput if the layout is refused (nothing written).
    The default layout is the project's own."""
    layout = layout or Layout()
    start = time.perf_counter()
    notebooks = notebook_files(layout.template_dir)
    if not notebooks:
        raise BuildError(f"no notebooks (NN-name.ipynb) in {layout.template_dir}")
    protect = check_layout(layout)
    from analysis.load import InvalidData, load_dataset  # pandas: after the quick checks

    log(f"[build] validating {layout.data}")
    try:
        ds = load_dataset(layout.data)
    except InvalidData as err:
        raise BuildError("invalid data:\n" + "\n".join(map(str, err.problems))) from None
    from analysis.checks import unranked_note
    from analysis.evidence import gather

    note = unranked_note(ds, gather(ds))
    if note:
        log(f"[build] {note}")

    def say(message):
        print(f"[build] {message}", file=sys.stderr, flush=True)

    try:
        with outputs.Publication(
            layout.root, owned_root=not layout.in_place, protect=protect, log=say, data=layout.data
        ) as pub:
            figures_stage = pub.add_dir("figures")
            derived_stage = pub.add_dir("derived")
            if layout.in_place:
                targets = [pub.add_file(f"notebooks/{p.name}", outputs.ident(p)) for p in notebooks]
                workdir = targets[0].parent
            else:
                workdir = pub.add_dir("notebooks")
                targets = [workdir / p.name for p in notebooks]
            written = _run(layout, notebooks, targets, workdir, figures_stage, derived_stage, ds, jobs, log)
            figure_files = sum(1 for p in figures_stage.iterdir() if p.is_file())
            pub.commit()
    except (outputs.UnsafeOutput, BuildError, KeyboardInterrupt):
        raise
    except outputs.OutputError as err:
        raise BuildError(str(err)) from None
    except OSError as err:
        raise BuildError(f"cannot write the outputs in {layout.root}: {err}") from None
    except Exception as err:
        raise BuildError(f"{type(err).__name__}: {err}") from err
    log(
        f"[build] done in {time.perf_counter() - start:.1f} s: {len(notebooks)} notebooks, "
        f"{figure_files} figure files, {len(written)} tables"
    )


def _run(layout, notebooks, targets, workdir, figures_stage, derived_stage, ds, jobs, log):
    """Execute the notebooks and write the tables, all into the staging area."""
    import nbformat

    from analysis.publish import write_tables

    env = {
        paths.DATA_VARIABLE: str(outputs.absolute(layout.data)),
        paths.FIGURES_VARIABLE: str(figures_stage),
    }

    def run(path: Path):
        t0 = time.perf_counter()
        nb = execute(path, env, cwd=workdir)
        log(f"[build] executed {path.name} in {time.perf_counter() - t0:.1f} s")
        return nb

    def tables():
        written = write_tables(ds, derived_stage)
        log(f"[build] {len(written)} tables written")
        return written

    log(f"[build] executing {len(notebooks)} notebooks, {jobs} at a time, while writing the tables")
    # The last notebook (the figures) is the longest: start it first so that the
    # others fill the second core around it.
    order = sorted(range(len(notebooks)), key=lambda i: -i)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs) + 1)
    try:
        table_job = pool.submit(tables)
        futures = {i: pool.submit(run, notebooks[i]) for i in order}
        executed = [futures[i].result() for i in range(len(notebooks))]
        written = table_job.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    drawn = {p.name for p in figures_stage.iterdir()}
    wanted = [f"{stem}.{ext}" for stem in paths.FIGURE_NAMES for ext in paths.FIGURE_FORMATS]
    missing = [name for name in wanted if name not in drawn]
    if missing:
        raise BuildError(f"the notebooks did not write these figures: {', '.join(missing)}")
    for target, nb in zip(targets, executed):
        outputs.write_text(target, nbformat.writes(nb) + "\n")
    return written


def main(layout: Layout, jobs: int) -> int:
    """The `build` command: 0, or 1 with the failure on stderr. A refused layout
    (outputs.UnsafeOutput) is left to the caller (exit status 2)."""
    try:
        build(layout, jobs)
    except BuildError as err:
        print(f"[build] FAILED: {err}", file=sys.stderr)
        print("[build] nothing published: notebooks, figures and tables are as they were before", file=sys.stderr)
        return 1
    return 0
