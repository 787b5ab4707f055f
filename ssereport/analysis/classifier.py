"""Linear SVM predicting the quality class from the manufacturing conditions.

Every fit is one :class:`imblearn.pipeline.Pipeline`: ``StandardScaler`` ->
``RandomOverSampler`` -> ``SVC(kernel="linear")``; splits, cross-validation
and scores are scikit-learn's.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config  # the defaults of every setting (one place)
from ..errors import DataError, Problem

__all__ = ["SVC_MAX_ITER", "SVC_TOL", "ClassifierResult", "DecisionMap", "decision_map", "make_pipeline",
           "pipeline_call", "predict_margin", "svm_classifier"]

#: libsvm's stopping tolerance. libsvm keeps its kernel cache in single precision, so its KKT gap
#: stalls near 1e-7: ``tol=1e-7`` runs 25 million iterations (3 s) on the reference training set
#: and 1e-8 (10 s) gives no better hyperplanes. At 1e-6 a fit takes milliseconds and its
#: hyperplanes are within 2e-6 of e1071's at ``tolerance = 1e-10`` (tests/reference/svm_*).
SVC_TOL = 1e-6
#: libsvm's iteration cap. Near its precision floor libsvm can wander for millions of iterations
#: (870,000 in one of the 50 CV folds of the reference study at ``tol=1e-6``); the cap bounds a fit
#: to well under a second, as e1071 caps at 10 million. Fits that stop there are counted in ``method``.
SVC_MAX_ITER = 1_000_000


def make_pipeline(*, c: float = Config.svm_c, random_state: int = Config.seed, tol: float = SVC_TOL,
                  max_iter: int | None = None):
    """The classifier: standardise, oversample the smaller classes, fit a linear one-vs-one C-SVC.

    Returns an unfitted ``imblearn.pipeline.Pipeline`` with the steps
    ``scale`` (:class:`sklearn.preprocessing.StandardScaler`), ``oversample``
    (:class:`imblearn.over_sampling.RandomOverSampler`) and ``svc``
    (:class:`sklearn.svm.SVC` ``(kernel="linear", C=c, tol=tol,
    max_iter=max_iter, decision_function_shape="ovo")``, ``max_iter``
    :data:`SVC_MAX_ITER` by default).

    Notes
    -----
    The scaler comes before the sampler: the standardisation is estimated
    from the real training films only (each counted once), and the duplicates
    are then added in standardised units. The sampler acts only in ``fit``;
    ``predict`` and ``decision_function`` scale and call the SVC. Because the
    sampler is a pipeline step, every fit (hold-out, each CV fold, final
    model) oversamples its own training films only.

    R: ``z <- scale(x, center = colMeans(xtr), scale = sd_n(xtr))``;
    ``e1071::svm(z[over, ], factor(y[over]), kernel = "linear", cost = c,
    scale = FALSE)`` with ``over`` the oversampled rows
    (``tests/reference/svm_reference.R``).
    """
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return Pipeline([
        ("scale", StandardScaler()),
        ("oversample", RandomOverSampler(random_state=random_state)),
        ("svc", SVC(kernel="linear", C=c, tol=tol, max_iter=SVC_MAX_ITER if max_iter is None else max_iter,
                    decision_function_shape="ovo")),
    ])


def pipeline_call(c: float, tol: float = SVC_TOL) -> str:
    """The library calls of :func:`make_pipeline`, with the library versions, for methods texts."""
    from importlib.metadata import version

    return (f"imblearn.pipeline.Pipeline(sklearn.preprocessing.StandardScaler() -> "
            f"imblearn.over_sampling.RandomOverSampler() -> sklearn.svm.SVC(kernel=\"linear\", C={c:g}, "
            f"tol={tol:g})); scikit-learn {version('scikit-learn')}, imbalanced-learn "
            f"{version('imbalanced-learn')}")


def _hyperplanes(pipeline) -> tuple[np.ndarray, np.ndarray, tuple[tuple[int, int], ...]]:
    """Pairwise hyperplanes of a fitted pipeline in standardised units, ``> 0`` favouring ``pairs[j][0]``."""
    svc = pipeline.named_steps["svc"]
    classes = [int(v) for v in svc.classes_]
    pairs = tuple(combinations(classes, 2))  # libsvm's one-vs-one order
    coef, intercept = np.array(svc.coef_, dtype=float), np.array(svc.intercept_, dtype=float)
    if len(classes) == 2:  # scikit-learn flips the binary problem so that > 0 means classes_[1]
        coef, intercept = -coef, -intercept
    return coef, intercept, pairs


#: Public name of :func:`_hyperplanes` (the QA model checks a loaded pipeline against its stored numbers).
hyperplanes = _hyperplanes


def predict_margin(pipeline, x) -> tuple[np.ndarray, np.ndarray]:
    """Class predicted by a fitted pipeline, and the signed margin of each row of ``x``.

    Parameters
    ----------
    pipeline : imblearn.pipeline.Pipeline
        Fitted by :func:`make_pipeline`.
    x : array-like, shape (n, n_features)
        Conditions in their units (the pipeline standardises them).

    Returns
    -------
    pred : numpy.ndarray
        ``pipeline.predict(x)`` (libsvm's one-vs-one vote).
    margin : numpy.ndarray
        Distance, in standardised units, from the point to the nearest
        pairwise hyperplane of its predicted class: the pair's
        ``decision_function`` value divided by ``|coef_|`` of that pair.
        Positive when the predicted class wins that pair; small values mean
        the film sits near a class boundary.
    """
    x = np.asarray(x, dtype=float)
    pred = np.asarray(pipeline.predict(x))
    coef, _, pairs = _hyperplanes(pipeline)
    f = np.asarray(pipeline.decision_function(x), dtype=float)
    if f.ndim == 1:  # two classes: > 0 means classes_[1]; make it > 0 for pairs[0][0]
        f = -f[:, None]
    norms = np.linalg.norm(coef, axis=1)
    margin = np.full(len(x), np.inf)
    for j, (a, b) in enumerate(pairs):
        d = f[:, j] / norms[j]
        margin = np.where(pred == a, np.minimum(margin, d), margin)
        margin = np.where(pred == b, np.minimum(margin, -d), margin)
    return pred, margin


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
        Training films after random oversampling (repeats included), read from
        the hold-out pipeline's ``RandomOverSampler.sample_indices_``; always a
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
    model : imblearn.pipeline.Pipeline
        The final pipeline (:func:`make_pipeline`) refitted on all films (a
        stratified subsample of them on large tables); used for decision maps
        and predictions.
    scaler_mean, scaler_scale : numpy.ndarray
        Standardization of the final model (its ``StandardScaler``).
    coef, intercept : numpy.ndarray
        Pairwise (one-vs-one) hyperplanes of the final model in standardized
        units, pairs in ``pairs`` order; ``z . coef[j] + intercept[j] > 0``
        favours ``pairs[j][0]``.
    pairs : tuple of tuple of int
    method : str
        What ran: the library calls and versions, and the films each fit used.
    cv_folds : tuple of (pandas.Index, pandas.Index)
        Training and held-out films (row labels) of every CV fold, in the
        order of ``cv_scores``.
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
    cv_folds: tuple[tuple[pd.Index, pd.Index], ...] = ()

    def predict(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Predicted class and margin for manufacturing conditions (see :func:`predict_margin`)."""
        return predict_margin(self.model, data[list(self.features)].to_numpy(dtype=float))


def _subsample(ix: np.ndarray, y: np.ndarray, size: int, random_state: int, min_per_class: int = 1) -> np.ndarray:
    """A stratified random subsample of the positions ``ix`` (``train_test_split(stratify=)``).

    Classes left with fewer than ``min_per_class`` films (rare classes on very
    large tables) are topped up from the films not drawn.
    """
    from sklearn.model_selection import train_test_split

    if len(ix) <= size:
        return ix
    keep, rest = train_test_split(ix, train_size=size, stratify=y[ix], random_state=random_state)
    extra = [rest[y[rest] == cls][: max(min_per_class - int(np.sum(y[keep] == cls)), 0)] for cls in np.unique(y[ix])]
    return np.sort(np.concatenate([keep, *extra]))


def svm_classifier(
    data: pd.DataFrame,
    classes: pd.Series,
    *,
    features=("polymer_wt_pct", "ls_ratio", "xylene_vol_pct"),
    test_size: float = Config.test_size,
    c: float = Config.svm_c,
    cv_splits: int = Config.cv_splits,
    cv_repeats: int = Config.cv_repeats,
    random_state: int = Config.seed,
    max_exact: int = Config.large_n,
    subsample: int = Config.subsample,
) -> ClassifierResult:
    """Train and score a linear SVM on the manufacturing conditions.

    Every fit is the pipeline of :func:`make_pipeline` (``StandardScaler`` ->
    ``RandomOverSampler`` -> ``SVC(kernel="linear")``): it standardises its
    training films, oversamples the smaller classes of those films to the
    size of the largest (in standardised units), and fits a one-vs-one linear
    C-SVC. The sampler is a pipeline step, so oversampling only ever copies
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
        Cost C of the C-SVC.
    cv_splits, cv_repeats : int
        Repeated stratified K-fold CV.
    random_state : int
        Seed of the split, the folds, the subsamples and every oversampler.
    max_exact, subsample : int
        Above ``max_exact`` films, the SVM is trained (and cross-validated) on a
        stratified random subsample of ``subsample`` films: a linear boundary in
        3 conditions is well determined by a few thousand films, and the SVM's
        training time grows faster than n. The test split and its scores
        still use every held-out film. ``method`` says which ran.

    Notes
    -----
    1. hold-out: ``sklearn.model_selection.train_test_split(stratify=y,
       test_size=test_size, random_state=random_state)``; the pipeline is fitted
       on the training films and scored on the test films with
       ``sklearn.metrics.f1_score(average="macro")``, ``confusion_matrix`` and
       ``precision_recall_fscore_support``;
    2. cross-validation: ``sklearn.model_selection.cross_validate`` of the
       same pipeline over ``RepeatedStratifiedKFold(n_splits=cv_splits,
       n_repeats=cv_repeats, random_state=random_state)``, scored by macro F1
       (scikit-learn's ``"f1_macro"`` with ``zero_division=0``);
    3. final model: the pipeline refitted on all films.

    Undefined precision (a class never predicted) counts as 0. A fit that
    reaches libsvm's iteration cap (:data:`SVC_MAX_ITER`) before ``tol``
    keeps the hyperplanes it has (scikit-learn's ``ConvergenceWarning`` is
    caught); ``method`` says how many fits did. The 95 % range
    of the CV is the 2.5th-97.5th percentile of the fold scores.

    R: with ``z`` the conditions standardised by the training films' mean and
    n-denominator SD, ``e1071::svm(z[over, ], factor(class[over]), kernel =
    "linear", cost = c, scale = FALSE)`` on the oversampled rows ``over``
    (checked in ``tests/reference/svm_reference.R``; e1071's own ``scale =
    TRUE`` would standardise the oversampled rows with the n - 1 SD, a
    slightly different problem); ``caret::confusionMatrix`` for the scores.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

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

    def _sub(ix: np.ndarray, min_per_class: int = 1) -> np.ndarray:
        return _subsample(ix, y, subsample, random_state, min_per_class) if large else ix

    with warnings.catch_warnings(record=True) as stopped:
        warnings.simplefilter("always", ConvergenceWarning)  # counted below, not shown
        held, y_pred, tr, te, cv, cv_idx, final, fin_idx = _fit_all(
            x, y, idx, test_size, c, cv_splits, cv_repeats, random_state, labels, need, _sub)
    n_capped = sum(issubclass(w.category, ConvergenceWarning) for w in stopped)
    for w in stopped:  # anything else goes on as it came
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    over_idx = tr[held.named_steps["oversample"].sample_indices_]
    p, r, f, s = precision_recall_fscore_support(y[te], y_pred, labels=list(labels), zero_division=0)
    per_class = pd.DataFrame({"class": list(labels), "precision": p, "recall": r, "f1": f,
                              "support": s.astype(int)})
    scores = np.asarray(cv["test_score"], dtype=float)
    folds = tuple((data.index[cv_idx[a]], data.index[cv_idx[b]])
                  for a, b in zip(cv["indices"]["train"], cv["indices"]["test"]))
    coef, intercept, pairs = _hyperplanes(final)
    scaler = final.named_steps["scale"]

    call = pipeline_call(c)
    if large:
        method = (f"{call}; trained on a stratified subsample of {len(tr)} of the training films; CV and the "
                  f"final model on stratified subsamples of {len(cv_idx)} and {len(fin_idx)} films; tested on "
                  f"all {len(te)} held-out films")
    else:
        method = (f"{call}; trained on all {len(tr)} training films, tested on {len(te)} held-out films; "
                  f"final model refitted on all {len(fin_idx)} films")
    if n_capped:
        method += (f"; {n_capped} of {len(scores) + 2} fits stopped at libsvm's cap of {SVC_MAX_ITER:,} "
                   f"iterations before reaching tol")
    return ClassifierResult(
        features=features, labels=labels,
        train_index=data.index[tr], test_index=data.index[te], oversampled_index=data.index[over_idx],
        counts_before={cls: int(np.sum(y[tr] == cls)) for cls in labels},
        counts_after={cls: int(np.sum(y[over_idx] == cls)) for cls in labels},
        y_test=y[te], y_pred=y_pred,
        confusion_matrix=confusion_matrix(y[te], y_pred, labels=list(labels)),
        per_class=per_class,
        test_f1_macro=float(f1_score(y[te], y_pred, average="macro", labels=list(labels), zero_division=0)),
        cv_scores=scores,
        cv_f1_macro_mean=float(np.mean(scores)),
        cv_f1_macro_ci95=(float(np.percentile(scores, 2.5)), float(np.percentile(scores, 97.5))),
        cv_splits=cv_splits, cv_repeats=cv_repeats, c=c,
        model=final, scaler_mean=np.array(scaler.mean_, dtype=float), scaler_scale=np.array(scaler.scale_, dtype=float),
        coef=coef, intercept=intercept, pairs=pairs, method=method, cv_folds=folds,
    )


def _fit_all(x, y, idx, test_size, c, cv_splits, cv_repeats, random_state, labels, need, _sub):
    """The hold-out fit, the cross-validation and the final fit (see :func:`svm_classifier`)."""
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate, train_test_split

    # 1. hold-out
    tr, te = train_test_split(idx, test_size=test_size, stratify=y, random_state=random_state)
    tr = np.sort(_sub(tr))
    te = np.sort(te)
    held = make_pipeline(c=c, random_state=random_state).fit(x[tr], y[tr])
    y_pred = np.asarray(held.predict(x[te]))

    # 2. cross-validation
    cv_idx = _sub(idx, min_per_class=need)
    cv = cross_validate(
        make_pipeline(c=c, random_state=random_state), x[cv_idx], y[cv_idx],
        cv=RepeatedStratifiedKFold(n_splits=cv_splits, n_repeats=cv_repeats, random_state=random_state),
        scoring=make_scorer(f1_score, average="macro", labels=list(labels), zero_division=0),
        return_indices=True, error_score="raise")

    # 3. final model
    fin_idx = _sub(idx)
    final = make_pipeline(c=c, random_state=random_state).fit(x[fin_idx], y[fin_idx])
    return held, y_pred, tr, te, cv, cv_idx, final, fin_idx


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


def decision_map(result: ClassifierResult, data: pd.DataFrame, *, grid_size: int = Config.grid_size,
                 max_levels: int = 12) -> DecisionMap:
    """Decision map of the final SVM pipeline over the observed L:S and X:B ranges.

    Levels are every integer P% from the lowest to the highest observed plus
    every observed level; levels not in the data are interpolated by the model.
    With more than ``max_levels`` such levels, ``max_levels`` evenly spaced
    levels across the observed range are used instead. Classes and margins
    come from the fitted pipeline (:func:`predict_margin`), all levels in one call.
    """
    p_obs = np.unique(data["polymer_wt_pct"].to_numpy(dtype=float))
    levels = np.unique(np.concatenate([np.arange(np.ceil(p_obs.min()), np.floor(p_obs.max()) + 1), p_obs]))
    if len(levels) > max_levels:  # many distinct P% values: evenly spaced levels across the range
        levels = np.unique(np.round(np.linspace(p_obs.min(), p_obs.max(), max_levels), 2))
    ls = np.linspace(data["ls_ratio"].min(), data["ls_ratio"].max(), grid_size)
    xb = np.linspace(data["xylene_vol_pct"].min(), data["xylene_vol_pct"].max(), grid_size)
    gp, gy, gx = np.meshgrid(levels, xb, ls, indexing="ij")
    frame = pd.DataFrame({"polymer_wt_pct": gp.ravel(), "ls_ratio": gx.ravel(), "xylene_vol_pct": gy.ravel()})
    pred, margin = result.predict(frame)
    observed = tuple(bool(np.isclose(p_obs, p).any()) for p in levels)
    return DecisionMap(tuple(float(p) for p in levels), observed, ls, xb, pred.reshape(gp.shape),
                       margin.reshape(gp.shape))
