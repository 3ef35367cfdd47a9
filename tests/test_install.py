"""A built wheel carries the rules and the column dictionary, and the `targets` it installs
(not editable, away from the source tree) runs `--version`, `rules check` and an extract."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from targets import __version__
from targets.core.rulefiles import package_rules, rules_digest

from .conftest import ROOT

PLAN = "到2025年，风电装机容量达到2700万千瓦以上。\n"


def _sources(dest: Path) -> Path:
    """The files a wheel is built from, copied: a build in the work tree would leave build/ in it."""
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, dest / name)
    shutil.copytree(ROOT / "src", dest / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    tree = _sources(tmp_path_factory.mktemp("tree"))
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(dist),
                           str(tree)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    [built] = dist.glob("targets-*.whl")
    return built, proc.stdout + proc.stderr


def test_the_wheel_holds_the_rules_the_dictionary_and_the_licence(wheel):
    built, _ = wheel
    assert built.name.startswith(f"targets-{__version__}-py3-none-any")
    names = set(zipfile.ZipFile(built).namelist())
    rules = {p.name for pattern in ("*.toml", "*.tsv") for p in package_rules().glob(pattern)}
    assert len(rules) >= 10 and "divisions.tsv" in rules
    assert {f"targets/rules/{n}" for n in rules} <= names
    assert "targets/outputs/columns.toml" in names
    metadata = zipfile.ZipFile(built).read(f"targets-{__version__}.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata
    assert f"targets-{__version__}.dist-info/licenses/LICENSE" in names
    assert "Provides-Extra: browse" in metadata


def test_the_project_metadata_builds_without_a_warning(wheel):
    # setuptools warns as `BuildBackendWarning: \`project.license\` as a TOML table is
    # deprecated` (or SetuptoolsDeprecationWarning, by version); pip's own notes are WARNING:.
    _, log = wheel
    warnings = [line.strip() for line in log.splitlines() if re.search(r"[a-z]Warning\b", line)]
    assert not warnings, warnings


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    built, _ = wheel
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(target), str(built)], check=True, timeout=300)
    return target


def _run(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    # The installed copy comes first on the path; the source tree is nowhere near cwd.
    env = {**os.environ, "PYTHONPATH": str(installed)}
    return subprocess.run([sys.executable, "-m", "targets", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_installed_targets_runs_away_from_the_source_tree(installed, tmp_path):
    where = _run(installed, tmp_path, "--version")
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip() == f"targets {__version__}, rules sha256:{rules_digest()}"
    probe = subprocess.run([sys.executable, "-c", "import targets; print(targets.__file__)"],
                           cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(installed)},
                           capture_output=True, text=True, timeout=60)
    assert Path(probe.stdout.strip()).is_relative_to(installed)

    check = _run(installed, tmp_path, "rules", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert str(installed) in check.stdout and "rule files valid" in check.stdout

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text(PLAN, encoding="utf-8")
    run = _run(installed, tmp_path, "extract", "in", "--out", "out", "-q")
    assert run.returncode == 0, run.stderr
    rows = (tmp_path / "out" / "targets.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and "风电装机容量" in rows[1] and ",2700," in rows[1]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == ["targets", "extract", "in", "--out", "out", "-q"]
    assert manifest["rules"] == {"directory": str(installed / "targets" / "rules"), "sha256": rules_digest()}


def test_licence_and_citation_name_this_version():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "cff-version: 1.2.0" in citation and "license: MIT" in citation
    assert f'version: "{__version__}"' in citation
