"""What a study produced: its configuration, every stage's record, and the results.

:class:`Study` is filled stage by stage by :mod:`lemma.study.runner`. Everything the
report shows is in :meth:`Study.to_dict` (written as ``study.json``), so a reader can
check any number; the fitted model and the data splits stay in memory only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CandidateResult", "StageRecord", "Study", "StudyConfig", "to_jsonable"]


@dataclass(frozen=True)
class StudyConfig:
    """The study's settings (the command line's options).

    Attributes
    ----------
    data : str
        Path, bundled dataset name, or ``"<DataFrame>"`` for the Python API.
    target : str or None
    sensitive : tuple of str
        Columns audited for fairness (kept out of the model's features unless
        ``use_sensitive`` is true).
    task : {"auto", "classification", "regression", "clustering"}
    metric : str or None
        Scoring name used to select models (lemma.metrics.SCORERS); a default per
        task when None.
    time_budget : float
        Seconds for tuning all candidates together (the rest of the study adds
        roughly a minute on Adult).
    test_size : float
    seed : int
    out : str or None
    time_column : str or None
        A datetime column: the split keeps time order and CV walks forward.
    cv_folds : int
    n_jobs : int
    use_sensitive : bool
    command : str
        The exact command (or call) that ran the study, for the report.
    """

    data: str
    target: str | None
    sensitive: tuple[str, ...] = ()
    task: str = "auto"
    metric: str | None = None
    time_budget: float = 180.0
    test_size: float = 0.2
    seed: int = 0
    out: str | None = None
    time_column: str | None = None
    cv_folds: int = 5
    n_jobs: int = 2
    use_sensitive: bool = False
    command: str = ""


@dataclass
class StageRecord:
    """One stage: its status ("done", "skipped", "failed", "interrupted"), time, note, and
    the warnings raised while it ran (counted by kind, with one example message)."""

    name: str
    status: str
    seconds: float = 0.0
    note: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class CandidateResult:
    """A tuned candidate: its best parameters and cross-validated scores (one per fold)."""

    name: str
    label: str
    estimator: str
    reason: str
    best_params: dict[str, Any]
    fold_scores: np.ndarray
    mean: float
    ci_low: float
    ci_high: float
    n_evaluated: int
    seconds: float
    search_table: pd.DataFrame | None = None
    p_value: float = float("nan")
    p_value_holm: float = float("nan")
    tied_with_best: bool = False


@dataclass
class Study:
    """A study's results, stage by stage (see :func:`lemma.study.study`)."""

    config: StudyConfig
    stages: list[StageRecord] = field(default_factory=list)
    data: pd.DataFrame | None = None
    task: str | None = None
    metric: str | None = None
    positive_class: Any = None
    profile: Any = None
    cleaning: dict[str, Any] = field(default_factory=dict)
    leakage: list[dict[str, Any]] = field(default_factory=list)
    split: dict[str, Any] = field(default_factory=dict)
    preparation: list[dict[str, Any]] = field(default_factory=list)
    advice: Any = None
    candidates: list[CandidateResult] = field(default_factory=list)
    comparison: dict[str, Any] = field(default_factory=dict)
    chosen: CandidateResult | None = None
    model: Any = None
    test_metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    explanations: dict[str, Any] = field(default_factory=dict)
    inference: Any = None
    fairness: dict[str, Any] = field(default_factory=dict)
    card: Any = None
    figures: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False
    # in memory only (not in study.json)
    X_train: Any = None
    X_test: Any = None
    y_train: Any = None
    y_test: Any = None
    sensitive_test: Any = None
    splitter: Any = None
    prep_scaled: Any = None
    kept_columns: list[str] = field(default_factory=list)
    duplicate_mask: Any = None
    Z: Any = None
    labels: Any = None
    candidate_specs: dict[str, Any] = field(default_factory=dict)
    predictions: dict[str, Any] = field(default_factory=dict)
    leakage_html: str = ""
    fairness_audit: Any = None
    fairness_html: str = ""
    out_dir: str = "."

    # ------------------------------------------------------------------ views
    @property
    def headline(self) -> dict[str, Any]:
        """The answer first: chosen model, its test score with interval, fairness verdict."""
        score = self.test_metrics.get(self.metric or "", {})
        return {
            "model": self.chosen.label if self.chosen else None,
            "metric": self.metric,
            "test_score": score.get("estimate"),
            "test_ci_low": score.get("ci_low"),
            "test_ci_high": score.get("ci_high"),
            "fairness_verdict": self.fairness.get("verdict"),
        }

    def to_dict(self) -> dict[str, Any]:
        """Every number in the report, JSON-serialisable (``study.json``)."""
        candidates = [
            {
                k: getattr(c, k)
                for k in (
                    "name",
                    "label",
                    "estimator",
                    "reason",
                    "best_params",
                    "mean",
                    "ci_low",
                    "ci_high",
                    "n_evaluated",
                    "seconds",
                    "p_value",
                    "p_value_holm",
                    "tied_with_best",
                )
            }
            | {"fold_scores": list(np.asarray(c.fold_scores, dtype=float))}
            for c in self.candidates
        ]
        out = {
            "config": vars(self.config) | {"sensitive": list(self.config.sensitive)},
            "headline": self.headline,
            "task": self.task,
            "metric": self.metric,
            "positive_class": self.positive_class,
            "stages": [vars(s) for s in self.stages],
            "profile": self.profile.to_dict() if self.profile is not None else None,
            "cleaning": self.cleaning,
            "leakage": self.leakage,
            "split": self.split,
            "preparation": self.preparation,
            "advice": self.advice.to_dict() if self.advice is not None else None,
            "candidates": candidates,
            "comparison": self.comparison,
            "chosen": self.chosen.name if self.chosen else None,
            "test_metrics": self.test_metrics,
            "diagnostics": self.diagnostics,
            "explanations": self.explanations,
            "fairness": self.fairness,
            "outputs": self.outputs,
            "versions": self.versions,
            "interrupted": self.interrupted,
        }
        return to_jsonable(out)

    def save_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as ``study.json``."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2, allow_nan=False))
        return path

    def report(self, path: str | Path | None = None) -> Path:
        """Render the self-contained HTML report (default: ``<out>/report.html``)."""
        from lemma.study.report import write_report

        return write_report(self, path)


def to_jsonable(value: Any) -> Any:
    """Convert NumPy/pandas values to JSON types; NaN and infinities become None."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, pd.DataFrame):
        return to_jsonable(value.reset_index().to_dict(orient="records"))
    if isinstance(value, pd.Series):
        return to_jsonable(value.to_dict())
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        return x if math.isfinite(x) else None
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return str(value)
