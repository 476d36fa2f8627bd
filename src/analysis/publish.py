"""Citable tables: CSV, Markdown and LaTeX of the reconciled figures, the checks and the
sensitivity to rules; a BibTeX file of every source in the register; and a merge-ready
event table shaped like UCDP GED's (`ged_events.csv`).

Every table row carries the claim IDs behind it and the rule that produced it (the LaTeX
tables name the rule in their caption and leave the claim IDs to the CSV of the same
name, saying so under the table). Text cells that a spreadsheet would run as a formula
(starting with =, +, -, @, tab or carriage return) are prefixed with an apostrophe.
Output is deterministic: fixed column order, sorted rows, '\\n' line ends, no timestamps.

LaTeX (`to_latex`): booktabs rules, numbers right-aligned, a `\\label{tab:...}` per table,
`longtable` (which breaks across pages) for tables longer than `LONG_TABLE` rows, `\\small`
type and header cells broken over two lines so that the tables fit an article's text
width, yes/no for flags. Each file opens with the packages it needs
(`% requires: \\usepackage{booktabs,longtable,array}`).

Escaping (`latex_text`, used for tables and BibTeX alike): the ten LaTeX specials
(\\ { } $ & % # _ ^ ~), < > | " and [ ] are written as commands or braced, control
characters (NUL, escape, bidi controls...) are dropped, tabs and line breaks become spaces,
typographic punctuation becomes its LaTeX ligature or command, and accented Latin letters
become accent commands (é -> \\'{e}), so that pdflatex with its default encodings reads
every cell. Text in any other script (Arabic, Cyrillic, CJK...) is kept but wrapped as
`\\nonlatin{<text>}{[Arabic]}`: each file defines `\\providecommand{\\nonlatin}[2]{#2}`,
so pdflatex prints the bracketed script name and never sees the characters it cannot
set, while a document compiled with XeLaTeX or LuaLaTeX can define `\\nonlatin` as
`{#1}` (with a suitable font) before the table to print the original text. BibTeX
braces are written \\textbraceleft{}/\\textbraceright{} (a brace-counting parser never
sees an unbalanced brace), titles are double-braced (kept as written by every style),
URLs are percent-encoded where a brace, backslash, space or control character would break
`\\url` or BibTeX.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, fields
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd

from analysis import checks, derive
from analysis.battle import DERIVED_FROM, UNSTATED_TOTAL
from analysis.evidence import CopyDisagreement, Revision, report_key
from analysis.load import Dataset
from analysis.outputs import write_text
from analysis.reconcile import DERIVED_MARK, NO_CLAIM, on_no_side, reconcile_all, sensitivity
from analysis.rules import DEFAULT_RULE
from analysis.words import and_list

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LONG_TABLE = 40
TEXT_WIDTH = 345.0  # pt: the text width of LaTeX's article class at 10pt, the narrowest common page
TYPE_SIZES = ((r"\small", 4.5, 4), (r"\footnotesize", 4.1, 3), (r"\scriptsize", 3.6, 2))  # size, pt/char, tabcolsep
LATEX_PACKAGES = ("booktabs", "longtable", "array")


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


# ---------------------------------------------------------------- LaTeX text

TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "$": r"\ensuremath{\$}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': "''",
    "[": "{[}",
    "]": "{]}",
}
TEX_PUNCTUATION = {
    "\u2013": "--",
    "\u2014": "---",
    "\u2212": "-",
    "\u2018": "`",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": "``",
    "\u201d": "''",
    "\u201e": ",,",
    "\u00ab": r"\ensuremath{\ll}",
    "\u00bb": r"\ensuremath{\gg}",
    "\u2039": r"\textless{}",
    "\u203a": r"\textgreater{}",
    "\u2026": r"\ldots{}",
    "\u2265": r"\ensuremath{\geq}",
    "\u2264": r"\ensuremath{\leq}",
    "\u00d7": r"\ensuremath{\times}",
    "\u00b1": r"\ensuremath{\pm}",
    "\u00b0": r"\ensuremath{^\circ}",
    "\u00a0": "~",
    "\u2009": r"\,",
    "\u202f": r"\,",
    "\u00ad": "",
    "\u2022": r"\ensuremath{\bullet}",
    "\u00a7": r"\ensuremath{\S}",
    "\u00b6": r"\ensuremath{\P}",
    "\u00a9": "(c)",
    "\u00a3": "GBP",
    "\u20ac": "EUR",
    "\u00bf": r"?`",
    "\u00a1": r"!`",
    "\u00b7": r"\ensuremath{\cdot}",
    "\u2032": "'",
    "\u2033": "''",
}
TEX_LETTERS = {
    "ß": r"\ss{}",
    "æ": r"\ae{}",
    "Æ": r"\AE{}",
    "œ": r"\oe{}",
    "Œ": r"\OE{}",
    "ø": r"\o{}",
    "Ø": r"\O{}",
    "ł": r"\l{}",
    "Ł": r"\L{}",
    "ı": r"\i{}",
    "ȷ": r"\j{}",
    "å": r"\aa{}",
    "Å": r"\AA{}",
    "ð": "d",
    "Ð": "D",
    "đ": "d",
    "Đ": "D",
    "þ": "th",
    "Þ": "Th",
    "ħ": "h",
    "Ħ": "H",
}
# combining accents that OT1 (pdflatex's default) can set; others are dropped, the letter kept
TEX_ACCENTS = {
    "\u0301": "'",
    "\u0300": "`",
    "\u0302": "^",
    "\u0308": '"',
    "\u0303": "~",
    "\u0304": "=",
    "\u0307": ".",
    "\u0306": "u",
    "\u030c": "v",
    "\u030b": "H",
    "\u0327": "c",
    "\u0323": "d",
    "\u030a": "r",
    "\u0331": "b",
}
NONLATIN_MACRO = r"\providecommand{\nonlatin}[2]{#2}"


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    word = name.split(" ")[0] if name else ""
    return word if word in {"CJK"} else (word.capitalize() or "non-Latin")


def _latin(ch: str) -> str | None:
    """LaTeX for one character pdflatex can set, or None if it is not Latin text."""
    if ch in TEX_SPECIALS:
        return TEX_SPECIALS[ch]
    if " " <= ch <= "~":
        return ch
    if ch in TEX_PUNCTUATION:
        return TEX_PUNCTUATION[ch]
    if ch in TEX_LETTERS:
        return TEX_LETTERS[ch]
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if "a" <= base.lower() <= "z" and marks and all(unicodedata.combining(m) for m in marks):
        out = {"i": r"\i{}", "j": r"\j{}"}.get(base, base) if any(m in TEX_ACCENTS for m in marks) else base
        for m in marks:
            if m in TEX_ACCENTS:
                out = f"\\{TEX_ACCENTS[m]}{{{out}}}"
        return out
    # compatibility forms: ligatures, full-width and circled letters, superscripts...
    compat = unicodedata.normalize("NFC", unicodedata.normalize("NFKD", ch))
    if compat != ch and compat:
        parts = [_latin(c) for c in compat]
        if all(part is not None for part in parts):
            return "".join(part or "" for part in parts)
    return None


def _dropped(ch: str) -> bool:
    """Control, format, surrogate and unassigned characters: never written."""
    return unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Cn"} and ch not in "\t\n\r"


def latex_text(value) -> str:
    """Any text as LaTeX that pdflatex sets without error (see the module's description):
    specials escaped, control characters dropped, accented Latin letters as accent
    commands, runs of other scripts wrapped in `\\nonlatin{text}{[Script]}`."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    text = "".join(" " if ch in "\t\n\r" else ch for ch in text if not _dropped(ch))
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        latin = _latin(ch)
        if ch in "'\"" and (i == 0 or text[i - 1] in " ([{/-"):
            latin = "`" if ch == "'" else "``"  # an opening quote
        if latin is not None and not unicodedata.combining(ch):
            out.append(latin)
            i += 1
            continue
        # a run of another script: its characters, combining marks and the spaces inside it
        j, scripts = i, []
        while j < len(text):
            c = text[j]
            if c == " " and j + 1 < len(text) and _latin(text[j + 1]) is None:
                j += 1
                continue
            if _latin(c) is not None and not unicodedata.combining(c):
                break
            if not unicodedata.combining(c):
                scripts.append(_script(c))
            j += 1
        run = text[i:j].strip()
        label = "/".join(dict.fromkeys(scripts)) or "non-Latin"
        out.append(f"\\nonlatin{{{run}}}{{[{label}]}}")
        i = j
    return "".join(out)


def _cell(value) -> str:
    """A table cell as LaTeX: flags yes/no, whole numbers plain, blanks empty; a cell with
    line breaks is stacked (see `to_latex`)."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")


def _numeric(values: list[str]) -> bool:
    """A column to right-align: every non-blank cell a number (or 'open', an uncapped high)."""
    filled = [v for v in values if v]
    return bool(filled) and all(NUMERIC.match(v) or v == "open" for v in filled)


def _stack(text: str, align: str) -> str:
    """Lines of one cell, one under another."""
    lines = [latex_text(line) for line in text.split("\n")]
    if len(lines) == 1:
        return lines[0]
    return f"\\begin{{tabular}}[t]{{@{{}}{align}@{{}}}}" + r"\\".join(lines) + r"\end{tabular}"


def _layout(columns: list[str], cells: list[list[str]], wrap: int) -> tuple[list[str], list[str], str, int]:
    """Column specs, alignments, type size and column gap: the first of \\small, then
    \\footnotesize, then \\scriptsize, without and then with long text columns wrapped,
    whose natural width (measured: pt a character, column gap) fits an article's text
    width."""
    plans = []
    for size, char, gap in TYPE_SIZES:
        for wrapping in (False, True):
            specs, aligns, chars = [], [], 0.0
            for k, name in enumerate(columns):
                values = [row[k] for row in cells]
                longest = max((len(line) for v in values for line in v.split("\n")), default=0)
                header = max(len(part) for part in re.split(r"[_ ]+", name))
                if _numeric(values):
                    specs.append("r")
                    aligns.append("r")
                    chars += max(longest, header)
                elif wrapping and longest > wrap:
                    specs.append(f">{{\\raggedright\\arraybackslash}}p{{{wrap * 0.55:.1f}em}}")
                    aligns.append("l")
                    chars += max(wrap * 1.1, header)
                else:
                    specs.append("l")
                    aligns.append("l")
                    chars += max(longest, header)
            plans.append((specs, aligns, size, gap))
            if chars * char + 2 * gap * (len(columns) - 1) <= TEXT_WIDTH:
                return plans[-1]
    return plans[-1]


def to_latex(frame: pd.DataFrame, caption: str, label: str, note: str = "", wrap: int = 14) -> str:
    """A LaTeX table of `frame`: booktabs, numbers right-aligned, `\\label{tab:label}`, a
    `longtable` when it has more than `LONG_TABLE` rows, the largest type (and, if needed,
    text columns wider than `wrap` characters set as ragged paragraphs) that fits an
    article's text width, headers broken at spaces and underscores, cells with line breaks
    stacked. `note` is set under the table."""
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    columns = [str(c) for c in frame.columns]
    specs, aligns, size, sep = _layout(columns, cells, wrap)
    head = " & ".join(_stack(re.sub(r"[_ ]+", "\n", name), a) for name, a in zip(columns, aligns)) + r" \\"
    body = [" & ".join(_stack(v, a) for v, a in zip(row, aligns)) + r" \\" for row in cells]
    label = "tab:" + re.sub(r"[^a-z0-9:-]+", "-", label.lower()).strip("-")
    spec = "@{}" + "".join(specs) + "@{}"
    lines = [
        f"% requires: \\usepackage{{{','.join(LATEX_PACKAGES)}}}",
        "% \\nonlatin{text}{[Script]} wraps text in scripts pdflatex cannot set; redefine it to print #1 "
        "under XeLaTeX or LuaLaTeX",
        NONLATIN_MACRO,
    ]
    note_tex = f"\\par\\smallskip{{\\footnotesize {latex_text(note)}\\par}}" if note else ""
    if len(cells) > LONG_TABLE:
        n = len(columns)
        lines += [
            r"\begingroup",
            size,
            f"\\setlength{{\\tabcolsep}}{{{sep}pt}}",
            f"\\begin{{longtable}}{{{spec}}}",
            f"\\caption{{{latex_text(caption)}}}\\label{{{label}}}" + r" \\",
            r"\toprule",
            head,
            r"\midrule",
            r"\endfirsthead",
            f"\\multicolumn{{{n}}}{{@{{}}l}}{{\\footnotesize\\emph{{(continued)}}}}" + r" \\",
            r"\toprule",
            head,
            r"\midrule",
            r"\endhead",
            r"\midrule",
            f"\\multicolumn{{{n}}}{{r@{{}}}}{{\\footnotesize\\emph{{continued on the next page}}}}" + r" \\",
            r"\endfoot",
            r"\bottomrule",
            r"\endlastfoot",
            *body,
            r"\end{longtable}",
            *([note_tex] if note_tex else []),
            r"\endgroup",
            "",
        ]
    else:
        lines += [
            r"\begin{table}[htbp]",
            r"\centering",
            size,
            f"\\setlength{{\\tabcolsep}}{{{sep}pt}}",
            f"\\caption{{{latex_text(caption)}}}",
            f"\\label{{{label}}}",
            f"\\begin{{tabular}}{{{spec}}}",
            r"\toprule",
            head,
            r"\midrule",
            *body,
            r"\bottomrule",
            r"\end{tabular}",
            *([note_tex] if note_tex else []),
            r"\end{table}",
            "",
        ]
    return "\n".join(lines)


# ---------------------------------------------------------------- BibTeX

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
CORPORATE = re.compile(r"\b(staff|wire|agency|news|press|service|desk|bureau|reporters?|correspondents?)\b", re.I)


def bib_key(source_id: str) -> str:
    """A citation key BibTeX accepts: letters, digits and - _ : . only."""
    return re.sub(r"[^A-Za-z0-9_:.-]+", "-", str(source_id)).strip("-") or "source"


def bib_url(url: str) -> str:
    """A URL safe inside `\\url{}` and a BibTeX field: braces, backslashes, spaces, quotes
    and non-ASCII characters percent-encoded; existing escapes (%xx) kept."""
    url = "".join(ch for ch in str(url) if not _dropped(ch) and ch not in "\t\n\r")
    return quote(url, safe="/:?&=#%+,;@!$'()*-._~[]")


def bib_author(author: str, organisations: set[str]) -> str:
    """An author field: an organisation (a name the register also has as a publisher or
    wire agency, a single word, or one with words such as Staff or Wire) double-braced, so
    that BibTeX prints it whole; a person's name as written, for BibTeX to parse."""
    text = latex_text(author)
    if author in organisations or " " not in author.strip() or CORPORATE.search(author):
        return "{" + text + "}"
    return text


def bibtex(sources: pd.DataFrame, event: str) -> str:
    """A @misc entry per source: its title and byline as the register records them (no
    title is made up: an entry whose headline was not seen has none, and its note says so),
    the URL in `howpublished = {\\url{...}}` and, in `note`, which plain styles print, the
    day the archived copy was read; `url`, `organization` and `langid` for styles that use
    them. No `urldate`: the copy read was an archived one, not the page at its address, so
    no style may print the address as visited on that day.
    Each key is `event:source_id` (`event`: the battle_id): two events' bibliographies
    cited in one paper never share a key, even where their registers give one ID to
    different documents."""
    organisations = set(sources["publisher"].dropna().astype(str)) | set(sources["wire_agency"].dropna().astype(str))
    entries = [
        "% BibTeX entries for every source in the register. The \\url in howpublished needs "
        "\\usepackage{url} (or hyperref);\n% \\usepackage[hyphens]{url} lets long URLs break at hyphens.\n",
        f'@preamble{{ "{NONLATIN_MACRO}" }}\n',
    ]
    for s in sources.sort_values("source_id").itertuples():
        fields_: list[tuple[str, str]] = []
        if pd.notna(s.author) and str(s.author).strip():
            fields_.append(("author", bib_author(str(s.author), organisations)))
        if pd.notna(s.title) and str(s.title).strip():
            fields_.append(("title", "{" + latex_text(s.title) + "}"))
        if pd.notna(s.url) and str(s.url).strip():
            fields_.append(("howpublished", f"\\url{{{bib_url(s.url)}}}"))
        if pd.notna(s.published):
            fields_ += [("year", str(s.published.year)), ("month", MONTHS[s.published.month - 1])]
        outlet = latex_text(s.publisher) + (f" (wire: {latex_text(s.wire_agency)})" if pd.notna(s.wire_agency) else "")
        note = [outlet, latex_text(s.kind)]
        if pd.notna(s.published):
            basis = {"inferred": ", date inferred from the text"}.get(str(s.published_basis), "")
            note.append(f"published {s.published:%Y-%m-%d}{basis}")
        if not (pd.notna(s.title) and str(s.title).strip()):
            note.append("headline not seen on the archived copy")
        if pd.notna(s.accessed):
            note.append(f"archived copy read {s.accessed:%Y-%m-%d}")
        fields_.append(("note", "; ".join(note)))
        fields_.append(("organization", latex_text(s.publisher)))
        fields_.append(("key", latex_text(s.publisher)))
        if pd.notna(s.url) and str(s.url).strip():
            fields_.append(("url", bib_url(s.url)))
        fields_.append(("langid", latex_text(s.language)))
        body = ",\n".join(f"  {k} = {v}" if k == "month" else f"  {k} = {{{v}}}" for k, v in fields_)
        key = bib_key(f"{event}:{s.source_id}")
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


# ---------------------------------------------------------------- UCDP GED-shaped events

GED_COLUMNS = [
    "id",
    "year",
    "type_of_violence",
    "conflict_name",
    "side_a",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "country",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
]


def ged_sides(battle) -> dict[str, str]:
    """Which of the battle's sides fills which GED deaths column: a side whose name says
    civilian(s) -> `deaths_civilians`; of the others, the first in battle.json -> side a
    (`deaths_a`), the second -> side b (`deaths_b`); any further side -> `deaths_unknown`.
    (GED's side a is the government in state-based conflict; battle.json lists sides in
    the order its author chose, so the government should come first there.)"""
    out, armed = {}, []
    for side in battle.sides:
        if re.search(r"\bcivilians?\b", side, re.I):
            out[side] = "deaths_civilians"
        else:
            armed.append(side)
    for side, column in zip(armed, ["deaths_a", "deaths_b"]):
        out[side] = column
    for side in armed[2:]:
        out[side] = "deaths_unknown"
    return out


def _date_prec(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """GED's date precision: 1 one day, 2 two to six days, 3 one week, 4 one month, 5 one year."""
    days = (end - start).days + 1
    if days == 1:
        return 1
    if days <= 6:
        return 2
    if days == 7:
        return 3
    if (start.year, start.month) == (end.year, end.month):
        return 4
    return 5


def ged_events(ds: Dataset, result) -> pd.DataFrame:
    """The reconciled deaths as event rows shaped like UCDP GED's, so that they can be
    appended to GED's events. Column names and codes follow the UCDP Georeferenced Event
    Dataset Codebook, version 22.1 (Uppsala Conflict Data Program; the same names head
    GED 25.1's GEDEvent_v25_1.csv): `best`, `low`, `high`, `deaths_a`, `deaths_b`,
    `deaths_civilians`, `deaths_unknown`, `date_start`, `date_end`, `date_prec` (1 exact
    day, 2 two to six days, 3 a week, 4 a month, 5 a year), `where_prec` (1 exact place
    ... 7 over water), `event_clarity` (1 one event, 2 an aggregate), `source_article`,
    `source_office`, `source_date`, `source_headline`, `source_original`,
    `number_of_sources`...; `rule` and `claims` follow GED's columns.

    One row per day of the battle at the battle's place (days whose best is 0 are kept, so
    that their low and high are not lost: filter on `best` > 0 for GED's own threshold of
    one death), with the deaths the accepted claims place on that day (`measure` killed):
    `best`, `low`, `high` of the battle's total group (the side group of every leaf;
    without one, the sum of the sides, high blank if any side's is open), deaths by side as `ged_sides` maps them, and
    `deaths_unknown` for what the total places beyond the sides. One more row, dated over
    the whole battle (`date_prec` by its length, `event_clarity` 2: an aggregate), holds
    the deaths the claims require but place on no day (best: the total's `unplaced`; low:
    the battle's low less the days' lows; high: the battle's high less the days' lows), so
    that the rows add up to the battle total. Every row's death columns add up to its
    `best`: deaths a day holds on no side (`deaths_unknown` that day) are some side's, and
    that side's unplaced deaths count them, so on this row a side has only what is surely
    its own (its unplaced deaths less those, never below 0) and `deaths_unknown` the rest;
    the death columns then add up to each side's total only where no day holds deaths on
    no side; it is left out where it would hold nothing
    (best, low and high all 0) and for a one-day battle, whose every death is on its day
    (a row of no deaths citing the day's sources would read as a second event). `high` is
    blank where no claim caps it (GED always gives one: a merge must choose). `where_prec`
    is 2 (a limited area around a named place: the battle's area is a place and its
    surroundings); coordinates,
    `adm_1`, `adm_2`, `country`, `region`, `type_of_violence` and `conflict_name` are blank:
    the battle's definition has no such fields. Sources: `source_original` the
    claimants, `source_office` the wire agencies (or the outlet where no wire carried it),
    `source_article` outlet, date and headline per document, `number_of_sources` the
    documents behind the row's claims. GED counts deaths only: an event that does not
    reconcile `killed` gets the header and no row (never its wounded as deaths)."""
    battle = ds.battle
    if "killed" not in battle.reconciled_measures:
        return pd.DataFrame(columns=[*GED_COLUMNS, "rule", "claims"])
    measure = "killed"
    daily = result.daily[result.daily["measure"] == measure]
    totals = result.totals[result.totals["measure"] == measure].set_index("side")
    total = battle.total_group
    mapping = ged_sides(battle)
    armed = [s for s in battle.sides if mapping.get(s) in ("deaths_a", "deaths_b")]
    sources = ds.sources.set_index("source_id")
    claims = ds.claims.set_index("claim_id")

    def provenance(wanted: set[str]) -> dict:
        ids = sorted(i for i in wanted if i in claims.index)
        docs = sorted(set(claims.loc[ids, "source_id"]))
        rows = sources.loc[docs]
        offices = sorted({str(w) if pd.notna(w) else str(p) for w, p in zip(rows["wire_agency"], rows["publisher"])})
        articles, dates, headlines = [], [], []
        for _, r in rows.iterrows():
            date = "" if pd.isna(r["published"]) else f"{r['published']:%Y-%m-%d}"
            headline = "" if pd.isna(r["title"]) else str(r["title"])
            articles.append(", ".join(x for x in (str(r["publisher"]), date, headline) if x))
            dates.append(date)
            headlines.append(headline)
        reports = {
            report_key(claims.at[i, "report_id"], claims.at[i, "source_id"], str(claims.at[i, "claimant"])) for i in ids
        }
        return {
            "number_of_sources": len(docs),
            "source_article": ";".join(articles),
            "source_office": ";".join(offices),
            "source_date": ";".join(sorted(d for d in set(dates) if d)),
            "source_headline": ";".join(h for h in headlines if h),
            "source_original": ";".join(sorted({str(claims.at[i, "claimant"]) for i in ids})),
            "claims": ";".join(ids),
            "reports": len(reports),
        }

    unknown = ("adm_1", "adm_2", "latitude", "longitude", "country", "region")  # not in battle.json
    base = {
        "type_of_violence": "",
        "conflict_name": "",
        "side_a": armed[0] if armed else "",
        "side_b": armed[1] if len(armed) > 1 else "",
        "where_prec": 2,
        "where_coordinates": "",
        "where_description": battle.place,
        **dict.fromkeys(unknown, ""),
    }

    def deaths(best_of: dict[str, float], total_best: float) -> dict:
        out = {"deaths_a": 0, "deaths_b": 0, "deaths_civilians": 0, "deaths_unknown": 0}
        for side in battle.sides:
            out[mapping[side]] += int(best_of.get(side, 0))
        if total is not None:
            out["deaths_unknown"] += on_no_side({**best_of, total: total_best}, battle)
        return out

    rows = []
    day_lows = 0
    sideless = 0  # deaths placed on a day but on no side: in the days' deaths_unknown
    for day in battle.days:
        d = daily[daily["date"] == pd.Timestamp(day)].set_index("side")
        best_of = {s: float(d.at[s, "best"]) for s in battle.sides if s in d.index}
        if total and total in d.index:
            low, best, high = int(d.at[total, "low"]), int(d.at[total, "best"]), d.at[total, "high"]
        else:
            low = int(sum(d.at[s, "low"] for s in battle.sides if s in d.index))
            best = int(sum(best_of.values()))
            highs = [d.at[s, "high"] for s in battle.sides if s in d.index]
            high = pd.NA if any(pd.isna(h) for h in highs) else int(sum(highs))
        day_lows += low
        sideless += on_no_side({**best_of, total: best}, battle) if total else 0
        ids = {i for cell in d["claims"] for i in str(cell).split(";") if i}
        stamp = pd.Timestamp(day)
        rows.append(
            {
                "id": f"{battle.battle_id}-{stamp:%Y%m%d}",
                "year": stamp.year,
                **base,
                **provenance(ids),
                "event_clarity": 1,
                "date_prec": 1,
                "date_start": f"{stamp:%Y-%m-%d}",
                "date_end": f"{stamp:%Y-%m-%d}",
                **deaths(best_of, best),
                "best": best,
                "high": "" if pd.isna(high) else int(high),
                "low": low,
            }
        )
    names = battle.sides_and_total
    unplaced = {s: float(totals.at[s, "unplaced"]) for s in names if s in totals.index}
    if total and total in totals.index:
        t_low, t_high, u_best = int(totals.at[total, "low"]), totals.at[total, "high"], int(unplaced[total])
    else:
        t_low = int(sum(totals.at[s, "low"] for s in battle.sides if s in totals.index))
        highs = [totals.at[s, "high"] for s in battle.sides if s in totals.index]
        t_high = pd.NA if any(pd.isna(h) for h in highs) else sum(highs)
        u_best = int(sum(unplaced.get(s, 0) for s in battle.sides))
    start, end = pd.Timestamp(battle.period_start), pd.Timestamp(battle.period_end)
    ids = {i for cell in totals["claims"] for i in str(cell).split(";") if i}
    u_low, u_high = max(0, t_low - day_lows), None if pd.isna(t_high) else max(0, int(t_high) - day_lows)
    if start != end and (u_best, u_low, u_high) != (0, 0, 0):
        rows.append(
            {
                "id": f"{battle.battle_id}-unplaced",
                "year": start.year,
                **base,
                **provenance(ids),
                "event_clarity": 2,
                "date_prec": _date_prec(start, end),
                "date_start": f"{start:%Y-%m-%d}",
                "date_end": f"{end:%Y-%m-%d}",
                **deaths({s: max(0, unplaced.get(s, 0) - sideless) for s in battle.sides}, u_best),
                "best": u_best,
                "high": "" if u_high is None else u_high,
                "low": u_low,
            }
        )
    frame = pd.DataFrame(rows)
    frame["rule"] = result.rule.name
    return frame[[*GED_COLUMNS, "rule", "claims"]]


# ---------------------------------------------------------------- every table


TOTALS_COLUMNS = [
    "rule",
    "measure",
    "side",
    "low",
    "best",
    "high",
    "placed",
    "unplaced",
    "derived",
    "reports",
    "single_source",
    "claims",
    "capping",
]
"""The columns of a battle_totals table, as written and as `reconcile` prints them."""

DAILY_COLUMNS = [
    "rule",
    "date",
    "measure",
    "side",
    "low",
    "best",
    "high",
    "reports",
    "single_source",
    "claims",
    "capping",
]
"""The columns of a reconciled_daily table."""


def open_high(frame: pd.DataFrame) -> pd.DataFrame:
    """A high bound no claim caps is written 'open', never left blank or invented."""
    return frame.assign(high=frame["high"].map(lambda v: "open" if pd.isna(v) else str(int(v))))


def _stacked_figures(frame: pd.DataFrame) -> pd.DataFrame:
    """'12 [10–open]' cells as two lines, best over its range, to keep wide tables narrow."""
    out = frame.copy()
    for col in out.columns[2:]:
        out[col] = out[col].map(lambda v: v.replace(" [", "\n[", 1) if isinstance(v, str) else v)
    return out


def table_note(battle, stem: str, totals: bool) -> str:
    """The note under a reconciled table (daily, or `totals`): what 'open' means, where the
    claims behind each row are (the event named, for a paper that cites two), what the
    rows of sub-groups are, and where the deaths on no day are (totals: `unplaced`; the
    daily rows leave them out)."""
    note = (
        f"High 'open': no claim caps the figure. The claims behind each row are listed in {stem}.csv of "
        f"{battle.battle_id} (column claims; column capping: those that only cap the high)."
    )
    if totals:
        note += f" Derived: {UNSTATED_TOTAL}; it follows from {DERIVED_FROM}."
    else:
        note += " Deaths the claims require but place on no day are in no row here: see the totals' unplaced."
    subs = [(side, parts) for side, parts in battle.subgroups.items() if parts]
    if subs:
        named = and_list([f"{and_list([*parts, battle.remainder(side)])} within {side}" for side, parts in subs])
        note += (
            f" Rows of parts ({named}) rest on claims about each part: they need not add up to the side's row, "
            f"and a part's 0 means no accepted claim places a death in it, not that none died."
        )
    return note


def tables(ds: Dataset) -> dict[str, str]:
    """Every derived and citable table of a dataset, as file name -> text."""
    battle = ds.battle
    files: dict[str, str] = {}
    results = reconcile_all(ds)
    reading = derive.evidence_reading(ds, results[DEFAULT_RULE].evidence)
    files["claims_daily.csv"] = to_csv(derive.daily_claims(ds.claims, battle, reading))
    files["claims_cumulative.csv"] = to_csv(derive.cumulative_claims(ds.claims, battle, reading))
    files["claimant_totals.csv"] = to_csv(derive.claimant_totals(ds.claims, battle, ds.sources))
    found = checks.run_checks(ds, results[DEFAULT_RULE])
    files["checks.csv"] = to_csv(found)
    files["checks_summary.md"] = to_markdown(checks.summary(found))
    conflicts, aside = [], []
    for name, r in results.items():
        daily = open_high(r.daily[DAILY_COLUMNS])
        totals = open_high(r.totals[TOTALS_COLUMNS])
        for stem, frame, caption in (
            (
                f"reconciled_daily-{name}",
                daily,
                f"{battle.name}: low, best and high per day and side under the '{name}' rule",
            ),
            (f"battle_totals-{name}", totals, f"{battle.name}: totals per side under the '{name}' rule"),
        ):
            files[f"{stem}.csv"] = to_csv(frame)
            files[f"{stem}.md"] = to_markdown(frame)
            note = table_note(battle, stem, "derived" in frame)
            label = f"{battle.battle_id}-{stem}"  # unique across events cited in one paper
            listed = [c for c in ("rule", "claims", "capping") if c in frame]
            files[f"{stem}.tex"] = to_latex(frame.drop(columns=listed), caption, label, note)
        conflicts.append(r.conflicts.assign(rule=name))
        aside.append(r.set_aside.assign(rule=name))
    conflict_columns = ["rule", "measure", "claims_in_conflict", "dropped", "reason"]
    files["conflicts.csv"] = to_csv(pd.concat(conflicts, ignore_index=True)[conflict_columns])
    files["set_aside.csv"] = to_csv(pd.concat(aside, ignore_index=True)[["rule", "claim_id", "reason"]])
    disagreements = [asdict(d) for d in results[DEFAULT_RULE].evidence.disagreements]
    files["copy_disagreements.csv"] = to_csv(
        pd.DataFrame(disagreements, columns=[f.name for f in fields(CopyDisagreement)])
    )
    revisions = [asdict(v) for v in results[DEFAULT_RULE].evidence.revisions]
    files["revisions.csv"] = to_csv(pd.DataFrame(revisions, columns=[f.name for f in fields(Revision)]))
    sens = sensitivity(results)
    files["sensitivity.csv"] = to_csv(sens)
    files["sensitivity.md"] = to_markdown(sens)
    files["sensitivity.tex"] = to_latex(
        _stacked_figures(sens),
        f"{battle.name}: totals under every rule, best [low–high]",
        f"{battle.battle_id}-sensitivity",
        "Each cell: best, and under it the least and most the accepted claims allow (open: no claim caps it). "
        f"{DERIVED_MARK}: derived, {UNSTATED_TOTAL}. {NO_CLAIM}: the rule accepts no claim about the measure.",
    )
    files["ged_events.csv"] = to_csv(ged_events(ds, results[DEFAULT_RULE]))
    files["sources.bib"] = bibtex(ds.sources, battle.battle_id)
    return files


def write_tables(ds: Dataset, out_dir: Path) -> list[Path]:
    """Write every table into `out_dir` (the caller stages it); return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in sorted(tables(ds).items()):
        write_text(out_dir / name, text)
        paths.append(out_dir / name)
    return paths
