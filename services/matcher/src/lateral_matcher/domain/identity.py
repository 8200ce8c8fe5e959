"""Person IDs made by the matcher: derived from the record that creates the person."""

from __future__ import annotations

import uuid
from hashlib import sha1

# Fixed namespace (the same as rules-v1): person IDs are the same on every replay and deployment.
PERSON_ID_NAMESPACE = uuid.UUID("6f1c2d4e-8a57-5b0e-9c3a-1d2e3f405a6b")


_NAMESPACE_BYTES = PERSON_ID_NAMESPACE.bytes


def new_person_id(record_key: str) -> str:
    """The ID of the person a record creates: the same on every replay of the topic."""
    return uuid5_text(_NAMESPACE_BYTES, record_key)


def uuid5_text(namespace: bytes, name: str) -> str:
    """`str(uuid.uuid5(UUID(bytes=namespace), name))`, spelt out without the UUID objects (this
    runs for every record, at a third of the cost): SHA-1 of namespace and name, version 5,
    RFC 4122 variant."""
    digest = bytearray(sha1(namespace + name.encode()).digest()[:16])  # noqa: S324
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
