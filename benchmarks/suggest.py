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

Run: ``.venv/bin/python benchmarks/suggest.py [--seeds 10]``; writes
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
from ssereport.model import fit_model  # noqa: E402
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


def one_seed(seed: int, n_start: int = 30, n_add: int = 8) -> dict:
    rng = np.random.default_rng(seed)
    truth_cond = pd.DataFrame({"polymer_wt_pct": rng.uniform(3, 10, 800), "ls_ratio": rng.uniform(0.6, 1.4, 800),
                               "xylene_vol_pct": rng.uniform(0, 100, 800)})
    truth = ssereport.analyze(cast(truth_cond, rng, "T"), ssereport.Config(seed=seed, n_bootstrap=0))
    ref = fit_model(truth)
    dm = truth.decision_map
    gp, gy, gx = np.meshgrid(dm.polymer_levels, dm.xb, dm.ls, indexing="ij")
    grid = pd.DataFrame({"polymer_wt_pct": gp.ravel(), "ls_ratio": gx.ravel(), "xylene_vol_pct": gy.ravel()})
    true_map = dm.predicted.ravel()

    design = GEN.reference_design().drop_duplicates().reset_index(drop=True)
    for _ in range(50):  # a start with films of class 1 and at least 2 films in every class it has
        start = cast(design.iloc[rng.choice(len(design), n_start, replace=False)], rng, "S")
        y0 = ref.observed_class(start)
        counts = np.unique(y0, return_counts=True)[1]
        if 1 in y0 and len(counts) >= 2 and counts.min() >= 2:
            break
    t0 = time.perf_counter()
    sug = suggest_conditions(start, y0, n=n_add, random_state=seed)
    t_suggest = time.perf_counter() - t0
    cand = candidate_grid(start)
    rand_cond = cand.iloc[rng.choice(len(cand), n_add, replace=False)]
    out = {"seed": seed, "start_classes": dict(zip(*np.unique(y0, return_counts=True))),
           "t_suggest": t_suggest, "n_boundary": int((sug.table["kind"] == "boundary").sum())}
    out["start"] = float(np.mean(fit_map(start, y0, grid, seed) == true_map))
    for name, cond in (("suggested", sug.table[list(CONDITIONS)]), ("random", rand_cond)):
        new = cast(cond, rng, name[0].upper())
        films = pd.concat([start, new], ignore_index=True)
        labels = np.concatenate([y0, ref.observed_class(new)])
        out[name] = float(np.mean(fit_map(films, labels, grid, seed) == true_map))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "suggest.md")
    args = ap.parse_args(argv)
    rows = []
    for seed in range(1, args.seeds + 1):
        r = one_seed(seed)
        rows.append(r)
        print(f"seed {seed}: start {r['start']:.3f}, suggested {r['suggested']:.3f}, random {r['random']:.3f} "
              f"({r['n_boundary']} boundary suggestions, {r['t_suggest']:.2f} s)", flush=True)
    df = pd.DataFrame(rows)
    diff = df["suggested"] - df["random"]
    wins, losses, ties = int((diff > 0).sum()), int((diff < 0).sum()), int((diff == 0).sum())
    from scipy.stats import wilcoxon

    w = wilcoxon(df["suggested"], df["random"]) if (diff != 0).any() else None
    lines = [
        "# Suggested vs random next films (benchmarks/suggest.py)",
        "",
        f"Lab: the synthetic process model of `data/generate_reference.py`. {len(df)} seeds. Reference map: SVM "
        "decision map of 800 films at uniform random conditions (8 P% levels × 41 × 41 cells); every film is "
        "labelled by the 800-film study's K-means centroids. Start: 30 films from the 4 × 5 × 5 design; then 8 "
        "films at the conditions `ssereport suggest` proposes (`suggest_conditions`, defaults) or at 8 random "
        "conditions of the same candidate grid. Score: share of the reference map's cells where the 38-film SVM "
        "predicts the same class.",
        "",
        "| seed | 30 films | + 8 suggested | + 8 random | suggested − random |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r, d in zip(rows, diff):
        lines.append(f"| {r['seed']} | {r['start']:.3f} | {r['suggested']:.3f} | {r['random']:.3f} | {d:+.3f} |")
    lines += [
        f"| **mean ± SD** | {df['start'].mean():.3f} ± {df['start'].std():.3f} | "
        f"{df['suggested'].mean():.3f} ± {df['suggested'].std():.3f} | {df['random'].mean():.3f} ± "
        f"{df['random'].std():.3f} | {diff.mean():+.3f} ± {diff.std():.3f} |",
        "",
        f"Suggested beat random in **{wins} of {len(df)}** seeds, lost in {losses}, tied in {ties}"
        + (f"; Wilcoxon signed-rank (scipy.stats.wilcoxon, two-sided) p = {w.pvalue:.3g}." if w else "."),
        f"Mean time of `suggest_conditions` on 30 films: {df['t_suggest'].mean():.2f} s.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
