"""What was made from a stored text (a parsed record, a decoded profile), kept by record key with
that text and used only while the stored text is still that text, so it can never be stale. Two
dicts rather than one of pairs: no object per entry for the garbage collector to walk. When full,
the oldest half goes first (dicts keep insertion order, and a key kept again moves to the newest
end). Comparing the texts costs a fraction of hashing one, which a cache keyed by the text would
pay for every row read."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class KeptByText(Generic[T]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._texts: dict[str, str] = {}
        self._values: dict[str, T] = {}

    def get(self, key: str, text: str) -> T | None:
        """What was kept for `key` if it was made from `text`, else None."""
        if self._texts.get(key) == text:
            return self._values[key]
        return None

    def keep(self, key: str, text: str, value: T) -> None:
        """Note that `text`, stored under `key`, is `value`."""
        texts, values = self._texts, self._values
        if len(texts) >= self._size:
            for old in list(texts)[: self._size // 2]:
                del texts[old], values[old]
        if texts.pop(key, None) is not None:
            del values[key]
        texts[key] = text
        values[key] = value

    def clear(self) -> None:
        self._texts.clear()
        self._values.clear()
