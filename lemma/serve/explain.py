"""Per-row contributions for ``POST /explain``: exact for linear models, baseline Shapley otherwise.

Every explanation measures a row ``x`` against a baseline row ``r`` (the request's
``baseline``, else :func:`lemma.serve.schema.baseline_row`), and its contributions add
up to the change they explain.

Linear models (and pipelines ending in one): the linear predictor
``η(x) = b + Σⱼ βⱼ zⱼ(x)``, ``z`` the model's features (a pipeline's transformed
columns), decomposes exactly as

    φⱼ(x) = βⱼ (zⱼ(x) − zⱼ(r)),      Σⱼ φⱼ(x) = η(x) − η(r),

the Shapley values of η with ``r`` as background (:func:`lemma.explain.linear_shap`), on
the scale of η: the prediction, the log-odds of a binary classifier's second class,
each class's own score for several classes.

Other models: baseline Shapley values over the request's fields. With ``N`` the ``d``
fields and ``v(S) = f(x_S, r_{N∖S})`` the model's output (class probabilities, or the
prediction) on x's values in S and the baseline's elsewhere,

    φᵢ = Σ_{S ⊆ N∖{i}} |S|! (d − |S| − 1)! / d! · [v(S ∪ {i}) − v(S)],   Σᵢ φᵢ = f(x) − f(r).

For d ≤ 10 every coalition is evaluated (2^d model rows per row: exact). Beyond, the
values are averaged over M orderings π of the fields, drawn with a fixed seed and
each followed by its reverse: φᵢ ≈ (1/M) Σ_π [v(P_π(i) ∪ {i}) − v(P_π(i))], with
P_π(i) the fields before i in π; about 1,000 model rows per row. Each ordering's terms
telescope to f(x) − f(r), so the estimate keeps the sum exactly.

The choice of r matters: contributions answer "why does x differ from r", not
"from the average row". A model file carries no training rows, so the default r is
built from the schema's ranges and categories; send the row you want to compare with.

Reference: M. Sundararajan & A. Najmi, "The many Shapley values for model
explanation", ICML 2020 (baseline Shapley); E. Štrumbelj & I. Kononenko, "Explaining
prediction models and individual predictions with feature contributions", Knowledge
and Information Systems 41 (2014) (sampled orderings).

Examples
--------
>>> import pandas as pd
>>> from lemma.serve.explain import baseline_shapley
>>> X = pd.DataFrame({"a": [1.0], "b": [2.0]})
>>> r = pd.DataFrame({"a": [0.0], "b": [0.0]})
>>> result = baseline_shapley(lambda D: (D["a"] * D["b"]).to_numpy(), X, r)
>>> result.contributions[0, 0].tolist(), result.values[0].tolist()
([1.0, 1.0], [2.0])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.base import is_classifier, is_regressor

__all__ = ["Explanation", "baseline_shapley", "explain_method", "linear_explanation"]

#: Up to this many fields every coalition is evaluated; beyond, orderings are sampled.
MAX_EXACT_FIELDS = 10
#: Model rows per explained row when orderings are sampled.
SAMPLED_EVALUATIONS = 1024
SEED = 0


@dataclass(frozen=True)
class Explanation:
    """Contributions of a batch of rows.

    Attributes
    ----------
    method : str
        "linear_exact", "baseline_shapley_exact" or "baseline_shapley_sampled".
    scale : str
        What is explained: "prediction", "log-odds", "probability", ...
    features : list of str
        d names: the model's features (linear) or the request's fields.
    outputs : list of str
        K names: classes, or "prediction".
    base_values : ndarray of shape (K,)
        The explained quantity at the baseline row.
    values : ndarray of shape (n, K)
        The explained quantity at each row.
    contributions : ndarray of shape (n, K, d)
        ``base_values + contributions.sum(axis=2) == values`` (up to rounding).
    """

    method: str
    scale: str
    features: list[str]
    outputs: list[str]
    base_values: np.ndarray
    values: np.ndarray
    contributions: np.ndarray


def _final(model: Any) -> Any:
    steps = getattr(model, "steps", None)
    return steps[-1][1] if steps else model


def _is_linear(model: Any) -> bool:
    final = _final(model)
    return hasattr(final, "coef_") and hasattr(final, "intercept_")


def explain_method(model: Any) -> str | None:
    """How ``POST /explain`` explains ``model``: "linear_exact", "baseline_shapley" or None.

    Examples
    --------
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.serve.explain import explain_method
    >>> explain_method(LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 2.0, 3.0]))
    'linear_exact'
    """
    if _is_linear(model):
        return "linear_exact"
    if (is_classifier(model) and hasattr(model, "predict_proba")) or is_regressor(model):
        return "baseline_shapley"
    return None


# ------------------------------------------------------------------------------ linear
def linear_explanation(model: Any, X: pd.DataFrame, baseline: pd.DataFrame) -> Explanation:
    """Exact contributions ``βⱼ (zⱼ(x) − zⱼ(r))`` of a linear model or pipeline.

    Parameters
    ----------
    model : fitted linear model or Pipeline ending in one
    X : DataFrame of shape (n, n_inputs)
    baseline : DataFrame of shape (1, n_inputs)

    Returns
    -------
    Explanation
    """
    from lemma.explain import linear_shap

    shap = linear_shap(model, X, background=baseline)
    values = shap.values if shap.values.ndim == 3 else shap.values[:, :, None]
    contributions = values.transpose(0, 2, 1)  # (n, K, d)
    base = np.atleast_1d(np.asarray(shap.base_value, dtype=np.float64))
    return Explanation(
        method="linear_exact",
        scale=shap.scale,
        features=list(shap.feature_names),
        outputs=list(shap.output_names),
        base_values=base,
        values=base + contributions.sum(axis=2),
        contributions=contributions,
    )


# ------------------------------------------------------------------------------ Shapley
def _coalition_frame(X: pd.DataFrame, baseline: pd.DataFrame, masks: np.ndarray) -> pd.DataFrame:
    """Rows ``(i, s)``: row i of X on the fields where ``masks[s]`` is true, else the baseline.

    Returns a frame of n · len(masks) rows, row-major in (i, s), with X's dtypes.
    """
    n = len(X)
    both = pd.concat([X, baseline], ignore_index=True)  # the baseline is row n
    rows = np.arange(n)[:, None]
    columns = {}
    for j, name in enumerate(X.columns):
        take = np.where(masks[None, :, j], rows, n).ravel()
        columns[name] = both[name].take(take).reset_index(drop=True)
    return pd.DataFrame(columns)


def _exact(d: int) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """Every coalition's mask, and the Shapley average of v (n, 2^d, K) → (n, K, d)."""
    codes = np.arange(2**d)
    masks = (codes[:, None] >> np.arange(d)[None, :]) & 1 == 1
    sizes = masks.sum(axis=1)
    weights = np.array(
        [math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d) for k in range(d)]
    )

    def average(v: np.ndarray) -> np.ndarray:
        phi = np.empty((v.shape[0], v.shape[2], d))
        for i in range(d):
            without = codes[~masks[:, i]]
            gain = v[:, without | (1 << i), :] - v[:, without, :]
            phi[:, :, i] = np.einsum("nsk,s->nk", gain, weights[sizes[without]])
        return phi

    return masks, average


def _sampled(d: int) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """Masks of the prefixes of M orderings (and reverses), and their average of v."""
    half = max(4, SAMPLED_EVALUATIONS // (2 * (d + 1)))
    generator = np.random.default_rng(SEED)
    orders = np.array([generator.permutation(d) for _ in range(half)])
    orders = np.concatenate([orders, orders[:, ::-1]])  # antithetic pairs
    m = len(orders)
    position = np.argsort(orders, axis=1)  # position[o, j]: where field j comes in ordering o
    steps = np.arange(d + 1)
    masks = (position[:, None, :] < steps[None, :, None]).reshape(m * (d + 1), d)

    def average(v: np.ndarray) -> np.ndarray:
        v = v.reshape(v.shape[0], m, d + 1, v.shape[2])
        gains = v[:, :, 1:, :] - v[:, :, :-1, :]  # gain of the field added at each step
        phi = np.zeros((v.shape[0], v.shape[3], d))
        for o in range(m):
            phi[:, :, orders[o]] += gains[:, o, :, :].transpose(0, 2, 1)
        return phi / m

    return masks, average


def baseline_shapley(
    f: Callable[[pd.DataFrame], np.ndarray],
    X: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    outputs: list[str] | None = None,
    scale: str = "prediction",
) -> Explanation:
    """Baseline Shapley values of the fields of ``X`` for the model output ``f``.

    Parameters
    ----------
    f : callable
        DataFrame of m rows → array of shape (m,) or (m, K).
    X : DataFrame of shape (n, d)
        Rows to explain.
    baseline : DataFrame of shape (1, d)
        The reference row r, with X's columns and dtypes.
    outputs : list of str, optional
        Names of f's K outputs.
    scale : str, default="prediction"

    Returns
    -------
    Explanation
        Exact for d ≤ :data:`MAX_EXACT_FIELDS`, else sampled (method name says which).
    """
    d = X.shape[1]
    exact = d <= MAX_EXACT_FIELDS
    masks, average = _exact(d) if exact else _sampled(d)
    v = np.asarray(f(_coalition_frame(X, baseline, masks)), dtype=np.float64)
    v = v.reshape(len(X), len(masks), -1)
    phi = average(v)
    full = int(masks.all(axis=1).argmax())  # the coalition of every field: x itself
    return Explanation(
        method="baseline_shapley_exact" if exact else "baseline_shapley_sampled",
        scale=scale,
        features=[str(c) for c in X.columns],
        outputs=outputs or [f"output {k}" for k in range(v.shape[2])],
        base_values=v[0, 0, :].copy(),  # the empty coalition: the baseline
        values=v[:, full, :].copy(),
        contributions=phi,
    )
