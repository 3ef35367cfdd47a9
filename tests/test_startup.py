"""`targets --help` answers at once: it must not import the heavy libraries (no timing here:
timings live in benchmarks/bench.py)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

# datasette and frictionless only for browse and the tests; sqlite3 only when writing
HEAVY = ("pandas", "openpyxl", "numpy", "datasette", "frictionless", "sqlite3")

PROBE = """
import json, sys
from targets.cli import app
sys.argv = ["targets", *json.loads(sys.argv[1])]
try:
    app()
except SystemExit:
    pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def _modules(args: list[str]) -> tuple[set[str], str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)],
                          capture_output=True, text=True, timeout=60)
    return set(json.loads(proc.stderr.strip().splitlines()[-1])), proc.stdout + proc.stderr


@pytest.mark.parametrize("args", [["--help"], ["extract", "--help"], ["browse", "--help"], []],
                         ids=" ".join)
def test_help_does_not_import_heavy_libraries(args):
    modules, output = _modules(args)
    assert "typer" in modules and "Usage" in output
    assert not modules & set(HEAVY), f"--help imported {sorted(modules & set(HEAVY))}"


def test_version_reads_only_the_rule_files():
    modules, output = _modules(["--version"])
    assert output.startswith("targets ") and "rules sha256:" in output
    assert not modules & {*HEAVY, "regex"}  # regex: the rule loader was not needed
