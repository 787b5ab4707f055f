"""The whole study: validated films in, one frozen :class:`StudyResults` out."""

from __future__ import annotations

import functools
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd

from .analysis.anova import AnovaResult, log_anova
from .analysis.classifier import ClassifierResult, DecisionMap, decision_map, svm_classifier
from .analysis.clusters import ClusterResult, kmeans_classes
from .analysis.maps import ProcessMaps, process_maps
from .analysis.pca import PCAResult, pca
from .analysis.tests import class_summary, dunn, kruskal
from .config import Config
from .errors import DataError
from .io import FilmTable, table_from_frame
from .schema import CONDITIONS, FILM_VARIABLES, PCA_FEATURES
from .versions import package_versions

if TYPE_CHECKING:  # pragma: no cover
    from .analysis.suggest import Suggestions

__all__ = ["SCHEMA_VERSION", "StudyResults", "analyze"]

#: Version of the results JSON layout; bumped on any incompatible change.
SCHEMA_VERSION = "1.0"



@dataclass(frozen=True, eq=False)
class StudyResults:
    """Everything the study found; the one object reports are built from."""

    table: FilmTable
    config: Config
    pca: PCAResult
    clusters: ClusterResult
    class_summary: pd.DataFrame
    kruskal: pd.DataFrame
    dunn: pd.DataFrame
    anova: AnovaResult
    classifier: ClassifierResult
    decision_map: DecisionMap
    maps: ProcessMaps
    provenance: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def suggestions(self) -> Suggestions:
        """The recommended operating window (:func:`ssereport.analysis.suggest.next_experiments`, 3 points).

        Computed on first use from the fitted classifier and its cross-validation
        models (no refit), then kept.
        """
        from .analysis.suggest import next_experiments

        return next_experiments(self)

    @property
    def data(self) -> pd.DataFrame:
        """The analysed films with their class."""
        return self.table.data.assign(**{"class": self.clusters.labels})

    def to_dict(self) -> dict[str, Any]:
        """The documented results layout (see docs/results-json.md)."""
        return results_dict(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        from .jsonutil import dumps

        return dumps(self.to_dict(), indent=indent)

    def __repr__(self) -> str:
        """One line (films, classes, scores); ``to_dict()`` has everything."""
        from .display import study_repr

        return study_repr(self)

    def _repr_html_(self) -> str:
        """The summary and the key tables, for Jupyter (:mod:`ssereport.display`)."""
        from .display import study_html

        return study_html(self)

    def summary(self) -> str:
        c = self.clusters
        k = self.classifier
        lines = [
            f"{self.table.n_analyzed} films analysed from {self.table.source}"
            + (f" ({len(self.table.excluded)} excluded)" if self.table.excluded else ""),
            f"PCA: {self.pca.n_components_used} components explain "
            f"{self.pca.cumulative[self.pca.n_components_used - 1]:.1%} of the variance",
            "Classes: " + ", ".join(f"{cls}: {n}" for cls, n in c.counts.items())
            + f"; silhouette {c.silhouette:.2f}, bootstrap stability (ARI) {c.stability_ari:.2f}",
            f"SVM: test macro F1 {k.test_f1_macro:.3f}; CV mean {k.cv_f1_macro_mean:.3f} "
            f"(95 % of folds {k.cv_f1_macro_ci95[0]:.3f}–{k.cv_f1_macro_ci95[1]:.3f})",
        ]
        return "\n".join(lines)


#: The fields :func:`analyze` hands to ``on_stage``, stage by stage, in the order it computes them (the
#: figure process, :mod:`ssereport.report._figproc`, draws each figure as soon as the fields it needs are there).
STAGES: tuple[tuple[str, ...], ...] = (("table", "config"), ("maps",), ("pca",), ("clusters", "class_summary"),
                                       ("classifier", "decision_map"), ("kruskal", "dunn", "anova"))


def analyze(data: FilmTable | pd.DataFrame, config: Config | None = None, *,
            on_stage: Callable[[dict[str, Any]], None] | None = None) -> StudyResults:
    """Run the paper's workflow on a film table.

    Parameters
    ----------
    data : FilmTable or pandas.DataFrame
        From :func:`ssereport.load_films`, or a DataFrame with the canonical
        (or aliased) columns, which is validated the same way.
    config : Config, optional
        Settings; default ``Config()``, whose defaults follow the paper. Every
        setting of the analysis is read from it (no step has a default of its own).
    on_stage : callable, optional
        Called with the :class:`StudyResults` fields of each stage as soon as it
        is computed (``{"table": …, "config": …}``, then ``{"maps": …}``,
        ``{"pca": …}``, ``{"clusters": …, "class_summary": …}``, ``{"classifier": …,
        "decision_map": …}``, then the tests), so figures can be drawn while the rest is computed
        (:class:`ssereport.report._figproc.FigureProcess`). The stages are
        computed in the same way with or without it.

    Returns
    -------
    StudyResults

    Raises
    ------
    DataError
        If the data cannot support the analysis (too few films, a constant
        variable, a class too small for the stratified split).

    Notes
    -----
    PCA, K-means and the SVM pipeline are scikit-learn and imbalanced-learn,
    the tests SciPy and statsmodels (see :mod:`ssereport.analysis`). In R:
    ``prcomp``, ``kmeans``, ``kruskal.test``, ``dunn.test``, ``car::Anova``
    and ``e1071::svm``.

    Examples
    --------
    >>> import ssereport
    >>> results = ssereport.analyze(ssereport.load_films("data/sse_films_reference.csv"),
    ...                             ssereport.Config(seed=42))
    >>> results.clusters.counts
    {1: 60, 2: 29, 3: 21}
    >>> round(results.classifier.test_f1_macro, 3)
    0.845
    >>> len(repr(results)) < 2000
    True
    """
    from . import __version__

    config = config or Config()
    table = data if isinstance(data, FilmTable) else table_from_frame(data)
    df = table.data
    if len(df) < config.min_films:
        raise DataError(f"{len(df)} valid film(s); the analysis needs at least {config.min_films}",
                        table.source)
    stage = on_stage or (lambda fields: None)
    stage({"table": table, "config": config})
    try:
        # Each stage depends only on the ones above it and draws its own seeded random numbers, so
        # the order does not change any result. It serves the figures drawn meanwhile: process maps
        # first, the classifier before the tests (its figures are the last to draw).
        maps = process_maps(df, grid_size=config.grid_size)
        stage({"maps": maps})
        p = pca(df, PCA_FEATURES, variance_threshold=config.pca_variance)
        stage({"pca": p})
        k = min(max(p.n_components_used, 1), len(PCA_FEATURES))
        clusters = kmeans_classes(p.scores, df["conductivity_s_cm"], df["rd"], n_components=k,
                                  n_clusters=config.n_clusters, n_init=config.kmeans_n_init,
                                  n_bootstrap=config.n_bootstrap, random_state=config.seed,
                                  max_exact=config.large_n, subsample=config.subsample)
        labelled = df.assign(**{"class": clusters.labels})
        summary = class_summary(labelled, FILM_VARIABLES, "class")
        stage({"clusters": clusters, "class_summary": summary})
        clf = svm_classifier(df, clusters.labels, features=CONDITIONS, test_size=config.test_size,
                             c=config.svm_c, cv_splits=config.cv_splits, cv_repeats=config.cv_repeats,
                             random_state=config.seed, max_exact=config.large_n, subsample=config.subsample)
        dmap = decision_map(clf, df, grid_size=config.grid_size)
        stage({"classifier": clf, "decision_map": dmap})
        kw = pd.concat([kruskal(labelled, v, "class") for v in config.kruskal_variables], ignore_index=True)
        sig = kw.loc[kw["p_value"] <= config.alpha, "variable"].tolist()
        dn = (pd.concat([dunn(labelled, v, "class") for v in sig], ignore_index=True) if sig
              else pd.DataFrame(columns=["variable", "group1", "group2", "z", "p_unadjusted", "p_value"]))
        an = log_anova(df, typ=config.anova_type)
        stage({"kruskal": kw, "dunn": dn, "anova": an})
    except DataError as exc:
        if exc.source is None:
            raise DataError(exc.problems, table.source) from None
        raise
    provenance = {
        "ssereport_version": __version__,
        "python": platform.python_version(),
        "packages": package_versions(),
        "seed": config.seed,
        "config": config.to_dict(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    return StudyResults(table=table, config=config, pca=p, clusters=clusters, class_summary=summary,
                        kruskal=kw, dunn=dn, anova=an, classifier=clf, decision_map=dmap, maps=maps,
                        provenance=provenance)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return df.to_dict(orient="records")


def results_dict(r: StudyResults) -> dict[str, Any]:
    t = r.table
    p = r.pca
    c = r.clusters
    k = r.classifier
    ids = t.data["sample_id"].tolist()
    summ = {}
    for cls, grp in r.class_summary.groupby("class", sort=True):
        summ[str(cls)] = {row["variable"]: {"n": row["n"], "mean": row["mean"], "sd": row["sd"],
                                            "median": row["median"]} for row in _records(grp)}
    dm = r.decision_map
    return {
        "schema_version": SCHEMA_VERSION,
        "input": {
            "path": t.source,
            "sha256": t.sha256,
            "n_rows": t.n_rows,
            "n_analyzed": t.n_analyzed,
            "excluded": [{"row": e.row, "sample_id": e.sample_id, "reason": e.reason} for e in t.excluded],
            "notes": list(t.notes),
        },
        "pca": {
            "features": list(p.features),
            "explained_variance_ratio": p.explained_variance_ratio[: p.n_components_used].tolist(),
            "explained_variance_ratio_all": p.explained_variance_ratio.tolist(),
            "variance_threshold": p.variance_threshold,
            "n_components_used": p.n_components_used,
            "loadings": {f: p.loadings.loc[f].tolist() for f in p.features},
            "method": p.method,
        },
        "classes": {
            "sample_id": ids,
            "row": [int(i) for i in t.data.index],
            "class": [int(v) for v in c.labels.tolist()],
            "counts": {str(cls): n for cls, n in c.counts.items()},
            "silhouette": c.silhouette,
            "stability_ari": c.stability_ari,
            "n_bootstrap": len(c.stability_ari_all),
            "n_components": c.n_components,
            "centroids": c.centroids.tolist(),
            "summary": summ,
            "method": c.method,
        },
        "kruskal_wallis": _records(r.kruskal),
        "dunn": _records(r.dunn),
        "log_anova": {
            "formula": r.anova.formula,
            "type": r.anova.type,
            "n": r.anova.n,
            "r_squared": r.anova.r_squared,
            "table": _records(r.anova.table[["term", "df", "sum_sq", "mean_sq", "F", "p_value",
                                             "partial_eta_squared"]]),
            "method": r.anova.method,
        },
        "process_maps": {
            "polymer_levels": list(r.maps.polymer_levels),
            "interpolation": list(r.maps.level_methods),
            "binned": r.maps.binned,
            "method": r.maps.method,
        },
        "svm": {
            "features": list(k.features),
            "labels": list(k.labels),
            "confusion_matrix": k.confusion_matrix.tolist(),
            "test_f1_macro": k.test_f1_macro,
            "per_class": _records(k.per_class),
            "cv_f1_macro_mean": k.cv_f1_macro_mean,
            "cv_f1_macro_ci95": list(k.cv_f1_macro_ci95),
            "cv_splits": k.cv_splits,
            "cv_repeats": k.cv_repeats,
            "n_train": len(k.train_index),
            "n_test": len(k.test_index),
            "counts_before_oversampling": {str(a): b for a, b in k.counts_before.items()},
            "counts_after_oversampling": {str(a): b for a, b in k.counts_after.items()},
            "test_sample_id": t.data.loc[k.test_index, "sample_id"].tolist(),
            "method": k.method,
        },
        "decision_map": {
            "polymer_levels": list(dm.polymer_levels),
            "observed": list(dm.observed),
            "ls_ratio": dm.ls.tolist(),
            "xylene_vol_pct": dm.xb.tolist(),
            "predicted_class": dm.predicted.astype(int).tolist(),
        },
        "next_experiments": r.suggestions.to_dict(),
        "provenance": r.provenance,
    }
