"""Probability and statistics: hypothesis tests, model comparison, bootstrap, distributions.

* :class:`HypothesisTestResult` — what every test returns: statistic, p-value, effect
  size, confidence interval and a one-sentence conclusion.
* :mod:`lemma.stats.hypothesis_tests` — t tests, rank tests, ANOVA, correlation,
  normality; :mod:`lemma.stats.categorical` — χ², Fisher's exact test, proportions.
* :mod:`lemma.stats.compare` — is model A better than model B on cross-validated
  scores? Corrected resampled t, 5×2cv t and F, permutation test.
  :mod:`lemma.stats.compare_holdout` — on one test set: McNemar, DeLong, paired bootstrap.
* :mod:`lemma.stats.compare_many` — k models over N datasets: Friedman test, Nemenyi
  critical difference.
* :mod:`lemma.stats.bootstrap` — percentile, basic and BCa bootstrap intervals.
* :mod:`lemma.stats.power` — power and sample size of t and proportion tests.
* :mod:`lemma.stats.descriptive` — ``describe``: mean and median with intervals, spread,
  shape, missing values.
* :mod:`lemma.stats.distributions` — fit candidate distributions by maximum likelihood,
  rank them by AIC/BIC with goodness-of-fit statistics; Q–Q data; ECDF with a DKW band.
* :mod:`lemma.stats.multiple` — Holm and Benjamini–Hochberg adjusted p-values.
* :mod:`lemma.stats.inference` — inference for fitted models (standard errors, summaries).

Examples
--------
>>> from lemma.stats import ttest_ind
>>> print(ttest_ind([5.1, 4.9, 6.2, 5.8, 6.0], [4.1, 4.5, 3.9, 4.8, 4.2]))
The means differ: mean difference 1.3 (95% CI 0.584 to 2.02), Welch t(6.68) = 4.33, p = 0.004, Cohen's d = 2.74.
"""  # noqa: E501

from lemma.stats._result import HypothesisTestResult
from lemma.stats.bootstrap import BootstrapResult, bootstrap_ci, bootstrap_replicates
from lemma.stats.categorical import chi2_contingency, cohens_h, fisher_exact, proportions_ztest
from lemma.stats.compare import (
    combined_ftest_5x2cv,
    corrected_resampled_ttest,
    paired_ttest_5x2cv,
    permutation_test,
    scores_5x2cv,
)
from lemma.stats.compare_holdout import bootstrap_difference, delong_test, mcnemar
from lemma.stats.compare_many import NemenyiResult, friedman_test, nemenyi_posthoc, rank_models
from lemma.stats.descriptive import describe
from lemma.stats.distributions import DistributionFit, ecdf, fit_distributions, qq_data
from lemma.stats.hypothesis_tests import (
    f_oneway,
    kruskal,
    mannwhitneyu,
    pearsonr,
    shapiro,
    spearmanr,
    ttest_1samp,
    ttest_ind,
    ttest_rel,
    wilcoxon,
)
from lemma.stats.multiple import MultipleTestingResult, benjamini_hochberg, holm
from lemma.stats.power import power_proportions, power_ttest

__all__ = [
    "BootstrapResult",
    "DistributionFit",
    "HypothesisTestResult",
    "MultipleTestingResult",
    "NemenyiResult",
    "benjamini_hochberg",
    "bootstrap_ci",
    "bootstrap_difference",
    "bootstrap_replicates",
    "chi2_contingency",
    "cohens_h",
    "combined_ftest_5x2cv",
    "corrected_resampled_ttest",
    "delong_test",
    "describe",
    "ecdf",
    "f_oneway",
    "fisher_exact",
    "fit_distributions",
    "friedman_test",
    "holm",
    "kruskal",
    "mannwhitneyu",
    "mcnemar",
    "nemenyi_posthoc",
    "paired_ttest_5x2cv",
    "pearsonr",
    "permutation_test",
    "power_proportions",
    "power_ttest",
    "proportions_ztest",
    "qq_data",
    "rank_models",
    "scores_5x2cv",
    "shapiro",
    "spearmanr",
    "ttest_1samp",
    "ttest_ind",
    "ttest_rel",
    "wilcoxon",
]
