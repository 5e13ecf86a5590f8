"""The ``lemma study`` command: options, the run, and the closing summary."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["run"]


def _summary(study: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    table = Table(title="Study summary", show_header=False)
    table.add_column("what")
    table.add_column("result", overflow="fold")
    head = study.headline
    if head["model"]:
        table.add_row("chosen model", str(head["model"]))
    if head["test_score"] is not None:
        table.add_row(
            f"test {study.metric}",
            f"{head['test_score']:.4f} (95% CI {head['test_ci_low']:.4f} to "
            f"{head['test_ci_high']:.4f})",
        )
    if study.comparison.get("reason"):
        table.add_row("why", study.comparison["reason"])
    if head["fairness_verdict"]:
        table.add_row("fairness", head["fairness_verdict"])
    total = sum(s.seconds for s in study.stages)
    table.add_row("time", f"{total:.0f} s")
    for name, path in study.outputs.items():
        table.add_row(name.replace("_", " "), path)
    console.print(table)
    if study.interrupted:
        console.print("[yellow]Interrupted: the report covers the stages that finished.[/yellow]")


def _read_big(data: str, max_rows: int, seed: int) -> Any:
    """DATA through Dask DataFrame, as a sample of at most ``max_rows`` rows in memory."""
    from lemma.cli_dask import require_dask

    require_dask("--engine dask")
    from lemma.distributed.read import read_collection, sample_rows

    frame, n_rows = sample_rows(read_collection(data), max_rows, seed)
    if n_rows > len(frame):
        click.echo(
            f"lemma: {data} has {n_rows:,} rows; the study uses a uniform sample of "
            f"{len(frame):,} (seed {seed}; raise --max-rows to use more).",
            err=True,
        )
    return frame


def _default_out(data: str) -> str:
    """``lemma-study-<name>`` for a file, folder or glob (glob characters dropped)."""
    stem = re.sub(r"[*?\[\]]", "", Path(data.rstrip("/\\")).stem).strip("-_.") or "data"
    return f"lemma-study-{stem.lower()}"


def run(
    data: str | None,
    target: str | None,
    sensitive: tuple[str, ...],
    task: str,
    metric: str | None,
    time_budget: float,
    test_size: float,
    seed: int,
    out: str | None,
    time_column: str | None,
    n_jobs: int,
    use_sensitive: bool,
    *,
    engine: str = "pandas",
    max_rows: int = 1_000_000,
    cluster: str | None = None,
) -> None:
    """Run the study and print where the report is (the CLI wrapper's body).

    With ``cluster`` the study runs inside :func:`lemma.distributed.use`, and its
    budget counts the cluster's threads as parallel slots; with ``engine="dask"``
    DATA is read through Dask DataFrame and sampled to ``max_rows`` rows.
    """
    from lemma.cli_dask import cluster_session, total_threads
    from lemma.study.result import StudyConfig
    from lemma.study.runner import dataset_defaults, run_study

    if not 0 < test_size < 1:
        raise click.BadParameter(f"--test-size must be between 0 and 1, got {test_size}.")
    name = data or "adult"
    with cluster_session(cluster) as client:
        frame = _read_big(name, max_rows, seed) if engine == "dask" else None
        target, default_sensitive = dataset_defaults(name, frame, target, list(sensitive) or None)
        config = StudyConfig(
            data=name,
            target=target,
            sensitive=tuple(sensitive or default_sensitive),
            task=task,
            metric=metric,
            time_budget=time_budget,
            test_size=test_size,
            seed=seed,
            out=out if out is not None or frame is None else _default_out(name),
            time_column=time_column,
            n_jobs=total_threads(client) if client is not None else n_jobs,
            use_sensitive=use_sensitive,
            command="lemma " + " ".join(sys.argv[1:]) if sys.argv[1:] else "lemma study",
        )
        study = run_study(config, frame, progress=True)
    _summary(study)
    click.echo(f"Report: {study.outputs.get('report')}")
