"""How results show themselves in a notebook: a short ``repr`` and an HTML summary with the key tables.

The dataclasses (:class:`ssereport.StudyResults`, :class:`ssereport.FilmTable`)
delegate their ``__repr__`` and ``_repr_html_`` here, so that formatting stays
out of the analysis (as statsmodels keeps ``summary2`` apart from its models).
Tables are rendered by :meth:`pandas.DataFrame.to_html` (which escapes every
cell); numbers are rounded by :mod:`ssereport.format` only.

Examples
--------
>>> import ssereport
>>> table = ssereport.load_films("data/sse_films_reference.csv")
>>> repr(table)
'<FilmTable sse_films_reference.csv: 110 films analysed of 110 rows, 0 excluded, 0 notes>'
>>> "<table" in table._repr_html_()
True
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from .format import fmt_fixed, fmt_num, fmt_p, fmt_pct

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# A core module (one-way layers, tests/test_architecture.py): io's FilmTable and the pipeline's StudyResults
# import this module for their reprs, so it reads them by attribute and imports neither
FilmTable = Any  # ssereport.io.FilmTable
StudyResults = Any  # ssereport.pipeline.StudyResults

__all__ = ["MAX_HTML_ROWS", "comparison_html", "film_table_html", "film_table_repr", "study_html", "study_repr"]

#: Rows of the film table shown in a notebook (the first ones); the HTML stays small whatever the size.
MAX_HTML_ROWS = 10

_STYLE = "font-family: sans-serif; font-size: 0.9em"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _frame(df: pd.DataFrame, *, p_columns: tuple[str, ...] = ()) -> str:
    """A DataFrame as an HTML table: numbers to 3 significant digits, p-values in APA style."""
    formatters = {c: (lambda v: fmt_p(v, prefix=False)) for c in p_columns if c in df.columns}
    for c in df.columns:
        if c not in formatters and df[c].dtype.kind == "f":
            formatters[c] = fmt_num
    return df.to_html(index=False, formatters=formatters, na_rep="–", border=0, escape=True)


def film_table_repr(t: FilmTable) -> str:
    """``<FilmTable source: n films analysed of m rows, k excluded, j notes>``."""
    return (f"<FilmTable {t.source}: {t.n_analyzed} films analysed of {t.n_rows} rows, "
            f"{len(t.excluded)} excluded, {_plural(len(t.notes), 'note')}>")


def film_table_html(t: FilmTable) -> str:
    """The table's provenance, its first rows, the excluded rows and the loader's notes, as HTML."""
    import pandas as pd

    e = html.escape
    parts = [f'<div class="ssereport-filmtable" style="{_STYLE}">',
             f"<p><strong>FilmTable</strong> {e(t.source)}: {t.n_analyzed} films analysed of {t.n_rows} rows"
             + (f", SHA-256 <code>{e(t.sha256[:16])}…</code>" if t.sha256 else "") + "</p>"]
    head = t.data.head(MAX_HTML_ROWS).reset_index()
    parts.append(_frame(head))
    if t.n_analyzed > MAX_HTML_ROWS:
        parts.append(f"<p>First {MAX_HTML_ROWS} of {t.n_analyzed} films (all in <code>.data</code>).</p>")
    if t.excluded:
        ex = pd.DataFrame([{"row": x.row, "sample_id": x.sample_id, "reason": x.reason} for x in t.excluded])
        parts += ["<p>Excluded rows:</p>", _frame(ex.head(MAX_HTML_ROWS))]
    if t.notes:
        parts.append("<p>Notes from loading:</p><ul>" + "".join(f"<li>{e(n)}</li>" for n in t.notes) + "</ul>")
    parts.append("</div>")
    return "\n".join(parts)


def study_repr(r: StudyResults) -> str:
    """One line: films, classes, PCA, tests and classifier scores (the full results: ``to_dict()``)."""
    c, k, p = r.clusters, r.classifier, r.pca
    classes = ", ".join(f"{cls}: {n}" for cls, n in c.counts.items())
    return (f"<StudyResults {r.table.source}: {r.table.n_analyzed} films; classes {{{classes}}}, silhouette "
            f"{fmt_fixed(c.silhouette, 2)}; PCA {p.n_components_used} PCs "
            f"{fmt_pct(p.cumulative[p.n_components_used - 1])}; SVM test macro F1 {fmt_num(k.test_f1_macro)}, "
            f"CV {fmt_num(k.cv_f1_macro_mean)}; seed {r.config.seed}>")


def study_html(r: StudyResults) -> str:
    """The summary and the key tables (classes, Kruskal-Wallis, ANOVA, classifier) as HTML."""
    import pandas as pd

    e = html.escape
    k = r.classifier
    counts = pd.DataFrame({"class": list(r.clusters.counts), "films": list(r.clusters.counts.values())})
    medians = (r.class_summary.pivot(index="class", columns="variable", values="median")
               [["conductivity_s_cm", "rd", "thickness_um"]].reset_index())
    classes = counts.merge(medians, on="class", how="left").rename(
        columns={"conductivity_s_cm": "median σ (S/cm)", "rd": "median RD", "thickness_um": "median thickness (µm)"})
    scores = pd.DataFrame({"score": ["test macro F1", "CV macro F1 (mean)", "CV 2.5th percentile",
                                     "CV 97.5th percentile"],
                           "value": [k.test_f1_macro, k.cv_f1_macro_mean, *k.cv_f1_macro_ci95]})
    parts = [f'<div class="ssereport-results" style="{_STYLE}">',
             "<p><strong>StudyResults</strong></p>",
             "<pre>" + e(r.summary()) + "</pre>",
             "<h4>Quality classes</h4>", _frame(classes),
             "<h4>Kruskal-Wallis</h4>", _frame(r.kruskal, p_columns=("p_value",)),
             f"<h4>ANOVA of log(RD), type {r.anova.type}</h4>", _frame(r.anova.table, p_columns=("p_value",)),
             "<h4>Classifier (linear SVM)</h4>", _frame(scores),
             "<p>Every table: <code>.to_dict()</code>; the report: "
             "<code>ssereport.render_report(results, out_dir)</code>.</p>",
             "</div>"]
    return "\n".join(parts)


def comparison_html(c: Any) -> str:
    """A :class:`~ssereport.analysis.compare.Comparison` as HTML: the headline, the two questions answered
    apart, the films beyond the acceptance limits and the shift of every variable."""
    e = html.escape
    parts = [f'<div class="ssereport-compare" style="{_STYLE}">',
             f"<p><strong>{e(c.headline)}</strong></p>",
             f"<p>A (reference): {e(str(c.source_a))}, {c.n_a} films. B: {e(str(c.source_b))}, {c.n_b} films.</p>",
             f"<h4>Did film quality change?</h4><p>{e(c.quality_answer())}</p>"]
    if c.limits is not None:
        parts.append(_frame(c.limits.table))
    parts += [f"<h4>Does A's recipe → class model still predict B's classes?</h4><p>{e(c.model_answer())}</p>",
              "<h4>What changed</h4>",
              _frame(c.variables[["variable", "median_a", "median_b", "change_pct", "direction", "shift",
                                  "shift_ci_low", "shift_ci_high", "p_holm", "effect_size", "shifted"]],
                     p_columns=("p_holm",)),
              f"<p>{e(c.shift_method)}. Everything: <code>.to_dict()</code>; the report: "
              "<code>ssereport compare A B --out DIR</code>.</p>",
              "</div>"]
    return "\n".join(parts)
