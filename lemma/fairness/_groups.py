"""Sensitive features → groups: one code per row, intersections, a minimum group size.

A sensitive feature A (sex, race, age band) splits the n rows into groups. With
several columns the groups are their intersections: ``sex × race`` gives groups
such as ``"Female, Black"``, and only the combinations that occur are groups.
Groups are ordered by the sorted values of the first column, then the second, and
so on (fairlearn's ``MetricFrame`` order).

A disparity computed on a handful of rows is noise: a group of 12 people with 3
selected has a selection rate of 0.25 with a 95% interval of roughly 0.05 to 0.57.
So every group with fewer than ``min_group_size`` rows (unweighted; default
:data:`DEFAULT_MIN_GROUP_SIZE` = 30, the usual rule of thumb under which a
proportion's normal approximation is poor) is reported as *too small to judge*:
it is listed with its size, and left out of every difference, ratio, minimum and
maximum across groups. It still counts in the overall value.

Missing values in a sensitive feature are refused (a missing group cannot be
judged; make it explicit, e.g. ``"unknown"``), and so is a feature with one group
(there is nothing to compare).

Reference: Kearns, Neel, Roth & Wu, "Preventing fairness gerrymandering: auditing
and learning for subgroup fairness", ICML 2018 (why intersections matter).

Examples
--------
>>> import pandas as pd
>>> from lemma.fairness._groups import as_groups
>>> sf = pd.DataFrame({"sex": ["F", "M", "F", "M"], "race": ["a", "a", "b", "b"]})
>>> groups = as_groups(sf, min_group_size=1)
>>> groups.labels, groups.codes.tolist()
(['F, a', 'F, b', 'M, a', 'M, b'], [0, 2, 1, 3])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataTypeError, DataValidationError, ParameterError

__all__ = ["DEFAULT_MIN_GROUP_SIZE", "SensitiveGroups", "as_groups", "check_min_group_size"]

#: Groups with fewer rows than this are reported as too small to judge.
DEFAULT_MIN_GROUP_SIZE = 30


@dataclass(frozen=True)
class SensitiveGroups:
    """The groups a sensitive feature (or an intersection of several) defines.

    Attributes
    ----------
    codes : ndarray of int of shape (n_samples,)
        Group index of each row, ``0..n_groups-1``.
    labels : list of str
        Group names, ``"Female"`` or ``"Female, Black"`` for intersections.
    values : list of tuple
        The original value of each column, per group.
    columns : list of str
        Names of the sensitive columns.
    sizes : ndarray of int of shape (n_groups,)
        Rows per group (unweighted).
    min_group_size : int
        Groups with fewer rows are too small to judge.
    """

    codes: np.ndarray
    labels: list[str]
    values: list[tuple]
    columns: list[str]
    sizes: np.ndarray
    min_group_size: int

    @property
    def name(self) -> str:
        """The sensitive feature's name, ``"sex"`` or ``"sex, race"``."""
        return ", ".join(self.columns)

    @property
    def n_groups(self) -> int:
        """Number of groups (combinations that occur)."""
        return len(self.labels)

    @property
    def judged(self) -> np.ndarray:
        """Boolean mask over groups: large enough to be judged."""
        return self.sizes >= self.min_group_size

    @property
    def too_small(self) -> pd.Series:
        """Size of each group below ``min_group_size`` (empty when there is none)."""
        small = ~self.judged
        return pd.Series(
            self.sizes[small],
            index=pd.Index([lab for lab, s in zip(self.labels, small, strict=True) if s]),
            name="n_rows",
            dtype="int64",
        )

    def judged_labels(self) -> list[str]:
        """Labels of the groups that are large enough to be judged."""
        return [lab for lab, ok in zip(self.labels, self.judged, strict=True) if ok]

    def require_judged(self, min_groups: int = 2) -> None:
        """Raise unless at least ``min_groups`` groups are large enough to compare."""
        if int(self.judged.sum()) >= min_groups:
            return
        small = ", ".join(f"{lab!r} ({n} rows)" for lab, n in self.too_small.items())
        raise DataValidationError(
            f"Only {int(self.judged.sum())} group(s) of {self.name!r} have at least "
            f"min_group_size={self.min_group_size} rows, so no disparity can be judged; "
            f"too small: {small}. Collect more data, merge small groups, or lower "
            "min_group_size (knowing that small groups give noisy rates)."
        )


def check_min_group_size(value: Any) -> int:
    """``min_group_size`` as an int >= 1, or a clear error."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ParameterError(
            f"The 'min_group_size' parameter must be an int >= 1. Got {value!r} instead."
        )
    return int(value)


def _columns(sensitive_features: Any, name: str) -> tuple[list[str], list[np.ndarray]]:
    """The sensitive columns as (names, 1-D object arrays)."""
    if sensitive_features is None:
        raise DataValidationError(
            f"{name} is None; pass the sensitive attribute(s) (a Series, an array or a "
            "DataFrame with one column per attribute), one value per row."
        )
    if isinstance(sensitive_features, pd.DataFrame):
        frame = sensitive_features
        names = [str(c) for c in frame.columns]
        return names, [frame.iloc[:, j].to_numpy(dtype=object) for j in range(frame.shape[1])]
    if hasattr(sensitive_features, "columns") and hasattr(sensitive_features, "get_column"):
        names = [str(c) for c in sensitive_features.columns]  # polars DataFrame
        return names, [
            np.asarray(sensitive_features.get_column(c).to_list(), dtype=object) for c in names
        ]
    if isinstance(sensitive_features, pd.Series):
        label = (
            "sensitive_feature" if sensitive_features.name is None else str(sensitive_features.name)
        )
        return [label], [sensitive_features.to_numpy(dtype=object)]
    if hasattr(sensitive_features, "to_numpy"):  # polars Series
        label = str(getattr(sensitive_features, "name", "") or "sensitive_feature")
        return [label], [np.asarray(sensitive_features.to_numpy(), dtype=object)]
    arr = np.asarray(sensitive_features, dtype=object)
    if arr.ndim == 1:
        return ["sensitive_feature"], [arr]
    if arr.ndim == 2:
        return [f"sensitive_feature_{j}" for j in range(arr.shape[1])], [
            arr[:, j] for j in range(arr.shape[1])
        ]
    raise DataValidationError(
        f"{name} must be 1-D (one attribute) or 2-D (one column per attribute); got shape "
        f"{arr.shape}."
    )


def _factorize(values: np.ndarray, column: str, name: str) -> tuple[np.ndarray, list[Any]]:
    """Integer codes and sorted unique values of one column; NaN refused."""
    missing = pd.isna(values)
    if missing.any():
        raise DataValidationError(
            f"{name} has missing values (NaN/None) in column {column!r} "
            f"({int(missing.sum())} rows, first at row {int(np.flatnonzero(missing)[0])}); a "
            "missing group cannot be judged. Fill them with an explicit value such as "
            "'unknown' (it becomes a group of its own) or drop those rows."
        )
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # unsortable (mixed types, containers): order by their text
        text = np.array([f"{type(v).__name__}:{v}" for v in values], dtype=object)
        codes, _ = pd.factorize(text, sort=True)
        _, first = np.unique(codes, return_index=True)
        uniques = values[first]
    uniques = np.asarray(uniques, dtype=object)
    if any(isinstance(v, list | dict | set | np.ndarray) for v in uniques[:5]):
        raise DataTypeError(
            f"{name} column {column!r} holds containers ({type(uniques[0]).__name__}); pass "
            "one hashable value (a label or a number) per row."
        )
    return codes.reshape(-1), list(uniques)


def as_groups(
    sensitive_features: Any,
    n_samples: int | None = None,
    *,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    name: str = "sensitive_features",
    min_groups: int = 2,
) -> SensitiveGroups:
    """Group each row by its sensitive feature(s); intersections for several columns.

    Parameters
    ----------
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
        A Series, list, array or DataFrame; several columns give intersectional groups.
    n_samples : int or None
        Expected number of rows (checked when given).
    min_group_size : int, default=30
        Groups with fewer rows are too small to judge.
    name : str
        Name used in error messages.
    min_groups : int, default=2
        Fewest groups accepted: 2 to measure a disparity, 1 to look rows up (a
        fitted mitigator predicting for one group).

    Returns
    -------
    SensitiveGroups

    Examples
    --------
    >>> from lemma.fairness._groups import as_groups
    >>> g = as_groups(["a", "b", "b", "a", "b"], min_group_size=3)
    >>> g.labels, g.sizes.tolist(), g.too_small.to_dict()
    (['a', 'b'], [2, 3], {'a': 2})
    """
    min_group_size = check_min_group_size(min_group_size)
    columns, arrays = _columns(sensitive_features, name)
    n = len(arrays[0])
    if n_samples is not None and n != n_samples:
        raise DataValidationError(
            f"{name} has {n} rows but y_true has {n_samples}; pass one sensitive value per "
            "row of the data."
        )
    if n == 0 or not arrays:
        raise DataValidationError(f"{name} is empty; pass one sensitive value per row.")
    codes = np.zeros(n, dtype=np.int64)
    uniques: list[list[Any]] = []
    for column, column_values in zip(columns, arrays, strict=True):
        col_codes, col_uniques = _factorize(column_values, column, name)
        codes = codes * len(col_uniques) + col_codes
        uniques.append(col_uniques)
    present, codes = np.unique(codes, return_inverse=True)
    values: list[tuple] = []
    for combined in present:
        combo = []
        for col_uniques in reversed(uniques):
            combined, k = divmod(int(combined), len(col_uniques))
            combo.append(col_uniques[k])
        values.append(tuple(reversed(combo)))
    labels = [", ".join(str(v) for v in combo) for combo in values]
    sizes = np.bincount(codes, minlength=len(labels))
    if len(labels) < min_groups:
        raise DataValidationError(
            f"{name} has a single group ({labels[0]!r}, {n} rows); a disparity compares "
            "groups, so pass a sensitive feature with at least two values."
        )
    return SensitiveGroups(
        codes=codes.reshape(-1),
        labels=labels,
        values=values,
        columns=columns,
        sizes=sizes,
        min_group_size=min_group_size,
    )


def binary_fit_inputs(y: Any, sample_weight: Any, sensitive_features: Any, owner: str):
    """The checked inputs of a two-class fairness estimator's ``fit``.

    Returns ``(classes, codes, weights, groups)``: the two classes (the second is the
    favourable one), y as codes 0/1, the sample weights (ones when None) and the
    sensitive groups (every group kept, ``min_group_size=1``).
    """
    from lemma.validation import check_sample_weight, check_y, encode_classes

    labels = check_y(y, estimator_name=owner)
    weights = check_sample_weight(sample_weight, labels.shape[0])
    classes, codes = encode_classes(labels, weights, owner)
    if classes.size != 2:
        raise DataValidationError(
            f"{owner} is for two classes; y has {classes.size} ({classes.tolist()[:5]}). "
            "Binarise the target first."
        )
    groups = as_groups(sensitive_features, labels.shape[0], min_group_size=1)
    return classes, codes, weights, groups
