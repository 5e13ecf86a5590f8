"""The feature schema: what a model's input columns looked like in training.

A :class:`FeatureSchema` records, for each input column in order, its name, its
kind — one of :data:`KINDS` —, whether it had missing values, the categories seen
(categorical columns) and the range of finite values seen (numeric and integer
columns). :meth:`FeatureSchema.validate` compares new data with it and lists every
:class:`Problem` at once:

* errors — a missing column, an extra column, a wrong type (text in a numeric
  column, fractions in an integer column; the rows are named), categories not seen
  in training (values and counts);
* warnings — missing values in a column that had none, values outside the training
  range.

:meth:`FeatureSchema.check` raises one :class:`SchemaError` listing the errors;
:meth:`FeatureSchema.conform` also returns the data with the training column order
and types. A schema is saved with a model (:func:`lemma.save`) as JSON and read by
``lemma predict`` and the HTTP server.

Examples
--------
>>> import pandas as pd
>>> from lemma.io.schema import FeatureSchema
>>> train = pd.DataFrame({"age": [25, 40, 61], "sex": ["F", "M", "F"]})
>>> schema = FeatureSchema.from_frame(train)
>>> [(c.name, c.kind) for c in schema.columns]
[('age', 'integer'), ('sex', 'categorical')]
>>> new = pd.DataFrame({"age": ["30", "old"], "sex": ["F", "X"]})
>>> for problem in schema.validate(new):
...     print(problem)
column 'age' expects whole numbers but holds other values in 1 row (row 1: 'old')
column 'sex' has categories not seen in training: 'X' (1 row)
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataValidationError, LemmaError

__all__ = ["KINDS", "ColumnSchema", "FeatureSchema", "Problem", "SchemaError"]

#: Column kinds, in the order they are tried when inferring one.
KINDS = ("boolean", "integer", "numeric", "datetime", "categorical", "text")

#: Text read as a boolean (case-insensitive).
_BOOLEAN_TEXT = {"true": True, "false": False, "yes": True, "no": False, "t": True, "f": False}
_SHOWN = 5  # values shown per problem


class SchemaError(LemmaError, ValueError):
    """Data do not match a model's training schema; ``problems`` lists every mismatch."""

    def __init__(
        self,
        problems: list[Problem],
        remedy: str = "fix the data (or retrain the model on data like it)",
    ) -> None:
        self.problems = problems
        count = _count(len(problems), "problem")
        listed = "; ".join(p.message for p in problems)
        super().__init__(
            f"the data do not match the model's training schema ({count}): {listed}; {remedy}"
        )


@dataclass(frozen=True)
class Problem:
    """One mismatch between data and a schema.

    Attributes
    ----------
    kind : str
        "missing_column", "extra_column", "wrong_type", "unseen_categories"
        (errors), "unexpected_missing" or "out_of_range" (warnings).
    column : str or None
    message : str
        One line saying what is wrong, naming the rows or values.
    severity : {"error", "warning"}
    """

    kind: str
    column: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ColumnSchema:
    """What one input column looked like in training.

    Attributes
    ----------
    name : str
    kind : str
        One of :data:`KINDS`.
    nullable : bool
        The column had missing values in training.
    categories : tuple of str or None
        Values seen in training (categorical columns), sorted, as text.
    min, max : float or None
        Smallest and largest finite value seen (numeric and integer columns).
    """

    name: str
    kind: str
    nullable: bool = False
    categories: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None


# ---------------------------------------------------------------------- helpers
def _to_pandas(df: Any) -> pd.DataFrame:
    """A pandas view of a pandas or polars DataFrame (polars without pyarrow)."""
    if isinstance(df, pd.DataFrame):
        return df
    if type(df).__module__.split(".")[0] == "polars" and hasattr(df, "columns"):
        columns = {}
        for name in df.columns:
            series = df[name]
            nullable = {"integer": "Int64", "boolean": "boolean"}
            kind = "integer" if series.dtype.is_integer() else str(series.dtype).lower()
            if series.null_count() and kind in nullable:
                columns[name] = pd.array(series.to_list(), dtype=nullable[kind])
            else:
                columns[name] = series.to_numpy()
        return pd.DataFrame(columns)
    raise DataValidationError(
        f"expected a pandas or polars DataFrame, got {type(df).__name__}; load the data with "
        "pandas.read_csv or lemma.io.datasets.load_dataset first."
    )


def _kind_of(column: pd.Series, max_categories: int) -> str:
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    inferred = pd.api.types.infer_dtype(column, skipna=True)
    by_content = {
        "boolean": "boolean",
        "integer": "integer",
        "floating": "numeric",
        "mixed-integer-float": "numeric",
        "decimal": "numeric",
        "datetime": "datetime",
        "datetime64": "datetime",
        "date": "datetime",
    }
    if inferred in by_content:
        return by_content[inferred]
    return "categorical" if column.nunique(dropna=True) <= max_categories else "text"


def _as_text(values: pd.Series) -> pd.Series:
    """Values as text for comparing categories (integral floats print as integers)."""

    def text(v: Any) -> str:
        if isinstance(v, float | np.floating) and float(v).is_integer():
            return str(int(v))
        return str(v)

    return values.map(text)


def _finite_range(values: pd.Series) -> tuple[float | None, float | None]:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        return None, None
    return float(numbers.min()), float(numbers.max())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _show_rows(column: pd.Series, bad: np.ndarray) -> str:
    rows = column[bad]
    shown = ", ".join(f"row {label}: {value!r}" for label, value in rows.head(_SHOWN).items())
    more = f", and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
    return f"in {_count(len(rows), 'row')} ({shown}{more})"


def _quiet(convert: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return convert()


# Converters: (data column) -> (converted column, mask of present values that failed).
def _to_numbers(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column):
        return column, np.zeros(len(column), dtype=bool)
    if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column):
        return column, column.notna().to_numpy()
    converted = pd.to_numeric(column, errors="coerce")
    return converted, (column.notna() & converted.isna()).to_numpy()


def _to_integers(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    converted, bad = _to_numbers(column)
    if not bad.any():
        numbers = converted.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = np.isfinite(numbers) & (numbers != np.round(numbers))
    return converted, bad


def _to_booleans(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_bool_dtype(column.dtype):
        return column, np.zeros(len(column), dtype=bool)
    if pd.api.types.is_numeric_dtype(column.dtype):
        bad = (column.notna() & ~column.isin([0, 1])).to_numpy()
        return column.map({0: False, 1: True}), bad
    lowered = column.map(lambda v: v if isinstance(v, bool) else str(v).strip().lower())
    converted = lowered.map(lambda v: v if isinstance(v, bool) else _BOOLEAN_TEXT.get(v))
    return converted, (column.notna() & converted.isna()).to_numpy()


def _to_datetimes(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column, np.zeros(len(column), dtype=bool)
    converted = _quiet(lambda: pd.to_datetime(column, errors="coerce", format="mixed"))
    return converted, (column.notna() & converted.isna()).to_numpy()


def _unchanged(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    return column, np.zeros(len(column), dtype=bool)


#: kind -> (converter, what the column expects, in words).
_CONVERTERS: dict[str, tuple[Callable[[pd.Series], tuple[pd.Series, np.ndarray]], str]] = {
    "numeric": (_to_numbers, "numbers"),
    "integer": (_to_integers, "whole numbers"),
    "boolean": (_to_booleans, "true/false values"),
    "datetime": (_to_datetimes, "dates"),
    "categorical": (_unchanged, "categories"),
    "text": (_unchanged, "text"),
}


# ---------------------------------------------------------------------- schema
class FeatureSchema:
    """Names, kinds, categories and ranges of a model's input columns.

    Parameters
    ----------
    columns : sequence of ColumnSchema
        In the order the model expects them.
    target : str or None, default=None
        The target column's name: ignored when present in data to predict on.

    Examples
    --------
    >>> import pandas as pd
    >>> from lemma.io.schema import FeatureSchema
    >>> schema = FeatureSchema.from_frame(pd.DataFrame({"x": [1.5, 2.0], "y": [0, 1]}), target="y")
    >>> schema.names, schema.target
    (['x'], 'y')
    >>> FeatureSchema.from_json(schema.to_json()) == schema
    True
    """

    def __init__(self, columns: Any, target: str | None = None) -> None:
        self.columns = tuple(columns)
        self.target = target
        names = self.names
        if len(set(names)) != len(names):
            raise DataValidationError(f"a feature schema needs distinct column names; got {names}.")

    @property
    def names(self) -> list[str]:
        """Column names in order."""
        return [c.name for c in self.columns]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeatureSchema):
            return NotImplemented
        return self.columns == other.columns and self.target == other.target

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        kinds = ", ".join(f"{c.name}: {c.kind}" for c in self.columns[:8])
        more = ", ..." if len(self.columns) > 8 else ""
        return f"FeatureSchema({len(self.columns)} columns: {kinds}{more})"

    # ------------------------------------------------------------------ building
    @classmethod
    def from_frame(
        cls, df: Any, *, target: str | None = None, max_categories: int = 100
    ) -> FeatureSchema:
        """Infer the schema of training data (pandas or polars DataFrame).

        Parameters
        ----------
        df : DataFrame
            Training inputs (the target column, if present, is named by ``target``).
        target : str, optional
            Name of the target column, left out of the schema.
        max_categories : int, default=100
            A text column with at most this many distinct values is categorical,
            otherwise free text.
        """
        frame = _to_pandas(df)
        columns = []
        for name in frame.columns:
            if target is not None and str(name) == target:
                continue
            column = frame[name]
            kind = _kind_of(column, max_categories)
            categories = None
            low = high = None
            if kind == "categorical":
                categories = tuple(sorted(set(_as_text(column.dropna()))))
            if kind in ("numeric", "integer"):
                low, high = _finite_range(column)
            columns.append(
                ColumnSchema(str(name), kind, bool(column.isna().any()), categories, low, high)
            )
        return cls(columns, target=target)

    # ------------------------------------------------------------------ checking
    def validate(self, df: Any, *, allow_extra: bool = False) -> list[Problem]:
        """Every mismatch between ``df`` and this schema (errors, then warnings).

        Parameters
        ----------
        df : DataFrame
            Data to predict on (pandas or polars).
        allow_extra : bool, default=False
            Report columns the model does not use as warnings instead of errors.
        """
        frame = _to_pandas(df)
        present = {str(c): c for c in frame.columns}
        problems = []
        missing = [name for name in self.names if name not in present]
        if missing:
            problems.append(Problem("missing_column", None, f"missing columns {missing}"))
        extra = [name for name in present if name not in set(self.names) and name != self.target]
        if extra:
            severity = "warning" if allow_extra else "error"
            message = f"extra columns {extra} (the model was not trained on them)"
            problems.append(Problem("extra_column", None, message, severity))
        for spec in self.columns:
            if spec.name in present:
                problems.extend(_column_problems(spec, frame[present[spec.name]]))
        return sorted(problems, key=lambda p: p.severity != "error")

    def check(self, df: Any, *, allow_extra: bool = False) -> list[Problem]:
        """Raise :class:`SchemaError` listing every error; return the warnings."""
        problems = self.validate(df, allow_extra=allow_extra)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise SchemaError(errors)
        return problems

    def conform(self, df: Any, *, allow_extra: bool = False) -> pd.DataFrame:
        """Check ``df``, then return its schema columns in order, typed as in training.

        Text holding numbers, booleans or dates becomes numbers, booleans or dates;
        categorical and text columns are left as they are.
        """
        self.check(df, allow_extra=allow_extra)
        frame = _to_pandas(df)
        present = {str(c): c for c in frame.columns}
        out = {}
        for spec in self.columns:
            converter = _CONVERTERS[spec.kind][0]
            out[spec.name] = converter(frame[present[spec.name]])[0]
        return pd.DataFrame(out, index=frame.index)

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (see :meth:`from_dict`)."""
        columns = []
        for spec in self.columns:
            entry = asdict(spec)
            entry["categories"] = None if spec.categories is None else list(spec.categories)
            columns.append(entry)
        return {"schema_version": 1, "target": self.target, "columns": columns}

    @classmethod
    def from_dict(cls, data: Any) -> FeatureSchema:
        """Rebuild a schema from :meth:`to_dict`'s output, checking every field."""
        if not isinstance(data, dict) or not isinstance(data.get("columns"), list):
            raise DataValidationError("not a feature schema: expected {'columns': [...]}.")
        columns = []
        for entry in data["columns"]:
            columns.append(_column_from_dict(entry))
        target = data.get("target")
        if target is not None and not isinstance(target, str):
            raise DataValidationError(f"a schema's target must be a string; got {target!r}.")
        return cls(columns, target=target)

    def to_json(self) -> str:
        """The schema as JSON text."""
        return json.dumps(self.to_dict(), indent=1, allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> FeatureSchema:
        """Rebuild a schema from :meth:`to_json`'s output."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataValidationError(f"not a feature schema: invalid JSON ({exc}).") from exc
        return cls.from_dict(data)


def _column_from_dict(entry: Any) -> ColumnSchema:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise DataValidationError(f"not a feature schema column: {entry!r:.80}.")
    if entry.get("kind") not in KINDS:
        raise DataValidationError(f"unknown column kind {entry.get('kind')!r}; expected {KINDS}.")
    categories = entry.get("categories")
    if categories is not None:
        if not (isinstance(categories, list) and all(isinstance(c, str) for c in categories)):
            raise DataValidationError(f"column {entry['name']!r}: categories must be strings.")
        categories = tuple(categories)
    bounds = [entry.get("min"), entry.get("max")]
    if any(b is not None and not isinstance(b, int | float) for b in bounds):
        raise DataValidationError(f"column {entry['name']!r}: min/max must be numbers.")
    low, high = (None if b is None else float(b) for b in bounds)
    return ColumnSchema(
        entry["name"], entry["kind"], bool(entry.get("nullable", False)), categories, low, high
    )


def _column_problems(spec: ColumnSchema, column: pd.Series) -> list[Problem]:
    """Type, category, missing-value and range problems of one present column."""
    name = spec.name
    converter, expected = _CONVERTERS[spec.kind]
    converted, bad = converter(column)
    if bad.any():
        message = (
            f"column {name!r} expects {expected} but holds other values {_show_rows(column, bad)}"
        )
        return [Problem("wrong_type", name, message)]
    problems = []
    if spec.kind == "categorical" and spec.categories is not None:
        text = _as_text(column.dropna())
        unseen = text[~text.isin(set(spec.categories))].value_counts()
        if len(unseen):
            listed = ", ".join(
                f"{value!r} ({_count(count, 'row')})"
                for value, count in unseen.head(_SHOWN).items()
            )
            more = f", and {len(unseen) - _SHOWN} more" if len(unseen) > _SHOWN else ""
            message = f"column {name!r} has categories not seen in training: {listed}{more}"
            problems.append(Problem("unseen_categories", name, message))
    n_missing = int(column.isna().sum())
    if n_missing and not spec.nullable:
        message = (
            f"column {name!r} has {_count(n_missing, 'missing value')} but had none in training"
        )
        problems.append(Problem("unexpected_missing", name, message, "warning"))
    if spec.min is not None and spec.max is not None:
        numbers = converted.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            outside = (numbers < spec.min) | (numbers > spec.max)
        if outside.any():
            example = numbers[outside][0]
            message = (
                f"column {name!r} has {_count(int(outside.sum()), 'value')} outside the "
                f"training range [{spec.min:.10g}, {spec.max:.10g}] (e.g. {example:.10g})"
            )
            problems.append(Problem("out_of_range", name, message, "warning"))
    return problems
