"""Candidate feature groups for FeatureSearch: what they are, how they are built, their names.

A candidate is a :class:`FeatureSpec` — a kind and the input columns it reads — and
stands for one *group* of output columns that enter or leave a model together:

============  ==================  ==============================================
kind          name                columns
============  ==================  ==============================================
``column``    ``x``               x itself (numeric or 0/1)
``onehot``    ``city``            indicators of every category but the first
``log``       ``log(x)``          log x (x > 0 at fit; later x ≤ 0 → min fit x)
``log1p``     ``log1p(x)``        log(1 + x) (x ≥ 0 at fit; negatives clipped)
``square``    ``x^2``             x²
``product``   ``a*b``             the interaction a·b
``bins``      ``bins(x)``         indicators of quantile bins 2 … K of x
============  ==================  ==============================================

Stateful groups (categories, bin edges, log floors) learn their state in ``fit``, so
inside cross-validation they are fitted on each training fold only. The first
category and the first bin are the reference level (dropped), so a group never
duplicates the intercept of a linear model. A fitted group is also written as plain
values (:meth:`FeatureBuilder.fitted_groups`: its spec's fields and a dict of arrays
and numbers), which is what a fitted FeatureSearch keeps, so that lemma.save can
store it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from lemma.base import BaseEstimator, TransformerMixin
from lemma.exceptions import DataValidationError, ParameterError
from lemma.prep._table import read_columns
from lemma.validation import check_is_fitted

__all__ = [
    "FeatureBuilder",
    "FeatureSpec",
    "auto_candidates",
    "check_domain",
    "column_kinds",
    "parse_candidate",
    "refuse_missing",
]

#: Sample skewness from which a positive column also gets a log candidate (moderate skew).
SKEW_FOR_LOG = 0.5
#: Quantile bins of a "bins" candidate.
AUTO_BINS = 5


@dataclass(frozen=True)
class FeatureSpec:
    """One candidate group: a kind and the input columns it reads (positions and labels).

    Examples
    --------
    >>> FeatureSpec("product", (0, 2), ("age", "income")).name
    'age*income'
    """

    kind: str
    columns: tuple[int, ...]
    labels: tuple[str, ...]
    n_bins: int = AUTO_BINS

    @property
    def name(self) -> str:
        """The group's name (its label in ``selected_`` and ``history_``)."""
        return _NAMES[self.kind](self.labels)


_NAMES = {
    "column": lambda labels: labels[0],
    "onehot": lambda labels: labels[0],
    "log": lambda labels: f"log({labels[0]})",
    "log1p": lambda labels: f"log1p({labels[0]})",
    "square": lambda labels: f"{labels[0]}^2",
    "product": lambda labels: f"{labels[0]}*{labels[1]}",
    "bins": lambda labels: f"bins({labels[0]})",
}


# ----------------------------------------------------------------------------- blocks
def _numbers(values: np.ndarray, label: str | None = None) -> np.ndarray:
    """The column as float64; with a ``label``, missing values are refused."""
    x = np.asarray(values, dtype=np.float64)
    if label is not None and np.isnan(x).any():
        raise DataValidationError(
            f"Column {label!r} has {int(np.isnan(x).sum())} missing values (NaN); impute "
            "them (lemma.prep.SimpleImputer) before building features from it."
        )
    return x


class _Block:
    """Fit state and output columns of one spec (the default: stateless, one column)."""

    #: names of the attributes ``fit`` learns (plain numbers and arrays).
    state_names: tuple[str, ...] = ()

    def __init__(self, spec: FeatureSpec):
        self.spec = spec

    def fit(self, columns: list[np.ndarray]) -> _Block:
        return self

    def state(self) -> dict[str, Any]:
        """What ``fit`` learnt, by name."""
        return {name: getattr(self, name) for name in self.state_names}

    def transform(self, columns: list[np.ndarray]) -> np.ndarray:
        x = [_numbers(c, label) for c, label in zip(columns, self.spec.labels, strict=True)]
        return self._values(*x)[:, None]

    def _values(self, *x: np.ndarray) -> np.ndarray:
        return x[0]

    def names(self) -> list[str]:
        return [self.spec.name]


class _Square(_Block):
    def _values(self, *x: np.ndarray) -> np.ndarray:
        return x[0] ** 2


class _Product(_Block):
    def _values(self, *x: np.ndarray) -> np.ndarray:
        return x[0] * x[1]


class _Log(_Block):
    """log x; a value x ≤ 0 (possible only after fit) takes the smallest positive training x."""

    state_names = ("floor",)

    def fit(self, columns: list[np.ndarray]) -> _Log:
        x = _numbers(columns[0])
        positive = x[x > 0]
        self.floor = float(positive.min()) if positive.size else 1.0
        return self

    def _values(self, *x: np.ndarray) -> np.ndarray:
        return np.log(np.where(x[0] > 0, x[0], self.floor))


class _Log1p(_Block):
    def _values(self, *x: np.ndarray) -> np.ndarray:
        return np.log1p(np.maximum(x[0], 0.0))


class _Dummies(_Block):
    """Indicators of the levels after the first (the reference); unknown levels → zeros."""

    levels: np.ndarray

    def _codes(self, column: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover - each subclass defines its levels

    def transform(self, columns: list[np.ndarray]) -> np.ndarray:
        codes = self._codes(columns[0])
        return (codes[:, None] == np.arange(1, self.levels.size)).astype(np.float64)

    def names(self) -> list[str]:
        return [f"{self.spec.name}_{level}" for level in self.levels[1:]]


class _OneHot(_Dummies):
    state_names = ("levels",)

    def fit(self, columns: list[np.ndarray]) -> _OneHot:
        self.levels = np.unique(_as_text(columns[0]))
        return self

    def _codes(self, column: np.ndarray) -> np.ndarray:
        text = _as_text(column)
        codes = np.minimum(np.searchsorted(self.levels, text), self.levels.size - 1)
        return np.where(self.levels[codes] == text, codes, 0)  # unknown: the reference


class _Bins(_Dummies):
    state_names = ("edges", "levels")

    def fit(self, columns: list[np.ndarray]) -> _Bins:
        x = _numbers(columns[0])
        inner = np.quantile(x, np.linspace(0, 1, self.spec.n_bins + 1)[1:-1])
        self.edges = np.unique(inner)
        self.levels = np.arange(self.edges.size + 1)
        return self

    def _codes(self, column: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.edges, _numbers(column, self.spec.labels[0]), side="right")


def _as_text(values: np.ndarray) -> np.ndarray:
    return np.asarray([str(v) for v in values], dtype=object).astype(str)


#: spec kind -> block class.
_BLOCKS: dict[str, type[_Block]] = {
    "column": _Block,
    "onehot": _OneHot,
    "log": _Log,
    "log1p": _Log1p,
    "square": _Square,
    "product": _Product,
    "bins": _Bins,
}


class FeatureBuilder(TransformerMixin, BaseEstimator):
    """Build the columns of a list of candidate groups from the raw input table.

    Parameters
    ----------
    specs : tuple of FeatureSpec
        Groups in output order.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 4.0], "city": ["Oslo", "Rome", "Oslo"]})
    >>> specs = (FeatureSpec("log", (0,), ("a",)), FeatureSpec("onehot", (1,), ("city",)))
    >>> FeatureBuilder(specs).fit_transform(X).round(3)
       log(a)  city_Rome
    0   0.000        0.0
    1   0.693        1.0
    2   1.386        0.0
    """

    def __init__(self, specs: tuple[FeatureSpec, ...] = ()):
        self.specs = specs

    def fit(self, X: Any, y: Any = None) -> FeatureBuilder:
        """Learn the state of every group (categories, bin edges, log floors) from X."""
        columns, _ = read_columns(self, X, reset=True)
        return self.fit_columns(columns)

    def fit_columns(self, columns: list[np.ndarray]) -> FeatureBuilder:
        """:meth:`fit` on a table already read into columns."""
        self.blocks_ = [
            _BLOCKS[spec.kind](spec).fit([columns[j] for j in spec.columns]) for spec in self.specs
        ]
        return self

    def fitted_groups(self) -> list[dict[str, Any]]:
        """The fitted groups as plain values: each spec's fields and its learnt ``state``.

        :meth:`from_groups` rebuilds the builder from them, without refitting.

        Examples
        --------
        >>> import pandas as pd
        >>> X = pd.DataFrame({"a": [1.0, 2.0, 4.0]})
        >>> groups = FeatureBuilder((FeatureSpec("log", (0,), ("a",)),)).fit(X).fitted_groups()
        >>> groups
        [{'kind': 'log', 'columns': (0,), 'labels': ('a',), 'n_bins': 5, 'state': {'floor': 1.0}}]
        >>> FeatureBuilder.from_groups(groups).build([X["a"].to_numpy()], 3).round(3).ravel()
        array([0.   , 0.693, 1.386])
        """
        check_is_fitted(self)
        return [{**dataclasses.asdict(b.spec), "state": b.state()} for b in self.blocks_]

    @classmethod
    def from_groups(cls, groups: list[dict[str, Any]]) -> FeatureBuilder:
        """A builder from :meth:`fitted_groups`, ready for :meth:`build` (no refit).

        Only the spec's fields and each group's known state names are read. The builder
        does not know the input's width or names: its owner checks the input (as
        FeatureSearch's ``transform`` does) and passes the columns to :meth:`build`.
        """
        fields = [f.name for f in dataclasses.fields(FeatureSpec)]
        specs = tuple(FeatureSpec(**{name: g[name] for name in fields}) for g in groups)
        builder = cls(specs)
        builder.blocks_ = []
        for spec, group in zip(specs, groups, strict=True):
            block = _BLOCKS[spec.kind](spec)
            for name in block.state_names:
                setattr(block, name, group["state"][name])
            builder.blocks_.append(block)
        return builder

    def transform(self, X: Any) -> Any:
        """The columns of every group, side by side."""
        check_is_fitted(self)
        columns, n = read_columns(self, X, reset=False)
        return self._wrap_output(self.build(columns, n), X)

    def build(self, columns: list[np.ndarray], n: int) -> np.ndarray:
        """:meth:`transform` of a table already read into ``columns`` (n rows)."""
        parts = [b.transform([columns[j] for j in b.spec.columns]) for b in self.blocks_]
        return np.hstack(parts) if parts else np.empty((n, 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns, group after group."""
        check_is_fitted(self)
        return np.asarray([name for b in self.blocks_ for name in b.names()], dtype=object)


# ----------------------------------------------------------------------------- candidates
def column_kinds(columns: list[np.ndarray], labels: list[str]) -> dict[str, str]:
    """``label -> "numeric" | "binary" | "categorical" | "skip"`` for every input column.

    Numbers (and booleans) are numeric, or binary with at most two distinct values;
    text with few distinct values (:func:`lemma.pipeline.infer_kind`) is categorical;
    dates, prose and identifiers are skipped. Missing numbers are refused.
    """
    from lemma.pipeline.selectors import infer_kind

    refuse_missing(columns, labels)
    kinds = {}
    for values, label in zip(columns, labels, strict=True):
        if values.dtype.kind in "biuf":
            kinds[label] = "binary" if np.unique(values).size <= 2 else "numeric"
            continue
        kind = infer_kind(pd.Series(values))
        if kind in ("numeric", "boolean") and _all_numbers(values):
            kinds[label] = "binary" if pd.Series(values).nunique() <= 2 else "numeric"
        else:
            kinds[label] = "categorical" if kind in ("categorical", "boolean") else "skip"
    return kinds


def refuse_missing(columns: list[np.ndarray], labels: list[str]) -> None:
    """Refuse NaN in the numeric columns, naming them (at fit and at transform alike)."""
    found = {
        label: int(np.isnan(values).sum())
        for values, label in zip(columns, labels, strict=True)
        if values.dtype.kind == "f" and np.isnan(values).any()
    }
    if found:
        raise DataValidationError(
            f"FeatureSearch: X has missing values (NaN) in columns {list(found)} "
            f"({', '.join(f'{k}: {v} rows' for k, v in found.items())}); impute them first "
            "(lemma.prep.SimpleImputer in a Pipeline before the search)."
        )


def _all_numbers(values: np.ndarray) -> bool:
    """An object column holding only (non-missing) numbers, e.g. floats stored as objects."""
    try:
        return not np.isnan(np.asarray(values, dtype=np.float64)).any()
    except (TypeError, ValueError):
        return False


def _skewness(x: np.ndarray) -> float:
    centred = x - x.mean()
    spread = np.sqrt(np.mean(centred**2))
    return float(np.mean(centred**3) / spread**3) if spread > 0 else 0.0


def auto_candidates(columns: list[np.ndarray], labels: list[str]) -> list[FeatureSpec]:
    """The candidates FeatureSearch builds by itself from the input columns.

    Every usable column (a categorical one as one group), then for each numeric column
    with more than two values: log(x) if x > 0 (log1p(x) if x ≥ 0 with zeros) and its
    skewness is at least ``SKEW_FOR_LOG``, x², and quantile bins when it has more than
    ``AUTO_BINS`` distinct values; then the products of every pair of numeric or binary
    columns.
    """
    kinds = column_kinds(columns, labels)
    specs, numeric = [], []
    for j, label in enumerate(labels):
        kind = kinds[label]
        if kind == "skip":
            continue
        specs.append(FeatureSpec("onehot" if kind == "categorical" else "column", (j,), (label,)))
        if kind in ("numeric", "binary"):
            numeric.append(j)
    for j in numeric:
        label, x = labels[j], _numbers(columns[j])
        if kinds[label] != "numeric":
            continue
        if x.min() >= 0 and _skewness(x) >= SKEW_FOR_LOG:
            specs.append(FeatureSpec("log" if x.min() > 0 else "log1p", (j,), (label,)))
        specs.append(FeatureSpec("square", (j,), (label,)))
        if np.unique(x).size > AUTO_BINS:
            specs.append(FeatureSpec("bins", (j,), (label,)))
    for a, b in combinations(numeric, 2):
        specs.append(FeatureSpec("product", (a, b), (labels[a], labels[b])))
    return specs


#: kind -> (the smallest value it accepts, whether that value itself is excluded, advice).
_DOMAINS = {
    "log": (0.0, True, "use 'log1p(x)' for a column with zeros, or shift it first"),
    "log1p": (0.0, False, "shift the column to be non-negative first"),
}


def check_domain(spec: FeatureSpec, columns: list[np.ndarray]) -> None:
    """Refuse a log of a column with values outside its domain (x > 0, or x ≥ 0 for log1p).

    Examples
    --------
    >>> check_domain(FeatureSpec("log", (0,), ("x",)), [np.array([0.0, 1.0])])
    Traceback (most recent call last):
    ...
    lemma.exceptions.ParameterError: FeatureSearch: candidate 'log(x)' needs x > 0, ...
    """
    if spec.kind not in _DOMAINS:
        return
    low, strict, advice = _DOMAINS[spec.kind]
    x = _numbers(columns[spec.columns[0]], spec.labels[0])
    bad = int(np.sum(x <= low) if strict else np.sum(x < low))
    if bad:
        sign = ">" if strict else "≥"
        raise ParameterError(
            f"FeatureSearch: candidate {spec.name!r} needs {spec.labels[0]} {sign} {low:g}, "
            f"but {bad} rows do not (smallest value {x.min():g}); {advice}."
        )


#: pattern of a written candidate -> its kind (tried in order after plain column names).
_PATTERNS = (
    (re.compile(r"^log1p\((.+)\)$"), "log1p"),
    (re.compile(r"^log\((.+)\)$"), "log"),
    (re.compile(r"^bins\((.+)\)$"), "bins"),
    (re.compile(r"^(.+)\^2$"), "square"),
    (re.compile(r"^(.+)\*(.+)$"), "product"),
)


def parse_candidate(text: str, labels: list[str], kinds: dict[str, str]) -> FeatureSpec:
    """A written candidate (``"x1"``, ``"log(x3)"``, ``"x1*x2"``, ``"x^2"``, ``"bins(x)"``).

    Examples
    --------
    >>> parse_candidate("log(income)", ["age", "income"], {"age": "numeric", "income": "numeric"})
    FeatureSpec(kind='log', columns=(1,), labels=('income',), n_bins=5)
    """
    position = {label: j for j, label in enumerate(labels)}
    if text in position:
        kind = "onehot" if kinds[text] == "categorical" else "column"
        if kinds[text] == "skip":
            raise ParameterError(
                f"FeatureSearch: column {text!r} holds dates, prose or identifiers; it cannot "
                "be a candidate (encode it first)."
            )
        return FeatureSpec(kind, (position[text],), (text,))
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if match is None or not all(g in position for g in match.groups()):
            continue
        used = match.groups()
        wrong = [g for g in used if kinds[g] not in ("numeric", "binary")]
        if wrong:
            raise ParameterError(
                f"FeatureSearch: candidate {text!r} needs numeric columns; {wrong} are not."
            )
        return FeatureSpec(kind, tuple(position[g] for g in used), tuple(used))
    raise ParameterError(
        f"FeatureSearch: cannot read candidate {text!r}; write a column name, 'log(x)', "
        f"'log1p(x)', 'x^2', 'a*b' or 'bins(x)' with columns among {labels[:20]}."
    )
