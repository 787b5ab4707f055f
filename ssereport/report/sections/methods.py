"""Section 8 of the study report: the methods appendix (settings, references, every film with its class)."""

from __future__ import annotations

from dataclasses import dataclass

from ...format import fmt_int, fmt_num, fmt_pct
from ..vocab import KeyValue, Table, shown
from .common import ANOVA_TYPE, alpha_text, config_items, head, level, make_table, sym
from .registry import SectionInput

__all__ = ["MAX_FILM_ROWS", "PAPER", "Method", "MethodsSection", "Reference", "methods"]


@dataclass(frozen=True, eq=False)
class Method:
    """One method: what it does with the settings used, and what ran (empty if nothing to add)."""

    name: str = shown(role="heading")
    text: str = shown()
    ran: str = shown(default="")


@dataclass(frozen=True, eq=False)
class Reference:
    """A reference, with its DOI if it has one."""

    text: str
    doi: str | None = None


@dataclass(frozen=True, eq=False)
class MethodsSection:
    """Section "methods": each method with its settings, the settings, references and every film's class."""

    intro: tuple[str, ...]
    methods: tuple[Method, ...] = shown()
    config: tuple[KeyValue, ...] = shown(title="Settings")
    references: tuple[Reference, ...] = shown(title="References")
    films: Table = shown(title="Films and their classes")
    films_truncated: bool = shown(role="hidden")
    films_shown: int = shown(role="hidden")
    films_total: int = shown(role="hidden")

#: The per-film appendix table shows at most this many films (the first ones, in file order), so that
#: the HTML does not grow with the number of films; every film is in the results JSON.
MAX_FILM_ROWS = 500

PAPER = {
    "text": "Chen, Y.-T., Duquesnoy, M., Tan, D. H. S., Doux, J.-M., Yang, H., Deysher, G., Ridley, P., "
            "Franco, A. A., Meng, Y. S., & Chen, Z. (2021). Fabrication of high-quality thin solid-state "
            "electrolyte films assisted by machine learning. ACS Energy Letters, 6(4), 1639–1648.",
    "doi": "10.1021/acsenergylett.1c00332",
}

REFERENCES = (
    ("numpy", "Harris, C. R., et al. (2020). Array programming with NumPy. Nature, 585, 357–362.",
     "10.1038/s41586-020-2649-2"),
    ("pandas", "The pandas development team. pandas-dev/pandas: Pandas.", "10.5281/zenodo.3509134"),
    ("scipy", "Virtanen, P., et al. (2020). SciPy 1.0: fundamental algorithms for scientific computing in "
              "Python. Nature Methods, 17, 261–272.", "10.1038/s41592-019-0686-2"),
    ("scikit-learn", "Pedregosa, F., et al. (2011). Scikit-learn: machine learning in Python. Journal of "
                     "Machine Learning Research, 12, 2825–2830.", None),
    ("imbalanced-learn", "Lemaître, G., Nogueira, F., & Aridas, C. K. (2017). Imbalanced-learn: a Python "
                         "toolbox to tackle the curse of imbalanced datasets in machine learning. Journal of "
                         "Machine Learning Research, 18(17), 1–5.", None),
    ("statsmodels", "Seabold, S., & Perktold, J. (2010). Statsmodels: econometric and statistical modeling "
                    "with Python. Proceedings of the 9th Python in Science Conference, 92–96.",
     "10.25080/Majora-92bf1922-011"),
    ("matplotlib", "Hunter, J. D. (2007). Matplotlib: a 2D graphics environment. Computing in Science & "
                   "Engineering, 9(3), 90–95.", "10.1109/MCSE.2007.55"),
    ("pint", "Grecco, H. E., et al. Pint: operate and manipulate physical quantities in Python.", None),
    ("jinja2", "Pallets. Jinja: a fast, expressive, extensible templating engine.", None),
    ("typst", "Mädje, L., Haug, M., et al. Typst: a markup-based typesetting system.", None),
)

METHOD_REFS = (
    "Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance analysis. Journal of the "
    "American Statistical Association, 47(260), 583–621.",
    "Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics, 6(3), 241–252.",
    "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of "
    "Statistics, 6(2), 65–70.",
    "Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates revisited. Trends in Sport "
    "Sciences, 21(1), 19–25.",
    "Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and validation of cluster "
    "analysis. Journal of Computational and Applied Mathematics, 20, 53–65.",
    "Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification, 2, 193–218.",
    "Arthur, D., & Vassilvitskii, S. (2007). k-means++: The advantages of careful seeding. Proceedings of the "
    "18th Annual ACM-SIAM Symposium on Discrete Algorithms, 1027–1035.",
    "Fan, R.-E., Chen, P.-H., & Lin, C.-J. (2005). Working set selection using second order information for "
    "training support vector machines. Journal of Machine Learning Research, 6, 1889–1918.",
    "Chang, C.-C., & Lin, C.-J. (2011). LIBSVM: A library for support vector machines. ACM Transactions on "
    "Intelligent Systems and Technology, 2(3), 27:1–27:27.",
)


def methods(inp: SectionInput) -> MethodsSection:
    """Each method with the settings used, what ran, the references and the per-film table."""
    d, cfg, results = inp.d, inp.config, inp.results
    feats = d["pca"]["features"]
    k_used = d["pca"]["n_components_used"]
    an, svm = d["log_anova"], d["svm"]
    n_films = d["input"]["n_analyzed"]
    packages = d["provenance"].get("packages", {})
    kv = ", ".join(sym(v) for v in cfg.kruskal_variables)
    large_table = n_films > cfg.large_n  # the analysis subsamples above this size (see the "What ran" lines)
    methods = (
        Method(name="Data validation",
               text="Columns are matched by name or alias; every value is checked against its valid range. "
                    "Thickness, DoT and RD are checked against (or computed from) the 9 thickness readings "
                    "when present."),
        Method(name="Principal component analysis",
               text=f"On the z-scored variables {', '.join(sym(f) for f in feats)} (P% is left out as a "
                    "qualitative variable, as in the paper). Components are kept until they explain at least "
                    f"{fmt_pct(cfg.pca_variance, 0)} of the variance ({k_used} here). Loadings are the "
                    "correlations between variables and components."),
        Method(name="K-means classes",
               text=f"K-means (scikit-learn KMeans, Lloyd's algorithm) with k = {cfg.n_clusters} on the first "
                    f"{k_used} PC scores, best inertia of {cfg.kmeans_n_init} k-means++ starts, seed {cfg.seed}. "
                    "The cluster with the lowest median σ becomes the last class; the others are numbered by "
                    "increasing median RD. Quality of the partition: mean silhouette width (silhouette_score) in "
                    f"the clustered PC space. Stability: {d['classes']['n_bootstrap']} bootstrap resamples of the "
                    f"films; on each, K-means is refitted ({cfg.kmeans_n_init} starts), every film is assigned to "
                    "its nearest refitted centroid, and the adjusted Rand index (adjusted_rand_score) against the "
                    "classes is averaged over the resamples.",
               ran=str(d["classes"].get("method") or "")),
        Method(name="Kruskal-Wallis and Dunn",
               text=f"Kruskal-Wallis H (scipy.stats.kruskal: tie-corrected, χ² approximation) for {kv}; effect "
                    "size ε² = H(n + 1)/(n² − 1). Dunn's test on mean ranks (scipy.stats.rankdata) with tie "
                    "correction and Holm adjustment (statsmodels multipletests) within each variable, run for the "
                    f"variables with p ≤ {alpha_text(cfg.alpha)}. Values that agree to 12 significant digits rank as "
                    "ties."),
        Method(name="ANOVA of log(RD)",
               text=f"Ordinary least squares model {an['formula']} with continuous predictors, "
                    f"{ANOVA_TYPE.get(an['type'], '')} sums of squares; partial η² = SS_term/(SS_term + "
                    "SS_residual).",
               ran=str(an.get("method") or "")),
        Method(name="Support vector machine",
               text=f"Linear SVM (C = {fmt_num(cfg.svm_c, trim=True)}, one-vs-one as in libsvm) on the standardised "
                    f"conditions {', '.join(sym(f) for f in svm['features'])}; stratified train/test split with "
                    f"{fmt_pct(cfg.test_size, 0)} test films, seed {cfg.seed}. Every fit is one imbalanced-learn "
                    "pipeline: it standardises its training films, randomly oversamples the smaller classes to the "
                    "size of the largest and then fits the SVM, so oversampling only copies training films (never "
                    "a test film, nor a held-out fold). "
                    f"Scores: macro F1 on the test films; repeated stratified {svm['cv_splits']}-fold cross-validation "
                    f"({svm['cv_repeats']} repeats, {svm['cv_splits'] * svm['cv_repeats']} fold scores) over "
                    + ("a stratified subsample of the films" if large_table else "all films")
                    + ", reported as the mean with the 2.5th–97.5th percentile range of the fold scores as the "
                    "95 % interval. After this evaluation the same pipeline is refitted on "
                    + ("a stratified subsample of all films" if large_table else "all films")
                    + "; that final model draws the decision maps and the process window on the summary page.",
               ran=str(svm.get("method") or "")),
        Method(name="Process and decision maps",
               text=f"Grids of {cfg.grid_size} × {cfg.grid_size} points over the observed L:S and X:B ranges. "
                    "Process maps: films with the same conditions averaged"
                    + (" (with this many distinct conditions, films are first averaged within grid cells)"
                       if bool(getattr(results.maps, "binned", False)) else "")
                    + ", then, for each P% level, bilinear interpolation (scipy.interpolate.RegularGridInterpolator) "
                    "where the level's conditions form a full L:S × X:B grid, otherwise linear interpolation on a "
                    "Delaunay triangulation (scipy.interpolate.LinearNDInterpolator); no extrapolation. DoT "
                    "averaged over the levels. Decision maps: the final classifier's prediction for every integer "
                    "P% between the lowest and highest cast level (levels not cast are interpolated by the model).",
               ran=str(getattr(results.maps, "method", "") or "")),
    )
    references = (Reference(text=PAPER["text"], doi=PAPER["doi"]),
                  *(Reference(text=t + (f" (version {packages[n]} used)" if n in packages else ""), doi=doi)
                    for n, t, doi in REFERENCES),
                  *(Reference(text=t) for t in METHOD_REFS))
    cls_all = d["classes"]["class"]
    films_rows = []
    df = results.table.data
    n_table = len(df)
    limit = max(int(MAX_FILM_ROWS), 0)
    for (row_no, rec), cls in zip(df.head(limit).iterrows(), cls_all):
        films_rows.append([str(rec["sample_id"]), fmt_int(row_no), level(rec["polymer_wt_pct"]),
                           fmt_num(rec["ls_ratio"]), fmt_num(rec["xylene_vol_pct"]),
                           fmt_num(rec["thickness_um"]), fmt_num(rec["conductivity_s_cm"]), fmt_num(rec["rd"]),
                           str(cls)])
    films_truncated = n_table > limit
    films_caption = ("Every analysed film with its class." if not films_truncated else
                     f"The first {fmt_int(limit)} of the {fmt_int(n_table)} analysed films with their class.")
    films_note = ("Row: the row of the input file as a spreadsheet counts it (header = row 1)." if not films_truncated else
                  f"Only the first {fmt_int(limit)} films (in file order) are listed here, to keep the report "
                  f"small; all {fmt_int(n_table)} films with their class are in the results JSON (classes.sample_id, "
                  "classes.row, classes.class), which is attached inside the PDF. "
                  "Row: the row of the input file as a spreadsheet counts it (header = row 1).")
    return MethodsSection(
        intro=(
            "This appendix lists each method with the settings used, so that the analysis can be repeated "
            "exactly: the same input file (SHA-256 on the summary page) and settings give the same numbers.",
            "The input file and the full results (JSON) are attached inside the PDF version of this report.",
        ),
        methods=methods,
        config=config_items(d, cfg),
        references=references,
        films=make_table(["Sample ID", "Row", head("polymer_wt_pct"), head("ls_ratio"), head("xylene_vol_pct"),
                         head("thickness_um"), head("conductivity_s_cm"), "RD", "Class"], films_rows,
                        caption=films_caption, note=films_note,
                        numeric=[False] + [True] * 8, cls="compact"),
        films_truncated=films_truncated,
        films_shown=len(films_rows),
        films_total=n_table,
    )
