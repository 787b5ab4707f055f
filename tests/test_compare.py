"""ssereport compare: shifts (Mann-Whitney, Holm, Hodges–Lehmann), films beyond limits, classes, windows,
model transfer; the public ssereport.compare_studies and the compare document."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu
from statsmodels.stats.multitest import multipletests

import ssereport
from ssereport.analysis.compare import beyond_limits, compare_results, hodges_lehmann, shift_tests
from ssereport.cli import main
from ssereport.io import table_from_frame
from ssereport.schema import FILM_VARIABLES, READINGS

from .conftest import REF_DIR, ROOT

compare_studies = compare_results  # the pure comparison of two analyses (the tests below predate the public one)


@pytest.fixture(scope="module")
def lower_sigma(reference_results, fast_config):
    d = reference_results.table.data.copy()
    d["conductivity_s_cm"] = d["conductivity_s_cm"] * 0.7
    b = ssereport.analyze(table_from_frame(d.reset_index(drop=True), source="B.csv"), fast_config)
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
    assert c.headline.startswith("No variable shifted: none of the 9 film variables")
    assert c.quality_answer() == "No shift detected in σ or RD (Holm-adjusted p > 0.05)."
    assert (c.variables["shift"] == 0).all() and (c.variables["change_pct"] == 0).all()
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


def test_cli_summary_file_without_rd_compares(reference_path, tmp_path, capsys, fast_config_file):
    # B has no rd column: the loader computes it from DoT and thickness, so both load to the same variables
    d = pd.read_csv(reference_path)
    a, b = tmp_path / "A.csv", tmp_path / "B.csv"
    d.to_csv(a, index=False)
    d.drop(columns=["rd"]).to_csv(b, index=False)
    assert main(["compare", str(a), str(b), "--quiet", "--json", str(tmp_path / "c.json"),
                 "--config", str(fast_config_file)]) == 0
    out = json.loads((tmp_path / "c.json").read_text())
    assert not any(v["shifted"] for v in out["variables"])
    assert out["headline"].startswith("No variable shifted")


def test_cli_bad_file_same_error_as_analyze(reference_path, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("sample_id,polymer_wt_pct\nA,abc\n", encoding="utf-8")
    assert main(["analyze", str(bad)]) == 2
    err_analyze = capsys.readouterr().err
    assert main(["compare", str(reference_path), str(bad)]) == 2
    assert capsys.readouterr().err == err_analyze


def test_cli_report(reference_path, tmp_path, capsys, fast_config_file):
    d = pd.read_csv(reference_path)
    d["conductivity_s_cm"] = [float(f"{v:.4g}") for v in d["conductivity_s_cm"] * 0.7]
    b = tmp_path / "B.csv"
    d.to_csv(b, index=False)
    out = tmp_path / "out"
    assert main(["compare", str(reference_path), str(b), "--out", str(out), "--json", str(tmp_path / "c.json"),
                 "--config", str(fast_config_file)]) == 0
    text = capsys.readouterr().out
    row = next(line for line in text.splitlines() if line.startswith("conductivity_s_cm"))
    assert row.endswith("lower") and "-30.0%" in row
    html = (out / "sse_films_reference_vs_B.compare.html").read_text()
    head = json.loads((tmp_path / "c.json").read_text())["headline"]
    assert head.startswith("σ fell 30 % (median ") and "<svg" in html
    # the first sentence of the document (after the title block) is the headline
    body = html[html.index("<main>"):]
    first = body[body.index("<p"):]
    assert first[first.index(">") + 1:].startswith(head.replace("'", "&#39;").replace("<", "&lt;")
                                                   .replace(">", "&gt;"))
    pdf = out / "sse_films_reference_vs_B.compare.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    page1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    words = " ".join(page1.split())
    summary = words[words.index("1. Summary") + len("1. Summary"):]
    assert summary.lstrip().startswith("σ fell 30 %")


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


def test_small_b_without_its_own_analysis(reference_results, tmp_path, capsys, fast_config_file):
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
    # the command compares it too, with a note; with dates in both files it draws the I-MR charts
    ref = pd.read_csv(ROOT / "data" / "sse_films_reference.csv")
    ref.insert(1, "batch_id", ["2026-02-%02d_ref" % (1 + i // 5) for i in range(len(ref))])
    a_path = tmp_path / "A.csv"
    ref.to_csv(a_path, index=False)
    out = tmp_path / "out"
    assert main(["compare", str(a_path), str(batch_path), "--out", str(out), "--config", str(fast_config_file)]) == 0
    captured = capsys.readouterr()
    assert "not analysed on its own" in captured.err and "B has no analysis of its own" in captured.out
    html = (out / "A_vs_batch_2026-03-09_B.compare.html").read_text().replace("&#39;", "'")
    assert "only A's class-1 window is drawn" in html
    assert html.count("I-MR chart of") >= 2 and "fig-imr_rd" in html
    assert "limits from A's class-1 films" in html


def test_large_rises_are_given_as_a_factor(reference_table):
    """Ω × 10 reads "Ω rose 10.0-fold", not "rose 900 %"; a 1.5 × rise and a 30 % fall stay percentages."""
    from ssereport.analysis.compare import change_phrase

    a = reference_table.data
    b = a.assign(resistance_ohm=a["resistance_ohm"] * 10, rd=a["rd"] * 1.5,
                 conductivity_s_cm=a["conductivity_s_cm"] * 0.7)
    rows = {r.variable: r for r in shift_tests(a, b).itertuples(index=False)}
    phrase = {v: change_phrase(rows[v]) for v in ("resistance_ohm", "rd", "conductivity_s_cm")}
    assert phrase["resistance_ohm"].startswith("Ω rose 10.0-fold (median ") and "%" not in phrase["resistance_ohm"]
    assert phrase["rd"].startswith("RD rose 50 % (median ")
    assert phrase["conductivity_s_cm"].startswith("σ fell 30 % (median ")



# ---------------------------------------------------------------- Hodges–Lehmann against R

def _r_samples(table, row) -> tuple[np.ndarray, np.ndarray]:
    """A and B of a row of tests/reference/compare_hl*.csv: the split of compare_hl.R, the row's variable."""
    d = table.data
    ia, ib = {"p": (d["polymer_wt_pct"] <= 5, d["polymer_wt_pct"] >= 7),
              "ls": (d["ls_ratio"] <= 0.8, d["ls_ratio"] >= 1.2),
              "xb": (d["xylene_vol_pct"] == 0, d["xylene_vol_pct"] == 100)}[row.split]
    a, b = d.loc[ia, row.variable].to_numpy(float), d.loc[ib, row.variable].to_numpy(float)
    assert (len(a), len(b)) == (row.n_a, row.n_b)
    return a, b


def test_hodges_lehmann_against_r(reference_table):
    # R: wilcox.test(b, a, conf.int = TRUE, exact = TRUE)  (tests/reference/compare_hl.R)
    r = pd.read_csv(REF_DIR / "compare_hl.csv")
    assert len(r) >= 10 and set(r["split"]) == {"p", "ls", "xb"}
    for row in r.itertuples(index=False):
        a, b = _r_samples(reference_table, row)
        est, lo, hi = hodges_lehmann(a, b, method="exact")
        np.testing.assert_allclose([est, lo, hi], [row.estimate, row.conf_low, row.conf_high], rtol=1e-12,
                                   err_msg=f"{row.split} {row.variable}")


def test_hodges_lehmann_asymptotic_against_r(reference_table):
    """The normal-approximation path (50 or more films, or ties) against R's, ties included.

    R: ``wilcox.test(b, a, conf.int = TRUE, exact = FALSE, correct = TRUE)`` (tests/reference/compare_hl.R).
    R's estimate and bounds are roots of the corrected z between two consecutive pairwise differences; ours are
    the median and order statistics of the differences. Each of R's values lies within one difference of ours:
    between the differences just below and just above it.
    """
    r = pd.read_csv(REF_DIR / "compare_hl_asymptotic.csv")
    assert len(r) == 18 and r["ties"].sum() >= 4 and (r["n_a"] >= 50).any()
    for row in r.itertuples(index=False):
        a, b = _r_samples(reference_table, row)
        ours = hodges_lehmann(a, b, method="asymptotic")
        assert ours == hodges_lehmann(a, b) or (len(a) < 50 and len(b) < 50 and not row.ties)  # "auto" chose it
        # the distinct differences, in units of the largest (tied differences differ in their last bits)
        diffs = np.subtract.outer(b, a).ravel()
        scale = np.abs(diffs).max()
        distinct = np.unique(np.round(diffs / scale, 12))
        for name, mine, theirs in zip(("estimate", "low", "high"), ours, (row.estimate, row.conf_low,
                                                                          row.conf_high)):
            m = np.round(mine / scale, 12)  # a difference, or (the median) between two
            below = distinct[max(np.searchsorted(distinct, m, side="left") - 1, 0)]
            above = distinct[min(np.searchsorted(distinct, m, side="right"), len(distinct) - 1)]
            assert below - 1e-12 <= theirs / scale <= above + 1e-12, (row.split, row.variable, name, mine, theirs)


def test_hodges_lehmann_by_definition():
    rng = np.random.default_rng(7)
    a, b = rng.normal(0, 1, 40), rng.normal(0.8, 1, 35)
    est, lo, hi = hodges_lehmann(a, b)
    diffs = np.sort((b[:, None] - a[None, :]).ravel())
    assert est == np.median(diffs)
    assert lo in diffs and hi in diffs and lo < est < hi
    # the interval is symmetric in rank: as many differences below lo as above hi
    assert np.sum(diffs < lo) == np.sum(diffs > hi)
    # a shift of B moves the estimate and the interval by exactly that much
    e2, l2, h2 = hodges_lehmann(a, b + 5.0)
    np.testing.assert_allclose([e2, l2, h2], [est + 5, lo + 5, hi + 5])


# ---------------------------------------------------------------- simulated studies (the project's generator)

def _generator():
    spec = importlib.util.spec_from_file_location("generate_reference", ROOT / "data" / "generate_reference.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, mod)  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


GEN = _generator()
FAST = ssereport.Config(n_bootstrap=5, cv_repeats=2)


def _cast(seed: int, *, sigma_factor: float = 1.0, rd_factor: float = 1.0, prefix: str = "F") -> pd.DataFrame:
    """One study of the reference design cast by the generator; rd_factor widens each film's readings about
    its mean (RD and DoT × rd_factor, thickness unchanged)."""
    rng = np.random.default_rng(seed)
    df = GEN.simulate_films(GEN.reference_design(), rng, sigma_factor=sigma_factor)
    if rd_factor != 1.0:
        r = df[list(READINGS)].to_numpy(float)
        m = r.mean(axis=1, keepdims=True)
        r = m + rd_factor * (r - m)
        cond = df[["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"]]
        sigma = df["conductivity_s_cm"].to_numpy(float)
        df = GEN.measured_table(cond, r, df["density_g_cm3"].to_numpy(float), sigma)
    df.insert(0, "sample_id", [f"{prefix}-{i:03d}" for i in range(1, len(df) + 1)])
    return df


def _table(df: pd.DataFrame, name: str):
    return table_from_frame(df, source=name)


@pytest.fixture(scope="module")
def study_a():
    return ssereport.analyze(_table(_cast(101, prefix="A"), "A.csv"), FAST)


@pytest.fixture(scope="module")
def sigma_down(study_a):
    return ssereport.compare_studies(study_a, _table(_cast(202, sigma_factor=0.7, prefix="B"), "B.csv"))


def test_planted_sigma_drop(sigma_down, study_a):
    c = sigma_down
    v = c.variables.set_index("variable")
    s = v.loc["conductivity_s_cm"]
    assert bool(s["shifted"]) and s["direction"] == "lower"
    assert -40 < s["change_pct"] < -20
    assert s["shift_ci_high"] < 0 < -s["shift_ci_low"]  # the whole interval below 0: B lower
    assert not bool(v.loc["rd", "shifted"]) and v.loc["rd", "direction"] is None, v.loc["rd"]
    assert c.headline.startswith("σ fell ") and "p_holm" in c.headline and "RD" in c.headline
    pct = int(c.headline.split()[2])
    assert pct == round(abs(s["change_pct"]))
    # the consequence for quality: more of B's films below A's σ limit (from the code `fit` uses)
    from ssereport.qa.model import fit_model
    from ssereport.qa.spec import acceptance_limits

    lim = {x.variable: x for x in acceptance_limits(fit_model(study_a))}
    t = c.limits.table.set_index("variable")
    assert t.loc["conductivity_s_cm", "limit"] == lim["conductivity_s_cm"].value
    assert t.loc["conductivity_s_cm", "share_b"] > t.loc["conductivity_s_cm", "share_a"] + 0.15
    assert t.loc["any", "n_b_beyond"] > t.loc["any", "n_a_beyond"]
    # the two questions, apart and consistent
    q = c.quality_answer()
    assert q.startswith("Yes: σ fell ") and "of B's films" in q
    m = c.model_answer()
    assert "recipe" in m
    if "still holds" in m:  # says what still holds, and that it is not film quality
        assert "mapping from recipe to quality class still holds" in m and "not whether B's films are as good" in m


def test_planted_rd_rise(study_a):
    c = ssereport.compare_studies(study_a, _table(_cast(303, rd_factor=1.5, prefix="B"), "B.csv"))
    v = c.variables.set_index("variable")
    for x in ("rd", "dot_um"):
        assert bool(v.loc[x, "shifted"]) and v.loc[x, "direction"] == "higher", x
        assert v.loc[x, "change_pct"] > 25 and v.loc[x, "shift_ci_low"] > 0
    assert not bool(v.loc["conductivity_s_cm", "shifted"])
    assert c.headline.startswith("RD rose ") and "σ" in c.headline.split(";")[-1]  # "σ and … unchanged"
    t = c.limits.table.set_index("variable")
    assert t.loc["rd", "share_b"] > t.loc["rd", "share_a"]
    assert c.quality_answer().startswith("Yes: RD rose")


def _cast_random_recipes(seed: int) -> pd.DataFrame:
    """110 films of the process, each at a recipe drawn at random from the reference design: two such casts
    are independent samples of one distribution (two casts of the full design would be paired by recipe,
    and the test far from its nominal level)."""
    rng = np.random.default_rng(seed)
    design = GEN.reference_design()
    return GEN.simulate_films(design.iloc[rng.integers(0, len(design), len(design))].reset_index(drop=True), rng)


def test_same_process_two_samples_rarely_shifts():
    # the null: two casts of the same process; Holm at 0.05 over the 9 variables
    flagged, p = [], []
    for seed in range(1, 21):
        t = shift_tests(_cast_random_recipes(1000 + seed), _cast_random_recipes(2000 + seed), FILM_VARIABLES)
        flagged.append(bool(t["shifted"].any()))
        p.extend(t["p_value"])
        assert t["direction"].isna().all() or t["shifted"].any()
    assert sum(flagged) <= 1, flagged
    # and not because the test never rejects: the raw p-values are spread over 0..1 as under a true null
    assert 0.35 < np.mean(p) < 0.65 and 0.0 < np.mean(np.array(p) < 0.05) <= 0.10


def test_raw_readings_and_summary_files_compare(tmp_path, capsys, fast_config_file):
    df = _cast(404)
    summary = tmp_path / "summaries.csv"
    raw = tmp_path / "raw_readings.csv"
    df.drop(columns=list(READINGS)).to_csv(summary, index=False)
    df.drop(columns=["thickness_um", "dot_um", "rd"]).to_csv(raw, index=False)
    ts, tr = ssereport.load_films(summary), ssereport.load_films(raw)
    assert set(FILM_VARIABLES) <= set(ts.data.columns) and set(FILM_VARIABLES) <= set(tr.data.columns)
    for v in FILM_VARIABLES:  # the same films: the summaries are the readings' mean, SD and ratio, rounded
        np.testing.assert_allclose(ts.data[v].to_numpy(), tr.data[v].to_numpy(), rtol=1e-4, atol=5e-4, err_msg=v)
    t = shift_tests(ts.data, tr.data)
    assert not t["shifted"].any() and (t["p_holm"] == 1.0).all()
    # the command that refused them ("do not have the same columns") compares them
    out = tmp_path / "c.json"
    assert main(["compare", str(summary), str(raw), "--quiet", "--json", str(out),
                 "--config", str(fast_config_file)]) == 0
    d = json.loads(out.read_text())
    assert not any(v["shifted"] for v in d["variables"]) and d["headline"].startswith("No variable shifted")


def test_aliases_and_units_in_headers_compare(tmp_path):
    df = _cast(505).drop(columns=list(READINGS))
    a = tmp_path / "A.csv"
    df.to_csv(a, index=False)
    b = tmp_path / "B.xlsx"
    alt = df.rename(columns={"polymer_wt_pct": "P%", "ls_ratio": "L:S", "xylene_vol_pct": "X:B",
                             "conductivity_s_cm": "σ (mS/cm)", "thickness_um": "thickness (mm)"})
    alt["σ (mS/cm)"] = alt["σ (mS/cm)"] * 1000
    alt["thickness (mm)"] = alt["thickness (mm)"] / 1000
    alt.to_excel(b, index=False)
    c = ssereport.compare_studies(a, b, config=FAST)
    assert not c.variables["shifted"].any()
    np.testing.assert_allclose(c.variables["median_a"], c.variables["median_b"], rtol=1e-9)


def test_loaded_variables_differ_names_them(tmp_path):
    df = _cast(606)
    a, b = tmp_path / "A.csv", tmp_path / "B.csv"
    df.to_csv(a, index=False)
    df.drop(columns=list(READINGS)).to_csv(b, index=False)
    with pytest.raises(ssereport.DataError) as e:
        ssereport.compare_studies(a, b, variables=FILM_VARIABLES + ("thickness_1",))
    msg = str(e.value)
    assert "A.csv" in msg and "B.csv" in msg and "B.csv lacks ['thickness_1']" in msg


def test_beyond_limits_agrees_with_limit_fails(study_a, sigma_down):
    from ssereport.qa.model import fit_model
    from ssereport.qa.spec import Limit, acceptance_limits

    limits = acceptance_limits(fit_model(study_a))
    b = sigma_down.tables()[1].data
    res = beyond_limits(study_a.data, b, limits).table.set_index("variable")
    for lim in limits:
        for data, col in ((study_a.data, "n_a_beyond"), (b, "n_b_beyond")):
            assert res.loc[lim.variable, col] == sum(lim.fails(x) for x in data[lim.variable])
    both = [any(lim.fails(r[lim.variable]) for lim in limits) for _, r in b.iterrows()]
    assert res.loc["any", "n_b_beyond"] == sum(both)
    # a spec replaces the class-1 limits
    spec_lim = (Limit("conductivity_s_cm", "min", 1.0, "spec", "spec minimum"),)
    t = beyond_limits(study_a.data, b, spec_lim)
    assert t.basis == "spec" and t.table.set_index("variable").loc["conductivity_s_cm", "share_b"] == 1.0


def test_json_fields_and_notebook(sigma_down):
    d = json.loads(sigma_down.to_json())
    assert d["headline"] == sigma_down.headline and "Hodges–Lehmann" in d["shift_method"]
    s = {v["variable"]: v for v in d["variables"]}["conductivity_s_cm"]
    assert s["direction"] == "lower" and s["change_pct"] == pytest.approx(
        100 * (s["median_b"] / s["median_a"] - 1))
    lo, hi = s["shift_ci"]
    assert lo <= s["shift"] <= hi < 0
    assert {v["direction"] for v in d["variables"] if not v["shifted"]} == {None}
    assert d["quality"]["basis"] == "class1" and d["quality"]["limits"][-1]["variable"] == "any"
    assert d["quality_answer"].startswith("Yes") and "recipe" in d["model_answer"]
    html = sigma_down._repr_html_()
    assert "σ fell" in html and "Did film quality change?" in html and "<table" in html
    assert "compare_studies" in ssereport.__all__


def test_large_tables_take_the_shift_from_subsamples(monkeypatch):
    import ssereport.analysis.compare as cmp

    monkeypatch.setattr(cmp, "HL_MAX_PAIRS", 1000)
    monkeypatch.setattr(cmp, "HL_SUBSAMPLE", 30)
    rng = np.random.default_rng(11)
    a = pd.DataFrame({"x": rng.normal(0, 1, 200)})
    b = pd.DataFrame({"x": rng.normal(2, 1, 150)})
    t = cmp.shift_tests(a, b, ["x"], seed=3)
    assert t.loc[0, "n_a"] == 200 and t.loc[0, "n_b"] == 150  # the test itself on every film
    sub = np.random.default_rng(3)
    xa, xb = sub.choice(a["x"].to_numpy(), 30, replace=False), sub.choice(b["x"].to_numpy(), 30, replace=False)
    assert t.loc[0, "shift"] == hodges_lehmann(xa, xb)[0]
    assert "random subsamples of 30 films" in cmp.shift_method(200, 150)
    assert "subsample" not in cmp.shift_method(20, 15)


def test_compare_document_is_a_section_registry_with_safe_partials():
    import re
    from importlib import resources

    from ssereport.report.compare import COMPARE_SECTIONS

    assert COMPARE_SECTIONS.ids()[:2] == ["summary", "shifts"]  # the headline leads
    folder = resources.files("ssereport") / "templates"
    for sec in COMPARE_SECTIONS:
        assert (folder / sec.html_template).is_file(), sec.html_template
        text = (folder / sec.typst_template).read_text(encoding="utf-8")
        assert "#let render(sec, s)" in text
        assert "eval(" not in text and '"@' not in text and not re.findall(r"\b(json|read|image)\(", text)
