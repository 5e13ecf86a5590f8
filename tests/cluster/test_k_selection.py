"""choose_k: the planted k on separated blobs, each criterion's rule, the reason, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.cluster import choose_k
from lemma.models.cluster.k_selection import elbow, gap_rule


def _separated_blobs(rng: np.random.Generator, k: int, n_per: int = 60):
    """k unit-variance blobs with centres 10·e_j: every pair of centres 14 apart."""
    d = max(k, 3)
    centres = 10.0 * np.eye(k, d) + rng.normal(0, 0.5, d)
    return np.vstack([rng.normal(c, 1.0, (n_per, d)) for c in centres])


@pytest.mark.parametrize("k", [2, 3, 5])
def test_recovers_the_planted_k(rng, seed, k):
    X = _separated_blobs(rng, k)
    result = choose_k(X, range(2, 9), random_state=seed)
    assert result.recommended_k == k
    assert result.choices["silhouette"] == k and result.choices["gap"] == k
    assert f"k = {k}" in result.reason
    mixture = choose_k(X, range(1, 8), methods=("bic",), random_state=seed)
    assert mixture.recommended_k == k
    assert mixture.reason.startswith(f"BIC is lowest at k = {k}")


def test_table_has_one_row_per_k_and_the_criteria(rng, seed):
    X = _separated_blobs(rng, 3)
    result = choose_k(X, [4, 2, 3, 2], methods=("elbow", "silhouette", "gap"), random_state=seed)
    assert result.table.index.tolist() == [2, 3, 4]
    assert set(result.table.columns) == {"inertia", "elbow_distance", "silhouette", "gap",
                                         "gap_se"}  # fmt: skip
    assert np.all(np.diff(result.table["inertia"]) < 0)
    assert str(result).endswith(result.reason)
    assert "<table" in result._repr_html_()


def test_elbow_rule_on_a_known_curve():
    ks = np.arange(2, 9)
    inertia = np.array([60.0, 40.0, 10.0, 9.0, 8.0, 7.0, 6.0])  # sharp bend at k = 4
    distance, k = elbow(ks, inertia, total=100.0)
    assert k == 4
    expected = (1 - (ks - 1) / 7) - (inertia - 6.0) / 94.0
    np.testing.assert_allclose(distance, expected)
    straight = np.linspace(90, 10, 7)
    assert elbow(ks, straight, total=90 + 80 / 6)[1] is None  # a straight line has no elbow


def test_gap_rule_takes_the_smallest_k_within_one_standard_error():
    ks = np.array([1, 2, 3, 4, 5])
    gap = np.array([0.1, 0.5, 0.9, 0.95, 0.97])
    se = np.full(5, 0.1)
    assert gap_rule(ks, gap, se) == 3  # Gap(3) = 0.9 ≥ Gap(4) − s = 0.85
    assert gap_rule(ks, np.array([0.1, 0.3, 0.5, 0.7, 0.9]), np.full(5, 0.01)) == 5


def test_reason_reports_disagreement():
    rng = np.random.default_rng(4)
    X = np.vstack([rng.normal(c, 1.0, (40, 2)) for c in ([0, 0], [10, 0], [10, 10], [0, 10])])
    result = choose_k(X, range(2, 4), random_state=1)  # only 2 candidates, one anchor
    assert result.recommended_k in (2, 3)
    assert result.reason.endswith(".")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"k_range": range(2, 40)}, DataValidationError, "at most n − 1 = 29"),
        ({"k_range": []}, ParameterError, "k_range must hold positive integers"),
        ({"methods": ("elbows",)}, ParameterError, "methods must be"),
        ({"methods": "gap"}, ParameterError, "methods must be"),
    ],
)
def test_bad_input(kwargs, error, match):
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(error, match=match):
        choose_k(X, **kwargs)


def test_one_row_is_refused():
    with pytest.raises(DataValidationError, match="1 sample"):
        choose_k(np.ones((1, 3)))
