"""The audit trail every service that serves people uses: each event is published to
`audit.events` and the caller waits until the bus has acknowledged it (fail closed: no
acknowledgement, no answer, and no decision kept).

Group commit: events recorded while a publish is in flight wait for the next one and go
together, in one bus write (one transaction and one fsync on the embedded log, one produce
request on Kafka). Under load this keeps the audit from queueing searches one fsync at a time;
each caller still gets its answer only once its own event is durable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Literal

from lateral_shared.auth import Principal
from lateral_shared.bus import EventPublisher
from lateral_shared.contracts.events import AuditEvent
from lateral_shared.contracts.topics import AUDIT_EVENTS

log = logging.getLogger(__name__)

Outcome = Literal["success", "denied", "error"]
_Waiting = tuple[tuple[str, AuditEvent], "asyncio.Future[None]"]


class AuditUnavailable(Exception):
    """The audit event could not be durably recorded, so nothing may be shown or decided."""


class AuditTrail:
    """Publishes audit events to `audit.events` and waits for the bus to acknowledge them."""

    def __init__(self, publisher: EventPublisher, *, service: str) -> None:
        self._publisher = publisher
        self._service = service
        self._waiting: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None

    async def record(
        self,
        principal: Principal,
        *,
        action: str,
        reason: str,
        criteria: Mapping[str, str],
        result_ids: list[str],
        outcome: Outcome = "success",
    ) -> None:
        event = AuditEvent(
            service=self._service, actor=principal.subject, actor_roles=sorted(principal.roles),
            action=action, reason=reason, criteria=dict(criteria), result_ids=result_ids,
            outcome=outcome,
        )  # fmt: skip
        acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(((principal.subject, event), acknowledged))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        try:
            await acknowledged
        except Exception as exc:
            log.error(
                "audit event not acknowledged; withholding the answer",
                extra={"service": self._service, "event_id": str(event.event_id)},
                exc_info=True,
            )
            raise AuditUnavailable from exc

    async def _flush(self) -> None:
        """Publish what is waiting, in batches, until nothing is."""
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._publisher.publish(AUDIT_EVENTS, [message for message, _ in batch])
            except Exception as exc:  # every waiter hears of it and withholds its answer
                for _, acknowledged in batch:
                    if not acknowledged.done():
                        acknowledged.set_exception(exc)
            else:
                for _, acknowledged in batch:
                    if not acknowledged.done():
                        acknowledged.set_result(None)
