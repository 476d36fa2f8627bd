"""The command line: `python -m analysis {validate,reconcile,build}`.

Heavy modules (pandas, scipy, matplotlib, notebook machinery) are imported inside the
command that needs them, so that `validate` starts quickly.
Exit codes: 0 success, 1 bad input or a failed step (with a message, no traceback),
2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.paths import DATA


def cmd_validate(args) -> int:
    from analysis.validate import validate

    problems = validate(args.data_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {args.data_dir}", file=sys.stderr)
        return 1
    print(f"{args.data_dir}: valid")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a data folder; exit 1 listing each problem")
    p.add_argument("data_dir", nargs="?", type=Path, default=DATA)
    p.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
