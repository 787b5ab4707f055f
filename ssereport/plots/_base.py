"""Shared plumbing of :mod:`ssereport.plots`: the theme context, fixed-margin figures, SVG output.

Figures are :class:`matplotlib.figure.Figure` objects made directly (no pyplot
state), so drawing is safe in threads and worker processes; each figure kind
has fixed margins in inches (no constrained or tight layout at save time).
"""

from __future__ import annotations

import contextlib
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
    near it) is above 0: ``contourf`` interpolates the zero crossing between
    grid points, so boundaries are straight where the model's are, not grid
    steps. Fills are rasterized inside the SVG; boundaries (the same zero
    contours) are vector lines.
    """
    pred = np.asarray(predicted)
    m = np.abs(np.nan_to_num(np.asarray(margin, dtype=float), nan=0.0, posinf=1e6, neginf=1e6))
    classes = sorted(theme.CLASS_COLORS)
    for c in classes:
        inside = pred == c
        if not inside.any():
            continue
        field = np.where(inside, m, -m)
        top = float(field.max()) + 1.0
        lo = float(field.min()) - 1.0 if inside.all() else 0.0
        ax.contourf(x, y, field, levels=[lo, top], colors=[theme.CLASS_COLORS[c]], alpha=alpha, rasterized=True)
        if boundaries and c != classes[-1] and not inside.all():
            ax.contour(x, y, field, levels=[0.0], colors=[theme.COLORS["ink"]], linewidths=0.8)


def to_svg(fig, *, key: str, title: str = "", desc: str = "") -> str:
    """The figure as inline SVG markup (from ``<svg``), with ``<title>`` and ``<desc>``; the figure is freed.

    Text stays text (``svg.fonttype = "none"``); ids are salted with ``key``
    (``svg.hashsalt``), so figures sharing a page have distinct ids and the same
    figure is byte-identical from run to run. No date is written.
    """
    buf = io.StringIO()
    with themed(**{"svg.hashsalt": f"ssereport-{key}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    fig.clear()
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
