"""Casualty claims of one event: ledger, validation, reconciliation, tables and figures.

Data flow, one way (no module imports one later in it; `tests/test_project.py` holds the
list): paths, package, words (counted nouns) -> outputs -> fastimport -> read (raw text tables) -> battle
(battle.json) -> validate (schema and cross-row rules) -> load (typed frames: loading is
validation first, so a typed frame is always a vetted one) -> synthetic -> evidence
(reports, copies, revisions) -> derive (tidy daily and cumulative tables) -> model -> rules
-> reconcile -> checks -> summaries -> story -> publish (citable tables) -> plots (one
function per figure) -> build (notebooks, outputs) -> html -> scaffold -> cli.
"""

__version__ = "2.10.1"
