"""Print the README's computed sections: the rules table and each event's findings.
Run after a change to the data or the rules, and paste the output into README.md; the
tests check that the README says exactly this."""

from analysis.checks import run_checks
from analysis.load import load_dataset
from analysis.paths import events
from analysis.reconcile import reconcile_all
from analysis.rules import DEFAULT_RULE, RULES
from analysis.story import findings


def main() -> None:
    print("(the rules table of the README)")
    for r in RULES.values():
        print(f"| `{r.name}`{' (default)' if r.name == DEFAULT_RULE else ''} | {r.definition} |")
    for folder, _ in events():
        ds = load_dataset(folder)
        results = reconcile_all(ds)
        print(f"### {ds.battle.name}")  # as the README heads each event's findings
        for sentence in findings(ds, results, run_checks(ds, results[DEFAULT_RULE])):
            print(f"- {sentence}")


if __name__ == "__main__":
    main()
