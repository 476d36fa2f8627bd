"""Static HTML of every notebook, with an index page, for readers without Jupyter.

Renders notebooks as they stand (with their outputs): the project's notebooks/ into
build/html/, or, for an output folder made by `build --out OUT`, OUT/notebooks into
OUT/html. Run the build first to refresh them. The HTML folder is replaced whole, and
only if it is the tool's own (see `analysis.outputs`)."""

from __future__ import annotations

import html
from pathlib import Path

from analysis import outputs
from analysis.build import notebook_files  # also defers the rfc3987 parser (fastimport)


def render(notebooks: Path, out: Path, *, protect=(), owned_root: bool = False, log=None) -> list[Path]:
    """Write out/NN-name.html for every notebook and out/index.html; return their paths.
    `owned_root`: out's parent is an output folder of the tool (`html --out`)."""
    import nbformat
    from nbconvert import HTMLExporter

    files = notebook_files(notebooks)
    if not files:
        raise outputs.OutputError(f"no notebooks (NN-name.ipynb) in {notebooks}: build them first")
    exporter = HTMLExporter()
    pages = []
    with outputs.output_dir(out, protect=protect, owned_root=owned_root, log=log) as stage:
        items = []
        for path in files:
            nb = nbformat.read(path, as_version=4)
            body, _ = exporter.from_notebook_node(nb)
            name = path.with_suffix(".html").name
            outputs.write_text(stage / name, body)
            first = nb.cells[0].source.splitlines()[0].lstrip("# ").strip() if nb.cells else path.stem
            items.append(f'<li><a href="{html.escape(name)}">{html.escape(path.stem)}</a>: {html.escape(first)}</li>')
            pages.append(Path(out) / name)
        index = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Notebooks</title></head>\n<body>\n'
            "<h1>Casualty claims: notebooks</h1>\n<ol>\n" + "\n".join(items) + "\n</ol>\n</body></html>\n"
        )
        outputs.write_text(stage / "index.html", index)
    return [Path(out) / "index.html", *pages]
