"""Figures, one function per figure, in matplotlib's object-oriented style. Each `draw_*`
function draws on an Axes it is given; each `figure_*` function lays out a Figure from
those; `save` writes a Figure as SVG, PNG and PDF, byte-identical from run to run (fixed,
generic SVG hash salt, SVG ids renumbered in order, no dates, no software version, no
producer in any of the files).

The figures (`FIGURES`, by file stem):

- `daily-deaths`: killed per day for each side and for the battle's total group (the side
  group whose members are every leaf), best as bars only where the claims place deaths,
  low-high whiskers, open highs as dashed arrows, and the deaths the accepted claims
  require but place on no day as a hatched bar of their own ("on no day").
- `cumulative-deaths`: running totals, reconciled (line and band) against what each
  claimant reported (markers); derived totals (no accepted claim gives them as a total) are marked.
- `claims-timeline`: every in-scope claim by claimant and the last day it covers; copies
  of one report are one mark with a copy count, marks of one claimant and day are stacked
  by report and side, revisions are arrows (dashed where inferred).
- `claimant-matrix`: each claimant's latest report by side, one row per copy where the
  copies of that report disagree (`derive.claimant_totals`).
- `provenance`: each figure of the encyclopedia's infobox traced to the primary claims
  giving the same number for the same side and measure, their outlets, wire agencies and
  claimants; a figure that traces to nothing says so (and, where the reconciliation
  derives it from other figures, how).
- `rule-comparison`: the event's totals per side under every rule, best with low-high
  whiskers, open highs as arrows, derived totals hollow; a rule that accepts no claim
  about a measure has no totals there, and its rows say so.

Readable in greyscale and for colour-blind readers: sides differ by Okabe-Ito colour and
also by hatch, line style and marker. Every figure has a title built from the battle's
data (`battle.json`: name and period, never typed here), labelled axes, and a source line
built from the claims it draws on (claimants, reports, outlets, wire agencies). An open
high bound (no claim caps it) is drawn as an arrow, never as a made-up number.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from analysis import derive, paths
from analysis.battle import UNSTATED_TOTAL, Battle
from analysis.evidence import identified, report_keys
from analysis.load import Dataset
from analysis.outputs import write_bytes, write_text
from analysis.reconcile import Reconciliation, derived_days, figure_text, on_no_side, rules_without_claims
from analysis.words import count

OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]
LINES: list[Any] = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"]
UNPLACED_HATCH = "////"
STYLE: dict[Any, Any] = {
    "svg.hashsalt": "analysis-figures",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
    "path.simplify": False,
}
FIGURES = paths.FIGURE_NAMES  # all_figures draws them in this order (a test holds it)
FORMATS = paths.FIGURE_FORMATS
# what "derived" means for a day's figure, in every label that says it
UNSTATED = "stated by no accepted claim\nfor the whole area"
QUALIFIER_MARKS = {"exact": "", "at least": "≥", "more than": ">", "about": "~", "up to": "≤"}


def side_style(sides: list[str], side: str) -> dict:
    i = sides.index(side)
    return {
        "color": OKABE_ITO[i % len(OKABE_ITO)],
        "hatch": HATCHES[i % len(HATCHES)],
        "linestyle": LINES[i % len(LINES)],
        "marker": MARKERS[i % len(MARKERS)],
    }


def claim_mark(value, qualifier) -> str:
    """A claimed figure as printed on a figure: '≥5', '~10', '7'."""
    return f"{QUALIFIER_MARKS.get(str(qualifier), '')}{int(value)}"


def period_text(battle: Battle) -> str:
    start, end = battle.period_start, battle.period_end
    if start == end:
        return f"{end.day} {end:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def title(fig: Figure, battle: Battle, text: str) -> None:
    fig.suptitle(f"{battle.name} ({period_text(battle)}): {text}", fontsize=10, x=0.01, ha="left")


def source_line(fig: Figure, claims: pd.DataFrame, sources: pd.DataFrame, rule: str | list[str] | None = None) -> None:
    """The source line at the foot of a figure (its `supxlabel`, so that the layout makes
    room for it), wrapped to the figure's width."""
    chars = int(fig.get_figwidth() * 72 / (7 * 0.55))
    fig.supxlabel(
        textwrap.fill(source_text(claims, sources, rule), chars), x=0.01, ha="left", fontsize=7, color="#333333"
    )


def source_text(claims: pd.DataFrame, sources: pd.DataFrame, rule: str | list[str] | None = None) -> str:
    """What a figure rests on, from the data: the claimants, how many reports, and the
    outlets and wire agencies that carried them; the rule (or rules) reconciling them."""
    if claims.empty:
        return "Source: no claim of the dataset is drawn here."
    names = ", ".join(sorted(set(claims["claimant"].astype(str))))
    reports = set(report_keys(claims))
    used = sources[sources["source_id"].isin(set(claims["source_id"]))]
    outlets = used["publisher"].dropna().astype(str).nunique()
    wires = sorted(set(used["wire_agency"].dropna().astype(str)))
    text = (
        f"Source: {count(len(claims), 'claim')} by {names}, in {count(len(reports), 'report')} "
        f"carried by {count(outlets, 'outlet')}"
    )
    text += f" (wire agencies: {', '.join(wires)})." if wires else "."
    if isinstance(rule, str):
        text += f" Reconciled under the '{rule}' rule."
    elif rule:
        text += f" Reconciled under each rule: {', '.join(rule)}."
    return text


def claims_by_id(ids, claims: pd.DataFrame) -> pd.DataFrame:
    """The ledger rows of ';'-separated claim ID cells."""
    wanted = {i for cell in ids for i in str(cell).split(";") if i and i != "nan"}
    return claims[claims["claim_id"].isin(wanted)]


# ---------------------------------------------------------------- daily deaths


def draw_daily(
    ax, daily: pd.DataFrame, totals: pd.DataFrame, name: str, style: dict, days, measure: str, derived=frozenset()
) -> None:
    """One side or group: bars of the best daily figure where the claims place deaths
    (labelled derived on the `derived` days, where no accepted claim for the day states
    it), low-high whiskers, dashed arrows where no claim caps a day, and a hatched bar at
    the right for the deaths the accepted claims require but place on no day."""
    d = (
        daily[(daily["side"] == name) & (daily["measure"] == measure)]
        .set_index("date")
        .reindex([pd.Timestamp(day) for day in days])
    )
    x = np.arange(len(days), dtype=float)
    best = d["best"].to_numpy(float)
    low = d["low"].to_numpy(float)
    high = d["high"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    row = totals[(totals["side"] == name) & (totals["measure"] == measure)]
    unplaced = float(row["unplaced"].iloc[0]) if len(row) else 0.0
    capped = ~np.isnan(high)
    top = max(np.nanmax(np.where(capped, high, 0.0)), np.nanmax(best), unplaced, 1.0) * 1.18
    placed = best > 0
    ax.bar(
        x[placed],
        best[placed],
        width=0.7,
        color=style["color"],
        hatch=style["hatch"],
        edgecolor="black",
        linewidth=0.6,
        zorder=2,
    )
    for xi, b in zip(x[placed], best[placed]):
        unstated = pd.Timestamp(days[int(xi)]) in derived
        # a derived day's longer label runs away from the y axis: rightwards in the left half
        right = unstated and xi < len(days) / 2
        ax.annotate(
            f"{b:g}" + (f" derived:\n{UNSTATED}" if unstated else ""),
            (xi, b),
            xytext=(9 if right else -9, 2),
            textcoords="offset points",
            fontsize=7,
            ha="left" if right else "right",
            va="bottom",
            zorder=4,
        )
    ax.vlines(x[capped], low[capped], high[capped], color="black", linewidth=1.2, zorder=3)
    ax.hlines(
        np.r_[low[capped], high[capped]],
        np.r_[x[capped], x[capped]] - 0.12,
        np.r_[x[capped], x[capped]] + 0.12,
        color="black",
        linewidth=1.2,
        zorder=3,
    )
    for xi, lo in zip(x[~capped], low[~capped]):
        ax.annotate(
            "",
            xy=(xi, top * 0.98),
            xytext=(xi, lo),
            zorder=3,
            arrowprops={"arrowstyle": "->", "color": "black", "lw": 0.9, "linestyle": "--"},
        )
    xu = len(days) + 0.4
    ax.axvline(len(days) - 0.3, color="#888888", linewidth=0.8, linestyle=":")
    ax.bar(
        [xu],
        [unplaced],
        width=0.9,
        color="white",
        edgecolor=style["color"],
        hatch=UNPLACED_HATCH,
        linewidth=1.0,
        zorder=2,
    )
    ax.annotate(
        f"{unplaced:g}", (xu, unplaced), xytext=(0, 2), textcoords="offset points", fontsize=7, ha="center", va="bottom"
    )
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.set_xlim(-0.6, xu + 0.7)
    ax.set_xticks([*x, xu], [*(f"{day:%d %b}" for day in days), "on no\nday"])
    ax.set_ylabel(f"{measure} (people)")
    ax.set_title(name, loc="left", fontsize=9)


def figure_daily(result: Reconciliation, ds: Dataset, measure: str | None = None) -> Figure:
    measure = measure or ds.battle.headline_measure
    battle = ds.battle
    names = battle.sides_and_total
    fig = Figure(figsize=(10.0, 1.95 * len(names) + 1.1), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(names), 1, sharex=True))
    unstated = derived_days(result, battle, measure)
    for ax, name in zip(axes, names):
        # a group's day is the sum of its sides' (the "on no side" note says what is not)
        mine = frozenset(day for day, side in unstated if side == name and name not in battle.side_groups)
        draw_daily(ax, result.daily, result.totals, name, side_style(names, name), battle.days, measure, mine)
    if battle.total_group in names:  # what the total places on no side, beside its bar
        ax = axes[names.index(battle.total_group)]
        d = result.daily[result.daily["measure"] == measure]
        for i, day in enumerate(battle.days):
            best = d[d["date"] == pd.Timestamp(day)].set_index("side")["best"]
            rest = on_no_side(best, battle)
            if rest:
                ax.annotate(
                    f"{rest} on\nno side",
                    (i, float(best[battle.total_group])),
                    xytext=(9, 2),
                    textcoords="offset points",
                    fontsize=6.5,
                    ha="left",
                    va="bottom",
                    style="italic",
                    zorder=4,
                )
    counted = "deaths" if measure == "killed" else f"people {measure}"
    axes[-1].set_xlabel(f"day of the event; at the right, {counted} the accepted claims require but place on no day")
    proxies = [
        Patch(facecolor="#bbbbbb", edgecolor="black", label=f"best: {counted} the claims place on the day"),
        Line2D(
            [],
            [],
            color="black",
            marker="_",
            markersize=8,
            linewidth=1.2,
            label="low–high: least and most the claims allow",
        ),
        Line2D([], [], color="black", linestyle="--", linewidth=0.9, label="dashed arrow: no claim caps the day"),
        Patch(
            facecolor="white",
            edgecolor="#555555",
            hatch=UNPLACED_HATCH,
            label="on no day: required by the claims, placed on no day",
        ),
    ]
    axes[0].legend(handles=proxies, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
    total = battle.total_group
    title(
        fig, battle, f"{measure} per day by side{f' and in total ({total})' if total else ''}, best with low–high range"
    )
    ids = [
        *result.totals.loc[result.totals["measure"] == measure, "claims"],
        *result.daily.loc[result.daily["measure"] == measure, "claims"],
    ]
    source_line(fig, claims_by_id(ids, ds.claims), ds.sources, result.rule.name)
    return fig


# ---------------------------------------------------------------- running totals


def draw_cumulative(
    ax, result, reported: pd.DataFrame, name: str, style: dict, claimants: list[str], measure: str | None = None
) -> None:
    """Reconciled running total of one side or group (best line, low-high band) and each
    claimant's reported running totals as markers; a derived battle total is starred."""
    measure = measure or result.headline_measure
    c = result.cumulative
    c = c[(c["side"] == name) & (c["measure"] == measure)].sort_values("date")
    # one more step to the end of the last day, so that the last day's band shows
    end = c["date"].iloc[-1] + pd.Timedelta(days=1)
    dates = [*c["date"], end]
    low = np.append(c["low"].to_numpy(float), float(c["low"].iloc[-1]))
    best = np.append(c["best"].to_numpy(float), float(c["best"].iloc[-1]))
    high = c["high"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    high = np.append(high, high[-1])
    r = reported[(reported["side"] == name) & (reported["measure"] == measure) & (reported["basis"] == "reported")]
    t = result.totals[(result.totals["side"] == name) & (result.totals["measure"] == measure)]
    highest = max(
        np.nanmax(np.r_[best, np.where(np.isnan(high), 0.0, high)]), float(r["value"].max()) if len(r) else 0.0, 1.0
    )
    top = highest * 1.25
    ax.fill_between(
        dates,
        low,
        np.where(np.isnan(high), top, high),
        step="post",
        color=style["color"],
        alpha=0.18,
        hatch=style["hatch"],
        edgecolor=style["color"],
        linewidth=0,
        label="low–high (to top of axis: open)",
    )
    ax.step(dates, best, where="post", color=style["color"], linestyle=style["linestyle"], linewidth=1.8, label="best")
    for who in claimants:
        mine = r[r["claimant"] == who]
        if len(mine):
            k = claimants.index(who)
            ax.plot(
                mine["as_of"] + pd.Timedelta(hours=12),
                mine["value"].astype(float),
                linestyle="none",
                marker=MARKERS[k % len(MARKERS)],
                markerfacecolor="white",
                markeredgecolor="black",
                markersize=6,
                label=f"{who} (number reported)",
            )
    if len(t) and bool(t["derived"].iloc[0]):
        value = float(t["best"].iloc[0])
        ax.plot(
            [end],
            [value],
            linestyle="none",
            marker="*",
            markersize=12,
            markerfacecolor="white",
            markeredgecolor="black",
            markeredgewidth=1.2,
            label=f"derived total: {UNSTATED_TOTAL}",
            clip_on=False,
            zorder=5,
        )
        # the label goes above the star, or below it where more reported markers of the last
        # two days lie above the total than below it (so that it hides none of them)
        near = r.loc[r["as_of"] >= end - pd.Timedelta(days=2), "value"].astype(float)
        below = int((near > value).sum()) > int((near < value).sum())
        ax.annotate(
            f"{value:g}: derived,\n{UNSTATED_TOTAL}",
            (end, value),
            xytext=(-8, -8 if below else 8),
            textcoords="offset points",
            fontsize=7,
            ha="right",
            va="top" if below else "bottom",
            zorder=6,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#888888"},
        )
    ax.set_ylabel(f"{measure} since the start")
    ax.set_title(name, loc="left", fontsize=9)
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))


def figure_cumulative(
    result: Reconciliation, reported: pd.DataFrame, ds: Dataset, measure: str | None = None
) -> Figure:
    measure = measure or ds.battle.headline_measure
    battle = ds.battle
    names = battle.sides_and_total
    mine = reported[(reported["basis"] == "reported") & (reported["measure"] == measure) & reported["side"].isin(names)]
    claimants = battle.claimant_order(mine["claimant"])
    fig = Figure(figsize=(9.5, 2.2 * len(names) + 1.1), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(names), 1, sharex=True))
    for ax, name in zip(axes, names):
        draw_cumulative(ax, result, reported, name, side_style(names, name), claimants, measure)
    axes[-1].set_xlabel(
        "date (the step to the right of a day: the running total to that day's end;\n"
        "it rises where a total counted to that day requires deaths the daily figures\n"
        "place on no day, so it can rise on a day with no daily figure)"
    )
    handles: dict = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    handles = dict(sorted(handles.items(), key=lambda kv: kv[0].startswith("derived")))
    axes[0].legend(
        list(handles.values()), list(handles.keys()), loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7
    )
    title(fig, battle, f"{measure} since the start, reconciled and as each claimant reported it")
    ids = [
        *result.cumulative.loc[result.cumulative["measure"] == measure, "claims"],
        *(";".join(t) for t in mine["claim_ids"]),
    ]
    source_line(fig, claims_by_id(ids, ds.claims), ds.sources, result.rule.name)
    return fig


# ---------------------------------------------------------------- claims timeline

ROW_STEP = 0.3  # vertical distance between stacked marks, in claimant-row units
REPORT_GAP = 0.18  # extra distance between the marks of two reports of one claimant and day


NAMED, PART = "†", "‡"  # a timeline label's marks: victims identified by name; a figure for one place of the area


def timeline_marks(
    claims: pd.DataFrame, battle, measure: str | None = None, sources: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One mark per figure of a report: copies of one report giving the same figure for
    the same side and days are one mark, with the number of copies and their claim IDs.
    Where the copies of a report disagree (two marks of one report for one side), each
    mark not given by every copy names the languages of its copies (`note`, from
    `sources`)."""
    measure = measure or battle.headline_measure
    c = claims[claims["in_scope"] & (claims["measure"].astype(str) == measure) & claims["period_end"].notna()].copy()
    c["report"] = report_keys(c)
    for col in ("claimant", "side", "qualifier"):
        c[col] = c[col].astype(str)
    c["start"] = c["period_start"].fillna(c["period_end"])
    c["named"] = identified(c)
    c["part"] = [not battle.whole_area(str(a)) for a in c["area"]]
    keys = ["claimant", "report", "side", "start", "period_end", "value", "qualifier", "named", "part"]
    marks = c.sort_values("claim_id").groupby(keys, sort=False).agg(ids=("claim_id", tuple)).reset_index()
    marks["copies"] = marks["ids"].map(len)
    marks["first"] = marks["ids"].map(min)
    marks["note"] = ""
    if sources is not None:
        language = c.set_index("claim_id")["source_id"].map(sources.set_index("source_id")["language"]).astype(str)
        source = c.set_index("claim_id")["source_id"]
        for _, group in marks.groupby("report", sort=False):
            if group.duplicated(["side", "start", "period_end"]).any():
                every = set(source[[i for ids in group["ids"] for i in ids]])
                for idx, ids in group["ids"].items():
                    if set(source[list(ids)]) != every:
                        marks.at[idx, "note"] = f" ({', '.join(dict.fromkeys(language[list(ids)]))})"
    marks["label"] = [
        claim_mark(v, q) + (NAMED if named else "") + (PART if part else "") + (f" ×{n}" if n > 1 else "") + note
        for v, q, n, note, named, part in zip(
            marks["value"], marks["qualifier"], marks["copies"], marks["note"], marks["named"], marks["part"]
        )
    ]
    return marks.sort_values("first").reset_index(drop=True)


TIMELINE_AXES_INCHES = 5.5  # the timeline's plotting width, between the claimant names and the legend


def day_inches(battle: Battle) -> float:
    """About how wide one day of the timeline is drawn."""
    return TIMELINE_AXES_INCHES / (len(battle.days) + 0.5)


LABEL_GAP_INCHES = 0.12  # a mark's label begins this far right of it, and the next mark's marker takes as much


def label_inches(label: str) -> float:
    """About how wide a timeline label is drawn (6.5-point text)."""
    return 0.055 * len(label)


def timeline_columns(battle: Battle, marks: pd.DataFrame) -> int:
    """How many columns of marks fit in one day's width: one for a long battle, several
    when a short one leaves each day wide (a column: marker and its longest label)."""
    longest = max((label_inches(t) for t in marks["label"]), default=0.055)
    return max(1, int(day_inches(battle) / (longest + 0.25)))


def timeline_names(battle: Battle) -> list[str]:
    """Every name a timeline mark may carry, in the order of its marks and stacks: sides
    with their sub-groups and remainders (so that children and women do not share a
    mark), groups, then other actors."""
    return list(dict.fromkeys([*battle.counted_names, *battle.other_actors]))


def timeline_layout(
    marks: pd.DataFrame, battle, columns: int = 1
) -> tuple[pd.DataFrame, dict[str, tuple[float, float]]]:
    """x (in the last day covered, as a matplotlib date number) and y of every mark: the
    marks of one claimant and day are stacked, report by report (in ledger order, a gap
    between reports), side by side within a report, wrapped into up to `columns` columns
    within the day; each claimant gets a band tall enough for its largest stack. Returns
    the marks with x and y, and each claimant's band (top, bottom)."""
    names = timeline_names(battle)
    order = battle.claimant_order(marks["claimant"])
    marks = marks.copy()
    marks["side_order"] = marks["side"].map(lambda s: names.index(s) if s in names else len(names))
    offset, xs = {}, {}
    # a label wider than the room to the next day's mark (one column a day) reaches over it:
    # the next day's marks skip the heights of such labels of the day before
    room = day_inches(battle) - LABEL_GAP_INCHES
    overhang: dict[str, tuple[object, list[float]]] = {}  # claimant -> (its last day, heights its labels reach over)
    for (who, day), group in marks.sort_values("period_end", kind="stable").groupby(
        ["claimant", "period_end"], sort=False
    ):
        stack: list[tuple[int, bool]] = []  # (mark index, whether a new report starts there)
        for report in dict.fromkeys(group.sort_values("first")["report"]):
            rows = group[group["report"] == report].sort_values(["side_order", "value", "first"]).index
            stack += [(idx, k == 0 and bool(stack)) for k, idx in enumerate(rows)]
        n = min(columns, len(stack))
        depth = -(-len(stack) // n)
        last, reaching = overhang.get(who, (None, []))
        blocked = reaching if n == 1 and last is not None and (day - last).days == 1 else []
        wide = []
        for col in range(n):
            y = 0.0
            for k, (idx, new_report) in enumerate(stack[col * depth : (col + 1) * depth]):
                y += REPORT_GAP if new_report and k else 0.0
                while any(abs(y - b) < ROW_STEP for b in blocked):
                    y += ROW_STEP
                offset[idx] = y
                xs[idx] = mdates.date2num(day) + (0.5 if n == 1 else 0.08 + col * 0.84 / n)
                if n == 1 and label_inches(marks.at[idx, "label"]) > room:
                    wide.append(y)
                y += ROW_STEP
        overhang[who] = (day, wide)
    marks["offset"] = pd.Series(offset)
    marks["x"] = pd.Series(xs)
    bands, top = {}, 0.0
    for name in order:
        deepest = float(marks.loc[marks["claimant"] == name, "offset"].max())
        height = max(1.0, deepest + 0.75)
        bands[name] = (top, top + height)
        top += height
    marks["y"] = [bands[c][0] + 0.35 + o for c, o in zip(marks["claimant"], marks["offset"])]
    return marks, bands


def draw_timeline(
    ax, claims: pd.DataFrame, battle, measure: str | None = None, revisions=(), sources: pd.DataFrame | None = None
) -> list[str]:
    """Who reported which figure for which day: one band per claimant, a mark per figure
    of a report at the last day it covers (copies counted, not repeated; a figure over
    several days in italics), revisions linked by arrows on the left of the stack.
    `revisions` are `evidence.Revision`s (explicit and inferred); without them the ledger's
    explicit `supersedes` links are drawn. Where copies of one report disagree, a mark
    names the languages of its copies. Returns the claimants drawn."""
    measure = measure or battle.headline_measure
    marks = timeline_marks(claims, battle, measure, sources)
    ax.set_xlabel(
        "last day the figure covers (a day's marks are stacked report by report, in ledger order; "
        "italics: a total over several days)"
    )
    ax.set_ylabel("claimant")
    if marks.empty:
        ax.text(0.5, 0.5, f"no in-scope '{measure}' claims", transform=ax.transAxes, ha="center")
        return []
    marks, bands = timeline_layout(marks, battle, timeline_columns(battle, marks))
    names = timeline_names(battle)
    for side, rows in marks.groupby("side", sort=False):
        k = names.index(side) if side in names else len(names)
        ax.plot(
            rows["x"],
            rows["y"],
            linestyle="none",
            marker=MARKERS[k % len(MARKERS)],
            zorder=4,
            color=OKABE_ITO[k % len(OKABE_ITO)],
            markeredgecolor="black",
            markersize=5.5,
            label=str(side),
        )
    for row in marks.itertuples():
        ax.annotate(
            row.label,
            (row.x, row.y),
            xytext=(5, 0),
            textcoords="offset points",
            fontsize=6.5,
            va="center",
            zorder=5,
            style="italic" if row.start != row.period_end else "normal",
            # arrows that cross a label pass under it
            bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    where = {i: (row.x, row.y) for row in marks.itertuples() for i in row.ids}
    links = (
        [(r.old, r.new, r.inferred) for r in revisions]
        if revisions
        else [(old, new, False) for new, old in claims[["claim_id", "supersedes"]].dropna().itertuples(index=False)]
    )
    drawn = set()
    for old, new, inferred in sorted(links):
        if old not in where or new not in where or where[old] == where[new] or (where[old], where[new]) in drawn:
            continue
        drawn.add((where[old], where[new]))
        (x0, y0), (x1, y1) = where[old], where[new]
        # bulge to the left of the stack, away from the labels (the y axis points down)
        rad = 0.5 if y1 >= y0 else -0.5
        if x0 != x1:
            rad = 0.3
        ax.add_patch(
            FancyArrowPatch(
                (x0, y0),
                (x1, y1),
                arrowstyle="-|>",
                mutation_scale=8,
                shrinkA=3.5,
                shrinkB=3.5,
                connectionstyle=f"arc3,rad={rad}",
                color="#333333",
                lw=0.9,
                linestyle=(0, (3, 2)) if inferred else "-",
                zorder=3,
            )
        )
    for _, hi in bands.values():
        ax.axhline(hi, color="#cccccc", linewidth=0.6, zorder=0)
    ax.set_yticks([(lo + hi) / 2 for lo, hi in bands.values()], list(bands))
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(max(hi for _, hi in bands.values()), 0)
    start, end = pd.Timestamp(battle.period_start), pd.Timestamp(battle.period_end)
    # room on the right for the labels of the last day's marks
    margin = min(1.4, 0.75 / day_inches(battle))
    ax.set_xlim(mdates.date2num(start) - 0.05, mdates.date2num(end + pd.Timedelta(days=1)) + margin)
    # a tick at each day's boundaries, its name under its middle: the battle's days only
    first = mdates.date2num(start)
    ax.set_xticks([first + d for d in range(len(battle.days) + 1)], [""] * (len(battle.days) + 1))
    ax.set_xticks(
        [first + d + 0.5 for d in range(len(battle.days))], [f"{day:%d %b}" for day in battle.days], minor=True
    )
    ax.tick_params(axis="x", which="minor", length=0)
    ax.grid(axis="x", which="major", color="#eeeeee", linewidth=0.6, zorder=0)
    return list(bands)


def figure_timeline(ds: Dataset, measure: str | None = None, revisions=()) -> Figure:
    measure = measure or ds.battle.headline_measure
    battle = ds.battle
    marks = timeline_marks(ds.claims, battle, measure)
    height = 2.5
    if not marks.empty:
        _, bands = timeline_layout(marks, battle, timeline_columns(battle, marks))
        height = max(hi for _, hi in bands.values()) * 0.55 + 1.4
    fig = Figure(figsize=(10.0, height), layout="constrained")
    ax = fig.subplots()
    draw_timeline(ax, ds.claims, battle, measure, revisions, ds.sources)
    handles, labels = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], color="#333333", linewidth=0.9),
        Line2D([], [], color="#333333", linewidth=0.9, linestyle=(0, (3, 2))),
    ]
    labels += ["revision (explicit link)", "revision (inferred)"]
    ax.legend(
        handles,
        labels,
        title="side (number: people;\n×n: copies of one report;\n(lang): copies of one report\n"
        f"disagree: the language\nof the copies giving this;\n{NAMED}: victims identified by name;\n"
        f"{PART}: a figure for one place\nof the area)",
        fontsize=7,
        title_fontsize=7,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    title(fig, battle, f"every in-scope '{measure}' claim, by claimant; arrows link revisions")
    c = ds.claims
    used = c[c["in_scope"] & (c["measure"].astype(str) == measure) & c["period_end"].notna()]
    source_line(fig, used, ds.sources)
    return fig


# ---------------------------------------------------------------- claimant matrix


def matrix_rows(totals: pd.DataFrame, battle: Battle, measure: str | None = None) -> list[tuple[str, str, str]]:
    """(label, claimant, source_id) of each row: one per claimant, or one per copy where
    the copies of its latest report disagree ("Monitor (fr copy)")."""
    measure = measure or battle.headline_measure
    t = totals[totals["measure"] == measure]
    claimants = battle.claimant_order(t["claimant"])
    rows = []
    for who in claimants:
        mine = t[t["claimant"] == who]
        copies = mine.drop_duplicates("source_id")
        copies = copies.assign(rank=copies["language"].map(battle.language_rank))
        copies = copies.sort_values(["rank", "source_id"])
        languages = copies["language"].tolist()
        for r in copies.itertuples():
            if len(copies) == 1 and not r.copies_disagree:
                label = who
            elif languages.count(r.language) == 1:
                label = f"{who} ({r.language} copy)"
            else:
                label = f"{who} ({r.language} copy, {r.source_id})"
            rows.append((label, who, r.source_id))
    return rows


def draw_matrix(ax, totals: pd.DataFrame, battle: Battle, measure: str | None = None) -> list[str]:
    """Claimant x side matrix of each claimant's latest report, one row per copy where its
    copies disagree, shaded in grey by size, with the number, its qualifier and its end
    day in each cell; figures the copies of one report give differently are in bold."""
    measure = measure or battle.headline_measure
    t = totals[totals["measure"] == measure]
    cols = [s for s in [*battle.counted_names] if s in set(t["side"])]
    rows = matrix_rows(totals, battle, measure)
    ax.set_xlabel(
        ("side (people killed)" if measure == "killed" else f"side (people {measure})")
        + "\none row per copy where the copies of a report disagree (dashed frame);"
        "\nbold: a figure the other copy gives differently or not at all"
    )
    ax.set_ylabel("claimant (copy of its latest report)")
    if not rows:
        ax.text(
            0.5,
            0.5,
            f"no claimant reported a '{measure}' total\n(a running total, or a figure for the whole period)",
            transform=ax.transAxes,
            ha="center",
            va="center",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        return []
    grid = np.full((len(rows), len(cols)), np.nan)
    cells = {}
    for i, (_, who, source_id) in enumerate(rows):
        for r in t[(t["claimant"] == who) & (t["source_id"] == source_id)].itertuples():
            grid[i, cols.index(r.side)] = r.value
            cells[(i, cols.index(r.side))] = r
    top = np.nanmax(grid) if np.isfinite(grid).any() else 1.0
    ax.imshow(np.nan_to_num(grid, nan=0.0), cmap="Greys", vmin=0, vmax=top * 1.8, aspect="auto")
    for (i, j), r in cells.items():
        others = [cells.get((k, j)) for k, (_, who, _) in enumerate(rows) if who == r.claimant and k != i]
        differs = r.copies_disagree and any(
            o is None or (o.value, o.qualifier) != (r.value, r.qualifier) for o in others
        )
        ax.text(
            j,
            i,
            f"{claim_mark(r.value, r.qualifier)}\nto {r.as_of:%d %b} ({r.language})",
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold" if differs else "normal",
        )
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][1] != rows[start][1]:
            if i - start > 1:
                ax.add_patch(
                    Rectangle(
                        (-0.5, start - 0.5),
                        len(cols),
                        i - start,
                        fill=False,
                        edgecolor="black",
                        linewidth=1.4,
                        linestyle="--",
                    )
                )
            start = i
    ax.set_xticks(range(len(cols)), cols, rotation=15, ha="right")
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    return [r[1] for r in rows]


def figure_matrix(totals: pd.DataFrame, ds: Dataset, measure: str | None = None) -> Figure:
    measure = measure or ds.battle.headline_measure
    battle = ds.battle
    n = len(matrix_rows(totals, battle, measure))
    fig = Figure(figsize=(8.0, max(3.4, 0.55 * n + 1.9)), layout="constrained")
    ax = fig.subplots()
    draw_matrix(ax, totals, battle, measure)
    title(fig, battle, f"each claimant's latest reported total, by side ({measure})")
    used = ds.claims[ds.claims["claim_id"].isin(set(totals.loc[totals["measure"] == measure, "claim_id"]))]
    source_line(fig, used, ds.sources)
    return fig


# ---------------------------------------------------------------- provenance of the infobox


def infobox_claims(ds: Dataset) -> pd.DataFrame:
    """Claims of an encyclopedia claimant whose detail mentions its infobox."""
    types = ds.claimants.set_index(ds.claimants["claimant"].astype(str))["claimant_type"].astype(str)
    c = ds.claims
    encyclopedia = c["claimant"].astype(str).map(types).eq("encyclopedia")
    return c[encyclopedia & c["claimant_detail"].fillna("").str.contains("infobox", case=False)]


@dataclass(frozen=True)
class ProvenanceLink:
    """One infobox figure: its measure, side and number, its text as the infobox gives it
    ('≥5 / 5'), the infobox's claims and sources for it, the primary claims that give the
    same number for the same side and measure (`matches`, a frame of claims), and, where
    none does, why (`why`)."""

    measure: str
    side: str
    value: int
    text: str
    box_claims: tuple[str, ...]
    box_sources: tuple[str, ...]
    matches: pd.DataFrame
    why: str


def provenance_links(ds: Dataset, result=None) -> list[ProvenanceLink]:
    """Each infobox figure (measure, side, number) with the primary claims giving the same
    number for the same side and measure, or why none does."""
    box = infobox_claims(ds)
    claimants = ds.claimants.set_index(ds.claimants["claimant"].astype(str))
    primary = {
        n for n, r in claimants.iterrows() if not bool(r["relays_others"]) and str(r["claimant_type"]) != "encyclopedia"
    }
    c = ds.claims
    measures = [*ds.battle.reconciled_measures]
    names = [*ds.battle.counted_names, *ds.battle.other_actors]
    out = []
    keys = box.assign(measure=box["measure"].astype(str), side=box["side"].astype(str))
    keys = keys.assign(
        m_order=keys["measure"].map(lambda m: measures.index(m) if m in measures else len(measures)),
        s_order=keys["side"].map(lambda s: names.index(s) if s in names else len(names)),
    )
    groups = keys.groupby(["m_order", "s_order", "measure", "side", "value"], sort=True)
    for (_, _, measure, side, value), group in groups:
        group = group.sort_values("claim_id")
        matches = c[
            (c["claimant"].astype(str).isin(primary))
            & (c["measure"].astype(str) == measure)
            & (c["side"].astype(str) == side)
            & (c["value"] == value)
        ].sort_values("claim_id")
        why = "no source read for this dataset gives this number"
        if matches.empty and result is not None:
            why = _derived_reason(result, ds.battle, measure, side, int(value)) or why
        out.append(
            ProvenanceLink(
                measure=measure,
                side=side,
                value=int(value),
                text=" / ".join(dict.fromkeys(claim_mark(value, q) for q in group["qualifier"])),
                box_claims=tuple(group["claim_id"]),
                box_sources=tuple(dict.fromkeys(group["source_id"])),
                matches=matches,
                why=why,
            )
        )
    return out


def _derived_reason(result: Reconciliation, battle: Battle, measure: str, side: str, value: int) -> str | None:
    """'derived: 10 (all) − 4 − 3; no accepted claim gives it as a total' where the reconciliation derives the
    number for this side from the total group's and the other sides' figures, each stated (a total or another
    side that is itself derived would make the subtraction circular: then the general words)."""
    t = result.totals[result.totals["measure"] == measure].set_index("side")
    total = battle.total_group
    if side not in t.index or not bool(t.at[side, "derived"]) or int(t.at[side, "best"]) != value:
        return None
    others = [s for s in battle.sides if s != side]
    rest = sum(int(t.at[s, "best"]) for s in others if s in t.index)
    stated = total in t.index and not any(bool(t.at[s, "derived"]) for s in [total, *others] if s in t.index)
    if stated and side in battle.sides and int(t.at[total, "best"]) - rest == value:
        parts = " − ".join(str(int(t.at[s, "best"])) for s in others)
        return f"derived: {int(t.at[total, 'best'])} ({total}) − {parts}; {UNSTATED_TOTAL}"
    return f"derived by the reconciliation from other figures; {UNSTATED_TOTAL}"


def _spread(ys: dict, gap: float) -> dict:
    """Move node positions apart so that neighbours are at least `gap` apart."""
    order = sorted(ys, key=lambda k: (ys[k], str(k)))
    out, last = {}, None
    for k in order:
        y = ys[k] if last is None else max(ys[k], last + gap)
        out[k], last = y, y
    return out


def _past_boxes(start: float, end: float, xs: list[float], boxes: list[float], clear: float = 0.4) -> float:
    """Where a line from `start` to `end` that skips the middle column (`xs`: its three
    columns) crosses that column: on the straight line, or, where a box of that column (at
    the heights `boxes`) is in the way, moved towards the line's start until it passes the
    box (a direct link must not look as if it ran through a wire agency)."""
    y = start + (end - start) * (xs[1] - xs[0]) / (xs[2] - xs[0])
    step = 0.05 if start >= y else -0.05
    while any(abs(y - b) < clear for b in boxes):
        y += step
    return y


def draw_provenance(ax, ds: Dataset, result=None) -> list[str]:
    """Lines from each infobox figure to the claims giving its number, their outlets, wire
    agencies and claimants. Returns the claimants reached."""
    links = provenance_links(ds, result)
    ax.set_xlabel(
        "where an infobox figure comes from: claims by primary claimants with the same number for the "
        "same side and measure,\nthen outlet → wire agency → claimant (dotted: no wire agency)"
    )
    ax.set_ylabel("infobox figure")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if not links:
        ax.text(
            0.5,
            0.5,
            "no infobox figures in this dataset:\nno claim of an encyclopedia claimant mentions an infobox",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=9,
        )
        return []
    sources = ds.sources.set_index("source_id")
    col = {"figure": 0.0, "claim": 1.0, "outlet": 2.0, "wire": 3.0, "claimant": 4.0}
    y, fig_y, claim_y = 0.0, {}, {}
    for k, link in enumerate(links):
        n = max(1, len(link.matches))
        fig_y[k] = y + (n - 1) / 2
        for i, cid in enumerate(link.matches["claim_id"]):
            claim_y[cid] = y + i
        y += n + 0.6
    outlet_of, wire_of, claimant_of = {}, {}, {}
    for link in links:
        for r in link.matches.itertuples():
            outlet_of[r.claim_id] = str(sources.at[r.source_id, "publisher"])
            wire = sources.at[r.source_id, "wire_agency"]
            wire_of[outlet_of[r.claim_id]] = None if pd.isna(wire) else str(wire)
            claimant_of[r.claim_id] = str(r.claimant)

    def mean_y(groups: dict) -> dict:
        return _spread({k: float(np.mean(v)) for k, v in groups.items()}, 0.9)

    outlets = mean_y({o: [claim_y[c] for c in claim_y if outlet_of[c] == o] for o in set(outlet_of.values())})
    wires = mean_y({w: [outlets[o] for o in outlets if wire_of[o] == w] for w in {w for w in wire_of.values() if w}})
    who = mean_y({n: [claim_y[c] for c in claim_y if claimant_of[c] == n] for n in set(claimant_of.values())})
    line = {"color": "#555555", "linewidth": 0.9, "zorder": 1}
    for k, link in enumerate(links):
        for cid in link.matches["claim_id"]:
            ax.plot([col["figure"], col["claim"]], [fig_y[k], claim_y[cid]], **line)
            o = outlet_of[cid]
            ax.plot([col["claim"], col["outlet"]], [claim_y[cid], outlets[o]], **line)
            w = wire_of[o]
            if w:
                ax.plot([col["outlet"], col["wire"]], [outlets[o], wires[w]], **line)
                ax.plot([col["wire"], col["claimant"]], [wires[w], who[claimant_of[cid]]], **line)
            else:
                start, end = outlets[o], who[claimant_of[cid]]
                xs = [col["outlet"], col["wire"], col["claimant"]]
                ax.plot(xs, [start, _past_boxes(start, end, xs, list(wires.values())), end], linestyle=":", **line)
        if link.matches.empty:
            ax.annotate(
                link.why,
                (col["claim"] - 0.45, fig_y[k]),
                fontsize=7,
                va="center",
                ha="left",
                style="italic",
                bbox={"boxstyle": "round,pad=0.3", "facecolor": "#f2f2f2", "edgecolor": "#999999", "linestyle": "--"},
            )
            ax.plot([col["figure"], col["claim"] - 0.45], [fig_y[k]] * 2, linestyle="--", **line)
    box = {"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "black"}

    def node(x, y_, text, **kw):
        ax.text(x, y_, text, ha="center", va="center", fontsize=7, bbox={**box, **kw.pop("bbox", {})}, zorder=3, **kw)

    for k, link in enumerate(links):
        where = ", ".join(link.box_sources)
        node(col["figure"], fig_y[k], f"{link.side}, {link.measure}: {link.text}\n({where})", fontweight="bold")
    for link in links:
        for r in link.matches.itertuples():
            scope = "" if bool(r.in_scope) else ", out of scope"
            day = "" if pd.isna(r.period_end) else f" to {r.period_end:%d %b}"
            node(
                col["claim"],
                claim_y[r.claim_id],
                f"{r.claim_id}: {claim_mark(r.value, r.qualifier)}{day} ({sources.at[r.source_id, 'language']}{scope})",
            )
    for o, y_ in outlets.items():
        node(col["outlet"], y_, o)
    for w, y_ in wires.items():
        node(col["wire"], y_, w, bbox={"boxstyle": "sawtooth,pad=0.3"})
    for n, y_ in who.items():
        node(col["claimant"], y_, n, fontweight="bold", bbox={"facecolor": "#e8e8e8"})
    heads = {
        "figure": "infobox figure (sources)",
        "claim": "claim giving the number",
        "outlet": "outlet",
        "wire": "wire agency",
        "claimant": "claimant",
    }
    bottom = max([*fig_y.values(), *claim_y.values(), *outlets.values(), *wires.values(), *who.values()])
    for key, x in col.items():
        ax.text(x, -0.9, heads[key], ha="center", va="bottom", fontsize=8, fontweight="bold")
    ax.set_xlim(-0.75, 4.75)
    ax.set_ylim(bottom + 0.8, -1.2)
    return sorted(who)


def figure_provenance(ds: Dataset, result=None) -> Figure:
    links = provenance_links(ds, result)
    rows = sum(max(1, len(link.matches)) + 0.6 for link in links)
    fig = Figure(figsize=(11.0, max(2.6, 0.42 * rows + 1.8)), layout="constrained")
    ax = fig.subplots()
    draw_provenance(ax, ds, result)
    title(fig, ds.battle, "where the encyclopedia's infobox figures come from")
    box = infobox_claims(ds)
    ids = [*box["claim_id"], *(i for link in links for i in link.matches["claim_id"])]
    source_line(fig, ds.claims[ds.claims["claim_id"].isin(set(ids))], ds.sources)
    return fig


# ---------------------------------------------------------------- rules compared


def draw_rules(ax, results: dict, battle: Battle, measure: str | None = None, labels: bool = True) -> None:
    """Battle totals of one measure per side and group under every rule, one row per rule
    within each side's block: best as a marker (hollow where derived) with its number (and
    its range, "120 [117–open]", where the low lies below it), low-high as a whisker, an
    open high as a dashed arrow to the edge of the axes. A rule that accepts no claim about
    the measure has no totals: its rows say so."""
    measure = measure or battle.headline_measure
    names = list(battle.counted_names)
    rules = list(results)
    empty = set(rules_without_claims(results, measure))
    frames = {r: res.totals[res.totals["measure"] == measure].set_index("side") for r, res in results.items()}
    highest = 5.0
    for rule, t in frames.items():
        if len(t) and rule not in empty:
            highest = max(highest, float(t["best"].max()), float(t["high"].astype("Float64").fillna(0).max()))
    right = highest * 1.3
    step = 1.0 / (len(rules) + 1)
    for k, rule in enumerate(rules):
        t = frames[rule]
        color, marker = OKABE_ITO[k % len(OKABE_ITO)], MARKERS[k % len(MARKERS)]
        for i, name in enumerate(names):
            y = i + step * (k + 1) - 0.5
            if rule in empty:
                ax.text(
                    0, y, f"{rule}: no claim accepted", fontsize=6.5, color="#333333", ha="left", va="center", zorder=4
                )
                continue
            if name not in t.index:
                continue
            low, best, high = float(t.at[name, "low"]), float(t.at[name, "best"]), t.at[name, "high"]
            if pd.isna(high):
                ax.annotate(
                    "",
                    xy=(right * 0.995, y),
                    xytext=(low, y),
                    zorder=2,
                    arrowprops={"arrowstyle": "->", "color": color, "lw": 0.9, "linestyle": "--"},
                )
            else:
                ax.hlines(y, low, float(high), color=color, linewidth=1.4, linestyle=LINES[k % len(LINES)], zorder=2)
                ax.vlines([low, float(high)], y - step * 0.35, y + step * 0.35, color=color, linewidth=1.2, zorder=2)
            derived = bool(t.at[name, "derived"])
            ax.plot(
                [best],
                [y],
                marker=marker,
                markersize=5.5,
                color=color,
                markeredgecolor="black",
                zorder=3,
                markerfacecolor="white" if derived else color,
                linestyle="none",
            )
            ax.annotate(
                # a low below the best is said in numbers too: a few below it hides under the marker
                figure_text(int(low), best, high) if low < best else f"{int(best)}",
                (best, y),
                xytext=(5, 0),
                textcoords="offset points",
                fontsize=6.5,
                ha="left",
                va="center",
                zorder=4,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            )
    for i in range(1, len(names)):
        ax.axhline(i - 0.5, color="#cccccc", linewidth=0.7, zorder=0)
    ax.set_yticks(range(len(names)), names)
    ax.tick_params(axis="y", length=0, labelleft=labels)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(-right * 0.02, right)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"{measure}, event total (people)")
    ax.set_ylabel("side or group (a row per rule)" if labels else " ")
    ax.set_title(measure, loc="left", fontsize=9)


def figure_rules(results: dict, ds: Dataset) -> Figure:
    battle = ds.battle
    measures = list(battle.reconciled_measures)
    rows = len(battle.counted_names) * (len(results) + 1)
    fig = Figure(figsize=(11.0, 0.17 * rows + 1.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(measures), sharey=True))
    for k, (ax, measure) in enumerate(zip(axes, measures)):
        draw_rules(ax, results, battle, measure, labels=k == 0)
    rules = list(results)
    handles = [
        Line2D(
            [],
            [],
            color=OKABE_ITO[k % len(OKABE_ITO)],
            marker=MARKERS[k % len(MARKERS)],
            markeredgecolor="black",
            linestyle=LINES[k % len(LINES)],
            label=rule,
        )
        for k, rule in enumerate(rules)
    ]
    handles += [
        Line2D(
            [],
            [],
            color="black",
            marker="o",
            markerfacecolor="white",
            linestyle="none",
            label=f"hollow: derived total,\n{UNSTATED_TOTAL}",
        ),
        Line2D([], [], color="black", linestyle="--", label="dashed arrow: no claim\ncaps the total"),
    ]
    axes[-1].legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=7,
        title="rule, top to bottom\n(best, low–high)",
        title_fontsize=7,
    )
    title(fig, battle, "totals by side under every rule")
    ids = [i for r in results.values() for i in r.totals["claims"]]
    source_line(fig, claims_by_id(ids, ds.claims), ds.sources, rules)
    return fig


# ---------------------------------------------------------------- all figures and saving


def all_figures(ds: Dataset, result, results: dict | None = None) -> dict[str, Figure]:
    """Every figure of the suite, by file stem, from a dataset and its reconciliation
    (`results`: every rule's reconciliation, computed here when not given)."""
    from analysis.reconcile import reconcile_all

    reported = derive.cumulative_claims(ds.claims, ds.battle, derive.evidence_reading(ds, result.evidence))
    totals = derive.claimant_totals(ds.claims, ds.battle, ds.sources)
    results = results if results is not None else reconcile_all(ds)
    with mpl.rc_context(STYLE):
        return {
            "daily-deaths": figure_daily(result, ds),
            "cumulative-deaths": figure_cumulative(result, reported, ds),
            "claims-timeline": figure_timeline(ds, revisions=result.evidence.revisions),
            "claimant-matrix": figure_matrix(totals, ds),
            "provenance": figure_provenance(ds, result),
            "rule-comparison": figure_rules(results, ds),
        }


SVG_ID = re.compile(r"\b([phm][0-9a-f]{10})\b")


def stable_ids(svg: str) -> str:
    """Number matplotlib's hashed SVG ids (clip paths p..., hatches h..., markers m...) in
    order of first appearance. The hashes cover unrounded layout coordinates, whose last
    bits can differ between runs although every coordinate written is the same."""
    names: dict[str, str] = {}

    def rename(match):
        old = match.group(1)
        return names.setdefault(old, f"{old[0]}{len(names):04d}")

    return SVG_ID.sub(rename, svg)


METADATA = {
    "svg": {"Date": None, "Creator": None},
    "png": {"Software": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}


def save(fig: Figure, stem: str, out_dir: Path) -> list[Path]:
    """Write `stem`.svg, .png and .pdf into out_dir, byte-identical from run to run."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with mpl.rc_context(STYLE):
        for fmt in FORMATS:
            path = out_dir / f"{stem}.{fmt}"
            if fmt == "svg":
                text = io.StringIO()
                fig.savefig(text, format=fmt, metadata=METADATA[fmt])
                write_text(path, stable_ids(text.getvalue()))
            else:
                data = io.BytesIO()
                fig.savefig(data, format=fmt, metadata=METADATA[fmt])
                write_bytes(path, data.getvalue())
            paths.append(path)
    return paths


def save_all(figures: dict[str, Figure], out_dir: Path) -> list[Path]:
    return [p for stem, fig in figures.items() for p in save(fig, stem, out_dir)]
