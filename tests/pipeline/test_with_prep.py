"""A lemma-only preparation pipeline against the same pipeline built from scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import compose as sk_compose
from sklearn import impute as sk_impute
from sklearn import linear_model as sk_linear
from sklearn import pipeline as sk_pipeline
from sklearn import preprocessing as sk_prep
from sklearn.model_selection import GridSearchCV, KFold

from lemma.models.linear import Ridge
from lemma.pipeline import ColumnTransformer, Pipeline, make_column_selector
from lemma.prep import OneHotEncoder, SimpleImputer, StandardScaler


@pytest.fixture
def table(rng):
    n = 80
    X = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n).astype(float),
            "hours": rng.normal(40, 8, n),
            "city": rng.choice(["Oslo", "Rome", "Lima"], n),
            "plan": rng.choice(["basic", "pro"], n),
        }
    )
    X.loc[rng.choice(n, 8, replace=False), "hours"] = np.nan
    y = 0.1 * X["age"] + np.where(X["city"] == "Rome", 2.0, 0.0) + rng.normal(size=n)
    return X, y.to_numpy()


def _lemma_pipeline():
    numeric = Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())])
    prep = ColumnTransformer(
        [
            ("num", numeric, make_column_selector(kind="numeric")),
            ("cat", OneHotEncoder(), make_column_selector(kind="categorical")),
        ]
    )
    return Pipeline([("prep", prep), ("model", Ridge(alpha=1.0))])


def _sklearn_pipeline():
    numeric = sk_pipeline.Pipeline(
        [("impute", sk_impute.SimpleImputer()), ("scale", sk_prep.StandardScaler())]
    )
    prep = sk_compose.ColumnTransformer(
        [
            ("num", numeric, ["age", "hours"]),
            ("cat", sk_prep.OneHotEncoder(sparse_output=False), ["city", "plan"]),
        ]
    )
    return sk_pipeline.Pipeline([("prep", prep), ("model", sk_linear.Ridge(alpha=1.0))])


def test_lemma_preparation_matches_sklearn(table):
    X, y = table
    ours, ref = _lemma_pipeline().fit(X, y), _sklearn_pipeline().fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-10, atol=1e-10)
    prepared = ours[:-1].transform(X)
    assert isinstance(prepared, pd.DataFrame)
    assert list(prepared.columns) == list(ref[:-1].get_feature_names_out())
    np.testing.assert_allclose(prepared.to_numpy(), ref[:-1].transform(X), atol=1e-12)


def test_grid_search_reaches_nested_parameters(table):
    X, y = table
    grid = {"model__alpha": [0.1, 10.0], "prep__num__impute__strategy": ["mean", "median"]}
    cv = KFold(4, shuffle=True, random_state=0)
    ours = GridSearchCV(_lemma_pipeline(), grid, cv=cv).fit(X, y)
    ref = GridSearchCV(_sklearn_pipeline(), grid, cv=cv).fit(X, y)
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], rtol=1e-9
    )


def test_polars_input_through_the_whole_pipeline(table):
    pl = pytest.importorskip("polars")
    X, y = table
    polars_X = pl.DataFrame({c: X[c].to_numpy() for c in X.columns})
    ours = _lemma_pipeline().fit(polars_X, y)
    np.testing.assert_allclose(ours.predict(polars_X), _lemma_pipeline().fit(X, y).predict(X))
    prepared = ours[:-1].transform(polars_X)
    assert isinstance(prepared, pd.DataFrame)
    assert list(prepared.columns)[:2] == ["num__age", "num__hours"]
