"""The linear model behind reconciliation: claims as constraints on unknown counts.

Unknowns are non-negative counts, one per cell (a day and a side). A claim becomes a
`Constraint`: the sum of the cells it covers lies between `lower` and `upper` (`upper` None:
no cap). The model answers three questions with linear programs solved by HiGHS
(highspy), one model per set of constraints, re-solved from the last basis for each new
objective:

- `bounds(target)`: the least and greatest value a sum of cells can take while every
  constraint holds, with the constraints that bind each end (the claims a figure rests on);
  greatest is None ("open") where no constraint caps it;
- `conflict_set()`: when the constraints cannot all hold, a smallest set that cannot
  (every proper subset can): the constraints named by the solver's proof of
  infeasibility (its dual ray), narrowed by a deletion filter;
`FaceValue` answers a fourth: the best figure, what the accepted claims say at face value
("at least 22" is 22, "about 17" is 17). First the allocations closest to every claim's
stated number are found (least total absolute gap, a linear program); `best(target)` is
then the least value the sum of cells takes among them: the deaths the claims place on
those cells at face value, never a spread of deaths they leave unplaced.

Counts are whole numbers: the linear programs' least values are rounded up and greatest
down (valid bounds for whole counts).
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np

EPS = 1e-6
TIME_LIMIT = 30.0
INF = highspy.kHighsInf
_OPTIMAL = highspy.HighsModelStatus.kOptimal
_OPEN = {highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible}
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
    # Small models re-solved with a new objective: a warm primal simplex without presolve,
    # on one thread, is quickest (about a quarter less time per battle than the defaults).
    h.setOptionValue("presolve", "off")
    h.setOptionValue("simplex_strategy", 4)
    h.setOptionValue("threads", 1)
    # A guard, never reached on these small models: a solve that runs this long is a bug.
    h.setOptionValue("time_limit", TIME_LIMIT)
    return h


@dataclass(frozen=True)
class Constraint:
    """lower <= sum(x[c] for c in cells) <= upper; `claim_ids` are the claims behind it."""

    cells: tuple[int, ...]
    lower: float
    upper: float | None
    claim_ids: tuple[str, ...]


@dataclass(frozen=True)
class Bound:
    low: int
    high: int | None
    low_claims: tuple[str, ...]
    high_claims: tuple[str, ...]


class Model:
    """A set of constraints over `n_cells` non-negative unknowns."""

    def __init__(self, n_cells: int, constraints: list[Constraint]):
        self.n = n_cells
        self.constraints = list(constraints)
        self._cols = np.arange(n_cells, dtype=np.int32)
        self._h = _highs()
        lp = highspy.HighsLp()
        lp.num_col_ = n_cells
        lp.num_row_ = len(self.constraints)
        lp.col_cost_ = np.zeros(n_cells)
        lp.col_lower_ = np.zeros(n_cells)
        lp.col_upper_ = np.full(n_cells, INF)
        self._lows = np.array([c.lower for c in self.constraints], dtype=float)
        self._ups = np.array([INF if c.upper is None else c.upper for c in self.constraints], dtype=float)
        lp.row_lower_ = self._lows
        lp.row_upper_ = self._ups
        starts, index = [0], []
        for c in self.constraints:
            index.extend(c.cells)
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = n_cells
        lp.a_matrix_.num_row_ = len(self.constraints)
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.ones(len(index))
        self._h.passModel(lp)
        self._feasible = None
        self._mask = np.zeros((len(self.constraints), n_cells), dtype=bool)
        for i, c in enumerate(self.constraints):
            self._mask[i, list(c.cells)] = True
        self._lower = (self._mask & (self._lows > 0)[:, None]).any(axis=0)
        self._upper = (self._mask & np.isfinite(self._ups)[:, None]).any(axis=0)
        self._solutions: list[np.ndarray] = []

    def _run(self, cost: np.ndarray, sense=highspy.ObjSense.kMinimize):
        self._h.changeObjectiveSense(sense)
        self._h.changeColsCost(self.n, self._cols, cost)
        self._h.run()
        status = self._h.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise RuntimeError(f"HiGHS stopped after {TIME_LIMIT} s on a {self.n}-cell model")
        return status

    def feasible(self) -> bool:
        if self._feasible is None:
            self._feasible = self._run(np.zeros(self.n)) == _OPTIMAL
        return self._feasible

    def _binding(self) -> tuple[str, ...]:
        duals = self._h.getSolution().row_dual
        return tuple(sorted({cid for c, d in zip(self.constraints, duals) if abs(d) > EPS for cid in c.claim_ids}))

    def _certified(self, t: np.ndarray, value: float) -> bool:
        """Whether a feasible point already found gives sum(x[t]) == value."""
        return bool(self._solutions) and bool((np.abs(np.array(self._solutions) @ t - value) < 1e-6).any())

    def _tightest(self, which: np.ndarray) -> tuple[str, ...]:
        """Claims of the narrowest of the given constraints (an exact figure before a bound)."""
        rows = np.flatnonzero(which)
        i = int(rows[np.argmin(self._ups[rows] - self._lows[rows])])
        return self.constraints[i].claim_ids

    def _keep(self) -> None:
        self._solutions.append(np.array(self._h.getSolution().col_value))

    def bounds(self, target: tuple[int, ...]) -> Bound:
        """Least and greatest value of sum(x[target]); raises ValueError if infeasible.

        A linear program is run only when needed. Any constraint whose cells all lie in
        the target gives a floor (its lower bound), any constraint holding every target
        cell a ceiling (its upper bound); when a feasible point already found reaches that
        floor or ceiling, it is the answer and that constraint is what binds. With no
        target cell under a lower bound the least value is 0 (lower the cells to 0 and
        every constraint still holds); with a target cell under no upper bound the
        greatest is open (raise that cell without limit)."""
        if not self.feasible():
            raise ValueError("the constraints cannot all hold")
        cells = list(target)
        t = np.zeros(self.n)
        t[cells] = 1.0
        inside = ~(self._mask & (t == 0)).any(axis=1)
        holding = ~((t > 0) & ~self._mask).any(axis=1)
        floor = self._lows[inside].max(initial=0.0)
        ceiling = self._ups[holding].min(initial=np.inf)
        if not self._lower[cells].any() or (floor == 0 and self._certified(t, 0.0)):
            low, low_claims = 0, ()
        elif floor > 0 and self._certified(t, floor):
            low, low_claims = round(floor), self._tightest(inside & (self._lows == floor))
        else:
            self._run(t)
            low, low_claims = math.ceil(self._h.getInfo().objective_function_value - EPS), self._binding()
            self._keep()
        if not self._upper[cells].all():
            return Bound(low, None, low_claims, ())
        if np.isfinite(ceiling) and self._certified(t, ceiling):
            return Bound(low, round(ceiling), low_claims, self._tightest(holding & (self._ups == ceiling)))
        status = self._run(t, highspy.ObjSense.kMaximize)
        if status in _OPEN or status != _OPTIMAL:
            return Bound(low, None, low_claims, ())
        high = math.floor(self._h.getInfo().objective_function_value + EPS)
        self._keep()
        return Bound(low, high, low_claims, self._binding())

    def conflict_set(self) -> list[Constraint]:
        """A smallest infeasible subset of the constraints (empty if they can all hold).

        The dual simplex's proof of infeasibility (a dual ray) names the constraints it
        combines; the others are freed, and a deletion filter then frees one candidate at a
        time, keeping it freed while the rest still conflict."""
        if self.feasible():
            return []
        h, zero = self._h, np.zeros(self.n)

        def restore(i, c):
            h.changeRowBounds(i, c.lower, INF if c.upper is None else c.upper)

        h.setOptionValue("simplex_strategy", 1)
        self._run(zero)
        _, has_ray, ray = h.getDualRay()
        h.setOptionValue("simplex_strategy", 4)
        candidates = list(range(len(self.constraints)))
        if has_ray:
            named = [i for i in candidates if abs(ray[i]) > EPS]
            for i in candidates:
                if i not in named:
                    h.changeRowBounds(i, -INF, INF)
            if self._run(zero) == _OPTIMAL:
                for i, c in enumerate(self.constraints):
                    restore(i, c)
            else:
                candidates = named
        keep = []
        for i in candidates:
            c = self.constraints[i]
            h.changeRowBounds(i, -INF, INF)
            if self._run(zero) == _OPTIMAL:
                restore(i, c)
                keep.append(c)
        for i, c in enumerate(self.constraints):
            restore(i, c)
        return keep


class FaceValue:
    """The best figure: the claims at face value, the fewest deaths placed on a target.

    Unknowns are the model's cells plus, for each stated figure k, gaps p_k, m_k >= 0 with
    sum(x[cells_k]) - p_k + m_k = face_k. Every constraint of the model still holds. The
    least total gap G is found once; `best(target)` minimises sum(x[target]) subject to
    sum(p + m) <= G, so it is what the stated figures require of the target."""

    def __init__(self, model: Model, faces: list[tuple[tuple[int, ...], float, tuple[str, ...]]]):
        if not model.feasible():
            raise ValueError("the constraints cannot all hold")
        n, k = model.n, len(faces)
        self.n = n
        self._h = _highs()
        lp = highspy.HighsLp()
        lp.num_col_ = n + 2 * k
        lp.col_cost_ = np.concatenate([np.zeros(n), np.ones(2 * k)])
        lp.col_lower_ = np.zeros(n + 2 * k)
        lp.col_upper_ = np.full(n + 2 * k, INF)
        starts, index, values = [0], [], []
        for c in model.constraints:
            index += list(c.cells)
            values += [1.0] * len(c.cells)
            starts.append(len(index))
        for j, (cells, _, _) in enumerate(faces):
            index += [*cells, n + 2 * j, n + 2 * j + 1]
            values += [1.0] * len(cells) + [-1.0, 1.0]
            starts.append(len(index))
        face_values = np.array([f for _, f, _ in faces], dtype=float)
        self._ids = [c.claim_ids for c in model.constraints] + [ids for _, _, ids in faces]
        lp.num_row_ = len(model.constraints) + k
        lp.row_lower_ = np.concatenate([model._lows, face_values])
        lp.row_upper_ = np.concatenate([model._ups, face_values])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = n + 2 * k
        lp.a_matrix_.num_row_ = lp.num_row_
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values, dtype=float)
        self._h.passModel(lp)
        self._h.run()
        if self._h.getModelStatus() != _OPTIMAL:
            raise RuntimeError("HiGHS found no allocation closest to the stated figures")
        gap = self._h.getInfo().objective_function_value
        scale = max(1.0, float(np.abs(face_values).sum()))
        self._h.addRow(-INF, gap + 1e-7 * scale, 2 * k, np.arange(n, n + 2 * k, dtype=np.int32), np.ones(2 * k))
        self._m, self._k = len(model.constraints), k
        self._cols = np.arange(n + 2 * k, dtype=np.int32)
        self._cost = np.zeros(n + 2 * k)
        self.gap = gap

    def best(self, target: tuple[int, ...], bound: Bound | None = None) -> tuple[int, tuple[str, ...]]:
        """The least whole number of deaths the stated figures place on the target cells,
        and the claims that fix it (non-zero dual values of constraints and stated figures).
        Rounding a fractional least value up can pass a whole-number high: with the
        target's `bound` given, the best is kept inside it."""
        cost = np.zeros_like(self._cost)
        cost[list(target)] = 1.0
        self._h.changeColsCost(len(self._cols), self._cols, cost)
        self._h.run()
        if self._h.getModelStatus() != _OPTIMAL:
            raise RuntimeError("HiGHS failed on a face-value figure")
        value = math.ceil(self._h.getInfo().objective_function_value - 1e-6)
        if bound is not None:
            value = max(value, bound.low) if bound.high is None else min(max(value, bound.low), bound.high)
        if value == 0:
            return 0, ()
        duals = np.asarray(self._h.getSolution().row_dual)[:self._m + self._k]
        return value, tuple(sorted({i for j in np.flatnonzero(np.abs(duals) > EPS) for i in self._ids[j]}))
