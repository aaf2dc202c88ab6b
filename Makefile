# The bundle's commands. `make lab` and `make test` are all a newcomer needs.
# (Without make: README.md, "Without make", gives the same set-up as plain commands.)
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python: PYTHON=... if given, else the newest supported interpreter on PATH that runs
# (a pyenv shim of a version that is not selected exists but fails, so each candidate
# is run, not just looked up). Supported: 3.11.2 up to 3.13.
PY_SUPPORTED := import sys; sys.exit(not (3, 11, 2) <= sys.version_info[:3] < (3, 14))
PY_CANDIDATES := python3.13 python3.12 python3.11 python3
ifndef PYTHON  # probed once, on first use
PYTHON = $(eval PYTHON := $(firstword $(foreach p,$(PY_CANDIDATES),$(shell $(p) -c '$(PY_SUPPORTED)' >/dev/null 2>&1 && echo $(p)))))$(PYTHON)
endif
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# Executed notebooks keep no widget state and no execution timestamps.
NBEXEC := --to notebook --execute --inplace --ExecutePreprocessor.timeout=120 \
	--ExecutePreprocessor.record_timing=False --ExecutePreprocessor.store_widget_state=False
PORT ?= 8888

.PHONY: help setup lab notebook test portability e2e data notebooks exercises check-exercises bench lint lock clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt constraints.txt pyproject.toml setup.py
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: no Python 3.11.2 to 3.13 found (tried $(PY_CANDIDATES)); install Python 3.13 from python.org or your package manager, or run make PYTHON=/path/to/python3.X"; exit 2; fi
	@v=$$($(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null) || { \
	  echo "error: $(PYTHON) does not run; name a Python 3.11.2 to 3.13 that does: make PYTHON=/path/to/python3.X"; exit 2; }; \
	$(PYTHON) -c '$(PY_SUPPORTED)' || { \
	  echo "error: $(PYTHON) is Python $$v, this bundle needs 3.11.2 to 3.13: install one, or run make PYTHON=/path/to/python3.X"; exit 2; }
	@if [ -f $(VENV)/pyvenv.cfg ] && ! $(PY) -c '$(PY_SUPPORTED)' 2>/dev/null; then \
	  echo "$(VENV) was made by a Python that is gone or unsupported: making it again"; rm -rf $(VENV); fi
	@test -x $(PY) || { echo "creating $(VENV) with $$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])')"; \
	  $(PYTHON) -m venv $(VENV) || { echo "error: $(PYTHON) -m venv failed; on Debian or Ubuntu install the venv module first (apt-get install python3-venv)"; exit 2; }; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP) ## create the venv and install the pinned requirements (done by lab and test)

lab: $(STAMP) ## start JupyterLab on the repository (notebooks/, exercises/; prints the URL)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then browser=""; else browser="--no-browser"; fi; \
	if [ "$$(id -u)" = 0 ]; then root="--allow-root"; else root=""; fi; \
	$(VENV)/bin/jupyter lab $$browser $$root --port=$(PORT) --notebook-dir=.

notebook: $(STAMP) ## the same in Jupyter Notebook 7 (the classic-style interface)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then browser=""; else browser="--no-browser"; fi; \
	if [ "$$(id -u)" = 0 ]; then root="--allow-root"; else root=""; fi; \
	$(VENV)/bin/jupyter notebook $$browser $$root --port=$(PORT) --notebook-dir=.

test: $(STAMP) ## unit tests, then nbval over every notebook
	$(PY) -m pytest -q tests
	@if [ -z "$(NOTEBOOKS)" ]; then echo "no notebooks in notebooks/ yet: nbval skipped"; \
	else $(PY) -m pytest -q $(NBVAL) $(NOTEBOOKS); fi

portability: ## the places a class runs the bundle: two Pythons, hub, pip install ., Binder, other BLAS kernels
	bash .ci/portability.sh

notebooks: $(STAMP) ## re-execute every notebook in place and store its outputs
	$(PY) scripts/notebook_header.py
	@for nb in $(NOTEBOOKS); do echo "executing $$nb"; \
	  $(VENV)/bin/jupyter nbconvert $(NBEXEC) "$$nb" || exit 1; done
	$(PY) scripts/notebook_header.py

exercises: $(STAMP) ## write the student notebooks exercises/NN_*.ipynb from notebooks/ (nbgrader)
	$(PY) -m pip install --quiet -r requirements-instructor.txt
	$(PY) scripts/make_exercises.py

check-exercises: $(STAMP) ## fail when a committed student notebook is not what make exercises writes
	$(PY) -m pip install --quiet -r requirements-instructor.txt
	$(PY) scripts/make_exercises.py --check

e2e: $(STAMP) ## real-browser test: JupyterLab in headless chromium runs every notebook and moves a slider
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-e2e.txt
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	$(PY) tests/e2e/run_e2e.py

data: $(STAMP) ## download MNIST and Fashion-MNIST into data/ (checksummed; needs a network)
	$(PY) scripts/fetch_data.py --root data

bench: $(STAMP) ## print helpers' size, training throughput, explorer latencies, memory and time per notebook
	$(PY) bench/run.py

lint: $(STAMP) ## ruff over helpers, answer_keys, tests, bench, scripts and notebooks
	$(VENV)/bin/ruff check helpers answer_keys tests bench scripts notebooks

lock: $(STAMP) ## re-resolve constraints.txt for Python 3.11.2-3.13 on Linux, macOS, Windows (uv)
	$(PY) -m pip install --quiet uv==0.13.9
	grep -v -e '^-' -e '^#' requirements.txt | $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11.2 \
	  --no-annotate --custom-compile-command "make lock" - -o constraints.txt

clean: ## remove the venv, caches and build output
	rm -rf $(VENV) build .pytest_cache .ruff_cache *.egg-info helpers.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
