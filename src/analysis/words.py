"""Counted nouns and lists in English, for every sentence, caption and message the tool
writes: "1 claim", "2 claims", "a, b and c"; and the nearest of some words to a mistyped
one, for messages that say "did you mean ...?"."""

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
    "pt", "TRUE" for "true"), else the closest spelling ("kiled" for "killed"); None if
    none is close."""
    choices = [str(c) for c in choices]
    folded = [c for c in choices if c.casefold() == word.casefold()]
    if folded:
        return folded[0]
    close = difflib.get_close_matches(word, choices, n=1)
    return close[0] if close else None
