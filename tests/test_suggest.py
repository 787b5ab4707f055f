"""ssereport suggest: the recommended operating window (--goal window) and the withdrawn --goal map (issue 21)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from ssereport.analysis.suggest import (MAP_WITHDRAWN, UNCERTAIN, boundary_distance, candidate_grid,
                                        committee_votes, next_experiments, suggest_conditions, window_points)
from ssereport.cli import main
from ssereport.errors import DataError
from ssereport.schema import CONDITIONS


@pytest.fixture(scope="module")
def suggestions(reference_results):
    return next_experiments(reference_results, n=8, goal="map")


@pytest.fixture(scope="module")
def window(reference_results):
    return next_experiments(reference_results, n=5)


def _scaled(frame, ranges):
    return np.column_stack([(frame[f].to_numpy(float) - lo) / (hi - lo) for f, (lo, hi) in ranges.items()])


def test_inside_ranges_apart_and_new(suggestions, reference_results):
    t = suggestions.table
    assert len(t) == 8
    d = reference_results.table.data
    for f in CONDITIONS:
        assert t[f].between(d[f].min(), d[f].max()).all()
    z = _scaled(t, suggestions.ranges)
    pair = cdist(z, z)[np.triu_indices(len(t), 1)]
    assert pair.min() >= suggestions.min_distance - 1e-12  # no two nearly the same
    assert cdist(z, _scaled(d, suggestions.ranges)).min() >= suggestions.min_distance - 1e-12  # no cast repeat
    assert (~t["new_level"]).any() or t["new_level"].any()
    assert set(t["kind"]) <= {"boundary", "explore"}


def test_boundary_suggestions_are_where_the_committee_splits(suggestions, reference_results):
    t = suggestions.table
    b = t[t["kind"] == "boundary"]
    assert len(b) == 6  # n - n // 4
    # each boundary pick has a split committee or sits close to the SVM's class-1 boundary
    assert ((b["uncertainty"] > 0) | (b["distance_class1"] <= 0.25)).all()
    # committee votes recomputed independently at the picks give the reported uncertainty
    d = reference_results.table.data
    votes, labels, _ = committee_votes(d, reference_results.clusters.labels.to_numpy(), b, random_state=42)
    np.testing.assert_allclose(1 - votes.max(axis=1), b["uncertainty"].to_numpy())
    # margin order (the default): boundary picks in increasing distance to the SVM's class-1 boundary
    assert (b["distance_class1"] <= 0.25).all() and b["distance_class1"].is_monotonic_increasing
    # the picks are more uncertain than the typical candidate
    cand = candidate_grid(d, levels=reference_results.decision_map.polymer_levels)
    v_all, _, _ = committee_votes(d, reference_results.clusters.labels.to_numpy(), cand, random_state=42)
    assert b["uncertainty"].mean() > np.mean(1 - v_all.max(axis=1)) + 0.2
    assert all("class-1 boundary" in r for r in b["reason"])
    # predicted class is the study's SVM's
    pred = reference_results.classifier.model.predict(b[list(CONDITIONS)].to_numpy(float))
    assert (pred == b["predicted_class"].to_numpy()).all()


def test_explore_picks_maximise_distance(suggestions):
    e = suggestions.table[suggestions.table["kind"] == "explore"]
    assert len(e) == 2
    assert all(r.startswith("unexplored") for r in e["reason"])
    assert (e["nearest_film"] >= suggestions.table.loc[suggestions.table["kind"] == "boundary",
                                                       "nearest_film"].min()).all()


def test_json_layout(suggestions):
    d = json.loads(suggestions.to_json())
    assert set(d) == {"goal", "method", "suggestions"} and d["goal"] == "map"
    assert "RepeatedStratifiedKFold" in d["method"] and "committee" in d["method"]
    assert [list(s) for s in d["suggestions"]] == [["polymer_wt_pct", "ls_ratio", "xylene_vol_pct",
                                                    "predicted_class", "uncertainty", "reason"]] * 8


def test_candidate_grid_round_set_points(reference_table):
    g = candidate_grid(reference_table.data)
    assert np.allclose(np.unique(g["ls_ratio"]), np.round(np.arange(0.6, 1.4001, 0.05), 10))
    assert np.allclose(np.unique(g["xylene_vol_pct"]), np.arange(0, 101, 10))  # 100 / 16 = 6.25 -> a round step of 10
    assert np.allclose(np.unique(g["polymer_wt_pct"]), np.arange(3, 11))


def test_needs_class_1(reference_results):
    d = reference_results.table.data
    y = np.where(reference_results.clusters.labels.to_numpy() == 1, 2, reference_results.clusters.labels.to_numpy())
    with pytest.raises(DataError, match="no film is in class 1"):
        suggest_conditions(d, y)


def test_cli_table_json_and_report(reference_path, tmp_path, capsys, fast_config_file):
    out = tmp_path / "out"
    fast = ["--config", str(fast_config_file)]  # the fast settings: p_class1 from 5 CV SVMs, not 50
    rc = main(["suggest", str(reference_path), "--n", "4", "--json", str(tmp_path / "s.json"), "--out", str(out),
               "--quiet", *fast])
    assert rc == 0
    d = json.loads((tmp_path / "s.json").read_text())
    assert d["goal"] == "window" and len(d["suggestions"]) == 4  # --goal window is the default
    html = (out / "sse_films_reference.suggest.html").read_text()
    first = d["suggestions"][0]
    assert "Recommended operating window" in html and "<svg" in html
    assert first["nearest_films"][0]["sample_id"] in html and f"{first['p_class1']:.2f}" in html
    pdf = out / "sse_films_reference.suggest.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    rc = main(["suggest", str(reference_path), *fast])
    text = capsys.readouterr().out
    assert rc == 0 and "p_class1" in text and "method:" in text
    assert sum(line[:2].strip().isdigit() for line in text.splitlines()) == 3  # 3 points by default


def test_cli_bad_input_same_error_as_analyze(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("sample_id,polymer_wt_pct\nA,abc\n", encoding="utf-8")
    assert main(["analyze", str(bad)]) == 2
    err_analyze = capsys.readouterr().err
    assert main(["suggest", str(bad)]) == 2
    assert capsys.readouterr().err == err_analyze


def test_committee_order_picks_split_committee(reference_results):
    s = next_experiments(reference_results, n=4, goal="map", order="committee")
    b = s.table[s.table["kind"] == "boundary"]
    assert len(b) == 3 and (b["uncertainty"] > 0.3).all() and b["boundary"].is_monotonic_decreasing
    assert "committee split on class 1 first" in s.method
    with pytest.raises(ValueError, match="order"):
        next_experiments(reference_results, goal="map", order="entropy")


def test_the_committee_reuses_the_studys_cv_models(reference_results):
    # ClassifierResult.cv_models (cross_validate(return_estimator=True)) are the committee: the same votes as
    # refitting every fold, without the 50 refits.
    r = reference_results
    k = r.classifier
    cand = candidate_grid(r.table.data, levels=r.decision_map.polymer_levels).head(200)
    y = r.clusters.labels.loc[r.table.data.index].to_numpy()
    refit, labels, _ = committee_votes(r.table.data, y, cand, c=k.c, cv_splits=k.cv_splits,
                                       cv_repeats=k.cv_repeats, random_state=r.config.seed)
    reused, labels2, method = committee_votes(r.table.data, y, cand, c=k.c, cv_splits=k.cv_splits,
                                              cv_repeats=k.cv_repeats, random_state=r.config.seed,
                                              models=k.cv_models)
    assert len(k.cv_models) == k.cv_splits * k.cv_repeats
    assert labels == labels2
    np.testing.assert_array_equal(refit, reused)
    assert "return_estimator=True" in method
    assert r.suggestions is r.suggestions  # computed once
    assert r.to_dict()["next_experiments"] == r.suggestions.to_dict()


def test_many_films_never_build_the_candidates_by_films_matrix(reference_results, monkeypatch):
    """1,000,000 films once took 8 GB here: the nearest cast film comes from a k-d tree, not cdist."""
    import scipy.spatial.distance as distance

    rng = np.random.default_rng(3)
    d = reference_results.data
    many = d.iloc[rng.integers(0, len(d), 20_000)].reset_index(drop=True)
    many["ls_ratio"] = (many["ls_ratio"] + rng.normal(0, 0.01, len(many))).round(3)
    shapes = []
    real = distance.cdist

    def spy(a, b, *args, **kw):
        shapes.append((len(a), len(b)))
        return real(a, b, *args, **kw)

    monkeypatch.setattr(distance, "cdist", spy)
    k = reference_results.classifier
    s = suggest_conditions(many, many["class"].to_numpy(), n=8, model=k.model, cv_models=k.cv_models,
                           levels=reference_results.decision_map.polymer_levels)
    assert shapes and max(b for _, b in shapes) <= 8  # only candidates against the suggestions so far
    t = s.table
    z = _scaled(t, s.ranges)
    brute = real(z, _scaled(many, s.ranges)).min(axis=1)  # what the tree must have found, exactly
    assert np.array_equal(t["nearest_film"].to_numpy(), brute)


# --------------------------------------------------------------------------- --goal window (issue 21)
def test_window_json_schema(window):
    d = json.loads(window.to_json())
    assert set(d) == {"goal", "method", "suggestions"} and d["goal"] == "window"
    keys = ["polymer_wt_pct", "ls_ratio", "xylene_vol_pct", "predicted_class", "uncertainty", "reason", "p_class1",
            "boundary_distance", "nearest_films"]
    assert [list(s) for s in d["suggestions"]] == [keys] * 5
    for s in d["suggestions"]:
        assert s["predicted_class"] == 1 and 0.0 <= s["p_class1"] <= 1.0
        assert [list(f) for f in s["nearest_films"]] == [["sample_id", "polymer_wt_pct", "ls_ratio",
                                                          "xylene_vol_pct", "class", "distance"]] * 3
    assert "not a calibrated probability" in d["method"]


def test_window_points_inside_the_class1_region_and_away_from_its_boundary(window, reference_results):
    """Every point is predicted class 1, and so is every condition within its stated distance (checked by
    the SVM itself on a sphere of random directions, in range units); just beyond it along the nearest
    hyperplane's normal the class changes: the distance is the distance to the region's boundary."""
    model, t = reference_results.classifier.model, window.table
    x = t[list(CONDITIONS)].to_numpy(float)
    assert (model.predict(x) == 1).all()
    stated_min = 0.2  # the reference study's window points are at least this far inside (range units)
    assert (t["boundary_distance"] >= stated_min).all()
    width = np.array([hi - lo for lo, hi in window.ranges.values()])
    rng = np.random.default_rng(0)
    u = rng.normal(size=(2000, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    for xi, d in zip(x, t["boundary_distance"]):
        assert (model.predict(xi + 0.98 * d * u * width) == 1).all()
        assert not (model.predict(xi + 1.05 * d * u * width) == 1).all()


def test_window_rows_in_the_stated_order_apart_and_inside_the_ranges(window, reference_results):
    t = window.table
    z = _scaled(t, window.ranges)
    np.testing.assert_allclose(t["edge_distance"], np.minimum(z, 1 - z).min(axis=1))
    np.testing.assert_allclose(t["margin"], np.minimum(t["boundary_distance"], t["edge_distance"]))
    assert t["margin"].is_monotonic_decreasing
    assert cdist(z, z)[np.triu_indices(len(t), 1)].min() >= window.min_distance - 1e-12
    # no candidate of the class-1 region has a larger margin than the first point
    cand = candidate_grid(reference_results.table.data, levels=reference_results.decision_map.polymer_levels)
    d = boundary_distance(reference_results.classifier.model, cand, window.ranges)
    zc = _scaled(cand, window.ranges)
    assert np.minimum(d, np.minimum(zc, 1 - zc).min(axis=1)).max() == pytest.approx(t["margin"].iloc[0])


def test_window_p_class1_and_evidence(window, reference_results):
    r, t = reference_results, window.table
    x = t[list(CONDITIONS)].to_numpy(float)
    share = np.mean([m.predict(x) == 1 for m in r.classifier.cv_models], axis=0)
    np.testing.assert_allclose(t["p_class1"], share)
    data = r.table.data
    dist = cdist(_scaled(t, window.ranges), _scaled(data, window.ranges))
    for i, films in enumerate(t["nearest_films"]):
        order = np.argsort(dist[i], kind="stable")[:3]
        np.testing.assert_allclose([f["distance"] for f in films], dist[i][order])
        ids = data["sample_id"].to_numpy()
        labels = r.clusters.labels.loc[data.index].to_numpy()
        for f in films:
            j = int(np.flatnonzero(ids == f["sample_id"])[0])
            assert f["class"] == labels[j]
    assert all(("committee split" in s) == (u >= UNCERTAIN) for s, u in zip(t["reason"], t["uncertainty"]))


def test_window_without_a_class1_region(reference_results):
    d = reference_results.table.data
    y = reference_results.clusters.labels.loc[d.index].to_numpy()
    from ssereport.analysis.classifier import make_pipeline

    y2 = np.where(y == 1, 2, y)  # no film in class 1: the SVM predicts it nowhere
    model = make_pipeline().fit(d[list(CONDITIONS)].to_numpy(float), y2)
    with pytest.raises(DataError, match="predicts class 1 nowhere"):
        window_points(d, y2, model)


def test_goal_map_is_withdrawn_with_one_line(reference_path, capsys):
    assert main(["suggest", str(reference_path), "--goal", "map"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "benchmarks/suggest.md" in err and "random films" in err
    assert MAP_WITHDRAWN in err
    assert main(["suggest", str(reference_path), "--goal", "best"]) == 2
    assert "expected one of window, map" in capsys.readouterr().err


def test_help_quotes_the_benchmark():
    """The numbers `suggest --help` quotes are those of benchmarks/suggest.md."""
    import re
    from pathlib import Path

    import typer

    from ssereport.cli import _SUGGEST_FINDINGS, app

    help_text = typer.main.get_command(app).commands["suggest"].help
    findings = " ".join(_SUGGEST_FINDINGS)
    assert findings in help_text and "window" in help_text and "withdrawn" in help_text
    bench = (Path(__file__).resolve().parents[1] / "benchmarks" / "suggest.md").read_text(encoding="utf-8")
    numbers = re.findall(r"\d+(?:\.\d+)?%|p = [\d.]+|[-+]\d\.\d{3}", findings)
    assert len(numbers) >= 4
    for num in numbers:
        assert num in bench, num


def test_study_summary_states_the_recommended_window(reference_results):
    from ssereport.report.context import build_context

    ctx = build_context(reference_results, figures={})
    line = ctx["summary"].recommended
    r = reference_results.suggestions.table.iloc[0]
    assert reference_results.suggestions.goal == "window"
    assert line.startswith("Recommended operating window: ") and f"L:S {r.ls_ratio:.2f} µL/mg" in line
    assert f"{r.p_class1:.0%}" in line
    sec = ctx["next_experiments"]
    assert sec.table.caption == "Recommended operating window" and len(sec.table.rows) == len(
        reference_results.suggestions.table)


def test_the_section_does_not_import_the_documents_or_renderers():
    """No cycle report/context -> sections -> next_experiments -> report/suggest -> report/render -> context."""
    import subprocess
    import sys

    code = ("import sys, ssereport.report.sections.next_experiments, ssereport.report.context; "
            "bad = [m for m in ('ssereport.report.suggest', 'ssereport.report.render') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_map_reasons_say_uncertain_only_when_the_committee_is_split(reference_results):
    """Issue 21: "uncertain" only where at least UNCERTAIN (a quarter) of the committee votes against the
    majority; the rows come in the stated order (boundary picks nearest the boundary first, then exploring)."""
    s = next_experiments(reference_results, n=8, goal="map", explore=0)
    t = s.table
    assert len(t) == 8
    for reason, u in zip(t["reason"], t["uncertainty"]):
        assert ("classifier uncertain" in reason) == (u >= UNCERTAIN), (reason, u)
    assert t["distance_class1"].is_monotonic_increasing


def test_the_maps_legend_names_each_kind_of_point_drawn(reference_results, window, suggestions):
    """Circles (the recommended window) and stars/diamonds (the withdrawn map goal's kinds) each get a legend
    entry when drawn, and only then; the panels keep their place above the legend (the figure grows)."""
    from ssereport.plots.study import decision_maps
    from ssereport.plots.suggest import suggestion_maps

    def entries(fig):
        return [t.get_text() for t in fig.legends[-1].get_texts()]

    plain = decision_maps(reference_results)
    classes = entries(plain)
    fig = suggestion_maps(reference_results, window)
    assert entries(fig) == [*classes, "recommended point (numbered)"] and len(fig.legends) == 1
    kinds = set(suggestions.table["kind"])
    assert kinds == {"boundary", "explore"}
    got = entries(suggestion_maps(reference_results, suggestions))
    assert got == [*classes, "boundary point (numbered)", "exploration point (numbered)"]
    # one more legend row, as much more height: the panels' height in inches is unchanged
    grew = fig.get_figheight() - plain.get_figheight()
    assert grew > 0
    panel = [ax for ax in fig.axes if ax.get_visible()][0].get_position().height * fig.get_figheight()
    panel0 = [ax for ax in plain.axes if ax.get_visible()][0].get_position().height * plain.get_figheight()
    assert panel == pytest.approx(panel0, rel=1e-9)
