"""Check that the synthetic reference data set supports the paper's analysis.

Runs the analysis of Chen, Duquesnoy et al. (2021) on ``sse_films_reference.csv``
and the production batches, prints the findings and exits non-zero if any
required finding fails for the shipped files (default seed).  It also re-runs
the generator for seeds 1..5 and prints a robustness summary (informative:
those seeds do not change the exit code).

Analysis (fixed, as in the paper):

* features: L:S, X:B, thickness, density, resistance, conductivity, DoT, RD
  (P% is left out of the PCA, as in the paper);
* StandardScaler -> PCA (full); k = fewest PCs with cumulative explained
  variance >= 0.90; KMeans(3, n_init=10, random_state=42) on the first k scores;
* classes: 3 = cluster with the lowest median conductivity; of the other two,
  1 = lower median RD, 2 = higher;
* Kruskal-Wallis of conductivity and RD between classes; ANOVA (type II) of
  ``np.log(rd) ~ xylene_vol_pct * ls_ratio``;
* linear SVM on (P%, L:S, X:B): imblearn Pipeline(StandardScaler,
  RandomOverSampler, SVC(kernel='linear')); 80/20 stratified split, macro F1
  on the test part; RepeatedStratifiedKFold(5 x 10) macro F1;
* K-means stability: refit K-means on 50 bootstrap resamples of the PC scores,
  predict all films, adjusted Rand index against the full-data labels;
* batches projected with the reference scaler / PCA / centroids.

Usage: ``python data/check_reference.py [--data-dir DIR] [--no-seeds]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from scipy.stats import kruskal
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, f1_score, silhouette_score
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score, train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from statsmodels.stats.anova import anova_lm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_reference as gen  # noqa: E402

FEATURES = ["ls_ratio", "xylene_vol_pct", "thickness_um", "density_g_cm3", "resistance_ohm",
            "conductivity_s_cm", "dot_um", "rd"]
CONDITIONS = ["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"]
N_BOOT = 50


class Model:
    """Scaler, PCA, k and K-means fitted on the reference, with the class mapping."""

    def __init__(self, df: pd.DataFrame):
        self.scaler = StandardScaler().fit(df[FEATURES])
        z = self.scaler.transform(df[FEATURES])
        self.pca = PCA().fit(z)
        cum = np.cumsum(self.pca.explained_variance_ratio_)
        self.k = int(np.searchsorted(cum, 0.90) + 1)
        self.cum_var = float(cum[self.k - 1])
        self.scores = self.pca.transform(z)[:, : self.k]
        self.kmeans = KMeans(n_clusters=3, n_init=10, random_state=42).fit(self.scores)
        self.mapping = class_mapping(df, self.kmeans.labels_)
        self.classes = np.array([self.mapping[c] for c in self.kmeans.labels_])

    def project(self, df: pd.DataFrame) -> np.ndarray:
        scores = self.pca.transform(self.scaler.transform(df[FEATURES]))[:, : self.k]
        return np.array([self.mapping[c] for c in self.kmeans.predict(scores)])


def class_mapping(df: pd.DataFrame, labels: np.ndarray) -> dict[int, int]:
    """Cluster -> class: 3 = lowest median σ; then 1 = lower median RD, 2 = higher."""
    med = df.groupby(labels)[["conductivity_s_cm", "rd"]].median()
    c3 = med["conductivity_s_cm"].idxmin()
    rest = med.drop(index=c3).sort_values("rd").index
    return {int(rest[0]): 1, int(rest[1]): 2, int(c3): 3}


def bootstrap_ari(scores: np.ndarray, labels: np.ndarray) -> float:
    rng = np.random.default_rng(42)
    aris = []
    for b in range(N_BOOT):
        idx = rng.integers(0, len(scores), len(scores))
        km = KMeans(n_clusters=3, n_init=10, random_state=b).fit(scores[idx])
        aris.append(adjusted_rand_score(labels, km.predict(scores)))
    return float(np.mean(aris))


def classifier() -> Pipeline:
    return Pipeline([("scale", StandardScaler()),
                     ("oversample", RandomOverSampler(random_state=42)),
                     ("svm", SVC(kernel="linear"))])


def analyse(df: pd.DataFrame, batches: dict[str, pd.DataFrame]) -> tuple[dict, list]:
    """Run the analysis; returns (statistics, [(finding, passed, required), ...])."""
    m = Model(df)
    cls = m.classes
    counts = {c: int((cls == c).sum()) for c in (1, 2, 3)}
    g = df.assign(cls=cls).groupby("cls")
    ls_mean = g["ls_ratio"].mean()
    med = g[["conductivity_s_cm", "rd"]].median()
    p_sigma = kruskal(*[df.loc[cls == c, "conductivity_s_cm"] for c in (1, 2, 3)]).pvalue
    p_rd = kruskal(*[df.loc[cls == c, "rd"] for c in (1, 2, 3)]).pvalue
    fit = smf.ols("np.log(rd) ~ xylene_vol_pct * ls_ratio", data=df).fit()
    p_inter = float(anova_lm(fit, typ=2).loc["xylene_vol_pct:ls_ratio", "PR(>F)"])

    X, y = df[CONDITIONS].to_numpy(float), cls
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
    f1 = f1_score(y_te, classifier().fit(X_tr, y_tr).predict(X_te), average="macro")
    cv = cross_val_score(classifier(), X, y, scoring="f1_macro",
                         cv=RepeatedStratifiedKFold(n_splits=5, n_repeats=10, random_state=42))
    ari = bootstrap_ari(m.scores, m.kmeans.labels_)
    sil = float(silhouette_score(m.scores, m.kmeans.labels_))
    batch_cls = {b: m.project(bdf) for b, bdf in batches.items()}

    stats = dict(k=m.k, cum_var=m.cum_var, counts=counts, ls_mean=ls_mean.to_dict(),
                 sigma_med=med["conductivity_s_cm"].to_dict(), rd_med=med["rd"].to_dict(),
                 p_sigma=p_sigma, p_rd=p_rd, p_inter=p_inter, f1=f1, cv_mean=cv.mean(),
                 cv_sd=cv.std(), ari=ari, sil=sil, batch_cls=batch_cls)

    def share(b, good):
        c = batch_cls.get(b)
        return float(np.isin(c, good).mean()) if c is not None else float("nan")

    s = med["conductivity_s_cm"]
    findings = [
        ("class 1 is the largest class", counts[1] > max(counts[2], counts[3]), True),
        ("classes 2 and 3 have >= 15 films each", min(counts[2], counts[3]) >= 15, True),
        ("class 1 mean L:S in [0.80, 1.05]", 0.80 <= ls_mean[1] <= 1.05, True),
        ("mean L:S: class 3 < class 1 < class 2", ls_mean[3] < ls_mean[1] < ls_mean[2], True),
        ("median sigma of classes 1, 2 >= 1.5 x class 3", min(s[1], s[2]) >= 1.5 * s[3], True),
        ("median RD: class 1 < class 2 and < class 3",
         med["rd"][1] < min(med["rd"][2], med["rd"][3]), True),
        ("Kruskal-Wallis p <= 0.05 (conductivity)", p_sigma <= 0.05, True),
        ("Kruskal-Wallis p <= 0.05 (RD)", p_rd <= 0.05, True),
        ("ANOVA log(RD): X:B x L:S interaction p < 0.05", p_inter < 0.05, True),
        ("linear SVM test macro F1 >= 0.85", f1 >= 0.85, True),
        ("repeated 5-fold CV macro F1 mean >= 0.80", cv.mean() >= 0.80, True),
        ("K-means bootstrap mean ARI >= 0.70", ari >= 0.70, True),
        ("silhouette on PC scores > 0.3 (nice to have)", sil > 0.3, False),
    ]
    for b in batches:
        if b.endswith("_C"):
            findings.append((f"batch {b}: >= 70 % class 3 (or 2/3)", share(b, [2, 3]) >= 0.7
                             and share(b, [3]) >= 0.5, True))
        else:
            findings.append((f"batch {b}: >= 70 % class 1", share(b, [1]) >= 0.7, True))
    return stats, findings


def print_report(stats: dict, findings: list) -> None:
    c, lm = stats["counts"], stats["ls_mean"]
    print(f"PCA: k = {stats['k']} PCs (cumulative explained variance {stats['cum_var']:.3f})")
    print(f"class counts: 1 = {c[1]}, 2 = {c[2]}, 3 = {c[3]}")
    print("mean L:S: " + ", ".join(f"class {k} = {lm[k]:.3f}" for k in (1, 2, 3)))
    print("median sigma (S/cm): " + ", ".join(f"class {k} = {stats['sigma_med'][k]:.3g}"
                                            for k in (1, 2, 3)))
    print("median RD: " + ", ".join(f"class {k} = {stats['rd_med'][k]:.4f}" for k in (1, 2, 3)))
    print(f"Kruskal-Wallis p: conductivity = {stats['p_sigma']:.2e}, RD = {stats['p_rd']:.2e}")
    print(f"ANOVA log(RD) X:B x L:S interaction p = {stats['p_inter']:.2e}")
    print(f"SVM test macro F1 = {stats['f1']:.3f}; CV macro F1 = {stats['cv_mean']:.3f} "
          f"± {stats['cv_sd']:.3f}")
    print(f"K-means bootstrap ARI = {stats['ari']:.3f}; silhouette = {stats['sil']:.3f}")
    for b, cls in stats["batch_cls"].items():
        n = {k: int((cls == k).sum()) for k in (1, 2, 3)}
        print(f"batch {b}: {len(cls)} films -> class 1: {n[1]}, class 2: {n[2]}, class 3: {n[3]}")
    for name, ok, required in findings:
        tag = "PASS" if ok else ("FAIL" if required else "note")
        print(f"  [{tag}] {name}")


def load(data_dir: Path) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    df = pd.read_csv(data_dir / "sse_films_reference.csv")
    batches = {}
    for path in sorted((data_dir / "batches").glob("batch_*.csv")):
        bdf = pd.read_csv(path)
        batches[str(bdf["batch_id"].iloc[0])] = bdf
    return df, batches


def consistency(df: pd.DataFrame) -> list:
    """Format checks: columns, derived values agree with the readings."""
    if not set(gen.READING_COLS) <= set(df.columns):
        return [("columns as documented", False, True)]
    r = df[gen.READING_COLS].to_numpy()
    t = r.mean(axis=1)
    dot = r.std(axis=1, ddof=1)
    res = df["thickness_um"] * 1e-4 / (df["conductivity_s_cm"] * gen.ELECTRODE_AREA_CM2)
    return [
        ("columns as documented", list(df.columns) == gen.COLUMNS, True),
        ("110 films, unique sample IDs", len(df) == 110 and df["sample_id"].is_unique, True),
        ("thickness_um = mean of readings", np.allclose(df["thickness_um"], t, atol=6e-4), True),
        ("dot_um = SD of readings (ddof=1)", np.allclose(df["dot_um"], dot, atol=6e-4), True),
        ("rd = dot_um / thickness_um", np.allclose(df["rd"], dot / t, rtol=1e-4), True),
        ("resistance = t / (sigma * A)", np.allclose(df["resistance_ohm"], res, rtol=1e-3,
                                                      atol=1e-3), True),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--no-seeds", action="store_true", help="skip the seeds 1..5 summary")
    args = parser.parse_args(argv)

    df, batches = load(args.data_dir)
    ref_gen, batches_gen = gen.generate(gen.DEFAULT_SEED)
    same = gen.to_csv_text(ref_gen) == (args.data_dir / "sse_films_reference.csv").read_text(
        encoding="utf-8")
    print(f"== shipped data ({args.data_dir}), default seed {gen.DEFAULT_SEED} ==")
    stats, findings = analyse(df, batches)
    findings = consistency(df) + [
        ("file reproduced by generate_reference.py (default seed)", same, True)] + findings
    print_report(stats, findings)
    failed = [name for name, ok, required in findings if required and not ok]

    if not args.no_seeds:
        print("\n== robustness: seeds 1..5 (informative) ==")
        n_ok = 0
        for seed in range(1, 6):
            s, f = analyse(*gen.generate(seed))
            bad = [name for name, ok, req in f if req and not ok]
            n_ok += not bad
            c = s["counts"]
            print(f"seed {seed}: {'PASS' if not bad else 'FAIL'}  k={s['k']} "
                  f"n=({c[1]},{c[2]},{c[3]}) L:S=({s['ls_mean'][1]:.2f},{s['ls_mean'][2]:.2f},"
                  f"{s['ls_mean'][3]:.2f}) F1={s['f1']:.3f} CV={s['cv_mean']:.3f} "
                  f"ARI={s['ari']:.3f} sil={s['sil']:.3f} p_int={s['p_inter']:.1e}"
                  + (f"  failed: {'; '.join(bad)}" if bad else ""))
        print(f"seeds passing all required findings: {n_ok}/5 (target >= 4)")

    print("\nRESULT: " + ("all required findings hold" if not failed
                          else f"{len(failed)} finding(s) failed: " + "; ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
