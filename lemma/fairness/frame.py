"""GroupMetrics: any metric per group, overall, and its spread across groups.

For metrics m₁..m_M with the signature ``m(y_true, y_pred, *, sample_weight)``
and groups a = 1..G of a sensitive feature, :class:`GroupMetrics` evaluates

    overall_m  = m(y, ŷ)                 (every row)
    by_group   = m(y_a, ŷ_a)             (rows of group a, a judged group)

and summarises the spread as fairlearn's ``MetricFrame`` does:
``difference = max_a − min_a`` (or ``max_a |m_a − overall|``), ``ratio = min_a /
max_a`` (or ``min_a min(m_a/overall, overall/m_a)``), ``group_min``,
``group_max``. Groups below ``min_group_size`` rows are too small to judge: they
are listed in :attr:`GroupMetrics.too_small` and left out of ``by_group`` and of
every comparison (:mod:`lemma.fairness._groups`).

Intervals (``n_boot > 0``): rows are resampled with replacement *within each
group*, so every group keeps its size (a stratified bootstrap: the group sizes
are part of the design, not of the randomness), the metrics are recomputed on
each resample, and percentile (or basic, or BCa) intervals are read off the
replicates of every group value, difference and ratio
(:mod:`lemma.fairness.intervals`).

Reference: Weerts et al., "Fairlearn: assessing and improving fairness of AI
systems", JMLR 24(257), 2023 (``MetricFrame``); Efron & Tibshirani, *An
Introduction to the Bootstrap*, 1993, §8.2 (stratified resampling).

Examples
--------
>>> from lemma.fairness import GroupMetrics
>>> from lemma.metrics import accuracy_score
>>> gm = GroupMetrics(accuracy_score, [1, 0, 1, 0, 1, 1], [1, 0, 0, 0, 1, 0],
...                   sensitive_features=list("aaabbb"), min_group_size=1)
>>> gm.by_group["accuracy_score"].round(3).tolist()
[0.667, 0.667]
>>> float(gm.difference()["accuracy_score"])
0.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.fairness import _tables as fm
from lemma.fairness import metrics as rates
from lemma.fairness._groups import DEFAULT_MIN_GROUP_SIZE, as_groups
from lemma.fairness.intervals import (
    check_interval_params,
    interval_table,
    stratified_index_replicates,
)
from lemma.validation import check_random_state

__all__ = ["BASE_METRICS", "GroupMetrics"]

#: Metric names accepted as strings.
BASE_METRICS: dict[str, Callable[..., float]] = {
    "selection_rate": rates.selection_rate,
    "true_positive_rate": rates.true_positive_rate,
    "false_positive_rate": rates.false_positive_rate,
    "false_negative_rate": rates.false_negative_rate,
    "true_negative_rate": rates.true_negative_rate,
    "positive_predictive_value": rates.positive_predictive_value,
}


def _resolve_metrics(metrics: Any) -> dict[str, Callable[..., float]]:
    """name -> callable, from a callable, a name, or a list / dict of them."""
    if callable(metrics) or isinstance(metrics, str):
        metrics = [metrics]
    items = metrics.items() if isinstance(metrics, dict) else [(None, m) for m in metrics]
    resolved: dict[str, Callable[..., float]] = {}
    for name, metric in items:
        if isinstance(metric, str):
            if metric not in BASE_METRICS:
                raise ParameterError(
                    f"Unknown metric name {metric!r}; use one of {sorted(BASE_METRICS)} or pass "
                    "a function metric(y_true, y_pred, *, sample_weight=None)."
                )
            name, metric = name or metric, BASE_METRICS[metric]
        if not callable(metric):
            raise DataTypeError(
                f"metrics must be callables (or names of {sorted(BASE_METRICS)}); got "
                f"{type(metric).__name__}."
            )
        label = name if name is not None else getattr(metric, "__name__", None)
        resolved[str(label) if label is not None else f"metric_{len(resolved)}"] = metric
    if not resolved:
        raise ParameterError("metrics is empty; pass at least one metric.")
    return resolved


def _array(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
    if arr.ndim == 0:
        raise DataValidationError(f"{name} is a single value; pass one value per row.")
    return arr


class GroupMetrics:
    """Metrics per group of a sensitive feature, overall, and their differences and ratios.

    Parameters
    ----------
    metrics : callable, str, list or dict
        ``metric(y_true, y_pred, *, sample_weight=None) -> float`` (any lemma
        metric), a name of :data:`BASE_METRICS`, a list of those, or a dict
        name -> callable.
    y_true, y_pred : array-like of shape (n_samples,)
        Passed to the metrics as given (labels, scores or probabilities).
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
        Several columns give intersectional groups (``"Female, Black"``).
    sample_weight : array-like of shape (n_samples,), default=None
        Passed to the metrics (per group) when given.
    min_group_size : int, default=30
        Groups with fewer rows are too small to judge.
    n_boot : int, default=0
        Bootstrap resamples for :meth:`intervals` (0: no intervals; 1000 is a
        good choice for 95% intervals).
    level : float, default=0.95
    ci_method : {"percentile", "basic"}, default="percentile"
        (BCa needs a jackknife over rows, which arbitrary metrics make costly; the
        table-based :func:`~lemma.fairness.disparity_intervals` offers it.)
    random_state : int, Generator or None

    Attributes
    ----------
    overall : Series
        Each metric on all rows.
    by_group : DataFrame
        One row per judged group, one column per metric.
    group_sizes : Series
        Rows per group (every group).
    too_small : Series
        Groups below ``min_group_size`` with their sizes.

    Examples
    --------
    >>> from lemma.fairness import GroupMetrics
    >>> gm = GroupMetrics(["selection_rate", "true_positive_rate"],
    ...                   [1, 0, 1, 0, 1, 1, 0, 1], [1, 1, 1, 0, 1, 0, 0, 0],
    ...                   sensitive_features=list("aaaabbbb"), min_group_size=1)
    >>> gm.difference().round(3).to_dict()
    {'selection_rate': 0.5, 'true_positive_rate': 0.667}
    """

    def __init__(
        self,
        metrics: Any,
        y_true: Any,
        y_pred: Any,
        *,
        sensitive_features: Any,
        sample_weight: Any = None,
        min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
        n_boot: int = 0,
        level: float = 0.95,
        ci_method: str = "percentile",
        random_state: Any = None,
    ):
        self._metrics = _resolve_metrics(metrics)
        self._y_true = _array(y_true, "y_true")
        self._y_pred = _array(y_pred, "y_pred")
        n = self._y_true.shape[0]
        if self._y_pred.shape[0] != n:
            raise DataValidationError(
                f"y_true has {n} rows but y_pred has {self._y_pred.shape[0]}; pass one prediction "
                "per row."
            )
        self._weight = None if sample_weight is None else _array(sample_weight, "sample_weight")
        if self._weight is not None and self._weight.shape[0] != n:
            raise DataValidationError(
                f"sample_weight has {self._weight.shape[0]} values but y_true has {n} rows."
            )
        self.groups = as_groups(sensitive_features, n, min_group_size=min_group_size)
        self.n_boot, self.level, self.ci_method = check_interval_params(
            n_boot, level, ci_method, allow_zero=True, methods=("percentile", "basic")
        )
        self.random_state = random_state
        judged = np.flatnonzero(self.groups.judged)
        self._group_rows = [np.flatnonzero(self.groups.codes == g) for g in judged]
        self.overall = pd.Series(self._evaluate(np.arange(n)), name="overall")
        self.by_group = pd.DataFrame(
            [self._evaluate(rows) for rows in self._group_rows],
            index=pd.Index(self.groups.judged_labels(), name=self.groups.name),
            columns=list(self._metrics),
        )
        self.group_sizes = pd.Series(
            self.groups.sizes, index=pd.Index(self.groups.labels, name=self.groups.name),
            name="n_rows",
        )  # fmt: skip
        self.too_small = self.groups.too_small
        self._replicates: tuple[np.ndarray, np.ndarray] | None = None

    # ----------------------------------------------------------------- evaluation
    def _evaluate(self, rows: np.ndarray) -> dict[str, float]:
        out = {}
        for name, metric in self._metrics.items():
            if self._weight is None:
                value = metric(self._y_true[rows], self._y_pred[rows])
            else:
                value = metric(
                    self._y_true[rows], self._y_pred[rows], sample_weight=self._weight[rows]
                )
            if np.ndim(value) != 0:
                raise DataTypeError(
                    f"Metric {name!r} returned an array of shape {np.shape(value)}; GroupMetrics "
                    "needs one number per metric (wrap it, e.g. with functools.partial)."
                )
            out[name] = float(value)
        return out

    def _values(self) -> np.ndarray:
        return self.by_group.to_numpy(dtype=np.float64).T  # (M, G)

    # ----------------------------------------------------------------- comparisons
    def group_min(self) -> pd.Series:
        """Smallest value of each metric over the judged groups."""
        return pd.Series(fm.group_min(self._values()), index=self.by_group.columns, name="min")

    def group_max(self) -> pd.Series:
        """Largest value of each metric over the judged groups."""
        return pd.Series(fm.group_max(self._values()), index=self.by_group.columns, name="max")

    def difference(self, method: str = "between_groups") -> pd.Series:
        """``max − min`` over judged groups, or ``max |group − overall|`` (``"to_overall"``)."""
        method = fm.check_method(method)
        values = fm.DIFFERENCES[method](self._values(), self.overall.to_numpy())
        return pd.Series(values, index=self.by_group.columns, name="difference")

    def ratio(self, method: str = "between_groups") -> pd.Series:
        """``min / max`` over judged groups, or the smallest group/overall ratio (≤ 1)."""
        method = fm.check_method(method)
        values = fm.RATIOS[method](self._values(), self.overall.to_numpy())
        return pd.Series(values, index=self.by_group.columns, name="ratio")

    # ----------------------------------------------------------------- intervals
    def _bootstrap(self) -> tuple[np.ndarray, np.ndarray]:
        """Replicates of the group values (B, M, G) and overall values (B, M)."""
        if self._replicates is None:
            rs = check_random_state(self.random_state)
            groups, overall = [], []
            for rows in stratified_index_replicates(self.groups.codes, self.n_boot, rs):
                overall.append(list(self._evaluate(rows).values()))
                per_group = [
                    list(self._evaluate(rows[self.groups.codes[rows] == g]).values())
                    for g in np.flatnonzero(self.groups.judged)
                ]
                groups.append(np.asarray(per_group).T)
            self._replicates = (np.asarray(groups), np.asarray(overall))
        return self._replicates

    def intervals(self, method: str = "between_groups") -> pd.DataFrame:
        """Bootstrap intervals for every group value, difference and ratio.

        Parameters
        ----------
        method : {"between_groups", "to_overall"}, default="between_groups"
            How differences and ratios compare groups.

        Returns
        -------
        DataFrame
            One row per (metric, quantity) — quantity is a group label,
            ``"difference"`` or ``"ratio"`` — with ``estimate, ci_low, ci_high,
            std_err``.

        Examples
        --------
        >>> import numpy as np
        >>> from lemma.fairness import GroupMetrics
        >>> rng = np.random.default_rng(0)
        >>> sex = np.repeat(["F", "M"], 200)
        >>> y_pred = (rng.random(400) < np.where(sex == "F", 0.3, 0.5)).astype(int)
        >>> gm = GroupMetrics("selection_rate", y_pred, y_pred, sensitive_features=sex,
        ...                   n_boot=200, random_state=0)
        >>> row = gm.intervals().loc[("selection_rate", "difference")]
        >>> bool(row.ci_low < row.estimate < row.ci_high)
        True
        """
        if self.n_boot == 0:
            raise ParameterError(
                "This GroupMetrics was built with n_boot=0, so it has no intervals; pass "
                "n_boot=1000 (for example) when building it."
            )
        method = fm.check_method(method)
        groups, overall = self._bootstrap()
        values, total = self._values(), self.overall.to_numpy()
        rows = {}
        for m, name in enumerate(self.by_group.columns):
            for g, label in enumerate(self.by_group.index):
                rows[(name, label)] = (values[m, g], groups[:, m, g])
            rows[(name, "difference")] = (
                fm.DIFFERENCES[method](values[m], total[m]),
                fm.DIFFERENCES[method](groups[:, m, :], overall[:, m]),
            )
            rows[(name, "ratio")] = (
                fm.RATIOS[method](values[m], total[m]),
                fm.RATIOS[method](groups[:, m, :], overall[:, m]),
            )
        table = interval_table(rows, self.level, self.ci_method)
        table.index.names = ["metric", "quantity"]
        return table

    def __repr__(self) -> str:
        small = f"; too small to judge: {list(self.too_small.index)}" if len(self.too_small) else ""
        return (
            f"GroupMetrics({len(self.by_group.columns)} metrics × {len(self.by_group)} groups of "
            f"{self.groups.name!r}{small})\n{self.by_group.to_string(float_format='{:.4g}'.format)}"
        )

    def _repr_html_(self) -> str:
        return self.by_group.to_html(float_format=lambda v: f"{v:.4g}")
