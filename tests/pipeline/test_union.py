"""FeatureUnion against scikit-learn's FeatureUnion, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import pipeline as sk_pipeline
from sklearn.decomposition import PCA
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from lemma.base import clone
from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.linear import Ridge
from lemma.pipeline import FeatureUnion, Pipeline, make_union

TOL = dict(rtol=1e-12, atol=1e-12)


@pytest.fixture
def frame(rng):
    return pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])


def _parts():
    return [("pca", PCA(n_components=2)), ("minmax", MinMaxScaler()), ("raw", "passthrough")]


@pytest.mark.parametrize("weights", [None, {"pca": 2.0, "raw": -0.5}])
def test_matches_sklearn_feature_union(frame, weights):
    ours = FeatureUnion(_parts(), transformer_weights=weights)
    ref = sk_pipeline.FeatureUnion(_parts(), transformer_weights=weights)
    ref.set_output(transform="pandas")
    pd.testing.assert_frame_equal(ours.fit_transform(frame), ref.fit_transform(frame))
    pd.testing.assert_frame_equal(ours.transform(frame), ref.transform(frame))
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    X = frame.to_numpy()
    arrays = FeatureUnion(_parts(), transformer_weights=weights).fit(X)
    expected = sk_pipeline.FeatureUnion(_parts(), transformer_weights=weights).fit(X)
    np.testing.assert_allclose(arrays.transform(X), expected.transform(X), **TOL)
    assert list(arrays.get_feature_names_out()) == list(expected.get_feature_names_out())


def test_parameters_drop_and_fitted_clones(frame):
    union = make_union(StandardScaler(), MinMaxScaler())
    assert [name for name, _ in union.transformer_list] == ["standardscaler", "minmaxscaler"]
    union.set_params(minmaxscaler="drop", standardscaler__with_mean=False)
    out = union.fit_transform(frame)
    assert list(out.columns) == ["standardscaler__a", "standardscaler__b", "standardscaler__c"]
    fitted = union.named_transformers_.standardscaler
    assert fitted is not union.transformer_list[0][1] and not fitted.with_mean
    assert list(union.feature_names_in_) == ["a", "b", "c"]
    copy = clone(union)
    assert copy.get_params()["standardscaler__with_mean"] is False


def test_inside_a_pipeline(frame, rng):
    y = frame["a"].to_numpy() + rng.normal(scale=0.1, size=30)
    pipe = Pipeline([("features", FeatureUnion(_parts())), ("model", Ridge())]).fit(frame, y)
    direct = FeatureUnion(_parts()).fit(frame)
    model = Ridge().fit(direct.transform(frame), y)
    np.testing.assert_allclose(pipe.predict(frame), model.predict(direct.transform(frame)))


def test_bad_input(frame):
    with pytest.raises(ParameterError, match=r"names must be unique; \['a'\]"):
        FeatureUnion([("a", StandardScaler()), ("a", MinMaxScaler())]).fit(frame)
    with pytest.raises(ParameterError, match="must have fit and transform"):
        FeatureUnion([("a", Ridge())]).fit(frame)
    with pytest.raises(ParameterError, match=r"transformer_weights names \['b'\]"):
        FeatureUnion([("a", StandardScaler())], transformer_weights={"b": 1.0}).fit(frame)
    fitted = FeatureUnion([("a", StandardScaler())]).fit(frame.to_numpy())
    with pytest.raises(DataValidationError, match="X has 2 features, but FeatureUnion is"):
        fitted.transform(frame.to_numpy()[:, :2])
