"""Wiring: the indexer's bus, search index, handler and readiness checks, in one place."""

from __future__ import annotations

from lateral_indexer.config import IndexerSettings
from lateral_indexer.service_layer.indexing import PersonIndexer
from lateral_shared.bus import EventBus, Subscription, open_bus
from lateral_shared.contracts import RECORDS_LINKED
from lateral_shared.index import SearchIndex, connect_index
from lateral_shared.runtime import Hook, Service

NAME = "indexer"


async def bootstrap(
    settings: IndexerSettings,
    *,
    bus: EventBus | None = None,
    index: SearchIndex | None = None,
) -> Service:
    """Build the indexer: consume `records.linked` into the search index.

    A bus or index given (embedded mode shares one of each) is used as it is; one created here
    from the settings is started here and closed when the service stops.
    """
    on_stop: list[Hook] = []
    if index is None:
        index = connect_index(settings.index_url, index_name=settings.index_name)
        await index.start()
        on_stop.append(index.close)
    bus = await open_bus(settings, bus, topics=[RECORDS_LINKED], on_stop=on_stop)
    handler = PersonIndexer(index)
    return Service(
        name=NAME,
        subscriptions=[Subscription(group_id=NAME, topic=RECORDS_LINKED, handler=handler)],
        readiness={"index": index.ping, "bus": bus.ping},
        on_stop=on_stop,
        bus=bus,
        max_attempts=settings.consumer_max_attempts,
        batch_size=settings.consumer_batch_size,
    )
