"""Benchmark: prints each figure with the floor it is measured against, in the same run,
so that the ratios hold on a noisy machine. Run with `make bench` (about three minutes).

- build: `python -m analysis build` (into a scratch copy of the outputs) against the floor
  of one Jupyter kernel start with pandas and matplotlib imported, times the notebooks.
- tests: `make test` wall time (target: under 60 s).
- command line: `python -m analysis validate` against `python -c "import pandas"`.
- scale: reconciliation (default rule) of 1, 10, 100 and 1,000 synthetic battles of ten
  days and a hundred claims (fixed seed), on as many worker processes as there are cores;
  floor: one battle reconciled in this process, times N, over the workers. Growth: the
  time for 1,000 battles against ten times the time for 100 (<= 1: no faster than N).
- import cost: `import nbformat` with and without `analysis.fastimport`.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def wall(cmd, repeat=1, **kw) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, **kw)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def kernel_floor(repeat=3) -> float:
    """Start a kernel, import pandas and matplotlib in it, shut it down."""
    from jupyter_client.manager import start_new_kernel

    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3", extra_arguments=["--IPKernelApp.log_level=ERROR"])
        kc.execute_interactive("import pandas, matplotlib.pyplot", timeout=120)
        kc.stop_channels()
        km.shutdown_kernel(now=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _reconcile_chunk(indexes: list[int]) -> float:
    from analysis import synthetic
    from analysis.reconcile import reconcile

    elapsed = 0.0
    for i in indexes:
        ds = synthetic.dataset(i)  # made one at a time, not timed: memory stays flat
        t0 = time.perf_counter()
        reconcile(ds)
        elapsed += time.perf_counter() - t0
    return elapsed


def scale(n: int, workers: int) -> float:
    """Time of reconciling n battles split over `workers` processes running side by side:
    the slowest worker's reconciliation time (making the synthetic ledgers is not timed)."""
    chunks = [list(range(k, n, workers)) for k in range(workers) if k < n]
    with multiprocessing.get_context("fork").Pool(len(chunks)) as pool:
        return max(pool.map(_reconcile_chunk, chunks))


def row(name, value, floor, target, met, unit="s"):
    ratio = value / floor if floor else float("nan")
    print(f"| {name} | {value:.2f} {unit} | {floor:.2f} {unit} | {ratio:.2f} | {target} | {'yes' if met(value, ratio) else 'no'} |")


def main() -> None:
    cores = os.cpu_count() or 1
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    print(f"Benchmark on {cores} cores, Python {sys.version.split()[0]}\n")
    print("| figure | measured | floor | ratio | target | met |")
    print("|---|---|---|---|---|---|")

    floor = kernel_floor()
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("notebooks", "figures", "derived"):
            shutil.copytree(ROOT / name, Path(tmp) / name)
        build = wall([PY, "-m", "analysis", "build", "--notebooks", f"{tmp}/notebooks",
                      "--figures", f"{tmp}/figures", "--derived", f"{tmp}/derived"])
    row(f"build ({len(notebooks)} notebooks) vs kernel+imports x {len(notebooks)}", build, floor * len(notebooks),
        "ratio <= 1.0", lambda v, r: r <= 1.0)

    tests = wall(["make", "test"])
    row("make test", tests, 60.0, "< 60 s", lambda v, r: v < 60)

    validate = wall([PY, "-m", "analysis", "validate"], repeat=5)
    pandas = wall([PY, "-c", "import pandas"], repeat=5)
    row("validate vs import pandas", validate, pandas, "ratio <= 1.3", lambda v, r: r <= 1.3)

    one = statistics.median(_reconcile_chunk([0]) for _ in range(5))
    timings = {}
    for n in (1, 10, 100, 1000):
        workers = min(cores, n)
        timings[n] = t = scale(n, workers)
        row(f"reconcile {n} battles on {workers} processes ({1000 * t / n:.1f} ms per battle) vs one battle x {n} / {workers}",
            t, one * n / workers, "1000 in <= 10 s" if n == 1000 else "-",
            (lambda v, r: v <= 10) if n == 1000 else (lambda v, r: True))
    row("growth: 1000 battles vs 10 x 100 battles", timings[1000], 10 * timings[100], "ratio <= 1.0", lambda v, r: r <= 1.0)

    plain = wall([PY, "-c", "import nbformat"], repeat=3)
    deferred = wall([PY, "-c", "import analysis.fastimport, nbformat"], repeat=3)
    row("import nbformat, parser deferred vs plain", deferred, plain, "lower", lambda v, r: r < 1)


if __name__ == "__main__":
    main()
