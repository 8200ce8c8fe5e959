"""The indexer's settings, from LATERAL_* environment variables."""

from __future__ import annotations

from lateral_shared.settings import IndexSettings, ServiceSettings


class IndexerSettings(ServiceSettings, IndexSettings):
    """Bus and index settings; the indexer has no database of its own."""
