"""Static HTML of every notebook, with an index page, for readers without Jupyter.
Renders the notebooks as committed (with their outputs); run the build first to refresh
them."""

from __future__ import annotations

import html
from pathlib import Path

from analysis.build import notebook_files  # also defers the rfc3987 parser (fastimport)
from analysis.outputs import staged_dir, write_text


def render(notebooks: Path, out: Path) -> list[Path]:
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    pages = []
    with staged_dir(out) as stage:
        items = []
        for path in notebook_files(notebooks):
            nb = nbformat.read(path, as_version=4)
            body, _ = exporter.from_notebook_node(nb)
            name = path.with_suffix(".html").name
            write_text(stage / name, body)
            first = nb.cells[0].source.splitlines()[0].lstrip("# ").strip() if nb.cells else path.stem
            items.append(f'<li><a href="{html.escape(name)}">{html.escape(path.stem)}</a>: {html.escape(first)}</li>')
            pages.append(out / name)
        index = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Notebooks</title></head>\n<body>\n"
                 "<h1>Battle casualty claims: notebooks</h1>\n<ol>\n" + "\n".join(items) + "\n</ol>\n</body></html>\n")
        write_text(stage / "index.html", index)
    return [out / "index.html", *pages]
