"""The theme is the one home of every colour: figures, CSS and Typst read it, nothing else holds a colour."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

from ssereport import theme

PKG = Path(theme.__file__).resolve().parent
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(")


def _package_text_files():
    for p in sorted(PKG.rglob("*")):
        if p.is_file() and p.suffix in {".py", ".css", ".typ", ".j2", ".qmd", ".mplstyle", ".toml", ".json"}:
            yield p


def test_no_colour_literal_outside_the_theme():
    found = []
    for p in _package_text_files():
        if p == PKG / "theme.py":
            continue
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            # Jinja comments and Typst/Python headings like '#let' or '# ---' are not colours
            if COLOUR.search(line):
                found.append(f"{p.relative_to(PKG)}:{i}: {line.strip()}")
    assert not found, "\n".join(found)


def test_colours_are_valid_hex_and_classes_come_from_them():
    for k, v in theme.COLORS.items():
        assert re.fullmatch(r"#[0-9A-F]{6}", v), (k, v)
        assert matplotlib.colors.is_color_like(v)
    assert theme.CLASS_COLORS == {1: theme.COLORS["c1"], 2: theme.COLORS["c2"], 3: theme.COLORS["c3"]}
    assert set(theme.CLASS_LABELS) == set(theme.CLASS_COLORS)


def test_css_variables_define_every_variable_the_stylesheets_use():
    css = theme.css_variables()
    defined = set(re.findall(r"--([\w-]+):", css))
    assert defined >= set(theme.COLORS)
    for k, v in theme.COLORS.items():
        assert f"--{k}: {v};" in css
    for sheet in ("style.css", "print.css", "batch/batch.css", "batch/batch-print.css"):
        used = set(re.findall(r"var\(--([\w-]+)", (PKG / "templates" / sheet).read_text(encoding="utf-8")))
        assert used <= defined, (sheet, used - defined)


def test_typst_variables_define_every_colour_the_templates_use():
    typ = theme.typst_variables()
    for k, v in theme.COLORS.items():
        assert f'#let {k} = rgb("{v}")' in typ
    names = set(theme.COLORS)
    for t in ("_common.typ", "batch.typ", "report.typ"):
        text = (PKG / "templates" / t).read_text(encoding="utf-8")
        for m in re.findall(r"(?:fill|stroke|paint): ([a-z][\w-]*)", text):
            if m not in {"if", "none", "auto", "white", "black", "luma", "rgb", "cmyk", "oklab", "gradient", "tiling"}:
                assert m in names or f"#let {m} " in text or f"let {m} " in text, (t, m)


def test_html_carries_the_theme(reference_results):
    from ssereport.report.render import render_html

    html = render_html(reference_results, figures={})
    assert theme.css_variables().strip() in html
    assert re.search(r"var\(--ink\)", html) and "#1A1A1A" in html


def test_style_is_a_matplotlib_style_with_the_pdf_font():
    st = theme.style()
    with matplotlib.rc_context(st):
        assert matplotlib.rcParams["svg.fonttype"] == "none"
        assert matplotlib.rcParams["font.sans-serif"][0] == theme.FONT
        assert matplotlib.rcParams["svg.hashsalt"]
    files = theme.register_fonts()
    assert {Path(f).name for f in files} >= {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"}
    from matplotlib import font_manager

    with matplotlib.rc_context(st):
        found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert Path(found).name == "DejaVuSans.ttf"


@pytest.mark.parametrize("bad", ["#fff", "#1a1a1a", "rgb(0, 0, 0)"])
def test_the_colour_check_would_catch_a_literal(bad):
    assert COLOUR.search(f"color: {bad};")


def _luminance(colour) -> float:
    """WCAG 2 relative luminance of a colour (sRGB)."""
    import numpy as np

    c = np.asarray(matplotlib.colors.to_rgb(colour))
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def test_class_colours_are_okabe_ito_with_three_distinct_hues():
    # review finding 8: classes 2 and 3 were both orange (#E69F00, #D55E00)
    import colorsys
    import itertools

    assert theme.CLASS_COLORS == {1: "#009E73", 2: "#0072B2", 3: "#D55E00"}
    hues = {k: colorsys.rgb_to_hsv(*matplotlib.colors.to_rgb(c))[0] for k, c in theme.CLASS_COLORS.items()}
    for a, b in itertools.combinations(hues, 2):
        d = abs(hues[a] - hues[b])
        assert min(d, 1 - d) > 0.08, (a, b)  # the old 2/3 pair: 0.04
    # data without a class is not drawn in a class colour
    assert theme.COLORS["neutral"] not in theme.CLASS_COLORS.values()


def test_markers_stand_out_on_the_shading_of_their_own_class():
    # decision maps shade each class with a light tint of its colour and draw the films in the full colour
    import numpy as np

    from ssereport.plots import batch as pb
    from ssereport.plots import study as ps

    for alpha in (ps.SHADE_ALPHA, pb._MAP_ALPHA, pb._SHADE_ALPHA):
        for k, c in theme.CLASS_COLORS.items():
            tint = alpha * np.asarray(matplotlib.colors.to_rgb(c)) + (1 - alpha)  # over the white paper
            hi, lo = sorted((_luminance(c), _luminance(tint)), reverse=True)
            assert (hi + 0.05) / (lo + 0.05) >= 2.0, (k, alpha)  # the old class 2 (#E69F00): 1.7


def test_figure_text_is_readable_at_pdf_and_html_size():
    # review finding 5: ticks were 7.5 pt (10 px in the HTML); the PDF body is 9.5 pt
    s = theme.SIZES
    assert 8.0 <= s["tick"] <= 9.0 and 8.5 <= s["label"] <= 10.0 and s["legend"] >= 8.0 and s["note"] >= 8.0
    st = theme.style()
    assert st["xtick.labelsize"] == st["ytick.labelsize"] == s["tick"] and st["axes.labelsize"] == s["label"]
