"""Study stages for a table without a target: scale, choose k, cluster, describe.

    load → profile → clean → prepare → choose k → cluster → profiles → card → save

There is no held-out test set: clustering has no labels to score against, so the
study reports internal measures (silhouette, Davies–Bouldin, Calinski–Harabasz),
the criteria behind the choice of k, and what distinguishes each cluster in the
original units of the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lemma.study import plots
from lemma.study.result import CandidateResult, Study

__all__ = ["stage_choose_k", "stage_cluster", "stage_prepare_clustering", "stage_profiles"]

#: Candidate numbers of clusters.
K_RANGE = range(2, 11)
#: Rows of the silhouette sample on large tables.
SILHOUETTE_SAMPLE = 5000


def stage_prepare_clustering(study: Study) -> str:
    """Plan the preparation (imputed, encoded, standardised) and apply it to every row."""
    from lemma.prep import auto_prepare

    X = study.data.drop(columns=[c for c in study.config.sensitive if c in study.data.columns])
    plan = auto_prepare(X, None, random_state=study.config.seed)
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
    study.X_train = X
    study.Z = np.asarray(plan.transformer.fit_transform(X), dtype=np.float64)
    study.split = {
        "n_train": len(X),
        "n_test": 0,
        "features": list(X.columns),
        "how": "no split: clustering uses every row",
    }
    return f"{study.Z.shape[1]} prepared features from {X.shape[1]} columns"


def stage_choose_k(study: Study) -> str:
    """Score k = 2..10 by elbow, silhouette and gap statistic; keep the recommendation."""
    from lemma.models.cluster import choose_k

    k_max = min(max(K_RANGE), len(study.Z) - 1)
    result = choose_k(study.Z, range(min(K_RANGE), k_max + 1), random_state=study.config.seed)
    table = result.table
    study.diagnostics["choose_k"] = {
        "table": table,
        "recommended_k": int(result.recommended_k),
        "reason": result.reason,
    }
    if "silhouette" in table.columns:
        study.figures["choose_k"] = plots.curve_plot_k(table.index.to_numpy(), table)
    study.metric = "silhouette"
    return result.reason


def stage_cluster(study: Study) -> str:
    """k-means with the chosen k, inside a pipeline with the preparation (refit on all rows)."""
    from lemma import metrics
    from lemma.base import clone
    from lemma.models.cluster import KMeans
    from lemma.pipeline import Pipeline

    k = study.diagnostics["choose_k"]["recommended_k"]
    model = Pipeline(
        [
            ("prepare", clone(study.prep_scaled)),
            ("model", KMeans(n_clusters=k, n_init=10, random_state=study.config.seed)),
        ]
    )
    model.fit(study.X_train)
    study.model = model
    labels = model.named_steps["model"].labels_
    study.labels = labels
    Z = study.Z
    rng = np.random.default_rng(study.config.seed)
    rows = (
        rng.choice(len(Z), SILHOUETTE_SAMPLE, replace=False)
        if len(Z) > SILHOUETTE_SAMPLE
        else np.arange(len(Z))
    )
    scores = {
        "silhouette": float(metrics.silhouette_score(Z[rows], labels[rows])),
        "davies_bouldin": float(metrics.davies_bouldin_score(Z, labels)),
        "calinski_harabasz": float(metrics.calinski_harabasz_score(Z, labels)),
    }
    study.test_metrics = {
        name: {
            "estimate": value,
            "ci_low": None,
            "ci_high": None,
            "method": "on all rows" if name != "silhouette" else f"on {len(rows):,} sampled rows",
        }
        for name, value in scores.items()
    }
    sizes = np.bincount(labels, minlength=k)
    chosen = CandidateResult(
        name="kmeans",
        label=f"k-means (k = {k})",
        estimator="KMeans",
        reason=study.diagnostics["choose_k"]["reason"],
        best_params={"n_clusters": k},
        fold_scores=np.array([]),
        mean=scores["silhouette"],
        ci_low=float("nan"),
        ci_high=float("nan"),
        n_evaluated=len(study.diagnostics["choose_k"]["table"]),
        seconds=0.0,
    )
    study.candidates = [chosen]
    study.chosen = chosen
    study.comparison = {"reason": f"k = {k}: {chosen.reason}", "best": "kmeans", "chosen": "kmeans"}
    study.diagnostics["cluster_sizes"] = sizes
    study.figures["clusters"] = _scatter(Z, labels, study.config.seed)
    return (
        f"{k} clusters of sizes {', '.join(str(s) for s in sizes)}; silhouette "
        f"{scores['silhouette']:.3f}"
    )


def _scatter(Z: np.ndarray, labels: np.ndarray, seed: int) -> str:
    from lemma.models.decomposition import PCA

    rng = np.random.default_rng(seed)
    rows = rng.choice(len(Z), min(len(Z), 5000), replace=False)
    pca = PCA(n_components=2, random_state=seed).fit(Z)
    P = pca.transform(Z[rows])
    explained = pca.explained_variance_ratio_.sum()
    return plots.cluster_scatter(P[:, 0], P[:, 1], labels[rows], explained=float(explained))


def stage_profiles(study: Study) -> str:
    """What distinguishes each cluster, in the data's original units."""
    from lemma.models.cluster import cluster_profiles

    profiles = cluster_profiles(study.X_train, study.labels)
    study.explanations["cluster_profiles"] = profiles.table
    study.explanations["cluster_differences"] = profiles.differences
    study.explanations["cluster_descriptions"] = {
        str(k): v for k, v in profiles.descriptions.items()
    }
    first = next(iter(profiles.descriptions.values()), "")
    return f"{len(profiles.descriptions)} clusters described; e.g. {first[:80]}"


def headline_frame(study: Study) -> pd.DataFrame:
    """The choice-of-k table for the report."""
    table = study.diagnostics.get("choose_k", {}).get("table")
    return table if table is not None else pd.DataFrame()
