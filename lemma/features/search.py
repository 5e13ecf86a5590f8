"""FeatureSearch: forward (or stepwise) selection of feature groups with a stopping rule.

The "try some combinations" loop of feature engineering, written down. The candidates
are groups of columns G₁ … G_m built from the input (:mod:`lemma.features._candidates`):
the existing columns (a categorical column's indicators form one group), logs of
positive skewed columns, squares, pairwise products (interactions) and quantile bins —
or any list written as ``["x1", "log(x3)", "x1*x2", "x2^2", "bins(x4)"]``. Starting
from the empty set S₀ = ∅ (a model predicting the mean, or the class shares), step t
adds the group that helps most, and the search stops when the best help is not
significant:

    criterion="cv"   score(S) = the mean over K fixed folds of the held-out score of
                     the estimator fitted on S (the groups are built inside each
                     training fold: no leakage of bin edges or categories).
                     For each candidate G, the paired fold differences dₖ =
                     scoreₖ(S ∪ G) − scoreₖ(S) give the Nadeau–Bengio corrected
                     t-statistic t = d̄ / √((1/K + n_test/n_train) s_d²) on K − 1
                     degrees of freedom, and a one-sided p-value for "G improves S".
                     The p-values of the m candidates of the step are Holm-adjusted;
                     among the candidates still significant at level α the one with
                     the best mean score is added, and if there is none, the search
                     stops.
    criterion="aic"  score(S) = AIC = −2ℓ(S) + 2k(S) (or BIC = −2ℓ + k log n) of the
    criterion="bic"  estimator fitted on all rows (a linear or GLM model with a
                     ``result_``); the candidate lowering it most is added, and the
                     search stops when none lowers it.

``direction="stepwise"`` checks, after every addition, the groups already in S: the
one with the weakest evidence of helping (the largest one-sided p-value of
"S beats S ∖ G", or the smallest criterion gain) is removed if that evidence falls short
(p ≥ α, or removing it does not raise the criterion). A removed group is not offered
again, so the search cannot cycle; ``max_steps`` bounds the additions and removals.

Why Holm. Adding the best of m candidates and testing only it at level α is testing
the maximum of m statistics as if it were one: under "no candidate helps" the chance
of adding noise grows towards 1 − (1 − α)^m. Holm's step-down adjustment bounds the
family-wise error of the step by α whatever the dependence between candidates, and
is uniformly more powerful than Bonferroni; the price is power (with 5 folds and
m = 30, a group needs t ≳ 6), which real effects of the size worth a feature reach.
``multiple_testing=None`` tests each candidate at α alone (more power, more noise).

Why 10 folds by default. The corrected t-test on K folds has K − 1 degrees of freedom
and a variance inflated by 1/K + n_test/n_train, so with 5 folds (4 df, factor 0.45)
and a Holm threshold near α/m a real group needs a very steady gain. Measured on
y = x₁x₂ + log x₃ + ε (x₁, x₂, x₄ normal, x₃ log-normal, x₅ uniform, ε ~ N(0, 1),
n = 400, 26 automatic candidates, 30 seeds): 5 folds with Holm found both terms in 16
runs (in 2 others it took bins(x₃) in place of log x₃); 10 folds with Holm in 27, never
adding another group; 5 folds without Holm in all 30, but added a further group in 4.

Removals use the plain p-value: keeping a group needs evidence at level α, entering
needs it after adjustment — harder to enter than to stay, as in classical stepwise
regression (α_enter ≤ α_remove).

Why the criterion rule for AIC/BIC. For nested linear and GLM models the
likelihood-ratio test is the natural test of one addition; AIC's rule "add if AIC
falls" is itself that test at the level P(χ²_df > 2·df) (0.157 for one column), and
BIC's at a level that falls with n, which makes BIC consistent. The criterion is
therefore the stopping rule, and the likelihood-ratio p-value of each step is
recorded in ``history_`` for reading (with AIC, expect some noise groups among many
candidates; BIC or cv keep them out).

References: C. Nadeau and Y. Bengio, "Inference for the generalization error",
Machine Learning 52 (2003); S. Holm, "A simple sequentially rejective multiple test
procedure", Scand. J. Statist. 6 (1979); H. Akaike (1974) and G. Schwarz (1978) for
the criteria.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lemma._constraints import RANDOM_STATE, Interval, Options
from lemma.base import BaseEstimator, Tags, TransformerMixin, _input_names, clone
from lemma.exceptions import DataValidationError, LemmaWarning
from lemma.features._candidates import (
    FeatureBuilder,
    FeatureSpec,
    auto_candidates,
    check_domain,
    column_kinds,
    parse_candidate,
    refuse_missing,
)
from lemma.features._evaluators import EVALUATORS, Comparison
from lemma.prep._table import read_columns
from lemma.validation import check_is_fitted, check_y

__all__ = ["FeatureSearch", "SearchSummary"]

_COLUMNS = ["step", "action", "group", "n_candidates", "score_before", "score_after",
            "improvement", "ci_low", "ci_high", "p_value", "p_adjusted", "decision"]  # fmt: skip


# ----------------------------------------------------------------------------- summary
@dataclass
class SearchSummary:
    """The steps of a feature search and one plain sentence saying what it found.

    Attributes
    ----------
    table : DataFrame
        One row per step (``FeatureSearch.history_``).
    conclusion : str

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from lemma.features import FeatureSearch
    >>> from lemma.models.linear import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    >>> y = 2 * X["a"] + rng.normal(size=100)
    >>> search = FeatureSearch(LinearRegression(), candidates=["a", "b"], criterion="bic")
    >>> summary = search.fit(X, y).summary()
    >>> print(summary.conclusion)
    Forward search by BIC kept 1 of 2 candidate groups (a), lowering the score from ... to ...;
    it stopped because the best remaining candidate, b, does not lower BIC.
    >>> summary.to_frame()[["action", "group"]].values.tolist()
    [['add', 'a'], ['stop', 'b']]
    """

    table: pd.DataFrame
    conclusion: str

    def to_frame(self) -> pd.DataFrame:
        """The table of steps (a copy)."""
        return self.table.copy()

    def __str__(self) -> str:
        shown = self.table.drop(columns=["decision"]).round(4).to_string(index=False)
        return f"{self.conclusion}\n\n{shown}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        return f"<p>{html.escape(self.conclusion)}</p>{self.table.to_html(index=False, border=0)}"


# ----------------------------------------------------------------------------- search
def _as_array(columns: list[np.ndarray], n: int) -> np.ndarray:
    """The table as one array the folds can slice cheaply (object dtype if any text)."""
    if all(c.dtype.kind in "biuf" for c in columns):
        return np.column_stack([c.astype(np.float64) for c in columns])
    table = np.empty((n, len(columns)), dtype=object)
    for j, c in enumerate(columns):
        table[:, j] = c
    return table


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _row(step, action, group, n, before, after, c: Comparison, p_adjusted, decision) -> list:
    """One row of ``history_`` (columns ``_COLUMNS``)."""
    return [step, action, group, n, float(before), float(after), c.improvement, c.ci_low,
            c.ci_high, c.p_value, float(p_adjusted), decision]  # fmt: skip


class FeatureSearch(TransformerMixin, BaseEstimator):
    """Forward or stepwise search over candidate feature groups, with a stopping rule.

    Parameters
    ----------
    estimator : estimator
        The model the features are chosen for (lemma's or scikit-learn's).
    candidates : "auto" or list of str, default="auto"
        "auto" builds them from the columns (module docstring); a list names them:
        a column, ``"log(x)"``, ``"log1p(x)"``, ``"x^2"``, ``"a*b"``, ``"bins(x)"``.
    criterion : {"cv", "aic", "bic"}, default="cv"
        Cross-validated score with a significance test, or an information criterion.
    scoring : str, callable or None, default=None
        The cross-validated metric (None: the estimator's ``score``); criterion="cv" only.
    cv : int, splitter or iterable, default=10
        Folds; an int gives shuffled (stratified for classifiers) folds seeded by
        ``random_state``. Every candidate is scored on the same folds. 10 rather than
        5: the test then has 9 degrees of freedom instead of 4 (module docstring).
        criterion="cv" only.
    direction : {"forward", "stepwise"}, default="forward"
        Stepwise also tries to remove a group after each addition.
    alpha : float in (0, 1), default=0.05
        Level of the test that admits (and keeps) a group; criterion="cv" only (AIC and
        BIC stop when the criterion no longer falls).
    max_steps : int, default=20
        Most additions and removals.
    min_features : int, default=0
        Keep adding the best candidate, significant or not, until this many groups
        are in (the history says so); stepwise removal never goes below it.
    multiple_testing : "holm" or None, default="holm"
        Holm adjustment across the candidates of a step (``criterion="cv"``).
    random_state : int, RandomState or None
        Seeds the folds.
    n_jobs : int or None
        Parallel fits (:func:`lemma.selection.run_parallel`).

    Attributes
    ----------
    selected_ : list of str
        Names of the kept groups, in the order they entered.
    candidates_ : list of str
        Names of every candidate considered.
    groups_ : list of dict
        The selected groups as plain values (kind, input columns and labels, and the
        state learnt on all rows: categories, bin edges, log floors), from which
        ``transform`` builds the columns; plain so that :func:`lemma.save` can store it.
    history_ : DataFrame
        One row per step: ``step, action ("add"/"remove"/"stop"), group,
        n_candidates, score_before, score_after, improvement, ci_low, ci_high,
        p_value, p_adjusted, decision``.
    score_ : float
        Score of the selected set (mean cv score, or the criterion).
    score_name_ : str
        What ``score_`` is (``"10-fold cross-validated score"``, ``"BIC"``).
    stop_reason_ : str
    estimator_ : estimator or None
        ``estimator`` refitted on the selected features of all rows.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from lemma.features import FeatureSearch
    >>> from lemma.models.linear import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    >>> y = X["a"] * X["b"] + 0.3 * rng.normal(size=300)
    >>> search = FeatureSearch(LinearRegression(), random_state=0).fit(X, y)
    >>> search.selected_
    ['a*b']
    >>> search.transform(X).columns.tolist()
    ['a*b']
    """

    _parameter_constraints = {
        "candidates": [Options({"auto"}), list],
        "criterion": [Options(set(EVALUATORS))],
        "direction": [Options({"forward", "stepwise"})],
        "alpha": [Interval(float, 0, 1, closed="neither")],
        "max_steps": [Interval(int, 1, None, closed="left")],
        "min_features": [Interval(int, 0, None, closed="left")],
        "multiple_testing": [Options({"holm"}), None],
        "random_state": [RANDOM_STATE],
        "n_jobs": [int, None],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        candidates: str | list[str] = "auto",
        criterion: str = "cv",
        scoring: Any = None,
        cv: Any = 10,
        direction: str = "forward",
        alpha: float = 0.05,
        max_steps: int = 20,
        min_features: int = 0,
        multiple_testing: str | None = "holm",
        random_state: Any = None,
        n_jobs: int | None = None,
    ):
        self.estimator = estimator
        self.candidates = candidates
        self.criterion = criterion
        self.scoring = scoring
        self.cv = cv
        self.direction = direction
        self.alpha = alpha
        self.max_steps = max_steps
        self.min_features = min_features
        self.multiple_testing = multiple_testing
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __lemma_tags__(self) -> Tags:
        tags = super().__lemma_tags__()
        tags.requires_y = True
        tags.string_input = True  # categorical text columns are candidates too
        return tags

    def fit(self, X: Any, y: Any) -> FeatureSearch:
        """Search the candidates, step by step, until the gain is not significant.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric and categorical columns (no missing numbers).
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        self._validate_params()
        columns, n = read_columns(self, X, reset=True, ensure_min_samples=2)
        target = check_y(y, estimator_name="FeatureSearch", n_samples=n)
        specs = self._candidates(columns)
        self.candidates_ = [spec.name for spec in specs]
        evaluator = EVALUATORS[self.criterion](self, _as_array(columns, n), target, specs)
        self.score_name_ = evaluator.describe()
        selected = self._search(evaluator, specs)
        self.selected_ = [spec.name for spec in selected]
        builder = FeatureBuilder(tuple(selected)).fit_columns(columns)
        self.groups_ = builder.fitted_groups()
        self.estimator_ = None
        if selected:
            self.estimator_ = clone(self.estimator).fit(builder.build(columns, n), target)
        else:
            warnings.warn(
                "FeatureSearch kept no candidate: none improved on the model without features "
                f"({self.stop_reason_}); transform returns no columns.",
                LemmaWarning,
                stacklevel=2,
            )
        return self

    def _candidates(self, columns: list[np.ndarray]) -> list[FeatureSpec]:
        labels = [str(name) for name in _input_names(self)]
        kinds = column_kinds(columns, labels)
        if self.candidates == "auto":
            specs = auto_candidates(columns, labels)
        else:
            specs = [parse_candidate(str(text), labels, kinds) for text in self.candidates]
        unique = list({spec.name: spec for spec in specs}.values())
        if not unique:
            raise DataValidationError(
                "FeatureSearch found no usable candidate: X has no numeric or categorical "
                "column (dates, prose and identifiers are skipped); encode them first."
            )
        for spec in unique:
            check_domain(spec, columns)
        return unique

    # ------------------------------------------------------------------ the loop
    def _search(self, evaluator: Any, specs: list[FeatureSpec]) -> list[FeatureSpec]:
        rows: list[list] = []
        current: list[FeatureSpec] = []
        removed: set[str] = set()
        self.stop_reason_ = "max_steps reached"
        step = 0
        while step < self.max_steps:
            options = [c for c in specs if c not in current and c.name not in removed]
            if not options:
                self.stop_reason_ = "no candidate left"
                break
            step += 1
            added = self._forward(evaluator, rows, step, current, options)
            if added is None:
                break
            current.append(added)
            stepwise = self.direction == "stepwise" and len(current) > max(1, self.min_features)
            if stepwise and step < self.max_steps:
                gone = self._backward(evaluator, rows, step + 1, current, added)
                if gone is not None:
                    step += 1
                    current.remove(gone)
                    removed.add(gone.name)
        self.score_ = evaluator.value(evaluator.records([tuple(current)])[0])
        self.history_ = pd.DataFrame(rows, columns=_COLUMNS)
        return current

    def _forward(self, ev: Any, rows: list, step: int, current: list, options: list) -> Any:
        """Step ``step``: add the best admissible option, or record why the search stops."""
        records = ev.records([(*current, option) for option in options])
        base = ev.records([tuple(current)])[0]
        comparisons = [ev.compare(r, base) for r in records]
        admitted, adjusted = ev.admissible(comparisons)
        values = np.array([ev.value(r) for r in records])
        order = np.argsort(values if ev.lower_is_better else -values, kind="stable")
        best = next((i for i in order if admitted[i]), None)
        shown = order[0] if best is None else best
        if best is not None:
            decision = "added"
        elif len(current) < self.min_features:
            best, decision = shown, f"added: min_features={self.min_features} (not significant)"
        else:
            if self.criterion == "cv":
                label = "Holm-adjusted p" if self.multiple_testing == "holm" else "p"
                why = f"is not significant ({label} = {_fmt(adjusted[shown])} ≥ {self.alpha})"
            else:
                why = f"does not lower {ev.describe()}"
            self.stop_reason_ = f"the best remaining candidate, {options[shown].name}, {why}"
            decision = f"stop: {self.stop_reason_}"
        action = "add" if best is not None else "stop"
        rows.append(_row(step, action, options[shown].name, len(options), ev.value(base),
                         values[shown], comparisons[shown], adjusted[shown], decision))  # fmt: skip
        return None if best is None else options[best]

    def _backward(self, ev: Any, rows: list, step: int, current: list, added: Any) -> Any:
        """Remove the group (other than the one just added) that helps least, if it fails."""
        others = [g for g in current if g is not added]
        reduced = [tuple(g2 for g2 in current if g2 is not g) for g in others]
        full = ev.records([tuple(current)])[0]
        comparisons = [ev.compare(full, r) for r in ev.records(reduced)]
        weakest = int(np.argmax([ev.weakness(c) for c in comparisons]))
        c = comparisons[weakest]
        if ev.keeps(c):
            return None
        after = ev.value(ev.records([reduced[weakest]])[0])
        rows.append(_row(step, "remove", others[weakest].name, len(others), ev.value(full),
                         after, c, math.nan, "removed: no longer helps"))  # fmt: skip
        return others[weakest]

    # ------------------------------------------------------------------ output
    def transform(self, X: Any) -> Any:
        """The selected groups' columns, built with the state learnt at fit.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray or DataFrame of shape (n_samples, n_selected_columns)
        """
        check_is_fitted(self)
        columns, n = read_columns(self, X, reset=False)
        refuse_missing(columns, [str(name) for name in _input_names(self)])
        return self._wrap_output(FeatureBuilder.from_groups(self.groups_).build(columns, n), X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns (``x1*x2``, ``log(x3)``, ``city_Rome``, ...)."""
        check_is_fitted(self)
        return FeatureBuilder.from_groups(self.groups_).get_feature_names_out()

    def summary(self) -> SearchSummary:
        """The steps as a table and one sentence saying what was kept and why it stopped."""
        check_is_fitted(self)
        kind = "Stepwise" if self.direction == "stepwise" else "Forward"
        start = self.history_["score_before"].iloc[0] if len(self.history_) else self.score_
        kept = ", ".join(self.selected_) if self.selected_ else "none"
        verb = "moving" if self.criterion == "cv" else "lowering"
        sentence = (
            f"{kind} search by {self.score_name_} kept {len(self.selected_)} of "
            f"{len(self.candidates_)} candidate groups ({kept}), {verb} the score from "
            f"{_fmt(start)} to {_fmt(self.score_)}; it stopped because {self.stop_reason_}."
        )
        return SearchSummary(self.history_.copy(), sentence)
