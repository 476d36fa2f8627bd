"""Time `validate` on a big claims ledger built from the project's own data.

    python benchmarks/validate_big.py [--rows 1000000] [--folder /tmp/big] [--distinct] [--keep]

Copies data/ into FOLDER and writes its casualties.csv as the header and the data rows
repeated to ROWS rows, claim_id renamed X0000000, X0000001, ... and supersedes blanked
(so the claim IDs that battle.json's accepted_exceptions name are reported missing).
`--distinct` also makes every row's free text unique (note, place_as_named,
claimant_detail, scope_reason end in the row number) and every row its own report
(`report_id`): no value repeats, the harder case for the validator's caches and for the
memory of the one-claimant-per-report rule. Then runs `python -m analysis validate
FOLDER` in a fresh process and prints its wall time, CPU time and peak memory (the
child's maximum resident set size). The folder is removed afterwards unless `--keep`
(or unless it existed before: an existing FOLDER is reused as it is, without rebuilding).
"""

from __future__ import annotations

import argparse
import csv
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FREE_TEXT = ("note", "place_as_named", "claimant_detail", "scope_reason")


def build(folder: Path, rows: int, distinct: bool) -> None:
    folder.mkdir(parents=True)
    for path in DATA.iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    with open(DATA / "casualties.csv", newline="", encoding="utf-8") as fh:
        header, *data = list(csv.reader(fh))
    ids, sup, report = header.index("claim_id"), header.index("supersedes"), header.index("report_id")
    text = [header.index(c) for c in FREE_TEXT]
    with open(folder / "casualties.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        for k in range(rows):
            row = list(data[k % len(data)])
            row[ids], row[sup] = f"X{k:07d}", ""
            if distinct:
                for j in text:
                    row[j] = f"{row[j]} #{k}" if row[j] else ""
                row[report] = f"R{k:07d}"
            out.writerow(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/big"))
    parser.add_argument("--distinct", action="store_true", help="unique free text in every row")
    parser.add_argument("--keep", action="store_true", help="keep the folder afterwards")
    args = parser.parse_args()
    existed = args.folder.exists()
    if not existed:
        t0 = time.perf_counter()
        build(args.folder, args.rows, args.distinct)
        print(f"built {args.folder} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    size = (args.folder / "casualties.csv").stat().st_size
    try:
        t0 = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "analysis", "validate", str(args.folder)], capture_output=True, text=True, cwd=ROOT
        )
        wall = time.perf_counter() - t0
    finally:
        if not existed and not args.keep:
            shutil.rmtree(args.folder)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = (run.stderr.strip().splitlines() or ["(nothing)"])[-1]
    print(
        f"validate {size / 2**20:.0f} MB ledger: {wall:.2f} s wall, {usage.ru_utime + usage.ru_stime:.2f} s CPU, "
        f"peak {usage.ru_maxrss / 1024:.0f} MB, exit {run.returncode}: {summary}"
    )


if __name__ == "__main__":
    main()
