"""Process maps: film properties interpolated over L:S × X:B for each P%."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["ProcessMaps", "process_maps"]


@dataclass(frozen=True, eq=False)
class ProcessMaps:
    """Gridded film properties (paper Movies S1–S3 and Fig. 3).

    Attributes
    ----------
    variables : tuple of str
    polymer_levels : tuple of float
        Observed P% levels.
    ls, xb : numpy.ndarray
        Grid axes.
    values : dict
        variable -> array (n_levels, len(xb), len(ls)); NaN outside the convex
        hull of the films of that level (no extrapolation).
    dot_mean : numpy.ndarray
        DoT averaged over the P% levels (NaN where any level is undefined).
    n_films : tuple of int
        Films per level.
    """

    variables: tuple[str, ...]
    polymer_levels: tuple[float, ...]
    ls: np.ndarray
    xb: np.ndarray
    values: dict[str, np.ndarray]
    dot_mean: np.ndarray
    n_films: tuple[int, ...]


def process_maps(data: pd.DataFrame, *, variables=("thickness_um", "dot_um", "conductivity_s_cm"),
                 grid_size: int = 41) -> ProcessMaps:
    """Interpolate each variable linearly over L:S × X:B, one surface per P% level.

    Replicate films at the same conditions are averaged first. Interpolation is
    linear on a Delaunay triangulation of the (rescaled) design points, as
    ``scipy.interpolate.griddata(method="linear", rescale=True)``; a level with
    fewer than 3 distinct, non-collinear conditions gives an all-NaN surface.
    """
    from scipy.interpolate import griddata

    variables = tuple(variables)
    ls = np.linspace(data["ls_ratio"].min(), data["ls_ratio"].max(), grid_size)
    xb = np.linspace(data["xylene_vol_pct"].min(), data["xylene_vol_pct"].max(), grid_size)
    gx, gy = np.meshgrid(ls, xb)
    levels = sorted(float(p) for p in data["polymer_wt_pct"].unique())
    values = {v: np.full((len(levels), grid_size, grid_size), np.nan) for v in variables}
    counts = []
    for i, p in enumerate(levels):
        sub = data[data["polymer_wt_pct"] == p]
        counts.append(len(sub))
        means = sub.groupby(["ls_ratio", "xylene_vol_pct"], sort=True)[list(variables)].mean().reset_index()
        pts = means[["ls_ratio", "xylene_vol_pct"]].to_numpy(dtype=float)
        if len(pts) < 3 or np.linalg.matrix_rank(pts - pts.mean(axis=0)) < 2:
            continue
        for v in variables:
            try:
                values[v][i] = griddata(pts, means[v].to_numpy(dtype=float), (gx, gy), method="linear",
                                        rescale=True)
            except Exception:  # degenerate triangulation (QhullError)
                continue
    dot = values.get("dot_um")
    dot_mean = dot.mean(axis=0) if dot is not None and len(levels) else np.full(gx.shape, np.nan)
    return ProcessMaps(variables, tuple(levels), ls, xb, values, dot_mean, tuple(counts))
