"""How often a partner client may ask for an access token: a token bucket per client.

Each client may make `burst` requests at once, then one more every `60 / per_minute` seconds. A
client that normally asks every few minutes never meets the limit; a loop asking without pause,
or a guess at secrets, does, and is told how long to wait. Memory is bounded: when `max_clients`
buckets are held, the least recently used one is forgotten (which only ever lets it ask sooner).
"""

from __future__ import annotations

from collections import OrderedDict


class TokenRequestLimit:
    def __init__(self, *, per_minute: float, burst: int, max_clients: int = 10_000) -> None:
        self._rate = per_minute / 60.0  # requests earned per second
        self._burst = float(burst)
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (left, at)

    def wait_s(self, client: str, now: float) -> float:
        """0 if `client` may ask now (and counts the request), else the seconds to wait."""
        left, at = self._buckets.pop(client, (self._burst, now))
        left = min(self._burst, left + (now - at) * self._rate)
        if left >= 1:
            self._remember(client, (left - 1, now))
            return 0.0
        self._remember(client, (left, now))
        return (1 - left) / self._rate

    def _remember(self, client: str, bucket: tuple[float, float]) -> None:
        self._buckets[client] = bucket
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
