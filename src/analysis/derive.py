"""Tidy long tables derived from the ledger: daily claims and cumulative claims.

- `daily_claims`: one row per in-scope daily claim of a reconciled measure (killed,
  wounded), by day, side and claimant, with its interval and whether superseded as the
  evidence reads it (see `Reading`).
- `claimant_days`: what each claimant's daily figures say about each day and side or side
  group, as an interval. A name's figure is the tightest that the claimant's figures for
  it and for the names inside it give. Its low is the largest of its own low and of the
  sums of the lows of disjoint names inside it: a side's own figure or the sum of its
  sub-groups', whichever is larger (both are lower bounds of the same count), and "all"
  counts a side the claimant gives as a whole (civilians 9 and soldiers 2: at least 11).
  Its high is the smallest of its own high and of the sums of the highs of names that
  cover it exactly, each capped. A cap below the low is dropped (the figures contradict
  each other). Several claims of one claimant for the same day and side are intersected
  (a revision is dropped first: superseded claims never count).
- `cumulative_claims`: each claimant's totals as it reported them (`reported`, the claims
  of `current_totals`) and its running totals as its daily figures imply (`implied by
  daily figures`, the sum of the stated days, each day's figure as in `claimant_days`).
- `claimant_totals`: each claimant's latest reported totals per side: the claimant x side
  matrix of battle totals.

A total (`current_totals`) is a claim coded cumulative or a claim covering the event's
whole period, however many days that is (each figure of a one-day event for its day);
never a figure for part of the area or a count of identified victims (lower bounds
beside the toll, as `analysis.evidence` reads them).

Caveats: `daily_claims`, `cumulative_claims` and `claimant_days` given a `Reading` read
each claim as `analysis.evidence` does (every revision applied, explicit or inferred;
running counts and identified victims capping nothing) but keep copies apart, one row per
ledger row. `claimant_totals`, `current_cumulative`, `counted_claims` and `claimant_days`
without a `Reading` (the ledger checks of `analysis.checks`) read the ledger as each
claimant reported it: explicit revisions only, every figure capped as its qualifier says
(`checks.daily_vs_cumulative` then asks the evidence which daily figures are running
counts).
Qualifiers and areas are read as in `analysis.evidence.interval`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.battle import Battle
from analysis.evidence import (
    Evidence,
    claim_records,
    counted_rows,
    figure_key,
    gather,
    identified,
    interval,
    replaced_by,
    report_key,
    report_keys,
    revised_copies,
)
from analysis.load import Dataset


@dataclass(frozen=True)
class Reading:
    """How `analysis.evidence` reads each counted ledger row: the cap it allows (`high`
    by claim ID, None for none: a running count or a count of identified victims is a
    lower bound) and the rows a revision replaced (`superseded`: those an explicit
    `supersedes` link names with every copy of them, and the figures a later report of the same claimant revises,
    with their identical copies, as `gather` infers them)."""

    high: dict[str, int | None]
    superseded: frozenset[str]


def evidence_reading(ds: Dataset, evidence: Evidence | None = None) -> Reading:
    """The evidence's reading of a dataset's counted rows (`evidence`: `gather(ds)`, computed
    here when not given)."""
    records = claim_records(ds)
    evidence = evidence if evidence is not None else gather(ds)
    revised = revision_labels(ds, evidence.revisions, records)
    return Reading({c.claim_id: c.high for c in records}, frozenset(revised))


def revision_labels(ds: Dataset, revisions=(), records: list | None = None) -> dict[str, str]:
    """Each counted row a revision replaced, with the claim that replaced it: "N" for a row
    an explicit `supersedes` link names, "N (copy of O)" for another outlet's copy of such a
    row (`evidence.revised_copies`), and "N (inferred)" for a figure `revisions` (the
    evidence's) infers replaced, with its identical copies (`evidence.merge_copies` reads
    them once)."""
    records = records if records is not None else claim_records(ds)
    links = dict(ds.claims[["claim_id", "supersedes"]].dropna().itertuples(index=False))
    new_of = replaced_by(ds.claims)
    labels = {
        copy: new_of[old] if copy == old else f"{new_of[old]} (copy of {old})"
        for copy, old in revised_copies(records, links, figure_key, ds.battle.part_of).items()
    }

    def figure(c) -> tuple:
        return (*figure_key(c), c.side, c.value, c.qualifier)

    copies: dict[tuple, list[str]] = {}
    for c in records:
        if c.claim_id not in labels:
            copies.setdefault(figure(c), []).append(c.claim_id)
    by_id = {c.claim_id: c for c in records}
    for r in revisions:
        if r.inferred and r.old in by_id:
            for i in copies.get(figure(by_id[r.old]), [r.old]):
                labels.setdefault(i, f"{r.new} (inferred)")
    return labels


def linked_copies(claims: pd.DataFrame, counted: pd.DataFrame, battle: Battle) -> dict[str, str]:
    """The counted rows the ledger's explicit `supersedes` links retire, each with the claim
    a link names that it is a copy of (itself, for that claim): `evidence.revised_copies`
    over the rows of `counted`."""
    links = dict(claims[["claim_id", "supersedes"]].dropna().itertuples(index=False))
    if not links:
        return {}

    def figure(r) -> tuple:
        identified = bool(not pd.isna(r.identified) and r.identified)
        report = report_key(r.report_id, r.source_id, str(r.claimant))
        return (report, str(r.measure), r.period_start, r.period_end, str(r.area), identified)

    return revised_copies(counted.itertuples(index=False), links, figure, battle.part_of)


def _tolls(c: pd.DataFrame, battle: Battle) -> pd.Series:
    """Which counted claims are tolls: not a figure for part of the area nor a count of
    identified victims (`analysis.evidence`: lower bounds, figures of their own beside the
    toll)."""
    return c["area"].astype(str).map(battle.whole_area).astype(bool) & ~identified(c)


def current_cumulative(claims: pd.DataFrame, battle: Battle) -> pd.DataFrame:
    """Counted cumulative tolls (see `_tolls`) that no explicit revision replaced."""
    c = counted_claims(claims, battle)
    return c[(c["figure_type"] == "cumulative") & _tolls(c, battle) & ~c["superseded"]]


def current_totals(claims: pd.DataFrame, battle: Battle, reading: Reading | None = None) -> pd.DataFrame:
    """Counted totals that no revision replaced: claims coded cumulative, and claims whose
    period covers the event's whole period whatever their coding (a one-day event's
    figures for its day are its totals). Tolls only (`_tolls`)."""
    c = counted_claims(claims, battle, reading)
    period = (c["period_start"] <= pd.Timestamp(battle.period_start)) & (
        c["period_end"] >= pd.Timestamp(battle.period_end)
    )
    return c[((c["figure_type"] == "cumulative") | period) & _tolls(c, battle) & ~c["superseded"]]


def counted_claims(claims: pd.DataFrame, battle: Battle, reading: Reading | None = None) -> pd.DataFrame:
    """In-scope claims of reconciled measures about counted sides or groups, with their
    interval (`low`, `high`), whether they are superseded, and the days they cover. Without
    a `reading`, the ledger's: each figure capped as `interval` reads its qualifier and
    area, explicit revisions only; with one, the evidence's caps and revisions."""
    c = counted_rows(claims, battle).copy()
    bounds = [
        interval(int(v), str(q), battle.about_band, battle.whole_area(str(a)))
        for v, q, a in zip(c["value"], c["qualifier"], c["area"])
    ]
    c["low"] = pd.array([b[0] for b in bounds], dtype="Int64")
    if reading is None:
        c["high"] = pd.array([b[1] for b in bounds], dtype="Int64")
        c["superseded"] = c["claim_id"].isin(set(linked_copies(claims, c, battle)))
    else:
        c["high"] = pd.array([reading.high[i] for i in c["claim_id"]], dtype="Int64")
        c["superseded"] = c["claim_id"].isin(reading.superseded)
    return c


def daily_claims(claims: pd.DataFrame, battle: Battle, reading: Reading) -> pd.DataFrame:
    """In-scope daily claims with their interval and the event context the ledger gives:
    whether the victims are identified by name, whom the claimant blames, and the cause.
    `high` and `superseded` are the evidence's (`reading`, from `evidence_reading`): no cap
    for a running count or identified victims; superseded by an explicit or inferred
    revision."""
    c = counted_claims(claims, battle, reading)
    c = c[c["figure_type"] == "daily"]
    out = c.rename(columns={"period_start": "date"})[
        [
            "date",
            "measure",
            "side",
            "claimant",
            "value",
            "qualifier",
            "low",
            "high",
            "superseded",
            "identified",
            "perpetrator",
            "cause",
            "claim_id",
            "source_id",
        ]
    ]
    return out.sort_values(["date", "measure", "side", "claimant", "claim_id"]).reset_index(drop=True)


def _tighter(intervals: list[tuple[int, int | None]]) -> tuple[int, int | None]:
    """The intersection of intervals of one count: the largest low, the smallest cap; no
    cap where the caps fall below the low (the figures contradict each other)."""
    low = max(i[0] for i in intervals)
    caps = [i[1] for i in intervals if i[1] is not None]
    high = min(caps) if caps else None
    return low, None if high is not None and high < low else high


def _intersect(rows: list) -> tuple[int, int | None, tuple[str, ...]]:
    low, high = _tighter([(int(r.low), None if pd.isna(r.high) else int(r.high)) for r in rows])
    return low, high, tuple(sorted(r.claim_id for r in rows))


def grouped_rows(frame: pd.DataFrame, keys: list[str]) -> list[list]:
    """The rows of `frame` (as named tuples) grouped by `keys`, in the order of
    `frame.groupby(keys, observed=True, sort=True)`, rows in frame order, rows with a
    missing key left out: one pass over the rows, not one small frame per group (which
    costs most of a check over a few hundred claims)."""
    grouped = frame.groupby(keys, observed=True, sort=True)
    groups: list[list] = [[] for _ in range(grouped.ngroups)]
    for g, row in zip(grouped.ngroup().to_numpy(), frame.itertuples(index=False)):
        if g >= 0:  # not NaN: the row's keys are all given
            groups[int(g)].append(row)
    return groups


def _bounds(
    cells: int, stated: dict[int, list[tuple[int, int | None]]], known: dict[int, tuple[int, int | None]]
) -> tuple[int, int | None]:
    """The tightest interval for a set of leaves (a bit mask) from the intervals `stated`
    for sets of leaves: its own, and each stated part of it added to the rest's (a cap
    needs every leaf under capped figures). `known` keeps the sets already worked out."""
    if cells == 0:
        return 0, 0
    if cells not in known:
        found = list(stated.get(cells, [(0, None)]))
        for part in stated:
            if part != cells and part & cells == part:
                (low, high), (rest_low, rest_high) = _bounds(part, stated, known), _bounds(cells & ~part, stated, known)
                found.append((low + rest_low, None if high is None or rest_high is None else high + rest_high))
        known[cells] = _tighter(found)
    return known[cells]


def claimant_days(claims: pd.DataFrame, battle: Battle, reading: Reading | None = None) -> pd.DataFrame:
    """Per claimant, measure, day and side or group: the interval its daily figures give
    (see the module's description). Without a `reading`, the claims as the ledger gives
    them (the ledger checks); with one, as the evidence reads them."""
    c = counted_claims(claims, battle, reading)
    d = c[(c["figure_type"] == "daily") & ~c["superseded"]].rename(columns={"period_start": "date"})
    leaves = battle.leaves
    mask = {name: sum(1 << leaves.index(m) for m in battle.members(name) or ()) for name in battle.counted_names}
    records = []
    for day in grouped_rows(d, ["claimant", "measure", "date"]):
        claimant, measure, date = day[0].claimant, day[0].measure, day[0].date
        by_side: dict[str, list] = {}
        for row in day:
            by_side.setdefault(str(row.side), []).append(row)
        own = {side: _intersect(rows) for side, rows in by_side.items()}
        stated: dict[int, list[tuple[int, int | None]]] = {}
        for side, (low, high, _) in own.items():
            stated.setdefault(mask[side], []).append((low, high))
        known: dict[int, tuple[int, int | None]] = {}
        for target in battle.counted_names:
            ids = tuple(sorted(i for side, o in own.items() if (mask[side] & mask[target]) == mask[side] for i in o[2]))
            if ids:
                low, high = _bounds(mask[target], stated, known)
                records.append((claimant, measure, date, target, low, high, ids))
    return pd.DataFrame(records, columns=["claimant", "measure", "date", "side", "low", "high", "claim_ids"]).astype(
        {"low": "int64", "high": "Int64"}
    )


def cumulative_claims(claims: pd.DataFrame, battle: Battle, reading: Reading) -> pd.DataFrame:
    """Totals by claimant, measure and side: reported (`current_totals`), and running totals
    implied by daily figures, both as the evidence reads them (`reading`)."""
    rep = current_totals(claims, battle, reading)
    reported = pd.DataFrame(
        {
            "as_of": rep["period_end"],
            "period_start": rep["period_start"],
            "measure": rep["measure"].astype(str),
            "side": rep["side"].astype(str),
            "claimant": rep["claimant"].astype(str),
            "basis": "reported",
            "value": rep["value"],
            "qualifier": rep["qualifier"].astype(str),
            "low": rep["low"],
            "high": rep["high"],
            "claim_ids": rep["claim_id"].map(lambda i: (i,)),
        }
    )
    days = claimant_days(claims, battle, reading)
    implied = []
    for (claimant, measure, side), rows in days.groupby(["claimant", "measure", "side"], sort=True):
        low, ids = 0, ()
        high: int | None = 0
        for row in rows.sort_values("date").itertuples():
            low += row.low
            high = None if high is None or pd.isna(row.high) else high + int(row.high)
            ids = tuple(sorted(set(ids) | set(row.claim_ids)))
            implied.append(
                (
                    row.date,
                    pd.Timestamp(battle.period_start),
                    measure,
                    side,
                    claimant,
                    "implied by daily figures",
                    low,
                    "sum of daily",
                    low,
                    high,
                    ids,
                )
            )
    implied = pd.DataFrame(implied, columns=reported.columns)
    out = pd.concat([reported, implied], ignore_index=True)
    out = out.astype({"value": "int64", "low": "Int64", "high": "Int64"})
    return out.sort_values(["measure", "side", "claimant", "as_of", "basis"], kind="stable").reset_index(drop=True)


def claimant_totals(claims: pd.DataFrame, battle: Battle, sources: pd.DataFrame) -> pd.DataFrame:
    """Each claimant's latest report per measure, one copy per row: the claimant x side
    matrix of battle totals, never pairing figures from different copies or reports.

    A report's totals are its claims in `current_totals` (explicit revisions applied). The
    latest report of a claimant for a measure is the one whose totals reach the latest day
    (ties: the report with more exact figures, then the one published later, then the
    report key). Its copies (`source_id`) are compared: copies that give another number
    for a side, or one number under sides that do not nest (a swap), disagree, and each
    keeps its own rows (`copies_disagree` True; a copy whose figures are all in another
    copy's is left out). Copies that agree give one set of rows, from
    the copy with the most figures (then the battle's preferred language, then the
    earliest published, then the lowest source_id). Within a copy each side takes its
    latest figure (then the exact one, then the lowest claim_id)."""
    columns = [
        "claimant",
        "measure",
        "side",
        "value",
        "qualifier",
        "period_start",
        "as_of",
        "language",
        "source_id",
        "claim_id",
        "copies_disagree",
    ]
    c = current_totals(claims, battle).copy()
    if c.empty:
        return pd.DataFrame(columns=columns)
    src = sources.set_index("source_id")
    c["language"] = c["source_id"].map(src["language"]).astype(str)
    c["published"] = c["source_id"].map(src["published"])
    c["report"] = report_keys(c)
    c["exact"] = c["qualifier"].astype(str).eq("exact")

    def report_order(item) -> tuple:
        key, r = item
        last = r["period_end"].max()
        published = r["published"].max()
        return (
            -last.value,
            -int(r.loc[r["period_end"] == last, "exact"].sum()),
            -(published.value if pd.notna(published) else pd.Timestamp.min.value),
            key,
        )

    def figures(copy) -> dict:
        return {str(s): (int(v), str(q)) for s, v, q in zip(copy["side"], copy["value"], copy["qualifier"])}

    def clash(a, b) -> bool:
        """Another number for a side both give, or one number under sides that do not nest."""
        fa, fb = figures(a), figures(b)
        if any(fa[s] != fb[s] for s in fa.keys() & fb.keys()):
            return True
        numbers = {v for v, _ in fa.values()} & {v for v, _ in fb.values()}
        return any(battle.swapped(*({s for s, (v, _) in f.items() if v == n} for f in (fa, fb))) for n in numbers)

    def copy_order(copy, source_id) -> tuple:
        published = copy["published"].min()
        return (
            -len(copy),
            battle.language_rank(copy["language"].iloc[0]),
            published.value if pd.notna(published) else pd.Timestamp.max.value,
            source_id,
        )

    rows = []
    for (claimant, measure), mine in c.groupby([c["claimant"].astype(str), c["measure"].astype(str)], sort=True):
        _, report = min(mine.groupby("report", sort=True), key=report_order)
        copies = {}
        for source_id, copy in report.groupby("source_id", sort=True):
            copy = copy.sort_values(["period_end", "exact", "claim_id"], ascending=[False, False, True])
            copies[source_id] = copy.drop_duplicates("side", keep="first")
        ordered = [sid for _, sid in sorted((copy_order(copy, sid), sid) for sid, copy in copies.items())]
        disagree = any(clash(copies[a], copies[b]) for a in ordered for b in ordered if a < b)
        if disagree:
            # a copy whose figures another copy also gives adds no row of its own
            kept = [
                s
                for s in ordered
                if not any(
                    o != s
                    and figures(copies[s]).items() <= figures(copies[o]).items()
                    and (len(copies[o]) > len(copies[s]) or ordered.index(o) < ordered.index(s))
                    for o in ordered
                )
            ]
        else:
            kept = ordered[:1]
        for source_id in kept:
            for r in copies[source_id].itertuples():
                rows.append(
                    (
                        claimant,
                        measure,
                        str(r.side),
                        int(r.value),
                        str(r.qualifier),
                        r.period_start,
                        r.period_end,
                        r.language,
                        source_id,
                        r.claim_id,
                        disagree,
                    )
                )
    out = pd.DataFrame(rows, columns=columns)
    order = {name: i for i, name in enumerate(battle.counted_names)}
    out["_side"] = out["side"].map(order)
    out = out.sort_values(["claimant", "measure", "source_id", "_side"], kind="stable").drop(columns="_side")
    return out.reset_index(drop=True)
