"""Figures of ssereport on matplotlib, for reports and for your own papers and slides.

Each study figure is one function of a :class:`~ssereport.pipeline.StudyResults`:
single-panel figures take ``ax=None`` and return the Axes they drew on,
multi-panel figures take ``fig=None`` and return the Figure. Batch and index
figures are in :mod:`ssereport.plots.batch`.

Examples
--------
>>> import ssereport, ssereport.plots as sp                                   # doctest: +SKIP
>>> r = ssereport.analyze(ssereport.load_films("films.csv"))                   # doctest: +SKIP
>>> sp.pc_map(r).figure.savefig("pc_map.pdf")                                  # doctest: +SKIP
"""

from __future__ import annotations

from .study import (
    anova_interaction,
    class_boxplots,
    confusion_matrix,
    correlation_circle,
    decision_maps,
    dot_mean_map,
    kruskal_effects,
    oversampling,
    pc_map,
    process_maps,
    scree,
    silhouette,
)

__all__ = [
    "anova_interaction",
    "class_boxplots",
    "conductivity_maps",
    "confusion_matrix",
    "correlation_circle",
    "decision_maps",
    "dot_maps",
    "dot_mean_map",
    "kruskal_effects",
    "oversampling",
    "pc_map",
    "process_maps",
    "scree",
    "silhouette",
    "thickness_maps",
]


def thickness_maps(results, *, fig=None, **style):
    """Film thickness (µm) over L:S × X:B per P% level: :func:`process_maps` of ``thickness_um``."""
    return process_maps(results, "thickness_um", fig=fig, **style)


def dot_maps(results, *, fig=None, **style):
    """Deviation of thickness DoT (µm) per P% level: :func:`process_maps` of ``dot_um``."""
    return process_maps(results, "dot_um", fig=fig, **style)


def conductivity_maps(results, *, fig=None, **style):
    """Ionic conductivity σ (S/cm) per P% level: :func:`process_maps` of ``conductivity_s_cm``."""
    return process_maps(results, "conductivity_s_cm", fig=fig, **style)
