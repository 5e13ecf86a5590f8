"""``python -m bench [family ...] [--quick] [--repeats N] [--sizes LIST] [--json PATH]
[--markdown]``: lemma and scikit-learn side by side, in one process, on the same data.

Prints the machine, then one row per case (fit and predict time of each side and their
ratio lemma/scikit-learn, peak memory of fit, test metric of each) and the rows that
miss the targets of issue 2. ``--json`` writes every raw timing. Run from the repo root.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.families import FAMILIES, load
from bench.harness import (
    describe_machine,
    machine_info,
    render_markdown,
    render_misses,
    render_text,
    repeats_for,
    run_case,
)

#: The suite of issue 2: n ∈ {1e4, 1e5, 1e6} × d ∈ {10, 100}; --quick drops n = 1e6.
DIMENSIONS = (10, 100)
FULL_N = (10_000, 100_000, 1_000_000)
QUICK_N = (10_000, 100_000)


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """``"1e4,1e5x100"`` → ``[(10000, 10), (10000, 100), (100000, 100)]``.

    An entry ``N`` takes every d of the suite, ``NxD`` one pair; numbers may be written
    ``1e5``.

    Examples
    --------
    >>> from bench.__main__ import parse_sizes
    >>> parse_sizes("1e4,2000x5")
    [(10000, 10), (10000, 100), (2000, 5)]
    """
    sizes: list[tuple[int, int]] = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        n_text, _, d_text = entry.partition("x")
        try:
            n = int(float(n_text))
            dims = [int(float(d_text))] if d_text else list(DIMENSIONS)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"size {entry!r} is not N or NxD (e.g. 1e5 or 1e5x10)"
            ) from None
        if n < 10 or min(dims) < 1:
            raise argparse.ArgumentTypeError(f"size {entry!r} needs n ≥ 10 and d ≥ 1")
        sizes.extend((n, d) for d in dims)
    return sizes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="lemma vs scikit-learn: fit/predict time, peak memory, test metric.",
    )
    parser.add_argument(
        "family", nargs="*", help=f"families to run (default: all): {', '.join(FAMILIES)}"
    )
    parser.add_argument("--quick", action="store_true", help="n ∈ {1e4, 1e5}, 2 repeats")
    parser.add_argument(
        "--repeats", type=int, help="timed repeats at every size (default 3 or quick 2; 2 at 1e6)"
    )
    parser.add_argument(
        "--sizes", type=parse_sizes, help="sizes to run, e.g. 1e4,1e5x100 (N: every d)"
    )
    parser.add_argument(
        "--threads", type=int, default=os.cpu_count(), help="BLAS/OpenMP/Numba threads"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic data")
    parser.add_argument("--json", type=Path, help="write every raw timing to this file")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    return parser


def _gather(families: list[str], sizes: list[tuple[int, int]], seed: int):
    cases, notes = [], []
    for family in families:
        found, skipped = load(family).cases(sizes, seed)
        cases += found
        notes += skipped
    return cases, notes


def _run(cases, repeats: int, fixed: bool) -> list[dict]:
    """Run the cases in order; ``fixed``: ``repeats`` at every size (no fewer at 1e6)."""
    rows = []
    warmed: set[type] = set()
    for index, case in enumerate(cases, start=1):
        start = time.perf_counter()
        count = repeats if fixed else repeats_for(case.n, repeats)
        rows.append(run_case(case, count, warmed=warmed))
        print(
            f"[{index}/{len(cases)}] {case.name} n={case.n} d={case.d}: "
            f"{time.perf_counter() - start:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    return rows


def _report(info: dict, notes: list[str], rows: list[dict], markdown: bool) -> str:
    machine = describe_machine(info)
    if markdown:
        parts = [
            "### Machine\n\n" + "\n".join(f"- {line}" for line in machine),
            "### Results\n\n" + render_markdown(rows),
        ]
        if notes:
            parts.append("\n".join(f"- {note}" for note in notes))
        parts.append("### Misses and why\n\n" + render_misses(rows))
    else:
        parts = ["\n".join(machine), render_text(rows)]
        if notes:
            parts.append("\n".join(notes))
        parts.append("Misses:\n" + render_misses(rows))
    return "\n\n".join(parts)


def _limit_numba_threads(threads: int) -> int | None:
    try:
        import numba
    except ImportError:
        return None
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    return numba.get_num_threads()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    from threadpoolctl import threadpool_limits

    parser = _parser()
    args = parser.parse_args(argv)
    unknown = sorted(set(args.family) - set(FAMILIES))
    if unknown:
        parser.error(f"unknown family {unknown}; choose from {sorted(FAMILIES)}")
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    families = args.family or list(FAMILIES)
    n_values = QUICK_N if args.quick else FULL_N
    sizes = args.sizes or [(n, d) for n in n_values for d in DIMENSIONS]
    repeats = args.repeats or (2 if args.quick else 3)
    # gather first: it imports the families, hence scikit-learn's OpenMP and SciPy's
    # OpenBLAS, which threadpool_limits can only limit once they are loaded
    cases, notes = _gather(families, sizes, args.seed)
    with threadpool_limits(limits=args.threads):
        numba_threads = _limit_numba_threads(args.threads)
        info = machine_info()
        rows = _run(cases, repeats, fixed=args.repeats is not None)
    print(_report(info, notes, rows, args.markdown))
    if args.json is not None:
        settings = {
            "families": families,
            "sizes": sizes,
            "repeats": repeats,
            "threads": args.threads,
            "numba_threads": numba_threads,
            "seed": args.seed,
        }
        record = {"machine": info, "settings": settings, "notes": notes, "rows": rows}
        args.json.write_text(json.dumps(record, indent=1) + "\n")
        print(f"\nRaw timings written to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
