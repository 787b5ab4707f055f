"""A fitted reference model saved as plain, human-readable JSON.

The file holds everything needed to judge new films against a reference study:
the standardization and PCA, the K-means centroids and class renumbering, the
linear SVM, the reference range of every variable, the class-1 distribution
of every measurement (σ, RD, thickness, DoT, ρ, Ω; the acceptance limits of
:mod:`ssereport.qa.spec` come from it), the data hash and versions. It is read
with ``json.loads``: no pickle.

The SVM is the fitted scikit-learn/imbalanced-learn pipeline itself
(``StandardScaler`` -> ``RandomOverSampler`` -> ``SVC``), serialised with
``skops.io.dumps`` and stored base64-encoded in the JSON, so a batch is judged
by the very pipeline that was fitted. It is loaded with ``skops.io.loads`` only
after ``skops.io.get_untrusted_types`` has shown that the file names no type
outside :data:`SVM_TRUSTED_TYPES`, and the loaded object must be exactly that
pipeline. The scaler and the pairwise hyperplanes are also written as plain
numbers, for people reading the file, and checked against the pipeline on
loading. A SHA-256 checksum over the content (the serialised pipeline
included) detects a truncated or edited file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from ..schema import FILM_VARIABLES

__all__ = ["MODEL_SCHEMA", "ModelError", "ReferenceModel", "fit_model", "load_model", "save_model"]

MODEL_SCHEMA = "ssereport-model/2"

#: Types a model file's serialised pipeline may name beyond those skops trusts by default (it trusts
#: NumPy, SciPy and scikit-learn's own types, such as StandardScaler and SVC). Anything else is refused.
SVM_TRUSTED_TYPES = (
    "imblearn.pipeline.Pipeline",
    "imblearn.over_sampling._random_over_sampler.RandomOverSampler",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.svm._classes.SVC",
)


@dataclass(frozen=True, eq=False)
class ReferenceModel:
    """What is needed to judge new films (see module docstring)."""

    pca_features: tuple[str, ...]
    pca_mean: np.ndarray
    pca_scale: np.ndarray
    pca_components: np.ndarray  # (n_components_used, n_features)
    centroids: np.ndarray  # (n_classes, n_components_used), row i = class i + 1
    svm_features: tuple[str, ...]
    svm_mean: np.ndarray
    svm_scale: np.ndarray
    svm_coef: np.ndarray
    svm_intercept: np.ndarray
    svm_pairs: tuple[tuple[int, int], ...]
    labels: tuple[int, ...]
    ranges: dict[str, tuple[float, float]]
    class1: dict[str, dict[str, float]]
    info: dict[str, Any]
    loaded_checksum: str | None = None
    svm_pipeline: Any = None  # the fitted imblearn Pipeline (ssereport.analysis.classifier.make_pipeline)
    svm_skops: bytes = b""  # svm_pipeline as written by skops.io.dumps (written once: dumps is not byte-stable)

    def __repr__(self) -> str:
        from .notebook import model_repr

        return model_repr(self)

    def _repr_html_(self) -> str:
        """What the model was fitted on, its ranges and class-1 films as HTML (≤ 200 KB), for notebooks."""
        from .notebook import model_html

        return model_html(self)

    def project(self, data: pd.DataFrame) -> np.ndarray:
        """PC scores of films in the reference PCA (components used for the classes)."""
        z = (data[list(self.pca_features)].to_numpy(dtype=float) - self.pca_mean) / self.pca_scale
        return z @ self.pca_components.T

    def observed_class(self, data: pd.DataFrame) -> np.ndarray:
        """Class of the nearest reference centroid of each film's measurements."""
        s = self.project(data)
        d = ((s[:, None, :] - self.centroids[None, :, :]) ** 2).sum(axis=2)
        return d.argmin(axis=1) + 1

    def predict(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Class predicted by the fitted SVM pipeline, and the margin to the boundary.

        See :func:`ssereport.analysis.classifier.predict_margin`.
        """
        from ..analysis.classifier import predict_margin

        if self.svm_pipeline is None:
            raise ModelError("this model has no fitted SVM pipeline; build it with fit_model() or load_model()")
        return predict_margin(self.svm_pipeline, data[list(self.svm_features)].to_numpy(dtype=float))

    @property
    def checksum(self) -> str:
        """The ``sha256:`` checksum of the model file it was loaded from (verified), or of a fresh fit."""
        return self.loaded_checksum or self.to_dict()["checksum"]

    def to_dict(self) -> dict[str, Any]:
        body = {
            "schema_version": MODEL_SCHEMA,
            "info": self.info,
            "pca": {"features": list(self.pca_features), "mean": self.pca_mean.tolist(),
                    "scale": self.pca_scale.tolist(), "components": self.pca_components.tolist()},
            "kmeans": {"centroids": self.centroids.tolist(),
                       "note": "row i is the centroid of class i + 1 in the PC space above"},
            "svm": {"features": list(self.svm_features), "labels": list(self.labels),
                    "scaler_mean": self.svm_mean.tolist(), "scaler_scale": self.svm_scale.tolist(),
                    "pairs": [list(p) for p in self.svm_pairs], "coef": self.svm_coef.tolist(),
                    "intercept": self.svm_intercept.tolist(),
                    "pipeline": self.info.get("svm_pipeline", ""),
                    "pipeline_skops_base64": base64.b64encode(self.svm_skops).decode("ascii"),
                    "note": "predictions come from the embedded pipeline (skops.io, base64); the numbers above "
                            "describe it: one-vs-one, decision (x - scaler_mean) / scaler_scale . coef[j] + "
                            "intercept[j] > 0 votes for pairs[j][0], else pairs[j][1]; most votes wins "
                            "(libsvm), ties to the lower class"},
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "class1": self.class1,
        }
        body["checksum"] = _checksum(body)
        return body


def _checksum(body: dict[str, Any]) -> str:
    content = {k: v for k, v in body.items() if k != "checksum"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


#: The measurements whose class-1 distribution the model keeps (acceptance limits, control charts).
CLASS1_VARIABLES: tuple[str, ...] = ("conductivity_s_cm", "rd", "thickness_um", "dot_um", "density_g_cm3",
                                     "resistance_ohm")


def _distribution(x: np.ndarray) -> dict[str, float]:
    """Summary of one measurement over the reference class-1 films.

    Notes
    -----
    Quantiles by :func:`numpy.quantile` (linear interpolation; R ``quantile(x, type = 7)``),
    SD with n − 1 (R ``sd``).
    """
    q05, q95 = np.quantile(x, [0.05, 0.95])
    return {"n": int(len(x)), "mean": float(x.mean()), "sd": float(x.std(ddof=1)), "median": float(np.median(x)),
            "q05": float(q05), "q95": float(q95), "min": float(x.min()), "max": float(x.max())}


def fit_model(results) -> ReferenceModel:
    """Build the reference model from a :class:`~ssereport.StudyResults`.

    Parameters
    ----------
    results : StudyResults
        From :func:`ssereport.analyze` on the reference study.

    Returns
    -------
    ReferenceModel
        The PCA, K-means centroids and the fitted SVM pipeline of ``results``, the
        reference range of every variable and the class-1 distribution of every
        measurement (the acceptance limits), with the data hash and versions in ``info``.

    Notes
    -----
    Nothing is refitted: the model is the fitted scikit-learn objects of
    ``results``. Save it with :func:`save_model` (``ssereport fit``). R has no
    one-call equivalent (``saveRDS`` of the ``prcomp``/``kmeans``/``e1071::svm`` fits).

    Examples
    --------
    >>> import ssereport
    >>> table = ssereport.load_films("data/sse_films_reference.csv")
    >>> results = ssereport.analyze(table, ssereport.Config(cv_repeats=1, n_bootstrap=0))
    >>> model = ssereport.fit_model(results)
    >>> model.info["class_counts"]
    {'1': 60, '2': 29, '3': 21}
    >>> model.svm_features
    ('polymer_wt_pct', 'ls_ratio', 'xylene_vol_pct')
    """
    import zipfile

    import skops.io

    from .. import __version__
    from ..analysis.classifier import pipeline_call

    p = results.pca
    k = results.clusters.n_components
    clf = results.classifier
    d = results.data
    ranges = {v: (float(d[v].min()), float(d[v].max())) for v in FILM_VARIABLES}
    c1 = d[d["class"] == 1]
    class1 = {v: _distribution(c1[v].to_numpy(dtype=float)) for v in CLASS1_VARIABLES if v in c1.columns}
    info = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {"path": results.table.source, "sha256": results.table.sha256,
                 "n_films": int(results.table.n_analyzed)},
        "ssereport_version": __version__,
        "packages": results.provenance.get("packages", {}),
        "config": results.config.to_dict(),
        "class_counts": {str(a): b for a, b in results.clusters.counts.items()},
        "test_f1_macro": clf.test_f1_macro,
        "cv_f1_macro_mean": clf.cv_f1_macro_mean,
        "svm_pipeline": pipeline_call(clf.c),
    }
    return ReferenceModel(
        pca_features=tuple(p.features), pca_mean=p.mean.copy(), pca_scale=p.scale.copy(),
        pca_components=p.components[:k].copy(), centroids=results.clusters.centroids.copy(),
        svm_features=tuple(clf.features), svm_mean=clf.scaler_mean.copy(), svm_scale=clf.scaler_scale.copy(),
        svm_coef=clf.coef.copy(), svm_intercept=clf.intercept.copy(), svm_pairs=tuple(clf.pairs),
        labels=tuple(clf.labels), ranges=ranges, class1=class1, info=info,
        svm_pipeline=clf.model, svm_skops=skops.io.dumps(clf.model, compression=zipfile.ZIP_DEFLATED),
    )


def save_model(model: ReferenceModel, path: str | Path) -> Path:
    """Write the model as indented JSON (atomically); the fitted pipeline is embedded with ``skops.io``.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> save_model(model, "models/reference.json")      # doctest: +SKIP
    PosixPath('models/reference.json')
    """
    from ..files import atomic_write

    return atomic_write(path, json.dumps(model.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def _array(body: dict, key: str, shape: tuple[int | None, ...], where: str) -> np.ndarray:
    try:
        a = np.asarray(body[key], dtype=float)
    except KeyError:
        raise ModelError(f"{where}: missing {key!r}") from None
    except (TypeError, ValueError):
        raise ModelError(f"{where}: {key!r} must be numbers") from None
    if a.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, a.shape)):
        raise ModelError(f"{where}: {key!r} has shape {a.shape}, expected {shape}")
    if not np.all(np.isfinite(a)):
        raise ModelError(f"{where}: {key!r} contains a non-finite number")
    return a


def load_model(path: str | Path) -> ReferenceModel:
    """Read and check a model file written by :func:`save_model`.

    Examples
    --------
    >>> import ssereport
    >>> model = ssereport.load_model("models/reference.json")   # doctest: +SKIP
    >>> model.checksum                                           # doctest: +SKIP
    'sha256:…'

    Raises
    ------
    ModelError
        If the file is missing, not JSON, of another ``schema_version``,
        truncated, or edited after it was written (checksum mismatch).
    """
    p = Path(path)
    name = p.name
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"model file not found: {str(p)!r}; create one with `ssereport fit REFERENCE_DATA "
                         f"--model {p}`") from None
    except IsADirectoryError:
        raise ModelError(f"{str(p)!r} is a folder; expected a model JSON file") from None
    if len(raw) > 20 * 2**20:
        raise ModelError(f"{name}: {len(raw) / 2**20:.0f} MB is far too large for a model file")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise ModelError(f"{name}: not a valid model file (not JSON, or truncated: {exc})") from None
    if not isinstance(body, dict) or "schema_version" not in body:
        raise ModelError(f"{name}: not an ssereport model (no schema_version)")
    if body["schema_version"] != MODEL_SCHEMA:
        raise ModelError(f"{name}: schema_version {body['schema_version']!r} is not supported; expected "
                         f"{MODEL_SCHEMA!r} (refit the model with this version of ssereport)")
    if body.get("checksum") != _checksum(body):
        raise ModelError(f"{name}: checksum mismatch — the model file was changed after it was written; "
                         "refit it with `ssereport fit`")
    try:
        pc, km, sv = body["pca"], body["kmeans"], body["svm"]
        feats = tuple(str(f) for f in pc["features"])
        nf = len(feats)
        comps = _array(pc, "components", (None, nf), f"{name} pca")
        k = comps.shape[0]
        cents = _array(km, "centroids", (None, k), f"{name} kmeans")
        labels = tuple(int(v) for v in sv["labels"])
        sfeats = tuple(str(f) for f in sv["features"])
        pairs = tuple((int(a), int(b)) for a, b in sv["pairs"])
        model = ReferenceModel(
            pca_features=feats, pca_mean=_array(pc, "mean", (nf,), f"{name} pca"),
            pca_scale=_array(pc, "scale", (nf,), f"{name} pca"), pca_components=comps, centroids=cents,
            svm_features=sfeats, svm_mean=_array(sv, "scaler_mean", (len(sfeats),), f"{name} svm"),
            svm_scale=_array(sv, "scaler_scale", (len(sfeats),), f"{name} svm"),
            svm_coef=_array(sv, "coef", (len(pairs), len(sfeats)), f"{name} svm"),
            svm_intercept=_array(sv, "intercept", (len(pairs),), f"{name} svm"),
            svm_pairs=pairs, labels=labels,
            ranges={str(a): (float(b[0]), float(b[1])) for a, b in body["ranges"].items()},
            class1={str(a): {str(x): float(y) for x, y in b.items()} for a, b in body["class1"].items()},
            info=dict(body.get("info", {})),
            loaded_checksum=str(body["checksum"]),
            **_load_pipeline(sv, pairs, labels, sfeats, name),
        )
    except ModelError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelError(f"{name}: not a valid model file ({type(exc).__name__}: {exc})") from None
    if len(cents) != len(labels):
        raise ModelError(f"{name}: {len(cents)} centroids but {len(labels)} classes")
    return model


def _load_pipeline(sv: dict, pairs, labels, features, name: str) -> dict[str, Any]:
    """The SVM pipeline embedded in a model file, checked before and after ``skops.io.loads``."""
    import skops.io
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from ..analysis.classifier import hyperplanes

    where = f"{name} svm"
    text = sv.get("pipeline_skops_base64")
    if not isinstance(text, str) or not text:
        raise ModelError(f"{where}: missing 'pipeline_skops_base64' (the fitted pipeline); refit the model with "
                         "`ssereport fit`")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ModelError(f"{where}: 'pipeline_skops_base64' is not base64 text") from None
    try:
        untrusted = skops.io.get_untrusted_types(data=data)
    except Exception as exc:  # a damaged archive: zipfile, json or skops errors, whichever comes first
        raise ModelError(f"{where}: the embedded pipeline is not a readable skops file ({type(exc).__name__}: "
                         f"{exc})") from None
    unknown = sorted(set(untrusted) - set(SVM_TRUSTED_TYPES))
    if unknown:
        raise ModelError(f"{where}: the embedded pipeline names types that are not trusted: {', '.join(unknown)}; "
                         f"expected only {', '.join(SVM_TRUSTED_TYPES)} (and NumPy/scikit-learn basics)")
    try:
        pipe = skops.io.loads(data, trusted=list(SVM_TRUSTED_TYPES))
    except Exception as exc:  # skops raises several types on damaged content
        raise ModelError(f"{where}: the embedded pipeline could not be loaded ({type(exc).__name__}: {exc})") from None
    kinds = [(n, type(s)) for n, s in pipe.steps] if isinstance(pipe, Pipeline) else None
    if kinds != [("scale", StandardScaler), ("oversample", RandomOverSampler), ("svc", SVC)] \
            or pipe.named_steps["svc"].kernel != "linear":
        raise ModelError(f"{where}: the embedded object is not the ssereport pipeline (StandardScaler -> "
                         f"RandomOverSampler -> SVC(kernel='linear')); got {type(pipe).__name__} {kinds}")
    coef, intercept, pipe_pairs = hyperplanes(pipe)
    svc, scale = pipe.named_steps["svc"], pipe.named_steps["scale"]
    same = (tuple(int(v) for v in svc.classes_) == tuple(labels) and pipe_pairs == tuple(pairs)
            and scale.n_features_in_ == len(features)
            and np.array_equal(_array(sv, "coef", coef.shape, where), coef)
            and np.array_equal(_array(sv, "intercept", intercept.shape, where), intercept)
            and np.array_equal(_array(sv, "scaler_mean", scale.mean_.shape, where), scale.mean_)
            and np.array_equal(_array(sv, "scaler_scale", scale.scale_.shape, where), scale.scale_))
    if not same:
        raise ModelError(f"{where}: the readable labels/scaler/coef/intercept do not describe the embedded pipeline")
    return {"svm_pipeline": pipe, "svm_skops": data}


def _reject_constant(c: str):
    raise ValueError(f"non-standard JSON constant {c}")


def check_units(data: pd.DataFrame, model: ReferenceModel, source: str,
                headers: dict[str, str] | None = None) -> None:
    """Stop on a likely unit mistake: a column off the reference by a factor of ~100 or ~1000.

    ``headers`` maps a canonical variable to the header as the file wrote it
    (``FilmTable.headers``), so the message names the column the user knows.

    Raises
    ------
    DataError
        Naming the column, the batch median, the reference range and the likely mistake.
    """
    from ..schema import by_name

    problems = []
    for v, (lo, hi) in model.ranges.items():
        if v not in data.columns or hi <= 0:
            continue
        unit = by_name(v).unit
        header = (headers or {}).get(v, v)
        col = repr(header) if header == v else f"{header!r} ({v}, in {unit})"
        med = float(np.median(data[v].to_numpy(dtype=float)))
        if v == "xylene_vol_pct" and hi > 1.5 and data[v].max() <= 1.0 and med > 0:
            problems.append(f"column {col}: every value is ≤ 1 (median {med:g}) but the reference uses vol% "
                            f"{lo:g}–{hi:g}; X:B looks like a fraction — give it in vol% (multiply by 100)")
            continue
        for factor in (1000.0, 100.0):
            if med > 0 and lo > 0 and (med / factor >= lo * 0.5 and med / factor <= hi * 2) and med > hi * 20:
                problems.append(f"column {col}: the batch median {med:g} is about {factor:g}× the reference "
                                f"range {lo:g}–{hi:g} {unit}; a unit mistake? expected values in {unit}, or "
                                "the unit in the header, e.g. 'σ (mS/cm)'")
                break
            if med > 0 and hi > 0 and (med * factor >= lo * 0.5 and med * factor <= hi * 2) and med < lo / 20:
                problems.append(f"column {col}: the batch median {med:g} is about 1/{factor:g} of the reference "
                                f"range {lo:g}–{hi:g} {unit}; a unit mistake? expected values in {unit}, or "
                                "the unit in the header, e.g. 'σ (mS/cm)'")
                break
    if problems:
        raise DataError(problems, source)
