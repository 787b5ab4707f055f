"""A small plotting toolkit that writes SVG directly: axes, ticks, markers, legends, raster maps.

The report's figures (:mod:`ssereport.figures`, :mod:`ssereport.figures_batch`)
are drawn with it in a few milliseconds each, without matplotlib. Output is
plain SVG 1.1/2 that browsers and resvg (Typst) render alike: presentation
attributes only (no ``<style>``, CSS classes, scripts, ``foreignObject`` or
external references), real ``<text>`` in DejaVu Sans (selectable, small),
raster panels as ``<image>`` with an inline ``data:image/png`` URI written by
:func:`png_rgba` (NumPy + zlib).

Coordinates are px on a fixed ``viewBox``, rounded to 0.01 px (markers and
contour lines to 0.1 px); a non-finite coordinate raises, and the same input
always gives byte-identical SVG. Every element id starts with the figure key (see
:meth:`Canvas.id`), so several figures can share one HTML page.

Notes
-----
The layout is explicit: a figure function measures its labels with
:func:`text_width` (advance widths of DejaVu Sans, no font library), sets the
margins, then places :class:`Axes` boxes. This is what R's base graphics do
(``par(mar=)``, ``plot.window``, ``axis``, ``pretty``); :func:`nice_ticks` is
R's ``pretty()`` with steps 1, 2, 5 × 10ⁿ.
"""

from __future__ import annotations

import base64
import functools
import math
import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BLUES",
    "FONT_FAMILY",
    "INK",
    "VIRIDIS",
    "Axes",
    "Canvas",
    "LegendEntry",
    "colorbar",
    "colormap",
    "contour_segments",
    "draw_legend",
    "fmt",
    "fmt_many",
    "join_segments",
    "legend_size",
    "nice_limits",
    "nice_ticks",
    "png_rgba",
    "shade",
    "text_width",
    "tick_labels",
    "upsample",
]

FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#333333"

#: Colour maps as evenly spaced stops (sampled from matplotlib's tables), interpolated linearly.
VIRIDIS = tuple("#" + h for h in (
    "440154 470d60 48186a 482374 472d7b 453781 424086 3e4989 3b528b 375b8d 33638d 2f6b8e 2c728e 297a8e "
    "26828e 23898e 21918c 1f988b 1fa088 22a785 28ae80 32b67a 3fbc73 4ec36b 5ec962 70cf57 84d44b 98d83e "
    "addc30 c2df23 d8e219 ece51b fde725").split())
BLUES = tuple("#" + h for h in (
    "f7fbff eaf3fb deebf7 d2e3f3 c6dbef b2d2e8 9dcae1 84bcdb 6aaed6 56a0ce 4191c6 3181bd 2070b4 1460a8 "
    "08509b 084082 08306b").split())

# --------------------------------------------------------------------------- text metrics

#: Advance widths of DejaVu Sans (Book), 1/1000 em, for U+0020 … U+007E.
_ASCII_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636,
    636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
    295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838,
    500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
    392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838)
#: The same for the non-ASCII characters the figures use (Greek, units, signs, super/subscripts).
_OTHER_WIDTHS = {
    "σ": 634, "ρ": 635, "Ω": 764, "µ": 636, "μ": 636, "×": 838, "−": 838, "–": 500, "—": 1000, "…": 1000,
    "·": 318, "°": 500, "±": 838, "≤": 838, "≥": 838, "ε": 541, "Δ": 684, "η": 634, "α": 659, "β": 638,
    "γ": 592, "λ": 592, "π": 602, "τ": 602, "χ": 578, "é": 615, "è": 615, "ä": 613, "ö": 612, "ü": 634,
    "Ä": 684, "Ö": 787, "Ü": 732, "ß": 630, "à": 613, "ç": 550, "ñ": 634, "\u00a0": 318, "\u0304": 0,
    "‘": 318, "’": 318, "“": 518, "”": 518, "•": 590, "→": 838, "←": 838,
    **{c: 401 for c in "²³¹⁰⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉"}, "⁻": 528,
}
_BOLD = 1.12  # DejaVu Sans Bold is ~12 % wider on average
#: Baseline offsets (fraction of the font size) that centre a line of text or hang it from a top edge.
_MIDDLE, _TOP = 0.36, 0.76


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated width in px of ``text`` set in DejaVu Sans at ``size`` px.

    Characters not in the table count as 0.62 em (1 em for wide East Asian
    characters); Liberation Sans and Arial are narrower, so the estimate errs
    on the safe side for the fallback fonts.
    """
    total = 0
    for ch in str(text):
        o = ord(ch)
        if 32 <= o < 127:
            total += _ASCII_WIDTHS[o - 32]
        elif ch in _OTHER_WIDTHS:
            total += _OTHER_WIDTHS[ch]
        else:
            total += 1000 if 0x2E80 <= o <= 0xFFEF else 620
    return total * size / 1000 * (_BOLD if bold else 1.0)


# --------------------------------------------------------------------------- numbers and ticks

def fmt(v: float) -> str:
    """A coordinate for the SVG: rounded to 0.01, no trailing zeros; refuses NaN and inf."""
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"SVG coordinate must be finite; got {v!r}")
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fmt_many(values, decimals: int = 2) -> list[str]:
    """:func:`fmt` for many numbers at once (rounded to ``decimals``); refuses NaN and inf."""
    v = np.asarray(values, dtype=float).ravel()
    if not np.isfinite(v).all():
        raise ValueError(f"SVG coordinate must be finite; got {v[~np.isfinite(v)][0]!r}")
    out = [f"{x:.{decimals}f}".rstrip("0").rstrip(".") for x in v.tolist()]
    return ["0" if o in ("-0", "") else o for o in out]


def _nice_step(span: float, n: int) -> float:
    """The step 1, 2 or 5 × 10ᵏ that cuts ``span`` into the number of intervals closest to ``n``."""
    raw = span / max(n, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    steps = [m * mag * f for f in (0.1, 1.0, 10.0) for m in (1.0, 2.0, 5.0)]
    return min(steps, key=lambda st: (abs(span / st - n), -st))


def _span(lo: float, hi: float) -> tuple[float, float]:
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"axis range must be finite; got ({lo!r}, {hi!r})")
    if hi < lo:
        lo, hi = hi, lo
    if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300):
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    return lo, hi


def nice_ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    """Ticks at multiples of 1, 2 or 5 × 10ᵏ inside ``[lo, hi]``: about ``n`` intervals, at least 3 ticks.

    Notes
    -----
    R: ``pretty(c(lo, hi), n)`` restricted to the range.
    """
    lo, hi = _span(lo, hi)
    for m in range(n, n + 12):
        step = _nice_step(hi - lo, m)
        k0, k1 = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if k1 - k0 >= 2:
            break
    return np.arange(k0, k1 + 1) * step


def nice_limits(lo: float, hi: float, n: int = 5) -> tuple[float, float, np.ndarray]:
    """``[lo, hi]`` widened to the nearest ticks outside it, and those ticks."""
    lo, hi = _span(lo, hi)
    step = _nice_step(hi - lo, n)
    k0, k1 = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    ticks = np.arange(k0, k1 + 1) * step
    return float(ticks[0]), float(ticks[-1]), ticks


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _decimals(values: np.ndarray, limit: int = 8) -> int:
    for d in range(limit + 1):
        if np.allclose(np.round(values, d), values, rtol=0, atol=1e-9 * max(1.0, float(np.abs(values).max()))):
            return d
    return limit


def _minus(s: str) -> str:
    return s.replace("-", "−")


def tick_labels(ticks: Sequence[float], *, sci: bool | None = None) -> list[str]:
    """Labels for a set of ticks with one number of decimals; ``8×10⁻⁴`` style when small or large.

    ``sci=None`` chooses scientific labels when the largest tick is below 0.01
    or at least 10⁵. Minus signs are U+2212.
    """
    t = np.asarray(ticks, dtype=float)
    if t.size == 0:
        return []
    amax = float(np.abs(t).max())
    if sci is None:
        sci = amax > 0 and (amax < 1e-2 or amax >= 1e5)
    if sci and amax > 0:
        exp = math.floor(math.log10(amax))
        nonzero = np.abs(t[t != 0])
        # 2, 4, …, 10 ×10⁻⁴ rather than 0.2, 0.4, …, 1.0 ×10⁻³
        if np.sum(nonzero < 10.0 ** exp * (1 - 1e-9)) >= len(nonzero) / 2:
            exp -= 1
        m = t / 10.0 ** exp
        d = _decimals(m)
        sup = str(exp).translate(_SUPERSCRIPT)
        return ["0" if v == 0 else _minus(f"{mv:.{d}f}") + f"×10{sup}" for v, mv in zip(t, m)]
    d = _decimals(t)
    out = [_minus(f"{v:.{d}f}") for v in t]
    return ["0" if s in ("−0", "−0.0") or (s.startswith("−") and float(s[1:]) == 0) else s for s in out]


# --------------------------------------------------------------------------- colours and rasters

def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if len(c) != 6:
        raise ValueError(f"colour must be '#rrggbb' or '#rgb'; got {color!r}")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def shade(color: str, alpha: float, background: str = "#ffffff") -> str:
    """``color`` at opacity ``alpha`` over ``background``, as an opaque ``#rrggbb``."""
    fg, bg = _rgb(color), _rgb(background)
    return "#" + "".join(f"{round(alpha * f + (1 - alpha) * b):02x}" for f, b in zip(fg, bg))


@functools.lru_cache(maxsize=8)
def _lut(stops: tuple[str, ...]) -> np.ndarray:
    """256 × 3 uint8 table of a colour map (linear between the stops), as matplotlib's N = 256."""
    table = np.array([_rgb(s) for s in stops], dtype=float)
    pos = np.linspace(0, len(stops) - 1, 256)
    i0 = np.minimum(np.floor(pos).astype(int), len(stops) - 2)
    f = (pos - i0)[:, None]
    return np.round(table[i0] * (1 - f) + table[i0 + 1] * f).astype(np.uint8)


def colormap(values: np.ndarray, vmin: float, vmax: float, stops: Sequence[str] = VIRIDIS,
             *, nan: tuple[int, int, int, int] = (0, 0, 0, 0)) -> np.ndarray:
    """RGBA (uint8) image of ``values`` through a colour map of 256 steps; NaN gets ``nan`` (transparent).

    ``vmin`` maps to the first stop and ``vmax`` to the last; values beyond are clipped.
    """
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    span = (vmax - vmin) or 1.0
    idx = np.clip(np.round((np.where(finite, v, vmin) - vmin) / span * 255), 0, 255).astype(np.intp)
    out = np.empty(v.shape + (4,), dtype=np.uint8)
    out[..., :3] = _lut(tuple(stops))[idx]
    out[..., 3] = 255
    out[~finite] = nan
    return out


def class_image(classes: np.ndarray, colors: dict[int, str], *, other: str = "#ffffff") -> np.ndarray:
    """RGBA (uint8) image with one colour per integer class (``other`` for unknown classes)."""
    c = np.asarray(classes)
    out = np.empty(c.shape + (4,), dtype=np.uint8)
    out[...] = (*_rgb(other), 255)
    for k, col in colors.items():
        out[c == k] = (*_rgb(col), 255)
    return out


def upsample(z: np.ndarray, factor: int) -> np.ndarray:
    """Bilinear interpolation of a grid to ``factor`` × finer (corner-aligned); NaN where a corner is NaN."""
    z = np.asarray(z, dtype=float)
    ny, nx = z.shape
    if factor <= 1 or nx < 2 or ny < 2:
        return z.copy()
    y = np.linspace(0, ny - 1, (ny - 1) * factor + 1)
    x = np.linspace(0, nx - 1, (nx - 1) * factor + 1)
    i0 = np.minimum(np.floor(y).astype(int), ny - 2)
    j0 = np.minimum(np.floor(x).astype(int), nx - 2)
    fy, fx = (y - i0)[:, None], (x - j0)[None, :]
    a, b = z[np.ix_(i0, j0)], z[np.ix_(i0, j0 + 1)]
    c, d = z[np.ix_(i0 + 1, j0)], z[np.ix_(i0 + 1, j0 + 1)]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def png_rgba(rgba: np.ndarray) -> bytes:
    """Encode an (h, w, 4) uint8 array as a PNG (8-bit RGBA, no filter, zlib level 6).

    Rows run from the top of the image down, as in the file format.
    """
    a = np.ascontiguousarray(rgba, dtype=np.uint8)
    if a.ndim != 3 or a.shape[2] != 4 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"png_rgba needs an (h, w, 4) array; got shape {a.shape}")
    h, w = a.shape[:2]
    raw = np.concatenate([np.zeros((h, 1), dtype=np.uint8), a.reshape(h, w * 4)], axis=1).tobytes()

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


# marching squares: for each of the 16 corner cases the pairs of cell edges joined by a segment
# (corners a=(i, j), b=(i, j+1), c=(i+1, j+1), d=(i+1, j); edges 0=ab, 1=bc, 2=cd, 3=da)
_CASES = {1: ((3, 0),), 2: ((0, 1),), 3: ((3, 1),), 4: ((1, 2),), 5: ((3, 0), (1, 2)), 6: ((0, 2),),
          7: ((3, 2),), 8: ((2, 3),), 9: ((0, 2),), 10: ((0, 1), (2, 3)), 11: ((1, 2),), 12: ((1, 3),),
          13: ((0, 1),), 14: ((3, 0),)}


def contour_segments(z: np.ndarray, xs: np.ndarray, ys: np.ndarray, level: float) -> np.ndarray:
    """Line segments of the ``level`` contour of a grid (marching squares, linear along cell edges).

    Parameters
    ----------
    z : array, shape (len(ys), len(xs))
    xs, ys : array
        Grid coordinates (data units).
    level : float

    Returns
    -------
    numpy.ndarray, shape (m, 2, 2)
        Segments ``[[x0, y0], [x1, y1]]`` in data units; cells with a NaN corner are skipped.

    Notes
    -----
    R: ``contourLines(x, y, t(z), levels = level)`` (which also joins the segments).
    """
    z = np.asarray(z, dtype=float)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if z.shape != (len(ys), len(xs)) or z.shape[0] < 2 or z.shape[1] < 2:
        return np.empty((0, 2, 2))
    a, b, c, d = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]
    ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
    case = ((a > level) * 1 + (b > level) * 2 + (c > level) * 4 + (d > level) * 8) * ok
    iy, ix = np.nonzero((case != 0) & (case != 15))  # only the cells the contour crosses
    if not len(iy):
        return np.empty((0, 2, 2))
    case = case[iy, ix]
    za, zb, zc, zd = a[iy, ix], b[iy, ix], c[iy, ix], d[iy, ix]
    x0, x1, y0, y1 = xs[ix], xs[ix + 1], ys[iy], ys[iy + 1]

    def t(p, q):  # where the level crosses the edge from p to q (both finite, on either side)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (level - p) / (q - p)
        return np.clip(np.where(np.isfinite(r), r, 0.5), 0.0, 1.0)

    edges = np.stack([  # (x, y) of the crossing on each edge: ab, bc, cd (top), da
        np.stack([x0 + (x1 - x0) * t(za, zb), y0], axis=-1),
        np.stack([x1, y0 + (y1 - y0) * t(zb, zc)], axis=-1),
        np.stack([x0 + (x1 - x0) * t(zd, zc), y1], axis=-1),
        np.stack([x0, y0 + (y1 - y0) * t(za, zd)], axis=-1),
    ])
    out = []
    for k in sorted(_CASES):
        sel = np.nonzero(case == k)[0]
        if not len(sel):
            continue
        for e0, e1 in _CASES[k]:
            out.append(np.stack([edges[e0, sel], edges[e1, sel]], axis=1))
    return np.concatenate(out) if out else np.empty((0, 2, 2))


def join_segments(segs: np.ndarray, *, decimals: int = 6) -> list[np.ndarray]:
    """Chain segments that share end points into polylines (each an (k, 2) array), in a stable order.

    Notes
    -----
    End points are matched after rounding to ``decimals``; marching squares
    gives neighbouring cells the very same crossing, so contours come out
    whole, as R's ``contourLines`` returns them.
    """
    segs = np.asarray(segs, dtype=float)
    if not len(segs):
        return []
    keys = [(tuple(p), tuple(q)) for p, q in np.round(segs, decimals).tolist()]
    ends: dict[tuple, list[int]] = {}
    for i, (a, b) in enumerate(keys):
        ends.setdefault(a, []).append(i)
        ends.setdefault(b, []).append(i)
    used = np.zeros(len(segs), dtype=bool)
    lines = []

    def extend(chain: list[tuple], at: tuple) -> None:
        while True:
            nxt = next((j for j in ends.get(at, ()) if not used[j]), None)
            if nxt is None:
                return
            used[nxt] = True
            a, b = keys[nxt]
            at = b if a == at else a
            chain.append(at)

    for i in range(len(segs)):
        if used[i]:
            continue
        used[i] = True
        a, b = keys[i]
        forward, backward = [a, b], [a]
        extend(forward, b)
        extend(backward, a)
        lines.append(np.array(backward[:0:-1] + forward))
    return lines


# --------------------------------------------------------------------------- SVG document

_INVALID_XML = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF],
                             "\ufffd")


def escape(text: object) -> str:
    """Text for an SVG element or attribute: XML-escaped, characters XML forbids replaced by U+FFFD."""
    return (str(text).translate(_INVALID_XML).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _attrs(attrs: dict) -> str:
    parts = []
    for k, v in attrs.items():
        if v is None or v is False:
            continue
        name = k.rstrip("_").replace("_", "-")
        if isinstance(v, (float, np.floating)):
            parts.append(f' {name}="{fmt(v)}"')
        elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            parts.append(f' {name}="{int(v)}"')
        else:
            parts.append(f' {name}="{escape(v)}"')
    return "".join(parts)


#: Marker outlines of unit size (the marker fits a 1 × 1 box centred on 0, 0), scaled per use.
_MARKERS = {
    "o": None,  # circle: drawn as an arc path
    "D": [(0, -0.62), (0.62, 0), (0, 0.62), (-0.62, 0)],
    "s": [(-0.45, -0.45), (0.45, -0.45), (0.45, 0.45), (-0.45, 0.45)],
    "X": [(-0.5, -0.3), (-0.3, -0.5), (0, -0.2), (0.3, -0.5), (0.5, -0.3), (0.2, 0), (0.5, 0.3), (0.3, 0.5),
          (0, 0.2), (-0.3, 0.5), (-0.5, 0.3), (-0.2, 0)],
    "P": [(-0.18, -0.5), (0.18, -0.5), (0.18, -0.18), (0.5, -0.18), (0.5, 0.18), (0.18, 0.18), (0.18, 0.5),
          (-0.18, 0.5), (-0.18, 0.18), (-0.5, 0.18), (-0.5, -0.18), (-0.18, -0.18)],
}


def marker_path(shape: str, size: float) -> str:
    """Path data of a marker of ``size`` px (its width) centred on (0, 0)."""
    if shape == "o":
        r = fmt(size / 2)
        return f"M{r} 0A{r} {r} 0 1 1 -{r} 0A{r} {r} 0 1 1 {r} 0Z"
    pts = _MARKERS.get(shape)
    if pts is None:
        raise ValueError(f"unknown marker {shape!r}; expected one of {sorted(_MARKERS)}")
    return "M" + "L".join(f"{fmt(x * size)} {fmt(y * size)}" for x, y in pts) + "Z"


_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


class Canvas:
    """An SVG document of ``width`` × ``height`` px under construction.

    Elements are appended in drawing order; :meth:`to_svg` returns the markup.
    ``key`` prefixes every id (``Canvas.id``), so figures can share a page.
    """

    def __init__(self, width: float, height: float, *, key: str):
        if not _KEY.fullmatch(str(key)):
            raise ValueError(f"figure key must be a letter then letters, digits, '_' or '-' (it prefixes the SVG "
                             f"ids); got {key!r}")
        self.width, self.height, self.key = float(width), float(height), str(key)
        self._defs: list[str] = []
        self._body: list[str] = []
        self._ids: set[str] = set()
        self._markers: dict[tuple[str, float], str] = {}

    # ids and raw markup
    def id(self, name: str) -> str:
        """The page-unique id ``<key>-<name>``; each name may be used once."""
        full = f"{self.key}-{name}"
        if full in self._ids:
            raise ValueError(f"duplicate SVG id {full!r}")
        self._ids.add(full)
        return full

    def add(self, markup: str) -> None:
        """Append markup that is already valid, escaped SVG."""
        self._body.append(markup)

    def define(self, markup: str) -> None:
        self._defs.append(markup)

    def element(self, tag: str, **attrs) -> None:
        self._body.append(f"<{tag}{_attrs(attrs)}/>")

    @contextmanager
    def group(self, **attrs):
        """``<g>`` around what is drawn inside the ``with`` block (attributes are inherited)."""
        self._body.append(f"<g{_attrs(attrs)}>")
        try:
            yield self
        finally:
            self._body.append("</g>")

    # shapes
    def line(self, x1, y1, x2, y2, *, stroke=INK, width=1.0, dash=None, opacity=None, cap=None) -> None:
        self.element("line", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), stroke=stroke,
                     stroke_width=float(width), stroke_dasharray=dash, stroke_opacity=opacity, stroke_linecap=cap)

    def rect(self, x, y, w, h, *, fill="none", stroke=None, width=None, opacity=None, **attrs) -> None:
        self.element("rect", x=float(x), y=float(y), width=float(max(w, 0.0)), height=float(max(h, 0.0)),
                     fill=fill, fill_opacity=opacity, stroke=stroke,
                     stroke_width=None if width is None else float(width), **attrs)

    def path(self, d: str, **attrs) -> None:
        self.element("path", d=d, **attrs)

    def polyline(self, xs, ys, *, stroke=INK, width=1.0, dash=None, fill="none", opacity=None, **attrs) -> None:
        pts = " ".join(f"{x},{y}" for x, y in zip(fmt_many(xs), fmt_many(ys)))
        self.element("polyline", points=pts, fill=fill, stroke=stroke, stroke_width=float(width),
                     stroke_dasharray=dash, stroke_opacity=opacity, stroke_linejoin="round", **attrs)

    def polygon(self, xs, ys, **attrs) -> None:
        self.element("polygon", points=" ".join(f"{fmt(x)},{fmt(y)}" for x, y in zip(xs, ys)), **attrs)

    def circle(self, cx, cy, r, **attrs) -> None:
        self.element("circle", cx=float(cx), cy=float(cy), r=float(r), **attrs)

    def text(self, x, y, text: object, *, size: float = 10.0, anchor: str = "start", valign: str = "baseline",
             color: str | None = None, bold: bool = False, rotate: float | None = None, id: str | None = None,
             halo: bool = False) -> None:
        """One line of text at (x, y).

        ``anchor`` is ``start``, ``middle`` or ``end``; ``valign`` ``baseline``,
        ``middle`` (centred on y) or ``top`` (hanging from y) — computed from the
        font size rather than ``dominant-baseline``, which renderers treat
        differently. ``rotate`` turns the text (degrees, clockwise) about (x, y).
        ``halo`` puts a white outline under the glyphs to keep them legible on data.
        """
        dy = {"baseline": 0.0, "middle": _MIDDLE * size, "top": _TOP * size}[valign]
        if rotate:
            rad = math.radians(rotate)
            tx, ty = x - dy * math.sin(rad), y + dy * math.cos(rad)
        else:
            tx, ty = x, y + dy
        attrs = dict(id=id, x=float(tx), y=float(ty), font_size=float(size),
                     text_anchor=None if anchor == "start" else anchor, fill=color,
                     font_weight="bold" if bold else None,
                     transform=f"rotate({fmt(rotate)} {fmt(tx)} {fmt(ty)})" if rotate else None)
        if halo:
            attrs.update(stroke="#ffffff", stroke_width=2.5, stroke_linejoin="round", paint_order="stroke")
        self._body.append(f"<text{_attrs(attrs)}>{escape(text)}</text>")

    def image(self, x, y, w, h, rgba: np.ndarray, *, pixelated: bool, clip: str | None = None,
              opacity: float | None = None) -> None:
        """A raster (top row first) stretched over the box; ``pixelated`` keeps cell edges crisp."""
        uri = "data:image/png;base64," + base64.b64encode(png_rgba(rgba)).decode("ascii")
        self.element("image", x=float(x), y=float(y), width=float(w), height=float(h), preserveAspectRatio="none",
                     style="image-rendering:pixelated;image-rendering:crisp-edges" if pixelated else
                     "image-rendering:optimizeQuality",
                     clip_path=f"url(#{clip})" if clip else None, opacity=opacity, href=uri)

    def clip_rect(self, name: str, x, y, w, h) -> str:
        """Define a rectangular clip path; returns its id."""
        cid = self.id(name)
        self.define(f'<clipPath id="{cid}"><rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" '
                    f'height="{fmt(h)}"/></clipPath>')
        return cid

    def marker(self, shape: str, size: float) -> str:
        """Id (``<key>-m<n>``) of a ``<path>`` marker in ``<defs>``, defined once per shape and size."""
        k = (shape, round(float(size), 2))
        if k not in self._markers:
            mid = self.id(f"m{len(self._markers)}")
            self.define(f'<path id="{mid}" d="{marker_path(shape, size)}"/>')
            self._markers[k] = mid
        return self._markers[k]

    def markers(self, xs, ys, *, shape: str = "o", size: float = 6.0, fill: str = INK, stroke: str | None = None,
                width: float = 0.6, opacity: float | None = None, id: str | None = None) -> int:
        """Markers at pixel positions (to 0.1 px) as ``<use>`` of one ``<path>``, in one ``<g>``; returns how many."""
        mid = self.marker(shape, size)
        xs, ys = np.asarray(xs, dtype=float).ravel(), np.asarray(ys, dtype=float).ravel()
        keep = np.isfinite(xs) & np.isfinite(ys)
        uses = "".join(f'<use href="#{mid}" x="{x}" y="{y}"/>'
                       for x, y in zip(fmt_many(xs[keep], 1), fmt_many(ys[keep], 1)))
        attrs = _attrs(dict(id=id, fill=fill, fill_opacity=opacity, stroke=stroke,
                            stroke_width=float(width) if stroke else None))
        self._body.append(f"<g{attrs}>{uses}</g>")
        return int(keep.sum())

    def to_svg(self, *, title: str = "", desc: str = "") -> str:
        """The finished ``<svg>`` element (no XML declaration), with ``<title>`` and ``<desc>``."""
        w, h = fmt(self.width), fmt(self.height)
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
                f'role="img" aria-labelledby="{self.key}-title {self.key}-desc" '
                f'font-family="{FONT_FAMILY}" font-size="10">')
        parts = [head, f'<title id="{self.key}-title">{escape(title or self.key)}</title>',
                 f'<desc id="{self.key}-desc">{escape(desc)}</desc>']
        if self._defs:
            parts.append("<defs>" + "".join(self._defs) + "</defs>")
        parts.append(f'<rect width="{w}" height="{h}" fill="#ffffff"/>')
        parts.extend(self._body)
        parts.append("</svg>")
        return "\n".join(parts)

    def _repr_svg_(self) -> str:  # Jupyter / Quarto display
        return self.to_svg()


# --------------------------------------------------------------------------- axes

class Axes:
    """A data window mapped onto the box (x, y, w, h) of a :class:`Canvas` (y grows upwards).

    ``xlim``/``ylim`` are the data limits at the box edges.
    """

    def __init__(self, canvas: Canvas, box: tuple[float, float, float, float], xlim: Sequence[float],
                 ylim: Sequence[float], *, name: str = "ax"):
        self.c = canvas
        self.x0, self.y0, self.w, self.h = (float(v) for v in box)
        self.xlim = (float(xlim[0]), float(xlim[1]))
        self.ylim = (float(ylim[0]), float(ylim[1]))
        if self.xlim[1] == self.xlim[0] or self.ylim[1] == self.ylim[0]:
            raise ValueError(f"axes {name!r}: empty data range x {self.xlim}, y {self.ylim}")
        self.name = name
        self._clip: str | None = None

    # coordinates
    def px(self, x):
        """Data x -> canvas px."""
        return self.x0 + (np.asarray(x, dtype=float) - self.xlim[0]) / (self.xlim[1] - self.xlim[0]) * self.w

    def py(self, y):
        """Data y -> canvas px (flipped: larger y is higher)."""
        return self.y0 + self.h - (np.asarray(y, dtype=float) - self.ylim[0]) / (self.ylim[1] - self.ylim[0]) * self.h

    @property
    def right(self) -> float:
        return self.x0 + self.w

    @property
    def bottom(self) -> float:
        return self.y0 + self.h

    def clip(self) -> str:
        """Id of a clip path to the axes box (defined on first use)."""
        if self._clip is None:
            self._clip = self.c.clip_rect(f"{self.name}-clip", self.x0, self.y0, self.w, self.h)
        return self._clip

    # frame, ticks, grid
    def background(self, fill: str) -> None:
        self.c.rect(self.x0, self.y0, self.w, self.h, fill=fill)

    def frame(self, *, box: bool = False, color: str = INK, width: float = 0.8) -> None:
        """Left and bottom axis lines (all four sides with ``box``)."""
        c = self.c
        if box:
            c.rect(self.x0, self.y0, self.w, self.h, stroke=color, width=width)
        else:
            c.path(f"M{fmt(self.x0)} {fmt(self.y0)}V{fmt(self.bottom)}H{fmt(self.right)}", fill="none",
                   stroke=color, stroke_width=width)

    def xticks(self, ticks, labels=None, *, size: float = 10.0, length: float = 4.0, show: bool = True,
               rotate: float | None = None) -> None:
        ticks = np.asarray(ticks, dtype=float)
        labels = tick_labels(ticks) if labels is None else list(labels)
        xs = self.px(ticks)
        d = "".join(f"M{fmt(x)} {fmt(self.bottom)}v{fmt(length)}" for x in xs)
        if d:
            self.c.path(d, stroke=INK, stroke_width=0.8, fill="none")
        if show:
            self.c.add(f'<g id="{self.c.id(self.name + "-xticks")}">')
            for x, lab in zip(xs, labels):
                if rotate:
                    self.c.text(x + 0.3 * size, self.bottom + length + 2, lab, size=size, anchor="end",
                                valign="top", rotate=rotate)
                else:
                    for k, line in enumerate(str(lab).split("\n")):
                        self.c.text(x, self.bottom + length + 2 + k * 1.2 * size, line, size=size,
                                    anchor="middle", valign="top")
            self.c.add("</g>")

    def yticks(self, ticks, labels=None, *, size: float = 10.0, length: float = 4.0, show: bool = True,
               side: str = "left") -> None:
        ticks = np.asarray(ticks, dtype=float)
        labels = tick_labels(ticks) if labels is None else list(labels)
        ys = self.py(ticks)
        if side == "left":
            d = "".join(f"M{fmt(self.x0)} {fmt(y)}h{fmt(-length)}" for y in ys)
            tx, anchor = self.x0 - length - 2.5, "end"
        else:
            d = "".join(f"M{fmt(self.right)} {fmt(y)}h{fmt(length)}" for y in ys)
            tx, anchor = self.right + length + 2.5, "start"
        if d:
            self.c.path(d, stroke=INK, stroke_width=0.8, fill="none")
        if show:
            self.c.add(f'<g id="{self.c.id(self.name + "-yticks")}">')
            for y, lab in zip(ys, labels):
                self.c.text(tx, y, lab, size=size, anchor=anchor, valign="middle")
            self.c.add("</g>")

    def grid(self, xticks=(), yticks=(), *, color: str = "#e6e6e6", width: float = 0.7) -> None:
        d = "".join(f"M{fmt(x)} {fmt(self.y0)}V{fmt(self.bottom)}" for x in self.px(np.asarray(xticks, float)))
        d += "".join(f"M{fmt(self.x0)} {fmt(y)}H{fmt(self.right)}" for y in self.py(np.asarray(yticks, float)))
        if d:
            self.c.path(d, stroke=color, stroke_width=width, fill="none")

    def xlabel(self, text: str, *, offset: float, size: float = 11.0) -> None:
        """Axis title centred below the box, ``offset`` px below its bottom edge (top of the text)."""
        self.c.text(self.x0 + self.w / 2, self.bottom + offset, text, size=size, anchor="middle", valign="top")

    def ylabel(self, text: str, *, offset: float, size: float = 11.0, side: str = "left") -> None:
        """Axis title rotated along the left (or right) edge, its baseline ``offset`` px from the box."""
        if side == "left":
            self.c.text(self.x0 - offset, self.y0 + self.h / 2, text, size=size, anchor="middle", rotate=-90)
        else:
            self.c.text(self.right + offset, self.y0 + self.h / 2, text, size=size, anchor="middle", rotate=90)

    def title(self, text: str, *, size: float = 11.0, gap: float = 5.0, bold: bool = False) -> None:
        self.c.text(self.x0 + self.w / 2, self.y0 - gap, text, size=size, anchor="middle", bold=bold)

    # data
    def scatter(self, x, y, *, shape: str = "o", size: float = 6.0, fill: str = INK, stroke: str | None = None,
                width: float = 0.6, opacity: float | None = None, id: str | None = None) -> int:
        return self.c.markers(self.px(x), self.py(y), shape=shape, size=size, fill=fill, stroke=stroke, width=width,
                              opacity=opacity, id=id)

    def plot(self, x, y, *, color: str = INK, width: float = 1.2, dash: str | None = None,
             opacity: float | None = None, clip: bool = False) -> None:
        self.c.polyline(self.px(x), self.py(y), stroke=color, width=width, dash=dash, opacity=opacity,
                        clip_path=f"url(#{self.clip()})" if clip else None)

    def hline(self, y, *, color: str = INK, width: float = 0.8, dash: str | None = None, x0=None, x1=None) -> None:
        py = float(self.py(y))
        a = self.x0 if x0 is None else float(self.px(x0))
        b = self.right if x1 is None else float(self.px(x1))
        self.c.line(a, py, b, py, stroke=color, width=width, dash=dash)

    def vline(self, x, *, color: str = INK, width: float = 0.8, dash: str | None = None) -> None:
        px = float(self.px(x))
        self.c.line(px, self.y0, px, self.bottom, stroke=color, width=width, dash=dash)

    def hspan(self, y0, y1, *, fill: str) -> None:
        a, b = sorted((float(self.py(y0)), float(self.py(y1))))
        a, b = max(a, self.y0), min(b, self.bottom)
        self.c.rect(self.x0, a, self.w, b - a, fill=fill)

    def bar(self, x, height, width, *, fill: str, stroke: str | None = INK, line: float = 0.6, base: float = 0.0,
            opacity: float | None = None, pattern: str | None = None) -> tuple[float, float, float, float]:
        """One bar centred on x; returns its box in px (x, y, w, h)."""
        xa, xb = float(self.px(x - width / 2)), float(self.px(x + width / 2))
        ya, yb = sorted((float(self.py(base)), float(self.py(height))))
        self.c.rect(xa, ya, xb - xa, yb - ya, fill=fill, opacity=opacity)
        if pattern:
            self.c.rect(xa, ya, xb - xa, yb - ya, fill=f"url(#{pattern})")
        if stroke:
            self.c.rect(xa, ya, xb - xa, yb - ya, stroke=stroke, width=line)
        return xa, ya, xb - xa, yb - ya

    def segments(self, segs: np.ndarray, *, color: str = INK, width: float = 0.8, opacity: float | None = None,
                 clip: bool = True) -> int:
        """Line segments (m, 2, 2) in data units, chained into polylines, as one path (0.1 px); returns m."""
        segs = np.asarray(segs, dtype=float)
        if not len(segs):
            return 0
        parts = []
        for line in join_segments(segs):
            xs, ys = fmt_many(self.px(line[:, 0]), 1), fmt_many(self.py(line[:, 1]), 1)
            parts.append("M" + "L".join(f"{a} {b}" for a, b in zip(xs, ys)))
        d = "".join(parts)
        self.c.path(d, fill="none", stroke=color, stroke_width=width, stroke_opacity=opacity,
                    stroke_linecap="round", clip_path=f"url(#{self.clip()})" if clip else None)
        return len(segs)

    def image(self, rgba: np.ndarray, extent: Sequence[float], *, pixelated: bool, clip: bool = True,
              opacity: float | None = None) -> None:
        """A raster whose first row is the *top* (largest y); ``extent`` = (x0, x1, y0, y1) in data units."""
        xa, xb = float(self.px(extent[0])), float(self.px(extent[1]))
        ya, yb = float(self.py(extent[3])), float(self.py(extent[2]))
        self.c.image(xa, ya, xb - xa, yb - ya, rgba, pixelated=pixelated, clip=self.clip() if clip else None,
                     opacity=opacity)

    def text(self, x, y, text: str, *, dx: float = 0.0, dy: float = 0.0, **kw) -> None:
        """Text at data (x, y), shifted by (dx, dy) px (dy downwards)."""
        self.c.text(float(self.px(x)) + dx, float(self.py(y)) + dy, text, **kw)


# --------------------------------------------------------------------------- legends, colour bars

@dataclass(frozen=True)
class LegendEntry:
    """One legend item: a swatch and its label.

    ``kind``: ``marker`` (``shape`` filled with ``fill``, outlined by ``stroke``),
    ``patch`` (a square of ``fill`` at ``opacity``), ``line`` (``stroke``,
    ``dash``), ``patch+marker`` (both) or ``hatch`` (a patch with ``pattern``).
    """

    label: str
    kind: str = "marker"
    fill: str = INK
    stroke: str | None = None
    shape: str = "o"
    size: float = 7.0
    opacity: float | None = None
    dash: str | None = None
    width: float = 1.0
    pattern: str | None = None


_SWATCH, _SWATCH_GAP, _ENTRY_GAP = 16.0, 5.0, 16.0


def _entry_width(e: LegendEntry, size: float) -> float:
    sw = _SWATCH * (1.75 if e.kind == "patch+marker" else 1.0)
    return sw + _SWATCH_GAP + text_width(e.label, size)


def _rows(entries: Sequence[LegendEntry], max_width: float, size: float, ncols: int | None):
    widths = [_entry_width(e, size) for e in entries]
    if ncols:  # fixed columns, each as wide as its widest entry
        cols = [max(widths[j::ncols]) for j in range(min(ncols, len(entries)))]
        return [list(range(i, min(i + ncols, len(entries)))) for i in range(0, len(entries), ncols)], cols
    rows, cur, used = [], [], 0.0
    for i, w in enumerate(widths):
        need = w + (_ENTRY_GAP if cur else 0.0)
        if cur and used + need > max_width:
            rows.append(cur)
            cur, used = [], 0.0
            need = w
        cur.append(i)
        used += need
    if cur:
        rows.append(cur)
    return rows, None


def legend_size(entries: Sequence[LegendEntry], *, max_width: float, size: float = 10.0, ncols: int | None = None,
                title: str | None = None, vertical: bool = False) -> tuple[float, float]:
    """(width, height) in px that :func:`draw_legend` will use."""
    line = 1.45 * size
    t_lines = title.split("\n") if title else []
    t_w = max((text_width(t, size) for t in t_lines), default=0.0)
    if vertical:
        w = max([_entry_width(e, size) for e in entries] + [t_w])
        return w, line * (len(entries) + len(t_lines))
    rows, cols = _rows(entries, max_width, size, ncols)
    if cols:
        w = sum(cols) + _ENTRY_GAP * (len(cols) - 1)
    else:
        w = max(sum(_entry_width(entries[i], size) for i in r) + _ENTRY_GAP * (len(r) - 1) for r in rows)
    return max(w, t_w), line * (len(rows) + len(t_lines))


def _swatch(c: Canvas, e: LegendEntry, x: float, y: float, h: float) -> float:
    """Draw the swatch of ``e`` with its left edge at x, centred on y; returns its width."""
    if e.kind in ("patch", "patch+marker", "hatch"):
        c.rect(x, y - h / 2, _SWATCH, h, fill=e.fill, opacity=e.opacity,
               stroke=e.stroke, width=0.6 if e.stroke else None)
        if e.pattern:
            c.rect(x, y - h / 2, _SWATCH, h, fill=f"url(#{e.pattern})")
        if e.kind == "patch+marker":
            c.markers([x + _SWATCH * 1.3], [y], shape=e.shape, size=e.size, fill=e.fill, stroke=INK, width=0.6)
            return _SWATCH * 1.75
        return _SWATCH
    if e.kind == "line":
        c.line(x, y, x + _SWATCH, y, stroke=e.stroke or e.fill, width=e.width, dash=e.dash)
        return _SWATCH
    c.markers([x + _SWATCH / 2], [y], shape=e.shape, size=e.size, fill=e.fill, stroke=e.stroke,
              width=0.6, opacity=e.opacity)
    return _SWATCH


def draw_legend(c: Canvas, x: float, y: float, entries: Sequence[LegendEntry], *, max_width: float,
                size: float = 10.0, ncols: int | None = None, title: str | None = None, vertical: bool = False,
                align: str = "left") -> tuple[float, float]:
    """Draw a legend with its top-left corner at (x, y) (or centred on x with ``align="center"``).

    Horizontal legends flow into rows no wider than ``max_width`` (or use
    ``ncols`` fixed columns); ``vertical`` stacks one entry per row. Returns
    the (width, height) used.
    """
    w, h = legend_size(entries, max_width=max_width, size=size, ncols=ncols, title=title, vertical=vertical)
    line = 1.45 * size
    left = x - w / 2 if align == "center" else x
    cy = y + line / 2
    for t in (title.split("\n") if title else []):
        c.text(left if align != "center" else x, cy, t, size=size, valign="middle",
               anchor="middle" if align == "center" else "start")
        cy += line
    sh = 0.8 * size
    if vertical:
        for e in entries:
            sw = _swatch(c, e, left, cy, sh)
            c.text(left + sw + _SWATCH_GAP, cy, e.label, size=size, valign="middle")
            cy += line
        return w, h
    rows, cols = _rows(entries, max_width, size, ncols)
    for r in rows:
        if cols:
            row_w = sum(cols[: len(r)]) + _ENTRY_GAP * (len(r) - 1)
        else:
            row_w = sum(_entry_width(entries[i], size) for i in r) + _ENTRY_GAP * (len(r) - 1)
        cx = x - row_w / 2 if align == "center" else left
        for j, i in enumerate(r):
            e = entries[i]
            sw = _swatch(c, e, cx, cy, sh)
            c.text(cx + sw + _SWATCH_GAP, cy, e.label, size=size, valign="middle")
            cx += (cols[j] if cols else _entry_width(e, size)) + _ENTRY_GAP
        cy += line
    return w, h


def colorbar(c: Canvas, box: tuple[float, float, float, float], vmin: float, vmax: float, *, ticks, label: str,
             stops: Sequence[str] = VIRIDIS, size: float = 10.0, name: str = "cbar",
             labels: Sequence[str] | None = None) -> float:
    """A vertical colour bar (``vmin`` at the bottom) with ticks and a rotated label on the right.

    Returns the width used right of the box (tick labels and label).
    """
    x, y, w, h = box
    gid = c.id(f"{name}-gradient")
    n = len(stops) - 1
    c.define(f'<linearGradient id="{gid}" x1="0" y1="1" x2="0" y2="0">'
             + "".join(f'<stop offset="{fmt(i / n)}" stop-color="{s}"/>' for i, s in enumerate(stops))
             + "</linearGradient>")
    c.rect(x, y, w, h, fill=f"url(#{gid})")
    c.rect(x, y, w, h, stroke=INK, width=0.6)
    ax = Axes(c, box, (0, 1), (vmin, vmax), name=name)
    ticks = np.asarray(ticks, dtype=float)
    labels = tick_labels(ticks) if labels is None else list(labels)
    ax.yticks(ticks, labels, side="right", size=size, length=3)
    lab_w = max((text_width(t, size) for t in labels), default=0.0)
    offset = 3 + 2.5 + lab_w + 5 + 0.25 * (size + 1)  # baseline of the rotated label (descenders face the bar)
    ax.ylabel(label, offset=offset, side="right", size=size + 1)
    return offset + 0.75 * (size + 1)


def hatch_pattern(c: Canvas, name: str, *, color: str = INK, spacing: float = 5.0, width: float = 0.7) -> str:
    """Define a diagonal hatch pattern; returns its id."""
    pid = c.id(name)
    s = fmt(spacing)
    c.define(f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="{s}" height="{s}" '
             f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="{s}" stroke="{color}" '
             f'stroke-width="{fmt(width)}"/></pattern>')
    return pid


def panel_boxes(x: float, y: float, w: float, h: float, nrows: int, ncols: int, *, hgap: float,
                vgap: float) -> list[tuple[float, float, float, float]]:
    """Boxes of an nrows × ncols grid of equal panels filling (x, y, w, h), row by row."""
    pw = (w - hgap * (ncols - 1)) / ncols
    ph = (h - vgap * (nrows - 1)) / nrows
    return [(x + j * (pw + hgap), y + i * (ph + vgap), pw, ph) for i in range(nrows) for j in range(ncols)]


def max_text_width(texts: Iterable[str], size: float) -> float:
    return max((text_width(t, size) for t in texts), default=0.0)
