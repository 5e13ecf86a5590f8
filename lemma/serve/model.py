"""The model a server serves: loaded by the safe loader, hashed, and swapped atomically.

:meth:`ServedModel.load` reads a ``.lemma`` file with
:func:`lemma.io.persist.load_file` only — a tampered, truncated or foreign file is
refused with :class:`~lemma.exceptions.ModelFileError` and nothing in it runs — and
keeps the SHA-256 of the file's bytes: its first 12 hex digits are the
``model_version`` every answer carries, so two servers answer with the same version
exactly when they serve the same bytes. A file saved without a feature schema is
served when its model knows its input names (``feature_names_in_``): each is then a
numeric field.

A prediction is ``model.predict(X)`` and, for a classifier, ``model.predict_proba(X)``
on the DataFrame of validated rows; for a pipeline the preprocessing runs once and
its output feeds both (the same arithmetic as ``Pipeline.predict``, so the results
are equal bit for bit). Model calls of one process take a lock, one at a time: the
event loop keeps answering ``/health`` and ``/metrics`` during a long batch, and
``--workers`` adds processes for parallelism.

:class:`ModelHolder` owns the one reference to the model being served. A request
reads it once and uses that object throughout, so a reload never mixes two models
in one answer; :meth:`ModelHolder.reload_if_changed` loads a changed file into a new
object and replaces the reference in one assignment, or keeps the old model and
reports why (a damaged file, another schema, other classes).

Examples
--------
>>> import pathlib, tempfile
>>> import pandas as pd
>>> import lemma
>>> from lemma.serve.model import ServedModel
>>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0]})
>>> path = pathlib.Path(tempfile.mkdtemp()) / "line.lemma"
>>> _ = lemma.save(lemma.LinearRegression().fit(X, [1.0, 3.0, 5.0]), path, schema=X)
>>> served = ServedModel.load(path)
>>> len(served.version), served.task
(12, 'regression')
>>> served.predict(pd.DataFrame({"x": [3.0]})).predictions.round(6)
array([7.])
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lemma.base import is_classifier, is_regressor
from lemma.exceptions import DataValidationError
from lemma.io.persist import ModelFile, load_file
from lemma.io.schema import ColumnSchema, FeatureSchema
from lemma.serve.schema import RowValidator

__all__ = ["ModelHolder", "Prediction", "ServedModel", "file_sha256"]

_CHUNK = 1 << 20


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _schema_of(path: Path, saved: ModelFile) -> FeatureSchema:
    if saved.schema is not None:
        return saved.schema
    names = getattr(saved.model, "feature_names_in_", None)
    if names is None:
        raise DataValidationError(
            f"cannot serve {str(path)!r}: it was saved without a feature schema and its model "
            "does not know its input names; re-save it with lemma.save(model, path, "
            "schema=X_train)."
        )
    return FeatureSchema([ColumnSchema(str(name), "numeric") for name in names])


def _split(model: Any) -> tuple[Any, Any]:
    """(preprocessing or None, final estimator) of a model or a lemma Pipeline."""
    from lemma.pipeline import Pipeline

    if isinstance(model, Pipeline) and len(model.steps) > 1:
        final = model.steps[-1][1]
        if hasattr(final, "predict"):
            return model[:-1], final
    return None, model


@dataclass(frozen=True)
class Prediction:
    """Predictions of a batch: ``predictions`` (n,) or (n, k); ``probabilities`` (n, K)."""

    predictions: np.ndarray
    probabilities: np.ndarray | None = None


@dataclass(frozen=True)
class ServedModel:
    """A loaded model file with what serving needs (build with :meth:`load`).

    Attributes
    ----------
    path : Path
    saved : ModelFile
        Model, schema, card, metadata and versions, as read by the safe loader.
    schema : FeatureSchema
        The saved schema (or numeric fields named by ``feature_names_in_``).
    sha256 : str
        SHA-256 of the file's bytes.
    validator : RowValidator
    classes : list or None
        Class labels of a classifier (as JSON values).
    """

    path: Path
    saved: ModelFile
    schema: FeatureSchema
    sha256: str
    validator: RowValidator
    classes: list[Any] | None
    _parts: tuple[Any, Any]
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @classmethod
    def load(cls, path: str | os.PathLike) -> ServedModel:
        """Load ``path`` with the safe loader; raise a lemma error if it cannot be served.

        Raises
        ------
        ModelFileError
            The file is missing, damaged, tampered with, foreign or too new.
        DataValidationError
            The model cannot predict, or its inputs are unknown.
        """
        path = Path(path)
        for _ in range(3):  # a file replaced while reading is read again
            before = file_sha256(path) if path.is_file() else ""
            saved = load_file(path)
            if file_sha256(path) == before:
                break
        model = saved.model
        if not hasattr(model, "predict"):
            raise DataValidationError(
                f"cannot serve {str(path)!r}: it holds a {type(model).__name__}, which has no "
                "predict method; save a fitted model (or a pipeline ending in one)."
            )
        schema = _schema_of(path, saved)
        classes = None
        if is_classifier(model) and hasattr(model, "predict_proba"):
            classes = np.asarray(model.classes_).tolist()
        return cls(path, saved, schema, before, RowValidator(schema), classes, _split(model))

    # ------------------------------------------------------------------ description
    @property
    def model(self) -> Any:
        return self.saved.model

    @property
    def version(self) -> str:
        """The first 12 hex digits of the file's SHA-256."""
        return self.sha256[:12]

    @property
    def task(self) -> str:
        """ "classification" (with probabilities), "regression" or "prediction"."""
        if self.classes is not None:
            return "classification"
        return "regression" if is_regressor(self.model) else "prediction"

    def interface(self) -> tuple[Any, ...]:
        """What clients rely on: a reload must keep it (schema, task, classes)."""
        return (self.schema.to_dict(), self.task, self.classes)

    # ------------------------------------------------------------------ predicting
    def predict(self, X: pd.DataFrame) -> Prediction:
        """Predictions (and class probabilities) for validated rows ``X``."""
        head, final = self._parts
        with self._lock, np.errstate(all="ignore"):
            Z = X if head is None else head.transform(X)
            predictions = np.asarray(final.predict(Z))
            probabilities = None
            if self.classes is not None:
                probabilities = np.asarray(final.predict_proba(Z), dtype=np.float64)
        return Prediction(predictions, probabilities)

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` under the model's lock (model calls one at a time)."""
        with self._lock, np.errstate(all="ignore"):
            return function(*args)


class ModelHolder:
    """The single reference to the model being served, replaced atomically on reload.

    Parameters
    ----------
    served : ServedModel
    """

    def __init__(self, served: ServedModel) -> None:
        self.current = served
        self._stat = self._signature(served.path)
        self._refused: str | None = None

    @staticmethod
    def _signature(path: Path) -> tuple[float, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def reload_if_changed(self) -> tuple[str, str] | None:
        """Reload the file if it changed since the last look.

        Returns
        -------
        None, or (outcome, message)
            None when the file is unchanged (or a refused version is still in place);
            ``("reloaded", ...)`` after a swap; ``("refused", reason)`` when the new file
            cannot replace the served model (the old one keeps serving).
        """
        path = self.current.path
        signature = self._signature(path)
        if signature is None or signature == self._stat:
            return None
        self._stat = signature
        sha256 = file_sha256(path)
        if sha256 in (self.current.sha256, self._refused):
            return None
        try:
            candidate = ServedModel.load(path)
        except (ValueError, TypeError, OSError) as exc:
            self._refused = sha256
            return "refused", str(exc)
        if candidate.interface() != self.current.interface():
            self._refused = candidate.sha256
            return "refused", (
                f"{str(path)!r} now holds a model with another schema, task or classes; "
                "restart the server to serve it"
            )
        old = self.current.version
        self.current = candidate  # one reference assignment: requests see old or new, whole
        self._refused = None
        return "reloaded", f"model {old} replaced by {candidate.version}"
