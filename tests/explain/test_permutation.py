"""permutation_importance against scikit-learn's, and the properties of its intervals."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.inspection import permutation_importance as sk_permutation_importance

from lemma.exceptions import DataValidationError, NotFittedError, ParameterError
from lemma.explain import PermutationImportance, permutation_importance
from lemma.models.linear import LinearRegression, LogisticRegression, Ridge
from lemma.pipeline import ColumnTransformer, Pipeline
from lemma.prep import OneHotEncoder, StandardScaler
from lemma.selection import parallel_backend


def _regression(rng: np.random.Generator, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    X = rng.normal(size=(n, 4))
    y = X @ np.array([2.0, 1.0, 0.5, 0.0]) + rng.normal(size=n)
    return X, y


@pytest.fixture(scope="module")
def fixed_regression() -> tuple[np.ndarray, np.ndarray]:
    return _regression(np.random.default_rng(20240601))


# ------------------------------------------------------------------ scikit-learn reference
def test_same_seed_gives_scikit_learns_importances(fixed_regression):
    X, y = fixed_regression
    model = LinearRegression().fit(X, y)
    ours = permutation_importance(model, X, y, n_repeats=8, random_state=11)
    ref = sk_permutation_importance(model, X, y, n_repeats=8, random_state=11)
    np.testing.assert_allclose(ours.importances, ref.importances, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.importances_std, ref.importances_std, rtol=0, atol=1e-12)
    # the criterion: lemma's mean lies within its interval of scikit-learn's
    theirs = PermutationImportance.from_scores(
        ref.importances, baseline_score=0.0, feature_names=ours.feature_names, scoring="r2"
    )
    assert np.all(
        (theirs.ci_low <= ours.importances_mean) & (ours.importances_mean <= theirs.ci_high)
    )


def test_dataframe_pipeline_and_several_metrics_with_weights_match_scikit_learn():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, 240),
            "city": rng.choice(["Oslo", "Rome", "Lima"], 240),
            "hours": rng.normal(35, 5, 240),
        }
    )
    eta = 0.08 * (frame["age"] - 40) + (frame["city"] == "Rome") - 0.5
    y = (eta + rng.logistic(size=240) > 0).astype(int).to_numpy()
    model = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("num", StandardScaler(), ["age", "hours"]),
                        ("cat", OneHotEncoder(), ["city"]),
                    ]
                ),
            ),
            ("model", LogisticRegression()),
        ]
    ).fit(frame, y)
    weight = rng.uniform(0.5, 2.0, 240)
    scoring = ["roc_auc", "accuracy"]
    ours = permutation_importance(
        model, frame, y, scoring=scoring, n_repeats=6, random_state=3, sample_weight=weight
    )
    ref = sk_permutation_importance(
        model, frame, y, scoring=scoring, n_repeats=6, random_state=3, sample_weight=weight
    )
    assert set(ours) == set(scoring)
    for name in scoring:
        assert ours[name].feature_names == ["age", "city", "hours"]
        np.testing.assert_allclose(ours[name].importances, ref[name].importances, atol=1e-12)


def test_independent_streams_agree_within_a_two_sample_interval(fixed_regression):
    # Different permutations: both means are random, so compare them with the interval
    # for their difference, sqrt(se_a² + se_b²) (fixed seeds: a reference comparison).
    X, y = fixed_regression
    model = LinearRegression().fit(X, y)
    ours = permutation_importance(model, X, y, n_repeats=20, random_state=0)
    ref = sk_permutation_importance(model, X, y, n_repeats=20, random_state=1)
    se_ref = ref.importances.std(axis=1, ddof=1) / np.sqrt(20)
    half = stats.t.ppf(0.995, 38) * np.hypot(ours.std_err, se_ref)
    assert np.all(np.abs(ours.importances_mean - ref.importances_mean) <= half)


# ------------------------------------------------------------------ properties
def test_ignored_column_has_zero_importance_and_informative_one_excludes_zero(rng):
    X, y = _regression(rng)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "noise"])
    model = Pipeline(
        [("keep", ColumnTransformer([("num", "passthrough", ["a", "b", "c"])])),
         ("model", LinearRegression())]
    ).fit(frame, y)  # fmt: skip
    result = permutation_importance(model, frame, y, n_repeats=10, random_state=rng.integers(99))
    table = result.to_frame()
    assert table.loc["noise", "ci_low"] <= 0 <= table.loc["noise", "ci_high"]
    assert table.loc["noise", "mean"] == 0
    assert table.loc["a", "ci_low"] > 0
    assert result.top(1) == ["a"]


def test_interval_is_the_t_interval_over_repeats(rng):
    X, y = _regression(rng, 120)
    model = LinearRegression().fit(X, y)
    result = permutation_importance(
        model, X, y, n_repeats=7, random_state=rng.integers(99), confidence=0.9
    )
    for j in range(4):
        low, high = stats.t.interval(
            0.9, 6, loc=result.importances[j].mean(), scale=stats.sem(result.importances[j])
        )
        assert result.ci_low[j] == pytest.approx(low, rel=1e-12, abs=1e-14)
        assert result.ci_high[j] == pytest.approx(high, rel=1e-12, abs=1e-14)


def test_identical_columns_get_identical_importances(rng):
    # common random numbers: the same permutations for every column
    a = rng.normal(size=200)
    X = np.column_stack([a, a, rng.normal(size=200)])
    y = a + X[:, 2] + rng.normal(size=200)
    model = Ridge(alpha=1.0).fit(X, y)
    result = permutation_importance(model, X, y, n_repeats=5, random_state=rng.integers(99))
    np.testing.assert_allclose(result.importances[0], result.importances[1], rtol=1e-9)


def test_parallel_equals_sequential_and_max_samples(rng):
    X, y = _regression(rng, 150)
    model = LinearRegression().fit(X, y)
    seed = int(rng.integers(99))
    one = permutation_importance(model, X, y, n_repeats=4, random_state=seed, max_samples=0.5)
    with parallel_backend("threading"):
        two = permutation_importance(
            model, X, y, n_repeats=4, random_state=seed, max_samples=0.5, n_jobs=2
        )
    np.testing.assert_array_equal(one.importances, two.importances)
    assert one.n_samples == 75
    assert permutation_importance(model, X, y, n_repeats=2, max_samples=40).n_samples == 40


def test_one_repeat_has_no_interval_and_results_render(rng):
    X, y = _regression(rng, 80)
    model = LinearRegression().fit(X, y)
    result = permutation_importance(model, X, y, n_repeats=1, random_state=0)
    assert np.all(np.isnan(result.ci_low)) and result.n_repeats == 1
    data = json.loads(json.dumps(result.to_dict()))
    assert data["features"][0]["feature"] == result.top(1)[0]
    assert "x0" in result._repr_html_() and "randomness of the permutations" in str(result)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"n_repeats": 0}, "n_repeats must be an int >= 1"),
        ({"max_samples": 1.5}, r"max_samples must be a share of the rows in \(0, 1\]"),
        ({"max_samples": 500}, r"max_samples=500 rows is not in \[1, 50\]"),
        ({"confidence": 1.0}, "confidence must be a float in"),
        ({"scoring": "acuracy"}, "did you mean 'accuracy'"),
    ],
)
def test_bad_options(options, match):
    X = np.random.default_rng(0).normal(size=(50, 2))
    model = LinearRegression().fit(X, X[:, 0])
    with pytest.raises(ParameterError, match=match):
        permutation_importance(model, X, X[:, 0], **options)


def test_bad_data_and_unfitted_model():
    X = np.random.default_rng(0).normal(size=(50, 2))
    model = LinearRegression().fit(X, X[:, 0])
    with pytest.raises(DataValidationError, match="X has 50 rows but y has 49"):
        permutation_importance(model, X, X[:49, 0])
    with pytest.raises(DataValidationError, match="one weight per row of X"):
        permutation_importance(model, X, X[:, 0], sample_weight=np.ones(3))
    with pytest.raises(DataValidationError, match="non-empty 2-D table"):
        permutation_importance(model, X[:, 0], X[:, 0])
    with pytest.raises(NotFittedError):
        permutation_importance(LinearRegression(), X, X[:, 0])
