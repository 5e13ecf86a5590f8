"""Figures for the study report, drawn with matplotlib and embedded as PNG data URIs.

Every function takes plain numbers (no fitted models), draws one figure, and
returns ``data:image/png;base64,...`` so the report is one self-contained HTML
file that opens offline. matplotlib runs on its non-interactive Agg backend.

Examples
--------
>>> from lemma.study.plots import scores_with_intervals
>>> uri = scores_with_intervals(["a", "b"], [0.80, 0.85], [0.78, 0.83], [0.82, 0.87],
...                             tied=[False, True], metric="accuracy")
>>> uri.startswith("data:image/png;base64,")
True
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np

__all__ = [
    "bars_with_intervals",
    "calibration_curve_plot",
    "cluster_scatter",
    "confusion_matrix_plot",
    "curve_plot",
    "curve_plot_k",
    "learning_curve_plot",
    "predicted_vs_actual",
    "residuals_plot",
    "scores_with_intervals",
]

_BLUE, _ORANGE, _GREY = "#2b6cb0", "#dd6b20", "#718096"


def _figure(width: float = 6.4, height: float = 3.6):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _encode(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def scores_with_intervals(
    names: Sequence[str],
    means: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    *,
    tied: Sequence[bool],
    metric: str,
    chosen: str | None = None,
) -> str:
    """Cross-validated score per model with its interval; the best and its ties marked."""
    fig, ax = _figure(6.4, 0.6 + 0.55 * len(names))
    y = np.arange(len(names))[::-1]
    means, lows, highs = map(np.asarray, (means, lows, highs))
    colours = [
        _ORANGE if n == chosen else (_BLUE if t else _GREY)
        for n, t in zip(names, tied, strict=True)
    ]
    for yi, m, lo, hi, colour in zip(y, means, lows, highs, colours, strict=True):
        ax.errorbar(
            [m], [yi], xerr=[[m - lo], [hi - m]], fmt="o", color=colour, elinewidth=2, capsize=4
        )
    ax.set_yticks(y, [f"{n}{' (chosen)' if n == chosen else ''}" for n in names])
    ax.set_xlabel(f"cross-validated {metric} (95% corrected interval)")
    return _encode(fig)


def bars_with_intervals(
    labels: Sequence[str],
    values: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    *,
    xlabel: str,
    reference: float | None = None,
    max_bars: int = 15,
) -> str:
    """Horizontal bars with interval whiskers (importances, group metrics)."""
    labels, values = list(labels)[:max_bars], np.asarray(values, float)[:max_bars]
    lows, highs = np.asarray(lows, float)[:max_bars], np.asarray(highs, float)[:max_bars]
    fig, ax = _figure(6.4, 0.6 + 0.35 * len(labels))
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, color=_BLUE, alpha=0.8)
    ok = np.isfinite(lows) & np.isfinite(highs)
    ax.errorbar(
        values[ok],
        y[ok],
        xerr=[values[ok] - lows[ok], highs[ok] - values[ok]],
        fmt="none",
        ecolor="black",
        capsize=3,
        elinewidth=1,
    )
    if reference is not None:
        ax.axvline(reference, color=_ORANGE, linestyle="--", linewidth=1)
    ax.set_yticks(y, labels)
    ax.set_xlabel(xlabel)
    return _encode(fig)


def learning_curve_plot(
    train_sizes: Sequence[float],
    train_mean: Sequence[float],
    valid_mean: Sequence[float],
    valid_low: Sequence[float],
    valid_high: Sequence[float],
    *,
    metric: str,
) -> str:
    """Training and validation score against training-set size."""
    fig, ax = _figure()
    ax.plot(train_sizes, train_mean, "o-", color=_GREY, label="training")
    ax.plot(train_sizes, valid_mean, "o-", color=_BLUE, label="validation")
    ax.fill_between(train_sizes, valid_low, valid_high, color=_BLUE, alpha=0.15)
    ax.set_xlabel("training rows")
    ax.set_ylabel(metric)
    ax.legend(frameon=False)
    return _encode(fig)


def curve_plot(
    x: Sequence[float], y: Sequence[float], *, kind: str, label: str, baseline: float | None = None
) -> str:
    """ROC (kind="roc", with the chance diagonal) or precision-recall (kind="pr") curve."""
    fig, ax = _figure(4.2, 3.8)
    ax.plot(x, y, color=_BLUE, label=label)
    if kind == "roc":
        ax.plot([0, 1], [0, 1], color=_GREY, linestyle=":")
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
    else:
        if baseline is not None:
            ax.axhline(baseline, color=_GREY, linestyle=":")
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(frameon=False, loc="lower right" if kind == "roc" else "lower left")
    return _encode(fig)


def calibration_curve_plot(
    mean_predicted: Sequence[float], observed: Sequence[float], counts: Sequence[int]
) -> str:
    """Reliability diagram: observed rate against mean predicted probability per bin."""
    fig, ax = _figure(4.2, 3.8)
    ax.plot([0, 1], [0, 1], color=_GREY, linestyle=":")
    sizes = 20 + 180 * np.asarray(counts, float) / max(float(np.max(counts)), 1.0)
    ax.plot(mean_predicted, observed, "-", color=_BLUE)
    ax.scatter(mean_predicted, observed, s=sizes, color=_BLUE, zorder=3)
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return _encode(fig)


def confusion_matrix_plot(matrix: np.ndarray, labels: Sequence[str]) -> str:
    """Counts with row-normalised shading (each true class sums to 1)."""
    matrix = np.asarray(matrix)
    fig, ax = _figure(4.2, 3.8)
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            ax.text(
                j,
                i,
                f"{matrix[i, j]:,}",
                ha="center",
                va="center",
                color="white" if shares[i, j] > 0.5 else "black",
            )
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return _encode(fig)


def residuals_plot(fitted: Sequence[float], residuals: Sequence[float]) -> str:
    """Residuals against fitted values, with a zero line."""
    fig, ax = _figure()
    ax.scatter(fitted, residuals, s=6, alpha=0.4, color=_BLUE)
    ax.axhline(0, color=_ORANGE, linewidth=1)
    ax.set_xlabel("fitted value")
    ax.set_ylabel("residual")
    return _encode(fig)


def predicted_vs_actual(actual: Sequence[float], predicted: Sequence[float]) -> str:
    """Predicted against actual values, with the identity line."""
    fig, ax = _figure(4.2, 3.8)
    ax.scatter(actual, predicted, s=6, alpha=0.4, color=_BLUE)
    lo = float(min(np.min(actual), np.min(predicted)))
    hi = float(max(np.max(actual), np.max(predicted)))
    ax.plot([lo, hi], [lo, hi], color=_ORANGE, linewidth=1)
    ax.set_xlabel("actual")
    ax.set_ylabel("predicted")
    return _encode(fig)


def curve_plot_k(ks: Sequence[int], table) -> str:
    """Inertia (elbow) and silhouette against the number of clusters k."""
    fig, ax = _figure()
    ax.plot(ks, table["inertia"], "o-", color=_GREY, label="inertia (within-cluster SS)")
    ax.set_xlabel("number of clusters k")
    ax.set_ylabel("inertia")
    if "silhouette" in table:
        twin = ax.twinx()
        twin.plot(ks, table["silhouette"], "s-", color=_BLUE, label="silhouette")
        twin.set_ylabel("silhouette")
        twin.spines[["top"]].set_visible(False)
        lines = ax.get_lines() + twin.get_lines()
        ax.legend(lines, [line.get_label() for line in lines], frameon=False, loc="upper center")
    return _encode(fig)


def cluster_scatter(
    x: Sequence[float], y: Sequence[float], labels: Sequence[int], *, explained: float
) -> str:
    """Rows on the first two principal components, coloured by cluster."""
    import matplotlib

    fig, ax = _figure(5.2, 4.2)
    labels = np.asarray(labels)
    cmap = matplotlib.colormaps["tab10"]
    for k in np.unique(labels):
        mask = labels == k
        ax.scatter(
            np.asarray(x)[mask],
            np.asarray(y)[mask],
            s=6,
            alpha=0.5,
            color=cmap(k % 10),
            label=f"cluster {k}",
        )
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    ax.set_title(f"{explained:.0%} of the variance shown", fontsize=9)
    ax.legend(frameon=False, markerscale=2, fontsize=8)
    return _encode(fig)
