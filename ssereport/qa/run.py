"""Running many batch files: splitting, parallel judging and rendering (``--jobs``), the index."""

from __future__ import annotations

import gc
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError, HistoryError, ModelError, RenderError
from ..files import atomic_write, safe_stem
from .history import History, open_history
from .judge import BATCH_SCHEMA, judge_batch
from .model import ReferenceModel
from .spec import Spec, check_spec

__all__ = ["run_batches", "write_index"]


def process_file(path: Path, model: ReferenceModel, out: Path, spec: Spec | None, formats: tuple[str, ...],
                  max_file_mb: float, model_path: Path | None, columns: dict[str, str] | None = None,
                  history: History | None = None) -> list[dict[str, Any]]:
    """Judge one batch file (split by ``batch_id``) and write its reports; never raises for a bad file.

    With ``history``, each batch's judgement is recorded first
    (:meth:`ssereport.qa.history.History.record`); a batch whose judgement
    could not be recorded gets no report file, and its outcome says so.

    Returns
    -------
    list of dict
        One outcome per batch: ``source, batch_id, verdict, counts, files, error, notes``;
        a file that could not be judged gives one outcome with ``error`` set (the message).
    """
    from ..io import FilmTable, load_films

    try:
        table = load_films(path, max_file_mb=max_file_mb, columns=columns)
        d = table.data
        if "batch_id" in d.columns and d["batch_id"].nunique() > 1:
            parts = [(str(b), FilmTable(data=g, source=table.source, sha256=table.sha256, n_rows=len(g),
                                        excluded=(), notes=table.notes, path=table.path,
                                        headers=table.headers, units=table.units, mapped=table.mapped))
                     for b, g in d.groupby("batch_id", sort=True)]
        else:
            parts = [(None, table)]
        outcomes = []
        model_file = None
        if model_path is not None and Path(model_path).is_file():
            import hashlib

            model_file = {"path": Path(model_path).name,
                          "sha256": hashlib.sha256(Path(model_path).read_bytes()).hexdigest()}
        for batch_id, part in parts:
            result = judge_batch(model, part, spec=spec, batch_id=batch_id, model_file=model_file)
            recorded = _record(history, result)
            files = _write_batch(result, out, formats, model_path)
            outcomes.append({"source": table.source, "batch_id": result.batch_id, "verdict": result.verdict,
                             "counts": result.counts, "files": [f.name for f in files], "error": None,
                             "notes": list(table.notes), **recorded})
        return outcomes
    except (DataError, ConfigError, ModelError) as exc:
        return [{"source": path.name, "batch_id": None, "verdict": None, "counts": None, "files": [],
                 "error": str(exc)}]
    except RenderError as exc:  # the PDF could not be laid out (missing fonts, or a template bug)
        return [{"source": path.name, "batch_id": None, "verdict": None, "counts": None, "files": [],
                 "error": f"{path.name}: the PDF was not written: {exc}"}]
    except OSError as exc:
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        return [{"source": path.name, "batch_id": None, "verdict": None, "counts": None, "files": [],
                 "error": f"{path.name}: cannot read or write{where}: {exc.strerror or exc}"}]
    except Exception as exc:  # one broken file must not stop the other batches
        return [{"source": path.name, "batch_id": None, "verdict": None, "counts": None, "files": [],
                 "error": f"{path.name}: internal error ({type(exc).__name__}: {exc}); please report it"}]


def _record(history: History | None, result) -> dict[str, Any]:
    """Record the judgement before any of the batch's files is written: ``{"recorded", "month"}`` for the outcome."""
    if history is None:
        return {}
    try:
        rec = history.record(result)
    except HistoryError as exc:
        raise HistoryError(f"{exc}; no report file of batch {result.batch_id} was written (run it again to "
                           "retry)") from None
    return {"recorded": "new" if rec.new else "known", "month": rec.month}


def _write_batch(result, out: Path, formats: tuple[str, ...], model_path: Path | None) -> list[Path]:
    stem = safe_stem(result.batch_id, default="batch")
    written = []
    json_path = out / f"{stem}.json"
    if "json" in formats or "pdf" in formats:
        written.append(atomic_write(json_path, result.to_json()))
    if "html" in formats or "pdf" in formats:
        from .report import build_batch_context, render_batch_html, render_batch_pdf

        context = build_batch_context(result, model=getattr(result, "model", None))  # figures drawn once
        if "html" in formats:
            written.append(atomic_write(out / f"{stem}.html", render_batch_html(result, context=context)))
        if "pdf" in formats:
            attachments = [p for p in (Path(result.table.path) if result.table.path else None, json_path)
                           if p is not None and p.exists()]
            written.append(render_batch_pdf(result, out / f"{stem}.pdf", attachments=attachments, context=context))
    return written


def _preload(formats: tuple[str, ...]) -> None:
    """Import what the workers use before they are forked, so each does not import it again."""
    from .. import io  # noqa: F401  (pandas, numpy)

    if "html" in formats or "pdf" in formats:
        import matplotlib.backends.backend_svg  # noqa: F401  (0.5 s a worker, imported inside the plot functions)
        import matplotlib.figure  # noqa: F401

        from . import figures, index, report  # noqa: F401
        from .. import theme
        from ..report.render import environment

        theme.register_fonts()  # the DejaVu fonts read into matplotlib's font manager once, here

        env = environment()  # compile the templates once, here
        for name in ("batch.html.j2", "index.html.j2"):
            env.get_template(name)
    if "pdf" in formats:
        from ..report import pdf  # noqa: F401  (typst)
    from ..versions import package_versions

    package_versions()  # read once from the installed metadata (each batch JSON states them)


#: What a batch worker keeps for its whole life (set by :func:`worker_init`).
_WORKER: dict[str, Any] = {}


def worker_init(model: ReferenceModel, ignore_sigint: bool = False) -> None:
    """Initializer of a batch worker: keep ``model`` for every file the worker judges.

    The model reaches each worker once, not with every file: a model unpickled
    anew for each file would be a new object every time, and the per-process
    evaluation of its decision maps (:func:`ssereport.plots.batch.level_map`,
    keyed by the model object) would never be reused (0.07 s a batch).
    ``ignore_sigint``: Ctrl-C is for the parent (``watch``), which stops the workers.
    """
    _WORKER["model"] = model
    if ignore_sigint:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)


def process_in_worker(path: Path, *args: Any) -> list[dict[str, Any]]:
    """:func:`process_file` with the worker's model (see :func:`worker_init`)."""
    return process_file(path, _WORKER["model"], *args)


def _fork_context():
    """``multiprocessing``'s "fork" context on Linux (workers share the preloaded modules), else the default."""
    import multiprocessing
    import sys

    return multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None


def run_batches(files, model: ReferenceModel, out: Path, *, spec: Spec | None = None,
                formats: tuple[str, ...] = ("json", "html", "pdf"), jobs: int = 1,
                max_file_mb: float = 50.0, model_path: Path | None = None,
                columns: dict[str, str] | None = None, history: History | None = None,
                index_last: int = 100) -> list[dict[str, Any]]:
    """Judge and render every batch file; one bad file never stops the others.

    Returns one outcome dict per batch (or per failed file, with ``error`` set)
    and rewrites ``out/index.html`` from the history: the last ``index_last``
    judgements, the monthly summary and the pages of the months judged.
    Every judgement is recorded in ``history`` (default: ``out/history.sqlite``,
    :func:`ssereport.qa.history.open_history`) before its files are written.

    Raises
    ------
    ConfigError
        A bare spec number far outside the reference's scale (:func:`ssereport.qa.spec.check_spec`),
        before any file is read: it would fail every batch alike.
    HistoryError
        The history database cannot be opened (before any file is read).

    Examples
    --------
    >>> import glob
    >>> from ssereport.qa.run import run_batches
    >>> outcomes = run_batches(sorted(glob.glob("data/batches/*.csv")), model, "reports", jobs=2)  # doctest: +SKIP
    >>> [(o["batch_id"], o["verdict"]) for o in outcomes]                                        # doctest: +SKIP
    [('2026-03-02_A', 'pass'), ('2026-03-09_B', 'pass'), ('2026-03-16_C', 'fail')]
    """
    if spec is not None:
        check_spec(spec, model)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = [Path(f) for f in files]
    if history is None:
        history = open_history(out=out)
    rest = (out, spec, formats, max_file_mb, model_path, columns, history)
    if jobs > 1 and len(files) > 1:
        _preload(formats)
        history.dispose()  # no database connection crosses the fork: each worker opens its own
        froze = not gc.get_freeze_count()
        if froze:  # CPython's advice before fork: no worker copies the imported objects' pages by collecting them
            gc.freeze()
        try:
            with ProcessPoolExecutor(max_workers=min(jobs, len(files)), mp_context=_fork_context(),
                                     initializer=worker_init, initargs=(model,)) as pool:
                results = list(pool.map(process_in_worker, files, *([a] * len(files) for a in rest)))
        finally:
            if froze:
                gc.unfreeze()
    else:
        results = [process_file(f, model, *rest) for f in files]
    outcomes = [o for group in results for o in group]
    write_index(out, errors=[o for o in outcomes if o["error"]], model=model, history=history, last=index_last,
                months={o["month"] for o in outcomes if o.get("month")})
    return outcomes


def collect_reports(out: Path) -> list[dict[str, Any]]:
    """Every batch JSON in ``out`` (newest schema only), in time order."""
    items = []
    for p in sorted(Path(out).glob("*.json")):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(d, dict) and d.get("schema_version") == BATCH_SCHEMA:
            d["_stem"] = p.stem
            items.append(d)
    items.sort(key=lambda d: (d.get("cast_date") or "9999", d.get("batch_id") or ""))
    return items


def write_index(out: Path, *, errors: list[dict[str, Any]] | None = None,
                model: ReferenceModel | None = None, history: History | None = None, last: int = 100,
                months: set[str] | frozenset[str] = frozenset()) -> Path:
    """Rewrite ``out/index.html`` from the history database (default ``out/history.sqlite``).

    The index shows the last ``last`` judgements in full with their control
    charts and a summary of every month; the month pages ``index-YYYY-MM.html``
    of ``months`` (``"YYYY-MM"``: those judged in this run) and any missing
    month page are (re)written. Three queries and at most ``len(months)``
    more: the cost depends on ``last``, not on the length of the history.
    """
    from .index import render_index_html, render_month_html

    out = Path(out)
    if history is None:
        history = open_history(out=out)
    reports = history.last(last)
    summary = history.months()
    for m in summary:
        if m.key in months or not (out / m.page).is_file():
            atomic_write(out / m.page, render_month_html(m, history.month(m.year, m.month), out=out))
    studies = sorted(p.name for p in out.glob("*.results.json"))
    html = render_index_html(reports, errors or [], studies=studies, out=out, model=model, months=summary)
    return atomic_write(out / "index.html", html)
