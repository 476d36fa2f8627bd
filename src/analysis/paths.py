"""Where things live: the project root and its data, derived, figure and notebook folders.

Every path can be overridden by the caller; these are only the defaults for a checkout.
Notebooks ask `data_dir()` and `figures_dir()`, which the build points at the data folder
it was given and at its staging folder through the environment (HAFFAH_DATA,
HAFFAH_FIGURES), so a notebook run by hand writes to figures/ and one run by the build
writes where the build says.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
DERIVED = ROOT / "derived"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
FIGURE_NAMES = ["daily-deaths", "cumulative-deaths", "claims-timeline", "claimant-matrix"]


def data_dir() -> Path:
    return Path(os.environ.get("HAFFAH_DATA", DATA))


def figures_dir() -> Path:
    return Path(os.environ.get("HAFFAH_FIGURES", FIGURES))
