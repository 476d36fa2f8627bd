"""Benchmark behind `make bench`: prints a table of figure, measured, target, met.

- **battles**: 1,000 synthetic battles of ten days and about a hundred claims (fixed seed),
  end to end from their text tables (as read from CSV) to tables: typed frames, the
  evidence, the default rule's reconciliation, every battle's daily and total tables
  gathered into one frame each. Two worker processes, each with one linear-algebra thread,
  start together after making their text tables (not timed). Wall time is the slower
  worker's; CPU time, solver runs (linear programs, conflict searches included) and the
  CPU time inside the solver are summed and given per battle.
- **solver floor**: HiGHS's fixed cost, a run on a model already solved (no simplex
  iteration), on a 30-cell model like a ten-day battle's; times the battles' LPs per battle
  it is the least CPU time any scheme that solves those LPs one by one can take.
- **ledger**: one ledger of daily figures per side with monthly totals
  (`analysis.synthetic.ledger`, fixed seed) at 30, 100, 240 and 730 days, from text tables
  to tables under the default rule, in one worker process (best of three at 240 and 730
  days), and the growth exponent log(t730 / t240) / log(730 / 240).
- **check**: `reconcile` against the plain reference computation of
  `tests/test_reference.py` (one fresh linear program per bound) on 100 synthetic battles
  under every rule: low, best, high, conflicts and set-aside claims must be identical.
- **validate**: `analysis.validate.validate` on a one-million-row ledger written to a
  scratch folder, in a fresh process: time of the call and the process's peak memory
  (`resource.getrusage`).
- **build and tests** (`--full` only, slow): `python -m analysis build --out SCRATCH` (the
  work of `make build`, written into a scratch folder, never the project's outputs) and
  `make test`, wall time.

Runs from a clean clone with nothing beside it; `--quick` shrinks every size for a trial.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
_barrier = None


def single_threaded(barrier=None) -> None:
    """Worker initializer: one thread for numpy's linear algebra (the variables are read
    when numpy loads, which in a spawned worker is after this), and threadpoolctl's limit
    too where it is installed."""
    global _barrier
    _barrier = barrier
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def workers(n: int, barrier=None):
    return multiprocessing.get_context("spawn").Pool(n, initializer=single_threaded, initargs=(barrier,))


def _battles(indexes: list[int]) -> dict:
    """One worker's share of the battles: text tables made (not timed), then from them to
    the daily and total tables of every battle."""
    import pandas as pd

    from analysis import model, synthetic
    from analysis.reconcile import reconcile

    raws = [synthetic.raw(i) for i in indexes]
    if _barrier is not None:
        _barrier.wait()
    runs, solver, wall, cpu = model.solver_runs(), model.solver_seconds(), time.perf_counter(), time.process_time()
    daily, totals = [], []
    for ds in synthetic.typed(raws):
        r = reconcile(ds)
        daily.append(r.daily.assign(battle_id=ds.battle.battle_id))
        totals.append(r.totals.assign(battle_id=ds.battle.battle_id))
    tables = (pd.concat(daily, ignore_index=True), pd.concat(totals, ignore_index=True))
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "runs": model.solver_runs() - runs,
        "solver": model.solver_seconds() - solver,
        "rows": sum(len(t) for t in tables),
    }


def battles(n: int, processes: int) -> dict:
    barrier = multiprocessing.get_context("spawn").Barrier(processes)
    with workers(processes, barrier) as pool:
        parts = pool.map(_battles, [list(range(k, n, processes)) for k in range(processes)])
    return {
        "wall": max(p["wall"] for p in parts),
        "cpu": sum(p["cpu"] for p in parts),
        "runs": sum(p["runs"] for p in parts),
        "solver": sum(p["solver"] for p in parts),
        "rows": sum(p["rows"] for p in parts),
    }


def _floor(repeat: int = 2000) -> float:
    """Seconds of CPU for one HiGHS run that needs no iteration (median of batches)."""
    import highspy
    import numpy as np

    from analysis import model

    n, days = 30, 10
    rows = [list(range(d * 3, d * 3 + 3)) for d in range(days)] + [list(range(n))]
    h = model._highs()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(rows)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.ones(n), np.zeros(n), np.full(n, model.INF)
    lp.row_lower_ = np.array([2.0] * days + [40.0])
    lp.row_upper_ = np.array([5.0] * days + [60.0])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, len(rows)
    lp.a_matrix_.start_ = np.cumsum([0] + [len(r) for r in rows]).astype(np.int32)
    lp.a_matrix_.index_ = np.array([c for r in rows for c in r], dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(sum(len(r) for r in rows))
    h.passModel(lp)
    h.run()
    batches = []
    for _ in range(5):
        t = time.process_time()
        for _ in range(repeat // 5):
            h.run()
        batches.append((time.process_time() - t) / (repeat // 5))
    return sorted(batches)[2]


def floor() -> float:
    with workers(1) as pool:
        return pool.apply(_floor)


def _ledger(days: int) -> dict:
    from analysis import model, synthetic
    from analysis.reconcile import reconcile

    raw = synthetic.ledger_raw(days)
    runs, wall, cpu = model.solver_runs(), time.perf_counter(), time.process_time()
    r = reconcile(synthetic.typed([raw])[0])
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "runs": model.solver_runs() - runs,
        "claims": len(raw.tables["claims"]),
        "conflicts": len(r.conflicts),
        "rows": len(r.daily) + len(r.totals),
    }


def ledgers(sizes: list[int], repeat: dict[int, int]) -> dict[int, dict]:
    out = {}
    with workers(1) as pool:
        for days in sizes:
            runs = [pool.apply(_ledger, (days,)) for _ in range(repeat.get(days, 1))]
            out[days] = min(runs, key=lambda r: r["wall"])
    return out


def _check(indexes: list[int]) -> list[str]:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_reference import differences

    from analysis import synthetic
    from analysis.rules import RULES

    found = []
    for ds in synthetic.datasets(indexes):
        for rule in RULES:
            found += [f"{ds.battle.battle_id} {rule}: {d}" for d in differences(ds, rule)]
    return found


def check(n: int, processes: int) -> list[str]:
    with workers(processes) as pool:
        return [d for part in pool.map(_check, [list(range(k, n, processes)) for k in range(processes)]) for d in part]


VALIDATE = """
import resource, sys, time
from pathlib import Path
from analysis.validate import validate
t = time.perf_counter()
problems = validate(Path(sys.argv[1]))
elapsed = time.perf_counter() - t
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(problems))
"""


def validate_rows(rows: int) -> dict:
    """Validate a `rows`-row ledger in a fresh process: seconds, peak memory, problems."""
    from analysis import synthetic

    with tempfile.TemporaryDirectory() as tmp:
        folder = synthetic.bulk_raw(rows).write(Path(tmp) / "data")
        size = (folder / "casualties.csv").stat().st_size
        t0 = time.perf_counter()
        done = subprocess.run([PY, "-c", VALIDATE, str(folder)], capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(done.stderr)
    seconds, peak_kb, problems = done.stdout.split()
    return {
        "seconds": float(seconds),
        "process": wall,
        "peak_mb": int(peak_kb) / 1024,
        "problems": int(problems),
        "mb": size / 2**20,
    }


def wall_of(cmd: list[str], **kw) -> tuple[float, int]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, cwd=ROOT, **kw)
    return time.perf_counter() - t0, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also time the build and make test (slow)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a trial run")
    parser.add_argument("--check", type=int, default=None, help="battles checked against the reference (100)")
    args = parser.parse_args()
    quick = args.quick
    n_battles = 50 if quick else 1000
    n_check = args.check if args.check is not None else (4 if quick else 100)
    sizes = [30, 100, 240, 730] if not quick else [30, 60]
    n_rows = 20_000 if quick else 1_000_000
    cores = os.cpu_count() or 1
    processes = 2
    results = []

    def row(figure, measured, target="-", met=None):
        results.append((figure, measured, target, "-" if met is None else ("yes" if met else "no")))
        print(f"  {figure}: {measured}", file=sys.stderr, flush=True)

    print(f"Benchmark on {cores} cores, Python {sys.version.split()[0]}", file=sys.stderr)
    b = battles(n_battles, processes)
    row(
        f"{n_battles} ten-day battles, text tables to daily and total tables, {processes} processes",
        f"{b['wall']:.2f} s wall; {1000 * b['cpu'] / n_battles:.1f} ms CPU and {b['runs'] / n_battles:.0f} LPs "
        f"per battle, {1000 * b['solver'] / n_battles:.1f} ms of it inside HiGHS",
        "< 5 s on 2 cores" if n_battles == 1000 else f"< {5 * n_battles / 1000:g} s on 2 cores (5 s per 1,000)",
        b["wall"] < 5 * n_battles / 1000,
    )

    run_cost = floor()
    row(
        "HiGHS's fixed cost: one run that needs no simplex iteration, 30-cell model",
        f"{1e6 * run_cost:.0f} µs CPU; times {b['runs'] / n_battles:.0f} LPs per battle: "
        f"{1000 * run_cost * b['runs'] / n_battles:.1f} ms per battle, "
        f"{run_cost * b['runs'] / processes:.1f} s for the battles on {processes} cores",
        "report",
    )

    led = ledgers(sizes, {sizes[-2]: 3, sizes[-1]: 3})
    for days, r in led.items():
        row(
            f"ledger of {days} days ({r['claims']} claims, {r['conflicts']} conflicts), default rule, 1 process",
            f"{r['wall']:.2f} s wall; {r['cpu']:.2f} s CPU, {r['runs']} LPs",
            "< 10 s on 2 cores" if days == 730 else "-",
            r["wall"] < 10 if days == 730 else None,
        )
    a, z = sizes[-2], sizes[-1]
    exponent = math.log(led[z]["wall"] / led[a]["wall"]) / math.log(z / a)
    cpu_exponent = math.log(led[z]["cpu"] / led[a]["cpu"]) / math.log(z / a)
    row(
        f"growth exponent of the ledger's time, {a} to {z} days",
        f"{exponent:.2f} (CPU {cpu_exponent:.2f})",
        "<= 1.2",
        exponent <= 1.2,
    )

    if n_check:
        t0 = time.perf_counter()
        found = check(n_check, processes)
        row(
            f"{n_check} battles under every rule against the plain reference",
            f"{'identical' if not found else f'{len(found)} differ'} ({time.perf_counter() - t0:.0f} s)",
            "identical",
            not found,
        )
        for d in found[:5]:
            print(d, file=sys.stderr)

    v = validate_rows(n_rows)
    row(
        f"validate a {n_rows:,}-row ledger ({v['mb']:.0f} MB), fresh process",
        f"{v['seconds']:.2f} s ({v['process']:.2f} s with start-up), peak {v['peak_mb']:.0f} MB, "
        f"{v['problems']} problems",
        "< 10 s, < 1 GB",
        v["seconds"] < 10 and v["peak_mb"] < 1024,
    )

    if args.full:
        with tempfile.TemporaryDirectory() as tmp:
            seconds, code = wall_of([PY, "-m", "analysis", "build", "--out", str(Path(tmp) / "out")])
        row(
            "build of the flagship event (python -m analysis build --out scratch; make build does it per event)",
            f"{seconds:.1f} s" + ("" if code == 0 else f" (exit {code})"),
            "report",
        )
        seconds, code = wall_of(["make", "test"])
        row(
            "make test",
            f"{seconds:.1f} s" + ("" if code == 0 else f" (exit {code})"),
            "< 45 s",
            code == 0 and seconds < 45,
        )

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nBenchmark on {cores} cores, Python {sys.version.split()[0]} (largest child process {peak:.0f} MB)\n")
    print("| figure | measured | target | met |")
    print("|---|---|---|---|")
    for figure, measured, target, met in results:
        print(f"| {figure} | {measured} | {target} | {met} |")


if __name__ == "__main__":
    main()
