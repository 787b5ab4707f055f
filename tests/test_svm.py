"""The classifier (ssereport.analysis.classifier): the imblearn/scikit-learn pipeline against R's e1071,
no oversampling leak into held-out films, margins, and the scores against R."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from ssereport.analysis.classifier import SVC_TOL, make_pipeline, predict_margin, svm_classifier

REF = Path(__file__).resolve().parent / "reference"
CONDITIONS = ["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"]
Z = ["z_" + c for c in CONDITIONS]
DEC = ["dec_1_2", "dec_1_3", "dec_2_3"]


@pytest.fixture(scope="module")
def r_svm():
    return (pd.read_csv(REF / "svm_train.csv"), pd.read_csv(REF / "svm_hyperplanes.csv"),
            pd.read_csv(REF / "svm_grid.csv"))


# --------------------------------------------------------------------------- against R (e1071)

def test_svc_on_the_stored_rows_matches_e1071(r_svm):
    # R: svm(x, factor(class), kernel = "linear", cost = 1, scale = FALSE, tolerance = 1e-10)
    # on tests/reference/svm_train.csv (svm_reference.R); both are libsvm, whose single-precision
    # kernel cache limits the agreement to ~1e-6
    train, planes, grid = r_svm
    svc = SVC(kernel="linear", C=1.0, tol=SVC_TOL, decision_function_shape="ovo")
    svc.fit(train[Z].to_numpy(), train["class"].to_numpy())
    assert_array_equal(planes[["class_a", "class_b"]].to_numpy(), [[1, 2], [1, 3], [2, 3]])
    assert_allclose(svc.coef_, planes[["w_" + z for z in Z]].to_numpy(), rtol=1e-5, atol=1e-5)
    assert_allclose(svc.intercept_, planes["b"].to_numpy(), rtol=1e-5, atol=1e-5)
    g = grid[Z].to_numpy()
    assert_allclose(svc.decision_function(g), grid[DEC].to_numpy(), rtol=1e-5, atol=1e-5)
    assert_array_equal(svc.predict(g), grid["predicted"].to_numpy())


def test_reference_final_pipeline_is_the_r_checked_fit(reference_results, r_svm):
    # svm_train.csv holds the rows the final pipeline's SVC was fitted on (make_svm_train.py): the
    # StandardScaler of all 110 films, then the RandomOverSampler's copies
    train, planes, grid = r_svm
    k = reference_results.classifier
    pipe = k.model
    d = reference_results.table.data
    x = d[CONDITIONS].to_numpy(dtype=float)
    over = pipe.named_steps["oversample"].sample_indices_
    assert_array_equal(over, train["film_row"].to_numpy())
    assert_array_equal(reference_results.clusters.labels.to_numpy()[over], train["class"].to_numpy())
    # scaler first: mean and n-denominator SD of the real films, each counted once
    assert_allclose(k.scaler_mean, x.mean(axis=0), rtol=1e-14)
    assert_allclose(k.scaler_scale, x.std(axis=0, ddof=0), rtol=1e-14)
    assert_allclose(pipe.named_steps["scale"].transform(x)[over], train[Z].to_numpy(), rtol=0, atol=1e-15)
    assert_allclose(k.coef, planes[["w_" + z for z in Z]].to_numpy(), rtol=1e-5, atol=1e-5)
    assert_allclose(k.intercept, planes["b"].to_numpy(), rtol=1e-5, atol=1e-5)
    # the whole pipeline on the R grid, given in the conditions' own units
    g = pipe.named_steps["scale"].inverse_transform(grid[Z].to_numpy())
    assert_array_equal(pipe.predict(g), grid["predicted"].to_numpy())
    assert_allclose(pipe.decision_function(g), grid[DEC].to_numpy(), rtol=1e-5, atol=1e-5)


def test_pipeline_order_and_settings():
    pipe = make_pipeline(c=2.5, random_state=7)
    assert [name for name, _ in pipe.steps] == ["scale", "oversample", "svc"]
    assert isinstance(pipe.named_steps["scale"], StandardScaler)
    assert isinstance(pipe.named_steps["oversample"], RandomOverSampler)
    svc = pipe.named_steps["svc"]
    assert (svc.kernel, svc.C, svc.tol, svc.decision_function_shape) == ("linear", 2.5, SVC_TOL, "ovo")
    assert pipe.named_steps["oversample"].random_state == 7


# --------------------------------------------------------------------------- margins

def _margin_from_numbers(k, x):
    """The margin rebuilt from the readable scaler and hyperplanes (what the model JSON shows)."""
    z = (x - k.scaler_mean) / k.scaler_scale
    f = z @ k.coef.T + k.intercept
    d = f / np.linalg.norm(k.coef, axis=1)
    pred = k.model.predict(x)
    out = np.full(len(x), np.inf)
    for j, (a, b) in enumerate(k.pairs):
        out = np.where(pred == a, np.minimum(out, d[:, j]), out)
        out = np.where(pred == b, np.minimum(out, -d[:, j]), out)
    return out


def test_margins_are_distances_to_the_hyperplanes_of_the_predicted_class(reference_results):
    k = reference_results.classifier
    d = reference_results.table.data
    pred, margin = k.predict(d)
    x = d[CONDITIONS].to_numpy(dtype=float)
    assert_array_equal(pred, k.model.predict(x))
    assert_allclose(margin, _margin_from_numbers(k, x), rtol=1e-10, atol=1e-12)
    # a positive margin means the predicted class wins all its pairs; libsvm's vote agrees
    votes = np.zeros((len(x), 3), dtype=int)
    f = ((x - k.scaler_mean) / k.scaler_scale) @ k.coef.T + k.intercept
    for j, (a, b) in enumerate(k.pairs):
        votes[np.arange(len(x)), np.where(f[:, j] > 0, a - 1, b - 1)] += 1
    sure = margin > 1e-6
    assert sure.mean() > 0.9
    assert_array_equal(votes[sure].argmax(axis=1) + 1, pred[sure])


def test_two_classes_predict_and_margin_agree(reference_table):
    # with two classes scikit-learn's decision > 0 means classes_[1]; the result's coef/intercept
    # follow the one-vs-one convention (> 0 means pairs[0][0]) and the margins must agree with it
    d = reference_table.data
    cls = pd.Series(np.where(d["ls_ratio"] > d["ls_ratio"].median(), 2, 1), index=d.index)
    k = svm_classifier(d, cls, cv_repeats=1)
    x = d[CONDITIONS].to_numpy(dtype=float)
    pred, margin = predict_margin(k.model, x)
    assert k.pairs == ((1, 2),) and k.coef.shape == (1, 3)
    f = ((x - k.scaler_mean) / k.scaler_scale) @ k.coef[0] + k.intercept[0]
    assert_array_equal(pred == 1, f > 0)
    assert_allclose(margin, np.abs(f) / np.linalg.norm(k.coef[0]), rtol=1e-10)
    assert (pred == cls.to_numpy()).mean() > 0.9


# --------------------------------------------------------------------------- no leak

class _Spy:
    """Records, for every pipeline fit, the films the scaler saw, the sampler's copies and the SVC's rows."""

    def __init__(self, monkeypatch):
        self.fits: list[dict] = []
        real_scale, real_sample, real_svc = StandardScaler.fit, RandomOverSampler.fit_resample, SVC.fit
        spy = self

        def scale_fit(est, X, y=None, **kw):
            spy.fits.append({"scaled_from": np.array(X, copy=True)})
            return real_scale(est, X, y, **kw)

        def sample(est, X, y, **kw):
            out = real_sample(est, X, y, **kw)
            spy.fits[-1].update(sampler_in=np.array(X, copy=True), copies=np.array(est.sample_indices_))
            return out

        def svc_fit(est, X, y, **kw):
            spy.fits[-1].update(svc_rows=np.array(X, copy=True))
            return real_svc(est, X, y, **kw)

        monkeypatch.setattr(StandardScaler, "fit", scale_fit)
        monkeypatch.setattr(RandomOverSampler, "fit_resample", sample)
        monkeypatch.setattr(SVC, "fit", svc_fit)


def _films_in(rows: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Positions in ``x`` of each row (every film has its own conditions here)."""
    key = {tuple(r): i for i, r in enumerate(x)}
    return np.array([key[tuple(r)] for r in rows])


def _unique_films(n=150, seed=3):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"polymer_wt_pct": rng.uniform(2, 8, n), "ls_ratio": rng.uniform(0.6, 1.4, n),
                      "xylene_vol_pct": rng.uniform(0, 100, n)}, index=pd.RangeIndex(1000, 1000 + n))
    cls = np.where(d["ls_ratio"] + rng.normal(0, 0.08, n) < 0.85, 3,
                   np.where(d["xylene_vol_pct"] + rng.normal(0, 10, n) < 40, 2, 1))
    return d, pd.Series(cls, index=d.index)


def test_oversampling_never_sees_a_held_out_film(monkeypatch):
    """A spy on the scaler, the sampler and the SVC: every fit (hold-out, each CV fold, final model) used
    its own training films only, and the SVC got exactly the sampler's copies of them."""
    d, cls = _unique_films()
    x = d[CONDITIONS].to_numpy(dtype=float)
    pos = {lab: i for i, lab in enumerate(d.index)}
    spy = _Spy(monkeypatch)
    k = svm_classifier(d, cls, cv_splits=5, cv_repeats=3)
    assert len(spy.fits) == 1 + 15 + 1
    held_out = [k.test_index] + [te for _, te in k.cv_folds] + [pd.Index([])]
    trained = [k.train_index] + [tr for tr, _ in k.cv_folds] + [d.index]
    assert len(k.cv_folds) == 15 and all(len(tr) + len(te) == len(d) for tr, te in k.cv_folds)
    for fit, tr, te in zip(spy.fits, trained, held_out):
        seen = _films_in(fit["scaled_from"], x)
        assert_array_equal(np.sort(seen), np.sort([pos[i] for i in tr]))
        assert not set(seen) & {pos[i] for i in te}
        scaler = StandardScaler().fit(fit["scaled_from"])
        assert_allclose(fit["sampler_in"], scaler.transform(fit["scaled_from"]), rtol=1e-15)
        copies = seen[fit["copies"]]  # films of the oversampled rows
        assert not set(copies) & {pos[i] for i in te}
        assert_allclose(fit["svc_rows"], scaler.transform(x[copies]), rtol=1e-13, atol=1e-15)
        grown = np.unique(cls.to_numpy()[copies], return_counts=True)[1]
        assert len(set(grown)) == 1  # every class at the majority count
    # the result's own record of the hold-out oversampling is the first fit's
    assert_array_equal(k.oversampled_index, d.index[_films_in(spy.fits[0]["scaled_from"], x)[spy.fits[0]["copies"]]])


def test_the_spy_catches_a_leak(monkeypatch):
    """Control: oversampling before the CV split (outside the pipeline) puts held-out films' copies into
    the training folds, and the same check sees it."""
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import Pipeline

    d, cls = _unique_films()
    x = d[CONDITIONS].to_numpy(dtype=float)
    xo, yo = RandomOverSampler(random_state=0).fit_resample(x, cls.to_numpy())
    spy = _Spy(monkeypatch)
    cv = cross_validate(Pipeline([("scale", StandardScaler()), ("svc", SVC(kernel="linear"))]), xo, yo,
                        cv=StratifiedKFold(5), return_indices=True)
    leaks = [set(_films_in(fit["scaled_from"], x)) & set(_films_in(xo[te], x))
             for fit, te in zip(spy.fits, cv["indices"]["test"])]
    assert all(leaks)


def test_reference_split_and_counts(reference_results):
    k = reference_results.classifier
    assert set(k.oversampled_index) <= set(k.train_index)
    assert not set(k.train_index) & set(k.test_index)
    assert len(k.test_index) == 22 and len(k.train_index) == 88
    assert k.counts_before == {1: 48, 2: 23, 3: 17} and k.counts_after == {1: 48, 2: 48, 3: 48}
    assert len(k.cv_scores) == 50 and len(k.cv_folds) == 50
    for tr, te in k.cv_folds:
        assert not set(tr) & set(te) and len(tr) + len(te) == 110
    # same seed, same everything
    k2 = svm_classifier(reference_results.table.data, reference_results.clusters.labels)
    assert_array_equal(k.cv_scores, k2.cv_scores)
    assert_array_equal(k.coef, k2.coef)
    assert k.test_index.equals(k2.test_index)
    assert "StandardScaler() -> imblearn.over_sampling.RandomOverSampler() -> sklearn.svm.SVC" in k.method


def test_scores_are_the_hold_out_and_fold_scores(reference_results):
    from sklearn.metrics import f1_score

    k = reference_results.classifier
    d = reference_results.table.data
    y = reference_results.clusters.labels
    assert_array_equal(k.y_test, y.loc[k.test_index].to_numpy())
    assert_array_equal(k.y_pred, make_pipeline().fit(d.loc[k.train_index, CONDITIONS].to_numpy(),
                                                     y.loc[k.train_index].to_numpy()).predict(
        d.loc[k.test_index, CONDITIONS].to_numpy()))
    assert k.test_f1_macro == pytest.approx(f1_score(k.y_test, k.y_pred, average="macro"), rel=1e-12)
    assert k.confusion_matrix.sum() == 22
    for j in (0, 7, 49):  # a fold refitted by hand gives the stored score
        tr, te = k.cv_folds[j]
        pred = make_pipeline().fit(d.loc[tr, CONDITIONS].to_numpy(), y.loc[tr].to_numpy()).predict(
            d.loc[te, CONDITIONS].to_numpy())
        assert k.cv_scores[j] == pytest.approx(f1_score(y.loc[te].to_numpy(), pred, average="macro"), rel=1e-12)
    assert k.cv_f1_macro_ci95 == (np.percentile(k.cv_scores, 2.5), np.percentile(k.cv_scores, 97.5))


def test_large_table_path_subsamples_and_keeps_every_repeat(reference_table):
    d = pd.concat([reference_table.data] * 3, ignore_index=True)
    cls = pd.Series(np.where(d["ls_ratio"] < 0.9, 3, np.where(d["xylene_vol_pct"] < 50, 1, 2)), index=d.index)
    k = svm_classifier(d, cls, max_exact=100, subsample=150, cv_repeats=3)
    assert k.cv_repeats == 3 and len(k.cv_scores) == 15
    assert "stratified subsample of 150 of the training films" in k.method
    assert len(k.train_index) == 150 and len(k.test_index) == int(np.ceil(0.2 * len(d)))
    assert set(k.oversampled_index) <= set(k.train_index)
    assert all(len(tr) + len(te) == 150 for tr, te in k.cv_folds)


def test_large_table_subsample_keeps_a_rare_class_in_every_fold():
    rng = np.random.default_rng(0)
    n = 3000
    d = pd.DataFrame({c: rng.uniform(0, 1, n) for c in CONDITIONS})
    cls = pd.Series(np.where(d["ls_ratio"] < 0.004, 3, np.where(d["xylene_vol_pct"] < 0.5, 1, 2)))
    n3 = int((cls == 3).sum())
    assert 5 <= n3 < 20  # a proportional 300-film subsample would keep 0-2 of them
    k = svm_classifier(d, cls, max_exact=1000, subsample=300, cv_repeats=1)
    assert all((cls.loc[te] == 3).sum() >= 1 for _, te in k.cv_folds)


# --------------------------------------------------------------------------- scores against R

def test_scores_match_r():
    # R: table(actual, predicted); precision = diag/colSums, recall = diag/rowSums, F1 = 2PR/(P+R)
    # (stats_reference.R); scikit-learn called as svm_classifier calls it
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    lab = pd.read_csv(REF / "f1_labels.csv")
    theirs = pd.read_csv(REF / "small_f1.csv")
    per = theirs[theirs["class"].astype(str).str.fullmatch(r"\d+")]
    p, r, f, s = precision_recall_fscore_support(lab["actual"], lab["predicted"], labels=[1, 2, 3], zero_division=0)
    assert_allclose(p, per["precision"].astype(float), rtol=1e-12)
    assert_allclose(r, per["recall"].astype(float), rtol=1e-12)
    assert_allclose(f, per["f1"].astype(float), rtol=1e-12)
    assert_array_equal(s, per["support"].astype(int))
    macro = theirs[theirs["class"].astype(str) == "macro"]
    assert_allclose(f1_score(lab["actual"], lab["predicted"], labels=[1, 2, 3], average="macro", zero_division=0),
                    float(macro["f1"].iloc[0]), rtol=1e-12)
    cm = pd.read_csv(REF / "small_confusion.csv").set_index("actual").to_numpy()
    assert_array_equal(confusion_matrix(lab["actual"], lab["predicted"], labels=[1, 2, 3]), cm)


def test_no_hand_written_solver_left():
    assert importlib.util.find_spec("ssereport.analysis.svm") is None


def test_fits_stopped_at_the_iteration_cap_are_counted_not_shown(reference_table, monkeypatch):
    # pytest turns any warning into an error: none may escape; the cap is said in `method`
    from ssereport.analysis import classifier

    monkeypatch.setattr(classifier, "SVC_MAX_ITER", 3)
    d = reference_table.data
    cls = pd.Series(np.where(d["ls_ratio"] < 0.9, 3, np.where(d["xylene_vol_pct"] < 50, 1, 2)), index=d.index)
    k = svm_classifier(d, cls, cv_repeats=1)
    assert k.model.named_steps["svc"].max_iter == 3
    assert "of 7 fits stopped at libsvm's cap of 3 iterations before reaching tol" in k.method
    monkeypatch.undo()
    assert "cap" not in svm_classifier(d, cls, cv_repeats=1).method
