"""Judging one new 10-film batch with 0, 1,000 and 3,000 earlier batches in the history (issue 24).

For each history length N, a report folder gets N earlier daily batches: their
batch JSON files and their judgements, inserted straight into
``OUT/history.sqlite`` in one transaction (the judged example batch A under
N dates and contents). One warm-up batch per folder writes the month pages
once. Then, ``--runs`` times and alternating between the three folders (so
they share the machine's load), a new 10-film batch (batch A under a new
date) is judged by a whole ``ssereport batch FILE --out OUT`` process (HTML,
PDF and JSON, the index and its month page). Target: the median with 3,000
earlier batches is at most 1.5 x the median with none, and ``index.html``
is at most 2 MB. Prints a Markdown table.

Usage::

    .venv/bin/python benchmarks/history.py              # a few minutes
    .venv/bin/python benchmarks/history.py --runs 5
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REF = ROOT / "data" / "sse_films_reference.csv"
BATCH = ROOT / "data" / "batches" / "batch_2026-03-02_A.csv"  # 10 films
BATCH_ID = "2026-03-02_A"
CLI = [sys.executable, "-m", "ssereport"]
LEVELS = (0, 1000, 3000)


def _fill(out: Path, base: dict, n: int) -> None:
    """N earlier daily batches ending 2026-12-31: JSON files in ``out`` and rows in its history, fast."""
    from ssereport.qa import history as hist

    out.mkdir(parents=True)
    h = hist.open_history(out=out)
    last = date(2026, 12, 31)
    with h._begin("filling the benchmark history") as conn:
        for k in range(n):
            day = (last - timedelta(days=n - 1 - k)).isoformat()
            d = copy.deepcopy(base)
            d["batch_id"] = f"{day}_H{k:04d}"
            d["cast_date"] = day
            d["input"]["sha256"] = hashlib.sha256(f"earlier batch {k}".encode()).hexdigest()
            d["input"]["path"] = f"{d['batch_id']}.csv"
            for f in d["films"]:
                f["sample_id"] = f"{d['batch_id']}-{f['sample_id'][-2:]}"
            (out / f"{d['batch_id']}.json").write_text(json.dumps(d), encoding="utf-8")
            hist._insert(conn, *hist._rows(d, "benchmark"))
    h.dispose()


def _batch(tmp: Path, batch_id: str) -> Path:
    path = tmp / f"{batch_id}.csv"
    path.write_text(BATCH.read_text(encoding="utf-8").replace(BATCH_ID, batch_id), encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ssereport-history-bench-"))
    model = tmp / "reference.json"
    subprocess.run([*CLI, "fit", str(REF), "--model", str(model), "-q"], check=True)
    seed = tmp / "seed"
    subprocess.run([*CLI, "batch", str(BATCH), "--model", str(model), "--out", str(seed), "--format", "json", "-q"],
                   check=True)
    base = json.loads((seed / f"{BATCH_ID}.json").read_text(encoding="utf-8"))
    outs = {}
    fill_s = {}
    for n in LEVELS:
        t = time.perf_counter()
        outs[n] = tmp / f"out-{n}"
        _fill(outs[n], base, n)
        fill_s[n] = time.perf_counter() - t
        warm = _batch(tmp, "2027-01-01_W")  # writes the month pages once, as a folder in use has them
        subprocess.run([*CLI, "batch", str(warm), "--model", str(model), "--out", str(outs[n]), "-q"], check=True)
    times: dict[int, list[float]] = {n: [] for n in LEVELS}
    cpu: dict[int, list[float]] = {n: [] for n in LEVELS}
    load = [os.getloadavg()[0]]
    for run in range(args.runs):
        for n in LEVELS:
            new = _batch(tmp, f"2027-01-{run + 2:02d}_N")
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([*CLI, "batch", str(new), "--model", str(model), "--out", str(outs[n]), "-q"],
                           check=True)
            times[n].append(time.perf_counter() - t)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[n].append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        load.append(os.getloadavg()[0])
    med = {n: statistics.median(v) for n, v in times.items()}
    med_cpu = {n: statistics.median(v) for n, v in cpu.items()}
    size = {n: (outs[n] / "index.html").stat().st_size for n in LEVELS}
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}; "
          f"1-min load average during the runs {min(load):.1f}-{max(load):.1f}\n")
    print("| earlier batches | `ssereport batch` one new 10-film batch, wall per run (s) | median wall (s) "
          "| ratio to 0 | median CPU (s) | CPU ratio to 0 | index.html (KB) | month pages |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for n in LEVELS:
        pages = len(list(outs[n].glob("index-*.html")))
        print(f"| {n:,} | {', '.join(f'{x:.2f}' for x in times[n])} | {med[n]:.2f} | {med[n] / med[0]:.2f} "
              f"| {med_cpu[n]:.2f} | {med_cpu[n] / med_cpu[0]:.2f} | {size[n] / 1024:.0f} | {pages} |")
    print(f"\nfilling the folders (JSON files + direct inserts): "
          + ", ".join(f"{n:,}: {fill_s[n]:.1f} s" for n in LEVELS))
    ok = med[LEVELS[-1]] <= 1.5 * med[0] and size[LEVELS[-1]] <= 2 * 1024 * 1024
    print(f"target (3,000 <= 1.5 x 0 and index.html <= 2 MB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
