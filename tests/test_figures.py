"""Figures: the public ssereport.plots API draws what the results hold, and the report's SVG is sound.

The plots functions are checked on their artists (number of points, bar
heights, axis labels with units, legend entries), both on a new figure and on an
``ax``/``fig`` the caller passes; the report registry is checked on its SVG
(real text, title and alt text, unique ids, determinism, size); one regression
compares against the library call drawn directly (``check_figures_equal``).
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.testing.decorators import check_figures_equal
from numpy.testing import assert_allclose

import ssereport.plots as P
from ssereport.report import figures as F
from ssereport import theme
from ssereport.plots import batch as PB
from ssereport.plots._base import CENTROID, themed

KEYS = ["scree", "correlation_circle", "pc_scatter", "boxplots", "process_maps_thickness", "process_maps_dot",
        "process_maps_sigma", "dot_mean", "oversampling", "confusion", "decision_maps"]
NS = "{http://www.w3.org/2000/svg}"
SINGLE = ["scree", "correlation_circle", "pc_map", "silhouette", "kruskal_effects", "anova_interaction",
          "dot_mean_map", "oversampling", "confusion_matrix"]
MULTI = ["class_boxplots", "thickness_maps", "dot_maps", "conductivity_maps", "decision_maps"]


@pytest.fixture(scope="module")
def r(reference_results):
    return reference_results


@pytest.fixture(scope="module")
def rendered(reference_results):
    return F.render_figures(reference_results)


def _points(ax) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))


def _legend_texts(obj) -> list[str]:
    leg = obj.get_legend() if hasattr(obj, "get_legend") else None
    legends = [leg] if leg is not None else []
    legends += list(getattr(obj, "legends", []))
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()).strip() for t in root.iter(f"{NS}text")]


# --------------------------------------------------------------------------- the public API

def test_public_api_lists_the_study_figures():
    assert len(P.__all__) >= 10
    for name in SINGLE + MULTI:
        assert name in P.__all__ and callable(getattr(P, name)), name
    assert {"pc_map", "decision_panels", "against_class1", "control_chart"} <= set(PB.__all__)


@pytest.mark.parametrize("name", SINGLE)
def test_single_panel_functions_draw_on_the_given_axes_and_return_it(r, name):
    fig = Figure(figsize=(5, 4))
    ax = fig.add_subplot()
    out = getattr(P, name)(r, ax=ax)
    assert out is ax
    assert ax.has_data() or ax.images or ax.collections
    assert ax.get_xlabel() and ax.get_ylabel(), name
    new = getattr(P, name)(r)
    assert isinstance(new, Axes) and new.figure is not fig
    assert new.figure.get_layout_engine() is None  # fixed margins, no layout engine at save time


@pytest.mark.parametrize("name", MULTI)
def test_multi_panel_functions_draw_on_the_given_figure_and_return_it(r, name):
    fig = Figure(figsize=(8, 6))
    out = getattr(P, name)(r, fig=fig)
    assert out is fig and len(fig.axes) >= 2
    new = getattr(P, name)(r)
    assert isinstance(new, Figure) and new is not fig and new.get_layout_engine() is None


def test_scree_bars_line_and_threshold(r):
    ax = P.scree(r)
    p = r.pca
    bars = [b for b in ax.patches]
    assert_allclose([b.get_height() for b in bars], 100 * np.asarray(p.explained_variance_ratio))
    k = p.n_components_used
    assert len({b.get_facecolor() for b in bars[:k]}) == 1 and bars[0].get_facecolor() != bars[-1].get_facecolor()
    line = [ln for ln in ax.lines if len(ln.get_xdata()) == len(bars)][0]
    assert_allclose(line.get_ydata(), 100 * np.asarray(p.cumulative))
    assert ax.get_ylabel() == "explained variance (%)"
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["PC1", "PC2"]
    assert _legend_texts(ax) == ["PC used for the classes", "PC not used for the classes",
                                 "cumulative explained variance"]
    # the light bars are explained by their legend entry, in their colour
    leg = ax.get_legend()
    assert leg.legend_handles[1].get_facecolor() == bars[-1].get_facecolor()
    # every value above its bar (finding 12: PC1-PC2 were inside in white, the others above)
    values = {t.get_text(): t for t in ax.texts if t.get_text() and t.get_text()[0].isdigit() and "%" not in t.get_text()}
    assert sorted(values) == sorted(f"{h:.1f}" for h in 100 * np.asarray(p.explained_variance_ratio))
    for b in bars:
        t = values[f"{b.get_height():.1f}"]
        assert t.xy[1] == pytest.approx(b.get_height()) and t.xyann[1] > 0 and t.get_va() == "bottom"
        assert t.get_color() != theme.COLORS["paper"]


def test_correlation_circle_arrows_and_labels(r):
    ax = P.correlation_circle(r)
    arrows = [a for a in ax.texts if not a.get_text()]
    load = r.pca.loadings.iloc[:, :2].to_numpy()
    assert len(arrows) == len(r.pca.features)
    assert_allclose([a.xy for a in arrows], load)
    from ssereport.schema import by_name

    labels = [t for t in ax.texts if t.get_text()]
    assert [t.get_text() for t in labels] == [by_name(f).symbol for f in r.pca.features]
    assert_allclose([t.xy for t in labels], load)  # each label points at its own arrow tip
    assert ax.get_xlabel().startswith("PC1 (") and "% of variance" in ax.get_ylabel()


def test_correlation_circle_labels_clear_of_circle_arrows_and_each_other(r):
    # finding 6: the RD arrow ran through 'X:B', 'ρ' sat far from its arrow, 'RD' and 'L:S' sat on the circle
    from matplotlib.path import Path

    ax = P.correlation_circle(r)
    fig = ax.figure
    fig.canvas.draw()
    to_data = ax.transData.inverted()
    labels = [t for t in ax.texts if t.get_text()]
    boxes = [t.get_window_extent().transformed(to_data) for t in labels]
    load = r.pca.loadings.iloc[:, :2].to_numpy()
    circle = Path.circle((0, 0), 1.0)
    for i, (t, box) in enumerate(zip(labels, boxes)):
        assert not circle.intersects_bbox(box, filled=False), t.get_text()
        for j, tip in enumerate(load):
            if j != i:
                assert not Path([(0, 0), tuple(tip)]).intersects_bbox(box, filled=False), (t.get_text(), j)
        assert not any(box.overlaps(b) for k, b in enumerate(boxes) if k != i), t.get_text()
        # near its tip, or joined to it by a leader line
        near = np.hypot(*(np.asarray(t.get_position()) - load[i])) < 0.14
        assert near or t.arrow_patch is not None, t.get_text()
        assert t.get_path_effects(), t.get_text()  # white halo


def test_pc_map_one_point_per_film_in_its_class_colour(r):
    ax = P.pc_map(r)
    counts = r.clusters.counts
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    for k, n in counts.items():
        coll = [c for c in scatters if c.get_label().startswith(theme.CLASS_LABELS[k])][0]
        assert len(coll.get_offsets()) == n
        assert coll.get_label() == f"{theme.CLASS_LABELS[k]}, n = {n}"
        assert_allclose(coll.get_facecolor()[0][:3], np.array(
            [int(theme.CLASS_COLORS[k][i:i + 2], 16) / 255 for i in (1, 3, 5)]), atol=1e-6)
    cent = [c for c in scatters if c.get_label() == "class centroid"][0]
    assert_allclose(cent.get_offsets(), np.asarray(r.clusters.centroids)[:, :2])
    assert "class centroid" in _legend_texts(ax)
    assert _marker_is(cent, CENTROID["marker"]) and not _marker_is(cent, "X")


def _marker_is(coll, marker: str) -> bool:
    from matplotlib.markers import MarkerStyle

    m = MarkerStyle(marker)
    v = m.get_path().transformed(m.get_transform()).vertices
    got = coll.get_paths()[0].vertices
    return got.shape == v.shape and np.allclose(got, v)


def _tick_pairs(axis) -> tuple[np.ndarray, np.ndarray]:
    """(tick positions, numbers their labels show) of a drawn axis."""
    pairs = [(loc, float(t.get_text().replace("\u2212", "-")))
             for loc, t in zip(axis.get_majorticklocs(), axis.get_majorticklabels()) if t.get_text()]
    return np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])


def test_pc_map_samples_large_tables_and_says_so():
    n = 6000
    rng = np.random.default_rng(1)
    labels = pd.Series(rng.integers(1, 4, n))
    fake = SimpleNamespace(
        pca=SimpleNamespace(scores=pd.DataFrame(rng.normal(size=(n, 2))), explained_variance_ratio=[0.5, 0.3]),
        clusters=SimpleNamespace(labels=labels, centroids=np.zeros((3, 2))),
        config=SimpleNamespace(seed=42))
    ax = P.pc_map(fake)
    assert _points(ax) == P.study.MAX_POINTS + 3  # the sample and the three centroids
    assert ax.get_title() == f"random sample of {P.study.MAX_POINTS} of {n} films shown"


def test_class_boxplots_boxes_from_all_films_and_units(r):
    fig = P.class_boxplots(r)
    ax_s, ax_rd = fig.axes[:2]
    assert ax_s.get_ylabel() == "σ (10⁻⁴ S/cm)" and ax_rd.get_ylabel() == "RD"
    data = r.data
    for ax, var in ((ax_s, "conductivity_s_cm"), (ax_rd, "rd")):
        assert _points(ax) == len(data)
        medians = [ln.get_ydata()[0] for ln in ax.lines if ln.get_linewidth() == 1.6]
        # R: tapply(rd, class, median)
        assert_allclose(medians, data.groupby("class")[var].median().to_numpy())
    assert _legend_texts(fig) == [theme.CLASS_LABELS[k] for k in (1, 2, 3)]
    # finding 5: the factor 10⁻⁴ is in the label; the ticks read in that unit, no floating offset text
    FigureCanvasAgg(fig).draw()
    assert not ax_s.yaxis.get_offset_text().get_visible()
    locs, shown = _tick_pairs(ax_s.yaxis)
    assert len(locs) >= 3 and 1 <= shown.max() <= 10
    assert_allclose(shown * 1e-4, locs, rtol=1e-9, atol=1e-12)


def test_silhouette_mean_agrees_with_the_results(r):
    from sklearn.metrics import silhouette_samples

    ax = P.silhouette(r)
    mean_line = [ln for ln in ax.lines if ln.get_label().startswith("mean silhouette")][0]
    assert mean_line.get_xdata()[0] == pytest.approx(r.clusters.silhouette)
    x = r.pca.scores.iloc[:, :r.clusters.n_components].to_numpy()
    assert np.mean(silhouette_samples(x, r.clusters.labels.to_numpy())) == pytest.approx(r.clusters.silhouette,
                                                                                        rel=1e-9)
    assert len([c for c in ax.collections if c.get_label().startswith("Class")]) == 3
    assert "dimensionless" in ax.get_xlabel()


def test_kruskal_effects_bars_are_the_epsilon_squared(r):
    ax = P.kruskal_effects(r)
    kw = r.kruskal.sort_values("epsilon_squared")
    assert_allclose([b.get_width() for b in ax.patches], kw["epsilon_squared"].to_numpy())
    assert "ε²" in ax.get_xlabel()
    assert len(ax.texts) == len(kw) and all(t.get_text().startswith("H = ") for t in ax.texts)


def test_anova_interaction_lines_are_the_cell_means(r):
    ax = P.anova_interaction(r)
    d = r.data.assign(log_rd=np.log(r.data["rd"]))
    # R: with(d, tapply(log(rd), list(ls_ratio, xylene_vol_pct), mean))
    means = d.groupby(["xylene_vol_pct", "ls_ratio"])["log_rd"].mean().unstack()
    lines = [ln for ln in ax.lines if len(ln.get_xdata()) == means.shape[1]]
    assert len(lines) == means.shape[0]
    for ln, (_, row) in zip(lines, means.iterrows()):
        assert_allclose(ln.get_ydata(), row.to_numpy())
    assert ax.get_xlabel() == "L:S (µL/mg)" and "log(RD)" in ax.get_ylabel()
    assert "F = 8.60" in ax.get_title()


@pytest.mark.parametrize("variable, unit", [("thickness_um", "thickness (µm)"), ("dot_um", "DoT (µm)"),
                                            ("conductivity_s_cm", "σ (10⁻⁴ S/cm)")])
def test_process_maps_panels_dots_and_colour_bar(r, variable, unit):
    fig = P.process_maps(r, variable)
    m = r.maps
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == len(m.polymer_levels)
    cbar = [ax for ax in fig.axes if ax not in panels][0]
    assert cbar.get_ylabel() == unit
    if variable == "conductivity_s_cm":  # the colour bar's ticks in the unit of its label, no offset text
        FigureCanvasAgg(fig).draw()
        locs, shown = _tick_pairs(cbar.yaxis)
        assert_allclose(shown * 1e-4, locs, atol=1e-12) and not cbar.yaxis.get_offset_text().get_visible()
    for ax, p in zip(panels, m.polymer_levels):
        films = r.data[np.isclose(r.data["polymer_wt_pct"], p)]
        assert _points(ax) == len(films[["ls_ratio", "xylene_vol_pct"]].drop_duplicates())
        assert ax.get_title() == f"P = {p:g} wt% (n = {len(films)} films)"
        assert_allclose(np.diff(ax.get_xticks()), 0.2)  # finding 11: one L:S step (0.2) and X:B step (25)
        assert_allclose(np.diff(ax.get_yticks()), 25)
        filled = [c for c in ax.collections if not isinstance(c, PathCollection)]
        assert filled and filled[0].get_rasterized()  # the map fill is a raster inside the SVG
    assert [ax.get_xlabel() for ax in panels[-2:]] == ["L:S (µL/mg)"] * 2
    assert panels[0].get_ylabel() == "X:B (vol%)"
    with pytest.raises(ValueError, match="no process map for 'nope'"):
        P.process_maps(r, "nope")


def test_dot_mean_map_has_its_colour_bar(r):
    ax = P.dot_mean_map(r)
    assert [a.get_ylabel() for a in ax.figure.axes if a is not ax] == ["mean DoT (µm)"]
    assert ax.get_title().startswith("DoT averaged over 3, 5, 7, 10 wt%")


def test_oversampling_bars_are_the_counts(r):
    ax = P.oversampling(r)
    k = r.classifier
    heights = [b.get_height() for b in ax.patches]
    n = len(k.labels)
    assert heights[:n] == [k.counts_before[c] for c in k.labels]
    assert heights[n:] == [k.counts_after[c] for c in k.labels]
    assert ax.get_ylabel() == "training films (count)"
    assert _legend_texts(ax) == ["before oversampling", "after oversampling"]


def test_confusion_matrix_cells_and_counts(r):
    ax = P.confusion_matrix(r)
    cm = np.asarray(r.classifier.confusion_matrix)
    assert (np.asarray(ax.images[0].get_array()) == cm).all()
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted(cm.ravel().tolist())
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "actual class"
    assert ax.images[0].colorbar.ax.get_ylabel() == "test films (count)"


def test_decision_maps_panels_films_and_class_fills(r):
    fig = P.decision_maps(r)
    d = r.decision_map
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(d.polymer_levels)
    for ax, p, obs, pred, margin in zip(panels, d.polymer_levels, d.observed, d.predicted, d.margin):
        n_films = int(np.isclose(r.data["polymer_wt_pct"], p).sum()) if obs else 0
        title = f"P = {p:g} wt% (n = {n_films} films)" if obs else f"P = {p:g} wt% (interpolated)"
        assert ax.get_title().replace("\n", " ") == title
        assert _points(ax) == n_films
        assert len(_screen_positions(ax)) == n_films  # films of one recipe side by side, none hidden
        assert_allclose(np.diff(ax.get_xticks()), 0.2)
        fills = [f for f in ax.patches if f.get_rasterized()]
        assert len(fills) == len(np.unique(pred))  # one smooth region per class present
        # each class's region holds the grid points predicted in that class, away from a boundary
        gx, gy = np.meshgrid(d.ls, d.xb)
        pts = np.column_stack([gx.ravel(), gy.ravel()])
        edge = np.zeros(pred.shape, bool)
        edge[[0, -1], :] = edge[:, [0, -1]] = True  # on the polygon's outline: contains_points is undefined there
        clear = (np.asarray(margin) > 0.05).ravel() & ~edge.ravel()
        for f in fills:
            c = int(f.get_label().rsplit(" ", 1)[1])
            inside = f.get_path().contains_points(pts)
            assert inside[clear & (pred.ravel() == c)].all() and not inside[clear & (pred.ravel() != c)].any()
    assert _legend_texts(fig) == [theme.CLASS_LABELS[c] for c in (1, 2, 3)]


def test_style_keywords_reach_the_data_artist(r):
    ax = P.pc_map(r, s=40)
    coll = [c for c in ax.collections if c.get_label().startswith("Class 1")][0]
    assert coll.get_sizes()[0] == 40
    fig = P.process_maps(r, "dot_um", cmap="magma")
    assert fig.axes[0].collections[0].get_cmap().name == "magma"


# --------------------------------------------------------------------------- regression against the library call

@check_figures_equal(extensions=["png"])
def test_confusion_matrix_is_sklearns_display(fig_test, fig_ref, reference_results):
    from sklearn.metrics import ConfusionMatrixDisplay

    r = reference_results
    P.confusion_matrix(r, ax=fig_test.add_subplot())
    ax = fig_ref.add_subplot()  # the caller's axes: created outside the theme, like the test's
    with themed():
        k = r.classifier
        disp = ConfusionMatrixDisplay(np.asarray(k.confusion_matrix), display_labels=[f"Class {c}" for c in k.labels])
        disp.plot(ax=ax, cmap="Blues", values_format="d", text_kw={"fontsize": theme.SIZES["cell"]})
        ax.set_xlabel("predicted class")
        ax.set_ylabel("actual class")
        ax.set_title(f"test films: n = {int(np.sum(k.confusion_matrix))}")
        disp.im_.colorbar.set_label("test films (count)")
        disp.im_.colorbar.ax.yaxis.get_major_locator().set_params(integer=True)


@check_figures_equal(extensions=["png"])
def test_kruskal_bars_match_a_direct_barh(fig_test, fig_ref, reference_results):
    r = reference_results
    ax = fig_test.add_subplot()
    P.kruskal_effects(r, ax=ax)
    for t in list(ax.texts):
        t.remove()
    ax.get_legend().remove()
    ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
    kw = r.kruskal.sort_values("epsilon_squared")  # R: kruskal.test per variable, rcompanion::epsilonSquared
    colors = [theme.COLORS["neutral"] if p <= r.config.alpha else theme.COLORS["light"] for p in kw["p_value"]]
    ref = fig_ref.add_subplot()
    with themed():
        ref.barh(np.arange(len(kw)), kw["epsilon_squared"], height=0.65, color=colors)
        ref.set(xlim=ax.get_xlim(), ylim=ax.get_ylim(), xticks=[], yticks=[])
        ref.xaxis.grid(True)
        ref.set_axisbelow(True)


# --------------------------------------------------------------------------- the report's SVG

def test_registry_keys_and_titles():
    assert list(F.FIGURES) == KEYS
    assert all(spec.title for spec in F.FIGURES.values())


def test_every_figure_is_svg_with_real_text_title_and_alt(rendered):
    assert list(rendered) == KEYS
    for key, out in rendered.items():
        assert isinstance(out, F.FigureOutput) and out.key == key
        assert out.svg.startswith("<svg") and "<?xml" not in out.svg and "<!DOCTYPE" not in out.svg
        root = ET.fromstring(out.svg)
        assert root.find(f"{NS}title").text == F.FIGURES[key].title
        assert root.find(f"{NS}desc").text == out.alt
        assert "font-family: 'DejaVu Sans'" in out.svg  # text is text (svg.fonttype = "none"), in the PDF's font
        assert "<metadata" not in out.svg
        assert out.alt.strip() and out.caption.rstrip().endswith(".")


def test_text_carries_units(rendered):
    texts = {k: _svg_texts(o.svg) for k, o in rendered.items()}
    assert "explained variance (%)" in texts["scree"]
    for key in ("process_maps_thickness", "process_maps_dot", "process_maps_sigma", "dot_mean", "decision_maps"):
        assert "L:S (µL/mg)" in texts[key] and "X:B (vol%)" in texts[key], key
    assert "σ (10⁻⁴ S/cm)" in texts["boxplots"] and "σ (10⁻⁴ S/cm)" in texts["process_maps_sigma"]
    assert not any("×" in t for t in texts["boxplots"] + texts["process_maps_sigma"])  # no ×10⁻⁴ offset text
    assert "thickness (µm)" in texts["process_maps_thickness"] and "mean DoT (µm)" in texts["dot_mean"]
    assert "training films (count)" in texts["oversampling"] and "test films (count)" in texts["confusion"]


def test_ids_are_unique_across_the_report_and_references_resolve(rendered):
    ids = [i for out in rendered.values() for i in re.findall(r'\bid="([^"]+)"', out.svg)]
    assert len(ids) == len(set(ids))
    for key, out in rendered.items():
        own = set(re.findall(r'\bid="([^"]+)"', out.svg))
        assert all(i.startswith(f"{key}-") for i in own), key
        for ref in re.findall(r'(?:href="|url\()#([^")]+)', out.svg):
            assert ref in own, (key, ref)
        for ref in re.findall(r'\bhref="([^"#][^"]*)"', out.svg):
            assert ref.startswith("data:image/png;base64,"), (key, ref[:40])


def test_rendering_is_deterministic(reference_results, rendered):
    again = F.render_figures(reference_results, keys=["pc_scatter", "decision_maps"])
    for key in again:
        assert again[key].svg == rendered[key].svg, key


def test_keys_select_and_order(reference_results):
    out = F.render_figures(reference_results, keys=["confusion", "scree"])
    assert list(out) == ["confusion", "scree"]
    with pytest.raises(ValueError, match=r"unknown figure key\(s\) \['nope'\]; expected any of \['scree'"):
        F.render_figures(reference_results, keys=["scree", "nope"])


def test_rasterized_panels_keep_the_report_small(rendered):
    total = sum(len(out.svg.encode("utf-8")) for out in rendered.values())
    assert total < 900_000, f"{total / 1024:.0f} kB"  # the study HTML stays under 1 MB
    assert "data:image/png;base64," in rendered["decision_maps"].svg


def test_alt_text_quotes_the_results(reference_results, rendered):
    r = reference_results
    assert f"{100 * r.pca.explained_variance_ratio[0]:.1f} %" in rendered["scree"].alt
    assert f"{int(np.trace(r.classifier.confusion_matrix))} correct" in rendered["confusion"].alt


def test_figures_take_reasonable_time(reference_results):
    t0 = time.perf_counter()
    F.render_figures(reference_results)
    assert time.perf_counter() - t0 < 30.0  # ~2 s alone; generous for a loaded 2-core test machine


# --------------------------------------------------------------------------- batch figures

@pytest.fixture(scope="module")
def batch(reference_results):
    from ssereport import load_films
    from ssereport.qa.judge import judge_batch
    from ssereport.qa.model import fit_model

    from .conftest import ROOT

    model = fit_model(reference_results)
    path = ROOT / "data" / "batches" / "batch_2026-03-16_C.csv"
    return model, judge_batch(model, load_films(path))


def _screen_positions(ax) -> set[tuple[float, float]]:
    """Distinct display positions (pixels, rounded) of every scatter marker of ``ax``."""
    out = set()
    for c in ax.collections:
        if isinstance(c, PathCollection):
            for x, y in c.get_offset_transform().transform(c.get_offsets()):
                out.add((round(float(x), 1), round(float(y), 1)))
    return out


def _by_label(ax, prefix: str) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections if c.get_label().startswith(prefix))


def test_batch_pc_map_draws_every_film_and_marks_failures(batch):
    model, result = batch
    f = result.films
    ax = PB.pc_map(model, result)
    assert _by_label(ax, "_class-") == len(f)
    assert _by_label(ax, "_class-") - sum(_by_label(ax, f"_class-{c}-pass") for c in (1, 2, 3)) == int(
        (~f["pass"]).sum())
    assert "reference class centroid" in _legend_texts(ax)
    assert ax.get_xlabel() == "PC1 (reference PCA)" and ax.get_ylabel() == "PC2 (reference PCA)"
    # finding 7: centroids are diamonds, not the crosses of failing films
    cent = [c for c in ax.collections if c.get_label() == "_centroids"][0]
    assert_allclose(cent.get_offsets(), np.asarray(model.centroids)[:, :2])
    assert _marker_is(cent, "D") and not any(_marker_is(cent, m) for m in ("X", "P", "+"))
    fig = Figure()
    assert PB.pc_map(model, result, ax=fig.add_subplot()) is fig.axes[0]


def test_batch_decision_panels_one_per_level(batch):
    model, result = batch
    f = result.films
    fig = PB.decision_panels(model, result)
    levels = sorted(set(f["polymer_wt_pct"].astype(float)))
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(levels)
    for ax, p in zip(panels, levels):
        assert _by_label(ax, "_class-") == int(np.isclose(f["polymer_wt_pct"], p).sum())
    assert panels[-1].get_xlabel() == "L:S (µL/mg)" and panels[0].get_ylabel() == "X:B (vol%)"


def test_batch_decision_panels_show_every_film_of_a_shared_recipe(batch):
    # finding 2: batch C has 9 films at 6 recipes; only 6 markers were visible
    model, result = batch
    f = result.films
    fig = PB.decision_panels(model, result)
    (ax,) = [a for a in fig.axes if a.get_visible()]
    recipes = len(f[["ls_ratio", "xylene_vol_pct"]].drop_duplicates())
    assert (len(f), recipes) == (9, 6)
    assert ax.get_title() == "P = 10 wt% (n = 9 films at 6 recipes)"
    assert len(_screen_positions(ax)) == 9
    # the data coordinates stay the recipe's; only the display offset differs
    xy = np.vstack([c.get_offsets() for c in ax.collections if c.get_label().startswith("_class-")])
    assert {tuple(v) for v in xy} == set(map(tuple, f[["ls_ratio", "xylene_vol_pct"]].to_numpy(dtype=float)))
    assert_allclose(np.diff(ax.get_xticks()), 0.2) and np.allclose(np.diff(ax.get_yticks()), 25)


def test_ring_offsets_are_deterministic_and_distinct():
    from ssereport.plots._base import ring_offsets

    x = [1.0, 1.0, 1.0, 0.6, 0.8, 0.8]
    y = [50.0, 50.0, 50.0, 0.0, 25.0, 25.0]
    off = ring_offsets(x, y, spacing=6.0)
    assert_allclose(off[3], [0, 0])  # a single film stays on its recipe
    assert len({tuple(np.round(o, 6)) for o in off[:3]}) == 3 and len({tuple(np.round(o, 6)) for o in off[4:]}) == 2
    assert np.hypot(*(off[0] - off[1])) >= 6.0 and np.hypot(*(off[4] - off[5])) >= 6.0  # neighbours apart
    assert_allclose(np.hypot(*(off[4] - off[5])), 7.2)  # two films: 0.6 × spacing either side    assert_allclose(off, ring_offsets(x, y, spacing=6.0))


def test_against_class1_band_median_and_films(batch):
    model, result = batch
    fig = PB.against_class1(model, result)
    ax_s, ax_rd = fig.axes[:2]
    for ax, var in ((ax_s, "conductivity_s_cm"), (ax_rd, "rd")):
        assert _by_label(ax, "_class-") == len(result.films)
        ys = [ln.get_ydata()[0] for ln in ax.lines]
        assert model.class1[var]["median"] in ys
    assert ax_s.get_ylabel() == "σ (10⁻⁴ S/cm)" and ax_rd.get_ylabel() == "RD"
    assert not ax_s.yaxis.get_offset_text().get_visible()


def test_control_chart_marks_violations_and_escapes_batch_names(batch):
    from ssereport.analysis.control import imr_chart
    from ssereport.qa.figures import render_control_figures

    model, result = batch
    values = result.films["rd"].to_numpy(dtype=float)
    chart = imr_chart("rd", values, [str(i) for i in range(len(values))], center=model.class1["rd"]["mean"],
                      sigma=model.class1["rd"]["sd"])
    fig = PB.control_chart(chart, [0, 4], ["B-1", "B-2"])
    ax_i, ax_mr = fig.axes[:2]
    assert _by_label(ax_i, "_signals") == len(chart.violations) > 0
    assert _by_label(ax_i, "_in-control") == len(values) - len(chart.violations)
    # finding 10: the rule between batches lies between film 3 (last of B-1) and film 4 (first of B-2)
    for ax in (ax_i, ax_mr):
        rules = [c for c in ax.collections if c.get_label() == "_batch-separator"]
        assert len(rules) == 1 and [seg[0][0] for seg in rules[0].get_segments()] == [3.5]
        assert [tuple(seg[:, 1]) for seg in rules[0].get_segments()] == [(0.0, 1.0)]  # full height (axes units)
    # each batch name under the middle of its films
    assert_allclose(ax_mr.get_xticks(), [1.5, (4 + len(values) - 1) / 2])
    assert [t.get_text() for t in ax_mr.get_xticklabels()] == ["B-1", "B-2"]
    evil = "<script>alert('x')</script> & co"
    out = render_control_figures({"rd": chart}, [0, 4], ["B-1", evil])["imr_rd"]
    assert "<script>" not in out.svg and "&lt;script&gt;" in out.svg
    assert any(t.startswith("<script>alert") for t in _svg_texts(out.svg))


def test_control_chart_draws_exactly_the_flags_the_rule_table_lists():
    # Issue 13: the index drew 5 flagged points but listed 2; both now read ControlChart.flags.
    from ssereport.analysis.control import imr_chart

    values = np.array([1.0, 1.1, 0.9, 1.0, 3.0, 1.0, 1.05, 0.95, 2.9, 1.0])
    chart = imr_chart("rd", values, [str(i) for i in range(len(values))], center=1.0, sigma=0.2)
    panels = {f.panel for f in chart.flags}
    assert panels == {"individuals", "moving range"}  # both panels flag something here
    fig = PB.control_chart(chart, [0], ["B-1"])
    ax_i, ax_mr = fig.axes[:2]
    assert not [c for c in ax_i.collections if c.get_label() == "_batch-separator"]  # one batch: no rule
    n_ind = len({f.index for f in chart.flags if f.panel == "individuals"})
    n_mr = len({f.index for f in chart.flags if f.panel == "moving range"})
    assert _by_label(ax_i, "_signals") == n_ind
    assert _by_label(ax_mr, "_mr-flags") == n_mr > 0


def test_batch_figures_render_with_alt_text(batch):
    from ssereport.qa.figures import render_batch_figures

    model, result = batch
    figs = render_batch_figures(model, result)
    assert list(figs) == ["pc_map", "decision_maps", "class1"]
    ids = [i for out in figs.values() for i in re.findall(r'\bid="([^"]+)"', out.svg)]
    assert len(ids) == len(set(ids))
    for out in figs.values():
        assert ET.fromstring(out.svg).find(f"{NS}desc").text == out.alt


def test_sigma_control_chart_has_the_factor_in_both_labels():
    from ssereport.analysis.control import imr_chart

    values = np.array([5.1, 6.0, 4.8, 5.5, 9.9, 5.2, 1.4, 1.5]) * 1e-4
    chart = imr_chart("conductivity_s_cm", values, [str(i) for i in range(len(values))], center=5.2e-4, sigma=1.4e-4)
    fig = PB.control_chart(chart, [0, 6], ["A", "B"])
    ax_i, ax_mr = fig.axes[:2]
    assert ax_i.get_ylabel() == "σ (10⁻⁴ S/cm)" and ax_mr.get_ylabel() == "moving\nrange (10⁻⁴ S/cm)"
    FigureCanvasAgg(fig).draw()
    for ax in (ax_i, ax_mr):
        assert not ax.yaxis.get_offset_text().get_visible()
        locs, shown = _tick_pairs(ax.yaxis)
        assert_allclose(shown * 1e-4, locs, atol=1e-12)


@pytest.mark.parametrize("values, exponent, text", [
    ([1.2e-4, 9.1e-4], -4, "σ (10⁻⁴ S/cm)"),
    ([0.02, 0.3], 0, "σ (S/cm)"),            # 10⁻³ to 10⁴ are written plainly
    ([3.0e5, 8.0e5], 5, "σ (10⁵ S/cm)"),
    ([np.nan, 0.0], 0, "σ (S/cm)"),
])
def test_factor_label_puts_the_power_of_ten_in_the_label(values, exponent, text):
    from ssereport.plots._base import factor_label, power_of_ten

    assert power_of_ten(values) == exponent
    ax = Figure().add_subplot()
    assert factor_label(ax.yaxis, values, "σ", "S/cm") == text == ax.get_ylabel()
    assert ax.yaxis.get_offset_text().get_visible() is (exponent == 0)
    assert factor_label(ax.xaxis, [2e-4], "RD", "–") == "RD (10⁻⁴)"


def test_panel_titles_and_recipe_ticks_are_shared():
    from ssereport.plots._base import design_step, panel_title, pc_label

    assert panel_title(3, 27) == "P = 3 wt% (n = 27 films)"
    assert panel_title(10, 9, n_recipes=6) == "P = 10 wt% (n = 9 films at 6 recipes)"
    assert panel_title(10, 9, n_recipes=9) == "P = 10 wt% (n = 9 films)"
    assert panel_title(12, 1, n_recipes=1, note="extrapolation") == "P = 12 wt% (n = 1 film; extrapolation)"
    assert panel_title(4, note="interpolated") == "P = 4 wt% (interpolated)"
    assert design_step(0.6, 1.4) == pytest.approx(0.2) and design_step(0, 100) == pytest.approx(25)
    assert design_step(2, 10) == pytest.approx(2)
    assert pc_label(0, 0.649) == "PC1 (64.9 % of variance)" and pc_label(1) == "PC2 (reference PCA)"


def test_map_alt_text_names_each_variable_once(rendered):
    # review finding 18: the thickness maps' <desc> read "thickness (thickness)"
    assert "contour lines of thickness over L:S" in rendered["process_maps_thickness"].alt
    assert "(thickness)" not in rendered["process_maps_thickness"].alt
    assert "deviation of thickness (DoT)" in rendered["process_maps_dot"].alt
    assert "ionic conductivity (σ)" in rendered["process_maps_sigma"].alt
    assert "light bars: components not used" in rendered["scree"].caption
    assert "diamonds" in rendered["pc_scatter"].caption


def test_map_panels_make_only_the_panels_drawn_with_labels_on_the_outer_ones():
    """4 panels on a 2 × 3 grid: no Axes for the two empty cells; the panel above an empty cell keeps its
    x tick labels, inner panels keep their tick marks but not their labels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ssereport.plots._base import frame_map_panel, map_panels

    fig = Figure(figsize=(7, 5))
    axes = map_panels(fig, 4, 2, 3)
    for i, ax in enumerate(axes):
        frame_map_panel(ax, i, 4, 3, (0.6, 1.4), (0.0, 100.0))
    FigureCanvasAgg(fig).draw()
    assert fig.axes == axes and len(axes) == 4
    assert all(ax.get_shared_x_axes().joined(axes[0], ax) for ax in axes)

    def shown(axis):
        return any(t.get_visible() and t.get_text() for t in axis.get_ticklabels())

    assert [shown(ax.xaxis) for ax in axes] == [False, True, True, True]  # panel 0 has panel 3 below it
    assert [shown(ax.yaxis) for ax in axes] == [True, False, False, True]
    assert [ax.get_xlabel() != "" for ax in axes] == [False, True, True, True]
    assert all(len(ax.get_xticks()) == 5 for ax in axes)  # 0.6 … 1.4 every 0.2, none outside the view
