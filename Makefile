# Two commands do all the setup on a fresh machine with Python 3.11+ and make:
#   make run    the dashboard (on the embedded Scalekit emulator when no credentials are set)
#   make test   lint and every test
# For developers, often: make check (lint, types, and the tests that need no Chromium, PostgreSQL
# or processes of their own).
PYTHON ?= python3

# Bytecode caches on, whatever the shell says: make test starts a hundred Python processes, and
# without __pycache__ each compiles the dashboard, the emulator and pytest's rewritten test modules
# again. __pycache__/ is git-ignored.
unexport PYTHONDONTWRITEBYTECODE
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run dev test check bench-readme lint layers lock emulator relay worker bench clean reset-demo

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs come from the locks: every package pinned with its hashes, so pip installs exactly
# those versions or stops (--require-hashes). Stamps re-run pip only when a lock changed.
$(VENV)/.runtime: requirements.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.test: requirements.lock requirements-test.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-test.lock
	touch $@

# Refresh the locks after changing a range in requirements*.txt: pins that still fit are kept.
# `make lock LOCK_FLAGS=--upgrade` takes the newest releases within the ranges instead. Run it on
# Python 3.11 on Linux x86_64 (the platform the locks are for), then run make test.
LOCK_FLAGS ?=
PIP_COMPILE = $(VENV)/bin/pip-compile --quiet --allow-unsafe --strip-extras --generate-hashes \
	--no-emit-find-links --no-emit-index-url $(LOCK_FLAGS)
lock: | $(PY)
	$(PY) -m pip install --quiet "pip-tools>=7.4,<8"
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-test.lock requirements-test.txt

run: $(VENV)/.runtime
	$(PY) -m streamlit run server.py

# The demo afresh: make run keeps the emulator's data (data/emulator-state.json) and the history
# (data/issuance.db) across restarts; this deletes both (never a live history). Stop make run first.
reset-demo: $(VENV)/.runtime
	$(PY) -m dashboard.demo_reset

# For developers: the same, reloading pages when their source changes.
dev: $(VENV)/.runtime
	$(PY) -m streamlit run server.py --server.fileWatcherType auto --server.runOnSave true

lint: $(VENV)/.test
	$(PY) -m ruff check .
	$(PY) -m mypy

# Pages and widgets reach the history and Scalekit only through services (tests/test_layers.py).
layers: $(VENV)/.test
	$(PY) -m pytest -q tests/test_layers.py

# Three processes on two cores: the tests mostly wait on servers, browsers and databases. Whole
# files go to one process, so a module's fixtures (a dashboard server, seeded histories) start once.
PYTEST_PARALLEL ?= -n 3 --dist loadfile

test: lint
	$(PY) -m pytest $(PYTEST_PARALLEL)

# The developer's loop: lint, types, and the tests that need neither Chromium, PostgreSQL nor
# processes of their own (make test runs those too).
check: lint
	$(PY) -m pytest -q $(PYTEST_PARALLEL) -m "not browser and not postgres and not slow"

# The emulator on its own, for any team testing a Scalekit integration.
emulator: $(VENV)/.runtime
	$(PY) -m scalekit_emulator --env-file .env.emulator

# The public relay on its own (production): same settings as the dashboard, see the README.
relay: $(VENV)/.runtime
	$(PY) -m dashboard.relay

# The worker on its own (make run starts one beside the server; DASHBOARD_WORKER=off there when
# workers run apart): every background call to Scalekit, and the notifications.
worker: $(VENV)/.runtime
	$(PY) -m dashboard.worker

# The README's performance figures, printed again by the benches that produce them (slow: minutes).
bench-readme: $(VENV)/.test
	$(PY) -m bench.readme

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache build *.egg-info
