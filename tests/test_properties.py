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
