"""The model card: what a model is, what it is for, how well and how fairly it works.

A :class:`ModelCard` follows the sections of Mitchell et al. (2019) — model details,
intended use, factors, metrics, evaluation data, training data, quantitative analyses
(here the fairness audit and the explanations), ethical considerations, caveats and
recommendations — plus the software versions. Two kinds of content fill it:

* author-supplied text (intended and out-of-scope uses, users, known limitations):
  lemma cannot know it, so when it is missing the card says "to be supplied by the
  author" rather than inventing it;
* evidence, computed elsewhere and summarised here: the objective the model minimises
  (the first paragraph and first formula of its module's docstring), the training data
  (rows, columns, target balance, data-quality findings of
  :func:`lemma.prep.profile`), metrics with confidence intervals, the fairness audit
  (:func:`lemma.fairness.audit`, as its ``to_dict()``), explanations
  (:mod:`lemma.explain`). From the evidence the card writes sentences of its own,
  marked as such: a failed four-fifths rule, a calibration gap, a group whose
  interval is wide because it has few rows, a rare class, a surrogate tree too
  unfaithful to be read as the explanation.

A card renders to Markdown and to one self-contained HTML page, and travels with the
model: ``lemma.save(model, path, card=card.to_dict())`` stores it as ``card.json``, and
:meth:`ModelCard.from_dict` rebuilds it from ``lemma.io.persist.load_file(path).card``.

Reference: M. Mitchell, S. Wu, A. Zaldivar, P. Barnes, L. Vasserman, B. Hutchinson,
E. Spitzer, I. D. Raji & T. Gebru, "Model cards for model reporting", Proceedings of
FAT* 2019, 220–229.
"""

from __future__ import annotations

import datetime
import inspect
import platform
import sys
import textwrap
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from lemma.base import is_classifier, is_regressor
from lemma.exceptions import ParameterError
from lemma.explain import _render as render
from lemma.explain._evidence import collect_evidence, explanation_blocks, fairness_blocks
from lemma.validation import check_is_fitted

__all__ = ["BY_AUTHOR", "CARD_FORMAT", "SECTIONS", "ModelCard"]

CARD_FORMAT = "lemma-model-card"
CARD_FORMAT_VERSION = 1
#: Placeholder for what only the model's author can say.
BY_AUTHOR = "Not stated: to be supplied by the author."
REFERENCE = "Sections follow M. Mitchell et al., 'Model cards for model reporting', FAT* 2019."
#: Section headings, in order (Mitchell et al. 2019, with lemma's additions).
SECTIONS = (
    "Model details",
    "Intended use",
    "Factors",
    "Metrics",
    "Evaluation data",
    "Training data",
    "Fairness",
    "Explanations",
    "Ethical considerations",
    "Caveats and recommendations",
    "Versions",
)


# ------------------------------------------------------------------------------ plain data
def plain(value: Any) -> Any:
    """JSON data from NumPy/pandas values: numbers, strings, lists, dicts; NaN → None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray | pd.Series | pd.Index):
        return [plain(v) for v in list(value)]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else float(value)
    if value is None or isinstance(value, str):
        return value
    return repr(value) if hasattr(value, "get_params") else str(value)


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _entries(author: Any, evidence: list[str]) -> list[dict[str, str]]:
    return [{"text": t, "source": "author"} for t in _texts(author)] + [
        {"text": t, "source": "evidence"} for t in evidence
    ]


# ------------------------------------------------------------------------------ model details
def _docstring_parts(estimator: Any) -> tuple[str, str]:
    """First paragraph and first literal (``::``) block of the estimator's module docstring."""
    module = sys.modules.get(type(estimator).__module__)
    doc = inspect.cleandoc((module.__doc__ if module is not None else None) or "")
    objective = " ".join(doc.split("\n\n")[0].split()) if doc else ""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if not line.rstrip().endswith("::"):
            continue
        block: list[str] = []
        for following in lines[i + 1 :]:
            if following.strip() and not following.startswith((" ", "\t")):
                break
            block.append(following)
        formula = textwrap.dedent("\n".join(block)).strip()
        if formula:
            return objective, formula
    return objective, ""


def _model_details(model: Any, name: str | None, version: str | None) -> dict[str, Any]:
    steps = getattr(model, "steps", None)
    final = steps[-1][1] if steps else model
    objective, formula = _docstring_parts(final)
    kind = (
        f"Pipeline ({' → '.join(type(s).__name__ for _, s in steps)})"
        if steps
        else type(model).__name__
    )
    task = "classification" if is_classifier(model) else "regression"
    task = task if is_classifier(model) or is_regressor(model) else "other"
    names = getattr(model, "feature_names_in_", None)
    return plain(
        {
            "name": name or type(final).__name__,
            "type": kind,
            "task": task,
            "version": version or "1",
            "date": datetime.date.today().isoformat(),
            "objective": objective or BY_AUTHOR,
            "formula": formula,
            "parameters": {k: plain(v) for k, v in final.get_params(deep=False).items()},
            "classes": list(getattr(model, "classes_", [])) if task == "classification" else [],
            "n_features_in": getattr(model, "n_features_in_", None),
            "input_features": list(names) if names is not None else [],
        }
    )


# ------------------------------------------------------------------------------ training data
def _target_summary(y: Any, classification: bool) -> dict[str, Any]:
    series = pd.Series(np.asarray(y).ravel())
    name = str(getattr(y, "name", None) or "y")
    if classification:
        counts = series.astype(str).value_counts()
        return {
            "column": name,
            "task": "classification",
            "class_counts": {str(k): int(v) for k, v in counts.items()},
            "class_shares": {str(k): float(v / counts.sum()) for k, v in counts.items()},
        }
    values = pd.to_numeric(series, errors="coerce")
    return {
        "column": name,
        "task": "regression",
        **{stat: float(getattr(values, stat)()) for stat in ("mean", "std", "min", "max")},
    }


def _training_data(X: Any, y: Any, profile: Any, classification: bool) -> dict[str, Any]:
    """Rows, columns, target balance or distribution, and the profile's findings."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    columns = [
        {"name": str(c), "kind": "numeric" if pd.api.types.is_numeric_dtype(t) else "text"}
        for c, t in frame.dtypes.items()
    ]
    summary: dict[str, Any] = {
        "n_rows": int(frame.shape[0]),
        "n_columns": int(frame.shape[1]),
        "columns": columns,
        "target": _target_summary(y, classification),
        "findings": [],
    }
    if profile is not None:
        data = profile.to_dict() if hasattr(profile, "to_dict") else dict(profile)
        summary["findings"] = [
            {k: w.get(k) for k in ("code", "severity", "columns", "message")}
            for w in data.get("warnings", [])
        ]
        if data.get("target"):
            summary["target"] = {**summary["target"], **data["target"]}
    return plain(summary)


# ------------------------------------------------------------------------------ evaluation
def _metric(value: Any) -> dict[str, Any]:
    """``{estimate, ci_low, ci_high, ...}`` from a dict, an interval object or a number."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    if isinstance(value, dict):
        out = dict(value)
        if "estimate" not in out:
            out["estimate"] = out.pop("mean", out.pop("value", None))
        out.setdefault("ci_low", None)
        out.setdefault("ci_high", None)
        return plain(out)
    if isinstance(value, tuple | list) and len(value) == 3:
        return plain({"estimate": value[0], "ci_low": value[1], "ci_high": value[2]})
    return plain({"estimate": value, "ci_low": None, "ci_high": None})


def _explanations(explanations: Any) -> dict[str, Any]:
    if explanations is None:
        return {}
    items = (
        explanations.items()
        if isinstance(explanations, dict)
        else [
            (None, e) for e in (explanations if isinstance(explanations, list) else [explanations])
        ]
    )
    out: dict[str, Any] = {}
    for name, item in items:
        if isinstance(item, pd.DataFrame):
            data = _table_explanation(item)
        else:
            data = item.to_dict() if hasattr(item, "to_dict") else dict(item)
        out[str(name or data.get("method", f"explanation {len(out) + 1}"))] = plain(data)
    return out


def _audited_factors(audit: dict[str, Any] | None) -> list[str]:
    """ "Groups defined by <feature>" for the sensitive features a fairness audit covered."""
    if not audit:
        return []
    found = audit.get("sensitive_features", audit.get("sensitive_feature"))
    names = _texts(found) if isinstance(found, str | list) else []
    return [f"Groups defined by {name} (see the fairness audit)." for name in names]


def _table_explanation(frame: pd.DataFrame) -> dict[str, Any]:
    """A DataFrame of results: an importance table (mean, ci_low, ci_high) or plain rows."""
    records = frame.reset_index().to_dict(orient="records")
    if {"mean", "ci_low", "ci_high"} <= set(frame.columns):
        key = str(frame.index.name or "index")
        features = [{"feature": r.pop(key), **r} for r in records]
        return {"method": "permutation importance", "features": features}
    return {"method": "table", "rows": records}


def _versions() -> dict[str, str]:
    from lemma._version import __version__

    found = {"lemma": __version__, "python": platform.python_version()}
    for package in ("numpy", "scipy", "pandas", "scikit-learn"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


# ------------------------------------------------------------------------------ the card
@dataclass
class ModelCard:
    """A model card (Mitchell et al. 2019) that renders to Markdown and HTML and saves as JSON.

    Build one with :meth:`from_evaluation`; every field is plain JSON data.

    Attributes
    ----------
    model_details : dict
        name, type, task, version, date, objective, formula, parameters, classes,
        n_features_in, input_features.
    intended_use : dict
        primary_uses, primary_users, out_of_scope_uses (lists of str).
    factors : list of str
        Groups, instruments or environments the performance may vary with.
    metrics : dict of str to dict
        Metric name → ``{estimate, ci_low, ci_high, ...}``.
    evaluation_data : dict
        ``description`` (and any counts given).
    training_data : dict
        n_rows, n_columns, columns, target (balance or distribution), findings.
    fairness : dict or None
        A fairness audit's ``to_dict()``.
    explanations : dict of str to dict
        Explanation results' ``to_dict()`` by name.
    ethical_considerations, caveats : list of dict
        ``{"text", "source"}`` with source "author" or "evidence" (written by lemma).
    versions : dict of str to str

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.models.linear import LogisticRegression
    >>> from lemma.explain import ModelCard
    >>> X = np.random.default_rng(0).normal(size=(200, 2))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> card = ModelCard.from_evaluation(
    ...     LogisticRegression().fit(X, y), X_train=X, y_train=y,
    ...     metrics={"accuracy": {"estimate": 0.95, "ci_low": 0.91, "ci_high": 0.98}},
    ...     intended_use="Teaching example.")
    >>> print(card.to_markdown().splitlines()[0])
    # Model card: LogisticRegression
    >>> card.model_details["objective"]
    'Logistic regression: binary (sigmoid) and multinomial (softmax), with or without a penalty.'
    >>> ModelCard.from_dict(card.to_dict()) == card
    True
    """

    model_details: dict[str, Any]
    intended_use: dict[str, list[str]]
    factors: list[str]
    metrics: dict[str, dict[str, Any]]
    evaluation_data: dict[str, Any]
    training_data: dict[str, Any]
    fairness: dict[str, Any] | None
    explanations: dict[str, dict[str, Any]]
    ethical_considerations: list[dict[str, str]]
    caveats: list[dict[str, str]]
    versions: dict[str, str] = field(default_factory=_versions)

    @classmethod
    def from_evaluation(
        cls,
        model: Any,
        *,
        X_train: Any,
        y_train: Any,
        metrics: dict[str, Any],
        fairness: Any = None,
        explanations: Any = None,
        intended_use: str | list[str] | None = None,
        primary_users: str | list[str] | None = None,
        out_of_scope_uses: str | list[str] | None = None,
        factors: str | list[str] | None = None,
        evaluation_data: str | dict[str, Any] | None = None,
        limitations: str | list[str] | None = None,
        ethical_considerations: str | list[str] | None = None,
        training_data: Any = None,
        name: str | None = None,
        version: str | None = None,
    ) -> ModelCard:
        """A card from a fitted model (or pipeline), its training data and its evaluation.

        Parameters
        ----------
        model : fitted estimator or Pipeline
        X_train, y_train : training inputs and target
            Summarised (rows, columns, target balance or distribution).
        metrics : dict of str to (dict, interval object, (estimate, low, high) or number)
            ``{"roc_auc": {"estimate": 0.91, "ci_low": 0.89, "ci_high": 0.93}}``;
            objects with ``to_dict()`` giving ``mean``/``ci_low``/``ci_high`` (such as
            :class:`lemma.selection.ScoreInterval`) are accepted.
        fairness : FairnessAudit or dict, optional
            A fairness audit (its ``to_dict()`` is stored).
        explanations : dict, list or result object, optional
            Results of :mod:`lemma.explain` (permutation importance, surrogate,
            coefficients, Shapley values) or their ``to_dict()``.
        intended_use, primary_users, out_of_scope_uses, factors : str or list of str
            Author-supplied; missing ones say "to be supplied by the author".
        evaluation_data : str or dict, optional
            How the metrics were measured (a description, or a dict with one).
        limitations, ethical_considerations : str or list of str, optional
            Author-supplied sentences; the card adds its own from the evidence.
        training_data : DataProfile or dict, optional
            :func:`lemma.prep.profile` of the training table (or its ``to_dict()``):
            its target summary and findings enter the training-data section.
        name, version : str, optional
            Model name (default: the estimator's class) and version (default "1").

        Returns
        -------
        ModelCard
        """
        check_is_fitted(model)
        if not isinstance(metrics, dict):
            raise ParameterError(
                "metrics must be a dict such as {'accuracy': {'estimate': 0.9, 'ci_low': 0.88, "
                f"'ci_high': 0.92}}; got {type(metrics).__name__}."
            )
        fairness_data = None
        if fairness is not None:
            fairness_data = plain(fairness.to_dict() if hasattr(fairness, "to_dict") else fairness)
        evaluation = (
            {"description": evaluation_data}
            if isinstance(evaluation_data, str)
            else plain(evaluation_data or {"description": BY_AUTHOR})
        )
        parts: dict[str, Any] = {
            "metrics": {str(k): _metric(v) for k, v in metrics.items()},
            "training_data": _training_data(X_train, y_train, training_data, is_classifier(model)),
            "fairness": fairness_data,
            "explanations": _explanations(explanations),
        }
        found = collect_evidence(parts)
        return cls(
            model_details=_model_details(model, name, version),
            intended_use={
                "primary_uses": _texts(intended_use) or [BY_AUTHOR],
                "primary_users": _texts(primary_users) or [BY_AUTHOR],
                "out_of_scope_uses": _texts(out_of_scope_uses) or [BY_AUTHOR],
            },
            factors=_texts(factors) or _audited_factors(fairness_data) or [BY_AUTHOR],
            evaluation_data=evaluation,
            ethical_considerations=_entries(ethical_considerations, found["ethical"]),
            caveats=_entries(limitations, found["caveats"]),
            **parts,
        )

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (with a format marker), as ``lemma.save(..., card=...)`` stores it."""
        return {"format": CARD_FORMAT, "format_version": CARD_FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        """Rebuild a card from :meth:`to_dict` output (e.g. ``load_file(path).card``)."""
        if not isinstance(data, dict) or data.get("format") != CARD_FORMAT:
            raise ParameterError(
                f"This is not a lemma model card (expected a dict with format={CARD_FORMAT!r}); "
                "build cards with ModelCard.from_evaluation and store them with to_dict()."
            )
        if data.get("format_version", 0) > CARD_FORMAT_VERSION:
            raise ParameterError(
                f"The card has format_version {data['format_version']}, newer than this lemma "
                f"reads ({CARD_FORMAT_VERSION}); upgrade lemma."
            )
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in data]
        if missing:
            raise ParameterError(f"The model card is missing the fields {missing}.")
        return cls(**{n: data[n] for n in names})

    # ------------------------------------------------------------------ rendering
    @property
    def title(self) -> str:
        return f"Model card: {self.model_details.get('name', 'model')}"

    def sections(self) -> list[render.Section]:
        """The card as sections of blocks (what :meth:`to_markdown` and :meth:`to_html` draw)."""
        return [
            render.Section(title, builder(self))
            for title, builder in zip(SECTIONS, _BUILDERS, strict=True)
        ]

    def _footer(self) -> str:
        return f"{REFERENCE} Written by lemma {self.versions.get('lemma', '')}."

    def to_markdown(self) -> str:
        """The card as Markdown (one ``##`` heading per section)."""
        return render.to_markdown(self.title, self.sections(), self._footer())

    def to_html(self) -> str:
        """The card as one self-contained HTML page (inline CSS, no scripts, no links)."""
        return render.to_html(self.title, self.sections(), self._footer())

    def _repr_html_(self) -> str:
        body = render.html_body(self.title, self.sections(), self._footer())
        return f"<div class='lemma-card'><style>{render.style()}</style>{body}</div>"

    def __str__(self) -> str:
        return self.to_markdown()


# ------------------------------------------------------------------------------ sections
def _details(card: ModelCard) -> list[Any]:
    d = card.model_details
    blocks: list[Any] = [
        render.Fields(
            [
                ("Name", d.get("name")),
                ("Type", d.get("type")),
                ("Task", d.get("task")),
                ("Version", d.get("version")),
                ("Date", d.get("date")),
                ("Classes", d.get("classes") or None),
                ("Input features", d.get("n_features_in")),
            ]
        ),
        render.Paragraph(f"Objective: {d.get('objective', BY_AUTHOR)}"),
    ]
    if d.get("formula"):
        blocks.append(render.Code(d["formula"]))
    parameters = d.get("parameters") or {}
    if parameters:
        blocks.append(render.Table(["parameter", "value"], [[k, v] for k, v in parameters.items()]))
    return blocks


def _intended_use(card: ModelCard) -> list[Any]:
    blocks: list[Any] = []
    for key, label in (
        ("primary_uses", "Primary uses"),
        ("primary_users", "Primary users"),
        ("out_of_scope_uses", "Out-of-scope uses"),
    ):
        blocks += [render.Paragraph(f"{label}:"), render.Bullets(card.intended_use.get(key, []))]
    return blocks


def _factors(card: ModelCard) -> list[Any]:
    return [render.Bullets(list(card.factors))]


def _metrics(card: ModelCard) -> list[Any]:
    if not card.metrics:
        return [render.Paragraph("No metrics were supplied.")]
    rows = [
        [k, m.get("estimate"), m.get("ci_low"), m.get("ci_high")] for k, m in card.metrics.items()
    ]
    return [render.Table(["metric", "estimate", "ci_low", "ci_high"], rows)]


def _evaluation(card: ModelCard) -> list[Any]:
    data = dict(card.evaluation_data)
    blocks: list[Any] = [render.Paragraph(str(data.pop("description", BY_AUTHOR)))]
    if data:
        blocks.append(render.Fields(list(data.items())))
    return blocks


def _training(card: ModelCard) -> list[Any]:
    t = card.training_data
    target = t.get("target") or {}
    blocks: list[Any] = [
        render.Fields(
            [
                ("Rows", t.get("n_rows")),
                ("Columns", t.get("n_columns")),
                ("Target", target.get("column")),
                ("Task", target.get("task")),
            ]
        )
    ]
    shares = target.get("class_shares")
    if shares:
        counts = target.get("class_counts", {})
        rows = [[k, counts.get(k), v] for k, v in shares.items()]
        blocks.append(render.Table(["class", "rows", "share"], rows))
    elif target.get("task") == "regression":
        stats = [(s, target.get(s)) for s in ("mean", "std", "min", "max")]
        blocks.append(render.Fields(stats))
    findings = [f"[{f.get('severity')}] {f.get('message')}" for f in t.get("findings", [])]
    if findings:
        blocks += [render.Paragraph("Data-quality findings:"), render.Bullets(findings)]
    return blocks


def _fairness(card: ModelCard) -> list[Any]:
    if card.fairness is None:
        return [render.Paragraph("No fairness audit was run for this card.")]
    return fairness_blocks(card.fairness)


def _explain(card: ModelCard) -> list[Any]:
    if not card.explanations:
        return [render.Paragraph("No explanations were supplied.")]
    blocks: list[Any] = []
    for name, data in card.explanations.items():
        blocks += [render.Paragraph(f"{name}:"), *explanation_blocks(data)]
    return blocks


def _listing(entries: list[dict[str, str]]) -> list[Any]:
    if not entries:
        return [render.Bullets([BY_AUTHOR])]
    marks = {"author": "", "evidence": " (from the evidence)"}
    return [render.Bullets([e["text"] + marks.get(e.get("source", ""), "") for e in entries])]


def _ethics(card: ModelCard) -> list[Any]:
    return _listing(card.ethical_considerations)


def _caveats(card: ModelCard) -> list[Any]:
    return _listing(card.caveats)


def _versions_block(card: ModelCard) -> list[Any]:
    return [render.Fields(list(card.versions.items()))]


#: One block builder per entry of SECTIONS, in the same order.
_BUILDERS = (
    _details,
    _intended_use,
    _factors,
    _metrics,
    _evaluation,
    _training,
    _fairness,
    _explain,
    _ethics,
    _caveats,
    _versions_block,
)
