"""Latency of ``ssereport watch``: file landing -> its PDF written, against a cold ``ssereport batch``.

Alternates, ``--runs`` times: one cold ``ssereport batch FILE`` (the whole
process, imports included), then one copy of the same batch (a new batch_id,
so a new report) renamed into the watched folder, timed from the rename to the
moment its PDF appears. Target (issue 14): median watch latency <= 0.25 x the
median cold batch. Prints a Markdown table.

Usage::

    .venv/bin/python benchmarks/watch_latency.py            # about a minute
    .venv/bin/python benchmarks/watch_latency.py --runs 9
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "sse_films_reference.csv"
BATCH = ROOT / "data" / "batches" / "batch_2026-03-09_B.csv"
CLI = [sys.executable, "-m", "ssereport"]


def _wait_for(path: Path, timeout: float = 120.0) -> float:
    end = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > end:
            raise SystemExit(f"{path} not written within {timeout} s")
        time.sleep(0.005)
    return time.perf_counter()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--settle", type=float, default=0.2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ssereport-watch-bench-"))
    model = tmp / "reference.json"
    subprocess.run([*CLI, "fit", str(REF), "--model", str(model), "-q"], check=True)
    inbox, out, cold_out = tmp / "inbox", tmp / "out", tmp / "cold"
    proc = subprocess.Popen([*CLI, "watch", str(inbox), "--model", str(model), "--out", str(out), "--settle",
                             str(args.settle)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.perf_counter()
    for line in proc.stderr:
        if "watching" in line:
            break
    startup = time.perf_counter() - t0
    text = BATCH.read_text(encoding="utf-8")
    batch_id = "2026-03-09_B"
    cold, warm = [], []
    try:
        for i in range(args.runs):
            t = time.perf_counter()
            subprocess.run([*CLI, "batch", str(BATCH), "--model", str(model), "--out", str(cold_out), "-q"],
                           check=True)
            cold.append(time.perf_counter() - t)
            new_id = f"2026-04-{i + 1:02d}_W"
            part = inbox / f"{new_id}.csv.part"
            part.write_text(text.replace(batch_id, new_id), encoding="utf-8")
            landed = time.perf_counter()
            part.rename(inbox / f"{new_id}.csv")
            warm.append(_wait_for(out / f"{new_id}.pdf") - landed)
            time.sleep(1.0)  # let the index be written before the next cold run
    finally:
        proc.send_signal(2)
        proc.wait(timeout=30)
    mc, mw = statistics.median(cold), statistics.median(warm)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"watch start-up (imports, templates) until 'watching': {startup:.2f} s; --settle {args.settle} s\n")
    print("| run | cold `ssereport batch` (s) | watch: landing -> PDF (s) |")
    print("|---:|---:|---:|")
    for i, (c, w) in enumerate(zip(cold, warm), start=1):
        print(f"| {i} | {c:.2f} | {w:.2f} |")
    print(f"| **median** | **{mc:.2f}** | **{mw:.2f}** |")
    print(f"\nratio watch / cold = {mw / mc:.2f} (target <= 0.25)")


if __name__ == "__main__":
    main()
