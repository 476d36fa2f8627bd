"""The linear model behind reconciliation: claims as constraints on unknown counts.

Unknowns are non-negative counts, one per cell (a day and a side). A claim becomes a
`Constraint`: the sum of the cells it covers lies between `lower` and `upper` (`upper` None:
no cap). The model answers three questions:

- `bounds(target)`: the least and greatest value a sum of cells can take while every
  constraint holds, with the claims each end rests on; greatest is None ("open") where no
  constraint caps it;
- `conflict_set()`: when the constraints cannot all hold, a minimal set that cannot
  (drop any one and the rest can);
- `FaceValue.best(target)`: the best figure, what the claims say at face value ("at least
  22" is 22, "about 17" is 17). Among the allocations closest to every stated figure
  (least total absolute gap), the least value the target takes: the deaths the claims place
  on those cells at face value, never a spread of deaths they leave unplaced. A figure
  with no cap (a running count, an identified count, a figure for part of the area) is
  only a floor at face value: a shortfall below it is a gap, an excess is not.

Counts are whole numbers: least values are rounded up and greatest down (valid bounds for
whole counts).

**Parts.** Cells linked by constraints form components (connected through shared
constraints); cells under no constraint are free. Components are independent, so a
target's least value is the sum of the least values of its parts (its cells in each
component), its greatest the sum of the greatest (open if any part or free cell is open),
and its best the sum of the parts' bests (the least total gap is the sum of the
components' least gaps, reached in each component separately). Each part is worked out
once however many targets share it (`bounds_many`, `solve`); the cost grows with the
number of distinct parts, not with the period squared. Caveat: one claim spanning the
whole period links every day into one component, and then every running total is a part
of its own on that one large model.

**How a part's value is found.** None of the following changes the value, only its cost.
(1) Plain cases: a part with no cell under any lower bound has least value 0; a part with
a cell under no cap has no greatest value (open). (2) A proof (one constraint, or a
greedy combination, see below) that a feasible allocation already found reaches.
(3) The component's canonical bases (below): where one is already optimal for the part's
objective, the value and the dual values follow by linear algebra, exactly as a solver
started from that basis would stop at once. (4) Otherwise a linear program (HiGHS) on
the component's model, started from the canonical basis of its sense. Every solve leaves
a feasible allocation that may settle other parts.

*Canonical bases.* Each component is first solved from scratch for its least total (the
sum of all its cells): that basis is where every least value starts. Greatest values
start from the basis of the greatest total of its capped cells, solved from the first.
HiGHS runs with its random bound perturbation off, so that a solve from a given basis
takes the same path whatever was solved before (a test checks this).

**Named claims** (what a figure rests on) are defined per part and sense, whatever the
order in which parts are solved and however the value was found: the first that applies of

1. a least value of 0 names no claim;
2. *one constraint*: for a least value, a constraint whose cells all lie in the part and
   whose lower bound equals the value; for a greatest value, a constraint holding every
   cell of the part whose upper bound equals it; the narrowest such (an exact figure before
   a range), then the first in constraint order;
3. *a greedy proof*, when its bound equals the value: for a least value, the disjoint
   constraints with a lower bound inside the part, or one constraint holding the part
   less the caps covering the rest of its cells (a total of 10 with the other sides capped at 4
   and 3 leaves at least 3);
   for a greatest value, the caps covering the part less the lower bounds of what they
   hold outside it, or one capped constraint holding the part less the lower bounds of
   the rest of its cells (a monthly total less the other days' figures); the greedy
   choices are described at `_System._pack`, `_cover`, `_low_proof` and `_high_proof`;
4. otherwise the claims whose constraints have a non-zero dual value in the linear program
   of that part solved from the canonical basis of its sense.

A figure's named claims are the union over its parts.

**Conflicts.** `conflict_set` is the deletion filter in constraint order: starting from
every constraint, each in turn is set aside if the rest still cannot hold. The solver's
proof of infeasibility (a dual ray, checked before use) lets the filter set aside the
constraints the proof does not use without a linear program each; the result is what the
plain filter gives. Components are filtered separately: over the whole model the plain
filter ends in one component, the one whose first kept constraint comes last.
`Subsets` answers both questions (can they hold, which minimal set cannot) for subsets of
one list of constraints on one linear program whose rows are switched on and off, each
check starting where the last ended: the answers of a fresh `Model` per subset.

**Best.** Per component the least total gap G comes from one linear program solved from
scratch. The allocations with total gap G are then written as constraints of the same
kind, by complementary slackness with its dual solution: a stated figure whose two gap
variables both have a positive reduced cost holds exactly, one with only the excess
(shortfall) gap fixed at 0 is a cap (floor), a constraint with a non-zero dual holds at
the bound it reaches, a cell with a positive reduced cost is 0. With G = 0 every stated
figure simply holds (exactly, or as a floor where it caps nothing). `best(target)` is
then a least value over those constraints, worked out (and its claims named) as above.
Exactly as in the plain definition, the sum over components of the least values is
rounded up once, then kept inside the target's low and high.

`solver_runs()` counts the linear programs solved in the process and `solver_seconds()` the
CPU time spent inside them (for the benchmark).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass

import highspy
import numpy as np

EPS = 1e-6
TIME_LIMIT = 30.0
INF = highspy.kHighsInf
LOW, HIGH = 0, 1
_OPTIMAL = highspy.HighsModelStatus.kOptimal
_INFEASIBLE = highspy.HighsModelStatus.kInfeasible
_MIN, _MAX = highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize
_quiet = False


def _highs() -> highspy.Highs:
    """A silent solver. HiGHS prints a banner on the process's first solver, straight to
    file descriptor 1 (not through sys.stdout), so that one creation runs with fd 1 sent
    to /dev/null; otherwise it would land in notebook outputs."""
    global _quiet
    if _quiet:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        try:
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _quiet = True
    h.setOptionValue("output_flag", False)
    # Small models re-solved with a new objective from a stored basis: primal simplex
    # without presolve, on one thread. Without the random bound perturbation a solve from a
    # given basis takes the same path whatever the solver did before.
    h.setOptionValue("presolve", "off")
    h.setOptionValue("simplex_strategy", 4)
    h.setOptionValue("threads", 1)
    h.setOptionValue("primal_simplex_bound_perturbation_multiplier", 0.0)
    # A guard, never reached on these small models: a solve that runs this long is a bug
    # (set per run by `_solve_now`).
    return h


_runs = 0
_seconds = 0.0


def _solve_now(h: highspy.Highs):
    """Run the solver (counted: `solver_runs`, timed: `solver_seconds`) and return its
    model status."""
    global _runs, _seconds
    _runs += 1
    # HiGHS's time limit counts every run of a solver object together: the guard is set
    # afresh for this run, so that a solver reused for many programs never trips it
    h.setOptionValue("time_limit", h.getRunTime() + TIME_LIMIT)
    started = time.process_time()
    h.run()
    _seconds += time.process_time() - started
    return h.getModelStatus()


def solver_runs() -> int:
    """How many times this process has run HiGHS for the model (linear programs solved,
    including conflict searches)."""
    return _runs


def solver_seconds() -> float:
    """CPU seconds this process has spent inside HiGHS's runs counted by `solver_runs`."""
    return _seconds


@dataclass(frozen=True)
class Constraint:
    """lower <= sum(x[c] for c in cells) <= upper; `claim_ids` are the claims behind it."""

    cells: tuple[int, ...]
    lower: float
    upper: float | None
    claim_ids: tuple[str, ...]


@dataclass(frozen=True)
class Face:
    """A stated figure for the best: the cells it covers, the number it states, its claim
    IDs, and whether it caps its cells (`capped` False: a floor at face value only)."""

    cells: tuple[int, ...]
    value: float
    claim_ids: tuple[str, ...]
    capped: bool = True


@dataclass(frozen=True)
class Bound:
    low: int
    high: int | None
    low_claims: tuple[str, ...]
    high_claims: tuple[str, ...]


def _mask(cells: Iterable[int]) -> int:
    m = 0
    for c in cells:
        m |= 1 << c
    return m


def _indexes(flags: np.ndarray) -> np.ndarray:
    """The indexes where a one-dimensional array of flags is true (np.flatnonzero without
    its overhead, in the innermost loops)."""
    return flags.nonzero()[0]


def _snap(value: float) -> float:
    """A solver's value, taken as the whole number it is within the solver's tolerance."""
    r = round(value)
    return float(r) if abs(value - r) < 1e-7 else value


class _Start:
    """A canonical basis of a component and what it gives without a solve: where it is
    already optimal for an objective, the solver started from it would stop at once, with
    the duals y solving y[rows at a bound] . A[those rows, basic cells] = cost[basic cells]
    (zero on the rows strictly between their bounds)."""

    def __init__(self, system: _System, basis, x: np.ndarray):
        self.basis, self.x = basis, x
        basic = highspy.HighsBasisStatus.kBasic
        cols = np.array([st == basic for st in basis.col_status])
        rows = [(i, st) for i, st in enumerate(basis.row_status) if st != basic]
        self.basic_cols = np.flatnonzero(cols)
        self.other_cols = np.flatnonzero(~cols)
        self.bound_rows = np.array([i for i, _ in rows], dtype=np.int64)
        fixed = system.lows == system.ups
        upper = highspy.HighsBasisStatus.kUpper
        self.at_upper = np.array([st == upper and not fixed[i] for i, st in rows], dtype=bool)
        self.at_lower = np.array([st != upper and not fixed[i] for i, st in rows], dtype=bool)
        self.A = system.A
        self.inverse: np.ndarray | None = None
        if len(self.bound_rows) == len(self.basic_cols):
            M = system.A[np.ix_(self.bound_rows, self.basic_cols)]
            if len(M) == 0:
                self.inverse = M
            elif abs(np.linalg.det(M)) > 1e-9:
                self.inverse = np.asarray(np.linalg.inv(M), dtype=float)

    def optimal(self, C: np.ndarray, sense: int) -> tuple[np.ndarray, np.ndarray]:
        """For objectives C (one per row), whether this basis is optimal, and the duals."""
        k, m = len(C), self.A.shape[0]
        Y = np.zeros((k, m))
        if self.inverse is None:
            return np.zeros(k, dtype=bool), Y
        c = C if sense == LOW else -C
        if len(self.bound_rows):
            Y[:, self.bound_rows] = c[:, self.basic_cols] @ self.inverse
        reduced = c[:, self.other_cols] - Y @ self.A[:, self.other_cols]
        yb = Y[:, self.bound_rows]
        ok = (
            (reduced >= -1e-9).all(axis=1)
            & (yb[:, self.at_lower] >= -1e-9).all(axis=1)
            & (yb[:, self.at_upper] <= 1e-9).all(axis=1)
        )
        return np.asarray(ok, dtype=bool), Y


class _System:
    """Constraints over cells 0..n-1 of one component, and the parts worked out on them.

    `rows` are (cells, lower, upper or None, claim_ids). Results are kept per (part, sense):
    the exact value (None: open) and the indexes of the rows named."""

    def __init__(self, n: int, rows: list[tuple[tuple[int, ...], float, float | None, tuple[str, ...]]]):
        self.n, self.m = n, len(rows)
        self.rows = rows
        self.masks = [_mask(cells) for cells, _, _, _ in rows]
        self.lows = np.array([lo for _, lo, _, _ in rows], dtype=float)
        self.ups = np.array([np.inf if up is None else up for _, _, up, _ in rows], dtype=float)
        self.A = np.zeros((self.m, n))
        for i, (cells, _, _, _) in enumerate(rows):
            self.A[i, list(cells)] = 1.0
        self.size = self.A.sum(axis=1)
        self.width = self.ups - self.lows
        self.lower_rows = [i for i in range(self.m) if self.lows[i] > 0]
        self.capped_rows = [i for i in range(self.m) if np.isfinite(self.ups[i])]
        self.lower_cells = (self.A[self.lower_rows].sum(axis=0) > 0).astype(float)
        self.uncapped_cells = (self.A[self.capped_rows].sum(axis=0) == 0).astype(float)
        self.points: list[np.ndarray] = []
        self.results: dict[tuple[int, int], tuple[float | None, tuple[int, ...]]] = {}
        self._h: highspy.Highs | None = None
        self._starts: dict[int, _Start] = {}
        self._feasible: bool | None = None
        self._first_ray: set[int] | None = None
        self._cols = np.arange(n, dtype=np.int32)
        # the rows the solver switched by `holds` holds to: its own (`_h`), or the one a
        # `Subsets` gives it (a system is switched by one solver only)
        self._active = np.ones(self.m, dtype=bool)
        self.has_lower = self.lows > 0
        self.has_cap = np.isfinite(self.ups)
        order = np.arange(self.m)
        # greedy orders as ranks (ties in constraint order): see `_pack` and `_cover`
        self._pack_ranks = (
            np.lexsort((order, -self.lows)).argsort(),
            np.lexsort((order, -self.lows / np.maximum(self.size, 1))).argsort(),
        )
        self._cover_rank = np.lexsort((order, self.ups / np.maximum(self.size, 1))).argsort()
        # narrowest first (an exact figure before a range), then constraint order
        self._narrow = np.where(np.isfinite(self.width), self.width, 1e300)
        # within[i, j]: constraint j's cells all lie in constraint i's
        self._within = (self.A @ (1.0 - self.A).T == 0).T

    # --- the solver -------------------------------------------------------------------

    def _build(self) -> highspy.Highs:
        h = _highs()
        lp = highspy.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = self.m
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_ = np.zeros(self.n)
        lp.col_upper_ = np.full(self.n, INF)
        lp.row_lower_ = self.lows.copy()
        lp.row_upper_ = np.where(np.isfinite(self.ups), self.ups, INF)
        starts, index = [0], []  # type: tuple[list[int], list[int]]
        for cells, _, _, _ in self.rows:
            index.extend(cells)
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = self.n
        lp.a_matrix_.num_row_ = self.m
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.ones(len(index))
        h.passModel(lp)
        return h

    def _run(self, h: highspy.Highs):
        status = _solve_now(h)
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise RuntimeError(f"HiGHS stopped after {TIME_LIMIT} s on a {self.n}-cell model")
        return status

    def feasible(self) -> bool:
        """Whether the constraints can all hold. The first solve, from scratch, of the least
        total by the dual simplex: its basis is the canonical start of every least value;
        where the constraints cannot all hold, it comes with the proof of it (a dual ray)."""
        if self._feasible is None:
            if self.n == 0:  # constraints over no cell: each sum is 0
                self._feasible = bool((self.lows <= 0).all())
                return self._feasible
            self._h = h = self._build()
            h.changeColsCost(self.n, self._cols, np.ones(self.n))
            h.setOptionValue("simplex_strategy", 1)
            status = self._run(h)
            h.setOptionValue("simplex_strategy", 4)
            self._feasible = status == _OPTIMAL
            if self._feasible:
                self._starts[LOW] = self._start(h)
            elif status == _INFEASIBLE:
                self._first_ray = self._ray(h, np.ones(self.m, dtype=bool))
            else:
                raise RuntimeError(f"HiGHS ended with {status} on a feasibility problem")
        return self._feasible

    def _start(self, h: highspy.Highs) -> _Start:
        start = _Start(self, h.getBasis(), np.array(h.getSolution().col_value))
        self.points.append(start.x)
        return start

    def _start_of(self, sense: int) -> _Start:
        """The canonical start of a sense: for greatest values, the optimal basis of the
        greatest total of the capped cells, solved from the least-total basis."""
        if sense not in self._starts:
            h = self._h
            assert h is not None
            h.setBasis(self._starts[LOW].basis)
            h.changeObjectiveSense(_MAX)
            h.changeColsCost(self.n, self._cols, 1.0 - self.uncapped_cells)
            if self._run(h) != _OPTIMAL:
                raise RuntimeError("HiGHS failed on a bounded linear program")
            self._starts[sense] = self._start(h)
        return self._starts[sense]

    def _solve(self, cells: list[int], sense: int) -> tuple[float, np.ndarray]:
        """The linear program of one part, from the canonical basis: value and row duals."""
        h = self._h
        assert h is not None
        h.setBasis(self._start_of(sense).basis)
        cost = np.zeros(self.n)
        cost[cells] = 1.0
        h.changeObjectiveSense(_MIN if sense == LOW else _MAX)
        h.changeColsCost(self.n, self._cols, cost)
        if self._run(h) != _OPTIMAL:
            raise RuntimeError("HiGHS failed on a bounded linear program")
        solution = h.getSolution()
        self.points.append(np.array(solution.col_value))
        return _snap(h.getInfo().objective_function_value), np.asarray(solution.row_dual)

    # --- greedy proofs --------------------------------------------------------------------

    def _disjoint(self, rows: np.ndarray) -> bool:
        """Whether no two of the constraints `rows` share a cell."""
        used, masks = 0, self.masks
        for i in rows.tolist():
            if masks[i] & used:
                return False
            used |= masks[i]
        return True

    def _pack(self, rows: np.ndarray) -> tuple[float, tuple[int, ...]]:
        """A floor for a region, from `rows`, the constraints with a lower bound inside it:
        disjoint ones, the sum of their lower bounds. Two greedy orders (largest bound
        first; largest bound per cell first; constraint order on ties); the larger sum is
        kept, the first on a tie."""
        if not len(rows):
            return 0.0, ()
        if self._disjoint(rows):  # every greedy order takes them all
            return float(self.lows[rows].sum()), tuple(rows.tolist())
        best: tuple[float, tuple[int, ...]] = (0.0, ())
        for rank in self._pack_ranks:
            used, value, chosen = 0, 0.0, []
            for i in rows[np.argsort(rank[rows], kind="stable")].tolist():
                mask = self.masks[i]
                if not mask & used:
                    used |= mask
                    value += self.lows[i]
                    chosen.append(i)
            if value > best[0]:
                best = (value, tuple(sorted(chosen)))
        return best

    def _tile(self, region: int, inside: np.ndarray) -> tuple[float, tuple[int, ...]]:
        """A ceiling for a region (bit mask; `inside`: the capped constraints within it):
        disjoint capped constraints inside it, least cap per cell first (constraint order
        on ties), the sum of their caps if they cover it (else inf)."""
        if not len(inside):
            return math.inf, ()
        if self._disjoint(inside):
            chosen = inside.tolist()
        else:
            chosen, left = [], region
            for i in inside[np.argsort(self._cover_rank[inside], kind="stable")].tolist():
                if not self.masks[i] & ~left:
                    left &= ~self.masks[i]
                    chosen.append(i)
        covered = 0
        for i in chosen:
            covered |= self.masks[i]
        return (float(self.ups[chosen].sum()), tuple(sorted(chosen))) if covered == region else (math.inf, ())

    def _cover(self, part: int, inside: np.ndarray) -> tuple[float, tuple[int, ...]]:
        """A ceiling for the part (bit mask; `inside`: the capped constraints within it):
        capped constraints covering it, the sum of their caps. First disjoint constraints
        inside the part, least cap per cell first; then, for what is left, constraints
        reaching outside it, least cap per newly covered cell first (constraint order on
        ties). Every cell is capped by some constraint (else the part is open)."""
        left, value, chosen = part, 0.0, []
        if len(inside) and self._disjoint(inside):
            value, chosen = float(self.ups[inside].sum()), inside.tolist()
            for i in chosen:
                left &= ~self.masks[i]
        else:
            for i in inside[np.argsort(self._cover_rank[inside], kind="stable")].tolist():
                mask = self.masks[i]
                if not mask & ~left:
                    left &= ~mask
                    value += self.ups[i]
                    chosen.append(i)
        candidates = [i for i in self.capped_rows if self.masks[i] & left] if left else []
        while left:
            pick, best = -1, math.inf
            for i in candidates:
                new = (self.masks[i] & left).bit_count()
                if new and self.ups[i] / new < best:
                    pick, best = i, self.ups[i] / new
            left &= ~self.masks[pick]
            value += self.ups[pick]
            chosen.append(pick)
        return value, tuple(sorted(chosen))

    def _low_proof(self, r: int, batch: dict, beat: float) -> tuple[float, tuple[int, ...]]:
        """A floor for part r of a batch, the larger of: the `_pack` of the part; for each
        constraint with a lower bound that holds the whole part and more, its lower bound
        less the caps of its other cells tiled (`_tile`) by capped constraints (the first such
        on a tie). A constraint is skipped when a known allocation shows it
        cannot do better than the best so far or than `beat`: skipping changes no proof
        that reaches `beat` or more."""
        touch, inside, holding = batch["touch"][r], batch["inside"][r], batch["holding"][r]
        if batch["packed"][r]:  # disjoint: worked out for the whole batch at once
            best = (float(batch["pack"][r]), tuple(_indexes(inside & self.has_lower).tolist()))
        else:
            best = self._pack(_indexes(inside & self.has_lower))
        rows = _indexes(holding & self.has_lower & (self.size > batch["size"][r]))
        if not len(rows):
            return best
        # a cap on the other cells is at least what any known allocation puts there
        most = self.lows[rows] - (batch["XA"][rows] - batch["XT"][r]).max(axis=1)
        for i, bound in zip(rows.tolist(), most.tolist()):
            if bound < best[0] + 0.5 or bound < beat:
                continue
            cap, tiles = self._tile(
                self.masks[i] & ~batch["masks"][r], _indexes(self._within[i] & ~touch & self.has_cap)
            )
            if self.lows[i] - cap > best[0]:
                best = (float(self.lows[i] - cap), tuple(sorted({i, *tiles})))
        return best

    def _high_proof(self, r: int, batch: dict, beat: float) -> tuple[float, tuple[int, ...]]:
        """A ceiling for part r of a batch, the least of: the `_cover` of the part, less the
        `_pack` of the cells its constraints hold outside the part; for each capped
        constraint that holds the whole part, its cap less the `_pack` of its other cells
        (the first such on a tie). A constraint is skipped when a known allocation shows it
        cannot do better than the best so far or than `beat` (a pack is a floor for every
        feasible allocation): skipping changes no proof that reaches `beat` or less."""
        touch, inside, holding = batch["touch"][r], batch["inside"][r], batch["holding"][r]
        if batch["tiled"][r]:  # disjoint caps inside the part cover it: worked out for the batch
            best = (float(batch["tile"][r]), tuple(_indexes(inside & self.has_cap).tolist()))
        else:
            cap, cover = self._cover(batch["masks"][r], _indexes(inside & self.has_cap))
            outside = np.zeros(self.m, dtype=bool)
            for i in cover:
                outside |= self._within[i]
            outside &= ~touch & self.has_lower
            floor, packed = self._pack(_indexes(outside)) if outside.any() else (0.0, ())
            best = (float(cap - floor), tuple(sorted({*cover, *packed})))
        rows = _indexes(holding & self.has_cap)
        if not len(rows):
            return best
        # a pack of the other cells is at most what any known allocation puts there
        least = self.ups[rows] - (batch["XA"][rows] - batch["XT"][r]).min(axis=1)
        for i, bound in zip(rows.tolist(), least.tolist()):
            if bound > best[0] - 0.5 or bound > beat:
                continue
            floor, packed = self._pack(_indexes(self._within[i] & ~touch & self.has_lower))
            if self.ups[i] - floor < best[0]:
                best = (float(self.ups[i] - floor), tuple(sorted({i, *packed})))
        return best

    # --- parts ----------------------------------------------------------------------------

    def _named(
        self,
        value: float | None,
        sense: int,
        single: float,
        single_row: int,
        proof: tuple[float, tuple[int, ...]] | None,
        duals: np.ndarray | None,
    ) -> tuple[int, ...]:
        """The rows a part's value rests on, by the precedence of the module's description."""
        if value is None or (sense == LOW and value == 0):
            return ()
        if single_row >= 0 and single == value:
            return (single_row,)
        if proof is not None and proof[0] == value:
            return proof[1]
        if duals is None:
            raise AssertionError("a part settled without a proof or a solve")
        return tuple(int(i) for i in _indexes(np.abs(duals) > EPS))

    def solve(self, requests: Iterable[tuple[int, tuple[int, ...], int]]) -> None:
        """Work out every requested (mask, cells, sense) not yet known."""
        todo = [
            (mask, cells, sense) for mask, cells, sense in dict.fromkeys(requests) if (mask, sense) not in self.results
        ]
        if not todo:
            return
        if not self.feasible():
            raise ValueError("the constraints cannot all hold")
        k = len(todo)
        T = np.zeros((k, self.n))
        for r, (_, cells, _) in enumerate(todo):
            T[r, list(cells)] = 1.0
        low = np.array([s == LOW for _, _, s in todo])
        counts = T @ self.A.T
        inside = counts == self.size[None, :]
        holding = counts == T.sum(axis=1)[:, None]
        floors = np.where(inside, self.lows[None, :], 0.0).max(axis=1, initial=0.0)
        ceilings = np.where(holding, self.ups[None, :], np.inf).min(axis=1, initial=np.inf)
        single = np.where(low, floors, ceilings)
        # the one constraint that proves a single bound: the narrowest, then the first
        proves = np.where(
            low[:, None],
            inside & (self.lows[None, :] == single[:, None]),
            holding & (self.ups[None, :] == single[:, None]),
        )
        single_row = np.where(proves.any(axis=1), np.where(proves, self._narrow, np.inf).argmin(axis=1), -1)
        settled = np.where(low, (T @ self.lower_cells) == 0, (T @ self.uncapped_cells) > 0)
        X = np.array(self.points)
        reached = T @ X.T
        batch = {
            "touch": counts > 0,
            "inside": inside,
            "holding": holding,
            "size": T.sum(axis=1),
            "masks": [mask for mask, _, _ in todo],
            "XA": self.A @ X.T,
            "XT": reached,
        }
        # the plain cases of `_pack` and `_cover`, for the whole batch: disjoint constraints
        floors_in = (inside & self.has_lower).astype(float)
        caps_in = (inside & self.has_cap).astype(float)
        batch["packed"] = floors_in @ self.size == ((floors_in @ self.A) > 0).sum(axis=1)
        batch["pack"] = floors_in @ self.lows
        batch["tiled"] = (caps_in @ self.size == ((caps_in @ self.A) > 0).sum(axis=1)) & (
            caps_in @ self.size == batch["size"]
        )
        batch["tile"] = caps_in @ np.where(self.has_cap, self.ups, 0.0)
        best_point = np.where(low, reached.min(axis=1), reached.max(axis=1))
        rest: list[int] = []
        for r, (mask, _, sense) in enumerate(todo):
            if settled[r]:  # no lower bound reaches the part, or a cell has no cap
                self.results[(mask, sense)] = (0.0, ()) if sense == LOW else (None, ())
            elif abs(best_point[r] - single[r]) < 1e-9:  # a known allocation reaches one constraint's bound
                value = float(single[r])
                self.results[(mask, sense)] = (value, self._named(value, sense, single[r], single_row[r], None, None))
            else:
                rest.append(r)

        # the most any least-value proof can reach: every pack is at most the sum of the
        # lower bounds inside the part, every constraint holding it at most its bound less
        # what a known allocation puts on its other cells
        reach = np.where(inside & self.has_lower, self.lows, 0.0).sum(axis=1)
        holds_more = holding & self.has_lower & (self.size[None, :] > batch["size"][:, None])
        if holds_more.any():
            # only the (part, constraint) pairs where a constraint holds the part and more
            parts_of, rows_of = np.nonzero(holds_more)
            spare = (batch["XA"][rows_of] - batch["XT"][parts_of]).max(axis=1)
            most = np.full(k, -np.inf)
            np.maximum.at(most, parts_of, self.lows[rows_of] - spare)
            reach = np.maximum(reach, most)

        def proof(r: int, beat: float) -> tuple[float, tuple[int, ...]]:
            """The greedy proof of part r where it can reach `beat` (else a stand-in)."""
            if low[r]:
                return self._low_proof(r, batch, beat) if reach[r] >= beat else (-math.inf, ())
            return self._high_proof(r, batch, beat)

        def settle(r: int, value: float, duals: np.ndarray | None, found=None) -> None:
            """Record a part's exact value and its names by precedence (the greedy proof
            is worked out here if the value is not one constraint's bound and the proof at
            hand was cut short before it could reach the value)."""
            mask, _, sense = todo[r]
            value = _snap(value)
            if abs(value - single[r]) < 1e-9:
                value = float(single[r])
            else:
                beat = value - 0.5 if low[r] else value + 0.5
                if found is None or (
                    abs(found[1][0] - value) >= 1e-9 and (found[0] > beat if low[r] else found[0] < beat)
                ):
                    found = (beat, proof(r, beat))
                if abs(found[1][0] - value) < 1e-9:
                    value = float(found[1][0])
            named = self._named(value, sense, single[r], single_row[r], None if found is None else found[1], duals)
            self.results[(mask, sense)] = (value, named)

        # where a canonical basis is already optimal, the solver would stop at once: no solve
        pending: list[int] = []
        for sense in (LOW, HIGH):
            rows = np.array([r for r in rest if todo[r][2] == sense], dtype=np.int64)
            if len(rows):
                start = self._start_of(sense)
                ok, Y = start.optimal(T[rows], sense)
                for r, y in zip(rows[ok].tolist(), Y[ok]):
                    settle(r, float(T[r] @ start.x), y)
                pending += rows[~ok].tolist()
        pending.sort()
        # the rest: a greedy proof that a known allocation reaches, or a solve
        X = np.array(self.points)
        batch["XA"], batch["XT"] = self.A @ X.T, T @ X.T
        best_point = np.where(low, batch["XT"].min(axis=1), batch["XT"].max(axis=1))
        proofs: dict[int, tuple[float, tuple[float, tuple[int, ...]]]] = {}
        claim = single.copy()
        waiting: list[int] = []
        for r in pending:
            # a proof matters now only if a known allocation reaches it
            beat = best_point[r] - 0.5 if low[r] else best_point[r] + 0.5
            found = (beat, proof(r, beat))
            proofs[r] = found
            claim[r] = max(single[r], found[1][0]) if low[r] else min(single[r], found[1][0])
            if abs(best_point[r] - claim[r]) < 1e-9:
                settle(r, float(claim[r]), None, found)
            else:
                waiting.append(r)
        done = np.zeros(k, dtype=bool)
        for at, r in enumerate(waiting):
            if done[r]:
                continue
            _, cells, sense = todo[r]
            value, duals = self._solve(list(cells), sense)
            settle(r, value, duals, proofs[r])
            later = np.array([q for q in waiting[at + 1 :] if not done[q]], dtype=np.int64)
            if len(later):
                for q in later[np.abs(T[later] @ self.points[-1] - claim[later]) < 1e-9].tolist():
                    settle(q, float(claim[q]), None, proofs[q])
                    done[q] = True

    def claims(self, rows: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(cid for i in rows for cid in self.rows[i][3])

    # --- conflicts ------------------------------------------------------------------------

    def _ray(self, h: highspy.Highs, active: np.ndarray) -> set[int] | None:
        """The rows the solver's proof of infeasibility uses, if it checks out: y with
        y.A <= 0 and sum(y+ * lower) - sum(y- * upper) > 0 (or the same for -y)."""
        _, has_ray, values = h.getDualRay()  # type: ignore[attr-defined]
        if not has_ray:
            return None
        y = np.where(active, np.asarray(values, dtype=float), 0.0)
        y[np.abs(y) < 1e-9] = 0.0
        for sign in (1.0, -1.0):
            z = sign * y
            if (z @ self.A <= 1e-9).all():
                pos, neg = z > 0, z < 0
                if np.isfinite(self.ups[neg]).all():
                    beta = float(z[pos] @ self.lows[pos] + z[neg] @ self.ups[neg])
                    if beta > 1e-6:
                        return {int(i) for i in np.flatnonzero(z)}
        return None

    def _switch(self, h: highspy.Highs, active: np.ndarray) -> None:
        """Give the solver's rows their bounds where `active`, none elsewhere (a row set
        aside), changing only the rows whose state changes."""
        for i in np.flatnonzero(active != self._active):
            if active[i]:
                h.changeRowBounds(int(i), self.lows[i], self.ups[i] if np.isfinite(self.ups[i]) else INF)
            else:
                h.changeRowBounds(int(i), -INF, INF)
        self._active = active.copy()

    def holds(self, h: highspy.Highs, active: np.ndarray) -> tuple[bool, set[int] | None]:
        """Whether the active rows can all hold, the solver (dual simplex) starting from
        where its last run ended; if not, the rows of its checked proof (None if the proof
        does not check out)."""
        self._switch(h, active)
        status = self._run(h)
        if status not in (_OPTIMAL, _INFEASIBLE):
            raise RuntimeError(f"HiGHS ended with {status} on a feasibility problem")
        return status == _OPTIMAL, None if status == _OPTIMAL else self._ray(h, active)

    def conflict(self) -> list[int]:
        """A minimal set of rows that cannot all hold, by the deletion filter of the
        module's description; the rows' local indexes in order."""
        if self.n == 0:
            return [next(i for i in range(self.m) if self.lows[i] > 0)]
        h = self._h
        assert h is not None
        h.setOptionValue("simplex_strategy", 1)  # dual simplex: infeasibility comes with a ray
        try:
            return self._deletion(lambda active: self.holds(h, active))
        finally:
            self._switch(h, np.ones(self.m, dtype=bool))
            h.setOptionValue("simplex_strategy", 4)
            h.clearSolver()

    def _deletion(self, holds, active: np.ndarray | None = None) -> list[int]:
        """Each row in turn (of the `active` ones; default: all) is set aside if the rest
        still cannot hold; a row the current proof of infeasibility does not use is set
        aside without a solve. Rows that hold give no conflict (empty)."""
        ray = self._first_ray if active is None else None
        active = np.ones(self.m, dtype=bool) if active is None else active.copy()
        if ray is None:
            ok, ray = holds(active)
            if ok:
                return []
        keep = []
        for i in np.flatnonzero(active).tolist():
            active[i] = False
            if ray is not None and i not in ray:
                continue
            ok, proof = holds(active)
            if ok:
                active[i] = True
                keep.append(i)
            else:
                ray = proof
        return keep


def _components(n_cells: int, cell_sets: list[tuple[int, ...]]) -> list[list[int]]:
    """Indexes of the cell sets, grouped where they share cells (transitively); groups in
    order of their first set. A set with no cell is a group of its own."""
    parent = list(range(n_cells))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for cells in cell_sets:
        if cells:
            root = find(cells[0])
            for c in cells[1:]:
                other = find(c)
                if other != root:
                    parent[other] = root
    groups: dict[object, list[int]] = {}
    for i, cells in enumerate(cell_sets):
        groups.setdefault(find(cells[0]) if cells else ("empty", i), []).append(i)
    return list(groups.values())


class _Parts:
    """Cells grouped into components, each a `_System`; targets split into parts."""

    systems: list[_System]

    def _layout(self, n_cells: int, groups: list[list[tuple[int, ...]]]) -> list[list[int]]:
        """Give each component its cells (sorted) and local indexes; return its cells."""
        self.n = n_cells
        self.comp_of = np.full(n_cells, -1, dtype=np.int64)
        self.local = np.zeros(n_cells, dtype=np.int64)
        layout = []
        for k, sets in enumerate(groups):
            cells = sorted({c for s in sets for c in s})
            self.comp_of[cells] = k
            self.local[cells] = np.arange(len(cells))
            layout.append(cells)
        self._comp = self.comp_of.tolist()
        self._loc = self.local.tolist()
        return layout

    def split(self, cells: Iterable[int]) -> tuple[dict[int, tuple[int, ...]], bool]:
        """A target's parts: component -> its local cells (in order); and whether a cell
        is free (under no constraint)."""
        parts: dict[int, list[int]] = {}
        free = False
        comp, loc = self._comp, self._loc
        for c in sorted(cells):
            k = comp[c]
            if k < 0:
                free = True
            else:
                parts.setdefault(k, []).append(loc[c])
        return {k: tuple(v) for k, v in parts.items()}, free


class Model(_Parts):
    """A set of constraints over `n_cells` non-negative unknowns (see the module's
    description). `reuse`: a model whose components (same constraints) are taken over
    with what they already worked out."""

    def __init__(self, n_cells: int, constraints: list[Constraint], reuse: Model | None = None):
        self.constraints = list(constraints)
        groups = _components(n_cells, [c.cells for c in self.constraints])
        layout = self._layout(n_cells, [[self.constraints[i].cells for i in g] for g in groups])
        self.rows_of = groups
        known = reuse._by_key if reuse is not None else {}
        self.systems = []
        self._by_key: dict[tuple[Constraint, ...], _System] = {}
        for g, cells in zip(groups, layout):
            key = tuple(self.constraints[i] for i in g)
            system = known.get(key)
            if system is None:
                local = {c: j for j, c in enumerate(cells)}
                system = _System(
                    len(cells), [(tuple(local[x] for x in c.cells), c.lower, c.upper, c.claim_ids) for c in key]
                )
            self.systems.append(system)
            self._by_key[key] = system

    def feasible(self) -> bool:
        return all(s.feasible() for s in self.systems)

    def solve(self, parts: Iterable[tuple[int, tuple[int, ...]]]) -> None:
        """Work out the low and high of every (component, local cells) part at once."""
        by_system: dict[int, list] = {}
        for k, cells in parts:
            mask = _mask(cells)
            by_system.setdefault(k, []).extend([(mask, cells, LOW), (mask, cells, HIGH)])
        for k, requests in by_system.items():
            self.systems[k].solve(requests)

    def part(self, k: int, cells: tuple[int, ...], sense: int) -> tuple[float | None, tuple[str, ...]]:
        """A part's exact least (LOW) or greatest (HIGH) value and the claims it rests on."""
        system = self.systems[k]
        mask = _mask(cells)
        if (mask, sense) not in system.results:
            system.solve([(mask, cells, sense)])
        value, rows = system.results[(mask, sense)]
        return value, system.claims(rows)

    def bounds_many(self, targets: list[tuple[int, ...]]) -> list[Bound]:
        """`bounds` of many targets, their parts worked out together."""
        if not self.feasible():
            raise ValueError("the constraints cannot all hold")
        splits = [self.split(t) for t in targets]
        self.solve((k, cells) for parts, _ in splits for k, cells in parts.items())
        return [self.combine(parts, free) for parts, free in splits]

    def combine(self, parts: dict, free: bool) -> Bound:
        """A target's bound from its parts (`split`): the sums of the parts' least and
        greatest values, rounded inwards to whole numbers, with the claims each part names.
        `free` (a target cell no constraint touches) leaves the greatest value open."""
        low, high = 0.0, None if free else 0.0  # type: tuple[float, float | None]
        low_ids: set[str] = set()
        high_ids: set[str] = set()
        for k, cells in parts.items():
            lo, lo_ids = self.part(k, cells, LOW)
            hi, hi_ids = self.part(k, cells, HIGH)
            low += lo or 0.0
            low_ids.update(lo_ids)
            high = None if high is None or hi is None else high + hi
            high_ids.update(hi_ids)
        return Bound(
            math.ceil(low - EPS),
            None if high is None else math.floor(high + EPS),
            tuple(sorted(low_ids)),
            () if high is None else tuple(sorted(high_ids)),
        )

    def bounds(self, target: tuple[int, ...]) -> Bound:
        """Least and greatest value of sum(x[target]) and the claims each rests on; raises
        ValueError if the constraints cannot all hold."""
        return self.bounds_many([tuple(target)])[0]

    def conflict_set(self) -> list[Constraint]:
        """A minimal set of constraints that cannot all hold (empty if they can): the
        deletion filter in constraint order (see the module's description)."""
        if self.feasible():
            return []
        chosen: list[int] | None = None
        for system, rows in zip(self.systems, self.rows_of):
            if not system.feasible():
                kept = [rows[i] for i in system.conflict()]
                if chosen is None or kept[0] > chosen[0]:
                    chosen = kept
        assert chosen is not None
        return [self.constraints[i] for i in chosen]


class Subsets:
    """Whether subsets of one list of constraints can all hold: one linear program over
    them all, whose rows are switched on and off between checks, each check starting from
    where the last one ended. The answers are those of a fresh `Model` of each subset
    (`feasible`), without building one per check."""

    def __init__(self, constraints: list[Constraint]):
        cells = sorted({c for x in constraints for c in x.cells})
        local = {c: j for j, c in enumerate(cells)}
        rows = [(tuple(local[c] for c in x.cells), x.lower, x.upper, x.claim_ids) for x in constraints]
        self._system = _System(len(cells), rows)
        self._h: highspy.Highs | None = None

    def _solver(self) -> highspy.Highs:
        if self._h is None:
            self._h = self._system._build()
            self._h.setOptionValue("simplex_strategy", 1)  # dual simplex: infeasibility comes with a ray
        return self._h

    def holds(self, active: list[bool]) -> bool:
        """Whether the constraints flagged in `active` (in the list's order) can all hold."""
        flags = np.array(active, dtype=bool)
        system = self._system
        if system.n == 0:  # constraints over no cell: each sum is 0
            return bool((system.lows[flags] <= 0).all())
        return system.holds(self._solver(), flags)[0]

    def conflict(self, active: list[bool]) -> list[int]:
        """The places of a minimal set of the flagged constraints that cannot all hold
        (empty if they can): what `Model.conflict_set` gives for a model of the flagged
        constraints in the list's order (constraints of parts that hold are all set aside
        by the filter)."""
        flags = np.array(active, dtype=bool)
        system = self._system
        if system.n == 0:  # each constraint over no cell is a part of its own: the last that fails
            return [i for i in np.flatnonzero(flags).tolist() if system.lows[i] > 0][-1:]
        h = self._solver()
        return system._deletion(lambda rows: system.holds(h, rows), flags)


class FaceValue(_Parts):
    """The best figure: the claims at face value, the fewest deaths placed on a target.

    For each stated figure k (cells, face value, claim IDs), gaps p_k, m_k >= 0 with
    sum(x[cells_k]) - p_k + m_k = face_k; every constraint of the model still holds. The
    allocations with the least total gap sum(p + m) are the closest to the stated figures;
    `best(target)` is the least value of sum(x[target]) among them (see the module's
    description for how they are written as constraints per component)."""

    def __init__(self, model: Model, faces: Iterable[Face]):
        if not model.feasible():
            raise ValueError("the constraints cannot all hold")
        self.model = model
        self.faces = list(faces)
        sets = [c.cells for c in model.constraints] + [f.cells for f in self.faces]
        groups = _components(model.n, sets)
        m = len(model.constraints)
        self._groups = [([i for i in g if i < m], [i - m for i in g if i >= m]) for g in groups]
        self._cells = self._layout(model.n, [[sets[i] for i in g] for g in groups])
        self.systems = [None] * len(groups)  # type: ignore[list-item]
        self.gaps: list[float | None] = [None] * len(groups)

    def _system(self, k: int) -> _System:
        """Component k's allocations with the least total gap, as constraints."""
        system = self.systems[k]
        if system is not None:
            return system
        rows_idx, faces_idx = self._groups[k]
        cells = self._cells[k]
        local = {c: j for j, c in enumerate(cells)}
        n = len(cells)
        rows = [
            (tuple(local[x] for x in c.cells), c.lower, c.upper, c.claim_ids)
            for c in (self.model.constraints[i] for i in rows_idx)
        ]
        faces = [
            Face(tuple(local[x] for x in f.cells), f.value, f.claim_ids, f.capped)
            for f in (self.faces[j] for j in faces_idx)
        ]
        gap, tight = self._least_gap(n, rows, faces)
        self.gaps[k] = gap
        system = _System(n, tight)
        self.systems[k] = system
        return system

    @staticmethod
    def _least_gap(n: int, rows: list, faces: list[Face]) -> tuple[float, list]:
        """The least total gap of one component, solved from scratch, and the allocations
        reaching it as constraints (complementary slackness with the dual solution). The
        excess over a figure that caps nothing costs nothing."""
        k = len(faces)
        if k == 0:
            return 0.0, rows
        h = _highs()
        lp = highspy.HighsLp()
        lp.num_col_ = n + 2 * k
        lp.col_cost_ = np.concatenate([np.zeros(n), [float(g) for f in faces for g in (f.capped, 1)]])
        lp.col_lower_ = np.zeros(n + 2 * k)
        lp.col_upper_ = np.full(n + 2 * k, INF)
        starts, index, values = [0], [], []
        for cells, _, _, _ in rows:
            index += list(cells)
            values += [1.0] * len(cells)
            starts.append(len(index))
        for j, f in enumerate(faces):
            index += [*f.cells, n + 2 * j, n + 2 * j + 1]
            values += [1.0] * len(f.cells) + [-1.0, 1.0]
            starts.append(len(index))
        lp.num_row_ = len(rows) + k
        lp.row_lower_ = np.array([lo for _, lo, _, _ in rows] + [f.value for f in faces], dtype=float)
        lp.row_upper_ = np.array(
            [INF if up is None else up for _, _, up, _ in rows] + [f.value for f in faces], dtype=float
        )
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = n + 2 * k
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values, dtype=float)
        h.passModel(lp)
        if _solve_now(h) != _OPTIMAL:
            raise RuntimeError("HiGHS found no allocation closest to the stated figures")
        gap = _snap(h.getInfo().objective_function_value)
        if gap <= 1e-9:
            return 0.0, rows + [(f.cells, f.value, f.value if f.capped else None, f.claim_ids) for f in faces]
        solution = h.getSolution()
        row_dual, row_value = np.asarray(solution.row_dual), np.asarray(solution.row_value)
        reduced = np.asarray(solution.col_dual)
        tight = []
        for i, (cells, lo, up, ids) in enumerate(rows):
            if abs(row_dual[i]) > 1e-7:
                at = lo if up is None or abs(row_value[i] - lo) <= 1e-6 else up
                tight.append((cells, at, at, ids))
            else:
                tight.append((cells, lo, up, ids))
        for j, f in enumerate(faces):
            over, under = reduced[n + 2 * j] > 1e-7, reduced[n + 2 * j + 1] > 1e-7
            if over and under:
                tight.append((f.cells, f.value, f.value, f.claim_ids))
            elif over:  # no excess: at most the stated figure
                tight.append((f.cells, 0.0, f.value, f.claim_ids))
            elif under:  # no shortfall: at least the stated figure
                tight.append((f.cells, f.value, None, f.claim_ids))
        tight += [((j,), 0.0, 0.0, ()) for j in np.flatnonzero(reduced[:n] > 1e-7)]
        return gap, tight

    @property
    def gap(self) -> float:
        """The least total gap over all components."""
        for k in range(len(self.systems)):
            self._system(k)
        return float(sum(g or 0.0 for g in self.gaps))

    def solve(self, parts: Iterable[tuple[int, tuple[int, ...]]]) -> None:
        by_system: dict[int, list] = {}
        for k, cells in parts:
            by_system.setdefault(k, []).append((_mask(cells), cells, LOW))
        for k, requests in by_system.items():
            self._system(k).solve(requests)

    def part(self, k: int, cells: tuple[int, ...]) -> tuple[float, tuple[str, ...]]:
        """A part's exact least value at face value and the claims it rests on."""
        system = self._system(k)
        mask = _mask(cells)
        if (mask, LOW) not in system.results:
            system.solve([(mask, cells, LOW)])
        value, rows = system.results[(mask, LOW)]
        return float(value), system.claims(rows)  # type: ignore[arg-type]

    def best(self, target: tuple[int, ...], bound: Bound | None = None) -> tuple[int, tuple[str, ...]]:
        """The least whole number of deaths the stated figures place on the target cells,
        and the claims that fix it. Rounding a fractional least value up can pass a
        whole-number high: with the target's `bound` given, the best is kept inside it."""
        parts, _ = self.split(target)
        self.solve(parts.items())
        total, ids = 0.0, set()  # type: tuple[float, set[str]]
        for k, cells in parts.items():
            value, names = self.part(k, cells)
            total += value
            ids.update(names)
        return settle(total, bound, ids)


def settle(total: float, bound: Bound | None, ids: Iterable[str]) -> tuple[int, tuple[str, ...]]:
    """A best figure from the exact sum of its parts: rounded up, kept inside the bound."""
    value = math.ceil(total - EPS)
    if bound is not None:
        value = max(value, bound.low) if bound.high is None else min(max(value, bound.low), bound.high)
    return (0, ()) if value == 0 else (value, tuple(sorted(set(ids))))
