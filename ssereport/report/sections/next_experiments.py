"""Section "Next experiments" of the study report: where to cast the next films (issue 15).

The suggestions themselves are ``StudyResults.suggestions``
(:func:`ssereport.analysis.suggest.next_experiments`) and their figure is the
registry's ``suggestions`` (:mod:`ssereport.figures`);
this section only lays out their table and figure, through the same
:func:`ssereport.report.suggest.next_experiments_section` as the
``ssereport suggest --out`` one-pager, so both show the same thing.
"""

from __future__ import annotations

from typing import Any

from .registry import SectionInput

__all__ = ["next_experiments"]


def next_experiments(inp: SectionInput) -> dict[str, Any]:
    """Suggested conditions (P%, L:S, X:B) to cast next, with their reasons, table and decision-map figure."""
    from ..suggest import next_experiments_section
    from .common import figure

    sec = next_experiments_section(inp.results, inp.results.suggestions, figure(inp.figures, "suggestions"))
    return {"intro": sec["intro"], "table": sec["table"], "figures": [sec["figure"]],
            "result": "Method: " + sec["method"]}
