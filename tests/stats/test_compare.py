"""Tests on cross-validated scores: corrected resampled t, 5×2cv t and F, permutation test."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as ss

import lemma.stats as ls
from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError

TOL = {"rtol": 1e-10, "atol": 1e-12}
ALTERNATIVES = ["two-sided", "less", "greater"]


# ------------------------------------------------------------------ corrected resampled t
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_corrected_t_matches_the_formula(rng, alternative):
    a = rng.normal(0.80, 0.02, size=(10, 10))  # 10 repeats × 10 folds
    b = a - rng.normal(0.005, 0.01, size=(10, 10))
    result = ls.corrected_resampled_ttest(a, b, n_train=450, n_test=50, alternative=alternative)
    d = (a - b).ravel()
    J = d.size
    se = math.sqrt((1 / J + 50 / 450) * np.var(d, ddof=1))  # Nadeau & Bengio (2003), eq. (16)
    t = d.mean() / se
    p = {
        "two-sided": 2 * ss.t.sf(abs(t), J - 1),
        "greater": ss.t.sf(t, J - 1),
        "less": ss.t.cdf(t, J - 1),
    }[alternative]
    np.testing.assert_allclose([result.statistic, result.p_value, result.df], [t, p, J - 1], **TOL)
    if alternative == "two-sided":
        q = ss.t.ppf(0.975, J - 1)
        np.testing.assert_allclose(
            result.confidence_interval(), (d.mean() - q * se, d.mean() + q * se), **TOL
        )


def test_corrected_t_without_correction_is_the_paired_t(rng):
    a, b = rng.normal(size=20), rng.normal(size=20)
    result = ls.corrected_resampled_ttest(a, b, n_train=1e15, n_test=1e-15)
    ref = ss.ttest_rel(a, b)
    np.testing.assert_allclose(
        [result.statistic, result.p_value], [ref.statistic, ref.pvalue], rtol=1e-9
    )


def test_corrected_t_agrees_with_selection_interval(rng):
    """The test inverts the interval lemma.selection gives for the score differences."""
    from lemma.selection import corrected_std_err, corrected_t_interval

    a, b = rng.normal(0.8, 0.03, size=30), rng.normal(0.79, 0.03, size=30)
    test = ls.corrected_resampled_ttest(a, b, n_train=270, n_test=30)
    interval = corrected_t_interval(a - b, n_train=270, n_test=30, confidence=0.9)
    np.testing.assert_allclose(test.confidence_interval(0.9), interval.conf_int, **TOL)
    np.testing.assert_allclose(test.details["std_err"], corrected_std_err(a - b, 270, 30), **TOL)


def test_corrected_t_reads_a_cv_result():
    from lemma.selection import CVResult

    def cv(scores):
        return CVResult(
            {"fit_time": np.zeros(5), "score_time": np.zeros(5), "test_score": np.array(scores)},
            metrics=["score"],
            n_train=[80] * 5,
            n_test=[20] * 5,
        )

    a, b = [0.81, 0.84, 0.79, 0.86, 0.83], [0.80, 0.81, 0.79, 0.83, 0.80]
    from_result = ls.corrected_resampled_ttest(cv(a), cv(b))
    from_arrays = ls.corrected_resampled_ttest(a, b, n_train=80, n_test=20)
    assert from_result.statistic == pytest.approx(from_arrays.statistic, rel=1e-14)
    assert ls.corrected_resampled_ttest({"test_score": a}, b, n_train=80, n_test=20) == from_arrays


def test_corrected_t_conclusion():
    a = [0.81, 0.84, 0.79, 0.86, 0.83, 0.85, 0.80, 0.84, 0.82, 0.86]
    b = [0.80, 0.81, 0.79, 0.83, 0.80, 0.84, 0.78, 0.82, 0.80, 0.83]
    text = str(ls.corrected_resampled_ttest(a, b, n_train=900, n_test=100))
    assert text.startswith("The models differ: mean score difference 0.02 (95% CI ")
    assert "corrected resampled t(9) = 4.13, p = 0.003" in text
    text = ls.corrected_resampled_ttest(a, b, n_train=100, n_test=900).conclusion()
    assert text.startswith("No evidence that the models differ")


def test_corrected_t_bad_input():
    with pytest.raises(ParameterError, match="Pass n_train"):
        ls.corrected_resampled_ttest([0.1, 0.2], [0.2, 0.3])
    with pytest.raises(ParameterError, match="'n_test' parameter"):
        ls.corrected_resampled_ttest([0.1, 0.2], [0.2, 0.3], n_train=10, n_test=0)
    with pytest.raises(DataValidationError, match="same length"):
        ls.corrected_resampled_ttest([0.1, 0.2, 0.3], [0.2, 0.3], n_train=10, n_test=2)
    with pytest.raises(DataValidationError, match="at least 2"):
        ls.corrected_resampled_ttest([0.1], [0.2], n_train=10, n_test=2)
    with pytest.warns(NumericalWarning, match="zero variance"):
        result = ls.corrected_resampled_ttest([0.5, 0.5], [0.5, 0.5], n_train=10, n_test=2)
    assert math.isnan(result.statistic)


def _fold_scores_of_two_equal_learners(rng, cv, n=50):
    """Negative test MSE of two one-feature least-squares fits, one per split.

    y = x₁ + x₂ + ε with x₁, x₂, ε independent N(0, 1): the learner on x₁ and the
    learner on x₂ have the same expected generalisation error (H₀ holds exactly),
    but any one dataset and split favours one of them.
    """
    X = rng.normal(size=(n, 2))
    y = X.sum(axis=1) + rng.normal(size=n)
    splits = list(cv.split(X))
    test = np.zeros((len(splits), n))
    for j, (_, test_index) in enumerate(splits):
        test[j, test_index] = 1.0
    train = 1.0 - test
    n_train, n_test = train.sum(axis=1), test.sum(axis=1)
    scores = []
    for x in X.T:  # closed-form simple regression on every training part at once
        sx, sy = train @ x, train @ y
        slope = (train @ (x * y) - sx * sy / n_train) / (train @ (x * x) - sx**2 / n_train)
        intercept = (sy - slope * sx) / n_train
        residual = y[None, :] - intercept[:, None] - slope[:, None] * x[None, :]
        scores.append(-(test * residual**2).sum(axis=1) / n_test)
    return scores[0], scores[1], n_train.mean(), n_test.mean()


def test_type_one_error_of_corrected_and_naive_tests(seed):
    """The corrected resampled t-test keeps its size; the naive paired t-test does not.

    Why the correction exists: the J = 100 scores of 10×10-fold cross-validation
    come from overlapping training sets (any two share ~80% of their rows) and
    reuse every row as test data ten times, so they are positively correlated.
    With correlation ρ, Var(d̄) = σ²(1/J + ρ/(1 − ρ)), not σ²/J; the naive paired t
    uses σ̂²/J and its t statistic is inflated about √(1 + Jρ/(1 − ρ)) times.
    Nadeau & Bengio replace ρ/(1 − ρ) by n_test/n_train. Here two equally good
    learners are compared on 500 fresh datasets: the corrected test must reject
    about 5% of the time (inside the 99% binomial interval for 500 trials), the
    naive test far more often (about 57% in this design).
    """
    from lemma.selection import RepeatedKFold

    rng = np.random.default_rng(seed)
    n_simulations, corrected, naive = 500, 0, 0
    for _ in range(n_simulations):
        cv = RepeatedKFold(n_splits=10, n_repeats=10, random_state=int(rng.integers(2**31 - 1)))
        a, b, n_train, n_test = _fold_scores_of_two_equal_learners(rng, cv)
        corrected += (
            ls.corrected_resampled_ttest(a, b, n_train=n_train, n_test=n_test).p_value < 0.05
        )
        naive += ss.ttest_rel(a, b).pvalue < 0.05
    low, high = ss.binom.ppf([0.005, 0.995], n_simulations, 0.05)
    assert low <= corrected <= high, (corrected, low, high)
    assert ss.binomtest(naive, n_simulations, 0.05, alternative="greater").pvalue < 1e-6
    assert naive > 4 * corrected


# --------------------------------------------------------------------------------- 5 × 2 cv
def dietterich_t(p):
    """Dietterich (1998), eq. (9): t̃ = p₁⁽¹⁾ / √((1/5) Σᵢ sᵢ²)."""
    total = 0.0
    for i in range(5):
        mean = (p[i][0] + p[i][1]) / 2
        total += (p[i][0] - mean) ** 2 + (p[i][1] - mean) ** 2
    return p[0][0] / math.sqrt(total / 5)


def alpaydin_f(p):
    """Alpaydın (1999), eq. (4): f = Σᵢ Σⱼ (p_i⁽ʲ⁾)² / (2 Σᵢ sᵢ²)."""
    squares = sum(p[i][j] ** 2 for i in range(5) for j in range(2))
    total = 0.0
    for i in range(5):
        mean = (p[i][0] + p[i][1]) / 2
        total += (p[i][0] - mean) ** 2 + (p[i][1] - mean) ** 2
    return squares / (2 * total)


def test_5x2cv_t_and_f_match_the_papers(rng):
    p = rng.normal(0.01, 0.02, size=(5, 2)).tolist()
    t = ls.paired_ttest_5x2cv(p)
    np.testing.assert_allclose(
        [t.statistic, t.p_value, t.df],
        [dietterich_t(p), 2 * ss.t.sf(abs(dietterich_t(p)), 5), 5],
        **TOL,
    )
    f = ls.combined_ftest_5x2cv(p)
    np.testing.assert_allclose(
        [f.statistic, f.p_value], [alpaydin_f(p), ss.f.sf(alpaydin_f(p), 10, 5)], **TOL
    )
    assert f.df == (10.0, 5.0)
    assert f.estimate == pytest.approx(np.mean(p))


class Recorder:
    """A regressor predicting its training mean plus ``shift``; records training sizes.

    ``clone`` deep-copies parameters, so sizes go to a class-level list.
    """

    fitted_sizes: list = []

    def __init__(self, shift=0.0):
        self.shift = shift

    def get_params(self, deep=True):
        return {"shift": self.shift}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, X, y):
        Recorder.fitted_sizes.append(len(y))
        self.mean_ = float(np.mean(y)) + self.shift
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)

    def score(self, X, y):
        return -float(np.mean((np.asarray(y) - self.predict(X)) ** 2))


def test_5x2cv_runs_the_folds(rng):
    X, y = rng.normal(size=(41, 2)), rng.normal(size=41)
    Recorder.fitted_sizes.clear()
    p = ls.scores_5x2cv(Recorder(0.0), Recorder(3.0), X, y, random_state=3)
    sizes = Recorder.fitted_sizes
    assert p.shape == (5, 2) and sorted(set(sizes)) == [20, 21] and len(sizes) == 20
    # each replication trains once on each half (20 and 21 rows), for both models
    assert sizes.count(20) == sizes.count(21) == 10
    # MSE(mean + 3) − MSE(mean) = 9 − 6·(test mean − train mean) > 0 here
    assert np.all(p > 0)
    again = ls.paired_ttest_5x2cv(
        estimator_a=Recorder(), estimator_b=Recorder(3.0), X=X, y=y, random_state=3
    )
    assert again.statistic == ls.paired_ttest_5x2cv(p).statistic
    named = ls.scores_5x2cv(
        Recorder(), Recorder(3.0), X, y, scoring="neg_mean_squared_error", random_state=3
    )
    np.testing.assert_allclose(named, p, rtol=1e-12)


def test_5x2cv_on_a_dataframe(rng):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(rng.normal(size=(30, 2)), columns=["a", "b"], index=np.arange(100, 130))
    y = pd.Series(rng.normal(size=30), index=X.index)
    f = ls.combined_ftest_5x2cv(
        estimator_a=Recorder(), estimator_b=Recorder(1.0), X=X, y=y, random_state=0
    )
    assert f.estimate > 0


def test_5x2cv_bad_input(rng):
    p = rng.normal(size=(5, 2))
    with pytest.raises(ParameterError, match="not both"):
        ls.paired_ttest_5x2cv(p, estimator_a=Recorder(), estimator_b=Recorder(), X=p, y=p[:, 0])
    with pytest.raises(ParameterError, match=r"missing \['X', 'y'\]"):
        ls.combined_ftest_5x2cv(estimator_a=Recorder(), estimator_b=Recorder())
    with pytest.raises(DataValidationError, match=r"shape \(5, 2\)"):
        ls.paired_ttest_5x2cv(rng.normal(size=(2, 5)))
    with pytest.raises(ParameterError, match="'scoring' parameter"):
        ls.scores_5x2cv(Recorder(), Recorder(), p, p[:, 0], scoring=3)
    with pytest.warns(NumericalWarning, match="zero variance"):
        ls.paired_ttest_5x2cv(np.zeros((5, 2)))


# ------------------------------------------------------------------------- permutation
def test_permutation_test_p_value_by_counting(rng):
    X = rng.normal(size=(40, 1))
    y = X[:, 0] + rng.normal(scale=2.0, size=40)
    seen = []

    def score(X, y):
        seen.append(np.array(y))
        return abs(np.corrcoef(X[:, 0], y)[0, 1])

    result = ls.permutation_test(score, X, y, n_permutations=199, random_state=0)
    null = result.details["permutation_scores"]
    assert null.shape == (199,)
    assert result.p_value == pytest.approx((1 + np.sum(null >= result.statistic)) / 200)
    # every permuted target is a rearrangement of y
    assert all(np.array_equal(np.sort(v), np.sort(y)) for v in seen[1:])


def test_permutation_test_respects_groups(rng):
    y = np.arange(12.0)
    groups = np.repeat([0, 1, 2], 4)
    seen = []
    ls.permutation_test(
        lambda X, t: seen.append(t) or 0.0,
        np.zeros((12, 1)),
        y,
        n_permutations=20,
        groups=groups,
        random_state=1,
    )
    for permuted in seen[1:]:
        for g in range(3):
            assert set(permuted[groups == g]) == set(y[groups == g])


def test_permutation_test_type_one_error(seed):
    rng = np.random.default_rng(seed)
    rejections = 0
    for _ in range(100):
        X, y = rng.normal(size=(25, 1)), rng.normal(size=25)
        result = ls.permutation_test(
            lambda X, t: np.corrcoef(X[:, 0], t)[0, 1], X, y, n_permutations=39, random_state=rng
        )
        rejections += result.p_value <= 0.05
    assert rejections <= ss.binom.ppf(0.995, 100, 0.05)
    text = str(
        ls.permutation_test(
            lambda X, t: np.corrcoef(X[:, 0], t)[0, 1],
            X,
            X[:, 0],
            n_permutations=99,
            random_state=0,
        )
    )
    assert text.startswith("The model does better than chance: score = 1, p = 0.010")
