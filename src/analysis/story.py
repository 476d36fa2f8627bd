"""Computed sentences for the notebooks and the site: what each section found, stated
from the data of whatever event is loaded. Nothing here names an event, a claimant or a
number: every particular comes from the ledger or a reconciliation.

Each function returns one sentence (a `str`); `say` prints it. A section with nothing to
show gets a sentence saying so rather than an empty table.
"""

from __future__ import annotations

import pandas as pd

from analysis.battle import DERIVED_FROM, UNSTATED_TOTAL, UNSTATED_TOTALS
from analysis.checks import FAILING, relayed_claims, relaying_claimants
from analysis.derive import claimant_totals
from analysis.evidence import report_keys, unattributed
from analysis.load import Dataset
from analysis.paths import FIGURE_FORMATS, FIGURE_NAMES
from analysis.reconcile import derived_days, on_no_side, resting, rules_without_claims, split_ids
from analysis.words import and_list, count


def say(*sentences: str) -> None:
    """Print each sentence on its own line."""
    for sentence in sentences:
        print(sentence)


def _day(date) -> str:
    d = pd.Timestamp(date)
    return f"{d.day} {d.strftime('%B %Y')}"


def _of_them(n: int) -> str:
    return {0: "none of them is", 1: "1 of them is"}.get(n, f"{n} of them are")


def _leaders(counts: pd.Series) -> tuple[list[str], int]:
    """The names with the highest count, every one of them when several tie (in the order
    of their names), and that count."""
    top = int(counts.max())
    return sorted((str(name) for name, n in counts.items() if n == top), key=str.casefold), top


def _attributed(ds: Dataset, claims: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The claims of `claims` that name their claimant, and how many are unattributed."""
    unnamed = claims["claimant"].astype(str).isin(unattributed(ds.claimants))
    return claims[~unnamed], int(unnamed.sum())


def _accepts_none(result, measure: str) -> bool:
    """Whether `result`'s rule accepts no claim about `measure`: its figures for it are then
    no totals, only the zeros of an empty model (see `rules_without_claims`)."""
    return bool(rules_without_claims({result.rule.name: result}, measure))


def _accepts_no_claim(result, measure: str) -> str:
    return f"the {result.rule.name} rule accepts no claim of this event about the {measure}"


def overview(ds: Dataset) -> str:
    c = ds.claims
    b = ds.battle
    days = len(b.days)
    span = _day(b.period_start) if days == 1 else f"{_day(b.period_start)} to {_day(b.period_end)}"
    documents, used = len(ds.sources), c["source_id"].nunique()
    read = count(documents, "document")
    publishers = count(ds.sources["publisher"].nunique(), "outlet")
    if c.empty:
        held = (
            f"the ledger holds no claim yet; the source register lists {read} from {publishers}"
            if documents
            else "the ledger holds no claim and the source register no document yet"
        )
        return f"{b.name} ({span}, {count(days, 'day')}): {held}."
    taken = f"the {read} read" if used == documents else f"{used} of the {read} read"
    named, nobody = _attributed(ds, c)
    by = f"by {count(named['claimant'].astype(str).nunique(), 'claimant')}"
    if nobody:
        by = f"({nobody} unattributed, the rest {by})" if len(named) else "(all unattributed)"
    return (
        f"{b.name} ({span}, {count(days, 'day')}): the ledger holds {count(len(c), 'claim')} {by}, "
        f"taken from {taken} from "
        f"{publishers}; {_of_them(int(c['in_scope'].sum()))} in the "
        f"event's scope."
    )


def outlets(ds: Dataset) -> str:
    c = ds.claims
    if c.empty:
        return "The ledger holds no claim yet."
    named = c[~c["claimant"].astype(str).isin(unattributed(ds.claimants))]
    if named.empty:
        return "No figure in the ledger names its claimant."
    per = named.groupby("claimant", observed=True)["source_id"].nunique().sort_values(ascending=False, kind="stable")
    # a claimant's name may begin in lower case: it never opens the sentence; ties are all named
    names, most = _leaders(per)
    top = (
        f"The most widely carried claimant is {names[0]} ({count(most, 'document')})"
        if len(names) == 1
        else f"The most widely carried claimants are {and_list(names)} ({count(most, 'document')} each)"
    )
    wires = ds.sources["wire_agency"].dropna()
    if not wires.size:
        return f"{top}; no document carried a wire story."
    carried = f"{top}; {count(int(wires.size), 'document')} carried a wire story ({and_list(sorted(set(wires)))})"
    if wires.value_counts().max() == 1:  # no wire story was carried twice
        return carried + "."
    return carried + ", so counting outlets would count one report many times."


def claims_by(ds: Dataset) -> str:
    c = ds.claims[ds.claims["in_scope"]]
    if c.empty:
        return "No claim is in the event's scope yet."
    named = _attributed(ds, c)[0]["claimant"].astype(str)
    sides, often = _leaders(c["side"].astype(str).value_counts())
    # names as the ledger spells them: a claimant never opens the sentence, a side is quoted; ties are all named
    quoted = and_list([f"'{s}'" for s in sides])
    nobody = len(c) - len(named)
    if named.empty:
        head = "No claim in the event's scope names its claimant"
    else:
        who, most = _leaders(named.value_counts())
        head = (
            f"The claimant with the most claims in scope is {who[0]} ({most} of {len(c)})"
            if len(who) == 1
            else f"The claimants with the most claims in scope are {and_list(who)} ({most} of {len(c)} each)"
        )
    if nobody:
        head += f"; {nobody} of the {len(c)} are unattributed"
    return head + (
        f"; the side or group claimed most often is {quoted} ({count(often, 'claim')})."
        if len(sides) == 1
        else f"; the sides or groups claimed most often are {quoted} ({count(often, 'claim')} each)."
    )


def measures(ds: Dataset) -> str:
    """How many measures the claims count, which of the reconciled measures they count (and
    which none counts), with how many claims, and that the other measures are kept."""
    c = ds.claims
    if c.empty:
        return "The ledger holds no claim yet."
    reconciled = list(ds.battle.reconciled_measures)
    stated = set(c["measure"].astype(str))
    present = [m for m in reconciled if m in stated]
    missing = [m for m in reconciled if m not in stated]
    kinds = len(stated)
    text = f"{count(kinds, 'measure')} {'is' if kinds == 1 else 'are'} counted in the ledger's claims"
    if present:
        counted = c[c["measure"].astype(str).isin(present)]
        in_scope = int(counted["in_scope"].sum())
        if len(counted) == 1:
            scope = "it is" if in_scope else "it is not"
        else:
            scope = f"{in_scope} of them" if in_scope < len(counted) else "all"
        text += (
            f"; of the reconciled measures, {and_list(present)} {'is' if len(present) == 1 else 'are'} counted by "
            f"{count(len(counted), 'claim')} ({scope} in the event's scope)"
        )
        if missing:
            text += f", and no claim counts {and_list(missing, 'or')}"
    else:
        text += f"; no claim counts {'the reconciled measure' if len(missing) == 1 else 'any reconciled measure'}, "
        text += and_list(missing, "or")
    others = kinds - len(present)
    if not others:
        return text + "."
    if not present:
        return text + f"; {'it is' if others == 1 else 'they are'} kept for the record."
    return text + ("; the other is kept for the record." if others == 1 else "; the others are kept for the record.")


def scope(ds: Dataset) -> str:
    if ds.claims.empty:
        return "The ledger holds no claim yet, so none stays out of the totals."
    out = ds.claims[~ds.claims["in_scope"]]
    if out.empty:
        return "Every claim in the ledger is in the event's scope."
    # the area a claim is coded to is where it is placed, not why it is out (its scope reason)
    areas = out["area"].astype(str).value_counts()
    if len(out) == 1:
        return (
            f"1 claim stays out of the totals, for the reason the ledger gives; the area it is coded to, whatever "
            f"the reason: {areas.index[0]}."
        )
    return (
        f"{len(out)} claims stay out of the totals, each for the reason the ledger gives; the areas they are coded "
        f"to, whatever the reason: {and_list([f'{a} {n}' for a, n in areas.items()])}."
    )


def _split(ds: Dataset, result, date, measure: str | None = None) -> tuple[int | None, list[str], list[str]]:
    """A day's reconciled total (None without a total group), its sides' bests above 0
    (and what the total leaves on no side), and those of the sides' bests that no accepted
    claim for that day and side states (derived)."""
    measure = measure or ds.battle.headline_measure
    d = result.daily[(result.daily["date"] == pd.Timestamp(date)) & (result.daily["measure"] == measure)]
    by = d.set_index("side")["best"]
    total = ds.battle.total_group
    unstated = derived_days(result, ds.battle, measure)
    parts = [f"{s} {int(by[s])}" for s in ds.battle.sides if s in by and by[s] > 0]
    derived = [f"{s} {int(by[s])}" for s in ds.battle.sides if (pd.Timestamp(date), s) in unstated]
    rest = on_no_side(by, ds.battle)
    if rest:
        parts.append(f"{rest} on no side")
    return (int(by[total]) if total in by else None), parts, derived


def day_toll(ds: Dataset, result, day: int, measure: str | None = None) -> str:
    """The reconciled toll of one day (0 = first) and its split by side."""
    measure = measure or ds.battle.headline_measure
    days = ds.battle.days
    if day >= len(days):
        return f"The event lasted {count(len(days), 'day')}: there is no day {day + 1}."
    date = days[day]
    c = ds.claims
    claimed = c[
        c["in_scope"]
        & (c["measure"] == measure)
        & (c["period_start"] == pd.Timestamp(date))
        & (c["period_end"] == pd.Timestamp(date))
    ]
    total, parts, derived = _split(ds, result, date, measure)
    named, nobody = _attributed(ds, claimed)
    by = count(named["claimant"].nunique(), "claimant")
    if not nobody:
        gave = f"{by} gave {count(len(named), 'figure')}" if len(named) else "no claimant gave a figure"
    else:  # the figures first, then who gave them: the report count below is of them all
        gave = f"{count(len(claimed), 'figure')} {'was' if len(claimed) == 1 else 'were'} given"
    gave += f" about the {measure} for that day alone"
    keys = report_keys(claimed)
    # copies: one report's figure for a side carried by two documents (two rows of one
    # document, a range or a toll beside its named victims, are two figures of it)
    documents = set(zip(keys, claimed["side"], claimed["source_id"]))
    if len(documents) > len({(k, side) for k, side, _ in documents}):
        gave += f" (copies of one report among them: {count(len(set(keys)), 'distinct report')})"
    if nobody:
        gave += f", {len(named)} by {by} and {nobody} unattributed" if len(named) else ", none attributed"
    if _accepts_none(result, measure):  # its zeros are no reconciled figure
        return f"On {_day(date)}, {gave}; {_accepts_no_claim(result, measure)}, so the day has no reconciled figure."
    head = f"On {_day(date)}, {gave}; under the {result.rule.name} rule"
    unstated = (
        f"; {and_list(derived)} {'is' if len(derived) == 1 else 'are'} derived: no accepted claim for that day and "
        "the whole area states "
        f"{'it' if len(derived) == 1 else 'them'}"
        if derived
        else ""
    )
    if total is None:  # no group covers every side: the sides' bests, no total
        bests = and_list(parts) if parts else "0 for every side"
        return f"{head} the day's reconciled bests ({measure}) are {bests}; no group covers every side{unstated}."
    split = f" ({and_list(parts)})" if parts else ""
    return f"{head} the day's reconciled best is {total} {measure}{split}{unstated}."


def revisions(result) -> str:
    revs = result.evidence.revisions
    if not revs:
        return "No claimant revised a figure in this ledger."
    # one figure may be named by several copies of the later report: figures count once
    linked = {v.old for v in revs if not v.inferred}
    inferred = {v.old for v in revs if v.inferred} - linked
    replaced = len(linked) + len(inferred)
    links = f" ({count(len(revs), 'link')} in all, one per copy of the later report)" if len(revs) > replaced else ""
    how = [f"{len(linked)} linked in the ledger"] if linked else []
    how += [f"{len(inferred)} inferred from a later report for the same side and days"] if inferred else []
    return (
        f"{count(replaced, 'figure')} {'was' if replaced == 1 else 'were'} replaced by the same claimant's later "
        f"figure: {' and '.join(how)}{links}."
    )


def _forced_zero(row) -> bool:
    """Whether a figure's row is a zero the accepted claims force (its high is 0), not a
    zero that only no claim places a death on."""
    return bool(pd.notna(row["high"]) and int(row["high"]) == 0)


def totals(ds: Dataset, result, measure: str | None = None) -> str:
    measure = measure or ds.battle.headline_measure
    if _accepts_none(result, measure):
        return f"There are no best totals ({measure}): {_accepts_no_claim(result, measure)}."
    t = result.totals[result.totals["measure"] == measure].set_index("side")
    parts = []
    accepted = {i for c in result.accepted for i in c.ids}
    source_language = ds.sources.set_index("source_id")["language"].astype(str)
    language = {
        i: source_language[src] for i, src in zip(ds.claims["claim_id"], ds.claims["source_id"]) if i in accepted
    }
    for side in ds.battle.sides:
        row = t.loc[side]
        note = ""
        if row["derived"]:
            ids = [i for i in resting(row["claims"], row["capping"]) if i in language]
            note = (
                f" (derived: {UNSTATED_TOTAL}; it follows from " + and_list([f"{i} ({language[i]})" for i in ids]) + ")"
            )
        elif int(row["best"]) == 0 and not _forced_zero(row):  # nothing known, not a count of none
            about = side in {ds.battle.parent(c.side) or c.side for c in result.accepted if c.measure == measure}
            note = (
                " (its accepted claims place no death on it)" if about else " (no accepted claim gives a figure for it)"
            )
        parts.append(f"{side} {int(row['best'])}{note}")
    group = ds.battle.total_group
    tail = ""
    if group is not None and int(t.at[group, "best"]) > 0:
        g = t.loc[group]
        placed = int(g["placed"])
        tail = (
            f"; of the {int(g['best'])} in all, {placed} {'is' if placed == 1 else 'are'} placed on a day and "
            f"{int(g['unplaced'])} on no day"
        )
        split = on_no_side(t["best"], ds.battle)
        if split:
            tail += f", and {split} on no side"
    return f"Under the {result.rule.name} rule the best totals ({measure}) are {and_list(parts)}{tail}."


def _whole(battle) -> list[str]:
    """The names that stand for the whole event: its total group, or each side where it has none."""
    return [battle.total_group] if battle.total_group is not None else list(battle.sides)


def open_high(ds: Dataset, result, measure: str | None = None) -> str:
    """Whether the accepted claims cap the total of all sides (the total group's; where
    there is none, each side's), and, for a total they do not cap, the days no claim caps."""
    measure = measure or ds.battle.headline_measure
    if _accepts_none(result, measure):
        return f"No claim caps the {measure}: {_accepts_no_claim(result, measure)}."
    group = ds.battle.total_group
    names = _whole(ds.battle)
    totals = result.totals[result.totals["measure"] == measure].set_index("side")
    daily = result.daily[result.daily["measure"] == measure]
    label = {name: f"the total for {name} ({measure})" if group is not None else name for name in names}
    capped, unbounded = [], []
    for name in names:
        high = totals.at[name, "high"]
        if pd.notna(high):
            capped.append(f"{label[name]} at {int(high)}")
            continue
        rows = daily[daily["side"] == name]
        # a total no claim caps has a day no claim caps: its high is at most the days' highs
        days = [_day(d) for d in sorted(set(rows.loc[rows["high"].isna(), "date"]))]
        if len(days) == len(ds.battle.days):
            where = f"it on {days[0]}, its only day" if len(days) == 1 else "it on any of its days"
        else:
            where = f"it on {and_list(days)} (its other days are capped)"
        unbounded.append(f"{label[name]} has no upper bound: no accepted claim caps {where}")
    parts = ([f"the accepted claims cap {and_list(capped)}"] if capped else []) + unbounded
    sentence = "; ".join(parts)
    lead = "" if group is not None else f"Of the {measure}, "
    return f"{lead}{sentence}." if lead else f"{sentence[0].upper()}{sentence[1:]}."


def derived(found: pd.DataFrame) -> str:
    f = found[found["check"] == "derived_figures"]
    if f.empty:  # true too of an event with no claim, whose zeros follow from nothing
        return f"No reconciled total follows only from {DERIVED_FROM}."
    items = [f"{row.subject}: {row.figures}" for row in f.itertuples()]
    verb = "follows" if len(f) == 1 else "follow"
    return f"{count(len(f), 'total')} {verb} only from {DERIVED_FROM}. " + " ".join(
        item[0].upper() + item[1:] + "." for item in items
    )


def copies(result) -> str:
    """Disagreements between copies among the figures the reconciliation reads (in scope,
    revisions applied); the ledger-wide check `copies_disagree` looks at every row."""
    d = result.evidence.disagreements
    if not d and not result.evidence.claims:
        return "The reconciliation reads no figure, so there are no copies of a report to compare."
    if not d:
        return "Among the figures the reconciliation reads, the copies of every report agree."
    swaps = [x for x in d if x.kind == "swap"]
    text = (
        f"Among the figures the reconciliation reads (in scope, revisions applied), "
        f"{count(len(d), 'disagreement')} between copies of one report "
        f"({count(len({x.report for x in d}), 'report')}); the copy read is the one in the preferred language, "
        f"then the earliest published, then the first by claim ID."
    )
    if swaps:
        text += " " + " ".join(f"In report {x.report}, {x.figures}." for x in swaps)
    return text


def finding_count(found: pd.DataFrame, check: str, one: str, many: str, none: str) -> str:
    """One sentence for a check's failing findings: `one` or `many` (with {n}), or `none`."""
    f = found[(found["check"] == check) & found["verdict"].isin(FAILING)]
    if f.empty:
        return none
    return (one if len(f) == 1 else many).format(n=len(f)) + _accepted(f) + "."


def _accepted(failing: pd.DataFrame) -> str:
    """'; N of them accepted as exceptions...' for the failing findings battle.json accepts."""
    accepted = int(failing["accepted"].ne("").sum())
    if not accepted:
        return ""
    if len(failing) == 1:
        return "; it is accepted as an exception, with the reason, in battle.json"
    return (
        f"; {accepted} of them accepted as {'an exception' if accepted == 1 else 'exceptions'}, with the reason, "
        "in battle.json"
    )


def parts_fit(found: pd.DataFrame) -> str:
    """Whether the totals a document gives fit the parts the same document gives (check
    `parts_vs_whole`), and how many were there to check."""
    f = found[found["check"] == "parts_vs_whole"]
    if f.empty:
        return "No document gives a total together with any of its parts: there is nothing to add up."
    failing = f[f["verdict"].isin(FAILING)]
    if not failing.empty:
        return finding_count(
            found,
            "parts_vs_whole",
            "{n} total does not fit the parts its document gives",
            "{n} totals do not fit the parts their documents give",
            "",
        )
    missing = int((f["verdict"] == "incomplete").sum())
    some = f" ({missing} with some parts not given)" if missing else ""
    return (
        f"{count(len(f), 'total')} {'comes' if len(f) == 1 else 'come'} with parts in the same document, and the "
        f"parts fit {'it' if len(f) == 1 else 'every one'}{some}."
    )


def conflicts(result) -> str:
    c = result.conflicts
    if c.empty and not result.accepted:
        return f"The {result.rule.name} rule accepts no claim of this event, so there is no conflict."
    if c.empty:
        return f"Under the {result.rule.name} rule the accepted claims can all hold together: no conflict."
    return (
        f"Under the {result.rule.name} rule {count(len(c), 'minimal set')} of accepted claims could not all "
        f"hold; in {'it' if len(c) == 1 else 'each'} the claim that gives way is named with the reason."
    )


def set_aside(result) -> str:
    """How many claims the rule sets aside, and the commonest kinds of reason
    (`evidence.ASIDE_KINDS`), every kind tied with the third named too."""
    aside = result.set_aside
    if aside.empty:
        return f"The {result.rule.name} rule sets no claim aside."
    if len(aside) == 1:
        return f"The {result.rule.name} rule sets 1 claim aside: {aside['kind'].iloc[0]}."
    kinds = (
        aside["kind"].astype(str).value_counts().sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    )
    top = kinds[kinds >= kinds.iloc[min(2, len(kinds) - 1)]]
    listed = and_list([f"{reason} ({n})" for reason, n in top.items()])
    if len(kinds) == 1:
        which = "the reason"
    elif len(top) == len(kinds):
        which = f"the {count(len(kinds), 'kind')} of reason"
    else:
        which = f"the commonest of {len(kinds)} kinds of reason"
    return (
        f"The {result.rule.name} rule sets {count(len(aside), 'claim')} aside, each with its reason; {which}: {listed}."
    )


def _rule_names(names: list[str]) -> str:
    """Rules by name in running text: "the latest rule", "the envelope and latest rules"."""
    return and_list([f"the {n}" for n in names[:1]] + list(names[1:])) + (" rule" if len(names) == 1 else " rules")


def rules_spread(ds: Dataset, results: dict, measure: str | None = None) -> str:
    """How far the rules' totals for the whole event lie apart, leaving out (and naming) the
    rules that accept no claim about the measure."""
    measure = measure or ds.battle.headline_measure
    group = ds.battle.total_group
    if group is None:
        return "The event has no group covering every side, so no single total to compare across rules."
    none = rules_without_claims(results, measure)
    about = f"a claim of this event about the {measure}"
    rows = {
        name: r.totals.set_index(["measure", "side"]).loc[(measure, group)]
        for name, r in results.items()
        if name not in none
    }
    best = {name: int(row["best"]) for name, row in rows.items()}
    if not best:
        return f"No rule accepts {about}, so there is no total to compare across rules."
    if len(best) == 1 and none:
        [(name, total)] = best.items()
        return f"Only the {name} rule accepts {about}; its best total is {total} {measure}."
    if len(best) == 1:
        [(name, total)] = best.items()
        return f"The {name} rule gives a best total of {total} {measure}."
    tail = (
        f"; {_rule_names(none)} {'accepts' if len(none) == 1 else 'accept'} no claim of this event about the {measure}"
        if none
        else ""
    )
    low, high = min(best.values()), max(best.values())
    if low == high:
        # rules that agree may all read one report: their agreement is then no corroboration
        single = sorted(name for name, row in rows.items() if int(row["reports"]) == 1)
        if len(single) == len(rows):
            tail = "; under each it rests on a single report" + tail
        elif single:
            tail = f"; under {_rule_names(single)} it rests on a single report" + tail
        if none:
            return f"Every rule that accepts a claim gives the same best total, {low} {measure}{tail}."
        return f"Every rule gives the same best total, {low} {measure}{tail}."
    at = lambda v: and_list(sorted(n for n, b in best.items() if b == v))  # noqa: E731
    return f"The rules' best totals run from {low} ({at(low)}) to {high} ({at(high)}) {measure}{tail}."


def rates(implied: pd.DataFrame) -> str:
    """How many casualty rates the figures imply, and from how many claimed forces or
    populations (`implied`: `summaries.implied_rates`, one row per rate)."""
    if not implied.empty:  # a force or population of 0 gives no rate
        implied = implied[~implied["rate (best)"].astype(str).str.startswith("n/a")]
    if implied.empty:
        return "No claim read gives a force or population for a side with reconciled casualties: no rate follows."
    bases = implied["out of"].nunique()
    return (
        f"{count(len(implied), 'rate')} follow{'s' if len(implied) == 1 else ''} from "
        f"{count(bases, 'claimed force or population', 'claimed forces or populations')}; "
        "each is no firmer than the figure it divides by."
    )


def event_dates(found: pd.DataFrame) -> str:
    f = found[found["check"] == "event_dates"]
    if f.empty:  # true too of an event with no dated event
        return "No event is dated differently by different claims."
    dated = "; ".join(f"{row.subject} ({row.figures})" for row in f.itertuples())
    head = "An event dated differently" if len(f) == 1 else "Events dated differently"
    return f"{head}: {dated}{_accepted(f[f['verdict'].isin(FAILING)])}."


NOTHING_RELAYED = "No claimant in the ledger relays others' figures: there is nothing to trace."


def _nothing_relayed(ds: Dataset) -> str | None:
    """The sentence for an event with no relayed figure in scope, or None if it has some."""
    if not relayed_claims(ds).empty:
        return None
    names = sorted(relaying_claimants(ds))
    if not names:
        return NOTHING_RELAYED
    verb = "relays" if len(names) == 1 else "relay"
    return (
        f"{and_list(names)} {verb} others' figures, but no claim of theirs is in the event's scope: nothing to trace."
    )


def untraced(ds: Dataset, found: pd.DataFrame) -> str:
    """The relayed figures no primary claimant gives for their side and measure (check
    `untraced`): those whose number no primary claimant gives at all, then those whose
    number and measure one gives for another side, with that claim."""
    if (sentence := _nothing_relayed(ds)) is not None:
        return sentence
    f = found[found["check"] == "untraced"]
    alone, elsewhere = f[f["verdict"] == "untraced"], f[f["verdict"] == "other side"]
    if alone.empty and elsewhere.empty:
        if f.empty:
            return "Every relayed figure repeats a number a primary claimant gives for its side and measure."
        kinds = f["verdict"].value_counts()
        parts = [f"{kinds[v]} {one if kinds[v] == 1 else many}" for v, one, many in RELAYED if v in kinds]
        return (
            "Every relayed figure traces to primary claimants' figures; those that repeat none of them for "
            f"their side and measure: {and_list(parts)}."
        )
    sentences = []
    if not alone.empty:
        items = [
            f"{row.subject.split(': ', 1)[-1]} {row.figures.split(';')[0]} ({row.claims})" for row in alone.itertuples()
        ]
        sentences.append(
            "No primary claimant read for this dataset gives these relayed figures, number, side and measure "
            "alike: " + "; ".join(items) + "."
        )
    if not elsewhere.empty:
        claims, relays = ds.claims.set_index("claim_id"), relaying_claimants(ds)
        items = []
        for row in elsewhere.itertuples():
            relay, origin = sorted(split_ids(row.claims), key=lambda i: claims.at[i, "claimant"] not in relays)
            side, claimant = claims.at[origin, "side"], claims.at[origin, "claimant"]
            items.append(
                f"{row.subject.split(': ', 1)[-1]} {row.figures.split(';')[0]} ({relay}), "
                f"which {claimant} gives for {side} ({origin})"
            )
        lead = "These relayed figures repeat" if len(items) > 1 else "This relayed figure repeats"
        sentences.append(
            f"{lead} a number and measure a primary claimant gives for another side: " + "; ".join(items) + "."
        )
    return " ".join(sentences)


RELAYED = (
    (
        "sum of parts",
        "is the sum of primary claimants' figures for the sides",
        "are the sum of primary claimants' figures for the sides",
    ),
    ("derived", f"follows from {DERIVED_FROM}", f"follow from {DERIVED_FROM}"),
    (
        "other side",
        "repeats a number a primary claimant gives for another side",
        "repeat a number a primary claimant gives for another side",
    ),
    ("untraced", "traces to no claim read for this dataset", "trace to no claim read for this dataset"),
)


def relayed(ds: Dataset, found: pd.DataFrame) -> str:
    """The relayed figures no primary claimant gives as such (check `untraced`), by what
    the check found for them."""
    if (sentence := _nothing_relayed(ds)) is not None:
        return sentence
    f = found[found["check"] == "untraced"]
    if f.empty:
        return "Every relayed figure repeats a number some primary claimant gives."
    kinds = f["verdict"].value_counts()
    if len(kinds) == 1:  # one finding for all of them
        parts = [f"{'it ' + one if len(f) == 1 else 'all ' + many}" for v, one, many in RELAYED if v in kinds]
    else:
        parts = [f"{kinds[v]} {one if kinds[v] == 1 else many}" for v, one, many in RELAYED if v in kinds]
    failing = f[f["verdict"].isin(FAILING)]
    accepted = int(failing["accepted"].ne("").sum())
    verb = "is accepted as an exception" if accepted == 1 else "are accepted as exceptions"
    those = (
        ("it" if len(f) == 1 else "the one not traced to its side")
        if len(failing) == 1
        else f"{accepted} of those not traced to their side"
    )
    tail = f"; {those} {verb} in battle.json" if accepted else ""
    return (
        f"{count(len(f), 'relayed figure')} {'repeats' if len(f) == 1 else 'repeat'} no number a primary "
        f"claimant gives for the same side and measure: {and_list(parts)}{tail}."
    )


def _rests_on(name: str, row) -> str:
    """What one reconciled figure (a row of the daily or totals table) rests on: its claims,
    those that only cap a high above the best said apart, and how many reports."""
    claims = row["claims"].replace(";", ", ")
    if row["claims"] and int(row["best"]) == 0 and not _forced_zero(row):
        # claims that only cap a zero do not state it (a zero they force, high 0, rests on them)
        most = "" if pd.isna(row["high"]) else f": at most {int(row['high'])}"
        return f"{name} 0, which no accepted claim states ({claims} only bound it{most})"
    if row["capping"]:  # claims that only cap a high above the best, said apart
        capping = split_ids(row["capping"])
        stating = ", ".join(resting(row["claims"], row["capping"]))
        reports = count(int(row["reports"]), "report")
        return (
            f"{name} {int(row['best'])} rests on {stating}, with {', '.join(capping)} capping it at "
            f"{int(row['high'])} ({reports} in all)"
        )
    if row["claims"]:
        return f"{name} {int(row['best'])} rests on {claims} ({count(int(row['reports']), 'report')})"
    return f"{name} {int(row['best'])} rests on no accepted claim"


def total_claims(ds: Dataset, result, measure: str | None = None) -> str:
    """The claims each side's total rests on, and how many reports stand behind it."""
    measure = measure or ds.battle.headline_measure
    if _accepts_none(result, measure):
        return f"No claim is behind the {result.rule.name} totals ({measure}): {_accepts_no_claim(result, measure)}."
    t = result.totals[result.totals["measure"] == measure].set_index("side")
    parts = [_rests_on(name, t.loc[name]) for name in ds.battle.sides_and_total]
    return f"Claims behind the {result.rule.name} totals ({measure}): " + "; ".join(parts) + "."


def first_day_claims(ds: Dataset, result, measure: str | None = None) -> str:
    """The claims the first day's figure for the total group (or each side's, where the
    event has none) rests on."""
    measure = measure or ds.battle.headline_measure
    if _accepts_none(result, measure):
        return f"No claim is behind the first day ({measure}): {_accepts_no_claim(result, measure)}."
    d = result.daily[(result.daily["measure"] == measure) & (result.daily["date"] == pd.Timestamp(ds.battle.days[0]))]
    d = d.set_index("side")
    parts = [_rests_on(name, d.loc[name]) for name in _whole(ds.battle)]
    return f"On {_day(ds.battle.days[0])} ({measure}, {result.rule.name} rule): " + "; ".join(parts) + "."


def first_days(ds: Dataset, result, days: int = 2, measure: str | None = None) -> str:
    """The daily bests of the first `days` days for the total group (or each side, where the
    event has none), and what the claims require over the event that they place on no day."""
    measure = measure or ds.battle.headline_measure
    if _accepts_none(result, measure):
        return f"The first days have no reconciled figure: {_accepts_no_claim(result, measure)}."
    shown = [pd.Timestamp(day) for day in ds.battle.days[:days]]
    d = result.daily[(result.daily["measure"] == measure) & result.daily["date"].isin(shown)]
    t = result.totals[result.totals["measure"] == measure].set_index("side")
    names = _whole(ds.battle)
    bests = "; ".join(
        f"{name} {and_list([str(int(b)) for b in d.loc[d['side'] == name].sort_values('date')['best']])}"
        for name in names
    )
    over = "the first day" if len(shown) == 1 else f"the first {count(len(shown), 'day')}"
    unplaced = {name: n for name in names if (n := int(t.at[name, "unplaced"]))}
    if not unplaced:
        tail = "the claims place every death they require over the event on a day"
    else:
        tail = "over the whole event the claims require more that they place on no single day: " + ", ".join(
            f"{name} {n}" for name, n in unplaced.items()
        )
    return f"The daily bests ({measure}) of {over}: {bests}; {tail}."


def checks_summary(found: pd.DataFrame) -> str:
    """How many findings the consistency checks give, how many fail, and how many of those
    battle.json accepts."""
    if found.empty:
        return "The consistency checks find nothing to report."
    failing = found[found["verdict"].isin(FAILING)]
    head = f"The checks give {count(len(found), 'finding')} from {count(found['check'].nunique(), 'check')}"
    rest = len(found) - len(failing)
    if failing.empty:
        return f"{head}: none fails; " + ("it agrees or informs." if rest == 1 else f"all {rest} agree or inform.")
    agree = {0: "", 1: "; the other agrees or informs"}.get(rest, f"; the other {rest} agree or inform")
    return f"{head}: {len(failing)} failing{_accepted(failing)}{agree}."


def daily_against_totals(found: pd.DataFrame) -> str:
    """What the claimants' totals leave when set against their own daily figures (check
    `daily_vs_cumulative`)."""
    f = found[found["check"] == "daily_vs_cumulative"]
    if f.empty:
        return "No claimant gives both a total and daily figures inside its days: there is nothing to set against."
    kinds = f["verdict"].value_counts()
    said = {  # what one total does, what several do
        "agree": ("matches the sum of the daily figures", "match the sum of the daily figures"),
        "covered": ("requires no more than the daily figures", "require no more than the daily figures"),
        "remainder": (
            "leaves a remainder the claimant places on no day",
            "leave a remainder the claimant places on no day",
        ),
        "disagree": ("disagrees with them", "disagree with them"),
    }
    parts = [f"{kinds[v]} {one if kinds[v] == 1 else many}" for v, (one, many) in said.items() if v in kinds]
    return (
        f"{count(len(f), 'total')} set against the same claimant's daily figures for its days: {and_list(parts)}"
        + _accepted(f[f["verdict"].isin(FAILING)])
        + "."
    )


def latest_totals(ds: Dataset) -> str:
    """How many claimants reported a running total or a figure for the whole period (their
    latest report per side, `derive.claimant_totals`), and whose latest report's copies
    disagree, shown copy by copy."""
    t = claimant_totals(ds.claims, ds.battle, ds.sources)
    if t.empty:
        return "No claimant reported a running total or a figure for the whole period."
    who = sorted(set(t["claimant"].astype(str)))
    split = sorted(set(t.loc[t["copies_disagree"], "claimant"].astype(str)))
    named = [w for w in who if w not in unattributed(ds.claimants)]
    if not named:
        head = "Only unattributed figures reported a running total or a figure for the whole period"
    else:
        besides = " and unattributed figures" if len(named) < len(who) else ""
        head = f"{count(len(named), 'claimant')}{besides} reported a running total or a figure for the whole period"
    if not split:
        return f"{head}; the copies of each one's latest report agree."
    return f"{head}; the copies of the latest report of {and_list(split)} disagree, so each copy has rows of its own."


def figures_drawn(result, files: int) -> str:
    """What the figures notebook drew (`files`: how many files it saved): how many figures,
    in which formats, under which rule, and the totals they mark as derived."""
    formats = and_list([f.upper() for f in FIGURE_FORMATS])
    head = (
        f"{count(len(FIGURE_NAMES), 'figure')} drawn under the {result.rule.name} rule and saved as {formats} "
        f"({count(files, 'file')}); the line under each names the claimants it draws on and counts their claims, "
        "reports and outlets"
    )
    t = result.totals[result.totals["derived"]]
    if not result.accepted:
        return f"{head}. The {result.rule.name} rule accepts no claim of this event: they show no total."
    if t.empty and not (result.totals["best"] > 0).any():
        return f"{head}. Every total they show is 0, so none is derived."
    if t.empty:
        return f"{head}. No total they show is derived: an accepted claim states each one above 0."
    marked = and_list([f"{row.side} {int(row.best)} ({row.measure})" for row in t.itertuples()])
    totals = "Derived total" if len(t) == 1 else "Derived totals"
    none = UNSTATED_TOTAL if len(t) == 1 else UNSTATED_TOTALS
    return f"{head}. {totals} under this rule ({none}; marked where shown): {marked}."


def findings(ds: Dataset, results: dict, found: pd.DataFrame) -> list[str]:
    """The sentences the README states about an event, each computed here (a test checks
    that the README still says exactly these)."""
    from analysis.rules import DEFAULT_RULE

    result = results[DEFAULT_RULE]
    out = [overview(ds), day_toll(ds, result, 0)]
    if len(ds.battle.days) > 1:
        out.append(day_toll(ds, result, 1))
    out += [
        totals(ds, result),
        total_claims(ds, result),
        open_high(ds, result),
        copies(result),
        revisions(result),
        rules_spread(ds, results),
        event_dates(found),
        untraced(ds, found),
    ]
    return out
