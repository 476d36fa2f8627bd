"""Small views of the ledger and results for the notebooks to print, so that notebooks
only call: counts per claimant, outlets, scope decisions, one day's claims, revisions,
lineage of a figure, implied casualty rates, and the reconciled tables as text.

Every function returns a DataFrame; `show` displays one as an HTML table in a notebook
(plain text on a console), both stable in nbval.
Caveat on rates: a strength figure no source states (check `untraced`) gives a rate no
better than that figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derive import revision_labels
from analysis.evidence import replaced_by, stated_text, unattributed
from analysis.load import Dataset
from analysis.reconcile import figure_text, split_ids
from analysis.words import count, unused


class Table:
    """A table for a notebook: HTML where the front end renders it (JupyterLab, the HTML
    pages), plain text elsewhere. Both renderings are deterministic, so nbval can compare
    them; long cells are cut at `width` characters in the text form only."""

    def __init__(self, frame: pd.DataFrame, width: int = 110):
        self.frame, self.width = frame, width

    def __repr__(self) -> str:
        if self.frame.empty:
            return "(none)"
        return self.frame.to_string(index=False, max_colwidth=self.width)

    def _repr_html_(self) -> str:
        if self.frame.empty:
            return "<p><em>(none)</em></p>"
        return self.frame.to_html(index=False, border=0, classes="claims-table", na_rep="", escape=True)


def show(frame: pd.DataFrame, width: int = 110) -> None:
    """Display a table: rendered HTML in a notebook, plain text on a console."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        print(Table(frame, width))
        return
    if get_ipython() is None:
        print(Table(frame, width))
    else:
        display(Table(frame, width))


def overview(ds: Dataset) -> pd.DataFrame:
    c, b = ds.claims, ds.battle
    unnamed = c["claimant"].astype(str).isin(unattributed(ds.claimants))
    facts = [
        ("event", b.name),
        ("place", b.place),
        ("period", f"{b.period_start} to {b.period_end} ({count(len(b.days), 'day')})"),
        ("claims in the ledger", len(c)),
        ("claims in the event's scope", int(c["in_scope"].sum())),
        ("claimants", c.loc[~unnamed, "claimant"].nunique()),
        ("unattributed claims (no claimant named)", int(unnamed.sum())),
        ("documents read", len(ds.sources)),
        ("outlets", ds.sources["publisher"].nunique()),
        ("dated events claimed", len(ds.events)),
    ]
    return pd.DataFrame(facts, columns=["what", "value"]).astype({"value": str})


def claims_by(ds: Dataset, rows: str, columns: str, in_scope_only: bool = False) -> pd.DataFrame:
    """Number of claims by two columns of the ledger, with totals."""
    c = ds.claims[ds.claims["in_scope"]] if in_scope_only else ds.claims
    across, down = c[columns].astype(str), c[rows].astype(str)
    values = {*across, *down}
    table = pd.crosstab(down.rename(unused(rows, across)), across, margins=True, margins_name=unused("total", values))
    return table.reset_index().rename_axis(columns=None)


def outlets(ds: Dataset) -> pd.DataFrame:
    """Per claimant: how many claims, in how many documents, carried by which outlets and
    wires; the unattributed figures (`evidence.unattributed`) last, after the claimants."""
    src = ds.sources.set_index("source_id")
    c = ds.claims.assign(
        publisher=ds.claims["source_id"].map(src["publisher"]),
        wire=ds.claims["source_id"].map(src["wire_agency"]),
        language=ds.claims["source_id"].map(src["language"]),
    )
    rows = []
    for who, g in c.groupby("claimant", observed=True, sort=True):
        rows.append(
            {
                "claimant": who,
                "claims": len(g),
                "documents": g["source_id"].nunique(),
                "wires": ", ".join(sorted(set(g["wire"].dropna()))) or "-",
                "languages": ", ".join(sorted(set(g["language"]))),
                "outlets": "; ".join(sorted(set(g["publisher"]))),
            }
        )
    columns = ["claimant", "claims", "documents", "wires", "languages", "outlets"]
    table = pd.DataFrame(rows, columns=columns)
    table["named"] = ~table["claimant"].astype(str).isin(unattributed(ds.claimants))
    order = table.sort_values(["named", "claims", "claimant"], ascending=[False, False, True])
    return order.drop(columns="named")


def scope_decisions(ds: Dataset) -> pd.DataFrame:
    """Claims kept in the ledger but out of the battle's totals, with the reason."""
    c = ds.claims[~ds.claims["in_scope"]]
    return c[["claim_id", "claimant", "measure", "side", "value", "place_as_named", "scope_reason"]]


def day_claims(ds: Dataset, day: int, measure: str | None = None, revisions=()) -> pd.DataFrame:
    """Every in-scope claim about one battle day (0 = first), with outlet and revision
    (`derive.revision_labels`): the claim the ledger says replaces it or the figure it is
    another outlet's copy of, or, from `revisions` (the evidence's), the one inferred to."""
    measure = measure or ds.battle.headline_measure
    if day >= len(ds.battle.days):
        return pd.DataFrame(columns=["claim_id", "claimant", "side", "figure", "outlet", "language", "revised_by"])
    date = pd.Timestamp(ds.battle.days[day])
    c = ds.claims
    c = c[c["in_scope"] & (c["measure"] == measure) & (c["period_start"] == date) & (c["period_end"] == date)]
    src = ds.sources.set_index("source_id")
    # rows outside the counted ones (a side not counted) keep the link the ledger gives
    replaced = replaced_by(ds.claims)
    replaced.update(revision_labels(ds, revisions))
    out = pd.DataFrame(
        {
            "claim_id": c["claim_id"],
            "claimant": c["claimant"].astype(str),
            "side": c["side"].astype(str),
            "figure": [stated_text(v, q) for v, q in zip(c["value"], c["qualifier"])],
            "outlet": c["source_id"].map(src["publisher"]),
            "language": c["source_id"].map(src["language"]),
            "revised_by": c["claim_id"].map(replaced).fillna(""),
        }
    )
    return out.sort_values(["claimant", "side", "claim_id"])


def revisions(ds: Dataset, result) -> pd.DataFrame:
    """Figures a claimant revised: the earlier figure beside the later one (one row per
    link: several copies of a later report may each name the figure they replace), and
    whether the ledger links them or the revision is inferred (same claimant, side and
    days, later report)."""
    claimant = dict(zip(ds.claims["claim_id"], ds.claims["claimant"].astype(str)))
    rows = [
        {
            "earlier": v.old,
            "revised by": v.new,
            "claimant": claimant.get(v.old, ""),
            "how": "inferred: a later report" if v.inferred else "linked in the ledger",
        }
        for v in result.evidence.revisions
    ]
    return pd.DataFrame(rows, columns=["earlier", "revised by", "claimant", "how"])


def copy_disagreements(result) -> pd.DataFrame:
    """Copies of one report that give different readings of a figure, and which was read."""
    rows = [
        {
            "report": d.report,
            "measure": d.measure,
            "what": d.subject,
            "kind": d.kind,
            "read": ";".join(d.kept),
            "not read": ";".join(d.dropped),
            "figures": d.figures,
        }
        for d in result.evidence.disagreements
    ]
    return pd.DataFrame(rows, columns=["report", "measure", "what", "kind", "read", "not read", "figures"])


def findings(found: pd.DataFrame, check: str, verdict: str | None = None) -> pd.DataFrame:
    f = found[found["check"] == check]
    if verdict:
        f = f[f["verdict"] == verdict]
    return f[["subject", "verdict", "figures", "claims", "accepted"]]


LINEAGE_COLUMNS = ["claim_id", "claimant", "side", "figure", "period", "outlet", "published", "binds"]


def lineage(ds: Dataset, claim_ids: str, capping: str = "") -> pd.DataFrame:
    """The claims behind a figure (IDs joined by ';'), with who said it and where, and
    what of the figure each binds: its low, best or high, or only its high (`capping`)."""
    ids = split_ids(claim_ids)
    c = ds.claims[ds.claims["claim_id"].isin(ids)]
    if c.empty:
        return pd.DataFrame(columns=LINEAGE_COLUMNS)
    src = ds.sources.set_index("source_id")
    only_high = set(split_ids(capping))
    return pd.DataFrame(
        {
            "claim_id": c["claim_id"],
            "claimant": c["claimant"].astype(str),
            "side": c["side"].astype(str),
            "figure": [stated_text(v, q) for v, q in zip(c["value"], c["qualifier"])],
            "period": c["period_start"].dt.strftime("%d %b") + "–" + c["period_end"].dt.strftime("%d %b"),
            "outlet": c["source_id"].map(src["publisher"]),
            "published": pd.to_datetime(c["source_id"].map(src["published"])).dt.strftime("%Y-%m-%d").fillna("n.d."),
            "binds": ["the high only" if i in only_high else "low, best or high" for i in c["claim_id"]],
        }
    )[LINEAGE_COLUMNS]


def claims_behind(result, side: str, day: int | None = None, measure: str | None = None) -> tuple[str, str]:
    """The claim IDs a reconciled figure rests on, one day's (0 = first) or the battle
    total's, and those of them that only cap its high (`claims` and `capping`)."""
    measure = measure or result.headline_measure
    frame = (
        result.totals
        if day is None
        else result.daily[result.daily["date"] == result.daily["date"].min() + pd.Timedelta(days=day)]
    )
    row = frame[(frame["side"] == side) & (frame["measure"] == measure)]
    return ";".join(row["claims"]), ";".join(row["capping"])


def rules_table() -> pd.DataFrame:
    """The reconciliation rules: name, what it is, and its written definition."""
    from analysis.rules import RULES

    return pd.DataFrame([{"rule": r.name, "description": r.title, "definition": r.definition} for r in RULES.values()])


def daily_table(result, measure: str | None = None, days: int | None = None) -> pd.DataFrame:
    """Best [low–high] per day and counted name (the first `days` days only, if given),
    with a last row of the deaths the accepted claims require but place on no day."""
    measure = measure or result.headline_measure
    d = result.daily[result.daily["measure"] == measure].copy()
    d["figure"] = [figure_text(lo, b, hi) for lo, b, hi in zip(d["low"], d["best"], d["high"])]
    sides = list(dict.fromkeys(d["side"]))
    date = unused("date", sides)
    wide = d.rename(columns={"date": date}).pivot(index=date, columns="side", values="figure")
    wide = wide[sides].reset_index()
    wide[date] = wide[date].dt.strftime("%d %b")
    if days is not None:
        wide = wide.head(days)
    t = result.totals[result.totals["measure"] == measure].set_index("side")
    unplaced = {date: "on no day", **{side: str(int(t.loc[side, "unplaced"])) for side in sides}}
    return pd.concat([wide, pd.DataFrame([unplaced])], ignore_index=True).rename_axis(columns=None)


def show_daily(result) -> None:
    """Each reconciled measure's `daily_table`, after a line naming the measure."""
    for measure in result.measures:
        print(f"{measure.capitalize()} per day:")
        show(daily_table(result, measure))


def totals_table(result) -> pd.DataFrame:
    """Battle totals: best [low–high], how many of the best the daily figures place, the
    rest placed on no day, whether derived, the reports and claims behind it, and those
    of the claims that only cap its high."""
    t = result.totals.copy()
    t["figure"] = [figure_text(lo, b, hi) for lo, b, hi in zip(t["low"], t["best"], t["high"])]
    t["derived"] = t["derived"].map({True: "yes", False: "no"})
    return t[["measure", "side", "figure", "placed", "unplaced", "derived", "reports", "claims", "capping"]]


def percent(value: float) -> str:
    """A share in per cent, to one decimal place from 1 % up (no trailing zeros: 10 %,
    150 %, 8.7 %), to two significant digits below, never in scientific notation."""
    if value >= 1 or value == 0:
        text = f"{value:.1f}".rstrip("0").rstrip(".")
    else:  # two significant digits, written out however small ("0.000024")
        text = np.format_float_positional(float(f"{value:.2g}"), trim="-")
    return f"{text}%"


def implied_rates(ds: Dataset, result) -> pd.DataFrame:
    """Deaths and wounded as a share of the force or population a claim gives for the side
    (`n/a` where that figure is 0)."""
    c = ds.claims
    bases = c[c["in_scope"] & c["measure"].isin(["strength", "population"])]
    totals = result.totals.set_index(["measure", "side"])
    rows = []
    for base in bases.sort_values("claim_id").itertuples():
        for measure in ds.battle.reconciled_measures:
            if (measure, base.side) not in totals.index:
                continue
            t = totals.loc[(measure, base.side)]
            if t["best"] == 0:
                continue
            hedge = {"at least": "≤", "more than": "<", "about": "~", "up to": "≥"}.get(str(base.qualifier), "")
            # a base of 0 (the schema allows it) gives no rate
            rate = f"{hedge}{percent(100 * t['best'] / base.value)}" if base.value else "n/a (denominator 0)"
            rows.append(
                {
                    "side": base.side,
                    "measure": measure,
                    "reconciled": figure_text(t["low"], t["best"], t["high"]),
                    "out of": f"{base.qualifier} {base.value} ({base.measure}, {base.claimant}, {base.claim_id})",
                    "rate (best)": rate,
                }
            )
    return pd.DataFrame(rows)


def show_figure(name: str) -> None:
    """Display one saved figure (its PNG in `paths.figures_dir()`) in the notebook."""
    from IPython.display import Image, display

    from analysis.paths import figures_dir

    display(Image(filename=str(figures_dir() / f"{name}.png")))
