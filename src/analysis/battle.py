"""The battle a data folder describes, read from its `battle.json`.

A battle is data, not code: its period, sides, side groups, coded areas, claimant
hierarchy and language preference all come from the file, so a second battle is a
second folder. `parse_battle` returns the problems it finds rather than raising, so that
the validator can report them beside the table problems.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

REQUIRED_KEYS = {
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
    areas: dict[str, dict]
    claimant_hierarchy: tuple[str, ...]
    language_preference: tuple[str, ...]
    about_band: float
    accepted_exceptions: tuple[dict, ...] = ()

    @property
    def days(self) -> list[dt.date]:
        n = (self.period_end - self.period_start).days + 1
        return [self.period_start + dt.timedelta(days=i) for i in range(n)]

    def members(self, side: str) -> tuple[str, ...] | None:
        """The counted sides a side or side group stands for; None for other actors."""
        if side in self.sides:
            return (side,)
        return self.side_groups.get(side)

    @property
    def known_sides(self) -> set[str]:
        return set(self.sides) | set(self.side_groups) | set(self.other_actors)

    def in_scope_area(self, area: str) -> bool:
        return bool(self.areas.get(area, {}).get("in_scope"))

    def whole_area(self, area: str) -> bool:
        return bool(self.areas.get(area, {}).get("whole"))


def _date(value, key, problems):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append((key, f"{value!r} is not a date (YYYY-MM-DD)"))
        return None


def parse_battle(raw: dict) -> tuple[Battle | None, list[tuple[str, str]]]:
    """Build a Battle from parsed JSON. Returns (battle or None, [(key, message)])."""
    problems: list[tuple[str, str]] = []
    if not isinstance(raw, dict):
        return None, [("(top level)", "must be a JSON object")]
    for key, kind in REQUIRED_KEYS.items():
        if key not in raw:
            problems.append((key, "missing"))
        elif not isinstance(raw[key], kind) or isinstance(raw[key], bool):
            problems.append((key, f"must be of type {getattr(kind, '__name__', 'number')}"))
    if problems:
        return None, problems
    start = _date(raw["period_start"], "period_start", problems)
    end = _date(raw["period_end"], "period_end", problems)
    if start and end and end < start:
        problems.append(("period_end", f"{end} is before period_start {start}"))
    sides = raw["sides"]
    if not sides or not all(isinstance(s, str) and s for s in sides):
        problems.append(("sides", "must be a non-empty list of names"))
    for group, members in raw["side_groups"].items():
        if not isinstance(members, list) or not set(members) <= set(sides) or not members:
            problems.append((f"side_groups.{group}", "must list sides named in 'sides'"))
    for area, spec in raw["areas"].items():
        if not isinstance(spec, dict) or not isinstance(spec.get("in_scope"), bool) or not isinstance(spec.get("whole"), bool):
            problems.append((f"areas.{area}", "needs boolean 'in_scope' and 'whole'"))
    if not 0 <= raw["about_band"] < 1:
        problems.append(("about_band", "must be a fraction from 0 to below 1"))
    for i, exc in enumerate(raw.get("accepted_exceptions", [])):
        if not (isinstance(exc, dict) and isinstance(exc.get("check"), str) and isinstance(exc.get("reason"), str)
                and exc["reason"].strip() and isinstance(exc.get("claims"), list) and exc["claims"]):
            problems.append((f"accepted_exceptions[{i}]", "needs 'check', a non-empty 'claims' list and a 'reason'"))
    if problems:
        return None, problems
    battle = Battle(
        battle_id=raw["battle_id"],
        name=raw["name"],
        place=raw["place"],
        period_start=start,
        period_end=end,
        sides=tuple(sides),
        side_groups={k: tuple(v) for k, v in raw["side_groups"].items()},
        other_actors=tuple(raw["other_actors"]),
        reconciled_measures=tuple(raw["reconciled_measures"]),
        areas=raw["areas"],
        claimant_hierarchy=tuple(raw["claimant_hierarchy"]),
        language_preference=tuple(raw["language_preference"]),
        about_band=float(raw["about_band"]),
        accepted_exceptions=tuple(raw.get("accepted_exceptions", [])),
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
