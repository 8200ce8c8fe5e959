"""The `records.linked` handler on fakes: alerts stored once, `alerts.raised` published once."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import pytest

from lateral_alerts.service_layer.handlers import handle_records_linked
from lateral_shared.bus import EventConsumer, EventPublisher, OutgoingMessage, Subscription
from lateral_shared.contracts import (
    ALERTS_RAISED,
    RECORDS_LINKED,
    AgencyKind,
    AlertRaised,
    decode_event,
    encode_event,
)
from lateral_shared.testing.fakes import InMemoryBus


def _incident_at_child_home(events: Any, change: str = "created") -> Any:
    police = events.record(
        "met-police/INC-9", AgencyKind.POLICE, "concern_for_welfare", on=date(2025, 3, 3)
    )
    return events.linked(
        police, residents=[events.csc_child("P-child", "2013-09-09")], change=change
    )


async def test_a_resent_record_raises_exactly_one_alert(events: Any, store: Any) -> None:
    bus = InMemoryBus()
    handle = functools.partial(
        handle_records_linked, store=store, publisher=EventPublisher(bus, service="alerts")
    )

    await handle([_incident_at_child_home(events)])
    await handle([_incident_at_child_home(events, change="updated")])
    await handle([_incident_at_child_home(events), _incident_at_child_home(events)])

    assert [a.person_id for a in store.alerts.values()] == ["P-child"]
    [message] = bus.topics[ALERTS_RAISED]
    raised = decode_event(ALERTS_RAISED, message.value)
    assert isinstance(raised, AlertRaised)
    assert message.key == "P-child"
    assert (raised.alert_id, raised.trigger_record_key) == (
        next(iter(store.alerts)),
        "met-police/INC-9",
    )


async def test_an_alert_stored_but_not_published_is_published_on_redelivery(
    events: Any, store: Any
) -> None:
    bus = InMemoryBus()
    handle = functools.partial(
        handle_records_linked, store=store, publisher=EventPublisher(bus, service="alerts")
    )
    bus.fail_publish = True
    with pytest.raises(ConnectionError):
        await handle([_incident_at_child_home(events)])
    bus.fail_publish = False

    await handle([_incident_at_child_home(events)])
    await handle([_incident_at_child_home(events)])

    assert len(store.alerts) == 1
    assert len(bus.topics[ALERTS_RAISED]) == 1


async def test_records_that_trigger_nothing_publish_nothing(events: Any, store: Any) -> None:
    bus = InMemoryBus()
    missed = events.record("nhs-trust/APT-1", AgencyKind.HEALTH, "missed_appointment")
    await handle_records_linked(
        [events.linked(missed, residents=[events.csc_child("P", "2015")])],
        store=store,
        publisher=EventPublisher(bus, service="alerts"),
    )

    assert store.alerts == {}
    assert bus.topics[ALERTS_RAISED] == []


async def test_the_consumer_loop_delivers_linked_records_to_the_handler(
    events: Any, store: Any
) -> None:
    bus = InMemoryBus()
    handler = functools.partial(
        handle_records_linked, store=store, publisher=EventPublisher(bus, service="alerts")
    )
    event = _incident_at_child_home(events)
    await bus.publish(RECORDS_LINKED, [OutgoingMessage("addr", encode_event(event))] * 2)
    consumer_loop = EventConsumer(
        bus, Subscription("alerts", RECORDS_LINKED, handler), service="alerts"
    )
    consumer = bus.consumer("alerts", [RECORDS_LINKED])
    await consumer.start()

    await consumer_loop.process(consumer, await consumer.fetch())

    assert len(store.alerts) == 1
    assert len(bus.topics[ALERTS_RAISED]) == 1
    assert bus.committed[("alerts", RECORDS_LINKED)] == 2
