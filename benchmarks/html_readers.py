"""The saved-page reader against trafilatura, on portal-like pages made from the gold texts.

Each gold text is wrapped in a portal page (tests/portal.py: navigation, breadcrumbs, related-
article lists with targets of their own, ...); both readers' text goes through the same
extraction, and the targets are compared with the .txt's (value, unit, target year).
usage: python benchmarks/html_readers.py   (needs `pip install trafilatura`; not a dependency)
"""
from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.portal import portal_page  # noqa: E402

from targets.core.load import load_file  # noqa: E402
from targets.core.pipeline import extract_file, extract_text  # noqa: E402

SETS = [ROOT.parent / "shared" / "gold", ROOT.parent / "shared" / "gold-plans"]


def _ours(path: Path) -> str:
    return load_file(path).text


def _trafilatura(path: Path) -> str:
    import trafilatura

    return trafilatura.extract(path.read_bytes(), include_tables=True) or ""


def _keys(targets) -> Counter:
    return Counter((t.value, t.unit, t.target_year) for t in targets)


def main() -> None:
    texts = [t for s in SETS for t in sorted((s / "texts").glob("*.txt"))]
    totals = {"ours": Counter(), "trafilatura": Counter()}
    with tempfile.TemporaryDirectory() as tmp:
        for k, text_path in enumerate(texts):
            text = text_path.read_text(encoding="utf-8")
            page = Path(tmp) / f"{text_path.stem}.html"
            page.write_text(portal_page(text, text.strip().split("\n")[0][:40], k), encoding="utf-8")
            want = _keys(extract_file(text_path, text_path.parent).targets)
            for name, read in (("ours", _ours), ("trafilatura", _trafilatura)):
                started = time.perf_counter()
                text_read = read(page)
                totals[name]["seconds"] += time.perf_counter() - started
                got = _keys(extract_text(text_read))
                totals[name]["tp"] += sum((want & got).values())
                totals[name]["fp"] += sum((got - want).values())
                totals[name]["fn"] += sum((want - got).values())
    for name, c in totals.items():
        print(f"{name:12s} P={c['tp'] / (c['tp'] + c['fp']):.3f} R={c['tp'] / (c['tp'] + c['fn']):.3f} "
              f"(tp {c['tp']}, fp {c['fp']}, fn {c['fn']}) over {len(texts)} pages, read in {c['seconds']:.2f} s")


if __name__ == "__main__":
    main()
