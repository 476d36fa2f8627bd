"""Validate a data folder: the Table Schemas of its `datapackage.json`, then the rules a
table schema cannot say.

Field rules (types, required, enums, patterns, uniqueness, foreign keys) are read from the
data package itself, so the schema has one home. Its structure is checked before any of it
is used (`package_problems`): a missing or malformed part is named by its key, such as
`resources[1].schema.foreignKeys[0].fields`. The cross-row rules are:

- a claim's period does not end before it starts; a daily figure covers one day;
- sides and areas are those of `battle.json`;
- an in-scope claim lies in an in-scope area and inside the battle's period, with both
  dates given;
- a superseded claim exists, is another claim, and has the same claimant, side, measure and
  scope (`in_scope`); a claim that supersedes itself is that one problem, not also a loop
  of revisions;
- the copies of one report (rows sharing a `report_id`) name one claimant;
- a source's publication date is empty exactly when its basis is `unknown`, is not after
  the day the source was read, which is not in the future;
- `supersedes` links form no loop; no text holds a control character;
- the claimant hierarchy of `battle.json` names known claimants, its accepted
  exceptions name existing claims, and its preferred languages and reconciled measures
  are values the sources' and the ledger's schemas allow.

The root cause comes first, alone: a rule across cells, rows or tables (a foreign key
included) does not judge a cell that its field's rules reject (an impossible date, a
stray space), nor look values up in a column holding such a cell; that cell is the one
reported. Two headers that look swapped (both columns reject more than half the rows, and
each of the first rows they reject holds what the other column allows) are named on the
header line, before the cells they spoil. A folder argument that does not exist or is a file is said to be so
(`folder_problem`), before any of its files is looked for.

Nothing here writes to the data folder, and nothing imports pandas: the check is quick.
A ledger of a million rows takes seconds and a few hundred MB: tables are streamed (see
`analysis.read`), each field's rules are compiled once, a value already found good is not
checked again, and only the columns the cross-row rules and foreign keys need are kept.
A column with more than a thousand problems lists its first hundred and says how many
more there are (`analysis.read.ProblemLog`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from itertools import combinations, compress, filterfalse
from pathlib import Path
from typing import NamedTuple

from analysis.battle import Battle, parse_battle
from analysis.package import OPEN_VOCABULARIES, schema_drift
from analysis.read import Check, Problem, ProblemLog, RawTable, kind_of, paused_gc, read_json, read_table
from analysis.words import nearest

PACKAGE = "datapackage.json"
REQUIRED_RESOURCES = ("battle", "casualties", "events", "sources", "claimants")
# the types of field whose cells are checked (any other is refused, not taken for text)
TYPES = ("string", "integer", "date", "boolean")
HINTED_KEYS = 500  # a foreign key into a column of at most this many values gets "did you mean"
HINTS = 100  # ... for its first this many unknown values
SWAP_SAMPLE = 20  # the first rows two columns both reject that are tried against the other column
CACHED = 100_000  # good (or bad) values remembered per column
LONGEST_LOOP = 12  # claims a loop of revisions is spelled out with
# the columns kept once a table is read: what the rules across rows and tables read
KEEP = {
    "casualties": ("claim_id", "supersedes", "claimant", "side", "measure", "in_scope"),
    "sources": ("published", "published_basis", "accessed"),
    "events": ("event_id",),
    "claimants": ("claimant",),
}
# the cells of a claim that the rules of one row (ClaimRules) read
CLAIM_CELLS = ("period_start", "period_end", "figure_type", "side", "area", "in_scope")

CellCheck = Callable[[str], "str | None"]
_CONTROL = re.compile("[\x00-\x1f\x7f]")
# digits 0-9 only: `\d` would also take other scripts' digits ("２３", "٢٣"), which int()
# reads as 23 but no other tool reading the CSV would
_NEGATIVE = re.compile(r"-[0-9]+")
_FRACTION = re.compile(r"-?[0-9]*[.,][0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _integer_check(cons: dict) -> CellCheck:
    has_min, has_max = "minimum" in cons, "maximum" in cons
    low, high = cons.get("minimum"), cons.get("maximum")

    def integer(value: str) -> str | None:
        if _NEGATIVE.fullmatch(value):
            return f"{value!r} is negative: counts are zero or more"
        if _FRACTION.fullmatch(value):
            return f"{value!r} is not a whole number"
        if not _DIGITS.fullmatch(value):
            return f"{value!r} is not a number (in the digits 0-9)"
        if has_min and int(value) < low:  # type: ignore[operator]
            return f"{value} is below the minimum {low}"
        if has_max and int(value) > high:  # type: ignore[operator]
            return f"{value} is above the maximum {high}: a typing error?"
        return None

    return integer


def _date_check(value: str) -> str | None:
    if not _DATE.fullmatch(value):
        return f"{value!r} is not a date in YYYY-MM-DD form"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a real calendar date"
    return None


def _boolean_check(spec: dict) -> CellCheck:
    allowed = spec.get("trueValues", ["true"]) + spec.get("falseValues", ["false"])

    def boolean(value: str) -> str | None:
        return None if value in allowed else f"{value!r} is not one of {', '.join(allowed)}{_hint(value, allowed)}"

    return boolean


LISTED = 12  # an enum longer than this is not listed in full in a message


def _hint(value: str, allowed: Sequence[str]) -> str:
    """ ": did you mean 'x'?" where a value is close to one allowed, else nothing."""
    near = nearest(value, allowed)
    return f": did you mean {near!r}?" if near else ""


def cell_check(spec: dict, open_vocabulary: bool = False) -> CellCheck:
    """One field's rules, compiled: a function from a cell to the message for it, or None
    when it is good. The field is one that `package_problems` accepts; an `open_vocabulary`
    is one whose allowed values an event's package may add to, and its message says so."""
    kind = spec.get("type", "string")
    cons = spec.get("constraints", {})
    required = bool(cons.get("required"))
    typed: CellCheck | None = None
    if kind == "integer":
        typed = _integer_check(cons)
    elif kind == "date":
        typed = _date_check
    elif kind == "boolean":
        typed = _boolean_check(spec)
    enum = cons.get("enum")
    members = None
    if "enum" in cons:
        members = frozenset(item for item in enum if isinstance(item, str))  # no cell equals another item
    pattern = re.compile(cons["pattern"]) if "pattern" in cons else None

    def check(value: str) -> str | None:
        if not value:
            return "required value is blank" if required else None
        if value != value.strip():
            return f"{value!r} has leading or trailing spaces"
        control = _CONTROL.search(value)
        if control:
            return f"holds the control character U+{ord(control.group()):04X}: remove it"
        if typed is not None:
            message = typed(value)
            if message:
                return message
        if members is not None and value not in members:
            listed = ", ".join(map(str, enum)) if len(enum) <= LISTED else f"one of {len(enum)} in datapackage.json"
            hint = _hint(value, sorted(members))
            extend = "; a new one goes in this field's enum in the folder's datapackage.json" if open_vocabulary else ""
            return f"{value!r} is not an allowed value ({listed}){hint}{extend}"
        if pattern is not None and not pattern.fullmatch(value):
            return f"{value!r} does not match the pattern {cons['pattern']}"
        return None

    return check


def surely_good(spec: dict) -> Callable[[str], object] | None:
    """For a text field: one regular expression that a cell matches only if `cell_check`
    finds nothing wrong with it (not blank, no spaces around, no control character, the
    pattern), to sift many distinct cells at once; None for other fields."""
    cons = spec.get("constraints", {})
    if spec.get("type", "string") in ("integer", "date", "boolean") or "enum" in cons:
        return None
    body = cons.get("pattern", ".*")
    try:
        return re.compile(rf"(?=[^\x00-\x1f\x7f]+\Z)(?!\s)(?:{body})(?<!\s)").fullmatch
    except (re.error, TypeError):  # say, flags inside the pattern: the cells are checked one by one
        return None


def all_good(spec: dict) -> Callable[[Sequence[str]], bool] | None:
    """For a text field: a test of many cells at once that is true only if `cell_check`
    finds nothing wrong with any of them (it may be false when all are good, say for
    letters that are not printable); None for other fields."""
    cons = spec.get("constraints", {})
    if spec.get("type", "string") in ("integer", "date", "boolean") or "enum" in cons:
        return None
    required = bool(cons.get("required"))
    pattern = re.compile(cons["pattern"]) if "pattern" in cons else None
    strip = str.strip

    def test(cells: Sequence[str]) -> bool:
        blanks = "" in cells
        if blanks and required:
            return False
        # no control character anywhere, no cell changed by strip (which returns the cell itself)
        if not "".join(cells).isprintable() or list(map(strip, cells)) != list(cells):
            return False
        return pattern is None or all(map(pattern.fullmatch, filter(None, cells) if blanks else cells))

    return test


class Field(NamedTuple):
    name: str
    check: CellCheck
    unique: bool
    surely_good: Callable[[str], object] | None
    all_good: Callable[[Sequence[str]], bool] | None


def compile_fields(schema: dict, table: str = "") -> list[Field]:
    """Each field of a Table Schema (of the resource `table`), compiled."""
    return [
        Field(
            spec["name"],
            cell_check(spec, (table, spec["name"]) in OPEN_VOCABULARIES),
            bool(spec.get("constraints", {}).get("unique")),
            surely_good(spec),
            all_good(spec),
        )
        for spec in schema["fields"]
    ]


def _messages_of(checks: list[CellCheck]) -> Callable[[str], tuple[str, ...]]:
    """The message a cell gets from the first of several rules it breaks: each later rule
    (a foreign key) depends on the cell passing the ones before it (its field's rules)."""

    def first(value: str) -> tuple[str, ...]:
        for check in checks:
            message = check(value)
            if message is not None:
                return (message,)
        return ()

    return first


def key_check(known: Collection[str], target: str, target_column: str, hints: int = HINTS) -> CellCheck:
    """The rule of a foreign key: a cell, if given, is a value of the target column. The
    first `hints` unknown values it is asked about get the nearest known one (once each:
    a rule asked again about the same values, by other rules, takes `hints=0`)."""

    choices = sorted(known) if len(known) <= HINTED_KEYS else ()
    budget = [hints]  # spent in the order values are asked about: file order, each once

    def check(value: str) -> str | None:
        if not value or value in known:
            return None
        hint = ""
        if choices and budget[0] > 0:  # a hint compares the value with every choice: not for all
            budget[0] -= 1
            hint = _hint(value, choices)
        return f"{value!r} is not a {target_column} of {target}.csv{hint}"

    return check


class FieldChecks:
    """The rules of each cell of one table, applied to each chunk of rows as `read_table`
    reads it: type, required, enum, pattern, minimum, maximum and unique constraints of
    its fields, and the foreign keys (`keys`: column -> rule) that point at tables already
    read. A value found good (or bad) once is not checked again; problems go to `log`."""

    def __init__(
        self,
        table: str,
        fields: list[Field],
        log: ProblemLog,
        keys: Mapping[str, CellCheck] = {},
        plain_keys: Mapping[str, CellCheck] = {},
    ):
        self.table = table
        self.log = log
        self.rejected: set[str] = set()  # columns with a cell its field's rules reject
        self.fields = [
            (
                f.name,
                _messages_of([self._recorded(f.name, f.check), *([keys[f.name]] if f.name in keys else [])]),
                f.unique,
                None if f.name in keys else f.surely_good,
                None if f.name in keys else f.all_good,
            )
            for f in fields
        ]
        # each field's rules as they are, to try a cell against another column's field, its
        # keys without hints (`plain_keys`): the hints go to the cells reported as such
        self.plain = {
            f.name: _messages_of([f.check, *([plain_keys[f.name]] if f.name in plain_keys else [])]) for f in fields
        }
        # (column, column) -> [rows both reject, of them rows tried against the other column
        # (the first SWAP_SAMPLE), the first such row's line]; None once a row tried is not
        # one where each cell is what the other column allows
        self.crossed: dict[tuple[str, str], list[int] | None] = {}
        self.rows = 0  # rows read
        self.good: dict[str, set[str]] = {f.name: set() for f in fields}
        self.bad: dict[str, dict[str, tuple[str, ...]]] = {f.name: {} for f in fields}
        self.seen: dict[str, dict[str, int]] = {f.name: {} for f in fields if f.unique}
        self.blank: set[str] = set()  # unique columns with a blank cell

    def __call__(self, columns: Mapping[str, Sequence[str]], lines: Sequence[int]) -> None:
        failed: dict[str, list[int]] = {}  # column -> rows of this chunk it rejects
        self.rows += len(lines)
        for name, rules, unique, sift, fine in self.fields:
            cells = columns[name]
            if unique:  # distinct values (mostly): nothing to remember
                if fine is not None and fine(cells):
                    messages = {}
                else:
                    suspects = cells if sift is None else filterfalse(sift, cells)
                    messages = {value: found for value in suspects if (found := rules(value))}
            elif self.good[name].issuperset(cells) or (fine is not None and fine(cells)):
                continue
            else:
                messages = self._messages(name, rules, sift, cells)
            if messages:
                failed[name] = []
                for row, (value, line) in enumerate(zip(cells, lines)):
                    if value in messages:
                        failed[name].append(row)
                        for message in messages[value]:
                            self.log.add(Problem(self.table, line, name, message))
            if unique:
                self._unique(name, cells, lines)
        if len(failed) > 1:
            self._cross(columns, lines, failed)

    def _cross(self, columns: Mapping[str, Sequence[str]], lines: Sequence[int], failed: dict[str, list[int]]) -> None:
        """Note, for each two columns a chunk's rows reject, whether on the rows that both
        reject each cell is one the other column allows: their headers may be swapped."""
        for a, b in combinations(sorted(failed), 2):
            state = self.crossed.setdefault((a, b), [0, 0, 0])
            if state is None:
                continue
            both = sorted(set(failed[a]) & set(failed[b]))
            tried = both[: SWAP_SAMPLE - state[1]]  # the first rows both reject, whatever the chunks
            if any(self.plain[b](columns[a][row]) or self.plain[a](columns[b][row]) for row in tried):
                self.crossed[(a, b)] = None
            elif both:
                state[0] += len(both)
                state[1] += len(tried)
                state[2] = state[2] or lines[both[0]]

    def swapped(self) -> list[Problem]:
        """A problem on the header line for each two columns whose headers look swapped,
        the root cause of the problems found in both: both reject more than half the rows
        read (two at least), and in each of the first rows they reject (SWAP_SAMPLE) each
        cell is one the other column allows. A few rows whose two cells were typed the wrong
        way round are no header problem."""
        found = []
        for (a, b), state in self.crossed.items():
            if state is not None and state[0] >= 2 and 2 * state[0] > self.rows:
                found.append(
                    Problem(
                        self.table,
                        1,
                        a,
                        f"the headers {a} and {b} look swapped: on the lines where both are rejected "
                        f"(from line {state[2]}) each column holds what the other allows",
                    )
                )
        return found

    def _recorded(self, name: str, check: CellCheck) -> CellCheck:
        """A field's rules, noting in `rejected` that the column has a cell they reject."""
        rejected = self.rejected

        def recorded(value: str) -> str | None:
            message = check(value)
            if message is not None:
                rejected.add(name)
            return message

        return recorded

    def _messages(
        self,
        name: str,
        rules: Callable[[str], tuple[str, ...]],
        sift: Callable[[str], object] | None,
        cells: Sequence[str],
    ) -> dict[str, tuple[str, ...]]:
        """The messages of each bad value among `cells`; good ones are remembered (as
        many as there is room for)."""
        good, bad = self.good[name], self.bad[name]
        # in order of first appearance: a rule with a budget (key hints) spends it in file order
        new = [value for value in dict.fromkeys(cells) if value not in good]
        if sift is not None:  # most values of a text column pass at once
            passed = set(filter(sift, new))
            if len(good) < CACHED:
                good |= passed
            new = [value for value in new if value not in passed]
        messages = {}
        for value in new:
            found = bad.get(value)
            if found is None:
                found = rules(value)
                if not found:
                    if len(good) < CACHED:
                        good.add(value)
                    continue
                if len(bad) < CACHED:
                    bad[value] = found
            messages[value] = found
        return messages

    def _unique(self, name: str, cells: Sequence[str], lines: Sequence[int]) -> None:
        seen = self.seen[name]
        if "" not in cells:
            before = len(seen)
            firsts = list(map(seen.setdefault, cells, lines))
            if len(seen) - before == len(cells):  # every value new
                return
        else:
            self.blank.add(name)
            firsts = [seen.setdefault(value, line) if value else line for value, line in zip(cells, lines)]
        for value, line, first in zip(cells, lines, firsts):
            if first != line:
                self.log.add(Problem(self.table, line, name, f"duplicate {value!r}: already on line {first}"))

    def values(self, name: str) -> Collection[str]:
        """Every value of a unique column, as read."""
        seen = self.seen[name]
        return seen.keys() | {""} if name in self.blank else seen.keys()


def _one_column(fields: str | list[str]) -> str:
    """The column of a foreign key's `fields`: a name, or a list of one (Table Schema allows both)."""
    return fields if isinstance(fields, str) else fields[0]


def _foreign_key(fk: dict, name: str) -> tuple[str, str, str]:
    """(column, target table, target column) of a foreign key of table `name` (one that
    `package_problems` accepts)."""
    reference = fk["reference"]
    return _one_column(fk["fields"]), reference["resource"] or name, _one_column(reference["fields"])


def _columns_problem(fields: object) -> str | None:
    """What is wrong with the `fields` of a foreign key or of its reference, if anything:
    only a key on one column, named as a string or a list of one string, is supported."""
    if isinstance(fields, str):
        return None if fields else "must name one column"
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        return "must be a column name, or a list of one"
    if not fields:
        return "must name one column"
    if len(fields) > 1:
        return "a foreign key on several columns is not supported"
    return None


def _field_problems(spec: object, at: str) -> list[tuple[str, str]]:
    """(key, message) of each part of a schema field that the checks cannot use; the name is
    checked by the caller."""
    if not isinstance(spec, dict):
        return [(at, "must be an object")]
    found = []
    kind = spec.get("type", "string")
    if kind not in TYPES:
        found.append((f"{at}.type", f"{kind!r} is not a type this validator checks ({', '.join(TYPES)})"))
    for key in ("trueValues", "falseValues"):
        values = spec.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            found.append((f"{at}.{key}", "must be a list of strings"))
    cons = spec.get("constraints", {})
    if not isinstance(cons, dict):
        return [*found, (f"{at}.constraints", "must be an object")]
    at = f"{at}.constraints"
    for key in ("required", "unique"):
        if key in cons and not isinstance(cons[key], bool):
            found.append((f"{at}.{key}", "must be true or false"))
    for key in ("minimum", "maximum"):
        if key in cons and (not isinstance(cons[key], (int, float)) or isinstance(cons[key], bool)):
            found.append((f"{at}.{key}", "must be a number"))
    if "enum" in cons and not isinstance(cons["enum"], list):
        found.append((f"{at}.enum", "must be a list"))
    if "pattern" in cons:
        pattern = cons["pattern"]
        if not isinstance(pattern, str):
            found.append((f"{at}.pattern", "must be a string"))
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                found.append((f"{at}.pattern", f"{pattern!r} is not a valid regular expression: {exc}"))
    return found


def _name_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    return None if value.strip() else "must not be blank"


def _foreign_key_problems(keys: object, at: str) -> list[tuple[str, str]]:
    """(key, message) of each foreign key of a schema whose shape the checks cannot use."""
    if not isinstance(keys, list):
        return [(at, "must be a list")]
    found = []
    for j, fk in enumerate(keys):
        here = f"{at}[{j}]"
        if not isinstance(fk, dict):
            found.append((here, "must be an object"))
            continue
        if "fields" not in fk:
            found.append((f"{here}.fields", "missing"))
            continue
        problem = _columns_problem(fk["fields"])
        if problem:  # one cause: a key on several columns is not also one with a reference of several
            found.append((f"{here}.fields", problem))
            continue
        reference = fk.get("reference")
        if "reference" not in fk:
            found.append((f"{here}.reference", "missing"))
        elif not isinstance(reference, dict):
            found.append((f"{here}.reference", "must be an object"))
        elif "resource" not in reference:
            found.append((f"{here}.reference.resource", 'missing: name the table it points at ("" for this one)'))
        elif not isinstance(reference["resource"], str):
            found.append((f"{here}.reference.resource", "must be a string"))
        elif "fields" not in reference:
            found.append((f"{here}.reference.fields", "missing"))
        elif problem := _columns_problem(reference["fields"]):
            found.append((f"{here}.reference.fields", problem))
    return found


def package_problems(package: object, label: str) -> list[Problem]:
    """What keeps a data package from being used, each named by its key path (such as
    `resources[1].schema`), before any of it is: its resources, their names and paths (in
    the data folder), the fields of each table's schema and their constraints, its primary
    key's fields, and its foreign keys, each on one column of an existing table. Every check of the validator
    reads a package this accepts."""
    if not isinstance(package, dict):
        return [Problem(label, None, None, "must be a JSON object, with a list of resources")]
    if "resources" not in package:
        return [Problem(label, None, "resources", "missing")]
    if not isinstance(package["resources"], list):
        return [Problem(label, None, "resources", "must be a list")]
    found: list[tuple[str, str]] = []
    for key in ("name", "title"):  # what other Data Package tools read first
        if key in package and not isinstance(package[key], str):
            found.append((key, "must be a string"))
    names: dict[str, int] = {}  # resource name -> its place in the list
    tables: dict[str, tuple[int, list[str]]] = {}  # table name -> its place and its field names
    for i, res in enumerate(package["resources"]):
        at = f"resources[{i}]"
        if not isinstance(res, dict):
            found.append((at, "must be an object"))
            continue
        for key in ("name", "path"):
            problem = "missing" if key not in res else _name_problem(res[key])
            if problem:
                found.append((f"{at}.{key}", problem))
        name, path = res.get("name"), res.get("path")
        if isinstance(path, str) and (Path(path).is_absolute() or ".." in Path(path).parts):
            found.append((f"{at}.path", f"resource path {path!r} leaves the data folder"))
        if isinstance(name, str):
            if name in names:
                found.append((f"{at}.name", f"{name!r} names resources[{names[name]}] already"))
                continue
            names[name] = i
        if res.get("format") == "json":  # battle.json: no table schema
            continue
        if "schema" not in res:
            found.append((f"{at}.schema", "missing"))
            continue
        schema = res["schema"]
        if not isinstance(schema, dict):
            found.append((f"{at}.schema", "must be an object"))
            continue
        fields = schema.get("fields")
        if not isinstance(fields, list) or not fields:
            found.append((f"{at}.schema.fields", "missing" if "fields" not in schema else "must be a non-empty list"))
            continue
        columns: dict[str, int] = {}  # field name -> its place in the list
        for j, spec in enumerate(fields):
            here = f"{at}.schema.fields[{j}]"
            if isinstance(spec, dict):
                problem = "missing" if "name" not in spec else _name_problem(spec["name"])
                if problem:
                    found.append((f"{here}.name", problem))
                elif spec["name"] in columns:
                    found.append((f"{here}.name", f"{spec['name']!r} names fields[{columns[spec['name']]}] already"))
                else:
                    columns[spec["name"]] = j
            found += _field_problems(spec, here)
        found += _foreign_key_problems(schema.get("foreignKeys", []), f"{at}.schema.foreignKeys")
        if "primaryKey" in schema:  # checked as its field's `unique` constraint, which it must carry
            key_at = f"{at}.schema.primaryKey"
            problem = _columns_problem(schema["primaryKey"])
            if problem:
                found.append((key_at, problem.replace("foreign key", "key")))
            elif (key := _one_column(schema["primaryKey"])) not in columns:
                found.append((key_at, f"{key!r} is not a field of this resource"))
            elif not isinstance(cons := fields[columns[key]].get("constraints", {}), dict):
                pass  # reported with the field
            elif not cons.get("unique"):
                found.append((key_at, f"its field {key!r} must be declared unique (constraints.unique), as checked"))
        if isinstance(name, str):
            tables[name] = (i, list(columns))
    if not found:  # the shape is sound: each key names columns of existing tables
        for name, (i, names_here) in tables.items():
            for j, fk in enumerate(package["resources"][i]["schema"].get("foreignKeys", [])):
                at = f"resources[{i}].schema.foreignKeys[{j}]"
                column, target, target_column = _foreign_key(fk, name)
                if column not in names_here:
                    found.append((f"{at}.fields", f"{column!r} is not a field of resource {name!r}"))
                elif target not in tables:
                    found.append(
                        (f"{at}.reference.resource", f"{target!r} is not a table of the package ({', '.join(tables)})")
                    )
                elif target_column not in tables[target][1]:
                    found.append((f"{at}.reference.fields", f"{target_column!r} is not a field of resource {target!r}"))
    return [Problem(label, None, key, message) for key, message in found]


def check_foreign_keys(
    name: str,
    tables: dict[str, RawTable],
    schema: dict,
    skip: Collection[tuple[str, str, str]] = (),
    checks: Mapping[str, CellCheck] = {},
    rejected: Mapping[str, Collection[str]] = {},
) -> Iterator[Problem]:
    """Every foreign key of a table's schema (but those in `skip`) points at an existing row.
    A key depends on both its ends being readable: a cell its field's rules (`checks`:
    column -> rule) reject is not looked up, nor is any cell of a key whose target column
    holds a rejected cell (`rejected`: table -> columns): those are reported already."""
    table = tables[name]
    for fk in schema.get("foreignKeys", []):
        column, target, target_column = _foreign_key(fk, name)
        if target not in tables or (column, target, target_column) in skip:
            continue
        if target_column in rejected.get(target, ()):
            continue
        rule = key_check(tables[target].values(target_column), target, target_column)
        cells = table.columns[column]
        readable = checks.get(column)
        unknown = {
            value: message
            for value in dict.fromkeys(cells)  # file order: the rule's hints go to the first values
            if (readable is None or readable(value) is None) and (message := rule(value)) is not None
        }
        if unknown:
            for line, value in zip(table.lines, cells):
                if value in unknown:
                    yield Problem(table.name, line, column, unknown[value])


def _date(value: str) -> dt.date | None:
    """The date of a cell the field's rules accept (YYYY-MM-DD, a real day); None otherwise."""
    return dt.date.fromisoformat(value) if _date_check(value) is None else None


def _rejected(checks: Mapping[str, CellCheck], cells: Mapping[str, str]) -> set[str]:
    """The columns among `cells` whose cell its field's rules reject: a rule across columns
    that reads one of them does not judge the row (the cell is reported already)."""
    return {name for name, value in cells.items() if not _readable(checks, name, value)}


def _claim_problems(
    battle: Battle, known_sides: set[str], checks: Mapping[str, CellCheck], key: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """(column, message) of each rule a claim breaks that depends on its own cells only
    (`key`: its CLAIM_CELLS). A rule that reads a cell its field's rules (`checks`) reject
    is not applied: that cell is the problem, and it is reported as such."""
    found = []
    cells = dict(zip(CLAIM_CELLS, key))
    start_text, end_text, figure_type, side, area, in_scope = key
    rejected = _rejected(checks, cells)
    # a blank date is allowed (the source does not say); one that cannot be read is not
    dates_read = not rejected & {"period_start", "period_end"}
    start, end = _date(start_text), _date(end_text)
    if start and end and end < start:
        found.append(("period_end", f"{end} is before period_start {start}"))
    if figure_type == "daily" and dates_read and (start is None or end is None or start != end):
        found.append(("period_end", "a daily figure must cover exactly one day: period_start and period_end equal"))
    if side and "side" not in rejected and side not in known_sides:
        hint = _hint(side, sorted(known_sides)) or " (a part of a side is declared in its subgroups)"
        found.append(("side", f"{side!r} is not a side, sub-group, side group or other actor of battle.json{hint}"))
    if area and "area" not in rejected and area not in battle.areas:
        found.append(("area", f"{area!r} is not an area of battle.json ({', '.join(battle.areas)})"))
    if in_scope == "true" and "in_scope" not in rejected:
        if area in battle.areas and not battle.in_scope_area(area):
            found.append(("in_scope", f"marked in scope but area {area!r} is outside the battle"))
        if dates_read and (start is None or end is None):
            found.append(("in_scope", "marked in scope but its period is not fully given"))
        elif start and end and (start < battle.period_start or end > battle.period_end):
            found.append(
                (
                    "in_scope",
                    f"marked in scope but {start}..{end} falls outside the event's period "
                    f"{battle.period_start}..{battle.period_end}",
                )
            )
    return tuple(found)


class ClaimRules:
    """The rules of one claim against the battle's definition (its period, side, area and
    scope), checked on each chunk of the ledger as it is read. They read six cells of a
    row (CLAIM_CELLS): each combination of them is judged once."""

    def __init__(self, label: str, battle: Battle, log: ProblemLog, checks: Mapping[str, CellCheck] = {}):
        self.label, self.battle, self.log = label, battle, log
        self.checks = {name: checks[name] for name in CLAIM_CELLS if name in checks}
        self.known_sides = battle.known_sides
        self.good: set[tuple[str, ...]] = set()
        self.judged: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}

    def __call__(self, columns: Mapping[str, Sequence[str]], lines: Sequence[int]) -> None:
        cells = [columns[name] for name in CLAIM_CELLS]
        if self.good.issuperset(zip(*cells)):
            return
        for line, key in zip(lines, zip(*cells)):
            if key in self.good:
                continue
            found = self.judged.get(key)
            if found is None:
                found = _claim_problems(self.battle, self.known_sides, self.checks, key)
                if not found:
                    if len(self.good) < CACHED:
                        self.good.add(key)
                    continue
                if len(self.judged) < CACHED:
                    self.judged[key] = found
            for column, message in found:
                self.log.add(Problem(self.label, line, column, message))


class ReportClaimants:
    """A report is one claimant's statement: the rows that share a `report_id` (copies of
    it) name one claimant. Checked on each chunk of the ledger as it is read; each report's
    first line and claimant are remembered (one int per report: the line, and the claimant
    as a number). A report is named once, at its first row that names another claimant. A
    cell its field's rules or its key reject (`rules`: the column's messages) is not
    compared: it is reported already (a report first seen with such a claimant takes the
    next one's)."""

    DONE = -1  # a report named already, or whose report_id its rules reject: not compared again

    def __init__(self, label: str, log: ProblemLog, rules: Mapping[str, Callable[[str], tuple[str, ...]]]):
        self.label, self.log, self.rules = label, log, rules
        self.codes: dict[str, int] = {}  # claimant -> number
        self.names: list[str] = []  # number -> claimant
        self.first: dict[str, int] = {}  # report -> line << 32 | claimant's number, or DONE

    def __call__(self, columns: Mapping[str, Sequence[str]], lines: Sequence[int]) -> None:
        first, codes, names = self.first, self.codes, self.names
        for report, claimant, line in zip(columns["report_id"], columns["claimant"], lines):
            if not report:
                continue
            code = codes.get(claimant)
            if code is None:
                code = codes[claimant] = len(names)
                names.append(claimant)
            known = first.get(report)
            if known is None:
                first[report] = self.DONE if self.rules["report_id"](report) else line << 32 | code
                continue
            if known == self.DONE or known & 0xFFFFFFFF == code or self.rules["claimant"](claimant):
                continue
            if self.rules["claimant"](names[known & 0xFFFFFFFF]):  # the first copy's claimant is unknown
                first[report] = line << 32 | code
                continue
            first[report] = self.DONE
            self.log.add(
                Problem(
                    self.label,
                    line,
                    "report_id",
                    f"report {report!r} names the claimant {names[known & 0xFFFFFFFF]!r} on line {known >> 32} "
                    f"and {claimant!r} here: copies of one report name its claimant (each outlet's wording goes "
                    "in claimant_detail); a story that quotes several claimants gives each its own report_id",
                )
            )


class AfterPublication:
    """A document reports no day after it appeared: a claim's last day (its `period_end`,
    or its `period_start` where the end is blank) or an event's `date` is no later than the
    day the document it was read in was published, where sources.csv gives that day
    (`published`: source_id to the day, cells its field's rules accept only). Checked on
    each chunk as it is read; a day its field's rules reject is reported already. Days are
    compared as written (YYYY-MM-DD sorts as it counts)."""

    def __init__(self, label: str, log: ProblemLog, published: Mapping[str, str], days: Sequence[str], checks: Mapping):
        self.label, self.log, self.published, self.days, self.checks = label, log, published, days, checks

    def __call__(self, columns: Mapping[str, Sequence[str]], lines: Sequence[int]) -> None:
        published, days = self.published, self.days
        cells = [columns[d] for d in days]
        lasts = cells[-1]  # each row's last day given
        for earlier in reversed(cells[:-1]):
            lasts = [later or first for first, later in zip(earlier, lasts)]
        for k, (line, source, last) in enumerate(zip(lines, columns["source_id"], lasts)):
            appeared = published.get(source)
            if not appeared or last <= appeared:
                continue
            column = next(d for d, given in zip(reversed(days), reversed(cells)) if given[k])
            if _readable(self.checks, column, last):
                self.log.add(
                    Problem(
                        self.label,
                        line,
                        column,
                        f"{last} is after the day its document {source!r} was published ({appeared}, "
                        "sources.csv): a document reports no later day, so one of the two dates is wrong",
                    )
                )


def _without_empty_rows(
    label: str, columns: Mapping[str, Sequence[str]], lines: Sequence[int], log: ProblemLog
) -> tuple[Mapping[str, Sequence[str]], Sequence[int]]:
    """A chunk without its rows whose every cell is blank (a spreadsheet's leftover row of
    commas), each reported once as such rather than once per column. Only rows whose first
    cell is blank are looked at."""
    first = next(iter(columns.values()), ())
    empty = [i for i, value in enumerate(first) if not value and not any(cells[i] for cells in columns.values())]
    if not empty:
        return columns, lines
    for i in empty:
        log.add(Problem(label, lines[i], None, "every cell of the row is blank (a spreadsheet's leftover?): delete it"))
    gone = set(empty)
    keep = [i for i in range(len(lines)) if i not in gone]
    return {name: [cells[i] for i in keep] for name, cells in columns.items()}, [lines[i] for i in keep]


def _readable(checks: Mapping[str, CellCheck], column: str, *values: str) -> bool:
    """Whether the field's rules (if `checks` has them) accept every one of `values`."""
    check = checks.get(column)
    return check is None or all(check(value) is None for value in values)


def check_supersedes(table: RawTable, checks: Mapping[str, CellCheck] = {}) -> Iterator[Problem]:
    """A claim supersedes another claim, of the same claimant, side and measure, and on the
    same side of the event's scope (a figure the totals leave out is no revision of one
    they count, nor the reverse). A cell its field's rules (`checks`) reject is not
    compared: it is reported already."""
    c = table.columns
    ids, targets = c["claim_id"], c["supersedes"]
    rows = list(compress(range(len(targets)), targets))
    by_id = table.positions("claim_id", {targets[i] for i in rows})
    for i in rows:
        target, line = targets[i], table.lines[i]
        old = by_id.get(target)
        if not _readable(checks, "supersedes", target):
            continue
        if target != ids[i] and old is not None:  # a claim superseding itself: see check_revision_cycles
            for column in ("claimant", "side", "measure", "in_scope"):
                if c[column][old] != c[column][i] and _readable(checks, column, c[column][old], c[column][i]):
                    yield Problem(
                        table.name,
                        line,
                        "supersedes",
                        f"supersedes {target}, whose {column} is {c[column][old]!r}, not {c[column][i]!r}",
                    )


def check_sources(
    table: RawTable, today: dt.date | None = None, checks: Mapping[str, CellCheck] = {}
) -> Iterator[Problem]:
    """A publication date is blank exactly when its basis is 'unknown'; nothing was
    published after it was read, nor read in the future. A rule that reads a cell its
    field's rules (`checks`) reject is not applied: the cell is reported already."""
    today = today or dt.date.today()
    c = table.columns
    for line, published_text, basis, accessed_text in zip(
        table.lines, c["published"], c["published_basis"], c["accessed"]
    ):
        if (
            (published_text == "") != (basis == "unknown")
            and _readable(checks, "published", published_text)
            and _readable(checks, "published_basis", basis)
        ):
            yield Problem(table.name, line, "published_basis", "must be 'unknown' exactly when published is blank")
        published, accessed = _date(published_text), _date(accessed_text)
        if accessed and accessed > today:
            yield Problem(table.name, line, "accessed", f"{accessed} is in the future")
        if published and accessed and published > accessed:
            yield Problem(table.name, line, "published", f"{published} is after the day it was read ({accessed})")


def _loop_words(loop: list[str]) -> str:
    """A loop of revisions, spelled out; a very long one by its ends."""
    if len(loop) > LONGEST_LOOP:
        shown = [*loop[: LONGEST_LOOP // 2], "...", *loop[-LONGEST_LOOP // 2 :]]
        return f"revisions form a loop of {len(loop)} claims: " + " -> ".join([*shown, loop[0]])
    return "revisions form a loop: " + " -> ".join([*loop, loop[0]])


def check_revision_cycles(table: RawTable) -> Iterator[Problem]:
    """A chain of `supersedes` links never comes back to where it started. Each claim on
    a loop is reported, with the loop as seen from it; a claim that supersedes itself, as
    that."""
    ids, targets = table.columns["claim_id"], table.columns["supersedes"]
    target = {ids[i]: targets[i] for i in compress(range(len(targets)), targets)}
    # each claim has at most one target: follow every chain once, marking where it went
    on_loop: set[str] = set()
    done: set[str] = set()
    for start in target:
        path: dict[str, int] = {}
        node = start
        while node in target and node not in done and node not in path:
            path[node] = len(path)
            node = target[node]
        if node in path:  # this walk closed a loop
            on_loop.update(list(path)[path[node] :])
        done.update(path)
    by_id = table.positions("claim_id", on_loop)
    for start in sorted(on_loop):
        loop, node = [start], target[start]
        while node != start:
            loop.append(node)
            node = target[node]
        words = "a claim cannot supersede itself" if len(loop) == 1 else _loop_words(loop)
        yield Problem(table.name, table.lines[by_id[start]], "supersedes", words)


FOLDER_HINT = "give the data folder, the one holding datapackage.json, battle.json and the CSV tables"


def folder_problem(data_dir: Path) -> Problem | None:
    """Why `data_dir` is not a folder (it does not exist, or is a file), or None if it is
    one. The commands that read a data folder ask this first."""

    def problem(message: str) -> Problem:
        return Problem(str(data_dir), None, None, message, folder=True)

    try:
        info = os.stat(data_dir)
    except (FileNotFoundError, NotADirectoryError):
        return problem(f"no such folder: {FOLDER_HINT}")
    except OSError as exc:
        return problem(f"cannot read the folder: {exc.strerror}")
    if stat.S_ISDIR(info.st_mode):
        return None
    kind = "a file" if stat.S_ISREG(info.st_mode) else kind_of(info.st_mode)
    parent = Path(data_dir).parent
    if parent == Path("."):
        parent = Path.cwd()
    if (parent / PACKAGE).is_file():
        return problem(f"is {kind}, not a folder: give the data folder that holds it, {parent}")
    return problem(f"is {kind}, not a folder: {FOLDER_HINT}")


def validate(data_dir: Path) -> list[Problem]:
    """All problems of a data folder, in file and line order; an empty list means valid."""
    with paused_gc():
        return _validate(Path(data_dir))


def _validate(data_dir: Path) -> list[Problem]:
    not_folder = folder_problem(data_dir)
    if not_folder:
        return [not_folder]
    pkg_label = str(data_dir / PACKAGE)
    package, found = read_json(data_dir / PACKAGE, pkg_label)
    if found:
        return found
    found = package_problems(package, pkg_label)
    if found:
        return found
    drift = schema_drift(package)
    if drift:  # the tables would be checked against rules the code does not follow
        return [Problem(pkg_label, None, key, message) for key, message in drift]
    # the package's structure is sound (package_problems): each part is used as it is
    resources = {r["name"]: r for r in package["resources"]}
    tabular = {name: r for name, r in resources.items() if r.get("format") != "json"}
    fields = {name: compile_fields(r["schema"], name) for name, r in tabular.items()}
    keys = {name: [_foreign_key(fk, name) for fk in r["schema"].get("foreignKeys", [])] for name, r in tabular.items()}
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

    log = ProblemLog()
    battle = None
    battle_label = str(data_dir / "battle.json")  # the path its resource gives, once read
    for res in resources.values():
        if res.get("format") == "json":
            label = str(data_dir / res["path"])
            raw, found = read_json(data_dir / res["path"], label)
            if found:
                log.extend(found)
                continue
            battle, battle_problems = parse_battle(raw)
            battle_label = label
            log.extend(Problem(label, None, None if key == "(top level)" else key, msg) for key, msg in battle_problems)

    # Each table is read after the tables its foreign keys point at, where it can be: its
    # keys are then checked as it is read, and only the columns later rules read are kept.
    order: list[str] = []
    while len(order) < len(keys):
        waiting = [name for name in keys if name not in order]
        ready = [name for name in waiting if all(t == name or t in order or t not in keys for _, t, _ in keys[name])]
        order.append((ready or waiting)[0])
    needed: dict[str, set[str]] = {name: set(KEEP.get(name, ())) for name in keys}
    for name in keys:
        for column, target, target_column in keys[name]:
            if target in needed:
                needed[target].add(target_column)
            if target not in order[: order.index(name)]:
                needed[name].add(column)
    tables: dict[str, RawTable] = {}
    checked: dict[str, set[tuple[str, str, str]]] = {}
    # table -> its columns with a cell its field's rules reject: a rule that reads such a
    # column (a foreign key into it, a rule across rows) does not echo the problem
    rejected: dict[str, set[str]] = {}
    rules = {name: {f.name: f.check for f in fields[name]} for name in fields}
    for name in order:
        res = resources[name]
        expected = [f["name"] for f in res["schema"]["fields"]]
        label = str(data_dir / res["path"])
        found_here = ProblemLog()
        found_here.columns(label, expected)
        streamed = [(c, t, tc) for c, t, tc in keys[name] if t != name and t in tables]
        checked[name] = set(streamed)
        readable_keys = [(c, t, tc) for c, t, tc in streamed if tc not in rejected[t]]
        cells = FieldChecks(
            label,
            fields[name],
            found_here,
            {c: key_check(tables[t].values(tc), t, tc) for c, t, tc in readable_keys},
            {c: key_check(tables[t].values(tc), t, tc, hints=0) for c, t, tc in readable_keys},
        )
        checks: list[Check] = [cells]
        days = {"casualties": ("period_start", "period_end"), "events": ("date",)}.get(name)
        if days and "sources" in tables and "source_id" in tables["sources"].columns:
            sources = tables["sources"].columns
            appeared = {
                k: v
                for k, v in zip(sources["source_id"], sources["published"])
                if v and _readable(rules["sources"], "published", v)
            }
            checks.append(AfterPublication(label, found_here, appeared, days, rules[name]))
        if name == "casualties":
            checks.append(ReportClaimants(label, found_here, cells.plain))
            if battle is not None:
                checks.append(ClaimRules(label, battle, found_here, rules[name]))

        def check_chunk(
            columns: Mapping[str, Sequence[str]], lines: Sequence[int], checks=checks, label=label, log=found_here
        ) -> None:
            columns, lines = _without_empty_rows(label, columns, lines, log)
            for check in checks:
                check(columns, lines)

        # a new event's tables may hold only their header (python -m analysis new)
        table, found = read_table(
            data_dir / res["path"], expected, label, allow_empty=True, keep=needed[name], check=check_chunk
        )
        log.extend(found)
        if table is not None:  # field problems count only in a table that could be read
            tables[name] = table
            rejected[name] = cells.rejected
            found_here.extend(cells.swapped())
            log.merge(found_here)
            for column in cells.seen:  # the values of a unique column are known already
                table.distinct[column] = cells.values(column)
        del checks, cells, found_here, check_chunk
    for name in tables:
        log.extend(
            check_foreign_keys(
                name, tables, resources[name]["schema"], skip=checked[name], checks=rules[name], rejected=rejected
            )
        )
    if "sources" in tables:
        log.extend(check_sources(tables["sources"], checks=rules["sources"]))
    if "casualties" in tables:
        log.extend(check_revision_cycles(tables["casualties"]))
    if battle is not None and "casualties" in tables:
        log.extend(check_supersedes(tables["casualties"], rules["casualties"]))
    # exceptions name claims and events: checked only once both tables could be read, and
    # their ids too, so that a fault in a table is not echoed as false problems in battle.json
    if (
        battle is not None
        and {"casualties", "events"} <= set(tables)
        and "claim_id" not in rejected["casualties"]
        and "event_id" not in rejected["events"]
    ):
        claim_ids, event_ids = tables["casualties"].values("claim_id"), tables["events"].values("event_id")
        for i, exception in enumerate(battle.accepted_exceptions):
            for claim in exception.claims:
                if claim not in claim_ids and claim not in event_ids:
                    log.add(
                        Problem(
                            battle_label,
                            None,
                            f"accepted_exceptions[{i}]",
                            f"{claim!r} is not a claim_id or event_id",
                        )
                    )
    if battle is not None and "claimants" in tables and "claimant" not in rejected["claimants"]:
        known = tables["claimants"].values("claimant")
        for name in battle.claimant_hierarchy:
            if name not in known:
                log.add(
                    Problem(
                        battle_label,
                        None,
                        "claimant_hierarchy",
                        f"{name!r} is not a claimant of claimants.csv",
                    )
                )
    if battle is not None:
        log.extend(
            _unknown_values(
                battle.language_preference,
                resources.get("sources"),
                "language",
                "language_preference",
                "a language code the sources table allows (ISO 639-1, such as 'en' or 'ar')",
                battle_label,
            )
        )
        log.extend(
            _unknown_values(
                battle.reconciled_measures,
                resources.get("casualties"),
                "measure",
                "reconciled_measures",
                "a measure the ledger allows (the measure column's values in datapackage.json)",
                battle_label,
            )
        )
    return log.sorted()


def _unknown_values(
    names: Sequence[str], resource: dict | None, column: str, key: str, what: str, label: str
) -> Iterator[Problem]:
    """Each of `names`, battle.json's list at `key`, must be a value `column` of a table
    allows (its schema's enum; `what` says what that is): a misspelt preferred language
    would match no copy and leave the choice between copies to the later tie-breakers; a
    misspelt reconciled measure would be reconciled from no claim, all zeros."""
    fields = (resource or {}).get("schema", {}).get("fields", [])
    allowed = next((f.get("constraints", {}).get("enum") for f in fields if f.get("name") == column), None)
    if not allowed:
        return
    for name in names:
        if name not in allowed:
            yield Problem(label, None, key, f"{name!r} is not {what}")
