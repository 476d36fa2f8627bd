"""An event's data package (`datapackage.json`): the project's canonical schema, the same
for every event (`templates/datapackage.json`), under the event's own name and title.

The template's name, title, description and sources are placeholders; `for_event` puts
the event's in their place (to be completed by hand from the sources actually read) and
leaves out the template's creation date.
"""

from __future__ import annotations

import json
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "templates" / "datapackage.json"


def canonical() -> dict:
    """The template data package: every table's schema, placeholder metadata."""
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def schemas() -> dict[str, dict]:
    """Each tabular resource's schema by resource name."""
    return {r["name"]: r["schema"] for r in canonical()["resources"] if "schema" in r}


def for_event(slug: str, name: str) -> bytes:
    """The data package of event `name` (`slug` its battle_id), as the bytes of its file."""
    package = canonical()
    package.pop("created", None)  # the template's date, not the event's
    package.update(
        name=f"{slug}-casualty-claims",
        title=f"{name}: casualty claims ledger",
        description=f"Every numeric claim about the casualties of {name}, one row per claim as one outlet "
        "printed it, the claimant kept apart from the outlet.",
        sources=[{"title": f"Replace with the documents read for {name}"}],
    )
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode()
