"""Property tests: random valid tables never crash the analysis, and every film comes out once."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssereport import Config, DataError, analyze

FAST = Config(n_bootstrap=2, cv_repeats=1, grid_size=9, kmeans_n_init=2)


@st.composite
def film_tables(draw):
    n = draw(st.integers(min_value=10, max_value=60))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    p = rng.choice(draw(st.sampled_from([[3, 5, 7, 10], [2.5, 4], [5]])), n).astype(float)
    ls = rng.uniform(0.4, 1.6, n).round(draw(st.sampled_from([1, 2, 3])))
    xb = rng.choice([0.0, 25.0, 50.0, 75.0, 100.0], n)
    thick = rng.lognormal(np.log(40), 0.4, n)
    sigma = rng.lognormal(np.log(4e-4), 0.5, n)
    dot = thick * rng.uniform(0.005, 0.4, n)
    df = pd.DataFrame({
        "sample_id": [f"F{i:04d}" for i in range(n)],
        "polymer_wt_pct": p, "ls_ratio": np.maximum(ls, 0.1), "xylene_vol_pct": xb,
        "thickness_um": thick, "density_g_cm3": rng.uniform(1.0, 1.9, n),
        "resistance_ohm": thick * 1e-4 / (sigma * 0.785), "conductivity_s_cm": sigma,
        "dot_um": dot, "rd": dot / thick,
    })
    return df


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(film_tables())
def test_random_tables_analyse_or_refuse_clearly(df):
    try:
        r = analyze(df, FAST)
    except DataError as exc:
        # a refusal is fine, if it says why in words a user can act on
        assert exc.problems and all(p.message for p in exc.problems)
        assert any(w in str(exc) for w in ("needs at least", "class", "varies", "K-means", "films"))
        return
    d = json.loads(r.to_json())  # strict JSON (allow_nan=False inside)
    assert sorted(d["classes"]["sample_id"]) == sorted(df["sample_id"])
    assert set(d["classes"]["class"]) <= set(range(1, FAST.n_clusters + 1))
    assert sum(d["classes"]["counts"].values()) == len(df)
    cm = np.array(d["svm"]["confusion_matrix"])
    assert cm.sum() == d["svm"]["n_test"]
    assert 0 <= d["svm"]["test_f1_macro"] <= 1


# ----------------------------------------------------------------------------- process maps

@st.composite
def rectangular_designs(draw):
    ls = sorted(draw(st.sets(st.integers(40, 160), min_size=2, max_size=6)))
    xb = sorted(draw(st.sets(st.integers(0, 20), min_size=2, max_size=6)))
    levels = draw(st.sets(st.sampled_from([2.5, 3.0, 5.0, 7.0, 10.0]), min_size=1, max_size=3))
    coef = draw(st.lists(st.floats(-5, 5, allow_nan=False), min_size=4, max_size=4))
    reps = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rows = [(p, a / 100, 5.0 * b) for p in sorted(levels) for a in ls for b in xb for _ in range(reps)]
    d = pd.DataFrame(rows, columns=["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"])
    d = d.sample(frac=1.0, random_state=seed % 2**31).reset_index(drop=True)
    a, b, c, e = coef
    x, y = d["ls_ratio"], d["xylene_vol_pct"] / 100
    d["thickness_um"] = a + b * x + c * y + e * x * y
    rng = np.random.default_rng(seed)
    d["dot_um"] = rng.uniform(1, 10, len(d))
    d["conductivity_s_cm"] = rng.uniform(1e-4, 1e-3, len(d))
    return d, coef


@settings(max_examples=25, deadline=None)
@given(rectangular_designs(), st.integers(5, 30))
def test_maps_on_rectangular_designs_are_bilinear(design, grid_size):
    from ssereport.analysis.maps import process_maps

    d, (a, b, c, e) = design
    m = process_maps(d, grid_size=grid_size)
    assert set(m.level_methods) == {"bilinear"}
    gx, gy = np.meshgrid(m.ls, m.xb)
    want = a + b * gx + c * gy / 100 + e * gx * gy / 100  # a bilinear surface is reproduced exactly
    scale = 1 + abs(a) + abs(b) + abs(c) + abs(e)
    for i in range(len(m.polymer_levels)):
        np.testing.assert_allclose(m.values["thickness_um"][i], want, rtol=0, atol=1e-9 * scale)
        dot = m.values["dot_um"][i]  # bilinear = convex blend of the cell's corners
        assert np.nanmin(dot) >= 1 - 1e-12 and np.nanmax(dot) <= 10 + 1e-12


@st.composite
def scattered_designs(draw):
    n = draw(st.integers(3, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"polymer_wt_pct": rng.choice([3.0, 5.0], n),
                      "ls_ratio": rng.uniform(0.5, 1.5, n).round(draw(st.sampled_from([1, 2, 4]))),
                      "xylene_vol_pct": rng.choice([0.0, 12.5, 25.0, 50.0, 75.0, 100.0], n),
                      "thickness_um": rng.uniform(20, 90, n), "dot_um": rng.uniform(1, 10, n)})
    d["conductivity_s_cm"] = 1e-4 * (2 + d["ls_ratio"] - 0.01 * d["xylene_vol_pct"])  # a plane
    return d


@settings(max_examples=25, deadline=None)
@given(scattered_designs())
def test_maps_interpolate_never_extrapolate_and_ignore_row_order(d):
    from ssereport.analysis.maps import process_maps

    m = process_maps(d, grid_size=15)
    again = process_maps(d.iloc[::-1].reset_index(drop=True), grid_size=15)
    gx, gy = np.meshgrid(m.ls, m.xb)
    for i, p in enumerate(m.polymer_levels):
        # deterministic up to the order in which replicates are averaged (last-bit differences)
        np.testing.assert_allclose(m.values["dot_um"][i], again.values["dot_um"][i], rtol=1e-12, atol=0)
        sub = d[d["polymer_wt_pct"] == p]
        dot = m.values["dot_um"][i]
        inside = ~np.isnan(dot)
        if m.level_methods[i] == "none":
            assert not inside.any()
            continue
        if not inside.any():  # a thin hull (e.g. 3 conditions) can lie between the grid points
            continue
        means = sub.groupby(["ls_ratio", "xylene_vol_pct"])["dot_um"].mean()
        assert means.min() - 1e-9 <= dot[inside].min() and dot[inside].max() <= means.max() + 1e-9
        # nothing outside the level's conditions (their bounding box contains their hull)
        assert np.all((gx[inside] >= sub["ls_ratio"].min() - 1e-12) & (gx[inside] <= sub["ls_ratio"].max() + 1e-12))
        assert np.all((gy[inside] >= sub["xylene_vol_pct"].min()) & (gy[inside] <= sub["xylene_vol_pct"].max()))
        sigma = m.values["conductivity_s_cm"][i][inside]
        np.testing.assert_allclose(sigma, (1e-4 * (2 + gx - 0.01 * gy))[inside], rtol=1e-9)
