"""The study report's sections, registered once, in order, with their titles.

This is the one place that decides what the study report shows and in which
order (see :mod:`.registry`): :func:`ssereport.report.context.build_context`
calls each section's function, and the HTML, Typst and Quarto templates loop
over :data:`STUDY_SECTIONS` for the headings, numbers and table of contents.

Examples
--------
>>> from ssereport.report.sections import STUDY_SECTIONS
>>> [s["number"] for s in STUDY_SECTIONS.toc()][:3], STUDY_SECTIONS.ids()[:3]
([1, 2, 3], ['summary', 'data', 'pca'])
"""

from __future__ import annotations

from .methods import methods
from .next_experiments import next_experiments
from .overview import data, summary
from .prediction import classifier, maps
from .registry import Section, SectionInput, SectionRegistry
from .statistics import classes, pca, tests

__all__ = ["STUDY_SECTIONS", "Section", "SectionInput", "SectionRegistry"]

#: The sections of the study report, in report order.
STUDY_SECTIONS = SectionRegistry((
    Section("summary", "Summary", summary),
    Section("data", "Data", data),
    Section("pca", "Principal component analysis", pca),
    Section("classes", "Quality classes", classes),
    Section("tests", "Statistical tests", tests),
    Section("maps", "Process maps", maps),
    Section("classifier", "Classifier", classifier),
    Section("next_experiments", "Next experiments", next_experiments),
    Section("methods", "Methods", methods),
))
