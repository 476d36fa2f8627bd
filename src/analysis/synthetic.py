"""Synthetic battles for benchmarks and scale tests. Nothing here is real data.

- `dataset(index)`: a battle of about a hundred claims over ten days. A true daily toll
  per side is drawn with a fixed seed, and claims are made from it (exact, at least,
  about, up to; daily, cumulative and side-group figures; revisions; a few deliberately
  wrong figures so that conflicts occur). `datasets(indexes)` makes many at once, typing
  their tables in one pass per table (as `load` types a data folder).
- `ledger(days)`: one long ledger, a monitor's daily figures per side (mostly exact, some
  "at least" or "about", a few days missing) with its monthly totals per side, and an
  agency's monthly totals for all sides (ranked lower); a few monthly totals are wrong,
  so that conflicts occur. Used to measure how the reconciliation grows with the period.

Every table has the columns of the data package's schema; a column the generator does not
fill is blank, as in a CSV file that leaves it empty.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import package
from analysis.battle import Battle, parse_battle
from analysis.load import Dataset, categories, typed_frame

CLAIMANTS = ["Monitor", "Agency", "Army", "Militia", "Encyclopedia"]
SIDES = ["army", "militia", "civilians"]
TABLES = {"claims": "casualties", "events": "events", "sources": "sources", "claimants": "claimants"}


@functools.cache
def _schema() -> dict:
    return package.schemas()


def battle_json(index: int, days: int = 10, start: dt.date | None = None) -> dict:
    """The battle.json of synthetic battle `index`."""
    start = start or dt.date(2000, 1, 1) + dt.timedelta(days=40 * index)
    return {
        "battle_id": f"synthetic-{index}",
        "name": f"Synthetic battle {index}",
        "place": "Nowhere",
        "period_start": start.isoformat(),
        "period_end": (start + dt.timedelta(days=days - 1)).isoformat(),
        "sides": SIDES,
        "side_groups": {"all": SIDES, "militia and civilians": ["militia", "civilians"]},
        "other_actors": ["unspecified"],
        "reconciled_measures": ["killed", "wounded"],
        "areas": {"battle area": {"in_scope": True, "whole": True}, "village": {"in_scope": True, "whole": False}},
        "claimant_hierarchy": CLAIMANTS,
        "language_preference": ["en", "fr"],
        "about_band": 0.1,
    }


def battle(index: int, days: int = 10, start: dt.date | None = None) -> Battle:
    parsed, problems = parse_battle(battle_json(index, days, start))
    assert parsed is not None, problems
    return parsed


@dataclass
class Raw:
    """One synthetic battle before typing: its tables as text, as read from CSV files."""

    battle: Battle
    tables: dict[str, pd.DataFrame]
    battle_json: dict | None = None

    def write(self, folder: Path) -> Path:
        """Write the battle as a data folder (CSV files, battle.json, datapackage.json)."""
        folder.mkdir(parents=True, exist_ok=True)
        schema = _schema()
        (folder / "datapackage.json").write_bytes(package.for_event(self.battle.battle_id, self.battle.name))
        (folder / "battle.json").write_text(json.dumps(self.battle_json, indent=1), encoding="utf-8")
        for key, resource in TABLES.items():
            frame = _complete(self.tables[key], schema[resource]).fillna("")
            frame.to_csv(folder / f"{resource}.csv", index=False, lineterminator="\n")
        return folder


def _claimants() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claimant": CLAIMANTS,
            "claimant_type": ["monitor", "media", "armed group", "armed group", "encyclopedia"],
            "relays_others": ["false"] * 4 + ["true"],
            "pooled": ["false"] * 5,
            "description": "synthetic",
        }
    )


def _raw(b: Battle, rows, sources: pd.DataFrame, spec: dict | None = None) -> Raw:
    return Raw(
        b, {"claims": pd.DataFrame(rows), "events": pd.DataFrame(), "sources": sources, "claimants": _claimants()}, spec
    )


def raw(index: int, claims: int = 100, days: int = 10, seed: int = 2012) -> Raw:
    """The text tables of synthetic battle `index`."""
    rng = np.random.default_rng(seed + index)
    spec = battle_json(index, days)
    b = battle(index, days)
    truth = {(m, s): rng.poisson(4 if m == "killed" else 9, size=days) for m in ("killed", "wounded") for s in SIDES}
    rows = []
    for k in range(claims):
        measure = "killed" if rng.random() < 0.7 else "wounded"
        claimant = CLAIMANTS[min(int(rng.exponential(1.3)), len(CLAIMANTS) - 1)]
        side = rng.choice(SIDES + ["all", "militia and civilians"], p=[0.25, 0.2, 0.25, 0.2, 0.1])
        members = SIDES if side == "all" else (["militia", "civilians"] if side == "militia and civilians" else [side])
        first = int(rng.integers(0, days))
        last = first if rng.random() < 0.6 else int(rng.integers(first, days))
        if rng.random() < 0.15:
            first = 0
        value = int(sum(truth[(measure, m)][first : last + 1].sum() for m in members))
        qualifier = rng.choice(["exact", "at least", "about", "up to", "more than"], p=[0.4, 0.3, 0.15, 0.1, 0.05])
        if qualifier == "at least":
            value = max(0, value - int(rng.integers(0, 3)))
        elif qualifier == "up to":
            value += int(rng.integers(0, 3))
        elif qualifier == "more than":
            value = max(0, value - 1 - int(rng.integers(0, 3)))
        if rng.random() < 0.03:
            value += int(rng.integers(5, 20))  # a wrong figure: conflicts must be found and settled
        d0 = b.period_start + dt.timedelta(days=first)
        d1 = b.period_start + dt.timedelta(days=last)
        rows.append(
            {
                "claim_id": f"S{k:04d}",
                "source_id": f"src{k % 20}",
                "dossier_ref": "",
                "report_id": "",
                "claimant": claimant,
                "claimant_detail": "",
                "figure_type": "daily" if first == last else "cumulative",
                "period_start": d0.isoformat(),
                "period_end": d1.isoformat(),
                "side": side,
                "measure": measure,
                "value": str(value),
                "qualifier": qualifier,
                "place_as_named": "Nowhere",
                "area": "village" if rng.random() < 0.05 else "battle area",
                "in_scope": "true",
                "scope_reason": "synthetic",
                "supersedes": "",
                "note": "synthetic claim",
            }
        )
    for k in range(1, len(rows)):
        if rng.random() < 0.05:
            prev = rows[k - 1]
            if all(prev[key] == rows[k][key] for key in ("claimant", "side", "measure")):
                rows[k]["supersedes"] = prev["claim_id"]
    sources = pd.DataFrame(
        {
            "source_id": [f"src{i}" for i in range(20)],
            "kind": "news article",
            "publisher": "Paper",
            "wire_agency": "",
            "url": "",
            "language": ["en", "fr"] * 10,
            "published": [(b.period_end + dt.timedelta(days=i % 3)).isoformat() for i in range(20)],
            "published_basis": "stated",
            "accessed": "2026-01-01",
        }
    )
    return _raw(b, rows, sources, spec)


def _complete(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """The frame with exactly the schema's columns, in its order; missing ones blank."""
    names = [f["name"] for f in schema["fields"]]
    return pd.DataFrame(
        {n: frame[n] if n in frame else pd.Series("", index=frame.index, dtype=object) for n in names},
        index=frame.index,
    )


def typed(raws: list[Raw]) -> list[Dataset]:
    """Datasets of text tables, typed as `load` types a data folder: one pass per table
    over the whole batch (the battles share their categories), then split by battle."""
    if not raws:
        return []
    schema = _schema()
    cats = categories(raws[0].battle, CLAIMANTS)
    out: list[dict] = [{} for _ in raws]
    for key, resource in TABLES.items():
        frames = [r.tables[key] for r in raws]
        whole = typed_frame(_complete(pd.concat(frames, ignore_index=True), schema[resource]), schema[resource], cats)
        start = 0
        for i, frame in enumerate(frames):
            out[i][key] = whole.iloc[start : start + len(frame)].reset_index(drop=True)
            start += len(frame)
    return [Dataset(battle=r.battle, **tables) for r, tables in zip(raws, out)]


def datasets(indexes, claims: int = 100, days: int = 10, seed: int = 2012) -> list[Dataset]:
    """Synthetic battles `indexes`, typed together."""
    return typed([raw(i, claims, days, seed) for i in indexes])


def dataset(index: int, claims: int = 100, days: int = 10, seed: int = 2012) -> Dataset:
    """One synthetic battle of about `claims` claims over `days` days."""
    return datasets([index], claims, days, seed)[0]


def ledger_raw(days: int, seed: int = 2012) -> Raw:
    """The text tables of a `days`-long ledger (see the module's description)."""
    rng = np.random.default_rng(seed)
    start = dt.date(2000, 1, 1)
    spec = battle_json(0, days, start)
    b = battle(0, days, start)
    truth = rng.poisson(4, size=(days, len(SIDES)))
    rows: list[dict] = []
    sources: list[dict] = []

    def source(day: dt.date, kind: str) -> str:
        sid = f"{kind}-{day.isoformat()}"
        sources.append(
            {
                "source_id": sid,
                "kind": "news article",
                "publisher": kind.title(),
                "url": "",
                "language": "en",
                "published": day.isoformat(),
                "published_basis": "stated",
                "accessed": "2026-01-01",
            }
        )
        return sid

    def claim(sid: str, claimant: str, first: int, last: int, side: str, value: int, qualifier: str) -> None:
        rows.append(
            {
                "claim_id": f"L{len(rows):06d}",
                "source_id": sid,
                "claimant": claimant,
                "figure_type": "daily" if first == last else "cumulative",
                "period_start": (start + dt.timedelta(days=first)).isoformat(),
                "period_end": (start + dt.timedelta(days=last)).isoformat(),
                "side": side,
                "measure": "killed",
                "value": str(value),
                "qualifier": qualifier,
                "place_as_named": "Nowhere",
                "area": "battle area",
                "in_scope": "true",
                "scope_reason": "synthetic",
                "note": "synthetic claim",
            }
        )

    month_start = 0
    for d in range(days):
        day = start + dt.timedelta(days=d)
        sid = source(day + dt.timedelta(days=1), "bulletin")  # published the next day: a closing count
        for s, side in enumerate(SIDES):
            if rng.random() < 0.05:
                continue  # no figure for this side today
            value, qualifier = int(truth[d, s]), rng.choice(["exact", "at least", "about"], p=[0.75, 0.15, 0.1])
            if qualifier == "at least":
                value = max(0, value - int(rng.integers(0, 3)))
            claim(sid, "Monitor", d, d, side, value, str(qualifier))
        last_of_month = (day + dt.timedelta(days=1)).month != day.month or d == days - 1
        if last_of_month:
            sid = source(day + dt.timedelta(days=1), "monthly")
            for s, side in enumerate(SIDES):
                value = int(truth[month_start : d + 1, s].sum())
                if rng.random() < 0.05:  # a wrong figure, below the days' own: a conflict to settle
                    value = max(0, value - int(rng.integers(10, 30)))
                claim(sid, "Monitor", month_start, d, side, value, "exact" if rng.random() < 0.8 else "about")
            sid = source(day + dt.timedelta(days=2), "agency")
            total = int(truth[month_start : d + 1].sum())
            if rng.random() < 0.5:
                claim(sid, "Agency", month_start, d, "all", total, "exact")
            else:
                claim(sid, "Agency", month_start, d, "all", max(0, total - int(rng.integers(0, 10))), "at least")
            month_start = d + 1
    return _raw(b, rows, pd.DataFrame(sources), spec)


def ledger(days: int, seed: int = 2012) -> Dataset:
    """A `days`-long ledger of daily figures per side with monthly totals."""
    return typed([ledger_raw(days, seed)])[0]


def bulk_raw(rows: int, days: int = 1000, seed: int = 2012) -> Raw:
    """A valid ledger of `rows` daily figures spread evenly over `days` days (a bulletin a
    day, each side in turn), for timing the validator on a large file."""
    rng = np.random.default_rng(seed)
    start = dt.date(2000, 1, 1)
    spec = battle_json(0, days, start)
    dates = [(start + dt.timedelta(days=d)).isoformat() for d in range(days)]
    published = [(start + dt.timedelta(days=d + 1)).isoformat() for d in range(days)]
    day = np.arange(rows) * days // rows
    claims = pd.DataFrame(
        {
            "claim_id": [f"B{k:07d}" for k in range(rows)],
            "source_id": [f"bulletin-{dates[d]}" for d in day],
            "claimant": "Monitor",
            "figure_type": "daily",
            "period_start": [dates[d] for d in day],
            "period_end": [dates[d] for d in day],
            "side": [SIDES[k % len(SIDES)] for k in range(rows)],
            "measure": "killed",
            "value": rng.poisson(4, size=rows).astype(str),
            "qualifier": "exact",
            "place_as_named": "Nowhere",
            "area": "battle area",
            "in_scope": "true",
            "scope_reason": "synthetic",
            "note": "synthetic claim",
        }
    )
    sources = pd.DataFrame(
        {
            "source_id": [f"bulletin-{d}" for d in dates],
            "kind": "news article",
            "publisher": "Bulletin",
            "url": "",
            "language": "en",
            "published": published,
            "published_basis": "stated",
            "accessed": "2026-01-01",
        }
    )
    return _raw(battle(0, days, start), claims, sources, spec)
