"""A transport that spreads requests over several independent httpx connection pools.

The bench's stand-in for "one connection pool per N users": httpcore's pool does work for every
connection on each request it queues or releases, so one pool serving hundreds of concurrent
streams spends its time in bookkeeping. `ShardedTransport(k, limits)` hands each request to the
next of `k` ordinary `httpx.AsyncHTTPTransport`s in turn, so each pool sees 1/k of the load.
Used only through `--http-shards`, to show what the engine does once its HTTP pool is no longer
the bottleneck.
"""

from __future__ import annotations

import itertools

import httpx


class ShardedTransport(httpx.AsyncBaseTransport):
    def __init__(self, shards: int, limits: httpx.Limits) -> None:
        self._pools = [httpx.AsyncHTTPTransport(limits=limits) for _ in range(max(1, shards))]
        self._next = itertools.cycle(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await next(self._next).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()
