"""Inference for (weighted) least squares: standard errors, tests, fit statistics.

Model ``y = Zβ + ε`` with ``Z = [1, X]`` (when an intercept is fitted), weights
``w`` and ``E[ε] = 0``. With ``Z̃ = W^½Z``, ``ẽ = W^½(y − Zβ̂)``, ``n`` rows, rank ``q``:

* residual variance ``σ̂² = ẽᵀẽ / (n − q)``; covariance ``σ̂²(Z̃ᵀZ̃)⁻¹``
  (``cov_type="nonrobust"``);
* heteroskedasticity-consistent ("sandwich") covariances
  ``(Z̃ᵀZ̃)⁻¹ (Σ ωᵢ ẽᵢ² z̃ᵢz̃ᵢᵀ) (Z̃ᵀZ̃)⁻¹`` with ``ωᵢ = 1`` (HC0, White 1980),
  ``n/(n − q)`` (HC1), ``1/(1 − hᵢ)`` (HC2) and ``1/(1 − hᵢ)²`` (HC3, MacKinnon &
  White 1985), ``hᵢ = z̃ᵢᵀ(Z̃ᵀZ̃)⁻¹z̃ᵢ`` the leverage;
* t statistics ``β̂ⱼ / se(β̂ⱼ)``, referred to Student's t on ``n − q`` degrees of
  freedom with the classical covariance and to the standard normal with a robust
  one (the sandwich is justified asymptotically; statsmodels does the same, Stata
  uses t); intervals ``β̂ⱼ ± q_{1−a/2} se(β̂ⱼ)`` with the matching quantile;
* ``R² = 1 − SSR/TSS`` (TSS about the weighted mean, or about 0 without an
  intercept), ``adj. R² = 1 − (n − k₀)/(n − q)·(1 − R²)``; F = (ESS/df_model) /
  (SSR/df_resid), or the Wald form ``(Cβ̂)ᵀ(CVCᵀ)⁻¹(Cβ̂)/df_model`` with a robust V;
* Gaussian log-likelihood ``ℓ = −n/2·(log(2π·SSR/n) + 1) + ½Σ log wᵢ``,
  ``AIC = −2ℓ + 2q``, ``BIC = −2ℓ + q·log n``.

Reference: Greene, *Econometric Analysis*, 8th ed., ch. 4-5 and 9; statsmodels'
``RegressionResults`` uses the same definitions, and lemma is tested against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from lemma.exceptions import ParameterError
from lemma.stats.inference.summary import Summary

__all__ = ["COV_TYPES", "OLSResults", "residual_diagnostics", "robust_covariance"]

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3")
_CHUNK = 65536


def _design_rows(X: np.ndarray, sqrt_w: np.ndarray | None, intercept: bool, rows: slice):
    block = X[rows].astype(np.float64)
    if intercept:
        block = np.column_stack([np.ones(block.shape[0]), block])
    if sqrt_w is not None:
        block = block * sqrt_w[rows, None]
    return block


def robust_covariance(
    X: np.ndarray,
    wresid: np.ndarray,
    cov_type: str,
    *,
    R: np.ndarray | None,
    scale: np.ndarray,
    cov_unscaled: np.ndarray,
    sqrt_weight: np.ndarray | None = None,
    fit_intercept: bool = True,
    df_resid: int,
) -> np.ndarray:
    """Sandwich covariance HC0-HC3 of least-squares coefficients (intercept first).

    Computed in the orthogonal basis of the QR factorisation, never by multiplying
    ``(Z̃ᵀZ̃)⁻¹`` matrices, whose entries span many orders of magnitude on
    ill-conditioned data (Longley): with ``A = Z̃D⁻¹ = QR``, ``Q = AR⁻¹`` and
    ``V = diag(ẽ√ω)·Q·R⁻ᵀ`` the covariance is ``D⁻¹VᵀVD⁻¹`` and the leverages are
    the squared row norms of Q.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        Predictors without the constant column.
    wresid : ndarray of shape (n,)
        Whitened residuals ``√wᵢ(yᵢ − ŷᵢ)``.
    cov_type : {"HC0", "HC1", "HC2", "HC3"}
    R : ndarray of shape (q, q) or None
        Triangular factor of the column-scaled design (None if rank deficient: the
        pseudo-inverse ``cov_unscaled`` is used instead).
    scale : ndarray of shape (q,)
        Column scales D.
    cov_unscaled : ndarray of shape (q, q)
        ``(Z̃ᵀZ̃)⁻¹`` (or its pseudo-inverse).
    sqrt_weight : ndarray of shape (n,), optional
    fit_intercept : bool
    df_resid : int
        ``n − q``, for HC1's small-sample factor.

    Returns
    -------
    ndarray of shape (q, q)
        NaN where HC2/HC3 are undefined (an observation with leverage 1).
    """
    from scipy.linalg import solve_triangular

    n = X.shape[0]
    q = scale.shape[0]
    R = None if R is None else np.asarray(R, dtype=np.float64)
    inv_scale = 1.0 / np.asarray(scale, dtype=np.float64)
    pinv_scaled = None if R is not None else (cov_unscaled / inv_scale[:, None]) / inv_scale
    sandwich = np.zeros((q, q))
    for start in range(0, n, _CHUNK):
        rows = slice(start, start + _CHUNK)
        A = _design_rows(X, sqrt_weight, fit_intercept, rows) * inv_scale
        if R is not None:
            Q = solve_triangular(R, A.T, trans="T").T  # A R⁻¹
        else:
            Q = A @ pinv_scaled
        e = wresid[rows].astype(np.float64)
        if cov_type in ("HC2", "HC3"):
            leverage = np.einsum("ij,ij->i", Q, Q) if R is not None else np.einsum("ij,ij->i", Q, A)
            if np.any(leverage >= 1 - 1e-10):
                return np.full((q, q), np.nan)
            e = e / (1 - leverage) ** (0.5 if cov_type == "HC2" else 1.0)
        U = Q * e[:, None]
        V = solve_triangular(R, U.T).T if R is not None else U
        sandwich += V.T @ V
    cov = sandwich * inv_scale[:, None] * inv_scale[None, :]
    if cov_type == "HC1":
        cov *= n / df_resid
    return cov


def _skew_z(skew: float, n: int) -> float:
    """D'Agostino's normal approximation to the sample skewness √b₁ under normality."""
    y = skew * np.sqrt((n + 1) * (n + 3) / (6.0 * (n - 2)))
    beta2 = (
        3.0 * (n**2 + 27 * n - 70) * (n + 1) * (n + 3) / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9))
    )
    w2 = -1 + np.sqrt(2 * (beta2 - 1))
    delta = 1 / np.sqrt(0.5 * np.log(w2))
    alpha = np.sqrt(2.0 / (w2 - 1))
    y = y if y != 0 else 1.0
    return float(delta * np.log(y / alpha + np.sqrt((y / alpha) ** 2 + 1)))


def _kurtosis_z(kurtosis: float, n: int) -> float:
    """Anscombe & Glynn's normal approximation to the sample kurtosis b₂ under normality."""
    mean = 3.0 * (n - 1) / (n + 1)
    var = 24.0 * n * (n - 2) * (n - 3) / ((n + 1) ** 2 * (n + 3) * (n + 5))
    x = (kurtosis - mean) / np.sqrt(var)
    root_beta1 = (
        6.0
        * (n * n - 5 * n + 2)
        / ((n + 7) * (n + 9))
        * np.sqrt(6.0 * (n + 3) * (n + 5) / (n * (n - 2) * (n - 3)))
    )
    a = 6.0 + 8.0 / root_beta1 * (2.0 / root_beta1 + np.sqrt(1 + 4.0 / root_beta1**2))
    denom = 1 + x * np.sqrt(2 / (a - 4.0))
    if denom == 0:
        return np.nan
    term2 = np.sign(denom) * np.cbrt((1 - 2.0 / a) / abs(denom))
    return float((1 - 2 / (9.0 * a) - term2) / np.sqrt(2 / (9.0 * a)))


def chi2_sf_2(x: float) -> float:
    """Survival function of χ² with 2 degrees of freedom: exactly ``exp(−x/2)`` (a χ²₂
    variable is exponential with mean 2), without SciPy's distribution machinery, which
    costs about 0.1 ms a call — most of a small fit's inference time."""
    return float(np.exp(-0.5 * x))


def residual_diagnostics(wresid: np.ndarray) -> dict[str, float]:
    """Durbin-Watson, Jarque-Bera (and p), omnibus normality (and p), skew, kurtosis.

    One pass over the residuals for their central moments. Skew √b₁ = m₃/m₂^{3/2} and
    kurtosis b₂ = m₄/m₂² are the moment estimators (b₂ = 3 for a normal).
    Jarque-Bera: ``n/6·(b₁ + (b₂ − 3)²/4)`` against χ²₂. The omnibus test is
    D'Agostino-Pearson's ``K² = Z(√b₁)² + Z(b₂)²`` against χ²₂, with the normal
    approximations of D'Agostino, Belanger & D'Agostino, "A suggestion for using
    powerful and informative tests of normality", Am. Stat. 44 (1990); it needs at
    least 20 residuals and is NaN below that.
    """
    e = np.asarray(wresid, dtype=np.float64)
    n = e.size
    ss = float(e @ e)
    dw = float(np.sum(np.diff(e) ** 2)) / ss if n > 1 and ss > 0 else np.nan
    out = {"durbin_watson": dw}
    centred = e - e.mean()
    c2 = centred * centred
    m2 = float(c2.mean())
    nan = {
        "skew": np.nan,
        "kurtosis": np.nan,
        "jarque_bera": np.nan,
        "jarque_bera_p_value": np.nan,
        "omnibus": np.nan,
        "omnibus_p_value": np.nan,
    }
    if n < 3 or m2 == 0:
        return out | nan
    skew = float((c2 @ centred) / n / m2**1.5)
    kurtosis = float((c2 @ c2) / n / m2**2)
    jb = n / 6 * (skew**2 + (kurtosis - 3) ** 2 / 4)
    out |= {
        "skew": skew,
        "kurtosis": kurtosis,
        "jarque_bera": float(jb),
        "jarque_bera_p_value": chi2_sf_2(jb),
    }
    if n >= 20:
        k2 = _skew_z(skew, n) ** 2 + _kurtosis_z(kurtosis, n) ** 2
        out |= {"omnibus": float(k2), "omnibus_p_value": chi2_sf_2(k2)}
    else:
        out |= {"omnibus": np.nan, "omnibus_p_value": np.nan}
    return out


@dataclass
class OLSResults:
    """Inference for a fitted least-squares model (intercept first in every table).

    Built by :class:`~lemma.models.linear.LinearRegression`; see the module
    docstring for every formula. Attributes and methods use statistics spelled
    out: ``std_err``, ``t``, ``p_value``, ``conf_int(level)``.
    """

    params: pd.Series
    cov_unscaled: np.ndarray
    residual_ss: float
    nobs: int
    rank: int
    fit_intercept: bool
    tss: float
    cov_type: str = "nonrobust"
    robust_cov: np.ndarray | None = None
    diagnostics: dict[str, float] = field(default_factory=dict)
    condition_number: float = np.nan
    condition_number_scaled: float = np.nan
    sum_log_weights: float = 0.0
    not_identifiable: list[str] = field(default_factory=list)
    target: str = "y"

    # ------------------------------------------------------------- degrees of freedom
    @property
    def k_constant(self) -> int:
        return int(self.fit_intercept)

    @property
    def df_model(self) -> int:
        return self.rank - self.k_constant

    @property
    def df_resid(self) -> int:
        return self.nobs - self.rank

    @property
    def inference_valid(self) -> bool:
        """False when there are no residual degrees of freedom (p ≥ n)."""
        return self.df_resid > 0

    # ------------------------------------------------------------- coefficients
    @property
    def scale(self) -> float:
        """Residual variance σ̂² = SSR / (n − q)."""
        return self.residual_ss / self.df_resid if self.df_resid > 0 else np.nan

    @property
    def resid_std_err(self) -> float:
        """Residual standard error σ̂."""
        return float(np.sqrt(self.scale))

    def cov_params(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients under ``cov_type``."""
        if self.cov_type == "nonrobust":
            cov = self.scale * self.cov_unscaled
        else:
            cov = self.robust_cov
        names = self.params.index
        return pd.DataFrame(cov, index=names, columns=names)

    @property
    def std_err(self) -> pd.Series:
        """Standard errors (NaN for coefficients that are not identifiable)."""
        se = np.sqrt(np.clip(np.diag(self.cov_params().to_numpy()), 0, None))
        se = pd.Series(se, index=self.params.index, name="std_err")
        se[self.not_identifiable] = np.nan
        return se

    @property
    def t(self) -> pd.Series:
        """t statistics β̂ / se(β̂)."""
        return (self.params / self.std_err).rename("t")

    @property
    def use_t(self) -> bool:
        """Tests refer to Student's t (classical covariance) or the normal (robust)."""
        return self.cov_type == "nonrobust"

    def _reference(self):
        return stats.t(self.df_resid) if self.use_t else stats.norm()

    @property
    def p_value(self) -> pd.Series:
        """Two-sided p-values of H₀: βⱼ = 0 (t on n − q df, or normal if robust)."""
        return pd.Series(
            2 * self._reference().sf(np.abs(self.t)), index=self.params.index, name="p_value"
        )

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals β̂ ± t·se at the given level (two columns)."""
        if not 0 < level < 1:
            raise ParameterError(f"level must be in (0, 1), got {level!r}.")
        q = self._reference().ppf(0.5 + level / 2)
        half = q * self.std_err
        lo, hi = f"{(1 - level) / 2:.3g}", f"{(1 + level) / 2:.3g}"
        return pd.DataFrame({lo: self.params - half, hi: self.params + half})

    # ------------------------------------------------------------- fit statistics
    @property
    def rsquared(self) -> float:
        """R² (uncentred, about 0, when there is no intercept)."""
        return 1 - self.residual_ss / self.tss

    @property
    def rsquared_adj(self) -> float:
        if self.df_resid <= 0:
            return np.nan
        return 1 - (self.nobs - self.k_constant) / self.df_resid * (1 - self.rsquared)

    @property
    def fvalue(self) -> float:
        """F statistic of all slopes being zero."""
        if self.df_model == 0 or self.df_resid <= 0:
            return np.nan
        if self.cov_type == "nonrobust":
            ess = self.tss - self.residual_ss
            return ess / self.df_model / self.scale
        cov = self.cov_params().to_numpy()
        idx = slice(self.k_constant, None)
        b = self.params.to_numpy()[idx]
        return float(b @ np.linalg.solve(cov[idx, idx], b) / self.df_model)

    @property
    def f_pvalue(self) -> float:
        return float(stats.f.sf(self.fvalue, self.df_model, self.df_resid))

    @property
    def llf(self) -> float:
        """Gaussian log-likelihood at the estimates."""
        n = self.nobs
        if self.residual_ss <= 0:
            return np.nan  # a perfect fit has no Gaussian likelihood
        return -n / 2 * (np.log(2 * np.pi * self.residual_ss / n) + 1) + self.sum_log_weights / 2

    @property
    def aic(self) -> float:
        return -2 * self.llf + 2 * self.rank

    @property
    def bic(self) -> float:
        return -2 * self.llf + np.log(self.nobs) * self.rank

    # ------------------------------------------------------------- summary
    def summary(self, level: float = 0.95) -> Summary:
        """Text/DataFrame/HTML summary with plain-language notes."""
        info: list[tuple[str, object]] = [
            ("Observations", self.nobs),
            ("R-squared", self.rsquared),
            ("Df residuals", self.df_resid),
            ("Adj. R-squared", self.rsquared_adj),
            ("Df model", self.df_model),
            ("F-statistic", self.fvalue),
            ("Covariance", self.cov_type),
            ("Prob (F-statistic)", self.f_pvalue),
            ("Residual std. error", self.resid_std_err),
            ("Log-likelihood", self.llf),
            ("AIC", self.aic),
            ("BIC", self.bic),
        ]
        d = self.diagnostics
        if d:
            info += [
                ("Durbin-Watson", d["durbin_watson"]),
                ("Jarque-Bera", d["jarque_bera"]),
                ("Skew", d["skew"]),
                ("Prob (JB)", d["jarque_bera_p_value"]),
                ("Kurtosis", d["kurtosis"]),
                ("Cond. no.", self.condition_number),
            ]
        if self.inference_valid:
            ci = self.conf_int(level)
            statistic = "t" if self.use_t else "z"  # robust covariances: normal reference
            table = pd.DataFrame(
                {
                    "coef": self.params,
                    "std_err": self.std_err,
                    statistic: self.t,
                    "p_value": self.p_value,
                }
            )
            table = pd.concat([table, ci], axis=1)
        else:
            table = pd.DataFrame({"coef": self.params})
        return Summary(f"Least squares: {self.target}", info, table, self._notes())

    def _notes(self) -> list[str]:
        notes = []
        if not self.inference_valid:
            notes.append(
                f"No residual degrees of freedom (n = {self.nobs} rows, {self.rank} coefficients):"
                " standard errors, tests and intervals are not defined. Collect more rows or use "
                "fewer features (or a penalised model such as Ridge, without inference)."
            )
            return notes
        if self.cov_type == "nonrobust":
            notes.append(
                "Standard errors assume homoskedastic, uncorrelated errors "
                "(cov_type='nonrobust'; use 'HC3' if the variance may differ by row)."
            )
        else:
            notes.append(f"Standard errors are heteroskedasticity-robust ({self.cov_type}).")
            if np.isnan(self.robust_cov).all():
                notes.append(f"{self.cov_type} is undefined: an observation has leverage 1.")
        if self.not_identifiable:
            notes.append(
                f"Not identifiable (collinear columns): {self.not_identifiable}; their "
                "coefficients are a minimum-norm choice and carry no standard error."
            )
        if self.condition_number_scaled > 1e4:
            digits = np.log10(self.condition_number_scaled)
            notes.append(
                f"Condition number {self.condition_number_scaled:.2e} after scaling columns "
                f"({self.condition_number:.2e} raw): strong multicollinearity; about "
                f"{digits:.0f} of 16 digits are sensitive to rounding, and coefficients of "
                "correlated predictors are poorly determined."
            )
        return notes
