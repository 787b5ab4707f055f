"""The NumPy linear SVM, resampling and metrics (ssereport.analysis.svm).

The solver is checked against scikit-learn's libsvm and against R's e1071
(stored output, tests/reference/svm_*), and independently by the KKT
conditions; splits and oversampling by their invariants; metrics against
scikit-learn and R. scikit-learn is a test-only dependency here.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from ssereport.analysis import classifier as clf_mod
from ssereport.analysis import svm
from ssereport.analysis.classifier import pairwise_margin, svm_classifier

REF = Path(__file__).resolve().parent / "reference"
ROOT = Path(__file__).resolve().parents[1]
CONDITIONS = ["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"]


# --------------------------------------------------------------------------- binary problems

def _expand(x, y, weight):
    """The problem with every point repeated ``weight`` times (what libsvm is given)."""
    rep = np.repeat(np.arange(len(y)), np.asarray(weight, dtype=int))
    return x[rep], y[rep]


def _random_sets():
    rng = np.random.default_rng(20240611)
    out = []
    # separable: two far-apart blobs
    x = np.vstack([rng.normal(0, 1, (30, 3)) + 6, rng.normal(0, 1, (30, 3)) - 6])
    out.append(("separable", x, np.r_[np.ones(30), -np.ones(30)], np.ones(60), 1.0))
    # non-separable, overlapping blobs, three costs
    x = np.vstack([rng.normal(0.7, 1, (70, 3)), rng.normal(-0.7, 1, (50, 3))])
    y = np.r_[np.ones(70), -np.ones(50)]
    for c in (0.1, 1.0, 10.0):
        out.append((f"overlap_C{c:g}", x, y, np.ones(120), c))
    # imbalanced 100 : 8
    x = np.vstack([rng.normal(0.5, 1, (100, 3)), rng.normal(-1.0, 1, (8, 3))])
    out.append(("imbalanced", x, np.r_[np.ones(100), -np.ones(8)], np.ones(108), 1.0))
    # duplicated points (weights 1..4) and one point present in both classes
    x = rng.normal(0, 1, (40, 3))
    y = np.where(x[:, 0] + 0.5 * x[:, 1] + rng.normal(0, 0.6, 40) > 0, 1.0, -1.0)
    x = np.vstack([x, x[:1]])
    y = np.r_[y, -y[0]]
    out.append(("duplicates", x, y, rng.integers(1, 5, 41).astype(float), 1.0))
    # other dimensions
    for d in (2, 5):
        x = rng.normal(0, 1, (80, d))
        y = np.where(x @ rng.normal(0, 1, d) + rng.normal(0, 0.8, 80) > 0, 1.0, -1.0)
        out.append((f"dim{d}", x, y, np.ones(80), 1.0))
    return out


def _reference_sets(reference_results):
    """The hold-out training set of the reference study (standardised, oversampled films), by pair,
    and the stored final training set (tests/reference/svm_train.csv), by pair."""
    k = reference_results.classifier
    d = reference_results.table.data
    xt = d.loc[k.train_index, CONDITIONS].to_numpy(dtype=float)
    mean, scale = svm.standardize(xt)
    xo = (d.loc[k.oversampled_index, CONDITIONS].to_numpy(dtype=float) - mean) / scale
    yo = reference_results.clusters.labels.loc[k.oversampled_index].to_numpy()
    train = pd.read_csv(REF / "svm_train.csv")
    z = train[["z_" + c for c in CONDITIONS]].to_numpy()
    out = []
    for name, xx, yy in (("reference_holdout", xo, yo), ("reference_final", z, train["class"].to_numpy())):
        for a, b in k.pairs:
            sel = (yy == a) | (yy == b)
            # merge the oversampled copies into weights, as fit_ovo does
            rows, inv, cnt = np.unique(np.column_stack([xx[sel], yy[sel]]), axis=0, return_inverse=True,
                                       return_counts=True)
            out.append((f"{name}_{a}{b}", rows[:, :3], np.where(rows[:, 3] == a, 1.0, -1.0), cnt.astype(float), 1.0))
    return out


@pytest.fixture(scope="module")
def problems(reference_results):
    return _reference_sets(reference_results) + _random_sets()


def _sklearn(x, y, c):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import SVC

    # libsvm keeps the kernel in single precision: its KKT gap stalls near 1e-7 and tol=1e-10 is
    # never reached (up to 6e8 iterations, 100 s on one of these sets). Capped at 1e5 iterations
    # its coef_ is within 5e-7 (relative) of the exact optimum.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SVC(kernel="linear", C=c, tol=1e-10, max_iter=100_000).fit(x, y)


def test_solver_matches_sklearn(problems):
    rng = np.random.default_rng(7)
    for name, x, y, weight, c in problems:
        ours = svm.smo_linear(x, y, c * weight)
        assert ours.converged.all(), name
        xe, ye = _expand(x, y, weight)
        sk = _sklearn(xe, ye, c)
        # R: e1071::svm(x, y, kernel = "linear", cost = c, scale = FALSE); sklearn's binary coef_/intercept_
        # are for decision > 0 -> classes_[1] = +1, our convention
        assert_allclose(ours.w[0], sk.coef_[0], rtol=1e-5, atol=1e-5, err_msg=name)
        assert_allclose(ours.b[0], sk.intercept_[0], rtol=1e-5, atol=1e-5, err_msg=name)
        # identical predictions on random points over the data's box, and on the training points
        # away from the boundary (grid data can put a film exactly on it)
        pts = rng.uniform(x.min(axis=0) - 0.5, x.max(axis=0) + 0.5, (2000, x.shape[1]))
        f = pts @ ours.w[0] + ours.b[0]
        assert_array_equal(np.where(f > 0, 1.0, -1.0), sk.predict(pts), err_msg=name)
        f_tr = xe @ ours.w[0] + ours.b[0]
        away = np.abs(f_tr) > 1e-6
        assert away.mean() > 0.9, name
        assert_array_equal(np.where(f_tr > 0, 1.0, -1.0)[away], sk.predict(xe)[away], err_msg=name)


def test_dual_objective_not_worse_than_sklearn(problems):
    for name, x, y, weight, c in problems:
        ours = svm.smo_linear(x, y, c * weight)
        d_ours = svm.dual_objective(x, y, ours.alpha[0])[0]
        xe, ye = _expand(x, y, weight)
        sk = _sklearn(xe, ye, c)
        alpha_sk = np.zeros(len(ye))
        alpha_sk[sk.support_] = np.abs(sk.dual_coef_[0])
        d_sk = svm.dual_objective(xe, ye, alpha_sk)[0]
        assert d_ours >= d_sk - 1e-10 * max(1.0, abs(d_sk)), name


def _assert_kkt(x, y, upper, alpha, b, tol=1e-8, name=""):
    """Optimality of a C-SVC dual solution, checked from its definition (no solver involved)."""
    assert np.all(alpha >= 0) and np.all(alpha <= upper), name
    assert abs(alpha @ y) <= 1e-10 * max(1.0, alpha.sum()), name
    w = (alpha * y) @ x
    m = y * (x @ w + b)  # functional margins
    at0, atc = alpha <= 0, alpha >= upper
    free = ~at0 & ~atc
    assert np.all(m[at0] >= 1 - tol), name  # outside or on the margin
    assert np.all(m[atc] <= 1 + tol), name  # inside or on the margin
    assert np.all(np.abs(m[free] - 1) <= tol), name  # exactly on the margin


def test_kkt_conditions_hold(problems):
    for name, x, y, weight, c in problems:
        for polish in (True, False):
            sol = svm.smo_linear(x, y, c * weight, polish=polish)
            assert sol.gap[0] < svm.DEFAULT_TOL, name
            _assert_kkt(x, y, c * weight, sol.alpha[0], sol.b[0], tol=1e-7 if not polish else 1e-9, name=name)


def test_polish_warm_start_and_batching_give_the_same_optimum(problems):
    # pure SMO, polished SMO, a warm start and one batch of all problems: same (w, b)
    n_max = max(len(p[2]) for p in problems)
    xs = np.zeros((len(problems), n_max, 3))
    ys = np.zeros((len(problems), n_max))
    us = np.zeros((len(problems), n_max))
    three = [p for p in problems if p[1].shape[1] == 3]
    for k, (_, x, y, weight, c) in enumerate(three):
        xs[k, :len(y)], ys[k, :len(y)], us[k, :len(y)] = x, y, c * weight
    xs, ys, us = xs[:len(three)], ys[:len(three)], us[:len(three)]
    batch = svm.smo_linear(xs, ys, us)
    plain = svm.smo_linear(xs, ys, us, polish=False)
    guess = svm._warm_alpha(xs, np.where(ys > 0, 1.0, -1.0), us, batch.w * 1.1 + 0.05, batch.b - 0.1)
    warm = svm.smo_linear(xs, ys, us, alpha0=guess)
    for k, (name, x, y, weight, c) in enumerate(three):
        single = svm.smo_linear(x, y, c * weight)
        for other in (plain, warm):
            assert_allclose(other.w[k], batch.w[k], atol=1e-7, err_msg=name)
            assert_allclose(other.b[k], batch.b[k], atol=1e-7, err_msg=name)
        assert_allclose(single.w[0], batch.w[k], atol=1e-9, err_msg=name)
    assert batch.converged.all() and warm.converged.all() and plain.converged.all()
    assert batch.polished.mean() > 0.5  # the exact finish is what normally ends a problem


def test_merged_copies_equal_the_copies():
    # a point of weight m (box m*C) gives the hyperplane of m identical copies
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (25, 3))
    y = np.where(x[:, 1] - x[:, 2] + rng.normal(0, 0.7, 25) > 0, 1.0, -1.0)
    weight = rng.integers(1, 6, 25).astype(float)
    merged = svm.smo_linear(x, y, weight)
    xe, ye = _expand(x, y, weight)
    copies = svm.smo_linear(xe, ye, np.ones(len(ye)))
    assert_allclose(merged.w, copies.w, atol=1e-9)
    assert_allclose(merged.b, copies.b, atol=1e-9)
    assert_allclose(svm.dual_objective(x, y, merged.alpha[0]), svm.dual_objective(xe, ye, copies.alpha[0]),
                    rtol=1e-12)


def test_alpha0_must_be_feasible():
    x = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    y = np.array([1.0, -1.0, -1.0])
    with pytest.raises(ValueError, match="alpha0 must be feasible"):
        svm.smo_linear(x, y, np.ones(3), alpha0=np.array([1.0, 0.0, 0.0]))


# --------------------------------------------------------------------------- against R (e1071)

@pytest.fixture(scope="module")
def r_svm():
    return (pd.read_csv(REF / "svm_train.csv"), pd.read_csv(REF / "svm_hyperplanes.csv"),
            pd.read_csv(REF / "svm_grid.csv"))


def test_ovo_hyperplanes_and_grid_match_r(r_svm):
    # R: svm(x, factor(class), kernel = "linear", cost = 1, scale = FALSE, tolerance = 1e-10)
    # on tests/reference/svm_train.csv (see svm_reference.R; libsvm is accurate to ~1e-7)
    train, planes, grid = r_svm
    z = train[["z_" + c for c in CONDITIONS]].to_numpy()
    y = train["class"].to_numpy()
    pairs = ((1, 2), (1, 3), (2, 3))
    assert_array_equal(planes[["class_a", "class_b"]].to_numpy(), np.array(pairs))
    w_r = planes[["w_z_" + c for c in CONDITIONS]].to_numpy()
    coef, intercept = np.zeros((3, 3)), np.zeros(3)
    for k, (a, b) in enumerate(pairs):
        sel = (y == a) | (y == b)  # every oversampled row as given to R, not merged
        sol = svm.smo_linear(z[sel], np.where(y[sel] == a, 1.0, -1.0), np.ones(sel.sum()))
        coef[k], intercept[k] = sol.w[0], sol.b[0]
    assert_allclose(coef, w_r, rtol=1e-5, atol=1e-5)
    assert_allclose(intercept, planes["b"].to_numpy(), rtol=1e-5, atol=1e-5)
    model = svm.LinearOVO(mean=np.zeros(3), scale=np.ones(3), coef=coef, intercept=intercept, pairs=pairs,
                          labels=(1, 2, 3))
    g = grid[["z_" + c for c in CONDITIONS]].to_numpy()
    assert_allclose(model.decision_function(g), grid[["dec_1_2", "dec_1_3", "dec_2_3"]].to_numpy(), atol=1e-5)
    assert_array_equal(model.predict(g), grid["predicted"].to_numpy())


def test_reference_final_model_is_the_r_checked_fit(reference_results, r_svm):
    # svm_train.csv is the final model's training set (make_svm_train.py); the report's model is that fit
    train, planes, _ = r_svm
    k = reference_results.classifier
    d = reference_results.table.data
    y = reference_results.clusters.labels.loc[d.index].to_numpy()
    over = svm.random_oversample(y, np.random.default_rng(reference_results.config.seed).spawn(3)[2])
    assert_array_equal(over, train["film_row"].to_numpy())
    z = (d[CONDITIONS].to_numpy(dtype=float)[over] - k.scaler_mean) / k.scaler_scale
    assert_allclose(z, train[["z_" + c for c in CONDITIONS]].to_numpy(), rtol=1e-14, atol=1e-14)
    assert_allclose(k.coef, planes[["w_z_" + c for c in CONDITIONS]].to_numpy(), rtol=1e-5, atol=1e-5)
    assert_allclose(k.intercept, planes["b"].to_numpy(), rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- one-vs-one

def test_vote_rules():
    pairs, labels = ((1, 2), (1, 3), (2, 3)), (1, 2, 3)
    dec = np.array([
        [1.0, 1.0, 1.0],     # 1 wins twice
        [1.0, -1.0, 1.0],    # 1, 3, 2: one vote each -> lowest class
        [-1.0, -1.0, 1.0],   # 2, 3, 2 -> 2
        [0.0, 0.0, 0.0],     # exactly on every hyperplane: the second class of each pair (libsvm's > 0)
        [1e-12, 1e-12, -2.0],  # within rounding of 0: treated as 0 -> 2, 3, 3 -> 3
    ])
    assert_array_equal(svm.vote(dec, pairs, labels), [1, 1, 2, 3, 3])


def test_two_classes_predict_and_margin_agree(reference_table):
    # with two classes the single pair's decision > 0 means the first class (old sklearn coef_ had the
    # opposite sign for binary problems); the model's vote and pairwise_margin must agree
    d = reference_table.data
    cls = pd.Series(np.where(d["ls_ratio"] > d["ls_ratio"].median(), 2, 1), index=d.index)
    k = svm_classifier(d, cls, cv_repeats=1)
    x = d[CONDITIONS].to_numpy(dtype=float)
    pred_model = k.model.predict(x)
    pred, margin = pairwise_margin(x, k.scaler_mean, k.scaler_scale, k.coef, k.intercept, k.pairs, k.labels)
    assert_array_equal(pred, pred_model)
    assert_array_equal(pred == 1, k.model.decision_function(x)[:, 0] > svm.DECISION_TIE)
    assert (pred_model == cls.to_numpy()).mean() > 0.9
    assert np.mean(margin > 0) > 0.9


# --------------------------------------------------------------------------- splits and oversampling

def test_stratified_split_counts_and_determinism():
    y = np.repeat([1, 2, 3, 7], [60, 29, 21, 3])
    rng_y = np.random.default_rng(0).permutation(y)
    tr, te = svm.stratified_split(rng_y, 0.2, np.random.default_rng(42))
    assert len(te) == int(np.ceil(0.2 * len(y)))
    assert_array_equal(np.sort(np.r_[tr, te]), np.arange(len(y)))
    for cls in np.unique(y):
        n_c, t_c = (rng_y == cls).sum(), (rng_y[te] == cls).sum()
        assert 1 <= t_c <= n_c - 1  # every class in both parts
        assert abs(t_c - 0.2 * n_c) < 1
    tr2, te2 = svm.stratified_split(rng_y, 0.2, np.random.default_rng(42))
    assert_array_equal(te, te2)
    _, te3 = svm.stratified_split(rng_y, 0.2, np.random.default_rng(43))
    assert not np.array_equal(te, te3)
    with pytest.raises(ValueError, match="at least 2"):
        svm.stratified_split(np.r_[y, 9], 0.2, np.random.default_rng(0))


def test_stratified_subsample_size_and_shares():
    y = np.repeat([1, 2, 3], [5000, 2500, 13])
    keep = svm.stratified_subsample(y, 1000, np.random.default_rng(1), min_per_class=5)
    assert len(keep) == 1000 and len(np.unique(keep)) == 1000
    counts = np.bincount(y[keep])[1:]
    assert counts[2] == 5  # raised to the minimum
    assert abs(counts[0] - 1000 * 5000 / 7513) < 3


def test_random_oversample_invariants():
    rng = np.random.default_rng(5)
    y = rng.permutation(np.repeat([1, 2, 3], [40, 17, 9]))
    idx = svm.random_oversample(y, np.random.default_rng(42))
    assert_array_equal(idx[:len(y)], np.arange(len(y)))  # every original once, first
    counts = np.bincount(y[idx])[1:]
    assert (counts == 40).all()
    extra = idx[len(y):]
    assert not (y[extra] == 1).any()  # the majority class is never copied
    assert_array_equal(idx, svm.random_oversample(y, np.random.default_rng(42)))


def test_repeated_stratified_kfold_invariants():
    y = np.random.default_rng(2).permutation(np.repeat([1, 2, 3], [48, 23, 17]))
    folds = svm.repeated_stratified_kfold(y, 5, 10, np.random.default_rng(42))
    assert len(folds) == 50
    for rep in range(10):
        held = [te for _, te in folds[rep * 5:(rep + 1) * 5]]
        assert_array_equal(np.sort(np.concatenate(held)), np.arange(len(y)))  # each film held out once
        sizes = [len(te) for te in held]
        assert max(sizes) - min(sizes) <= 1
        for tr, te in folds[rep * 5:(rep + 1) * 5]:
            assert not np.intersect1d(tr, te).size and len(tr) + len(te) == len(y)
            for cls, n_c in zip((1, 2, 3), (48, 23, 17)):
                assert (y[te] == cls).sum() in (n_c // 5, -(-n_c // 5))
    again = svm.repeated_stratified_kfold(y, 5, 10, np.random.default_rng(42))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))
    assert not np.array_equal(folds[0][1], folds[5][1])  # repeats differ


def test_classifier_oversamples_training_films_only(reference_results, monkeypatch):
    """Capture what svm_classifier hands to the solver: no test film, no held-out fold film."""
    d = reference_results.table.data
    labels = reference_results.clusters.labels
    seen = {}
    real_fit, real_folds = clf_mod.fit_ovo, clf_mod.repeated_stratified_kfold

    def fit_spy(x, y, train_sets, *a, **kw):
        seen["sets"] = [(np.asarray(p), np.asarray(w)) for p, w in train_sets]
        seen["y"] = y
        return real_fit(x, y, train_sets, *a, **kw)

    def folds_spy(*a, **kw):
        seen["folds"] = real_folds(*a, **kw)
        return seen["folds"]

    monkeypatch.setattr(clf_mod, "fit_ovo", fit_spy)
    monkeypatch.setattr(clf_mod, "repeated_stratified_kfold", folds_spy)
    k = svm_classifier(d, labels)
    pos_of = {lab: i for i, lab in enumerate(d.index)}
    test_pos = np.array([pos_of[i] for i in k.test_index])
    sets, y = seen["sets"], seen["y"]
    assert len(sets) == 1 + 50 + 1
    hold_pos, hold_w = sets[0]
    assert not np.intersect1d(hold_pos, test_pos).size
    assert_array_equal(np.sort(hold_pos), np.sort([pos_of[i] for i in k.train_index]))
    assert int(hold_w.sum()) == len(k.oversampled_index)
    for (pos, w), (_, held) in zip(sets[1:-1], seen["folds"]):  # small table: cv positions are all films
        assert not np.intersect1d(pos, held).size
        assert (w >= 1).all()
        grown = np.bincount(y[np.repeat(pos, w.astype(int))])
        assert len(set(grown[grown > 0])) == 1  # every class at the majority count
    assert len(sets[-1][0]) == len(d)  # the final model: all films
    # same seed, same everything
    k2 = svm_classifier(d, labels)
    assert_array_equal(k.cv_scores, k2.cv_scores)
    assert_array_equal(k.coef, k2.coef)
    assert k.test_index.equals(k2.test_index)


def test_large_table_path_subsamples_and_keeps_every_repeat(reference_table):
    d = pd.concat([reference_table.data] * 3, ignore_index=True)
    cls = pd.Series(np.where(d["ls_ratio"] < 0.9, 3, np.where(d["xylene_vol_pct"] < 50, 1, 2)), index=d.index)
    k = svm_classifier(d, cls, max_exact=100, subsample=150, cv_repeats=3)
    assert k.cv_repeats == 3 and len(k.cv_scores) == 15
    assert "stratified subsample of 150 of the training films" in k.method
    assert len(k.train_index) == 150 and len(k.test_index) == int(np.ceil(0.2 * len(d)))
    assert set(k.oversampled_index) <= set(k.train_index)


# --------------------------------------------------------------------------- metrics

def test_metrics_match_sklearn_on_random_labels():
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    rng = np.random.default_rng(11)
    for trial in range(40):
        k = int(rng.integers(2, 6))
        n = int(rng.integers(1, 60))
        y_true = rng.integers(1, k + 1, n)
        y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(1, k + 2, n))  # k + 1 is never a label
        labels = list(rng.permutation(np.arange(1, k + 1)))  # any order
        assert_array_equal(svm.confusion_matrix(y_true, y_pred, labels),
                           confusion_matrix(y_true, y_pred, labels=labels), err_msg=str(trial))
        ours = svm.precision_recall_f1(y_true, y_pred, labels)
        ref = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
        for a, b in zip(ours, ref):
            assert_allclose(a, b, rtol=1e-12, err_msg=str(trial))
        assert_allclose(svm.f1_macro(y_true, y_pred, labels),
                        f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0), rtol=1e-12)
    # the CV's one-pass version equals the per-group score
    groups = rng.integers(0, 6, 300)
    y_true, y_pred = rng.integers(1, 4, 300), rng.integers(1, 5, 300)
    by_group = svm.f1_macro_by_group(y_true, y_pred, groups, 7, [1, 2, 3])
    for g in range(6):
        sel = groups == g
        assert_allclose(by_group[g], f1_score(y_true[sel], y_pred[sel], labels=[1, 2, 3], average="macro",
                                              zero_division=0), rtol=1e-12)
    assert by_group[6] == 0.0  # an empty group


def test_metrics_match_r():
    # R: table(actual, predicted); precision = diag/colSums, recall = diag/rowSums, F1 = 2PR/(P+R)
    lab = pd.read_csv(REF / "f1_labels.csv")
    theirs = pd.read_csv(REF / "small_f1.csv")
    per = theirs[theirs["class"].astype(str).str.fullmatch(r"\d+")]
    p, r, f, s = svm.precision_recall_f1(lab["actual"], lab["predicted"], [1, 2, 3])
    assert_allclose(p, per["precision"].astype(float), rtol=1e-12)
    assert_allclose(r, per["recall"].astype(float), rtol=1e-12)
    assert_allclose(f, per["f1"].astype(float), rtol=1e-12)
    assert_array_equal(s, per["support"].astype(int))
    macro = theirs[theirs["class"].astype(str) == "macro"]
    assert_allclose(svm.f1_macro(lab["actual"], lab["predicted"], [1, 2, 3]), float(macro["f1"].iloc[0]), rtol=1e-12)
    cm = pd.read_csv(REF / "small_confusion.csv").set_index("actual").to_numpy()
    assert_array_equal(svm.confusion_matrix(lab["actual"], lab["predicted"], [1, 2, 3]), cm)


# --------------------------------------------------------------------------- imports

def test_classifier_imports_no_sklearn_imblearn_scipy():
    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from ssereport.analysis.classifier import svm_classifier, decision_map\n"
        "rng = np.random.default_rng(0)\n"
        "d = pd.DataFrame({'polymer_wt_pct': rng.choice([3, 5, 7], 60), 'ls_ratio': rng.uniform(0.6, 1.4, 60),\n"
        "                  'xylene_vol_pct': rng.choice([0, 50, 100], 60)})\n"
        "cls = pd.Series(np.where(d['ls_ratio'] < 0.9, 3, np.where(d['xylene_vol_pct'] < 50, 1, 2)))\n"
        "r = svm_classifier(d, cls, cv_repeats=2)\n"
        "decision_map(r, d, grid_size=5)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'imblearn', 'scipy'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
