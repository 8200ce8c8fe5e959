"""The matcher's settings: how many `records.clean` events it handles at once, in each mode."""

from __future__ import annotations

import pytest

from lateral_matcher.config import SQLITE_BATCH_SIZE, MatcherSettings
from lateral_shared.settings import ServiceSettings

COMMON = ServiceSettings.model_fields["consumer_batch_size"].default
POSTGRES = "postgresql+asyncpg://matcher@127.0.0.1:5432/lateral"


def test_embedded_mode_handles_bigger_batches_than_the_common_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LATERAL_CONSUMER_BATCH_SIZE", raising=False)
    monkeypatch.delenv("LATERAL_DATABASE_URL", raising=False)
    assert MatcherSettings().consumer_batch_size == SQLITE_BATCH_SIZE > COMMON


def test_distributed_mode_keeps_the_common_batch_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replicas lock every blocking key of a batch: bigger batches would wait on each other."""
    monkeypatch.delenv("LATERAL_CONSUMER_BATCH_SIZE", raising=False)
    monkeypatch.setenv("LATERAL_DATABASE_URL", POSTGRES)
    assert MatcherSettings().consumer_batch_size == COMMON


@pytest.mark.parametrize("url", ["sqlite+aiosqlite:///data/matcher.db", POSTGRES])
def test_an_operators_batch_size_wins_in_either_mode(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("LATERAL_CONSUMER_BATCH_SIZE", "250")
    assert MatcherSettings(database_url=url).consumer_batch_size == 250
