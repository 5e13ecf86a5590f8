"""lemma.validation.encode_classes: counting integer labels gives what sorting them gave."""

from __future__ import annotations

import numpy as np
import pytest

from lemma.exceptions import DataValidationError
from lemma.validation import encode_classes


@pytest.mark.parametrize(
    "y",
    [
        np.array([3, -2, 3, 7, -2], dtype=np.int8),
        np.array([True, False, True]),
        np.array([5, 9, 5], dtype=np.uint8),
        np.array([2**63 + 1, 2**63 + 2, 2**63 + 1], dtype=np.uint64),  # beyond intp
        np.array([2**64 - 1, 0, 2**64 - 1], dtype=np.uint64),
        np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0]),  # a huge range
        np.array([[4], [1], [4]]),  # one column
        np.array([1.0, 2.0, 2.0]),  # floats and strings still go through np.unique
        np.array(["b", "a", "b"]),
    ],
)
def test_classes_and_codes_equal_np_unique(y):
    classes, codes = encode_classes(y)
    expected_classes, expected_codes = np.unique(y, return_inverse=True)
    assert classes.dtype == expected_classes.dtype
    np.testing.assert_array_equal(classes, expected_classes)
    assert codes.dtype == np.intp and codes.shape == (y.shape[0],)
    np.testing.assert_array_equal(codes, expected_codes.ravel())


def test_one_class_left_after_zero_weights_is_refused():
    with pytest.raises(DataValidationError, match=r"got 1 class \(np.int64\(2\) after removing"):
        encode_classes(np.array([1, 2, 2]), np.array([0.0, 1.0, 1.0]))
    with pytest.raises(DataValidationError, match="got 1 class"):
        encode_classes(np.array([7, 7, 7], dtype=np.uint8))
