"""The advisor: which models to try on this data, and why.

A careful practitioner shortlists models from the task, the size of the data and
the kinds of its columns, and can say why each is on the list and why others are
not. The advisor does the same with a table of model families: each family has a
rule that reads the data's facts (:class:`DataFacts`) and either proposes the
family, with the reason, or skips it, with the reason ("kernel SVM skipped:
training is O(n²) in memory and time at n = 45,222"). Proposed families carry a
search space for tuning and a complexity measure for the one-standard-error rule
(among candidates tied with the best, pick the simplest).

Examples
--------
>>> from lemma.study.advisor import DataFacts, advise
>>> facts = DataFacts(task="classification", n_rows=45000, n_numeric=6, n_categorical=8,
...                   n_classes=2)
>>> advice = advise(facts)
>>> advice.candidates[0].name
'logistic_regression'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scipy import stats

from lemma.registry import PUBLIC

__all__ = ["Advice", "Candidate", "DataFacts", "advise"]


@dataclass(frozen=True)
class DataFacts:
    """What the advisor needs to know about the data (from the profile)."""

    task: str  # "classification" | "regression"
    n_rows: int
    n_numeric: int
    n_categorical: int
    n_classes: int = 0
    n_text: int = 0
    missing_share: float = 0.0
    max_cardinality: int = 0
    minority_share: float = 0.5
    target_is_count: bool = False

    @property
    def n_features(self) -> int:
        return self.n_numeric + self.n_categorical


@dataclass(frozen=True)
class Candidate:
    """A model family proposed for tuning.

    Attributes
    ----------
    name, label : str
        Identifier and human-readable name.
    estimator : str
        Registry name of the estimator class.
    params : dict
        Fixed parameters.
    search_space : dict
        Parameter → list or scipy.stats distribution, for the search.
    complexity : callable
        params → number; smaller is simpler (for the one-standard-error rule).
    reason : str
        Why the advisor proposes it.
    cost : float
        Relative share of the tuning budget.
    prep : {"scaled", "ordinal", "native"}
        "scaled": one-hot and standardised inputs (linear models, networks,
        distances); "ordinal": imputed numbers and integer-coded categories (forests);
        "native": raw numbers and categories (boosting handles categories and
        missing values itself).
    parallel_inside : bool
        The model already uses both cores within one fit (the search then runs
        its folds one after another).
    """

    name: str
    label: str
    estimator: str
    params: dict[str, Any]
    search_space: dict[str, Any]
    complexity: Callable[[dict[str, Any]], float]
    reason: str
    cost: float = 1.0
    prep: str = "scaled"
    parallel_inside: bool = False


@dataclass
class Advice:
    """The shortlist and the families left out, each with its reason."""

    task: str
    candidates: list[Candidate]
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph a person can read."""
        chosen = "; ".join(f"{c.label}: {c.reason}" for c in self.candidates)
        left = "; ".join(f"{name} skipped: {why}" for name, why in self.skipped)
        return f"{chosen}." + (f" {left}." if left else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "candidates": [
                {
                    "name": c.name,
                    "label": c.label,
                    "estimator": c.estimator,
                    "reason": c.reason,
                    "params": c.params,
                    "search_space": sorted(c.search_space),
                }
                for c in self.candidates
            ],
            "skipped": [{"name": n, "reason": r} for n, r in self.skipped],
        }


def _size(facts: DataFacts) -> str:
    return f"n = {facts.n_rows:,}, {facts.n_features} features"


# --------------------------------------------------------------------------- rules
# Each rule returns (propose, reason, candidate-or-None). One function per family,
# listed in the order the report presents them: interpretable baselines first.
def _linear(facts: DataFacts):
    if facts.task == "classification":
        kind = "binary" if facts.n_classes == 2 else f"multinomial ({facts.n_classes} classes)"
        return Candidate(
            "logistic_regression",
            "Regularised logistic regression",
            "LogisticRegression",
            {"max_iter": 300},
            {"C": stats.loguniform(1e-3, 1e2)},
            lambda p: p["C"],
            f"the interpretable {kind} baseline, with odds ratios and inference when unpenalised",
            cost=0.6,
        )
    if facts.target_is_count:
        return Candidate(
            "poisson_regression",
            "Poisson regression (log link)",
            "PoissonRegressor",
            {"max_iter": 300},
            {"alpha": stats.loguniform(1e-4, 1e1)},
            lambda p: -p["alpha"],
            "the target is a count: a log-linear model respects its scale",
            cost=0.6,
        )
    return Candidate(
        "ridge",
        "Ridge regression",
        "Ridge",
        {},
        {"alpha": stats.loguniform(1e-3, 1e3)},
        lambda p: -p["alpha"],
        "the interpretable linear baseline (L2-regularised)",
        cost=0.4,
    )


def _boosting(facts: DataFacts):
    estimator = (
        "GradientBoostingClassifier"
        if facts.task == "classification"
        else "GradientBoostingRegressor"
    )
    why = "captures interactions and non-linearity"
    if facts.n_categorical or facts.missing_share:
        why += ", handles categories and missing values natively"
    return Candidate(
        "gradient_boosting",
        "Histogram gradient boosting",
        estimator,
        {"max_iter": 200, "early_stopping": True},
        {
            "learning_rate": stats.loguniform(0.03, 0.3),
            "max_leaf_nodes": [15, 31, 63],
            "min_samples_leaf": [10, 20, 50, 100],
            "l2_regularization": stats.loguniform(1e-3, 10.0),
        },
        lambda p: p["max_leaf_nodes"],
        why,
        cost=1.6,
        prep="native",
        parallel_inside=True,
    )


def _forest(facts: DataFacts):
    if facts.n_rows > 200_000:
        return f"100 full-depth trees at {_size(facts)} cost more than boosting for no gain"
    estimator = (
        "RandomForestClassifier" if facts.task == "classification" else "RandomForestRegressor"
    )
    return Candidate(
        "random_forest",
        "Random forest",
        estimator,
        {"n_estimators": 100, "n_jobs": 2},
        {"min_samples_leaf": [1, 2, 5, 10, 20], "max_features": ["sqrt", 0.5, 1.0]},
        lambda p: -p["min_samples_leaf"],
        "a robust non-linear baseline that needs little tuning",
        cost=1.2,
        prep="ordinal",
        parallel_inside=True,
    )


def _network(facts: DataFacts):
    if facts.n_rows < 2_000:
        return f"at n = {facts.n_rows:,} a neural network is unlikely to beat the linear model"
    estimator = "MLPClassifier" if facts.task == "classification" else "MLPRegressor"
    return Candidate(
        "mlp",
        "Multilayer perceptron",
        estimator,
        {"early_stopping": True, "max_iter": 100},
        {
            "hidden_layer_sizes": [(64,), (128,), (64, 64)],
            "alpha": stats.loguniform(1e-5, 1e-1),
            "learning_rate_init": stats.loguniform(3e-4, 3e-3),
        },
        lambda p: sum(p["hidden_layer_sizes"]),
        "smooth non-linear fits on scaled features",
        cost=1.4,
    )


def _svm(facts: DataFacts):
    if facts.task != "classification":
        return "kernel regression is not offered; boosting covers non-linear regression"
    if facts.n_rows > 10_000:
        return f"kernel SVM training is O(n²) in time and memory at n = {facts.n_rows:,}"
    return Candidate(
        "svm",
        "Kernel SVM (RBF)",
        "SVC",
        {"probability": True},
        {"C": stats.loguniform(1e-2, 1e2), "gamma": stats.loguniform(1e-4, 1e0)},
        lambda p: p["C"],
        f"a strong smooth classifier at n = {facts.n_rows:,}",
        cost=1.0,
    )


def _neighbours(facts: DataFacts):
    if facts.n_rows > 50_000:
        return f"prediction costs a search over all {facts.n_rows:,} training rows"
    if facts.n_features > 30:
        return f"distances lose meaning in {facts.n_features} dimensions"
    estimator = "KNeighborsClassifier" if facts.task == "classification" else "KNeighborsRegressor"
    return Candidate(
        "knn",
        "k nearest neighbours",
        estimator,
        {},
        {"n_neighbors": [5, 10, 20, 40], "weights": ["uniform", "distance"]},
        lambda p: -p["n_neighbors"],
        "a local, assumption-free baseline in few dimensions",
        cost=0.6,
    )


_RULES = (
    ("linear model", _linear),
    ("gradient boosting", _boosting),
    ("random forest", _forest),
    ("neural network", _network),
    ("kernel SVM", _svm),
    ("nearest neighbours", _neighbours),
)


def advise(facts: DataFacts, *, max_candidates: int = 4) -> Advice:
    """Shortlist model families for the data, each with a reason; skip the rest with one.

    Parameters
    ----------
    facts : DataFacts
    max_candidates : int, default=4
        Keep at most this many (in the table's order), so the time budget is not
        spread too thin.

    Returns
    -------
    Advice
    """
    candidates: list[Candidate] = []
    skipped: list[tuple[str, str]] = []
    for label, rule in _RULES:
        outcome = rule(facts)
        if isinstance(outcome, str):
            skipped.append((label, outcome))
        elif outcome.estimator not in PUBLIC:
            skipped.append((label, f"{outcome.estimator} is not available in this lemma build"))
        elif len(candidates) >= max_candidates:
            skipped.append(
                (label, f"the shortlist is capped at {max_candidates} to fit the time budget")
            )
        else:
            candidates.append(outcome)
    return Advice(facts.task, candidates, skipped)
