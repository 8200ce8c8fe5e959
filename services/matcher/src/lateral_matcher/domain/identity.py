"""Person IDs made by the matcher: derived from the record that creates the person."""

from __future__ import annotations

import uuid

# Fixed namespace (the same as rules-v1): person IDs are the same on every replay and deployment.
PERSON_ID_NAMESPACE = uuid.UUID("6f1c2d4e-8a57-5b0e-9c3a-1d2e3f405a6b")


def new_person_id(record_key: str) -> str:
    """The ID of the person a record creates: the same on every replay of the topic."""
    return str(uuid.uuid5(PERSON_ID_NAMESPACE, record_key))
