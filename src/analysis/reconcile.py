"""Reconcile conflicting claims into low / best / high figures per day and counted name
(side, sub-group or group), running totals to each day, and battle totals, each with the
claims it rests on, how many independent reports stand behind it, and the rule that
produced it.

Method: the readings a rule accepts (`analysis.evidence`, `analysis.rules`) become linear
constraints on the unknown deaths (or wounded) of each day and leaf (see `model`). Low
and high are the least and greatest values every accepted reading allows; high is open
(None) where no reading caps it. Best is what the accepted readings say at face value:
the least the stated figures require of that day and name (`conservative`: the low). A
side that no accepted reading names gets only its low: deaths a group figure requires
beyond what its named sides take stay with the group, unplaced by side.
Deaths the readings require but do not place on a day are **unplaced**: a total's
`unplaced` is its best minus the sum of its daily bests, never spread over the days.
When the accepted readings cannot all hold, a minimal set in conflict is found, the
reading the rule says gives way is dropped, and both are reported with the reason.

A battle total is `derived` when its best is above zero and no accepted reading about
that name states that number: it follows from figures about other names (al-Haffah's
23 rebels is 120 - 68 - 29). `reports` counts the distinct reports behind a figure
(copies of one report count once); `single_source` marks a figure resting on one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.evidence import Claim, Evidence, SetAside, gather
from analysis.model import Constraint, FaceValue, Model
from analysis.rules import DEFAULT_RULE, RULES, Rule, why

CONFLICT_COLUMNS = ["measure", "claims_in_conflict", "dropped", "reason"]


@dataclass
class Reconciliation:
    """The outcome of one rule on one battle."""

    rule: Rule
    daily: pd.DataFrame
    cumulative: pd.DataFrame
    totals: pd.DataFrame
    conflicts: pd.DataFrame
    set_aside: pd.DataFrame
    evidence: Evidence
    accepted: tuple[Claim, ...]


def join_ids(ids) -> str:
    """Claim IDs as one sorted, ';'-separated cell."""
    return ";".join(sorted(set(ids)))


@dataclass(frozen=True)
class Grid:
    """Cells of a battle's model: one per day and leaf, day-major."""

    days: int
    leaves: tuple[str, ...]

    def cells(self, members, first: int, last: int) -> tuple[int, ...]:
        first, last = max(first, 0), min(last, self.days - 1)
        index = {leaf: i for i, leaf in enumerate(self.leaves)}
        return tuple(sorted(d * len(self.leaves) + index[m] for d in range(first, last + 1) for m in members))


def constraints(claims: list[Claim], grid: Grid, envelope: bool) -> tuple[list[Constraint], dict[Constraint, list[Claim]]]:
    """One constraint per set of cells and range (envelope: per set of cells, the band from
    the lowest to the highest face value), with the readings behind each."""
    merged: dict[tuple, list[Claim]] = {}
    for c in claims:
        cells = grid.cells(c.members, c.first_day, c.last_day)
        key: tuple = (cells,) if envelope else (cells, c.low, c.high)
        merged.setdefault(key, []).append(c)
    out: dict[Constraint, list[Claim]] = {}
    for key, items in merged.items():
        if envelope:
            low, high = min(c.face for c in items), max(c.face for c in items)
        else:
            low, high = items[0].low, items[0].high
        out[Constraint(key[0], low, high, tuple(sorted(i for c in items for i in c.ids)))] = items
    return list(out), out


def _give_way(rule: Rule, conflict: list[Constraint], behind: dict[Constraint, list[Claim]], n_cells: int
              ) -> tuple[Constraint, str]:
    """The constraint that gives way in a conflict, and why."""
    def key(c: Constraint) -> tuple:
        return max(rule.give_way(x) for x in behind[c])

    if rule.by_removal:
        everything = tuple(range(n_cells))
        totals = {c: Model(n_cells, [o for o in conflict if o is not c]).bounds(everything).low for c in conflict}
        lowest = min(totals.values())
        drop = max((c for c in conflict if totals[c] == lowest), key=key)
        return drop, f"its removal gives the lowest total ({totals[drop]}) of the readings in conflict"
    drop = max(conflict, key=key)
    loser = max(behind[drop], key=rule.give_way)
    others = [x for c in conflict if c is not drop for x in behind[c]]
    return drop, why(rule, loser, others)


def resolve(rule: Rule, n_cells: int, cons: list[Constraint], behind: dict[Constraint, list[Claim]]
            ) -> tuple[Model, list[dict]]:
    """Drop the reading that gives way from each minimal conflicting set until all hold."""
    conflicts = []
    model = Model(n_cells, cons)
    while not model.feasible():
        conflict = model.conflict_set()
        if not conflict:
            raise RuntimeError("the solver reports the claims cannot all hold but finds no conflicting set")
        drop, reason = _give_way(rule, conflict, behind, n_cells)
        conflicts.append({"claims_in_conflict": join_ids(i for c in conflict for i in c.claim_ids),
                          "dropped": join_ids(drop.claim_ids), "reason": reason})
        cons = [c for c in cons if c is not drop]
        model = Model(n_cells, cons)
    return model, conflicts


class Figures:
    """Low / best / high of any set of cells under one measure's accepted readings."""

    def __init__(self, rule: Rule, model: Model, readings: list[Claim], grid: Grid, battle):
        self.rule, self.model = rule, model
        # a side no accepted reading names (alone or through its sub-groups) gets only what
        # the readings force on it, its low: a group's face value is never handed to it
        named = {battle.parent(m) or m for c in readings for m in c.members
                 if len({battle.parent(x) or x for x in c.members}) == 1}
        self.unnamed = {i for i in range(grid.days * len(grid.leaves))
                        if (battle.parent(grid.leaves[i % len(grid.leaves)]) or grid.leaves[i % len(grid.leaves)]) not in named}
        # only a figure that caps its cells has a face value to keep to: "at least N" and
        # running counts are already met by their lower bound
        self.stated = [c for c in readings if c.high is not None]
        self.face = FaceValue(model, [(grid.cells(c.members, c.first_day, c.last_day), float(c.face), c.ids)
                                      for c in self.stated])
        self.report_of = {i: c.report for c in readings for i in c.ids}
        self.claimant_of = {i: c.claimant for c in readings for i in c.ids}

    def row(self, cells: tuple[int, ...], head: dict) -> dict:
        bound = self.model.bounds(cells)
        if self.rule.best == "low" or set(cells) <= self.unnamed:
            best, best_ids = bound.low, bound.low_claims
        else:
            best, best_ids = self.face.best(cells, bound)
        ids = set(bound.low_claims) | set(bound.high_claims) | set(best_ids)
        reports = {self.report_of[i] for i in ids if i in self.report_of}
        return {**head, "low": bound.low, "best": best, "high": bound.high, "claims": join_ids(ids),
                "reports": len(reports), "claimants": len({self.claimant_of[i] for i in ids if i in self.claimant_of}),
                "single_source": len(reports) == 1}


def reconcile(dataset, rule: str = DEFAULT_RULE, evidence: Evidence | None = None) -> Reconciliation:
    """Apply `rule` to the dataset; return daily, running and total low / best / high."""
    battle = dataset.battle
    chosen = RULES[rule]
    evidence = evidence or gather(dataset)
    accepted, aside = chosen.select(evidence.claims)
    grid = Grid(len(battle.days), battle.leaves)
    n_cells = grid.days * len(grid.leaves)
    names = battle.counted_names
    daily_rows, cumulative_rows, total_rows, conflict_rows = [], [], [], []
    kept: list[Claim] = []
    for measure in battle.reconciled_measures:
        mine = [c for c in accepted if c.measure == measure]
        cons, behind = constraints(mine, grid, chosen.envelope)
        model, conflicts = resolve(chosen, n_cells, cons, behind)
        conflict_rows += [{"measure": measure, **c} for c in conflicts]
        live = [c for con in model.constraints for c in behind[con]]
        kept += live
        figures = Figures(chosen, model, sorted(live, key=lambda c: c.claim_id), grid, battle)
        for name in names:
            members = battle.members(name) or ()
            placed = 0
            for d, day in enumerate(battle.days):
                head = {"date": pd.Timestamp(day), "measure": measure, "side": name}
                row = figures.row(grid.cells(members, d, d), head)
                placed += row["best"]
                daily_rows.append(row)
                cumulative_rows.append(figures.row(grid.cells(members, 0, d), dict(head)))
            row = figures.row(grid.cells(members, 0, grid.days - 1), {"measure": measure, "side": name})
            stated = {c.face for c in live if c.side == name}
            row["derived"] = row["best"] > 0 and row["best"] not in stated
            row["placed"] = placed
            row["unplaced"] = row["best"] - placed
            total_rows.append(row)
    daily, cumulative, totals = (pd.DataFrame(rows) for rows in (daily_rows, cumulative_rows, total_rows))
    for frame in (daily, cumulative, totals):
        if not frame.empty:
            frame["high"] = frame["high"].astype("Int64")
            frame.insert(0, "rule", rule)
    aside_all = [*evidence.set_aside, *aside]
    return Reconciliation(
        rule=chosen, daily=daily, cumulative=cumulative, totals=totals,
        conflicts=pd.DataFrame(conflict_rows, columns=CONFLICT_COLUMNS),
        set_aside=_aside_frame(aside_all), evidence=evidence, accepted=tuple(sorted(kept, key=lambda c: c.claim_id)),
    )


def _aside_frame(aside: list[SetAside]) -> pd.DataFrame:
    rows = sorted({(a.claim_id, a.reason) for a in aside})
    return pd.DataFrame(rows, columns=["claim_id", "reason"])


def figure_text(low, best, high) -> str:
    """A reconciled figure as text: best [low–high], high 'open' where nothing caps it."""
    return f"{best:g} [{low}–{'open' if pd.isna(high) else int(high)}]"


def reconcile_all(dataset, rules=None) -> dict[str, Reconciliation]:
    """Every rule's reconciliation, sharing one gathering of the evidence."""
    evidence = gather(dataset)
    return {r: reconcile(dataset, r, evidence) for r in (rules or RULES)}


def sensitivity(results: dict[str, Reconciliation]) -> pd.DataFrame:
    """Battle totals per measure and side under every rule, side by side."""
    t = pd.concat([r.totals for r in results.values()], ignore_index=True)
    t["figure"] = [figure_text(lo, b, hi) for lo, b, hi in zip(t["low"], t["best"], t["high"])]
    wide = t.pivot(index=["measure", "side"], columns="rule", values="figure")
    return wide[[r for r in results if r in wide.columns]].reset_index()
