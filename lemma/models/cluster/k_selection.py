"""Choosing the number of clusters k: elbow, silhouette, gap statistic, BIC.

For each candidate k (``k_range``) k-means (or a Gaussian mixture, for BIC) is fitted
and scored by the criteria asked for:

* **elbow** — the inertia ``W_k`` (within-cluster sum of squares) falls as k grows;
  the elbow is where it stops falling fast. Rule (kneedle-style, Satopää et al. 2011):
  rescale k and W_k to [0, 1] over the range, with ``W₁ = Σ‖xᵢ − x̄‖²`` added as the
  anchor when 1 is not a candidate, and take the k farthest below the chord from the
  first to the last point, ``argmax_k [(1 − k̃) − W̃_k]``. No point below the chord (by
  more than 1e-9): no elbow.
* **silhouette** — the mean silhouette of the k-means labels (on at most
  ``sample_size`` random rows); the highest wins.
* **gap** — ``Gap(k) = E*[log W*_k] − log W_k``, the expectation over ``n_references``
  data sets drawn uniformly in the box aligned with the principal axes of X
  (Tibshirani et al.'s reference (b)); with ``s_k = sd_k √(1 + 1/B)``, choose the
  smallest k with ``Gap(k) ≥ Gap(k+1) − s_{k+1}`` (their rule; the largest gap if none
  qualifies). Above ``sample_size`` rows the statistic uses a random subsample.
* **bic** — Gaussian mixtures (``covariance_type``) fitted by EM; the lowest
  ``−2 log L + p log n`` wins.

Recommendation: each criterion votes for its k; the k with most votes wins, ties
going to the criterion listed first in ``silhouette, gap, bic, elbow``. The reason
names the deciding criterion's value and which others agree.

Reference: Tibshirani, Walther & Hastie, "Estimating the number of clusters in a data
set via the gap statistic", JRSS B 63 (2001); Rousseeuw (1987); Satopää et al.,
"Finding a 'kneedle' in a haystack", ICDCS workshops (2011); Schwarz (1978).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataValidationError, ParameterError
from lemma.metrics.cluster import silhouette_score
from lemma.models.cluster.kmeans import KMeans
from lemma.models.cluster.mixture import GaussianMixture
from lemma.validation import check_array, check_random_state

__all__ = ["ChooseKResult", "choose_k"]

#: Tie-break order of the criteria (first wins).
_PRIORITY = ("silhouette", "gap", "bic", "elbow")


@dataclass(frozen=True)
class ChooseKResult:
    """The criteria for each candidate k and the recommended k with its reason.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per k; columns among ``inertia``, ``elbow_distance``,
        ``silhouette``, ``gap``, ``gap_se`` (s_k), ``bic``.
    choices : dict of str → int or None
        The k each criterion picks (None: it has no answer, e.g. no elbow).
    recommended_k : int
    reason : str
        One sentence: the deciding criterion, its value, and who agrees.
    methods : tuple of str
    """

    table: pd.DataFrame
    choices: dict[str, int | None]
    recommended_k: int
    reason: str
    methods: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.table.to_string(float_format=lambda v: f'{v:.4g}')}\n\n{self.reason}"

    def _repr_html_(self) -> str:
        import html

        return self.table.to_html(float_format=lambda v: f"{v:.4g}") + (
            f"<p>{html.escape(self.reason)}</p>"
        )


# ----------------------------------------------------------------------------- criteria
def elbow(ks: np.ndarray, inertia: np.ndarray, total: float) -> tuple[np.ndarray, int | None]:
    """Distance of each (k, W_k) below the chord of the rescaled curve, and the elbow k."""
    xs, ws = ks.astype(float), inertia.astype(float)
    if ks[0] != 1:
        xs, ws = np.concatenate([[1.0], xs]), np.concatenate([[total], ws])
    if xs.size < 3 or ws.max() == ws.min():
        return np.full(ks.size, np.nan), None
    x = (xs - xs[0]) / (xs[-1] - xs[0])
    w = (ws - ws.min()) / (ws.max() - ws.min())
    distance = ((1.0 - x) - w)[-ks.size :]
    best = int(np.argmax(distance))
    return distance, (int(ks[best]) if distance[best] > 1e-9 else None)


def gap_rule(ks: np.ndarray, gap: np.ndarray, se: np.ndarray) -> int:
    """Tibshirani et al.'s rule: the smallest k with Gap(k) ≥ Gap(k+1) − s_{k+1}."""
    for i in range(ks.size - 1):
        if gap[i] >= gap[i + 1] - se[i + 1]:
            return int(ks[i])
    return int(ks[int(np.argmax(gap))])


def _log_inertia(X: np.ndarray, k: int, seed: int) -> float:
    if k == 1:
        return float(np.log(((X - X.mean(axis=0)) ** 2).sum()))
    model = KMeans(k, n_init=1, random_state=seed).fit(X)
    return float(np.log(max(model.inertia_, np.finfo(float).tiny)))


def gap_statistic(X: np.ndarray, ks: np.ndarray, n_references: int, rng) -> tuple:
    """Gap(k) and s_k with uniform references in the principal-axes box of X."""
    centred = X - X.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    rotated = centred @ axes.T
    low, high = rotated.min(axis=0), rotated.max(axis=0)
    observed = np.array([_log_inertia(X, int(k), rng.randint(2**31 - 1)) for k in ks])
    reference = np.empty((n_references, ks.size))
    for b in range(n_references):
        sample = rng.uniform(low, high, size=rotated.shape) @ axes
        reference[b] = [_log_inertia(sample, int(k), rng.randint(2**31 - 1)) for k in ks]
    gap = reference.mean(axis=0) - observed
    se = reference.std(axis=0) * np.sqrt(1.0 + 1.0 / n_references)
    return gap, se


# ----------------------------------------------------------------------------- reasons
def _phrase(method: str, k: int, table: pd.DataFrame, leading: bool) -> str:
    """How a criterion's choice reads in the reason sentence."""
    if method == "silhouette":
        value = table.loc[k, "silhouette"]
        return f"silhouette peaks at k = {k} ({value:.2f})" if leading else "silhouette agrees"
    if method == "gap":
        rule = "(Tibshirani et al. 2001 rule)"
        if leading:
            return f"the gap statistic picks k = {k} {rule}"
        return f"the gap statistic agrees {rule}"
    if method == "bic":
        value = table.loc[k, "bic"]
        return f"BIC is lowest at k = {k} ({value:.5g})" if leading else "BIC agrees"
    return f"the inertia elbow is at k = {k} (kneedle rule)" if leading else "the elbow agrees"


def _recommend(choices: dict[str, int | None], table: pd.DataFrame) -> tuple[int, str]:
    votes = Counter(k for k in choices.values() if k is not None)
    if not votes:
        raise DataValidationError(
            "No criterion could choose k (too few candidates for an elbow); pass a k_range "
            "of at least 3 values or add 'silhouette' or 'gap' to methods."
        )
    top = max(votes.values())
    ordered = [m for m in _PRIORITY if m in choices]
    leader = next(m for m in ordered if choices[m] is not None and votes[choices[m]] == top)
    k = int(choices[leader])
    parts = [_phrase(leader, k, table, leading=True)]
    agree = [m for m in ordered if m != leader and choices[m] == k]
    parts += [_phrase(m, k, table, leading=False) for m in agree]
    others = [m for m in ordered if m != leader and choices[m] not in (k, None)]
    parts += [f"{_NAMES[m]} points to k = {choices[m]}" for m in others]
    parts += [f"{_NAMES[m]} gives no answer" for m in ordered if choices[m] is None]
    sentence = "; ".join(parts)
    return k, sentence[0].upper() + sentence[1:] + "."


_NAMES = {"silhouette": "silhouette", "gap": "the gap statistic", "bic": "BIC",
          "elbow": "the elbow"}  # fmt: skip


# ----------------------------------------------------------------------------- main
def _check_ks(k_range: Iterable[int], n: int) -> np.ndarray:
    ks = np.array(sorted({int(k) for k in k_range}), dtype=np.int64)
    if ks.size == 0 or ks[0] < 1:
        raise ParameterError(f"k_range must hold positive integers; got {list(k_range)!r}.")
    if ks[-1] > n - 1 and ks[-1] > 1:
        raise DataValidationError(
            f"k_range goes up to k = {ks[-1]}, but X has {n} rows: at most n − 1 = {n - 1} "
            "clusters can be compared. Lower the largest k or pass more rows."
        )
    return ks


def choose_k(
    X: Any,
    k_range: Iterable[int] = range(2, 11),
    *,
    methods: tuple[str, ...] = ("elbow", "silhouette", "gap"),
    n_init: int = 3,
    n_references: int = 10,
    sample_size: int = 5000,
    covariance_type: str = "full",
    random_state: Any = None,
) -> ChooseKResult:
    """Score each candidate number of clusters and recommend one, with the reason.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k_range : iterable of int, default=range(2, 11)
        Candidate k (at most n − 1).
    methods : tuple of {"elbow", "silhouette", "gap", "bic"}
        Criteria (see the module docstring); ``("bic",)`` for Gaussian mixtures.
    n_init : int, default=3
        k-means runs per k.
    n_references : int, default=10
        Reference data sets B of the gap statistic.
    sample_size : int, default=5000
        Rows used by the silhouette and the gap statistic on large data.
    covariance_type : str, default="full"
        Of the Gaussian mixtures scored by BIC.
    random_state : int, RandomState or None

    Returns
    -------
    ChooseKResult
        ``table``, ``choices``, ``recommended_k`` and ``reason``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.cluster import choose_k
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(c, 0.5, (50, 2)) for c in ([0, 0], [6, 0], [0, 6])])
    >>> result = choose_k(X, range(2, 7), random_state=0)
    >>> result.recommended_k
    3
    >>> print(result.reason)   # doctest: +ELLIPSIS
    Silhouette peaks at k = 3 (0.8...); the gap statistic agrees ...; the elbow agrees.
    """
    known = {"elbow", "silhouette", "gap", "bic"}
    if isinstance(methods, str) or not methods or not set(methods) <= known:
        raise ParameterError(
            f"methods must be a non-empty tuple of {sorted(known)}; got {methods!r}."
        )
    X = check_array(X, estimator_name="choose_k", ensure_min_samples=2)
    ks = _check_ks(k_range, X.shape[0])
    rng = check_random_state(random_state)
    table = pd.DataFrame(index=pd.Index(ks, name="k"))
    choices: dict[str, int | None] = {}
    if {"elbow", "silhouette"} & set(methods):
        fits = [KMeans(int(k), n_init=n_init, random_state=rng.randint(2**31 - 1)).fit(X)
                for k in ks]  # fmt: skip
        table["inertia"] = [m.inertia_ for m in fits]
    if "elbow" in methods:
        total = float(((X - X.mean(axis=0)) ** 2).sum())
        table["elbow_distance"], choices["elbow"] = elbow(ks, table["inertia"].to_numpy(), total)
    if "silhouette" in methods:
        size = sample_size if X.shape[0] > sample_size else None
        scores = [silhouette_score(X, m.labels_, sample_size=size, random_state=rng)
                  if 2 <= k <= X.shape[0] - 1 and np.unique(m.labels_).size > 1 else np.nan
                  for k, m in zip(ks, fits, strict=True)]  # fmt: skip
        table["silhouette"] = scores
        valid = np.isfinite(scores)
        choices["silhouette"] = int(ks[np.nanargmax(scores)]) if valid.any() else None
    if "gap" in methods:
        rows = X if X.shape[0] <= sample_size else X[rng.permutation(X.shape[0])[:sample_size]]
        gap, se = gap_statistic(rows, ks, n_references, rng)
        table["gap"], table["gap_se"] = gap, se
        choices["gap"] = gap_rule(ks, gap, se)
    if "bic" in methods:
        bics = [GaussianMixture(int(k), covariance_type=covariance_type,
                                random_state=rng.randint(2**31 - 1)).fit(X).bic(X)
                for k in ks]  # fmt: skip
        table["bic"] = bics
        choices["bic"] = int(ks[int(np.argmin(bics))])
    k, reason = _recommend(choices, table)
    return ChooseKResult(table, choices, k, reason, tuple(methods))
