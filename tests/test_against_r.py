"""Statistics checked against R 4.2 (base R only); scripts and outputs in tests/reference/.

ssereport computes them with scikit-learn, SciPy and statsmodels; these tests pin those calls, and the way
ssereport combines them, to R.

Regenerate with ``bash tests/reference/regenerate.sh`` (needs ``r-base-core``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from ssereport.analysis.anova import log_anova
from ssereport.analysis.pca import pca
from ssereport.analysis.tests import class_summary, dunn, kruskal
from ssereport.schema import FILM_VARIABLES, PCA_FEATURES

from .conftest import REF_DIR

RTOL = 1e-6  # R and numpy agree to ~1e-12; 1e-6 is the project standard


def ref(name: str) -> pd.DataFrame:
    return pd.read_csv(REF_DIR / name)


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    # read directly: this file only feeds the statistics, not the loader
    return pd.read_csv(REF_DIR / "films_small.csv")


@pytest.fixture(scope="module")
def reference_data(reference_table) -> pd.DataFrame:
    return reference_table.data


@pytest.mark.parametrize("prefix", ["small", "reference"])
def test_pca_matches_prcomp(prefix, small, reference_data):
    # R: prcomp(d[, feats], scale. = TRUE)
    d = small if prefix == "small" else reference_data
    p = pca(d, PCA_FEATURES)
    expl = ref(f"{prefix}_pca_explained.csv")
    assert_allclose(p.sdev, expl["sdev"], rtol=RTOL)
    assert_allclose(p.explained_variance_ratio, expl["explained_variance_ratio"], rtol=RTOL)
    load = ref(f"{prefix}_pca_loadings.csv").set_index("feature")
    scores = ref(f"{prefix}_pca_scores.csv")
    for j in range(3):  # up to sign, as every PCA
        col = f"PC{j + 1}"
        sign = np.sign(p.loadings[col].to_numpy() @ load[col].loc[list(PCA_FEATURES)].to_numpy())
        assert_allclose(sign * p.loadings[col].to_numpy(), load[col].loc[list(PCA_FEATURES)], rtol=RTOL,
                        atol=1e-10)
        assert_allclose(sign * p.scores[col].to_numpy(), scores[col], rtol=RTOL, atol=1e-10)


@pytest.mark.parametrize("typ", [1, 2, 3])
@pytest.mark.parametrize("prefix", ["small", "reference"])
def test_log_anova_matches_r(prefix, typ, small, reference_data):
    # R: anova(lm(log(rd) ~ xylene_vol_pct * ls_ratio, d))  (type 1); type 2 by model comparison
    # as car::Anova(type = 2); type 3 by drop1(fit, . ~ ., test = "F")
    d = small if prefix == "small" else reference_data
    ours = log_anova(d, typ=typ).table.set_index("term")
    theirs = ref(f"{prefix}_log_anova_type{typ}.csv").set_index("term")
    for term in theirs.index:
        for col in ("df", "sum_sq", "F", "p_value", "partial_eta_squared"):
            r_value = theirs.loc[term, col]
            if pd.isna(r_value):
                assert pd.isna(ours.loc[term, col]), (term, col)
            else:
                assert_allclose(ours.loc[term, col], r_value, rtol=RTOL, err_msg=f"{term} {col}")


def test_kruskal_matches_r(small):
    # R: kruskal.test(d[[v]] ~ factor(d$class)); epsilon2 = H * (n + 1) / (n^2 - 1)
    theirs = ref("small_kruskal.csv")
    for _, row in theirs.iterrows():
        ours = kruskal(small, row["variable"], "class").iloc[0]
        assert ours["df"] == row["df"] and ours["n"] == row["n"]
        assert_allclose([ours["H"], ours["p_value"], ours["epsilon_squared"]],
                        [row["H"], row["p_value"], row["epsilon_squared"]], rtol=RTOL)


def test_dunn_holm_matches_r(small):
    # R: Dunn (1964) z with tie correction, p.adjust(method = "holm") over the 3 pairs
    theirs = ref("small_dunn_holm.csv")
    for v, grp in theirs.groupby("variable", sort=False):
        ours = dunn(small, v, "class")
        assert_allclose(ours["z"], grp["z"], rtol=RTOL)
        assert_allclose(ours["p_unadjusted"], grp["p_unadjusted"], rtol=RTOL)
        assert_allclose(ours["p_value"], grp["p_holm"], rtol=RTOL)


def test_class_summary_matches_r(small):
    theirs = ref("small_class_summary.csv")
    ours = class_summary(small, FILM_VARIABLES, "class").set_index(["class", "variable"])
    for _, row in theirs.iterrows():
        o = ours.loc[(row["class"], row["variable"])]
        assert o["n"] == row["n"]
        assert_allclose([o["mean"], o["sd"], o["median"]], [row["mean"], row["sd"], row["median"]], rtol=RTOL)


def test_silhouette_matches_r(small):
    # R: mean of (b - a) / max(a, b) over films, Euclidean distances on the first PC scores
    # (kmeans_classes computes ClusterResult.silhouette with this call on its own classes)
    from sklearn.metrics import silhouette_score

    p = pca(small, PCA_FEATURES)
    theirs = ref("small_silhouette.csv")
    for _, row in theirs.iterrows():
        k = int(row["n_components"])
        ours = silhouette_score(p.scores.iloc[:, :k].to_numpy(), small["class"].to_numpy())
        assert_allclose(ours, row["mean_silhouette"], rtol=RTOL)


def test_f1_and_confusion_match_r():
    # R: per-class precision/recall/F1 from table(actual, predicted); macro F1 = mean(F1)
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    lab = ref("f1_labels.csv")
    theirs = ref("small_f1.csv")
    per = theirs[theirs["class"].astype(str).str.fullmatch(r"\d+")]
    p, r, f, s = precision_recall_fscore_support(lab["actual"], lab["predicted"], labels=[1, 2, 3])
    assert_allclose(p, per["precision"].astype(float), rtol=RTOL)
    assert_allclose(r, per["recall"].astype(float), rtol=RTOL)
    assert_allclose(f, per["f1"].astype(float), rtol=RTOL)
    assert_allclose(f1_score(lab["actual"], lab["predicted"], average="macro"), np.mean(f), rtol=RTOL)
    cm = ref("small_confusion.csv").set_index("actual").to_numpy()
    np.testing.assert_array_equal(confusion_matrix(lab["actual"], lab["predicted"], labels=[1, 2, 3]), cm)
