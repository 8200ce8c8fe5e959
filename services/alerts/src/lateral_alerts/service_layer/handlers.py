"""Handlers: `records.linked` events in, stored alerts and `alerts.raised` events out."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from lateral_alerts.adapters.repository import AlertStore
from lateral_alerts.domain.model import Alert, AlertCandidate
from lateral_alerts.domain.rules import RULES, AlertRule, evaluate
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts import ALERTS_RAISED, AlertRaised, Event, RecordLinked

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# The event ID follows from the alert ID, so a re-published alert is recognisably the same event.
ALERT_EVENT_NAMESPACE = uuid.UUID("5a0c7f0e-3f4b-4f7e-9d7e-6c1d2a9b8e41")


def utc_now() -> datetime:
    return datetime.now(UTC)


async def handle_records_linked(
    events: Sequence[Event],
    *,
    store: AlertStore,
    publisher: EventPublisher,
    rules: Sequence[AlertRule] = RULES,
    clock: Clock = utc_now,
) -> None:
    """Apply the rules to a batch of linked records; store the alerts they raise (each alert ID
    once, durably) and publish `alerts.raised` for every stored alert not published yet.

    Idempotent: a redelivered or re-sent record gives the same alert IDs, which are stored already
    and published already, so nothing changes."""
    candidates: dict[str, AlertCandidate] = {}
    for event in events:
        if isinstance(event, RecordLinked):
            for candidate in evaluate(event, rules):
                candidates.setdefault(candidate.alert_id, candidate)
    if not candidates:
        return
    now = clock()
    unpublished = await store.add_new([Alert.raise_from(c, at=now) for c in candidates.values()])
    await publisher.publish(ALERTS_RAISED, [(a.person_id, alert_raised(a)) for a in unpublished])
    await store.mark_published([a.alert_id for a in unpublished], at=clock())
    for alert in unpublished:
        log.info("alert raised", extra={"alert_id": alert.alert_id, "person_id": alert.person_id})


def alert_raised(alert: Alert) -> AlertRaised:
    """The `alerts.raised` event for a stored alert: IDs and dates only."""
    return AlertRaised(
        event_id=uuid.uuid5(ALERT_EVENT_NAMESPACE, alert.alert_id),
        alert_id=alert.alert_id,
        rule=alert.rule,
        severity=alert.severity,
        person_id=alert.person_id,
        trigger_record_key=alert.trigger_record_key,
        address_key=alert.address_key,
        trigger_date=alert.trigger_date,
    )
