"""Iterative (chained-equations) imputation: each column regressed on the others, in turn.

With M the set of missing entries, start from a simple fill X⁽⁰⁾ (column means by
default). Round t visits the columns with missing values in a fixed order; for
column j it fits a regressor f_j on the rows where x_j is observed, predicting x_j
from all other columns at their current values, and replaces the missing entries
of column j by f_j's predictions — the next column already uses them
(Gauss–Seidel sweeps). The rounds stop when the largest change of an imputed value

    Δ_t = max_{(i,j)∈M} |x⁽ᵗ⁾_ij − x⁽ᵗ⁻¹⁾_ij|

falls below ``tol · max |x_observed|``, or after ``max_iter`` rounds (with a
``ConvergenceWarning``). With linear regressors this is Buck's (1960) regression
imputation iterated to a fixed point; with random draws instead of predictions it
would be multiple imputation by chained equations (MICE, van Buuren 2011), which
this deterministic version does not do. New data are imputed by replaying the
fitted regressors in the same order.

References: S. F. Buck, "A method of estimation of missing values in multivariate
data suitable for use with an electronic computer", JRSS B 22 (1960); S. van Buuren
and K. Groothuis-Oudshoorn, "mice: Multivariate Imputation by Chained Equations in
R", Journal of Statistical Software 45 (2011).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from lemma._constraints import RANDOM_STATE, Interval, Options, satisfies
from lemma.base import BaseEstimator, Tags, TransformerMixin, clone
from lemma.exceptions import ConvergenceWarning, interop
from lemma.prep.impute import SimpleImputer
from lemma.validation import check_is_fitted, check_random_state, validate_data

__all__ = ["IterativeImputer"]


def _ascending(missing: np.ndarray, rng: Any) -> np.ndarray:
    return np.argsort(missing.sum(axis=0), kind="mergesort")


def _descending(missing: np.ndarray, rng: Any) -> np.ndarray:
    return _ascending(missing, rng)[::-1]


def _roman(missing: np.ndarray, rng: Any) -> np.ndarray:
    return np.arange(missing.shape[1])


def _arabic(missing: np.ndarray, rng: Any) -> np.ndarray:
    return np.arange(missing.shape[1])[::-1]


def _random(missing: np.ndarray, rng: Any) -> np.ndarray:
    order = np.arange(missing.shape[1])
    rng.shuffle(order)
    return order


#: imputation_order -> visiting order of the columns (before dropping complete ones).
_ORDERS = {
    "ascending": _ascending,
    "descending": _descending,
    "roman": _roman,
    "arabic": _arabic,
    "random": _random,
}


def _default_estimator() -> Any:
    from lemma.models.linear import Ridge

    return Ridge(alpha=1.0)


class IterativeImputer(TransformerMixin, BaseEstimator):
    """Impute each column with missing values from the others by regression, round after round.

    Parameters
    ----------
    estimator : regressor, default=None
        Fitted once per column and round (a clone each time); None means lemma's
        ``Ridge(alpha=1.0)``.
    max_iter : int, default=10
        Largest number of rounds.
    tol : float, default=1e-3
        Stop when the largest change of an imputed value is below ``tol · max|X|``.
    initial_strategy : {"mean", "median", "most_frequent", "constant"}, default="mean"
        The :class:`SimpleImputer` strategy of the starting fill.
    imputation_order : {"ascending", "descending", "roman", "arabic", "random"}
        Order of the columns: fewest missing first, most first, left to right, right
        to left, or a new random order every round. Default "ascending".
    random_state : int, RandomState or None, default=None
        Seed of the "random" order.

    Attributes
    ----------
    initial_imputer_ : SimpleImputer
        The starting fill (it drops columns that are entirely missing, with a warning).
    imputation_sequence_ : list of (int, estimator)
        The fitted regressors, (column, model), in the order they were applied.
    n_iter_ : int
        Rounds done (1 when nothing is missing).
    history_ : list of float
        Δ_t, the largest change of an imputed value, for each round.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.prep import IterativeImputer
    >>> X = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, np.nan]])
    >>> round(float(IterativeImputer().fit_transform(X)[3, 1]), 2)  # ridge shrinks 2·4 = 8
    6.67
    """

    _parameter_constraints = {
        "estimator": [None, satisfies(lambda e: hasattr(e, "fit"), "a regressor with fit")],
        "max_iter": [Interval(int, 1, None, closed="left")],
        "tol": [Interval(float, 0, None, closed="left")],
        "initial_strategy": [Options({"mean", "median", "most_frequent", "constant"})],
        "imputation_order": [Options(set(_ORDERS))],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        estimator: Any = None,
        *,
        max_iter: int = 10,
        tol: float = 1e-3,
        initial_strategy: str = "mean",
        imputation_order: str = "ascending",
        random_state: Any = None,
    ):
        self.estimator = estimator
        self.max_iter = max_iter
        self.tol = tol
        self.initial_strategy = initial_strategy
        self.imputation_order = imputation_order
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> IterativeImputer:
        """Fit the round-robin regressions on X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """Fit and return X with its missing values imputed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_kept_features)
        """
        self._validate_params()
        data = validate_data(self, X, reset=True, allow_nan=True)
        self.initial_imputer_ = SimpleImputer(strategy=self.initial_strategy)
        filled = self.initial_imputer_.fit_transform(data).astype(np.float64)
        kept = self.initial_imputer_._kept()
        missing = np.isnan(data[:, kept])
        model = _default_estimator() if self.estimator is None else self.estimator
        rng = check_random_state(self.random_state)
        observed = data[:, kept][~missing]
        scaled_tol = self.tol * (np.max(np.abs(observed)) if observed.size else 0.0)
        self.imputation_sequence_, self.history_ = [], []
        for round_ in range(1, self.max_iter + 1):
            self.n_iter_ = round_
            previous = filled[missing]
            for j in self._order(missing, rng):
                regressor = clone(model)
                others = np.delete(np.arange(filled.shape[1]), j)
                rows = ~missing[:, j]
                regressor.fit(filled[rows][:, others], filled[rows, j])
                filled[~rows, j] = regressor.predict(filled[~rows][:, others])
                self.imputation_sequence_.append((int(j), regressor))
            change = float(np.max(np.abs(filled[missing] - previous), initial=0.0))
            self.history_.append(change)
            if change <= scaled_tol:
                break
        else:
            warnings.warn(
                f"IterativeImputer did not converge in max_iter={self.max_iter} rounds: the "
                f"largest change of an imputed value is {self.history_[-1]:.3g}, above "
                f"tol · max|X| = {scaled_tol:.3g}. Raise max_iter or tol.",
                interop(ConvergenceWarning),
                stacklevel=2,
            )
        return self._wrap_output(filled.astype(data.dtype, copy=False), X)

    def _order(self, missing: np.ndarray, rng: Any) -> np.ndarray:
        """Columns with missing values, in the visiting order of ``imputation_order``."""
        order = _ORDERS[self.imputation_order](missing, rng)
        has_missing = missing.any(axis=0)
        return order[has_missing[order]]

    def transform(self, X: Any) -> Any:
        """Impute new data: starting fill, then the fitted regressions in the same order.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_kept_features)
        """
        check_is_fitted(self)
        data = validate_data(self, X, reset=False, allow_nan=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the empty-column warning was given at fit
            filled = self.initial_imputer_.transform(data).astype(np.float64)
        missing = np.isnan(data[:, self.initial_imputer_._kept()])
        for j, regressor in self.imputation_sequence_:
            rows = missing[:, j]
            if rows.any():
                others = np.delete(np.arange(filled.shape[1]), j)
                filled[rows, j] = regressor.predict(filled[rows][:, others])
        return self._wrap_output(filled.astype(data.dtype, copy=False), X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The input columns that were not entirely missing at fit."""
        check_is_fitted(self)
        return self.initial_imputer_.get_feature_names_out(input_features)

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.allow_nan = True
        tags.preserves_dtype = ["float64", "float32"]
        return tags
