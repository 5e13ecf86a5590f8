"""Naive Bayes classifiers: Gaussian, multinomial, Bernoulli and categorical features,
with smoothing, priors and posteriors computed in log space — each file opens with its
mathematics."""

from lemma.models.naive_bayes.discrete import BernoulliNB, CategoricalNB, MultinomialNB
from lemma.models.naive_bayes.gaussian import GaussianNB

__all__ = ["BernoulliNB", "CategoricalNB", "GaussianNB", "MultinomialNB"]
