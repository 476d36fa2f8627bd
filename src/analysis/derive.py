"""Tidy long tables derived from the ledger: daily claims and cumulative claims.

- `daily_claims`: one row per in-scope daily claim of a reconciled measure (killed,
  wounded), by day, side and claimant.
- `claimant_days`: what each claimant's daily figures say about each day and side or side
  group, as an interval: a group's figure is the tighter of its own claim and the sum of
  its members' claims. Several claims of one claimant for the same day and side are
  intersected (a revision is dropped first: superseded claims never count).
- `cumulative_claims`: each claimant's running totals as it reported them (`reported`)
  and as its daily figures imply (`implied by daily figures`, the sum of the stated days).
- `claimant_totals`: each claimant's latest reported total per side: the claimant x side
  matrix of battle totals.

Caveats: these views show the ledger as each claimant reported it (explicit revisions
applied, copies not merged); the reconciliation works on `analysis.evidence`'s readings
instead. Qualifiers are read as in `analysis.evidence.interval`.
"""

from __future__ import annotations

import pandas as pd

from analysis.battle import Battle
from analysis.evidence import counted_rows, interval


def superseded_ids(claims: pd.DataFrame) -> set[str]:
    return set(claims["supersedes"].dropna())


def current_cumulative(claims: pd.DataFrame, battle: Battle) -> pd.DataFrame:
    """Counted cumulative claims that no explicit revision replaced."""
    c = counted_claims(claims, battle)
    return c[(c["figure_type"] == "cumulative") & ~c["superseded"]]


def counted_claims(claims: pd.DataFrame, battle: Battle) -> pd.DataFrame:
    """In-scope claims of reconciled measures about counted sides or groups, with their
    interval (`low`, `high`), whether they are superseded, and the days they cover."""
    c = counted_rows(claims, battle).copy()
    gone = superseded_ids(claims)
    bounds = [
        interval(int(v), str(q), battle.about_band, battle.whole_area(str(a)))
        for v, q, a in zip(c["value"], c["qualifier"], c["area"])
    ]
    c["low"] = pd.array([b[0] for b in bounds], dtype="Int64")
    c["high"] = pd.array([b[1] for b in bounds], dtype="Int64")
    c["superseded"] = c["claim_id"].isin(gone)
    return c


def daily_claims(claims: pd.DataFrame, battle: Battle) -> pd.DataFrame:
    """In-scope daily claims with their interval and the event context the ledger gives:
    whether the victims are identified by name, whom the claimant blames, and the cause."""
    c = counted_claims(claims, battle)
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


def _intersect(rows: pd.DataFrame) -> tuple[int, int | None, tuple[str, ...]]:
    low = int(rows["low"].max())
    highs = rows["high"].dropna()
    high = int(highs.min()) if len(highs) else None
    if high is not None and high < low:
        high = None
    return low, high, tuple(sorted(rows["claim_id"]))


def claimant_days(claims: pd.DataFrame, battle: Battle) -> pd.DataFrame:
    """Per claimant, measure, day and side or group: the interval its daily figures give."""
    d = daily_claims(claims, battle)
    d = d[~d["superseded"]]
    records = []
    for (claimant, measure, date), day in d.groupby(["claimant", "measure", "date"], observed=True, sort=True):
        own = {side: _intersect(rows) for side, rows in day.groupby("side", observed=True)}
        for target in battle.counted_names:
            members = battle.members(target) or ()
            parts = [own[m] for m in members if m in own]
            low, high, ids = own.get(target, (0, None, ()))
            if parts:
                part_low = sum(p[0] for p in parts)
                complete = len(parts) == len(members) and all(p[1] is not None for p in parts)
                part_high = sum(p[1] or 0 for p in parts) if complete else None
                low = max(low, part_low)
                if part_high is not None:
                    high = part_high if high is None else min(high, part_high)
                ids = tuple(sorted(set(ids).union(*(p[2] for p in parts))))
            if ids:
                records.append((claimant, measure, date, target, low, high, ids))
    return pd.DataFrame(records, columns=["claimant", "measure", "date", "side", "low", "high", "claim_ids"]).astype(
        {"low": "int64", "high": "Int64"}
    )


def cumulative_claims(claims: pd.DataFrame, battle: Battle) -> pd.DataFrame:
    """Running totals by claimant, measure and side: reported, and implied by daily figures."""
    rep = current_cumulative(claims, battle)
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
    days = claimant_days(claims, battle)
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

    The latest report of a claimant for a measure is the one whose cumulative figures
    reach the latest day (ties: the report with more exact figures, then the one published
    later, then the report key). Its copies (`source_id`) are compared: copies that give
    another number for a side, or one number under sides that do not nest (a swap),
    disagree, and each keeps its own rows (`copies_disagree` True; a copy whose figures
    are all in another copy's is left out). Copies that agree give one set of rows, from
    the copy with the most figures (then the battle's preferred language, then the
    earliest published, then the lowest source_id). Within a copy each side takes its
    latest figure (then the exact one, then the lowest claim_id)."""
    from analysis.evidence import report_key

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
    c = counted_claims(claims, battle)
    c = c[(c["figure_type"] == "cumulative") & ~c["superseded"]].copy()
    if c.empty:
        return pd.DataFrame(columns=columns)
    src = sources.set_index("source_id")
    c["language"] = c["source_id"].map(src["language"]).astype(str)
    c["published"] = c["source_id"].map(src["published"])
    c["report"] = [report_key(r, s, str(n)) for r, s, n in zip(c["report_id"], c["source_id"], c["claimant"])]
    c["exact"] = c["qualifier"].astype(str).eq("exact")
    prefs = {lang: i for i, lang in enumerate(battle.language_preference)}

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
        members = {s: set(battle.members(s) or ()) for s in fa.keys() | fb.keys()}
        return any(
            va[0] == vb[0]
            and sa != sb
            and not (members[sa] <= members[sb] or members[sb] <= members[sa])
            and sb not in fa
            and sa not in fb
            for sa, va in fa.items()
            for sb, vb in fb.items()
        )

    def copy_order(copy, source_id) -> tuple:
        published = copy["published"].min()
        return (
            -len(copy),
            prefs.get(copy["language"].iloc[0], len(prefs)),
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
