"""How a :class:`~ssereport.qa.model.ReferenceModel` and a :class:`~ssereport.qa.judge.BatchResult` show
themselves in a notebook: a short ``repr`` and an HTML summary with its key tables.

Formatting only (numbers through :mod:`ssereport.format`); the tables are
``pandas.DataFrame.to_html`` (which escapes every cell), so sample ids and file
names from the input cannot inject markup. The HTML stays under
:data:`MAX_HTML_BYTES`: long film tables are cut at :data:`MAX_ROWS` rows, with the
number left out said below the table.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from ..format import fmt_fixed, fmt_int, fmt_num
from ..schema import by_name
from ..theme import COLORS
from .reasons import finding_text

# model.py and judge.py import this module for their reprs: it reads their objects by attribute and imports
# neither, not even for type checking, so that no import cycle forms (tests/test_architecture.py)
BatchResult = Any  # ssereport.qa.judge.BatchResult
ReferenceModel = Any  # ssereport.qa.model.ReferenceModel

__all__ = ["MAX_HTML_BYTES", "MAX_REPR_CHARS", "MAX_ROWS", "batch_html", "batch_repr", "model_html", "model_repr"]

#: Upper bounds of what a notebook shows.
MAX_HTML_BYTES = 200_000
MAX_REPR_CHARS = 2_000
MAX_ROWS = 50
_TEXT = 120  # characters of a name from the input shown in a repr


def _short(text: Any, n: int = _TEXT) -> str:
    s = str(text)
    return s if len(s) <= n else s[: n - 1] + "…"


def _table(df: pd.DataFrame, caption: str) -> str:
    html = df.to_html(index=False, border=0, escape=True, na_rep="–")
    i = html.index(">") + 1  # after <table ...>
    return html[:i] + f"<caption style=\"text-align:left\"><b>{escape(caption)}</b></caption>" + html[i:]


def _cut(df: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if len(df) <= MAX_ROWS:
        return df, ""
    return df.head(MAX_ROWS), f"<p>First {MAX_ROWS} of {fmt_int(len(df))} films shown.</p>"


def _unit(var: str) -> str:
    unit = by_name(var).unit
    return "" if unit in ("", "–", "-") else f" {unit}"


def _label(var: str) -> str:
    try:
        return by_name(var).axis_label
    except KeyError:
        return var


# --------------------------------------------------------------------------- BatchResult

def batch_repr(result: BatchResult) -> str:
    """``BatchResult(batch_id='2026-03-02_A', verdict='pass', films=10, pass=10, fail=0, basis='class1', ...)``."""
    c = result.counts
    text = (f"BatchResult(batch_id={_short(result.batch_id)!r}, verdict={result.verdict!r}, films={c['films']}, "
            f"pass={c['pass']}, fail={c['fail']}, out_of_range={c['out_of_range']}, basis={result.basis!r}, "
            f"cast_date={result.cast_date!r}, source={_short(result.table.source)!r})")
    return text[:MAX_REPR_CHARS]


def batch_html(result: BatchResult) -> str:
    """The verdict, the acceptance limits, the film table (first :data:`MAX_ROWS`) and the capability table."""
    c = result.counts
    ok = result.verdict == "pass"
    limits = "; ".join(f"{by_name(lim.variable).symbol} {'≥' if lim.kind == 'min' else '≤'} {fmt_num(lim.value)}"
                       f"{_unit(lim.variable)} ({lim.label})" for lim in result.limits)
    head = (f"<p><b>Batch {escape(str(result.batch_id))}: "
            f"<span style=\"color:{COLORS['pass-ink' if ok else 'fail-ink']}\">{'PASS' if ok else 'FAIL'}</span></b> — "
            f"{fmt_int(c['pass'])} of {fmt_int(c['films'])} films pass (at least "
            f"{fmt_num(100 * result.spec.min_pass_fraction, trim=True)} % must); "
            f"{fmt_int(c['out_of_range'])} outside the reference range. Source: {escape(str(result.table.source))}"
            f"{', cast ' + escape(result.cast_date) if result.cast_date else ''}.</p>"
            f"<p>Acceptance ({escape(result.basis)}): {escape(limits)}.</p>")
    f = result.films
    films = pd.DataFrame({
        "sample": f["sample_id"].astype(str),
        "result": f["pass"].map({True: "pass", False: "FAIL"}),
        **{_label(v): f[v].map(fmt_num) for v in ("conductivity_s_cm", "rd", "thickness_um") if v in f},
        "reasons": f["reasons"].map(lambda r: "; ".join(finding_text(x) for x in r)),
        "notes": f["notes"].map(lambda r: "; ".join(finding_text(x) for x in r)),
        "nearest reference class (PCA)": f["observed_class"].astype(int),
        "SVM class": f["predicted_class"].astype(int),
        "SVM margin": f["margin"].map(lambda v: fmt_fixed(v, 2)),
    })
    films, note = _cut(films)
    parts = [head, _table(films, "Films"), note]
    if result.capability:
        cap = pd.DataFrame([{"variable": _label(v), "LSL": fmt_num(d.get("lsl")), "USL": fmt_num(d.get("usl")),
                             "mean": fmt_num(d.get("mean")), "Cp": fmt_fixed(d.get("cp"), 2),
                             "Cpk": fmt_fixed(d.get("cpk"), 2), "Pp": fmt_fixed(d.get("pp"), 2),
                             "Ppk": fmt_fixed(d.get("ppk"), 2), "n": fmt_int(d.get("n"))}
                            for v, d in result.capability.items()])
        parts.append(_table(cap, "Process capability"))
    return _bounded("".join(parts))


# --------------------------------------------------------------------------- ReferenceModel

def model_repr(model: ReferenceModel) -> str:
    """``ReferenceModel(data='sse_films_reference.csv', n_films=110, classes={1: 60, ...}, ...)``."""
    info = model.info or {}
    data = info.get("data") or {}
    counts = {int(k): v for k, v in (info.get("class_counts") or {}).items()}
    f1 = info.get("test_f1_macro")
    text = (f"ReferenceModel(data={_short(data.get('path'))!r}, n_films={data.get('n_films')}, classes={counts}, "
            f"pca_components={len(model.pca_components)}, svm_features={list(model.svm_features)}, "
            f"test_f1_macro={None if f1 is None else round(float(f1), 3)}, created={info.get('created')!r}, "
            f"checksum={model.checksum[:19] + '…'!r})")
    return text[:MAX_REPR_CHARS]


def model_html(model: ReferenceModel) -> str:
    """What the model was fitted on, its classes and SVM scores, the reference ranges and the class-1 films."""
    info = model.info or {}
    data = info.get("data") or {}
    counts = info.get("class_counts") or {}
    head = (f"<p><b>Reference model</b> fitted on {escape(str(data.get('path')))} "
            f"({fmt_int(data.get('n_films'))} films) on {escape(str(info.get('created')))} with ssereport "
            f"{escape(str(info.get('ssereport_version')))}; classes "
            + escape(", ".join(f"{k}: {v}" for k, v in counts.items()))
            + f"; SVM macro F1 {fmt_fixed(info.get('test_f1_macro'), 2)} (test), "
            f"{fmt_fixed(info.get('cv_f1_macro_mean'), 2)} (CV mean). PCA: {len(model.pca_components)} components "
            f"of {len(model.pca_features)} variables. <code>{escape(model.checksum)}</code></p>")
    ranges = pd.DataFrame([{"variable": _label(v), "min": fmt_num(lo), "max": fmt_num(hi)}
                           for v, (lo, hi) in model.ranges.items()])
    c1 = pd.DataFrame([{"variable": _label(v), "n": fmt_int(d.get("n")), "median": fmt_num(d.get("median")),
                        "5th pct": fmt_num(d.get("q05")), "95th pct": fmt_num(d.get("q95")),
                        "mean": fmt_num(d.get("mean")), "SD": fmt_num(d.get("sd"))}
                       for v, d in model.class1.items()])
    return _bounded(head + _table(ranges, "Reference range (extrapolation outside)")
                    + _table(c1, "Reference class-1 films"))


def _bounded(html: str) -> str:
    body = f"<div class=\"ssereport-repr\">{html}</div>"
    if len(body.encode("utf-8")) > MAX_HTML_BYTES:  # only with absurdly long ids: keep the summary paragraph
        body = body[: body.find("<table")] + "<p>(tables left out: over 200 KB)</p></div>"
    return body
