"""The external identity provider's key set (JWKS), fetched over HTTP and cached.

A token signed with a key ID the cached set lacks forces one early refresh (providers rotate
keys), but at most once every `MIN_REFRESH_S`, so a flood of forged key IDs cannot turn the
gateway into a load generator against the provider.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

MIN_REFRESH_S = 30.0
FETCH_TIMEOUT_S = 5.0


class KeySetUnavailable(Exception):
    """The key set could not be fetched or read. Carries no token data."""


class JwksCache:
    """Fetches the key set at `url` and keeps it for `max_age_s` seconds."""

    def __init__(
        self,
        url: str,
        *,
        max_age_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._max_age_s = max_age_s
        self._transport = transport
        self._clock = clock
        self._key_set: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, *, refresh: bool = False) -> KeySet:
        """The cached key set, fetched first if it is missing or stale (or `refresh` asks)."""
        async with self._lock:
            key_set, age = self._key_set, self._clock() - self._fetched_at
            if key_set is None or age >= self._max_age_s or (refresh and age >= MIN_REFRESH_S):
                key_set = self._key_set = await self._fetch()
                self._fetched_at = self._clock()
            return key_set

    async def _fetch(self) -> KeySet:
        try:
            async with httpx.AsyncClient(
                transport=self._transport, timeout=FETCH_TIMEOUT_S
            ) as client:
                response = await client.get(self._url, headers={"Accept": "application/json"})
                response.raise_for_status()
                return KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError) as exc:
            raise KeySetUnavailable(
                f"the identity provider's key set could not be read ({type(exc).__name__})"
            ) from None
