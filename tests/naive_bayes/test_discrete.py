"""MultinomialNB, BernoulliNB, CategoricalNB: against scikit-learn (probabilities to 1e-10),
normalised log posteriors, weights as repeated rows, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from sklearn import naive_bayes as sknb

from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.models.naive_bayes import BernoulliNB, CategoricalNB, MultinomialNB

MODELS = {
    "multinomial": (MultinomialNB, sknb.MultinomialNB),
    "bernoulli": (BernoulliNB, sknb.BernoulliNB),
    "categorical": (CategoricalNB, sknb.CategoricalNB),
}


def _data(rng, kind, n=300, d=6, n_classes=3):
    """Counts (multinomial), reals around 0 (bernoulli, binarized at 0) or codes."""
    y = rng.integers(0, n_classes, n)
    rates = rng.uniform(0.2, 4.0, (n_classes, d))
    if kind == "multinomial":
        X = rng.poisson(rates[y]).astype(float)
    elif kind == "bernoulli":
        X = rng.standard_normal((n, d)) + (rates[y] - 2.0) * 0.5
    else:
        X = np.minimum(rng.poisson(rates[y]), 6).astype(float)
    return X, y


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_same_as_sklearn(rng, kind, n_classes, weighted):
    ours_cls, ref_cls = MODELS[kind]
    X, y = _data(rng, kind, n_classes=n_classes)
    w = rng.uniform(0.1, 3.0, y.size) if weighted else None
    ours = ours_cls().fit(X, y, sample_weight=w)
    ref = ref_cls().fit(X, y, sample_weight=w)
    X_new, _ = _data(rng, kind, n=100)
    X_new = np.minimum(X_new, X.max(axis=0))  # categories seen in training
    np.testing.assert_allclose(ours.predict_proba(X_new), ref.predict_proba(X_new), atol=1e-10)
    np.testing.assert_allclose(
        ours.predict_joint_log_proba(X_new), ref.predict_joint_log_proba(X_new), rtol=1e-12
    )
    np.testing.assert_array_equal(ours.predict(X_new), ref.predict(X_new))
    np.testing.assert_allclose(ours.class_log_prior_, ref.class_log_prior_, rtol=1e-14)
    np.testing.assert_allclose(ours.class_count_, ref.class_count_, rtol=1e-14)


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize(
    "params",
    [
        {"alpha": 0.3},
        {"fit_prior": False},
        {"class_prior": [0.1, 0.6, 0.3]},
        {"alpha": 0.0, "force_alpha": True},
    ],
)
def test_parameters_as_sklearn(rng, kind, params):
    ours_cls, ref_cls = MODELS[kind]
    X, y = _data(rng, kind)
    with np.errstate(divide="ignore"):
        ours = ours_cls(**params).fit(X, y)
        ref = ref_cls(**params).fit(X, y)
        expected = ref.predict_proba(X)
    np.testing.assert_allclose(ours.predict_proba(X), expected, atol=1e-10)


def test_small_alpha_is_raised_with_a_warning(rng):
    X, y = _data(rng, "multinomial")
    with pytest.warns(NumericalWarning, match="using alpha=1e-10"):
        ours = MultinomialNB(alpha=0.0, force_alpha=False).fit(X, y)
    with pytest.warns(UserWarning):
        ref = sknb.MultinomialNB(alpha=0.0, force_alpha=False).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)


def test_bernoulli_thresholds(rng):
    X, y = _data(rng, "bernoulli")
    for binarize in (None, 0.5):
        data = (X > 0).astype(float) if binarize is None else X
        ours = BernoulliNB(binarize=binarize).fit(data, y)
        ref = sknb.BernoulliNB(binarize=binarize).fit(data, y)
        np.testing.assert_allclose(ours.predict_proba(data), ref.predict_proba(data), atol=1e-10)
        np.testing.assert_allclose(ours.feature_log_prob_, ref.feature_log_prob_, rtol=1e-13)


def test_categorical_counts_and_min_categories(rng):
    X, y = _data(rng, "categorical")
    ours = CategoricalNB(min_categories=9).fit(X, y)
    ref = sknb.CategoricalNB(min_categories=9).fit(X, y)
    np.testing.assert_array_equal(ours.n_categories_, ref.n_categories_)
    for a, b in zip(ours.category_count_, ref.category_count_, strict=True):
        np.testing.assert_allclose(a, b)
    X_new = X.copy()
    X_new[0, 0] = 8  # unseen in training, inside min_categories
    np.testing.assert_allclose(ours.predict_proba(X_new), ref.predict_proba(X_new), atol=1e-10)
    per_feature = [2, 9, 3, 7, 8, 9]
    ours = CategoricalNB(min_categories=per_feature).fit(X, y)
    ref = sknb.CategoricalNB(min_categories=per_feature).fit(X, y)
    np.testing.assert_array_equal(ours.n_categories_, ref.n_categories_)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), kind=st.sampled_from(list(MODELS)))
def test_log_posterior_is_normalised(seed, kind):
    rng = np.random.default_rng(seed)
    X, y = _data(rng, kind, n=50)
    if np.unique(y).size < 2:
        return
    log_post = MODELS[kind][0](alpha=0.5).fit(X, y).predict_log_proba(X)
    np.testing.assert_allclose(logsumexp(log_post, axis=1), 0.0, atol=1e-12)


@pytest.mark.parametrize("kind", list(MODELS))
def test_integer_weights_equal_repeated_rows(rng, kind):
    X, y = _data(rng, kind, n=80)
    w = rng.integers(0, 4, y.size)
    w[:3] = 1
    weighted = MODELS[kind][0]().fit(X, y, sample_weight=w)
    repeated = MODELS[kind][0]().fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    keep = w > 0  # categories of zero-weight rows are unknown to the repeated fit
    np.testing.assert_allclose(
        weighted.predict_proba(X[keep]), repeated.predict_proba(X[keep]), atol=1e-12
    )


def test_negative_counts_are_refused():
    X = np.array([[1.0, 2.0], [0.0, -3.0], [4.0, 1.0]])
    with pytest.raises(DataValidationError, match=r"Negative values .* columns \[1\]"):
        MultinomialNB().fit(X, [0, 1, 1])
    model = MultinomialNB().fit(np.abs(X), [0, 1, 1])
    with pytest.raises(DataValidationError, match="non-negative counts"):
        model.predict(X)
    with pytest.raises(DataValidationError, match="Negative values"):
        CategoricalNB().fit(X, [0, 1, 1])


def test_categorical_unknown_category_is_refused():
    X = np.array([[0.0], [1.0], [2.0], [1.0]])
    model = CategoricalNB().fit(X, [0, 0, 1, 1])
    with pytest.raises(DataValidationError, match="feature 0 has category 5"):
        model.predict([[5.0]])


def test_bad_parameters():
    X = np.array([[1.0, 2.0], [0.0, 3.0], [4.0, 1.0]])
    with pytest.raises(ParameterError, match="3 values but y has 2 classes"):
        MultinomialNB(class_prior=[0.2, 0.3, 0.5]).fit(X, [0, 1, 1])
    with pytest.raises(ParameterError, match="'alpha' parameter"):
        BernoulliNB(alpha=-1.0).fit(X, [0, 1, 1])
    with pytest.raises(ParameterError, match="min_categories has shape"):
        CategoricalNB(min_categories=[2, 3, 4]).fit(X, [0, 1, 1])
