"""Linear models: least squares, ridge, lasso, elastic net, logistic, Poisson and Huber
regression — each file opens with the objective it minimises."""

from lemma.models.linear.ols import LinearRegression

__all__ = ["LinearRegression"]
