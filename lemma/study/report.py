"""Render a study as one self-contained HTML report (Jinja2 template, embedded figures).

The report is written for a reader who did not run the study: the answer first,
then how it was reached. It fetches nothing from the network: styles are inline
and figures are PNG data URIs. Headline numbers carry ``data-key`` attributes
naming their place in ``study.json`` (and ``data-value`` with the unrounded
number), so a test can check that the page and the JSON agree.
"""

from __future__ import annotations

import html
import math
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lemma.study.result import Study

__all__ = ["render_report", "write_report"]


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        x = float(value)
        if not math.isfinite(x):
            return "—"
        if x != 0 and (abs(x) >= 1e6 or abs(x) < 1e-3):
            return f"{x:.3e}"
        return f"{x:.{digits}f}"
    return str(value)


def _table(frame: pd.DataFrame | None, *, index: bool = True, max_rows: int = 40) -> str:
    if frame is None or len(frame) == 0:
        return "<p class='muted'>Nothing to show.</p>"
    shown = frame.head(max_rows).copy()
    for col in shown.columns:
        if pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].map(_fmt)
    more = (
        f"<p class='muted'>{len(frame) - max_rows} more rows in study.json.</p>"
        if len(frame) > max_rows
        else ""
    )
    return shown.to_html(index=index, border=0, classes="data", escape=True) + more


def _objective(study: Study) -> str:
    """The chosen estimator's mathematics: its module docstring up to the references."""
    if study.model is None:
        return ""
    model = study.model.named_steps.get("model", study.model)
    doc = sys.modules[type(model).__module__].__doc__ or ""
    kept = []
    for line in doc.strip().splitlines():
        if line.strip().startswith(("Reference", "Examples")):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _comparison_frame(study: Study) -> pd.DataFrame:
    rows = []
    for c in study.candidates:
        rows.append(
            {
                "model": c.label,
                f"CV {study.metric}": c.mean,
                "95% CI low": c.ci_low,
                "95% CI high": c.ci_high,
                "p vs best (Holm)": c.p_value_holm,
                "tied with best": "yes" if c.tied_with_best else "no",
                "configurations": c.n_evaluated,
                "seconds": c.seconds,
                "best parameters": ", ".join(f"{k}={_fmt(v, 3)}" for k, v in c.best_params.items()),
            }
        )
    return pd.DataFrame(rows)


def _metrics_frame(study: Study) -> pd.DataFrame:
    rows = [
        {
            "metric": name,
            "estimate": m["estimate"],
            "95% CI low": m["ci_low"],
            "95% CI high": m["ci_high"],
        }
        for name, m in study.test_metrics.items()
        if not name.startswith("neg_")  # "neg_log_loss" is the same number as "log_loss"
    ]
    return pd.DataFrame(rows)


def render_report(study: Study) -> str:
    """The report's HTML as a string."""
    from jinja2 import Environment, select_autoescape

    template_text = (resources.files("lemma.study") / "templates" / "report.html.j2").read_text(
        encoding="utf-8"
    )
    env = Environment(
        autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True
    )
    env.filters["fmt"] = _fmt
    template = env.from_string(template_text)
    profile = study.profile
    headline = study.headline
    return template.render(
        study=study,
        config=study.config,
        headline=headline,
        profile_table=profile.table if profile is not None else {},
        profile_warnings=[w for w in (profile.warnings if profile is not None else [])],
        profile_columns=_table(
            profile.to_frame()[["kind", "n_missing", "n_distinct", "mean", "std", "top_value"]]
            if profile is not None
            else None
        ),
        preparation=_table(pd.DataFrame(study.preparation), index=False),
        comparison=_table(_comparison_frame(study), index=False) if study.candidates else "",
        metrics=_table(_metrics_frame(study), index=False) if study.test_metrics else "",
        importance=_table(study.explanations.get("permutation_importance")),
        choose_k_table=_table(study.diagnostics.get("choose_k", {}).get("table")),
        profiles_table=_table(study.explanations.get("cluster_profiles")),
        coefficients=_table(study.explanations.get("coefficients")),
        inference_html=study.inference._repr_html_() if study.inference is not None else "",
        objective=_objective(study),
        card_html=study.card.to_html() if study.card is not None else "",
        stages=pd.DataFrame([vars(s) for s in study.stages]),
        stages_table=_table(pd.DataFrame([vars(s) for s in study.stages]), index=False),
        escape=html.escape,
    )


def write_report(study: Study, path: str | Path | None = None) -> Path:
    """Write the report (default ``<out_dir>/report.html``) and return its path."""
    path = Path(path) if path is not None else Path(study.out_dir) / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(study), encoding="utf-8")
    return path
