"""Process maps: film properties interpolated over L:S × X:B for each P%."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._delaunay import delaunay, locate

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
    binned : bool
        True when films were averaged within grid cells before interpolating.
    """

    variables: tuple[str, ...]
    polymer_levels: tuple[float, ...]
    ls: np.ndarray
    xb: np.ndarray
    values: dict[str, np.ndarray]
    dot_mean: np.ndarray
    n_films: tuple[int, ...]
    binned: bool = False


def process_maps(data: pd.DataFrame, *, variables=("thickness_um", "dot_um", "conductivity_s_cm"),
                 grid_size: int = 41, max_points: int = 2000) -> ProcessMaps:
    """Interpolate each variable linearly over L:S × X:B, one surface per P% level.

    Replicate films at the same conditions are averaged first. Interpolation is
    linear (barycentric) on a Delaunay triangulation of the design points
    rescaled to the unit square, the same as
    ``scipy.interpolate.griddata(method="linear", rescale=True)`` wherever the
    triangulation is unique; a level with fewer than 3 distinct, non-collinear
    conditions gives an all-NaN surface. A level with more than
    ``max_points`` distinct conditions (a large table of scattered conditions)
    is first averaged within the cells of the grid.

    Notes
    -----
    Where four or more conditions lie on one circle (every cell of a
    rectangular design) the Delaunay triangulation is not unique: this one
    splits such a quadrilateral along the diagonal that avoids its corner with
    the smallest (L:S, X:B) — a grid cell from its (low L:S, high X:B) corner
    to its (high L:S, low X:B) corner — by symbolic perturbation (see
    ``ssereport.analysis._delaunay``); SciPy/Qhull decides by rounding noise.
    Grid points on the hull count as inside (barycentric tolerance 1e-9).
    R: ``interp::interp(x, y, z, linear = TRUE)`` per level.
    """
    variables = tuple(variables)
    ls = np.linspace(data["ls_ratio"].min(), data["ls_ratio"].max(), grid_size)
    xb = np.linspace(data["xylene_vol_pct"].min(), data["xylene_vol_pct"].max(), grid_size)
    gx, gy = np.meshgrid(ls, xb)
    levels = sorted(float(p) for p in data["polymer_wt_pct"].unique())
    values = {v: np.full((len(levels), grid_size, grid_size), np.nan) for v in variables}
    counts = []
    binned = False
    for i, p in enumerate(levels):
        sub = data[data["polymer_wt_pct"] == p]
        counts.append(len(sub))
        means = sub.groupby(["ls_ratio", "xylene_vol_pct"], sort=True)[list(variables)].mean().reset_index()
        if len(means) > max_points:  # many distinct conditions (large tables): average within grid cells
            cell_l = np.clip(np.searchsorted(ls, sub["ls_ratio"].to_numpy()), 0, grid_size - 1)
            cell_x = np.clip(np.searchsorted(xb, sub["xylene_vol_pct"].to_numpy()), 0, grid_size - 1)
            cols = ["ls_ratio", "xylene_vol_pct", *variables]
            means = sub[cols].groupby([cell_l, cell_x], sort=True).mean().reset_index(drop=True)
            binned = True
        pts = means[["ls_ratio", "xylene_vol_pct"]].to_numpy(dtype=float)
        if len(pts) < 3 or np.linalg.matrix_rank(pts - pts.mean(axis=0)) < 2:
            continue
        lo, span = pts.min(axis=0), np.ptp(pts, axis=0)
        unit = (pts - lo) / span
        triangles = delaunay(unit)
        if len(triangles) == 0:
            continue
        q = np.column_stack([(gx.ravel() - lo[0]) / span[0], (gy.ravel() - lo[1]) / span[1]])
        simplex, w = locate(unit, triangles, q, tol=1e-9)
        inside = simplex >= 0
        vertices = triangles[simplex[inside]]
        weights = w[inside]
        for v in variables:
            z = np.full(q.shape[0], np.nan)
            z[inside] = (means[v].to_numpy(dtype=float)[vertices] * weights).sum(axis=1)
            values[v][i] = z.reshape(gx.shape)
    dot = values.get("dot_um")
    dot_mean = dot.mean(axis=0) if dot is not None and len(levels) else np.full(gx.shape, np.nan)
    return ProcessMaps(variables, tuple(levels), ls, xb, values, dot_mean, tuple(counts), binned)
