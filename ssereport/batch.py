"""Moved to :mod:`ssereport.qa` (:mod:`~ssereport.qa.judge`, :mod:`~ssereport.qa.spec`); this name stays
importable (a re-export, no code of its own)."""

from .analysis.capability import capability
from .qa.judge import BATCH_SCHEMA, BatchResult, judge_batch
from .qa.spec import CLASS1_RULE, Limit, Spec, acceptance_limits, check_spec, load_spec

__all__ = ["BATCH_SCHEMA", "CLASS1_RULE", "BatchResult", "Limit", "Spec", "acceptance_limits", "capability",
           "check_spec", "judge_batch", "load_spec"]
