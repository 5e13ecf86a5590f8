"""Reweighing (Kamiran & Calders 2012): weights that make the label independent of the group.

In the training data the label Y and the sensitive attribute A are often dependent
(women labelled ">50K" less often than men). Reweighing gives every row of the
cell (A = a, Y = y) the weight

    w(a, y) = P(A = a) · P(Y = y) / P(A = a, Y = y)

(probabilities estimated by the, optionally weighted, shares of the training
rows). Under the reweighted distribution P_w(A = a, Y = y) = P(A = a) P(Y = y):
A and Y are independent, while each marginal stays as it was. A classifier fitted
with these weights (pass them as ``sample_weight`` to any lemma classifier) learns
from data without the dependence, which lowers the demographic parity difference
of its predictions; the data themselves are untouched (no relabelling, no
dropped rows). Cells over-represented relative to independence (for example
favourable labels in a favoured group) get weights below 1, under-represented
cells weights above 1.

Reference: F. Kamiran & T. Calders, "Data preprocessing techniques for
classification without discrimination", *Knowledge and Information Systems*
33(1), 2012, §4.2.

Examples
--------
>>> from lemma.fairness import Reweighing
>>> y = [1, 1, 1, 0, 1, 0, 0, 0]
>>> sex = ["M", "M", "M", "M", "F", "F", "F", "F"]
>>> Reweighing().fit_weights(None, y, sensitive_features=sex).round(3).tolist()
[0.667, 0.667, 0.667, 2.0, 2.0, 0.667, 0.667, 0.667]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lemma.base import BaseEstimator
from lemma.exceptions import DataValidationError
from lemma.fairness._groups import as_groups
from lemma.validation import check_sample_weight, check_y, encode_classes

__all__ = ["Reweighing", "reweighing_weights"]


def _rows(X: Any, y: Any) -> tuple[np.ndarray, int]:
    labels = check_y(y, estimator_name="Reweighing")
    if X is not None and len(X) != labels.shape[0]:
        raise DataValidationError(
            f"X has {len(X)} rows but y has {labels.shape[0]}; pass the training rows and "
            "their labels."
        )
    return labels, labels.shape[0]


class Reweighing(BaseEstimator):
    """Kamiran & Calders reweighing: a weight per (group, label) cell.

    ``w(a, y) = P(A = a) P(Y = y) / P(A = a, Y = y)``; see the module docstring.

    Attributes
    ----------
    classes_ : ndarray
        Labels seen in ``fit``.
    groups_ : list of str
        Group labels seen in ``fit``.
    weights_table_ : DataFrame of shape (n_groups, n_classes)
        The weight of each cell (NaN for a cell without training rows).

    Examples
    --------
    >>> from lemma.fairness import Reweighing
    >>> rw = Reweighing().fit(None, [1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"])
    >>> rw.weights_table_.round(3)
         0    1
    a  1.5  0.5
    b  0.75 NaN
    """

    def fit(
        self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None
    ) -> Reweighing:
        """Estimate the cell weights from the training labels and groups.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or None
            Only its length is checked (the weights do not depend on X).
        y : array-like of shape (n_samples,)
            Class labels.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
        sample_weight : array-like of shape (n_samples,), default=None
            Existing weights: the probabilities are weighted shares.

        Returns
        -------
        self
        """
        labels, n = _rows(X, y)
        w = check_sample_weight(sample_weight, n)
        self.classes_, codes = encode_classes(labels, w, "Reweighing")
        groups = as_groups(sensitive_features, n, min_group_size=1)
        k = self.classes_.size
        joint = np.bincount(groups.codes * k + codes, weights=w, minlength=groups.n_groups * k)
        joint = joint.reshape(groups.n_groups, k) / w.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            table = np.outer(joint.sum(axis=1), joint.sum(axis=0)) / joint
        table[joint == 0] = np.nan
        self.groups_ = groups.labels
        self.weights_table_ = pd.DataFrame(
            table, index=pd.Index(groups.labels), columns=pd.Index(self.classes_)
        )
        return self

    def weights(self, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> np.ndarray:
        """The weight of each row's (group, label) cell, times ``sample_weight`` if given.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        ndarray of shape (n_samples,)
            Pass as ``sample_weight`` to a classifier's ``fit``.
        """
        self._check_is_fitted()
        labels, n = _rows(None, y)
        w = check_sample_weight(sample_weight, n)
        groups = as_groups(sensitive_features, n, min_group_size=1, min_groups=1)
        row_groups = np.asarray(groups.labels, dtype=object)[groups.codes]
        unknown = sorted(set(row_groups) - set(self.groups_))
        if unknown:
            raise DataValidationError(
                f"sensitive_features has groups {unknown} not seen in fit ({self.groups_}); "
                "reweighing has no weight for them."
            )
        class_index = {c: j for j, c in enumerate(self.classes_.tolist())}
        cols = np.array([class_index.get(v, -1) for v in labels.tolist()])
        if (cols < 0).any():
            raise DataValidationError(
                f"y has labels {sorted({str(v) for v in labels[cols < 0]})} not seen in fit "
                f"({self.classes_.tolist()})."
            )
        group_index = {g: i for i, g in enumerate(self.groups_)}
        rows = np.array([group_index[g] for g in row_groups])
        out = self.weights_table_.to_numpy()[rows, cols]
        if np.isnan(out).any():
            raise DataValidationError(
                "Some rows fall in a (group, label) cell that had no training rows, so "
                "reweighing has no weight for them; fit on data that contain every cell."
            )
        return out * w

    def fit_weights(
        self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None
    ) -> np.ndarray:
        """``fit`` then ``weights`` on the same rows: the training weights.

        Examples
        --------
        >>> from lemma.fairness import Reweighing
        >>> Reweighing().fit_weights(None, [1, 0, 0, 0], sensitive_features=list("aabb")).tolist()
        [0.5, 1.5, 0.75, 0.75]
        """
        self.fit(X, y, sensitive_features=sensitive_features, sample_weight=sample_weight)
        return self.weights(y, sensitive_features=sensitive_features, sample_weight=sample_weight)


def reweighing_weights(y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> np.ndarray:
    """Kamiran & Calders training weights ``P(A)P(Y)/P(A, Y)`` for each row.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    ndarray of shape (n_samples,)
        Pass as ``sample_weight`` to any lemma classifier's ``fit``.

    Examples
    --------
    >>> from lemma.fairness import reweighing_weights
    >>> reweighing_weights([1, 1, 0, 0], sensitive_features=["a", "a", "a", "b"]).tolist()
    [0.75, 0.75, 1.5, 0.5]
    """
    return Reweighing().fit_weights(
        None, y, sensitive_features=sensitive_features, sample_weight=sample_weight
    )
