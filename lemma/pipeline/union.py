"""FeatureUnion: several transformers on the same columns, outputs side by side.

With transformers ``T₁, …, Tₘ`` and weights ``w₁, …, wₘ`` (default 1), the output is

    Z = [ w₁·T₁(X) | w₂·T₂(X) | … | wₘ·Tₘ(X) ]

each ``Tⱼ`` fitted on all of ``X``. It is a :class:`~lemma.pipeline.ColumnTransformer`
whose every transformer selects every column, which is how it is computed here.

Reference: scikit-learn's ``FeatureUnion`` (Buitinck et al., ECML PKDD Workshop 2013),
whose interface this follows.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from lemma._constraints import BOOL, satisfies
from lemma.base import Tags, TransformerMixin
from lemma.exceptions import DataValidationError, ParameterError
from lemma.pipeline._composition import (
    Bunch,
    Composition,
    check_names,
    default_names,
    format_items,
    tags_of,
)
from lemma.pipeline.column import ColumnTransformer, _is_special, _is_transformer
from lemma.validation import check_is_fitted, get_feature_names

__all__ = ["FeatureUnion", "make_union"]


def _is_weights(value: Any) -> bool:
    return value is None or (
        isinstance(value, dict)
        and all(isinstance(w, numbers.Real) and not isinstance(w, bool) for w in value.values())
    )


class FeatureUnion(TransformerMixin, Composition):
    """Apply several transformers to the same input and stack their outputs.

    Parameters
    ----------
    transformer_list : list of (str, transformer) tuples
        Transformers with ``fit``/``transform``, ``"passthrough"`` (the input as is)
        or ``"drop"``.
    n_jobs : int or None, default=None
        Fit the transformers in parallel with joblib.
    transformer_weights : dict of str to float, optional
        Multiply each named transformer's output by its weight.
    verbose_feature_names_out : bool, default=True
        Prefix output names with the transformer name (``"pca__pca0"``).

    Attributes
    ----------
    named_transformers_ : Bunch
        The fitted transformers (clones) by name.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.pipeline import FeatureUnion
    >>> from lemma.prep import MinMaxScaler, StandardScaler
    >>> X = np.array([[0.0], [1.0], [3.0]])
    >>> union = FeatureUnion([("std", StandardScaler()), ("minmax", MinMaxScaler())])
    >>> union.fit_transform(X).round(4).tolist()
    [[-1.069, 0.0], [-0.2673, 0.3333], [1.3363, 1.0]]
    >>> union.get_feature_names_out().tolist()
    ['std__x0', 'minmax__x0']
    """

    _items_attr = "transformer_list"
    _parameter_constraints = {
        "transformer_list": [
            satisfies(
                lambda v: (
                    isinstance(v, list)
                    and len(v) > 0
                    and all(isinstance(t, tuple) and len(t) == 2 for t in v)
                ),
                "a non-empty list of (name, transformer) tuples",
            )
        ],
        "n_jobs": [None, satisfies(lambda v: isinstance(v, numbers.Integral), "an int")],
        "transformer_weights": [satisfies(_is_weights, "None or a dict of name to weight")],
        "verbose_feature_names_out": [BOOL],
    }

    def __init__(
        self,
        transformer_list: list[tuple[str, Any]],
        *,
        n_jobs: int | None = None,
        transformer_weights: dict[str, float] | None = None,
        verbose_feature_names_out: bool = True,
    ):
        self.transformer_list = transformer_list
        self.n_jobs = n_jobs
        self.transformer_weights = transformer_weights
        self.verbose_feature_names_out = verbose_feature_names_out

    def __repr__(self) -> str:
        extra = [f"n_jobs={self.n_jobs!r}"] if self.n_jobs is not None else []
        if self.transformer_weights is not None:
            extra.append(f"transformer_weights={self.transformer_weights!r}")
        if self.verbose_feature_names_out is not True:
            extra.append(f"verbose_feature_names_out={self.verbose_feature_names_out!r}")
        if not isinstance(self.transformer_list, list):
            return f"FeatureUnion(transformer_list={self.transformer_list!r})"
        return format_items("FeatureUnion", "transformer_list", self.transformer_list, extra)

    def _validate(self) -> None:
        self._validate_params()
        names = [name for name, _ in self.transformer_list]
        check_names(names, "FeatureUnion transformer", self._get_param_names())
        for name, transformer in self.transformer_list:
            if not _is_transformer(transformer):
                raise ParameterError(
                    f"Transformer {name!r} of the FeatureUnion is {transformer!r} "
                    f"({type(transformer).__name__}); it must have fit and transform, or be "
                    "'passthrough' or 'drop'."
                )
        unknown = sorted(set(self.transformer_weights or {}) - set(names))
        if unknown:
            raise ParameterError(
                f"transformer_weights names {unknown!r}, which are not transformers of the "
                f"FeatureUnion ({names!r})."
            )

    def fit(self, X: Any, y: Any = None) -> FeatureUnion:
        """Fit every transformer on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> Any:
        """Fit every transformer on ``X`` and return their weighted outputs side by side.

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_outputs)
        """
        self._validate()
        union = ColumnTransformer(
            [(name, transformer, slice(None)) for name, transformer in self.transformer_list],
            verbose_feature_names_out=self.verbose_feature_names_out,
            n_jobs=self.n_jobs,
        )
        union.set_output(transform=getattr(self, "_output_kind", "auto"))
        Xt = union.fit_transform(X, y)
        self._union = union
        self.n_features_in_ = union.n_features_in_
        if hasattr(union, "feature_names_in_"):
            self.feature_names_in_ = union.feature_names_in_
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self._weigh(Xt)

    def transform(self, X: Any) -> Any:
        """The weighted outputs of every transformer, side by side.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_outputs)
        """
        check_is_fitted(self, "_union")
        shape = getattr(X, "shape", None)
        shape = np.asarray(X).shape if shape is None else shape
        by_name = get_feature_names(X) is not None and hasattr(self, "feature_names_in_")
        if not by_name and len(shape) == 2 and shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"X has {shape[1]} features, but FeatureUnion is expecting {self.n_features_in_} "
                "features as input; pass the same columns as at fit."
            )
        self._union.set_output(transform=getattr(self, "_output_kind", "auto"))
        return self._weigh(self._union.transform(X))

    def _weigh(self, Xt: Any) -> Any:
        if not self.transformer_weights:
            return Xt
        Xt = Xt.copy() if hasattr(Xt, "iloc") else np.array(Xt, dtype=np.float64)
        for name, weight in self.transformer_weights.items():
            where = self._union.output_indices_[name]
            if hasattr(Xt, "iloc"):
                Xt.iloc[:, where] = Xt.iloc[:, where] * weight
            else:
                Xt[:, where] *= weight
        return Xt

    @property
    def named_transformers_(self) -> Bunch:
        """The fitted transformers by name."""
        check_is_fitted(self, "_union")
        return Bunch(
            (name, t) for name, t in self._union.named_transformers_.items() if name != "remainder"
        )

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names: ``"<transformer>__<name>"`` (bare names when not verbose)."""
        check_is_fitted(self, "_union")
        return self._union.get_feature_names_out(input_features)

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        transformers = [t for _, t in self._named_items() if not _is_special(t)]
        tags.allow_nan = all(tags_of(t).allow_nan for t in transformers)
        tags.string_input = all(tags_of(t).string_input for t in transformers)
        return tags


def make_union(*transformers: Any, n_jobs: int | None = None) -> FeatureUnion:
    """A :class:`FeatureUnion` whose transformers are named by their lowercase class names.

    Parameters
    ----------
    *transformers : transformers
    n_jobs : int or None, default=None

    Returns
    -------
    FeatureUnion

    Examples
    --------
    >>> from lemma.pipeline import make_union
    >>> from lemma.prep import MinMaxScaler, StandardScaler
    >>> list(make_union(StandardScaler(), MinMaxScaler()).get_params(deep=False))
    ['n_jobs', 'transformer_list', 'transformer_weights', 'verbose_feature_names_out']
    """
    named = list(zip(default_names(transformers), transformers, strict=True))
    return FeatureUnion(named, n_jobs=n_jobs)
