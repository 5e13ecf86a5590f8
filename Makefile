# make run   — create .venv if missing, install lemma, run the default study (Adult) and say
#              where the report is
# make test  — create .venv if missing, install lemma with its test dependencies, run the suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "lemma needs Python 3.11+")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's metadata changes: the core for `run`, everything for `test`.
$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.core

run: $(VENV)/.core
	$(BIN)/lemma study

test: $(VENV)/.dev
	$(BIN)/python -m pytest -n 2 -q --durations=15

lint: $(VENV)/.dev
	$(BIN)/ruff check .

bench: $(VENV)/.dev
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) .pytest_cache
