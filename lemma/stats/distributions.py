"""Which distribution fits the data? Maximum likelihood, AIC/BIC, goodness of fit.

For each candidate family f(x; θ) with k free parameters, maximise the
log-likelihood ``ℓ(θ) = Σᵢ log f(xᵢ; θ)`` and rank the fits by

    AIC = 2k − 2ℓ(θ̂),        BIC = k log n − 2ℓ(θ̂)

(lower is better; a difference below about 2 is no real evidence either way).
Densities and continuous fits are SciPy's; positive families (lognormal, gamma,
Weibull, exponential) are fitted with location 0. Discrete fits are closed forms
or a one-dimensional root: Poisson ``μ̂ = x̄``; geometric ``p̂ = 1/(x̄ − loc)``;
negative binomial with ``p = r/(r + x̄)`` and r solving the profile score
``Σᵢ ψ(xᵢ + r) − nψ(r) + n log(r/(r + x̄)) = 0`` (ψ the digamma function), which
has no finite root when the variance is at most the mean (the Poisson limit).

Goodness of fit, each an honest description rather than a formal test, since the
parameters were estimated from the same data (that makes the p-values too large):

* Kolmogorov–Smirnov ``D = supₓ |Fₙ(x) − F(x; θ̂)|`` (continuous only);
* Anderson–Darling A² with SciPy's tabled p-values (normal, exponential,
  logistic: the cases SciPy supports with estimated parameters; clipped to the
  table's range; NaN where SciPy's own fit does not converge);
* Pearson χ² ``Σ (O − E)²/E`` on ``max(5, ⌈2n^{2/5}⌉)`` equiprobable bins
  (continuous; Moore 1986) or on the counts 0, 1, 2, … pooled until every
  expected count is at least 5 (discrete), with ``cells − 1 − k`` df.

Also :func:`qq_data` (theoretical against sample quantiles at plotting positions
``(i − ½)/n``) and :func:`ecdf` with the Dvoretzky–Kiefer–Wolfowitz band
``Fₙ(x) ± √(log(2/α)/(2n))``, which holds for all x at once (Massart 1990).

Reference: Burnham & Anderson, *Model Selection and Multimodel Inference*, 2nd ed.,
Springer 2002; D'Agostino & Stephens, *Goodness-of-Fit Techniques*, Dekker 1986.

Examples
--------
>>> import numpy as np
>>> from lemma.stats import fit_distributions
>>> x = np.random.default_rng(0).gamma(2.0, 1.5, size=500)
>>> fit = fit_distributions(x)
>>> fit.best, {k: round(v, 2) for k, v in fit.best_params.items()}
('gamma', {'a': 2.22, 'scale': 1.28})
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from lemma.exceptions import DataValidationError, ParameterError
from lemma.stats._checks import as_sample, check_level

__all__ = ["CONTINUOUS", "DISCRETE", "DistributionFit", "ecdf", "fit_distributions", "qq_data"]

CONTINUOUS = ("norm", "lognorm", "gamma", "weibull_min", "expon", "t", "logistic", "laplace")
DISCRETE = ("poisson", "nbinom", "geom")
_POSITIVE = {"lognorm": True, "gamma": True, "weibull_min": True, "expon": False}  # strict?
_ANDERSON = {"norm", "expon", "logistic"}
_MIN_EXPECTED = 5.0

Fit = tuple[Any, dict[str, float], str]  # frozen distribution, free parameters, note


# ------------------------------------------------------------------------------ fitting
def _fit_continuous(name: str, x: np.ndarray) -> Fit | None:
    family = getattr(stats, name)
    positive = name in _POSITIVE
    if positive and (x.min() < 0 or (_POSITIVE[name] and x.min() == 0)):
        return None  # outside the family's support
    with warnings.catch_warnings():  # SciPy's optimisers may warn; the result is checked
        warnings.simplefilter("ignore", RuntimeWarning)
        params = family.fit(x, floc=0.0) if positive else family.fit(x)
    names = ([s.strip() for s in family.shapes.split(",")] if family.shapes else []) + [
        "loc",
        "scale",
    ]
    free = {n: float(v) for n, v in zip(names, params, strict=True)}
    if positive:
        del free["loc"]
    return family(*params), free, ""


def _fit_poisson(x: np.ndarray) -> Fit:
    return stats.poisson(x.mean()), {"mu": float(x.mean())}, ""


def _fit_geom(x: np.ndarray) -> Fit:
    loc = -1.0 if x.min() == 0 else 0.0  # failures before the first success, or trials
    p = 1.0 / (x.mean() - loc)
    return stats.geom(p, loc=loc), {"p": float(p)}, f"support starts at {loc + 1:g}"


def _fit_nbinom(x: np.ndarray) -> Fit:
    n, mean = x.size, x.mean()
    if x.var() <= mean:
        r = 1e8
        note = "variance <= mean: no finite MLE; this is the Poisson limit"
    else:

        def score(log_r: float) -> float:
            r = math.exp(log_r)
            return (
                special.digamma(x + r).sum() - n * special.digamma(r) + n * math.log(r / (r + mean))
            )

        low, high = -10.0, 5.0
        while score(high) > 0 and high < 40:
            high += 5.0
        r = math.exp(optimize.brentq(score, low, high, xtol=1e-12))
        note = ""
    p = r / (r + mean)
    return stats.nbinom(r, p), {"n": float(r), "p": float(p)}, note


_DISCRETE_FITS: dict[str, Callable[[np.ndarray], Fit]] = {
    "poisson": _fit_poisson,
    "nbinom": _fit_nbinom,
    "geom": _fit_geom,
}


# ---------------------------------------------------------------------- goodness of fit
def _pool(observed: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge neighbouring cells, left to right, until each expects at least 5."""
    cells_o, cells_e, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(observed, expected, strict=True):
        acc_o, acc_e = acc_o + o, acc_e + e
        if acc_e >= _MIN_EXPECTED:
            cells_o.append(acc_o)
            cells_e.append(acc_e)
            acc_o = acc_e = 0.0
    if cells_e:
        cells_o[-1] += acc_o
        cells_e[-1] += acc_e
    return np.array(cells_o), np.array(cells_e)


def _chi2(observed: np.ndarray, expected: np.ndarray, n_params: int) -> tuple[float, int, float]:
    o, e = _pool(observed, expected)
    df = o.size - 1 - n_params
    if df < 1:
        return float("nan"), df, float("nan")
    statistic = float(((o - e) ** 2 / e).sum())
    return statistic, df, float(stats.chi2.sf(statistic, df))


def _chi2_continuous(x: np.ndarray, frozen: Any, n_params: int) -> tuple[float, int, float]:
    k = max(5, math.ceil(2 * x.size**0.4))
    edges = frozen.ppf(np.linspace(0, 1, k + 1)[1:-1])
    observed = np.bincount(np.searchsorted(edges, x, side="right"), minlength=k)
    return _chi2(observed, np.full(k, x.size / k), n_params)


def _chi2_discrete(x: np.ndarray, frozen: Any, n_params: int) -> tuple[float, int, float]:
    top = int(x.max())
    values = np.arange(top + 1)
    expected = x.size * frozen.pmf(values)
    expected[-1] += x.size * frozen.sf(top)  # the upper tail joins the last cell
    observed = np.bincount(x.astype(np.int64), minlength=top + 1)
    return _chi2(observed, expected, n_params)


def _goodness_of_fit(name: str, x: np.ndarray, frozen: Any, k: int, discrete: bool) -> dict:
    row = dict.fromkeys(("ks_statistic", "ks_p_value", "ad_statistic", "ad_p_value"), np.nan)
    if not discrete:
        ks = stats.kstest(x, frozen.cdf)
        row.update(ks_statistic=float(ks.statistic), ks_p_value=float(ks.pvalue))
        if name in _ANDERSON:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                ad = stats.anderson(x, dist=name, method="interpolate")
            if not caught:  # SciPy's own fit (logistic) may fail to converge on far data
                row.update(ad_statistic=float(ad.statistic), ad_p_value=float(ad.pvalue))
    chi2 = (_chi2_discrete if discrete else _chi2_continuous)(x, frozen, k)
    row.update(chi2_statistic=chi2[0], chi2_df=chi2[1], chi2_p_value=chi2[2])
    return row


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class DistributionFit:
    """Candidate distributions fitted by maximum likelihood, best first.

    Attributes
    ----------
    table : DataFrame
        One row per candidate (index: SciPy name), sorted by ``criterion``:
        ``params`` (dict of free parameters), ``n_params``, ``log_likelihood``,
        ``aic``, ``bic``, ``delta`` (criterion minus the best), goodness-of-fit
        columns ``ks_*``, ``ad_*``, ``chi2_statistic``, ``chi2_df``, ``chi2_p_value``,
        and ``note`` (why a candidate was skipped, or a caveat).
    best : str
        Name of the best candidate.
    best_params : dict
        Its free parameters (SciPy's names).
    best_distribution : scipy frozen distribution
        Ready for ``pdf``/``cdf``/``rvs``.
    criterion : {"aic", "bic"}
    """

    table: pd.DataFrame
    best: str
    best_params: dict[str, float]
    best_distribution: Any = field(repr=False)
    criterion: str

    def __str__(self) -> str:
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.best_params.items())
        text = f"Best fit by {self.criterion.upper()}: {self.best} ({params})"
        ranked = self.table.dropna(subset=["delta"])
        if len(ranked) > 1:
            runner = ranked.index[1]
            text += f"; next {runner} (Δ{self.criterion.upper()} = {ranked['delta'].iloc[1]:.3g})"
        return text + "."


def _is_count_data(x: np.ndarray) -> bool:
    return bool(np.all(x >= 0) and np.all(x == np.round(x)))


def fit_distributions(
    data: Any,
    candidates: Sequence[str] | None = None,
    *,
    discrete: bool | None = None,
    criterion: str = "aic",
) -> DistributionFit:
    """Fit candidate distributions by maximum likelihood and rank them by AIC or BIC.

    Parameters
    ----------
    data : array-like of shape (n_samples,)
        At least 5 finite values, not all equal.
    candidates : sequence of str, optional
        SciPy names. Default :data:`CONTINUOUS` ("norm", "lognorm", "gamma",
        "weibull_min", "expon", "t", "logistic", "laplace"), or :data:`DISCRETE`
        ("poisson", "nbinom", "geom") for count data.
    discrete : bool, optional
        Treat the data as counts; default: when every value is a non-negative integer.
    criterion : {"aic", "bic"}, default="aic"

    Returns
    -------
    DistributionFit

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.stats import fit_distributions
    >>> counts = np.random.default_rng(1).poisson(3.0, size=300)
    >>> fit_distributions(counts).table.index.tolist()
    ['poisson', 'nbinom', 'geom']
    """
    x = as_sample(data, "data", min_size=5)
    if np.ptp(x) == 0:
        raise DataValidationError(f"data are constant ({x[0]!r}); there is no spread to fit.")
    if criterion not in ("aic", "bic"):
        raise ParameterError(
            f"The 'criterion' parameter must be 'aic' or 'bic'. Got {criterion!r}."
        )
    discrete = _is_count_data(x) if discrete is None else bool(discrete)
    if discrete and not _is_count_data(x):
        raise DataValidationError("discrete=True needs non-negative integer counts.")
    names = (
        list(candidates) if candidates is not None else list(DISCRETE if discrete else CONTINUOUS)
    )
    allowed = DISCRETE if discrete else CONTINUOUS
    unknown = [c for c in names if c not in allowed]
    if unknown or not names:
        kind = "discrete" if discrete else "continuous"
        raise ParameterError(
            f"Unknown {kind} candidates {unknown}; choose from {list(allowed)} (discrete data "
            "are detected as non-negative integers; pass discrete= to override)."
        )
    rows: dict[str, dict[str, Any]] = {}
    for name in names:
        fitted = _DISCRETE_FITS[name](x) if discrete else _fit_continuous(name, x)
        if fitted is None:
            rows[name] = {"params": {}, "note": "not fitted: data outside the family's support"}
            continue
        frozen, params, note = fitted
        k = len(params)
        logpdf = frozen.logpmf(x) if discrete else frozen.logpdf(x)
        loglik = float(np.sum(logpdf))
        if not np.isfinite(loglik):
            rows[name] = {"params": params, "note": "fit failed: non-finite log-likelihood"}
            continue
        rows[name] = {
            "params": params,
            "n_params": k,
            "log_likelihood": loglik,
            "aic": 2 * k - 2 * loglik,
            "bic": k * math.log(x.size) - 2 * loglik,
            **_goodness_of_fit(name, x, frozen, k, discrete),
            "note": note,
            "_frozen": frozen,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    if "aic" not in table or table["aic"].isna().all():
        raise DataValidationError(f"No candidate could be fitted: {table['note'].to_dict()}.")
    table = table.sort_values(criterion, na_position="last")
    table.insert(
        table.columns.get_loc("bic") + 1, "delta", table[criterion] - table[criterion].iloc[0]
    )
    best = table.index[0]
    frozen = table.pop("_frozen")
    return DistributionFit(
        table=table,
        best=best,
        best_params=dict(table.loc[best, "params"]),
        best_distribution=frozen[best],
        criterion=criterion,
    )


# -------------------------------------------------------------------------- diagnostics
def _frozen(dist: Any, x: np.ndarray) -> Any:
    if isinstance(dist, str):
        return fit_distributions(x, [dist], discrete=dist in DISCRETE).best_distribution
    if hasattr(dist, "ppf") and hasattr(dist, "cdf"):
        return dist
    raise ParameterError(
        f"dist must be a SciPy distribution name (e.g. 'norm') or a frozen distribution "
        f"(e.g. scipy.stats.norm(0, 1)); got {dist!r}."
    )


def qq_data(data: Any, dist: Any = "norm") -> pd.DataFrame:
    """Theoretical against sample quantiles for a Q–Q plot.

    Parameters
    ----------
    data : array-like of shape (n_samples,)
    dist : str or frozen SciPy distribution, default="norm"
        A name is fitted to the data by maximum likelihood first.

    Returns
    -------
    DataFrame with columns ``probability`` ((i − ½)/n), ``theoretical`` and ``sample``
        Points near the line theoretical = sample mean a good fit.

    Examples
    --------
    >>> from lemma.stats import qq_data
    >>> qq_data([3.1, 1.2, 2.0, 2.6, 1.8]).round(3)
       probability  theoretical  sample
    0          0.1        1.299     1.2
    1          0.3        1.796     1.8
    2          0.5        2.140     2.0
    3          0.7        2.484     2.6
    4          0.9        2.981     3.1
    """
    x = np.sort(as_sample(data, "data", min_size=2))
    frozen = _frozen(dist, x)
    probability = (np.arange(1, x.size + 1) - 0.5) / x.size
    return pd.DataFrame(
        {"probability": probability, "theoretical": frozen.ppf(probability), "sample": x}
    )


def ecdf(data: Any, level: float = 0.95) -> pd.DataFrame:
    """Empirical distribution function with a simultaneous DKW confidence band.

    Parameters
    ----------
    data : array-like of shape (n_samples,)
    level : float, default=0.95
        Confidence that the whole true CDF lies inside the band.

    Returns
    -------
    DataFrame with columns ``x`` (distinct values), ``ecdf``, ``lower``, ``upper``

    Examples
    --------
    >>> from lemma.stats import ecdf
    >>> ecdf([2.0, 1.0, 2.0, 3.0], level=0.9).round(3)
         x  ecdf  lower  upper
    0  1.0  0.25    0.0  0.862
    1  2.0  0.75    0.138  1.0
    2  3.0  1.00    0.388  1.0
    """
    level = check_level(level)
    x = as_sample(data, "data", min_size=1)
    values, counts = np.unique(x, return_counts=True)
    cdf = np.cumsum(counts) / x.size
    epsilon = math.sqrt(math.log(2 / (1 - level)) / (2 * x.size))
    return pd.DataFrame(
        {
            "x": values,
            "ecdf": cdf,
            "lower": np.clip(cdf - epsilon, 0, 1),
            "upper": np.clip(cdf + epsilon, 0, 1),
        }
    )
