"""Rules that decide which claims the reconciliation accepts, and which claim gives way
when accepted claims contradict each other.

Every rule starts from the counted claims (in scope, a reconciled measure, a counted side
or side group, both dates given) and sets aside superseded claims: a claimant's revision
replaces its earlier figure. Then:

- `hierarchy` (default): claimants ranked as in battle.json (SOHR first for al-Haffah).
  A claimant speaks for every day and side it covers; a lower-ranked claimant's figure is
  used only where no higher-ranked one covers any of its days and sides. Claimants that
  relay others (Wikipedia, unnamed sources) are left out: their figures are traced, not
  counted. Conflicts: the lower-ranked claimant gives way, then the copy in the
  less-preferred language, then the older report, then the less exact figure.
- `latest`: each claimant's latest revision of every figure, all primary claimants
  together; in a conflict the older report gives way (undated reports count as oldest).
- `conservative` (ACLED's rule): all primary claimants; in a conflict the claim asserting
  more deaths gives way, and the best figure is the low one.
- `envelope` (Iraq Body Count's rule): all primary claimants; the claims on one day-range
  and side become one band from the lowest to the highest figure claimed for it, so that
  every claimant's figure lies inside; conflicts are settled as in `hierarchy`.
- `wikipedia`: only the encyclopedia's own figures, as researchers cite them today, for
  comparison; in a conflict the older revision gives way.

A rule returns the accepted claims, the claims it set aside with the reason, and the key
that orders who gives way (the greatest key is dropped first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from analysis.derive import counted_claims

EXACTNESS = {"exact": 0, "about": 1, "at least": 2, "more than": 2, "up to": 2}


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    select: Callable[[pd.DataFrame], tuple[pd.DataFrame, list[tuple[str, str]]]]
    give_way: Callable[[pd.Series], tuple]
    best: str = "spread"  # "spread": fewest deaths, spread evenly; "low": the low bound
    envelope: bool = False


def enrich(dataset) -> pd.DataFrame:
    """Counted claims with what the rules order by: claimant rank, language rank,
    publication day, exactness, and whether the claimant relays others."""
    battle = dataset.battle
    c = counted_claims(dataset.claims, battle)
    src = dataset.sources.set_index("source_id")
    who = dataset.claimants.set_index("claimant")
    hierarchy = {name: i for i, name in enumerate(battle.claimant_hierarchy)}
    languages = {lang: i for i, lang in enumerate(battle.language_preference)}
    c["rank"] = c["claimant"].astype(str).map(lambda n: hierarchy.get(n, len(hierarchy)))
    c["language"] = c["source_id"].map(src["language"]).astype(str)
    c["language_rank"] = c["language"].map(lambda g: languages.get(g, len(languages)))
    published = c["source_id"].map(src["published"])
    c["published_day"] = published.map(lambda d: 0 if pd.isna(d) else d.toordinal())
    c["exactness"] = c["qualifier"].astype(str).map(EXACTNESS)
    c["relays"] = c["claimant"].astype(str).map(who["relays_others"]).astype(bool)
    c["encyclopedia"] = c["claimant"].astype(str).map(who["claimant_type"]).eq("encyclopedia")
    c["members"] = c["side"].astype(str).map(battle.members)
    return c.reset_index(drop=True)


def _not_superseded(c):
    gone = c[c["superseded"]]
    return c[~c["superseded"]], [(i, "superseded by a later claim of the same claimant") for i in gone["claim_id"]]


def _primary(c):
    kept, aside = _not_superseded(c)
    relays = kept[kept["relays"]]
    aside += [(i, "its claimant relays others' figures: traced, not counted") for i in relays["claim_id"]]
    return kept[~kept["relays"]], aside


def _overlaps(a, b) -> bool:
    return (a.measure == b.measure and a.period_start <= b.period_end and b.period_start <= a.period_end
            and bool(set(a.members) & set(b.members)))


def _select_hierarchy(c):
    kept, aside = _primary(c)
    accepted = []
    for rank, group in kept.sort_values(["rank", "claim_id"]).groupby("rank", sort=True):
        higher = list(accepted)
        for row in group.itertuples():
            cover = next((h for h in higher if _overlaps(row, h)), None)
            if cover is None:
                accepted.append(row)
            else:
                aside.append((row.claim_id, f"{cover.claimant} ranks higher and covers the same days and sides ({cover.claim_id})"))
    ids = {r.claim_id for r in accepted}
    return kept[kept["claim_id"].isin(ids)], aside


def _select_wikipedia(c):
    kept, aside = _not_superseded(c)
    other = kept[~kept["encyclopedia"]]
    aside += [(i, "not the encyclopedia's own figure") for i in other["claim_id"]]
    return kept[kept["encyclopedia"]], aside


def _by_hierarchy(row):
    return (row["rank"], row["language_rank"], -row["published_day"], row["exactness"], row["claim_id"])


def _by_date(row):
    return (-row["published_day"], row["rank"], row["language_rank"], row["exactness"], row["claim_id"])


def _by_size(row):
    return (row["low"], row["rank"], row["language_rank"], row["claim_id"])


RULES = {
    r.name: r
    for r in [
        Rule("hierarchy", "Claimant hierarchy (SOHR first), latest English copy", _select_hierarchy, _by_hierarchy),
        Rule("latest", "Each claimant's latest revision", _primary, _by_date),
        Rule("conservative", "Most conservative figure (ACLED)", _primary, _by_size, best="low"),
        Rule("envelope", "Min-max envelope of all claimants (IBC)", _primary, _by_hierarchy, envelope=True),
        Rule("wikipedia", "Wikipedia's own figures, as cited today", _select_wikipedia, _by_date),
    ]
}
DEFAULT_RULE = "hierarchy"
