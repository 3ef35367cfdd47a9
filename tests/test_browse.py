"""`targets browse OUT` serves the corpus run with Datasette, tested over HTTP on a free
loopback port: the table, a filtered page, a full-text search, the metadata and a canned
query; with Chromium present, a screenshot of the table page that is not blank."""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from targets.cli import app

pytest.importorskip("datasette", reason="the browse extra is not installed: pip install '.[browse]'")

CHROMIUM = "/usr/bin/chromium"
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 10) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200, url
        return response.read()


@pytest.fixture(scope="module")
def server(corpus_out):
    """`targets browse` as a real process on a free port, stopped at the end."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "targets", "browse", str(corpus_out), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # bounded: the server answers within seconds, or the test fails
            try:
                _get(f"{base}/-/versions.json", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {proc.stdout.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _json(base: str, path: str, **params) -> dict:
    query = urllib.parse.urlencode({**params, "_shape": "objects"})
    return json.loads(_get(f"{base}{path}.json?{query}"))


def _csv_targets(out: Path) -> list[dict[str, str]]:
    with (out / "targets.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_table_page_lists_every_target(server, corpus_out):
    rows = _csv_targets(corpus_out)
    page = _json(server, "/targets/targets")
    assert page["filtered_table_rows_count"] == len(rows)
    assert [r["sentence"] for r in page["rows"]] == [r["sentence"] for r in rows[:len(page["rows"])]]
    html = _get(f"{server}/targets/targets").decode()
    assert "<h1" in html and "Targets" in html and 'name="_search"' in html
    assert "The deadline year, else empty." in html    # the dictionary's column descriptions


def test_a_filtered_page_holds_one_province(server, corpus_out):
    henan = [r for r in _csv_targets(corpus_out) if r["province"] == "河南省"]
    page = _json(server, "/targets/targets", province="河南省", _size="max")
    assert page["filtered_table_rows_count"] == len(henan) > 10
    assert {r["province"] for r in page["rows"]} == {"河南省"}
    assert [r["char_start"] for r in page["rows"]] == [int(r["char_start"]) for r in henan]


def test_a_full_text_search_finds_a_chinese_word_inside_sentences(server, corpus_out):
    expected = [r for r in _csv_targets(corpus_out) if "风电" in r["sentence"] or "风电" in r["indicator"]]
    page = _json(server, "/targets/targets", _search="风电", _size="max")
    assert page["filtered_table_rows_count"] == len(expected) > 20
    assert all("风电" in r["sentence"] + r["indicator"] for r in page["rows"])
    assert [(r["doc_id"], r["char_start"]) for r in page["rows"]] == [
        (r["doc_id"], int(r["char_start"])) for r in expected]


def test_metadata_and_a_canned_query_per_headline_indicator(server):
    metadata = json.loads(_get(f"{server}/-/metadata.json"))
    database = metadata["databases"]["targets"]
    columns = database["tables"]["targets"]["columns"]
    assert columns["target_year"] == "The deadline year, else empty."
    assert len(database["queries"]) == 12
    name, query = next(iter(database["queries"].items()))
    assert name in query["title"]
    rows = _json(server, f"/targets/{name}", _size="max")["rows"]
    assert rows and {r["doc_id"] for r in rows}
    assert len(rows) == _json(server, "/targets/targets", indicator_id=name)["filtered_table_rows_count"]


def _png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the raw (filtered) scanlines of a PNG, with the standard library."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, width, height = 8, b"", 0, 0
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (Debian: apt-get install chromium)")
def test_a_screenshot_of_the_table_page_is_not_blank(server, tmp_path):
    shot = tmp_path / "targets.png"
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--window-size=1400,2400", f"--screenshot={shot}",
                           f"{server}/targets/targets?province=%E6%B2%B3%E5%8D%97%E7%9C%81"],
                          capture_output=True, timeout=120)
    assert shot.is_file(), proc.stderr.decode()[-2000:]
    width, height, pixels = _png_pixels(shot)
    assert (width, height) == (1400, 2400)
    # A blank page compresses to almost nothing and holds one or two values; text and a table
    # hold many. Kept for the eye beside the test's other outputs.
    assert shot.stat().st_size > 50_000 and len(set(pixels)) > 100
    keep = os.environ.get("TARGETS_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)


def test_browsing_a_folder_without_a_database_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(app, ["browse", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {tmp_path}: no targets.sqlite here; run `targets extract … --out {tmp_path}` first"]
