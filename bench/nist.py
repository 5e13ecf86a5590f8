"""Correct digits (LRE) on the NIST StRD linear-regression files: lemma vs NumPy vs statsmodels.

Run ``python -m bench.nist``; prints the Markdown table recorded in docs/accuracy.md.
``python -m bench.nist --dask`` prints the second table there: the same estimator fitted
on Dask arrays of 1, 3 and 7 partitions (lemma.distributed's TSQR and refinement).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lemma.models.linear import LinearRegression
from tests.nist import FILES, load, lre


def _lemma(problem, extended: bool):
    X, y = (problem.X_ext, problem.y_ext) if extended else (problem.X, problem.y)
    result = LinearRegression(fit_intercept=problem.fit_intercept).fit(X, y).result_
    return result.params.to_numpy(), result.std_err.to_numpy()


def _design(problem):
    if problem.fit_intercept:
        return np.column_stack([np.ones(len(problem.y)), problem.X])
    return problem.X


def _numpy(problem):
    Z = _design(problem)
    coef, *_ = np.linalg.lstsq(Z, problem.y, rcond=None)
    resid = problem.y - Z @ coef
    s2 = resid @ resid / (Z.shape[0] - Z.shape[1])
    se = np.sqrt(np.diag(np.linalg.pinv(Z.T @ Z)) * s2)
    return coef, se


def _statsmodels(problem):
    import statsmodels.api as sm

    fit = sm.OLS(problem.y, _design(problem)).fit()
    return fit.params, fit.bse


def _lemma_dask(problem, n_partitions: int):
    import dask.array as da

    rows = -(-problem.y.size // n_partitions)
    X = da.from_array(problem.X, chunks=(rows, problem.X.shape[1]))
    y = da.from_array(problem.y, chunks=(rows,))
    result = LinearRegression(fit_intercept=problem.fit_intercept).fit(X, y).result_
    return result.params.to_numpy(), result.std_err.to_numpy()


def _cell(coef, se, problem) -> str:
    return f"{lre(coef, problem.coef).min():.1f} / {lre(se, problem.std_err).min():.1f}"


def main_dask() -> None:
    import dask

    warnings.simplefilter("ignore")
    dask.config.set(scheduler="synchronous")  # same arithmetic as on a cluster
    print("| file | in memory coef / se | Dask, 1 partition | 3 partitions | 7 partitions |")
    print("| --- | --- | --- | --- | --- |")
    for name in FILES:
        p = load(name)
        cells = [_cell(*_lemma(p, False), p)]
        cells += [_cell(*_lemma_dask(p, parts), p) for parts in (1, 3, 7)]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    if "--dask" in sys.argv[1:]:
        return main_dask()
    warnings.simplefilter("ignore")
    print(
        "| file | lemma float64 coef / se | lemma extended coef / se "
        "| NumPy lstsq coef / se | statsmodels OLS coef / se |"
    )
    print("| --- | --- | --- | --- | --- |")
    for name in FILES:
        p = load(name)
        cells = []
        for coef, se in (_lemma(p, False), _lemma(p, True), _numpy(p), _statsmodels(p)):
            cells.append(_cell(coef, se, p))
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
