"""Process maps: film properties interpolated over L:S × X:B for each P% (scipy.interpolate)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Config  # the defaults of every setting (one place)

__all__ = ["BILINEAR", "NO_SURFACE", "TRIANGULATION", "ProcessMaps", "process_maps"]

#: ``ProcessMaps.level_methods`` values.
BILINEAR = "bilinear"
TRIANGULATION = "triangulation"
NO_SURFACE = "none"

_CALLS = {
    BILINEAR: 'scipy.interpolate.RegularGridInterpolator(method="linear") (bilinear, on the rectangular design)',
    TRIANGULATION: "scipy.interpolate.LinearNDInterpolator(rescale=True) (linear on a Qhull Delaunay "
                   "triangulation of the conditions rescaled to the unit square)",
    NO_SURFACE: "no surface (fewer than 3 distinct, non-collinear conditions)",
}


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
    level_methods : tuple of str
        Interpolation of each level: ``"bilinear"`` (rectangular design),
        ``"triangulation"`` (anything else) or ``"none"``.
    method : str
        The library calls that ran, with the P% levels of each, for the
        report's methods text.
    """

    variables: tuple[str, ...]
    polymer_levels: tuple[float, ...]
    ls: np.ndarray
    xb: np.ndarray
    values: dict[str, np.ndarray]
    dot_mean: np.ndarray
    n_films: tuple[int, ...]
    binned: bool = False
    level_methods: tuple[str, ...] = ()
    method: str = ""


def _describe(levels, level_methods, binned: bool) -> str:
    parts = []
    for tag in (BILINEAR, TRIANGULATION, NO_SURFACE):
        ps = [f"{p:g}" for p, m in zip(levels, level_methods) if m == tag]
        if ps:
            parts.append(f"{_CALLS[tag]} for P% = {', '.join(ps)}")
    text = "; ".join(parts)
    if binned:
        text += "; films first averaged within the cells of the output grid"
    return text


def _surface(means: pd.DataFrame, variables: tuple[str, ...], gx: np.ndarray, gy: np.ndarray):
    """Interpolated ``variables`` (array (n_variables, *gx.shape)) and the method tag for one level."""
    from scipy.interpolate import LinearNDInterpolator, RegularGridInterpolator

    pts = means[["ls_ratio", "xylene_vol_pct"]].to_numpy(dtype=float)
    z = means[list(variables)].to_numpy(dtype=float)
    u_ls = np.unique(pts[:, 0])
    u_xb = np.unique(pts[:, 1])
    if len(u_ls) >= 2 and len(u_xb) >= 2 and len(pts) == len(u_ls) * len(u_xb):
        # rectangular: every L:S × X:B combination once (replicates were averaged)
        cube = np.empty((len(u_xb), len(u_ls), len(variables)))
        cube[np.searchsorted(u_xb, pts[:, 1]), np.searchsorted(u_ls, pts[:, 0])] = z
        f = RegularGridInterpolator((u_xb, u_ls), cube, method="linear", bounds_error=False, fill_value=np.nan)
        out = f(np.column_stack([gy.ravel(), gx.ravel()]))
        return out.T.reshape(len(variables), *gx.shape), BILINEAR
    if len(pts) < 3 or np.linalg.matrix_rank(pts - pts.mean(axis=0)) < 2:
        return None, NO_SURFACE
    f = LinearNDInterpolator(pts, z, fill_value=np.nan, rescale=True)
    out = f(gx.ravel(), gy.ravel())
    return out.T.reshape(len(variables), *gx.shape), TRIANGULATION


def process_maps(data: pd.DataFrame, *, variables=("thickness_um", "dot_um", "conductivity_s_cm"),
                 grid_size: int = Config.grid_size, max_points: int = 2000) -> ProcessMaps:
    """Interpolate each variable over L:S × X:B, one surface per P% level.

    Replicate films at the same conditions are averaged first. A level whose
    conditions form a rectangular design (every combination of its L:S and
    X:B values present) is interpolated bilinearly; any other level linearly
    on a Delaunay triangulation. A level with fewer than 3 distinct,
    non-collinear conditions gives an all-NaN surface. A level with more than
    ``max_points`` distinct conditions (a large table of scattered
    conditions) is first averaged within the cells of the grid. Outside the
    design (its rectangle, or the convex hull of the conditions) the surface
    is NaN: nothing is extrapolated. ``ProcessMaps.method`` says what ran.

    Notes
    -----
    Rectangular design: ``scipy.interpolate.RegularGridInterpolator((xb, ls),
    values, method="linear", bounds_error=False, fill_value=nan)``, which is
    deterministic and needs no triangulation (on a rectangular design the
    Delaunay triangulation is not unique: every cell is co-circular).
    Elsewhere: ``scipy.interpolate.LinearNDInterpolator(points, values,
    fill_value=nan, rescale=True)`` (Qhull), the same as
    ``griddata(method="linear", rescale=True)``. R:
    ``interp::interp(x, y, z, linear = TRUE)`` per level (triangulation);
    ``fields::interp.surface`` (bilinear on a grid).
    """
    variables = tuple(variables)
    ls = np.linspace(data["ls_ratio"].min(), data["ls_ratio"].max(), grid_size)
    xb = np.linspace(data["xylene_vol_pct"].min(), data["xylene_vol_pct"].max(), grid_size)
    gx, gy = np.meshgrid(ls, xb)
    levels = sorted(float(p) for p in data["polymer_wt_pct"].unique())
    values = {v: np.full((len(levels), grid_size, grid_size), np.nan) for v in variables}
    counts = []
    tags = []
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
        surface, tag = _surface(means, variables, gx, gy)
        tags.append(tag)
        if surface is not None:
            for j, v in enumerate(variables):
                values[v][i] = surface[j]
    dot = values.get("dot_um")
    dot_mean = dot.mean(axis=0) if dot is not None and len(levels) else np.full(gx.shape, np.nan)
    return ProcessMaps(variables, tuple(levels), ls, xb, values, dot_mean, tuple(counts), binned,
                       level_methods=tuple(tags), method=_describe(levels, tags, binned))
