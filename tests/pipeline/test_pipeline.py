"""Pipeline against scikit-learn's Pipeline, its parameters, routing, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import pipeline as sk_pipeline
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model import Ridge as SkRidge
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from lemma.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    RegressorMixin,
    TransformerMixin,
    clone,
)
from lemma.exceptions import NotFittedError, ParameterError
from lemma.models.linear import LinearRegression, Ridge
from lemma.pipeline import Pipeline, make_pipeline
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


class Counted(StandardScaler):
    """A scikit-learn scaler counting its fits (for the memory test)."""

    n_fits = 0

    def fit(self, X, y=None, sample_weight=None):
        Counted.n_fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


class Recorder(RegressorMixin, BaseEstimator):
    """Predicts the mean of y and keeps the fit parameters it was given."""

    def fit(self, X, y, groups=None):
        self.groups_ = groups
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture
def data(rng):
    X = rng.normal(size=(60, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(scale=0.3, size=60)
    return X, y


# --------------------------------------------------------------------- scikit-learn parity
def test_regression_pipeline_matches_sklearn(data):
    X, y = data
    steps = [("scale", StandardScaler()), ("poly", PolynomialFeatures(2)), ("model", SkRidge())]
    ours = Pipeline(clone(steps, safe=False)).fit(X, y)
    ref = sk_pipeline.Pipeline(clone(steps, safe=False)).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), **TOL)
    np.testing.assert_allclose(ours[:-1].transform(X), ref[:-1].transform(X), **TOL)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), abs=1e-12)
    w = np.linspace(0.5, 2.0, len(y))
    assert ours.score(X, y, sample_weight=w) == pytest.approx(
        ref.score(X, y, sample_weight=w), abs=1e-12
    )
    assert list(ours[:-1].get_feature_names_out()) == list(ref[:-1].get_feature_names_out())
    assert ours.n_features_in_ == 4


def test_classifier_pipeline_matches_sklearn(data):
    X, y = data
    labels = np.where(y > 0, "yes", "no")
    steps = [("scale", StandardScaler()), ("model", LogisticRegression())]
    ours = Pipeline(clone(steps, safe=False)).fit(X, labels)
    ref = sk_pipeline.Pipeline(clone(steps, safe=False)).fit(X, labels)
    assert list(ours.classes_) == ["no", "yes"]
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        got, expected = getattr(ours, method)(X), getattr(ref, method)(X)
        if got.dtype.kind == "f":
            np.testing.assert_allclose(got, expected, **TOL)
        else:
            np.testing.assert_array_equal(got, expected)


def test_inverse_transform_and_fit_predict_match_sklearn(data):
    X, _ = data
    steps = [("scale", StandardScaler()), ("pca", PCA())]
    ours = Pipeline(clone(steps, safe=False)).fit(X)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X)), X, atol=1e-12)
    clusters = [("scale", StandardScaler()), ("km", KMeans(3, n_init=2, random_state=0))]
    np.testing.assert_array_equal(
        Pipeline(clone(clusters, safe=False)).fit_predict(X),
        sk_pipeline.Pipeline(clone(clusters, safe=False)).fit_predict(X),
    )


def test_grid_search_over_lemma_pipeline_matches_sklearn_pipeline(data):
    X, y = data
    steps = [("scale", StandardScaler()), ("model", Ridge())]
    grid = {"model__alpha": [0.01, 1.0, 30.0], "scale__with_mean": [True, False]}
    cv = KFold(5, shuffle=True, random_state=1)
    ours = GridSearchCV(Pipeline(clone(steps, safe=False)), grid, cv=cv).fit(X, y)
    ref = GridSearchCV(sk_pipeline.Pipeline(clone(steps, safe=False)), grid, cv=cv).fit(X, y)
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], **TOL
    )
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), **TOL)


def test_cross_val_score_with_a_probability_scorer(data):
    X, y = data
    labels = (y > 0).astype(int)
    steps = [("scale", StandardScaler()), ("model", LogisticRegression(C=0.5))]
    cv = StratifiedKFold(4)
    ours = cross_val_score(
        Pipeline(clone(steps, safe=False)), X, labels, cv=cv, scoring="neg_log_loss"
    )
    ref = cross_val_score(
        sk_pipeline.Pipeline(clone(steps, safe=False)), X, labels, cv=cv, scoring="neg_log_loss"
    )
    np.testing.assert_allclose(ours, ref, **TOL)


def test_lemma_pipeline_inside_sklearn_pipeline_and_vice_versa(data):
    X, y = data
    inner = Pipeline([("scale", StandardScaler())])
    outer = sk_pipeline.Pipeline([("prep", inner), ("model", Ridge(alpha=2.0))]).fit(X, y)
    Z = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(outer.predict(X), Ridge(alpha=2.0).fit(Z, y).predict(Z), **TOL)


# -------------------------------------------------------------------------- parameters
def test_params_nested_set_and_replace(data):
    X, y = data
    pipe = Pipeline([("scale", StandardScaler()), ("model", Ridge(alpha=1.0))])
    params = pipe.get_params()
    assert params["model"] is pipe.named_steps.model
    assert params["model__alpha"] == 1.0 and params["scale__with_std"] is True
    assert set(pipe.get_params(deep=False)) == {"steps", "memory", "verbose"}
    pipe.set_params(model__alpha=5.0, scale="passthrough")
    assert pipe.named_steps["model"].alpha == 5.0 and pipe.steps[0] == ("scale", "passthrough")
    pipe.fit(X, y)
    np.testing.assert_allclose(pipe.predict(X), Ridge(alpha=5.0).fit(X, y).predict(X), **TOL)
    copy = clone(pipe)
    assert copy.named_steps.model is not pipe.named_steps.model
    assert copy.get_params()["model__alpha"] == 5.0
    with pytest.raises(ParameterError, match="Invalid parameter 'ridge'"):
        pipe.set_params(ridge__alpha=1.0)


def test_structure_slicing_and_names():
    scale, model = StandardScaler(), Ridge()
    pipe = Pipeline([("scale", scale), ("model", model)])
    assert len(pipe) == 2 and pipe[0] is scale and pipe["model"] is model and pipe[-1] is model
    assert isinstance(pipe[:1], Pipeline) and pipe[:1].steps == [("scale", scale)]
    with pytest.raises(ParameterError, match="step of 1"):
        pipe[::2]
    auto = make_pipeline(StandardScaler(), StandardScaler(), Ridge(), "passthrough")
    assert [n for n, _ in auto.steps] == [
        "standardscaler-1",
        "standardscaler-2",
        "ridge",
        "passthrough",
    ]


def test_repr_short_and_long():
    short = Pipeline([("model", Ridge())])
    assert repr(short) == "Pipeline(steps=[('model', Ridge())])"
    long = Pipeline(
        [("scale", StandardScaler(with_mean=False)), ("model", Ridge(alpha=2.5))], verbose=True
    )
    lines = repr(long).splitlines()
    assert lines == [
        "Pipeline(steps=[('scale', StandardScaler(with_mean=False)),",
        "                ('model', Ridge(alpha=2.5))],",
        "         verbose=True)",
    ]


def test_methods_exist_only_when_the_final_step_has_them(data):
    X, _ = data
    regressor = Pipeline([("scale", StandardScaler()), ("model", Ridge())])
    assert hasattr(regressor, "predict") and hasattr(regressor, "score")
    for missing in ("predict_proba", "transform", "decision_function", "fit_transform"):
        assert not hasattr(regressor, missing)
    with pytest.raises(AttributeError, match="predict_proba"):
        regressor.predict_proba(X)
    transformer = Pipeline([("scale", StandardScaler()), ("last", "passthrough")])
    assert not hasattr(transformer, "predict") and hasattr(transformer, "transform")
    np.testing.assert_allclose(transformer.fit_transform(X), StandardScaler().fit_transform(X))


def test_passthrough_and_none_steps_are_identities(data):
    X, y = data
    pipe = Pipeline([("a", None), ("b", "passthrough"), ("model", Ridge())]).fit(X, y)
    np.testing.assert_allclose(pipe.predict(X), Ridge().fit(X, y).predict(X), **TOL)
    only = Pipeline([("nothing", "passthrough")]).fit(X)
    np.testing.assert_array_equal(only.transform(X), X)


def test_fit_params_routing_and_sample_weight(data):
    X, y = data
    w = np.linspace(0.1, 3.0, len(y))
    pipe = Pipeline([("scale", StandardScaler()), ("model", Ridge())]).fit(X, y, sample_weight=w)
    scale = StandardScaler().fit(X, sample_weight=w)
    ref = Ridge().fit(scale.transform(X), y, sample_weight=w)
    np.testing.assert_allclose(pipe.named_steps.scale.mean_, scale.mean_, **TOL)
    np.testing.assert_allclose(pipe.named_steps.model.coef_, ref.coef_, rtol=1e-10)
    routed = Pipeline([("scale", StandardScaler()), ("model", Ridge())])
    routed.fit(X, y, model__sample_weight=w)
    np.testing.assert_allclose(routed.named_steps.scale.mean_, X.mean(axis=0), **TOL)
    groups = np.arange(len(y))
    rec = Pipeline([("model", Recorder())]).fit(X, y, model__groups=groups)
    assert rec.named_steps.model.groups_ is groups


def test_dataframe_in_dataframe_out_and_names(data):
    X, _ = data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"], index=np.arange(100, 160))
    pipe = Pipeline([("centre", Centre()), ("again", Centre())]).fit(frame)
    out = pipe.transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["a", "b", "c", "d"]
    assert list(out.index) == list(frame.index)
    assert list(pipe.feature_names_in_) == ["a", "b", "c", "d"]
    assert list(pipe.get_feature_names_out()) == ["a", "b", "c", "d"]
    assert isinstance(pipe.set_output(transform="default").fit(frame).transform(frame), np.ndarray)


def test_memory_caches_transformer_fits(data, tmp_path):
    X, y = data
    Counted.n_fits = 0
    first = Pipeline([("scale", Counted()), ("model", Ridge())], memory=str(tmp_path)).fit(X, y)
    second = Pipeline([("scale", Counted()), ("model", Ridge())], memory=str(tmp_path)).fit(X, y)
    assert Counted.n_fits == 1
    np.testing.assert_allclose(first.predict(X), second.predict(X), **TOL)
    np.testing.assert_allclose(second.named_steps.scale.mean_, X.mean(axis=0), **TOL)


def test_verbose_names_each_step(data, capsys):
    X, y = data
    Pipeline([("scale", StandardScaler()), ("model", Ridge())], verbose=True).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("[Pipeline] (step 1 of 2) scale:")
    assert lines[1].startswith("[Pipeline] (step 2 of 2) model:")


def test_tags_come_from_the_steps():
    from sklearn.impute import SimpleImputer
    from sklearn.utils import get_tags

    regressor = Pipeline([("scale", StandardScaler()), ("model", Ridge())])
    tags = regressor.__lemma_tags__()
    assert tags.estimator_type == "regressor" and tags.requires_y
    # the scikit-learn scaler passes NaN on, and Ridge refuses it
    assert not tags.allow_nan
    imputed = Pipeline([("impute", SimpleImputer()), ("model", Ridge())])
    assert imputed.__lemma_tags__().allow_nan
    classifier = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    assert get_tags(classifier).estimator_type == "classifier"
    transformer = Pipeline([("scale", StandardScaler()), ("pca", PCA())])
    assert get_tags(transformer).transformer_tags is not None
    assert get_tags(regressor).transformer_tags is None


# ---------------------------------------------------------------------------- bad input
def test_not_fitted():
    pipe = Pipeline([("scale", StandardScaler()), ("model", LinearRegression())])
    assert not hasattr(pipe, "n_features_in_")
    with pytest.raises(NotFittedError, match="This Pipeline instance is not fitted yet"):
        pipe.predict(np.ones((2, 2)))


@pytest.mark.parametrize(
    ("steps", "match"),
    [
        ([("a", StandardScaler()), ("a", Ridge())], r"names must be unique; \['a'\]"),
        ([("model", Ridge()), ("scale", StandardScaler())], "step 'model' is Ridge"),
        ([("scale", StandardScaler()), ("model", 3)], "last Pipeline step must be"),
        ([("a__b", StandardScaler()), ("model", Ridge())], "must not contain '__'"),
        ([("memory", StandardScaler()), ("model", Ridge())], "clash with constructor"),
        ([], "non-empty list of"),
    ],
)
def test_bad_steps(data, steps, match):
    X, y = data
    with pytest.raises(ParameterError, match=match):
        Pipeline(steps).fit(X, y)


def test_bad_fit_params(data):
    X, y = data
    pipe = Pipeline([("scale", StandardScaler()), ("model", Recorder())])
    with pytest.raises(ParameterError, match=r"'<step>__<parameter>' with a step among"):
        pipe.fit(X, y, groups=np.arange(len(y)))
    with pytest.raises(ParameterError, match="parameter 'ridge__alpha'"):
        pipe.fit(X, y, ridge__alpha=1.0)
    with pytest.raises(ParameterError, match="'model' \\(Recorder\\) does not accept sample_wei"):
        pipe.fit(X, y, sample_weight=np.ones(len(y)))
    with pytest.raises(ValueError, match="sample_weight has 3 values but X has 60 rows"):
        Pipeline([("model", Ridge())]).fit(X, y, sample_weight=np.ones(3))
