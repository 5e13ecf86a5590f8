"""Study stages on models: prepare, advise, tune, compare, refit.

Tuning shares the time budget among the advisor's candidates by their cost weight.
For each candidate a probe (one cross-validation of one configuration) measures
what a configuration costs; the number of configurations the randomised search
tries is its budget share divided by that cost. Every candidate is cross-validated
on the same folds, so their fold scores are paired and the comparison can use the
Nadeau-Bengio corrected resampled t-test, with Holm's adjustment over candidates.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from lemma.study import plots
from lemma.study.advisor import Candidate, DataFacts, advise
from lemma.study.result import CandidateResult, Study

__all__ = ["stage_advise", "stage_compare", "stage_prepare", "stage_refit", "stage_tune"]

#: A candidate never gets fewer than this many configurations, nor more than the cap.
MIN_CONFIGS, MAX_CONFIGS = 1, 25
#: Rows of the untimed warm-up fit, and the fewest rows of the timed fit that prices a
#: configuration.
PROBE_WARMUP_ROWS, PROBE_MIN_ROWS = 200, 4000
#: A configuration's cross-validation must take longer than this to run folds in parallel.
PARALLEL_ABOVE_SECONDS = 3.0


# ---------------------------------------------------------------------------- prepare
def stage_prepare(study: Study) -> str:
    """Plan the preparation from the training data's profile (fitted later inside folds)."""
    from lemma.prep import auto_prepare

    target = study.config.target
    train = pd.concat([study.X_train, study.y_train], axis=1)
    plan = auto_prepare(train, target, random_state=study.config.seed)
    study.preparation = [
        {
            "column": d.column,
            "kind": d.kind,
            "action": d.action,
            "reason": d.reason,
            "group": d.group,
        }
        for d in plan.decisions
    ]
    study.prep_scaled = plan.transformer
    study.kept_columns = [
        d.column for d in plan.decisions if d.group is not None and d.column != target
    ]
    dropped = [d for d in plan.decisions if d.group is None and d.column != target]
    return (
        f"{len(study.kept_columns)} columns prepared, {len(dropped)} dropped; fitted "
        "inside every cross-validation fold"
    )


def _preparation(study: Study, kind: str) -> Any:
    """The preparation step for a candidate's needs (a fresh, unfitted copy)."""
    from lemma.base import clone
    from lemma.pipeline import make_column_selector, make_column_transformer, make_pipeline
    from lemma.prep import OrdinalEncoder, SimpleImputer

    if kind == "scaled":
        return clone(study.prep_scaled)
    kept = list(study.kept_columns)
    if kind == "native":
        return make_column_transformer(("passthrough", kept), verbose_feature_names_out=False)
    numeric = make_column_selector(kind="numeric")
    return make_column_transformer(
        (SimpleImputer(strategy="median"), numeric),
        (
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
            ),
            make_column_selector(kind="categorical"),
        ),
        verbose_feature_names_out=False,
    )


def _pipeline(study: Study, candidate: Candidate, params: dict | None = None) -> Any:
    from lemma.pipeline import Pipeline
    from lemma.registry import resolve

    estimator = resolve(candidate.estimator)(**candidate.params)
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=study.config.seed)
    pipe = Pipeline([("prepare", _preparation(study, candidate.prep)), ("model", estimator)])
    if params:
        pipe.set_params(**params)
    return pipe


# ---------------------------------------------------------------------------- advise
#: A regression target is treated as a count when its values are non-negative whole
#: numbers with a median at most this (event counts; prices and sizes are not counts).
COUNT_MAX_MEDIAN = 100


def _is_count(y: pd.Series) -> bool:
    values = pd.to_numeric(y, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(
        values.size
        and (values >= 0).all()
        and np.all(values == np.round(values))
        and np.median(values) <= COUNT_MAX_MEDIAN
    )


def _facts(study: Study) -> DataFacts:
    kinds = study.profile.columns["kind"]
    kept = study.kept_columns
    kinds = kinds[kinds.index.isin(kept)]
    y = study.y_train
    n_classes = int(y.nunique()) if study.task == "classification" else 0
    minority = float(y.value_counts(normalize=True).min()) if n_classes else 0.5
    count_target = _is_count(y) if study.task == "regression" else False
    cols = study.profile.columns.loc[kinds.index]
    categorical = kinds.isin(["categorical", "boolean"])
    return DataFacts(
        task=study.task,
        n_rows=len(y),
        n_numeric=int((kinds == "numeric").sum()),
        n_categorical=int(categorical.sum()),
        n_classes=n_classes,
        missing_share=float(cols["missing_share"].max()) if len(cols) else 0.0,
        max_cardinality=int(cols.loc[categorical, "n_distinct"].max()) if categorical.any() else 0,
        minority_share=minority,
        target_is_count=count_target,
    )


def stage_advise(study: Study) -> str:
    """Shortlist model families for this task and data, each with its reason."""
    study.advice = advise(_facts(study))
    names = ", ".join(c.label for c in study.advice.candidates)
    return f"{len(study.advice.candidates)} candidates: {names}"


# ---------------------------------------------------------------------------- tune
def _search(study: Study, candidate: Candidate, n_iter: int, n_jobs: int) -> Any:
    from lemma.selection.search import RandomizedSearchCV

    space = {f"model__{k}": v for k, v in candidate.search_space.items()}

    def complexity(params: dict) -> float:
        return candidate.complexity({k.removeprefix("model__"): v for k, v in params.items()})

    return RandomizedSearchCV(
        _pipeline(study, candidate),
        space,
        n_iter=n_iter,
        scoring=study.metric,
        cv=study.splitter,
        n_jobs=n_jobs,
        refit=False,
        random_state=study.config.seed,
        select="best",
        complexity=complexity,
        error_score=np.nan,
    )


def _price(study: Study, candidate: Candidate) -> float:
    """Seconds one configuration's cross-validation should take, from one timed fit.

    A fit on a few rows first warms up compiled kernels (Numba) and is not timed.
    The timed fit uses a quarter of a fold's training rows (at least
    ``PROBE_MIN_ROWS``) and is scaled linearly to a fold, times the number of folds.
    Fits on much smaller samples mislead in both directions: fixed work per boosting
    iteration dominates at a thousand rows, and networks with early stopping need
    fewer epochs as n grows.
    """
    n = len(study.y_train)
    k = study.config.cv_folds
    n_fold = int(n * (k - 1) / k)
    rng = np.random.default_rng(study.config.seed)

    def timed_fit(m: int) -> float:
        rows = rng.choice(n, size=min(m, n), replace=False)
        start = time.perf_counter()
        _pipeline(study, candidate).fit(study.X_train.iloc[rows], study.y_train.iloc[rows])
        return time.perf_counter() - start

    timed_fit(PROBE_WARMUP_ROWS)
    m = min(n_fold, max(PROBE_MIN_ROWS, n_fold // 4))
    return max(k * timed_fit(m) * n_fold / m, 1e-3)


def _tune_one(study: Study, candidate: Candidate, budget: float, *, first: bool):
    """Tune one candidate within ``budget`` seconds; a str (the reason) if it cannot fit."""
    start = time.perf_counter()
    cost = _price(study, candidate)
    # Worker processes cost a second or two to start: only worth it for slow fits, and
    # tree ensembles already use both cores inside each fit.
    n_jobs = study.config.n_jobs if cost > PARALLEL_ABOVE_SECONDS else 1
    if candidate.parallel_inside:
        n_jobs = 1
    affordable = int((budget - (time.perf_counter() - start)) // (cost / n_jobs))
    if affordable < MIN_CONFIGS and not first:
        return (
            f"one configuration's cross-validation would take about {cost:.0f} s, more "
            f"than the {budget:.0f} s left for it in the time budget"
        )
    n_iter = int(np.clip(affordable, MIN_CONFIGS, MAX_CONFIGS))
    search = _search(study, candidate, n_iter, n_jobs).fit(study.X_train, study.y_train)
    res = search.cv_results_
    best = int(search.best_index_)
    folds = np.array([res[f"split{k}_test_score"][best] for k in range(search.n_splits_)])
    table = pd.DataFrame(
        {
            "params": [{k.removeprefix("model__"): v for k, v in p.items()} for p in res["params"]],
            "mean": res["mean_test_score"],
            "ci_low": res["ci_low_test_score"],
            "ci_high": res["ci_high_test_score"],
            "rank": res["rank_test_score"],
        }
    ).sort_values("rank")
    return CandidateResult(
        name=candidate.name,
        label=candidate.label,
        estimator=candidate.estimator,
        reason=candidate.reason,
        best_params={k.removeprefix("model__"): v for k, v in search.best_params_.items()},
        fold_scores=folds,
        mean=float(res["mean_test_score"][best]),
        ci_low=float(res["ci_low_test_score"][best]),
        ci_high=float(res["ci_high_test_score"][best]),
        n_evaluated=len(res["params"]),
        seconds=time.perf_counter() - start,
        search_table=table,
    )


def stage_tune(study: Study) -> str:
    """Tune each candidate within its share of the time budget, on shared folds.

    Shares follow the candidates' cost weights and are recomputed from the time
    actually left after each candidate, so an expensive first candidate cannot push
    the study past its budget. The first (interpretable) candidate always gets at
    least one configuration; a later one that cannot afford one is skipped, with the
    reason added to the advice.
    """
    candidates = study.advice.candidates
    study.candidate_specs = {c.name: c for c in candidates}
    deadline = time.perf_counter() + study.config.time_budget
    results = []
    for i, candidate in enumerate(candidates):
        weights = np.array([c.cost for c in candidates[i:]], dtype=float)
        left = max(deadline - time.perf_counter(), 0.0)
        share = left * weights[0] / weights.sum()
        try:
            outcome = _tune_one(study, candidate, share, first=not results)
        except KeyboardInterrupt:
            study.interrupted = True
            break
        if isinstance(outcome, str):
            study.advice.skipped.append((candidate.label, outcome))
        else:
            results.append(outcome)
    if not results:
        raise KeyboardInterrupt
    study.candidates = results
    total = sum(r.n_evaluated for r in results)
    return f"{total} configurations evaluated across {len(results)} candidates"


# ---------------------------------------------------------------------------- compare
def stage_compare(study: Study) -> str:
    """Corrected resampled t-tests of each candidate against the best, Holm-adjusted."""
    from lemma.stats import corrected_resampled_ttest, holm

    results = study.candidates
    best = max(results, key=lambda r: r.mean if np.isfinite(r.mean) else -np.inf)
    n = study.split["n_train"]
    k = study.config.cv_folds
    n_test = n // k
    others = [r for r in results if r is not best]
    p_values = []
    for r in others:
        test = corrected_resampled_ttest(
            best.fold_scores, r.fold_scores, n_train=n - n_test, n_test=n_test
        )
        r.p_value = float(test.p_value)
        p_values.append(r.p_value)
    if others:
        adjusted = holm(np.nan_to_num(np.array(p_values), nan=1.0)).p_adjusted
        for r, p in zip(others, adjusted, strict=True):
            r.p_value_holm = float(p)
            r.tied_with_best = bool(p >= 0.05)
    best.tied_with_best = True
    # Among candidates tied with the best, prefer the simplest: the advisor lists
    # interpretable families first.
    order = [c.name for c in study.advice.candidates]
    tied = sorted((r for r in results if r.tied_with_best), key=lambda r: order.index(r.name))
    chosen = tied[0]
    if chosen is best:
        reason = f"{best.label} has the best cross-validated {study.metric} ({best.mean:.4f})" + (
            "" if len(tied) == 1 else f"; {len(tied) - 1} others are statistically tied"
        )
    else:
        reason = (
            f"{chosen.label} is statistically tied with the best ({best.label}: "
            f"{best.mean:.4f} vs {chosen.mean:.4f}, Holm-adjusted p = "
            f"{chosen.p_value_holm:.3f}) and simpler to interpret, so it is chosen"
        )
    study.chosen = chosen
    ordered = sorted(results, key=lambda r: r.mean, reverse=True)
    study.figures["scores"] = plots.scores_with_intervals(
        [r.label for r in ordered],
        [r.mean for r in ordered],
        [r.ci_low for r in ordered],
        [r.ci_high for r in ordered],
        tied=[r.tied_with_best for r in ordered],
        metric=study.metric,
        chosen=chosen.label,
    )
    study.comparison = {
        "best": best.name,
        "chosen": chosen.name,
        "reason": reason,
        "test": "Nadeau-Bengio corrected resampled t-test, Holm-adjusted",
        "alpha": 0.05,
    }
    return reason


# ---------------------------------------------------------------------------- refit
def stage_refit(study: Study) -> str:
    """Refit the chosen candidate's pipeline on the whole training set."""
    spec = study.candidate_specs[study.chosen.name]
    params = {f"model__{k}": v for k, v in study.chosen.best_params.items()}
    start = time.perf_counter()
    study.model = _pipeline(study, spec, params).fit(study.X_train, study.y_train)
    return (
        f"{study.chosen.label} refitted on {study.split['n_train']:,} rows in "
        f"{time.perf_counter() - start:.1f} s"
    )
