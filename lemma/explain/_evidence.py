"""What a model card says on its own: sentences and tables drawn from the evidence.

The evidence is plain JSON data — metrics with intervals, the training-data summary,
a fairness audit's ``to_dict()``, explanations' ``to_dict()`` — so these rules read
keys, never objects, and a card rebuilt from JSON renders the same. Each rule returns
sentences for one card section ("ethical" or "caveats"); a sentence states the number
that triggered it. Thresholds (module constants) are conventions, stated where used:
the four-fifths rule (US EEOC, 29 CFR 1607.4(D)); an interval wider than 0.2 on a
0–1 metric (for a group, on its accuracy when the audit reports it); a class under
10 % of the rows; a calibration gap above 0.05; a surrogate fidelity under 0.7.

Reference: M. Mitchell et al., "Model cards for model reporting", FAT* 2019, §4.8–4.9.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from lemma.explain import _render as render

__all__ = ["collect_evidence", "explanation_blocks", "fairness_blocks"]

#: An interval on a 0–1 metric wider than this is called wide.
WIDE_INTERVAL = 0.2
#: The per-group metric whose interval width is judged, when the audit reports it.
PERFORMANCE_METRIC = "accuracy"
#: A class rarer than this share of the training rows is called rare.
RARE_CLASS = 0.10
#: A calibration gap above this is reported.
CALIBRATION_GAP = 0.05
#: A surrogate tree less faithful than this is not an explanation.
LOW_FIDELITY = 0.7
#: Rows shown in a table of the card.
MAX_ROWS = 15


def _walk(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every dict inside ``value`` with the keys leading to it."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _walk(item, (*path, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, path)


def _name_of(record: dict, path: tuple[str, ...]) -> str:
    for key in ("sensitive_feature", "feature", "attribute", "name"):
        if isinstance(record.get(key), str):
            return record[key]
    return path[-1] if path else "the sensitive feature"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# ------------------------------------------------------------------------------ rules
def _fairness_rules(parts: dict) -> list[str]:
    audit = parts.get("fairness")
    if audit is None:
        return [
            "No fairness audit was supplied: how the model performs for different groups "
            "of people is unknown."
        ]
    sentences: dict[str, str] = {}
    for path, record in _walk(audit):
        if record.get("four_fifths_rule") is False:
            feature = _name_of(record, path)
            sentences.setdefault(f"ff:{feature}", _four_fifths_sentence(feature, record))
    for item in audit.get("checklist") or []:
        if item.get("status") == "fail" and item.get("check") != "four-fifths rule":
            sentences.setdefault(
                f"check:{item.get('check')}",
                f"Fails the fairness check '{item.get('check')}': {item.get('evidence')}",
            )
    small = audit.get("too_small") or []
    if small:
        listed = ", ".join(f"{g.get('group')} ({g.get('n_rows')} rows)" for g in small)
        sentences["small"] = (
            f"Groups too small to judge (fewer than {audit.get('min_group_size')} rows): "
            f"{listed}; the audit says nothing about them."
        )
    return list(sentences.values()) + _wide_groups(audit)


def _wide_groups(audit: dict) -> list[str]:
    """Groups whose performance interval is wide (accuracy when the audit reports it)."""
    records = [
        r
        for _, r in _walk(audit)
        if r.get("group") is not None
        and _number(r.get("ci_low")) is not None
        and _number(r.get("ci_high")) is not None
        and r.get("n", r.get("n_rows")) is not None
    ]
    if any(r.get("metric") == PERFORMANCE_METRIC for r in records):
        records = [r for r in records if r.get("metric") == PERFORMANCE_METRIC]
    widest: dict[str, tuple[float, str]] = {}
    for r in records:
        low, high = float(r["ci_low"]), float(r["ci_high"])
        if high - low > WIDE_INTERVAL and high - low > widest.get(str(r["group"]), (0.0, ""))[0]:
            widest[str(r["group"])] = (
                high - low,
                f"Performance on group {r['group']} has a wide interval "
                f"({r.get('metric', 'performance')} {low:.2f} to {high:.2f}): "
                f"n = {r.get('n', r.get('n_rows'))}.",
            )
    return [text for _, text in widest.values()]


def _four_fifths_sentence(feature: str, record: dict) -> str:
    ratio = _number(record.get("ratio", record.get("disparate_impact")))
    if ratio is None:
        return f"Fails the four-fifths rule for {feature}."
    low, high = _number(record.get("ci_low")), _number(record.get("ci_high"))
    interval = f"; interval {low:.2f} to {high:.2f}" if low is not None and high is not None else ""
    detail = f" (below 0.8{interval})"
    lowest, highest = record.get("lowest_group"), record.get("highest_group")
    if lowest is not None and highest is not None:
        return (
            f"Fails the four-fifths rule for {feature}: {feature} = {lowest} is selected at "
            f"{ratio:.2f} times the rate of {feature} = {highest}{detail}."
        )
    return (
        f"Fails the four-fifths rule for {feature}: the lowest group's selection rate is "
        f"{ratio:.2f} times the highest's{detail}."
    )


def _metric_rules(parts: dict) -> list[str]:
    out = []
    for name, m in parts.get("metrics", {}).items():
        estimate, low, high = (
            _number(m.get("estimate")),
            _number(m.get("ci_low")),
            _number(m.get("ci_high")),
        )
        key = name.lower()
        if ("calibration" in key or key in ("ece", "expected_calibration_error")) and (
            estimate is not None and estimate > CALIBRATION_GAP
        ):
            out.append(
                f"Calibration gap of {estimate:.3f} ({name}): predicted probabilities differ "
                "from observed frequencies; recalibrate before reading them as risks."
            )
        if low is None or high is None:
            continue
        bounded = -1 <= low and high <= 1
        if (bounded and high - low > WIDE_INTERVAL) or (
            not bounded and estimate and high - low > 0.5 * abs(estimate)
        ):
            out.append(
                f"The {name} estimate is uncertain: its interval runs from {low:.3g} to "
                f"{high:.3g}; more evaluation data would narrow it."
            )
    return out


def _data_rules(parts: dict) -> list[str]:
    data = parts.get("training_data", {})
    out = []
    shares = (data.get("target") or {}).get("class_shares") or {}
    if shares:
        label, share = min(shares.items(), key=lambda item: item[1])
        if share < RARE_CLASS:
            out.append(
                f"The class {label!r} is rare ({100 * share:.1f}% of the training rows): "
                "accuracy hides errors on it; read per-class recall and precision."
            )
    rows, columns = data.get("n_rows") or 0, data.get("n_columns") or 0
    if columns and rows < 10 * columns:
        out.append(
            f"Few training rows for the number of columns ({rows} rows, {columns} columns): "
            "the model may not generalise; prefer a simpler or more regularised one."
        )
    for finding in data.get("findings", []):
        if finding.get("severity") == "fail":
            out.append(f"Training data: {finding.get('message')}")
    return out


def _explanation_rules(parts: dict) -> list[str]:
    out = []
    for name, data in parts.get("explanations", {}).items():
        method = data.get("method")
        fidelity = _number(data.get("fidelity"))
        if method == "global surrogate tree" and fidelity is not None and fidelity < LOW_FIDELITY:
            out.append(
                f"The surrogate tree ({name}) imitates the model with fidelity {fidelity:.2f} "
                "only: the model is more complex than its rules."
            )
        if method == "permutation importance" and data.get("features"):
            means = [max(_number(f.get("mean")) or 0.0, 0.0) for f in data["features"]]
            total = sum(means)
            top = data["features"][0]
            if total > 0 and means[0] / total > 0.5 and len(means) > 1:
                out.append(
                    f"The model relies mostly on {top['feature']!r} ({100 * means[0] / total:.0f}% "
                    "of the total permutation importance): check that it will be available, "
                    "and measured the same way, when the model is used."
                )
    return out


#: card section → rules writing sentences for it.
EVIDENCE: dict[str, list[Callable[[dict], list[str]]]] = {
    "ethical": [_fairness_rules],
    "caveats": [_metric_rules, _data_rules, _explanation_rules],
}


def collect_evidence(parts: dict) -> dict[str, list[str]]:
    """Sentences for each section from ``parts`` (metrics, training_data, fairness,
    explanations as plain data).

    Examples
    --------
    >>> from lemma.explain._evidence import collect_evidence
    >>> audit = {"disparate_impact": {"sex": {"ratio": 0.62, "four_fifths_rule": False}}}
    >>> collect_evidence({"fairness": audit})["ethical"]
    ["Fails the four-fifths rule for sex: the lowest group's selection rate is 0.62 times the highest's (below 0.8)."]
    """  # noqa: E501
    return {
        section: [s for rule in rules for s in rule(parts)] for section, rules in EVIDENCE.items()
    }


# ------------------------------------------------------------------------------ rendering
def _records_table(
    records: list[dict], columns: list[str] | None = None, max_rows: int | None = MAX_ROWS
) -> render.Table:
    if columns is None:
        columns = []
        for record in records:
            columns += [
                k for k in record if k not in columns and not isinstance(record[k], dict | list)
            ]
    rows = [[record.get(c) for c in columns] for record in records[:max_rows]]
    return render.Table(columns, rows)


def _flat(record: Any) -> bool:
    return isinstance(record, dict) and not any(isinstance(v, dict | list) for v in record.values())


def generic_blocks(data: dict, depth: int = 0) -> list[Any]:
    """Scalars as fields, lists and dicts of flat records as tables, nested dicts under
    their key (three levels; deeper ones as JSON)."""
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, dict | list)]
    blocks: list[Any] = [render.Fields(scalars)] if scalars else []
    for key, value in data.items():
        if not isinstance(value, dict | list) or not value:
            continue
        blocks.append(render.Paragraph(f"{key}:"))
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            blocks.append(_records_table(value))
        elif isinstance(value, list):
            blocks.append(render.Bullets([render.format_value(v) for v in value]))
        elif all(_flat(v) for v in value.values()):
            blocks.append(_records_table([{"": k, **v} for k, v in value.items()]))
        elif depth < 2:
            blocks += generic_blocks(value, depth + 1)
        else:
            blocks.append(render.Code(json.dumps(value, indent=1)))
    return blocks


def _interval_text(record: dict) -> str:
    estimate, low, high = (_number(record.get(k)) for k in ("estimate", "ci_low", "ci_high"))
    if estimate is None:
        return "—"
    if low is None or high is None:
        return f"{estimate:.3f}"
    return f"{estimate:.3f} ({low:.3f} to {high:.3f})"


def _group_table(records: list[dict]) -> render.Table:
    """Long (group, metric) records as one row per group: ``estimate (low to high)``."""
    groups: dict[str, dict[str, Any]] = {}
    metrics: list[str] = []
    for record in records:
        row = groups.setdefault(str(record.get("group")), {"n": record.get("n")})
        metric = str(record.get("metric"))
        metrics += [] if metric in metrics else [metric]
        row[metric] = _interval_text(record)
    rows = [[group, row.get("n"), *(row.get(m) for m in metrics)] for group, row in groups.items()]
    return render.Table(["group", "n", *metrics], rows)


#: audit key → (heading, blocks drawing its value); other keys are drawn generically.
_AUDIT_PARTS: dict[str, tuple[str, Callable[[Any], list[Any]]]] = {
    "disparate_impact": (
        "Disparate impact (selection-rate ratio, four-fifths rule)",
        lambda v: [_records_table([{"feature": k, **r} for k, r in v.items()], max_rows=None)],
    ),
    "disparities": (
        "Disparities",
        lambda v: [_records_table(v, ["disparity", "estimate", "ci_low", "ci_high"], None)],
    ),
    "by_group": ("Groups (estimate and interval)", lambda v: [_group_table(v)]),
    "checklist": (
        "Checklist",
        lambda v: [_records_table(v, ["status", "check", "evidence"], max_rows=None)],
    ),
    "too_small": (
        "Groups too small to judge",
        lambda v: [render.Bullets([f"{g.get('group')} ({g.get('n_rows')} rows)" for g in v])],
    ),
}
_AUDIT_FIELDS = ("sensitive_feature", "n_rows", "min_group_size", "n_boot", "level")


def fairness_blocks(audit: dict) -> list[Any]:
    """The fairness section: verdict, disparate impact, disparities, groups, checklist,
    then whatever else the audit holds (calibration, proxies, mitigation, ...)."""
    data = dict(audit)
    verdict = data.pop("verdict", None)
    blocks: list[Any] = []
    if isinstance(verdict, str):
        blocks.append(render.Paragraph(f"Verdict: {verdict}"))
    elif verdict is not None:
        data["verdict"] = verdict
    head = [(k, data.pop(k)) for k in _AUDIT_FIELDS if k in data]
    if head:
        blocks.append(render.Fields(head))
    for key, (title, draw) in _AUDIT_PARTS.items():
        value = data.pop(key, None)
        if value:
            blocks += [render.Paragraph(f"{title}:"), *draw(value)]
    return blocks + generic_blocks({k: v for k, v in data.items() if v is not None})


def _importance(data: dict) -> list[Any]:
    details = [
        str(data["scoring"]) if data.get("scoring") else "",
        f"baseline {render.format_value(data['baseline_score'])}"
        if data.get("baseline_score") is not None
        else "",
        f"{data['n_repeats']} repeats on {data.get('n_samples')} rows"
        if data.get("n_repeats")
        else "",
    ]
    within = "; ".join(d for d in details if d)
    head = render.Paragraph(
        f"Permutation importance{f' ({within})' if within else ''}, most important first, "
        "with intervals over the permutations (drop in score when the column is shuffled)."
    )
    return [
        head,
        _records_table(data.get("features", []), ["feature", "mean", "ci_low", "ci_high"]),
    ]


def _surrogate(data: dict) -> list[Any]:
    return [render.Paragraph(str(data.get("verdict", ""))), render.Code(str(data.get("rules", "")))]


def _coefficients(data: dict) -> list[Any]:
    rows = data.get("rows", [])
    wanted = ["output", "term", "coef", "ci_low", "ci_high", "std_coef", "odds_ratio",
              "odds_ratio_ci_low", "odds_ratio_ci_high"]  # fmt: skip
    columns = [c for c in wanted if rows and c in rows[0]]
    head = render.Paragraph(
        f"{data.get('model')} coefficients on the {data.get('scale')} scale; "
        f"{data.get('inference')}."
    )
    return [head, _records_table(rows, columns)]


def _shapley(data: dict) -> list[Any]:
    outputs = data.get("outputs", {})
    name, values = next(iter(outputs.items()), ("", {}))
    records = [{"feature": k, "mean |φ|": v} for k, v in list(values.items())[:MAX_ROWS]]
    head = render.Paragraph(
        f"Mean absolute Shapley value per feature ({data.get('scale')}; output {name})."
    )
    return [head, _records_table(records)]


#: explanation "method" → blocks drawing it.
EXPLANATIONS: dict[str, Callable[[dict], list[Any]]] = {
    "table": lambda data: [_records_table(data.get("rows", []))],
    "permutation importance": _importance,
    "global surrogate tree": _surrogate,
    "coefficients": _coefficients,
    "linear Shapley values": _shapley,
}


def explanation_blocks(data: dict) -> list[Any]:
    """Blocks for one explanation's ``to_dict()`` (generic ones for unknown methods)."""
    return EXPLANATIONS.get(str(data.get("method")), generic_blocks)(data)
