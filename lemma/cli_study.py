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
        score = f"{head['test_score']:.4f}"
        if head["test_ci_low"] is not None and head["test_ci_high"] is not None:
            score += f" (95% CI {head['test_ci_low']:.4f} to {head['test_ci_high']:.4f})"
        table.add_row(f"test {study.metric}", score)  # a clustering score has no interval
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


def _refit(study: Any, data: str) -> None:
    """The chosen model refitted on every row of DATA with a target, saved beside the
    study's model as ``model-collection.lemma`` (:mod:`lemma.distributed.refit`).

    The preparation stays as fitted on the sample's training rows; the report, card
    and fairness audit describe ``model.lemma``, fitted on the sample, which is the
    model the held-out test evaluated (the collection includes those test rows).
    """
    import lemma
    from lemma.distributed.read import read_collection
    from lemma.distributed.refit import refit_on_collection
    from lemma.exceptions import LemmaError

    target = study.config.target
    if study.model is None or study.chosen is None or target is None or study.task == "clustering":
        click.echo(
            "lemma: --refit-collection: nothing to refit (it refits a chosen classifier or "
            "regressor on the collection's rows with a target).",
            err=True,
        )
        return
    collection = read_collection(data)
    collection = collection[collection[target].notnull()]
    columns = list(study.X_train.columns)
    path = Path(study.out_dir) / "model-collection.lemma"
    metadata = {"refitted_on": data, "target": target, "chosen": study.chosen.name,
                "evaluated_model": "model.lemma"}  # fmt: skip
    try:
        refitted = refit_on_collection(study.model, collection[columns], collection[target])
        lemma.save(refitted, path, schema=study.X_train, metadata=metadata)
    except LemmaError as exc:  # the study's own outputs are written: say why, keep them
        click.echo(
            f"lemma: --refit-collection: the chosen model ({study.chosen.label}) is kept as "
            f"fitted on the sample: {exc}",
            err=True,
        )
        return
    study.outputs["model_collection"] = str(path)
    result = getattr(refitted[-1], "result_", None)
    counted = f"all {result.nobs:,} rows" if result is not None else "every row"
    click.echo(
        f"lemma: {study.chosen.label} refitted on {counted} of {data} (preparation as "
        f"fitted on the sample): {path}. The report evaluates model.lemma, fitted on the "
        "sample; the collection includes its test rows.",
        err=True,
    )


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
    refit_collection: bool = False,
) -> None:
    """Run the study and print where the report is (the CLI wrapper's body).

    With ``cluster`` the study runs inside :func:`lemma.distributed.use`, and its
    budget counts the cluster's threads as parallel slots; with ``engine="dask"``
    DATA is read through Dask DataFrame and sampled to ``max_rows`` rows, and
    ``refit_collection`` then refits the chosen model on every row (:func:`_refit`).
    """
    from lemma.cli_dask import cluster_session, total_threads
    from lemma.study.result import StudyConfig
    from lemma.study.runner import dataset_defaults, run_study

    if not 0 < test_size < 1:
        raise click.BadParameter(f"--test-size must be between 0 and 1, got {test_size}.")
    if refit_collection and engine != "dask":
        raise click.BadParameter(
            "--refit-collection refits on a Dask collection; add --engine dask."
        )
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
        if refit_collection:
            _refit(study, name)
    _summary(study)
    click.echo(f"Report: {study.outputs.get('report')}")
