"""Search spaces: grids, samplers, distributions and their unit-cube coding.

A grid search tries every combination of listed values (:class:`ParameterGrid`,
keys sorted, the last varying fastest: scikit-learn's order); a randomized
search draws candidates (:class:`ParameterSampler`: lists uniformly, without
replacement when every value is a list; distributions by their ``rvs``).

A randomized search draws each hyperparameter θ from a distribution; a Bayesian
search also needs a map between θ and a coordinate u ∈ [0, 1] where a Gaussian
process can measure distances. Each dimension here has both:

    uniform(low, high)     θ ~ U[low, high]                u = (θ − low)/(high − low)
    loguniform(low, high)  log θ ~ U[log low, log high]    u = log(θ/low)/log(high/low)
    randint(low, high)     θ uniform on {low, …, high − 1}  u = (θ − low + ½)/(high − low)
    categorical(values)    θ uniform on the k values        u = (index + ½)/k

and the inverse map ``from_unit`` sends u back (integers and categories by the
cell ``⌊u·k⌋`` that u falls in, so the coding of an integer is the centre of its
cell). A frozen ``scipy.stats`` distribution F is accepted too: it is sampled by
its own ``rvs`` and coded by its quantile transform, u = F(θ), θ = F⁻¹(u), so a
Bayesian search measures distances in probability, as the prior shapes them.

Bounds follow SciPy where the names coincide: ``loguniform(a, b)`` is SciPy's
``loguniform(a, b)``; ``randint(low, high)`` excludes ``high`` as SciPy's does.
``uniform(low, high)`` takes the two ends (SciPy's ``uniform(loc, scale)`` takes
the left end and the width).

Reference: J. Bergstra & Y. Bengio, "Random search for hyper-parameter
optimization", JMLR 13 (2012) 281–305 (why log scales and random draws).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterator, Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np

from lemma.exceptions import LemmaWarning, ParameterError
from lemma.validation import check_random_state

__all__ = [
    "Categorical",
    "Dimension",
    "LogUniform",
    "ParameterGrid",
    "ParameterSampler",
    "RandInt",
    "ScipyDimension",
    "Uniform",
    "as_dimension",
    "categorical",
    "check_space",
    "loguniform",
    "randint",
    "uniform",
]

#: Quantile levels kept away from 0 and 1, where F⁻¹ of an unbounded law is infinite.
_EDGE = 1e-9


def _check_bounds(low: Any, high: Any, owner: str, *, positive: bool = False) -> None:
    finite = all(isinstance(v, int | float | np.number) and np.isfinite(v) for v in (low, high))
    if not finite or not low < high or (positive and low <= 0):
        need = "0 < low < high" if positive else "low < high"
        raise ParameterError(
            f"{owner} needs finite bounds with {need}; got low={low!r}, high={high!r}."
        )


def _scalar(values: np.ndarray, size: Any) -> Any:
    """A Python scalar when no size was asked for (as SciPy's rvs returns), else the array."""
    return values.item() if size is None else values


class Dimension:
    """One searched hyperparameter: draws (``rvs``) and the coding to [0, 1].

    Subclasses define ``rvs(size=None, random_state=None)``, ``to_unit(values)``
    and ``from_unit(u)``.
    """

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:  # pragma: no cover
        raise NotImplementedError

    def to_unit(self, values: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def from_unit(self, u: Any) -> list[Any]:  # pragma: no cover - abstract
        raise NotImplementedError


class Uniform(Dimension):
    """θ uniform on [low, high].

    Examples
    --------
    >>> from lemma.selection.distributions import uniform
    >>> dim = uniform(0.0, 10.0)
    >>> dim.to_unit([2.5]), dim.from_unit([0.5])
    (array([0.25]), [5.0])
    """

    def __init__(self, low: float, high: float):
        _check_bounds(low, high, "uniform")
        self.low, self.high = float(low), float(high)

    def __repr__(self) -> str:
        return f"uniform({self.low:g}, {self.high:g})"

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        u = check_random_state(random_state).uniform(size=size)
        return _scalar(np.asarray(self.low + (self.high - self.low) * u), size)

    def to_unit(self, values: Any) -> np.ndarray:
        return (np.asarray(values, dtype=float) - self.low) / (self.high - self.low)

    def from_unit(self, u: Any) -> list[Any]:
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        return [float(v) for v in self.low + (self.high - self.low) * u]


class LogUniform(Dimension):
    """log θ uniform on [log low, log high]: every decade equally likely.

    Examples
    --------
    >>> from lemma.selection.distributions import loguniform
    >>> dim = loguniform(1e-3, 1e3)
    >>> dim.to_unit([1.0]), round(dim.from_unit([0.75])[0], 6)
    (array([0.5]), 31.622777)
    """

    def __init__(self, low: float, high: float):
        _check_bounds(low, high, "loguniform", positive=True)
        self.low, self.high = float(low), float(high)

    def __repr__(self) -> str:
        return f"loguniform({self.low:g}, {self.high:g})"

    def _span(self) -> tuple[float, float]:
        return math.log(self.low), math.log(self.high) - math.log(self.low)

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        start, width = self._span()
        u = check_random_state(random_state).uniform(size=size)
        return _scalar(np.exp(start + width * np.asarray(u)), size)

    def to_unit(self, values: Any) -> np.ndarray:
        start, width = self._span()
        return (np.log(np.asarray(values, dtype=float)) - start) / width

    def from_unit(self, u: Any) -> list[Any]:
        start, width = self._span()
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        return [float(v) for v in np.exp(start + width * u)]


def _cell(u: Any, k: int) -> np.ndarray:
    """Index of the cell of [0, 1] cut in k equal parts that each u falls in."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    return np.minimum(np.floor(u * k), k - 1).astype(int)


class RandInt(Dimension):
    """θ uniform on the integers low, low + 1, …, high − 1 (``high`` excluded, as SciPy).

    Examples
    --------
    >>> from lemma.selection.distributions import randint
    >>> dim = randint(1, 5)
    >>> dim.to_unit([1, 4]), dim.from_unit([0.0, 0.3, 1.0])
    (array([0.125, 0.875]), [1, 2, 4])
    """

    def __init__(self, low: int, high: int):
        if not all(isinstance(v, int | np.integer) for v in (low, high)) or not low < high:
            raise ParameterError(
                f"randint needs integer bounds low < high (high excluded); got low={low!r}, "
                f"high={high!r}."
            )
        self.low, self.high = int(low), int(high)

    def __repr__(self) -> str:
        return f"randint({self.low}, {self.high})"

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        values = check_random_state(random_state).randint(self.low, self.high, size=size)
        return _scalar(np.asarray(values), size)

    def to_unit(self, values: Any) -> np.ndarray:
        k = self.high - self.low
        return (np.asarray(values, dtype=float) - self.low + 0.5) / k

    def from_unit(self, u: Any) -> list[Any]:
        return [self.low + int(i) for i in _cell(u, self.high - self.low)]


class Categorical(Dimension):
    """θ uniform on a list of values (coded by index: no order is meant).

    Examples
    --------
    >>> from lemma.selection.distributions import categorical
    >>> dim = categorical(["l1", "l2", "elasticnet"])
    >>> dim.to_unit(["l2"]), dim.from_unit([0.9])
    (array([0.5]), ['elasticnet'])
    """

    def __init__(self, values: Sequence[Any]):
        if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
            raise ParameterError(f"categorical needs a list of values; got {values!r}.")
        if len(values) == 0:
            raise ParameterError("categorical needs at least one value; got an empty list.")
        self.values = list(values)

    def __repr__(self) -> str:
        return f"categorical({self.values!r})"

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        rng = check_random_state(random_state)
        if size is None:
            return self.values[rng.randint(len(self.values))]
        index = rng.randint(len(self.values), size=size)
        return np.array([self.values[i] for i in np.ravel(index)], dtype=object).reshape(
            np.shape(index)
        )

    def _index(self, value: Any) -> int:
        for i, candidate in enumerate(self.values):
            if candidate is value or _equal(candidate, value):
                return i
        raise ParameterError(f"{value!r} is not one of the categories {self.values!r}.")

    def to_unit(self, values: Any) -> np.ndarray:
        k = len(self.values)
        return np.array([(self._index(v) + 0.5) / k for v in values], dtype=float)

    def from_unit(self, u: Any) -> list[Any]:
        return [self.values[int(i)] for i in _cell(u, len(self.values))]


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


class ScipyDimension(Dimension):
    """A frozen ``scipy.stats`` distribution, coded by its quantile transform.

    Examples
    --------
    >>> from scipy import stats
    >>> from lemma.selection.distributions import ScipyDimension
    >>> dim = ScipyDimension(stats.norm(0, 1))
    >>> round(float(dim.to_unit([0.0])[0]), 6), round(dim.from_unit([0.975])[0], 3)
    (0.5, 1.96)
    """

    def __init__(self, distribution: Any):
        for method in ("rvs", "cdf", "ppf"):
            if not callable(getattr(distribution, method, None)):
                raise ParameterError(
                    f"{distribution!r} has no {method} method; a Bayesian search needs a "
                    "frozen scipy.stats distribution (rvs, cdf, ppf) or one of "
                    "lemma.selection.distributions' (uniform, loguniform, randint, categorical)."
                )
        self.distribution = distribution
        self.discrete = hasattr(getattr(distribution, "dist", None), "pmf")

    def __repr__(self) -> str:
        dist = self.distribution
        name = getattr(getattr(dist, "dist", None), "name", type(dist).__name__)
        return f"scipy.stats.{name}{tuple(getattr(dist, 'args', ()))}"

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        return self.distribution.rvs(size=size, random_state=random_state)

    def to_unit(self, values: Any) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        if self.discrete:  # the middle of the value's probability step
            upper = self.distribution.cdf(values)
            return (upper + self.distribution.cdf(values - 1)) / 2
        return np.asarray(self.distribution.cdf(values), dtype=float)

    def from_unit(self, u: Any) -> list[Any]:
        u = np.clip(np.asarray(u, dtype=float), _EDGE, 1 - _EDGE)
        values = self.distribution.ppf(u)
        if self.discrete:
            return [int(v) for v in values]
        return [float(v) for v in values]


# ------------------------------------------------------------------------------ builders
def uniform(low: float, high: float) -> Uniform:
    """θ uniform on [low, high] (note: SciPy's ``uniform(loc, scale)`` takes loc, width).

    Examples
    --------
    >>> from lemma.selection.distributions import uniform
    >>> 0.0 <= uniform(0.0, 1.0).rvs(random_state=0) <= 1.0
    True
    """
    return Uniform(low, high)


def loguniform(low: float, high: float) -> LogUniform:
    """θ log-uniform on [low, high], as ``scipy.stats.loguniform(low, high)``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.selection.distributions import loguniform
    >>> draws = loguniform(1e-4, 1e4).rvs(size=1000, random_state=0)
    >>> round(float(np.mean(draws < 1.0)), 1)
    0.5
    """
    return LogUniform(low, high)


def randint(low: int, high: int) -> RandInt:
    """θ uniform on the integers {low, …, high − 1}, as ``scipy.stats.randint``.

    Examples
    --------
    >>> from lemma.selection.distributions import randint
    >>> sorted(set(randint(2, 5).rvs(size=200, random_state=0).tolist()))
    [2, 3, 4]
    """
    return RandInt(low, high)


def categorical(values: Sequence[Any]) -> Categorical:
    """θ uniform on ``values``.

    Examples
    --------
    >>> from lemma.selection.distributions import categorical
    >>> categorical(["rbf", "linear"]).rvs(random_state=1)
    'linear'
    """
    return Categorical(values)


def _is_list(value: Any) -> bool:
    return not isinstance(value, str) and isinstance(value, Sequence | np.ndarray)


def as_dimension(value: Any, name: str = "parameter") -> Dimension:
    """A :class:`Dimension` from a lemma dimension, a list or a frozen scipy distribution.

    Parameters
    ----------
    value : Dimension, list of values or frozen scipy.stats distribution
    name : str
        Hyperparameter name, used in messages.

    Returns
    -------
    Dimension

    Examples
    --------
    >>> from scipy import stats
    >>> from lemma.selection.distributions import as_dimension
    >>> as_dimension([1, 2, 3], "degree"), as_dimension(stats.randint(1, 4), "k")
    (categorical([1, 2, 3]), scipy.stats.randint(1, 4))
    """
    if isinstance(value, Dimension):
        return value
    if _is_list(value):
        if len(value) == 0:
            raise ParameterError(f"The values of {name!r} are an empty list; give at least one.")
        return Categorical(value)
    if hasattr(value, "rvs"):
        return ScipyDimension(value)
    raise ParameterError(
        f"The search space of {name!r} must be a list of values, a frozen scipy.stats "
        f"distribution or a lemma.selection.distributions dimension; got {value!r}."
    )


def check_space(space: Any, owner: str) -> dict[str, Dimension]:
    """A search space as ``{name: Dimension}``, in sorted name order.

    Parameters
    ----------
    space : dict of str -> (list, distribution or Dimension)
    owner : str
        Name of the search, used in messages.

    Returns
    -------
    dict of str -> Dimension

    Examples
    --------
    >>> from lemma.selection.distributions import check_space, loguniform
    >>> check_space({"C": loguniform(1e-2, 1e2), "kernel": ["rbf", "linear"]}, "BayesSearchCV")
    {'C': loguniform(0.01, 100), 'kernel': categorical(['rbf', 'linear'])}
    """
    if not isinstance(space, Mapping) or not space:
        raise ParameterError(
            f"{owner} needs a non-empty dict of parameter name -> values or distribution; "
            f"got {space!r}."
        )
    return {str(name): as_dimension(space[name], str(name)) for name in sorted(space)}


# --------------------------------------------------------------- grids and samplers
def _is_values(value: Any) -> bool:
    """A non-empty list of values (not a string, not a 2-D array)."""
    if isinstance(value, np.ndarray):
        return value.ndim == 1 and value.size > 0
    return isinstance(value, Sequence) and not isinstance(value, str) and len(value) > 0


def _as_grids(space: Any, what: str) -> list[dict[str, Any]]:
    grids = [space] if isinstance(space, Mapping) else space
    if isinstance(grids, str) or not isinstance(grids, Sequence) or len(grids) == 0:
        raise ParameterError(
            f"The {what} must be a dict of parameter name -> values, or a non-empty list of "
            f"such dicts; got {space!r}."
        )
    for grid in grids:
        if not isinstance(grid, Mapping):
            raise ParameterError(f"Each entry of the {what} must be a dict; got {grid!r}.")
    return [dict(grid) for grid in grids]


class ParameterGrid:
    """Every combination of parameter values, in scikit-learn's order.

    Parameters
    ----------
    param_grid : dict of str -> list, or list of such dicts
        Each dict is a grid: its keys are sorted and the last key varies fastest.
        ``{}`` stands for one candidate with the estimator's own parameters.

    Examples
    --------
    >>> from lemma.selection import ParameterGrid
    >>> list(ParameterGrid([{"kernel": ["linear"]}, {"kernel": ["rbf"], "gamma": [1, 10]}]))
    [{'kernel': 'linear'}, {'gamma': 1, 'kernel': 'rbf'}, {'gamma': 10, 'kernel': 'rbf'}]
    """

    def __init__(self, param_grid: Any):
        self.param_grid = _as_grids(param_grid, "parameter grid")
        for grid in self.param_grid:
            for name, values in grid.items():
                if not _is_values(values):
                    raise ParameterError(
                        f"The grid of {name!r} must be a non-empty list or 1-D array of values;"
                        f" got {values!r}. Wrap a single value in a list: [{values!r}]."
                    )

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for grid in self.param_grid:
            names = sorted(grid)
            for values in product(*(grid[name] for name in names)):
                yield dict(zip(names, values, strict=True))

    def __len__(self) -> int:
        return sum(int(np.prod([len(v) for v in grid.values()])) for grid in self.param_grid)

    def __getitem__(self, index: int) -> dict[str, Any]:
        """The ``index``-th combination, without listing the ones before it."""
        for grid in self.param_grid:
            names = sorted(grid)
            size = int(np.prod([len(grid[name]) for name in names]))
            if index >= size:
                index -= size
                continue
            out = {}
            for name in reversed(names):  # the last name varies fastest
                index, offset = divmod(index, len(grid[name]))
                out[name] = grid[name][offset]
            return dict(sorted(out.items()))
        raise IndexError("ParameterGrid index out of range")


def _sample_indices(size: int, n: int, rng: np.random.RandomState) -> list[int]:
    """n distinct integers from range(size), in random order."""
    if size <= 4 * n or size <= 100_000:
        return [int(i) for i in rng.permutation(size)[:n]]
    chosen: dict[int, None] = {}
    while len(chosen) < n:
        chosen.setdefault(int(rng.randint(size)), None)
    return list(chosen)


class ParameterSampler:
    """``n_iter`` candidates drawn from lists and distributions.

    Parameters
    ----------
    param_distributions : dict of str -> (list or distribution), or list of such dicts
        A list is sampled uniformly; a distribution (anything with
        ``rvs(random_state=...)``: scipy.stats frozen distributions,
        :mod:`lemma.selection.distributions`) by its ``rvs``. With a list of dicts,
        each draw first picks a dict uniformly.
    n_iter : int
        Number of candidates. When every value is a list, the candidates are
        distinct grid points (at most the grid's size, with a warning).
    random_state : None, int or RandomState

    Examples
    --------
    >>> from lemma.selection import ParameterSampler
    >>> from lemma.selection.distributions import loguniform
    >>> draws = list(ParameterSampler({"C": loguniform(1e-2, 1e2), "kernel": ["rbf"]}, 3,
    ...                               random_state=0))
    >>> [sorted(d) for d in draws][0], all(0.01 <= d["C"] <= 100 for d in draws)
    (['C', 'kernel'], True)
    """

    def __init__(self, param_distributions: Any, n_iter: int, *, random_state: Any = None):
        self.param_distributions = _as_grids(param_distributions, "parameter distributions")
        for space in self.param_distributions:
            for name, value in space.items():
                if not (_is_values(value) or callable(getattr(value, "rvs", None))):
                    raise ParameterError(
                        f"The distribution of {name!r} must be a non-empty list of values or "
                        f"have an rvs(random_state=...) method (a frozen scipy.stats "
                        f"distribution, lemma.selection.distributions); got {value!r}."
                    )
        if not isinstance(n_iter, numbers.Integral) or isinstance(n_iter, bool) or n_iter < 1:
            raise ParameterError(f"n_iter must be an int >= 1; got {n_iter!r}.")
        self.n_iter = int(n_iter)
        self.random_state = random_state

    def _all_lists(self) -> bool:
        return all(_is_values(v) for space in self.param_distributions for v in space.values())

    def __len__(self) -> int:
        if self._all_lists():
            return min(self.n_iter, len(ParameterGrid(self.param_distributions)))
        return self.n_iter

    def __iter__(self) -> Iterator[dict[str, Any]]:
        rng = check_random_state(self.random_state)
        if self._all_lists():
            grid = ParameterGrid(self.param_distributions)
            if len(grid) < self.n_iter:
                warnings.warn(
                    f"The space has only {len(grid)} distinct candidates, fewer than "
                    f"n_iter={self.n_iter}; all {len(grid)} are tried. Use GridSearchCV for "
                    "an exhaustive search.",
                    LemmaWarning,
                    stacklevel=2,
                )
            for index in _sample_indices(len(grid), len(self), rng):
                yield grid[index]
            return
        for _ in range(self.n_iter):
            space = self.param_distributions[rng.randint(len(self.param_distributions))]
            params = {}
            for name in sorted(space):
                value = space[name]
                if _is_values(value):
                    params[name] = value[rng.randint(len(value))]
                else:
                    params[name] = value.rvs(random_state=rng)
            yield params
