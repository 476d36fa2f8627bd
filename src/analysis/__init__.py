"""Casualty claims of one event: ledger, validation, reconciliation, tables and figures.

Data flow, one way: read (raw text tables) -> validate (schema and cross-row rules)
-> load (typed frames) -> derive (tidy daily and cumulative tables) -> checks and
reconcile (model, rules) -> publish (citable tables) and plots (one function per
figure) -> build (notebooks, outputs) -> cli. No module imports one later in the flow.
"""

__version__ = "2.3.0"
