"""The command line: `python -m analysis {validate,reconcile,build,html}`.

Heavy modules (pandas, highspy, matplotlib, notebook machinery) are imported inside the
command that needs them, so that `validate` starts quickly.
Exit codes: 0 success, 1 bad input or a failed step (with a message, no traceback),
2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.paths import DATA, DERIVED, FIGURES, NOTEBOOKS, ROOT


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


def cmd_reconcile(args) -> int:
    from analysis.load import InvalidData, load_dataset
    from analysis.outputs import staged_dir
    from analysis.publish import open_high, write_tables
    from analysis.reconcile import reconcile
    from analysis.rules import RULES

    if args.rule not in RULES:
        print(f"unknown rule {args.rule!r}; rules: {', '.join(RULES)}", file=sys.stderr)
        return 2
    try:
        ds = load_dataset(args.data_dir)
    except InvalidData as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    result = reconcile(ds, args.rule)
    with staged_dir(args.out) as stage:
        written = write_tables(ds, stage)
    print(f"{ds.battle.name}: battle totals, rule '{args.rule}' ({result.rule.title})")
    print(open_high(result.totals).drop(columns="rule").to_string(index=False))
    if len(result.conflicts):
        print("\nConflicts (claims that cannot all hold; the one dropped):")
        print(result.conflicts.to_string(index=False))
    print(f"\n{len(written)} files written to {args.out}")
    return 0


def cmd_build(args) -> int:
    from analysis.build import Layout, main

    return main(Layout(args.data_dir, args.notebooks, args.figures, args.derived), args.jobs)


def cmd_html(args) -> int:
    from analysis.html import render

    pages = render(args.notebooks, args.out)
    print(f"{len(pages)} pages written to {args.out}; open {args.out / 'index.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a data folder; exit 1 listing each problem")
    p.add_argument("data_dir", nargs="?", type=Path, default=DATA)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("reconcile", help="print the battle totals under a rule; write every derived table")
    p.add_argument("--rule", default="hierarchy", help="hierarchy (default), latest, conservative, envelope or wikipedia")
    p.add_argument("--data-dir", type=Path, default=DATA)
    p.add_argument("--out", type=Path, default=DERIVED, help="folder for the tables (replaced whole)")
    p.set_defaults(func=cmd_reconcile)
    p = sub.add_parser("build", help="validate, write tables, execute the notebooks, write figures; all or nothing")
    p.add_argument("--data-dir", type=Path, default=DATA)
    p.add_argument("--notebooks", type=Path, default=NOTEBOOKS)
    p.add_argument("--figures", type=Path, default=FIGURES)
    p.add_argument("--derived", type=Path, default=DERIVED)
    p.add_argument("--jobs", type=int, default=2, help="notebooks executed at a time (default 2)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("html", help="render every notebook to static HTML with an index page")
    p.add_argument("--notebooks", type=Path, default=NOTEBOOKS)
    p.add_argument("--out", type=Path, default=ROOT / "build" / "html")
    p.set_defaults(func=cmd_html)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
