"""Figures, one function per figure, in matplotlib's object-oriented style. Each `draw_*`
function draws on an Axes it is given; each `figure_*` function lays out a Figure from
those; `save` writes a Figure as SVG and PNG, deterministically (fixed SVG hash salt, SVG
ids renumbered in order, no dates, no software version in the files).

Readable in greyscale and for colour-blind readers: sides differ by Okabe-Ito colour and
also by hatch, line style and marker. Every figure has a title, labelled axes with units,
and a source line naming the claimants it draws on. An open high bound (no claim caps it)
is drawn as an upward arrow, never as a made-up number.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import derive
from analysis.outputs import write_bytes, write_text
from analysis.paths import FIGURE_NAMES

OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]
LINES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"]
STYLE = {
    "svg.hashsalt": "al-haffah",
    "svg.fonttype": "path",
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
FIGURES = FIGURE_NAMES


def side_style(sides: list[str], side: str) -> dict:
    i = sides.index(side)
    return {"color": OKABE_ITO[i % len(OKABE_ITO)], "hatch": HATCHES[i % len(HATCHES)],
            "linestyle": LINES[i % len(LINES)], "marker": MARKERS[i % len(MARKERS)]}


def source_line(fig: Figure, claimants, rule: str | None = None) -> None:
    names = ", ".join(sorted(set(map(str, claimants))))
    text = f"Source: claims of {names}, as carried by news and agency reports (data/casualties.csv)."
    if rule:
        text += f" Reconciled under the '{rule}' rule."
    fig.text(0.01, 0.005, text, fontsize=7, ha="left", va="bottom", wrap=True, color="#333333")


def _claimants_of(ids: pd.Series, claims: pd.DataFrame) -> set[str]:
    wanted = {i for cell in ids for i in str(cell).split(";") if i}
    return set(claims.loc[claims["claim_id"].isin(wanted), "claimant"].astype(str))


def draw_daily(ax, daily: pd.DataFrame, side: str, sides: list[str], measure: str = "killed") -> None:
    """Bars of the best daily figure for one side, with low-high whiskers; open highs as arrows."""
    d = daily[(daily["side"] == side) & (daily["measure"] == measure)].sort_values("date")
    style = side_style(sides, side)
    x = np.arange(len(d))
    ax.bar(x, d["best"], color=style["color"], hatch=style["hatch"], edgecolor="black", linewidth=0.6, label="best")
    capped = d["high"].notna().to_numpy()
    low, high = d["low"].to_numpy(float), d["high"].astype(float).to_numpy()
    ax.vlines(x[capped], low[capped], high[capped], color="black", linewidth=1.2, label="low–high")
    top = max(float(np.nanmax(high)) if capped.any() else 0.0, float(d["best"].max()), 1.0) * 1.15
    for xi, lo in zip(x[~capped], low[~capped]):
        ax.annotate("", xy=(xi, top * 0.97), xytext=(xi, lo), arrowprops={"arrowstyle": "->", "color": "black", "lw": 0.8, "linestyle": "--"})
    ax.set_ylim(0, top)
    ax.set_xticks(x, [t.strftime("%d %b") for t in d["date"]])
    ax.set_ylabel(f"{measure} (people per day)")
    ax.set_title(side, loc="left", fontsize=9)


def figure_daily(result, claims: pd.DataFrame, battle, measure: str = "killed") -> Figure:
    sides = list(battle.sides)
    fig = Figure(figsize=(7.5, 2.2 * len(sides) + 0.9), layout="constrained")
    axes = fig.subplots(len(sides), 1, sharex=True)
    for ax, side in zip(np.atleast_1d(axes), sides):
        draw_daily(ax, result.daily, side, sides, measure)
    np.atleast_1d(axes)[-1].set_xlabel(f"day of the battle ({battle.period_start.year})")
    np.atleast_1d(axes)[0].legend(loc="upper center", fontsize=7, title="dashed arrow: no claim caps the day", title_fontsize=7)
    fig.suptitle(f"{battle.name}: {measure} per day by side, best estimate with low–high range", fontsize=10, x=0.01, ha="left")
    source_line(fig, _claimants_of(result.daily.loc[result.daily["measure"] == measure, "claims"], claims), result.rule.name)
    fig.get_layout_engine().set(rect=(0, 0.04, 1, 0.96))
    return fig


def draw_cumulative(ax, result, reported: pd.DataFrame, side: str, sides: list[str], claimants: list[str], measure: str = "killed") -> None:
    """Reconciled running total of one side (best line, low-high band) and each
    claimant's reported running totals as markers."""
    c = result.cumulative
    c = c[(c["side"] == side) & (c["measure"] == measure)].sort_values("date")
    style = side_style(sides, side)
    # one more step to the end of the last day, so that the last day's band shows
    dates = list(c["date"]) + [c["date"].iloc[-1] + pd.Timedelta(days=1)]
    low = np.append(c["low"].to_numpy(float), float(c["low"].iloc[-1]))
    best = np.append(c["best"].to_numpy(float), float(c["best"].iloc[-1]))
    high = c["high"].astype(float).to_numpy()
    high = np.append(high, high[-1])
    top = np.where(np.isnan(high), np.nanmax(best) * 1.4 + 5, high)
    ax.fill_between(dates, low, top, step="post", color=style["color"], alpha=0.18,
                    hatch=style["hatch"], edgecolor=style["color"], linewidth=0, label="low–high (to top of axis: open)")
    ax.step(dates, best, where="post", color=style["color"], linestyle=style["linestyle"], linewidth=1.8, label="best")
    r = reported[(reported["side"] == side) & (reported["measure"] == measure) & (reported["basis"] == "reported")]
    for who in claimants:
        mine = r[r["claimant"] == who]
        if len(mine):
            k = claimants.index(who)
            ax.plot(mine["as_of"], mine["value"].astype(float), linestyle="none", marker=MARKERS[k % len(MARKERS)],
                    markerfacecolor="white", markeredgecolor="black", markersize=6, label=f"{who} (number reported)")
    ax.set_ylabel(f"{measure} since the start (people)")
    ax.set_title(side, loc="left", fontsize=9)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(mpl.dates.DateFormatter("%d %b"))


def figure_cumulative(result, reported: pd.DataFrame, claims: pd.DataFrame, battle, measure: str = "killed") -> Figure:
    sides = list(battle.sides)
    claimants = sorted(set(reported.loc[reported["basis"] == "reported", "claimant"]))
    fig = Figure(figsize=(9.5, 2.4 * len(sides) + 1.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(sides), 1, sharex=True))
    for ax, side in zip(axes, sides):
        draw_cumulative(ax, result, reported, side, sides, claimants, measure)
    axes[-1].set_xlabel("date (running total to the end of the day; the step to the right of a day is that day)")
    handles, labels = {}, {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles.keys()), loc="outside right upper", fontsize=7)
    fig.suptitle(f"{battle.name}: {measure} since the start, reconciled and as each claimant reported it", fontsize=10, x=0.01, ha="left")
    source_line(fig, claimants, result.rule.name)
    fig.get_layout_engine().set(rect=(0, 0.045, 1, 0.955))
    return fig


def draw_timeline(ax, claims: pd.DataFrame, battle, measure: str = "killed") -> list[str]:
    """Who reported which figure for which day: one row per claimant, a marker per claim
    at the last day it covers, revisions linked by arrows. Returns the claimants drawn."""
    c = claims[claims["in_scope"] & (claims["measure"] == measure) & claims["period_end"].notna()].copy()
    order = [n for n in battle.claimant_hierarchy if n in set(c["claimant"].astype(str))]
    y = {n: i for i, n in enumerate(order)}
    c["y"] = c["claimant"].astype(str).map(y)
    c = c.sort_values(["claimant", "side", "period_end", "claim_id"])
    repeat = c.groupby(["claimant", "side", "period_end"], observed=True).cumcount()
    c["period_end"] = c["period_end"] + pd.to_timedelta(repeat * 0.18, unit="D")
    sides = list(battle.sides) + list(battle.side_groups) + list(battle.other_actors)
    for side, rows in c.groupby("side", observed=True, sort=False):
        k = sides.index(str(side))
        ax.plot(rows["period_end"], rows["y"] + (k - 2) * 0.14, linestyle="none", marker=MARKERS[k % len(MARKERS)],
                color=OKABE_ITO[k % len(OKABE_ITO)], markeredgecolor="black", markersize=6, label=str(side))
        for row in rows.itertuples():
            ax.annotate(f"{row.value}", (row.period_end, row.y + (k - 2) * 0.14), xytext=(4, 0), textcoords="offset points",
                        fontsize=6, va="center")
    by_id = c.set_index("claim_id")
    for row in c[c["supersedes"].notna()].itertuples():
        if row.supersedes in by_id.index:
            old = by_id.loc[row.supersedes]
            ax.annotate("", xy=(row.period_end, row.y), xytext=(old["period_end"], old["y"] - 0.3),
                        arrowprops={"arrowstyle": "->", "color": "#555555", "connectionstyle": "arc3,rad=-0.4"})
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_xlim(pd.Timestamp(battle.period_start) - pd.Timedelta(days=0.6), pd.Timestamp(battle.period_end) + pd.Timedelta(days=0.9))
    ax.xaxis.set_major_formatter(mpl.dates.DateFormatter("%d %b"))
    ax.set_xlabel("last day the figure covers")
    ax.set_ylabel("claimant")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    return order


def figure_timeline(claims: pd.DataFrame, battle, measure: str = "killed") -> Figure:
    fig = Figure(figsize=(9.0, 6.0), layout="constrained")
    ax = fig.subplots()
    drawn = draw_timeline(ax, claims, battle, measure)
    fig.legend(title="side (number: people)", fontsize=7, title_fontsize=7, loc="outside right upper")
    fig.suptitle(f"{battle.name}: every in-scope '{measure}' claim, by claimant; arrows link revisions", fontsize=10, x=0.01, ha="left")
    source_line(fig, drawn)
    fig.get_layout_engine().set(rect=(0, 0.04, 1, 0.96))
    return fig


def draw_matrix(ax, totals: pd.DataFrame, battle, measure: str = "killed") -> list[str]:
    """Claimant x side matrix of each claimant's latest reported total, shaded in grey by
    size, with the number, its qualifier and its end day written in each cell."""
    t = totals[totals["measure"] == measure]
    cols = [s for s in [*battle.sides, *battle.side_groups] if s in set(t["side"])]
    rows = [n for n in battle.claimant_hierarchy if n in set(t["claimant"])]
    grid = np.full((len(rows), len(cols)), np.nan)
    for r in t.itertuples():
        grid[rows.index(r.claimant), cols.index(r.side)] = r.value
    ax.imshow(np.nan_to_num(grid, nan=0.0), cmap="Greys", vmin=0, vmax=np.nanmax(grid) * 1.6, aspect="auto")
    marks = {"exact": "", "at least": "≥", "more than": ">", "about": "~", "up to": "≤"}
    for r in t.itertuples():
        text = f"{marks[r.qualifier]}{r.value}\nto {r.as_of:%d %b} ({r.language})"
        ax.text(cols.index(r.side), rows.index(r.claimant), text, ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(cols)), cols, rotation=15, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("side (people killed)" if measure == "killed" else f"side (people {measure})")
    ax.set_ylabel("claimant")
    return rows


def figure_matrix(totals: pd.DataFrame, battle, measure: str = "killed") -> Figure:
    fig = Figure(figsize=(7.5, 3.8), layout="constrained")
    ax = fig.subplots()
    drawn = draw_matrix(ax, totals, battle, measure)
    fig.suptitle(f"{battle.name}: latest total each claimant reported, by side ({measure})", fontsize=10, x=0.01, ha="left")
    source_line(fig, drawn)
    fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.95))
    return fig


def all_figures(ds, result) -> dict[str, Figure]:
    """Every figure of the suite, by file stem, from a dataset and its reconciliation."""
    reported = derive.cumulative_claims(ds.claims, ds.battle)
    totals = derive.claimant_totals(ds.claims, ds.battle, ds.sources)
    with mpl.rc_context(STYLE):
        return {
            "daily-deaths": figure_daily(result, ds.claims, ds.battle),
            "cumulative-deaths": figure_cumulative(result, reported, ds.claims, ds.battle),
            "claims-timeline": figure_timeline(ds.claims, ds.battle),
            "claimant-matrix": figure_matrix(totals, ds.battle),
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


def save(fig: Figure, stem: str, out_dir: Path) -> list[Path]:
    """Write `stem`.svg and `stem`.png into out_dir, byte-identical from run to run."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context(STYLE):
        svg, png = io.StringIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        fig.savefig(png, format="png", metadata={"Software": None})
    write_text(out_dir / f"{stem}.svg", stable_ids(svg.getvalue()))
    write_bytes(out_dir / f"{stem}.png", png.getvalue())
    return [out_dir / f"{stem}.svg", out_dir / f"{stem}.png"]


def save_all(figures: dict[str, Figure], out_dir: Path) -> list[Path]:
    return [p for stem, fig in figures.items() for p in save(fig, stem, out_dir)]
