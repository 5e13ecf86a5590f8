"""A Python client for a ``lemma serve`` server (needs only httpx and pandas).

``Client(base_url).predict(df)`` sends the rows of a DataFrame (or a list of dicts)
as JSON and returns a DataFrame shaped as ``lemma predict`` writes it: a
``prediction`` column (``prediction_<k>`` for several outputs) and, for a classifier,
one ``proba_<class>`` column per class, indexed like the rows answered. Schema
warnings, the model version (and, with ``partial=True``, the rows refused) ride
along in ``result.attrs``. Missing values (NaN, None, NaT) travel as JSON ``null``;
floats are written with Python's ``repr``, which reads back to the same double, so
the server computes on exactly the numbers of the DataFrame.

A 4xx or 5xx answer raises :class:`ServeError`, whose ``errors`` are the server's
``{row, field, problem, message}`` records.

Examples
--------
>>> import pathlib, tempfile
>>> import httpx, pandas as pd
>>> import lemma
>>> from lemma.serve.app import create_app
>>> from lemma.serve.client import Client
>>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0]})
>>> path = pathlib.Path(tempfile.mkdtemp()) / "line.lemma"
>>> _ = lemma.save(lemma.LinearRegression().fit(X, [1.0, 3.0, 5.0]), path, schema=X)
>>> transport = httpx.ASGITransport(create_app(path))  # a real URL in practice
>>> with Client("http://model", transport=transport) as client:
...     client.predict(pd.DataFrame({"x": [1.5, 2.0]})).round(6)
   prediction
0         4.0
1         5.0
"""

from __future__ import annotations

import asyncio
import datetime
import json
import math
from collections.abc import Mapping
from typing import Any

import httpx
import numpy as np
import pandas as pd

from lemma.exceptions import LemmaError

__all__ = ["Client", "ServeError"]


class ServeError(LemmaError, ValueError):
    """A server refused a request: ``status``, ``detail``, ``errors`` and ``warnings``."""

    def __init__(self, status: int, detail: str, errors: list, warnings: list) -> None:
        self.status = status
        self.detail = detail
        self.errors = errors
        self.warnings = warnings
        super().__init__(f"the server answered {status}: {detail}")


def _value(value: Any) -> Any:
    """A cell as a JSON value: missing → None, NumPy scalars → Python, times → ISO 8601."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return _value(value.item())
    if isinstance(value, pd.Timestamp | datetime.datetime | datetime.date):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _records(data: Any) -> tuple[list[dict[str, Any]], pd.Index]:
    """Rows as JSON-ready dicts, and the index to give the answer."""
    if isinstance(data, Mapping):
        data = [data]
    if hasattr(data, "to_pandas") and not isinstance(data, pd.DataFrame):  # polars
        data = data.to_pandas()
    if isinstance(data, pd.DataFrame):
        columns = [str(c) for c in data.columns]
        rows = [
            {name: _value(v) for name, v in zip(columns, row, strict=True)}
            for row in data.itertuples(index=False, name=None)
        ]
        return rows, data.index
    rows = [{str(k): _value(v) for k, v in row.items()} for row in data]
    return rows, pd.RangeIndex(len(rows))


class Client:
    """Talks to a ``lemma serve`` server.

    Parameters
    ----------
    base_url : str, default="http://127.0.0.1:8000"
    timeout : float, default=30.0
        Seconds per request.
    transport : httpx transport, optional
        For tests (``httpx.ASGITransport(app)``); default: the network.
    headers : dict, optional
        Sent with every request (an ``X-Request-ID``, an auth token).
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        *,
        timeout: float = 30.0,
        transport: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._asgi = isinstance(transport, httpx.ASGITransport)
        options = {"base_url": self.base_url, "timeout": timeout, "headers": headers}
        if self._asgi:
            self._async = httpx.AsyncClient(transport=transport, **options)
        else:
            self._http = httpx.Client(transport=transport, **options)

    # ------------------------------------------------------------------ plumbing
    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._asgi:  # an in-process application answers on an event loop
            return asyncio.run(self._async.request(method, path, **kwargs))
        return self._http.request(method, path, **kwargs)

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._send(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {"detail": response.text[:200]}
            raise ServeError(
                response.status_code,
                str(body.get("detail", response.reason_phrase)),
                list(body.get("errors", [])),
                list(body.get("warnings", [])),
            )
        return response

    def _post_rows(self, path: str, payload: dict[str, Any], params: dict[str, str]) -> dict:
        body = json.dumps(payload, allow_nan=False).encode("utf-8")
        headers = {"content-type": "application/json"}
        return self._call("POST", path, content=body, headers=headers, params=params).json()

    @staticmethod
    def _params(partial: bool, allow_extra: bool) -> dict[str, str]:
        return {"partial": str(partial).lower(), "allow_extra": str(allow_extra).lower()}

    # ------------------------------------------------------------------ endpoints
    def predict(self, data: Any, *, partial: bool = False, allow_extra: bool = False) -> Any:
        """Predictions for ``data`` (DataFrame, list of dicts, or one dict).

        Returns
        -------
        DataFrame
            ``prediction`` (or ``prediction_<k>``) and ``proba_<class>`` columns, indexed
            by the rows answered; ``attrs``: ``model_version``, ``warnings``, ``errors``.

        Raises
        ------
        ServeError
            The server refused the request (every row and field in ``errors``).
        """
        rows, index = _records(data)
        answer = self._post_rows("/predict", {"rows": rows}, self._params(partial, allow_extra))
        predictions = np.asarray(answer["predictions"], dtype=object)
        if predictions.ndim == 2:
            columns = {f"prediction_{k}": list(column) for k, column in enumerate(predictions.T)}
        else:
            columns = {"prediction": answer["predictions"]}
        frame = pd.DataFrame(columns, index=index[answer["rows"]])
        frame = frame.infer_objects()
        if answer.get("probabilities") is not None:
            probabilities = np.asarray(answer["probabilities"], dtype=np.float64)
            for k, label in enumerate(answer["classes"]):
                frame[f"proba_{label}"] = probabilities[:, k]
        frame.attrs.update(
            model_version=answer["model_version"],
            warnings=answer["warnings"],
            errors=answer["errors"],
        )
        return frame

    def explain(
        self,
        data: Any,
        *,
        baseline: Mapping[str, Any] | None = None,
        partial: bool = False,
        allow_extra: bool = False,
    ) -> Any:
        """Contributions of each row (``POST /explain``).

        Returns
        -------
        DataFrame
            Indexed by (row, output), one column per feature; ``attrs``: ``method``,
            ``scale``, ``baseline``, ``base_values`` (per output), ``values``,
            ``model_version``, ``warnings``, ``errors``.
        """
        rows, index = _records(data)
        payload: dict[str, Any] = {"rows": rows}
        if baseline is not None:
            payload["baseline"] = _records(baseline)[0][0]
        answer = self._post_rows("/explain", payload, self._params(partial, allow_extra))
        contributions = np.asarray(answer["contributions"], dtype=np.float64)
        n, k, d = contributions.shape
        labels = pd.MultiIndex.from_product(
            [index[answer["rows"]], answer["outputs"]], names=["row", "output"]
        )
        frame = pd.DataFrame(
            contributions.reshape(n * k, d), index=labels, columns=answer["features"]
        )
        frame.attrs.update(
            {
                key: answer[key]
                for key in ("method", "scale", "baseline", "model_version", "warnings", "errors")
            },
            base_values=dict(zip(answer["outputs"], answer["base_values"], strict=True)),
            values=answer["values"],
        )
        return frame

    def model(self) -> dict[str, Any]:
        """``GET /model``: card, schema, metrics, version and SHA-256 of the file."""
        return self._call("GET", "/model").json()

    def model_card_html(self) -> str:
        """``GET /model?format=html``: the model card as an HTML page."""
        return self._call("GET", "/model", params={"format": "html"}).text

    def health(self) -> dict[str, Any]:
        """``GET /health``."""
        return self._call("GET", "/health").json()

    def ready(self) -> dict[str, Any]:
        """``GET /ready``: readiness and the model version."""
        return self._call("GET", "/ready").json()

    def metrics(self) -> str:
        """``GET /metrics``: Prometheus text."""
        return self._call("GET", "/metrics").text

    def close(self) -> None:
        """Close the connections."""
        if self._asgi:
            asyncio.run(self._async.aclose())
        else:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
