"""LaTeX and BibTeX output: escaping of any text the data can hold, the structure of the
tables (booktabs, labels, longtable, alignment, yes/no), and, where pdflatex and bibtex
are installed, that the tables and the .bib compile in a plain article without error and
without an overfull box wider than 10pt."""

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest

from analysis.load import load_dataset
from analysis.publish import LONG_TABLE, bib_key, bib_url, bibtex, latex_text, tables, to_latex
from conftest import DATA, ROOT

BATTLE_ID = json.loads((DATA / "battle.json").read_text(encoding="utf-8"))["battle_id"]

HOSTILE = [
    "braces {x} and \\backslash \\input{/etc/passwd}",
    "100% & _ # $ ^ ~ < > | \"quoted\" 'single'",
    "[starts with a bracket]",
    "NUL\x00 escape\x1b bell\x07 tab\tnewline\ncarriage\rDEL\x7f",
    "bidi \u202eoverride\u202c and rlm\u200f",
    "حلب، سوريا: قتل 29 مدنيا",
    "Москва — Δελτίο — 東京",
    "Ça, naïve, Ångström, Łódź, Straße, Şam, Ḥaffah, ﬁne",
    "≥22 – 68 … × ° § «quotes»",
]


@pytest.fixture(scope="module")
def files():
    return tables(load_dataset(DATA))


def balanced(text: str) -> bool:
    """Braces balance as BibTeX counts them (a backslash escapes nothing)."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


# ---------------------------------------------------------------- escaping (always run)


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_holds_no_raw_special_or_control_character(text):
    out = latex_text(text)
    assert balanced(out)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e]", out)
    # outside \nonlatin{...}{...} wrappers, only ASCII is left
    outside = re.sub(r"\\nonlatin\{[^{}]*\}\{\[[^{}]*\]\}", "", out)
    assert outside.isascii(), outside
    # every special character is escaped: no bare % & # _ ^ ~ $ outside a command
    bare = re.sub(r"\\(?:[A-Za-z]+|.)|\{\}", "", re.sub(r"\\ensuremath\{[^}]*\}", "", outside))
    assert not re.search(r"[%&#_^$]", bare), bare


def test_specials_are_escaped_as_commands():
    assert latex_text("a{b}\\c") == r"a\textbraceleft{}b\textbraceright{}\textbackslash{}c"
    assert latex_text("5% & x_1 #2 $3") == r"5\% \& x\_1 \#2 \ensuremath{\$}3"
    assert latex_text("[x]") == "{[}x{]}"
    assert latex_text("'rule' \"q\"") == "`rule' ``q''"


def test_control_characters_are_dropped_and_breaks_become_spaces():
    assert latex_text("a\x00b\x1bc\u200fd") == "abcd"
    assert latex_text("a\tb\nc") == "a b c"


def test_accented_latin_becomes_accent_commands():
    assert latex_text("café") == r"caf\'{e}"
    assert latex_text("naïve") == r"na\"{\i{}}ve"
    assert latex_text("Straße Łódź") == r"Stra\ss{}e \L{}\'{o}d\'{z}"
    assert latex_text("ﬁ") == "fi"


def test_other_scripts_are_wrapped_with_a_fallback():
    assert latex_text("قتل 29") == r"\nonlatin{قتل}{[Arabic]} 29"
    assert latex_text("Москва") == r"\nonlatin{Москва}{[Cyrillic]}"


def test_bibtex_escapes_hostile_register_text():
    sources = pd.DataFrame(
        [
            {
                "source_id": "bad id{1}%",
                "kind": "news article",
                "publisher": "A{B}\\C% & _Co",
                "wire_agency": "W}ire",
                "title": "Title {with} \\ and حلب",
                "author": "Jean-Luc Ça",
                "url": "http://ex.org/a b/{x}\\y?q=1%20#f\x00",
                "language": "ar",
                "published": pd.Timestamp("2012-06-05"),
                "published_basis": "inferred",
                "accessed": pd.Timestamp("2026-11-25"),
            }
        ]
    )
    bib = bibtex(sources, "test")
    assert balanced(bib)
    assert "@misc{test:bad-id-1," in bib
    assert "howpublished = {\\url{http://ex.org/a%20b/%7Bx%7D%5Cy?q=1%20#f}}" in bib
    title = r"title = {{Title \textbraceleft{}with\textbraceright{} \textbackslash{} and \nonlatin{حلب}{[Arabic]}}}"
    assert title in bib
    assert "archived copy read 2026-11-25" in bib and "month = jun" in bib
    assert bib_key("a b,c}") == "a-b-c" and bib_url("x y") == "x%20y"


# ---------------------------------------------------------------- table structure (always run)


def test_tex_tables_are_booktabs_with_labels_and_packages(files):
    for name, text in files.items():
        if not name.endswith(".tex"):
            continue
        assert text.startswith("% requires: \\usepackage{booktabs,longtable,array}"), name
        stem = name[: -len(".tex")]
        assert f"\\label{{tab:{BATTLE_ID}-{stem.replace('_', '-')}}}" in text, name
        assert "\\toprule" in text and "\\midrule" in text and "\\bottomrule" in text, name
        assert "\\hline" not in text and "True" not in text and "False" not in text, name
        assert balanced(text), name


def test_labels_differ_between_events_cited_in_one_paper(files):
    second = tables(load_dataset(ROOT / "events" / "al-qubeir" / "data"))
    labels = [
        set(re.findall(r"\\label\{([^}]*)\}", "".join(v for k, v in f.items() if k.endswith(".tex"))))
        for f in (files, second)
    ]
    assert labels[0] and labels[1] and not labels[0] & labels[1]
    keys = [set(re.findall(r"^@misc\{([^,]*),", f["sources.bib"], re.M)) for f in (files, second)]
    assert keys[0] and keys[1] and not keys[0] & keys[1]  # both registers have a wp-mirror-worldlibrary


def test_a_source_id_two_events_share_gets_a_key_of_each_event():
    """One ID, two documents (two registers): keys `event:source_id`, never the same."""
    one = pd.DataFrame(
        {
            "source_id": ["mirror"],
            "kind": ["encyclopedia"],
            "publisher": ["Mirror"],
            "wire_agency": [None],
            "title": ["Page"],
            "author": [None],
            "url": ["http://a.example/page"],
            "language": ["en"],
            "published": [pd.NaT],
            "published_basis": ["unknown"],
            "accessed": [pd.Timestamp("2026-11-25")],
        }
    )
    other = one.assign(url="http://b.example/page")
    first, second = bibtex(one, "battle-a"), bibtex(other, "battle-b")
    assert "@misc{battle-a:mirror," in first and "a.example" in first
    assert "@misc{battle-b:mirror," in second and "b.example" in second


def test_long_tables_break_across_pages(files):
    daily = files["reconciled_daily-hierarchy.tex"]
    assert "\\begin{longtable}" in daily and "\\endhead" in daily and "\\endfoot" in daily
    totals = files["battle_totals-hierarchy.tex"]
    assert "\\begin{table}" in totals and "longtable}" not in totals.split("\n", 1)[1]


def test_numbers_are_right_aligned_and_flags_read_yes_no(files):
    totals = files["battle_totals-hierarchy.tex"]
    spec = re.search(r"\\begin\{tabular\}\{(.*)\}\n", totals).group(1)
    columns = re.findall(r"p\{[^}]*\}|[lrc]", re.sub(r">\{[^}]*\}", "", spec.replace("@{}", "")))
    # measure, side, low, best, high, placed, unplaced, derived, reports, single source
    assert [c[0] for c in columns] == ["l", "p", "r", "r", "r", "r", "r", "l", "r", "l"]
    assert "killed & rebels & 23 & 23 & open & 10 & 13 & yes & 1 & yes \\\\" in totals
    assert "H082" not in totals and "battle\\_totals-hierarchy.csv" in totals  # claim IDs left to the CSV


def test_to_latex_chooses_longtable_by_length():
    frame = pd.DataFrame({"n": range(LONG_TABLE + 1), "flag": [True] * (LONG_TABLE + 1)})
    assert "\\begin{longtable}{@{}rl@{}}" in to_latex(frame, "c", "x")
    assert "\\begin{tabular}{@{}rl@{}}" in to_latex(frame.head(LONG_TABLE), "c", "x")


# ---------------------------------------------------------------- compiling (where TeX is installed)

needs_tex = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("bibtex") is None, reason="pdflatex and bibtex are not installed"
)
DOCUMENT = r"""\documentclass{article}
\usepackage{booktabs,longtable,array}
\usepackage[hyphens]{url}
\begin{document}
%s
\nocite{*}
\bibliographystyle{plain}
\bibliography{sources}
\end{document}
"""


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=120)


def overfull(log: str) -> list[float]:
    return [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


@needs_tex
def test_tables_and_bibliography_compile_with_pdflatex_and_bibtex(files, tmp_path):
    names = ["battle_totals-hierarchy.tex", "reconciled_daily-hierarchy.tex", "sensitivity.tex"]
    for name in [*names, "sources.bib"]:
        (tmp_path / name).write_text(files[name], encoding="utf-8")
    hostile = to_latex(pd.DataFrame({"text": HOSTILE, "n": range(len(HOSTILE))}), "Hostile {text} 100% حلب", "hostile")
    (tmp_path / "hostile.tex").write_text(hostile, encoding="utf-8")
    body = "\n".join(f"\\input{{{n}}}" for n in [*names, "hostile.tex"])
    (tmp_path / "doc.tex").write_text(DOCUMENT % body, encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    first = run(latex, tmp_path)
    assert first.returncode == 0, first.stdout[-3000:]
    bib = run(["bibtex", "doc"], tmp_path)
    assert bib.returncode == 0, bib.stdout + bib.stderr
    assert "error" not in (tmp_path / "doc.blg").read_text(errors="replace").lower()
    for _ in range(2):
        final = run(latex, tmp_path)
        assert final.returncode == 0, final.stdout[-3000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "! " not in log
    assert all(width <= 10 for width in overfull(log)), overfull(log)
    assert f"\\bibitem{{{BATTLE_ID}:reuters-2012-06-05}}" in (tmp_path / "doc.bbl").read_text(errors="replace")


def test_no_entry_says_its_address_was_visited_on_the_day_an_archived_copy_was_read():
    # the day the archived copy was read is in the note; no urldate, with or without an address
    row = {
        "source_id": "s",
        "kind": "news article",
        "publisher": "P",
        "wire_agency": None,
        "title": "T",
        "author": None,
        "language": "en",
        "published": pd.Timestamp("2012-06-05"),
        "published_basis": "stated",
        "accessed": pd.Timestamp("2026-11-25"),
    }
    with_url, without = (
        bibtex(pd.DataFrame([{**row, "url": "http://ex.org/a"}]), "e"),
        bibtex(pd.DataFrame([{**row, "url": None}]), "e"),
    )
    assert "urldate" not in with_url and "url = {http://ex.org/a}" in with_url
    assert "archived copy read 2026-11-25" in with_url
    assert "urldate" not in without and "url =" not in without and "archived copy read 2026-11-25" in without
