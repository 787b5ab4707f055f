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
    with pytest.raises(DataError, match=r"refused above 1 MB"):
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
