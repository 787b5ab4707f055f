"""Linear SVM predicting the quality class from the manufacturing conditions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

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
    model : object
        Pipeline (scaler, oversampler, SVC) refitted on all films; used for
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
    model: Any
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
        votes = np.zeros((len(z), len(labels)))
        for j, (a, b) in enumerate(pairs):
            win_a = f[:, j] > 0
            votes[win_a, labels.index(a)] += 1
            votes[~win_a, labels.index(b)] += 1
        pred = np.asarray(labels)[votes.argmax(axis=1)]
    margin = np.full(len(z), np.inf)
    for j, (a, b) in enumerate(pairs):
        d = f[:, j] / norms[j]
        margin = np.where(pred == a, np.minimum(margin, d), margin)
        margin = np.where(pred == b, np.minimum(margin, -d), margin)
    return pred, margin


def _pipeline(c: float, seed: int):
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return Pipeline([
        ("scale", StandardScaler()),
        ("oversample", RandomOverSampler(random_state=seed)),
        ("svm", SVC(kernel="linear", C=c, decision_function_shape="ovo")),
    ])


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

    Standardization, random oversampling of the minority classes and the SVM
    form one imbalanced-learn pipeline, so oversampling only ever copies
    training films: never a test film or the held-out fold of the CV.

    Parameters
    ----------
    data : pandas.DataFrame
    classes : pandas.Series
        Quality class of every film (same index as ``data``).
    features : sequence of str
    test_size : float
        Stratified hold-out share.
    c : float
        SVM regularisation.
    cv_splits, cv_repeats : int
        Repeated stratified K-fold CV.
    random_state : int
    max_exact, subsample : int
        Above ``max_exact`` films, the SVM is trained (and cross-validated) on a
        stratified random subsample of ``subsample`` films: a linear boundary in
        3 conditions is well determined by a few thousand films, and kernel SVM
        training grows with the square of n. The test split and its scores
        still use every held-out film. ``method`` says which ran.

    Notes
    -----
    R: ``e1071::svm(class ~ ., kernel = "linear", scale = TRUE)`` on the
    oversampled training set. Macro F1 is the unweighted mean of the per-class
    F1 scores.
    """
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score, train_test_split

    features = tuple(features)
    y = classes.loc[data.index].to_numpy()
    x = data[list(features)].to_numpy(dtype=float)
    labels = tuple(sorted(int(v) for v in np.unique(y)))
    counts = Counter(int(v) for v in y)
    need = max(cv_splits, 2)
    small = [cls for cls in labels if counts[cls] < need]
    if len(labels) < 2:
        raise DataError("the classifier needs at least 2 classes; the clustering left only one")
    if small:
        raise DataError([Problem(
            f"class {cls} has {counts[cls]} film(s); the stratified split and {cv_splits}-fold cross-validation "
            f"need at least {need} per class") for cls in small])
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=test_size, stratify=y, random_state=random_state)
    large = len(y) > max_exact

    def _sub(ix: np.ndarray) -> np.ndarray:
        if not large or len(ix) <= subsample:
            return ix
        keep, _ = train_test_split(ix, train_size=subsample, stratify=y[ix], random_state=random_state)
        return keep

    tr = _sub(tr)
    pipe = _pipeline(c, random_state).fit(x[tr], y[tr])
    y_pred = pipe.predict(x[te])
    sampler = pipe.named_steps["oversample"]
    over_idx = tr[sampler.sample_indices_]
    counts_after = Counter(int(v) for v in y[over_idx])
    p, r, f, s = precision_recall_fscore_support(y[te], y_pred, labels=list(labels), zero_division=0)
    per_class = pd.DataFrame({"class": list(labels), "precision": p, "recall": r, "f1": f,
                              "support": s.astype(int)})
    cv = RepeatedStratifiedKFold(n_splits=cv_splits, n_repeats=cv_repeats, random_state=random_state)
    cv_idx = _sub(idx)
    scores = cross_val_score(_pipeline(c, random_state), x[cv_idx], y[cv_idx], cv=cv, scoring="f1_macro")
    fin_idx = _sub(idx)
    final = _pipeline(c, random_state).fit(x[fin_idx], y[fin_idx])
    if large:
        method = (f"linear SVC trained on a stratified subsample of {len(tr)} of the training films; CV and the "
                  f"final model on stratified subsamples of {len(cv_idx)} films; tested on all {len(te)} held-out films")
    else:
        method = f"linear SVC on all {len(tr)} training films; tested on {len(te)} held-out films"
    svc = final.named_steps["svm"]
    scaler = final.named_steps["scale"]
    cls_order = [int(v) for v in svc.classes_]
    pairs = tuple((cls_order[i], cls_order[j]) for i in range(len(cls_order))
                  for j in range(i + 1, len(cls_order)))
    return ClassifierResult(
        features=features, labels=labels,
        train_index=data.index[tr], test_index=data.index[te], oversampled_index=data.index[over_idx],
        counts_before={cls: int(Counter(int(v) for v in y[tr])[cls]) for cls in labels},
        counts_after={cls: int(counts_after[cls]) for cls in labels},
        y_test=y[te], y_pred=np.asarray(y_pred),
        confusion_matrix=confusion_matrix(y[te], y_pred, labels=list(labels)),
        per_class=per_class,
        test_f1_macro=float(f1_score(y[te], y_pred, average="macro", labels=list(labels), zero_division=0)),
        cv_scores=np.asarray(scores, dtype=float),
        cv_f1_macro_mean=float(np.mean(scores)),
        cv_f1_macro_ci95=(float(np.percentile(scores, 2.5)), float(np.percentile(scores, 97.5))),
        cv_splits=cv_splits, cv_repeats=cv_repeats, c=c,
        model=final, scaler_mean=np.asarray(scaler.mean_, dtype=float),
        scaler_scale=np.asarray(scaler.scale_, dtype=float),
        coef=np.asarray(svc.coef_, dtype=float), intercept=np.asarray(svc.intercept_, dtype=float),
        pairs=pairs, method=method,
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
