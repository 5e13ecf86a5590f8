"""ColumnTransformer: prepare groups of columns differently and stack the results.

With column groups ``C₁, …, Cₘ`` (sets of input columns, possibly overlapping) and
transformers ``T₁, …, Tₘ``, the output is the horizontal concatenation

    Z = [ T₁(X[:, C₁]) | T₂(X[:, C₂]) | … | Tₘ(X[:, Cₘ]) | R(X[:, C_rest]) ]

where ``C_rest`` are the columns no group names and ``R`` is the remainder: dropped,
passed through, or another transformer. Each ``Tⱼ`` is fitted on its own columns
only. Output column ``k`` of ``Tⱼ`` is named ``"<name of Tⱼ>__<its k-th output name>"``.

Reference: scikit-learn's ``ColumnTransformer`` (Buitinck et al., ECML PKDD Workshop 2013),
whose interface this follows.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from lemma._constraints import BOOL, satisfies
from lemma.base import BaseEstimator, Tags, TransformerMixin, _input_names
from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.pipeline._composition import (
    Bunch,
    Composition,
    check_names,
    clone_step,
    default_names,
    format_items,
    tags_of,
)
from lemma.validation import check_array, check_is_fitted, get_feature_names

__all__ = ["ColumnTransformer", "make_column_transformer"]

_SPECIAL = ("drop", "passthrough")


# ------------------------------------------------------------------------------ helpers
def _module(X: Any) -> str:
    return type(X).__module__.split(".")[0]


def _is_frame(X: Any) -> bool:
    return hasattr(X, "columns") and _module(X) in ("pandas", "polars")


def _is_special(transformer: Any, which: tuple[str, ...] = _SPECIAL) -> bool:
    return isinstance(transformer, str) and transformer in which


def _is_transformer(value: Any) -> bool:
    return _is_special(value) or (
        (hasattr(value, "fit") or hasattr(value, "fit_transform")) and hasattr(value, "transform")
    )


def _is_scalar_column(spec: Any) -> bool:
    return isinstance(spec, str) or (
        isinstance(spec, numbers.Integral) and not isinstance(spec, bool | np.bool_)
    )


def _name_slice(spec: slice, names: np.ndarray) -> np.ndarray:
    """Positions of a slice of column names, both ends included (pandas ``.loc``)."""
    listed = list(names)
    start = 0 if spec.start is None else listed.index(spec.start)
    stop = len(listed) - 1 if spec.stop is None else listed.index(spec.stop)
    return np.arange(start, stop + 1)


def _resolve(spec: Any, X: Any, names: np.ndarray | None, n_features: int, owner: str) -> Any:
    """Positions (int array) of the columns ``spec`` selects in ``X``."""
    if callable(spec):
        spec = spec(X)
    if _is_scalar_column(spec):
        spec = [spec]
    if isinstance(spec, slice):
        by_name = isinstance(spec.start, str) or isinstance(spec.stop, str)
        if not by_name:
            return np.arange(n_features)[spec]
        spec_names = [v for v in (spec.start, spec.stop) if v is not None]
    else:
        spec = np.asarray(spec)
        if spec.size == 0:
            return np.zeros(0, dtype=np.intp)
        if spec.dtype == bool:
            if spec.shape != (n_features,):
                raise DataValidationError(
                    f"The boolean column mask of {owner} has {spec.size} entries but X has "
                    f"{n_features} columns; give one entry per column."
                )
            return np.flatnonzero(spec)
        if spec.dtype.kind in "iu":
            out_of_range = spec[(spec >= n_features) | (spec < -n_features)]
            if out_of_range.size:
                raise DataValidationError(
                    f"{owner} selects columns {out_of_range.tolist()} but X has only "
                    f"{n_features} columns."
                )
            return np.where(spec < 0, spec + n_features, spec).astype(np.intp)
        spec_names = spec.tolist()
    if names is None:
        raise DataTypeError(
            f"{owner} selects columns by name {spec_names!r}, but X has no column names "
            f"(a {type(X).__name__}); pass a pandas or polars DataFrame, or select the columns "
            "by position."
        )
    missing = [name for name in spec_names if name not in set(names)]
    if missing:
        raise DataValidationError(
            f"{owner} selects columns {missing!r}, which are not in X; X has columns "
            f"{list(names)[:20]!r}{' ...' if len(names) > 20 else ''}."
        )
    if isinstance(spec, slice):
        return _name_slice(spec, names)
    lookup = {name: j for j, name in enumerate(names)}
    return np.asarray([lookup[name] for name in spec_names], dtype=np.intp)


def _take(X: Any, positions: np.ndarray, scalar: bool) -> Any:
    """Columns ``positions`` of ``X`` (a 1-D column when ``scalar``)."""
    if _module(X) == "pandas":
        return X.iloc[:, positions[0]] if scalar else X.iloc[:, positions]
    if _module(X) == "polars":
        return X.to_series(int(positions[0])) if scalar else X[:, positions.tolist()]
    return X[:, positions[0]] if scalar else X[:, positions]


def _to_2d_block(Xt: Any, name: str) -> Any:
    """A transformer's output as a dense 2-D array or DataFrame."""
    if hasattr(Xt, "toarray"):
        Xt = Xt.toarray()
    if _module(Xt) in ("pandas", "polars") and hasattr(Xt, "columns"):
        return Xt
    Xt = np.asarray(Xt)
    if Xt.ndim != 2:
        raise DataValidationError(
            f"Transformer {name!r} returned an array of shape {Xt.shape}; a ColumnTransformer "
            "needs 2-D output (n_samples, n_outputs) from each transformer."
        )
    return Xt


def _as_frame(block: Any) -> Any:
    import pandas as pd

    if _module(block) == "pandas":
        return block.set_axis(range(block.shape[1]), axis=1).reset_index(drop=True)
    if _module(block) == "polars":
        return pd.DataFrame({j: block.to_series(j).to_numpy() for j in range(block.shape[1])})
    return pd.DataFrame(block)


def _fit_transform_one(transformer: Any, X: Any, y: Any) -> tuple[Any, Any]:
    if hasattr(transformer, "fit_transform"):
        return transformer.fit_transform(X, y), transformer
    return transformer.fit(X, y).transform(X), transformer


# -------------------------------------------------------------------- ColumnTransformer
class ColumnTransformer(TransformerMixin, Composition):
    """Apply transformers to groups of columns and stack their outputs side by side.

    Parameters
    ----------
    transformers : list of (str, transformer, columns) tuples
        ``transformer`` is an estimator with ``fit``/``transform``, ``"passthrough"``
        (columns unchanged) or ``"drop"``. ``columns`` selects the input columns: a
        name or a position (the transformer then receives 1-D input), a list of names
        or positions, a boolean mask, a slice (of positions, or of names with both
        ends included), or a callable taking ``X`` and returning one of those (such
        as :func:`make_column_selector`).
    remainder : {"drop", "passthrough"} or transformer, default="drop"
        What happens to the columns no transformer selects.
    verbose_feature_names_out : bool, default=True
        Prefix output names with the transformer name (``"num__age"``); when False
        the names must be unique across transformers.
    n_jobs : int or None, default=None
        Fit the transformers in parallel with joblib (None: one at a time).

    Attributes
    ----------
    transformers_ : list of (str, transformer, columns) tuples
        The fitted transformers (clones), with callables replaced by the columns they
        chose, and ``("remainder", ..., columns)`` last when some columns remain.
    named_transformers_ : Bunch
        Fitted transformers by name.
    output_indices_ : dict of str to slice
        Output columns of each transformer (and of ``"remainder"``); ``slice(0, 0)``
        for those that output none.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when X was a DataFrame with string column names.

    Notes
    -----
    Outputs are stacked dense (sparse outputs are densified). DataFrame input gives a
    pandas DataFrame named by :meth:`get_feature_names_out` with the input's index
    (see :meth:`set_output`); each block keeps its dtypes. (With "auto" output, a
    transformer without ``get_feature_names_out`` makes the output an array.) When
    fitted on a DataFrame, ``transform`` takes columns by name, so their order may
    differ and extra columns are ignored; a missing column is an error naming it.

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.prep import OneHotEncoder, StandardScaler
    >>> from lemma.pipeline import ColumnTransformer
    >>> df = pd.DataFrame({"age": [20.0, 30.0, 40.0], "city": ["Oslo", "Rome", "Oslo"],
    ...                    "id": [7, 8, 9]})
    >>> ct = ColumnTransformer([("num", StandardScaler(), ["age"]),
    ...                         ("cat", OneHotEncoder(), ["city"])])
    >>> out = ct.fit_transform(df)
    >>> list(out.columns)
    ['num__age', 'cat__city_Oslo', 'cat__city_Rome']
    >>> out["num__age"].round(4).tolist()
    [-1.2247, 0.0, 1.2247]
    """

    _items_attr = "transformers"
    _parameter_constraints = {
        "transformers": [
            satisfies(
                lambda v: (
                    isinstance(v, list) and all(isinstance(t, tuple) and len(t) == 3 for t in v)
                ),
                "a list of (name, transformer, columns) tuples",
            )
        ],
        "remainder": [
            satisfies(
                lambda v: _is_special(v) or _is_transformer(v),
                "'drop', 'passthrough' or a transformer with fit and transform",
            )
        ],
        "verbose_feature_names_out": [BOOL],
        "n_jobs": [None, satisfies(lambda v: isinstance(v, numbers.Integral), "an int")],
    }

    def __init__(
        self,
        transformers: list[tuple[str, Any, Any]],
        *,
        remainder: Any = "drop",
        verbose_feature_names_out: bool = True,
        n_jobs: int | None = None,
    ):
        self.transformers = transformers
        self.remainder = remainder
        self.verbose_feature_names_out = verbose_feature_names_out
        self.n_jobs = n_jobs

    def __repr__(self) -> str:
        extra = []
        if not _is_special(self.remainder, ("drop",)):
            extra.append(f"remainder={self.remainder!r}")
        if self.verbose_feature_names_out is not True:
            extra.append(f"verbose_feature_names_out={self.verbose_feature_names_out!r}")
        if self.n_jobs is not None:
            extra.append(f"n_jobs={self.n_jobs!r}")
        if not isinstance(self.transformers, list):
            return BaseEstimator.__repr__(self)
        return format_items("ColumnTransformer", "transformers", self.transformers, extra)

    # ------------------------------------------------------------------ validation
    def _validate_transformers(self) -> None:
        names = [name for name, _, _ in self.transformers]
        check_names(names, "ColumnTransformer transformer", [*self._get_param_names(), "remainder"])
        for name, transformer, _ in self.transformers:
            if not _is_transformer(transformer):
                raise ParameterError(
                    f"Transformer {name!r} of the ColumnTransformer is {transformer!r} "
                    f"({type(transformer).__name__}); it must have fit and transform, or be "
                    "'passthrough' or 'drop'."
                )

    def _check_input(self, X: Any) -> Any:
        if _is_frame(X):
            if X.shape[0] < 1 or X.shape[1] < 1:
                raise DataValidationError(
                    f"X has shape {tuple(X.shape)}; ColumnTransformer needs at least one row "
                    "and one column."
                )
            return X
        return check_array(X, dtype=None, estimator_name="ColumnTransformer")

    def _input_positions(self, X: Any) -> list[np.ndarray]:
        """Fit-time column positions, located in ``X`` (by name when both have names)."""
        fitted_names = getattr(self, "feature_names_in_", None)
        names = get_feature_names(X)
        if fitted_names is not None and names is not None:
            lookup = {name: j for j, name in enumerate(names)}
            needed = {n for cols in self._columns for n in fitted_names[cols]}
            missing = [n for n in fitted_names if n in needed and n not in lookup]
            if missing:
                users = [
                    name
                    for (name, _, _), cols in zip(self.transformers_, self._columns, strict=True)
                    if set(fitted_names[cols]) & set(missing)
                ]
                raise DataValidationError(
                    f"X is missing columns {missing!r} that ColumnTransformer was fitted with "
                    f"(used by {users!r}); pass the same columns as at fit."
                )
            return [
                np.asarray([lookup[n] for n in fitted_names[cols]], dtype=np.intp)
                for cols in self._columns
            ]
        if X.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"X has {X.shape[1]} features, but ColumnTransformer is expecting "
                f"{self.n_features_in_} features as input (it was fitted with "
                f"{self.n_features_in_}); pass the same columns as at fit."
            )
        return self._columns

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any = None) -> ColumnTransformer:
        """Fit every transformer on its columns.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional
            Passed to every transformer.

        Returns
        -------
        self
        """
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> Any:
        """Fit every transformer on its columns and return the stacked outputs.

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_outputs)
        """
        self._validate_params()
        self._validate_transformers()
        X = self._check_input(X)
        names = get_feature_names(X)
        n_features = X.shape[1]
        columns, entries = [], []
        for name, transformer, spec in self.transformers:
            owner = f"transformer {name!r}"
            positions = _resolve(spec, X, names, n_features, owner)
            chosen = spec if not callable(spec) else self._label(positions, names)
            columns.append(positions)
            entries.append((name, transformer, chosen, _is_scalar_column(spec)))
        used = np.zeros(n_features, dtype=bool)
        for positions in columns:
            used[positions] = True
        rest = np.flatnonzero(~used)
        if rest.size:
            columns.append(rest)
            entries.append(("remainder", self.remainder, self._label(rest, names), False))
        fitted, outputs = self._fit_all(X, y, entries, columns)
        self.n_features_in_ = n_features
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self._columns = columns
        self._scalar = [scalar for *_, scalar in entries]
        self.transformers_ = [
            (name, transformer, chosen)
            for (name, _, chosen, _), transformer in zip(entries, fitted, strict=True)
        ]
        blocks = self._blocks(X, columns, outputs)
        self._record_output_indices(blocks)
        return self._stack(blocks, X)

    @staticmethod
    def _label(positions: np.ndarray, names: np.ndarray | None) -> list:
        return [str(n) for n in names[positions]] if names is not None else positions.tolist()

    def _fit_all(
        self, X: Any, y: Any, entries: list, columns: list
    ) -> tuple[list[Any], dict[str, Any]]:
        """Fit clones of the transformers: (fitted, strings kept as they are), outputs."""
        jobs = []
        for (name, transformer, _, scalar), positions in zip(entries, columns, strict=True):
            if _is_special(transformer) or positions.size == 0:
                continue
            jobs.append((name, clone_step(transformer), _take(X, positions, scalar)))
        if self.n_jobs is None or self.n_jobs == 1:
            results = [_fit_transform_one(t, Xs, y) for _, t, Xs in jobs]
        else:
            from joblib import Parallel, delayed

            results = Parallel(n_jobs=self.n_jobs)(
                delayed(_fit_transform_one)(t, Xs, y) for _, t, Xs in jobs
            )
        by_name = {name: result for (name, _, _), result in zip(jobs, results, strict=True)}
        fitted = [
            by_name[name][1] if name in by_name else transformer
            for name, transformer, _, _ in entries
        ]
        return fitted, {name: Xt for name, (Xt, _) in by_name.items()}

    # ------------------------------------------------------------------ transforming
    def _blocks(self, X: Any, columns: list, outputs: dict | None = None) -> list[tuple[str, Any]]:
        """(name, 2-D output) for each transformer that outputs columns.

        ``outputs`` holds the outputs computed while fitting (``fit_transform``).
        """
        blocks = []
        for (name, transformer, _), positions, scalar in zip(
            self.transformers_, columns, self._scalar, strict=True
        ):
            if _is_special(transformer, ("drop",)) or positions.size == 0:
                continue
            if _is_special(transformer, ("passthrough",)):
                block = _take(X, positions, False)
            elif outputs is not None:
                block = outputs[name]
            else:
                block = transformer.transform(_take(X, positions, scalar))
            blocks.append((name, _to_2d_block(block, name)))
        return blocks

    def _record_output_indices(self, blocks: list[tuple[str, Any]]) -> None:
        widths = {name: block.shape[1] for name, block in blocks}
        start = 0
        self.output_indices_ = {}
        for name in [name for name, _, _ in self.transformers] + ["remainder"]:
            width = widths.get(name, 0)
            self.output_indices_[name] = slice(start, start + width) if width else slice(0, 0)
            start += width

    def _wants_frame(self, X: Any) -> bool:
        kind = getattr(self, "_output_kind", "auto")
        return kind == "pandas" or (kind == "auto" and _is_frame(X))

    def _stack(self, blocks: list[tuple[str, Any]], X: Any) -> Any:
        n = X.shape[0]
        if self._wants_frame(X):
            import pandas as pd

            frames = [_as_frame(block) for _, block in blocks]
            out = pd.concat(frames, axis=1) if frames else pd.DataFrame(index=range(n))
            try:
                return self._wrap_output(out, X)
            except AttributeError:  # a transformer cannot name its outputs
                if getattr(self, "_output_kind", "auto") == "pandas":
                    raise
                return out.to_numpy()
        arrays = [b.to_numpy() if hasattr(b, "to_numpy") else b for _, b in blocks]
        return np.hstack(arrays) if arrays else np.zeros((n, 0))

    def transform(self, X: Any) -> Any:
        """Transform each column group with its fitted transformer and stack the outputs.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_outputs)
        """
        check_is_fitted(self, "transformers_")
        X = self._check_input(X)
        return self._stack(self._blocks(X, self._input_positions(X)), X)

    # ------------------------------------------------------------------ description
    @property
    def named_transformers_(self) -> Bunch:
        """Fitted transformers by name."""
        check_is_fitted(self, "transformers_")
        return Bunch((name, transformer) for name, transformer, _ in self.transformers_)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output column names: ``"<transformer>__<name>"`` (or bare names if not verbose).

        Parameters
        ----------
        input_features : array-like of str, optional
            Input names to use instead of ``feature_names_in_`` (or ``x0, x1, ...``).

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self, "transformers_")
        names_in = _input_names(self, input_features)
        out: list[str] = []
        for (name, transformer, _), positions in zip(
            self.transformers_, self._columns, strict=True
        ):
            if _is_special(transformer, ("drop",)) or positions.size == 0:
                continue
            if _is_special(transformer, ("passthrough",)):
                names = names_in[positions]
            elif hasattr(transformer, "get_feature_names_out"):
                names = transformer.get_feature_names_out(names_in[positions])
            else:
                raise AttributeError(
                    f"Transformer {name!r} ({type(transformer).__name__}) does not provide "
                    "get_feature_names_out, so its output columns cannot be named."
                )
            prefix = f"{name}__" if self.verbose_feature_names_out else ""
            out.extend(f"{prefix}{n}" for n in names)
        duplicates = sorted({n for n in out if out.count(n) > 1})
        if duplicates:
            raise ParameterError(
                f"Output feature names {duplicates[:10]!r} are not unique; set "
                "verbose_feature_names_out=True to prefix them with the transformer names."
            )
        return np.asarray(out, dtype=object)

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        transformers = [t for _, t in self._named_items() if not _is_special(t)]
        if not _is_special(self.remainder):
            transformers.append(self.remainder)
        tags.allow_nan = all(tags_of(t).allow_nan for t in transformers)
        tags.string_input = all(tags_of(t).string_input for t in transformers)
        return tags


def make_column_transformer(
    *transformers: tuple[Any, Any],
    remainder: Any = "drop",
    verbose_feature_names_out: bool = True,
    n_jobs: int | None = None,
) -> ColumnTransformer:
    """A :class:`ColumnTransformer` from ``(transformer, columns)`` pairs, named by class.

    Names are the lowercase class names, numbered ``-1, -2, ...`` where one repeats.

    Parameters
    ----------
    *transformers : (transformer, columns) tuples
    remainder, verbose_feature_names_out, n_jobs :
        As in :class:`ColumnTransformer`.

    Returns
    -------
    ColumnTransformer

    Examples
    --------
    >>> from lemma.prep import StandardScaler
    >>> from lemma.pipeline import make_column_transformer
    >>> ct = make_column_transformer((StandardScaler(), [0]), (StandardScaler(), [1]),
    ...                              remainder="passthrough")
    >>> [name for name, _, _ in ct.transformers]
    ['standardscaler-1', 'standardscaler-2']
    """
    names = default_names(tuple(t for t, _ in transformers))
    return ColumnTransformer(
        [(name, t, cols) for name, (t, cols) in zip(names, transformers, strict=True)],
        remainder=remainder,
        verbose_feature_names_out=verbose_feature_names_out,
        n_jobs=n_jobs,
    )
