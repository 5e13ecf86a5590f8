"""The result of a cross-validation: scikit-learn's dict, plus intervals for every metric.

For a metric with split scores ``s₁, …, s_J`` on training/test parts of sizes
``n_train`` and ``n_test``, :meth:`CVResult.summary` reports the mean, the
fold-to-fold standard deviation and two intervals for the mean
(:mod:`lemma.selection.intervals`):

    corrected_t:  s̄ ± t_{J−1} √((1/J + n_test/n_train) σ̂²)     (Nadeau & Bengio, 2003)
    bootstrap:    percentiles of the means of J folds resampled with replacement.

Reference: C. Nadeau & Y. Bengio, "Inference for the generalization error",
Machine Learning 52 (2003) 239–281.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import ParameterError
from lemma.selection.intervals import INTERVALS, ScoreInterval, score_interval

__all__ = ["CVResult"]


class CVResult(dict):
    """Cross-validation scores: a dict with scikit-learn's keys, and intervals.

    Keys (as ``sklearn.model_selection.cross_validate``): ``fit_time``,
    ``score_time``, ``test_<metric>`` (``test_score`` for one metric), and when
    asked ``train_<metric>``, ``estimator``, ``indices``.

    Attributes
    ----------
    metrics : list of str
        Metric names (``["score"]`` for one metric).
    n_train, n_test : ndarray of int, shape (n_splits,)
        Sizes of the training and test part of each split.
    confidence : float
        Default coverage of the intervals.
    fit_errors : list of (str or None)
        Traceback of each failed fit, None for the others.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection import CVResult
    >>> result = CVResult({"fit_time": np.zeros(3), "score_time": np.zeros(3),
    ...                    "test_score": np.array([0.7, 0.8, 0.75])},
    ...                   metrics=["score"], n_train=[20, 20, 20], n_test=[10, 10, 10])
    >>> round(result.interval().mean, 3)
    0.75
    >>> list(result.summary().columns)
    ['metric', 'method', 'mean', 'std', 'std_err', 'ci_low', 'ci_high']
    """

    def __init__(
        self,
        data: dict[str, Any],
        *,
        metrics: Sequence[str],
        n_train: Any,
        n_test: Any,
        confidence: float = 0.95,
        fit_errors: Sequence[str | None] | None = None,
    ):
        super().__init__(data)
        self.metrics = list(metrics)
        self.n_train = np.asarray(n_train, dtype=int)
        self.n_test = np.asarray(n_test, dtype=int)
        self.confidence = confidence
        self.fit_errors = list(fit_errors) if fit_errors is not None else [None] * len(n_test)

    @classmethod
    def from_folds(
        cls, folds: Sequence[Any], *, confidence: float = 0.95, return_estimator: bool = False
    ) -> CVResult:
        """Assemble the :class:`~lemma.selection.validate.FoldResult` of every split."""
        metrics = list(folds[0].test_scores)
        data: dict[str, Any] = {
            "fit_time": np.array([f.fit_time for f in folds]),
            "score_time": np.array([f.score_time for f in folds]),
        }
        if return_estimator:
            data["estimator"] = [f.estimator for f in folds]
        for name in metrics:
            data[f"test_{name}"] = np.array([f.test_scores[name] for f in folds])
            if folds[0].train_scores is not None:
                data[f"train_{name}"] = np.array([f.train_scores[name] for f in folds])
        return cls(
            data,
            metrics=metrics,
            n_train=[f.n_train for f in folds],
            n_test=[f.n_test for f in folds],
            confidence=confidence,
            fit_errors=[f.fit_error for f in folds],
        )

    @property
    def n_splits(self) -> int:
        """Number of train/test splits J."""
        return int(self.n_test.size)

    def interval(
        self,
        metric: str | None = None,
        *,
        method: str = "corrected_t",
        confidence: float | None = None,
        part: str = "test",
    ) -> ScoreInterval:
        """Mean of one metric over the splits with its confidence interval.

        Parameters
        ----------
        metric : str or None
            A name in :attr:`metrics`; None takes the first.
        method : {"corrected_t", "bootstrap"}, default="corrected_t"
        confidence : float or None
            Defaults to :attr:`confidence`.
        part : {"test", "train"}, default="test"

        Returns
        -------
        ScoreInterval
        """
        name = self.metrics[0] if metric is None else metric
        key = f"{part}_{name}"
        if name not in self.metrics or key not in self:
            raise ParameterError(
                f"No {part} scores for metric {name!r}; available keys: {sorted(self)}."
            )
        level = self.confidence if confidence is None else confidence
        return score_interval(self[key], self.n_train, self.n_test, method=method, confidence=level)

    def summary(self, confidence: float | None = None) -> pd.DataFrame:
        """One row per test metric and interval method.

        Columns: metric, method, mean, std (fold to fold), std_err, ci_low, ci_high.
        """
        rows = []
        for name in self.metrics:
            for method in INTERVALS:
                ci = self.interval(name, method=method, confidence=confidence)
                rows.append(
                    {
                        "metric": name,
                        "method": method,
                        "mean": ci.mean,
                        "std": ci.std,
                        "std_err": ci.std_err,
                        "ci_low": ci.ci_low,
                        "ci_high": ci.ci_high,
                    }
                )
        frame = pd.DataFrame(rows)
        frame.attrs["confidence"] = self.confidence if confidence is None else confidence
        return frame

    def to_frame(self) -> pd.DataFrame:
        """Per-split table: split, n_train, n_test, times and every score."""
        frame = pd.DataFrame(
            {"split": np.arange(self.n_splits), "n_train": self.n_train, "n_test": self.n_test}
        )
        for key, value in self.items():
            if key not in ("estimator", "indices"):
                frame[key] = value
        return frame

    def __repr__(self) -> str:
        level = self.confidence
        lines = [f"CVResult({self.n_splits} splits; mean [{100 * level:g}% interval]):"]
        for name in self.metrics:
            t = self.interval(name)
            b = self.interval(name, method="bootstrap")
            lines.append(
                f"  {name}: {t.mean:.4g}  corrected t [{t.ci_low:.4g}, {t.ci_high:.4g}]  "
                f"bootstrap [{b.ci_low:.4g}, {b.ci_high:.4g}]"
            )
        lines.append(f"  keys: {', '.join(self)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.summary().to_html(index=False, float_format=lambda v: f"{v:.4g}")
