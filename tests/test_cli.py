"""The CLI: every command explains itself; errors are one clean line."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from targets.cli import app

runner = CliRunner()


def _commands(group, prefix=()):
    for info in group.registered_commands:
        yield prefix + ((info.name or info.callback.__name__.replace("_", "-")),)
    for sub in group.registered_groups:
        yield from _commands(sub.typer_instance, prefix + (sub.name,))


@pytest.mark.parametrize("command", list(_commands(app)), ids=" ".join)
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and len(result.output.splitlines()) > 5


def test_extract_writes_outputs(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "plan.txt").write_text("到2025年，风电装机容量达到2700万千瓦以上。", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(src), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out" / "targets.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and ",2700,," in lines[1]
    assert (tmp_path / "out" / "targets.xlsx").stat().st_size > 0


def test_missing_input_is_a_clean_error(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "not found" in result.output
