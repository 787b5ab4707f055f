"""The numerical building blocks that replace SciPy and scikit-learn in the analysis.

Distributions (``analysis._dist``), ranks and Kruskal-Wallis (``analysis.tests``),
K-means, silhouette and adjusted Rand index (``analysis.clusters``) and the
Delaunay triangulation of the process maps (``analysis._delaunay``) are
checked against SciPy / scikit-learn (test-only dependencies) and, where those
are themselves inexact, against closed forms evaluated with 50-digit
``decimal`` arithmetic.
"""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import Decimal, getcontext

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from ssereport.analysis import _delaunay as dl
from ssereport.analysis._dist import betainc_pair, chi2_sf, f_sf, gammainc_pair, norm_sf, norm_sf2
from ssereport.analysis.clusters import (_kmeans_plusplus, _lloyd, adjusted_rand_index, kmeans, kmeans_classes,
                                         silhouette_mean)
from ssereport.analysis.tests import dunn, kruskal, rankdata, tie_term

from .conftest import ROOT

stats = pytest.importorskip("scipy.stats")
special = pytest.importorskip("scipy.special")

RTOL = 1e-10
TINY = 1e-280  # below this SciPy itself loses digits (checked against mpmath); we only compare above it


def _check(got, ref, info, rtol=RTOL):
    if ref >= TINY:
        assert got == pytest.approx(ref, rel=rtol, abs=0), info
    else:
        assert got < 1e-250, info  # both underflow (SciPy sometimes to 0 too early)


# ----------------------------------------------------------------------------- distributions

def test_chi2_sf_matches_scipy_on_a_dense_grid():
    xs = np.concatenate([np.geomspace(1e-12, 5e3, 160), np.linspace(0.5, 40, 80)])
    for df in [*range(1, 41), 55, 100, 333, 1000, 5000]:
        for x in xs:
            _check(chi2_sf(float(x), df), stats.chi2.sf(x, df), (df, x))


def _poisson_tail(k: int, lam: Decimal) -> Decimal:
    """Q(k, λ) = e^(−λ) Σ_{j<k} λ^j / j!  (χ² survival with df = 2k at x = 2λ), exact to ~1e-45."""
    term, s = Decimal(1), Decimal(1)
    for j in range(1, k):
        term = term * lam / j
        s += term
    return (-lam).exp() * s


@pytest.mark.parametrize("df", [2, 4, 10, 200, 2000, 20000])
def test_chi2_sf_matches_a_closed_form_to_1e12(df):
    getcontext().prec = 50
    for x in np.unique(np.r_[df * np.linspace(0.5, 2.0, 13), df + np.sqrt(df) * np.arange(-3, 30, 3),
                             [0.01, 1.0, 1300.0]]):
        if x <= 0:
            continue
        exact = _poisson_tail(df // 2, Decimal(float(x)) / 2)
        if exact < Decimal("1e-300"):
            continue
        assert chi2_sf(float(x), df) == pytest.approx(float(exact), rel=1e-12), (df, x)


def test_gammainc_pair_matches_scipy():
    for a in [0.01, 0.5, 1.0, 1.5, 4.5, 9.99, 10.0, 10.5, 17.0, 50.0, 300.0, 1e4, 1e5]:
        xs = np.concatenate([np.geomspace(1e-10, 1e6, 120), a * np.linspace(0.5, 1.5, 41)])
        for x in xs:
            p, q = gammainc_pair(a, float(x))
            _check(p, special.gammainc(a, x), ("P", a, x))
            _check(q, special.gammaincc(a, x), ("Q", a, x))
            assert p + q == pytest.approx(1.0, abs=1e-15)


def test_f_sf_matches_scipy():
    fs = np.concatenate([np.geomspace(1e-8, 1e12, 120), np.linspace(0.5, 10, 40)])
    # SciPy is accurate for df1 ≤ 2 at any df2, and for df2 ≤ 1e4 (larger df2 with df1 ≥ 3: see below)
    cases = [(d1, d2) for d1 in (1, 2) for d2 in (1, 2, 3, 5, 10, 29, 30, 31, 106, 1000, 1e4, 1e5, 999996, 1e7)]
    cases += [(d1, d2) for d1 in (3, 4, 5, 10, 19, 20, 21, 50, 1000) for d2 in (1, 3, 10, 30, 106, 1000, 1e4)]
    for d1, d2 in cases:
        for f in fs:
            _check(f_sf(float(f), d1, d2), stats.f.sf(f, d1, d2), (d1, d2, f))


def _f_sf_even_df1(f: float, d1: int, d2: float) -> Decimal:
    """P(F > f) = I_x(d2/2, m) = x^a Σ_{j<m} (a)_j / j! y^j for even d1 = 2m (a = d2/2, x = d2/(d2 + d1 f))."""
    fd, d1d, d2d = Decimal(f), Decimal(d1), Decimal(d2)
    x = d2d / (d2d + d1d * fd)
    y = d1d * fd / (d2d + d1d * fd)
    a = d2d / 2
    term, s = Decimal(1), Decimal(1)
    for j in range(1, d1 // 2):
        term = term * (a + j - 1) * y / j
        s += term
    return (a * x.ln()).exp() * s


@pytest.mark.parametrize("d1", [2, 4, 10, 20])
@pytest.mark.parametrize("d2", [106, 1e6, 1e7])
def test_f_sf_large_df2_matches_a_closed_form_to_1e12(d1, d2):
    # SciPy loses ~1e-16 · df2 here (2.7e-10 at df2 = 1e7); the closed form is exact
    getcontext().prec = 50
    for f in [0.3, 0.9, 1.0, 1.5, 2.1, 3.0, 4.0, 8.6, 30.0, 300.0]:
        exact = _f_sf_even_df1(f, d1, d2)
        if exact < Decimal("1e-300"):
            continue
        assert f_sf(f, d1, d2) == pytest.approx(float(exact), rel=1e-12), (d1, d2, f)


def test_betainc_pair_matches_scipy():
    shapes = [0.01, 0.3, 0.5, 1.0, 1.5, 2.0, 5.0, 14.0, 15.0, 16.0, 30.0, 100.0, 1e4]
    xs = np.concatenate([np.geomspace(1e-12, 0.5, 40), 1 - np.geomspace(1e-12, 0.5, 40)])
    for a in shapes:
        for b in shapes:
            for x in np.r_[xs, a / (a + b)]:
                i, j = betainc_pair(a, b, float(x))
                _check(i, special.betainc(a, b, x), ("I", a, b, x))
                _check(j, special.betaincc(a, b, x), ("1-I", a, b, x))


def test_norm_sf_matches_scipy_into_the_far_tail():
    for z in np.linspace(-40, 40, 4001):
        _check(norm_sf(float(z)), stats.norm.sf(z), z, rtol=1e-12)
        _check(norm_sf2(float(z)), 2 * stats.norm.sf(abs(z)), z, rtol=1e-12)


def test_distribution_edge_cases():
    assert chi2_sf(0.0, 3) == 1.0 and chi2_sf(-1.0, 3) == 1.0 and chi2_sf(math.inf, 2) == 0.0
    assert math.isnan(chi2_sf(math.nan, 2)) and math.isnan(f_sf(math.nan, 1, 10))
    assert f_sf(0.0, 1, 10) == 1.0 and f_sf(math.inf, 1, 10) == 0.0
    assert chi2_sf(1e5, 2) == 0.0 == stats.chi2.sf(1e5, 2)  # underflow
    assert chi2_sf(1400.0, 2) == pytest.approx(math.exp(-700.0), rel=1e-13)  # df 2: exactly e^(−x/2)
    assert norm_sf(0.0) == 0.5 and norm_sf(50.0) == 0.0
    with pytest.raises(ValueError, match="degrees of freedom must be > 0; got 0"):
        chi2_sf(1.0, 0)
    with pytest.raises(ValueError, match="df1=-1"):
        f_sf(1.0, -1, 3)
    with pytest.raises(ValueError, match="x must be in"):
        betainc_pair(1.0, 2.0, 1.5)


# ----------------------------------------------------------------------------- ranks, Kruskal-Wallis, Dunn

def _tied_samples(rng, n, k):
    y = rng.integers(0, 12, n).astype(float) / 4  # many ties
    g = rng.integers(1, k + 1, n)
    return pd.DataFrame({"y": y, "g": g})


def test_rankdata_matches_scipy_with_ties():
    rng = np.random.default_rng(1)
    for n in (1, 2, 7, 100, 1000):
        y = rng.integers(0, max(n // 3, 1), n).astype(float)
        assert_array_equal(rankdata(y), stats.rankdata(y))
    assert_array_equal(rankdata([3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0])
    assert tie_term([3.0, 1.0, 3.0, 2.0, 3.0]) == 24.0  # one group of 3: 27 - 3


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


def test_dunn_matches_scikit_posthocs_on_random_tied_data():
    sp = pytest.importorskip("scikit_posthocs")
    rng = np.random.default_rng(3)
    for _ in range(10):
        d = _tied_samples(rng, 150, 3)
        ours = dunn(d, "y", "g")
        ref = sp.posthoc_dunn(d, val_col="y", group_col="g", p_adjust="holm")
        for _, row in ours.iterrows():
            assert row["p_value"] == pytest.approx(ref.loc[row["group1"], row["group2"]], rel=1e-10)


# ----------------------------------------------------------------------------- K-means, silhouette, ARI

def _blobs(rng, n, k, d, spread=1.0):
    centers = rng.normal(0, 4, (k, d))
    return centers[rng.integers(0, k, n)] + rng.normal(0, spread, (n, d))


def test_kmeans_plusplus_matches_scikit_learn_draw_for_draw():
    from sklearn.cluster import kmeans_plusplus

    rng = np.random.default_rng(4)
    for k in (2, 3, 5, 8):
        x = _blobs(rng, 300, k, 3)
        for seed in (0, 42, 7):
            ref, _ = kmeans_plusplus(x, k, random_state=seed)
            assert_array_equal(_kmeans_plusplus(x, k, np.random.RandomState(seed)), ref)


def test_plain_kmeans_plusplus_draws_as_before():
    # the bootstrap's seeding (one candidate, Generator) must draw as the former rng.choice version
    def former(x, k, rng):
        centers = [x[rng.integers(len(x))]]
        d2 = ((x - centers[0]) ** 2).sum(axis=1)
        for _ in range(1, k):
            total = d2.sum()
            i = rng.choice(len(x), p=d2 / total) if total > 0 else rng.integers(len(x))
            centers.append(x[i])
            d2 = np.minimum(d2, ((x - x[i]) ** 2).sum(axis=1))
        return np.array(centers)

    x = _blobs(np.random.default_rng(5), 200, 3, 3)
    a, b = np.random.default_rng(9), np.random.default_rng(9)
    for _ in range(30):
        assert_array_equal(_kmeans_plusplus(x, 3, a, n_local_trials=1), former(x, 3, b))
    assert a.random() == b.random()  # the streams stay in step


@pytest.mark.parametrize("k", [2, 3, 5])
def test_kmeans_matches_scikit_learn_kmeans(k):
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(10 + k)
    for spread in (0.5, 2.5):  # separated and overlapping clusters
        x = _blobs(rng, 400, k, 3, spread)
        for seed in (0, 42):
            centers, labels, inertia = kmeans(x, k, n_init=10, random_state=seed)
            ref = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(x)
            assert_array_equal(labels, ref.labels_)
            assert_allclose(centers, ref.cluster_centers_, rtol=1e-10, atol=1e-12)
            assert inertia == pytest.approx(ref.inertia_, rel=1e-10)


def test_kmeans_large_path_matches_scikit_learn():
    # above 4·2^16 (films × starts) the starts run one after another; same result
    from sklearn.cluster import KMeans

    x = _blobs(np.random.default_rng(11), 30000, 3, 3, 2.0)
    centers, labels, _ = kmeans(x, 3, n_init=10, random_state=42)
    ref = KMeans(n_clusters=3, n_init=10, random_state=42).fit(x)
    assert_array_equal(labels, ref.labels_)
    assert_allclose(centers, ref.cluster_centers_, rtol=1e-10)


def test_lloyd_with_given_starts_and_an_empty_cluster_matches_scikit_learn():
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(12)
    x = _blobs(rng, 500, 3, 2)
    starts = np.array([x[0], x[1], [1e3, 1e3]])  # the far start gets no point: relocated
    xc = x - x.mean(axis=0)
    labels, inertia, centers = _lloyd(xc[None], (starts - x.mean(axis=0))[None], tol=0.0)
    ref = KMeans(n_clusters=3, init=starts, n_init=1, tol=0.0).fit(x)
    assert_array_equal(labels[0], ref.labels_)
    assert_allclose(centers[0] + x.mean(axis=0), ref.cluster_centers_, rtol=1e-10)
    assert inertia[0] == pytest.approx(ref.inertia_, rel=1e-10)


def test_kmeans_on_reference_data_is_scikit_learns_partition(reference_results):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    c = reference_results.clusters
    x = reference_results.pca.scores.iloc[:, : c.n_components].to_numpy()
    ref = KMeans(n_clusters=3, n_init=10, random_state=42).fit(x)
    assert adjusted_rand_score(c.labels, ref.labels_) == 1.0
    assert_allclose(np.sort(c.centroids, axis=0), np.sort(ref.cluster_centers_, axis=0), rtol=1e-10)
    assert c.inertia == pytest.approx(ref.inertia_, rel=1e-10)


def test_kmeans_classes_is_deterministic(reference_results):
    r = reference_results
    again = kmeans_classes(r.pca.scores, r.table.data["conductivity_s_cm"], r.table.data["rd"],
                           n_components=r.clusters.n_components, n_bootstrap=5)
    twice = kmeans_classes(r.pca.scores, r.table.data["conductivity_s_cm"], r.table.data["rd"],
                           n_components=r.clusters.n_components, n_bootstrap=5)
    assert_array_equal(again.stability_ari_all, twice.stability_ari_all)
    assert_array_equal(again.labels, twice.labels)
    # the first 5 resamples of the full run are these 5
    assert_array_equal(again.stability_ari_all, r.clusters.stability_ari_all[:5])


def test_silhouette_matches_scikit_learn():
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(13)
    for n, k in ((20, 2), (110, 3), (400, 5), (5000, 3)):
        x = _blobs(rng, n, k, 3, 2.0)
        labels = rng.integers(0, k, n) if n == 20 else KMeansLabels(x, k)
        assert silhouette_mean(x, labels) == pytest.approx(silhouette_score(x, labels), rel=1e-10)
    # a singleton cluster has s = 0, as in scikit-learn and R
    x = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0]])
    labels = np.array([1, 1, 1, 2])
    assert silhouette_mean(x, labels) == pytest.approx(silhouette_score(x, labels), rel=1e-12)
    with pytest.raises(ValueError, match="needs 2 to n - 1"):
        silhouette_mean(x, np.ones(4))


def KMeansLabels(x, k):  # noqa: N802 - tiny helper
    return kmeans(x, k, n_init=2, random_state=0)[1]


def test_adjusted_rand_index_equals_scikit_learn():
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(14)
    for n in (2, 5, 50, 5000):
        for ka, kb in ((1, 1), (2, 3), (5, 5), (n, 2)):
            a = rng.integers(0, ka, n)
            b = rng.integers(0, kb, n)
            assert adjusted_rand_index(a, b) == adjusted_rand_score(a, b)
            assert adjusted_rand_index(a, a) == 1.0
    assert adjusted_rand_index(["x", "x", "y"], [2, 2, 7]) == 1.0
    with pytest.raises(ValueError, match="one length"):
        adjusted_rand_index([1, 2], [1, 2, 3])


# ----------------------------------------------------------------------------- Delaunay and process maps

def _empty_circle(pts, tris):
    """Exact check: every triangle CCW and no point strictly inside any circumcircle."""
    p = [tuple(r) for r in np.asarray(pts, dtype=float).tolist()]
    for a, b, c in tris:
        assert dl._orient(p[a], p[b], p[c]) > 0
        for d in range(len(p)):
            if d not in (a, b, c):
                assert dl._incircle_exact_sign(p[a], p[b], p[c], p[d]) <= 0


def _tri_set(tris):
    return {tuple(sorted(t)) for t in np.asarray(tris).tolist()}


def test_delaunay_equals_qhull_on_random_points():
    from scipy.spatial import Delaunay

    rng = np.random.default_rng(15)
    for n in (3, 4, 5, 8, 25, 60, 300):
        for _ in range(10):
            pts = rng.random((n, 2))
            ours = dl.delaunay(pts)
            assert _tri_set(ours) == _tri_set(Delaunay(pts).simplices)
            if n <= 60:
                _empty_circle(pts, ours)


def test_interpolation_equals_griddata_on_random_points():
    from scipy.interpolate import griddata

    from ssereport.analysis.maps import process_maps

    rng = np.random.default_rng(16)
    for level_size in (5, 12, 40):
        n = 3 * level_size
        d = pd.DataFrame({"polymer_wt_pct": np.repeat([3.0, 5.0, 7.0], level_size),
                          "ls_ratio": rng.uniform(0.5, 1.5, n).round(6), "xylene_vol_pct": rng.uniform(0, 100, n),
                          "thickness_um": rng.uniform(20, 90, n), "dot_um": rng.uniform(1, 10, n),
                          "conductivity_s_cm": rng.uniform(1e-4, 1e-3, n)})
        m = process_maps(d, grid_size=31)
        gx, gy = np.meshgrid(m.ls, m.xb)
        for i, p in enumerate(m.polymer_levels):
            sub = d[d["polymer_wt_pct"] == p]
            ref = griddata(sub[["ls_ratio", "xylene_vol_pct"]].to_numpy(), sub["dot_um"].to_numpy(), (gx, gy),
                           method="linear", rescale=True)
            assert_allclose(m.values["dot_um"][i], ref, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_grid_design_rule_for_cocircular_cells():
    # a 5 × 4 rectangular design: every cell is co-circular; each is split from its
    # (low x, high y) corner to its (high x, low y) corner, whatever the input order
    xs, ys = np.array([0.6, 0.8, 1.0, 1.2, 1.4]), np.array([0.0, 25.0, 50.0, 100.0])
    pts = np.array([(x, y) for x in xs for y in ys])
    unit = (pts - pts.min(axis=0)) / np.ptp(pts, axis=0)
    rng = np.random.default_rng(17)
    expected = None
    for _ in range(5):
        perm = rng.permutation(len(unit))
        tris = perm[dl.delaunay(unit[perm])]
        got = _tri_set(tris)
        expected = expected or got
        assert got == expected
    _empty_circle(unit, dl.delaunay(unit))
    assert len(expected) == 2 * 4 * 3
    for tri in expected:
        corners = unit[list(tri)]
        # the diagonal of the cell (the edge whose ends differ in both coordinates) runs from upper left to lower right
        for a in range(3):
            for b in range(a + 1, 3):
                dx, dy = corners[b] - corners[a]
                if dx != 0 and dy != 0:
                    assert dx * dy < 0


def test_locate_skips_a_hull_sliver_and_still_matches_qhull():
    """Found by Hypothesis: (1/7, 0), (4/7, 1/2), (1, 1) are collinear up to rounding, so the triangulation
    holds a sliver along the hull whose area rounds to 0; locating must neither divide by zero (a warning,
    an error under pytest) nor change any interpolated value."""
    interpolate = pytest.importorskip("scipy.interpolate")
    hexes = [("0x0.0p+0", "0x1.0p-1"), ("0x1.2492492492491p-3", "0x0.0p+0"),
             ("0x1.2492492492491p-3", "0x1.0p-2"), ("0x1.2492492492491p-3", "0x1.8p-1"),
             ("0x1.2492492492491p-3", "0x1.0p+0"), ("0x1.2492492492492p-1", "0x1.0p-1"),
             ("0x1.2492492492492p-1", "0x1.8p-1"), ("0x1.6db6db6db6db6p-1", "0x1.8p-1"), ("0x1.0p+0", "0x1.0p+0")]
    pts = np.array([[float.fromhex(x), float.fromhex(y)] for x, y in hexes])
    tri = dl.delaunay(pts)
    rng = np.random.default_rng(3)
    values = rng.normal(size=len(pts))
    queries = np.vstack([rng.uniform(0, 1, size=(4000, 2)), pts, (pts[1] + pts[8]) / 2, 0.3 * pts[1] + 0.7 * pts[8]])
    simplex, weights = dl.locate(pts, tri, queries)  # warnings are errors in this suite
    ours = np.where(simplex >= 0, (weights * values[tri[np.maximum(simplex, 0)]]).sum(axis=1), np.nan)
    ref = interpolate.griddata(pts, values, queries, method="linear")
    assert_array_equal(np.isnan(ours), np.isnan(ref))
    assert_allclose(ours[~np.isnan(ours)], ref[~np.isnan(ref)], rtol=0, atol=1e-12)


def test_delaunay_degenerate_inputs():
    assert dl.delaunay(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])).shape == (0, 3)
    assert dl.delaunay(np.array([[0.0, 0.0], [1.0, 1.0]])).shape == (0, 3)
    col = np.array([[0.0, 0.0], [0.0, 1.0], [0.0, 2.0], [0.0, 3.0], [1.0, 1.5], [-1.0, 1.5]])
    tris = dl.delaunay(col)
    _empty_circle(col, tris)
    assert len(tris) == 6  # collinear points stay vertices
    dup = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert _tri_set(dl.delaunay(dup)) == {(0, 1, 2)}  # only the first of equal points is used
    octagon = np.c_[np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)]
    tris = dl.delaunay(octagon)  # 8 co-circular points: a fan, still a triangulation
    assert len(tris) == 6
    _empty_circle(octagon, tris)
    # near-degenerate: 1e-17 away from collinear is still decided exactly
    near = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0 + 4e-16], [3.0, 3.0]])
    _empty_circle(near, dl.delaunay(near))


def test_process_maps_match_qhull_except_in_cocircular_cells(reference_results):
    # On the reference design (5 × 5 grid per P%) every cell is co-circular, so the
    # triangulation is ambiguous: values agree with SciPy wherever both use the same
    # triangle (or agree anyway, on cell edges); elsewhere the two triangles form a
    # co-circular quadrilateral and ours is the linear interpolation on our triangle.
    from matplotlib.tri import LinearTriInterpolator, Triangulation
    from scipy.interpolate import griddata
    from scipy.spatial import Delaunay

    m = reference_results.maps
    d = reference_results.table.data
    gx, gy = np.meshgrid(m.ls, m.xb)
    n_same = n_diff = 0
    for i, p in enumerate(m.polymer_levels):
        sub = d[d["polymer_wt_pct"] == p].groupby(["ls_ratio", "xylene_vol_pct"])["dot_um"].mean().reset_index()
        pts = sub[["ls_ratio", "xylene_vol_pct"]].to_numpy()
        z = sub["dot_um"].to_numpy()
        ours = m.values["dot_um"][i].ravel()
        ref = griddata(pts, z, (gx, gy), method="linear", rescale=True).ravel()
        assert_array_equal(np.isnan(ours), np.isnan(ref))
        lo, span = pts.min(axis=0), np.ptp(pts, axis=0)
        unit = (pts - lo) / span
        q = np.column_stack([(gx.ravel() - lo[0]) / span[0], (gy.ravel() - lo[1]) / span[1]])
        qh = Delaunay(unit)
        s_ref = qh.find_simplex(q, tol=1e-9)
        tris = dl.delaunay(unit)
        _empty_circle(unit, tris)
        s_ours, _ = dl.locate(unit, tris, q)
        for j in np.flatnonzero(s_ours >= 0):
            a, b = set(qh.simplices[s_ref[j]]), set(tris[s_ours[j]])
            if a == b or abs(ours[j] - ref[j]) <= 1e-9 * abs(ref[j]):
                assert ours[j] == pytest.approx(ref[j], rel=1e-9)
                n_same += 1
            else:
                quad = [tuple(unit[v]) for v in sorted(a | b)]
                assert len(quad) == 4 and dl._incircle_exact_sign(*quad) == 0
                n_diff += 1
        mpl = LinearTriInterpolator(Triangulation(unit[:, 0], unit[:, 1], tris), z)(q[:, 0], q[:, 1])
        ok = ~np.ma.getmaskarray(mpl)
        assert_allclose(ours[ok], np.asarray(mpl)[ok], rtol=1e-9)
    assert n_same > 0 and n_diff > 0


# ----------------------------------------------------------------------------- no heavy imports

def test_analysis_imports_neither_scipy_nor_scikit_learn():
    code = """
import sys
from ssereport.io import load_films
from ssereport.analysis.pca import pca
from ssereport.analysis.clusters import kmeans_classes
from ssereport.analysis.tests import class_summary, dunn, kruskal
from ssereport.analysis.anova import log_anova
from ssereport.analysis.maps import process_maps
from ssereport.schema import FILM_VARIABLES, PCA_FEATURES
d = load_films(sys.argv[1]).data
p = pca(d, PCA_FEATURES)
c = kmeans_classes(p.scores, d["conductivity_s_cm"], d["rd"], n_components=3, n_bootstrap=3)
lab = d.assign(**{"class": c.labels})
kruskal(lab, "rd", "class"), dunn(lab, "rd", "class"), class_summary(lab, FILM_VARIABLES, "class")
log_anova(d), process_maps(d)
print(sorted({m.split(".")[0] for m in sys.modules} & {"scipy", "sklearn", "imblearn", "matplotlib"}))
"""
    out = subprocess.run([sys.executable, "-c", code, str(ROOT / "data" / "sse_films_reference.csv")],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
