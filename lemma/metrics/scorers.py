"""Scorers: a metric bound to the predictions it needs, oriented so greater is better.

A scorer turns a fitted estimator and held-out data into one number that model
selection maximises:

    score(estimator, X, y) = σ · metric(y, r(X), **kwargs),   σ = +1 for a score,
                                                           σ = −1 for a loss

where r is the estimator's response: ``predict`` (labels or values),
``predict_proba`` (class probabilities) or ``decision_function`` (signed
margins). Losses are negated and named ``neg_…`` (``neg_log_loss``), so "greater
is better" holds for every scorer, as in scikit-learn (whose names and rules
these are: Pedregosa et al., *Scikit-learn: Machine Learning in Python*, JMLR
12, 2011).

For a binary classifier, probabilities and margins are reduced to the positive
class's column: ``predict_proba(X)[:, k]`` with ``classes_[k]`` the positive
label (the scorer's ``pos_label`` if given, else the metric's default
``pos_label``, else the greater class), and the margin sign-flipped if the
positive class is ``classes_[0]``. Ranking scorers ("roc_auc",
"average_precision") prefer ``decision_function`` and fall back to
``predict_proba``, exactly like scikit-learn 1.9, so the two give the same
number for the same model.

Examples
--------
>>> import numpy as np
>>> from lemma.metrics import get_scorer
>>> class Threshold:  # any fitted object with predict works
...     def predict(self, X):
...         return (np.asarray(X)[:, 0] > 0).astype(int)
>>> get_scorer("accuracy")(Threshold(), [[-1.0], [2.0], [3.0]], [0, 1, 0])
0.6666666666666666
"""

from __future__ import annotations

import copy
import difflib
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from lemma.base import is_classifier
from lemma.exceptions import ParameterError
from lemma.metrics._validation import position_of
from lemma.metrics.classification import (
    accuracy_score,
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    matthews_corrcoef,
    precision_score,
    recall_score,
)
from lemma.metrics.ranking import average_precision_score, roc_auc_score
from lemma.metrics.regression import (
    explained_variance_score,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

__all__ = ["SCORERS", "Scorer", "get_scorer", "get_scorer_names"]

#: Response name → estimator methods tried in order.
RESPONSES: dict[str, tuple[str, ...]] = {
    "predict": ("predict",),
    "predict_proba": ("predict_proba",),
    "decision_function": ("decision_function",),
    "auto": ("predict_proba", "decision_function"),
    "ranking": ("decision_function", "predict_proba"),
}


class Scorer:
    """A metric, the estimator response it scores, and its orientation.

    Parameters
    ----------
    name : str
        Display name ("roc_auc").
    metric : callable
        ``metric(y_true, y_response, **kwargs) -> float``.
    greater_is_better : bool, default=True
        False for a loss: the scorer returns ``-metric(...)``.
    response : {"predict", "predict_proba", "decision_function", "auto", "ranking"}
        Which estimator method gives ``y_response``: "auto" tries
        ``predict_proba`` then ``decision_function``; "ranking" the reverse (the
        choice of scikit-learn's ROC AUC and average-precision scorers). A tuple
        of method names gives the order directly.
    **kwargs
        Passed to ``metric`` (e.g. ``average="macro"``).

    Examples
    --------
    >>> from lemma.metrics import Scorer, fbeta_score
    >>> f2 = Scorer("f2", fbeta_score, beta=2.0)
    >>> f2
    Scorer('f2', fbeta_score, greater_is_better=True, response='predict', beta=2.0)
    """

    def __init__(
        self,
        name: str,
        metric: Callable[..., Any],
        greater_is_better: bool = True,
        response: str | tuple[str, ...] = "predict",
        **kwargs: Any,
    ) -> None:
        if isinstance(response, str) and response not in RESPONSES:
            raise ParameterError(
                f"response must be one of {sorted(RESPONSES)} or a tuple of method names; "
                f"got {response!r}."
            )
        self.name = name
        self.metric = metric
        self.greater_is_better = greater_is_better
        self.response = response
        self.kwargs = kwargs

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        metric = getattr(self.metric, "__name__", repr(self.metric))
        return (
            f"Scorer({self.name!r}, {metric}, greater_is_better={self.greater_is_better}, "
            f"response={self.response!r}{extra})"
        )

    def __call__(self, estimator: Any, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Score a fitted ``estimator`` on ``X`` against ``y`` (greater is better).

        Parameters
        ----------
        estimator : fitted estimator (lemma or scikit-learn)
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        response, kwargs = self._response(estimator, X)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        value = float(self.metric(y, response, **kwargs))
        return value if self.greater_is_better else -value

    def _response(self, estimator: Any, X: Any) -> tuple[Any, dict[str, Any]]:
        """The estimator's response on X, reduced to the positive class if binary."""
        methods = RESPONSES[self.response] if isinstance(self.response, str) else self.response
        method = next((m for m in methods if hasattr(estimator, m)), None)
        if method is None:
            raise ParameterError(
                f"The {self.name!r} scorer needs {' or '.join(methods)}, which "
                f"{type(estimator).__name__} does not have; choose a scorer suited to it."
            )
        values = getattr(estimator, method)(X)
        kwargs = dict(self.kwargs)
        classes = getattr(estimator, "classes_", None)
        if method == "predict" or not is_classifier(estimator) or classes is None:
            return values, kwargs
        classes = np.asarray(classes)
        if classes.size != 2:
            return values, kwargs
        positive = self._positive_label(classes, estimator)
        k = position_of(positive, classes)
        values = np.asarray(values)
        if method == "decision_function":
            values = values.ravel() if k == 1 else -values.ravel()
        else:
            values = values[:, k]
        if "pos_label" in inspect.signature(self.metric).parameters:
            kwargs.setdefault("pos_label", positive)
        return values, kwargs

    def _positive_label(self, classes: np.ndarray, estimator: Any) -> Any:
        if "pos_label" in self.kwargs:
            label = self.kwargs["pos_label"]
        else:
            parameter = inspect.signature(self.metric).parameters.get("pos_label")
            has_default = parameter is not None and parameter.default is not None
            label = parameter.default if has_default else classes[-1]
        if position_of(label, classes) < 0:
            raise ParameterError(
                f"pos_label={label!r} is not a valid label: It should be one of "
                f"{classes.tolist()!r} (the classes of {type(estimator).__name__}); build the "
                "scorer with pos_label= set to the positive class."
            )
        return label


def _build_table() -> dict[str, Scorer]:
    """scikit-learn's scoring names for the metrics lemma implements."""
    table = [
        Scorer("accuracy", accuracy_score),
        Scorer("balanced_accuracy", balanced_accuracy_score),
        Scorer("matthews_corrcoef", matthews_corrcoef),
        Scorer("roc_auc", roc_auc_score, response="ranking"),
        Scorer("roc_auc_ovr", roc_auc_score, response="predict_proba", multi_class="ovr"),
        Scorer(
            "roc_auc_ovr_weighted",
            roc_auc_score,
            response="predict_proba",
            multi_class="ovr",
            average="weighted",
        ),
        Scorer("roc_auc_ovo", roc_auc_score, response="predict_proba", multi_class="ovo"),
        Scorer(
            "roc_auc_ovo_weighted",
            roc_auc_score,
            response="predict_proba",
            multi_class="ovo",
            average="weighted",
        ),
        Scorer("average_precision", average_precision_score, response="ranking"),
        Scorer("neg_log_loss", log_loss, False, response="predict_proba"),
        Scorer("neg_brier_score", brier_score_loss, False, response="predict_proba"),
        Scorer("r2", r2_score),
        Scorer("explained_variance", explained_variance_score),
        Scorer("neg_mean_squared_error", mean_squared_error, False),
        Scorer("neg_root_mean_squared_error", root_mean_squared_error, False),
        Scorer("neg_mean_absolute_error", mean_absolute_error, False),
        Scorer("neg_mean_absolute_percentage_error", mean_absolute_percentage_error, False),
    ]
    for base, metric in (("precision", precision_score), ("recall", recall_score)):
        table.append(Scorer(base, metric, average="binary"))
        for average in ("macro", "micro", "weighted"):
            table.append(Scorer(f"{base}_{average}", metric, pos_label=None, average=average))
    table.append(Scorer("f1", f1_score, average="binary"))
    for average in ("macro", "micro", "weighted"):
        table.append(Scorer(f"f1_{average}", f1_score, pos_label=None, average=average))
    return {scorer.name: scorer for scorer in table}


#: scikit-learn scoring name → :class:`Scorer`.
SCORERS: dict[str, Scorer] = _build_table()


def get_scorer_names() -> list[str]:
    """Sorted names accepted by :func:`get_scorer`.

    Examples
    --------
    >>> from lemma.metrics import get_scorer_names
    >>> "neg_log_loss" in get_scorer_names()
    True
    """
    return sorted(SCORERS)


def get_scorer(scoring: str | Callable[..., float] | None) -> Any:
    """A scorer from its scikit-learn name; a callable is returned as is (None too).

    Parameters
    ----------
    scoring : str, callable or None
        A name from :data:`SCORERS` ("roc_auc", "neg_mean_squared_error", ...) or
        a callable ``scorer(estimator, X, y)``.

    Returns
    -------
    Scorer, callable or None
        A copy of the named scorer, so changing it leaves the table alone.

    Raises
    ------
    ParameterError
        For an unknown name, listing the valid ones.

    Examples
    --------
    >>> from lemma.metrics import get_scorer
    >>> get_scorer("neg_mean_squared_error").greater_is_better
    False
    >>> get_scorer("acuracy")
    Traceback (most recent call last):
    ...
    lemma.exceptions.ParameterError: Unknown scoring 'acuracy'; did you mean 'accuracy'? ...
    """
    if scoring is None or (callable(scoring) and not isinstance(scoring, str)):
        return scoring
    if isinstance(scoring, str) and scoring in SCORERS:
        return copy.deepcopy(SCORERS[scoring])
    close = difflib.get_close_matches(str(scoring), SCORERS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise ParameterError(
        f"Unknown scoring {scoring!r}{hint} Valid names are {get_scorer_names()!r}, or pass "
        "a callable scorer(estimator, X, y)."
    )
