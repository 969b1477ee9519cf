# cawarn — the commands a person needs. Everything installs into ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOME_DIR ?= cawarn-home
# Boundaries for the demo: a local geoBoundaries-style folder, else downloaded from geoBoundaries.
CAWARN_GEO_SOURCE ?= $(wildcard ../shared/data/boundaries)
DEMO_DATA ?= $(wildcard ../shared/data/ucdp-ged-sample/ged231_sample_1000.csv)

.PHONY: install demo test test-fast lint format bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/cawarn --home $(HOME_DIR) init
ifneq ($(CAWARN_GEO_SOURCE),)
	$(BIN)/cawarn --home $(HOME_DIR) geo import $(CAWARN_GEO_SOURCE)
else
	$(BIN)/cawarn --home $(HOME_DIR) geo fetch
endif
ifneq ($(DEMO_DATA),)
	$(BIN)/cawarn --home $(HOME_DIR) ingest ucdp-ged $(DEMO_DATA)
else
	$(BIN)/cawarn --home $(HOME_DIR) ingest ucdp-ged --version 25.1
endif
	$(BIN)/cawarn --home $(HOME_DIR) status

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: lint
	$(BIN)/pytest -n 2 -q

test-fast: $(STAMP)
	$(BIN)/pytest -n 2 -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .mypy_cache .ruff_cache .bench
