"""The report index ``index.html`` and the month pages as documents of the report vocabulary.

Compute (the history database: :meth:`ssereport.qa.history.History.last` and
:meth:`~ssereport.qa.history.History.months`, or batch JSON files read by
:func:`ssereport.qa.run.collect_reports`; the I-MR charts by
:func:`ssereport.analysis.control.reference_charts` with limits from the
reference class-1 films of the model, drawn by :mod:`ssereport.qa.figures`),
structure (the section functions here, each returning a frozen dataclass of
strings formatted through :mod:`ssereport.format`,
:class:`~ssereport.report.vocab.Table` and
:class:`~ssereport.report.vocab.Figure`), present (one HTML partial
``templates/index/sections/_<id>.html.j2`` per section, assembled by
``index.html.j2`` over :data:`INDEX_SECTIONS`, or over :data:`MONTH_SECTIONS`
for a month page ``index-YYYY-MM.html``).

The index is a web page only: its sections have no Typst partial and there is
no PDF of it. A section whose ``build`` returns ``None`` is left out of the
page (the errors, the months and the study reports when there are none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..format import MISSING, fmt_int, fmt_num
from ..schema import by_name
from ..report.vocab import Figure, KeyValue, Section, SectionRegistry, Table, toc
from .reasons import finding_text
from .report import RULES, Segment, generator, head, now, plural, template_environment, verdict_context

if TYPE_CHECKING:  # pragma: no cover
    from .history import MonthSummary
    from .model import ReferenceModel

__all__ = ["INDEX_SECTIONS", "MONTH_SECTIONS", "IndexInput", "MonthInput", "build_index_context",
           "render_index_html", "render_month_html"]

#: The columns of the batch table (index and month pages): header, right-aligned.
_BATCH_COLUMNS = (("batch", False), ("cast date", False), ("verdict", False), ("films (n)", True),
                  ("pass (n)", True), ("fail (n)", True), ("out of range (n)", True), ("report", False))
_MONTH_COLUMNS = (("month", False), ("batches (n)", True), ("pass (n)", True), ("fail (n)", True),
                  ("films (n)", True), ("films pass (n)", True))
_RULE_COLUMNS = (("kind", False), ("batch", False), ("sample", False), ("variable (unit)", False), ("value", True),
                 ("what", False))


# --------------------------------------------------------------------------- what the partials display

@dataclass(frozen=True, eq=False)
class Link:
    """A link to a file beside the page: ``<a href="{href}">{label}</a>``."""

    href: str
    label: str


@dataclass(frozen=True, eq=False)
class Verdict:
    """A verdict badge: ``PASS``/``FAIL``, its CSS class and its symbol (✓/✗)."""

    text: str
    cls: str
    symbol: str


@dataclass(frozen=True, eq=False)
class BatchRow:
    """One judgement in the batch table."""

    batch_id: str
    cast_date: str
    verdict: Verdict
    films: str
    passed: str
    failed: str
    out_of_range: str
    links: tuple[Link, ...]


@dataclass(frozen=True, eq=False)
class MonthRow:
    """One month in the month table, linked to its page."""

    month: str
    href: str
    batches: str
    passed: str
    failed: str
    films: str
    films_pass: str


@dataclass(frozen=True, eq=False)
class Study:
    """A study report in the folder, with its files."""

    name: str
    links: tuple[Link, ...]


@dataclass(frozen=True, eq=False)
class RuleRow:
    """A row of the control charts' table: a failure (``kind="failure"``) or a process signal."""

    kind: str
    batch: str
    sample: str
    variable: str
    value: str
    rules: str

    @property
    def failure(self) -> bool:
        return self.kind == "failure"


@dataclass(frozen=True, eq=False)
class ErrorsSection:
    notice: tuple[Segment, ...]
    errors: tuple[KeyValue, ...]


@dataclass(frozen=True, eq=False)
class BatchesSection:
    intro: tuple[str, ...]
    caption: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[BatchRow, ...]
    missing: str


@dataclass(frozen=True, eq=False)
class MonthsSection:
    intro: tuple[str, ...]
    caption: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[MonthRow, ...]


@dataclass(frozen=True, eq=False)
class StudiesSection:
    intro: tuple[str, ...]
    studies: tuple[Study, ...]


@dataclass(frozen=True, eq=False)
class ControlSection:
    """The I-MR charts and their table; without charts (``available`` false) only ``intro`` and ``missing``.

    ``violations`` holds every failure (from the batch JSON's reason records) first, then every process
    signal: none left out.
    """

    intro: tuple[tuple[Segment, ...], ...]
    available: bool
    limits: Table | None
    figures: tuple[Figure, ...]
    caption: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    violations: tuple[RuleRow, ...]
    n_failures: int
    n_signals: int
    none: str
    missing: tuple[Segment, ...]


# --------------------------------------------------------------------------- the sections

@dataclass(frozen=True, eq=False)
class IndexInput:
    """What every index section's ``build`` receives (see :func:`render_index_html` for the parameters)."""

    reports: tuple[dict[str, Any], ...]
    errors: tuple[dict[str, Any], ...]
    studies: tuple[str, ...]
    out: Path | None
    model: ReferenceModel | None
    months: tuple[MonthSummary, ...] | None


@dataclass(frozen=True, eq=False)
class MonthInput:
    """What a month page's sections receive: the month's counts and its judgements, oldest first."""

    month: MonthSummary
    reports: tuple[dict[str, Any], ...]
    out: Path | None


def _links(out: Path | None, stem: str, suffixes: Sequence[str]) -> tuple[Link, ...]:
    links = []
    for suffix in suffixes:
        name = f"{stem}{suffix}"
        if out is None or (Path(out) / name).is_file():
            links.append(Link(href=name, label=suffix.rsplit(".", 1)[-1].upper()))
    return tuple(links)


def _report_rows(reports: Sequence[dict[str, Any]], out: Path | None) -> tuple[BatchRow, ...]:
    rows = []
    for r in reports:
        c = r.get("counts") or {}
        stem = str(r.get("_stem") or r.get("batch_id"))
        rows.append(BatchRow(batch_id=str(r.get("batch_id")), cast_date=str(r.get("cast_date") or MISSING),
                             verdict=Verdict(**verdict_context(str(r.get("verdict")))),
                             films=fmt_int(c.get("films")), passed=fmt_int(c.get("pass")),
                             failed=fmt_int(c.get("fail")), out_of_range=fmt_int(c.get("out_of_range")),
                             links=_links(out, stem, (".html", ".pdf", ".json"))))
    return tuple(rows)


def _batches(intro: Sequence[str], rows: tuple[BatchRow, ...], missing: str) -> BatchesSection:
    return BatchesSection(intro=tuple(intro), caption="Batches in time order (cast date, then batch)",
                          headers=tuple(h for h, _ in _BATCH_COLUMNS), numeric=tuple(n for _, n in _BATCH_COLUMNS),
                          rows=rows, missing=missing)


def errors_section(inp: IndexInput) -> ErrorsSection | None:
    """The files that could not be judged in the last run (``None`` when there are none)."""
    if not inp.errors:
        return None
    n = len(inp.errors)
    notice = (Segment(f"{plural(n, 'file')} could not be judged in the last run; no report was written for "
                      f"{'it' if n == 1 else 'them'}. Fix the file and run "),
              Segment("ssereport batch", "code"), Segment(" again."))
    return ErrorsSection(notice=notice, errors=tuple(
        KeyValue(label=str(e.get("source") or MISSING), value=str(e.get("error") or MISSING)) for e in inp.errors))


def batches_section(inp: IndexInput) -> BatchesSection:
    """The last judgements in time order, with the counts of the history in the first sentence."""
    rows = _report_rows(inp.reports, inp.out)
    n_fail = sum(1 for r in rows if r.verdict.cls == "fail")
    total = sum(m.n_batches for m in inp.months) if inp.months is not None else len(rows)
    head_text = (f"{plural(len(rows), 'batch report')} in the batch history, oldest first" if total == len(rows) else
                 f"The last {fmt_int(len(rows))} of the {plural(total, 'judgement')} in the batch history, oldest "
                 "first (every month is in the table below them)")
    intro = [
        head_text
        + (f": {plural(len(rows) - n_fail, 'batch passes', 'batches pass')}, "
           f"{plural(n_fail, 'batch fails', 'batches fail')}." if rows else "."),
        "Each batch was judged against the reference model; open its report for the films, the reasons of every "
        "failure and the figures. This page is regenerated after every run of ssereport batch.",
    ]
    return _batches(intro, rows, "No batch report in this folder yet.")


def months_section(inp: IndexInput) -> MonthsSection | None:
    """Every month of the history, linked to its page (``None`` without months)."""
    if not inp.months:
        return None
    rows = tuple(MonthRow(month=m.key, href=m.page, batches=fmt_int(m.n_batches), passed=fmt_int(m.n_pass),
                          failed=fmt_int(m.n_batches - m.n_pass), films=fmt_int(m.n_films),
                          films_pass=fmt_int(m.n_films_pass)) for m in inp.months)
    return MonthsSection(
        intro=("Every judgement in the batch history, month by month (cast date; judgement date for a batch without "
               "one). Each month links to its page listing all its batches.",),
        caption="Judgements per month", headers=tuple(h for h, _ in _MONTH_COLUMNS),
        numeric=tuple(n for _, n in _MONTH_COLUMNS), rows=rows)


def studies_section(inp: IndexInput) -> StudiesSection | None:
    """The study reports in the folder (``None`` when there are none)."""
    if not inp.studies:
        return None
    studies = []
    for name in inp.studies:
        stem = name[: -len(".results.json")] if name.endswith(".results.json") else Path(name).stem
        studies.append(Study(name=stem, links=_links(inp.out, stem, (".html", ".pdf")) + (Link(name, "JSON"),)))
    return StudiesSection(intro=("Full statistical reports of reference studies in this folder.",),
                          studies=tuple(studies))


def control_section(inp: IndexInput) -> ControlSection:
    """The control charts and their table: failures (from the batch JSON's reason records) and process signals.

    A film failing the acceptance limit of σ or RD is a *failure* on that variable's chart (red cross and
    its id); every other flagged point (a Western Electric rule, a moving range above its limit) is a
    *process signal*: unusual, worded by its side of the center (``"unusual (high σ)"``), never a failure.
    """
    intro = (
        (Segment("Every film of the batches listed above, in time order, on individuals and moving-range (I-MR) "
                 "charts of σ and RD. The center line and the ±3σ control limits are the mean and standard deviation "
                 "of the class-1 reference films, so a point outside the limits or a run on one side says the "
                 "process has drifted away from the reference. The red dash-dot line is the acceptance (or spec) "
                 "limit the films were judged by."),),
        (Segment("Red crosses, labelled with the sample id, are films that "), Segment("fail", "strong"),
         Segment(" that variable's limit. Open amber diamonds are "), Segment("process signals", "strong"),
         Segment(": a film within the limit that breaks a Western Electric rule, or a moving range above its upper "
                 f"limit ({'; '.join(RULES.values())}); unusual, worth a look, not a failure. The table below the "
                 "charts lists every failure first, then every process signal.")),
    )
    empty = ControlSection(
        intro=intro, available=False, limits=None, figures=(), caption="", headers=(), numeric=(), violations=(),
        n_failures=0, n_signals=0, none="",
        missing=(Segment("The control charts need the reference model (its class-1 films set the limits); they "
                         "are drawn when the index is written by "), Segment("ssereport batch", "code"),
                 Segment(".")) if inp.model is None else (Segment("No batch films to chart yet."),))
    if inp.model is None or not inp.reports:
        return empty
    from ..analysis.control import reference_charts
    from .figures import render_control_figures

    charted = ("conductivity_s_cm", "rd")
    films, starts, names = [], [], []
    limits: dict[str, list[float | None]] = {v: [] for v in charted}
    labels: dict[str, tuple[str, str]] = {}
    for r in inp.reports:
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
        return empty
    charts = reference_charts({var: [float(f[var]) for _, _, f in films] for var in charted},
                              [f"{b} / {s}" for b, s, _ in films], inp.model.class1)
    failed: dict[str, list[tuple[int, str]]] = {v: [] for v in charted}
    rows: list[tuple[int, RuleRow]] = []
    for j, (b, s, f) in enumerate(films):
        for rec in f.get("reasons") or []:
            if not isinstance(rec, dict):
                continue
            var = str(rec.get("variable"))
            if var in failed:
                failed[var].append((j, s))
            rows.append((j, RuleRow(kind="failure", batch=b, sample=s, variable=head(var) if _known(var) else var,
                                    value=fmt_num(rec.get("value")), rules=finding_text(rec))))
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
            rows.append((flag.index, RuleRow(
                kind="process signal", batch=b, sample=s,
                variable=f"{head(var)}, moving range" if mr else head(var), value=fmt_num(value),
                rules=f"{side}: " + "; ".join(RULES.get(r, str(r)) for r in flag.rules))))
    rows.sort(key=lambda x: (not x[1].failure, x[0], x[1].variable))
    violations = tuple(r for _, r in rows)
    n_fail = sum(1 for r in violations if r.failure)
    n_sig = len(violations) - n_fail
    ref = inp.model.class1
    return ControlSection(
        intro=intro, available=True,
        limits=Table(headers=("variable (unit)", "n", "center (mean)", "SD", "LCL", "UCL"),
                     rows=[(head(v), fmt_int(ref[v]["n"]), fmt_num(ref[v]["mean"]), fmt_num(ref[v]["sd"]),
                            fmt_num(charts[v].lcl), fmt_num(charts[v].ucl)) for v in charts],
                     caption="Control limits (reference class-1 films)"),
        figures=tuple(Figure.from_output(k, f) for k, f in figures.items()),
        caption=(f"{plural(n_fail, 'failure')} (a film outside its acceptance limit) and "
                 f"{plural(n_sig, 'process signal')} (unusual, within the limit)"),
        headers=tuple(h for h, _ in _RULE_COLUMNS), numeric=tuple(n for _, n in _RULE_COLUMNS),
        violations=violations, n_failures=n_fail, n_signals=n_sig,
        none="No film fails, no film breaks a Western Electric rule and no moving range is above its limit.",
        missing=())


def _known(var: str) -> bool:
    try:
        by_name(var)
    except KeyError:
        return False
    return True


def month_batches_section(inp: MonthInput) -> BatchesSection:
    """Every judgement of one month in time order."""
    m = inp.month
    n_fail = m.n_batches - m.n_pass
    intro = [f"{plural(m.n_batches, 'judgement')} of batches cast in {m.key} (judged in it, for a batch without a "
             f"cast date), oldest first: {plural(m.n_pass, 'batch passes', 'batches pass')}, "
             f"{plural(n_fail, 'batch fails', 'batches fail')}; {fmt_int(m.n_films_pass)} of "
             f"{plural(m.n_films, 'film')} pass.",
             "The control charts of the last batches are on the index page."]
    return _batches(intro, _report_rows(inp.reports, inp.out), "No batch in this month.")


def _partial(section_id: str) -> str:
    return f"index/sections/_{section_id}.html.j2"


#: The sections of the index page, in order. A section is one ``build(IndexInput)`` function returning a
#: frozen dataclass (or ``None``: left out) and an HTML partial; no Typst partial (the index has no PDF).
#: Register one more (a plug-in, a test) with ``INDEX_SECTIONS.register(Section(...))``.
INDEX_SECTIONS = SectionRegistry((
    Section("errors", "Errors in the last run", errors_section, html=_partial("errors")),
    Section("batches", "Batch reports", batches_section, html=_partial("batches")),
    Section("months", "Every month", months_section, html=_partial("months")),
    Section("studies", "Study reports", studies_section, html=_partial("studies")),
    Section("control", "Control charts", control_section, html=_partial("control")),
))

#: The sections of a month page ``index-YYYY-MM.html`` (``build(MonthInput)``), shown like the index's.
MONTH_SECTIONS = SectionRegistry((
    Section("batches", "Batch reports", month_batches_section, html=_partial("batches")),
))


def _page(sections: SectionRegistry, inp: Any, *, title: str, byline: str, description: str, keywords: str,
          home: Link | None = None) -> dict[str, Any]:
    """The page around the sections: title block, metadata, and each section's object by id (``toc`` in order)."""
    created = now()
    built = {sec.id: sec.build(inp) for sec in sections}
    shown = [sec for sec in sections if built[sec.id] is not None]
    gen = generator()
    return {
        "lang": "en",
        "title": title,
        "byline": f"{byline}updated {created} · {gen}",
        "home": home,
        "generator": gen,
        "meta": {"description": description, "keywords": keywords, "created": created, "modified": created},
        "colophon": f"{title} · generated by {gen} · self-contained page: no script, no external resource.",
        "toc": toc(shown),
        "sections": {sec.id: built[sec.id] for sec in shown},
    }


def build_index_context(reports: list[dict[str, Any]], errors: list[dict[str, Any]], *, studies: list[str],
                        out: Path | None, model: ReferenceModel | None,
                        months: Sequence[MonthSummary] | None = None) -> dict[str, Any]:
    """What ``index.html.j2`` displays: the title block, and one typed object per shown section.

    ``"toc"`` lists the shown sections of :data:`INDEX_SECTIONS` in order (id,
    number, title, partial) and ``"sections"`` maps each id to what its
    ``build`` returned. Parameters as for :func:`render_index_html`.
    """
    out = Path(out) if out is not None else None
    inp = IndexInput(reports=tuple(reports), errors=tuple(errors), studies=tuple(studies), out=out, model=model,
                     months=tuple(months) if months is not None else None)
    return _page(INDEX_SECTIONS, inp, title="SSE film batch reports",
                 byline=f"Folder {out.name} · " if out is not None and out.name else "",
                 description=f"Index of {len(reports)} SSE film batch reports with I-MR control charts.",
                 keywords="solid-state electrolyte, batch reports, control chart")


def _render(ctx: dict[str, Any]) -> str:
    from ..report.render import partials

    env = template_environment()
    return env.get_template("index.html.j2").render(**ctx, partials=partials(ctx["toc"], env))


def render_index_html(reports: list[dict[str, Any]], errors: list[dict[str, Any]], *, studies: list[str],
                      out: Path | None, model: ReferenceModel | None,
                      months: Sequence[MonthSummary] | None = None) -> str:
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
    months : sequence of MonthSummary, optional
        Every month of the history (:meth:`ssereport.qa.history.History.months`):
        a table linked to the month pages ``index-YYYY-MM.html``.

    Returns
    -------
    str
        Self-contained HTML: inline CSS and SVG, no script, no external request.
    """
    return _render(build_index_context(reports, errors, studies=studies, out=out, model=model, months=months))


def render_month_html(month: MonthSummary, reports: list[dict[str, Any]], *, out: Path | None) -> str:
    """The page ``index-YYYY-MM.html``: every judgement of one month in time order, linked to its reports.

    Parameters
    ----------
    month : MonthSummary
        The month's counts (:meth:`ssereport.qa.history.History.months`).
    reports : list of dict
        Its judgements (:meth:`ssereport.qa.history.History.month`), oldest first.
    out : Path
        The report folder: links are given only to files that exist there.
    """
    inp = MonthInput(month=month, reports=tuple(reports), out=Path(out) if out is not None else None)
    return _render(_page(MONTH_SECTIONS, inp, title=f"SSE film batches of {month.key}", byline="",
                         description=f"The {month.n_batches} SSE film batch judgements of {month.key}.",
                         keywords="solid-state electrolyte, batch reports",
                         home=Link(href="index.html", label="All batch reports")))
