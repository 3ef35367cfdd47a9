"""`targets --help` answers at once: it must not import the heavy libraries (no timing here:
timings live in benchmarks/bench.py)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "openpyxl", "numpy")

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


@pytest.mark.parametrize("args", [["--help"], ["extract", "--help"], []], ids=" ".join)
def test_help_does_not_import_heavy_libraries(args):
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)],
                          capture_output=True, text=True, timeout=60)
    modules = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    assert "typer" in modules and "Usage" in proc.stdout + proc.stderr
    assert not modules & set(HEAVY), f"--help imported {sorted(modules & set(HEAVY))}"
