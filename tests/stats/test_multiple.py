"""Holm and Benjamini–Hochberg adjustments against statsmodels' multipletests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from lemma.exceptions import DataValidationError, ParameterError
from lemma.stats import benjamini_hochberg, holm

METHODS = [(holm, "holm"), (benjamini_hochberg, "fdr_bh")]

p_value_lists = st.lists(
    st.one_of(
        st.floats(0, 1, allow_nan=False),
        st.sampled_from([0.0, 0.001, 0.01, 0.02, 0.05, 1.0]),  # ties and boundary values
    ),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize(("ours", "name"), METHODS)
@settings(max_examples=50, deadline=None)
@given(p=p_value_lists, alpha=st.sampled_from([0.01, 0.05, 0.1, 0.2]))
def test_matches_statsmodels(ours, name, p, alpha):
    reject, adjusted, _, _ = multipletests(p, alpha=alpha, method=name)
    result = ours(p, alpha=alpha)
    np.testing.assert_allclose(result.p_adjusted, adjusted, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(result.reject, reject)


def test_hand_computed_values():
    # p sorted: 0.005, 0.01, 0.03, 0.04 (m = 4)
    # Holm: 4*0.005=0.02, 3*0.01=0.03, 2*0.03=0.06, max(0.06, 1*0.04)=0.06
    # BH: min over j>=i of 4 p_(j)/j: 0.04/... -> [0.02, 0.02, 0.04, 0.04]
    p = [0.01, 0.04, 0.03, 0.005]
    np.testing.assert_allclose(holm(p).p_adjusted, [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(benjamini_hochberg(p).p_adjusted, [0.02, 0.04, 0.04, 0.02])


def test_unpacks_like_statsmodels():
    reject, adjusted = holm([0.01, 0.5])
    assert reject.tolist() == [True, False]
    np.testing.assert_allclose(adjusted, [0.02, 0.5])


@pytest.mark.parametrize("func", [holm, benjamini_hochberg])
def test_bad_input(func):
    with pytest.raises(DataValidationError, match=r"must lie in \[0, 1\]"):
        func([0.1, 1.2])
    with pytest.raises(DataValidationError, match="must lie in"):
        func([0.1, np.nan])
    with pytest.raises(DataValidationError, match="empty"):
        func([])
    with pytest.raises(ParameterError, match="'alpha' parameter"):
        func([0.1], alpha=1.5)
