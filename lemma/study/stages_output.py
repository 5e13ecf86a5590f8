"""Study stages that audit and publish: leakage, fairness, model card, saved files.

The fairness audit uses the test set's predictions and the sensitive columns (kept
out of the model's features unless ``use_sensitive``); the mitigation trade-off
refits nothing: it post-processes the chosen model's scores with group-specific
thresholds (:class:`lemma.fairness.ThresholdOptimizer`, fitted on the training
rows) and reports disparity and accuracy before and after, with intervals.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import numpy as np

from lemma.study.result import Study

__all__ = ["stage_card", "stage_fairness", "stage_leakage", "stage_save", "versions"]


def stage_leakage(study: Study) -> str:
    """Check the planned evaluation for leakage (duplicates, leaky features, time order)."""
    from lemma.prep import check_leakage

    report = check_leakage(
        study.prep_scaled,
        study.X_train,
        study.y_train,
        cv=study.splitter,
        time_column=study.config.time_column,
    )
    study.leakage = [
        {"code": f.code, "severity": f.severity, "message": f.message} for f in report.findings
    ]
    study.leakage_html = report._repr_html_() if hasattr(report, "_repr_html_") else ""
    failing = [f for f in study.leakage if f["severity"] == "fail"]
    return f"{len(study.leakage)} findings ({len(failing)} failing)"


def _sensitive_frame(study: Study, rows: str) -> Any:
    df = study.data
    index = study.X_train.index if rows == "train" else study.X_test.index
    return df.loc[index, list(study.config.sensitive)]


def favourable_class(study: Study) -> Any:
    """The outcome a person wants (a bundled dataset says; otherwise the positive class)."""
    classes = list(study.model.classes_)
    wanted = study.data.attrs.get("favourable_class") if study.data is not None else None
    return wanted if wanted in classes else study.positive_class


def stage_fairness(study: Study) -> str:
    """Audit the test predictions by sensitive group; report the mitigation trade-off."""
    from lemma.fairness import audit

    if study.task != "classification" or len(study.model.classes_) != 2:
        return "skipped: the fairness audit covers binary classifiers"
    favourable = favourable_class(study)
    classes = list(study.model.classes_)
    y = (np.asarray(study.y_test) == favourable).astype(int)
    pred = (study.predictions["label"] == favourable).astype(int)
    prob = study.predictions["proba"][:, classes.index(favourable)]
    sensitive = _sensitive_frame(study, "test")
    result = audit(
        y,
        pred,
        sensitive_features=sensitive,
        y_prob=prob,
        X=study.X_test,
        random_state=study.config.seed,
    )
    study.fairness = result.to_dict() | {
        "verdict": result.verdict,
        "favourable_class": str(favourable),
    }
    study.fairness_audit = result
    study.fairness_html = result._repr_html_()
    _mitigation(study, favourable, y, pred, sensitive)
    return result.verdict


def _mitigation(
    study: Study, favourable: Any, y: np.ndarray, before: np.ndarray, sensitive_test: Any
) -> None:
    """Group thresholds for demographic parity on the chosen model: before and after."""
    from lemma.fairness import ThresholdOptimizer, mitigation_tradeoff

    y_train = (np.asarray(study.y_train) == favourable).astype(int)
    optimizer = ThresholdOptimizer(
        _PositiveScores(study.model, favourable),
        constraints="demographic_parity",
        prefit=True,
        random_state=study.config.seed,
    )
    optimizer.fit(study.X_train, y_train, sensitive_features=_sensitive_frame(study, "train"))
    after = optimizer.predict(study.X_test, sensitive_features=sensitive_test)
    trade = mitigation_tradeoff(
        y, before, after, sensitive_features=sensitive_test, random_state=study.config.seed
    )
    study.fairness["mitigation"] = {"method": "ThresholdOptimizer (demographic parity)"} | (
        trade.to_dict()
    )


class _PositiveScores:
    """A fitted classifier seen as a 0/1 scorer of the positive class (for post-processing)."""

    def __init__(self, model: Any, positive: Any):
        self.model = model
        self.positive = positive
        self.classes_ = np.array([0, 1])

    def fit(self, X: Any, y: Any = None, **kwargs: Any) -> _PositiveScores:
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        proba = self.model.predict_proba(X)[:, list(self.model.classes_).index(self.positive)]
        return np.column_stack([1 - proba, proba])

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"model": self.model, "positive": self.positive}


def versions() -> dict[str, str]:
    """Versions of lemma, Python and the numerical stack, for reproducibility."""
    import numpy
    import pandas
    import scipy

    from lemma._version import __version__

    found = {
        "lemma": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
        "platform": platform.platform(),
    }
    try:
        import numba

        found["numba"] = numba.__version__
    except ImportError:  # pragma: no cover
        pass
    return found


def stage_card(study: Study) -> str:
    """Write the model card from the evaluation (it travels inside the saved model)."""
    from lemma.explain import ModelCard

    study.versions = versions()
    importance = study.explanations.get("permutation_importance")
    profile = study.profile.to_dict() if study.profile is not None else None
    data_name = str(study.config.data)
    study.card = ModelCard.from_evaluation(
        study.model,
        X_train=study.X_train,
        y_train=study.y_train,
        metrics=study.test_metrics,
        fairness=study.fairness or None,
        explanations=None if importance is None else {"permutation_importance": importance},
        intended_use=(
            f"Predict {study.config.target!r} for rows like those of {data_name}; "
            "a decision aid reviewed by a person, not an automatic decision."
            if study.task != "clustering"
            else f"Group rows like those of {data_name} into {study.chosen.label}; a "
            "description of the data for a person to interpret, not a label of truth."
        ),
        training_data=profile,
        name=f"{study.chosen.label} for {study.config.target or data_name}",
    )
    return f"{len(study.card.to_markdown().splitlines())} lines"


def stage_save(study: Study) -> str:
    """Save the model (safe format with its schema and card) and the study's files."""
    import lemma

    out = Path(study.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    metadata = {
        "test_metrics": study.test_metrics,
        "metric": study.metric,
        "chosen": study.chosen.name,
        "target": study.config.target,
    }
    card = study.card.to_dict() if study.card is not None else None
    lemma.save(study.model, out / "model.lemma", schema=study.X_train, card=card, metadata=metadata)
    study.outputs["model"] = str(out / "model.lemma")
    if study.card is not None:
        (out / "model_card.md").write_text(study.card.to_markdown())
        study.outputs["model_card"] = str(out / "model_card.md")
    return f"model saved to {out / 'model.lemma'}"
