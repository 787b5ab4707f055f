"""K-means quality classes on principal-component scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["ClusterResult", "kmeans_classes", "renumber"]


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
        time; near 0 = noise). Refits use :func:`lloyd_kmeans` with the same
        number of k-means++ starts.
    stability_ari_all : numpy.ndarray
        The ARI of every resample.
    method : str
        What ran (exact K-means, or MiniBatchKMeans and subsamples for large tables).
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


def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007)."""
    centers = [x[rng.integers(len(x))]]
    d2 = ((x - centers[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = d2.sum()
        i = rng.choice(len(x), p=d2 / total) if total > 0 else rng.integers(len(x))
        centers.append(x[i])
        d2 = np.minimum(d2, ((x - x[i]) ** 2).sum(axis=1))
    return np.array(centers)


def lloyd_kmeans(x: np.ndarray, k: int, *, n_init: int = 10, rng: np.random.Generator,
                 max_iter: int = 300) -> np.ndarray:
    """Centroids of the best of ``n_init`` Lloyd runs from k-means++ starts (lowest inertia).

    A small, dependency-free K-means used for the bootstrap refits, where
    scikit-learn's per-call overhead dominates on lab-sized tables.
    """
    best, best_inertia = None, np.inf
    for _ in range(n_init):
        c = _kmeans_pp(x, k, rng)
        for _ in range(max_iter):
            lab = ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
            new = np.array([x[lab == j].mean(axis=0) if np.any(lab == j) else c[j] for j in range(k)])
            if np.allclose(new, c, rtol=0, atol=1e-12):
                c = new
                break
            c = new
        inertia = ((x - c[lab]) ** 2).sum()
        if inertia < best_inertia:
            best, best_inertia = c, inertia
    return best


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
        As scikit-learn's ``KMeans`` (Lloyd, k-means++ starts).
    n_bootstrap : int
        Resamples for ``stability_ari`` (0 to skip).
    max_exact : int, default 20000
        Above this many films, K-means is MiniBatchKMeans, and the silhouette
        and the bootstrap use a random subsample of ``subsample`` films
        (``method`` says which ran).
    subsample : int, default 5000

    Notes
    -----
    R: ``kmeans(pc$x[, 1:k], centers = 3, nstart = 10)`` (Hartigan-Wong;
    the partitions agree up to label permutation on well-separated data).
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    x = scores.iloc[:, :n_components].to_numpy(dtype=float)
    n = len(x)
    if n < n_clusters * 2:
        raise DataError(f"K-means with {n_clusters} classes needs at least {n_clusters * 2} films; got {n}")
    large = n > max_exact
    if large:
        from sklearn.cluster import MiniBatchKMeans

        km = MiniBatchKMeans(n_clusters=n_clusters, n_init=n_init, random_state=random_state,
                             batch_size=4096).fit(x)
        raw = km.predict(x)
        method = (f"MiniBatchKMeans ({n_init} k-means++ starts, batches of 4096) on {n} films; silhouette and "
                  f"bootstrap on a random subsample of {min(subsample, n)} films")
    else:
        km = KMeans(n_clusters=n_clusters, n_init=n_init, random_state=random_state).fit(x)
        raw = km.labels_
        method = f"KMeans (Lloyd, {n_init} k-means++ starts, best inertia) on all {n} films"
    if len(np.unique(raw)) < n_clusters:
        raise DataError(f"K-means found fewer than {n_clusters} distinct classes; the films are too alike")
    sigma = np.asarray(conductivity, dtype=float)
    rdv = np.asarray(rd, dtype=float)
    mapping = renumber(raw, sigma, rdv)
    labels = np.array([mapping[int(r)] for r in raw])
    centroids = np.empty_like(km.cluster_centers_)
    for raw_id, cls in mapping.items():
        centroids[cls - 1] = km.cluster_centers_[raw_id]
    rng = np.random.default_rng(random_state)
    if large:
        sub = np.sort(rng.choice(n, size=min(subsample, n), replace=False))
        xs, ls = x[sub], labels[sub]
    else:
        xs, ls = x, labels
    sil = float(silhouette_score(xs, ls))
    m = len(xs)
    aris = []
    for _ in range(n_bootstrap):
        idx = rng.integers(0, m, m)
        centers = lloyd_kmeans(xs[idx], n_clusters, n_init=n_init, rng=rng)
        pred = ((xs[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        aris.append(adjusted_rand_score(ls, pred))
    aris_arr = np.asarray(aris, dtype=float)
    return ClusterResult(
        labels=pd.Series(labels, index=scores.index, name="class"),
        centroids=centroids, n_components=n_components, mapping=mapping,
        inertia=float(((x - centroids[labels - 1]) ** 2).sum()), silhouette=sil, method=method,
        stability_ari=float(aris_arr.mean()) if len(aris_arr) else float("nan"),
        stability_ari_all=aris_arr,
    )
