"""The estimator contract: parameters, cloning, tags and the model-kind mixins.

Every lemma estimator subclasses :class:`BaseEstimator` and one mixin saying what
it is (:class:`RegressorMixin`, :class:`ClassifierMixin`, :class:`TransformerMixin`,
:class:`ClusterMixin`). The contract, shared with scikit-learn so lemma models
drop into its ``Pipeline`` and ``GridSearchCV``:

* ``__init__`` stores its arguments unchanged, under the same names, and does
  nothing else; :meth:`BaseEstimator.get_params` and
  :meth:`BaseEstimator.set_params` are derived from its signature.
* ``fit`` checks the hyperparameters once against ``_parameter_constraints``
  (:meth:`BaseEstimator._validate_params`), validates the data, fits, stores
  learned state in attributes ending with ``_`` and returns ``self``.
* Methods that need a fitted model raise :class:`~lemma.exceptions.NotFittedError`.

Examples
--------
>>> from lemma.base import BaseEstimator, clone
>>> class Shrink(BaseEstimator):
...     def __init__(self, alpha=1.0, fit_intercept=True):
...         self.alpha = alpha
...         self.fit_intercept = fit_intercept
>>> model = Shrink(alpha=0.5)
>>> model
Shrink(alpha=0.5)
>>> clone(model).set_params(alpha=2.0).get_params()
{'alpha': 2.0, 'fit_intercept': True}
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from lemma._constraints import validate_params
from lemma.exceptions import ParameterError
from lemma.validation import check_is_fitted

__all__ = [
    "BaseEstimator",
    "ClassifierMixin",
    "ClusterMixin",
    "OneToOneFeatureMixin",
    "RegressorMixin",
    "SampleFilterMixin",
    "Tags",
    "TransformerMixin",
    "clone",
    "is_classifier",
    "is_regressor",
]


@dataclass
class Tags:
    """What an estimator is and accepts; read by lemma's common tests and tools.

    Translated to scikit-learn's ``Tags`` by ``__sklearn_tags__`` when scikit-learn
    asks for them.
    """

    estimator_type: str | None = None
    requires_fit: bool = True
    requires_y: bool = False
    positive_y: bool = False
    multi_output: bool = False
    allow_nan: bool = False
    string_input: bool = False
    positive_X: bool = False
    non_deterministic: bool = False
    poor_score: bool = False
    multi_class: bool = True
    preserves_dtype: list[str] = field(default_factory=lambda: ["float64"])
    pairwise: bool = False


class BaseEstimator:
    """Base class of every lemma estimator: parameters, repr, tags, fitted check."""

    #: Hyperparameter → list of accepted values (see lemma._constraints).
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {}

    # ------------------------------------------------------------------ parameters
    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        signature = inspect.signature(init)
        names = []
        for p in signature.parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(
                    f"{cls.__name__}.__init__ must list its parameters explicitly "
                    f"(no *args/**kwargs); found {p}."
                )
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this estimator, and of nested estimators when ``deep``.

        Nested parameters are named ``<component>__<parameter>``.
        """
        out: dict[str, Any] = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for sub, sub_value in value.get_params().items():
                    out[f"{name}__{sub}"] = sub_value
            out[name] = value
        return out

    def set_params(self, **params: Any) -> BaseEstimator:
        """Set parameters (``component__parameter`` reaches nested estimators)."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise ParameterError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(self._get_param_names())!r}."
                )
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def _validate_params(self) -> None:
        """Check hyperparameters against the class's constraint table (once, in fit)."""
        constraints: dict[str, list[Any]] = {}
        for klass in reversed(type(self).__mro__):
            constraints.update(getattr(klass, "_parameter_constraints", {}))
        validate_params(constraints, self.get_params(deep=False), type(self).__name__)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
            if p.default is not p.empty
        }
        shown = []
        for name, value in self.get_params(deep=False).items():
            if name in defaults and _same_value(value, defaults[name]):
                continue
            shown.append(f"{name}={_short_repr(value)}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def _repr_html_(self) -> str:
        import html

        state = "fitted" if self.__sklearn_is_fitted__() else "not fitted"
        return (
            f"<pre style='display:inline'>{html.escape(repr(self))}</pre>"
            f" <small style='color:#666'>({state})</small>"
        )

    # ------------------------------------------------------------------ state
    def __sklearn_is_fitted__(self) -> bool:
        return any(k.endswith("_") and not k.startswith("__") for k in vars(self))

    def __sklearn_clone__(self) -> BaseEstimator:
        """scikit-learn's ``clone`` defers to lemma's (which keeps ``set_output``)."""
        return clone(self)

    def _check_is_fitted(self) -> None:
        check_is_fitted(self)

    def __getstate__(self) -> dict[str, Any]:
        from lemma._version import __version__

        state = self.__dict__.copy()
        state["_lemma_version"] = __version__
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.pop("_lemma_version", None)
        self.__dict__.update(state)

    # ------------------------------------------------------------------ tags
    def __lemma_tags__(self) -> Tags:
        """The estimator's tags; subclasses extend ``super().__lemma_tags__()``."""
        return Tags()

    def _requires_y(self) -> bool:
        return self.__lemma_tags__().requires_y

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's view of :meth:`__lemma_tags__` (only called by scikit-learn)."""
        from sklearn.utils import (
            ClassifierTags,
            InputTags,
            RegressorTags,
            TargetTags,
            TransformerTags,
        )
        from sklearn.utils import (
            Tags as SkTags,
        )

        t = self.__lemma_tags__()
        sk = SkTags(
            estimator_type=t.estimator_type,
            target_tags=TargetTags(
                required=t.requires_y,
                positive_only=t.positive_y,
                multi_output=t.multi_output,
                single_output=True,
            ),
            input_tags=InputTags(
                allow_nan=t.allow_nan,
                string=t.string_input,
                categorical=t.string_input,
                positive_only=t.positive_X,
                pairwise=t.pairwise,
            ),
            requires_fit=t.requires_fit,
            non_deterministic=t.non_deterministic,
        )
        if t.estimator_type == "classifier":
            sk.classifier_tags = ClassifierTags(poor_score=t.poor_score, multi_class=t.multi_class)
        elif t.estimator_type == "regressor":
            sk.regressor_tags = RegressorTags(poor_score=t.poor_score)
        if isinstance(self, TransformerMixin):
            sk.transformer_tags = TransformerTags(preserves_dtype=list(t.preserves_dtype))
        return sk


def _same_value(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    try:
        equal = a == b
        if type(a) is not type(b) and not (
            isinstance(a, int | float) and isinstance(b, int | float)
        ):
            return False
        return bool(equal) if not isinstance(equal, np.ndarray) else False
    except Exception:
        return False


def _short_repr(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array(shape={value.shape})"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------------- cloning
def clone(estimator: Any, *, safe: bool = True) -> Any:
    """A new unfitted estimator with the same parameters (nested estimators cloned).

    Non-estimator parameters are deep-copied. With ``safe=False`` objects without
    ``get_params`` are deep-copied instead of refused.
    """
    if isinstance(estimator, list | tuple | set | frozenset):
        return type(estimator)(clone(e, safe=safe) for e in estimator)
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        if not safe:
            return copy.deepcopy(estimator)
        raise TypeError(
            f"Cannot clone {estimator!r} (type {type(estimator).__name__}): it is not an "
            "estimator (it has no get_params method)."
        )
    params = estimator.get_params(deep=False)
    new_params = {name: clone(value, safe=False) for name, value in params.items()}
    new = type(estimator)(**new_params)
    stored = new.get_params(deep=False)
    for name, value in new_params.items():
        if stored[name] is not value:
            raise RuntimeError(
                f"Cannot clone {type(estimator).__name__}: its __init__ changes the parameter "
                f"{name!r} instead of storing it unchanged."
            )
    if hasattr(estimator, "_output_kind"):
        new._output_kind = estimator._output_kind  # set_output survives cloning
    return new


# ----------------------------------------------------------------------------- mixins
class RegressorMixin:
    """Mixin for regressors: ``score`` is the coefficient of determination R²."""

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()  # type: ignore[misc]
        tags.estimator_type = "regressor"
        tags.requires_y = True
        return tags

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of ``predict(X)`` against ``y`` (1 is perfect, 0 is the mean's score)."""
        from lemma.metrics import r2_score

        return r2_score(y, self.predict(X), sample_weight=sample_weight)  # type: ignore[attr-defined]


class ClassifierMixin:
    """Mixin for classifiers: ``score`` is accuracy."""

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()  # type: ignore[misc]
        tags.estimator_type = "classifier"
        tags.requires_y = True
        return tags

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Share of rows whose predicted class equals ``y`` (weighted if given)."""
        from lemma.metrics import accuracy_score

        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)  # type: ignore[attr-defined]


class ClusterMixin:
    """Mixin for clustering: ``fit_predict`` returns the labels of the training rows."""

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()  # type: ignore[misc]
        tags.estimator_type = "clusterer"
        return tags

    def fit_predict(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        """Fit on ``X`` and return the cluster label of each row."""
        self.fit(X, **fit_params)  # type: ignore[attr-defined]
        return self.labels_  # type: ignore[attr-defined]


_OUTPUT_KINDS = ("auto", "pandas", "default")


class TransformerMixin:
    """Mixin for transformers: ``fit_transform`` = ``fit`` then ``transform``.

    Output container: by default (``"auto"``) a transformer given a pandas or polars
    DataFrame returns a pandas DataFrame whose columns are
    ``get_feature_names_out()`` (and whose index is the input's), and returns a
    NumPy array for array input. ``set_output(transform="pandas")`` always returns
    a DataFrame, ``"default"`` always an array (scikit-learn's meaning). A
    transformer calls :meth:`_wrap_output` on its result to honour this.
    """

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """Fit to ``X`` (and ``y``) and return the transformed ``X``."""
        if y is None:
            return self.fit(X, **fit_params).transform(X)  # type: ignore[attr-defined]
        return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]

    def set_output(self, *, transform: str | None = None) -> Any:
        """Choose the container ``transform`` returns: "auto", "pandas" or "default".

        Kept by :func:`clone`. ``None`` leaves the setting unchanged.
        """
        if transform is None:
            return self
        if transform not in _OUTPUT_KINDS:
            raise ParameterError(
                f"set_output(transform=...) must be one of {list(_OUTPUT_KINDS)}; got "
                f"{transform!r}."
            )
        self._output_kind = transform
        return self

    def _wrap_output(self, Xt: Any, X: Any) -> Any:
        """Return ``Xt`` in the container chosen by :meth:`set_output` for input ``X``."""
        kind = getattr(self, "_output_kind", "auto")
        is_frame = hasattr(X, "columns") and type(X).__module__.split(".")[0] in (
            "pandas",
            "polars",
        )
        if kind == "default" or (kind == "auto" and not is_frame):
            return Xt.to_numpy() if hasattr(Xt, "to_numpy") and hasattr(Xt, "columns") else Xt
        import pandas as pd

        columns = self.get_feature_names_out()  # type: ignore[attr-defined]
        index = X.index if type(X).__module__.split(".")[0] == "pandas" else None
        if isinstance(Xt, pd.DataFrame):
            Xt = Xt.set_axis(list(columns), axis=1)
            return Xt if index is None else Xt.set_axis(index, axis=0)
        return pd.DataFrame(Xt, columns=list(columns), index=index, copy=False)


class SampleFilterMixin:
    """Steps that remove rows while fitting (duplicates, outliers), never when predicting.

    A row filter implements ``fit_resample(X, y=None, sample_weight=None)`` returning
    ``(X, y, sample_weight)`` with the removed rows dropped, and records what it
    removed in ``removed_rows_`` (positions in its input) and ``n_removed_``.
    :class:`lemma.pipeline.Pipeline` calls ``fit_resample`` during ``fit`` and skips
    the step at predict/transform time, so every row gets a prediction — the
    row-level cleaning scikit-learn pipelines cannot express (its issue #9630).
    """

    def transform(self, X: Any) -> Any:
        """Identity: filters act only while fitting."""
        return X

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()  # type: ignore[misc]
        tags.requires_fit = True
        return tags


class OneToOneFeatureMixin:
    """Transformers whose output columns are their input columns, renamed nothing."""

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output column names: the input names (or ``x0, x1, ...``)."""
        check_is_fitted(self)
        return _input_names(self, input_features)


def _input_names(estimator: Any, input_features: Any = None) -> np.ndarray:
    fitted = getattr(estimator, "feature_names_in_", None)
    n = estimator.n_features_in_
    if input_features is None:
        if fitted is not None:
            return np.asarray(fitted, dtype=object)
        return np.asarray([f"x{i}" for i in range(n)], dtype=object)
    names = np.asarray(input_features, dtype=object)
    if len(names) != n:
        raise ParameterError(
            f"input_features should have length equal to number of features ({n}), got "
            f"{len(names)}."
        )
    if fitted is not None and not np.array_equal(fitted, names):
        raise ParameterError("input_features is not equal to feature_names_in_.")
    return names


def is_classifier(estimator: Any) -> bool:
    """True if ``estimator`` is a classifier (lemma's or scikit-learn's)."""
    if hasattr(estimator, "__lemma_tags__"):
        return estimator.__lemma_tags__().estimator_type == "classifier"
    return (
        getattr(estimator, "_estimator_type", None) == "classifier"
        or _sk_type(estimator) == "classifier"
    )


def is_regressor(estimator: Any) -> bool:
    """True if ``estimator`` is a regressor (lemma's or scikit-learn's)."""
    if hasattr(estimator, "__lemma_tags__"):
        return estimator.__lemma_tags__().estimator_type == "regressor"
    return (
        getattr(estimator, "_estimator_type", None) == "regressor"
        or _sk_type(estimator) == "regressor"
    )


def _sk_type(estimator: Any) -> str | None:
    try:
        return estimator.__sklearn_tags__().estimator_type
    except Exception:
        return None
