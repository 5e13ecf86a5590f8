"""Reweighing: the closed form P(A)P(Y)/P(A,Y), independence under the weights, its effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lemma.fairness as lf
from lemma.exceptions import DataValidationError
from lemma.models.linear import LogisticRegression
from tests.fairness._planted import planted_bias


def _data(rng, n=500):
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n, p=[0.3, 0.7]),
            "race": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]),
        }
    )
    p = 0.2 + 0.3 * (frame["sex"] == "M") + 0.1 * (frame["race"] == "a")
    y = np.where(rng.random(n) < p, "yes", "no")
    return frame, y, rng.integers(1, 4, n).astype(float)


@pytest.mark.parametrize("weighted", [False, True])
def test_weights_equal_the_closed_form(rng, weighted):
    frame, y, w = _data(rng)
    w = w if weighted else np.ones(len(y))
    cells = pd.DataFrame({"a": frame["sex"] + "|" + frame["race"], "y": y, "w": w})
    total = cells["w"].sum()
    p_a = cells.groupby("a")["w"].sum() / total
    p_y = cells.groupby("y")["w"].sum() / total
    p_ay = cells.groupby(["a", "y"])["w"].sum() / total
    expected = np.array(
        [p_a[a] * p_y[v] / p_ay[(a, v)] for a, v in zip(cells["a"], cells["y"], strict=True)]
    )
    got = lf.reweighing_weights(y, sensitive_features=frame, sample_weight=w if weighted else None)
    np.testing.assert_allclose(got, expected * w, rtol=1e-12)


def test_label_and_group_are_independent_under_the_weights(rng):
    frame, y, _ = _data(rng)
    w = lf.Reweighing().fit_weights(None, y, sensitive_features=frame["sex"])
    table = pd.crosstab(frame["sex"], y, values=w, aggfunc="sum", normalize=True)
    independent = np.outer(table.sum(axis=1), table.sum(axis=0))
    np.testing.assert_allclose(table.to_numpy(), independent, rtol=1e-12)
    # the marginals are those of the data
    np.testing.assert_allclose(
        table.sum(axis=1), frame["sex"].value_counts(normalize=True).sort_index()
    )
    np.testing.assert_allclose(
        table.sum(axis=0), pd.Series(y).value_counts(normalize=True).sort_index()
    )
    assert w.sum() == pytest.approx(len(y))


def test_a_model_fitted_with_the_weights_is_closer_to_parity(seed):
    rng = np.random.default_rng(seed)
    X, y, group = planted_bias(rng, n=2000)
    plain = LogisticRegression().fit(X, y).predict(X)
    weights = lf.reweighing_weights(y, sensitive_features=group)
    reweighed = LogisticRegression().fit(X, y, sample_weight=weights).predict(X)
    before = lf.demographic_parity_difference(y, plain, sensitive_features=group)
    after = lf.demographic_parity_difference(y, reweighed, sensitive_features=group)
    assert after < before - 0.05


def test_unseen_groups_and_labels_are_refused():
    rw = lf.Reweighing().fit([[0]] * 4, [1, 0, 1, 0], sensitive_features=list("aabb"))
    assert repr(rw) == "Reweighing()"
    with pytest.raises(DataValidationError, match=r"groups \['c'\] not seen in fit"):
        rw.weights([1, 0], sensitive_features=["a", "c"])
    with pytest.raises(DataValidationError, match=r"labels \['2'\] not seen in fit"):
        rw.weights([1, 2], sensitive_features=["a", "b"])
    with pytest.raises(DataValidationError, match="X has 3 rows but y has 4"):
        lf.Reweighing().fit([[0]] * 3, [1, 0, 1, 0], sensitive_features=list("aabb"))
    empty = lf.Reweighing().fit(None, [1, 0, 0, 0], sensitive_features=list("aabb"))
    with pytest.raises(DataValidationError, match="no training rows"):
        empty.weights([1], sensitive_features=["b"])
