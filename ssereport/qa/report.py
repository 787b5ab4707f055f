"""Batch reports: results -> plain context dict -> HTML / PDF/A.

The same three layers as the study report: :class:`~ssereport.qa.judge.BatchResult`
(numbers at full precision) -> a context dict built here (every sentence, every
table cell, formatted only through :mod:`ssereport.format`) -> the
templates ``batch.html.j2`` (HTML) and ``batch.typ`` (PDF/A through Typst,
:mod:`ssereport.report.pdf`), which only display it. The only markup marked
safe is the SVG our own figure code writes (:mod:`ssereport.qa.figures`); batch
ids, sample ids and file names from the input are escaped by the HTML template
and placed as text by the Typst template. The index is :mod:`ssereport.qa.index`;
the statistics shown (capability, control limits) come from :mod:`ssereport.analysis`.

About 500 lines: a third of it is the report's prose (:func:`_texts`), kept in
one place so the HTML and the PDF say the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..schema import by_name
from ..format import MISSING, fmt_fixed, fmt_int, fmt_num, fmt_pct, fmt_trimmed
from ..report.vocab import Figure, KeyValue, Section, SectionRegistry, Table, toc
from .reasons import finding_text

if TYPE_CHECKING:  # pragma: no cover
    from .judge import BatchResult
    from .model import ReferenceModel

__all__ = ["BATCH_SECTIONS", "BatchSectionInput", "build_batch_context", "render_batch_html", "render_batch_pdf"]

#: Film-table columns shown with their value (the out-of-range flag applies to these).
_FILM_VARS: tuple[tuple[str, Any], ...] = (
    ("polymer_wt_pct", lambda v: fmt_num(v, trim=True)),
    ("ls_ratio", lambda v: fmt_fixed(v, 2)),
    ("xylene_vol_pct", lambda v: fmt_num(v, trim=True)),
    ("thickness_um", lambda v: fmt_num(v, 3)),
    ("conductivity_s_cm", lambda v: fmt_num(v, 3)),
    ("rd", lambda v: fmt_num(v, 3)),
)
_CLASS_MEANING = {1: "high σ, low RD", 2: "high σ, high RD", 3: "low σ"}
#: What the two classes shown per film are (neither decides pass/fail).
NEAREST_CLASS = "the class of the nearest centroid in the reference PCA (incl. L:S, X:B): where the film lies, not whether it passes"
EXPECTED_CLASS = "class expected from the recipe (SVM)"
#: Their short film-table headers, explained in the table note (a long header takes six lines in a narrow column).
NEAREST_HEAD, EXPECTED_HEAD = "nearest reference class (PCA)", "recipe class (SVM)"
_CAP_VARS = {"conductivity_s_cm": "σ (S/cm)", "rd": "RD (–)", "thickness_um": "thickness (µm)"}
RULES = {1: "1: one point beyond 3σ", 2: "2: two of three beyond 2σ on one side",
          3: "3: four of five beyond 1σ on one side", 4: "4: eight in a row on one side of the center",
          "MR": "MR: moving range above its upper limit"}
#: At most this many failing sample ids are named in the summary.
_MAX_LISTED = 20


def head(name: str) -> str:
    return by_name(name).axis_label


def plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{fmt_int(n)} {word if n == 1 else (plural or word + 's')}"


def verdict_context(verdict: str) -> dict[str, str]:
    ok = verdict == "pass"
    return {"text": "PASS" if ok else "FAIL", "cls": "pass" if ok else "fail", "symbol": "✓" if ok else "✗"}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def generator(version: str | None = None) -> str:
    from .. import __version__

    return f"ssereport {version or __version__}"


# --------------------------------------------------------------------------- batch report

def _film_table(result: BatchResult) -> dict[str, Any]:
    """The film table: one row per film, the nearest reference class next to the result.

    ``fails`` and ``notes`` are the film's reason and note records
    (:class:`~ssereport.qa.reasons.Finding`) worded by :func:`finding_text`.
    """
    headers = ["#", "sample", *(head(v) for v, _ in _FILM_VARS), EXPECTED_HEAD, "SVM margin (–)", NEAREST_HEAD,
               "result"]
    numeric = [True, False] + [True] * len(_FILM_VARS) + [True, True, True, False]
    rows = []
    for i, (_, f) in enumerate(result.films.iterrows(), start=1):
        oor = set(f["out_of_range"])
        cells = [{"text": fmt_int(i), "flag": False}, {"text": str(f["sample_id"]), "flag": False}]
        cells += [{"text": fmt(f[v]), "flag": v in oor} for v, fmt in _FILM_VARS]
        cells += [{"text": fmt_int(f["predicted_class"]), "flag": False},
                  {"text": fmt_fixed(f["margin"], 2), "flag": False},
                  {"text": fmt_int(f["observed_class"]), "flag": False}]
        fails = [finding_text(r) for r in f["reasons"]]
        notes = [finding_text(r) for r in f["notes"]]
        rows.append({"cells": cells, "pass": bool(f["pass"]), "result": "pass" if f["pass"] else "FAIL",
                     "reasons": fails + notes, "fails": fails, "notes": notes, "extrapolated": bool(oor)})
    return {"headers": headers, "numeric": numeric, "rows": rows}


def _counts(result: BatchResult) -> list[dict[str, str]]:
    c = result.counts
    obs = c["observed_class"]
    n = c["films"]
    return [
        {"label": "Films", "value": fmt_int(n)},
        {"label": "Pass", "value": f"{fmt_int(c['pass'])} ({fmt_pct(c['pass'] / n if n else None, 0)})"},
        {"label": "Fail", "value": f"{fmt_int(c['fail'])} ({fmt_pct(c['fail'] / n if n else None, 0)})"},
        {"label": "Nearest reference class (PCA; orientation, not the verdict)",
         "value": ", ".join(f"class {k} ({_CLASS_MEANING[int(k)]}) ×{fmt_int(obs.get(k, 0))}"
                            for k in ("1", "2", "3") if obs.get(k, 0))},
        {"label": "Out of reference range", "value": f"{plural(c['out_of_range'], 'film')} (extrapolation)"},
    ]


def _spec_context(result: BatchResult) -> dict[str, Any]:
    spec = result.spec
    given = dict(getattr(spec, "given", ()) or ())

    def as_written(*keys: str) -> str:
        texts = [f"{k} = \"{given[k]}\"" for k in keys if k in given]
        return f" (written {', '.join(texts)})" if texts else ""

    limits = [
        {"label": "σ minimum", "value": f"{fmt_num(spec.sigma_min)} S/cm{as_written('sigma_min')}"
         if spec.sigma_min is not None else MISSING},
        {"label": "RD maximum", "value": f"{fmt_num(spec.rd_max)} (–){as_written('rd_max')}"
         if spec.rd_max is not None else MISSING},
        {"label": "Thickness range",
         "value": (f"{fmt_num(spec.thickness_min, trim=True)} – {fmt_num(spec.thickness_max, trim=True)} µm"
                   f"{as_written('thickness_min', 'thickness_max')}"
                   if spec.thickness_min is not None or spec.thickness_max is not None else MISSING)},
        {"label": "Films that must pass", "value": f"at least {fmt_pct(spec.min_pass_fraction, 0)}"},
    ]
    rows = []
    for var, cap in result.capability.items():
        rows.append([_CAP_VARS.get(var, head(var)), fmt_num(cap.get("lsl")), fmt_num(cap.get("usl")),
                     fmt_num(cap.get("mean")), fmt_num(cap.get("sd_within")), fmt_num(cap.get("sd_overall")),
                     fmt_fixed(cap.get("cp"), 2), fmt_fixed(cap.get("cpk"), 2), fmt_fixed(cap.get("pp"), 2),
                     fmt_fixed(cap.get("ppk"), 2), fmt_int(cap.get("n"))])
    return {
        "has_limits": spec.has_limits,
        "limits": limits,
        "capability": {"headers": ["Variable (unit)", "LSL", "USL", "mean", "SD within", "SD overall", "Cp", "Cpk",
                                   "Pp", "Ppk", "n"],
                       "numeric": [False] + [True] * 10, "rows": rows},
    }


def build_batch_context(result: BatchResult, *, model: ReferenceModel | None = None,
                        figures: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``batch.html.j2`` and ``batch.typ`` display: the title block, and one typed object per section.

    The title block (title, verdict, notes, ``"text"`` from :func:`_texts`) is
    plain data; ``"toc"`` lists the sections of :data:`BATCH_SECTIONS` in
    order (id, number, title, partials) and ``"sections"`` maps each id to what
    its ``build`` returned (a frozen dataclass of strings, :class:`Table` and
    :class:`Figure`). Every sentence of the report is in it, so the HTML and the
    PDF show the same words; the templates add only short labels.

    Parameters
    ----------
    result : BatchResult
    model : ReferenceModel, optional
        Needed for the figures and the reference class-1 numbers; without it
        the report says that the figures are missing.
    figures : dict, optional
        Pre-rendered figures (key -> FigureOutput); drawn from ``model`` by default.
    """
    from ..report.context import is_synthetic

    if figures is None and model is not None:
        from .figures import render_batch_figures

        figures = render_batch_figures(model, result)
    figures = figures or {}
    v = verdict_context(result.verdict)
    c = result.counts
    n, passed = c["films"], c["pass"]
    spec = result.spec
    acceptance = _acceptance(result)
    rule = ("a film passes when it meets every spec limit (" if spec.has_limits else
            "a film passes when its measurements are within the limits of the good (class 1) reference films ("
            ) + "; ".join(a["text"] for a in acceptance) + ")"
    verdict_sentence = (f"{fmt_int(passed)} of {plural(n, 'film')} pass; {rule}, and the batch passes when at "
                        f"least {fmt_pct(spec.min_pass_fraction, 0)} of its films pass.")
    mi = result.model_info or {}
    mdata = mi.get("data") or {}
    prov = result.provenance or {}
    created = prov.get("created") or now()
    title = f"Batch {result.batch_id} — {v['text']}"
    failing = [str(s) for s in result.films.loc[~result.films["pass"], "sample_id"]]
    extrap = int(c["out_of_range"])
    summary = [
        f"This report judges the {plural(n, 'film')} of batch {result.batch_id}"
        f"{' cast on ' + result.cast_date if result.cast_date else ''} against the reference study "
        f"{mdata.get('path') or ''} ({fmt_int(mdata.get('n_films'))} films). " + verdict_sentence,
        ("No film fails." if not failing else
         f"All {plural(n, 'film')} fail. The reasons are listed in the film table." if len(failing) == n and n > 1
         else f"Failing film{'s' if len(failing) != 1 else ''}: " + ", ".join(failing[:_MAX_LISTED])
         + (f" and {len(failing) - _MAX_LISTED} more" if len(failing) > _MAX_LISTED else "")
         + ". The reasons are listed in the film table."),
    ]
    if extrap:
        summary.append(f"{plural(extrap, 'film has', 'films have')} a variable outside the range of the reference "
                       f"films; their classes are extrapolations and should be read with care.")
    c1 = (model.class1 if model is not None else {})
    texts = _texts(title=title, batch_id=str(result.batch_id), verdict=v["text"],
                   cast_date=result.cast_date or MISSING, created=created,
                   generator=generator(prov.get("ssereport_version")))
    inp = BatchSectionInput(
        result=result, model=model, texts=texts, summary=tuple(summary), counts=tuple(_counts(result)),
        films=_film_table(result), class1=_class1_table(c1), spec=_spec_context(result),
        provenance=tuple(_provenance(result, model, created)),
        figures={k: Figure.from_output(k, figures.get(k)) for k in ("pc_map", "decision_maps", "class1")})
    return {
        "lang": "en",
        "title": title,
        "batch_id": str(result.batch_id),
        "cast_date": result.cast_date or MISSING,
        "verdict": {**v, "sentence": verdict_sentence},
        "generator": generator(prov.get("ssereport_version")),
        "meta": {"description": f"Pass/fail quality report of SSE film batch {result.batch_id} against the "
                                f"reference model ({v['text']}: {passed} of {n} films pass).",
                 "keywords": f"solid-state electrolyte, batch {result.batch_id}, quality control, {v['text']}",
                 "created": created, "modified": created},
        "synthetic": is_synthetic(mdata.get("path")),
        "notes": [str(n) for n in (getattr(result.table, "notes", ()) or ())],
        "has_model": model is not None,
        "text": texts,
        "toc": toc(BATCH_SECTIONS),
        "sections": {sec.id: sec.build(inp) for sec in BATCH_SECTIONS},
    }


def _acceptance(result: BatchResult) -> list[dict[str, str]]:
    """The acceptance limits of the verdict, one line each: ``σ ≥ 3.21 × 10⁻⁴ S/cm (5th percentile …)``."""
    out = []
    for lim in result.limits:
        col = by_name(lim.variable)
        unit = f" {col.unit}" if col.unit not in ("", "–", "-") else ""
        op = "≥" if lim.kind == "min" else "≤"
        value = fmt_trimmed(lim.value) if lim.basis == "spec" else fmt_num(lim.value)
        text = f"{col.symbol} {op} {value}{unit}" + (f", {lim.label}" if lim.basis == "class1" else "")
        out.append({"label": col.label, "symbol": col.symbol, "text": text})
    return out


def _class1_table(c1: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The table of the reference class-1 films (σ and RD): caption, headers, rows, note.

    The ``mean ± 3 SD`` limits are those of the report index's control charts:
    the lower one floored at 0 (:func:`ssereport.analysis.control.lower_control_limit`),
    since σ and RD cannot be negative.
    """
    from ..analysis.control import lower_control_limit

    rows = []
    for var in ("conductivity_s_cm", "rd"):
        if var not in c1:
            continue
        r = c1[var]
        rows.append([head(var), fmt_int(r["n"]), fmt_num(r["median"]), f"{fmt_num(r['q05'])} – {fmt_num(r['q95'])}",
                     f"{fmt_num(lower_control_limit(r['mean'], r['sd']))} – {fmt_num(r['mean'] + 3 * r['sd'])}"])
    return {"caption": "Reference class-1 films",
            "headers": ["Variable (unit)", "n", "median", "5th–95th percentile", "mean ± 3 SD limits"],
            "numeric": [False, True, True, True, True], "rows": rows,
            "note": "mean ± 3 SD: the control limits of the report index, from the class-1 films of the reference "
                    "study; the lower limit is floored at 0 because σ and RD cannot be negative.",
            "cls": ""}


def _texts(*, title: str, batch_id: str, verdict: str, cast_date: str, created: str,
           generator: str) -> dict[str, Any]:
    """Every sentence of the batch report outside the tables, for both templates.

    ``batch.html.j2`` and ``batch.typ`` display these strings and write no prose
    of their own, so the HTML and the PDF say the same words. Lists are
    paragraphs. ``spec_no_limits`` is one paragraph as segments
    ``{"text", "code"}``: ``code`` is ``""`` (plain text), ``"code"`` (a name
    set in monospace) or ``"cmd"`` (a command line set in monospace, never broken).
    """
    return {
        "byline": f"Cast {cast_date} · report created {created} · {generator}",
        "verdict_lead": f"Batch {batch_id}: {verdict}.",
        "synthetic_notice": "The reference model was fitted on the bundled synthetic data set: the verdict "
                            "illustrates the workflow and says nothing about real films.",
        "films_intro": [
            "One row per film, in the order of the input file. The result comes from the film's measurements "
            "only, compared with the limits stated above; every failure quotes the value and the limit. The "
            "recipe (P%, L:S, X:B) never decides it.",
            "Two classes are shown for orientation and decide nothing: the nearest reference class places the film "
            "in the reference PCA (its variables include L:S and X:B but not P%) and takes the nearest class "
            "centroid, as in the paper; the class expected from the recipe is the reference SVM's prediction from P%, L:S and "
            "X:B, with its margin (distance to the decision boundary in standardised units; near 0 it is "
            "uncertain). Values marked † lie outside the range of the reference films (extrapolation).",
        ],
        "films_note": f"† outside the range of the reference films (extrapolation: the classes are still given, "
                      f"but the model has not seen such films). {NEAREST_HEAD[0].upper() + NEAREST_HEAD[1:]}: "
                      f"{NEAREST_CLASS}; {EXPECTED_HEAD}: {EXPECTED_CLASS}. Classes: 1 high σ and low RD, "
                      f"2 high σ and high RD (non-uniform), 3 low σ.",
        "acceptance_lead": "Pass/fail rule",
        "notes_lead": "Notes on the batch file",
        "maps_intro": [
            "Where the films sit relative to the reference study. On the PC map, films close to the class 1 "
            "centroid look like the good reference films. The map's coordinates include L:S and X:B, so the nearest "
            "class is shown for orientation; pass/fail comes from the measurements alone.",
            "The decision maps show which class the reference SVM expects from the manufacturing conditions "
            "alone. A film whose nearest reference class differs from the class of its position on the map was "
            "cast under conditions that normally give another quality.",
        ],
        "maps_missing": "The figures need the reference model; render the report with the model the batch was "
                        "judged with.",
        "reference_intro": [
            "Each film's ionic conductivity σ and relative thickness deviation RD next to the good (class 1) films "
            "of the reference study. Films inside the grey band behave like 90 % of the good reference films; "
            "films beyond the dashed mean ± 3 SD lines are unusual for a good film.",
        ],
        "reference_missing": "The comparison needs the reference model.",
        "spec_intro": [
            "With spec limits a film passes when it meets every limit below. The capability indices compare the "
            "spread of the batch with the width of the spec: Cp and Cpk use the short-term spread (from "
            "consecutive films), Pp and Ppk the overall spread of the batch.",
            "An index of 1.33 or more means the process keeps at least four standard deviations between its mean "
            "and the nearest limit (about 63 films out of a million outside); below 1 a visible share of films "
            "falls outside the spec. “–” marks an index that is undefined for these limits (Cp and Pp need both "
            "limits).",
        ],
        "capability_note": "LSL, USL: lower and upper spec limit, in the unit of the variable; SD within = mean "
                           "moving range / 1.128.",
        "spec_no_limits": [
            {"text": "No spec limits were given, so a film passes when its σ is at least the 5th percentile and "
                     "its RD at most the 95th percentile of the good (class 1) reference films. To judge the batch "
                     "against your own limits instead (numbers in S/cm and µm, or with a unit such as "
                     "\"0.3 mS/cm\") and get capability indices (Cp, Cpk, Pp, Ppk), run ", "code": ""},
            {"text": "ssereport batch … --spec spec.toml", "code": "cmd"},
            {"text": " with ", "code": ""},
            {"text": "sigma_min", "code": "code"},
            {"text": ", ", "code": ""},
            {"text": "rd_max", "code": "code"},
            {"text": ", ", "code": ""},
            {"text": "thickness_min", "code": "code"},
            {"text": ", ", "code": ""},
            {"text": "thickness_max", "code": "code"},
            {"text": ".", "code": ""},
        ],
        "provenance_intro": [
            "What this verdict was computed from. The PDF carries the batch data file and the batch JSON as "
            "attachments, so the report can be checked without the original folder.",
        ],
        "colophon": f"{title} · generated by {generator}.",
    }


def _provenance(result: BatchResult, model: ReferenceModel | None, created: str) -> list[dict[str, Any]]:
    """What the verdict was computed from: the batch file, the reference model and the software."""
    import platform

    from ..report.sections.overview import libraries_text
    from ..versions import typst_compiler_version

    mi = result.model_info or {}
    mdata = mi.get("data") or {}
    prov = result.provenance or {}
    t = result.table
    excluded = list(getattr(t, "excluded", ()) or ())
    n_rows = getattr(t, "n_rows", None)
    rows = (f"{fmt_int(n_rows)} in the file, {fmt_int(len(result.films))} judged, {fmt_int(len(excluded))} excluded"
            + (" (" + "; ".join(f"row {e.row}: {e.reason}" for e in excluded[:5])
               + (f"; and {len(excluded) - 5} more" if len(excluded) > 5 else "") + ")" if excluded else ""))
    out = [
        {"label": "Batch data file", "value": str(t.source), "mono": False},
        {"label": "Batch data SHA-256", "value": str(t.sha256), "mono": True},
        {"label": "Rows", "value": rows, "mono": False},
        {"label": "Reference data file", "value": str(mdata.get("path") or MISSING), "mono": False},
        {"label": "Reference data SHA-256", "value": str(mdata.get("sha256") or MISSING), "mono": True},
    ]
    info = model.info if model is not None else {}
    if model is not None:
        try:
            checksum = str(model.to_dict().get("checksum") or MISSING)
        except Exception:  # pragma: no cover - a model that cannot serialise itself still gets its report
            checksum = MISSING
        out.append({"label": "Reference model checksum", "value": checksum, "mono": True})
    out += [
        {"label": "Reference model created", "value": str(mi.get("created") or MISSING), "mono": False},
        {"label": "Model fitted with", "value": generator(mi.get("ssereport_version")), "mono": False},
    ]
    cfg = info.get("config") or {}
    if cfg:
        out.append({"label": "Model settings", "mono": False,
                    "value": "; ".join(f"{k} = {', '.join(map(str, v)) if isinstance(v, list) else v}"
                                       for k, v in cfg.items())})
    packages = info.get("packages") or {}
    if packages:
        out.append({"label": "Model libraries", "mono": False,
                    "value": libraries_text(packages)})
    out += [
        {"label": "Report generated by", "value": generator(prov.get("ssereport_version")), "mono": False},
        {"label": "Python", "value": str(prov.get("python") or platform.python_version()), "mono": False},
        *([{"label": "PDF laid out by", "value": f"Typst {compiler} (Python package typst "
                                                 f"{_package_version('typst')})", "mono": False}]
          if (compiler := typst_compiler_version()) else []),
        {"label": "Report created", "value": created, "mono": False},
    ]
    return out


def _package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # pragma: no cover
        return MISSING


# --------------------------------------------------------------------------- the batch document's sections


@dataclass(frozen=True, eq=False)
class Segment:
    """Part of a paragraph: plain text (``code=""``), a name (``"code"``), a command line (``"cmd"``) or, in the
    index only (HTML), a stressed word (``"strong"``)."""

    text: str
    code: str = ""


@dataclass(frozen=True, eq=False)
class Cell:
    """A film-table cell: its text, and whether the value lies outside the reference range (†)."""

    text: str
    flag: bool = False


@dataclass(frozen=True, eq=False)
class FilmRow:
    """One film: its cells, its result, the worded reason records (``fails``) and note records (``notes``)."""

    cells: tuple[Cell, ...]
    passed: bool
    result: str
    fails: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.fails + self.notes


@dataclass(frozen=True, eq=False)
class BatchSectionInput:
    """What every batch-report section's ``build`` receives: the judged batch and its formatted parts."""

    result: BatchResult
    model: ReferenceModel | None
    texts: dict[str, Any]
    summary: tuple[str, ...]
    counts: tuple[dict[str, str], ...]
    films: dict[str, Any]
    class1: dict[str, Any]
    spec: dict[str, Any]
    provenance: tuple[dict[str, Any], ...]
    figures: dict[str, Figure]


@dataclass(frozen=True, eq=False)
class SummarySection:
    paragraphs: tuple[str, ...]
    counts: tuple[KeyValue, ...]


@dataclass(frozen=True, eq=False)
class FilmsSection:
    intro: tuple[str, ...]
    caption: str
    note: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[FilmRow, ...]


@dataclass(frozen=True, eq=False)
class MapsSection:
    intro: tuple[str, ...]
    available: bool
    pc_map: Figure
    decision_maps: Figure
    missing: str


@dataclass(frozen=True, eq=False)
class ReferenceSection:
    intro: tuple[str, ...]
    available: bool
    figure: Figure
    table: Table
    missing: str


@dataclass(frozen=True, eq=False)
class SpecSection:
    has_limits: bool
    intro: tuple[str, ...]
    limits: tuple[KeyValue, ...]
    capability: Table
    no_limits: tuple[Segment, ...]
    pass_fraction: KeyValue


@dataclass(frozen=True, eq=False)
class ProvenanceSection:
    intro: tuple[str, ...]
    rows: tuple[KeyValue, ...]


def summary_section(inp: BatchSectionInput) -> SummarySection:
    return SummarySection(paragraphs=inp.summary, counts=tuple(KeyValue(**k) for k in inp.counts))


def films_section(inp: BatchSectionInput) -> FilmsSection:
    t = inp.films
    rows = tuple(FilmRow(cells=tuple(Cell(**c) for c in r["cells"]), passed=r["pass"], result=r["result"],
                         fails=tuple(r["fails"]), notes=tuple(r["notes"])) for r in t["rows"])
    return FilmsSection(intro=tuple(inp.texts["films_intro"]), caption="Every film of the batch",
                        note=inp.texts["films_note"], headers=tuple(t["headers"]), numeric=tuple(t["numeric"]),
                        rows=rows)


def maps_section(inp: BatchSectionInput) -> MapsSection:
    return MapsSection(intro=tuple(inp.texts["maps_intro"]), available=inp.model is not None,
                       pc_map=inp.figures["pc_map"], decision_maps=inp.figures["decision_maps"],
                       missing=inp.texts["maps_missing"])


def reference_section(inp: BatchSectionInput) -> ReferenceSection:
    c = inp.class1
    return ReferenceSection(intro=tuple(inp.texts["reference_intro"]), available=inp.model is not None,
                            figure=inp.figures["class1"],
                            table=Table(headers=c["headers"], rows=c["rows"], caption=c["caption"], note=c["note"],
                                        numeric=c["numeric"], cls=c["cls"]),
                            missing=inp.texts["reference_missing"])


def spec_section(inp: BatchSectionInput) -> SpecSection:
    sp = inp.spec
    cap = sp["capability"]
    limits = tuple(KeyValue(**k) for k in sp["limits"])
    return SpecSection(has_limits=bool(sp["has_limits"]), intro=tuple(inp.texts["spec_intro"]), limits=limits,
                       capability=Table(headers=cap["headers"], rows=cap["rows"], numeric=cap["numeric"],
                                        caption="Process capability", note=inp.texts["capability_note"]),
                       no_limits=tuple(Segment(**x) for x in inp.texts["spec_no_limits"]),
                       pass_fraction=limits[-1])


def provenance_section(inp: BatchSectionInput) -> ProvenanceSection:
    return ProvenanceSection(intro=tuple(inp.texts["provenance_intro"]),
                             rows=tuple(KeyValue(**k) for k in inp.provenance))


def _partials(section_id: str) -> dict[str, str]:
    return {"html": f"batch/sections/_{section_id}.html.j2", "typst": f"batch/sections/{section_id}.typ"}


#: The sections of a batch report, in order. A section is one ``build(BatchSectionInput)`` function
#: returning a frozen dataclass, an HTML partial and a Typst partial (``render(sec, s)``); register one
#: more (a plug-in, a test) with ``BATCH_SECTIONS.register(Section(...))``.
BATCH_SECTIONS = SectionRegistry((
    Section("summary", "Summary", summary_section, **_partials("summary")),
    Section("films", "Films", films_section, **_partials("films")),
    Section("maps", "Films on the reference maps", maps_section, **_partials("maps")),
    Section("reference", "σ and RD against the reference class-1 films", reference_section,
            **_partials("reference")),
    Section("spec", "Spec limits and capability", spec_section, **_partials("spec")),
    Section("provenance", "Provenance", provenance_section, **_partials("provenance")),
))


def template_environment():
    from ..report.render import environment

    return environment()


def render_batch_html(result: BatchResult, *, model: ReferenceModel | None = None,
                      figures: dict[str, Any] | None = None, context: dict[str, Any] | None = None) -> str:
    """The batch report as one self-contained HTML document.

    Parameters
    ----------
    result : BatchResult
        From :func:`ssereport.judge_batch`.
    model : ReferenceModel, optional
        The model the batch was judged with (for the figures); by default
        ``result.model`` when the result carries it.
    figures : dict, optional
        Pre-rendered figures (key -> FigureOutput).
    context : dict, optional
        The dict of :func:`build_batch_context`, when the caller has built it
        already (to share it with :func:`render_batch_pdf`); then ``model`` and
        ``figures`` are not used.

    Returns
    -------
    str
        HTML with inline CSS and inline SVG; no script, no external resource.
    """
    if context is None:
        model = model if model is not None else getattr(result, "model", None)
        context = build_batch_context(result, model=model, figures=figures)
    from ..report.render import partials

    env = template_environment()
    return env.get_template("batch.html.j2").render(**context, partials=partials(context["toc"], env))


def render_batch_pdf(result: BatchResult, out_path: str | Path, *, model: ReferenceModel | None = None,
                     figures: dict[str, Any] | None = None, attachments: Sequence[str | Path] = (),
                     context: dict[str, Any] | None = None) -> Path:
    """Write the batch report as PDF/A-3b, embedding ``attachments`` once each.

    Parameters
    ----------
    result : BatchResult
        From :func:`ssereport.judge_batch`; its ``table.source`` and
        ``table.sha256`` describe the attached batch data file.
    out_path : str or Path
        Written atomically: a failure leaves no file.
    model, figures
        As for :func:`render_batch_html` (not used when ``context`` is given).
    attachments : sequence of path
        The batch data file and the batch JSON, embedded byte for byte.
    context : dict, optional
        The dict of :func:`build_batch_context`, shared with the HTML.

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    ssereport.errors.RenderError
        If Typst cannot lay out ``batch.typ`` (names the template and Typst's message).

    Notes
    -----
    Laid out by Typst from ``templates/batch.typ`` in a temporary folder that
    holds only the context, the figures and the attachments
    (:func:`ssereport.report.pdf.compile_pdf`).
    """
    from ..report.pdf import compile_pdf, data_attachments
    
    if context is None:
        model = model if model is not None else getattr(result, "model", None)
        context = build_batch_context(result, model=model, figures=figures)
    return compile_pdf("batch.typ", context, out_path, attachments=data_attachments(result.table, attachments))


