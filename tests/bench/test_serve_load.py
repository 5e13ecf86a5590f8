"""The serving load test's machinery (not a speed test): its HTTP client counts answers
and failures right against a tiny loopback server, and rounds combine into medians."""

from __future__ import annotations

import asyncio

import pytest

from bench.serve_load import combine, markdown, request_bytes, run_phase


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """HTTP/1.1 keep-alive: 200 for ``{"rows": [{"ok": true}]}``, 422 otherwise."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            body = await reader.readexactly(length)
            status = b"200 OK" if b"true" in body else b"422 Unprocessable Content"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\n\r\n{}")
            await writer.drain()
    except asyncio.IncompleteReadError:
        writer.close()


async def _phase(requests_of, clients: int, max_requests: int):
    server = await asyncio.start_server(_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        return await run_phase(port, requests_of(port), clients, 30.0, max_requests)


def test_the_request_budget_bounds_a_phase_and_every_answer_is_counted():
    phase = asyncio.run(_phase(lambda port: [request_bytes(port, [{"ok": True}])], 4, 37))
    summary = phase.summary()
    assert summary["requests"] == 37 and summary["failed"] == 0
    assert 0 < summary["p50_ms"] <= summary["p99_ms"]


def test_a_refused_request_is_a_failure():
    def requests_of(port: int) -> list[bytes]:
        return [request_bytes(port, [{"ok": True}]), request_bytes(port, [{"ok": False}])]

    summary = asyncio.run(_phase(requests_of, 1, 10)).summary()
    assert (summary["requests"], summary["failed"]) == (5, 5)


def _round(p50: float, failed: int) -> dict:
    figures = {"requests": 10, "failed": failed, "p50_ms": p50, "p99_ms": 2 * p50,
               "requests_per_s": 100 / p50, "rows_per_s": 100 / p50}  # fmt: skip
    return {"latency": figures, "load": figures, "batch": {**figures, "p50_ms": None}}


def test_rounds_combine_into_medians_and_summed_failures():
    combined = combine([_round(1.0, 0), _round(5.0, 2), _round(3.0, 1)])
    assert combined["latency"]["p50_ms"] == 3.0 and combined["load"]["p99_ms"] == 6.0
    assert combined["load"]["failed"] == 3 and combined["load"]["requests"] == 30
    assert combined["batch"]["p50_ms"] is None
    table = markdown([{"server": "a server", **combined}], clients=50, duration=20, rounds=3)
    assert "| a server | 3.00 | 6.00 |" in table and "Medians over 3 round(s)" in table
    assert table.count("\n| ") == 2


@pytest.mark.parametrize("rows", [[{"age": 39}], [{"age": None, "sex": "Female"}] * 3])
def test_requests_declare_their_exact_length(rows):
    request = request_bytes(8000, rows)
    head, body = request.split(b"\r\n\r\n", 1)
    assert f"Content-Length: {len(body)}".encode() in head
    assert head.startswith(b"POST /predict HTTP/1.1\r\n")
