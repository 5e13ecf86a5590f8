"""Linear and quadratic discriminant analysis: Gaussian classes, Bayes' rule.

Model. Given class ``k`` (prior πₖ) the rows are normal, ``x | k ~ N(μₖ, Σₖ)``. The
log posterior is, up to a constant shared by the classes, the discriminant::

    δₖ(x) = −½ log|Σₖ| − ½ (x − μₖ)ᵀ Σₖ⁻¹ (x − μₖ) + log πₖ,    P(k | x) = softmax(δ)ₖ.

QDA keeps one covariance per class. With the eigen-decomposition
``Σₖ = Vₖ diag(sₖ) Vₖᵀ`` the quadratic form is ``‖diag(sₖ)^(−½) Vₖᵀ(x − μₖ)‖²`` and
``log|Σₖ| = Σⱼ log sₖⱼ``. ``reg_param`` r shrinks the eigenvalues, ``s ← (1 − r)s + r``
(solver "svd"); ``shrinkage`` shrinks each class covariance (solver "eigen").

LDA shares one covariance, the prior-weighted within-class covariance
``Σ = Σₖ πₖ Sₖ`` (Sₖ: the class's maximum-likelihood covariance, possibly shrunk,
:mod:`~lemma.models.discriminant._shrinkage`). The quadratic terms cancel and the
discriminants are linear::

    δₖ(x) = xᵀ Σ⁻¹ μₖ − ½ μₖᵀ Σ⁻¹ μₖ + log πₖ = wₖᵀ x + bₖ.

Solvers: "lsqr" solves ``Σ wₖ = μₖ``; "eigen" solves Fisher's generalised eigenproblem
``S_b v = λ S_w v`` (between scatter ``S_b = S_t − S_w``, ``S_t`` the covariance of all
rows) with ``VᵀS_wV = I``, so ``Σ⁻¹ = VVᵀ``; "svd" never forms Σ: with the
within-class residuals ``rᵢ = xᵢ − μ_{yᵢ}`` scaled to unit variance, the SVD of
``R/√n = U S Wᵀ`` gives the whitening map ``A = D⁻¹ W S⁻¹`` (``AᵀΣ_wA = I`` on the
rank-r span, ``Σ_w = RᵀR/n``); the SVD of the whitened, weighted class means
``√(n πₖ/(K − 1)) Aᵀ(μₖ − x̄)`` gives the discriminant directions ``scalings_``.
In whitened coordinates Σ is the identity, so ``δₖ`` is ``zᵀmₖ − ½‖mₖ‖² + log πₖ``.

As a projection (LDA ``transform``), the rows map to the first ``n_components`` of
the at most ``K − 1`` directions that maximise the between-class variance relative to
the within-class variance (Fisher's criterion ``vᵀS_bv / vᵀS_wv``).

Reference: Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*,
2nd ed., 2009, §4.3 (LDA, QDA, regularised and reduced-rank discriminant analysis).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.linalg
from scipy.special import expit, log_expit, log_softmax, softmax

from lemma._constraints import ARRAY_LIKE, BOOL, Interval, Options
from lemma.base import BaseEstimator, ClassifierMixin, TransformerMixin
from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.models.discriminant._shrinkage import covariance
from lemma.models.naive_bayes._base import check_priors
from lemma.validation import check_is_fitted, encode_classes, validate_data

__all__ = ["LinearDiscriminantAnalysis", "QuadraticDiscriminantAnalysis"]

_SHRINKAGE = [Options({"auto"}), Interval(float, 0, 1), None]


def class_means(X: np.ndarray, codes: np.ndarray, n_classes: int) -> np.ndarray:
    """Mean row of each class, shape (n_classes, n_features).

    Examples
    --------
    >>> import numpy as np
    >>> class_means(np.array([[1.0], [3.0], [10.0]]), np.array([0, 0, 1]), 2).tolist()
    [[2.0], [10.0]]
    """
    counts = np.bincount(codes, minlength=n_classes).astype(np.float64)
    Y = np.zeros((codes.size, n_classes))
    Y[np.arange(codes.size), codes] = 1.0
    return (Y.T @ X) / counts[:, None]


def within_class_covariance(
    X: np.ndarray, codes: np.ndarray, priors: np.ndarray, shrinkage: str | float | None
) -> np.ndarray:
    """``Σₖ πₖ Sₖ``: class covariances (shrunk if asked) weighted by the priors."""
    d = X.shape[1]
    out = np.zeros((d, d))
    for k, prior in enumerate(priors):
        out += prior * covariance(X[codes == k], shrinkage)
    return out


def _priors(priors: Any, codes: np.ndarray, n_classes: int, owner: str) -> np.ndarray:
    if priors is None:
        return np.bincount(codes, minlength=n_classes) / codes.size
    return check_priors(priors, n_classes, owner, "priors")


def _log(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(values)


class _Discriminant(ClassifierMixin, BaseEstimator):
    """Prediction from the class discriminants ``_scores(X)`` (one column per class)."""

    def _scores(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _validated(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=(np.float64, np.float32))

    def decision_function(self, X: Any) -> np.ndarray:
        """Discriminants ``δₖ(x)``, shape (n_samples, n_classes); for two classes the
        log-odds ``δ₁ − δ₀``, shape (n_samples,)."""
        scores = self._scores(self._validated(X))
        return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log posterior ``log P(k | x)``, shape (n_samples, n_classes)."""
        return log_softmax(self._scores(self._validated(X)), axis=1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior ``P(k | x) = softmax(δ(x))ₖ``, shape (n_samples, n_classes)."""
        return softmax(self._scores(self._validated(X)), axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The class of largest discriminant, shape (n_samples,)."""
        scores = self._scores(self._validated(X))
        return self.classes_[np.argmax(scores, axis=1)]

    def _start_fit(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32), ensure_min_samples=2)
        self.classes_, codes = encode_classes(y, None, type(self).__name__)
        if X.shape[0] == self.classes_.size:
            raise DataValidationError(
                f"{type(self).__name__} needs more rows than classes to estimate a covariance; "
                f"X has {X.shape[0]} rows and y {self.classes_.size} classes."
            )
        self.priors_ = _priors(self.priors, codes, self.classes_.size, type(self).__name__)
        return np.asarray(X, dtype=np.float64), codes


# ---------------------------------------------------------------------------------- LDA
def _svd_directions(X, codes, means, priors, tol):
    """Whitening map and discriminant directions of the "svd" solver (module docstring).

    Returns ``(scalings, explained_variance_ratio, within_rank)``.
    """
    n = X.shape[0]
    n_classes = means.shape[0]
    residuals = X - means[codes]
    scale = residuals.std(axis=0)
    scale[scale == 0.0] = 1.0
    residuals /= scale * np.sqrt(n)
    _, S, Wt = scipy.linalg.svd(residuals, full_matrices=False, overwrite_a=True)
    rank = int(np.sum(S > tol))
    whiten = (Wt[:rank] / scale).T / S[:rank]
    centre = priors @ means
    factor = 1.0 / max(n_classes - 1, 1)
    between = (np.sqrt(n * priors * factor)[:, None] * (means - centre)) @ whiten
    _, S2, V2t = scipy.linalg.svd(between, full_matrices=False)
    ratio = S2**2 / np.sum(S2**2)
    kept = int(np.sum(S2 > tol * S2[0]))
    return whiten @ V2t[:kept].T, ratio, rank


class LinearDiscriminantAnalysis(TransformerMixin, _Discriminant):
    """Linear discriminant analysis: shared Gaussian covariance, linear decision rule.

    Also a supervised projection onto the discriminant directions (``transform``).
    See the module docstring for the model and the three solvers.

    Parameters
    ----------
    solver : {"svd", "lsqr", "eigen"}, default="svd"
        "svd" never forms the covariance (well conditioned, no shrinkage); "lsqr"
        solves ``Σ w = μ`` (classification only); "eigen" solves Fisher's eigenproblem
        (classification and projection). Shrinkage needs "lsqr" or "eigen".
    shrinkage : "auto", float in [0, 1] or None, default=None
        Shrink each class covariance towards ``tr(S)/p · I``: "auto" is Ledoit–Wolf's
        choice, a float a fixed γ.
    priors : array-like of shape (n_classes,) or None, default=None
        Class priors; None: the class frequencies.
    n_components : int or None, default=None
        Directions kept by ``transform``, at most ``min(n_classes − 1, n_features)``
        (the default).
    store_covariance : bool, default=False
        Keep ``covariance_`` with the "svd" solver (always kept by the others).
    tol : float, default=1e-4
        Singular values of the scaled within-class residuals at or below ``tol``
        ("svd") are treated as zero (a rank-deficient Σ is pseudo-inverted).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    priors_ : ndarray of shape (n_classes,)
    means_ : ndarray of shape (n_classes, n_features)
    covariance_ : ndarray of shape (n_features, n_features)
        ``Σₖ πₖ Sₖ`` (see ``store_covariance``).
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        ``wₖ`` (for two classes ``w₁ − w₀``).
    intercept_ : ndarray of shape (1,) or (n_classes,)
    scalings_ : ndarray of shape (n_features, rank)
        Discriminant directions ("svd" and "eigen").
    xbar_ : ndarray of shape (n_features,)
        Prior-weighted mean of the class means ("svd").
    explained_variance_ratio_ : ndarray of shape (n_components,)
        Share of the between-class variance along each direction.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.discriminant import LinearDiscriminantAnalysis
    >>> X = np.array([[-2.0, -1.0], [-1.0, -1.2], [-1.5, -0.4], [1.0, 1.0], [2.0, 0.6],
    ...               [1.4, 1.5]])
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> lda = LinearDiscriminantAnalysis().fit(X, y)
    >>> lda.predict([[-0.8, -1.0], [1.0, 0.5]]).tolist()
    [0, 1]
    >>> lda.transform(X).shape
    (6, 1)
    """

    _parameter_constraints = {
        "solver": [Options({"svd", "lsqr", "eigen"})],
        "shrinkage": _SHRINKAGE,
        "priors": [ARRAY_LIKE, None],
        "n_components": [Interval(int, 1, None), None],
        "store_covariance": [BOOL],
        "tol": [Interval(float, 0, None, closed="left")],
    }

    def __init__(
        self,
        solver: str = "svd",
        shrinkage: str | float | None = None,
        priors: Any = None,
        n_components: int | None = None,
        store_covariance: bool = False,
        tol: float = 1e-4,
    ):
        self.solver = solver
        self.shrinkage = shrinkage
        self.priors = priors
        self.n_components = n_components
        self.store_covariance = store_covariance
        self.tol = tol

    def fit(self, X: Any, y: Any) -> LinearDiscriminantAnalysis:
        """Estimate the class means, the shared covariance and the linear discriminants.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self
        """
        X, codes = self._start_fit(X, y)
        n_classes, d = self.classes_.size, X.shape[1]
        self._max_components = self._components(n_classes, d)
        if self.solver == "svd" and self.shrinkage is not None:
            raise ParameterError(
                "LinearDiscriminantAnalysis: shrinkage needs solver='lsqr' or 'eigen' (the "
                "'svd' solver never forms the covariance matrix it would shrink)."
            )
        self.means_ = class_means(X, codes, n_classes)
        _SOLVERS[self.solver](self, X, codes)
        if n_classes == 2:  # one log-odds: class 1 against class 0
            self.coef_ = (self.coef_[1] - self.coef_[0]).reshape(1, -1)
            self.intercept_ = np.array([self.intercept_[1] - self.intercept_[0]])
        return self

    def _components(self, n_classes: int, d: int) -> int:
        most = min(n_classes - 1, d)
        if self.n_components is None:
            return most
        if self.n_components > most:
            raise ParameterError(
                f"LinearDiscriminantAnalysis: n_components={self.n_components} is more than "
                f"min(n_features, n_classes - 1) = {most}, the number of discriminant "
                "directions; ask for fewer."
            )
        return int(self.n_components)

    def _fit_svd(self, X: np.ndarray, codes: np.ndarray) -> None:
        if self.store_covariance:
            self.covariance_ = within_class_covariance(X, codes, self.priors_, None)
        self.scalings_, ratio, rank = _svd_directions(X, codes, self.means_, self.priors_, self.tol)
        if rank < X.shape[1]:
            warnings.warn(
                f"LinearDiscriminantAnalysis: the within-class covariance has rank {rank} < "
                f"{X.shape[1]} features (collinear or constant features); the discriminants "
                "use its pseudo-inverse.",
                NumericalWarning,
                stacklevel=4,
            )
        self.explained_variance_ratio_ = ratio[: self._max_components]
        self.xbar_ = self.priors_ @ self.means_
        projected = (self.means_ - self.xbar_) @ self.scalings_
        self.coef_ = projected @ self.scalings_.T
        self.intercept_ = (
            -0.5 * np.sum(projected**2, axis=1) + _log(self.priors_) - self.coef_ @ self.xbar_
        )

    def _fit_lsqr(self, X: np.ndarray, codes: np.ndarray) -> None:
        self.covariance_ = within_class_covariance(X, codes, self.priors_, self.shrinkage)
        self.coef_ = scipy.linalg.lstsq(self.covariance_, self.means_.T)[0].T
        self.intercept_ = -0.5 * np.sum(self.means_ * self.coef_, axis=1) + _log(self.priors_)

    def _fit_eigen(self, X: np.ndarray, codes: np.ndarray) -> None:
        within = within_class_covariance(X, codes, self.priors_, self.shrinkage)
        between = covariance(X, self.shrinkage) - within
        try:
            values, vectors = scipy.linalg.eigh(between, within)
        except np.linalg.LinAlgError:
            raise DataValidationError(
                "LinearDiscriminantAnalysis(solver='eigen'): the within-class covariance is "
                "singular (collinear or constant features); use shrinkage='auto' or "
                "solver='svd'."
            ) from None
        order = np.argsort(values)[::-1]
        self.covariance_ = within
        self.explained_variance_ratio_ = (values[order] / values.sum())[: self._max_components]
        self.scalings_ = vectors[:, order]
        self.coef_ = (self.means_ @ self.scalings_) @ self.scalings_.T
        self.intercept_ = -0.5 * np.sum(self.means_ * self.coef_, axis=1) + _log(self.priors_)

    def _scores(self, X: np.ndarray) -> np.ndarray:
        raw = X @ self.coef_.T + self.intercept_
        return np.column_stack([np.zeros(X.shape[0]), raw[:, 0]]) if raw.shape[1] == 1 else raw

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior ``P(k | x)``, shape (n_samples, n_classes) (a sigmoid for two classes)."""
        check_is_fitted(self)
        if self.classes_.size == 2:
            p = expit(self.decision_function(X))
            return np.column_stack([1.0 - p, p])
        return super().predict_proba(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log posterior ``log P(k | x)``, shape (n_samples, n_classes)."""
        check_is_fitted(self)
        if self.classes_.size == 2:
            z = self.decision_function(X)
            return np.column_stack([log_expit(-z), log_expit(z)])
        return super().predict_log_proba(X)

    def transform(self, X: Any) -> Any:
        """Project X onto the first ``n_components`` discriminant directions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_components)
            With "svd", at most the rank of the between-class scatter columns.
        """
        if self.solver == "lsqr":
            raise ParameterError(
                "LinearDiscriminantAnalysis(solver='lsqr') does not compute the discriminant "
                "directions; use solver='svd' or 'eigen' to transform."
            )
        data = self._validated(X)
        centred = data - self.xbar_ if self.solver == "svd" else data
        out = centred @ self.scalings_[:, : self._max_components]
        return self._wrap_output(out, X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the projected columns: ``lineardiscriminantanalysis0``, ``…1``, …"""
        check_is_fitted(self)
        width = min(self._max_components, self.scalings_.shape[1])
        return np.asarray([f"lineardiscriminantanalysis{i}" for i in range(width)], dtype=object)


_SOLVERS = {
    "svd": LinearDiscriminantAnalysis._fit_svd,
    "lsqr": LinearDiscriminantAnalysis._fit_lsqr,
    "eigen": LinearDiscriminantAnalysis._fit_eigen,
}


# ---------------------------------------------------------------------------------- QDA
class QuadraticDiscriminantAnalysis(_Discriminant):
    """Quadratic discriminant analysis: one Gaussian covariance per class.

    See the module docstring for the discriminants; each class covariance is kept as
    its eigenvalues ``scalings_[k]`` and eigenvectors ``rotations_[k]``.

    Parameters
    ----------
    solver : {"svd", "eigen"}, default="svd"
        "svd": SVD of the centred class rows (with ``reg_param``); "eigen":
        eigen-decomposition of the class covariance (with ``shrinkage``).
    shrinkage : "auto", float in [0, 1] or None, default=None
        Shrinkage of each class covariance (solver "eigen" only): "auto" is
        Ledoit–Wolf's choice.
    priors : array-like of shape (n_classes,) or None, default=None
        Class priors; None: the class frequencies.
    reg_param : float in [0, 1], default=0.0
        ``s ← (1 − r)s + r`` on the eigenvalues of each class covariance (solver
        "svd" only).
    store_covariance : bool, default=False
        Keep the class covariances in ``covariance_``.
    tol : float, default=1e-4
        Eigenvalues at or below ``tol`` make a class covariance singular (an error:
        raise ``reg_param`` or ``shrinkage``).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    priors_ : ndarray of shape (n_classes,)
    means_ : ndarray of shape (n_classes, n_features)
    scalings_ : list of ndarray of shape (n_features,)
        Eigenvalues ``sₖ`` of each class covariance, in decreasing order.
    rotations_ : list of ndarray of shape (n_features, n_features)
        Eigenvectors ``Vₖ`` (columns).
    covariance_ : list of ndarray of shape (n_features, n_features)
        Present with ``store_covariance=True``.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.discriminant import QuadraticDiscriminantAnalysis
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 0.5, (30, 2)), rng.normal(0, 3.0, (30, 2))])
    >>> y = np.repeat(["narrow", "wide"], 30)
    >>> qda = QuadraticDiscriminantAnalysis().fit(X, y)
    >>> qda.predict([[0.1, -0.2], [4.0, 4.0]]).tolist()
    ['narrow', 'wide']
    """

    _parameter_constraints = {
        "solver": [Options({"svd", "eigen"})],
        "shrinkage": _SHRINKAGE,
        "priors": [ARRAY_LIKE, None],
        "reg_param": [Interval(float, 0, 1)],
        "store_covariance": [BOOL],
        "tol": [Interval(float, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        solver: str = "svd",
        shrinkage: str | float | None = None,
        priors: Any = None,
        reg_param: float = 0.0,
        store_covariance: bool = False,
        tol: float = 1e-4,
    ):
        self.solver = solver
        self.shrinkage = shrinkage
        self.priors = priors
        self.reg_param = reg_param
        self.store_covariance = store_covariance
        self.tol = tol

    def fit(self, X: Any, y: Any) -> QuadraticDiscriminantAnalysis:
        """Estimate each class's mean and covariance (as eigenvalues and eigenvectors).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels; every class needs at least 2 rows.

        Returns
        -------
        self

        Raises
        ------
        DataValidationError
            When a class covariance is singular (fewer rows than features, collinear
            features): raise ``reg_param`` (svd) or ``shrinkage`` (eigen).
        """
        X, codes = self._start_fit(X, y)
        self._check_regularisation()
        self.means_ = class_means(X, codes, self.classes_.size)
        single = np.flatnonzero(np.bincount(codes) < 2)
        if single.size:
            raise DataValidationError(
                f"QuadraticDiscriminantAnalysis: class {self.classes_.tolist()[single[0]]!r} has "
                "1 row; its covariance is undefined. Every class needs at least 2 rows."
            )
        self.scalings_, self.rotations_, covariances = [], [], []
        for k, label in enumerate(self.classes_.tolist()):
            rows = X[codes == k]
            scaling, rotation = self._decompose(rows - self.means_[k])
            self._check_rank(scaling, label, rows.shape[0])
            self.scalings_.append(scaling)
            self.rotations_.append(rotation)
            covariances.append((rotation * scaling) @ rotation.T)
        if self.store_covariance:
            self.covariance_ = covariances
        return self

    def _check_regularisation(self) -> None:
        if self.solver == "svd" and self.shrinkage is not None:
            raise ParameterError(
                "QuadraticDiscriminantAnalysis: shrinkage needs solver='eigen'; with "
                "solver='svd' regularise with reg_param."
            )
        if self.solver == "eigen" and self.reg_param != 0.0:
            raise ParameterError(
                "QuadraticDiscriminantAnalysis: reg_param applies to solver='svd'; with "
                "solver='eigen' regularise with shrinkage."
            )

    def _decompose(self, centred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (decreasing) and eigenvectors of the class covariance."""
        if self.solver == "svd":
            _, S, Vt = np.linalg.svd(centred, full_matrices=False)
            scaling = (1.0 - self.reg_param) * S**2 / centred.shape[0] + self.reg_param
            if scaling.size < centred.shape[1]:  # fewer rows than features: zero eigenvalues
                return np.pad(scaling, (0, centred.shape[1] - scaling.size)), Vt.T
            return scaling, Vt.T
        values, vectors = scipy.linalg.eigh(covariance(centred, self.shrinkage))
        order = np.argsort(values)[::-1]
        return values[order], vectors[:, order]

    def _check_rank(self, scaling: np.ndarray, label: Any, n_rows: int) -> None:
        rank = int(np.sum(scaling > self.tol))
        if rank < scaling.size:
            knob = "shrinkage" if self.solver == "eigen" else "reg_param"
            raise DataValidationError(
                f"QuadraticDiscriminantAnalysis: the covariance of class {label!r} is singular "
                f"(rank {rank} < {scaling.size} features, from {n_rows} rows; smallest "
                f"eigenvalue {scaling.min():.3g} <= tol={self.tol:g}). Increase {knob}, or "
                "drop collinear features."
            )

    def _scores(self, X: np.ndarray) -> np.ndarray:
        scores = np.empty((X.shape[0], self.classes_.size))
        log_prior = _log(self.priors_)
        for k, (scaling, rotation) in enumerate(zip(self.scalings_, self.rotations_, strict=True)):
            z = (X - self.means_[k]) @ (rotation / np.sqrt(scaling))
            scores[:, k] = -0.5 * (np.sum(z * z, axis=1) + np.sum(np.log(scaling))) + log_prior[k]
        return scores
