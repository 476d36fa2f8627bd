"""Defer a known import cost of the notebook stack.

`import nbformat` imports jsonschema, whose format checkers import `rfc3987_syntax`, which
builds an Earley parser for IRIs at import: about 1.5 s of every process that reads a
notebook (the build, HTML rendering, pytest with nbval). Nothing here checks an IRI.
`defer_rfc3987()` puts a stand-in module in its place whose `is_valid_syntax` imports the
real module, parser and all, on its first call: the "iri" format check still works for
anyone who uses it, and costs nothing for those who do not.

Also a pytest plugin: `-p analysis.fastimport` installs the stand-in before nbval loads.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

NAME = "rfc3987_syntax"


def defer_rfc3987() -> bool:
    """Install the stand-in; False if the real module is loaded already or absent."""
    if NAME in sys.modules or importlib.util.find_spec(NAME) is None:
        return False
    stub = types.ModuleType(NAME)
    stub.__doc__ = "Stand-in that imports rfc3987_syntax on first use (analysis.fastimport)."

    def is_valid_syntax(term: str, value: str) -> bool:
        if sys.modules.get(NAME) is stub:
            del sys.modules[NAME]
        real = importlib.import_module(NAME)
        return bool(real.is_valid_syntax(term, value))

    stub.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    sys.modules[NAME] = stub
    return True


defer_rfc3987()
