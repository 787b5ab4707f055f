"""One theme for the figures, the HTML and the PDF: colours, fonts and sizes.

Every colour of ssereport is named here, once. The figures read them through
:func:`style` (a matplotlib rcParams dict) and :data:`CLASS_COLORS`; the HTML
through the CSS custom properties of :func:`css_variables` (``var(--ink)``);
the Typst templates through the ``#let`` bindings of :func:`typst_variables`
(written next to them as ``theme.typ``). No other module, stylesheet or
template holds a colour literal.

Examples
--------
>>> from ssereport import theme
>>> theme.CLASS_COLORS[1]
'#009E73'
>>> "--ink: #1A1A1A;" in theme.css_variables()
True
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

__all__ = [
    "CLASS_COLORS",
    "CLASS_LABELS",
    "COLORS",
    "FIGURE_WIDTH_IN",
    "FONT",
    "FONT_DIR",
    "SIZES",
    "css_variables",
    "register_fonts",
    "style",
    "typst_variables",
]

#: Every colour, by role. CSS names it ``--<key>``, Typst ``<key>``.
COLORS: dict[str, str] = {
    # text and page (HTML and PDF)
    "ink": "#1A1A1A",         # body text, axes, lines of the figures
    "title-ink": "#000000",
    "intro": "#222222",
    "caption-ink": "#333333",     # captions, strong table rules
    "muted": "#555555",       # running heads, notes
    "paper": "#FFFFFF",
    "rule-color": "#C8C8C8",  # table rules
    "band": "#F3F5F7",        # table heads
    "zebra": "#FAFAFA",       # even table rows
    "accent": "#0B5394",      # section rules, links
    "warn-bg": "#FFF4E5",     # the synthetic-data banner, flags
    "warn-ink": "#7A3E00",
    "warn-line": "#D9822B",
    # quality classes: Okabe–Ito (colour-blind safe), three distinct hues: bluish green, blue, vermillion
    "c1": "#009E73",
    "c2": "#0072B2",
    "c3": "#D55E00",
    # batch verdicts (never colour alone: a word and a marker shape go with them)
    "pass-ink": "#145A29",
    "pass-fill": "#1B7837",
    "fail-ink": "#7F1120",
    "fail-fill": "#B2182B",
    "fail-band": "#FDF0F0",
    # figures
    "neutral": "#4A5968",     # slate: data without a class (PCA bars, control-chart points), no class hue
    "light": "#C2CBD4",       # components not kept, tests not significant
    "zero": "#BBBBBB",        # zero lines, batch separators
    "grid-line": "#E5E5E5",
    "nan-fill": "#E8E8E8",    # map area without a value
    "ref-band": "#DDDDDD",    # 5th–95th percentile band of the reference class 1
    "trace": "#7F7F7F",       # connecting lines of control charts
    "circle-line": "#888888",      # unit circle of the correlation circle
}

#: One colour per quality class, used in every figure and table.
CLASS_COLORS: dict[int, str] = {1: COLORS["c1"], 2: COLORS["c2"], 3: COLORS["c3"]}
#: Legend text of each class (paper: class 1 high σ and low RD, class 2 high σ and high RD, class 3 low σ).
CLASS_LABELS: dict[int, str] = {1: "Class 1 (high σ, low RD)", 2: "Class 2 (high σ, high RD)",
                                3: "Class 3 (low σ)"}

#: Figure font: the DejaVu Sans the PDF embeds (ssereport/fonts), so text metrics match everywhere.
FONT = "DejaVu Sans"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
#: Text sizes of the figures, pt. A full-width figure is :data:`FIGURE_WIDTH_IN` wide (480 pt): the PDF
#: embeds it at that size in its 504 pt column (body text 9.5 pt), the HTML at 640 CSS px (9 pt = 12 px).
SIZES: dict[str, float] = {"tick": 8.5, "label": 9.0, "title": 9.0, "legend": 8.5, "note": 8.5, "cell": 10.0}
#: Width of a full-width figure, inches (480 pt = 640 CSS px in the HTML; the PDF's A4 text column).
FIGURE_WIDTH_IN = 6.67


@functools.lru_cache(maxsize=1)
def register_fonts() -> tuple[str, ...]:
    """Add the shipped DejaVu fonts to matplotlib's font manager (once per process).

    Returns
    -------
    tuple of str
        The font files added.

    Notes
    -----
    ``matplotlib.font_manager.fontManager.addfont``; the same files Typst embeds
    in the PDF, so the figures' text has the metrics the PDF shows.
    """
    from matplotlib import font_manager

    files = tuple(sorted(str(p) for p in FONT_DIR.glob("*.ttf")))
    for f in files:
        font_manager.fontManager.addfont(f)
    return files


def style() -> dict[str, Any]:
    """The matplotlib rcParams of the report's figures.

    Use with ``matplotlib.rc_context(theme.style())``; :mod:`ssereport.plots`
    does so around every figure it draws.

    Notes
    -----
    SVG keeps real text (``svg.fonttype = "none"``) and a fixed
    ``svg.hashsalt``, so the same results give byte-identical SVG.
    """
    from cycler import cycler

    ink, s = COLORS["ink"], SIZES
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [FONT],
        "font.size": s["tick"],
        "text.color": ink,
        "axes.edgecolor": ink,
        "axes.labelcolor": ink,
        "axes.labelsize": s["label"],
        "axes.titlesize": s["title"],
        "axes.titlepad": 4.0,
        "axes.linewidth": 0.6,
        "axes.facecolor": COLORS["paper"],
        "axes.grid": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=[CLASS_COLORS[k] for k in sorted(CLASS_COLORS)]),
        "axes.unicode_minus": True,
        "axes.formatter.use_mathtext": False,  # mathtext only for ×10ⁿ offsets (useMathText=True): parsing costs
        "axes.formatter.limits": (-3, 4),
        "grid.color": COLORS["grid-line"],
        "grid.linewidth": 0.5,
        "xtick.color": ink,
        "ytick.color": ink,
        "xtick.labelsize": s["tick"],
        "ytick.labelsize": s["tick"],
        "xtick.major.size": 3.0,
        "ytick.major.size": 3.0,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "legend.fontsize": s["legend"],
        "legend.frameon": False,
        "legend.handlelength": 1.4,
        "legend.borderaxespad": 0.3,
        "figure.facecolor": COLORS["paper"],
        "figure.dpi": 100,
        "savefig.dpi": 150,  # the raster (rasterized=True) panels inside the SVG
        "savefig.facecolor": COLORS["paper"],
        "image.cmap": "viridis",
        "mathtext.default": "regular",
        "mathtext.fontset": "dejavusans",
        "lines.linewidth": 1.2,
        "lines.markersize": 4.0,
        "patch.linewidth": 0.6,
        "boxplot.medianprops.color": ink,
        "svg.fonttype": "none",
        "svg.hashsalt": "ssereport",
        "svg.image_inline": True,
    }


def css_variables() -> str:
    """The colours and the font as CSS custom properties, one ``:root`` rule (inlined before style.css).

    >>> css_variables().splitlines()[0]
    ':root {'
    """
    lines = [f"  --{k}: {v};" for k, v in COLORS.items()]
    lines.append(f"  --font: \"{FONT}\", \"Noto Sans\", \"Liberation Sans\", Arial, sans-serif;")
    return ":root {\n" + "\n".join(lines) + "\n}\n"


def typst_variables() -> str:
    """The colours as Typst bindings (``#let ink = rgb("#1A1A1A")``), the ``theme.typ`` the templates import."""
    lines = ["// Generated by ssereport.theme.typst_variables(): the colours of ssereport.theme.COLORS."]
    lines += [f'#let {k} = rgb("{v}")' for k, v in COLORS.items()]
    lines.append(f'#let theme-font = "{FONT}"')
    return "\n".join(lines) + "\n"
