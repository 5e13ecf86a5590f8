"""Inference for generalised linear models fitted by maximum likelihood.

For a GLM with log-likelihood ℓ(θ) maximised at θ̂ (logistic, multinomial logit,
Poisson), standard large-sample theory gives:

* covariance ``Var θ̂ ≈ I(θ̂)⁻¹``, the inverse Fisher information; for canonical
  links ``I = ZᵀWZ`` with ``W = diag(wᵢ v(μᵢ))`` (``v = μ(1−μ)`` for the logit,
  ``v = μ`` for Poisson) — the Hessian of −ℓ;
* Wald z statistics ``θ̂ⱼ / se(θ̂ⱼ)`` against the standard normal, intervals
  ``θ̂ⱼ ± z_{1−a/2} se(θ̂ⱼ)``;
* the likelihood-ratio test of all slopes being zero, ``LR = 2(ℓ(θ̂) − ℓ₀)`` against
  χ² with ``df_model`` degrees of freedom, ℓ₀ the intercept-only model;
* McFadden's pseudo-R² ``1 − ℓ(θ̂)/ℓ₀``; ``AIC = −2ℓ + 2k``, ``BIC = −2ℓ + k log n``.

None of this is valid when the maximum-likelihood estimate does not exist. For
binary data that happens exactly when the classes are (quasi-)completely
separated: some direction β with ``sᵢzᵢᵀβ ≥ 0`` for every row (``sᵢ = ±1`` the
class), not all zero. :func:`detect_separation` decides it with the linear
program of Konis (2007): maximise ``Σ sᵢzᵢᵀβ`` subject to ``sᵢzᵢᵀβ ≥ 0`` and
``−1 ≤ β ≤ 1``; a positive optimum means separation, and the coordinates of the
optimal β that are non-zero are the coefficients that run off to infinity.

References: McCullagh & Nelder, *Generalized Linear Models*, 2nd ed. (1989), ch.
4; Konis, *Linear programming algorithms for detecting separated data in binary
logistic regression models*, DPhil thesis, Oxford (2007); statsmodels' ``Logit``,
``MNLogit`` and ``GLM`` results follow the same definitions and lemma is tested
against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from lemma.exceptions import ParameterError
from lemma.stats.inference.summary import Summary

__all__ = ["GLMResults", "Separation", "detect_separation"]


@dataclass(frozen=True)
class Separation:
    """Outcome of the separation check of a binary-response design.

    Attributes
    ----------
    separated : bool
        True when maximum-likelihood estimates do not exist.
    complete : bool
        Every row is strictly on its side (complete separation); otherwise quasi.
    n_separated_rows : int
        Rows lying strictly on the separating side.
    columns : list of str
        Coefficients that diverge.
    """

    separated: bool
    complete: bool = False
    n_separated_rows: int = 0
    columns: list[str] = field(default_factory=list)


def detect_separation(
    Z: np.ndarray, y: np.ndarray, names: list[str] | None = None, tol: float = 1e-7
) -> Separation:
    """Decide (quasi-)complete separation of a binary response by a linear program.

    Parameters
    ----------
    Z : ndarray of shape (n, q)
        Design, including the constant column if the model has one.
    y : ndarray of shape (n,)
        Classes coded 0/1 (rows of zero weight should be removed beforehand).
    names : list of str, optional
        Column names for the report.
    tol : float
        Relative tolerance on the optimum and on β.

    Returns
    -------
    Separation

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.stats.inference.glm import detect_separation
    >>> Z = np.column_stack([np.ones(6), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
    >>> detect_separation(Z, np.array([0, 0, 0, 1, 1, 1])).separated
    True
    >>> detect_separation(Z, np.array([0, 1, 0, 1, 0, 1])).separated
    False
    """
    Z = np.asarray(Z, dtype=np.float64)
    s = np.where(np.asarray(y) > 0, 1.0, -1.0)
    # Scale columns so the box constraint treats them alike.
    scale = np.abs(Z).max(axis=0)
    scale[scale == 0] = 1.0
    A = (Z / scale) * s[:, None]
    q = Z.shape[1]
    result = optimize.linprog(
        c=-A.sum(axis=0),
        A_ub=-A,
        b_ub=np.zeros(len(s)),
        bounds=[(-1, 1)] * q,
        method="highs",
    )
    if result.status != 0 or -result.fun <= tol * len(s):
        return Separation(False)
    beta = result.x
    margins = A @ beta
    strict = margins > 1e3 * tol * margins.max()  # relative: LP solutions carry round-off
    big = np.abs(beta) > 1e3 * tol * np.abs(beta).max()
    labels = names if names is not None else [f"x{j}" for j in range(q)]
    # Complete separation: some β gives every row a margin of at least t > 0.
    # Variables (β, t); maximise t subject to Aβ − t ≥ 0, |β| ≤ 1, t ≤ 1.
    n = len(s)
    worst = optimize.linprog(
        c=np.r_[np.zeros(q), -1.0],
        A_ub=np.c_[-A, np.ones(n)],
        b_ub=np.zeros(n),
        bounds=[(-1, 1)] * q + [(None, 1)],
        method="highs",
    )
    complete = worst.status == 0 and -worst.fun > tol
    return Separation(
        separated=True,
        complete=bool(complete),
        n_separated_rows=n if complete else int(np.sum(strict)),
        columns=[labels[j] for j in np.flatnonzero(big)],
    )


@dataclass
class GLMResults:
    """Maximum-likelihood inference for a fitted GLM (see the module docstring).

    Parameters are a Series (one linear predictor) or a DataFrame with one column
    per non-reference class (multinomial logit, coefficients relative to the
    reference class, as statsmodels' MNLogit). ``cov_params`` is ``I(θ̂)⁻¹`` in the
    order of ``params`` flattened column by column.
    """

    family: str
    params: pd.Series | pd.DataFrame
    cov: np.ndarray
    llf: float
    llnull: float
    nobs: float
    df_model: int
    target: str = "y"
    converged: bool = True
    n_iter: int = 0
    separation: Separation | None = None
    reference_class: str | None = None
    notes_extra: list[str] = field(default_factory=list)
    #: Residual deviance ``2(ℓ_saturated − ℓ)`` where the family defines it (Poisson).
    deviance: float | None = None

    # ------------------------------------------------------------------ basics
    @property
    def k_params(self) -> int:
        return int(np.asarray(self.params).size)

    @property
    def df_resid(self) -> float:
        return self.nobs - self.k_params

    @property
    def inference_valid(self) -> bool:
        """False under separation or a singular information matrix."""
        separated = self.separation is not None and self.separation.separated
        return not separated and bool(np.all(np.isfinite(self.cov)))

    def _shape(self, values: np.ndarray, name: str):
        if isinstance(self.params, pd.DataFrame):
            return pd.DataFrame(
                values.reshape(self.params.shape, order="F"),
                index=self.params.index,
                columns=self.params.columns,
            )
        return pd.Series(values, index=self.params.index, name=name)

    def cov_params(self) -> pd.DataFrame:
        """Inverse Fisher information (rows/columns in flattened parameter order)."""
        if isinstance(self.params, pd.DataFrame):
            labels = [f"{c}:{i}" for c in self.params.columns for i in self.params.index]
        else:
            labels = list(self.params.index)
        return pd.DataFrame(self.cov, index=labels, columns=labels)

    @property
    def std_err(self):
        """Standard errors sqrt(diag I⁻¹)."""
        return self._shape(np.sqrt(np.clip(np.diag(self.cov), 0, None)), "std_err")

    @property
    def z(self):
        """Wald statistics θ̂ / se(θ̂)."""
        return self._shape(
            np.asarray(self.params).ravel(order="F") / np.sqrt(np.clip(np.diag(self.cov), 0, None)),
            "z",
        )

    @property
    def p_value(self):
        """Two-sided p-values of H₀: θⱼ = 0 against the standard normal."""
        z = np.asarray(self.z).ravel(order="F")
        return self._shape(2 * stats.norm.sf(np.abs(z)), "p_value")

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wald confidence intervals; for a multinomial model, stacked by class."""
        if not 0 < level < 1:
            raise ParameterError(f"level must be in (0, 1), got {level!r}.")
        q = stats.norm.ppf(0.5 + level / 2)
        est = np.asarray(self.params).ravel(order="F")
        half = q * np.sqrt(np.clip(np.diag(self.cov), 0, None))
        index = self.cov_params().index
        lo, hi = f"{(1 - level) / 2:.3g}", f"{(1 + level) / 2:.3g}"
        return pd.DataFrame({lo: est - half, hi: est + half}, index=index)

    # ------------------------------------------------------------------ fit statistics
    @property
    def llr(self) -> float:
        """Likelihood-ratio statistic 2(ℓ − ℓ₀) against the intercept-only model."""
        return 2 * (self.llf - self.llnull)

    @property
    def llr_pvalue(self) -> float:
        return float(stats.chi2.sf(self.llr, self.df_model)) if self.df_model > 0 else np.nan

    @property
    def pseudo_rsquared(self) -> float:
        """McFadden's pseudo-R² = 1 − ℓ/ℓ₀."""
        return 1 - self.llf / self.llnull

    @property
    def aic(self) -> float:
        return -2 * self.llf + 2 * self.k_params

    @property
    def bic(self) -> float:
        return -2 * self.llf + np.log(self.nobs) * self.k_params

    # ------------------------------------------------------------------ summary
    def summary(self, level: float = 0.95) -> Summary:
        """Text/DataFrame/HTML summary; says so instead of printing invalid numbers."""
        info: list[tuple[str, object]] = [
            ("Observations", self.nobs),
            ("Pseudo R-squared", self.pseudo_rsquared),
            ("Df model", self.df_model),
            ("Log-likelihood", self.llf),
            ("Df residuals", self.df_resid),
            ("LL-null", self.llnull),
            ("Converged", self.converged),
            ("LLR p-value", self.llr_pvalue),
            ("Iterations", self.n_iter),
            ("AIC", self.aic),
            ("", ""),
            ("BIC", self.bic),
        ]
        if self.deviance is not None:
            info[-2] = ("Deviance", self.deviance)
        flat_est = np.asarray(self.params).ravel(order="F")
        index = self.cov_params().index
        if self.inference_valid:
            table = pd.DataFrame(
                {
                    "coef": flat_est,
                    "std_err": np.asarray(self.std_err).ravel(order="F"),
                    "z": np.asarray(self.z).ravel(order="F"),
                    "p_value": np.asarray(self.p_value).ravel(order="F"),
                },
                index=index,
            )
            table = pd.concat([table, self.conf_int(level)], axis=1)
        else:
            table = pd.DataFrame({"coef": flat_est}, index=index)
        return Summary(f"{self.family}: {self.target}", info, table, self._notes())

    def _notes(self) -> list[str]:
        notes = []
        sep = self.separation
        if sep is not None and sep.separated:
            kind = "Complete" if sep.complete else "Quasi-complete"
            notes.append(
                f"{kind} separation: {sep.n_separated_rows} rows are predicted perfectly by "
                f"{sep.columns}. The maximum-likelihood estimates do not exist (those "
                "coefficients grow without bound), so standard errors, z statistics and "
                "p-values are not shown. Use a penalised fit (penalty='l2') or drop/merge the "
                "separating feature."
            )
        elif not np.all(np.isfinite(self.cov)):
            notes.append(
                "The information matrix is singular (collinear features): standard "
                "errors are not defined. Drop redundant columns."
            )
        else:
            notes.append(
                "Standard errors from the inverse Fisher information (large-sample "
                "theory); z tests against the standard normal."
            )
        if self.reference_class is not None:
            notes.append(
                f"Coefficients are log-odds relative to the reference class "
                f"{self.reference_class!r}."
            )
        if not self.converged:
            notes.append("The optimiser did not converge: estimates may be inaccurate.")
        return notes + list(self.notes_extra)
