"""Explanations of linear models: coefficient tables and exact Shapley values.

A linear model predicts through ``η(x) = b + Σⱼ βⱼ xⱼ`` (the prediction for least
squares and ridge; the log-odds for logistic regression; the log of the mean for
Poisson regression).

* Standardised coefficient ``βⱼ · sⱼ``, sⱼ the standard deviation of feature j in the
  data given (``ddof=0``, as StandardScaler): the change in η for a one-standard-
  deviation change in xⱼ, comparable across features measured in different units.
* Odds ratio ``exp(βⱼ)`` of a logistic model: the factor by which the odds of the
  positive class (for K ≥ 3 classes: of class k against the reference class
  ``classes_[0]``) multiply when xⱼ grows by one unit. Its interval is
  ``exp`` of the coefficient's Wald interval ``βⱼ ± z se(βⱼ)`` (the exponential is
  monotone, so coverage carries over). Intervals come from the model's ``result_``
  (:mod:`lemma.stats.inference`) and exist only where that inference is valid: not
  after a penalty, which biases the coefficients towards 0.
* Shapley values. With the value of a coalition S taken as ``E[η(x_S, X_C)]`` (the
  other features drawn from the background data, independently of x_S), the
  Shapley value of feature j at row x is exactly

      φⱼ(x) = βⱼ (xⱼ − E[Xⱼ]),      Σⱼ φⱼ(x) = η(x) − E[η(X)],

  because η is additive: feature j's marginal contribution is the same in every
  coalition. The expectation is the background mean (by default the rows
  explained). For a pipeline the features are the transformed columns the linear
  model sees, named by ``get_feature_names_out``.

References: C. Molnar, *Interpretable Machine Learning*, 2nd ed. (2022), §5.1 (linear
regression, odds ratios); S. M. Lundberg & S.-I. Lee, "A unified approach to
interpreting model predictions", NeurIPS 2017 (linear SHAP, Corollary 1).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lemma.base import is_classifier
from lemma.exceptions import DataTypeError, ParameterError
from lemma.stats.inference.summary import Summary
from lemma.validation import check_is_fitted

__all__ = ["CoefficientTable", "LinearShap", "coefficient_table", "linear_shap"]

#: Models whose linear predictor is a link of the prediction (class name → scale name).
_LINK_SCALES = {"PoissonRegressor": "log of the predicted mean"}


# ------------------------------------------------------------------------------ the model
def _split(model: Any) -> tuple[Any, Any]:
    """(preprocessing or None, final linear model) of a model or a Pipeline ending in one."""
    check_is_fitted(model)
    steps = getattr(model, "steps", None)
    head, final = (model[:-1], steps[-1][1]) if steps is not None else (None, model)
    if not (hasattr(final, "coef_") and hasattr(final, "intercept_")):
        raise DataTypeError(
            f"{type(final).__name__} is not a linear model (it has no coef_ and intercept_); "
            "coefficient explanations need LinearRegression, Ridge, LogisticRegression, ... "
            "or a Pipeline ending in one."
        )
    return head, final


def _transform(head: Any, X: Any) -> np.ndarray:
    Z = X if head is None else head.transform(X)
    Z = Z.to_numpy() if hasattr(Z, "to_numpy") else np.asarray(Z)
    return np.asarray(Z, dtype=np.float64)


def _feature_names(head: Any, final: Any) -> list[str]:
    names = getattr(final, "feature_names_in_", None)
    if names is None and head is not None:
        try:
            names = head.get_feature_names_out()
        except AttributeError:
            names = None
    n = np.atleast_2d(final.coef_).shape[1]
    return [str(v) for v in names] if names is not None else [f"x{j}" for j in range(n)]


def _coefficients(final: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Slopes (n_outputs, d), intercepts (n_outputs,) and output labels.

    A multinomial model is expressed against its reference class ``classes_[0]``.
    """
    coef = np.atleast_2d(np.asarray(final.coef_, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(final.intercept_, dtype=np.float64))
    classes = getattr(final, "classes_", None)
    if is_classifier(final) and classes is not None:
        if coef.shape[0] == 1:
            return coef, intercept, [str(classes[1])]
        return coef[1:] - coef[0], intercept[1:] - intercept[0], [str(c) for c in classes[1:]]
    labels = ["prediction"] if coef.shape[0] == 1 else [f"output {k}" for k in range(len(coef))]
    return coef, intercept, labels


def _no_interval_reason(final: Any) -> str | None:
    """Why the model's coefficients have no valid interval (None: they have one)."""
    result = getattr(final, "result_", None)
    if result is not None and result.inference_valid:
        return None
    penalty = getattr(final, "penalty", None)
    alpha = getattr(final, "alpha", 0.0)
    penalised = penalty is not None if hasattr(final, "penalty") else bool(alpha and alpha > 0)
    if result is None and penalised:
        return "no interval (penalised fit)"
    separation = getattr(result, "separation", None)
    if separation is not None and separation.separated:
        return "no interval (the classes are separated: the estimates do not exist)"
    if result is not None:
        return "no interval (inference is not valid for this fit; see its summary())"
    return f"no interval ({type(final).__name__} provides no inference)"


# ------------------------------------------------------------------------------ table
def _inference_columns(result: Any, level: float, n_outputs: int, fit_intercept: bool) -> dict:
    """std_err, p_value, ci_low, ci_high in the table's row order (output-major)."""
    ci = result.conf_int(level).to_numpy()
    columns = {
        "std_err": np.asarray(result.std_err, dtype=np.float64).ravel(order="F"),
        "p_value": np.asarray(result.p_value, dtype=np.float64).ravel(order="F"),
        "ci_low": ci[:, 0],
        "ci_high": ci[:, 1],
    }
    if fit_intercept:
        return columns
    # without an intercept the results have no intercept row: the table shows NaN there
    return {
        name: np.insert(v.reshape(n_outputs, -1), 0, np.nan, axis=1).ravel()
        for name, v in columns.items()
    }


def coefficient_table(model: Any, X: Any = None, *, level: float = 0.95) -> CoefficientTable:
    """Coefficients with intervals, standardised coefficients and odds ratios.

    Parameters
    ----------
    model : fitted linear model or Pipeline ending in one
        LinearRegression, Ridge, Lasso, ElasticNet, LogisticRegression,
        PoissonRegressor, HuberRegressor (or any model with ``coef_``/``intercept_``).
    X : array-like or DataFrame, optional
        Data in the model's input space (for a pipeline: its raw input), used for the
        standard deviations of the standardised coefficients; without it that column
        is left out.
    level : float, default=0.95
        Confidence level of the intervals.

    Returns
    -------
    CoefficientTable
        One row per (output,) term: ``coef``, ``std_err``, ``p_value``, ``ci_low``,
        ``ci_high`` (NaN when there is no valid interval, with the reason in
        :attr:`CoefficientTable.inference`), ``std_coef`` (with X), and for a
        classifier ``odds_ratio``, ``odds_ratio_ci_low``, ``odds_ratio_ci_high``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LogisticRegression
    >>> from lemma.explain import coefficient_table
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> y = (X[:, 0] + rng.logistic(size=500) > 0).astype(int)
    >>> table = coefficient_table(LogisticRegression(penalty=None).fit(X, y), X)
    >>> table.to_frame().loc["x0", ["odds_ratio", "odds_ratio_ci_low"]].round(2).tolist()
    [3.7, 2.84]
    >>> coefficient_table(LogisticRegression().fit(X, y)).inference
    'no interval (penalised fit)'
    """
    if not 0 < level < 1:
        raise ParameterError(f"level must be in (0, 1), e.g. 0.95; got {level!r}.")
    head, final = _split(model)
    coef, intercept, outputs = _coefficients(final)
    names = ["intercept", *_feature_names(head, final)]
    values = np.column_stack([intercept, coef])  # (n_outputs, 1 + d)
    index = (
        pd.Index(names, name="term")
        if len(outputs) == 1
        else pd.MultiIndex.from_product([outputs, names], names=["output", "term"])
    )
    table = pd.DataFrame({"coef": values.ravel()}, index=index)
    reason = _no_interval_reason(final)
    if reason is None:
        fit_intercept = bool(getattr(final, "fit_intercept", True))
        inference = _inference_columns(final.result_, level, len(outputs), fit_intercept)
        table = table.assign(**inference)
    else:
        table = table.assign(std_err=np.nan, p_value=np.nan, ci_low=np.nan, ci_high=np.nan)
    if X is not None:
        scale = np.r_[np.nan, _transform(head, X).std(axis=0)]
        table["std_coef"] = (values * scale).ravel()
    if is_classifier(final):
        table["odds_ratio"] = np.exp(table["coef"])
        table["odds_ratio_ci_low"] = np.exp(table["ci_low"])
        table["odds_ratio_ci_high"] = np.exp(table["ci_high"])
    return CoefficientTable(
        table=table,
        model=type(final).__name__,
        scale=_scale_name(final),
        inference=reason or f"{100 * level:g}% intervals from {type(final.result_).__name__}",
        notes=_notes(final, reason, X is not None),
    )


def _scale_name(final: Any) -> str:
    if is_classifier(final):
        return "log-odds"
    return _LINK_SCALES.get(type(final).__name__, "prediction")


def _notes(final: Any, reason: str | None, standardised: bool) -> list[str]:
    notes = []
    if reason is not None:
        notes.append(
            f"{reason[0].upper()}{reason[1:]}: the coefficients are shown without standard "
            "errors, p-values or intervals. Refit without a penalty for inference, or "
            "bootstrap the whole fit."
        )
    if standardised:
        notes.append("std_coef = coef × standard deviation of the feature in the data given.")
    if is_classifier(final):
        reference = np.asarray(final.classes_)
        against = (
            f"odds of class {reference[1]}"
            if reference.size == 2
            else f"odds of each class against the reference class {reference[0]}"
        )
        notes.append(f"Odds ratios exp(coef) multiply the {against} per unit of the feature.")
    return notes


@dataclass
class CoefficientTable:
    """A linear model's coefficient table (see :func:`coefficient_table`).

    Attributes
    ----------
    table : DataFrame
        Indexed by term (and output, for several outputs).
    model : str
        Class name of the linear model.
    scale : str
        What the coefficients add up to: "prediction", "log-odds", ...
    inference : str
        Where the intervals come from, or why there are none.
    notes : list of str
    """

    table: pd.DataFrame
    model: str
    scale: str
    inference: str
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def _summary(self) -> Summary:
        frame = self.table.copy()
        frame.index = [
            " ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in frame.index
        ]
        info = [("Model", self.model), ("Scale", self.scale), ("Intervals", self.inference)]
        return Summary(f"Coefficients of {self.model}", info, frame, list(self.notes))

    def as_text(self) -> str:
        """Fixed-width text table."""
        return self._summary().as_text()

    def __str__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self._summary()._repr_html_()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: one record per row (NaN → None)."""
        frame = self.table.reset_index()
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        return {
            "method": "coefficients",
            "model": self.model,
            "scale": self.scale,
            "inference": self.inference,
            "rows": records,
            "notes": list(self.notes),
        }


# ------------------------------------------------------------------------------ Shapley
def linear_shap(model: Any, X: Any, *, background: Any = None) -> LinearShap:
    """Exact Shapley values ``φᵢⱼ = βⱼ (xᵢⱼ − E[Xⱼ])`` of a linear model.

    Parameters
    ----------
    model : fitted linear model or Pipeline ending in one
    X : array-like or DataFrame of shape (n_samples, n_inputs)
        Rows to explain (a pipeline's raw input).
    background : array-like or DataFrame, optional
        Data whose mean defines E[X] (default: X itself).

    Returns
    -------
    LinearShap
        ``values`` of shape (n_samples, n_features) — (n_samples, n_features,
        n_outputs) for several outputs — on the scale of the linear predictor.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.explain import linear_shap
    >>> X = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 2.0], [3.0, 6.0]])
    >>> model = LinearRegression().fit(X, X @ [2.0, -1.0] + 0.5)
    >>> shap = linear_shap(model, X)
    >>> shap.values[0].round(6), round(shap.base_value, 6)
    (array([-3.,  2.]), 0.5)
    >>> bool(np.allclose(shap.values.sum(axis=1), model.predict(X) - shap.base_value))
    True
    """
    head, final = _split(model)
    coef, intercept, outputs = _coefficients(final)
    if is_classifier(final) and coef.shape[0] > 1:  # every class's own predictor
        coef = np.asarray(final.coef_, dtype=np.float64)
        intercept = np.asarray(final.intercept_, dtype=np.float64)
        outputs = [str(c) for c in final.classes_]
    Z = _transform(head, X)
    centre = (Z if background is None else _transform(head, background)).mean(axis=0)
    if Z.shape[1] != coef.shape[1]:
        raise ParameterError(
            f"X gives {Z.shape[1]} model features but the linear model has {coef.shape[1]} "
            "coefficients; pass the data the model (or pipeline) was fitted on."
        )
    values = (Z - centre)[:, :, None] * coef.T[None, :, :]  # (n, d, n_outputs)
    base = intercept + coef @ centre
    return LinearShap(
        values=values[:, :, 0] if len(outputs) == 1 else values,
        base_value=float(base[0]) if len(outputs) == 1 else base,
        feature_names=_feature_names(head, final),
        data=Z,
        scale=_scale_name(final),
        output_names=outputs,
    )


@dataclass
class LinearShap:
    """Shapley values of a linear model (see :func:`linear_shap`).

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_features) or (n_samples, n_features, n_outputs)
    base_value : float or ndarray of shape (n_outputs,)
        E[η(X)] over the background: ``values`` of a row sum to η(x) − base_value.
    feature_names : list of str
        The model's features (transformed columns for a pipeline).
    data : ndarray of shape (n_samples, n_features)
        The rows in the model's feature space.
    scale : str
        "prediction", "log-odds" or "log of the predicted mean".
    output_names : list of str
    """

    values: np.ndarray
    base_value: Any
    feature_names: list[str]
    data: np.ndarray
    scale: str
    output_names: list[str]

    def to_frame(self, output: int = 0) -> pd.DataFrame:
        """Values of one output as a DataFrame (rows × features)."""
        values = self.values if self.values.ndim == 2 else self.values[:, :, output]
        return pd.DataFrame(values, columns=self.feature_names)

    def mean_abs(self, output: int = 0) -> pd.Series:
        """Global importance: mean |φⱼ| per feature, largest first."""
        frame = self.to_frame(output).abs().mean(axis=0)
        return frame.sort_values(ascending=False, kind="stable").rename("mean_abs_shap")

    def to_dict(self) -> dict[str, Any]:
        """Mean |φ| per feature and output, as plain JSON data."""
        return {
            "method": "linear Shapley values",
            "scale": self.scale,
            "base_value": np.asarray(self.base_value, dtype=float).tolist(),
            "outputs": {
                name: {str(k): float(v) for k, v in self.mean_abs(i).items()}
                for i, name in enumerate(self.output_names)
            },
        }

    def _repr_html_(self) -> str:
        table = self.mean_abs().to_frame().to_html(border=0, float_format=lambda v: f"{v:.4g}")
        title = html.escape(f"Linear Shapley values ({self.scale}): mean |φ| per feature")
        return f"<div class='lemma-shap'><h4>{title}</h4>{table}</div>"
