# cawarn — the commands a person needs. Everything installs into ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOME_DIR ?= cawarn-demo
# Boundaries for the demo: a local geoBoundaries-style folder (the one beside the repository when
# it is there), else downloaded from geoBoundaries.
CAWARN_GEO_SOURCE ?= $(wildcard ../shared/data/boundaries)

.PHONY: install r-surveillance demo test test-fast lint format bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	CAWARN_GEO_SOURCE=$(CAWARN_GEO_SOURCE) $(BIN)/cawarn --home $(HOME_DIR) demo --reset

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# R's surveillance package (Farrington, EARS): the yardstick of the alert detectors' tests and
# benchmark. Installed from Debian when missing (needs root); without it those tests are skipped.
r-surveillance:
	@Rscript -e 'quit(status = !requireNamespace("surveillance", quietly = TRUE))' 2>/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q r-cran-surveillance) || \
	  echo "warning: could not install r-cran-surveillance; the comparison with R is skipped"

test: lint r-surveillance
	$(BIN)/pytest -n 2 -q

test-fast: $(STAMP)
	$(BIN)/pytest -n 2 -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/scenario.py
	$(BIN)/python benchmarks/alerts.py

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .mypy_cache .ruff_cache .bench
