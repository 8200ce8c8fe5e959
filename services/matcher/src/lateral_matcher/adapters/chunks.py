"""Long `IN (...)` lists split into chunks both databases accept."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# PostgreSQL (asyncpg) takes at most 32,767 bound parameters per statement; SQLite 32,766.
CHUNK = 5_000


def chunked(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size` (nothing for an empty sequence)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
