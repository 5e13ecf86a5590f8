"""Pipeline: preparation steps and a model fitted as one estimator, on the training rows only.

A pipeline is function composition. With transformers ``T₁, …, T₍ₖ₋₁₎`` and a final
estimator ``f``, fitting on ``(X, y)`` fits ``T₁`` on ``X``, ``T₂`` on ``T₁(X)``, …, and ``f``
on ``Z = T₍ₖ₋₁₎(… T₁(X))``; predicting computes ``f(T₍ₖ₋₁₎(… T₁(X)))``. Because every step is
fitted inside ``fit``, cross-validating the pipeline fits the preparation on each training
fold only (no leakage from the validation rows).

Row filters (steps with ``fit_resample``, see :class:`lemma.base.SampleFilterMixin`) select
rows while fitting: a filter fitted on rows ``S₍ⱼ₋₁₎`` keeps ``Sⱼ ⊂ S₍ⱼ₋₁₎`` and the steps after
it (and their ``y`` and ``sample_weight``) see only ``Sⱼ``. Positions are mapped back to the
pipeline's input through ``keptⱼ = kept₍ⱼ₋₁₎[positions the filter kept]``, starting from
``kept₀ = (0, …, n−1)``. When predicting, a filter is the identity, so every input row gets an
output.

Reference: Buitinck et al., "API design for machine learning software: experiences from the
scikit-learn project", ECML PKDD Workshop (2013).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lemma._constraints import BOOL, satisfies
from lemma.base import Tags
from lemma.exceptions import DataValidationError, ParameterError
from lemma.pipeline._composition import (
    Bunch,
    Composition,
    available_if,
    check_names,
    clone_step,
    default_names,
    format_items,
    is_passthrough,
    is_row_filter,
    tags_of,
)
from lemma.validation import check_is_fitted, check_sample_weight

__all__ = ["Pipeline", "RowRemoval", "make_pipeline"]


# ------------------------------------------------------------------------------ helpers
@dataclass(frozen=True)
class RowRemoval:
    """The rows one row-filter step removed while its pipeline was fitted.

    Attributes
    ----------
    step : str
        Name of the filter step.
    n_input : int
        Rows the filter received.
    rows : ndarray of int
        Positions of the removed rows in the pipeline's input ``X`` (sorted).
    step_rows : ndarray of int
        The same rows as positions in the filter's own input (its ``removed_rows_``).
    """

    step: str
    n_input: int
    rows: np.ndarray
    step_rows: np.ndarray

    @property
    def n_removed(self) -> int:
        """Number of rows removed."""
        return int(self.rows.size)

    @property
    def n_kept(self) -> int:
        """Number of rows the filter passed on."""
        return self.n_input - self.n_removed

    def __repr__(self) -> str:
        shown = self.rows[:10].tolist()
        more = f", ... ({self.rows.size - 10} more)" if self.rows.size > 10 else ""
        return (
            f"RowRemoval(step={self.step!r}, n_input={self.n_input}, "
            f"n_removed={self.n_removed}, rows={shown}{more})"
        )


def accepts(estimator: Any, method: str, parameter: str) -> bool:
    """True when ``estimator.<method>`` takes ``parameter`` by name."""
    function = getattr(estimator, method, None)
    if function is None:
        return False
    try:
        return parameter in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def num_rows(X: Any) -> int:
    """Rows of an array-like, DataFrame or list."""
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    if hasattr(X, "__len__"):
        return len(X)
    return int(np.asarray(X).shape[0])


def take_rows(values: Any, positions: np.ndarray) -> Any:
    """Rows ``positions`` of an array, pandas/polars object or list."""
    if hasattr(values, "iloc"):
        return values.iloc[positions]
    if type(values).__module__.split(".")[0] == "polars":
        return values[positions.tolist()]
    return np.asarray(values)[positions]


# ------------------------------------------------------------------------------ pipeline
def _final_has(method: str) -> Callable[[Any], bool]:
    def check(pipeline: Pipeline) -> bool:
        try:
            final = pipeline.steps[-1][1]
        except (TypeError, IndexError, KeyError):
            return False
        return hasattr(final, method)

    return check


def _final_transforms(pipeline: Pipeline) -> bool:
    try:
        final = pipeline.steps[-1][1]
    except (TypeError, IndexError, KeyError):
        return False
    return is_passthrough(final) or hasattr(final, "transform")


def _all_invertible(pipeline: Pipeline) -> bool:
    return all(
        is_passthrough(est) or is_row_filter(est) or hasattr(est, "inverse_transform")
        for _, est in pipeline._named_items()
    )


def _fit_transform_one(transformer: Any, X: Any, y: Any, params: dict) -> tuple[Any, Any]:
    """Fit ``transformer`` and transform ``X``; returns ``(Xt, fitted transformer)``."""
    if hasattr(transformer, "fit_transform"):
        return transformer.fit_transform(X, y, **params), transformer
    return transformer.fit(X, y, **params).transform(X), transformer


def _accepts_nan(steps: list[Any]) -> bool:
    """NaN in X is accepted when every step accepts it up to the first imputer.

    An imputer is recognised by its ``missing_values`` parameter (lemma's and
    scikit-learn's imputers have one); the steps after it never see NaN.
    """
    for step in steps:
        if not tags_of(step).allow_nan:
            return False
        if hasattr(step, "missing_values"):
            return True
    return True


def _is_memory(value: Any) -> bool:
    return value is None or isinstance(value, str) or hasattr(value, "cache")


class Pipeline(Composition):
    """A chain of transformers (and row filters) ending in any estimator.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        Named steps in order. Every step but the last transforms (``fit`` +
        ``transform``) or filters rows (``fit_resample``); the last may be any
        estimator. ``"passthrough"`` or ``None`` is the identity.
    memory : str, joblib.Memory or None, default=None
        Cache fitted transformers in this folder (or ``joblib.Memory``); with a cache the
        transformers are cloned before fitting and ``steps`` holds the fitted clones.
    verbose : bool, default=False
        Print the time each step takes to fit.

    Attributes
    ----------
    named_steps : Bunch
        Steps by name (``pipe.named_steps.scale`` or ``pipe.named_steps["scale"]``).
    removed_ : dict of str to RowRemoval
        For each row-filter step, the rows it removed while fitting, as positions in
        the pipeline's input ``X`` (mapped through earlier filters).
    kept_rows_ : ndarray of int
        Positions in ``X`` of the rows the final step was fitted on.
    n_removed_ : int
        Rows removed by all filters.
    classes_ : ndarray
        The final step's classes (classifiers).
    n_features_in_, feature_names_in_ :
        From the first step.

    Notes
    -----
    ``fit(X, y, sample_weight=w, **params)``: ``params`` are routed by name,
    ``<step>__<param>`` to that step's ``fit``; ``sample_weight`` goes to every step
    whose ``fit`` accepts it (and to row filters), and must be accepted by a final
    step that predicts; a transformer whose ``fit`` has no ``sample_weight`` is fitted
    unweighted. After a row filter, ``sample_weight`` and any routed fit parameter
    with one entry per input row are restricted to the kept rows.

    A row filter implements ``fit_resample(X, y=None, sample_weight=None)`` returning
    ``(X, y, sample_weight)`` without the removed rows, and sets ``removed_rows_`` (their
    positions in its own input); see :class:`lemma.base.SampleFilterMixin`.

    The pipeline accepts NaN in ``X`` (its ``allow_nan`` tag) when every step does,
    up to the first imputer (a step with a ``missing_values`` parameter).

    ``fit_transform`` and ``fit_predict`` return outputs for the rows the final step
    was fitted on: when a filter removed rows, these are the kept rows (positions
    ``kept_rows_``), not every row of ``X``. ``transform`` and ``predict`` skip the
    filters and return one output per input row.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.pipeline import Pipeline
    >>> from lemma.prep import StandardScaler
    >>> X = np.array([[1.0, 10.0], [2.0, 30.0], [3.0, 20.0], [4.0, 50.0]])
    >>> y = X @ [2.0, 0.1] + 1.0
    >>> pipe = Pipeline([("scale", StandardScaler()), ("model", LinearRegression())])
    >>> pipe.fit(X, y).predict(X).round(6).tolist()
    [4.0, 8.0, 9.0, 14.0]
    >>> pipe.set_params(model__fit_intercept=False).named_steps.model.fit_intercept
    False
    """

    _items_attr = "steps"
    _parameter_constraints = {
        "steps": [
            satisfies(
                lambda v: (
                    isinstance(v, list)
                    and len(v) > 0
                    and all(isinstance(s, tuple) and len(s) == 2 for s in v)
                ),
                "a non-empty list of (name, estimator) tuples",
            )
        ],
        "memory": [satisfies(_is_memory, "None, a folder path or a joblib.Memory")],
        "verbose": [BOOL],
    }

    def __init__(self, steps: list[tuple[str, Any]], *, memory: Any = None, verbose: bool = False):
        self.steps = steps
        self.memory = memory
        self.verbose = verbose

    # ------------------------------------------------------------------ structure
    @property
    def named_steps(self) -> Bunch:
        """Steps by name."""
        return Bunch(self._named_items())

    @property
    def _final_estimator(self) -> Any:
        final = self.steps[-1][1]
        return "passthrough" if final is None else final

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: int | str | slice) -> Any:
        """``pipe[1]`` a step, ``pipe["scale"]`` a step by name, ``pipe[:2]`` a sub-pipeline."""
        if isinstance(index, slice):
            if index.step not in (None, 1):
                raise ParameterError("Pipeline slicing only supports a step of 1.")
            return type(self)(self.steps[index], memory=self.memory, verbose=self.verbose)
        if isinstance(index, str):
            return self.named_steps[index]
        return self.steps[index][1]

    def __repr__(self) -> str:
        extra = [f"memory={self.memory!r}"] if self.memory is not None else []
        extra += ["verbose=True"] if self.verbose else []
        if not isinstance(self.steps, list | tuple):
            return f"Pipeline(steps={self.steps!r}{''.join(', ' + e for e in extra)})"
        return format_items("Pipeline", "steps", list(self.steps), extra)

    def _validate_steps(self) -> None:
        names = [name for name, _ in self.steps]
        check_names(names, "Pipeline step", self._get_param_names())
        for name, step in self.steps[:-1]:
            if is_passthrough(step) or is_row_filter(step):
                continue
            if not (hasattr(step, "fit") or hasattr(step, "fit_transform")) or not hasattr(
                step, "transform"
            ):
                raise ParameterError(
                    f"Every Pipeline step but the last must be a transformer (fit and transform), "
                    f"a row filter (fit_resample) or 'passthrough'; step {name!r} is {step!r} "
                    f"({type(step).__name__}), which has no "
                    f"{'transform' if hasattr(step, 'fit') else 'fit'} method."
                )
        name, final = self.steps[-1]
        if not (is_passthrough(final) or hasattr(final, "fit") or is_row_filter(final)):
            raise ParameterError(
                f"The last Pipeline step must be an estimator with fit or 'passthrough'; step "
                f"{name!r} is {final!r} ({type(final).__name__})."
            )

    # ------------------------------------------------------------------ fitted state
    def __sklearn_is_fitted__(self) -> bool:
        for _, step in reversed(self._named_items()):
            if is_passthrough(step):
                continue
            try:
                check_is_fitted(step)
            except (ValueError, AttributeError):
                return False
            return True
        return True

    def _first_attribute(self, attribute: str) -> Any:
        for _, step in self._named_items():
            if is_passthrough(step):
                continue
            if hasattr(step, attribute):
                return getattr(step, attribute)
            if not is_row_filter(step):
                break
        raise AttributeError(
            f"{type(self).__name__} has no attribute {attribute!r}: its first step does not "
            "have it (fit the pipeline first)."
        )

    @property
    def n_features_in_(self) -> int:
        """Number of input columns, from the first step."""
        return self._first_attribute("n_features_in_")

    @property
    def feature_names_in_(self) -> np.ndarray:
        """Input column names, from the first step."""
        return self._first_attribute("feature_names_in_")

    @property
    def classes_(self) -> np.ndarray:
        """Class labels of the final step."""
        return self.steps[-1][1].classes_

    # ------------------------------------------------------------------ fitting
    def _route(self, params: dict[str, Any]) -> dict[str, dict[str, Any]]:
        names = [name for name, _ in self.steps]
        routed: dict[str, dict[str, Any]] = {name: {} for name in names}
        for key, value in params.items():
            step, sep, param = key.partition("__")
            if not sep or step not in routed:
                raise ParameterError(
                    f"Pipeline.fit got the parameter {key!r}; pass step parameters as "
                    f"'<step>__<parameter>' with a step among {names!r} (sample_weight is "
                    "passed to every step that accepts it)."
                )
            routed[step][param] = value
        return routed

    def _step_params(
        self, name: str, step: Any, routed: dict, kept: np.ndarray, n: int, weight: Any
    ) -> dict[str, Any]:
        """Fit parameters for one step, restricted to the rows kept so far."""
        params = {}
        for key, value in routed[name].items():
            aligned = hasattr(value, "__len__") and not isinstance(value, str | dict)
            if kept.size != n and aligned and num_rows(value) == n:
                value = take_rows(value, kept)
            params[key] = value
        if weight is not None and "sample_weight" not in params:
            method = "fit" if hasattr(step, "fit") else "fit_transform"
            if accepts(step, method, "sample_weight"):
                params["sample_weight"] = weight
        return params

    def _fit_head(
        self, X: Any, y: Any, sample_weight: Any, params: dict[str, Any]
    ) -> tuple[Any, Any, dict[str, Any]]:
        """Fit every step but the last; returns the last step's (X, y, fit params)."""
        self._validate_params()
        self._validate_steps()
        routed = self._route(params)
        n = num_rows(X)
        weight = None if sample_weight is None else check_sample_weight(sample_weight, n)
        memory = self._memory()
        kept = np.arange(n)
        removed: dict[str, RowRemoval] = {}
        Xt, yt = X, y
        for index, (name, step) in enumerate(self.steps[:-1]):
            if is_passthrough(step):
                continue
            start = time.perf_counter()
            step_params = self._step_params(name, step, routed, kept, n, weight)
            if is_row_filter(step):
                Xt, yt, weight, kept, removed[name] = self._filter(
                    name, step, Xt, yt, weight, kept, step_params
                )
            else:
                if memory is not None:
                    cached = memory.cache(_fit_transform_one)
                    Xt, fitted = cached(clone_step(step), Xt, yt, step_params)
                    self.steps[index] = (name, fitted)
                else:
                    Xt, _ = _fit_transform_one(step, Xt, yt, step_params)
            self._log(index, name, start)
        name, final = self.steps[-1]
        final_params = {}
        if not is_passthrough(final):
            final_params = self._step_params(name, final, routed, kept, n, weight)
            if weight is not None and "sample_weight" not in final_params:
                if hasattr(final, "predict"):
                    raise ParameterError(
                        f"sample_weight was given but the final step {name!r} "
                        f"({type(final).__name__}) does not accept sample_weight in fit, so "
                        "the weights would be ignored; drop sample_weight or use a model "
                        "that takes it."
                    )
        self.removed_ = removed
        self.kept_rows_ = kept
        self.n_removed_ = int(n - kept.size)
        return Xt, yt, final_params

    def _filter(
        self, name: str, step: Any, X: Any, y: Any, weight: Any, kept: np.ndarray, params: dict
    ) -> tuple[Any, Any, Any, np.ndarray, RowRemoval]:
        """Run a row filter and map the rows it removed back to the pipeline's input."""
        n_in = num_rows(X)
        own = params.pop("sample_weight", None)
        used = weight if own is None else own
        X_out, y_out, weight_out = step.fit_resample(X, y, sample_weight=used, **params)
        local = getattr(step, "removed_rows_", None)
        if local is None:
            raise ParameterError(
                f"Row filter {name!r} ({type(step).__name__}) did not set removed_rows_ in "
                "fit_resample; a row filter must record the positions of the rows it removed "
                "(see lemma.base.SampleFilterMixin)."
            )
        local = np.asarray(local)
        if local.dtype == bool:
            local = np.flatnonzero(local)
        local = np.unique(local.astype(np.intp))
        n_out = num_rows(X_out)
        lengths = [num_rows(v) for v in (y_out, weight_out) if v is not None]
        if n_out != n_in - local.size or any(k != n_out for k in lengths):
            raise DataValidationError(
                f"Row filter {name!r} ({type(step).__name__}) reported removing {local.size} of "
                f"{n_in} rows but returned X with {n_out} rows"
                f"{' and y/sample_weight with ' + str(lengths) if lengths else ''}; "
                "fit_resample must drop the same rows from X, y and sample_weight."
            )
        record = RowRemoval(name, n_in, np.sort(kept[local]), local)
        if own is not None:  # the step's own weights do not flow on; the pipeline's do
            weight_out = None if weight is None else np.delete(weight, local)
        return X_out, y_out, weight_out, np.delete(kept, local), record

    def _memory(self) -> Any:
        if self.memory is None or hasattr(self.memory, "cache"):
            return self.memory
        import joblib

        return joblib.Memory(location=self.memory, verbose=0)

    def _log(self, index: int, name: str, start: float) -> None:
        if self.verbose:
            elapsed = time.perf_counter() - start
            print(f"[Pipeline] (step {index + 1} of {len(self.steps)}) {name}: {elapsed:.3f}s")

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None, **params: Any) -> Pipeline:
        """Fit each step on the output of the previous one (filters drop rows).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional
        sample_weight : array-like of shape (n_samples,), optional
            Passed to every step whose ``fit`` accepts it.
        **params
            ``<step>__<parameter>`` fit parameters for one step.

        Returns
        -------
        self
        """
        Xt, yt, final_params = self._fit_head(X, y, sample_weight, params)
        name, final = self.steps[-1]
        start = time.perf_counter()
        if is_row_filter(final):
            self._fit_final_filter(name, final, Xt, yt, final_params)
        elif not is_passthrough(final):
            final.fit(Xt, yt, **final_params)
        self._log(len(self.steps) - 1, name, start)
        return self

    def _fit_final_filter(self, name: str, final: Any, X: Any, y: Any, params: dict) -> Any:
        weight = params.pop("sample_weight", None)
        X_out, _, _, kept, record = self._filter(name, final, X, y, weight, self.kept_rows_, params)
        self.removed_[name] = record
        self.kept_rows_ = kept
        self.n_removed_ = int(self.n_removed_ + record.n_removed)
        return X_out

    @available_if(_final_transforms)
    def fit_transform(self, X: Any, y: Any = None, sample_weight: Any = None, **params: Any) -> Any:
        """Fit, then return the transformed rows the last step was fitted on.

        With a row filter these are the kept rows only (``kept_rows_``); call
        ``transform(X)`` for one output row per input row.
        """
        Xt, yt, final_params = self._fit_head(X, y, sample_weight, params)
        name, final = self.steps[-1]
        if is_passthrough(final):
            return Xt
        if is_row_filter(final):
            return self._fit_final_filter(name, final, Xt, yt, final_params)
        if hasattr(final, "fit_transform"):
            return final.fit_transform(Xt, yt, **final_params)
        return final.fit(Xt, yt, **final_params).transform(Xt)

    @available_if(_final_has("fit_predict"))
    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None, **params: Any) -> Any:
        """Fit, then return the final step's ``fit_predict`` on the rows it was fitted on."""
        Xt, yt, final_params = self._fit_head(X, y, sample_weight, params)
        return self.steps[-1][1].fit_predict(Xt, yt, **final_params)

    # ------------------------------------------------------------------ prediction
    def _transform_head(self, X: Any) -> Any:
        """Apply every transformer but the last; row filters are the identity."""
        check_is_fitted(self)
        for _, step in self.steps[:-1]:
            if is_passthrough(step) or is_row_filter(step):
                continue
            X = step.transform(X)
        return X

    @available_if(_final_has("predict"))
    def predict(self, X: Any, **params: Any) -> np.ndarray:
        """Transform ``X`` through the steps and predict with the final one (one per row)."""
        return self.steps[-1][1].predict(self._transform_head(X), **params)

    @available_if(_final_has("predict_proba"))
    def predict_proba(self, X: Any, **params: Any) -> np.ndarray:
        """Class probabilities of the final step for the transformed ``X``."""
        return self.steps[-1][1].predict_proba(self._transform_head(X), **params)

    @available_if(_final_has("predict_log_proba"))
    def predict_log_proba(self, X: Any, **params: Any) -> np.ndarray:
        """Log class probabilities of the final step for the transformed ``X``."""
        return self.steps[-1][1].predict_log_proba(self._transform_head(X), **params)

    @available_if(_final_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Decision function of the final step for the transformed ``X``."""
        return self.steps[-1][1].decision_function(self._transform_head(X))

    @available_if(_final_has("score_samples"))
    def score_samples(self, X: Any) -> np.ndarray:
        """``score_samples`` of the final step for the transformed ``X``."""
        return self.steps[-1][1].score_samples(self._transform_head(X))

    @available_if(_final_transforms)
    def transform(self, X: Any) -> Any:
        """Apply every transformer (filters are the identity): one output row per input row."""
        Xt = self._transform_head(X)
        final = self.steps[-1][1]
        if is_passthrough(final) or is_row_filter(final):
            return Xt
        return final.transform(Xt)

    @available_if(_all_invertible)
    def inverse_transform(self, X: Any) -> Any:
        """Apply ``inverse_transform`` of every step in reverse order."""
        check_is_fitted(self)
        for _, step in reversed(self.steps):
            if is_passthrough(step) or is_row_filter(step):
                continue
            X = step.inverse_transform(X)
        return X

    @available_if(_final_has("score"))
    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """The final step's ``score`` on the transformed ``X`` (every row; filters skipped)."""
        extra = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self.steps[-1][1].score(self._transform_head(X), y, **extra)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output column names, passing names through every step."""
        names = input_features
        for name, step in self.steps:
            if is_passthrough(step) or (
                is_row_filter(step) and not hasattr(step, "get_feature_names_out")
            ):
                continue
            if not hasattr(step, "get_feature_names_out"):
                raise AttributeError(
                    f"Step {name!r} ({type(step).__name__}) does not provide "
                    "get_feature_names_out, so the pipeline cannot name its output columns."
                )
            names = step.get_feature_names_out(names)
        if names is None:
            names = self.feature_names_in_
        return np.asarray(names, dtype=object)

    def set_output(self, *, transform: str | None = None) -> Pipeline:
        """Choose the output container of every step: "auto", "pandas" or "default".

        scikit-learn steps receive "pandas" and "default" unchanged and keep their own
        setting for "auto" (which they do not have).
        """
        for _, step in self._named_items():
            if is_passthrough(step) or not hasattr(step, "set_output"):
                continue
            if transform == "auto" and not hasattr(step, "__lemma_tags__"):
                continue
            step.set_output(transform=transform)
        return self

    # ------------------------------------------------------------------ tags
    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        steps = [step for _, step in self._named_items() if not is_passthrough(step)]
        if not steps:
            return tags
        first = tags_of(steps[0])
        tags.allow_nan = _accepts_nan(steps)
        tags.string_input = first.string_input
        tags.positive_X = first.positive_X
        tags.pairwise = first.pairwise
        tags.non_deterministic = any(tags_of(s).non_deterministic for s in steps)
        final = self._named_items()[-1][1]
        if not is_passthrough(final):
            last = tags_of(final)
            tags.estimator_type = last.estimator_type
            tags.requires_y = last.requires_y
            tags.positive_y = last.positive_y
            tags.multi_output = last.multi_output
            tags.poor_score = last.poor_score
            tags.multi_class = last.multi_class
            tags.preserves_dtype = list(last.preserves_dtype)
        return tags

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import TransformerTags

        sk = super().__sklearn_tags__()
        if _final_transforms(self):
            preserves = self.__lemma_tags__().preserves_dtype
            sk.transformer_tags = TransformerTags(preserves_dtype=list(preserves))
        return sk


def make_pipeline(*steps: Any, memory: Any = None, verbose: bool = False) -> Pipeline:
    """A :class:`Pipeline` whose steps are named by their lowercase class names.

    Repeated names are numbered: two ``StandardScaler`` steps become
    ``standardscaler-1`` and ``standardscaler-2``.

    Parameters
    ----------
    *steps : estimators
    memory : str, joblib.Memory or None, default=None
    verbose : bool, default=False

    Returns
    -------
    Pipeline

    Examples
    --------
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.pipeline import make_pipeline
    >>> from lemma.prep import StandardScaler
    >>> make_pipeline(StandardScaler(), StandardScaler(), LinearRegression()).named_steps.keys()
    dict_keys(['standardscaler-1', 'standardscaler-2', 'linearregression'])
    """
    named = list(zip(default_names(steps), steps, strict=True))
    return Pipeline(named, memory=memory, verbose=verbose)
