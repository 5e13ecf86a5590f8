"""Target encoding: replace each category by a shrunk mean of the target in that category.

For a category c with n_c training rows, target mean ȳ_c and within-category
variance s²_c = Σ_{i∈c} (yᵢ − ȳ_c)² / n_c, and the overall mean ȳ and variance σ²,
the encoding is the empirical-Bayes compromise between ȳ_c and ȳ::

    enc(c) = λ_c ȳ_c + (1 − λ_c) ȳ,     λ_c = n_c σ² / (n_c σ² + s²_c)     (smooth="auto")
    enc(c) = (Σ_{i∈c} yᵢ + m ȳ) / (n_c + m)                                (smooth = m)

so a rare or noisy category is pulled towards ȳ (Micci-Barreca 2001, eqs. 3–7). A
binary target is coded 0/1; a multiclass target is encoded once per class with
the indicator 1{y = k}, giving one column per (feature, class). Unknown categories
get ȳ.

Encoding training rows with statistics that include their own target leaks the
target into the feature. ``fit_transform`` therefore *cross-fits*: the rows are
split into ``cv`` folds, and the rows of each fold are encoded with statistics from
the other folds only. ``transform`` (for new data) uses the statistics of the whole
training set, so ``fit_transform(X, y)`` differs from ``fit(X, y).transform(X)`` — by
design, as in scikit-learn. The folds are scikit-learn's ``KFold`` (continuous
target) or ``StratifiedKFold`` (class target) with the same shuffling, so the same
``random_state`` gives the same folds.

Reference: D. Micci-Barreca, "A preprocessing scheme for high-cardinality categorical
attributes in classification and prediction problems", SIGKDD Explorations 3 (2001).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from lemma._constraints import BOOL, RANDOM_STATE, Interval, Options, satisfies
from lemma.base import Tags, _input_names
from lemma.exceptions import DataValidationError, LemmaWarning
from lemma.prep.encode import _CategoricalEncoder
from lemma.validation import check_is_fitted, check_random_state, check_y, type_of_target

__all__ = ["TargetEncoder"]


# ----------------------------------------------------------------------------- folds
def kfold_test_indices(
    n_samples: int, n_splits: int, shuffle: bool, random_state: Any
) -> list[np.ndarray]:
    """Test rows of each fold of k-fold cross-validation (scikit-learn's ``KFold``).

    The rows (shuffled first when ``shuffle``, by ``RandomState.shuffle``) are cut into
    ``n_splits`` consecutive blocks; the first ``n_samples % n_splits`` blocks get one
    extra row. Each block is returned sorted.

    Examples
    --------
    >>> [fold.tolist() for fold in kfold_test_indices(5, 2, False, None)]
    [[0, 1, 2], [3, 4]]
    """
    if n_splits > n_samples:
        raise DataValidationError(
            f"Cannot have cv={n_splits} folds with only {n_samples} rows; lower cv."
        )
    indices = np.arange(n_samples)
    if shuffle:
        check_random_state(random_state).shuffle(indices)
    sizes = np.full(n_splits, n_samples // n_splits, dtype=int)
    sizes[: n_samples % n_splits] += 1
    return [np.sort(block) for block in np.split(indices, np.cumsum(sizes)[:-1])]


def stratified_test_indices(
    y: np.ndarray, n_splits: int, shuffle: bool, random_state: Any
) -> list[np.ndarray]:
    """Test rows of each fold of stratified k-fold (scikit-learn's ``StratifiedKFold``).

    Classes are numbered by first appearance; the rows of the sorted class labels are
    dealt round-robin to the folds to fix how many rows of each class each fold gets,
    and each class's fold labels are then assigned in blocks (shuffled when
    ``shuffle``, one ``RandomState.shuffle`` per class).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> [fold.tolist() for fold in stratified_test_indices(y, 3, False, None)]
    [[0, 3], [1, 4], [2, 5]]
    """
    rng = check_random_state(random_state)
    _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
    _, order = np.unique(first, return_inverse=True)
    y_encoded = order[inverse.reshape(-1)]
    n_classes = first.size
    class_counts = np.bincount(y_encoded)
    if np.all(n_splits > class_counts):
        raise DataValidationError(
            f"cv={n_splits} folds is more than the number of rows of every class "
            f"(largest class: {class_counts.max()} rows); lower cv."
        )
    if n_splits > class_counts.min():
        warnings.warn(
            f"The least populated class in y has only {class_counts.min()} members, which is "
            f"less than cv={n_splits}; some folds will lack that class.",
            LemmaWarning,
            stacklevel=3,
        )
    sorted_classes = np.sort(y_encoded)
    allocation = np.asarray(
        [np.bincount(sorted_classes[i::n_splits], minlength=n_classes) for i in range(n_splits)]
    )
    test_folds = np.empty(y_encoded.size, dtype=np.intp)
    for k in range(n_classes):
        folds_for_class = np.arange(n_splits).repeat(allocation[:, k])
        if shuffle:
            rng.shuffle(folds_for_class)
        test_folds[y_encoded == k] = folds_for_class
    return [np.flatnonzero(test_folds == i) for i in range(n_splits)]


def _is_cv(value: Any) -> bool:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return value >= 2
    return hasattr(value, "split") or (isinstance(value, Iterable) and not isinstance(value, str))


# ----------------------------------------------------------------------------- encodings
def category_encodings(
    codes: np.ndarray, y: np.ndarray, n_categories: int, smooth: Any, y_mean: float, y_var: float
) -> np.ndarray:
    """Shrunk target mean of each category (see the module docstring).

    Parameters
    ----------
    codes : ndarray of int of shape (n_samples,)
        Category of each row (-1: unknown, left out).
    y : ndarray of shape (n_samples,)
    n_categories : int
    smooth : "auto" or float
    y_mean, y_var : float
        Mean and variance of the target over the rows used.

    Returns
    -------
    ndarray of shape (n_categories,)

    Examples
    --------
    >>> import numpy as np
    >>> codes, y = np.array([0, 0, 1]), np.array([1.0, 3.0, 5.0])
    >>> category_encodings(codes, y, 2, 1.0, y.mean(), y.var())
    array([2.33333333, 4.        ])
    """
    known = codes >= 0
    if not known.all():
        codes, y = codes[known], y[known]
    counts = np.bincount(codes, minlength=n_categories).astype(np.float64)
    sums = np.bincount(codes, weights=y, minlength=n_categories)
    with np.errstate(invalid="ignore", divide="ignore"):
        if smooth == "auto":
            means = sums / counts
            squares = np.bincount(codes, weights=(y - means[codes]) ** 2, minlength=n_categories)
            shrink = y_var * counts / (y_var * counts + squares / counts)
            return np.where(np.isnan(shrink), y_mean, shrink * means + (1 - shrink) * y_mean)
        total = counts + smooth
        return np.where(total == 0, y_mean, (sums + smooth * y_mean) / total)


class TargetEncoder(_CategoricalEncoder):
    """Encode categories by the (shrunk) mean of the target, cross-fitted on training data.

    Parameters
    ----------
    categories : "auto" or list of array-like, default="auto"
        Categories of each column; "auto" takes the sorted distinct values seen at fit.
    target_type : {"auto", "continuous", "binary", "multiclass"}, default="auto"
        Kind of target; "auto" infers it from y.
    smooth : "auto" or float >= 0, default="auto"
        Shrinkage towards the overall mean: "auto" is the empirical-Bayes weight λ_c,
        a number m is m pseudo-rows at the overall mean (see the module docstring).
    cv : int, iterable of (train, test) index arrays, or splitter, default=5
        Folds of the cross-fitting in ``fit_transform``: a number of folds (k-fold,
        stratified for a class target), explicit ``(train, test)`` pairs, or an object
        with ``split(X, y)``. Every row must be in exactly one test fold.
    shuffle : bool, default=True
        Shuffle the rows before cutting them into folds (int ``cv`` only).
    random_state : int, RandomState or None, default=None
        Seed of that shuffle.

    Attributes
    ----------
    categories_ : list of ndarray
    encodings_ : list of ndarray
        Encoding of each category, fitted on all training rows; for a multiclass
        target one array per (feature, class), feature by feature.
    target_mean_ : float or ndarray of shape (n_classes,)
    target_type_ : str
    classes_ : ndarray or None
        Class labels (None for a continuous target).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Notes
    -----
    Rows whose category is unknown to ``categories`` (only possible with given
    categories) are encoded with the target mean of their own fold's training rows;
    scikit-learn 1.9 gives them the last fold's mean.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import TargetEncoder
    >>> X = np.array([["dog"] * 20 + ["cat"] * 30 + ["snake"] * 38], dtype=object).T
    >>> y = [90.3] * 5 + [80.1] * 15 + [20.4] * 5 + [20.1] * 25 + [21.2] * 8 + [49] * 30
    >>> encoder = TargetEncoder(smooth=5000.0).fit(X, y)
    >>> round(float(encoder.target_mean_), 1), [round(float(e), 1) for e in encoder.encodings_[0]]
    (44.3, [44.1, 44.4, 44.3])
    >>> encoder.fit_transform(X, y).shape
    (88, 1)
    """

    _parameter_constraints = {
        "categories": [Options({"auto"}), list],
        "target_type": [Options({"auto", "continuous", "binary", "multiclass"})],
        "smooth": [Options({"auto"}), Interval(float, 0, None, closed="left")],
        "cv": [satisfies(_is_cv, "an int >= 2, an iterable of (train, test) or a splitter")],
        "shuffle": [BOOL],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        categories: str | list = "auto",
        target_type: str = "auto",
        smooth: str | float = "auto",
        cv: Any = 5,
        shuffle: bool = True,
        random_state: Any = None,
    ):
        self.categories = categories
        self.target_type = target_type
        self.smooth = smooth
        self.cv = cv
        self.shuffle = shuffle
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any) -> TargetEncoder:
        """Learn the categories and their encodings from all rows.

        Prefer :meth:`fit_transform` for training data: ``fit(X, y).transform(X)``
        encodes each row with its own target (leakage).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        self._fit_all(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """Fit on all rows, and encode each row with statistics from the other folds.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features) or
        (n_samples, n_features · n_classes)
        """
        codes, target, y_raw = self._fit_all(X, y)
        out = np.empty((target.shape[0], self._n_out()), dtype=np.float64)
        for train, test in self._folds(X, y_raw):
            y_train = target[train]
            mean, var = y_train.mean(axis=0), y_train.var(axis=0)
            encodings = self._encodings([c[train] for c in codes], y_train, mean, var)
            self._apply(out, [c[test] for c in codes], test, encodings, mean)
        return self._wrap_output(out, X)

    def _fit_all(self, X: Any, y: Any) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """Categories, target coding and full-data encodings; returns (codes, target, y)."""
        self._validate_params()
        if y is None:
            raise DataValidationError(
                "TargetEncoder requires y to be passed, but the target y is None."
            )
        columns, n_samples = self._fit_categories(X, unknown_is_error=False)
        y_raw = check_y(y, estimator_name="TargetEncoder", n_samples=n_samples)
        target = self._code_target(y_raw)
        codes, _ = self._codes(X, columns)
        self.target_mean_ = target.mean(axis=0)
        self.encodings_ = self._encodings(codes, target, self.target_mean_, target.var(axis=0))
        return codes, target, y_raw

    def _code_target(self, y: np.ndarray) -> np.ndarray:
        """y as floats: the value, 0/1 for binary, or one indicator column per class."""
        kind = self.target_type
        if kind == "auto":
            kind = type_of_target(y)
            if kind not in ("binary", "multiclass", "continuous"):
                raise DataValidationError(
                    f"Unknown label type: y looks {kind!r}; TargetEncoder needs a continuous, "
                    "binary or multiclass target."
                )
        self.target_type_ = kind
        if kind == "continuous":
            self.classes_ = None
            return check_y(y, estimator_name="TargetEncoder", y_numeric=True).astype(np.float64)
        self.classes_, index = np.unique(y, return_inverse=True)
        index = index.reshape(-1)
        if kind == "binary":
            if self.classes_.size > 2:
                raise DataValidationError(
                    f"target_type='binary' but y has {self.classes_.size} classes; use "
                    "target_type='multiclass'."
                )
            return index.astype(np.float64)
        return (index[:, None] == np.arange(self.classes_.size)).astype(np.float64)

    def _encodings(
        self, codes: list[np.ndarray], target: np.ndarray, mean: Any, var: Any
    ) -> list[np.ndarray]:
        """One encoding per output column (feature by feature, class by class)."""
        out = []
        for j, column_codes in enumerate(codes):
            n_categories = self.categories_[j].size
            if target.ndim == 1:
                out.append(category_encodings(column_codes, target, n_categories, self.smooth,
                                              mean, var))  # fmt: skip
                continue
            for k in range(target.shape[1]):
                out.append(category_encodings(column_codes, target[:, k], n_categories,
                                              self.smooth, mean[k], var[k]))  # fmt: skip
        return out

    def _n_out(self) -> int:
        per_feature = 1 if self.target_type_ != "multiclass" else self.classes_.size
        return len(self.categories_) * per_feature

    def _apply(
        self, out: np.ndarray, codes: list[np.ndarray], rows: Any, encodings: list, mean: Any
    ) -> None:
        """Write the encodings of ``codes`` into ``out[rows]`` (unknown codes get the mean)."""
        per_feature = len(encodings) // len(codes)
        means = np.atleast_1d(mean)
        for e, encoding in enumerate(encodings):
            column_codes = codes[e // per_feature]
            values = encoding[np.maximum(column_codes, 0)]
            values[column_codes < 0] = means[e % per_feature]
            out[rows, e] = values

    def _folds(self, X: Any, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(train, test) pairs of the cross-fitting, checked to cover every row once."""
        n = y.shape[0]
        if isinstance(self.cv, numbers.Integral):
            if self.target_type_ != "continuous" and type_of_target(y) in ("binary", "multiclass"):
                tests = stratified_test_indices(y, int(self.cv), self.shuffle, self.random_state)
            else:
                tests = kfold_test_indices(n, int(self.cv), self.shuffle, self.random_state)
            everything = np.arange(n)
            return [(np.setdiff1d(everything, test), test) for test in tests]
        pairs = self.cv.split(X, y) if hasattr(self.cv, "split") else self.cv
        folds = [(np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp))
                 for train, test in pairs]  # fmt: skip
        seen = np.zeros(n, dtype=np.int64)
        for _, test in folds:
            np.add.at(seen, test, 1)
        if not np.all(seen == 1):
            raise DataValidationError(
                f"The test folds of cv must cover every row exactly once; {int((seen == 0).sum())}"
                f" rows are in no test fold and {int((seen > 1).sum())} in several. Pass disjoint "
                "folds that together hold all rows (e.g. k-fold)."
            )
        return folds

    # ------------------------------------------------------------------ transform
    def transform(self, X: Any) -> Any:
        """Encode with the statistics of all training rows (unknown categories → mean).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_features) or
        (n_samples, n_features · n_classes)
        """
        check_is_fitted(self)
        codes, n_samples = self._codes(X)
        out = np.empty((n_samples, self._n_out()), dtype=np.float64)
        self._apply(out, codes, slice(None), self.encodings_, self.target_mean_)
        return self._wrap_output(out, X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names, or ``<column>_<class>`` for a multiclass target."""
        check_is_fitted(self)
        names = _input_names(self, input_features)
        if self.target_type_ != "multiclass":
            return names
        return np.asarray([f"{n}_{c}" for n in names for c in self.classes_], dtype=object)

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.requires_y = True
        return tags
