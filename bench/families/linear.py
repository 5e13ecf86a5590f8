"""Linear family: least squares, ridge, lasso and logistic regression.

Each pair is fitted with the same hyperparameters on both sides (same ``tol``, same
``max_iter``). Lasso's ``alpha = 0.1`` leaves the ten informative features of
:func:`bench.data.make_regression` active and zeroes the others (their correlation with
the residual is of order ``1/√n``). Targets (issue 2): fit ratio ≤ 1.0, Lasso ≤ 1.2.

Only lemma estimators listed in :data:`lemma.registry.PUBLIC` are benchmarked; the
others are skipped with a note, so the family grows as lemma does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sklearn import linear_model

from bench.harness import Case
from lemma.registry import PUBLIC, resolve

__all__ = ["SPECS", "cases"]


@dataclass(frozen=True)
class Spec:
    """One estimator pair: row label, class names, shared parameters, task, target."""

    label: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    task: str = "regression"
    fit_ratio_target: float = 1.0


_LOGISTIC = {"C": 1.0, "tol": 1e-4, "max_iter": 1000}

SPECS: tuple[Spec, ...] = (
    Spec("LinearRegression", "LinearRegression"),
    Spec("Ridge", "Ridge", {"alpha": 1.0}),
    Spec("Lasso", "Lasso", {"alpha": 0.1, "tol": 1e-4, "max_iter": 1000}, fit_ratio_target=1.2),
    Spec("LogisticRegression (binary)", "LogisticRegression", _LOGISTIC, "binary"),
    Spec("LogisticRegression (multinomial)", "LogisticRegression", _LOGISTIC, "multiclass"),
)


def _lemma_factory(spec: Spec) -> tuple[Any, str | None]:
    """A factory of the lemma estimator, or None and the reason it is skipped."""
    if spec.name not in PUBLIC:
        return None, f"skipped {spec.label}: lemma.{spec.name} does not exist yet"
    cls = resolve(spec.name)
    try:
        cls(**spec.params)
    except TypeError as error:
        return None, f"skipped {spec.label}: lemma.{spec.name}(**{spec.params}) fails: {error}"
    return partial(cls, **spec.params), None


def cases(sizes: list[tuple[int, int]], seed: int = 0) -> tuple[list[Case], list[str]]:
    """The linear cases at each ``(n, d)``, estimator by estimator, and skip notes.

    Parameters
    ----------
    sizes : list of (int, int)
        ``(n, d)`` pairs, run in the order given.
    seed : int, default=0
        Seed of the synthetic data.

    Returns
    -------
    cases : list of Case
    notes : list of str
    """
    found: list[Case] = []
    notes: list[str] = []
    for spec in SPECS:
        make_lemma, note = _lemma_factory(spec)
        if make_lemma is None:
            notes.append(note)
            continue
        make_sklearn = partial(getattr(linear_model, spec.name), **spec.params)
        for n, d in sizes:
            case = Case(spec.label, "linear", n, d, spec.task, make_lemma, make_sklearn,
                        fit_ratio_target=spec.fit_ratio_target, seed=seed)  # fmt: skip
            found.append(case)
    return found, notes
