"""Study stages that judge the chosen model: test metrics, diagnostics, explanations.

The test set is touched here for the first time. Every test metric comes with a
bootstrap interval (rows resampled with replacement, the model fixed): it answers
"how much could this number move with another test set of the same size?", not
"how much would it move with another training set".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from lemma.study import plots
from lemma.study.result import Study

__all__ = ["stage_diagnose", "stage_evaluate", "stage_explain", "test_metric_table"]

#: Bootstrap resamples for the headline metric and for the other test metrics.
N_BOOT, N_BOOT_SECONDARY = 1000, 500


# ---------------------------------------------------------------------------- metrics
def _classification_metrics(classes: list, pos: Any) -> dict[str, tuple[str, Callable]]:
    from lemma import metrics

    binary = len(classes) == 2
    pos = pos if binary else None
    pos_index = classes.index(pos) if binary else None
    table: dict[str, tuple[str, Callable]] = {
        "accuracy": ("label", metrics.accuracy_score),
        "balanced_accuracy": ("label", metrics.balanced_accuracy_score),
        "log_loss": ("proba", lambda y, p: metrics.log_loss(y, p, labels=classes)),
    }
    if binary:
        table["roc_auc"] = ("proba", lambda y, p: metrics.roc_auc_score(y == pos, p[:, pos_index]))
        table["average_precision"] = (
            "proba",
            lambda y, p: metrics.average_precision_score(y == pos, p[:, pos_index]),
        )
        table["f1"] = ("label", lambda y, p: metrics.f1_score(y, p, pos_label=pos))
        table["brier_score"] = (
            "proba",
            lambda y, p: metrics.brier_score_loss(y == pos, p[:, pos_index]),
        )
    else:
        table["f1_macro"] = ("label", lambda y, p: metrics.f1_score(y, p, average="macro"))
    return table


def _regression_metrics(study: Study) -> dict[str, tuple[str, Callable]]:
    from lemma import metrics

    table = {
        "r2": ("label", metrics.r2_score),
        "root_mean_squared_error": ("label", metrics.root_mean_squared_error),
        "mean_absolute_error": ("label", metrics.mean_absolute_error),
        "explained_variance": ("label", metrics.explained_variance_score),
    }
    if bool((np.asarray(study.y_test) > 0).all()):
        table["mean_absolute_percentage_error"] = ("label", metrics.mean_absolute_percentage_error)
    return table


def test_metric_table(study: Study) -> dict[str, tuple[str, Callable]]:
    """Name → (which output it needs, metric function) for the study's task."""
    if study.task == "classification":
        return _classification_metrics(list(study.model.classes_), study.positive_class)
    return _regression_metrics(study)


def _as_codes(study: Study, y: np.ndarray, outputs: dict[str, np.ndarray]):
    """Labels as class indices for the bootstrap, and the metric table for them.

    Metrics on integer codes skip the string sorting that label checks do on every
    call (the 4,000 resampled metric calls of a test set of 10k rows take seconds,
    not a minute); the values are the same. Kept as labels when the test set holds a
    class the model never saw.
    """
    classes = list(study.model.classes_)
    index = {c: i for i, c in enumerate(classes)}
    if any(v not in index for v in pd.unique(y)):
        return y, outputs, test_metric_table(study)
    to_codes = np.vectorize(index.__getitem__, otypes=[np.intp])
    coded = dict(outputs, label=to_codes(outputs["label"]))
    table = _classification_metrics(list(range(len(classes))), index.get(study.positive_class))
    return to_codes(y), coded, table


def metric_key(scoring: str) -> str:
    """The test-metric key of a scoring name ("neg_log_loss" → "log_loss")."""
    return scoring.removeprefix("neg_")


def stage_evaluate(study: Study) -> str:
    """Score the refitted model on the held-out test set, with bootstrap intervals."""
    from lemma.stats import bootstrap_ci

    y = np.asarray(study.y_test)
    outputs = {"label": np.asarray(study.model.predict(study.X_test))}
    if study.task == "classification":
        outputs["proba"] = np.asarray(study.model.predict_proba(study.X_test))
    study.predictions = outputs
    table = test_metric_table(study)
    if study.task == "classification":
        y, outputs, table = _as_codes(study, y, outputs)
    rows = np.arange(len(y))
    results = {}
    for name, (needs, metric) in table.items():
        pred = outputs[needs]

        def statistic(idx, metric=metric, pred=pred):
            return metric(y[idx], pred[idx])

        n_boot = N_BOOT if name == metric_key(study.metric) else N_BOOT_SECONDARY
        boot = bootstrap_ci(statistic, rows, n_boot=n_boot, random_state=study.config.seed)
        results[name] = {
            "estimate": float(boot.estimate),
            "ci_low": float(boot.conf_int[0]),
            "ci_high": float(boot.conf_int[1]),
            "n_boot": n_boot,
            "method": "percentile bootstrap over test rows",
        }
    key = metric_key(study.metric)
    if key in results and study.metric != key:
        results[study.metric] = results[key]
    study.test_metrics = results
    head = results.get(key, next(iter(results.values())))
    return (
        f"test {key} = {head['estimate']:.4f} (95% CI {head['ci_low']:.4f} to "
        f"{head['ci_high']:.4f}) on {len(y):,} rows"
    )


# ---------------------------------------------------------------------------- diagnostics
def _learning_curve(study: Study) -> str:
    from lemma.base import clone
    from lemma.selection import diagnose_fit, learning_curve

    k = min(3, study.config.cv_folds)
    result = learning_curve(
        clone(study.model),
        study.X_train,
        study.y_train,
        train_sizes=[0.25, 0.5, 1.0],
        cv=k,
        scoring=study.metric,
        n_jobs=study.config.n_jobs,
        shuffle=True,
        random_state=study.config.seed,
    )
    sizes = np.asarray(result.train_sizes)
    train = np.asarray(result.train_scores).mean(axis=1)
    valid = np.asarray(result.test_scores).mean(axis=1)
    intervals = [result.interval(i) for i in range(len(sizes))]
    lows = [iv.ci_low for iv in intervals]
    highs = [iv.ci_high for iv in intervals]
    verdict = diagnose_fit(result)
    study.diagnostics["learning_curve"] = {
        "train_sizes": sizes,
        "train_mean": train,
        "validation_mean": valid,
        "validation_ci_low": lows,
        "validation_ci_high": highs,
        "verdict": verdict.verdict,
        "explanation": verdict.reason,
        "at": verdict.at,
    }
    study.figures["learning_curve"] = plots.learning_curve_plot(
        sizes, train, valid, lows, highs, metric=study.metric
    )
    return verdict.verdict


def _classification_plots(study: Study) -> None:
    from lemma import metrics

    y = np.asarray(study.y_test)
    classes = list(study.model.classes_)
    labels = [str(c) for c in classes]
    matrix = metrics.confusion_matrix(y, study.predictions["label"], labels=classes)
    study.diagnostics["confusion_matrix"] = {"labels": labels, "matrix": matrix}
    study.figures["confusion_matrix"] = plots.confusion_matrix_plot(matrix, labels)
    if len(classes) != 2:
        return
    pos = study.positive_class
    p = study.predictions["proba"][:, classes.index(pos)]
    truth = y == pos
    fpr, tpr, _ = metrics.roc_curve(truth, p)
    precision, recall, _ = metrics.precision_recall_curve(truth, p)
    auc = metrics.roc_auc_score(truth, p)
    ap = metrics.average_precision_score(truth, p)
    study.figures["roc"] = plots.curve_plot(fpr, tpr, kind="roc", label=f"AUC = {auc:.3f}")
    study.figures["pr"] = plots.curve_plot(
        recall, precision, kind="pr", label=f"AP = {ap:.3f}", baseline=float(truth.mean())
    )
    bins = np.unique(np.quantile(p, np.linspace(0, 1, 11)))
    which = np.clip(np.searchsorted(bins, p, side="right") - 1, 0, len(bins) - 2)
    counts = np.bincount(which, minlength=len(bins) - 1)
    keep = counts > 0
    mean_p = np.bincount(which, weights=p, minlength=len(bins) - 1)[keep] / counts[keep]
    observed = np.bincount(which, weights=truth, minlength=len(bins) - 1)[keep] / counts[keep]
    study.diagnostics["calibration"] = {
        "mean_predicted": mean_p,
        "observed": observed,
        "count": counts[keep],
        "max_gap": float(np.max(np.abs(mean_p - observed))),
    }
    study.figures["calibration"] = plots.calibration_curve_plot(mean_p, observed, counts[keep])


def _regression_plots(study: Study) -> None:
    from lemma.stats.inference import residual_diagnostics

    y = np.asarray(study.y_test, dtype=float)
    fitted = study.predictions["label"].astype(float)
    resid = y - fitted
    study.diagnostics["residuals"] = residual_diagnostics(resid) | {
        "mean": float(resid.mean()),
        "std": float(resid.std(ddof=1)),
    }
    study.figures["residuals"] = plots.residuals_plot(fitted, resid)
    study.figures["predicted_vs_actual"] = plots.predicted_vs_actual(y, fitted)


def stage_diagnose(study: Study) -> str:
    """Learning curve with an under/over-fitting verdict, and the task's diagnostic plots."""
    verdict = _learning_curve(study)
    if study.task == "classification":
        _classification_plots(study)
    else:
        _regression_plots(study)
    return f"learning curve verdict: {verdict}"


# ---------------------------------------------------------------------------- explain
def stage_explain(study: Study) -> str:
    """Permutation importance on the test set; coefficients for a linear model."""
    from lemma.explain import permutation_importance

    result = permutation_importance(
        study.model,
        study.X_test,
        study.y_test,
        scoring=study.metric,
        n_repeats=5,
        random_state=study.config.seed,
        n_jobs=study.config.n_jobs,
    )
    frame = result.to_frame()
    study.explanations["permutation_importance"] = frame.head(25)
    top = frame.head(15)
    study.figures["importance"] = plots.bars_with_intervals(
        top.index.astype(str),
        top["mean"],
        top["ci_low"],
        top["ci_high"],
        xlabel=f"drop in test {study.metric} when the column is shuffled",
        reference=0.0,
    )
    note = f"most important: {', '.join(map(str, frame.index[:3]))}"
    model = study.model.named_steps["model"]
    if hasattr(model, "coef_"):
        from lemma.explain import coefficient_table

        table = coefficient_table(study.model, study.X_train)
        study.explanations["coefficients"] = table.table
        study.explanations["coefficients_scale"] = table.scale
        study.inference = model.summary()
    return note


def frame_records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """A DataFrame as a list of row dicts with its index as ``name``."""
    if frame is None:
        return []
    return frame.reset_index(names="name").to_dict(orient="records")
