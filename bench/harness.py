"""Measure lemma and scikit-learn side by side on the same data, in one process.

For one :class:`Case` (an estimator pair, a task and a size ``n × d``) :func:`run_case`

1. generates the data once (:mod:`bench.data`);
2. warms each estimator class up once per process (imports, Numba compilation) and
   keeps that first-call time apart from the timings;
3. interleaves the timed repeats — lemma, scikit-learn, lemma, scikit-learn, … — each
   fit and predict timed by ``time.perf_counter`` with ``gc.collect()`` before and the
   garbage collector off during the call; the row reports the medians;
4. fits each once more under ``tracemalloc`` for the peak memory of ``fit`` (NumPy
   reports its buffers to tracemalloc, Numba allocates through Python's raw allocator;
   BLAS/LAPACK internal workspace is not counted);
5. scores the test set: R² for regressors, accuracy and log-loss for classifiers.

Ratios are lemma / scikit-learn (below 1: lemma is faster or leaner). The targets come
from issue 2: at equal test metric (to 1e-4), fit ratio ≤ 1.0 (≤ 1.2 for Lasso) and
peak memory ≤ scikit-learn's + 10 %.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import subprocess
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.data import GENERATORS

__all__ = [
    "ROW_FIELDS",
    "Case",
    "machine_info",
    "misses",
    "render_markdown",
    "render_text",
    "repeats_for",
    "run_case",
]

SIDES = ("lemma", "sklearn")


def _r2(model: Any, X: np.ndarray, y: np.ndarray, y_pred: np.ndarray) -> float:
    residual = y - y_pred
    centred = y - y.mean()
    return float(1.0 - residual @ residual / (centred @ centred))


def _accuracy(model: Any, X: np.ndarray, y: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(y_pred == y))


def _log_loss(model: Any, X: np.ndarray, y: np.ndarray, y_pred: np.ndarray) -> float:
    proba = np.clip(model.predict_proba(X), 1e-15, 1.0)
    column = np.searchsorted(np.asarray(model.classes_), y)
    return float(-np.mean(np.log(proba[np.arange(y.size), column])))


#: Task -> test metrics, the first being the one shown in the table.
METRICS: dict[str, dict[str, Callable[..., float]]] = {
    "regression": {"r2": _r2},
    "binary": {"accuracy": _accuracy, "log_loss": _log_loss},
    "multiclass": {"accuracy": _accuracy, "log_loss": _log_loss},
}


@dataclass(frozen=True)
class Case:
    """One benchmark row: an estimator pair on one synthetic data set.

    Parameters
    ----------
    name : str
        Row label, e.g. ``"LogisticRegression (multinomial)"``.
    family : str
        Family it belongs to (``"linear"``).
    n, d : int
        Rows (train + test) and features.
    task : {"regression", "binary", "multiclass"}
        Data generator and metrics.
    make_lemma, make_sklearn : callable
        Return a fresh, unfitted estimator.
    fit_ratio_target : float, default=1.0
        Largest acceptable lemma/scikit-learn median fit time.
    memory_ratio_target : float, default=1.1
        Largest acceptable lemma/scikit-learn peak memory of fit.
    metric_tolerance : float, default=1e-4
        Largest acceptable |metric lemma − metric scikit-learn|.
    seed : int, default=0
    fit_kwargs : dict
        Extra keyword arguments of ``fit`` (both sides).
    """

    name: str
    family: str
    n: int
    d: int
    task: str
    make_lemma: Callable[[], Any]
    make_sklearn: Callable[[], Any]
    fit_ratio_target: float = 1.0
    memory_ratio_target: float = 1.1
    metric_tolerance: float = 1e-4
    seed: int = 0
    fit_kwargs: dict[str, Any] = field(default_factory=dict)


#: Every key of a row returned by :func:`run_case`.
ROW_FIELDS = (
    "name", "family", "n", "d", "task", "repeats",
    "fit_lemma", "fit_sklearn", "fit_ratio",
    "predict_lemma", "predict_sklearn", "predict_ratio",
    "peak_mb_lemma", "peak_mb_sklearn", "memory_ratio",
    "metric", "metric_lemma", "metric_sklearn", "metric_diff", "metrics",
    "times", "first_call", "warnings", "targets", "misses",
)  # fmt: skip


def repeats_for(n: int, base: int) -> int:
    """Timed repeats for ``n`` rows: ``base``, at most 2 from a million rows up.

    Examples
    --------
    >>> from bench.harness import repeats_for
    >>> repeats_for(10_000, 3), repeats_for(1_000_000, 3)
    (3, 2)
    """
    return base if n < 1_000_000 else max(1, min(base, 2))


def _timed(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """``function(*args, **kwargs)`` and its wall time, with the collector off."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        out = function(*args, **kwargs)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return out, elapsed


def _peak_bytes(make: Callable[[], Any], X: np.ndarray, y: np.ndarray, kwargs: dict) -> int:
    """Peak traced memory of one fit (allocations made before it are not counted)."""
    model = make()
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        model.fit(X, y, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak


def _ratio(numerator: float, denominator: float) -> float:
    if denominator > 0:
        return numerator / denominator
    return 1.0 if numerator == 0 else float("inf")


class _Caught:
    """Collects the distinct warnings raised while benchmarking one side."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, records: list[warnings.WarningMessage]) -> None:
        for record in records:
            text = f"{record.category.__name__}: {str(record.message)[:160]}"
            if text not in self.messages:
                self.messages.append(text)


def _call(caught: _Caught, function: Callable[..., Any], *args: Any, **kwargs: Any):
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        out = _timed(function, *args, **kwargs)
    caught.add(records)
    return out


def run_case(case: Case, repeats: int = 3, *, warmed: set[type] | None = None) -> dict:
    """Benchmark one case: interleaved timings, peak memory and test metrics.

    Parameters
    ----------
    case : Case
    repeats : int, default=3
        Timed fits (and predicts) of each side.
    warmed : set of type, optional
        Estimator classes already warmed up in this process; updated in place. A first
        fit of any class not in it is run untimed first (its time goes to
        ``first_call``). None: warm both classes up.

    Returns
    -------
    dict
        Keys :data:`ROW_FIELDS`; times in seconds, memory in MB (10⁶ bytes).

    Examples
    --------
    >>> from sklearn.linear_model import Ridge as SkRidge
    >>> from lemma.models.linear import Ridge
    >>> from bench.harness import Case, run_case
    >>> case = Case("Ridge", "linear", 200, 3, "regression", Ridge, SkRidge)
    >>> row = run_case(case, repeats=1)
    >>> abs(row["metric_diff"]) < 1e-10, row["fit_ratio"] > 0
    (True, True)
    """
    warmed = set() if warmed is None else warmed
    data = GENERATORS[case.task](case.n, case.d, case.seed)
    X, y = data.X_train, data.y_train
    makers = {"lemma": case.make_lemma, "sklearn": case.make_sklearn}
    caught = {side: _Caught() for side in SIDES}
    first_call: dict[str, float | None] = {}
    for side in SIDES:
        model = makers[side]()
        first_call[side] = None
        if type(model) not in warmed:
            _, seconds = _call(caught[side], model.fit, X, y, **case.fit_kwargs)
            _call(caught[side], model.predict, data.X_test)
            warmed.add(type(model))
            first_call[side] = seconds
    times: dict[str, dict[str, list[float]]] = {s: {"fit": [], "predict": []} for s in SIDES}
    fitted: dict[str, Any] = {}
    predicted: dict[str, np.ndarray] = {}
    for repeat in range(repeats):
        # Alternate which side goes first (ABBA): the first fit of a pair can pay for the
        # other's freed memory (page faults on fresh pages), a bias of up to 3× measured
        # on memory-bound fits (the encoders at 1e6 × 100) when lemma always went first.
        for side in SIDES if repeat % 2 == 0 else SIDES[::-1]:
            model = makers[side]()
            _, fit_seconds = _call(caught[side], model.fit, X, y, **case.fit_kwargs)
            y_pred, predict_seconds = _call(caught[side], model.predict, data.X_test)
            times[side]["fit"].append(fit_seconds)
            times[side]["predict"].append(predict_seconds)
            fitted[side], predicted[side] = model, y_pred
    peak = {}
    for side in SIDES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            peak[side] = _peak_bytes(makers[side], X, y, case.fit_kwargs) / 1e6
    scores = {
        side: {
            name: metric(fitted[side], data.X_test, data.y_test, predicted[side])
            for name, metric in METRICS[case.task].items()
        }
        for side in SIDES
    }
    return _row(case, repeats, times, peak, scores, first_call, caught)


def _row(case, repeats, times, peak, scores, first_call, caught) -> dict:
    median = {s: {k: statistics.median(v) for k, v in times[s].items()} for s in SIDES}
    metric = next(iter(METRICS[case.task]))
    row = {
        "name": case.name,
        "family": case.family,
        "n": case.n,
        "d": case.d,
        "task": case.task,
        "repeats": repeats,
        "fit_lemma": median["lemma"]["fit"],
        "fit_sklearn": median["sklearn"]["fit"],
        "fit_ratio": _ratio(median["lemma"]["fit"], median["sklearn"]["fit"]),
        "predict_lemma": median["lemma"]["predict"],
        "predict_sklearn": median["sklearn"]["predict"],
        "predict_ratio": _ratio(median["lemma"]["predict"], median["sklearn"]["predict"]),
        "peak_mb_lemma": peak["lemma"],
        "peak_mb_sklearn": peak["sklearn"],
        "memory_ratio": _ratio(peak["lemma"], peak["sklearn"]),
        "metric": metric,
        "metric_lemma": scores["lemma"][metric],
        "metric_sklearn": scores["sklearn"][metric],
        "metric_diff": scores["lemma"][metric] - scores["sklearn"][metric],
        "metrics": scores,
        "times": times,
        "first_call": first_call,
        "warnings": {side: caught[side].messages for side in SIDES},
        "targets": {
            "fit_ratio": case.fit_ratio_target,
            "memory_ratio": case.memory_ratio_target,
            "metric_tolerance": case.metric_tolerance,
        },
    }
    row["misses"] = misses(row)
    return row


def misses(row: dict) -> list[str]:
    """Which targets of issue 2 a row misses, in words (empty: all met).

    Examples
    --------
    >>> from bench.harness import misses
    >>> row = {"fit_ratio": 1.3, "memory_ratio": 1.0, "metric_diff": 0.0,
    ...        "targets": {"fit_ratio": 1.0, "memory_ratio": 1.1, "metric_tolerance": 1e-4}}
    >>> misses(row)
    ['fit time 1.30× scikit-learn (target ≤ 1.0)']
    """
    targets = row["targets"]
    found = []
    if abs(row["metric_diff"]) > targets["metric_tolerance"]:
        found.append(
            f"test metric differs by {row['metric_diff']:+.2e} "
            f"(target |Δ| ≤ {targets['metric_tolerance']:g})"
        )
    if row["fit_ratio"] > targets["fit_ratio"]:
        found.append(
            f"fit time {row['fit_ratio']:.2f}× scikit-learn (target ≤ {targets['fit_ratio']:.1f})"
        )
    if row["memory_ratio"] > targets["memory_ratio"]:
        found.append(
            f"peak memory {row['memory_ratio']:.2f}× scikit-learn "
            f"(target ≤ {targets['memory_ratio']:.1f})"
        )
    return found


# ----------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def _git(*args: str) -> str:
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def _lemma_version() -> str:
    """The commit measured, flagged when lemma/ has uncommitted changes."""
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    if _git("status", "--porcelain", "--untracked-files=all", "--", "lemma"):
        commit += " + uncommitted changes in lemma/"
    return commit


def machine_info() -> dict:
    """CPU, cores, RAM, OS, library versions, BLAS and its threads, load and date.

    Call it inside the thread limits the benchmark runs under, so that the thread
    counts recorded are the ones used.
    """
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    pools = [
        {
            "api": pool.get("internal_api"),
            "version": pool.get("version"),
            "threads": pool.get("num_threads"),
            "library": Path(pool.get("filepath", "")).name,
        }
        for pool in threadpool_info()
    ]
    ram = _ram_gb()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": None if ram is None else round(ram, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "lemma_commit": _lemma_version(),
        "thread_pools": pools,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def describe_machine(info: dict) -> list[str]:
    """The machine as short ``label: value`` lines."""
    pools = "; ".join(
        f"{p['api']} {p['version'] or ''} ({p['library']}), {p['threads']} threads".replace(
            "  ", " "
        )
        for p in info["thread_pools"]
    )
    load = info["load_average"]
    return [
        f"CPU: {info['cpu']}, {info['cores']} logical cores, {info['ram_gb']} GB RAM",
        f"OS: {info['os']}",
        f"Python {info['python']}, NumPy {info['numpy']}, SciPy {info['scipy']}, "
        f"scikit-learn {info['sklearn']}, lemma commit {info['lemma_commit']}",
        f"Thread pools: {pools}",
        "Load average at start (1/5/15 min): "
        + ("n/a" if load is None else " / ".join(f"{x:.2f}" for x in load)),
        f"Date: {info['date']}",
    ]


# ----------------------------------------------------------------------------- tables


def _seconds(value: float) -> str:
    if value >= 1.0:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def _size(value: int) -> str:
    text = str(value)
    return f"1e{len(text) - 1}" if text == "1" + "0" * (len(text) - 1) else text


def _log_loss_diff(row: dict) -> str:
    scores = row["metrics"]
    if "log_loss" not in scores["lemma"]:
        return ""
    return f"{scores['lemma']['log_loss'] - scores['sklearn']['log_loss']:+.1e}"


#: (header, alignment, cell) of each table column, in order.
COLUMNS: tuple[tuple[str, str, Callable[[dict], str]], ...] = (
    ("estimator", "<", lambda r: r["name"]),
    ("n", ">", lambda r: _size(r["n"])),
    ("d", ">", lambda r: str(r["d"])),
    ("fit lemma", ">", lambda r: _seconds(r["fit_lemma"])),
    ("fit sklearn", ">", lambda r: _seconds(r["fit_sklearn"])),
    ("ratio", ">", lambda r: f"{r['fit_ratio']:.2f}"),
    ("predict lemma", ">", lambda r: _seconds(r["predict_lemma"])),
    ("predict sklearn", ">", lambda r: _seconds(r["predict_sklearn"])),
    ("ratio", ">", lambda r: f"{r['predict_ratio']:.2f}"),
    ("peak MB lemma", ">", lambda r: f"{r['peak_mb_lemma']:.1f}"),
    ("peak MB sklearn", ">", lambda r: f"{r['peak_mb_sklearn']:.1f}"),
    ("metric", "<", lambda r: r["metric"]),
    ("lemma", ">", lambda r: f"{r['metric_lemma']:.6f}"),
    ("sklearn", ">", lambda r: f"{r['metric_sklearn']:.6f}"),
    ("Δ", ">", lambda r: f"{r['metric_diff']:+.1e}"),
    ("Δ log-loss", ">", _log_loss_diff),
    ("targets", "<", lambda r: "miss" if r["misses"] else "ok"),
)


def _cells(rows: list[dict]) -> list[list[str]]:
    return [[cell(row) for _, _, cell in COLUMNS] for row in rows]


def render_text(rows: list[dict]) -> str:
    """The rows as a fixed-width table.

    Examples
    --------
    >>> from bench.harness import render_text
    >>> render_text([]).split()[:3]
    ['estimator', 'n', 'd']
    """
    header = [name for name, _, _ in COLUMNS]
    body = _cells(rows)
    widths = [max(len(text) for text in column) for column in zip(header, *body, strict=True)]
    aligns = [align for _, align, _ in COLUMNS]

    def line(cells: list[str]) -> str:
        padded = (f"{c:{a}{w}}" for c, a, w in zip(cells, aligns, widths, strict=True))
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(cells) for cells in body)])


def render_markdown(rows: list[dict]) -> str:
    """The rows as a Markdown table.

    Examples
    --------
    >>> from bench.harness import render_markdown
    >>> render_markdown([]).splitlines()[1].startswith("| --- | ---: |")
    True
    """
    header = [name for name, _, _ in COLUMNS]
    rule = ["---" if align == "<" else "---:" for _, align, _ in COLUMNS]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(cells) + " |" for cells in _cells(rows)]
    return "\n".join(lines)


def render_misses(rows: list[dict]) -> str:
    """One Markdown bullet per row over a target, with a place for the reason."""
    lines = [
        f"- {row['name']}, n={_size(row['n'])}, d={row['d']}: "
        + "; ".join(row["misses"])
        + " — (to be explained)"
        for row in rows
        if row["misses"]
    ]
    return "\n".join(lines) if lines else "None: every row meets its targets."
