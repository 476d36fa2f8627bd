"""Where a path stands to a place (`outputs._relation`) and the two refusals told by it:
a protected place (`check_protected`) and another event's project output folder
(`check_event`), each with its words and its precedence."""

import json
import re

import pytest

from analysis import outputs


def test_a_path_is_inside_holds_or_stands_apart_from_a_place(tmp_path):
    place = tmp_path / "a" / "b"
    assert outputs._relation(place, place) == "is"
    assert outputs._relation(place / "c" / "d", place) == "inside"
    assert outputs._relation(tmp_path, place) == "holds"
    assert outputs._relation(tmp_path / "a" / "bb", place) is None
    assert outputs._relation(tmp_path / "x", place) is None


def refusal(path, protect):
    with pytest.raises(outputs.UnsafeOutput) as err:
        outputs.check_protected(path, protect)
    return str(err.value)


def test_a_protected_place_is_told_before_one_inside_before_one_held(tmp_path):
    """Whatever the order of the places: being one first (the repository root holds the
    data folder but is "the repository root"), then being inside one, then holding one."""
    tmp_path = tmp_path.resolve()  # the words name places resolved
    root, data, inner = tmp_path, tmp_path / "p" / "data", tmp_path / "p" / "data" / "q"
    protect = [(inner, "the inner folder", True), (data, "the data folder", True), (root, "the root", False)]
    assert refusal(root, protect).endswith(": it is the root")
    assert refusal(data, protect).endswith(": it is the data folder")
    assert refusal(tmp_path / "p", protect).endswith(f": it holds the inner folder ({inner})")
    protect = [(inner, "the inner folder", True), (tmp_path / "p", "the parent", True)]
    assert refusal(data, protect).endswith(f": it is inside the parent ({tmp_path / 'p'})")


def test_inside_a_place_whose_inside_is_allowed_is_not_refused(tmp_path):
    tmp_path = tmp_path.resolve()
    protect = [(tmp_path / "data", "the data folder", True), (tmp_path, "the repository root", False)]
    outputs.check_protected(tmp_path / "out" / "figures", protect)
    assert refusal(tmp_path / "data" / "x", protect).endswith(f": it is inside the data folder ({tmp_path / 'data'})")


def data_folder(folder, battle_id):
    folder.mkdir(parents=True)
    (folder / "battle.json").write_text(json.dumps({"battle_id": battle_id}))
    return folder


def test_another_events_output_folder_is_refused_as_it_stands_to_the_path(tmp_path, monkeypatch):
    """The folder itself, a folder inside it and one holding it, each in its own words;
    a folder apart from it, or a run of its own event, passes."""
    tmp_path = tmp_path.resolve()
    theirs, mine = data_folder(tmp_path / "theirs", "event-a"), data_folder(tmp_path / "mine", "event-b")
    place = tmp_path / "project" / "derived"
    monkeypatch.setattr(outputs, "project_outputs", lambda: [(place, theirs)])
    tail = "the project's output folder of event 'event-a', and this run writes event 'event-b'; choose another --out"
    for path, where in (
        (place, "it is"),
        (place / "tables", f"it is inside {place},"),
        (place.parent, f"it holds {place},"),
    ):
        with pytest.raises(outputs.UnsafeOutput, match=re.escape(f"{path}: {where} {tail}") + "$"):
            outputs.check_event(path, mine)
    outputs.check_event(tmp_path / "project" / "figures", mine)
    outputs.check_event(place, theirs)
