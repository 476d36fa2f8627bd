"""Rules that decide which readings the reconciliation accepts, and which gives way when
accepted readings contradict each other. Every rule works on the evidence of
`analysis.evidence`: copies already merged into one reading per figure (language decides
only there, between copies of one report) and revisions already applied.

- `hierarchy` (default): claimants ranked as in battle.json. A reading is set aside only
  where an accepted reading of a higher-ranked claimant states a figure of the same kind
  for the same measure, side or group and days: a toll of the whole area, or a count of
  identified victims (one of them sets aside no figure of the other kind); a figure for
  part of the area sets aside none and is set aside by none. Otherwise it stays.
  Claimants that relay others (Wikipedia, unnamed sources) are traced, not counted; a
  claimant missing from the hierarchy is set aside with that reason rather than ranked
  silently. In a conflict the lower-ranked claimant gives way, then the older report
  (reports with no known day count as oldest), then the less exact figure.
- `latest`: all primary claimants; in a conflict the older report gives way (reports with
  no known day count as oldest), then the lower-ranked claimant.
- `conservative` (ACLED): all primary claimants; the best figure is the low one, the least
  deaths the accepted readings allow. In a conflict the reading whose removal gives the
  lowest battle total (over the readings in conflict) gives way.
- `envelope` (Iraq Body Count): all primary claimants; the readings for one set of days
  and sides become one band from the lowest to the highest figure stated for it, at face
  value, so that every claimant's figure lies inside and the band is capped wherever a
  claim gives a number. Conflicts are settled as in `hierarchy`. Caveat: bands combine,
  and a group's band, capped by its highest figure even where that is an "at least", can
  hold a side below another claimant's figure for that side.
- `wikipedia`: only the encyclopedia's own figures, as researchers cite them today; in a
  conflict the older revision gives way.

A rule's `give_way` key orders who gives way (the greatest key goes first); its `reasons`
name each part of the key, so every conflict can say why the dropped reading lost.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from analysis.evidence import Claim, SetAside


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    definition: str
    select: Callable[[list[Claim]], tuple[list[Claim], list[SetAside]]]
    give_way: Callable[[Claim], tuple]
    reasons: tuple[str, ...]
    best: str = "face"  # "face": least deaths the readings require at face value; "low": the low bound
    envelope: bool = False
    by_removal: bool = False  # conservative: the reading whose removal gives the lowest total gives way


def primary(claims: list[Claim]) -> tuple[list[Claim], list[SetAside]]:
    """Readings of claimants who speak for themselves; relays are traced, not counted."""
    aside = [
        SetAside(i, "its claimant relays others' figures: traced, not counted", "relay")
        for c in claims
        if c.relays
        for i in c.ids
    ]
    return [c for c in claims if not c.relays], aside


def select_hierarchy(claims: list[Claim]) -> tuple[list[Claim], list[SetAside]]:
    kept, aside = primary(claims)
    aside += [
        SetAside(
            i, f"claimant {c.claimant!r} is not in battle.json's claimant_hierarchy: it cannot be ranked", "unranked"
        )
        for c in kept
        if not c.ranked
        for i in c.ids
    ]
    accepted: list[Claim] = []
    stated: dict[tuple, list[Claim]] = {}  # accepted readings by measure, side, days and kind
    for c in sorted((c for c in kept if c.ranked), key=lambda c: (c.rank, c.claim_id)):
        key = (c.measure, c.side, c.span, c.kind)
        cover = next((h for h in stated.get(key, ()) if h.rank < c.rank), None)
        if cover is None:
            accepted.append(c)
            stated.setdefault(key, []).append(c)
        else:
            aside += [
                SetAside(
                    i,
                    f"{cover.claimant} ranks higher and states a figure of the same kind for the same side and days "
                    f"({cover.claim_id})",
                    "outranked",
                )
                for i in c.ids
            ]
    return accepted, aside


def select_wikipedia(claims: list[Claim]) -> tuple[list[Claim], list[SetAside]]:
    aside = [
        SetAside(i, "not the encyclopedia's own figure", "not encyclopedia")
        for c in claims
        if not c.encyclopedia
        for i in c.ids
    ]
    return [c for c in claims if c.encyclopedia], aside


def _day(c: Claim) -> float:
    return -math.inf if c.published_day is None else c.published_day


def by_hierarchy(c: Claim) -> tuple:
    return (c.rank, -_day(c), c.exactness, c.claim_id)


def by_date(c: Claim) -> tuple:
    return (-_day(c), c.rank, c.exactness, c.claim_id)


OLDER = "is an older report"
UNDATED = "is a report of no known date, counted as older"
HIERARCHY_REASONS = (
    "ranks lower in the claimant hierarchy",
    OLDER,
    "is less exact",
    "has the later claim ID",
)
DATE_REASONS = (
    OLDER,
    "ranks lower in the claimant hierarchy",
    "is less exact",
    "has the later claim ID",
)

RULES = {
    r.name: r
    for r in [
        Rule(
            "hierarchy",
            "Claimant hierarchy of battle.json",
            "Claimants are ranked as in battle.json. A lower-ranked reading is set aside only where a higher-ranked "
            "accepted reading states a figure of the same kind (a toll of the whole area, or a count of identified "
            "victims) for the same measure, side and days (a figure for part of the area sets aside none and is set "
            "aside by none); relays are traced, not counted, "
            "and a claimant missing from the ranking is set aside and reported. In a conflict the lower rank gives "
            "way, then the older report (an undated one counts as the oldest), then the less exact figure.",
            select_hierarchy,
            by_hierarchy,
            HIERARCHY_REASONS,
        ),
        Rule(
            "latest",
            "Each claimant's latest report",
            "All primary claimants' current readings. In a conflict the older report gives way (an undated one "
            "counts as the oldest), then the lower rank.",
            primary,
            by_date,
            DATE_REASONS,
        ),
        Rule(
            "conservative",
            "Most conservative figure (ACLED)",
            "All primary claimants; best is the low, the fewest deaths the accepted readings allow. In a conflict the "
            "reading whose removal gives the lowest total gives way, so the result can rest on the lowest claimant "
            "alone, a party accused of the killing among them.",
            primary,
            by_hierarchy,
            HIERARCHY_REASONS,
            best="low",
            by_removal=True,
        ),
        Rule(
            "envelope",
            "Min-max envelope of all claimants (IBC)",
            "All primary claimants; the readings for one set of days and sides become one band from the lowest to "
            "the highest figure stated, at face value. Conflicts are settled as under hierarchy.",
            primary,
            by_hierarchy,
            HIERARCHY_REASONS,
            envelope=True,
        ),
        Rule(
            "wikipedia",
            "Wikipedia's own figures, as cited today",
            "Only the encyclopedia's own figures, for comparison with what is cited today; in a conflict the older "
            "revision gives way.",
            select_wikipedia,
            by_date,
            DATE_REASONS,
        ),
    ]
}
DEFAULT_RULE = "hierarchy"


def why(rule: Rule, dropped: list[Claim], others: list[Claim]) -> str:
    """Why the readings `dropped` (one figure, in one claim or several) gave way against the
    strongest of the other readings in conflict: the reason of the strongest of them (a
    figure is as strong as its strongest reading), which it names where there are several."""
    loser = min(dropped, key=rule.give_way)
    who = f"{loser.claim_id} " if len(dropped) > 1 else ""
    if not others:
        return "it conflicts with the battle's structure alone"
    strongest = min(others, key=rule.give_way)
    for reason, mine, theirs in zip(rule.reasons, rule.give_way(loser), rule.give_way(strongest)):
        if mine != theirs:
            if reason == OLDER and loser.published_day is None:
                reason = UNDATED
            return f"{who}{reason} than {strongest.claim_id} ({strongest.claimant})"
    return f"{who}ties with {strongest.claim_id}"
