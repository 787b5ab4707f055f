"""Shared plumbing of :mod:`ssereport.plots`: the theme context, fixed-margin figures, SVG output.

Figures are :class:`matplotlib.figure.Figure` objects made directly (no pyplot
state), so drawing is safe in threads and worker processes; each figure kind
has fixed margins in inches (no constrained or tight layout at save time).
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from .. import theme
from ..schema import by_name


#: Settings that keep layout work out of every draw: a title at a fixed height above its axes
#: (``axes.titley``) instead of matplotlib's automatic placement, which measures the tight bounding
#: box of every axis at each draw to dodge top-side tick labels (a third of a figure's drawing time;
#: no figure here has top-side tick labels, so the title lands where it did).
_FIXED: dict[str, Any] = {"axes.titley": 1.0}


@contextlib.contextmanager
def themed(**extra: Any) -> Iterator[None]:
    """matplotlib's rcParams set to :func:`ssereport.theme.style` (plus ``extra``) inside the block."""
    import matplotlib

    theme.register_fonts()
    with matplotlib.rc_context({**theme.style(), **_FIXED, **extra}):
        yield


def new_figure(width: float, height: float, *, left: float, right: float, top: float, bottom: float,
               wspace: float = 0.0, hspace: float = 0.0, nrows: int = 1, ncols: int = 1):
    """A :class:`~matplotlib.figure.Figure` of ``width`` × ``height`` inches with fixed margins (inches)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=None)
    adjust(fig, left=left, right=right, top=top, bottom=bottom, wspace=wspace, hspace=hspace, nrows=nrows,
           ncols=ncols)
    return fig


def adjust(fig, *, left: float, right: float, top: float, bottom: float, wspace: float = 0.0,
           hspace: float = 0.0, ncols: int = 1, nrows: int = 1) -> None:
    """``fig.subplots_adjust`` from margins and gaps in inches (gaps between panels, not fractions)."""
    w, h = fig.get_size_inches()
    pw = (w - left - right - wspace * (ncols - 1)) / ncols
    ph = (h - top - bottom - hspace * (nrows - 1)) / nrows
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h,
                        wspace=wspace / pw if ncols > 1 else 0.2, hspace=hspace / ph if nrows > 1 else 0.2)


def single(ax, width: float, height: float, **margins: float):
    """``(figure, axes)``: ``ax`` and its figure when given, else a new fixed-margin figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(width, height, **margins)
    return fig, fig.add_subplot()


def panel_grid(n: int, max_cols: int) -> tuple[int, int]:
    """(rows, columns) of ``n`` panels, at most ``max_cols`` per row."""
    ncols = max(1, min(n, max_cols))
    return -(-n // ncols), ncols


def label(name: str) -> str:
    """Axis label of a film variable with its unit: ``L:S (µL/mg)``."""
    return by_name(name).axis_label


def symbol(name: str) -> str:
    return by_name(name).symbol


def level_text(p: float) -> str:
    return f"P = {p:g} {by_name('polymer_wt_pct').unit}"


def panel_title(p: float, n_films: int | None = None, *, n_recipes: int | None = None, note: str = "") -> str:
    """Title of a panel at one binder content, the same in study and batch figures.

    >>> panel_title(3, 27)
    'P = 3 wt% (n = 27 films)'
    >>> panel_title(10, 9, n_recipes=6, note="extrapolation")
    'P = 10 wt% (n = 9 films at 6 recipes; extrapolation)'
    >>> panel_title(4, note="interpolated")
    'P = 4 wt% (interpolated)'
    """
    parts = []
    if n_films is not None:
        films = f"n = {n_films} film{'s' if n_films != 1 else ''}"
        if n_recipes is not None and n_recipes != n_films:
            films += f" at {n_recipes} recipe{'s' if n_recipes != 1 else ''}"
        parts.append(films)
    if note:
        parts.append(note)
    return level_text(p) + (f" ({'; '.join(parts)})" if parts else "")


def pc_label(i: int, ratio: float | None = None) -> str:
    """Axis label of principal component ``i`` (0-based): ``PC1 (64.9 % of variance)``, or of the reference PCA."""
    return f"PC{i + 1} ({100 * ratio:.1f} % of variance)" if ratio is not None else f"PC{i + 1} (reference PCA)"


#: Class centroids: a diamond with a dark edge (crosses are failing films in the batch figures).
CENTROID = {"marker": "D", "s": 46, "linewidths": 0.9}

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(values) -> int:
    """Exponent ``n`` of the factor 10ⁿ for ticks of ``values``: of the largest |value|, 0 within the rcParams'
    ``axes.formatter.limits`` of the theme (10⁻³ to 10⁴ are written plainly)."""
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v) & (v > 0)]
    n = int(np.floor(np.log10(v.max()))) if v.size else 0
    return 0 if -3 <= n < 4 else n


def factor_label(axis, values, quantity: str, unit: str = "") -> str:
    """Ticks of ``axis`` in units of 10ⁿ with the factor in the axis label, not in a floating offset text.

    ``σ (10⁻⁴ S/cm)`` with ticks 2, 4, 6 instead of ``σ (S/cm)`` and a small
    ``×10⁻⁴`` above the axis; without a factor the label is ``σ (S/cm)``.
    Returns the label set.

    Notes
    -----
    :class:`matplotlib.ticker.ScalarFormatter` with ``set_powerlimits((n, n))``
    (the order of magnitude fixed at ``n``, see :func:`power_of_ten`) and the
    axis' offset text hidden.
    """
    from matplotlib.ticker import ScalarFormatter

    n = power_of_ten(values)
    unit = "" if unit in ("", "–") else unit
    if n:
        fmt = ScalarFormatter(useMathText=False)
        fmt.set_powerlimits((n, n))
        axis.set_major_formatter(fmt)
        axis.offsetText.set_visible(False)
        unit = f"10{str(n).translate(_SUPERSCRIPT)} {unit}".rstrip()
    text = f"{quantity} ({unit})" if unit else quantity
    axis.set_label_text(text)
    return text


def variable_label(axis, name: str, values, *, prefix: str = "") -> str:
    """:func:`factor_label` of a film variable: its symbol and unit from the schema (``σ (10⁻⁴ S/cm)``)."""
    col = by_name(name)
    return factor_label(axis, values, f"{prefix}{col.symbol}", col.unit)


def design_step(lo: float, hi: float, nbins: int = 4) -> float:
    """Tick step of a recipe axis from its design range (L:S 0.6–1.4 µL/mg: 0.2; X:B 0–100 vol%: 25).

    Notes
    -----
    The step of ``matplotlib.ticker.MaxNLocator(nbins, steps=[1, 2, 2.5, 5, 10])``
    over the range; every figure then uses ``MultipleLocator(step)``, so study
    and batch figures share their ticks whatever their limits.
    """
    from matplotlib.ticker import MaxNLocator

    t = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(float(lo), float(hi))
    return float(t[1] - t[0]) if len(t) > 1 else 1.0


@functools.cache
def _in_view_locator() -> type:
    """``MultipleLocator`` returning only the ticks inside the view (a class made once, on first use).

    ``MultipleLocator`` also returns one tick beyond each end of the view;
    matplotlib builds a Tick (five artists) for each location and then skips
    drawing those outside, so on the many small map panels a third of the
    ticks were built for nothing (about 1.5 ms each). The drawn ticks are the same.
    """
    from matplotlib.ticker import MultipleLocator

    class InViewMultipleLocator(MultipleLocator):
        def __call__(self):
            lo, hi = sorted(self.axis.get_view_interval())
            eps = 1e-9 * max(hi - lo, 1e-300)
            return [t for t in super().__call__() if lo - eps <= t <= hi + eps]

    return InViewMultipleLocator


def map_panels(fig, n: int, nrows: int, ncols: int) -> list:
    """The ``n`` panels of a map figure on an ``nrows`` × ``ncols`` grid, sharing their x and y axes.

    Only the panels drawn get an Axes (``Figure.add_subplot``): an empty cell
    of ``Figure.subplots`` would cost a full Axes, hidden, in every figure.
    Tick labels are left to :func:`frame_map_panel`.
    """
    axes: list = []
    for i in range(n):
        first = axes[0] if axes else None
        axes.append(fig.add_subplot(nrows, ncols, i + 1, sharex=first, sharey=first))
    return axes


def frame_map_panel(ax, i: int, n: int, ncols: int, ls_range, xb_range, *, xlim=None, ylim=None) -> None:
    """Panel ``i`` of ``n`` of an L:S × X:B map: limits (default the design ranges), a closed frame and
    :func:`recipe_axes`; tick labels and axis labels only where no panel is below or to the left."""
    bottom, left = i + ncols >= n, i % ncols == 0
    ax.set_xlim(*(xlim if xlim is not None else ls_range))
    ax.set_ylim(*(ylim if ylim is not None else xb_range))
    ax.spines[["top", "right"]].set_visible(True)
    recipe_axes(ax, ls_range, xb_range, xlabel=bottom, ylabel=left)
    ax.tick_params(labelbottom=bottom, labelleft=left)


def recipe_axes(ax, ls_range, xb_range, *, xlabel: bool = True, ylabel: bool = True) -> None:
    """L:S (x) and X:B (y) axes of a map panel: ticks every :func:`design_step` of the design ranges, labels with units."""
    locator = _in_view_locator()
    ax.xaxis.set_major_locator(locator(design_step(*ls_range)))
    ax.yaxis.set_major_locator(locator(design_step(*xb_range)))
    if xlabel:
        ax.set_xlabel(label("ls_ratio"))
    if ylabel:
        ax.set_ylabel(label("xylene_vol_pct"))


def ring_offsets(x, y, *, spacing: float) -> np.ndarray:
    """Display offsets (points) that set apart markers sharing one position, in a ring around it.

    Films cast with the same recipe lie on one point of a map; the ``n > 1``
    films of a point are placed on a circle around it, in table order from the
    top, clockwise, neighbours at least ``spacing`` points apart (the circle's
    radius at least ``0.6 × spacing``). Single films keep their position.
    Deterministic: the same films give the same offsets.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` offsets in points.
    """
    import pandas as pd

    pos = pd.DataFrame({"x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)})
    by_position = pos.groupby(["x", "y"], sort=False)
    k = by_position.cumcount().to_numpy()  # rank among the films of its position, in table order
    n = by_position["x"].transform("size").to_numpy()  # films at its position
    angle = np.pi / 2 - 2 * np.pi * k / n
    radius = np.where(n > 1, np.maximum(0.6 * spacing, spacing / (2 * np.sin(np.pi / np.maximum(n, 2)))), 0.0)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def offset_transform(ax, dx: float, dy: float):
    """``ax.transData`` shifted by ``(dx, dy)`` points in display space (the shift keeps its size when zooming)."""
    from matplotlib.transforms import ScaledTranslation

    return ax.transData + ScaledTranslation(dx / 72, dy / 72, ax.figure.dpi_scale_trans)


def sample(n: int, seed: int, limit: int) -> np.ndarray:
    """Positions of the rows to draw: all, or a sorted seeded random sample of ``limit``."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


def check_classes(labels: Iterable[int]) -> None:
    unknown = sorted({int(c) for c in labels} - set(theme.CLASS_COLORS))
    if unknown:
        raise ValueError(f"figures draw classes {sorted(theme.CLASS_COLORS)}; got class(es) {unknown}")


def class_regions(ax, x: np.ndarray, y: np.ndarray, predicted: np.ndarray, margin: np.ndarray, *,
                  alpha: float, boundaries: bool = True) -> None:
    """Shade a gridded class map by class colour, with smooth class boundaries.

    Class ``c`` is where the signed margin (``margin`` inside the class,
    ``-margin`` outside: the distance to the nearest class boundary, linear
    near it) is above 0: contouring interpolates the zero crossing between
    grid points, so boundaries are straight where the model's are, not grid
    steps. Each class is one rasterized :class:`~matplotlib.patches.PathPatch`
    (holes kept) in ``ax.patches``; the boundaries (the same zero contours)
    are one vector ``PathPatch`` without fill.

    Notes
    -----
    The polygons and lines are contourpy's (``contour_generator`` with the
    algorithm and corner masking of ``contour.algorithm`` and
    ``contour.corner_mask``, as ``Axes.contourf`` uses), drawn as patches: a
    ``ContourSet`` per class built a colormap and norm for one flat colour
    (4 ms each, 5 per panel); the filled regions and lines are the same.
    """
    import matplotlib as mpl
    from contourpy import FillType, LineType, contour_generator
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    pred = np.asarray(predicted)
    m = np.abs(np.nan_to_num(np.asarray(margin, dtype=float), nan=0.0, posinf=1e6, neginf=1e6))
    classes = sorted(theme.CLASS_COLORS)
    corner = mpl.rcParams["contour.corner_mask"]
    for c in classes:
        inside = pred == c
        if not inside.any():
            continue
        field = np.where(inside, m, -m)
        top = float(field.max()) + 1.0
        lo = float(field.min()) - 1.0 if inside.all() else 0.0
        gen = contour_generator(x, y, field, name=mpl.rcParams["contour.algorithm"],
                                corner_mask=True if corner == "legacy" else corner,
                                fill_type=FillType.OuterCode, line_type=LineType.SeparateCode)
        points, codes = gen.filled(lo, top)
        if points:
            ax.add_artist(PathPatch(Path(np.concatenate(points), np.concatenate(codes)), facecolor=theme.CLASS_COLORS[c],
                                    edgecolor="none", linewidth=0, alpha=alpha, rasterized=True, antialiased=False,
                                    label=f"_class {c}"))  # not antialiased, as contourf's fills: a crisp edge
        if boundaries and c != classes[-1] and not inside.all():
            points, codes = gen.lines(0.0)
            if points:
                ax.add_artist(PathPatch(Path(np.concatenate(points), np.concatenate(codes)), fill=False,
                                       edgecolor=theme.COLORS["ink"], linewidth=0.8, zorder=2,
                                       label=f"_boundary of class {c}"))
    # as contourf: the grid is the data extent, with no margin around it (add_artist, not add_patch, which
    # walks every Bézier segment of the path for the limits: 6 ms a patch)
    ax.update_datalim([(x.min(), y.min()), (x.max(), y.max())])
    if ax.patches:
        ax.patches[0].sticky_edges.x[:] = [float(x.min()), float(x.max())]
        ax.patches[0].sticky_edges.y[:] = [float(y.min()), float(y.max())]
    ax.autoscale_view(tight=True)


def to_svg(fig, *, key: str, title: str = "", desc: str = "") -> str:
    """The figure as inline SVG markup (from ``<svg``), with ``<title>`` and ``<desc>``.

    Text stays text (``svg.fonttype = "none"``); ids are salted with ``key``
    (``svg.hashsalt``), so figures sharing a page have distinct ids and the same
    figure is byte-identical from run to run. No date is written.
    """
    buf = io.StringIO()
    with themed(**{"svg.hashsalt": f"ssereport-{key}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    # no fig.clear(): it re-initialises every Axes (new ticks and spines, ~15 ms a figure) only to drop
    # them; the figure is garbage once the caller lets go of it (no pyplot state holds it)
    svg = buf.getvalue()
    svg = svg[svg.find("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    # ids unique on a page that shows many figures: every id and reference prefixed with the key
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{key}-{m[1]}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{key}-{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{key}-{m[1]}"', svg)
    head = svg.find(">") + 1
    meta = f"\n <title>{escape(title or key)}</title>" + (f"\n <desc>{escape(desc)}</desc>" if desc else "")
    return svg[:head] + meta + svg[head:]
