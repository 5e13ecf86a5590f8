"""The leakage guard: find the ways a cross-validated score can use what it should not know.

``check_leakage(steps, X, y, cv=...)`` runs four checks on the splits the evaluation
will use (S splits, training rows Tₛ and test rows Vₛ):

1. **Preprocessing fitted before splitting.** Leading steps already fitted are taken as
   applied to X once, before the split, as the user's code did. A step is *fitted on
   all rows* when its output on X equals that of a fresh copy fitted on X. The optimism
   it buys is measured: Δ = mean score of the leaky arrangement (frozen steps, the rest
   refitted per fold) − mean score of the honest one (every step refitted on Tₛ), with
   the paired standard error se = sd(Δₛ)/√S. Δ > max(2·se, 0.001) is a failure; a
   smaller Δ is a warning (the procedure leaks even if it made no difference here).
2. **Duplicates across the split.** The test rows with an exact copy (all features
   equal, missing equals missing) among the training rows of the same split,
   Σₛ |{i ∈ Vₛ : ∃ j ∈ Tₛ, xᵢ = xⱼ}|; such rows are scored on what was learned from
   themselves. A failure above 5% of the test rows, a warning above 0.5%, else
   information.
3. **A feature that predicts the target suspiciously well**: the one-feature score of
   :mod:`lemma.prep._profile_warnings` (out-of-sample Gini 2·AUC − 1, or R²) at least
   0.98.
4. **Time order.** When X has a datetime column (or ``time_column`` names one), a
   split with max_{j∈Tₛ} tⱼ > min_{i∈Vₛ} tᵢ trains on the future of some test rows; a
   time-ordered split (:class:`lemma.selection.TimeSeriesSplit`) never does.

Each finding says what leaked, where, how much, and how to fix it.

Reference: S. Kaufman, S. Rosset, C. Perlich and O. Stitelman, "Leakage in data
mining: formulation, detection, and avoidance", ACM TKDD 6(4) (2012), article 15.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lemma.base import clone, is_classifier, is_regressor
from lemma.exceptions import DataValidationError, NotFittedError, ParameterError
from lemma.pipeline import Pipeline, infer_kind
from lemma.prep._profile_warnings import (
    SEVERITIES,
    Finding,
    encode_target,
    leakage_finding,
    leakage_score,
)
from lemma.prep.profiling import TARGET_MAX_CLASSES, _json, row_groups
from lemma.validation import check_is_fitted

__all__ = [
    "LeakageReport",
    "check_duplicates_across_splits",
    "check_feature_leakage",
    "check_leakage",
    "check_time_order",
]

#: Test rows with a copy in training above these shares: failure, warning.
DUPLICATE_FAIL_SHARE = 0.05
DUPLICATE_WARN_SHARE = 0.005
#: Without a column whose distinct values reach this share of its rows, equal rows are
#: expected (few discrete features), and duplicates are only information.
FINE_COLUMN_SHARE = 0.5
#: A leaky arrangement must beat the honest one by more than this (and 2 standard
#: errors) for its finding to be a failure.
MIN_OPTIMISM = 0.001


# ------------------------------------------------------------------------ the report
@dataclass(frozen=True, eq=False)
class LeakageReport:
    """What :func:`check_leakage` found; renders as text, DataFrame, HTML and a dict.

    Attributes
    ----------
    findings : list of Finding
        Most serious first; empty when nothing leaks.
    n_splits : int
        Number of splits checked.
    scores : dict
        When preprocessing was fitted before splitting: ``leaky`` and ``honest`` mean
        cross-validated scores, their ``optimism`` and its ``std_err``, and the
        per-split scores ``leaky_per_split``, ``honest_per_split``.
    """

    findings: list[Finding]
    n_splits: int
    scores: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no finding is a failure."""
        return not any(f.severity == "fail" for f in self.findings)

    def by_code(self, code: str) -> list[Finding]:
        """The findings with this code."""
        return [f for f in self.findings if f.code == code]

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: code, severity, columns, message, fix, value."""
        rows = [f.to_dict() for f in self.findings]
        columns = ["code", "severity", "columns", "message", "fix", "value"]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-serialisable plain types."""
        return _json(
            {
                "passed": self.passed,
                "n_splits": self.n_splits,
                "scores": self.scores,
                "findings": [f.to_dict() for f in self.findings],
            }
        )

    def as_text(self) -> str:
        """The report as plain text."""
        head = f"Leakage check over {self.n_splits} splits: "
        if not self.findings:
            return head + "no leakage found."
        counts = {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        head += ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        return "\n".join([head, *(f"  {f}" for f in self.findings)])

    def __str__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        """A self-contained HTML fragment."""
        items = "".join(
            f"<li><b>{f.severity}</b> {html.escape(f.message)}"
            + (f" <i>Fix: {html.escape(f.fix)}</i>" if f.fix else "")
            + "</li>"
            for f in self.findings
        )
        head = html.escape(self.as_text().splitlines()[0])
        return f"<div class='lemma-leakage'><p>{head}</p><ul>{items}</ul></div>"


# ------------------------------------------------------------------------ helpers
def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True)
    if type(X).__module__.split(".")[0] == "polars" and hasattr(X, "to_pandas"):
        return X.to_pandas()
    data = np.asarray(X)
    if data.ndim != 2:
        raise DataValidationError(
            f"X must be 2-D (rows × features); got an array of shape {data.shape}."
        )
    return pd.DataFrame(data, columns=[f"x{j}" for j in range(data.shape[1])])


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _task(estimator: Any, y: pd.Series) -> str:
    if is_classifier(estimator):
        return "classification"
    if is_regressor(estimator):
        return "regression"
    values = y.dropna()
    numbers = pd.api.types.is_numeric_dtype(values.dtype) and not (
        pd.api.types.is_bool_dtype(values.dtype)
    )
    if numbers and values.nunique() > TARGET_MAX_CLASSES:
        return "regression"
    return "classification"


# ------------------------------------------------------------------------ check 2
def _has_fine_column(frame: pd.DataFrame) -> bool:
    """Whether some column has distinct values for at least half of its present rows."""
    for name in frame.columns:
        column = frame[name]
        present = int(column.notna().sum())
        if present and column.nunique() >= FINE_COLUMN_SHARE * present:
            return True
    return False


def check_duplicates_across_splits(X: Any, splits: Sequence[tuple]) -> list[Finding]:
    """Test rows with an exact copy among the training rows of their split.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
    splits : sequence of (train, test) index arrays

    Returns
    -------
    list of Finding
        One ``duplicates_across_split`` finding (value: the number of test rows with
        a copy in training, summed over splits), or none. When no column of X has
        distinct values for at least half its rows (few discrete features), equal
        rows are expected and the finding is only information.
    """
    frame = _as_frame(X)
    groups = row_groups(frame)
    n_copied, n_tested = 0, 0
    for train, test in splits:
        n_copied += int(np.isin(groups[test], groups[train]).sum())
        n_tested += len(test)
    if n_copied == 0:
        return []
    share = n_copied / n_tested
    severity = (
        "fail"
        if share > DUPLICATE_FAIL_SHARE
        else "warn"
        if share > DUPLICATE_WARN_SHARE
        else "info"
    )
    natural = ""
    if not _has_fine_column(frame):
        severity = "info"
        natural = (
            " Every column has few distinct values, so equal rows are expected; they leak "
            "only if they are copies of the same record."
        )
    return [
        Finding(
            "duplicates_across_split",
            severity,
            (),
            f"{n_copied:,} test rows ({_share(n_copied, n_tested)} of all test rows over "
            f"{len(splits)} splits) have an exact copy among the training rows of their "
            "split, so they are scored on what the model learned from themselves." + natural,
            "drop duplicate rows before splitting (df.drop_duplicates(), or "
            "lemma.prep.DropDuplicates), or keep copies in one fold: "
            "GroupKFold with groups = an id per distinct row.",
            float(n_copied),
        )
    ]


# ------------------------------------------------------------------------ check 3
def check_feature_leakage(X: Any, y: Any, task: str) -> list[Finding]:
    """Features whose one-feature score is at least the leakage threshold.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    task : {"classification", "regression"}

    Returns
    -------
    list of Finding
        One ``target_leakage`` finding per suspicious feature.
    """
    frame = _as_frame(X)
    target = pd.Series(np.asarray(y))
    encoded = encode_target(target, task)
    found = []
    for name in frame.columns:
        column = frame[name]
        kind = infer_kind(column)
        finding = leakage_finding(str(name), leakage_score(column, encoded, task, kind), task)
        if finding is not None:
            found.append(finding)
    return found


# ------------------------------------------------------------------------ check 4
def _time_values(frame: pd.DataFrame, time_column: Any) -> tuple[str, pd.Series] | None:
    if time_column is None:
        for name in frame.columns:
            if infer_kind(frame[name]) == "datetime":
                return str(name), pd.Series(pd.to_datetime(frame[name]))
        return None
    if isinstance(time_column, str):
        if time_column not in frame.columns:
            raise DataValidationError(
                f"time_column {time_column!r} is not a column of X; columns are "
                f"{list(frame.columns)[:20]}."
            )
        return time_column, frame[time_column]
    values = pd.Series(np.asarray(time_column))
    if len(values) != len(frame):
        raise DataValidationError(
            f"time_column has {len(values)} values but X has {len(frame)} rows; give one "
            "time per row."
        )
    return "time_column", values


def check_time_order(
    X: Any, splits: Sequence[tuple], time_column: Any = None, *, splitter: Any = None
) -> list[Finding]:
    """Splits that train on rows later than some of their test rows.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
    splits : sequence of (train, test) index arrays
    time_column : str or array-like of shape (n_samples,), optional
        The time of each row: a column of X, or the values. When None, the first
        datetime column of X is used, if any.
    splitter : object, optional
        The splitter that made ``splits`` (named in the message).

    Returns
    -------
    list of Finding
        One ``time_order`` finding ("fail" when ``time_column`` was given, "warn" when
        a datetime column was found), or none.
    """
    found = _time_values(_as_frame(X), time_column)
    if found is None:
        return []
    name, times = found
    values = times.to_numpy()
    broken = 0
    for train, test in splits:
        train_times, test_times = times.iloc[train].dropna(), times.iloc[test].dropna()
        if len(train_times) and len(test_times) and train_times.max() > test_times.min():
            broken += 1
    if broken == 0 or len(values) == 0:
        return []
    made_by = f" ({splitter!r})" if splitter is not None else ""
    return [
        Finding(
            "time_order",
            "fail" if time_column is not None else "warn",
            (name,) if name != "time_column" else (),
            f"{broken} of {len(splits)} splits{made_by} train on rows later in {name!r} than "
            "some of their test rows; if the rows are observations over time, the score "
            "uses the future to predict the past.",
            f"sort the rows by {name!r} and use lemma.selection.TimeSeriesSplit (training "
            "always before testing), or a hold-out of the latest rows.",
            float(broken),
        )
    ]


# ------------------------------------------------------------------------ check 1
def _steps(pipeline_or_steps: Any) -> list[tuple[str, Any]]:
    if isinstance(pipeline_or_steps, list | tuple):
        if not pipeline_or_steps:
            raise ParameterError("pipeline_or_steps is empty; give a model or a list of steps.")
        steps = []
        for k, step in enumerate(pipeline_or_steps):
            if isinstance(step, tuple) and len(step) == 2 and isinstance(step[0], str):
                steps.append(step)
            else:
                steps.append((f"{type(step).__name__.lower()}_{k}", step))
        return steps
    if not hasattr(pipeline_or_steps, "fit"):
        raise ParameterError(
            f"pipeline_or_steps must be an estimator or a list of steps; got "
            f"{type(pipeline_or_steps).__name__}."
        )
    return [("model", pipeline_or_steps)]


def _is_fitted(estimator: Any) -> bool:
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


def _frozen_prefix(steps: list[tuple[str, Any]]) -> int:
    """How many leading steps are already fitted (the final model never counts)."""
    fitted = [_is_fitted(step) for _, step in steps[:-1]]
    n = next((k for k, f in enumerate(fitted) if not f), len(fitted))
    late = [steps[k][0] for k in range(n, len(fitted)) if fitted[k]]
    if late:
        raise ParameterError(
            f"Steps {late} are fitted but come after an unfitted step; fitted steps are "
            "read as applied before the split, so they must come first."
        )
    return n


def _same_output(a: Any, b: Any) -> bool:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))


def _make(steps: list[tuple[str, Any]]) -> Any:
    return steps[0][1] if len(steps) == 1 else Pipeline(steps)


def _scores(result: dict) -> np.ndarray:
    key = next(k for k in result if k.startswith("test_"))
    return np.asarray(result[key], dtype=np.float64)


def _preprocessing_findings(
    steps: list[tuple[str, Any]], n_frozen: int, X: Any, y: Any, splits: list, scoring: Any
) -> tuple[list[Finding], dict[str, Any]]:
    from lemma.selection import cross_validate

    Xt, on_all = X, []
    for name, step in steps[:n_frozen]:
        refitted = clone(step).fit(Xt, y)
        output = step.transform(Xt)
        if _same_output(output, refitted.transform(Xt)):
            on_all.append(f"{name} ({type(step).__name__})")
        Xt = output
    rest = [(name, clone(step)) for name, step in steps[n_frozen:]]
    honest = Pipeline([(name, clone(step)) for name, step in steps])
    leaky = _scores(cross_validate(_make(rest), Xt, y, cv=splits, scoring=scoring))
    fair = _scores(cross_validate(honest, X, y, cv=splits, scoring=scoring))
    difference = leaky - fair
    optimism = float(difference.mean())
    std_err = (
        float(difference.std(ddof=1) / np.sqrt(difference.size)) if difference.size > 1 else 0.0
    )
    scores = {
        "leaky": float(leaky.mean()),
        "honest": float(fair.mean()),
        "optimism": optimism,
        "std_err": std_err,
        "leaky_per_split": leaky.tolist(),
        "honest_per_split": fair.tolist(),
    }
    frozen = [f"{name} ({type(step).__name__})" for name, step in steps[:n_frozen]]
    if not on_all:
        return [
            Finding(
                "prefitted_steps",
                "info",
                (),
                f"Steps {frozen} were fitted before, on other data than X; they are used as "
                "they are in every split (no leak from X's rows).",
                "make sure the data they were fitted on shares no rows with X's test folds.",
                optimism,
            )
        ], scores
    significant = optimism > max(2 * std_err, MIN_OPTIMISM)
    return [
        Finding(
            "preprocessing_before_split",
            "fail" if significant else "warn",
            (),
            f"Steps {on_all} were fitted on all {len(Xt):,} rows of X before splitting, so "
            "every test fold helped prepare its own training data. Cross-validated score "
            f"with them fitted outside the folds: {scores['leaky']:.4f}; refitted inside each "
            f"training fold: {scores['honest']:.4f} (optimism {optimism:+.4f}, standard "
            f"error {std_err:.4f}"
            + (")." if significant else "; within noise here, but the procedure leaks)."),
            "put the steps inside the pipeline (lemma.pipeline.make_pipeline(step, ..., "
            "model)) so they are fitted on the training rows of each fold only.",
            optimism,
        )
    ], scores


# ------------------------------------------------------------------------ the guard
def check_leakage(
    pipeline_or_steps: Any,
    X: Any,
    y: Any,
    *,
    cv: Any = None,
    groups: Any = None,
    time_column: Any = None,
    scoring: Any = None,
) -> LeakageReport:
    """Check an evaluation for leakage: prefitted preprocessing, duplicates, leaky features, time.

    Parameters
    ----------
    pipeline_or_steps : estimator or list of steps
        The model as it will be cross-validated (a :class:`lemma.pipeline.Pipeline` or a
        bare model: cloned and refitted in every split), or the steps of the workflow
        ``[step, ..., model]`` (or ``(name, step)`` pairs): leading steps that are
        already fitted are read as applied to all of X before splitting, as
        ``X2 = scaler.fit_transform(X); cross_validate(model, X2, y)`` does.
    X : array-like or DataFrame of shape (n_samples, n_features)
        The data *before* any of the fitted steps.
    y : array-like of shape (n_samples,)
    cv : int, splitter or iterable of (train, test), optional
        The splits of the evaluation (:func:`lemma.selection.check_cv`'s rules; None
        means 5 folds, stratified for a classifier).
    groups : array-like of shape (n_samples,), optional
        Group labels for group splitters.
    time_column : str or array-like of shape (n_samples,), optional
        The time of each row (a column of X, or values); None looks for a datetime
        column in X.
    scoring : str, callable or None, optional
        The score compared in the preprocessing check (None: the model's ``score``).

    Returns
    -------
    LeakageReport

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LogisticRegression
    >>> from lemma.prep import TargetEncoder, check_leakage
    >>> rng = np.random.default_rng(0)
    >>> X = rng.integers(0, 300, size=(600, 1)).astype(str)   # a noise code
    >>> y = rng.integers(0, 2, 600)                           # unrelated to it
    >>> encoder = TargetEncoder(random_state=0).fit(X, y)     # fitted on all rows
    >>> report = check_leakage([encoder, LogisticRegression()], X, y, cv=5)
    >>> report.passed, [f.code for f in report.findings if f.severity == "fail"]
    (False, ['preprocessing_before_split'])
    >>> print(f"{report.scores['leaky']:.2f} vs {report.scores['honest']:.2f}")
    0.78 vs 0.52
    """
    from lemma.selection import check_cv

    steps = _steps(pipeline_or_steps)
    n_frozen = _frozen_prefix(steps)
    model = steps[-1][1]
    y_values = np.asarray(y)
    n = len(_as_frame(X))
    if y_values.shape[0] != n:
        raise DataValidationError(
            f"X has {n} rows but y has {y_values.shape[0]}; give one target per row."
        )
    splitter = check_cv(5 if cv is None else cv, y_values, classifier=is_classifier(model))
    splits = list(splitter.split(X, y_values, groups))
    findings, scores = [], {}
    if n_frozen:
        findings, scores = _preprocessing_findings(steps, n_frozen, X, y, splits, scoring)
    findings += check_duplicates_across_splits(X, splits)
    findings += check_feature_leakage(X, y_values, _task(model, pd.Series(y_values)))
    findings += check_time_order(X, splits, time_column, splitter=splitter)
    findings.sort(key=lambda f: SEVERITIES.index(f.severity))
    return LeakageReport(findings, len(splits), scores)
