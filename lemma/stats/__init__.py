"""Probability and statistics: hypothesis tests, model comparison, bootstrap, distributions.

* :class:`HypothesisTestResult` — what every test returns: statistic, p-value, effect
  size, confidence interval and a one-sentence conclusion.
* :mod:`lemma.stats.multiple` — Holm and Benjamini–Hochberg adjusted p-values.
* :mod:`lemma.stats.inference` — inference for fitted models (standard errors, summaries).

Examples
--------
>>> from lemma.stats import holm
>>> holm([0.01, 0.02, 0.5]).reject
array([ True,  True, False])
"""

from lemma.stats._result import HypothesisTestResult
from lemma.stats.multiple import MultipleTestingResult, benjamini_hochberg, holm

__all__ = ["HypothesisTestResult", "MultipleTestingResult", "benjamini_hochberg", "holm"]
