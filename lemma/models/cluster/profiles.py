"""Cluster profiles: what the rows of each cluster look like, and how they differ from all rows.

For cluster c with n_c rows, and a numeric column x with overall mean x̄ and
standard deviation s (over all rows, divisor n):

    mean_c(x),    standardised difference  d_c(x) = (mean_c(x) − x̄) / s.

For a categorical column the profile is the cluster's most frequent category m_c with
its share p_c(m_c); the difference is that of the indicator ``1[x = m_c]``:

    d_c = (p_c(m_c) − p(m_c)) / √(p(m_c)(1 − p(m_c))),

p(m_c) being the category's overall share — so numeric and categorical differences
are both standardised mean differences (Cohen's d against the overall spread) and can
be ranked together. A cluster's description names its (at most three) largest
differences of at least 0.5 in absolute value.

Reference: Cohen, *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.
(1988), §2.2 (standardised mean differences).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataValidationError

__all__ = ["ClusterProfiles", "cluster_profiles"]

#: Smallest |standardised difference| a description mentions.
NOTABLE = 0.5


@dataclass(frozen=True)
class ClusterProfiles:
    """Per-cluster summaries of a table.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per cluster and a last row ``"all"``: ``size``, ``share``, the mean
        of each numeric column and the most frequent value of each categorical one.
    differences : pandas.DataFrame
        One row per cluster, one column per input column: the standardised
        difference from all rows (see the module docstring).
    descriptions : dict
        Cluster → one sentence on its size and most distinctive columns.
    """

    table: pd.DataFrame
    differences: pd.DataFrame
    descriptions: dict[Any, str]

    def __str__(self) -> str:
        return "\n".join(self.descriptions.values())


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if type(X).__module__.split(".")[0] == "polars":
        return X.to_pandas()
    array = np.asarray(X)
    if array.ndim != 2:
        raise DataValidationError(
            f"cluster_profiles needs a table (2-D); got an array of shape {array.shape}."
        )
    return pd.DataFrame(array, columns=[f"x{j}" for j in range(array.shape[1])])


def _numeric(frame: pd.DataFrame, column: Any) -> bool:
    return pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(frame[column])


def _describe(cluster: Any, size: int, share: float, row: pd.Series, table: pd.DataFrame) -> str:
    notable = row[row.abs() >= NOTABLE].sort_values(key=np.abs, ascending=False).head(3)
    parts = []
    for column, value in notable.items():
        mode = table.loc[cluster, column]
        if isinstance(mode, int | float | np.number) and not isinstance(mode, bool):
            direction = "higher" if value > 0 else "lower"
            parts.append(f"{direction} {column} ({value:+.1f} sd)")
        else:
            direction = "mostly" if value > 0 else "rarely"
            parts.append(f"{direction} {column} = {mode!r} ({value:+.1f} sd)")
    traits = ", ".join(parts) if parts else "close to the overall profile"
    rows = "row" if size == 1 else "rows"
    return f"cluster {cluster}: {size} {rows} ({share:.0%}); {traits}"


def cluster_profiles(X_df: Any, labels: Any) -> ClusterProfiles:
    """Size, means, modes and standardised differences of each cluster.

    Parameters
    ----------
    X_df : pandas DataFrame (or polars DataFrame, or 2-D array)
        The rows that were clustered, in their original units (numeric and
        categorical columns; missing values are skipped).
    labels : array-like of shape (n_samples,)
        Cluster of each row (e.g. ``model.labels_``; −1 for noise is a cluster too).

    Returns
    -------
    ClusterProfiles

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.models.cluster import cluster_profiles
    >>> frame = pd.DataFrame({"income": [20, 22, 21, 80, 85, 90],
    ...                       "city": ["A", "A", "B", "C", "C", "C"]})
    >>> profiles = cluster_profiles(frame, [0, 0, 0, 1, 1, 1])
    >>> profiles.table
         size  share  income city
    0       3    0.5    21.0    A
    1       3    0.5    85.0    C
    all     6    1.0    53.0    C
    >>> print(profiles.descriptions[1])
    cluster 1: 3 rows (50%); mostly city = 'C' (+1.0 sd), higher income (+1.0 sd)
    """
    frame = _as_frame(X_df)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] != frame.shape[0]:
        raise DataValidationError(
            f"labels must hold one cluster per row of X_df ({frame.shape[0]} rows); got "
            f"shape {labels.shape}."
        )
    groups = pd.Series(labels, index=frame.index, name="cluster")
    clusters = np.unique(labels)
    sizes = groups.value_counts().reindex(clusters)
    table = pd.DataFrame({"size": sizes.to_numpy(), "share": sizes.to_numpy() / labels.size},
                         index=pd.Index(clusters, dtype=object))  # fmt: skip
    table.loc["all"] = [labels.size, 1.0]
    table["size"] = table["size"].astype(int)
    differences = pd.DataFrame(index=pd.Index(clusters, dtype=object))
    for column in frame.columns:
        values = frame[column]
        if _numeric(frame, column):
            numbers = values.astype(float)
            means = numbers.groupby(groups).mean().reindex(clusters)
            spread = numbers.std(ddof=0)
            table[column] = [*means.to_numpy(), numbers.mean()]
            scale = spread if spread > 0 else np.inf
            differences[column] = ((means - numbers.mean()) / scale).to_numpy()
        else:
            modes = values.groupby(groups).agg(_mode).reindex(clusters)
            table[column] = [*modes.to_numpy(), _mode(values)]
            differences[column] = [_indicator_difference(values, groups, c, m)
                                   for c, m in zip(clusters, modes, strict=True)]  # fmt: skip
    descriptions = {
        c: _describe(c, int(sizes[c]), float(sizes[c] / labels.size), differences.loc[c], table)
        for c in clusters
    }
    return ClusterProfiles(table, differences, descriptions)


def _mode(values: pd.Series) -> Any:
    counts = values.dropna().value_counts(sort=True)
    return counts.index[0] if counts.size else None


def _indicator_difference(values: pd.Series, groups: pd.Series, cluster: Any, mode: Any) -> float:
    if mode is None:
        return 0.0
    hit = (values == mode).astype(float)
    overall = hit.mean()
    spread = np.sqrt(overall * (1 - overall))
    if spread == 0:
        return 0.0
    return float((hit[groups == cluster].mean() - overall) / spread)
