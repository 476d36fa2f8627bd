"""The linear model on hand-made constraint sets whose answers are known by hand, and
its properties on random ones (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.model import Constraint, FaceValue, Model


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
    cons = [C([0], 5, 5, "day0 is 5"), C([0, 1], 0, 3, "both days at most 3"), C([1], 1, None, "day1 at least 1"),
            C([2], 7, 7, "unrelated")]
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
    return FaceValue(model, [(tuple(cells), float(v), (f"f{i}",)) for i, (cells, v) in enumerate(faces)])


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
    cons = [C([0, 2, 3, 4, 5], 1, None, "c0"), C([0], 0, 0, "c1"), C([1, 2], 1, 1, "c3"), C([0, 1, 3, 4, 5], 1, 1, "c4")]
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
        lower, upper = {"exact": (total, total), "at least": (max(total - slack, 0), None),
                        "up to": (0, total + slack), "band": (max(total - slack, 0), total + slack)}[kind]
        claims.append(Constraint(tuple(cells), lower, upper, (f"c{k}",)))
    target = tuple(sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))))
    return n, truth, claims, target


@settings(max_examples=60, deadline=None)
@given(scenario())
def test_low_best_high_are_ordered(s):
    n, truth, claims, target = s
    m = Model(n, claims)
    b = m.bounds(target)
    best, _ = FaceValue(m, [(c.cells, float(c.lower), c.claim_ids) for c in claims if c.upper is not None]).best(target, b)
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
        assert Model(n, conflict[:i] + conflict[i + 1:]).feasible()


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
