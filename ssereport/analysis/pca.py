"""Principal component analysis of the standardized film variables (scikit-learn)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Config  # the defaults of every setting (one place)
from ..errors import DataError, Problem

__all__ = ["PCAResult", "pca"]


@dataclass(frozen=True, eq=False)
class PCAResult:
    """Result of :func:`pca`.

    Attributes
    ----------
    features : tuple of str
    mean, scale : numpy.ndarray
        Centre and standard deviation (n − 1 denominator, as R's ``sd()`` and
        ``prcomp(scale. = TRUE)``) used to standardize each feature.
    components : numpy.ndarray, shape (n_components, n_features)
        Unit eigenvectors (rows), sign fixed so that each has its largest
        absolute coefficient positive.
    sdev : numpy.ndarray
        Standard deviation of each component (R's ``prcomp()$sdev``).
    explained_variance_ratio : numpy.ndarray
        Share of total variance per component (all components).
    n_components_used : int
        Smallest number of components explaining at least ``variance_threshold``.
    loadings : pandas.DataFrame
        Correlation of each feature (rows) with each component (columns PC1…),
        i.e. the coordinates of the correlation circle.
    scores : pandas.DataFrame
        Component scores of every film (rows as in the input), on R's scale
        (``prcomp()$x``).
    method : str
        The library calls that ran.
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    components: np.ndarray
    sdev: np.ndarray
    explained_variance_ratio: np.ndarray
    variance_threshold: float
    n_components_used: int
    loadings: pd.DataFrame
    scores: pd.DataFrame
    method: str = ""

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.explained_variance_ratio)

    def transform(self, data: pd.DataFrame) -> np.ndarray:
        """Scores of new films in this PCA (all components), on the scale of :attr:`scores`.

        Uses only the stored ``mean``, ``scale`` and ``components``, so a saved
        model (JSON) scores new films exactly as the fitted study did.
        """
        z = (data[list(self.features)].to_numpy(dtype=float) - self.mean) / self.scale
        return z @ self.components.T

    def summary(self) -> pd.DataFrame:
        """Tidy table: component, sdev, explained_variance_ratio, cumulative."""
        return pd.DataFrame({
            "component": [f"PC{i + 1}" for i in range(len(self.sdev))],
            "sdev": self.sdev,
            "explained_variance_ratio": self.explained_variance_ratio,
            "cumulative": self.cumulative,
        })


def pca(data: pd.DataFrame, features, *, variance_threshold: float = Config.pca_variance) -> PCAResult:
    """PCA on standardized variables (correlation-matrix PCA).

    Parameters
    ----------
    data : pandas.DataFrame
    features : sequence of str
        Columns to use.
    variance_threshold : float, default 0.90
        Sets ``n_components_used``.

    Returns
    -------
    PCAResult

    Notes
    -----
    ``sklearn.preprocessing.StandardScaler()`` then
    ``sklearn.decomposition.PCA(svd_solver="full")`` (LAPACK SVD). R:
    ``prcomp(data[, features], scale. = TRUE)``.

    ``StandardScaler`` divides by the n-denominator SD, ``prcomp`` by the
    n − 1 SD; the components and the explained-variance ratios are the same,
    and the results are put on R's scale: ``scale`` is the n − 1 SD, ``sdev``
    is ``sqrt(explained_variance_ · (n − 1)/n)``, the scores are scikit-learn's
    × ``sqrt((n − 1)/n)`` (so they equal ``prcomp()$x`` and
    :meth:`PCAResult.transform`). Loadings are ``components_.T · sdev``, the
    correlation of each feature with each score.

    Signs of components are arbitrary in any PCA; here each component's
    largest absolute coefficient is made positive, so results are reproducible.
    """
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    features = tuple(features)
    x = data[list(features)].to_numpy(dtype=float)
    n = x.shape[0]
    if n < 3:
        raise DataError(f"PCA needs at least 3 films; got {n}")
    constant = [f for f, r in zip(features, np.ptp(x, axis=0)) if not r > 0]
    if constant:
        raise DataError([Problem(f"all {n} values are equal ({data[f].iloc[0]:g}); PCA needs a variable that "
                                 "varies between films", column=f) for f in constant])
    scaler = StandardScaler().fit(x)
    z = scaler.transform(x)
    model = PCA(svd_solver="full").fit(z)
    vt = model.components_
    idx = np.argmax(np.abs(vt), axis=1)  # deterministic signs: largest |coefficient| positive
    signs = np.sign(vt[np.arange(vt.shape[0]), idx])
    vt = vt * signs[:, None]
    to_r = np.sqrt((n - 1) / n)  # n-SD (StandardScaler) -> n − 1 SD (prcomp)
    sdev = np.sqrt(model.explained_variance_) * to_r
    ratio = model.explained_variance_ratio_
    cum = np.cumsum(ratio)
    k = int(np.searchsorted(cum, variance_threshold - 1e-12) + 1)
    k = min(max(k, 1), len(ratio))
    names = [f"PC{i + 1}" for i in range(len(sdev))]
    loadings = pd.DataFrame(vt.T * sdev, index=pd.Index(features, name="feature"), columns=names)
    scores = pd.DataFrame(model.transform(z) * signs * to_r, index=data.index, columns=names)
    scale = scaler.scale_ / to_r
    method = (f"sklearn.preprocessing.StandardScaler() + sklearn.decomposition.PCA(svd_solver=\"full\") on "
              f"{len(features)} variables of {n} films; scores, SDs and loadings on R prcomp(scale. = TRUE)'s "
              "n − 1 scale")
    return PCAResult(features=features, mean=scaler.mean_, scale=scale, components=vt, sdev=sdev,
                     explained_variance_ratio=ratio, variance_threshold=variance_threshold,
                     n_components_used=k, loadings=loadings, scores=scores, method=method)
