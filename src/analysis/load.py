"""Load a validated data folder as typed pandas frames.

`load_dataset` validates first and raises `InvalidData` (listing every problem) rather
than returning frames built from bad input. Types: dates are `datetime64`, coded columns
are categoricals with the categories of the schema or battle, counts are int64, flags are
bool, free text is the string dtype. Empty dates are NaT: the source did not say.

Caveat: `accessed` in the source register is the date the archived copy was read for this
dataset, not the date the page was first archived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.battle import Battle, read_battle
from analysis.paths import DATA
from analysis.validate import PACKAGE, validate


class InvalidData(ValueError):
    """Raised when a data folder fails validation; `problems` lists what is wrong."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass
class Dataset:
    """One battle's validated data: claims, events, sources, claimants and the battle."""

    battle: Battle
    claims: pd.DataFrame
    events: pd.DataFrame
    sources: pd.DataFrame
    claimants: pd.DataFrame


def typed_frame(frame: pd.DataFrame, schema: dict, categories: dict[str, list[str]]) -> pd.DataFrame:
    """Give a frame of strings (as in the CSV) the types its Table Schema declares."""
    frame = frame.copy()
    for spec in schema["fields"]:
        name, kind = spec["name"], spec.get("type", "string")
        column = frame[name]
        if kind == "integer":
            frame[name] = column.astype("int64")
        elif kind == "date":
            frame[name] = pd.to_datetime(column.replace("", None), format="%Y-%m-%d")
        elif kind == "boolean":
            # a blank optional flag stays unknown (NA), never silently false
            flags = column.map({"true": True, "false": False, "": None})
            frame[name] = flags.astype("boolean") if column.eq("").any() else flags.astype(bool)
        elif name in categories or "enum" in spec.get("constraints", {}):
            cats = categories[name] if name in categories else spec["constraints"]["enum"]
            frame[name] = pd.Categorical(column.replace("", None), categories=cats)
        else:
            frame[name] = column.replace("", None).astype("string")
    return frame


def categories(battle: Battle, claimant_names: list[str]) -> dict[str, list[str]]:
    """Categories of the coded columns that come from the battle, not the schema."""
    return {
        "claimant": claimant_names,
        "side": [*battle.counted_names, *battle.other_actors],
        "area": list(battle.areas),
    }


def load_dataset(data_dir: Path | str = DATA) -> Dataset:
    """Validate `data_dir` and return its tables as typed frames."""
    data_dir = Path(data_dir)
    problems = validate(data_dir)
    if problems:
        raise InvalidData(problems)
    package = json.loads((data_dir / PACKAGE).read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    battle = read_battle(data_dir / resources["battle"]["path"])
    claimant_names = pd.read_csv(
        data_dir / resources["claimants"]["path"], dtype=str, keep_default_na=False, encoding="utf-8"
    )["claimant"].tolist()
    cats = categories(battle, claimant_names)
    frames = {
        name: typed_frame(
            pd.read_csv(data_dir / resources[name]["path"], dtype=str, keep_default_na=False, encoding="utf-8"),
            resources[name]["schema"],
            cats,
        )
        for name in ("casualties", "events", "sources", "claimants")
    }
    return Dataset(battle, frames["casualties"], frames["events"], frames["sources"], frames["claimants"])
