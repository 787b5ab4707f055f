"""``ssereport.compare_studies``: compare two studies (or two periods) from files, tables or analyses.

Loads what is not loaded (:func:`ssereport.load_films`), analyses what is not
analysed (:func:`ssereport.analyze`), derives the acceptance limits from A
exactly as ``ssereport fit`` does (:func:`ssereport.qa.model.fit_model`, then
:func:`ssereport.qa.spec.acceptance_limits`) and hands everything to the pure
comparison :func:`ssereport.analysis.compare.compare_results`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..analysis.compare import Comparison, compare_results
from ..errors import DataError
from ..schema import FILM_VARIABLES

__all__ = ["compare_studies"]


def _is_results(x: Any) -> bool:
    return hasattr(x, "clusters") and hasattr(x, "table")


def _table(x: Any, load: dict[str, Any]):
    """A FilmTable from a path, a FilmTable or a StudyResults."""
    from ..io import load_films

    if _is_results(x):
        return x.table
    if hasattr(x, "data") and hasattr(x, "source"):
        return x
    if isinstance(x, (str, Path)):
        return load_films(x, **load)
    raise TypeError(f"compare_studies: got {type(x).__name__}, expected a file path, a FilmTable "
                    "(ssereport.load_films) or a StudyResults (ssereport.analyze)")


def compare_studies(a: Any, b: Any, *, config: Any = None, spec: Any = None, variables=FILM_VARIABLES,
                    confidence: float = 0.95, sheet: str | None = None, drop_invalid: bool = False,
                    max_file_mb: float = 50.0, columns: dict[str, str] | None = None) -> Comparison:
    """Compare study B with study A: what changed, by how much, and what it means for quality.

    Parameters
    ----------
    a, b : str, Path, FilmTable or StudyResults
        A is the reference. Files are read by :func:`ssereport.load_films`
        (CSV or XLSX, header aliases, units in headers, the 9 thickness
        readings or the DoT/RD summaries): two inputs compare whenever they
        load to the same film variables.
    config : Config, str or Path, optional
        Settings (a :class:`ssereport.Config` or a TOML file); default: A's
        when A is analysed, else the defaults. ``alpha`` is the Holm level.
    spec : Spec, str or Path, optional
        Spec limits (:func:`ssereport.qa.spec.load_spec`); default: the
        class-1 limits ``ssereport fit`` derives from A (σ ≥ 5th percentile,
        RD ≤ 95th percentile of A's class-1 films).
    variables : sequence of str
        The variables tested (default: the 9 film variables).
    confidence : float, default 0.95
        Level of the Hodges–Lehmann interval of each shift.
    sheet, drop_invalid, max_file_mb, columns
        Passed to :func:`ssereport.load_films` for inputs given as paths.

    Returns
    -------
    Comparison
        ``headline``, ``variables`` (per variable: medians, ``change_pct``,
        ``direction``, Hodges–Lehmann ``shift`` and interval, Mann-Whitney U,
        p, Holm p, effect size, ``shifted``), ``limits`` (films of A and B
        beyond the acceptance limits), the quality and model answers, class
        shares, model transfer, class-1 windows and I-MR charts;
        ``to_dict()``, ``to_json()``, ``summary()``, ``_repr_html_()``.

    Raises
    ------
    DataError
        An input fails the input contract (both are checked; one message),
        the loaded tables do not hold the same film variables (the message
        names them), or A cannot be analysed.

    Notes
    -----
    B is analysed on its own when it can be; otherwise (too few films, one
    class only) its films are compared in A's classes and ``b_note`` says why.
    R has no one-call equivalent; the pieces are ``wilcox.test(b, a,
    conf.int = TRUE)``, ``p.adjust(, "holm")``, ``quantile(type = 7)`` and
    ``chisq.test``.

    Examples
    --------
    >>> import ssereport
    >>> fast = ssereport.Config(n_bootstrap=0, cv_repeats=1)
    >>> c = ssereport.compare_studies("data/sse_films_reference.csv", "data/sse_films_reference.csv", config=fast)
    >>> c.headline
    "No variable shifted: none of the 9 film variables of B differs from A's (every Holm-adjusted p > 0.05)."
    >>> c.limits.table[["variable", "n_a_beyond", "n_b_beyond"]].to_dict("records")[-1]
    {'variable': 'any', 'n_a_beyond': 52, 'n_b_beyond': 52}
    """
    from ..config import Config, load_config
    from ..pipeline import analyze
    from .model import fit_model
    from .spec import acceptance_limits, check_spec, load_spec

    load = {"sheet": sheet, "drop_invalid": drop_invalid, "max_file_mb": max_file_mb, "columns": columns}
    tables, problems = [], []
    for x in (a, b):
        try:
            tables.append(_table(x, load))
        except DataError as exc:
            problems.append(str(exc))
    if problems:
        raise DataError(problems if len(problems) > 1 else problems[0])
    ta, tb = tables
    missing = {t.source: [v for v in variables if v not in t.data.columns] for t in tables}
    if any(missing.values()):
        have = {t.source: [v for v in variables if v in t.data.columns] for t in tables}
        raise DataError(f"{ta.source} and {tb.source} do not load to the same film variables: "
                        + "; ".join(f"{src} lacks {m}" for src, m in missing.items() if m)
                        + f" (loaded: {ta.source}: {have[ta.source]}; {tb.source}: {have[tb.source]}); expected "
                          "both to hold every variable compared")
    if isinstance(config, Config):
        cfg = config
    elif config is not None:
        cfg = load_config(config)
    else:
        cfg = a.config if _is_results(a) else Config()
    ra = a if _is_results(a) else analyze(ta, cfg)
    b_note = ""
    if _is_results(b):
        rb = b
    else:
        try:  # B analysed on its own when it can be (a month of class-1 production often cannot)
            rb = analyze(tb, cfg)
        except DataError as exc:
            rb, b_note = tb, str(exc)
    model = fit_model(ra)
    if spec is not None and not hasattr(spec, "has_limits"):
        spec = load_spec(spec)
    if spec is not None:
        check_spec(spec, model)
    return compare_results(ra, rb, alpha=cfg.alpha, variables=variables, b_note=b_note,
                           limits=acceptance_limits(model, spec), confidence=confidence)
