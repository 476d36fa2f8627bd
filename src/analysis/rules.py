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

A rule works on claim records (dicts, one per counted claim, from `enrich`): it returns
the accepted records, the claims it set aside with the reason, and the key that orders who
gives way (the greatest key is dropped first).
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
    select: Callable[[list[dict]], tuple[list[dict], list[tuple[str, str]]]]
    give_way: Callable[[dict], tuple]
    best: str = "spread"  # "spread": fewest deaths, spread evenly; "low": the low bound
    envelope: bool = False


FIELDS = ["claim_id", "claimant", "side", "measure", "value", "qualifier", "low", "high", "period_start",
          "period_end", "superseded", "rank", "language", "language_rank", "published_day", "exactness",
          "relays", "encyclopedia", "members", "first_day", "last_day"]


def enrich(dataset) -> list[dict]:
    """Counted claims as records with what the rules order by: claimant rank, language
    rank, publication day, exactness, whether the claimant relays others, the counted
    sides it covers and its first and last day as offsets into the battle."""
    battle = dataset.battle
    c = counted_claims(dataset.claims, battle)
    language_of = dict(zip(dataset.sources["source_id"], dataset.sources["language"].astype(str)))
    published_of = {k: (0 if pd.isna(d) else d.toordinal()) for k, d in zip(dataset.sources["source_id"], dataset.sources["published"])}
    relays_of = dict(zip(dataset.claimants["claimant"].astype(str), dataset.claimants["relays_others"]))
    type_of = dict(zip(dataset.claimants["claimant"].astype(str), dataset.claimants["claimant_type"].astype(str)))
    hierarchy = {name: i for i, name in enumerate(battle.claimant_hierarchy)}
    languages = {lang: i for i, lang in enumerate(battle.language_preference)}
    start = pd.Timestamp(battle.period_start)
    claimant = c["claimant"].astype(str).tolist()
    source = c["source_id"].tolist()
    side = c["side"].astype(str).tolist()
    qualifier = c["qualifier"].astype(str).tolist()
    language = [language_of[s] for s in source]
    columns = {
        "claim_id": c["claim_id"].tolist(), "claimant": claimant, "side": side,
        "measure": c["measure"].astype(str).tolist(), "value": c["value"].tolist(), "qualifier": qualifier,
        "low": c["low"].tolist(), "high": [None if pd.isna(h) else int(h) for h in c["high"]],
        "period_start": c["period_start"].tolist(), "period_end": c["period_end"].tolist(),
        "superseded": c["superseded"].tolist(),
        "rank": [hierarchy.get(n, len(hierarchy)) for n in claimant],
        "language": language, "language_rank": [languages.get(g, len(languages)) for g in language],
        "published_day": [published_of[s] for s in source],
        "exactness": [EXACTNESS[q] for q in qualifier],
        "relays": [bool(relays_of[n]) for n in claimant],
        "encyclopedia": [type_of[n] == "encyclopedia" for n in claimant],
        "members": [battle.members(s) for s in side],
        "first_day": (c["period_start"] - start).dt.days.tolist(),
        "last_day": (c["period_end"] - start).dt.days.tolist(),
    }
    return [dict(zip(FIELDS, values)) for values in zip(*(columns[f] for f in FIELDS))]


def _not_superseded(records):
    aside = [(r["claim_id"], "superseded by a later claim of the same claimant") for r in records if r["superseded"]]
    return [r for r in records if not r["superseded"]], aside


def _primary(records):
    kept, aside = _not_superseded(records)
    aside += [(r["claim_id"], "its claimant relays others' figures: traced, not counted") for r in kept if r["relays"]]
    return [r for r in kept if not r["relays"]], aside


def _overlaps(a, b) -> bool:
    return (a["measure"] == b["measure"] and a["first_day"] <= b["last_day"] and b["first_day"] <= a["last_day"]
            and not set(a["members"]).isdisjoint(b["members"]))


def _select_hierarchy(records):
    kept, aside = _primary(records)
    accepted: list[dict] = []
    for rank in sorted({r["rank"] for r in kept}):
        higher = list(accepted)
        for row in sorted((r for r in kept if r["rank"] == rank), key=lambda r: r["claim_id"]):
            covers = [h for h in higher if _overlaps(row, h)]
            # name the closest covering claim: same side first, then the nearest days, then the latest
            cover = min(covers, key=lambda h: (h["side"] != row["side"],
                                               abs(h["first_day"] - row["first_day"]) + abs(h["last_day"] - row["last_day"]),
                                               -h["published_day"], h["claim_id"]), default=None)
            if cover is None:
                accepted.append(row)
            else:
                aside.append((row["claim_id"], f"{cover['claimant']} ranks higher and covers the same days and sides ({cover['claim_id']})"))
    return accepted, aside


def _select_wikipedia(records):
    kept, aside = _not_superseded(records)
    aside += [(r["claim_id"], "not the encyclopedia's own figure") for r in kept if not r["encyclopedia"]]
    return [r for r in kept if r["encyclopedia"]], aside


def _by_hierarchy(row):
    return (row["rank"], row["language_rank"], -row["published_day"], row["exactness"], row["claim_id"])


def _by_date(row):
    return (-row["published_day"], row["rank"], row["language_rank"], row["exactness"], row["claim_id"])


def _by_size(row):
    return (row["low"], row["rank"], row["language_rank"], row["claim_id"])


RULES = {
    r.name: r
    for r in [
        Rule("hierarchy", "Claimant hierarchy of battle.json, copy in the preferred language first", _select_hierarchy, _by_hierarchy),
        Rule("latest", "Each claimant's latest revision", _primary, _by_date),
        Rule("conservative", "Most conservative figure (ACLED)", _primary, _by_size, best="low"),
        Rule("envelope", "Min-max envelope of all claimants (IBC)", _primary, _by_hierarchy, envelope=True),
        Rule("wikipedia", "Wikipedia's own figures, as cited today", _select_wikipedia, _by_date),
    ]
}
DEFAULT_RULE = "hierarchy"
