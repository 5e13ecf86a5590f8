"""Univariate scores of each feature against the target, for feature selection.

ANOVA F (class labels, one feature x at a time; classes c = 1 … K with n_c rows and
means x̄_c, grand mean x̄)::

    F = [Σ_c n_c (x̄_c − x̄)² / (K − 1)] / [Σ_c Σ_{i∈c} (x_i − x̄_c)² / (n − K)]
    p = P(F_{K−1, n−K} ≥ F)

F regression (numeric target): the Pearson correlation r of x and y, and
F = r² / (1 − r²) · (n − 2), p = P(F_{1, n−2} ≥ F) — the t-test of the slope of a
simple regression, squared. A perfect correlation gives F = the largest float and
p = 0; a constant feature or target gives F = 0, p = 1 (scikit-learn's
``force_finite``).

χ² (non-negative features such as counts, class labels): observed O_cj = Σ_{i∈c} x_ij,
expected E_cj = (n_c / n) Σ_i x_ij, statistic Σ_c (O_cj − E_cj)² / E_cj on K − 1 degrees
of freedom.

Mutual information I(X; Y) = ∫∫ p(x, y) log[p(x, y) / (p(x) p(y))] in nats, estimated
from k nearest neighbours:

* both continuous (Kraskov, Stögbauer & Grassberger 2004, estimator 1): with ε_i the
  max-norm distance from point i to its k-th neighbour in the joint space and n_x(i),
  n_y(i) the points strictly closer than ε_i in each margin,
  Î = ψ(n) + ψ(k) − ⟨ψ(n_x + 1)⟩ − ⟨ψ(n_y + 1)⟩ (ψ the digamma function);
* one discrete (Ross 2014): with N_c the rows of point i's class, k_c = min(k, N_c − 1),
  d_i the distance to its k_c-th neighbour within the class and m_i the rows of any
  class within d_i, Î = ψ(n) + ⟨ψ(k_c)⟩ − ⟨ψ(N_c)⟩ − ⟨ψ(m_i)⟩ (classes of one row
  left out);
* both discrete: the plug-in estimate from the contingency table.

Estimates below 0 are set to 0. Continuous columns are divided by their standard
deviation and receive noise of relative size 1e-10 to break ties (drawn from
``random_state`` in scikit-learn's order, so for the same seed the two libraries add
the same noise).

References: A. Kraskov, H. Stögbauer and P. Grassberger, "Estimating mutual
information", Phys. Rev. E 69, 066138 (2004); B. C. Ross, "Mutual information between
discrete and continuous data sets", PLoS ONE 9(2), e87357 (2014).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import special
from scipy.spatial import cKDTree

from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.validation import check_array, check_random_state, check_X_y

__all__ = [
    "chi2",
    "f_classif",
    "f_regression",
    "mutual_info_classif",
    "mutual_info_regression",
    "r_regression",
]


def _classes(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-hot matrix of the sorted classes of ``y`` and the class of each row."""
    classes, codes = np.unique(y, return_inverse=True)
    return np.eye(classes.size)[codes], codes


def _warn_constant(constant: np.ndarray, what: str) -> None:
    columns = np.flatnonzero(constant).tolist()
    warnings.warn(
        f"Features {columns} are constant: their {what} is undefined (nan), so they rank "
        "last. Drop them first (lemma.features.VarianceThreshold).",
        NumericalWarning,
        stacklevel=3,
    )


# ----------------------------------------------------------------------------- F tests
def f_classif(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """One-way ANOVA F statistic and p-value of each feature against class labels.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels.

    Returns
    -------
    f_statistic, p_value : ndarray of shape (n_features,)
        nan for a constant feature (with a NumericalWarning); inf (p = 0) for a
        feature constant within every class but not overall.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import f_classif
    >>> X = np.array([[1.0], [2.0], [3.0], [6.0], [7.0], [8.0]])
    >>> f, p = f_classif(X, [0, 0, 0, 1, 1, 1])
    >>> round(float(f[0]), 4), round(float(p[0]), 4)
    (37.5, 0.0036)
    """
    X, y = check_X_y(X, y, estimator_name="f_classif")
    onehot, codes = _classes(y)
    n, k = X.shape[0], onehot.shape[1]
    counts = onehot.sum(axis=0)
    means = (onehot.T @ X) / counts[:, None]
    grand = X.mean(axis=0)
    between = counts @ (means - grand) ** 2
    within = np.sum((X - means[codes]) ** 2, axis=0)
    constant = np.ptp(X, axis=0) == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (between / (k - 1)) / (within / (n - k))
    f[constant] = np.nan
    if constant.any():
        _warn_constant(constant, "F statistic")
    return f, special.fdtrc(k - 1, n - k, f)


def r_regression(X: Any, y: Any, *, center: bool = True, force_finite: bool = True) -> np.ndarray:
    """Pearson correlation of each feature with a numeric target.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    center : bool, default=True
        Centre X and y (False: the uncentred cosine, for models without intercept).
    force_finite : bool, default=True
        A constant feature or target gives 0 instead of nan.

    Returns
    -------
    ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import r_regression
    >>> r_regression(np.array([[1.0, 3.0], [2.0, 1.0], [3.0, 2.0]]), [1.0, 2.0, 3.0])
    array([ 1. , -0.5])
    """
    X, y = check_X_y(X, y, y_numeric=True, estimator_name="r_regression")
    X = X.astype(np.float64)
    y = y.astype(np.float64)
    if center:
        X = X - X.mean(axis=0)
        y = y - y.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.clip((y @ X) / np.linalg.norm(X, axis=0) / np.linalg.norm(y), -1.0, 1.0)
    if force_finite:
        r[~np.isfinite(r)] = 0.0
    return r


def f_regression(
    X: Any, y: Any, *, center: bool = True, force_finite: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """F statistic and p-value of the simple regression of ``y`` on each feature.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    center : bool, default=True
        With an intercept (n − 2 degrees of freedom) or without (n − 1).
    force_finite : bool, default=True
        Perfect correlation → (largest float, 0); constant feature or y → (0, 1).

    Returns
    -------
    f_statistic, p_value : ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import f_regression
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
    >>> f, p = f_regression(X, [1.0, 3.0, 2.0, 5.0])
    >>> round(float(f[0]), 4), round(float(p[0]), 4)
    (4.4815, 0.1685)
    """
    r = r_regression(X, y, center=center, force_finite=force_finite)
    df = r.size and (np.shape(np.asarray(y))[0] - (2 if center else 1))
    r2 = r**2
    with np.errstate(divide="ignore", invalid="ignore"):
        f = r2 / (1 - r2) * df
        p = special.fdtrc(1, df, f)
    if force_finite:
        infinite = np.isinf(f)
        f[infinite], p[infinite] = np.finfo(np.float64).max, 0.0
        undefined = np.isnan(f)
        f[undefined], p[undefined] = 0.0, 1.0
    return f, p


def chi2(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """χ² statistic and p-value of each non-negative feature against class labels.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Non-negative values (counts, frequencies, indicators).
    y : array-like of shape (n_samples,)
        Class labels.

    Returns
    -------
    chi2, p_value : ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import chi2
    >>> X = np.array([[3.0, 1.0], [4.0, 1.0], [0.0, 1.0], [1.0, 1.0]])
    >>> stat, p = chi2(X, [0, 0, 1, 1])
    >>> stat.round(4), p.round(4)
    (array([4.5, 0. ]), array([0.0339, 1.    ]))
    """
    X, y = check_X_y(X, y, estimator_name="chi2")
    if np.any(X < 0):
        columns = np.flatnonzero((X < 0).any(axis=0)).tolist()
        raise DataValidationError(
            f"chi2 needs non-negative features (counts or frequencies); columns {columns} "
            "have negative values. Use f_classif or mutual_info_classif for such features."
        )
    onehot, _ = _classes(y)
    observed = onehot.T @ X
    expected = np.outer(onehot.mean(axis=0), X.sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = np.sum((observed - expected) ** 2 / expected, axis=0)
    return statistic, special.chdtrc(onehot.shape[1] - 1, statistic)


# ----------------------------------------------------------------------------- mutual info
def _kth_distances(points: np.ndarray, k: int, p: float) -> np.ndarray:
    """Distance from each point to its k-th nearest other point, just below (nextafter 0)."""
    distances, _ = cKDTree(points).query(points, k=k + 1, p=p)
    return np.nextafter(distances[:, k], 0)


def _count_within(values: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Points of the 1-D ``values`` with ``|v_j − v_i| ≤ radius[i]`` (itself included).

    The distances are compared exactly (a KD-tree), not through ``v_i ± radius``, whose
    rounding would count the neighbour that set the radius.
    """
    points = values[:, None]
    return cKDTree(points).query_ball_point(points, radius, p=np.inf, return_length=True)


def _mi_continuous(x: np.ndarray, y: np.ndarray, k: int) -> float:
    """Kraskov–Stögbauer–Grassberger estimator 1 (max-norm)."""
    n = x.size
    radius = _kth_distances(np.column_stack([x, y]), k, np.inf)
    nx = _count_within(x, radius) - 1
    ny = _count_within(y, radius) - 1
    mi = special.digamma(n) + special.digamma(k)
    mi -= np.mean(special.digamma(nx + 1)) + np.mean(special.digamma(ny + 1))
    return max(0.0, float(mi))


def _mi_mixed(c: np.ndarray, d: np.ndarray, k: int) -> float:
    """Ross's estimator for a continuous ``c`` and a discrete ``d``."""
    radius = np.zeros(c.size)
    label_counts = np.zeros(c.size)
    k_all = np.zeros(c.size)
    for label in np.unique(d):
        rows = d == label
        count = int(rows.sum())
        if count > 1:
            k_label = min(k, count - 1)
            radius[rows] = _kth_distances(c[rows, None], k_label, 2)
            k_all[rows] = k_label
        label_counts[rows] = count
    kept = label_counts > 1
    m_all = _count_within(c[kept], radius[kept])
    mi = special.digamma(int(kept.sum())) + np.mean(special.digamma(k_all[kept]))
    mi -= np.mean(special.digamma(label_counts[kept])) + np.mean(special.digamma(m_all))
    return max(0.0, float(mi))


def _mi_discrete(x: np.ndarray, y: np.ndarray) -> float:
    from lemma.metrics import mutual_info_score

    return float(mutual_info_score(x, y))


def _discrete_mask(discrete_features: Any, n_features: int) -> np.ndarray:
    if isinstance(discrete_features, str):
        if discrete_features != "auto":
            raise ParameterError(
                f"discrete_features must be 'auto', a bool, a boolean mask or column indices; "
                f"got {discrete_features!r}."
            )
        return np.zeros(n_features, dtype=bool)
    if isinstance(discrete_features, bool | np.bool_):
        return np.full(n_features, bool(discrete_features))
    given = np.asarray(discrete_features)
    if given.dtype == bool:
        if given.shape != (n_features,):
            raise ParameterError(
                f"discrete_features as a mask needs {n_features} entries; got {given.size}."
            )
        return given
    mask = np.zeros(n_features, dtype=bool)
    mask[given.astype(np.int64)] = True
    return mask


def _scaled(values: np.ndarray) -> np.ndarray:
    """Divide by the standard deviation (ddof 0); a constant keeps scale 1."""
    std = values.std(axis=0)
    std = np.where(std < 10 * np.finfo(np.float64).eps, 1.0, std)
    return values / std


def _estimate_mi(
    X: Any,
    y: Any,
    discrete_features: Any,
    discrete_target: bool,
    n_neighbors: int,
    random_state: Any,
    owner: str,
) -> np.ndarray:
    if not (isinstance(n_neighbors, int | np.integer) and n_neighbors >= 1):
        raise ParameterError(f"n_neighbors must be an int ≥ 1; got {n_neighbors!r}.")
    X, y = check_X_y(X, y, y_numeric=not discrete_target, estimator_name=owner)
    X = X.astype(np.float64)
    discrete = _discrete_mask(discrete_features, X.shape[1])
    continuous = ~discrete
    rng = check_random_state(random_state)
    n = X.shape[0]
    if continuous.any():
        X[:, continuous] = _scaled(X[:, continuous])
        means = np.maximum(1.0, np.mean(np.abs(X[:, continuous]), axis=0))
        X[:, continuous] += 1e-10 * means * rng.standard_normal(size=(n, int(continuous.sum())))
    if not discrete_target:
        y = _scaled(y.astype(np.float64))
        y = y + 1e-10 * max(1.0, float(np.mean(np.abs(y)))) * rng.standard_normal(size=n)
    mi = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        x = X[:, j]
        if discrete[j] and discrete_target:
            mi[j] = _mi_discrete(x, y)
        elif discrete[j]:
            mi[j] = _mi_mixed(y, x, n_neighbors)
        elif discrete_target:
            mi[j] = _mi_mixed(x, y, n_neighbors)
        else:
            mi[j] = _mi_continuous(x, y, n_neighbors)
    return mi


def mutual_info_regression(
    X: Any,
    y: Any,
    *,
    discrete_features: Any = "auto",
    n_neighbors: int = 3,
    random_state: Any = None,
) -> np.ndarray:
    """Mutual information (nats) between each feature and a continuous target.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    discrete_features : "auto", bool, boolean mask or column indices, default="auto"
        Which features are discrete ("auto": none, X being dense).
    n_neighbors : int, default=3
        k of the nearest-neighbour estimators (larger: less variance, more bias).
    random_state : int, RandomState or None
        Seeds the tie-breaking noise.

    Returns
    -------
    ndarray of shape (n_features,)
        Non-negative estimates.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import mutual_info_regression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> mi = mutual_info_regression(X, X[:, 0] ** 2, random_state=0)
    >>> bool(mi[0] > 0.5 > mi[1])
    True
    """
    return _estimate_mi(
        X, y, discrete_features, False, n_neighbors, random_state, "mutual_info_regression"
    )


def mutual_info_classif(
    X: Any,
    y: Any,
    *,
    discrete_features: Any = "auto",
    n_neighbors: int = 3,
    random_state: Any = None,
) -> np.ndarray:
    """Mutual information (nats) between each feature and class labels.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels.
    discrete_features : "auto", bool, boolean mask or column indices, default="auto"
    n_neighbors : int, default=3
    random_state : int, RandomState or None

    Returns
    -------
    ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.features import mutual_info_classif
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, size=400)
    >>> X = np.column_stack([y + rng.normal(0, 0.3, 400), rng.normal(size=400)])
    >>> mi = mutual_info_classif(X, y, random_state=0)
    >>> bool(mi[0] > 0.4 > mi[1])
    True
    """
    y = check_array(y, name="y", ensure_2d=False, dtype=None, estimator_name="mutual_info_classif")
    return _estimate_mi(
        X, y, discrete_features, True, n_neighbors, random_state, "mutual_info_classif"
    )
