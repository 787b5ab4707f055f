"""Invariants of the analysis functions (R comparisons are in test_against_r.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ssereport import DataError
from ssereport.analysis.anova import log_anova
from ssereport.analysis.classifier import svm_classifier
from ssereport.analysis.clusters import kmeans_classes, renumber
from ssereport.analysis.pca import pca
from ssereport.analysis.tests import dunn, kruskal
from ssereport.schema import PCA_FEATURES


def test_renumber_rule():
    raw = np.array([0, 0, 1, 1, 2, 2])
    sigma = np.array([5, 5, 1, 1, 6, 6]) * 1e-4  # cluster 1 lowest sigma -> class 3
    rd = np.array([0.2, 0.2, 0.1, 0.1, 0.05, 0.05])  # cluster 2 lower RD -> class 1
    assert renumber(raw, sigma, rd) == {2: 1, 0: 2, 1: 3}


def test_renumbering_applied_to_reference(reference_results):
    d = reference_results.data
    med = d.groupby("class")[["conductivity_s_cm", "rd"]].median()
    assert med["conductivity_s_cm"].idxmin() == 3
    assert med.loc[1, "rd"] < med.loc[2, "rd"]


def test_kmeans_seed_stability(reference_results):
    r = reference_results
    again = kmeans_classes(r.pca.scores, r.table.data["conductivity_s_cm"], r.table.data["rd"],
                           n_components=r.clusters.n_components, n_bootstrap=0, random_state=42)
    assert (again.labels == r.clusters.labels).all()
    other_seed = kmeans_classes(r.pca.scores, r.table.data["conductivity_s_cm"], r.table.data["rd"],
                                n_components=r.clusters.n_components, n_bootstrap=0, random_state=7)
    from sklearn.metrics import adjusted_rand_score

    # the classes are real structure: another seed finds the same partition with the same numbers
    assert adjusted_rand_score(other_seed.labels, r.clusters.labels) > 0.95
    assert (other_seed.labels == r.clusters.labels).mean() > 0.97


def test_centroid_predict_reproduces_labels(reference_results):
    c = reference_results.clusters
    pred = c.predict(reference_results.pca.scores.to_numpy())
    assert (pred == c.labels.to_numpy()).all()


def test_pca_transform_matches_scores(reference_results):
    p = reference_results.pca
    np.testing.assert_allclose(p.transform(reference_results.table.data), p.scores.to_numpy(), atol=1e-10)
    # loadings are correlations: |r| <= 1 and row sums of squares = 1 over all PCs
    assert np.all(np.abs(p.loadings.to_numpy()) <= 1 + 1e-12)
    np.testing.assert_allclose((p.loadings.to_numpy() ** 2).sum(axis=1), 1.0)
    corr = np.corrcoef(reference_results.table.data["conductivity_s_cm"], p.scores["PC1"])[0, 1]
    np.testing.assert_allclose(p.loadings.loc["conductivity_s_cm", "PC1"], corr)


def test_pca_scale_is_the_n_minus_1_sd_of_prcomp(reference_results):
    # StandardScaler divides by the n-denominator SD; PCAResult keeps R's n − 1 SD, and the scores,
    # SDs and loadings on prcomp's scale, so that a saved model's transform() equals the scores
    d = reference_results.table.data
    p = reference_results.pca
    x = d[list(p.features)].to_numpy()
    np.testing.assert_allclose(p.scale, x.std(axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(p.mean, x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(p.scores.std(ddof=1).to_numpy(), p.sdev, rtol=1e-10)
    # the sign rule: each component's largest |coefficient| is positive
    rows = np.arange(len(p.components))
    assert np.all(p.components[rows, np.abs(p.components).argmax(axis=1)] > 0)
    assert "StandardScaler" in p.method and "PCA" in p.method


def test_pca_constant_column_is_data_error(reference_table):
    d = reference_table.data.assign(density_g_cm3=1.5)
    with pytest.raises(DataError, match="column 'density_g_cm3'.*all 110 values are equal"):
        pca(d, PCA_FEATURES)


def test_oversampling_never_touches_held_out(reference_results):
    k = reference_results.classifier
    assert set(k.oversampled_index) <= set(k.train_index)
    assert not set(k.train_index) & set(k.test_index)
    assert len(k.train_index) + len(k.test_index) == 110
    # after oversampling every class has the majority count
    assert len(set(k.counts_after.values())) == 1
    assert max(k.counts_before.values()) == k.counts_after[1]
    # stratified: the test part has each class in proportion (±1 film)
    counts = reference_results.clusters.counts
    for cls, n in counts.items():
        assert abs(int((k.y_test == cls).sum()) - n * 0.2) <= 1


def test_confusion_matrix_rows_are_actual(reference_results):
    k = reference_results.classifier
    cm = k.confusion_matrix
    for i, cls in enumerate(k.labels):
        assert cm[i].sum() == (k.y_test == cls).sum()
        assert cm[:, i].sum() == (k.y_pred == cls).sum()


def test_margin_sign_matches_prediction(reference_results):
    k = reference_results.classifier
    d = reference_results.table.data
    pred, margin = k.predict(d)
    np.testing.assert_array_equal(pred, k.model.predict(d[list(k.features)].to_numpy()))
    assert np.isfinite(margin).all()
    # far outside the data, margins grow; near the boundary they shrink
    assert np.mean(margin > 0) > 0.95


def test_classifier_small_class_is_data_error(reference_table):
    d = reference_table.data
    classes = pd.Series(1, index=d.index)
    classes.iloc[:3] = 2
    classes.iloc[3:40] = 3
    with pytest.raises(DataError, match="class 2 has 3 film"):
        svm_classifier(d, classes)


def test_decision_map_levels(reference_results):
    dm = reference_results.decision_map
    assert dm.polymer_levels == (3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0)
    assert dm.observed == (True, False, True, False, True, False, False, True)
    assert dm.predicted.shape == (8, len(dm.xb), len(dm.ls))
    assert set(np.unique(dm.predicted)) <= {1, 2, 3}
    # paper Fig. 4: from low to high L:S the regions are class 3, class 1, class 2
    mid = len(dm.xb) // 2
    row = dm.predicted[0, mid]
    assert row[0] == 3 and row[-1] == 2 and 1 in row


def test_holm_matches_known_values():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") -> 0.03 0.06 0.06 0.02 (the call dunn() makes)
    from statsmodels.stats.multitest import multipletests

    np.testing.assert_allclose(multipletests([0.01, 0.04, 0.03, 0.005], method="holm")[1], [0.03, 0.06, 0.06, 0.02])


def test_kruskal_constant_is_nan():
    d = pd.DataFrame({"y": [1.0] * 6, "g": [1, 1, 2, 2, 3, 3]})
    out = kruskal(d, "y", "g")
    assert np.isnan(out.loc[0, "H"]) and out.loc[0, "df"] == 2


def test_dunn_agrees_with_scikit_posthocs(reference_results):
    import scikit_posthocs as sp

    d = reference_results.data
    ours = dunn(d, "rd", "class")
    ref = sp.posthoc_dunn(d, val_col="rd", group_col="class", p_adjust="holm")
    for _, row in ours.iterrows():
        np.testing.assert_allclose(row["p_value"], ref.loc[row["group1"], row["group2"]], rtol=1e-10)


@pytest.mark.parametrize("typ", [1, 2, 3])
def test_anova_agrees_with_statsmodels(reference_table, typ):
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    d = reference_table.data
    ours = log_anova(d, typ=typ).table.set_index("term")
    fit = smf.ols("np.log(rd) ~ xylene_vol_pct * ls_ratio", data=d).fit()
    ref = anova_lm(fit, typ=typ)
    for term in ("xylene_vol_pct", "ls_ratio", "xylene_vol_pct:ls_ratio", "Residual"):
        np.testing.assert_allclose(ours.loc[term, "sum_sq"], ref.loc[term, "sum_sq"], rtol=1e-8)
    np.testing.assert_allclose(ours.loc["xylene_vol_pct:ls_ratio", "p_value"],
                               ref.loc["xylene_vol_pct:ls_ratio", "PR(>F)"], rtol=1e-8)


def test_anova_rejects_nonpositive_rd(reference_table):
    d = reference_table.data.copy()
    d.iloc[4, d.columns.get_loc("rd")] = 0.0
    with pytest.raises(DataError, match="log\\(rd\\) needs every rd > 0"):
        log_anova(d)


def test_process_maps_are_bilinear_on_the_reference_design(reference_results):
    # Each P% level of the reference data is a rectangular design (5 L:S × 5 X:B), so the maps are
    # bilinear (RegularGridInterpolator): on the design's grid lines they equal SciPy's griddata (grid lines
    # are edges of every triangulation); inside a cell they are the bilinear blend of its 4 corners.
    from scipy.interpolate import griddata

    m = reference_results.maps
    d = reference_results.table.data
    assert set(m.level_methods) == {"bilinear"} and "RegularGridInterpolator" in m.method
    gx, gy = np.meshgrid(m.ls, m.xb)
    n_inside = 0
    for i, p in enumerate(m.polymer_levels):
        sub = d[d["polymer_wt_pct"] == p].groupby(["ls_ratio", "xylene_vol_pct"])["dot_um"].mean().reset_index()
        ref = griddata(sub[["ls_ratio", "xylene_vol_pct"]].to_numpy(), sub["dot_um"].to_numpy(), (gx, gy),
                       method="linear", rescale=True)
        np.testing.assert_array_equal(np.isnan(m.values["dot_um"][i]), np.isnan(ref))
        u_ls, u_xb = np.unique(sub["ls_ratio"]), np.unique(sub["xylene_vol_pct"])
        on_lines = (np.isclose(gx[..., None], u_ls, rtol=0, atol=1e-12).any(axis=-1)
                    | np.isclose(gy[..., None], u_xb, rtol=0, atol=1e-9).any(axis=-1))
        assert on_lines.sum() > 300
        np.testing.assert_allclose(m.values["dot_um"][i][on_lines], ref[on_lines], rtol=1e-9)
        z = sub.set_index(["ls_ratio", "xylene_vol_pct"])["dot_um"]
        for r, c in zip(*np.nonzero(~on_lines & ~np.isnan(ref))):
            x, y = gx[r, c], gy[r, c]
            j, k = np.searchsorted(u_ls, x) - 1, np.searchsorted(u_xb, y) - 1
            x0, x1, y0, y1 = u_ls[j], u_ls[j + 1], u_xb[k], u_xb[k + 1]
            tx, ty = (x - x0) / (x1 - x0), (y - y0) / (y1 - y0)
            want = ((1 - tx) * (1 - ty) * z[(x0, y0)] + tx * (1 - ty) * z[(x1, y0)]
                    + (1 - tx) * ty * z[(x0, y1)] + tx * ty * z[(x1, y1)])
            np.testing.assert_allclose(m.values["dot_um"][i][r, c], want, rtol=1e-10)
            n_inside += 1
    assert n_inside > 1000
    np.testing.assert_allclose(m.dot_mean, m.values["dot_um"].mean(axis=0))
