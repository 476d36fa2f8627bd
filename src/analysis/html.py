"""A small static site for reading the events without Jupyter: `python -m analysis html`.

**The site** (`build/html/` by default; `site`):

- `index.html`, the landing page: for each event, its story in a few paragraphs (the
  sentences `analysis.story.findings` computes, as the README states them), its totals
  under the default rule as a table, its first figure, and links to its pages;
- per event, in a folder named after the event's `battle_id`:
  `index.html` (its findings, totals, every figure as an image with download links to
  each file of it, a list of the notebooks, the data dictionary, download links to the
  data as read and to every table of its derived/ folder), one page per notebook (`NN-name.html`, with a
  title such as "01 · List the claims — <event name>", and a header and footer with the
  previous and next notebook, the event page and the landing page), `data-dictionary.html`
  (the data folder's README.md), and copies of its data (`data/`: the CSV tables and JSON
  files), tables (`derived/`) and figures (`figures/`: SVG, PNG, PDF);
- `site.css`, one small stylesheet.

Every sentence and number comes from the data or the built outputs; the only prose typed
here says what the site and its tables are. The events are the project's (`project_events`: data/ with
the notebooks/, figures/ and derived/ of the checkout, and every events/NAME/data with its
build in events/NAME/output), read as they stand: run the build first to refresh them.

Self-contained: the tables and figures are copied in, every link is relative, and no page
loads anything from the network (nbconvert's require.js, MathJax and Mermaid scripts are
left out: the notebooks use none of them), so the folder works from file:// and from a
copy. Deterministic: no dates or timings, files in sorted order, so that two renders of
the same inputs are byte-identical. Written through `analysis.outputs`: the site is
staged and switched in whole, so a failed render leaves the previous site as it was, and
only a folder the tool made is replaced.

**Why nbconvert and a small generator** rather than Jupyter Book / MyST or Quarto: the
notebooks are already executed by the build, their tables are already HTML and their
figures already files, so the site needs only an HTML export of each notebook plus four
kinds of plain page. nbconvert's `HTMLExporter` is already installed with the project's
notebook stack (and mistune, which renders the data dictionaries, ships with it), so
`make html` needs no extra toolchain and works offline: Quarto is a separate binary
distribution bundling its own Pandoc, and Jupyter Book pulls in Sphinx, a theme and its
extensions (its MyST successor is a Node.js tool), more versions for constraints.txt to
pin. Their pages are built around JavaScript bundles, with MathJax from a CDN by default,
and making their output offline and byte-stable is configuration to keep up. A generator
of a few hundred lines writes exactly the bytes it means to, the same on every run, and
through the same owned-output machinery as every other output of the tool.

`render` keeps the single-folder form for `html --out OUT` (an output folder of
`build --out`): OUT/notebooks as pages with an index, in OUT/html, linking to the files
in OUT/figures and OUT/derived that a notebook names.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import outputs, paths
from analysis.battle import DERIVED_FROM, UNSTATED_TOTAL
from analysis.build import Layout as Event  # an event of the site: its data folder and built outputs
from analysis.build import notebook_files  # also defers the rfc3987 parser (fastimport)

if TYPE_CHECKING:  # pandas and the battle are imported only when an event is rendered
    import pandas as pd

    from analysis.battle import Battle

SITE_CSS = "site.css"
EVENT_PAGE = "index.html"
DICTIONARY_PAGE = "data-dictionary.html"
ABOUT_PAGE = "about.html"
ABOUT_SECTIONS = ("How to cite", "What the data shows", "Caveats", "Method", "Derived tables")
"""The README's sections the site's about page shows, in this order: what a reader who
cites a figure needs first, the events' own caveats ("read with them") among them, and
last what each table and column holds."""
FIGURE_FORMATS = tuple(f".{suffix}" for suffix in paths.FIGURE_FORMATS)  # the first one present is shown
TABLE_ORDER = (".csv", ".md", ".tex", ".bib")
INTRO = (
    "Every casualty figure published about each event below is kept as one claim: who made it is kept apart "
    "from the outlet that carried it, and copies of one report apart from different reports. The claims are "
    "reconciled into low, best and high figures per day and side under named rules, and every figure lists "
    "the claims it rests on. Each sentence and number on these pages is computed from the events' data; the "
    "notebooks show the working, and the tables and figures can be downloaded from each event's page."
)

# Notebook pages: nbconvert's lab template without its scripts, with the site's header and footer.
NOTEBOOK_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}{{ resources.site.head }}{%- endblock html_head_css -%}
{%- block body_header -%}
<body class="jp-Notebook site-notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{{ resources.site.header }}
<main>
{%- endblock body_header -%}
{%- block body_footer -%}
</main>
{{ resources.site.footer }}
</body>
{%- endblock body_footer -%}
"""

CSS = """\
/* The site's pages; on notebook pages only the .site-* rules apply. */
body.site {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  line-height: 1.5; color: #1b1b1b; background: #fff; margin: 0;
}
body.site main { max-width: 60rem; margin: 0 auto; padding: 0 1.25rem 3rem; }
body.site h1 { font-size: 1.7rem; margin: 1.2rem 0 0.3rem; }
body.site h2 { font-size: 1.3rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
body.site h3 { font-size: 1.1rem; margin: 1.5rem 0 0.4rem; }
body.site a { color: #0b5394; }
body.site code { font-size: 0.92em; background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; }
body.site pre code { background: none; padding: 0; }
body.site pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; }
body.site table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.92rem; }
body.site th, body.site td { border: 1px solid #ccc; padding: 0.25rem 0.55rem; text-align: left; vertical-align: top; }
body.site th { background: #f1f1f1; }
body.site caption { caption-side: top; text-align: left; font-size: 0.88rem; color: #444; padding-bottom: 0.3rem; }
body.site td.num { text-align: right; white-space: nowrap; }
.site-subtitle { color: #555; margin-top: 0; }
.range { color: #555; font-size: 0.85em; }
.derived { color: #8a4b00; font-size: 0.8em; }
tr.group td { font-weight: 600; }
tr.sub td:first-child { padding-left: 1.6rem; }
figure.site-figure { margin: 1rem 0 2rem; }
figure.site-figure img { max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
figure.site-figure figcaption { font-size: 0.95rem; margin-top: 0.3rem; }
.site-lead { max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
ol.site-notebooks li { margin-bottom: 0.5rem; }
.site-notebooks .purpose { color: #444; font-size: 0.93rem; }
.site-notebooks .purpose p { margin: 0; }
.site-bar {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; font-size: 0.95rem;
  background: #f4f6f8; border-bottom: 1px solid #d8dde3; padding: 0.5rem 1.25rem; line-height: 1.6;
  display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.3rem 1.5rem;
}
.site-bar.site-bottom { border-bottom: 0; border-top: 1px solid #d8dde3; margin-top: 2rem; }
.site-bar a { color: #0b5394; text-decoration: none; }
.site-bar a:hover { text-decoration: underline; }
.site-bar .sep { color: #888; padding: 0 0.3rem; }
.site-bar .off { color: #999; }
.site-files { padding: 0 1.25rem; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.site-files table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.92rem; }
.site-files th, .site-files td { border: 1px solid #ccc; padding: 0.25rem 0.55rem; text-align: left; }
.site-files th { background: #f1f1f1; }
.site-files tbody th { font-weight: normal; }
.site-files a { color: #0b5394; text-decoration: underline; }
"""

esc = html.escape


def project_events(root: Path | None = None) -> list[Event]:
    """The project's events: data/ built in place, then every events/NAME/data built into
    events/NAME/output, in the order of their names."""
    return [Event(data=data, root=out) for data, out in paths.events(root)]


# -- notebooks ----------------------------------------------------------------------------


def notebook_title(nb, path: Path) -> str:
    """The notebook's first heading ("01 · List the claims"), or its file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip() or path.stem
            break
    return path.stem


def notebook_purpose(nb) -> str:
    """The first cell's purpose paragraph, as markdown without its label ("" if none)."""
    for cell in nb.cells[:1]:
        if cell.cell_type != "markdown":
            continue
        for block in re.split(r"\n\s*\n", cell.source):
            block = block.strip()
            if block.startswith("**Purpose.**"):
                return block.removeprefix("**Purpose.**").strip()
    return ""


# a file name in a code span, bare or in the figures or tables folder: `daily-deaths.svg`,
# `derived/checks.csv` (a name in another folder, `data/sources.csv`, is not an output)
TABLE_SUFFIXES = ("csv", "md", "tex", "bib")
FILE_SPAN = re.compile(
    r"`(?:(?:[\w.-]+/)*(?:figures|derived)/)?([\w-]+)\.(" + "|".join((*paths.FIGURE_FORMATS, *TABLE_SUFFIXES)) + ")`"
)


def named_files(nb) -> dict[str, list[str]]:
    """The output files the notebook's text names in code spans, in order: figure stems (an
    image name, `daily-deaths.svg`) and table file names (`checks.csv`); the caller keeps
    those its figures and tables hold."""
    named: dict[str, list[str]] = {"figures": [], "derived": []}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for stem, suffix in FILE_SPAN.findall(cell.source):
            folder, item = ("figures", stem) if suffix in paths.FIGURE_FORMATS else ("derived", f"{stem}.{suffix}")
            if item not in named[folder]:
                named[folder].append(item)
    return named


def figure_captions(nbs: Iterable) -> dict[str, str]:
    """Captions of figures by stem: the heading of the first markdown cell that names an
    image of the figure (`STEM.svg`)."""
    captions: dict[str, str] = {}
    for nb in nbs:
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            heading = next((ln.lstrip("#").strip() for ln in cell.source.splitlines() if ln.startswith("#")), "")
            for stem, suffix in FILE_SPAN.findall(cell.source):
                if heading and suffix in paths.FIGURE_FORMATS:
                    captions.setdefault(stem, heading)
    return captions


@dataclass
class Notebook:
    path: Path
    nb: Any
    title: str
    page: str  # file name of its page

    @classmethod
    def read(cls, path: Path) -> Notebook:
        import nbformat

        nb = nbformat.read(path, as_version=4)
        return cls(path=path, nb=nb, title=notebook_title(nb, path), page=path.with_suffix(".html").name)


_EXPORTER: list = []


def exporter():
    """nbconvert's HTMLExporter with the site's template (made once per process)."""
    if not _EXPORTER:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        _EXPORTER.append(
            HTMLExporter(
                template_name="lab",
                extra_loaders=[DictLoader({"site-notebook.html.j2": NOTEBOOK_TEMPLATE})],
                template_file="site-notebook.html.j2",
            )
        )
    return _EXPORTER[0]


def _crumbs(items: Sequence[tuple[str, str | None]]) -> str:
    parts = [
        f'<a href="{esc(href)}">{esc(label)}</a>' if href else f'<span aria-current="page">{esc(label)}</span>'
        for label, href in items
    ]
    return '<span class="sep">›</span>'.join(parts)


def _pager(notebooks: Sequence[Notebook], i: int) -> str:
    prev = notebooks[i - 1] if i > 0 else None
    nxt = notebooks[i + 1] if i + 1 < len(notebooks) else None
    left = (
        f'<a rel="prev" href="{esc(prev.page)}">← {esc(prev.title)}</a>'
        if prev
        else '<span class="off">← first notebook</span>'
    )
    right = (
        f'<a rel="next" href="{esc(nxt.page)}">{esc(nxt.title)} →</a>'
        if nxt
        else '<span class="off">last notebook →</span>'
    )
    return f'<span class="pager">{left}<span class="sep">|</span>{right}</span>'


def notebook_page(
    notebooks: Sequence[Notebook],
    i: int,
    *,
    event_name: str | None,
    crumbs: Sequence[tuple[str, str | None]],
    css: str,
    files: str = "",
    captions: dict[str, str] | None = None,
) -> str:
    """The HTML page of notebooks[i]: nbconvert's export with a title, and a bar at the
    top and bottom with `crumbs` (the way back) and the previous and next notebook. A
    figure a cell shows (`show_figure("STEM")`) gets its caption (`captions`) as alt text."""
    item = notebooks[i]
    nb = item.nb
    nb.metadata["title"] = f"{item.title} — {event_name}" if event_name else item.title
    trail = _crumbs([*crumbs, (item.title, None)])
    bar = f"<nav>{trail}</nav>\n{_pager(notebooks, i)}"
    site = {
        "head": f'<link rel="stylesheet" href="{esc(css)}">' if css else f"<style>\n{CSS}</style>",
        "header": f'<header class="site-bar" aria-label="Site navigation">\n{bar}\n</header>',
        "footer": f'{files}<footer class="site-bar site-bottom">\n{bar}\n</footer>',
    }
    body, _ = exporter().from_notebook_node(nb, resources={"site": site})
    return _alt_texts(body, nb, captions or {})


NO_ALT = 'alt="No description has been provided for this image"'  # nbconvert's, for an image without one
IMAGE_TYPES = {"image/png", "image/jpeg", "image/svg+xml"}  # the output types nbconvert shows as an image


def _alt_texts(body: str, nb, captions: dict[str, str]) -> str:
    """`body` with the caption of each figure a `show_figure("STEM")` line shows as its
    image's alt text, image by image in the notebook's order, where a cell shows as many
    images as it names figures; other images keep nbconvert's."""
    alts: list[str | None] = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            shown = re.findall(r'^\s*(?:\w+\.)?show_figure\("([\w-]+)"\)', cell.source, flags=re.M)
            images = [o for o in cell.get("outputs", []) if IMAGE_TYPES & set(o.get("data", {}))]
            if len(shown) == len(images):  # one image per figure the cell shows, in order
                alts += [captions.get(stem) for stem in shown]
            else:
                alts += [None] * len(images)
    parts = body.split(NO_ALT)
    if len(parts) != len(alts) + 1:  # images the notebook does not list: leave every one as it is
        return body
    return parts[0] + "".join((f'alt="{esc(alt)}"' if alt else NO_ALT) + part for alt, part in zip(alts, parts[1:]))


# -- single folder (html --out) ---------------------------------------------------------


def render(notebooks: Path, out: Path, *, protect=(), owned_root: bool = False, log=None) -> list[Path]:
    """Write out/NN-name.html for every notebook and out/index.html; return their paths.
    `owned_root`: out's parent is an output folder of the tool (`html --out`)."""
    files = notebook_files(notebooks)
    if not files:
        raise outputs.OutputError(f"no notebooks (NN-name.ipynb) in {notebooks}: build them first")
    items = [Notebook.read(path) for path in files]
    root = Path(notebooks).parent
    beside = outputs.absolute(Path(out)).parent == outputs.absolute(root)  # OUT/html beside OUT/figures
    figures = figure_files(root / "figures") if beside else {}
    tables = _files(root / "derived") if beside else []
    captions = figure_captions(n.nb for n in items)
    event = outputs.read_event(Path(notebooks))  # the battle_id the build's marker names
    title = f"{event}: notebooks" if event else "Notebooks"
    pages = []
    with outputs.output_dir(out, protect=protect, owned_root=owned_root, log=log) as stage:
        for i, item in enumerate(items):
            named = files_table(item.nb, figures, tables, captions, "../")
            crumbs = [(title, "index.html")]
            text = notebook_page(items, i, event_name=event, crumbs=crumbs, css="", files=named, captions=captions)
            outputs.write_text(stage / item.page, text)
            pages.append(Path(out) / item.page)
        listing = "\n".join(f'<li><a href="{esc(n.page)}">{esc(n.title)}</a></li>' for n in items)
        body = f"<main>\n<h1>{esc(title)}</h1>\n<ol>\n{listing}\n</ol>\n</main>\n"
        outputs.write_text(stage / "index.html", _page(title, body, css=""))
    return [Path(out) / "index.html", *pages]


# -- the site -----------------------------------------------------------------------------


@dataclass
class Prepared:
    """What the pages of one event are made of, read and computed before anything is written."""

    event: Event
    slug: str
    name: str
    place: str
    sentences: list[str]
    paragraphs: list[list[str]]
    totals: pd.DataFrame  # the default rule's totals
    rule: str
    battle: Battle
    notebooks: list[Notebook]
    figures: dict[str, list[Path]]  # stem -> files, in FIGURE_FORMATS order
    captions: dict[str, str]
    tables: list[Path]
    dictionary: str  # README.md as markdown ("" if none)
    data: list[Path]  # the data folder's tables and JSON files, as read
    others: list[tuple[str, str]] = field(default_factory=list)  # (name, slug) of the other events


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "event"


def _files(folder: Path, suffixes: Iterable[str] | None = None) -> list[Path]:
    """Regular files of a folder (no hidden ones, no links), sorted by name."""
    if not folder.is_dir():
        return []
    wanted = None if suffixes is None else set(suffixes)
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.is_symlink()
        and not p.name.startswith(".")
        and (wanted is None or p.suffix.lower() in wanted)
    )


def figure_files(folder: Path) -> dict[str, list[Path]]:
    """The figures of a folder: stem -> its files in FIGURE_FORMATS order; the project's
    figures in their order first, then any other by name."""
    figures: dict[str, list[Path]] = {}
    for path in _files(folder, FIGURE_FORMATS):
        figures.setdefault(path.stem, []).append(path)
    rank = {name: i for i, name in enumerate(paths.FIGURE_NAMES)}
    order = sorted(figures, key=lambda s: (rank.get(s, len(rank)), s))
    return {s: sorted(figures[s], key=lambda p: FIGURE_FORMATS.index(p.suffix.lower())) for s in order}


def _paragraphs(sentences: list[str], cuts: Sequence[str]) -> list[list[str]]:
    """Split the findings into paragraphs before each sentence of `cuts` found in them."""
    out: list[list[str]] = [[]]
    for sentence in sentences:
        if sentence in cuts and out[-1]:
            out.append([])
        out[-1].append(sentence)
    return [p for p in out if p]


def printed(nb) -> str:
    """Everything a notebook printed (its stream outputs), as one text."""
    return "".join(
        o.get("text", "") for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )


def prepare(event: Event, log=None) -> Prepared:
    """Read an event's data and built outputs and compute its story (no writing); `log`
    hears of notebooks that no longer print what the data give."""
    from analysis import story
    from analysis.checks import run_checks
    from analysis.load import InvalidData, load_dataset
    from analysis.reconcile import reconcile_all
    from analysis.rules import DEFAULT_RULE

    files = notebook_files(event.notebooks)
    if not files:
        raise outputs.OutputError(
            f"no notebooks (NN-name.ipynb) in {event.notebooks}: build the event first (make build)"
        )
    try:
        ds = load_dataset(event.data)
    except InvalidData as err:
        first = str(err.problems[0]) if err.problems else ""
        raise outputs.OutputError(f"{event.data}: the data are not valid ({first}); run validate") from None
    results = reconcile_all(ds)
    result = results[DEFAULT_RULE]
    sentences = story.findings(ds, results, run_checks(ds, result))
    cuts = [story.totals(ds, result), story.copies(result)]
    notebooks = [Notebook.read(p) for p in files]
    unrun = [n.path.name for n in notebooks if not any(c.get("outputs") for c in n.nb.cells)]
    if unrun:
        raise outputs.OutputError(
            f"{len(unrun)} of the {len(notebooks)} notebooks in {event.notebooks} have no outputs (not executed, "
            f"{unrun[0]} first): build the event first (make build)"
        )
    if log and not any(story.overview(ds) in printed(n.nb) for n in notebooks):
        log(f"warning: the notebooks in {event.notebooks} do not print what {event.data} gives now; rebuild them")
    figures = figure_files(event.figures)
    readme = Path(event.data) / "README.md"
    return Prepared(
        event=event,
        slug=_slug(ds.battle.battle_id),
        name=ds.battle.name,
        place=ds.battle.place,
        sentences=sentences,
        paragraphs=_paragraphs(sentences, cuts),
        totals=result.totals,
        rule=f"{result.rule.name}",
        battle=ds.battle,
        notebooks=notebooks,
        figures=figures,
        captions=figure_captions(n.nb for n in notebooks),
        tables=_files(event.derived),
        dictionary=readme.read_text(encoding="utf-8") if readme.is_file() else "",
        data=_files(Path(event.data), (".csv", ".json")),
    )


def _page(title: str, body: str, *, css: str) -> str:
    link = f'<link rel="stylesheet" href="{esc(css)}">\n' if css else f"<style>\n{CSS}</style>\n"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{esc(title)}</title>\n{link}</head>\n<body class="site">\n{body}</body>\n</html>\n'
    )


def _bar(crumbs: Sequence[tuple[str, str | None]], extra: str = "") -> str:
    right = f'<span class="others">{extra}</span>' if extra else ""
    return f'<header class="site-bar" aria-label="Site navigation">\n<nav>{_crumbs(crumbs)}</nav>{right}\n</header>\n'


def _other_events(ev: Prepared, prefix: str, page: str, label: str) -> str:
    if not ev.others:
        return ""
    links = ", ".join(f'<a href="{esc(prefix + slug + "/" + page)}">{esc(name)}</a>' for name, slug in ev.others)
    return f"{esc(label)}: {links}"


def _number(v) -> str:
    import pandas as pd

    return "open" if pd.isna(v) else str(int(v))


def totals_table(ev: Prepared) -> str:
    """The default rule's totals: one row per side, sub-group and group; one column per
    reconciled measure; each cell the best figure and the range low–high."""
    t = ev.totals
    battle = ev.battle
    measures = [m for m in battle.reconciled_measures if m in set(t["measure"])]
    names = list(dict.fromkeys(t["side"]))
    groups = set(battle.side_groups)
    head = "".join(f'<th scope="col">{esc(m)}: best (low–high)</th>' for m in measures)
    rows = []
    for name in names:
        cells = []
        for m in measures:
            r = t[(t["measure"] == m) & (t["side"] == name)]
            if r.empty:
                cells.append('<td class="num"></td>')
                continue
            row = r.iloc[0]
            mark = f' <span class="derived" title="{UNSTATED_TOTAL}">derived</span>' if bool(row["derived"]) else ""
            cells.append(
                f'<td class="num"><strong>{_number(row["best"])}</strong> '
                f'<span class="range">({_number(row["low"])}–{_number(row["high"])})</span>{mark}</td>'
            )
        kind = "group" if name in groups else ("sub" if battle.parent(name) else "side")
        rows.append(f'<tr class="{kind}"><th scope="row">{esc(str(name))}</th>{"".join(cells)}</tr>')
    caption = (
        f"Reconciled totals under the {esc(ev.rule)} rule. Open: no accepted claim caps the figure; "
        f"derived: {UNSTATED_TOTAL}; it follows from {DERIVED_FROM}."
    )
    return (
        f'<table class="totals">\n<caption>{caption}</caption>\n<thead><tr><th scope="col">side or group</th>'
        f"{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
    )


def _story(ev: Prepared) -> str:
    return "".join(f"<p>{esc(' '.join(p))}</p>\n" for p in ev.paragraphs)


def _figure_src(files: list[Path]) -> Path:
    return files[0]


def _caption(captions: dict[str, str], stem: str) -> str:
    return captions.get(stem, stem.replace("-", " "))


def _downloads(files: list[Path], prefix: str) -> str:
    return " · ".join(f'<a href="{esc(prefix + p.name)}" download>{esc(p.suffix[1:].upper())}</a>' for p in files)


def landing_page(events: Sequence[Prepared]) -> str:
    names = [ev.name for ev in events]
    title = "Casualty claims, reconciled: " + (
        ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    )
    sections = []
    for ev in events:
        base = f"{ev.slug}/"
        lead = ""
        if ev.figures:
            stem, files = next(iter(ev.figures.items()))
            src = _figure_src(files)
            lead = (
                f'<p><a href="{esc(base + EVENT_PAGE)}#figures"><img class="site-lead" '
                f'src="{esc(base + "figures/" + src.name)}" alt="{esc(_caption(ev.captions, stem))}"></a></p>\n'
            )
        links = (
            f'<p><a href="{esc(base + EVENT_PAGE)}">The event page</a> (findings, figures, tables) · '
            f"the notebooks: "
            + ", ".join(f'<a href="{esc(base + n.page)}">{esc(n.title)}</a>' for n in ev.notebooks)
            + (f' · <a href="{esc(base + DICTIONARY_PAGE)}">the data dictionary</a>' if ev.dictionary else "")
            + "</p>\n"
        )
        sections.append(
            f'<section id="{esc(ev.slug)}">\n<h2><a href="{esc(base + EVENT_PAGE)}">{esc(ev.name)}</a></h2>\n'
            f'<p class="site-subtitle">{esc(ev.place)}</p>\n{_story(ev)}{totals_table(ev)}{lead}{links}</section>\n'
        )
    events_nav = " · ".join(f'<a href="{esc(ev.slug + "/" + EVENT_PAGE)}">{esc(ev.name)}</a>' for ev in events)
    about = f'<a href="{ABOUT_PAGE}">how to cite, caveats and method</a>'
    body = (
        _bar([("All events", None)], f"Events: {events_nav} · {about}")
        + f"<main>\n<h1>{esc(title)}</h1>\n<p>{esc(INTRO)} Before citing a figure, read {about}.</p>\n"
        + "".join(sections)
        + "</main>\n"
    )
    return _page(title, body, css=SITE_CSS)


def event_page(ev: Prepared) -> str:
    crumbs = [("All events", "../index.html"), (ev.name, None)]
    others = _other_events(ev, "../", EVENT_PAGE, "Other events")
    findings = "".join(f"<li>{esc(s)}</li>\n" for s in ev.sentences)
    notebooks = []
    for n in ev.notebooks:
        purpose = notebook_purpose(n.nb)
        text = f'<div class="purpose">{_markdown(purpose)}</div>' if purpose else ""
        notebooks.append(f'<li><a href="{esc(n.page)}">{esc(n.title)}</a>{text}</li>')
    figures = []
    for stem, files in ev.figures.items():
        caption = _caption(ev.captions, stem)
        figures.append(
            f'<figure class="site-figure" id="figure-{esc(stem)}">\n'
            f'<img src="figures/{esc(_figure_src(files).name)}" alt="{esc(caption)}">\n'
            f"<figcaption>{esc(caption)}. Download: {_downloads(files, 'figures/')}</figcaption>\n</figure>\n"
        )
    body = (
        _bar(crumbs, others)
        + f'<main>\n<h1>{esc(ev.name)}</h1>\n<p class="site-subtitle">{esc(ev.place)}</p>\n'
        + _before_citing("../")
        + '<h2 id="findings">Findings</h2>\n<ul>\n'
        + findings
        + "</ul>\n"
        + totals_table(ev)
        + '<h2 id="notebooks">Notebooks</h2>\n<ol class="site-notebooks">\n'
        + "\n".join(notebooks)
        + "\n</ol>\n"
        + '<h2 id="data">Data</h2>\n'
        + (
            f'<p>The <a href="{DICTIONARY_PAGE}">data dictionary</a>: every column of the data folder, its '
            "allowed values and the coding decisions.</p>\n"
            if ev.dictionary
            else "<p>The data folder has no data dictionary (README.md).</p>\n"
        )
        + _data_links(ev)
        + '<h2 id="figures">Figures</h2>\n'
        + ("".join(figures) if figures else "<p>No figures were built.</p>\n")
        + '<h2 id="tables">Tables</h2>\n'
        + tables_table(ev)
        + "</main>\n"
    )
    return _page(f"{ev.name} — casualty claims", body, css="../" + SITE_CSS)


def _data_links(ev: Prepared) -> str:
    """Download links to the data as read: the ledger (whose claim IDs every table names),
    the source register and the rest, so that a figure can be traced from the site alone."""
    if not ev.data:
        return ""
    links = " · ".join(f'<a href="data/{esc(p.name)}" download>{esc(p.name)}</a>' for p in ev.data)
    return (
        f"<p>The data as read: {links}. A table's claim IDs are rows of casualties.csv; each names its "
        "document in sources.csv.</p>\n"
    )


def tables_table(ev: Prepared) -> str:
    """Download links to every file of derived/, one row per table (its formats side by side)."""
    if not ev.tables:
        return "<p>No tables were built.</p>\n"
    stems: dict[str, list[Path]] = {}
    for p in ev.tables:
        stems.setdefault(p.stem, []).append(p)
    rank = {s: i for i, s in enumerate(TABLE_ORDER)}
    rows = []
    for stem, files in stems.items():
        files = sorted(files, key=lambda p: (rank.get(p.suffix.lower(), len(rank)), p.suffix))
        links = " · ".join(
            f'<a href="derived/{esc(p.name)}" download>{esc(p.suffix[1:])}</a> '
            f'<span class="range">({_size(p.stat().st_size)})</span>'
            for p in files
        )
        rows.append(f'<tr><th scope="row">{esc(stem)}</th><td>{links}</td></tr>')
    return (
        '<table class="downloads">\n<thead><tr><th scope="col">table</th><th scope="col">files</th></tr></thead>\n'
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
    )


def _size(n: int) -> str:
    return f"{n} B" if n < 1000 else f"{n / 1000:.0f} kB" if n < 1_000_000 else f"{n / 1_000_000:.1f} MB"


def _markdown(text: str) -> str:
    import mistune

    return str(mistune.html(text))


def readme_sections(text: str, titles: Sequence[str]) -> str:
    """The README's level-two sections of these titles, in the order given, as markdown
    (each from its heading to the next level-two heading); a heading that is a title and a
    parenthesis ("Derived tables (`derived/`...)") is that title, shown without it; a title
    not found is skipped."""
    parts = {}
    for chunk in ("\n" + text).split("\n## ")[1:]:
        heading, _, body = chunk.partition("\n")
        title = heading.strip().split(" (", 1)[0]
        parts[title] = f"## {title}\n{body}"
    return "\n".join(parts[t] for t in titles if t in parts)


def _before_citing(prefix: str) -> str:
    """The line that sends a reader of an event's pages to the about page (`prefix`: the
    way from the page to the site's root)."""
    return (
        f'<p class="site-cite">Before citing a figure, read <a href="{prefix}{ABOUT_PAGE}">how to cite, '
        "caveats and method</a>.</p>\n"
    )


def about_page(readme: str) -> str:
    """Method, caveats and how to cite, as the README states them."""
    from analysis import __version__

    crumbs = [("All events", "index.html"), ("How to cite, caveats and method", None)]
    lead = (
        f"<p>These pages show version {esc(__version__)} of the dataset. The files named below (CITATION.cff, "
        "CHANGELOG.md, each event's data folder) are in the project's repository; here, each event's page links "
        "its tables, whose rows list the claims behind each figure, and its BibTeX file of sources.</p>\n"
    )
    sections = _markdown(readme_sections(readme, ABOUT_SECTIONS))
    body = _bar(crumbs) + f'<main class="dictionary">\n{lead}{sections}</main>\n'
    return _page("How to cite, caveats and method", body, css=SITE_CSS)


def dictionary_page(ev: Prepared) -> str:
    crumbs = [("All events", "../index.html"), (ev.name, EVENT_PAGE), ("Data dictionary", None)]
    others = _other_events(ev, "../", DICTIONARY_PAGE, "Data dictionaries of other events")
    body = (
        _bar(crumbs, others) + f'<main class="dictionary">\n{_before_citing("../")}{_markdown(ev.dictionary)}</main>\n'
    )
    return _page(f"Data dictionary — {ev.name}", body, css="../" + SITE_CSS)


def files_table(nb, figures: dict[str, list[Path]], tables: list[Path], captions: dict[str, str], prefix: str) -> str:
    """Download links to the figures and tables a notebook names, found in `figures` and
    `tables` and linked as prefix + figures/NAME or prefix + derived/NAME ("" if none)."""
    named = named_files(nb)
    rows = []
    for stem in named["figures"]:
        if stem in figures:
            rows.append(
                f'<tr><th scope="row">{esc(_caption(captions, stem))}</th>'
                f"<td>{_downloads(figures[stem], prefix + 'figures/')}</td></tr>"
            )
    by_name = {p.name: p for p in tables}
    for name in named["derived"]:
        if name in by_name:
            rows.append(
                f'<tr><th scope="row">{esc(name)}</th><td>{_downloads([by_name[name]], prefix + "derived/")}</td></tr>'
            )
    if not rows:
        return ""
    return (
        '<section class="site-files" aria-label="Files">\n<h2>Files named in this notebook</h2>\n'
        '<table>\n<thead><tr><th scope="col">figure or table</th><th scope="col">download</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</section>\n"
    )


def write_site(events: Sequence[Prepared], stage: Path) -> list[str]:
    """Write every page and file of the site into `stage`; return the pages' relative paths."""
    slugs = [ev.slug for ev in events]
    if len(set(slugs)) != len(slugs):
        raise outputs.OutputError(f"two events share a battle_id: {', '.join(slugs)}")
    for ev in events:
        ev.others = [(o.name, o.slug) for o in events if o is not ev]
    stage = Path(stage)
    outputs.write_text(stage / SITE_CSS, CSS)
    outputs.write_text(stage / "index.html", landing_page(events))
    outputs.write_text(stage / ABOUT_PAGE, about_page((paths.ROOT / "README.md").read_text(encoding="utf-8")))
    pages = ["index.html", ABOUT_PAGE]
    for ev in events:
        folder = stage / ev.slug
        (folder / "figures").mkdir(parents=True)
        (folder / "derived").mkdir()
        for files in ev.figures.values():
            for p in files:
                outputs.write_bytes(folder / "figures" / p.name, p.read_bytes())
        for p in ev.tables:
            outputs.write_bytes(folder / "derived" / p.name, p.read_bytes())
        if ev.data:
            (folder / "data").mkdir()
        for p in ev.data:
            outputs.write_bytes(folder / "data" / p.name, p.read_bytes())
        outputs.write_text(folder / EVENT_PAGE, event_page(ev))
        pages.append(f"{ev.slug}/{EVENT_PAGE}")
        if ev.dictionary:
            outputs.write_text(folder / DICTIONARY_PAGE, dictionary_page(ev))
            pages.append(f"{ev.slug}/{DICTIONARY_PAGE}")
        crumbs = [("All events", "../index.html"), (ev.name, EVENT_PAGE)]
        for i, n in enumerate(ev.notebooks):
            text = notebook_page(
                ev.notebooks,
                i,
                event_name=ev.name,
                crumbs=crumbs,
                css="../" + SITE_CSS,
                files=_before_citing("../") + files_table(n.nb, ev.figures, ev.tables, ev.captions, ""),
                captions=ev.captions,
            )
            outputs.write_text(folder / n.page, text)
            pages.append(f"{ev.slug}/{n.page}")
    return pages


def site(
    events: Sequence[Event] | None = None, out: Path | None = None, *, protect=(), owned_root: bool = False, log=None
) -> list[Path]:
    """Render the site of `events` (default: `project_events()`) into `out` (default:
    build/html/), replaced whole; return the paths of its pages, the landing page first."""
    out = Path(out) if out is not None else paths.ROOT / "build" / "html"
    prepared = [prepare(event, log) for event in (events if events is not None else project_events())]
    if not prepared:
        raise outputs.OutputError("no events to render")
    with outputs.output_dir(out, protect=protect, owned_root=owned_root, log=log) as stage:
        pages = write_site(prepared, stage)
    return [out / p for p in pages]
