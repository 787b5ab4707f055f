"""Reference model round trip and batch judging."""

from __future__ import annotations

import base64
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from ssereport import DataError, load_films
from ssereport.analysis.capability import capability
from ssereport.analysis.control import imr_chart, western_electric
from ssereport.errors import ConfigError, ModelError
from ssereport.qa.judge import judge_batch
from ssereport.qa.model import MODEL_SCHEMA, _checksum, fit_model, load_model
from ssereport.qa.reasons import RANGE_SOURCE, finding_text
from ssereport.qa.spec import load_spec

from .conftest import ROOT

BATCHES = sorted((ROOT / "data" / "batches").glob("*.csv"))


@pytest.fixture(scope="module")
def model_path(reference_model_path):
    return reference_model_path


@pytest.fixture(scope="module")
def model(model_path):
    return load_model(model_path)


def test_model_is_plain_json_with_schema(model_path):
    d = json.loads(model_path.read_text())
    assert d["schema_version"] == MODEL_SCHEMA
    assert d["checksum"].startswith("sha256:")
    assert set(d) >= {"pca", "kmeans", "svm", "ranges", "class1", "info"}
    assert d["info"]["data"]["sha256"] and d["info"]["data"]["n_films"] == 110
    # the readable SVM numbers, and the fitted pipeline itself (skops, base64)
    sv = d["svm"]
    assert set(sv) >= {"scaler_mean", "scaler_scale", "pairs", "coef", "intercept", "pipeline_skops_base64"}
    assert "sklearn.svm.SVC(kernel=\"linear\", C=1, tol=1e-06)" in sv["pipeline"]
    assert zipfile.is_zipfile(__import__("io").BytesIO(base64.b64decode(sv["pipeline_skops_base64"])))


def test_loaded_model_reproduces_every_reference_film(model, reference_results):
    d = reference_results.table.data
    np.testing.assert_array_equal(model.observed_class(d), reference_results.clusters.labels.to_numpy())
    k = reference_results.classifier
    assert model.svm_pipeline is not k.model  # really loaded from the file
    pred, margin = model.predict(d)
    pred2, margin2 = k.predict(d)
    np.testing.assert_array_equal(pred, pred2)
    np.testing.assert_array_equal(margin, margin2)  # exact: the same fitted pipeline
    np.testing.assert_array_equal(model.svm_coef, k.coef)
    # and on every point of the decision-map grid, at every P% level
    dm = reference_results.decision_map
    gx, gy = np.meshgrid(dm.ls, dm.xb)
    for i, p in enumerate(dm.polymer_levels):
        frame = pd.DataFrame({"polymer_wt_pct": p, "ls_ratio": gx.ravel(), "xylene_vol_pct": gy.ravel()})
        pred, margin = model.predict(frame)
        np.testing.assert_array_equal(pred.reshape(gx.shape), dm.predicted[i])
        np.testing.assert_array_equal(margin.reshape(gx.shape), dm.margin[i])


def _rewrite(model_path, tmp_path, change):
    """A model file edited by ``change(body)`` and given a valid checksum (an edit made on purpose)."""
    body = json.loads(model_path.read_text())
    change(body)
    body["checksum"] = _checksum(body)
    p = tmp_path / "edited.json"
    p.write_text(json.dumps(body))
    return p


def _skops_b64(obj) -> str:
    import skops.io

    return base64.b64encode(skops.io.dumps(obj)).decode()


def _untrusted_pipeline():
    import os

    from imblearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    return Pipeline([("scale", FunctionTransformer(func=os.system))])


def _other_pipeline(reference_results):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    d = reference_results.table.data
    x, y = d[["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"]].to_numpy(), reference_results.clusters.labels
    return Pipeline([("scale", StandardScaler()), ("svc", LogisticRegression())]).fit(x, y.to_numpy())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b, r: b["svm"].update(pipeline_skops_base64=_skops_b64(_untrusted_pipeline())),
         "names types that are not trusted: posix.system"),
        (lambda b, r: b["svm"].update(pipeline_skops_base64=_skops_b64(_other_pipeline(r))),
         "not the ssereport pipeline"),
        (lambda b, r: b["svm"].update(pipeline_skops_base64="not base64!"), "not base64 text"),
        (lambda b, r: b["svm"].update(pipeline_skops_base64=base64.b64encode(b"PK not a zip").decode()),
         "not a readable skops file"),
        (lambda b, r: b["svm"].pop("pipeline_skops_base64"), "missing 'pipeline_skops_base64'"),
        (lambda b, r: b["svm"]["coef"][0].__setitem__(0, 0.5), "do not describe the embedded pipeline"),
        (lambda b, r: b["svm"]["scaler_mean"].__setitem__(1, 0.5), "do not describe the embedded pipeline"),
    ],
)
def test_tampered_pipelines_are_refused(model_path, tmp_path, reference_results, change, message):
    p = _rewrite(model_path, tmp_path, lambda b: change(b, reference_results))
    with pytest.raises(ModelError, match=message):
        load_model(p)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t[: len(t) // 2], "not JSON, or truncated"),
        (lambda t: t.replace(f'"{MODEL_SCHEMA}"', '"ssereport-model/9"'), "schema_version 'ssereport-model/9'"),
        (lambda t: t.replace(f'"{MODEL_SCHEMA}"', '"ssereport-model/1"'), "'ssereport-model/1' is not supported"),
        (lambda t: t.replace('"pipeline_skops_base64": "', '"pipeline_skops_base64": "AAAA', 1), "checksum mismatch"),
        (lambda t: t.replace('"rd": [', '"rd": [0.5, ', 1), "checksum mismatch"),
        (lambda t: '{"hello": 1}', "not an ssereport model"),
        (lambda t: "", "not JSON"),
    ],
)
def test_bad_model_files(model_path, tmp_path, mutate, message):
    p = tmp_path / "m.json"
    p.write_text(mutate(model_path.read_text()))
    with pytest.raises(ModelError, match=message):
        load_model(p)


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelError, match="model file not found.*ssereport fit"):
        load_model(tmp_path / "none.json")


def test_example_batches(model):
    verdicts = {}
    for f in BATCHES:
        b = judge_batch(model, load_films(f))
        verdicts[b.batch_id] = b
        d = b.to_dict()
        json.dumps(d, allow_nan=False)
        assert {"batch_id", "verdict", "counts", "films", "provenance"} <= set(d)
        assert len(d["films"]) == len(b.table.data)
        assert set(d["films"][0]) >= {"sample_id", "observed_class", "predicted_class", "margin", "pass",
                                       "out_of_range", "reasons", "notes"}
    assert verdicts["2026-03-02_A"].verdict == "pass"
    b = verdicts["2026-03-09_B"]
    assert b.verdict == "pass" and b.counts["pass"] == 11
    (fail_b,) = b.films.loc[~b.films["pass"], "reasons"]
    rd_q95 = model.class1["rd"]["q95"]
    assert [r.to_dict() for r in fail_b] == [{"variable": "rd", "value": 0.1348, "limit": rd_q95, "op": ">",
                                              "unit": "", "source": "95th percentile of class-1 reference films"}]
    assert finding_text(fail_b[0]) == f"RD = 0.135 > {rd_q95:.3f} (95th percentile of class-1 reference films)"
    c = verdicts["2026-03-16_C"]
    assert c.verdict == "fail"
    assert (c.films["observed_class"] == 3).all()
    # every failure quotes the value and the limit
    assert all(finding_text(reasons[0]).startswith("σ = ") and "S/cm < 3.21 × 10⁻⁴ S/cm (5th percentile of "
               "class-1 reference films)" in finding_text(reasons[0]) for reasons in c.films["reasons"])
    # a reason names only a limit the film broke; extrapolations are notes
    assert all(r.source != RANGE_SOURCE for rs in c.films["reasons"] for r in rs)
    assert all(r.source == RANGE_SOURCE for ns in c.films["notes"] for r in ns)
    assert c.films["notes"].map(len).sum() > 0
    d = c.to_dict()
    assert d["acceptance"]["basis"] == "class1"
    assert [(x["variable"], x["kind"]) for x in d["acceptance"]["limits"]] == [("conductivity_s_cm", "min"),
                                                                               ("rd", "max")]
    assert d["acceptance"]["limits"][0]["value"] == model.class1["conductivity_s_cm"]["q05"]


def _class1_films(reference_results) -> pd.DataFrame:
    d = reference_results.table.data
    return d[reference_results.clusters.labels.to_numpy() == 1].reset_index(drop=True)


def test_class1_limits_are_quantiles_of_the_reference_class1_films(model, reference_results):
    c1 = _class1_films(reference_results)
    # R: quantile(sigma[class == 1], 0.05); quantile(rd[class == 1], 0.95)   (type 7)
    np.testing.assert_allclose(model.class1["conductivity_s_cm"]["q05"],
                               np.quantile(c1["conductivity_s_cm"], 0.05), rtol=1e-12)
    np.testing.assert_allclose(model.class1["rd"]["q95"], np.quantile(c1["rd"], 0.95), rtol=1e-12)
    assert set(model.class1) == {"conductivity_s_cm", "rd", "thickness_um", "dot_um", "density_g_cm3",
                                 "resistance_ohm"}


def test_reference_class1_films_within_the_limits_pass(model, reference_results):
    """By construction: a class-1 film within both limits passes; the documented share (>= 90 %) holds."""
    c1 = _class1_films(reference_results)
    b = judge_batch(model, c1, batch_id="class1")
    lo, hi = model.class1["conductivity_s_cm"]["q05"], model.class1["rd"]["q95"]
    within = ((c1["conductivity_s_cm"] >= lo) & (c1["rd"] <= hi)).to_numpy()
    np.testing.assert_array_equal(b.films["pass"].to_numpy(), within)
    assert within.mean() >= 0.9 and b.verdict == "pass"  # 56 of 60 with the bundled reference
    assert int(within.sum()) == 56


def test_recipe_swap_keeps_every_verdict(model, reference_results):
    """Changing only P%, L:S and X:B (permuted among films, or replaced by a class-3 recipe) changes no verdict."""
    d = reference_results.table.data.reset_index(drop=True)
    labels = reference_results.clusters.labels.to_numpy()
    base = judge_batch(model, d, batch_id="ref").films
    recipe = ["polymer_wt_pct", "ls_ratio", "xylene_vol_pct"]
    rng = np.random.default_rng(13)
    class3_recipe = d.loc[labels == 3, recipe].iloc[0].to_numpy()
    variants = [d[recipe].to_numpy()[rng.permutation(len(d))] for _ in range(3)]
    variants.append(np.tile(class3_recipe, (len(d), 1)))
    variants.append(d[recipe].to_numpy()[::-1])
    for new in variants:
        swapped = d.copy()
        swapped[recipe] = new
        films = judge_batch(model, swapped, batch_id="swapped").films
        np.testing.assert_array_equal(films["pass"].to_numpy(), base["pass"].to_numpy())
        assert [[x.to_dict() for x in rs] for rs in films["reasons"]] == \
            [[x.to_dict() for x in rs] for rs in base["reasons"]]
    # the recipe does move the nearest class of some films (it is in the PCA), so the test has teeth
    moved = judge_batch(model, d.assign(**dict(zip(recipe, variants[3].T))), batch_id="s").films["observed_class"]
    assert (moved.to_numpy() != base["observed_class"].to_numpy()).any()
    # the reference class-1 films with swapped recipes keep their verdicts
    c1 = labels == 1
    assert base.loc[c1, "pass"].sum() == 56


def test_out_of_range_is_flagged_not_hidden(model, reference_table):
    d = reference_table.data.head(5).copy()
    d.iloc[0, d.columns.get_loc("conductivity_s_cm")] = 2e-3
    b = judge_batch(model, d.reset_index(drop=True), batch_id="x")
    film = b.films.iloc[0]
    assert "conductivity_s_cm" in film["out_of_range"]
    assert [n.to_dict() for n in film["notes"]] == [{
        "variable": "conductivity_s_cm", "value": 2e-3, "limit": model.ranges["conductivity_s_cm"][1], "op": ">",
        "unit": "S/cm", "source": RANGE_SOURCE}]
    assert all(r.source != RANGE_SOURCE for r in film["reasons"])


def _median_class1_film(model, reference_results) -> pd.DataFrame:
    """Two copies of the reference class-1 film closest to the class-1 medians (a passing film)."""
    c1 = _class1_films(reference_results)
    score = sum(((c1[v] - model.class1[v]["median"]) / model.class1[v]["sd"]) ** 2 for v in ("conductivity_s_cm", "rd"))
    film = c1.loc[[score.idxmin()]].drop(columns=[f"thickness_{i}" for i in range(1, 10)], errors="ignore")
    return pd.concat([film, film], ignore_index=True).assign(sample_id=["a", "b"])


def test_a_sigma_third_film_fails_on_sigma_only(model, reference_results):
    """σ cut to a third (a planted failure): exactly one reason, on σ, with value < limit; the other film passes."""
    d = _median_class1_film(model, reference_results)
    d.loc[0, "conductivity_s_cm"] /= 3
    b = judge_batch(model, d, batch_id="s3")
    assert b.films["pass"].tolist() == [False, True]
    (r,) = b.films["reasons"].iloc[0]
    assert r.to_dict() == {"variable": "conductivity_s_cm", "value": d.loc[0, "conductivity_s_cm"],
                           "limit": model.class1["conductivity_s_cm"]["q05"], "op": "<", "unit": "S/cm",
                           "source": "5th percentile of class-1 reference films"}
    assert r.value < r.limit
    assert b.films["reasons"].iloc[1] == ()
    assert b.to_dict()["films"][0]["reasons"] == [r.to_dict()]


def test_a_low_rd_film_gets_a_note_not_a_reason(model, reference_results):
    """RD below every reference film is better than the limit: a note (extrapolation), never a reason."""
    d = _median_class1_film(model, reference_results)
    lo = model.ranges["rd"][0]
    d.loc[0, "rd"] = lo / 2
    d.loc[0, "dot_um"] = d.loc[0, "rd"] * d.loc[0, "thickness_um"]  # DoT = RD × thickness, as measured
    b = judge_batch(model, d, batch_id="lowrd")
    film = b.to_dict()["films"][0]
    assert film["pass"] is True and film["reasons"] == []
    assert {"variable": "rd", "value": lo / 2, "limit": lo, "op": "<", "unit": "",
            "source": RANGE_SOURCE} in film["notes"]
    assert {n["variable"] for n in film["notes"]} <= {"rd", "dot_um"}  # DoT = RD × thickness is low too
    assert all(n["source"] == RANGE_SOURCE and n["op"] == "<" for n in film["notes"])
    assert any(finding_text(n).startswith("RD = ") and "extrapolation" in finding_text(n) for n in film["notes"])


def test_spec_limits_and_capability(model, tmp_path):
    p = tmp_path / "spec.toml"
    p.write_text("[spec]\nsigma_min = 4e-4\nrd_max = 0.1\nthickness_min = 20\nthickness_max = 80\n")
    spec = load_spec(p)
    b = judge_batch(model, load_films(BATCHES[0]), spec=spec)
    cap = b.capability
    assert set(cap) == {"conductivity_s_cm", "rd", "thickness_um"}
    x = b.table.data["thickness_um"].to_numpy()
    sd = np.std(x, ddof=1)
    np.testing.assert_allclose(cap["thickness_um"]["pp"], 60 / (6 * sd))
    np.testing.assert_allclose(cap["thickness_um"]["ppk"], min(80 - x.mean(), x.mean() - 20) / (3 * sd))
    assert cap["conductivity_s_cm"]["cp"] is None  # one-sided
    expected = ((b.table.data["conductivity_s_cm"] >= 4e-4) & (b.table.data["rd"] <= 0.1)
                & b.table.data["thickness_um"].between(20, 80)).to_numpy()
    np.testing.assert_array_equal(b.films["pass"].to_numpy(), expected)


def test_capability_known_values():
    x = np.array([10.0, 12.0, 11.0, 13.0, 12.0])
    c = capability(x, 5.0, 17.0)
    mr_bar = np.mean([2, 1, 2, 1])
    np.testing.assert_allclose(c["cp"], 12 / (6 * mr_bar / 1.128))
    np.testing.assert_allclose(c["ppk"], (17 - 11.6) / (3 * np.std(x, ddof=1)))


def test_spec_errors(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text("sigma_mn = 1\n")
    with pytest.raises(ConfigError, match="unknown spec option 'sigma_mn'"):
        load_spec(p)
    p.write_text("rd_max = 'low'\n")
    with pytest.raises(ConfigError, match="'rd_max': got 'low', expected a number"):
        load_spec(p)
    p.write_text('sigma_min = "0.3 Ω"\n')
    with pytest.raises(ConfigError, match="'sigma_min': got '0.3 Ω', a quantity in Ω .*expected S/cm or a unit of "
                                          "the same kind"):
        load_spec(p)


def test_spec_with_units_gives_the_same_verdicts(model, tmp_path):
    plain, units = tmp_path / "plain.toml", tmp_path / "units.toml"
    plain.write_text("sigma_min = 3e-4\nrd_max = 0.1\nthickness_min = 20\nthickness_max = 100\n")
    units.write_text('[spec]\nsigma_min = "0.3 mS/cm"\nrd_max = "10 %"\nthickness_min = "0.02 mm"\n'
                     'thickness_max = "100 µm"\n')
    a, b = load_spec(plain), load_spec(units)
    for key in ("sigma_min", "rd_max", "thickness_min", "thickness_max"):
        np.testing.assert_allclose(getattr(b, key), getattr(a, key), rtol=1e-12)
    assert dict(b.given) == {"sigma_min": "0.3 mS/cm", "rd_max": "10 %", "thickness_min": "0.02 mm",
                             "thickness_max": "100 µm"}
    for f in BATCHES:
        ra, rb = judge_batch(model, load_films(f), spec=a), judge_batch(model, load_films(f), spec=b)
        np.testing.assert_array_equal(ra.films["pass"].to_numpy(), rb.films["pass"].to_numpy())
        assert ra.verdict == rb.verdict
    c = judge_batch(model, load_films(BATCHES[2]), spec=b)
    first = c.films["reasons"].iloc[0][0]
    assert (first.variable, first.op, first.source, first.unit) == ("conductivity_s_cm", "<", "spec", "S/cm")
    assert first.value < first.limit and first.limit == pytest.approx(3e-4)
    assert finding_text(first).startswith("σ = 1.44 × 10⁻⁴ S/cm < spec limit 3 × 10⁻⁴ S/cm"), finding_text(first)


@pytest.mark.parametrize(("text", "message"), [
    ("sigma_min = 0.3", r"spec.toml: sigma_min = 0.3 is far outside the range of the reference films, σ = "
                        r"1.22 × 10⁻⁴ to 8.70 × 10⁻⁴ S/cm.*Likely meant in mS/cm: write sigma_min = "
                        r"\"0.3 mS/cm\" \(= 3 × 10⁻⁴ S/cm\)"),
    ("thickness_max = 0.1", r"thickness_max = 0.1 is far outside.*Likely meant in mm: write thickness_max = "
                            r"\"0.1 mm\" \(= 100 µm\)"),
    ("rd_max = 10", r"rd_max = 10 is far outside.*Likely meant in %"),
])
def test_bare_spec_number_far_from_the_reference_is_an_error(model, tmp_path, text, message):
    p = tmp_path / "spec.toml"
    p.write_text(text + "\n")
    spec = load_spec(p)
    with pytest.raises(ConfigError, match=message):
        judge_batch(model, load_films(BATCHES[0]), spec=spec)
    # the same number with its unit written out is taken as written
    value, = [v.strip() for v in text.split("=")[1:]]
    unit = {"sigma_min": "S/cm", "thickness_max": "µm", "rd_max": "dimensionless"}[text.split()[0]]
    p.write_text(f'{text.split()[0]} = "{value} {unit}"\n')
    judge_batch(model, load_films(BATCHES[0]), spec=load_spec(p))


def test_unit_mistakes_are_named(model, reference_table):
    d = reference_table.data.head(6).reset_index(drop=True)
    with pytest.raises(DataError, match="X:B looks like a fraction"):
        judge_batch(model, d.assign(xylene_vol_pct=d["xylene_vol_pct"] / 100), batch_id="f")
    with pytest.raises(DataError, match="about 1000× the reference range.*unit mistake"):
        judge_batch(model, d.assign(ls_ratio=d["ls_ratio"] * 1000), batch_id="f")


def test_unit_mistake_names_the_header_as_written(model, tmp_path):
    # The trial: σ ×1000 under a header without a unit must be refused naming that header.
    frame = pd.read_csv(BATCHES[0])
    frame["conductivity_s_cm"] *= 1000
    p = tmp_path / "batch_ms.csv"
    frame.rename(columns={"conductivity_s_cm": "Conductivity"}).to_csv(p, index=False)
    with pytest.raises(DataError) as err:
        judge_batch(model, load_films(p))
    assert "column 'Conductivity' (conductivity_s_cm, in S/cm)" in str(err.value)
    assert "about 1000× the reference range" in str(err.value)


def test_single_film_batch(model, reference_table):
    with pytest.raises(DataError, match="the batch has 1 film; a batch report needs at least 2"):
        judge_batch(model, reference_table.data.head(1).reset_index(drop=True), batch_id="one")


def test_western_electric_rules():
    x = np.array([0, 0, 3.5, 0, 2.5, 2.5, 0, 1.5, 1.5, 1.5, 1.5, 0.5, 0.5, 0.5, 0.5])
    v = western_electric(x, 0.0, 1.0)
    assert v[2] == [1]
    assert 2 in v[5]
    assert 3 in v[10]
    assert 4 in v[14]  # 8 in a row above the center: indices 7..14
    assert 0 not in v and 1 not in v
    ch = imr_chart("rd", [1.0, 2.0, 4.0], ["a", "b", "c"], center=2.0, sigma=1.0)
    np.testing.assert_allclose(ch.moving_range, [1.0, 2.0])
    assert ch.ucl == 5.0 and ch.lcl == 0.0  # floored: RD cannot be negative
    assert imr_chart("x", [1.0, 2.0], ["a", "b"], center=2.0, sigma=1.0, lower_bound=None).lcl == -1.0


def test_control_flags_cover_both_panels():
    # moving ranges 0, 4, 0.5: the jump 0 -> 4 is above D4·d2·σ = 3.685 (σ = 1); 4.5 is beyond 3σ
    ch = imr_chart("rd", [0.0, 0.0, 4.0, 4.5], list("abcd"), center=0.0, sigma=1.0, lower_bound=None)
    assert ch.mr_violations == (2,)
    assert [(f.index, f.panel, f.rules) for f in ch.flags] == [
        (2, "individuals", (1,)), (2, "moving range", ("MR",)), (3, "individuals", (1, 2))]


def test_batch_json_records_the_model_file(model, model_path, tmp_path):
    import hashlib

    from ssereport.qa.run import run_batches

    outcomes = run_batches([BATCHES[0]], model, tmp_path, formats=("json",), model_path=model_path)
    d = json.loads((tmp_path / f"{outcomes[0]['batch_id']}.json").read_text())
    assert d["model"]["file"] == {"path": model_path.name,
                                  "sha256": hashlib.sha256(model_path.read_bytes()).hexdigest()}
    assert d["model"]["checksum"] == json.loads(model_path.read_text())["checksum"]
    assert d["provenance"]["python"] and "numpy" in d["provenance"]["packages"]


# --------------------------------------------------------------------------- notebook API (issue 12)

def test_top_level_exports_are_the_qa_functions():
    import ssereport
    from ssereport.qa import judge, model as qa_model

    assert ssereport.fit_model is qa_model.fit_model and ssereport.load_model is qa_model.load_model
    assert ssereport.judge_batch is judge.judge_batch
    assert {"fit_model", "judge_batch", "load_model"} <= set(ssereport.__all__)


def test_model_repr_and_html(model):
    text = repr(model)
    assert len(text) <= 2000 and text.startswith("ReferenceModel(data='sse_films_reference.csv', n_films=110")
    assert "classes={1: 60, 2: 29, 3: 21}" in text  # the reference class counts of the fitted model
    html = model._repr_html_()
    assert len(html.encode()) <= 200_000
    # the reference-range table: one row per variable, with the range the model stores
    from ssereport.format import fmt_num

    lo, hi = model.ranges["conductivity_s_cm"]
    row = html[html.index("<td>σ (S/cm)</td>"):]
    row = row[: row.index("</tr>")]
    assert f"<td>{fmt_num(lo)}</td>" in row and f"<td>{fmt_num(hi)}</td>" in row
    assert "Reference range" in html and html.count("<td>σ (S/cm)</td>") == 2  # ranges and class-1 tables
    assert "Reference class-1 films" in html and model.checksum in html


def test_batch_repr_and_html_are_bounded_and_escaped(model, reference_table):
    d = pd.concat([reference_table.data] * 3, ignore_index=True)  # 330 films
    d["sample_id"] = [f"<script>alert({i})</script>" for i in range(len(d))]
    b = judge_batch(model, d, batch_id="x" * 5000, spec=load_spec_text("sigma_min = 3e-4\nthickness_max = 80\n"))
    text = repr(b)
    assert len(text) <= 2000 and "films=330" in text and f"fail={b.counts['fail']}" in text
    html = b._repr_html_()
    assert len(html.encode()) <= 200_000
    assert "<script>" not in html and "&lt;script&gt;alert(0)&lt;/script&gt;" in html
    assert "alert(49)" in html and "alert(50)" not in html and "First 50 of 330 films shown" in html
    assert ("PASS" if b.verdict == "pass" else "FAIL") in html and "Process capability" in html
    cap = b.capability["conductivity_s_cm"]
    assert f"{cap['cpk']:.2f}" in html  # the Cpk of the result, as the report rounds it


def load_spec_text(text: str):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "spec.toml"
        p.write_text(text, encoding="utf-8")
        return load_spec(p)
