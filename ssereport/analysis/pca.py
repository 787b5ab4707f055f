"""Principal component analysis of the standardized film variables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

__all__ = ["PCAResult", "pca"]


@dataclass(frozen=True, eq=False)
class PCAResult:
    """Result of :func:`pca`.

    Attributes
    ----------
    features : tuple of str
    mean, scale : numpy.ndarray
        Centre and standard deviation (n − 1) used to standardize each feature.
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
        Component scores of every film (rows as in the input).
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

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.explained_variance_ratio)

    def transform(self, data: pd.DataFrame) -> np.ndarray:
        """Scores of new films in this PCA (all components)."""
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


def pca(data: pd.DataFrame, features, *, variance_threshold: float = 0.90) -> PCAResult:
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
    Same as R's ``prcomp(data[, features], scale. = TRUE)``: variables are
    centred and divided by their sample standard deviation (n − 1). Signs of
    components are arbitrary in any PCA; here each component's largest
    absolute coefficient is made positive so results are reproducible.
    """
    features = tuple(features)
    x = data[list(features)].to_numpy(dtype=float)
    n = x.shape[0]
    if n < 3:
        raise DataError(f"PCA needs at least 3 films; got {n}")
    mean = x.mean(axis=0)
    scale = x.std(axis=0, ddof=1)
    constant = [f for f, s in zip(features, scale) if not s > 0]
    if constant:
        raise DataError([Problem(f"all {n} values are equal ({data[f].iloc[0]:g}); PCA needs a variable that "
                                 "varies between films", column=f) for f in constant])
    z = (x - mean) / scale
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    # deterministic signs
    idx = np.argmax(np.abs(vt), axis=1)
    signs = np.sign(vt[np.arange(vt.shape[0]), idx])
    vt = vt * signs[:, None]
    sdev = s / np.sqrt(n - 1)
    var = sdev**2
    ratio = var / var.sum()
    cum = np.cumsum(ratio)
    k = int(np.searchsorted(cum, variance_threshold - 1e-12) + 1)
    k = min(max(k, 1), len(ratio))
    names = [f"PC{i + 1}" for i in range(len(s))]
    loadings = pd.DataFrame(vt.T * sdev, index=pd.Index(features, name="feature"), columns=names)
    scores = pd.DataFrame(z @ vt.T, index=data.index, columns=names)
    return PCAResult(features=features, mean=mean, scale=scale, components=vt, sdev=sdev,
                     explained_variance_ratio=ratio, variance_threshold=variance_threshold,
                     n_components_used=k, loadings=loadings, scores=scores)
