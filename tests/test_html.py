"""The static site (`python -m analysis html`): every page has a real title, every local
link and image resolves inside the site, notebook pages show tables, the story is the one
the data give, and two renders are byte for byte the same. Built once per module from two
tiny made-up events with stand-in built outputs (no build, no browser); the browser check
(tools/check_site.py) runs at the end when Chromium, its driver and Selenium are here."""

import base64
import importlib.util
import json
import re
import shutil
import struct
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from analysis import __version__, html, outputs, story
from analysis.checks import run_checks
from analysis.load import load_dataset
from analysis.paths import FIGURE_NAMES
from analysis.reconcile import reconcile_all
from analysis.rules import DEFAULT_RULE
from conftest import ROOT, claim, make_event

NAMES = {"first-event": "First test event", "second-event": "Second test event"}


def png(width: int = 3, height: int = 2) -> bytes:
    """A small valid PNG (white pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def notebook(folder: Path, name: str, cells) -> None:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nbformat.write(nb, folder / name)


def code(source: str, *outs) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = list(outs)
    return cell


def event(folder: Path, slug: str) -> html.Event:
    data = make_event(
        folder / "data",
        [
            claim("M1", "Monitor", "2020-03-01", "2020-03-01", "army", 5),
            claim("M2", "Monitor", "2020-03-01", "2020-03-03", "all", 20),
            claim("A1", "Army", "2020-03-02", "2020-03-02", "militia", 3, qualifier="at least"),
        ],
    )
    battle = json.loads((data / "battle.json").read_text())
    battle.update(battle_id=slug, name=NAMES[slug])
    (data / "battle.json").write_text(json.dumps(battle))
    (data / "README.md").write_text(
        "# Data dictionary\n\nOne row per claim.\n\n| column | meaning |\n|---|---|\n| `claim_id` | stable ID |\n"
    )
    out = folder / "output"
    for sub in ("notebooks", "figures", "derived"):
        (out / sub).mkdir(parents=True)
    table = "<table><tr><th>side</th><th>killed</th></tr><tr><td>army</td><td>5</td></tr></table>"
    notebook(
        out / "notebooks",
        "01-list-claims.ipynb",
        [
            nbformat.v4.new_markdown_cell(
                "# 01 · List the claims\n\n**Purpose.** Who claimed what, in `claims`.\n\n**Inputs.** `casualties.csv`."
                "\n\n**Outputs.** None; the build publishes `battle_totals-hierarchy.csv`."
            ),
            code(
                "story.say(story.overview(ds))",
                nbformat.v4.new_output("stream", name="stdout", text=f"{NAMES[slug]}: the ledger holds 3 claims.\n"),
            ),
            nbformat.v4.new_markdown_cell("## The claims"),
            code("s.show(table)", nbformat.v4.new_output("display_data", {"text/html": table, "text/plain": "t"})),
        ],
    )
    notebook(
        out / "notebooks",
        "02-draw-figures.ipynb",
        [
            nbformat.v4.new_markdown_cell("# 02 · Draw the figures\n\n**Purpose.** Draw them."),
            code("print('drawn')", nbformat.v4.new_output("stream", name="stdout", text="drawn\n")),
            nbformat.v4.new_markdown_cell("## Killed per day by side\n\n`daily-deaths.svg`, `.png`, `.pdf`"),
            code(
                's.show_figure("daily-deaths")',
                nbformat.v4.new_output(
                    "display_data", {"image/png": base64.b64encode(png()).decode(), "text/plain": "<Image>"}
                ),
            ),
        ],
    )
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="30pt" height="20pt" viewBox="0 0 30 20"><rect width="30" height="20" fill="#0072B2"/></svg>\n'  # noqa: E501
    (out / "figures" / "daily-deaths.svg").write_text(svg)
    (out / "figures" / "daily-deaths.png").write_bytes(png())
    (out / "figures" / "daily-deaths.pdf").write_bytes(b"%PDF-1.4\n% stand-in\n")
    (out / "figures" / ".analysis-output").write_text("marker: not part of the site\n")
    (out / "derived" / "battle_totals-hierarchy.csv").write_text("side,best\narmy,5\n")
    (out / "derived" / "battle_totals-hierarchy.md").write_text("| side | best |\n|---|---|\n| army | 5 |\n")
    (out / "derived" / "sources.bib").write_text("@misc{s1, title={Test}}\n")
    return html.Event(data=data, root=out)


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    folder = tmp_path_factory.mktemp("events")
    return [event(folder / slug, slug) for slug in NAMES]


@pytest.fixture(scope="module")
def rendered(events, tmp_path_factory):
    """The site rendered twice into two folders; (first, second, page paths)."""
    root = tmp_path_factory.mktemp("site")
    first = html.site(events, root / "a" / "html")
    html.site(events, root / "b" / "html")
    return root / "a" / "html", root / "b" / "html", first


@pytest.fixture(scope="module")
def site(rendered):
    return rendered[0]


class Page(HTMLParser):
    """What the tests read from a page: title, links, image and stylesheet sources, ids, tables."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.title, self.links, self.sources, self.ids, self.tables, self.scripts = "", [], [], set(), 0, []
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "img":
            self.sources.append(a.get("src", ""))
        elif tag == "link" and "href" in a:
            self.sources.append(a["href"])
        elif tag == "script":
            self.scripts.append(a.get("src", "inline"))
        elif tag == "table":
            self.tables += 1
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def pages(site: Path) -> dict[str, Page]:
    return {p.relative_to(site).as_posix(): Page(p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html"))}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def resolve(site: Path, page: str, ref: str) -> tuple[Path | None, str]:
    """The file a relative reference of `page` points to and its fragment; (None, scheme)
    for a reference that is not relative."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        return None, parts.scheme
    target = (site / page).parent / unquote(parts.path) if parts.path else site / page
    return target.resolve(), parts.fragment


def test_the_site_has_a_landing_page_and_every_events_pages(rendered, site):
    names = sorted(tree(site))
    assert rendered[2][0] == site / "index.html"
    for slug in NAMES:
        for page in ("index.html", "data-dictionary.html", "01-list-claims.html", "02-draw-figures.html"):
            assert f"{slug}/{page}" in names
        for name in ("daily-deaths.svg", "daily-deaths.png", "daily-deaths.pdf"):
            assert f"{slug}/figures/{name}" in names
        assert f"{slug}/derived/sources.bib" in names
        assert f"{slug}/figures/.analysis-output" not in names
    assert sorted(p.relative_to(site).as_posix() for p in rendered[2]) == sorted(pages(site))
    outputs.check_owned(site)  # the tool's own folder, whole: the next render may replace it


def test_every_local_link_and_image_resolves_to_a_file_of_the_site(site):
    found = pages(site)
    checked = 0
    for page, parsed in found.items():
        for ref in parsed.links + parsed.sources:
            target, fragment = resolve(site, page, ref)
            if fragment == "data" and ref.startswith("data:image/"):
                continue  # an image embedded in a notebook's output
            assert target is not None, f"{page}: {ref} is not a relative link"
            assert target.is_file(), f"{page}: {ref} leads to no file"
            assert site.resolve() in target.parents, f"{page}: {ref} leaves the site"
            if fragment and target.suffix == ".html":
                ids = found[target.relative_to(site.resolve()).as_posix()].ids
                assert fragment in ids or unquote(fragment) in ids, f"{page}: {ref}: no such id"
            checked += 1
    assert checked > 50


def test_every_page_has_a_real_title(site):
    for page, parsed in pages(site).items():
        assert parsed.title.strip() and parsed.title.strip() != "Notebook", page
    first = pages(site)["first-event/01-list-claims.html"]
    assert first.title == "01 · List the claims — First test event"


def test_notebook_pages_show_tables_and_load_nothing_from_the_network(site):
    found = pages(site)
    notebook_pages = [p for p in found if re.search(r"/\d\d-[^/]+\.html$", p)]
    assert len(notebook_pages) == 4
    for page in notebook_pages:
        assert found[page].tables >= 1, page
    for page, parsed in found.items():
        assert parsed.scripts == [], page  # nbconvert's require.js and MathJax are left out
        assert not [s for s in parsed.sources if "//" in s], page


def test_two_renders_are_byte_identical(rendered):
    first, second, _ = rendered
    assert tree(first) == tree(second)


def test_notebook_pages_lead_back_and_on(site):
    found = pages(site)
    first, second = found["first-event/01-list-claims.html"], found["first-event/02-draw-figures.html"]
    for links in (first.links, second.links):
        assert "../index.html" in links and "index.html" in links  # landing page, event page
    assert "02-draw-figures.html" in first.links and "01-list-claims.html" in second.links
    assert "figures/daily-deaths.pdf" in second.links  # the files the notebook names


def test_the_story_and_totals_are_the_datas(events, site):
    landing = (site / "index.html").read_text(encoding="utf-8")
    for ev in events:
        ds = load_dataset(ev.data)
        results = reconcile_all(ds)
        for sentence in story.findings(ds, results, run_checks(ds, results[DEFAULT_RULE])):
            assert html.esc(sentence) in landing
        totals = results[DEFAULT_RULE].totals
        best = int(totals[(totals["measure"] == "killed") & (totals["side"] == "all")]["best"].iloc[0])
        assert f"<strong>{best}</strong>" in landing
    for slug, name in NAMES.items():
        assert f'href="{slug}/index.html"' in landing and name in landing


def test_event_pages_link_every_table_figure_notebook_and_the_dictionary(site):
    for slug in NAMES:
        page = pages(site)[f"{slug}/index.html"]
        for name in sorted(p.name for p in (site / slug / "derived").iterdir()):
            assert f"derived/{name}" in page.links
        for name in sorted(p.name for p in (site / slug / "figures").iterdir()):
            assert f"figures/{name}" in page.links
        data = sorted(p.name for p in (site / slug / "data").iterdir())  # the data as read: a claim ID traced
        assert {"casualties.csv", "sources.csv", "battle.json"} <= set(data)
        assert all(f"data/{name}" in page.links for name in data)
        assert "figures/daily-deaths.svg" in page.sources
        assert {"01-list-claims.html", "02-draw-figures.html", "data-dictionary.html"} <= set(page.links)
        other = next(s for s in NAMES if s != slug)
        assert f"../{other}/index.html" in page.links
        dictionary = pages(site)[f"{slug}/data-dictionary.html"]
        assert dictionary.tables == 1 and f"../{other}/data-dictionary.html" in dictionary.links


def test_notebook_pages_offer_the_figures_and_tables_they_name_with_their_captions(site):
    for slug in NAMES:
        claims, figures = (pages(site)[f"{slug}/{name}"] for name in ("01-list-claims.html", "02-draw-figures.html"))
        assert "derived/battle_totals-hierarchy.csv" in claims.links  # named and published
        assert not any("casualties.csv" in link for link in claims.links)  # an input, not a published table
        assert {f"figures/daily-deaths.{suffix}" for suffix in ("svg", "png", "pdf")} <= set(figures.links)
        page = (site / slug / "02-draw-figures.html").read_text(encoding="utf-8")
        assert '<th scope="row">Killed per day by side</th>' in page
        event_page = (site / slug / "index.html").read_text(encoding="utf-8")
        assert 'alt="Killed per day by side"' in event_page
        assert 'alt="Killed per day by side"' in page and "No description" not in page  # the notebook's image too


def test_a_notebook_names_outputs_bare_or_in_their_folders_never_in_another():
    text = "`x.svg`, `figures/y.png`, `derived/t.csv`, `u.md`, `data/sources.csv`, `../data/z.svg`, `README`"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    assert html.named_files(nb) == {"figures": ["x", "y"], "derived": ["t.csv", "u.md"]}


def test_figure_images_get_their_captions_only_where_each_image_is_known():
    png_out = nbformat.v4.new_output("display_data", {"image/png": "AAAA", "text/plain": "<Image>"})
    cells = [
        code('s.show_figure("a")\nshow_figure("b")', png_out, png_out),  # two figures, two images, in order
        code('# s.show_figure("a")\nplot()', png_out),  # a figure named in a comment is not shown
        code('s.show_figure("a")', png_out, png_out),  # more images than figures: none is known
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    body = "|".join([html.NO_ALT] * 5)
    alts = html._alt_texts(body, nb, {"a": "Caption A", "b": "Caption B"}).split("|")
    assert alts == ['alt="Caption A"', 'alt="Caption B"', html.NO_ALT, html.NO_ALT, html.NO_ALT]


def test_the_projects_notebooks_caption_every_figure_and_name_only_files_that_exist():
    notebooks = [nbformat.read(path, as_version=4) for path in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    captions = html.figure_captions(notebooks)
    assert sorted(captions) == sorted(FIGURE_NAMES) and all(captions.values())
    named = [name for nb in notebooks for name in html.named_files(nb)["derived"]]
    published = {p.name for p in (ROOT / "derived").iterdir()}
    inputs = {p.name for p in (ROOT / "data").iterdir()}
    assert {"claimant_totals.csv", "checks.csv", "revisions.csv"} <= set(named)
    assert set(named) <= published | inputs


def test_a_failed_render_leaves_the_previous_site_whole(events, rendered, monkeypatch, tmp_path):
    target = tmp_path / "html"
    shutil.copytree(rendered[0], target)
    before = tree(target)

    def broken(ev):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(html, "dictionary_page", broken)
    with pytest.raises(outputs.OutputError, match="No space left"):
        html.site(events, target)
    assert tree(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html"]


def test_an_event_not_built_is_refused_before_anything_is_written(events, tmp_path):
    unbuilt = html.Event(data=events[0].data, root=tmp_path / "nothing")
    with pytest.raises(outputs.OutputError, match="build the event first"):
        html.site([unbuilt], tmp_path / "html")
    assert not (tmp_path / "html").exists()


def test_the_projects_events_are_the_flagship_and_every_events_folder():
    found = html.project_events()
    assert found[0] == html.Event(data=ROOT / "data", root=ROOT)
    assert (
        html.Event(data=ROOT / "events" / "al-qubeir" / "data", root=ROOT / "events" / "al-qubeir" / "output") in found
    )


def _check_site_tool():
    spec = importlib.util.spec_from_file_location("check_site", ROOT / "tools" / "check_site.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_page_in_a_real_browser(site, tmp_path):
    """tools/check_site.py on the rendered site, in headless Chromium. Skipped where the
    browser, its driver or Selenium is missing: they are system packages (apt-get install
    chromium chromium-driver) and an optional tool, not test dependencies."""
    tool = _check_site_tool()
    reason = tool.browser_missing()
    if reason:
        pytest.skip(f"no browser check here: {reason}")
    report = tool.check_site(site)
    assert report.problems == []
    assert report.pages == len(pages(site)) and report.notebook_pages == 4
    assert report.images >= 6 and report.tables >= 4 and report.links > 50


def test_the_site_says_how_to_cite_with_the_caveats_and_method_of_the_readme(site):
    about = (site / html.ABOUT_PAGE).read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", about)
    assert headings == list(html.ABOUT_SECTIONS)  # citing first, then the caveats, then the method
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cite = readme.split("## How to cite\n", 1)[1].split("\n## ", 1)[0]
    assert " ".join(re.sub(r"<[^>]+>", "", about).split()).count(" ".join(re.sub(r"`", "", cite).split())[:120]) == 1
    landing = Page((site / "index.html").read_text(encoding="utf-8"))
    assert landing.links.count(html.ABOUT_PAGE) == 2  # the bar and the introduction
    # every page of an event sends its reader there before citing
    for name, page in pages(site).items():
        if "/" in name:
            assert f"../{html.ABOUT_PAGE}" in page.links, name
    assert f"version {__version__} of the dataset" in about and "<h2>What the data shows</h2>" in about
    # what every table and column holds: the README's Derived tables, whole
    tables = about.split("<h2>Derived tables</h2>", 1)[1]
    assert "<code>battle_totals-RULE.{csv,md,tex}</code>" in tables and "<td><code>capping</code></td>" in tables


def test_readme_sections_are_taken_whole_in_the_order_asked():
    text = "# T\n\nintro\n\n## A\none\n### A1\ntwo\n\n## B\nthree\n\n## C (`c/`, as built)\nfour\n"
    assert html.readme_sections(text, ["B", "A", "missing"]) == "## B\nthree\n\n## A\none\n### A1\ntwo\n"
    assert html.readme_sections(text, ["C"]) == "## C\nfour\n"
