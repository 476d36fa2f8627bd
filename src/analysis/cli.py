"""The command line: `python -m analysis {validate,reconcile,build,html,new}`.

Heavy modules (pandas, highspy, matplotlib, notebook machinery) are imported inside the
command that needs them, so that `validate` starts quickly.

Exit codes: 0 success; 1 bad input or a failed step (a one-line message per problem,
naming the file or folder, no traceback; every command that reads a data folder lists its
problems, then how many there are, through `report`); 2 wrong usage, or an output folder refused
because it is not the tool's to replace (see `analysis.outputs`); 130 interrupted
(Ctrl-C); 141 the reader of the output went away (`... | head -1`), quietly.
Text that the terminal's encoding cannot show (a non-ASCII name under LC_ALL=C) is
printed with backslash escapes rather than failing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import outputs
from analysis.paths import DATA, DERIVED, ROOT
from analysis.words import count, nearest

if TYPE_CHECKING:
    from analysis.read import Problem

# The console script of pyproject.toml, or the module.
PROG = "casualty-claims" if Path(sys.argv[0]).name == "casualty-claims" else "python -m analysis"


def say(message: str) -> None:
    """One line on stderr, flushed at once."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def version() -> str:
    """The installed distribution's version, or the package's own if not installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("casualty-claims")
    except PackageNotFoundError:
        from analysis import __version__

        return __version__


def _same(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def report(problems: Sequence[Problem], folder: Path) -> int:
    """The exit status of a command that read the data folder `folder` and found
    `problems`: 0 if there are none; else 1, once each problem is printed on stderr, a line
    each, then how many there are ("2 problems in data"). Every command prints the problems
    of a data folder here, so that they all say them alike."""
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        return 0
    print(f"{count(len(problems), 'problem')} in {folder}", file=sys.stderr, flush=True)
    return 1


def folder_status(data_dir: Path) -> int:
    """`report` of the one problem of `data_dir` if it is not a folder (it does not exist,
    or is a file): 1 then, else 0. The commands that read a data folder ask this before
    anything else, so that it is the first thing they say (`validate` finds it itself)."""
    from analysis.validate import folder_problem

    problem = folder_problem(data_dir)
    return report([problem] if problem else [], data_dir)


def cmd_validate(args) -> int:
    from analysis.validate import validate

    folder = args.data_dir_option or args.data_dir
    status = report(validate(folder), folder)
    if status == 0:
        print(f"{folder}: valid")
    return status


def cmd_reconcile(args) -> int:
    from analysis.rules import RULES

    if args.rule not in RULES:
        near = nearest(args.rule, RULES)
        hint = f" (did you mean {near!r}?)" if near else ""
        say(f"unknown rule {args.rule!r}{hint}; rules: {', '.join(RULES)}")
        return 2
    if folder_status(args.data_dir):
        return 1
    out = args.out
    if out is None:
        if not _same(args.data_dir, DATA):
            say(f"give --out for the tables of {args.data_dir}: {DERIVED} holds the tables of {DATA}")
            return 2
        out = DERIVED
    out = outputs.absolute(out)
    protect = outputs.protected(args.data_dir)
    outputs.check_target(out, protect, data=args.data_dir)

    from analysis.checks import unranked_note
    from analysis.load import InvalidData, load_dataset
    from analysis.publish import TOTALS_COLUMNS, open_high, write_tables
    from analysis.reconcile import reconcile

    try:
        ds = load_dataset(args.data_dir)
    except InvalidData as err:
        return report(err.problems, args.data_dir)
    result = reconcile(ds, args.rule)
    note = unranked_note(ds, result.evidence)
    if note:
        say(note)
    with outputs.output_dir(out, protect=protect, log=say, data=args.data_dir) as stage:
        written = write_tables(ds, stage)
    print(f"{ds.battle.name}: battle totals, rule '{args.rule}' ({result.rule.title})")
    print(open_high(result.totals[TOTALS_COLUMNS]).drop(columns="rule").to_string(index=False))
    if len(result.conflicts):
        print("\nConflicts (claims that cannot all hold; the one dropped):")
        print(result.conflicts.to_string(index=False))
    print(f"\n{len(written)} files written to {out}")
    return 0


def cmd_build(args) -> int:
    from analysis.build import Layout, check_layout, main
    from analysis.validate import validate

    if folder_status(args.data_dir):
        return 1
    if args.out is None:
        if not _same(args.data_dir, DATA):
            say(
                f"give --out for a build of {args.data_dir}: notebooks/, figures/ and derived/ "
                f"of the project hold the outputs of {DATA}"
            )
            return 2
        layout = Layout(data=args.data_dir)
    else:
        layout = Layout.into(outputs.absolute(args.out), data=args.data_dir)
    check_layout(layout)
    # the build validates the data too, but says the problems its own way: said here first,
    # they read as `validate` says them (validating takes a fraction of a build)
    if report(validate(args.data_dir), args.data_dir):
        print("[build] FAILED: invalid data", file=sys.stderr)
        print("[build] nothing published: notebooks, figures and tables are as they were before", file=sys.stderr)
        return 1
    return main(layout, args.jobs)


def cmd_html(args) -> int:
    protect = outputs.protected()
    if args.out is None:
        notebooks, target, owned = ROOT / "notebooks", ROOT / "build" / "html", False
    else:
        out = outputs.absolute(args.out)
        notebooks, target, owned = out / "notebooks", out / "html", True
        outputs.check_target(out, protect, root=True)
    outputs.check_target(target, protect)
    from analysis.html import render, site

    if args.out is None:  # the site of every event of the project
        pages = site(out=target, protect=protect, log=say)
    else:
        pages = render(notebooks, target, protect=protect, owned_root=owned, log=say)
    print(f"{len(pages)} pages written to {target}; open {target / 'index.html'}")
    return 0


def cmd_new(args) -> int:
    from analysis.scaffold import new_event

    folder = outputs.absolute(args.folder)
    written = new_event(folder)
    print(f"{len(written)} files written to {folder}: fill in battle.json and the tables (see README.md there),")
    print(f"then `{PROG} validate {folder}`")
    return 0


def positive_int(text: str) -> int:
    """An option's value that must be a whole number of 1 or more (argparse: exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number: give 1 or more")
    return value


def folder_name(text: str) -> Path:
    """A folder given on the command line; an empty name is refused (argparse: exit 2),
    where Path('') would quietly mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty name: give a folder")
    return Path(text)


class Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Help that shows every option's default; an option whose default is None says in
    its own words what it defaults to."""

    def _get_help_string(self, action):
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Casualty claims of one event: validate a data folder, reconcile the claims, build the "
        "notebooks, figures and tables, render them to HTML, or start a new event's data folder.",
        formatter_class=Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, help_text, func):
        p = sub.add_parser(name, help=help_text, description=help_text, formatter_class=Formatter)
        p.set_defaults(func=func)
        return p

    data_help = "the data folder (battle.json, CSV tables, datapackage.json)"

    def folders(p, out_help: str) -> None:
        """The two folder options every writing command takes: the data read, the output."""
        p.add_argument("--data-dir", type=folder_name, default=DATA, help=data_help)
        p.add_argument("--out", type=folder_name, default=None, help=out_help)

    p = command("validate", "check a data folder; exit 1 listing each problem", cmd_validate)
    given = p.add_mutually_exclusive_group()
    given.add_argument("data_dir", nargs="?", type=folder_name, default=DATA, help=data_help)
    given.add_argument(
        "--data-dir",
        dest="data_dir_option",
        metavar="DATA_DIR",
        type=folder_name,
        default=None,
        help="the same folder, given as reconcile and build take it (default: the data_dir argument)",
    )

    p = command("reconcile", "print the battle totals under a rule; write every derived table", cmd_reconcile)
    p.add_argument("--rule", default="hierarchy", help="hierarchy, latest, conservative, envelope or wikipedia")
    folders(
        p,
        "folder for the tables, replaced whole; new, empty or written by this tool "
        f"(default: {DERIVED}, for the project's data only)",
    )

    p = command("build", "validate, write tables, execute the notebooks, write figures; all or nothing", cmd_build)
    folders(
        p,
        "folder for OUT/notebooks, OUT/figures and OUT/derived; new, empty or written by this tool "
        f"(default: the project's notebooks/, figures/, derived/ in {ROOT}, for the project's data only)",
    )
    p.add_argument("--jobs", type=positive_int, default=2, help="notebooks executed at a time (1 or more)")

    p = command("html", "render a static site of every event: story, notebooks, figures, tables, data", cmd_html)
    p.add_argument(
        "--out",
        type=folder_name,
        default=None,
        help="an output folder of `build --out`: renders OUT/notebooks into OUT/html "
        f"(default: the site of the project's events in {ROOT / 'build' / 'html'})",
    )

    p = command("new", "write an empty data folder for a new event (header-only tables, battle.json)", cmd_new)
    p.add_argument("folder", type=folder_name, help="a new or empty folder (required: no default)")
    return parser


def _tolerant_streams() -> None:
    """Print what the terminal cannot encode as backslash escapes instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):  # a stream that cannot change
                stream.reconfigure(errors="backslashreplace")


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that the final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no real stdout
        pass


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    try:
        args = build_parser().parse_args(argv)
        status = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return status
    except BrokenPipeError:
        _quiet_stdout()
        return 141
    except KeyboardInterrupt:
        say("interrupted; outputs left as they were")
        return 130
    except outputs.UnsafeOutput as err:
        say(str(err))
        return 2
    except outputs.OutputError as err:
        say(str(err))
        return 1
    except OSError as err:
        say(f"{err.filename}: {err.strerror}" if err.filename else str(err))
        return 1
