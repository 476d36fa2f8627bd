# Two commands on a fresh machine with Python 3.11+ and pip: `make build`, then `make test`.
# The first run creates .venv and installs the project into it.
# `make test` never writes into notebooks/, figures/ or derived/: nbval runs each notebook
# with ANALYSIS_FIGURES pointing at a scratch folder of its own (conftest.py), and the build
# tests build into temporary folders.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SANITIZE := tests/nbval-sanitize.cfg

.PHONY: help install validate reconcile build test html bench lab clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

# constraints.txt pins every package to the versions the committed figures and notebooks
# were built with, so that a fresh clone rebuilds them byte for byte.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(STAMP)  ## create .venv and install the project with its test tools

validate: $(STAMP)  ## check data/ against its schema and rules
	$(BIN)/python -m analysis validate data

reconcile: $(STAMP)  ## print the battle totals and write the derived and citable tables
	$(BIN)/python -m analysis reconcile

# every events/NAME/ whose data/ holds a battle.json, built into events/NAME/output
EVENT_DIRS := $(patsubst %/data/battle.json,%,$(sort $(wildcard events/*/data/battle.json)))

build: $(STAMP)  ## validate, execute the notebooks, write figures/ and derived/; then every events/NAME/
	$(BIN)/python -m analysis build
	for event in $(EVENT_DIRS); do \
		$(BIN)/python -m analysis build --data-dir $$event/data --out $$event/output || exit 1; \
	done

NBVAL := --nbval --nbval-sanitize-with $(SANITIZE) --nbval-cell-timeout=300 -p no:cacheprovider

# One pytest run on two workers, a whole file (or notebook) at a time each, longest first
# (conftest.py): the library tests and nbval over the notebooks of every event; conftest.py
# gives each event's notebooks their data folder and compares the figures they save with the
# committed ones. Python's bytecode cache stays on even where the environment turns it off
# (PYTHONDONTWRITEBYTECODE): the run starts dozens of Python processes, kernels included,
# and each would compile the package anew (the caches are ignored by git, removed by clean).
test: $(STAMP)  ## lint, types, the library tests and nbval over every notebook of every event
	$(BIN)/ruff check src tests tools benchmarks conftest.py
	$(BIN)/ruff format --check src tests tools benchmarks conftest.py
	$(BIN)/mypy
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(wildcard events/*/output/notebooks) notebooks tests \
		-n 2 --dist loadfile --no-loadscope-reorder $(NBVAL)

html: $(STAMP)  ## render the site of every event (story, notebooks, figures, tables, data) in build/html/
	$(BIN)/python -m analysis html

# Needs Debian's browser: apt-get install -y chromium chromium-driver. Selenium is installed on first use.
.PHONY: site-check
site-check: $(STAMP)  ## open every page of build/html in headless Chromium; screenshots to build/html/screenshots/
	@$(BIN)/python -c 'import selenium' 2>/dev/null || $(BIN)/python -m pip install --quiet selenium
	$(BIN)/python tools/check_site.py build/html

bench: $(STAMP)  ## measure battles, long ledgers, the solver floor, validate, the build and make test
	$(BIN)/python benchmarks/bench.py --full

lab: $(STAMP)  ## open the notebooks in JupyterLab (as root it needs --allow-root)
	$(BIN)/jupyter lab notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

clean:  ## remove .venv, caches and rendered HTML (never data/, figures/ or derived/)
	rm -rf $(VENV) build .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
