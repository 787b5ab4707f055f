"""Time of the report's figures (matplotlib), per figure and as a step of ``ssereport report``.

Measured in-process: each figure of :data:`ssereport.report.figures.FIGURES` drawn and
saved as SVG ``--runs`` times (median), the three batch figures, and the
``timings`` of :func:`ssereport.report.render.render_report` (figures, HTML,
PDF). Results go to ``benchmarks/figures.md``.

Usage::

    .venv/bin/python benchmarks/figures.py            # about a minute
    .venv/bin/python benchmarks/figures.py --runs 3
"""

from __future__ import annotations

import argparse
import os
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


def _median(fn, runs: int) -> float:
    fn()  # warm-up: imports, font cache
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    import ssereport as s
    from ssereport.qa.judge import judge_batch
    from ssereport.report.figures import FIGURES, render_figures
    from ssereport.qa.figures import render_batch_figures
    from ssereport.qa.model import fit_model
    from ssereport.report.render import render_report

    r = s.analyze(s.load_films(REF))
    rows = [(key, _median(lambda k=key: render_figures(r, keys=[k]), args.runs)) for key in FIGURES]
    total = _median(lambda: render_figures(r), args.runs)
    model = fit_model(r)
    res = judge_batch(model, s.load_films(BATCH))
    batch = _median(lambda: render_batch_figures(model, res), args.runs)
    steps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            t: dict[str, float] = {}
            t0 = time.perf_counter()
            render_report(r, tmp, timings=t)
            t["total"] = time.perf_counter() - t0
            for k, v in t.items():
                steps.setdefault(k, []).append(v)
    lines = ["# Figure timings (matplotlib)", "",
             f"Median of {args.runs} runs, in-process, 110 reference films; machine shared, compare ratios.", "",
             "| figure | seconds |", "|---|---|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in rows]
    lines += [f"| **all {len(rows)} study figures** | **{total:.2f}** |",
              f"| 3 batch figures (batch_2026-03-09_B) | {batch:.2f} |", "",
              "| step of `render_report` | seconds |", "|---|---|"]
    lines += [f"| {k} | {statistics.median(v):.2f} |" for k, v in steps.items()]
    cli = Path(sys.executable).parent / "ssereport"
    with tempfile.TemporaryDirectory() as tmp:
        walls = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run([str(cli), "report", str(REF), "--out", tmp, "--quiet"], check=True)
            walls.append(time.perf_counter() - t0)
    lines += ["", f"`ssereport report` (whole process, 110 films, HTML + PDF/A): {statistics.median(walls):.2f} s "
              f"(median of {args.runs})."]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "figures.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
