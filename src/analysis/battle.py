"""The battle a data folder describes, read from its `battle.json`.

A battle is data, not code: its period, sides, side groups, sub-groups, coded areas,
claimant hierarchy and language preference all come from the file, so a second battle is
a second folder.

Groups form a tree. The counted `sides` are disjoint. A side may declare `subgroups`
(children and women inside civilians): they are disjoint parts of it, and what they leave
is an implicit remainder named `other <side>` (other civilians). The unknowns of the
reconciliation are the *leaves*: each side without sub-groups, and each sub-group and
remainder of a side that has them. `side_groups` join sides (or other groups) into larger
groups ("all"). A claim about any of these names covers the leaves under it.
`parse_battle` returns the problems it finds rather than raising, so that
the validator can report them beside the table problems.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analysis.words import nearest

DERIVED_FROM = "other figures (for other sides, a group or its parts, or other days)"
"""What a derived total (`UNSTATED_TOTAL`) follows from, in every table, check and sentence
that explains the word."""
UNSTATED_TOTAL = "no accepted claim gives it as a total for the whole area"
"""What makes a total derived, in every table, figure, check and sentence that says it: no
accepted claim about the side (or a sub-group of it) gives the number for the whole area
counted from the event's first day (a running total, or one for the whole period); one
day's figure of a longer event gives its day only, one place's figure that place only."""
UNSTATED_TOTALS = "no accepted claim gives them as totals for the whole area"
"""`UNSTATED_TOTAL`, said of several totals."""

MAX_PERIOD_DAYS = 36_525
"""The longest period an event may have: a century of days (each day is a row of every
daily table, so a mistyped year such as 0001 would otherwise run for hours)."""

REQUIRED_KEYS: dict[str, type | tuple[type, ...]] = {
    "battle_id": str,
    "name": str,
    "place": str,
    "period_start": str,
    "period_end": str,
    "sides": list,
    "side_groups": dict,
    "other_actors": list,
    "reconciled_measures": list,
    "areas": dict,
    "claimant_hierarchy": list,
    "language_preference": list,
    "about_band": (int, float),
}
OPTIONAL_KEYS = ("accepted_exceptions", "subgroups")
# the keys of the objects inside battle.json that have a fixed set of keys
AREA_KEYS = ("in_scope", "whole", "description")
EXCEPTION_KEYS = ("check", "claims", "reason")
# the named consistency checks of `analysis.checks` (a test holds the two lists to them):
# those with a failing verdict, which an accepted exception may name, and those that only
# inform, which have nothing to accept
CHECK_NAMES = (
    "parts_vs_whole",
    "daily_vs_cumulative",
    "cumulative_decreasing",
    "copies_disagree",
    "paired_dates",
    "event_dates",
    "untraced",
    "unranked_claimants",
)
INFORMATION_CHECKS = ("derived_figures",)


def headline(measures) -> str:
    """Of some reconciled measures (in their order), the one an event's story leads with:
    killed where it is among them, else the first."""
    measures = list(measures)
    return "killed" if "killed" in measures else measures[0]


@dataclass(frozen=True)
class Area:
    """A coded area: whether its figures are the battle's (`in_scope`) and whether they
    cover the whole battle area (`whole`; a part's figures only bound the whole from below)."""

    in_scope: bool
    whole: bool
    description: str = ""


@dataclass(frozen=True)
class AcceptedException:
    """A finding of `check` whose claims include all of `claims`, accepted for `reason`."""

    check: str
    claims: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Battle:
    """One battle's definition. Dates are `datetime.date`."""

    battle_id: str
    name: str
    place: str
    period_start: dt.date
    period_end: dt.date
    sides: tuple[str, ...]
    side_groups: dict[str, tuple[str, ...]]
    other_actors: tuple[str, ...]
    reconciled_measures: tuple[str, ...]
    areas: dict[str, Area]
    claimant_hierarchy: tuple[str, ...]
    language_preference: tuple[str, ...]
    about_band: float
    accepted_exceptions: tuple[AcceptedException, ...] = ()
    subgroups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def headline_measure(self) -> str:
        """The measure the story, the tables shown first and the figures lead with: killed
        where the event reconciles it, else its first reconciled measure."""
        return headline(self.reconciled_measures)

    @property
    def days(self) -> list[dt.date]:
        n = (self.period_end - self.period_start).days + 1
        return [self.period_start + dt.timedelta(days=i) for i in range(n)]

    def remainder(self, side: str) -> str:
        """The implicit part of a side that its sub-groups leave ("other civilians")."""
        return f"other {side}"

    def side_leaves(self, side: str) -> tuple[str, ...]:
        subs = self.subgroups.get(side)
        return (*subs, self.remainder(side)) if subs else (side,)

    @property
    def leaves(self) -> tuple[str, ...]:
        """The disjoint cells of one day, in order: sides, or their sub-groups and remainder."""
        return tuple(leaf for side in self.sides for leaf in self.side_leaves(side))

    def members(self, name: str) -> tuple[str, ...] | None:
        """The leaves a counted name (side, sub-group, remainder or group) stands for, in
        leaf order; None for other actors and unknown names."""
        if name in self.sides:
            return self.side_leaves(name)
        if name in self.leaves:
            return (name,)
        if name in self.side_groups:
            found: set[str] = set()
            for member in self.side_groups[name]:
                found.update(self.members(member) or ())
            return tuple(leaf for leaf in self.leaves if leaf in found)
        return None

    def nested(self, a: str, b: str) -> bool:
        """Whether one name's leaves lie within the other's (a group and its part, or one
        name twice): a number given to both is a refinement, never a swap between them."""
        return leaves_nested(self.members(a) or (a,), self.members(b) or (b,))

    def part_of(self, part: str, group: str) -> bool:
        """Whether `part`'s leaves are some but not all of `group`'s (a name that stands for
        the same leaves as another is not part of it)."""
        return set(self.members(part) or (part,)) < set(self.members(group) or (group,))

    def swapped(self, a: Iterable[str], b: Iterable[str]) -> bool:
        """Whether two copies of one figure swap a number: `a` and `b` name the sides each
        copy gives it to (see `swapped_pairs`)."""
        return bool(swapped_pairs(*({s: self.members(s) or (s,) for s in sides} for sides in (a, b))))

    @property
    def counted_names(self) -> tuple[str, ...]:
        """Every name figures are reconciled for: sides, their sub-groups and remainders,
        then side groups."""
        names: list[str] = []
        for side in self.sides:
            names.append(side)
            if side in self.subgroups:
                names += self.side_leaves(side)
        return (*names, *self.side_groups)

    @property
    def total_group(self) -> str | None:
        """The side group that covers every leaf (whatever it is called), if there is one."""
        return next((g for g in self.side_groups if set(self.members(g) or ()) == set(self.leaves)), None)

    @property
    def sides_and_total(self) -> list[str]:
        """The sides, then the total group (if the battle has one)."""
        total = self.total_group
        return [*self.sides, *([total] if total else [])]

    def claimant_order(self, names) -> list[str]:
        """`names` (claimants), those of the claimant hierarchy first in its order, then the
        rest alphabetically."""
        present = set(names)
        ranked = [n for n in self.claimant_hierarchy if n in present]
        return ranked + sorted(present - set(ranked))

    def language_rank(self, language: str) -> int:
        """A language's place in the language preference (after all of them if absent)."""
        prefs = self.language_preference
        return prefs.index(language) if language in prefs else len(prefs)

    def parent(self, name: str) -> str | None:
        """The side a sub-group or remainder belongs to; None for anything else."""
        return next((side for side in self.subgroups if name in self.side_leaves(side)), None)

    @property
    def known_sides(self) -> set[str]:
        return set(self.counted_names) | set(self.other_actors)

    def in_scope_area(self, area: str) -> bool:
        return area in self.areas and self.areas[area].in_scope

    def whole_area(self, area: str) -> bool:
        return area in self.areas and self.areas[area].whole


def leaves_nested(a: Collection[str], b: Collection[str]) -> bool:
    """Whether one set of leaves lies within the other."""
    sa, sb = set(a), set(b)
    return sa <= sb or sb <= sa


def swapped_pairs(a: Mapping[str, Collection[str]], b: Mapping[str, Collection[str]]) -> list[tuple[str, str]]:
    """Where two copies of one figure swap a number between sides. `a` and `b` map each side
    a copy gives the number to onto that side's leaves. A swap is a pair (x, y): a side x
    only the first copy gives it to and a side y only the second does, neither's leaves
    within the other's (a group in one copy and its part in the other is a refinement, not
    a swap)."""
    return [(x, y) for x in a if x not in b for y in b if y not in a and not leaves_nested(a[x], b[y])]


def _date(value, key, problems):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append((key, f"{value!r} is not a date (YYYY-MM-DD)"))
        return None


def _check_names(value, key: str) -> list[tuple[str, str]]:
    """A list of distinct, non-blank names without stray spaces."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() == v and v for v in value):
        return [(key, "must be a list of non-blank names without leading or trailing spaces")]
    twice = sorted({v for v in value if value.count(v) > 1})
    return [(key, f"{v!r} is listed more than once") for v in twice]


def _check_groups(raw: dict) -> list[tuple[str, str]]:
    """Sides, sub-groups and side groups: well typed, every name used once, members known,
    no group inside itself."""
    problems = _check_names(raw["sides"], "sides")
    if problems or not raw["sides"]:
        return problems or [("sides", "must be a non-empty list of names")]
    sides = raw["sides"]
    subgroups = raw.get("subgroups", {})
    if not isinstance(subgroups, dict):
        return [("subgroups", "must map a side to the list of its sub-groups")]
    used = set(sides)
    for side, subs in subgroups.items():
        key = f"subgroups.{side}"
        if side not in sides:
            problems.append((key, f"{side!r} is not a side named in 'sides'"))
            continue
        found = _check_names(subs, key)
        if found or not subs:
            problems += found or [(key, "must list at least one sub-group")]
            continue
        for name in [*subs, f"other {side}"]:
            if name in used:
                problems.append((key, f"{name!r} is already the name of a side or sub-group"))
            used.add(name)
    groups = raw["side_groups"]
    for group, members in groups.items():
        key = f"side_groups.{group}"
        if group in used or group in raw["other_actors"]:
            problems.append((key, f"{group!r} is already the name of a side, sub-group or other actor"))
        elif _check_names(members, key) or not members:
            problems.append((key, "must be a non-empty list of distinct names"))
        elif not set(members) <= used | set(groups):
            unknown = sorted(set(members) - used - set(groups))
            problems.append((key, f"names no side, sub-group or side group: {', '.join(map(repr, unknown))}"))
        elif _cycle(group, groups):
            problems.append((key, "contains itself through its member groups"))
    others = raw["other_actors"] if isinstance(raw["other_actors"], list) else []
    for actor in sorted({a for a in others if isinstance(a, str) and a in used}):
        problems.append(
            ("other_actors", f"{actor!r} is already the name of a side or sub-group: actors are never counted")
        )
    return problems


def _unknown_keys(obj: dict, known: Collection[str], where: str, what: str) -> tuple[list[tuple[str, str]], set[str]]:
    """Each key of `obj` that is not one of `known`, with the known key it is most likely a
    misspelling of, if any; and the set of those known keys that `obj` lacks (a renamed
    key: that it is missing is not a problem of its own). `where` prefixes the key, `what`
    names the object in the message."""
    problems: list[tuple[str, str]] = []
    renamed: set[str] = set()
    for key in obj:
        if key in known:
            continue
        absent = [k for k in known if k not in obj]
        close = nearest(str(key), absent) or nearest(str(key), known)
        if close:
            problems.append((f"{where}{key}", f"unknown key {key!r}: did you mean {close!r}?"))
            if close not in obj:
                renamed.add(close)
        else:
            problems.append((f"{where}{key}", f"unknown key {key!r}: {what} holds only {', '.join(known)}"))
    return problems, renamed


def _cycle(start: str, groups: dict) -> bool:
    stack, seen = list(groups[start]), set()
    while stack:
        name = stack.pop()
        if name == start:
            return True
        if name in groups and name not in seen:
            seen.add(name)
            stack += list(groups[name]) if isinstance(groups[name], list) else []
    return False


CONTROL = re.compile("[\x00-\x1f\x7f]")


def _controls(value: object, at: str = "") -> list[str]:
    """The key path of every name or text in `value` (keys included) holding a control
    character, as the tables refuse them: a name with one matches no claim's."""
    if isinstance(value, str):
        return [at or "(top level)"] if CONTROL.search(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            here = f"{at}.{key}" if at else str(key)
            found += [here] if CONTROL.search(str(key)) else _controls(item, here)
        return found
    if isinstance(value, list):
        return [k for i, item in enumerate(value) for k in _controls(item, f"{at}[{i}]")]
    return []


def parse_battle(raw: dict) -> tuple[Battle | None, list[tuple[str, str]]]:
    """Build a Battle from parsed JSON. Returns (battle or None, [(key, message)]). A key
    that is not one of the known keys is a problem (with the known key it is likely a
    misspelling of), at the top level and in the areas and accepted exceptions."""
    if not isinstance(raw, dict):
        return None, [("(top level)", "must be a JSON object")]
    # an unknown key first: a misspelt key is the cause of the 'missing' it would bring
    problems, renamed = _unknown_keys(raw, [*REQUIRED_KEYS, *OPTIONAL_KEYS], "", "battle.json")
    problems += [
        (key, "holds a control character (a tab, line break or other invisible one)") for key in _controls(raw)
    ]
    for key, kind in REQUIRED_KEYS.items():
        if key not in raw:
            if key not in renamed:
                problems.append((key, "missing"))
        elif not isinstance(raw[key], kind) or isinstance(raw[key], bool):
            given = json.dumps(raw[key], ensure_ascii=False)
            shown = given if len(given) <= 40 else given[:37] + "..."
            problems.append((key, f"must be of type {getattr(kind, '__name__', 'number')}, not {shown}"))
    if problems:
        return None, problems
    start = _date(raw["period_start"], "period_start", problems)
    end = _date(raw["period_end"], "period_end", problems)
    if start and end and end < start:
        problems.append(("period_end", f"{end} is before period_start {start}"))
    elif start and end and (end - start).days + 1 > MAX_PERIOD_DAYS:
        problems.append(
            (
                "period_start",
                f"the period from {start} to {end} is {(end - start).days + 1:,} days long: the tool reconciles "
                f"an event of up to {MAX_PERIOD_DAYS:,} days (100 years), a day per row",
            )
        )
    problems += _check_groups(raw)
    for key in ("other_actors", "reconciled_measures", "claimant_hierarchy", "language_preference"):
        problems += _check_names(raw[key], key)
    if not raw["reconciled_measures"]:
        problems.append(("reconciled_measures", "must name at least one measure (killed, wounded...)"))
    if not isinstance(raw["battle_id"], str) or not raw["battle_id"].strip():
        problems.append(("battle_id", "must be a non-empty name"))
    for area, spec in raw["areas"].items():
        if not isinstance(spec, dict):
            problems.append((f"areas.{area}", "needs boolean 'in_scope' and 'whole'"))
            continue
        unknown, renamed = _unknown_keys(spec, AREA_KEYS, f"areas.{area}.", "an area")
        problems += unknown
        bad = {key for key in ("in_scope", "whole") if not isinstance(spec.get(key), bool)}
        if bad - renamed:
            problems.append((f"areas.{area}", "needs boolean 'in_scope' and 'whole'"))
    if not 0 <= raw["about_band"] < 1:
        problems.append(("about_band", "must be a fraction from 0 to below 1"))
    exceptions = raw.get("accepted_exceptions", [])
    if not isinstance(exceptions, list):
        problems.append(("accepted_exceptions", "must be a list"))
        exceptions = []
    for i, exc in enumerate(exceptions):
        where = f"accepted_exceptions[{i}]"
        if not isinstance(exc, dict):
            problems.append((where, "needs 'check', a non-empty 'claims' list and a 'reason'"))
            continue
        unknown, renamed = _unknown_keys(exc, EXCEPTION_KEYS, f"{where}.", "an accepted exception")
        problems += unknown
        bad = {
            key
            for key, good in (
                ("check", isinstance(exc.get("check"), str)),
                ("claims", isinstance(exc.get("claims"), list) and bool(exc.get("claims"))),
                ("reason", isinstance(exc.get("reason"), str) and bool(exc["reason"].strip())),
            )
            if not good
        }
        if bad - renamed:
            problems.append((where, "needs 'check', a non-empty 'claims' list and a 'reason'"))
        elif "check" not in bad and exc["check"] in INFORMATION_CHECKS:
            message = f"{exc['check']!r} only informs (no failing verdict): nothing to accept"
            problems.append((f"{where}.check", message))
        elif "check" not in bad and exc["check"] not in CHECK_NAMES:
            near = nearest(exc["check"], CHECK_NAMES)
            hint = f"did you mean {near!r}?" if near else f"the checks are {', '.join(CHECK_NAMES)}"
            problems.append((f"{where}.check", f"{exc['check']!r} is not a check: {hint}"))
    if problems:
        return None, problems
    battle = Battle(
        battle_id=raw["battle_id"],
        name=raw["name"],
        place=raw["place"],
        period_start=start,
        period_end=end,
        sides=tuple(raw["sides"]),
        side_groups={k: tuple(v) for k, v in raw["side_groups"].items()},
        other_actors=tuple(raw["other_actors"]),
        reconciled_measures=tuple(raw["reconciled_measures"]),
        areas={
            name: Area(spec["in_scope"], spec["whole"], str(spec.get("description", "")))
            for name, spec in raw["areas"].items()
        },
        claimant_hierarchy=tuple(raw["claimant_hierarchy"]),
        language_preference=tuple(raw["language_preference"]),
        about_band=float(raw["about_band"]),
        accepted_exceptions=tuple(
            AcceptedException(exc["check"], tuple(exc["claims"]), exc["reason"]) for exc in exceptions
        ),
        subgroups={k: tuple(v) for k, v in raw.get("subgroups", {}).items()},
    )
    return battle, []


def read_battle(path: Path) -> Battle:
    """Read and parse a battle.json; raise ValueError naming the file and key on a problem."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from None
    battle, problems = parse_battle(raw)
    if battle is None:
        raise ValueError("; ".join(f"{path}: key {k}: {m}" for k, m in problems))
    return battle
