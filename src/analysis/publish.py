"""Citable tables: CSV, Markdown and LaTeX of the reconciled figures, the checks and the
sensitivity to rules; a BibTeX file of every source in the register.

Every table row carries the claim IDs behind it and the rule that produced it. Text cells
that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) are prefixed with an apostrophe. Output is deterministic: fixed column order,
sorted rows, '\\n' line ends, no timestamps.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path

import pandas as pd

from analysis import checks, derive
from analysis.evidence import CopyDisagreement, Revision
from analysis.outputs import write_text
from analysis.rules import DEFAULT_RULE
from analysis.reconcile import reconcile_all, sensitivity

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A text cell that no spreadsheet will evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain values for output: dates as YYYY-MM-DD, tuples joined by ';', NA as blank,
    text made formula-safe."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d")
        elif s.dtype == object and s.map(lambda v: isinstance(v, tuple)).any():
            out[col] = s.map(lambda v: ";".join(v) if isinstance(v, tuple) else v)
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:g}")
        out[col] = out[col].astype(object).where(out[col].notna(), "").map(safe_cell)
    return out


def to_csv(frame: pd.DataFrame) -> str:
    return tidy(frame).to_csv(index=False, lineterminator="\n")


def to_markdown(frame: pd.DataFrame) -> str:
    t = tidy(frame).astype(str)
    esc = lambda v: v.replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(map(esc, t.columns)) + " |", "|" + "---|" * len(t.columns)]
    lines += ["| " + " | ".join(esc(v) for v in row) + " |" for row in t.itertuples(index=False)]
    return "\n".join(lines) + "\n"


LATEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "–": "--", "≥": r"$\geq$"}


def _tex(text: str) -> str:
    return "".join(LATEX_ESCAPES.get(ch, ch) for ch in text)


def to_latex(frame: pd.DataFrame, caption: str) -> str:
    t = tidy(frame).astype(str)
    rows = [" & ".join(_tex(v) for v in row) + r" \\" for row in t.itertuples(index=False)]
    return "\n".join([
        r"\begin{table}", r"\centering", r"\small", f"\\caption{{{_tex(caption)}}}",
        r"\begin{tabular}{" + "l" * len(t.columns) + "}", r"\toprule",
        " & ".join(_tex(c) for c in t.columns) + r" \\", r"\midrule", *rows, r"\bottomrule",
        r"\end{tabular}", r"\end{table}", "",
    ])


def _bib(text: str) -> str:
    return "".join({"%": r"\%", "&": r"\&", "_": r"\_", "#": r"\#"}.get(ch, ch) for ch in text)


def bibtex(sources: pd.DataFrame, subject: str) -> str:
    """A @misc entry per source: its title and byline as the register records them (no
    title is made up: an entry whose headline was not seen has none, and its note says so);
    `subject` is kept for the caller's caption."""
    entries = []
    for s in sources.sort_values("source_id").itertuples():
        fields = [("title", s.title)] if pd.notna(s.title) else []
        if pd.notna(s.author):
            fields.append(("author", s.author))
        fields.append(("organization", s.publisher))
        if pd.notna(s.published):
            fields += [("year", str(s.published.year)), ("month", str(s.published.month)), ("day", str(s.published.day))]
        if pd.notna(s.url):
            fields.append(("url", s.url))
        fields.append(("urldate", s.accessed.strftime("%Y-%m-%d")))
        fields.append(("langid", s.language))
        note = [s.kind] if pd.notna(s.title) else [s.kind, "headline not seen on the archived copy"]
        if pd.notna(s.wire_agency):
            note.append(f"wire: {s.wire_agency}")
        if s.published_basis == "inferred":
            note.append("date inferred from the text")
        fields.append(("note", "; ".join(note)))
        body = ",\n".join(f"  {k} = {{{v if k == 'url' else _bib(v)}}}" for k, v in fields)
        entries.append(f"@misc{{{s.source_id},\n{body}\n}}\n")
    return "\n".join(entries)


def open_high(frame: pd.DataFrame) -> pd.DataFrame:
    """A high bound no claim caps is written 'open', never left blank or invented."""
    return frame.assign(high=frame["high"].map(lambda v: "open" if pd.isna(v) else str(int(v))))


def tables(ds) -> dict[str, str]:
    """Every derived and citable table of a dataset, as file name -> text."""
    battle = ds.battle
    files: dict[str, str] = {}
    files["claims_daily.csv"] = to_csv(derive.daily_claims(ds.claims, battle))
    files["claims_cumulative.csv"] = to_csv(derive.cumulative_claims(ds.claims, battle))
    files["claimant_totals.csv"] = to_csv(derive.claimant_totals(ds.claims, battle, ds.sources))
    results = reconcile_all(ds)
    found = checks.run_checks(ds, results[DEFAULT_RULE])
    files["checks.csv"] = to_csv(found)
    files["checks_summary.md"] = to_markdown(checks.summary(found))
    conflicts, aside = [], []
    for name, r in results.items():
        daily = open_high(r.daily[["rule", "date", "measure", "side", "low", "best", "high", "reports", "single_source", "claims"]])
        totals = open_high(r.totals[["rule", "measure", "side", "low", "best", "high", "placed", "unplaced", "derived",
                                     "reports", "single_source", "claims"]])
        for stem, frame, caption in ((f"reconciled_daily-{name}", daily, f"{battle.name}: daily figures, rule {name}"),
                                     (f"battle_totals-{name}", totals, f"{battle.name}: battle totals, rule {name}")):
            files[f"{stem}.csv"] = to_csv(frame)
            files[f"{stem}.md"] = to_markdown(frame)
            files[f"{stem}.tex"] = to_latex(frame, caption)
        conflicts.append(r.conflicts.assign(rule=name))
        aside.append(r.set_aside.assign(rule=name))
    files["conflicts.csv"] = to_csv(pd.concat(conflicts, ignore_index=True)[["rule", "measure", "claims_in_conflict", "dropped", "reason"]])
    files["set_aside.csv"] = to_csv(pd.concat(aside, ignore_index=True)[["rule", "claim_id", "reason"]])
    disagreements = [asdict(d) for d in results[DEFAULT_RULE].evidence.disagreements]
    files["copy_disagreements.csv"] = to_csv(pd.DataFrame(disagreements, columns=[f.name for f in fields(CopyDisagreement)]))
    revisions = [asdict(v) for v in results[DEFAULT_RULE].evidence.revisions]
    files["revisions.csv"] = to_csv(pd.DataFrame(revisions, columns=[f.name for f in fields(Revision)]))
    sens = sensitivity(results)
    files["sensitivity.csv"] = to_csv(sens)
    files["sensitivity.md"] = to_markdown(sens)
    files["sensitivity.tex"] = to_latex(sens, f"{battle.name}: battle totals under every rule (best [low--high])")
    files["sources.bib"] = bibtex(ds.sources, battle.name)
    return files


def write_tables(ds, out_dir: Path) -> list[Path]:
    """Write every table into `out_dir` (the caller stages it); return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in sorted(tables(ds).items()):
        write_text(out_dir / name, text)
        paths.append(out_dir / name)
    return paths
