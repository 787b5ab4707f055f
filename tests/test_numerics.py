"""How the analysis glues the field's libraries together.

Kruskal-Wallis and Dunn (``analysis.tests``: SciPy, statsmodels, with the
12-significant-digit tie rule), K-means, silhouette and bootstrap stability
(``analysis.clusters``: scikit-learn) and the process maps
(``analysis.maps``: ``scipy.interpolate``) are checked against independent
references: scikit-posthocs, closed forms and direct library calls.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from ssereport.analysis.clusters import kmeans_classes
from ssereport.analysis.maps import BILINEAR, NO_SURFACE, TRIANGULATION, process_maps
from ssereport.analysis.tests import dunn, kruskal, tie_values

from .conftest import ROOT

# ----------------------------------------------------------------------------- ties, Kruskal-Wallis, Dunn


def _tied_samples(rng, n, k):
    y = rng.integers(0, 12, n).astype(float) / 4  # many ties
    g = rng.integers(1, k + 1, n)
    return pd.DataFrame({"y": y, "g": g})


def test_tie_values_rounds_to_12_significant_digits():
    y = np.array([0.1 + 0.2, 0.3, 123456.78901234, 1.0e-7 * (1 + 2**-50), 1.0e-7, -2.5, 0.0, 1.00000000001])
    t = tie_values(y)
    assert t[0] == t[1] == 0.3  # equal to 12 digits: one value
    assert t[3] == t[4]
    assert t[2] == pytest.approx(123456.789012, rel=0, abs=1e-9)
    assert t[5] == -2.5 and t[6] == 0.0
    assert t[7] != 1.0  # differs in the 12th digit: stays distinct
    assert np.isnan(tie_values([np.nan]))[0] and np.isinf(tie_values([np.inf]))[0]
    # rounding is monotone: the order of the values never reverses
    z = np.sort(np.random.default_rng(0).lognormal(0, 3, 5000))
    assert np.all(np.diff(tie_values(z)) >= 0)


def _two_near_equal_films(reference_table):
    """The reference films, two of them given an RD that is mathematically equal but differs in the last bit."""
    d = reference_table.data.copy()
    readings = np.array([41.3, 40.9, 41.7, 42.2, 40.5, 41.1, 41.9, 40.8, 41.6])
    a = np.var(readings)
    b = np.var(readings[::-1] + 0.0) * (1 + 2**-52)  # the same variance, one ulp apart
    assert a != b and abs(a - b) <= 4e-16 * a
    col = d.columns.get_loc("rd")
    d.iloc[3, col] = a / 100
    d.iloc[70, col] = b / 100
    exact = d.copy()
    exact.iloc[70, col] = a / 100
    classes = np.repeat([1, 2, 3], [40, 40, 30])
    return d.assign(**{"class": classes}), exact.assign(**{"class": classes})


def test_kruskal_counts_last_bit_differences_as_ties(reference_table):
    near, exact = _two_near_equal_films(reference_table)
    ours = kruskal(near, "rd", "class").iloc[0]
    tied = kruskal(exact, "rd", "class").iloc[0]
    assert ours["H"] == tied["H"] and ours["p_value"] == tied["p_value"]
    # SciPy on the raw values ranks the two films apart: a different H
    raw = stats.kruskal(*[g["rd"].to_numpy() for _, g in near.groupby("class")]).statistic
    assert raw != ours["H"]
    # with the two values made exactly equal, SciPy gives our H
    same = stats.kruskal(*[g["rd"].to_numpy() for _, g in exact.groupby("class")]).statistic
    assert ours["H"] == pytest.approx(same, rel=1e-14)


def test_dunn_counts_last_bit_differences_as_ties(reference_table):
    near, exact = _two_near_equal_films(reference_table)
    assert_array_equal(dunn(near, "rd", "class")[["z", "p_value"]].to_numpy(),
                       dunn(exact, "rd", "class")[["z", "p_value"]].to_numpy())


def test_kruskal_matches_scipy_on_random_tied_data():
    rng = np.random.default_rng(2)
    for _ in range(40):
        k = int(rng.integers(2, 6))
        d = _tied_samples(rng, int(rng.integers(12, 400)), k)
        if d["g"].nunique() < 2:
            continue
        ours = kruskal(d, "y", "g").iloc[0]
        h, p = stats.kruskal(*[grp["y"].to_numpy() for _, grp in d.groupby("g")])
        assert ours["H"] == pytest.approx(h, rel=1e-12)
        assert ours["p_value"] == pytest.approx(p, rel=1e-10)
        assert ours["df"] == d["g"].nunique() - 1
        n = len(d)
        assert ours["epsilon_squared"] == pytest.approx(h * (n + 1) / (n**2 - 1), rel=1e-12)


def test_dunn_matches_scikit_posthocs_on_random_tied_data():
    sp = pytest.importorskip("scikit_posthocs")
    rng = np.random.default_rng(3)
    for _ in range(10):
        d = _tied_samples(rng, 150, 3)
        ours = dunn(d, "y", "g")
        ref = sp.posthoc_dunn(d, val_col="y", group_col="g", p_adjust="holm")
        unadj = sp.posthoc_dunn(d, val_col="y", group_col="g")
        for _, row in ours.iterrows():
            assert row["p_value"] == pytest.approx(ref.loc[row["group1"], row["group2"]], rel=1e-10)
            assert row["p_unadjusted"] == pytest.approx(unadj.loc[row["group1"], row["group2"]], rel=1e-10)
            assert 2 * stats.norm.sf(abs(row["z"])) == pytest.approx(row["p_unadjusted"], rel=1e-12)


def test_dunn_z_sign_and_closed_form_without_ties():
    # ranks 1..9 in three groups of 3 (no ties): mean ranks 2, 5, 8; se = sqrt(9·10/12 · 2/3) = sqrt(5)
    d = pd.DataFrame({"y": np.arange(1.0, 10.0), "g": np.repeat(["a", "b", "c"], 3)})
    out = dunn(d, "y", "g").set_index(["group1", "group2"])
    assert out.loc[("a", "b"), "z"] == pytest.approx(-3 / np.sqrt(5), rel=1e-14)
    assert out.loc[("a", "c"), "z"] == pytest.approx(-6 / np.sqrt(5), rel=1e-14)
    p = 2 * stats.norm.sf(np.array([3, 6, 3]) / np.sqrt(5))
    # Holm by hand: sorted p (a-c smallest) × 3, then × 2 with the running maximum
    holm = np.array([max(2 * p[0], 3 * p[1]), 3 * p[1], max(2 * p[2], 3 * p[1])])
    assert_allclose(out["p_value"].to_numpy(), holm, rtol=1e-12)


def test_dunn_all_values_equal_is_nan():
    d = pd.DataFrame({"y": [2.0] * 9, "g": np.repeat([1, 2, 3], 3)})
    out = dunn(d, "y", "g")
    assert out["z"].isna().all() and out["p_value"].isna().all()


# ----------------------------------------------------------------------------- K-means, silhouette, stability

def _blobs(rng, n, k, d, spread=1.0):
    centers = rng.normal(0, 4, (k, d))
    return centers[rng.integers(0, k, n)] + rng.normal(0, spread, (n, d))


def _classes(x, **kw):
    scores = pd.DataFrame(x, columns=[f"PC{i + 1}" for i in range(x.shape[1])])
    rng = np.random.default_rng(0)
    return kmeans_classes(scores, rng.uniform(1, 2, len(x)), rng.uniform(0, 1, len(x)),
                          n_components=x.shape[1], **kw)


def test_kmeans_classes_is_scikit_learns_partition_and_silhouette():
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    x = _blobs(np.random.default_rng(4), 400, 3, 3, 2.0)
    c = _classes(x, n_bootstrap=0)
    ref = KMeans(n_clusters=3, n_init=10, random_state=42).fit(x)
    assert adjusted_rand_score(c.labels, ref.labels_) == 1.0
    assert c.inertia == pytest.approx(ref.inertia_, rel=1e-12)
    assert c.silhouette == pytest.approx(silhouette_score(x, c.labels), rel=1e-12)
    # centroids in class order, and predict reproduces every label
    for cls in (1, 2, 3):
        assert_allclose(c.centroids[cls - 1], x[c.labels.to_numpy() == cls].mean(axis=0), rtol=1e-9, atol=1e-12)
    assert_array_equal(c.predict(x), c.labels.to_numpy())
    assert np.isnan(c.stability_ari) and len(c.stability_ari_all) == 0


def test_bootstrap_stability_separates_structure_from_noise():
    rng = np.random.default_rng(5)
    clear = _classes(_blobs(rng, 300, 3, 2, 0.3), n_bootstrap=10)
    noise = _classes(rng.uniform(0, 1, (300, 2)), n_bootstrap=10)
    assert_array_equal(clear.stability_ari_all, 1.0)  # well-separated classes come back every time
    assert noise.stability_ari < 0.9 and noise.stability_ari_all.min() < 0.8
    assert len(noise.stability_ari_all) == 10
    assert noise.stability_ari == pytest.approx(noise.stability_ari_all.mean())


def test_kmeans_classes_is_deterministic(reference_results):
    r = reference_results
    again = kmeans_classes(r.pca.scores, r.table.data["conductivity_s_cm"], r.table.data["rd"],
                           n_components=r.clusters.n_components, n_bootstrap=5)
    twice = kmeans_classes(r.pca.scores, r.table.data["conductivity_s_cm"], r.table.data["rd"],
                           n_components=r.clusters.n_components, n_bootstrap=5)
    assert_array_equal(again.stability_ari_all, twice.stability_ari_all)
    assert_array_equal(again.labels, twice.labels)
    # one RandomState draws the resamples in turn: the first 5 of the full run are these 5
    assert_array_equal(again.stability_ari_all, r.clusters.stability_ari_all[:5])


def test_kmeans_classes_large_rule_subsamples_only_silhouette_and_bootstrap():
    from sklearn.metrics import silhouette_score

    x = _blobs(np.random.default_rng(6), 3000, 3, 3, 1.5)
    big = _classes(x, n_bootstrap=2, max_exact=1000, subsample=400)
    exact = _classes(x, n_bootstrap=0)
    assert_array_equal(big.labels, exact.labels)
    assert "on all 3000 films" in big.method and "subsample of 400 films" in big.method
    assert "subsample" not in exact.method
    assert big.silhouette != exact.silhouette
    assert big.silhouette == pytest.approx(silhouette_score(x, exact.labels), abs=0.05)


def test_too_few_distinct_films_is_a_data_error():
    from ssereport import DataError

    x = np.repeat([[0.0, 0.0], [1.0, 1.0]], 5, axis=0)
    with pytest.raises(DataError, match="fewer than 3 distinct classes"):
        _classes(x, n_bootstrap=0)


# ----------------------------------------------------------------------------- process maps

def _design(ls, xb, levels=(3.0, 5.0), reps=1, f=None, seed=7):
    rng = np.random.default_rng(seed)
    rows = [(p, a, b) for p in levels for a in ls for b in xb for _ in range(reps)]
    d = pd.DataFrame(rows, columns=["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"])
    d = d.sample(frac=1.0, random_state=int(seed)).reset_index(drop=True)  # order must not matter
    f = f or (lambda p, a, b: 10 + 3 * a - 0.05 * b + 0.2 * a * b + p)
    d["thickness_um"] = f(d["polymer_wt_pct"], d["ls_ratio"], d["xylene_vol_pct"])
    d["dot_um"] = rng.uniform(1, 10, len(d))
    d["conductivity_s_cm"] = rng.uniform(1e-4, 1e-3, len(d))
    return d


def test_rectangular_design_is_bilinear_and_exact_for_bilinear_surfaces():
    # bilinear interpolation reproduces a + b·x + c·y + d·x·y exactly; a triangulation does not (the x·y term)
    ls, xb = [0.6, 0.75, 1.0, 1.4], [0.0, 25.0, 60.0, 100.0]
    m = process_maps(_design(ls, xb), grid_size=23)
    assert m.level_methods == (BILINEAR, BILINEAR)
    assert "RegularGridInterpolator" in m.method and "P% = 3, 5" in m.method
    gx, gy = np.meshgrid(m.ls, m.xb)
    for i, p in enumerate(m.polymer_levels):
        assert_allclose(m.values["thickness_um"][i], 10 + 3 * gx - 0.05 * gy + 0.2 * gx * gy + p, rtol=1e-12)


def test_rectangular_design_averages_replicates_and_matches_regulargrid():
    from scipy.interpolate import RegularGridInterpolator

    ls, xb = [0.6, 0.9, 1.2], [0.0, 50.0, 100.0]
    d = _design(ls, xb, levels=(4.0,), reps=3)
    m = process_maps(d, grid_size=17)
    mean = d.groupby(["xylene_vol_pct", "ls_ratio"])["dot_um"].mean().unstack().to_numpy()
    ref = RegularGridInterpolator((xb, ls), mean)
    gx, gy = np.meshgrid(m.ls, m.xb)
    assert_allclose(m.values["dot_um"][0], ref(np.column_stack([gy.ravel(), gx.ravel()])).reshape(gx.shape),
                    rtol=1e-12)


def test_missing_combination_falls_back_to_triangulation():
    from scipy.interpolate import griddata

    d = _design([0.6, 1.0, 1.4], [0.0, 50.0, 100.0], levels=(3.0,))
    d = d[~((d["ls_ratio"] == 1.4) & (d["xylene_vol_pct"] == 100.0))]  # one corner missing: not rectangular
    d["conductivity_s_cm"] = 1e-4 * (1 + 2 * d["ls_ratio"] + 0.01 * d["xylene_vol_pct"])  # a plane
    m = process_maps(d, grid_size=21)
    assert m.level_methods == (TRIANGULATION,) and "LinearNDInterpolator" in m.method
    gx, gy = np.meshgrid(m.ls, m.xb)
    # conditions in sorted order (as process_maps groups them): Qhull then splits the co-circular cells alike
    pts = d.sort_values(["ls_ratio", "xylene_vol_pct"])
    ref = griddata(pts[["ls_ratio", "xylene_vol_pct"]].to_numpy(), pts["dot_um"].to_numpy(), (gx, gy),
                   method="linear", rescale=True)
    assert_allclose(m.values["dot_um"][0], ref, rtol=1e-9, equal_nan=True)
    # any triangulation reproduces a plane exactly, inside the hull
    sigma = m.values["conductivity_s_cm"][0]
    inside = ~np.isnan(sigma)
    assert_allclose(sigma[inside], (1e-4 * (1 + 2 * gx + 0.01 * gy))[inside], rtol=1e-12)
    assert np.isnan(sigma[-1, -1]) and inside.mean() > 0.8  # the missing corner is outside the hull


def test_interpolation_equals_griddata_on_random_points():
    from scipy.interpolate import griddata

    rng = np.random.default_rng(16)
    for level_size in (5, 12, 40):
        n = 3 * level_size
        d = pd.DataFrame({"polymer_wt_pct": np.repeat([3.0, 5.0, 7.0], level_size),
                          "ls_ratio": rng.uniform(0.5, 1.5, n).round(6), "xylene_vol_pct": rng.uniform(0, 100, n),
                          "thickness_um": rng.uniform(20, 90, n), "dot_um": rng.uniform(1, 10, n),
                          "conductivity_s_cm": rng.uniform(1e-4, 1e-3, n)})
        m = process_maps(d, grid_size=31)
        assert set(m.level_methods) == {TRIANGULATION}
        gx, gy = np.meshgrid(m.ls, m.xb)
        for i, p in enumerate(m.polymer_levels):
            sub = d[d["polymer_wt_pct"] == p]
            ref = griddata(sub[["ls_ratio", "xylene_vol_pct"]].to_numpy(), sub["dot_um"].to_numpy(), (gx, gy),
                           method="linear", rescale=True)
            assert_allclose(m.values["dot_um"][i], ref, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_degenerate_levels_give_no_surface():
    d = pd.DataFrame({"polymer_wt_pct": [3.0] * 4 + [5.0] * 2 + [7.0] * 4,
                      "ls_ratio": [0.6, 0.8, 1.0, 1.2, 0.6, 1.2, 0.6, 1.2, 0.6, 1.2],
                      "xylene_vol_pct": [0.0, 25.0, 50.0, 75.0, 0.0, 100.0, 0.0, 0.0, 100.0, 100.0],
                      "thickness_um": np.arange(10.0), "dot_um": np.arange(10.0),
                      "conductivity_s_cm": np.arange(1.0, 11.0)})
    m = process_maps(d, grid_size=9)
    # P 3: collinear conditions; P 5: two conditions; P 7: a 2 × 2 rectangle
    assert m.level_methods == (NO_SURFACE, NO_SURFACE, BILINEAR)
    assert np.isnan(m.values["dot_um"][:2]).all() and not np.isnan(m.values["dot_um"][2]).any()
    assert "no surface" in m.method and "P% = 3, 5" in m.method


def test_scattered_large_level_is_binned_then_triangulated():
    rng = np.random.default_rng(8)
    n = 3000
    d = pd.DataFrame({"polymer_wt_pct": 3.0, "ls_ratio": rng.uniform(0.5, 1.5, n),
                      "xylene_vol_pct": rng.uniform(0, 100, n), "thickness_um": rng.uniform(20, 90, n),
                      "dot_um": rng.uniform(1, 10, n), "conductivity_s_cm": rng.uniform(1e-4, 1e-3, n)})
    m = process_maps(d, grid_size=21, max_points=500)
    assert m.binned and m.level_methods == (TRIANGULATION,) and "averaged within the cells" in m.method
    v = m.values["dot_um"][0]
    assert np.nanmin(v) >= 1 and np.nanmax(v) <= 10 and np.isfinite(v).mean() > 0.8


# ----------------------------------------------------------------------------- which libraries run

def test_analysis_runs_on_the_field_libraries():
    code = """
import sys
from ssereport import analyze, Config, load_films
analyze(load_films(sys.argv[1]), Config(n_bootstrap=2, cv_repeats=1))
mods = set(sys.modules)
print(sorted(m for m in ("sklearn.cluster", "sklearn.decomposition", "sklearn.metrics", "scipy.stats",
                         "scipy.interpolate", "statsmodels.formula.api", "statsmodels.stats.anova",
                         "statsmodels.stats.multitest") if m in mods))
print("statsmodels.api" in mods)
"""
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "data" / "sse_films_reference.csv")],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    used, api = out.stdout.strip().splitlines()
    assert used == str(sorted(["sklearn.cluster", "sklearn.decomposition", "sklearn.metrics", "scipy.stats",
                               "scipy.interpolate", "statsmodels.formula.api", "statsmodels.stats.anova",
                               "statsmodels.stats.multitest"]))
    assert api == "False"  # statsmodels.api imports the whole of statsmodels: not used


def test_no_hand_written_numerics_left():
    src = ROOT / "ssereport" / "analysis"
    assert not (src / "_dist.py").exists() and not (src / "_delaunay.py").exists()
    for name in ("pca.py", "clusters.py", "tests.py", "anova.py", "maps.py"):
        text = (src / name).read_text(encoding="utf-8")
        for marker in ("np.linalg.svd", "np.linalg.lstsq", "argsort", "def _lloyd", "def _kmeans_plusplus",
                       "def holm", "def rankdata", "betainc", "gammainc", "def _nearest"):
            assert marker not in text, (name, marker)
    # the one Holm adjustment is statsmodels' (the helper only keeps its gc.collect() off the imported libraries)
    import inspect

    from ssereport.analysis.tests import adjust_holm

    assert "multipletests(p, alpha=alpha, method=\"holm\")[1]" in inspect.getsource(adjust_holm)
