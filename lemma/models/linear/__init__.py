"""Linear models: least squares, ridge, lasso, elastic net, logistic, Poisson and Huber
regression — each file opens with the objective it minimises."""

from lemma.models.linear.huber import HuberRegressor
from lemma.models.linear.lasso import ElasticNet, Lasso, enet_path, lasso_path
from lemma.models.linear.logistic import LogisticRegression, logistic_path
from lemma.models.linear.ols import LinearRegression
from lemma.models.linear.poisson import PoissonRegressor
from lemma.models.linear.ridge import Ridge

__all__ = [
    "ElasticNet",
    "HuberRegressor",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "PoissonRegressor",
    "Ridge",
    "enet_path",
    "lasso_path",
    "logistic_path",
]
