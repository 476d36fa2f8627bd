"""`python -m analysis new DIR`: an empty data folder for a new event, ready to fill in.

Writes, into a new or empty folder (anything else is refused): every CSV table of the
data package with its header only; a `battle.json` with placeholders to replace (a
one-day period, three sides, one side group "all", four coded areas, an empty claimant
hierarchy, English as the preferred language, an "about" band of 10 %); the data package
`datapackage.json`, the project's canonical schema under the event's name
(`analysis.package`); and a README.md with the next steps and a
pointer to the data dictionary (the project's `data/README.md`). The folder appears
whole or not at all (written beside it, then renamed into place).

The event is named after the folder, or after the folder holding it when the folder is
called `data` (`new my-event/data`, the layout of events/NAME/data: the event is
"my-event").
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

from analysis import outputs, package, paths

PACKAGE = "datapackage.json"
PLACEHOLDER_DAY = "2000-01-01"
SIDES = ["side A", "side B", "civilians"]


def battle_template(folder_name: str) -> dict:
    """The battle.json of a new event, every value a placeholder to replace."""
    slug = re.sub(r"[^a-z0-9]+", "-", folder_name.lower()).strip("-") or "new-event"
    return {
        "battle_id": slug,
        "name": folder_name or "New event",
        "place": "Replace with the place: town, district, country",
        "period_start": PLACEHOLDER_DAY,
        "period_end": PLACEHOLDER_DAY,
        "sides": list(SIDES),
        "side_groups": {"all": list(SIDES)},
        "other_actors": ["unspecified"],
        "reconciled_measures": ["killed", "wounded"],
        "areas": {
            "event area": {
                "in_scope": True,
                "whole": True,
                "description": "The whole area of the event, as the sources name it",
            },
            "part of event area": {
                "in_scope": True,
                "whole": False,
                "description": "One place inside the event area: its figures count only part of the event's dead",
            },
            "wider region": {
                "in_scope": False,
                "whole": False,
                "description": "A province or country: wider than the event",
            },
            "unclear": {"in_scope": False, "whole": False, "description": "The source does not say where"},
        },
        "claimant_hierarchy": [],
        "language_preference": ["en"],
        "about_band": 0.1,
        "accepted_exceptions": [],
    }


def event_name(folder: Path) -> str:
    """The name a new event gets from its data folder: the folder's own name, or its
    parent's when the folder is called `data` (my-event/data is the event my-event)."""
    folder = Path(folder)
    return folder.parent.name if folder.name == "data" else folder.name


def readme(folder: Path) -> str:
    """The new folder's README. Its paths are relative to the project's root where the
    folder lies inside the project (an event to ship, whose README the site publishes: no
    machine's paths in it), absolute elsewhere."""
    folder, dictionary = Path(folder), paths.DATA / "README.md"
    if folder.resolve().is_relative_to(paths.ROOT):  # ROOT is resolved: so must the folder be
        folder = folder.resolve()
        folder, dictionary = folder.relative_to(paths.ROOT), dictionary.relative_to(paths.ROOT)
    return f"""# {event_name(folder) or "New event"}: casualty claims (new event)

This folder was written by `python -m analysis new`. Every table has its header only
and `battle.json` holds placeholders: fill them in, then validate and build.

The data dictionary (every column, its allowed values, the cross-row rules) is the
analysis project's `data/README.md` ({dictionary}); the schema it describes is
`datapackage.json` here, the project's canonical one under this event's name.

Once the event ships with the project (its data folder at `events/NAME/data`), this
README is published as its data dictionary page by `make html`; for a folder elsewhere,
`python -m analysis html --out OUT` renders only the built notebooks. Once the folder is
filled in, replace these steps with what a reader of the data needs (the documents read,
the coding decisions, the caveats).

## Next steps

1. `battle.json`: the event's name and place, `period_start` and `period_end` (both
   {PLACEHOLDER_DAY} now: a one-day placeholder), its `sides` and `side_groups`, the coded
   `areas` (which count for the event), the `claimant_hierarchy` (most trusted first;
   the default rule sets aside the claims of a claimant left out of it),
   `language_preference` and `about_band`. In `datapackage.json`, check `title` and
   `description` and list the documents read under `sources`.
2. `claimants.csv`: who makes claims. `sources.csv`: one row per document read.
3. `casualties.csv`: one row per numeric claim; `events.csv`: claimed dates of events.
4. `python -m analysis validate {folder}` until it reports the folder valid.
5. `python -m analysis build --data-dir {folder} --out OUT` writes the executed
   notebooks, figures and tables for this event to OUT (a new folder, not inside this
   one and not holding it).
"""


def csv_headers(package: dict) -> dict[str, str]:
    """{file name: header line} for every table of a data package."""
    headers = {}
    for resource in package["resources"]:
        if "schema" in resource:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerow([f["name"] for f in resource["schema"]["fields"]])
            headers[resource["path"]] = buf.getvalue()
    return headers


def new_event(folder: Path) -> list[Path]:
    """Write the empty data folder; return the files written. Raises
    outputs.UnsafeOutput if `folder` is not new or empty, OSError if it cannot be written."""
    folder = outputs.absolute(folder)
    outputs.check_protected(folder, outputs.protected())
    if os.path.lexists(folder):
        if folder.is_symlink() or not folder.is_dir():
            raise outputs.UnsafeOutput(folder, "it exists and is not a folder")
        if os.listdir(folder):
            raise outputs.UnsafeOutput(folder, "it is not empty: `new` writes only into a new or empty folder")
    above = next((p for p in folder.parents if os.path.lexists(p)), None)
    if above is not None and not above.is_dir():  # mkdir would say "File exists"
        raise outputs.UnsafeOutput(above, "it is a file, not a folder: the event's folder cannot be made inside it")
    files = {name: header.encode() for name, header in csv_headers(package.canonical()).items()}
    battle = battle_template(event_name(folder))
    files["battle.json"] = (json.dumps(battle, indent=2, ensure_ascii=False) + "\n").encode()
    files[PACKAGE] = package.for_event(battle["battle_id"], battle["name"])
    files["README.md"] = readme(folder).encode()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        stage = outputs.fresh_dir(folder.parent, f".{folder.name}.staging-")
    except OSError as err:  # named by the folder asked for, not the scratch folder beside it
        err.filename = str(folder)
        raise
    try:
        for name, data in sorted(files.items()):
            outputs.write_bytes(stage / name, data)
        os.replace(stage, folder)  # also replaces an empty folder, atomically
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return [folder / name for name in sorted(files)]
