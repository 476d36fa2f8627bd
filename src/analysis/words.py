"""Counted nouns and lists in English, for every sentence, caption and message the tool
writes: "1 claim", "2 claims", "a, b and c"; the nearest of some words to a mistyped
one, for messages that say "did you mean ...?"; and a heading no data value takes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def count(n: int, one: str, many: str | None = None) -> str:
    """`n` and the noun, singular for exactly one ("1 report", "0 reports", "2 reports";
    `many` where the plural is not `one` + s)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def and_list(items: list[str], conjunction: str = "and") -> str:
    """The non-empty items as an English list: "a", "a and b", "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely stands for: the one it equals but for case ("PT" for
    "pt", "TRUE" for "true"), else the one clearly closest in spelling, case aside ("kiled"
    for "killed"); None where none is close, where two are equally close ("eng": "en" or
    "ng"?) or where the word is too short to tell (one or two letters)."""
    choices = [str(c) for c in choices]
    folded = word.casefold()
    same = [c for c in choices if c.casefold() == folded]
    if same:
        return same[0]
    if len(word) < 3:
        return None
    scores = sorted(((difflib.SequenceMatcher(None, folded, c.casefold()).ratio(), c) for c in choices), reverse=True)
    if not scores or scores[0][0] < 0.6 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return scores[0][1]


def unused(name: str, taken: Iterable[str]) -> str:
    """`name`, or where a value of the data already is that name (a side called "total" or
    "date"), the name in brackets, "(total)", as often as it takes to be free: a table's own
    row or column heading never clashes with one the data brings."""
    taken = {str(t) for t in taken}
    while name in taken:
        name = f"({name})"
    return name
