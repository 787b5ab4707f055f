"""Figures: every key renders to valid, deterministic inline SVG with units, alt text and class colours."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ssereport import figures as F

KEYS = ["scree", "correlation_circle", "pc_scatter", "boxplots", "process_maps_thickness", "process_maps_dot",
        "process_maps_sigma", "dot_mean", "oversampling", "confusion", "decision_maps"]

LS, XB, SIGMA = "(µL/mg)", "(vol%)", "(S/cm)"


@pytest.fixture(scope="module")
def rendered(reference_results):
    return F.render_figures(reference_results)


def _rgb(color) -> tuple[float, ...]:
    from matplotlib.colors import to_rgb

    return tuple(round(v, 6) for v in to_rgb(color))


def _collection(ax, gid):
    found = [c for c in ax.collections if c.get_gid() == gid or (c.get_gid() or "").startswith(gid + "-")]
    assert found, f"no collection with gid {gid!r} in {ax}"
    return found[0]


# --------------------------------------------------------------------------- registry and SVG

def test_registry_has_every_key():
    assert list(F.FIGURES) == KEYS


def test_every_key_renders_valid_svg(rendered):
    assert list(rendered) == KEYS
    for key, out in rendered.items():
        assert isinstance(out, F.FigureOutput)
        assert out.key == key
        assert out.svg.startswith("<svg"), key
        assert "<?xml" not in out.svg and "<!DOCTYPE" not in out.svg
        root = ET.fromstring(out.svg)
        assert root.tag.endswith("svg")
        assert out.alt.strip() and out.caption.strip()
        assert out.caption.rstrip().endswith(".")


def test_svg_text_is_text_in_dejavu_sans(rendered):
    # svg.fonttype "none": WeasyPrint renders and embeds the text with DejaVu Sans
    svg = rendered["scree"].svg
    assert "<text" in svg
    assert "font-family: 'DejaVu Sans', sans-serif" in svg
    assert "PC1" in svg


def test_element_ids_are_unique_across_figures(rendered):
    # the report inlines every SVG in one HTML page
    ids = [i for out in rendered.values() for i in re.findall(r'\bid="([^"]+)"', out.svg)]
    assert len(ids) == len(set(ids))
    for key, out in rendered.items():
        for ref in re.findall(r'(?:href="|url\()#([^")]+)', out.svg):
            assert ref.startswith(f"{key}-"), (key, ref)


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
    assert total < 600_000, f"{total / 1024:.0f} kB"


def test_figures_do_not_import_pyplot():
    # in a fresh interpreter: other tests (seaborn via scikit-posthocs) import pyplot in this one
    import subprocess

    from .conftest import REFERENCE_CSV

    code = ("import sys, ssereport as s, ssereport.figures as F; "
            f"r = s.analyze(s.load_films({str(REFERENCE_CSV)!r}), s.Config(n_bootstrap=0, cv_repeats=1)); "
            "F.render_figures(r, keys=['scree', 'pc_scatter']); print('matplotlib.pyplot' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "False", proc.stderr


def test_no_figures_left_open_and_rc_restored(reference_results, rendered):
    import matplotlib
    import matplotlib.pyplot as plt

    before = matplotlib.rcParams["svg.hashsalt"], matplotlib.rcParams["font.size"]
    F.render_figures(reference_results, keys=["scree"])
    F.plot_scree(reference_results)
    assert plt.get_fignums() == []
    assert (matplotlib.rcParams["svg.hashsalt"], matplotlib.rcParams["font.size"]) == before


# --------------------------------------------------------------------------- alt text

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
        assert re.search(r"\d", rendered[key].alt)


def test_scree_alt_text_reads_well(reference_results, rendered):
    evr = reference_results.pca.explained_variance_ratio
    assert rendered["scree"].alt.startswith(f"Scree plot: PC1 explains {100 * evr[0]:.1f} %, PC2 explains")
    assert "90 % threshold" in rendered["scree"].alt


def test_captions_name_units(rendered):
    assert "(S/cm)" in rendered["process_maps_sigma"].caption
    assert "(µm)" in rendered["process_maps_thickness"].caption
    for key in ("process_maps_dot", "dot_mean", "decision_maps"):
        assert LS in rendered[key].caption and XB in rendered[key].caption


# --------------------------------------------------------------------------- axes, units, colours

def test_pca_axes_labels(reference_results):
    evr = reference_results.pca.explained_variance_ratio
    for plot in (F.plot_correlation_circle, F.plot_pc_scatter):
        ax = plot(reference_results)
        assert ax.get_xlabel() == f"PC1 ({100 * evr[0]:.1f} % of variance)"
        assert ax.get_ylabel() == f"PC2 ({100 * evr[1]:.1f} % of variance)"
    ax = F.plot_scree(reference_results)
    assert ax.get_ylabel() == "explained variance (%)"
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["PC1", "PC2"]


def test_correlation_circle_has_a_labelled_arrow_per_feature(reference_results):
    ax = F.plot_correlation_circle(reference_results)
    texts = {t.get_text() for t in ax.texts}
    assert {"L:S", "X:B", "thickness", "ρ", "Ω", "σ", "DoT", "RD"} <= texts
    assert len(ax.patches) >= 1  # the unit circle
    assert sum(1 for a in ax.texts if type(a).__name__ == "Annotation") == 8


def test_scree_marks_threshold_and_components_used(reference_results):
    ax = F.plot_scree(reference_results)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "90 % threshold" in texts
    assert f"{reference_results.pca.n_components_used} PCs used" in texts


def test_boxplots_units_and_colours(reference_results):
    fig = F.plot_boxplots(reference_results)
    ax_sigma, ax_rd = fig.axes[:2]
    assert ax_sigma.get_ylabel() == "σ (S/cm)" and SIGMA in ax_sigma.get_ylabel()
    assert ax_rd.get_ylabel() == "RD"
    for c, color in F.CLASS_COLORS.items():
        coll = _collection(ax_sigma, f"class-{c}")
        assert _rgb(coll.get_facecolors()[0]) == _rgb(color)
        assert len(coll.get_offsets()) == reference_results.clusters.counts[c]


@pytest.mark.parametrize("variable", ["thickness_um", "dot_um", "conductivity_s_cm"])
def test_process_maps_units(reference_results, variable):
    from ssereport.schema import by_name

    fig = F.plot_process_maps(reference_results, variable)
    levels = reference_results.maps.polymer_levels
    panels = [ax for ax in fig.axes if ax.get_title().startswith("P = ")]
    assert len(panels) == len(levels)
    assert any(ax.get_xlabel() == "L:S (µL/mg)" for ax in panels)
    assert any(ax.get_ylabel() == "X:B (vol%)" for ax in panels)
    assert all(LS in ax.get_xlabel() for ax in panels if ax.get_xlabel())
    colorbars = [ax for ax in fig.axes if ax not in panels]
    assert len(colorbars) == 1
    assert colorbars[0].get_ylabel() == by_name(variable).axis_label
    assert panels[0].get_title() == f"P = {levels[0]:g} wt% (n = {reference_results.maps.n_films[0]})"


def test_process_maps_unknown_variable(reference_results):
    with pytest.raises(ValueError, match="no process map for 'rd'"):
        F.plot_process_maps(reference_results, "rd")


def test_dot_mean_units(reference_results):
    ax = F.plot_dot_mean(reference_results)
    assert ax.get_xlabel() == "L:S (µL/mg)" and ax.get_ylabel() == "X:B (vol%)"
    assert any("DoT (µm)" in a.get_ylabel() for a in ax.figure.axes if a is not ax)


def test_pc_scatter_class_colours(reference_results):
    ax = F.plot_pc_scatter(reference_results)
    for c, color in F.CLASS_COLORS.items():
        coll = _collection(ax, f"class-{c}")
        assert _rgb(coll.get_facecolors()[0]) == _rgb(color)
        assert coll.get_label().startswith(F.CLASS_LABELS[c])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == f"Class 1 (high σ, low RD), n = {reference_results.clusters.counts[1]}"
    assert "class centroid" in labels


def test_class_colours_in_every_class_figure(rendered):
    for key in ("pc_scatter", "boxplots", "oversampling", "decision_maps"):
        svg = rendered[key].svg.lower()
        for color in F.CLASS_COLORS.values():
            assert color.lower() in svg, (key, color)


def test_oversampling_and_confusion(reference_results):
    k = reference_results.classifier
    ax = F.plot_oversampling(reference_results)
    heights = [p.get_height() for p in ax.patches]
    assert heights == [float(k.counts_before[c]) for c in k.labels] + [float(k.counts_after[c]) for c in k.labels]
    assert [_rgb(p.get_facecolor()) for p in ax.patches[3:]] == [_rgb(F.CLASS_COLORS[c]) for c in k.labels]
    assert ax.get_ylabel() == "training films (count)"

    ax = F.plot_confusion(reference_results)
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "actual class"
    cells = [t.get_text() for t in ax.texts]
    assert cells == [str(v) for v in np.asarray(k.confusion_matrix).ravel()]


def test_decision_maps(reference_results):
    d = reference_results.decision_map
    fig = F.plot_decision_maps(reference_results)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(d.polymer_levels)
    titles = [ax.get_title() for ax in panels]
    assert "P = 3 wt% (observed)" in titles
    assert "P = 4 wt% (interpolated)" in titles
    assert sum(t.endswith("(interpolated)") for t in titles) == d.observed.count(False)
    assert any(ax.get_xlabel() == "L:S (µL/mg)" for ax in panels)
    assert any(ax.get_ylabel() == "X:B (vol%)" for ax in panels)
    mesh = panels[0].collections[0]
    assert [_rgb(c) for c in mesh.get_cmap().colors] == [_rgb(F.CLASS_COLORS[c]) for c in (1, 2, 3)]
    # films of the observed level only, in their class colour with a dark edge
    first = panels[0]
    films = reference_results.data[reference_results.data["polymer_wt_pct"] == d.polymer_levels[0]]
    n = 0
    for c, color in F.CLASS_COLORS.items():
        coll = [x for x in first.collections if (x.get_gid() or "").startswith(f"class-{c}-")]
        if coll:
            assert _rgb(coll[0].get_facecolors()[0]) == _rgb(color)
            assert _rgb(coll[0].get_edgecolors()[0]) == _rgb("#333333")
            n += len(coll[0].get_offsets())
    assert n == len(films)
    interpolated = panels[d.observed.index(False)]
    assert not [x for x in interpolated.collections if (x.get_gid() or "").startswith("class-")]


def test_plot_into_given_axes(reference_results):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3))
    ax1, ax2 = fig.subplots(1, 2)
    assert F.plot_scree(reference_results, ax=ax1) is ax1
    assert F.plot_pc_scatter(reference_results, ax=ax2) is ax2
    sub = Figure(figsize=(6.3, 3))
    assert F.plot_boxplots(reference_results, fig=sub) is sub


# --------------------------------------------------------------------------- large data and batches

def _fake_results(n: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    scores = pd.DataFrame(rng.normal(size=(n, 3)), columns=["PC1", "PC2", "PC3"])
    labels = pd.Series(rng.integers(1, 4, n), name="class")
    return SimpleNamespace(
        pca=SimpleNamespace(scores=scores, explained_variance_ratio=np.array([0.5, 0.3, 0.2])),
        clusters=SimpleNamespace(labels=labels, centroids=np.zeros((3, 3))),
        config=SimpleNamespace(seed=42),
    )


def test_pc_scatter_samples_large_tables():
    r = _fake_results(6000)
    ax = F.plot_pc_scatter(r)
    shown = sum(len(_collection(ax, f"class-{c}").get_offsets()) for c in (1, 2, 3))
    assert shown == F.MAX_POINTS
    assert ax.get_title() == "random sample of 5000 of 6000 films shown"
    assert _collection(ax, "class-1").get_rasterized()
    again = F.plot_pc_scatter(r)  # the sample is seeded
    np.testing.assert_array_equal(_collection(again, "class-2").get_offsets(),
                                  _collection(ax, "class-2").get_offsets())


def test_pc_scatter_small_tables_are_not_sampled(reference_results):
    ax = F.plot_pc_scatter(reference_results)
    assert ax.get_title() == ""
    assert sum(len(_collection(ax, f"class-{c}").get_offsets()) for c in (1, 2, 3)) == len(
        reference_results.clusters.labels)


def test_batch_pc_map(reference_results):
    r = reference_results
    new = r.table.data.iloc[:5]
    scores = r.pca.transform(new)
    classes = r.clusters.predict(scores)
    ax = F.plot_batch_pc_map(r, scores, classes)
    assert ax.get_xlabel().startswith("PC1 (") and ax.get_ylabel().startswith("PC2 (")
    shown = 0
    for c in set(classes.tolist()):
        coll = _collection(ax, f"batch-class-{c}")
        assert _rgb(coll.get_facecolors()[0]) == _rgb(F.CLASS_COLORS[c])
        shown += len(coll.get_offsets())
    assert shown == 5
    with pytest.raises(ValueError, match="batch_scores must be"):
        F.plot_batch_pc_map(r, scores[:, :1], classes)
