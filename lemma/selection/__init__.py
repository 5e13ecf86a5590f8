"""Model selection: splitters, cross-validation with confidence intervals, curves.

* Cross-validation splitters (:mod:`lemma.selection.split`): :class:`KFold`,
  :class:`StratifiedKFold`, :class:`GroupKFold`, :class:`StratifiedGroupKFold`,
  :class:`RepeatedKFold`, :class:`RepeatedStratifiedKFold`, :class:`TimeSeriesSplit`
  (expanding or sliding window), :class:`LeaveOneOut`, :func:`check_cv`.
* Hold-out splits (:mod:`lemma.selection.holdout`): :class:`ShuffleSplit`,
  :func:`train_test_split` (stratified or grouped).
* Cross-validation (:mod:`lemma.selection.validate`): :func:`cross_validate`
  returning a :class:`CVResult` (scikit-learn's dict plus ``summary()`` with
  intervals), :func:`cross_val_score`, :func:`cross_val_predict`, and the
  building blocks of the searches (:func:`fit_and_score`, :func:`fold_tasks`,
  :func:`evaluate_candidate`).
* Curves (:mod:`lemma.selection.curves`): :func:`learning_curve`,
  :func:`validation_curve` and :func:`diagnose_fit` — under-fitting, over-fitting
  or fine, with the numbers behind the verdict.
* Nested cross-validation (:mod:`lemma.selection.nested`):
  :func:`nested_cross_validate`, an unbiased score for a tuned model (any search
  object with ``fit`` and ``best_params_``, scikit-learn's included).
* Intervals (:mod:`lemma.selection.intervals`): the Nadeau–Bengio corrected
  t-interval and the bootstrap over folds.
* Hyperparameter searches (:mod:`lemma.selection.search`): :class:`GridSearchCV`,
  :class:`RandomizedSearchCV` (over :class:`ParameterGrid` and
  :class:`ParameterSampler`; distributions in :mod:`lemma.selection.distributions`),
  whose ``cv_results_`` add to scikit-learn's columns the interval of every
  candidate's score and the corrected p-value of its difference from the best
  (:mod:`lemma.selection.search_stats`); ``select="one_se"`` applies the
  one-standard-error rule. Successive halving (:mod:`lemma.selection.halving`):
  :class:`HalvingGridSearchCV`, :class:`HalvingRandomSearchCV`. Bayesian
  optimisation (:mod:`lemma.selection.bayes`, on the Gaussian process of
  :mod:`lemma.selection.gp`): :class:`BayesSearchCV` and :func:`minimize_bayes`.
* Parallel map (:mod:`lemma.selection.parallel`): :func:`run_parallel` with
  pluggable backends, a progress bar and :class:`Interrupted` on Ctrl-C.

Examples
--------
>>> import numpy as np
>>> from lemma.models.linear import Ridge
>>> from lemma.selection import cross_validate
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(200, 3)); y = X @ [1.0, 2.0, 0.0] + rng.normal(size=200)
>>> result = cross_validate(Ridge(), X, y, scoring=["r2", "neg_mean_absolute_error"])
>>> print(result)
CVResult(5 splits; mean [95% interval]):
  r2: 0.7937  corrected t [0.6827, 0.9048]  bootstrap [0.7474, 0.84]
  neg_mean_absolute_error: -0.8149  corrected t [-0.9365, -0.6933]  bootstrap [-0.858, -0.76]
  keys: fit_time, score_time, test_r2, test_neg_mean_absolute_error
"""

from lemma.selection.bayes import BayesResult, BayesSearchCV, minimize_bayes
from lemma.selection.curves import (
    FitDiagnosis,
    LearningCurveResult,
    ValidationCurveResult,
    diagnose_fit,
    learning_curve,
    validation_curve,
)
from lemma.selection.cv_result import CVResult
from lemma.selection.halving import HalvingGridSearchCV, HalvingRandomSearchCV
from lemma.selection.holdout import ShuffleSplit, train_test_split
from lemma.selection.intervals import (
    INTERVALS,
    ScoreInterval,
    bootstrap_interval,
    corrected_std_err,
    corrected_t_interval,
    score_interval,
)
from lemma.selection.nested import NestedCVResult, nested_cross_validate
from lemma.selection.parallel import (
    BACKENDS,
    Interrupted,
    effective_n_jobs,
    parallel_backend,
    register_backend,
    run_parallel,
)
from lemma.selection.search import (
    GridSearchCV,
    ParameterGrid,
    ParameterSampler,
    RandomizedSearchCV,
)
from lemma.selection.split import (
    BaseCrossValidator,
    GroupKFold,
    KFold,
    LeaveOneOut,
    PredefinedSplits,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    check_cv,
)
from lemma.selection.validate import (
    FitFailedError,
    FitFailedWarning,
    FoldResult,
    check_scoring,
    cross_val_predict,
    cross_val_score,
    cross_validate,
    evaluate_candidate,
    fit_and_score,
    fold_tasks,
    report_fit_failures,
)

__all__ = [
    "BACKENDS",
    "INTERVALS",
    "BaseCrossValidator",
    "BayesResult",
    "BayesSearchCV",
    "CVResult",
    "FitDiagnosis",
    "FitFailedError",
    "FitFailedWarning",
    "FoldResult",
    "GridSearchCV",
    "GroupKFold",
    "HalvingGridSearchCV",
    "HalvingRandomSearchCV",
    "Interrupted",
    "KFold",
    "LearningCurveResult",
    "LeaveOneOut",
    "NestedCVResult",
    "ParameterGrid",
    "ParameterSampler",
    "PredefinedSplits",
    "RandomizedSearchCV",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "ScoreInterval",
    "ShuffleSplit",
    "StratifiedGroupKFold",
    "StratifiedKFold",
    "TimeSeriesSplit",
    "ValidationCurveResult",
    "bootstrap_interval",
    "check_cv",
    "check_scoring",
    "corrected_std_err",
    "corrected_t_interval",
    "cross_val_predict",
    "cross_val_score",
    "cross_validate",
    "diagnose_fit",
    "effective_n_jobs",
    "evaluate_candidate",
    "fit_and_score",
    "fold_tasks",
    "learning_curve",
    "minimize_bayes",
    "nested_cross_validate",
    "parallel_backend",
    "register_backend",
    "report_fit_failures",
    "run_parallel",
    "score_interval",
    "train_test_split",
    "validation_curve",
]
