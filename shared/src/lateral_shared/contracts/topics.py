"""Topic names and the event types each carries, by schema version."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ValidationError

from .events import (
    AlertRaised,
    AuditEvent,
    Event,
    LinkReported,
    RecordCleaned,
    RecordLinked,
    RecordReceived,
)

RECORDS_RAW: Final = "records.raw"
RECORDS_CLEAN: Final = "records.clean"
RECORDS_LINKED: Final = "records.linked"
ALERTS_RAISED: Final = "alerts.raised"
AUDIT_EVENTS: Final = "audit.events"
LINKS_REPORTED: Final = "links.reported"

EVENT_TYPES: Final[dict[str, dict[int, type[Event]]]] = {
    RECORDS_RAW: {1: RecordReceived},
    RECORDS_CLEAN: {1: RecordCleaned},
    RECORDS_LINKED: {1: RecordLinked},
    ALERTS_RAISED: {1: AlertRaised},
    AUDIT_EVENTS: {1: AuditEvent},
    LINKS_REPORTED: {1: LinkReported},
}

ALL_TOPICS: Final = tuple(EVENT_TYPES)


def dlq_topic(topic: str) -> str:
    """The dead-letter topic for `topic`."""
    return f"{topic}.dlq"


class UndecodableEvent(Exception):
    """An event that cannot be read: the reason goes with it to the dead-letter topic.

    The reason names the problem and the field, never the field's value (it may be personal data).
    """


class _VersionProbe(BaseModel):
    schema_version: int


def decode_event(topic: str, payload: bytes) -> Event:
    """Read an event from `topic`, choosing the model by its schema version."""
    try:
        version = _VersionProbe.model_validate_json(payload).schema_version
    except ValidationError as exc:
        raise UndecodableEvent(f"not a {topic} event: {_describe(exc)}") from None
    models = EVENT_TYPES.get(topic)
    if models is None:
        raise UndecodableEvent(f"no event type is registered for topic {topic}")
    model = models.get(version)
    if model is None:
        known = ", ".join(str(v) for v in sorted(models))
        raise UndecodableEvent(
            f"unknown schema version {version} for {topic} (this consumer reads {known})"
        )
    try:
        return model.model_validate_json(payload)
    except ValidationError as exc:
        raise UndecodableEvent(f"invalid {topic} v{version} event: {_describe(exc)}") from None


def encode_event(event: Event) -> bytes:
    return event.model_dump_json().encode()


def _describe(exc: ValidationError) -> str:
    """Name each failing field and the problem, without echoing the input value."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False)[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "(event)"
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)
