"""Dependencies the partner API routes share: the calling partner's own feeds and batches."""

# No `from __future__ import annotations`: FastAPI reads annotations at run time.
import uuid

from fastapi import HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lateral_ingest_gateway.adapters import batch_store, repository
from lateral_ingest_gateway.domain.model import Batch, Feed

from .partner_auth import PartnerPrincipal


class PartnerResources:
    """Finds a feed or batch for the partner calling, refusing another partner's."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def feed(self, feed_id: str, partner: PartnerPrincipal) -> Feed:
        """The feed; 404 if there is none, 403 if it is another partner's."""
        async with self._sessions() as session:
            feed = await repository.get_feed(session, feed_id=feed_id)
        if feed is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no such feed; check the feed "
                                "ID the Lateral administrators gave you.")  # fmt: skip
        if feed.partner_id != partner.partner_id:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "This feed belongs to another partner; "
                                "use only your own feeds.")  # fmt: skip
        return feed

    async def batch(self, batch_id: str, partner: PartnerPrincipal) -> Batch:
        """The partner's batch; another partner's is "not found", so IDs reveal nothing."""
        try:
            parsed: uuid.UUID | None = uuid.UUID(batch_id)
        except ValueError:
            parsed = None
        batch = None
        if parsed is not None:
            async with self._sessions() as session:
                batch = await batch_store.get_batch(session, batch_id=parsed)
        if batch is None or batch.partner_id != partner.partner_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "You have no batch with this ID.")
        return batch
