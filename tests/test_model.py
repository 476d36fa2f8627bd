"""The linear model on hand-made constraint sets whose answers are known by hand, and
its properties on random ones (hypothesis), some against the plain reference computation
of `test_reference` (one fresh linear program per question)."""

import highspy
import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_reference import Best, conflict, feasible, low_high, program

from analysis.model import HIGH, LOW, Constraint, Face, FaceValue, Model, Subsets, solver_runs, solver_seconds


def C(cells, lower, upper, name):
    return Constraint(tuple(cells), lower, upper, (name,))


def test_total_and_one_day_bound_each_day():
    # two days: total exactly 10, day 0 at least 4
    m = Model(2, [C([0, 1], 10, 10, "total"), C([0], 4, None, "day0")])
    day0, day1, both = m.bounds((0,)), m.bounds((1,)), m.bounds((0, 1))
    assert (day0.low, day0.high) == (4, 10)
    assert (day1.low, day1.high) == (0, 6)
    assert (both.low, both.high) == (10, 10)
    assert day0.low_claims == ("day0",)
    assert day1.high_claims == ("day0", "total")


def test_uncapped_cell_is_open_not_invented():
    m = Model(3, [C([0, 1], 10, 10, "first two days")])
    assert m.bounds((2,)).high is None
    assert m.bounds((0, 1, 2)).low == 10


def test_derived_figure_from_parts_and_whole():
    # sides 0, 1, 2 over one period: all = 120, side 0 = 68, side 2 = 29 -> side 1 = 23
    m = Model(3, [C([0, 1, 2], 120, 120, "all"), C([0], 68, 68, "gov"), C([2], 29, 29, "civ")])
    b = m.bounds((1,))
    assert (b.low, b.high) == (23, 23)
    assert set(b.low_claims) == {"all", "gov", "civ"}


def test_infeasible_set_reports_a_minimal_conflict():
    cons = [
        C([0], 5, 5, "day0 is 5"),
        C([0, 1], 0, 3, "both days at most 3"),
        C([1], 1, None, "day1 at least 1"),
        C([2], 7, 7, "unrelated"),
    ]
    m = Model(3, cons)
    assert not m.feasible()
    conflict = {c.claim_ids[0] for c in m.conflict_set()}
    assert conflict == {"day0 is 5", "both days at most 3"}
    # the solver is left as it was: still infeasible, and a feasible subset is feasible
    assert not m.feasible()
    assert Model(3, cons[1:]).feasible()


def test_feasible_set_has_no_conflict():
    assert Model(2, [C([0], 1, 3, "a")]).conflict_set() == []


def face(model, faces):
    return FaceValue(model, [Face(tuple(cells), float(v), (f"f{i}",)) for i, (cells, v) in enumerate(faces)])


def test_best_reads_at_least_at_face_value_and_places_nothing_it_does_not_know():
    # day 0 at least 22; days 0-3 exactly 40: best day 0 = 22, days 1-3 = 0 each (18 unplaced)
    m = Model(4, [C([0], 22, None, "at least 22"), C([0, 1, 2, 3], 40, 40, "total")])
    f = face(m, [([0, 1, 2, 3], 40)])
    assert [f.best((d,))[0] for d in range(4)] == [22, 0, 0, 0]
    assert f.best((0, 1, 2, 3))[0] == 40


def test_best_reads_about_as_its_number():
    # about 17 over two cells, band 16-18; one cell exactly 2: best of the pair is 17, not 16
    m = Model(2, [C([0, 1], 16, 18, "about 17"), C([0], 2, 2, "two")])
    f = face(m, [([0, 1], 17), ([0], 2)])
    assert f.best((0, 1))[0] == 17
    assert f.best((1,))[0] == 15


def test_best_of_a_derived_cell_names_the_stated_figures():
    m = Model(3, [C([0, 1, 2], 120, 120, "all"), C([0], 68, 68, "gov"), C([2], 29, 29, "civ")])
    f = face(m, [([0, 1, 2], 120), ([0], 68), ([2], 29)])
    value, fixed = f.best((1,))
    assert value == 23 and {"all", "gov", "civ"} <= set(fixed)


def test_best_is_whole_even_where_the_least_total_is_fractional():
    # found by the property tests: the least total of the linear program is 1.5; counts are whole
    cons = [
        C([0, 2, 3, 4, 5], 1, None, "c0"),
        C([0], 0, 0, "c1"),
        C([1, 2], 1, 1, "c3"),
        C([0, 1, 3, 4, 5], 1, 1, "c4"),
    ]
    m = Model(6, cons)
    f = face(m, [([0], 0), ([1, 2], 1), ([0, 1, 3, 4, 5], 1)])
    assert m.bounds(tuple(range(6))).low == 2
    assert f.best(tuple(range(6)))[0] == 2


# --- properties on random constraint sets generated from a known true allocation ---


@st.composite
def scenario(draw):
    n = draw(st.integers(2, 6))
    truth = np.array(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)))
    claims = []
    for k in range(draw(st.integers(1, 6))):
        cells = sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n)))
        total = int(truth[cells].sum())
        kind = draw(st.sampled_from(["exact", "at least", "up to", "band"]))
        slack = draw(st.integers(0, 5))
        lower, upper = {
            "exact": (total, total),
            "at least": (max(total - slack, 0), None),
            "up to": (0, total + slack),
            "band": (max(total - slack, 0), total + slack),
        }[kind]
        claims.append(Constraint(tuple(cells), lower, upper, (f"c{k}",)))
    target = tuple(sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))))
    return n, truth, claims, target


@settings(max_examples=60, deadline=None)
@given(scenario())
def test_low_best_high_are_ordered(s):
    n, truth, claims, target = s
    m = Model(n, claims)
    b = m.bounds(target)
    faces = [Face(c.cells, float(c.lower), c.claim_ids) for c in claims if c.upper is not None]
    best, _ = FaceValue(m, faces).best(target, b)
    assert b.low <= best
    assert b.high is None or best <= b.high


@settings(max_examples=60, deadline=None)
@given(scenario())
def test_bounds_are_tight(s):
    # each bound is attained by an allocation that meets every claim (up to whole-number
    # rounding), and one past it is not
    n, truth, claims, target = s
    b = Model(n, claims).bounds(target)
    assert Model(n, claims + [Constraint(target, 0, b.low, ("at low",))]).feasible()
    if b.low > 0:
        assert not Model(n, claims + [Constraint(target, 0, b.low - 1, ("below low",))]).feasible()
    if b.high is None:
        assert Model(n, claims + [Constraint(target, 10**6, None, ("far above",))]).feasible()
    else:
        assert Model(n, claims + [Constraint(target, b.high, None, ("at high",))]).feasible()
        assert not Model(n, claims + [Constraint(target, b.high + 1, None, ("above high",))]).feasible()


@st.composite
def infeasible(draw):
    n = draw(st.integers(1, 5))
    claims = []
    for k in range(draw(st.integers(2, 7))):
        cells = tuple(sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))))
        low = draw(st.integers(0, 20))
        high = draw(st.one_of(st.none(), st.integers(low, 25)))
        claims.append(Constraint(cells, low, high, (f"c{k}",)))
    return n, claims


@settings(max_examples=80, deadline=None)
@given(infeasible())
def test_conflict_sets_are_minimal(s):
    n, claims = s
    m = Model(n, claims)
    conflict = m.conflict_set()
    if m.feasible():
        assert conflict == []
        return
    assert conflict and not Model(n, conflict).feasible()
    for i in range(len(conflict)):
        assert Model(n, conflict[:i] + conflict[i + 1 :]).feasible()


@settings(max_examples=60, deadline=None)
@given(scenario())
def test_bounds_contain_every_allowed_allocation(s):
    n, truth, claims, target = s
    b = Model(n, claims).bounds(target)
    value = int(truth[list(target)].sum())
    assert b.low <= value
    assert b.high is None or value <= b.high


@settings(max_examples=60, deadline=None)
@given(scenario(), st.data())
def test_adding_a_consistent_claim_never_widens_a_bound(s, data):
    n, truth, claims, target = s
    before = Model(n, claims).bounds(target)
    cells = tuple(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))))
    total = int(truth[list(cells)].sum())
    after = Model(n, claims + [Constraint(cells, total, total, ("new",))]).bounds(target)
    assert after.low >= before.low
    assert before.high is None or (after.high is not None and after.high <= before.high)


# --- parts: components, proofs, canonical solves ---


def month(first_cell, days, daily, total, name):
    """One side's month: a figure per day (value, qualifier) and a total."""
    cons = []
    for d, (value, kind) in enumerate(daily):
        cons.append(C([first_cell + d], value, None if kind == "at least" else value, f"{name}-day{d}"))
    cons.append(C(range(first_cell, first_cell + days), total, total, f"{name}-total"))
    return cons


def test_independent_parts_add_up():
    # two months that share no constraint: a target across both is the sum of its parts
    cons = month(0, 3, [(2, "exact"), (3, "at least"), (1, "exact")], 10, "jan")
    cons += month(3, 3, [(4, "exact"), (0, "at least"), (5, "exact")], 12, "feb")
    m = Model(7, cons)
    assert len(m.systems) == 2  # cell 6 is under no constraint: free
    jan, feb, both = m.bounds((0, 1, 2)), m.bounds((3, 4, 5)), m.bounds((1, 2, 3, 4))
    assert (jan.low, jan.high, feb.low, feb.high) == (10, 10, 12, 12)
    # january's days 1-2 hold 10 - 2 = 8, february's days 0-1 hold 12 - 5 = 7
    assert (both.low, both.high) == (8 + 7, 8 + 7)
    assert m.bounds((1, 2, 3, 4, 6)).high is None  # a free cell: open


def test_a_day_under_a_monthly_total_rests_on_the_total_and_the_other_days():
    cons = month(0, 3, [(2, "exact"), (3, "at least"), (1, "exact")], 10, "jan")
    b = Model(3, cons).bounds((1,))
    assert (b.low, b.high) == (7, 7)
    # low: the total less the other days' caps; high: the total less the other days' figures
    assert set(b.low_claims) == {"jan-total", "jan-day0", "jan-day2"}
    assert set(b.high_claims) == {"jan-total", "jan-day0", "jan-day2"}


def test_running_counts_within_a_month_rest_on_the_days():
    cons = month(0, 4, [(2, "exact"), (3, "at least"), (1, "exact"), (1, "at least")], 12, "m")
    b = Model(4, cons).bounds((0, 1))
    assert (b.low, b.high) == (5, 10)
    assert set(b.low_claims) == {"m-day0", "m-day1"}
    assert set(b.high_claims) == {"m-total", "m-day2", "m-day3"}


def plain_bounds(n, cons, target):
    return low_high(program(n, cons), target)


@settings(max_examples=60, deadline=None)
@given(scenario())
@example(  # HiGHS's presolve once called the reference's closest allocations infeasible here
    (4, np.array([0, 0, 1, 1]), [C([0, 1, 2, 3], 0, 2, "c0"), C([0], 0, 0, "c1"), C([0, 2], 1, 1, "c2")], (0,))
)
def test_bounds_and_best_are_the_plain_computation(s):
    n, truth, claims, target = s
    m = Model(n, claims)
    b = m.bounds(target)
    assert (b.low, b.high) == plain_bounds(n, claims, target)
    # a capped claim states its lower bound; one without a cap states one more than its
    # lower bound, a floor at face value only (as a running "about N" does)
    faces = [(c.cells, float(c.lower if c.upper is not None else c.lower + 1), c.upper is not None) for c in claims]
    stated = [Face(cells, f, (f"f{i}",), capped) for i, (cells, f, capped) in enumerate(faces)]
    best, _ = FaceValue(m, stated).best(target, b)
    assert best == Best(n, claims, faces)(target, b.low, b.high)


@settings(max_examples=80, deadline=None)
@given(infeasible())
def test_conflict_set_is_the_plain_deletion_filter(s):
    n, claims = s
    m = Model(n, claims)
    assert m.conflict_set() == ([] if m.feasible() else conflict(n, claims))


@settings(max_examples=80, deadline=None)
@given(infeasible(), st.lists(st.lists(st.booleans(), min_size=7, max_size=7), min_size=1, max_size=6))
def test_one_program_switched_between_subsets_answers_as_a_fresh_one_each_time(s, subsets):
    # the checks run one after another on one solver, each starting where the last ended
    n, claims = s
    check = Subsets(claims)
    for flags in subsets:
        active = flags[: len(claims)]
        chosen = [c for c, on in zip(claims, active) if on]
        assert check.holds(active) == feasible(n, chosen)
        if not feasible(n, chosen):
            assert [claims[i] for i in check.conflict(active)] == conflict(n, chosen)


def test_subsets_of_constraints_over_no_cell_answer_as_a_fresh_model():
    # each constraint over no cell is a part of its own: the plain filter ends in the last
    # that fails; flagged constraints that hold have no conflict
    cons = [C([], 1, None, "a"), C([], 0, 3, "b"), C([], 2, 2, "c")]
    check = Subsets(cons)
    for flags in ([True, True, True], [True, True, False], [False, True, True], [False, True, False]):
        chosen = [c for c, on in zip(cons, flags) if on]
        assert check.holds(flags) == Model(0, chosen).feasible()
        assert [cons[i] for i in check.conflict(flags)] == Model(0, chosen).conflict_set()
    assert Subsets([C([0], 2, 5, "d"), C([0, 1], 0, 9, "e")]).conflict([True, True]) == []


def test_a_conflict_in_one_of_several_parts_is_the_plain_filters():
    # two months each with a conflict: the plain filter over everything ends in one of them
    a = [C([0], 5, 5, "a0"), C([0, 1], 0, 3, "a1"), C([1], 0, 1, "a2")]
    b = [C([2], 9, 9, "b0"), C([2, 3], 0, 4, "b1")]
    for cons in (a + b, b + a, [a[0], b[0], a[1], b[1], a[2]]):
        assert Model(4, cons).conflict_set() == conflict(4, cons)


def test_a_canonical_basis_gives_what_the_solver_would():
    # where the start is already optimal, values and duals by linear algebra are the solver's
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 6, size=12)
    cons = []
    for i in range(14):
        cells = sorted(rng.choice(12, size=int(rng.integers(1, 5)), replace=False).tolist())
        total = int(truth[cells].sum())
        cons.append(C(cells, max(0, total - int(rng.integers(0, 3))), None if rng.random() < 0.3 else total, f"c{i}"))
    m = Model(12, cons)
    checked = 0
    for system in m.systems:
        if not system.feasible():
            continue
        C_ = (rng.random((200, system.n)) < 0.3).astype(float)
        for sense in (LOW, HIGH):
            start = system._start_of(sense)
            ok, Y = start.optimal(C_, sense)
            for r in np.flatnonzero(ok & ((C_ @ system.uncapped_cells) == 0 if sense == HIGH else True)):
                h = system._h
                h.setBasis(start.basis)
                h.changeObjectiveSense(highspy.ObjSense.kMinimize if sense == LOW else highspy.ObjSense.kMaximize)
                h.changeColsCost(system.n, np.arange(system.n, dtype=np.int32), C_[r])
                h.run()
                assert h.getInfo().simplex_iteration_count == 0
                duals = np.asarray(h.getSolution().row_dual)
                assert list(np.flatnonzero(np.abs(duals) > 1e-6)) == list(np.flatnonzero(np.abs(Y[r]) > 1e-6))
                checked += 1
    assert checked > 20


def test_a_solve_from_the_canonical_basis_does_not_depend_on_what_came_before():
    cons = month(0, 5, [(2, "at least"), (3, "at least"), (1, "exact"), (0, "at least"), (4, "at least")], 14, "m")
    cons += [C([0, 1, 2], 0, 9, "cap"), C([3, 4], 5, None, "floor")]
    targets = [(0,), (1, 3), (0, 4), (2, 3, 4), (1,), (0, 1, 2, 3)]
    first = Model(5, cons).bounds_many(targets)
    again = Model(5, cons)
    for t in reversed(targets):
        again.bounds(t)
    assert [again.bounds(t) for t in targets] == first


def test_solver_runs_are_counted_and_timed():
    before, seconds = solver_runs(), solver_seconds()
    Model(2, [C([0, 1], 10, 10, "total"), C([0], 4, None, "day0")]).bounds((0,))
    assert solver_runs() > before
    assert solver_seconds() > seconds


def test_a_solver_reused_past_its_time_limit_still_answers(monkeypatch):
    # HiGHS counts a solver object's runs together against its time limit: the guard is
    # set afresh per run, so a long-lived solver (one part of a long ledger) never trips it.
    # 2,000 runs take well over 20 ms together (about 60 µs each), one alone far less, even
    # on a loaded machine
    import analysis.model as model

    monkeypatch.setattr(model, "TIME_LIMIT", 0.02)
    check = Subsets([C([0], 2, 5, "d"), C([0, 1], 0, 9, "e"), C([1], 8, None, "f")])
    for _ in range(1000):
        assert check.holds([True, True, False]) and not check.holds([True, True, True])
