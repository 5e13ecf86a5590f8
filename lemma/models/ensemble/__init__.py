"""Ensembles of trees: histogram gradient boosting (each file opens with its mathematics)."""

from lemma.models.ensemble.boosting import GradientBoostingClassifier, GradientBoostingRegressor

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]
