"""Helpers the benchmark modules share."""

import os
import statistics
import time
from collections.abc import Callable

# bench/run --smoke: every bench at a tiny scale, to prove it still runs (make test).
SMOKE = os.environ.get("ZONEOPS_BENCH_SMOKE") == "1"


def scaled(full, smoke):
    """The size of a bench: ``full`` for the figures, ``smoke`` for bench/run --smoke."""
    return smoke if SMOKE else full


def best_ms(action: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``action`` in milliseconds after ``warmup`` runs."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def server_ms(client, url: str, repeat: int = 5, **params) -> float:
    """Median server time of a GET through Django's test client (no network, no browser)."""

    def get():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)

    return best_ms(get, repeat=repeat)
