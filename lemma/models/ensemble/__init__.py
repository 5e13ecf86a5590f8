"""Ensembles of trees: histogram gradient boosting (each file opens with its mathematics)."""

from lemma.models.ensemble.boosting import GradientBoostingClassifier, GradientBoostingRegressor
from lemma.models.ensemble.forest import RandomForestClassifier, RandomForestRegressor

__all__ = [
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
]
