"""Synthetic battles for benchmarks and scale tests: a true daily toll per side is drawn
with a fixed seed, and claims are made from it (exact, at least, about, up to; daily,
cumulative and side-group figures; revisions; a few deliberately wrong figures so that
conflicts occur). Nothing here is real data."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from analysis.battle import parse_battle
from analysis.load import Dataset, categories, typed_frame
from analysis.paths import DATA

CLAIMANTS = ["Monitor", "Agency", "Army", "Militia", "Encyclopedia"]
SIDES = ["army", "militia", "civilians"]


def _schema():
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: r["schema"] for r in package["resources"] if "schema" in r}


def battle(index: int, days: int = 10):
    start = dt.date(2000, 1, 1) + dt.timedelta(days=40 * index)
    raw = {
        "battle_id": f"synthetic-{index}", "name": f"Synthetic battle {index}", "place": "Nowhere",
        "period_start": start.isoformat(), "period_end": (start + dt.timedelta(days=days - 1)).isoformat(),
        "sides": SIDES, "side_groups": {"all": SIDES, "militia and civilians": ["militia", "civilians"]},
        "other_actors": ["unspecified"], "reconciled_measures": ["killed", "wounded"],
        "areas": {"battle area": {"in_scope": True, "whole": True}, "village": {"in_scope": True, "whole": False}},
        "claimant_hierarchy": CLAIMANTS, "language_preference": ["en", "fr"], "about_band": 0.1,
    }
    parsed, problems = parse_battle(raw)
    assert not problems, problems
    return parsed


def dataset(index: int, claims: int = 100, days: int = 10, seed: int = 2012) -> Dataset:
    """One synthetic battle of about `claims` claims over `days` days."""
    rng = np.random.default_rng(seed + index)
    b = battle(index, days)
    truth = {(m, s): rng.poisson(4 if m == "killed" else 9, size=days) for m in ("killed", "wounded") for s in SIDES}
    schema = _schema()
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
        value = int(sum(truth[(measure, m)][first:last + 1].sum() for m in members))
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
        rows.append({
            "claim_id": f"S{k:04d}", "source_id": f"src{k % 20}", "dossier_ref": "", "report_id": "",
            "claimant": claimant, "claimant_detail": "", "figure_type": "daily" if first == last else "cumulative",
            "period_start": d0.isoformat(), "period_end": d1.isoformat(), "side": side, "measure": measure,
            "value": str(value), "qualifier": qualifier, "place_as_named": "Nowhere",
            "area": "village" if rng.random() < 0.05 else "battle area", "in_scope": "true",
            "scope_reason": "synthetic", "supersedes": "", "note": "synthetic claim",
        })
    for k in range(1, len(rows)):
        if rng.random() < 0.05:
            prev = rows[k - 1]
            if (prev["claimant"], prev["side"], prev["measure"]) == (rows[k]["claimant"], rows[k]["side"], rows[k]["measure"]):
                rows[k]["supersedes"] = prev["claim_id"]
    claimants = pd.DataFrame({"claimant": CLAIMANTS, "claimant_type": "synthetic",
                              "relays_others": ["false"] * 4 + ["true"], "description": "synthetic"})
    sources = pd.DataFrame({"source_id": [f"src{i}" for i in range(20)], "kind": "news article", "publisher": "Paper",
                            "wire_agency": "", "url": "", "language": ["en", "fr"] * 10,
                            "published": [(b.period_end + dt.timedelta(days=i % 3)).isoformat() for i in range(20)],
                            "published_basis": "stated", "accessed": "2026-01-01"})
    events = pd.DataFrame(columns=[f["name"] for f in schema["events"]["fields"]])
    cats = categories(b, CLAIMANTS)
    return Dataset(
        battle=b,
        claims=typed_frame(pd.DataFrame(rows), schema["casualties"], cats),
        events=typed_frame(events, schema["events"], cats),
        sources=typed_frame(sources, schema["sources"], cats),
        claimants=typed_frame(claimants, schema["claimants"], cats),
    )
