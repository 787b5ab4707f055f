"""Figures: every key renders to valid, deterministic SVG whose marks, ticks and rasters match the results.

The SVG is parsed (xml.etree) and checked for content: markers per class equal
the class counts, tick labels are monotone, cover the data and agree with the
marker positions, axis titles carry units, the decision-map PNGs decode (with
the small decoder below) to the predicted class colours, no coordinate is NaN,
ids are unique across a report, text from the data is escaped.
"""

from __future__ import annotations

import re
import struct
import sys
import time
import xml.etree.ElementTree as ET
import zlib
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ssereport import figures as F
from ssereport import svgplot as sp

KEYS = ["scree", "correlation_circle", "pc_scatter", "boxplots", "process_maps_thickness", "process_maps_dot",
        "process_maps_sigma", "dot_mean", "oversampling", "confusion", "decision_maps"]
NS = "{http://www.w3.org/2000/svg}"
LS, XB, SIGMA = "(µL/mg)", "(vol%)", "(S/cm)"
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"


@pytest.fixture(scope="module")
def rendered(reference_results):
    return F.render_figures(reference_results)


@pytest.fixture(scope="module")
def roots(rendered):
    return {k: ET.fromstring(o.svg) for k, o in rendered.items()}


# --------------------------------------------------------------------------- SVG reading helpers

def _by_id(root, ident: str):
    found = [e for e in root.iter() if e.get("id") == ident]
    assert len(found) == 1, f"{len(found)} elements with id {ident!r}"
    return found[0]


def _uses(group) -> np.ndarray:
    """(x, y) of the <use> markers in a group."""
    return np.array([(float(u.get("x")), float(u.get("y"))) for u in group.iter(f"{NS}use")]).reshape(-1, 2)


def _texts(root) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


_SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def _number(label: str) -> float:
    """A tick label back to a number: '−0.5', '8×10⁻⁴'."""
    s = label.replace("−", "-")
    if "×10" in s:
        m, e = s.split("×10")
        return float(m) * 10.0 ** int(e.translate(_SUP))
    return float(s)


def _ticks(root, ident: str, axis: str) -> tuple[np.ndarray, np.ndarray]:
    """Values and px positions (x for an x axis, y of the tick for a y axis) of a group of tick labels."""
    texts = list(_by_id(root, ident).iter(f"{NS}text"))
    values = np.array([_number(t.text) for t in texts])
    if axis == "x":
        pos = np.array([float(t.get("x")) for t in texts])
    else:  # labels are centred on the tick: baseline 0.36 em below it
        pos = np.array([float(t.get("y")) - 0.36 * float(t.get("font-size")) for t in texts])
    return values, pos


def _axis_map(values: np.ndarray, pos: np.ndarray):
    """The linear data -> px map that the tick labels imply (checked to be exactly linear)."""
    slope, icpt = np.polyfit(values, pos, 1)
    assert np.abs(values * slope + icpt - pos).max() < 0.02, "tick labels not evenly placed"
    return lambda v: np.asarray(v, dtype=float) * slope + icpt


def _check_ticks(values: np.ndarray, lo: float, hi: float) -> None:
    """Monotone 1-2-5 steps whose range covers the data range ``[lo, hi]`` to within one step."""
    steps = np.diff(values)
    assert len(values) >= 3 and (steps > 0).all(), values
    assert np.allclose(steps, steps[0], rtol=1e-6)
    mant = steps[0] / 10.0 ** np.floor(np.log10(steps[0]))
    assert min(abs(mant - m) for m in (1, 2, 5, 10)) < 1e-6, steps[0]
    assert values[0] - steps[0] <= lo + 1e-12 and values[-1] + steps[0] >= hi - 1e-12, (values, lo, hi)


def png_decode(uri: str) -> np.ndarray:
    """Decode a data:image/png;base64 URI (8-bit RGBA, filter 0, as svgplot writes) to an (h, w, 4) array."""
    import base64

    assert uri.startswith("data:image/png;base64,")
    data = base64.b64decode(uri.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(tag + body) & 0xFFFFFFFF == crc, tag
        chunks[tag] = chunks.get(tag, b"") + body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, ctype, interlace) == (8, 6, 0)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(h, 1 + 4 * w)
    assert (raw[:, 0] == 0).all()  # no filter
    return raw[:, 1:].reshape(h, w, 4)


def _hex_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _blend(color: str, alpha: float) -> tuple[int, int, int]:
    return tuple(round(alpha * v + (1 - alpha) * 255) for v in _hex_rgb(color))


def _text_boxes(root) -> list[tuple[str, float, float, float, float]]:
    """Estimated boxes (label, x0, y0, x1, y1) of the unrotated or quarter-turned texts of a figure."""
    boxes = []
    for t in root.iter(f"{NS}text"):
        size = float(t.get("font-size", 10))
        w = sp.text_width(t.text or "", size, bold=t.get("font-weight") == "bold")
        x, y = float(t.get("x")), float(t.get("y"))
        anchor = t.get("text-anchor", "start")
        a = {"start": 0.0, "middle": 0.5, "end": 1.0}[anchor]
        rot = t.get("transform")
        if rot is None:
            boxes.append((t.text, x - a * w, y - 0.73 * size, x + (1 - a) * w, y + 0.05 * size))
        elif rot.startswith("rotate(-90 "):  # reads upwards: the glyphs lie left of x
            boxes.append((t.text, x - 0.73 * size, y - (1 - a) * w, x + 0.05 * size, y + a * w))
        elif rot.startswith("rotate(90 "):
            boxes.append((t.text, x - 0.05 * size, y - a * w, x + 0.73 * size, y + (1 - a) * w))
    return boxes


# --------------------------------------------------------------------------- registry and SVG validity

def test_registry_has_every_key():
    assert list(F.FIGURES) == KEYS
    assert all(spec.title for spec in F.FIGURES.values())


def test_every_key_renders_valid_accessible_svg(rendered, roots):
    assert list(rendered) == KEYS
    for key, out in rendered.items():
        assert isinstance(out, F.FigureOutput) and out.key == key
        assert out.svg.startswith("<svg") and "<?xml" not in out.svg and "<!DOCTYPE" not in out.svg
        root = roots[key]
        assert root.tag == f"{NS}svg"
        assert root.get("role") == "img" and root.get("font-family") == FONT
        w, h = float(root.get("width")), float(root.get("height"))
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}" and w > 0 and h > 0
        assert root.find(f"{NS}title").text == F.FIGURES[key].title
        assert root.find(f"{NS}desc").text == out.alt  # the alt text, unescaped by the parser
        assert root.get("aria-labelledby") == f"{key}-title {key}-desc"
        assert out.alt.strip() and out.caption.rstrip().endswith(".")


def test_svg_uses_only_features_resvg_and_browsers_share(rendered):
    for key, out in rendered.items():
        svg = out.svg
        for bad in ("<style", "<script", "foreignObject", "textLength", "class=", "xlink:", "@import",
                    "dominant-baseline", "<marker"):
            assert bad not in svg, (key, bad)
        for ref in re.findall(r'\bhref="([^"]*)"', svg):
            assert ref.startswith("#") or ref.startswith("data:image/png;base64,"), (key, ref[:40])
        for ref in re.findall(r"url\(([^)]*)\)", svg):
            assert ref.startswith(f"#{key}-"), (key, ref)


def test_no_nan_or_inf_anywhere(rendered, roots):
    number = re.compile(r"-?\d+(?:\.\d+)?")
    for key, root in roots.items():
        for e in root.iter():
            for name, value in e.attrib.items():
                if name in ("href", "id", "font-family") or name.endswith("}href"):
                    continue
                assert not re.search(r"nan|inf", value, re.I), (key, e.tag, name, value)
                if name in ("x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy", "r"):
                    assert number.fullmatch(value), (key, name, value)


def test_element_ids_are_unique_across_figures_and_references_resolve(rendered, roots):
    ids = [i for out in rendered.values() for i in re.findall(r'\bid="([^"]+)"', out.svg)]
    assert len(ids) == len(set(ids))
    for key, out in rendered.items():
        own = set(re.findall(r'\bid="([^"]+)"', out.svg))
        assert all(i.startswith(f"{key}-") for i in own), key
        for ref in re.findall(r'(?:href="|url\()#([^")]+)', out.svg):
            assert ref in own, (key, ref)


def test_rendering_is_deterministic(reference_results, rendered):
    again = F.render_figures(reference_results)
    for key in KEYS:
        assert again[key].svg == rendered[key].svg, key
        assert again[key].alt == rendered[key].alt


def test_keys_select_and_order(reference_results):
    out = F.render_figures(reference_results, keys=["confusion", "scree"])
    assert list(out) == ["confusion", "scree"]


def test_unknown_key_is_rejected(reference_results):
    with pytest.raises(ValueError, match=r"unknown figure key\(s\) \['nope'\]; expected any of \['scree'"):
        F.render_figures(reference_results, keys=["scree", "nope"])


def test_total_size_is_small(rendered):
    total = sum(len(out.svg.encode("utf-8")) for out in rendered.values())
    assert total < 400_000, f"{total / 1024:.0f} kB"


def test_text_is_text_with_units_and_unicode(roots):
    texts = {k: _texts(r) for k, r in roots.items()}
    assert "explained variance (%)" in texts["scree"] and "PC1" in texts["scree"]
    for key in ("process_maps_thickness", "process_maps_dot", "process_maps_sigma", "dot_mean", "decision_maps"):
        assert "L:S (µL/mg)" in texts[key] and "X:B (vol%)" in texts[key], key
    assert "σ (S/cm)" in texts["boxplots"] and "RD" in texts["boxplots"]
    assert "σ (S/cm)" in texts["process_maps_sigma"]  # the colour bar
    assert "thickness (µm)" in texts["process_maps_thickness"]
    assert "mean DoT (µm)" in texts["dot_mean"]
    assert "training films (count)" in texts["oversampling"]
    assert "test films (count)" in texts["confusion"]
    assert any("×10⁻⁴" in t for t in texts["boxplots"])  # σ ticks, not 0.0004 or 4e-4
    assert not any("-" in t and re.search(r"-\d", t) for k in texts for t in texts[k]), "ASCII minus in a number"


def test_no_text_overlaps_another(roots):
    for key, root in roots.items():
        boxes = _text_boxes(root)
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                overlap_x = min(a[3], b[3]) - max(a[1], b[1])
                overlap_y = min(a[4], b[4]) - max(a[2], b[2])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (key, a, b)


def test_text_stays_inside_the_figure(roots):
    for key, root in roots.items():
        w, h = float(root.get("width")), float(root.get("height"))
        for label, x0, y0, x1, y1 in _text_boxes(root):
            assert x0 >= -0.5 and y0 >= -0.5 and x1 <= w + 0.5 and y1 <= h + 0.5, (key, label, x0, y0, x1, y1, w, h)


# --------------------------------------------------------------------------- alt text and captions

def _alt_numbers(r) -> dict[str, str]:
    k = r.classifier
    counts = r.clusters.counts
    return {
        "scree": f"PC1 explains {100 * r.pca.explained_variance_ratio[0]:.1f} %",
        "correlation_circle": f"PC1 ({100 * r.pca.explained_variance_ratio[0]:.1f} %)",
        "pc_scatter": f"class 1: {counts[1]}",
        "boxplots": f"class 3: {counts[3]}",
        "process_maps_thickness": f"{np.nanmax(r.maps.values['thickness_um'][0]):.1f} µm",
        "process_maps_dot": (f"P = {r.maps.polymer_levels[0]:g} wt%: {np.nanmin(r.maps.values['dot_um'][0]):.1f} "
                             f"to {np.nanmax(r.maps.values['dot_um'][0]):.1f} µm"),
        "process_maps_sigma": f"{np.nanmax(r.maps.values['conductivity_s_cm'][0]):.2e} S/cm",
        "dot_mean": f"lowest {np.nanmin(r.maps.dot_mean):.1f} µm",
        "oversampling": f"class 2: {k.counts_before[2]}",
        "confusion": f"on {int(k.confusion_matrix.sum())} test films, {int(np.trace(k.confusion_matrix))} correct",
        "decision_maps": "P = 4 wt% (interpolated)",
    }


def test_alt_text_quotes_the_results(reference_results, rendered):
    expected = _alt_numbers(reference_results)
    assert set(expected) == set(KEYS)
    for key, text in expected.items():
        assert text in rendered[key].alt, (key, rendered[key].alt)


def test_scree_alt_text_reads_well(reference_results, rendered):
    evr = reference_results.pca.explained_variance_ratio
    assert rendered["scree"].alt.startswith(f"Scree plot: PC1 explains {100 * evr[0]:.1f} %, PC2 explains")
    assert "90 % threshold" in rendered["scree"].alt


def test_captions_name_units(rendered):
    assert "(S/cm)" in rendered["process_maps_sigma"].caption
    assert "(µm)" in rendered["process_maps_thickness"].caption
    for key in ("process_maps_dot", "dot_mean", "decision_maps"):
        assert LS in rendered[key].caption and XB in rendered[key].caption


# --------------------------------------------------------------------------- content of each figure

def test_pc_scatter_markers_ticks_and_legend(reference_results, roots):
    r, root = reference_results, roots["pc_scatter"]
    scores = r.pca.scores.iloc[:, :2].to_numpy(dtype=float)
    labels = r.clusters.labels.to_numpy()
    xv, xp = _ticks(root, "pc_scatter-scatter-xticks", "x")
    yv, yp = _ticks(root, "pc_scatter-scatter-yticks", "y")
    _check_ticks(xv, scores[:, 0].min(), scores[:, 0].max())
    _check_ticks(yv, scores[:, 1].min(), scores[:, 1].max())
    to_x, to_y = _axis_map(xv, xp), _axis_map(yv, yp)
    for c, color in F.CLASS_COLORS.items():
        g = _by_id(root, f"pc_scatter-class-{c}")
        assert g.get("fill") == color
        pts = _uses(g)
        assert len(pts) == r.clusters.counts[c] == int((labels == c).sum())
        # every marker sits where the tick labels say its scores are
        np.testing.assert_allclose(pts[:, 0], to_x(scores[labels == c, 0]), atol=0.06)  # markers: 0.1 px
        np.testing.assert_allclose(pts[:, 1], to_y(scores[labels == c, 1]), atol=0.06)  # markers: 0.1 px
    cent = _uses(_by_id(root, "pc_scatter-centroids"))
    np.testing.assert_allclose(cent[:, 0], to_x(np.asarray(r.clusters.centroids)[:, 0]), atol=0.06)  # markers: 0.1 px
    texts = _texts(root)
    assert f"Class 1 (high σ, low RD), n = {r.clusters.counts[1]}" in texts and "class centroid" in texts
    evr = r.pca.explained_variance_ratio
    assert f"PC1 ({100 * evr[0]:.1f} % of variance)" in texts and f"PC2 ({100 * evr[1]:.1f} % of variance)" in texts
    assert not any(t.startswith("random sample") for t in texts)


def test_scree_bars_line_and_marks(reference_results, roots):
    p, root = reference_results.pca, roots["scree"]
    yv, yp = _ticks(root, "scree-scree-yticks", "y")
    assert list(yv) == [0, 20, 40, 60, 80, 100]
    to_y = _axis_map(yv, yp)
    bars = _by_id(root, "scree-bars").findall(f"{NS}rect")
    ratio = 100 * np.asarray(p.explained_variance_ratio)
    assert len(bars) == len(ratio)
    tops = np.array([float(b.get("y")) for b in bars])
    np.testing.assert_allclose(tops, to_y(ratio), atol=0.02)
    k = p.n_components_used
    assert [b.get("fill") for b in bars] == ["#0072B2"] * k + ["#A6CEE3"] * (len(ratio) - k)
    cum = _uses(_by_id(root, "scree-cumulative"))
    np.testing.assert_allclose(cum[:, 1], to_y(100 * np.asarray(p.cumulative)), atol=0.06)  # markers: 0.1 px
    texts = _texts(root)
    assert "90 % threshold" in texts and f"{k} PCs used" in texts
    assert [t for t in _texts(_by_id(root, "scree-scree-xticks"))] == [f"PC{i}" for i in range(1, len(ratio) + 1)]


def test_correlation_circle_arrows_and_labels(reference_results, roots):
    root = roots["correlation_circle"]
    load = reference_results.pca.loadings.iloc[:, :2].to_numpy(dtype=float)
    xv, xp = _ticks(root, "correlation_circle-circle-xticks", "x")
    yv, yp = _ticks(root, "correlation_circle-circle-yticks", "y")
    assert list(xv) == list(yv) == [-1, -0.5, 0, 0.5, 1]
    to_x, to_y = _axis_map(xv, xp), _axis_map(yv, yp)
    heads = _by_id(root, "correlation_circle-arrows").findall(f"{NS}polygon")
    assert len(heads) == len(load) == 8
    tips = np.array([[float(v) for v in h.get("points").split()[0].split(",")] for h in heads])
    np.testing.assert_allclose(tips[:, 0], to_x(load[:, 0]), atol=0.02)
    np.testing.assert_allclose(tips[:, 1], to_y(load[:, 1]), atol=0.02)
    assert set(_texts(_by_id(root, "correlation_circle-labels"))) == {"L:S", "X:B", "thickness", "ρ", "Ω", "σ",
                                                                      "DoT", "RD"}
    circle = root.find(f"{NS}circle")
    assert abs(float(circle.get("r")) - (to_x(1) - to_x(0))) < 0.02  # the unit circle, equal axes
    assert abs((to_x(1) - to_x(0)) - (to_y(0) - to_y(1))) < 0.02


def test_boxplots_markers_per_class_and_ticks(reference_results, roots):
    r, root = reference_results, roots["boxplots"]
    data = r.data
    for var in ("conductivity_s_cm", "rd"):
        values = data[var].to_numpy(dtype=float)
        yv, yp = _ticks(root, f"boxplots-box-{var}-yticks", "y")
        _check_ticks(yv, values.min(), values.max())
        to_y = _axis_map(yv, yp)
        for c, color in F.CLASS_COLORS.items():
            g = _by_id(root, f"boxplots-class-{c}-{var}")
            assert g.get("fill") == color
            pts = _uses(g)
            assert len(pts) == r.clusters.counts[c]
            expected = np.sort(to_y(values[data["class"] == c]))
            np.testing.assert_allclose(np.sort(pts[:, 1]), expected, atol=0.06)  # markers: 0.1 px
    assert ["Class 1", "Class 2", "Class 3"] == _texts(_by_id(root, "boxplots-box-rd-xticks"))


@pytest.mark.parametrize(("key", "variable"), [("process_maps_thickness", "thickness_um"),
                                               ("process_maps_dot", "dot_um"),
                                               ("process_maps_sigma", "conductivity_s_cm")])
def test_process_maps_panels_rasters_and_colour_bar(reference_results, roots, key, variable):
    from ssereport.schema import by_name

    m, root = reference_results.maps, roots[key]
    vals = np.asarray(m.values[variable], dtype=float)
    texts = _texts(root)
    for i, p in enumerate(m.polymer_levels):
        assert f"P = {p:g} wt% (n = {m.n_films[i]})" in texts
        panel = _by_id(root, f"{key}-panel-{i + 1}")
        img = png_decode(panel.find(f"{NS}image").get("href"))
        fine = sp.upsample(vals[i], 3)[::-1]
        assert img.shape[:2] == fine.shape == (3 * (len(m.xb) - 1) + 1, 3 * (len(m.ls) - 1) + 1)
        np.testing.assert_array_equal(img[..., 3] == 0, ~np.isfinite(fine))  # no value: transparent
        assert "pixelated" not in (panel.find(f"{NS}image").get("style") or "")
        # viridis: the panel's largest value is lighter (more yellow) than its smallest
        z = vals[i]
        if np.isfinite(z).any():
            hi = np.unravel_index(np.nanargmax(fine), fine.shape)
            lo = np.unravel_index(np.nanargmin(fine), fine.shape)
            assert img[hi][1] > img[lo][1]
        conds = reference_results.data[reference_results.data["polymer_wt_pct"] == p][
            ["ls_ratio", "xylene_vol_pct"]].drop_duplicates()
        assert len(_uses(_by_id(root, f"{key}-conditions-{i + 1}"))) == len(conds)
    # the colour bar's ticks lie within the data range, which the gradient spans
    cv, _ = _ticks(root, f"{key}-cbar-yticks", "y")
    finite = vals[np.isfinite(vals)]
    assert finite.min() - 1e-12 <= cv[0] and cv[-1] <= finite.max() + 1e-12 and (np.diff(cv) > 0).all()
    assert by_name(variable).axis_label in texts
    stops = [s.get("stop-color") for s in root.iter(f"{NS}stop")]
    assert stops[0] == "#440154" and stops[-1] == "#fde725"
    # the global extremes of the raster are the two ends of the colour scale
    imgs = [png_decode(_by_id(root, f"{key}-panel-{i + 1}").find(f"{NS}image").get("href"))
            for i in range(len(m.polymer_levels))]
    i_max = int(np.nanargmax([np.nanmax(v) if np.isfinite(v).any() else -np.inf for v in vals]))
    top = imgs[i_max][np.unravel_index(np.nanargmax(sp.upsample(vals[i_max], 3)[::-1]), imgs[i_max].shape[:2])]
    assert tuple(top[:3]) == _hex_rgb("#fde725")


def test_process_maps_unknown_variable(reference_results):
    with pytest.raises(ValueError, match="no process map for 'rd'"):
        F.plot_process_maps(reference_results, "rd")


def test_decision_map_rasters_decode_to_the_predicted_classes(reference_results, roots):
    d, root = reference_results.decision_map, roots["decision_maps"]
    colors = {c: _blend(col, F.SHADE_ALPHA) for c, col in F.CLASS_COLORS.items()}
    for i, (p, obs) in enumerate(zip(d.polymer_levels, d.observed)):
        panel = _by_id(root, f"decision_maps-panel-{i + 1}")
        image = panel.find(f"{NS}image")
        assert "image-rendering:pixelated" in image.get("style")
        img = png_decode(image.get("href"))
        pred = np.asarray(d.predicted[i])
        assert img.shape == (len(d.xb), len(d.ls), 4)
        for row in range(len(d.xb)):  # the top image row is the largest X:B
            for col in range(len(d.ls)):
                assert tuple(img[row, col, :3]) == colors[int(pred[len(d.xb) - 1 - row, col])]
        assert (img[..., 3] == 255).all()
        films = reference_results.data[np.isclose(reference_results.data["polymer_wt_pct"], p)]
        shown = 0
        for c, color in F.CLASS_COLORS.items():
            groups = [g for g in panel.iter(f"{NS}g") if g.get("id") == f"decision_maps-class-{c}-level-{i + 1}"]
            if groups:
                assert obs and groups[0].get("fill") == color and groups[0].get("stroke") == "#333333"
                assert len(_uses(groups[0])) == int((films["class"] == c).sum())
                shown += len(_uses(groups[0]))
        assert shown == (len(films) if obs else 0)
        assert any(t == f"P = {p:g} wt% ({'observed' if obs else 'interpolated'})" for t in _texts(panel))
        has_boundary = len(np.unique(pred)) > 1
        assert (panel.find(f"{NS}path[@stroke='#333333'][@stroke-linecap='round']") is not None) == has_boundary


def test_oversampling_bars(reference_results, roots):
    k, root = reference_results.classifier, roots["oversampling"]
    yv, yp = _ticks(root, "oversampling-bars-yticks", "y")
    to_y = _axis_map(yv, yp)
    for group, counts in (("before", k.counts_before), ("after", k.counts_after)):
        rects = [e for e in _by_id(root, f"oversampling-{group}").findall(f"{NS}rect")
                 if e.get("fill", "").startswith("#")]
        assert [r.get("fill") for r in rects] == [F.CLASS_COLORS[c] for c in k.labels]
        np.testing.assert_allclose([float(r.get("y")) for r in rects], to_y([counts[c] for c in k.labels]), atol=0.02)
    assert "before oversampling" in _texts(root) and "after oversampling" in _texts(root)


def test_confusion_cells(reference_results, roots):
    k, root = reference_results.classifier, roots["confusion"]
    cm = np.asarray(k.confusion_matrix)
    assert _texts(_by_id(root, "confusion-counts")) == [str(v) for v in cm.ravel()]
    fills = [e.get("fill") for e in _by_id(root, "confusion-cells").findall(f"{NS}rect") if e.get("fill") != "none"]
    darkness = [sum(_hex_rgb(f)) for f in fills]  # Blues: more films, darker cell
    order = np.argsort(cm.ravel(), kind="stable")
    assert all(darkness[a] >= darkness[b] for a, b in zip(order, order[1:]))
    texts = _texts(root)
    assert "predicted class" in texts and "actual class" in texts and f"test films: n = {int(cm.sum())}" in texts


def test_plot_functions_return_a_canvas_that_notebooks_display(reference_results):
    c = F.plot_scree(reference_results)
    assert isinstance(c, sp.Canvas)
    svg = c._repr_svg_()
    assert ET.fromstring(svg).tag == f"{NS}svg" and 'id="scree-bars"' in svg
    assert 'id="mine-bars"' in F.plot_scree(reference_results, key="mine").to_svg()


# --------------------------------------------------------------------------- large data

def _fake_results(n: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    scores = pd.DataFrame(rng.normal(size=(n, 3)), columns=["PC1", "PC2", "PC3"])
    labels = pd.Series(rng.integers(1, 4, n), name="class")
    return SimpleNamespace(
        pca=SimpleNamespace(scores=scores, explained_variance_ratio=np.array([0.5, 0.3, 0.2])),
        clusters=SimpleNamespace(labels=labels, centroids=np.zeros((3, 3))),
        config=SimpleNamespace(seed=42),
    ), scores, labels


def test_pc_scatter_samples_large_tables():
    r, scores, labels = _fake_results(6000)
    svg = F.plot_pc_scatter(r).to_svg()
    root = ET.fromstring(svg)
    shown = {c: _uses(_by_id(root, f"pc_scatter-class-{c}")) for c in (1, 2, 3)}
    assert sum(len(v) for v in shown.values()) == F.MAX_POINTS
    assert "random sample of 5000 of 6000 films shown" in _texts(root)
    assert F.plot_pc_scatter(r).to_svg() == svg  # the sample is seeded
    # the sample is of films, each drawn in its own class
    keep = np.sort(np.random.default_rng(42).choice(6000, size=5000, replace=False))
    for c in (1, 2, 3):
        assert len(shown[c]) == int((labels.to_numpy()[keep] == c).sum())
    assert len(svg) < 400_000


def _big_results(reference_results, n: int = 6000, seed: int = 5):
    """The reference results with ``n`` films of scattered conditions (for the sampling of overlays)."""
    r = reference_results
    rng = np.random.default_rng(seed)
    levels = np.asarray(r.maps.polymer_levels)
    data = pd.DataFrame({
        "polymer_wt_pct": rng.choice(levels, n),
        "ls_ratio": rng.uniform(r.maps.ls[0], r.maps.ls[-1], n),
        "xylene_vol_pct": rng.uniform(r.maps.xb[0], r.maps.xb[-1], n),
        "conductivity_s_cm": rng.uniform(1e-4, 9e-4, n),
        "rd": rng.uniform(0.01, 0.3, n),
        "class": rng.integers(1, 4, n),
    })
    return SimpleNamespace(data=data, maps=r.maps, decision_map=r.decision_map, config=r.config,
                           class_summary=r.class_summary)


def test_large_tables_sample_the_overlays_and_say_so(reference_results):
    big = _big_results(reference_results)
    root = ET.fromstring(F.plot_process_maps(big, "dot_um").to_svg())
    for i in range(len(big.maps.polymer_levels)):
        assert len(_uses(_by_id(root, f"process_maps_dot_um-conditions-{i + 1}"))) == F.MAX_OVERLAY
    assert f"dots: film conditions, a random sample of at most {F.MAX_OVERLAY} per panel" in _texts(root)
    root = ET.fromstring(F.plot_boxplots(big).to_svg())
    assert f"points: random sample of {F.MAX_JITTER} of 6000 films" in _texts(root)
    assert sum(len(_uses(_by_id(root, f"boxplots-class-{c}-rd"))) for c in (1, 2, 3)) == F.MAX_JITTER
    # the boxes use every film: the median line of class 1 sits at the median of all its films
    yv, yp = _ticks(root, "boxplots-box-rd-yticks", "y")
    med = np.median(big.data.loc[big.data["class"] == 1, "rd"])
    lines = [float(e.get("y1")) for e in root.iter(f"{NS}line") if e.get("stroke-width") == "1.6"]
    assert min(abs(y - _axis_map(yv, yp)(med)) for y in lines) < 0.02
    svg = F.plot_decision_maps(big).to_svg()
    root = ET.fromstring(svg)
    assert any(f"(a random sample of at most {F.MAX_OVERLAY} per panel)" in t for t in _texts(root))
    shown = [sum(len(_uses(g)) for g in _by_id(root, f"decision_maps-panel-{i + 1}").iter(f"{NS}g")
                 if re.fullmatch(rf"decision_maps-class-\d-level-{i + 1}", g.get("id", "")))
             for i in range(len(big.decision_map.polymer_levels))]
    assert shown == [F.MAX_OVERLAY if obs else 0 for obs in big.decision_map.observed]
    assert len(svg) < 250_000


def test_batch_pc_map(reference_results):
    r = reference_results
    new = r.table.data.iloc[:5]
    scores = r.pca.transform(new)
    classes = r.clusters.predict(scores)
    root = ET.fromstring(F.plot_batch_pc_map(r, scores, classes).to_svg())
    shown = 0
    for c in set(classes.tolist()):
        g = _by_id(root, f"batch_pc_map-batch-class-{c}")
        assert g.get("fill") == F.CLASS_COLORS[c]
        shown += len(_uses(g))
    assert shown == 5
    assert any(t.startswith("PC1 (") for t in _texts(root)) and any(t.startswith("PC2 (") for t in _texts(root))
    with pytest.raises(ValueError, match="batch_scores must be"):
        F.plot_batch_pc_map(r, scores[:, :1], classes)


# --------------------------------------------------------------------------- batch figures

@pytest.fixture(scope="module")
def batch(reference_results):
    from ssereport import load_films
    from ssereport.batch import judge_batch
    from ssereport.model import fit_model

    from .conftest import ROOT

    model = fit_model(reference_results)
    path = ROOT / "data" / "batches" / "batch_2026-03-16_C.csv"
    return model, judge_batch(model, load_films(path))


def test_batch_figures_draw_every_film(batch):
    from ssereport.figures_batch import render_batch_figures

    model, result = batch
    figs = render_batch_figures(model, result)
    assert list(figs) == ["pc_map", "decision_maps", "class1"]
    f = result.films
    for key, out in figs.items():
        root = ET.fromstring(out.svg)
        assert root.find(f"{NS}desc").text == out.alt
        ids = re.findall(r'\bid="([^"]+)"', out.svg)
        assert len(ids) == len(set(ids)) and all(i.startswith(f"{key}-") for i in ids)
        n = sum(len(_uses(g)) for g in root.iter(f"{NS}g")
                if re.search(r"class-\d-(pass|fail)$", g.get("id", "")) and not g.get("id").startswith("class1-rd"))
        assert n == len(f), key  # every film once (the class-1 figure: once per panel, σ counted here)
    root = ET.fromstring(figs["pc_map"].svg)
    assert len(_by_id(root, "pc_map-regions").findall(f"{NS}polygon")) == 3
    fails = int((~f["pass"]).sum())
    assert sum(len(_uses(g)) for g in root.iter(f"{NS}g") if g.get("id", "").endswith("-fail")) == fails
    # the decision raster is the model's prediction at this P%
    root = ET.fromstring(figs["decision_maps"].svg)
    img = png_decode(root.find(f".//{NS}image").get("href"))
    from ssereport.figures_batch import GRID

    (l0, l1), (b0, b1) = model.ranges["ls_ratio"], model.ranges["xylene_vol_pct"]
    gx, gy = np.meshgrid(np.linspace(l0, l1, GRID), np.linspace(b0, b1, GRID))
    p = float(f["polymer_wt_pct"].iloc[0])
    pred = model.predict(pd.DataFrame({"polymer_wt_pct": p, "ls_ratio": gx.ravel(),
                                       "xylene_vol_pct": gy.ravel()}))[0].reshape(gx.shape)
    expected = {c: _blend(col, 0.40) for c, col in F.CLASS_COLORS.items()}
    got = img[::-1, :, :3]
    for c, rgb in expected.items():
        assert ((got == rgb).all(axis=-1) == (pred == c)).all()


def test_control_chart_escapes_batch_names_and_marks_violations(batch):
    from ssereport.analysis.control import imr_chart
    from ssereport.figures_batch import render_control_figures

    model, result = batch
    values = result.films["rd"].to_numpy(dtype=float)
    chart = imr_chart("rd", values, [str(i) for i in range(len(values))], center=model.class1["rd"]["mean"],
                      sigma=model.class1["rd"]["sd"])
    evil = "<script>alert('x')</script> & \x01 co"
    out = render_control_figures({"rd": chart}, [0, 4], ["B-1", evil])["imr_rd"]
    root = ET.fromstring(out.svg)  # parses: the name is escaped, the control character replaced
    assert "<script>" not in out.svg and "&lt;script&gt;" in out.svg
    assert any(t.startswith("<script>alert") for t in _texts(root))
    viol = _uses(_by_id(root, "imr_rd-violations"))
    assert len(viol) == len(chart.violations) > 0
    assert len(_uses(_by_id(root, "imr_rd-in-control"))) == len(values) - len(chart.violations)
    labels = _texts(_by_id(root, "imr_rd-individuals-yticks"))
    _check_ticks(np.array([_number(t) for t in labels]), min(values.min(), chart.lcl), max(values.max(), chart.ucl))


def test_batch_figures_are_fast_and_matplotlib_free(batch):
    import subprocess

    from .conftest import REFERENCE_CSV

    model, result = batch
    from ssereport.figures_batch import render_batch_figures

    render_batch_figures(model, result)
    t0 = time.perf_counter()
    render_batch_figures(model, result)
    assert time.perf_counter() - t0 < 0.3  # budget 0.03 s; generous for a loaded test machine
    code = ("import sys, ssereport as s, ssereport.figures as F, ssereport.figures_batch as B; "
            f"r = s.analyze(s.load_films({str(REFERENCE_CSV)!r}), s.Config(n_bootstrap=0, cv_repeats=1)); "
            "F.render_figures(r); print('matplotlib' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "False", proc.stderr


def test_study_figures_are_fast(reference_results):
    F.render_figures(reference_results)
    t0 = time.perf_counter()
    F.render_figures(reference_results)
    assert time.perf_counter() - t0 < 1.0  # budget 0.15 s; generous for a loaded test machine


# --------------------------------------------------------------------------- svgplot

def test_nice_ticks_are_1_2_5_steps_covering_the_range():
    for lo, hi in [(0.6, 1.4), (0, 0.27), (1.2e-4, 8.7e-4), (-2.3, 7.1), (13, 17), (0, 108), (-1, 1)]:
        t = sp.nice_ticks(lo, hi)
        _check_ticks(t, lo, hi)
        assert t[0] >= lo - 1e-12 and t[-1] <= hi + 1e-12
    lo, hi, t = sp.nice_limits(0.13, 0.87)
    assert (lo, hi) == (0.0, 1.0) and t[0] == lo and t[-1] == hi


def test_tick_labels():
    assert sp.tick_labels([0, 0.5, 1.0]) == ["0.0", "0.5", "1.0"]
    assert sp.tick_labels([-1, 0, 1]) == ["−1", "0", "1"]
    assert sp.tick_labels([2e-4, 4e-4, 6e-4]) == ["2×10⁻⁴", "4×10⁻⁴", "6×10⁻⁴"]
    assert sp.tick_labels([0, 5e-4, 10e-4]) == ["0", "5×10⁻⁴", "10×10⁻⁴"]
    assert sp.tick_labels([0, 0.05, 0.1]) == ["0.00", "0.05", "0.10"]
    assert sp.tick_labels([1e5, 2e5]) == ["1×10⁵", "2×10⁵"]


def test_png_round_trip():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(7, 13, 4), dtype=np.uint8)
    import base64

    uri = "data:image/png;base64," + base64.b64encode(sp.png_rgba(img)).decode()
    np.testing.assert_array_equal(png_decode(uri), img)
    with pytest.raises(ValueError, match=r"needs an \(h, w, 4\) array; got shape \(3, 3\)"):
        sp.png_rgba(np.zeros((3, 3), dtype=np.uint8))


def test_contour_segments_of_a_plane():
    xs, ys = np.linspace(0, 1, 11), np.linspace(0, 2, 5)
    z = np.tile(xs, (len(ys), 1))  # z = x
    segs = sp.contour_segments(z, xs, ys, 0.35)
    assert len(segs) == len(ys) - 1
    np.testing.assert_allclose(segs[..., 0], 0.35)
    assert sorted(segs[:, :, 1].ravel().tolist()) == sorted([0.0, 0.5, 0.5, 1.0, 1.0, 1.5, 1.5, 2.0])
    z[2, 3] = np.nan  # the two cells of the 0.35 crossing that touch this NaN are skipped
    kept = sp.contour_segments(z, xs, ys, 0.35)
    assert sorted(kept[:, :, 1].ravel().tolist()) == [0.0, 0.5, 1.5, 2.0]
    lines = sp.join_segments(segs)
    assert len(lines) == 1 and lines[0][:, 1].tolist() in ([0, 0.5, 1, 1.5, 2], [2, 1.5, 1, 0.5, 0])
    assert len(sp.contour_segments(z, xs, ys, 5.0)) == 0


def test_colour_helpers():
    assert sp.shade("#009E73", 0.35) == "#a6ddce"  # 0.35 · (0, 158, 115) + 0.65 · 255
    assert _hex_rgb(sp.shade("#009E73", 0.35)) == _blend("#009E73", 0.35)
    rgba = sp.colormap(np.array([[0.0, 1.0, np.nan]]), 0.0, 1.0)
    assert tuple(rgba[0, 0]) == (*_hex_rgb("#440154"), 255) and tuple(rgba[0, 1]) == (*_hex_rgb("#fde725"), 255)
    assert rgba[0, 2, 3] == 0


def test_svg_text_is_escaped_and_coordinates_must_be_finite():
    c = sp.Canvas(100, 50, key="t")
    c.text(10, 10, 'a <b> & "c" \x00 ß')
    root = ET.fromstring(c.to_svg(title="<t>", desc="d & e"))
    assert _texts(root) == ['a <b> & "c" \ufffd ß']
    assert root.find(f"{NS}title").text == "<t>" and root.find(f"{NS}desc").text == "d & e"
    with pytest.raises(ValueError, match="SVG coordinate must be finite; got nan"):
        c.line(0, float("nan"), 1, 1)
    with pytest.raises(ValueError, match="duplicate SVG id 't-x'"):
        c.id("x"), c.id("x")
    with pytest.raises(ValueError, match=r"figure key must be a letter .*; got 'a\"b'"):
        sp.Canvas(10, 10, key='a"b')


def test_text_width_uses_dejavu_advances():
    assert sp.text_width("0", 10) == pytest.approx(6.36)
    assert sp.text_width("iii", 10) < sp.text_width("WWW", 10)
    assert sp.text_width("σ (S/cm)", 11) > sp.text_width("σ", 11)
    assert sp.text_width("bold", 10, bold=True) > sp.text_width("bold", 10)
