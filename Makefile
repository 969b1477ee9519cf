# cawarn — the commands a person needs. Everything installs into ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOME_DIR ?= cawarn-demo
# Boundaries for the demo: a local geoBoundaries-style folder (the one beside the repository when
# it is there), else downloaded from geoBoundaries.
CAWARN_GEO_SOURCE ?= $(wildcard ../shared/data/boundaries)

.PHONY: install static messages chromium r-surveillance demo test test-fast lint format bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) static

# The UI's browser libraries (Leaflet, Chart.js): installed from npm at the versions of
# package-lock.json and copied into the package's static folder, which git ignores. A node
# serves them itself; no page loads anything from a CDN.
VENDOR := src/cawarn/web/ui/static/vendor
$(VENDOR)/.built: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/chart.js
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	  node_modules/leaflet/dist/images node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	cp node_modules/chart.js/dist/chart.umd.js node_modules/chart.js/LICENSE.md $(VENDOR)/chart.js/
	touch $@

static: $(VENDOR)/.built

# Refresh the UI's catalog from the templates and code, and merge it into the en/ru catalogs
# (then translate what is new in ru/LC_MESSAGES/messages.po; a test fails while any is missing).
UI := src/cawarn/web/ui
messages: $(STAMP)
	$(BIN)/pybabel extract -F $(UI)/babel.cfg -k N_ --no-location --sort-output \
	  --project cawarn --copyright-holder "cawarn contributors" -o $(UI)/locale/messages.pot $(UI)
	$(BIN)/pybabel update -i $(UI)/locale/messages.pot -d $(UI)/locale --no-fuzzy-matching \
	  --ignore-obsolete --width 100

# Debian's Chromium for the browser tests (Playwright drives it); installed when missing.
chromium:
	@test -x /usr/bin/chromium || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) || \
	  echo "warning: could not install chromium; the browser tests will fail"

demo: $(STAMP) static
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

test: lint static chromium r-surveillance
	$(BIN)/pytest -n 2 -q

test-fast: $(STAMP) static
	$(BIN)/pytest -n 2 -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/scenario.py
	$(BIN)/python benchmarks/alerts.py

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .mypy_cache .ruff_cache .bench node_modules $(VENDOR) .screenshots
