# Two set-up commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench install clean docs tools

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,browse,pdf-tables,ocr]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/targets extract corpus/ --out outputs/
	$(BIN)/targets compare outputs/

test: $(STAMP) tools
	$(BIN)/python -m pytest

# The chart-rendering test needs LibreOffice and poppler: installed where the machine allows
# (root and apt-get), skipped with a reason where it does not. NO_TOOLS=1 skips the attempt.
tools:
	@if [ -z "$(NO_TOOLS)" ] && ! command -v soffice >/dev/null && command -v apt-get >/dev/null \
	    && [ "$$(id -u)" = 0 ]; then \
	  echo "installing libreoffice-calc and poppler-utils for the chart test (NO_TOOLS=1 skips)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	    libreoffice-calc poppler-utils fonts-noto-cjk >/dev/null 2>&1 || echo "not installed: the chart test will skip"; \
	fi

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

docs: $(STAMP)
	$(BIN)/python -m targets.outputs.columns README.md

clean:
	rm -rf $(VENV) outputs/*.csv outputs/*.xlsx outputs/*.json outputs/*.sqlite outputs/provinces
