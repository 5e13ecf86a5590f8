"""McNemar against statsmodels, DeLong against the 1988 definition, the paired bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as ss
from sklearn.metrics import roc_auc_score
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

import lemma.stats as ls
from lemma.exceptions import DataValidationError, NumericalWarning, ParameterError
from lemma.stats import bootstrap_ci

TOL = {"rtol": 1e-10, "atol": 1e-12}


def predictions(rng, n, accuracy_a, accuracy_b):
    y = rng.integers(0, 3, size=n)
    a = np.where(rng.random(n) < accuracy_a, y, (y + 1) % 3)
    b = np.where(rng.random(n) < accuracy_b, y, (y + 2) % 3)
    return y, a, b


# ------------------------------------------------------------------------------ McNemar
@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("correction", [True, False])
def test_mcnemar_matches_statsmodels(rng, exact, correction):
    y, a, b = predictions(rng, 150, 0.85, 0.75)
    ours = ls.mcnemar(y, a, b, exact=exact, correction=correction)
    if ours.details["b"] == ours.details["c"] and correction and not exact:
        # statsmodels' corrected statistic is (|b − c| − 1)²/(b + c) even at b = c; the
        # continuity correction never makes |b − c| negative, so ours is 0 and p = 1.
        assert (ours.statistic, ours.p_value) == (0.0, 1.0)
        return
    ref = sm_mcnemar(ours.details["table"], exact=exact, correction=correction)
    np.testing.assert_allclose([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue], **TOL)
    # the table by hand: rows A right/wrong, columns B right/wrong
    right_a, right_b = a == y, b == y
    assert ours.details["table"].tolist() == [
        [np.sum(right_a & right_b), np.sum(right_a & ~right_b)],
        [np.sum(~right_a & right_b), np.sum(~right_a & ~right_b)],
    ]


def test_mcnemar_chooses_exact_for_few_discordant_pairs():
    y = np.zeros(100, dtype=int)
    a, b = y.copy(), y.copy()
    a[:3], b[3:20] = 1, 1  # b = 17, c = 3: 20 discordant pairs
    assert ls.mcnemar(y, a, b).test == "exact McNemar test"
    b[20:30] = 1  # 30 discordant pairs
    result = ls.mcnemar(y, a, b)
    assert result.test == "McNemar χ² test" and result.df == 1.0
    # Wald interval for the paired accuracy difference (Agresti 2013, §10.1)
    n, bb, cc = 100, 27, 3
    se = math.sqrt(bb + cc - (bb - cc) ** 2 / n) / n
    q = ss.norm.ppf(0.975)
    np.testing.assert_allclose(result.confidence_interval(), (0.24 - q * se, 0.24 + q * se), **TOL)


@pytest.mark.parametrize("b", range(0, 16, 3))
@pytest.mark.parametrize("c", range(0, 16, 4))
def test_exact_interval_agrees_with_exact_p_value(b, c):
    y = np.zeros(60, dtype=int)
    pred_a, pred_b = y.copy(), y.copy()
    pred_b[:b] = 1
    pred_a[b : b + c] = 1
    result = ls.mcnemar(y, pred_a, pred_b, exact=True)
    for alpha in (0.05, 0.2):
        low, high = result.confidence_interval(1 - alpha)
        assert (low <= 0 <= high) == (result.p_value >= alpha) or b + c == 0
    assert result.estimate == pytest.approx((b - c) / 60)


def test_mcnemar_conclusion_and_errors():
    y = np.zeros(60, dtype=int)
    a, b = y.copy(), y.copy()
    a[:4], b[4:20] = 1, 1
    text = str(ls.mcnemar(y, a, b))
    assert text.startswith("The models' accuracies differ: accuracy difference 0.2 (95% CI")
    assert "min(b, c) = 4, p = 0.012" in text
    with pytest.raises(DataValidationError, match="same length"):
        ls.mcnemar([0, 1], [0, 1, 1], [0, 1])


# ------------------------------------------------------------------------------- DeLong
def delong_reference(y, scores):
    """DeLong et al. (1988), section 2, straight from the placement values: O(m·n)."""
    x = [s[y == 1] for s in scores]  # positives
    z = [s[y == 0] for s in scores]  # negatives
    m, n = len(x[0]), len(z[0])
    v10, v01, aucs = [], [], []
    for xs, zs in zip(x, z, strict=True):
        psi = (xs[:, None] > zs[None, :]) + 0.5 * (xs[:, None] == zs[None, :])
        aucs.append(psi.mean())
        v10.append(psi.mean(axis=1))
        v01.append(psi.mean(axis=0))
    s10, s01 = np.cov(np.array(v10)), np.cov(np.array(v01))
    c = np.array([1.0, -1.0])
    variance = c @ s10 @ c / m + c @ s01 @ c / n
    return aucs[0] - aucs[1], math.sqrt(variance), aucs


@pytest.mark.parametrize("levels", [5, 1000])  # few levels -> many ties
def test_delong_matches_the_slow_definition(rng, levels):
    n = 120
    y = rng.integers(0, 2, size=n)
    y[:2] = [0, 1]
    a = np.round((y + rng.normal(size=n)) * levels / 4) / levels
    b = np.round((0.5 * y + rng.normal(size=n)) * levels / 4) / levels
    result = ls.delong_test(y, a, b)
    difference, std_err, aucs = delong_reference(y, [a, b])
    np.testing.assert_allclose(result.estimate, difference, **TOL)
    np.testing.assert_allclose(result.details["std_err"], std_err, **TOL)
    np.testing.assert_allclose(result.statistic, difference / std_err, **TOL)
    np.testing.assert_allclose(result.p_value, 2 * ss.norm.sf(abs(difference / std_err)), **TOL)
    ours = [result.details["auc_a"], result.details["auc_b"]]
    np.testing.assert_allclose(ours, aucs, **TOL)
    np.testing.assert_allclose(ours, [roc_auc_score(y, a), roc_auc_score(y, b)], **TOL)
    q = ss.norm.ppf(0.95)
    np.testing.assert_allclose(
        result.confidence_interval(0.9), (difference - q * std_err, difference + q * std_err), **TOL
    )


def test_delong_labels_and_alternatives(rng):
    y = np.array(["no", "yes"] * 30)
    a = (y == "yes") + rng.normal(size=60)
    b = rng.normal(size=60)
    greater = ls.delong_test(y, a, b, alternative="greater")
    assert greater.p_value == pytest.approx(ss.norm.sf(greater.statistic))
    flipped = ls.delong_test(y, a, b, pos_label="no")
    assert flipped.estimate == pytest.approx(-greater.estimate)
    assert str(greater).startswith("Model A has the higher AUC: AUC difference")


def test_delong_errors():
    with pytest.raises(DataValidationError, match="exactly two classes"):
        ls.delong_test([0, 1, 2, 1], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(DataValidationError, match="at least 2 positive"):
        ls.delong_test([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ParameterError, match="pos_label"):
        ls.delong_test([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4], pos_label=3)
    with pytest.warns(NumericalWarning, match="zero variance"):
        ls.delong_test([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4])


# ---------------------------------------------------------------------- paired bootstrap
def accuracy(y_true, y_pred):
    return float(np.mean(y_true == y_pred))


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_bootstrap_difference_interval_and_p_value(rng, method):
    y, a, b = predictions(rng, 120, 0.8, 0.7)
    result = ls.bootstrap_difference(accuracy, y, a, b, n_boot=400, method=method, random_state=5)
    assert result.estimate == pytest.approx(accuracy(y, a) - accuracy(y, b))
    ref = ss.bootstrap(
        (y, a, b),
        lambda t, p, q: accuracy(t, p) - accuracy(t, q),
        n_resamples=400,
        method=method,
        paired=True,
        vectorized=False,
        random_state=np.random.RandomState(5),
    )
    np.testing.assert_allclose(result.confidence_interval(), tuple(ref.confidence_interval), **TOL)
    replicates = ref.bootstrap_distribution
    expected = (1 + np.sum(np.abs(replicates - result.estimate) >= abs(result.estimate))) / 401
    assert result.p_value == pytest.approx(expected)
    assert result.statistic == pytest.approx(result.estimate / replicates.std(ddof=1))
    again = bootstrap_ci(
        lambda t, p, q: accuracy(t, p) - accuracy(t, q),
        y,
        a,
        b,
        n_boot=400,
        method=method,
        level=0.8,
        random_state=5,
    )
    np.testing.assert_allclose(result.confidence_interval(0.8), again.conf_int, **TOL)


def test_bootstrap_difference_finds_a_clear_difference_and_not_a_null(rng):
    y, a, b = predictions(rng, 400, 0.9, 0.6)
    clear = ls.bootstrap_difference(accuracy, y, a, b, n_boot=300, random_state=0)
    assert clear.p_value < 0.01
    assert str(clear).startswith("The models differ: accuracy difference")
    y, a, b = predictions(rng, 400, 0.8, 0.8)
    null = ls.bootstrap_difference(accuracy, y, a, a, n_boot=50, random_state=0)
    assert null.p_value == 1.0 and null.estimate == 0.0


def test_bootstrap_difference_errors():
    with pytest.raises(ParameterError, match="'method' parameter"):
        ls.bootstrap_difference(accuracy, [0, 1], [0, 1], [1, 1], method="student")
    with pytest.raises(DataValidationError, match="same length"):
        ls.bootstrap_difference(accuracy, [0, 1, 1], [0, 1], [1, 1])
