"""Validate a data folder: the Table Schemas of its `datapackage.json`, then the rules a
table schema cannot say.

Field rules (types, required, enums, patterns, uniqueness, foreign keys) are read from the
data package itself, so the schema has one home. The cross-row rules are:

- a claim's period does not end before it starts; a daily figure covers one day;
- sides and areas are those of `battle.json`;
- an in-scope claim lies in an in-scope area and inside the battle's period, with both
  dates given;
- a superseded claim exists, is another claim, and has the same claimant, side and measure;
- a source's publication date is empty exactly when its basis is `unknown`, is not after
  the day the source was read, which is not in the future;
- `supersedes` links form no loop; no text holds a control character;
- the claimant hierarchy of `battle.json` names known claimants, and its accepted
  exceptions name existing claims.

Nothing here writes to the data folder, and nothing imports pandas: the check is quick.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from analysis.battle import Battle, parse_battle
from analysis.read import Problem, RawTable, read_bytes, read_table

PACKAGE = "datapackage.json"
REQUIRED_RESOURCES = ("battle", "casualties", "events", "sources", "claimants")
JSON_LIMIT = 16 * 1024 * 1024  # a battle.json or datapackage.json larger than this is not one


def _check_cell(value: str, spec: dict) -> str | None:
    """The message for one bad non-empty cell, or None."""
    kind = spec.get("type", "string")
    cons = spec.get("constraints", {})
    if value != value.strip():
        return f"{value!r} has leading or trailing spaces"
    bad = next((ch for ch in value if ord(ch) < 32 or ord(ch) == 127), None)
    if bad is not None:
        return f"holds the control character U+{ord(bad):04X}: remove it"
    if kind == "integer":
        if re.fullmatch(r"-\d+", value):
            return f"{value!r} is negative: counts are zero or more"
        if re.fullmatch(r"-?\d*[.,]\d+", value):
            return f"{value!r} is not a whole number"
        if not re.fullmatch(r"\d+", value):
            return f"{value!r} is not a number"
        if "minimum" in cons and int(value) < cons["minimum"]:
            return f"{value} is below the minimum {cons['minimum']}"
        if "maximum" in cons and int(value) > cons["maximum"]:
            return f"{value} is above the maximum {cons['maximum']}: a typing error?"
    elif kind == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return f"{value!r} is not a date in YYYY-MM-DD form"
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a real calendar date"
    elif kind == "boolean":
        allowed = spec.get("trueValues", ["true"]) + spec.get("falseValues", ["false"])
        if value not in allowed:
            return f"{value!r} is not one of {', '.join(allowed)}"
    if "enum" in cons and value not in cons["enum"]:
        return f"{value!r} is not an allowed value ({', '.join(map(str, cons['enum']))})"
    if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
        return f"{value!r} does not match the pattern {cons['pattern']}"
    return None


def check_fields(table: RawTable, schema: dict) -> list[Problem]:
    """Type, required, enum, pattern and unique constraints of one table's fields."""
    problems = []
    for spec in schema["fields"]:
        name = spec["name"]
        cons = spec.get("constraints", {})
        seen: dict[str, int] = {}
        for row, line in zip(table.rows, table.lines):
            value = row[name]
            if value == "":
                if cons.get("required"):
                    problems.append(Problem(table.name, line, name, "required value is blank"))
                continue
            message = _check_cell(value, spec)
            if message:
                problems.append(Problem(table.name, line, name, message))
            if cons.get("unique"):
                if value in seen:
                    problems.append(
                        Problem(table.name, line, name, f"duplicate {value!r}: already on line {seen[value]}")
                    )
                else:
                    seen[value] = line
    return problems


def check_foreign_keys(name: str, tables: dict[str, RawTable], schema: dict) -> list[Problem]:
    """Every foreign key of a table's schema points at an existing row."""
    problems = []
    table = tables[name]
    for fk in schema.get("foreignKeys", []):
        (column,) = fk["fields"]
        target = fk["reference"]["resource"] or name
        (target_column,) = fk["reference"]["fields"]
        if target not in tables:
            continue
        known = {r[target_column] for r in tables[target].rows}
        for row, line in zip(table.rows, table.lines):
            value = row[column]
            if value and value not in known:
                problems.append(
                    Problem(table.name, line, column, f"{value!r} is not a {target_column} of {target}.csv")
                )
    return problems


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def check_claims(table: RawTable, battle: Battle) -> list[Problem]:
    """Cross-row rules of the claims ledger against the battle's definition."""
    problems = []
    by_id = {r["claim_id"]: r for r in table.rows}

    def bad(line, column, message):
        problems.append(Problem(table.name, line, column, message))

    for row, line in zip(table.rows, table.lines):
        start, end = _date(row["period_start"]), _date(row["period_end"])
        if start and end and end < start:
            bad(line, "period_end", f"{end} is before period_start {start}")
        if row["figure_type"] == "daily" and (start is None or end is None or start != end):
            bad(line, "period_end", "a daily figure must cover exactly one day: period_start and period_end equal")
        if row["side"] and row["side"] not in battle.known_sides:
            bad(line, "side", f"{row['side']!r} is not a side, side group or other actor of battle.json")
        if row["area"] and row["area"] not in battle.areas:
            bad(line, "area", f"{row['area']!r} is not an area of battle.json ({', '.join(battle.areas)})")
        if row["in_scope"] == "true":
            if row["area"] in battle.areas and not battle.in_scope_area(row["area"]):
                bad(line, "in_scope", f"marked in scope but area {row['area']!r} is outside the battle")
            if start is None or end is None:
                bad(line, "in_scope", "marked in scope but its period is not fully given")
            elif start < battle.period_start or end > battle.period_end:
                bad(
                    line,
                    "in_scope",
                    f"marked in scope but {start}..{end} falls outside the event's period "
                    f"{battle.period_start}..{battle.period_end}",
                )
        target = row["supersedes"]
        if target:
            old = by_id.get(target)
            if target == row["claim_id"]:
                bad(line, "supersedes", "a claim cannot supersede itself")
            elif old is not None:
                for column in ("claimant", "side", "measure"):
                    if old[column] != row[column]:
                        bad(
                            line,
                            "supersedes",
                            f"supersedes {target}, whose {column} is {old[column]!r}, not {row[column]!r}",
                        )
    return problems


def check_sources(table: RawTable, today: dt.date | None = None) -> list[Problem]:
    """A publication date is blank exactly when its basis is 'unknown'; nothing was
    published after it was read, nor read in the future."""
    today = today or dt.date.today()
    problems = []
    for row, line in zip(table.rows, table.lines):
        if (row["published"] == "") != (row["published_basis"] == "unknown"):
            problems.append(
                Problem(table.name, line, "published_basis", "must be 'unknown' exactly when published is blank")
            )
        published, accessed = _date(row["published"]), _date(row["accessed"])
        if accessed and accessed > today:
            problems.append(Problem(table.name, line, "accessed", f"{accessed} is in the future"))
        if published and accessed and published > accessed:
            problems.append(
                Problem(table.name, line, "published", f"{published} is after the day it was read ({accessed})")
            )
    return problems


def check_revision_cycles(table: RawTable) -> list[Problem]:
    """A chain of `supersedes` links never comes back to where it started."""
    target = {r["claim_id"]: r["supersedes"] for r in table.rows if r["supersedes"]}
    line_of = dict(zip((r["claim_id"] for r in table.rows), table.lines))
    problems = []
    for start in sorted(target):
        seen, node = [start], target[start]
        while node in target and node not in seen:
            seen.append(node)
            node = target[node]
        if node == start:
            problems.append(
                Problem(
                    table.name, line_of[start], "supersedes", "revisions form a loop: " + " -> ".join([*seen, start])
                )
            )
    return problems


def validate(data_dir: Path) -> list[Problem]:
    """All problems of a data folder, in file and line order; an empty list means valid."""
    data_dir = Path(data_dir)
    pkg_label = str(data_dir / PACKAGE)
    data, found = read_bytes(data_dir / PACKAGE, pkg_label, JSON_LIMIT)
    if data is None:
        return found
    try:
        package = json.loads(data.decode("utf-8"))
        resources = {r["name"]: r for r in package["resources"]}
        paths = {name: str(r["path"]) for name, r in resources.items()}
        for r in resources.values():
            if r.get("format") != "json" and not all(isinstance(f["name"], str) for f in r["schema"]["fields"]):
                raise TypeError(f"resource {r['name']!r}: every schema field needs a name")
    except (ValueError, KeyError, TypeError) as exc:
        return [Problem(pkg_label, None, None, f"not a readable data package: {exc}")]
    unsafe = sorted(p for p in paths.values() if Path(p).is_absolute() or ".." in Path(p).parts)
    if unsafe:
        return [Problem(pkg_label, None, "resources", f"resource path {unsafe[0]!r} leaves the data folder")]
    missing = [name for name in REQUIRED_RESOURCES if name not in resources]
    if missing:
        return [
            Problem(
                pkg_label,
                None,
                "resources",
                f"lacks the resource(s) {', '.join(missing)}: "
                "a data folder has battle, casualties, events, sources and claimants",
            )
        ]

    problems: list[Problem] = []
    battle = None
    for res in resources.values():
        if res.get("format") == "json":
            path = data_dir / res["path"]
            data, found = read_bytes(path, str(path), JSON_LIMIT)
            if data is None:
                problems += found
                continue
            try:
                raw = json.loads(data.decode("utf-8"))
            except ValueError as exc:
                problems.append(Problem(str(path), None, None, f"not valid JSON: {exc}"))
                continue
            battle, battle_problems = parse_battle(raw)
            problems += [Problem(str(path), None, key, msg) for key, msg in battle_problems]

    tables: dict[str, RawTable] = {}
    for name, res in resources.items():
        if "schema" not in res:
            continue
        expected = [f["name"] for f in res["schema"]["fields"]]
        # a new event's tables may hold only their header (python -m analysis new)
        table, found = read_table(data_dir / res["path"], expected, str(data_dir / res["path"]), allow_empty=True)
        problems += found
        if table is not None:
            tables[name] = table
            problems += check_fields(table, res["schema"])
    for name in tables:
        problems += check_foreign_keys(name, tables, resources[name]["schema"])
    if "sources" in tables:
        problems += check_sources(tables["sources"])
    if "casualties" in tables:
        problems += check_revision_cycles(tables["casualties"])
    if battle is not None and "casualties" in tables:
        problems += check_claims(tables["casualties"], battle)
    # exceptions name claims and events: checked only once both tables could be read, so
    # that a fault in a table is not echoed as false problems in battle.json
    if battle is not None and {"casualties", "events"} <= set(tables):
        known_ids = {
            r[k]
            for name, k in (("casualties", "claim_id"), ("events", "event_id"))
            if name in tables
            for r in tables[name].rows
        }
        for i, exception in enumerate(battle.accepted_exceptions):
            for claim in exception["claims"]:
                if claim not in known_ids:
                    problems.append(
                        Problem(
                            str(data_dir / "battle.json"),
                            None,
                            f"accepted_exceptions[{i}]",
                            f"{claim!r} is not a claim_id or event_id",
                        )
                    )
    if battle is not None and "claimants" in tables:
        known = {r["claimant"] for r in tables["claimants"].rows}
        for name in battle.claimant_hierarchy:
            if name not in known:
                problems.append(
                    Problem(
                        str(data_dir / "battle.json"),
                        None,
                        "claimant_hierarchy",
                        f"{name!r} is not a claimant of claimants.csv",
                    )
                )
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.column or "", p.message))
