# Two commands do all the setup on a fresh machine with Python 3.11+ and make:
#   make run    the dashboard (on the embedded Scalekit emulator when no credentials are set)
#   make test   lint and every test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run dev test lint layers emulator relay worker bench clean

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

# For developers: the same, reloading pages when their source changes.
dev: $(VENV)/.runtime
	$(PY) -m streamlit run server.py --server.fileWatcherType auto --server.runOnSave true

lint: $(VENV)/.test
	$(PY) -m ruff check .
	$(PY) -m mypy

# Pages and widgets reach the history and Scalekit only through services (tests/test_layers.py).
layers: $(VENV)/.test
	$(PY) -m pytest -q tests/test_layers.py

test: lint
	$(PY) -m pytest

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

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache build *.egg-info
