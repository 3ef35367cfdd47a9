# Two set-up commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench install clean docs

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,browse]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/targets extract corpus/ --out outputs/
	$(BIN)/targets compare outputs/

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

docs: $(STAMP)
	$(BIN)/python -m targets.outputs.columns README.md

clean:
	rm -rf $(VENV) outputs/*.csv outputs/*.xlsx outputs/*.json outputs/*.sqlite outputs/provinces
