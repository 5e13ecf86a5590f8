"""Run a study: the stages in order, each timed and recorded, then the files.

    load → profile → clean → split → prepare → leakage → advise → tune → compare
         → refit → evaluate → diagnose → explain → fairness → card → save → report

Essential stages stop the study when they fail (with the stage named); optional
ones (leakage, diagnostics, explanations, fairness, card) record the failure and
the study goes on. Ctrl-C stops cleanly: the stages that finished are kept and the
report and ``study.json`` are written for them.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lemma.exceptions import LemmaError
from lemma.study import stages_cluster, stages_data, stages_eval, stages_model, stages_output
from lemma.study.result import StageRecord, Study, StudyConfig

__all__ = ["STAGES", "StudyError", "run_study", "study"]


class StudyError(LemmaError, RuntimeError):
    """An essential stage failed; the message names it and says what to do."""


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[Study], str]
    essential: bool
    applies: Callable[[Study], bool] = lambda study: True


STAGES: tuple[Stage, ...] = (
    Stage("profile", stages_data.stage_profile, True),
    Stage("clean", stages_data.stage_clean, True),
    Stage("split", stages_data.stage_split, True),
    Stage("prepare", stages_model.stage_prepare, True),
    Stage("leakage", stages_output.stage_leakage, False),
    Stage("advise", stages_model.stage_advise, True),
    Stage("tune", stages_model.stage_tune, True),
    Stage("compare", stages_model.stage_compare, True),
    Stage("refit", stages_model.stage_refit, True),
    Stage("evaluate", stages_eval.stage_evaluate, True),
    Stage("diagnose", stages_eval.stage_diagnose, False),
    Stage("explain", stages_eval.stage_explain, False),
    Stage("fairness", stages_output.stage_fairness, False, lambda s: bool(s.config.sensitive)),
    Stage("card", stages_output.stage_card, False),
    Stage("save", stages_output.stage_save, True),
)

#: The stages of a table without a target (lemma.study.stages_cluster).
CLUSTER_STAGES: tuple[Stage, ...] = (
    Stage("profile", stages_data.stage_profile, True),
    Stage("clean", stages_data.stage_clean, True),
    Stage("prepare", stages_cluster.stage_prepare_clustering, True),
    Stage("choose k", stages_cluster.stage_choose_k, True),
    Stage("cluster", stages_cluster.stage_cluster, True),
    Stage("profiles", stages_cluster.stage_profiles, False),
    Stage("card", stages_output.stage_card, False),
    Stage("save", stages_output.stage_save, True),
)


class _Display:
    """Stage lines on the terminal: a Rich spinner on a TTY, plain lines otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.console = None
        if enabled:
            from rich.console import Console

            self.console = Console(stderr=True)

    def start(self, name: str) -> Any:
        if self.console is None or not self.console.is_terminal:
            return None
        status = self.console.status(f"[bold]{name}[/bold] …")
        status.start()
        return status

    def finish(self, handle: Any, record: StageRecord | None) -> None:
        if handle is not None:
            handle.stop()
        if self.console is None or record is None:
            return
        mark = {
            "done": "[green]✓[/green]",
            "skipped": "[dim]–[/dim]",
            "failed": "[yellow]![/yellow]",
            "interrupted": "[red]✗[/red]",
        }[record.status]
        self.console.print(
            f"{mark} {record.name:<9} {record.seconds:6.1f} s  {record.note}",
            highlight=False,
            soft_wrap=True,
        )


def run_study(
    config: StudyConfig, frame: pd.DataFrame | None = None, *, progress: bool = True
) -> Study:
    """Run every stage for ``config`` (``frame`` replaces reading ``config.data``)."""
    study = Study(config)
    study.out_dir = config.out or f"lemma-study-{Path(str(config.data)).stem.lower()}"
    display = _Display(progress)
    load = Stage("load", lambda s: stages_data.stage_load(s, frame), True)
    pending = [load]
    while pending:
        stage = pending.pop(0)
        if study.interrupted:
            break
        if not stage.applies(study):
            record = StageRecord(stage.name, "skipped", 0.0, "not applicable")
            study.stages.append(record)
            display.finish(None, record)
            continue
        handle = display.start(stage.name)
        start = time.perf_counter()
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                note = stage.run(study)
            status = "interrupted" if study.interrupted else "done"
        except KeyboardInterrupt:
            study.interrupted, status, note = True, "interrupted", "stopped by Ctrl-C"
        except Exception as exc:  # optional stages record any failure
            essential_error = isinstance(exc, LemmaError | ValueError | TypeError | OSError)
            if stage.essential:
                # The error itself is the one line the command prints (lemma.cli.main).
                display.finish(handle, None)
                if not essential_error:
                    raise
                raise _as_study_error(stage.name, exc) from exc
            status, note = "failed", f"{type(exc).__name__}: {exc}"
        record = StageRecord(
            stage.name, status, time.perf_counter() - start, note, _summarise(caught)
        )
        study.stages.append(record)
        display.finish(handle, record)
        if stage is load:
            pending = list(CLUSTER_STAGES if study.task == "clustering" else STAGES)
    _write_outputs(study)
    return study


def _summarise(caught: list[warnings.WarningMessage]) -> list[str]:
    """Warnings a stage raised, counted by kind with the first message of each.

    Tuning fits dozens of configurations; some of them not converging within
    ``max_iter`` is expected, and the report says how many instead of the terminal
    printing each one.
    """
    counts: dict[str, list] = {}
    for w in caught:
        key = w.category.__name__
        counts.setdefault(key, [0, str(w.message).splitlines()[0]])
        counts[key][0] += 1
    return [f"{n} × {kind}: {example}" for kind, (n, example) in counts.items()]


def _as_study_error(stage: str, exc: Exception) -> Exception:
    if isinstance(exc, LemmaError):
        return exc
    return StudyError(f"The {stage} stage failed: {exc}")


def _write_outputs(study: Study) -> None:
    """study.json and report.html for whatever finished (also after Ctrl-C)."""
    out = Path(study.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    study.outputs["study_json"] = str(out / "study.json")
    study.outputs["report"] = str(out / "report.html")
    if not study.versions:
        study.versions = stages_output.versions()
    study.report(out / "report.html")
    study.save_json(out / "study.json")


def study(
    data: Any = "adult",
    target: str | None = None,
    *,
    sensitive: Any = None,
    task: str = "auto",
    metric: str | None = None,
    time_budget: float = 180.0,
    test_size: float = 0.2,
    seed: int = 0,
    out: str | None = None,
    time_column: str | None = None,
    n_jobs: int = 2,
    use_sensitive: bool = False,
    progress: bool = False,
) -> Study:
    """Run a whole study from a table and a target; returns the :class:`Study`.

    Parameters
    ----------
    data : DataFrame, path or bundled dataset name, default="adult"
    target : str, optional
        Column to predict; for a bundled dataset, its documented target by default.
    sensitive : str or list of str, optional
        Columns to audit for fairness; for a bundled dataset, its documented
        sensitive columns by default.
    task, metric, time_budget, test_size, seed, out, time_column, n_jobs, use_sensitive
        See :class:`~lemma.study.result.StudyConfig`.
    progress : bool, default=False
        Print a line per stage to stderr.

    Returns
    -------
    Study
        Its ``report()`` renders the HTML; files are in ``out``.
    """
    frame = data if isinstance(data, pd.DataFrame) else None
    name = "<DataFrame>" if frame is not None else str(data)
    target, sensitive_cols = dataset_defaults(name, frame, target, sensitive)
    config = StudyConfig(
        data=name,
        target=target,
        sensitive=tuple(sensitive_cols),
        task=task,
        metric=metric,
        time_budget=float(time_budget),
        test_size=test_size,
        seed=seed,
        out=out,
        time_column=time_column,
        n_jobs=n_jobs,
        use_sensitive=use_sensitive,
        command=" ".join(sys.argv) if progress else "lemma.study(...)",
    )
    return run_study(config, frame, progress=progress)


def dataset_defaults(
    name: str, frame: pd.DataFrame | None, target: str | None, sensitive: Any
) -> tuple[str | None, list[str]]:
    """A bundled dataset supplies its documented target and sensitive columns."""
    from lemma.io.datasets import DATASETS

    info = DATASETS.get(name.lower().replace("-", "_"))
    attrs = frame.attrs if frame is not None else {}
    if target is None:
        target = info.target if info is not None else attrs.get("target")
    if sensitive is None:
        sensitive = list(info.sensitive) if info is not None else attrs.get("sensitive", [])
    if isinstance(sensitive, str):
        sensitive = [sensitive]
    return target, list(sensitive)
