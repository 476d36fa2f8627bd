"""Where things live: the project root and its data, derived, figure and notebook folders.

Every path can be overridden by the caller; these are only the defaults for a checkout.

Notebooks find their folders through `data_dir()` and `figures_dir()`, which read the
environment variables ANALYSIS_DATA and ANALYSIS_FIGURES. The build sets both: the data
folder it was given, and the figures folder inside its staging area, so that an event
built with `build --data-dir DIR --out OUT` reads DIR and draws into OUT/figures.

When ANALYSIS_FIGURES is unset (a notebook opened by hand, or run by nbval in `make test`)
figures go to a scratch folder under the system's temporary folder,
`<tempdir>/analysis-figures-<user id>` (see `scratch_figures_dir`), never to the tracked
figures/: only the build replaces those, whole and checked.
"""

import contextlib
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
DERIVED = ROOT / "derived"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
FIGURE_NAMES = [
    "daily-deaths",
    "cumulative-deaths",
    "claims-timeline",
    "claimant-matrix",
    "provenance",
    "rule-comparison",
]
# Every figure is written in each of these formats, in this order (`plots.save`); the
# build refuses notebooks that leave one out.
FIGURE_FORMATS = ("svg", "png", "pdf")

DATA_VARIABLE = "ANALYSIS_DATA"
FIGURES_VARIABLE = "ANALYSIS_FIGURES"


def events(root: Path | None = None) -> list[tuple[Path, Path]]:
    """The project's events as (data folder, output root): data/ built in place (the
    root, by default `ROOT` as it is when called), then every events/NAME/data built into
    events/NAME/output, in the order of their names."""
    root = ROOT if root is None else root
    found = [(root / "data", root)]
    folder = root / "events"
    if folder.is_dir():
        found += [
            (sub / "data", sub / "output")
            for sub in sorted(folder.iterdir())
            if (sub / "data" / "battle.json").is_file()
        ]
    return found


def data_dir() -> Path:
    """The data folder a notebook reads: $ANALYSIS_DATA, or the project's data/."""
    return Path(os.environ.get(DATA_VARIABLE) or DATA)


def scratch_figures_dir() -> Path:
    """A per-user scratch folder for figures drawn outside the build.

    `<tempdir>/analysis-figures-<uid>`, created private (0700) on first use. A folder of
    that name that is not a real folder owned by this user (another user's, or a
    symbolic link) is refused rather than written into.
    """
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    folder = Path(tempfile.gettempdir()) / f"analysis-figures-{user}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = folder.lstat()
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if folder.is_symlink() or not folder.is_dir() or not mine:
        raise RuntimeError(f"{folder} is not a folder of this user: set {FIGURES_VARIABLE} to a folder for the figures")
    return folder


def figures_dir() -> Path:
    """The folder a notebook draws into: $ANALYSIS_FIGURES (set by the build), or a
    scratch folder under the temporary folder, never the tracked figures/."""
    value = os.environ.get(FIGURES_VARIABLE)
    return Path(value) if value else scratch_figures_dir()
