"""Write the notebooks' cells (without outputs) from this one description, so that their
structure is reviewed as code. The build executes them and stores their outputs.
Run: python tools/make_notebooks.py (then `make build`)."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
INPUTS = (
    "**Inputs.** The event's validated data folder (`data/` for the flagship event; the build points "
    "`analysis.paths.data_dir()` at another event's folder): `casualties.csv`, `sources.csv`, `claimants.csv`, "
    "`events.csv`, `battle.json`, and `datapackage.json`, which describes them."
)
SETUP = """from analysis import story
from analysis import summaries as s
from analysis.checks import run_checks
from analysis.load import load_dataset
from analysis.paths import data_dir
from analysis.reconcile import reconcile_all
from analysis.rules import DEFAULT_RULE

ds = load_dataset(data_dir())
results = reconcile_all(ds)
result = results[DEFAULT_RULE]
found = run_checks(ds, result)
story.say(story.overview(ds))"""


FIGURE_CAPTIONS = {
    "daily-deaths": "Per day by side and in all (killed, or the event's first reconciled measure), best with its "
    "low–high range; what falls on no day apart",
    "cumulative-deaths": "Running totals, reconciled and as each claimant reported them; derived totals marked",
    "claims-timeline": "Who reported which figure for which days, copies of one report as one mark, revisions linked",
    "claimant-matrix": "The latest total each claimant reported, copy by copy, never mixing copies",
    "provenance": "Where the encyclopedia's figures come from: claims, outlets, wires and claimants, or nothing",
    "rule-comparison": "Totals under every rule, side by side",
}


def md(text):
    return new_markdown_cell(text)


def code(text):
    return new_code_cell(text)


def published(*tables, tail=""):
    """The Outputs paragraph of a notebook that writes nothing: the tables the build
    publishes from the same computations (the site links them from the notebook's page)."""
    return (
        "**Outputs.** None written; the tables and sentences are shown below. From the same computations the build "
        "publishes, in the event's derived folder (`derived/` for the flagship event), "
        + ", ".join(f"`{name}`" for name in tables)
        + tail
        + "."
    )


def head(number, title, purpose, outputs):
    return md(f"# {number} · {title}\n\n**Purpose.** {purpose}\n\n{INPUTS}\n\n{outputs}")


NOTEBOOKS = {
    "01-list-claims": [
        head(
            "01",
            "List the claims",
            "Who claimed what, when, and through which outlets: how many claims each claimant "
            "made, for which sides and measures, and which claims stay out of the event's totals and why.",
            published("claims_daily.csv", "claims_cumulative.csv", "sources.bib", tail=" (the sources as BibTeX)"),
        ),
        code(SETUP),
        md("## The event"),
        code("s.show(s.overview(ds))\nstory.say(story.overview(ds))"),
        md(
            "## Claimants and the outlets that carried them\n\nThe claimant is who made a claim; the outlet only "
            "carried it. One wire story reaches many outlets, in several languages, so counting outlets would count "
            "one claim many times."
        ),
        code("s.show(s.outlets(ds))\nstory.say(story.outlets(ds))"),
        md("## Claims in the event's scope, by claimant and side"),
        code('s.show(s.claims_by(ds, "claimant", "side", in_scope_only=True))\nstory.say(story.claims_by(ds))'),
        md("## What the claims count, in and out of scope"),
        code('s.show(s.claims_by(ds, "measure", "in_scope"))\nstory.say(story.measures(ds))'),
        md(
            "## Out of the event's scope, and why\n\nFigures the ledger marks out of the event's scope (another "
            "place or area, days outside the event, no date, a doubtful copy: the reason is given for each) stay in "
            "the ledger, so that every claim read is on record, but never enter the totals."
        ),
        code("s.show(s.scope_decisions(ds))\nstory.say(story.scope(ds))"),
        md("## Conclusions"),
        code("story.say(story.overview(ds), story.outlets(ds), story.claims_by(ds), story.scope(ds))"),
    ],
    "02-compare-first-days": [
        head(
            "02",
            "Compare the first days",
            "Every claim about the first day and the second (where the event lasted more than one), the "
            "revisions claimants made to their own figures, whether parts add up to wholes, and what the "
            "reconciliation makes of the first days.",
            published("revisions.csv"),
        ),
        code(SETUP),
        md("## Every claim about the first day"),
        code(
            "s.show(s.day_claims(ds, 0, revisions=result.evidence.revisions))\nstory.say(story.day_toll(ds, result, 0))"
        ),
        md(
            "## Revisions: a claimant replacing its own earlier figure\n\nA revision is linked in the ledger, or "
            "inferred when the same claimant's later report gives a figure of the same kind (a toll, or a count of "
            "identified victims) for the same measure, side, days and area. A name that relays others or pools "
            "speakers revises nothing without a link."
        ),
        code("s.show(s.revisions(ds, result))\nstory.say(story.revisions(result))"),
        md("## Do the sides add up to the total? One document at a time"),
        code('s.show(s.findings(found, "parts_vs_whole"))\nstory.say(story.parts_fit(found))'),
        md("## Every claim about the second day, where there is one"),
        code(
            "s.show(s.day_claims(ds, 1, revisions=result.evidence.revisions))\nstory.say(story.day_toll(ds, result, 1))"
        ),
        md(
            "## The first days reconciled (default rule)\n\nEach cell is *best [low–high]*; `open` means no accepted "
            "claim caps it. The last row holds what the accepted claims require but place on no day."
        ),
        code("s.show(s.daily_table(result, days=2))\nstory.say(story.first_days(ds, result))"),
        md(
            "## The claims that bind the first day's reconciled total\n\nIts best, low or high: a claim for other "
            "days or for the whole period can bind the first day's range without stating a figure for it."
        ),
        code(
            "s.show(s.lineage(ds, *s.claims_behind(result, ds.battle.total_group, day=0)))\n"
            "story.say(story.first_day_claims(ds, result))"
        ),
        md("## Conclusions"),
        code("story.say(story.day_toll(ds, result, 0), story.day_toll(ds, result, 1), story.revisions(result))"),
    ],
    "03-trace-totals": [
        head(
            "03",
            "Trace the totals",
            "Where the totals researchers cite come from: each claimant's latest total, the "
            "reconciled totals with the claims behind them, totals no accepted claim gives as totals, copies of one "
            "report that disagree, figures paired from different dates, figures no claimant can be traced for, "
            "events dated differently, and the casualty rates the figures would imply.",
            published("claimant_totals.csv", "copy_disagreements.csv", "checks.csv"),
        ),
        code(SETUP),
        md("## The latest total each claimant reported, copy by copy"),
        code(
            "from analysis.derive import claimant_totals\n\ns.show(claimant_totals(ds.claims, ds.battle, ds.sources))\n"
            "story.say(story.latest_totals(ds))"
        ),
        md(
            "## The reconciled totals and the claims they rest on\n\n`placed` is what the daily figures put on a day, "
            "`unplaced` what the totals require on no day; `derived` marks a total that no accepted claim gives as a "
            "total for the whole area (counted from the event's first day) and that follows from other figures "
            "(for other sides, a group "
            "or its parts, or other days); "
            "`reports` counts the distinct reports behind it "
            "(copies of one report once; two reports of one claimant twice); `claims` are the claims that bind the "
            "low, best or high, and `capping` those of them that only cap the high."
        ),
        code("s.show(s.totals_table(result))\nstory.say(story.totals(ds, result))"),
        md("## Totals no accepted claim gives as totals"),
        code('s.show(s.findings(found, "derived_figures"))\nstory.say(story.derived(found))'),
        md(
            "## Copies of one report that disagree\n\nCopies of one report should carry the same figures. Where they "
            "differ the difference is listed and one copy is read; where one number stands for different sides in "
            "different copies it is a swap."
        ),
        code("s.show(s.copy_disagreements(result))\nstory.say(story.copies(result))"),
        md("## Figures presented together but dated differently at their origin"),
        code(
            's.show(s.findings(found, "paired_dates"))\n'
            'story.say(story.finding_count(found, "paired_dates", "{n} set of figures shown together traces to '
            'claims that end on different days", "{n} sets of figures shown together trace to claims that end on '
            'different days", "No figures shown together trace to different end days."))'
        ),
        md("## Figures with no traceable claimant"),
        code('s.show(s.findings(found, "untraced"))\nstory.say(story.relayed(ds, found))'),
        md("## One event, different dates"),
        code('s.show(s.findings(found, "event_dates"))\nstory.say(story.event_dates(found))'),
        md(
            "## Casualty rates the figures would imply\n\nReconciled deaths and wounded as a share of the force or "
            "population a claim gives. A rate is no better than its denominator: see above whether that figure traces "
            "to any claimant."
        ),
        code("rates = s.implied_rates(ds, result)\ns.show(rates)\nstory.say(story.rates(rates))"),
        md("## Conclusions"),
        code(
            "story.say(\n"
            "    story.totals(ds, result), story.open_high(ds, result), story.derived(found), story.copies(result)\n"
            ")"
        ),
    ],
    "04-reconcile-claims": [
        head(
            "04",
            "Reconcile the claims",
            "Low, best and high figures per day and side, and totals, under the default "
            "rule; the conflicts found and how they were settled; the totals under every rule side by side; and the "
            "verdicts of every consistency check.\n\n**Method.** Accepted claims become linear constraints on the "
            "unknown count (of killed, of wounded...) of each day and side. Low and high are the least and "
            "greatest values all accepted claims allow (`open`: nothing caps it). Best is what the claims say at "
            "face value; what they require but place on no day is shown as such, never spread.",
            published(
                *(f"{table}-{rule}.csv" for rule in RULES for table in ("reconciled_daily", "battle_totals")),
                "conflicts.csv",
                "set_aside.csv",
                "sensitivity.csv",
                "checks.csv",
                "checks_summary.md",
                tail=" (each rule's two tables also as Markdown and LaTeX)",
            ),
        ),
        code(SETUP + "\ns.show(s.rules_table())"),
        md("## Per day: best [low–high], one table for each reconciled measure"),
        code("s.show_daily(result)\nstory.say(story.open_high(ds, result))"),
        md("## Totals"),
        code("s.show(s.totals_table(result))\nstory.say(story.totals(ds, result))"),
        md(
            "## Conflicts and claims set aside\n\nA conflict is a minimal set of accepted claims that cannot all hold "
            "(drop any one and the rest can); the claim the rule ranks lowest gives way, and the reason is given. "
            "Claims the rule or the evidence sets aside before any conflict follow, each with its reason in full and "
            "its `kind`, the reason in general terms."
        ),
        code("s.show(result.conflicts)\nstory.say(story.conflicts(result))"),
        code("s.show(result.set_aside)\nstory.say(story.set_aside(result))"),
        md(
            "## Totals under every rule: best [low–high]\n\nAn asterisk after the best marks a derived total, one no "
            'accepted claim gives as a total for the whole area; "no claim accepted" marks a rule that accepts no '
            "claim about the measure."
        ),
        code(
            "from analysis.reconcile import sensitivity\n\ns.show(sensitivity(results))\n"
            "story.say(story.rules_spread(ds, results))"
        ),
        md(
            "## Every consistency check\n\nFailing verdicts are what a reader must weigh: figures or dates that "
            "disagree, figures traced to no source or only to another side, figures shown together from different "
            "days, claimants missing from the ranking. `covered` (a total the claimant's daily figures can account "
            "for) and `remainder` (a total that requires more than its daily figures, placed on no day) inform. "
            "Accepted ones are "
            "listed, with their reason, in `battle.json`, and an exception there that no failing finding matches "
            "any more is itself a failing finding (`accepted_exceptions`, `unused`): remove it or correct its claims."
        ),
        code("from analysis.checks import summary\n\ns.show(summary(found))\nstory.say(story.checks_summary(found))"),
        md("## Daily figures against cumulative ones: what is placed on no day"),
        code('s.show(s.findings(found, "daily_vs_cumulative"))\nstory.say(story.daily_against_totals(found))'),
        md("## Conclusions"),
        code("story.say(story.totals(ds, result), story.conflicts(result), story.rules_spread(ds, results))"),
    ],
    "05-draw-figures": [
        head(
            "05",
            "Draw the figures",
            "Draw every figure of the suite with the functions in `src/analysis/plots.py`, "
            "save each as SVG, PNG and PDF, and show them.",
            "**Outputs.** One file per figure and format in the figures folder the build points "
            "`analysis.paths.figures_dir()` at (`figures/` for the flagship event).",
        ),
        code(
            "from analysis import plots, story\nfrom analysis import summaries as s\nfrom analysis.load import "
            "load_dataset\nfrom analysis.paths import data_dir, figures_dir\n"
            "from analysis.reconcile import reconcile\n\n"
            "ds = load_dataset(data_dir())\nresult = reconcile(ds)\n"
            "saved = plots.save_all(plots.all_figures(ds, result), "
            'figures_dir())\nprint(f"{len(saved)} files written, {len(plots.FIGURES)} figures")'
        ),
        *[
            cell
            for name, caption in FIGURE_CAPTIONS.items()
            for cell in (
                md(f"## {caption}\n\n`{name}.svg`, `.png`, `.pdf` in the event's figures folder"),
                code(f's.show_figure("{name}")'),
            )
        ],
        md("## Conclusions"),
        code("story.say(story.figures_drawn(result, len(saved)))"),
    ],
}


def notebook(stem: str):
    """One notebook as described here: its cells numbered (`NN-ii`), without outputs."""
    nb = new_notebook(
        cells=NOTEBOOKS[stem],
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{stem[:2]}-{i:02d}"
    return nb


def main() -> None:
    for stem in NOTEBOOKS:
        nbformat.write(notebook(stem), ROOT / "notebooks" / f"{stem}.ipynb")


if __name__ == "__main__":
    main()
