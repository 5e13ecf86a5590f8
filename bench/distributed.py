"""``python -m bench.distributed [--n 1e7] [--d 20] [--chunk-rows N] [--k 8] [--json PATH]``:
lemma's distributed LinearRegression and KMeans on a LocalCluster (2 worker processes,
1 thread each), beside the in-memory fit and dask-ml's estimators when installed.

The data are generated lazily (``dask.array.random``): X ~ N(0, 1) of n × d float64
in partitions of ``--chunk-rows`` rows, y = Xβ + 1 + N(0, 1) noise, k-means on X
shifted by k well-separated centres. Every pass over the data regenerates its
partitions on the workers, so no process ever holds X.

Each distributed case runs on a fresh cluster: the time of ``fit`` (median of
``--repeats``), and per worker the peak resident memory of the process
(``ru_maxrss``) and that peak above the worker's resident memory before the fit
(libraries loaded). The in-memory fit (lemma, on X computed into this process, when
it takes less than a quarter of the free memory) is timed in this process with its
tracemalloc peak. Every case first fits once, untimed, on 8,000 rows generated the
same way on its cluster (imports, Numba compilation). KMeans is timed twice: a fixed
10 Lloyd iterations from the same initial centres (tol = 0; time per iteration is
comparable across libraries), and a whole fit from k-means|| seeding to tol = 1e-4.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

LLOYD_ITERATIONS = 10


def _worker_rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def _worker_peak() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def data(n: int, d: int, chunk_rows: int, k: int, seed: int) -> dict[str, Any]:
    """Lazy X, y (regression) and Xk (k clusters) and the generating parameters."""
    import dask.array as da

    rng = da.random.default_rng(seed)
    beta = np.linspace(-1.0, 1.0, d)
    X = rng.normal(size=(n, d), chunks=(chunk_rows, d))
    y = X @ beta + 1.0 + rng.normal(size=n, chunks=chunk_rows)
    centres = np.random.default_rng(seed).normal(scale=10.0, size=(k, d))
    labels = rng.integers(0, k, size=n, chunks=chunk_rows)
    Xk = X + da.map_blocks(lambda b: centres[b], labels, new_axis=1, chunks=(X.chunks[0], (d,)))
    return {"X": X, "y": y, "Xk": Xk, "beta": beta, "centres": centres}


def on_cluster(fit: Callable[[dict], Any], lazy: dict, small: dict, repeats: int) -> dict:
    """Time ``fit(lazy)`` on a fresh 2-worker LocalCluster, after an untimed ``fit(small)``
    (imports, Numba compilation); the workers' memory."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        fit(small)
        before = client.run(_worker_rss)
        times, model = [], None
        for _ in range(repeats):
            start = time.perf_counter()
            model = fit(lazy)
            times.append(time.perf_counter() - start)
        peaks = client.run(_worker_peak)
    return {
        "seconds": statistics.median(times),
        "times": times,
        "worker_peak_mb": [round(p / 1e6) for p in peaks.values()],
        "worker_rise_mb": [round((peaks[w] - before[w]) / 1e6) for w in peaks],
        "model": model,
    }


def in_memory(fit: Callable[[], Any]) -> dict:
    tracemalloc.start()
    start = time.perf_counter()
    model = fit()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"seconds": seconds, "peak_mb": round(peak / 1e6), "model": model}


def cases(args: argparse.Namespace) -> dict[str, dict]:
    """Every measurement of the run, by name."""
    import dask

    import lemma

    lazy = data(args.n, args.d, args.chunk_rows, args.k, args.seed)
    small = data(4 * 2_000, args.d, 2_000, args.k, args.seed)
    start = np.random.default_rng(args.seed + 1).normal(scale=10.0, size=(args.k, args.d))
    lloyd = {"n_clusters": args.k, "init": start, "n_init": 1, "max_iter": LLOYD_ITERATIONS,
             "tol": 0.0}  # fmt: skip
    plans: dict[str, Callable[[dict], Any]] = {
        "LinearRegression lemma": lambda v: lemma.LinearRegression().fit(v["X"], v["y"]),
        "KMeans 10 Lloyd lemma": lambda v: lemma.KMeans(**lloyd).fit(v["Xk"]),
        "KMeans whole fit lemma": lambda v: lemma.KMeans(
            args.k, init="k-means++", random_state=args.seed
        ).fit(v["Xk"]),
    }
    try:
        from dask_ml.cluster import KMeans as DaskMLKMeans
        from dask_ml.linear_model import LinearRegression as DaskMLLinearRegression

        plans |= {
            "LinearRegression dask-ml (newton)": lambda v: DaskMLLinearRegression(
                solver="newton").fit(v["X"], v["y"]),
            "LinearRegression dask-ml (lbfgs)": lambda v: DaskMLLinearRegression(
                solver="lbfgs").fit(v["X"], v["y"]),
            "KMeans 10 Lloyd dask-ml": lambda v: DaskMLKMeans(**lloyd).fit(v["Xk"]),
            "KMeans whole fit dask-ml": lambda v: DaskMLKMeans(
                args.k, random_state=args.seed).fit(v["Xk"]),
        }  # fmt: skip
    except ImportError:
        print("dask-ml is not installed: lemma only", file=sys.stderr)
    plans = {name: fit for name, fit in plans.items() if args.only in name}
    out: dict[str, dict] = {}
    for name, fit in plans.items():
        print(f"… {name}", file=sys.stderr, flush=True)
        out[name] = on_cluster(fit, lazy, small, args.repeats)
    if lazy["X"].nbytes < _free_bytes() / 4 and args.in_memory:
        X_mem, y_mem, Xk_mem = dask.compute(lazy["X"], lazy["y"], lazy["Xk"], scheduler="threads")
        out["LinearRegression lemma in memory"] = in_memory(
            lambda: lemma.LinearRegression().fit(X_mem, y_mem)
        )
        out["KMeans 10 Lloyd lemma in memory"] = in_memory(
            lambda: lemma.KMeans(**lloyd).fit(Xk_mem)
        )
    _agreement(out, lazy)
    return out


def _free_bytes() -> int:
    import psutil

    return psutil.virtual_memory().available


def _agreement(out: dict[str, dict], lazy: dict) -> None:
    """Distance of each fitted model from the truth / from lemma's distributed fit."""
    reference = out.get("LinearRegression lemma", {}).get("model")
    lloyd_model = out.get("KMeans 10 Lloyd lemma", {}).get("model")
    lloyd = None if lloyd_model is None else np.asarray(lloyd_model.cluster_centers_)
    for name, case in out.items():
        model = case.pop("model")
        if name.startswith("LinearRegression"):
            if reference is None:
                continue
            coef = np.ravel(model.coef_)
            case["max_abs_coef_diff_vs_lemma"] = float(np.max(np.abs(coef - reference.coef_)))
            case["max_abs_coef_error_vs_beta"] = float(np.max(np.abs(coef - lazy["beta"])))
            continue
        case["n_iter"] = int(np.asarray(model.n_iter_).max())
        case["inertia"] = float(model.inertia_)
        if name.startswith("KMeans 10 Lloyd") and lloyd is not None:
            centres = np.asarray(model.cluster_centers_)
            order = [int(np.argmin(((lloyd - c) ** 2).sum(1))) for c in centres]
            case["max_abs_centre_diff_vs_lemma"] = float(np.max(np.abs(centres - lloyd[order])))


def render(out: dict[str, dict], args: argparse.Namespace) -> str:
    lines = [
        f"n = {args.n:,}, d = {args.d}, {args.n // args.chunk_rows} partitions of "
        f"{args.chunk_rows:,} rows; X = {args.n * args.d * 8 / 1e9:.2f} GB, generated lazily",
        "LocalCluster: 2 worker processes × 1 thread",
        "",
        f"{'case':<38} {'fit s':>8} {'peak MB/worker':>16} {'rise MB/worker':>15}  agreement",
    ]
    for name, c in out.items():
        peak = "/".join(map(str, c.get("worker_peak_mb", []))) or f"{c['peak_mb']} (traced)"
        rise = "/".join(map(str, c.get("worker_rise_mb", []))) or "—"
        extra = {k: v for k, v in c.items() if k not in
                 ("seconds", "times", "worker_peak_mb", "worker_rise_mb", "peak_mb")}  # fmt: skip
        note = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                         for k, v in extra.items())  # fmt: skip
        lines.append(f"{name:<38} {c['seconds']:8.2f} {peak:>16} {rise:>15}  {note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.distributed", description=__doc__)
    parser.add_argument("--n", type=lambda s: int(float(s)), default=10_000_000)
    parser.add_argument("--d", type=int, default=20)
    parser.add_argument("--chunk-rows", type=lambda s: int(float(s)), default=500_000)
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="Run the cases whose name contains this.")
    parser.add_argument("--no-in-memory", dest="in_memory", action="store_false")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # dask-ml's deprecated config keys
        warnings.filterwarnings("ignore", "KMeans did not converge")  # 10 iterations, tol 0
        out = cases(args)
    print(render(out, args))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"args": vars(args), "cases": out}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
