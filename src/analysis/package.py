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


OPEN_VOCABULARIES = frozenset({("casualties", "measure"), ("events", "event"), ("sources", "kind")})
"""Columns whose allowed values an event's package may add to: what is counted, which
events are dated, what kind of document was read. The code reads meaning into no value of
theirs beyond the canonical ones it names (killed, wounded...). Every other enum may only be
narrowed: the code reads its values (qualifiers, figure types, count status...)."""

RULED = ("type", "format", "trueValues", "falseValues")
RULED_CONSTRAINTS = ("required", "unique", "pattern", "minimum", "maximum")
# what Table Schema means when a key is left out: written out, it changes nothing
DEFAULTS = {"type": "string", "required": False, "unique": False}
DATE_FORMATS = (None, "default", "%Y-%m-%d")  # all read as YYYY-MM-DD


def _ruled(spec: dict, key: str) -> object:
    """A field's (or its constraints') value for `key`, with Table Schema's defaults
    filled in and the date formats that mean YYYY-MM-DD written one way."""
    value = spec.get(key, DEFAULTS.get(key))
    return "%Y-%m-%d" if key == "format" and value in DATE_FORMATS else value


def schema_drift(package: dict) -> list[tuple[str, str]]:
    """Where a sound data package's tables depart from the canonical schema in a way the
    code cannot follow, each as (key path, message): a table or field missing or added, a
    field's type, format, required, unique, pattern, minimum or maximum changed, an enum
    widened outside `OPEN_VOCABULARIES`, the primary or foreign keys changed. Titles and
    descriptions may be the event's own."""
    found: list[tuple[str, str]] = []
    mine = {r["name"]: (i, r) for i, r in enumerate(package["resources"]) if r.get("format") != "json"}
    for table, schema in schemas().items():
        if table not in mine:
            continue  # reported as a missing resource
        i, res = mine[table]
        at = f"resources[{i}].schema"
        fields = {f["name"]: (j, f) for j, f in enumerate(res["schema"]["fields"])}
        wanted = {f["name"]: f for f in schema["fields"]}
        for name in wanted.keys() - fields.keys():
            found.append((f"{at}.fields", f"lacks the field {name!r} of the project's schema"))
        for name, (j, spec) in fields.items():
            here = f"{at}.fields[{j}]"
            if name not in wanted:
                found.append((here, f"{name!r} is not a field of the project's {table} schema"))
                continue
            canon = wanted[name]
            for key in RULED:
                if _ruled(spec, key) != _ruled(canon, key):
                    found.append((f"{here}.{key}", f"{spec.get(key)!r}: the project's schema has {canon.get(key)!r}"))
            cons, canon_cons = spec.get("constraints", {}), canon.get("constraints", {})
            for key in RULED_CONSTRAINTS:
                if _ruled(cons, key) != _ruled(canon_cons, key):
                    found.append(
                        (
                            f"{here}.constraints.{key}",
                            f"{cons.get(key)!r}: the project's schema has {canon_cons.get(key)!r}",
                        )
                    )
            if "enum" in canon_cons and (table, name) not in OPEN_VOCABULARIES:
                added = [v for v in cons.get("enum", []) if v not in canon_cons["enum"]]
                if "enum" not in cons or added:
                    what = f"adds {', '.join(map(repr, added))}" if added else "drops the list of allowed values"
                    found.append(
                        (f"{here}.constraints.enum", f"{what}: the code reads these values, only fewer are allowed")
                    )
        if res["schema"].get("missingValues", [""]) != schema.get("missingValues", [""]):
            found.append((f"{at}.missingValues", "differs from the project's schema: only a blank cell is missing"))
        for key in ("primaryKey", "foreignKeys"):
            if _keys(res["schema"].get(key), table) != _keys(schema.get(key), table):
                found.append((f"{at}.{key}", f"differs from the project's schema: {json.dumps(schema.get(key))}"))
    return found


def _keys(spec: object, table: str) -> object:
    """A primary key or list of foreign keys with each one-column key written as a list
    (Table Schema allows `"claimant"` for `["claimant"]`) and a key to its own table
    written as `""`, for comparison."""

    def columns(value: object) -> object:
        return [value] if isinstance(value, str) else value

    if isinstance(spec, list) and all(isinstance(fk, dict) for fk in spec):
        return sorted(
            (
                json.dumps(columns(fk.get("fields"))),
                json.dumps(
                    {
                        "resource": ""
                        if (ref := fk.get("reference", {})).get("resource") == table
                        else ref.get("resource"),
                        "fields": columns(ref.get("fields")),
                    }
                ),
            )
            for fk in spec
        )
    return columns(spec)


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
