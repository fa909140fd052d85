# Two commands do all the setup on a fresh machine with Python 3.11+ and make:
#   make run    the dashboard (on the embedded Scalekit emulator when no credentials are set)
#   make test   lint and every test
# For developers, often: make check (lint, types, and the tests that need no Chromium or PostgreSQL).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run dev test check bench-readme lint emulator relay worker bench clean reset-demo

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps re-run pip only when a requirements file changed.
$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-test.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

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

test: lint
	$(PY) -m pytest

check: lint
	$(PY) -m pytest -q -m "not browser and not postgres"

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
