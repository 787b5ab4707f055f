"""The ``ssereport`` command.

Every error a user can cause (bad data, bad options) ends with one readable
message on stderr and exit code 2; no traceback, no output file. Set
``SSEREPORT_DEBUG=1`` to see the traceback of an unexpected error.

One module for the commands: each command only parses, calls the package and
prints. The option blocks the commands share (data, settings, sheet, columns,
output folder, model, spec …) are declared once as ``Annotated`` aliases; the
engines live beside the renderers (``report/quarto.py``, ``report/weasy.py``);
the heavy imports happen inside the commands so ``ssereport --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand, TyperGroup


class _FlagHelp:
    """``-h/--help`` shown as the flag it is (typer shows every boolean option's type, ``<bool>``)."""

    def get_help_option(self, ctx):
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.metavar = ""
        return opt


class _Command(_FlagHelp, TyperCommand):
    pass


class _Group(_FlagHelp, TyperGroup):
    pass


app = typer.Typer(
    name="ssereport",
    cls=_Group,
    help="Statistical quality reports for solid-state-electrolyte (SSE) films "
         "(PCA, K-means quality classes, Kruskal-Wallis, log-ANOVA, linear SVM), "
         "after Chen, Duquesnoy et al., ACS Energy Lett. 2021.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_DATA = 2
#: ``batch``: some batch failed its acceptance rule (the reports are written).
EXIT_FAIL = 1


def _fail(message: str, code: int = EXIT_DATA) -> None:
    sys.stderr.write(f"ssereport: error: {message}\n")
    raise typer.Exit(code)


# --------------------------------------------------------------------------- option blocks, defined once
#
# Help texts go through rich markup: ``[`` is escaped (:func:`_help`) so that ``[columns]`` and
# ``ssereport[weasyprint]`` are shown as written. A boolean option is a flag (``--quiet``, never
# ``--quiet true``): ``metavar=""`` keeps the help from showing it a ``<bool>`` value.


def _help(text: str) -> str:
    """Help text with rich markup escaped (``[columns]`` stays visible)."""
    return text.replace("[", "\\[")


def _flag(*names: str, help: str):
    return typer.Option(*names, help=_help(help), metavar="")


DataArg = Annotated[Path, typer.Argument(help="Film table: CSV (comma, semicolon or tab) or XLSX.",
                                         show_default=False)]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help=_help(
    "TOML file with analysis settings (`ssereport init` writes one with every setting and its default)."))]
SheetOpt = Annotated[Optional[str], typer.Option("--sheet", help="XLSX sheet name, any case (default: the first "
                                                 "sheet, or the sheet whose headers name the most variables).")]
ColumnsOpt = Annotated[Optional[Path], typer.Option("--columns", help=_help(
    "TOML file mapping headers ssereport does not know to variables (a [columns] table, e.g. "
    "\"Binder P (wt%)\" = \"polymer_wt_pct\"; the settings file's [columns] table is used too)."))]
DropOpt = Annotated[bool, _flag("--drop-invalid", help="Exclude invalid rows (each is listed with its reason "
                                "in the results) instead of stopping.")]
MaxOpt = Annotated[float, typer.Option("--max-file-mb", help="Refuse input files larger than this many MiB "
                                       "(1 MiB = 1,048,576 bytes).")]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", help="Random seed (overrides the config).")]
QuietOpt = Annotated[bool, _flag("--quiet", "-q", help="Print nothing but errors (no loading notes).")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder (created if missing).")]
OutOptional = Annotated[Optional[Path], typer.Option("--out", "-o", help="Output folder for the HTML + PDF "
                                                     "(created if missing; default: none written).")]
ModelIn = Annotated[Path, typer.Option("--model", "-m", help="Reference model from `ssereport fit`.")]
SpecOpt = Annotated[Optional[Path], typer.Option("--spec", help="TOML with spec limits (sigma_min, rd_max, "
                                                 "thickness_min, thickness_max, min_pass_fraction).")]
BatchFormats = Annotated[str, typer.Option("--format", help="Comma-separated: json, html, pdf.")]
ENGINES_HELP = _help("PDF engine: typst (default, built in), weasyprint (the HTML report with its print CSS; "
                     "pip install \"ssereport[weasyprint]\") or quarto (renders report.qmd; needs the quarto "
                     "program on PATH).")
DbOpt = Annotated[Optional[str], typer.Option("--db", help="Batch history database: postgresql://user@host/db, "
                                              "or an SQLite file (default: OUT/history.sqlite).",
                                              show_default=False)]
DbTimeoutOpt = Annotated[float, typer.Option("--db-timeout", min=0.0, help="Seconds to wait for the history "
                                             "database when another process holds its lock.")]
IndexLastOpt = Annotated[int, typer.Option("--index-last", min=1, help="Batches shown in full (and charted) in "
                                           "index.html; every month is summarised below them.")]


def _history(db, out: Path, timeout: float, quiet: bool):
    """Open the batch history (``OUT/history.sqlite`` unless ``--db``); say so when it was just created."""
    from .qa.history import open_history

    out.mkdir(parents=True, exist_ok=True)
    h = open_history(db, out=out, timeout=timeout)
    if h.note and not quiet:
        sys.stderr.write(f"ssereport: note: {h.note}\n")
    return h


def _load(data: Path, sheet, drop_invalid, max_file_mb, columns=None, config=None):
    from .config import load_columns
    from .io import load_films

    mapping = {**load_columns(config), **load_columns(columns)}
    return load_films(data, sheet=sheet, drop_invalid=drop_invalid, max_file_mb=max_file_mb,
                      columns=mapping or None)


def _print_notes(source: str, notes, quiet: bool) -> None:
    """The loading notes, once, on stderr (stdout stays for results); nothing with --quiet."""
    if quiet:
        return
    for note in notes:
        sys.stderr.write(f"ssereport: note: {source}: {note}\n")


def _study(data: Path, config, seed, sheet, drop_invalid, max_file_mb, progress=None, *, columns=None,
           quiet=False, cfg=None, on_stage=None):
    """Config, validated table and analysis: what analyze, fit and report share.

    ``cfg``: the settings when the caller has loaded them already (``report`` checks them first), so
    that the settings file is read once. ``on_stage``: see :func:`ssereport.pipeline.analyze`.
    """
    from .config import load_config
    from .pipeline import analyze as run

    cfg = cfg if cfg is not None else load_config(config, seed=seed)
    step = progress or (lambda name, text: None)
    step("load", f"Reading {data.name}")
    table = _load(data, sheet, drop_invalid, max_file_mb, columns, config)
    if progress is not None and hasattr(progress, "note"):
        progress.note(table.source, table.notes, quiet)  # above the status line
    else:
        _print_notes(table.source, table.notes, quiet)
    step("analyze", f"Analysing {table.n_analyzed} films (PCA, K-means, tests, SVM)")
    return run(table, cfg, on_stage=on_stage)


@app.command()
def validate(data: DataArg, sheet: SheetOpt = None, drop_invalid: DropOpt = False,
             max_file_mb: MaxOpt = 50.0, config: ConfigOpt = None, columns: ColumnsOpt = None) -> None:
    """Check a film table against the input contract, without analysing it."""
    table = _load(data, sheet, drop_invalid, max_file_mb, columns, config)
    print(f"{table.source}: {table.n_analyzed} valid film(s) of {table.n_rows} row(s)")
    for line in table.column_map():
        print(f"  column: {line}")
    for e in table.excluded:
        print(f"  excluded row {e.row} ({e.sample_id}): {e.reason}")
    for note in table.notes:
        print(f"  note: {note}")


@app.command()
def analyze(
    data: DataArg,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the results JSON to this file "
                                                     "(default: print a summary only).")] = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    drop_invalid: DropOpt = False,
    max_file_mb: MaxOpt = 50.0,
    seed: SeedOpt = None,
    columns: ColumnsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run the analysis and write the results as strict JSON."""
    from .files import atomic_write

    results = _study(data, config, seed, sheet, drop_invalid, max_file_mb, columns=columns, quiet=quiet)
    table = results.table
    if json_out is not None:
        atomic_write(json_out, results.to_json())
    if not quiet:
        print(results.summary())
        for e in table.excluded:
            print(f"excluded row {e.row} ({e.sample_id}): {e.reason}")
        if json_out is not None:
            print(f"results written to {json_out}")


app.command("analyse", hidden=True, help="Same as `analyze`.")(analyze)


@app.command()
def report(
    data: DataArg,
    out: OutOpt = Path("reports"),
    formats: Annotated[str, typer.Option("--format", help="Comma-separated: html, pdf (the results JSON is "
                                         "always written).")] = "html,pdf",
    config: ConfigOpt = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Report title.")] = None,
    author: Annotated[Optional[str], typer.Option("--author", help="Author shown in the report and PDF.")] = None,
    engine: Annotated[str, typer.Option("--engine", help=ENGINES_HELP)] = "typst",
    sheet: SheetOpt = None,
    drop_invalid: DropOpt = False,
    max_file_mb: MaxOpt = 50.0,
    seed: SeedOpt = None,
    columns: ColumnsOpt = None,
    quiet: Annotated[bool, _flag("--quiet", "-q", help="No progress display, no loading notes.")] = False,
) -> None:
    """Analyse a film table and write the report: <stem>.html, <stem>.pdf (PDF/A-3b) and <stem>.results.json."""
    from .config import load_config
    from .errors import ConfigError

    fmts = _formats(formats, {"html", "pdf"})
    if engine not in ("typst", "weasyprint", "quarto"):
        raise ConfigError(f"--engine: got {engine!r}, expected 'typst', 'weasyprint' or 'quarto'")
    cfg = load_config(config, seed=seed)  # a bad config stops here, before any work, whatever the engine
    if engine == "quarto":
        # the settings and the data are checked here, so that errors read as with the other engines
        table = _load(data, sheet, drop_invalid, max_file_mb, columns, config)
        _print_notes(table.source, table.notes, quiet)
        from .report.quarto import render_quarto

        render_quarto(data, out, fmts, {"config": config, "columns": columns, "seed": seed, "title": title,
                                        "author": author, "sheet": sheet, "drop_invalid": drop_invalid,
                                        "max_file_mb": max_file_mb})
        return
    from .report._figproc import FigureProcess

    with FigureProcess() as figs, _Progress(quiet) as progress:  # figures drawn in a fork meanwhile
        results = _study(data, config, seed, sheet, drop_invalid, max_file_mb, progress, columns=columns,
                         quiet=quiet, cfg=cfg, on_stage=figs.stage)
        from .report.render import render_report

        labels = {"figures": "Drawing figures", "html": "Writing HTML", "pdf": "Writing PDF/A"}
        written = render_report(results, out, formats=fmts, title=title, author=author, engine=engine,
                                progress=lambda step: progress(step, labels.get(step, step)), figures=figs)
    if not quiet:
        print(results.summary())
        for kind, path in written.items():
            print(f"{kind:5} {path}")


class _Progress:
    """A rich status line of the current step on stderr (silent with --quiet or when not a terminal)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.status = None

    def __enter__(self):
        if not self.quiet and sys.stderr.isatty():
            from rich.console import Console

            self.status = Console(stderr=True).status("Starting")
            self.status.__enter__()
        return self

    def __call__(self, step: str, text: str) -> None:
        if self.status is not None:
            self.status.update(f"{text} …")

    def note(self, source: str, notes, quiet: bool) -> None:
        if self.status is None:
            _print_notes(source, notes, quiet)
        elif not quiet:
            for n in notes:
                self.status.console.print(f"ssereport: note: {source}: {n}", highlight=False, markup=False)

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)
        return False


@app.command()
def fit(
    data: DataArg,
    model: Annotated[Path, typer.Option("--model", "-m", help="Where to write the model JSON (a file).")] = Path(
        "models/reference.json"),
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    drop_invalid: DropOpt = False,
    max_file_mb: MaxOpt = 50.0,
    seed: SeedOpt = None,
    columns: ColumnsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Fit the reference model on a study table and save it as JSON (the fitted scikit-learn pipeline embedded with skops)."""
    from .qa.model import fit_model, save_model

    results = _study(data, config, seed, sheet, drop_invalid, max_file_mb, columns=columns, quiet=quiet)
    save_model(fit_model(results), model)
    if not quiet:
        print(results.summary())
        print(f"model written to {model}")


@app.command()
def batch(
    batch_files: Annotated[list[Path], typer.Argument(help="One or more batch tables (CSV/XLSX); a file "
                                                      "with a batch_id column is split by batch.",
                                                      show_default=False)],
    model: ModelIn = Path("models/reference.json"),
    out: OutOpt = Path("reports"),
    spec: SpecOpt = None,
    formats: BatchFormats = "html,pdf,json",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Parallel processes.")] = 1,
    max_file_mb: MaxOpt = 50.0,
    columns: ColumnsOpt = None,
    db: DbOpt = None,
    db_timeout: DbTimeoutOpt = 30.0,
    index_last: IndexLastOpt = 100,
    quiet: QuietOpt = False,
    exit_zero: Annotated[bool, _flag("--exit-zero", help="Exit 0 even when a batch fails (only an "
                                     "input or usage error exits 2).")] = False,
) -> None:
    """Judge production batches against the reference model: a pass/fail report per batch and an index.

    Exit status: 0 when every batch passes, 1 when any batch fails (0 with
    --exit-zero), 2 on an input or usage error (no report for that file).
    """
    from .config import load_columns
    from .qa.model import load_model
    from .qa.run import run_batches
    from .qa.spec import check_spec, load_spec

    mapping = load_columns(columns)
    m = load_model(model)
    sp = load_spec(spec) if spec is not None else None
    fmts = _formats(formats, {"json", "html", "pdf"})
    if sp is not None:
        check_spec(sp, m)  # a spec that would fail every batch stops here, before the history is opened
    h = _history(db, out, db_timeout, quiet)
    try:
        outcomes = run_batches(batch_files, m, out, spec=sp, formats=fmts, jobs=jobs, max_file_mb=max_file_mb,
                               model_path=model, columns=mapping or None, history=h, index_last=index_last)
    finally:
        h.dispose()  # the last connection closed: SQLite folds its -wal file back into history.sqlite
    failed = [o for o in outcomes if o["error"]]
    printed = set()
    for o in outcomes:  # once per file, even when a file holds several batches
        if o.get("notes") and o["source"] not in printed:
            printed.add(o["source"])
            _print_notes(o["source"], o["notes"], quiet)
    if not quiet:
        for o in outcomes:
            if o["error"]:
                print(f"ERROR  {o['source']}: {o['error']}")
            else:
                print(f"{o['verdict'].upper():5}  {o['batch_id']}: {o['counts']['pass']}/{o['counts']['films']} "
                      f"films pass -> {', '.join(o['files'])}")
        print(f"index: {out / 'index.html'}")
    if failed:
        for o in failed:
            sys.stderr.write(f"ssereport: error: {o['error']}\n")
        raise typer.Exit(EXIT_DATA)
    if not exit_zero and any(o["verdict"] == "fail" for o in outcomes):
        raise typer.Exit(EXIT_FAIL)


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="Folder to watch for batch tables (CSV/XLSX); created if missing.",
                                          show_default=False)],
    model: ModelIn = Path("models/reference.json"),
    out: OutOpt = Path("reports"),
    spec: SpecOpt = None,
    formats: BatchFormats = "html,pdf,json",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Parallel processes (forked once).")] = 1,
    settle: Annotated[float, typer.Option("--settle", min=0.05, max=60.0, help="Seconds a file's size and time "
                                          "must stay unchanged before it is read (a file still being written "
                                          "is not read).")] = 0.2,
    max_file_mb: MaxOpt = 50.0,
    columns: ColumnsOpt = None,
    db: DbOpt = None,
    db_timeout: DbTimeoutOpt = 30.0,
    index_last: IndexLastOpt = 100,
) -> None:
    """Judge every batch table that appears or changes in INBOX, until Ctrl-C: reports and index as `batch`."""
    from .config import load_columns
    from .qa.model import load_model
    from .qa.spec import load_spec
    from .qa.watch import watch as run_watch

    mapping = load_columns(columns)
    m = load_model(model)
    sp = load_spec(spec) if spec is not None else None
    fmts = _formats(formats, {"json", "html", "pdf"})
    if inbox.exists() and not inbox.is_dir():
        _fail(f"{str(inbox)!r} is a file; expected the folder to watch")

    def ready() -> None:
        sys.stderr.write(f"ssereport: watching {inbox} (reports in {out}; Ctrl-C stops)\n")
        sys.stderr.flush()

    h = _history(db, out, db_timeout, False)
    try:
        n = run_watch(inbox, m, out, spec=sp, formats=fmts, jobs=jobs, max_file_mb=max_file_mb, model_path=model,
                      columns=mapping or None, interval=settle, checks=2, ready=ready, history=h,
                      index_last=index_last)
    finally:
        h.dispose()
    sys.stderr.write(f"ssereport: stopped watching {inbox} ({n} batch report{'s' if n != 1 else ''} written)\n")


@app.command()
def history(
    out: Annotated[Path, typer.Argument(help="Report folder of `ssereport batch`/`watch` (its history.sqlite).",
                                        show_default=False)],
    db: DbOpt = None,
    since: Annotated[Optional[str], typer.Option("--since", help="First cast date, YYYY-MM-DD (inclusive).",
                                                 show_default=False)] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Last cast date, YYYY-MM-DD (inclusive).",
                                                 show_default=False)] = None,
    verdict: Annotated[Optional[str], typer.Option("--verdict", help="Only batches that pass or fail: pass|fail.",
                                                   show_default=False)] = None,
    csv: Annotated[Optional[Path], typer.Option("--csv", help="Write the rows to this CSV file.",
                                                show_default=False)] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the rows to this JSON file.",
                                                     show_default=False)] = None,
    db_timeout: DbTimeoutOpt = 30.0,
) -> None:
    """Export the batch history: one row per judgement (batch_id, cast_date, judged_at, verdict, n_films, n_pass,
    content_sha256, model_sha256), oldest first; --since/--until filter on the cast date."""
    from .qa.history import export_history

    if csv is not None and json_out is not None:
        _fail("give --csv FILE or --json FILE, not both")
    text = export_history(out, db=db, since=since, until=until, verdict=verdict, csv=csv, json=json_out,
                          timeout=db_timeout)
    if text is not None:
        sys.stdout.write(text)


# --------------------------------------------------------------------------- suggest and compare (issue 15)

#: What benchmarks/suggest.md found, window then map (tests/test_suggest.py checks every number against that file).
_SUGGEST_FINDINGS = (
    "films cast at the 3 window points (3 films each) passed QA in 100.0% of cases (270 films, 30 held-out "
    "seeds), against 34.1% at random design conditions;",
    "no --goal map strategy beat random films in map agreement (the one kept on the tuning seeds changed it by "
    "-0.015 on 30 held-out seeds, Wilcoxon p = 0.428; the bar is a gain of +0.01 with p < 0.05).",
)


@app.command(help=(
    "Recommend film conditions. --goal window (the default) optimises the chance that a cast film is good: N "
    "operating points inside the predicted class-1 region, as far from its boundaries (and from the edges of the "
    "studied ranges) as possible, each with p_class1 (the share of the study's 50 cross-validation SVMs "
    "predicting class 1; not a calibrated probability), its distance to the boundary and the nearest cast films. "
    "--goal map would pick films that teach the class map (the class-1 boundary); it is withdrawn. "
    "Benchmark (benchmarks/suggest.md): " + " ".join(_SUGGEST_FINDINGS)))
def suggest(
    data: DataArg,
    goal: Annotated[str, typer.Option("--goal", help="window: operating points likely to give class-1 films; "
                                      "map: films to learn the class map (withdrawn: no better than random "
                                      "films in benchmarks/suggest.md).")] = "window",
    n: Annotated[Optional[int], typer.Option("--n", min=1, help="Number of points (default 3, the number the "
                                             "window benchmark casts).")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the suggestions JSON to this file.")] = None,
    out: OutOptional = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    drop_invalid: DropOpt = False,
    max_file_mb: MaxOpt = 50.0,
    seed: SeedOpt = None,
    columns: ColumnsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    from .analysis.suggest import GOALS, MAP_WITHDRAWN, next_experiments
    from .files import atomic_write

    if goal not in GOALS:
        _fail(f"--goal: got {goal!r}, expected one of {', '.join(GOALS)}")
    if goal == "map" and MAP_WITHDRAWN:
        _fail(MAP_WITHDRAWN)
    results = _study(data, config, seed, sheet, drop_invalid, max_file_mb, columns=columns, quiet=quiet)
    sug = next_experiments(results, n=n, goal=goal)
    if json_out is not None:
        atomic_write(json_out, sug.to_json())
    written = {}
    if out is not None:
        from .report.suggest import render_suggestions

        written = render_suggestions(results, sug, out)
    if not quiet:
        print(sug.summary())
        if json_out is not None:
            print(f"suggestions written to {json_out}")
        for kind, path in written.items():
            print(f"{kind:5} {path}")


@app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="Study A (the reference): CSV or XLSX.", show_default=False)],
    b: Annotated[Path, typer.Argument(help="Study B (compared with A): CSV or XLSX.", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the HTML + PDF report into this "
                                                "folder.")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the comparison JSON here.")] = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    drop_invalid: DropOpt = False,
    max_file_mb: MaxOpt = 50.0,
    seed: SeedOpt = None,
    columns: ColumnsOpt = None,
    spec: Annotated[Optional[Path], typer.Option("--spec", help="TOML with spec limits (sigma_min, rd_max, ...): "
                                                 "count the films beyond them instead of A's class-1 limits.")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Compare two studies or periods: what changed (direction, size, Hodges–Lehmann interval), films beyond A's limits, model transfer."""
    from .config import load_columns, load_config
    from .files import atomic_write
    from .qa.compare import compare_studies

    mapping = {**load_columns(config), **load_columns(columns)}
    cmp = compare_studies(a, b, config=load_config(config, seed=seed), spec=spec, sheet=sheet,
                          drop_invalid=drop_invalid, max_file_mb=max_file_mb, columns=mapping or None)
    for t in cmp.tables():
        _print_notes(t.source, t.notes, quiet)
    if cmp.b_note and not quiet:
        sys.stderr.write(f"ssereport: note: {cmp.source_b}: not analysed on its own ({cmp.b_note}); its films are "
                         "compared in A's classes\n")
    if json_out is not None:
        atomic_write(json_out, cmp.to_json())
    written = {}
    if out is not None:
        from .report.compare import render_compare

        written = render_compare(cmp, out)
    if not quiet:
        print(cmp.summary())
        if json_out is not None:
            print(f"comparison written to {json_out}")
        for kind, path in written.items():
            print(f"{kind:5} {path}")


def _formats(text: str, allowed: set[str]) -> tuple[str, ...]:
    from .errors import ConfigError

    items = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in items if f not in allowed]
    if bad or not items:
        raise ConfigError(f"--format: got {text!r}, expected a comma-separated list of {sorted(allowed)}")
    return items


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder to write ssereport.toml and columns.toml into (created "
                                           "if missing).")] = Path("."),
    force: Annotated[bool, _flag("--force", help="Overwrite the two files if they exist.")] = False,
) -> None:
    """Write a commented settings file, ssereport.toml (every setting, its default and meaning), and a columns.toml example."""
    from .config import columns_toml, config_toml
    from .files import atomic_write

    targets = {folder / "ssereport.toml": config_toml(), folder / "columns.toml": columns_toml()}
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        _fail(f"{', '.join(existing)} already exist(s); nothing written (use --force to overwrite)")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in targets.items():
        atomic_write(path, text)
        print(f"wrote {path}")
    print(f"next: ssereport report FILE --config {folder / 'ssereport.toml'} --columns {folder / 'columns.toml'}")


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, _flag("--version", help="Show the version and exit.")] = False) -> None:
    if version:
        from . import __version__

        print(f"ssereport {__version__}")
        raise typer.Exit(0)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning user errors into one message and exit code 2."""
    from .errors import ConfigError, DataError, ModelError, RenderError

    for info in app.registered_commands:  # every command, wherever it is declared
        if info.cls in (None, TyperCommand):
            info.cls = _Command
    try:
        with warnings.catch_warnings():
            # library warnings are not for the user; every problem they could signal is checked explicitly
            warnings.simplefilter("ignore")
            rc = app(args=argv, standalone_mode=False)
        return rc if isinstance(rc, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except (DataError, ConfigError, ModelError) as exc:
        sys.stderr.write(f"ssereport: error: {exc}\n")
        return EXIT_DATA
    except RenderError as exc:  # the PDF could not be laid out (missing fonts, or a template bug): no PDF written
        sys.stderr.write(f"ssereport: error: the PDF was not written: {exc}\n")
        return 1
    except OSError as exc:  # the file system said no: not a bug to report, a path to fix
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        sys.stderr.write(f"ssereport: error: cannot read or write{where}: {exc.strerror or exc}\n")
        return EXIT_DATA
    except KeyboardInterrupt:
        sys.stderr.write("ssereport: interrupted; no output was written\n")
        return 130
    except Exception as exc:  # click usage errors and anything unexpected
        if isinstance(exc, typer.Abort):
            return 130
        if callable(getattr(exc, "show", None)) and hasattr(exc, "exit_code"):  # click usage error
            exc.show()
            return EXIT_DATA
        if os.environ.get("SSEREPORT_DEBUG"):
            raise
        sys.stderr.write(f"ssereport: internal error: {type(exc).__name__}: {exc}\n"
                         "Please report it with the input file; set SSEREPORT_DEBUG=1 to see the traceback.\n")
        return 1
    return 0


def run() -> None:
    """The ``ssereport`` console script: :func:`main`, then exit without the interpreter's teardown.

    Once a command has returned, every output file is closed (written
    atomically) and the figure process or batch workers are joined; what is
    left is CPython freeing the modules of pandas, SciPy, scikit-learn and
    matplotlib one object at a time, 0.3 s of a 3.5 s report. The standard
    streams are flushed and the process ends with ``os._exit``. Callers of
    :func:`main` from Python are not affected.
    """
    rc = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`ssereport ... | head`): nothing more to say
            pass
    os._exit(rc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
