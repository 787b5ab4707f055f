"""Moved to :mod:`ssereport.qa.model`; this name stays importable (a re-export, no code of its own)."""

from .qa.model import MODEL_SCHEMA, ModelError, ReferenceModel, fit_model, load_model, save_model

__all__ = ["MODEL_SCHEMA", "ModelError", "ReferenceModel", "fit_model", "load_model", "save_model"]
