"""ColumnTransformer against scikit-learn's, DataFrame handling, and bad input."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn import compose as sk_compose
from sklearn.linear_model import Ridge as SkRidge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from lemma.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, clone
from lemma.exceptions import DataTypeError, DataValidationError, ParameterError
from lemma.models.linear import Ridge
from lemma.pipeline import ColumnTransformer, Pipeline, make_column_transformer
from lemma.validation import validate_data

TOL = dict(rtol=1e-12, atol=1e-12)


class Centre(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Subtracts column means (a lemma transformer: DataFrame in, DataFrame out)."""

    def fit(self, X, y=None):
        X = validate_data(self, X)
        self.mean_ = X.mean(axis=0)
        return self

    def transform(self, X):
        self._check_is_fitted()
        return self._wrap_output(validate_data(self, X, reset=False) - self.mean_, X)


class Shape(BaseEstimator):
    """Records the number of dimensions it is given; outputs the column as 2-D floats."""

    def fit(self, X, y=None):
        self.ndim_ = np.ndim(X)
        return self

    def transform(self, X):
        return np.asarray(X, dtype=float).reshape(len(X), -1)


@pytest.fixture
def frame(rng):
    n = 40
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, n).astype(float),
            "income": rng.lognormal(10, 1, n),
            "city": rng.choice(["Oslo", "Rome", "Lima"], n),
            "smoker": rng.choice([True, False], n),
            "score": rng.normal(size=n),
        },
        index=np.arange(1000, 1000 + n),
    )


def _pair(num_cols, cat_cols):
    return [
        ("num", StandardScaler(), num_cols),
        ("cat", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), cat_cols),
    ]


SPECS = {
    "names": (["age", "income"], ["city"]),
    "positions": ([0, 1], [2]),
    "negative": ([-5, -4], [-3]),
    "mask": ([True, True, False, False, False], [False, False, True, False, False]),
    "slice": (slice(0, 2), slice(2, 3)),
    "name slice": (slice("age", "income"), slice("city", "city")),
    "callable": (lambda X: ["age", "income"], lambda X: ["city"]),
    "index": (pd.Index(["age", "income"]), pd.Index(["city"])),
}


# ------------------------------------------------------------------- scikit-learn parity
@pytest.mark.parametrize("spec", sorted(SPECS))
@pytest.mark.parametrize("remainder", ["drop", "passthrough"])
def test_matches_sklearn_column_transformer(frame, spec, remainder):
    num, cat = SPECS[spec]
    ours = ColumnTransformer(_pair(num, cat), remainder=remainder)
    ref = sk_compose.ColumnTransformer(_pair(num, cat), remainder=remainder)
    ref.set_output(transform="pandas")
    got, expected = ours.fit_transform(frame), ref.fit_transform(frame)
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(ours.transform(frame), ref.transform(frame))
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    assert ours.output_indices_ == ref.output_indices_
    np.testing.assert_allclose(
        ours.named_transformers_["num"].mean_, ref.named_transformers_["num"].mean_, **TOL
    )


def test_array_input_and_names_without_prefix_match_sklearn(frame):
    X = frame[["age", "income", "score"]].to_numpy()
    transformers = [("a", StandardScaler(), [0, 2]), ("b", "passthrough", [1])]
    ours = ColumnTransformer(clone(transformers, safe=False), verbose_feature_names_out=False)
    ref = sk_compose.ColumnTransformer(
        clone(transformers, safe=False), verbose_feature_names_out=False
    )
    got = ours.fit_transform(X)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, ref.fit_transform(X), **TOL)
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    assert list(ours.get_feature_names_out(["p", "q", "r"])) == ["p", "r", "q"]


def test_remainder_transformer_and_transformers_(frame):
    ours = ColumnTransformer(
        [("cat", OneHotEncoder(sparse_output=False), ["city"]), ("gone", "drop", ["smoker"])],
        remainder=StandardScaler(),
    ).fit(frame)
    name, remainder, columns = ours.transformers_[-1]
    assert name == "remainder" and columns == ["age", "income", "score"]
    assert remainder is not ours.remainder
    np.testing.assert_allclose(
        remainder.mean_, frame[["age", "income", "score"]].mean().to_numpy(), **TOL
    )
    out = ours.transform(frame)
    assert list(out.columns)[-3:] == ["remainder__age", "remainder__income", "remainder__score"]
    assert ours.output_indices_["gone"] == slice(0, 0)
    assert ours.get_params()["remainder__with_mean"] is True
    ours.set_params(cat="drop", remainder__with_std=False)
    assert ours.transformers[0] == ("cat", "drop", ["city"]) and not ours.remainder.with_std
    assert ours.fit_transform(frame).columns[0] == "remainder__age"


def test_cross_validation_inside_pipeline_matches_sklearn(frame, rng):
    y = frame["income"].to_numpy() / 1e4 + rng.normal(size=len(frame))
    X = frame.drop(columns="income")
    cv = KFold(4, shuffle=True, random_state=0)
    transformers = _pair(["age", "score"], ["city"])
    ours = Pipeline([("prep", ColumnTransformer(transformers)), ("model", Ridge())])
    ref = SkPipeline(
        [("prep", sk_compose.ColumnTransformer(clone(transformers, safe=False))), ("m", SkRidge())]
    )
    np.testing.assert_allclose(
        cross_val_score(ours, X, y, cv=cv), cross_val_score(ref, X, y, cv=cv), rtol=1e-10
    )


# --------------------------------------------------------------------- DataFrames in/out
def test_dataframe_names_through_column_transformer_and_pipeline(frame):
    pipe = Pipeline(
        [("prep", ColumnTransformer([("num", Centre(), ["age", "score"])])), ("c", Centre())]
    )
    out = pipe.fit(frame).transform(frame)
    assert list(out.columns) == ["num__age", "num__score"]
    assert list(out.index) == list(frame.index)
    assert list(pipe.get_feature_names_out()) == ["num__age", "num__score"]
    np.testing.assert_allclose(out.mean().to_numpy(), 0.0, atol=1e-12)


def test_polars_input_gives_pandas_output(frame):
    pl = pytest.importorskip("polars")
    polars_frame = pl.DataFrame({c: frame[c].to_numpy() for c in frame.columns})
    transformers = _pair(["age", "income"], ["city"])
    expected = ColumnTransformer(transformers, remainder="passthrough").fit_transform(frame)
    ours = ColumnTransformer(clone(transformers, safe=False), remainder="passthrough")
    got = ours.fit_transform(polars_frame)
    assert isinstance(got, pd.DataFrame)
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True))
    pd.testing.assert_frame_equal(ours.transform(polars_frame), got)


def test_set_output_and_clone(frame):
    ct = ColumnTransformer([("num", StandardScaler(), ["age"])]).set_output(transform="default")
    assert isinstance(clone(ct).fit_transform(frame), np.ndarray)
    as_frame = ColumnTransformer([("n", StandardScaler(), [0])]).set_output(transform="pandas")
    assert list(as_frame.fit_transform(frame[["age"]].to_numpy()).columns) == ["n__x0"]


def test_transform_takes_columns_by_name(frame):
    ct = ColumnTransformer(_pair(["age", "income"], ["city"])).fit(frame)
    shuffled = frame[["score", "city", "income", "smoker", "age"]].assign(extra=1.0)
    pd.testing.assert_frame_equal(ct.transform(shuffled), ct.transform(frame))


def test_scalar_column_gives_one_dimensional_input(frame):
    ct = ColumnTransformer([("one", Shape(), "age"), ("two", Shape(), ["age"])]).fit(frame)
    assert ct.named_transformers_.one.ndim_ == 1 and ct.named_transformers_.two.ndim_ == 2


def test_parallel_fit_equals_sequential(frame):
    transformers = _pair(["age", "income"], ["city"])
    one = ColumnTransformer(transformers).fit_transform(frame)
    with joblib.parallel_config(backend="threading"):  # threads start fast; same code path
        two = ColumnTransformer(clone(transformers, safe=False), n_jobs=2).fit_transform(frame)
    pd.testing.assert_frame_equal(one, two)


def test_make_column_transformer_and_repr():
    ct = make_column_transformer(
        (StandardScaler(), ["a"]), (StandardScaler(), ["b"]), remainder="passthrough"
    )
    assert [name for name, _, _ in ct.transformers] == ["standardscaler-1", "standardscaler-2"]
    lines = repr(ct).splitlines()
    assert (
        lines[0] == "ColumnTransformer(transformers=[('standardscaler-1', StandardScaler(), ['a']),"
    )
    assert lines[-1] == "                  remainder='passthrough')"
    assert all(len(line) <= 100 for line in lines)


def test_empty_selection_and_everything_dropped(frame):
    ct = ColumnTransformer([("none", StandardScaler(), []), ("num", "passthrough", ["age"])])
    out = ct.fit_transform(frame)
    assert list(out.columns) == ["num__age"]
    nothing = ColumnTransformer([("none", "drop", ["age"])]).set_output(transform="default")
    assert nothing.fit_transform(frame).shape == (40, 0)


def test_transformer_without_feature_names_gives_array_in_auto_mode(frame):
    ct = ColumnTransformer([("shape", Shape(), ["age"])])
    assert isinstance(ct.fit_transform(frame), np.ndarray)
    with pytest.raises(AttributeError, match="'shape' \\(Shape\\) does not provide"):
        ct.get_feature_names_out()


# ----------------------------------------------------------------------------- bad input
def test_missing_column_at_transform_is_named(frame):
    ct = ColumnTransformer(_pair(["age", "income"], ["city"])).fit(frame)
    with pytest.raises(DataValidationError, match=r"missing columns \['income'\].*\['num'\]"):
        ct.transform(frame.drop(columns="income"))


def test_name_selection_on_an_array_is_refused(frame):
    X = frame[["age", "income"]].to_numpy()
    with pytest.raises(DataTypeError, match=r"selects columns by name \['age'\], but X has no"):
        ColumnTransformer([("num", StandardScaler(), ["age"])]).fit(X)


@pytest.mark.parametrize(
    ("transformers", "error", "match"),
    [
        (
            [("a", StandardScaler(), ["age"]), ("a", StandardScaler(), ["score"])],
            ParameterError,
            r"names must be unique; \['a'\]",
        ),
        ([("a", Ridge(), ["age"])], ParameterError, "must have fit and transform"),
        ([("remainder", StandardScaler(), ["age"])], ParameterError, "clash"),
        ([("a", StandardScaler(), ["nope"])], DataValidationError, r"\['nope'\], which are"),
        ([("a", StandardScaler(), [7])], DataValidationError, r"columns \[7\] but X has only 5"),
        ([("a", StandardScaler(), [True, False])], DataValidationError, "has 2 entries"),
        ([("a", StandardScaler())], ParameterError, "list of \\(name, transformer, columns\\)"),
    ],
)
def test_bad_transformers(frame, transformers, error, match):
    with pytest.raises(error, match=match):
        ColumnTransformer(transformers).fit(frame)


def test_other_bad_input(frame):
    X = frame[["age", "income"]].to_numpy()
    ct = ColumnTransformer([("a", StandardScaler(), [0])], remainder="passthrough").fit(X)
    with pytest.raises(DataValidationError, match="X has 3 features, but ColumnTransformer is"):
        ct.transform(np.ones((2, 3)))
    with pytest.raises(DataValidationError, match="1-D array"):
        ct.fit(X[:, 0])
    same_names = ColumnTransformer(
        [("a", "passthrough", ["age"]), ("b", "passthrough", ["age"])],
        verbose_feature_names_out=False,
    )
    with pytest.raises(ParameterError, match=r"names \['age'\] are not unique"):
        same_names.fit_transform(frame)
    with pytest.raises(ParameterError, match="'remainder' parameter of ColumnTransformer"):
        ColumnTransformer([], remainder="keep").fit(frame)
    fn = FunctionTransformer(np.ravel)
    with pytest.raises(DataValidationError, match="'flat' returned an array of shape"):
        ColumnTransformer([("flat", fn, ["age"])]).fit_transform(frame)
