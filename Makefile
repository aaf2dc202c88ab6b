# The bundle's commands. `make lab` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
PORT ?= 8888
# Notebooks draw with the inline backend, whatever MPLBACKEND the shell exports (Agg in CI
# would print "cannot be shown" warnings to stderr, which nbval compares).
NB_ENV := MPLBACKEND=module://matplotlib_inline.backend_inline

.PHONY: help setup lab test e2e data notebooks bench lint clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 (or run make PYTHON=/path/to/python3.11)"; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install the pinned requirements (done by lab and test)

lab: $(STAMP) ## start JupyterLab on notebooks/ (prints the URL; no browser without a display)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then browser=""; else browser="--no-browser"; fi; \
	if [ "$$(id -u)" = 0 ]; then root="--allow-root"; else root=""; fi; \
	$(VENV)/bin/jupyter lab $$browser $$root --port=$(PORT) --notebook-dir=notebooks

test: $(STAMP) ## unit tests, then nbval over every notebook
	$(PY) -m pytest -q tests
	@if [ -z "$(NOTEBOOKS)" ]; then echo "no notebooks in notebooks/ yet: nbval skipped"; \
	else $(NB_ENV) $(PY) -m pytest -q $(NBVAL) $(NOTEBOOKS); fi

notebooks: $(STAMP) ## re-execute every notebook in place and store its outputs
	@for nb in $(NOTEBOOKS); do echo "executing $$nb"; \
	  $(NB_ENV) $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=120 "$$nb" || exit 1; done

e2e: $(STAMP) ## real-browser test: JupyterLab in headless chromium runs every notebook and moves a slider
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-e2e.txt
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	$(PY) tests/e2e/run_e2e.py

data: $(STAMP) ## download MNIST and Fashion-MNIST into data/ (checksummed; needs a network)
	$(PY) scripts/fetch_data.py --root data

bench: $(STAMP) ## print training throughput, matmul rate, explorer latencies
	$(PY) bench/run.py

lint: $(STAMP) ## ruff over helpers, tests, bench, scripts and notebooks
	$(VENV)/bin/ruff check helpers tests bench scripts notebooks

clean: ## remove the venv, caches and build output
	rm -rf $(VENV) build .pytest_cache .ruff_cache *.egg-info helpers.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
