"""A lab's own spreadsheet (issue 23): decimal commas, units rows, unknown headers, help text, binary files, init."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from ssereport import Config, DataError, analyze, load_films
from ssereport.cli import main
from ssereport.config import columns_toml, config_toml, load_columns, load_config

from .conftest import REFERENCE_CSV

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
FAST = Config(n_bootstrap=0, cv_repeats=1)


def _results_without_input(table, rows: bool = True) -> dict:
    """The results JSON without the input block (file name, checksum, notes), and optionally without row numbers."""
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if rows or k != "row"}
        return [strip(v) for v in x] if isinstance(x, list) else x

    out = json.loads(analyze(table, FAST).to_json())
    out.pop("input", None)
    out.pop("provenance", None)
    return strip(out)


def _small_rows(n=28):
    with REFERENCE_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:][::4][:n]


def _write(path: Path, header, rows, delimiter=",", quote=csv.QUOTE_MINIMAL) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=quote)
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- decimal commas


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_quoted_decimal_commas_give_the_results_of_the_decimal_point_twin(tmp_path, delimiter):
    header, rows = _small_rows()
    point = _write(tmp_path / "point.csv", header, rows)
    comma_rows = [[r[0]] + [c.replace(".", ",") for c in r[1:]] for r in rows]
    comma = _write(tmp_path / "comma.csv", header, comma_rows, delimiter=delimiter, quote=csv.QUOTE_NONNUMERIC)
    assert '"0,6' in comma.read_text()  # quoted decimal commas, as European Excel exports them
    a, b = load_films(point), load_films(comma)
    pd.testing.assert_frame_equal(a.data, b.data)
    decimal_notes = [n for n in b.notes if "decimal comma" in n]
    assert len(decimal_notes) == 1, b.notes
    if delimiter == ",":
        assert _results_without_input(a) == _results_without_input(b)


def test_mixed_decimal_conventions_in_one_column_are_one_error_with_two_examples(tmp_path):
    header, rows = _small_rows()
    j = header.index("density_g_cm3")
    for r in rows[::2]:
        r[j] = r[j].replace(".", ",")
    p = _write(tmp_path / "mixed.csv", header, rows)
    with pytest.raises(DataError) as err:
        load_films(p)
    text = str(err.value)
    assert len(text.splitlines()) == 1, text
    assert "column 'density_g_cm3': mixes decimal commas and decimal points" in text
    assert f"row 2: {rows[0][j]!r}" in text and f"row 3: {rows[1][j]!r}" in text


# --------------------------------------------------------------------------- many cells, one cause


def test_a_20_row_file_with_one_systematic_problem_errors_in_at_most_3_lines():
    with pytest.raises(DataError) as err:
        load_films(CORPUS / "systematic_20_rows.csv")
    lines = str(err.value).splitlines()
    assert len(lines) <= 3, lines
    assert "not a number in 20 cells" in lines[0] and "density_g_cm3" in lines[0]


def test_more_than_20_cells_failing_the_same_way_are_one_line_per_column(tmp_path):
    header, rows = _small_rows(110)
    with REFERENCE_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    jr, jd = header.index("resistance_ohm"), header.index("density_g_cm3")
    for i in range(0, 75, 3):  # 25 cells of one column, 1 in 3 rows (not a majority: the >20 rule)
        rows[i][jr] += " Ω"
    rows[100][jd] = "n/a"  # and one unrelated problem, reported as it is
    with pytest.raises(DataError) as err:
        load_films(_write(tmp_path / "ohm.csv", header, rows))
    lines = str(err.value).splitlines()
    assert len(lines) == 3, lines
    assert "column 'resistance_ohm': not a number in 25 cells (rows 2, 5, 8, 11, 14, …; e.g. row 2:" in lines[1]
    assert "row 102, column 'density_g_cm3': got 'n/a'" in lines[2]


# --------------------------------------------------------------------------- units rows


def test_workbook_with_a_units_row_gives_the_results_of_units_in_the_headers(tmp_path):
    import openpyxl

    book = load_films(CORPUS / "xlsx_units_row.xlsx")
    assert sum("units row" in n for n in book.notes) == 1
    # the same data with the units in the headers instead
    wb = openpyxl.load_workbook(CORPUS / "xlsx_units_row.xlsx")
    ws = wb.active
    header = [c.value for c in ws[1]]
    units = [c.value for c in ws[2]]
    ws.delete_rows(2)
    for j, (h, u) in enumerate(zip(header, units), start=1):
        if u:
            ws.cell(row=1, column=j, value=f"{h} ({u})")
    p = tmp_path / "units_in_headers.xlsx"
    wb.save(p)
    headers = load_films(p)
    data_b = book.data.copy()
    data_b.index = data_b.index - 1  # one row less above the films
    pd.testing.assert_frame_equal(data_b, headers.data)
    assert _results_without_input(book, rows=False) == _results_without_input(headers, rows=False)
    # and the values are those of the reference films (mm, kΩ and mS/cm converted back by Pint)
    ref = load_films(REFERENCE_CSV).data.iloc[::4]
    for c in ("thickness_um", "resistance_ohm", "conductivity_s_cm"):
        assert book.data[c].tolist() == pytest.approx(ref[c].tolist(), rel=1e-9)


def test_a_units_row_that_disagrees_with_the_header_names_both():
    with pytest.raises(DataError) as err:
        load_films(CORPUS / "units_row_disagrees.csv")
    assert str(err.value) == ("units_row_disagrees.csv, column 'Thickness (mm)': the header says 'mm' but the units "
                              "row (row 2) says 'µm'; expected one unit per column — correct or delete one of them")


# --------------------------------------------------------------------------- an unknown header


def test_notes_first_workbook_with_an_unknown_header_is_explained_in_6_lines(tmp_path):
    with pytest.raises(DataError) as err:
        load_films(CORPUS / "xlsx_notes_first_unknown_header.xlsx")
    text = str(err.value)
    lines = text.splitlines()
    assert len(lines) <= 6, text
    assert "read the sheet 'Data'; the workbook also has 'Notes'" in text
    assert "headers found but not recognised: 'Binder P (wt%)'" in text
    line = '"Binder P (wt%)" = "polymer_wt_pct"'
    assert text.rstrip().endswith(line)
    # the suggested line, as the user would paste it, makes the file load
    cols = tmp_path / "columns.toml"
    cols.write_text("[columns]\n" + line + "\n", encoding="utf-8")
    table = load_films(CORPUS / "xlsx_notes_first_unknown_header.xlsx", columns=load_columns(cols))
    assert table.n_analyzed == 28 and table.headers["polymer_wt_pct"] == "Binder P (wt%)"
    ref = load_films(REFERENCE_CSV).data.iloc[::4]
    assert table.data["polymer_wt_pct"].tolist() == ref["polymer_wt_pct"].tolist()


def test_the_sheet_naming_the_most_variables_is_read(tmp_path):
    import openpyxl

    header, rows = _small_rows()
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["sample_id", "comment"])  # one variable
    data = wb.create_sheet("Data")
    data.append(["Cond. (S/cm)" if h == "conductivity_s_cm" else h for h in header])
    for r in rows:
        data.append([r[0]] + [float(x) for x in r[1:]])
    p = tmp_path / "two.xlsx"
    wb.save(p)
    with pytest.raises(DataError) as err:
        load_films(p)
    assert "read the sheet 'Data'" in str(err.value)
    assert "'Cond. (S/cm)' is probably 'conductivity_s_cm'" in str(err.value)


# --------------------------------------------------------------------------- binary and huge files


def test_a_40_mb_binary_file_is_refused_in_under_a_second(tmp_path):
    import numpy as np

    p = tmp_path / "logger.csv"
    p.write_bytes(np.random.default_rng(0).bytes(40 * 10**6))
    t0 = time.perf_counter()
    with pytest.raises(DataError, match="not a text table or XLSX"):
        load_films(p)
    assert time.perf_counter() - t0 < 1.0


def test_text_files_in_any_encoding_are_not_called_binary():
    from ssereport.io.read import looks_binary

    for name in ("latin1_windows1252.csv", "excel_unicode_text_utf16.txt", "utf8_bom_aliases_crlf.csv",
                 "xlsx_saved_as_csv.csv"):
        assert not looks_binary((CORPUS / name).read_bytes()[:1024]), name
    assert looks_binary((CORPUS / "binary_dump.csv").read_bytes()[:1024])
    assert looks_binary((CORPUS / "old_excel_97.xls").read_bytes()[:1024])


def test_size_limit_is_stated_in_mib(tmp_path):
    p = tmp_path / "big.csv"
    p.write_bytes(b"a,b\n" + b"1,2\n" * (2**20 // 4 + 10))  # just over 1 MiB, under 1.1 MB... in MiB
    with pytest.raises(DataError, match=r"the file is 1\.0 MiB; refused above 1 MiB"):
        load_films(p, max_file_mb=1)


# --------------------------------------------------------------------------- help text


COMMANDS = ["validate", "analyze", "report", "fit", "batch", "watch", "suggest", "compare", "init"]


def _help(capsys, *args) -> str:
    assert main([*args, "--help"]) == 0
    return capsys.readouterr().out


def _click_commands():
    import typer

    from ssereport.cli import app

    main(["--version"])  # the command classes are set on the first call
    return typer.main.get_command(app).commands


@pytest.mark.parametrize("command", COMMANDS)
def test_help_says_what_it_means(capsys, monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "2000")  # one line per option
    capsys.readouterr()
    text = _help(capsys, command)
    lines = [" ".join(line.replace("│", " ").split()) for line in text.splitlines()]
    assert not any("<bool>" in line for line in lines), text  # flags are shown as flags
    for param in _click_commands()[command].params:
        if not param.help:
            continue
        declared = " ".join(param.help.replace("\\[", "[").split())
        # the help renders as declared: nothing eaten by rich markup, no doubled spaces left behind
        assert any(declared in line for line in lines), (param.name, declared, text)
        opts = set(param.opts) | set(param.secondary_opts)
        if "-o" in opts:
            assert "--out" in opts and "folder" in param.help.lower(), param.opts  # -o: the output folder
        if "--json" in opts:
            assert "-o" not in opts
    if "--columns" in text:
        assert any("a [columns] table" in line for line in lines)
    if "--engine" in text:
        assert any('pip install "ssereport[weasyprint]"' in line for line in lines)
    if "--max-file-mb" in text:
        assert any("MiB" in line for line in lines)


def test_drop_invalid_is_a_flag(tmp_path, capsys):
    assert main(["validate", str(REFERENCE_CSV), "--drop-invalid"]) == 0
    assert main(["validate", str(REFERENCE_CSV), "--drop-invalid", "true"]) == 2  # a flag takes no value


# --------------------------------------------------------------------------- init


def test_init_writes_settings_that_load_back_to_the_defaults(tmp_path, capsys):
    assert main(["init", str(tmp_path / "proj")]) == 0
    settings = tmp_path / "proj" / "ssereport.toml"
    assert load_config(settings) == Config()
    text = settings.read_text(encoding="utf-8")
    import dataclasses

    for f in dataclasses.fields(Config):
        if f.name != "extra":
            assert re.search(rf"^{f.name} = ", text, re.M), f.name
    # every setting's meaning comes from the Config docstring, with its default
    assert "# Bootstrap resamples for the stability (mean adjusted Rand index) of the classes. (default: 50)" in text
    assert "# Size of those subsamples. (default: 5000)" in text
    # a changed value is read back
    settings.write_text(text.replace("n_clusters = 3", "n_clusters = 4"), encoding="utf-8")
    assert load_config(settings).n_clusters == 4
    # refuses to overwrite, writes nothing
    assert main(["init", str(tmp_path / "proj")]) == 2
    assert "already exist" in capsys.readouterr().err
    assert "n_clusters = 4" in settings.read_text(encoding="utf-8")
    assert main(["init", str(tmp_path / "proj"), "--force"]) == 0
    assert load_config(settings) == Config()


def test_init_columns_example_entries_are_valid_mappings(tmp_path):
    text = columns_toml()
    p = tmp_path / "columns.toml"
    p.write_text(text, encoding="utf-8")
    assert load_columns(p) == {}  # commented out: nothing mapped until the user says so
    examples = re.findall(r'^# ("[^"]+" = "[^"]+")$', text, re.M)
    assert len(examples) >= 3
    p.write_text("[columns]\n" + "\n".join(examples) + "\n", encoding="utf-8")
    assert load_columns(p)["Binder P (wt%)"] == "polymer_wt_pct"
    assert len(load_columns(p)) == len(examples)
    assert "columns.toml" in config_toml()


def test_a_film_row_of_dashes_is_not_taken_for_a_units_row(tmp_path):
    header, rows = _small_rows()
    rows[0] = [rows[0][0]] + ["-"] * (len(header) - 1)  # a film not measured: every cell '-'
    with pytest.raises(DataError) as err:
        load_films(_write(tmp_path / "dashes.csv", header, rows))
    assert "row 2, column 'polymer_wt_pct': got '-', not a number" in str(err.value)


def test_a_units_row_with_a_cell_that_is_no_unit_is_one_message(tmp_path):
    header, rows = _small_rows()
    canon = header[:10]
    units = ["", "wt%", "µL/mg", "vol%", "µm", "g/cm3", "ohm", "S/cm", "µm", "see notes"]
    with pytest.raises(DataError) as err:
        load_films(_write(tmp_path / "units.csv", canon, [units] + [r[:10] for r in rows]))
    assert str(err.value).startswith("units.csv, row 2: looks like a units row ('wt%', 'µL/mg'")
    assert "not every cell is a unit ssereport can read" in str(err.value)
