"""Counters and latency histograms of a server, written in the Prometheus text format.

``GET /metrics`` answers with these series (one process's counts; with ``--workers
N`` each worker counts its own requests, so scrape or sum per process):

* ``lemma_http_requests_total{method, path, status}`` — answered requests;
* ``lemma_http_request_duration_seconds{method, path}`` — a histogram: counts of
  requests that took at most each bucket bound ``le`` (cumulative), their sum and
  count; a quantile q is read off as the first bound whose count reaches q · count;
* ``lemma_request_errors_total{path, problem}`` — problems reported in 4xx answers;
* ``lemma_rows_predicted_total``, ``lemma_rows_explained_total``;
* ``lemma_model_reloads_total{outcome}`` — "reloaded" or "refused";
* ``lemma_model_info{version, model}`` — 1 for the model being served.

Paths are the server's routes; any other path is counted as ``"other"`` so that a
scan of random URLs cannot grow the series without bound.

Reference: Prometheus, *Exposition formats* (text format 0.0.4),
https://prometheus.io/docs/instrumenting/exposition_formats/.

Examples
--------
>>> from lemma.serve.metrics import Metrics
>>> metrics = Metrics(paths=["/predict"])
>>> metrics.observe("POST", "/predict", 200, 0.003)
>>> text = metrics.render(version="abc123", model="Ridge")
>>> print([line for line in text.splitlines() if line.startswith("lemma_http_requests")][0])
lemma_http_requests_total{method="POST",path="/predict",status="200"} 1
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable

__all__ = ["CONTENT_TYPE", "LATENCY_BUCKETS", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Upper bounds (seconds) of the latency histogram's buckets.
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.02,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: object) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{name}="{_escape(str(value))}"' for name, value in labels.items())
    return "{" + inner + "}"


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


class Metrics:
    """The counters of one server process (updated from its event loop only).

    Parameters
    ----------
    paths : iterable of str
        The routes counted by name; others count as "other".
    buckets : tuple of float, default=LATENCY_BUCKETS
    """

    def __init__(self, paths: Iterable[str], buckets: tuple[float, ...] = LATENCY_BUCKETS):
        self.paths = frozenset(paths)
        self.buckets = tuple(buckets)
        self.requests: Counter[tuple[str, str, str]] = Counter()
        self.errors: Counter[tuple[str, str]] = Counter()
        self.rows: Counter[str] = Counter()
        self.reloads: Counter[str] = Counter()
        self._histograms: dict[tuple[str, str], list[float]] = {}

    def path_label(self, path: str) -> str:
        """``path`` if it is a route, else "other"."""
        return path if path in self.paths else "other"

    def observe(self, method: str, path: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency."""
        path = self.path_label(path)
        self.requests[method, path, str(status)] += 1
        # per bucket a count (non-cumulative), then the +Inf count, then the sum
        histogram = self._histograms.setdefault((method, path), [0] * (len(self.buckets) + 2))
        histogram[bisect.bisect_left(self.buckets, seconds)] += 1
        histogram[-1] += seconds

    def count_problems(self, path: str, problems: Iterable[str]) -> None:
        """Count the problem codes of a 4xx answer."""
        path = self.path_label(path)
        for code in problems:
            self.errors[path, code] += 1

    def render(self, *, version: str, model: str) -> str:
        """Every series in the Prometheus text exposition format."""
        lines: list[str] = []

        def family(name: str, kind: str, text: str) -> None:
            lines.append(f"# HELP {name} {text}")
            lines.append(f"# TYPE {name} {kind}")

        family("lemma_http_requests_total", "counter", "HTTP requests answered.")
        for (method, path, status), n in sorted(self.requests.items()):
            lines.append(
                f"lemma_http_requests_total{_labels(method=method, path=path, status=status)} {n}"
            )
        name = "lemma_http_request_duration_seconds"
        family(name, "histogram", "Time from the request's arrival to the end of its answer.")
        for (method, path), histogram in sorted(self._histograms.items()):
            counts, total = histogram[:-1], histogram[-1]
            running = 0
            for bound, n in zip([*self.buckets, "+Inf"], counts, strict=True):
                running += n
                le = bound if isinstance(bound, str) else repr(bound)
                lines.append(f"{name}_bucket{_labels(method=method, path=path, le=le)} {running}")
            lines.append(f"{name}_sum{_labels(method=method, path=path)} {_number(total)}")
            lines.append(f"{name}_count{_labels(method=method, path=path)} {running}")
        family("lemma_request_errors_total", "counter", "Problems reported in 4xx answers.")
        for (path, code), n in sorted(self.errors.items()):
            lines.append(f"lemma_request_errors_total{_labels(path=path, problem=code)} {n}")
        family("lemma_rows_predicted_total", "counter", "Rows predicted.")
        lines.append(f"lemma_rows_predicted_total {self.rows['predicted']}")
        family("lemma_rows_explained_total", "counter", "Rows explained.")
        lines.append(f"lemma_rows_explained_total {self.rows['explained']}")
        family("lemma_model_reloads_total", "counter", "Attempts to reload a changed model file.")
        for outcome in ("reloaded", "refused"):
            count = self.reloads[outcome]
            lines.append(f"lemma_model_reloads_total{_labels(outcome=outcome)} {count}")
        family("lemma_model_info", "gauge", "The model being served (its SHA-256 prefix).")
        lines.append(f"lemma_model_info{_labels(version=version, model=model)} 1")
        return "\n".join(lines) + "\n"
