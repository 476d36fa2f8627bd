"""The evidence behind the reconciliation: reports, their copies, running counts and
revisions, as typed records.

The ledger has one row per figure *as one outlet printed it*. Before any figure becomes a
constraint this module makes the distinctions the sources make:

- **Report and copy.** A report is one statement by a claimant at one time (`report_id`
  in the ledger; a row without one is its own report, shared with the other figures of the
  same claimant in the same document). A copy is one outlet's rendering of it. The copies
  of a report merge into one reading per figure before any constraint is built:
  identical figures count once; a figure one copy gives for a group ("3 killed") and
  another copy for a part of it ("3 civilians killed") becomes the more specific reading
  once; copies that disagree (another number for the same side, or a swap) are reported
  as `CopyDisagreement`s and the copy in the battle's preferred language is read (then the
  earliest published, then the lowest claim ID). Two readings of one report are never
  enforced together. Two copies *swap* a number N when one gives N for side X and not for
  side Y, the other gives N for Y and not for X, and X and Y do not nest. What a copy
  gives is every counted figure it prints for the report, measure and days, including
  one a `supersedes` link has retired: a number every copy gives to the same two sides
  (20 women and 20 children) is never a swap, however the revisions thin the copies.
- **Time of count.** A figure for one day whose report was published no later than that
  day (by its earliest copy, whichever copy is read) is a running count: a lower bound,
  since deaths of that day may still be added (`count_status` blank). A figure over
  several days is read as the count to its last day. The ledger overrides either default:
  `count_status = final` for a closing count, `running` for a toll the source says is
  still rising.
- **Identified victims.** A figure the ledger marks `identified` counts named victims: a
  lower bound for the toll, and a figure of its own beside the report's toll.
- **Revisions.** An explicit `supersedes` link always holds, for every outlet's copy of
  the figure it names (`revised_copies`). Beyond it, a claimant's later
  report for the same measure, side and days supersedes its earlier one; a report is later
  when it was published on a later day, or when one of its figures is linked as a revision
  of the other's. Inferred revisions are marked as such.

Caveat: a report's publication day is the earliest day any of its copies was published;
reports with no known day are never taken to be older or newer than another.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from analysis.battle import Battle, swapped_pairs
from analysis.load import Dataset

EXACTNESS = {"exact": 0, "about": 1, "at least": 2, "more than": 2, "up to": 2}


def interval(value: int, qualifier: str, band: float, whole: bool = True) -> tuple[int, int | None]:
    """The range of true values a figure allows: (low, high or None for no cap).

    exact N: [N, N]; at least N: [N, open); more than N: [N + 1, open); up to N: [0, N];
    about N: N -/+ `band` x N, rounded inwards to whole numbers. A figure for part of the
    area (`whole` False) caps nothing: it is only a lower bound for the whole."""
    if qualifier == "exact":
        low, high = value, value
    elif qualifier == "at least":
        low, high = value, None
    elif qualifier == "more than":
        low, high = value + 1, None
    elif qualifier == "up to":
        low, high = 0, value
    elif qualifier == "about":
        low, high = math.ceil(value * (1 - band) - 1e-9), math.floor(value * (1 + band) + 1e-9)
    else:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    return (low, high) if whole else (low, None)


def stated_text(value, qualifier) -> str:
    """A figure in the words of its claim: "22", "at least 22", "about 17"."""
    return str(int(value)) if str(qualifier) == "exact" else f"{qualifier} {int(value)}"


def face_value(value: int, qualifier: str) -> int:
    """The number a figure states, read at face value: "at least 22" is 22, "about 17" is
    17, "more than 300" is 301 (the least it allows)."""
    return value + 1 if qualifier == "more than" else value


@dataclass(frozen=True)
class Claim:
    """One counted figure: in scope, a reconciled measure, a counted side or group, both
    dates given. `low`/`high` are the range it allows (high None: no cap), `face` the
    number it states. Days are offsets from the battle's first day. `published_day` is
    the copy's day in a ledger row, the report's (its earliest copy's) in a reading."""

    claim_id: str
    claimant: str
    report: str
    source_id: str
    wire: str
    side: str
    measure: str
    value: int
    qualifier: str
    low: int
    high: int | None
    face: int
    first_day: int
    last_day: int
    members: tuple[str, ...]
    published_day: int | None
    language: str
    language_rank: int
    rank: int
    ranked: bool
    exactness: int
    relays: bool
    encyclopedia: bool
    running: bool
    area: str = ""
    identified: bool = False
    pooled: bool = False
    copies: tuple[str, ...] = ()
    whole_area: bool = True

    @property
    def kind(self) -> tuple:
        """What the figure counts beside its measure, side and days: a toll of the whole
        area, or a count of identified victims; a figure for part of the area is one of a
        kind of its own (two villages share an area code)."""
        return (self.identified,) if self.whole_area else (self.identified, self.claim_id)

    @property
    def span(self) -> tuple[int, int]:
        return self.first_day, self.last_day

    @property
    def ids(self) -> tuple[str, ...]:
        """This claim's ID and those of the identical copies merged into it."""
        return (self.claim_id, *self.copies)


@dataclass(frozen=True)
class SetAside:
    """A claim left out of the readings: the reason in full (naming the claims and reports
    involved) and its kind, one of `ASIDE_KINDS`, the reason in general terms."""

    claim_id: str
    reason: str
    kind: str


ASIDE_KINDS = {
    "specific": "a copy gives a group the number another copy gives a part of it",
    "copy": "another copy of the report is read",
    "linked": "superseded by a later claim of the same claimant",
    "linked copy": "another outlet's copy of a figure superseded by a later claim",
    "inferred": "superseded by a later report of the same claimant, inferred",
    "relay": "its claimant relays others' figures",
    "unranked": "its claimant is not in the claimant hierarchy",
    "outranked": "a higher-ranked claimant states a figure of the same kind for the same side and days",
    "not encyclopedia": "not the encyclopedia's own figure",
}
"""Why a claim is set aside, in general terms (`SetAside.kind`): the set-aside sentences
count claims by these."""


@dataclass(frozen=True)
class CopyDisagreement:
    """Copies of one report that give different readings of one figure."""

    report: str
    measure: str
    subject: str
    kind: str  # "disagree" (another number for a side) or "swap" (one number, other sides)
    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    figures: str


@dataclass(frozen=True)
class Revision:
    old: str
    new: str
    inferred: bool


@dataclass
class Evidence:
    """Readings ready for the rules: one `Claim` per figure of each report, with what was
    merged, superseded or set aside on the way."""

    claims: list[Claim]
    set_aside: list[SetAside] = field(default_factory=list)
    disagreements: list[CopyDisagreement] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    unranked: tuple[str, ...] = ()


def report_key(report_id, source_id: str, claimant: str) -> str:
    """A row's report: its `report_id`, or its claimant's statement in its document."""
    return str(report_id) if isinstance(report_id, str) and report_id else f"{source_id}/{claimant}"


def report_keys(claims: pd.DataFrame) -> list[str]:
    """Each ledger row's report (`report_key`), in row order."""
    return [report_key(r, s, str(c)) for r, s, c in zip(claims["report_id"], claims["source_id"], claims["claimant"])]


def unattributed(claimants: pd.DataFrame) -> set[str]:
    """The claimants.csv entries of type "none": they stand for figures given with no
    claimant, and are no claimant in any count or ranking of claimants."""
    return set(claimants.loc[claimants["claimant_type"].astype(str) == "none", "claimant"].astype(str))


def identified(claims: pd.DataFrame) -> pd.Series:
    """Which ledger rows count identified victims (a blank cell: no)."""
    return claims["identified"].fillna(False).astype(bool)


def counted_rows(claims: pd.DataFrame, battle: Battle) -> pd.DataFrame:
    """Ledger rows that can become constraints: in scope, a reconciled measure, a counted
    side or group, both dates given."""
    return claims[
        claims["in_scope"]
        & claims["measure"].astype(str).isin(battle.reconciled_measures)
        & claims["side"].astype(str).map(lambda s: battle.members(s) is not None).astype(bool)
        & claims["period_start"].notna()
        & claims["period_end"].notna()
    ]


def claim_records(ds: Dataset) -> list[Claim]:
    """Counted ledger rows as `Claim`s, one per row (copies not yet merged)."""
    battle: Battle = ds.battle
    c = counted_rows(ds.claims, battle)
    # plain dicts: a pandas lookup per row costs more than the rest of the row together
    ids = ds.sources["source_id"].tolist()
    language_of = dict(zip(ids, ds.sources["language"].astype(str)))
    wire_of = dict(zip(ids, ds.sources["wire_agency"]))
    names = ds.claimants["claimant"].astype(str).tolist()
    relays_of = dict(zip(names, ds.claimants["relays_others"].astype(bool)))
    pooled_of = dict(zip(names, ds.claimants["pooled"].astype(bool)))
    type_of = dict(zip(names, ds.claimants["claimant_type"].astype(str)))
    hierarchy = {name: i for i, name in enumerate(battle.claimant_hierarchy)}
    start = pd.Timestamp(battle.period_start)
    status = c["count_status"]
    # day offsets for every row at once: per-row date arithmetic costs more than the row
    firsts = (c["period_start"] - start).dt.days.tolist()
    lasts = (c["period_end"] - start).dt.days.tolist()
    published_days = {
        source: None if pd.isna(day) else int(day)
        for source, day in zip(ids, (ds.sources["published"] - start).dt.days)
    }
    rows = list(c.itertuples(index=False))
    reports = [report_key(row.report_id, row.source_id, str(row.claimant)) for row in rows]
    # a report is as old as its earliest copy: a count is running if the report was made
    # by its last day, whichever outlet repeated it later (`report_days`)
    report_day: dict[str, int] = {}
    for report, row in zip(reports, rows):
        day = published_days[row.source_id]
        if day is not None:
            report_day[report] = min(report_day.get(report, day), day)
    out = []
    for row, report, stated, first, last in zip(rows, reports, status, firsts, lasts):
        claimant, side, qualifier = str(row.claimant), str(row.side), str(row.qualifier)
        published_day = published_days[row.source_id]
        made = report_day.get(report)
        first, last = int(first), int(last)
        stated = "" if pd.isna(stated) else str(stated)
        one_day = first == last
        running = stated == "running" or (stated != "final" and one_day and made is not None and made <= last)
        low, high = interval(int(row.value), qualifier, battle.about_band, battle.whole_area(str(row.area)))
        flag = row.identified
        identified = bool(not pd.isna(flag) and flag)
        language = language_of[row.source_id]
        wire = wire_of[row.source_id]
        out.append(
            Claim(
                claim_id=row.claim_id,
                claimant=claimant,
                report=report,
                source_id=row.source_id,
                wire="" if pd.isna(wire) else str(wire),
                side=side,
                measure=str(row.measure),
                value=int(row.value),
                qualifier=qualifier,
                low=low,
                high=None if running or identified else high,
                face=face_value(int(row.value), qualifier),
                first_day=first,
                last_day=last,
                members=battle.members(side) or (),
                published_day=published_day,
                language=language,
                language_rank=battle.language_rank(language),
                rank=hierarchy.get(claimant, len(hierarchy)),
                ranked=claimant in hierarchy,
                exactness=EXACTNESS[qualifier],
                relays=bool(relays_of[claimant]),
                encyclopedia=type_of[claimant] == "encyclopedia",
                running=running,
                area=str(row.area),
                whole_area=battle.whole_area(str(row.area)),
                identified=identified,
                pooled=bool(pooled_of[claimant]),
            )
        )
    return out


def _copy_order(claim: Claim) -> tuple:
    """Which copy of a report is read first: preferred language, earliest, lowest ID."""
    return (claim.language_rank, claim.published_day if claim.published_day is not None else math.inf, claim.claim_id)


def _nested(inner: tuple[str, ...], outer: tuple[str, ...]) -> bool:
    return set(inner) < set(outer)


def figure_key(c: Claim) -> tuple:
    """What makes copies copies of one figure: the report, measure, days, area and whether
    the victims are identified (`merge_copies` reads each such figure once)."""
    return (c.report, c.measure, c.first_day, c.last_day, c.area, c.identified)


def _swapped(c: Claim, o: Claim, given: dict[str, dict[int, dict[str, tuple[str, ...]]]]) -> bool:
    """Copies c and o swap a number (`battle.swapped_pairs`): c's copy gives it to c's side
    and not o's, o's copy to o's side and not c's. `given`: for each copy, the sides it
    prints each number for, with their leaves (see the module's description)."""
    if o.value != c.value:
        return False
    mine, theirs = (given.get(x.source_id, {}).get(x.value, {}) for x in (c, o))
    return (c.side, o.side) in swapped_pairs(mine, theirs)


def merge_copies(
    records: list[Claim], printed: list[Claim] | None = None
) -> tuple[list[Claim], list[SetAside], list[CopyDisagreement]]:
    """One reading per figure of each report (see the module's description). `printed`:
    every counted figure of the copies, including those explicit revisions have already
    dropped from `records` (default `records`); a swap is judged on what copies print."""
    groups: dict[tuple, list[Claim]] = {}
    for c in records:
        groups.setdefault(figure_key(c), []).append(c)
    given: dict[tuple, dict[str, dict[int, dict[str, tuple[str, ...]]]]] = {}
    for c in records if printed is None else printed:
        given.setdefault(figure_key(c), {}).setdefault(c.source_id, {}).setdefault(c.value, {})[c.side] = c.members
    readings: list[Claim] = []
    aside: list[SetAside] = []
    disagreements: list[CopyDisagreement] = []
    for figure, items in sorted(groups.items(), key=lambda kv: min(c.claim_id for c in kv[1])):
        report, measure = figure[0], figure[1]
        items = sorted(items, key=_copy_order)
        # identical figures in several copies: one reading, the preferred copy first
        unique: dict[tuple, Claim] = {}
        for c in items:
            key = (c.side, c.value, c.qualifier)
            if key in unique:
                unique[key] = replace(unique[key], copies=(*unique[key].copies, c.claim_id))
            else:
                unique[key] = c
        kept = list(unique.values())
        sides_of = {src: {c.side for c in items if c.source_id == src} for src in {c.source_id for c in items}}
        # a number given for a group in one copy and for a part of it in another: the part
        for general in list(kept):
            finer = [
                c
                for c in kept
                if c.value == general.value
                and _nested(c.members, general.members)
                and c.source_id != general.source_id
                and c.side not in sides_of[general.source_id]
            ]
            if finer:
                kept.remove(general)
                aside += [
                    SetAside(
                        i,
                        f"copy of report {report} that gives for {general.side} the number another copy "
                        f"gives for {finer[0].side} ({finer[0].claim_id}): the more specific reading is used",
                        "specific",
                    )
                    for i in general.ids
                ]
        # another number for the same side, or one number under sides that do not nest
        for c in sorted(kept, key=_copy_order):
            if c not in kept:
                continue
            rivals = [
                o
                for o in kept
                if o is not c
                and o.source_id != c.source_id
                and (
                    (o.side == c.side and (o.value, o.qualifier) != (c.value, c.qualifier))
                    or _swapped(c, o, given[figure])
                )
            ]
            for o in rivals:
                kept.remove(o)
                kind = "disagree" if o.side == c.side else "swap"
                subject = o.side if kind == "disagree" else f"the number {o.value}"
                figures = (
                    f"{c.qualifier} {c.value} {c.side} in {c.source_id} ({c.language}) against "
                    f"{o.qualifier} {o.value} {o.side} in {o.source_id} ({o.language})"
                )
                disagreements.append(CopyDisagreement(report, measure, subject, kind, c.ids, o.ids, figures))
                differ = f"give {o.side} other figures" if kind == "disagree" else f"give {o.value} to other sides"
                aside += [
                    SetAside(
                        i,
                        f"copies of report {report} {differ}: the copy in {c.source_id} "
                        f"({c.language}, {c.claim_id}) is read",
                        "copy",
                    )
                    for i in o.ids
                ]
        readings += kept
    return readings, aside, disagreements


def _report_order(records: list[Claim], links: dict[str, str]) -> dict[tuple[str, str], int]:
    """-1 / +1 where report a is older / newer than report b, by explicit links."""
    report_of = {c.claim_id: c.report for c in records}
    order: dict[tuple[str, str], int] = {}
    for new, old in links.items():
        if new in report_of and old in report_of and report_of[new] != report_of[old]:
            order[(report_of[old], report_of[new])] = -1
            order[(report_of[new], report_of[old])] = 1
    return order


def revised_copies(rows: Iterable, links: Mapping[str, str], figure: Callable, part_of: Callable) -> dict[str, str]:
    """What explicit `supersedes` links retire (`links`: new claim ID -> old), as
    {claim ID: the linked claim it is a copy of}: each claim a link names (its own copy),
    and every other copy of it, since a link names one copy and the report's figure is what
    was revised. A copy is a row of the same figure (`figure(row)`: report, measure, days,
    area, identification) that `merge_copies` reads as the same one: in another outlet, for
    the same side, or with the same number for a group and its part where the group's
    outlet gives no figure for the part's side; in the same outlet, the same side, number
    and qualifier printed twice. A correction linked within the figure (a later copy of the
    report correcting an earlier one) stands, with its copies, unless a link names it or a
    copy of it. `rows` have claim_id, source_id, side, value and qualifier;
    `part_of(part, group)` is `Battle.part_of`."""
    rows = list(rows)
    olds = set(links.values())
    named: dict[tuple, list] = {}
    sides: dict[tuple, set] = {}  # (figure, outlet) -> the sides that outlet's copy gives
    for r in rows:
        key = figure(r)
        sides.setdefault((key, r.source_id), set()).add(r.side)
        if r.claim_id in olds:
            named.setdefault(key, []).append(r)

    def copy_of(r, n, key) -> bool:
        if r.source_id == n.source_id:
            return (r.side, r.value, r.qualifier) == (n.side, n.value, n.qualifier)
        if r.side == n.side:
            return True
        if r.value != n.value:
            return False
        if part_of(str(n.side), str(r.side)):  # r gives the group, n its part
            return n.side not in sides[(key, r.source_id)]
        if part_of(str(r.side), str(n.side)):  # r gives the part, n the group
            return r.side not in sides[(key, n.source_id)]
        return False

    by_id = {r.claim_id: r for r in rows}
    corrections = set()  # (figure, side, number, qualifier) of each correction that stands
    for new, old in links.items():
        if new in by_id and old in by_id and new not in olds and figure(by_id[new]) == figure(by_id[old]):
            c, key = by_id[new], figure(by_id[new])
            # a link naming another copy of the correction (its number, not the old one's) revises it too
            if not any(n.claim_id != old and n.value == c.value and copy_of(c, n, key) for n in named[key]):
                corrections.add((key, c.side, c.value, c.qualifier))

    out: dict[str, str] = {}
    for r in rows:
        key = figure(r)
        if r.claim_id in olds:
            out[r.claim_id] = r.claim_id
        elif (key, r.side, r.value, r.qualifier) not in corrections:
            found = next((n for n in named.get(key, []) if copy_of(r, n, key)), None)
            if found is not None:
                out[r.claim_id] = found.claim_id
    return out


def replacements(links: Iterable[tuple[str, str, str]], shared: Collection[str]) -> dict[str, str]:
    """Each claim a `supersedes` link names (links as (new, old, the new claim's report)),
    with what replaces it: the one claim naming it, with its report where the report has
    other rows (`shared`: the reports that may be named, those with several rows; the copy
    a link names need not be the copy read); where several copies of one such report name
    it, "report R"; otherwise the claims' IDs."""
    by_old: dict[str, list[tuple[str, str]]] = {}
    for new, old, report in links:
        by_old.setdefault(old, []).append((new, report))
    labels = {}
    for old, named in by_old.items():
        reports = {report for _, report in named}
        if len(named) == 1:
            new, report = named[0]
            labels[old] = f"{new}, report {report}" if report in shared else new
        elif len(reports) == 1 and not reports.isdisjoint(shared):
            labels[old] = f"report {reports.pop()}"
        else:
            labels[old] = ", ".join(sorted(new for new, _ in named))
    return labels


def replaced_by(claims: pd.DataFrame) -> dict[str, str]:
    """Each claim a ledger row's `supersedes` names, with what replaces it (`replacements`;
    a report is named only by the `report_id` the ledger gives, never by a made-up key)."""
    rows = claims[claims["supersedes"].notna()]
    given = claims["report_id"].dropna().astype(str)
    shared = set(given[given.duplicated()])
    return replacements(zip(rows["claim_id"].astype(str), rows["supersedes"].astype(str), report_keys(rows)), shared)


def explicit_revisions(
    records: list[Claim], links: dict[str, str], battle: Battle, later: dict[str, str]
) -> tuple[list[Claim], list[SetAside]]:
    """Drop the figures explicit `supersedes` links name as revised, with every other copy
    of them (`revised_copies`); `later`: what replaces each (`replaced_by`)."""
    copy_of = revised_copies(records, links, figure_key, battle.part_of)
    aside = []
    for c in records:
        old = copy_of.get(c.claim_id)
        if old == c.claim_id:
            aside.append(
                SetAside(c.claim_id, f"superseded by a later claim of the same claimant ({later[old]})", "linked")
            )
        elif old is not None:
            reason = (
                f"another outlet's copy of a figure superseded by a later claim of the same claimant "
                f"({old}, superseded by {later[old]})"
            )
            aside.append(SetAside(c.claim_id, reason, "linked copy"))
    return [c for c in records if c.claim_id not in copy_of], aside


def report_days(records: list[Claim]) -> dict[str, int]:
    """Each report's publication day: the earliest day any of its copies was published
    (a report none of whose copies is dated has no entry)."""
    day: dict[str, int] = {}
    for c in records:
        if c.published_day is not None:
            day[c.report] = min(day.get(c.report, c.published_day), c.published_day)
    return day


def inferred_revisions(
    readings: list[Claim], records: list[Claim], links: dict[str, str]
) -> tuple[list[Claim], list[SetAside], list[Revision]]:
    """Drop a reading when a later report of the same claimant gives the same measure,
    side and days. `records` (every counted row) date the reports and carry the links.
    Not for a claimant that relays others (`relays_others`: unattributed figures, unnamed
    sources, an encyclopedia) nor for a name that pools speakers (`pooled`: unnamed
    activists, residents, reporters): two outlets' relays, or two activists, are no one's
    later word on their own figure; only a ledger link says one replaces another."""
    order = _report_order(records, links)
    day = report_days(records)
    gone: dict[str, str] = {}
    by_figure: dict[tuple, list[Claim]] = {}
    for c in readings:
        if c.relays or c.pooled:
            continue
        by_figure.setdefault((c.claimant, c.measure, c.side, c.first_day, c.last_day, c.area, c.identified), []).append(
            c
        )
    for same in by_figure.values():
        for old in same:
            for new in same:
                d_old, d_new = day.get(old.report), day.get(new.report)
                later = order.get((old.report, new.report)) == -1 or (
                    d_old is not None and d_new is not None and d_new > d_old
                )
                if old.report != new.report and later and old.claim_id not in gone:
                    gone[old.claim_id] = new.claim_id
    aside = [
        SetAside(
            i,
            f"superseded by a later report of the same claimant for the same side and days "
            f"({gone[c.claim_id]}; inferred, no explicit link)",
            "inferred",
        )
        for c in readings
        if c.claim_id in gone
        for i in c.ids
    ]
    revisions = [Revision(old, new, True) for old, new in sorted(gone.items())]
    return [c for c in readings if c.claim_id not in gone], aside, revisions


def gather(ds: Dataset) -> Evidence:
    """The readings the rules work on: counted claims, copies merged, revisions applied."""
    records = claim_records(ds)
    links = {new: old for new, old in ds.claims[["claim_id", "supersedes"]].dropna().itertuples(index=False)}
    current, aside = explicit_revisions(records, links, ds.battle, replaced_by(ds.claims))
    readings, merged_aside, disagreements = merge_copies(current, records)
    # a reading is as old as its report, whichever copy is read
    first = report_days(records)
    readings = [replace(c, published_day=first.get(c.report)) for c in readings]
    live, revised, inferred = inferred_revisions(readings, records, links)
    revisions = [Revision(old, new, False) for new, old in sorted(links.items())] + inferred
    aside += merged_aside + revised
    # claimants of counted rows the hierarchy leaves out (one that relays others is traced,
    # not counted, whatever its rank)
    unranked = tuple(sorted({c.claimant for c in records if not c.ranked and not c.relays}))
    return Evidence(
        sorted(live, key=lambda c: c.claim_id),
        sorted(set(aside), key=lambda a: a.claim_id),
        disagreements,
        revisions,
        unranked,
    )
