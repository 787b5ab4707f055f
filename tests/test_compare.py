"""ssereport compare: shifts (Mann-Whitney, Holm), classes, windows, model transfer."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu
from statsmodels.stats.multitest import multipletests

import ssereport
from ssereport.analysis.compare import compare_studies, shift_tests
from ssereport.cli import main
from ssereport.io import table_from_frame


@pytest.fixture(scope="module")
def lower_sigma(reference_results):
    d = reference_results.table.data.copy()
    d["conductivity_s_cm"] = d["conductivity_s_cm"] * 0.7
    b = ssereport.analyze(table_from_frame(d.reset_index(drop=True), source="B.csv"), reference_results.config)
    return compare_studies(reference_results, b)


def test_sigma_30_percent_lower_is_flagged_on_sigma_not_rd(lower_sigma):
    v = lower_sigma.variables.set_index("variable")
    assert bool(v.loc["conductivity_s_cm", "shifted"])
    assert not bool(v.loc["rd", "shifted"])
    assert v.loc["conductivity_s_cm", "effect_size"] > 0.3  # A larger than B
    assert v.loc["rd", "p_holm"] == pytest.approx(1.0)
    assert v["shifted"].sum() == 1


def test_shift_tests_against_scipy_and_statsmodels():
    rng = np.random.default_rng(3)
    a = pd.DataFrame({"x": rng.normal(0, 1, 30), "y": rng.normal(0, 1, 30)})
    b = pd.DataFrame({"x": rng.normal(1, 1, 25), "y": rng.normal(0, 1, 25)})
    t = shift_tests(a, b, ["x", "y"]).set_index("variable")
    res = mannwhitneyu(a["x"], b["x"])
    assert t.loc["x", "statistic"] == res.statistic
    assert t.loc["x", "effect_size"] == pytest.approx(2 * res.statistic / (30 * 25) - 1)
    p = [mannwhitneyu(a[c], b[c]).pvalue for c in "xy"]
    np.testing.assert_allclose(t["p_holm"], multipletests(p, method="holm")[1])
    # Cliff's delta by definition: P(a > b) - P(a < b)
    diff = a["x"].to_numpy()[:, None] - b["x"].to_numpy()[None, :]
    assert t.loc["x", "effect_size"] == pytest.approx(np.mean(diff > 0) - np.mean(diff < 0))


def test_same_study_compares_equal(reference_results):
    c = compare_studies(reference_results, reference_results)
    assert not c.variables["shifted"].any()
    assert c.window_jaccard == 1.0
    assert (c.classes["n_a"] == c.classes["n_b_in_a"]).all()
    assert c.model_holds
    assert "skipped" in c.imr_note


def test_json_layout(lower_sigma):
    d = json.loads(lower_sigma.to_json())
    assert {"variables", "classes", "window"} <= set(d)
    assert [list(v)[:6] for v in d["variables"]][0] == ["variable", "statistic", "p_value", "p_holm", "effect_size",
                                                        "shifted"]
    assert "nearest A centroid" in d["classes"]["assignment"]


def test_imr_when_both_have_dates(reference_results):
    d = reference_results.table.data.copy()
    d["batch_id"] = ["2026-03-%02d_A" % (1 + i % 28) for i in range(len(d))]
    a = ssereport.analyze(table_from_frame(d.reset_index(drop=True), source="A.csv"), reference_results.config)
    c = compare_studies(a, a)
    assert c.imr is not None and set(c.imr["charts"]) == {"conductivity_s_cm", "rd"}
    ch = c.imr["charts"]["rd"]
    ref = a.data.loc[a.data["class"] == 1, "rd"]
    assert ch.center == pytest.approx(ref.mean()) and ch.sigma == pytest.approx(ref.std(ddof=1))


def test_cli_different_columns_names_both_files(reference_path, tmp_path, capsys):
    d = pd.read_csv(reference_path)
    a, b = tmp_path / "A.csv", tmp_path / "B.csv"
    d.to_csv(a, index=False)
    d.drop(columns=["rd"]).to_csv(b, index=False)
    assert main(["compare", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert "A.csv" in err and "B.csv" in err and "'rd'" in err and "Traceback" not in err


def test_cli_bad_file_same_error_as_analyze(reference_path, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("sample_id,polymer_wt_pct\nA,abc\n", encoding="utf-8")
    assert main(["analyze", str(bad)]) == 2
    err_analyze = capsys.readouterr().err
    assert main(["compare", str(reference_path), str(bad)]) == 2
    assert capsys.readouterr().err == err_analyze


def test_cli_report(reference_path, tmp_path, capsys):
    d = pd.read_csv(reference_path)
    d["conductivity_s_cm"] = [float(f"{v:.4g}") for v in d["conductivity_s_cm"] * 0.7]
    b = tmp_path / "B.csv"
    d.to_csv(b, index=False)
    out = tmp_path / "out"
    assert main(["compare", str(reference_path), str(b), "--out", str(out), "--json", str(tmp_path / "c.json")]) == 0
    text = capsys.readouterr().out
    assert "conductivity_s_cm" in text and "yes" in text
    html = (out / "sse_films_reference_vs_B.compare.html").read_text()
    assert "Shifted (Holm-adjusted p ≤ 0.05): σ." in html and "<svg" in html
    assert (out / "sse_films_reference_vs_B.compare.pdf").read_bytes().startswith(b"%PDF-")


def test_shift_tests_against_r(reference_table):
    # R: wilcox.test(a, b, exact = FALSE, correct = TRUE); p.adjust(p, "holm")  (tests/reference/compare_reference.R)
    from .conftest import REF_DIR

    r = pd.read_csv(REF_DIR / "compare_shifts.csv")
    d = reference_table.data
    t = shift_tests(d[d["polymer_wt_pct"] <= 5], d[d["polymer_wt_pct"] >= 7], list(r["variable"]))
    assert list(t["n_a"]) == list(r["n_a"]) and list(t["n_b"]) == list(r["n_b"])
    np.testing.assert_allclose(t["statistic"], r["W"], rtol=1e-6)
    np.testing.assert_allclose(t["p_value"], r["p_value"], rtol=1e-6)
    np.testing.assert_allclose(t["p_holm"], r["p_holm"], rtol=1e-6)
    np.testing.assert_allclose(t["effect_size"], r["rank_biserial"], rtol=1e-6, atol=1e-12)


def test_small_b_without_its_own_analysis(reference_results, tmp_path, capsys):
    from sklearn.metrics import f1_score

    from .conftest import ROOT

    batch_path = ROOT / "data" / "batches" / "batch_2026-03-09_B.csv"
    batch = ssereport.load_films(batch_path)
    c = compare_studies(reference_results, batch, b_note="too small")
    assert c.n_b == 12 and (c.classes["n_b"] == -1).all() and c.classes["share_b"].isna().all()
    assert c.grid["class1_b"] is None and np.isnan(c.window_jaccard)
    in_a = reference_results.clusters.predict(reference_results.pca.transform(batch.data))
    assert (c.classes.set_index("class")["n_b_in_a"] == pd.Series(in_a).value_counts().reindex(
        c.classes["class"], fill_value=0).to_numpy()).all()
    pred = reference_results.classifier.model.predict(batch.data[["polymer_wt_pct", "ls_ratio",
                                                                  "xylene_vol_pct"]].to_numpy(float))
    assert c.transfer_f1 == pytest.approx(f1_score(in_a, pred, average="macro"))
    d = json.loads(c.to_json())
    assert d["classes"]["table"][0]["n_b"] is None and d["window"]["jaccard"] is None
    assert d["b_note"] == "too small"
    # the command compares it too, with a note, and draws the report
    # the command compares it too, with a note; with dates in both files it draws the I-MR charts
    ref = pd.read_csv(ROOT / "data" / "sse_films_reference.csv")
    ref.insert(1, "batch_id", ["2026-02-%02d_ref" % (1 + i // 5) for i in range(len(ref))])
    a_path = tmp_path / "A.csv"
    ref.to_csv(a_path, index=False)
    out = tmp_path / "out"
    assert main(["compare", str(a_path), str(batch_path), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "not analysed on its own" in captured.err and "B has no analysis of its own" in captured.out
    html = (out / "A_vs_batch_2026-03-09_B.compare.html").read_text().replace("&#39;", "'")
    assert "only A's class-1 window is drawn" in html
    assert html.count("I-MR chart of") >= 2 and "fig-imr_rd" in html
    assert "limits from A's class-1 films" in html
