"""The ``lemma`` command line.

``lemma --help`` lists the commands. A user error (bad file, bad column, bad
option) prints one line saying what to do and exits with code 2; ``--debug``
shows the full traceback instead.
"""

from __future__ import annotations

import sys
import traceback

import click

from lemma._version import __version__
from lemma.cli_serve import serve_options


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="lemma")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """lemma: math models for machine learning, from first principles to production."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
def demo() -> None:
    """Fit ordinary least squares on the bundled Longley data and print its summary."""
    from lemma.io.datasets import load_longley
    from lemma.models.linear import LinearRegression

    data = load_longley()
    X = data.drop(columns=["employed"])
    model = LinearRegression().fit(X, data["employed"])
    click.echo("Longley (NIST StRD): total employment on six economic series, 1947-1962\n")
    click.echo(model.summary().as_text())


@cli.command()
def datasets() -> None:
    """List the datasets bundled with lemma (usable as DATA in other commands)."""
    from rich.console import Console
    from rich.table import Table

    from lemma.io.datasets import DATASETS

    table = Table(title="Bundled datasets")
    for column in ("name", "rows", "task", "target", "sensitive", "description"):
        table.add_column(column, overflow="fold")
    for info in DATASETS.values():
        sensitive = ", ".join(info.sensitive) or "—"
        table.add_row(
            info.name, f"{info.rows:,}", info.task, info.target, sensitive, info.description
        )
    Console().print(table)
    click.echo("Sources and licences: lemma/io/data/SOURCES.md")


@cli.command()
@click.argument("model")
@click.argument("data")
@click.option("--out", "-o", default=None, help="Write the CSV here instead of to stdout.")
@click.option("--proba/--no-proba", default=True, help="Add proba_<class> columns (classifiers).")
@click.option("--allow-extra", is_flag=True, help="Ignore columns the model was not trained on.")
@click.option(
    "--engine",
    type=click.Choice(["pandas", "dask"]),
    default="pandas",
    show_default=True,
    help="dask: read DATA (a file, folder or glob) partition by partition; any size.",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Read and predict on the Dask scheduler at tcp://host:port (implies --engine dask).",
)
@click.option("--debug", is_flag=True, hidden=True, help="Show full tracebacks on errors.")
def predict(
    model: str,
    data: str,
    out: str | None,
    proba: bool,
    allow_extra: bool,
    engine: str,
    cluster: str | None,
    debug: bool,
) -> None:
    """Predict with MODEL (a .lemma file) on DATA (CSV, Parquet or a bundled dataset name).

    DATA is checked against the model's training schema first; every problem is
    listed in one error. Predictions are written as CSV.
    """
    from lemma.cli_predict import run

    run(model, data, out=out, proba=proba, allow_extra=allow_extra, engine=engine, cluster=cluster)


@cli.command("profile")
@click.argument("data")
@click.option("--target", "-t", default=None, help="Target column (default: a dataset's own).")
@click.option("--out", "-o", default=None, help="Also write the profile as HTML to this file.")
@click.option("--debug", is_flag=True, hidden=True, help="Show full tracebacks on errors.")
def profile_command(data: str, target: str | None, out: str | None, debug: bool) -> None:
    """Profile DATA (CSV, Parquet or a bundled dataset name): kinds, missing values, warnings."""
    from pathlib import Path

    from rich.console import Console

    from lemma.io.read import read_table
    from lemma.prep.profiling import profile

    table = read_table(data)
    report = profile(table, target if target is not None else table.attrs.get("target"))
    Console().print(report)
    if out is not None:
        Path(out).write_text(report.to_html(title=f"Profile of {data}"), encoding="utf-8")
        click.echo(f"HTML profile written to {out}")


@cli.command()
@click.argument("data", required=False)
@click.option("--target", "-t", help="Column to predict (default: the bundled dataset's target).")
@click.option(
    "--sensitive",
    "-s",
    multiple=True,
    help="Column to audit for fairness (repeatable; kept out of the features).",
)
@click.option(
    "--task",
    type=click.Choice(["auto", "classification", "regression", "clustering"]),
    default="auto",
    show_default=True,
)
@click.option("--metric", help="Scoring name used to select models (default per task).")
@click.option(
    "--time-budget",
    type=float,
    default=180.0,
    show_default=True,
    help="Seconds for tuning all candidate models together.",
)
@click.option("--test-size", type=float, default=0.2, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", help="Output folder (default: ./lemma-study-<data>/).")
@click.option("--time-column", help="A datetime column: split and validate in time order.")
@click.option("--n-jobs", type=int, default=2, show_default=True)
@click.option("--use-sensitive", is_flag=True, help="Let the model use the sensitive columns.")
@click.option(
    "--engine",
    type=click.Choice(["pandas", "dask"]),
    default="pandas",
    show_default=True,
    help="dask: read DATA (a file, folder or glob) through Dask DataFrame, of any size.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=1_000_000,
    show_default=True,
    help="With --engine dask: study a uniform sample of at most this many rows.",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Run the tuning fits on the Dask scheduler at tcp://host:port.",
)
@click.option(
    "--refit-collection",
    is_flag=True,
    help="With --engine dask: refit the chosen model on every row of DATA as well "
    "(model-collection.lemma), when it is a model that fits on Dask collections.",
)
def study(
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
    engine: str,
    max_rows: int,
    cluster: str | None,
    refit_collection: bool,
) -> None:
    """Profile, prepare, tune, compare, evaluate, explain and audit models on DATA.

    DATA is a CSV or Parquet file or a bundled dataset name (default: adult); with
    --engine dask also a folder or glob of files. Writes report.html, model.lemma,
    model_card.md and study.json to --out.
    """
    from lemma.cli_study import run

    run(
        data,
        target,
        sensitive,
        task,
        metric,
        time_budget,
        test_size,
        seed,
        out,
        time_column,
        n_jobs,
        use_sensitive,
        engine=engine,
        max_rows=max_rows,
        cluster=cluster,
        refit_collection=refit_collection,
    )


@cli.command()
@serve_options
def serve(model: str, **options: object) -> None:
    """Serve MODEL (a .lemma file) over HTTP: /predict, /explain, /model, /health, /metrics.

    MODEL is loaded with the safe loader first: a tampered or foreign file is refused
    (exit code 2) before the port is bound. Needs the serve extra (lemma[serve]).
    """
    from lemma.cli_serve import run

    run(model, **options)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``lemma`` console script; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="lemma", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (ValueError, TypeError, OSError) as exc:
        if debug:
            traceback.print_exc()
        else:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            click.echo(f"lemma: error: {message} (run with --debug for the traceback)", err=True)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
