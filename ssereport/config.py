"""Analysis settings: one frozen object, passed explicitly, loadable from TOML."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .schema import FILM_VARIABLES

__all__ = ["Config", "columns_toml", "config_toml", "load_columns", "load_config"]

_KW_DEFAULT = ("conductivity_s_cm", "rd", "polymer_wt_pct", "ls_ratio", "xylene_vol_pct",
               "thickness_um", "density_g_cm3", "resistance_ohm", "dot_um")


@dataclass(frozen=True)
class Config:
    """Settings of the analysis; the defaults follow Chen, Duquesnoy et al. (2021).

    Parameters
    ----------
    seed : int, default 42
        Seed of every random step (K-means starts, bootstrap, split, oversampling, CV).
    pca_variance : float, default 0.90
        K-means runs on the first principal components that explain at least this share.
    n_clusters : int, default 3
        Number of quality classes.
    kmeans_n_init : int, default 10
        K-means restarts (the best inertia is kept).
    n_bootstrap : int, default 50
        Bootstrap resamples for the stability (mean adjusted Rand index) of the classes.
    kruskal_variables : tuple of str
        Variables compared between classes by Kruskal-Wallis.
    alpha : float, default 0.05
        Significance level (Dunn post-hoc is run where Kruskal-Wallis p ≤ alpha).
    anova_type : {1, 2, 3}, default 2
        Sums of squares for the ANOVA of log(RD) ~ X:B * L:S.
    test_size : float, default 0.2
        Share of films held out to test the classifier (stratified).
    svm_c : float, default 1.0
        Regularisation C of the linear SVM.
    cv_splits, cv_repeats : int, default 5, 10
        Repeated stratified K-fold cross-validation of the classifier.
    grid_size : int, default 41
        Points per axis of decision maps and contour grids.
    min_films : int, default 10
        Fewest films the analysis accepts.
    large_n : int, default 20000
        Above this many films, the silhouette, the bootstrap and the SVM
        training use stratified/random subsamples of ``subsample`` films (K-means
        itself always runs on all films); the results and the report say so.
    subsample : int, default 5000
        Size of those subsamples.

    Notes
    -----
    The one place for the defaults of the analysis: :func:`ssereport.analyze`
    passes these values to every step, and :func:`load_config` (TOML) and the
    command line's options only override them.

    Examples
    --------
    >>> from ssereport import Config, load_config
    >>> Config().seed, Config().n_clusters, Config().alpha
    (42, 3, 0.05)
    >>> Config(seed=7).seed
    7
    >>> load_config(None, seed=3).seed  # None (an option not given) keeps the default
    3
    """

    seed: int = 42
    pca_variance: float = 0.90
    n_clusters: int = 3
    kmeans_n_init: int = 10
    n_bootstrap: int = 50
    kruskal_variables: tuple[str, ...] = _KW_DEFAULT
    alpha: float = 0.05
    anova_type: int = 2
    test_size: float = 0.2
    svm_c: float = 1.0
    cv_splits: int = 5
    cv_repeats: int = 10
    grid_size: int = 41
    min_films: int = 10
    large_n: int = 20000
    subsample: int = 5000
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        _check(isinstance(self.seed, int) and self.seed >= 0, "seed", self.seed, "an integer ≥ 0")
        _check(_num(self.pca_variance) and 0 < self.pca_variance <= 1, "pca_variance", self.pca_variance,
               "a number in (0, 1]")
        _check(_int(self.n_clusters) and 2 <= self.n_clusters <= 10, "n_clusters", self.n_clusters,
               "an integer from 2 to 10")
        _check(_int(self.kmeans_n_init) and self.kmeans_n_init >= 1, "kmeans_n_init", self.kmeans_n_init,
               "an integer ≥ 1")
        _check(_int(self.n_bootstrap) and self.n_bootstrap >= 0, "n_bootstrap", self.n_bootstrap,
               "an integer ≥ 0")
        bad = [v for v in self.kruskal_variables if v not in FILM_VARIABLES]
        _check(not bad and len(self.kruskal_variables) > 0, "kruskal_variables", list(self.kruskal_variables),
               f"a non-empty list of {list(FILM_VARIABLES)}")
        _check(_num(self.alpha) and 0 < self.alpha < 1, "alpha", self.alpha, "a number in (0, 1)")
        _check(self.anova_type in (1, 2, 3), "anova_type", self.anova_type, "1, 2 or 3")
        _check(_num(self.test_size) and 0.05 <= self.test_size <= 0.5, "test_size", self.test_size,
               "a number from 0.05 to 0.5")
        _check(_num(self.svm_c) and self.svm_c > 0, "svm_c", self.svm_c, "a number > 0")
        _check(_int(self.cv_splits) and 2 <= self.cv_splits <= 20, "cv_splits", self.cv_splits,
               "an integer from 2 to 20")
        _check(_int(self.cv_repeats) and 1 <= self.cv_repeats <= 100, "cv_repeats", self.cv_repeats,
               "an integer from 1 to 100")
        _check(_int(self.grid_size) and 5 <= self.grid_size <= 201, "grid_size", self.grid_size,
               "an integer from 5 to 201")
        _check(_int(self.min_films) and self.min_films >= 6, "min_films", self.min_films, "an integer ≥ 6")
        _check(_int(self.large_n) and self.large_n >= 100, "large_n", self.large_n, "an integer ≥ 100")
        _check(_int(self.subsample) and 100 <= self.subsample <= self.large_n, "subsample", self.subsample,
               "an integer from 100 to large_n")

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "extra"}
        d["kruskal_variables"] = list(self.kruskal_variables)
        return d

    def replace(self, **changes: Any) -> "Config":
        return dataclasses.replace(self, **changes)


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _check(ok: bool, name: str, value: Any, expected: str) -> None:
    if not ok:
        raise ConfigError(f"config option {name!r}: got {value!r}, expected {expected}")


_FIELDS = {f.name for f in dataclasses.fields(Config)} - {"extra"}


def read_toml_section(path: Path, section: str, *, what: str) -> dict[str, Any]:
    """The ``[section]`` table of a TOML file (or its top level when there is none)."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{what} file not found: {str(path)!r}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{Path(path).name}: not valid TOML ({exc})") from None
    table = raw.get(section, raw)
    if not isinstance(table, dict):
        raise ConfigError(f"{Path(path).name}: [{section}] must be a table")
    return table


def load_config(path: str | Path | None = None, **overrides: Any) -> Config:
    """Read a TOML config (keys at top level or under ``[analysis]``).

    Unknown keys are an error, so that a misspelt option never goes unnoticed.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file; ``None`` for the defaults of :class:`Config`.
    **overrides
        Settings that win over the file (the command line's ``--seed``); a
        ``None`` value is ignored.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        For an unreadable file, an unknown key or a value out of range.

    Examples
    --------
    >>> from ssereport import load_config
    >>> load_config(None).n_clusters
    3
    """
    values: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        section = read_toml_section(p, "analysis", what="config")
        for key, value in section.items():
            if key == "columns" and isinstance(value, dict):  # the [columns] table: see load_columns
                continue
            if key not in _FIELDS:
                raise ConfigError(f"{p.name}: unknown option {key!r}; expected one of {sorted(_FIELDS)}")
            values[key] = tuple(value) if isinstance(value, list) else value
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Config(**values)


def load_columns(path: str | Path | None) -> dict[str, str]:
    """The ``[columns]`` table of a settings file: header as written -> variable.

    ``path`` is the settings file (``--config``) or a file of its own
    (``--columns map.toml``, with a ``[columns]`` table or the entries at top
    level). Each value is a canonical column name or one of its aliases,
    optionally with the unit in brackets (``"conductivity_s_cm (mS/cm)"``) when
    the header does not say it::

        [columns]
        "Leitfähigkeit" = "conductivity_s_cm (mS/cm)"
        "Schichtdicke (mm)" = "thickness_um"
    """
    if path is None:
        return {}
    from .schema import ALIASES, COLUMNS, normalize_header

    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"columns file not found: {str(p)!r}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p.name}: not valid TOML ({exc})") from None
    if "columns" in raw:
        table = raw["columns"]
    elif "analysis" in raw or any(k in _FIELDS for k in raw):  # a settings file without [columns]
        table = {}
    else:  # a file of its own, the entries at top level
        table = raw
    if not isinstance(table, dict):
        raise ConfigError(f"{p.name}: [columns] must be a table of \"header\" = \"variable\"")
    names = [c.name for c in COLUMNS]
    out = {}
    for header, target in table.items():
        if not isinstance(target, str) or ALIASES.get(normalize_header(target)) is None:
            raise ConfigError(f"{p.name}: [columns] {header!r}: got {target!r}, expected one of {names} "
                              "(optionally with a unit in brackets, e.g. 'conductivity_s_cm (mS/cm)')")
        out[str(header)] = target
    return out


# --------------------------------------------------------------------------- starter files (`ssereport init`)


def _field_help() -> dict[str, tuple[str, str]]:
    """Field -> (type and default as documented, meaning), read from the *Parameters* of :class:`Config`."""
    import inspect

    doc = inspect.cleandoc(Config.__doc__ or "")
    section = doc.split("Parameters\n----------\n", 1)[1].split("\n\nNotes", 1)[0]
    out: dict[str, tuple[str, str]] = {}
    names: list[str] = []
    kind = ""
    for line in section.splitlines():
        if line and not line.startswith(" "):
            left, _, kind = line.partition(" : ")
            names = [n.strip() for n in left.split(",")]
            for n in names:
                out[n] = (kind, "")
        elif line.strip():
            for n in names:
                out[n] = (kind, (out[n][1] + " " + line.strip()).strip())
    return out


def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, tuple):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return json.dumps(value)


def config_toml() -> str:
    """A settings file with every setting of :class:`Config`, its default and its meaning, as comments.

    Generated from the dataclass fields (names, defaults) and the class
    docstring (meanings), so it cannot drift from the code; loading it with
    :func:`load_config` gives the defaults.

    Examples
    --------
    >>> from ssereport.config import config_toml
    >>> "seed = 42" in config_toml()
    True
    """
    import textwrap

    helps = _field_help()
    lines = ["# ssereport settings (ssereport report FILE --config ssereport.toml).",
             "# Every setting is shown with its default; change a value or delete the line to keep the default.",
             "# The defaults follow Chen, Duquesnoy et al., ACS Energy Lett. 2021.",
             "", "[analysis]"]
    for f in dataclasses.fields(Config):
        if f.name == "extra":
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        _, meaning = helps.get(f.name, ("", f.name))
        text = f"{meaning.replace('``', '')} (default: {_toml_value(default)})"
        lines.append("")
        lines.extend(textwrap.wrap(text, 100, initial_indent="# ", subsequent_indent="# "))
        if f.name == "kruskal_variables":
            lines.append(f"# one or more of: {', '.join(FILM_VARIABLES)}")
        lines.append(f"{f.name} = {_toml_value(default)}")
    lines += ["", "# Headers ssereport does not know can be mapped in a [columns] table here, or in a file of",
              "# their own (--columns columns.toml; see columns.toml).", ""]
    return "\n".join(lines)


def columns_toml() -> str:
    """An example ``[columns]`` file: how to map a header, and every variable with its unit and aliases.

    The example entries are commented out; each, uncommented, is a valid
    mapping (see ``tests/test_init.py``).
    """
    from .schema import COLUMNS

    lines = ["# Map headers that ssereport does not recognise to its variables:",
             "#   ssereport report films.xlsx --columns columns.toml",
             "# The key is the header exactly as written in your file; the value is a variable below",
             "# (its name or an alias), optionally with the unit in brackets when the header has none.",
             "# A header with a unit in brackets, e.g. 'Thickness (mm)', is converted by Pint.",
             "#", "# Variables (unit; headers recognised without a mapping):"]
    for c in COLUMNS:
        also = ", ".join(c.aliases[:5])
        lines.append(f"#   {c.name:<18} {c.label} ({c.unit}){'; ' + also if also else ''}")
    lines += ["", "[columns]",
              "# Remove the '# ' in front of a line and write your own header on the left:",
              '# "Binder P (wt%)" = "polymer_wt_pct"',
              '# "Leitfähigkeit" = "conductivity_s_cm (mS/cm)"',
              '# "Schichtdicke (mm)" = "thickness_um"',
              '# "Probe" = "sample_id"', ""]
    return "\n".join(lines)
