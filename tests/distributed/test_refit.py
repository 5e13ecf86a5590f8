"""refit_on_collection: a pipeline fitted on a sample gets its model refitted on every row of
a Dask collection, on the cluster, equal to the in-memory fit of the same features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lemma.base import clone
from lemma.distributed.refit import refit_on_collection
from lemma.exceptions import DataTypeError
from lemma.models.ensemble import GradientBoostingClassifier
from lemma.models.linear import LinearRegression, LogisticRegression
from lemma.pipeline import Pipeline
from lemma.prep import auto_prepare
from tests.distributed.helpers import dask_frame

dd = pytest.importorskip("dask.dataframe")


def _table(rng, n=2400):
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.lognormal(size=n),
                          "colour": rng.choice(["red", "green", "blue"], size=n)})  # fmt: skip
    frame.loc[::13, "x1"] = np.nan
    score = frame["x1"].fillna(0.0) - 0.4 * frame["x2"] + (frame["colour"] == "red")
    frame["label"] = np.where(score + rng.logistic(size=n) > 0, "yes", "no")
    frame["amount"] = 2.0 + score + rng.normal(size=n)
    return frame


def _sample_pipeline(frame, target, model):
    sample = frame.iloc[:400]
    features = sample.drop(columns=["label", "amount"])
    plan = auto_prepare(sample.drop(columns=["amount" if target == "label" else "label"]), target)
    return Pipeline([("prepare", plan.transformer), ("model", model)]).fit(features, sample[target])


@pytest.mark.parametrize(
    ("target", "model"),
    [("label", LogisticRegression(C=0.5)), ("amount", LinearRegression(fit_intercept=False))],
)
def test_the_model_is_refitted_on_every_row_with_the_sample_preparation(client, rng, target, model):
    frame = _table(rng)
    fitted = _sample_pipeline(frame, target, model)
    before = fitted[-1].coef_.copy()
    collection = dask_frame(frame, 6)
    refitted = refit_on_collection(
        fitted, collection.drop(columns=["label", "amount"]), collection[target]
    )
    features = frame.drop(columns=["label", "amount"])
    expected = clone(model).fit(fitted[:-1].transform(features), frame[target])
    np.testing.assert_allclose(refitted[-1].coef_, expected.coef_, rtol=1e-8)
    np.testing.assert_allclose(refitted[-1].intercept_, expected.intercept_, rtol=1e-8, atol=0)
    np.testing.assert_array_equal(fitted[-1].coef_, before)  # the input is not modified
    np.testing.assert_array_equal(  # the preparation is the sample's, unchanged
        refitted[:-1].transform(features.iloc[:50]), fitted[:-1].transform(features.iloc[:50])
    )
    assert not np.allclose(refitted[-1].coef_, before)  # every row counted, not the sample
    if target == "amount":
        assert refitted[-1].result_.nobs == len(frame)
        np.testing.assert_allclose(
            refitted[-1].result_.std_err, expected.result_.std_err, rtol=1e-8
        )
    else:
        assert list(refitted.classes_) == ["no", "yes"]
        np.testing.assert_allclose(
            refitted.predict_proba(features.iloc[:20]), expected.predict_proba(
                fitted[:-1].transform(features.iloc[:20])), rtol=1e-8)  # fmt: skip


def test_a_model_without_a_distributed_fit_is_refused_before_any_work(rng):
    frame = _table(rng, n=300)
    fitted = _sample_pipeline(frame, "label", GradientBoostingClassifier(max_iter=5))
    collection = dask_frame(frame, 3)
    with pytest.raises(DataTypeError, match="GradientBoostingClassifier cannot fit on Dask"):
        refit_on_collection(fitted, collection.drop(columns=["label", "amount"]),
                            collection["label"])  # fmt: skip
    with pytest.raises(DataTypeError, match="needs X as a Dask DataFrame"):
        refit_on_collection(fitted, frame.drop(columns=["label", "amount"]), frame["label"])
