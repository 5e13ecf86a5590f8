"""Model selection: splitters, cross-validation with confidence intervals, curves.

* Cross-validation splitters (:mod:`lemma.selection.split`): :class:`KFold`,
  :class:`StratifiedKFold`, :class:`GroupKFold`, :class:`StratifiedGroupKFold`,
  :class:`RepeatedKFold`, :class:`RepeatedStratifiedKFold`, :class:`TimeSeriesSplit`
  (expanding or sliding window), :class:`LeaveOneOut`, :func:`check_cv`.
* Hold-out splits (:mod:`lemma.selection.holdout`): :class:`ShuffleSplit`,
  :func:`train_test_split` (stratified or grouped).
* Parallel map (:mod:`lemma.selection.parallel`): :func:`run_parallel` with
  pluggable backends, a progress bar and :class:`Interrupted` on Ctrl-C.

"""

from lemma.selection.holdout import ShuffleSplit, train_test_split
from lemma.selection.parallel import (
    BACKENDS,
    Interrupted,
    effective_n_jobs,
    parallel_backend,
    register_backend,
    run_parallel,
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

__all__ = [
    "BACKENDS",
    "BaseCrossValidator",
    "GroupKFold",
    "Interrupted",
    "KFold",
    "LeaveOneOut",
    "PredefinedSplits",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "ShuffleSplit",
    "StratifiedGroupKFold",
    "StratifiedKFold",
    "TimeSeriesSplit",
    "check_cv",
    "effective_n_jobs",
    "parallel_backend",
    "register_backend",
    "run_parallel",
    "train_test_split",
]
