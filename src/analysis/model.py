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
- `best()`: one allocation inside the bounds. Every "at least" figure is read at face
  value where the others allow it, no more deaths are placed than the constraints require,
  and what they leave unplaced is spread as evenly as they allow (least sum of squares).
  Formally: minimise the sum of all cells plus the sum over each lower-bound-only
  constraint of its cells (a linear program); among the points that reach that minimum,
  take the one with the least sum of squares (a quadratic program, quadprog); should that
  fail, the first optimum is used.

Counts are whole numbers: the linear programs' least value is rounded up and greatest
down (valid bounds for whole counts). `figure()` keeps the best allocation, which need
not be whole, inside those rounded bounds.
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

    def best(self) -> np.ndarray:
        """Claims at face value, fewest deaths, the rest spread as evenly as allowed."""
        if not self.feasible():
            raise ValueError("the constraints cannot all hold")
        weights = np.ones(self.n)
        for c in self.constraints:
            if c.upper is None and c.lower > 0:
                weights[list(c.cells)] += 1.0
        self._run(weights)
        total = self._h.getInfo().objective_function_value
        first = np.array(self._h.getSolution().col_value)
        x = self._least_norm(weights, total)
        solved = x is not None and self._holds(x)
        self._solutions += [first, x] if solved else [first]
        return np.clip(x if solved else first, 0, None)

    def _least_norm(self, weights: np.ndarray, total: float) -> np.ndarray | None:
        """The point of least sum of squares among those that meet every constraint and
        reach the face-value minimum `total` of weights.x, or None.

        A strictly convex quadratic program solved exactly by the Goldfarb-Idnani dual
        method (quadprog; HiGHS's own QP solver was seen to stall on such programs). The
        face-value minimum is reached through exact regularisation: minimise
        mu * weights.x + |x|^2 / 2, which for mu large enough gives the least-norm point of
        the optimal face (Mangasarian); mu grows until that point reaches the minimum.
        Exact constraints are equalities, kept only while linearly independent (the rest
        follow from them: the model is feasible)."""
        import quadprog

        has_low, has_up = self._lows > 0, np.isfinite(self._ups)
        exact = has_low & has_up & (self._lows == self._ups)
        mask = self._mask.astype(float)
        equalities: list[int] = []
        for i in np.flatnonzero(exact):
            if np.linalg.matrix_rank(mask[equalities + [i]]) == len(equalities) + 1:
                equalities.append(i)
        scale = max(1.0, total)
        # inequalities loosened by a hair, so that one met exactly by an equality is not
        # taken for violated through rounding and reported as inconsistent
        slack = 1e-9 * scale
        C = np.vstack([mask[equalities], np.eye(self.n), mask[has_low & ~exact], -mask[has_up & ~exact]]).T
        b = np.concatenate([self._lows[equalities], np.full(self.n, -slack), self._lows[has_low & ~exact] - slack,
                            -self._ups[has_up & ~exact] - slack])
        for mu in (1e2, 1e4, 1e6):
            try:
                x = quadprog.solve_qp(np.eye(self.n), -mu * scale * weights, C, b, len(equalities))[0]
            except ValueError:
                return None
            if weights @ x <= total + 1e-6 * scale:
                return x
        return None

    def _holds(self, x: np.ndarray, tol: float = 1e-6) -> bool:
        """Whether x meets every constraint (within a relative tolerance)."""
        sums = self._mask.astype(float) @ x
        scale = np.maximum(1.0, np.abs(self._lows))
        return bool((x >= -tol).all() and (sums >= self._lows - tol * scale).all()
                    and (sums <= self._ups + tol * np.maximum(1.0, np.where(np.isfinite(self._ups), self._ups, 1.0))).all())

    def figure(self, target: tuple[int, ...], best: np.ndarray) -> tuple[Bound, float]:
        """The bounds of sum(x[target]) and the best allocation's value for it, kept inside
        them: the bounds are whole numbers (low rounded up, high down), the allocation
        need not be, so a fractional best below a rounded-up low is raised to it."""
        bound = self.bounds(target)
        value = float(best[list(target)].sum())
        value = max(value, bound.low)
        if bound.high is not None:
            value = min(value, bound.high)
        return bound, value
