"""Named consistency checks over a battle's ledger. Each returns `Finding`s: the verdict,
the figures compared, the claims involved and the tolerance applied. None has a number of
its own: every figure compared comes from the ledger.

Checks and their failing verdicts:

- `parts_vs_whole` (disagree): in one document, a claimant's figures for the sides of a
  group against its figure for the group, as intervals (tolerance: the claims' own
  qualifiers; "about" is +/- about_band).
- `daily_vs_cumulative` (disagree; `agree`, `covered` and `remainder` are information): a
  claimant's daily figures summed over a period against its cumulative figure for it (the
  copies of one report's total once), by the least the stated days require ("at least N"
  N, "about N" its band's low, "up to N" 0): `disagree` where that is more than the total
  allows, or where every day is stated by a final figure (made after its day, as
  `analysis.evidence` reads it) and together their caps fall short of the total (a day's
  running count below a later total is no contradiction); `agree` where every day is
  stated and the sum is the total, `covered` where the total requires no death beyond it,
  `remainder` where the total requires deaths the claimant places on no day.
- `cumulative_decreasing` (decrease): a claimant's running total for a side that falls
  from one date to a later one (for a name that relays others or pools speakers, within
  one report only).
- `derived_figures` (derived): a battle total fixed by the claims that no claim states
  (from `reconcile`, default rule).
- `copies_disagree` (disagree, swap): copies of one report's figure of one kind (daily
  or running; a toll or a count of identified victims) with different figures (number or
  qualifier), days, or sides for the same number.
- `paired_dates` (mixed dates): figures that one document presents together whose
  origins, traced to primary claimants (every primary claim giving the number and ending
  by the day the document appeared), share no end day.
- `event_dates` (conflict): one event dated differently by different claims.
- `unranked_claimants` (unranked): claimants with counted figures missing from the
  claimant hierarchy.
- `untraced` (untraced, other side): figures of claimants who relay others that trace to
  no primary claimant's figure for their side and measure, are not the sum of a primary
  claimant's figures for the sides of a group, and are not derived: `other side` where a
  primary claimant gives the same number and measure for another side or group (a relay
  that moved the figure to another side, or a coincidence), `untraced` where none does.

Accepted exceptions are listed in battle.json (`accepted_exceptions`: check, claims,
reason); a failing finding whose claims include all of an exception's claims is marked
accepted.
An exception that no failing finding matches (the data changed, or it names the wrong
claims) is itself a failing finding, `accepted_exceptions` (unused): the list stays the
list of what is accepted now.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from analysis.battle import DERIVED_FROM
from analysis.derive import claimant_days, counted_claims, current_cumulative, grouped_rows
from analysis.evidence import Evidence, claim_records, identified, report_keys, stated_text
from analysis.load import Dataset
from analysis.reconcile import Reconciliation, join_ids, reconcile, resting
from analysis.words import and_list

FAILING = {"disagree", "swap", "decrease", "mixed dates", "conflict", "untraced", "other side", "unranked", "unused"}


@dataclass
class Finding:
    check: str
    subject: str
    verdict: str
    figures: str
    claims: str
    tolerance: str = ""
    accepted: str = ""


def _span(start, end) -> str:
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    return str(start) if start == end else f"{start}..{end}"


def _show(low, high) -> str:
    if high is None or pd.isna(high):
        return f"≥{low}"
    return str(low) if low == high else f"{low}–{high}"


def _add(a, b):
    return (a[0] + b[0], None if a[1] is None or b[1] is None else a[1] + b[1])


def _meet(a, b) -> bool:
    return (a[1] is None or a[1] >= b[0]) and (b[1] is None or b[1] >= a[0])


def _iv(row):
    return int(row.low), (None if pd.isna(row.high) else int(row.high))


def parts_vs_whole(ds: Dataset) -> list[Finding]:
    battle = ds.battle
    c = counted_claims(ds.claims, battle)
    c = c[~c["superseded"]]
    out = []
    # side groups and their members; sides split into sub-groups and their remainder
    wholes = [*battle.side_groups.items(), *((side, battle.side_leaves(side)) for side in battle.subgroups)]
    for rows in grouped_rows(c, ["source_id", "claimant", "measure", "period_start", "period_end"]):
        key = rows[0]
        by_side: dict[str, list] = {}
        for row in rows:
            by_side.setdefault(row.side, []).append(row)
        for group, members in wholes:
            if group not in by_side or not any(m in by_side for m in members):
                continue
            whole = _together(by_side[group])
            parts = [(m, _together(by_side[m])) for m in members if m in by_side]
            total: tuple[int, int | None] = (0, 0)
            for _, p in parts:
                total = _add(total, p)
            complete = len(parts) == len(members)
            if not complete:
                total = (total[0], None)
            verdict = ("agree" if complete else "incomplete") if _meet(total, whole) else "disagree"
            figures = f"{group} {_show(*whole)} vs " + " + ".join(f"{m} {_show(*p)}" for m, p in parts)
            if not complete:
                figures += " (" + ", ".join(m for m in members if m not in by_side) + " not given)"
            ids = [r.claim_id for name in [group, *(m for m, _ in parts)] for r in by_side[name]]
            out.append(
                Finding(
                    "parts_vs_whole",
                    f"{key.claimant}, {key.measure}, {_span(key.period_start, key.period_end)}, {key.source_id}",
                    verdict,
                    figures,
                    join_ids(ids),
                    "qualifiers as stated",
                )
            )
    return out


def _together(rows: list) -> tuple[int, int | None]:
    """What one document's rows for one side say together: a range entered as two rows
    ("at least 55", "up to 78") is 55–78; rows that cannot all hold span from the lowest to
    the highest they allow."""
    intervals = [_iv(r) for r in rows]
    low = max(lo for lo, _ in intervals)
    highs = [hi for _, hi in intervals if hi is not None]
    high = min(highs) if highs else None
    if high is not None and high < low:
        return min(lo for lo, _ in intervals), None if len(highs) < len(intervals) else max(highs)
    return low, high


def daily_vs_cumulative(ds: Dataset) -> list[Finding]:
    battle = ds.battle
    cum = current_cumulative(ds.claims, battle)
    days = claimant_days(ds.claims, battle)
    theirs: dict[tuple, list] = {}
    for day in days.itertuples(index=False):
        theirs.setdefault((day.claimant, day.measure, day.side), []).append(day)
    # a day's figure made by its day is a running count (a later total above it is no
    # contradiction); one made after its day is final, and caps the day
    final = {c.claim_id for c in claim_records(ds) if not c.running}
    # copies of one report's figure are one total, set against the days once
    cum = cum.assign(report=report_keys(cum))
    figure = ["claimant", "measure", "period_end", "report", "side", "period_start", "value", "qualifier", "area"]
    copies = sorted(
        grouped_rows(cum, figure),
        key=lambda rows: (
            str(rows[0].claimant),
            str(rows[0].measure),
            rows[0].period_end,
            min(x.claim_id for x in rows),
        ),
    )
    out = []
    for same in copies:
        row = same[0]
        mine = [
            d
            for d in theirs.get((row.claimant, row.measure, row.side), [])
            if row.period_start <= d.date <= row.period_end
        ]
        if not mine:
            continue
        stated = len(mine)
        n_days = (row.period_end - row.period_start).days + 1
        summed: tuple[int, int | None] = (0, 0)
        for d in mine:
            summed = _add(summed, _iv(d))
        least = summed[0]  # what the stated days require: the total is set against this
        cum_low, cum_high = _iv(row)
        figures = (
            f"{row.side} {_show(cum_low, cum_high)} in {_span(row.period_start, row.period_end)}; "
            f"daily figures on {stated} of {n_days} days sum to {_show(*summed)}"
        )
        closed = stated == n_days and all(i in final for d in mine for i in d.claim_ids)
        if (cum_high is not None and least > cum_high) or (closed and summed[1] is not None and summed[1] < cum_low):
            verdict = "disagree"
        elif stated == n_days and least == cum_high:
            verdict = "agree"
        else:
            verdict = "covered" if cum_low <= least else "remainder"
        if verdict != "disagree":
            rest_high = None if cum_high is None else cum_high - least
            figures += f"; placed on no day: {_show(max(cum_low - least, 0), rest_high)}"
        out.append(
            Finding(
                "daily_vs_cumulative",
                f"{row.claimant}, {row.measure}, {row.side}, to {_span(row.period_end, row.period_end)}",
                verdict,
                figures,
                join_ids([*(x.claim_id for x in same), *[i for d in mine for i in d.claim_ids]]),
                "the days' least: at least N counts N, about N its band's low, up to N 0",
            )
        )
    return out


def speakers(ds: Dataset, claims: pd.DataFrame) -> list[str]:
    """Who speaks in each claim, in row order: its claimant, or, for a name that relays
    others or pools speakers (unnamed sources, local activists), the claimant in that one
    report: two of their reports are not one speaker's running count."""
    many = relaying_claimants(ds) | set(ds.claimants.loc[ds.claimants["pooled"], "claimant"].astype(str))
    return [
        f"{claimant} ({report})" if claimant in many else claimant
        for claimant, report in zip(claims["claimant"].astype(str), report_keys(claims))
    ]


def cumulative_decreasing(ds: Dataset) -> list[Finding]:
    cum = current_cumulative(ds.claims, ds.battle).sort_values(["period_end", "claim_id"])
    cum = cum.assign(speaker=speakers(ds, cum))
    out = []
    for ends in grouped_rows(cum, ["speaker", "measure", "side", "period_start"]):
        claimant, measure, side = ends[0].speaker, ends[0].measure, ends[0].side
        for i, early in enumerate(ends):
            for late in ends[i + 1 :]:
                late_high = _iv(late)[1]
                if late.period_end > early.period_end and late_high is not None and late_high < early.low:
                    out.append(
                        Finding(
                            "cumulative_decreasing",
                            f"{claimant}, {measure}, {side}",
                            "decrease",
                            f"{_show(*_iv(early))} to {early.period_end.date()} "
                            f"then {_show(*_iv(late))} to {late.period_end.date()}",
                            join_ids([early.claim_id, late.claim_id]),
                            "none: a running total cannot fall",
                        )
                    )
    return out


def derived_figures(ds: Dataset, r: Reconciliation) -> list[Finding]:
    c = ds.claims
    out = []
    for row in r.totals[r.totals["derived"]].itertuples():
        same = c[
            (c["side"] == row.side) & (c["measure"] == row.measure) & (c["value"] == int(row.best)) & c["in_scope"]
        ]
        ids_of: dict[str, list[str]] = {}
        for x in same.itertuples():
            ids_of.setdefault(str(x.claimant), []).append(f"{x.claim_id}, {_span(x.period_start, x.period_end)}")
        stated = (
            "; the number is given only by " + and_list([f"{name} ({'; '.join(ids)})" for name, ids in ids_of.items()])
            if ids_of
            else "; no claim gives the number"
        )
        out.append(
            Finding(
                "derived_figures",
                f"{row.measure}, {row.side}, battle total ({r.rule.name} rule)",
                "derived",
                f"{row.best} follows from {DERIVED_FROM}{stated}",
                join_ids(resting(row.claims, row.capping)),
                "exact",
            )
        )
    return out


def copies_disagree(ds: Dataset) -> list[Finding]:
    c = ds.claims[ds.claims["report_id"].notna()]
    # a report's daily and running figures, or its toll and its count of named victims,
    # are different figures, not copies of one
    c = c.assign(identified=identified(c))
    kind = ["figure_type", "identified"]
    outlet = {x.source_id: f"{x.publisher} ({x.language})" for x in ds.sources.itertuples()}
    found: dict[str, list[Finding]] = {}
    for same in grouped_rows(c, ["report_id", "measure", "side", "area", *kind]):
        first = same[0]
        stated = {(x.value, x.qualifier) for x in same}
        # the days: first days and last days compared apart, each where the copies give it
        starts = {x.period_start for x in same if not pd.isna(x.period_start)}
        ends = {x.period_end for x in same if not pd.isna(x.period_end)}
        if len(stated) > 1 or len(starts) > 1 or len(ends) > 1:
            figures = "; ".join(
                f"{stated_text(x.value, x.qualifier)} for {_span(x.period_start, x.period_end)} "
                f"in {outlet[x.source_id]}"
                for x in _by_id(same)
            )
            subject = f"{first.report_id}: {first.measure}, {first.side}"
            ids = join_ids(x.claim_id for x in same)
            found.setdefault(first.report_id, []).append(
                Finding("copies_disagree", subject, "disagree", figures, ids, "exact")
            )
    swaps: dict[str, list[Finding]] = {}
    # one figure: one measure, days and area; an unstated day is one more value
    c = c.assign(days=c["period_start"].astype(str) + ".." + c["period_end"].astype(str))
    for same in grouped_rows(c, ["report_id", "measure", "days", "area", "value", *kind]):
        first = same[0]
        given: dict[str, set[str]] = {}
        for x in same:
            given.setdefault(x.source_id, set()).add(str(x.side))
        copies = [given[k] for k in sorted(given)]
        if any(ds.battle.swapped(a, b) for i, a in enumerate(copies) for b in copies[i + 1 :]):
            figures = f"{first.value} is " + "; ".join(f"{x.side} in {outlet[x.source_id]}" for x in _by_id(same))
            subject = f"{first.report_id}: {first.measure}, the number {first.value}"
            ids = join_ids(x.claim_id for x in same)
            swaps.setdefault(first.report_id, []).append(
                Finding("copies_disagree", subject, "swap", figures, ids, "exact")
            )
    return [f for report in sorted({*found, *swaps}) for f in [*found.get(report, []), *swaps.get(report, [])]]


def _by_id(rows: list) -> list:
    return sorted(rows, key=lambda x: x.claim_id)


def relaying_claimants(ds: Dataset) -> set[str]:
    """Claimants whose figures should come from someone else."""
    return set(ds.claimants.loc[ds.claimants["relays_others"], "claimant"].astype(str))


def relayed_claims(ds: Dataset) -> pd.DataFrame:
    """The in-scope claims of claimants who relay others' figures (what `untraced` traces)."""
    return ds.claims[ds.claims["in_scope"] & ds.claims["claimant"].isin(relaying_claimants(ds))]


def _all_origins(ds: Dataset, key: tuple[str, ...] = ("measure", "side", "value")) -> dict[tuple, list]:
    """By `key` (measure, side and number), the claims of primary claimants that give it,
    the first to end first (then by claim ID): a relayed figure's possible origins. Caveat:
    a match on the number alone, whatever the claim's days, area, scope or qualifier (a
    relay may carry a province's figure, an earlier day's, or drop an "at least"), so a
    coincidence of numbers passes as a trace; `untraced` reports what has no such match,
    not what surely has an origin."""
    c = ds.claims
    primary = c[~c["claimant"].isin(relaying_claimants(ds)) & c["period_end"].notna()]
    primary = primary.sort_values(["period_end", "claim_id"])
    found: dict[tuple, list] = {}
    for row in primary.itertuples(index=False):
        found.setdefault(tuple(getattr(row, k) for k in key), []).append(row)
    return found


def _origins(ds: Dataset, key: tuple[str, ...] = ("measure", "side", "value")) -> dict[tuple, Any]:
    """By `key`, the first possible origin to end (`_all_origins`)."""
    return {k: rows[0] for k, rows in _all_origins(ds, key).items()}


def _sum_origins(ds: Dataset, days: pd.DataFrame) -> dict[tuple, list]:
    """Primary claimants' daily figures by measure, side, day and number: a relayed daily
    figure for a group is the sum of one's figures for its sides when its number is found
    here on its day (a relayed 10 for all = 6 + 3 + 1 a primary claimant gives for the sides)."""
    found: dict[tuple, list] = {}
    for row in days[~days["claimant"].isin(relaying_claimants(ds))].itertuples(index=False):
        found.setdefault((row.measure, row.side, row.date, row.low), []).append(row)
    return found


def _first_per_end(rows: list) -> list:
    """Of claims ordered by end day, the first to end on each day."""
    first: dict = {}
    for row in rows:
        first.setdefault(row.period_end, row)
    return list(first.values())


def paired_dates(ds: Dataset) -> list[Finding]:
    relays = relaying_claimants(ds)
    c = ds.claims[
        ds.claims["in_scope"] & ds.claims["claimant"].isin(relays) & (ds.claims["figure_type"] == "cumulative")
    ]
    origins = _all_origins(ds)
    published = dict(zip(ds.sources["source_id"], ds.sources["published"]))
    out = []
    for rows in grouped_rows(c, ["source_id", "period_start", "period_end"]):
        source, start, end = rows[0].source_id, rows[0].period_start, rows[0].period_end
        # each figure's possible origins, one per end day (none ending after the document
        # appeared): the figures are mixed when no one day ends an origin of every one
        day = published.get(source)
        traced = []
        for claim in rows:
            known = origins.get((claim.measure, claim.side, claim.value), [])
            found = [o for o in known if pd.isna(day) or o.period_end <= day]
            if found:
                traced.append((claim, _first_per_end(found)))
        ends = [{o.period_end for o in found} for _, found in traced]
        if len(traced) > 1 and not set.intersection(*ends):
            figures = "; ".join(
                f"{cl.measure} {cl.side} {cl.value} traces to "
                + " or ".join(f"{o.claimant} to {o.period_end.date()} ({o.claim_id})" for o in found)
                for cl, found in traced
            )
            out.append(
                Finding(
                    "paired_dates",
                    f"{source}, presented as {_span(start, end)}",
                    "mixed dates",
                    figures,
                    join_ids([cl.claim_id for cl, _ in traced] + [o.claim_id for _, found in traced for o in found]),
                    "same end day",
                )
            )
    return out


def event_dates(ds: Dataset) -> list[Finding]:
    out = []
    for event, rows in ds.events.groupby("event", observed=True, sort=True):
        if rows["date"].nunique() > 1:
            by_day = rows.groupby("date", sort=True)
            figures = "; ".join(
                f"{day.date()}: " + ", ".join(sorted(set(g["claimant"].astype(str)))) for day, g in by_day
            )
            out.append(Finding("event_dates", str(event), "conflict", figures, join_ids(rows["event_id"]), "same day"))
    return out


def untraced(ds: Dataset, r: Reconciliation) -> list[Finding]:
    totals = r.totals
    derived = {(t.measure, t.side, t.best) for t in totals[totals["derived"]].itertuples()}
    days = claimant_days(ds.claims, ds.battle)
    c = relayed_claims(ds)
    origins, sum_origins = _origins(ds), _sum_origins(ds, days)
    any_side = _origins(ds, ("measure", "value"))
    out = []
    for claim in c.sort_values("claim_id").itertuples():
        if (claim.measure, claim.side, claim.value) in origins:
            continue
        sums = None
        if claim.figure_type == "daily":
            sums = sum_origins.get((claim.measure, claim.side, claim.period_start, claim.value))
        if sums is not None:
            verdict, how = (
                "sum of parts",
                f"; it is the sum of {', '.join(sorted({str(x.claimant) for x in sums}))}'s figures for the sides",
            )
            ids = [claim.claim_id, *[i for x in sums for i in x.claim_ids]]
        elif (claim.measure, claim.side, claim.value) in derived:
            verdict, how, ids = "derived", f"; it follows from {DERIVED_FROM}", [claim.claim_id]
        elif (other := any_side.get((claim.measure, claim.value))) is not None:
            how = f"; {other.claimant} gives it for {other.side} ({other.claim_id})"
            verdict, ids = "other side", [claim.claim_id, other.claim_id]
        else:
            verdict, how, ids = "untraced", "", [claim.claim_id]
        out.append(
            Finding(
                "untraced",
                f"{claim.claimant}: {claim.measure}, {claim.side}",
                verdict,
                f"{claim.qualifier} {claim.value}; no primary claimant gives this number for this side{how}",
                join_ids(ids),
                "same number, side and measure",
            )
        )
    return out


def unranked_claimants(ds: Dataset, r: Reconciliation) -> list[Finding]:
    """Claimants with counted figures that battle.json's hierarchy does not rank."""
    return _unranked(r.evidence)


def _unranked(evidence: Evidence) -> list[Finding]:
    return [
        Finding(
            "unranked_claimants",
            name,
            "unranked",
            "not in battle.json's claimant_hierarchy: the hierarchy rule sets its figures aside",
            join_ids(c.claim_id for c in evidence.claims if c.claimant == name),
            "every counted claimant ranked",
        )
        for name in evidence.unranked
    ]


def unranked_note(ds: Dataset, evidence: Evidence) -> str | None:
    """What the command line says of claimants with counted claims that the claimant
    hierarchy leaves out, unless battle.json accepts it: valid data, but the default rule
    sets their claims aside. None where there are none."""
    found = _unranked(evidence)
    _accept(found, ds.battle.accepted_exceptions)
    names = [f.subject for f in found if not f.accepted]
    if not names:
        return None
    one = len(names) == 1
    return (
        f"note: {and_list(names)} {'is' if one else 'are'} not in battle.json's claimant_hierarchy, so the "
        f"hierarchy rule (the default) sets {'its' if one else 'their'} claims aside; rank them there to count them"
    )


LEDGER_CHECKS = [parts_vs_whole, daily_vs_cumulative, cumulative_decreasing, copies_disagree, paired_dates, event_dates]
RESULT_CHECKS = [derived_figures, untraced, unranked_claimants]


def _accept(findings: list[Finding], exceptions) -> list[int]:
    """Mark the failing findings an accepted exception covers (its check, all its claims)
    with its reason; return the places of the exceptions that cover none."""
    unused = []
    for i, exc in enumerate(exceptions):
        matched = [
            f
            for f in findings
            if f.check == exc.check and f.verdict in FAILING and set(exc.claims) <= set(f.claims.split(";"))
        ]
        for f in matched:
            f.accepted = exc.reason
        if not matched:
            unused.append(i)
    return unused


def run_checks(ds: Dataset, reconciliation: Reconciliation | None = None) -> pd.DataFrame:
    """Every check's findings as one table, with accepted exceptions marked. Checks that
    need a reconciliation use the one given (the default rule's if none)."""
    r = reconciliation or reconcile(ds)
    findings = [f for check in LEDGER_CHECKS for f in check(ds)]
    findings += [f for check in RESULT_CHECKS for f in check(ds, r)]
    exceptions = ds.battle.accepted_exceptions
    for i in _accept(findings, exceptions):
        findings.append(
            Finding(
                "accepted_exceptions",
                f"accepted_exceptions[{i}] of battle.json ({exceptions[i].check})",
                "unused",
                f"no failing finding of {exceptions[i].check} has all of these claims",
                join_ids(exceptions[i].claims),
            )
        )
    columns = list(Finding.__dataclass_fields__)
    return pd.DataFrame([asdict(f) for f in findings], columns=columns)


def summary(findings: pd.DataFrame) -> pd.DataFrame:
    """Counts of findings per check and verdict, failing ones split by acceptance."""
    f = findings.assign(failing=findings["verdict"].isin(FAILING), accepted=findings["accepted"].ne(""))
    return f.groupby(["check", "verdict", "failing", "accepted"], sort=True).size().rename("findings").reset_index()
