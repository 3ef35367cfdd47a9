"""`make bench`: how fast `targets` is, against the targets of issue #7.

Measures, and writes to outputs/bench.json:
  core        extraction throughput in the process (load once, then split, normalize, segment,
              match, resolve: `extract_loaded`, no file writing), on corpus seed 003 and on the
              whole corpus, median of --runs runs, and its ratio to a bare `re` number+unit scan
              of the same text timed in the same run;
  end_to_end  `targets extract corpus/ --out <tmp>` as a new process, every output written
              (CSVs, workbooks, targets.sqlite, datapackage.json, manifest.json): wall time,
              peak RSS (and, for reference, the same with `--by none`: no province workbooks);
  database    the share of that spent on targets.sqlite: the corpus records written to a
              database in the process, median of --runs runs;
  scaling     a generated corpus of 1x, 10x, 50x the corpus (files linked under new names)
              with --jobs 1 and --jobs 2: seconds and peak RSS;
  help        `targets --help` wall time.

Peak RSS is the largest resident set of any one process of the run (the CLI or one of its
workers), as wait4() reports it; cpu_s is the run's user + system CPU time, workers included,
which other load on the machine disturbs far less than wall time. Timings vary with the
machine's load: the medians are what counts. Not part of `make test`: no unit test is timed.
Quick look: `python benchmarks/bench.py --runs 3 --sizes 1,10 --jobs 2`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEED = "003_a895838ed2e4cd84.txt"
OUT = ROOT / "outputs" / "bench.json"
BARE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|万千瓦|亿千瓦|千瓦|万吨|亿元|个)")

TARGETS = {
    "core_seed_chars_per_s": (">=", 4_000_000),  # issue 18
    "core_seed_ratio_to_bare": ("<=", 17),
    "end_to_end_s": ("<=", 2.0),
    "scale_50x_jobs2_s": ("<=", 60),
    "scale_50x_over_1x_time": ("<=", 60),
    "scale_50x_over_1x_rss": ("<=", 1.5),
    "help_s": ("<=", 0.3),
}


def cli() -> list[str]:
    exe = Path(sys.executable).parent / "targets"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from targets.cli import app; app()"]


def run_process(args: list[str]) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in bytes, CPU seconds) of a command run as a new process."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty child cannot block
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, workers included
        wall = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            raise SystemExit(f"{' '.join(args)} failed ({code}):\n{err.read().decode(errors='replace')}")
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


# --- core throughput -----------------------------------------------------------------------
def core(runs: int) -> dict:
    from targets.core.load import load_file
    from targets.core.pipeline import _engine, extract_loaded

    _, resolver = _engine(None)
    loaded = {p.name: load_file(p) for p in sorted(CORPUS.glob("*.txt"))}

    def measure(names: list[str]) -> dict:
        chars = sum(len(loaded[n].text) for n in names)
        extract_loaded(loaded[names[0]], names[0], resolver)  # warm caches (compiled patterns)
        core_s, bare_s = [], []
        for _ in range(runs):  # interleaved, so both see the same machine load
            # CPU seconds of this process: steadier than wall time on a shared machine.
            started = time.process_time()
            n_targets = sum(len(extract_loaded(loaded[n], n, resolver).targets) for n in names)
            core_s.append(time.process_time() - started)
            started = time.process_time()
            n_bare = sum(1 for n in names for _ in BARE.finditer(loaded[n].text))
            bare_s.append(time.process_time() - started)
        c, b = statistics.median(core_s), statistics.median(bare_s)
        return {"chars": chars, "targets": n_targets, "bare_matches": n_bare, "core_s": c,
                "bare_s": b, "chars_per_s": chars / c, "bare_chars_per_s": chars / b,
                "ratio_to_bare": c / b, "runs": runs}

    return {"seed": measure([SEED]), "corpus": measure(sorted(loaded))}


# --- processes -----------------------------------------------------------------------------
def end_to_end(runs: int, tmp: Path, extra: tuple[str, ...] = ()) -> dict:
    walls, rss, cpus = [], [], []
    for i in range(runs):
        out = tmp / f"e2e{i}"
        wall, peak, cpu = run_process([*cli(), "extract", str(CORPUS), "--out", str(out), "-q", *extra])
        assert all((out / name).exists() for name in ("targets.csv", "targets.xlsx", "targets.sqlite",
                                                       "datapackage.json", "manifest.json"))
        walls.append(wall)
        rss.append(peak)
        cpus.append(cpu)
        shutil.rmtree(out)
    return {"s": statistics.median(walls), "peak_rss": statistics.median(rss),
            "cpu_s": statistics.median(cpus), "args": list(extra), "runs": runs}


def database(runs: int, tmp: Path) -> dict:
    """Seconds to write the corpus records to targets.sqlite (tables, search, indexes)."""
    from targets.core.inputs import scan_inputs
    from targets.core.pipeline import extract_paths
    from targets.models import DOCUMENT_COLUMNS, TARGET_COLUMNS
    from targets.outputs.database import Database

    files = scan_inputs([CORPUS]).files
    records = [([d.model_dump() for d in r.documents], [t.model_dump() for t in r.targets])
               for r in extract_paths(files)]
    times = []
    for i in range(runs):
        started = time.perf_counter()
        db = Database(tmp / f"db{i}.sqlite", {"documents": DOCUMENT_COLUMNS, "targets": TARGET_COLUMNS})
        for documents, targets in records:
            db.add("documents", documents)
            db.add("targets", targets)
        db.close()
        times.append(time.perf_counter() - started)
    return {"s": statistics.median(times), "targets": sum(len(t) for _, t in records), "runs": runs}


def make_corpus(factor: int, tmp: Path) -> Path:
    """`factor` copies of every corpus file, under new names (hard links where possible)."""
    folder = tmp / f"corpus_{factor}x"
    folder.mkdir()
    for k in range(factor):
        for src in sorted(CORPUS.iterdir()):
            if src.is_file() and not src.name.startswith("."):
                dst = folder / f"c{k:03d}_{src.name}"
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copyfile(src, dst)
    return folder


def scaling(sizes: list[int], jobs: list[int], tmp: Path) -> list[dict]:
    rows = []
    for factor in sizes:
        folder = make_corpus(factor, tmp)
        chars = factor * sum(p.stat().st_size for p in CORPUS.iterdir() if p.is_file())
        for j in jobs:
            out = tmp / f"out_{factor}x_j{j}"
            wall, peak, cpu = run_process([*cli(), "extract", str(folder), "--out", str(out), "-q",
                                           "--jobs", str(j)])
            rows.append({"factor": factor, "jobs": j, "s": wall, "peak_rss": peak, "cpu_s": cpu, "bytes": chars,
                         "targets_rows": sum(1 for _ in (out / "targets.csv").open(encoding="utf-8-sig")) - 1,
                         "xlsx_bytes": (out / "targets.xlsx").stat().st_size})
            shutil.rmtree(out)
            print(f"  scaling {factor:>3}x --jobs {j}: {wall:6.2f} s, {cpu:6.2f} cpu s, "
                  f"{peak / 2**20:6.1f} MiB", file=sys.stderr)
        shutil.rmtree(folder)
    return rows


def help_time(runs: int) -> dict:
    walls = [run_process([*cli(), "--help"])[0] for _ in range(runs)]
    return {"s": statistics.median(walls), "runs": runs}


# --- report --------------------------------------------------------------------------------
def checks(result: dict) -> dict:
    seed = result["core"]["seed"]
    values = {"core_seed_chars_per_s": seed["chars_per_s"], "core_seed_ratio_to_bare": seed["ratio_to_bare"],
              "end_to_end_s": result["end_to_end"]["s"], "help_s": result["help"]["s"]}
    scale = {(r["factor"], r["jobs"]): r for r in result["scaling"]}
    if (50, 2) in scale and (1, 2) in scale:
        big, small = scale[(50, 2)], scale[(1, 2)]
        values |= {"scale_50x_jobs2_s": big["s"], "scale_50x_over_1x_time": big["s"] / small["s"],
                   "scale_50x_over_1x_rss": big["peak_rss"] / small["peak_rss"]}
    out = {}
    for name, value in values.items():
        op, limit = TARGETS[name]
        out[name] = {"value": value, "target": f"{op} {limit:g}",
                     "ok": value >= limit if op == ">=" else value <= limit}
    return out


def show(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    mib = 2 ** 20
    table = Table(title=f"targets benchmark ({result['machine']['cpus']} cores, median of runs)")
    for col in ("measure", "value", "target", ""):
        table.add_column(col, justify="right" if col != "measure" else "left")
    c = result["core"]
    for label, key in (("seed 003", "seed"), ("corpus", "corpus")):
        m = c[key]
        table.add_row(f"core {label}: chars/s ({m['chars']:,} chars, {m['targets']} targets)",
                      f"{m['chars_per_s']:,.0f}", "", "")
        table.add_row(f"core {label}: seconds / bare re scan seconds",
                      f"{m['core_s']:.3f} / {m['bare_s']:.4f} = {m['ratio_to_bare']:.1f}x", "", "")
    for key in ("end_to_end", "end_to_end_by_none"):
        e = result[key]
        table.add_row(f"targets extract corpus/ {' '.join(e['args'])}: wall s, cpu s, peak RSS",
                      f"{e['s']:.2f} s, {e['cpu_s']:.2f} cpu s, {e['peak_rss'] / mib:.0f} MiB", "", "")
    d = result["database"]
    table.add_row(f"of which targets.sqlite ({d['targets']:,} targets): s", f"{d['s']:.3f}", "", "")
    for r in result["scaling"]:
        table.add_row(f"scaling {r['factor']}x --jobs {r['jobs']} ({r['bytes'] / 1e6:.0f} MB, {r['targets_rows']:,} rows)",
                      f"{r['s']:.2f} s, {r['cpu_s']:.2f} cpu s, {r['peak_rss'] / mib:.0f} MiB", "", "")
    table.add_row("targets --help: wall s", f"{result['help']['s']:.3f}", "", "")
    table.add_section()
    for name, chk in result["checks"].items():
        v = chk["value"]
        table.add_row(name, f"{v:,.0f}" if v > 1000 else f"{v:.2f}", chk["target"],
                      "[green]ok[/green]" if chk["ok"] else "[red]MISSED[/red]")
    Console(width=max(120, shutil.get_terminal_size().columns)).print(table)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per median (core, end to end, help)")
    ap.add_argument("--sizes", default="1,10,50", help="corpus multiples for scaling ('' for none)")
    ap.add_argument("--jobs", default="1,2", help="--jobs values for scaling")
    ap.add_argument("--json", type=Path, default=OUT, help="where to write the results")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    jobs = [int(j) for j in args.jobs.split(",") if j]
    result: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform()},
                    "date": time.strftime("%Y-%m-%dT%H:%M:%S")}
    print("core throughput ...", file=sys.stderr)
    result["core"] = core(args.runs)
    with tempfile.TemporaryDirectory(prefix="targets-bench-") as t:
        tmp = Path(t)
        print("end to end ...", file=sys.stderr)
        result["end_to_end"] = end_to_end(args.runs, tmp)
        result["end_to_end_by_none"] = end_to_end(args.runs, tmp, ("--by", "none"))
        result["database"] = database(args.runs, tmp)
        print("scaling ...", file=sys.stderr)
        result["scaling"] = scaling(sizes, jobs, tmp)
    result["help"] = help_time(args.runs)
    result["checks"] = checks(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    show(result)
    print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
