"""Study stages on the data: load, profile, clean, split.

Each stage reads and fills a :class:`~lemma.study.result.Study` and returns one
sentence for the stage record (shown in the terminal and the report).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import DataValidationError, ParameterError
from lemma.study.result import Study

__all__ = ["stage_clean", "stage_load", "stage_profile", "stage_split"]

#: Default scoring per task (lemma.metrics.SCORERS names).
DEFAULT_METRICS = {"binary": "roc_auc", "multiclass": "balanced_accuracy", "regression": "r2"}
#: Columns of bundled datasets that are not properties of the unit (with the reason).
NON_FEATURES = {
    "adult": {
        "split": "UCI's train/test file marker, not a property of the person",
        "fnlwgt": "a census sampling weight, not a property of the person",
    },
    "ames_housing": {"order": "a row number", "pid": "a parcel identifier"},
}


def stage_load(study: Study, frame: pd.DataFrame | None = None) -> str:
    """Read the table (or take the DataFrame given), settle the target and the task."""
    from lemma.io.datasets import DATASETS
    from lemma.io.read import read_table

    config = study.config
    df = frame if frame is not None else read_table(config.data)
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise DataValidationError(f"{config.data} has no rows or no columns; nothing to study.")
    key = str(config.data).lower().replace("-", "_")
    dropped = {}
    for column, why in NON_FEATURES.get(key if key in DATASETS else "", {}).items():
        if column in df.columns and column != config.target:
            dropped[column] = why
    # Duplicates are judged on the whole record as loaded: rows that only coincide once
    # an identifier or weight column is set aside are different units, not copies.
    study.duplicate_mask = df.duplicated().to_numpy()
    df = df.drop(columns=list(dropped))
    study.cleaning["non_features"] = dropped
    target = config.target
    if target is not None and target not in df.columns:
        close = [c for c in df.columns if c.lower() == target.lower()]
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataValidationError(
            f"No column named {target!r} in {config.data} (columns: {list(df.columns)[:12]}"
            f"{'...' if df.shape[1] > 12 else ''}).{hint} Pass --target with one of them."
        )
    study.task = _task(df, target, config.task)
    study.data = df
    return f"{df.shape[0]:,} rows × {df.shape[1]} columns; task: {study.task}"


def _task(df: pd.DataFrame, target: str | None, requested: str) -> str:
    if requested == "clustering" or target is None:
        return "clustering"
    y = df[target]
    if y.isna().all():
        raise DataValidationError(f"The target {target!r} is empty (every value is missing).")
    if requested in ("classification", "regression"):
        return requested
    if requested != "auto":
        raise ParameterError(
            f"--task must be auto, classification, regression or clustering; got {requested!r}."
        )
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    n_distinct = y.nunique()
    if numeric and n_distinct > max(20, 0.05 * y.notna().sum()):
        return "regression"
    return "classification"


def stage_profile(study: Study) -> str:
    """Profile the table (kinds, missing values, duplicates, warnings)."""
    from lemma.prep import profile

    study.profile = profile(study.data, target=study.config.target)
    warnings = [f for f in study.profile.warnings if f.severity != "info"]
    return f"{len(study.profile.warnings)} findings ({len(warnings)} warnings)"


def stage_clean(study: Study) -> str:
    """Drop missing targets, exact duplicate rows, and constant/identifier/empty/leaky columns."""
    df = study.data
    target = study.config.target
    notes = []
    if target is not None:
        missing_target = int(df[target].isna().sum())
        if missing_target:
            df = df[df[target].notna()]
            notes.append(f"{missing_target:,} rows without a target dropped")
        study.cleaning["rows_without_target"] = missing_target
    duplicated = pd.Series(study.duplicate_mask, index=study.data.index).reindex(df.index)
    n_dup = int(duplicated.sum())
    if n_dup:
        df = df[~duplicated.to_numpy()]
        notes.append(
            f"{n_dup:,} exact duplicate records dropped (they would sit on both sides of the split)"
        )
    study.cleaning["duplicate_rows"] = n_dup
    columns = _columns_to_drop(study)
    study.cleaning["dropped_columns"] = columns
    df = df.drop(columns=list(columns))
    if columns:
        notes.append(f"{len(columns)} columns dropped: {', '.join(columns)}")
    if target is not None:
        classes = df[target].nunique()
        if study.task == "classification" and classes < 2:
            raise DataValidationError(
                f"The target {target!r} has a single class ({df[target].iloc[0]!r}); a "
                "classifier needs at least two. Check the target column or the data."
            )
    study.data = df.reset_index(drop=True)
    return "; ".join(notes) or "nothing to clean"


def _columns_to_drop(study: Study) -> dict[str, str]:
    """Columns the profile marks unusable, with the reason."""
    cols = study.profile.columns
    target = study.config.target
    drop: dict[str, str] = {}
    reasons = {
        "empty": "every value is missing",
        "identifier": "an identifier (all values unique)",
        "constant": "a single value",
    }
    for name, row in cols.iterrows():
        if name == target or name in study.config.sensitive:
            continue
        if row["kind"] in reasons:
            drop[str(name)] = reasons[row["kind"]]
        elif row.get("n_distinct", 2) <= 1:
            drop[str(name)] = reasons["constant"]
    for finding in study.profile.findings("target_leakage"):
        for column in finding.columns:
            if column != target:
                drop[str(column)] = f"likely target leakage: {finding.message}"
    return drop


def stage_split(study: Study) -> str:
    """Hold out a test set: stratified for classes, time-ordered with a time column."""
    from lemma.selection import train_test_split

    config = study.config
    df = study.data
    y = df[config.target]
    X = df.drop(columns=[config.target])
    if not config.use_sensitive:
        X = X.drop(columns=[c for c in config.sensitive if c in X.columns])
    missing = [c for c in config.sensitive if c not in df.columns]
    if missing:
        raise DataValidationError(
            f"Sensitive column(s) {missing} not in the data; choose from {list(df.columns)}."
        )
    if config.time_column:
        order = np.argsort(pd.to_datetime(df[config.time_column]).to_numpy(), kind="stable")
        cut = round(len(df) * (1 - config.test_size))
        train, test = order[:cut], order[cut:]
        how = f"time-ordered on {config.time_column!r} (test = the last {len(test):,} rows)"
    else:
        stratify = y if study.task == "classification" else None
        train, test = train_test_split(
            np.arange(len(df)),
            test_size=config.test_size,
            random_state=config.seed,
            stratify=stratify,
        )
        how = "stratified by class" if stratify is not None else "random"
    if config.sensitive and not config.use_sensitive:
        X = _drop_exact_proxies(study, X, df.iloc[train][list(config.sensitive)], train)
    study.X_train, study.X_test = X.iloc[train], X.iloc[test]
    study.y_train, study.y_test = y.iloc[train], y.iloc[test]
    study.sensitive_test = df.iloc[test][list(config.sensitive)] if config.sensitive else None
    study.split = {
        "n_train": len(train),
        "n_test": len(test),
        "how": how,
        "test_size": config.test_size,
        "features": list(X.columns),
    }
    if study.task == "classification":
        study.split["class_balance_train"] = y.iloc[train].value_counts(normalize=True).to_dict()
        study.split["class_balance_test"] = y.iloc[test].value_counts(normalize=True).to_dict()
        study.positive_class = _positive_class(study, y)
        n_classes = y.nunique()
        study.metric = (
            config.metric or DEFAULT_METRICS["binary" if n_classes == 2 else "multiclass"]
        )
    else:
        study.metric = config.metric or DEFAULT_METRICS["regression"]
    study.splitter = _splitter(study)
    return f"{len(train):,} training rows, {len(test):,} test rows ({how})"


def _splitter(study: Study) -> Any:
    from lemma.selection import KFold, StratifiedKFold, TimeSeriesSplit

    folds, seed = study.config.cv_folds, study.config.seed
    if study.config.time_column:
        return TimeSeriesSplit(n_splits=folds)
    if study.task == "classification":
        return StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return KFold(n_splits=folds, shuffle=True, random_state=seed)


#: A feature that predicts a sensitive attribute this well (AUC on the training rows) encodes
#: it; keeping the attribute out of the model while keeping such a copy would be pretence.
EXACT_PROXY_AUC = 0.99


def _drop_exact_proxies(
    study: Study, X: pd.DataFrame, sensitive: pd.DataFrame, train: np.ndarray
) -> pd.DataFrame:
    """Drop features that determine a sensitive attribute (recorded with the reason)."""
    from lemma.fairness import find_proxies

    dropped = {}
    for column in sensitive.columns:
        ranked = find_proxies(X.iloc[train], sensitive[column], random_state=study.config.seed)
        for row in ranked.itertuples():
            if row.auc >= EXACT_PROXY_AUC and row.feature in X.columns:
                dropped[row.feature] = (
                    f"encodes the sensitive attribute {column!r} (it alone "
                    f"predicts it with AUC {row.auc:.3f})"
                )
    study.cleaning["sensitive_proxies_dropped"] = dropped
    return X.drop(columns=list(dropped))


def _positive_class(study: Study, y: pd.Series) -> Any:
    attrs_positive = study.data.attrs.get("positive_class") if study.data is not None else None
    classes = sorted(y.unique().tolist(), key=str)
    if len(classes) != 2:
        return None
    if attrs_positive in classes:
        return attrs_positive
    # the rarer class is usually the event of interest
    counts = y.value_counts()
    return counts.index[-1]
