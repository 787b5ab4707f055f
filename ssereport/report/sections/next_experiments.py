"""Section "Next experiments" of the study report: where to cast the next films (issue 15).

The suggestions themselves are ``StudyResults.suggestions``
(:func:`ssereport.analysis.suggest.next_experiments`); they are marked on the
registry's ``decision_maps`` figure (:mod:`ssereport.report.figures`) of the classifier
section, so this section lays out their table only, through the same
:func:`ssereport.report.suggest.next_experiments_section` as the
``ssereport suggest --out`` one-pager, so both show the same thing.
"""

from __future__ import annotations

from typing import Any

from .registry import SectionInput

__all__ = ["next_experiments"]


def next_experiments(inp: SectionInput) -> dict[str, Any]:
    """Suggested conditions (P%, L:S, X:B) to cast next, with their reasons (marked on the decision maps)."""
    from ..suggest import next_experiments_section

    sec = next_experiments_section(inp.results, inp.results.suggestions, with_figure=False)
    return {"intro": sec["intro"], "table": sec["table"], "figures": [], "result": "Method: " + sec["method"]}
