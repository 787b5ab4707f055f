"""Next experiments: new (P%, L:S, X:B) conditions that teach the class map most.

Uncertainty sampling (active learning) over a grid of castable conditions:
the disagreement of the study's own cross-validated classifiers (query by
committee) and the distance to the SVM's class-1 boundary, the conditions
on that boundary picked first, kept apart by a minimum distance, and the rest of the
slots spent on the least explored conditions (maximin distance).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..schema import CONDITIONS

__all__ = ["GOALS", "MAP_WITHDRAWN", "UNCERTAIN", "Suggestions", "boundary_distance", "candidate_grid", "class1_distance",
           "committee_votes", "next_experiments", "suggest_conditions", "window_points"]

#: Columns of :attr:`Suggestions.table` written to the JSON, in order (the window adds ``p_class1``,
#: ``boundary_distance`` and ``nearest_films``).
JSON_COLUMNS = ("polymer_wt_pct", "ls_ratio", "xylene_vol_pct", "predicted_class", "uncertainty", "reason")

#: What ``ssereport suggest --goal`` can optimise: an operating window (points inside the predicted class-1
#: region, far from its boundaries) or the class map (films that teach the boundary; withdrawn, see
#: :data:`MAP_WITHDRAWN`).
GOALS = ("window", "map")

#: Why ``ssereport suggest --goal map`` stops (exit 2): its benchmark did not reach the bar of issue 21
#: (benchmarks/suggest.md). Empty if it did.
MAP_WITHDRAWN = ("--goal map is withdrawn: in the benchmark its suggestions do not teach the class map more than "
                 "random films (see benchmarks/suggest.md); use --goal window")

#: A committee is called "uncertain" (split) only when its largest share of votes is at most 1 - UNCERTAIN,
#: i.e. ``uncertainty >= UNCERTAIN``: at least a quarter of the fold models vote against the majority.
UNCERTAIN = 0.25


@dataclass(frozen=True, eq=False)
class Suggestions:
    """Result of :func:`suggest_conditions`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per suggested condition, in the order chosen:
        ``polymer_wt_pct, ls_ratio, xylene_vol_pct`` (the condition),
        ``predicted_class`` (the study's SVM), ``uncertainty`` (1 − the largest
        share of committee votes), ``vote_class1`` (share of the committee
        voting for the class of interest), ``rival_class`` (the other class
        with most votes), ``boundary`` (1 − |2 · vote_class1 − 1|: 1 when the
        committee is split half and half on class 1), ``distance_class1``
        (standardised distance to the SVM's class-1 boundary, :func:`class1_distance`), ``nearest_film`` (distance
        to the nearest cast film, in range units), ``kind`` (``"boundary"`` or
        ``"explore"``), ``new_level`` (P% not among the cast levels) and
        ``reason``.
    method : str
        What ran (library calls, candidate grid, distances).
    n_candidates : int
        Conditions considered (the grid minus those near a cast film).
    min_distance : float
        Smallest allowed distance between two suggestions and between a
        suggestion and a cast film, in range units (each condition scaled to
        0–1 over its studied range; Euclidean).
    ranges : dict of str to (float, float)
        The studied range of each condition.
    class_of_interest : int
    """

    table: pd.DataFrame
    method: str
    n_candidates: int
    min_distance: float
    ranges: dict[str, tuple[float, float]]
    class_of_interest: int = 1
    goal: str = "map"

    def to_dict(self) -> dict[str, Any]:
        """``{"goal", "method", "suggestions": [{polymer_wt_pct, ls_ratio, xylene_vol_pct, predicted_class,
        uncertainty, reason}]}``; the window's suggestions add ``p_class1``, ``boundary_distance`` and
        ``nearest_films`` (``[{sample_id, polymer_wt_pct, ls_ratio, xylene_vol_pct, class, distance}]``)
        (docs/suggest-compare-json.md)."""
        rows = []
        for rec in self.table.to_dict(orient="records"):
            row = {"polymer_wt_pct": float(rec["polymer_wt_pct"]), "ls_ratio": float(rec["ls_ratio"]),
                   "xylene_vol_pct": float(rec["xylene_vol_pct"]), "predicted_class": int(rec["predicted_class"]),
                   "uncertainty": float(rec["uncertainty"]), "reason": str(rec["reason"])}
            if self.goal == "window":
                row["p_class1"] = float(rec["p_class1"])
                row["boundary_distance"] = float(rec["boundary_distance"])
                row["nearest_films"] = [dict(f) for f in rec["nearest_films"]]
            rows.append(row)
        return {"goal": self.goal, "method": self.method, "suggestions": rows}

    def to_json(self, *, indent: int | None = 2) -> str:
        from ..jsonutil import dumps

        return dumps(self.to_dict(), indent=indent)

    def summary(self) -> str:
        """The suggestions as a plain-text table (what ``ssereport suggest`` prints)."""
        t = self.table
        if self.goal == "window":
            head = (f"{'#':>2}  {'P%':>5}  {'L:S':>5}  {'X:B':>5}  {'p_class1':>8}  {'to boundary':>11}  "
                    f"{'to edge':>7}  reason")
            lines = [head]
            for i, r in enumerate(t.itertuples(index=False), 1):
                lines.append(f"{i:>2}  {r.polymer_wt_pct:>5g}  {r.ls_ratio:>5.2f}  {r.xylene_vol_pct:>5g}  "
                             f"{r.p_class1:>8.2f}  {r.boundary_distance:>11.3f}  {r.edge_distance:>7.3f}  {r.reason}")
            lines.append("distances in range units (each condition scaled to 0-1 over its studied range); rows in "
                         "decreasing min(to boundary, to edge)")
            return "\n".join(lines) + f"\nmethod: {self.method}"
        head = f"{'#':>2}  {'P%':>5}  {'L:S':>5}  {'X:B':>5}  {'class':>5}  {'uncert.':>7}  reason"
        lines = [head]
        for i, r in enumerate(t.itertuples(index=False), 1):
            lines.append(f"{i:>2}  {r.polymer_wt_pct:>5g}  {r.ls_ratio:>5.2f}  {r.xylene_vol_pct:>5g}  "
                         f"{int(r.predicted_class):>5d}  {r.uncertainty:>7.3f}  {r.reason}")
        return "\n".join(lines) + f"\nmethod: {self.method}"


def _nice_step(span: float, n: int) -> float:
    """A 1-2-2.5-5 × 10^k step giving about ``n`` intervals over ``span`` (castable set points)."""
    raw = span / max(n, 1)
    mag = 10.0 ** np.floor(np.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * mag >= raw * 0.999:
            return float(m * mag)
    return float(10 * mag)  # pragma: no cover


def candidate_grid(data: pd.DataFrame, *, levels=None, n_steps: int = 16) -> pd.DataFrame:
    """Castable conditions inside the studied ranges.

    P% takes ``levels`` (default: every integer P% from the lowest to the
    highest cast level plus the cast levels, the levels of the decision maps);
    L:S and X:B take round set points (steps of 1, 2, 2.5 or 5 × 10^k, about
    ``n_steps`` intervals) from their lowest to their highest cast value.
    """
    p = np.unique(data["polymer_wt_pct"].to_numpy(dtype=float))
    if levels is None:
        levels = np.unique(np.concatenate([np.arange(np.ceil(p.min()), np.floor(p.max()) + 1), p]))
    axes = [np.asarray(levels, dtype=float)]
    for col in ("ls_ratio", "xylene_vol_pct"):
        v = data[col].to_numpy(dtype=float)
        lo, hi = float(v.min()), float(v.max())
        if hi <= lo:
            axes.append(np.array([lo]))
            continue
        step = _nice_step(hi - lo, n_steps)
        start = np.ceil(lo / step - 1e-9) * step
        pts = np.arange(start, hi + step * 1e-6, step)
        axes.append(np.unique(np.round(np.concatenate([[lo], pts, [hi]]), 10)))
    gp, gl, gx = np.meshgrid(*axes, indexing="ij")
    return pd.DataFrame({"polymer_wt_pct": gp.ravel(), "ls_ratio": gl.ravel(), "xylene_vol_pct": gx.ravel()})


def committee_votes(data: pd.DataFrame, classes, candidates: pd.DataFrame, *, c: float = 1.0, cv_splits: int = 5,
                    cv_repeats: int = 10, random_state: int = 42, features=CONDITIONS,
                    models=None) -> tuple[np.ndarray, tuple[int, ...], str]:
    """Share of the study's cross-validation models voting for each class at ``candidates``.

    Returns
    -------
    votes : numpy.ndarray, shape (len(candidates), n_classes)
        Share of the fold models predicting each class (rows sum to 1).
    labels : tuple of int
        Column order of ``votes``.
    method : str
        The library calls.

    Notes
    -----
    Query by committee (Seung, Opper & Sompolinsky 1992; Settles 2009,
    §3.2): the committee is the study's repeated cross-validation, the
    pipeline of :func:`ssereport.analysis.classifier.make_pipeline` fitted on
    the training films of every fold of
    ``sklearn.model_selection.RepeatedStratifiedKFold(n_splits=cv_splits,
    n_repeats=cv_repeats, random_state=random_state)`` (the folds
    :func:`~ssereport.analysis.classifier.svm_classifier` scores; fewer splits
    when a class has fewer films). Where the folds disagree, the class
    boundary is not pinned down by the films cast so far. Platt-scaled
    probabilities were not used: ``SVC(probability=True)`` is deprecated in
    scikit-learn 1.9, and ``CalibratedClassifierCV`` calibrates one-vs-rest
    scores, which jump at the pairwise boundaries of the one-vs-one SVM
    (class 1 lies between classes 3 and 2 along L:S). R: ``caret::train``
    with ``repeatedcv`` and ``e1071::svm`` per fold, then ``table`` of the
    fold predictions.
    """
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import RepeatedStratifiedKFold

    from .classifier import make_pipeline

    y = np.asarray(classes)
    labels, counts = np.unique(y, return_counts=True)
    if len(labels) < 2:
        raise DataError("suggestions need at least 2 quality classes; the study has only one")
    k = int(min(cv_splits, counts.min()))
    if k < 2:
        small = [int(a) for a, b in zip(labels, counts) if b < 2]
        raise DataError(f"class(es) {small} have a single film; the committee of cross-validated classifiers "
                        "needs at least 2 films per class")
    x = data[list(features)].to_numpy(dtype=float)
    xc = candidates[list(features)].to_numpy(dtype=float)
    if models:  # the study's own fitted CV pipelines (ClassifierResult.cv_models): no refit
        votes = np.zeros((len(xc), len(labels)))
        for m in models:
            votes += np.asarray(m.predict(xc))[:, None] == labels[None, :]
        method = (f"uncertainty: disagreement of a committee of {len(models)} linear SVMs, the study's own "
                  f"cross-validation pipelines (StandardScaler -> RandomOverSampler -> SVC(kernel=\"linear\", "
                  f"C={c:g}), sklearn.model_selection.RepeatedStratifiedKFold(n_splits={cv_splits}, "
                  f"n_repeats={cv_repeats}), kept by cross_validate(return_estimator=True)); "
                  "uncertainty = 1 - the largest share of votes")
        return votes / len(models), tuple(int(v) for v in labels), method
    base = make_pipeline(c=c, random_state=random_state)
    cv = RepeatedStratifiedKFold(n_splits=k, n_repeats=cv_repeats, random_state=random_state)
    votes = np.zeros((len(xc), len(labels)))
    n_fits = 0
    with warnings.catch_warnings():
        # libsvm stopping at its iteration cap keeps its hyperplane (as in the study; see SVC_MAX_ITER)
        warnings.simplefilter("ignore", ConvergenceWarning)
        for train, _ in cv.split(x, y):
            pred = clone(base).fit(x[train], y[train]).predict(xc)
            votes += pred[:, None] == labels[None, :]
            n_fits += 1
    method = (f"uncertainty: disagreement of a committee of {n_fits} linear SVMs (the study's pipeline, "
              f"StandardScaler -> RandomOverSampler -> SVC(kernel=\"linear\", C={c:g})), one per fold of "
              f"sklearn.model_selection.RepeatedStratifiedKFold(n_splits={k}, n_repeats={cv_repeats}); "
              f"uncertainty = 1 - the largest share of votes")
    return votes / n_fits, tuple(int(v) for v in labels), method


def class1_distance(model, candidates: pd.DataFrame, class_of_interest: int = 1,
                    features=CONDITIONS) -> np.ndarray:
    """Distance (standardised units) from each condition to the fitted SVM's boundary of ``class_of_interest``.

    Inside the class: :func:`~ssereport.analysis.classifier.predict_margin`
    (distance to its nearest pairwise hyperplane). Predicted class ``k``
    otherwise: distance to the (class_of_interest, k) hyperplane, read from
    ``decision_function`` and ``coef_``.
    """
    from .classifier import hyperplanes as _hyperplanes, predict_margin

    x = candidates[list(features)].to_numpy(dtype=float)
    pred, margin = predict_margin(model, x)
    coef, _, pairs = _hyperplanes(model)
    f = np.asarray(model.decision_function(x), dtype=float)
    if f.ndim == 1:
        f = -f[:, None]
    d = np.abs(np.asarray(margin, dtype=float))
    for j, (a, b) in enumerate(pairs):
        if class_of_interest in (a, b):
            other = b if a == class_of_interest else a
            dj = np.abs(f[:, j]) / np.linalg.norm(coef[j])
            d = np.where(pred == other, dj, d)
    return d


def _scaled(frame: pd.DataFrame, ranges: dict[str, tuple[float, float]]) -> np.ndarray:
    cols = []
    for f, (lo, hi) in ranges.items():
        cols.append((frame[f].to_numpy(dtype=float) - lo) / (hi - lo if hi > lo else 1.0))
    return np.column_stack(cols)


def suggest_conditions(data: pd.DataFrame, classes, *, n: int = 8, model=None, levels=None, c: float = 1.0,
                       cv_splits: int = 5, cv_repeats: int = 10, random_state: int = 42,
                       min_distance: float = 0.1, near_boundary: float = 0.25, explore: int | None = None,
                       class_of_interest: int = 1, n_steps: int = 16, order: str = "margin",
                       cv_models=None) -> Suggestions:
    """Propose ``n`` new conditions to cast, near the class-1 boundary and apart from each other.

    Parameters
    ----------
    data : pandas.DataFrame
        Cast films with the columns ``polymer_wt_pct, ls_ratio, xylene_vol_pct``.
    classes : array-like
        Quality class of every film (same order as ``data``).
    n : int, default 8
        Conditions to propose.
    model : fitted pipeline, optional
        Gives ``predicted_class`` (the study's SVM, as on the decision maps);
        by default :func:`~ssereport.analysis.classifier.make_pipeline` fitted
        on ``data``.
    levels : sequence of float, optional
        P% levels to consider (see :func:`candidate_grid`).
    c, cv_splits, cv_repeats, random_state
        Of the classifier and its repeated cross-validation (the committee).
    cv_models : sequence of fitted pipelines, optional
        The committee itself, when the study already fitted it
        (``ClassifierResult.cv_models``); otherwise it is refitted here.
    min_distance : float, default 0.1
        Minimum Euclidean distance, with every condition scaled to 0–1 over
        its studied range, between two suggestions and between a suggestion
        and a cast film (no repeat of a cast condition).
    near_boundary : float, default 0.25
        A condition the committee agrees on still takes a boundary slot when
        it is this close (standardised units) to the SVM's class-1 boundary.
    explore : int, optional
        Slots kept for unexplored conditions; default ``n // 4`` (2 of 8).
        Boundary slots that find no uncertain condition go to exploration too.
    class_of_interest : int, default 1
    n_steps : int
        About this many set points over the L:S and X:B ranges.
    order : {"margin", "committee"}
        Boundary slots ranked by the distance to the SVM's class-1 boundary
        (margin sampling, Tong & Koller 2001; default), or by the committee's
        split on class 1, then that distance. In benchmarks/suggest.py
        (tuning seeds 1–20) margin beat random in 14 of 20 seeds, committee in
        11 of 20.

    Returns
    -------
    Suggestions

    Notes
    -----
    1. committee votes: :func:`committee_votes` (the study's repeated CV);
    2. boundary slots: candidates in increasing order of ``distance_class1``
       (``order="margin"``; with ``"committee"``, in decreasing order of the
       committee's split on class 1 first), taken greedily when at least
       ``min_distance`` from every cast film and every suggestion so far,
       while the SVM's class-1 boundary is within ``near_boundary`` (or the
       committee is split, with ``"committee"``);
    3. exploration slots: greedy maximin, the candidate farthest from every
       cast film (``scipy.spatial.KDTree``) and suggestion (``scipy.spatial.distance.cdist``).

    This is uncertainty sampling with a diversity constraint (Settles,
    *Active Learning Literature Survey*, 2009, §3.1); in R, e.g.
    ``e1071::svm`` per fold of ``caret::createMultiFolds`` and a loop over ``proxy::dist``.
    """
    from scipy.spatial import KDTree
    from scipy.spatial.distance import cdist

    from .classifier import make_pipeline

    if n < 1:
        raise ValueError(f"n: got {n}, expected a positive number of suggestions")
    y = np.asarray(classes)
    if class_of_interest not in set(int(v) for v in y):
        raise DataError(f"no film is in class {class_of_interest}; suggestions look for the class-"
                        f"{class_of_interest} boundary and need films of that class")
    ranges = {f: (float(data[f].min()), float(data[f].max())) for f in CONDITIONS}
    cand = candidate_grid(data, levels=levels, n_steps=n_steps)
    z_films, z_cand = _scaled(data, ranges), _scaled(cand, ranges)
    # nearest cast film of each candidate: a k-d tree of the films (exact), not the full candidates × films
    # distance matrix (8 GB for 1,000,000 films)
    d_films = KDTree(z_films).query(z_cand)[0] if len(z_films) else np.full(len(z_cand), np.inf)
    keep = d_films >= min_distance
    cand, z_cand, d_films = cand[keep].reset_index(drop=True), z_cand[keep], d_films[keep]
    if len(cand) == 0:
        raise DataError(f"every condition of the grid is within {min_distance:g} (range units) of a cast film; "
                        "nothing new to suggest (lower min_distance)")
    votes, labels, vmethod = committee_votes(data, y, cand, c=c, cv_splits=cv_splits, cv_repeats=cv_repeats,
                                             random_state=random_state, models=cv_models)
    j1 = labels.index(class_of_interest)
    others = np.delete(votes, j1, axis=1)
    rival = np.asarray(labels)[np.delete(np.arange(len(labels)), j1)][others.argmax(axis=1)]
    v1 = votes[:, j1]
    boundary = 1.0 - np.abs(2.0 * v1 - 1.0)
    uncertainty = 1.0 - votes.max(axis=1)
    if model is None:
        with warnings.catch_warnings():
            from sklearn.exceptions import ConvergenceWarning

            warnings.simplefilter("ignore", ConvergenceWarning)
            model = make_pipeline(c=c, random_state=random_state).fit(
                data[list(CONDITIONS)].to_numpy(dtype=float), y)
    predicted = np.asarray(model.predict(cand[list(CONDITIONS)].to_numpy(dtype=float))).astype(int)
    dist1 = class1_distance(model, cand, class_of_interest)

    n_explore = min(n, n // 4 if explore is None else explore)
    chosen: list[int] = []
    kinds: list[str] = []

    def far_enough(i: int) -> bool:
        return not chosen or cdist(z_cand[[i]], z_cand[chosen]).min() >= min_distance

    if order not in ("committee", "margin"):
        raise ValueError(f"order: got {order!r}, expected 'committee' or 'margin'")
    ranking = np.lexsort((dist1, -boundary)) if order == "committee" else np.argsort(dist1, kind="stable")
    for i in ranking:
        if len(chosen) >= n - n_explore or ((boundary[i] <= 0 or order == "margin") and dist1[i] > near_boundary):
            break
        if far_enough(int(i)):
            chosen.append(int(i))
            kinds.append("boundary")
    while len(chosen) < n:
        # distance to the nearest cast film or suggestion so far (the films' part is d_films)
        gap = np.minimum(d_films, cdist(z_cand, z_cand[chosen]).min(axis=1)) if chosen else d_films.copy()
        gap[chosen] = -1.0
        i = int(gap.argmax())
        if gap[i] < min_distance:
            break  # the grid is full: fewer suggestions than asked
        chosen.append(i)
        kinds.append("explore")

    cast_levels = np.unique(data["polymer_wt_pct"].to_numpy(dtype=float))
    rows = []
    for i, kind in zip(chosen, kinds):
        new_level = not np.isclose(cast_levels, cand.at[i, "polymer_wt_pct"]).any()
        if kind == "boundary":
            if uncertainty[i] >= UNCERTAIN:
                reason = (f"on the class-{class_of_interest} boundary, classifier uncertain ({v1[i]:.0%} of the "
                          f"committee vote class {class_of_interest}, {others[i].max():.0%} class {int(rival[i])})")
            elif boundary[i] > 0:
                reason = (f"on the class-{class_of_interest} boundary of the SVM ({dist1[i]:.2f} standardised "
                          f"units away); the committee mostly agrees ({v1[i]:.0%} vote class "
                          f"{class_of_interest})")
            else:
                reason = (f"on the class-{class_of_interest} boundary of the SVM ({dist1[i]:.2f} standardised "
                          f"units away); committee unanimous")
        else:
            corner = bool(np.all(np.isclose(z_cand[i], 0.0) | np.isclose(z_cand[i], 1.0)))
            reason = (f"unexplored {'corner' if corner else 'region'}: nearest cast film "
                      f"{d_films[i]:.2f} range units away")
        if new_level:
            reason += "; P% between the cast levels"
        rows.append({**cand.loc[i].to_dict(), "predicted_class": int(predicted[i]),
                     "uncertainty": float(uncertainty[i]), "vote_class1": float(v1[i]),
                     "rival_class": int(rival[i]), "boundary": float(boundary[i]),
                     "distance_class1": float(dist1[i]), "nearest_film": float(d_films[i]), "kind": kind,
                     "new_level": bool(new_level), "reason": reason})
    table = pd.DataFrame(rows, columns=[*CONDITIONS, "predicted_class", "uncertainty", "vote_class1", "rival_class",
                                        "boundary", "distance_class1", "nearest_film", "kind", "new_level", "reason"])
    method = (f"{vmethod}; candidates: {len(cand)} conditions of a grid over the studied ranges (P% levels "
              f"{', '.join(f'{v:g}' for v in np.unique(cand['polymer_wt_pct']))}) at least {min_distance:g} range "
              f"units from every cast film; {int((table['kind'] == 'boundary').sum())} chosen greedily on the "
              f"class-{class_of_interest} boundary ("
              + (f"committee split on class {class_of_interest} first, then the distance to the SVM's class-"
                 f"{class_of_interest} boundary, at most {near_boundary:g} standardised units when the committee "
                 "is unanimous" if order == "committee" else
                 f"nearest to the SVM's class-{class_of_interest} boundary first, at most {near_boundary:g} "
                 "standardised units")
              + "), "
              f"{int((table['kind'] == 'explore').sum())} by maximin distance (unexplored), all at least "
              f"{min_distance:g} apart (scipy.spatial.KDTree and distance.cdist, conditions scaled to 0-1 over their "
              "range)")
    return Suggestions(table=table, method=method, n_candidates=len(cand), min_distance=min_distance,
                       ranges=ranges, class_of_interest=class_of_interest, goal="map")


def boundary_distance(model, candidates: pd.DataFrame, ranges: dict[str, tuple[float, float]],
                      class_of_interest: int = 1, features=CONDITIONS) -> np.ndarray:
    """Signed distance, in range units, from each condition to the boundary of the SVM's class-1 region.

    Parameters
    ----------
    model : fitted pipeline
        From :func:`~ssereport.analysis.classifier.make_pipeline` (``scale`` -> ``oversample`` -> linear
        one-vs-one ``svc``).
    candidates : pandas.DataFrame
        Conditions in their units.
    ranges : dict of str to (float, float)
        The studied range of each condition: range units scale each condition to 0–1 over it.

    Returns
    -------
    numpy.ndarray
        ``min_k d_k``, where ``d_k`` is the Euclidean distance (range units) to the pairwise hyperplane
        between ``class_of_interest`` and class ``k``, positive on the side of ``class_of_interest``. It is
        positive exactly where ``class_of_interest`` wins all its pairwise contests, and there it is the
        distance to the nearest point where it stops doing so (the region is the intersection of those half
        spaces); negative outside.

    Notes
    -----
    A pairwise decision function of the linear SVC is ``f(x) = w · (x - m) / s + b`` (``m``, ``s``: the
    pipeline's ``StandardScaler``); with ``x = lo + u · r`` (``u`` in range units, ``r`` the range width)
    its gradient in ``u`` is ``w · r / s``, so the distance is ``f / |w · r / s|``. The coefficients are
    scikit-learn's ``SVC.coef_`` and ``intercept_``
    (:func:`~ssereport.analysis.classifier.hyperplanes`); nothing is refitted.
    """
    from .classifier import hyperplanes as _hyperplanes

    coef, intercept, pairs = _hyperplanes(model)
    scaler = model.named_steps["scale"]
    x = candidates[list(features)].to_numpy(dtype=float)
    z = scaler.transform(x)
    width = np.array([max(ranges[f][1] - ranges[f][0], 1e-12) for f in features])
    out = np.full(len(x), np.inf)
    for j, (a, b) in enumerate(pairs):
        if class_of_interest not in (a, b):
            continue
        f = z @ coef[j] + intercept[j]
        if b == class_of_interest:
            f = -f
        out = np.minimum(out, f / np.linalg.norm(coef[j] * width / scaler.scale_))
    return out


def window_points(data: pd.DataFrame, classes, model, *, n: int = 3, cv_models=None, levels=None,
                  min_separation: float = 0.1, n_evidence: int = 3, class_of_interest: int = 1,
                  n_steps: int = 16, sample_ids=None, c: float = 1.0, cv_splits: int = 5, cv_repeats: int = 10,
                  random_state: int = 42, within_ranges: bool = True) -> Suggestions:
    """Operating points inside the predicted class-1 region, as far from its boundaries as the ranges allow.

    Parameters
    ----------
    data : pandas.DataFrame
        Cast films with ``polymer_wt_pct, ls_ratio, xylene_vol_pct``.
    classes : array-like
        Their quality classes.
    model : fitted pipeline
        The study's SVM (:attr:`ClassifierResult.model`).
    n : int, default 3
        Points to recommend.
    cv_models : sequence of fitted pipelines, optional
        The study's repeated-CV models (``ClassifierResult.cv_models``); ``p_class1`` is the share of them
        predicting class 1. Refitted (:func:`committee_votes`) when not given.
    levels : sequence of float, optional
        P% levels of the candidate grid (:func:`candidate_grid`).
    min_separation : float, default 0.1
        Smallest distance (range units) between two recommended points.
    n_evidence : int, default 3
        Nearest cast films listed with each point.
    sample_ids : array-like, optional
        Names of the films (default: their row numbers).
    within_ranges : bool, default True
        Count the edges of the studied ranges as boundaries too: a point is then as far from the class-1
        boundary *and* from the edges of what was cast as possible (outside the cast ranges the region is an
        extrapolation of the model).

    Returns
    -------
    Suggestions
        ``goal="window"``; its table has, besides the columns of :func:`suggest_conditions`' table,
        ``p_class1`` (share of the committee predicting class 1), ``boundary_distance`` (range units,
        :func:`boundary_distance`), ``edge_distance`` (range units to the nearest edge of the studied
        ranges), ``margin`` (the criterion: the smaller of the two with ``within_ranges``, else
        ``boundary_distance``) and ``nearest_films`` (list of dicts). Rows in decreasing ``margin``, then
        decreasing ``p_class1``.

    Raises
    ------
    DataError
        If no condition of the grid is predicted class 1.

    Notes
    -----
    Candidates are the castable grid of :func:`candidate_grid`; those the SVM predicts class 1 *and* where
    class 1 wins all its pairwise contests are ranked by their distance to the region's boundary (in range
    units, so that a point is as robust as possible to the scatter of a cast and of the window itself; with
    ``within_ranges``, the edges of the studied ranges count as boundaries), and taken greedily at least
    ``min_separation`` apart (``scipy.spatial.distance.cdist``). The
    evidence is the ``n_evidence`` nearest cast films (``scipy.spatial.KDTree``, range units) with their
    observed classes. R: ``e1071::svm`` coefficients, a distance to each hyperplane and ``order``.
    """
    from scipy.spatial import KDTree
    from scipy.spatial.distance import cdist

    if n < 1:
        raise ValueError(f"n: got {n}, expected a positive number of operating points")
    y = np.asarray(classes)
    ranges = {f: (float(data[f].min()), float(data[f].max())) for f in CONDITIONS}
    cand = candidate_grid(data, levels=levels, n_steps=n_steps)
    pred = np.asarray(model.predict(cand[list(CONDITIONS)].to_numpy(dtype=float))).astype(int)
    dist = boundary_distance(model, cand, ranges, class_of_interest)
    inside = (pred == class_of_interest) & (dist > 0)
    if not inside.any():
        raise DataError(f"the classifier predicts class {class_of_interest} nowhere in the studied ranges; "
                        "there is no operating window to recommend")
    cand, pred, dist = cand[inside].reset_index(drop=True), pred[inside], dist[inside]
    z_cand, z_films = _scaled(cand, ranges), _scaled(data, ranges)
    # the edges of the studied ranges bound what the data show: beyond them the region is extrapolated
    edge = np.minimum(z_cand, 1.0 - z_cand).min(axis=1)
    margin = np.minimum(dist, edge) if within_ranges else dist
    votes, labels, vmethod = committee_votes(data, y, cand, c=c, cv_splits=cv_splits, cv_repeats=cv_repeats,
                                             random_state=random_state, models=cv_models)
    p1 = votes[:, labels.index(class_of_interest)] if class_of_interest in labels else np.zeros(len(cand))
    uncertainty = 1.0 - votes.max(axis=1)
    chosen: list[int] = []
    for i in np.lexsort((-p1, -margin)):
        if len(chosen) >= n:
            break
        if not chosen or cdist(z_cand[[i]], z_cand[chosen]).min() >= min_separation:
            chosen.append(int(i))
    ids = (np.asarray(sample_ids).astype(str) if sample_ids is not None
           else np.array([f"row {k + 1}" for k in range(len(data))]))
    k = int(min(n_evidence, len(data)))
    near_d, near_i = KDTree(z_films).query(z_cand[chosen], k=k)
    near_d, near_i = np.atleast_2d(near_d).reshape(len(chosen), k), np.atleast_2d(near_i).reshape(len(chosen), k)
    rows = []
    for row, i in enumerate(chosen):
        evidence = [{"sample_id": str(ids[j]), "polymer_wt_pct": float(data[CONDITIONS[0]].iloc[j]),
                     "ls_ratio": float(data["ls_ratio"].iloc[j]),
                     "xylene_vol_pct": float(data["xylene_vol_pct"].iloc[j]), "class": int(y[j]),
                     "distance": float(dd)} for j, dd in zip(near_i[row], near_d[row])]
        n_same = sum(e["class"] == class_of_interest for e in evidence)
        split = uncertainty[i] >= UNCERTAIN
        reason = (f"inside the predicted class-{class_of_interest} region, {dist[i]:.2f} range units from its "
                  f"nearest boundary and {edge[i]:.2f} from the edge of the studied ranges; {p1[i]:.0%} of the "
                  f"committee predict class {class_of_interest}"
                  + (" (committee split)" if split else "")
                  + f"; {n_same} of the {k} nearest cast films are class {class_of_interest}")
        rows.append({**cand.loc[i].to_dict(), "predicted_class": int(pred[i]), "uncertainty": float(uncertainty[i]),
                     "p_class1": float(p1[i]), "boundary_distance": float(dist[i]),
                     "edge_distance": float(edge[i]), "margin": float(margin[i]),
                     "nearest_film": float(near_d[row].min()), "nearest_films": evidence, "kind": "window",
                     "reason": reason})
    table = pd.DataFrame(rows, columns=[*CONDITIONS, "predicted_class", "uncertainty", "p_class1",
                                        "boundary_distance", "edge_distance", "margin", "nearest_film", "nearest_films", "kind", "reason"])
    method = (f"window: {len(cand)} conditions of a grid over the studied ranges (P% levels "
              f"{', '.join(f'{v:g}' for v in np.unique(cand['polymer_wt_pct']))}) predicted class "
              f"{class_of_interest} by the study's SVM, ranked by their distance to the boundary of the class-"
              f"{class_of_interest} region (range units: each condition scaled to 0-1 over its studied range; "
              f"from the SVC's pairwise hyperplanes)"
              + (", the edges of the studied ranges counting as boundaries" if within_ranges else "")
              + f", taken greedily at least {min_separation:g} apart; "
              f"p_class1: share of the committee predicting class {class_of_interest} (not a calibrated "
              f"probability) - {vmethod}; evidence: the {k} nearest cast films (scipy.spatial.KDTree)")
    return Suggestions(table=table, method=method, n_candidates=len(cand), min_distance=min_separation,
                       ranges=ranges, class_of_interest=class_of_interest, goal="window")


def next_experiments(results, n: int | None = None, *, goal: str = "window", min_distance: float = 0.1,
                     explore: int | None = None, order: str = "margin") -> Suggestions:
    """Suggestions for a study: its films, classes, SVM, committee and decision-map P% levels.

    Parameters
    ----------
    results : StudyResults
        From :func:`ssereport.analyze`.
    n : int, optional
        Number of conditions; default 3 for the window, 8 for the map.
    goal : {"window", "map"}
        ``"window"``: :func:`window_points` (``min_distance`` is their smallest separation);
        ``"map"``: :func:`suggest_conditions` (withdrawn from the command line: in
        ``benchmarks/suggest.md`` it does not beat random films).
    min_distance, explore, order
        As for :func:`suggest_conditions`.
    """
    if goal not in GOALS:
        raise ValueError(f"goal: got {goal!r}, expected one of {list(GOALS)}")
    k = results.classifier
    data = results.table.data
    labels = results.clusters.labels.loc[data.index].to_numpy()
    if goal == "window":
        return window_points(data, labels, k.model, n=3 if n is None else n, cv_models=k.cv_models,
                             levels=results.decision_map.polymer_levels, min_separation=min_distance,
                             sample_ids=data["sample_id"].to_numpy() if "sample_id" in data else None, c=k.c,
                             cv_splits=k.cv_splits, cv_repeats=k.cv_repeats, random_state=results.config.seed)
    return suggest_conditions(data, labels, n=8 if n is None else n, model=k.model,
                              levels=results.decision_map.polymer_levels, c=k.c, cv_splits=k.cv_splits,
                              cv_repeats=k.cv_repeats, random_state=results.config.seed, min_distance=min_distance,
                              explore=explore, order=order, cv_models=k.cv_models)
