"""Whole-process benchmarks of ssereport, with the R Markdown peer in the same run.

Each case runs once to warm up, then ``--runs`` times (default 5); the median
wall time, the median CPU time (user + system, children included) and the peak
resident memory (``/usr/bin/time -f %M``) are reported, with the 1-minute load
average before each run. The peer, R Markdown knitting ``sse_report_full.Rmd`` (``--peer minimal``: ``sse_report.Rmd``) to
HTML **and** PDF in one call (like for like), runs alternately with
``ssereport report``. Results go to ``benchmarks/results.md`` with a
description of the machine. Absolute times on shared machines drift: compare
ratios from the same run, and read the load average.

Usage::

    .venv/bin/python benchmarks/run.py                  # everything (about 10 minutes)
    .venv/bin/python benchmarks/run.py --only help,analyze,report,rmarkdown
    .venv/bin/python benchmarks/run.py --runs 3 --large-runs 1
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "ssereport"
REF = ROOT / "data" / "sse_films_reference.csv"
# the peers: ../shared/anchors from the repository, or from the folder holding the worktrees.
# sse_report_full.Rmd does the same work as the default study report (bootstrap, repeated CV, Dunn, process
# maps): the speed bar, like for like. sse_report.Rmd is the minimal knit (--peer minimal), for information.
PEERS = {"full": "sse_report_full.Rmd", "minimal": "sse_report.Rmd"}


def peer_path(name: str) -> Path:
    for base in (ROOT.parent / "shared" / "anchors", ROOT.parent.parent / "shared" / "anchors"):
        if (base / PEERS[name]).exists():
            return base / PEERS[name]
    return ROOT.parent / "shared" / "anchors" / PEERS[name]


TIME = "/usr/bin/time"


@dataclass
class Case:
    name: str
    what: str
    argv: list[str]
    target: str
    limit_s: float | None = None
    limit_mb: float | None = None
    runs: int | None = None


@dataclass
class Timing:
    case: Case
    seconds: list[float]
    peak_mb: float
    ok: bool
    note: str = ""
    cpu: list[float] | None = None
    load: list[float] | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, bool, str, float, float]:
    """(wall s, peak MB, ok, stderr tail, CPU s, 1-minute load average before the run)."""
    load = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        cmd = [TIME, "-f", "%M %U %S", "-o", tf.name, *argv] if Path(TIME).exists() else argv
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - t0
        tf.seek(0)
        text = tf.read().strip().splitlines()
        try:
            kb, user, system = (float(v) for v in text[-1].split())
        except (IndexError, ValueError):
            kb = user = system = float("nan")
    return elapsed, kb / 1024, proc.returncode == 0, proc.stderr[-300:], user + system, load


def measure(case: Case, runs: int, env: dict[str, str]) -> Timing:
    return measure_alternating([case], case.runs or runs, env)[0]


def measure_alternating(cases: list[Case], runs: int, env: dict[str, str]) -> list[Timing]:
    """Run the cases in turn (A B A B ...) ``runs`` times, after one warm-up each (file cache, .pyc)."""
    for c in cases:
        run_once(c.argv, env)
    acc = {c.name: Timing(c, [], 0.0, True, "", [], []) for c in cases}
    for _ in range(runs):
        for c in cases:
            s, mb, good, err, cpu, load = run_once(c.argv, env)
            t = acc[c.name]
            t.seconds.append(s)
            t.cpu.append(cpu)
            t.load.append(load)
            t.peak_mb = max(t.peak_mb, mb)
            if not good:
                t.ok, t.note = False, err
    return [acc[c.name] for c in cases]


def make_batches(folder: Path, n_batches: int = 50, size: int = 12, seed: int = 11) -> list[Path]:
    import numpy as np
    import pandas as pd

    ref = pd.read_csv(REF)
    good = ref[(ref["ls_ratio"] >= 0.8) & (ref["ls_ratio"] <= 1.2)]
    rng = np.random.default_rng(seed)
    paths = []
    for b in range(n_batches):
        pool = ref if b % 10 == 9 else good  # every tenth batch drawn from the whole design
        rows = pool.iloc[rng.integers(0, len(pool), size)].copy()
        day = 1 + b % 28
        bid = f"2026-{4 + b // 28:02d}-{day:02d}_{b:02d}"
        rows["sample_id"] = [f"B{b:02d}-{i:02d}" for i in range(size)]
        rows.insert(1, "batch_id", bid)
        p = folder / f"batch_{bid}.csv"
        rows.to_csv(p, index=False)
        paths.append(p)
    return paths


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f"{kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    r = subprocess.run(["R", "--version"], capture_output=True, text=True).stdout.splitlines()[:1] if shutil.which("R") else ["R not installed"]
    return (f"{platform.platform()}; {os.cpu_count()} cores ({cpu}); {mem}; Python {platform.python_version()}; "
            f"{r[0] if r else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description="Benchmarks of ssereport (whole processes).")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--large-runs", type=int, default=5, help="Runs for the 1,000,000-film case.")
    ap.add_argument("--only", default="", help="Comma-separated case names.")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    ap.add_argument("--peer", choices=sorted(PEERS), default="full",
                    help="The R Markdown peer: full (the same work as the default report; default) or minimal.")
    args = ap.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    env = dict(os.environ)
    # An installed package has its bytecode compiled (pip does it); a shell that forbids writing .pyc
    # would make every run recompile the editable checkout, which no user pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "ssereport")], check=True, env=env)
    work = Path(tempfile.mkdtemp(prefix="ssereport-bench-"))

    cases: list[Case] = [
        Case("help", "`ssereport --help`", [str(BIN), "--help"], "≤ 0.3 s", limit_s=0.3),
        Case("analyze", "`ssereport analyze` (110 films → JSON)",
             [str(BIN), "analyze", str(REF), "--json", str(work / "a.json"), "-q"], "–"),
        Case("report", "`ssereport report` (110 films → HTML + PDF/A + JSON)",
             [str(BIN), "report", str(REF), "--out", str(work / "rep"), "-q"],
             "≤ 1.0 × the R Markdown HTML + PDF knit"),
    ]
    if not only or "batch" in only:
        bdir = work / "batches"
        bdir.mkdir()
        batch_files = make_batches(bdir)
        model = work / "model.json"
        subprocess.run([str(BIN), "fit", str(REF), "--model", str(model), "-q"], check=True, env=env)
        cases.append(Case("batch", "`ssereport batch` (50 batches × 12 films, HTML + PDF + JSON, `--jobs 2`)",
                          [str(BIN), "batch", *map(str, batch_files), "--model", str(model), "--out",
                           str(work / "bout"), "--jobs", "2", "-q", "--exit-zero"], "≤ 10 s", limit_s=10))
    if not only or "large" in only:
        big = work / "films_1m.csv"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_large.py"), "--n", "1000000", "--out",
                        str(big)], check=True, env=env, stdout=subprocess.DEVNULL)
        cases.append(Case("large", "`ssereport analyze` (1,000,000 films → JSON)",
                          [str(BIN), "analyze", str(big), "--max-file-mb", "500", "--json", str(work / "big.json"),
                           "-q"], "≤ 60 s, ≤ 3 GB", limit_s=60, limit_mb=3072, runs=args.large_runs))
    RMD = peer_path(args.peer)
    if shutil.which("Rscript") and RMD.exists():
        rmd = work / "rmd"
        rmd.mkdir()
        shutil.copy(RMD, rmd / RMD.name)
        expr = (f'rmarkdown::render("{rmd / RMD.name}", output_format = c("html_document", "pdf_document"), '
                f'params = list(data = "{REF}"), output_dir = "{rmd / "out"}", quiet = TRUE)')
        cases.append(Case("rmarkdown", f"peer: R Markdown knit of `{RMD.name}` (HTML + PDF, one call)",
                          ["Rscript", "-e", expr], "–"))
    cases = [c for c in cases if not only or c.name in only]

    results = []
    paired = {"report", "rmarkdown"}
    if paired <= {c.name for c in cases}:
        # The ratio is the headline: run the two alternately so machine drift hits both alike.
        pair = [c for c in cases if c.name in paired]
        print("… report and rmarkdown, alternating", flush=True)
        for t in measure_alternating(pair, args.runs, env):
            results.append(t)
            print(f"  {t.case.name}: median {t.median:.2f} s (CPU {t.cpu_median:.2f} s), peak {t.peak_mb:.0f} MB"
                  f"{'' if t.ok else ' (FAILED: ' + t.note + ')'}")
        cases = [c for c in cases if c.name not in paired]
    for case in cases:
        print(f"… {case.name}", flush=True)
        t = measure(case, args.runs, env)
        results.append(t)
        print(f"  median {t.median:.2f} s (CPU {t.cpu_median:.2f} s), peak {t.peak_mb:.0f} MB"
              f"{'' if t.ok else ' (FAILED: ' + t.note + ')'}")
    order = ["help", "analyze", "report", "batch", "large", "rmarkdown"]
    results.sort(key=lambda t: order.index(t.case.name) if t.case.name in order else len(order))

    by = {t.case.name: t for t in results}
    r_time = by["rmarkdown"].median if "rmarkdown" in by else None
    lines = [
        "# Benchmarks",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `benchmarks/run.py` "
        f"({args.runs} runs after a warm-up; median wall time, median CPU time (user + system, children "
        "included), peak resident memory of the process; load: the 1-minute load average before each run, "
        "min–max).",
        "",
        f"Machine: {machine()}",
        "",
        "| case | median (s) | min–max (s) | CPU (s) | peak memory (MB) | load | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in results:
        c = t.case
        met = "–"
        if not t.ok:
            met = "failed"
        elif c.name == "report" and r_time:
            met = f"{'yes' if t.median <= r_time else 'no'} (ratio {t.median / r_time:.2f})"
        elif c.limit_s is not None:
            ok = t.median <= c.limit_s and (c.limit_mb is None or t.peak_mb <= c.limit_mb)
            met = "yes" if ok else "no"
        load = f"{min(t.load):.1f}–{max(t.load):.1f}" if t.load else "–"
        lines.append(f"| {c.what} | {t.median:.2f} | {min(t.seconds):.2f}–{max(t.seconds):.2f} | "
                     f"{t.cpu_median:.2f} | {t.peak_mb:.0f} | {load} | {c.target} | {met} |")
    if r_time and "report" in by:
        r_cpu = by["rmarkdown"].cpu_median
        lines += ["", f"**Ratio ssereport report (HTML + PDF/A + JSON) / R Markdown knit (HTML + PDF): "
                      f"{by['report'].median / r_time:.2f}** in wall time, "
                      f"{by['report'].cpu_median / r_cpu:.2f} in CPU time (same run, the two run alternately)."]
    text = "\n".join(lines) + "\n"
    notes = args.out.with_name("notes.md")
    if notes.exists():
        text += "\n" + notes.read_text(encoding="utf-8")
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
