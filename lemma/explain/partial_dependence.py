"""Partial dependence (PD) and individual conditional expectation (ICE) curves.

For a fitted model f, rows x₁, …, x_n and a set S of one or two input columns (the
rest C), the ICE curve of row i and the partial dependence at a grid point z are

    ICE_i(z) = f(z, x_{i,C}),              PD(z) = Σᵢ wᵢ f(z, x_{i,C}) / Σᵢ wᵢ

(wᵢ = 1 without weights): every row gets the grid value z in the columns S and keeps
its own values elsewhere. PD is the average effect of S on the prediction, averaged
over the joint distribution of the other columns; it hides interactions, which show
as ICE curves that are not parallel. Both are descriptions of the *model*, not causal
effects, and where S is correlated with C they evaluate f on combinations the data
never contain.

The grid is scikit-learn's (``method="brute"``): for each column of S, its sorted
unique values when it is categorical or has fewer than ``grid_resolution`` of them;
otherwise ``grid_resolution`` equally spaced points between the empirical quantiles
at ``percentiles`` (``scipy.stats.mstats.mquantiles``, plotting positions
α = β = 0.4). Two columns give the Cartesian product, the first varying slowest.
The response f is ``predict`` for a regressor; for a classifier ``predict_proba``
(else ``decision_function``), reduced to the positive class ``classes_[1]`` when
there are two classes and kept per class otherwise.

References: J. H. Friedman, "Greedy function approximation: a gradient boosting
machine", Annals of Statistics 29 (2001) 1189–1232, §8.2; A. Goldstein, A. Kapelner,
J. Bleich & E. Pitkin, "Peeking inside the black box: visualizing statistical learning
with plots of individual conditional expectation", JCGS 24 (2015) 44–65.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats.mstats import mquantiles

from lemma.base import is_classifier, is_regressor
from lemma.exceptions import DataValidationError, ParameterError
from lemma.explain._table import as_table, column, column_names, feature_positions, set_column
from lemma.validation import check_is_fitted

__all__ = ["PartialDependence", "partial_dependence", "plot_partial_dependence"]

#: response_method → estimator methods tried in order (classifiers).
RESPONSE_METHODS: dict[str, tuple[str, ...]] = {
    "auto": ("predict_proba", "decision_function"),
    "predict_proba": ("predict_proba",),
    "decision_function": ("decision_function",),
}
KINDS = ("average", "individual", "both")
#: Grid points evaluated in one call of the model: at most this many table cells.
_CELLS_PER_BATCH = 4_000_000


def grid_from_X(
    columns: list[np.ndarray],
    *,
    is_categorical: list[bool],
    grid_resolution: int,
    percentiles: tuple[float, float],
    custom_values: dict[int, Any] | None = None,
) -> list[np.ndarray]:
    """The grid values of each column of S (see the module docstring).

    Parameters
    ----------
    columns : list of ndarray of shape (n_samples,)
        The values of each column of S.
    is_categorical : list of bool
    grid_resolution : int
    percentiles : (float, float)
    custom_values : dict of int to array-like, optional
        Grid values given by the caller for some positions in ``columns``.

    Returns
    -------
    list of 1-D ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.explain.partial_dependence import grid_from_X
    >>> x = np.arange(101.0)
    >>> grid_from_X([x], is_categorical=[False], grid_resolution=3, percentiles=(0.1, 0.9))
    [array([ 9.52, 50.  , 90.48])]
    """
    custom_values = custom_values or {}
    values = []
    for k, (x, categorical) in enumerate(zip(columns, is_categorical, strict=True)):
        if k in custom_values:
            given = list(custom_values[k])
            dtype = object if any(isinstance(v, str) for v in given) else None
            values.append(np.asarray(given, dtype=dtype))
            continue
        try:
            uniques = np.unique(x)
        except TypeError as exc:
            raise DataValidationError(
                f"Grid column {k} mixes types (e.g. text and NaN), so its values cannot be "
                "sorted; impute or clean the column first."
            ) from exc
        if categorical or uniques.shape[0] < grid_resolution:
            values.append(uniques)
            continue
        low, high = mquantiles(_numeric(x, k), prob=percentiles, axis=0)
        if np.allclose(low, high):
            raise ParameterError(
                f"The percentiles {percentiles} of grid column {k} are both {low:.6g}, so no "
                "grid can be built; choose percentiles further apart, e.g. (0, 1)."
            )
        values.append(np.linspace(low, high, num=grid_resolution, endpoint=True))
    return values


def _numeric(x: np.ndarray, k: int) -> np.ndarray:
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            f"Grid column {k} holds non-numeric values, so a numeric grid cannot be built; "
            "list it in categorical_features to use its categories as the grid."
        ) from exc


def _cartesian(values: list[np.ndarray]) -> list[np.ndarray]:
    """Grid points as one array per column (first column varying slowest)."""
    mesh = np.meshgrid(*[np.arange(v.size) for v in values], indexing="ij")
    return [v[m.ravel()] for v, m in zip(values, mesh, strict=True)]


def _response(estimator: Any, response_method: str) -> tuple[str, Any]:
    """Name of the method giving f, and the method itself."""
    if is_regressor(estimator) or not is_classifier(estimator):
        if response_method != "auto":
            raise ParameterError(
                f"response_method={response_method!r} applies to classifiers; "
                f"{type(estimator).__name__} is a regressor, whose response is predict. "
                "Leave response_method='auto'."
            )
        return "predict", estimator.predict
    if response_method not in RESPONSE_METHODS:
        raise ParameterError(
            f"response_method must be one of {sorted(RESPONSE_METHODS)}; got {response_method!r}."
        )
    for name in RESPONSE_METHODS[response_method]:
        if hasattr(estimator, name):
            return name, getattr(estimator, name)
    raise ParameterError(
        f"{type(estimator).__name__} has no {' or '.join(RESPONSE_METHODS[response_method])}; "
        "choose a response_method it supports."
    )


def _as_outputs(values: Any, method: str, n_classes: int) -> np.ndarray:
    """Responses as (n_rows, n_outputs): the positive class alone for two classes."""
    values = np.asarray(values, dtype=np.float64)
    if method == "predict_proba" and n_classes == 2:
        return values[:, 1:2]
    return values.reshape(values.shape[0], -1)


def _tile(X: Any, k: int) -> Any:
    if isinstance(X, pd.DataFrame):
        return pd.concat([X] * k, ignore_index=True)
    return np.tile(X, (k, 1))


def _evaluate(predict, method, n_classes, X, positions, points) -> np.ndarray:
    """Responses at every grid point for every row, shape (n_points, n_rows, n_outputs)."""
    n, n_points = X.shape[0], points[0].size
    per_batch = max(1, _CELLS_PER_BATCH // max(n * X.shape[1], 1))
    blocks = []
    for start in range(0, n_points, per_batch):
        stop = min(start + per_batch, n_points)
        big = _tile(X, stop - start)
        for j, values in zip(positions, points, strict=True):
            set_column(big, j, np.repeat(values[start:stop], n))
        out = _as_outputs(predict(big), method, n_classes)
        blocks.append(out.reshape(stop - start, n, -1))
    return np.concatenate(blocks, axis=0)


def _categorical_mask(X: Any, positions: np.ndarray, categorical_features: Any) -> list[bool]:
    if categorical_features is None:
        return [False] * positions.size
    given = np.asarray(categorical_features)
    if given.size == 0:
        raise ParameterError("categorical_features=[] is not allowed; pass None for no categories.")
    if given.dtype.kind == "b":
        if given.size != X.shape[1]:
            raise ParameterError(
                f"A boolean categorical_features needs one entry per column of X ({X.shape[1]}); "
                f"got {given.size}."
            )
        return [bool(given[j]) for j in positions]
    chosen = set(feature_positions(X, given.tolist()).tolist())
    return [int(j) in chosen for j in positions]


def _floats_for_integer_columns(X: Any, positions: np.ndarray, categorical: list[bool]) -> Any:
    """Integer columns on a numeric grid hold floats (scikit-learn refuses them instead)."""
    numeric = [int(j) for j, cat in zip(positions, categorical, strict=True) if not cat]
    if isinstance(X, pd.DataFrame):
        X = X.copy()
        for j in numeric:
            if X.iloc[:, j].dtype.kind in "iu":
                X.isetitem(j, X.iloc[:, j].astype(np.float64))
        return X
    if X.dtype.kind in "iub" and numeric:
        return X.astype(np.float64)
    return X.copy()


def partial_dependence(
    estimator: Any,
    X: Any,
    features: Any,
    *,
    kind: str = "average",
    grid_resolution: int = 100,
    percentiles: tuple[float, float] = (0.05, 0.95),
    response_method: str = "auto",
    categorical_features: Any = None,
    sample_weight: Any = None,
    custom_values: dict[Any, Any] | None = None,
) -> PartialDependence:
    """Partial dependence and ICE curves of one or two columns (scikit-learn's brute method).

    Parameters
    ----------
    estimator : fitted regressor, classifier or Pipeline
    X : array-like or DataFrame of shape (n_samples, n_features)
        Rows the curves average over (a DataFrame is kept, so a pipeline sees names).
    features : int, str or list of them
        The columns S (positions or DataFrame names); two give a joint grid.
    kind : {"average", "individual", "both"}, default="average"
        PD, ICE curves, or both.
    grid_resolution : int, default=100
        Grid points per numeric column (fewer unique values: those values).
    percentiles : (float, float), default=(0.05, 0.95)
        Quantiles bounding a numeric grid.
    response_method : {"auto", "predict_proba", "decision_function"}, default="auto"
        Classifier response ("auto": probabilities if available); regressors predict.
    categorical_features : list of int or str, or boolean mask, optional
        Columns whose grid is their categories.
    sample_weight : array-like of shape (n_samples,), optional
        Weights of the PD average (ICE curves are not weighted).
    custom_values : dict of (int or str) to array-like, optional
        Grid values for some columns of S instead of the computed ones.

    Returns
    -------
    PartialDependence

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LinearRegression
    >>> from lemma.explain import partial_dependence
    >>> X = np.column_stack([np.linspace(0, 1, 50), np.linspace(1, 0, 50) ** 2])
    >>> model = LinearRegression().fit(X, 2 * X[:, 0] + X[:, 1])
    >>> result = partial_dependence(model, X, [0], grid_resolution=3, percentiles=(0, 1))
    >>> result.grid_values[0].round(3), result.average.round(3)
    (array([0. , 0.5, 1. ]), array([[0.34, 1.34, 2.34]]))
    """
    check_is_fitted(estimator)
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {list(KINDS)}; got {kind!r}.")
    _check_grid_options(grid_resolution, percentiles)
    X = as_table(X)
    positions = feature_positions(X, features)
    method, predict = _response(estimator, response_method)
    categorical = _categorical_mask(X, positions, categorical_features)
    X = _floats_for_integer_columns(X, positions, categorical)
    weight = _weights(sample_weight, X.shape[0])
    custom = {
        k: custom_values[key]
        for k, key in enumerate(_feature_keys(features))
        if custom_values is not None and key in custom_values
    }
    grid_values = grid_from_X(
        [column(X, j) for j in positions],
        is_categorical=categorical,
        grid_resolution=grid_resolution,
        percentiles=percentiles,
        custom_values=custom,
    )
    n_classes = len(getattr(estimator, "classes_", ())) if method != "predict" else 0
    responses = _evaluate(predict, method, n_classes, X, positions, _cartesian(grid_values))
    sizes = [v.size for v in grid_values]
    individual = responses.transpose(2, 1, 0).reshape(responses.shape[2], X.shape[0], *sizes)
    average = np.average(responses, axis=1, weights=weight).T.reshape(-1, *sizes)
    names = column_names(X)
    return PartialDependence(
        grid_values=grid_values,
        average=average if kind != "individual" else None,
        individual=individual if kind != "average" else None,
        features=[names[j] for j in positions],
        is_categorical=categorical,
        response=method,
        output_names=_output_names(estimator, method, average.shape[0]),
    )


def _feature_keys(features: Any) -> list[Any]:
    return [features] if isinstance(features, str | int | np.integer) else list(features)


def _check_grid_options(grid_resolution: Any, percentiles: Any) -> None:
    if isinstance(grid_resolution, bool) or not isinstance(grid_resolution, int | np.integer):
        raise ParameterError(f"grid_resolution must be an int > 1; got {grid_resolution!r}.")
    if grid_resolution <= 1:
        raise ParameterError(f"grid_resolution must be an int > 1; got {grid_resolution}.")
    if (
        not isinstance(percentiles, tuple | list)
        or len(percentiles) != 2
        or not all(0 <= p <= 1 for p in percentiles)
        or percentiles[0] >= percentiles[1]
    ):
        raise ParameterError(
            f"percentiles must be two increasing numbers in [0, 1], e.g. (0.05, 0.95); got "
            f"{percentiles!r}."
        )


def _weights(sample_weight: Any, n: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    weight = np.asarray(sample_weight, dtype=np.float64)
    if weight.shape != (n,) or not np.all(np.isfinite(weight)) or np.any(weight < 0):
        raise DataValidationError(
            f"sample_weight must hold {n} finite non-negative weights, one per row of X; got "
            f"shape {weight.shape}."
        )
    return weight


def _output_names(estimator: Any, method: str, n_outputs: int) -> list[str]:
    classes = getattr(estimator, "classes_", None)
    if method == "predict" or classes is None:
        return ["prediction"] if n_outputs == 1 else [f"output {k}" for k in range(n_outputs)]
    classes = [str(c) for c in classes]
    return [classes[-1]] if n_outputs == 1 else classes


@dataclass
class PartialDependence:
    """Partial dependence (``average``) and ICE curves (``individual``) on a grid.

    Attributes
    ----------
    grid_values : list of ndarray
        Grid of each column of S; the grid is their Cartesian product.
    average : ndarray of shape (n_outputs, len(grid_values[0]), ...) or None
        PD at each grid point (``kind`` "average" or "both").
    individual : ndarray of shape (n_outputs, n_samples, len(grid_values[0]), ...) or None
        ICE: each row's response at each grid point (``kind`` "individual" or "both").
    features : list of str
        Names of the columns of S.
    is_categorical : list of bool
    response : str
        The estimator method that gave the response.
    output_names : list of str
        What each output is: "prediction", or the class whose probability it is.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.explain import PartialDependence
    >>> result = PartialDependence([np.array([0.0, 1.0])], np.array([[1.0, 3.0]]), None,
    ...                            ["x0"], [False], "predict", ["prediction"])
    >>> result.to_frame()
        x0    output  average
    0  0.0  prediction      1.0
    1  1.0  prediction      3.0
    """

    grid_values: list[np.ndarray]
    average: np.ndarray | None
    individual: np.ndarray | None
    features: list[str]
    is_categorical: list[bool]
    response: str
    output_names: list[str]

    def __getitem__(self, key: str) -> Any:
        """scikit-learn's Bunch keys: ``result["average"]``, ``result["grid_values"]``."""
        if key not in ("grid_values", "average", "individual") or getattr(self, key) is None:
            raise KeyError(key)
        return getattr(self, key)

    def _average(self) -> np.ndarray:
        if self.average is not None:
            return self.average
        return self.individual.mean(axis=1)  # type: ignore[union-attr]

    def to_frame(self) -> pd.DataFrame:
        """PD in long form: one row per grid point and output."""
        mesh = np.meshgrid(*[np.arange(v.size) for v in self.grid_values], indexing="ij")
        frames = []
        average = self._average()
        for k, name in enumerate(self.output_names):
            columns = zip(self.features, self.grid_values, mesh, strict=True)
            part = {f: v[m.ravel()] for f, v, m in columns}
            part["output"] = np.repeat(name, mesh[0].size)
            part["average"] = average[k].ravel()
            frames.append(pd.DataFrame(part))
        return pd.concat(frames, ignore_index=True)

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Draw with :func:`plot_partial_dependence`; returns the Axes."""
        return plot_partial_dependence(self, ax=ax, **options)


def plot_partial_dependence(
    result: PartialDependence,
    ax: Any = None,
    *,
    output: int = 0,
    max_ice_lines: int = 100,
) -> Any:
    """Draw a PD curve (with ICE curves when computed), a bar chart or a 2-D contour.

    Parameters
    ----------
    result : PartialDependence
    ax : matplotlib Axes, optional
        Where to draw (default: the current Axes).
    output : int, default=0
        Which output (class) to draw.
    max_ice_lines : int, default=100
        ICE curves drawn at most (evenly spaced rows).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.explain import PartialDependence, plot_partial_dependence
    >>> result = PartialDependence([np.array([0.0, 1.0])], np.array([[1.0, 3.0]]), None,
    ...                            ["x0"], [False], "predict", ["prediction"])
    >>> ax = plot_partial_dependence(result)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    ax = plt.gca() if ax is None else ax
    average = result._average()[output]
    name = result.output_names[output]
    if len(result.features) == 2:
        first, second = result.grid_values
        contour = ax.contourf(first, second, average.T, levels=12, cmap="viridis")
        ax.figure.colorbar(contour, ax=ax, label=f"partial dependence ({name})")
        ax.set_xlabel(result.features[0])
        ax.set_ylabel(result.features[1])
        return ax
    grid = result.grid_values[0]
    if result.is_categorical[0]:
        ax.bar([str(v) for v in grid], average, color="#2b6cb0")
    else:
        if result.individual is not None:
            curves = result.individual[output]
            rows = np.unique(np.linspace(0, curves.shape[0] - 1, max_ice_lines).astype(int))
            ax.plot(grid, curves[rows].T, color="#a0aec0", linewidth=0.5, alpha=0.6)
        ax.plot(grid, average, color="#dd6b20", linewidth=2.0, label="average (PD)")
    ax.set_xlabel(result.features[0])
    ax.set_ylabel(f"partial dependence ({name})")
    return ax
