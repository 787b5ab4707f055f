"""Do suggested films teach the class map more than random ones? (issue 15)

The synthetic generator ``data/generate_reference.py`` is the "lab": its
seeded process model casts and measures a film at any condition. For each
seed:

1. truth: 800 films at uniform random conditions over the studied ranges
   (P 3–10 wt%, L:S 0.6–1.4 µL/mg, X:B 0–100 vol%), analysed by
   ``ssereport.analyze``; its SVM's decision map (8 P% levels × 41 × 41) is
   the reference map, and its K-means classes (nearest centroid,
   ``ReferenceModel.observed_class``) label every film cast below, so that
   all maps speak of the same classes;
2. start: 30 films at 30 conditions drawn from the paper's 4 × 5 × 5 design;
3. add 8 films, cast by the generator, either at the conditions
   ``suggest_conditions`` proposes from the 30 or at 8 conditions drawn at
   random from the same candidate grid;
4. refit the classifier pipeline on the 38 films and score its map against
   the reference map: the share of grid cells with the same class.

Run: ``.venv/bin/python benchmarks/suggest.py [--first 21] [--seeds 30]``; writes
``benchmarks/suggest.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ssereport  # noqa: E402
from ssereport.analysis.classifier import make_pipeline  # noqa: E402
from ssereport.analysis.suggest import candidate_grid, suggest_conditions  # noqa: E402
from ssereport.qa.model import fit_model  # noqa: E402
from ssereport.schema import CONDITIONS  # noqa: E402


def _generator():
    spec = importlib.util.spec_from_file_location("generate_reference", ROOT / "data" / "generate_reference.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


GEN = _generator()


def cast(cond: pd.DataFrame, rng: np.random.Generator, prefix: str) -> pd.DataFrame:
    """Films cast and measured by the generator's process model at ``cond``."""
    df = GEN.simulate_films(cond[list(CONDITIONS)].reset_index(drop=True).astype(float), rng)
    df.insert(0, "sample_id", [f"{prefix}-{i:03d}" for i in range(1, len(df) + 1)])
    return df[GEN.COLUMNS]


def fit_map(films: pd.DataFrame, labels: np.ndarray, grid: pd.DataFrame, seed: int) -> np.ndarray:
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(random_state=seed).fit(films[list(CONDITIONS)].to_numpy(float), labels)
    return np.asarray(pipe.predict(grid[list(CONDITIONS)].to_numpy(float)))


def one_seed(seed: int, n_start: int = 30, n_add: int = 8, variants=None) -> dict:
    """Scores of one seed: the 30-film map, + 8 random, + 8 suggested for each variant (name -> keywords).

    Every strategy casts its 8 films with the same random stream (common random numbers), so the
    strategies differ by their conditions only.
    """
    rng = np.random.default_rng([seed, 0])
    truth_cond = pd.DataFrame({"polymer_wt_pct": rng.uniform(3, 10, 800), "ls_ratio": rng.uniform(0.6, 1.4, 800),
                               "xylene_vol_pct": rng.uniform(0, 100, 800)})
    truth = ssereport.analyze(cast(truth_cond, rng, "T"), ssereport.Config(seed=seed, n_bootstrap=0))
    ref = fit_model(truth)
    dm = truth.decision_map
    gp, gy, gx = np.meshgrid(dm.polymer_levels, dm.xb, dm.ls, indexing="ij")
    grid = pd.DataFrame({"polymer_wt_pct": gp.ravel(), "ls_ratio": gx.ravel(), "xylene_vol_pct": gy.ravel()})
    true_map = dm.predicted.ravel()

    design = GEN.reference_design().drop_duplicates().reset_index(drop=True)
    rng = np.random.default_rng([seed, 1])
    for _ in range(50):  # a start with films of class 1 and at least 2 films in every class it has
        start = cast(design.iloc[rng.choice(len(design), n_start, replace=False)], rng, "S")
        y0 = ref.observed_class(start)
        counts = np.unique(y0, return_counts=True)[1]
        if 1 in y0 and len(counts) >= 2 and counts.min() >= 2:
            break
    cand = candidate_grid(start)
    strategies = {"random": cand.iloc[np.random.default_rng([seed, 2]).choice(len(cand), n_add, replace=False)]}
    times = {}
    for name, kw in (variants or {"suggested": {}}).items():
        t0 = time.perf_counter()
        sug = suggest_conditions(start, y0, n=n_add, random_state=seed, **kw)
        times[name] = time.perf_counter() - t0
        strategies[name] = sug.table[list(CONDITIONS)]
    out = {"seed": seed, "start": float(np.mean(fit_map(start, y0, grid, seed) == true_map)), "times": times}
    for name, cond in strategies.items():
        new = cast(cond, np.random.default_rng([seed, 3]), name[:1].upper())
        films = pd.concat([start, new], ignore_index=True)
        labels = np.concatenate([y0, ref.observed_class(new)])
        out[name] = float(np.mean(fit_map(films, labels, grid, seed) == true_map))
    return out


#: Tuning run (seeds 1–20, before the default was chosen; benchmarks/suggest.md quotes it): agreement with the
#: 800-film map, mean of 20 seeds, and wins vs random. The default ``order`` was set to "margin" from it.
TUNING = (("random", 0.899, None), ("committee, min_distance 0.1 (first default)", 0.904, 11),
          ("margin, min_distance 0.1 (**default**)", 0.914, 14), ("committee, min_distance 0.2", 0.908, 11),
          ("margin, min_distance 0.2", 0.918, 12))

#: How to read the held-out result (written after the run of 2026-11-29; re-read it if the numbers change).
READING = """## Reading

* On these data the suggestions do **not** beat random films on map agreement: on the held-out seeds the mean
  difference is about zero and the wins are split. The advantage margin order showed on the tuning seeds 1–20
  (+0.015, 14 of 20) did not replicate: it was chosen on noise.
* Suggested films make the outcome steadier (smaller SD across seeds than random films): fewer bad draws.
* A likely reason: the lab's class boundaries are blurred (slurry-to-slurry scatter of the window limits,
  SD 0.025 µL/mg, logistic width 0.035 µL/mg, and K-means labels of noisy measurements), so a film cast on the
  boundary gets a near coin-flip label; 30 films of the factorial design already place a linear boundary at
  ~0.88 agreement, and the remaining disagreement lies at interpolated P% levels and at the range edges, which
  random films reach as often.
* Not tried: batch selection by expected model change, a probabilistic classifier (`GaussianProcessClassifier`),
  replicates at the boundary, more than one round of 8.
"""

VARIANTS = {"suggested": {}, "committee": {"order": "committee"}, "explore=8": {"explore": 8}}
LABELS = {"suggested": "+ 8 suggested (**default**: margin order, 6 boundary + 2 exploring)",
          "committee": "+ 8 suggested, committee order (`order=\"committee\"`)",
          "explore=8": "+ 8 suggested, exploring only (`explore=8`, maximin)"}


def main(argv=None) -> int:
    from scipy.stats import wilcoxon

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=21, help="first seed (1-20 were used to choose the defaults)")
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "suggest.md")
    args = ap.parse_args(argv)
    rows, times = [], []
    seeds = range(args.first, args.first + args.seeds)
    for seed in seeds:
        r = one_seed(seed, variants=VARIANTS)
        times.append(r.pop("times")["suggested"])
        rows.append(r)
        print(f"seed {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in r.items() if k != "seed"), flush=True)
    df = pd.DataFrame(rows)
    diff = df["suggested"] - df["random"]
    lines = [
        "# Suggested vs random next films (benchmarks/suggest.py)",
        "",
        f"Lab: the synthetic process model of `data/generate_reference.py`. Reference map: the SVM decision map of "
        "800 films cast at uniform random conditions (P 3–10 wt%, L:S 0.6–1.4 µL/mg, X:B 0–100 vol%; 8 P% levels "
        "× 41 × 41 cells); every film below is labelled by the 800-film study's K-means centroids "
        "(`ReferenceModel.observed_class`), so all maps speak of the same classes. Start: 30 films at 30 "
        "conditions drawn from the paper's 4 × 5 × 5 design. Then 8 films cast at the conditions "
        "`suggest_conditions` proposes from the 30 films, or at 8 conditions drawn at random from the same "
        "candidate grid; every strategy casts with the same random stream (common random numbers). Score: share "
        "of the reference map's cells where the SVM pipeline refitted on the 38 films predicts the same class.",
        "",
        "Seeds 1–20 were used to choose the default ranking (tuning run, `order` and `min_distance`):",
        "",
        "| tuning, seeds 1–20 | agreement, mean | wins vs random (of 20) |",
        "|---|---:|---:|",
    ]
    for name, m, w in TUNING:
        lines.append(f"| {name} | {m:.3f} | {'' if w is None else w} |")
    lines += [
        "",
        f"**Held-out seeds {seeds[0]}–{seeds[-1]}** ({len(df)} seeds, not used for any choice):",
        "",
        "| strategy | agreement, mean ± SD | − random, mean ± SD | wins / losses / ties vs random | "
        "Wilcoxon p |",
        "|---|---:|---:|---:|---:|",
        f"| 30 films, nothing added | {df['start'].mean():.3f} ± {df['start'].std():.3f} | | | |",
        f"| + 8 random | {df['random'].mean():.3f} ± {df['random'].std():.3f} | | | |",
    ]
    for key, text in LABELS.items():
        d = df[key] - df["random"]
        w = wilcoxon(df[key], df["random"]).pvalue if (d != 0).any() else float("nan")
        lines.append(f"| {text} | {df[key].mean():.3f} ± {df[key].std():.3f} | {d.mean():+.3f} ± {d.std():.3f} | "
                     f"{int((d > 0).sum())} / {int((d < 0).sum())} / {int((d == 0).sum())} | {w:.3g} |")
    lines += [
        "",
        "Wilcoxon: `scipy.stats.wilcoxon` (two-sided, paired by seed). Per held-out seed (default vs random):",
        "",
        "| seed | 30 films | + 8 suggested | + 8 random | suggested − random |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r, d in zip(rows, diff):
        lines.append(f"| {r['seed']} | {r['start']:.3f} | {r['suggested']:.3f} | {r['random']:.3f} | {d:+.3f} |")
    lines += ["", f"Mean time of `suggest_conditions` on 30 films: {np.mean(times):.2f} s.", "", READING]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
