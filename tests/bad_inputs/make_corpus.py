"""Regenerate the generated files of the bad-input corpus, deterministically.

    .venv/bin/python tests/bad_inputs/make_corpus.py            # rewrite the corpus in place
    .venv/bin/python tests/bad_inputs/make_corpus.py --out DIR  # write it elsewhere (the test compares)

Every file is derived from ``data/sse_films_reference.csv`` (110 films, canonical
columns + thickness_1..9) or ``data/batches/batch_2026-03-0*.csv`` with the
standard library and openpyxl only. Running it twice gives byte-identical files:
rows are chosen by fixed slices, CSV text is written by hand, and every XLSX is
re-zipped with fixed timestamps and fixed document properties.

Also writes ``expected_ids.json``: for each valid (expected-ok) file, the sample
IDs the results must contain, each exactly once.

The one file too big to commit (``huge.csv``, 60 MB) is made at test time by
:func:`make_huge`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REFERENCE = ROOT / "data" / "sse_films_reference.csv"
BATCH_A = ROOT / "data" / "batches" / "batch_2026-03-02_A.csv"
BATCH_B = ROOT / "data" / "batches" / "batch_2026-03-09_B.csv"

READINGS = [f"thickness_{i}" for i in range(1, 10)]
FIXED_TIME = dt.datetime(2026, 3, 2, 8, 0, 0)


# --------------------------------------------------------------------------- helpers


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    return header, [dict(zip(header, r)) for r in rows[1:]]


def to_text(header: list[str], rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def cells(rows: list[dict[str, str]], cols: list[str]) -> list[list[str]]:
    return [[r.get(c, "") for c in cols] for r in rows]


def decimal_comma(value: str) -> str:
    return value.replace(".", ",")


def fixed_zip(raw: bytes) -> bytes:
    """Re-zip an XLSX with fixed entry timestamps and a sorted entry order (byte-stable)."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():  # keep order: [Content_Types].xml first, as Excel expects
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = src.read(name)
            if name == "docProps/core.xml":  # openpyxl stamps "modified" with the current time on save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                              rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
            dst.writestr(info, data)
    return out.getvalue()


def number(value: str):
    try:
        return int(value)
    except ValueError:
        return float(value)


def make_huge(path: Path, size_mb: float = 60.0) -> Path:
    """A valid-looking CSV of ``size_mb`` MB (reference rows repeated with new IDs)."""
    header, rows = read_table(REFERENCE)
    target = int(size_mb * 2**20)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        written, i = 0, 0
        while written < target:
            r = rows[i % len(rows)]
            line = ",".join([f"H-{i:08d}"] + [r[c] for c in header[1:]]) + "\n"
            fh.write(line)
            written += len(line)
            i += 1
    return path


# --------------------------------------------------------------------------- the corpus


def build(out: Path) -> dict[str, bytes]:
    """Return {file name: bytes} of every generated corpus file (and write them to ``out``)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    header, ref = read_table(REFERENCE)  # canonical columns + thickness_1..9
    canon = [c for c in header if c not in READINGS]
    small = ref[::4]  # 28 films; analyses into 3 classes of 15/7/6
    files: dict[str, bytes] = {}
    ids: dict[str, list[str]] = {}

    def put(name: str, data: str | bytes, *, encoding: str = "utf-8", ok_ids: list[str] | None = None):
        files[name] = data.encode(encoding) if isinstance(data, str) else data
        if ok_ids is not None:
            ids[name] = list(ok_ids)

    def mutated(rows, changes: dict[tuple[int, str], str]) -> list[dict[str, str]]:
        rows = [dict(r) for r in rows]
        for (i, col), value in changes.items():
            rows[i][col] = value
        return rows

    small_ids = [r["sample_id"] for r in small]

    # ---- structure of the file ------------------------------------------------
    put("empty.csv", b"")
    put("header_only.csv", ",".join(header) + "\n")
    put("title_row_above_header.csv",
        to_text(["Film series 7 - doctor blade - operator: J. Chen - 2026-03-02"] + [""] * (len(header) - 1),
                [[""] * len(header), header] + cells(small, header))
        )
    units = {"polymer_wt_pct": "wt%", "ls_ratio": "µL/mg", "xylene_vol_pct": "vol%", "thickness_um": "µm",
             "density_g_cm3": "g/cm³", "resistance_ohm": "Ω", "conductivity_s_cm": "S/cm", "dot_um": "µm",
             "rd": "-", **{c: "µm" for c in READINGS}}
    put("units_row_below_header.csv", to_text(header, [[units.get(c, "") for c in header]] + cells(small, header)),
        ok_ids=small_ids)
    put("missing_column.csv",
        to_text([c for c in header if c != "conductivity_s_cm"],
                cells(small, [c for c in header if c != "conductivity_s_cm"])))
    dup_header = ["sample_id", "P%", "ls_ratio", "xylene_vol_pct", "polymer"] + header[4:]
    dup_rows = [[r["sample_id"], r["polymer_wt_pct"], r["ls_ratio"], r["xylene_vol_pct"], r["polymer_wt_pct"]]
                + [r[c] for c in header[4:]] for r in small]
    put("duplicate_column_alias.csv", to_text(dup_header, dup_rows))
    partial = [c for c in header if c != "thickness_9"]
    put("partial_readings.csv", to_text(partial, cells(small, partial)))

    # ---- cells -----------------------------------------------------------------
    put("non_numeric_cells.csv", to_text(header, cells(mutated(small, {
        (1, "density_g_cm3"): "n/a",
        (3, "resistance_ohm"): "-",
        (4, "conductivity_s_cm"): "—",
        (6, "rd"): "#DIV/0!",
        (7, "polymer_wt_pct"): "5%",
    }), header)))
    put("decimal_comma_in_comma_csv.csv", to_text(header, cells(mutated(small, {
        (2, "ls_ratio"): decimal_comma(small[2]["ls_ratio"]),  # "0,60" quoted by the csv writer
    }), header)))
    put("empty_cells.csv", to_text(header, cells(mutated(small, {
        (5, "density_g_cm3"): "",
        (9, "resistance_ohm"): "",
    }), header)))
    put("inf_value.csv", to_text(header, cells(mutated(small, {
        (2, "conductivity_s_cm"): "inf",
        (8, "resistance_ohm"): "NaN",
    }), header)))
    put("zero_thickness.csv", to_text(canon, cells(mutated(small, {(4, "thickness_um"): "0"}), canon)))
    put("negative_resistance.csv", to_text(canon, cells(mutated(small, {(6, "resistance_ohm"): "-12.4"}), canon)))
    rd_pct = [dict(r, rd=f"{float(r['rd']) * 100:.4g}") for r in small]
    put("rd_in_percent.csv", to_text(canon, cells(rd_pct[:12], canon)))
    dot_bad = mutated(small, {(3, "dot_um"): f"{float(small[3]['dot_um']) * 2:.3f}"})
    put("dot_inconsistent_with_readings.csv", to_text(header, cells(dot_bad, header)))
    only_readings = ["sample_id", "polymer_wt_pct", "ls_ratio", "xylene_vol_pct", "density_g_cm3",
                     "resistance_ohm", "conductivity_s_cm"] + READINGS
    typo = mutated(small, {(5, "thickness_3"): "4", (5, "thickness_4"): "4", (5, "thickness_5"): "4",
                           (5, "thickness_6"): "4", (5, "thickness_7"): "4", (5, "thickness_8"): "4",
                           (5, "thickness_9"): "900"})
    put("readings_rd_ge_1.csv", to_text(only_readings, cells(typo, only_readings)))
    put("duplicate_ids.csv", to_text(header, cells(mutated(small, {(7, "sample_id"): small[2]["sample_id"]}),
                                                   header)))
    put("Batch 7 – März.csv", to_text(header, cells(mutated(small, {(10, "xylene_vol_pct"): "150"}), header)))

    # ---- what the analysis cannot support ------------------------------------------
    put("too_few_films.csv", to_text(header, cells(ref[:8], header)))
    put("single_film.csv", to_text(header, cells(ref[40:41], header)))
    put("class_too_small.csv", to_text(header, cells(ref[::5], header)))  # 22 films: class 3 has 4
    const = [dict(r, density_g_cm3="1.50") for r in small]  # a nominal density typed into every row
    put("constant_column.csv", to_text(header, cells(const, header)))
    # the same film measured again and again (copied rows, new IDs): K-means cannot find 3 classes
    same = [dict(ref[20], sample_id=f"REP-{i:02d}") for i in range(11)] + [dict(ref[60], sample_id="REP-11")]
    put("replicates_only.csv", to_text(header, cells(same, header)))
    # a production batch analysed as a study: every film from one good window
    _, a = read_table(BATCH_A)
    _, b = read_table(BATCH_B)
    put("good_films_only.csv", to_text(header, cells(a + b, header)))
    # one film per P% level: 28 films, P% = 1.0, 1.5, ... (every level different)
    per_level = [dict(r, polymer_wt_pct=f"{1 + 0.5 * i:g}") for i, r in enumerate(small)]
    put("one_film_per_p_level.csv", to_text(header, cells(per_level, header)), ok_ids=small_ids)

    # ---- valid but unusual (expected ok) -----------------------------------------------
    alias_header = ["Sample ID", "P (%)", "L:S (µL/mg)", "X:B (vol%)", "Thickness (µm)", "ρ (g/cm³)",
                    "Ω (ohm)", "σ (S/cm)", "DoT (µm)", "RD"] + [f"t{i}" for i in range(1, 10)]
    put("utf8_bom_aliases_crlf.csv", "\ufeff" + to_text(alias_header, cells(small, header), newline="\r\n"),
        ok_ids=small_ids)
    eu = [[decimal_comma(v) if c != "sample_id" else v for c, v in zip(header, row)]
          for row in cells(small, header)]
    eu = [[f"{float(v.replace(',', '.')):.3E}".replace(".", ",") if c == "conductivity_s_cm" else v
           for c, v in zip(header, row)] for row in eu]
    put("semicolon_decimal_comma.csv", to_text(header, eu, delimiter=";", newline="\r\n"), ok_ids=small_ids)
    put("tab_decimal_comma.tsv", to_text(header, eu, delimiter="\t"), ok_ids=small_ids)
    latin_header = ["Sample", "Polymer", "L/S", "Xylene", "Thickness (µm)", "Density", "Resistance",
                    "Conductivity (S/cm)", "DoT (µm)", "RD"]
    latin_rows = [[f"Müller-{i + 1:02d} (20 °C)"] + [r[c] for c in canon[1:]] for i, r in enumerate(small)]
    put("latin1_windows1252.csv", to_text(latin_header, latin_rows, delimiter=";", newline="\r\n"),
        encoding="cp1252", ok_ids=[row[0] for row in latin_rows])
    html_ids = ["<script>alert(1)</script>", "<b>bold</b>", '"><img src=x onerror=alert(1)>',
                "=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "@SUM(A1)", "-2+3", "&amp; &lt;",
                "{{ 7*7 }}", "{% raw %}x", "'; DROP TABLE films;--", "../../etc/passwd"]
    h = [dict(r, sample_id=(html_ids[i] if i < len(html_ids) else r["sample_id"])) for i, r in enumerate(small)]
    put("html_script_ids.csv", to_text(header, cells(h, header)), ok_ids=[r["sample_id"] for r in h])
    long_ids = [dict(r, sample_id=f"{r['sample_id']}-" + ("LONG-DESCRIPTION-OF-THE-SLURRY-" * 10)[: 300 + i])
                for i, r in enumerate(small)]
    put("long_ids.csv", to_text(header, cells(long_ids, header)), ok_ids=[r["sample_id"] for r in long_ids])
    lines = to_text(header + ["operator", "comment"],
                    [row + ["JC", "ok"] for row in cells(small, header)]).splitlines()
    sep = "," * (len(header) + 1)
    messy = lines[:6] + ["", sep] + lines[6:20] + ["   "] + lines[20:] + [sep, sep, ""]
    put("blank_rows_extra_columns.csv", "\n".join(messy) + "\n", ok_ids=small_ids)
    xb = [dict(r, xylene_vol_pct=f"{float(r['xylene_vol_pct']) / 100:g}") for r in small]
    put("xb_fraction.csv", to_text(header, cells(xb, header)), ok_ids=small_ids)

    # ---- units in headers, fractions, ratios, summary rows (issue 13) -------------------------
    def scaled(rows, col, factor, digits=10):
        return [dict(r, **{col: f"{float(r[col]) * factor:.{digits}g}"}) for r in rows]

    ms_header = ["Conductivity (mS/cm)" if c == "conductivity_s_cm" else "Thickness (mm)" if c == "thickness_um"
                 else c for c in canon]
    ms_rows = scaled(scaled(small, "conductivity_s_cm", 1000), "thickness_um", 1e-3)
    put("units_ms_cm_mm.csv", to_text(ms_header, cells(ms_rows, canon)), ok_ids=small_ids)
    put("sigma_unit_wrong_dimension.csv",
        to_text(["σ (Ω)" if c == "conductivity_s_cm" else c for c in canon], cells(small, canon)))
    put("unit_not_readable.csv",
        to_text(["Thickness (avg)" if c == "thickness_um" else c for c in canon], cells(small, canon)))
    frac_header = ["X:B (fraction)" if c == "xylene_vol_pct" else c for c in canon]
    put("xb_fraction_header.csv", to_text(frac_header, cells(scaled(small, "xylene_vol_pct", 0.01), canon)),
        ok_ids=small_ids)
    put("p_fraction_no_unit.csv", to_text(canon, cells(scaled(small, "polymer_wt_pct", 0.01), canon)),
        ok_ids=small_ids)
    ratio = [dict(r, xylene_vol_pct=f"{float(r['xylene_vol_pct']):g}:{100 - float(r['xylene_vol_pct']):g}")
             for r in small]
    put("xb_ratio_text.csv", to_text(canon, cells(ratio, canon)), ok_ids=small_ids)
    stats_rows = [["Mean", "", "", "", "38.2", "1.51", "", "0.00052", "", ""],
                  ["SD", "", "", "", "4.1", "0.05", "", "0.00021", "", ""]]
    put("trailing_mean_row.csv", to_text(canon, cells(small, canon) + stats_rows))
    na_rows = mutated(small, {(i, "density_g_cm3"): "n/a" for i in range(4, 16)})
    put("repeated_errors_one_column.csv", to_text(canon, cells(na_rows, canon)))

    # ---- batches -----------------------------------------------------------------------
    a_header, _ = read_table(BATCH_A)
    put("good_batch.csv", to_text(a_header, cells(a, a_header)), ok_ids=[r["sample_id"] for r in a])
    put("batch_extra_column.csv", to_text(a_header + ["operator", "blade_gap_um"],
                                          [row + ["JC", "150"] for row in cells(b, a_header)]),
        ok_ids=[r["sample_id"] for r in b])
    ms_a_header = ["Conductivity (mS/cm)" if c == "conductivity_s_cm" else c for c in a_header]
    put("batch_ms_cm.csv", to_text(ms_a_header, cells(scaled(a, "conductivity_s_cm", 1000), a_header)),
        ok_ids=[r["sample_id"] for r in a])
    put("batch_ls_x1000.csv", to_text(a_header, cells([dict(r, ls_ratio=f"{float(r['ls_ratio']) * 1000:g}")
                                                       for r in a], a_header)))

    # ---- spec files, run as `batch good_batch.csv --spec FILE` (the "spec" command of the test) --------
    put("spec_sigma_bare_mS.toml", "# sigma_min typed in mS/cm without its unit\n[spec]\nsigma_min = 0.3\n")
    put("spec_thickness_bare_mm.toml", "# thickness_max typed in mm without its unit\n[spec]\nthickness_max = 0.1\n")
    put("spec_sigma_in_ohm.toml", '# a unit of the wrong kind\n[spec]\nsigma_min = "0.3 Ω"\n')
    put("spec_with_units.toml", '[spec]\nsigma_min = "0.3 mS/cm"\nrd_max = "10 %"\nthickness_max = "0.1 mm"\n',
        ok_ids=[r["sample_id"] for r in a])

    # ---- spreadsheets ----------------------------------------------------------------------
    put("xlsx_not_a_zip.xlsx", to_text(header, cells(small[:5], header)))  # CSV text saved as .xlsx
    put("old_excel_97.xls", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))  # OLE2 header of an .xls
    def workbook(name: str, fill) -> None:
        wb = openpyxl.Workbook()
        fill(wb)
        buf = io.BytesIO()
        wb.properties.creator = "ssereport corpus"
        wb.properties.lastModifiedBy = "ssereport corpus"
        wb.properties.created = FIXED_TIME
        wb.properties.modified = FIXED_TIME
        wb.save(buf)
        put(name, fixed_zip(buf.getvalue()))

    def three_sheets(wb):
        ws = wb.active
        ws.title = "Films"
        ws.append(header)
        for r in small:
            ws.append([r["sample_id"]] + [number(r[c]) for c in header[1:]])
        notes = wb.create_sheet("Notes")
        notes.append(["Doctor blade, 150 µm gap, dried 12 h at 25 °C"])
        raw = wb.create_sheet("EIS raw")
        raw.append(["sample_id", "f_Hz", "Z_re", "Z_im"])
        raw.append(["SSE-001", 1e6, 10.1, -0.4])

    workbook("xlsx_three_sheets.xlsx", three_sheets)

    def saved_as_csv(wb):  # an XLSX workbook given a .csv name
        ws = wb.active
        ws.title = "Films"
        ws.append(header)
        for r in small:
            ws.append([r["sample_id"]] + [number(r[c]) for c in header[1:]])

    workbook("xlsx_saved_as_csv.csv", saved_as_csv)
    ids["xlsx_three_sheets.xlsx"] = small_ids

    def merged_header(wb):
        ws = wb.active
        ws.title = "Table S1"
        groups = [("", 1, 1), ("Conditions", 2, 4), ("Measurements", 5, 10), ("Thickness readings (µm)", 11, 19)]
        for title, c0, c1 in groups:
            ws.cell(row=1, column=c0, value=title or None)
            if c1 > c0:
                ws.merge_cells(start_row=1, start_column=c0, end_row=1, end_column=c1)
            ws.cell(row=1, column=c0).alignment = Alignment(horizontal="center")
            ws.cell(row=1, column=c0).font = Font(bold=True)
        for j, name in enumerate(header, start=1):
            ws.cell(row=2, column=j, value=name)
        for i, r in enumerate(small, start=3):
            ws.cell(row=i, column=1, value=r["sample_id"])
            for j, c in enumerate(header[1:], start=2):
                ws.cell(row=i, column=j, value=number(r[c]))

    workbook("xlsx_merged_header.xlsx", merged_header)

    def formulas(wb):
        ws = wb.active
        ws.title = "Films"
        ws.append(canon)
        col = {c: openpyxl.utils.get_column_letter(j) for j, c in enumerate(canon, start=1)}
        for i, r in enumerate(small, start=2):
            values = [r["sample_id"]] + [number(r[c]) for c in canon[1:]]
            values[canon.index("rd")] = f"={col['dot_um']}{i}/{col['thickness_um']}{i}"  # RD = DoT / thickness
            ws.append(values)

    workbook("xlsx_formulas.xlsx", formulas)

    def first_sheet_empty(wb):
        ws = wb.active
        ws.title = "Cover"
        data = wb.create_sheet("Films")
        data.append(header)
        for r in small:
            data.append([r["sample_id"]] + [number(r[c]) for c in header[1:]])

    workbook("xlsx_first_sheet_empty.xlsx", first_sheet_empty)
    ids["xlsx_first_sheet_empty.xlsx"] = small_ids

    def films_second_sheet(wb):
        ws = wb.active
        ws.title = "Notes"
        ws.append(["Series 7, doctor blade; films on the next sheet"])
        ws.append(["operator", "J. Chen"])
        data = wb.create_sheet("Data")
        data.append(header)
        for r in small:
            data.append([r["sample_id"]] + [number(r[c]) for c in header[1:]])

    workbook("xlsx_films_on_second_sheet.xlsx", films_second_sheet)
    ids["xlsx_films_on_second_sheet.xlsx"] = small_ids

    def two_film_sheets(wb):
        ws = wb.active
        ws.title = "Cover"
        ws.append(["Batches A and B"])
        for title, rows in (("Batch A", small[:14]), ("Batch B", small[14:])):
            data = wb.create_sheet(title)
            data.append(header)
            for r in rows:
                data.append([r["sample_id"]] + [number(r[c]) for c in header[1:]])

    workbook("xlsx_two_film_sheets.xlsx", two_film_sheets)

    def percent_cells(wb):  # P% and X:B typed as 5 % and 25 %: Excel stores 0.05 and 0.25
        ws = wb.active
        ws.title = "Films"
        ws.append(canon)
        for i, r in enumerate(small, start=2):
            ws.append([r["sample_id"]] + [number(r[c]) / 100 if c in ("polymer_wt_pct", "xylene_vol_pct")
                                          else number(r[c]) for c in canon[1:]])
            for c in ("polymer_wt_pct", "xylene_vol_pct"):
                ws.cell(row=i, column=canon.index(c) + 1).number_format = "0%"

    workbook("xlsx_percent_cells.xlsx", percent_cells)
    ids["xlsx_percent_cells.xlsx"] = small_ids

    # ---- a lab's own spreadsheet (issue 23) ----------------------------------------------
    numeric = [c for c in header if c != "sample_id"]
    comma_rows = [dict(r, **{c: decimal_comma(r[c]) for c in numeric}) for r in small]
    put("quoted_decimal_comma.csv", to_text(header, cells(comma_rows, header)), ok_ids=small_ids)
    mm = [dict(r, thickness_um=f"{float(r['thickness_um']) / 1000:.6g}") for r in small]
    mm_header = ["Thickness (mm)" if c == "thickness_um" else c for c in canon]
    put("units_row_disagrees.csv", to_text(mm_header, [["", "wt%", "µL/mg", "vol%", "µm", "g/cm3", "ohm", "S/cm",
                                                        "µm", "-"]] + cells(mm, canon)))
    twenty = mutated(ref[:20], {(i, "density_g_cm3"): ref[i]["density_g_cm3"] + " g/cm3" for i in range(20)})
    put("systematic_20_rows.csv", to_text(canon, cells(twenty, canon)))
    ohm = mutated(ref, {(i, "resistance_ohm"): ref[i]["resistance_ohm"] + " Ω" for i in range(0, 90, 3)})
    put("over_20_errors_one_column.csv", to_text(canon, cells(ohm, canon)))
    # random bytes: a logger's binary dump with a .csv name (sha256 chain: deterministic, incompressible)
    import hashlib

    blocks, h = [], b"ssereport"
    for _ in range(128):
        h = hashlib.sha256(h).digest()
        blocks.append(h)
    put("binary_dump.csv", b"".join(blocks))

    def units_row_sheet(wb):  # a units row under the header, as many lab sheets have
        ws = wb.active
        ws.title = "Films"
        ws.append(canon)
        ws.append(["", "wt%", "µL/mg", "vol%", "mm", "g/cm3", "kohm", "mS/cm", "µm", "-"])
        scale = {"thickness_um": 1e-3, "resistance_ohm": 1e-3, "conductivity_s_cm": 1e3}
        for r in small:
            ws.append([r["sample_id"]] + [round(number(r[c]) * scale.get(c, 1), 12) for c in canon[1:]])

    workbook("xlsx_units_row.xlsx", units_row_sheet)
    ids["xlsx_units_row.xlsx"] = small_ids

    def notes_first_unknown_header(wb):  # a Notes sheet first; one header ssereport does not know
        ws = wb.active
        ws.title = "Notes"
        ws.append(["Series 8, doctor blade; films on the next sheet"])
        ws.append(["operator", "J. Chen"])
        data = wb.create_sheet("Data")
        data.append(["Binder P (wt%)" if c == "polymer_wt_pct" else c for c in canon])
        for r in small:
            data.append([r["sample_id"]] + [number(r[c]) for c in canon[1:]])

    workbook("xlsx_notes_first_unknown_header.xlsx", notes_first_unknown_header)

    # Excel "Unicode Text (*.txt)": UTF-16 LE with BOM, tab-separated
    put("excel_unicode_text_utf16.txt", "\ufeff" + to_text(header, cells(small, header), delimiter="\t",
                                                             newline="\r\n"), encoding="utf-16-le",
        ok_ids=[r["sample_id"] for r in small])

    files["expected_ids.json"] = (json.dumps(ids, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    return files


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: next to this script)")
    args = ap.parse_args(argv)
    files = build(args.out)
    print(f"wrote {len(files)} files to {args.out}")


if __name__ == "__main__":
    main()
