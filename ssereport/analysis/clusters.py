"""K-means quality classes on principal-component scores (scikit-learn)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Config  # the defaults of every setting (one place)
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
        Mean silhouette width (−1…1) of the classes in the clustered PC space
        (``sklearn.metrics.silhouette_score``).
    stability_ari : float
        Mean adjusted Rand index between the classes and those of K-means refitted
        on bootstrap resamples and applied to all films (1 = identical every
        time; near 0 = noise). NaN when no resample was drawn.
    stability_ari_all : numpy.ndarray
        The ARI of every resample.
    method : str
        What ran: the library calls, and for large tables which steps used a
        subsample.
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
        """Class of the nearest centroid for new PC scores (first ``n_components`` used).

        Notes
        -----
        ``sklearn.metrics.pairwise_distances_argmin`` (Euclidean), the rule of
        ``KMeans.predict``; it needs only the stored centroids, so a saved model
        (JSON) classifies as the fitted study did.
        """
        from sklearn.metrics import pairwise_distances_argmin

        s = np.asarray(scores, dtype=float)[:, : self.n_components]
        return pairwise_distances_argmin(s, self.centroids) + 1


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


def _fit(x: np.ndarray, n_clusters: int, n_init: int, random_state):
    """``sklearn.cluster.KMeans(...).fit(x)``.

    With fewer distinct films than clusters scikit-learn warns and returns
    fewer clusters; that case is handled by the caller (a DataError for the
    study, a valid coarser partition for a bootstrap resample), so only that
    warning is silenced here.
    """
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Number of distinct clusters", category=ConvergenceWarning)
        return KMeans(n_clusters=n_clusters, n_init=n_init, random_state=random_state).fit(x)


def _bootstrap_ari(xs: np.ndarray, ls: np.ndarray, *, n_clusters: int, n_init: int, n_bootstrap: int,
                   rng: np.random.RandomState) -> np.ndarray:
    """ARI between ``ls`` and the partitions of K-means refitted on bootstrap resamples of ``xs``.

    Each resample is ``sklearn.utils.resample(range(m), random_state=rng)``
    (m films with replacement); ``KMeans(n_clusters, n_init, random_state=rng)``
    is refitted on it, its ``predict`` labels all m films and
    ``adjusted_rand_score`` compares them with ``ls``. One ``RandomState``
    draws everything in turn, so the first b resamples of a run with more are
    the same b.
    """
    from sklearn.metrics import adjusted_rand_score
    from sklearn.utils import resample

    from threadpoolctl import threadpool_limits

    m = len(xs)
    aris = np.empty(n_bootstrap)
    # The refits are small (≤ `subsample` films): one OpenMP thread each is faster than waking a team per
    # Lloyd iteration, above all on a busy machine, and gives the same partitions.
    with threadpool_limits(limits=1, user_api="openmp"):
        for i in range(n_bootstrap):
            idx = resample(np.arange(m), replace=True, n_samples=m, random_state=rng)
            refit = _fit(xs[idx], n_clusters, n_init, rng)
            aris[i] = adjusted_rand_score(ls, refit.predict(xs))
    return aris


def kmeans_classes(
    scores: pd.DataFrame,
    conductivity,
    rd,
    *,
    n_components: int,
    n_clusters: int = Config.n_clusters,
    n_init: int = Config.kmeans_n_init,
    n_bootstrap: int = Config.n_bootstrap,
    random_state: int = Config.seed,
    max_exact: int = Config.large_n,
    subsample: int = Config.subsample,
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
        Passed to ``sklearn.cluster.KMeans``.
    n_bootstrap : int
        Resamples for ``stability_ari`` (0 to skip).
    max_exact : int, default 20000
        Above this many films, the silhouette and the bootstrap use a random
        subsample of ``subsample`` films (``method`` says so); K-means itself
        always runs on all films.
    subsample : int, default 5000

    Notes
    -----
    ``sklearn.cluster.KMeans(n_clusters, n_init=n_init, random_state=random_state)``
    (Lloyd, greedy k-means++ starts, lowest inertia kept);
    ``sklearn.metrics.silhouette_score``; stability as in :func:`_bootstrap_ari`
    with ``sklearn.metrics.adjusted_rand_score``. The subsample for large
    tables is drawn by ``numpy.random.RandomState(random_state).choice``
    without replacement.

    R: ``kmeans(pc$x[, 1:k], centers = 3, nstart = 10)`` (Hartigan-Wong;
    the partitions agree up to label permutation on well-separated data);
    ``mean(cluster::silhouette(...)[, "sil_width"])``;
    ``mclust::adjustedRandIndex``.
    """
    from sklearn.metrics import silhouette_score

    x = scores.iloc[:, :n_components].to_numpy(dtype=float)
    n = len(x)
    if n < n_clusters * 2:
        raise DataError(f"K-means with {n_clusters} classes needs at least {n_clusters * 2} films; got {n}")
    large = n > max_exact
    km = _fit(x, n_clusters, n_init, random_state)
    raw = km.labels_
    if len(np.unique(raw)) < n_clusters:
        raise DataError(f"K-means found fewer than {n_clusters} distinct classes; the films are too alike")
    sigma = np.asarray(conductivity, dtype=float)
    rdv = np.asarray(rd, dtype=float)
    mapping = renumber(raw, sigma, rdv)
    labels = np.array([mapping[int(r)] for r in raw])
    centroids = np.empty_like(km.cluster_centers_)
    for raw_id, cls in mapping.items():
        centroids[cls - 1] = km.cluster_centers_[raw_id]
    rng = np.random.RandomState(random_state)
    if large:
        sub = np.sort(rng.choice(n, size=min(subsample, n), replace=False))
        xs, ls = x[sub], labels[sub]
    else:
        xs, ls = x, labels
    sil = float(silhouette_score(xs, ls)) if 2 <= len(np.unique(ls)) < len(ls) else float("nan")
    aris = _bootstrap_ari(xs, ls, n_clusters=n_clusters, n_init=n_init, n_bootstrap=n_bootstrap, rng=rng)
    method = (f"sklearn.cluster.KMeans(n_clusters={n_clusters}, n_init={n_init}, random_state={random_state}) "
              f"(K-means, Lloyd, k-means++ starts) on all {n} films; sklearn.metrics.silhouette_score")
    if n_bootstrap:
        method += (f"; stability: KMeans refitted on {n_bootstrap} bootstrap resamples (sklearn.utils.resample), "
                   "predict on all films, sklearn.metrics.adjusted_rand_score")
    if large:
        method += f"; silhouette and bootstrap on a random subsample of {len(xs)} films"
    return ClusterResult(
        labels=pd.Series(labels, index=scores.index, name="class"),
        centroids=centroids, n_components=n_components, mapping=mapping,
        inertia=float(km.inertia_), silhouette=sil, method=method,
        stability_ari=float(aris.mean()) if len(aris) else float("nan"),
        stability_ari_all=aris,
    )
