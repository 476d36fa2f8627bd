"""Open every page of the built site in a real browser and check what a reader would see.

    python tools/check_site.py [SITE] [--screenshots DIR]        (make site-check)

SITE defaults to build/html (made by `make html`). For every page (every .html file
outside screenshots/), in headless Chromium driven by Selenium:

- the page loads, with a <title> that is not empty and not nbconvert's "Notebook";
- every <a href>, <img src> and <link href> to a local file resolves to a file of the
  site, and every #fragment to an element with that id;
- every <img> has loaded (naturalWidth > 0);
- every notebook page (NN-name.html) holds at least one <table>;
- nothing is fetched from the network (the site must work offline) and the browser logs
  no error;
- every page can be reached from index.html by following links.

A full-page screenshot of each page (cut at --max-height pixels) goes to
SITE/screenshots/ (or --screenshots). Inside the site, the screenshots are added to the
site's `.analysis-output` marker, so that the next `make html` replaces them with the
site instead of refusing a folder holding files it did not write.

Needs Debian's Chromium and its driver (`apt-get install -y chromium chromium-driver`)
and Selenium in the project's environment (`.venv/bin/pip install selenium`); Selenium
is told where both are, so it never downloads a browser. Exit status: 0 all good, 1
problems found (one line each), 2 no browser or no Selenium.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
NOTEBOOK_PAGE = re.compile(r"^\d\d-.+\.html$")
SCREENSHOTS = "screenshots"

PAGE_STATE = """
const abs = (el, attr) => { const v = el.getAttribute(attr); return v === null ? null : [v, el[attr]]; };
return {
  title: document.title,
  ready: document.readyState,
  links: Array.from(document.querySelectorAll('a[href]')).map(a => abs(a, 'href')),
  styles: Array.from(document.querySelectorAll('link[href]')).map(l => abs(l, 'href')),
  images: Array.from(document.images).map(i => ({src: i.getAttribute('src'), url: i.currentSrc || i.src,
                                                complete: i.complete, width: i.naturalWidth})),
  tables: document.getElementsByTagName('table').length,
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  resources: performance.getEntriesByType('resource').map(r => r.name),
};
"""


@dataclass
class Report:
    """What the check counted and found."""

    pages: int = 0
    links: int = 0  # <a href> to local files (fragments included)
    external: int = 0  # <a href> to other sites: counted, not followed
    images: int = 0
    tables: int = 0  # on notebook pages
    notebook_pages: int = 0
    screenshots: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.pages} pages ({self.notebook_pages} notebook pages), {self.links} local links, "
            f"{self.external} external links, {self.images} images, {self.tables} tables on notebook pages, "
            f"{len(self.screenshots)} screenshots; {len(self.problems)} problem(s)"
        )


def browser_missing(chromium: str = CHROMIUM, chromedriver: str = CHROMEDRIVER) -> str | None:
    """Why the check cannot run here, or None if it can."""
    missing = [p for p in (chromium, chromedriver) if not (os.path.isfile(p) and os.access(p, os.X_OK))]
    if missing:
        return f"{' and '.join(missing)} not found: apt-get install -y chromium chromium-driver"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed in this environment: .venv/bin/pip install selenium"
    return None


def site_pages(site: Path) -> list[str]:
    """The site's pages, relative to it, outside the screenshots folder."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.is_file() and SCREENSHOTS not in p.relative_to(site).parts[:1]
    )


def start_browser(chromium: str = CHROMIUM, chromedriver: str = CHROMEDRIVER, width: int = 1280):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",  # needed as root (containers)
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={width},1000",
        "--allow-file-access-from-files",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_page_load_timeout(60)
    return driver


def _local(url: str) -> Path | None:
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def _fragments(url: str) -> set[str]:
    """The ids a #fragment may name: as written, or percent-decoded (as browsers try)."""
    raw = urlsplit(url).fragment
    return {raw, unquote(raw)} if raw else set()


def _ids_of(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        text = path.read_text(encoding="utf-8", errors="replace") if path.suffix == ".html" else ""
        cache[path] = set(re.findall(r"""\sid=["']([^"']+)["']""", text))
    return cache[path]


def screenshot(driver, max_height: int) -> bytes:
    """The whole page (down to max_height CSS pixels) as PNG."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    width = max(1, int(size["width"]))
    height = max(1, min(int(size["height"]), max_height))
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    return base64.b64decode(shot["data"])


def check_site(
    site: Path,
    *,
    shots: dict[str, bytes] | None = None,
    chromium: str = CHROMIUM,
    chromedriver: str = CHROMEDRIVER,
    max_height: int = 6000,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Open every page of `site`; return the counts and problems. Screenshots (PNG bytes by
    page) go into `shots` if given."""
    site = Path(site).resolve()
    report = Report()
    pages = site_pages(site)
    if "index.html" not in pages:
        report.problems.append(f"{site}: no index.html (build the site first: make html)")
        return report
    ids: dict[Path, set[str]] = {}
    reached: set[str] = {"index.html"}
    driver = start_browser(chromium, chromedriver)
    try:
        for rel in pages:
            path = site / rel
            driver.get(path.as_uri())
            state = driver.execute_script(PAGE_STATE)
            report.pages += 1
            where = rel
            title = (state["title"] or "").strip()
            if not title or title == "Notebook":
                report.problems.append(f"{where}: title is {title!r}")
            ids[path] = set(state["ids"])
            for raw, url in (x for x in state["links"] if x):
                target = _local(url)
                if target is None:
                    if urlsplit(url).scheme in ("http", "https"):
                        report.external += 1
                    continue
                report.links += 1
                if not target.is_file():
                    report.problems.append(f"{where}: link {raw!r} leads to no file")
                    continue
                frags = _fragments(url)
                if frags and not frags & _ids_of(target, ids):
                    report.problems.append(f"{where}: link {raw!r}: no element with that id there")
                if target.is_relative_to(site) and target.suffix == ".html":
                    reached.add(target.relative_to(site).as_posix())
            for raw, url in (x for x in state["styles"] if x):
                target = _local(url)
                if target is not None and not target.is_file():
                    report.problems.append(f"{where}: stylesheet {raw!r} is missing")
            for img in state["images"]:
                report.images += 1
                target = _local(img["url"])
                if target is not None and not target.is_file():
                    report.problems.append(f"{where}: image {img['src']!r} is missing")
                elif not img["complete"] or not img["width"]:
                    report.problems.append(f"{where}: image {str(img['src'])[:80]!r} did not load (width 0)")
            if NOTEBOOK_PAGE.match(path.name):
                report.notebook_pages += 1
                report.tables += state["tables"]
                if not state["tables"]:
                    report.problems.append(f"{where}: a notebook page without a <table>")
            for name in state["resources"]:
                if urlsplit(name).scheme not in ("file", "data", "blob", "about"):
                    report.problems.append(f"{where}: fetched {name} from the network")
            for entry in driver.get_log("browser"):
                if entry.get("level") == "SEVERE":
                    report.problems.append(f"{where}: browser error: {entry.get('message', '')[:200]}")
            if shots is not None:
                shots[rel] = screenshot(driver, max_height)
            if log:
                log(f"{rel}: {state['tables']} tables, {len(state['images'])} images, {len(state['links'])} links")
    finally:
        driver.quit()
    for rel in pages:
        if rel not in reached:
            report.problems.append(f"{rel}: no link leads to it from the site")
    return report


def shot_name(rel: str) -> str:
    return rel.removesuffix(".html").replace("/", "__") + ".png"


def save_screenshots(shots: dict[str, bytes], folder: Path, site: Path) -> list[Path]:
    """Replace `folder` with the screenshots. Inside a site the tool owns, check first that
    the site is still the tool's own, whole, and list the screenshots in its marker after."""
    from analysis import outputs

    folder, site = Path(folder).resolve(), Path(site).resolve()
    owned = folder.parent == site and outputs.read_marker(site) is not None
    if owned:
        outputs.check_owned(site)  # UnsafeOutput if someone put or changed files there
    elif folder.exists() and any(folder.iterdir()):
        outputs.check_owned(folder)
    stage = Path(tempfile.mkdtemp(prefix=".screenshots.staging-", dir=folder.parent))
    try:
        written = []
        for rel, png in sorted(shots.items()):
            outputs.write_bytes(stage / shot_name(rel), png)
            written.append(folder / shot_name(rel))
        os.chmod(stage, 0o777 & ~outputs.current_umask())
        if not owned:
            outputs.write_marker(stage)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(stage, folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    if owned:
        outputs.write_marker(site)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "build" / "html", help="the built site")
    parser.add_argument("--screenshots", type=Path, default=None, help="folder for the screenshots (SITE/screenshots)")
    parser.add_argument("--no-screenshots", action="store_true", help="check only")
    parser.add_argument("--max-height", type=int, default=6000, help="screenshots are cut at this height (px)")
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--chromedriver", default=CHROMEDRIVER)
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per page")
    args = parser.parse_args(argv)
    reason = browser_missing(args.chromium, args.chromedriver)
    if reason:
        print(f"check_site: cannot run: {reason}", file=sys.stderr)
        return 2
    if not (args.site / "index.html").is_file():
        print(f"check_site: {args.site}/index.html not found: build the site first (make html)", file=sys.stderr)
        return 1
    shots: dict[str, bytes] | None = None if args.no_screenshots else {}
    report = check_site(
        args.site,
        shots=shots,
        chromium=args.chromium,
        chromedriver=args.chromedriver,
        max_height=args.max_height,
        log=print if args.verbose else None,
    )
    if shots:
        folder = args.screenshots or args.site / SCREENSHOTS
        report.screenshots = save_screenshots(shots, folder, args.site)
        print(f"screenshots in {folder.resolve()}")
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(report.summary())
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
