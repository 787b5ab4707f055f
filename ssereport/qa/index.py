"""The report index ``index.html``: every batch in time order, study reports, errors, I-MR control charts.

Batch JSON files (:func:`ssereport.qa.run.collect_reports`) -> a context dict
built here (formatted through :mod:`ssereport.format`) ->
``index.html.j2``, which only displays it. The I-MR charts are computed by
:func:`ssereport.analysis.control.reference_charts` with limits from the
reference class-1 films of the model, and drawn by :mod:`ssereport.qa.figures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..format import MISSING, fmt_int, fmt_num
from ..schema import by_name
from .reasons import finding_text
from .report import (RULES, figure_context, generator, head, now, plural, template_environment,
                     verdict_context)

if TYPE_CHECKING:  # pragma: no cover
    from .model import ReferenceModel

__all__ = ["build_index_context", "render_index_html"]


def _links(out: Path | None, stem: str, suffixes: Sequence[str]) -> list[dict[str, str]]:
    links = []
    for suffix in suffixes:
        name = f"{stem}{suffix}"
        if out is None or (Path(out) / name).is_file():
            links.append({"href": name, "label": suffix.rsplit(".", 1)[-1].upper()})
    return links


def _control(reports: list[dict[str, Any]], model: ReferenceModel) -> dict[str, Any]:
    """The control charts and their table: failures (from the batch JSON's reason records) and process signals.

    A film failing the acceptance limit of σ or RD is a *failure* on that variable's chart (red cross and
    its id); every other flagged point (a Western Electric rule, a moving range above its limit) is a
    *process signal*: unusual, worded by its side of the center (``"unusual (high σ)"``), never a failure.
    """
    from ..analysis.control import reference_charts
    from .figures import render_control_figures

    charted = ("conductivity_s_cm", "rd")
    films, starts, names = [], [], []
    limits: dict[str, list[float | None]] = {v: [] for v in charted}
    labels: dict[str, tuple[str, str]] = {}
    for r in reports:
        fs = [f for f in r.get("films") or [] if isinstance(f, dict)]
        if not fs:
            continue
        starts.append(len(films))
        names.append(str(r.get("batch_id")))
        films += [(str(r.get("batch_id")), str(f.get("sample_id")), f) for f in fs]
        acc = {lim.get("variable"): lim for lim in (r.get("acceptance") or {}).get("limits") or []
               if isinstance(lim, dict)}
        for v in charted:
            lim = acc.get(v)
            limits[v].append(float(lim["value"]) if lim and lim.get("value") is not None else None)
            if lim:
                kind = "min" if lim.get("kind") == "min" else "max"
                what = "spec limit" if lim.get("basis") == "spec" else f"acceptance limit ({lim.get('label')})"
                labels[v] = (what, kind)
    if not films:
        return {"available": False, "figures": [], "violations": [], "n_violations": 0, "n_failures": 0,
                "n_signals": 0, "truncated": False}
    charts = reference_charts({var: [float(f[var]) for _, _, f in films] for var in charted},
                              [f"{b} / {s}" for b, s, _ in films], model.class1)
    failed: dict[str, list[tuple[int, str]]] = {v: [] for v in charted}
    rows = []
    for j, (b, s, f) in enumerate(films):
        for rec in f.get("reasons") or []:
            if not isinstance(rec, dict):
                continue
            var = str(rec.get("variable"))
            if var in failed:
                failed[var].append((j, s))
            rows.append({"i": j, "kind": "failure", "batch": b, "sample": s,
                         "variable": head(var) if _known(var) else var, "value": fmt_num(rec.get("value")),
                         "rules": finding_text(rec)})
    figures = render_control_figures(charts, starts, names, limits=limits, limit_labels=labels, failed=failed)
    for var, ch in charts.items():
        fails = {i for i, _ in failed[var]}
        sym = by_name(var).symbol
        for flag in ch.flags:  # the points the chart draws as flagged, both panels
            b, s, _ = films[flag.index]
            mr = flag.panel == "moving range"
            value = ch.moving_range[flag.index - 1] if mr else ch.values[flag.index]
            if not mr and flag.index in fails:
                continue  # a failure on this variable: its row says so (and the chart draws a red cross)
            side = ("unusual jump from the film before" if mr else
                    f"unusual ({'high' if value > ch.center else 'low'} {sym})")
            rows.append({"i": flag.index, "kind": "process signal", "batch": b, "sample": s,
                         "variable": f"{head(var)}, moving range" if mr else head(var),
                         "value": fmt_num(value),
                         "rules": f"{side}: " + "; ".join(RULES.get(r, str(r)) for r in flag.rules)})
    rows.sort(key=lambda r: (r["kind"] != "failure", r["i"], r["variable"]))
    ref = model.class1
    n_fail = sum(1 for r in rows if r["kind"] == "failure")
    return {
        "available": True,
        "figures": [figure_context(f) for f in figures.values()],
        "violations": rows,  # every failure and every flagged point of every chart, none left out
        "n_violations": len(rows),
        "n_failures": n_fail,
        "n_signals": len(rows) - n_fail,
        "truncated": False,
        "limits": [{"label": head(v), "n": fmt_int(ref[v]["n"]), "center": fmt_num(ref[v]["mean"]),
                    "sd": fmt_num(ref[v]["sd"]), "lcl": fmt_num(charts[v].lcl), "ucl": fmt_num(charts[v].ucl)}
                   for v in charts],
        "n_films": len(films),
        "n_batches": len(starts),
    }


def _known(var: str) -> bool:
    try:
        by_name(var)
    except KeyError:
        return False
    return True


def build_index_context(reports: list[dict[str, Any]], errors: list[dict[str, Any]], *, studies: list[str],
                        out: Path | None, model: ReferenceModel | None) -> dict[str, Any]:
    """The plain dict ``index.html.j2`` displays (see :func:`render_index_html`)."""
    rows = []
    for r in reports:
        c = r.get("counts") or {}
        stem = str(r.get("_stem") or r.get("batch_id"))
        rows.append({"batch_id": str(r.get("batch_id")), "cast_date": str(r.get("cast_date") or MISSING),
                     "verdict": verdict_context(str(r.get("verdict"))), "films": fmt_int(c.get("films")),
                     "pass": fmt_int(c.get("pass")), "fail": fmt_int(c.get("fail")),
                     "out_of_range": fmt_int(c.get("out_of_range")),
                     "links": _links(out, stem, (".html", ".pdf", ".json"))})
    study_rows = []
    for name in studies:
        stem = name[: -len(".results.json")] if name.endswith(".results.json") else Path(name).stem
        study_rows.append({"name": stem, "links": _links(out, stem, (".html", ".pdf")) +
                           [{"href": name, "label": "JSON"}]})
    n_fail = sum(1 for r in rows if r["verdict"]["cls"] == "fail")
    created = now()
    control = _control(reports, model) if model is not None and reports else None
    intro = [
        f"{plural(len(rows), 'batch report')} in this folder, oldest first"
        + (f": {plural(len(rows) - n_fail, 'batch passes', 'batches pass')}, "
           f"{plural(n_fail, 'batch fails', 'batches fail')}." if rows else "."),
        "Each batch was judged against the reference model; open its report for the films, the reasons of every "
        "failure and the figures. This page is regenerated after every run of ssereport batch.",
    ]
    return {
        "lang": "en",
        "title": "SSE film batch reports",
        "folder": out.name if out is not None else "",
        "generator": generator(),
        "meta": {"description": f"Index of {len(rows)} SSE film batch reports with I-MR control charts.",
                 "keywords": "solid-state electrolyte, batch reports, control chart", "created": created,
                 "modified": created},
        "intro": intro,
        "reports": rows,
        "studies": study_rows,
        "errors": [{"source": str(e.get("source") or MISSING), "error": str(e.get("error") or MISSING)}
                   for e in errors],
        "control": control,
        "has_model": model is not None,
        "rules": list(RULES.values()),
    }


def render_index_html(reports: list[dict[str, Any]], errors: list[dict[str, Any]], *, studies: list[str],
                      out: Path | None, model: ReferenceModel | None) -> str:
    """The report index ``index.html``: every batch in time order, study reports, errors, control charts.

    Parameters
    ----------
    reports : list of dict
        Parsed batch JSON (``BatchResult.to_dict()`` plus ``_stem``, the file
        stem of the report files in ``out``), in time order.
    errors : list of dict
        ``{source, error}`` of the files that failed in this run.
    studies : list of str
        Names of ``*.results.json`` study reports in ``out``.
    out : Path
        The report folder: links are given only to files that exist there.
    model : ReferenceModel, optional
        Its class-1 mean and SD set the control limits; without it the control
        charts are left out (and the page says so).

    Returns
    -------
    str
        Self-contained HTML: inline CSS and SVG, no script, no external request.
    """
    ctx = build_index_context(reports, errors, studies=studies, out=Path(out) if out is not None else None,
                              model=model)
    return template_environment().get_template("index.html.j2").render(**ctx)

