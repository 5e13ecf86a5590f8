"""Post-processing with group-specific thresholds (Hardt, Price & Srebro 2016).

A fitted scorer s(x) (a probability, a decision function or a hard prediction)
is turned into a decision by a threshold per group a: ŷ = 1 if s(x) ≥ t_a. A
threshold t gives group a the point (x_a(t), y_a(t)):

* demographic parity: x = selection rate P(ŷ=1 | A=a), y = the group's share of
  the objective (accuracy: its correctly classified weight over the total
  weight; balanced accuracy: TP/(2P) + TN/(2N) with the overall P and N);
* equalized odds: x = FPR, y = TPR of the group (its ROC curve).

Randomising between two thresholds reaches every point of the segment between
them, so a group can attain any point of the *upper concave hull* of its points.
For demographic parity every group is held at the same selection rate x, and x
is chosen on a grid of ``grid_size + 1`` values in [0, 1] to maximise
``Σ_a hull_a(x)``, the overall objective. For equalized odds every group must
sit at the same (FPR, TPR) = (x, y): the attainable y at x is ``min_a
hull_a(x)``, x maximises the objective (accuracy = (N(1 − x) + P y)/W); a group
whose hull lies above y at x mixes its hull point with the constant classifier
"predict 1 with probability x" (the point (x, x) on the diagonal) with
probability ``p = (hull_a(x) − y)/(hull_a(x) − x)``, which lands on (x, y).

So each group's decision is randomised: with probability ``1 − p₁`` use threshold
``t_lo``, else ``t_hi`` (and, for equalized odds, with probability ``p_ignore``
ignore the score and predict 1 with probability x). On the data it was fitted on
the constraint holds exactly in expectation (up to the grid); the randomness
comes from ``random_state``. ``predict`` needs the sensitive features.

Reference: M. Hardt, E. Price & N. Srebro, "Equality of opportunity in supervised
learning", NeurIPS 2016, §3-4; fairlearn's ``ThresholdOptimizer`` (same
construction, its 'accuracy_score' objective).

Examples
--------
>>> import numpy as np
>>> from lemma.fairness import ThresholdOptimizer, demographic_parity_difference
>>> from lemma.models.linear import LogisticRegression
>>> rng = np.random.default_rng(0)
>>> group = rng.choice(["a", "b"], 600)
>>> X = rng.normal(size=(600, 2)) + (group == "a")[:, None]
>>> y = (X[:, 0] + rng.normal(size=600) > 0.5).astype(int)
>>> model = ThresholdOptimizer(LogisticRegression(), random_state=0)
>>> _ = model.fit(X, y, sensitive_features=group)
>>> pmf = model._pmf_predict(X, sensitive_features=group)[:, 1]
>>> [round(float(pmf[group == g].mean()), 3) for g in ("a", "b")]   # equal selection rates
[0.31, 0.31]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lemma._constraints import BOOL, RANDOM_STATE, Interval, Options, satisfies
from lemma.base import BaseEstimator, ClassifierMixin, Tags, clone
from lemma.exceptions import DataValidationError
from lemma.fairness._groups import SensitiveGroups, as_groups, binary_fit_inputs
from lemma.fairness._tables import row_values
from lemma.fairness.intervals import TradeoffReport, tradeoff_from_values
from lemma.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    check_y,
)

__all__ = ["ThresholdOptimizer"]

#: constraint -> the disparity it removes (reported before/after).
CONSTRAINT_DISPARITY = {
    "demographic_parity": "demographic_parity_difference",
    "equalized_odds": "equalized_odds_difference",
}


def _is_estimator(value: Any) -> bool:
    return hasattr(value, "fit") and hasattr(value, "predict")


# ------------------------------------------------------------------- one group
def threshold_points(
    scores: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted TP and FP counts of "ŷ = 1 if score ≥ t" for every useful threshold.

    Returns ``thresholds`` (+inf first: select nobody; then the distinct scores
    from high to low), and cumulative ``tp``, ``fp`` of the same length.
    """
    order = np.argsort(-scores, kind="stable")
    s, pos, neg = scores[order], (w * y)[order], (w * (1 - y))[order]
    last = np.flatnonzero(np.r_[s[1:] != s[:-1], True])  # last row of each distinct score
    tp = np.r_[0.0, np.cumsum(pos)[last]]
    fp = np.r_[0.0, np.cumsum(neg)[last]]
    return np.r_[np.inf, s[last]], tp, fp


def upper_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the upper concave hull of points with non-decreasing ``x``.

    Of points sharing an x the highest is kept; a point on or below the chord of
    its neighbours is dropped (Andrew's monotone chain, upper half), within a
    rounding tolerance of 1e-14 so that collinear points are dropped consistently.
    """
    order = np.lexsort((y, x))  # by x, then y: the last of each run of equal x is the highest
    last = np.r_[x[order][1:] != x[order][:-1], True]
    best = order[last]
    hull: list[int] = []
    for i in best:
        while len(hull) >= 2:
            o, a = hull[-2], hull[-1]
            cross = (x[a] - x[o]) * (y[i] - y[o]) - (y[a] - y[o]) * (x[i] - x[o])
            if cross < -1e-14:
                break
            hull.pop()
        hull.append(int(i))
    return np.asarray(hull)


def mixture_at(x_hull: np.ndarray, x: float) -> tuple[int, int, float]:
    """Hull vertices (lo, hi) around ``x`` and the probability of ``hi`` reaching x."""
    hi = int(np.searchsorted(x_hull, x, side="left"))
    hi = min(max(hi, 0), x_hull.size - 1)
    if x_hull[hi] == x or hi == 0:
        return hi, hi, 0.0
    lo = hi - 1
    return lo, hi, float((x - x_hull[lo]) / (x_hull[hi] - x_hull[lo]))


# ------------------------------------------------------------------- objectives
def _accuracy_share(tp, fp, p_group, n_group, totals) -> np.ndarray:
    return (tp + n_group - fp) / totals["weight"]


def _balanced_share(tp, fp, p_group, n_group, totals) -> np.ndarray:
    return tp / (2 * totals["positive"]) + (n_group - fp) / (2 * totals["negative"])


#: objective -> a group's share of it as a function of its TP and FP counts.
OBJECTIVES = {"accuracy": _accuracy_share, "balanced_accuracy": _balanced_share}

#: objective -> its value at the common (FPR x, TPR y) of equalized odds.
ROC_OBJECTIVES = {
    "accuracy": lambda x, y, t: (t["negative"] * (1 - x) + t["positive"] * y) / t["weight"],
    "balanced_accuracy": lambda x, y, t: (y + 1 - x) / 2,
}


class ThresholdOptimizer(ClassifierMixin, BaseEstimator):
    """Group-specific (randomised) thresholds on a scorer for demographic parity or equalized odds.

    See the module docstring for the construction.

    Parameters
    ----------
    estimator : estimator
        A classifier with ``predict_proba``, ``decision_function`` or ``predict``.
    constraints : {"demographic_parity", "equalized_odds"}, default="demographic_parity"
    objective : {"accuracy", "balanced_accuracy"}, default="accuracy"
    grid_size : int, default=1000
        The common selection rate (or FPR) is searched on ``grid_size + 1`` points.
    prefit : bool, default=False
        Use ``estimator`` as fitted instead of fitting a clone.
    predict_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        Source of the scores; "auto" takes the first available in that order.
    random_state : int, RandomState or None
        Draws the randomised decisions of ``predict`` (same seed, same output).

    Attributes
    ----------
    estimator_ : estimator
        The fitted scorer.
    classes_ : ndarray of shape (2,)
    rules_ : DataFrame
        Per group: ``threshold_lo``, ``threshold_hi``, ``p_hi`` (probability of
        the high-rank threshold), ``p_ignore`` and ``constant`` (equalized odds),
        and the group's attained ``x`` (selection rate or FPR) and ``y``
        (objective share or TPR) on the fit data.
    fit_report_ : TradeoffReport
        On the fit data, without intervals: the constraint's disparity and the
        accuracy of the estimator's own predictions (before) and of the expected
        randomised decisions (after) — the constraint attained and its cost.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.fairness import ThresholdOptimizer
    >>> from lemma.models.linear import LogisticRegression
    >>> rng = np.random.default_rng(1)
    >>> group = rng.choice(["a", "b"], 400)
    >>> X = rng.normal(size=(400, 1)) + (group == "a")[:, None]
    >>> y = (X[:, 0] + rng.normal(size=400) > 0.5).astype(int)
    >>> model = ThresholdOptimizer(LogisticRegression(), constraints="equalized_odds",
    ...                            random_state=0).fit(X, y, sensitive_features=group)
    >>> print(f"{model.fit_report_.table.loc['equalized_odds_difference', 'after']:.3f}")
    0.000
    """

    _parameter_constraints = {
        "estimator": [satisfies(_is_estimator, "an estimator with fit and predict")],
        "constraints": [Options(CONSTRAINT_DISPARITY)],
        "objective": [Options(OBJECTIVES)],
        "grid_size": [Interval(int, 1, None, closed="left")],
        "prefit": [BOOL],
        "predict_method": [Options({"auto", "predict_proba", "decision_function", "predict"})],
        "random_state": [RANDOM_STATE],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        constraints: str = "demographic_parity",
        objective: str = "accuracy",
        grid_size: int = 1000,
        prefit: bool = False,
        predict_method: str = "auto",
        random_state: Any = None,
    ):
        self.estimator = estimator
        self.constraints = constraints
        self.objective = objective
        self.grid_size = grid_size
        self.prefit = prefit
        self.predict_method = predict_method
        self.random_state = random_state

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.non_deterministic = self.random_state is None
        tags.multi_class = False
        return tags

    # ------------------------------------------------------------------- fitting
    def fit(
        self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None
    ) -> ThresholdOptimizer:
        """Fit the scorer (unless ``prefit``) and choose each group's thresholds.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Passed to the estimator as given.
        y : array-like of shape (n_samples,)
            Two classes; the second of ``classes_`` is the favourable one.
        sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attributes)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        self._validate_params()
        self.classes_, codes, w, groups = binary_fit_inputs(
            y, sample_weight, sensitive_features, "ThresholdOptimizer"
        )
        if self.prefit:
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator
        else:
            fit_weight = {} if sample_weight is None else {"sample_weight": w}
            self.estimator_ = clone(self.estimator).fit(X, self.classes_[codes], **fit_weight)
        scores = self._scores(X)
        y01 = codes.astype(np.float64)
        self.rules_ = self._optimise(scores, y01, w, groups)
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        expected = self._decision_probability(scores, groups.labels, groups.codes)
        before = (self.estimator_.predict(X) == self.classes_[1]).astype(np.float64)
        self.fit_report_ = tradeoff_from_values(
            row_values(y01, before, w, None),
            row_values(y01, expected, w, None),
            groups,
            [CONSTRAINT_DISPARITY[self.constraints]],
        )
        return self

    def _scores(self, X: Any) -> np.ndarray:
        """Scores of the positive class from the fitted estimator."""
        method = self.predict_method
        if method == "auto":
            method = next(
                m for m in ("predict_proba", "decision_function", "predict")
                if hasattr(self.estimator_, m)
            )  # fmt: skip
        output = np.asarray(getattr(self.estimator_, method)(X))
        if method == "predict_proba":
            return output[:, 1].astype(np.float64)
        if method == "predict":
            return (output == self.classes_[1]).astype(np.float64)
        return output.reshape(-1).astype(np.float64)

    def _optimise(
        self, scores: np.ndarray, y: np.ndarray, w: np.ndarray, groups: SensitiveGroups
    ) -> pd.DataFrame:
        """Each group's hull, the best common point on the grid, and its realisation."""
        totals = {"weight": w.sum(), "positive": (w * y).sum(), "negative": (w * (1 - y)).sum()}
        grid = np.linspace(0.0, 1.0, self.grid_size + 1)
        hulls = []
        for g, label in enumerate(groups.labels):
            rows = groups.codes == g
            thresholds, tp, fp = threshold_points(scores[rows], y[rows], w[rows])
            p_group, n_group = tp[-1], fp[-1]
            if self.constraints == "equalized_odds":
                if p_group == 0 or n_group == 0:
                    missing = "positive" if p_group == 0 else "negative"
                    raise DataValidationError(
                        f"Group {label!r} has no {missing} rows, so its true and false positive "
                        "rates are undefined and equalized odds cannot be imposed; use "
                        "constraints='demographic_parity' or merge the group."
                    )
                x, value = fp / n_group, tp / p_group
            else:
                x = (tp + fp) / (p_group + n_group)
                value = OBJECTIVES[self.objective](tp, fp, p_group, n_group, totals)
            idx = upper_hull(x, value)
            hulls.append((thresholds[idx], x[idx], value[idx]))
        curves = np.array([np.interp(grid, hx, hy) for _, hx, hy in hulls])
        if self.constraints == "equalized_odds":
            common = curves.min(axis=0)
            best = int(np.argmax(ROC_OBJECTIVES[self.objective](grid, common, totals)))
            target = common[best]
        else:
            best = int(np.argmax(curves.sum(axis=0)))
            target = np.nan
        x_best = grid[best]
        rules = []
        for (thresholds, hx, _), curve in zip(hulls, curves, strict=True):
            lo, hi, p_hi = mixture_at(hx, x_best)
            own = curve[best]
            p_ignore = 0.0
            if self.constraints == "equalized_odds" and own > x_best and own > target:
                p_ignore = float((own - target) / (own - x_best))
            rules.append(
                {
                    "threshold_lo": thresholds[lo],
                    "threshold_hi": thresholds[hi],
                    "p_hi": p_hi,
                    "p_ignore": p_ignore,
                    "constant": x_best,
                    "x": x_best,
                    "y": own if np.isnan(target) else target,
                }
            )
        return pd.DataFrame(rules, index=pd.Index(groups.labels, name=groups.name))

    # ------------------------------------------------------------------- predicting
    def _decision_probability(
        self, scores: np.ndarray, labels: list[str], codes: np.ndarray
    ) -> np.ndarray:
        """P(ŷ = favourable class) of each row under its group's randomised rule."""
        unknown = sorted(set(labels) - set(self.rules_.index))
        if unknown:
            raise DataValidationError(
                f"sensitive_features has groups {unknown} that were not seen in fit "
                f"({list(self.rules_.index)}); the optimizer has no thresholds for them."
            )
        rule = self.rules_.loc[np.asarray(labels, dtype=object)[codes]]
        lo = (scores >= rule["threshold_lo"].to_numpy()).astype(np.float64)
        hi = (scores >= rule["threshold_hi"].to_numpy()).astype(np.float64)
        p_hi, p_ignore = rule["p_hi"].to_numpy(), rule["p_ignore"].to_numpy()
        threshold = (1 - p_hi) * lo + p_hi * hi
        return (1 - p_ignore) * threshold + p_ignore * rule["constant"].to_numpy()

    def _pmf_predict(self, X: Any, *, sensitive_features: Any) -> np.ndarray:
        """Probabilities of predicting ``classes_[0]`` and ``classes_[1]``: shape (n, 2).

        Examples
        --------
        See :class:`ThresholdOptimizer`.
        """
        check_is_fitted(self, "rules_")
        scores = self._scores(X)
        groups = as_groups(sensitive_features, scores.size, min_group_size=1, min_groups=1)
        p = self._decision_probability(scores, groups.labels, groups.codes)
        return np.column_stack([1 - p, p])

    def predict(self, X: Any, *, sensitive_features: Any) -> np.ndarray:
        """Randomised decisions (drawn with ``random_state``): class labels, shape (n,)."""
        p = self._pmf_predict(X, sensitive_features=sensitive_features)[:, 1]
        draws = check_random_state(self.random_state).random_sample(p.size)
        return self.classes_[(draws < p).astype(np.int64)]

    def score(
        self, X: Any, y: Any, sample_weight: Any = None, *, sensitive_features: Any = None
    ) -> float:
        """Expected accuracy of the randomised decisions on ``(X, y)``.

        ``sensitive_features`` is required (a keyword with a None default only to
        keep the classifier's ``score(X, y, sample_weight)`` signature).
        """
        if sensitive_features is None:
            raise DataValidationError(
                "ThresholdOptimizer.score needs sensitive_features=...: its thresholds are "
                "per group."
            )
        p = self._pmf_predict(X, sensitive_features=sensitive_features)[:, 1]
        labels = check_y(y, estimator_name="ThresholdOptimizer", n_samples=p.size)
        w = check_sample_weight(sample_weight, p.size)
        correct = np.where(labels == self.classes_[1], p, 1 - p)
        return float(np.average(correct, weights=w))

    def tradeoff(
        self,
        X: Any,
        y: Any,
        *,
        sensitive_features: Any,
        sample_weight: Any = None,
        n_boot: int = 1000,
        level: float = 0.95,
        random_state: Any = None,
    ) -> TradeoffReport:
        """Disparity and accuracy of the scorer alone (before) and thresholded (after).

        Evaluate on held-out rows; both use expected decisions (the randomised
        rule's probabilities), with paired stratified-bootstrap intervals.

        Returns
        -------
        TradeoffReport
        """
        p = self._pmf_predict(X, sensitive_features=sensitive_features)[:, 1]
        labels = check_y(y, estimator_name="ThresholdOptimizer", n_samples=p.size)
        w = check_sample_weight(sample_weight, p.size)
        groups = as_groups(sensitive_features, p.size, min_group_size=1)
        y01 = (labels == self.classes_[1]).astype(np.float64)
        before = (self.estimator_.predict(X) == self.classes_[1]).astype(np.float64)
        return tradeoff_from_values(
            row_values(y01, before, w, None), row_values(y01, p, w, None), groups,
            [CONSTRAINT_DISPARITY[self.constraints]],
            n_boot=n_boot, level=level, random_state=random_state,
        )  # fmt: skip
