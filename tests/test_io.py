"""Loading and validation: every problem named with file, row, column, value, expected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ssereport import DataError, load_films
from ssereport.io import table_from_frame
from ssereport.schema import READINGS, REQUIRED

from .conftest import REFERENCE_CSV


def frame(n: int = 12, readings: bool = False) -> pd.DataFrame:
    df = pd.read_csv(REFERENCE_CSV, dtype={"sample_id": str}).head(n)
    if not readings:
        df = df.drop(columns=list(READINGS))
    return df


def to_csv(df: pd.DataFrame, path, sep: str = ",") -> None:
    df.to_csv(path, index=False, sep=sep)


def problems(exc: DataError) -> list[str]:
    return [p.format() for p in exc.problems]


def test_reference_loads_with_readings(reference_table):
    t = reference_table
    assert t.n_rows == 110 and t.n_analyzed == 110
    assert list(t.data.index[:3]) == [2, 3, 4]  # spreadsheet rows, header = row 1
    assert t.data["sample_id"].is_unique
    assert len(t.sha256) == 64
    # thickness/DoT/RD agree with the readings
    r = t.data[list(READINGS)].to_numpy()
    np.testing.assert_allclose(t.data["thickness_um"], r.mean(axis=1), rtol=0.01)
    np.testing.assert_allclose(t.data["dot_um"], r.std(axis=1, ddof=1), rtol=0.01)


def test_aliased_headers_and_units(tmp_path):
    df = frame()
    df.columns = ["Sample", "P (%)", "L:S", "X/B", "Thickness (µm)", "ρ (g/cm3)", "Ω", "σ (S/cm)", "DoT", "RD"]
    p = tmp_path / "aliased.csv"
    to_csv(df, p)
    t = load_films(p)
    assert list(t.data.columns) == list(REQUIRED)
    np.testing.assert_allclose(t.data["conductivity_s_cm"], frame()["conductivity_s_cm"])


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_with_decimal_comma(tmp_path, sep):
    df = frame()
    p = tmp_path / "eu.csv"
    text = df.to_csv(index=False, sep=sep).replace(".", ",")
    p.write_text(text.replace("SSE-", "SSE-"), encoding="utf-8")
    t = load_films(p)
    np.testing.assert_allclose(t.data["ls_ratio"], df["ls_ratio"])
    assert any("decimal comma" in n for n in t.notes)


def test_xlsx_first_sheet_and_named_sheet(tmp_path):
    df = frame()
    p = tmp_path / "films.xlsx"
    with pd.ExcelWriter(p) as xw:
        df.to_excel(xw, sheet_name="films", index=False)
        df.assign(ls_ratio=df["ls_ratio"] * 2).to_excel(xw, sheet_name="other", index=False)
    t = load_films(p)
    np.testing.assert_allclose(t.data["ls_ratio"], df["ls_ratio"])
    assert any("2 sheets" in n for n in t.notes)
    t2 = load_films(p, sheet="other")
    np.testing.assert_allclose(t2.data["ls_ratio"], df["ls_ratio"] * 2)
    with pytest.raises(DataError, match="no sheet named 'nope'"):
        load_films(p, sheet="nope")


def test_readings_only_compute_thickness_dot_rd(tmp_path):
    df = frame(readings=True).drop(columns=["thickness_um", "dot_um", "rd"])
    p = tmp_path / "readings.csv"
    to_csv(df, p)
    t = load_films(p)
    r = df[list(READINGS)].to_numpy()
    np.testing.assert_allclose(t.data["thickness_um"], r.mean(axis=1))
    np.testing.assert_allclose(t.data["rd"], r.std(axis=1, ddof=1) / r.mean(axis=1))
    assert any("computed from the 9 thickness readings" in n for n in t.notes)


def test_missing_required_column(tmp_path):
    p = tmp_path / "f.csv"
    to_csv(frame().drop(columns=["conductivity_s_cm"]), p)
    with pytest.raises(DataError) as ei:
        load_films(p)
    msg = str(ei.value)
    assert "f.csv" in msg and "required column 'conductivity_s_cm'" in msg and "σ" in msg


def test_every_cell_problem_reported_at_once(tmp_path):
    df = frame().astype({"ls_ratio": object, "thickness_um": object, "xylene_vol_pct": object,
                         "rd": object, "resistance_ohm": object})
    df.loc[0, "ls_ratio"] = "abc"          # row 2
    df.loc[2, "thickness_um"] = ""         # row 4 empty
    df.loc[3, "xylene_vol_pct"] = 150      # row 5 out of range
    df.loc[4, "rd"] = 1.2                  # row 6 RD >= 1
    df.loc[5, "resistance_ohm"] = "inf"    # row 7 not finite
    df.loc[6, "thickness_um"] = -3         # row 8 negative
    p = tmp_path / "batch7.csv"
    to_csv(df, p)
    with pytest.raises(DataError) as ei:
        load_films(p)
    got = problems(ei.value)
    assert len(got) == 6
    assert got[0] == ("row 2, column 'ls_ratio': got 'abc', not a number; expected a number > 0 (µL/mg)")
    assert "row 4, column 'thickness_um': empty cell" in got[1]
    assert "row 5, column 'xylene_vol_pct': got '150'" in got[2] and "0 to 100" in got[2]
    assert "row 6, column 'rd'" in got[3] and "< 1" in got[3]
    assert "row 7, column 'resistance_ohm': got 'inf', not a number" in got[4]
    assert "row 8, column 'thickness_um': got '-3'" in got[5]
    assert str(ei.value).startswith("6 problems in batch7.csv:")


def test_duplicate_sample_id_names_both_rows(tmp_path):
    df = frame()
    df.loc[5, "sample_id"] = df.loc[1, "sample_id"]
    p = tmp_path / "dup.csv"
    to_csv(df, p)
    with pytest.raises(DataError, match=r"row 7, column 'sample_id': got 'SSE-002', duplicate sample_id "
                                        r"\(also in row 3\)"):
        load_films(p)


def test_same_column_twice_after_aliases(tmp_path):
    df = frame()
    df["polymer"] = df["polymer_wt_pct"]
    p = tmp_path / "twice.csv"
    to_csv(df, p)
    with pytest.raises(DataError, match="both 'polymer_wt_pct' and 'polymer' mean 'polymer_wt_pct'"):
        load_films(p)


def test_readings_disagree_with_given_dot(tmp_path):
    df = frame(readings=True)
    df.loc[3, "dot_um"] = df.loc[3, "dot_um"] * 1.5
    p = tmp_path / "dot.csv"
    to_csv(df, p)
    with pytest.raises(DataError, match=r"row 5, column 'dot_um'.*disagrees with the standard deviation"):
        load_films(p)


def test_partial_readings(tmp_path):
    df = frame(readings=True).drop(columns=["thickness_9"])
    p = tmp_path / "partial.csv"
    to_csv(df, p)
    with pytest.raises(DataError, match="only 8 of the 9 thickness readings"):
        load_films(p)


def test_drop_invalid_lists_every_excluded_row(tmp_path):
    df = frame().astype({"ls_ratio": object})
    df.loc[0, "ls_ratio"] = "n/a"
    df.loc[4, "ls_ratio"] = "-"
    p = tmp_path / "drop.csv"
    to_csv(df, p)
    t = load_films(p, drop_invalid=True)
    assert t.n_rows == 12 and t.n_analyzed == 10
    assert [(e.row, e.sample_id) for e in t.excluded] == [(2, "SSE-001"), (6, "SSE-005")]
    assert "not a number" in t.excluded[0].reason
    assert 2 not in t.data.index and 6 not in t.data.index


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"sample_id,polymer_wt_pct\n", "required column"),
        (",".join(REQUIRED).encode() + b"\n", "no data rows"),
        (b"just some words\n", "could not find a column separator"),
    ],
)
def test_empty_and_header_only(tmp_path, content, message):
    p = tmp_path / "x.csv"
    p.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_films(p)


def test_not_a_zip_xlsx(tmp_path):
    p = tmp_path / "fake.xlsx"
    p.write_bytes(b"this is not a workbook")
    with pytest.raises(DataError, match="not a valid XLSX file"):
        load_films(p)


def test_file_too_large(tmp_path):
    p = tmp_path / "big.csv"
    p.write_bytes(b"a,b\n" + b"1,2\n" * 300_000)
    with pytest.raises(DataError, match=r"1.1 MiB; refused above 1 MiB"):
        load_films(p, max_file_mb=1)


def test_latin1_and_bom(tmp_path):
    df = frame()
    text = df.to_csv(index=False).replace("thickness_um", "Thickness (µm)")
    p1 = tmp_path / "latin1.csv"
    p1.write_bytes(text.encode("latin-1"))
    t = load_films(p1)
    assert "thickness_um" in t.data.columns and any("Windows-1252" in n for n in t.notes)
    p2 = tmp_path / "bom.csv"
    p2.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_films(p2).data.columns[0] == "sample_id"


def test_blank_rows_are_skipped_and_said(tmp_path):
    text = frame().to_csv(index=False)
    lines = text.splitlines()
    lines.insert(3, ",,,,,,,,,")
    p = tmp_path / "blank.csv"
    p.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    t = load_films(p)
    assert t.n_analyzed == 12
    assert any("blank row" in n for n in t.notes)
    assert 4 not in t.data.index and 5 in t.data.index


def test_unknown_columns_are_named(tmp_path):
    p = tmp_path / "extra.csv"
    to_csv(frame().assign(operator="Ann"), p)
    t = load_films(p)
    assert any("'operator'" in n for n in t.notes)


def test_frame_validation_same_rules():
    df = frame().astype({"ls_ratio": object})
    df.loc[1, "ls_ratio"] = "x"
    with pytest.raises(DataError, match=r"<DataFrame>, row 3, column 'ls_ratio': got 'x'"):
        table_from_frame(df)


def test_fast_and_careful_paths_give_identical_data(reference_text, tmp_path):
    from ssereport.io import _csv_rows, validate_films

    fast = load_films(REFERENCE_CSV)
    header, body = _csv_rows(reference_text, ",")
    careful, excluded, notes, n_rows = validate_films(header, body, source="x")
    pd.testing.assert_frame_equal(fast.data, careful)
    assert n_rows == fast.n_rows and excluded == ()
    # semicolon + decimal comma too
    p = tmp_path / "eu.csv"
    p.write_text(reference_text.replace(",", ";").replace(".", ","), encoding="utf-8")
    pd.testing.assert_frame_equal(load_films(p).data, fast.data)


# --------------------------------------------------------------------------- units in headers (issue 13)

BATCH_A = REFERENCE_CSV.parent / "batches" / "batch_2026-03-02_A.csv"


def _in_ms_cm_and_mm(df: pd.DataFrame) -> pd.DataFrame:
    """The same films with σ in mS/cm (×1000) and every thickness in mm (÷1000), units in the headers."""
    out = df.copy()
    out["conductivity_s_cm"] = out["conductivity_s_cm"] * 1000
    renames = {"conductivity_s_cm": "Conductivity (mS/cm)", "thickness_um": "Thickness (mm)"}
    for c in ["thickness_um"] + [c for c in READINGS if c in out.columns]:
        out[c] = out[c] / 1000
        renames.setdefault(c, f"{c} (mm)")
    return out.rename(columns=renames)


def test_ms_cm_and_mm_headers_give_identical_table_and_analysis(tmp_path):
    from ssereport import analyze
    from ssereport.config import Config

    ref = pd.read_csv(REFERENCE_CSV, dtype={"sample_id": str})
    canonical, converted = tmp_path / "s_cm_um.csv", tmp_path / "ms_cm_mm.csv"
    ref.to_csv(canonical, index=False)
    _in_ms_cm_and_mm(ref).to_csv(converted, index=False)
    a, b = load_films(canonical), load_films(converted)
    pd.testing.assert_frame_equal(a.data, b.data)  # identical, not just close
    assert "column 'Conductivity (mS/cm)': mS/cm converted to S/cm (×0.001)" in b.notes
    assert "column 'Thickness (mm)': mm converted to µm (×1000)" in b.notes
    assert b.units["conductivity_s_cm"].factor == pytest.approx(1e-3, rel=1e-15)
    # the careful (row-by-row) path converts the same way: a blank line forces it
    careful = tmp_path / "careful.csv"
    text = converted.read_text(encoding="utf-8").splitlines()
    careful.write_text("\n".join(text[:5] + [""] + text[5:]) + "\n", encoding="utf-8")
    pd.testing.assert_frame_equal(load_films(careful).data.reset_index(drop=True), a.data.reset_index(drop=True))
    cfg = Config(n_bootstrap=0, cv_repeats=1)
    ra, rb = analyze(a, cfg), analyze(b, cfg)
    np.testing.assert_array_equal(ra.clusters.labels, rb.clusters.labels)
    assert ra.classifier.test_f1_macro == rb.classifier.test_f1_macro


def test_ms_cm_and_mm_batch_gets_the_same_verdicts(reference_results, tmp_path):
    from ssereport.qa.judge import judge_batch
    from ssereport.qa.model import fit_model

    model = fit_model(reference_results)
    batch = pd.read_csv(BATCH_A, dtype={"sample_id": str, "batch_id": str})
    p = tmp_path / "batch_ms_cm_mm.csv"
    _in_ms_cm_and_mm(batch).to_csv(p, index=False)
    a = judge_batch(model, load_films(BATCH_A))
    b = judge_batch(model, load_films(p))
    assert a.verdict == b.verdict
    assert list(a.films["pass"]) == list(b.films["pass"])
    assert list(a.films["observed_class"]) == list(b.films["observed_class"])


@pytest.mark.parametrize(("column", "header", "written"), [
    ("conductivity_s_cm", "σ (µS/cm)", 1e6), ("conductivity_s_cm", "σ (uS/cm)", 1e6),
    ("conductivity_s_cm", "sigma [S/m]", 100), ("thickness_um", "Thickness (nm)", 1000),
    ("thickness_um", "Thickness (um)", 1), ("dot_um", "DoT (mm)", 1e-3), ("resistance_ohm", "Ω (kΩ)", 1e-3),
    ("resistance_ohm", "Resistance (mΩ)", 1000), ("resistance_ohm", "R (Ohm)", 1),
    ("density_g_cm3", "ρ (g/mL)", 1), ("density_g_cm3", "Density (kg/m³)", 1000),
    ("density_g_cm3", "rho [g/cm3]", 1), ("rd", "RD (%)", 100), ("xylene_vol_pct", "X:B (fraction)", 0.01),
    ("polymer_wt_pct", "P (fraction)", 0.01), ("ls_ratio", "L:S (µL/g)", 1000), ("ls_ratio", "L:S (mL/g)", 1),
])
def test_header_units_are_converted(tmp_path, column, header, written):
    df = frame()
    p = tmp_path / "u.csv"
    df.assign(**{column: df[column] * written}).rename(columns={column: header}).to_csv(p, index=False)
    t = load_films(p)
    np.testing.assert_allclose(t.data[column], df[column], rtol=1e-12)
    assert t.headers[column] == header
    if written != 1:
        assert any(n.startswith(f"column {header!r}: ") and "converted to" in n for n in t.notes), t.notes
    else:
        assert not any("converted to" in n for n in t.notes), t.notes


@pytest.mark.parametrize(("header", "message"), [
    ("σ (Ω)", "column 'σ (Ω)': the unit 'Ω' (ohm) in the header is not a unit of ionic conductivity; "
              "expected S/cm or a unit convertible to it"),
    ("σ (mm)", "column 'σ (mm)': the unit 'mm' (millimeter) in the header is not a unit of ionic conductivity"),
    ("σ (avg)", "column 'σ (avg)': the unit 'avg' in the header is not a unit ssereport can read"),
])
def test_header_unit_of_the_wrong_dimension_is_an_error(tmp_path, header, message):
    p = tmp_path / "dim.csv"
    frame().rename(columns={"conductivity_s_cm": header}).to_csv(p, index=False)
    with pytest.raises(DataError) as err:
        load_films(p)
    assert message in str(err.value)


def test_unitless_header_keeps_the_plausibility_note(tmp_path):
    df = frame()
    p = tmp_path / "x1000.csv"
    df.assign(conductivity_s_cm=df["conductivity_s_cm"] * 1000).to_csv(p, index=False)
    assert any("check the unit (mS/cm?" in n for n in load_films(p).notes)
    q = tmp_path / "labelled.csv"  # the same numbers with the unit in the header: converted, no doubt left
    df.assign(conductivity_s_cm=df["conductivity_s_cm"] * 1000).rename(
        columns={"conductivity_s_cm": "σ (mS/cm)"}).to_csv(q, index=False)
    assert not any("check the unit" in n for n in load_films(q).notes)


def test_xb_ratio_text_is_read_as_vol_pct(tmp_path):
    df = frame().astype({"xylene_vol_pct": object})
    df["xylene_vol_pct"] = [f"{v:g}:{100 - v:g}" for v in frame()["xylene_vol_pct"]]
    df.loc[0, "xylene_vol_pct"] = "1:3"
    p = tmp_path / "ratio.csv"
    df.to_csv(p, index=False)
    t = load_films(p)
    expected = frame()["xylene_vol_pct"].to_numpy(dtype=float)
    expected[0] = 25.0
    np.testing.assert_allclose(t.data["xylene_vol_pct"], expected)
    (note,) = [n for n in t.notes if "ratio" in n]
    assert "12 value(s) written as a ratio" in note and "'1:3'" in note and "1:3 -> 25 vol%" in note


def test_trailing_summary_rows_get_one_message(tmp_path):
    df = frame().astype(object)
    df.loc[len(df)] = ["Mean", "", "", "", 40.1, 1.5, "", 0.0005, "", ""]
    df.loc[len(df)] = ["Std. dev.", "", "", "", 3.0, 0.1, "", 0.0002, "", ""]
    p = tmp_path / "mean.csv"
    df.to_csv(p, index=False)
    with pytest.raises(DataError) as err:
        load_films(p)
    assert problems(err.value) == [
        "2 rows (14–15): looks like a row of statistics ('Mean', 'Std. dev.') below the films, not a film; "
        "delete these rows — ssereport computes its own statistics"]
    t = load_films(p, drop_invalid=True)
    assert t.n_analyzed == 12 and [e.row for e in t.excluded] == [14, 15]
    # a complete "Average" row would otherwise be analysed as a film, even on the fast path
    full = frame()
    average = pd.DataFrame([["Average"] + list(full.iloc[:, 1:].mean())], columns=full.columns)
    pd.concat([full, average]).to_csv(p, index=False)
    with pytest.raises(DataError, match=r"row 14: looks like a row of statistics \('Average'\)"):
        load_films(p)


def test_repeated_errors_in_one_column_collapse(tmp_path):
    df = frame().astype({"density_g_cm3": object, "resistance_ohm": object})
    df.loc[2:9, "density_g_cm3"] = "n/a"
    df.loc[11, "density_g_cm3"] = "n/a"
    df.loc[5, "resistance_ohm"] = "n/a"
    p = tmp_path / "na.csv"
    df.to_csv(p, index=False)
    with pytest.raises(DataError) as err:
        load_films(p)
    assert problems(err.value) == [
        "9 rows (4–11, 13), column 'density_g_cm3': got 'n/a', not a number; expected a number > 0 (g/cm³)",
        "row 7, column 'resistance_ohm': got 'n/a', not a number; expected a number > 0 (Ω)"]


def _workbook(path, sheets: dict[str, pd.DataFrame | None]) -> None:
    with pd.ExcelWriter(path) as xw:
        for name, df in sheets.items():
            (df if df is not None else pd.DataFrame({"remark": ["see the next sheet"]})).to_excel(
                xw, sheet_name=name, index=False)


def test_xlsx_table_found_on_another_sheet(tmp_path):
    p = tmp_path / "w.xlsx"
    _workbook(p, {"Cover": None, "Films": frame()})
    t = load_films(p)
    assert t.n_analyzed == 12
    assert "the first sheet, 'Cover', holds no film table; read the sheet 'Films' instead" in t.notes[0]
    np.testing.assert_allclose(t.data["ls_ratio"], frame()["ls_ratio"])
    assert load_films(p, sheet="FILMS").n_analyzed == 12  # --sheet ignores case
    q = tmp_path / "two.xlsx"
    _workbook(q, {"Cover": None, "Batch A": frame(), "Batch B": frame()})
    with pytest.raises(DataError, match=r"2 other sheets do: \['Batch A', 'Batch B'\]; choose one with --sheet"):
        load_films(q)
    assert load_films(q, sheet="batch b").n_analyzed == 12


def test_xlsx_percent_cells_are_fractions(tmp_path):
    import openpyxl

    df = frame()
    p = tmp_path / "pct.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for i, row in enumerate(df.itertuples(index=False), start=2):
        ws.append([row[0]] + [v / 100 if c in ("polymer_wt_pct", "xylene_vol_pct") else v
                              for c, v in zip(df.columns[1:], row[1:])])
        ws.cell(row=i, column=2).number_format = "0%"
        ws.cell(row=i, column=4).number_format = "0.0%"
    wb.save(p)
    t = load_films(p)
    np.testing.assert_array_equal(t.data["polymer_wt_pct"], df["polymer_wt_pct"])  # 0.05 -> 5, not 5.000000000000001
    np.testing.assert_array_equal(t.data["xylene_vol_pct"], df["xylene_vol_pct"])
    assert any("formatted as percent in Excel" in n and "'polymer_wt_pct'" in n for n in t.notes)
    ws.cell(row=1, column=2).value = "P (%)"  # the header's % is what Excel shows; the cells still hold 0.05
    wb.save(p)
    np.testing.assert_array_equal(load_films(p).data["polymer_wt_pct"], df["polymer_wt_pct"])


def test_fraction_without_unit_is_flagged(tmp_path):
    df = frame()
    p = tmp_path / "frac.csv"
    df.assign(polymer_wt_pct=df["polymer_wt_pct"] / 100).to_csv(p, index=False)
    t = load_films(p)
    np.testing.assert_allclose(t.data["polymer_wt_pct"], df["polymer_wt_pct"] / 100)  # analysed as they are
    assert any(n.startswith("every P% is ≤ 1: given as a fraction") and "'P% (fraction)'" in n for n in t.notes)


def test_columns_mapping(tmp_path):
    df = frame()
    df = df.assign(conductivity_s_cm=df["conductivity_s_cm"] * 1000).rename(
        columns={"conductivity_s_cm": "Leitfähigkeit", "thickness_um": "Schichtdicke (µm)"})
    p = tmp_path / "de.csv"
    df.to_csv(p, index=False)
    with pytest.raises(DataError, match="map your headers? to (it|them) in a \\[columns\\] table"):
        load_films(p)
    t = load_films(p, columns={"Leitfähigkeit": "conductivity_s_cm (mS/cm)", "schichtdicke (µm)": "thickness",
                               "Operator": "sample_id"})
    np.testing.assert_allclose(t.data["conductivity_s_cm"], frame()["conductivity_s_cm"], rtol=1e-12)
    assert t.mapped == {"thickness_um": "schichtdicke (µm)", "conductivity_s_cm": "Leitfähigkeit"}
    assert ("'Leitfähigkeit' -> conductivity_s_cm (from [columns] 'Leitfähigkeit'; mS/cm -> S/cm, ×0.001)"
            in t.column_map())
    assert any("[columns] entries that match no header in the file: 'Operator'" in n for n in t.notes)


def test_xb_ratio_turned_into_time_by_excel_gets_one_message(tmp_path):
    import datetime as dt

    import openpyxl

    df = frame()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append(list(row))
    for i in (2, 3, 4, 5):  # "50:50" and "25:75" typed into an unformatted cell: Excel keeps a time
        ws.cell(row=i, column=4).value = dt.time(1, 3)
        ws.cell(row=i, column=4).number_format = "h:mm"
    p = tmp_path / "time.xlsx"
    wb.save(p)
    with pytest.raises(DataError) as err:
        load_films(p)
    assert problems(err.value) == [
        "4 rows (2–5), column 'xylene_vol_pct': Excel turned a ratio such as '50:50' into a time; write the vol% "
        "of xylene (50), or format the column as Text before typing the ratios"]


@pytest.mark.parametrize("column, value", [
    ("ls_ratio", "0"), ("xylene_vol_pct", "100.5"), ("conductivity_s_cm", "inf"), ("sample_id", "SSE-001"),
    ("dot_um", "9.9"), ("thickness_1", "900"), ("sample_id", "Mean"), (None, None)])
def test_fast_and_careful_paths_apply_the_same_checks(reference_text, column, value):
    """The fast path (pandas, column by column) declines exactly the tables the careful path refuses."""
    import csv
    import io as _io

    from ssereport.io import read
    from ssereport.io.headers import map_headers
    from ssereport.io.validate import validate, validate_frame

    rows = list(csv.reader(_io.StringIO(reference_text)))
    header = rows[0]
    if column is not None:
        rows[-1][header.index(column)] = value  # the last film
    text = "\n".join(",".join(r) for r in rows) + "\n"
    hd = map_headers(header, required=REQUIRED)
    numeric = {c for c in hd.mapping if c != "sample_id" and c != "batch_id"}
    cols = read.read_csv_fast(text, ",", header, hd.mapping, numeric, False)
    fast = None if cols is None else validate_frame(cols, hd)
    h, body = read.csv_rows(text, ",")
    try:
        careful = validate(h, body, source="x", decimal_comma=False, drop_invalid=False, required=None,
                           notes=None).data
    except DataError:
        careful = None
    assert (fast is None) == (careful is None), (column, value)
    if fast is not None:
        pd.testing.assert_frame_equal(fast[careful.columns], careful)
