"""K-means quality classes on principal-component scores.

K-means, the silhouette and the adjusted Rand index are implemented here in
NumPy (the same algorithms and random draws as scikit-learn's ``KMeans``,
``silhouette_score`` and ``adjusted_rand_score``, which the tests compare
against), so the analysis does not import scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["ClusterResult", "adjusted_rand_index", "kmeans", "kmeans_classes", "renumber", "silhouette_mean"]


@dataclass(frozen=True, eq=False)
class ClusterResult:
    """Result of :func:`kmeans_classes`.

    Attributes
    ----------
    labels : pandas.Series
        Class of every film, 1…k, after renumbering (index as the input).
    centroids : numpy.ndarray, shape (k, n_components)
        Centroid of class ``i + 1`` in row ``i``, in PC-score space.
    n_components : int
        Number of PC scores clustered.
    mapping : dict
        Raw K-means cluster -> class.
    inertia : float
    silhouette : float
        Mean silhouette width (−1…1) of the classes in the clustered PC space.
    stability_ari : float
        Mean adjusted Rand index between the classes and those of K-means refitted
        on bootstrap resamples and applied to all films (1 = identical every
        time; near 0 = noise). Refits use the same Lloyd iterations with the
        same number of (plain) k-means++ starts.
    stability_ari_all : numpy.ndarray
        The ARI of every resample.
    method : str
        What ran (K-means on all films; for large tables the silhouette and
        bootstrap on a subsample).
    """

    labels: pd.Series
    centroids: np.ndarray
    n_components: int
    mapping: dict[int, int]
    inertia: float
    silhouette: float
    stability_ari: float
    stability_ari_all: np.ndarray
    method: str = ""

    @property
    def counts(self) -> dict[int, int]:
        k = len(self.centroids)
        vc = self.labels.value_counts()
        return {c: int(vc.get(c, 0)) for c in range(1, k + 1)}

    def predict(self, scores: np.ndarray) -> np.ndarray:
        """Class of the nearest centroid for new PC scores (first ``n_components`` used)."""
        s = np.asarray(scores, dtype=float)[:, : self.n_components]
        d = ((s[:, None, :] - self.centroids[None, :, :]) ** 2).sum(axis=2)
        return d.argmin(axis=1) + 1


def renumber(raw: np.ndarray, conductivity: np.ndarray, rd: np.ndarray) -> dict[int, int]:
    """Map raw cluster ids to quality classes as in the paper.

    The cluster with the lowest median conductivity becomes the last class
    (class 3 for k = 3); the others are numbered by increasing median RD, so
    class 1 is the most uniform of the conductive ones. Ties are broken by the
    raw id, so the rule is deterministic.
    """
    ids = sorted(np.unique(raw).tolist())
    med_s = {i: float(np.median(conductivity[raw == i])) for i in ids}
    med_r = {i: float(np.median(rd[raw == i])) for i in ids}
    worst = min(ids, key=lambda i: (med_s[i], i))
    rest = sorted((i for i in ids if i != worst), key=lambda i: (med_r[i], i))
    order = rest + [worst]
    return {int(raw_id): pos + 1 for pos, raw_id in enumerate(order)}


_BLOCK = 1 << 16  # distances are computed for at most this many (run, film) pairs at a time


def _nearest(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre (squared Euclidean) for every point of every run.

    Parameters
    ----------
    x : numpy.ndarray, shape (r, m, d) or (1, m, d)
        Points of each run (one shared set when the first axis is 1).
    centers : numpy.ndarray, shape (r, k, d)

    Returns
    -------
    numpy.ndarray of int, shape (r, m)
        The first nearest centre on ties (as ``argmin``). Computed in blocks
        of about 65,536 (run, point) pairs, so memory stays small for large m.
    """
    r, k, _ = centers.shape
    m = x.shape[1]
    labels = np.empty((r, m), dtype=np.intp)
    step = max(1, _BLOCK // r)
    for s in range(0, m, step):
        xs = x[:, s:s + step]
        diff = xs - centers[:, 0, None, :]
        best = np.einsum("rmd,rmd->rm", diff, diff)
        lab = np.zeros(best.shape, dtype=np.intp)
        for j in range(1, k):
            diff = xs - centers[:, j, None, :]
            d2 = np.einsum("rmd,rmd->rm", diff, diff)
            closer = d2 < best  # strict: the first nearest centre wins ties, as argmin
            lab[closer] = j
            np.minimum(best, d2, out=best)
        labels[:, s:s + step] = lab
    return labels


def _sq_dist_to(x: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, shape (len(points), len(x)), in blocks of rows of x."""
    out = np.empty((len(points), len(x)))
    step = max(1, _BLOCK // max(len(points), 1))
    for s in range(0, len(x), step):
        diff = x[None, s:s + step, :] - points[:, None, :]
        out[:, s:s + step] = np.einsum("pmd,pmd->pm", diff, diff)
    return out


def _kmeans_plusplus(x: np.ndarray, k: int, rng, *, n_local_trials: int | None = None) -> np.ndarray:
    """k-means++ starting centres (Arthur & Vassilvitskii 2007), greedy as scikit-learn's.

    Each new centre is the best (lowest total squared distance) of
    ``n_local_trials`` candidates drawn with probability ∝ D², the squared
    distance to the nearest centre chosen so far; ``None`` means
    2 + ⌊ln k⌋ candidates, 1 is the plain k-means++.

    ``rng`` decides how the draws are made:

    * ``numpy.random.RandomState``: exactly as scikit-learn's
      ``_kmeans_plusplus`` (first centre ``rng.choice(n, p=1/n)``, candidates
      at ``searchsorted(cumsum(D²), rng.uniform(size=t) · ΣD²)``), so
      ``RandomState(seed)`` gives the starts of ``KMeans(random_state=seed)``;
    * ``numpy.random.Generator``: first centre ``rng.integers(n)``, candidates
      as ``rng.choice(n, p=D² / ΣD²)`` (the bootstrap refits).
    """
    n, d = x.shape
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(k))
    legacy = isinstance(rng, np.random.RandomState)
    first = rng.choice(n, p=np.full(n, 1.0 / n)) if legacy else rng.integers(n)
    centers = np.empty((k, d))
    centers[0] = x[first]
    closest = _sq_dist_to(x, centers[:1])[0]
    pot = closest.sum()
    for c in range(1, k):
        if legacy:
            cand = np.searchsorted(np.cumsum(closest), rng.uniform(size=n_local_trials) * pot)
            cand = np.minimum(cand, n - 1)
        elif pot > 0:
            cdf = np.cumsum(closest / pot)
            cdf /= cdf[-1]
            cand = cdf.searchsorted(rng.random(n_local_trials), side="right")
        else:  # every point is on a centre already
            cand = np.atleast_1d(rng.integers(n, size=None if n_local_trials == 1 else n_local_trials))
        dist = np.minimum(closest, _sq_dist_to(x, x[cand]))
        cand_pot = dist.sum(axis=1)
        best = int(np.argmin(cand_pot))
        closest, pot = dist[best], cand_pot[best]
        centers[c] = x[cand[best]]
    return centers


def _update_centers(x: np.ndarray, labels: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Means of the clusters of every run; an empty cluster takes the point farthest from its centre.

    The relocation is scikit-learn's ``_relocate_empty_clusters_dense``: the
    ``e`` points farthest from their (old) centre move, in decreasing
    distance, to the ``e`` empty clusters.
    """
    r, k, d = old.shape
    m = labels.shape[1]
    flat = (labels + k * np.arange(r)[:, None]).ravel()
    counts = np.bincount(flat, minlength=r * k).reshape(r, k).astype(float)
    xb = np.broadcast_to(x, (r, m, d))
    sums = np.empty((r, k, d))
    for j in range(d):
        sums[:, :, j] = np.bincount(flat, weights=xb[:, :, j].ravel(), minlength=r * k).reshape(r, k)
    for run in np.flatnonzero((counts == 0).any(axis=1)):
        empty = np.flatnonzero(counts[run] == 0)
        xr, lr = xb[run], labels[run]
        far_d = ((xr - old[run][lr]) ** 2).sum(axis=1)
        far = np.argpartition(far_d, -len(empty))[: -len(empty) - 1: -1]
        for new_id, idx in zip(empty, far):
            old_id = lr[idx]
            sums[run, old_id] -= xr[idx]
            counts[run, old_id] -= 1
            sums[run, new_id] = xr[idx]
            counts[run, new_id] = 1
    return sums / counts[:, :, None]


def _lloyd(x: np.ndarray, centers: np.ndarray, *, tol: float, max_iter: int = 300):
    """Lloyd's algorithm for r runs at once, as scikit-learn's ``_kmeans_single_lloyd``.

    Every run stops when its labels no longer change (strict convergence) or
    when the squared shift of its centres is ≤ ``tol``, or after
    ``max_iter`` iterations; without strict convergence the labels are then
    reassigned to the final centres.

    Parameters
    ----------
    x : numpy.ndarray, shape (r, m, d) or (1, m, d)
    centers : numpy.ndarray, shape (r, k, d)
        Starting centres.

    Returns
    -------
    labels : (r, m) int, inertia : (r,) float, centers : (r, k, d) float
    """
    centers = np.array(centers, dtype=float)
    r = centers.shape[0]
    m = x.shape[1]
    shared = x.shape[0] == 1
    labels = np.full((r, m), -1, dtype=np.intp)
    active = np.arange(r)
    strict = np.zeros(r, dtype=bool)
    for _ in range(max_iter):
        if not len(active):
            break
        xa = x if shared else x[active]
        lab = _nearest(xa, centers[active])
        new = _update_centers(xa, lab, centers[active])
        shift = ((new - centers[active]) ** 2).sum(axis=(1, 2))
        same = (lab == labels[active]).all(axis=1)
        centers[active] = new
        labels[active] = lab
        strict[active[same]] = True
        active = active[~(same | (shift <= tol))]
    redo = np.flatnonzero(~strict)
    if len(redo):
        labels[redo] = _nearest(x if shared else x[redo], centers[redo])
    inertia = np.empty(r)
    for i in range(r):
        xi = x[0] if shared else x[i]
        inertia[i] = ((xi - centers[i][labels[i]]) ** 2).sum()
    return labels, inertia, centers


def _same_partition(a: np.ndarray, b: np.ndarray, k: int) -> bool:
    """True when every cluster of ``a`` lies within one cluster of ``b`` (scikit-learn's ``_is_same_clustering``).

    ``a`` and ``b`` hold cluster ids 0…k − 1.
    """
    cont = np.bincount(a * k + b, minlength=k * k).reshape(k, k)
    return bool(np.all((cont > 0).sum(axis=1) <= 1))


def kmeans(x: np.ndarray, n_clusters: int, *, n_init: int = 10, random_state: int = 42, tol: float = 1e-4,
           max_iter: int = 300) -> tuple[np.ndarray, np.ndarray, float]:
    """K-means (Lloyd) from the best of ``n_init`` greedy k-means++ starts.

    The same algorithm, random draws and stopping rule as scikit-learn's
    ``KMeans(n_clusters, n_init=n_init, random_state=random_state, tol=tol)``
    (``algorithm="lloyd"``), so the partitions agree with it (up to the order
    of floating-point sums).

    Parameters
    ----------
    x : numpy.ndarray, shape (n, d)
    n_clusters : int
    n_init : int, default 10
        Starts; the run with the lowest inertia is kept (a later run replaces
        an earlier one only if its inertia is lower and its partition differs).
    random_state : int, default 42
        Seed of a ``numpy.random.RandomState`` (the stream scikit-learn uses).
    tol : float, default 1e-4
        Relative tolerance: a run stops when the squared centre shift is
        ≤ ``tol`` × the mean variance of the columns of x.
    max_iter : int, default 300

    Returns
    -------
    centers : numpy.ndarray, shape (n_clusters, d)
    labels : numpy.ndarray of int, shape (n,)
        Raw cluster of every point, 0…n_clusters − 1.
    inertia : float
        Sum of squared distances of the points to their centre.

    Notes
    -----
    R: ``kmeans(x, centers = k, nstart = n_init, algorithm = "Lloyd")`` (R draws
    its starts uniformly, not by k-means++). The data are centred first, as in
    scikit-learn; distances are computed in blocks, so memory grows only with n·k.
    """
    x = np.asarray(x, dtype=float)
    rng = np.random.RandomState(random_state)
    mean = x.mean(axis=0)
    xc = x - mean
    tol_abs = float(np.mean(np.var(xc, axis=0))) * tol
    starts = np.stack([_kmeans_plusplus(xc, n_clusters, rng) for _ in range(n_init)])
    if len(x) * n_init <= 4 * _BLOCK:  # small: all starts at once
        labels, inertia, centers = _lloyd(xc[None], starts, tol=tol_abs, max_iter=max_iter)
    else:  # large: one start at a time, so memory holds one run
        runs = [_lloyd(xc[None], starts[i:i + 1], tol=tol_abs, max_iter=max_iter) for i in range(n_init)]
        labels = np.concatenate([run[0] for run in runs])
        inertia = np.concatenate([run[1] for run in runs])
        centers = np.concatenate([run[2] for run in runs])
    best = 0
    for i in range(1, n_init):
        if inertia[i] < inertia[best] and not _same_partition(labels[i], labels[best], n_clusters):
            best = i
    return centers[best] + mean, labels[best], float(inertia[best])


def silhouette_mean(x: np.ndarray, labels) -> float:
    """Mean silhouette width of a partition, Euclidean distances.

    For point i in cluster A: a(i) = mean distance to the other points of A,
    b(i) = the smallest mean distance to the points of another cluster,
    s(i) = (b − a) / max(a, b), and s(i) = 0 when A has one point.

    Notes
    -----
    R: ``mean(cluster::silhouette(labels, dist(x))[, "sil_width"])``;
    scikit-learn: ``metrics.silhouette_score(x, labels)``. Distances are
    computed in blocks of rows (memory ~ 2^16 distances), so 5,000 points
    need no n × n matrix.
    """
    x = np.asarray(x, dtype=float)
    codes, levels = pd.factorize(np.asarray(labels), sort=True)
    n, k = len(x), len(levels)
    if not 2 <= k <= n - 1:
        raise ValueError(f"silhouette: needs 2 to n - 1 = {n - 1} clusters; got {k}")
    size = np.bincount(codes, minlength=k).astype(float)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), codes] = 1.0
    sums = np.empty((n, k))
    step = max(1, _BLOCK // n)
    for s in range(0, n, step):
        diff = x[s:s + step, None, :] - x[None, :, :]
        sums[s:s + step] = np.sqrt(np.einsum("imd,imd->im", diff, diff)) @ onehot
    own = sums[np.arange(n), codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = own / (size[codes] - 1.0)
        mean_other = sums / size
        mean_other[np.arange(n), codes] = np.inf
        b = mean_other.min(axis=1)
        sil = (b - a) / np.maximum(a, b)
    sil[size[codes] == 1] = 0.0
    return float(np.mean(np.nan_to_num(sil)))


def adjusted_rand_index(labels_a, labels_b) -> float:
    """Adjusted Rand index of two partitions of the same points (1 = identical, ~0 = chance).

    Notes
    -----
    Hubert & Arabie (1985), from the pair-confusion counts in exact integer
    arithmetic: ARI = 2 (tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)),
    1 when the partitions agree on every pair. R: ``mclust::adjustedRandIndex``;
    scikit-learn: ``metrics.adjusted_rand_score``.
    """
    a = np.asarray(labels_a)
    b = np.asarray(labels_b)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"adjusted_rand_index: two label vectors of one length expected; got shapes "
                         f"{a.shape} and {b.shape}")
    n = len(a)
    ca, la = pd.factorize(a)
    cb, lb = pd.factorize(b)
    cont = np.bincount(ca * len(lb) + cb, minlength=len(la) * len(lb)).reshape(len(la), len(lb)).astype(np.int64)
    sum_sq = int((cont.astype(object) ** 2).sum())
    n_a = cont.sum(axis=1)
    n_b = cont.sum(axis=0)
    fp = int((cont @ n_b).astype(object).sum()) - sum_sq
    fn = int((cont.T @ n_a).astype(object).sum()) - sum_sq
    tp = sum_sq - n
    tn = n * n - fp - fn - sum_sq
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _bootstrap_ari(xs: np.ndarray, ls: np.ndarray, *, n_clusters: int, n_init: int, n_bootstrap: int,
                   rng: np.random.Generator) -> np.ndarray:
    """ARI between ``ls`` and the partitions of K-means refitted on bootstrap resamples of ``xs``.

    Each resample draws m = len(xs) films with replacement; K-means is refitted
    on it (``n_init`` plain k-means++ starts from ``rng``, Lloyd until the
    labels stop changing, lowest inertia kept) and its centres label all m
    films. The refits run together in batches (one Lloyd over all their
    starts); the random draws are made in the same order as one refit after
    the other.
    """
    m = len(xs)
    per_batch = max(1, 2_000_000 // (m * n_init))  # ≤ 2e6 (run, film) rows per batch (~50 MB)
    aris = []
    for first in range(0, n_bootstrap, per_batch):
        nb = min(per_batch, n_bootstrap - first)
        samples, starts = [], []
        for _ in range(nb):
            idx = rng.integers(0, m, m)
            xb = xs[idx]
            samples.append(xb)
            starts.extend(_kmeans_plusplus(xb, n_clusters, rng, n_local_trials=1) for _ in range(n_init))
        xr = np.repeat(np.stack(samples), n_init, axis=0)
        _, inertia, centers = _lloyd(xr, np.stack(starts), tol=0.0)
        best = inertia.reshape(nb, n_init).argmin(axis=1) + n_init * np.arange(nb)
        pred = _nearest(xs[None], centers[best])
        aris.extend(adjusted_rand_index(ls, p) for p in pred)
    return np.asarray(aris, dtype=float)


def kmeans_classes(
    scores: pd.DataFrame,
    conductivity,
    rd,
    *,
    n_components: int,
    n_clusters: int = 3,
    n_init: int = 10,
    n_bootstrap: int = 50,
    random_state: int = 42,
    max_exact: int = 20000,
    subsample: int = 5000,
) -> ClusterResult:
    """K-means on the first PC scores, renumbered into quality classes.

    Parameters
    ----------
    scores : pandas.DataFrame
        PC scores (columns PC1…), one row per film.
    conductivity, rd : array-like
        σ and RD of every film, for the renumbering rule (:func:`renumber`).
    n_components : int
        Use the first ``n_components`` columns of ``scores``.
    n_clusters, n_init, random_state
        As scikit-learn's ``KMeans`` (Lloyd, greedy k-means++ starts, the same
        random draws); see :func:`kmeans`.
    n_bootstrap : int
        Resamples for ``stability_ari`` (0 to skip).
    max_exact : int, default 20000
        Above this many films, the silhouette and the bootstrap use a random
        subsample of ``subsample`` films (``method`` says so); K-means itself
        always runs on all films.
    subsample : int, default 5000

    Notes
    -----
    R: ``kmeans(pc$x[, 1:k], centers = 3, nstart = 10)`` (Hartigan-Wong;
    the partitions agree up to label permutation on well-separated data).
    The silhouette is R's ``cluster::silhouette`` mean width, the stability
    the mean adjusted Rand index (``mclust::adjustedRandIndex``).
    """
    x = scores.iloc[:, :n_components].to_numpy(dtype=float)
    n = len(x)
    if n < n_clusters * 2:
        raise DataError(f"K-means with {n_clusters} classes needs at least {n_clusters * 2} films; got {n}")
    large = n > max_exact
    raw_centers, raw, _ = kmeans(x, n_clusters, n_init=n_init, random_state=random_state)
    method = f"K-means (Lloyd, {n_init} greedy k-means++ starts, best inertia) on all {n} films"
    if large:
        method += (f"; silhouette and bootstrap on a random subsample of {min(subsample, n)} films")
    if len(np.unique(raw)) < n_clusters:
        raise DataError(f"K-means found fewer than {n_clusters} distinct classes; the films are too alike")
    sigma = np.asarray(conductivity, dtype=float)
    rdv = np.asarray(rd, dtype=float)
    mapping = renumber(raw, sigma, rdv)
    labels = np.array([mapping[int(r)] for r in raw])
    centroids = np.empty_like(raw_centers)
    for raw_id, cls in mapping.items():
        centroids[cls - 1] = raw_centers[raw_id]
    rng = np.random.default_rng(random_state)
    if large:
        sub = np.sort(rng.choice(n, size=min(subsample, n), replace=False))
        xs, ls = x[sub], labels[sub]
    else:
        xs, ls = x, labels
    sil = silhouette_mean(xs, ls)
    aris = _bootstrap_ari(xs, ls, n_clusters=n_clusters, n_init=n_init, n_bootstrap=n_bootstrap, rng=rng)
    return ClusterResult(
        labels=pd.Series(labels, index=scores.index, name="class"),
        centroids=centroids, n_components=n_components, mapping=mapping,
        inertia=float(((x - centroids[labels - 1]) ** 2).sum()), silhouette=sil, method=method,
        stability_ari=float(aris.mean()) if len(aris) else float("nan"),
        stability_ari_all=aris,
    )
