"""scikit-learn's check_estimator on the two fairness meta-estimators.

``ThresholdOptimizer`` and ``ExponentiatedGradient`` need ``sensitive_features=``
in ``fit`` (and ThresholdOptimizer in ``predict``), which scikit-learn's checks never
pass: every check that fits (43 of the 56) stops at the missing argument. Those
are listed below, each with that reason, and marked as expected failures, as
scikit-learn marks its own; the behaviours they check (input validation, sample
weights, cloning, fit returning self, determinism) are tested with sensitive
features in tests/fairness. The checks that do not fit (parameters, cloning, repr,
tags, unfitted errors) pass.

These estimators are not yet in lemma's registry (tests/test_common.py iterates
it), because the registry's persistence round-trip test fits every estimator with
``fit(X, y)`` as well.
"""

from __future__ import annotations

import warnings

import pytest

from lemma.fairness import ExponentiatedGradient, ThresholdOptimizer
from lemma.models.linear import LogisticRegression

estimator_checks = pytest.importorskip("sklearn.utils.estimator_checks")

REASON = (
    "fit needs sensitive_features=..., which scikit-learn's checks do not pass (it calls "
    "fit(X, y)); the behaviour is tested with sensitive features in tests/fairness"
)

#: Every check that fits the estimator (the same 43 for both).
FITTING_CHECKS = [
    "check_all_zero_sample_weights_error", "check_classifier_data_not_an_array",
    "check_classifier_not_supporting_multiclass", "check_classifiers_classes",
    "check_classifiers_one_label", "check_classifiers_one_label_sample_weights",
    "check_classifiers_regression_target", "check_classifiers_train", "check_complex_data",
    "check_dict_unchanged", "check_dont_overwrite_parameters", "check_dtype_object",
    "check_estimator_sparse_array", "check_estimator_sparse_matrix", "check_estimator_sparse_tag",
    "check_estimators_dtypes", "check_estimators_empty_data_messages",
    "check_estimators_fit_returns_self", "check_estimators_nan_inf",
    "check_estimators_overwrite_params", "check_estimators_pickle",
    "check_f_contiguous_array_estimator", "check_fit1d", "check_fit2d_1feature",
    "check_fit2d_1sample", "check_fit2d_predict1d", "check_fit_check_is_fitted",
    "check_fit_idempotent", "check_fit_score_takes_y", "check_n_features_in",
    "check_n_features_in_after_fitting", "check_positive_only_tag_during_fit",
    "check_readonly_memmap_input", "check_requires_y_none",
    "check_sample_weight_equivalence_on_dense_data", "check_sample_weights_list",
    "check_sample_weights_not_an_array", "check_sample_weights_not_overwritten",
    "check_sample_weights_pandas_series", "check_sample_weights_shape", "check_supervised_y_2d",
    "check_supervised_y_no_nan",
]  # fmt: skip

EXPECTED_FAILED_CHECKS = {
    "ThresholdOptimizer": {
        **dict.fromkeys(FITTING_CHECKS, REASON),
        "check_estimators_unfitted": (
            "predict needs sensitive_features=... (thresholds are per group), which the check "
            "does not pass; predicting before fit raises NotFittedError (tests/fairness)"
        ),
    },
    "ExponentiatedGradient": {
        **dict.fromkeys(FITTING_CHECKS, REASON),
        "check_non_transformer_estimators_n_iter": REASON,
    },
}

pytestmark = [
    pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from `sklearn"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning"),
]

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Estimator .* does not inherit from `sklearn")
    _checks = estimator_checks.parametrize_with_checks(
        [ThresholdOptimizer(LogisticRegression()), ExponentiatedGradient(LogisticRegression())],
        expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS[type(est).__name__],
    )


@_checks
def test_sklearn_compatible(estimator, check):
    check(estimator)
