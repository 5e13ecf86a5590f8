"""Bootstrap confidence intervals for fairness disparities, composite ones included.

Every disparity D of :mod:`lemma.fairness.metrics` is a function of the groups'
weighted confusion tables, ``D = f(T₁, …, T_G)`` with ``T_a = Σ_{i ∈ a} vᵢ`` and
``vᵢ = wᵢ·[TN, FP, FN, TP one-hot, pᵢ]``. The stratified bootstrap resamples the
n_a rows of each group a with replacement, B times, so each group keeps its size:

    T*_a = Σ_{i ∈ a} cᵢ vᵢ,    (c_i)_{i ∈ a} ~ Multinomial(n_a; 1/n_a, …, 1/n_a)
    D*_b = f(T*_1, …, T*_G),   b = 1..B

and the interval is read off the replicates D*_b: percentile ``(q_α, q_{1−α})``,
basic ``(2D̂ − q_{1−α}, 2D̂ − q_α)`` or BCa (Efron 1987), whose acceleration comes
from the jackknife values ``D₍ᵢ₎ = f(T with row i removed)`` — cheap here, because
removing a row subtracts vᵢ from one table, and rows with equal vᵢ share a value.
Because f may be any function of the tables, composite disparities such as the
equalized-odds difference ``max(ΔTPR, ΔFPR)`` get intervals like any other
(fairlearn's bootstrap covers ``MetricFrame`` quantities but not these: its issue
#1443).

Groups too small to judge are resampled too (they count in the overall rate) but
take no part in the comparisons.

The percentile interval is the default. BCa assumes a smooth statistic; at the
kink of a max or min of two rates (the equalized-odds ratio when its two ratios
are close) it under-covers — 0.915 against the percentile interval's 0.94 at a
nominal 0.95 in lemma's coverage study (tests/fairness/test_intervals.py). No
bootstrap interval is reliable for a difference whose true value is within a
standard error or two of 0, where ``max − min`` bends (|x| is not smooth at 0).
Likewise with many groups, some small: ``max − min`` over noisy rates is biased
upward, and its bootstrap distribution more so, so the interval can sit mostly
above the estimate (on Adult's ten sex × race groups the precision difference is
0.32 with a 95% interval of 0.30 to 0.70). Read such intervals as "at least".

Reference: Efron & Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall
1993, §8.2 (stratified resampling) and ch. 14 (BCa); Efron, "Better bootstrap
confidence intervals", *JASA* 82(397), 1987.

Examples
--------
>>> import numpy as np
>>> from lemma.fairness import disparity_intervals
>>> rng = np.random.default_rng(0)
>>> group = np.repeat(["a", "b"], 500)
>>> y_true = rng.integers(0, 2, 1000)
>>> y_pred = (rng.random(1000) < np.where(group == "a", 0.6, 0.4)).astype(int)
>>> table = disparity_intervals(y_true, y_pred, sensitive_features=group, n_boot=300,
...                             random_state=0)
>>> row = table.loc["demographic_parity_difference"]
>>> bool(row.ci_low < 0.2 < row.ci_high)
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import ParameterError
from lemma.fairness import _tables as fm
from lemma.fairness._groups import DEFAULT_MIN_GROUP_SIZE, SensitiveGroups
from lemma.stats._checks import check_level
from lemma.stats.bootstrap import bootstrap_interval
from lemma.validation import check_random_state

__all__ = [
    "CI_METHODS",
    "TradeoffReport",
    "check_interval_params",
    "disparity_intervals",
    "group_sum_replicates",
    "inputs_intervals",
    "interval_table",
    "mitigation_tradeoff",
    "stratified_index_replicates",
    "table_accelerations",
    "tradeoff_from_values",
]

CI_METHODS = ("percentile", "basic", "bca")


def check_interval_params(
    n_boot: Any, level: Any, ci_method: Any, *, allow_zero: bool = False, methods=CI_METHODS
) -> tuple[int, float, str]:
    """Validate ``n_boot`` (>= 1, or 0 when allowed), ``level`` and ``ci_method``."""
    low = 0 if allow_zero else 1
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < low:
        raise ParameterError(
            f"The 'n_boot' parameter must be an int >= {low} (1000 is a good choice for 95% "
            f"intervals). Got {n_boot!r} instead."
        )
    if ci_method not in methods:
        raise ParameterError(
            f"The 'ci_method' parameter must be one of {list(methods)}. Got {ci_method!r} instead."
        )
    return int(n_boot), check_level(level), str(ci_method)


# ----------------------------------------------------------------------- resampling
def stratified_index_replicates(
    codes: np.ndarray, n_boot: int, random_state: Any
) -> Iterator[np.ndarray]:
    """Row indices of each bootstrap resample, drawn with replacement within each group.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.fairness.intervals import stratified_index_replicates
    >>> codes = np.array([0, 0, 1, 1, 1])
    >>> rows = next(stratified_index_replicates(codes, 1, 0))
    >>> np.bincount(codes[rows]).tolist()
    [2, 3]
    """
    rs = check_random_state(random_state)
    members = [np.flatnonzero(codes == g) for g in np.unique(codes)]
    for _ in range(n_boot):
        yield np.concatenate([rows[rs.randint(0, rows.size, rows.size)] for rows in members])


def group_sum_replicates(
    values: np.ndarray, codes: np.ndarray, n_groups: int, n_boot: int, random_state: Any
) -> np.ndarray:
    """Sums of ``values`` within each group over B stratified resamples: (B, G, k).

    Each resample of group a draws n_a of its rows with replacement; the sums
    are ``counts @ values``, in chunks that bound memory to a few MB.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.fairness.intervals import group_sum_replicates
    >>> values = np.ones((5, 1))
    >>> group_sum_replicates(values, np.array([0, 0, 1, 1, 1]), 2, 3, 0)[:, :, 0].tolist()
    [[2.0, 3.0], [2.0, 3.0], [2.0, 3.0]]
    """
    rs = check_random_state(random_state)
    out = np.zeros((n_boot, n_groups, values.shape[1]))
    for g in range(n_groups):
        rows = np.flatnonzero(codes == g)
        size = rows.size
        if size == 0:
            continue
        block = values[rows]
        chunk = max(1, min(n_boot, 2**21 // size))
        for start in range(0, n_boot, chunk):
            c = min(chunk, n_boot - start)
            draws = rs.randint(0, size, size=(c, size)) + size * np.arange(c)[:, None]
            counts = np.bincount(draws.ravel(), minlength=c * size).reshape(c, size)
            out[start : start + c, g] = counts @ block
    return out


def table_accelerations(
    values: np.ndarray,
    codes: np.ndarray,
    judged: np.ndarray,
    statistics: Mapping[str, Callable[[np.ndarray, np.ndarray], np.ndarray]],
) -> dict[str, float]:
    """BCa acceleration of each statistic of group tables, from one jackknife pass.

    ``statistic(judged tables (R, G', k), overall tables (R, k)) -> (R,)``.
    Leaving row i out subtracts ``values[i]`` from its group's table; rows with
    the same group and values share a jackknife value, computed once. With
    ``dᵢ = mean(D₍·₎) − D₍ᵢ₎``, ``a = Σ dᵢ³ / (6 (Σ dᵢ²)^{3/2})``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.fairness.intervals import table_accelerations
    >>> values = np.array([[1.0], [2.0], [3.0], [10.0]])
    >>> mean = lambda groups, overall: overall[:, 0] / 3   # mean of the 3 rows left
    >>> a = table_accelerations(values, np.zeros(4, int), np.array([True]), {"mean": mean})
    >>> round(a["mean"], 4)
    0.0849
    """
    tables = fm.group_sums(values, codes, judged.size)
    unique, counts = np.unique(np.column_stack([codes, values]), axis=0, return_counts=True)
    jack = {name: np.empty(len(unique)) for name in statistics}
    for start in range(0, len(unique), 4096):
        part = unique[start : start + 4096]
        t = np.repeat(tables[None], len(part), axis=0)
        t[np.arange(len(part)), part[:, 0].astype(np.int64)] -= part[:, 1:]
        for name, statistic in statistics.items():
            jack[name][start : start + len(part)] = statistic(t[:, judged], t.sum(axis=1))
    return {name: _acceleration(values_, counts) for name, values_ in jack.items()}


def _acceleration(jack: np.ndarray, counts: np.ndarray) -> float:
    ok = np.isfinite(jack)
    if not ok.any():
        return 0.0
    jack, counts = jack[ok], counts[ok]
    d = np.average(jack, weights=counts) - jack
    denominator = (counts * d**2).sum()
    if denominator == 0:
        return 0.0
    return float((counts * d**3).sum() / (6 * denominator**1.5))


# ------------------------------------------------------------------------- tables
def interval_table(
    rows: Mapping[Any, tuple[Any, Any]],
    level: float,
    ci_method: str,
    accelerations: Mapping[Any, float] | None = None,
) -> pd.DataFrame:
    """One row per quantity: estimate, interval from its replicates, std_err.

    Replicates that are NaN (a rate undefined in a resample) are left out; the
    column ``n_valid`` says how many remained.
    """
    records = []
    for key, (estimate, replicates) in rows.items():
        estimate = float(estimate)
        valid = np.asarray(replicates, dtype=np.float64)
        valid = valid[~np.isnan(valid)]
        if valid.size < 2 or np.isnan(estimate):
            low = high = std_err = np.nan
        else:
            a = 0.0 if accelerations is None else accelerations.get(key, 0.0)
            low, high = bootstrap_interval(valid, estimate, level, ci_method, a)
            std_err = float(valid.std(ddof=1))
        records.append((key, estimate, low, high, std_err, valid.size))
    keys = [r[0] for r in records]
    index = (
        pd.MultiIndex.from_tuples(keys)
        if keys and isinstance(keys[0], tuple)
        else pd.Index(keys, name="disparity")
    )
    table = pd.DataFrame(
        [r[1:] for r in records],
        index=index,
        columns=["estimate", "ci_low", "ci_high", "std_err", "n_valid"],
    )
    table.attrs.update(level=level, ci_method=ci_method)
    return table


def inputs_intervals(
    inputs: fm.FairnessInputs,
    disparities: Sequence[str],
    *,
    rates: Sequence[str] = (),
    method: str = "between_groups",
    n_boot: int = 1000,
    level: float = 0.95,
    ci_method: str = "percentile",
    random_state: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Intervals for disparities and for per-group rates, from one set of resamples.

    Returns the disparity table (as :func:`disparity_intervals`) and a rate table
    indexed by (rate, group) over the judged groups (empty without ``rates``). The
    rates' intervals are percentile ones when ``ci_method="bca"``.
    """
    groups = inputs.groups
    judged_tables, overall = inputs.tables()
    replicates = group_sum_replicates(
        inputs.values, groups.codes, groups.n_groups, n_boot, random_state
    )
    rep_judged, rep_overall = replicates[:, groups.judged], replicates.sum(axis=1)
    available = {**fm.DISPARITIES, **fm.PROBABILITY_DISPARITIES}
    formulas = {
        name: (lambda t, o, formula=available[name]: formula(t, o, method)) for name in disparities
    }
    rows = {
        name: (formula(judged_tables, overall), formula(rep_judged, rep_overall))
        for name, formula in formulas.items()
    }
    accelerations = None
    if ci_method == "bca":
        accelerations = table_accelerations(inputs.values, groups.codes, groups.judged, formulas)
    table = interval_table(rows, level, ci_method, accelerations)
    table.attrs.update(n_boot=n_boot, method=method)
    rate_rows = {}
    for rate in rates:
        point, draws = fm.RATES[rate](judged_tables), fm.RATES[rate](rep_judged)
        for g, label in enumerate(groups.judged_labels()):
            rate_rows[(rate, label)] = (point[g], draws[:, g])
    rate_table = interval_table(rate_rows, level, "percentile" if ci_method == "bca" else ci_method)
    if rate_rows:
        rate_table.index.names = ["rate", "group"]
    return table, rate_table


def disparity_intervals(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    y_prob: Any = None,
    sample_weight: Any = None,
    disparities: Sequence[str] | None = None,
    method: str = "between_groups",
    n_boot: int = 1000,
    level: float = 0.95,
    ci_method: str = "percentile",
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    random_state: Any = None,
) -> pd.DataFrame:
    """Every disparity with a stratified-bootstrap confidence interval.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted outcomes.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
    y_prob : array-like of shape (n_samples,), default=None
        Predicted probabilities of ``pos_label``; adds ``calibration_difference``
        (spread across groups of mean predicted − observed rate).
    sample_weight : array-like of shape (n_samples,), default=None
    disparities : list of str or None
        Names from :data:`lemma.fairness.metrics.DISPARITIES` (default: all).
    method : {"between_groups", "to_overall"}, default="between_groups"
    n_boot : int, default=1000
    level : float, default=0.95
    ci_method : {"percentile", "basic", "bca"}, default="percentile"
    pos_label : scalar, default=1
    min_group_size : int, default=30
    random_state : int, Generator or None

    Returns
    -------
    DataFrame
        Index: disparity names; columns ``estimate, ci_low, ci_high, std_err,
        n_valid``; ``attrs`` hold level, ci_method, n_boot and method.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.fairness import disparity_intervals
    >>> rng = np.random.default_rng(1)
    >>> group = np.repeat(["a", "b"], 300)
    >>> y = rng.integers(0, 2, 600)
    >>> table = disparity_intervals(y, y, sensitive_features=group, n_boot=100,
    ...                             disparities=["equalized_odds_difference"], random_state=0)
    >>> float(table.loc["equalized_odds_difference", "estimate"])
    0.0
    """
    n_boot, level, ci_method = check_interval_params(n_boot, level, ci_method)
    method = fm.check_method(method)
    inputs = fm.prepare_inputs(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        y_prob=y_prob,
        pos_label=pos_label,
        min_group_size=min_group_size,
    )
    inputs.groups.require_judged()
    available = dict(fm.DISPARITIES)
    if y_prob is not None:
        available.update(fm.PROBABILITY_DISPARITIES)
    names = list(available) if disparities is None else list(disparities)
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ParameterError(
            f"Unknown disparities {unknown}; choose from {sorted(available)} (calibration "
            "needs y_prob)."
        )
    table, _ = inputs_intervals(
        inputs, names, method=method, n_boot=n_boot, level=level, ci_method=ci_method,
        random_state=random_state,
    )  # fmt: skip
    table.attrs.update(n_boot=n_boot, method=method)
    return table


# ------------------------------------------------------------------------ trade-off
_TRADEOFF_COLUMNS = [
    "before", "before_low", "before_high",
    "after", "after_low", "after_high",
    "change", "change_low", "change_high",
]  # fmt: skip


@dataclass(frozen=True)
class TradeoffReport:
    """What a mitigation bought and cost: disparity and accuracy before and after.

    Attributes
    ----------
    table : DataFrame
        One row per disparity and ``"accuracy"``; columns ``before, after,
        change`` (after − before), each with ``_low``/``_high`` interval bounds
        (NaN when ``n_boot`` is 0). The intervals come from one paired,
        stratified bootstrap: both predictions are scored on the same resamples.
    level : float
    n_boot : int
    """

    table: pd.DataFrame
    level: float
    n_boot: int

    def _cell(self, row: str, column: str) -> str:
        value = self.table.loc[row, column]
        low, high = self.table.loc[row, f"{column}_low"], self.table.loc[row, f"{column}_high"]
        if np.isnan(low):
            return f"{value:.3f}"
        return f"{value:.3f} ({100 * self.level:g}% CI {low:.3f} to {high:.3f})"

    def __str__(self) -> str:
        parts = [
            f"{name.replace('_', ' ')} {self._cell(name, 'before')} → {self._cell(name, 'after')}"
            for name in self.table.index
        ]
        return "; ".join(parts) + "."

    def as_text(self) -> str:
        """The table as aligned text with a one-line summary above it."""
        return f"{self}\n{self.table.to_string(float_format='{:.4f}'.format)}"

    def to_frame(self) -> pd.DataFrame:
        """The before/after/change table."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: level, n_boot and one record per quantity (NaN as None)."""
        rows = [
            {"quantity": name, **{c: _plain(self.table.loc[name, c]) for c in _TRADEOFF_COLUMNS}}
            for name in self.table.index
        ]
        return {"level": self.level, "n_boot": self.n_boot, "summary": str(self), "rows": rows}

    def _repr_html_(self) -> str:
        return f"<p>{self}</p>" + self.table.to_html(float_format=lambda v: f"{v:.4f}")


def _plain(value: Any) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def tradeoff_from_values(
    before: np.ndarray,
    after: np.ndarray,
    groups: SensitiveGroups,
    disparities: Sequence[str],
    *,
    n_boot: int = 0,
    level: float = 0.95,
    ci_method: str = "percentile",
    random_state: Any = None,
) -> TradeoffReport:
    """:class:`TradeoffReport` from the per-row table values of two predictions.

    ``before`` and ``after`` are :func:`~lemma.fairness._tables.row_values`
    arrays (n, 5) of the same rows; ``n_boot=0`` gives point values only.
    """
    formulas = {name: fm.DISPARITIES[name] for name in disparities}
    formulas["accuracy"] = lambda t, o, method: fm.RATES["accuracy"](o)
    stacked = np.hstack([before, after])
    judged = groups.judged

    def evaluate(tables: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
        """Each quantity before, after and its change, on tables (..., G, 10)."""
        out = {}
        for name, formula in formulas.items():
            value = [
                formula(tables[..., judged, part], tables[..., part].sum(axis=-2), "between_groups")
                for part in (slice(0, 5), slice(5, 10))
            ]
            out[(name, "before")], out[(name, "after")] = value
            out[(name, "change")] = value[1] - value[0]
        return out

    point = evaluate(fm.group_sums(stacked, groups.codes, groups.n_groups))
    if n_boot:
        draws = evaluate(
            group_sum_replicates(stacked, groups.codes, groups.n_groups, n_boot, random_state)
        )
        long = interval_table({k: (point[k], draws[k]) for k in point}, level, ci_method)
    else:
        long = pd.DataFrame(
            {"estimate": [float(v) for v in point.values()], "ci_low": np.nan, "ci_high": np.nan},
            index=pd.MultiIndex.from_tuples(list(point)),
        )
    table = pd.DataFrame(index=pd.Index(list(formulas)), columns=_TRADEOFF_COLUMNS, dtype=float)
    for (name, column), row in long.iterrows():
        table.loc[name, [column, f"{column}_low", f"{column}_high"]] = (
            row["estimate"], row["ci_low"], row["ci_high"],
        )  # fmt: skip
    return TradeoffReport(table=table, level=level, n_boot=n_boot)


def mitigation_tradeoff(
    y_true: Any,
    y_pred_before: Any,
    y_pred_after: Any,
    *,
    sensitive_features: Any,
    disparities: Sequence[str] = ("demographic_parity_difference",),
    sample_weight: Any = None,
    n_boot: int = 1000,
    level: float = 0.95,
    ci_method: str = "percentile",
    pos_label: Any = 1,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    random_state: Any = None,
) -> TradeoffReport:
    """Disparity and accuracy of two sets of predictions, with paired bootstrap intervals.

    Score an unmitigated model (``y_pred_before``) and a mitigated one
    (``y_pred_after``) on the same rows — held-out rows, to see what the
    mitigation does beyond the data it was fitted on.

    Parameters
    ----------
    y_true, y_pred_before, y_pred_after : array-like of shape (n_samples,)
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
    disparities : sequence of str, default=("demographic_parity_difference",)
        Names from :data:`lemma.fairness._tables.DISPARITIES`.
    sample_weight, pos_label, min_group_size
        As the named metrics.
    n_boot : int, default=1000
        Resamples for the intervals (0: point values only).
    level : float, default=0.95
    ci_method : {"percentile", "basic"}, default="percentile"
    random_state : int, Generator or None

    Returns
    -------
    TradeoffReport

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.fairness import mitigation_tradeoff
    >>> group = np.repeat(["a", "b"], 100)
    >>> y = np.tile([0, 1], 100)
    >>> before = np.where(group == "a", 1, y)          # group a always selected
    >>> report = mitigation_tradeoff(y, before, y, sensitive_features=group, n_boot=0)
    >>> print(report)
    demographic parity difference 0.500 → 0.000; accuracy 0.750 → 1.000.
    """
    n_boot, level, ci_method = check_interval_params(
        n_boot, level, ci_method, allow_zero=True, methods=("percentile", "basic")
    )
    unknown = [name for name in disparities if name not in fm.DISPARITIES]
    if unknown:
        raise ParameterError(
            f"Unknown disparities {unknown}; choose from {sorted(fm.DISPARITIES)}."
        )
    before = fm.prepare_inputs(
        y_true, y_pred_before, sensitive_features=sensitive_features,
        sample_weight=sample_weight, pos_label=pos_label, min_group_size=min_group_size,
    )  # fmt: skip
    after = fm.prepare_inputs(
        y_true, y_pred_after, sensitive_features=sensitive_features,
        sample_weight=sample_weight, pos_label=pos_label, min_group_size=min_group_size,
    )  # fmt: skip
    before.groups.require_judged()
    return tradeoff_from_values(
        before.values, after.values, before.groups, list(disparities),
        n_boot=n_boot, level=level, ci_method=ci_method, random_state=random_state,
    )  # fmt: skip
