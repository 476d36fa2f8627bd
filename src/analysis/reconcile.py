"""Reconcile conflicting claims into low / best / high figures per day and counted name
(side, sub-group or group), running totals to each day, and battle totals, each with the
claims it rests on, how many independent reports stand behind it, and the rule that
produced it.

Method: the readings a rule accepts (`analysis.evidence`, `analysis.rules`) become linear
constraints on the unknown deaths (or wounded) of each day and leaf (see `model`). Low
and high are the least and greatest values every accepted reading allows; high is open
(None) where no reading caps it. Best is what the accepted readings say at face value:
the least the stated figures require of that day and name (`conservative`: the low); a
figure that caps nothing (a running or identified count) is a floor at its face value. A
side that no accepted reading names gets only its low: deaths a group figure requires
beyond what its named sides take stay with the group, unplaced by side. A name counts as
named when a reading names it or a group within it ("about 100 killed" names the event's
total): it then takes what the readings place on it at face value, as a named side does.
Deaths the readings require but do not place on a day are **unplaced**: a total's
`unplaced` is its best minus the sum of its daily bests, never spread over the days.
When the accepted readings cannot all hold, a minimal set in conflict is found (the
deletion filter in constraint order, `model.Model.conflict_set`), the reading the rule
says gives way is dropped, and both are reported with the reason.

Every figure is the sum of its parts, one per component of the model (cells linked by
readings), each worked out once: a running total to day d changes only the part of the
component that day d falls in, so the cost grows with the number of days and readings,
not with its square. The claims a figure names are the union of its parts' (see `model`
for how they are chosen: they do not depend on the order of the work).

A battle total is `derived` when its best is above zero and no accepted reading about
that name (or a sub-group of it) gives that number as a total, counted from the event's
first day for the whole area (one day's figure of a longer event gives its day only, one
place's figure that place only): it follows from other figures (a total of 10 and sides of
4 and 3 give the third side 3; daily figures of 12, 3 and 20 give a total of 35; a day's
12 and nothing on the other days give a total of 12).
`reports` counts the distinct reports behind a figure (copies of one report count once);
`single_source` marks a figure resting on one.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.battle import headline
from analysis.evidence import ASIDE_KINDS, Claim, Evidence, SetAside, gather
from analysis.load import Dataset
from analysis.model import EPS, HIGH, LOW, Bound, Constraint, Face, FaceValue, Model, Subsets, settle
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
    measures: tuple[str, ...]

    @property
    def headline_measure(self) -> str:
        """The measure shown first (see `Battle.headline_measure`)."""
        return headline(self.measures)


def join_ids(ids) -> str:
    """Claim IDs as one sorted, ';'-separated cell."""
    return ";".join(sorted(set(ids)))


def split_ids(cell: str) -> list[str]:
    """The claim IDs of a `join_ids` cell (none for an empty one)."""
    return [i for i in cell.split(";") if i]


def resting(claims: str, capping: str) -> list[str]:
    """The claims a figure rests on, from a table row's `claims` and `capping` cells: those
    that bind its low or best, not the ones that only cap its high."""
    only_high = set(split_ids(capping))
    return [i for i in split_ids(claims) if i not in only_high]


@dataclass(frozen=True)
class Grid:
    """Cells of a battle's model: one per day and leaf, day-major."""

    days: int
    leaves: tuple[str, ...]

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {leaf: i for i, leaf in enumerate(self.leaves)}

    def cells(self, members, first: int, last: int) -> tuple[int, ...]:
        first, last = max(first, 0), min(last, self.days - 1)
        width, index = len(self.leaves), self.index
        return tuple(sorted(d * width + index[m] for d in range(first, last + 1) for m in members))


def constraints(
    claims: list[Claim], grid: Grid, envelope: bool
) -> tuple[list[Constraint], dict[Constraint, list[Claim]]]:
    """One constraint per set of cells and range (envelope: per set of cells, the band from
    the lowest to the highest face value), with the readings behind each."""
    merged: dict[tuple, list[Claim]] = {}
    for c in claims:
        cells = grid.cells(c.members, c.first_day, c.last_day)
        key: tuple = (cells,) if envelope else (cells, c.low, c.high)
        merged.setdefault(key, []).append(c)
    out: dict[Constraint, list[Claim]] = {}
    for key, items in merged.items():
        high: int | None
        if envelope:
            low, high = min(c.face for c in items), max(c.face for c in items)
        else:
            low, high = items[0].low, items[0].high
        out[Constraint(key[0], low, high, tuple(sorted(i for c in items for i in c.ids)))] = items
    return list(out), out


def strength(rule: Rule, c: Constraint, behind: dict[Constraint, list[Claim]]) -> tuple:
    """The rule's give-way key of a constraint: that of the strongest reading behind it
    (the greatest key gives way first)."""
    return min(rule.give_way(x) for x in behind[c])


def _give_way(
    rule: Rule, conflict: list[Constraint], behind: dict[Constraint, list[Claim]], n_cells: int
) -> tuple[Constraint, str]:
    """The constraint that gives way in a conflict, and why. A constraint is as strong as
    the strongest reading behind it: a figure a higher-ranked claimant or a newer report
    also gives is judged as theirs."""

    def key(c: Constraint) -> tuple:
        return strength(rule, c, behind)

    if rule.by_removal:
        everything = tuple(range(n_cells))
        totals = {c: Model(n_cells, [o for o in conflict if o is not c]).bounds(everything).low for c in conflict}
        lowest = min(totals.values())
        drop = max((c for c in conflict if totals[c] == lowest), key=key)
        return drop, f"its removal gives the lowest total ({totals[drop]}) of the readings in conflict"
    drop = max(conflict, key=key)
    others = [x for c in conflict if c is not drop for x in behind[c]]
    return drop, why(rule, behind[drop], others)


def resolve(
    rule: Rule, n_cells: int, cons: list[Constraint], behind: dict[Constraint, list[Claim]]
) -> tuple[Model, list[dict]]:
    """Settle the readings that cannot all hold, part by part (readings that share no cell
    never conflict). Under a rule that ranks readings (`give_way`), a part's readings are
    taken strongest first and each is kept if it holds with those kept before it; one that
    does not gives way, its row naming a minimal set of the kept readings it conflicts
    with. So no reading gives way to a weaker one, a row never cites a reading set aside,
    and the result does not depend on the order conflicts are found in. Under a rule that
    settles by removal (`by_removal`), see `_by_removal`."""
    if rule.by_removal:
        return _by_removal(rule, n_cells, cons, behind)
    model = Model(n_cells, cons)
    if model.feasible():
        return model, []
    out: set[int] = set()
    rows = []
    for system, group in zip(model.systems, model.rows_of):
        if not system.feasible():
            ranked = sorted((cons[i] for i in group), key=lambda c: strength(rule, c, behind))
            for c, row in _strongest_first(rule, ranked, behind, n_cells):
                out.add(id(c))
                rows.append(row)
    return Model(n_cells, [c for c in cons if id(c) not in out], reuse=model), rows


def _strongest_first(
    rule: Rule, ranked: list[Constraint], behind: dict[Constraint, list[Claim]], n_cells: int
) -> list[tuple[Constraint, dict]]:
    """The readings of one part (`ranked`: strongest first) that give way, each with its
    conflict row: each reading is kept if it holds with those kept before it."""
    kept = [True] * len(ranked)  # False: set aside
    check = Subsets(ranked)

    def first(k: int) -> list[bool]:
        """The first k readings, less those set aside."""
        return [keep and i < k for i, keep in enumerate(kept)]

    out = []
    start = 0
    while (at := _first_misfit(lambda k: check.holds(first(k)), start, len(ranked))) is not None:
        c = ranked[at]
        conflict = [ranked[i] for i in check.conflict(first(at + 1))]
        drop, reason = _give_way(rule, conflict, behind, n_cells)
        assert drop is c  # every other reading of the conflict is stronger
        kept[at], start = False, at + 1
        out.append((c, _conflict_row(conflict, c, reason)))
    return out


def _first_misfit(holds: Callable[[int], bool], start: int, end: int) -> int | None:
    """The place of the first reading in [start, end) that does not hold with those before
    it, given that the first `start` hold (`holds(k)`: the first k hold); None if all
    hold. What trying each in turn finds, found by halving, since more readings hold only
    if fewer do."""
    if start >= end or holds(end):
        return None
    lo, hi = start, end  # the first lo hold; the first hi do not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if holds(mid) else (lo, mid)
    return hi - 1


def _conflict_row(conflict: list[Constraint], drop: Constraint, reason: str) -> dict:
    return {
        "claims_in_conflict": join_ids(i for c in conflict for i in c.claim_ids),
        "dropped": join_ids(drop.claim_ids),
        "reason": reason,
    }


def _by_removal(
    rule: Rule, n_cells: int, cons: list[Constraint], behind: dict[Constraint, list[Claim]]
) -> tuple[Model, list[dict]]:
    """Drop the reading whose removal gives the lowest total from each minimal conflicting
    set until all hold, then try each dropped reading again, strongest first, and put it
    back where it holds with everything kept: a reading stays set aside only if it
    conflicts with what is kept. (Removal compares totals, not ranks, so readings cannot be
    taken in one order; a row may name a reading that a later conflict set aside.)"""
    every = list(cons)
    dropped: list[tuple[Constraint, dict]] = []
    met: dict[int, list[Constraint]] = {}  # a dropped reading -> the conflict it gave way in
    model = Model(n_cells, cons)
    while not model.feasible():
        conflict = model.conflict_set()
        if not conflict:
            raise RuntimeError("the solver reports the claims cannot all hold but finds no conflicting set")
        drop, reason = _give_way(rule, conflict, behind, n_cells)
        dropped.append((drop, _conflict_row(conflict, drop, reason)))
        met[id(drop)] = conflict
        cons = [c for c in cons if c is not drop]
        model = Model(n_cells, cons, reuse=model)
    out = {id(drop) for drop, _ in dropped}
    for drop, _ in sorted(dropped, key=lambda pair: strength(rule, pair[0], behind)):
        if not any(id(c) in out for c in met[id(drop)] if c is not drop):
            continue  # the conflict it gave way in is all kept: it cannot hold (no program needed)
        trial = Model(n_cells, [c for c in every if id(c) not in out or c is drop], reuse=model)
        if trial.feasible():
            out.discard(id(drop))
            model = trial
    return model, [row for drop, row in dropped if id(drop) in out]


class _Tally:
    """The claims behind a running figure: how many of its parts name each claim, the
    named claims in order, and the reports and claimants behind them."""

    def __init__(self, report_of: dict[str, str], claimant_of: dict[str, str]):
        self.report_of, self.claimant_of = report_of, claimant_of
        self.count: dict[str, int] = {}
        self.ids: list[str] = []
        self.reports: Counter[str] = Counter()
        self.claimants: Counter[str] = Counter()

    def swap(self, old: tuple[str, ...], new: tuple[str, ...]) -> None:
        """A part's claims `old` give way to `new` (most are the same; a part names a
        claim at most once)."""
        if old != new:
            before, after = set(old), set(new)
            self.add([i for i in new if i not in before], 1)
            self.add([i for i in old if i not in after], -1)

    def add(self, ids, sign: int) -> None:
        for i in ids:
            n = self.count.get(i, 0) + sign
            if n and not (n == 1 and sign > 0):
                self.count[i] = n
                continue
            if n:
                self.count[i] = n
                bisect.insort(self.ids, i)
            else:
                del self.count[i]
                del self.ids[bisect.bisect_left(self.ids, i)]
            if i in self.report_of:
                self._step(self.reports, self.report_of[i], sign)
                self._step(self.claimants, self.claimant_of[i], sign)

    @staticmethod
    def _step(counter: Counter, key: str, sign: int) -> None:
        counter[key] += sign
        if not counter[key]:
            del counter[key]


class Figures:
    """Low / best / high of the days, running totals and totals of every counted name
    under one measure's accepted readings, worked out part by part (see `model`)."""

    def __init__(self, rule: Rule, model: Model, readings: list[Claim], grid: Grid, battle):
        self.rule, self.model, self.grid, self.readings = rule, model, grid, readings
        # a name none of whose sides an accepted reading names (alone or through its
        # sub-groups), and no group within which a reading names, gets only what the
        # readings force on it, its low: a larger group's face value is never handed to it
        named = {
            battle.parent(m) or m
            for c in readings
            for m in c.members
            if len({battle.parent(x) or x for x in c.members}) == 1
        }
        self.unnamed = {leaf for leaf in grid.leaves if (battle.parent(leaf) or leaf) not in named}
        self.groups = {frozenset(c.members) for c in readings}
        # a figure that caps its cells has a face value to keep to; one that caps nothing (a
        # running or identified count, a figure for part of the area) is a floor at its face
        # value, which matters where that is above its low ("about 20" so far: at least 20)
        self.stated = [c for c in readings if c.high is not None or c.face > c.low]
        self._face: FaceValue | None = None
        self.report_of = {i: c.report for c in readings for i in c.ids}
        self.claimant_of = {i: c.claimant for c in readings for i in c.ids}

    @property
    def face(self) -> FaceValue:
        if self._face is None:
            faces = [
                Face(self.grid.cells(c.members, c.first_day, c.last_day), float(c.face), c.ids, c.high is not None)
                for c in self.stated
            ]
            self._face = FaceValue(self.model, faces)
        return self._face

    def _low_mode(self, members) -> bool:
        inside = set(members)
        return self.rule.best == "low" or (inside <= self.unnamed and not any(g <= inside for g in self.groups))

    def _row(self, mparts: dict, free: bool, fparts: dict | None) -> tuple[int, int, int | None, set[str], set[str]]:
        """One target from its parts: low, best, high, the claims named and those of them
        that only cap a high above the best (where the high is the best, its claims force
        the figure: it rests on them)."""
        bound = self.model.combine(mparts, free)
        low, high = bound.low, bound.high
        ids = set(bound.low_claims) | set(bound.high_claims)
        only_high = set(bound.high_claims) - set(bound.low_claims)
        if fparts is None:
            return low, low, high, ids, only_high if high is not None and high > low else set()
        total, best_ids = 0.0, set()  # type: tuple[float, set[str]]
        for k, cells in fparts.items():
            value, names = self.face.part(k, cells)
            total += value
            best_ids.update(names)
        best, names = settle(total, Bound(low, high, (), ()), best_ids)
        capping = only_high - set(names) if high is not None and high > best else set()
        return low, best, high, ids | set(names), capping

    def _counts(self, ids: set[str]) -> tuple[str, int, int]:
        reports = {self.report_of[i] for i in ids if i in self.report_of}
        return join_ids(ids), len(reports), len({self.claimant_of[i] for i in ids if i in self.claimant_of})

    def tables(self, names, battle, measure: str, days: list) -> tuple[dict, dict, dict]:
        """Columns of the daily, running and total rows of every name."""
        grid, model = self.grid, self.model
        one_day = grid.days == 1
        plans = []
        model_parts: set = set()
        face_parts: set = set()
        for name in names:
            members = battle.members(name) or ()
            low_mode = self._low_mode(members)
            face = None if low_mode else self.face
            daily, steps = [], []
            running: dict[int, tuple[int, ...]] = {}
            running_face: dict[int, tuple[int, ...]] = {}
            free_so_far = False
            for d in range(grid.days):
                cells = grid.cells(members, d, d)
                mparts, free = model.split(cells)
                fparts = None if face is None else face.split(cells)[0]
                daily.append((mparts, free, fparts))
                model_parts.update(mparts.items())
                # a day adds its cells to the running total's part in each component it touches
                changed = {k: running.get(k, ()) + cells_k for k, cells_k in mparts.items()}
                running.update(changed)
                model_parts.update(changed.items())
                fchanged: dict[int, tuple[int, ...]] = {}
                if fparts is not None:
                    fchanged = {k: running_face.get(k, ()) + cells_k for k, cells_k in fparts.items()}
                    running_face.update(fchanged)
                    face_parts.update(fparts.items())
                    face_parts.update(fchanged.items())
                free_so_far = free_so_far or free
                steps.append((changed, free_so_far, fchanged))
            plans.append((name, low_mode, daily, steps))
        model.solve(model_parts)
        if face_parts:
            self.face.solve(face_parts)

        cols = [
            "date",
            "measure",
            "side",
            "low",
            "best",
            "high",
            "claims",
            "capping",
            "reports",
            "claimants",
            "single_source",
        ]
        daily_cols: dict[str, list] = {c: [] for c in cols}
        running_cols: dict[str, list] = {c: [] for c in cols}
        total_cols: dict[str, list] = {c: [] for c in cols[1:] + ["derived", "placed", "unplaced"]}

        def put(out: dict, head: tuple, figures: tuple, claims: str, capping: str, reports: int, claimants: int):
            for key, value in zip(("date", "measure", "side"), head):
                if key in out:
                    out[key].append(value)
            for key, value in zip(("low", "best", "high"), figures):
                out[key].append(value)
            out["claims"].append(claims)
            out["capping"].append(capping)
            out["reports"].append(reports)
            out["claimants"].append(claimants)
            out["single_source"].append(reports == 1)

        for name, low_mode, daily, steps in plans:
            placed = 0
            for d, (mparts, free, fparts) in enumerate(daily):
                low, best, high, ids, only_high = self._row(mparts, free, fparts)
                placed += best
                claims, reports, claimants = self._counts(ids)
                put(
                    daily_cols,
                    (days[d], measure, name),
                    (low, best, high),
                    claims,
                    join_ids(only_high),
                    reports,
                    claimants,
                )
            run = _Run(self, low_mode)
            for d, (changed, free, fchanged) in enumerate(steps):
                low, best, high, claims, capping, reports, claimants = run.step(changed, free, fchanged)
                put(running_cols, (days[d], measure, name), (low, best, high), claims, capping, reports, claimants)
            total_cols["measure"].append(measure)
            total_cols["side"].append(name)
            for key in ("low", "best", "high", "claims", "capping", "reports", "claimants", "single_source"):
                total_cols[key].append(running_cols[key][-1] if steps else None)
            # a sub-group's figure states its side's too (6 children are 6 civilians), as for a
            # day; a total is stated by a figure for the whole area counted from the event's
            # first day (a running total, or one for the whole period), not by one day's
            # figure of a longer event nor by one place's
            stated = {
                c.face
                for c in self.readings
                if name in (c.side, battle.parent(c.side))
                and c.whole_area
                and c.first_day <= 0
                and (c.last_day > 0 or one_day)
            }
            best = total_cols["best"][-1]
            total_cols["derived"].append(bool(best > 0 and best not in stated))
            total_cols["placed"].append(placed)
            total_cols["unplaced"].append(best - placed)
        return daily_cols, running_cols, total_cols


class _Run:
    """A running total of one name as its days are added: the sums of its parts and the
    claims they name, updated where a day changes a part."""

    def __init__(self, figures: Figures, low_mode: bool):
        self.f, self.low_mode = figures, low_mode
        self.low = self.high = self.best = 0.0
        self.open = 0
        self.model: dict[int, tuple] = {}
        self.face: dict[int, tuple] = {}
        self.capped = _Tally(figures.report_of, figures.claimant_of)  # claims named where high is capped
        self.uncapped = _Tally(figures.report_of, figures.claimant_of)  # where it is open

    def step(self, changed: dict, free: bool, fchanged: dict) -> tuple:
        model = self.f.model
        for k, cells in changed.items():
            lo, lo_ids = model.part(k, cells, LOW)
            hi, hi_ids = model.part(k, cells, HIGH)
            new = (lo, hi, (*lo_ids, *(i for i in hi_ids if i not in set(lo_ids))), lo_ids)
            old = self.model.get(k, (0.0, 0.0, (), ()))
            self.low += lo - old[0]
            self.open += (hi is None) - (old[1] is None)
            self.high += (hi or 0.0) - (old[1] or 0.0)
            self.capped.swap(old[2], new[2])
            self.uncapped.swap(old[3], new[3])
            self.model[k] = new
        for k, cells in fchanged.items():
            value, names = self.f.face.part(k, cells)
            old = self.face.get(k, (0.0, ()))
            self.best += value - old[0]
            self.capped.swap(old[1], names)
            self.uncapped.swap(old[1], names)
            self.face[k] = (value, names)
        low = math.ceil(self.low - EPS)
        high = None if self.open or free else math.floor(self.high + EPS)
        tally = self.uncapped if high is None else self.capped
        if self.low_mode:
            best = low
        else:
            best, _ = settle(self.best, Bound(low, high, (), ()), ())
        # the claims that only cap a high above the best: named for it, not for the low or the best
        capping = "" if high is None or high <= best else ";".join(i for i in tally.ids if i not in self.uncapped.count)
        return low, best, high, ";".join(tally.ids), capping, len(tally.reports), len(tally.claimants)


def reconcile(dataset: Dataset, rule: str = DEFAULT_RULE, evidence: Evidence | None = None) -> Reconciliation:
    """Apply `rule` to the dataset; return daily, running and total low / best / high."""
    battle = dataset.battle
    chosen = RULES[rule]
    evidence = evidence or gather(dataset)
    accepted, aside = chosen.select(evidence.claims)
    grid = Grid(len(battle.days), battle.leaves)
    n_cells = grid.days * len(grid.leaves)
    days = [pd.Timestamp(day) for day in battle.days]
    frames: dict[str, dict[str, list]] = {}
    conflict_rows: list[dict] = []
    kept: list[Claim] = []
    for measure in battle.reconciled_measures:
        mine = [c for c in accepted if c.measure == measure]
        cons, behind = constraints(mine, grid, chosen.envelope)
        model, conflicts = resolve(chosen, n_cells, cons, behind)
        conflict_rows += [{"measure": measure, **c} for c in conflicts]
        live = [c for con in model.constraints for c in behind[con]]
        kept += live
        figures = Figures(chosen, model, sorted(live, key=lambda c: c.claim_id), grid, battle)
        tables = figures.tables(battle.counted_names, battle, measure, days)
        for key, cols in zip(("daily", "cumulative", "totals"), tables):
            if key not in frames:
                frames[key] = cols
            else:
                for c, values in cols.items():
                    frames[key][c] += values
    daily, cumulative, totals = (_frame(frames.get(key), rule) for key in ("daily", "cumulative", "totals"))
    aside_all = [*evidence.set_aside, *aside]
    return Reconciliation(
        rule=chosen,
        daily=daily,
        cumulative=cumulative,
        totals=totals,
        conflicts=pd.DataFrame(conflict_rows, columns=CONFLICT_COLUMNS),
        set_aside=_aside_frame(aside_all),
        evidence=evidence,
        accepted=tuple(sorted(kept, key=lambda c: c.claim_id)),
        measures=tuple(battle.reconciled_measures),
    )


def _frame(cols: dict[str, list] | None, rule: str) -> pd.DataFrame:
    if not cols or not cols["low"]:
        return pd.DataFrame()
    frame = pd.DataFrame(cols)
    frame["high"] = frame["high"].astype("Int64")
    frame.insert(0, "rule", rule)
    return frame


def _aside_frame(aside: list[SetAside]) -> pd.DataFrame:
    """The set-aside claims: ID, reason and its kind in general terms (`ASIDE_KINDS`)."""
    rows = sorted({(a.claim_id, a.reason, ASIDE_KINDS[a.kind]) for a in aside})
    return pd.DataFrame(rows, columns=["claim_id", "reason", "kind"])


def derived_days(result: Reconciliation, battle, measure: str) -> set[tuple[pd.Timestamp, str]]:
    """(day, name) of every daily best above 0 that no accepted reading for that day and
    the whole area states, about that name or about one sub-group of it (6 children are 6
    civilians): derived, like a total no claim states."""
    one_day = [c for c in result.accepted if c.measure == measure and c.first_day == c.last_day and c.whole_area]
    stated = {(c.first_day, name, c.face) for c in one_day for name in {c.side, battle.parent(c.side) or c.side}}
    index = {pd.Timestamp(day): k for k, day in enumerate(battle.days)}
    d = result.daily[(result.daily["measure"] == measure) & (result.daily["best"] > 0)]
    return {
        (date, side)
        for date, side, best in zip(d["date"], d["side"], d["best"])
        if (index[date], side, int(best)) not in stated
    }


def on_no_side(best: Mapping[str, float], battle) -> int:
    """Of the total group's best (`best`: best figure by counted name), what its sides'
    bests leave: deaths the total requires but no side is given (0 without a total group)."""
    total = battle.total_group
    if total is None or total not in best:
        return 0
    return max(0, int(best[total]) - sum(int(best[s]) for s in battle.sides if s in best))


def figure_text(low, best, high) -> str:
    """A reconciled figure as text: best [low–high], high 'open' where nothing caps it."""
    return f"{int(best)} [{low}–{'open' if pd.isna(high) else int(high)}]"


def reconcile_all(dataset: Dataset, rules=None) -> dict[str, Reconciliation]:
    """Every rule's reconciliation, sharing one gathering of the evidence."""
    evidence = gather(dataset)
    return {r: reconcile(dataset, r, evidence) for r in (rules or RULES)}


DERIVED_MARK = "*"
"""Marks a derived total (`battle.UNSTATED_TOTAL`) in `sensitivity`: "23* [23–open]"."""


def rules_without_claims(results: dict, measure: str) -> list[str]:
    """The rules (of `results`, by name) under which no claim about `measure` is accepted:
    their figures are no totals, only the zeros of an empty model."""
    return [name for name, r in results.items() if not any(c.measure == measure for c in r.accepted)]


NO_CLAIM = "no claim accepted"


def sensitivity(results: dict[str, Reconciliation]) -> pd.DataFrame:
    """Battle totals per measure and side under every rule, side by side, each as best
    [low–high], the best of a derived total marked (`DERIVED_MARK`); `NO_CLAIM` where the
    rule accepts no claim about the measure (its zeros would be no figure to cite)."""
    t = pd.concat([r.totals for r in results.values()], ignore_index=True)
    empty = {(rule, m) for m in set(t["measure"]) for rule in rules_without_claims(results, m)}
    t["figure"] = [
        NO_CLAIM
        if (rule, m) in empty
        else figure_text(lo, b, hi).replace(" [", f"{DERIVED_MARK} [", 1)
        if d
        else figure_text(lo, b, hi)
        for rule, m, lo, b, hi, d in zip(t["rule"], t["measure"], t["low"], t["best"], t["high"], t["derived"])
    ]
    wide = t.pivot(index=["measure", "side"], columns="rule", values="figure")
    return wide[[r for r in results if r in wide.columns]].reset_index().rename_axis(columns=None)
