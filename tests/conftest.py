"""Shared fixtures and helpers: scratch copies of the data folder that tests may corrupt,
and a tiny second battle built from scratch to show that new data needs no new code."""

import csv
import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
CLAIMS = "casualties.csv"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A writable copy of data/ in a temporary folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def line_of(claim_id: str, name: str = CLAIMS, data_dir: Path = DATA) -> int:
    """The file line (header is line 1) of a row by its first column."""
    rows = rows_of(data_dir / name)
    return 1 + next(i for i, r in enumerate(rows) if r[0] == claim_id)


def set_cell(data_dir: Path, line: int, column: str, value: str, name: str = CLAIMS) -> None:
    path = data_dir / name
    rows = rows_of(path)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def set_claim(data_dir: Path, claim_id: str, **values) -> None:
    for column, value in values.items():
        set_cell(data_dir, line_of(claim_id, data_dir=data_dir), column, str(value))


def add_claims(data_dir: Path, *claims: dict) -> None:
    """Append claims; unspecified columns are blank."""
    path = data_dir / CLAIMS
    rows = rows_of(path)
    rows += [[str(c.get(col, "")) for col in rows[0]] for c in claims]
    write_rows(path, rows)


def claim(claim_id, claimant, start, end, side, value, qualifier="exact", figure_type=None, **extra):
    """A ledger row with sensible defaults for tests."""
    return {
        "claim_id": claim_id,
        "source_id": extra.pop("source_id", "s1"),
        "claimant": claimant,
        "figure_type": figure_type or ("daily" if start == end else "cumulative"),
        "period_start": start,
        "period_end": end,
        "side": side,
        "measure": extra.pop("measure", "killed"),
        "value": value,
        "qualifier": qualifier,
        "place_as_named": "Town",
        "area": "battle area",
        "in_scope": "true",
        "scope_reason": "in the battle",
        "note": "test claim",
        **extra,
    }


def source_row(source_id, published="2020-03-04", language="en", wire="", publisher="Test Post"):
    """A source register row with sensible defaults for tests."""
    header = rows_of(DATA / "sources.csv")[0]
    values = {
        "source_id": source_id,
        "kind": "news article",
        "publisher": publisher,
        "wire_agency": wire,
        "url": f"https://example.org/{source_id}",
        "language": language,
        "published": published,
        "published_basis": "stated" if published else "unknown",
        "accessed": "2025-01-01",
    }
    return [values.get(column, "") for column in header]


def make_event(
    folder: Path,
    claims,
    *,
    sources=None,
    claimants=("Monitor", "Army"),
    relays=(),
    pooled=(),
    period=("2020-03-01", "2020-03-03"),
    sides=("army", "militia"),
    groups=None,
    subgroups=None,
    hierarchy=None,
    events=None,
    measures=None,
) -> Path:
    """A made-up event written as data files only: the battle, its claimants, sources and
    claims (`measures`: the reconciled measures, by default the flagship's)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "datapackage.json", folder / "datapackage.json")
    battle = json.loads((DATA / "battle.json").read_text())
    battle.update(
        battle_id="test-event",
        name="Test event",
        place="Test Ridge",
        period_start=period[0],
        period_end=period[1],
        sides=list(sides),
        side_groups=groups if groups is not None else {"all": list(sides)},
        claimant_hierarchy=list(hierarchy if hierarchy is not None else claimants),
        accepted_exceptions=[],
        other_actors=["unspecified"],
    )
    battle.pop("subgroups", None)
    if subgroups:
        battle["subgroups"] = subgroups
    if measures is not None:
        battle["reconciled_measures"] = list(measures)
    (folder / "battle.json").write_text(json.dumps(battle))
    write_rows(
        folder / "claimants.csv",
        [
            ["claimant", "claimant_type", "relays_others", "pooled", "description"],
            *[
                [c, "monitor", "true" if c in relays else "false", "true" if c in pooled else "false", f"{c} (test)"]
                for c in claimants
            ],
        ],
    )
    header = rows_of(DATA / "sources.csv")[0]
    sources = sources or [source_row("s1")]
    write_rows(folder / "sources.csv", [header, *sources])
    # the default event: on the last day, or the day its document appeared if that is earlier
    published = sources[0][header.index("published")]
    day = min(period[1], published) if published else period[1]
    write_rows(
        folder / "events.csv",
        [
            rows_of(DATA / "events.csv")[0],
            *(
                events
                if events is not None
                else [["E1", sources[0][0], "", claimants[0], "", "recapture", day, "Test event"]]
            ),
        ],
    )
    write_rows(folder / CLAIMS, [rows_of(DATA / CLAIMS)[0]])
    add_claims(folder, *claims)
    return folder


@pytest.fixture
def unsided_day(tmp_path) -> Path:
    """A made-up event whose first day's total (all 10) names one side of three (army 3):
    7 deaths the total requires fall on no side."""
    day = "2020-03-01"
    return make_event(
        tmp_path / "unsided",
        [claim("T", "Monitor", day, day, "all", 10), claim("A", "Monitor", day, day, "army", 3)],
        sides=("army", "militia", "civilians"),
    )


@pytest.fixture
def second_battle(tmp_path) -> Path:
    """A made-up three-day battle with two claimants, written as new data files only."""
    return make_event(
        tmp_path / "other-battle",
        [
            claim("M1", "Monitor", "2020-03-01", "2020-03-01", "army", 5),
            claim("M2", "Monitor", "2020-03-01", "2020-03-03", "all", 20),
            claim("M3", "Monitor", "2020-03-01", "2020-03-03", "militia", 8),
            claim("A1", "Army", "2020-03-01", "2020-03-01", "army", 1),
        ],
    )


# A one-cell stand-in for the notebooks: it reads the event's name and writes every
# figure file, so the build machinery runs in a second or two.
STUB = """import json
from analysis.paths import FIGURE_NAMES, data_dir, figures_dir
battle = json.loads((data_dir() / "battle.json").read_text(encoding="utf-8"))
print("event:", battle["name"])
for stem in FIGURE_NAMES:
    (figures_dir() / f"{stem}.svg").write_text("<svg/>")
    (figures_dir() / f"{stem}.png").write_bytes(b"png")
    (figures_dir() / f"{stem}.pdf").write_bytes(b"pdf")"""


def quiet(*_):
    pass


@pytest.fixture
def no_kernel(monkeypatch):
    """A staged build for the tests of what a build publishes, refuses and keeps: each
    notebook's code cells run in this process (the variables a kernel would get set
    meanwhile, printed text kept as the cell's output) instead of in a kernel of its own,
    which costs most of a stand-in build. Running in a real kernel is proved by the
    shared `build --out` of test_safety.py, test_build.py's broken and in-place builds,
    test_edge_event.py and nbval."""
    import contextlib
    import threading

    import analysis.build

    one_at_a_time = threading.Lock()  # the build runs notebooks in threads; these share the process

    def in_process(path: Path, env: dict[str, str], cwd: Path | None = None):
        nb = nbformat.read(path, as_version=4)
        namespace: dict = {}
        with one_at_a_time, monkeypatch.context() as patch:
            patch.chdir(cwd or path.parent)
            for name, value in env.items():
                patch.setenv(name, value)
            code = [(i, c) for i, c in enumerate(nb.cells, start=1) if c.cell_type == "code"]
            for count, (index, cell) in enumerate(code, start=1):
                printed = io.StringIO()
                try:
                    with contextlib.redirect_stdout(printed):
                        exec(compile(cell.source, f"{path.name}, cell {index}", "exec"), namespace)
                except Exception as err:
                    raise analysis.build.BuildError(f"{path.name}, cell {index}: {type(err).__name__}: {err}") from None
                cell.execution_count = count
                text = printed.getvalue()
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
        analysis.build.clean_metadata(nb)
        return nb

    monkeypatch.setattr(analysis.build, "execute", in_process)


def notebook(*sources, name="00-stub.ipynb", folder):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Stand-in notebook")] + [nbformat.v4.new_code_cell(s) for s in sources]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name
