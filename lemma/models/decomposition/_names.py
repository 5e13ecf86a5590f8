"""Output column names of transformers whose outputs are new axes: ``pca0, pca1, ...``.

The name is the class name in lower case followed by the output's index (scikit-learn's
``ClassNamePrefixFeaturesOutMixin`` convention), so a DataFrame output of ``PCA`` has
columns ``pca0, pca1, ...`` and one of ``KMeans.transform`` ``kmeans0, kmeans1, ...``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lemma.exceptions import ParameterError
from lemma.validation import check_is_fitted

__all__ = ["ClassNamePrefixFeaturesOutMixin"]


class ClassNamePrefixFeaturesOutMixin:
    """``get_feature_names_out`` → ``<classname>0, <classname>1, ...``.

    The class sets ``_n_features_out`` (the number of output columns) in ``fit``.
    """

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output column names, ``<lower-case class name><index>``.

        Parameters
        ----------
        input_features : array-like of str, optional
            Checked against the input columns seen at fit (length and names) and
            otherwise unused.

        Returns
        -------
        ndarray of str objects, shape (n_features_out,)
        """
        check_is_fitted(self)
        if input_features is not None:
            names = np.asarray(input_features, dtype=object)
            fitted = getattr(self, "feature_names_in_", None)
            if len(names) != self.n_features_in_:  # type: ignore[attr-defined]
                raise ParameterError(
                    f"input_features should have length equal to number of features "
                    f"({self.n_features_in_}), got {len(names)}."  # type: ignore[attr-defined]
                )
            if fitted is not None and not np.array_equal(fitted, names):
                raise ParameterError("input_features is not equal to feature_names_in_.")
        prefix = type(self).__name__.lower()
        count = self._n_features_out  # type: ignore[attr-defined]
        return np.asarray([f"{prefix}{i}" for i in range(count)], dtype=object)
