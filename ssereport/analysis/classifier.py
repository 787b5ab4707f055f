"""Linear SVM predicting the quality class from the manufacturing conditions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .svm import (LinearOVO, confusion_matrix, f1_macro, f1_macro_by_group, fit_ovo, precision_recall_f1,
                  random_oversample, repeated_stratified_kfold, stratified_split, stratified_subsample, vote)

__all__ = ["ClassifierResult", "DecisionMap", "svm_classifier", "decision_map", "pairwise_margin"]


@dataclass(frozen=True, eq=False)
class ClassifierResult:
    """Result of :func:`svm_classifier`.

    Attributes
    ----------
    features : tuple of str
    labels : tuple of int
        Classes, in the order of rows/columns of ``confusion_matrix``.
    train_index, test_index : pandas.Index
        Films (row labels) of the stratified split.
    oversampled_index : pandas.Index
        Training films after random oversampling (repeats included); always a
        subset of ``train_index``.
    counts_before, counts_after : dict
        Class counts of the training part before and after oversampling.
    y_test, y_pred : numpy.ndarray
    confusion_matrix : numpy.ndarray
        Rows actual, columns predicted.
    per_class : pandas.DataFrame
        ``class, precision, recall, f1, support`` on the test films.
    test_f1_macro : float
    cv_scores : numpy.ndarray
        Macro F1 of every fold of the repeated stratified K-fold CV.
    cv_f1_macro_mean : float
    cv_f1_macro_ci95 : tuple of float
        2.5th and 97.5th percentiles of the fold scores.
    cv_splits, cv_repeats : int
        The repeated stratified K-fold cross-validation.
    c : float
        Cost C of the C-SVC.
    model : LinearOVO
        The final model (standardisation and pairwise hyperplanes) refitted on
        all films (a stratified subsample of them on large tables); used for
        decision maps and predictions.
    scaler_mean, scaler_scale : numpy.ndarray
        Standardization of the final model.
    coef, intercept : numpy.ndarray
        Pairwise (one-vs-one) hyperplanes of the final model in standardized
        units, pairs in ``pairs`` order.
    pairs : tuple of tuple of int
    method : str
        What ran (all films, or subsamples for large tables).
    """

    features: tuple[str, ...]
    labels: tuple[int, ...]
    train_index: pd.Index
    test_index: pd.Index
    oversampled_index: pd.Index
    counts_before: dict[int, int]
    counts_after: dict[int, int]
    y_test: np.ndarray
    y_pred: np.ndarray
    confusion_matrix: np.ndarray
    per_class: pd.DataFrame
    test_f1_macro: float
    cv_scores: np.ndarray
    cv_f1_macro_mean: float
    cv_f1_macro_ci95: tuple[float, float]
    cv_splits: int
    cv_repeats: int
    c: float
    model: LinearOVO
    scaler_mean: np.ndarray
    scaler_scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    pairs: tuple[tuple[int, int], ...]
    method: str = ""

    def predict(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Predicted class and margin for manufacturing conditions (see :func:`pairwise_margin`)."""
        x = data[list(self.features)].to_numpy(dtype=float)
        return pairwise_margin(x, self.scaler_mean, self.scaler_scale, self.coef, self.intercept,
                               self.pairs, self.labels, self.model)


def pairwise_margin(x, mean, scale, coef, intercept, pairs, labels, model=None):
    """Class (by one-vs-one vote, as libsvm) and signed margin of each row of ``x``.

    The margin is the distance, in standardized units, from the point to the
    nearest pairwise hyperplane of its predicted class; it is positive when
    the predicted class wins that pair. Small margins mean the film sits near
    a class boundary.
    """
    z = (np.asarray(x, dtype=float) - mean) / scale
    f = z @ coef.T + intercept  # (n, n_pairs): > 0 favours the first class of the pair
    norms = np.linalg.norm(coef, axis=1)
    labels = list(labels)
    if model is not None:
        pred = np.asarray(model.predict(np.asarray(x, dtype=float)))
    else:
        pred = vote(f, pairs, labels)
    margin = np.full(len(z), np.inf)
    for j, (a, b) in enumerate(pairs):
        d = f[:, j] / norms[j]
        margin = np.where(pred == a, np.minimum(margin, d), margin)
        margin = np.where(pred == b, np.minimum(margin, -d), margin)
    return pred, margin


def svm_classifier(
    data: pd.DataFrame,
    classes: pd.Series,
    *,
    features=("polymer_wt_pct", "ls_ratio", "xylene_vol_pct"),
    test_size: float = 0.2,
    c: float = 1.0,
    cv_splits: int = 5,
    cv_repeats: int = 10,
    random_state: int = 42,
    max_exact: int = 20000,
    subsample: int = 5000,
) -> ClassifierResult:
    """Train and score a linear SVM on the manufacturing conditions.

    Every fit standardises its training films, randomly oversamples the
    smaller classes of those films to the size of the largest, and fits a
    one-vs-one linear C-SVC (:mod:`ssereport.analysis.svm`). Oversampling
    only ever copies training films: never a test film or the held-out fold
    of the CV.

    Parameters
    ----------
    data : pandas.DataFrame
    classes : pandas.Series
        Quality class of every film (same index as ``data``).
    features : sequence of str
    test_size : float
        Stratified hold-out share.
    c : float
        Cost C of the C-SVC.
    cv_splits, cv_repeats : int
        Repeated stratified K-fold CV.
    random_state : int
        Seed of every random draw (see Notes).
    max_exact, subsample : int
        Above ``max_exact`` films, the SVM is trained (and cross-validated) on a
        stratified random subsample of ``subsample`` films: a linear boundary in
        3 conditions is well determined by a few thousand films, and the SVM's
        training time grows faster than n. The test split and its scores
        still use every held-out film. ``method`` says which ran.

    Notes
    -----
    Random draws, all from ``numpy.random.default_rng(random_state)``, split
    into three independent streams with ``Generator.spawn(3)``:

    1. hold-out: the stratified split (:func:`~ssereport.analysis.svm.stratified_split`:
       ``ceil(test_size * n)`` test films shared over the classes by largest
       remainders, each class in both parts), on large tables the stratified
       subsample of the training films, then the oversampling of the training films;
    2. cross-validation: on large tables the stratified subsample, then the
       folds (:func:`~ssereport.analysis.svm.repeated_stratified_kfold`), then the
       oversampling of each fold's training films, fold by fold;
    3. final model: on large tables the stratified subsample, then the oversampling.

    So the final model does not depend on ``test_size`` or the CV settings.
    Oversampling (:func:`~ssereport.analysis.svm.random_oversample`) adds, for
    each smaller class, films of that class drawn uniformly with replacement
    until every class has the majority count. The SVM is libsvm's C-SVC
    (SMO, Fan-Chen-Lin working set, KKT gap < 1e-9 instead of libsvm's 1e-3),
    so its hyperplanes are the exact optimum.

    R: with ``z`` the conditions standardised by the training films' mean and
    n-denominator SD, ``e1071::svm(z[over, ], factor(class[over]), kernel =
    "linear", cost = c, scale = FALSE)`` on the oversampled rows ``over``
    (checked in ``tests/reference/svm_reference.R``; e1071's own ``scale =
    TRUE`` would standardise the oversampled rows with the n - 1 SD, a
    slightly different problem). Macro F1 is the unweighted mean of the
    per-class F1 scores.
    """
    features = tuple(features)
    y = classes.loc[data.index].to_numpy()
    x = data[list(features)].to_numpy(dtype=float)
    uniq, n_per = np.unique(y, return_counts=True)
    labels = tuple(int(v) for v in uniq)
    counts = {int(a): int(b) for a, b in zip(uniq, n_per)}
    need = max(cv_splits, 2)
    small = [cls for cls in labels if counts[cls] < need]
    if len(labels) < 2:
        raise DataError("the classifier needs at least 2 classes; the clustering left only one")
    if small:
        raise DataError([Problem(
            f"class {cls} has {counts[cls]} film(s); the stratified split and {cv_splits}-fold cross-validation "
            f"need at least {need} per class") for cls in small])
    idx = np.arange(len(y))
    large = len(y) > max_exact
    rng_hold, rng_cv, rng_final = np.random.default_rng(random_state).spawn(3)

    def _sub(ix: np.ndarray, rng: np.random.Generator, min_per_class: int = 1) -> np.ndarray:
        if not large or len(ix) <= subsample:
            return ix
        return ix[stratified_subsample(y[ix], subsample, rng, min_per_class=min_per_class)]

    tr, te = stratified_split(y, test_size, rng_hold)
    tr = _sub(tr, rng_hold)
    over_tr = random_oversample(y[tr], rng_hold)
    cv_idx = _sub(idx, rng_cv, min_per_class=need)
    folds = repeated_stratified_kfold(y[cv_idx], cv_splits, cv_repeats, rng_cv)
    fold_over = [random_oversample(y[cv_idx[f_tr]], rng_cv) for f_tr, _ in folds]
    fin_idx = _sub(idx, rng_final)
    over_fin = random_oversample(y[fin_idx], rng_final)

    train_sets = [(tr, over_tr)] + [(cv_idx[f_tr], o) for (f_tr, _), o in zip(folds, fold_over)] + [(fin_idx, over_fin)]
    models, _ = fit_ovo(x, y, [(pos, np.bincount(o, minlength=len(pos))) for pos, o in train_sets], labels, c=c)
    held, cv_models, final = models[0], models[1:-1], models[-1]

    y_pred = held.predict(x[te])
    over_idx = tr[over_tr]
    p, r, f, s = precision_recall_f1(y[te], y_pred, labels)
    per_class = pd.DataFrame({"class": list(labels), "precision": p, "recall": r, "f1": f,
                              "support": s.astype(int)})
    held_out = [cv_idx[f_te] for _, f_te in folds]
    scores = f1_macro_by_group(np.concatenate([y[h] for h in held_out]),
                               np.concatenate([m.predict(x[h]) for h, m in zip(held_out, cv_models)]),
                               np.repeat(np.arange(len(folds)), [len(h) for h in held_out]), len(folds), labels)
    if large:
        method = (f"linear C-SVC trained on a stratified subsample of {len(tr)} of the training films; CV and the "
                  f"final model on stratified subsamples of {len(cv_idx)} films; tested on all {len(te)} "
                  "held-out films")
    else:
        method = f"linear C-SVC on all {len(tr)} training films; tested on {len(te)} held-out films"
    return ClassifierResult(
        features=features, labels=labels,
        train_index=data.index[tr], test_index=data.index[te], oversampled_index=data.index[over_idx],
        counts_before={cls: int(np.sum(y[tr] == cls)) for cls in labels},
        counts_after={cls: int(np.sum(y[over_idx] == cls)) for cls in labels},
        y_test=y[te], y_pred=np.asarray(y_pred),
        confusion_matrix=confusion_matrix(y[te], y_pred, labels),
        per_class=per_class,
        test_f1_macro=f1_macro(y[te], y_pred, labels),
        cv_scores=scores,
        cv_f1_macro_mean=float(np.mean(scores)),
        cv_f1_macro_ci95=(float(np.percentile(scores, 2.5)), float(np.percentile(scores, 97.5))),
        cv_splits=cv_splits, cv_repeats=cv_repeats, c=c,
        model=final, scaler_mean=final.mean.copy(), scaler_scale=final.scale.copy(),
        coef=final.coef.copy(), intercept=final.intercept.copy(), pairs=final.pairs, method=method,
    )


@dataclass(frozen=True, eq=False)
class DecisionMap:
    """Predicted class and margin on a grid of L:S × X:B for each P% level.

    ``predicted`` and ``margin`` have shape (n_levels, len(xb), len(ls)).
    """

    polymer_levels: tuple[float, ...]
    observed: tuple[bool, ...]
    ls: np.ndarray
    xb: np.ndarray
    predicted: np.ndarray
    margin: np.ndarray


def decision_map(result: ClassifierResult, data: pd.DataFrame, *, grid_size: int = 41,
                 max_levels: int = 12) -> DecisionMap:
    """Decision map of the final SVM over the observed L:S and X:B ranges.

    Levels are every integer P% from the lowest to the highest observed plus
    every observed level; levels not in the data are interpolated by the model.
    With more than ``max_levels`` such levels, ``max_levels`` evenly spaced
    levels across the observed range are used instead.
    """
    p_obs = np.unique(data["polymer_wt_pct"].to_numpy(dtype=float))
    levels = np.unique(np.concatenate([np.arange(np.ceil(p_obs.min()), np.floor(p_obs.max()) + 1), p_obs]))
    if len(levels) > max_levels:  # many distinct P% values: evenly spaced levels across the range
        levels = np.unique(np.round(np.linspace(p_obs.min(), p_obs.max(), max_levels), 2))
    ls = np.linspace(data["ls_ratio"].min(), data["ls_ratio"].max(), grid_size)
    xb = np.linspace(data["xylene_vol_pct"].min(), data["xylene_vol_pct"].max(), grid_size)
    gx, gy = np.meshgrid(ls, xb)
    preds, margins = [], []
    for p in levels:
        frame = pd.DataFrame({"polymer_wt_pct": np.full(gx.size, p), "ls_ratio": gx.ravel(),
                              "xylene_vol_pct": gy.ravel()})
        pred, margin = result.predict(frame)
        preds.append(pred.reshape(gx.shape))
        margins.append(margin.reshape(gx.shape))
    observed = tuple(bool(np.isclose(p_obs, p).any()) for p in levels)
    return DecisionMap(tuple(float(p) for p in levels), observed, ls, xb, np.stack(preds), np.stack(margins))
