"""The build: validate the data, write the derived tables, execute every notebook in a
fresh kernel (two at a time on two cores), and only when every step has succeeded put
the new notebooks, figures/ and derived/ in place of the old.

A failure anywhere (bad data, a notebook that raises, a full disk) stops the build with
the notebook, cell and message, and leaves every previous output as it was. Notebooks are
written without execution timing metadata, so two builds give identical files.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from analysis import paths
from analysis.fastimport import defer_rfc3987
from analysis.load import InvalidData, load_dataset
from analysis.outputs import swap_in, write_text

TIMEOUT = 600
defer_rfc3987()


class BuildError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass
class Layout:
    """The folders a build reads and writes."""

    data: Path = paths.DATA
    notebooks: Path = paths.NOTEBOOKS
    figures: Path = paths.FIGURES
    derived: Path = paths.DERIVED


def notebook_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("[0-9][0-9]-*.ipynb"))


def clean_metadata(nb) -> None:
    """Drop what changes from run to run: execution timing, widget state, and the way the
    kernel happened to split printed text into stream messages (merged into one)."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        merged = []
        for out in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (out.get("output_type") == "stream" and last is not None and last.get("output_type") == "stream"
                    and last.get("name") == out.get("name")):
                last["text"] += out["text"]
            else:
                merged.append(out)
        if "outputs" in cell:
            cell.outputs = merged
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)


def execute(path: Path, env: dict[str, str]):
    """Run one notebook top to bottom in a fresh kernel; return the executed notebook."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    # The kernel app's own log goes to the build's stderr, not to the notebook; its
    # warning about plain TCP on localhost would be noise there.
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", record_timing=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        asyncio.run(client.async_execute(env={**os.environ, **env}))
    except CellExecutionError as err:
        index = next((i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        cell = f"cell {index + 1}" if index is not None else "a cell"
        raise BuildError(f"{path.name}, {cell}: {err.ename}: {err.evalue}") from None
    clean_metadata(nb)
    return nb


def build(layout: Layout = Layout(), jobs: int = 2, log=print) -> None:
    """Run every step; raise BuildError (after restoring nothing, because nothing was
    touched) if one fails."""
    import nbformat

    start = time.perf_counter()
    log(f"[build] validating {layout.data}")
    try:
        ds = load_dataset(layout.data)
    except InvalidData as err:
        raise BuildError("invalid data:\n" + "\n".join(map(str, err.problems))) from None

    notebooks = notebook_files(layout.notebooks)
    if not notebooks:
        raise BuildError(f"no notebooks (NN-name.ipynb) in {layout.notebooks}")
    stages = []
    try:
        for target in (layout.figures, layout.derived):
            target.parent.mkdir(parents=True, exist_ok=True)
            stages.append(Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent)))
        figures_stage, derived_stage = stages
        env = {"HAFFAH_DATA": str(Path(layout.data).resolve()), "HAFFAH_FIGURES": str(figures_stage.resolve())}

        def run(path: Path):
            t0 = time.perf_counter()
            nb = execute(path, env)
            log(f"[build] executed {path.name} in {time.perf_counter() - t0:.1f} s")
            return nb

        def tables():
            from analysis.publish import write_tables

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
        missing = [stem for stem in paths.FIGURE_NAMES for ext in ("svg", "png") if not (figures_stage / f"{stem}.{ext}").exists()]
        if missing:
            raise BuildError(f"the notebooks did not write these figures: {', '.join(sorted(set(missing)))}")
        staged_notebooks = []
        for path, nb in zip(notebooks, executed):
            tmp = path.with_name(f".{path.name}.staging")
            staged_notebooks.append((tmp, path))
            write_text(tmp, nbformat.writes(nb) + "\n")
    except BaseException as err:
        for stage in stages:
            shutil.rmtree(stage, ignore_errors=True)
        for path in notebooks:
            path.with_name(f".{path.name}.staging").unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise BuildError(f"cannot write the outputs: {err}") from None
        if isinstance(err, Exception) and not isinstance(err, BuildError):
            raise BuildError(f"{type(err).__name__}: {err}") from err
        raise
    for tmp, path in staged_notebooks:
        os.replace(tmp, path)
    swap_in(figures_stage, layout.figures)
    swap_in(derived_stage, layout.derived)
    log(f"[build] done in {time.perf_counter() - start:.1f} s: {len(notebooks)} notebooks, "
        f"{len(paths.FIGURE_NAMES) * 2} figure files, {len(written)} tables")


def main(layout: Layout, jobs: int) -> int:
    try:
        build(layout, jobs)
    except BuildError as err:
        print(f"[build] FAILED: {err}", file=sys.stderr)
        print("[build] previous notebooks, figures and tables left as they were", file=sys.stderr)
        return 1
    return 0
