"""Where things live: the project root and its data, derived, figure and notebook folders.

Every path can be overridden by the caller; these are only the defaults for a checkout.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
DERIVED = ROOT / "derived"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
