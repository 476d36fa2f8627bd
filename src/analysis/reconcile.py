"""Reconcile conflicting claims into low / best / high figures per day and side (and side
group), running totals of each side to each day, and battle totals, each with the claims
it rests on and the rule that produced it.

Method: the claims a rule accepts become linear constraints on the unknown deaths (or
wounded) of each day and side (see `model`). Low and high are the least and greatest
values every accepted claim allows; high is open (None) where no claim caps it. Best is
one allocation inside: every figure at face value where the others allow it, no more
deaths than the claims require, the rest spread as evenly as they allow (`conservative`:
the low). When the accepted claims cannot all hold, the smallest set in
conflict is found, the claim that the rule says gives way is dropped, and both are reported.

A battle total is "derived" when its low is above zero yet none of the claims that bind the
low is about that side: it follows from figures about other sides (al-Haffah's 23 rebels
is 120 - 68 - 29).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.model import Constraint, Model
from analysis.rules import DEFAULT_RULE, RULES, Rule, enrich


@dataclass
class Reconciliation:
    """The outcome of one rule on one battle."""

    rule: Rule
    daily: pd.DataFrame
    cumulative: pd.DataFrame
    totals: pd.DataFrame
    conflicts: pd.DataFrame
    set_aside: pd.DataFrame


def _fmt(ids) -> str:
    return ";".join(sorted(set(ids)))


def _constraints(claims: list[dict], battle, envelope: bool) -> tuple[list[Constraint], dict]:
    """Constraints over cells (day index * n_sides + side index) and each one's give-way key."""
    n_days = len(battle.days)
    sides = {s: i for i, s in enumerate(battle.sides)}
    merged: dict[tuple, list] = {}
    for row in claims:
        span = range(max(row["first_day"], 0), min(row["last_day"], n_days - 1) + 1)
        cells = tuple(sorted(d * len(sides) + sides[m] for d in span for m in row["members"]))
        key = (cells,) if envelope else (cells, row["low"], row["high"])
        merged.setdefault(key, []).append((row["low"], row["high"], row["claim_id"], row["give_way"]))
    constraints, give_way = [], {}
    for key, items in merged.items():
        low = min(i[0] for i in items)
        high = None if any(i[1] is None for i in items) else max(i[1] for i in items)
        con = Constraint(key[0], low, high, tuple(sorted(i[2] for i in items)))
        constraints.append(con)
        give_way[con] = min(i[3] for i in items)
    return constraints, give_way


def _resolve(n_cells, constraints, give_way):
    """Drop the claim that gives way from each smallest conflicting set until all hold."""
    conflicts = []
    model = Model(n_cells, constraints)
    while not model.feasible():
        conflict = model.conflict_set()
        if not conflict:
            raise RuntimeError("the solver reports the claims cannot all hold but finds no conflicting set")
        drop = max(conflict, key=lambda c: give_way[c])
        conflicts.append({"claims_in_conflict": _fmt(i for c in conflict for i in c.claim_ids),
                          "dropped": _fmt(drop.claim_ids)})
        constraints = [c for c in constraints if c is not drop]
        model = Model(n_cells, constraints)
    return model, conflicts


def reconcile(dataset, rule: str = DEFAULT_RULE) -> Reconciliation:
    """Apply `rule` to the dataset; return daily and total low / best / high figures."""
    battle = dataset.battle
    chosen = RULES[rule]
    claims = enrich(dataset)
    for row in claims:
        row["give_way"] = chosen.give_way(row)
    accepted, aside = chosen.select(claims)
    n_sides = len(battle.sides)
    groups = {s: (s,) for s in battle.sides} | dict(battle.side_groups)
    daily_rows, cumulative_rows, total_rows, conflict_rows = [], [], [], []
    for measure in battle.reconciled_measures:
        mine = [r for r in accepted if r["measure"] == measure]
        constraints, give_way = _constraints(mine, battle, chosen.envelope)
        model, conflicts = _resolve(len(battle.days) * n_sides, constraints, give_way)
        conflict_rows += [{"measure": measure, **c} for c in conflicts]
        best = model.best()
        for side, members in groups.items():
            idx = [battle.sides.index(m) for m in members]
            for d, day in enumerate(battle.days):
                cells = tuple(d * n_sides + i for i in idx)
                row = _row(model, cells, best, chosen, {"date": pd.Timestamp(day), "measure": measure, "side": side})
                del row["low_claims"]
                daily_rows.append(row)
                if side in battle.sides:
                    upto = tuple(k * n_sides + i for k in range(d + 1) for i in idx)
                    row = _row(model, upto, best, chosen, {"date": pd.Timestamp(day), "measure": measure, "side": side})
                    del row["low_claims"]
                    cumulative_rows.append(row)
            cells = tuple(d * n_sides + i for d in range(len(battle.days)) for i in idx)
            row = _row(model, cells, best, chosen, {"measure": measure, "side": side})
            own = {r["claim_id"] for r in mine if r["side"] == side}
            binding = set(row.pop("low_claims"))
            row["derived"] = row["low"] > 0 and not own & binding
            total_rows.append(row)
    daily = pd.DataFrame(daily_rows)
    cumulative = pd.DataFrame(cumulative_rows)
    totals = pd.DataFrame(total_rows)
    for frame in (daily, cumulative, totals):
        if not frame.empty:
            frame["high"] = frame["high"].astype("Int64")
            frame.insert(0, "rule", rule)
    return Reconciliation(
        rule=chosen,
        daily=daily,
        cumulative=cumulative,
        totals=totals,
        conflicts=pd.DataFrame(conflict_rows, columns=["measure", "claims_in_conflict", "dropped"]),
        set_aside=pd.DataFrame(sorted(aside), columns=["claim_id", "reason"]),
    )


def _row(model: Model, cells, best, rule: Rule, head: dict) -> dict:
    bound, value = model.figure(cells, best)
    value = float(bound.low) if rule.best == "low" else round(value, 1)
    return {**head, "low": bound.low, "best": value, "high": bound.high,
            "claims": _fmt(bound.low_claims + bound.high_claims), "low_claims": bound.low_claims}


def figure_text(low, best, high) -> str:
    """A reconciled figure as text: best [low–high], high 'open' where nothing caps it."""
    return f"{best:g} [{low}–{'open' if pd.isna(high) else int(high)}]"


def sensitivity(dataset, rules=None) -> pd.DataFrame:
    """Battle totals per measure and side under every rule, side by side."""
    frames = [reconcile(dataset, r).totals for r in (rules or RULES)]
    t = pd.concat(frames, ignore_index=True)
    t["figure"] = [figure_text(lo, b, hi) for lo, b, hi in zip(t["low"], t["best"], t["high"])]
    wide = t.pivot(index=["measure", "side"], columns="rule", values="figure")
    return wide[[r for r in (rules or RULES) if r in wide.columns]].reset_index()
